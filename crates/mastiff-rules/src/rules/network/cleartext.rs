use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// The effective network security policy permits cleartext (HTTP) traffic: by default for all
    /// hosts, or for specific domains. The policy is computed the way the platform does it: the
    /// network security config (base-config, nested domain-configs with inheritance), the
    /// manifest's `android:usesCleartextTraffic`, and the targetSdk default (cleartext allowed by
    /// default below API 28).
    ///
    /// ## Why it matters
    /// Cleartext traffic can be read and changed by anyone on the network path (public Wi-Fi,
    /// compromised routers, hostile carriers): credentials, session tokens and health data leak,
    /// and responses can be rewritten to attack the app.
    ///
    /// ## How to fix
    /// Serve everything over HTTPS and set `<base-config cleartextTrafficPermitted="false"/>` in
    /// the network security config (or target API 28+ and remove
    /// `android:usesCleartextTraffic="true"`). If one legacy host needs HTTP, allow it in a
    /// single `<domain-config>` and plan its migration.
    ///
    /// ## False positives
    /// Domain exceptions for local development hosts (`localhost`, `10.0.2.2`) are reported at low
    /// severity. The policy does not cover raw sockets or WebView content from other origins.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0235: Android App Configurations Allowing Cleartext Traffic
    /// - CWE-319: Cleartext Transmission of Sensitive Information
    /// - https://developer.android.com/privacy-and-security/security-config
    pub CleartextTraffic {
        id: "NET-001",
        name: "cleartext-traffic-permitted",
        title: "Cleartext HTTP traffic permitted",
        severity: High,
        masvs: [Network1],
        mastg: ["MASTG-TEST-0235"],
        cwe: [319],
        inputs: [Manifest, NetworkSecurityConfig],
    }
}

fn is_local_host(domain: &str) -> bool {
    matches!(
        domain,
        "localhost" | "127.0.0.1" | "10.0.2.2" | "10.0.3.2" | "::1"
    )
}

impl Rule for CleartextTraffic {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(policy) = app.network else { return };
        if policy.default.cleartext_permitted {
            let exempt: Vec<&str> = policy
                .domains
                .iter()
                .filter(|d| !d.cleartext_permitted)
                .filter_map(|d| d.domain.as_deref())
                .collect();
            let mut msg = format!(
                "cleartext HTTP is permitted for all hosts ({})",
                policy.basis
            );
            if !exempt.is_empty() {
                msg.push_str(&format!(" except {}", exempt.join(", ")));
            }
            out.report(
                msg,
                vec![network_location(
                    app,
                    "base-config",
                    Some("cleartextTrafficPermitted"),
                )],
            );
        }
        let domains: Vec<&str> = policy
            .domains
            .iter()
            .filter(|d| d.cleartext_permitted && !policy.default.cleartext_permitted)
            .filter_map(|d| d.domain.as_deref())
            .collect();
        if domains.is_empty() {
            return;
        }
        let severity = if domains.iter().all(|d| is_local_host(d)) {
            Severity::Low
        } else {
            Severity::Medium
        };
        out.report_at(
            severity,
            format!("cleartext HTTP is permitted for {}", domains.join(", ")),
            vec![network_location(
                app,
                "domain-config",
                Some("cleartextTrafficPermitted"),
            )],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, domain, manifest, policy};

    #[test]
    fn default_and_domain_cleartext() {
        let m = manifest(30);
        let mut p = policy(false);
        assert!(app_with(&m).network(&p).run(&CleartextTraffic).is_empty());

        p.domains.push(domain("legacy.example.com", true));
        let f = app_with(&m).network(&p).run(&CleartextTraffic);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(f[0].message.contains("legacy.example.com"));

        let mut local = policy(false);
        local.domains.push(domain("10.0.2.2", true));
        assert_eq!(
            app_with(&m).network(&local).run(&CleartextTraffic)[0].severity,
            Severity::Low
        );

        let mut open = policy(true);
        open.domains.push(domain("secure.example.com", false));
        let f = app_with(&m).network(&open).run(&CleartextTraffic);
        assert_eq!(f[0].severity, Severity::High);
        assert!(
            f[0].message.contains("except secure.example.com"),
            "{}",
            f[0].message
        );
    }
}

use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::{manifest_location, network_location};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// - The effective network security policy trusts user-installed CA certificates
    ///   (`<certificates src="user"/>`), by default or for some domains. This includes
    ///   `<debug-overrides>` when the app is debuggable, and the platform default below
    ///   targetSdk 24.
    /// - minSdk is below 24: devices before Android 7.0 trust user CAs in every app, whatever
    ///   the app's configuration (reported at low severity).
    ///
    /// ## Why it matters
    /// Any certificate the user can be talked into installing (or that malware, a corporate
    /// proxy or a stalkerware kit installs) can then intercept and modify the app's TLS traffic.
    ///
    /// ## How to fix
    /// Trust only system CAs in release builds: remove `src="user"` from `base-config` and
    /// `domain-config`, keep it inside `<debug-overrides>` only, target API 24+, and consider
    /// minSdk 24+.
    ///
    /// ## False positives
    /// Apps meant to work behind enterprise TLS inspection proxies trust user CAs on purpose.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0286: Network Security Configuration Allowing Trust in User-Provided CAs
    /// - OWASP MASTG-TEST-0285: Outdated Android Version Allowing Trust in User-Provided CAs
    /// - CWE-295: Improper Certificate Validation
    pub UserCaTrusted {
        id: "NET-002",
        name: "user-ca-trusted",
        title: "User-installed CA certificates are trusted",
        severity: High,
        masvs: [Network1],
        mastg: ["MASTG-TEST-0286", "MASTG-TEST-0285"],
        cwe: [295],
        inputs: [Manifest, NetworkSecurityConfig],
    }
}

fn trusts_user(anchors: &[mastiff_core::TrustAnchorSummary]) -> bool {
    anchors.iter().any(|a| a.source == "user")
}

impl Rule for UserCaTrusted {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(policy) = app.network else { return };
        let default_user = trusts_user(&policy.default.trust_anchors);
        if default_user {
            out.report(
                format!(
                    "user-installed CAs are trusted for all hosts ({})",
                    policy.basis
                ),
                vec![network_location(app, "base-config/trust-anchors", None)],
            );
        } else {
            let domains: Vec<&str> = policy
                .domains
                .iter()
                .filter(|d| trusts_user(&d.trust_anchors))
                .filter_map(|d| d.domain.as_deref())
                .collect();
            if !domains.is_empty() {
                out.report_at(
                    Severity::Medium,
                    format!("user-installed CAs are trusted for {}", domains.join(", ")),
                    vec![network_location(app, "domain-config/trust-anchors", None)],
                );
            }
        }
        if let Some(m) = app.manifest {
            if m.min_sdk < 24 && !default_user {
                out.report_at(
                    Severity::Low,
                    format!(
                        "minSdk {} lets the app run on Android versions before 7.0, which trust user-installed CAs in every app",
                        m.min_sdk
                    ),
                    vec![manifest_location(app, "manifest/uses-sdk", Some("android:minSdkVersion"))],
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{anchor, app_with, domain, manifest, policy};

    #[test]
    fn user_anchors_default_domain_and_old_devices() {
        let mut m = manifest(30);
        m.min_sdk = 26;
        let mut p = policy(false);
        assert!(app_with(&m).network(&p).run(&UserCaTrusted).is_empty());

        let mut d = domain("api.example.com", false);
        d.trust_anchors.push(anchor("user"));
        p.domains.push(d);
        let f = app_with(&m).network(&p).run(&UserCaTrusted);
        assert_eq!((f.len(), f[0].severity), (1, Severity::Medium));

        let mut all = policy(false);
        all.default.trust_anchors.push(anchor("user"));
        assert_eq!(
            app_with(&m).network(&all).run(&UserCaTrusted)[0].severity,
            Severity::High
        );

        m.min_sdk = 21;
        let f = app_with(&m).network(&policy(false)).run(&UserCaTrusted);
        assert_eq!((f.len(), f[0].severity), (1, Severity::Low));
    }
}

use mastiff_core::{Control, NetworkDomainPolicy};

use crate::rule::{Rule, Sink};
use crate::rules::network::code_pins;
use crate::rules::network_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// The app pins no certificate anywhere mastiff looks:
    /// - no domain of the effective network security policy has an effective pin-set. A
    ///   pin-set does not count when it has expired (the platform ignores it) or when the
    ///   domain trusts system or user CAs with `overridePins="true"` (which bypasses the pins);
    /// - and the app's own code sets up no pinning: no OkHttp `CertificatePinner.Builder.add`,
    ///   no TrustKit initialisation, no public-key hash check (the detection of `NET-011`).
    ///
    /// Domains with effective pins in the network security config are recorded as positive
    /// evidence for MASVS-NETWORK-2 (pinning in code is recorded by `NET-011`).
    ///
    /// ## Why it matters
    /// Without pinning, any certificate authority trusted by the device can issue a certificate
    /// for your API host, and a compromised or coerced CA, a rogue enterprise CA or a user-installed
    /// CA can then intercept the traffic. The seed requirements ask for pinning on every endpoint
    /// the developer controls.
    ///
    /// ## How to fix
    /// Add a `<pin-set>` with at least two SHA-256 SPKI pins (current key and a backup) to a
    /// `<domain-config>` for each API host, with an `expiration` you renew; or pin in code
    /// (OkHttp `CertificatePinner`, TrustKit).
    ///
    /// ## False positives
    /// Pinning done only inside a third-party SDK, in native code or through reflection is not
    /// seen; apps that talk only to third-party hosts they do not control cannot pin
    /// meaningfully.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0242: Missing Certificate Pinning in Network Security Configuration
    /// - CWE-295: Improper Certificate Validation
    /// - https://developer.android.com/privacy-and-security/security-config#CertificatePinning
    pub NoPinning {
        id: "NET-003",
        name: "no-certificate-pinning",
        title: "No certificate pinning",
        severity: Medium,
        masvs: [Network2],
        mastg: ["MASTG-TEST-0242"],
        cwe: [295],
        inputs: [Manifest, NetworkSecurityConfig, Code],
    }
}

/// Whether the platform enforces this domain's pins.
pub(crate) fn pins_enforced(d: &NetworkDomainPolicy) -> bool {
    !d.pins.is_empty()
        && !d.pins_expired
        && !d
            .trust_anchors
            .iter()
            .any(|a| a.overrides_pins && (a.source == "system" || a.source == "user"))
}

impl Rule for NoPinning {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(policy) = app.network else { return };
        let pinned: Vec<&NetworkDomainPolicy> =
            policy.domains.iter().filter(|d| pins_enforced(d)).collect();
        for d in &pinned {
            let host = d.domain.as_deref().unwrap_or("?");
            let scope = if d.include_subdomains {
                " and subdomains"
            } else {
                ""
            };
            out.evidence(
                Control::Network2,
                format!(
                    "{host}{scope} pinned to {} SHA-256 key(s) in the network security config",
                    d.pins.len()
                ),
                vec![network_location(app, "domain-config/pin-set", None)],
            );
        }
        let in_code = app.code.map(code_pins).unwrap_or_default();
        if pinned.is_empty() && in_code.is_empty() {
            let bypassed: Vec<&str> = policy
                .domains
                .iter()
                .filter(|d| !d.pins.is_empty() && !d.pins_expired && !pins_enforced(d))
                .filter_map(|d| d.domain.as_deref())
                .collect();
            let detail = if bypassed.is_empty() {
                String::new()
            } else {
                format!(
                    " (pins for {} are bypassed by trust anchors with overridePins)",
                    bypassed.join(", ")
                )
            };
            let code_note = if app.code.is_some() {
                ", and the app's code sets up no pinning (no OkHttp CertificatePinner, TrustKit or public-key hash check)"
            } else {
                " (code not checked)"
            };
            out.report(
                format!("no certificate pinning found: no domain has an effective pin-set in the network security config{detail}{code_note}"),
                vec![network_location(app, "network-security-config", None)],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{anchor, app_with, domain, manifest, policy};

    #[test]
    fn pins_count_unless_expired_or_overridden() {
        let m = manifest(30);
        let p = policy(false);
        assert_eq!(app_with(&m).network(&p).run(&NoPinning).len(), 1);

        let mut pinned = policy(false);
        let mut d = domain("api.example.com", false);
        d.pins = vec!["sha256/AAAA".into()];
        pinned.domains.push(d.clone());
        let (f, e) = app_with(&m).network(&pinned).run_full(&NoPinning);
        assert!(f.is_empty());
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("api.example.com"));

        let mut expired = policy(false);
        let mut x = d.clone();
        x.pins_expired = true;
        expired.domains.push(x);
        assert_eq!(app_with(&m).network(&expired).run(&NoPinning).len(), 1);

        let mut overridden = policy(false);
        let mut o = d;
        let mut a = anchor("user");
        a.overrides_pins = true;
        o.trust_anchors.push(a);
        overridden.domains.push(o);
        let f = app_with(&m).network(&overridden).run(&NoPinning);
        assert!(f[0].message.contains("bypassed"), "{}", f[0].message);
    }
}

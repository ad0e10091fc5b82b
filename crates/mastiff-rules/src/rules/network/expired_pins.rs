use crate::rule::{Rule, Sink};
use crate::rules::network_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// A `<pin-set>` whose `expiration` date is before the scan date (`--date`, default today).
    ///
    /// ## Why it matters
    /// After the expiration date the platform stops enforcing the pins, silently: the domain is
    /// no longer pinned although the configuration suggests it is.
    ///
    /// ## How to fix
    /// Refresh the pins (current and backup keys) and move the expiration date forward in every
    /// release, or remove `expiration` if you have a reliable update channel.
    ///
    /// ## False positives
    /// Scans of old builds with a scan date in the future of their release; pass `--date` to
    /// evaluate as of another day.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0243: Expired Certificate Pins in the Network Security Configuration
    /// - CWE-295: Improper Certificate Validation
    pub ExpiredPins {
        id: "NET-004",
        name: "expired-pins",
        title: "Certificate pin-set has expired",
        severity: Medium,
        masvs: [Network2],
        mastg: ["MASTG-TEST-0243"],
        cwe: [295],
        inputs: [Manifest, NetworkSecurityConfig],
    }
}

impl Rule for ExpiredPins {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(policy) = app.network else { return };
        for d in policy.domains.iter().filter(|d| d.pins_expired) {
            out.report(
                format!(
                    "pin-set for {} expired on {} (scan date {}): the platform no longer enforces it",
                    d.domain.as_deref().unwrap_or("?"),
                    d.pin_expiration.as_deref().unwrap_or("?"),
                    app.scan_date
                ),
                vec![network_location(app, "domain-config/pin-set", Some("expiration"))],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, domain, manifest, policy};

    #[test]
    fn reports_each_expired_domain() {
        let m = manifest(30);
        let mut p = policy(false);
        let mut d = domain("api.example.com", false);
        d.pins = vec!["sha256/AAAA".into()];
        d.pin_expiration = Some("2018-01-01".into());
        p.domains.push(d.clone());
        assert!(app_with(&m).network(&p).run(&ExpiredPins).is_empty());
        p.domains[0].pins_expired = true;
        let f = app_with(&m).network(&p).run(&ExpiredPins);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("expired on 2018-01-01"));
    }
}

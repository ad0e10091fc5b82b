use mastiff_core::{Location, Severity};
use mastiff_formats::signing::Verification;

use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// - The APK carries no signature at all (no v1 JAR signature, no APK Signing Block).
    /// - A v2/v3 content digest recomputed over the file differs from the signed digest: the APK
    ///   was changed after it was signed.
    ///
    /// ## Why it matters
    /// Android refuses to install unsigned APKs, so an unsigned file is not the binary users run:
    /// the scan may not reflect the release. A digest mismatch means the file was modified after
    /// signing (repackaging, tampering or a broken build pipeline); Android will reject it.
    ///
    /// ## How to fix
    /// Scan the signed release artifact produced by your release pipeline; if digests do not
    /// match, rebuild and re-sign, and find what modified the file after signing.
    ///
    /// ## False positives
    /// Intermediate build outputs (`app-release-unsigned.apk`) scanned before signing.
    ///
    /// ## References
    /// - OWASP MASVS-RESILIENCE-2, MASTG-TEST-0224
    /// - CWE-347: Improper Verification of Cryptographic Signature
    /// - https://source.android.com/docs/security/features/apksigning/v2
    pub UnsignedOrTampered {
        id: "RES-007",
        name: "unsigned-or-tampered",
        title: "APK is unsigned or was modified after signing",
        severity: High,
        masvs: [Resilience2],
        mastg: ["MASTG-TEST-0224"],
        cwe: [347],
        inputs: [Signing],
    }
}

impl Rule for UnsignedOrTampered {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(signing) = app.signing else { return };
        if signing.schemes.is_empty() {
            out.report_at(
                Severity::Medium,
                "the APK is not signed (no v1 JAR signature, no APK Signing Block): Android will not install it",
                vec![Location::Entry { entry: "META-INF/".into(), offset: None }],
            );
        }
        for (scheme, v) in &signing.verification {
            if let Verification::DigestMismatch(detail) = v {
                out.report(
                    format!(
                        "{} content digest does not match the file: {detail}",
                        scheme.as_str()
                    ),
                    Vec::new(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, cert, manifest, signing};
    use mastiff_formats::signing::Scheme;

    #[test]
    fn unsigned_and_mismatch() {
        let m = manifest(30);
        let none = signing(&[]);
        assert_eq!(
            app_with(&m).signing(&none).run(&UnsignedOrTampered)[0].severity,
            Severity::Medium
        );

        let mut s = signing(&[(Scheme::V2, cert("RSA", 2048))]);
        assert!(app_with(&m).signing(&s).run(&UnsignedOrTampered).is_empty());
        s.verification = vec![(
            Scheme::V2,
            Verification::DigestMismatch("chunked SHA-256".into()),
        )];
        assert_eq!(
            app_with(&m).signing(&s).run(&UnsignedOrTampered)[0].severity,
            Severity::High
        );
    }
}

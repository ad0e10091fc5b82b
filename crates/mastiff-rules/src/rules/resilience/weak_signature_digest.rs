use mastiff_core::Severity;
use mastiff_formats::signing::Scheme;

use crate::rule::{Rule, Sink};
use crate::rules::{cert_location, unique_certificates};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// - The v1 (JAR) signature uses SHA-1 or MD5 digests while some supported device relies on
    ///   v1 alone: there is no v2/v3 signature, or minSdk is below 24 (devices before Android 7.0
    ///   verify only v1).
    /// - A signer certificate is itself signed with MD5 or SHA-1 (reported at low severity:
    ///   Android does not check the certificate's own signature, but the certificate will fail
    ///   policy checks elsewhere and shows an outdated signing setup).
    ///
    /// ## Why it matters
    /// SHA-1 has practical chosen-prefix collisions (SHAttered, 2017; "SHA-1 is a Shambles",
    /// 2020) and MD5 has had them since 2008: a colliding pair lets an attacker get one file
    /// signed and substitute the other.
    ///
    /// ## How to fix
    /// Sign with APK Signature Scheme v2/v3 (on by default in apksigner and the Android Gradle
    /// plugin) and raise minSdk to 24 so no device depends on v1; regenerate the certificate with
    /// `SHA256withRSA` when you next rotate keys.
    ///
    /// ## False positives
    /// apksigner itself picks SHA-1 for v1 when minSdk < 18, because older devices cannot verify
    /// SHA-256 JAR signatures: such apps cannot avoid it while supporting those devices.
    ///
    /// ## References
    /// - OWASP MASVS-RESILIENCE-2, MASTG-TEST-0224
    /// - CWE-328: Use of Weak Hash
    /// - https://source.android.com/docs/security/features/apksigning
    pub WeakSignatureDigest {
        id: "RES-005",
        name: "weak-signature-digest",
        title: "Signature relies on SHA-1 or MD5",
        severity: Medium,
        masvs: [Resilience2, Crypto1],
        mastg: ["MASTG-TEST-0224"],
        cwe: [328],
        inputs: [Manifest, Signing],
    }
}

fn weak_digest(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase().replace(['-', '_', ' '], "");
    if n.contains("md5") {
        Some("MD5")
    } else if n.contains("sha1") && !n.contains("sha1withrsaandmgf") {
        Some("SHA-1")
    } else {
        None
    }
}

impl Rule for WeakSignatureDigest {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let (Some(m), Some(signing)) = (app.manifest, app.signing) else {
            return;
        };
        let has_v2_plus = signing.schemes.iter().any(|s| *s != Scheme::V1);
        let v1_relied_on = !has_v2_plus || m.min_sdk < 24;
        for signer in signing.signers.iter().filter(|s| s.scheme == Scheme::V1) {
            if !v1_relied_on {
                break;
            }
            let weak: Vec<&str> = signer
                .algorithms
                .iter()
                .filter_map(|a| weak_digest(a))
                .collect();
            let Some(first) = weak.first() else { continue };
            let who = if has_v2_plus {
                format!("devices below API 24 (minSdk {}) verify only v1", m.min_sdk)
            } else {
                "there is no v2/v3 signature".to_string()
            };
            let locations = signer
                .certificates
                .first()
                .map(|c| vec![cert_location(&["v1"], c)])
                .unwrap_or_default();
            out.report(
                format!("v1 signature uses {first} digests and {who}"),
                locations,
            );
        }
        for (cert, schemes) in unique_certificates(signing) {
            if let Some(weak) = weak_digest(&cert.signature_algorithm) {
                out.report_at(
                    Severity::Low,
                    format!(
                        "signer certificate is signed with {weak} ({}): subject {}",
                        cert.signature_algorithm, cert.subject
                    ),
                    vec![cert_location(&schemes, cert)],
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, cert, manifest, signing};

    #[test]
    fn v1_sha1_matters_only_when_v1_is_relied_on() {
        let mut m = manifest(30);
        m.min_sdk = 21;
        let mut s = signing(&[(Scheme::V1, cert("RSA", 2048))]);
        s.signers[0].algorithms = vec!["SHA-1".into()];
        assert_eq!(app_with(&m).signing(&s).run(&WeakSignatureDigest).len(), 1);

        // v1 + v2 and minSdk 24: every device verifies v2.
        let mut both = signing(&[
            (Scheme::V1, cert("RSA", 2048)),
            (Scheme::V2, cert("RSA", 2048)),
        ]);
        both.signers[0].algorithms = vec!["SHA-1".into()];
        m.min_sdk = 24;
        assert!(app_with(&m)
            .signing(&both)
            .run(&WeakSignatureDigest)
            .is_empty());
        m.min_sdk = 23;
        assert_eq!(
            app_with(&m).signing(&both).run(&WeakSignatureDigest).len(),
            1
        );
    }

    #[test]
    fn md5_certificate_signature_is_low() {
        let m = manifest(30);
        let mut c = cert("RSA", 2048);
        c.signature_algorithm = "md5WithRSAEncryption".into();
        let s = signing(&[(Scheme::V2, c)]);
        let f = app_with(&m).signing(&s).run(&WeakSignatureDigest);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Low);
        assert_eq!(weak_digest("sha256WithRSAEncryption"), None);
        assert_eq!(weak_digest("SHA1withRSA"), Some("SHA-1"));
    }
}

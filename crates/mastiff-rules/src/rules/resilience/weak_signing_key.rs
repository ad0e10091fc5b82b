use crate::rule::{Rule, Sink};
use crate::rules::{cert_location, unique_certificates};
use crate::{declare_rule, AppContext};

/// Smallest acceptable RSA/DSA modulus, the seed requirement and NIST SP 800-57's floor.
const MIN_BITS: u32 = 2048;

declare_rule! {
    /// ## What it checks
    /// A signer certificate's public key is RSA or DSA with fewer than 2048 bits.
    ///
    /// ## Why it matters
    /// The signing key is the app's identity for its whole life: every update must be signed with
    /// it. RSA-1024 is within reach of well-funded attackers (NIST disallowed it for signatures
    /// after 2013); a factored key lets anyone publish "updates" that devices accept as yours.
    ///
    /// ## How to fix
    /// Use RSA-3072 or larger, or EC P-256. An existing app can move to a new key with APK
    /// Signature Scheme v3 key rotation (`apksigner rotate` / `--lineage`) or Play App Signing's
    /// key upgrade.
    ///
    /// ## False positives
    /// None: the key size is read from the certificate.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0225: Usage of Insecure Signature Key Size
    /// - CWE-326: Inadequate Encryption Strength
    /// - NIST SP 800-131A Rev. 2
    pub WeakSigningKey {
        id: "RES-004",
        name: "weak-signing-key",
        title: "Signing key shorter than 2048 bits",
        severity: High,
        masvs: [Resilience2, Crypto1],
        mastg: ["MASTG-TEST-0225"],
        cwe: [326],
        inputs: [Signing],
    }
}

impl Rule for WeakSigningKey {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(signing) = app.signing else { return };
        for (cert, schemes) in unique_certificates(signing) {
            let weak_algorithm = matches!(cert.key_algorithm.as_str(), "RSA" | "DSA");
            match cert.key_bits {
                Some(bits) if weak_algorithm && bits < MIN_BITS => out.report(
                    format!(
                        "{} signing key is {}-{bits} (minimum {MIN_BITS}): subject {}",
                        schemes.join(", "),
                        cert.key_algorithm,
                        cert.subject
                    ),
                    vec![cert_location(&schemes, cert)],
                ),
                _ => {}
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
    fn flags_short_rsa_and_dsa_only() {
        let m = manifest(30);
        for (alg, bits, expected) in [
            ("RSA", 1024, 1),
            ("DSA", 1024, 1),
            ("RSA", 2048, 0),
            ("EC", 256, 0),
        ] {
            let s = signing(&[(Scheme::V2, cert(alg, bits))]);
            let f = app_with(&m).signing(&s).run(&WeakSigningKey);
            assert_eq!(f.len(), expected, "{alg}-{bits}");
        }
    }
}

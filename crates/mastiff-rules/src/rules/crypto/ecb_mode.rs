use mastiff_core::Severity;

use super::{algorithm_call, string_args, CodeFindings, Transformation};
use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `Cipher.getInstance(transformation)` with a constant transformation that encrypts each
    /// block on its own, or RSA without padding:
    /// - a block cipher in ECB mode (`AES/ECB/PKCS5Padding`), or a bare block cipher name
    ///   (`"AES"`), which the Android providers resolve to `AES/ECB/PKCS5Padding` (high);
    /// - RSA without padding (`RSA/ECB/NoPadding`, `RSA/NONE/NoPadding`: textbook RSA, high), or
    ///   a bare `"RSA"`, which on Android has resolved to no padding (the BouncyCastle default,
    ///   unlike the Oracle JDK's PKCS#1) (medium: the provider decides).
    ///
    /// `RSA/ECB/PKCS1Padding` and `RSA/ECB/OAEPWith…` are not reported: for RSA, "ECB" is only
    /// the JCA name of the single-block mode. Ciphers reported as broken by CRY-001 (DES, 3DES,
    /// RC4...) are not reported again here.
    ///
    /// The transformation is also followed one level up through a wrapper: when it is a
    /// parameter of the calling method (`cipherFor(String transformation)`), the constant each
    /// app-code caller passes is checked, and the finding is reported at that caller
    /// (`Crypto.cipherFor("AES/ECB/PKCS5Padding", ..) → Cipher.getInstance`).
    ///
    /// ## Why it matters
    /// ECB encrypts equal plaintext blocks to equal ciphertext blocks: structure and repeated
    /// values (records, images, fixed headers) show through, and blocks can be cut, reordered and
    /// replayed without the key. Unpadded RSA is deterministic and malleable: equal messages give
    /// equal ciphertexts and small messages can be recovered.
    ///
    /// ## How to fix
    /// Use an authenticated mode with a random IV: `AES/GCM/NoPadding` (12-byte IV from
    /// `SecureRandom`, never reused with the same key). For RSA encryption use
    /// `RSA/ECB/OAEPWithSHA-256AndMGF1Padding`. Always spell out the full transformation.
    ///
    /// ## False positives
    /// Encrypting exactly one block of random data (e.g. wrapping a random key) with ECB leaks
    /// nothing; the bytecode does not show the data size, so it is still reported. Findings in
    /// third-party libraries are labelled with the library.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0232: Broken Symmetric Encryption Modes
    /// - CWE-327: Use of a Broken or Risky Cryptographic Algorithm; CWE-780: Use of RSA Algorithm
    ///   without OAEP
    /// - https://developer.android.com/reference/javax/crypto/Cipher
    pub EcbMode {
        id: "CRY-002",
        name: "ecb-mode-or-unpadded-rsa",
        title: "Block cipher in ECB mode, or RSA without padding",
        severity: High,
        masvs: [Crypto1],
        mastg: ["MASTG-TEST-0232"],
        cwe: [327, 780],
        inputs: [Code],
    }
}

/// Asymmetric and stream algorithms, for which "ECB" or a bare name does not mean ECB.
fn is_not_block_cipher(alg: &str) -> bool {
    alg.starts_with("RSA")
        || alg.starts_with("EC")
        || alg.starts_with("PBE")
        || alg.starts_with("CHACHA")
        || matches!(alg, "ARC4" | "RC4" | "ARCFOUR" | "DH" | "ELGAMAL" | "SM2")
}

/// The problem with a transformation, with its severity.
pub(crate) fn weakness(t: &Transformation) -> Option<(Severity, &'static str)> {
    if t.broken_cipher().is_some() {
        return None; // CRY-001
    }
    let mode = t.mode.as_deref();
    let padding = t.padding.as_deref();
    if t.alg == "RSA" {
        return match (mode, padding) {
            (None, _) => Some((
                Severity::Medium,
                "a bare \"RSA\" resolves to RSA without padding on Android (textbook RSA)",
            )),
            (Some(_), Some("NOPADDING")) => {
                Some((Severity::High, "RSA without padding (textbook RSA)"))
            }
            _ => None,
        };
    }
    if is_not_block_cipher(&t.alg) {
        return None;
    }
    let block = t.alg.starts_with("AES")
        || matches!(
            t.alg.as_str(),
            "CAMELLIA" | "TWOFISH" | "SERPENT" | "SEED" | "SM4" | "ARIA"
        );
    match mode {
        None if block => Some((
            Severity::High,
            "a cipher name without mode defaults to ECB (\"AES\" is AES/ECB/PKCS5Padding)",
        )),
        Some("ECB") => Some((Severity::High, "ECB mode leaks patterns of the plaintext")),
        _ => None,
    }
}

impl Rule for EcbMode {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        for site in code.calls_to("Ljavax/crypto/Cipher;", "getInstance") {
            for (t, at) in string_args(code, &site, 0) {
                let Some((severity, why)) = Transformation::parse(t).as_ref().and_then(weakness)
                else {
                    continue;
                };
                found.add(
                    severity,
                    at.caller,
                    at.offset,
                    &algorithm_call("Cipher.getInstance", t, &site, &at),
                    why,
                );
            }
        }
        found.emit(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev(s: &str) -> Option<Severity> {
        Transformation::parse(s)
            .as_ref()
            .and_then(weakness)
            .map(|w| w.0)
    }

    #[test]
    fn modes() {
        assert_eq!(sev("AES"), Some(Severity::High));
        assert_eq!(sev("aes/ecb/pkcs5padding"), Some(Severity::High));
        assert_eq!(sev("AES/ECB/PKCS7Padding"), Some(Severity::High));
        assert_eq!(sev("AES_256/ECB/NoPadding"), Some(Severity::High));
        assert_eq!(sev("AES/CBC/PKCS5Padding"), None);
        assert_eq!(sev("AES/GCM/NoPadding"), None);
        assert_eq!(sev("RSA"), Some(Severity::Medium));
        assert_eq!(sev("RSA/ECB/NoPadding"), Some(Severity::High));
        assert_eq!(sev("RSA/NONE/NoPadding"), Some(Severity::High));
        assert_eq!(sev("RSA/ECB/PKCS1Padding"), None);
        assert_eq!(sev("RSA/ECB/OAEPWithSHA-256AndMGF1Padding"), None);
        assert_eq!(sev("DES/ECB/PKCS5Padding"), None, "reported by CRY-001");
        assert_eq!(sev("ChaCha20/None/NoPadding"), None);
        assert_eq!(sev("EC"), None);
    }
}

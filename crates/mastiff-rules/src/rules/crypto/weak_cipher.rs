use mastiff_core::Severity;

use super::{algorithm_call, string_args, CodeFindings, Transformation};
use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `Cipher.getInstance(transformation)` (any overload) with a constant transformation whose
    /// algorithm is broken: DES, 3DES (`DESede`, `TripleDES`), RC4 (`ARCFOUR`), Blowfish or RC2,
    /// including password-based schemes built on them (`PBEWithMD5AndDES`,
    /// `PBEWithSHA1AndDESede`). The transformation is read from the bytecode as a constant
    /// argument (literal, static final field, or a constant StringBuilder chain), so it is the
    /// exact value the app passes.
    ///
    /// The transformation is also followed one level up through a wrapper: when it is a
    /// parameter of the calling method (`cipherFor(String transformation)`), the constant each
    /// app-code caller passes is checked, and the finding is reported at that caller
    /// (`Crypto.cipherFor("DES/CBC/PKCS5Padding", ..) → Cipher.getInstance`).
    ///
    /// ## Why it matters
    /// DES keys (56 bits) are brute-forced in hours; 3DES and Blowfish have 64-bit blocks
    /// (Sweet32 collisions after a few GB) and 3DES is disallowed by NIST after 2023; RC4 has
    /// keystream biases that leak plaintext; RC2 is obsolete. Data they protect must be treated as
    /// readable by an attacker who gets the ciphertext.
    ///
    /// ## How to fix
    /// Use AES-GCM (`Cipher.getInstance("AES/GCM/NoPadding")`) with a key from the Android
    /// Keystore and a fresh random 12-byte IV per message, or ChaCha20-Poly1305.
    ///
    /// ## False positives
    /// Decrypting legacy data in order to migrate it is a valid use; it is still reported (the key
    /// and the old ciphertext remain attackable). Findings in third-party libraries are labelled
    /// with the library.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0221: Broken Symmetric Encryption Algorithms
    /// - CWE-327: Use of a Broken or Risky Cryptographic Algorithm
    /// - NIST SP 800-131A Rev. 2
    pub WeakCipher {
        id: "CRY-001",
        name: "broken-cipher",
        title: "Broken symmetric cipher (DES, 3DES, RC4, Blowfish, RC2)",
        severity: High,
        masvs: [Crypto1],
        mastg: ["MASTG-TEST-0221"],
        cwe: [327],
        inputs: [Code],
    }
}

impl Rule for WeakCipher {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        for site in code.calls_to("Ljavax/crypto/Cipher;", "getInstance") {
            for (t, at) in string_args(code, &site, 0) {
                let Some(broken) = Transformation::parse(t).and_then(|p| p.broken_cipher()) else {
                    continue;
                };
                found.add(
                    Severity::High,
                    at.caller,
                    at.offset,
                    &algorithm_call("Cipher.getInstance", t, &site, &at),
                    &format!("{broken} is a broken cipher"),
                );
            }
        }
        found.emit(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_broken_ciphers() {
        let b = |s: &str| Transformation::parse(s).and_then(|t| t.broken_cipher());
        assert_eq!(b("DES/CBC/PKCS5Padding"), Some("DES"));
        assert_eq!(b("desede"), Some("3DES (DESede)"));
        assert_eq!(b("TripleDES/ECB/NoPadding"), Some("3DES (DESede)"));
        assert_eq!(b("ARCFOUR"), Some("RC4"));
        assert_eq!(b("Blowfish/CBC/PKCS5Padding"), Some("Blowfish"));
        assert_eq!(b("RC2"), Some("RC2"));
        assert_eq!(b("PBEWithMD5AndDES"), Some("DES"));
        assert_eq!(b("PBEWithSHA1AndDESede"), Some("3DES (DESede)"));
        assert_eq!(b("PBEWithSHAAnd40BitRC2-CBC"), Some("RC2"));
        assert_eq!(b("AES/GCM/NoPadding"), None);
        assert_eq!(b("DESX"), None, "not a JCA name we know");
        assert_eq!(b("PBEWithHmacSHA256AndAES_128"), None);
        assert_eq!(b("ChaCha20-Poly1305"), None);
    }
}

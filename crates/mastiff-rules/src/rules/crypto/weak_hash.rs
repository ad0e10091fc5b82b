use mastiff_core::Severity;

use super::{algorithm_call, string_args, CodeFindings};
use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `MessageDigest.getInstance` with MD2, MD4, MD5 or SHA-1 (`"SHA-1"`, `"SHA1"`, `"SHA"`),
    /// and `Signature.getInstance` with an MD5 or SHA-1 based signature (`"SHA1withRSA"`,
    /// `"MD5withRSA"`, `"SHA1withECDSA"`...), with a constant algorithm name.
    ///
    /// Whether the hash protects anything cannot be told from the bytecode: MD5 as a cache key or
    /// checksum is harmless, MD5 of a PIN or SHA-1 in a signature is not. So the severity is
    /// medium in the app's own code (a reviewer must look) and info in third-party libraries
    /// (HTTP caches and image loaders use MD5 for file names).
    ///
    /// The name is also followed one level up through a wrapper: when it is a parameter of the
    /// calling method (`hash(String algorithm, ..)`), the constant each app-code caller passes is
    /// checked, and the finding is reported at that caller (`Crypto.hash("MD5", ..) →
    /// MessageDigest.getInstance`).
    ///
    /// ## Why it matters
    /// MD5 and SHA-1 collisions are practical (SHAttered, chosen-prefix collisions): signatures
    /// and integrity checks built on them can be forged. Hashes of passwords or PINs with any fast
    /// hash are brute-forced offline in seconds.
    ///
    /// ## How to fix
    /// Integrity and signatures: SHA-256 or better (`SHA256withECDSA`). Passwords and PINs:
    /// a slow salted KDF (PBKDF2 with >= 600k iterations, scrypt, Argon2), or better, a
    /// Keystore-bound key unlocked by the user.
    ///
    /// ## False positives
    /// Non-security uses (cache keys, de-duplication, protocol-mandated MD5 such as Gravatar or
    /// HTTP Digest) are reported at medium in app code; review and suppress them.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0014: Testing the Configuration of Cryptographic Standard Algorithms;
    ///   MASWE-0021: Weak Hashing (the iOS beta test MASTG-TEST-0211 is its counterpart)
    /// - CWE-328: Use of Weak Hash; CWE-327
    pub WeakHash {
        id: "CRY-006",
        name: "weak-hash",
        title: "MD5 or SHA-1 hash or signature",
        severity: Medium,
        masvs: [Crypto1],
        mastg: ["MASTG-TEST-0014"],
        cwe: [328, 327],
        inputs: [Code],
    }
}

/// The weak digest a digest or signature algorithm name uses, if any.
pub(crate) fn weak_digest(alg: &str, signature: bool) -> Option<&'static str> {
    let a = alg.trim().to_ascii_uppercase().replace('-', "");
    let digest = if signature {
        a.split_once("WITH")
            .map_or(a.as_str(), |(d, _)| d)
            .to_string()
    } else {
        a
    };
    Some(match digest.as_str() {
        "MD2" => "MD2",
        "MD4" => "MD4",
        "MD5" => "MD5",
        "SHA1" | "SHA" => "SHA-1",
        _ => return None,
    })
}

impl Rule for WeakHash {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        for (class, what, signature) in [
            ("Ljava/security/MessageDigest;", "MessageDigest", false),
            ("Ljava/security/Signature;", "Signature", true),
        ] {
            for (site, (alg, at)) in code.calls_to(class, "getInstance").flat_map(|site| {
                string_args(code, &site, 0)
                    .into_iter()
                    .map(move |a| (site, a))
            }) {
                let Some(weak) = weak_digest(alg, signature) else {
                    continue;
                };
                let (severity, note) = if code.is_app_code(at.caller) {
                    (
                        Severity::Medium,
                        "review whether it protects anything (integrity, signatures, passwords)",
                    )
                } else {
                    (
                        Severity::Info,
                        "in a library; usually a cache key or checksum",
                    )
                };
                found.add(
                    severity,
                    at.caller,
                    at.offset,
                    &algorithm_call(&format!("{what}.getInstance"), alg, &site, &at),
                    &format!("{weak} is collision-broken; {note}"),
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
    fn digests() {
        assert_eq!(weak_digest("MD5", false), Some("MD5"));
        assert_eq!(weak_digest("sha-1", false), Some("SHA-1"));
        assert_eq!(weak_digest("SHA", false), Some("SHA-1"));
        assert_eq!(weak_digest("SHA-256", false), None);
        assert_eq!(weak_digest("SHA1withRSA", true), Some("SHA-1"));
        assert_eq!(weak_digest("MD5withRSA", true), Some("MD5"));
        assert_eq!(weak_digest("SHA256withECDSA", true), None);
        assert_eq!(weak_digest("SHA512", false), None);
    }
}

use mastiff_core::Severity;

use super::{const_origin_arg, CodeFindings};
use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Key material that is a constant in the app:
    /// - `new SecretKeySpec(key, alg)` (and the offset/length overload), `new DESKeySpec(key)`,
    ///   `new DESedeKeySpec(key)` whose `key` is an array literal, `"…".getBytes()`, a decoded
    ///   literal (`Base64.decode("…")`, a hex helper), a digest of a literal, a field only ever
    ///   assigned one of these, or such a constant passed in by the caller;
    /// - `new PBEKeySpec(password, …)` whose password is a literal (`"…".toCharArray()`).
    ///
    /// The value is never printed: messages show its first characters, length and a hash.
    ///
    /// ## Why it matters
    /// Anyone with the APK has the key: everything encrypted or authenticated with it, on every
    /// install, can be decrypted or forged. Decompiling an app takes minutes.
    ///
    /// ## How to fix
    /// Generate keys on the device in the Android Keystore (`KeyGenerator.getInstance("AES",
    /// "AndroidKeyStore")` with a `KeyGenParameterSpec`) so the key material never leaves secure
    /// hardware; derive keys from a user secret with PBKDF2 and a random salt when they must be
    /// reproducible. Secrets shared with a server belong on the server.
    ///
    /// ## False positives
    /// Keys used only to de-obfuscate bundled resources protect nothing and are still reported.
    /// Test keys in debug-only code are reported like any other. Findings in third-party
    /// libraries are labelled with the library.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0212: Use of Hardcoded Cryptographic Keys in Code
    /// - CWE-321: Use of Hard-coded Cryptographic Key
    pub HardcodedKey {
        id: "CRY-004",
        name: "hardcoded-crypto-key",
        title: "Hard-coded cryptographic key",
        severity: High,
        masvs: [Crypto2],
        mastg: ["MASTG-TEST-0212"],
        cwe: [321],
        inputs: [Code],
    }
}

/// `(class, key argument index, what)` of the key specs that take raw key material.
const SPECS: &[(&str, usize, &str)] = &[
    ("Ljavax/crypto/spec/SecretKeySpec;", 1, "new SecretKeySpec"),
    ("Ljavax/crypto/spec/DESKeySpec;", 1, "new DESKeySpec"),
    ("Ljavax/crypto/spec/DESedeKeySpec;", 1, "new DESedeKeySpec"),
    ("Ljavax/crypto/spec/PBEKeySpec;", 1, "new PBEKeySpec"),
];

impl Rule for HardcodedKey {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        for &(class, idx, what) in SPECS {
            for site in code.calls_to(class, "<init>") {
                let Some(ty) = site.callee.params().next() else {
                    continue;
                };
                let Some(origin) = const_origin_arg(code, site, idx, ty, 0) else {
                    continue;
                };
                let alg = code
                    .args(site)
                    .last()
                    .and_then(|a| a.as_str())
                    .filter(|_| class.ends_with("SecretKeySpec;"))
                    .map(|a| format!(" for {a}"))
                    .unwrap_or_default();
                found.add(
                    Severity::High,
                    site.caller,
                    site.offset,
                    &format!("{what}(<constant key>){alg}"),
                    &format!("the key is {}", origin.describe_redacted()),
                );
            }
        }
        found.emit(out);
    }
}

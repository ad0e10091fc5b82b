use mastiff_core::Severity;

use mastiff_code::ArgValue;

use super::{const_origin_arg, CodeFindings};
use crate::rule::{Rule, Sink};
use crate::rules::auth::words;
use crate::rules::redact;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Key material that is a constant in the app:
    /// - `new SecretKeySpec(key, alg)` (and the offset/length overload), `new DESKeySpec(key)`,
    ///   `new DESedeKeySpec(key)` whose `key` is an array literal, `"…".getBytes()`, a decoded
    ///   literal (`Base64.decode("…")`, a hex helper), a digest of a literal, a field only ever
    ///   assigned one of these, or such a constant passed in by the caller;
    /// - `new PBEKeySpec(password, …)` whose password is a literal (`"…".toCharArray()`);
    /// - a `static final` string or byte array named as a cipher key (`xorkey`, `AES_KEY`,
    ///   `encryptionKey`, `secretKey`: the word "key" with a cipher word) holding a constant of
    ///   8 characters or more, medium: its use is not followed (it may go to native code, or
    ///   through an XOR loop no key spec sees).
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
                let Some(origin) = const_origin_arg(code, &site, idx, ty, 0) else {
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
        super::report_static_fields(code, out, |f| {
            if f.access_flags & mastiff_formats::dex::access::FINAL == 0
                || !names_a_cipher_key(f.name)
            {
                return None;
            }
            let shown = match &f.value {
                ArgValue::Str(v) if key_like_text(v) => redact(v),
                ArgValue::Bytes(b) if b.len() >= 8 => format!("a {}-byte array", b.len()),
                _ => return None,
            };
            Some((Severity::Medium, shown, "a hard-coded cipher key".into()))
        });
    }
}

/// Words that make a `key` a cipher key.
const CIPHER_WORDS: &[&str] = &[
    "xor",
    "aes",
    "des",
    "crypt",
    "crypto",
    "cipher",
    "encryption",
    "encrypt",
    "decrypt",
    "secret",
    "hmac",
    "master",
    "private",
    "signing",
];

/// Whether a field name says it holds a cipher key: the word "key" next to a cipher word
/// (`AES_KEY`, `xorKey`, or run together: `xorkey`).
fn names_a_cipher_key(name: &str) -> bool {
    let w = words(name);
    let joined = w.concat();
    CIPHER_WORDS.iter().any(|c| {
        (w.iter().any(|x| x == "key") && w.iter().any(|x| x == c))
            || joined.contains(&format!("{c}key"))
    })
}

/// A constant that can be key material rather than a key's name: 8 to 512 ASCII characters,
/// no spaces, not a dotted, dashed or snake_case identifier or a URL.
fn key_like_text(v: &str) -> bool {
    let identifier = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        && v.contains(['_', '.', '-']);
    (8..=512).contains(&v.len())
        && v.is_ascii()
        && !v.contains(char::is_whitespace)
        && !v.contains("://")
        && !identifier
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cipher_key_names_and_values() {
        assert!(names_a_cipher_key("xorkey"));
        assert!(names_a_cipher_key("AES_KEY"));
        assert!(names_a_cipher_key("encryptionKey"));
        assert!(!names_a_cipher_key("KEY_PREF"));
        assert!(!names_a_cipher_key("apiKey"));
        assert!(!names_a_cipher_key("keyboard"));
        assert!(key_like_text("pizzapizzapizzapizzapizz"));
        assert!(key_like_text("0123456789abcdef"));
        assert!(!key_like_text("aes_key_alias"));
        assert!(!key_like_text("short"));
        assert!(!key_like_text("https://example.com/key"));
    }
}

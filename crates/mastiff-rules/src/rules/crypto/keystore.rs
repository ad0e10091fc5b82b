use mastiff_code::{ArgValue, CallSite, CodeIndex};
use mastiff_core::{Control, Severity};

use super::method_name;
use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Positive evidence for MASVS-CRYPTO-2: keys kept in the Android Keystore. Recorded, naming
    /// what was seen and where:
    /// - `KeyStore.getInstance("AndroidKeyStore")`;
    /// - `KeyGenerator.getInstance(alg, "AndroidKeyStore")`,
    ///   `KeyPairGenerator.getInstance(alg, "AndroidKeyStore")`;
    /// - `KeyGenParameterSpec.Builder.setUserAuthenticationRequired(true)` (also evidence for
    ///   MASVS-AUTH-2: the key is unusable until the user authenticates) and
    ///   `setIsStrongBoxBacked(true)`;
    /// - Jetpack Security (`EncryptedSharedPreferences`, `EncryptedFile`, `MasterKey`), whose
    ///   keys live in the Keystore.
    ///
    /// When the app's own code uses `javax.crypto` ciphers or key specs but nothing above is
    /// seen, an info finding says so: the keys then come from somewhere else (code, files,
    /// the server).
    ///
    /// ## Why it matters
    /// Keys in the Keystore (TEE or StrongBox) cannot be extracted even from a rooted device, and
    /// can be bound to user authentication; keys in app memory or files can.
    ///
    /// ## How to fix
    /// Generate keys with `KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES,
    /// "AndroidKeyStore")` and a `KeyGenParameterSpec`; use `setUserAuthenticationRequired(true)`
    /// for keys that protect user secrets and `setIsStrongBoxBacked(true)` where available.
    ///
    /// ## False positives
    /// Evidence says the Keystore is used, not that every key is in it: the other CRY rules report
    /// hard-coded keys and keys written to storage.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0015: Testing the Purposes of Keys; MASWE-0014
    /// - https://developer.android.com/privacy-and-security/keystore
    /// - CWE-320: Key Management Errors
    pub AndroidKeystore {
        id: "CRY-008",
        name: "android-keystore-use",
        title: "Android Keystore use (evidence)",
        severity: Info,
        masvs: [Crypto2],
        mastg: ["MASTG-TEST-0015"],
        cwe: [320],
        inputs: [Code],
    }
}

const KEY_STORE: &str = "AndroidKeyStore";

fn is_true(code: &CodeIndex, site: &CallSite) -> bool {
    code.arg(site, 1).and_then(ArgValue::as_int) == Some(1)
}

/// A few sites of an API are enough to show it is used.
fn first<'a>(it: impl Iterator<Item = CallSite<'a>>) -> Vec<CallSite<'a>> {
    it.take(3).collect()
}

fn where_(code: &CodeIndex, site: &CallSite) -> String {
    let m = method_name(code, site.caller);
    match code.library_of(super::class_of(code, site.caller)) {
        Some(lib) => format!("{m} (library {lib})"),
        None => m,
    }
}

impl Rule for AndroidKeystore {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut seen = 0usize;
        let mut record = |out: &mut Sink, control: Control, what: &str, site: &CallSite| {
            seen += 1;
            // One piece of evidence per API is enough to show it; list at most a few sites.
            out.evidence(
                control,
                format!("{what} in {}", where_(code, site)),
                vec![code.location(site.caller, site.offset)],
            );
        };
        for site in first(
            code.calls_to("Ljava/security/KeyStore;", "getInstance")
                .filter(|s| code.arg(s, 0).and_then(|a| a.as_str()) == Some(KEY_STORE)),
        ) {
            record(
                out,
                Control::Crypto2,
                "KeyStore.getInstance(\"AndroidKeyStore\")",
                &site,
            );
        }
        for (class, simple) in [
            ("Ljavax/crypto/KeyGenerator;", "KeyGenerator"),
            ("Ljava/security/KeyPairGenerator;", "KeyPairGenerator"),
        ] {
            for site in first(
                code.calls_to(class, "getInstance")
                    .filter(|s| code.arg(s, 1).and_then(|a| a.as_str()) == Some(KEY_STORE)),
            ) {
                let alg = code.arg(site, 0).and_then(|a| a.as_str()).unwrap_or("…");
                let what = format!("{simple}.getInstance(\"{alg}\", \"AndroidKeyStore\")");
                record(out, Control::Crypto2, &what, &site);
            }
        }
        let builder = "Landroid/security/keystore/KeyGenParameterSpec$Builder;";
        for site in first(
            code.calls_to(builder, "setUserAuthenticationRequired")
                .filter(|s| is_true(code, s)),
        ) {
            let what = "KeyGenParameterSpec.Builder.setUserAuthenticationRequired(true)";
            record(out, Control::Crypto2, what, &site);
            record(out, Control::Auth2, what, &site);
        }
        for site in first(
            code.calls_to(builder, "setIsStrongBoxBacked")
                .filter(|s| is_true(code, s)),
        ) {
            record(
                out,
                Control::Crypto2,
                "KeyGenParameterSpec.Builder.setIsStrongBoxBacked(true)",
                &site,
            );
        }
        for (class, what) in [
            (
                "Landroidx/security/crypto/EncryptedSharedPreferences;",
                "EncryptedSharedPreferences.create",
            ),
            (
                "Landroidx/security/crypto/EncryptedFile$Builder;",
                "new EncryptedFile.Builder",
            ),
        ] {
            let name = if what.starts_with("new ") {
                "<init>"
            } else {
                "create"
            };
            for site in first(code.calls_to(class, name)) {
                record(out, Control::Crypto2, what, &site);
            }
        }
        if seen > 0 {
            return;
        }
        // No Keystore: say so when the app's own code does symmetric crypto.
        let own_crypto = code
            .calls_to("Ljavax/crypto/Cipher;", "getInstance")
            .chain(code.calls_to("Ljavax/crypto/spec/SecretKeySpec;", "<init>"))
            .find(|s| code.is_app_code(s.caller));
        if let Some(site) = own_crypto {
            out.report_code(
                Severity::Info,
                format!(
                    "the app encrypts ({} in {}) but never uses the Android Keystore: its keys live in app memory, files or code",
                    super::short_call(&site.callee),
                    method_name(code, site.caller)
                ),
                vec![code.location(site.caller, site.offset)],
                None,
            );
        }
    }
}

use mastiff_code::ArgValue;
use mastiff_core::{Control, Severity};

use crate::rule::{Rule, Sink};
use crate::rules::crypto::{method_name, CodeFindings};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// How biometric authentication is bound to cryptography:
    /// - `BiometricPrompt.authenticate(promptInfo)` (AndroidX) or
    ///   `authenticate(cancellationSignal, executor, callback)` (platform) without a
    ///   `CryptoObject`: event-bound authentication, a boolean the app trusts (medium);
    /// - `FingerprintManager.authenticate(null, …)` (deprecated API, explicit null crypto
    ///   object) (medium);
    /// - `authenticate` with a non-null `CryptoObject` is positive evidence for MASVS-AUTH-2.
    ///
    /// ## Why it matters
    /// Without a CryptoObject, the result of the prompt is just a callback: on a rooted device
    /// Frida or Xposed calls `onAuthenticationSucceeded` and the app unlocks. With a CryptoObject
    /// wrapping a Keystore key created with `setUserAuthenticationRequired(true)`, the key itself
    /// only works after a real biometric match.
    ///
    /// ## How to fix
    /// Create a Keystore key with `setUserAuthenticationRequired(true)` (and
    /// `setInvalidatedByBiometricEnrollment(true)`), init a `Cipher` with it, and call
    /// `biometricPrompt.authenticate(promptInfo, new BiometricPrompt.CryptoObject(cipher))`; use
    /// the cipher in the success callback to decrypt what the authentication protects.
    ///
    /// Only calls in the app's own code are considered (the AndroidX library wraps the platform
    /// prompt and passes on what the app gave it).
    ///
    /// ## False positives
    /// Confirming a low-risk action (showing already-visible data) does not need a key; the
    /// event-bound prompt is still reported so the choice is explicit.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0018: Testing Biometric Authentication (Android); MASTG-TEST-0266
    ///   (event-bound biometric authentication, the iOS counterpart); MASWE-0044
    /// - CWE-287: Improper Authentication; CWE-603: Use of Client-Side Authentication
    pub Biometric {
        id: "AUTH-006",
        name: "event-bound-biometric",
        title: "Biometric authentication not bound to a Keystore key (no CryptoObject)",
        severity: Medium,
        masvs: [Auth2],
        mastg: ["MASTG-TEST-0018"],
        cwe: [287, 603],
        inputs: [Code],
    }
}

const PROMPTS: &[&str] = &[
    "Landroidx/biometric/BiometricPrompt;",
    "Landroid/hardware/biometrics/BiometricPrompt;",
    "Landroid/hardware/fingerprint/FingerprintManager;",
    "Landroidx/core/hardware/fingerprint/FingerprintManagerCompat;",
];

impl Rule for Biometric {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        let mut evidence = 0;
        for &class in PROMPTS {
            // Library internals (androidx.biometric wrapping the platform prompt) follow the
            // app's choice; only the app's own calls say what it chose.
            for site in code
                .calls_to(class, "authenticate")
                .filter(|s| code.is_app_code(s.caller))
            {
                let crypto_idx = site
                    .callee
                    .params()
                    .position(|p| p.ends_with("$CryptoObject;"))
                    .map(|i| i + 1);
                let simple = class
                    .rsplit('/')
                    .next()
                    .unwrap_or(class)
                    .trim_end_matches(';');
                match crypto_idx.and_then(|i| code.arg(site, i)) {
                    None => found.add(
                        Severity::Medium,
                        site.caller,
                        site.offset,
                        &format!("{simple}.authenticate without a CryptoObject"),
                        "the result is a callback that instrumentation can fake",
                    ),
                    Some(ArgValue::Null) => found.add(
                        Severity::Medium,
                        site.caller,
                        site.offset,
                        &format!("{simple}.authenticate(null crypto object, …)"),
                        "the result is a callback that instrumentation can fake",
                    ),
                    Some(_) => {
                        evidence += 1;
                        if evidence <= 3 {
                            out.evidence(
                                Control::Auth2,
                                format!(
                                    "{simple}.authenticate with a CryptoObject in {}",
                                    method_name(code, site.caller)
                                ),
                                vec![code.location(site.caller, site.offset)],
                            );
                        }
                    }
                }
            }
        }
        found.emit(out);
    }
}

use crate::rule::{Rule, Sink};
use crate::rules::{cert_location, unique_certificates};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// A signer certificate (any scheme) is the Android SDK debug certificate
    /// (`CN=Android Debug, O=Android, C=US`) or one of the public AOSP test keys (`testkey`,
    /// `platform`, `shared`, `media`...).
    ///
    /// ## Why it matters
    /// The debug keystore is created automatically on every developer machine and is not
    /// protected; the AOSP test keys' private keys are published in the Android source tree.
    /// Anyone can sign a modified build with the same key, so updates can be forged (on devices
    /// that accept the key) and the signature proves nothing about who built the app. It also
    /// shows the binary is a debug build rather than the release.
    ///
    /// ## How to fix
    /// Sign releases with a dedicated release key kept offline or in Play App Signing; never ship
    /// a build signed with `~/.android/debug.keystore` or a key from `build/target/product/security`.
    ///
    /// ## False positives
    /// None for a release binary; debug builds always show it.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0224 / MASVS-RESILIENCE-2
    /// - CWE-321: Use of Hard-coded Cryptographic Key
    /// - https://developer.android.com/studio/publish/app-signing
    pub DebugSigningKey {
        id: "RES-003",
        name: "debug-or-test-signing-key",
        title: "Signed with a debug or public test key",
        severity: High,
        masvs: [Resilience2],
        mastg: ["MASTG-TEST-0224"],
        cwe: [321],
        inputs: [Signing],
    }
}

impl Rule for DebugSigningKey {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(signing) = app.signing else { return };
        for (cert, schemes) in unique_certificates(signing) {
            let Some(known) = cert.known_key else {
                continue;
            };
            let what = if known == "android-debug" {
                "the Android SDK debug certificate".to_string()
            } else {
                format!("the public AOSP test key `{known}`")
            };
            out.report(
                format!(
                    "signed ({}) with {what}: subject {}",
                    schemes.join(", "),
                    cert.subject
                ),
                vec![cert_location(&schemes, cert)],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, cert, manifest, signing};
    use mastiff_formats::signing::Scheme;

    #[test]
    fn flags_debug_and_test_keys_once_per_certificate() {
        let m = manifest(30);
        let mut debug = cert("RSA", 2048);
        debug.known_key = Some("android-debug");
        let s = signing(&[(Scheme::V1, debug.clone()), (Scheme::V2, debug)]);
        let f = app_with(&m).signing(&s).run(&DebugSigningKey);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("v1, v2"), "{}", f[0].message);

        let release = signing(&[(Scheme::V2, cert("RSA", 3072))]);
        assert!(app_with(&m)
            .signing(&release)
            .run(&DebugSigningKey)
            .is_empty());
    }
}

use mastiff_code::ArgValue;
use mastiff_core::Severity;

use super::credential_kind;
use crate::rule::{Rule, Sink};
use crate::rules::crypto::{producer_of_arg, CodeFindings};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Passwords, PINs, tokens and other credentials written to plain `SharedPreferences`:
    /// `SharedPreferences.Editor.putString(key, value)` with a literal key whose words name a
    /// credential (`password`, `pwd`, `pin`, `token`, `access_token`, `secret`, `api key`,
    /// `credential`) and a value that is not a literal (a literal is a default, not the user's
    /// secret). High for passwords and PINs, medium for tokens and other secrets. When the value
    /// comes out of an encryption or hashing call in the same method it is medium and the
    /// message says so (the key then decides: see CRY-004/CRY-009). Methods that create
    /// `EncryptedSharedPreferences` are skipped.
    ///
    /// This is the authentication view of STO-002 (which covers every sensitive-looking key
    /// for MASVS-STORAGE-1): credentials and session tokens belong in Keystore-protected storage
    /// (MASVS-AUTH-1).
    ///
    /// ## Why it matters
    /// SharedPreferences are a plaintext XML file: backups, rooted devices and file-disclosure
    /// bugs hand over the user's password (often reused elsewhere) or a session token that
    /// logs the attacker in.
    ///
    /// ## How to fix
    /// Do not store passwords; keep a revocable token instead, in `EncryptedSharedPreferences`
    /// or encrypted with a Keystore key (optionally bound to user authentication).
    ///
    /// Libraries keeping their own tokens (push registration, analytics) are listed at info.
    ///
    /// ## False positives
    /// A key named like a credential may hold something harmless (`pin_length`); the editor may
    /// belong to encrypted preferences created in another method.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0287 (Sensitive Data Stored Unencrypted via the SharedPreferences API);
    ///   MASWE-0036 (Authentication Material Stored Unencrypted on the Device)
    /// - CWE-256: Plaintext Storage of a Password; CWE-312
    pub CredentialStorage {
        id: "AUTH-004",
        name: "credential-in-shared-preferences",
        title: "Password or session token stored in plain SharedPreferences",
        severity: High,
        masvs: [Auth1, Storage1],
        mastg: ["MASTG-TEST-0287"],
        cwe: [256, 312],
        inputs: [Code],
    }
}

impl Rule for CredentialStorage {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        for site in code.calls_to("Landroid/content/SharedPreferences$Editor;", "putString") {
            let Some(key) = code.arg(site, 1).and_then(ArgValue::as_str) else {
                continue;
            };
            let Some(kind) = credential_kind(key).filter(|_| key.len() <= 48) else {
                continue;
            };
            let value = code.arg(site, 2);
            if value.is_none_or(|v| v.is_constant()) {
                continue;
            }
            let encrypted_prefs = code
                .calls_in(site.caller)
                .iter()
                .any(|c| c.callee.class.contains("EncryptedSharedPreferences"));
            if encrypted_prefs {
                continue;
            }
            // Through an encryption or hash call?
            let through = producer_of_arg(code, &site, 2).and_then(|p| {
                let n = p.callee.name.to_ascii_lowercase();
                let protecting = ["encrypt", "cipher", "hash", "digest", "dofinal", "crypt"];
                protecting
                    .iter()
                    .any(|w| n.contains(w))
                    .then(|| crate::rules::crypto::short_call(&p.callee))
            });
            let (severity, detail) = match (&through, kind) {
                // A library's own session state (e.g. a push token) is its choice, not the
                // app's: listed, labelled, not failing the control.
                _ if !code.is_app_code(site.caller) => (Severity::Info, format!("a {kind} kept by a library")),
                (Some(call), _) => (
                    Severity::Medium,
                    format!("a {kind} protected by {call} in app code; where its key lives decides (see CRY-004)"),
                ),
                (None, "password" | "PIN") => (Severity::High, format!("a {kind} in a plaintext XML file")),
                (None, _) => (Severity::Medium, format!("a {kind} in a plaintext XML file")),
            };
            found.add(
                severity,
                site.caller,
                site.offset,
                &format!("SharedPreferences.Editor.putString(\"{key}\", …)"),
                &detail,
            );
        }
        found.emit(out);
    }
}

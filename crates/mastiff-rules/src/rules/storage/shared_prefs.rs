use std::collections::BTreeMap;

use mastiff_code::MethodId;
use mastiff_core::{Control, Severity};

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{
    library_of_method, method_calls, method_name, quote, report_hits, sensitive_word, Hit,
};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `SharedPreferences.Editor.putString/putInt/putLong/putFloat/putBoolean/putStringSet`
    /// called with a constant key whose name looks sensitive (`password`, `pin`, `token`,
    /// `secret`, `ssn`, `credit…`, `cvv`, `dob`, `health`, `credential`, `api key`...; whole
    /// words of the key, so `mapping` or `spinner` never match). One finding per method, naming
    /// the keys. Calls to `androidx.security.crypto.EncryptedSharedPreferences.create` (Jetpack
    /// Security) are recorded as positive evidence for MASVS-STORAGE-1; a method that creates
    /// encrypted preferences itself is not reported, and when the app uses encrypted preferences
    /// elsewhere the finding is lowered to low (the editor may belong to them). Known library
    /// code is labelled and low.
    ///
    /// ## Why it matters
    /// Shared preferences are an unencrypted XML file in the app's data directory. Backups,
    /// rooted devices, forensic tools and any bug that exposes the sandbox reveal passwords,
    /// tokens and health data stored there in clear.
    ///
    /// ## How to fix
    /// Do not store passwords at all (store a token with a limited lifetime); keep tokens and
    /// personal data in `EncryptedSharedPreferences` or encrypt them with a key held in the
    /// Android Keystore.
    ///
    /// ## False positives
    /// A key named like a secret may hold something harmless (`pin_enabled`, `token_expiry`);
    /// the value written is not inspected. Keys built at run time are not seen.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0287: Sensitive Data Stored Unencrypted via the SharedPreferences API
    /// - CWE-312: Cleartext Storage of Sensitive Information
    /// - https://developer.android.com/reference/androidx/security/crypto/EncryptedSharedPreferences
    pub SensitiveSharedPreferences {
        id: "STO-002",
        name: "sensitive-data-in-shared-preferences",
        title: "Sensitive-looking values written to plaintext SharedPreferences",
        severity: Medium,
        masvs: [Storage1],
        mastg: ["MASTG-TEST-0287"],
        cwe: [312],
        inputs: [Code],
    }
}

const EDITOR: &str = "Landroid/content/SharedPreferences$Editor;";
const PUTS: &[&str] = &[
    "putString",
    "putInt",
    "putLong",
    "putFloat",
    "putBoolean",
    "putStringSet",
];
const ENCRYPTED_PREFS: &str = "Landroidx/security/crypto/EncryptedSharedPreferences;";

impl Rule for SensitiveSharedPreferences {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let encrypted: Vec<_> = code.calls_to(ENCRYPTED_PREFS, "create").collect();
        for site in &encrypted {
            out.evidence(
                Control::Storage1,
                format!(
                    "EncryptedSharedPreferences.create in {}",
                    method_name(code, site.caller)
                ),
                vec![code.location(site.caller, site.offset)],
            );
        }
        // method → (first offset, keys and the words that matched)
        let mut by_method: BTreeMap<MethodId, (u32, Vec<String>)> = BTreeMap::new();
        for name in PUTS {
            for site in code.calls_to(EDITOR, name) {
                let Some(key) = code.arg(site, 1).and_then(|a| a.as_str()) else {
                    continue;
                };
                if sensitive_word(key).is_none()
                    || method_calls(code, site.caller, ENCRYPTED_PREFS, "create")
                {
                    continue;
                }
                let e = by_method
                    .entry(site.caller)
                    .or_insert((site.offset, Vec::new()));
                e.0 = e.0.min(site.offset);
                let shown = format!("{name}({})", quote(key));
                if !e.1.contains(&shown) {
                    e.1.push(shown);
                }
            }
        }
        let hits = by_method
            .into_iter()
            .map(|(m, (offset, keys))| {
                let library = library_of_method(code, m);
                let (severity, note) = if library.is_some() {
                    (Severity::Low, "")
                } else if encrypted.is_empty() {
                    (Severity::Medium, "")
                } else {
                    (
                        Severity::Low,
                        " (the app also uses EncryptedSharedPreferences: check which file this editor writes)",
                    )
                };
                Hit {
                    severity,
                    message: format!(
                        "SharedPreferences.Editor.{} in {}: sensitive-looking value stored in plaintext preferences{note}",
                        keys.join(", "),
                        method_name(code, m)
                    ),
                    locations: vec![code.location(m, offset)],
                    library,
                }
            })
            .collect();
        report_hits(out, hits);
    }
}

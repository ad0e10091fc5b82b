use mastiff_code::{ArgValue, CallSite, CodeIndex, InvokeKind};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::crypto::{producer_of_arg, CodeFindings};
use crate::rules::redact;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// What the user typed compared with a literal: `String.equals`, `equalsIgnoreCase`,
    /// `contentEquals`, `TextUtils.equals` or `Objects.equals` where one side is a string
    /// literal (3 characters or more) and the other is the text of an input field in the same
    /// method (`editText.getText().toString()`, optionally `.trim()`). That is a password, PIN
    /// or key checked against a value built into the app.
    ///
    /// ## Why it matters
    /// A credential compared in the app is in the app: anyone reads it from the APK (or patches
    /// the comparison) and gets in. Developer back doors ("if user == devadmin") are the same
    /// mistake.
    ///
    /// ## How to fix
    /// Verify credentials on the server. For a local PIN, derive a key from it (PBKDF2 with a
    /// random salt) or use a Keystore key bound to user authentication; never compare to a
    /// constant.
    ///
    /// ## False positives
    /// Comparing input with a command word ("yes", "quit") is reported when the word has three or
    /// more characters; the literal is redacted in the message either way.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0017 (Testing Confirm Credentials); MASWE-0036 (Authentication
    ///   Material Stored Unencrypted) / MASWE-0005
    /// - CWE-798: Use of Hard-coded Credentials; CWE-912: Hidden Functionality
    pub Backdoor {
        id: "AUTH-003",
        name: "input-compared-with-literal",
        title: "User input compared with a hard-coded credential",
        severity: High,
        masvs: [Auth1],
        mastg: ["MASTG-TEST-0017"],
        cwe: [798, 912],
        inputs: [Code],
    }
}

/// Whether argument `idx` of `site` is the text of an input field: `getText()` of a view,
/// through `toString()`/`trim()`/`toLowerCase()`.
fn is_user_text(code: &CodeIndex, site: &CallSite, idx: usize, depth: u32) -> bool {
    if depth > 4 {
        return false;
    }
    let Some(p) = producer_of_arg(code, site, idx) else {
        return false;
    };
    match p.callee.name {
        "getText" => {
            let c = p.callee.class;
            c.starts_with("Landroid/widget/") || c.contains("TextInput") || c.contains("EditText")
        }
        "toString" | "trim" | "toLowerCase" | "toUpperCase" | "strip" => {
            is_user_text(code, &p, 0, depth + 1)
        }
        _ => false,
    }
}

impl Rule for Backdoor {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found = CodeFindings::new(code);
        let comparisons = ["equals", "equalsIgnoreCase", "contentEquals"]
            .iter()
            .flat_map(|n| code.calls_to("Ljava/lang/String;", n))
            .chain(code.calls_to("Landroid/text/TextUtils;", "equals"))
            .chain(code.calls_to("Ljava/util/Objects;", "equals"))
            .chain(code.calls_to("Lkotlin/jvm/internal/Intrinsics;", "areEqual"));
        for site in comparisons {
            // Cheap checks first: a literal and an input field's text in the same method.
            if !code.may_pass_strings(site.caller)
                || !code
                    .calls_in(site.caller)
                    .iter()
                    .any(|c| c.callee.name == "getText")
            {
                continue;
            }
            let args = code.args(site);
            if args.len() != 2 || (site.kind != InvokeKind::Static && args.is_empty()) {
                continue;
            }
            for (lit_i, other_i) in [(0usize, 1usize), (1, 0)] {
                let Some(lit) = args.get(lit_i).and_then(ArgValue::as_str) else {
                    continue;
                };
                if lit.chars().count() < 3 || !is_user_text(code, &site, other_i, 0) {
                    continue;
                }
                found.add(
                    Severity::High,
                    site.caller,
                    site.offset,
                    &format!("input text compared with {}", redact(lit)),
                    "a credential built into the app",
                );
            }
        }
        found.emit(out);
    }
}

use mastiff_code::{CallSite, CodeIndex};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{
    calls_before, fragments_before, library_of_method, method_name, quote, reads_text_field,
    report_hits, sensitive_word, Hit,
};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Copies to the clipboard: `ClipboardManager.setPrimaryClip` and the deprecated `setText`.
    /// Low when what is copied looks sensitive: a `ClipData.newPlainText` label or a constant
    /// fragment in the same method names a secret (`password`, `token`, `card number`...), or
    /// the copied text comes from a text field read just before. Other copies in app code are
    /// informational.
    ///
    /// ## Why it matters
    /// The clipboard is shared: other apps could read it in the background before Android 10,
    /// keyboards and clipboard managers keep a history, and on Android 13+ the copied text is
    /// shown in a system preview unless marked sensitive.
    ///
    /// ## How to fix
    /// Do not copy secrets; if the user must copy one, mark the clip sensitive
    /// (`ClipDescription.EXTRA_IS_SENSITIVE`) and clear it after a short time
    /// (`clearPrimaryClip()`); disable copy on password fields.
    ///
    /// ## False positives
    /// Copy buttons for public data (links, order numbers) are reported as informational only.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0001 (MASVS-STORAGE-2), MASWE-0053: Sensitive Data Leaked via the
    ///   User Interface
    /// - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    /// - https://developer.android.com/develop/ui/views/touch-and-input/copy-paste#SensitiveContent
    pub ClipboardCopy {
        id: "STO-008",
        name: "clipboard-copy",
        title: "Sensitive-looking data copied to the clipboard",
        severity: Low,
        masvs: [Storage2],
        mastg: ["MASTG-TEST-0001"],
        cwe: [200],
        inputs: [Code],
    }
}

fn is_clip_call(c: &CallSite) -> bool {
    matches!(
        (c.callee.class, c.callee.name),
        ("Landroid/content/ClipboardManager;", "setPrimaryClip")
            | ("Landroid/content/ClipboardManager;", "setText")
            | ("Landroid/text/ClipboardManager;", "setText")
    )
}

fn sensitive_reason(code: &CodeIndex, site: &CallSite) -> Option<String> {
    let before = calls_before(code, site, is_clip_call);
    for c in &before {
        if c.callee.class == "Landroid/content/ClipData;" && c.callee.name.starts_with("new") {
            if let Some(label) = code.args(*c).first().and_then(|a| a.as_str()) {
                if sensitive_word(label).is_some() {
                    return Some(format!("clip labelled {}", quote(label)));
                }
            }
        }
    }
    if let Some(f) = fragments_before(code, site, is_clip_call)
        .into_iter()
        .find(|f| sensitive_word(f).is_some())
    {
        return Some(format!("near the constant {}", quote(f)));
    }
    before
        .into_iter()
        .any(|c| reads_text_field(&c))
        .then(|| "text read from a text field (getText())".to_string())
}

impl Rule for ClipboardCopy {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = Vec::new();
        for (class, name) in [
            ("Landroid/content/ClipboardManager;", "setPrimaryClip"),
            ("Landroid/content/ClipboardManager;", "setText"),
            ("Landroid/text/ClipboardManager;", "setText"),
        ] {
            for site in code.calls_to(class, name) {
                let reason = sensitive_reason(code, &site);
                if reason.is_none() && !code.is_app_code(site.caller) {
                    continue;
                }
                let where_ = method_name(code, site.caller);
                let (severity, message) = match reason {
                    Some(why) => (
                        Severity::Low,
                        format!("ClipboardManager.{name} in {where_}: {why}"),
                    ),
                    None => (
                        Severity::Info,
                        format!("ClipboardManager.{name} in {where_}: check that nothing sensitive is copied"),
                    ),
                };
                hits.push(Hit {
                    severity,
                    message,
                    locations: vec![code.location(site.caller, site.offset)],
                    library: library_of_method(code, site.caller),
                });
            }
        }
        report_hits(out, hits);
    }
}

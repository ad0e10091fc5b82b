use mastiff_code::{java_type_name, ArgValue};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{class_of, method_label, CodeHits};
use crate::rules::platform::ipc::{exported_components, outer_class};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// An Intent taken out of an incoming Intent (`getParcelableExtra(..)`,
    /// `Bundle.getParcelable(..)`) passed straight to `startActivity`,
    /// `startActivityForResult`, `startService`, `bindService` or `sendBroadcast` in the same
    /// method: high in a class of an exported component (or its inner classes), medium
    /// otherwise.
    ///
    /// ## Why it matters
    /// The app starts whatever Intent the sender put in the extra, with the app's identity:
    /// another app can reach the app's non-exported components and content providers (and,
    /// with URI grant flags, read its private files). This is "intent redirection", one of the
    /// most common Android app vulnerabilities.
    ///
    /// ## How to fix
    /// Do not forward Intents received from other apps. If you must, check
    /// `getCallingActivity()`/the component it targets against an allow-list, strip
    /// `FLAG_GRANT_*` flags, or use a `PendingIntent` created by the trusted party instead.
    ///
    /// ## False positives
    /// A check between reading and starting (for example on the target component) is not
    /// seen. Intents reaching the start call through fields or other methods are not
    /// followed.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0029: Testing for Sensitive Functionality Exposure Through IPC
    /// - CWE-940: Improper Verification of Source of a Communication Channel
    /// - CWE-926: Improper Export of Android Application Components
    /// - https://developer.android.com/privacy-and-security/risks/intent-redirection
    pub IntentRedirection {
        id: "PLT-012",
        name: "intent-redirection",
        title: "Intent from an extra is started (intent redirection)",
        severity: High,
        masvs: [Platform1],
        mastg: ["MASTG-TEST-0029"],
        cwe: [940, 926],
        inputs: [Manifest, Code],
    }
}

const STARTERS: &[&str] = &[
    "startActivity",
    "startActivityForResult",
    "startActivityIfNeeded",
    "startService",
    "startForegroundService",
    "bindService",
    "sendBroadcast",
];

impl Rule for IntentRedirection {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let exported = exported_components(app);
        let mut hits = CodeHits::default();
        for name in STARTERS {
            for s in code.calls_to_method_named(name) {
                let Some(ArgValue::ReturnOf(m)) = code.arg(s, 1) else {
                    continue;
                };
                let from_extra = match &*m.class {
                    "Landroid/content/Intent;" => m.name.starts_with("getParcelableExtra"),
                    "Landroid/os/Bundle;" => m.name.starts_with("getParcelable"),
                    _ => false,
                };
                if !from_extra {
                    continue;
                }
                let outer = outer_class(class_of(code, s.caller));
                let (severity, note) = if exported.contains(&outer) {
                    (
                        Severity::High,
                        format!(" ({} is exported)", java_type_name(&outer)),
                    )
                } else {
                    (Severity::Medium, String::new())
                };
                hits.add(
                    code,
                    s.caller,
                    s.offset,
                    "redirect",
                    severity,
                    format!(
                        "{name}(the Intent from {}.{}) in {}{note}",
                        java_type_name(&m.class),
                        m.name,
                        method_label(code, s.caller)
                    ),
                );
            }
        }
        hits.emit(code, out);
    }
}

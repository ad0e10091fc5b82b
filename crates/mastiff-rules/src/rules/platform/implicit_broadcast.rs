use mastiff_code::ArgValue;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{method_label, CodeHits};
use crate::rules::platform::ipc::{intent_shape, is_new_intent};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `sendBroadcast` / `sendOrderedBroadcast` / `sendStickyBroadcast` of an Intent the same
    /// method builds implicitly (`new Intent(action)`, no `setClass`/`setComponent`/
    /// `setPackage`) and fills with data (`putExtra`, `putExtras`, `setData`), without a
    /// receiver permission. `LocalBroadcastManager` (in-process) is not reported.
    ///
    /// ## Why it matters
    /// Any installed app can register a receiver for the action and read the extras: tokens,
    /// passwords, personal data. Ordered broadcasts can also be intercepted and changed.
    ///
    /// ## How to fix
    /// Make the Intent explicit (`setPackage(getPackageName())` or a component), send it with a
    /// `signature` permission, or use an in-process mechanism for in-app events.
    ///
    /// ## False positives
    /// The Intent is traced within one method; when a method builds an implicit Intent for a
    /// broadcast and an explicit one for something else, it is not reported. What the extras
    /// hold is not known: a broadcast of harmless data is reported too.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0026: Testing Implicit Intents
    /// - CWE-927: Use of Implicit Intent for Sensitive Communication
    /// - https://developer.android.com/privacy-and-security/risks/implicit-intent-hijacking
    pub ImplicitBroadcast {
        id: "PLT-011",
        name: "implicit-broadcast-with-data",
        title: "Implicit broadcast carries data",
        severity: Medium,
        masvs: [Platform1],
        mastg: ["MASTG-TEST-0026"],
        cwe: [927],
        inputs: [Code],
    }
}

const SENDERS: &[&str] = &[
    "sendBroadcast",
    "sendOrderedBroadcast",
    "sendStickyBroadcast",
    "sendBroadcastAsUser",
];

impl Rule for ImplicitBroadcast {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = CodeHits::default();
        for name in SENDERS {
            for s in code.calls_to_method_named(name) {
                if s.callee.class.contains("LocalBroadcastManager")
                    || !s.callee.descriptor.starts_with("(Landroid/content/Intent;")
                    || !is_new_intent(code.arg(s, 1))
                {
                    continue;
                }
                // sendBroadcast(intent, receiverPermission) with a permission is protected.
                if s.callee
                    .descriptor
                    .starts_with("(Landroid/content/Intent;Ljava/lang/String;")
                    && !matches!(code.arg(s, 2), Some(ArgValue::Null))
                {
                    continue;
                }
                let shape = intent_shape(code, s.caller);
                if !shape.implicit() || !shape.carries_data {
                    continue;
                }
                hits.add(
                    code,
                    s.caller,
                    s.offset,
                    "implicit-broadcast",
                    Severity::Medium,
                    format!(
                        "{name} of an implicit Intent with extras/data in {}: any app can receive it",
                        method_label(code, s.caller)
                    ),
                );
            }
        }
        hits.emit(code, out);
    }
}

use mastiff_code::{ArgValue, CallSite, CodeIndex};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{method_label, CodeHits};
use crate::rules::platform::ipc::{intent_shape, is_new_intent};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `PendingIntent.getActivity` / `getActivities` / `getService` / `getForegroundService`
    /// / `getBroadcast` with constant flags that lack `FLAG_IMMUTABLE` (`0x04000000`), in apps
    /// targeting API 23 or later (where the flag exists):
    /// - high when the base Intent in the same method is implicit (`new Intent(action)` or
    ///   `new Intent(action, uri)` with no `setClass`/`setClassName`/`setComponent`/
    ///   `setPackage`): whoever receives the PendingIntent can redirect it to any component
    ///   and fill it with its own data, with the app's identity and permissions;
    /// - low otherwise (mutable, explicit or unknown base Intent).
    ///
    /// Flags computed at run time (e.g. depending on `Build.VERSION.SDK_INT`) are not
    /// reported. With targetSdk 31+ a PendingIntent with neither `FLAG_IMMUTABLE` nor
    /// `FLAG_MUTABLE` throws on Android 12+ but is mutable on older devices: reported unless
    /// minSdk is 31 or more.
    ///
    /// ## Why it matters
    /// A mutable PendingIntent can be modified by the app it is handed to (a notification
    /// listener, a widget host, another app through an implicit broadcast). An implicit one
    /// can be resolved to an attacker's component. Together they let another app act as this
    /// one (CVE-2020-0188-style privilege escalations, access to private providers through
    /// URI grants).
    ///
    /// ## How to fix
    /// Pass `PendingIntent.FLAG_IMMUTABLE`, and build the base Intent explicitly
    /// (`new Intent(context, Target.class)` or `setPackage`). Use `FLAG_MUTABLE` only when a
    /// trusted receiver must fill in data (inline reply, bubbles), and then with an explicit
    /// Intent.
    ///
    /// ## False positives
    /// The base Intent is only traced within the method that creates the PendingIntent; an
    /// Intent made explicit elsewhere is reported as unknown (low).
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0030: Testing for Vulnerable Implementation of PendingIntent
    /// - CWE-927: Use of Implicit Intent for Sensitive Communication
    /// - https://developer.android.com/privacy-and-security/risks/pending-intent
    pub MutablePendingIntent {
        id: "PLT-009",
        name: "mutable-pending-intent",
        title: "Mutable or implicit PendingIntent",
        severity: High,
        masvs: [Platform1],
        mastg: ["MASTG-TEST-0030"],
        cwe: [927],
        inputs: [Manifest, Code],
    }
}

const FLAG_IMMUTABLE: i64 = 0x0400_0000;
const FLAG_MUTABLE: i64 = 0x0200_0000;

const FACTORIES: &[&str] = &[
    "getActivity",
    "getActivities",
    "getService",
    "getForegroundService",
    "getBroadcast",
];

/// Whether the method that builds the PendingIntent creates its base Intent implicitly.
fn implicit_base_intent(code: &CodeIndex, site: &CallSite) -> bool {
    is_new_intent(code.arg(site, 2)) && intent_shape(code, site.caller).implicit()
}

impl Rule for MutablePendingIntent {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let (Some(code), Some(m)) = (app.code, app.manifest) else {
            return;
        };
        if m.target_sdk < 23 {
            return;
        }
        let mut hits = CodeHits::default();
        for name in FACTORIES {
            for s in code.calls_to("Landroid/app/PendingIntent;", name) {
                let Some(flags) = code.arg(s, 3).and_then(ArgValue::as_int) else {
                    continue;
                };
                if flags & FLAG_IMMUTABLE != 0 {
                    continue;
                }
                let mutable = if flags & FLAG_MUTABLE != 0 {
                    "FLAG_MUTABLE"
                } else if m.target_sdk >= 31 {
                    // Android 12+ refuses such a PendingIntent; older devices make it mutable.
                    if m.min_sdk >= 31 {
                        continue;
                    }
                    "neither FLAG_IMMUTABLE nor FLAG_MUTABLE: refused on Android 12+, mutable on older devices"
                } else {
                    "no FLAG_IMMUTABLE"
                };
                let (severity, what) = if implicit_base_intent(code, &s) {
                    (Severity::High, "mutable and its base Intent is implicit")
                } else {
                    (Severity::Low, "mutable")
                };
                hits.add(
                    code,
                    s.caller,
                    s.offset,
                    if severity == Severity::High {
                        "implicit"
                    } else {
                        "mutable"
                    },
                    severity,
                    format!(
                        "PendingIntent.{name}(.., flags 0x{flags:x}: {mutable}) in {} is {what}",
                        method_label(code, s.caller)
                    ),
                );
            }
        }
        hits.emit(code, out);
    }
}

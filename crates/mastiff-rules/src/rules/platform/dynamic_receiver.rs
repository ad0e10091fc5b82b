use mastiff_code::ArgValue;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `registerReceiver(receiver, filter)` (or with a `null` permission, or with flags
    /// lacking `RECEIVER_NOT_EXPORTED`) in a method whose `IntentFilter` actions, as far as
    /// they are constants, include an app-defined action (not `android.*`): such a receiver
    /// is reachable by every app. One finding per method, naming the actions.
    ///
    /// Receivers for system broadcasts only (`android.intent.action.*`,
    /// `android.net.*`, ...) are not reported: only the system can send those.
    ///
    /// ## Why it matters
    /// A dynamically registered receiver is exported unless registered with
    /// `RECEIVER_NOT_EXPORTED` or a permission: any app can send it Intents with forged
    /// extras, triggering the app's logic with attacker-chosen data.
    ///
    /// ## How to fix
    /// Register with `ContextCompat.RECEIVER_NOT_EXPORTED` (API 33+:
    /// `Context.RECEIVER_NOT_EXPORTED`), or pass a `signature` permission, or use an explicit
    /// in-process mechanism.
    ///
    /// ## False positives
    /// Filters built from actions not visible as constants are reported as "actions not
    /// visible" at low severity.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0029: Testing for Sensitive Functionality Exposure Through IPC
    /// - CWE-925: Improper Verification of Intent by Broadcast Receiver
    /// - https://developer.android.com/develop/background-work/background-tasks/broadcasts#context-registered-receivers
    pub UnprotectedDynamicReceiver {
        id: "PLT-013",
        name: "unprotected-dynamic-receiver",
        title: "Dynamically registered receiver reachable by any app",
        severity: Medium,
        masvs: [Platform1],
        mastg: ["MASTG-TEST-0029"],
        cwe: [925, 926],
        inputs: [Code],
    }
}

/// `Context.RECEIVER_NOT_EXPORTED`.
const RECEIVER_NOT_EXPORTED: i64 = 0x4;

/// Action prefixes only the platform may send (protected broadcasts).
fn is_system_action(action: &str) -> bool {
    action.starts_with("android.") || action.starts_with("com.android.")
}

impl Rule for UnprotectedDynamicReceiver {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = CodeHits::default();
        for s in code.calls_to_method_named("registerReceiver") {
            let d = s.callee.descriptor;
            if !d.starts_with("(Landroid/content/BroadcastReceiver;Landroid/content/IntentFilter;")
            {
                continue;
            }
            let protected = match code.arg(s, 3) {
                // (receiver, filter)
                None => false,
                // (receiver, filter, flags)
                Some(a) if d.contains("IntentFilter;I)") => {
                    a.as_int().is_none_or(|f| f & RECEIVER_NOT_EXPORTED != 0)
                }
                // (receiver, filter, permission, handler[, flags])
                Some(a) => !matches!(a, ArgValue::Null),
            };
            if protected {
                continue;
            }
            let mut actions: Vec<&str> = Vec::new();
            let mut unknown = false;
            for c in code.calls_in(s.caller).iter().filter(|c| {
                c.callee.class == "Landroid/content/IntentFilter;"
                    && (c.callee.name == "addAction"
                        || (c.callee.name == "<init>"
                            && c.callee.descriptor.starts_with("(Ljava/lang/String;")))
            }) {
                match code.arg(c, 1).and_then(ArgValue::as_str) {
                    Some(a) if !actions.contains(&a) => actions.push(a),
                    Some(_) => {}
                    None => unknown = true,
                }
            }
            let custom: Vec<&str> = actions
                .iter()
                .copied()
                .filter(|a| !is_system_action(a))
                .collect();
            let (severity, what) = if !custom.is_empty() {
                (
                    Severity::Medium,
                    format!("app-defined action(s) {}", custom.join(", ")),
                )
            } else if unknown || actions.is_empty() {
                (
                    Severity::Low,
                    "actions not visible as constants".to_string(),
                )
            } else {
                continue;
            };
            hits.add(
                code,
                s.caller,
                s.offset,
                "receiver",
                severity,
                format!(
                    "registerReceiver without permission or RECEIVER_NOT_EXPORTED in {} for {what}: any app can send to it",
                    method_label(code, s.caller)
                ),
            );
        }
        hits.emit(code, out);
    }
}

use mastiff_core::{Control, Severity};

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{method_name, quote};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Whether the app can force users onto a new version (MASTG-TEST-0036):
    /// - positive evidence for MASVS-CODE-2: Play in-app updates with
    ///   `AppUpdateType.IMMEDIATE` (1) passed to `AppUpdateManager.startUpdateFlowForResult` /
    ///   `startUpdateFlow`, to `AppUpdateOptions.newBuilder(1)` / `defaultOptions(1)` or checked
    ///   with `AppUpdateInfo.isUpdateTypeAllowed(1)`;
    /// - low: the in-app update API is used, but only with `FLEXIBLE` (the user can decline);
    /// - low: no update mechanism at all. If the app's own code holds strings such as
    ///   `force_update` or `min_version` (a server-driven check), the finding is informational
    ///   and names them, to be verified by hand.
    ///
    /// ## Why it matters
    /// When a vulnerability is found in a released version, the fix only protects users who
    /// install it. Without an enforced update, vulnerable versions stay in use indefinitely;
    /// regulators of connected medical devices expect a way to retire them.
    ///
    /// ## How to fix
    /// Check `AppUpdateManager.getAppUpdateInfo()` at start-up and start an `IMMEDIATE` update
    /// when the installed version is below the minimum supported one, or enforce a minimum
    /// version from the backend (refuse service and send the user to the store).
    ///
    /// ## False positives
    /// Server-side enforcement (the API rejects old versions) is invisible in the APK; apps
    /// distributed through an MDM or another store update differently.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0036: Testing Enforced Updating
    /// - CWE-1277: Firmware Not Updateable
    /// - https://developer.android.com/guide/playcore/in-app-updates
    pub ForcedUpdate {
        id: "CODE-007",
        name: "no-enforced-update",
        title: "No enforced app update mechanism",
        severity: Low,
        masvs: [Code2],
        mastg: ["MASTG-TEST-0036"],
        cwe: [1277],
        inputs: [Code],
    }
}

const MANAGER: &str = "Lcom/google/android/play/core/appupdate/AppUpdateManager;";
const OPTIONS: &str = "Lcom/google/android/play/core/appupdate/AppUpdateOptions;";
const INFO: &str = "Lcom/google/android/play/core/appupdate/AppUpdateInfo;";
const IMMEDIATE: i64 = 1;

/// Strings that suggest a server-driven minimum-version check in the app's own code.
const CUSTOM_HINTS: &[&str] = &[
    "force_update",
    "force-update",
    "forced_update",
    "mandatory_update",
    "update_required",
    "min_version",
    "minimum_version",
    "min_supported_version",
    "minimum_supported_version",
];

impl Rule for ForcedUpdate {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut immediate = Vec::new();
        let mut api_used = false;
        let int_args = |site: &mastiff_code::CallSite| -> Vec<i64> {
            code.args(site).iter().filter_map(|a| a.as_int()).collect()
        };
        for name in ["startUpdateFlowForResult", "startUpdateFlow"] {
            for site in code.calls_to(MANAGER, name) {
                api_used = true;
                // (info, int type, ..) — the type is the argument after `this` and the info.
                if code.arg(site, 2).and_then(|a| a.as_int()) == Some(IMMEDIATE) {
                    immediate.push((
                        site,
                        format!("AppUpdateManager.{name}(.., AppUpdateType.IMMEDIATE, ..)"),
                    ));
                }
            }
        }
        for name in ["newBuilder", "defaultOptions"] {
            for site in code.calls_to(OPTIONS, name) {
                api_used = true;
                if int_args(&site).first() == Some(&IMMEDIATE) {
                    immediate.push((
                        site,
                        format!("AppUpdateOptions.{name}(AppUpdateType.IMMEDIATE)"),
                    ));
                }
            }
        }
        for site in code.calls_to(INFO, "isUpdateTypeAllowed") {
            api_used = true;
            if code.arg(site, 1).and_then(|a| a.as_int()) == Some(IMMEDIATE) {
                immediate.push((
                    site,
                    "AppUpdateInfo.isUpdateTypeAllowed(AppUpdateType.IMMEDIATE)".to_string(),
                ));
            }
        }
        api_used |= code.calls_to(MANAGER, "getAppUpdateInfo").next().is_some();
        for (site, what) in &immediate {
            out.evidence(
                Control::Code2,
                format!(
                    "{what} in {}: Play in-app update that the user cannot skip",
                    method_name(code, site.caller)
                ),
                vec![code.location(site.caller, site.offset)],
            );
        }
        if !immediate.is_empty() {
            return;
        }
        if api_used {
            out.report(
                "Play in-app updates are used, but never with AppUpdateType.IMMEDIATE: users can decline or postpone updates",
                Vec::new(),
            );
            return;
        }
        let hints: Vec<_> = code
            .string_uses()
            .filter(|s| {
                let l = s.value.to_ascii_lowercase();
                l.len() < 64
                    && CUSTOM_HINTS.iter().any(|h| l.contains(h))
                    && code.is_app_code(s.method)
            })
            .take(5)
            .collect();
        if hints.is_empty() {
            out.report(
                "no update enforcement seen: no Play in-app update API (AppUpdateManager) and no minimum-version check strings in the app's code",
                Vec::new(),
            );
        } else {
            let shown: Vec<String> = hints
                .iter()
                .map(|s| format!("{} in {}", quote(s.value), method_name(code, s.method)))
                .collect();
            out.report_at(
                Severity::Info,
                format!(
                    "no Play in-app update API; the app's code holds {}: possibly a server-driven forced update, verify by hand",
                    shown.join(", ")
                ),
                hints.iter().map(|s| code.location(s.method, s.offset)).collect(),
            );
        }
    }
}

use mastiff_android::{ComponentKind, LaunchMode};

use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// The app targets API 27 or lower and has an activity with `launchMode` `singleTask` or
    /// `singleInstance` whose `taskAffinity` is not set to the empty string: the conditions of
    /// task hijacking (StrandHogg 1.0).
    ///
    /// ## Why it matters
    /// A malicious app can declare an activity with the victim's task affinity; when the user
    /// opens the victim app, Android brings the attacker's activity to the front in the victim's
    /// task, where it can phish credentials while looking like the real app. Android 9 (API 28)
    /// changed how such activities are placed for apps targeting it.
    ///
    /// ## How to fix
    /// Target API 28 or later, and set `android:taskAffinity=""` on the application or on
    /// activities that use `singleTask`/`singleInstance`.
    ///
    /// ## False positives
    /// Apps with no sensitive screens. StrandHogg 2.0 (CVE-2020-0096) is a platform bug fixed by
    /// the May 2020 patch and is not judged here.
    ///
    /// ## References
    /// - OWASP MASVS-PLATFORM-1
    /// - CWE-1021: Improper Restriction of Rendered UI Layers or Frames
    /// - https://developer.android.com/privacy-and-security/risks/strandhogg
    pub TaskHijacking {
        id: "PLT-004",
        name: "task-hijacking",
        title: "Activity open to task hijacking (StrandHogg)",
        severity: Medium,
        masvs: [Platform1],
        mastg: [],
        cwe: [1021],
        inputs: [Manifest],
    }
}

impl Rule for TaskHijacking {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        if m.target_sdk >= 28 {
            return;
        }
        let app_affinity_empty = m.application.task_affinity.as_deref() == Some("");
        for c in m
            .components
            .iter()
            .filter(|c| c.kind == ComponentKind::Activity)
        {
            let mode = match c.launch_mode {
                Some(LaunchMode::SingleTask) => "singleTask",
                Some(LaunchMode::SingleInstance) => "singleInstance",
                _ => continue,
            };
            let affinity_empty = match c.task_affinity.as_deref() {
                Some(a) => a.is_empty(),
                None => app_affinity_empty,
            };
            if affinity_empty {
                continue;
            }
            let affinity = c
                .task_affinity
                .clone()
                .unwrap_or_else(|| "the package name (default)".into());
            out.report(
                format!(
                    "activity {} uses launchMode {mode} with taskAffinity {affinity} and targetSdk {} < 28",
                    c.name, m.target_sdk
                ),
                vec![manifest_location(app, &c.element, Some("android:launchMode"))],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, component, manifest};

    #[test]
    fn single_task_below_28_without_empty_affinity() {
        let mut m = manifest(27);
        let mut a = component(ComponentKind::Activity, "com.x.Login", false);
        a.launch_mode = Some(LaunchMode::SingleTask);
        m.components.push(a.clone());
        assert_eq!(app_with(&m).run(&TaskHijacking).len(), 1);

        let mut safe = m.clone();
        safe.components[0].task_affinity = Some(String::new());
        assert!(app_with(&safe).run(&TaskHijacking).is_empty());

        let mut modern = m.clone();
        modern.target_sdk = 28;
        assert!(app_with(&modern).run(&TaskHijacking).is_empty());

        let mut app_level = m;
        app_level.application.task_affinity = Some(String::new());
        assert!(app_with(&app_level).run(&TaskHijacking).is_empty());
    }
}

use mastiff_android::{Component, ComponentKind, ExportReason};

use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Activities, activity-aliases, services and broadcast receivers that are exported at the
    /// app's targetSdk and not protected by a permission (on the component or inherited from
    /// `<application android:permission>`). "Exported" has the platform's meaning: the explicit
    /// attribute, or, when it is absent, an intent-filter makes the component exported for apps
    /// targeting API 30 or lower. The launcher activity (MAIN/LAUNCHER) must be exported and is
    /// not reported. Content providers have their own rule (PLT-002).
    ///
    /// ## Why it matters
    /// Any app on the device can start an exported activity, bind or start an exported service,
    /// or send an exported receiver a broadcast, with extras it chooses. Unless the component
    /// validates its caller and input, this exposes internal screens (authentication bypass),
    /// actions and data to malicious apps.
    ///
    /// ## How to fix
    /// Set `android:exported="false"` on every component that other apps do not need. For those
    /// they do, require a permission with `protectionLevel="signature"` (for your own apps) or
    /// validate every input and the caller.
    ///
    /// ## False positives
    /// Components meant to be public (share targets, deep-link entry points, widgets) are
    /// reported so their input handling gets reviewed; components protected by checks in code
    /// (e.g. `checkCallingPermission`) are not recognised yet.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0029: Testing for Sensitive Functionality Exposure Through IPC
    /// - CWE-926: Improper Export of Android Application Components
    /// - https://developer.android.com/privacy-and-security/risks/android-exported
    pub ExportedComponent {
        id: "PLT-001",
        name: "exported-component-without-permission",
        title: "Exported component without permission",
        severity: Medium,
        masvs: [Platform1],
        mastg: ["MASTG-TEST-0029"],
        cwe: [926],
        inputs: [Manifest],
    }
}

pub(crate) fn export_explanation(c: &Component, target_sdk: u32) -> String {
    match c.export_reason {
        ExportReason::Explicit => "explicitly (android:exported=\"true\")".into(),
        ExportReason::ImplicitIntentFilter if target_sdk >= 31 => format!(
            "implicitly on devices before Android 12, through its intent-filter (no android:exported; \
             Android 12+ refuses to install an app targeting {target_sdk} like this)"
        ),
        ExportReason::ImplicitIntentFilter => {
            format!("implicitly, through its intent-filter (no android:exported, targetSdk {target_sdk} < 31)")
        }
        ExportReason::ProviderDefaultBeforeApi17 => {
            format!("by default (no android:exported, targetSdk {target_sdk} < 17)")
        }
        ExportReason::Default => "by default".into(),
    }
}

fn is_launcher(m: &mastiff_android::Manifest, c: &Component) -> bool {
    c.is_launcher()
        || (c.kind == ComponentKind::Activity
            && m.components.iter().any(|a| {
                a.kind == ComponentKind::ActivityAlias
                    && a.is_launcher()
                    && a.target_activity.as_deref() == Some(&c.name)
            }))
}

impl Rule for ExportedComponent {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        for c in m.exported_components() {
            if c.kind == ComponentKind::Provider || c.permission.is_some() || is_launcher(m, c) {
                continue;
            }
            let deep_link = c.intent_filters.iter().any(|f| {
                f.categories
                    .iter()
                    .any(|k| k == "android.intent.category.BROWSABLE")
            });
            let note = if deep_link {
                "; it is a browsable deep-link target, so web pages can start it too"
            } else {
                ""
            };
            out.report(
                format!(
                    "{} {} is exported {} and requires no permission{note}",
                    c.kind.as_str(),
                    c.name,
                    export_explanation(c, m.target_sdk)
                ),
                vec![manifest_location(app, &c.element, Some("android:exported"))],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, component, launcher, manifest};

    #[test]
    fn reports_unprotected_non_launcher_components() {
        let mut m = manifest(30);
        m.components.push(launcher("com.x.Main"));
        m.components
            .push(component(ComponentKind::Service, "com.x.Sync", true));
        m.components
            .push(component(ComponentKind::Receiver, "com.x.Private", false));
        let mut guarded = component(ComponentKind::Receiver, "com.x.Guarded", true);
        guarded.permission = Some("com.x.permission.SIGN".into());
        m.components.push(guarded);
        m.components
            .push(component(ComponentKind::Provider, "com.x.Provider", true));
        let f = app_with(&m).run(&ExportedComponent);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(f[0].message.contains("service com.x.Sync"));
    }

    #[test]
    fn explains_implicit_export() {
        let mut m = manifest(30);
        let mut c = component(ComponentKind::Activity, "com.x.Link", true);
        c.export_reason = ExportReason::ImplicitIntentFilter;
        m.components.push(c);
        let f = app_with(&m).run(&ExportedComponent);
        assert!(f[0].message.contains("implicitly"), "{}", f[0].message);
    }
}

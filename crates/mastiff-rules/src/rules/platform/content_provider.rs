use mastiff_android::ComponentKind;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::rules::platform::exported_component::export_explanation;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Content providers that other apps can reach:
    /// - exported (explicitly, or by default when targetSdk < 17) with no read or no write
    ///   permission (`android:permission`, `readPermission`, `writePermission`);
    /// - exported with `android:grantUriPermissions="true"`;
    /// - not exported but granting URI permissions (reported as info: the usual FileProvider
    ///   setup, to review which paths it shares).
    ///
    /// ## Why it matters
    /// An unprotected exported provider lets any app query, insert, update or delete the app's
    /// data, and often read files (path traversal via `openFile`) or inject SQL through the
    /// selection arguments.
    ///
    /// ## How to fix
    /// Set `android:exported="false"` unless other apps must use the provider; otherwise require
    /// signature-level read and write permissions, and share single URIs with
    /// `FLAG_GRANT_READ_URI_PERMISSION` instead of exporting.
    ///
    /// ## False positives
    /// Providers that intentionally publish public data (e.g. a search suggestions provider).
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0007: Determining Whether Sensitive Stored Data Has Been Exposed via IPC Mechanisms
    /// - CWE-926: Improper Export of Android Application Components
    /// - https://developer.android.com/privacy-and-security/risks/content-resolver
    pub ContentProviderExposed {
        id: "PLT-002",
        name: "content-provider-exposed",
        title: "Content provider reachable by other apps",
        severity: High,
        masvs: [Platform1],
        mastg: ["MASTG-TEST-0007"],
        cwe: [926],
        inputs: [Manifest],
    }
}

impl Rule for ContentProviderExposed {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        for p in m
            .components
            .iter()
            .filter(|c| c.kind == ComponentKind::Provider && c.enabled)
        {
            let loc = vec![manifest_location(app, &p.element, Some("android:exported"))];
            let authorities = if p.authorities.is_empty() {
                "?".to_string()
            } else {
                p.authorities.join(";")
            };
            if !p.exported {
                if p.grant_uri_permissions {
                    out.report_at(
                        Severity::Info,
                        format!("provider {} (content://{authorities}) is not exported but grants URI permissions: review the paths it shares", p.name),
                        vec![manifest_location(app, &p.element, Some("android:grantUriPermissions"))],
                    );
                }
                continue;
            }
            let read = p.read_permission.as_ref().or(p.permission.as_ref());
            let write = p.write_permission.as_ref().or(p.permission.as_ref());
            let how = export_explanation(p, m.target_sdk);
            match (read, write) {
                (None, None) => out.report(
                    format!("provider {} (content://{authorities}) is exported {how} with no permission: any app can read and write it", p.name),
                    loc,
                ),
                (None, Some(_)) => out.report_at(
                    Severity::Medium,
                    format!("provider {} (content://{authorities}) is exported {how} with no read permission", p.name),
                    loc,
                ),
                (Some(_), None) => out.report_at(
                    Severity::Medium,
                    format!("provider {} (content://{authorities}) is exported {how} with no write permission", p.name),
                    loc,
                ),
                (Some(_), Some(_)) if p.grant_uri_permissions => out.report_at(
                    Severity::Medium,
                    format!("provider {} (content://{authorities}) is exported and grants URI permissions", p.name),
                    loc,
                ),
                (Some(_), Some(_)) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, component, manifest};

    #[test]
    fn provider_exposure_levels() {
        let mut m = manifest(30);
        let mut open = component(ComponentKind::Provider, "com.x.Open", true);
        open.authorities = vec!["com.x.open".into()];
        m.components.push(open);
        let mut read_only = component(ComponentKind::Provider, "com.x.ReadOnly", true);
        read_only.write_permission = Some("com.x.W".into());
        m.components.push(read_only);
        let mut files = component(
            ComponentKind::Provider,
            "androidx.core.content.FileProvider",
            false,
        );
        files.grant_uri_permissions = true;
        m.components.push(files);
        let mut closed = component(ComponentKind::Provider, "com.x.Closed", true);
        closed.permission = Some("com.x.P".into());
        m.components.push(closed);
        let f = app_with(&m).run(&ContentProviderExposed);
        let sev: Vec<_> = f.iter().map(|f| f.severity).collect();
        assert_eq!(
            sev,
            vec![Severity::High, Severity::Medium, Severity::Info],
            "{f:#?}"
        );
        assert!(f[0].message.contains("content://com.x.open"));
    }
}

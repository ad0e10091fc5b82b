use mastiff_android::ProtectionLevel;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Exported components guarded by a permission that does not really restrict callers:
    /// - a custom permission this app declares with `protectionLevel` `normal` (granted to any
    ///   app that asks) or `dangerous` (granted by one user tap);
    /// - a permission that is neither declared by this app nor a platform permission
    ///   (`android.*`): if no installed app defines it, any app can define it first and grant it
    ///   to itself (permission squatting). Reported at low severity, since another app of the
    ///   same developer may define it properly.
    ///
    /// ## Why it matters
    /// The component looks protected but is reachable by any app that lists the permission in
    /// its manifest.
    ///
    /// ## How to fix
    /// Declare the permission in this app with `android:protectionLevel="signature"` so only apps
    /// signed with your key obtain it.
    ///
    /// ## False positives
    /// Permissions defined by a companion app or SDK with signature level.
    ///
    /// ## References
    /// - OWASP MASVS-PLATFORM-1; MASTG-TEST-0029
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    /// - https://developer.android.com/privacy-and-security/risks/custom-permissions
    pub WeakCustomPermission {
        id: "PLT-003",
        name: "weak-custom-permission",
        title: "Exported component guarded by a weak permission",
        severity: Medium,
        masvs: [Platform1],
        mastg: ["MASTG-TEST-0029"],
        cwe: [732],
        inputs: [Manifest],
    }
}

impl Rule for WeakCustomPermission {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        for c in m.exported_components() {
            let perms = [&c.permission, &c.read_permission, &c.write_permission];
            let mut seen: Vec<&str> = Vec::new();
            for p in perms.into_iter().flatten() {
                if seen.contains(&p.as_str()) {
                    continue;
                }
                seen.push(p);
                let loc = vec![manifest_location(
                    app,
                    &c.element,
                    Some("android:permission"),
                )];
                match m.permission(p) {
                    Some(decl) => {
                        let base = decl.protection_level.base();
                        let severity = match base {
                            ProtectionLevel::NORMAL => Severity::Medium,
                            ProtectionLevel::DANGEROUS => Severity::Low,
                            _ => continue,
                        };
                        out.report_at(
                            severity,
                            format!(
                                "{} {} is guarded by {p}, declared with protectionLevel {}: any app can obtain it",
                                c.kind.as_str(),
                                c.name,
                                decl.protection_level.describe()
                            ),
                            loc,
                        );
                    }
                    None if !p.starts_with("android.")
                        && !p.starts_with("com.android.")
                        && !p.starts_with("com.google.android.") =>
                    {
                        out.report_at(
                            Severity::Low,
                            format!(
                                "{} {} is guarded by {p}, which this app does not declare: another app may define it first",
                                c.kind.as_str(),
                                c.name
                            ),
                            loc,
                        );
                    }
                    None => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, component, manifest};
    use mastiff_android::{ComponentKind, PermissionDecl};

    #[test]
    fn normal_dangerous_undeclared_and_signature() {
        let mut m = manifest(30);
        for (name, level) in [("com.x.NORMAL", 0), ("com.x.DANGER", 1), ("com.x.SIG", 2)] {
            m.permissions.push(PermissionDecl {
                name: name.into(),
                protection_level: ProtectionLevel(level),
                element: format!("manifest/permission[{name}]"),
            });
        }
        for (i, p) in [
            "com.x.NORMAL",
            "com.x.DANGER",
            "com.x.SIG",
            "com.other.UNDECLARED",
            "android.permission.BIND_JOB_SERVICE",
        ]
        .iter()
        .enumerate()
        {
            let mut c = component(ComponentKind::Service, &format!("com.x.S{i}"), true);
            c.permission = Some(p.to_string());
            m.components.push(c);
        }
        let f = app_with(&m).run(&WeakCustomPermission);
        let got: Vec<_> = f
            .iter()
            .map(|f| {
                (
                    f.severity,
                    f.message.split(' ').nth(1).unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Severity::Medium, "com.x.S0".into()),
                (Severity::Low, "com.x.S1".into()),
                (Severity::Low, "com.x.S3".into())
            ]
        );
    }
}

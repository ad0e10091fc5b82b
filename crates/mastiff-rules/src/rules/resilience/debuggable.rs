use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// The application element sets `android:debuggable="true"` (directly or through a `@bool`
    /// resource, resolved in the default configuration).
    ///
    /// ## Why it matters
    /// A debuggable app accepts a JDWP debugger from anyone with ADB access: an attacker with the
    /// device can step through the code, read and change memory (keys, tokens, health data) and
    /// run code as the app with `run-as`. Release builds must never be debuggable.
    ///
    /// ## How to fix
    /// Remove `android:debuggable` from the manifest and let the build type set it (Gradle's
    /// `release` build type is not debuggable), or set it to `false`.
    ///
    /// ## False positives
    /// None for a release binary. Debug builds scanned on purpose will always show it.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0226: Debuggable Flag Enabled in the AndroidManifest
    /// - CWE-489: Active Debug Code
    /// - https://developer.android.com/guide/topics/manifest/application-element#debug
    pub Debuggable {
        id: "RES-001",
        name: "debuggable",
        title: "App is debuggable",
        severity: High,
        masvs: [Resilience4],
        mastg: ["MASTG-TEST-0226"],
        cwe: [489],
        inputs: [Manifest],
    }
}

impl Rule for Debuggable {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        if m.application.is_debuggable() {
            let mut msg = "android:debuggable is true".to_string();
            if let Some(how) = m
                .application
                .config_dependent
                .iter()
                .find(|c| c.starts_with("debuggable"))
            {
                msg.push_str(&format!(" in some device configurations ({how})"));
            }
            msg.push_str(": any ADB user can attach a debugger to the app and run code as it");
            out.report(
                msg,
                vec![manifest_location(
                    app,
                    &m.application.element,
                    Some("android:debuggable"),
                )],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, manifest};

    #[test]
    fn flags_debuggable_only() {
        let mut m = manifest(30);
        assert!(app_with(&m).run(&Debuggable).is_empty());
        m.application.debuggable = Some(false);
        assert!(app_with(&m).run(&Debuggable).is_empty());
        m.application.debuggable = Some(true);
        let f = app_with(&m).run(&Debuggable);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "RES-001");
        m.application.config_dependent = vec!["debuggable: false (default), true (v24)".into()];
        let f = app_with(&m).run(&Debuggable);
        assert!(f[0].message.contains("true (v24)"), "{}", f[0].message);
    }
}

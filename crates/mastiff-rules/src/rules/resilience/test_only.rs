use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// The application element sets `android:testOnly="true"`.
    ///
    /// ## Why it matters
    /// `testOnly` marks a build made by the IDE for testing: such a package can only be installed
    /// with `adb install -t` and is typically a debug or instrumented build. Shipping it means the
    /// released binary is not the one that went through release hardening (minification,
    /// non-debuggable, release signing).
    ///
    /// ## How to fix
    /// Build the release from the `release` variant (`./gradlew assembleRelease` / `bundleRelease`);
    /// do not ship APKs produced by Android Studio's Run button.
    ///
    /// ## False positives
    /// Test fixtures and internal test builds scanned on purpose.
    ///
    /// ## References
    /// - https://developer.android.com/guide/topics/manifest/application-element#testOnly
    /// - CWE-489: Active Debug Code
    pub TestOnly {
        id: "RES-002",
        name: "test-only",
        title: "App is a test-only build",
        severity: Medium,
        masvs: [Resilience4],
        mastg: [],
        cwe: [489],
        inputs: [Manifest],
    }
}

impl Rule for TestOnly {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        if m.application.test_only == Some(true) {
            out.report(
                "android:testOnly is true: this is an IDE test build, not a release build",
                vec![manifest_location(
                    app,
                    &m.application.element,
                    Some("android:testOnly"),
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
    fn flags_test_only() {
        let mut m = manifest(30);
        assert!(app_with(&m).run(&TestOnly).is_empty());
        m.application.test_only = Some(true);
        assert_eq!(app_with(&m).run(&TestOnly).len(), 1);
    }
}

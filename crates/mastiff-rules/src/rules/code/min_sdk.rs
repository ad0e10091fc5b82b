use crate::rule::{Rule, Sink};
use crate::rules::{android_version, manifest_location};
use crate::{declare_rule, AppContext, Config};

declare_rule! {
    /// ## What it checks
    /// The effective minSdk (1 when `<uses-sdk android:minSdkVersion>` is absent) is below the
    /// configured threshold, `--min-sdk-threshold`, default 29 (Android 10).
    ///
    /// ## Why it matters
    /// The app installs on every Android version from minSdk up; old versions no longer get
    /// security patches and lack protections the app may rely on: before 7.0 (API 24) every app
    /// trusts user-installed CAs and Janus-style signature bypasses apply up to 8.0; before 10
    /// (API 29) there is no scoped storage and no TLS 1.3 by default. The seed requirement is to
    /// require the latest OS the users can run.
    ///
    /// ## How to fix
    /// Raise `minSdk` in the build configuration to the threshold or above, after checking your
    /// users' versions.
    ///
    /// ## False positives
    /// Apps that must support old devices for a documented reason; raise or lower the threshold
    /// to your policy with `--min-sdk-threshold`.
    ///
    /// ## References
    /// - OWASP MASVS-CODE-1; MASTG-TEST-0245
    /// - CWE-1104: Use of Unmaintained Third Party Components
    /// - https://source.android.com/docs/security/bulletin
    pub MinSdkTooOld {
        id: "CODE-001",
        name: "min-sdk-too-old",
        title: "minSdk allows outdated Android versions",
        severity: Medium,
        masvs: [Code1],
        mastg: ["MASTG-TEST-0245"],
        cwe: [1104],
        inputs: [Manifest],
    }
}

impl Rule for MinSdkTooOld {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        let threshold = app.config.min_sdk_threshold;
        if m.min_sdk >= threshold {
            return;
        }
        let declared = if m.min_sdk_declared.is_some() {
            ""
        } else {
            " (absent: platform default)"
        };
        out.report(
            format!(
                "minSdk {}{declared} ({}) is below the threshold {threshold} ({}); default threshold {}",
                m.min_sdk,
                android_version(m.min_sdk),
                android_version(threshold),
                Config::DEFAULT_MIN_SDK
            ),
            vec![manifest_location(app, "manifest/uses-sdk", Some("android:minSdkVersion"))],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, manifest};

    #[test]
    fn threshold_is_configurable() {
        let mut m = manifest(34);
        m.min_sdk = 28;
        let f = app_with(&m).run(&MinSdkTooOld);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("Android 9"), "{}", f[0].message);
        m.min_sdk = 29;
        assert!(app_with(&m).run(&MinSdkTooOld).is_empty());
        let strict = Config {
            min_sdk_threshold: 33,
            ..Config::default()
        };
        assert_eq!(app_with(&m).config(&strict).run(&MinSdkTooOld).len(), 1);
    }
}

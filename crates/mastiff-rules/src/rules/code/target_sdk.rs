use crate::rule::{Rule, Sink};
use crate::rules::{android_version, manifest_location};
use crate::{declare_rule, AppContext, Config};

declare_rule! {
    /// ## What it checks
    /// The effective targetSdk (minSdk when `android:targetSdkVersion` is absent) is below the
    /// configured threshold, `--target-sdk-threshold`, default 35 (Android 15, the level Google
    /// Play has required of new apps and updates since 31 August 2025).
    ///
    /// ## Why it matters
    /// Android keeps legacy, less safe behaviour for apps that target old levels: below 31
    /// components with intent filters are exported implicitly, below 28 cleartext traffic is
    /// allowed by default and task hijacking is easier, below 24 user-installed CAs are trusted,
    /// below 17 content providers are exported by default.
    ///
    /// ## How to fix
    /// Raise `targetSdk` and go through the behaviour changes of each version in between.
    ///
    /// ## False positives
    /// Apps distributed outside Google Play may follow another policy; set the threshold with
    /// `--target-sdk-threshold`.
    ///
    /// ## References
    /// - OWASP MASVS-CODE-1
    /// - CWE-1104: Use of Unmaintained Third Party Components
    /// - https://developer.android.com/google/play/requirements/target-sdk
    pub TargetSdkTooOld {
        id: "CODE-002",
        name: "target-sdk-too-old",
        title: "targetSdk keeps legacy platform behaviour",
        severity: Low,
        masvs: [Code1],
        mastg: [],
        cwe: [1104],
        inputs: [Manifest],
    }
}

impl Rule for TargetSdkTooOld {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        let threshold = app.config.target_sdk_threshold;
        if m.target_sdk >= threshold {
            return;
        }
        let declared = if m.target_sdk_declared.is_some() {
            ""
        } else {
            " (absent: defaults to minSdk)"
        };
        out.report(
            format!(
                "targetSdk {}{declared} ({}) is below the threshold {threshold} ({}); default threshold {}",
                m.target_sdk,
                android_version(m.target_sdk),
                android_version(threshold),
                Config::DEFAULT_TARGET_SDK
            ),
            vec![manifest_location(app, "manifest/uses-sdk", Some("android:targetSdkVersion"))],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, manifest};

    #[test]
    fn below_threshold_is_flagged() {
        let mut m = manifest(26);
        m.target_sdk_declared = None;
        let f = app_with(&m).run(&TargetSdkTooOld);
        assert!(f[0].message.contains("absent"), "{}", f[0].message);
        assert!(app_with(&manifest(35)).run(&TargetSdkTooOld).is_empty());
    }
}

use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Backup is allowed (`android:allowBackup` true, which is the default when the attribute is
    /// absent) and neither `android:fullBackupContent` nor `android:dataExtractionRules` names a
    /// rules file with at least one `<exclude>`; `fullBackupContent="false"` (Auto Backup off)
    /// counts as restricted.
    ///
    /// ## Why it matters
    /// Auto Backup copies the app's private files, databases and shared preferences to the user's
    /// cloud backup and into device-to-device transfers, and `adb backup` extracts them on
    /// debuggable or older devices. Tokens, keys and health records then leave the app's sandbox
    /// and the device's hardware-backed protection.
    ///
    /// ## How to fix
    /// Set `android:allowBackup="false"`, or keep backup and exclude sensitive files with
    /// `android:dataExtractionRules` (Android 12+) and `android:fullBackupContent` (Android 6-11).
    /// Note that for apps targeting API 31+, `allowBackup="false"` no longer stops
    /// device-to-device transfers on Android 12+: use `dataExtractionRules` for that.
    ///
    /// ## False positives
    /// Apps that store nothing sensitive. Exclusions are counted, not judged: check that they
    /// cover the sensitive files.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0262: References to Backup Configurations Not Excluding Sensitive Data
    /// - CWE-530: Exposure of Backup File to an Unauthorized Control Sphere
    /// - https://developer.android.com/identity/data/autobackup
    pub AllowBackup {
        id: "STO-001",
        name: "backup-without-exclusions",
        title: "App data included in backups without exclusions",
        severity: Medium,
        masvs: [Storage2],
        mastg: ["MASTG-TEST-0262"],
        cwe: [530],
        inputs: [Manifest, BackupRules],
    }
}

impl Rule for AllowBackup {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        if !m.application.allows_backup() {
            return;
        }
        let backup = app.backup.cloned().unwrap_or_default();
        if backup.full_backup_content_disabled {
            return;
        }
        let excludes = backup
            .full_backup_content
            .as_ref()
            .map_or(0, |f| f.excludes)
            + backup
                .data_extraction_rules
                .as_ref()
                .map_or(0, |f| f.excludes);
        if excludes > 0 {
            return;
        }
        let dependent = m
            .application
            .config_dependent
            .iter()
            .find(|c| c.starts_with("allowBackup"));
        let how = match (dependent, m.application.allow_backup.is_some()) {
            (Some(d), _) => {
                format!("android:allowBackup is true in some device configurations ({d})")
            }
            (None, true) => "android:allowBackup is true".to_string(),
            (None, false) => "android:allowBackup is absent (default true)".to_string(),
        };
        let files: Vec<&str> = [&backup.full_backup_content, &backup.data_extraction_rules]
            .into_iter()
            .flatten()
            .map(|f| f.path.as_str())
            .collect();
        let rules = if files.is_empty() {
            "no backup rules file".to_string()
        } else {
            format!("{} excludes nothing", files.join(" and "))
        };
        out.report(
            format!("{how} and {rules}: private files, databases and preferences go into cloud backups and device transfers"),
            vec![manifest_location(app, &m.application.element, Some("android:allowBackup"))],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{BackupRules, BackupRulesFile};
    use crate::testing::{app_with, manifest};

    #[test]
    fn default_true_without_rules_is_flagged() {
        let mut m = manifest(30);
        let f = app_with(&m).run(&AllowBackup);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("absent (default true)"));
        m.application.allow_backup = Some(false);
        assert!(app_with(&m).run(&AllowBackup).is_empty());
    }

    #[test]
    fn exclusions_or_disabled_auto_backup_pass() {
        let m = manifest(31);
        let file = |excludes| BackupRulesFile {
            path: "res/xml/rules.xml".into(),
            excludes,
            includes: 1,
        };
        let with = BackupRules {
            data_extraction_rules: Some(file(2)),
            ..Default::default()
        };
        assert!(app_with(&m).backup(&with).run(&AllowBackup).is_empty());
        let without = BackupRules {
            data_extraction_rules: Some(file(0)),
            ..Default::default()
        };
        let f = app_with(&m).backup(&without).run(&AllowBackup);
        assert!(
            f[0].message.contains("res/xml/rules.xml excludes nothing"),
            "{}",
            f[0].message
        );
        let off = BackupRules {
            full_backup_content_disabled: true,
            ..Default::default()
        };
        assert!(app_with(&m).backup(&off).run(&AllowBackup).is_empty());
    }
}

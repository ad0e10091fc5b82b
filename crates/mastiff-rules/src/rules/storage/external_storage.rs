use std::collections::BTreeMap;

use mastiff_code::MethodId;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{library_of_method, method_name, report_hits, Hit};
use crate::rules::manifest_location;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Data written where other apps can read it (MASTG-TEST-0202):
    /// - shared external storage: `Environment.getExternalStorageDirectory()`,
    ///   `Environment.getExternalStoragePublicDirectory()` (medium in app code);
    /// - app-specific external directories: `getExternalFilesDir(s)`, `getExternalCacheDir(s)`,
    ///   `getExternalMediaDirs` (low: other apps with storage permission read them on Android 9
    ///   and older);
    /// - `MediaStore` inserts (`ContentResolver.insert` with a `MediaStore…EXTERNAL_CONTENT_URI`)
    ///   (low);
    /// - `WRITE_EXTERNAL_STORAGE` requested without `android:maxSdkVersion` (low) and
    ///   `MANAGE_EXTERNAL_STORAGE` (medium).
    ///
    /// One finding per method and API. Known library code is labelled and informational; code
    /// outside the app's package that is not a known library is reported one level lower.
    ///
    /// ## Why it matters
    /// Files on external storage are readable (and, before scoped storage, writable) by every
    /// app holding a storage permission and by anyone who connects the device to a computer.
    /// Sensitive data leaks, and files read back can be replaced (data injection).
    ///
    /// ## How to fix
    /// Keep sensitive files in internal storage (`getFilesDir()`, `getCacheDir()`), encrypt
    /// anything that must go outside, validate what is read back, and declare
    /// `WRITE_EXTERNAL_STORAGE` with `android:maxSdkVersion="28"` if it is needed at all.
    ///
    /// ## False positives
    /// Media the user means to share (photos, exported documents) belong in shared storage;
    /// check what is written.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0202: References to APIs and Permissions for Accessing External Storage
    /// - CWE-922: Insecure Storage of Sensitive Information
    /// - https://developer.android.com/training/data-storage
    pub ExternalStorage {
        id: "STO-004",
        name: "external-storage",
        title: "Data written to external storage",
        severity: Medium,
        masvs: [Storage2],
        mastg: ["MASTG-TEST-0202"],
        cwe: [922],
        inputs: [Code, Manifest],
    }
}

/// (class or `None` for any class, method, severity in app code, what it means).
const APIS: &[(Option<&str>, &str, Severity, &str)] = &[
    (
        Some("Landroid/os/Environment;"),
        "getExternalStorageDirectory",
        Severity::Medium,
        "shared external storage, readable by other apps",
    ),
    (
        Some("Landroid/os/Environment;"),
        "getExternalStoragePublicDirectory",
        Severity::Medium,
        "shared external storage, readable by other apps",
    ),
    (
        None,
        "getExternalFilesDir",
        Severity::Low,
        "app-specific external storage, readable by apps with storage permission on Android 9 and older",
    ),
    (
        None,
        "getExternalFilesDirs",
        Severity::Low,
        "app-specific external storage, readable by apps with storage permission on Android 9 and older",
    ),
    (
        None,
        "getExternalCacheDir",
        Severity::Low,
        "app-specific external cache, readable by apps with storage permission on Android 9 and older",
    ),
    (
        None,
        "getExternalCacheDirs",
        Severity::Low,
        "app-specific external cache, readable by apps with storage permission on Android 9 and older",
    ),
    (
        None,
        "getExternalMediaDirs",
        Severity::Low,
        "external media directory, visible to other apps",
    ),
];

fn lower(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        _ => Severity::Info,
    }
}

impl Rule for ExternalStorage {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let mut hits = Vec::new();
        if let Some(code) = app.code {
            // (method, api) → (first offset, severity, meaning)
            let mut sites: BTreeMap<(MethodId, String), (u32, Severity, &str)> = BTreeMap::new();
            for (class, name, severity, meaning) in APIS {
                let calls: Box<dyn Iterator<Item = _>> = match class {
                    Some(c) => Box::new(code.calls_to(c, name)),
                    None => Box::new(code.calls_to_method_named(name).filter(|c| {
                        c.callee.descriptor.ends_with(")Ljava/io/File;")
                            || c.callee.descriptor.ends_with(")[Ljava/io/File;")
                    })),
                };
                for site in calls {
                    let api = if class.is_some() {
                        format!("Environment.{name}()")
                    } else {
                        format!("{name}()")
                    };
                    let e = sites.entry((site.caller, api)).or_insert((
                        site.offset,
                        *severity,
                        meaning,
                    ));
                    e.0 = e.0.min(site.offset);
                }
            }
            for site in code.calls_to("Landroid/content/ContentResolver;", "insert") {
                let Some(mastiff_code::ArgValue::StaticField { field, .. }) = code.arg(site, 1)
                else {
                    continue;
                };
                if field.class.starts_with("Landroid/provider/MediaStore") {
                    let api = format!(
                        "ContentResolver.insert({}.{})",
                        crate::rules::code::helpers::simple_class_name(&field.class),
                        field.name
                    );
                    sites.entry((site.caller, api)).or_insert((
                        site.offset,
                        Severity::Low,
                        "shared media collection, readable by other apps",
                    ));
                }
            }
            for ((m, api), (offset, severity, meaning)) in sites {
                let library = library_of_method(code, m);
                // Library helpers (ContextCompat...) only resolve paths: observations.
                let severity = if library.is_some() {
                    Severity::Info
                } else if !code.is_app_code(m) {
                    lower(severity)
                } else {
                    severity
                };
                hits.push(Hit {
                    severity,
                    message: format!("{api} in {}: {meaning}", method_name(code, m)),
                    locations: vec![code.location(m, offset)],
                    library,
                });
            }
        }
        if let Some(m) = app.manifest {
            for p in &m.uses_permissions {
                let (severity, why) = match p.name.as_str() {
                    "android.permission.WRITE_EXTERNAL_STORAGE" if p.max_sdk.is_none() => (
                        Severity::Low,
                        "requested without android:maxSdkVersion: the app can write shared storage on every Android version that honours it",
                    ),
                    "android.permission.MANAGE_EXTERNAL_STORAGE" => (
                        Severity::Medium,
                        "all-files access: the app reads and writes every file on shared storage",
                    ),
                    _ => continue,
                };
                hits.push(Hit {
                    severity,
                    message: format!("{} {why}", p.name),
                    locations: vec![manifest_location(
                        app,
                        "manifest/uses-permission",
                        Some("android:name"),
                    )],
                    library: None,
                });
            }
        }
        report_hits(out, hits);
    }
}

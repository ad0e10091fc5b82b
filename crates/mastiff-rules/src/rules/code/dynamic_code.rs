use mastiff_code::{CallSite, CodeIndex};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{library_of_method, method_name, quote, report_hits, Hit};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Code loaded at run time:
    /// - `new DexClassLoader(..)` and `new InMemoryDexClassLoader(..)` in app code (medium),
    ///   `new PathClassLoader(..)` (low); high when the same method reaches external storage
    ///   (`Environment.getExternalStorage*`, `getExternalFilesDir`, or a constant path under
    ///   `/sdcard` or `/storage/`), where other apps can replace the code;
    /// - `System.load(path)` / `Runtime.load(path)` with a path built at run time (medium; high
    ///   from external storage). `System.loadLibrary("name")` loads from the APK and is fine;
    /// - `.dex`, `.jar` or `.apk` files shipped outside the dex files Android installs (in
    ///   `assets/`, `res/raw/`...), informational unless a class loader is also used;
    /// - `createPackageContext(package, flags)` with `CONTEXT_INCLUDE_CODE` (1) in the flags:
    ///   another installed app's code, loaded into this one (medium); high with
    ///   `CONTEXT_IGNORE_SECURITY` (2) as well, which loads it whoever signed that app.
    ///
    /// Class loaders in library code (Play services modules, test runners) are labelled and
    /// informational.
    ///
    /// ## Why it matters
    /// Code loaded at run time escapes the APK signature: whoever can write the file (another
    /// app, for external storage; a network attacker, for downloads) runs code with the app's
    /// identity, data and permissions. It also hides code from review.
    ///
    /// ## How to fix
    /// Ship all code in the APK or use Play Feature Delivery. If code must be loaded, load it
    /// only from internal storage, verify its signature or hash before loading, and mark the
    /// file read-only (required for `DexClassLoader` on Android 14+). Before running another
    /// package's code, check its signing certificate (`PackageManager.hasSigningCertificate`)
    /// and never pass `CONTEXT_IGNORE_SECURITY`: any app can be installed under the expected
    /// package name.
    ///
    /// ## False positives
    /// Plugin frameworks and hot-fix SDKs load code by design; the report names what was seen
    /// so the source of the code can be checked.
    ///
    /// ## References
    /// - OWASP MASTG (MASVS-CODE-4), MASWE-0085: Unsafe Dynamic Code Loading
    /// - CWE-94: Improper Control of Generation of Code ('Code Injection')
    /// - https://developer.android.com/privacy-and-security/risks/dynamic-code-loading
    /// - https://developer.android.com/reference/android/content/Context#CONTEXT_IGNORE_SECURITY
    pub DynamicCodeLoading {
        id: "CODE-004",
        name: "dynamic-code-loading",
        title: "Code loaded at run time",
        severity: Medium,
        masvs: [Code4],
        mastg: ["MASTG-TEST-0002"],
        cwe: [94],
        inputs: [Code],
    }
}

const LOADERS: &[(&str, Severity)] = &[
    ("Ldalvik/system/DexClassLoader;", Severity::Medium),
    ("Ldalvik/system/InMemoryDexClassLoader;", Severity::Medium),
    ("Ldalvik/system/PathClassLoader;", Severity::Low),
];

/// `Context.CONTEXT_INCLUDE_CODE` and `Context.CONTEXT_IGNORE_SECURITY`.
const CONTEXT_INCLUDE_CODE: i64 = 1;
const CONTEXT_IGNORE_SECURITY: i64 = 2;

/// What in the caller points at external storage, if anything.
fn external_storage_in(code: &CodeIndex, site: &CallSite) -> Option<String> {
    if let Some(c) = code.calls_in(site.caller).iter().find(|c| {
        c.callee.name.starts_with("getExternalStorage")
            || c.callee.name.starts_with("getExternalFilesDir")
            || c.callee.name.starts_with("getExternalCacheDir")
    }) {
        return Some(format!("{}()", c.callee.name));
    }
    crate::rules::code::helpers::strings_in(code, site.caller)
        .iter()
        .find(|s| {
            s.value.starts_with("/sdcard")
                || s.value.starts_with("/storage/")
                || s.value.starts_with("/mnt/sdcard")
        })
        .map(|s| quote(s.value))
}

impl Rule for DynamicCodeLoading {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = Vec::new();
        let mut loader_seen = false;
        for (class, base) in LOADERS {
            for site in code.calls_to(class, "<init>") {
                // A subclass constructor calling super(..) is reported at its own `new`.
                if code.method(site.caller).is_some_and(|m| m.name == "<init>")
                    && code
                        .method(site.caller)
                        .and_then(|m| code.class(m.class))
                        .and_then(|c| c.superclass)
                        == Some(class)
                {
                    continue;
                }
                loader_seen = true;
                let library = library_of_method(code, site.caller);
                let app_code = library.is_none() && code.is_app_code(site.caller);
                let ext = external_storage_in(code, &site);
                let path = code
                    .arg(site, 1)
                    .and_then(|a| a.as_str())
                    .map_or(String::new(), |p| format!(" from {}", quote(p)));
                let name = crate::rules::code::helpers::simple_class_name(class);
                let (severity, why) = match (&ext, app_code) {
                    (Some(e), true) => (
                        Severity::High,
                        format!("; the method also uses {e}: code on external storage can be replaced by other apps"),
                    ),
                    (_, true) => (*base, String::new()),
                    (_, false) => (Severity::Info, String::new()),
                };
                hits.push(Hit {
                    severity,
                    message: format!(
                        "new {name}(..){path} in {}: code loaded at run time{why}",
                        method_name(code, site.caller)
                    ),
                    locations: vec![code.location(site.caller, site.offset)],
                    library,
                });
            }
        }
        for (class, name) in [
            ("Ljava/lang/System;", "load"),
            ("Ljava/lang/Runtime;", "load"),
        ] {
            for site in code.calls_to(class, name) {
                let arg = code.args(site).last();
                if arg.is_some_and(|a| a.is_constant()) {
                    continue;
                }
                let library = library_of_method(code, site.caller);
                let app_code = library.is_none() && code.is_app_code(site.caller);
                let ext = external_storage_in(code, &site);
                let severity = match (&ext, app_code) {
                    (Some(_), true) => Severity::High,
                    (None, true) => Severity::Medium,
                    _ => Severity::Info,
                };
                hits.push(Hit {
                    severity,
                    message: format!(
                        "{}.load(<path built at run time>) in {}: native code loaded from a file{}",
                        crate::rules::code::helpers::simple_class_name(class),
                        method_name(code, site.caller),
                        ext.map_or(String::new(), |e| format!(" (the method also uses {e})"))
                    ),
                    locations: vec![code.location(site.caller, site.offset)],
                    library,
                });
            }
        }
        // Another package's code: the call is often on the activity itself (a Context subclass),
        // so matched by name and signature.
        for site in code.calls_to_method_named("createPackageContext") {
            if site.callee.descriptor != "(Ljava/lang/String;I)Landroid/content/Context;" {
                continue;
            }
            let Some(flags) = code.arg(site, 2).and_then(|a| a.as_int()) else {
                continue;
            };
            if flags & CONTEXT_INCLUDE_CODE == 0 {
                continue; // resources only
            }
            loader_seen = true;
            let library = library_of_method(code, site.caller);
            let app_code = library.is_none() && code.is_app_code(site.caller);
            let unchecked = flags & CONTEXT_IGNORE_SECURITY != 0;
            let severity = match (app_code, unchecked) {
                (false, _) => Severity::Info,
                (true, true) => Severity::High,
                (true, false) => Severity::Medium,
            };
            let package = code
                .arg(site, 1)
                .and_then(|a| a.as_str())
                .map_or_else(|| "<package chosen at run time>".to_string(), quote);
            hits.push(Hit {
                severity,
                message: format!(
                    "createPackageContext({package}, {}) in {}: another app's code loaded into this one{}",
                    if unchecked {
                        "CONTEXT_INCLUDE_CODE | CONTEXT_IGNORE_SECURITY"
                    } else {
                        "CONTEXT_INCLUDE_CODE"
                    },
                    method_name(code, site.caller),
                    if unchecked {
                        ", whoever signed that app"
                    } else {
                        ""
                    }
                ),
                locations: vec![code.location(site.caller, site.offset)],
                library,
            });
        }
        if !app.extra_code_entries.is_empty() {
            let n = app.extra_code_entries.len();
            let shown: Vec<&str> = app
                .extra_code_entries
                .iter()
                .take(5)
                .map(String::as_str)
                .collect();
            hits.push(Hit {
                severity: if loader_seen {
                    Severity::Low
                } else {
                    Severity::Info
                },
                message: format!(
                    "{n} code file(s) outside the installed dex files: {}{}{}",
                    shown.join(", "),
                    if n > 5 { ", …" } else { "" },
                    if loader_seen {
                        "; the app also creates class loaders"
                    } else {
                        "; no class loader seen"
                    }
                ),
                locations: app
                    .extra_code_entries
                    .iter()
                    .take(5)
                    .map(|e| mastiff_core::Location::Entry {
                        entry: e.clone(),
                        offset: None,
                    })
                    .collect(),
                library: None,
            });
        }
        report_hits(out, hits);
    }
}

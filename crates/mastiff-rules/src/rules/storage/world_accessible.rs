use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{library_of_method, method_name, report_hits, Hit};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Files made accessible to every app on the device:
    /// - `Context.MODE_WORLD_READABLE` (1) or `MODE_WORLD_WRITEABLE` (2) in the constant mode
    ///   argument of `openFileOutput`, `getSharedPreferences`, `getDir` or
    ///   `openOrCreateDatabase` (any receiver class: activities and other context subclasses);
    /// - `File.setReadable(true, false)` / `setWritable(true, false)` (`ownerOnly` false).
    ///
    /// High; medium when targetSdk >= 24, where the platform throws a `SecurityException` for
    /// the world modes instead of sharing the file (the code is still wrong). Known library code
    /// is labelled and medium.
    ///
    /// ## Why it matters
    /// A world-readable file can be read by any installed app; a world-writable one can be
    /// replaced, which turns into data injection or code execution when the app trusts it.
    ///
    /// ## How to fix
    /// Use `MODE_PRIVATE` and share files deliberately through a `FileProvider` with
    /// per-URI permissions.
    ///
    /// ## False positives
    /// None known for the constant modes; a mode computed at run time is not seen.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0001 (MASVS-STORAGE-2), MASWE-0007
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource
    /// - https://developer.android.com/reference/android/content/Context#MODE_WORLD_READABLE
    pub WorldAccessibleFiles {
        id: "STO-005",
        name: "world-accessible-files",
        title: "File created readable or writable by all apps",
        severity: High,
        masvs: [Storage2],
        mastg: ["MASTG-TEST-0001"],
        cwe: [732],
        inputs: [Code, Manifest],
    }
}

/// Context methods taking `(String name, int mode, ...)`.
const MODE_METHODS: &[&str] = &[
    "openFileOutput",
    "getSharedPreferences",
    "getDir",
    "openOrCreateDatabase",
];

impl Rule for WorldAccessibleFiles {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let throws = app.manifest.is_some_and(|m| m.target_sdk >= 24);
        let severity = if throws {
            Severity::Medium
        } else {
            Severity::High
        };
        let note = if throws {
            " (targetSdk >= 24: the platform throws SecurityException instead)"
        } else {
            ""
        };
        let mut hits = Vec::new();
        for name in MODE_METHODS {
            for site in code.calls_to_method_named(name) {
                // Context methods are (String, int, ...): skip static helpers with other shapes.
                if !site.callee.descriptor.starts_with("(Ljava/lang/String;I")
                    || site.kind == mastiff_code::InvokeKind::Static
                {
                    continue;
                }
                let Some(mode) = code.arg(site, 2).and_then(|a| a.as_int()) else {
                    continue;
                };
                let what = match (mode & 1 != 0, mode & 2 != 0) {
                    (true, true) => "MODE_WORLD_READABLE | MODE_WORLD_WRITEABLE",
                    (true, false) => "MODE_WORLD_READABLE",
                    (false, true) => "MODE_WORLD_WRITEABLE",
                    _ => continue,
                };
                let file = code
                    .arg(site, 1)
                    .and_then(|a| a.as_str())
                    .map_or(String::new(), |f| format!("{f:?}, "));
                let library = library_of_method(code, site.caller);
                hits.push(Hit {
                    severity: if library.is_some() {
                        Severity::Medium
                    } else {
                        severity
                    },
                    message: format!(
                        "{name}({file}{what}) in {}: other apps can {} it{note}",
                        method_name(code, site.caller),
                        if mode & 2 != 0 { "replace" } else { "read" }
                    ),
                    locations: vec![code.location(site.caller, site.offset)],
                    library,
                });
            }
        }
        for name in ["setReadable", "setWritable"] {
            for site in code.calls_to("Ljava/io/File;", name) {
                let flag = |i: usize| code.arg(site, i).and_then(|a| a.as_int());
                if flag(1) == Some(1) && flag(2) == Some(0) {
                    let library = library_of_method(code, site.caller);
                    hits.push(Hit {
                        severity: if library.is_some() {
                            Severity::Medium
                        } else {
                            Severity::High
                        },
                        message: format!(
                            "File.{name}(true, false) in {}: every app can {} the file",
                            method_name(code, site.caller),
                            if name == "setReadable" {
                                "read"
                            } else {
                                "modify"
                            }
                        ),
                        locations: vec![code.location(site.caller, site.offset)],
                        library,
                    });
                }
            }
        }
        report_hits(out, hits);
    }
}

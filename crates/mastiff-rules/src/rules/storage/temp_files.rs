use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{library_of_method, method_name, quote, report_hits, Hit};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `File.createTempFile(prefix, suffix[, dir])` in the app's code (low), naming the prefix
    /// and suffix when they are constants. Calls in library code are labelled and informational.
    ///
    /// ## Why it matters
    /// Temporary files are often forgotten: they outlive the operation that needed them, are
    /// not covered by the app's encryption, land in backups, and in a shared directory they can
    /// be read or replaced by other apps.
    ///
    /// ## How to fix
    /// Keep sensitive data in memory, or in a file under `getCacheDir()`/`getFilesDir()` that is
    /// encrypted and deleted in a `finally` block; never create temporary files on external
    /// storage.
    ///
    /// ## False positives
    /// Temporary files holding nothing sensitive (image transcoding, downloads of public data).
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0001 (MASVS-STORAGE-2): Testing Local Storage for Sensitive Data
    /// - CWE-377: Insecure Temporary File
    /// - https://developer.android.com/reference/java/io/File#createTempFile(java.lang.String,%20java.lang.String,%20java.io.File)
    pub TempFiles {
        id: "STO-006",
        name: "temporary-files",
        title: "Temporary files created",
        severity: Low,
        masvs: [Storage2],
        mastg: ["MASTG-TEST-0001"],
        cwe: [377],
        inputs: [Code],
    }
}

impl Rule for TempFiles {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let hits = code
            .calls_to("Ljava/io/File;", "createTempFile")
            .map(|site| {
                let arg = |i: usize| {
                    code.arg(site, i)
                        .and_then(|a| a.as_str())
                        .map_or_else(|| "…".to_string(), quote)
                };
                let library = library_of_method(code, site.caller);
                Hit {
                    severity: if library.is_some() || !code.is_app_code(site.caller) {
                        Severity::Info
                    } else {
                        Severity::Low
                    },
                    message: format!(
                        "File.createTempFile({}, {}) in {}",
                        arg(0),
                        arg(1),
                        method_name(code, site.caller)
                    ),
                    locations: vec![code.location(site.caller, site.offset)],
                    library,
                }
            })
            .collect();
        report_hits(out, hits);
    }
}

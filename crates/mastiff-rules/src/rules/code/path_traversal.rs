use mastiff_code::{ArgValue, CallSite, CodeIndex, MethodRef};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{
    library_of_method, method_name, report_hits, short_callee, simple_class_name, Hit,
};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// A file path built, in the same method, straight from a value another app controls:
    /// - the sources: `Uri.getLastPathSegment()`, `Uri.getPath()`, `Uri.getQueryParameter()`,
    ///   `Intent.getStringExtra()` and `Bundle.getString()`;
    /// - the sinks: the child name of `new File(dir, name)` (any of the sources), and the
    ///   path opened by `FileInputStream`, `FileOutputStream`, `FileReader`, `FileWriter` and
    ///   `RandomAccessFile` (an Intent or Bundle string: a `Uri`'s whole path is what
    ///   `file://` URIs are for, and a bare `new File(path)` says nothing of its use);
    /// - not reported when the method canonicalizes a path (`getCanonicalPath`,
    ///   `getCanonicalFile`, `Path.normalize`), the usual guard.
    ///
    /// High when the value comes from a `Uri` in a content provider's `openFile`,
    /// `openAssetFile` or `openTypedAssetFile` (any app holding the URI reaches it); medium
    /// otherwise.
    ///
    /// ## Why it matters
    /// `getLastPathSegment()` and `getPath()` decode `%2F`, so a URI such as
    /// `content://app.provider/..%2F..%2Fshared_prefs%2Fsession.xml` names a file outside the
    /// directory the app meant to serve: another app reads or overwrites the app's private
    /// files (tokens, databases, code it loads later). An Intent extra used as a file name
    /// does the same through an exported activity or service.
    ///
    /// ## How to fix
    /// Resolve the path and check it stays inside the intended directory:
    /// `File f = new File(dir, name); if (!f.getCanonicalPath().startsWith(dir.getCanonicalPath()
    /// + File.separator)) throw new SecurityException();`, or map the request to a file through
    /// an id the app controls. For sharing files, use `androidx.core.content.FileProvider`.
    ///
    /// ## False positives
    /// Only flows within one method are followed, and a check done elsewhere (a caller that
    /// validates the name, a component that is not exported) is not seen: read the component's
    /// exposure. A value that is the source's on some branches and a constant on others is
    /// followed (the message says "on some branches"); one that is handed through a field or
    /// another method is missed.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0025: Testing for Injection Flaws; MASVS-CODE-4
    /// - CWE-22: Improper Limitation of a Pathname to a Restricted Directory
    /// - https://developer.android.com/privacy-and-security/risks/path-traversal
    pub PathTraversal {
        id: "CODE-008",
        name: "path-traversal",
        title: "File path built from another app's input",
        severity: High,
        masvs: [Code4],
        mastg: ["MASTG-TEST-0025"],
        cwe: [22],
        inputs: [Code],
    }
}

/// Where a sink takes its path.
#[derive(Clone, Copy, PartialEq)]
enum Arg {
    /// The child name under a directory (`new File(dir, name)`): any source.
    Child,
    /// A whole path opened for reading or writing (`new FileOutputStream(path)`): an Intent or
    /// Bundle string only (a `Uri`'s whole path is what `file://` URIs are for).
    OpenedPath,
}

/// `(class, descriptor, index of the path argument, kind)`; index 0 is the object under
/// construction. A bare `new File(path)` is not a sink: what the app does with it is unknown.
const SINKS: &[(&str, &str, usize, Arg)] = &[
    (
        "Ljava/io/File;",
        "(Ljava/io/File;Ljava/lang/String;)V",
        2,
        Arg::Child,
    ),
    (
        "Ljava/io/File;",
        "(Ljava/lang/String;Ljava/lang/String;)V",
        2,
        Arg::Child,
    ),
    (
        "Ljava/io/FileInputStream;",
        "(Ljava/lang/String;)V",
        1,
        Arg::OpenedPath,
    ),
    (
        "Ljava/io/FileOutputStream;",
        "(Ljava/lang/String;)V",
        1,
        Arg::OpenedPath,
    ),
    (
        "Ljava/io/FileOutputStream;",
        "(Ljava/lang/String;Z)V",
        1,
        Arg::OpenedPath,
    ),
    (
        "Ljava/io/FileReader;",
        "(Ljava/lang/String;)V",
        1,
        Arg::OpenedPath,
    ),
    (
        "Ljava/io/FileWriter;",
        "(Ljava/lang/String;)V",
        1,
        Arg::OpenedPath,
    ),
    (
        "Ljava/io/FileWriter;",
        "(Ljava/lang/String;Z)V",
        1,
        Arg::OpenedPath,
    ),
    (
        "Ljava/io/RandomAccessFile;",
        "(Ljava/lang/String;Ljava/lang/String;)V",
        1,
        Arg::OpenedPath,
    ),
];

/// Whether a value another app controls comes straight from this call; `true` in the second
/// place for a `Uri` accessor.
fn source(m: &MethodRef) -> Option<bool> {
    match (m.class, m.name) {
        ("Landroid/net/Uri;", "getLastPathSegment" | "getPath" | "getQueryParameter") => Some(true),
        ("Landroid/content/Intent;", "getStringExtra") | ("Landroid/os/Bundle;", "getString") => {
            Some(false)
        }
        _ => None,
    }
}

/// Whether the method canonicalizes a path somewhere (the usual traversal guard).
fn canonicalizes(code: &CodeIndex, site: &CallSite) -> bool {
    code.calls_in(site.caller).iter().any(|c| {
        matches!(
            (c.callee.class, c.callee.name),
            ("Ljava/io/File;", "getCanonicalPath" | "getCanonicalFile")
                | ("Ljava/nio/file/Path;", "normalize" | "toRealPath")
        )
    })
}

impl Rule for PathTraversal {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = Vec::new();
        for &(class, descriptor, at, kind) in SINKS {
            for site in code
                .calls_to(class, "<init>")
                .filter(|c| c.callee.descriptor == descriptor)
            {
                let (from, maybe) = match code.arg(site, at) {
                    Some(ArgValue::ReturnOf(from)) => (from, false),
                    Some(ArgValue::MaybeReturnOf(from)) => (from, true),
                    _ => continue,
                };
                let Some(from_uri) = source(&from.view()) else {
                    continue;
                };
                if kind == Arg::OpenedPath && from_uri {
                    continue;
                }
                if canonicalizes(code, &site) {
                    continue;
                }
                let in_provider_open = code.method(site.caller).is_some_and(|m| {
                    matches!(m.name, "openFile" | "openAssetFile" | "openTypedAssetFile")
                });
                let library = library_of_method(code, site.caller);
                let severity = match (library.is_some(), from_uri && in_provider_open) {
                    (true, _) => Severity::Low,
                    (false, true) => Severity::High,
                    (false, false) => Severity::Medium,
                };
                let decodes = if from_uri && &*from.name != "getQueryParameter" {
                    " (it decodes %2F, so \"..%2F\" climbs out of the directory)"
                } else {
                    ""
                };
                let from_what = if maybe {
                    format!("from {}() on some branches", short_callee(&from.view()))
                } else {
                    format!("from {}()", short_callee(&from.view()))
                };
                hits.push(Hit {
                    severity,
                    message: format!(
                        "new {}(..) with a path {from_what}{decodes} in {}, and no canonical-path check there",
                        simple_class_name(class),
                        method_name(code, site.caller)
                    ),
                    locations: vec![code.location(site.caller, site.offset)],
                    library,
                });
            }
        }
        report_hits(out, hits);
    }
}

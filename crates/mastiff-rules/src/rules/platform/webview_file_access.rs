use std::collections::BTreeMap;

use mastiff_code::{ArgValue, MethodId};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `WebSettings` calls with a constant `true` that open local content to web pages, one
    /// finding per method listing them:
    /// - `setAllowUniversalAccessFromFileURLs(true)` (high): a `file://` page may read any
    ///   origin, including other files and remote sites with the user's cookies;
    /// - `setAllowFileAccessFromFileURLs(true)` (high): a `file://` page may read other local
    ///   files through `XMLHttpRequest`;
    /// - `setAllowFileAccess(true)` (medium): the WebView may load `file://` URLs (default
    ///   `false` from targetSdk 30);
    /// - `setAllowContentAccess(true)` (low): the WebView may load `content://` URLs of the
    ///   app's and other apps' providers (the platform default, made explicit).
    ///
    /// ## Why it matters
    /// With file access from file URLs, a malicious HTML file that reaches the WebView (a
    /// download, a file written by another app, a URL from an intent) can read the app's
    /// private files, such as tokens in shared preferences and databases, and send them out.
    ///
    /// ## How to fix
    /// Leave these settings at their defaults (`false`; call `setAllowContentAccess(false)`
    /// and `setAllowFileAccess(false)` explicitly on older targets) and serve local content
    /// through `WebViewAssetLoader` on an `https://appassets.androidplatform.net` origin.
    ///
    /// ## False positives
    /// A WebView that only ever shows the app's own packaged HTML is at lower risk; the
    /// setting is still reported because what the WebView loads is not visible statically.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0252: References to Local File Access in WebViews
    /// - OWASP MASTG-TEST-0250: References to Content Provider Access in WebViews
    /// - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    /// - https://developer.android.com/privacy-and-security/risks/webview-unsafe-file-inclusion
    pub WebViewFileAccess {
        id: "PLT-006",
        name: "webview-local-file-access",
        title: "WebView allows file or content access",
        severity: High,
        masvs: [Platform2],
        mastg: ["MASTG-TEST-0252", "MASTG-TEST-0250"],
        cwe: [200],
        inputs: [Code],
    }
}

const SETTINGS: &[(&str, Severity)] = &[
    ("setAllowUniversalAccessFromFileURLs", Severity::High),
    ("setAllowFileAccessFromFileURLs", Severity::High),
    ("setAllowFileAccess", Severity::Medium),
    ("setAllowContentAccess", Severity::Low),
];

impl Rule for WebViewFileAccess {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut per_method: BTreeMap<MethodId, (u32, Severity, Vec<&str>)> = BTreeMap::new();
        for (name, severity) in SETTINGS {
            for s in code
                .calls_to_method_named(name)
                .filter(|c| c.callee.descriptor == "(Z)V")
                .filter(|c| code.arg(c, 1).and_then(ArgValue::as_int) == Some(1))
            {
                let e = per_method
                    .entry(s.caller)
                    .or_insert((s.offset, *severity, Vec::new()));
                e.1 = e.1.max(*severity);
                if !e.2.contains(name) {
                    e.2.push(name);
                }
            }
        }
        let mut hits = CodeHits::default();
        for (m, (offset, severity, names)) in per_method {
            let calls: Vec<String> = names.iter().map(|n| format!("{n}(true)")).collect();
            hits.add(
                code,
                m,
                offset,
                "file-access",
                severity,
                format!("{} in {}", calls.join(", "), method_label(code, m)),
            );
        }
        hits.emit(code, out);
    }
}

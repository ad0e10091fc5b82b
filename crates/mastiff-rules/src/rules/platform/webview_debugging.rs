use mastiff_code::ArgValue;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `WebView.setWebContentsDebuggingEnabled(true)` with a constant `true` (a call guarded
    /// by a non-constant flag such as `ApplicationInfo.FLAG_DEBUGGABLE` is not reported;
    /// `BuildConfig.DEBUG` is a constant and is seen as `false` in release builds).
    ///
    /// ## Why it matters
    /// With WebView debugging on, anyone with USB (or ADB-over-network) access can attach
    /// Chrome DevTools to every WebView of the app, read its DOM, cookies and storage, and run
    /// JavaScript in it, with no root and no debuggable flag.
    ///
    /// ## How to fix
    /// Enable it only for debug builds:
    /// `if (BuildConfig.DEBUG) WebView.setWebContentsDebuggingEnabled(true)`.
    ///
    /// ## False positives
    /// Debug builds scanned on purpose.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0227: Debugging Enabled for WebViews
    /// - CWE-489: Active Debug Code
    /// - https://developer.chrome.com/docs/devtools/remote-debugging/webviews
    pub WebViewDebugging {
        id: "PLT-007",
        name: "webview-debugging-enabled",
        title: "WebView remote debugging enabled",
        severity: Medium,
        masvs: [Resilience4],
        mastg: ["MASTG-TEST-0227"],
        cwe: [489],
        inputs: [Code],
    }
}

impl Rule for WebViewDebugging {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = CodeHits::default();
        for s in code
            .calls_to_method_named("setWebContentsDebuggingEnabled")
            .filter(|c| code.arg(c, 0).and_then(ArgValue::as_int) == Some(1))
        {
            hits.add(
                code,
                s.caller,
                s.offset,
                "debugging",
                Severity::Medium,
                format!(
                    "WebView.setWebContentsDebuggingEnabled(true) in {}",
                    method_label(code, s.caller)
                ),
            );
        }
        hits.emit(code, out);
    }
}

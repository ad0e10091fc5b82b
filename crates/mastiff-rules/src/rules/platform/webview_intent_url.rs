use mastiff_code::{java_type_name, ArgValue, CallSite, CodeIndex, MethodId};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{class_of, method_label, CodeHits};
use crate::rules::platform::ipc::{exported_components, outer_class};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// A method that reads an incoming Intent (`getStringExtra`, `getData`, `getDataString`,
    /// `getExtras`, ...) and calls `WebView.loadUrl` / `postUrl` with a URL that is not a
    /// constant:
    /// - medium when the URL is visibly the Intent value itself (`loadUrl(intent
    ///   .getStringExtra(..))`, or `getDataString()`, `getData().toString()`,
    ///   `getQueryParameter(..)`, `Bundle.getString(..)` as the argument);
    /// - low when both only happen in the same method (the URL may have been checked);
    /// - one level higher (medium → high, low → medium) when the class (or the class it is
    ///   nested in) is an exported component, which any app or web link can start.
    ///
    /// ## Why it matters
    /// Another app (or a web page, through a deep link) chooses what the WebView loads: a
    /// phishing page inside the app's UI, `javascript:` code in its origin, or a `file://`
    /// URL to the app's private files; with a JavaScript bridge the page also reaches Java
    /// code.
    ///
    /// ## How to fix
    /// Accept only URLs you expect: parse with `Uri.parse`, require the `https` scheme and
    /// compare the host exactly against an allow-list (not with `endsWith`/`contains`) before
    /// loading; do not export the activity unless needed.
    ///
    /// ## False positives
    /// Validation between reading the Intent and loading the URL is not seen; such cases are
    /// reported at the lower level. Flows through fields or other methods are not followed.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0027: Testing for URL Loading in WebViews
    /// - CWE-939: Improper Authorization in Handler for Custom URL Scheme
    /// - https://developer.android.com/privacy-and-security/risks/unsafe-uri-loading
    pub WebViewIntentUrl {
        id: "PLT-008",
        name: "webview-loads-intent-url",
        title: "WebView loads a URL taken from an Intent",
        severity: High,
        masvs: [Code4, Platform2],
        mastg: ["MASTG-TEST-0027"],
        cwe: [939, 20],
        inputs: [Manifest, Code],
    }
}

/// `Intent` getters that return caller-controlled data.
const INTENT_SOURCES: &[&str] = &[
    "getStringExtra",
    "getCharSequenceExtra",
    "getData",
    "getDataString",
    "getExtras",
    "getBundleExtra",
    "getParcelableExtra",
];

fn is_intent_source(c: &CallSite) -> bool {
    c.callee.class == "Landroid/content/Intent;" && INTENT_SOURCES.contains(&c.callee.name)
}

/// Whether `arg` is directly the result of reading Intent data.
fn direct_from_intent(arg: Option<&ArgValue>) -> bool {
    let Some(ArgValue::ReturnOf(m)) = arg else {
        return false;
    };
    match &*m.class {
        "Landroid/content/Intent;" => INTENT_SOURCES.contains(&&*m.name),
        "Landroid/net/Uri;" => matches!(&*m.name, "toString" | "getQueryParameter"),
        "Landroid/os/Bundle;" => matches!(&*m.name, "getString" | "getCharSequence"),
        _ => false,
    }
}

fn raise(s: Severity) -> Severity {
    match s {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        _ => Severity::High,
    }
}

fn reads_intent(code: &CodeIndex, m: MethodId) -> bool {
    code.calls_in(m).iter().any(is_intent_source)
}

impl Rule for WebViewIntentUrl {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let exported = exported_components(app);
        let mut hits = CodeHits::default();
        for name in ["loadUrl", "postUrl"] {
            for s in code.calls_to_method_named(name) {
                let url = code.arg(s, 1);
                if url.is_none_or(ArgValue::is_constant) || !reads_intent(code, s.caller) {
                    continue;
                }
                let direct = direct_from_intent(url);
                let mut severity = if direct {
                    Severity::Medium
                } else {
                    Severity::Low
                };
                let class = outer_class(class_of(code, s.caller));
                let mut notes = Vec::new();
                if exported.contains(&class) {
                    severity = raise(severity);
                    notes.push(format!("{} is exported", java_type_name(&class)));
                }
                let how = if direct {
                    match url {
                        Some(ArgValue::ReturnOf(m)) => {
                            format!("the result of {}.{}", java_type_name(&m.class), m.name)
                        }
                        _ => "Intent data".into(),
                    }
                } else {
                    "a URL computed in a method that reads Intent data".into()
                };
                let notes = if notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", notes.join("; "))
                };
                hits.add(
                    code,
                    s.caller,
                    s.offset,
                    "intent-url",
                    severity,
                    format!("{name}({how}) in {}{notes}", method_label(code, s.caller)),
                );
            }
        }
        hits.emit(code, out);
    }
}

use std::collections::HashSet;

use mastiff_code::{java_type_name, ArgValue, CallSite, CodeIndex};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{class_of, method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// `WebView.addJavascriptInterface(object, name)` in an app that enables JavaScript in a
    /// WebView (`WebSettings.setJavaScriptEnabled` with anything but a constant `false`),
    /// naming the exposed class and the JavaScript name, and whether JavaScript is enabled in
    /// the same class:
    /// - high when minSdk is below 17: on Android 4.1 and older every public method of the
    ///   object, including `getClass()`, is callable, so any page can reach
    ///   `Runtime.exec` through reflection (CVE-2012-6636);
    /// - medium otherwise: the `@JavascriptInterface` methods are callable by every page the
    ///   WebView loads, including injected or redirected ones.
    ///
    /// JavaScript enabled without any bridge is recorded as an info finding (one per method).
    /// A bridge in an app that never enables JavaScript is not reported (it is unreachable).
    ///
    /// `WebSettings.setPluginState(ON | ON_DEMAND)` is reported too: low when minSdk is below
    /// 18 (Android 4.2 and older run plugins such as Flash inside the WebView, with their own
    /// long history of remote code execution bugs), info otherwise (the call has no effect
    /// since Android 4.3 and is dead, deprecated code).
    ///
    /// ## Why it matters
    /// A JavaScript bridge turns any script running in the WebView (an ad, a third-party
    /// frame, a page reached over HTTP, content injected through XSS) into a caller of the
    /// app's Java code, with the app's permissions and data.
    ///
    /// ## How to fix
    /// Load only your own content over HTTPS in WebViews with bridges, restrict navigation in
    /// `shouldOverrideUrlLoading`, expose the narrowest interface possible, and prefer
    /// `WebViewCompat.addWebMessageListener` with an origin allow-list. Raise minSdk to 17 or
    /// more.
    ///
    /// ## False positives
    /// JavaScript enabled in one WebView and a bridge added to another one are still paired
    /// when both are in the app (the message says whether they are in the same class).
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0033: Testing for Java Objects Exposed Through WebViews
    /// - CVE-2012-6636; CWE-749: Exposed Dangerous Method or Function
    /// - https://developer.android.com/reference/android/webkit/WebView#addJavascriptInterface(java.lang.Object,%20java.lang.String)
    pub WebViewJsBridge {
        id: "PLT-005",
        name: "webview-javascript-bridge",
        title: "WebView exposes a Java object to JavaScript",
        severity: High,
        masvs: [Platform2],
        mastg: ["MASTG-TEST-0033", "MASTG-TEST-0031"],
        cwe: [749],
        inputs: [Manifest, Code],
    }
}

/// Calls that enable JavaScript (any argument but a constant `false`).
pub(crate) fn js_enabled_sites<'a>(code: &'a CodeIndex<'_>) -> Vec<CallSite<'a>> {
    code.calls_to_method_named("setJavaScriptEnabled")
        .filter(|c| c.callee.descriptor == "(Z)V")
        .filter(|c| code.arg(c, 1).and_then(ArgValue::as_int) != Some(0))
        .collect()
}

/// The object handed to `addJavascriptInterface`, as reports show it.
fn exposed_object(code: &CodeIndex, site: &CallSite) -> String {
    match code.arg(site, 1) {
        Some(ArgValue::NewInstance(c)) => format!("a new {}", java_type_name(c)),
        Some(ArgValue::Param(0)) => {
            format!("this ({})", java_type_name(class_of(code, site.caller)))
        }
        _ => "an object".to_string(),
    }
}

impl Rule for WebViewJsBridge {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let min_sdk = app.manifest.map_or(1, |m| m.min_sdk);
        let js = js_enabled_sites(code);
        let js_classes: HashSet<&str> = js.iter().map(|c| class_of(code, c.caller)).collect();
        let mut hits = CodeHits::default();
        let mut bridge_classes = HashSet::new();
        for s in code
            .calls_to_method_named("addJavascriptInterface")
            .filter(|c| c.callee.descriptor == "(Ljava/lang/Object;Ljava/lang/String;)V")
        {
            if js.is_empty() {
                break;
            }
            let class = class_of(code, s.caller);
            bridge_classes.insert(class);
            let name = code.arg(s, 2).and_then(ArgValue::as_str).map_or_else(
                || "a name built at run time".to_string(),
                |n| format!("\"{n}\""),
            );
            let where_js = if js_classes.contains(class) {
                "JavaScript is enabled in the same class".to_string()
            } else {
                let other = js
                    .first()
                    .map_or(String::new(), |c| method_label(code, c.caller));
                format!("JavaScript is enabled elsewhere in the app ({other})")
            };
            let (severity, risk) = if min_sdk < 17 {
                (
                    Severity::High,
                    format!("; minSdk {min_sdk} < 17: on Android 4.1 and older any page can call any public method through reflection (CVE-2012-6636)"),
                )
            } else {
                (Severity::Medium, String::new())
            };
            hits.add(
                code,
                s.caller,
                s.offset,
                "bridge",
                severity,
                format!(
                    "addJavascriptInterface({}, {name}) in {}; {where_js}{risk}",
                    exposed_object(code, &s),
                    method_label(code, s.caller)
                ),
            );
        }
        for s in code.calls_to("Landroid/webkit/WebSettings;", "setPluginState") {
            let state = match code.arg(s, 1) {
                Some(ArgValue::StaticField { field, .. })
                    if matches!(&*field.name, "ON" | "ON_DEMAND") =>
                {
                    &*field.name
                }
                _ => continue,
            };
            let (severity, effect) = if min_sdk < 18 {
                (
                    Severity::Low,
                    format!("minSdk {min_sdk} < 18: Android 4.2 and older run plugins such as Flash in the WebView"),
                )
            } else {
                (
                    Severity::Info,
                    "ignored since Android 4.3 (API 18): deprecated code to remove".to_string(),
                )
            };
            hits.add(
                code,
                s.caller,
                s.offset,
                "plugins",
                severity,
                format!(
                    "WebSettings.setPluginState(PluginState.{state}) in {}; {effect}",
                    method_label(code, s.caller)
                ),
            );
        }
        for s in js {
            if bridge_classes.contains(class_of(code, s.caller)) {
                continue;
            }
            hits.add(
                code,
                s.caller,
                s.offset,
                "javascript",
                Severity::Info,
                format!(
                    "JavaScript enabled in a WebView in {} (no JavaScript bridge in that class)",
                    method_label(code, s.caller)
                ),
            );
        }
        hits.emit(code, out);
    }
}

use std::collections::BTreeMap;

use mastiff_code::{CallSite, CodeIndex, MethodId};
use mastiff_core::{Location, Severity};

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{
    built_fragments, built_string, calls_before, library_of_method, method_name, quote,
    reads_text_field, report_hits, sensitive_word, Hit,
};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Logging in the app's own code (MASTG-TEST-0231): `android.util.Log.v/d/i/w/e/wtf/println`,
    /// `System.out/err.println/print` and `Throwable.printStackTrace()`.
    /// - Medium, one finding per method: the logged message is built at run time and the
    ///   constant fragments it is built from name something sensitive (`"Password: "`,
    ///   `"token="`, `"credit card"`...), or the method reads a text field
    ///   (`EditText.getText()`) just before the log call.
    /// - Info, one summary: the other log calls in app code (how many, in how many methods).
    ///
    /// Code outside the app's package is only reported when its message looks sensitive, as
    /// informational (labelled when it is a known library).
    ///
    /// ## Why it matters
    /// Logcat is read by developer tools, bug-report captures, crash reporters and, on older
    /// Android versions or with `READ_LOGS`, by other apps. Credentials and personal data that
    /// reach the log leave the app's control.
    ///
    /// ## How to fix
    /// Never log user input, credentials, tokens or personal data; strip logging from release
    /// builds (R8 `-assumenosideeffects class android.util.Log { *; }`) or use a logger that is
    /// disabled in release.
    ///
    /// ## False positives
    /// A fragment such as `"token refreshed: "` followed by a harmless value; fragments are
    /// matched between the previous log call and this one in the same method.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0231: References to Logging APIs
    /// - CWE-532: Insertion of Sensitive Information into Log File
    /// - https://developer.android.com/reference/android/util/Log
    pub SensitiveLogging {
        id: "STO-007",
        name: "sensitive-logging",
        title: "Sensitive data written to the log",
        severity: Medium,
        masvs: [Storage2],
        mastg: ["MASTG-TEST-0231"],
        cwe: [532],
        inputs: [Code],
    }
}

const LOG_METHODS: &[&str] = &["v", "d", "i", "w", "e", "wtf", "println"];

fn is_log_call(c: &CallSite) -> bool {
    (c.callee.class == "Landroid/util/Log;" && LOG_METHODS.contains(&c.callee.name))
        || (c.callee.class == "Ljava/io/PrintStream;"
            && matches!(c.callee.name, "println" | "print"))
}

/// The message argument of a log call, when it is a string.
fn message_index(c: &CallSite) -> Option<usize> {
    match (c.callee.class, c.callee.name) {
        // Static: println(int priority, String tag, String msg).
        ("Landroid/util/Log;", "println") => Some(2),
        ("Landroid/util/Log;", _) => {
            // Static: (String tag, String msg[, Throwable]); not w/wtf(String tag, Throwable).
            (c.callee.params().nth(1) == Some("Ljava/lang/String;")).then_some(1)
        }
        // PrintStream.println(String): `this` first.
        _ => (c.callee.params().next() == Some("Ljava/lang/String;")).then_some(1),
    }
}

/// Words that make a built log message look like it carries credentials, on top of the shared
/// sensitive words (`Log.d("Successful Login:", ", account=" + user + ":" + password)`).
const LOG_CONTEXT_WORDS: &[&str] = &["login", "logon", "signin", "username", "account"];

fn log_sensitive(s: &str) -> bool {
    sensitive_word(s).is_some()
        || crate::rules::code::helpers::words(s)
            .iter()
            .any(|w| LOG_CONTEXT_WORDS.contains(&w.as_str()))
}

/// Why this log call looks like it logs something sensitive.
fn sensitive_reason(code: &CodeIndex, site: &CallSite) -> Option<String> {
    let msg = code.arg(site, message_index(site)?)?;
    let how = built_string(msg)?;
    if let Some(frag) = built_fragments(code, site, is_log_call)
        .into_iter()
        .find(|f| log_sensitive(f))
    {
        return Some(format!("message {how} with the fragment {}", quote(frag)));
    }
    let tag = (site.callee.class == "Landroid/util/Log;")
        .then(|| code.args(site).first().and_then(|a| a.as_str()))
        .flatten();
    if let Some(tag) = tag.filter(|t| log_sensitive(t)) {
        return Some(format!("message {how} under the tag {}", quote(tag)));
    }
    if calls_before(code, site, is_log_call)
        .into_iter()
        .any(|c| reads_text_field(&c))
    {
        return Some(format!(
            "message {how} after reading a text field (getText())"
        ));
    }
    None
}

impl Rule for SensitiveLogging {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut sensitive: BTreeMap<MethodId, (u32, String, String)> = BTreeMap::new();
        let mut plain: BTreeMap<MethodId, u32> = BTreeMap::new();
        let mut plain_locs: Vec<Location> = Vec::new();
        let log_calls = LOG_METHODS
            .iter()
            .flat_map(|n| code.calls_to("Landroid/util/Log;", n))
            .chain(
                ["println", "print"]
                    .iter()
                    .flat_map(|n| code.calls_to("Ljava/io/PrintStream;", n)),
            );
        for site in log_calls {
            let app_code = code.is_app_code(site.caller);
            let library = library_of_method(code, site.caller);
            if let Some(why) = sensitive_reason(code, &site) {
                let api = crate::rules::code::helpers::short_callee(&site.callee);
                sensitive
                    .entry(site.caller)
                    .or_insert((site.offset, api, why));
            } else if app_code && library.is_none() {
                *plain.entry(site.caller).or_insert(0) += 1;
                if plain_locs.len() < 5 {
                    plain_locs.push(code.location(site.caller, site.offset));
                }
            }
        }
        let traces = code
            .calls_to_method_named("printStackTrace")
            .filter(|c| code.args(c).len() == 1 && code.is_app_code(c.caller))
            .count();
        let mut hits: Vec<Hit> = sensitive
            .into_iter()
            .map(|(m, (offset, api, why))| Hit {
                // A library's debug output is outside the app's control: labelled observation.
                // Outside the app's own package: not the app's logging (labelled when known).
                severity: if code.is_app_code(m) && library_of_method(code, m).is_none() {
                    Severity::Medium
                } else {
                    Severity::Info
                },
                message: format!("{api} in {}: {why}", method_name(code, m)),
                locations: vec![code.location(m, offset)],
                library: library_of_method(code, m),
            })
            .collect();
        if !plain.is_empty() || traces > 0 {
            let calls: u32 = plain.values().sum();
            hits.push(Hit {
                severity: Severity::Info,
                message: format!(
                    "{calls} other log calls in {} app-code methods and {traces} printStackTrace() calls: check that release builds strip them",
                    plain.len()
                ),
                locations: plain_locs,
                library: None,
            });
        }
        report_hits(out, hits);
    }
}

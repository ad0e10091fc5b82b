//! Shared helpers for the bytecode rules of the storage, code and resilience groups: naming call
//! sites, reading the constants around a call, recognising sensitive-looking names, and capping
//! the number of findings a rule reports.

use mastiff_code::{ArgValue, CallSite, CodeIndex, MethodId, MethodRef, StringUse};
use mastiff_core::{Location, Severity};

use crate::rule::Sink;

/// Most findings one bytecode rule reports per app; the rest are counted in a last note.
pub(crate) const MAX_FINDINGS: usize = 50;

/// One finding a bytecode rule wants to report.
pub(crate) struct Hit {
    pub severity: Severity,
    pub message: String,
    pub locations: Vec<Location>,
    pub library: Option<&'static str>,
}

/// Reports hits, most severe first, at most [`MAX_FINDINGS`]; a final info note says how many
/// were left out so a reader knows the list is not complete.
pub(crate) fn report_hits(out: &mut Sink, mut hits: Vec<Hit>) {
    hits.sort_by_key(|h| std::cmp::Reverse(h.severity));
    let more = hits.len().saturating_sub(MAX_FINDINGS);
    for h in hits.into_iter().take(MAX_FINDINGS) {
        out.report_code(h.severity, h.message, h.locations, h.library);
    }
    if more > 0 {
        out.report_at(
            Severity::Info,
            format!("{more} more sites of this kind not listed (first {MAX_FINDINGS} shown)"),
            Vec::new(),
        );
    }
}

/// `com.x.Crypto.encrypt(byte[])`.
pub(crate) fn method_name(code: &CodeIndex, id: MethodId) -> String {
    match code.location(id, 0) {
        Location::Dex { class, method, .. } => format!("{class}.{method}"),
        _ => String::new(),
    }
}

/// The known library the method's class belongs to (`None` for the app's own code).
pub(crate) fn library_of_method(code: &CodeIndex, id: MethodId) -> Option<&'static str> {
    code.method(id).and_then(|m| code.library_of(m.class))
}

/// Whether the method is the app's own code in the wide sense: app code, or code in a package
/// that is not a known library (apps whose classes live outside the manifest package, such as
/// `sg.vantagepoint.*` in `owasp.mstg.uncrackable1`). Used where missing the app's own checks
/// would be worse than counting an unknown library's.
pub(crate) fn own_code(code: &CodeIndex, id: MethodId) -> bool {
    code.is_app_code(id) || (library_of_method(code, id).is_none() && code.method(id).is_some())
}

/// `Log.d`, `SQLiteDatabase.rawQuery`: the callee's simple class name and method name.
pub(crate) fn short_callee(callee: &MethodRef) -> String {
    format!("{}.{}", simple_class_name(callee.class), callee.name)
}

/// `Landroid/content/SharedPreferences$Editor;` → `SharedPreferences.Editor`.
pub(crate) fn simple_class_name(descriptor: &str) -> String {
    let inner = descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
        .unwrap_or(descriptor);
    inner.rsplit('/').next().unwrap_or(inner).replace('$', ".")
}

/// The const-strings of one method, in instruction order (`string_uses` is in method order).
pub(crate) fn strings_in<'a>(code: &'a CodeIndex<'_>, id: MethodId) -> Vec<StringUse<'a>> {
    code.string_uses_in(id).collect()
}

/// The const-strings of `site`'s method loaded after the previous call to any of `same_kind`
/// in that method and before `site`: the constant fragments a concatenated argument was most
/// likely built from.
pub(crate) fn fragments_before<'a>(
    code: &'a CodeIndex,
    site: &CallSite,
    same_kind: impl Fn(&CallSite) -> bool,
) -> Vec<&'a str> {
    let from = code
        .calls_in(site.caller)
        .iter()
        .filter(|c| c.offset < site.offset && same_kind(c))
        .map(|c| c.offset)
        .max()
        .unwrap_or(0);
    strings_in(code, site.caller)
        .iter()
        .filter(|s| s.offset > from && s.offset < site.offset)
        .map(|s| s.value)
        .collect()
}

/// The constant pieces of the string built for `site`'s argument: the constant arguments of the
/// last `StringBuilder`/`StringBuffer` chain before `site` (from its constructor on), and of
/// `String.concat`/`String.format` calls, after the previous call matching `same_kind`. Narrower
/// than [`fragments_before`]: a constant used for something else nearby is not a fragment.
pub(crate) fn built_fragments<'a>(
    code: &'a CodeIndex,
    site: &CallSite,
    same_kind: impl Fn(&CallSite) -> bool,
) -> Vec<&'a str> {
    let window = calls_before(code, site, same_kind);
    let is_builder = |c: &CallSite| {
        matches!(
            c.callee.class,
            "Ljava/lang/StringBuilder;" | "Ljava/lang/StringBuffer;"
        )
    };
    let start = window
        .iter()
        .rposition(|c| is_builder(c) && c.callee.name == "<init>")
        .unwrap_or(0);
    window
        .into_iter()
        .skip(start)
        .filter(|c| {
            (is_builder(c) && matches!(c.callee.name, "<init>" | "append"))
                || (c.callee.class == "Ljava/lang/String;"
                    && matches!(c.callee.name, "concat" | "format"))
        })
        .flat_map(|c| code.args(c).iter().filter_map(|a| a.as_str()))
        .collect()
}

/// Calls made by `site`'s method before `site` (and after the previous call matching
/// `same_kind`), e.g. to see whether an `EditText.getText()` fed a log message.
pub(crate) fn calls_before<'a>(
    code: &'a CodeIndex,
    site: &CallSite,
    same_kind: impl Fn(&CallSite) -> bool,
) -> Vec<CallSite<'a>> {
    let calls = code.calls_in(site.caller);
    let from = calls
        .iter()
        .filter(|c| c.offset < site.offset && same_kind(c))
        .map(|c| c.offset)
        .max()
        .unwrap_or(0);
    calls
        .into_iter()
        .filter(|c| c.offset > from && c.offset < site.offset)
        .collect()
}

/// Whether the method calls `class.name` anywhere.
pub(crate) fn method_calls(code: &CodeIndex, id: MethodId, class: &str, name: &str) -> bool {
    code.calls_in(id)
        .iter()
        .any(|c| c.callee.class == class && c.callee.name == name)
}

/// Whether a call reads user input from a text field (`EditText.getText()` and the like).
pub(crate) fn reads_text_field(c: &CallSite) -> bool {
    c.callee.name == "getText"
        && matches!(
            c.callee.class,
            "Landroid/widget/EditText;"
                | "Landroid/widget/TextView;"
                | "Landroid/widget/AutoCompleteTextView;"
                | "Lcom/google/android/material/textfield/TextInputEditText;"
                | "Landroidx/appcompat/widget/AppCompatEditText;"
        )
}

/// How a string argument was produced, when it was built at run time.
pub(crate) fn built_string(v: &ArgValue) -> Option<String> {
    match v {
        ArgValue::ReturnOf(m) => {
            let class = &*m.class;
            let name = &*m.name;
            let built = matches!(
                (class, name),
                ("Ljava/lang/StringBuilder;", "toString")
                    | ("Ljava/lang/StringBuffer;", "toString")
                    | ("Ljava/lang/String;", "concat")
                    | ("Ljava/lang/String;", "format")
                    | ("Lkotlin/text/StringsKt;", "trimIndent")
                    | ("Lkotlin/text/StringsKt__IndentKt;", "trimIndent")
            ) || (class == "Ljava/lang/invoke/CallSite;"
                && name == "makeConcatWithConstants");
            built.then(|| format!("built by {}", short_callee(&m.view())))
        }
        ArgValue::Param(n) => Some(format!("parameter {n} of the method")),
        _ => None,
    }
}

/// Sensitive-looking words matched as whole words of an identifier or text
/// (`user_pin`, `PIN code`, `authToken`), never inside other words (`mapping`, `spinner`).
const SENSITIVE_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passcode",
    "passphrase",
    "pin",
    "token",
    "secret",
    "ssn",
    "credit",
    "cvv",
    "cvc",
    "dob",
    "birthdate",
    "health",
    "diagnosis",
    "credential",
    "credentials",
    "otp",
    "apikey",
    "privatekey",
    "accesstoken",
    "authtoken",
    "refreshtoken",
    "sessionid",
    "creditcard",
    "cardnumber",
];

/// Two-word phrases that are sensitive together (`credit card`, `card_number`, `api key`).
const SENSITIVE_PAIRS: &[(&str, &str)] = &[
    ("card", "number"),
    ("api", "key"),
    ("private", "key"),
    ("secret", "key"),
    ("social", "security"),
    ("date", "birth"),
];

/// Splits `authTokenValue`, `user_pin`, `Credit card: ` into lower-case words.
pub(crate) fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in s.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The sensitive word or phrase `s` contains, if any (`"user_password"` → `password`).
pub(crate) fn sensitive_word(s: &str) -> Option<String> {
    let w = words(s);
    if let Some(hit) = w.iter().find(|x| SENSITIVE_WORDS.contains(&x.as_str())) {
        return Some(hit.clone());
    }
    w.windows(2)
        .find(|p| {
            SENSITIVE_PAIRS.iter().any(|(a, b)| {
                p.first().map(String::as_str) == Some(*a)
                    && p.get(1).map(String::as_str) == Some(*b)
            })
        })
        .map(|p| p.join(" "))
        .or_else(|| {
            // Lower-case compounds without separators: `userpassword`, `authtoken`.
            let flat = s.to_ascii_lowercase();
            ["password", "passwd", "credential", "creditcard"]
                .iter()
                .find(|k| flat.contains(*k))
                .map(|k| k.to_string())
        })
}

/// A string for a message: quoted, at most 80 characters.
pub(crate) fn quote(s: &str) -> String {
    let short: String = s.chars().take(80).collect();
    if short.len() < s.len() {
        format!("{short:?}…")
    } else {
        format!("{short:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_words_are_whole_words() {
        assert_eq!(sensitive_word("user_pin").as_deref(), Some("pin"));
        assert_eq!(sensitive_word("authToken").as_deref(), Some("token"));
        assert_eq!(sensitive_word("PASSWORD_KEY").as_deref(), Some("password"));
        assert_eq!(sensitive_word("userpassword").as_deref(), Some("password"));
        assert_eq!(
            sensitive_word("Error with credit card: ").as_deref(),
            Some("credit")
        );
        assert_eq!(
            sensitive_word("card_number").as_deref(),
            Some("card number")
        );
        assert_eq!(sensitive_word("mapping_spinner"), None);
        assert_eq!(sensitive_word("tokenizer_shipping"), None);
        assert_eq!(sensitive_word("theme_color"), None);
    }

    #[test]
    fn simple_names() {
        assert_eq!(
            simple_class_name("Landroid/content/SharedPreferences$Editor;"),
            "SharedPreferences.Editor"
        );
        assert_eq!(simple_class_name("LFoo;"), "Foo");
    }
}

use mastiff_code::{ArgValue, CallSite, CodeIndex, MethodRef};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::network::{method_label, CodeHits};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// A text message (`SmsManager.sendTextMessage`, `sendMultipartTextMessage`) whose body,
    /// in the same method, is a device identifier, the phone number, the SIM serial, the
    /// subscriber id, a location coordinate or the Android ID:
    /// - the value returned by the source passed straight as the body (high confidence);
    /// - a body built with `StringBuilder` in that method from the source's value (the
    ///   message says "built from").
    ///
    /// The sources are `TelephonyManager.getDeviceId/getImei/getMeid/getSubscriberId/
    /// getLine1Number/getSimSerialNumber`, `Location.getLatitude/getLongitude` and
    /// `Settings.Secure.getString(.., "android_id")`.
    ///
    /// A user's credential is the other source: a body built with `StringBuilder` in a method
    /// that, before the send, calls a getter named for a password or a secret returning a
    /// string or `char[]` (`getPassword()`, `getClientSecret()`). The value may be transformed on the
    /// way (DroidBench's `PrivateDataLeak1` spells the password out character by character),
    /// so this is reported at medium severity and says "in a method that reads".
    ///
    /// ## Why it matters
    /// These values identify the user and the device for good (the IMEI survives a factory
    /// reset). An SMS leaves the device in clear text, costs the user money, and shows
    /// nowhere in the app's network traffic, so it is a favourite exfiltration channel of
    /// spyware and of over-eager analytics. For an app that handles health data it is also a
    /// disclosure of personal data to a third party.
    ///
    /// ## How to fix
    /// Do not send identifiers by SMS. If the app must tell a server who the device is, use a
    /// per-install random id (`UUID.randomUUID()` stored in app storage) over TLS, with the
    /// user's consent.
    ///
    /// ## False positives
    /// An app whose purpose is to send the device's own number or location to the user's own
    /// emergency contact (and says so) is reported too: check the destination and the consent
    /// flow. Only flows within one method are seen: a value handed over through a field or
    /// another method is missed. For credentials the link is the method, not the value: a
    /// method that reads a password for another purpose and sends an unrelated built message
    /// is reported too.
    ///
    /// ## References
    /// - OWASP MASVS-PRIVACY-1, MASVS-PRIVACY-2
    /// - CWE-359: Exposure of Private Personal Information to an Unauthorized Actor
    /// - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    /// - https://developer.android.com/identity/user-data-ids
    pub SensitiveDataBySms {
        id: "PRIV-001",
        name: "sensitive-data-by-sms",
        title: "Device identifier, location or password sent by SMS",
        severity: High,
        masvs: [Privacy1, Privacy2],
        mastg: [],
        cwe: [359, 200],
        inputs: [Code],
        coverage: Partial,
    }
}

const SMS: &str = "Landroid/telephony/SmsManager;";

/// `(class, method, what it is)` of the sources.
const SOURCES: &[(&str, &str, &str)] = &[
    (
        "Landroid/telephony/TelephonyManager;",
        "getDeviceId",
        "the device id (IMEI/MEID)",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getImei",
        "the IMEI",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getMeid",
        "the MEID",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getSubscriberId",
        "the subscriber id (IMSI)",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getLine1Number",
        "the phone number",
    ),
    (
        "Landroid/telephony/TelephonyManager;",
        "getSimSerialNumber",
        "the SIM serial number",
    ),
    ("Landroid/location/Location;", "getLatitude", "the latitude"),
    (
        "Landroid/location/Location;",
        "getLongitude",
        "the longitude",
    ),
];

/// What a value is, when it is a source's result.
fn source_of(v: &ArgValue) -> Option<&'static str> {
    match v {
        ArgValue::ReturnOf(m) => source_method(&m.view()),
        _ => None,
    }
}

fn source_method(m: &MethodRef) -> Option<&'static str> {
    SOURCES
        .iter()
        .find(|(c, n, _)| *c == &*m.class && *n == &*m.name)
        .map(|(_, _, what)| *what)
}

/// What a getter returns when it is named for a user's credential and returns text
/// (`getPassword()Ljava/lang/String;`, `getSecret()[C`).
fn credential_getter(m: &MethodRef) -> Option<&'static str> {
    if !m.name.starts_with("get") || !matches!(m.return_type(), "Ljava/lang/String;" | "[C") {
        return None;
    }
    match crate::rules::auth::credential_kind(m.name)? {
        "password" => Some("a password"),
        "secret" => Some("a secret"),
        _ => None,
    }
}

/// Whether `m` is `Settings.Secure.getString`.
fn is_secure_get_string(m: &MethodRef) -> bool {
    m.class == "Landroid/provider/Settings$Secure;" && m.name == "getString"
}

/// The sources read in `site`'s method before `site` and what each is: calls to a source, and
/// `Settings.Secure.getString(.., "android_id")`.
fn sources_before<'a>(
    code: &'a CodeIndex,
    site: &'a CallSite,
) -> impl Iterator<Item = (CallSite<'a>, &'static str)> + 'a {
    code.calls_in(site.caller)
        .into_iter()
        .filter(move |c| c.offset < site.offset)
        .filter_map(move |c| {
            if let Some(what) = source_method(&c.callee) {
                return Some((c, what));
            }
            (is_secure_get_string(&c.callee)
                && code.arg(c, 1).and_then(ArgValue::as_str) == Some("android_id"))
            .then_some((c, "the Android ID"))
        })
}

impl Rule for SensitiveDataBySms {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = CodeHits::default();
        for name in ["sendTextMessage", "sendMultipartTextMessage"] {
            for site in code.calls_to(SMS, name) {
                // (this, destination, service centre, body, ...)
                let Some(body) = code.arg(site, 3) else {
                    continue;
                };
                let sources: Vec<_> = sources_before(code, &site).collect();
                let direct = source_of(body).or_else(|| {
                    // A setting's value passed straight: the Android ID when that is the
                    // setting the method reads.
                    match body {
                        ArgValue::ReturnOf(m) if is_secure_get_string(&m.view()) => sources
                            .iter()
                            .find(|(c, _)| is_secure_get_string(&c.callee))
                            .map(|(_, what)| *what),
                        _ => None,
                    }
                });
                let message = if sources.is_empty() {
                    // A credential read in the method and a built body: the weaker link.
                    let Some((getter, what)) = credential_before(code, &site) else {
                        continue;
                    };
                    if !is_built(body) {
                        continue;
                    }
                    hits.add(
                        code,
                        site.caller,
                        site.offset,
                        "sms-credential",
                        Severity::Medium,
                        format!(
                            "SmsManager.{name} body built in a method that reads {what} ({}()) in {}",
                            getter.callee.name,
                            method_label(code, site.caller)
                        ),
                    );
                    continue;
                } else if let Some(what) = direct {
                    format!(
                        "{what} sent as the body of SmsManager.{name} in {}",
                        method_label(code, site.caller)
                    )
                } else if built_from_source(code, &site, body, &sources) {
                    let whats: Vec<&str> = dedup(sources.iter().map(|(_, w)| *w));
                    format!(
                        "SmsManager.{name} body built from {} in {}",
                        whats.join(", "),
                        method_label(code, site.caller)
                    )
                } else {
                    continue;
                };
                hits.add(
                    code,
                    site.caller,
                    site.offset,
                    "sms",
                    Severity::High,
                    message,
                );
            }
        }
        hits.emit(code, out);
    }
}

/// Whether the body is a `StringBuilder`/`String` result and a source's value was appended to
/// a builder (or concatenated) in the same method before the send.
fn built_from_source(
    code: &CodeIndex,
    site: &CallSite,
    body: &ArgValue,
    sources: &[(CallSite, &'static str)],
) -> bool {
    if !is_built(body) {
        return false;
    }
    code.calls_in(site.caller)
        .iter()
        .filter(|c| c.offset < site.offset)
        .filter(|c| {
            matches!(
                (c.callee.class, c.callee.name),
                (
                    "Ljava/lang/StringBuilder;" | "Ljava/lang/StringBuffer;",
                    "append" | "<init>"
                ) | ("Ljava/lang/String;", "concat" | "valueOf" | "format")
            )
        })
        .any(|c| {
            code.args(c).iter().any(|a| match a {
                ArgValue::ReturnOf(r) => sources.iter().any(|(s, _)| r.view() == s.callee),
                _ => false,
            })
        })
}

/// Whether a value is text put together at run time: a `StringBuilder`/`StringBuffer`
/// result or `String.concat/valueOf/format`.
fn is_built(body: &ArgValue) -> bool {
    let ArgValue::ReturnOf(m) = body else {
        return false;
    };
    matches!(
        (&*m.class, &*m.name),
        (
            "Ljava/lang/StringBuilder;" | "Ljava/lang/StringBuffer;",
            "toString"
        ) | ("Ljava/lang/String;", "concat" | "valueOf" | "format")
    )
}

/// The first call before `site`, in its method, to a getter of a user's credential.
fn credential_before<'a>(
    code: &'a CodeIndex,
    site: &CallSite,
) -> Option<(CallSite<'a>, &'static str)> {
    code.calls_in(site.caller)
        .into_iter()
        .filter(|c| c.offset < site.offset)
        .find_map(|c| credential_getter(&c.callee).map(|what| (c, what)))
}

fn dedup<'a>(it: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = Vec::new();
    for s in it {
        if !v.contains(&s) {
            v.push(s);
        }
    }
    v
}

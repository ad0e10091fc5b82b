use mastiff_android::ComponentKind;
use mastiff_code::ArgValue;
use mastiff_core::{Control, Severity};

use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::rules::network::method_label;
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Whether the app protects its screens from screenshots and screen recording:
    /// - `Window.setFlags` / `addFlags` with `FLAG_SECURE` (`0x2000`) as a constant, or
    ///   `SurfaceView.setSecure(true)`, are recorded as positive evidence for
    ///   MASVS-PLATFORM-3 (the method is named);
    /// - when none is found anywhere and the app has activities whose names suggest
    ///   credentials or payment data (words such as Login, SignIn, Password, Passcode, Pin,
    ///   Otp, Payment, Card, Checkout, Wallet, Credentials), a low finding names them.
    ///
    /// ## Why it matters
    /// Without `FLAG_SECURE`, the system's recent-apps thumbnail, screenshots, screen
    /// recordings, casting and accessibility-based malware can capture passwords, one-time
    /// codes and card numbers shown on screen.
    ///
    /// ## How to fix
    /// In `onCreate` of sensitive activities (before `setContentView`):
    /// `getWindow().setFlags(FLAG_SECURE, FLAG_SECURE)`; for Compose dialogs use
    /// `SecureFlagPolicy.SecureOn`.
    ///
    /// ## False positives
    /// Activity names are a guess at what is shown; a flag set through a value computed at
    /// run time is not seen.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0010: Finding Sensitive Information in Auto-Generated Screenshots
    /// - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    /// - https://developer.android.com/security/fraud-prevention/activities#flag_secure
    pub FlagSecure {
        id: "PLT-010",
        name: "sensitive-screen-without-flag-secure",
        title: "Sensitive screens can be captured (no FLAG_SECURE)",
        severity: Low,
        masvs: [Platform3],
        mastg: ["MASTG-TEST-0010"],
        cwe: [200],
        inputs: [Manifest, Code],
    }
}

const FLAG_SECURE: i64 = 0x2000;

/// Words of an activity name that suggest it shows credentials or payment data.
const SENSITIVE_WORDS: &[&str] = &[
    "login",
    "logon",
    "signin",
    "password",
    "passcode",
    "passwd",
    "pin",
    "otp",
    "payment",
    "card",
    "checkout",
    "wallet",
    "credentials",
    "credential",
];

/// Lower-case words of a class's simple name: `PostLoginActivity` → post, login, activity;
/// `SignInActivity` also gives `signin`.
fn words(simple_name: &str) -> Vec<String> {
    let mut out = crate::rules::code::helpers::words(simple_name);
    let pairs: Vec<String> = out.windows(2).map(|w| w.concat()).collect();
    out.extend(pairs);
    out
}

pub(crate) fn is_sensitive_name(class_name: &str) -> bool {
    let simple = class_name.rsplit(['.', '$']).next().unwrap_or(class_name);
    words(simple)
        .iter()
        .any(|w| SENSITIVE_WORDS.contains(&w.as_str()))
}

impl Rule for FlagSecure {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let (Some(code), Some(m)) = (app.code, app.manifest) else {
            return;
        };
        let mut secured = 0;
        for name in ["setFlags", "addFlags"] {
            for s in code.calls_to("Landroid/view/Window;", name) {
                if code
                    .arg(s, 1)
                    .and_then(ArgValue::as_int)
                    .is_some_and(|f| f & FLAG_SECURE != 0)
                {
                    secured += 1;
                    out.evidence(
                        Control::Platform3,
                        format!(
                            "Window.{name}(FLAG_SECURE) in {}",
                            method_label(code, s.caller)
                        ),
                        vec![code.location(s.caller, s.offset)],
                    );
                }
            }
        }
        for s in code
            .calls_to("Landroid/view/SurfaceView;", "setSecure")
            .filter(|c| code.arg(c, 1).and_then(ArgValue::as_int) == Some(1))
        {
            secured += 1;
            out.evidence(
                Control::Platform3,
                format!(
                    "SurfaceView.setSecure(true) in {}",
                    method_label(code, s.caller)
                ),
                vec![code.location(s.caller, s.offset)],
            );
        }
        if secured > 0 {
            return;
        }
        let sensitive: Vec<&str> = m
            .components
            .iter()
            .filter(|c| {
                matches!(
                    c.kind,
                    ComponentKind::Activity | ComponentKind::ActivityAlias
                )
            })
            .filter(|c| {
                code.library_of(&format!("L{};", c.name.replace('.', "/")))
                    .is_none()
            })
            .map(|c| c.name.as_str())
            .filter(|n| is_sensitive_name(n))
            .collect();
        let Some(first) = sensitive.first() else {
            return;
        };
        let mut names: Vec<&str> = sensitive.iter().take(5).copied().collect();
        let more = format!("{} more", sensitive.len().saturating_sub(5));
        if sensitive.len() > 5 {
            names.push(&more);
        }
        out.report_at(
            Severity::Low,
            format!(
                "no FLAG_SECURE anywhere in the code, and these activities look sensitive: {}",
                names.join(", ")
            ),
            vec![manifest_location(
                app,
                &format!("manifest/application/activity[{first}]"),
                None,
            )],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_activity_names() {
        assert!(is_sensitive_name("com.x.LoginActivity"));
        assert!(is_sensitive_name("com.x.SignInActivity"));
        assert!(is_sensitive_name("com.x.PinEntryActivity"));
        assert!(is_sensitive_name("com.x.ui.CardDetails"));
        assert!(is_sensitive_name("com.x.PostLogin"));
        assert!(!is_sensitive_name("com.x.SpinnerActivity"));
        assert!(!is_sensitive_name("com.x.ShippingActivity"));
        assert!(!is_sensitive_name("com.x.MainActivity"));
        assert!(!is_sensitive_name("com.x.DiscardActivity"));
    }
}

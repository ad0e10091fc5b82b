use mastiff_core::{Control, Severity};

use crate::rule::{Rule, Sink};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// How much of the app's own code (app code, and classes outside known libraries) has
    /// obfuscated names: the share of those classes whose
    /// simple name (after the package) is 1-2 characters or non-ASCII (`a`, `b0`, DexGuard's
    /// Unicode names), and the same for method names (constructors excluded). `R` and
    /// `BuildConfig` are not counted. The R8 marker string (`~~R8{..}`) in the dex files is
    /// reported alongside.
    /// - at least 25 % short class names: positive evidence for MASVS-RESILIENCE-3, with the
    ///   figures;
    /// - below: a medium finding "not obfuscated (x % short names in N app classes)".
    ///
    /// The class figure is computed like the corpus manifest's `obfuscation_short_name_frac`.
    ///
    /// ## Why it matters
    /// Readable names turn decompiled code into documentation: an attacker finds the license
    /// check, the root check or the hard-coded key in minutes. Obfuscation is the first layer
    /// the seeds require.
    ///
    /// ## How to fix
    /// Enable R8 in release builds (`minifyEnabled true` / `isMinifyEnabled = true`) with the
    /// default obfuscation, keeping only the names the framework needs; consider string
    /// encryption and a commercial obfuscator for sensitive logic.
    ///
    /// ## False positives
    /// Apps made mostly of framework entry points (activities, services kept by name) show a
    /// lower share even when R8 ran; the method figure and the R8 marker help judge those.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0051: Testing Obfuscation
    /// - CWE-656: Reliance on Security Through Obscurity (inverse: no protection at all)
    /// - https://developer.android.com/build/shrink-code
    pub Obfuscation {
        id: "RES-010",
        name: "not-obfuscated",
        title: "App code is not obfuscated",
        severity: Medium,
        masvs: [Resilience3],
        mastg: ["MASTG-TEST-0051"],
        cwe: [656],
        inputs: [Code],
    }
}

/// Share of short class names from which the code counts as obfuscated.
const OBFUSCATED_SHARE: f64 = 0.25;

fn is_short(name: &str) -> bool {
    name.chars().count() <= 2 || !name.is_ascii()
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

impl Rule for Obfuscation {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let (mut classes, mut short_classes, mut methods, mut short_methods) = (0, 0, 0, 0);
        for c in code
            .classes()
            .filter(|c| c.is_app_code || code.library_of(c.descriptor).is_none())
        {
            let simple = c
                .descriptor
                .trim_end_matches(';')
                .rsplit('/')
                .next()
                .unwrap_or("");
            if simple == "R" || simple.starts_with("R$") || simple == "BuildConfig" {
                continue;
            }
            classes += 1;
            short_classes += usize::from(is_short(simple));
            for name in c.methods().filter_map(|id| code.method_name(id)) {
                if name.starts_with('<') {
                    continue;
                }
                methods += 1;
                short_methods += usize::from(is_short(name));
            }
        }
        if classes == 0 {
            return;
        }
        let r8 = code
            .strings()
            .find(|s| s.starts_with("~~R8{"))
            .map(|s| s.chars().take(60).collect::<String>());
        let share = short_classes as f64 / classes as f64;
        let figures = format!(
            "{:.1}% short names in {classes} app classes, {:.1}% in {methods} app methods; R8 marker: {}",
            percent(short_classes, classes),
            percent(short_methods, methods),
            r8.as_deref().unwrap_or("none")
        );
        if share >= OBFUSCATED_SHARE {
            out.evidence(
                Control::Resilience3,
                format!("obfuscated names: {figures}"),
                Vec::new(),
            );
        } else {
            out.report_at(
                Severity::Medium,
                format!("not obfuscated ({figures})"),
                Vec::new(),
            );
        }
    }
}

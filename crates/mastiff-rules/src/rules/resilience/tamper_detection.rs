use mastiff_core::Control;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{method_name, own_code};
use crate::rules::resilience::detection::{any_calls, app_calls, rasp, record, Seen};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Whether the app checks that it has not been modified. Positive evidence for
    /// MASVS-RESILIENCE-2, in the app's own code:
    /// - signature checks: `PackageManager.getPackageInfo(.., GET_SIGNATURES (0x40) or
    ///   GET_SIGNING_CERTIFICATES (0x08000000))`, noting whether `Signature.toByteArray()`,
    ///   `hashCode()` or `toCharsString()` is then compared;
    /// - installer checks: `getInstallerPackageName`, `getInstallSourceInfo`;
    /// - file integrity: `ZipEntry.getCrc()` (the `classes.dex` CRC check);
    /// - Play Integrity (app integrity verdict) and self-protection SDKs, from any code.
    ///
    /// One medium finding when none is seen.
    ///
    /// ## Why it matters
    /// A repackaged app (premium features unlocked, a back door added, checks removed) runs
    /// with the original's name and icon. Tamper checks make the app notice and refuse to run
    /// or report to its backend.
    ///
    /// ## How to fix
    /// Use Play Integrity's `appIntegrity` verdict checked on the server; locally compare the
    /// signing certificate digest and the installer package with the expected values, and
    /// react (exit, degrade, report).
    ///
    /// ## False positives
    /// Checks in native code or behind reflection are not seen; a signature read for another
    /// purpose (SDK authentication) is counted as evidence.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0047: Testing File Integrity Checks; MASTG-TEST-0050: Runtime Integrity
    /// - CWE-354: Improper Validation of Integrity Check Value
    /// - https://developer.android.com/google/play/integrity/verdicts#application-integrity-field
    pub TamperDetection {
        id: "RES-009",
        name: "no-tamper-detection",
        title: "No anti-tampering checks",
        severity: Medium,
        masvs: [Resilience2],
        mastg: ["MASTG-TEST-0047", "MASTG-TEST-0050"],
        cwe: [354],
        inputs: [Code],
    }
}

const GET_SIGNATURES: i64 = 0x40;
const GET_SIGNING_CERTIFICATES: i64 = 0x0800_0000;

impl Rule for TamperDetection {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut sig = Vec::new();
        let compared = ["toByteArray", "hashCode", "toCharsString"]
            .iter()
            .find_map(|n| app_calls(code, "Landroid/content/pm/Signature;", n));
        for site in code.calls_to_method_named("getPackageInfo") {
            let Some(flags) = code.arg(site, 2).and_then(|a| a.as_int()) else {
                continue;
            };
            let which = if flags & GET_SIGNING_CERTIFICATES != 0 {
                "GET_SIGNING_CERTIFICATES"
            } else if flags & GET_SIGNATURES != 0 {
                "GET_SIGNATURES"
            } else {
                continue;
            };
            if !own_code(code, site.caller) {
                continue;
            }
            sig.push(Seen {
                what: format!(
                    "getPackageInfo(.., {which}) in {}{}",
                    method_name(code, site.caller),
                    compared
                        .as_ref()
                        .map_or(String::new(), |c| format!("; compared via {}", c.what))
                ),
                location: code.location(site.caller, site.offset),
            });
            break;
        }
        let mut installer = Vec::new();
        for name in ["getInstallerPackageName", "getInstallSourceInfo"] {
            installer.extend(app_calls(code, "Landroid/content/pm/PackageManager;", name));
        }
        let crc: Vec<Seen> = app_calls(code, "Ljava/util/zip/ZipEntry;", "getCrc")
            .into_iter()
            .collect();
        let mut attest = Vec::new();
        for (class, name) in [
            (
                "Lcom/google/android/play/core/integrity/IntegrityManager;",
                "requestIntegrityToken",
            ),
            (
                "Lcom/google/android/play/core/integrity/StandardIntegrityManager;",
                "prepareIntegrityToken",
            ),
        ] {
            attest.extend(any_calls(code, class, name));
        }
        attest.extend(rasp(code));
        let c = Control::Resilience2;
        let any = [
            record(out, c, "signature check", &sig),
            record(out, c, "installer check", &installer),
            record(out, c, "file integrity (CRC) check", &crc),
            record(out, c, "app integrity attestation", &attest),
        ];
        if !any.contains(&true) {
            out.report(
                "no tamper detection seen: no signing-certificate or installer check, no dex/file CRC check in app code, no Play Integrity",
                Vec::new(),
            );
        }
    }
}

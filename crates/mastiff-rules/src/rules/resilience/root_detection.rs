use mastiff_core::Control;

use crate::rule::{Rule, Sink};
use crate::rules::resilience::detection::{any_calls, app_calls, app_strings, rasp, record};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Whether the app checks the integrity of the platform it runs on. Positive evidence for
    /// MASVS-RESILIENCE-1, each naming what was seen and where:
    /// - root detection in the app's own code: su paths (`/system/xbin/su`, `/sbin/su`,
    ///   `daemonsu`), `Superuser.apk`, SuperSU and Magisk package names or paths, `test-keys`
    ///   (the `Build.TAGS` check), `busybox`;
    /// - RootBeer (`RootBeer.isRooted`), Play Integrity (`IntegrityManager.requestIntegrityToken`,
    ///   `StandardIntegrityManager.prepareIntegrityToken`), SafetyNet attestation
    ///   (`SafetyNetClient.attest`) and runtime self-protection SDKs (freeRASP, DexGuard);
    /// - emulator detection in app code (`goldfish`, `ranchu`, `sdk_gphone`, `ro.kernel.qemu`,
    ///   `genymotion`...), recorded as evidence but not enough on its own.
    ///
    /// One medium finding when no root detection or attestation is seen at all: the seeds
    /// require the app to check the platform and stop on a rooted device.
    ///
    /// Root checks inside other libraries (crash reporters collect an `isRooted` flag) are not
    /// counted: they do not protect the app.
    ///
    /// ## Why it matters
    /// On a rooted device the sandbox, the keystore's guarantees and biometric prompts can be
    /// bypassed by other code; an app handling health or payment data should know and refuse
    /// or limit service.
    ///
    /// ## How to fix
    /// Use Play Integrity (device and app verdicts checked on your server), and optionally a
    /// local library such as RootBeer; decide what the app does on a compromised device.
    ///
    /// ## False positives
    /// Checks implemented in native code or with encrypted strings are not seen: the finding
    /// then names what was looked for, and a reviewer can confirm.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0045: Testing Root Detection; MASTG-TEST-0049: Testing Emulator Detection
    /// - CWE-919: Weaknesses in Mobile Applications
    /// - https://developer.android.com/google/play/integrity
    pub RootDetection {
        id: "RES-008",
        name: "no-root-detection",
        title: "No root detection or platform attestation",
        severity: Medium,
        masvs: [Resilience1],
        mastg: ["MASTG-TEST-0045", "MASTG-TEST-0049"],
        cwe: [919],
        inputs: [Code],
    }
}

const ROOT_MARKERS: &[&str] = &[
    "/system/xbin/su",
    "/system/bin/su",
    "/sbin/su",
    "/su/bin",
    "daemonsu",
    "superuser.apk",
    "eu.chainfire.supersu",
    "com.noshufou.android.su",
    "com.koushikdutta.superuser",
    "com.topjohnwu.magisk",
    "/sbin/.magisk",
    "magisk",
    "test-keys",
    "busybox",
];

const EMULATOR_MARKERS: &[&str] = &[
    "goldfish",
    "ranchu",
    "sdk_gphone",
    "google_sdk",
    "ro.kernel.qemu",
    "init.svc.qemud",
    "qemu_pipe",
    "genymotion",
    "vbox86",
    "Android SDK built for x86",
];

impl Rule for RootDetection {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut root = app_strings(code, ROOT_MARKERS);
        for (class, name) in [
            ("Lcom/scottyab/rootbeer/RootBeer;", "isRooted"),
            (
                "Lcom/scottyab/rootbeer/RootBeer;",
                "isRootedWithoutBusyBoxCheck",
            ),
        ] {
            root.extend(any_calls(code, class, name));
        }
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
        attest.extend(app_calls(
            code,
            "Lcom/google/android/gms/safetynet/SafetyNetClient;",
            "attest",
        ));
        attest.extend(rasp(code));
        let emulator = app_strings(code, EMULATOR_MARKERS);
        let r = record(out, Control::Resilience1, "root detection", &root);
        let a = record(out, Control::Resilience1, "platform attestation", &attest);
        record(out, Control::Resilience1, "emulator detection", &emulator);
        if !r && !a {
            out.report(
                format!(
                    "no root detection or platform attestation seen (no su/Superuser/Magisk/test-keys checks in app code, no RootBeer, Play Integrity or SafetyNet){}",
                    if emulator.is_empty() { "" } else { "; only emulator detection was seen" }
                ),
                Vec::new(),
            );
        }
    }
}

use mastiff_core::Control;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{method_name, own_code, strings_in};
use crate::rules::resilience::detection::{
    app_calls, app_strings, native_markers, rasp, record, Seen,
};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Whether the app resists dynamic analysis. Positive evidence for MASVS-RESILIENCE-4:
    /// - debugger checks in app code: `Debug.isDebuggerConnected()`, `Debug.waitingForDebugger()`,
    ///   `TracerPid` / `/proc/self/status`, and a read of `ApplicationInfo.flags` in a method
    ///   that (or whose caller) mentions "debug" (the `FLAG_DEBUGGABLE` check);
    /// - instrumentation checks: `frida` (the whole string, or `frida-server`/`frida-agent`/
    ///   `gum-js-loop`...), `xposed`, `substrate`, `/proc/self/maps` in app code;
    /// - native libraries (one ABI each, crash reporters skipped) importing `ptrace` or holding
    ///   `TracerPid`, `frida` or `xposed`;
    /// - runtime self-protection SDKs (freeRASP, DexGuard).
    ///
    /// One medium finding when none is seen.
    ///
    /// ## Why it matters
    /// Debuggers and hooking frameworks (Frida, Xposed) let an attacker read keys from memory,
    /// skip checks and change the app's behaviour at run time; detecting them raises the cost.
    ///
    /// ## How to fix
    /// Check for an attached debugger and tracer at start-up and periodically (Java and native),
    /// detect hooking frameworks, and react; combine with Play Integrity.
    ///
    /// ## False positives
    /// A native library may import `ptrace` for another reason (the library name is given so it
    /// can be checked); checks with encrypted strings are not seen.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0046: Testing Anti-Debugging Detection; MASTG-TEST-0048: Reverse
    ///   Engineering Tools Detection
    /// - CWE-693: Protection Mechanism Failure
    /// - https://mas.owasp.org/MASTG/knowledge/android/MASVS-RESILIENCE/MASTG-KNOW-0030/
    pub AntiDebug {
        id: "RES-011",
        name: "no-anti-debugging",
        title: "No anti-debugging or anti-instrumentation checks",
        severity: Medium,
        masvs: [Resilience4],
        mastg: ["MASTG-TEST-0046", "MASTG-TEST-0048"],
        cwe: [693],
        inputs: [Code],
    }
}

impl Rule for AntiDebug {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut debugger: Vec<Seen> = ["isDebuggerConnected", "waitingForDebugger"]
            .iter()
            .filter_map(|n| app_calls(code, "Landroid/os/Debug;", n))
            .collect();
        debugger.extend(app_strings(code, &["TracerPid", "/proc/self/status"]));
        // `(getApplicationInfo().flags & FLAG_DEBUGGABLE) != 0`: the read itself is not
        // specific, so it counts when the method or one of its callers mentions "debug".
        let mentions_debug = |m: mastiff_code::MethodId| {
            strings_in(code, m)
                .iter()
                .any(|s| s.value.to_ascii_lowercase().contains("debug"))
        };
        if let Some(a) = code
            .field_accesses("Landroid/content/pm/ApplicationInfo;", "flags")
            .find(|a| {
                own_code(code, a.method)
                    && (mentions_debug(a.method)
                        || code.method(a.method).is_some_and(|m| {
                            code.calls_to(m.class, m.name)
                                .any(|c| mentions_debug(c.caller))
                        }))
            })
        {
            debugger.push(Seen {
                what: format!(
                    "ApplicationInfo.flags (FLAG_DEBUGGABLE) checked in {}",
                    method_name(code, a.method)
                ),
                location: code.location(a.method, a.offset),
            });
        }
        let instrumentation = app_strings(
            code,
            &[
                "=frida",
                "frida-server",
                "frida-agent",
                "frida-gadget",
                "re.frida",
                "gum-js-loop",
                "xposed",
                "substrate",
                "/proc/self/maps",
            ],
        );
        let native = native_markers(
            app,
            &[
                b"\0ptrace\0",
                b"TracerPid",
                b"\0frida\0",
                b"frida-",
                b"\0xposed\0",
            ],
        );
        let sdk: Vec<Seen> = rasp(code).into_iter().collect();
        let c = Control::Resilience4;
        let any = [
            record(out, c, "debugger detection", &debugger),
            record(out, c, "instrumentation detection", &instrumentation),
            record(out, c, "native anti-debugging", &native),
            record(out, c, "self-protection SDK", &sdk),
        ];
        if !any.contains(&true) {
            out.report(
                "no anti-debugging seen: no Debug.isDebuggerConnected/TracerPid/debuggable-flag check, no Frida/Xposed detection in app code, no ptrace in native libraries",
                Vec::new(),
            );
        }
    }
}

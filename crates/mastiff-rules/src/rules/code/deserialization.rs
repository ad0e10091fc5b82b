use mastiff_code::{ArgValue, CodeIndex, MethodId, MethodRef};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{
    library_of_method, method_name, own_code, report_hits, short_callee, Hit,
};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Java deserialization: `ObjectInputStream.readObject()` / `readUnshared()`, called on
    /// `java.io.ObjectInputStream` itself or on an app subclass that does not override
    /// `resolveClass` (a subclass that does is taken as an allow-list and not reported). Medium
    /// in app code; low and labelled in library code.
    ///
    /// Also gadgets in the app's own code: a `Serializable` class whose `readObject
    /// (ObjectInputStream)` hook deletes, renames or writes files, runs commands, loads code
    /// or invokes methods by reflection, itself or through the app's methods it calls (two
    /// calls deep). Medium: any stream or Intent extra the app deserializes (Android unparcels
    /// every extra of a Bundle when one is read) can carry such an object, and the hook runs
    /// before the app sees what it got.
    ///
    /// ## Why it matters
    /// Deserializing data an attacker can influence (intent extras, files on shared storage,
    /// network responses) instantiates arbitrary serializable classes on the class path;
    /// gadget chains in the app or its libraries turn that into code execution or state
    /// manipulation.
    ///
    /// ## How to fix
    /// Use a data format (JSON with explicit types, Protocol Buffers, Parcelable for IPC); if
    /// Java serialization must stay, subclass `ObjectInputStream` and allow only the expected
    /// classes in `resolveClass`, or use an `ObjectInputFilter`.
    ///
    /// ## False positives
    /// Streams that only ever read the app's own private files; the source of the stream is not
    /// tracked.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0034: Testing Object Persistence
    /// - CWE-502: Deserialization of Untrusted Data
    /// - https://developer.android.com/privacy-and-security/risks/unsafe-deserialization
    pub UnsafeDeserialization {
        id: "CODE-006",
        name: "unsafe-deserialization",
        title: "Java deserialization with ObjectInputStream",
        severity: Medium,
        masvs: [Code4],
        mastg: ["MASTG-TEST-0034"],
        cwe: [502],
        inputs: [Code],
    }
}

const OIS: &str = "Ljava/io/ObjectInputStream;";
const READ_OBJECT: &str = "(Ljava/io/ObjectInputStream;)V";

/// What a call does that a deserialization hook should never do.
fn dangerous(m: &MethodRef) -> Option<&'static str> {
    Some(match (m.class, m.name) {
        ("Ljava/io/File;", "delete" | "deleteOnExit" | "renameTo") => "deletes or renames files",
        ("Ljava/io/FileOutputStream;" | "Ljava/io/FileWriter;", "<init>") => "writes files",
        ("Ljava/lang/Runtime;", "exec") | ("Ljava/lang/ProcessBuilder;", "start") => {
            "runs commands"
        }
        ("Ldalvik/system/DexClassLoader;" | "Ldalvik/system/PathClassLoader;", "<init>")
        | ("Ljava/lang/System;", "load" | "loadLibrary") => "loads code",
        ("Ljava/lang/reflect/Method;", "invoke") => "invokes methods by reflection",
        _ => return None,
    })
}

/// The first dangerous call reachable from `start` through the app's own methods, at most
/// `depth` calls deep: (what it does, the call, the method it is in).
fn dangerous_from(
    code: &CodeIndex,
    start: MethodId,
    depth: u32,
    seen: &mut Vec<MethodId>,
) -> Option<(&'static str, String, MethodId)> {
    if seen.contains(&start) || seen.len() > 64 {
        return None;
    }
    seen.push(start);
    let calls = code.calls_in(start);
    if let Some((what, c)) = calls
        .iter()
        .find_map(|c| dangerous(&c.callee).map(|w| (w, c)))
    {
        return Some((what, short_callee(&c.callee), start));
    }
    if depth == 0 {
        return None;
    }
    calls.iter().find_map(|c| {
        let target = code.overrides(c.callee.class, c.callee.name, c.callee.descriptor)?;
        if !own_code(code, target) {
            return None;
        }
        dangerous_from(code, target, depth - 1, seen)
    })
}
const RESOLVE: &str = "(Ljava/io/ObjectStreamClass;)Ljava/lang/Class;";

impl Rule for UnsafeDeserialization {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let guarded = |class: &str| code.overrides(class, "resolveClass", RESOLVE).is_some();
        let mut receivers: Vec<String> = vec![OIS.to_string()];
        receivers.extend(
            code.subclasses_of(OIS)
                .into_iter()
                .filter(|c| !guarded(c.descriptor))
                .map(|c| c.descriptor.to_string()),
        );
        let mut hits = Vec::new();
        for class in &receivers {
            for name in ["readObject", "readUnshared"] {
                for site in code.calls_to(class, name) {
                    // The call's receiver: an allow-listing subclass created in this method.
                    if let Some(ArgValue::NewInstance(c)) = code.args(site).first() {
                        if guarded(c) {
                            continue;
                        }
                    }
                    // A class's own readObject(ObjectInputStream) hook calling defaultReadObject
                    // is serialization plumbing, not a read from an untrusted stream.
                    if code.method(site.caller).is_some_and(|m| {
                        m.name == "readObject"
                            && m.descriptor.starts_with("(Ljava/io/ObjectInputStream;)")
                    }) {
                        continue;
                    }
                    let library = library_of_method(code, site.caller);
                    let app_code = library.is_none() && code.is_app_code(site.caller);
                    hits.push(Hit {
                        severity: if app_code { Severity::Medium } else { Severity::Low },
                        message: format!(
                            "{}.{name}() in {}: arbitrary serializable classes can be instantiated from the stream",
                            crate::rules::code::helpers::simple_class_name(class),
                            method_name(code, site.caller)
                        ),
                        locations: vec![code.location(site.caller, site.offset)],
                        library,
                    });
                }
            }
        }
        for class in code.implementors_of("Ljava/io/Serializable;") {
            let Some(hook) = code.overrides(class.descriptor, "readObject", READ_OBJECT) else {
                continue;
            };
            if !own_code(code, hook) {
                continue;
            }
            let Some((what, call, at)) = dangerous_from(code, hook, 2, &mut Vec::new()) else {
                continue;
            };
            let via = if at == hook {
                String::new()
            } else {
                format!(" in {}", method_name(code, at))
            };
            hits.push(Hit {
                severity: Severity::Medium,
                message: format!(
                    "Serializable class {}: its readObject() {what} ({call}{via}); any stream or Intent extra the app deserializes can carry this gadget",
                    class.java_name()
                ),
                locations: vec![code.location(hook, 0)],
                library: None,
            });
        }
        report_hits(out, hits);
    }
}

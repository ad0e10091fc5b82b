use mastiff_code::ArgValue;
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{library_of_method, method_name, report_hits, Hit};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Java deserialization: `ObjectInputStream.readObject()` / `readUnshared()`, called on
    /// `java.io.ObjectInputStream` itself or on an app subclass that does not override
    /// `resolveClass` (a subclass that does is taken as an allow-list and not reported). Medium
    /// in app code; low and labelled in library code.
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
const RESOLVE: &str = "(Ljava/io/ObjectStreamClass;)Ljava/lang/Class;";

impl Rule for UnsafeDeserialization {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let guarded = |class: &str| code.overrides(class, "resolveClass", RESOLVE).is_some();
        let mut receivers: Vec<String> = vec![OIS.to_string()];
        receivers.extend(
            code.subclasses_of(OIS)
                .into_iter()
                .filter(|c| !guarded(&c.descriptor))
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
                        &*m.name == "readObject"
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
        report_hits(out, hits);
    }
}

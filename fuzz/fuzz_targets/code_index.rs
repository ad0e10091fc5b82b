#![no_main]

//! The code index over one hostile dex file: build it, then walk every view a rule can ask
//! for (names are read from the file on demand, so a bad id must come back as "" and never
//! panic) and track a bounded number of methods.

use libfuzzer_sys::fuzz_target;
use mastiff_code::{CodeIndex, Limits};

fuzz_target!(|data: &[u8]| {
    let files = vec![("classes.dex".to_string(), data)];
    let (ix, _problems) = CodeIndex::build(&files, Some("com.example"), &Limits::default());
    // Bounded per input so a run stays fast: hierarchy walks are linear in the classes each.
    for (i, c) in ix.classes().enumerate() {
        let _ = ix.interfaces(&c);
        let _ = ix.static_values(&c).count();
        let _ = ix.class(c.descriptor);
        if i < 16 {
            let _ = ix.superclasses(c.descriptor);
            let _ = ix.subclasses_of(c.descriptor);
            let _ = ix.implementors_of(c.descriptor);
        }
    }
    let mut queries = 0;
    for (id, m) in ix.methods().take(500) {
        let _ = ix.location(id, 0);
        let _ = ix.returns_const(id);
        for call in ix.calls_in(id) {
            let _ = ix.args(&call);
            let _ = call.callee.params().count();
            if queries < 64 {
                queries += 1;
                let _ = ix.calls_to(call.callee.class, call.callee.name).count();
            }
        }
        for f in ix.field_accesses_in(id) {
            let _ = ix.stored_value(&f);
        }
        let _ = ix.string_uses_in(id).count();
        let _ = ix.overrides(m.class, m.name, m.descriptor);
    }
    let _ = ix.strings().count();
    let _ = ix.calls_to_method_named("<init>").count();
    let _ = ix.calls_to_class_prefix("L").count();
    let _ = ix.field_accesses_named("a").count();
});

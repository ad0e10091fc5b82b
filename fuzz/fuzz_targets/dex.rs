#![no_main]

use libfuzzer_sys::fuzz_target;
use mastiff_formats::dex::{Dex, Instructions};

fuzz_target!(|data: &[u8]| {
    let Ok(dex) = Dex::parse(data) else {
        return;
    };
    let _ = dex.map_items();
    for i in 0..dex.string_count().min(10_000) {
        let _ = dex.string(i);
    }
    for i in 0..dex.method_count().min(10_000) {
        if let Ok(m) = dex.method(i) {
            let _ = dex.proto_descriptor(u32::from(m.proto_idx));
        }
    }
    for class in dex.class_defs().flatten() {
        let _ = dex.type_descriptor(class.class_idx);
        let _ = dex.interfaces(&class);
        let _ = dex.static_values(&class);
        let Ok(Some(data)) = dex.class_data(&class) else {
            continue;
        };
        for m in data.methods() {
            let Ok(code) = dex.code_item(m.code_off) else {
                continue;
            };
            let _ = code.for_each_handler_addr(|_| {});
            let units = code.insns_units();
            let mut it: Instructions<'_> = code.instructions();
            let mut last_end = 0u32;
            for insn in it.by_ref() {
                assert_eq!(insn.pc, last_end);
                last_end = insn.pc + insn.units;
                assert!(last_end <= units);
                if let Some(t) = insn.target() {
                    let _ = mastiff_formats::dex::insn::payload_at(code.insns, t);
                }
            }
        }
    }
});

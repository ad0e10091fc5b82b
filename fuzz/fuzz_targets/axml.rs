#![no_main]

use libfuzzer_sys::fuzz_target;
use mastiff_formats::{axml, Limits};

fuzz_target!(|data: &[u8]| {
    // Small limits so deep or wide inputs hit the limit paths quickly.
    let limits = Limits {
        max_xml_depth: 32,
        max_xml_elements: 10_000,
        max_pool_strings: 100_000,
        ..Limits::default()
    };
    if let Ok(doc) = axml::parse(data, &limits) {
        // Walk the tree the way callers do.
        for (i, e) in doc.elements.iter().enumerate() {
            let _ = e.android_attr(0x0101_0010, "exported");
            let _ = e.plain_attr("package");
            assert!(e.parent.is_none_or(|p| p < i));
            for (c, _) in doc.children(i) {
                assert!(c > i);
            }
        }
    }
});

#![no_main]

use libfuzzer_sys::fuzz_target;
use mastiff_formats::arsc::ResourceTable;
use mastiff_formats::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_pool_strings: 100_000,
        max_reference_depth: 8,
        ..Limits::default()
    };
    let Ok(table) = ResourceTable::parse(data, &limits) else {
        return;
    };
    // Ids derived from the input: well-known ones plus words read from the data.
    let mut ids = vec![0x7f01_0000, 0x7f02_0001, 0x0104_0000, 0x7f0f_0000];
    ids.extend(
        data.chunks_exact(4)
            .step_by(7)
            .take(16)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])),
    );
    for (pkg, _) in table.packages() {
        for ty in 1..4u32 {
            ids.push((pkg << 24) | (ty << 16));
        }
    }
    for id in ids {
        let _ = table.values(id);
        let _ = table.resolve(id, &limits);
        let _ = table.name(id);
    }
});

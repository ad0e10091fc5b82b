//! Parses arbitrary bytes as a zip archive and reads every entry, with small caps so a bomb
//! cannot exhaust the fuzzer's memory. Errors are expected; panics, hangs and OOMs are bugs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mastiff_formats::zip::{Archive, EntryCache};
use mastiff_formats::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_zip_entries: 10_000,
        max_entry_size: 16 << 20,
        max_total_inflated: 16 << 20,
        ..Limits::default()
    };
    let Ok(archive) = Archive::parse(data, &limits) else {
        return;
    };
    let cache = EntryCache::new(&archive, limits.clone());
    for entry in archive.entries() {
        let _ = cache.get_index(entry.index);
        // Name lookups must land on a record with that name.
        if let Some(found) = archive.find(&entry.name) {
            assert_eq!(found.name, entry.name);
            assert!(found.index <= entry.index);
        }
        let _ = archive.raw_data(entry);
    }
});

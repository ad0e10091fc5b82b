#![no_main]

use libfuzzer_sys::fuzz_target;
use mastiff_formats::signing::{
    compute_content_digest, find_signing_block, parse_certificate, parse_pkcs7_signed_data,
    parse_scheme_signers, read_signing, ContentDigest,
};
use mastiff_formats::zip::{Archive, EntryCache};
use mastiff_formats::Limits;

fuzz_target!(|data: &[u8]| {
    // The input as a whole APK.
    let limits = Limits {
        max_entry_size: 16 * 1024 * 1024,
        max_total_inflated: 64 * 1024 * 1024,
        ..Limits::default()
    };
    if let Ok(archive) = Archive::parse(data, &limits) {
        let cache = EntryCache::new(&archive, limits.clone());
        let _ = read_signing(&archive, &cache);
    }

    // The input as a signing block ending at the end of the data, and as raw structures.
    let len = data.len() as u64;
    if let Ok(Some(block)) = find_signing_block(data, len) {
        for pair in &block.pairs {
            let _ = parse_scheme_signers(pair.value, pair.id != 0x7109_871a, pair.offset);
        }
        let _ = compute_content_digest(data, block.offset, len, len, ContentDigest::ChunkedSha256);
    }
    if let Ok(signers) = parse_scheme_signers(data, data.first() == Some(&3), 0) {
        for s in signers {
            for c in s.certificates {
                let _ = parse_certificate(c);
            }
        }
    }
    let _ = parse_scheme_signers(data, false, 0);
    if let Ok(sd) = parse_pkcs7_signed_data(data) {
        for c in sd.certificates {
            let _ = parse_certificate(c);
        }
    }
    let _ = parse_certificate(data);
    // Offsets taken from the input itself.
    if data.len() >= 24 {
        let word = |i: usize| {
            u64::from(u32::from_le_bytes([
                data[i],
                data[i + 1],
                data[i + 2],
                data[i + 3],
            ]))
        };
        let _ = compute_content_digest(
            data,
            word(0) % (len + 1),
            word(4) % (len + 1),
            word(8) % (len + 1),
            ContentDigest::ChunkedSha512,
        );
    }
});

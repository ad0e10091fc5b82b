//! APK signature reader against real and generated APKs, with apksigner as the oracle:
//! - `tests/data/signing/*.apk` (made by `make.sh`) against their `.apksigner.txt`;
//! - `fixtures/apps/*.apk` against `fixtures/apps/expected.tsv`;
//! - the third-party corpus (`../shared/corpus`, skipped when absent) against `MANIFEST.tsv`.

use mastiff_formats::signing::{
    find_signing_block, read_signing, Scheme, SigningInfo, Verification, BLOCK_ID_V2,
};
use mastiff_formats::zip::{Archive, ArchiveFile, EntryCache};
use mastiff_formats::Limits;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/signing");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/apps");

fn signing_of(bytes: &[u8]) -> SigningInfo {
    let limits = Limits::default();
    let archive = Archive::parse(bytes, &limits).expect("archive parses");
    let cache = EntryCache::new(&archive, limits);
    read_signing(&archive, &cache)
}

fn scheme_set(info: &SigningInfo) -> String {
    let v: Vec<&str> = info.schemes.iter().map(|s| s.as_str()).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(",")
    }
}

/// Every block scheme present must have its digests verified.
fn assert_block_digests_verified(name: &str, info: &SigningInfo) {
    for (scheme, v) in &info.verification {
        if *scheme == Scheme::V1 {
            assert!(
                matches!(v, Verification::NotVerified(_)),
                "{name}: v1 is {v:?}"
            );
        } else {
            assert_eq!(v, &Verification::DigestsVerified, "{name}: {scheme:?}");
        }
    }
}

/// Offset of the first byte of entry data of the first non-empty entry.
fn first_entry_data_offset(bytes: &[u8]) -> usize {
    let limits = Limits::default();
    let archive = Archive::parse(bytes, &limits).unwrap();
    let e = archive
        .entries()
        .iter()
        .find(|e| e.compressed_size > 0)
        .expect("a non-empty entry");
    let lh = e.local_header_offset as usize;
    let n = u16::from_le_bytes([bytes[lh + 26], bytes[lh + 27]]) as usize;
    let x = u16::from_le_bytes([bytes[lh + 28], bytes[lh + 29]]) as usize;
    lh + 30 + n + x
}

// ---- generated inputs vs apksigner ---------------------------------------------------------

struct Oracle {
    dn: String,
    sha256: String,
    key_algorithm: String,
    key_bits: u32,
}

fn oracle(path: &Path) -> Oracle {
    let text = std::fs::read_to_string(path).unwrap();
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("Signer #1 {k}: ")))
            .unwrap_or_else(|| panic!("{}: no {k}", path.display()))
            .to_string()
    };
    Oracle {
        dn: field("certificate DN"),
        sha256: field("certificate SHA-256 digest"),
        key_algorithm: field("key algorithm"),
        key_bits: field("key size (bits)").parse().unwrap(),
    }
}

#[test]
fn generated_apks_match_apksigner() {
    // (file, schemes, v2/v3 algorithm name)
    let cases = [
        ("rsa1024-v1", "v1", None),
        (
            "rsa2048-v1v2v3",
            "v1,v2,v3",
            Some("RSASSA-PKCS1-v1_5 with SHA2-256"),
        ),
        ("ec-p256-v2v3", "v2,v3", Some("ECDSA with SHA2-256")),
        ("dsa-v1v2", "v1,v2", Some("DSA with SHA2-256")),
        (
            "rsa4096-v2-sha512",
            "v2",
            Some("RSASSA-PKCS1-v1_5 with SHA2-512"),
        ),
    ];
    for (name, schemes, alg) in cases {
        let bytes = std::fs::read(format!("{DATA}/{name}.apk")).unwrap();
        let info = signing_of(&bytes);
        let o = oracle(Path::new(&format!("{DATA}/{name}.apksigner.txt")));
        assert_eq!(scheme_set(&info), schemes, "{name}");
        assert_block_digests_verified(name, &info);
        assert!(info.warnings.is_empty(), "{name}: {:?}", info.warnings);
        assert_eq!(
            info.signers.len(),
            info.schemes.len(),
            "{name}: one signer per scheme"
        );
        for s in &info.signers {
            let c = &s.certificates[0];
            assert_eq!(c.subject, o.dn, "{name} {:?}", s.scheme);
            assert_eq!(c.sha256, o.sha256, "{name} {:?}", s.scheme);
            assert_eq!(c.key_algorithm, o.key_algorithm, "{name}");
            assert_eq!(c.key_bits, Some(o.key_bits), "{name}");
            assert_eq!(c.known_key, None);
            match s.scheme {
                Scheme::V1 => {
                    let expected = if name == "rsa1024-v1" {
                        "SHA-1"
                    } else {
                        "SHA-256"
                    };
                    assert_eq!(s.algorithms, vec![expected.to_string()], "{name}");
                }
                _ => assert_eq!(s.algorithms, vec![alg.unwrap().to_string()], "{name}"),
            }
            if s.scheme == Scheme::V3 {
                assert_eq!(s.min_sdk, Some(24), "{name}");
            }
        }
        let sig_alg = &info.signers[0].certificates[0].signature_algorithm;
        let expected_sig = match o.key_algorithm.as_str() {
            "RSA" if name == "rsa1024-v1" => "sha1WithRSAEncryption",
            "RSA" => "sha256WithRSAEncryption",
            "EC" => "ecdsa-with-SHA256",
            _ => "dsa-with-sha256",
        };
        assert_eq!(sig_alg, expected_sig, "{name}");
    }
}

#[test]
fn tampered_entry_data_is_a_digest_mismatch() {
    let bytes = std::fs::read(format!("{DATA}/rsa2048-v1v2v3.apk")).unwrap();
    let mut t = bytes.clone();
    let at = first_entry_data_offset(&t);
    t[at] ^= 0x01;
    let info = signing_of(&t);
    assert_eq!(scheme_set(&info), "v1,v2,v3");
    for s in [Scheme::V2, Scheme::V3] {
        assert!(
            matches!(
                info.verification_of(s),
                Some(Verification::DigestMismatch(_))
            ),
            "{s:?}: {:?}",
            info.verification_of(s)
        );
    }
    // Changing the central directory (an entry's extra attributes) also breaks the digest.
    let limits = Limits::default();
    let cd = Archive::parse(&bytes, &limits).unwrap().cd_offset as usize;
    let mut t = bytes.clone();
    t[cd + 38] ^= 0x01; // external file attributes of the first record
    let info = signing_of(&t);
    assert!(matches!(
        info.verification_of(Scheme::V2),
        Some(Verification::DigestMismatch(_))
    ));
}

#[test]
fn malformed_v2_block_leaves_other_schemes_readable() {
    let mut bytes = std::fs::read(format!("{DATA}/rsa2048-v1v2v3.apk")).unwrap();
    let limits = Limits::default();
    let (v2_off, v2_len) = {
        let archive = Archive::parse(&bytes, &limits).unwrap();
        let block = find_signing_block(&bytes, archive.cd_offset)
            .unwrap()
            .unwrap();
        let p = block.get(BLOCK_ID_V2).unwrap();
        (p.offset as usize, p.value.len())
    };
    // The signer sequence length now claims more than the value holds.
    bytes[v2_off..v2_off + 4].copy_from_slice(&(v2_len as u32 + 100).to_le_bytes());
    let info = signing_of(&bytes);
    assert_eq!(scheme_set(&info), "v1,v2,v3");
    assert!(
        matches!(
            info.verification_of(Scheme::V2),
            Some(Verification::Malformed(_))
        ),
        "{:?}",
        info.verification_of(Scheme::V2)
    );
    assert_eq!(
        info.verification_of(Scheme::V3),
        Some(&Verification::DigestsVerified)
    );
    assert!(info.signers.iter().any(|s| s.scheme == Scheme::V1));
    assert!(info.signers.iter().any(|s| s.scheme == Scheme::V3));
}

// ---- project fixture apps --------------------------------------------------------------------

#[test]
fn fixture_apps_match_expected_tsv() {
    let Ok(tsv) = std::fs::read_to_string(format!("{FIXTURES}/expected.tsv")) else {
        eprintln!("fixtures/apps/expected.tsv absent: skipped");
        return;
    };
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (c_file, c_schemes, c_alg, c_bits, c_known) = (
        col("file"),
        col("schemes"),
        col("key_algorithm"),
        col("key_bits"),
        col("known_key"),
    );
    let mut checked = 0;
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("");
        let name = get(c_file);
        let Ok(bytes) = std::fs::read(format!("{FIXTURES}/{name}")) else {
            continue;
        };
        let info = signing_of(&bytes);
        let ours = scheme_set(&info);
        // v3.1 is an addition on top of v3 that expected.tsv (from apksigner) does not list.
        let ours_cmp = ours.replace(",v3.1", "");
        assert_eq!(ours_cmp, get(c_schemes), "{name}");
        assert_block_digests_verified(name, &info);
        if let Some(s) = info.primary_signer() {
            let c = &s.certificates[0];
            assert_eq!(c.key_algorithm, get(c_alg), "{name}");
            assert_eq!(
                c.key_bits.map(|b| b.to_string()).unwrap_or_default(),
                get(c_bits),
                "{name}"
            );
            assert_eq!(c.known_key.unwrap_or(""), get(c_known), "{name}");
        }
        checked += 1;
    }
    assert!(checked > 0);
}

/// The signing facts read from the file (the block on its own, digests streamed) equal those
/// read from the whole file in memory, on every APK at hand.
#[test]
fn file_backed_archives_give_the_same_signing_facts() {
    let mut paths: Vec<PathBuf> = Vec::new();
    for dir in [
        DATA.to_string(),
        FIXTURES.to_string(),
        format!("{CORPUS}/apps"),
    ] {
        let Ok(read) = std::fs::read_dir(&dir) else {
            continue;
        };
        paths.extend(
            read.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "apk" || x == "ipa")),
        );
    }
    paths.sort();
    assert!(paths.len() >= 5, "{paths:?}");
    let limits = Limits::default();
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let file = ArchiveFile::open(path).unwrap();
        let Ok(archive) = Archive::open(&file, &limits) else {
            assert!(Archive::parse(&bytes, &limits).is_err(), "{path:?}");
            continue;
        };
        let cache = EntryCache::new(&archive, limits.clone());
        let from_file = read_signing(&archive, &cache);
        assert_eq!(from_file, signing_of(&bytes), "{path:?}");
    }
}

// ---- third-party corpus ----------------------------------------------------------------------

fn corpus_rows() -> Option<Vec<BTreeMap<String, String>>> {
    let tsv = std::fs::read_to_string(format!("{CORPUS}/MANIFEST.tsv")).ok()?;
    let mut lines = tsv.lines();
    let header: Vec<String> = lines.next()?.split('\t').map(String::from).collect();
    Some(
        lines
            .map(|l| {
                header
                    .iter()
                    .cloned()
                    .zip(l.split('\t').map(String::from))
                    .collect()
            })
            .filter(|r: &BTreeMap<String, String>| r["filename"].ends_with(".apk"))
            .collect(),
    )
}

fn corpus_path(name: &str) -> PathBuf {
    Path::new(CORPUS).join("apps").join(name)
}

#[test]
fn corpus_matches_apksigner_facts() {
    let Some(rows) = corpus_rows() else {
        eprintln!("corpus absent: skipped");
        return;
    };
    let mut checked = 0;
    for row in rows {
        let name = &row["filename"];
        let Ok(bytes) = std::fs::read(corpus_path(name)) else {
            continue;
        };
        let info = signing_of(&bytes);
        let signing = &row["signing"];
        if signing.starts_with("UNSIGNED") {
            assert!(info.schemes.is_empty(), "{name}: {:?}", info.schemes);
            assert!(info.signers.is_empty(), "{name}");
            checked += 1;
            continue;
        }
        // "v1=true v2=true v3=false RSA-1024 C=US, O=Android, CN=Android Debug"
        let mut parts = signing.splitn(5, ' ');
        let mut expected = Vec::new();
        for (i, scheme) in ["v1", "v2", "v3"].iter().enumerate() {
            let p = parts.next().unwrap();
            assert_eq!(p.split('=').next(), Some(*scheme));
            if p.ends_with("=true") {
                expected.push(*scheme);
            }
            let _ = i;
        }
        let key = parts.next().unwrap();
        let dn = parts.next().unwrap_or("");
        let (alg, bits) = key.split_once('-').unwrap();
        assert_eq!(scheme_set(&info), expected.join(","), "{name}");
        assert_block_digests_verified(name, &info);
        let first = &info.signers[0].certificates[0];
        assert_eq!(first.key_algorithm, alg, "{name}");
        assert_eq!(first.key_bits, Some(bits.parse().unwrap()), "{name}");
        assert_eq!(first.subject, dn, "{name}");
        let debug = dn.contains("CN=Android Debug");
        assert_eq!(first.known_key == Some("android-debug"), debug, "{name}");
        // Every scheme's signer carries the same certificate in these single-signer apps.
        for s in &info.signers {
            assert_eq!(
                s.certificates[0].sha256, first.sha256,
                "{name} {:?}",
                s.scheme
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} corpus APKs checked");
}

#[test]
fn corpus_tampered_v2_apk_is_a_digest_mismatch() {
    let Some(rows) = corpus_rows() else {
        eprintln!("corpus absent: skipped");
        return;
    };
    let mut checked = 0;
    for row in rows.iter().filter(|r| r["signing"].contains("v2=true")) {
        let Ok(mut bytes) = std::fs::read(corpus_path(&row["filename"])) else {
            continue;
        };
        let at = first_entry_data_offset(&bytes);
        bytes[at] ^= 0x80;
        let info = signing_of(&bytes);
        assert!(
            matches!(
                info.verification_of(Scheme::V2),
                Some(Verification::DigestMismatch(_))
            ),
            "{}",
            row["filename"]
        );
        checked += 1;
    }
    assert!(checked > 0);
}

/// Cost of the signature reading (content digests included) on the biggest v2-signed corpus APK,
/// or on `MASTIFF_SIGNING_BENCH_APK` when set:
/// `cargo test --release -p mastiff-formats --test signing_corpus -- --ignored --nocapture`.
#[test]
#[ignore = "timing report, run on demand"]
fn digest_cost_on_biggest_corpus_apk() {
    let path = match std::env::var_os("MASTIFF_SIGNING_BENCH_APK") {
        Some(p) => PathBuf::from(p),
        None => {
            let Some(rows) = corpus_rows() else { return };
            let Some(p) = rows
                .iter()
                .filter(|r| r["signing"].contains("v2=true"))
                .map(|r| corpus_path(&r["filename"]))
                .filter(|p| p.exists())
                .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            else {
                return;
            };
            p
        }
    };
    let bytes = std::fs::read(&path).unwrap();
    let limits = Limits::default();
    let archive = Archive::parse(&bytes, &limits).unwrap();
    let runs = 20;
    let start = std::time::Instant::now();
    let mut info = SigningInfo::default();
    for _ in 0..runs {
        let cache = EntryCache::new(&archive, limits.clone());
        info = read_signing(&archive, &cache);
    }
    let per = start.elapsed() / runs;
    assert!(
        info.verification_of(Scheme::V2).is_some() || info.verification_of(Scheme::V3).is_some()
    );
    eprintln!(
        "{}: {} bytes, {:?}, read_signing {:?} per run ({:.0} MB/s)",
        path.display(),
        bytes.len(),
        info.verification,
        per,
        bytes.len() as f64 / per.as_secs_f64() / 1e6
    );
}

/// Rebuilds `bytes` with its signing block replaced by `pairs` (none: block removed), fixing the
/// EOCD's central directory offset. The content before the block, the central directory and the
/// rest of the EOCD are unchanged, so v2/v3 digests still match when a block is kept.
fn with_block_pairs(bytes: &[u8], pairs: Option<&[(u32, Vec<u8>)]>) -> Vec<u8> {
    let limits = Limits::default();
    let archive = Archive::parse(bytes, &limits).unwrap();
    let block = find_signing_block(bytes, archive.cd_offset)
        .unwrap()
        .unwrap();
    let mut out = bytes[..block.offset as usize].to_vec();
    if let Some(pairs) = pairs {
        let mut body = Vec::new();
        for (id, value) in pairs {
            body.extend(((value.len() + 4) as u64).to_le_bytes());
            body.extend(id.to_le_bytes());
            body.extend(value);
        }
        let size = (body.len() + 24) as u64;
        out.extend(size.to_le_bytes());
        out.extend(body);
        out.extend(size.to_le_bytes());
        out.extend(b"APK Sig Block 42");
    }
    let new_cd = out.len() as u32;
    out.extend(&bytes[archive.cd_offset as usize..]);
    let eocd = out.len() - (bytes.len() - archive.eocd_offset as usize);
    out[eocd + 16..eocd + 20].copy_from_slice(&new_cd.to_le_bytes());
    out
}

#[test]
fn unknown_and_source_stamp_pairs_are_warnings_only() {
    let bytes = std::fs::read(format!("{DATA}/rsa2048-v1v2v3.apk")).unwrap();
    let limits = Limits::default();
    let archive = Archive::parse(&bytes, &limits).unwrap();
    let block = find_signing_block(&bytes, archive.cd_offset)
        .unwrap()
        .unwrap();
    let mut pairs: Vec<(u32, Vec<u8>)> = block
        .pairs
        .iter()
        .map(|p| (p.id, p.value.to_vec()))
        .collect();
    pairs.push((0x1234_5678, vec![1, 2, 3]));
    pairs.push((0x6dff_800d, vec![0; 8]));
    pairs.push((BLOCK_ID_V2, vec![9; 4])); // duplicate: ignored
    let info = signing_of(&with_block_pairs(&bytes, Some(&pairs)));
    assert_eq!(scheme_set(&info), "v1,v2,v3");
    assert_block_digests_verified("extra pairs", &info);
    let w = info.warnings.join("\n");
    assert!(w.contains("unknown pair id 0x12345678"), "{w}");
    assert!(w.contains("source stamp 0x6dff800d"), "{w}");
    assert!(w.contains("duplicate pair id 0x7109871a"), "{w}");
}

#[test]
fn stripped_block_is_reported_from_the_v1_signature_file() {
    let bytes = std::fs::read(format!("{DATA}/rsa2048-v1v2v3.apk")).unwrap();
    let info = signing_of(&with_block_pairs(&bytes, None));
    assert_eq!(scheme_set(&info), "v1");
    let w = info.warnings.join("\n");
    assert!(w.contains("v2") && w.contains("stripped"), "{w}");
    // v3 alone stripped: the v2 signer's stripping-protection attribute tells.
    let limits = Limits::default();
    let archive = Archive::parse(&bytes, &limits).unwrap();
    let block = find_signing_block(&bytes, archive.cd_offset)
        .unwrap()
        .unwrap();
    let pairs: Vec<(u32, Vec<u8>)> = block
        .pairs
        .iter()
        .filter(|p| p.id != 0xf053_68c0)
        .map(|p| (p.id, p.value.to_vec()))
        .collect();
    let info = signing_of(&with_block_pairs(&bytes, Some(&pairs)));
    assert_eq!(scheme_set(&info), "v1,v2");
    assert_eq!(
        info.verification_of(Scheme::V2),
        Some(&Verification::DigestsVerified)
    );
    let w = info.warnings.join("\n");
    assert!(w.contains("no v3 block"), "{w}");
}

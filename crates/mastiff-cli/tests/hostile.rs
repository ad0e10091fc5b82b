//! Hostile input: deterministic mutants of real packages, zip bombs and CLI edge cases.
//!
//! Every fixture APK and a few corpus APKs (small ones and one big one; the corpus lives outside
//! the repository and is skipped when absent) are mutated with a seeded PRNG: truncations at
//! random and structural offsets, flipped bytes in the central directory, local headers, APK
//! Signing Block and entry data, corrupted sizes/offsets/methods/flags, duplicate manifest
//! records, prepended junk, absurd AXML/ARSC counts. Each mutant is scanned in process and must:
//! - return (a panic is a bug even though the engine would catch it: it must not show up as an
//!   `internal` diagnostic either);
//! - finish within [`MUTANT_TIME_LIMIT`];
//! - give a consistent report: 24 controls, and a control covered by a rule whose input is
//!   reported unreadable is `incomplete` or `fail`, never `pass`.
//!
//! A mutant is identified by its source, index and seed; the description printed on failure is
//! enough to rebuild it with [`mutant`].

use std::collections::BTreeSet;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use flate2::{Compress, Compression, FlushCompress};
use mastiff_core::{Artifact, DiagnosticKind, Report, Verdict};
use mastiff_formats::Limits;
use mastiff_rules::{container_unreadable, scan_bytes, ScanOptions, RULES};
use rayon::prelude::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/apps");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/apps");
/// Small corpus apps (many mutants each) and one big one (fewer mutants).
const CORPUS_SMALL: &[&str] = &[
    "androguard-testdata-com.politedroid_4.apk",
    "mastg-UnCrackable-Level1.apk",
    "droidbench-LogNoLeak.apk",
];
const CORPUS_BIG: &str = "insecureshop-InsecureShop.apk";

/// Mutants per source: every mutation kind is used this many times.
const ROUNDS_FIXTURE: usize = 10;
const ROUNDS_SMALL: usize = 8;
const ROUNDS_BIG: usize = 4;

/// Generous bound for one scan in a debug build.
const MUTANT_TIME_LIMIT: Duration = Duration::from_secs(5);
/// A scan running this long is taken as a hang: the watchdog prints it and ends the process
/// (a stuck thread cannot be cancelled, and waiting would hang the test run).
const HANG_LIMIT: Duration = Duration::from_secs(60);
const CONTROLS: usize = 24;

// ------------------------------------------------------------------------------------------
// PRNG (splitmix64): deterministic, no dependency.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn nonzero_byte(&mut self) -> u8 {
        (self.next() % 255) as u8 + 1
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn seed_for(source: usize, index: usize) -> u64 {
    let mut r = Rng::new(0x6d61_7374_6966_6600 ^ ((source as u64) << 32) ^ index as u64);
    r.next()
}

// ------------------------------------------------------------------------------------------
// A small independent zip layout reader (for unmodified inputs only) and writer.

fn le16(d: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([d[at], d[at + 1]])
}

fn le32(d: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]])
}

fn put16(d: &mut [u8], at: usize, v: u16) {
    d[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn put32(d: &mut [u8], at: usize, v: u32) {
    d[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// One central-directory record of an unmodified input.
#[derive(Debug, Clone)]
struct Rec {
    /// Offset of the central-directory record.
    at: usize,
    /// Length of the record (fixed part, name, extra, comment).
    len: usize,
    name: String,
    flags: u16,
    method: u16,
    crc: u32,
    usize_: u32,
    lfh: usize,
    /// Length of the local header including name and extra.
    lfh_len: usize,
    /// `[start, end)` of the entry's data.
    data: (usize, usize),
}

#[derive(Debug, Clone)]
struct Layout {
    eocd: usize,
    cd: usize,
    cd_end: usize,
    recs: Vec<Rec>,
    /// `[start, end)` of the APK Signing Block, when present.
    sig_block: Option<(usize, usize)>,
}

impl Layout {
    fn parse(d: &[u8]) -> Layout {
        let eocd = (0..=d.len() - 22)
            .rev()
            .find(|&i| d[i..i + 4] == *b"PK\x05\x06")
            .expect("source has an EOCD");
        let cd = le32(d, eocd + 16) as usize;
        let cd_end = cd + le32(d, eocd + 12) as usize;
        let count = usize::from(le16(d, eocd + 10));
        let mut recs = Vec::with_capacity(count);
        let mut at = cd;
        for _ in 0..count {
            assert_eq!(le32(d, at), 0x0201_4b50, "source CD record at {at:#x}");
            let n = usize::from(le16(d, at + 28));
            let len = 46 + n + usize::from(le16(d, at + 30)) + usize::from(le16(d, at + 32));
            let method = le16(d, at + 10);
            let csize = le32(d, at + 20);
            let usize_ = le32(d, at + 24);
            let lfh = le32(d, at + 42) as usize;
            let lfh_len = 30 + usize::from(le16(d, lfh + 26)) + usize::from(le16(d, lfh + 28));
            let start = lfh + lfh_len;
            let end = start + if method == 8 { csize } else { usize_ } as usize;
            recs.push(Rec {
                at,
                len,
                name: String::from_utf8_lossy(&d[at + 46..at + 46 + n]).into_owned(),
                flags: le16(d, at + 8),
                method,
                crc: le32(d, at + 16),
                usize_,
                lfh,
                lfh_len,
                data: (start, end),
            });
            at += len;
        }
        let sig_block = (cd >= 24 && d[cd - 16..cd] == *b"APK Sig Block 42").then(|| {
            let size = u64::from_le_bytes(d[cd - 24..cd - 16].try_into().unwrap()) as usize;
            (cd - size - 8, cd)
        });
        Layout {
            eocd,
            cd,
            cd_end,
            recs,
            sig_block,
        }
    }

    fn find(&self, name: &str) -> Option<&Rec> {
        self.recs.iter().find(|r| r.name == name)
    }

    /// A record, biased towards the manifest and resources.arsc (the entries the scan reads).
    fn pick_rec(&self, rng: &mut Rng) -> &Rec {
        if rng.chance(50) {
            let name = rng.pick(&["AndroidManifest.xml", "resources.arsc"]);
            if let Some(r) = self.find(name) {
                return r;
            }
        }
        &self.recs[rng.below(self.recs.len())]
    }
}

/// The entry's uncompressed bytes (inputs are well formed).
fn entry_bytes(d: &[u8], r: &Rec) -> Vec<u8> {
    let raw = &d[r.data.0..r.data.1];
    if r.method == 8 {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(raw)
            .read_to_end(&mut out)
            .expect("source entry inflates");
        out
    } else {
        raw.to_vec()
    }
}

/// One entry to write.
struct Out {
    name: String,
    flags: u16,
    method: u16,
    crc: u32,
    csize: u32,
    usize_: u32,
    data: Vec<u8>,
}

fn crc32(b: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(b);
    c.sum()
}

fn stored(name: &str, data: Vec<u8>) -> Out {
    Out {
        name: name.to_string(),
        flags: 0,
        method: 0,
        crc: crc32(&data),
        csize: data.len() as u32,
        usize_: data.len() as u32,
        data,
    }
}

/// Writes a plain zip (no signing block, no comment).
fn write_zip(entries: &[Out]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for e in entries {
        let lfh = out.len() as u32;
        let name = e.name.as_bytes();
        // Fields shared by the local and the central header, from "version needed" on.
        let mut common = Vec::with_capacity(26);
        common.extend_from_slice(&20u16.to_le_bytes());
        common.extend_from_slice(&e.flags.to_le_bytes());
        common.extend_from_slice(&e.method.to_le_bytes());
        common.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
        common.extend_from_slice(&e.crc.to_le_bytes());
        common.extend_from_slice(&e.csize.to_le_bytes());
        common.extend_from_slice(&e.usize_.to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra length
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(name);
        out.extend_from_slice(&e.data);
        cd.extend_from_slice(b"PK\x01\x02\x14\x00");
        cd.extend_from_slice(&common);
        cd.extend_from_slice(&[0; 10]); // comment length, disk, internal and external attributes
        cd.extend_from_slice(&lfh.to_le_bytes());
        cd.extend_from_slice(name);
    }
    let cd_off = out.len() as u32;
    let n = entries.len() as u16;
    out.extend_from_slice(&cd);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_off.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Rewrites the archive, replacing the named entries' content (stored); drops the signing block.
fn rebuild(d: &[u8], lay: &Layout, replace: &[(&str, Out)]) -> Vec<u8> {
    let mut entries = Vec::new();
    for r in &lay.recs {
        if let Some((_, o)) = replace.iter().find(|(n, _)| *n == r.name) {
            entries.push(Out {
                name: o.name.clone(),
                flags: o.flags,
                method: o.method,
                crc: o.crc,
                csize: o.csize,
                usize_: o.usize_,
                data: o.data.clone(),
            });
        } else {
            entries.push(Out {
                name: r.name.clone(),
                flags: r.flags,
                method: r.method,
                crc: r.crc,
                csize: (r.data.1 - r.data.0) as u32,
                usize_: r.usize_,
                data: d[r.data.0..r.data.1].to_vec(),
            });
        }
    }
    write_zip(&entries)
}

// ------------------------------------------------------------------------------------------
// Mutations.

const ABSURD: &[u32] = &[
    0xFFFF_FFFF,
    0xFFFF_FFFE,
    0x8000_0000,
    0x7FFF_FFFF,
    0x1000_0000,
    0x0001_0000,
    0xFFFF,
    0,
    1,
];

const KINDS: &[&str] = &[
    "truncate-random",
    "truncate-structural",
    "flip-random",
    "flip-cd",
    "flip-lfh",
    "flip-signing-block",
    "flip-manifest-stored",
    "flip-arsc",
    "cd-compressed-size",
    "cd-uncompressed-size",
    "cd-local-offset",
    "duplicate-manifest",
    "method-random",
    "encryption-flag",
    "prepend-junk",
    "eocd-fields",
    "manifest-pool-counts",
    "manifest-absurd-word",
    "arsc-absurd-word",
    "signing-block-absurd-word",
    "zip64-extra",
    "zip64-eocd",
];

const ABSURD64: &[u64] = &[
    u64::MAX,
    u64::MAX - 1,
    1 << 63,
    1 << 62,
    0x1_0000_0000,
    0xFFFF_FFFF,
    0,
];

fn flip(d: &mut [u8], rng: &mut Rng, range: (usize, usize), n: usize, what: &mut Vec<String>) {
    let (lo, hi) = (range.0.min(d.len()), range.1.min(d.len()));
    if lo >= hi {
        return;
    }
    for _ in 0..n {
        let at = lo + rng.below(hi - lo);
        d[at] ^= rng.nonzero_byte();
        what.push(format!("{at:#x}"));
    }
}

/// The manifest with its data re-stored (uncompressed), so byte changes reach the AXML reader.
fn restored_manifest(d: &[u8], lay: &Layout) -> Option<Vec<u8>> {
    lay.find("AndroidManifest.xml").map(|r| entry_bytes(d, r))
}

/// Applies mutation `kind`; returns the mutant and what was done.
fn mutate(d: &[u8], lay: &Layout, kind: usize, rng: &mut Rng) -> (Vec<u8>, String) {
    let mut m = d.to_vec();
    let name = KINDS[kind];
    let desc = match name {
        "truncate-random" => {
            let at = rng.below(d.len());
            m.truncate(at);
            format!("at {at:#x}")
        }
        "truncate-structural" => {
            let (what, at) = match rng.below(5) {
                0 => ("eocd", lay.eocd + rng.below(22)),
                1 => ("cd", lay.cd + rng.below(lay.cd_end - lay.cd)),
                2 => {
                    let r = lay.find("AndroidManifest.xml").unwrap_or(&lay.recs[0]);
                    (
                        "manifest data",
                        r.data.0 + rng.below(r.data.1 - r.data.0 + 1),
                    )
                }
                3 => match lay.find("resources.arsc") {
                    Some(r) => ("arsc data", r.data.0 + rng.below(r.data.1 - r.data.0 + 1)),
                    None => ("cd", lay.cd + rng.below(lay.cd_end - lay.cd)),
                },
                _ => {
                    let r = lay.pick_rec(rng);
                    ("local header", r.lfh + rng.below(r.lfh_len))
                }
            };
            if rng.chance(40) && what != "eocd" && what != "cd" {
                // Cut bytes out at that point instead: the end records survive, every offset
                // after the cut is stale.
                let n = rng.between(1, 256).min(m.len() - at);
                m.drain(at..at + n);
                // Keep the end record pointing at the (moved) central directory.
                put32(&mut m, lay.eocd - n + 16, (lay.cd - n) as u32);
                format!("excise {n} bytes of {what} at {at:#x}, eocd fixed")
            } else {
                m.truncate(at);
                format!("{what} at {at:#x}")
            }
        }
        "flip-random" => {
            let mut w = Vec::new();
            let n = rng.between(1, 16);
            flip(&mut m, rng, (0, d.len()), n, &mut w);
            format!("bytes {}", w.join(","))
        }
        "flip-cd" => {
            let mut w = Vec::new();
            let n = rng.between(1, 4);
            flip(&mut m, rng, (lay.cd, lay.cd_end), n, &mut w);
            format!("bytes {}", w.join(","))
        }
        "flip-lfh" => {
            let r = lay.pick_rec(rng).clone();
            let mut w = Vec::new();
            let n = rng.between(1, 4);
            flip(&mut m, rng, (r.lfh, r.lfh + r.lfh_len), n, &mut w);
            format!("{}: bytes {}", r.name, w.join(","))
        }
        "flip-signing-block" => {
            let range = lay
                .sig_block
                .unwrap_or((lay.cd.saturating_sub(1024), lay.cd));
            let mut w = Vec::new();
            let n = rng.between(1, 4);
            flip(&mut m, rng, range, n, &mut w);
            format!(
                "{} bytes {}",
                if lay.sig_block.is_some() {
                    "block"
                } else {
                    "(no block) before cd"
                },
                w.join(",")
            )
        }
        "flip-manifest-stored" => {
            let Some(mut x) = restored_manifest(d, lay) else {
                return (m, "no manifest".into());
            };
            let mut w = Vec::new();
            let n = rng.between(1, 8);
            // Half the time aim at the headers (string pool, resource map, first elements).
            let hi = if rng.chance(50) {
                x.len().min(512)
            } else {
                x.len()
            };
            flip(&mut x, rng, (0, hi), n, &mut w);
            m = rebuild(
                d,
                lay,
                &[("AndroidManifest.xml", stored("AndroidManifest.xml", x))],
            );
            format!("re-stored, manifest bytes {}", w.join(","))
        }
        "flip-arsc" => {
            let Some(r) = lay.find("resources.arsc") else {
                return (m, "no resources.arsc".into());
            };
            let mut x = entry_bytes(d, r);
            let mut w = Vec::new();
            let n = rng.between(1, 8);
            let hi = if rng.chance(50) {
                x.len().min(1024)
            } else {
                x.len()
            };
            flip(&mut x, rng, (0, hi), n, &mut w);
            m = rebuild(d, lay, &[("resources.arsc", stored("resources.arsc", x))]);
            format!("re-stored, arsc bytes {}", w.join(","))
        }
        "cd-compressed-size" | "cd-uncompressed-size" => {
            let r = lay.pick_rec(rng);
            let field = if name == "cd-compressed-size" { 20 } else { 24 };
            let old = le32(d, r.at + field);
            let v = match rng.below(4) {
                0 => rng.pick(ABSURD),
                1 => old.wrapping_add(1),
                2 => old.wrapping_sub(1),
                _ => rng.next() as u32,
            };
            put32(&mut m, r.at + field, v);
            if rng.chance(30) {
                put32(&mut m, r.lfh + field - 2, v);
            }
            format!("{}: {old:#x} -> {v:#x}", r.name)
        }
        "cd-local-offset" => {
            let r = lay.pick_rec(rng);
            let other = lay.recs[rng.below(lay.recs.len())].lfh as u32;
            let v = match rng.below(6) {
                0 => 0xFFFF_FFFF,
                1 => rng.below(d.len()) as u32,
                2 => lay.cd as u32,
                3 => lay.eocd as u32,
                4 => other,
                _ => r.lfh as u32 + 1,
            };
            put32(&mut m, r.at + 42, v);
            format!("{}: {:#x} -> {v:#x}", r.name, r.lfh)
        }
        "duplicate-manifest" => return duplicate_manifest(d, lay, rng),
        "signing-block-absurd-word" => {
            let (lo, hi) = lay
                .sig_block
                .unwrap_or((lay.cd.saturating_sub(1024), lay.cd));
            let mut w = Vec::new();
            for _ in 0..rng.between(1, 3) {
                // Length prefixes sit mostly near the start (block size, pair lengths, signer
                // sequences); aim there half the time.
                let span = if rng.chance(50) {
                    (hi - lo).min(128)
                } else {
                    hi - lo
                };
                let at = lo + rng.below(span.saturating_sub(8));
                if rng.chance(50) {
                    let v = rng.pick(ABSURD);
                    put32(&mut m, at, v);
                    w.push(format!("u32@{at:#x}={v:#x}"));
                } else {
                    let v = rng.pick(ABSURD64);
                    m[at..at + 8].copy_from_slice(&v.to_le_bytes());
                    w.push(format!("u64@{at:#x}={v:#x}"));
                }
            }
            w.join(",")
        }
        "zip64-extra" => return zip64_extra(d, lay, rng),
        "zip64-eocd" => return zip64_eocd(d, lay, rng),
        "method-random" => {
            let r = lay.pick_rec(rng);
            let v = if rng.chance(50) {
                rng.pick(&[1u16, 6, 9, 12, 14, 93, 99, 0x1c65, 0xFFFF])
            } else {
                rng.next() as u16
            };
            put16(&mut m, r.at + 10, v);
            let both = rng.chance(50);
            if both {
                put16(&mut m, r.lfh + 8, v);
            }
            format!(
                "{}: {} -> {v}{}",
                r.name,
                r.method,
                if both { " (cd+lfh)" } else { " (cd)" }
            )
        }
        "encryption-flag" => {
            let all = rng.chance(30);
            let lfh_too = rng.chance(50);
            let targets: Vec<Rec> = if all {
                lay.recs.clone()
            } else {
                vec![lay.pick_rec(rng).clone()]
            };
            for r in &targets {
                put16(&mut m, r.at + 8, r.flags | 1);
                if lfh_too {
                    let f = le16(d, r.lfh + 6);
                    put16(&mut m, r.lfh + 6, f | 1);
                }
            }
            format!(
                "{}{}",
                if all {
                    "all entries".to_string()
                } else {
                    targets[0].name.clone()
                },
                if lfh_too { " (cd+lfh)" } else { " (cd)" }
            )
        }
        "prepend-junk" => {
            let n = rng.pick(&[1usize, 3, 64, 1000, 4096, 70_000]);
            let mut junk = match rng.below(3) {
                0 => vec![0; n],
                1 => rng.bytes(n),
                _ => b"PK\x05\x06PK\x01\x02PK\x03\x04".repeat(n / 12 + 1),
            };
            junk.truncate(n);
            let mut out = junk;
            out.extend_from_slice(d);
            m = out;
            format!("{n} bytes")
        }
        "eocd-fields" => {
            let (field, width) = rng.pick(&[(8usize, 2usize), (10, 2), (12, 4), (16, 4), (20, 2)]);
            let v = rng.pick(ABSURD);
            if width == 2 {
                put16(&mut m, lay.eocd + field, v as u16);
            } else {
                put32(&mut m, lay.eocd + field, v);
            }
            format!("eocd+{field} := {v:#x}")
        }
        "manifest-pool-counts" => {
            let Some(mut x) = restored_manifest(d, lay) else {
                return (m, "no manifest".into());
            };
            // Outer chunk header (8 bytes), then the string pool header: type, header size,
            // chunk size, string count, style count, flags, strings start, styles start.
            let pool = 8;
            let mut w = Vec::new();
            for (off, label) in [(8, "strings"), (12, "styles"), (20, "strings_start")] {
                if off == 8 || rng.chance(40) {
                    let v = rng.pick(&[0xFFFF_FFFFu32, 0x7FFF_FFFF, 0x1000_0000, 0x00FF_FFFF]);
                    if x.len() >= pool + off + 4 {
                        put32(&mut x, pool + off, v);
                        w.push(format!("{label}={v:#x}"));
                    }
                }
            }
            m = rebuild(
                d,
                lay,
                &[("AndroidManifest.xml", stored("AndroidManifest.xml", x))],
            );
            format!("re-stored, string pool {}", w.join(","))
        }
        "manifest-absurd-word" | "arsc-absurd-word" => {
            let entry = if name == "manifest-absurd-word" {
                "AndroidManifest.xml"
            } else {
                "resources.arsc"
            };
            let Some(r) = lay.find(entry) else {
                return (m, format!("no {entry}"));
            };
            let mut x = entry_bytes(d, r);
            let mut w = Vec::new();
            for _ in 0..rng.between(1, 3) {
                let words = x.len().min(4096) / 4;
                let at = rng.below(words) * 4;
                let v = rng.pick(ABSURD);
                if at + 4 <= x.len() {
                    put32(&mut x, at, v);
                    w.push(format!("{at:#x}={v:#x}"));
                }
            }
            m = rebuild(d, lay, &[(entry, stored(entry, x))]);
            format!("re-stored, words {}", w.join(","))
        }
        other => unreachable!("unknown mutation {other}"),
    };
    (m, format!("{name}({desc})"))
}

/// Adds a second central-directory record named `AndroidManifest.xml` whose local header offset
/// points at junk (inserted before the central directory, or just a random offset), first or
/// last in the directory.
fn duplicate_manifest(d: &[u8], lay: &Layout, rng: &mut Rng) -> (Vec<u8>, String) {
    let Some(orig) = lay.find("AndroidManifest.xml") else {
        return (d.to_vec(), "duplicate-manifest(no manifest)".into());
    };
    let mut rec = d[orig.at..orig.at + orig.len].to_vec();
    let mut m = d[..lay.cd].to_vec();
    let target = match rng.below(3) {
        0 => {
            // Junk with a plausible local header in front.
            let at = m.len();
            let n = rng.between(1, 2048);
            let junk = rng.bytes(n);
            let name = b"AndroidManifest.xml";
            m.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x00\x00\0\0\0\0");
            m.extend_from_slice(&crc32(&junk).to_le_bytes());
            m.extend_from_slice(&(junk.len() as u32).to_le_bytes());
            m.extend_from_slice(&(junk.len() as u32).to_le_bytes());
            m.extend_from_slice(&(name.len() as u16).to_le_bytes());
            m.extend_from_slice(&0u16.to_le_bytes());
            m.extend_from_slice(name);
            m.extend_from_slice(&junk);
            put16(&mut rec, 10, 0);
            put32(&mut rec, 20, junk.len() as u32);
            put32(&mut rec, 24, junk.len() as u32);
            ("junk entry", at)
        }
        1 => {
            let at = m.len();
            let n = rng.between(1, 512);
            m.extend_from_slice(&rng.bytes(n));
            ("raw junk", at)
        }
        _ => ("random offset", rng.below(lay.cd)),
    };
    put32(&mut rec, 42, target.1 as u32);
    let cd_start = m.len();
    let first = rng.chance(50);
    if first {
        m.extend_from_slice(&rec);
    }
    m.extend_from_slice(&d[lay.cd..lay.cd_end]);
    if !first {
        m.extend_from_slice(&rec);
    }
    let eocd = m.len();
    m.extend_from_slice(&d[lay.eocd..]);
    let count = le16(d, lay.eocd + 10) + 1;
    put16(&mut m, eocd + 8, count);
    put16(&mut m, eocd + 10, count);
    put32(&mut m, eocd + 12, (eocd - cd_start) as u32);
    put32(&mut m, eocd + 16, cd_start as u32);
    (
        m,
        format!(
            "duplicate-manifest({} at {:#x}, {})",
            target.0,
            target.1,
            if first { "first" } else { "last" }
        ),
    )
}

/// Rewrites the central directory (records in order) with `between` inserted before the EOCD,
/// whose count, size and offset are updated.
fn with_cd(d: &[u8], lay: &Layout, recs: &[Vec<u8>], between: &[u8]) -> Vec<u8> {
    let mut m = d[..lay.cd].to_vec();
    for r in recs {
        m.extend_from_slice(r);
    }
    let cd_size = m.len() - lay.cd;
    m.extend_from_slice(between);
    let eocd = m.len();
    m.extend_from_slice(&d[lay.eocd..]);
    put16(&mut m, eocd + 8, recs.len() as u16);
    put16(&mut m, eocd + 10, recs.len() as u16);
    put32(&mut m, eocd + 12, cd_size as u32);
    put32(&mut m, eocd + 16, lay.cd as u32);
    m
}

fn cd_records(d: &[u8], lay: &Layout) -> Vec<Vec<u8>> {
    lay.recs
        .iter()
        .map(|r| d[r.at..r.at + r.len].to_vec())
        .collect()
}

/// Saturates some of a record's 32-bit fields and gives their values in a ZIP64 extra field
/// (honest, absurd, or with the extra field cut short).
fn zip64_extra(d: &[u8], lay: &Layout, rng: &mut Rng) -> (Vec<u8>, String) {
    let mut recs = cd_records(d, lay);
    let pick = lay.pick_rec(rng).clone();
    let i = lay.recs.iter().position(|r| r.at == pick.at).unwrap();
    let rec = &mut recs[i];
    let mut extra = Vec::new();
    let mut w = Vec::new();
    // Order fixed by the spec: uncompressed size, compressed size, local header offset.
    for (field, label) in [(24usize, "usize"), (20, "csize"), (42, "offset")] {
        if !rng.chance(60) {
            continue;
        }
        let honest = u64::from(le32(rec, field));
        put32(rec, field, 0xFFFF_FFFF);
        let v = if rng.chance(40) {
            honest
        } else {
            rng.pick(ABSURD64)
        };
        extra.extend_from_slice(&v.to_le_bytes());
        w.push(format!("{label}={v:#x}"));
    }
    let mut declared = extra.len() as u16;
    if rng.chance(20) {
        declared += 8;
        w.push("extra cut short".into());
    }
    let mut field = vec![1, 0];
    field.extend_from_slice(&declared.to_le_bytes());
    field.extend_from_slice(&extra);
    let n = usize::from(le16(rec, 28));
    let old_extra = usize::from(le16(rec, 30));
    let at = 46 + n + old_extra;
    rec.splice(at..at, field.iter().copied());
    put16(rec, 30, (old_extra + field.len()) as u16);
    let m = with_cd(d, lay, &recs, &[]);
    (m, format!("zip64-extra({}: {})", pick.name, w.join(",")))
}

/// Inserts a ZIP64 end record and locator (honest or with a corrupted field) and saturates the
/// EOCD fields that defer to them.
fn zip64_eocd(d: &[u8], lay: &Layout, rng: &mut Rng) -> (Vec<u8>, String) {
    let recs = cd_records(d, lay);
    let cd_size = (lay.cd_end - lay.cd) as u64;
    let mut fields = [recs.len() as u64, recs.len() as u64, cd_size, lay.cd as u64];
    let mut w = Vec::new();
    if rng.chance(75) {
        let i = rng.below(4);
        fields[i] = rng.pick(ABSURD64);
        w.push(format!(
            "{}={:#x}",
            ["entries on disk", "entries", "cd size", "cd offset"][i],
            fields[i]
        ));
    }
    let z64_at = lay.cd_end as u64;
    let mut z = Vec::new();
    z.extend_from_slice(b"PK\x06\x06");
    z.extend_from_slice(&44u64.to_le_bytes());
    z.extend_from_slice(&[45, 0, 45, 0]);
    z.extend_from_slice(&[0; 8]); // disk numbers
    for f in fields {
        z.extend_from_slice(&f.to_le_bytes());
    }
    let locator_target = if rng.chance(20) {
        let v = rng.pick(ABSURD64);
        w.push(format!("locator={v:#x}"));
        v
    } else {
        z64_at
    };
    z.extend_from_slice(b"PK\x06\x07\0\0\0\0");
    z.extend_from_slice(&locator_target.to_le_bytes());
    z.extend_from_slice(&1u32.to_le_bytes());
    let mut m = with_cd(d, lay, &recs, &z);
    let eocd = m.len() - (d.len() - lay.eocd);
    put16(&mut m, eocd + 8, 0xFFFF);
    put16(&mut m, eocd + 10, 0xFFFF);
    if rng.chance(50) {
        put32(&mut m, eocd + 12, 0xFFFF_FFFF);
    }
    put32(&mut m, eocd + 16, 0xFFFF_FFFF);
    if w.is_empty() {
        w.push("honest".into());
    }
    (m, format!("zip64-eocd({})", w.join(",")))
}

/// Limits tighter than the defaults, so that limit paths are taken on ordinary inputs.
fn tight_limits() -> Limits {
    Limits {
        max_zip_entries: 64,
        max_entry_size: 256 * 1024,
        max_total_inflated: 1024 * 1024,
        max_xml_depth: 4,
        max_xml_elements: 40,
        max_pool_strings: 200,
        max_reference_depth: 2,
        max_xml_size: 128 * 1024,
        max_arsc_size: 512 * 1024,
        max_dex_size: 512 * 1024,
    }
}

/// Mutant `index` of a source: the mutation kind cycles through [`KINDS`]; a quarter of the
/// mutants get a second, non-structural mutation on top, and one in seven is scanned with
/// [`tight_limits`].
fn mutant(d: &[u8], lay: &Layout, seed: u64, index: usize) -> (Vec<u8>, String, bool) {
    let mut rng = Rng::new(seed);
    let (mut m, mut desc) = mutate(d, lay, index % KINDS.len(), &mut rng);
    if rng.chance(25) && !m.is_empty() {
        // Stacked on top: flips or a little prepended junk (a tail cut would only remove the
        // EOCD again).
        if rng.chance(70) {
            let mut w = Vec::new();
            let n = rng.between(1, 4);
            let len = m.len();
            flip(&mut m, &mut rng, (0, len), n, &mut w);
            desc.push_str(&format!(" + flip({})", w.join(",")));
        } else {
            let n = rng.between(1, 64);
            let mut junk = rng.bytes(n);
            junk.extend_from_slice(&m);
            m = junk;
            desc.push_str(&format!(" + prepend({n})"));
        }
    }
    let tight = index % 7 == 3;
    if tight {
        desc.push_str(" [tight limits]");
    }
    (m, desc, tight)
}

// ------------------------------------------------------------------------------------------
// Checks.

/// Artifacts the report says could not be read. `signing.malformed` is also used as a note
/// when at least one signer is still readable; only the "could not be read" form makes the
/// signing artifact unusable.
fn failed_artifacts(report: &Report) -> BTreeSet<Artifact> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::ParseError)
        .filter(|d| {
            d.code != "signing.malformed" || d.message.starts_with("signatures could not be read")
        })
        .filter_map(|d| d.artifact)
        .collect()
}

/// What kind of result a mutant gave, for the summary.
#[derive(Default)]
struct Tally {
    scanned: AtomicUsize,
    unreadable: AtomicUsize,
    with_incomplete: AtomicUsize,
    manifest_failed: AtomicUsize,
    clean: AtomicUsize,
    anomalies: AtomicUsize,
    tight: AtomicUsize,
}

/// Checks a report's consistency; `Err` describes the first violation.
fn check_report(report: &Report, len: usize) -> Result<(), String> {
    if let Some(d) = report
        .diagnostics
        .iter()
        .find(|d| d.kind == DiagnosticKind::Internal)
    {
        return Err(format!("internal diagnostic: {} {}", d.code, d.message));
    }
    if report.controls.len() != CONTROLS {
        return Err(format!(
            "{} controls, expected {CONTROLS}",
            report.controls.len()
        ));
    }
    if report.target.size != len as u64 {
        return Err(format!("target.size {} != {len}", report.target.size));
    }
    let verdict = |c| {
        report
            .controls
            .iter()
            .find(|r| r.id == c)
            .map(|r| r.verdict)
    };
    let any_parse_error = report
        .diagnostics
        .iter()
        .any(|d| d.kind == DiagnosticKind::ParseError);
    if let Some(c) = report
        .controls
        .iter()
        .find(|c| c.verdict == Verdict::Incomplete && !any_parse_error)
    {
        return Err(format!(
            "{} is incomplete but no diagnostic says what could not be read",
            c.id.id()
        ));
    }
    if container_unreadable(report) {
        if !report.findings.is_empty() {
            return Err("findings on an unreadable container".into());
        }
        if let Some(c) = report
            .controls
            .iter()
            .find(|c| !matches!(c.verdict, Verdict::Incomplete | Verdict::NotChecked))
        {
            return Err(format!(
                "{} is {} on an unreadable container",
                c.id.id(),
                c.verdict.as_str()
            ));
        }
        return Ok(());
    }
    let failed = failed_artifacts(report);
    for rule in RULES.iter() {
        let meta = rule.meta();
        let Some(input) = meta.inputs.iter().find(|a| failed.contains(a)) else {
            continue;
        };
        for &c in meta.masvs {
            match verdict(c) {
                Some(Verdict::Incomplete | Verdict::Fail) => {}
                v => {
                    return Err(format!(
                        "{} is {:?} although {} needs {} which is unreadable",
                        c.id(),
                        v,
                        meta.id,
                        input.as_str()
                    ))
                }
            }
        }
    }
    Ok(())
}

/// Scans one mutant; `Err` carries the failure (panic, inconsistency, time).
fn scan_checked(data: &[u8], opts: &ScanOptions) -> Result<(Report, Duration), String> {
    let start = Instant::now();
    let report =
        catch_unwind(AssertUnwindSafe(|| scan_bytes("mutant.apk", data, opts))).map_err(|e| {
            let msg = e
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| e.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            format!("scan_bytes panicked: {msg}")
        })?;
    let took = start.elapsed();
    check_report(&report, data.len())?;
    if took > MUTANT_TIME_LIMIT {
        return Err(format!("took {took:?} (limit {MUTANT_TIME_LIMIT:?})"));
    }
    Ok((report, took))
}

/// Reports in-flight scans that run past [`HANG_LIMIT`] and ends the process.
struct Watchdog {
    inflight: Arc<Mutex<Vec<(usize, Instant, String)>>>,
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    fn start() -> Watchdog {
        let inflight: Arc<Mutex<Vec<(usize, Instant, String)>>> = Arc::default();
        let done = Arc::new(AtomicBool::new(false));
        let (i, d) = (inflight.clone(), done.clone());
        let thread = std::thread::spawn(move || {
            while !d.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                if let Some((_, t, what)) = i
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(_, t, _)| t.elapsed() > HANG_LIMIT)
                {
                    eprintln!("HANG: scan still running after {:?}: {what}", t.elapsed());
                    std::process::exit(101);
                }
            }
        });
        Watchdog {
            inflight,
            done,
            thread: Some(thread),
        }
    }

    fn enter(&self, id: usize, what: &str) {
        self.inflight
            .lock()
            .unwrap()
            .push((id, Instant::now(), what.to_string()));
    }

    fn leave(&self, id: usize) {
        self.inflight.lock().unwrap().retain(|(i, _, _)| *i != id);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// (display name, bytes, rounds) of every source that exists.
fn sources() -> Vec<(String, Vec<u8>, usize)> {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .expect("fixtures/apps exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "apk"))
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty(), "no fixture APKs in {FIXTURES}");
    let mut out: Vec<(String, Vec<u8>, usize)> = fixtures
        .iter()
        .map(|p| {
            (
                format!("fixtures/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read(p).unwrap(),
                ROUNDS_FIXTURE,
            )
        })
        .collect();
    let corpus = Path::new(CORPUS);
    let wanted = CORPUS_SMALL
        .iter()
        .map(|n| (*n, ROUNDS_SMALL))
        .chain([(CORPUS_BIG, ROUNDS_BIG)]);
    let mut missing = 0;
    for (name, rounds) in wanted {
        match std::fs::read(corpus.join(name)) {
            Ok(b) => out.push((format!("corpus/{name}"), b, rounds)),
            Err(_) => missing += 1,
        }
    }
    if missing > 0 {
        eprintln!(
            "{missing} corpus APK(s) absent under {CORPUS}: mutating fixtures only for those"
        );
    }
    out
}

#[test]
fn mutants_never_panic_hang_or_give_inconsistent_reports() {
    let sources = sources();
    let layouts: Vec<Layout> = sources.iter().map(|(_, d, _)| Layout::parse(d)).collect();
    // Every unmodified source must scan cleanly first, or the mutants prove nothing.
    for (name, d, _) in &sources {
        let (r, _) = scan_checked(d, &ScanOptions::default())
            .unwrap_or_else(|e| panic!("unmodified {name}: {e}"));
        assert!(!container_unreadable(&r), "unmodified {name} unreadable");
    }

    let jobs: Vec<(usize, usize)> = sources
        .iter()
        .enumerate()
        .flat_map(|(s, (_, _, rounds))| (0..rounds * KINDS.len()).map(move |i| (s, i)))
        .collect();
    let tally = Tally::default();
    let slowest: Mutex<(Duration, String)> = Mutex::default();
    let failures: Mutex<Vec<String>> = Mutex::default();
    // Per mutation kind: (scanned, container unreadable, readable with an incomplete control).
    let per_kind: Mutex<Vec<(usize, usize, usize)>> = Mutex::new(vec![(0, 0, 0); KINDS.len()]);
    let watchdog = Watchdog::start();
    let default_opts = ScanOptions::default();
    let tight_opts = ScanOptions {
        limits: tight_limits(),
        ..ScanOptions::default()
    };
    let started = Instant::now();

    // A pool of its own: scan_bytes joins on the current pool, and other tests of this binary
    // call it from outside any pool (they would queue behind all the mutants on a shared one).
    let pool = rayon::ThreadPoolBuilder::new().build().unwrap();
    pool.install(|| {
        jobs.par_iter().enumerate().for_each(|(id, &(s, i))| {
            let (name, d, _) = &sources[s];
            let seed = seed_for(s, i);
            let (m, desc, tight) = mutant(d, &layouts[s], seed, i);
            let what = format!("{name} #{i} seed={seed:#018x} {desc}");
            watchdog.enter(id, &what);
            let result = scan_checked(&m, if tight { &tight_opts } else { &default_opts });
            watchdog.leave(id);
            let (report, took) = match result {
                Ok(x) => x,
                Err(e) => {
                    failures.lock().unwrap().push(format!("{what}: {e}"));
                    return;
                }
            };
            tally.scanned.fetch_add(1, Ordering::Relaxed);
            if tight {
                tally.tight.fetch_add(1, Ordering::Relaxed);
            }
            let unreadable = container_unreadable(&report);
            let incomplete = !unreadable
                && report
                    .controls
                    .iter()
                    .any(|c| c.verdict == Verdict::Incomplete);
            {
                let mut k = per_kind.lock().unwrap();
                let e = &mut k[i % KINDS.len()];
                *e = (
                    e.0 + 1,
                    e.1 + usize::from(unreadable),
                    e.2 + usize::from(incomplete),
                );
            }
            if unreadable {
                tally.unreadable.fetch_add(1, Ordering::Relaxed);
            } else {
                if incomplete {
                    tally.with_incomplete.fetch_add(1, Ordering::Relaxed);
                }
                if failed_artifacts(&report).contains(&Artifact::Manifest) {
                    tally.manifest_failed.fetch_add(1, Ordering::Relaxed);
                }
                if report
                    .diagnostics
                    .iter()
                    .any(|d| d.kind == DiagnosticKind::Anomaly)
                {
                    tally.anomalies.fetch_add(1, Ordering::Relaxed);
                }
                if report.diagnostics.is_empty() {
                    tally.clean.fetch_add(1, Ordering::Relaxed);
                }
            }
            let mut slow = slowest.lock().unwrap();
            if took > slow.0 {
                *slow = (took, what);
            }
        })
    });
    drop(watchdog);

    let (slow_t, slow_what) = slowest.into_inner().unwrap();
    let n = |a: &AtomicUsize| a.load(Ordering::Relaxed);
    eprintln!(
        "hostile: {} sources, {} mutants scanned in {:?} ({} with tight limits): \
         {} container-unreadable, {} readable with incomplete controls \
         ({} with the manifest unreadable), {} with zip/xml anomalies, {} without any diagnostic",
        sources.len(),
        n(&tally.scanned),
        started.elapsed(),
        n(&tally.tight),
        n(&tally.unreadable),
        n(&tally.with_incomplete),
        n(&tally.manifest_failed),
        n(&tally.anomalies),
        n(&tally.clean),
    );
    eprintln!("hostile: slowest mutant {slow_t:?}: {slow_what}");
    for (kind, (n, u, inc)) in KINDS.iter().zip(per_kind.into_inner().unwrap()) {
        eprintln!("hostile:   {kind:<26} {n:>4} scanned, {u:>4} unreadable, {inc:>4} incomplete");
    }
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} mutants failed:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
    assert_eq!(n(&tally.scanned), jobs.len());
    // The mutations must reach both outcomes, or they are not exercising anything.
    assert!(
        n(&tally.unreadable) > 0,
        "no mutant made the container unreadable"
    );
    assert!(
        n(&tally.manifest_failed) > 0,
        "no mutant made the manifest unreadable"
    );
    assert!(
        n(&tally.scanned) > n(&tally.unreadable) + n(&tally.with_incomplete),
        "no mutant stayed fully analysable"
    );
}

// ------------------------------------------------------------------------------------------
// Zip bombs.

/// A raw deflate stream of `mib` MiB of zeros, built without compressing them all: one
/// full-flushed block of 1 MiB of zeros (no back-reference leaves it) repeated, then an empty
/// final block.
fn zeros_deflate(mib: usize) -> Vec<u8> {
    let chunk = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(64 * 1024);
    while (c.total_in() as usize) < chunk.len() {
        let at = c.total_in() as usize;
        c.compress_vec(&chunk[at..], &mut block, FlushCompress::Full)
            .unwrap();
    }
    assert!(block.ends_with(&[0, 0, 0xFF, 0xFF]), "full flush marker");
    let mut out = block.repeat(mib);
    out.extend_from_slice(&[0x03, 0x00]);
    out
}

/// `base` with `entry` replaced by a deflated bomb of `mib` MiB declaring `declared` bytes.
fn with_bomb(base: &[u8], entry: &str, mib: usize, declared: u32) -> Vec<u8> {
    let lay = Layout::parse(base);
    let data = zeros_deflate(mib);
    let bomb = Out {
        name: entry.to_string(),
        flags: 0,
        method: 8,
        crc: 0,
        csize: data.len() as u32,
        usize_: declared,
        data,
    };
    let mut out = rebuild(base, &lay, &[(entry, bomb)]);
    if lay.find(entry).is_none() {
        // Not in the source: append it by rebuilding with the extra entry.
        let mut entries: Vec<Out> = lay
            .recs
            .iter()
            .map(|r| Out {
                name: r.name.clone(),
                flags: r.flags,
                method: r.method,
                crc: r.crc,
                csize: (r.data.1 - r.data.0) as u32,
                usize_: r.usize_,
                data: base[r.data.0..r.data.1].to_vec(),
            })
            .collect();
        let data = zeros_deflate(mib);
        entries.push(Out {
            name: entry.to_string(),
            flags: 0,
            method: 8,
            crc: 0,
            csize: data.len() as u32,
            usize_: declared,
            data,
        });
        out = write_zip(&entries);
    }
    out
}

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn zeros_deflate_is_a_valid_stream() {
    let s = zeros_deflate(3);
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(&s[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out.len(), 3 << 20);
    assert!(out.iter().all(|&b| b == 0));
}

#[test]
fn zip_bombs_are_refused_within_limits() {
    let base = std::fs::read(format!("{FIXTURES}/insecure.apk")).unwrap();
    let hwm_before = vm_hwm_kib();
    const GIB: u32 = 1 << 30;
    const MIB: u32 = 1 << 20;
    let small = Limits {
        max_entry_size: 8 * u64::from(MIB),
        max_total_inflated: 100 * u64::from(MIB),
        ..Limits::default()
    };
    // (entry, MiB of zeros in the stream, declared size, limits, artifact, expected message).
    let cases: Vec<(&str, usize, u32, Limits, Artifact, &str)> = vec![
        // Honest 1 GiB: refused on its declared size (over the binary XML cap), before
        // inflating anything.
        (
            "AndroidManifest.xml",
            1024,
            GIB,
            Limits::default(),
            Artifact::Manifest,
            "exceeds the limit of 16777216",
        ),
        // 2 GiB declared over a 1 GiB stream.
        (
            "AndroidManifest.xml",
            1024,
            2 * GIB,
            Limits::default(),
            Artifact::Manifest,
            "exceeds the limit",
        ),
        // Declares 4 KiB, inflates to 1 GiB: stops at the declared size.
        (
            "AndroidManifest.xml",
            1024,
            4096,
            Limits::default(),
            Artifact::Manifest,
            "exceeds the limit of 4096",
        ),
        (
            "resources.arsc",
            1024,
            GIB,
            Limits::default(),
            Artifact::Resources,
            "exceeds the limit",
        ),
        (
            "resources.arsc",
            1024,
            100_000,
            Limits::default(),
            Artifact::Resources,
            "exceeds the limit of 100000",
        ),
        // Smaller explicit limits: an honest 64 MiB bomb (refused by the binary XML cap first),
        // and a 1 GiB stream declaring 6 MiB (under both caps: inflates 6 MiB, then stops).
        (
            "AndroidManifest.xml",
            64,
            64 * MIB,
            small.clone(),
            Artifact::Manifest,
            "exceeds the limit of 16777216",
        ),
        (
            "AndroidManifest.xml",
            1024,
            6 * MIB,
            small.clone(),
            Artifact::Manifest,
            "exceeds the limit of 6291456",
        ),
        (
            "resources.arsc",
            64,
            64 * MIB,
            small.clone(),
            Artifact::Resources,
            "exceeds the limit of 8388608",
        ),
    ];
    for (entry, mib, declared, limits, artifact, expect) in cases {
        let apk = with_bomb(&base, entry, mib, declared);
        let what =
            format!("{entry}: {mib} MiB stream declaring {declared} bytes, limits {limits:?}");
        let opts = ScanOptions {
            limits,
            ..ScanOptions::default()
        };
        let (report, took) = scan_checked(&apk, &opts).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            !container_unreadable(&report),
            "{what}: container unreadable"
        );
        let diag = report
            .diagnostics
            .iter()
            .find(|d| d.kind == DiagnosticKind::ParseError && d.artifact == Some(artifact));
        let Some(diag) = diag else {
            panic!(
                "{what}: no parse error for {artifact:?}: {:#?}",
                report.diagnostics
            );
        };
        assert!(
            diag.message.contains(expect),
            "{what}: diagnostic {:?} does not mention {expect:?}",
            diag.message
        );
        eprintln!("bomb {what}: {took:?}: {}", diag.message);
    }

    // Archive-wide cap: three honest 5 MiB entries read by the scan (manifest, resources,
    // META-INF/MANIFEST.MF) against a 12 MiB total: one of them must hit the total.
    let mut apk = with_bomb(&base, "resources.arsc", 5, 5 * MIB);
    apk = with_bomb(&apk, "META-INF/MANIFEST.MF", 5, 5 * MIB);
    let lay = Layout::parse(&apk);
    let manifest = entry_bytes(&apk, lay.find("AndroidManifest.xml").unwrap());
    let mut padded = manifest.clone();
    padded.resize(5 << 20, 0);
    // The manifest keeps its content but is 5 MiB long (trailing zeros after the document).
    apk = rebuild(
        &apk,
        &lay,
        &[(
            "AndroidManifest.xml",
            deflated("AndroidManifest.xml", &padded),
        )],
    );
    let opts = ScanOptions {
        limits: Limits {
            max_total_inflated: 12 * u64::from(MIB),
            ..Limits::default()
        },
        ..ScanOptions::default()
    };
    let (report, _) = scan_checked(&apk, &opts).unwrap_or_else(|e| panic!("total cap: {e}"));
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::ParseError
                && d.message
                    .contains("total inflated size exceeds the limit of 12582912")),
        "total cap not reported: {:#?}",
        report.diagnostics
    );

    // None of this may have inflated a bomb in full (1 GiB); allow the 6 MiB and 15 MiB cases
    // and whatever the other tests of this binary use concurrently.
    if let (Some(a), Some(b)) = (hwm_before, vm_hwm_kib()) {
        eprintln!("bomb test: VmHWM {a} KiB -> {b} KiB");
        assert!(
            b.saturating_sub(a) < 700 * 1024,
            "peak RSS grew by {} KiB",
            b - a
        );
    }
}

fn deflated(name: &str, data: &[u8]) -> Out {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), Compression::fast());
    std::io::Write::write_all(&mut enc, data).unwrap();
    let z = enc.finish().unwrap();
    Out {
        name: name.to_string(),
        flags: 0,
        method: 8,
        crc: crc32(data),
        csize: z.len() as u32,
        usize_: data.len() as u32,
        data: z,
    }
}

// ------------------------------------------------------------------------------------------
// The command line.

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn assert_tool_error(path: &Path, what: &str) {
    let out = Command::cargo_bin("mastiff")
        .unwrap()
        .arg("scan")
        .arg(path)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: exit status; stderr: {stderr}"
    );
    assert!(
        stderr.contains("mastiff: error:"),
        "{what}: no `mastiff: error:` on stderr: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what}: panic on stderr: {stderr}"
    );
}

#[test]
fn cli_unreadable_inputs_exit_2_with_an_error() {
    let apk = std::fs::read(format!("{FIXTURES}/insecure.apk")).unwrap();
    assert_tool_error(&tmp("empty.apk", b""), "zero-byte file");
    assert_tool_error(
        &tmp(
            "text.apk",
            b"this is not a zip archive\n".repeat(100).as_slice(),
        ),
        "text file",
    );
    assert_tool_error(
        &tmp("truncated.apk", &apk[..apk.len() / 2]),
        "truncated APK",
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-dir.apk");
    std::fs::create_dir_all(&dir).unwrap();
    assert_tool_error(&dir, "directory");
    assert_tool_error(
        Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("does-not-exist.apk")
            .as_path(),
        "nonexistent path",
    );
}

#[test]
fn cli_mutated_but_readable_apk_gives_json_and_a_gate_verdict() {
    let apk = std::fs::read(format!("{FIXTURES}/insecure.apk")).unwrap();
    let lay = Layout::parse(&apk);
    let mut count = 0;
    for seed in 0..40u64 {
        let mut rng = Rng::new(seed);
        // Mutations that keep the central directory readable.
        let kind = rng.pick(&[
            "duplicate-manifest",
            "method-random",
            "encryption-flag",
            "prepend-junk",
            "flip-manifest-stored",
            "manifest-pool-counts",
        ]);
        let k = KINDS.iter().position(|x| *x == kind).unwrap();
        let (m, desc) = mutate(&apk, &lay, k, &mut rng);
        let report = scan_bytes("m.apk", &m, &ScanOptions::default());
        if container_unreadable(&report) {
            continue;
        }
        count += 1;
        let path = tmp(&format!("readable-{seed}.apk"), &m);
        let out = Command::cargo_bin("mastiff")
            .unwrap()
            .args(["scan", "--format", "json"])
            .arg(&path)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "seed {seed} {desc}: exit {:?}; stderr: {stderr}",
            out.status.code()
        );
        assert!(!stderr.contains("panicked"), "seed {seed} {desc}: {stderr}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("seed {seed} {desc}: stdout is not JSON: {e}"));
        let controls = json["controls"].as_array().map(Vec::len);
        assert_eq!(controls, Some(CONTROLS), "seed {seed} {desc}: controls");
        // The gate agrees with the findings in the JSON (default --fail-on high).
        let high = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| matches!(f["severity"].as_str(), Some("high" | "critical")));
        assert_eq!(
            out.status.code(),
            Some(i32::from(high)),
            "seed {seed} {desc}: gate"
        );
        if count == 8 {
            break;
        }
    }
    assert!(count >= 4, "only {count} readable mutants were tried");
}

/// Memory amplification: an honest deflate bomb under the archive-wide limits (512 MiB per
/// entry, 4 GiB in total) must not be inflated when it is an entry the scan reads. A 1.5 MB APK
/// whose `AndroidManifest.xml` and `resources.arsc` each declare and inflate to 500 MiB of zeros
/// once took the release `mastiff scan` to ~1 GB peak RSS; the per-format caps
/// (`Limits::max_xml_size`, `Limits::max_arsc_size`) now refuse them before inflating.
#[test]
fn honest_bombs_under_the_default_limits_stay_small() {
    const MIB: u32 = 1 << 20;
    let base = std::fs::read(format!("{FIXTURES}/insecure.apk")).unwrap();
    let apk = with_bomb(&base, "AndroidManifest.xml", 500, 500 * MIB);
    let apk = with_bomb(&apk, "resources.arsc", 500, 500 * MIB);
    let before = vm_hwm_kib().unwrap_or(0);
    let report = scan_bytes("bomb.apk", &apk, &ScanOptions::default());
    let grew = vm_hwm_kib().unwrap_or(0).saturating_sub(before);
    assert!(!container_unreadable(&report));
    assert!(
        grew < 256 * 1024,
        "peak RSS grew by {grew} KiB scanning a {} byte APK",
        apk.len()
    );
}

/// The oracle itself: a doctored report (a control `pass` although the manifest is unreadable,
/// an internal diagnostic, a missing control) must be rejected.
#[test]
fn consistency_check_rejects_doctored_reports() {
    let apk = std::fs::read(format!("{FIXTURES}/insecure.apk")).unwrap();
    let lay = Layout::parse(&apk);
    let mut junk_manifest = entry_bytes(&apk, lay.find("AndroidManifest.xml").unwrap());
    junk_manifest.truncate(6);
    let m = rebuild(
        &apk,
        &lay,
        &[(
            "AndroidManifest.xml",
            stored("AndroidManifest.xml", junk_manifest),
        )],
    );
    let report = scan_bytes("m.apk", &m, &ScanOptions::default());
    assert!(failed_artifacts(&report).contains(&Artifact::Manifest));
    check_report(&report, m.len()).expect("the real report is consistent");

    let mut passed = report.clone();
    for c in &mut passed.controls {
        if c.verdict == Verdict::Incomplete {
            c.verdict = Verdict::Pass;
        }
    }
    assert!(
        check_report(&passed, m.len()).is_err(),
        "pass on unreadable input"
    );

    let mut internal = report.clone();
    internal.diagnostics.push(mastiff_core::Diagnostic {
        kind: DiagnosticKind::Internal,
        artifact: None,
        code: "internal.panic".into(),
        message: "boom".into(),
        location: None,
    });
    assert!(
        check_report(&internal, m.len()).is_err(),
        "internal diagnostic"
    );

    let mut short = report;
    short.controls.pop();
    assert!(check_report(&short, m.len()).is_err(), "23 controls");
}

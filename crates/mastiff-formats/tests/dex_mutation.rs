//! Mutated real dex files (random bytes, huge counts, bad offsets, truncation, invalid opcodes)
//! never panic and are walked in bounded time.

use std::time::{Duration, Instant};

use mastiff_formats::dex::{insn, Dex};

const APP_DEX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../mastiff-code/tests/data/app.dex"
);

/// Parses and walks everything a caller could ask for; returns the instructions seen.
fn walk(data: &[u8]) -> usize {
    let Ok(dex) = Dex::parse(data) else {
        return 0;
    };
    let mut n = 0;
    let _ = dex.map_items();
    for i in 0..dex.string_count() {
        let _ = dex.string(i);
    }
    for i in 0..dex.method_count() {
        if let Ok(m) = dex.method(i) {
            let _ = dex.proto_descriptor(u32::from(m.proto_idx));
        }
    }
    for i in 0..dex.field_count() {
        let _ = dex.field(i);
    }
    for class in dex.class_defs().flatten() {
        let _ = dex.type_descriptor(class.class_idx);
        let _ = dex.interfaces(&class);
        let _ = dex.static_values(&class);
        let Ok(Some(cd)) = dex.class_data(&class) else {
            continue;
        };
        for m in cd.methods() {
            let Ok(code) = dex.code_item(m.code_off) else {
                continue;
            };
            let _ = code.for_each_handler_addr(|_| {});
            for i in code.instructions() {
                n += 1;
                if let Some(t) = i.target() {
                    let _ = insn::payload_at(code.insns, t);
                }
            }
        }
    }
    n
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn timed(what: &str, data: &[u8]) {
    let t = Instant::now();
    walk(data);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "{what}: took {:?}",
        t.elapsed()
    );
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut v = vec![("app.dex".to_string(), std::fs::read(APP_DEX).unwrap())];
    let apk = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/apps/androguard-testdata-com.politedroid_4.apk"
    );
    if let Ok(bytes) = std::fs::read(apk) {
        let limits = mastiff_formats::Limits::default();
        let a = mastiff_formats::zip::Archive::parse(&bytes, &limits).unwrap();
        let e = a.find("classes.dex").unwrap();
        v.push((
            "politedroid".to_string(),
            a.read(e, &limits).unwrap().into_owned(),
        ));
    }
    v
}

#[test]
fn unmutated_seeds_walk() {
    for (name, d) in seeds() {
        assert!(walk(&d) > 10, "{name}");
    }
}

#[test]
fn random_byte_mutations() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (name, seed) in seeds() {
        for round in 0..300 {
            let mut d = seed.clone();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(d.len());
                d[i] = rng.next() as u8;
            }
            timed(&format!("{name} round {round}"), &d);
        }
    }
}

#[test]
fn huge_counts_and_bad_offsets() {
    for (name, seed) in seeds() {
        // Every size/offset field of the header.
        for field in (0x2c..0x70).step_by(4) {
            for value in [
                0xffff_ffffu32,
                0x7fff_ffff,
                seed.len() as u32,
                seed.len() as u32 - 1,
                1,
            ] {
                let mut d = seed.clone();
                d[field..field + 4].copy_from_slice(&value.to_le_bytes());
                timed(&format!("{name} header {field:#x}={value:#x}"), &d);
            }
        }
        // Offsets inside every class_def pointed at the end of the file or far beyond.
        let dex = Dex::parse(&seed).unwrap();
        let (n, off) = (
            dex.header().class_defs.size,
            dex.header().class_defs.off as usize,
        );
        for c in 0..n as usize {
            for k in 2..8 {
                for value in [0xffff_fff0u32, seed.len() as u32 - 2, 0x70] {
                    let mut d = seed.clone();
                    let at = off + 32 * c + 4 * k;
                    d[at..at + 4].copy_from_slice(&value.to_le_bytes());
                    timed(&format!("{name} class {c} field {k}"), &d);
                }
            }
        }
    }
}

#[test]
fn truncations() {
    for (name, seed) in seeds() {
        let step = (seed.len() / 200).max(1);
        for len in (0..seed.len()).step_by(step) {
            timed(&format!("{name} truncated to {len}"), &seed[..len]);
        }
    }
}

#[test]
fn invalid_opcodes_and_truncated_code_items() {
    for (name, seed) in seeds() {
        let dex = Dex::parse(&seed).unwrap();
        let mut code_offs = Vec::new();
        for class in dex.class_defs().flatten() {
            if let Ok(Some(cd)) = dex.class_data(&class) {
                code_offs.extend(
                    cd.methods()
                        .filter(|m| m.code_off != 0)
                        .map(|m| m.code_off as usize),
                );
            }
        }
        for &off in code_offs.iter().take(40) {
            // Every instruction unit replaced with an unused opcode or a payload ident.
            for bad in [0x3eu8, 0x73, 0xe3, 0xff] {
                let mut d = seed.clone();
                let units = u32::from_le_bytes(d[off + 12..off + 16].try_into().unwrap()) as usize;
                for u in 0..units {
                    d[off + 16 + 2 * u] = bad;
                }
                timed(&format!("{name} code {off:#x} opcode {bad:#x}"), &d);
            }
            // insns_size and tries_size inflated past the end of the file.
            for (field, value) in [(12usize, 0x7fff_ffffu32), (12, 0xffff_ffff)] {
                let mut d = seed.clone();
                d[off + field..off + field + 4].copy_from_slice(&value.to_le_bytes());
                timed(&format!("{name} code {off:#x} insns_size"), &d);
            }
            let mut d = seed.clone();
            d[off + 6..off + 8].copy_from_slice(&0xffffu16.to_le_bytes());
            timed(&format!("{name} code {off:#x} tries_size"), &d);
            // A payload identifier with a huge size at the start of the code.
            let mut d = seed.clone();
            d[off + 16..off + 20].copy_from_slice(&[0x00, 0x03, 0xff, 0xff]);
            timed(&format!("{name} code {off:#x} payload"), &d);
        }
    }
}

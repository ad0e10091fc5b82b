//! Test helpers: reading APKs with mastiff's zip reader and a minimal DEX string-pool and
//! type-list reader (the real DEX reader lives in another crate; this one is only for tests).

#![allow(dead_code)]

use std::path::PathBuf;

use mastiff_formats::zip::{Archive, EntryCache};
use mastiff_formats::Limits;

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/apps"
    ))
}

/// ApiDemos from `npm pack android-apidemos`: `$APIDEMOS_APK`, else
/// `/tmp/android-apidemos/package/apks/ApiDemos-debug.apk`.
pub fn apidemos() -> Option<PathBuf> {
    let p = std::env::var_os("APIDEMOS_APK")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/android-apidemos/package/apks/ApiDemos-debug.apk"));
    p.is_file().then_some(p)
}

pub fn corpus_apks() -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(corpus_dir()) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "apk"))
        .collect();
    v.sort();
    v
}

fn uleb(data: &[u8], pos: &mut usize) -> Option<u32> {
    let mut r = 0u32;
    for shift in (0..35).step_by(7) {
        let b = *data.get(*pos)?;
        *pos += 1;
        r |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(r);
        }
    }
    None
}

fn u32_at(d: &[u8], off: usize) -> Option<usize> {
    Some(u32::from_le_bytes(d.get(off..off + 4)?.try_into().ok()?) as usize)
}

/// (strings, type descriptors) of one dex file.
pub fn dex_strings_and_types(dex: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut strings = Vec::new();
    let mut types = Vec::new();
    let (Some(n), Some(off), Some(tn), Some(toff)) = (
        u32_at(dex, 0x38),
        u32_at(dex, 0x3C),
        u32_at(dex, 0x40),
        u32_at(dex, 0x44),
    ) else {
        return (strings, types);
    };
    for i in 0..n {
        let Some(mut p) = u32_at(dex, off + 4 * i) else {
            break;
        };
        if uleb(dex, &mut p).is_none() {
            break;
        }
        let end = dex
            .get(p..)
            .and_then(|s| s.iter().position(|&b| b == 0))
            .map(|e| p + e);
        let Some(end) = end else { break };
        strings.push(String::from_utf8_lossy(&dex[p..end]).into_owned());
    }
    for i in 0..tn {
        let Some(idx) = u32_at(dex, toff + 4 * i) else {
            break;
        };
        if let Some(s) = strings.get(idx) {
            types.push(s.clone());
        }
    }
    (strings, types)
}

pub struct App {
    pub bytes: Vec<u8>,
}

impl App {
    pub fn open(path: &std::path::Path) -> App {
        App {
            bytes: std::fs::read(path).unwrap(),
        }
    }
}

/// Runs `f` with the app's entry cache, dex strings and type descriptors.
pub fn with_app<R>(app: &App, f: impl FnOnce(&EntryCache<'_>, &[String], &[String]) -> R) -> R {
    let archive = Archive::parse(&app.bytes, &Limits::default()).unwrap();
    let cache = EntryCache::new(&archive, Limits::default());
    let mut strings = Vec::new();
    let mut types = Vec::new();
    for e in archive.entries() {
        let n = &e.name;
        if n.starts_with("classes") && n.ends_with(".dex") && !n.contains('/') {
            if let Some(Ok(bytes)) = cache.get(n) {
                let (s, t) = dex_strings_and_types(bytes);
                strings.extend(s);
                types.extend(t);
            }
        }
    }
    f(&cache, &strings, &types)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

//! What the resilience rules look for in code: markers in the app's own const-strings, calls
//! from the app's own code, dedicated protection libraries, and strings in native libraries.
//! Each match becomes one line of evidence with its location.

use mastiff_code::CodeIndex;
use mastiff_core::{Control, Location};

use crate::rule::Sink;
use crate::rules::code::helpers::{method_name, own_code, quote};
use crate::AppContext;

/// One thing seen that implements a protection.
pub(crate) struct Seen {
    pub what: String,
    pub location: Location,
}

/// Const-strings in app code that contain one of `markers` (case-insensitive), one per marker;
/// a marker starting with `=` must be the whole string (`=frida`, not "Good Friday").
pub(crate) fn app_strings(code: &CodeIndex, markers: &[&str]) -> Vec<Seen> {
    // One case-insensitive automaton over the substring markers instead of lowercasing every
    // string for every marker: this runs over every const-string of the app, several times.
    let substrings: Vec<(usize, &str)> = markers
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.starts_with('='))
        .map(|(i, m)| (i, *m))
        .collect();
    let ac = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(substrings.iter().map(|(_, m)| m))
        .ok();
    let mut out: Vec<Seen> = Vec::new();
    let mut done = vec![false; markers.len()];
    let mut hits: Vec<usize> = Vec::new();
    for s in code.string_uses() {
        if s.value.len() > 200 || done.iter().all(|d| *d) {
            continue;
        }
        hits.clear();
        if let Some(ac) = &ac {
            hits.extend(
                ac.find_overlapping_iter(s.value.as_bytes())
                    .filter_map(|m| substrings.get(m.pattern().as_usize()).map(|(i, _)| *i)),
            );
        }
        hits.extend(markers.iter().enumerate().filter_map(|(i, m)| {
            m.strip_prefix('=')
                .filter(|exact| s.value.eq_ignore_ascii_case(exact))
                .map(|_| i)
        }));
        // The first marker in list order that has not been seen yet.
        let Some(i) = hits
            .iter()
            .copied()
            .filter(|i| !done.get(*i).copied().unwrap_or(true))
            .min()
        else {
            continue;
        };
        if !own_code(code, s.method) {
            continue;
        }
        if let Some(d) = done.get_mut(i) {
            *d = true;
        }
        out.push(Seen {
            what: format!("{} in {}", quote(s.value), method_name(code, s.method)),
            location: code.location(s.method, s.offset),
        });
    }
    out
}

/// Calls to `class.name` from app code (first site only).
pub(crate) fn app_calls(code: &CodeIndex, class: &str, name: &str) -> Option<Seen> {
    code.calls_to(class, name)
        .find(|c| own_code(code, c.caller))
        .map(|c| Seen {
            what: format!(
                "{}() in {}",
                crate::rules::code::helpers::short_callee(&c.callee),
                method_name(code, c.caller)
            ),
            location: code.location(c.caller, c.offset),
        })
}

/// Calls to `class.name` from any code (dedicated protection SDKs live in library packages).
pub(crate) fn any_calls(code: &CodeIndex, class: &str, name: &str) -> Option<Seen> {
    code.calls_to(class, name).next().map(|c| Seen {
        what: format!(
            "{}() in {}",
            crate::rules::code::helpers::short_callee(&c.callee),
            method_name(code, c.caller)
        ),
        location: code.location(c.caller, c.offset),
    })
}

/// Runtime application self-protection SDKs that implement root, tamper and debugger checks.
const RASP: &[(&str, &str)] = &[
    ("Lcom/aheaditec/talsec", "Talsec freeRASP"),
    (
        "Lcom/guardsquare/dexguard/runtime",
        "DexGuard runtime checks",
    ),
    ("Lno/promon/", "Promon SHIELD"),
    ("Lcom/appdome/", "Appdome"),
];

/// A protection SDK present in the dex files.
pub(crate) fn rasp(code: &CodeIndex) -> Option<Seen> {
    code.classes().find_map(|c| {
        RASP.iter()
            .find(|(p, _)| c.descriptor.starts_with(p))
            .map(|(_, name)| Seen {
                what: format!("{name} ({})", c.java_name()),
                location: c
                    .methods()
                    .next()
                    .map(|m| code.location(m, 0))
                    .unwrap_or_else(|| Location::Entry {
                        entry: "classes.dex".into(),
                        offset: None,
                    }),
            })
    })
}

/// Native libraries that use `ptrace`/`/proc` for their own purposes (crash reporters).
const CRASH_REPORTER_LIBS: &[&str] = &[
    "crash", "breakpad", "sentry", "bugsnag", "unwind", "instabug", "firebase",
];

/// Largest native library read for markers.
const MAX_NATIVE_LIB: u64 = 32 * 1024 * 1024;

/// Markers found in the app's native libraries (one ABI per library name), skipping crash
/// reporters whose `ptrace` use is not a protection.
pub(crate) fn native_markers(app: &AppContext<'_>, markers: &[&[u8]]) -> Vec<Seen> {
    let Some(cache) = app.cache else {
        return Vec::new();
    };
    let mut names_done: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for entry in app.entries {
        let Some(file) = entry.strip_prefix("lib/").and_then(|r| r.split('/').nth(1)) else {
            continue;
        };
        if !file.ends_with(".so")
            || names_done.contains(&file)
            || CRASH_REPORTER_LIBS
                .iter()
                .any(|c| file.to_ascii_lowercase().contains(c))
        {
            continue;
        }
        names_done.push(file);
        let Some(Ok(bytes)) = cache.get_bounded(entry, MAX_NATIVE_LIB) else {
            continue;
        };
        for m in markers {
            if let Some(pos) = bytes.windows(m.len()).position(|w| w == *m) {
                out.push(Seen {
                    what: format!(
                        "{:?} in {entry}",
                        String::from_utf8_lossy(m).trim_matches('\0')
                    ),
                    location: Location::Entry {
                        entry: entry.clone(),
                        offset: Some(pos as u64),
                    },
                });
            }
        }
    }
    out
}

/// Records evidence for each thing seen; returns whether anything was.
pub(crate) fn record(out: &mut Sink, control: Control, kind: &str, seen: &[Seen]) -> bool {
    for s in seen {
        out.evidence(
            control,
            format!("{kind}: {}", s.what),
            vec![s.location.clone()],
        );
    }
    !seen.is_empty()
}

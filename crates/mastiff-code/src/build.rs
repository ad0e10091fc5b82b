//! Building the index: per-dex passes in parallel, then one merge.
//!
//! 1. Per dex (parallel): header, every string (decoded once), class defs, class data, methods,
//!    static final initial values.
//! 2. Per dex (parallel): `<clinit>` methods are scanned so constant `sput`s into `static final`
//!    fields without an initial value become known values too.
//! 3. Per dex (parallel): every method body is scanned once ([`Scanner::scan_method`]).
//! 4. Merge: classes (first definition wins), flat call/field arrays and their hash indexes,
//!    distinct strings, the class hierarchy, cycle detection.

use std::sync::Arc;

use mastiff_formats::dex::{access, mutf8, Dex, EncodedValue, NO_INDEX};
use rayon::prelude::*;

use crate::fxhash::{FxHashMap, FxHashSet};
use crate::libraries::{is_app_code, library_of};
use crate::track::{Scanner, StaticMap};
use crate::{
    ArgValue, ClassInfo, CodeIndex, CodeProblem, DexFileInfo, DexStatus, Limits, MethodId,
    MethodInfo, MethodRef, ProblemKind, RefIndex, StaticFieldValue, Str,
};

struct Part<'a> {
    info: DexFileInfo,
    problems: Vec<CodeProblem>,
    scanner: Option<Scanner<'a>>,
    classes: Vec<ClassInfo>,
    methods: Vec<MethodInfo>,
    /// Local method indices of `<clinit>`s with code.
    clinits: Vec<u32>,
    final_statics: FxHashSet<(Str, Str)>,
    statics: Vec<((Str, Str), ArgValue)>,
}

impl Part<'_> {
    fn problem(&mut self, kind: ProblemKind, message: String) {
        self.problems.push(CodeProblem {
            file: self.info.name.clone(),
            kind,
            message,
        });
    }
}

fn encoded_to_arg(sc: &Scanner<'_>, v: &EncodedValue) -> Option<ArgValue> {
    Some(match v {
        EncodedValue::Byte(x) => ArgValue::Int(i64::from(*x)),
        EncodedValue::Short(x) => ArgValue::Int(i64::from(*x)),
        EncodedValue::Char(x) => ArgValue::Int(i64::from(*x)),
        EncodedValue::Int(x) => ArgValue::Int(i64::from(*x)),
        EncodedValue::Long(x) => ArgValue::Int(*x),
        EncodedValue::Float(x) => ArgValue::Float(f64::from(*x)),
        EncodedValue::Double(x) => ArgValue::Float(*x),
        EncodedValue::Boolean(b) => ArgValue::Int(i64::from(*b)),
        EncodedValue::String(s) => ArgValue::Str(sc.string(*s)),
        EncodedValue::Type(t) => ArgValue::ClassConst(sc.type_desc(*t)),
        // A null initial value is the default a `<clinit>` may still overwrite: not a constant.
        _ => return None,
    })
}

fn phase1<'a>(
    index: u16,
    name: &str,
    bytes: &'a [u8],
    app_package: Option<&str>,
    limits: &Limits,
    empty: &Str,
) -> Part<'a> {
    let mut part = Part {
        info: DexFileInfo {
            name: name.to_string(),
            version: None,
            size: bytes.len(),
            classes: 0,
            methods: 0,
            methods_with_code: 0,
            instructions: 0,
            invokes: 0,
            const_strings: 0,
            status: DexStatus::Complete,
        },
        problems: Vec::new(),
        scanner: None,
        classes: Vec::new(),
        methods: Vec::new(),
        clinits: Vec::new(),
        final_statics: FxHashSet::default(),
        statics: Vec::new(),
    };
    let dex = match Dex::parse(bytes) {
        Ok(d) => d,
        Err(e) => {
            part.info.status = DexStatus::Unreadable(e.to_string());
            part.problem(ProblemKind::UnreadableDex, e.to_string());
            return part;
        }
    };
    part.info.version = Some(dex.version());
    part.info.classes = dex.class_def_count();
    // Both counts are checked against the file's size by the parser. A file defines at most
    // one method per method id (short of a hostile one repeating ids), so the method id count
    // is a tight bound where doubling growth would leave up to half the vector unused.
    part.classes.reserve_exact(dex.class_def_count() as usize);
    part.methods.reserve_exact(dex.method_count() as usize);

    // Every string, decoded once. Real files never share string data, so the bytes decoded
    // stay below the file size; a hostile file pointing many ids at one long string is cut off.
    let n = dex.string_count();
    let mut strings: Vec<Str> = Vec::with_capacity(n as usize);
    let budget = bytes.len().saturating_mul(2);
    let (mut used, mut bad) = (0usize, 0u32);
    for i in 0..n {
        if used > budget {
            part.problem(
                ProblemKind::LimitReached,
                format!(
                    "string data exceeds twice the file size; {} strings not read",
                    n - i
                ),
            );
            strings.resize(n as usize, empty.clone());
            break;
        }
        match dex.string_raw(i) {
            Ok((raw, _)) => {
                used = used.saturating_add(raw.len());
                strings.push(match mutf8::decode(raw) {
                    std::borrow::Cow::Borrowed(s) => Str::from(s),
                    std::borrow::Cow::Owned(s) => Str::from(s),
                });
            }
            Err(_) => {
                bad += 1;
                strings.push(empty.clone());
            }
        }
    }
    if bad > 0 {
        part.problem(
            ProblemKind::MalformedTable,
            format!("{bad} of {n} strings unreadable"),
        );
    }
    let mut sc = Scanner::new(dex.clone(), strings.into(), empty.clone(), limits);

    let mut malformed = 0u32;
    let mut first_error: Option<String> = None;
    let mut note = |e: String, malformed: &mut u32| {
        *malformed += 1;
        first_error.get_or_insert(e);
    };
    for ci in 0..dex.class_def_count() {
        let cd = match dex.class_def(ci) {
            Ok(c) => c,
            Err(e) => {
                note(e.to_string(), &mut malformed);
                continue;
            }
        };
        let descriptor = sc.type_desc(cd.class_idx);
        if descriptor.is_empty() {
            note(format!("class_def {ci}: bad class type"), &mut malformed);
            continue;
        }
        let superclass = (cd.superclass_idx != NO_INDEX).then(|| sc.type_desc(cd.superclass_idx));
        let interfaces = match dex.interfaces(&cd) {
            Ok(l) => l.iter().map(|t| sc.type_desc(u32::from(t))).collect(),
            Err(e) => {
                note(format!("{descriptor}: {e}"), &mut malformed);
                Vec::new()
            }
        };
        let source_file = (cd.source_file_idx != NO_INDEX).then(|| sc.string(cd.source_file_idx));
        let m_start = part.methods.len() as u32;
        let mut static_values = Vec::new();
        match dex.class_data(&cd) {
            Ok(Some(data)) => {
                for em in data.methods() {
                    let mut mr = sc.method_ref(em.method_idx);
                    if mr.class != descriptor {
                        // A hostile class_data can name another class's method id: the method
                        // still belongs to the class being defined.
                        mr = Arc::new(MethodRef {
                            class: descriptor.clone(),
                            ..(*mr).clone()
                        });
                    }
                    let has_code = em.code_off != 0;
                    if has_code && &*mr.name == "<clinit>" {
                        part.clinits.push(part.methods.len() as u32);
                    }
                    part.info.methods += 1;
                    part.info.methods_with_code += u32::from(has_code);
                    part.methods.push(MethodInfo {
                        method: mr,
                        access_flags: em.access_flags,
                        has_code,
                        dex: index,
                        code_off: em.code_off,
                        summary: Default::default(),
                        calls: 0..0,
                    });
                }
                let values = match dex.static_values(&cd) {
                    Ok(v) => v,
                    Err(e) => {
                        note(format!("{descriptor} static values: {e}"), &mut malformed);
                        Vec::new()
                    }
                };
                for (i, f) in data.static_fields.iter().enumerate() {
                    let fr = sc.field_ref(f.field_idx);
                    let is_final = f.access_flags & access::FINAL != 0;
                    if is_final {
                        part.final_statics
                            .insert((descriptor.clone(), fr.name.clone()));
                    }
                    let Some(value) = values.get(i).and_then(|v| encoded_to_arg(&sc, v)) else {
                        continue;
                    };
                    if is_final {
                        part.statics
                            .push(((descriptor.clone(), fr.name.clone()), value.clone()));
                    }
                    static_values.push(StaticFieldValue {
                        name: fr.name.clone(),
                        ty: fr.ty.clone(),
                        access_flags: f.access_flags,
                        value,
                    });
                }
            }
            Ok(None) => {}
            Err(e) => note(format!("{descriptor}: {e}"), &mut malformed),
        }
        part.classes.push(ClassInfo {
            is_app_code: is_app_code(&descriptor, app_package),
            library: library_of(&descriptor),
            descriptor,
            superclass,
            interfaces,
            access_flags: cd.access_flags,
            source_file,
            dex: index,
            static_values,
            methods: m_start..part.methods.len() as u32,
        });
    }
    if malformed > 0 {
        let first = first_error.unwrap_or_default();
        part.problem(
            ProblemKind::MalformedClass,
            format!("{malformed} malformed class definitions or class data (first: {first})"),
        );
    }
    part.scanner = Some(sc);
    part
}

/// Scans the `<clinit>`s and returns `(class, field)` → value for constant `sput`s into the
/// class's own `static final` fields (assigned exactly once).
fn clinit_constants(part: &mut Part<'_>) -> Vec<((Str, Str), ArgValue)> {
    let Some(sc) = part.scanner.as_mut() else {
        return Vec::new();
    };
    let mut found: FxHashMap<(Str, Str), Option<ArgValue>> = FxHashMap::default();
    for &m in &part.clinits {
        let Some(mi) = part.methods.get(m as usize) else {
            continue;
        };
        let Ok(code) = sc.dex.code_item(mi.code_off) else {
            continue;
        };
        sc.scan_method(&code, &mi.descriptor, true);
        for fa in sc.tracked_puts.drain(..) {
            if fa.kind != crate::FieldAccessKind::StaticPut || fa.field.class != mi.class {
                continue;
            }
            let key = (fa.field.class.clone(), fa.field.name.clone());
            if !part.final_statics.contains(&key) {
                continue;
            }
            let constant = matches!(
                fa.value,
                ArgValue::Bytes(_) | ArgValue::Ints(_) | ArgValue::Str(_) | ArgValue::Int(_)
            ) || (matches!(fa.value, ArgValue::StaticField { .. })
                && fa.value.is_constant());
            let v = if constant { Some(fa.value) } else { None };
            found
                .entry(key)
                .and_modify(|e| *e = None) // assigned twice: not a constant
                .or_insert(v);
        }
    }
    sc.tracked_args.clear();
    found
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

/// Appends `from` to `into`, taking `from` over when `into` is still unallocated, growing `into`
/// once to `total` otherwise (in place where the allocator can).
fn append<T>(into: &mut Vec<T>, from: Vec<T>, total: usize) {
    if into.capacity() == 0 {
        *into = from;
    } else {
        into.reserve_exact(total.saturating_sub(into.len()));
        into.extend(from);
    }
}

fn phase2(part: &mut Part<'_>, base: u32, limits: &Limits) {
    let Some(sc) = part.scanner.as_mut() else {
        return;
    };
    // Typical densities (ApiDemos: one invoke per 66 bytes of dex, one field access per 150,
    // one const-string per 390): reserving avoids regrowing (and copying) the big vectors.
    let size = sc.dex.data().len();
    sc.calls
        .reserve((size / 48).min(limits.max_call_sites_per_dex));
    sc.field_accesses.reserve(size / 128);
    sc.string_uses.reserve(size / 256);
    let budget = (sc.dex.data().len() / 2).saturating_mul(limits.max_code_units_factor);
    let mut scanned = 0usize;
    let mut bad_code = 0u32;
    let mut first_bad: Option<String> = None;
    let mut limit_msg: Option<String> = None;
    for (i, m) in part.methods.iter_mut().enumerate() {
        if !m.has_code {
            continue;
        }
        let code = match sc.dex.code_item(m.code_off) {
            Ok(c) => c,
            Err(e) => {
                bad_code += 1;
                first_bad.get_or_insert_with(|| format!("{}.{}: {e}", m.class, m.name));
                continue;
            }
        };
        scanned = scanned.saturating_add(code.insns_units() as usize);
        if scanned > budget {
            limit_msg = Some(format!(
                "code units scanned exceed {}x the file size; methods from {}.{} on not scanned",
                limits.max_code_units_factor, m.class, m.name
            ));
            break;
        }
        let before_calls = sc.calls.len() as u32;
        let before_trunc = sc.truncated_methods;
        let id = MethodId(base + i as u32);
        m.summary = sc.scan_method_light(id, &code);
        m.calls = before_calls..sc.calls.len() as u32;
        if sc.truncated_methods != before_trunc {
            first_bad.get_or_insert_with(|| {
                format!(
                    "{}.{}: instruction runs past the end of the code",
                    m.class, m.name
                )
            });
        }
    }
    sc.release_caches();
    // The reservations above are estimates: give back what the file did not use before the
    // merge (large vectors shrink in place, without a copy).
    sc.calls.shrink_to_fit();
    sc.field_accesses.shrink_to_fit();
    sc.string_uses.shrink_to_fit();
    part.info.instructions = sc.instructions;
    part.info.invokes = part
        .methods
        .iter()
        .map(|m| u64::from(m.summary.invokes))
        .sum();
    part.info.const_strings = sc.string_uses.len() as u64;
    let truncated = bad_code + sc.truncated_methods;
    let call_limit = sc.call_limit_hit;
    if truncated > 0 {
        part.problem(
            ProblemKind::TruncatedCode,
            format!(
                "{truncated} code items out of bounds or truncated (first: {})",
                first_bad.unwrap_or_default()
            ),
        );
    }
    if let Some(msg) = limit_msg {
        part.problem(ProblemKind::LimitReached, msg);
    }
    if call_limit {
        part.problem(
            ProblemKind::LimitReached,
            format!(
                "more than {} call sites; the rest are not indexed",
                limits.max_call_sites_per_dex
            ),
        );
    }
}

pub(crate) fn build<'d>(
    dex: &[(String, &'d [u8])],
    app_package: Option<&str>,
    limits: &Limits,
) -> (CodeIndex<'d>, Vec<CodeProblem>) {
    let mut problems = Vec::new();
    let files = dex.get(..limits.max_dex_files).unwrap_or(dex);
    if files.len() < dex.len() {
        problems.push(CodeProblem {
            file: String::new(),
            kind: ProblemKind::LimitReached,
            message: format!(
                "{} dex files; only the first {} are indexed",
                dex.len(),
                files.len()
            ),
        });
    }
    let empty = Str::from("");

    let mut parts: Vec<Part<'_>> = files
        .par_iter()
        .enumerate()
        .map(|(i, (name, bytes))| {
            phase1(
                u16::try_from(i).unwrap_or(u16::MAX),
                name,
                bytes,
                app_package,
                limits,
                &empty,
            )
        })
        .collect();

    // Static final values: the first definition of a class wins, like class loading.
    let mut statics = StaticMap::default();
    for p in &mut parts {
        for (k, v) in p.statics.drain(..) {
            statics.entry(k).or_insert_with(|| Arc::new(v));
        }
    }
    let statics = Arc::new(statics);
    for p in &mut parts {
        if let Some(sc) = p.scanner.as_mut() {
            sc.statics = statics.clone();
        }
    }
    let from_clinit: Vec<_> = parts.par_iter_mut().map(clinit_constants).collect();
    let mut statics: StaticMap = (*statics).clone();
    // <clinit> runs after the static values are set, so its constant wins.
    for (k, v) in from_clinit.into_iter().flatten() {
        statics.insert(k, Arc::new(v));
    }
    let statics = Arc::new(statics);

    let mut base = 0u32;
    let bases: Vec<u32> = parts
        .iter()
        .map(|p| {
            let b = base;
            base = base.saturating_add(p.methods.len() as u32);
            b
        })
        .collect();
    parts
        .par_iter_mut()
        .zip(bases.par_iter())
        .for_each(|(p, &b)| {
            if let Some(sc) = p.scanner.as_mut() {
                sc.statics = statics.clone();
            }
            phase2(p, b, limits);
        });
    let (mut ix, problems) = merge(parts, problems);
    ix.statics = statics;
    ix.limits = limits.clone();
    ix.tracked = std::iter::repeat_with(std::sync::OnceLock::new)
        .take(ix.methods.len())
        .collect();
    (ix, problems)
}

fn merge<'d>(
    parts: Vec<Part<'d>>,
    mut problems: Vec<CodeProblem>,
) -> (CodeIndex<'d>, Vec<CodeProblem>) {
    let mut ix = CodeIndex::default();
    let n_methods: usize = parts.iter().map(|p| p.methods.len()).sum();
    // The first file's vectors are taken over as they are, and grown once (in place where the
    // allocator can) to the exact total before the next file's items are appended.
    let total = |f: fn(&Scanner<'_>) -> usize| -> usize {
        parts.iter().filter_map(|p| p.scanner.as_ref()).map(f).sum()
    };
    let totals = (
        total(|s| s.calls.len()),
        total(|s| s.string_uses.len()),
        total(|s| s.field_accesses.len()),
    );
    ix.dex_strings.reserve_exact(parts.len());
    for mut part in parts {
        let mbase = ix.methods.len() as u32;
        let cbase = ix.calls.len() as u32;
        let mut dups = 0u32;
        let mut first_dup = None;
        for mut c in part.classes.drain(..) {
            c.methods = c.methods.start + mbase..c.methods.end + mbase;
            if ix.class_by_name.contains_key(&c.descriptor) {
                dups += 1;
                first_dup.get_or_insert_with(|| c.descriptor.to_string());
                continue;
            }
            ix.class_by_name
                .insert(c.descriptor.clone(), ix.classes.len() as u32);
            ix.classes.push(c);
        }
        if dups > 0 {
            part.problem(
                ProblemKind::DuplicateClass,
                format!(
                    "{dups} classes already defined in an earlier dex file (first: {}); the earlier definitions are used",
                    first_dup.unwrap_or_default()
                ),
            );
        }
        if ix.methods.is_empty() && cbase == 0 {
            // The first file's methods are taken over as they are (no copy at peak).
            let rest: usize = n_methods.saturating_sub(part.methods.len());
            ix.methods = std::mem::take(&mut part.methods);
            ix.methods.reserve_exact(rest);
        } else {
            for mut m in part.methods.drain(..) {
                m.calls = m.calls.start + cbase..m.calls.end + cbase;
                ix.methods.push(m);
            }
        }
        if let Some(sc) = part.scanner.take() {
            append(&mut ix.calls, sc.calls, totals.0);
            append(&mut ix.string_uses, sc.string_uses, totals.1);
            append(&mut ix.field_accesses, sc.field_accesses, totals.2);
            ix.sources.push(Some(crate::DexSource {
                dex: sc.dex.clone(),
                strings: sc.strings.clone(),
            }));
            ix.dex_strings.push(sc.strings);
        } else {
            ix.sources.push(None);
            ix.dex_strings.push(Arc::from(Vec::new()));
        }
        if !part.problems.is_empty() && part.info.status == DexStatus::Complete {
            part.info.status = DexStatus::Partial;
        }
        problems.append(&mut part.problems);
        ix.dex_files.push(part.info);
    }

    // Each item's dex file, from its method's (items are in method order).
    let file_of = |m: MethodId| {
        ix.methods
            .get(m.0 as usize)
            .map_or(0, |m| usize::from(m.dex))
    };
    let method_counts: Vec<usize> = ix
        .sources
        .iter()
        .map(|s| s.as_ref().map_or(0, |s| s.dex.method_count() as usize))
        .collect();
    let field_counts: Vec<usize> = ix
        .sources
        .iter()
        .map(|s| s.as_ref().map_or(0, |s| s.dex.field_count() as usize))
        .collect();
    ix.call_index = ref_index(
        &method_counts,
        ix.calls.iter().map(|c| {
            (
                file_of(c.caller),
                c.ref_id,
                Arc::as_ptr(&c.callee) as usize,
                &c.callee.class,
                &c.callee.name,
            )
        }),
    );
    ix.field_index = ref_index(
        &field_counts,
        ix.field_accesses.iter().map(|f| {
            (
                file_of(f.method),
                f.ref_id,
                Arc::as_ptr(&f.field) as usize,
                &f.field.class,
                &f.field.name,
            )
        }),
    );

    for (i, c) in ix.classes.iter().enumerate() {
        if let Some(s) = &c.superclass {
            ix.children.entry(s.clone()).or_default().push(i as u32);
        }
        for it in &c.interfaces {
            ix.direct_implementors
                .entry(it.clone())
                .or_default()
                .push(i as u32);
        }
    }
    problems.extend(find_cycles(&ix));
    (ix, problems)
}

/// Builds a `(class, name)` index over items identified by their reference id in their dex file
/// (`local`, one table per file sized by `local_counts`), or when they have none (`u32::MAX`:
/// invoke-custom call sites) by the address of their shared `Arc<MethodRef>`. Each distinct
/// reference is looked at once, not once per item.
fn ref_index<'s>(
    local_counts: &[usize],
    items: impl Iterator<Item = (usize, u32, usize, &'s Str, &'s Str)>,
) -> RefIndex {
    // 1. A provisional id per distinct reference, in first-seen order.
    let mut dense: Vec<Vec<u32>> = local_counts.iter().map(|&n| vec![u32::MAX; n]).collect();
    let mut by_ptr: FxHashMap<usize, u32> = FxHashMap::default();
    let mut refs: Vec<(&Str, &Str)> = Vec::new();
    let mut provisional: Vec<u32> = Vec::new();
    for (file, local, ptr, class, name) in items {
        let mut new_ref = || {
            refs.push((class, name));
            (refs.len() - 1) as u32
        };
        let slot = dense.get_mut(file).and_then(|t| t.get_mut(local as usize));
        let id = match slot {
            Some(slot) if *slot != u32::MAX => *slot,
            Some(slot) => {
                let id = new_ref();
                *slot = id;
                id
            }
            None => *by_ptr.entry(ptr).or_insert_with(new_ref),
        };
        provisional.push(id);
    }
    drop(dense);
    drop(by_ptr);

    // 2. Keys: the distinct (class, name) pairs, sorted; references with the same names (from
    //    different files) share a key.
    let mut order: Vec<u32> = (0..refs.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| refs.get(a as usize).cmp(&refs.get(b as usize)));
    let mut key_of = vec![0u32; refs.len()];
    // The name of each key, for the by-name view below.
    let mut key_names: Vec<&Str> = Vec::new();
    let mut last: Option<(&Str, &Str)> = None;
    for &p in &order {
        let Some(&(class, name)) = refs.get(p as usize) else {
            continue;
        };
        if last != Some((class, name)) {
            key_names.push(name);
            last = Some((class, name));
        }
        if let Some(k) = key_of.get_mut(p as usize) {
            *k = (key_names.len() - 1) as u32;
        }
    }
    drop(order);

    // 3. Items grouped by key (a counting sort keeps each key's items in item order).
    let mut ri = RefIndex::default();
    let mut counts = vec![0u32; key_names.len()];
    for &p in &provisional {
        if let Some(c) = key_of
            .get(p as usize)
            .and_then(|&k| counts.get_mut(k as usize))
        {
            *c += 1;
        }
    }
    let mut starts = Vec::with_capacity(counts.len() + 1);
    let mut acc = 0u32;
    starts.push(0);
    for c in &counts {
        acc += c;
        starts.push(acc);
    }
    let mut fill = starts.clone();
    let mut items_out = vec![0u32; provisional.len()];
    for (i, &p) in provisional.iter().enumerate() {
        let Some(&k) = key_of.get(p as usize) else {
            continue;
        };
        if let Some(pos) = fill.get_mut(k as usize) {
            if let Some(slot) = items_out.get_mut(*pos as usize) {
                *slot = i as u32;
            }
            *pos += 1;
        }
    }
    ri.starts = starts;
    ri.items = items_out;

    // 4. The by-name view: key ids by name, then by first occurrence.
    let first = |k: u32| {
        ri.starts
            .get(k as usize)
            .and_then(|&s| ri.items.get(s as usize))
            .copied()
            .unwrap_or(u32::MAX)
    };
    let mut by_name: Vec<u32> = (0..key_names.len() as u32).collect();
    by_name.sort_unstable_by(|&a, &b| {
        let name = |k: u32| key_names.get(k as usize);
        name(a).cmp(&name(b)).then_with(|| first(a).cmp(&first(b)))
    });
    ri.by_name = by_name;
    ri
}

/// Reports every class whose superclass chain loops (each cycle once).
fn find_cycles(ix: &CodeIndex) -> Vec<CodeProblem> {
    // 0 = unvisited, 1 = on the current chain, 2 = done.
    let mut state = vec![0u8; ix.classes.len()];
    let mut out = Vec::new();
    for start in 0..ix.classes.len() {
        let mut chain: Vec<usize> = Vec::new();
        let mut cur = Some(start);
        while let Some(i) = cur {
            match state.get(i).copied() {
                Some(0) => {
                    if let Some(s) = state.get_mut(i) {
                        *s = 1;
                    }
                    chain.push(i);
                    cur = ix
                        .classes
                        .get(i)
                        .and_then(|c| c.superclass.as_ref())
                        .and_then(|s| ix.class_by_name.get(s))
                        .map(|&j| j as usize);
                }
                Some(1) => {
                    let names: Vec<&str> = chain
                        .iter()
                        .skip_while(|&&k| k != i)
                        .filter_map(|&k| ix.classes.get(k).map(|c| &*c.descriptor))
                        .collect();
                    let file = ix
                        .classes
                        .get(i)
                        .and_then(|c| ix.dex_files.get(usize::from(c.dex)))
                        .map(|d| d.name.clone())
                        .unwrap_or_default();
                    out.push(CodeProblem {
                        file,
                        kind: ProblemKind::CyclicHierarchy,
                        message: format!("superclass cycle: {}", names.join(" -> ")),
                    });
                    break;
                }
                _ => break,
            }
        }
        for k in chain {
            if let Some(s) = state.get_mut(k) {
                *s = 2;
            }
        }
    }
    out
}

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

use mastiff_formats::dex::{access, Dex, EncodedValue, NO_INDEX};
use rayon::prelude::*;

use crate::fxhash::{FxHashMap, FxHashSet};
use crate::libraries::{is_app_code, library_of};
use crate::source::DexSource;
use crate::track::{scan_light, Records, Scanner, StaticMap};
use crate::{
    name_hash, ArgValue, ClassRec, CodeIndex, CodeProblem, DexFileInfo, DexStatus, Limits,
    MethodRec, ProblemKind, RefIndex, StaticRec, Str, HAS_CODE, ONLY_RETURNS, THROWS,
};

struct Part<'a> {
    info: DexFileInfo,
    problems: Vec<CodeProblem>,
    source: Option<DexSource<'a>>,
    /// `methods` ranges and `MethodRec::class` are local to the part until the merge.
    classes: Vec<ClassRec>,
    methods: Vec<MethodRec>,
    /// Local method indices of `<clinit>`s with code.
    clinits: Vec<u32>,
    /// Field ids of the file's `static final` fields.
    final_statics: FxHashSet<u32>,
    statics: Vec<((Str, Str), ArgValue)>,
    records: Records,
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

fn encoded_to_arg(src: &DexSource<'_>, v: &EncodedValue) -> Option<ArgValue> {
    Some(match v {
        EncodedValue::Byte(x) => ArgValue::Int(i64::from(*x)),
        EncodedValue::Short(x) => ArgValue::Int(i64::from(*x)),
        EncodedValue::Char(x) => ArgValue::Int(i64::from(*x)),
        EncodedValue::Int(x) => ArgValue::Int(i64::from(*x)),
        EncodedValue::Long(x) => ArgValue::Int(*x),
        EncodedValue::Float(x) => ArgValue::Float(f64::from(*x)),
        EncodedValue::Double(x) => ArgValue::Float(*x),
        EncodedValue::Boolean(b) => ArgValue::Int(i64::from(*b)),
        EncodedValue::String(s) => ArgValue::Str(Str::from(src.string(*s))),
        EncodedValue::Type(t) => ArgValue::ClassConst(Str::from(src.type_desc(*t))),
        // A null initial value is the default a `<clinit>` may still overwrite: not a constant.
        _ => return None,
    })
}

fn phase1<'a>(index: u16, name: &str, bytes: &'a [u8], app_package: Option<&str>) -> Part<'a> {
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
        source: None,
        classes: Vec::new(),
        methods: Vec::new(),
        clinits: Vec::new(),
        final_statics: FxHashSet::default(),
        statics: Vec::new(),
        records: Records::default(),
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

    let (src, check) = DexSource::new(dex.clone());
    let n = dex.string_count();
    if check.over_budget > 0 {
        part.problem(
            ProblemKind::LimitReached,
            format!(
                "string data exceeds twice the file size; {} strings not read",
                check.over_budget
            ),
        );
    }
    if check.unreadable > 0 {
        part.problem(
            ProblemKind::MalformedTable,
            format!("{} of {n} strings unreadable", check.unreadable),
        );
    }

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
        let descriptor = src.type_desc(cd.class_idx);
        if descriptor.is_empty() {
            note(format!("class_def {ci}: bad class type"), &mut malformed);
            continue;
        }
        let interfaces_off = match dex.interfaces(&cd) {
            Ok(_) => cd.interfaces_off,
            Err(e) => {
                note(format!("{descriptor}: {e}"), &mut malformed);
                0
            }
        };
        let class_id = part.classes.len() as u32;
        let m_start = part.methods.len() as u32;
        let mut statics = Vec::new();
        match dex.class_data(&cd) {
            Ok(Some(data)) => {
                for em in data.methods() {
                    let has_code = em.code_off != 0;
                    if has_code && src.method_names(em.method_idx).1 == "<clinit>" {
                        part.clinits.push(part.methods.len() as u32);
                    }
                    part.info.methods += 1;
                    part.info.methods_with_code += u32::from(has_code);
                    part.methods.push(MethodRec {
                        idx: em.method_idx,
                        class: class_id,
                        access_flags: em.access_flags,
                        code_off: em.code_off,
                        calls: (0, 0),
                        insn_count: 0,
                        invokes: 0,
                        dex: index,
                        flags: if has_code { HAS_CODE } else { 0 },
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
                    let is_final = f.access_flags & access::FINAL != 0;
                    if is_final {
                        part.final_statics.insert(f.field_idx);
                    }
                    let Some(value) = values.get(i).and_then(|v| encoded_to_arg(&src, v)) else {
                        continue;
                    };
                    if is_final {
                        let (_, name) = src.field_names(f.field_idx);
                        part.statics
                            .push(((Str::from(descriptor), Str::from(name)), value.clone()));
                    }
                    statics.push(StaticRec {
                        field: f.field_idx,
                        access_flags: f.access_flags,
                        value,
                    });
                }
            }
            Ok(None) => {}
            Err(e) => note(format!("{descriptor}: {e}"), &mut malformed),
        }
        part.classes.push(ClassRec {
            type_idx: cd.class_idx,
            super_idx: cd.superclass_idx,
            interfaces_off,
            source_file: cd.source_file_idx,
            access_flags: cd.access_flags,
            dex: index,
            is_app_code: is_app_code(descriptor, app_package),
            library: library_of(descriptor),
            statics: statics.into_boxed_slice(),
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
    part.source = Some(src);
    part
}

/// Scans the `<clinit>`s and returns `(class, field)` → value for constant `sput`s into the
/// class's own `static final` fields (assigned exactly once).
fn clinit_constants(
    part: &Part<'_>,
    statics: &Arc<StaticMap>,
    limits: &Limits,
) -> Vec<((Str, Str), ArgValue)> {
    let Some(src) = part.source.as_ref() else {
        return Vec::new();
    };
    let mut sc = Scanner::new(src, limits, statics.clone());
    let mut found: FxHashMap<(Str, Str), Option<ArgValue>> = FxHashMap::default();
    for &m in &part.clinits {
        let Some(mi) = part.methods.get(m as usize) else {
            continue;
        };
        let Ok(code) = src.dex.code_item(mi.code_off) else {
            continue;
        };
        let class = part
            .classes
            .get(mi.class as usize)
            .map_or("", |c| src.type_desc(c.type_idx));
        sc.scan_method(&code, src.proto_desc(src.method_proto(mi.idx)), true);
        sc.tracked_args.clear();
        for fa in sc.tracked_puts.drain(..) {
            if fa.kind != crate::FieldAccessKind::StaticPut
                || &*fa.field.class != class
                || !part.final_statics.contains(&fa.field_idx)
            {
                continue;
            }
            let key = (fa.field.class.clone(), fa.field.name.clone());
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
    let Some(src) = part.source.as_ref() else {
        return;
    };
    let out = &mut part.records;
    // Typical densities (ApiDemos: one invoke per 66 bytes of dex, one field access per 150,
    // one const-string per 390): reserving avoids regrowing (and copying) the big vectors.
    let size = src.dex.data().len();
    out.calls
        .reserve((size / 48).min(limits.max_call_sites_per_dex));
    out.field_accesses.reserve(size / 128);
    out.string_uses.reserve(size / 256);
    let budget = (size / 2).saturating_mul(limits.max_code_units_factor);
    let mut scanned = 0usize;
    let mut bad_code = 0u32;
    let mut first_bad: Option<String> = None;
    let mut limit_msg: Option<String> = None;
    let name_of = |m: &MethodRec| {
        let (_, name) = src.method_names(m.idx);
        let class = part
            .classes
            .get(m.class as usize)
            .map_or("", |c| src.type_desc(c.type_idx));
        format!("{class}.{name}")
    };
    for (i, m) in part.methods.iter_mut().enumerate() {
        m.calls = (out.calls.len() as u32, out.calls.len() as u32);
        if m.flags & HAS_CODE == 0 {
            continue;
        }
        let code = match src.dex.code_item(m.code_off) {
            Ok(c) => c,
            Err(e) => {
                bad_code += 1;
                first_bad.get_or_insert_with(|| format!("{}: {e}", name_of(m)));
                continue;
            }
        };
        scanned = scanned.saturating_add(code.insns_units() as usize);
        if scanned > budget {
            limit_msg = Some(format!(
                "code units scanned exceed {}x the file size; methods from {} on not scanned",
                limits.max_code_units_factor,
                name_of(m)
            ));
            break;
        }
        let before_trunc = out.truncated_methods;
        let summary = scan_light(out, base + i as u32, &code, limits);
        m.calls.1 = out.calls.len() as u32;
        m.insn_count = summary.insn_count;
        m.invokes = summary.invokes;
        if summary.throws {
            m.flags |= THROWS;
        }
        if summary.only_returns {
            m.flags |= ONLY_RETURNS;
        }
        if out.truncated_methods != before_trunc {
            first_bad.get_or_insert_with(|| {
                format!("{}: instruction runs past the end of the code", name_of(m))
            });
        }
    }
    // The reservations above are estimates: give back what the file did not use before the
    // merge (large vectors shrink in place, without a copy).
    out.calls.shrink_to_fit();
    out.field_accesses.shrink_to_fit();
    out.string_uses.shrink_to_fit();
    part.info.instructions = out.instructions;
    part.info.invokes = part.methods.iter().map(|m| u64::from(m.invokes)).sum();
    part.info.const_strings = out.string_uses.len() as u64;
    let truncated = bad_code + out.truncated_methods;
    let call_limit = out.call_limit_hit;
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

    let mut parts: Vec<Part<'_>> = files
        .par_iter()
        .enumerate()
        .map(|(i, (name, bytes))| {
            phase1(
                u16::try_from(i).unwrap_or(u16::MAX),
                name,
                bytes,
                app_package,
            )
        })
        .collect();

    // Static final values: the first definition of a class wins, like class loading.
    let mut statics = StaticMap::default();
    for p in &mut parts {
        for (k, v) in p.statics.drain(..) {
            statics.entry(k).or_insert_with(|| Arc::new(v));
        }
        p.statics.shrink_to_fit();
    }
    let statics = Arc::new(statics);
    let from_clinit: Vec<_> = parts
        .par_iter()
        .map(|p| clinit_constants(p, &statics, limits))
        .collect();
    let mut statics = Arc::unwrap_or_clone(statics);
    // <clinit> runs after the static values are set, so its constant wins.
    for (k, v) in from_clinit.into_iter().flatten() {
        statics.insert(k, Arc::new(v));
    }
    let statics = Arc::new(statics);
    for p in &mut parts {
        p.final_statics = FxHashSet::default();
        p.clinits = Vec::new();
    }

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
        .for_each(|(p, &b)| phase2(p, b, limits));
    let (mut ix, problems) = merge(parts, problems);
    ix.statics = statics;
    ix.limits = limits.clone();
    ix.tracked = crate::lazy::LazyTable::new(ix.methods.len());
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
    let total = |f: fn(&Records) -> usize| -> usize { parts.iter().map(|p| f(&p.records)).sum() };
    let totals = (
        total(|r| r.calls.len()),
        total(|r| r.string_uses.len()),
        total(|r| r.field_accesses.len()),
    );
    let mut parts = parts;
    let sources: Vec<Option<DexSource<'d>>> = parts.iter_mut().map(|p| p.source.take()).collect();
    {
        // Descriptor → class id of the first definition.
        let mut by_name: FxHashMap<&str, u32> = FxHashMap::default();
        for (d, mut part) in parts.into_iter().enumerate() {
            let src = sources.get(d).and_then(Option::as_ref);
            let mbase = ix.methods.len() as u32;
            let cbase = ix.calls.len() as u32;
            let mut dups = 0u32;
            let mut first_dup = None;
            let mut global: Vec<u32> = Vec::with_capacity(part.classes.len());
            for mut c in part.classes.drain(..) {
                let desc = src.map_or("", |s| s.type_desc(c.type_idx));
                c.methods = c.methods.start + mbase..c.methods.end + mbase;
                if let Some(&first) = by_name.get(desc) {
                    dups += 1;
                    first_dup.get_or_insert_with(|| desc.to_string());
                    global.push(first);
                    continue;
                }
                let id = ix.classes.len() as u32;
                by_name.insert(desc, id);
                global.push(id);
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
            for m in part.methods.iter_mut() {
                m.class = global.get(m.class as usize).copied().unwrap_or(u32::MAX);
                m.calls = (m.calls.0 + cbase, m.calls.1 + cbase);
            }
            if ix.methods.is_empty() && mbase == 0 {
                // The first file's methods are taken over as they are (no copy at peak).
                let rest: usize = n_methods.saturating_sub(part.methods.len());
                ix.methods = std::mem::take(&mut part.methods);
                ix.methods.reserve_exact(rest);
            } else {
                ix.methods.append(&mut part.methods);
            }
            let r = std::mem::take(&mut part.records);
            append(&mut ix.calls, r.calls, totals.0);
            append(&mut ix.string_uses, r.string_uses, totals.1);
            append(&mut ix.field_accesses, r.field_accesses, totals.2);
            if !part.problems.is_empty() && part.info.status == DexStatus::Complete {
                part.info.status = DexStatus::Partial;
            }
            problems.append(&mut part.problems);
            ix.dex_files.push(part.info);
        }
        ix.classes.shrink_to_fit();

        let desc_of = |c: &ClassRec| {
            sources
                .get(usize::from(c.dex))
                .and_then(Option::as_ref)
                .map_or("", |s| s.type_desc(c.type_idx))
        };
        let src_of = |c: &ClassRec| sources.get(usize::from(c.dex)).and_then(Option::as_ref);
        let mut keys = Vec::with_capacity(ix.classes.len());
        let mut children = Vec::new();
        let mut implementors = Vec::new();
        for (i, c) in ix.classes.iter().enumerate() {
            let i = i as u32;
            keys.push((name_hash(desc_of(c)), i));
            let Some(src) = src_of(c) else { continue };
            if c.super_idx != NO_INDEX {
                children.push((name_hash(src.type_desc(c.super_idx)), i));
            }
            if let Ok(list) = src.dex.type_list(c.interfaces_off) {
                for t in list.iter() {
                    implementors.push((name_hash(src.type_desc(u32::from(t))), i));
                }
            }
        }
        keys.sort_unstable();
        children.sort_unstable();
        implementors.sort_unstable();
        ix.class_keys = keys;
        ix.children = children;
        ix.direct_implementors = implementors;

        // The reference indexes: each item's file from its method's.
        let methods = &ix.methods;
        let file_of = |m: u32| methods.get(m as usize).map_or(0, |m| usize::from(m.dex));
        let src_at = |f: usize| sources.get(f).and_then(Option::as_ref);
        let method_counts: Vec<usize> = sources
            .iter()
            .map(|s| s.as_ref().map_or(0, |s| s.dex.method_count() as usize))
            .collect();
        let field_counts: Vec<usize> = sources
            .iter()
            .map(|s| s.as_ref().map_or(0, |s| s.dex.field_count() as usize))
            .collect();
        let call_index = ref_index(
            &method_counts,
            ix.calls.iter().map(|c| {
                (
                    file_of(c.caller),
                    u32::from(c.callee),
                    c.kind == crate::InvokeKind::Custom,
                )
            }),
            |f, id, custom| match src_at(f) {
                Some(s) if custom => {
                    let (m, _) = s.call_site_ref(id);
                    (m.class, m.name)
                }
                Some(s) => s.method_names(id),
                None => ("", ""),
            },
        );
        let field_index = ref_index(
            &field_counts,
            ix.field_accesses
                .iter()
                .map(|f| (file_of(f.method), u32::from(f.field), false)),
            |f, id, _| src_at(f).map_or(("", ""), |s| s.field_names(id)),
        );
        ix.call_index = call_index;
        ix.field_index = field_index;
    }
    ix.sources = sources;
    problems.extend(find_cycles(&ix));
    (ix, problems)
}

/// Builds a `(class, name)` index over items identified by their reference id in their dex file
/// (`(file, id, custom)`; `custom` ids are invoke-custom call site ids, in a table of their
/// own). `names` reads a reference's class and name; each distinct reference is read once, not
/// once per item.
fn ref_index<'s>(
    local_counts: &[usize],
    items: impl ExactSizeIterator<Item = (usize, u32, bool)>,
    names: impl Fn(usize, u32, bool) -> (&'s str, &'s str),
) -> RefIndex {
    // Every vector here is sized exactly (this runs at the build's memory peak).
    // 1. A provisional id per distinct reference, in first-seen order.
    let mut dense: Vec<Vec<u32>> = local_counts.iter().map(|&n| vec![u32::MAX; n]).collect();
    let mut other: FxHashMap<(usize, u32, bool), u32> = FxHashMap::default();
    let mut provisional: Vec<u32> = Vec::with_capacity(items.len());
    let mut n_refs = 0u32;
    for (file, local, custom) in items {
        let mut new_ref = || {
            n_refs += 1;
            n_refs - 1
        };
        let slot = if custom {
            None
        } else {
            dense.get_mut(file).and_then(|t| t.get_mut(local as usize))
        };
        let id = match slot {
            Some(slot) if *slot != u32::MAX => *slot,
            Some(slot) => {
                let id = new_ref();
                *slot = id;
                id
            }
            None => *other.entry((file, local, custom)).or_insert_with(new_ref),
        };
        provisional.push(id);
    }
    // Each distinct reference's class and name, read once.
    let mut refs: Vec<(&str, &str)> = vec![("", ""); n_refs as usize];
    for (file, table) in dense.iter().enumerate() {
        for (local, &id) in table.iter().enumerate() {
            if let Some(r) = refs.get_mut(id as usize) {
                *r = names(file, local as u32, false);
            }
        }
    }
    for (&(file, local, custom), &id) in &other {
        if let Some(r) = refs.get_mut(id as usize) {
            *r = names(file, local, custom);
        }
    }
    drop(dense);
    drop(other);

    // 2. Keys: the distinct (class, name) pairs, sorted; references with the same names (from
    //    different files) share a key. A key is named by its first reference (`key_ref`).
    let mut order: Vec<u32> = (0..n_refs).collect();
    order.sort_unstable_by(|&a, &b| refs.get(a as usize).cmp(&refs.get(b as usize)));
    let mut key_of = vec![0u32; refs.len()];
    let mut key_ref: Vec<u32> = Vec::new();
    let mut last: Option<(&str, &str)> = None;
    for &p in &order {
        let Some(&r) = refs.get(p as usize) else {
            continue;
        };
        if last != Some(r) {
            key_ref.push(p);
            last = Some(r);
        }
        if let Some(k) = key_of.get_mut(p as usize) {
            *k = (key_ref.len() - 1) as u32;
        }
    }
    drop(order);
    key_ref.shrink_to_fit();

    // 3. Items grouped by key (a counting sort keeps each key's items in item order).
    let mut ri = RefIndex::default();
    let mut starts = vec![0u32; key_ref.len() + 1];
    for &p in &provisional {
        if let Some(c) = key_of
            .get(p as usize)
            .and_then(|&k| starts.get_mut(k as usize + 1))
        {
            *c += 1;
        }
    }
    let mut acc = 0u32;
    for s in starts.iter_mut() {
        acc += *s;
        *s = acc;
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
    drop(fill);
    drop(provisional);
    drop(key_of);
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
    let mut by_name: Vec<u32> = (0..key_ref.len() as u32).collect();
    by_name.sort_unstable_by(|&a, &b| {
        let name = |k: u32| {
            key_ref
                .get(k as usize)
                .and_then(|&r| refs.get(r as usize))
                .map(|r| r.1)
        };
        name(a).cmp(&name(b)).then_with(|| first(a).cmp(&first(b)))
    });
    ri.by_name = by_name;
    ri
}

/// Reports every class whose superclass chain loops (each cycle once).
fn find_cycles(ix: &CodeIndex<'_>) -> Vec<CodeProblem> {
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
                        .class_view(i as u32)
                        .and_then(|c| c.superclass)
                        .and_then(|s| ix.class_id(s))
                        .map(|j| j as usize);
                }
                Some(1) => {
                    let names: Vec<&str> = chain
                        .iter()
                        .skip_while(|&&k| k != i)
                        .filter_map(|&k| ix.class_view(k as u32).map(|c| c.descriptor))
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

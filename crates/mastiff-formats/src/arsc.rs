//! `resources.arsc`: the compiled resource table.
//!
//! Only what analysis needs: resolve a resource id to its values across configurations, and name
//! it (`xml/network_security_config`). Parsing is lazy over the borrowed bytes where it matters:
//! Debian's framework-res (32 MB arsc) must parse in well under a second.

use crate::axml::{decode_value, Value};
use crate::strpool::{u16_at, u32_at, PoolError, StringPool, RES_STRING_POOL_TYPE};
use crate::Limits;

/// One value of a resource in one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedValue {
    /// Human-readable configuration qualifier, `""` for the default configuration
    /// (e.g. `"v24"`, `"night"`, `"en-rUS"`).
    pub config: String,
    pub value: Value,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArscError {
    #[error("not a resource table: {0}")]
    NotResourceTable(&'static str),
    #[error("resource table truncated while reading {what} at offset {offset:#x}")]
    Truncated { what: &'static str, offset: usize },
    #[error("resource table malformed: {what} at offset {offset:#x}")]
    Malformed { what: &'static str, offset: usize },
    #[error("resource table exceeds the limit on {what} ({max})")]
    LimitExceeded { what: &'static str, max: usize },
}

impl From<PoolError> for ArscError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Truncated { what, offset } => ArscError::Truncated { what, offset },
            PoolError::Malformed { what, offset } => ArscError::Malformed { what, offset },
            PoolError::LimitExceeded { what, max } => ArscError::LimitExceeded { what, max },
        }
    }
}

const RES_TABLE_TYPE: u16 = 0x0002;
const RES_TABLE_PACKAGE_TYPE: u16 = 0x0200;
const RES_TABLE_TYPE_TYPE: u16 = 0x0201;
const RES_TABLE_TYPE_SPEC_TYPE: u16 = 0x0202;
const RES_TABLE_LIBRARY_TYPE: u16 = 0x0203;
const RES_TABLE_OVERLAYABLE_TYPE: u16 = 0x0204;
const RES_TABLE_OVERLAYABLE_POLICY_TYPE: u16 = 0x0205;
const RES_TABLE_STAGED_ALIAS_TYPE: u16 = 0x0206;

/// `ResTable_type::flags`.
const FLAG_SPARSE: u8 = 0x01;
const FLAG_OFFSET16: u8 = 0x02;
/// `ResTable_entry::flags`.
const ENTRY_FLAG_COMPLEX: u16 = 0x0001;
const ENTRY_FLAG_COMPACT: u16 = 0x0008;

/// `sizeof(ResTable_package)` without / with `typeIdOffset`.
const PACKAGE_HEADER_MIN: usize = 284;
/// Fixed part of `ResTable_type` before its `ResTable_config`.
const TYPE_HEADER_FIXED: usize = 20;
/// Most `(config, value)` pairs one [`ResourceTable::resolve`] call visits.
const RESOLVE_BUDGET: usize = 4096;

/// A parsed resource table borrowing the file's bytes.
///
/// Parsing indexes chunk positions only; entries and strings are decoded on lookup.
#[derive(Debug)]
pub struct ResourceTable<'a> {
    data: &'a [u8],
    strings: StringPool<'a>,
    packages: Vec<Package<'a>>,
    /// Non-fatal problems met while indexing (unknown chunks skipped, bad type chunks...).
    pub warnings: Vec<String>,
}

#[derive(Debug)]
struct Package<'a> {
    id: u32,
    name: String,
    type_strings: StringPool<'a>,
    key_strings: StringPool<'a>,
    type_id_offset: u32,
    /// `ResTable_type` chunks in file order, grouped by type id (sorted by id).
    types: Vec<(u8, Vec<TypeChunk>)>,
}

/// A validated `ResTable_type` chunk; all offsets absolute in the file.
#[derive(Debug, Clone, Copy)]
struct TypeChunk {
    flags: u8,
    /// Entries (dense/offset16) or sparse pairs.
    count: usize,
    offsets: usize,
    entries: usize,
    end: usize,
    config: usize,
    config_len: usize,
}

/// A decoded `ResTable_entry`.
#[derive(Debug, Clone, Copy)]
struct RawEntry {
    key: u32,
    /// `None` for complex (bag) entries.
    value: Option<(u8, u32)>,
}

impl<'a> ResourceTable<'a> {
    pub fn parse(data: &'a [u8], limits: &Limits) -> Result<ResourceTable<'a>, ArscError> {
        let mut warnings = Vec::new();
        if data.is_empty() {
            return Err(ArscError::NotResourceTable("empty"));
        }
        let truncated = |offset| ArscError::Truncated {
            what: "table header",
            offset,
        };
        let ty = u16_at(data, 0).ok_or(truncated(0))?;
        let header = u16_at(data, 2).ok_or(truncated(2))?;
        let size = u32_at(data, 4).ok_or(truncated(4))?;
        if ty != RES_TABLE_TYPE {
            return Err(ArscError::NotResourceTable(
                "first chunk is not RES_TABLE_TYPE",
            ));
        }
        let mut end = usize::try_from(size).unwrap_or(usize::MAX);
        if end > data.len() {
            return Err(ArscError::Truncated {
                what: "table (declared size exceeds the data)",
                offset: data.len(),
            });
        }
        if end < 12 {
            warnings.push(format!(
                "table size {size} too small; using the data length"
            ));
            end = data.len();
        }
        let mut pos = usize::from(header);
        if pos < 12 || pos > end {
            warnings.push(format!("table header size {header} ignored, using 12"));
            pos = 12;
        }
        let mut table = ResourceTable {
            data,
            strings: StringPool::default(),
            packages: Vec::new(),
            warnings,
        };
        let mut have_pool = false;
        for Chunk {
            pos: cpos,
            ty: ctype,
            bytes: chunk,
        } in chunks(data, pos, end, &mut table.warnings)?
        {
            match ctype {
                RES_STRING_POOL_TYPE if !have_pool => {
                    table.strings = StringPool::parse(chunk, cpos, limits, &mut table.warnings)?;
                    have_pool = true;
                }
                RES_TABLE_PACKAGE_TYPE => {
                    let pkg = table.package(cpos, chunk, limits)?;
                    table.packages.push(pkg);
                }
                other => table
                    .warnings
                    .push(format!("chunk type {other:#06x} at {cpos:#x} skipped")),
            }
        }
        Ok(table)
    }

    fn package(
        &mut self,
        pos: usize,
        chunk: &'a [u8],
        limits: &Limits,
    ) -> Result<Package<'a>, ArscError> {
        let header = usize::from(u16_at(chunk, 2).unwrap_or(0));
        if header < PACKAGE_HEADER_MIN || header > chunk.len() {
            return Err(ArscError::Malformed {
                what: "package header size",
                offset: pos.saturating_add(2),
            });
        }
        let id = u32_at(chunk, 8).unwrap_or(0);
        let name_units: Vec<u16> = (0..128)
            .map_while(|i| u16_at(chunk, 12 + 2 * i).filter(|&u| u != 0))
            .collect();
        let name = String::from_utf16_lossy(&name_units);
        let type_strings_at = u32_at(chunk, 268).and_then(|v| usize::try_from(v).ok());
        let key_strings_at = u32_at(chunk, 276).and_then(|v| usize::try_from(v).ok());
        let type_id_offset = if header >= PACKAGE_HEADER_MIN + 4 {
            u32_at(chunk, 284).unwrap_or(0)
        } else {
            0
        };
        let mut type_strings = None;
        let mut key_strings = None;
        let mut other_pools = Vec::new();
        let mut types: Vec<(u8, Vec<TypeChunk>)> = Vec::new();
        let children = chunks(chunk, header, chunk.len(), &mut self.warnings)?;
        for Chunk {
            pos: rel,
            ty: ctype,
            bytes: sub,
        } in children
        {
            let abs = pos.saturating_add(rel);
            match ctype {
                RES_STRING_POOL_TYPE => {
                    let pool = StringPool::parse(sub, abs, limits, &mut self.warnings)?;
                    if Some(rel) == type_strings_at && type_strings.is_none() {
                        type_strings = Some(pool);
                    } else if Some(rel) == key_strings_at && key_strings.is_none() {
                        key_strings = Some(pool);
                    } else {
                        other_pools.push(pool);
                    }
                }
                RES_TABLE_TYPE_TYPE => match type_chunk(sub, abs) {
                    Ok((type_id, tc)) => match types.binary_search_by_key(&type_id, |t| t.0) {
                        Ok(i) => {
                            if let Some(t) = types.get_mut(i) {
                                t.1.push(tc);
                            }
                        }
                        Err(i) => types.insert(i, (type_id, vec![tc])),
                    },
                    Err(what) => self
                        .warnings
                        .push(format!("type chunk at {abs:#x} skipped: {what}")),
                },
                RES_TABLE_TYPE_SPEC_TYPE
                | RES_TABLE_LIBRARY_TYPE
                | RES_TABLE_OVERLAYABLE_TYPE
                | RES_TABLE_OVERLAYABLE_POLICY_TYPE
                | RES_TABLE_STAGED_ALIAS_TYPE => {}
                other => self.warnings.push(format!(
                    "unknown chunk type {other:#06x} in package at {abs:#x} skipped"
                )),
            }
        }
        // Pools whose offsets the header does not give: type strings first, then keys.
        let mut others = other_pools.into_iter();
        let type_strings = type_strings.or_else(|| others.next());
        let key_strings = key_strings.or_else(|| others.next());
        if type_strings.is_none() || key_strings.is_none() {
            self.warnings.push(format!(
                "package {id:#x} at {pos:#x} lacks type or key strings"
            ));
        }
        Ok(Package {
            id,
            name,
            type_strings: type_strings.unwrap_or_default(),
            key_strings: key_strings.unwrap_or_default(),
            type_id_offset,
            types,
        })
    }

    /// `(id, name)` of each package in the table, e.g. `(0x7f, "com.example")`.
    pub fn packages(&self) -> Vec<(u32, String)> {
        self.packages
            .iter()
            .map(|p| (p.id, p.name.clone()))
            .collect()
    }

    /// The table's global string pool (values of string resources, `res/...` file paths).
    pub fn strings(&self) -> &StringPool<'a> {
        &self.strings
    }

    fn type_chunks(&self, id: u32) -> Option<(&Package<'a>, &[TypeChunk])> {
        let pkg_id = id >> 24;
        let type_id = u8::try_from((id >> 16) & 0xff).ok()?;
        self.packages
            .iter()
            .filter(|p| p.id == pkg_id)
            .find_map(|p| {
                let i = p.types.binary_search_by_key(&type_id, |t| t.0).ok()?;
                p.types.get(i).map(|t| (p, t.1.as_slice()))
            })
    }

    /// Every (configuration chunk, entry) of `id`, in file order.
    fn raw_entries(&self, id: u32) -> impl Iterator<Item = (TypeChunk, RawEntry)> + '_ {
        let chunks = self.type_chunks(id).map_or(&[][..], |(_, c)| c);
        let idx = id & 0xffff;
        chunks.iter().filter_map(move |tc| {
            Some((
                *tc,
                read_entry(self.data, tc, entry_offset(self.data, tc, idx)?)?,
            ))
        })
    }

    /// Every value of `id` across configurations (default configuration first). Complex (bag)
    /// entries are skipped. References are *not* followed; see [`ResourceTable::resolve`].
    pub fn values(&self, id: u32) -> Vec<ResolvedValue> {
        let mut out: Vec<(bool, ResolvedValue)> = self
            .raw_entries(id)
            .filter_map(|(tc, e)| {
                let (ty, data) = e.value?;
                let config = self
                    .data
                    .get(tc.config..tc.config.saturating_add(tc.config_len));
                let config = config.unwrap_or(&[]);
                Some((
                    !is_default_config(config),
                    ResolvedValue {
                        config: config_string(config),
                        value: decode_value(ty, data, &self.strings),
                    },
                ))
            })
            .collect();
        out.sort_by_key(|(non_default, _)| *non_default);
        out.into_iter().map(|(_, v)| v).collect()
    }

    /// How many configurations give `id` a simple value, without decoding them (cheaper than
    /// `values(id).len()`).
    pub fn value_count(&self, id: u32) -> usize {
        self.raw_entries(id)
            .filter(|(_, e)| e.value.is_some())
            .count()
    }

    /// Follows references from `id` (up to `limits.max_reference_depth` hops) and returns the final
    /// values across configurations, default configuration first. String values of `res/...` file
    /// references come back as `Value::String("res/xml/foo.xml")`.
    ///
    /// A reference met in the default configuration expands to all of its target's values (except
    /// configurations the resource itself defines); one met in another configuration takes the
    /// target's value in the same configuration, or else its default. A reference that cannot be followed (cycle, depth limit, missing target) is
    /// returned as the `Value::Reference` itself.
    pub fn resolve(&self, id: u32, limits: &Limits) -> Vec<ResolvedValue> {
        let mut budget = RESOLVE_BUDGET;
        let mut path = Vec::new();
        self.resolve_inner(id, limits, &mut path, &mut budget)
    }

    fn resolve_inner(
        &self,
        id: u32,
        limits: &Limits,
        path: &mut Vec<u32>,
        budget: &mut usize,
    ) -> Vec<ResolvedValue> {
        let values = self.values(id);
        *budget = budget.saturating_sub(values.len());
        // The source's own configurations win over those a default reference expands to.
        let own: Vec<String> = values.iter().map(|v| v.config.clone()).collect();
        path.push(id);
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            let target = match v.value {
                Value::Reference(r) => r,
                _ => {
                    out.push(v);
                    continue;
                }
            };
            let followable = target != 0
                && path.len() <= limits.max_reference_depth
                && !path.contains(&target)
                && *budget > 0;
            let resolved = if followable {
                self.resolve_inner(target, limits, path, budget)
            } else {
                Vec::new()
            };
            if resolved.is_empty() {
                out.push(v);
            } else if v.config.is_empty() {
                out.extend(
                    resolved
                        .into_iter()
                        .filter(|r| r.config.is_empty() || !own.contains(&r.config)),
                );
            } else {
                let pick = resolved
                    .iter()
                    .find(|r| r.config == v.config)
                    .or_else(|| resolved.iter().find(|r| r.config.is_empty()))
                    .or_else(|| resolved.first());
                if let Some(r) = pick {
                    out.push(ResolvedValue {
                        config: v.config,
                        value: r.value.clone(),
                    });
                }
            }
        }
        path.pop();
        out
    }

    /// `(type, entry)` name of a resource id, e.g. `("xml", "network_security_config")`.
    pub fn name(&self, id: u32) -> Option<(String, String)> {
        let (pkg, _) = self.type_chunks(id)?;
        let type_id = (id >> 16) & 0xff;
        let type_index = type_id.checked_sub(1)?.checked_sub(pkg.type_id_offset)?;
        let type_name = pkg.type_strings.get(type_index)?;
        let key = self
            .raw_entries(id)
            .find_map(|(_, e)| pkg.key_strings.get(e.key))?;
        Some((type_name, key))
    }
}

/// One child chunk: absolute (or parent-relative) offset, type and bytes.
struct Chunk<'a> {
    pos: usize,
    ty: u16,
    bytes: &'a [u8],
}

/// The chunks in `data[start..end]`. A chunk too small to step over, or one running past `end`,
/// is an error; fewer than 8 stray bytes at the end are a warning.
fn chunks<'a>(
    data: &'a [u8],
    start: usize,
    end: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<Chunk<'a>>, ArscError> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos < end {
        let remaining = end.saturating_sub(pos);
        if remaining < 8 {
            warnings.push(format!("{remaining} stray bytes at {pos:#x} ignored"));
            break;
        }
        let (Some(ty), Some(size)) = (u16_at(data, pos), u32_at(data, pos.saturating_add(4)))
        else {
            return Err(ArscError::Truncated {
                what: "chunk header",
                offset: pos,
            });
        };
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        if size < 8 {
            return Err(ArscError::Malformed {
                what: "chunk size smaller than a chunk header",
                offset: pos,
            });
        }
        let bytes = pos
            .checked_add(size)
            .filter(|&e| e <= end)
            .and_then(|e| data.get(pos..e))
            .ok_or(ArscError::Truncated {
                what: "chunk (declared size exceeds its parent)",
                offset: pos,
            })?;
        out.push(Chunk { pos, ty, bytes });
        pos = pos.saturating_add(size);
    }
    Ok(out)
}

/// Validates a `ResTable_type` chunk at absolute offset `abs`.
fn type_chunk(chunk: &[u8], abs: usize) -> Result<(u8, TypeChunk), &'static str> {
    let header = usize::from(u16_at(chunk, 2).ok_or("truncated header")?);
    let id = *chunk.get(8).ok_or("truncated header")?;
    let flags = *chunk.get(9).ok_or("truncated header")?;
    let count = u32_at(chunk, 12).ok_or("truncated header")?;
    let entries = u32_at(chunk, 16).ok_or("truncated header")?;
    if id == 0 {
        return Err("type id 0");
    }
    if header < TYPE_HEADER_FIXED + 4 || header > chunk.len() {
        return Err("bad header size");
    }
    let config_len = usize::try_from(u32_at(chunk, TYPE_HEADER_FIXED).ok_or("truncated config")?)
        .unwrap_or(usize::MAX)
        .min(header.saturating_sub(TYPE_HEADER_FIXED));
    let count = usize::try_from(count).map_err(|_| "entry count")?;
    let entries = usize::try_from(entries).map_err(|_| "entries start")?;
    if entries > chunk.len() {
        return Err("entries start past the chunk");
    }
    // Sparse pairs and dense offsets are 4 bytes each, 16-bit offsets 2.
    let unit = if flags & FLAG_SPARSE == 0 && flags & FLAG_OFFSET16 != 0 {
        2
    } else {
        4
    };
    let offsets_len = count.checked_mul(unit).ok_or("entry count")?;
    if header
        .checked_add(offsets_len)
        .is_none_or(|e| e > chunk.len())
    {
        return Err("entry offsets run past the chunk");
    }
    Ok((
        id,
        TypeChunk {
            flags,
            count,
            offsets: abs.saturating_add(header),
            entries: abs.saturating_add(entries),
            end: abs.saturating_add(chunk.len()),
            config: abs.saturating_add(TYPE_HEADER_FIXED),
            config_len,
        },
    ))
}

/// Absolute offset of entry `idx` in a type chunk, if present.
fn entry_offset(data: &[u8], tc: &TypeChunk, idx: u32) -> Option<usize> {
    let idx_usize = usize::try_from(idx).ok()?;
    let rel = if tc.flags & FLAG_SPARSE != 0 {
        // Sorted `ResTable_sparseTypeEntry { idx: u16, offset: u16 (in 4-byte units) }`.
        let (mut lo, mut hi) = (0usize, tc.count);
        let mut found = None;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let at = tc.offsets.checked_add(mid.checked_mul(4)?)?;
            let e_idx = u32::from(u16_at(data, at)?);
            match e_idx.cmp(&idx) {
                std::cmp::Ordering::Equal => {
                    found = Some(usize::from(u16_at(data, at.checked_add(2)?)?).checked_mul(4)?);
                    break;
                }
                std::cmp::Ordering::Less => lo = mid.checked_add(1)?,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        found?
    } else if tc.flags & FLAG_OFFSET16 != 0 {
        if idx_usize >= tc.count {
            return None;
        }
        let v = u16_at(data, tc.offsets.checked_add(idx_usize.checked_mul(2)?)?)?;
        if v == 0xffff {
            return None;
        }
        usize::from(v).checked_mul(4)?
    } else {
        if idx_usize >= tc.count {
            return None;
        }
        let v = u32_at(data, tc.offsets.checked_add(idx_usize.checked_mul(4)?)?)?;
        if v == 0xffff_ffff {
            return None;
        }
        usize::try_from(v).ok()?
    };
    let at = tc.entries.checked_add(rel)?;
    (at < tc.end).then_some(at)
}

/// Decodes the `ResTable_entry` at `at` (full or compact form).
fn read_entry(data: &[u8], tc: &TypeChunk, at: usize) -> Option<RawEntry> {
    let chunk = data.get(..tc.end)?;
    let flags = u16_at(chunk, at.checked_add(2)?)?;
    if flags & ENTRY_FLAG_COMPACT != 0 {
        let key = u32::from(u16_at(chunk, at)?);
        let data_type = u8::try_from(flags >> 8).ok()?;
        let value = u32_at(chunk, at.checked_add(4)?)?;
        return Some(RawEntry {
            key,
            value: Some((data_type, value)),
        });
    }
    let size = usize::from(u16_at(chunk, at)?);
    let key = u32_at(chunk, at.checked_add(4)?)?;
    if flags & ENTRY_FLAG_COMPLEX != 0 {
        return Some(RawEntry { key, value: None });
    }
    // `Res_value { size: u16, res0: u8, dataType: u8, data: u32 }` follows the entry header.
    let v = at.checked_add(size.max(8))?;
    let data_type = *chunk.get(v.checked_add(3)?)?;
    let value = u32_at(chunk, v.checked_add(4)?)?;
    Some(RawEntry {
        key,
        value: Some((data_type, value)),
    })
}

/// Whether a `ResTable_config` (size field included) is the default configuration.
fn is_default_config(config: &[u8]) -> bool {
    config
        .get(4..)
        .is_none_or(|rest| rest.iter().all(|&b| b == 0))
}

/// Renders a `ResTable_config` as a qualifier string in aapt's order (`""`, `"v24"`, `"en-rUS"`,
/// `"sw600dp-land"`...). Fields this does not render, when set, are appended as a hex dump.
fn config_string(config: &[u8]) -> String {
    let b = |o: usize| config.get(o).copied().unwrap_or(0);
    let h = |o: usize| u16_at(config, o).unwrap_or(0);
    let mut parts: Vec<String> = Vec::new();
    let mcc = h(4);
    let mnc = h(6);
    if mcc != 0 {
        parts.push(format!("mcc{mcc}"));
    }
    if mnc != 0 {
        parts.push(if mnc == 0xffff {
            "mnc00".to_string()
        } else {
            format!("mnc{mnc}")
        });
    }
    let lang = unpack_locale([b(8), b(9)], b'a');
    let region = unpack_locale([b(10), b(11)], b'0');
    let script: String = (36..40)
        .map(b)
        .take_while(|&c| c != 0)
        .map(char::from)
        .collect();
    let variant: String = (40..48)
        .map(b)
        .take_while(|&c| c != 0)
        .map(char::from)
        .collect();
    if !lang.is_empty() {
        if script.is_empty() && variant.is_empty() && lang.len() == 2 && region.len() != 3 {
            if region.is_empty() {
                parts.push(lang);
            } else {
                parts.push(format!("{lang}-r{region}"));
            }
        } else {
            let mut s = format!("b+{lang}");
            for extra in [&script, &region, &variant] {
                if !extra.is_empty() {
                    s.push('+');
                    s.push_str(extra);
                }
            }
            parts.push(s);
        }
    }
    match b(19) & 0x03 {
        1 => parts.push("neuter".into()),
        2 => parts.push("feminine".into()),
        3 => parts.push("masculine".into()),
        _ => {}
    }
    let layout = b(28);
    match layout & 0xc0 {
        0x40 => parts.push("ldltr".into()),
        0x80 => parts.push("ldrtl".into()),
        _ => {}
    }
    let sw = h(30);
    if sw != 0 {
        parts.push(format!("sw{sw}dp"));
    }
    let (w, hh) = (h(32), h(34));
    if w != 0 {
        parts.push(format!("w{w}dp"));
    }
    if hh != 0 {
        parts.push(format!("h{hh}dp"));
    }
    match layout & 0x0f {
        1 => parts.push("small".into()),
        2 => parts.push("normal".into()),
        3 => parts.push("large".into()),
        4 => parts.push("xlarge".into()),
        0 => {}
        n => parts.push(format!("screenLayoutSize={n}")),
    }
    match layout & 0x30 {
        0x10 => parts.push("notlong".into()),
        0x20 => parts.push("long".into()),
        _ => {}
    }
    match b(48) & 0x03 {
        1 => parts.push("notround".into()),
        2 => parts.push("round".into()),
        _ => {}
    }
    let color = b(49);
    match color & 0x03 {
        1 => parts.push("nowidecg".into()),
        2 => parts.push("widecg".into()),
        _ => {}
    }
    match color & 0x0c {
        4 => parts.push("lowdr".into()),
        8 => parts.push("highdr".into()),
        _ => {}
    }
    match b(12) {
        0 => {}
        1 => parts.push("port".into()),
        2 => parts.push("land".into()),
        3 => parts.push("square".into()),
        n => parts.push(format!("orientation={n}")),
    }
    let ui = b(29);
    match ui & 0x0f {
        0 => {}
        1 => parts.push("normal".into()),
        2 => parts.push("desk".into()),
        3 => parts.push("car".into()),
        4 => parts.push("television".into()),
        5 => parts.push("appliance".into()),
        6 => parts.push("watch".into()),
        7 => parts.push("vrheadset".into()),
        n => parts.push(format!("uiModeType={n}")),
    }
    match ui & 0x30 {
        0x10 => parts.push("notnight".into()),
        0x20 => parts.push("night".into()),
        _ => {}
    }
    match h(14) {
        0 => {}
        120 => parts.push("ldpi".into()),
        160 => parts.push("mdpi".into()),
        213 => parts.push("tvdpi".into()),
        240 => parts.push("hdpi".into()),
        320 => parts.push("xhdpi".into()),
        480 => parts.push("xxhdpi".into()),
        640 => parts.push("xxxhdpi".into()),
        0xfffe => parts.push("anydpi".into()),
        0xffff => parts.push("nodpi".into()),
        d => parts.push(format!("{d}dpi")),
    }
    match b(13) {
        0 => {}
        1 => parts.push("notouch".into()),
        2 => parts.push("stylus".into()),
        3 => parts.push("finger".into()),
        n => parts.push(format!("touchscreen={n}")),
    }
    let input = b(18);
    match input & 0x03 {
        1 => parts.push("keysexposed".into()),
        2 => parts.push("keyshidden".into()),
        3 => parts.push("keyssoft".into()),
        _ => {}
    }
    match b(16) {
        0 => {}
        1 => parts.push("nokeys".into()),
        2 => parts.push("qwerty".into()),
        3 => parts.push("12key".into()),
        n => parts.push(format!("keyboard={n}")),
    }
    match input & 0x0c {
        4 => parts.push("navexposed".into()),
        8 => parts.push("navhidden".into()),
        _ => {}
    }
    match b(17) {
        0 => {}
        1 => parts.push("nonav".into()),
        2 => parts.push("dpad".into()),
        3 => parts.push("trackball".into()),
        4 => parts.push("wheel".into()),
        n => parts.push(format!("navigation={n}")),
    }
    let (sw_px, sh_px) = (h(20), h(22));
    if sw_px != 0 || sh_px != 0 {
        parts.push(format!("{sw_px}x{sh_px}"));
    }
    let (sdk, minor) = (h(24), h(26));
    if sdk != 0 {
        parts.push(if minor != 0 {
            format!("v{sdk}.{minor}")
        } else {
            format!("v{sdk}")
        });
    }
    // Bytes not rendered above: input pad bits, screenLayout2 high bits, pads, numbering system
    // and anything a newer config adds. Byte 52 (localeScriptWasComputed) carries no qualifier.
    let unrendered = (b(18) & 0xf0) != 0
        || (b(19) & 0xfc) != 0
        || (b(48) & 0xfc) != 0
        || (b(49) & 0xf0) != 0
        || b(50) != 0
        || b(51) != 0
        || config.get(53..).is_some_and(|r| r.iter().any(|&c| c != 0));
    if unrendered {
        let hex: String = config.iter().map(|c| format!("{c:02x}")).collect();
        parts.push(format!("config={hex}"));
    }
    parts.join("-")
}

/// Unpacks a 2-byte language or region code (packed 3-letter form when the high bit is set).
fn unpack_locale(code: [u8; 2], base: u8) -> String {
    let [a, b] = code;
    if a & 0x80 != 0 {
        let first = b & 0x1f;
        let second = ((b & 0xe0) >> 5) | ((a & 0x03) << 3);
        let third = (a & 0x7c) >> 2;
        [first, second, third]
            .iter()
            .map(|&c| char::from(base.wrapping_add(c)))
            .collect()
    } else {
        [a, b]
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| char::from(c))
            .collect()
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
mod tests {
    use super::*;
    use crate::axml::res_type;
    use crate::axml::tests::{corpus_dir, read_entry};
    use crate::strpool::tests::build_pool;

    fn chunk(ctype: u16, header: &[u8], body: &[u8]) -> Vec<u8> {
        let hs = 8 + header.len();
        let mut out = Vec::new();
        out.extend_from_slice(&ctype.to_le_bytes());
        out.extend_from_slice(&(hs as u16).to_le_bytes());
        out.extend_from_slice(&((hs + body.len()) as u32).to_le_bytes());
        out.extend_from_slice(header);
        out.extend_from_slice(body);
        out
    }

    /// How entry offsets are stored in a built type chunk.
    #[derive(Clone, Copy)]
    enum Enc {
        Dense,
        Offset16,
        Sparse,
    }

    /// An entry for [`type_chunk_bytes`]: (index, key, value or None for a bag, compact).
    type E = (u16, u32, Option<(u8, u32)>, bool);

    /// A 64-byte `ResTable_config` with the given bytes set.
    fn config(set: &[(usize, u8)]) -> Vec<u8> {
        let mut c = vec![0u8; 64];
        c[0..4].copy_from_slice(&64u32.to_le_bytes());
        for (o, v) in set {
            c[*o] = *v;
        }
        c
    }

    fn type_chunk_bytes(type_id: u8, cfg: &[u8], enc: Enc, entry_count: u16, es: &[E]) -> Vec<u8> {
        let mut entries = Vec::new();
        let mut offsets: Vec<(u16, u32)> = Vec::new();
        for (idx, key, value, compact) in es {
            offsets.push((*idx, entries.len() as u32));
            match (value, compact) {
                (Some((ty, data)), true) => {
                    entries.extend_from_slice(&(*key as u16).to_le_bytes());
                    entries.extend_from_slice(
                        &(ENTRY_FLAG_COMPACT | (u16::from(*ty) << 8)).to_le_bytes(),
                    );
                    entries.extend_from_slice(&data.to_le_bytes());
                }
                (Some((ty, data)), false) => {
                    entries.extend_from_slice(&8u16.to_le_bytes());
                    entries.extend_from_slice(&0u16.to_le_bytes());
                    entries.extend_from_slice(&key.to_le_bytes());
                    entries.extend_from_slice(&8u16.to_le_bytes());
                    entries.push(0);
                    entries.push(*ty);
                    entries.extend_from_slice(&data.to_le_bytes());
                }
                (None, _) => {
                    // A bag with one map entry.
                    entries.extend_from_slice(&16u16.to_le_bytes());
                    entries.extend_from_slice(&ENTRY_FLAG_COMPLEX.to_le_bytes());
                    entries.extend_from_slice(&key.to_le_bytes());
                    entries.extend_from_slice(&0u32.to_le_bytes());
                    entries.extend_from_slice(&1u32.to_le_bytes());
                    entries.extend_from_slice(&0x0101_0000u32.to_le_bytes());
                    entries.extend_from_slice(&[8, 0, 0, res_type::INT_DEC, 1, 0, 0, 0]);
                }
            }
        }
        let mut table = Vec::new();
        let (flags, count) = match enc {
            Enc::Dense => {
                for i in 0..entry_count {
                    let o = offsets
                        .iter()
                        .find(|(x, _)| *x == i)
                        .map_or(u32::MAX, |o| o.1);
                    table.extend_from_slice(&o.to_le_bytes());
                }
                (0u8, u32::from(entry_count))
            }
            Enc::Offset16 => {
                for i in 0..entry_count {
                    let o = offsets
                        .iter()
                        .find(|(x, _)| *x == i)
                        .map_or(0xffff, |o| (o.1 / 4) as u16);
                    table.extend_from_slice(&o.to_le_bytes());
                }
                while table.len() % 4 != 0 {
                    table.push(0);
                }
                (FLAG_OFFSET16, u32::from(entry_count))
            }
            Enc::Sparse => {
                let mut sorted = offsets.clone();
                sorted.sort();
                for (i, o) in &sorted {
                    table.extend_from_slice(&i.to_le_bytes());
                    table.extend_from_slice(&((o / 4) as u16).to_le_bytes());
                }
                (FLAG_SPARSE, sorted.len() as u32)
            }
        };
        let hs = 20 + cfg.len();
        let mut header = vec![type_id, flags, 0, 0];
        header.extend_from_slice(&count.to_le_bytes());
        header.extend_from_slice(&((hs + table.len()) as u32).to_le_bytes());
        header.extend_from_slice(cfg);
        let mut body = table;
        body.extend_from_slice(&entries);
        chunk(RES_TABLE_TYPE_TYPE, &header, &body)
    }

    fn package_bytes(
        id: u32,
        name: &str,
        types: &[&str],
        keys: &[&str],
        chunks: &[Vec<u8>],
    ) -> Vec<u8> {
        let tpool = build_pool(types, false);
        let kpool = build_pool(keys, true);
        let mut header = Vec::new();
        header.extend_from_slice(&id.to_le_bytes());
        let mut n = [0u16; 128];
        for (i, u) in name.encode_utf16().take(127).enumerate() {
            n[i] = u;
        }
        header.extend(n.iter().flat_map(|u| u.to_le_bytes()));
        let hs = 8 + header.len() + 20;
        header.extend_from_slice(&(hs as u32).to_le_bytes());
        header.extend_from_slice(&(types.len() as u32).to_le_bytes());
        header.extend_from_slice(&((hs + tpool.len()) as u32).to_le_bytes());
        header.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        let mut body = tpool;
        body.extend(kpool);
        // A type spec and a library chunk, which lookups skip.
        body.extend(chunk(
            RES_TABLE_TYPE_SPEC_TYPE,
            &[1, 0, 0, 0, 0, 0, 0, 0],
            &[],
        ));
        body.extend(chunk(RES_TABLE_LIBRARY_TYPE, &[0, 0, 0, 0], &[]));
        for c in chunks {
            body.extend_from_slice(c);
        }
        chunk(RES_TABLE_PACKAGE_TYPE, &header, &body)
    }

    fn table_bytes(strings: &[&str], packages: &[Vec<u8>]) -> Vec<u8> {
        let mut body = build_pool(strings, true);
        for p in packages {
            body.extend_from_slice(p);
        }
        chunk(
            RES_TABLE_TYPE,
            &(packages.len() as u32).to_le_bytes(),
            &body,
        )
    }

    const BOOL: u8 = 1;
    const STRING: u8 = 2;
    const XML: u8 = 3;

    /// Types: bool (1), string (2), xml (3). Entries cover every encoding and a reference cycle.
    fn sample_table(enc: Enc) -> Vec<u8> {
        let globals = [
            "res/xml/network_security_config.xml",
            "Hello",
            "Bonjour",
            "Hallo",
        ];
        let keys = [
            "debug",
            "app_name",
            "nsc",
            "alias",
            "loop_a",
            "loop_b",
            "style_bag",
            "compact",
        ];
        let default = config(&[]);
        let fr = config(&[(8, b'f'), (9, b'r')]);
        let v24_night = config(&[(24, 24), (29, 0x20)]);
        let mut chunks = vec![
            type_chunk_bytes(
                BOOL,
                &default,
                enc,
                3,
                &[
                    (0, 0, Some((res_type::INT_BOOLEAN, 0xffff_ffff)), false),
                    (2, 7, Some((res_type::INT_BOOLEAN, 0)), true),
                ],
            ),
            type_chunk_bytes(
                BOOL,
                &v24_night,
                enc,
                3,
                &[(0, 0, Some((res_type::INT_BOOLEAN, 0)), false)],
            ),
            type_chunk_bytes(
                STRING,
                &default,
                enc,
                5,
                &[
                    (0, 1, Some((res_type::STRING, 1)), false),
                    (1, 3, Some((res_type::REFERENCE, 0x7f02_0000)), false),
                    (2, 4, Some((res_type::REFERENCE, 0x7f02_0003)), false),
                    (3, 5, Some((res_type::REFERENCE, 0x7f02_0002)), false),
                    (4, 6, None, false),
                ],
            ),
            type_chunk_bytes(
                XML,
                &default,
                enc,
                1,
                &[(0, 2, Some((res_type::STRING, 0)), false)],
            ),
        ];
        // The French config comes before the default one in the file.
        chunks.insert(
            2,
            type_chunk_bytes(
                STRING,
                &fr,
                enc,
                5,
                &[
                    (0, 1, Some((res_type::STRING, 2)), false),
                    (1, 3, Some((res_type::REFERENCE, 0x7f02_0000)), false),
                ],
            ),
        );
        let pkg = package_bytes(
            0x7f,
            "com.example",
            &["bool", "string", "xml"],
            &keys,
            &chunks,
        );
        table_bytes(&globals, &[pkg])
    }

    fn rv(config: &str, value: Value) -> ResolvedValue {
        ResolvedValue {
            config: config.into(),
            value,
        }
    }

    #[test]
    fn values_names_and_resolution_in_every_encoding() {
        for enc in [Enc::Dense, Enc::Offset16, Enc::Sparse] {
            let bytes = sample_table(enc);
            let t = ResourceTable::parse(&bytes, &Limits::default()).unwrap();
            assert!(t.warnings.is_empty(), "{:?}", t.warnings);
            assert_eq!(t.packages(), vec![(0x7f, "com.example".to_string())]);
            assert_eq!(
                t.values(0x7f01_0000),
                vec![
                    rv("", Value::Bool(true)),
                    rv("night-v24", Value::Bool(false))
                ]
            );
            assert_eq!(t.values(0x7f01_0001), vec![]);
            assert_eq!(t.values(0x7f01_0002), vec![rv("", Value::Bool(false))]);
            assert_eq!(t.name(0x7f01_0002), Some(("bool".into(), "compact".into())));
            assert_eq!(
                t.values(0x7f02_0000),
                vec![
                    rv("", Value::String("Hello".into())),
                    rv("fr", Value::String("Bonjour".into()))
                ]
            );
            assert_eq!(
                t.name(0x7f02_0000),
                Some(("string".into(), "app_name".into()))
            );
            // Bags are recognised and skipped, but named.
            assert_eq!(t.values(0x7f02_0004), vec![]);
            assert_eq!(
                t.name(0x7f02_0004),
                Some(("string".into(), "style_bag".into()))
            );
            // @string/alias -> @string/app_name: both configurations.
            assert_eq!(
                t.resolve(0x7f02_0001, &Limits::default()),
                vec![
                    rv("", Value::String("Hello".into())),
                    rv("fr", Value::String("Bonjour".into()))
                ]
            );
            assert_eq!(
                t.resolve(0x7f03_0000, &Limits::default()),
                vec![rv(
                    "",
                    Value::String("res/xml/network_security_config.xml".into())
                )]
            );
            assert_eq!(t.name(0x7f03_0000), Some(("xml".into(), "nsc".into())));
            // Missing package, type, entry.
            assert_eq!(t.values(0x0101_0000), vec![]);
            assert_eq!(t.values(0x7f09_0000), vec![]);
            assert_eq!(t.values(0x7f03_0001), vec![]);
            assert_eq!(t.name(0x7f09_0000), None);
        }
    }

    #[test]
    fn reference_cycles_and_depth_are_bounded() {
        let bytes = sample_table(Enc::Dense);
        let t = ResourceTable::parse(&bytes, &Limits::default()).unwrap();
        // loop_a -> loop_b -> loop_a: stops at the repeat, returning the unresolved reference.
        assert_eq!(
            t.resolve(0x7f02_0002, &Limits::default()),
            vec![rv("", Value::Reference(0x7f02_0002))]
        );
        let shallow = Limits {
            max_reference_depth: 0,
            ..Limits::default()
        };
        assert_eq!(
            t.resolve(0x7f02_0001, &shallow),
            vec![
                rv("", Value::Reference(0x7f02_0000)),
                rv("fr", Value::Reference(0x7f02_0000))
            ]
        );
    }

    #[test]
    fn config_qualifiers_render() {
        assert_eq!(config_string(&config(&[])), "");
        assert_eq!(config_string(&config(&[(24, 24)])), "v24");
        assert_eq!(config_string(&config(&[(29, 0x20)])), "night");
        assert_eq!(
            config_string(&config(&[(8, b'e'), (9, b'n'), (10, b'U'), (11, b'S')])),
            "en-rUS"
        );
        assert_eq!(config_string(&config(&[(12, 2)])), "land");
        assert_eq!(config_string(&config(&[(30, 0x58), (31, 0x02)])), "sw600dp");
        assert_eq!(config_string(&config(&[(14, 0xf0), (24, 21)])), "hdpi-v21");
        assert_eq!(
            config_string(&config(&[
                (8, b's'),
                (9, b'r'),
                (36, b'L'),
                (37, b'a'),
                (38, b't'),
                (39, b'n')
            ])),
            "b+sr+Latn"
        );
        // Packed three-letter language "fil": f=5, i=8, l=11.
        let (first, second, third) = (5u8, 8u8, 11u8);
        let b0 = 0x80 | (third << 2) | (second >> 3);
        let b1 = ((second & 0x07) << 5) | first;
        assert_eq!(config_string(&config(&[(8, b0), (9, b1)])), "b+fil");
        // An unrendered field falls back to hex.
        assert!(config_string(&config(&[(55, 1)])).starts_with("config=40000000"));
    }

    #[test]
    fn not_a_table_and_truncation() {
        assert_eq!(
            ResourceTable::parse(&[], &Limits::default()).err(),
            Some(ArscError::NotResourceTable("empty"))
        );
        let axml = [3u8, 0, 8, 0, 8, 0, 0, 0];
        assert!(matches!(
            ResourceTable::parse(&axml, &Limits::default()),
            Err(ArscError::NotResourceTable(_))
        ));
        let bytes = sample_table(Enc::Sparse);
        for cut in 0..bytes.len() {
            let mut t = bytes[..cut].to_vec();
            if let Ok(table) = ResourceTable::parse(&t, &Limits::default()) {
                exercise(&table);
            }
            if t.len() >= 8 {
                let n = t.len() as u32;
                t[4..8].copy_from_slice(&n.to_le_bytes());
                if let Ok(table) = ResourceTable::parse(&t, &Limits::default()) {
                    exercise(&table);
                }
            }
        }
    }

    fn exercise(t: &ResourceTable<'_>) {
        for id in [
            0x7f01_0000,
            0x7f01_0002,
            0x7f02_0000,
            0x7f02_0001,
            0x7f02_0002,
            0x7f03_0000,
        ] {
            let _ = t.values(id);
            let _ = t.resolve(id, &Limits::default());
            let _ = t.name(id);
        }
    }

    #[test]
    fn mutations_never_panic() {
        for enc in [Enc::Dense, Enc::Offset16, Enc::Sparse] {
            let bytes = sample_table(enc);
            let mut state = 0x9e37_79b9u32;
            for _ in 0..2000 {
                let mut m = bytes.clone();
                for _ in 0..4 {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    let at = state as usize % m.len();
                    m[at] = (state >> 24) as u8;
                }
                if let Ok(t) = ResourceTable::parse(&m, &Limits::default()) {
                    exercise(&t);
                }
            }
        }
    }

    #[test]
    fn huge_entry_count_is_rejected_per_chunk() {
        let default = config(&[]);
        let mut tc = type_chunk_bytes(
            BOOL,
            &default,
            Enc::Dense,
            1,
            &[(0, 0, Some((res_type::INT_DEC, 5)), false)],
        );
        tc[12..16].copy_from_slice(&0x4000_0000u32.to_le_bytes());
        let pkg = package_bytes(0x7f, "p", &["bool"], &["k"], &[tc]);
        let bytes = table_bytes(&[], &[pkg]);
        let t = ResourceTable::parse(&bytes, &Limits::default()).unwrap();
        assert!(t
            .warnings
            .iter()
            .any(|w| w.contains("entry offsets run past")));
        assert_eq!(t.values(0x7f01_0000), vec![]);
    }

    // ---- corpus ----

    #[test]
    fn corpus_tables_parse_and_androgoat_nsc_resolves() {
        let dir = corpus_dir().join("apps");
        let Ok(rd) = std::fs::read_dir(&dir) else {
            eprintln!("corpus not present; skipped");
            return;
        };
        let mut n = 0;
        for apk in rd.flatten().map(|e| e.path()) {
            if apk.extension().and_then(|e| e.to_str()) != Some("apk") {
                continue;
            }
            let Some(bytes) = read_entry(&apk, "resources.arsc") else {
                continue;
            };
            let t = ResourceTable::parse(&bytes, &Limits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", apk.display()));
            assert!(!t.packages().is_empty(), "{}", apk.display());
            n += 1;
        }
        assert!(n > 0);

        let apk = dir.join("androgoat-AndroGoat.apk");
        let manifest = read_entry(&apk, "AndroidManifest.xml").unwrap();
        let arsc = read_entry(&apk, "resources.arsc").unwrap();
        let doc = crate::axml::parse(&manifest, &Limits::default()).unwrap();
        let app = doc
            .elements
            .iter()
            .find(|e| e.name == "application")
            .unwrap();
        // android:networkSecurityConfig
        let Value::Reference(id) = app
            .android_attr(0x0101_0527, "networkSecurityConfig")
            .unwrap()
            .value
        else {
            panic!("networkSecurityConfig is not a reference");
        };
        let t = ResourceTable::parse(&arsc, &Limits::default()).unwrap();
        assert_eq!(
            t.name(id),
            Some(("xml".into(), "network_security_config".into()))
        );
        assert_eq!(
            t.resolve(id, &Limits::default()),
            vec![rv(
                "",
                Value::String("res/xml/network_security_config.xml".into())
            )]
        );
        assert!(read_entry(&apk, "res/xml/network_security_config.xml").is_some());
    }

    const FRAMEWORK_RES: &str = "/usr/share/android-framework-res/framework-res.apk";

    /// Values checked against `aapt dump --values resources framework-res.apk`.
    #[test]
    fn framework_res_resolves_known_ids() {
        let Some(arsc) = read_entry(std::path::Path::new(FRAMEWORK_RES), "resources.arsc") else {
            eprintln!("framework-res not installed; skipped");
            return;
        };
        let t = ResourceTable::parse(&arsc, &Limits::default()).unwrap();
        assert_eq!(t.packages(), vec![(1, "android".to_string())]);
        assert_eq!(
            t.name(0x0101_0010),
            Some(("attr".into(), "exported".into()))
        );
        assert_eq!(
            t.name(0x0104_0000),
            Some(("string".into(), "cancel".into()))
        );
        assert_eq!(t.name(0x0104_0001), Some(("string".into(), "copy".into())));
        let cancel = t.values(0x0104_0000);
        assert_eq!(
            cancel.first(),
            Some(&rv("", Value::String("Cancel".into())))
        );
        let de = cancel.iter().find(|v| v.config == "de").unwrap();
        assert_eq!(de.value, Value::String("Abbrechen".into()));
        assert!(cancel.len() > 50, "{}", cancel.len());
        let configs: std::collections::HashSet<&str> =
            cancel.iter().map(|v| v.config.as_str()).collect();
        assert_eq!(configs.len(), cancel.len(), "configs are distinct");
    }

    /// Prints parse and lookup timings for framework-res; run with
    /// `cargo test --release -p mastiff-formats framework_res_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn framework_res_timing() {
        let Some(arsc) = read_entry(std::path::Path::new(FRAMEWORK_RES), "resources.arsc") else {
            eprintln!("framework-res not installed; skipped");
            return;
        };
        let start = std::time::Instant::now();
        let t = ResourceTable::parse(&arsc, &Limits::default()).unwrap();
        let parsed = start.elapsed();
        let mut found = 0usize;
        let lookups = std::time::Instant::now();
        for i in 0..1000u32 {
            let id = 0x0104_0000 | (i % 2000);
            found += t.resolve(id, &Limits::default()).len();
            if t.name(0x0101_0000 | i).is_some() {
                found += 1;
            }
        }
        eprintln!(
            "framework-res: {} bytes, parse {:?}, 1000 resolve+name lookups {:?} ({found} values)",
            arsc.len(),
            parsed,
            lookups.elapsed()
        );
    }

    /// One simple entry as `aapt dump --values resources` prints it.
    struct AaptEntry {
        config: String,
        ty: u8,
        data: u32,
        type_name: String,
        key: String,
        /// The string value, when aapt printed it without escapes.
        string: Option<String>,
    }

    /// Compares every simple entry aapt prints (id, name, config, type, data and, for strings,
    /// the text) with ours; `None` when aapt or the file is missing. Returns entries checked.
    fn compare_with_aapt(apk: &std::path::Path) -> Option<usize> {
        let out = std::process::Command::new("aapt")
            .args(["dump", "--values", "resources"])
            .arg(apk)
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let arsc = read_entry(apk, "resources.arsc")?;
        let t = ResourceTable::parse(&arsc, &Limits::default()).unwrap();
        let mut config = String::new();
        let mut by_id: std::collections::BTreeMap<u32, Vec<AaptEntry>> = Default::default();
        let mut last_string: Option<u32> = None;
        let mut strings_checked = 0usize;
        for line in text.lines() {
            let l = line.trim_start();
            if let Some(id) = last_string.take() {
                // `(string8) "..."` follows a string entry. aapt escapes some characters, so
                // only strings printed without a backslash are compared.
                if let Some(q) = l.split_once(") \"").map(|x| x.1) {
                    let q = q.strip_suffix('"').unwrap_or(q);
                    if !q.contains('\\') {
                        let e = by_id.get_mut(&id).and_then(|v| v.last_mut()).unwrap();
                        e.string = Some(q.to_string());
                        strings_checked += 1;
                    }
                    continue;
                }
            }
            if let Some(c) = l.strip_prefix("config ") {
                config = c.trim_end_matches(':').replace("mnc65535", "mnc00");
                if config == "(default)" {
                    config.clear();
                }
                continue;
            }
            let Some(rest) = l.strip_prefix("resource 0x") else {
                continue;
            };
            if !line.starts_with("        resource") {
                continue;
            }
            let (id, rest) = rest.split_once(' ').unwrap();
            let id = u32::from_str_radix(id, 16).unwrap();
            let (name, rest) = rest.split_once(": ").unwrap();
            let (type_name, key) = name.split_once(':').unwrap().1.split_once('/').unwrap();
            let Some(rest) = rest.strip_prefix("t=0x") else {
                continue;
            }; // bags
            let ty = u8::from_str_radix(&rest[..2], 16).unwrap();
            let data = u32::from_str_radix(&rest[7..15], 16).unwrap();
            if ty == res_type::STRING {
                last_string = Some(id);
            }
            by_id.entry(id).or_default().push(AaptEntry {
                config: config.clone(),
                ty,
                data,
                type_name: type_name.to_string(),
                key: key.to_string(),
                string: None,
            });
        }
        let mut n = 0;
        for (id, expected) in by_id {
            let ours = t.values(id);
            let first = &expected[0];
            assert_eq!(
                t.name(id),
                Some((first.type_name.clone(), first.key.clone())),
                "{id:#x}"
            );
            assert_eq!(ours.len(), expected.len(), "{id:#x}: {ours:?}");
            for e in &expected {
                let found = ours.iter().find(|v| v.config == e.config);
                let found =
                    found.unwrap_or_else(|| panic!("{id:#x} [{}] missing: {ours:?}", e.config));
                match (&found.value, e.ty, &e.string) {
                    (Value::String(ours), res_type::STRING, Some(theirs)) => {
                        assert_eq!(ours, theirs, "{id:#x} [{}]", e.config);
                    }
                    (Value::String(_), res_type::STRING, None) => {}
                    (v, _, _) => assert_eq!(
                        *v,
                        decode_value(e.ty, e.data, &StringPool::default()),
                        "{id:#x} [{}]",
                        e.config
                    ),
                }
                n += 1;
            }
            if expected.iter().any(|e| e.config.is_empty()) {
                assert_eq!(ours.first().map(|v| v.config.as_str()), Some(""), "{id:#x}");
            }
        }
        assert!(
            strings_checked > 0 || n < 100,
            "{strings_checked} strings compared"
        );
        Some(n)
    }

    #[test]
    fn matches_aapt_on_corpus_and_framework_res() {
        let dir = corpus_dir().join("apps");
        let mut apks: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        apks.retain(|p| p.extension().and_then(|e| e.to_str()) == Some("apk"));
        apks.push(FRAMEWORK_RES.into());
        for apk in apks {
            match compare_with_aapt(&apk) {
                Some(n) => eprintln!("{}: {n} values match aapt", apk.display()),
                None => eprintln!("{}: aapt or file unavailable; skipped", apk.display()),
            }
        }
    }
}

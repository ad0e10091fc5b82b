//! DEX files (`classes*.dex`): a zero-copy, lazy reader.
//!
//! [`Dex::parse`] checks the header and that every id table lies inside the data; everything else
//! is read on demand from the borrowed bytes: strings are decoded from MUTF-8 only when asked for,
//! class data, code items and encoded values are parsed per class. Every count read from the file
//! is checked against the bytes that remain before anything is allocated, recursion in encoded
//! values is capped, and malformed input gives a [`DexError`], never a panic.
//!
//! Versions 035 to 041 are read. For 041 (container format) only the first dex of the container
//! is read. Big-endian files (`REVERSE_ENDIAN_CONSTANT`) are rejected, as Android does.

use std::borrow::Cow;

pub mod insn;
pub mod mutf8;

pub use insn::{Args, Format, Insn, Instructions, Payload, PayloadKind};

/// "No index" marker (`superclass_idx` of `java.lang.Object`, absent `source_file_idx`).
pub const NO_INDEX: u32 = 0xffff_ffff;

/// Deepest nesting of encoded arrays / annotations read.
pub const MAX_ENCODED_DEPTH: usize = 32;

const HEADER_SIZE: usize = 0x70;
const ENDIAN_CONSTANT: u32 = 0x1234_5678;
const REVERSE_ENDIAN_CONSTANT: u32 = 0x7856_3412;

/// Access flags (`ACC_*`).
pub mod access {
    pub const PUBLIC: u32 = 0x1;
    pub const PRIVATE: u32 = 0x2;
    pub const PROTECTED: u32 = 0x4;
    pub const STATIC: u32 = 0x8;
    pub const FINAL: u32 = 0x10;
    pub const SYNCHRONIZED: u32 = 0x20;
    pub const NATIVE: u32 = 0x100;
    pub const INTERFACE: u32 = 0x200;
    pub const ABSTRACT: u32 = 0x400;
    pub const SYNTHETIC: u32 = 0x1000;
    pub const ANNOTATION: u32 = 0x2000;
    pub const ENUM: u32 = 0x4000;
    pub const CONSTRUCTOR: u32 = 0x1_0000;
}

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum DexError {
    #[error("not a DEX file: bad magic")]
    BadMagic,
    #[error("unsupported DEX version {0:?}")]
    UnsupportedVersion(String),
    #[error("unsupported DEX endianness (endian tag {0:#010x})")]
    BadEndian(u32),
    #[error("DEX truncated while reading {what} at offset {offset:#x}")]
    Truncated { what: &'static str, offset: usize },
    #[error("DEX malformed: {what} at offset {offset:#x}")]
    Malformed { what: &'static str, offset: usize },
    #[error("DEX {what} index {index} out of range (count {count})")]
    BadIndex {
        what: &'static str,
        index: u32,
        count: u32,
    },
    #[error("DEX exceeds the limit on {what} ({max})")]
    LimitExceeded { what: &'static str, max: usize },
}

type Result<T> = std::result::Result<T, DexError>;

fn trunc(what: &'static str, offset: usize) -> DexError {
    DexError::Truncated { what, offset }
}

pub(crate) fn u16_le(data: &[u8], off: usize) -> Option<u16> {
    let b = data.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

pub(crate) fn u32_le(data: &[u8], off: usize) -> Option<u32> {
    let b = data.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

/// Reads an unsigned LEB128 (at most 5 bytes, as DEX requires) at `*pos`, advancing it.
pub fn read_uleb128(data: &[u8], pos: &mut usize) -> Result<u32> {
    let start = *pos;
    let mut result: u32 = 0;
    for i in 0..5u32 {
        let b = *data.get(*pos).ok_or_else(|| trunc("uleb128", start))?;
        *pos = pos.checked_add(1).ok_or_else(|| trunc("uleb128", start))?;
        result |= u32::from(b & 0x7f).wrapping_shl(7 * i);
        if b & 0x80 == 0 {
            return Ok(result);
        }
    }
    Err(DexError::Malformed {
        what: "uleb128 longer than 5 bytes",
        offset: start,
    })
}

/// Reads a signed LEB128 (at most 5 bytes) at `*pos`, advancing it.
pub fn read_sleb128(data: &[u8], pos: &mut usize) -> Result<i32> {
    let start = *pos;
    let mut result: u32 = 0;
    for i in 0..5u32 {
        let b = *data.get(*pos).ok_or_else(|| trunc("sleb128", start))?;
        *pos = pos.checked_add(1).ok_or_else(|| trunc("sleb128", start))?;
        result |= u32::from(b & 0x7f).wrapping_shl(7 * i);
        if b & 0x80 == 0 {
            let shift = 7 * (i + 1);
            if shift < 32 && b & 0x40 != 0 {
                result |= u32::MAX.wrapping_shl(shift);
            }
            return Ok(result as i32);
        }
    }
    Err(DexError::Malformed {
        what: "sleb128 longer than 5 bytes",
        offset: start,
    })
}

/// Size and offset of one id table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Section {
    pub size: u32,
    pub off: u32,
}

/// The DEX header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// 35..=41.
    pub version: u16,
    pub checksum: u32,
    pub signature: [u8; 20],
    /// The `file_size` field (may disagree with the real size; see [`Dex::warnings`]).
    pub file_size: u32,
    pub header_size: u32,
    pub endian_tag: u32,
    pub link: Section,
    pub map_off: u32,
    pub string_ids: Section,
    pub type_ids: Section,
    pub proto_ids: Section,
    pub field_ids: Section,
    pub method_ids: Section,
    pub class_defs: Section,
    pub data: Section,
}

/// `proto_id_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoId {
    pub shorty_idx: u32,
    pub return_type_idx: u32,
    pub parameters_off: u32,
}

/// `field_id_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldId {
    pub class_idx: u16,
    pub type_idx: u16,
    pub name_idx: u32,
}

/// `method_id_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodId {
    pub class_idx: u16,
    pub proto_idx: u16,
    pub name_idx: u32,
}

/// `class_def_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassDef {
    /// Position in the class_defs table.
    pub index: u32,
    pub class_idx: u32,
    pub access_flags: u32,
    /// [`NO_INDEX`] for none.
    pub superclass_idx: u32,
    pub interfaces_off: u32,
    /// [`NO_INDEX`] for none.
    pub source_file_idx: u32,
    pub annotations_off: u32,
    pub class_data_off: u32,
    pub static_values_off: u32,
}

/// A `type_list`: type indices, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TypeList<'a> {
    raw: &'a [u8],
}

impl<'a> TypeList<'a> {
    pub fn len(&self) -> usize {
        self.raw.len() / 2
    }
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<u16> {
        u16_le(self.raw, i.checked_mul(2)?)
    }
    pub fn iter(&self) -> impl Iterator<Item = u16> + 'a {
        self.raw
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes(c.try_into().unwrap_or([0; 2])))
    }
}

/// `encoded_field` with the index difference already resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedField {
    pub field_idx: u32,
    pub access_flags: u32,
}

/// `encoded_method` with the index difference already resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedMethod {
    pub method_idx: u32,
    pub access_flags: u32,
    /// 0 for abstract / native methods.
    pub code_off: u32,
}

/// `class_data_item`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassData {
    pub static_fields: Vec<EncodedField>,
    pub instance_fields: Vec<EncodedField>,
    pub direct_methods: Vec<EncodedMethod>,
    pub virtual_methods: Vec<EncodedMethod>,
}

impl ClassData {
    /// Direct then virtual methods, in file order.
    pub fn methods(&self) -> impl Iterator<Item = &EncodedMethod> {
        self.direct_methods
            .iter()
            .chain(self.virtual_methods.iter())
    }
}

/// A `code_item`, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeItem<'a> {
    /// File offset of the code item.
    pub offset: u32,
    pub registers_size: u16,
    pub ins_size: u16,
    pub outs_size: u16,
    pub tries_size: u16,
    pub debug_info_off: u32,
    /// The instructions: `insns_size` code units, little-endian.
    pub insns: &'a [u8],
    /// The `try_item`s (8 bytes each); empty when truncated.
    tries: &'a [u8],
    /// The `encoded_catch_handler_list`, up to the end of the file.
    handlers: &'a [u8],
}

impl<'a> CodeItem<'a> {
    /// File offset of instruction `pc` (code units from the start of `insns`).
    pub fn file_offset(&self, pc: u32) -> u64 {
        u64::from(self.offset) + 16 + 2 * u64::from(pc)
    }

    /// Number of code units.
    pub fn insns_units(&self) -> u32 {
        u32::try_from(self.insns.len() / 2).unwrap_or(u32::MAX)
    }

    pub fn instructions(&self) -> Instructions<'a> {
        Instructions::new(self.insns)
    }

    /// `(start_addr, insn_count, handler_off)` of each try block.
    pub fn tries(&self) -> impl Iterator<Item = (u32, u16, u16)> + 'a {
        self.tries.chunks_exact(8).map(|c| {
            let start = u32_le(c, 0).unwrap_or(0);
            let count = u16_le(c, 4).unwrap_or(0);
            let handler = u16_le(c, 6).unwrap_or(0);
            (start, count, handler)
        })
    }

    /// Calls `f` with the address of every catch handler (typed and catch-all). Reads at most
    /// `tries_size` handler lists and stops at the first malformed one (returning the error).
    pub fn for_each_handler_addr(&self, mut f: impl FnMut(u32)) -> Result<()> {
        let data = self.handlers;
        let mut pos = 0usize;
        let lists = read_uleb128(data, &mut pos)?;
        // Each handler list takes at least one byte.
        let lists = lists.min(u32::try_from(data.len()).unwrap_or(u32::MAX));
        for _ in 0..lists.min(u32::from(self.tries_size)) {
            let size = read_sleb128(data, &mut pos)?;
            let n = size.unsigned_abs();
            if n as usize > data.len().saturating_sub(pos) {
                return Err(trunc("encoded_catch_handler", pos));
            }
            for _ in 0..n {
                read_uleb128(data, &mut pos)?; // type_idx
                f(read_uleb128(data, &mut pos)?);
            }
            if size <= 0 {
                f(read_uleb128(data, &mut pos)?);
            }
        }
        Ok(())
    }
}

/// An `encoded_value`. Indices are left unresolved (resolve them with the [`Dex`] accessors).
#[derive(Debug, Clone, PartialEq)]
pub enum EncodedValue {
    Byte(i8),
    Short(i16),
    Char(u16),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    MethodType(u32),
    MethodHandle(u32),
    String(u32),
    Type(u32),
    Field(u32),
    Method(u32),
    Enum(u32),
    Array(Vec<EncodedValue>),
    Annotation(EncodedAnnotation),
    Null,
    Boolean(bool),
}

/// An `encoded_annotation`: type index and (name string index, value) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedAnnotation {
    pub type_idx: u32,
    pub elements: Vec<(u32, EncodedValue)>,
}

/// One `map_item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapItem {
    pub type_code: u16,
    pub size: u32,
    pub offset: u32,
}

/// A parsed DEX file borrowing its bytes.
#[derive(Debug, Clone)]
pub struct Dex<'a> {
    data: &'a [u8],
    header: Header,
    warnings: Vec<String>,
}

impl<'a> Dex<'a> {
    /// Checks the header and the bounds of every id table.
    pub fn parse(data: &'a [u8]) -> Result<Dex<'a>> {
        let magic = data.get(..8).ok_or(DexError::BadMagic)?;
        if magic.get(..4) != Some(b"dex\n".as_slice()) || magic.get(7) != Some(&0) {
            return Err(DexError::BadMagic);
        }
        let digits = magic.get(4..7).ok_or(DexError::BadMagic)?;
        let version = std::str::from_utf8(digits)
            .ok()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u16>().ok())
            .filter(|v| (35..=41).contains(v))
            .ok_or_else(|| DexError::UnsupportedVersion(String::from_utf8_lossy(digits).into()))?;
        if data.len() < HEADER_SIZE {
            return Err(trunc("header", 0));
        }
        let r = |off: usize| u32_le(data, off).unwrap_or(0);
        let endian_tag = r(0x28);
        if endian_tag != ENDIAN_CONSTANT {
            return Err(DexError::BadEndian(endian_tag));
        }
        let sec = |off: usize| Section {
            size: r(off),
            off: r(off + 4),
        };
        let mut signature = [0u8; 20];
        if let Some(s) = data.get(0x0c..0x20) {
            signature.copy_from_slice(s);
        }
        let header = Header {
            version,
            checksum: r(0x08),
            signature,
            file_size: r(0x20),
            header_size: r(0x24),
            endian_tag,
            link: sec(0x2c),
            map_off: r(0x34),
            string_ids: sec(0x38),
            type_ids: sec(0x40),
            proto_ids: sec(0x48),
            field_ids: sec(0x50),
            method_ids: sec(0x58),
            class_defs: sec(0x60),
            data: sec(0x68),
        };
        let mut warnings = Vec::new();
        if u64::from(header.file_size) != data.len() as u64 {
            warnings.push(format!(
                "header file_size is {} but the data is {} bytes",
                header.file_size,
                data.len()
            ));
        }
        if header.header_size as usize != HEADER_SIZE && version < 41 {
            warnings.push(format!("header_size is {:#x}", header.header_size));
        }
        if endian_tag == REVERSE_ENDIAN_CONSTANT {
            return Err(DexError::BadEndian(endian_tag));
        }
        for (what, s, item) in [
            ("string_ids", header.string_ids, 4u64),
            ("type_ids", header.type_ids, 4),
            ("proto_ids", header.proto_ids, 12),
            ("field_ids", header.field_ids, 8),
            ("method_ids", header.method_ids, 8),
            ("class_defs", header.class_defs, 32),
        ] {
            let end = u64::from(s.off) + u64::from(s.size) * item;
            if s.size != 0 && end > data.len() as u64 {
                return Err(trunc(what, s.off as usize));
            }
        }
        // Type indices are u16 in most places; more than 65536 types cannot be referenced.
        if header.type_ids.size > 0x1_0000 {
            return Err(DexError::Malformed {
                what: "type_ids_size above 65536",
                offset: 0x40,
            });
        }
        Ok(Dex {
            data,
            header,
            warnings,
        })
    }

    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The format version, 35..=41.
    pub fn version(&self) -> u16 {
        self.header.version
    }

    /// Non-fatal problems seen in the header (file size field disagreeing with the data...).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Adler-32 of everything after the checksum field, as the header's `checksum` should be.
    pub fn computed_checksum(&self) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for chunk in self.data.get(12..).unwrap_or(&[]).chunks(5552) {
            for &x in chunk {
                a = a.wrapping_add(u32::from(x));
                b = b.wrapping_add(a);
            }
            a %= 65521;
            b %= 65521;
        }
        (b << 16) | a
    }

    fn entry(&self, what: &'static str, s: Section, item: u32, idx: u32) -> Result<usize> {
        if idx >= s.size {
            return Err(DexError::BadIndex {
                what,
                index: idx,
                count: s.size,
            });
        }
        // In bounds: checked in parse().
        Ok(s.off as usize + idx as usize * item as usize)
    }

    fn u32_at(&self, what: &'static str, off: usize) -> Result<u32> {
        u32_le(self.data, off).ok_or_else(|| trunc(what, off))
    }

    fn u16_at(&self, what: &'static str, off: usize) -> Result<u16> {
        u16_le(self.data, off).ok_or_else(|| trunc(what, off))
    }

    // ---- strings ----

    pub fn string_count(&self) -> u32 {
        self.header.string_ids.size
    }

    /// Raw MUTF-8 bytes of string `idx` (without the terminating NUL) and its declared UTF-16
    /// length. The NUL is searched for at most `3 * utf16_len` bytes (the MUTF-8 maximum);
    /// without one, the bytes up to that bound are returned.
    pub fn string_raw(&self, idx: u32) -> Result<(&'a [u8], u32)> {
        let e = self.entry("string_ids", self.header.string_ids, 4, idx)?;
        let off = self.u32_at("string_id_item", e)? as usize;
        let mut pos = off;
        let utf16_len = read_uleb128(self.data, &mut pos)?;
        let rest = self
            .data
            .get(pos..)
            .ok_or_else(|| trunc("string_data_item", off))?;
        // Fast path, nearly every string: ASCII, so exactly `utf16_len` bytes before the NUL
        // (`contains` is a memchr, unlike the byte loop below).
        let n = utf16_len as usize;
        if let (Some(s), Some(&0)) = (rest.get(..n), rest.get(n)) {
            if s.is_ascii() && !s.contains(&0) {
                return Ok((s, utf16_len));
            }
        }
        let max = (utf16_len as usize).saturating_mul(3).min(rest.len());
        let window = rest.get(..max).unwrap_or(rest);
        let end = match window.iter().position(|&b| b == 0) {
            Some(n) => n,
            None if rest.get(max) == Some(&0) => max,
            None => {
                if max == rest.len() {
                    return Err(trunc("string_data_item", off));
                }
                max
            }
        };
        Ok((window.get(..end).unwrap_or(window), utf16_len))
    }

    /// String `idx`, decoded lossily from MUTF-8 (borrowed when it is plain UTF-8).
    pub fn string(&self, idx: u32) -> Result<Cow<'a, str>> {
        Ok(mutf8::decode(self.string_raw(idx)?.0))
    }

    // ---- types ----

    pub fn type_count(&self) -> u32 {
        self.header.type_ids.size
    }

    /// String index of the descriptor of type `idx`.
    pub fn type_descriptor_idx(&self, idx: u32) -> Result<u32> {
        let e = self.entry("type_ids", self.header.type_ids, 4, idx)?;
        self.u32_at("type_id_item", e)
    }

    /// Descriptor of type `idx`, e.g. `Ljava/lang/String;` or `[B`.
    pub fn type_descriptor(&self, idx: u32) -> Result<Cow<'a, str>> {
        self.string(self.type_descriptor_idx(idx)?)
    }

    /// A `type_list` at a file offset (0 = empty list).
    pub fn type_list(&self, off: u32) -> Result<TypeList<'a>> {
        if off == 0 {
            return Ok(TypeList::default());
        }
        let o = off as usize;
        let size = self.u32_at("type_list", o)? as usize;
        let start = o.checked_add(4).ok_or_else(|| trunc("type_list", o))?;
        let len = size.checked_mul(2).ok_or_else(|| trunc("type_list", o))?;
        let raw = start
            .checked_add(len)
            .and_then(|end| self.data.get(start..end))
            .ok_or_else(|| trunc("type_list", o))?;
        Ok(TypeList { raw })
    }

    // ---- protos, fields, methods ----

    pub fn proto_count(&self) -> u32 {
        self.header.proto_ids.size
    }

    pub fn proto(&self, idx: u32) -> Result<ProtoId> {
        let e = self.entry("proto_ids", self.header.proto_ids, 12, idx)?;
        Ok(ProtoId {
            shorty_idx: self.u32_at("proto_id_item", e)?,
            return_type_idx: self.u32_at("proto_id_item", e + 4)?,
            parameters_off: self.u32_at("proto_id_item", e + 8)?,
        })
    }

    /// Method descriptor of proto `idx`, e.g. `(Ljava/lang/String;I)V`.
    pub fn proto_descriptor(&self, idx: u32) -> Result<String> {
        let p = self.proto(idx)?;
        let params = self.type_list(p.parameters_off)?;
        let mut s = String::with_capacity(16);
        s.push('(');
        for t in params.iter() {
            s.push_str(&self.type_descriptor(u32::from(t))?);
        }
        s.push(')');
        s.push_str(&self.type_descriptor(p.return_type_idx)?);
        Ok(s)
    }

    pub fn field_count(&self) -> u32 {
        self.header.field_ids.size
    }

    pub fn field(&self, idx: u32) -> Result<FieldId> {
        let e = self.entry("field_ids", self.header.field_ids, 8, idx)?;
        Ok(FieldId {
            class_idx: self.u16_at("field_id_item", e)?,
            type_idx: self.u16_at("field_id_item", e + 2)?,
            name_idx: self.u32_at("field_id_item", e + 4)?,
        })
    }

    pub fn method_count(&self) -> u32 {
        self.header.method_ids.size
    }

    pub fn method(&self, idx: u32) -> Result<MethodId> {
        let e = self.entry("method_ids", self.header.method_ids, 8, idx)?;
        Ok(MethodId {
            class_idx: self.u16_at("method_id_item", e)?,
            proto_idx: self.u16_at("method_id_item", e + 2)?,
            name_idx: self.u32_at("method_id_item", e + 4)?,
        })
    }

    // ---- classes ----

    pub fn class_def_count(&self) -> u32 {
        self.header.class_defs.size
    }

    pub fn class_def(&self, idx: u32) -> Result<ClassDef> {
        let e = self.entry("class_defs", self.header.class_defs, 32, idx)?;
        let r = |k: usize| self.u32_at("class_def_item", e + 4 * k);
        Ok(ClassDef {
            index: idx,
            class_idx: r(0)?,
            access_flags: r(1)?,
            superclass_idx: r(2)?,
            interfaces_off: r(3)?,
            source_file_idx: r(4)?,
            annotations_off: r(5)?,
            class_data_off: r(6)?,
            static_values_off: r(7)?,
        })
    }

    pub fn class_defs(&self) -> impl Iterator<Item = Result<ClassDef>> + '_ {
        (0..self.class_def_count()).map(move |i| self.class_def(i))
    }

    /// Interfaces implemented by a class (type indices).
    pub fn interfaces(&self, class: &ClassDef) -> Result<TypeList<'a>> {
        self.type_list(class.interfaces_off)
    }

    /// The class's `class_data_item`; `None` for a class without one (marker interfaces...).
    pub fn class_data(&self, class: &ClassDef) -> Result<Option<ClassData>> {
        if class.class_data_off == 0 {
            return Ok(None);
        }
        let d = self.data;
        let mut pos = class.class_data_off as usize;
        let sf = read_uleb128(d, &mut pos)? as usize;
        let inf = read_uleb128(d, &mut pos)? as usize;
        let dm = read_uleb128(d, &mut pos)? as usize;
        let vm = read_uleb128(d, &mut pos)? as usize;
        // An encoded_field takes at least 2 bytes, an encoded_method at least 3.
        let need = sf
            .saturating_add(inf)
            .saturating_mul(2)
            .saturating_add(dm.saturating_add(vm).saturating_mul(3));
        if need > d.len().saturating_sub(pos) {
            return Err(trunc("class_data_item", class.class_data_off as usize));
        }
        let mut cd = ClassData::default();
        let fields = |n: usize, pos: &mut usize| -> Result<Vec<EncodedField>> {
            let mut v = Vec::with_capacity(n);
            let mut idx = 0u32;
            for _ in 0..n {
                idx = idx.wrapping_add(read_uleb128(d, pos)?);
                v.push(EncodedField {
                    field_idx: idx,
                    access_flags: read_uleb128(d, pos)?,
                });
            }
            Ok(v)
        };
        cd.static_fields = fields(sf, &mut pos)?;
        cd.instance_fields = fields(inf, &mut pos)?;
        let methods = |n: usize, pos: &mut usize| -> Result<Vec<EncodedMethod>> {
            let mut v = Vec::with_capacity(n);
            let mut idx = 0u32;
            for _ in 0..n {
                idx = idx.wrapping_add(read_uleb128(d, pos)?);
                v.push(EncodedMethod {
                    method_idx: idx,
                    access_flags: read_uleb128(d, pos)?,
                    code_off: read_uleb128(d, pos)?,
                });
            }
            Ok(v)
        };
        cd.direct_methods = methods(dm, &mut pos)?;
        cd.virtual_methods = methods(vm, &mut pos)?;
        Ok(Some(cd))
    }

    /// The code item at `code_off` (from an [`EncodedMethod`]).
    pub fn code_item(&self, code_off: u32) -> Result<CodeItem<'a>> {
        let o = code_off as usize;
        let r16 = |k: usize| self.u16_at("code_item", o.saturating_add(k));
        let registers_size = r16(0)?;
        let ins_size = r16(2)?;
        let outs_size = r16(4)?;
        let tries_size = r16(6)?;
        let debug_info_off = self.u32_at("code_item", o.saturating_add(8))?;
        let units = self.u32_at("code_item", o.saturating_add(12))? as usize;
        let start = o.saturating_add(16);
        let end = units
            .checked_mul(2)
            .and_then(|n| start.checked_add(n))
            .ok_or_else(|| trunc("code_item insns", o))?;
        let insns = self
            .data
            .get(start..end)
            .ok_or_else(|| trunc("code_item insns", o))?;
        // Tries follow, 4-byte aligned; a truncated tries table is read as none.
        let tries_start = if units % 2 == 1 { end + 2 } else { end };
        let tries_end = tries_start.saturating_add(usize::from(tries_size) * 8);
        let (tries, handlers) = if tries_size == 0 {
            (&[][..], &[][..])
        } else {
            match self.data.get(tries_start..tries_end) {
                Some(t) => (t, self.data.get(tries_end..).unwrap_or(&[])),
                None => (&[][..], &[][..]),
            }
        };
        Ok(CodeItem {
            offset: code_off,
            registers_size,
            ins_size,
            outs_size,
            tries_size,
            debug_info_off,
            insns,
            tries,
            handlers,
        })
    }

    /// The class's static field initial values (`static_values_off`), in static field order.
    pub fn static_values(&self, class: &ClassDef) -> Result<Vec<EncodedValue>> {
        if class.static_values_off == 0 {
            return Ok(Vec::new());
        }
        self.encoded_array_at(class.static_values_off)
    }

    /// An `encoded_array_item` at a file offset.
    pub fn encoded_array_at(&self, off: u32) -> Result<Vec<EncodedValue>> {
        let mut pos = off as usize;
        self.read_encoded_array(&mut pos, 0)
    }

    /// Reads an `encoded_value` at `*pos`.
    pub fn read_encoded_value(&self, pos: &mut usize, depth: usize) -> Result<EncodedValue> {
        let start = *pos;
        let d = self.data;
        let head = *d.get(start).ok_or_else(|| trunc("encoded_value", start))?;
        *pos = start + 1;
        let ty = head & 0x1f;
        let arg = usize::from(head >> 5);
        let bytes = |max: usize, pos: &mut usize| -> Result<(u64, usize)> {
            let n = arg + 1;
            if n > max {
                return Err(DexError::Malformed {
                    what: "encoded_value size",
                    offset: start,
                });
            }
            let b = d
                .get(*pos..pos.saturating_add(n))
                .ok_or_else(|| trunc("encoded_value", start))?;
            *pos += n;
            let mut v = 0u64;
            for (i, &x) in b.iter().enumerate() {
                v |= u64::from(x) << (8 * i);
            }
            Ok((v, n))
        };
        let sext = |v: u64, n: usize| -> i64 {
            let shift = 64 - 8 * n as u32;
            ((v << shift) as i64) >> shift
        };
        // Zero-extended to the right for float/double (the value's low bytes are dropped).
        let zext_right = |v: u64, n: usize, width: usize| -> u64 { v << (8 * (width - n)) };
        Ok(match ty {
            0x00 => EncodedValue::Byte(bytes(1, pos)?.0 as u8 as i8),
            0x02 => {
                let (v, n) = bytes(2, pos)?;
                EncodedValue::Short(sext(v, n) as i16)
            }
            0x03 => EncodedValue::Char(bytes(2, pos)?.0 as u16),
            0x04 => {
                let (v, n) = bytes(4, pos)?;
                EncodedValue::Int(sext(v, n) as i32)
            }
            0x06 => {
                let (v, n) = bytes(8, pos)?;
                EncodedValue::Long(sext(v, n))
            }
            0x10 => {
                let (v, n) = bytes(4, pos)?;
                EncodedValue::Float(f32::from_bits(zext_right(v, n, 4) as u32))
            }
            0x11 => {
                let (v, n) = bytes(8, pos)?;
                EncodedValue::Double(f64::from_bits(zext_right(v, n, 8)))
            }
            0x15 => EncodedValue::MethodType(bytes(4, pos)?.0 as u32),
            0x16 => EncodedValue::MethodHandle(bytes(4, pos)?.0 as u32),
            0x17 => EncodedValue::String(bytes(4, pos)?.0 as u32),
            0x18 => EncodedValue::Type(bytes(4, pos)?.0 as u32),
            0x19 => EncodedValue::Field(bytes(4, pos)?.0 as u32),
            0x1a => EncodedValue::Method(bytes(4, pos)?.0 as u32),
            0x1b => EncodedValue::Enum(bytes(4, pos)?.0 as u32),
            0x1c => EncodedValue::Array(self.read_encoded_array(pos, depth + 1)?),
            0x1d => EncodedValue::Annotation(self.read_encoded_annotation(pos, depth + 1)?),
            0x1e => EncodedValue::Null,
            0x1f => EncodedValue::Boolean(arg != 0),
            _ => {
                return Err(DexError::Malformed {
                    what: "encoded_value type",
                    offset: start,
                })
            }
        })
    }

    fn read_encoded_array(&self, pos: &mut usize, depth: usize) -> Result<Vec<EncodedValue>> {
        if depth > MAX_ENCODED_DEPTH {
            return Err(DexError::LimitExceeded {
                what: "encoded value nesting",
                max: MAX_ENCODED_DEPTH,
            });
        }
        let start = *pos;
        let size = read_uleb128(self.data, pos)? as usize;
        // Each value takes at least one byte.
        if size > self.data.len().saturating_sub(*pos) {
            return Err(trunc("encoded_array", start));
        }
        let mut v = Vec::with_capacity(size);
        for _ in 0..size {
            v.push(self.read_encoded_value(pos, depth)?);
        }
        Ok(v)
    }

    /// Reads an `encoded_annotation` at `*pos`.
    pub fn read_encoded_annotation(
        &self,
        pos: &mut usize,
        depth: usize,
    ) -> Result<EncodedAnnotation> {
        if depth > MAX_ENCODED_DEPTH {
            return Err(DexError::LimitExceeded {
                what: "encoded value nesting",
                max: MAX_ENCODED_DEPTH,
            });
        }
        let start = *pos;
        let type_idx = read_uleb128(self.data, pos)?;
        let size = read_uleb128(self.data, pos)? as usize;
        // Each element takes at least two bytes.
        if size.saturating_mul(2) > self.data.len().saturating_sub(*pos) {
            return Err(trunc("encoded_annotation", start));
        }
        let mut elements = Vec::with_capacity(size);
        for _ in 0..size {
            let name = read_uleb128(self.data, pos)?;
            elements.push((name, self.read_encoded_value(pos, depth)?));
        }
        Ok(EncodedAnnotation { type_idx, elements })
    }

    /// The `map_list` (every section of the file with its type code, size and offset).
    pub fn map_items(&self) -> Result<Vec<MapItem>> {
        let o = self.header.map_off as usize;
        if o == 0 {
            return Ok(Vec::new());
        }
        let n = self.u32_at("map_list", o)? as usize;
        if n.saturating_mul(12) > self.data.len().saturating_sub(o + 4) {
            return Err(trunc("map_list", o));
        }
        (0..n)
            .map(|i| {
                let e = o + 4 + 12 * i;
                Ok(MapItem {
                    type_code: self.u16_at("map_item", e)?,
                    size: self.u32_at("map_item", e + 4)?,
                    offset: self.u32_at("map_item", e + 8)?,
                })
            })
            .collect()
    }

    /// Offset of the `encoded_array_item` of call site `idx` (DEX 038+, from the map list).
    pub fn call_site_offset(&self, idx: u32) -> Result<u32> {
        let m = self
            .map_items()?
            .into_iter()
            .find(|m| m.type_code == 0x0007)
            .ok_or(DexError::BadIndex {
                what: "call_site_ids",
                index: idx,
                count: 0,
            })?;
        let s = Section {
            size: m.size,
            off: m.offset,
        };
        let e = self.entry("call_site_ids", s, 4, idx)?;
        self.u32_at("call_site_id_item", e)
    }

    /// `(method_handle_type, field_or_method_id)` of method handle `idx` (DEX 038+).
    pub fn method_handle(&self, idx: u32) -> Result<(u16, u16)> {
        let m = self
            .map_items()?
            .into_iter()
            .find(|m| m.type_code == 0x0008)
            .ok_or(DexError::BadIndex {
                what: "method_handles",
                index: idx,
                count: 0,
            })?;
        let s = Section {
            size: m.size,
            off: m.offset,
        };
        let e = self.entry("method_handles", s, 8, idx)?;
        Ok((
            self.u16_at("method_handle_item", e)?,
            self.u16_at("method_handle_item", e + 4)?,
        ))
    }
}

#[cfg(test)]
mod tests;

//! The code index of an Android app, built in one pass over every method of every dex file.
//!
//! [`CodeIndex::build`] parses `classes.dex`, `classes2.dex`, ... in parallel (one rayon task per
//! file), walks every instruction of every method once, and merges the per-file results into
//! sorted reference indexes. A rule then asks questions instead of walking bytecode:
//!
//! - [`CodeIndex::calls_to`]`("Ljavax/crypto/Cipher;", "getInstance")`: every call site; and
//!   [`CodeIndex::args`] gives the constant value of each argument where the method makes it
//!   visible ([`ArgValue`]): `Cipher.getInstance("AES/ECB/PKCS5Padding")` gives
//!   `code.args(call)[0] == ArgValue::Str("AES/ECB/…")`. [`CodeIndex::calls_where`] and
//!   [`CodeIndex::field_accesses_where`] filter by a predicate on `(class, name)`.
//! - [`CodeIndex::string_uses`], [`CodeIndex::strings`]: const-strings where used, and every string
//!   of every dex string table (for secret and URL scanning).
//! - [`CodeIndex::field_accesses`], the class hierarchy ([`CodeIndex::subclasses_of`],
//!   [`CodeIndex::implementors_of`], [`CodeIndex::overrides`]), a [`MethodSummary`] per method
//!   (`checkServerTrusted` that is just `return-void`...) and [`CodeIndex::returns_const`]
//!   (`verify` that always returns 1).
//! - [`CodeIndex::location`] turns a method and offset into the report's `Location::Dex`.
//!
//! ## Constant tracking
//! On demand: the index pass records where the calls, strings and field accesses are without
//! following registers, and a method is tracked the first time a rule asks for the arguments of
//! one of its calls ([`CodeIndex::args`]), a value it stores ([`CodeIndex::stored_value`]) or
//! what it returns ([`CodeIndex::returns_const`]). A full scan's rules ask about 1-3 % of an
//! app's methods (UiAutomator2 server: 1,786 of 76,055), so tracking is paid only where used.
//!
//! Intra-procedural and linear: one forward pass per method, no CFG. Register knowledge is
//! dropped at every branch target, switch target and catch handler (so a value is only known when
//! it is set on every path in straight-line code), and `move-result` picks up the value of the
//! invoke just before it. Tracked: `const*`, `const-string*`, `const-class`, moves, `new-instance`,
//! `new-array` (+ `fill-array-data`, `aput-byte` with constant index and value,
//! `filled-new-array`), `sget` of a `static final` field with an initial value (from the class's
//! static values or a constant `sput` in `<clinit>`), `String.getBytes()` of a constant, and
//! `StringBuilder`/`StringBuffer` chains of constant appends. The result of any other call is
//! [`ArgValue::ReturnOf`] that call, so builder chains (`KeyGenParameterSpec.Builder(..)
//! .setKeySize(256)`) stay visible. The method's own parameters are [`ArgValue::Param`].
//!
//! ## App code
//! A class is app code when it is not under a known library prefix ([`library_of`]) and its
//! package is the manifest package, shares its first two segments, has no package, or is made
//! of short obfuscated segments (`a.b.c`). Library classes are still indexed; rules label them.
//!
//! ## Memory
//! The index stores ids into the dex files, not strings: a call site is 12 bytes (caller,
//! offset, `method_id`, kind), a field access or const-string 12, a method 36. Names are read
//! from the file's string data when a query returns a view ([`CallSite`], [`MethodInfo`],
//! [`ClassInfo`], ...), borrowed where the MUTF-8 is plain UTF-8 and decoded once at build
//! time otherwise. On the UiAutomator2 server (16 dex, 14 MB, 246k call sites) the index takes
//! about 22 MB next to the 14 MB of dex it reads.
//!
//! Hostile input: everything is bounded ([`Limits`]); a dex that cannot be parsed, a class whose
//! data is malformed or a truncated code item becomes a [`CodeProblem`] and the rest is indexed.

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::borrow::Borrow;
use std::ops::Range;
use std::sync::Arc;

mod build;
mod fxhash;
mod lazy;
mod libraries;
mod source;
mod track;

pub use libraries::{library_of, KNOWN_LIBRARIES};

/// Shared, immutable string: constant values found by tracking ([`ArgValue::Str`]) and owned
/// references ([`MethodRefBuf`]). Names in the index itself are read from the dex files.
pub type Str = Arc<str>;

/// Bounds on the work done for one app.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most dex files indexed (later ones are reported and skipped).
    pub max_dex_files: usize,
    /// Longest constant array (elements) turned into [`ArgValue::Bytes`] / [`ArgValue::Ints`].
    pub max_const_array: usize,
    /// Longest string a `StringBuilder` chain is followed to.
    pub max_const_string: usize,
    /// Most code units scanned per dex file, as a multiple of the file's size in code units
    /// (real files scan each code item once, so 1; shared or overlapping code items in a hostile
    /// file could otherwise multiply the work).
    pub max_code_units_factor: usize,
    /// Most call sites kept per dex file.
    pub max_call_sites_per_dex: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_dex_files: 1000,
            max_const_array: 64 * 1024,
            max_const_string: 64 * 1024,
            max_code_units_factor: 2,
            max_call_sites_per_dex: 4_000_000,
        }
    }
}

/// Index of a method in [`CodeIndex::methods`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MethodId(pub u32);

/// A method as an instruction references it (`method_id_item`), read from its dex file: class
/// descriptor, name and method descriptor. A view into the index (cheap to copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MethodRef<'a> {
    /// Class descriptor, e.g. `Ljavax/crypto/Cipher;`.
    pub class: &'a str,
    pub name: &'a str,
    /// Method descriptor, e.g. `(Ljava/lang/String;)Ljavax/crypto/Cipher;`.
    pub descriptor: &'a str,
}

impl<'a> MethodRef<'a> {
    /// Parameter type descriptors (without `this`).
    pub fn params(&self) -> impl Iterator<Item = &'a str> {
        param_types(self.descriptor)
    }

    /// Return type descriptor.
    pub fn return_type(&self) -> &'a str {
        self.descriptor.rsplit(')').next().unwrap_or("V")
    }

    /// An owned copy (for values that outlive the index borrow).
    pub fn to_owned_ref(&self) -> MethodRefBuf {
        MethodRefBuf {
            class: Str::from(self.class),
            name: Str::from(self.name),
            descriptor: Str::from(self.descriptor),
        }
    }
}

/// An owned method reference: the callee in [`ArgValue::ReturnOf`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MethodRefBuf {
    pub class: Str,
    pub name: Str,
    pub descriptor: Str,
}

impl MethodRefBuf {
    /// As a [`MethodRef`] view.
    pub fn view(&self) -> MethodRef<'_> {
        MethodRef {
            class: &self.class,
            name: &self.name,
            descriptor: &self.descriptor,
        }
    }

    /// Parameter type descriptors (without `this`).
    pub fn params(&self) -> impl Iterator<Item = &str> {
        param_types(&self.descriptor)
    }

    /// Return type descriptor.
    pub fn return_type(&self) -> &str {
        self.descriptor.rsplit(')').next().unwrap_or("V")
    }
}

/// Parameter type descriptors of a method descriptor `(..)R`.
pub(crate) fn param_types(descriptor: &str) -> impl Iterator<Item = &str> {
    let inner = descriptor
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .unwrap_or("");
    DescriptorIter { rest: inner }
}

/// Splits a run of type descriptors (`I[BLjava/lang/String;`) into single descriptors.
struct DescriptorIter<'a> {
    rest: &'a str,
}

impl<'a> Iterator for DescriptorIter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let b = self.rest.as_bytes();
        let mut i = 0;
        while b.get(i) == Some(&b'[') {
            i += 1;
        }
        let mut end = match b.get(i)? {
            b'L' => b
                .iter()
                .skip(i)
                .position(|&c| c == b';')
                .map_or(b.len(), |e| i + e + 1),
            _ => i + 1,
        };
        // Malformed (non-ASCII) descriptors: never split inside a character.
        while end < b.len() && !self.rest.is_char_boundary(end) {
            end += 1;
        }
        let end = end.min(b.len());
        let t = self.rest.get(..end)?;
        self.rest = self.rest.get(end..).unwrap_or("");
        Some(t)
    }
}

/// A field as an instruction references it, read from its dex file. A view into the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldRef<'a> {
    pub class: &'a str,
    pub name: &'a str,
    /// Type descriptor of the field.
    pub ty: &'a str,
}

/// An owned field reference: the field in [`ArgValue::StaticField`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRefBuf {
    pub class: Str,
    pub name: Str,
    pub ty: Str,
}

impl FieldRefBuf {
    /// As a [`FieldRef`] view.
    pub fn view(&self) -> FieldRef<'_> {
        FieldRef {
            class: &self.class,
            name: &self.name,
            ty: &self.ty,
        }
    }
}

/// What the index knows about the value in a register at a call (or stored into a field).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ArgValue {
    /// Not a constant the linear pass could see.
    #[default]
    Unknown,
    /// Integer constant (also booleans as 0/1, chars, and raw bits of a wide constant whose
    /// use is not known to be floating point).
    Int(i64),
    /// A constant passed to a `float`/`double` parameter.
    Float(f64),
    Str(Str),
    /// A constant byte array: `new-array` + `fill-array-data`/`aput-byte`, a zero-filled
    /// `new byte[n]` written to, or `String.getBytes()` of a constant (UTF-8).
    Bytes(Arc<[u8]>),
    /// A constant array of another primitive type (elements sign-extended; `char` zero-extended).
    Ints(Arc<[i64]>),
    /// `const/4 vX, 0` passed where an object is expected.
    Null,
    /// A freshly allocated array of this type (`[B`...) whose contents are not known (for a
    /// `new byte[16]` never written to, that means all zeros).
    NewArray {
        ty: Str,
        len: Option<u32>,
    },
    /// A freshly allocated object of this class (before or after its constructor ran).
    NewInstance(Str),
    /// A static field read, with its constant value when the field is `static final` and has one.
    StaticField {
        field: Arc<FieldRefBuf>,
        value: Option<Arc<ArgValue>>,
    },
    /// `const-class`: a class literal (descriptor).
    ClassConst(Str),
    /// The result of a call (e.g. the builder returned by `setKeySize`).
    ReturnOf(Arc<MethodRefBuf>),
    /// At a branch join: the result of this call on some paths, a constant on the others
    /// (`name = "demo.txt"; if (ok) name = intent.getStringExtra("f");`). For rules that
    /// follow where a value may come from; everything else reads it as unknown.
    MaybeReturnOf(Arc<MethodRefBuf>),
    /// Parameter `n` of the enclosing method as received (0 is `this` for instance methods).
    Param(u16),
}

impl ArgValue {
    /// The string constant, also through a static final field.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ArgValue::Str(s) => Some(s),
            ArgValue::StaticField { value: Some(v), .. } => v.as_str(),
            _ => None,
        }
    }

    /// The integer constant, also through a static final field.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            ArgValue::Int(i) => Some(*i),
            ArgValue::StaticField { value: Some(v), .. } => v.as_int(),
            _ => None,
        }
    }

    /// The byte-array constant, also through a static final field.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            ArgValue::Bytes(b) => Some(b),
            ArgValue::StaticField { value: Some(v), .. } => v.as_bytes(),
            _ => None,
        }
    }

    /// Whether this is a constant the index could see (not unknown, a parameter or a call result).
    pub fn is_constant(&self) -> bool {
        match self {
            ArgValue::Int(_)
            | ArgValue::Float(_)
            | ArgValue::Str(_)
            | ArgValue::Bytes(_)
            | ArgValue::Ints(_)
            | ArgValue::Null
            | ArgValue::ClassConst(_) => true,
            ArgValue::StaticField { value, .. } => value.as_deref().is_some_and(Self::is_constant),
            _ => false,
        }
    }
}

/// Argument values of a call site. Derefs to `[ArgValue]`.
///
/// Identical argument lists within a dex file (same values, same shared strings and
/// references) are stored once and shared: most calls pass `this`, parameters, unknowns or the
/// same few constants, so an index holds far fewer distinct lists than call sites.
#[derive(Clone, Default)]
pub struct ArgList(Option<Arc<[ArgValue]>>);

impl ArgList {
    pub(crate) fn shared(list: Arc<[ArgValue]>) -> Self {
        ArgList(Some(list))
    }
}

/// Hashes an argument value by identity: shared strings, arrays and references by address.
pub(crate) fn identity_hash(v: &ArgValue, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    std::mem::discriminant(v).hash(h);
    match v {
        ArgValue::Unknown | ArgValue::Null => {}
        ArgValue::Int(i) => h.write_u64(*i as u64),
        ArgValue::Float(f) => h.write_u64(f.to_bits()),
        ArgValue::Str(s) | ArgValue::NewInstance(s) | ArgValue::ClassConst(s) => {
            h.write_usize(s.as_ptr() as usize)
        }
        ArgValue::Bytes(b) => h.write_usize(b.as_ptr() as usize),
        ArgValue::Ints(b) => h.write_usize(b.as_ptr() as usize),
        ArgValue::NewArray { ty, len } => {
            h.write_usize(ty.as_ptr() as usize);
            h.write_u64(len.map_or(u64::MAX, u64::from));
        }
        ArgValue::StaticField { field, value } => {
            h.write_usize(Arc::as_ptr(field) as usize);
            h.write_usize(value.as_ref().map_or(0, |v| Arc::as_ptr(v) as usize));
        }
        ArgValue::ReturnOf(m) | ArgValue::MaybeReturnOf(m) => {
            h.write_usize(Arc::as_ptr(m) as usize)
        }
        ArgValue::Param(n) => h.write_u32(u32::from(*n)),
    }
}

/// Whether two argument values are the same by identity (see [`identity_hash`]); identical
/// values are equal, equal values need not be identical.
pub(crate) fn identical(a: &ArgValue, b: &ArgValue) -> bool {
    fn same<T: ?Sized>(x: &Arc<T>, y: &Arc<T>) -> bool {
        Arc::ptr_eq(x, y)
    }
    match (a, b) {
        (ArgValue::Unknown, ArgValue::Unknown) | (ArgValue::Null, ArgValue::Null) => true,
        (ArgValue::Int(x), ArgValue::Int(y)) => x == y,
        (ArgValue::Float(x), ArgValue::Float(y)) => x.to_bits() == y.to_bits(),
        (ArgValue::Str(x), ArgValue::Str(y))
        | (ArgValue::NewInstance(x), ArgValue::NewInstance(y))
        | (ArgValue::ClassConst(x), ArgValue::ClassConst(y)) => same(x, y),
        (ArgValue::Bytes(x), ArgValue::Bytes(y)) => same(x, y),
        (ArgValue::Ints(x), ArgValue::Ints(y)) => same(x, y),
        (ArgValue::NewArray { ty: t1, len: l1 }, ArgValue::NewArray { ty: t2, len: l2 }) => {
            same(t1, t2) && l1 == l2
        }
        (
            ArgValue::StaticField {
                field: f1,
                value: v1,
            },
            ArgValue::StaticField {
                field: f2,
                value: v2,
            },
        ) => {
            same(f1, f2)
                && match (v1, v2) {
                    (None, None) => true,
                    (Some(x), Some(y)) => same(x, y),
                    _ => false,
                }
        }
        (ArgValue::ReturnOf(x), ArgValue::ReturnOf(y))
        | (ArgValue::MaybeReturnOf(x), ArgValue::MaybeReturnOf(y)) => same(x, y),
        (ArgValue::Param(x), ArgValue::Param(y)) => x == y,
        _ => false,
    }
}

impl std::ops::Deref for ArgList {
    type Target = [ArgValue];
    fn deref(&self) -> &[ArgValue] {
        self.0.as_deref().unwrap_or(&[])
    }
}

impl std::fmt::Debug for ArgList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for ArgList {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl PartialEq<Vec<ArgValue>> for ArgList {
    fn eq(&self, other: &Vec<ArgValue>) -> bool {
        **self == **other
    }
}

impl<'a> IntoIterator for &'a ArgList {
    type Item = &'a ArgValue;
    type IntoIter = std::slice::Iter<'a, ArgValue>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromIterator<ArgValue> for ArgList {
    fn from_iter<I: IntoIterator<Item = ArgValue>>(iter: I) -> Self {
        let v: Vec<ArgValue> = iter.into_iter().collect();
        if v.is_empty() {
            ArgList(None)
        } else {
            ArgList(Some(v.into()))
        }
    }
}

/// How a method is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvokeKind {
    Virtual,
    Super,
    Direct,
    Static,
    Interface,
    Polymorphic,
    /// `invoke-custom`: the callee is `Ljava/lang/invoke/CallSite;` with the call site's name.
    Custom,
}

/// One invoke instruction. Its argument values: [`CodeIndex::args`]. A view into the index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallSite<'a> {
    pub caller: MethodId,
    /// Byte offset of the instruction in its dex file.
    pub offset: u32,
    pub callee: MethodRef<'a>,
    pub kind: InvokeKind,
    /// Whether a `move-result*` picks up the result.
    pub result_used: bool,
}

/// One `const-string` / `const-string/jumbo`. A view into the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringUse<'a> {
    pub value: &'a str,
    pub method: MethodId,
    /// Byte offset of the instruction in its dex file.
    pub offset: u32,
}

/// How a field is accessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldAccessKind {
    StaticGet,
    StaticPut,
    InstanceGet,
    InstancePut,
}

/// One `sget*`/`sput*`/`iget*`/`iput*`. The value a put stores: [`CodeIndex::stored_value`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldAccess<'a> {
    pub method: MethodId,
    /// Byte offset of the instruction in its dex file.
    pub offset: u32,
    pub field: FieldRef<'a>,
    pub kind: FieldAccessKind,
}

/// Facts about one method body, gathered in the same pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodSummary {
    /// Instructions, payloads not counted.
    pub insn_count: u32,
    /// Contains a `throw`.
    pub throws: bool,
    /// Invoke instructions.
    pub invokes: u32,
    /// The body is nothing but `return*` (and `nop`): e.g. a `checkServerTrusted` that accepts all.
    pub only_returns: bool,
}

/// A method defined in one of the dex files. Derefs to its [`MethodRef`] (`class`, `name`,
/// `descriptor`). A view into the index.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodInfo<'a> {
    /// Class descriptor, name and method descriptor (e.g. `([B)V`).
    pub method: MethodRef<'a>,
    pub access_flags: u32,
    pub has_code: bool,
    /// Index into [`CodeIndex::dex_files`].
    pub dex: u16,
    /// File offset of the code item (0 without code).
    pub code_off: u32,
    pub summary: MethodSummary,
}

impl<'a> MethodInfo<'a> {
    pub fn is_static(&self) -> bool {
        self.access_flags & mastiff_formats::dex::access::STATIC != 0
    }

    /// The method as a [`MethodRef`] (class, name, descriptor).
    pub fn as_ref(&self) -> MethodRef<'a> {
        self.method
    }
}

impl<'a> std::ops::Deref for MethodInfo<'a> {
    type Target = MethodRef<'a>;
    fn deref(&self) -> &MethodRef<'a> {
        &self.method
    }
}

/// A static field's initial value (from the class's static values, or a constant `sput` in
/// `<clinit>` for `static final` fields without one). A view into the index.
#[derive(Debug, Clone, PartialEq)]
pub struct StaticFieldValue<'a> {
    pub name: &'a str,
    pub ty: &'a str,
    pub access_flags: u32,
    pub value: &'a ArgValue,
}

/// A class defined in one of the dex files. A view into the index; its interfaces and static
/// values: [`CodeIndex::interfaces`], [`CodeIndex::static_values`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClassInfo<'a> {
    /// Descriptor, e.g. `Lcom/x/Y;`.
    pub descriptor: &'a str,
    pub superclass: Option<&'a str>,
    pub access_flags: u32,
    pub source_file: Option<&'a str>,
    /// Index into [`CodeIndex::dex_files`].
    pub dex: u16,
    pub is_app_code: bool,
    /// The known library it belongs to, if any.
    pub library: Option<&'static str>,
    pub(crate) id: u32,
    pub(crate) methods: Range<u32>,
}

impl ClassInfo<'_> {
    pub fn methods(&self) -> impl Iterator<Item = MethodId> {
        self.methods.clone().map(MethodId)
    }

    pub fn is_interface(&self) -> bool {
        self.access_flags & mastiff_formats::dex::access::INTERFACE != 0
    }

    /// Java name, e.g. `com.x.Y`.
    pub fn java_name(&self) -> String {
        java_type_name(self.descriptor)
    }
}

// ---- stored records (ids into the dex files; names are read from the files on demand) ----

/// A defined method.
#[derive(Debug, Clone)]
pub(crate) struct MethodRec {
    /// `method_id` in its dex file.
    pub(crate) idx: u32,
    /// The defining class (its first definition when it is defined again in a later file).
    /// A hostile `class_data` may name another class's method id: the method still belongs to
    /// the class being defined. Local to the part while building.
    pub(crate) class: u32,
    pub(crate) access_flags: u32,
    pub(crate) code_off: u32,
    /// Its call records, `calls.0..calls.1`.
    pub(crate) calls: (u32, u32),
    pub(crate) insn_count: u32,
    pub(crate) invokes: u32,
    pub(crate) dex: u16,
    /// `HAS_CODE`, `THROWS`, `ONLY_RETURNS`.
    pub(crate) flags: u8,
}

pub(crate) const HAS_CODE: u8 = 1;
pub(crate) const THROWS: u8 = 2;
pub(crate) const ONLY_RETURNS: u8 = 4;

/// An invoke: 12 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallRec {
    pub(crate) caller: u32,
    pub(crate) offset: u32,
    /// `method_id` (invoke-custom: `call_site_id`) in the caller's dex file (16 bits in every
    /// invoke format).
    pub(crate) callee: u16,
    pub(crate) kind: InvokeKind,
    pub(crate) result_used: bool,
}

/// A field access: 12 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldRec {
    pub(crate) method: u32,
    pub(crate) offset: u32,
    /// `field_id` in the method's dex file (16 bits in every field instruction).
    pub(crate) field: u16,
    pub(crate) kind: FieldAccessKind,
}

/// A `const-string`: 12 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StringRec {
    pub(crate) method: u32,
    pub(crate) offset: u32,
    pub(crate) string: u32,
}

/// A static field with a constant initial value.
#[derive(Debug, Clone)]
pub(crate) struct StaticRec {
    pub(crate) field: u32,
    pub(crate) access_flags: u32,
    pub(crate) value: ArgValue,
}

/// A defined class.
#[derive(Debug, Clone)]
pub(crate) struct ClassRec {
    pub(crate) type_idx: u32,
    /// Type id of the superclass (`NO_INDEX` for none).
    pub(crate) super_idx: u32,
    pub(crate) interfaces_off: u32,
    /// String id of the source file (`NO_INDEX` for none).
    pub(crate) source_file: u32,
    pub(crate) access_flags: u32,
    pub(crate) dex: u16,
    pub(crate) is_app_code: bool,
    pub(crate) library: Option<&'static str>,
    pub(crate) statics: Box<[StaticRec]>,
    pub(crate) methods: Range<u32>,
}

/// How far a dex file was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DexStatus {
    /// Every class and method was read.
    Complete,
    /// Read, but some classes or code items were malformed or a limit was hit (see problems).
    Partial,
    /// Could not be parsed at all.
    Unreadable(String),
}

/// One dex file of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DexFileInfo {
    /// Zip entry name, e.g. `classes2.dex`.
    pub name: String,
    /// Format version (35..=41), when the header could be read.
    pub version: Option<u16>,
    pub size: usize,
    /// class_defs in the file.
    pub classes: u32,
    /// Methods defined (with or without code).
    pub methods: u32,
    pub methods_with_code: u32,
    /// Instructions decoded (payloads not counted).
    pub instructions: u64,
    pub invokes: u64,
    pub const_strings: u64,
    pub status: DexStatus,
}

/// What kind of problem the index met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// The file is not a readable dex.
    UnreadableDex,
    /// An id table entry or string is unreadable (references to it resolve to "").
    MalformedTable,
    /// A class definition or its class data is malformed (the class is skipped or partial).
    MalformedClass,
    /// A code item is out of bounds or an instruction runs past its end.
    TruncatedCode,
    /// A class defined more than once (the first definition wins, as on Android).
    DuplicateClass,
    /// A class is its own (transitive) superclass.
    CyclicHierarchy,
    /// A bound in [`Limits`] was reached; indexing of that file stopped early.
    LimitReached,
}

/// A problem met while indexing; the index is still usable, minus what the problem names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeProblem {
    /// Dex file name.
    pub file: String,
    pub kind: ProblemKind,
    pub message: String,
}

/// `(class, name)` → items, with a by-name view, stored as flat sorted arrays (a hash map per
/// class cost several megabytes on a large app; a binary search per rule query costs nothing).
///
/// The keys themselves are not stored: a key's class and name are those of its first item,
/// read through the `names` function each query passes (item index → `(class, name)`).
#[derive(Debug, Default)]
pub(crate) struct RefIndex {
    /// Key ids sorted by name, then by first occurrence. Key ids follow `(class, name)` order.
    pub(crate) by_name: Vec<u32>,
    /// `starts[k]..starts[k+1]` are the items of key `k`.
    pub(crate) starts: Vec<u32>,
    pub(crate) items: Vec<u32>,
}

impl RefIndex {
    fn key_count(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    fn key_items(&self, key: u32) -> &[u32] {
        let k = key as usize;
        match (self.starts.get(k), self.starts.get(k + 1)) {
            (Some(&a), Some(&b)) => self.items.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The `(class, name)` of key `k`: its first item's.
    fn key<'a>(&self, k: u32, names: &impl Fn(u32) -> (&'a str, &'a str)) -> (&'a str, &'a str) {
        self.key_items(k).first().map_or(("", ""), |&i| names(i))
    }

    fn get<'a>(
        &self,
        class: &str,
        name: &str,
        names: impl Fn(u32) -> (&'a str, &'a str),
    ) -> &[u32] {
        let (mut lo, mut hi) = (0usize, self.key_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (c, n) = self.key(mid as u32, &names);
            match c.cmp(class).then_with(|| n.cmp(name)) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.key_items(mid as u32),
            }
        }
        &[]
    }

    /// The items of every key whose `(class, name)` satisfies `pred`, sorted (item order).
    /// Each key's names are read once, however many items it has.
    fn items_where<'a>(
        &self,
        pred: impl Fn(&str, &str) -> bool,
        names: impl Fn(u32) -> (&'a str, &'a str),
    ) -> Vec<u32> {
        let mut out = Vec::new();
        for k in 0..self.key_count() as u32 {
            let (c, n) = self.key(k, &names);
            if pred(c, n) {
                out.extend_from_slice(self.key_items(k));
            }
        }
        out.sort_unstable();
        out
    }

    /// The items of every key whose class starts with `prefix`, in key order.
    fn class_prefix<'a>(
        &self,
        prefix: &str,
        names: impl Fn(u32) -> (&'a str, &'a str),
    ) -> Vec<u32> {
        let keys = self.key_count() as u32;
        let (mut lo, mut hi) = (0u32, keys);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.key(mid, &names).0 < prefix {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut out = Vec::new();
        for k in lo..keys {
            if !self.key(k, &names).0.starts_with(prefix) {
                break;
            }
            out.extend_from_slice(self.key_items(k));
        }
        out
    }

    fn named<'s, 'a: 's>(
        &'s self,
        name: &str,
        names: impl Fn(u32) -> (&'a str, &'a str) + 's,
    ) -> impl Iterator<Item = u32> + 's {
        let name_of = |k: u32| self.key(k, &names).1;
        let start = self.by_name.partition_point(|&k| name_of(k) < name);
        let end = start
            + self
                .by_name
                .get(start..)
                .unwrap_or(&[])
                .partition_point(|&k| name_of(k) == name);
        self.by_name
            .get(start..end)
            .unwrap_or(&[])
            .iter()
            .flat_map(move |&k| self.key_items(k).iter().copied())
    }
}

/// What constant tracking found in one method, computed on first use.
#[derive(Debug, Default)]
pub(crate) struct Tracked {
    /// `(offset, arguments)` of each invoke, by offset.
    args: Vec<(u32, ArgList)>,
    /// `(offset, value stored)` of each field store, by offset.
    puts: Vec<(u32, ArgValue)>,
    returns_const: Option<i64>,
}

static NOT_TRACKED: Tracked = Tracked {
    args: Vec::new(),
    puts: Vec::new(),
    returns_const: None,
};

/// Hash of a descriptor, for the class lookup tables (collisions are resolved by comparing
/// the names read from the files).
pub(crate) fn name_hash(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = fxhash::FxHasher::default();
    h.write(s.as_bytes());
    h.write_u8(0xff);
    h.finish()
}

/// The entries of a sorted `(hash, id)` table with this hash.
fn hash_range(table: &[(u64, u32)], h: u64) -> &[(u64, u32)] {
    let start = table.partition_point(|&(k, _)| k < h);
    let rest = table.get(start..).unwrap_or(&[]);
    let end = rest.partition_point(|&(k, _)| k == h);
    rest.get(..end).unwrap_or(&[])
}

/// The run of `items` (sorted by method) that belongs to `method`.
fn method_run<T>(items: &[T], method: u32, method_of: impl Fn(&T) -> u32) -> &[T] {
    let start = items.partition_point(|x| method_of(x) < method);
    let rest = items.get(start..).unwrap_or(&[]);
    let len = rest.partition_point(|x| method_of(x) == method);
    rest.get(..len).unwrap_or(&[])
}

/// The code index. See the crate documentation.
///
/// It borrows the dex files (`'d`) and stores ids into them, not strings: names are read from
/// the files when a query returns them (as views: [`CallSite`], [`MethodInfo`], ...), and
/// argument values are worked out per method the first time a rule asks ([`CodeIndex::args`]).
#[derive(Debug, Default)]
pub struct CodeIndex<'d> {
    pub(crate) dex_files: Vec<DexFileInfo>,
    /// Per dex file (as in `dex_files`), when it could be parsed.
    pub(crate) sources: Vec<Option<source::DexSource<'d>>>,
    pub(crate) classes: Vec<ClassRec>,
    /// `(name_hash(descriptor), class id)`, sorted.
    pub(crate) class_keys: Vec<(u64, u32)>,
    pub(crate) methods: Vec<MethodRec>,
    /// In caller order (method id, then offset).
    pub(crate) calls: Vec<CallRec>,
    pub(crate) call_index: RefIndex,
    /// In method order.
    pub(crate) string_uses: Vec<StringRec>,
    /// The distinct strings of the files after the first that the first lacks, computed on
    /// first use: `(dex, string id)`.
    pub(crate) extra_strings: std::sync::OnceLock<Vec<(u16, u32)>>,
    /// In method order.
    pub(crate) field_accesses: Vec<FieldRec>,
    pub(crate) field_index: RefIndex,
    /// `(name_hash(superclass), class id)`, sorted.
    pub(crate) children: Vec<(u64, u32)>,
    /// `(name_hash(interface), class id)` for each interface a class lists, sorted.
    pub(crate) direct_implementors: Vec<(u64, u32)>,
    /// `static final` values (initial values and constant `<clinit>` stores).
    pub(crate) statics: Arc<track::StaticMap>,
    pub(crate) limits: Limits,
    /// Methods with a `const-string` or a static field read, as a bit set (on first use).
    pub(crate) literal_methods: std::sync::OnceLock<Vec<u64>>,
    /// Per method: its tracking results, once asked for.
    pub(crate) tracked: lazy::LazyTable<Box<Tracked>>,
}

impl<'d> CodeIndex<'d> {
    /// Builds the index. `dex` = (zip entry name, bytes) of `classes.dex`, `classes2.dex`, ... in
    /// load order; `app_package` = the manifest package (decides app code vs third-party).
    /// Problems are returned next to the index; this never panics on malformed input.
    pub fn build(
        dex: &[(String, &'d [u8])],
        app_package: Option<&str>,
        limits: &Limits,
    ) -> (CodeIndex<'d>, Vec<CodeProblem>) {
        build::build(dex, app_package, limits)
    }

    pub fn dex_files(&self) -> &[DexFileInfo] {
        &self.dex_files
    }

    // ---- views ----

    fn src(&self, dex: u16) -> Option<&source::DexSource<'d>> {
        self.sources.get(usize::from(dex)).and_then(Option::as_ref)
    }

    /// The dex file of a method's records.
    fn src_of(&self, method: u32) -> Option<&source::DexSource<'d>> {
        self.methods
            .get(method as usize)
            .and_then(|m| self.src(m.dex))
    }

    fn class_desc(&self, class: u32) -> &str {
        self.classes
            .get(class as usize)
            .and_then(|c| Some(self.src(c.dex)?.type_desc(c.type_idx)))
            .unwrap_or("")
    }

    fn class_view(&self, id: u32) -> Option<ClassInfo<'_>> {
        let c = self.classes.get(id as usize)?;
        let src = self.src(c.dex);
        let ty = |t: u32| src.map_or("", |s| s.type_desc(t));
        Some(ClassInfo {
            descriptor: ty(c.type_idx),
            superclass: (c.super_idx != mastiff_formats::dex::NO_INDEX).then(|| ty(c.super_idx)),
            access_flags: c.access_flags,
            source_file: (c.source_file != mastiff_formats::dex::NO_INDEX)
                .then(|| src.map_or("", |s| s.string(c.source_file))),
            dex: c.dex,
            is_app_code: c.is_app_code,
            library: c.library,
            id,
            methods: c.methods.clone(),
        })
    }

    fn method_ref_of(&self, m: &MethodRec) -> MethodRef<'_> {
        let class = self.class_desc(m.class);
        match self.src(m.dex) {
            Some(src) => MethodRef {
                class,
                ..src.method_ref(m.idx)
            },
            None => MethodRef {
                class,
                name: "",
                descriptor: "()V",
            },
        }
    }

    fn method_view(&self, m: &MethodRec) -> MethodInfo<'_> {
        MethodInfo {
            method: self.method_ref_of(m),
            access_flags: m.access_flags,
            has_code: m.flags & HAS_CODE != 0,
            dex: m.dex,
            code_off: m.code_off,
            summary: MethodSummary {
                insn_count: m.insn_count,
                throws: m.flags & THROWS != 0,
                invokes: m.invokes,
                only_returns: m.flags & ONLY_RETURNS != 0,
            },
        }
    }

    fn callee_of(&self, r: &CallRec) -> MethodRef<'_> {
        const NONE: MethodRef<'static> = MethodRef {
            class: "",
            name: "",
            descriptor: "()V",
        };
        match self.src_of(r.caller) {
            Some(src) if r.kind == InvokeKind::Custom => src.call_site_ref(u32::from(r.callee)).0,
            Some(src) => src.method_ref(u32::from(r.callee)),
            None => NONE,
        }
    }

    fn call_view(&self, r: &CallRec) -> CallSite<'_> {
        CallSite {
            caller: MethodId(r.caller),
            offset: r.offset,
            callee: self.callee_of(r),
            kind: r.kind,
            result_used: r.result_used,
        }
    }

    fn field_view(&self, r: &FieldRec) -> FieldAccess<'_> {
        FieldAccess {
            method: MethodId(r.method),
            offset: r.offset,
            field: self.src_of(r.method).map_or(
                FieldRef {
                    class: "",
                    name: "",
                    ty: "",
                },
                |s| s.field_ref(u32::from(r.field)),
            ),
            kind: r.kind,
        }
    }

    fn string_view(&self, r: &StringRec) -> StringUse<'_> {
        StringUse {
            value: self.src_of(r.method).map_or("", |s| s.string(r.string)),
            method: MethodId(r.method),
            offset: r.offset,
        }
    }

    // ---- classes and methods ----

    /// Every class, first definition only when a class is defined in several dex files.
    pub fn classes(&self) -> impl Iterator<Item = ClassInfo<'_>> + '_ {
        (0..self.classes.len() as u32).filter_map(|i| self.class_view(i))
    }

    pub fn class_count(&self) -> usize {
        self.classes.len()
    }

    /// The class id of a descriptor.
    pub(crate) fn class_id(&self, descriptor: &str) -> Option<u32> {
        hash_range(&self.class_keys, name_hash(descriptor))
            .iter()
            .map(|&(_, id)| id)
            .find(|&id| self.class_desc(id) == descriptor)
    }

    /// The class with this descriptor (`Lcom/x/Y;`).
    pub fn class(&self, descriptor: &str) -> Option<ClassInfo<'_>> {
        self.class_view(self.class_id(descriptor)?)
    }

    /// The interfaces a class lists directly.
    pub fn interfaces(&self, class: &ClassInfo<'_>) -> Vec<&str> {
        let Some((c, src)) = self
            .classes
            .get(class.id as usize)
            .and_then(|c| Some((c, self.src(c.dex)?)))
        else {
            return Vec::new();
        };
        match src.dex.type_list(c.interfaces_off) {
            Ok(l) => l.iter().map(|t| src.type_desc(u32::from(t))).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The class's static fields with a constant initial value.
    pub fn static_values<'s>(
        &'s self,
        class: &ClassInfo<'_>,
    ) -> impl Iterator<Item = StaticFieldValue<'s>> + 's {
        let c = self.classes.get(class.id as usize);
        let src = c.and_then(|c| self.src(c.dex));
        c.into_iter().flat_map(move |c| {
            c.statics.iter().map(move |f| {
                let r = src.map(|s| s.field_ref(f.field));
                StaticFieldValue {
                    name: r.map_or("", |r| r.name),
                    ty: r.map_or("", |r| r.ty),
                    access_flags: f.access_flags,
                    value: &f.value,
                }
            })
        })
    }

    /// Every method with its id.
    pub fn methods(&self) -> impl Iterator<Item = (MethodId, MethodInfo<'_>)> + '_ {
        self.methods
            .iter()
            .enumerate()
            .map(|(i, m)| (MethodId(i as u32), self.method_view(m)))
    }

    pub fn method_count(&self) -> usize {
        self.methods.len()
    }

    /// The method with this id. Ids come from this index; a foreign id gives `None`.
    pub fn method(&self, id: MethodId) -> Option<MethodInfo<'_>> {
        self.methods.get(id.0 as usize).map(|m| self.method_view(m))
    }

    /// The method's class, name and descriptor.
    pub fn method_ref(&self, id: MethodId) -> Option<MethodRef<'_>> {
        self.methods
            .get(id.0 as usize)
            .map(|m| self.method_ref_of(m))
    }

    /// The method's name alone (cheaper than [`CodeIndex::method`], which also puts its
    /// descriptor together).
    pub fn method_name(&self, id: MethodId) -> Option<&str> {
        let m = self.methods.get(id.0 as usize)?;
        Some(self.src(m.dex).map_or("", |s| s.method_names(m.idx).1))
    }

    // ---- calls ----

    /// Every call site, in caller order.
    pub fn calls(&self) -> impl ExactSizeIterator<Item = CallSite<'_>> + Clone + '_ {
        self.calls.iter().map(|r| self.call_view(r))
    }

    /// The argument values of a call site: one per argument (not per register: a `long` is one
    /// argument), `this` first for non-static invokes. The calling method is tracked the first
    /// time one of its calls is asked about; empty when it cannot be.
    pub fn args<'c>(&self, call: impl Borrow<CallSite<'c>>) -> &[ArgValue] {
        let call = call.borrow();
        let t = self.tracked(call.caller);
        match t.args.binary_search_by_key(&call.offset, |(o, _)| *o) {
            Ok(i) => t.args.get(i).map_or(&[], |(_, a)| &**a),
            Err(_) => &[],
        }
    }

    /// Argument `i` of a call site (0 is `this` for non-static invokes).
    pub fn arg<'c>(&self, call: impl Borrow<CallSite<'c>>, i: usize) -> Option<&ArgValue> {
        self.args(call).get(i)
    }

    /// The value a field store (`iput*`/`sput*`) writes; [`ArgValue::Unknown`] for reads.
    pub fn stored_value<'c>(&self, access: impl Borrow<FieldAccess<'c>>) -> &ArgValue {
        let access = access.borrow();
        const UNKNOWN: &ArgValue = &ArgValue::Unknown;
        if !matches!(
            access.kind,
            FieldAccessKind::InstancePut | FieldAccessKind::StaticPut
        ) {
            return UNKNOWN;
        }
        let t = self.tracked(access.method);
        match t.puts.binary_search_by_key(&access.offset, |(o, _)| *o) {
            Ok(i) => t.puts.get(i).map_or(UNKNOWN, |(_, v)| v),
            Err(_) => UNKNOWN,
        }
    }

    /// The constant every `return`/`return-wide` of the method returns (`const/4 v0, 1;
    /// return v0` gives `Some(1)`). `None` when a return is `return-void`/`return-object` or its
    /// value is not a constant, or the method has no return.
    pub fn returns_const(&self, method: MethodId) -> Option<i64> {
        self.tracked(method).returns_const
    }

    /// Whether the method can hand a string constant ([`ArgValue::Str`]) to a call: it has a
    /// `const-string` or reads a static field (a `static final` value). Tracking a method that
    /// cannot is wasted work for a rule looking for literals. (A `StringBuilder` fed only
    /// numbers also makes a constant string; compilers fold those into a `const-string`.)
    pub fn may_pass_strings(&self, method: MethodId) -> bool {
        let bits = self.literal_methods.get_or_init(|| {
            let mut bits = vec![0u64; self.methods.len().div_ceil(64)];
            let mut set = |m: u32| {
                if let Some(w) = bits.get_mut(m as usize / 64) {
                    *w |= 1 << (m % 64);
                }
            };
            self.string_uses.iter().for_each(|u| set(u.method));
            self.field_accesses
                .iter()
                .filter(|f| f.kind == FieldAccessKind::StaticGet)
                .for_each(|f| set(f.method));
            bits
        });
        bits.get(method.0 as usize / 64)
            .is_some_and(|w| w & (1 << (method.0 % 64)) != 0)
    }

    /// How many methods constant tracking has looked at so far (rules ask on demand).
    pub fn tracked_methods(&self) -> usize {
        self.tracked.initialized()
    }

    /// The tracking results of a method, computed on first use.
    fn tracked(&self, id: MethodId) -> &Tracked {
        self.tracked
            .get_or_init(id.0 as usize, || Box::new(self.track(id)))
            .map_or(&NOT_TRACKED, |t| t)
    }

    fn track(&self, id: MethodId) -> Tracked {
        let Some(m) = self
            .methods
            .get(id.0 as usize)
            .filter(|m| m.flags & HAS_CODE != 0)
        else {
            return Tracked::default();
        };
        let Some(src) = self.src(m.dex) else {
            return Tracked::default();
        };
        let Ok(code) = src.dex.code_item(m.code_off) else {
            return Tracked::default();
        };
        let descriptor = src.proto_desc(src.method_proto(m.idx));
        let is_static = m.access_flags & mastiff_formats::dex::access::STATIC != 0;
        let mut sc = track::Scanner::new(src, &self.limits, self.statics.clone());
        let returns_const = sc.scan_method(&code, descriptor, is_static);
        Tracked {
            args: std::mem::take(&mut sc.tracked_args),
            puts: sc
                .tracked_puts
                .drain(..)
                .map(|p| (p.offset, p.value))
                .collect(),
            returns_const,
        }
    }

    fn call_recs(&self, method: MethodId) -> &[CallRec] {
        self.methods
            .get(method.0 as usize)
            .and_then(|m| self.calls.get(m.calls.0 as usize..m.calls.1 as usize))
            .unwrap_or(&[])
    }

    /// Call sites in one method, in instruction order.
    pub fn calls_in(&self, method: MethodId) -> Vec<CallSite<'_>> {
        self.call_recs(method)
            .iter()
            .map(|r| self.call_view(r))
            .collect()
    }

    /// The callee class and name of call `i` (for the call index).
    fn call_names(&self, i: u32) -> (&str, &str) {
        let Some(r) = self.calls.get(i as usize) else {
            return ("", "");
        };
        match self.src_of(r.caller) {
            Some(src) if r.kind == InvokeKind::Custom => {
                let (m, _) = src.call_site_ref(u32::from(r.callee));
                (m.class, m.name)
            }
            Some(src) => src.method_names(u32::from(r.callee)),
            None => ("", ""),
        }
    }

    /// The field class and name of access `i` (for the field index).
    fn field_names(&self, i: u32) -> (&str, &str) {
        self.field_accesses
            .get(i as usize)
            .and_then(|f| Some(self.src_of(f.method)?.field_names(u32::from(f.field))))
            .unwrap_or(("", ""))
    }

    fn calls_at<'s>(
        &'s self,
        ids: impl Iterator<Item = u32> + 's,
    ) -> impl Iterator<Item = CallSite<'s>> + 's {
        ids.filter_map(move |i| self.calls.get(i as usize))
            .map(move |r| self.call_view(r))
    }

    /// Calls to `class` (descriptor, exactly as referenced) `.name`, all overloads.
    pub fn calls_to<'s>(
        &'s self,
        class: &str,
        name: &str,
    ) -> impl Iterator<Item = CallSite<'s>> + 's {
        let ids = self.call_index.get(class, name, |i| self.call_names(i));
        self.calls_at(ids.iter().copied())
    }

    /// Calls to every method whose class and name satisfy `pred`, in caller order. Each
    /// distinct callee is read from its file once.
    pub fn calls_where<'s>(
        &'s self,
        pred: impl Fn(&str, &str) -> bool,
    ) -> impl Iterator<Item = CallSite<'s>> + 's {
        let ids = self.call_index.items_where(pred, |i| self.call_names(i));
        self.calls_at(ids.into_iter())
    }

    /// Calls to any method of a class whose descriptor starts with `prefix` (`Lnet/sqlcipher/`).
    pub fn calls_to_class_prefix<'s>(
        &'s self,
        prefix: &str,
    ) -> impl Iterator<Item = CallSite<'s>> + 's {
        let ids = self.call_index.class_prefix(prefix, |i| self.call_names(i));
        self.calls_at(ids.into_iter())
    }

    /// Calls to this method as it is referenced (its class, name and descriptor); calls through
    /// a subclass reference are not included.
    pub fn callers_of(&self, method: MethodId) -> impl Iterator<Item = CallSite<'_>> + '_ {
        let m = self.method_ref(method);
        m.into_iter().flat_map(move |m| {
            self.calls_to(m.class, m.name)
                .filter(move |c| c.callee.descriptor == m.descriptor)
        })
    }

    /// Calls to a method of this name on any class (virtual dispatch through subclasses).
    pub fn calls_to_method_named<'s>(
        &'s self,
        name: &str,
    ) -> impl Iterator<Item = CallSite<'s>> + 's {
        let ids: Vec<u32> = self
            .call_index
            .named(name, |i| self.call_names(i))
            .collect();
        self.calls_at(ids.into_iter())
    }

    // ---- strings ----

    /// Every `const-string`/`const-string/jumbo`, in method order.
    pub fn string_uses(&self) -> impl ExactSizeIterator<Item = StringUse<'_>> + Clone + '_ {
        self.string_uses.iter().map(|r| self.string_view(r))
    }

    /// The `const-string`s of one method, in instruction order.
    pub fn string_uses_in(
        &self,
        method: MethodId,
    ) -> impl DoubleEndedIterator<Item = StringUse<'_>> + '_ {
        method_run(&self.string_uses, method.0, |u| u.method)
            .iter()
            .map(|r| self.string_view(r))
    }

    /// Every distinct string of every dex string table (used or not), in first-seen order.
    ///
    /// The files after the first are compared against it on first call (a few milliseconds on
    /// a large app, and only the secret and URL scans need it).
    pub fn strings(&self) -> impl Iterator<Item = &str> + '_ {
        let first = self.sources.iter().position(Option::is_some);
        let first_src = first
            .and_then(|f| self.sources.get(f))
            .and_then(Option::as_ref);
        let extra = self.extra_strings.get_or_init(|| self.extra_strings(first));
        let own = first_src
            .into_iter()
            .flat_map(|s| (0..s.string_count()).map(move |i| s.string(i)));
        own.chain(
            extra
                .iter()
                .map(|&(d, i)| self.src(d).map_or("", |s| s.string(i))),
        )
    }

    /// The strings of the other files that the first file (`first`) does not have, each once,
    /// in first-seen order.
    fn extra_strings(&self, first: Option<usize>) -> Vec<(u16, u32)> {
        let Some(first) = first else {
            return Vec::new();
        };
        let Some(Some(f)) = self.sources.get(first) else {
            return Vec::new();
        };
        // A valid dex string table is sorted (by UTF-16 code units; checked here by code
        // points, so the rare file where the two orders differ takes the slow path). Each later
        // file is then merged against the first: a galloping search from where the previous
        // string was found costs a few comparisons per string, not a full binary search.
        let sorted = |s: &source::DexSource<'_>| {
            let mut prev: Option<&str> = None;
            (0..s.string_count()).all(|i| {
                let cur = s.string(i);
                let ok = prev.is_none_or(|p| p < cur);
                prev = Some(cur);
                ok
            })
        };
        let n = f.string_count();
        let first_sorted = sorted(f);
        let first_set: Option<fxhash::FxHashSet<&str>> =
            (!first_sorted).then(|| (0..n).map(|i| f.string(i)).collect());
        // Whether `s` is in the first file, searching from `*from` on (sorted case).
        let find_from = |s: &str, from: &mut u32| -> bool {
            let mut lo = *from;
            let mut step = 1u32;
            let mut hi = lo;
            // Gallop to a bound past `s`.
            loop {
                if hi >= n {
                    hi = n;
                    break;
                }
                if f.string(hi) >= s {
                    break;
                }
                lo = hi + 1;
                hi = hi.saturating_add(step);
                step = step.saturating_mul(2);
            }
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if f.string(mid) < s {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            *from = lo;
            lo < n && f.string(lo) == s
        };
        let in_first_unsorted = |s: &str| -> bool {
            match &first_set {
                Some(set) => set.contains(s),
                None => {
                    let (mut lo, mut hi) = (0u32, n);
                    while lo < hi {
                        let mid = lo + (hi - lo) / 2;
                        match f.string(mid).cmp(s) {
                            std::cmp::Ordering::Less => lo = mid + 1,
                            std::cmp::Ordering::Greater => hi = mid,
                            std::cmp::Ordering::Equal => return true,
                        }
                    }
                    false
                }
            }
        };
        let mut seen: fxhash::FxHashSet<&str> = fxhash::FxHashSet::default();
        let mut out = Vec::new();
        for (d, src) in self
            .sources
            .iter()
            .enumerate()
            .skip(first + 1)
            .filter_map(|(d, s)| Some((d as u16, s.as_ref()?)))
        {
            let merge = first_sorted && sorted(src);
            let mut from = 0u32;
            for i in 0..src.string_count() {
                let s = src.string(i);
                let known = if merge {
                    find_from(s, &mut from)
                } else {
                    in_first_unsorted(s)
                };
                if !known && seen.insert(s) {
                    out.push((d, i));
                }
            }
        }
        out.shrink_to_fit();
        out
    }

    // ---- fields ----

    /// Every field access, in method order.
    pub fn all_field_accesses(
        &self,
    ) -> impl ExactSizeIterator<Item = FieldAccess<'_>> + Clone + '_ {
        self.field_accesses.iter().map(|r| self.field_view(r))
    }

    /// The field accesses of one method, in instruction order.
    pub fn field_accesses_in(
        &self,
        method: MethodId,
    ) -> impl DoubleEndedIterator<Item = FieldAccess<'_>> + '_ {
        method_run(&self.field_accesses, method.0, |a| a.method)
            .iter()
            .map(|r| self.field_view(r))
    }

    /// Accesses to `class.name` (descriptor as referenced).
    pub fn field_accesses<'s>(
        &'s self,
        class: &str,
        name: &str,
    ) -> impl Iterator<Item = FieldAccess<'s>> + 's {
        self.field_index
            .get(class, name, |i| self.field_names(i))
            .iter()
            .filter_map(move |&i| self.field_accesses.get(i as usize))
            .map(move |r| self.field_view(r))
    }

    /// Accesses to every field whose class and name satisfy `pred` (`|_, name| name.ends_with
    /// ("PASSWORD")`), in method order. Much cheaper than filtering
    /// [`CodeIndex::all_field_accesses`]: each distinct field is read from its file once.
    pub fn field_accesses_where<'s>(
        &'s self,
        pred: impl Fn(&str, &str) -> bool,
    ) -> impl Iterator<Item = FieldAccess<'s>> + 's {
        let ids = self.field_index.items_where(pred, |i| self.field_names(i));
        ids.into_iter()
            .filter_map(move |i| self.field_accesses.get(i as usize))
            .map(move |r| self.field_view(r))
    }

    /// Accesses to a field of this name on any class.
    pub fn field_accesses_named<'s>(
        &'s self,
        name: &str,
    ) -> impl Iterator<Item = FieldAccess<'s>> + 's {
        let ids: Vec<u32> = self
            .field_index
            .named(name, |i| self.field_names(i))
            .collect();
        ids.into_iter()
            .filter_map(move |i| self.field_accesses.get(i as usize))
            .map(move |r| self.field_view(r))
    }

    // ---- hierarchy ----

    /// Classes extending `descriptor`, transitively (each once; cycle-safe).
    pub fn subclasses_of(&self, descriptor: &str) -> Vec<ClassInfo<'_>> {
        self.walk_down(descriptor, false)
    }

    /// Non-interface classes implementing `iface`: directly, through a sub-interface, or by
    /// extending an implementor. Each once; cycle-safe.
    pub fn implementors_of(&self, iface: &str) -> Vec<ClassInfo<'_>> {
        self.walk_down(iface, true)
            .into_iter()
            .filter(|c| !c.is_interface())
            .collect()
    }

    fn walk_down(&self, root: &str, through_interfaces: bool) -> Vec<ClassInfo<'_>> {
        let mut seen = vec![false; self.classes.len()];
        let mut out = Vec::new();
        let mut work: Vec<u32> = Vec::new();
        let push_children = |t: &str, work: &mut Vec<u32>| {
            let h = name_hash(t);
            work.extend(
                hash_range(&self.children, h)
                    .iter()
                    .map(|&(_, c)| c)
                    .filter(|&c| self.class_view(c).and_then(|c| c.superclass) == Some(t)),
            );
            if through_interfaces {
                work.extend(
                    hash_range(&self.direct_implementors, h)
                        .iter()
                        .map(|&(_, c)| c)
                        .filter(|&c| {
                            self.class_view(c)
                                .is_some_and(|ci| self.interfaces(&ci).contains(&t))
                        }),
                );
            }
        };
        push_children(root, &mut work);
        while let Some(i) = work.pop() {
            let Some(s) = seen.get_mut(i as usize) else {
                continue;
            };
            if *s {
                continue;
            }
            *s = true;
            if let Some(c) = self.class_view(i) {
                if c.descriptor == root {
                    continue; // a cycle back to the root
                }
                push_children(c.descriptor, &mut work);
                out.push(c);
            }
        }
        out
    }

    /// The superclass chain of a class, nearest first, as far as the app defines it (stops at a
    /// class the app does not define, and on a cycle).
    pub fn superclasses(&self, descriptor: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut cur = self.class(descriptor).and_then(|c| c.superclass);
        while let Some(s) = cur {
            if s == descriptor || out.contains(&s) || out.len() > self.classes.len() {
                break;
            }
            cur = self.class(s).and_then(|c| c.superclass);
            out.push(s);
        }
        out
    }

    /// The method `name` with `descriptor` that `class` itself implements (declared with code or
    /// native, not abstract), if any.
    pub fn overrides(&self, class: &str, name: &str, descriptor: &str) -> Option<MethodId> {
        let c = self.class(class)?;
        c.methods().find(|&id| {
            self.method(id).is_some_and(|m| {
                m.name == name
                    && m.descriptor == descriptor
                    && m.access_flags & mastiff_formats::dex::access::ABSTRACT == 0
            })
        })
    }

    /// Methods named `name` declared by `class` (all overloads).
    pub fn methods_named<'a>(
        &'a self,
        class: &str,
        name: &'a str,
    ) -> impl Iterator<Item = MethodId> + 'a {
        self.class(class)
            .into_iter()
            .flat_map(|c| c.methods())
            .filter(move |&id| self.method_name(id) == Some(name))
    }

    /// The report location of byte `offset` (a [`CallSite::offset`], ...) in `method`:
    /// dotted class name, `name(ParamTypes)` and the dex file name.
    pub fn location(&self, method: MethodId, offset: u32) -> mastiff_core::Location {
        let (file, class, name) = match self.method(method) {
            Some(m) => {
                let file = self
                    .dex_files
                    .get(usize::from(m.dex))
                    .map_or_else(String::new, |d| d.name.clone());
                (
                    file,
                    java_type_name(m.class),
                    method_signature(m.name, m.descriptor),
                )
            }
            None => (String::new(), String::new(), String::new()),
        };
        mastiff_core::Location::Dex {
            file,
            class,
            method: name,
            offset: u64::from(offset),
        }
    }

    /// Whether the method belongs to an app-code class.
    pub fn is_app_code(&self, method: MethodId) -> bool {
        self.methods
            .get(method.0 as usize)
            .and_then(|m| self.classes.get(m.class as usize))
            .is_some_and(|c| c.is_app_code)
    }

    /// The known library a class descriptor belongs to.
    pub fn library_of(&self, class: &str) -> Option<&'static str> {
        library_of(class)
    }
}

/// `Lcom/x/Y;` → `com.x.Y`, `[B` → `byte[]`, `I` → `int`.
pub fn java_type_name(descriptor: &str) -> String {
    let dims = descriptor.bytes().take_while(|&b| b == b'[').count();
    let base = descriptor.get(dims..).unwrap_or("");
    let mut s = match base {
        "V" => "void".to_string(),
        "Z" => "boolean".to_string(),
        "B" => "byte".to_string(),
        "S" => "short".to_string(),
        "C" => "char".to_string(),
        "I" => "int".to_string(),
        "J" => "long".to_string(),
        "F" => "float".to_string(),
        "D" => "double".to_string(),
        _ => base
            .strip_prefix('L')
            .map(|b| b.strip_suffix(';').unwrap_or(b))
            .unwrap_or(base)
            .replace('/', "."),
    };
    for _ in 0..dims {
        s.push_str("[]");
    }
    s
}

/// `encrypt` + `([BLjava/lang/String;)V` → `encrypt(byte[], java.lang.String)`.
pub fn method_signature(name: &str, descriptor: &str) -> String {
    let params: Vec<String> = param_types(descriptor).map(java_type_name).collect();
    format!("{name}({})", params.join(", "))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_never_split_characters() {
        let r = MethodRef {
            class: "LA;",
            name: "m",
            descriptor: "(\u{fffd}7I[\u{e9}Lx;)V",
        };
        assert_eq!(r.params().collect::<String>(), "\u{fffd}7I[\u{e9}Lx;");
    }

    #[test]
    fn names() {
        assert_eq!(java_type_name("Lcom/x/Y;"), "com.x.Y");
        assert_eq!(java_type_name("[[B"), "byte[][]");
        assert_eq!(java_type_name("[Ljava/lang/String;"), "java.lang.String[]");
        assert_eq!(
            method_signature("encrypt", "([BLjava/lang/String;J[[I)V"),
            "encrypt(byte[], java.lang.String, long, int[][])"
        );
        assert_eq!(method_signature("run", "()V"), "run()");
        let r = MethodRef {
            class: "LA;",
            name: "m",
            descriptor: "(IJ)Ljava/lang/String;",
        };
        assert_eq!(r.params().collect::<Vec<_>>(), vec!["I", "J"]);
        assert_eq!(r.return_type(), "Ljava/lang/String;");
    }
}

//! The code index of an Android app, built in one pass over every method of every dex file.
//!
//! [`CodeIndex::build`] parses `classes.dex`, `classes2.dex`, ... in parallel (one rayon task per
//! file), walks every instruction of every method once, and merges the per-file results into
//! hash indexes. A rule then asks questions instead of walking bytecode:
//!
//! - [`CodeIndex::calls_to`]`("Ljavax/crypto/Cipher;", "getInstance")`: every call site; and
//!   [`CodeIndex::args`] gives the constant value of each argument where the method makes it
//!   visible ([`ArgValue`]): `Cipher.getInstance("AES/ECB/PKCS5Padding")` gives
//!   `code.args(call)[0] == ArgValue::Str("AES/ECB/…")`.
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
//! Hostile input: everything is bounded ([`Limits`]); a dex that cannot be parsed, a class whose
//! data is malformed or a truncated code item becomes a [`CodeProblem`] and the rest is indexed.

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::ops::Range;
use std::sync::Arc;

mod build;
mod fxhash;
mod libraries;
mod track;

pub use libraries::{library_of, KNOWN_LIBRARIES};

use fxhash::FxHashMap;

/// Shared, immutable string (descriptors, names and constants are interned per dex file).
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

/// A method as referenced by an instruction (`method_id_item`), resolved to strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MethodRef {
    /// Class descriptor, e.g. `Ljavax/crypto/Cipher;`.
    pub class: Str,
    pub name: Str,
    /// Method descriptor, e.g. `(Ljava/lang/String;)Ljavax/crypto/Cipher;`.
    pub descriptor: Str,
}

impl MethodRef {
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

/// A field as referenced by an instruction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRef {
    pub class: Str,
    pub name: Str,
    /// Type descriptor of the field.
    pub ty: Str,
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
        field: Arc<FieldRef>,
        value: Option<Arc<ArgValue>>,
    },
    /// `const-class`: a class literal (descriptor).
    ClassConst(Str),
    /// The result of a call (e.g. the builder returned by `setKeySize`).
    ReturnOf(Arc<MethodRef>),
    /// At a branch join: the result of this call on some paths, a constant on the others
    /// (`name = "demo.txt"; if (ok) name = intent.getStringExtra("f");`). For rules that
    /// follow where a value may come from; everything else reads it as unknown.
    MaybeReturnOf(Arc<MethodRef>),
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

/// One invoke instruction. Its argument values: [`CodeIndex::args`].
#[derive(Debug, Clone, PartialEq)]
pub struct CallSite {
    pub caller: MethodId,
    /// Byte offset of the instruction in its dex file.
    pub offset: u32,
    pub callee: Arc<MethodRef>,
    pub kind: InvokeKind,
    /// Whether a `move-result*` picks up the result.
    pub result_used: bool,
    /// The callee's method id in its dex file (`u32::MAX` for invoke-custom).
    pub(crate) ref_id: u32,
}

/// One `const-string` / `const-string/jumbo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringUse {
    pub value: Str,
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
#[derive(Debug, Clone, PartialEq)]
pub struct FieldAccess {
    pub method: MethodId,
    /// Byte offset of the instruction in its dex file.
    pub offset: u32,
    pub field: Arc<FieldRef>,
    pub kind: FieldAccessKind,
    /// The field id in its dex file.
    pub(crate) ref_id: u32,
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
/// `descriptor`), which it shares with the call sites that name it.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodInfo {
    /// Class descriptor, name and method descriptor (e.g. `([B)V`).
    pub method: Arc<MethodRef>,
    pub access_flags: u32,
    pub has_code: bool,
    /// Index into [`CodeIndex::dex_files`].
    pub dex: u16,
    /// File offset of the code item (0 without code).
    pub code_off: u32,
    pub summary: MethodSummary,
    pub(crate) calls: Range<u32>,
}

impl MethodInfo {
    pub fn is_static(&self) -> bool {
        self.access_flags & mastiff_formats::dex::access::STATIC != 0
    }

    /// The method as a [`MethodRef`] (class, name, descriptor).
    pub fn as_ref(&self) -> MethodRef {
        (*self.method).clone()
    }
}

impl std::ops::Deref for MethodInfo {
    type Target = MethodRef;
    fn deref(&self) -> &MethodRef {
        &self.method
    }
}

/// A static field's initial value (from the class's static values, or a constant `sput` in
/// `<clinit>` for `static final` fields without one).
#[derive(Debug, Clone, PartialEq)]
pub struct StaticFieldValue {
    pub name: Str,
    pub ty: Str,
    pub access_flags: u32,
    pub value: ArgValue,
}

/// A class defined in one of the dex files.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassInfo {
    /// Descriptor, e.g. `Lcom/x/Y;`.
    pub descriptor: Str,
    pub superclass: Option<Str>,
    pub interfaces: Vec<Str>,
    pub access_flags: u32,
    pub source_file: Option<Str>,
    /// Index into [`CodeIndex::dex_files`].
    pub dex: u16,
    pub is_app_code: bool,
    /// The known library it belongs to, if any.
    pub library: Option<&'static str>,
    /// Static fields with a constant initial value.
    pub static_values: Vec<StaticFieldValue>,
    pub(crate) methods: Range<u32>,
}

impl ClassInfo {
    pub fn methods(&self) -> impl Iterator<Item = MethodId> {
        self.methods.clone().map(MethodId)
    }

    pub fn is_interface(&self) -> bool {
        self.access_flags & mastiff_formats::dex::access::INTERFACE != 0
    }

    /// Java name, e.g. `com.x.Y`.
    pub fn java_name(&self) -> String {
        java_type_name(&self.descriptor)
    }
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

/// A dex file kept for tracking methods on demand.
#[derive(Clone)]
pub(crate) struct DexSource<'d> {
    pub(crate) dex: mastiff_formats::dex::Dex<'d>,
    pub(crate) strings: Arc<[Str]>,
}

impl std::fmt::Debug for DexSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DexSource")
            .field("size", &self.dex.data().len())
            .finish()
    }
}

/// The code index. See the crate documentation.
///
/// It borrows the dex files (`'d`): argument values are worked out per method the first time a
/// rule asks ([`CodeIndex::args`]), so building the index walks each method once without
/// tracking registers, and only the few methods a rule looks into are tracked.
#[derive(Debug, Default)]
pub struct CodeIndex<'d> {
    pub(crate) dex_files: Vec<DexFileInfo>,
    pub(crate) classes: Vec<ClassInfo>,
    pub(crate) class_by_name: FxHashMap<Str, u32>,
    pub(crate) methods: Vec<MethodInfo>,
    /// In caller order (method id, then offset).
    pub(crate) calls: Vec<CallSite>,
    pub(crate) call_index: RefIndex,
    pub(crate) string_uses: Vec<StringUse>,
    /// Each dex file's string table, in file order (unique within a file).
    pub(crate) dex_strings: Vec<Arc<[Str]>>,
    /// The distinct strings across files, computed on first use.
    pub(crate) strings: std::sync::OnceLock<Vec<Str>>,
    pub(crate) field_accesses: Vec<FieldAccess>,
    pub(crate) field_index: RefIndex,
    /// Superclass descriptor → direct subclasses (class indices).
    pub(crate) children: FxHashMap<Str, Vec<u32>>,
    /// Interface descriptor → classes listing it directly (class indices).
    pub(crate) direct_implementors: FxHashMap<Str, Vec<u32>>,
    /// Per dex file (as in `dex_files`), when it could be parsed.
    pub(crate) sources: Vec<Option<DexSource<'d>>>,
    /// `static final` values (initial values and constant `<clinit>` stores).
    pub(crate) statics: Arc<track::StaticMap>,
    pub(crate) limits: Limits,
    /// Methods with a `const-string` or a static field read, as a bit set (on first use).
    pub(crate) literal_methods: std::sync::OnceLock<Vec<u64>>,
    /// Per method: its tracking results, once asked for.
    pub(crate) tracked: Vec<std::sync::OnceLock<Box<Tracked>>>,
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

    /// Every class, first definition only when a class is defined in several dex files.
    pub fn classes(&self) -> impl Iterator<Item = &ClassInfo> {
        self.classes.iter()
    }

    /// The class with this descriptor (`Lcom/x/Y;`).
    pub fn class(&self, descriptor: &str) -> Option<&ClassInfo> {
        self.class_by_name
            .get(descriptor)
            .and_then(|&i| self.classes.get(i as usize))
    }

    /// Every method with its id.
    pub fn methods(&self) -> impl Iterator<Item = (MethodId, &MethodInfo)> {
        self.methods
            .iter()
            .enumerate()
            .map(|(i, m)| (MethodId(i as u32), m))
    }

    pub fn method_count(&self) -> usize {
        self.methods.len()
    }

    /// The method with this id. Ids come from this index; a foreign id gives `None`.
    pub fn method(&self, id: MethodId) -> Option<&MethodInfo> {
        self.methods.get(id.0 as usize)
    }

    /// Every call site, in caller order.
    pub fn calls(&self) -> &[CallSite] {
        &self.calls
    }

    /// The argument values of a call site: one per argument (not per register: a `long` is one
    /// argument), `this` first for non-static invokes. The calling method is tracked the first
    /// time one of its calls is asked about; empty when it cannot be.
    pub fn args(&self, call: &CallSite) -> &[ArgValue] {
        let t = self.tracked(call.caller);
        match t.args.binary_search_by_key(&call.offset, |(o, _)| *o) {
            Ok(i) => t.args.get(i).map_or(&[], |(_, a)| &**a),
            Err(_) => &[],
        }
    }

    /// Argument `i` of a call site (0 is `this` for non-static invokes).
    pub fn arg(&self, call: &CallSite, i: usize) -> Option<&ArgValue> {
        self.args(call).get(i)
    }

    /// The value a field store (`iput*`/`sput*`) writes; [`ArgValue::Unknown`] for reads.
    pub fn stored_value(&self, access: &FieldAccess) -> &ArgValue {
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
            let mut set = |m: MethodId| {
                if let Some(w) = bits.get_mut(m.0 as usize / 64) {
                    *w |= 1 << (m.0 % 64);
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
        self.tracked.iter().filter(|t| t.get().is_some()).count()
    }

    /// The tracking results of a method, computed on first use.
    fn tracked(&self, id: MethodId) -> &Tracked {
        let Some(slot) = self.tracked.get(id.0 as usize) else {
            return &NOT_TRACKED;
        };
        slot.get_or_init(|| Box::new(self.track(id)))
    }

    fn track(&self, id: MethodId) -> Tracked {
        let Some(m) = self.method(id).filter(|m| m.has_code) else {
            return Tracked::default();
        };
        let Some(Some(src)) = self.sources.get(usize::from(m.dex)) else {
            return Tracked::default();
        };
        let Ok(code) = src.dex.code_item(m.code_off) else {
            return Tracked::default();
        };
        let mut sc = track::Scanner::for_tracking(
            src.dex.clone(),
            src.strings.clone(),
            Str::from(""),
            &self.limits,
            self.statics.clone(),
        );
        let returns_const = sc.scan_method(&code, &m.descriptor, m.is_static());
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

    /// Call sites in one method, in instruction order.
    pub fn calls_in(&self, method: MethodId) -> &[CallSite] {
        self.method(method)
            .and_then(|m| self.calls.get(m.calls.start as usize..m.calls.end as usize))
            .unwrap_or(&[])
    }

    /// The callee class and name of call `i` (for the call index).
    fn call_names(&self, i: u32) -> (&str, &str) {
        self.calls
            .get(i as usize)
            .map_or(("", ""), |c| (&*c.callee.class, &*c.callee.name))
    }

    /// The field class and name of access `i` (for the field index).
    fn field_names(&self, i: u32) -> (&str, &str) {
        self.field_accesses
            .get(i as usize)
            .map_or(("", ""), |f| (&*f.field.class, &*f.field.name))
    }

    /// Calls to `class` (descriptor, exactly as referenced) `.name`, all overloads.
    pub fn calls_to<'a>(&'a self, class: &str, name: &str) -> impl Iterator<Item = &'a CallSite> {
        self.call_index
            .get(class, name, |i| self.call_names(i))
            .iter()
            .filter_map(move |&i| self.calls.get(i as usize))
    }

    /// Calls to this method as it is referenced (its class, name and descriptor); calls through
    /// a subclass reference are not included.
    pub fn callers_of(&self, method: MethodId) -> impl Iterator<Item = &CallSite> {
        let m = self.method(method);
        m.into_iter().flat_map(move |m| {
            self.calls_to(&m.class, &m.name)
                .filter(move |c| c.callee.descriptor == m.descriptor)
        })
    }

    /// Calls to a method of this name on any class (virtual dispatch through subclasses).
    pub fn calls_to_method_named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a CallSite> {
        self.call_index
            .named(name, |i| self.call_names(i))
            .filter_map(move |i| self.calls.get(i as usize))
    }

    /// Every `const-string`/`const-string/jumbo`, in method order.
    pub fn string_uses(&self) -> &[StringUse] {
        &self.string_uses
    }

    /// Every distinct string of every dex string table (used or not), in first-seen order.
    ///
    /// Computed on first call (hashing every string costs a few milliseconds on a large app and
    /// only the secret and URL scans need it); [`CodeIndex::dex_strings`] is free.
    pub fn strings(&self) -> &[Str] {
        self.strings.get_or_init(|| {
            let mut files = self.dex_strings.iter();
            // A dex string table has no duplicates: the first is taken whole.
            let mut out: Vec<Str> = files.next().map(|f| f.to_vec()).unwrap_or_default();
            let rest: usize = files.clone().map(|f| f.len()).sum();
            if rest == 0 {
                return out;
            }
            // The later files' strings not in the first file, each once, in first-seen order.
            // A valid dex string table is sorted, so the first file is searched in place
            // rather than copied into a hash set.
            // (sorted by UTF-16 code units; the check below is by code points, so the rare
            // file where the two orders differ takes the hash set).
            let first_sorted = out.windows(2).all(|w| matches!(w, [a, b] if a < b));
            let mut later: Vec<&str> = files.clone().flat_map(|f| f.iter().map(|s| &**s)).collect();
            later.sort_unstable();
            later.dedup();
            if first_sorted {
                later.retain(|s| out.binary_search_by(|x| (**x).cmp(s)).is_err());
            } else {
                let first: fxhash::FxHashSet<&str> = out.iter().map(|s| &**s).collect();
                later.retain(|s| !first.contains(s));
            }
            let mut emitted = vec![false; later.len()];
            let mut extra = Vec::new();
            for s in files.flat_map(|f| f.iter()) {
                if let Ok(i) = later.binary_search(&&**s) {
                    if let Some(e) = emitted.get_mut(i).filter(|e| !**e) {
                        *e = true;
                        extra.push(s.clone());
                    }
                }
            }
            drop(later);
            out.extend(extra);
            out
        })
    }

    /// The string table of each dex file (index as in [`CodeIndex::dex_files`]), in file order;
    /// the same string may appear in several files.
    pub fn dex_strings(&self) -> &[Arc<[Str]>] {
        &self.dex_strings
    }

    /// Every field access, in method order.
    pub fn all_field_accesses(&self) -> &[FieldAccess] {
        &self.field_accesses
    }

    /// Accesses to `class.name` (descriptor as referenced).
    pub fn field_accesses<'a>(
        &'a self,
        class: &str,
        name: &str,
    ) -> impl Iterator<Item = &'a FieldAccess> {
        self.field_index
            .get(class, name, |i| self.field_names(i))
            .iter()
            .filter_map(move |&i| self.field_accesses.get(i as usize))
    }

    /// Accesses to a field of this name on any class.
    pub fn field_accesses_named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a FieldAccess> {
        self.field_index
            .named(name, |i| self.field_names(i))
            .filter_map(move |i| self.field_accesses.get(i as usize))
    }

    /// Classes extending `descriptor`, transitively (each once; cycle-safe).
    pub fn subclasses_of(&self, descriptor: &str) -> Vec<&ClassInfo> {
        self.walk_down(descriptor, false)
    }

    /// Non-interface classes implementing `iface`: directly, through a sub-interface, or by
    /// extending an implementor. Each once; cycle-safe.
    pub fn implementors_of(&self, iface: &str) -> Vec<&ClassInfo> {
        self.walk_down(iface, true)
            .into_iter()
            .filter(|c| !c.is_interface())
            .collect()
    }

    fn walk_down(&self, root: &str, through_interfaces: bool) -> Vec<&ClassInfo> {
        let mut seen = vec![false; self.classes.len()];
        let mut out = Vec::new();
        let mut work: Vec<u32> = Vec::new();
        let push_children = |t: &str, work: &mut Vec<u32>| {
            if let Some(v) = self.children.get(t) {
                work.extend_from_slice(v);
            }
            if through_interfaces {
                if let Some(v) = self.direct_implementors.get(t) {
                    work.extend_from_slice(v);
                }
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
            if let Some(c) = self.classes.get(i as usize) {
                if &*c.descriptor == root {
                    continue; // a cycle back to the root
                }
                out.push(c);
                push_children(&c.descriptor, &mut work);
            }
        }
        out
    }

    /// The superclass chain of a class, nearest first, as far as the app defines it (stops at a
    /// class the app does not define, and on a cycle).
    pub fn superclasses(&self, descriptor: &str) -> Vec<Str> {
        let mut out: Vec<Str> = Vec::new();
        let mut cur = self.class(descriptor).and_then(|c| c.superclass.clone());
        while let Some(s) = cur {
            if &*s == descriptor || out.contains(&s) || out.len() > self.classes.len() {
                break;
            }
            cur = self.class(&s).and_then(|c| c.superclass.clone());
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
                &*m.name == name
                    && &*m.descriptor == descriptor
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
            .filter(move |&id| self.method(id).is_some_and(|m| &*m.name == name))
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
                    java_type_name(&m.class),
                    method_signature(&m.name, &m.descriptor),
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
        self.method(method)
            .and_then(|m| self.class(&m.class))
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
    let r = MethodRef {
        class: Str::from(""),
        name: Str::from(name),
        descriptor: Str::from(descriptor),
    };
    let params: Vec<String> = r.params().map(java_type_name).collect();
    format!("{name}({})", params.join(", "))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_never_split_characters() {
        let r = MethodRef {
            class: "LA;".into(),
            name: "m".into(),
            descriptor: "(\u{fffd}7I[\u{e9}Lx;)V".into(),
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
            class: "LA;".into(),
            name: "m".into(),
            descriptor: "(IJ)Ljava/lang/String;".into(),
        };
        assert_eq!(r.params().collect::<Vec<_>>(), vec!["I", "J"]);
        assert_eq!(r.return_type(), "Ljava/lang/String;");
    }
}

//! The per-method pass: decodes every instruction once, tracks constant register values
//! linearly, and emits call sites, string uses, field accesses and the method summary.

use std::sync::Arc;

use mastiff_formats::dex::insn::{op, payload_at, Payload};
use mastiff_formats::dex::CodeItem;

use crate::fxhash::FxHashMap;
use crate::source::DexSource;
use crate::{
    ArgValue, CallRec, FieldAccessKind, FieldRec, FieldRefBuf, InvokeKind, Limits, MethodRefBuf,
    MethodSummary, Str, StringRec,
};

/// Longest array materialised from `aput-byte` writes (longer ones become unknown).
const MAX_APUT_ARRAY: u32 = 256;

/// A field store seen by constant tracking.
pub(crate) struct TrackedPut {
    pub(crate) offset: u32,
    /// The field id in the method's dex file.
    pub(crate) field_idx: u32,
    pub(crate) field: Arc<FieldRefBuf>,
    pub(crate) kind: FieldAccessKind,
    pub(crate) value: ArgValue,
}

/// A register's tracked content.
#[derive(Debug, Clone, PartialEq)]
enum Reg {
    Val(ArgValue),
    /// A `StringBuilder`/`StringBuffer` holding this constant text.
    Builder(String),
}

const UNKNOWN: Reg = Reg::Val(ArgValue::Unknown);

/// Static final values visible to `sget`: `(class, name)` → value.
pub(crate) type StaticMap = FxHashMap<(Str, Str), Arc<ArgValue>>;

/// Constant tracking of one method at a time, in one dex file.
pub(crate) struct Scanner<'a> {
    pub(crate) src: &'a DexSource<'a>,
    pub(crate) statics: Arc<StaticMap>,
    limits: Limits,
    /// Parameter kinds of the current invoke's proto (see [`Scanner::shape`]).
    shape_kinds: Vec<u8>,
    // register file, valid when the generation matches
    regs: Vec<(u64, Reg)>,
    gen: u64,
    targets: Vec<u64>,
    /// Targets reached only by forward `if-*`/`goto` jumps: the register state there is the
    /// agreement of the states at those jumps (and of the fall-through), not unknown.
    join_targets: Vec<u64>,
    /// Register states recorded at forward jumps, by target pc, until the target is reached.
    joins: Vec<(u32, Vec<(u32, Reg)>)>,
    /// The current method's instructions, decoded once in the first pass.
    insns: Vec<mastiff_formats::dex::Insn>,
    // outputs of constant tracking ([`Scanner::scan_method`]), in instruction order
    /// `(offset, arguments)` of each invoke.
    pub(crate) tracked_args: Vec<(u32, crate::ArgList)>,
    /// Each `iput*`/`sput*` with the value stored.
    pub(crate) tracked_puts: Vec<TrackedPut>,
    scratch: Vec<ArgValue>,
    /// Distinct argument lists of this scanner, by identity hash (see [`crate::identity_hash`]).
    arg_lists: FxHashMap<u64, Arc<[ArgValue]>>,
}

/// What the index pass ([`scan_light`]) records for one dex file.
#[derive(Default)]
pub(crate) struct Records {
    pub(crate) calls: Vec<CallRec>,
    pub(crate) string_uses: Vec<StringRec>,
    pub(crate) field_accesses: Vec<FieldRec>,
    pub(crate) truncated_methods: u32,
    pub(crate) call_limit_hit: bool,
    pub(crate) instructions: u64,
}

/// First byte of a type descriptor: its kind (`L`, `[`, `I`, `J`, ...).
fn kind(ty: &str) -> u8 {
    ty.as_bytes().first().copied().unwrap_or(b'V')
}

fn is_wide(kind: u8) -> bool {
    kind == b'J' || kind == b'D'
}

fn writes_a(opcode: u8) -> bool {
    matches!(opcode, 0x20 | 0x21 | 0x2d..=0x31 | 0x7b..=0xe2 | 0xfe | 0xff)
}

fn wide_dest(opcode: u8) -> bool {
    matches!(
        opcode,
        0x7d | 0x7e
            | 0x80
            | 0x81
            | 0x83
            | 0x86
            | 0x88
            | 0x89
            | 0x8b
            | 0x9b..=0xa5
            | 0xab..=0xaf
            | 0xbb..=0xc5
            | 0xcb..=0xcf
    )
}

fn invoke_kind(opcode: u8) -> Option<InvokeKind> {
    Some(match opcode {
        0x6e | 0x74 => InvokeKind::Virtual,
        0x6f | 0x75 => InvokeKind::Super,
        0x70 | 0x76 => InvokeKind::Direct,
        0x71 | 0x77 => InvokeKind::Static,
        0x72 | 0x78 => InvokeKind::Interface,
        op::INVOKE_POLYMORPHIC | op::INVOKE_POLYMORPHIC_RANGE => InvokeKind::Polymorphic,
        op::INVOKE_CUSTOM | op::INVOKE_CUSTOM_RANGE => InvokeKind::Custom,
        _ => return None,
    })
}

/// Library classes whose semantics the linear pass follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    None,
    /// `StringBuilder`/`StringBuffer`.
    Builder,
    /// `String`.
    String,
}

fn special_of(m: &MethodRefBuf) -> Special {
    match &*m.class {
        "Ljava/lang/StringBuilder;" | "Ljava/lang/StringBuffer;" => Special::Builder,
        "Ljava/lang/String;" => Special::String,
        _ => Special::None,
    }
}

/// Text a constant contributes to `StringBuilder.append` with parameter type `ty`.
fn append_text(v: &ArgValue, ty: u8) -> Option<String> {
    match (v, ty) {
        (ArgValue::Str(s), _) => Some(s.to_string()),
        (ArgValue::Null, _) => Some("null".to_string()),
        (ArgValue::Int(i), b'I' | b'J' | b'S' | b'B') => Some(i.to_string()),
        (ArgValue::Int(i), b'C') => u32::try_from(*i)
            .ok()
            .and_then(char::from_u32)
            .map(String::from),
        (ArgValue::Int(i), b'Z') => Some(if *i != 0 { "true" } else { "false" }.to_string()),
        (ArgValue::StaticField { value: Some(v), .. }, _) => append_text(v, ty),
        _ => None,
    }
}

/// Charsets under which `getBytes` of a string equals its UTF-8 bytes for ASCII, or in general.
fn utf8_compatible(charset: Option<&ArgValue>, s: &str) -> bool {
    match charset {
        None => true,
        Some(v) => match v.as_str() {
            Some(name) => {
                let n = name.to_ascii_lowercase();
                n == "utf-8"
                    || n == "utf8"
                    || (s.is_ascii() && !n.contains("16") && !n.contains("32"))
            }
            // A Charset object (StandardCharsets.UTF_8...): only sure for ASCII text.
            None => {
                s.is_ascii()
                    && !matches!(v, ArgValue::StaticField { field, .. } if field.name.contains("16"))
            }
        },
    }
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(src: &'a DexSource<'a>, limits: &Limits, statics: Arc<StaticMap>) -> Self {
        Scanner {
            src,
            statics,
            limits: limits.clone(),
            shape_kinds: Vec::new(),
            regs: Vec::new(),
            gen: 1,
            targets: Vec::new(),
            join_targets: Vec::new(),
            joins: Vec::new(),
            insns: Vec::new(),
            tracked_args: Vec::new(),
            tracked_puts: Vec::new(),
            scratch: Vec::new(),
            arg_lists: FxHashMap::default(),
        }
    }

    pub(crate) fn string(&self, idx: u32) -> Str {
        Str::from(self.src.string(idx))
    }

    pub(crate) fn type_desc(&self, idx: u32) -> Str {
        Str::from(self.src.type_desc(idx))
    }

    /// The method reference and its proto index (`u32::MAX` when unreadable).
    fn method_ref_proto(&mut self, idx: u32) -> (Arc<MethodRefBuf>, u32, Special) {
        let m = Arc::new(self.src.method_ref(idx).to_owned_ref());
        let sp = special_of(&m);
        (m, self.src.method_proto(idx), sp)
    }

    /// Puts the parameter kinds of a proto in `shape_kinds` (replacing the previous invoke's)
    /// and says whether it returns a value.
    fn shape(&mut self, proto_idx: u32) -> bool {
        let src = self.src;
        let desc = if proto_idx == u32::MAX {
            "()V"
        } else {
            src.proto_desc(proto_idx)
        };
        self.shape_kinds.clear();
        self.shape_kinds
            .extend(crate::param_types(desc).map(kind).take(255));
        !desc.ends_with(")V")
    }

    pub(crate) fn field_ref(&mut self, idx: u32) -> Arc<FieldRefBuf> {
        let f = self.src.field_ref(idx);
        Arc::new(FieldRefBuf {
            class: Str::from(f.class),
            name: Str::from(f.name),
            ty: Str::from(f.ty),
        })
    }

    fn static_value(&mut self, field: &Arc<FieldRefBuf>) -> Option<Arc<ArgValue>> {
        self.statics
            .get(&(field.class.clone(), field.name.clone()))
            .cloned()
    }

    /// The callee of invoke-custom: `Ljava/lang/invoke/CallSite;` + the call site's method name
    /// and type, when the call site item can be read.
    fn call_site_ref(&mut self, idx: u32) -> (Arc<MethodRefBuf>, u32) {
        let (m, proto) = self.src.call_site_ref(idx);
        (Arc::new(m.to_owned_ref()), proto)
    }

    // ---- register file ----

    fn reset(&mut self) {
        self.gen = self.gen.wrapping_add(1);
    }

    /// The registers holding something known, for a join.
    fn defined(&self) -> Vec<(u32, Reg)> {
        self.regs
            .iter()
            .enumerate()
            .filter(|(_, (g, v))| *g == self.gen && *v != UNKNOWN)
            .filter_map(|(r, (_, v))| Some((u32::try_from(r).ok()?, v.clone())))
            .collect()
    }

    /// Enters a join target: keeps the registers on which every incoming state agrees (the
    /// fall-through when `reachable`, and each recorded forward jump to `pc`).
    fn join(&mut self, pc: u32, reachable: bool) {
        let mut incoming: Vec<Vec<(u32, Reg)>> = Vec::new();
        if reachable {
            incoming.push(self.defined());
        }
        let mut i = 0;
        while i < self.joins.len() {
            if self.joins.get(i).is_some_and(|(t, _)| *t == pc) {
                incoming.push(self.joins.swap_remove(i).1);
            } else {
                i += 1;
            }
        }
        self.reset();
        let Some((first, rest)) = incoming.split_first() else {
            return;
        };
        for (r, v) in first {
            let values: Option<Vec<&Reg>> = rest
                .iter()
                .map(|s| s.iter().find(|(r2, _)| r2 == r).map(|(_, v2)| v2))
                .collect();
            // A register some incoming state does not define stays unknown.
            let Some(values) = values else {
                continue;
            };
            if values.iter().all(|v2| *v2 == v) {
                self.set(*r, v.clone());
            } else if let Some(m) = maybe_result(std::iter::once(v).chain(values)) {
                self.set(*r, Reg::Val(ArgValue::MaybeReturnOf(m)));
            }
        }
    }

    fn get(&self, r: u32) -> &Reg {
        match self.regs.get(r as usize) {
            Some((g, v)) if *g == self.gen => v,
            _ => &UNKNOWN,
        }
    }

    fn val(&self, r: u32) -> ArgValue {
        match self.get(r) {
            Reg::Val(v) => v.clone(),
            Reg::Builder(_) => ArgValue::NewInstance(Str::from("Ljava/lang/StringBuilder;")),
        }
    }

    fn int(&self, r: u32) -> Option<i64> {
        match self.get(r) {
            Reg::Val(v) => v.as_int(),
            Reg::Builder(_) => None,
        }
    }

    fn set(&mut self, r: u32, v: Reg) {
        let gen = self.gen;
        if let Some(slot) = self.regs.get_mut(r as usize) {
            *slot = (gen, v);
        }
    }

    fn set_val(&mut self, r: u32, v: ArgValue) {
        self.set(r, Reg::Val(v));
    }

    /// The value of register `r` as argument of type `ty`.
    fn arg(&self, r: Option<u16>, kind: u8) -> ArgValue {
        let Some(r) = r else {
            return ArgValue::Unknown;
        };
        let v = self.val(u32::from(r));
        match (v, kind) {
            (ArgValue::Int(bits), b'F') => ArgValue::Float(f64::from(f32::from_bits(bits as u32))),
            (ArgValue::Int(bits), b'D') => ArgValue::Float(f64::from_bits(bits as u64)),
            (ArgValue::Int(0), b'L' | b'[') => ArgValue::Null,
            (v, _) => v,
        }
    }

    /// Scans one method body. `descriptor` and `is_static` describe the method itself (for the
    /// parameter registers). Returns its summary.
    pub(crate) fn scan_method(
        &mut self,
        code: &CodeItem<'a>,
        descriptor: &str,
        is_static: bool,
    ) -> Option<i64> {
        let units = code.insns_units() as usize;
        let nregs = usize::from(code.registers_size);
        if self.regs.len() < nregs {
            self.regs.resize(nregs, (0, UNKNOWN));
        }
        self.reset();

        // Pass 1: branch, switch and handler targets.
        self.targets.clear();
        self.targets.resize(units / 64 + 1, 0);
        // Targets that cannot be joined (switch cases, handlers, loop heads): set bits are
        // removed from `join_targets` below.
        let mut no_join = vec![0u64; units / 64 + 1];
        self.joins.clear();
        {
            let mut it = code.instructions();
            let targets = &mut self.targets;
            let mark = |bits: &mut Vec<u64>, t: i64| {
                if let Ok(t) = usize::try_from(t) {
                    if let Some(w) = bits.get_mut(t / 64) {
                        *w |= 1u64 << (t % 64);
                    }
                }
            };
            let insns = &mut self.insns;
            insns.clear();
            for insn in it.by_ref() {
                insns.push(insn);
                if let Some(t) = insn.target() {
                    if matches!(insn.opcode, op::PACKED_SWITCH | op::SPARSE_SWITCH) {
                        if let Some(p) = payload_at(code.insns, t) {
                            for rel in p.switch_targets() {
                                let t = i64::from(insn.pc) + i64::from(rel);
                                mark(targets, t);
                                mark(&mut no_join, t);
                            }
                        }
                    } else if insn.opcode != op::FILL_ARRAY_DATA {
                        mark(targets, i64::from(t));
                        if t <= insn.pc {
                            mark(&mut no_join, i64::from(t));
                        }
                    }
                }
            }
            // Malformed handler lists are ignored (the verifier would reject the method anyway).
            let _ = code.for_each_handler_addr(|a| {
                mark(targets, i64::from(a));
                mark(&mut no_join, i64::from(a));
            });
        }
        self.join_targets.clear();
        self.join_targets
            .extend(self.targets.iter().zip(&no_join).map(|(t, n)| t & !n));

        // Parameters arrive in the last `ins_size` registers.
        let first_in = u32::from(code.registers_size).saturating_sub(u32::from(code.ins_size));
        let mut reg = first_in;
        let mut pidx: u16 = 0;
        if !is_static {
            self.set_val(reg, ArgValue::Param(0));
            reg += 1;
            pidx = 1;
        }
        for p in crate::param_types(descriptor) {
            self.set_val(reg, ArgValue::Param(pidx));
            reg += if is_wide(kind(p)) { 2 } else { 1 };
            pidx = pidx.saturating_add(1);
        }

        // Pass 2: tracking.
        // None: no return seen; Some(None): not one constant; Some(Some(k)).
        let mut ret: Option<Option<i64>> = None;
        let mut pending: Option<Reg> = None;
        let base = code.file_offset(0);
        let insns = std::mem::take(&mut self.insns);
        // Whether the previous instruction can fall through to this one.
        let mut reachable = true;
        for insn in &insns {
            if insn.payload.is_some() {
                continue;
            }
            let pc = insn.pc as usize;
            let bit = |bits: &[u64]| {
                bits.get(pc / 64)
                    .is_some_and(|w| w & (1u64 << (pc % 64)) != 0)
            };
            if bit(&self.join_targets) {
                self.join(insn.pc, reachable);
            } else if bit(&self.targets) {
                self.reset();
            }
            if let Some(t) = insn.target() {
                let forward_jump = matches!(insn.opcode, op::GOTO..=op::GOTO_32 | op::IF_EQ..=op::IF_LEZ)
                    && t > insn.pc;
                let t_usize = t as usize;
                if forward_jump
                    && self
                        .join_targets
                        .get(t_usize / 64)
                        .is_some_and(|w| w & (1u64 << (t_usize % 64)) != 0)
                {
                    let state = self.defined();
                    self.joins.push((t, state));
                }
            }
            let last = pending.take();
            let opc = insn.opcode;
            let offset = u32::try_from(base + 2 * u64::from(insn.pc)).unwrap_or(u32::MAX);
            let (a, b) = (insn.a, insn.b);
            match opc {
                op::NOP => {}
                op::MOVE..=op::MOVE_OBJECT_16 => {
                    let v = self.get(b).clone();
                    self.set(a, v);
                    if matches!(opc, 0x04..=0x06) {
                        let v2 = self.get(b.wrapping_add(1)).clone();
                        self.set(a.wrapping_add(1), v2);
                    }
                }
                op::MOVE_RESULT..=op::MOVE_RESULT_OBJECT => {
                    let v = last.unwrap_or(UNKNOWN);
                    self.set(a, v);
                    if opc == op::MOVE_RESULT_WIDE {
                        self.set(a.wrapping_add(1), UNKNOWN);
                    }
                }
                op::MOVE_EXCEPTION => self.set(a, UNKNOWN),
                op::RETURN_VOID | op::RETURN_OBJECT => ret = Some(None),
                op::RETURN | op::RETURN_WIDE => {
                    let v = self.int(a);
                    ret = match (ret, v) {
                        (None, Some(k)) => Some(Some(k)),
                        (Some(Some(p)), Some(k)) if p == k => Some(Some(k)),
                        _ => Some(None),
                    };
                }
                op::CONST_4..=op::CONST_WIDE_HIGH16 => {
                    self.set_val(a, ArgValue::Int(insn.literal));
                    if opc >= 0x16 {
                        self.set(a.wrapping_add(1), UNKNOWN);
                    }
                }
                op::CONST_STRING | op::CONST_STRING_JUMBO => {
                    let s = self.string(insn.index);
                    self.set_val(a, ArgValue::Str(s));
                }
                op::CONST_CLASS => {
                    let t = self.type_desc(insn.index);
                    self.set_val(a, ArgValue::ClassConst(t));
                }
                op::CHECK_CAST => {}
                op::NEW_INSTANCE => {
                    let t = self.type_desc(insn.index);
                    self.set_val(a, ArgValue::NewInstance(t));
                }
                op::NEW_ARRAY => {
                    let ty = self.type_desc(insn.index);
                    let len = self.int(b).and_then(|n| u32::try_from(n).ok());
                    self.set_val(a, ArgValue::NewArray { ty, len });
                }
                op::FILLED_NEW_ARRAY | op::FILLED_NEW_ARRAY_RANGE => {
                    let ty = self.type_desc(insn.index);
                    let vals: Option<Vec<i64>> =
                        insn.args.iter().map(|r| self.int(u32::from(r))).collect();
                    let v = match vals {
                        Some(v) if &*ty == "[I" => ArgValue::Ints(v.into()),
                        _ => ArgValue::NewArray {
                            ty,
                            len: Some(insn.args.len() as u32),
                        },
                    };
                    pending = Some(Reg::Val(v));
                }
                op::FILL_ARRAY_DATA => self.fill_array(a, code.insns, insn.target()),
                0x44..=0x4a => {
                    self.set(a, UNKNOWN);
                    if opc == 0x45 {
                        self.set(a.wrapping_add(1), UNKNOWN);
                    }
                }
                0x4f => self.aput_byte(a, b, insn.c),
                op::APUT..=op::APUT_SHORT => {}
                op::IGET..=op::SPUT_SHORT => self.field_op(offset, opc, a, insn.index),
                _ if invoke_kind(opc).is_some() => {
                    pending = self.invoke(offset, insn);
                }
                _ => {
                    if writes_a(opc) {
                        self.set(a, UNKNOWN);
                        if wide_dest(opc) {
                            self.set(a.wrapping_add(1), UNKNOWN);
                        }
                    }
                }
            }
            reachable = !matches!(opc, 0x0e..=0x11 | op::THROW | op::GOTO..=op::GOTO_32);
        }
        self.insns = insns;
        ret.flatten()
    }

    fn fill_array(&mut self, a: u32, code: &[u8], target: Option<u32>) {
        let Some(Payload::FillArrayData { width, count, data }) =
            target.and_then(|t| payload_at(code, t))
        else {
            self.set(a, UNKNOWN);
            return;
        };
        let ty = match self.get(a) {
            Reg::Val(ArgValue::NewArray { ty, .. }) => ty.clone(),
            _ => {
                self.set(a, UNKNOWN);
                return;
            }
        };
        if count as usize > self.limits.max_const_array {
            return; // stays NewArray: contents not tracked
        }
        let v = match width {
            1 => ArgValue::Bytes(Arc::from(data)),
            2 => {
                let unsigned = &*ty == "[C";
                ArgValue::Ints(
                    data.chunks_exact(2)
                        .map(|c| {
                            let u = u16::from_le_bytes(c.try_into().unwrap_or([0; 2]));
                            if unsigned {
                                i64::from(u)
                            } else {
                                i64::from(u as i16)
                            }
                        })
                        .collect(),
                )
            }
            4 => ArgValue::Ints(
                data.chunks_exact(4)
                    .map(|c| i64::from(i32::from_le_bytes(c.try_into().unwrap_or([0; 4]))))
                    .collect(),
            ),
            8 => ArgValue::Ints(
                data.chunks_exact(8)
                    .map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                    .collect(),
            ),
            _ => ArgValue::Unknown,
        };
        self.set_val(a, v);
    }

    fn aput_byte(&mut self, value: u32, array: u32, index: u32) {
        let cur: Option<Vec<u8>> = match self.get(array) {
            Reg::Val(ArgValue::NewArray { ty, len: Some(n) })
                if &**ty == "[B" && *n <= MAX_APUT_ARRAY =>
            {
                Some(vec![0u8; *n as usize])
            }
            Reg::Val(ArgValue::Bytes(b)) if b.len() <= MAX_APUT_ARRAY as usize => Some(b.to_vec()),
            _ => None,
        };
        let Some(mut bytes) = cur else {
            return;
        };
        let slot = self
            .int(index)
            .and_then(|i| usize::try_from(i).ok())
            .filter(|&i| i < bytes.len());
        match (slot, self.int(value)) {
            (Some(i), Some(v)) => {
                if let Some(b) = bytes.get_mut(i) {
                    *b = v as u8;
                }
                self.set_val(array, ArgValue::Bytes(bytes.into()));
            }
            _ => self.set(array, UNKNOWN),
        }
    }

    fn field_op(&mut self, offset: u32, opc: u8, a: u32, idx: u32) {
        let field = self.field_ref(idx);
        let (kind, value) = match opc {
            op::IGET..=0x58 => {
                self.set(a, UNKNOWN);
                if opc == 0x53 {
                    self.set(a.wrapping_add(1), UNKNOWN);
                }
                (FieldAccessKind::InstanceGet, ArgValue::Unknown)
            }
            op::IPUT..=op::IPUT_SHORT => (
                FieldAccessKind::InstancePut,
                self.arg(u16::try_from(a).ok(), kind(&field.ty)),
            ),
            op::SGET..=op::SGET_SHORT => {
                let value = self.static_value(&field);
                self.set_val(
                    a,
                    ArgValue::StaticField {
                        field: field.clone(),
                        value,
                    },
                );
                if opc == 0x61 {
                    self.set(a.wrapping_add(1), UNKNOWN);
                }
                (FieldAccessKind::StaticGet, ArgValue::Unknown)
            }
            _ => (
                FieldAccessKind::StaticPut,
                self.arg(u16::try_from(a).ok(), kind(&field.ty)),
            ),
        };
        if matches!(
            kind,
            FieldAccessKind::InstancePut | FieldAccessKind::StaticPut
        ) {
            self.tracked_puts.push(TrackedPut {
                offset,
                field_idx: idx,
                field,
                kind,
                value,
            });
        }
    }

    /// The shared list holding these values (drained from `args`).
    fn arg_list(&mut self, args: &mut Vec<ArgValue>) -> crate::ArgList {
        use std::hash::Hasher;
        if args.is_empty() {
            return crate::ArgList::default();
        }
        let mut h = crate::fxhash::FxHasher::default();
        h.write_usize(args.len());
        for a in args.iter() {
            crate::identity_hash(a, &mut h);
        }
        let key = h.finish();
        if let Some(l) = self.arg_lists.get(&key) {
            if l.len() == args.len()
                && l.iter()
                    .zip(args.iter())
                    .all(|(x, y)| crate::identical(x, y))
            {
                args.clear();
                return crate::ArgList::shared(l.clone());
            }
            // A hash collision: keep the first list, store this one unshared.
            return crate::ArgList::shared(args.drain(..).collect());
        }
        let l: Arc<[ArgValue]> = args.drain(..).collect();
        self.arg_lists.insert(key, l.clone());
        crate::ArgList::shared(l)
    }

    /// The method an invoke calls, its proto index and the semantics the tracking follows.
    fn callee(
        &mut self,
        ikind: InvokeKind,
        insn: &mastiff_formats::dex::Insn,
    ) -> (Arc<MethodRefBuf>, u32, Special) {
        match ikind {
            InvokeKind::Custom => {
                let (m, p) = self.call_site_ref(insn.index);
                let sp = special_of(&m);
                (m, p, sp)
            }
            InvokeKind::Polymorphic => {
                let (m, _, sp) = self.method_ref_proto(insn.index);
                (m, insn.index2, sp)
            }
            _ => self.method_ref_proto(insn.index),
        }
    }

    fn invoke(&mut self, offset: u32, insn: &mastiff_formats::dex::Insn) -> Option<Reg> {
        let ikind = invoke_kind(insn.opcode)?;
        let (callee, proto, special) = self.callee(ikind, insn);
        let returns = self.shape(proto);
        let has_this = !matches!(ikind, InvokeKind::Static | InvokeKind::Custom);
        let mut args = std::mem::take(&mut self.scratch);
        args.clear();
        let mut ri = 0usize;
        if has_this {
            args.push(self.arg(insn.args.get(0), b'L'));
            ri = 1;
        }
        for k in 0..self.shape_kinds.len() {
            let p = self.shape_kinds.get(k).copied().unwrap_or(b'V');
            args.push(self.arg(insn.args.get(ri), p));
            ri += if is_wide(p) { 2 } else { 1 };
        }
        let mut result = returns.then(|| Reg::Val(ArgValue::ReturnOf(callee.clone())));

        // Library semantics the linear pass follows.
        let recv = insn.args.get(0).map(u32::from);
        match (special, &*callee.name) {
            (Special::None, _) => {}
            (Special::Builder, name) if has_this => {
                let recv = recv.unwrap_or(u32::MAX);
                let unknown_builder = || Reg::Val(ArgValue::NewInstance(callee.class.clone()));
                match name {
                    "<init>" => {
                        let init = match args.get(1) {
                            None => Some(String::new()),
                            Some(v) => v.as_str().map(str::to_string),
                        };
                        let r = init.map_or_else(unknown_builder, Reg::Builder);
                        self.set(recv, r);
                    }
                    "append" => {
                        let ptype = self.shape_kinds.first().copied().unwrap_or(b'V');
                        let next = match (self.get(recv), args.get(1)) {
                            (Reg::Builder(s), Some(v)) => append_text(v, ptype)
                                .map(|t| format!("{s}{t}"))
                                .filter(|n| n.len() <= self.limits.max_const_string),
                            _ => None,
                        };
                        let r = next.map_or_else(unknown_builder, Reg::Builder);
                        self.set(recv, r.clone());
                        result = Some(r);
                    }
                    "toString" => {
                        if let Reg::Builder(s) = self.get(recv) {
                            result = Some(Reg::Val(ArgValue::Str(Str::from(s.as_str()))));
                        }
                    }
                    _ => {}
                }
            }
            (Special::String, "getBytes") => {
                if let Some(ArgValue::Str(s)) = args.first() {
                    if utf8_compatible(args.get(1), s) {
                        result = Some(Reg::Val(ArgValue::Bytes(Arc::from(s.as_bytes()))));
                    }
                }
            }
            _ => {}
        }

        let list = self.arg_list(&mut args);
        self.scratch = args;
        self.tracked_args.push((offset, list));
        result
    }
}

/// The index pass over one method body: call sites (without argument values), const-string
/// uses, field accesses and the summary, in one walk without register tracking and without
/// reading a name. Argument values come later from [`Scanner::scan_method`], for the methods a
/// rule asks about.
pub(crate) fn scan_light(
    out: &mut Records,
    id: u32,
    code: &CodeItem<'_>,
    limits: &Limits,
) -> MethodSummary {
    let mut summary = MethodSummary {
        only_returns: true,
        ..MethodSummary::default()
    };
    let base = code.file_offset(0);
    let mut it = code.instructions();
    // The call just before, for a `move-result`.
    let mut last_call: Option<usize> = None;
    for insn in it.by_ref() {
        if insn.payload.is_some() {
            continue;
        }
        let prev = last_call.take();
        summary.insn_count += 1;
        out.instructions += 1;
        let opc = insn.opcode;
        let offset = u32::try_from(base + 2 * u64::from(insn.pc)).unwrap_or(u32::MAX);
        if !matches!(opc, op::NOP | 0x0e..=0x11) {
            summary.only_returns = false;
        }
        match opc {
            op::MOVE_RESULT..=op::MOVE_RESULT_OBJECT => {
                if let Some(c) = prev.and_then(|c| out.calls.get_mut(c)) {
                    c.result_used = true;
                }
            }
            op::THROW => summary.throws = true,
            op::CONST_STRING | op::CONST_STRING_JUMBO => out.string_uses.push(StringRec {
                method: id,
                offset,
                string: insn.index,
            }),
            op::IGET..=op::SPUT_SHORT => {
                let kind = match opc {
                    op::IGET..=0x58 => FieldAccessKind::InstanceGet,
                    op::IPUT..=op::IPUT_SHORT => FieldAccessKind::InstancePut,
                    op::SGET..=op::SGET_SHORT => FieldAccessKind::StaticGet,
                    _ => FieldAccessKind::StaticPut,
                };
                out.field_accesses.push(FieldRec {
                    method: id,
                    offset,
                    // 16 bits in every field instruction format.
                    field: u16::try_from(insn.index).unwrap_or(u16::MAX),
                    kind,
                });
            }
            _ => {
                let Some(ikind) = invoke_kind(opc) else {
                    continue;
                };
                summary.invokes += 1;
                if out.calls.len() >= limits.max_call_sites_per_dex {
                    out.call_limit_hit = true;
                    continue;
                }
                out.calls.push(CallRec {
                    caller: id,
                    offset,
                    // 16 bits in every invoke format.
                    callee: u16::try_from(insn.index).unwrap_or(u16::MAX),
                    kind: ikind,
                    result_used: false,
                });
                last_call = Some(out.calls.len() - 1);
            }
        }
    }
    if it.truncated() {
        out.truncated_methods += 1;
    }
    if summary.insn_count == 0 {
        summary.only_returns = false;
    }
    summary
}

/// At a join of differing values: the call whose result one of them is, when every other is
/// the same call's (possible) result or a constant. Anything else (two different calls, a
/// parameter, a builder) leaves the register unknown.
fn maybe_result<'r>(values: impl Iterator<Item = &'r Reg>) -> Option<Arc<MethodRefBuf>> {
    let mut call: Option<&Arc<MethodRefBuf>> = None;
    for v in values {
        match v {
            Reg::Val(ArgValue::ReturnOf(m) | ArgValue::MaybeReturnOf(m)) => match call {
                Some(c) if !Arc::ptr_eq(c, m) && **c != **m => return None,
                _ => call = Some(m),
            },
            Reg::Val(ArgValue::Str(_) | ArgValue::Int(_) | ArgValue::Null | ArgValue::Float(_)) => {
            }
            _ => return None,
        }
    }
    call.cloned()
}

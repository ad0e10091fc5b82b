//! MASVS-CRYPTO: algorithms, modes, keys and randomness.
//!
//! Also the helpers the code rules of this group and of `auth` share: where a constant argument
//! came from ([`const_origin`]), the call that produced a value ([`producer`]), and per-rule
//! grouping and capping of findings ([`CodeFindings`]).

pub mod ecb_mode;
pub mod hardcoded_key;
pub mod insecure_random;
pub mod key_stored_with_data;
pub mod keystore;
pub mod static_iv;
pub mod weak_cipher;
pub mod weak_hash;
pub mod weak_key_size;

use std::collections::HashMap;

use mastiff_code::{
    java_type_name, method_signature, ArgValue, CallSite, CodeIndex, FieldAccessKind, MethodId,
    MethodRef,
};
use mastiff_core::{Location, Severity};

use crate::rule::{Rule, Sink};

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &weak_cipher::WeakCipher,
    &ecb_mode::EcbMode,
    &static_iv::StaticIv,
    &hardcoded_key::HardcodedKey,
    &weak_key_size::WeakKeySize,
    &weak_hash::WeakHash,
    &insecure_random::InsecureRandom,
    &keystore::AndroidKeystore,
    &key_stored_with_data::KeyStoredWithData,
];

/// Most findings one code rule reports; the rest are summed up in one last finding so a library
/// that calls an API a thousand times does not drown the report.
pub(crate) const MAX_FINDINGS: usize = 50;

/// Reports the static fields with an initial value that `judge` picks, as `static field
/// C.name = <shown>: <what>`: located at the class's first method (static values have no
/// code), at most [`MAX_FINDINGS`]. `judge` gives `(severity, shown value, what it is)`.
pub(crate) fn report_static_fields(
    code: &CodeIndex,
    out: &mut Sink,
    mut judge: impl FnMut(&mastiff_code::StaticFieldValue) -> Option<(Severity, String, String)>,
) {
    let mut n = 0;
    for class in code.classes() {
        for f in code.static_values(&class) {
            let Some((severity, shown, what)) = judge(&f) else {
                continue;
            };
            let Some(m) = class.methods().next() else {
                continue;
            };
            n += 1;
            if n > MAX_FINDINGS {
                continue;
            }
            out.report_code(
                severity,
                format!(
                    "static field {}.{} = {shown}: {what}",
                    class.java_name(),
                    f.name
                ),
                vec![code.location(m, 0)],
                class.library,
            );
        }
    }
}

/// `com.x.Crypto.encrypt(byte[])`.
pub(crate) fn method_name(code: &CodeIndex, id: MethodId) -> String {
    code.method(id).map_or_else(
        || "?".to_string(),
        |m| {
            format!(
                "{}.{}",
                java_type_name(m.class),
                method_signature(m.name, m.descriptor)
            )
        },
    )
}

/// The class descriptor of a method (for `library_of`).
pub(crate) fn class_of<'a>(code: &'a CodeIndex<'_>, id: MethodId) -> &'a str {
    code.method(id).map_or("", |m| m.class)
}

/// `Cipher.getInstance` from `Ljavax/crypto/Cipher;` + `getInstance`.
pub(crate) fn short_call(callee: &MethodRef) -> String {
    let class = java_type_name(callee.class);
    let simple = class.rsplit('.').next().unwrap_or(&class).replace('$', ".");
    if callee.name == "<init>" {
        format!("new {simple}")
    } else {
        format!("{simple}.{}", callee.name)
    }
}

/// The constant strings argument `i` of `site` takes, each with the call that chooses it: the
/// literal at `site` itself, or, when the argument is a parameter of the calling method (a
/// wrapper such as `hash(String algorithm, ..)`), the literal each app-code caller passes for
/// it (one level up, at most [`MAX_FAN_OUT`] callers). Libraries calling their own wrappers
/// (`okio.ByteString.md5()`) are not followed: they offer algorithms, the app picks one.
pub(crate) fn string_args<'c>(
    code: &'c CodeIndex<'_>,
    site: &CallSite<'c>,
    i: usize,
) -> Vec<(&'c str, CallSite<'c>)> {
    let Some(arg) = code.arg(site, i) else {
        return Vec::new();
    };
    if let Some(s) = arg.as_str() {
        return vec![(s, *site)];
    }
    let (ArgValue::Param(n), Some(m)) = (arg, code.method(site.caller)) else {
        return Vec::new();
    };
    let p = usize::from(*n);
    if !m.is_static() && p == 0 {
        return Vec::new(); // `this`
    }
    code.callers_of(site.caller)
        .filter(|c| {
            c.caller != site.caller
                && code.is_app_code(c.caller)
                && crate::rules::code::helpers::library_of_method(code, c.caller).is_none()
        })
        .take(MAX_FAN_OUT)
        .filter_map(|c| Some((code.arg(c, p)?.as_str()?, c)))
        .collect()
}

/// How a finding on an algorithm name reads: `Cipher.getInstance("DES")` at the call, or
/// `Crypto.encrypt("DES", ..) → Cipher.getInstance` when a caller chose it.
pub(crate) fn algorithm_call(api: &str, value: &str, site: &CallSite, at: &CallSite) -> String {
    if site.caller == at.caller && site.offset == at.offset {
        format!("{api}(\"{value}\")")
    } else {
        format!("{}(\"{value}\", ..) → {api}", short_call(&at.callee))
    }
}

/// One finding of a code rule before grouping.
struct Pending {
    severity: Severity,
    message: String,
    location: Location,
    library: Option<&'static str>,
    app_code: bool,
    sites: usize,
}

/// Collects the findings of one code rule: one per (method, pattern), app code first, at most
/// [`MAX_FINDINGS`], then one finding saying how many more sites there were.
pub(crate) struct CodeFindings<'c> {
    code: &'c CodeIndex<'c>,
    items: Vec<Pending>,
    by_key: HashMap<(MethodId, String), usize>,
}

impl<'c> CodeFindings<'c> {
    pub(crate) fn new(code: &'c CodeIndex) -> Self {
        CodeFindings {
            code,
            items: Vec::new(),
            by_key: HashMap::new(),
        }
    }

    /// Adds a site. `pattern` is what was seen (e.g. `Cipher.getInstance("DES")`); the message
    /// becomes `<pattern> in <method>` followed by `detail`.
    pub(crate) fn add(
        &mut self,
        severity: Severity,
        method: MethodId,
        offset: u32,
        pattern: &str,
        detail: &str,
    ) {
        let key = (method, pattern.to_string());
        if let Some(&i) = self.by_key.get(&key) {
            if let Some(p) = self.items.get_mut(i) {
                p.sites += 1;
                p.severity = p.severity.max(severity);
            }
            return;
        }
        let code = self.code;
        let mut message = format!("{pattern} in {}", method_name(code, method));
        if !detail.is_empty() {
            message.push_str(": ");
            message.push_str(detail);
        }
        self.by_key.insert(key, self.items.len());
        self.items.push(Pending {
            severity,
            message,
            location: code.location(method, offset),
            library: code.library_of(class_of(code, method)),
            app_code: code.is_app_code(method),
            sites: 1,
        });
    }

    /// Reports what was collected.
    pub(crate) fn emit(mut self, out: &mut Sink) {
        // Stable order: app code first, then by severity (highest first), then as found.
        self.items
            .sort_by_key(|p| (!p.app_code, std::cmp::Reverse(p.severity)));
        let mut rest = self.items.split_off(self.items.len().min(MAX_FINDINGS));
        for p in self.items {
            let mut msg = p.message;
            if p.sites > 1 {
                msg.push_str(&format!(" ({} sites in this method)", p.sites));
            }
            out.report_code(p.severity, msg, vec![p.location], p.library);
        }
        if !rest.is_empty() {
            let severity = rest
                .iter()
                .map(|p| p.severity)
                .max()
                .unwrap_or(Severity::Info);
            let n = rest.len();
            let first = rest.swap_remove(0);
            out.report_code(
                severity,
                format!(
                    "{n} more methods with the same pattern are not listed (first: {})",
                    first.message
                ),
                vec![first.location],
                first.library,
            );
        }
    }
}

/// The call that produced argument `idx` of `site` when it is a call result. Results of the same
/// method are matched to their uses like a stack (the latest unconsumed result first), so in
/// `f(k.getBytes(), decode(t.getBytes()))` the first argument is `k.getBytes()`; several
/// arguments from the same method take the remaining results in order, as Java evaluates
/// arguments left to right.
pub(crate) fn producer_of_arg<'a>(
    code: &'a CodeIndex,
    site: &CallSite,
    idx: usize,
) -> Option<CallSite<'a>> {
    let args = code.args(site);
    let ArgValue::ReturnOf(m) = args.get(idx)? else {
        return None;
    };
    let same = |a: &ArgValue| matches!(a, ArgValue::ReturnOf(x) if **x == **m);
    let mut stack: Vec<CallSite<'a>> = Vec::new();
    for c in code.calls_in(site.caller) {
        if c.offset >= site.offset {
            break;
        }
        for _ in code.args(c).iter().filter(|a| same(a)) {
            stack.pop();
        }
        if c.callee == m.view() {
            stack.push(c);
        }
    }
    let k = args.iter().filter(|a| same(a)).count();
    let rank = args.iter().take(idx).filter(|a| same(a)).count();
    let pick = stack.len().checked_sub(k).map_or(0, |s| s + rank);
    stack.get(pick).or(stack.last()).copied()
}

/// [`const_origin`] of argument `idx` of a call site (`ty` is its declared type).
pub(crate) fn const_origin_arg(
    code: &CodeIndex,
    site: &CallSite,
    idx: usize,
    ty: &str,
    depth: u32,
) -> Option<Origin> {
    let v = code.arg(site, idx)?;
    if let ArgValue::ReturnOf(_) = v {
        if depth > MAX_DEPTH {
            return None;
        }
        let p = producer_of_arg(code, site, idx)?;
        return call_over_constants(code, &p, depth);
    }
    const_origin(code, site.caller, site.offset, v, ty, depth)
}

/// Where a constant argument came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Origin {
    /// Constant bytes (array literal, `getBytes()` of a literal, a decoded literal...).
    Bytes { bytes: Vec<u8>, how: String },
    /// A string literal (before any conversion).
    Str { value: String, how: String },
    /// A `new byte[n]` nobody wrote to: all zeros.
    Zeros { len: Option<u32> },
}

impl Origin {
    /// A description for messages with secrets redacted (`how` never holds the value).
    pub(crate) fn describe_redacted(&self) -> String {
        match self {
            Origin::Bytes { bytes, how } => {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!(
                    "{how} {} ({} bytes)",
                    crate::rules::redact(&hex),
                    bytes.len()
                )
            }
            Origin::Str { value, how } => format!("{how} {}", crate::rules::redact(value)),
            Origin::Zeros { len: Some(n) } => format!("new byte[{n}] never written (all zeros)"),
            Origin::Zeros { len: None } => "a new byte array never written (all zeros)".into(),
        }
    }

    /// Whether every byte is the same (all zeros, `{1,1,1...}`), or the bytes count up by one.
    pub(crate) fn is_trivial(&self) -> bool {
        match self {
            Origin::Zeros { .. } => true,
            Origin::Bytes { bytes, .. } => {
                bytes.windows(2).all(|w| w.first() == w.get(1))
                    || bytes
                        .windows(2)
                        .all(|w| matches!((w.first(), w.get(1)), (Some(a), Some(b)) if a.wrapping_add(1) == *b))
            }
            Origin::Str { .. } => false,
        }
    }
}

/// How deep [`const_origin`] follows call results, fields and callers.
const MAX_DEPTH: u32 = 4;
/// Most callers of a method / stores to a field [`const_origin`] looks at (a field written in
/// more places than this is not treated as a constant).
const MAX_FAN_OUT: usize = 8;

/// Where the value `v`, used at `offset` in `method`, came from, when it is a constant: a
/// literal, a static or instance field only ever assigned that constant, the result of a call
/// over constants (`"k".getBytes()`, `Base64.decode("..")`, `hex("..")`,
/// `md.digest("pw".getBytes())`), or a constant every path the index sees passes as this
/// parameter (one caller level at a time). `None` when it is not (known to be) constant.
pub(crate) fn const_origin(
    code: &CodeIndex,
    method: MethodId,
    offset: u32,
    v: &ArgValue,
    ty: &str,
    depth: u32,
) -> Option<Origin> {
    if depth > MAX_DEPTH {
        return None;
    }
    match v {
        ArgValue::Bytes(b) => Some(Origin::Bytes {
            bytes: b.to_vec(),
            how: "constant bytes".into(),
        }),
        ArgValue::Str(s) => Some(Origin::Str {
            value: s.to_string(),
            how: "string literal".into(),
        }),
        ArgValue::StaticField {
            value: Some(inner),
            field,
        } => {
            let o = const_origin(code, method, offset, inner, ty, depth + 1)?;
            Some(o.via(&format!("static field {}", field.name)))
        }
        ArgValue::StaticField { value: None, field } => {
            field_constant(code, &field.class, &field.name, depth)
        }
        ArgValue::NewArray { ty, len } if &**ty == "[B" => {
            (!array_passed_before(code, method, offset, *len))
                .then_some(Origin::Zeros { len: *len })
        }
        ArgValue::ReturnOf(callee) => {
            // Not an argument of a call (a field store): the latest call of that method.
            let site = code
                .calls_in(method)
                .into_iter()
                .rev()
                .find(|c| c.offset < offset && c.callee == callee.view())?;
            call_over_constants(code, &site, depth)
        }
        ArgValue::Param(n) => param_constant(code, method, *n, ty, depth),
        ArgValue::Unknown | ArgValue::MaybeReturnOf(_) => {
            instance_field_before(code, method, offset, ty, depth)
        }
        _ => None,
    }
}

impl Origin {
    fn via(self, how: &str) -> Origin {
        match self {
            Origin::Bytes { bytes, .. } => Origin::Bytes {
                bytes,
                how: format!("constant bytes from {how}"),
            },
            Origin::Str { value, .. } => Origin::Str {
                value,
                how: format!("string constant from {how}"),
            },
            z => z,
        }
    }

    fn to_bytes(&self) -> Option<Vec<u8>> {
        match self {
            Origin::Bytes { bytes, .. } => Some(bytes.clone()),
            Origin::Str { value, .. } => Some(value.as_bytes().to_vec()),
            Origin::Zeros { len } => Some(vec![0; (len.unwrap_or(0) as usize).min(4096)]),
        }
    }
}

/// Whether a `new byte[len]` could have been filled before `offset`: an earlier call in the
/// method received a fresh byte array of that length (`SecureRandom.nextBytes(iv)`,
/// `in.read(buf)`, `System.arraycopy(.., iv, ..)`). The linear tracker does not see writes made
/// by callees, so such an array is not known to be zeros.
fn array_passed_before(code: &CodeIndex, method: MethodId, offset: u32, len: Option<u32>) -> bool {
    code.calls_in(method).iter().any(|c| {
        c.offset < offset
            && code.args(c).iter().any(
                |a| matches!(a, ArgValue::NewArray { ty, len: l } if &**ty == "[B" && *l == len),
            )
    })
}

/// A call whose result is a constant because everything it is given is: `"k".getBytes()`,
/// `Base64.decode("..", 0)`, `hexToBytes("..")`, `digest(<const>)`, `Arrays.copyOf(<const>, 16)`.
fn call_over_constants(code: &CodeIndex, site: &CallSite, depth: u32) -> Option<Origin> {
    let callee = &site.callee;
    let what = short_call(callee);
    // String conversions keep the literal: the receiver is the value.
    if callee.class == "Ljava/lang/String;" {
        return match callee.name {
            "getBytes" | "toCharArray" | "trim" | "toString" | "intern" => {
                let o = const_origin_arg(code, site, 0, STRING, depth + 1)?;
                let value = match o {
                    Origin::Str { value, .. } => value,
                    _ => return None,
                };
                Some(Origin::Str {
                    how: format!("string literal ({what})"),
                    value,
                })
            }
            _ => None,
        };
    }
    let returns = callee.return_type();
    if returns != "[B" && returns != "Ljava/lang/String;" && returns != "[C" {
        return None;
    }
    let is_static = site.kind == mastiff_code::InvokeKind::Static;
    let all = code.args(site);
    let first = usize::from(!is_static);
    let inputs = all.get(first..)?;
    let mut data: Option<Origin> = None;
    for (i, (a, pty)) in inputs.iter().zip(callee.params()).enumerate() {
        match a {
            ArgValue::Int(_) | ArgValue::Null | ArgValue::Float(_) => {}
            ArgValue::StaticField { value: Some(v), .. } if matches!(**v, ArgValue::Int(_)) => {}
            _ => {
                let o = const_origin_arg(code, site, first + i, pty, depth + 1)?;
                if data.is_none() {
                    data = Some(o);
                }
            }
        }
    }
    // An instance method over constants is only a transformation when its receiver is a
    // stateless helper (MessageDigest, a Base64 decoder); anything else (a Cipher that was
    // given a key, a stream) may carry state from elsewhere.
    if !is_static
        && !matches!(
            callee.class,
            "Ljava/security/MessageDigest;" | "Ljava/util/Base64$Decoder;"
        )
    {
        return None;
    }
    let d = data?;
    let bytes = d.to_bytes()?;
    match returns {
        "[B" if matches!(d, Origin::Str { .. }) || callee.name != "copyOf" => Some(Origin::Bytes {
            bytes,
            how: format!("derived from a constant by {what}"),
        }),
        "[B" => Some(d),
        _ => match d {
            Origin::Str { value, .. } => Some(Origin::Str {
                value,
                how: format!("derived from a string literal by {what}"),
            }),
            _ => None,
        },
    }
}

/// A parameter that every caller the index sees passes the same kind of constant to (the first
/// caller's constant is reported). Callers that pass something unknown make it unknown.
fn param_constant(
    code: &CodeIndex,
    method: MethodId,
    n: u16,
    ty: &str,
    depth: u32,
) -> Option<Origin> {
    let m = code.method(method)?;
    let idx = usize::from(n);
    if !m.is_static() && idx == 0 {
        return None; // `this`
    }
    let mut found = None;
    let callers = code.callers_of(method).take(MAX_FAN_OUT);
    for site in callers {
        let o = const_origin_arg(code, &site, idx, ty, depth + 1)?;
        if found.is_none() {
            let who = method_name(code, site.caller);
            found = Some(o.via(&format!("the caller {who}")));
        }
    }
    found
}

/// The constant a field always holds: every put to it in the app stores the same constant.
fn field_constant(code: &CodeIndex, class: &str, name: &str, depth: u32) -> Option<Origin> {
    let mut value: Option<Origin> = None;
    let puts = code.field_accesses(class, name).filter(|a| {
        matches!(
            a.kind,
            FieldAccessKind::InstancePut | FieldAccessKind::StaticPut
        )
    });
    for (i, put) in puts.enumerate() {
        if i >= MAX_FAN_OUT {
            return None;
        }
        let o = const_origin(
            code,
            put.method,
            put.offset,
            code.stored_value(put),
            put.field.ty,
            depth + 1,
        )?;
        // A fresh array kept in a field is filled elsewhere, typically (`nextBytes(this.iv)`).
        if matches!(o, Origin::Zeros { .. }) {
            return None;
        }
        match &value {
            None => value = Some(o),
            Some(v) if v.to_bytes() == o.to_bytes() => {}
            Some(_) => return None,
        }
    }
    let simple = java_type_name(class);
    let simple = simple.rsplit('.').next().unwrap_or_default().to_string();
    value.map(|o| o.via(&format!("field {simple}.{name}")))
}

/// The index does not follow instance fields through registers: an `iget` result is unknown.
/// For an unknown argument of type `ty`, the nearest read of a field of that type before the use
/// in the same method is taken as its source when that field only ever holds one constant (the
/// `this.key.getBytes()` / `this.iv` pattern).
fn instance_field_before(
    code: &CodeIndex,
    method: MethodId,
    offset: u32,
    ty: &str,
    depth: u32,
) -> Option<Origin> {
    if !matches!(ty, "[B" | STRING | "[C") {
        return None;
    }
    let read = code.field_accesses_in(method).rfind(|a| {
        a.offset < offset
            && *a.field.ty == *ty
            && matches!(
                a.kind,
                FieldAccessKind::InstanceGet | FieldAccessKind::StaticGet
            )
    })?;
    field_constant(code, read.field.class, read.field.name, depth)
}

const STRING: &str = "Ljava/lang/String;";

/// A `Cipher.getInstance` transformation split into algorithm, mode and padding (upper case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transformation {
    pub alg: String,
    pub mode: Option<String>,
    pub padding: Option<String>,
}

impl Transformation {
    pub(crate) fn parse(s: &str) -> Option<Transformation> {
        let mut parts = s.trim().split('/');
        let alg = parts.next()?.trim().to_ascii_uppercase();
        if alg.is_empty() || alg.len() > 64 {
            return None;
        }
        let mode = parts.next().map(|m| m.trim().to_ascii_uppercase());
        let padding = parts.next().map(|p| p.trim().to_ascii_uppercase());
        Some(Transformation { alg, mode, padding })
    }

    /// The broken cipher this names (DES, 3DES, RC4, Blowfish, RC2), if any; also PBE schemes
    /// that encrypt with them (`PBEWithMD5AndDES`).
    pub(crate) fn broken_cipher(&self) -> Option<&'static str> {
        let a = self.alg.as_str();
        let base = a.strip_prefix("PBEWITH").map_or(a, |rest| {
            // PBEWith<digest>And<cipher>
            rest.split_once("AND").map_or(rest, |(_, c)| c)
        });
        Some(match base {
            "DES" => "DES",
            "DESEDE" | "DESEDEWRAP" | "TRIPLEDES" | "3DES" | "TDEA" => "3DES (DESede)",
            "RC4" | "ARCFOUR" | "ARC4" => "RC4",
            "BLOWFISH" => "Blowfish",
            "RC2" => "RC2",
            _ if a.starts_with("PBEWITH") && base.contains("DES") => "3DES (DESede)",
            _ if a.starts_with("PBEWITH") && base.contains("RC2") => "RC2",
            _ if a.starts_with("PBEWITH") && base.contains("RC4") => "RC4",
            _ => return None,
        })
    }
}

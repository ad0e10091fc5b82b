//! Names read from a dex file on demand.
//!
//! The index stores ids (`method_id`, `field_id`, `string_id`, `type_id`), not strings: a
//! string is read from the file's string data each time it is asked for, borrowed when its
//! MUTF-8 bytes are plain UTF-8 (nearly all are) and decoded once at build time otherwise.
//! Method descriptors, which the file stores as a return type and a type list, are put
//! together the first time they are asked for.

use mastiff_formats::dex::{mutf8, Dex, EncodedValue};

use crate::{FieldRef, MethodRef};

/// Class of every invoke-custom callee.
const CALL_SITE_CLASS: &str = "Ljava/lang/invoke/CallSite;";

/// One parsed dex file and what is needed to read its names.
pub(crate) struct DexSource<'d> {
    pub(crate) dex: Dex<'d>,
    /// Strings whose MUTF-8 bytes are not plain UTF-8, decoded, by string id.
    decoded: Vec<(u32, Box<str>)>,
    /// Strings from this id on are not read (a hostile file's string data exceeded the budget).
    readable: u32,
    /// Method descriptor per proto id, on first use.
    protos: crate::lazy::LazyTable<Box<str>>,
}

impl std::fmt::Debug for DexSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DexSource")
            .field("size", &self.dex.data().len())
            .field("decoded", &self.decoded.len())
            .finish()
    }
}

/// What reading a file's strings found.
pub(crate) struct StringCheck {
    /// Strings that could not be read.
    pub(crate) unreadable: u32,
    /// Strings not read because the string data exceeds twice the file size.
    pub(crate) over_budget: u32,
}

impl<'d> DexSource<'d> {
    /// Reads every string once: the ones that are not plain UTF-8 are decoded and kept. Real
    /// files never share string data, so the bytes read stay below the file size; a hostile
    /// file pointing many ids at one long string is cut off at twice the file size.
    pub(crate) fn new(dex: Dex<'d>) -> (Self, StringCheck) {
        let n = dex.string_count();
        let budget = dex.data().len().saturating_mul(2);
        let mut used = 0usize;
        let mut check = StringCheck {
            unreadable: 0,
            over_budget: 0,
        };
        let mut decoded = Vec::new();
        let mut readable = n;
        for i in 0..n {
            if used > budget {
                check.over_budget = n - i;
                readable = i;
                break;
            }
            match dex.string_raw(i) {
                Ok((raw, _)) => {
                    used = used.saturating_add(raw.len());
                    if std::str::from_utf8(raw).is_err() {
                        decoded.push((i, mutf8::decode(raw).into_owned().into_boxed_str()));
                    }
                }
                // Read as "" wherever it is used.
                Err(_) => check.unreadable += 1,
            }
        }
        decoded.shrink_to_fit();
        let protos = crate::lazy::LazyTable::new(dex.proto_count() as usize);
        (
            DexSource {
                dex,
                decoded,
                readable,
                protos,
            },
            check,
        )
    }

    /// String `idx` ("" when it cannot be read).
    pub(crate) fn string(&self, idx: u32) -> &str {
        if idx >= self.readable {
            return "";
        }
        match self.dex.string_raw(idx) {
            Ok((raw, _)) => match std::str::from_utf8(raw) {
                Ok(s) => s,
                Err(_) => self.decoded_string(idx),
            },
            Err(_) => "",
        }
    }

    fn decoded_string(&self, idx: u32) -> &str {
        self.decoded
            .binary_search_by_key(&idx, |(i, _)| *i)
            .ok()
            .and_then(|i| self.decoded.get(i))
            .map_or("", |(_, s)| s)
    }

    /// Descriptor of type `idx` ("" when it cannot be read).
    pub(crate) fn type_desc(&self, idx: u32) -> &str {
        match self.dex.type_descriptor_idx(idx) {
            Ok(s) => self.string(s),
            Err(_) => "",
        }
    }

    /// Method descriptor of proto `idx`, e.g. `(I[B)V` (`()V` when it cannot be read).
    pub(crate) fn proto_desc(&self, idx: u32) -> &str {
        let desc = self
            .protos
            .get_or_init(idx as usize, || match self.dex.proto(idx) {
                Ok(p) => {
                    let mut s = String::from("(");
                    if let Ok(list) = self.dex.type_list(p.parameters_off) {
                        for t in list.iter() {
                            s.push_str(self.type_desc(u32::from(t)));
                        }
                    }
                    s.push(')');
                    s.push_str(self.type_desc(p.return_type_idx));
                    s.into_boxed_str()
                }
                Err(_) => Box::from("()V"),
            });
        desc.map_or("()V", |d| d)
    }

    /// Method id `idx` as a reference.
    pub(crate) fn method_ref(&self, idx: u32) -> MethodRef<'_> {
        match self.dex.method(idx) {
            Ok(m) => MethodRef {
                class: self.type_desc(u32::from(m.class_idx)),
                name: self.string(m.name_idx),
                descriptor: self.proto_desc(u32::from(m.proto_idx)),
            },
            Err(_) => MethodRef {
                class: "",
                name: "",
                descriptor: "()V",
            },
        }
    }

    /// The class and name of method id `idx` (no descriptor: cheaper, for name lookups).
    pub(crate) fn method_names(&self, idx: u32) -> (&str, &str) {
        match self.dex.method(idx) {
            Ok(m) => (
                self.type_desc(u32::from(m.class_idx)),
                self.string(m.name_idx),
            ),
            Err(_) => ("", ""),
        }
    }

    /// The proto id of method id `idx` (`u32::MAX` when unreadable).
    pub(crate) fn method_proto(&self, idx: u32) -> u32 {
        self.dex
            .method(idx)
            .map_or(u32::MAX, |m| u32::from(m.proto_idx))
    }

    /// The callee of invoke-custom `idx`: `Ljava/lang/invoke/CallSite;` + the call site's
    /// method name and type, when the call site item can be read; and its proto id.
    pub(crate) fn call_site_ref(&self, idx: u32) -> (MethodRef<'_>, u32) {
        let mut m = MethodRef {
            class: CALL_SITE_CLASS,
            name: "<call-site>",
            descriptor: "()V",
        };
        let mut proto = u32::MAX;
        if let Ok(off) = self.dex.call_site_offset(idx) {
            if let Ok(vals) = self.dex.encoded_array_at(off) {
                if let Some(EncodedValue::String(s)) = vals.get(1) {
                    m.name = self.string(*s);
                }
                if let Some(EncodedValue::MethodType(p)) = vals.get(2) {
                    m.descriptor = self.proto_desc(*p);
                    proto = *p;
                }
            }
        }
        (m, proto)
    }

    /// The class and name of field id `idx`.
    pub(crate) fn field_names(&self, idx: u32) -> (&str, &str) {
        match self.dex.field(idx) {
            Ok(f) => (
                self.type_desc(u32::from(f.class_idx)),
                self.string(f.name_idx),
            ),
            Err(_) => ("", ""),
        }
    }

    /// Field id `idx` as a reference.
    pub(crate) fn field_ref(&self, idx: u32) -> FieldRef<'_> {
        match self.dex.field(idx) {
            Ok(f) => FieldRef {
                class: self.type_desc(u32::from(f.class_idx)),
                name: self.string(f.name_idx),
                ty: self.type_desc(u32::from(f.type_idx)),
            },
            Err(_) => FieldRef {
                class: "",
                name: "",
                ty: "",
            },
        }
    }

    /// Every string id, in file order.
    pub(crate) fn string_count(&self) -> u32 {
        self.dex.string_count()
    }
}

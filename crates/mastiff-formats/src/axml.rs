//! Android binary XML (AXML): `AndroidManifest.xml` and compiled `res/xml/*` files.
//!
//! Attributes are identified by their resource id when the file's resource map gives one (this is
//! how Android itself reads them: attribute *names* may be stripped or renamed by obfuscators).
//! The reader tolerates what Android tolerates: bogus chunk header sizes, unknown chunks, a zeroed
//! outer chunk type.

use crate::strpool::{u16_at, u32_at, PoolError, StringPool, RES_STRING_POOL_TYPE};
use crate::Limits;

/// Namespace URI of `android:` attributes.
pub const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";

/// A parsed binary XML document: a flat list of elements in document order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct XmlDocument {
    /// Elements in document order; `elements[0]` is the root when the document is not empty.
    pub elements: Vec<Element>,
    /// Non-fatal problems met while reading (unknown chunks skipped, bad sizes tolerated...).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// Local name, e.g. `activity`.
    pub name: String,
    pub namespace: Option<String>,
    pub attributes: Vec<Attribute>,
    /// Index of the parent element in [`XmlDocument::elements`].
    pub parent: Option<usize>,
    /// Indices of child elements, in order.
    pub children: Vec<usize>,
    /// Nesting depth, 0 for the root.
    pub depth: usize,
    /// Line number recorded by the compiler (aapt), if any.
    pub line: u32,
    /// Concatenated character data directly inside the element (rarely used in compiled XML,
    /// but network security config `<pin>` digests are text).
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub namespace: Option<String>,
    /// The name string as stored (may be empty or obfuscated).
    pub name: String,
    /// Resource id from the resource map, e.g. `0x01010010` for `android:exported`.
    pub resource_id: Option<u32>,
    /// The raw string value, when the compiler kept one.
    pub raw: Option<String>,
    pub value: Value,
}

/// A typed attribute value (`Res_value` in the platform's terms).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// `@type/name` reference to a resource id.
    Reference(u32),
    /// `?attr` theme attribute reference.
    AttributeRef(u32),
    String(String),
    Float(f32),
    /// Dimension / fraction, raw 32-bit data.
    Dimension(u32),
    Fraction(u32),
    IntDec(i32),
    IntHex(u32),
    Bool(bool),
    /// `#aarrggbb` and friends.
    Color(u32),
    /// Any other type: (type byte, data).
    Other(u8, u32),
}

impl Element {
    /// The attribute with this resource id, or else (when the file has no id for it) the
    /// `android:`-namespaced attribute with this name.
    pub fn android_attr(&self, resource_id: u32, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.resource_id == Some(resource_id))
            .or_else(|| {
                self.attributes.iter().find(|a| {
                    a.resource_id.is_none()
                        && a.name == name
                        && a.namespace.as_deref() == Some(ANDROID_NS)
                })
            })
    }

    /// An attribute without namespace (e.g. `package` on `<manifest>`, `src` in an NSC file).
    pub fn plain_attr(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name == name && a.namespace.is_none())
    }
}

impl XmlDocument {
    pub fn root(&self) -> Option<&Element> {
        self.elements.first()
    }

    /// Children of `idx` in document order.
    pub fn children(&self, idx: usize) -> impl Iterator<Item = (usize, &Element)> {
        self.elements
            .get(idx)
            .map(|e| e.children.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(|&c| self.elements.get(c).map(|e| (c, e)))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AxmlError {
    #[error("not a binary XML file: {0}")]
    NotBinaryXml(&'static str),
    #[error("binary XML truncated while reading {what} at offset {offset:#x}")]
    Truncated { what: &'static str, offset: usize },
    #[error("binary XML malformed: {what} at offset {offset:#x}")]
    Malformed { what: &'static str, offset: usize },
    #[error("binary XML exceeds the limit on {what} ({max})")]
    LimitExceeded { what: &'static str, max: usize },
}

impl From<PoolError> for AxmlError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Truncated { what, offset } => AxmlError::Truncated { what, offset },
            PoolError::Malformed { what, offset } => AxmlError::Malformed { what, offset },
            PoolError::LimitExceeded { what, max } => AxmlError::LimitExceeded { what, max },
        }
    }
}

const RES_XML_TYPE: u16 = 0x0003;
const RES_XML_START_NAMESPACE_TYPE: u16 = 0x0100;
const RES_XML_END_NAMESPACE_TYPE: u16 = 0x0101;
const RES_XML_START_ELEMENT_TYPE: u16 = 0x0102;
const RES_XML_END_ELEMENT_TYPE: u16 = 0x0103;
const RES_XML_CDATA_TYPE: u16 = 0x0104;
const RES_XML_RESOURCE_MAP_TYPE: u16 = 0x0180;

/// `sizeof(ResXMLTree_node)`: chunk header, line number, comment.
const NODE_HEADER_SIZE: usize = 16;
/// `sizeof(ResXMLTree_attribute)`.
const ATTRIBUTE_SIZE: usize = 20;
/// "No string" in a `ResStringPool_ref`.
const NO_STRING: u32 = 0xffff_ffff;

/// `Res_value::dataType` constants.
pub(crate) mod res_type {
    pub const NULL: u8 = 0x00;
    pub const REFERENCE: u8 = 0x01;
    pub const ATTRIBUTE: u8 = 0x02;
    pub const STRING: u8 = 0x03;
    pub const FLOAT: u8 = 0x04;
    pub const DIMENSION: u8 = 0x05;
    pub const FRACTION: u8 = 0x06;
    pub const DYNAMIC_REFERENCE: u8 = 0x07;
    pub const DYNAMIC_ATTRIBUTE: u8 = 0x08;
    pub const INT_DEC: u8 = 0x10;
    pub const INT_HEX: u8 = 0x11;
    pub const INT_BOOLEAN: u8 = 0x12;
    pub const INT_COLOR_ARGB8: u8 = 0x1c;
    pub const INT_COLOR_RGB4: u8 = 0x1f;
}

/// Converts a `Res_value` to a [`Value`]; strings are looked up in `strings`.
pub(crate) fn decode_value(data_type: u8, data: u32, strings: &StringPool<'_>) -> Value {
    match data_type {
        res_type::NULL => Value::Null,
        res_type::REFERENCE | res_type::DYNAMIC_REFERENCE => Value::Reference(data),
        res_type::ATTRIBUTE | res_type::DYNAMIC_ATTRIBUTE => Value::AttributeRef(data),
        res_type::STRING => match strings.get(data) {
            Some(s) => Value::String(s),
            None => Value::Other(data_type, data),
        },
        res_type::FLOAT => Value::Float(f32::from_bits(data)),
        res_type::DIMENSION => Value::Dimension(data),
        res_type::FRACTION => Value::Fraction(data),
        res_type::INT_DEC => Value::IntDec(i32::from_le_bytes(data.to_le_bytes())),
        res_type::INT_HEX => Value::IntHex(data),
        res_type::INT_BOOLEAN => Value::Bool(data != 0),
        res_type::INT_COLOR_ARGB8..=res_type::INT_COLOR_RGB4 => Value::Color(data),
        other => Value::Other(other, data),
    }
}

/// Parses a binary XML document.
///
/// Like Android's `ResXMLTree`, the outer chunk type is not checked (a warning is recorded), the
/// declared header sizes are honoured, and unknown chunks are skipped by their size.
pub fn parse(data: &[u8], limits: &Limits) -> Result<XmlDocument, AxmlError> {
    let mut warnings = Vec::new();
    if data.is_empty() {
        return Err(AxmlError::NotBinaryXml("empty"));
    }
    let first_non_space = data.iter().find(|b| !b.is_ascii_whitespace());
    if first_non_space == Some(&b'<') || data.starts_with(&[0xef, 0xbb, 0xbf]) {
        return Err(AxmlError::NotBinaryXml("text XML"));
    }
    let outer_type = u16_at(data, 0).ok_or(AxmlError::Truncated {
        what: "file header",
        offset: 0,
    })?;
    let outer_header = u16_at(data, 2).ok_or(AxmlError::Truncated {
        what: "file header",
        offset: 2,
    })?;
    let outer_size = u32_at(data, 4).ok_or(AxmlError::Truncated {
        what: "file header",
        offset: 4,
    })?;
    if outer_type != RES_XML_TYPE {
        warnings.push(format!(
            "outer chunk type {outer_type:#06x} is not RES_XML_TYPE; read anyway, as Android does"
        ));
    }
    let mut end = usize::try_from(outer_size).unwrap_or(usize::MAX);
    if end > data.len() {
        return Err(AxmlError::Truncated {
            what: "document (declared size exceeds the data)",
            offset: data.len(),
        });
    }
    if end < 8 {
        warnings.push(format!(
            "outer chunk size {outer_size} too small; using the data length"
        ));
        end = data.len();
    } else if end < data.len() {
        warnings.push(format!(
            "{} trailing bytes after the document ignored",
            data.len().saturating_sub(end)
        ));
    }
    let mut pos = usize::from(outer_header);
    if pos < 8 || pos > end {
        warnings.push(format!("outer header size {outer_header} ignored, using 8"));
        pos = 8;
    }
    let doc_data = data.get(..end).unwrap_or(data);

    let mut b = Builder {
        limits,
        pool: StringPool::default(),
        res_map: &[],
        doc: XmlDocument::default(),
        stack: Vec::new(),
        have_pool: false,
    };

    while pos < end {
        let remaining = end.saturating_sub(pos);
        if remaining < 8 {
            b.doc
                .warnings
                .push(format!("{remaining} stray bytes at {pos:#x} ignored"));
            break;
        }
        let (Some(ctype), Some(csize)) = (
            u16_at(doc_data, pos),
            u32_at(doc_data, pos.saturating_add(4)),
        ) else {
            break;
        };
        let chunk_header = u16_at(doc_data, pos.saturating_add(2)).unwrap_or(0);
        let csize = usize::try_from(csize).unwrap_or(usize::MAX);
        if csize < 8 {
            return Err(AxmlError::Malformed {
                what: "chunk size smaller than a chunk header",
                offset: pos,
            });
        }
        let Some(chunk) = pos.checked_add(csize).and_then(|e| doc_data.get(pos..e)) else {
            return Err(AxmlError::Truncated {
                what: "chunk (declared size exceeds the document)",
                offset: pos,
            });
        };
        match ctype {
            RES_STRING_POOL_TYPE => {
                if b.have_pool {
                    b.doc
                        .warnings
                        .push(format!("second string pool at {pos:#x} ignored"));
                } else {
                    b.pool = StringPool::parse(chunk, pos, limits, &mut b.doc.warnings)?;
                    b.have_pool = true;
                }
            }
            RES_XML_RESOURCE_MAP_TYPE => {
                let hs = usize::from(chunk_header);
                let hs = if (8..=csize).contains(&hs) { hs } else { 8 };
                b.res_map = chunk.get(hs..).unwrap_or(&[]);
            }
            RES_XML_START_NAMESPACE_TYPE | RES_XML_END_NAMESPACE_TYPE => {}
            RES_XML_START_ELEMENT_TYPE | RES_XML_END_ELEMENT_TYPE | RES_XML_CDATA_TYPE => {
                b.node(ctype, chunk, chunk_header, pos)?
            }
            other => b.doc.warnings.push(format!(
                "unknown chunk type {other:#06x} ({csize} bytes) at {pos:#x} skipped"
            )),
        }
        pos = pos.saturating_add(csize);
    }

    let mut doc = b.doc;
    if !b.stack.is_empty() {
        doc.warnings
            .push(format!("{} elements left unclosed", b.stack.len()));
    }
    if outer_type != RES_XML_TYPE && doc.elements.is_empty() && !b.have_pool {
        return Err(AxmlError::NotBinaryXml("no XML chunks found"));
    }
    warnings.append(&mut doc.warnings);
    doc.warnings = warnings;
    Ok(doc)
}

struct Builder<'a, 'l> {
    limits: &'l Limits,
    pool: StringPool<'a>,
    /// The resource map's `u32` ids (attribute name string index -> resource id).
    res_map: &'a [u8],
    doc: XmlDocument,
    /// Open elements (indices into `doc.elements`).
    stack: Vec<usize>,
    have_pool: bool,
}

impl Builder<'_, '_> {
    fn string(&self, idx: u32) -> Option<String> {
        if idx == NO_STRING {
            None
        } else {
            self.pool.get(idx)
        }
    }

    fn resource_id(&self, name_idx: u32) -> Option<u32> {
        let off = usize::try_from(name_idx).ok()?.checked_mul(4)?;
        u32_at(self.res_map, off).filter(|&id| id != 0)
    }

    fn node(
        &mut self,
        ctype: u16,
        chunk: &[u8],
        header_size: u16,
        pos: usize,
    ) -> Result<(), AxmlError> {
        let line = u32_at(chunk, 8).unwrap_or(0);
        let mut hs = usize::from(header_size);
        if hs < NODE_HEADER_SIZE || hs > chunk.len() {
            self.doc.warnings.push(format!(
                "node at {pos:#x}: header size {header_size} ignored, using {NODE_HEADER_SIZE}"
            ));
            hs = NODE_HEADER_SIZE;
        }
        let ext = chunk.get(hs..).unwrap_or(&[]);
        match ctype {
            RES_XML_START_ELEMENT_TYPE => self.start_element(hs, ext, line, pos),
            RES_XML_END_ELEMENT_TYPE => {
                let name = u32_at(ext, 4).and_then(|i| self.string(i));
                match self.stack.pop() {
                    Some(open) => {
                        let open_name = self.doc.elements.get(open).map(|e| e.name.as_str());
                        if let Some(n) = name.as_deref() {
                            if open_name != Some(n) {
                                self.doc.warnings.push(format!(
                                    "end tag </{n}> at {pos:#x} closes <{}>",
                                    open_name.unwrap_or("")
                                ));
                            }
                        }
                    }
                    None => self
                        .doc
                        .warnings
                        .push(format!("unbalanced end tag at {pos:#x} ignored")),
                }
                Ok(())
            }
            _ => {
                // CDATA: the text is a string reference.
                let text = u32_at(ext, 0).and_then(|i| self.string(i));
                match (text, self.stack.last().copied()) {
                    (Some(t), Some(open)) => {
                        if let Some(e) = self.doc.elements.get_mut(open) {
                            e.text.push_str(&t);
                        }
                    }
                    (Some(_), None) => self
                        .doc
                        .warnings
                        .push(format!("character data outside any element at {pos:#x}")),
                    (None, _) => self
                        .doc
                        .warnings
                        .push(format!("unreadable character data at {pos:#x}")),
                }
                Ok(())
            }
        }
    }

    fn start_element(
        &mut self,
        hs: usize,
        ext: &[u8],
        line: u32,
        pos: usize,
    ) -> Result<(), AxmlError> {
        if self.doc.elements.len() >= self.limits.max_xml_elements {
            return Err(AxmlError::LimitExceeded {
                what: "XML elements",
                max: self.limits.max_xml_elements,
            });
        }
        let depth = self.stack.len();
        if depth >= self.limits.max_xml_depth {
            return Err(AxmlError::LimitExceeded {
                what: "XML depth",
                max: self.limits.max_xml_depth,
            });
        }
        let (Some(ns), Some(name), Some(attr_start), Some(attr_size), Some(attr_count)) = (
            u32_at(ext, 0),
            u32_at(ext, 4),
            u16_at(ext, 8),
            u16_at(ext, 10),
            u16_at(ext, 12),
        ) else {
            return Err(AxmlError::Truncated {
                what: "start element",
                offset: pos.saturating_add(hs),
            });
        };
        let name = self.string(name).unwrap_or_else(|| {
            self.doc
                .warnings
                .push(format!("element at {pos:#x} has an unreadable name"));
            String::new()
        });
        let mut stride = usize::from(attr_size);
        if stride < ATTRIBUTE_SIZE {
            self.doc.warnings.push(format!(
                "element <{name}> at {pos:#x}: attribute size {attr_size} ignored, using {ATTRIBUTE_SIZE}"
            ));
            stride = ATTRIBUTE_SIZE;
        }
        let count = usize::from(attr_count);
        // Attributes that fit in the chunk; no allocation sized by the declared count.
        let mut attributes = Vec::with_capacity(count.min(ext.len() / ATTRIBUTE_SIZE));
        let mut off = usize::from(attr_start);
        for i in 0..count {
            let Some(a) = off
                .checked_add(ATTRIBUTE_SIZE)
                .and_then(|e| ext.get(off..e))
            else {
                self.doc.warnings.push(format!(
                    "element <{name}> at {pos:#x}: {} of {count} attributes lie outside the chunk",
                    count.saturating_sub(i)
                ));
                break;
            };
            let a_ns = u32_at(a, 0).unwrap_or(NO_STRING);
            let a_name = u32_at(a, 4).unwrap_or(NO_STRING);
            let a_raw = u32_at(a, 8).unwrap_or(NO_STRING);
            let a_type = a.get(15).copied().unwrap_or(0);
            let a_data = u32_at(a, 16).unwrap_or(0);
            attributes.push(Attribute {
                namespace: self.string(a_ns),
                name: self.string(a_name).unwrap_or_default(),
                resource_id: self.resource_id(a_name),
                raw: self.string(a_raw),
                value: decode_value(a_type, a_data, &self.pool),
            });
            off = off.saturating_add(stride);
        }
        let idx = self.doc.elements.len();
        let parent = self.stack.last().copied();
        if parent.is_none() && idx > 0 {
            self.doc
                .warnings
                .push(format!("second root element <{name}> at {pos:#x}"));
        }
        if let Some(p) = parent.and_then(|p| self.doc.elements.get_mut(p)) {
            p.children.push(idx);
        }
        self.doc.elements.push(Element {
            name,
            namespace: self.string(ns),
            attributes,
            parent,
            children: Vec::new(),
            depth,
            line,
            text: String::new(),
        });
        self.stack.push(idx);
        Ok(())
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
pub(crate) mod tests {
    use super::*;
    use crate::strpool::tests::build_pool;
    use std::io::Read;

    fn chunk(ctype: u16, header_size: u16, header_rest: &[u8], body: &[u8]) -> Vec<u8> {
        let size = 8 + header_rest.len() + body.len();
        let mut out = Vec::new();
        out.extend_from_slice(&ctype.to_le_bytes());
        out.extend_from_slice(&header_size.to_le_bytes());
        out.extend_from_slice(&(size as u32).to_le_bytes());
        out.extend_from_slice(header_rest);
        out.extend_from_slice(body);
        out
    }

    fn le32(v: &[u32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    /// A tiny AXML encoder: strings with resource ids come first (the resource map covers them).
    pub(crate) struct Axml {
        strings: Vec<String>,
        res_ids: Vec<u32>,
        nodes: Vec<u8>,
        line: u32,
    }

    /// One attribute for [`Axml::start`]: (namespace, name, raw, type, data).
    pub(crate) type A<'s> = (Option<&'s str>, &'s str, Option<&'s str>, u8, u32);

    impl Axml {
        pub(crate) fn new(attr_ids: &[(&str, u32)]) -> Axml {
            Axml {
                strings: attr_ids.iter().map(|(n, _)| n.to_string()).collect(),
                res_ids: attr_ids.iter().map(|(_, id)| *id).collect(),
                nodes: Vec::new(),
                line: 1,
            }
        }

        pub(crate) fn s(&mut self, s: &str) -> u32 {
            let found = self.strings.iter().position(|x| x == s);
            let i = found.unwrap_or_else(|| {
                self.strings.push(s.to_string());
                self.strings.len() - 1
            });
            i as u32
        }

        fn opt(&mut self, s: Option<&str>) -> u32 {
            s.map_or(NO_STRING, |s| self.s(s))
        }

        fn node(&mut self, ctype: u16, ext: &[u8]) {
            self.line += 1;
            let rest = le32(&[self.line, NO_STRING]);
            self.nodes.extend(chunk(ctype, 16, &rest, ext));
        }

        pub(crate) fn ns(&mut self, prefix: &str, uri: &str) {
            let ext = le32(&[self.s(prefix), self.s(uri)]);
            self.node(RES_XML_START_NAMESPACE_TYPE, &ext);
        }

        pub(crate) fn start(&mut self, name: &str, attrs: &[A<'_>]) {
            let mut ext = le32(&[NO_STRING, self.s(name)]);
            ext.extend_from_slice(&20u16.to_le_bytes());
            ext.extend_from_slice(&20u16.to_le_bytes());
            ext.extend_from_slice(&(attrs.len() as u16).to_le_bytes());
            ext.extend_from_slice(&[0; 6]);
            for (ns, n, raw, ty, data) in attrs {
                let ns = self.opt(*ns);
                let n = self.s(n);
                let raw = self.opt(*raw);
                ext.extend(le32(&[ns, n, raw]));
                ext.extend_from_slice(&8u16.to_le_bytes());
                ext.push(0);
                ext.push(*ty);
                ext.extend(data.to_le_bytes());
            }
            self.node(RES_XML_START_ELEMENT_TYPE, &ext);
        }

        pub(crate) fn end(&mut self, name: &str) {
            let ext = le32(&[NO_STRING, self.s(name)]);
            self.node(RES_XML_END_ELEMENT_TYPE, &ext);
        }

        pub(crate) fn cdata(&mut self, text: &str) {
            let mut ext = le32(&[self.s(text)]);
            ext.extend_from_slice(&[8, 0, 0, 0, 0, 0, 0, 0]);
            self.node(RES_XML_CDATA_TYPE, &ext);
        }

        /// The pool, resource map and node chunks, without the outer header.
        pub(crate) fn body(&self, utf8: bool) -> Vec<u8> {
            let strs: Vec<&str> = self.strings.iter().map(String::as_str).collect();
            let mut body = build_pool(&strs, utf8);
            body.extend(chunk(
                RES_XML_RESOURCE_MAP_TYPE,
                8,
                &[],
                &le32(&self.res_ids),
            ));
            body.extend_from_slice(&self.nodes);
            body
        }

        pub(crate) fn finish(&self, utf8: bool) -> Vec<u8> {
            chunk(RES_XML_TYPE, 8, &[], &self.body(utf8))
        }
    }

    const EXPORTED: u32 = 0x0101_0010;
    const NAME: u32 = 0x0101_0003;

    /// `<manifest package="com.example"><application><activity android:name=".Main"
    /// android:exported="true"/></application></manifest>` with the given attribute name strings.
    fn sample(exported_name: &str, name_name: &str) -> Axml {
        let mut x = Axml::new(&[(name_name, NAME), (exported_name, EXPORTED)]);
        x.ns("android", ANDROID_NS);
        x.start(
            "manifest",
            &[(None, "package", Some("com.example"), res_type::STRING, 0)],
        );
        // Fix up the string data index of "package"'s value: it is the raw string's index.
        x.start("application", &[]);
        x.start(
            "activity",
            &[
                (
                    Some(ANDROID_NS),
                    name_name,
                    Some(".Main"),
                    res_type::STRING,
                    0,
                ),
                (
                    Some(ANDROID_NS),
                    exported_name,
                    None,
                    res_type::INT_BOOLEAN,
                    0xffff_ffff,
                ),
            ],
        );
        x.end("activity");
        x.cdata("hello");
        x.end("application");
        x.end("manifest");
        x
    }

    /// Like [`sample`] but with string-typed values pointing at their raw strings.
    fn sample_bytes(exported_name: &str, name_name: &str, utf8: bool) -> Vec<u8> {
        let mut x = sample(exported_name, name_name);
        let pkg = x.s("com.example");
        let main = x.s(".Main");
        let mut bytes = x.finish(utf8);
        // Patch the typed data of the two string attributes (written as 0) to the string index.
        patch_string_data(&mut bytes, pkg, main);
        bytes
    }

    fn patch_string_data(bytes: &mut [u8], pkg: u32, main: u32) {
        let doc = parse(bytes, &Limits::default()).unwrap();
        assert!(!doc.elements.is_empty());
        // Find attribute records: type byte 0x03 with data 0 following raw index == pkg/main.
        let mut i = 0;
        while i + 20 <= bytes.len() {
            let raw = u32::from_le_bytes(bytes[i + 8..i + 12].try_into().unwrap());
            if bytes[i + 15] == res_type::STRING
                && bytes[i + 12..i + 14] == [8, 0]
                && (raw == pkg || raw == main)
            {
                bytes[i + 16..i + 20].copy_from_slice(&raw.to_le_bytes());
                i += 20;
            } else {
                i += 1;
            }
        }
    }

    fn check_sample(doc: &XmlDocument) {
        let root = doc.root().unwrap();
        assert_eq!(root.name, "manifest");
        assert_eq!(
            root.plain_attr("package").unwrap().value,
            Value::String("com.example".into())
        );
        let (app_idx, app) = doc.children(0).next().unwrap();
        assert_eq!(app.name, "application");
        assert_eq!(app.depth, 1);
        assert_eq!(app.text, "hello");
        let (_, act) = doc.children(app_idx).next().unwrap();
        assert_eq!(act.name, "activity");
        assert_eq!(act.parent, Some(app_idx));
        assert_eq!(act.depth, 2);
        let exported = act.android_attr(EXPORTED, "exported").unwrap();
        assert_eq!(exported.value, Value::Bool(true));
        assert_eq!(exported.namespace.as_deref(), Some(ANDROID_NS));
        let name = act.android_attr(NAME, "name").unwrap();
        assert_eq!(name.value, Value::String(".Main".into()));
        assert_eq!(name.raw.as_deref(), Some(".Main"));
    }

    #[test]
    fn parses_utf16_and_utf8_documents() {
        for utf8 in [false, true] {
            let doc = parse(&sample_bytes("exported", "name", utf8), &Limits::default()).unwrap();
            assert_eq!(doc.elements.len(), 3);
            assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
            check_sample(&doc);
            assert!(doc.elements[2].line > doc.elements[0].line);
        }
    }

    #[test]
    fn obfuscated_attribute_names_resolve_by_resource_id() {
        let doc = parse(&sample_bytes("", "\u{1}x", false), &Limits::default()).unwrap();
        check_sample(&doc);
        let act = &doc.elements[2];
        assert_eq!(act.attributes[1].resource_id, Some(EXPORTED));
        assert_eq!(act.attributes[1].name, "");
    }

    #[test]
    fn unknown_chunk_is_skipped_with_a_warning() {
        let x = sample("exported", "name");
        let body = x.body(false);
        // Insert an unknown chunk right after the string pool.
        let pool_size = u32::from_le_bytes(body[4..8].try_into().unwrap()) as usize;
        let mut with = body[..pool_size].to_vec();
        with.extend(chunk(0x7777, 8, &[], &[1, 2, 3, 4, 5, 6, 7, 8]));
        with.extend_from_slice(&body[pool_size..]);
        let bytes = chunk(RES_XML_TYPE, 8, &[], &with);
        let doc = parse(&bytes, &Limits::default()).unwrap();
        assert_eq!(doc.elements.len(), 3);
        assert!(doc.warnings.iter().any(|w| w.contains("0x7777")));
    }

    #[test]
    fn string_pool_header_size_plus_four_is_honoured() {
        let bytes = sample_bytes("exported", "name", false);
        // Grow the pool header by four bytes, as a packer would: header size, chunk size and
        // strings start all move by four.
        let pool_at = 8;
        let mut out = bytes[..pool_at + 28].to_vec();
        out.extend_from_slice(&[0xaa; 4]);
        out.extend_from_slice(&bytes[pool_at + 28..]);
        let add = |out: &mut Vec<u8>, at: usize, n: u32, wide: bool| {
            if wide {
                let v = u32::from_le_bytes(out[at..at + 4].try_into().unwrap()) + n;
                out[at..at + 4].copy_from_slice(&v.to_le_bytes());
            } else {
                let v = u16::from_le_bytes(out[at..at + 2].try_into().unwrap()) + n as u16;
                out[at..at + 2].copy_from_slice(&v.to_le_bytes());
            }
        };
        add(&mut out, 4, 4, true); // document size
        add(&mut out, pool_at + 2, 4, false); // pool header size
        add(&mut out, pool_at + 4, 4, true); // pool size
        add(&mut out, pool_at + 20, 4, true); // strings start
        let doc = parse(&out, &Limits::default()).unwrap();
        check_sample(&doc);
    }

    #[test]
    fn zeroed_or_garbage_outer_type_is_tolerated() {
        for t in [0u16, 0x1234] {
            let mut bytes = sample_bytes("exported", "name", false);
            bytes[0..2].copy_from_slice(&t.to_le_bytes());
            let doc = parse(&bytes, &Limits::default()).unwrap();
            check_sample(&doc);
            assert!(doc.warnings.iter().any(|w| w.contains("outer chunk type")));
        }
    }

    #[test]
    fn bogus_node_header_size_is_tolerated() {
        let mut bytes = sample_bytes("exported", "name", false);
        // Every node chunk's header size set to 3 (nonsense): read with the standard 16.
        let pool_size = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let mut pos = 8 + pool_size;
        while pos + 8 <= bytes.len() {
            let t = u16::from_le_bytes(bytes[pos..pos + 2].try_into().unwrap());
            let size = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
            if (0x100..=0x104).contains(&t) {
                bytes[pos + 2..pos + 4].copy_from_slice(&3u16.to_le_bytes());
            }
            pos += size;
        }
        let doc = parse(&bytes, &Limits::default()).unwrap();
        check_sample(&doc);
        assert!(doc.warnings.iter().any(|w| w.contains("header size 3")));
    }

    #[test]
    fn unbalanced_end_tags_are_tolerated() {
        let mut x = Axml::new(&[]);
        x.end("stray");
        x.start("a", &[]);
        x.start("b", &[]);
        x.end("a");
        x.end("a");
        x.end("a");
        x.start("c", &[]);
        let doc = parse(&x.finish(true), &Limits::default()).unwrap();
        let names: Vec<_> = doc.elements.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(doc.elements[1].parent, Some(0));
        assert_eq!(doc.elements[2].parent, None);
        assert!(doc.warnings.iter().any(|w| w.contains("unbalanced")));
        assert!(doc.warnings.iter().any(|w| w.contains("unclosed")));
    }

    #[test]
    fn typed_values_decode() {
        let mut x = Axml::new(&[]);
        let attrs: Vec<(&str, u8, u32)> = vec![
            ("null", res_type::NULL, 0),
            ("ref", res_type::REFERENCE, 0x7f0f_0001),
            ("attr", res_type::ATTRIBUTE, 0x0101_0000),
            ("float", res_type::FLOAT, 1.5f32.to_bits()),
            ("dim", res_type::DIMENSION, 0x1001),
            ("frac", res_type::FRACTION, 0x2002),
            ("dec", res_type::INT_DEC, (-5i32) as u32),
            ("hex", res_type::INT_HEX, 0xabc),
            ("false", res_type::INT_BOOLEAN, 0),
            ("true", res_type::INT_BOOLEAN, 1),
            ("color", res_type::INT_COLOR_ARGB8, 0xff00_ff00),
            ("rgb4", res_type::INT_COLOR_RGB4, 0xf0f),
            ("dynref", res_type::DYNAMIC_REFERENCE, 0x0001_0002),
            ("odd", 0x42, 7),
            ("badstr", res_type::STRING, 9999),
        ];
        let a: Vec<A<'_>> = attrs
            .iter()
            .map(|(n, t, d)| (None, *n, None, *t, *d))
            .collect();
        x.start("v", &a);
        let doc = parse(&x.finish(false), &Limits::default()).unwrap();
        let got: Vec<Value> = doc.elements[0]
            .attributes
            .iter()
            .map(|a| a.value.clone())
            .collect();
        assert_eq!(
            got,
            vec![
                Value::Null,
                Value::Reference(0x7f0f_0001),
                Value::AttributeRef(0x0101_0000),
                Value::Float(1.5),
                Value::Dimension(0x1001),
                Value::Fraction(0x2002),
                Value::IntDec(-5),
                Value::IntHex(0xabc),
                Value::Bool(false),
                Value::Bool(true),
                Value::Color(0xff00_ff00),
                Value::Color(0xf0f),
                Value::Reference(0x0001_0002),
                Value::Other(0x42, 7),
                Value::Other(res_type::STRING, 9999),
            ]
        );
    }

    #[test]
    fn depth_and_element_limits() {
        let mut x = Axml::new(&[]);
        for _ in 0..10 {
            x.start("d", &[]);
        }
        let bytes = x.finish(true);
        let deep = Limits {
            max_xml_depth: 5,
            ..Limits::default()
        };
        assert_eq!(
            parse(&bytes, &deep),
            Err(AxmlError::LimitExceeded {
                what: "XML depth",
                max: 5
            })
        );
        let many = Limits {
            max_xml_elements: 9,
            ..Limits::default()
        };
        assert!(matches!(
            parse(&bytes, &many),
            Err(AxmlError::LimitExceeded {
                what: "XML elements",
                ..
            })
        ));
        assert_eq!(
            parse(&bytes, &Limits::default()).unwrap().elements.len(),
            10
        );
    }

    #[test]
    fn huge_attribute_count_is_bounded_by_the_chunk() {
        let mut x = Axml::new(&[]);
        x.start("e", &[(None, "a", None, res_type::INT_DEC, 1)]);
        let mut bytes = x.finish(true);
        // attributeCount is at ext+12; ext starts 16 bytes into the last chunk; attributeSize 0.
        let node_at = bytes.len() - (16 + 20 + 20);
        bytes[node_at + 16 + 10..node_at + 16 + 12].copy_from_slice(&0u16.to_le_bytes());
        bytes[node_at + 16 + 12..node_at + 16 + 14].copy_from_slice(&0xffffu16.to_le_bytes());
        let doc = parse(&bytes, &Limits::default()).unwrap();
        assert_eq!(doc.elements[0].attributes.len(), 1);
        assert!(doc.warnings.iter().any(|w| w.contains("outside the chunk")));
    }

    #[test]
    fn not_binary_xml() {
        assert_eq!(
            parse(b"", &Limits::default()),
            Err(AxmlError::NotBinaryXml("empty"))
        );
        assert_eq!(
            parse(b"<?xml version=\"1.0\"?><a/>", &Limits::default()),
            Err(AxmlError::NotBinaryXml("text XML"))
        );
        assert!(parse(&[0x03, 0x00, 0x08, 0x00], &Limits::default()).is_err());
    }

    #[test]
    fn truncation_and_mutation_never_panic() {
        let bytes = sample_bytes("exported", "name", false);
        for cut in 0..bytes.len() {
            let _ = parse(&bytes[..cut], &Limits::default());
            // Also with the outer size fixed up, so the inner chunks get truncated.
            let mut t = bytes[..cut].to_vec();
            if t.len() >= 8 {
                let n = t.len() as u32;
                t[4..8].copy_from_slice(&n.to_le_bytes());
                let _ = parse(&t, &Limits::default());
            }
        }
        let mut state = 0x1234_5678u32;
        for _ in 0..3000 {
            let mut m = bytes.clone();
            for _ in 0..3 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let at = state as usize % m.len();
                m[at] = (state >> 24) as u8;
            }
            let _ = parse(&m, &Limits::default());
        }
    }

    // ---- corpus ----

    pub(crate) fn corpus_dir() -> std::path::PathBuf {
        std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpus"
        ))
    }

    pub(crate) fn read_entry(apk: &std::path::Path, name: &str) -> Option<Vec<u8>> {
        let file = std::fs::File::open(apk).ok()?;
        let mut zip = ::zip::ZipArchive::new(file).ok()?;
        let mut entry = zip.by_name(name).ok()?;
        let mut out = Vec::new();
        entry.read_to_end(&mut out).ok()?;
        Some(out)
    }

    fn int_attr(e: &Element, id: u32, name: &str) -> Option<i64> {
        match &e.android_attr(id, name)?.value {
            Value::IntDec(v) => Some(i64::from(*v)),
            Value::IntHex(v) => Some(i64::from(*v)),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    #[test]
    fn corpus_manifests_match_manifest_tsv() {
        let dir = corpus_dir();
        let Ok(tsv) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) else {
            eprintln!("corpus not present; skipped");
            return;
        };
        let mut lines = tsv.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
        let (c_file, c_platform, c_id, c_min, c_target, c_exp) = (
            col("filename"),
            col("platform"),
            col("app_id"),
            col("min_os"),
            col("target_sdk"),
            col("exported(total/exported)"),
        );
        let mut checked = 0;
        for line in lines {
            let f: Vec<&str> = line.split('\t').collect();
            if f[c_platform] != "android" {
                continue;
            }
            let apk = dir.join("apps").join(f[c_file]);
            let Some(bytes) = read_entry(&apk, "AndroidManifest.xml") else {
                eprintln!("{} missing; skipped", f[c_file]);
                continue;
            };
            let doc =
                parse(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", f[c_file]));
            let root = doc.root().unwrap();
            assert_eq!(root.name, "manifest", "{}", f[c_file]);
            assert_eq!(
                root.plain_attr("package").map(|a| a.value.clone()),
                Some(Value::String(f[c_id].to_string())),
                "{}",
                f[c_file]
            );
            let uses_sdk = doc.children(0).find(|(_, e)| e.name == "uses-sdk");
            let min = uses_sdk.and_then(|(_, e)| int_attr(e, 0x0101_020c, "minSdkVersion"));
            let target = uses_sdk.and_then(|(_, e)| int_attr(e, 0x0101_0270, "targetSdkVersion"));
            assert_eq!(
                min.map(|v| v.to_string()).as_deref(),
                Some(f[c_min]),
                "{}",
                f[c_file]
            );
            let target = target.map_or("None".to_string(), |v| v.to_string());
            assert_eq!(target, f[c_target], "{}", f[c_file]);
            let activities = doc.elements.iter().filter(|e| e.name == "activity").count();
            let expected = f[c_exp]
                .split(' ')
                .find_map(|p| p.strip_prefix("activity="))
                .and_then(|p| p.split('/').next())
                .map_or(0, |n| n.parse::<usize>().unwrap());
            assert_eq!(activities, expected, "{}", f[c_file]);
            checked += 1;
        }
        assert!(checked > 0 || !dir.join("apps").exists());
    }

    #[test]
    fn corpus_res_xml_files_parse() {
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
            let Ok(file) = std::fs::File::open(&apk) else {
                continue;
            };
            let Ok(mut zip) = ::zip::ZipArchive::new(file) else {
                continue;
            };
            let names: Vec<String> = zip
                .file_names()
                .filter_map(|n| n.ok().map(|n| n.to_string()))
                .filter(|n| n.starts_with("res/xml") && n.ends_with(".xml"))
                .collect();
            for name in names {
                let mut bytes = Vec::new();
                zip.by_name(&name).unwrap().read_to_end(&mut bytes).unwrap();
                let doc = parse(&bytes, &Limits::default())
                    .unwrap_or_else(|e| panic!("{}!{name}: {e}", apk.display()));
                assert!(doc.root().is_some(), "{}!{name}", apk.display());
                n += 1;
            }
        }
        eprintln!("{n} res/xml files parsed");
    }

    /// Element names in document order from `aapt dump xmltree`, or `None` without aapt.
    fn aapt_element_names(apk: &std::path::Path, entry: &str) -> Option<Vec<String>> {
        let out = std::process::Command::new("aapt")
            .args(["dump", "xmltree"])
            .arg(apk)
            .arg(entry)
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        Some(
            text.lines()
                .filter_map(|l| l.trim_start().strip_prefix("E: "))
                .map(|l| l.split(' ').next().unwrap_or("").to_string())
                .map(|n| n.rsplit(':').next().unwrap_or("").to_string())
                .collect(),
        )
    }

    #[test]
    fn corpus_element_trees_match_aapt() {
        let dir = corpus_dir().join("apps");
        let Ok(rd) = std::fs::read_dir(&dir) else {
            eprintln!("corpus not present; skipped");
            return;
        };
        let mut checked = 0;
        for apk in rd.flatten().map(|e| e.path()) {
            if apk.extension().and_then(|e| e.to_str()) != Some("apk") {
                continue;
            }
            for entry in ["AndroidManifest.xml", "res/xml/network_security_config.xml"] {
                let Some(bytes) = read_entry(&apk, entry) else {
                    continue;
                };
                let Some(expected) = aapt_element_names(&apk, entry) else {
                    eprintln!("aapt unavailable; skipped");
                    return;
                };
                let doc = parse(&bytes, &Limits::default()).unwrap();
                let ours: Vec<&str> = doc.elements.iter().map(|e| e.name.as_str()).collect();
                assert_eq!(ours, expected, "{}!{entry}", apk.display());
                checked += 1;
            }
        }
        eprintln!("{checked} documents match aapt");
    }

    #[test]
    fn androgoat_network_security_config_reads() {
        let apk = corpus_dir().join("apps/androgoat-AndroGoat.apk");
        let Some(bytes) = read_entry(&apk, "res/xml/network_security_config.xml") else {
            eprintln!("corpus not present; skipped");
            return;
        };
        let doc = parse(&bytes, &Limits::default()).unwrap();
        let root = doc.root().unwrap();
        assert_eq!(root.name, "network-security-config");
        let base = doc
            .elements
            .iter()
            .find(|e| e.name == "base-config")
            .unwrap();
        assert_eq!(
            base.plain_attr("cleartextTrafficPermitted")
                .map(|a| &a.value),
            Some(&Value::Bool(true))
        );
    }
}

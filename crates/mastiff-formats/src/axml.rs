//! Android binary XML (AXML): `AndroidManifest.xml` and compiled `res/xml/*` files.
//!
//! Attributes are identified by their resource id when the file's resource map gives one (this is
//! how Android itself reads them: attribute *names* may be stripped or renamed by obfuscators).
//! The reader tolerates what Android tolerates: bogus chunk header sizes, unknown chunks, a zeroed
//! outer chunk type.

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

/// Parses a binary XML document.
pub fn parse(data: &[u8], limits: &Limits) -> Result<XmlDocument, AxmlError> {
    let _ = (data, limits);
    Err(AxmlError::NotBinaryXml("reader not implemented yet"))
}

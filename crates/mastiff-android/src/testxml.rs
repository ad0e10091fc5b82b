//! Test helper: text XML to the [`XmlDocument`] model, with `android:` attributes given their
//! framework resource ids, so manifest and NSC semantics can be tested without building APKs.
//!
//! Values are typed the way aapt types them: `true`/`false` become `Bool`, integers `IntDec`,
//! `0x..` `IntHex`, `@type/name` a `Reference` to a fake id ([`fake_id`]), everything else a
//! `String`. Framework attributes whose format is `string` (`android:name`, `android:port`...)
//! stay strings, as aapt keeps them.

use std::collections::HashMap;

use mastiff_formats::axml::{Attribute, Element, Value, XmlDocument, ANDROID_NS};

use crate::{attrs, Resources};

/// A stable fake resource id for `@type/name` (package 0x7f; `@android:type/name` gets 0x01).
pub(crate) fn fake_id(reference: &str) -> u32 {
    let body = reference.trim_start_matches('@');
    let (package, body) = match body.strip_prefix("android:") {
        Some(rest) => (0x01u32, rest),
        None => (0x7f, body),
    };
    let (ty, name) = body.split_once('/').unwrap_or(("", body));
    let type_id: u32 = match ty {
        "attr" => 1,
        "bool" => 2,
        "xml" => 3,
        "raw" => 4,
        "string" => 5,
        "integer" => 6,
        "drawable" => 7,
        _ => 8,
    };
    // FNV-1a over the entry name: collisions are improbable among the few names a test uses.
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    (package << 24) | (type_id << 16) | (h & 0xffff)
}

/// A resource resolver backed by `(reference, default value)` pairs, e.g.
/// `("@xml/nsc", Value::String("res/xml/nsc.xml".into()))`.
pub(crate) fn resources(entries: &[(&str, Value)]) -> Resources<'static> {
    let mut res = Resources::none();
    let mut fake = HashMap::new();
    for (reference, value) in entries {
        let body = reference.trim_start_matches('@');
        let (ty, name) = body.split_once('/').unwrap_or(("", body));
        fake.insert(
            fake_id(reference),
            (ty.to_string(), name.to_string(), value.clone()),
        );
    }
    res.fake = fake;
    res
}

/// [`resources`] plus values for other configurations: `(reference, config, value)`.
pub(crate) fn resources_with_configs(
    entries: &[(&str, Value)],
    configs: &[(&str, &str, Value)],
) -> Resources<'static> {
    let mut res = resources(entries);
    res.fake_configs = configs
        .iter()
        .map(|(r, c, v)| (fake_id(r), (*c).to_string(), v.clone()))
        .collect();
    res
}

fn typed_value(resource_id: Option<u32>, text: &str) -> Value {
    if let Some(r) = text.strip_prefix('@') {
        if r.contains('/') {
            return Value::Reference(fake_id(text));
        }
    }
    if resource_id.is_some_and(attrs::is_string_format) {
        return Value::String(text.to_string());
    }
    match text {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    if let Some(h) = text.strip_prefix("0x") {
        if let Ok(n) = u32::from_str_radix(h, 16) {
            return Value::IntHex(n);
        }
    }
    if let Ok(n) = text.parse::<i32>() {
        return Value::IntDec(n);
    }
    Value::String(text.to_string())
}

/// Parses text XML into the binary-XML model. Panics on malformed XML (tests only).
pub(crate) fn parse(xml: &str) -> XmlDocument {
    let doc = roxmltree::Document::parse(xml).expect("test XML parses");
    let mut out = XmlDocument::default();
    add(&mut out, doc.root_element(), None, 0);
    out
}

fn add(out: &mut XmlDocument, node: roxmltree::Node<'_, '_>, parent: Option<usize>, depth: usize) {
    let idx = out.elements.len();
    let attributes = node
        .attributes()
        .map(|a| {
            let namespace = a.namespace().map(str::to_string);
            let resource_id = if namespace.as_deref() == Some(ANDROID_NS) {
                attrs::by_name(a.name())
            } else {
                None
            };
            Attribute {
                namespace,
                name: a.name().to_string(),
                resource_id,
                raw: Some(a.value().to_string()),
                value: typed_value(resource_id, a.value()),
            }
        })
        .collect();
    let text: String = node
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    out.elements.push(Element {
        name: node.tag_name().name().to_string(),
        namespace: node.tag_name().namespace().map(str::to_string),
        attributes,
        parent,
        children: Vec::new(),
        depth,
        line: node.document().text_pos_at(node.range().start).row,
        text,
    });
    if let Some(p) = parent {
        out.elements[p].children.push(idx);
    }
    for child in node.children().filter(|c| c.is_element()) {
        add(out, child, Some(idx), depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_tree_with_ids_and_types() {
        let doc = parse(
            r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="a.b">
                 <application android:debuggable="true" android:networkSecurityConfig="@xml/nsc">
                   <activity android:name=".Main" android:launchMode="2" android:port="80"/>
                 </application>
               </manifest>"#,
        );
        assert_eq!(doc.elements.len(), 3);
        let app = &doc.elements[1];
        assert_eq!(app.parent, Some(0));
        assert_eq!(app.children, vec![2]);
        assert_eq!(app.depth, 1);
        let dbg = app.android_attr(attrs::DEBUGGABLE, "debuggable").unwrap();
        assert_eq!(dbg.value, Value::Bool(true));
        let nsc = app
            .android_attr(attrs::NETWORK_SECURITY_CONFIG, "networkSecurityConfig")
            .unwrap();
        assert_eq!(nsc.value, Value::Reference(fake_id("@xml/nsc")));
        let act = &doc.elements[2];
        assert_eq!(
            act.android_attr(attrs::LAUNCH_MODE, "launchMode")
                .unwrap()
                .value,
            Value::IntDec(2)
        );
        assert_eq!(
            act.android_attr(attrs::PORT, "port").unwrap().value,
            Value::String("80".into())
        );
        assert_eq!(
            doc.elements[0].plain_attr("package").unwrap().value,
            Value::String("a.b".into())
        );
    }

    #[test]
    fn text_is_collected() {
        let doc = parse("<pin-set><pin digest=\"SHA-256\"> abc= </pin></pin-set>");
        assert_eq!(doc.elements[1].text, " abc= ");
        assert_eq!(
            doc.elements[1].plain_attr("digest").unwrap().value,
            Value::String("SHA-256".into())
        );
    }

    #[test]
    fn fake_ids_are_distinct_per_type_and_name() {
        assert_ne!(fake_id("@xml/a"), fake_id("@raw/a"));
        assert_ne!(fake_id("@xml/a"), fake_id("@xml/b"));
        assert_eq!(fake_id("@xml/a") >> 24, 0x7f);
        assert_eq!(fake_id("@android:style/x") >> 24, 0x01);
    }
}

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]

use super::*;

/// A minimal dex: header only, no tables.
fn empty_dex(version: &[u8; 3]) -> Vec<u8> {
    let mut d = vec![0u8; HEADER_SIZE];
    d[..4].copy_from_slice(b"dex\n");
    d[4..7].copy_from_slice(version);
    d[0x20..0x24].copy_from_slice(&(HEADER_SIZE as u32).to_le_bytes());
    d[0x24..0x28].copy_from_slice(&(HEADER_SIZE as u32).to_le_bytes());
    d[0x28..0x2c].copy_from_slice(&ENDIAN_CONSTANT.to_le_bytes());
    d
}

#[test]
fn leb128() {
    let mut p = 0;
    assert_eq!(read_uleb128(&[0xe5, 0x8e, 0x26], &mut p), Ok(624_485));
    assert_eq!(p, 3);
    let mut p = 0;
    assert_eq!(read_sleb128(&[0x7f], &mut p), Ok(-1));
    let mut p = 0;
    assert_eq!(read_sleb128(&[0x80, 0x7f], &mut p), Ok(-128));
    let mut p = 0;
    assert_eq!(
        read_uleb128(&[0xff, 0xff, 0xff, 0xff, 0x0f], &mut p),
        Ok(u32::MAX)
    );
    let mut p = 0;
    assert!(read_uleb128(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], &mut p).is_err());
    let mut p = 0;
    assert!(read_uleb128(&[0x80], &mut p).is_err());
}

#[test]
fn header_versions_and_errors() {
    for v in [b"035", b"037", b"038", b"039", b"040", b"041"] {
        let d = empty_dex(v);
        let dex = Dex::parse(&d).unwrap();
        assert!(dex.warnings().is_empty(), "{:?}", dex.warnings());
        assert_eq!(dex.class_defs().count(), 0);
    }
    assert_eq!(Dex::parse(&empty_dex(b"035")).unwrap().version(), 35);
    assert!(matches!(
        Dex::parse(&empty_dex(b"034")),
        Err(DexError::UnsupportedVersion(_))
    ));
    assert!(matches!(
        Dex::parse(&empty_dex(b"0a5")),
        Err(DexError::UnsupportedVersion(_))
    ));
    assert!(matches!(Dex::parse(b"PK\x03\x04"), Err(DexError::BadMagic)));
    let mut d = empty_dex(b"035");
    d[0x28..0x2c].copy_from_slice(&REVERSE_ENDIAN_CONSTANT.to_le_bytes());
    assert!(matches!(Dex::parse(&d), Err(DexError::BadEndian(_))));
    // Huge string_ids_size is rejected before anything is allocated.
    let mut d = empty_dex(b"035");
    d[0x38..0x3c].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    d[0x3c..0x40].copy_from_slice(&0x70u32.to_le_bytes());
    assert!(matches!(Dex::parse(&d), Err(DexError::Truncated { .. })));
    // file_size disagreeing with the data is a warning.
    let mut d = empty_dex(b"035");
    d.extend_from_slice(&[0; 8]);
    assert_eq!(Dex::parse(&d).unwrap().warnings().len(), 1);
    // Truncated header.
    assert!(Dex::parse(&empty_dex(b"035")[..0x40]).is_err());
}

#[test]
fn strings_and_bad_indices() {
    // One string "hi" and one MUTF-8 NUL string, data after the table.
    let mut d = empty_dex(b"035");
    d[0x38..0x3c].copy_from_slice(&3u32.to_le_bytes());
    d[0x3c..0x40].copy_from_slice(&0x70u32.to_le_bytes());
    let data_off = 0x70 + 12;
    d.extend_from_slice(&(data_off as u32).to_le_bytes());
    d.extend_from_slice(&((data_off + 4) as u32).to_le_bytes());
    d.extend_from_slice(&((data_off + 8) as u32).to_le_bytes());
    d.extend_from_slice(&[2, b'h', b'i', 0]);
    d.extend_from_slice(&[1, 0xc0, 0x80, 0]);
    // Last string claims 100 UTF-16 units and has no NUL before the end of the file.
    d.extend_from_slice(&[100, b'x', b'y']);
    let dex = Dex::parse(&d).unwrap();
    assert_eq!(dex.string(0).unwrap(), "hi");
    assert_eq!(dex.string(1).unwrap(), "\0");
    assert!(dex.string(2).is_err());
    assert!(matches!(dex.string(3), Err(DexError::BadIndex { .. })));
    assert!(dex.type_descriptor(0).is_err());
    assert!(dex.method(0).is_err());
    assert!(dex.class_def(0).is_err());
}

fn value(bytes: &[u8]) -> Result<EncodedValue> {
    let mut d = empty_dex(b"035");
    let off = d.len();
    d.extend_from_slice(bytes);
    let dex = Dex::parse(&d).unwrap();
    let mut pos = off;
    dex.read_encoded_value(&mut pos, 0)
}

#[test]
fn encoded_values() {
    assert_eq!(value(&[0x00, 0xff]), Ok(EncodedValue::Byte(-1)));
    assert_eq!(value(&[0x22, 0x00, 0x80]), Ok(EncodedValue::Short(-32768)));
    assert_eq!(value(&[0x03, 0x41]), Ok(EncodedValue::Char(0x41)));
    // int 0x80 in one byte is sign-extended to -128
    assert_eq!(value(&[0x04, 0x80]), Ok(EncodedValue::Int(-128)));
    assert_eq!(value(&[0x24, 0x80, 0x00]), Ok(EncodedValue::Int(128)));
    assert_eq!(value(&[0x06, 0x01]), Ok(EncodedValue::Long(1)));
    // float 2.0 = 0x40000000 stored as its top byte only
    assert_eq!(value(&[0x10, 0x40]), Ok(EncodedValue::Float(2.0)));
    assert_eq!(value(&[0x11, 0x40]), Ok(EncodedValue::Double(2.0)));
    assert_eq!(value(&[0x17, 0x05]), Ok(EncodedValue::String(5)));
    assert_eq!(value(&[0x3f]), Ok(EncodedValue::Boolean(true)));
    assert_eq!(value(&[0x1e]), Ok(EncodedValue::Null));
    assert_eq!(
        value(&[0x1c, 2, 0x1f, 0x17, 0x01]),
        Ok(EncodedValue::Array(vec![
            EncodedValue::Boolean(false),
            EncodedValue::String(1)
        ]))
    );
    assert_eq!(
        value(&[0x1d, 3, 1, 7, 0x04, 9]),
        Ok(EncodedValue::Annotation(EncodedAnnotation {
            type_idx: 3,
            elements: vec![(7, EncodedValue::Int(9))]
        }))
    );
    // Bad type, too wide a size, truncation.
    assert!(value(&[0x01]).is_err());
    assert!(value(&[0xe4, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
    assert!(value(&[0x64, 0x00]).is_err());
    // Huge array count: rejected before allocating.
    assert!(value(&[0x1c, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
    // Deep nesting: capped.
    let mut deep = Vec::new();
    for _ in 0..10_000 {
        deep.extend_from_slice(&[0x1c, 1]);
    }
    deep.push(0x1e);
    assert!(matches!(value(&deep), Err(DexError::LimitExceeded { .. })));
}

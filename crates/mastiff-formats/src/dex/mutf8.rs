//! Modified UTF-8 (the DEX `string_data_item` encoding), decoded lossily.
//!
//! MUTF-8 differs from UTF-8 in two ways: U+0000 is written as `C0 80`, and characters outside the
//! BMP are written as two 3-byte surrogates (CESU-8) instead of one 4-byte sequence. Decoding goes
//! through UTF-16 code units so surrogate pairs join up naturally; anything malformed becomes
//! U+FFFD. Plain ASCII / valid UTF-8 strings (the overwhelming majority) are borrowed.

use std::borrow::Cow;

/// Decodes MUTF-8 bytes (without the terminating NUL). Never fails, never panics.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    // Valid UTF-8 without `C0 80` and without surrogates is identical in MUTF-8; `from_utf8`
    // rejects both of those (overlong and surrogate encodings), so it is a correct fast path.
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(decode_slow(bytes))
}

fn decode_slow(bytes: &[u8]) -> String {
    let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
    let mut i = 0usize;
    while let Some(&b0) = bytes.get(i) {
        let cont = |k: usize| bytes.get(k).copied().filter(|b| b & 0xc0 == 0x80);
        if b0 < 0x80 {
            units.push(u16::from(b0));
            i += 1;
        } else if b0 & 0xe0 == 0xc0 {
            match cont(i + 1) {
                Some(b1) => {
                    units.push((u16::from(b0 & 0x1f) << 6) | u16::from(b1 & 0x3f));
                    i += 2;
                }
                None => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else if b0 & 0xf0 == 0xe0 {
            match (cont(i + 1), cont(i + 2)) {
                (Some(b1), Some(b2)) => {
                    units.push(
                        (u16::from(b0 & 0x0f) << 12)
                            | (u16::from(b1 & 0x3f) << 6)
                            | u16::from(b2 & 0x3f),
                    );
                    i += 3;
                }
                _ => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else if b0 & 0xf8 == 0xf0 {
            // Not legal MUTF-8, but some tools write real UTF-8 4-byte sequences: accept them.
            match (cont(i + 1), cont(i + 2), cont(i + 3)) {
                (Some(b1), Some(b2), Some(b3)) => {
                    let cp = (u32::from(b0 & 0x07) << 18)
                        | (u32::from(b1 & 0x3f) << 12)
                        | (u32::from(b2 & 0x3f) << 6)
                        | u32::from(b3 & 0x3f);
                    match char::from_u32(cp) {
                        Some(c) => {
                            let mut buf = [0u16; 2];
                            units.extend_from_slice(c.encode_utf16(&mut buf));
                        }
                        None => units.push(0xfffd),
                    }
                    i += 4;
                }
                _ => {
                    units.push(0xfffd);
                    i += 1;
                }
            }
        } else {
            units.push(0xfffd);
            i += 1;
        }
    }
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_borrowed() {
        assert!(matches!(decode(b"hello"), Cow::Borrowed("hello")));
    }

    #[test]
    fn nul_as_c0_80() {
        assert_eq!(decode(b"a\xc0\x80b"), "a\u{0}b");
    }

    #[test]
    fn surrogate_pair_joins() {
        // U+1F600 as CESU-8: D83D DE00 -> ED A0 BD ED B8 80
        assert_eq!(decode(b"x\xed\xa0\xbd\xed\xb8\x80y"), "x\u{1F600}y");
    }

    #[test]
    fn lone_surrogate_and_garbage_are_lossy() {
        assert_eq!(decode(b"\xed\xa0\xbd"), "\u{FFFD}");
        assert_eq!(decode(b"\xff\xc3"), "\u{FFFD}\u{FFFD}");
        assert_eq!(decode(b"\xe2\x82"), "\u{FFFD}\u{FFFD}");
        assert_eq!(decode("é€".as_bytes()), "é€");
    }
}

//! The `ResStringPool` chunk shared by binary XML and resources.arsc (UTF-8 and UTF-16 pools).
//!
//! Only the header and the bounds of the offset array and string data are checked up front;
//! strings are decoded one at a time, on demand. Style spans are ignored.

use crate::Limits;

/// `RES_STRING_POOL_TYPE`.
pub(crate) const RES_STRING_POOL_TYPE: u16 = 0x0001;
/// `ResStringPool_header::UTF8_FLAG`.
const UTF8_FLAG: u32 = 0x100;
/// Size of `ResStringPool_header`.
const POOL_HEADER_SIZE: usize = 28;

/// A string pool borrowing its chunk's bytes; strings are decoded on demand.
#[derive(Debug, Clone, Default)]
pub struct StringPool<'a> {
    /// The whole chunk, header included.
    data: &'a [u8],
    /// Number of strings (validated against the chunk size).
    count: usize,
    /// Offset of the `u32` offset array within `data`.
    offsets_start: usize,
    /// Offset of the string data within `data`.
    strings_start: usize,
    /// End of the string data within `data` (start of styles, or end of chunk).
    strings_end: usize,
    utf8: bool,
}

/// Why a string pool chunk was rejected; offsets are absolute (the caller's base added).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PoolError {
    Truncated { what: &'static str, offset: usize },
    Malformed { what: &'static str, offset: usize },
    LimitExceeded { what: &'static str, max: usize },
}

pub(crate) fn u16_at(data: &[u8], off: usize) -> Option<u16> {
    let b = data.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([*b.first()?, *b.get(1)?]))
}

pub(crate) fn u32_at(data: &[u8], off: usize) -> Option<u32> {
    let b = data.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([
        *b.first()?,
        *b.get(1)?,
        *b.get(2)?,
        *b.get(3)?,
    ]))
}

impl<'a> StringPool<'a> {
    /// Reads a pool from `chunk` (the whole `ResStringPool` chunk, header included, already cut to
    /// the chunk's declared size). `base` is the chunk's offset in the file, for error messages.
    /// Returns the pool and any non-fatal oddities met.
    pub(crate) fn parse(
        chunk: &'a [u8],
        base: usize,
        limits: &Limits,
        warnings: &mut Vec<String>,
    ) -> Result<StringPool<'a>, PoolError> {
        let at = |rel: usize| base.saturating_add(rel);
        let truncated = |what, rel| PoolError::Truncated {
            what,
            offset: at(rel),
        };
        let header_size = u16_at(chunk, 2).ok_or(truncated("string pool header", 0))?;
        let count = u32_at(chunk, 8).ok_or(truncated("string pool header", 8))?;
        let style_count = u32_at(chunk, 12).ok_or(truncated("string pool header", 12))?;
        let flags = u32_at(chunk, 16).ok_or(truncated("string pool header", 16))?;
        let strings_start = u32_at(chunk, 20).ok_or(truncated("string pool header", 20))?;
        let styles_start = u32_at(chunk, 24).ok_or(truncated("string pool header", 24))?;
        let len = chunk.len();

        // Android honours the declared header size (the offset array follows it). A header size
        // smaller than the structure or beyond the chunk cannot be honoured; read the standard one.
        let mut offsets_start = usize::from(header_size);
        if offsets_start < POOL_HEADER_SIZE || offsets_start > len {
            warnings.push(format!(
                "string pool at {:#x}: header size {header_size} ignored, using {POOL_HEADER_SIZE}",
                at(0)
            ));
            offsets_start = POOL_HEADER_SIZE;
        }

        let count = usize::try_from(count).map_err(|_| PoolError::LimitExceeded {
            what: "strings in a pool",
            max: limits.max_pool_strings,
        })?;
        if count > limits.max_pool_strings {
            return Err(PoolError::LimitExceeded {
                what: "strings in a pool",
                max: limits.max_pool_strings,
            });
        }
        // The offset arrays of strings and styles must fit in the chunk.
        let room = len.saturating_sub(offsets_start) / 4;
        let style_count = usize::try_from(style_count).unwrap_or(usize::MAX);
        if count > room || style_count > room.saturating_sub(count) {
            return Err(PoolError::Malformed {
                what: "string pool counts larger than the chunk",
                offset: at(8),
            });
        }

        if count == 0 {
            return Ok(StringPool {
                data: chunk,
                count: 0,
                offsets_start,
                strings_start: len,
                strings_end: len,
                utf8: flags & UTF8_FLAG != 0,
            });
        }
        let strings_start = usize::try_from(strings_start).unwrap_or(usize::MAX);
        if strings_start >= len {
            return Err(PoolError::Malformed {
                what: "string data starts past the chunk",
                offset: at(20),
            });
        }
        let styles_start = usize::try_from(styles_start).unwrap_or(usize::MAX);
        let strings_end = if style_count > 0 && styles_start > strings_start && styles_start <= len
        {
            styles_start
        } else {
            len
        };
        Ok(StringPool {
            data: chunk,
            count,
            offsets_start,
            strings_start,
            strings_end,
            utf8: flags & UTF8_FLAG != 0,
        })
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the pool stores UTF-8 (rather than UTF-16) strings.
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// The string at `idx`, decoded (lossy); `None` when out of range or unreadable.
    pub fn get(&self, idx: u32) -> Option<String> {
        let idx = usize::try_from(idx).ok()?;
        if idx >= self.count {
            return None;
        }
        let rel = u32_at(
            self.data,
            self.offsets_start.checked_add(idx.checked_mul(4)?)?,
        )?;
        let start = self.strings_start.checked_add(usize::try_from(rel).ok()?)?;
        let strings = self.data.get(..self.strings_end)?;
        if self.utf8 {
            decode_utf8(strings, start)
        } else {
            decode_utf16(strings, start)
        }
    }
}

/// A UTF-8 pool string: UTF-16 length, UTF-8 byte length (each 1 or 2 bytes), bytes, NUL.
fn decode_utf8(strings: &[u8], start: usize) -> Option<String> {
    let (_, p) = len8(strings, start)?;
    let (byte_len, p) = len8(strings, p)?;
    let mut end = p.checked_add(byte_len)?;
    // aapt once wrote byte lengths over 0x7fff modulo 0x8000; Android then looks for the
    // terminator at each candidate length. Do the same.
    let mut extra = 0usize;
    while strings.get(end).is_some_and(|&b| b != 0) && extra < 64 {
        extra = extra.saturating_add(1);
        end = p.checked_add(byte_len | (extra << 15))?;
    }
    let end = if strings.get(end) == Some(&0) {
        end
    } else {
        // No terminator anywhere plausible: take the declared length if it is in bounds.
        p.checked_add(byte_len)?
    };
    let bytes = strings.get(p..end)?;
    Some(String::from_utf8_lossy(bytes).into_owned())
}

fn len8(data: &[u8], p: usize) -> Option<(usize, usize)> {
    let first = usize::from(*data.get(p)?);
    if first & 0x80 != 0 {
        let second = usize::from(*data.get(p.checked_add(1)?)?);
        Some((((first & 0x7f) << 8) | second, p.checked_add(2)?))
    } else {
        Some((first, p.checked_add(1)?))
    }
}

/// A UTF-16 pool string: length in units (1 or 2 units), units, NUL unit.
fn decode_utf16(strings: &[u8], start: usize) -> Option<String> {
    let first = usize::from(u16_at(strings, start)?);
    let (units, p) = if first & 0x8000 != 0 {
        let second = usize::from(u16_at(strings, start.checked_add(2)?)?);
        (((first & 0x7fff) << 16) | second, start.checked_add(4)?)
    } else {
        (first, start.checked_add(2)?)
    };
    let bytes = strings.get(p..p.checked_add(units.checked_mul(2)?)?)?;
    let it = bytes.chunks_exact(2).map(|c| {
        u16::from_le_bytes([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ])
    });
    Some(
        char::decode_utf16(it)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
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

    /// Builds a string pool chunk (test helper shared with the AXML and ARSC tests).
    pub(crate) fn build_pool(strings: &[&str], utf8: bool) -> Vec<u8> {
        let mut offsets = Vec::new();
        let mut body = Vec::new();
        for s in strings {
            offsets.push(u32::try_from(body.len()).unwrap_or(0));
            if utf8 {
                let n16 = s.encode_utf16().count();
                push_len8(&mut body, n16);
                push_len8(&mut body, s.len());
                body.extend_from_slice(s.as_bytes());
                body.push(0);
            } else {
                let units: Vec<u16> = s.encode_utf16().collect();
                if units.len() > 0x7fff {
                    let n = units.len();
                    body.extend_from_slice(&(((n >> 16) as u16) | 0x8000).to_le_bytes());
                    body.extend_from_slice(&((n & 0xffff) as u16).to_le_bytes());
                } else {
                    body.extend_from_slice(&(units.len() as u16).to_le_bytes());
                }
                for u in units {
                    body.extend_from_slice(&u.to_le_bytes());
                }
                body.extend_from_slice(&[0, 0]);
            }
        }
        while body.len() % 4 != 0 {
            body.push(0);
        }
        let strings_start = 28 + 4 * strings.len();
        let size = strings_start + body.len();
        let mut out = Vec::new();
        out.extend_from_slice(&RES_STRING_POOL_TYPE.to_le_bytes());
        out.extend_from_slice(&28u16.to_le_bytes());
        out.extend_from_slice(&(size as u32).to_le_bytes());
        out.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(if utf8 { UTF8_FLAG } else { 0 }).to_le_bytes());
        out.extend_from_slice(&(strings_start as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for o in offsets {
            out.extend_from_slice(&o.to_le_bytes());
        }
        out.extend_from_slice(&body);
        out
    }

    fn push_len8(out: &mut Vec<u8>, n: usize) {
        if n > 0x7f {
            out.push(((n >> 8) as u8) | 0x80);
            out.push((n & 0xff) as u8);
        } else {
            out.push(n as u8);
        }
    }

    fn parse(chunk: &[u8]) -> Result<StringPool<'_>, PoolError> {
        StringPool::parse(chunk, 0, &Limits::default(), &mut Vec::new())
    }

    #[test]
    fn utf8_and_utf16_pools_decode() {
        let long = "x".repeat(300);
        let strings = ["", "manifest", "héllo wörld", "日本語", long.as_str()];
        for utf8 in [true, false] {
            let chunk = build_pool(&strings, utf8);
            let pool = parse(&chunk).unwrap();
            assert_eq!(pool.len(), strings.len());
            assert_eq!(pool.is_utf8(), utf8);
            for (i, s) in strings.iter().enumerate() {
                assert_eq!(pool.get(i as u32).as_deref(), Some(*s), "utf8={utf8} #{i}");
            }
            assert_eq!(pool.get(strings.len() as u32), None);
            assert_eq!(pool.get(u32::MAX), None);
        }
    }

    #[test]
    fn utf16_long_length_uses_two_units() {
        let long = "y".repeat(0x8001);
        let chunk = build_pool(&[long.as_str()], false);
        let pool = parse(&chunk).unwrap();
        assert_eq!(pool.get(0).map(|s| s.len()), Some(0x8001));
    }

    #[test]
    fn huge_count_is_an_error_not_an_allocation() {
        let mut chunk = build_pool(&["a", "b"], true);
        chunk[8..12].copy_from_slice(&0x4000_0000u32.to_le_bytes());
        assert!(matches!(
            parse(&chunk),
            Err(PoolError::LimitExceeded { .. })
        ));
        chunk[8..12].copy_from_slice(&1000u32.to_le_bytes());
        assert!(matches!(parse(&chunk), Err(PoolError::Malformed { .. })));
        // A style count that does not fit either.
        chunk[8..12].copy_from_slice(&2u32.to_le_bytes());
        chunk[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(parse(&chunk), Err(PoolError::Malformed { .. })));
    }

    #[test]
    fn limit_on_pool_strings_is_enforced() {
        let chunk = build_pool(&["a", "b", "c"], false);
        let limits = Limits {
            max_pool_strings: 2,
            ..Limits::default()
        };
        assert_eq!(
            StringPool::parse(&chunk, 0, &limits, &mut Vec::new()).err(),
            Some(PoolError::LimitExceeded {
                what: "strings in a pool",
                max: 2
            })
        );
    }

    #[test]
    fn out_of_bounds_string_offset_gives_none() {
        let mut chunk = build_pool(&["abc", "def"], true);
        chunk[32..36].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
        let pool = parse(&chunk).unwrap();
        assert_eq!(pool.get(0).as_deref(), Some("abc"));
        assert_eq!(pool.get(1), None);
    }

    #[test]
    fn truncation_never_panics() {
        for utf8 in [true, false] {
            let chunk = build_pool(&["one", "two", "three"], utf8);
            for cut in 0..chunk.len() {
                if let Ok(pool) = parse(&chunk[..cut]) {
                    for i in 0..4 {
                        let _ = pool.get(i);
                    }
                }
            }
        }
    }
}

//! A table of values computed on first use, allocated a chunk at a time.
//!
//! The index keeps per-method tracking results and per-proto descriptors that only a few
//! percent of entries ever need; a flat `Vec<OnceLock<T>>` would cost 16-24 bytes for every
//! method or proto of the app (over a megabyte each on a large one). Chunks of [`CHUNK`]
//! slots are allocated when one of their entries is first asked for.

use std::sync::OnceLock;

const CHUNK: usize = 32;

/// A chunk of slots, allocated on first use.
type Chunk<T> = OnceLock<Box<[OnceLock<T>]>>;

pub(crate) struct LazyTable<T> {
    chunks: Box<[Chunk<T>]>,
    len: usize,
}

impl<T> Default for LazyTable<T> {
    fn default() -> Self {
        LazyTable::new(0)
    }
}

impl<T> std::fmt::Debug for LazyTable<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyTable")
            .field("len", &self.len)
            .field("initialized", &self.initialized())
            .finish()
    }
}

impl<T> LazyTable<T> {
    pub(crate) fn new(len: usize) -> Self {
        LazyTable {
            chunks: std::iter::repeat_with(OnceLock::new)
                .take(len.div_ceil(CHUNK))
                .collect(),
            len,
        }
    }

    /// Entry `i`, computed by `init` the first time; `None` past the end.
    pub(crate) fn get_or_init(&self, i: usize, init: impl FnOnce() -> T) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let chunk = self
            .chunks
            .get(i / CHUNK)?
            .get_or_init(|| std::iter::repeat_with(OnceLock::new).take(CHUNK).collect());
        Some(chunk.get(i % CHUNK)?.get_or_init(init))
    }

    /// How many entries have been computed.
    pub(crate) fn initialized(&self) -> usize {
        self.chunks
            .iter()
            .filter_map(OnceLock::get)
            .map(|c| c.iter().filter(|s| s.get().is_some()).count())
            .sum()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_and_bounds() {
        let t: LazyTable<u32> = LazyTable::new(70);
        assert_eq!(t.initialized(), 0);
        assert_eq!(t.get_or_init(69, || 7), Some(&7));
        assert_eq!(t.get_or_init(69, || 8), Some(&7));
        assert_eq!(t.get_or_init(0, || 1), Some(&1));
        assert_eq!(t.get_or_init(70, || 9), None);
        assert_eq!(t.initialized(), 2);
        assert_eq!(LazyTable::<u8>::default().get_or_init(0, || 0), None);
    }
}

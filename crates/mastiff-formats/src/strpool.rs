//! The `ResStringPool` chunk shared by binary XML and resources.arsc (UTF-8 and UTF-16 pools).

/// A string pool borrowing its chunk's bytes; strings are decoded on demand.
#[derive(Debug, Clone, Default)]
pub struct StringPool<'a> {
    data: &'a [u8],
}

impl<'a> StringPool<'a> {
    /// Number of strings.
    pub fn len(&self) -> usize {
        let _ = self.data;
        0
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The string at `idx`, decoded (lossy); `None` when out of range or unreadable.
    pub fn get(&self, idx: u32) -> Option<String> {
        let _ = idx;
        None
    }
}

//! The APK/IPA container, read the way Android's own `libziparchive` reads it.
//!
//! The central directory is the truth: every record is listed (duplicates included), the local
//! header is used only for its name/extra lengths, an unknown compression method is read as stored
//! (a trick malware uses to break other tools), the encryption flag is ignored but reported, and
//! every oddity is kept as an [`Anomaly`]. Inflation is capped per entry and per archive.

use crate::Limits;
use std::borrow::Cow;

/// A read-only view of a zip archive over borrowed bytes.
#[derive(Debug)]
pub struct Archive<'a> {
    data: &'a [u8],
    entries: Vec<Entry>,
    anomalies: Vec<Anomaly>,
    /// Offset of the first central directory record.
    pub cd_offset: u64,
    /// Size of the central directory in bytes.
    pub cd_size: u64,
    /// Offset of the end-of-central-directory record.
    pub eocd_offset: u64,
}

/// One central directory record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Name as UTF-8 (lossy).
    pub name: String,
    pub method: u16,
    pub flags: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub local_header_offset: u64,
    /// Position of this record in the central directory (0-based).
    pub index: usize,
}

/// Something unusual about the archive. None of these stops reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Machine-readable code, e.g. `zip.duplicate_entry`.
    pub code: &'static str,
    pub message: String,
    /// The entry concerned, if any.
    pub entry: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZipError {
    #[error("not a zip archive: {0}")]
    NotZip(&'static str),
    #[error("zip truncated while reading {what} at offset {offset:#x}")]
    Truncated { what: &'static str, offset: u64 },
    #[error("zip malformed: {0}")]
    Malformed(String),
    #[error("entry {entry}: inflated size exceeds the limit of {max} bytes")]
    EntryTooLarge { entry: String, max: u64 },
    #[error("archive: total inflated size exceeds the limit of {max} bytes")]
    TotalTooLarge { max: u64 },
    #[error("entry {entry}: corrupt compressed data: {detail}")]
    Corrupt { entry: String, detail: String },
}

impl<'a> Archive<'a> {
    pub fn parse(data: &'a [u8], limits: &Limits) -> Result<Archive<'a>, ZipError> {
        let _ = limits;
        Err(ZipError::NotZip(if data.is_empty() {
            "empty file"
        } else {
            "reader not implemented yet"
        }))
    }

    /// The whole input.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Every central directory record in directory order, duplicates included.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }

    /// The first record with this exact name.
    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The entry's uncompressed bytes: borrowed when stored, inflated otherwise (bounded by the
    /// declared uncompressed size and `limits.max_entry_size`). Does not track the archive-wide
    /// total: use [`EntryCache`] for that.
    pub fn read(&self, entry: &Entry, limits: &Limits) -> Result<Cow<'a, [u8]>, ZipError> {
        let _ = (entry, limits);
        Err(ZipError::Malformed("reader not implemented yet".into()))
    }
}

/// Inflates each entry at most once per scan and shares the bytes; enforces the archive-wide cap.
#[derive(Debug)]
pub struct EntryCache<'a> {
    archive: &'a Archive<'a>,
}

impl<'a> EntryCache<'a> {
    pub fn new(archive: &'a Archive<'a>, limits: Limits) -> Self {
        let _ = limits;
        EntryCache { archive }
    }

    pub fn archive(&self) -> &'a Archive<'a> {
        self.archive
    }

    /// Bytes of the first entry with this name, inflated once and cached. `None` when absent.
    pub fn get(&self, name: &str) -> Option<Result<&[u8], ZipError>> {
        let _ = name;
        None
    }

    /// Bytes of the entry at this central-directory index.
    pub fn get_index(&self, index: usize) -> Result<&[u8], ZipError> {
        let _ = index;
        Err(ZipError::Malformed("reader not implemented yet".into()))
    }
}

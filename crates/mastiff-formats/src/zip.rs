//! The APK/IPA container, read the way Android's own `libziparchive` reads it.
//!
//! The central directory is the truth: every record is listed (duplicates included), the local
//! header is used only for its name/extra lengths, an unknown compression method is read as stored
//! (a trick malware uses to break other tools), the encryption flag is ignored but reported, and
//! every oddity is kept as an [`Anomaly`] (see [`codes`] for the list). Inflation is capped per
//! entry and per archive.
//!
//! Where Android would refuse an archive outright (duplicate names, a local header that disagrees
//! with the central directory, a spanned archive), this reader keeps going and records an anomaly
//! instead: a scanner has to see what is inside a hostile package, and the tampering is itself a
//! finding. Where Android would refuse a single entry (data running into the central directory,
//! inflated size different from the declared one), reading that entry fails and the rest of the
//! archive stays readable.
//!
//! CRC-32 values are not verified on read; [`Archive::crc_matches`] is there for callers that
//! want to check.
//!
//! An archive is read from bytes in memory ([`Archive::parse`]) or from an open file
//! ([`Archive::open`]), which reads only the tail for the end records, the central directory, each
//! local header and the entries asked for. Both give the same entries, anomalies, errors and entry
//! bytes.

pub use crate::source::ArchiveFile;
use crate::source::Source;
use crate::Limits;
use flate2::{Decompress, FlushDecompress, Status};
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The machine-readable codes of every [`Anomaly`] this reader reports.
pub mod codes {
    /// Two or more central-directory records carry the same name. Android rejects such APKs;
    /// other tools pick the first or the last, so duplicates are used to show analysers a
    /// different file than the one that runs. [`Archive::find`](super::Archive::find) returns the
    /// first.
    pub const DUPLICATE_ENTRY: &str = "zip.duplicate_entry";
    /// The local file header disagrees with the central directory (name, method, sizes or
    /// CRC). The central directory wins.
    pub const LOCAL_HEADER_MISMATCH: &str = "zip.local_header_mismatch";
    /// The local file header is missing, truncated or lies inside the central directory; the
    /// entry cannot be read.
    pub const BAD_LOCAL_HEADER: &str = "zip.bad_local_header";
    /// A compression method other than stored (0) or deflate (8). The entry is read as stored,
    /// taking its length from the uncompressed size, as Android does ("BadPack" malware trick).
    pub const UNKNOWN_METHOD: &str = "zip.unknown_method";
    /// General-purpose flag bit 0 (encrypted) is set. Android ignores it and so does this reader.
    pub const ENCRYPTION_FLAG: &str = "zip.encryption_flag";
    /// The data of two entries overlap, or two records share one local header.
    pub const OVERLAPPING_ENTRIES: &str = "zip.overlapping_entries";
    /// An entry's data runs past the start of the central directory or the end of the file;
    /// reading that entry fails.
    pub const ENTRY_OUT_OF_BOUNDS: &str = "zip.entry_out_of_bounds";
    /// A stored entry whose compressed and uncompressed sizes differ.
    pub const SIZE_MISMATCH: &str = "zip.size_mismatch";
    /// Bytes before the first local header (self-extractor stub, polyglot file), possibly with
    /// every offset shifted by that amount; offsets are corrected when they are. Unreferenced
    /// local records that exactly fill the gap (the Android Gradle Plugin's padding "virtual
    /// entries") do not count.
    pub const PREPENDED_DATA: &str = "zip.prepended_data";
    /// Bytes after the end-of-central-directory record and its comment, or a comment length
    /// that runs past the end of the file.
    pub const TRAILING_DATA: &str = "zip.trailing_data";
    /// More central-directory records than `Limits::max_zip_entries`; the rest are not read.
    pub const TOO_MANY_ENTRIES: &str = "zip.too_many_entries";
    /// The central directory ends before the declared number of records has been read.
    pub const CD_TRUNCATED: &str = "zip.cd_truncated";
    /// The records read do not add up to the declared central-directory size (bytes hidden
    /// after the last counted record, or a wrong size).
    pub const CD_SIZE_MISMATCH: &str = "zip.cd_size_mismatch";
    /// Disk numbers or per-disk counts of a spanned archive. Android refuses these.
    pub const MULTI_DISK: &str = "zip.multi_disk";
    /// A ZIP64 structure (end record, locator or extra field) is missing or malformed.
    pub const BAD_ZIP64: &str = "zip.bad_zip64";
    /// An entry name that is empty, contains NUL or is not valid UTF-8 (shown lossily).
    pub const INVALID_NAME: &str = "zip.invalid_name";
    /// An absolute entry name or one with a `..` component.
    pub const UNSAFE_PATH: &str = "zip.unsafe_path";

    /// Every code above, for consumers that map codes to findings.
    pub const ALL: &[&str] = &[
        DUPLICATE_ENTRY,
        LOCAL_HEADER_MISMATCH,
        BAD_LOCAL_HEADER,
        UNKNOWN_METHOD,
        ENCRYPTION_FLAG,
        OVERLAPPING_ENTRIES,
        ENTRY_OUT_OF_BOUNDS,
        SIZE_MISMATCH,
        PREPENDED_DATA,
        TRAILING_DATA,
        TOO_MANY_ENTRIES,
        CD_TRUNCATED,
        CD_SIZE_MISMATCH,
        MULTI_DISK,
        BAD_ZIP64,
        INVALID_NAME,
        UNSAFE_PATH,
    ];
}

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD_LEN: usize = 22;
const MAX_COMMENT: usize = 0xFFFF;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_LOCATOR_LEN: usize = 20;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_EOCD_LEN: usize = 56;
const CDH_SIG: u32 = 0x0201_4b50;
const CDH_LEN: usize = 46;
const LFH_SIG: u32 = 0x0403_4b50;
const LFH_LEN: usize = 30;
const ZIP64_EXTRA_ID: u16 = 0x0001;
const SATURATED_32: u64 = 0xFFFF_FFFF;

const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;
const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;

/// Never allocate more than this up front on the word of a declared size; larger outputs grow
/// as real bytes arrive.
const MAX_INITIAL_ALLOC: u64 = 64 * 1024 * 1024;
/// A hostile archive can trigger one anomaly per record; past this many of one code only a
/// count is kept.
const MAX_ANOMALIES_PER_CODE: usize = 256;
/// Bytes read at a local header in one go from a file: the fixed part and, for almost every
/// entry, its name.
const LOCAL_HEADER_READ: u64 = 256;
/// Bytes read ahead while walking the local records of padding before the first entry, so a
/// long chain of tiny records costs few reads from a file.
const PADDING_READ_AHEAD: u64 = 64 * 1024;

/// A read-only view of a zip archive, over borrowed bytes or an open file.
pub struct Archive<'a> {
    source: Source<'a>,
    entries: Vec<Entry>,
    anomalies: Vec<Anomaly>,
    /// Entry indices sorted by name, then by index: binary search finds the first of a name.
    by_name: Vec<usize>,
    /// Offset of the first central directory record (in the input, after correcting for
    /// prepended data).
    pub cd_offset: u64,
    /// Size of the central directory in bytes, as declared.
    pub cd_size: u64,
    /// Offset of the end-of-central-directory record.
    pub eocd_offset: u64,
    /// Offset of the ZIP64 end-of-central-directory record, when the archive has one.
    pub zip64_eocd_offset: Option<u64>,
    /// How far every declared offset was shifted to find the real structures (bytes prepended
    /// to an archive written without them). Already applied to `cd_offset` and every
    /// [`Entry::local_header_offset`].
    pub offset_shift: u64,
}

impl std::fmt::Debug for Archive<'_> {
    // Hand-written so that debug output shows the input's size, not every byte of it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("len", &self.source.len())
            .field("entries", &self.entries)
            .field("anomalies", &self.anomalies)
            .field("cd_offset", &self.cd_offset)
            .field("cd_size", &self.cd_size)
            .field("eocd_offset", &self.eocd_offset)
            .field("zip64_eocd_offset", &self.zip64_eocd_offset)
            .field("offset_shift", &self.offset_shift)
            .finish_non_exhaustive()
    }
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
    /// Offset of the local file header in the input (ZIP64 value if present, plus
    /// [`Archive::offset_shift`]).
    pub local_header_offset: u64,
    /// Position of this record in the central directory (0-based).
    pub index: usize,
}

impl Entry {
    /// Whether the name ends in `/` (a directory record, normally without data).
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }

    /// How many bytes of data Android takes from the archive for this entry: the compressed
    /// size for deflate, the uncompressed size for stored and for every unknown method.
    fn data_len(&self) -> u64 {
        if self.method == METHOD_DEFLATED {
            self.compressed_size
        } else {
            self.uncompressed_size
        }
    }
}

/// Something unusual about the archive. None of these stops reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Machine-readable code, e.g. `zip.duplicate_entry`; see [`codes`].
    pub code: &'static str,
    pub message: String,
    /// The entry concerned, if any.
    pub entry: Option<String>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZipError {
    #[error("not a zip archive: {0}")]
    NotZip(&'static str),
    #[error("zip truncated while reading {what} at offset {offset:#x}")]
    Truncated { what: &'static str, offset: u64 },
    #[error("zip malformed: {0}")]
    Malformed(String),
    /// The entry would inflate past `max`: its declared size, or the per-entry limit when the
    /// declared size is already larger than that.
    #[error("entry {entry}: inflated size exceeds the limit of {max} bytes")]
    EntryTooLarge { entry: String, max: u64 },
    #[error("archive: total inflated size exceeds the limit of {max} bytes")]
    TotalTooLarge { max: u64 },
    #[error("entry {entry}: corrupt compressed data: {detail}")]
    Corrupt { entry: String, detail: String },
    /// Stored entries copied out of a file by an [`EntryCache`] would add up to more than the
    /// file itself (records pointing at the same bytes again and again).
    #[error("archive: stored entries read from the file exceed its size of {max} bytes")]
    TotalCopiedTooLarge { max: u64 },
    /// The file behind [`Archive::open`] could not be read (it shrank, or the read failed).
    #[error("cannot read the archive file at offset {offset:#x}: {detail}")]
    Io { offset: u64, detail: String },
}

impl<'a> Archive<'a> {
    /// Reads the end records and the whole central directory, and checks every local header.
    /// Fails only when no central directory can be found at all; everything else is an anomaly.
    pub fn parse(data: &'a [u8], limits: &Limits) -> Result<Archive<'a>, ZipError> {
        Archive::read_from(Source::Bytes(data), limits)
    }

    /// Like [`Archive::parse`], reading from an open file instead of bytes in memory: the last
    /// 22 + 65535 bytes for the end records, the central directory into one buffer, and each local
    /// header with a small read. Entry data is read only when asked for, so the file is never held
    /// whole. Gives the same entries, anomalies and errors as [`Archive::parse`] over the file's
    /// bytes; [`ZipError::Io`] when the file cannot be read.
    pub fn open(file: &'a ArchiveFile, limits: &Limits) -> Result<Archive<'a>, ZipError> {
        Archive::read_from(Source::File(file), limits)
    }

    fn read_from(source: Source<'a>, limits: &Limits) -> Result<Archive<'a>, ZipError> {
        let mut log = AnomalyLog::default();
        let eocd = find_eocd(source, &mut log)?;
        let dir = locate_cd(source, &eocd, &mut log)?;
        let entries = read_cd(source, &dir, limits, &mut log)?;
        let mut archive = Archive {
            source,
            entries,
            anomalies: Vec::new(),
            by_name: Vec::new(),
            cd_offset: dir.start,
            cd_size: dir.declared_size,
            eocd_offset: eocd.offset,
            zip64_eocd_offset: dir.zip64_eocd,
            offset_shift: dir.shift,
        };
        archive.index_names(&mut log);
        archive.check_local_headers(&mut log);
        archive.anomalies = log.finish();
        Ok(archive)
    }

    /// Length of the input (the bytes or the file) in bytes.
    pub fn input_len(&self) -> u64 {
        self.source.len()
    }

    /// `len` bytes of the input at `offset`, for structures outside the zip records (the APK
    /// Signing Block): borrowed from bytes, read from a file. [`ZipError::Truncated`] when the
    /// range does not lie within the input, checked before anything is allocated.
    pub fn read_range(&self, offset: u64, len: u64) -> Result<Cow<'a, [u8]>, ZipError> {
        self.source.get(offset, len)?.ok_or(ZipError::Truncated {
            what: "requested range",
            offset,
        })
    }

    /// Where the bytes come from.
    pub(crate) fn source(&self) -> Source<'a> {
        self.source
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
        self.find_index(name).and_then(|i| self.entries.get(i))
    }

    /// Index of the first record with this exact name.
    pub fn find_index(&self, name: &str) -> Option<usize> {
        let at = self
            .by_name
            .partition_point(|&i| self.entries.get(i).is_some_and(|e| e.name.as_str() < name));
        let &i = self.by_name.get(at)?;
        (self.entries.get(i)?.name == name).then_some(i)
    }

    /// The entry's uncompressed bytes: when stored, borrowed from bytes or read from a file;
    /// inflated otherwise (bounded by the declared uncompressed size and
    /// `limits.max_entry_size`). Does not track the archive-wide total: use [`EntryCache`] for
    /// that.
    pub fn read(&self, entry: &Entry, limits: &Limits) -> Result<Cow<'a, [u8]>, ZipError> {
        if entry.uncompressed_size > limits.max_entry_size {
            return Err(ZipError::EntryTooLarge {
                entry: entry.name.clone(),
                max: limits.max_entry_size,
            });
        }
        let (start, end) = self.locate(entry)?;
        if entry.method != METHOD_DEFLATED {
            return self.read_located(start, end);
        }
        let mut input = DeflateInput {
            source: self.source,
            start,
            len: end.saturating_sub(start),
            chunk: Vec::new(),
            chunk_at: 0,
        };
        inflate(&mut input, entry.uncompressed_size)
            .map(Cow::Owned)
            .map_err(|e| match e {
                InflateError::TooLarge => ZipError::EntryTooLarge {
                    entry: entry.name.clone(),
                    max: entry.uncompressed_size,
                },
                InflateError::Corrupt(detail) => ZipError::Corrupt {
                    entry: entry.name.clone(),
                    detail,
                },
                InflateError::Read(e) => e,
            })
    }

    /// The entry's bytes as they sit in the archive (compressed for deflate), located the way
    /// Android does: local header for the name/extra lengths, central directory for the size.
    /// Borrowed from bytes, read from a file (at most the bytes before the central directory).
    pub fn raw_data(&self, entry: &Entry) -> Result<Cow<'a, [u8]>, ZipError> {
        let (start, end) = self.locate(entry)?;
        self.read_located(start, end)
    }

    /// `[start, end)` of the entry's data in the input, from its local header.
    fn locate(&self, entry: &Entry) -> Result<(u64, u64), ZipError> {
        let local = self.local_header(entry)?;
        self.data_range(entry, &local)
    }

    /// The data that [`Archive::locate`] found.
    fn read_located(&self, start: u64, end: u64) -> Result<Cow<'a, [u8]>, ZipError> {
        self.source
            .get(start, end.saturating_sub(start))?
            .ok_or(ZipError::Truncated {
                what: "entry data",
                offset: start,
            })
    }

    /// Whether `bytes` (the entry's uncompressed content) match the CRC-32 in the central
    /// directory.
    pub fn crc_matches(entry: &Entry, bytes: &[u8]) -> bool {
        let mut crc = flate2::Crc::new();
        crc.update(bytes);
        crc.sum() == entry.crc32
    }

    fn local_header(&self, entry: &Entry) -> Result<LocalHeader<'a>, ZipError> {
        let offset = entry.local_header_offset;
        let truncated = ZipError::Truncated {
            what: "local file header",
            offset,
        };
        if offset >= self.cd_offset {
            return Err(ZipError::Malformed(format!(
                "entry {}: local header offset {offset:#x} is not before the central directory",
                entry.name
            )));
        }
        // One read for the fixed part and, nearly always, the name.
        let ahead = self
            .source
            .len()
            .saturating_sub(offset)
            .min(LOCAL_HEADER_READ);
        let head = self
            .source
            .get(offset, ahead)?
            .ok_or_else(|| truncated.clone())?;
        let fixed = slice(&head, 0, LFH_LEN).ok_or_else(|| truncated.clone())?;
        if le32(fixed, 0) != LFH_SIG {
            return Err(ZipError::Malformed(format!(
                "entry {}: no local file header at {offset:#x}",
                entry.name
            )));
        }
        let name_len = usize::from(le16(fixed, 26));
        let extra_len = u64::from(le16(fixed, 28));
        let (flags, method, crc32) = (le16(fixed, 6), le16(fixed, 8), le32(fixed, 14));
        let (compressed_size, uncompressed_size) = (le32(fixed, 18), le32(fixed, 22));
        let name_at = offset
            .checked_add(LFH_LEN as u64)
            .ok_or_else(|| truncated.clone())?;
        let name = match sub_cow(&head, LFH_LEN, name_len) {
            Some(name) => name,
            None => self
                .source
                .get(name_at, name_len as u64)?
                .ok_or_else(|| truncated.clone())?,
        };
        let data_start = name_at
            .checked_add(name_len as u64)
            .and_then(|n| n.checked_add(extra_len))
            .ok_or(truncated)?;
        Ok(LocalHeader {
            flags,
            method,
            crc32,
            compressed_size: u64::from(compressed_size),
            uncompressed_size: u64::from(uncompressed_size),
            name,
            data_start,
        })
    }

    /// `[start, end)` of the entry's data; it must end before the central directory, as in
    /// libziparchive.
    fn data_range(&self, entry: &Entry, local: &LocalHeader<'_>) -> Result<(u64, u64), ZipError> {
        let start = local.data_start;
        match start.checked_add(entry.data_len()) {
            Some(end) if end <= self.cd_offset => Ok((start, end)),
            _ => Err(ZipError::Malformed(format!(
                "entry {}: {} bytes of data at {start:#x} run past the central directory at {:#x}",
                entry.name,
                entry.data_len(),
                self.cd_offset
            ))),
        }
    }

    /// Builds the name index and reports duplicates, in directory order.
    fn index_names(&mut self, log: &mut AnomalyLog) {
        let entries = &self.entries;
        let mut order: Vec<usize> = (0..entries.len()).collect();
        // Stable sort keeps equal names in directory order, so the first of a run is the one
        // `find` must return.
        order.sort_by(|&a, &b| name_of(entries, a).cmp(name_of(entries, b)));
        let mut duplicates: Vec<(usize, usize)> = Vec::new();
        let mut first = None;
        for pair in order.windows(2) {
            if let [a, b] = *pair {
                if name_of(entries, a) == name_of(entries, b) {
                    let f = *first.get_or_insert(a);
                    duplicates.push((b, f));
                } else {
                    first = None;
                }
            }
        }
        duplicates.sort_unstable();
        for (dup, first) in duplicates {
            let name = name_of(entries, dup);
            log.push(
                codes::DUPLICATE_ENTRY,
                Some(name),
                format!("record #{dup} repeats the name of record #{first}"),
            );
        }
        self.by_name = order;
    }

    /// Compares every local header with its central-directory record, checks the data lies
    /// before the central directory, and finds overlapping entries and prepended data.
    fn check_local_headers(&self, log: &mut AnomalyLog) {
        // (header offset, end of data, index) of every locatable entry, for the overlap sweep.
        let mut spans: Vec<(u64, u64, usize)> = Vec::with_capacity(self.entries.len());
        for entry in &self.entries {
            let local = match self.local_header(entry) {
                Ok(local) => local,
                Err(e) => {
                    log.push(codes::BAD_LOCAL_HEADER, Some(&entry.name), e.to_string());
                    continue;
                }
            };
            let mismatches = local.mismatches(entry);
            if !mismatches.is_empty() {
                log.push(
                    codes::LOCAL_HEADER_MISMATCH,
                    Some(&entry.name),
                    format!("local header differs in {}", mismatches.join(", ")),
                );
            }
            match self.data_range(entry, &local) {
                Ok((_, end)) => spans.push((entry.local_header_offset, end, entry.index)),
                Err(e) => log.push(codes::ENTRY_OUT_OF_BOUNDS, Some(&entry.name), e.to_string()),
            }
        }

        spans.sort_unstable();
        // Sweep in offset order, remembering the span that reaches furthest: anything starting
        // before that end overlaps it.
        let mut reach: Option<(u64, usize)> = None;
        for &(start, end, index) in &spans {
            if let Some((far_end, far_index)) = reach {
                if start < far_end {
                    let other = name_of(&self.entries, far_index);
                    log.push(
                        codes::OVERLAPPING_ENTRIES,
                        Some(name_of(&self.entries, index)),
                        format!("record #{index} overlaps record #{far_index} ({other})"),
                    );
                }
                if end <= far_end {
                    continue;
                }
            }
            reach = Some((end, index));
        }

        // Bytes before the first referenced header are prepended data unless they are
        // themselves local records: the Android Gradle Plugin (zipflinger) pads with
        // "virtual entries", local headers with an empty name that no central record names.
        let first_header = spans.first().map_or(0, |s| s.0);
        let padded = self.is_local_record_padding(first_header);
        if self.offset_shift > 0 || (first_header > 0 && !padded) {
            log.push(
                codes::PREPENDED_DATA,
                None,
                format!(
                    "{first_header} bytes before the first local header; declared offsets are \
                     shifted by {}",
                    self.offset_shift
                ),
            );
        }
    }
}

impl<'a> Archive<'a> {
    /// Whether `[0, end)` is a chain of local records (header, name, extra, stored data) that
    /// ends exactly at `end`.
    fn is_local_record_padding(&self, end: u64) -> bool {
        // Bytes read ahead from the source, and their offset.
        let mut window: (u64, Cow<'a, [u8]>) = (0, Cow::Borrowed(&[]));
        let in_window = |window: &(u64, Cow<'a, [u8]>), pos: u64| -> Option<[u8; LFH_LEN]> {
            let at = usize::try_from(pos.checked_sub(window.0)?).ok()?;
            slice(&window.1, at, LFH_LEN)?.try_into().ok()
        };
        let mut pos = 0u64;
        while pos < end {
            if in_window(&window, pos).is_none() {
                // Up to the header that starts just before `end`, and never past the input.
                let len = end
                    .saturating_sub(pos)
                    .saturating_add(LFH_LEN as u64)
                    .min(PADDING_READ_AHEAD)
                    .min(self.source.len().saturating_sub(pos));
                match self.source.get(pos, len) {
                    Ok(Some(bytes)) => window = (pos, bytes),
                    _ => return false,
                }
            }
            let Some(header) = in_window(&window, pos) else {
                return false;
            };
            let header = header.as_slice();
            if le32(header, 0) != LFH_SIG {
                return false;
            }
            // Each step moves at least one header length, so this ends.
            pos = pos
                .saturating_add(LFH_LEN as u64)
                .saturating_add(u64::from(le16(header, 26)))
                .saturating_add(u64::from(le16(header, 28)))
                .saturating_add(u64::from(le32(header, 18)));
        }
        pos == end
    }
}

/// The fields of a local file header that matter for reading and cross-checking.
struct LocalHeader<'a> {
    flags: u16,
    method: u16,
    crc32: u32,
    compressed_size: u64,
    uncompressed_size: u64,
    name: Cow<'a, [u8]>,
    /// Offset of the entry's data in the input.
    data_start: u64,
}

impl LocalHeader<'_> {
    /// Fields on which this header contradicts the central directory.
    fn mismatches(&self, entry: &Entry) -> Vec<&'static str> {
        let mut out = Vec::new();
        // Byte equality is the common case; otherwise compare the lossy decoding, as the
        // central-directory name was decoded.
        if *self.name != *entry.name.as_bytes() && String::from_utf8_lossy(&self.name) != entry.name
        {
            out.push("name");
        }
        if self.method != entry.method {
            out.push("method");
        }
        // With a data descriptor the local sizes and CRC are legitimately zero.
        if (self.flags | entry.flags) & FLAG_DATA_DESCRIPTOR == 0 {
            if self.crc32 != entry.crc32 {
                out.push("crc32");
            }
            // Saturated values defer to a ZIP64 extra field, which is not worth cross-checking.
            let differs = |local: u64, central: u64| local != SATURATED_32 && local != central;
            if differs(self.compressed_size, entry.compressed_size) {
                out.push("compressed size");
            }
            if differs(self.uncompressed_size, entry.uncompressed_size) {
                out.push("uncompressed size");
            }
        }
        out
    }
}

fn name_of(entries: &[Entry], index: usize) -> &str {
    entries.get(index).map_or("", |e| e.name.as_str())
}

/// The end-of-central-directory record (the 32-bit one).
struct Eocd {
    offset: u64,
    disk: u16,
    cd_disk: u16,
    entries_on_disk: u16,
    entries: u16,
    cd_size: u32,
    cd_offset: u32,
}

/// Scans backwards for the EOCD signature over the last 22 + 65535 bytes (the only part of the
/// input read). The nearest record whose comment ends exactly at the end of the file wins (that
/// is the one Android accepts); failing that, the nearest record at all, with an anomaly.
fn find_eocd(src: Source<'_>, log: &mut AnomalyLog) -> Result<Eocd, ZipError> {
    let len = src.len();
    let Some(last) = len.checked_sub(EOCD_LEN as u64) else {
        return Err(ZipError::NotZip(if len == 0 {
            "empty file"
        } else {
            "too short for an end-of-central-directory record"
        }));
    };
    let first = last.saturating_sub(MAX_COMMENT as u64);
    let tail = src
        .get(first, len - first)?
        .ok_or(ZipError::NotZip("no end-of-central-directory record"))?;
    let tail_last = tail.len().saturating_sub(EOCD_LEN);
    let mut fallback = None;
    for at in (0..=tail_last).rev() {
        // Cheap first-byte test before the full signature compare.
        if tail.get(at) != Some(&0x50) || le32(&tail, at) != EOCD_SIG {
            continue;
        }
        let pos = first.saturating_add(at as u64);
        let comment_end = pos
            .saturating_add(EOCD_LEN as u64)
            .saturating_add(u64::from(le16(&tail, at + 20)));
        if comment_end == len {
            return Ok(eocd_at(&tail, at, pos));
        }
        fallback.get_or_insert((at, pos, comment_end));
    }
    let (at, pos, comment_end) =
        fallback.ok_or(ZipError::NotZip("no end-of-central-directory record"))?;
    let message = if comment_end > len {
        format!(
            "the archive comment runs {} bytes past the end of the file",
            comment_end - len
        )
    } else {
        format!(
            "{} bytes after the end-of-central-directory record and its comment",
            len - comment_end
        )
    };
    log.push(codes::TRAILING_DATA, None, message);
    Ok(eocd_at(&tail, at, pos))
}

/// The record at `at` in `tail`, which is at `offset` in the input.
fn eocd_at(tail: &[u8], at: usize, offset: u64) -> Eocd {
    let rec = tail.get(at..).unwrap_or_default();
    Eocd {
        offset,
        disk: le16(rec, 4),
        cd_disk: le16(rec, 6),
        entries_on_disk: le16(rec, 8),
        entries: le16(rec, 10),
        cd_size: le32(rec, 12),
        cd_offset: le32(rec, 16),
    }
}

/// Where the central directory really is.
struct CdLocation {
    /// Actual offset of the first record.
    start: u64,
    /// Records may not run past this (the ZIP64 end record or the EOCD).
    end: u64,
    declared_size: u64,
    declared_count: u64,
    /// Added to every declared offset.
    shift: u64,
    zip64_eocd: Option<u64>,
}

fn locate_cd(src: Source<'_>, eocd: &Eocd, log: &mut AnomalyLog) -> Result<CdLocation, ZipError> {
    if eocd.disk != 0 || eocd.cd_disk != 0 || eocd.entries_on_disk != eocd.entries {
        log.push(
            codes::MULTI_DISK,
            None,
            format!(
                "disk {} (directory on disk {}), {} of {} records on this disk",
                eocd.disk, eocd.cd_disk, eocd.entries_on_disk, eocd.entries
            ),
        );
    }
    let mut count = u64::from(eocd.entries);
    let mut size = u64::from(eocd.cd_size);
    let mut offset = u64::from(eocd.cd_offset);
    let mut end = eocd.offset;
    let mut zip64_eocd = None;

    let saturated = eocd.entries == u16::MAX
        || u64::from(eocd.cd_size) == SATURATED_32
        || u64::from(eocd.cd_offset) == SATURATED_32;
    let locator = match eocd.offset.checked_sub(ZIP64_LOCATOR_LEN as u64) {
        Some(at) => src
            .get(at, ZIP64_LOCATOR_LEN as u64)?
            .filter(|rec| le32(rec, 0) == ZIP64_LOCATOR_SIG)
            .map(|rec| (at, rec)),
        None => None,
    };
    if let Some((locator_at, locator)) = locator {
        match find_zip64_eocd(src, locator_at, &locator)? {
            Some(Record {
                offset: at,
                bytes: rec,
            }) => {
                if le32(&rec, 16) != 0 || le32(&rec, 20) != 0 || le64(&rec, 24) != le64(&rec, 32) {
                    log.push(
                        codes::MULTI_DISK,
                        None,
                        "the ZIP64 end record describes a spanned archive".to_owned(),
                    );
                }
                count = le64(&rec, 32);
                size = le64(&rec, 40);
                offset = le64(&rec, 48);
                end = at;
                zip64_eocd = Some(at);
            }
            None if saturated => {
                return Err(ZipError::Malformed(
                    "ZIP64 locator present but its end record is missing".to_owned(),
                ))
            }
            None => log.push(
                codes::BAD_ZIP64,
                None,
                "ZIP64 locator present but its end record is missing; using the 32-bit record"
                    .to_owned(),
            ),
        }
    } else if saturated {
        log.push(
            codes::BAD_ZIP64,
            None,
            "saturated end-of-central-directory fields without a ZIP64 locator".to_owned(),
        );
    }

    let Some(expected) = end.checked_sub(size) else {
        return Err(ZipError::Malformed(format!(
            "central directory size {size} exceeds the {end} bytes before its end record"
        )));
    };
    let is_cd_at = |at: u64| -> Result<bool, ZipError> {
        if at >= end {
            return Ok(false);
        }
        Ok(src.get(at, 4)?.is_some_and(|sig| le32(&sig, 0) == CDH_SIG))
    };
    // Declared offset first, as Android does; then the offset implied by the directory ending
    // right before its end record, which is where it is when bytes were prepended to an
    // archive without fixing its offsets (`cat stub.sh app.zip`).
    let (start, shift) = if is_cd_at(offset)? {
        (offset, 0)
    } else if offset < expected && is_cd_at(expected)? {
        (expected, expected - offset)
    } else if count == 0 {
        (expected, 0)
    } else {
        return Err(ZipError::Malformed(format!(
            "no central directory record at offset {offset:#x}"
        )));
    };
    Ok(CdLocation {
        start,
        end,
        declared_size: size,
        declared_count: count,
        shift,
        zip64_eocd,
    })
}

/// A record read from the input, and its offset.
struct Record<'a> {
    offset: u64,
    bytes: Cow<'a, [u8]>,
}

/// The ZIP64 end record: at the locator's offset or (when bytes were prepended) right before
/// the locator, which is at `locator_at`.
fn find_zip64_eocd<'a>(
    src: Source<'a>,
    locator_at: u64,
    locator: &[u8],
) -> Result<Option<Record<'a>>, ZipError> {
    let declared = le64(locator, 8);
    let adjacent = locator_at.checked_sub(ZIP64_EOCD_LEN as u64);
    for at in [Some(declared), adjacent].into_iter().flatten() {
        let fits = at
            .checked_add(ZIP64_EOCD_LEN as u64)
            .is_some_and(|end| end <= locator_at);
        if !fits {
            continue;
        }
        if let Some(rec) = src.get(at, ZIP64_EOCD_LEN as u64)? {
            if le32(&rec, 0) == ZIP64_EOCD_SIG {
                return Ok(Some(Record {
                    offset: at,
                    bytes: rec,
                }));
            }
        }
    }
    Ok(None)
}

/// Reads the declared number of records (up to the limit), stopping cleanly on the first
/// record that does not fit. The directory region is read into memory in one piece.
fn read_cd(
    src: Source<'_>,
    dir: &CdLocation,
    limits: &Limits,
    log: &mut AnomalyLog,
) -> Result<Vec<Entry>, ZipError> {
    let region = src
        .get(dir.start, dir.end.saturating_sub(dir.start))?
        .unwrap_or_default();
    let region: &[u8] = &region;
    // Never trust the declared count for the allocation: bound it by what the region can hold.
    let capacity = usize::try_from(dir.declared_count)
        .unwrap_or(usize::MAX)
        .min(limits.max_zip_entries)
        .min(region.len() / CDH_LEN);
    let mut entries = Vec::with_capacity(capacity);
    let mut pos = 0usize;
    let mut complete = true;
    let mut index = 0u64;
    while index < dir.declared_count {
        if entries.len() >= limits.max_zip_entries {
            log.push(
                codes::TOO_MANY_ENTRIES,
                None,
                format!(
                    "{} records declared, only the first {} read",
                    dir.declared_count, limits.max_zip_entries
                ),
            );
            complete = false;
            break;
        }
        match read_record(region, pos, dir.shift, entries.len(), log) {
            Ok((entry, next)) => {
                entries.push(entry);
                pos = next;
            }
            Err(why) => {
                log.push(
                    codes::CD_TRUNCATED,
                    None,
                    format!(
                        "record #{index} of {}: {why}; {} records read",
                        dir.declared_count,
                        entries.len()
                    ),
                );
                complete = false;
                break;
            }
        }
        index += 1;
    }
    if complete && pos as u64 != dir.declared_size {
        log.push(
            codes::CD_SIZE_MISMATCH,
            None,
            format!(
                "{} records take {pos} bytes, the directory declares {}",
                entries.len(),
                dir.declared_size
            ),
        );
    }
    Ok(entries)
}

/// One central-directory record at `pos` in `region`; returns the entry and the next position.
fn read_record(
    region: &[u8],
    pos: usize,
    shift: u64,
    index: usize,
    log: &mut AnomalyLog,
) -> Result<(Entry, usize), &'static str> {
    let fixed = slice(region, pos, CDH_LEN).ok_or("record header runs past the directory")?;
    if le32(fixed, 0) != CDH_SIG {
        return Err("bad record signature");
    }
    let name_len = usize::from(le16(fixed, 28));
    let extra_len = usize::from(le16(fixed, 30));
    let comment_len = usize::from(le16(fixed, 32));
    let name_at = pos + CDH_LEN;
    let past = "record name/extra/comment run past the directory";
    let name_bytes = slice(region, name_at, name_len).ok_or(past)?;
    let extra = slice(region, name_at + name_len, extra_len).ok_or(past)?;
    let next = name_at + name_len + extra_len;
    slice(region, next, comment_len).ok_or(past)?;

    // Validate once: the common valid case copies, only bad names take the lossy path.
    let (name, valid_utf8) = match std::str::from_utf8(name_bytes) {
        Ok(name) => (name.to_owned(), true),
        Err(_) => (String::from_utf8_lossy(name_bytes).into_owned(), false),
    };
    let mut entry = Entry {
        method: le16(fixed, 10),
        flags: le16(fixed, 8),
        crc32: le32(fixed, 16),
        compressed_size: u64::from(le32(fixed, 20)),
        uncompressed_size: u64::from(le32(fixed, 24)),
        local_header_offset: u64::from(le32(fixed, 42)),
        index,
        name,
    };
    if let Err(why) = apply_zip64_extra(extra, &mut entry) {
        log.push(codes::BAD_ZIP64, Some(&entry.name), why.to_owned());
    }
    entry.local_header_offset = entry.local_header_offset.saturating_add(shift);
    check_record(&entry, name_bytes, valid_utf8, log);
    Ok((entry, next + comment_len))
}

/// Replaces saturated 32-bit fields with the values of the ZIP64 extra field, which holds only
/// the saturated ones, in this order.
fn apply_zip64_extra(extra: &[u8], entry: &mut Entry) -> Result<(), &'static str> {
    let fields = [
        &mut entry.uncompressed_size,
        &mut entry.compressed_size,
        &mut entry.local_header_offset,
    ];
    if !fields.iter().any(|f| **f == SATURATED_32) {
        return Ok(());
    }
    let mut block = None;
    let mut pos = 0usize;
    while let Some(header) = slice(extra, pos, 4) {
        let len = usize::from(le16(header, 2));
        let body = slice(extra, pos + 4, len);
        if le16(header, 0) == ZIP64_EXTRA_ID {
            block = body;
            break;
        }
        pos += 4 + len;
    }
    let block = block.ok_or("saturated sizes or offset without a ZIP64 extra field")?;
    let mut at = 0usize;
    for field in fields {
        if *field == SATURATED_32 {
            *field = slice(block, at, 8)
                .map(|b| le64(b, 0))
                .ok_or("ZIP64 extra field too short")?;
            at += 8;
        }
    }
    Ok(())
}

/// Anomalies visible from the central-directory record alone.
fn check_record(entry: &Entry, name_bytes: &[u8], valid_utf8: bool, log: &mut AnomalyLog) {
    let name = Some(entry.name.as_str());
    if entry.flags & FLAG_ENCRYPTED != 0 {
        log.push(
            codes::ENCRYPTION_FLAG,
            name,
            "encryption flag set; read as plain data".to_owned(),
        );
    }
    match entry.method {
        METHOD_DEFLATED => {}
        METHOD_STORED => {
            if entry.compressed_size != entry.uncompressed_size {
                log.push(
                    codes::SIZE_MISMATCH,
                    name,
                    format!(
                        "stored entry with compressed size {} and uncompressed size {}",
                        entry.compressed_size, entry.uncompressed_size
                    ),
                );
            }
        }
        other => log.push(
            codes::UNKNOWN_METHOD,
            name,
            format!(
                "compression method {other}; read as stored ({} bytes, declared compressed size {})",
                entry.uncompressed_size, entry.compressed_size
            ),
        ),
    }
    if !valid_utf8 || name_bytes.is_empty() || name_bytes.contains(&0) {
        log.push(
            codes::INVALID_NAME,
            name,
            "entry name is empty, contains NUL or is not UTF-8".to_owned(),
        );
    }
    let traversal = || entry.name.split(['/', '\\']).any(|part| part == "..");
    if entry.name.starts_with('/') || (entry.name.contains("..") && traversal()) {
        log.push(
            codes::UNSAFE_PATH,
            name,
            "absolute name or `..` component".to_owned(),
        );
    }
}

enum InflateError {
    TooLarge,
    Corrupt(String),
    /// The compressed bytes could not be read from the file.
    Read(ZipError),
}

/// Bytes of compressed input read from a file at a time.
const INFLATE_READ: u64 = 64 * 1024;

/// The compressed bytes of one entry, `[start, start + len)` of the source, as [`inflate`]
/// consumes them: from bytes all at hand, from a file [`INFLATE_READ`] at a time into one
/// buffer, so the compressed data is never copied whole.
struct DeflateInput<'a> {
    source: Source<'a>,
    start: u64,
    len: u64,
    /// The bytes last read from a file, and where in the entry's data they start.
    chunk: Vec<u8>,
    chunk_at: u64,
}

impl DeflateInput<'_> {
    /// The input from `consumed` on (all of it, or the next chunk of a file); empty once
    /// everything is consumed.
    fn rest(&mut self, consumed: u64) -> Result<&[u8], ZipError> {
        let left = self.len.saturating_sub(consumed);
        let at = self.start.saturating_add(consumed);
        let file = match self.source {
            Source::Bytes(_) => {
                return Ok(self
                    .source
                    .get_into(at, left, &mut self.chunk)?
                    .unwrap_or_default())
            }
            Source::File(file) => file,
        };
        let in_chunk = consumed
            .checked_sub(self.chunk_at)
            .and_then(|off| usize::try_from(off).ok())
            .filter(|&off| off < self.chunk.len());
        if let Some(off) = in_chunk {
            return Ok(self.chunk.get(off..).unwrap_or_default());
        }
        let n = usize::try_from(left.min(INFLATE_READ)).unwrap_or(0);
        self.chunk.resize(n, 0);
        self.chunk_at = consumed;
        file.read_exact_at(&mut self.chunk, at)
            .map_err(|e| ZipError::Io {
                offset: at,
                detail: e.to_string(),
            })?;
        Ok(&self.chunk)
    }
}

/// Inflates a raw deflate stream that must produce exactly `declared` bytes. Output past
/// `declared` stops the work at once (this is what defeats bombs with a small declared size);
/// the buffer grows as data arrives rather than trusting the declared size.
fn inflate(input: &mut DeflateInput<'_>, declared: u64) -> Result<Vec<u8>, InflateError> {
    let limit = usize::try_from(declared).map_err(|_| InflateError::TooLarge)?;
    let initial = usize::try_from(declared.min(MAX_INITIAL_ALLOC)).unwrap_or(0);
    let mut out = Vec::with_capacity(initial);
    let mut stream = Decompress::new(false);
    let corrupt = |e: flate2::DecompressError| InflateError::Corrupt(e.to_string());
    loop {
        let rest = input.rest(stream.total_in()).map_err(InflateError::Read)?;
        if out.len() >= limit {
            // Full: the stream must end here. Probe one byte to tell a clean end from more
            // output; each probe either ends, overflows, or consumes input.
            let mut probe = [0u8; 1];
            let (before_in, before_out) = (stream.total_in(), stream.total_out());
            let status = stream
                .decompress(rest, &mut probe, FlushDecompress::None)
                .map_err(corrupt)?;
            if stream.total_out() != before_out {
                return Err(InflateError::TooLarge);
            }
            if status == Status::StreamEnd {
                return Ok(out);
            }
            if stream.total_in() == before_in {
                return Err(truncated_stream(out.len(), declared));
            }
            continue;
        }
        if out.len() == out.capacity() {
            // Double, but never past the declared size.
            let grow = out.len().max(64 * 1024).min(limit - out.len());
            out.reserve_exact(grow);
        }
        let (before_in, before_out) = (stream.total_in(), stream.total_out());
        let status = stream
            .decompress_vec(rest, &mut out, FlushDecompress::None)
            .map_err(corrupt)?;
        if out.len() > limit {
            return Err(InflateError::TooLarge);
        }
        if status == Status::StreamEnd {
            if out.len() as u64 != declared {
                return Err(InflateError::Corrupt(format!(
                    "inflated to {} bytes, the central directory declares {declared}",
                    out.len()
                )));
            }
            return Ok(out);
        }
        if stream.total_in() == before_in && stream.total_out() == before_out {
            // Room to write, yet no progress: the input is exhausted mid-stream.
            return Err(truncated_stream(out.len(), declared));
        }
    }
}

fn truncated_stream(produced: usize, declared: u64) -> InflateError {
    InflateError::Corrupt(format!(
        "deflate stream ends early after {produced} of {declared} bytes"
    ))
}

/// Inflates each entry at most once per scan and shares the bytes; enforces the archive-wide cap.
///
/// `Sync`: rayon workers can share one cache, and a second thread asking for an entry that is
/// being inflated waits for the first instead of inflating it again.
///
/// Stored entries of an archive over bytes are borrowed and cost nothing. Those of an archive
/// over a file ([`Archive::open`]) are copied, and the copies have a budget of their own: the
/// file's length. Without overlapping records no scan comes near it (each entry is cached once
/// and the entries' data lie side by side in the file), so results are those of the same archive
/// over bytes, and the cache never holds more stored bytes than the whole file would have taken.
/// Records pointing at the same bytes again and again (already an
/// [`codes::OVERLAPPING_ENTRIES`] anomaly) fail with [`ZipError::TotalCopiedTooLarge`] once the
/// copies reach it. The inflate budget, `max_total_inflated`, is the same for both.
pub struct EntryCache<'a> {
    archive: &'a Archive<'a>,
    limits: Limits,
    slots: Vec<OnceLock<Result<Cow<'a, [u8]>, ZipError>>>,
    /// Bytes inflated so far (stored entries do not count).
    inflated: AtomicU64,
    /// Bytes of stored entries copied out of a file so far.
    copied: AtomicU64,
}

impl std::fmt::Debug for EntryCache<'_> {
    // Hand-written so that debug output does not dump megabytes of entry data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryCache")
            .field("entries", &self.slots.len())
            .field(
                "loaded",
                &self.slots.iter().filter(|s| s.get().is_some()).count(),
            )
            .field("inflated", &self.total_inflated())
            .field("copied", &self.total_copied())
            .field("limits", &self.limits)
            .finish()
    }
}

impl<'a> EntryCache<'a> {
    pub fn new(archive: &'a Archive<'a>, limits: Limits) -> Self {
        let slots = std::iter::repeat_with(OnceLock::new)
            .take(archive.entries.len())
            .collect();
        EntryCache {
            archive,
            limits,
            slots,
            inflated: AtomicU64::new(0),
            copied: AtomicU64::new(0),
        }
    }

    pub fn archive(&self) -> &'a Archive<'a> {
        self.archive
    }

    /// Bytes of the first entry with this name, inflated once and cached. `None` when absent.
    pub fn get(&self, name: &str) -> Option<Result<&[u8], ZipError>> {
        self.archive.find_index(name).map(|i| self.get_index(i))
    }

    /// Like [`EntryCache::get`], but refuses an entry that declares more than `max` uncompressed
    /// bytes before inflating anything. Readers of formats with a known sane size (binary XML,
    /// resource tables) use it so an honest bomb under the archive-wide limits still costs
    /// nothing.
    pub fn get_bounded(&self, name: &str, max: u64) -> Option<Result<&[u8], ZipError>> {
        Some(match self.bounded_index(name, max)? {
            Ok(index) => self.get_index(index),
            Err(e) => Err(e),
        })
    }

    /// The index of the first entry with this name, or the refusal when it declares more than
    /// `max` uncompressed bytes.
    fn bounded_index(&self, name: &str, max: u64) -> Option<Result<usize, ZipError>> {
        let index = self.archive.find_index(name)?;
        let entry = self.archive.entries.get(index)?;
        Some(if entry.uncompressed_size > max {
            Err(ZipError::EntryTooLarge {
                entry: entry.name.clone(),
                max,
            })
        } else {
            Ok(index)
        })
    }

    /// Like [`EntryCache::get_bounded`], but the bytes are not kept: for an entry read once
    /// and parsed into owned data (the resource table), so its memory is given back as soon as
    /// the caller drops it. Counts against the same budgets as a cached read.
    pub fn read_bounded(&self, name: &str, max: u64) -> Option<Result<Cow<'a, [u8]>, ZipError>> {
        let index = match self.bounded_index(name, max)? {
            Ok(i) => i,
            Err(e) => return Some(Err(e)),
        };
        let entry = self.archive.entries.get(index)?;
        if let Some(cached) = self.slots.get(index).and_then(OnceLock::get) {
            return Some(cached.clone());
        }
        Some(self.load(entry))
    }

    /// Bytes of the entry at this central-directory index.
    pub fn get_index(&self, index: usize) -> Result<&[u8], ZipError> {
        let (Some(slot), Some(entry)) = (self.slots.get(index), self.archive.entries.get(index))
        else {
            return Err(ZipError::Malformed(format!(
                "no entry at index {index} ({} entries)",
                self.slots.len()
            )));
        };
        slot.get_or_init(|| self.load(entry))
            .as_deref()
            .map_err(Clone::clone)
    }

    /// Bytes inflated (not borrowed) by this cache so far.
    pub fn total_inflated(&self) -> u64 {
        self.inflated.load(Ordering::Relaxed)
    }

    /// Bytes of stored entries copied out of the file by this cache so far (always 0 for an
    /// archive over bytes).
    pub fn total_copied(&self) -> u64 {
        self.copied.load(Ordering::Relaxed)
    }

    fn load(&self, entry: &Entry) -> Result<Cow<'a, [u8]>, ZipError> {
        // An entry over the per-entry limit fails on that limit (the more specific error)
        // without touching a budget.
        if entry.uncompressed_size > self.limits.max_entry_size {
            return self.archive.read(entry, &self.limits);
        }
        if entry.method != METHOD_DEFLATED {
            if self.archive.source.is_borrowed() {
                // Borrowed: costs no memory.
                return self.archive.read(entry, &self.limits);
            }
            // Copied from a file. Located first, so an entry that cannot be read fails as it
            // does over bytes, without touching the budget.
            let (start, end) = self.archive.locate(entry)?;
            let max = self.archive.input_len();
            let size = end.saturating_sub(start);
            reserve(
                &self.copied,
                size,
                max,
                ZipError::TotalCopiedTooLarge { max },
            )?;
            let result = self.archive.read_located(start, end);
            if result.is_err() {
                self.copied.fetch_sub(size, Ordering::Relaxed);
            }
            return result;
        }
        // A successful inflate yields exactly the declared size, so the budget can be reserved
        // before the work starts: concurrent threads never overshoot it, and a bomb fails
        // before inflating anything.
        let max = self.limits.max_total_inflated;
        let size = entry.uncompressed_size;
        reserve(&self.inflated, size, max, ZipError::TotalTooLarge { max })?;
        let result = self.archive.read(entry, &self.limits);
        if result.is_err() {
            self.inflated.fetch_sub(size, Ordering::Relaxed);
        }
        result
    }
}

/// Adds `size` to `budget` unless that takes it past `max`, in which case `over` is the error.
fn reserve(budget: &AtomicU64, size: u64, max: u64, over: ZipError) -> Result<(), ZipError> {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |total| {
            total.checked_add(size).filter(|&t| t <= max)
        })
        .map(|_| ())
        .map_err(|_| over)
}

/// Collects anomalies, keeping at most [`MAX_ANOMALIES_PER_CODE`] of each code and a count of
/// the rest.
#[derive(Default)]
struct AnomalyLog {
    list: Vec<Anomaly>,
    /// (code, how many were reported) for every code seen.
    counts: Vec<(&'static str, usize)>,
}

impl AnomalyLog {
    fn push(&mut self, code: &'static str, entry: Option<&str>, message: String) {
        let count = match self.counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => n,
            None => {
                self.counts.push((code, 0));
                match self.counts.last_mut() {
                    Some((_, n)) => n,
                    None => return,
                }
            }
        };
        *count += 1;
        if *count <= MAX_ANOMALIES_PER_CODE {
            self.list.push(Anomaly {
                code,
                message,
                entry: entry.map(str::to_owned),
            });
        }
    }

    fn finish(mut self) -> Vec<Anomaly> {
        for (code, count) in self.counts {
            if count > MAX_ANOMALIES_PER_CODE {
                self.list.push(Anomaly {
                    code,
                    message: format!(
                        "{} more anomalies of this kind not listed",
                        count - MAX_ANOMALIES_PER_CODE
                    ),
                    entry: None,
                });
            }
        }
        self.list
    }
}

/// `len` bytes at `at`, if they are all there.
fn slice(data: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    data.get(at..at.checked_add(len)?)
}

/// [`slice`] of a read from the source: borrowed when the read was, copied otherwise.
fn sub_cow<'a>(bytes: &Cow<'a, [u8]>, at: usize, len: usize) -> Option<Cow<'a, [u8]>> {
    match bytes {
        Cow::Borrowed(b) => slice(b, at, len).map(Cow::Borrowed),
        Cow::Owned(v) => slice(v, at, len).map(|s| Cow::Owned(s.to_vec())),
    }
}

/// Little-endian integer at `at`; zero when out of range (callers check the record length
/// first, so this only spares them a second error path).
fn le<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    slice(data, at, N)
        .and_then(|b| b.try_into().ok())
        .unwrap_or([0; N])
}

fn le16(data: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(le(data, at))
}

fn le32(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(le(data, at))
}

fn le64(data: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(le(data, at))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;
    use std::io::Write;

    // ---- byte-level archive builder ------------------------------------------------------

    /// One central-directory record and (unless it aliases another) its local record.
    #[derive(Clone)]
    struct Spec {
        name: Vec<u8>,
        /// Name written in the local header, when it should differ.
        local_name: Option<Vec<u8>>,
        method: u16,
        local_method: Option<u16>,
        flags: u16,
        /// Bytes written after the local header.
        payload: Vec<u8>,
        crc: u32,
        csize: u64,
        usize: u64,
        /// Write a data descriptor and zero sizes/CRC in the local header.
        descriptor: bool,
        /// Point this record at the local header of that earlier spec instead of writing one.
        alias_of: Option<usize>,
    }

    fn crc(bytes: &[u8]) -> u32 {
        let mut c = flate2::Crc::new();
        c.update(bytes);
        c.sum()
    }

    fn deflate(bytes: &[u8]) -> Vec<u8> {
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    impl Spec {
        fn stored(name: &str, content: &[u8]) -> Spec {
            Spec {
                name: name.as_bytes().to_vec(),
                local_name: None,
                method: METHOD_STORED,
                local_method: None,
                flags: 0,
                payload: content.to_vec(),
                crc: crc(content),
                csize: content.len() as u64,
                usize: content.len() as u64,
                descriptor: false,
                alias_of: None,
            }
        }

        fn deflated(name: &str, content: &[u8]) -> Spec {
            let payload = deflate(content);
            Spec {
                method: METHOD_DEFLATED,
                csize: payload.len() as u64,
                payload,
                ..Spec::stored(name, content)
            }
        }

        fn alias(name: &str, of: usize) -> Spec {
            Spec {
                alias_of: Some(of),
                ..Spec::stored(name, b"")
            }
        }
    }

    /// The sample archive in its plain and its ZIP64 layout.
    fn sample_archives() -> [Vec<u8>; 2] {
        [
            build(&sample(), &Layout::default()),
            build(
                &sample(),
                &Layout {
                    zip64: true,
                    ..Layout::default()
                },
            ),
        ]
    }

    #[derive(Default)]
    struct Layout {
        /// Bytes before the first local header.
        prefix: Vec<u8>,
        /// Whether declared offsets count the prefix (`zip -A`) or not (`cat prefix app.zip`).
        absolute: bool,
        zip64: bool,
        comment: Vec<u8>,
        /// Bytes after the comment.
        trailing: Vec<u8>,
        /// Overrides the declared record count.
        count: Option<u16>,
    }

    /// A nameless local header with `extra` zero bytes of extra field and no data (zipflinger's
    /// padding "virtual entry").
    fn padding_record(out: &mut Vec<u8>, extra: u16) {
        put32(out, LFH_SIG);
        out.extend_from_slice(&[0; 22]);
        put16(out, 0);
        put16(out, extra);
        out.extend(std::iter::repeat_n(0u8, usize::from(extra)));
    }

    fn put16(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn put32(out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn put64(out: &mut Vec<u8>, v: u64) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    /// A 32-bit size/offset field, saturated in ZIP64 mode.
    fn put_field(out: &mut Vec<u8>, v: u64, zip64: bool) {
        put32(out, if zip64 { u32::MAX } else { v as u32 });
    }

    fn build(specs: &[Spec], layout: &Layout) -> Vec<u8> {
        let mut out = layout.prefix.clone();
        let base = if layout.absolute { 0 } else { out.len() as u64 };
        let mut offsets = Vec::new();
        for spec in specs {
            if let Some(of) = spec.alias_of {
                let target = offsets[of];
                offsets.push(target);
                continue;
            }
            offsets.push(out.len() as u64 - base);
            let (crc, csize, usize) = if spec.descriptor {
                (0, 0, 0)
            } else {
                (spec.crc, spec.csize, spec.usize)
            };
            let name = spec.local_name.as_ref().unwrap_or(&spec.name);
            put32(&mut out, LFH_SIG);
            put16(&mut out, 20);
            put16(&mut out, spec.flags);
            put16(&mut out, spec.local_method.unwrap_or(spec.method));
            put32(&mut out, 0); // time, date
            put32(&mut out, crc);
            put_field(&mut out, csize, layout.zip64);
            put_field(&mut out, usize, layout.zip64);
            put16(&mut out, name.len() as u16);
            put16(&mut out, if layout.zip64 { 20 } else { 0 });
            out.extend_from_slice(name);
            if layout.zip64 {
                put16(&mut out, ZIP64_EXTRA_ID);
                put16(&mut out, 16);
                put64(&mut out, usize);
                put64(&mut out, csize);
            }
            out.extend_from_slice(&spec.payload);
            if spec.descriptor {
                put32(&mut out, 0x0807_4b50);
                put32(&mut out, spec.crc);
                put32(&mut out, spec.csize as u32);
                put32(&mut out, spec.usize as u32);
            }
        }
        let cd_start = out.len() as u64;
        for (spec, &offset) in specs.iter().zip(&offsets) {
            put32(&mut out, CDH_SIG);
            put16(&mut out, 20);
            put16(&mut out, 20);
            put16(&mut out, spec.flags);
            put16(&mut out, spec.method);
            put32(&mut out, 0);
            put32(&mut out, spec.crc);
            put_field(&mut out, spec.csize, layout.zip64);
            put_field(&mut out, spec.usize, layout.zip64);
            put16(&mut out, spec.name.len() as u16);
            put16(&mut out, if layout.zip64 { 28 } else { 0 });
            put16(&mut out, 0); // comment
            put16(&mut out, 0); // disk
            put16(&mut out, 0); // internal attributes
            put32(&mut out, 0); // external attributes
            put_field(&mut out, offset, layout.zip64);
            out.extend_from_slice(&spec.name);
            if layout.zip64 {
                put16(&mut out, ZIP64_EXTRA_ID);
                put16(&mut out, 24);
                put64(&mut out, spec.usize);
                put64(&mut out, spec.csize);
                put64(&mut out, offset);
            }
        }
        let cd_size = out.len() as u64 - cd_start;
        let count = layout.count.unwrap_or(specs.len() as u16);
        if layout.zip64 {
            let eocd64 = out.len() as u64 - base;
            put32(&mut out, ZIP64_EOCD_SIG);
            put64(&mut out, 44);
            put16(&mut out, 45);
            put16(&mut out, 45);
            put32(&mut out, 0);
            put32(&mut out, 0);
            put64(&mut out, u64::from(count));
            put64(&mut out, u64::from(count));
            put64(&mut out, cd_size);
            put64(&mut out, cd_start - base);
            put32(&mut out, ZIP64_LOCATOR_SIG);
            put32(&mut out, 0);
            put64(&mut out, eocd64);
            put32(&mut out, 1);
        }
        put32(&mut out, EOCD_SIG);
        put32(&mut out, 0); // disk numbers
        let count16 = if layout.zip64 { u16::MAX } else { count };
        put16(&mut out, count16);
        put16(&mut out, count16);
        put_field(&mut out, cd_size, layout.zip64);
        put_field(&mut out, cd_start - base, layout.zip64);
        put16(&mut out, layout.comment.len() as u16);
        out.extend_from_slice(&layout.comment);
        out.extend_from_slice(&layout.trailing);
        out
    }

    fn codes_of(archive: &Archive<'_>) -> Vec<&'static str> {
        archive.anomalies().iter().map(|a| a.code).collect()
    }

    fn has(archive: &Archive<'_>, code: &str, entry: &str) -> bool {
        archive
            .anomalies()
            .iter()
            .any(|a| a.code == code && a.entry.as_deref() == Some(entry))
    }

    fn small_limits() -> Limits {
        Limits {
            max_entry_size: 16 << 20,
            max_total_inflated: 16 << 20,
            ..Limits::default()
        }
    }

    fn sample() -> Vec<Spec> {
        vec![
            Spec::stored("AndroidManifest.xml", b"<manifest/>"),
            Spec::deflated("classes.dex", &b"dex\n035\0".repeat(50)),
            Spec::stored("res/", b""),
        ]
    }

    /// Reads every entry through a cache, returning the results; must never panic.
    fn read_all(data: &[u8]) -> Option<Vec<Result<Vec<u8>, ZipError>>> {
        let limits = small_limits();
        let archive = Archive::parse(data, &limits).ok()?;
        let cache = EntryCache::new(&archive, limits);
        Some(
            (0..archive.entries().len())
                .map(|i| cache.get_index(i).map(<[u8]>::to_vec))
                .collect(),
        )
    }

    // ---- well-formed archives --------------------------------------------------------------

    #[test]
    fn reads_stored_and_deflated_entries() {
        let data = build(&sample(), &Layout::default());
        let limits = Limits::default();
        let archive = Archive::parse(&data, &limits).unwrap();
        assert_eq!(codes_of(&archive), Vec::<&str>::new());
        let names: Vec<_> = archive.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["AndroidManifest.xml", "classes.dex", "res/"]);
        assert!(archive.entries()[2].is_dir());
        assert_eq!(archive.offset_shift, 0);
        assert_eq!(archive.zip64_eocd_offset, None);

        let manifest = archive.read(archive.find("AndroidManifest.xml").unwrap(), &limits);
        assert!(matches!(manifest, Ok(Cow::Borrowed(b"<manifest/>"))));
        let dex = archive.find("classes.dex").unwrap();
        let bytes = archive.read(dex, &limits).unwrap();
        assert!(matches!(bytes, Cow::Owned(_)));
        assert_eq!(&*bytes, b"dex\n035\0".repeat(50).as_slice());
        assert!(Archive::crc_matches(dex, &bytes));
        assert!(archive.find("missing").is_none());

        let cache = EntryCache::new(&archive, limits);
        assert_eq!(cache.get("classes.dex").unwrap().unwrap(), &*bytes);
        assert_eq!(cache.total_inflated(), 400);
        // Served from the cache the second time: same allocation, no second inflate counted.
        let a = cache.get("classes.dex").unwrap().unwrap().as_ptr();
        let b = cache.get_index(1).unwrap().as_ptr();
        assert_eq!(a, b);
        assert_eq!(cache.total_inflated(), 400);
        assert!(cache.get("missing").is_none());
        assert!(cache.get_index(3).is_err());
    }

    #[test]
    fn empty_archive_and_not_zip() {
        let data = build(&[], &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert!(archive.entries().is_empty());
        assert_eq!(codes_of(&archive), Vec::<&str>::new());

        let limits = Limits::default();
        assert_eq!(
            Archive::parse(b"", &limits).unwrap_err(),
            ZipError::NotZip("empty file")
        );
        assert!(matches!(
            Archive::parse(b"PK\x03\x04", &limits),
            Err(ZipError::NotZip(_))
        ));
        assert!(matches!(
            Archive::parse(&[0u8; 100_000], &limits),
            Err(ZipError::NotZip(_))
        ));
    }

    #[test]
    fn data_descriptors_use_central_sizes() {
        let mut specs = sample();
        for spec in &mut specs {
            spec.flags |= FLAG_DATA_DESCRIPTOR;
            spec.descriptor = true;
        }
        let data = build(&specs, &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(codes_of(&archive), Vec::<&str>::new());
        let all = read_all(&data).unwrap();
        assert_eq!(all[1].as_deref().unwrap(), b"dex\n035\0".repeat(50));
    }

    #[test]
    fn zip64_end_records_and_extra_fields() {
        for prefix in [Vec::new(), b"#!/bin/sh\nexit 0\n".to_vec()] {
            let layout = Layout {
                zip64: true,
                prefix: prefix.clone(),
                ..Layout::default()
            };
            let data = build(&sample(), &layout);
            let archive = Archive::parse(&data, &Limits::default()).unwrap();
            assert!(archive.zip64_eocd_offset.is_some());
            assert_eq!(archive.offset_shift, prefix.len() as u64);
            let expected: Vec<&str> = if prefix.is_empty() {
                vec![]
            } else {
                vec![codes::PREPENDED_DATA]
            };
            assert_eq!(codes_of(&archive), expected);
            let dex = archive.find("classes.dex").unwrap();
            assert_eq!(dex.uncompressed_size, 400);
            let all = read_all(&data).unwrap();
            assert_eq!(all[0].as_deref().unwrap(), b"<manifest/>");
            assert_eq!(all[1].as_deref().unwrap(), b"dex\n035\0".repeat(50));
        }
    }

    #[test]
    fn zip64_saturated_fields_without_extra_are_reported() {
        let data = build(&sample(), &Layout::default());
        // Saturate the first record's uncompressed size; it has no extra field to resolve it.
        let cd = Archive::parse(&data, &Limits::default()).unwrap().cd_offset as usize;
        let mut bad = data.clone();
        bad[cd + 24..cd + 28].copy_from_slice(&u32::MAX.to_le_bytes());
        let archive = Archive::parse(&bad, &Limits::default()).unwrap();
        assert!(has(&archive, codes::BAD_ZIP64, "AndroidManifest.xml"));
        assert!(archive
            .read(&archive.entries()[0], &Limits::default())
            .is_err());
    }

    // ---- tampering -------------------------------------------------------------------------

    #[test]
    fn duplicates_are_all_listed_and_the_first_wins() {
        let specs = vec![
            Spec::deflated("classes.dex", b"the real code"),
            Spec::stored("AndroidManifest.xml", b"<manifest/>"),
            Spec::stored("classes.dex", b"decoy"),
            Spec::stored("classes.dex", b"decoy 2"),
        ];
        let data = build(&specs, &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(archive.entries().len(), 4);
        let dups: Vec<_> = archive
            .anomalies()
            .iter()
            .filter(|a| a.code == codes::DUPLICATE_ENTRY)
            .collect();
        assert_eq!(dups.len(), 2);
        assert!(dups
            .iter()
            .all(|a| a.entry.as_deref() == Some("classes.dex")));
        assert!(dups[0].message.contains("#2"), "{}", dups[0].message);
        assert_eq!(archive.find("classes.dex").unwrap().index, 0);
        let cache = EntryCache::new(&archive, Limits::default());
        assert_eq!(cache.get("classes.dex").unwrap().unwrap(), b"the real code");
        assert_eq!(cache.get_index(3).unwrap(), b"decoy 2");
    }

    #[test]
    fn anomalies_of_one_kind_are_capped_with_a_count() {
        let specs: Vec<Spec> = (0..300).map(|_| Spec::stored("same", b"x")).collect();
        let data = build(&specs, &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(archive.entries().len(), 300);
        let dups: Vec<_> = archive
            .anomalies()
            .iter()
            .filter(|a| a.code == codes::DUPLICATE_ENTRY)
            .collect();
        assert_eq!(dups.len(), MAX_ANOMALIES_PER_CODE + 1);
        let summary = dups.last().unwrap();
        assert_eq!(summary.entry, None);
        assert!(
            summary.message.starts_with("43 more"),
            "{}",
            summary.message
        );
    }

    #[test]
    fn unknown_method_is_read_as_stored_with_the_uncompressed_size() {
        // BadPack: random method in both headers and a bogus compressed size.
        let mut manifest = Spec::stored("AndroidManifest.xml", b"<manifest package='evil'/>");
        manifest.method = 0x1c5d;
        manifest.csize = 0x00ab_cdef;
        let specs = vec![manifest, Spec::deflated("classes.dex", b"code")];
        let data = build(&specs, &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(codes_of(&archive), [codes::UNKNOWN_METHOD]);
        assert!(has(&archive, codes::UNKNOWN_METHOD, "AndroidManifest.xml"));
        let all = read_all(&data).unwrap();
        assert_eq!(all[0].as_deref().unwrap(), b"<manifest package='evil'/>");
        assert_eq!(all[1].as_deref().unwrap(), b"code");
    }

    #[test]
    fn local_header_disagreements_are_reported_and_the_directory_wins() {
        let mut renamed = Spec::stored("AndroidManifest.xml", b"<manifest/>");
        renamed.local_name = Some(b"AndroidManifesT.xml".to_vec());
        let mut remethod = Spec::deflated("classes.dex", b"code");
        remethod.local_method = Some(METHOD_STORED);
        let specs = vec![renamed, remethod, Spec::stored("ok", b"fine")];
        let data = build(&specs, &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(
            codes_of(&archive),
            [codes::LOCAL_HEADER_MISMATCH, codes::LOCAL_HEADER_MISMATCH]
        );
        assert!(has(
            &archive,
            codes::LOCAL_HEADER_MISMATCH,
            "AndroidManifest.xml"
        ));
        assert!(archive.anomalies()[1].message.contains("method"));
        let all = read_all(&data).unwrap();
        assert_eq!(all[0].as_deref().unwrap(), b"<manifest/>");
        assert_eq!(all[1].as_deref().unwrap(), b"code");
    }

    #[test]
    fn encryption_flag_is_ignored_but_reported() {
        let mut spec = Spec::deflated("classes.dex", b"plain code");
        spec.flags |= FLAG_ENCRYPTED;
        let data = build(&[spec], &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(codes_of(&archive), [codes::ENCRYPTION_FLAG]);
        assert_eq!(
            read_all(&data).unwrap()[0].as_deref().unwrap(),
            b"plain code"
        );
    }

    #[test]
    fn records_sharing_one_local_header_overlap() {
        let content = b"\x00big".repeat(1000);
        let mut specs = vec![Spec::deflated("classes.dex", &content)];
        specs.extend((0..20).map(|i| Spec {
            name: format!("copy{i}.dex").into_bytes(),
            local_name: None,
            ..Spec::alias("", 0)
        }));
        // Aliases carry the target's sizes and method so they read the same data.
        for spec in specs.iter_mut().skip(1) {
            spec.method = METHOD_DEFLATED;
            spec.crc = crc(&content);
            spec.csize = specs_first_csize(&content);
            spec.usize = content.len() as u64;
        }
        let data = build(&specs, &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(archive.entries().len(), 21);
        let overlaps = archive
            .anomalies()
            .iter()
            .filter(|a| a.code == codes::OVERLAPPING_ENTRIES)
            .count();
        assert_eq!(overlaps, 20);
        // Names differ from the local header's, which is reported too.
        assert!(has(&archive, codes::LOCAL_HEADER_MISMATCH, "copy0.dex"));
        for bytes in read_all(&data).unwrap() {
            assert_eq!(bytes.unwrap(), content);
        }
    }

    fn specs_first_csize(content: &[u8]) -> u64 {
        deflate(content).len() as u64
    }

    #[test]
    fn data_ranges_reaching_into_the_next_entry_overlap() {
        let b = Spec::stored("b.txt", b"second");
        // a's declared size swallows b's whole local record.
        let mut a = Spec::stored("a.txt", b"first");
        let swallowed = (LFH_LEN + b.name.len() + b.payload.len()) as u64;
        a.csize += swallowed;
        a.usize += swallowed;
        let c = Spec::stored("c.txt", b"third");
        let data = build(&[a, b, c], &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert!(has(&archive, codes::OVERLAPPING_ENTRIES, "b.txt"));
        assert!(!has(&archive, codes::OVERLAPPING_ENTRIES, "c.txt"));
        assert!(!has(&archive, codes::OVERLAPPING_ENTRIES, "a.txt"));
        let all = read_all(&data).unwrap();
        assert!(all[0].as_deref().unwrap().starts_with(b"firstPK\x03\x04"));
        assert_eq!(all[1].as_deref().unwrap(), b"second");
    }

    #[test]
    fn data_running_into_the_directory_fails_only_that_entry() {
        let mut bad = Spec::stored("lib/evil.so", b"elf");
        bad.usize = 10_000;
        bad.csize = 10_000;
        let data = build(&[Spec::stored("ok.txt", b"fine"), bad], &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert!(has(&archive, codes::ENTRY_OUT_OF_BOUNDS, "lib/evil.so"));
        let all = read_all(&data).unwrap();
        assert_eq!(all[0].as_deref().unwrap(), b"fine");
        assert!(matches!(all[1], Err(ZipError::Malformed(_))));
    }

    #[test]
    fn local_header_in_the_directory_is_rejected() {
        let data = build(&sample(), &Layout::default());
        let cd = Archive::parse(&data, &Limits::default()).unwrap().cd_offset as u32;
        let mut bad = data.clone();
        // Point the first record's local header at the directory itself.
        bad[cd as usize + 42..cd as usize + 46].copy_from_slice(&cd.to_le_bytes());
        let archive = Archive::parse(&bad, &Limits::default()).unwrap();
        assert!(has(
            &archive,
            codes::BAD_LOCAL_HEADER,
            "AndroidManifest.xml"
        ));
        assert!(read_all(&bad).unwrap()[0].is_err());
    }

    #[test]
    fn prepended_data_with_shifted_offsets() {
        let prefix = b"MZ this is a polyglot stub".repeat(10);
        let layout = Layout {
            prefix: prefix.clone(),
            ..Layout::default()
        };
        let data = build(&sample(), &layout);
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(codes_of(&archive), [codes::PREPENDED_DATA]);
        assert_eq!(archive.offset_shift, prefix.len() as u64);
        assert_eq!(
            archive.entries()[0].local_header_offset,
            prefix.len() as u64
        );
        let all = read_all(&data).unwrap();
        assert_eq!(all[1].as_deref().unwrap(), b"dex\n035\0".repeat(50));
    }

    #[test]
    fn prepended_data_with_adjusted_offsets() {
        let layout = Layout {
            prefix: b"#!/bin/sh\nexec java -jar \"$0\"\n".to_vec(),
            absolute: true,
            ..Layout::default()
        };
        let data = build(&sample(), &layout);
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(codes_of(&archive), [codes::PREPENDED_DATA]);
        assert_eq!(archive.offset_shift, 0);
        assert!(read_all(&data).unwrap().iter().all(Result::is_ok));
    }

    #[test]
    fn unreferenced_padding_record_at_the_start_is_not_prepended_data() {
        // zipflinger's "virtual entry": a local header with no name and only padding.
        let mut prefix = Vec::new();
        padding_record(&mut prefix, 102);
        let layout = Layout {
            prefix,
            absolute: true,
            ..Layout::default()
        };
        let data = build(&sample(), &layout);
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(codes_of(&archive), Vec::<&str>::new());
    }

    #[test]
    fn junk_that_merely_starts_like_a_local_header_is_prepended_data() {
        let mut prefix = Vec::new();
        put32(&mut prefix, LFH_SIG);
        prefix.extend_from_slice(&[0x41; 60]);
        let layout = Layout {
            prefix,
            absolute: true,
            ..Layout::default()
        };
        let data = build(&sample(), &layout);
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(codes_of(&archive), [codes::PREPENDED_DATA]);
    }

    #[test]
    fn anomaly_codes_are_unique_and_namespaced() {
        let mut all = codes::ALL.to_vec();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), codes::ALL.len());
        assert!(all.iter().all(|c| c.starts_with("zip.")));
    }

    #[test]
    fn trailing_data_and_fake_end_record_in_the_comment() {
        let layout = Layout {
            trailing: b"junk after the archive".to_vec(),
            ..Layout::default()
        };
        let data = build(&sample(), &layout);
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(codes_of(&archive), [codes::TRAILING_DATA]);
        assert_eq!(archive.entries().len(), 3);

        // A comment that holds a bogus end record whose own comment length does not fit: the
        // real record (comment ending at EOF) is the one used.
        let mut comment = Vec::new();
        put32(&mut comment, EOCD_SIG);
        comment.extend_from_slice(&[0xEE; 16]);
        put16(&mut comment, 1000);
        let layout = Layout {
            comment,
            ..Layout::default()
        };
        let data = build(&sample(), &layout);
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(codes_of(&archive), Vec::<&str>::new());
        assert_eq!(archive.entries().len(), 3);
    }

    #[test]
    fn records_beyond_the_declared_count_are_reported() {
        let layout = Layout {
            count: Some(2),
            ..Layout::default()
        };
        let data = build(&sample(), &layout);
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        // Android reads only the declared count; the hidden third record is not listed.
        assert_eq!(archive.entries().len(), 2);
        assert_eq!(codes_of(&archive), [codes::CD_SIZE_MISMATCH]);

        let layout = Layout {
            count: Some(7),
            ..Layout::default()
        };
        let data = build(&sample(), &layout);
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert_eq!(archive.entries().len(), 3);
        assert_eq!(codes_of(&archive), [codes::CD_TRUNCATED]);
    }

    #[test]
    fn entry_limit_stops_reading_without_failing() {
        let specs: Vec<Spec> = (0..5)
            .map(|i| Spec::stored(&format!("f{i}"), b"x"))
            .collect();
        let data = build(&specs, &Layout::default());
        let limits = Limits {
            max_zip_entries: 2,
            ..Limits::default()
        };
        let archive = Archive::parse(&data, &limits).unwrap();
        assert_eq!(archive.entries().len(), 2);
        assert_eq!(codes_of(&archive), [codes::TOO_MANY_ENTRIES]);
    }

    #[test]
    fn suspicious_names_are_reported() {
        let specs = vec![
            Spec::stored("../../data/evil.so", b"x"),
            Spec::stored("/etc/passwd", b"x"),
            Spec::stored("a..b/ok..txt", b"x"),
            Spec {
                name: b"bad\xffname\0".to_vec(),
                ..Spec::stored("", b"x")
            },
        ];
        let data = build(&specs, &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        assert!(has(&archive, codes::UNSAFE_PATH, "../../data/evil.so"));
        assert!(has(&archive, codes::UNSAFE_PATH, "/etc/passwd"));
        assert!(!has(&archive, codes::UNSAFE_PATH, "a..b/ok..txt"));
        assert!(has(&archive, codes::INVALID_NAME, "bad\u{fffd}name\0"));
        assert_eq!(archive.entries().len(), 4);
    }

    // ---- inflation bounds ------------------------------------------------------------------

    /// A raw deflate stream of `n` zero bytes, hand-written with fixed Huffman codes (a literal
    /// 0, then length-258 distance-1 matches) so a 1 GiB bomb costs milliseconds to build.
    fn zeros_bomb(n: u64) -> Vec<u8> {
        struct Bits {
            out: Vec<u8>,
            acc: u64,
            len: u32,
        }
        impl Bits {
            fn put(&mut self, value: u64, bits: u32) {
                self.acc |= value << self.len;
                self.len += bits;
                while self.len >= 8 {
                    self.out.push(self.acc as u8);
                    self.acc >>= 8;
                    self.len -= 8;
                }
            }
            /// Huffman codes are sent most significant bit first.
            fn code(&mut self, code: u64, bits: u32) {
                let reversed = code.reverse_bits() >> (64 - bits);
                self.put(reversed, bits);
            }
        }
        let mut w = Bits {
            out: Vec::with_capacity((n / 258 * 13 / 8 + 64) as usize),
            acc: 0,
            len: 0,
        };
        w.put(1, 1); // final block
        w.put(1, 2); // fixed Huffman
        let literal_zero = |w: &mut Bits| w.code(0x30, 8);
        let mut left = n;
        if left > 0 {
            literal_zero(&mut w);
            left -= 1;
        }
        while left >= 258 {
            w.code(0xC5, 8); // length symbol 285 = 258
            w.code(0, 5); // distance code 0 = 1
            left -= 258;
        }
        for _ in 0..left {
            literal_zero(&mut w);
        }
        w.code(0, 7); // end of block
        w.put(0, 7); // flush
        w.out
    }

    fn bomb(declared: u64, real: u64) -> Spec {
        let payload = zeros_bomb(real);
        Spec {
            method: METHOD_DEFLATED,
            csize: payload.len() as u64,
            usize: declared,
            payload,
            ..Spec::stored("assets/bomb", b"")
        }
    }

    #[test]
    fn the_bomb_generator_is_a_valid_stream() {
        for n in [0, 1, 258, 259, 1000, 1 << 20] {
            let data = build(&[bomb(n, n)], &Layout::default());
            let out = read_all(&data).unwrap().remove(0).unwrap();
            assert_eq!(out.len() as u64, n);
            assert!(out.iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn bomb_with_honest_sizes_fails_on_the_entry_limit() {
        let data = build(&[bomb(1 << 30, 1 << 30)], &Layout::default());
        let limits = Limits {
            max_entry_size: 64 << 20,
            ..Limits::default()
        };
        let archive = Archive::parse(&data, &limits).unwrap();
        let err = archive.read(&archive.entries()[0], &limits).unwrap_err();
        assert_eq!(
            err,
            ZipError::EntryTooLarge {
                entry: "assets/bomb".into(),
                max: 64 << 20
            }
        );
        // Through a cache whose archive-wide budget is the binding limit.
        let limits = Limits {
            max_entry_size: 2 << 30,
            max_total_inflated: 256 << 20,
            ..Limits::default()
        };
        let cache = EntryCache::new(&archive, limits);
        assert_eq!(
            cache.get_index(0).unwrap_err(),
            ZipError::TotalTooLarge { max: 256 << 20 }
        );
        assert_eq!(cache.total_inflated(), 0);
        // Both limits exceeded: the per-entry one is reported.
        let limits = Limits {
            max_entry_size: 64 << 20,
            max_total_inflated: 1 << 20,
            ..Limits::default()
        };
        let cache = EntryCache::new(&archive, limits);
        assert!(matches!(
            cache.get_index(0),
            Err(ZipError::EntryTooLarge { max, .. }) if max == 64 << 20
        ));
    }

    #[test]
    fn bomb_with_small_declared_size_is_cut_at_the_declared_size() {
        let data = build(&[bomb(100, 1 << 30)], &Layout::default());
        let limits = Limits::default();
        let archive = Archive::parse(&data, &limits).unwrap();
        assert_eq!(codes_of(&archive), Vec::<&str>::new());
        assert_eq!(
            archive.read(&archive.entries()[0], &limits).unwrap_err(),
            ZipError::EntryTooLarge {
                entry: "assets/bomb".into(),
                max: 100
            }
        );
        // Larger declared size than the 64 MiB initial allocation, still far below the real
        // size: the buffer grows, then the overflow is caught.
        let data = build(&[bomb((64 << 20) + 5, 1 << 30)], &Layout::default());
        let archive = Archive::parse(&data, &limits).unwrap();
        assert!(matches!(
            archive.read(&archive.entries()[0], &limits),
            Err(ZipError::EntryTooLarge { .. })
        ));
    }

    #[test]
    fn short_output_and_truncated_streams_are_corrupt() {
        let data = build(&[bomb(5000, 1000)], &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        let err = archive
            .read(&archive.entries()[0], &Limits::default())
            .unwrap_err();
        assert!(matches!(err, ZipError::Corrupt { .. }), "{err}");

        let mut spec = Spec::deflated("classes.dex", &b"abcdefgh".repeat(1000));
        spec.payload.truncate(spec.payload.len() / 2);
        spec.csize = spec.payload.len() as u64;
        let data = build(&[spec], &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        let err = archive
            .read(&archive.entries()[0], &Limits::default())
            .unwrap_err();
        assert!(matches!(err, ZipError::Corrupt { .. }), "{err}");

        let mut spec = Spec::deflated("classes.dex", b"x");
        spec.payload = vec![0xff; 16]; // invalid block type
        spec.csize = 16;
        let data = build(&[spec], &Layout::default());
        assert!(matches!(
            read_all(&data).unwrap()[0],
            Err(ZipError::Corrupt { .. })
        ));
    }

    #[test]
    fn cache_enforces_the_archive_wide_total() {
        let specs: Vec<Spec> = (0..3)
            .map(|i| Spec {
                name: format!("assets/part{i}").into_bytes(),
                ..bomb(1 << 20, 1 << 20)
            })
            .collect();
        let data = build(&specs, &Layout::default());
        let limits = Limits {
            max_total_inflated: (5 << 20) / 2,
            ..Limits::default()
        };
        let archive = Archive::parse(&data, &limits).unwrap();
        let cache = EntryCache::new(&archive, limits);
        assert_eq!(cache.get_index(0).unwrap().len(), 1 << 20);
        assert_eq!(cache.get_index(1).unwrap().len(), 1 << 20);
        assert_eq!(
            cache.get_index(2).unwrap_err(),
            ZipError::TotalTooLarge { max: (5 << 20) / 2 }
        );
        assert_eq!(cache.total_inflated(), 2 << 20);
        // Cached results, errors included, are not recomputed.
        assert!(cache.get_index(2).is_err());
        assert_eq!(cache.total_inflated(), 2 << 20);
    }

    #[test]
    fn cache_is_shared_across_threads_and_inflates_once() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<EntryCache<'_>>();

        let data = build(&[bomb(4 << 20, 4 << 20)], &Layout::default());
        let archive = Archive::parse(&data, &Limits::default()).unwrap();
        let cache = EntryCache::new(&archive, Limits::default());
        let pointers: Vec<usize> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| cache.get_index(0).unwrap().as_ptr() as usize))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(pointers.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(cache.total_inflated(), 4 << 20);
    }

    // ---- file-backed archives -------------------------------------------------------------

    /// Everything an archive shows, entry bytes included: must not depend on where the bytes
    /// come from.
    #[derive(Debug, PartialEq)]
    struct Seen {
        entries: Vec<Entry>,
        anomalies: Vec<Anomaly>,
        /// cd_offset, cd_size, eocd_offset, zip64_eocd_offset, offset_shift, input_len.
        layout: (u64, u64, u64, Option<u64>, u64, u64),
        raw: Vec<Result<Vec<u8>, ZipError>>,
        read: Vec<Result<Vec<u8>, ZipError>>,
        cached: Vec<Result<Vec<u8>, ZipError>>,
        inflated: u64,
    }

    fn seen(parsed: Result<Archive<'_>, ZipError>, limits: &Limits) -> Result<Seen, ZipError> {
        let archive = parsed?;
        let bytes = |r: Result<Cow<'_, [u8]>, ZipError>| r.map(Cow::into_owned);
        let cache = EntryCache::new(&archive, limits.clone());
        Ok(Seen {
            entries: archive.entries().to_vec(),
            anomalies: archive.anomalies().to_vec(),
            layout: (
                archive.cd_offset,
                archive.cd_size,
                archive.eocd_offset,
                archive.zip64_eocd_offset,
                archive.offset_shift,
                archive.input_len(),
            ),
            raw: archive
                .entries()
                .iter()
                .map(|e| bytes(archive.raw_data(e)))
                .collect(),
            read: archive
                .entries()
                .iter()
                .map(|e| bytes(archive.read(e, limits)))
                .collect(),
            cached: (0..archive.entries().len())
                .map(|i| cache.get_index(i).map(<[u8]>::to_vec))
                .collect(),
            inflated: cache.total_inflated(),
        })
    }

    /// Writes `data` to `path`, then checks the archive over the file shows what the archive
    /// over the bytes shows.
    fn assert_file_agrees(path: &std::path::Path, data: &[u8], limits: &Limits, what: &str) {
        std::fs::write(path, data).unwrap();
        let file = ArchiveFile::open(path).unwrap();
        let from_bytes = seen(Archive::parse(data, limits), limits);
        let from_file = seen(Archive::open(&file, limits), limits);
        assert_eq!(from_bytes, from_file, "{what}");
    }

    /// The archives of the tests above, well-formed and hostile.
    fn cases() -> Vec<(&'static str, Vec<u8>)> {
        let mut out = vec![
            ("sample", build(&sample(), &Layout::default())),
            ("empty archive", build(&[], &Layout::default())),
            ("empty file", Vec::new()),
            ("local header only", b"PK\x03\x04".to_vec()),
            ("zeros", vec![0u8; 100_000]),
        ];
        for prefix in [Vec::new(), b"#!/bin/sh\nexit 0\n".to_vec()] {
            let layout = Layout {
                zip64: true,
                prefix,
                ..Layout::default()
            };
            out.push(("zip64", build(&sample(), &layout)));
        }
        let mut specs = sample();
        for spec in &mut specs {
            spec.flags |= FLAG_DATA_DESCRIPTOR;
            spec.descriptor = true;
        }
        out.push(("data descriptors", build(&specs, &Layout::default())));
        let mut saturated = build(&sample(), &Layout::default());
        let cd = Archive::parse(&saturated, &Limits::default())
            .unwrap()
            .cd_offset as usize;
        saturated[cd + 24..cd + 28].copy_from_slice(&u32::MAX.to_le_bytes());
        out.push(("saturated size without extra", saturated));
        let mut in_directory = build(&sample(), &Layout::default());
        in_directory[cd + 42..cd + 46].copy_from_slice(&(cd as u32).to_le_bytes());
        out.push(("local header in the directory", in_directory));
        out.push((
            "duplicates",
            build(
                &[
                    Spec::deflated("classes.dex", b"the real code"),
                    Spec::stored("AndroidManifest.xml", b"<manifest/>"),
                    Spec::stored("classes.dex", b"decoy"),
                ],
                &Layout::default(),
            ),
        ));
        let many: Vec<Spec> = (0..300).map(|_| Spec::stored("same", b"x")).collect();
        out.push(("300 duplicates", build(&many, &Layout::default())));
        let mut badpack = Spec::stored("AndroidManifest.xml", b"<manifest package='evil'/>");
        badpack.method = 0x1c5d;
        badpack.csize = 0x00ab_cdef;
        out.push(("unknown method", build(&[badpack], &Layout::default())));
        let mut renamed = Spec::stored("AndroidManifest.xml", b"<manifest/>");
        renamed.local_name = Some(b"AndroidManifesT.xml".to_vec());
        let mut remethod = Spec::deflated("classes.dex", b"code");
        remethod.local_method = Some(METHOD_STORED);
        out.push((
            "local header mismatches",
            build(&[renamed, remethod], &Layout::default()),
        ));
        let mut long_name = Spec::stored(&"n".repeat(1000), b"a long local name");
        long_name.local_name = Some("m".repeat(700).into_bytes());
        out.push((
            "names longer than one read",
            build(&[long_name], &Layout::default()),
        ));
        let mut encrypted = Spec::deflated("classes.dex", b"plain code");
        encrypted.flags |= FLAG_ENCRYPTED;
        out.push(("encryption flag", build(&[encrypted], &Layout::default())));
        let content = b"\x00big".repeat(1000);
        let mut aliases = vec![Spec::deflated("classes.dex", &content)];
        aliases.extend((0..20).map(|i| Spec {
            name: format!("copy{i}.dex").into_bytes(),
            method: METHOD_DEFLATED,
            crc: crc(&content),
            csize: deflate(&content).len() as u64,
            usize: content.len() as u64,
            ..Spec::alias("", 0)
        }));
        out.push(("shared local header", build(&aliases, &Layout::default())));
        let b = Spec::stored("b.txt", b"second");
        let mut a = Spec::stored("a.txt", b"first");
        let swallowed = (LFH_LEN + b.name.len() + b.payload.len()) as u64;
        a.csize += swallowed;
        a.usize += swallowed;
        out.push((
            "data overlapping the next entry",
            build(&[a, b], &Layout::default()),
        ));
        let mut past = Spec::stored("lib/evil.so", b"elf");
        past.usize = 10_000;
        past.csize = 10_000;
        out.push((
            "data past the directory",
            build(&[past], &Layout::default()),
        ));
        for absolute in [false, true] {
            let layout = Layout {
                prefix: b"MZ this is a polyglot stub".repeat(10),
                absolute,
                ..Layout::default()
            };
            out.push(("prepended data", build(&sample(), &layout)));
        }
        let mut padding = Vec::new();
        for _ in 0..3000 {
            padding_record(&mut padding, 2);
        }
        let layout = Layout {
            prefix: padding,
            absolute: true,
            ..Layout::default()
        };
        out.push((
            "padding records longer than the read-ahead",
            build(&sample(), &layout),
        ));
        let mut junk = Vec::new();
        put32(&mut junk, LFH_SIG);
        junk.extend_from_slice(&[0x41; 60]);
        let layout = Layout {
            prefix: junk,
            absolute: true,
            ..Layout::default()
        };
        out.push(("junk prefix", build(&sample(), &layout)));
        let layout = Layout {
            trailing: b"junk after the archive".to_vec(),
            ..Layout::default()
        };
        out.push(("trailing data", build(&sample(), &layout)));
        let mut comment = Vec::new();
        put32(&mut comment, EOCD_SIG);
        comment.extend_from_slice(&[0xEE; 16]);
        put16(&mut comment, 1000);
        let layout = Layout {
            comment,
            ..Layout::default()
        };
        out.push(("fake end record in the comment", build(&sample(), &layout)));
        let layout = Layout {
            comment: vec![b'c'; MAX_COMMENT],
            ..Layout::default()
        };
        out.push(("longest comment", build(&sample(), &layout)));
        for count in [2, 7] {
            let layout = Layout {
                count: Some(count),
                ..Layout::default()
            };
            out.push(("wrong record count", build(&sample(), &layout)));
        }
        out.push((
            "suspicious names",
            build(
                &[
                    Spec::stored("../../data/evil.so", b"x"),
                    Spec {
                        name: b"bad\xffname\0".to_vec(),
                        ..Spec::stored("", b"x")
                    },
                ],
                &Layout::default(),
            ),
        ));
        out.push(("bomb", build(&[bomb(100, 1 << 20)], &Layout::default())));
        out.push((
            "short stream",
            build(&[bomb(5000, 1000)], &Layout::default()),
        ));
        let mut truncated = Spec::deflated("classes.dex", &b"abcdefgh".repeat(1000));
        truncated.payload.truncate(truncated.payload.len() / 2);
        truncated.csize = truncated.payload.len() as u64;
        out.push(("truncated stream", build(&[truncated], &Layout::default())));
        // Compressed data spanning several reads from a file: whole, cut short, corrupted in
        // the middle, and a bomb cut at its small declared size.
        let mut state = 0x2545_f491_u32;
        let noise: Vec<u8> = (0..160_000)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as u8
            })
            .collect();
        let long = Spec::deflated("assets/noise", &noise);
        assert!(long.payload.len() as u64 > 2 * INFLATE_READ);
        out.push((
            "long stream",
            build(std::slice::from_ref(&long), &Layout::default()),
        ));
        let mut cut = long.clone();
        cut.payload.truncate(cut.payload.len() - 1000);
        cut.csize = cut.payload.len() as u64;
        out.push(("long stream cut short", build(&[cut], &Layout::default())));
        let mut flipped = long;
        flipped.payload[100_000] ^= 0x55;
        out.push((
            "long stream corrupted",
            build(&[flipped], &Layout::default()),
        ));
        out.push((
            "long bomb",
            build(&[bomb(100, 64 << 20)], &Layout::default()),
        ));
        out
    }

    #[test]
    fn file_and_bytes_agree_on_every_case() {
        let tmp = crate::source::TempFile::with("zip-cases", b"");
        for (name, data) in cases() {
            for limits in [
                small_limits(),
                Limits {
                    max_zip_entries: 2,
                    max_entry_size: 1000,
                    max_total_inflated: 500,
                    ..Limits::default()
                },
            ] {
                assert_file_agrees(&tmp.0, &data, &limits, name);
            }
        }
    }

    #[test]
    fn file_and_bytes_agree_after_truncation_and_corruption() {
        let tmp = crate::source::TempFile::with("zip-damage", b"");
        let limits = small_limits();
        for data in sample_archives() {
            for cut in 0..data.len() {
                assert_file_agrees(&tmp.0, &data[..cut], &limits, &format!("head {cut}"));
                assert_file_agrees(&tmp.0, &data[cut..], &limits, &format!("tail {cut}"));
            }
            for at in 0..data.len() {
                for value in [0x00, 0xff, data[at] ^ 1] {
                    let mut bad = data.clone();
                    bad[at] = value;
                    assert_file_agrees(&tmp.0, &bad, &limits, &format!("{value:#x} at {at}"));
                }
            }
        }
    }

    #[test]
    fn a_file_is_read_not_borrowed() {
        let data = build(&sample(), &Layout::default());
        let tmp = crate::source::TempFile::with("zip-owned", &data);
        let file = ArchiveFile::open(&tmp.0).unwrap();
        let limits = Limits::default();
        let archive = Archive::open(&file, &limits).unwrap();
        let manifest = archive.find("AndroidManifest.xml").unwrap();
        assert!(matches!(
            archive.read(manifest, &limits),
            Ok(Cow::Owned(bytes)) if bytes == b"<manifest/>"
        ));
        assert_eq!(archive.input_len(), data.len() as u64);
        let n = data.len() as u64;
        assert_eq!(&*archive.read_range(n - 22, 4).unwrap(), b"PK\x05\x06");
        assert_eq!(
            archive.read_range(n - 3, 4).unwrap_err(),
            ZipError::Truncated {
                what: "requested range",
                offset: n - 3
            }
        );
        let bytes_archive = Archive::parse(&data, &limits).unwrap();
        assert!(matches!(
            bytes_archive.read_range(0, 4),
            Ok(Cow::Borrowed(b"PK\x03\x04"))
        ));
        // Stored copies count against the file's size, not the inflate budget.
        let cache = EntryCache::new(&archive, limits);
        cache.get("AndroidManifest.xml").unwrap().unwrap();
        cache.get("classes.dex").unwrap().unwrap();
        assert_eq!((cache.total_copied(), cache.total_inflated()), (11, 400));
    }

    #[test]
    fn copies_of_one_stored_entry_stop_at_the_file_size() {
        // 50 records all pointing at one 10 kB stored entry: free over bytes, but 500 kB of
        // copies from a file of about 13 kB.
        let content = vec![7u8; 10_000];
        let mut specs = vec![Spec::stored("assets/big", &content)];
        specs.extend((0..50).map(|i| Spec {
            name: format!("assets/alias{i}").into_bytes(),
            ..Spec::alias("", 0)
        }));
        for spec in specs.iter_mut().skip(1) {
            spec.crc = crc(&content);
            spec.csize = content.len() as u64;
            spec.usize = content.len() as u64;
        }
        let data = build(&specs, &Layout::default());
        let tmp = crate::source::TempFile::with("zip-aliases", &data);
        let file = ArchiveFile::open(&tmp.0).unwrap();
        let limits = Limits::default();
        let archive = Archive::open(&file, &limits).unwrap();
        let cache = EntryCache::new(&archive, limits.clone());
        assert_eq!(cache.get_index(0).unwrap(), content.as_slice());
        assert_eq!(
            cache.get_index(1).unwrap_err(),
            ZipError::TotalCopiedTooLarge {
                max: data.len() as u64
            }
        );
        assert_eq!(cache.total_copied(), 10_000);
        // Over bytes every record reads, borrowed.
        let archive = Archive::parse(&data, &limits).unwrap();
        let cache = EntryCache::new(&archive, limits);
        assert!((0..51).all(|i| cache.get_index(i).is_ok()));
        assert_eq!(cache.total_copied(), 0);
    }

    // ---- robustness ------------------------------------------------------------------------

    #[test]
    fn truncation_at_every_offset_never_panics() {
        for data in sample_archives() {
            for cut in 0..data.len() {
                let _ = read_all(&data[..cut]);
                let _ = read_all(&data[cut..]);
            }
        }
    }

    #[test]
    fn corrupting_any_byte_never_panics() {
        for data in sample_archives() {
            for at in 0..data.len() {
                for value in [0x00, 0xff, 0x7f, 0x80, data[at] ^ 1] {
                    let mut bad = data.clone();
                    bad[at] = value;
                    let _ = read_all(&bad);
                }
            }
        }
    }
}

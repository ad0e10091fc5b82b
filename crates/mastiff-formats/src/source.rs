//! Where an archive's bytes come from: borrowed from memory, or read from an open file at the
//! offsets the zip structures point to.
//!
//! Every read is bounded by the input's length before anything is allocated, so a length taken
//! from hostile input can cost at most the size of the file itself.

use crate::zip::ZipError;
use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Mutex;

/// An archive file opened for reading at offsets, so that
/// [`Archive::open`](crate::zip::Archive::open) reads the end records, the central directory and
/// the entries asked for instead of the whole file.
///
/// The length is taken once, when the file is opened; no read goes past it. Reads are positional
/// (`pread` on Unix), so threads share one handle without waiting for each other; elsewhere a lock
/// serialises seek-then-read.
#[derive(Debug)]
pub struct ArchiveFile {
    file: File,
    len: u64,
    /// Held across seek + read where positional reads are not available.
    seek_lock: Mutex<()>,
}

impl ArchiveFile {
    /// Opens the file at `path` for reading.
    pub fn open(path: impl AsRef<Path>) -> io::Result<ArchiveFile> {
        ArchiveFile::new(File::open(path)?)
    }

    /// Wraps a file opened for reading; its length is read now.
    pub fn new(file: File) -> io::Result<ArchiveFile> {
        let len = file.metadata()?.len();
        Ok(ArchiveFile {
            file,
            len,
            seek_lock: Mutex::new(()),
        })
    }

    /// Length of the file in bytes, as it was when opened.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file was empty when opened.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Fills `buf` with the bytes at `offset`. Fails with [`io::ErrorKind::UnexpectedEof`] when
    /// they do not all lie within [`ArchiveFile::len`], without reading anything.
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let within = u64::try_from(buf.len())
            .ok()
            .and_then(|n| offset.checked_add(n))
            .is_some_and(|end| end <= self.len);
        if !within {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{} bytes at offset {offset:#x} run past the end of the {}-byte file",
                    buf.len(),
                    self.len
                ),
            ));
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(&self.file, buf, offset)
        }
        #[cfg(not(unix))]
        {
            self.seek_and_read(buf, offset)
        }
    }

    /// The portable read: seek, then read, under a lock so concurrent reads do not move each
    /// other's position.
    #[cfg_attr(all(unix, not(test)), allow(dead_code))]
    fn seek_and_read(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        // The lock guards no data, so a panic elsewhere while holding it leaves nothing broken.
        let _guard = self
            .seek_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut file = &self.file;
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)
    }
}

/// The bytes an [`Archive`](crate::zip::Archive) reads from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source<'a> {
    /// The whole input in memory; reads borrow from it.
    Bytes(&'a [u8]),
    /// An open file; reads copy the bytes asked for.
    File(&'a ArchiveFile),
}

impl<'a> Source<'a> {
    /// Length of the input in bytes.
    pub(crate) fn len(self) -> u64 {
        match self {
            // A slice length always fits in u64.
            Source::Bytes(data) => data.len() as u64,
            Source::File(file) => file.len(),
        }
    }

    /// Whether reads borrow from memory rather than copy out of a file.
    pub(crate) fn is_borrowed(self) -> bool {
        matches!(self, Source::Bytes(_))
    }

    /// `len` bytes at `at`: borrowed from memory, or read from the file. `Ok(None)` when they do
    /// not all lie within the input (nothing is allocated then); an error only when the file
    /// cannot be read.
    pub(crate) fn get(self, at: u64, len: u64) -> Result<Option<Cow<'a, [u8]>>, ZipError> {
        let Some(range) = self.range(at, len) else {
            return Ok(None);
        };
        match self {
            Source::Bytes(data) => Ok(data.get(range).map(Cow::Borrowed)),
            Source::File(file) => {
                let mut buf = vec![0u8; range.len()];
                file.read_exact_at(&mut buf, at)
                    .map_err(|e| io_error(at, &e))?;
                Ok(Some(Cow::Owned(buf)))
            }
        }
    }

    /// Like [`Source::get`], but a file read goes into `buf` (reused across calls) instead of a
    /// new allocation.
    pub(crate) fn get_into<'b>(
        self,
        at: u64,
        len: u64,
        buf: &'b mut Vec<u8>,
    ) -> Result<Option<&'b [u8]>, ZipError>
    where
        'a: 'b,
    {
        let Some(range) = self.range(at, len) else {
            return Ok(None);
        };
        match self {
            Source::Bytes(data) => Ok(data.get(range)),
            Source::File(file) => {
                buf.clear();
                buf.resize(range.len(), 0);
                file.read_exact_at(buf, at).map_err(|e| io_error(at, &e))?;
                Ok(Some(buf.as_slice()))
            }
        }
    }

    /// `[at, at + len)` as indices, when it lies within the input.
    fn range(self, at: u64, len: u64) -> Option<std::ops::Range<usize>> {
        let end = at.checked_add(len).filter(|&end| end <= self.len())?;
        Some(usize::try_from(at).ok()?..usize::try_from(end).ok()?)
    }
}

fn io_error(offset: u64, e: &io::Error) -> ZipError {
    ZipError::Io {
        offset,
        detail: e.to_string(),
    }
}

/// A file in the temp directory holding test bytes, removed on drop.
#[cfg(test)]
pub(crate) struct TempFile(pub(crate) std::path::PathBuf);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
impl TempFile {
    pub(crate) fn with(tag: &str, bytes: &[u8]) -> TempFile {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "mastiff-source-{}-{tag}-{n}.bin",
            std::process::id()
        ));
        std::fs::write(&path, bytes).unwrap();
        TempFile(path)
    }
}

#[cfg(test)]
impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn file_and_bytes_sources_read_the_same_ranges() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let tmp = TempFile::with("ranges", &bytes);
        let file = ArchiveFile::open(&tmp.0).unwrap();
        assert_eq!(file.len(), 5000);
        assert!(!file.is_empty());
        let (b, f) = (Source::Bytes(&bytes), Source::File(&file));
        assert!(b.is_borrowed() && !f.is_borrowed());
        let mut buf = Vec::new();
        for (at, len) in [
            (0, 0),
            (0, 30),
            (4990, 10),
            (4990, 11),
            (5000, 0),
            (5001, 0),
        ] {
            let expected = bytes
                .get(at as usize..(at + len) as usize)
                .map(<[u8]>::to_vec);
            assert_eq!(b.get(at, len).unwrap().map(Cow::into_owned), expected);
            assert_eq!(f.get(at, len).unwrap().map(Cow::into_owned), expected);
            assert_eq!(
                f.get_into(at, len, &mut buf).unwrap().map(<[u8]>::to_vec),
                expected
            );
        }
        assert_eq!(f.get(u64::MAX, 2).unwrap(), None);
        assert!(matches!(b.get(1, 2).unwrap(), Some(Cow::Borrowed(_))));
        assert!(matches!(f.get(1, 2).unwrap(), Some(Cow::Owned(_))));
    }

    #[test]
    fn reads_past_the_recorded_length_fail_without_reading() {
        let tmp = TempFile::with("short", b"0123456789");
        let file = ArchiveFile::open(&tmp.0).unwrap();
        let mut buf = [0u8; 4];
        file.read_exact_at(&mut buf, 6).unwrap();
        assert_eq!(&buf, b"6789");
        let err = file.read_exact_at(&mut buf, 7).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(file.read_exact_at(&mut buf, u64::MAX).is_err());
        // The portable fallback reads the same bytes.
        file.seek_and_read(&mut buf, 2).unwrap();
        assert_eq!(&buf, b"2345");
        // A file that shrank after it was opened fails with an I/O error, not a panic.
        std::fs::write(&tmp.0, b"01").unwrap();
        assert!(matches!(
            Source::File(&file).get(0, 10),
            Err(ZipError::Io { offset: 0, .. })
        ));
    }
}

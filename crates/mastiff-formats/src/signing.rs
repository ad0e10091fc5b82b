//! APK signatures: the v1 JAR signature (`META-INF/*.RSA|DSA|EC` PKCS#7 SignedData) and the APK
//! Signing Block (v2 `0x7109871a`, v3 `0xf05368c0`, v3.1 `0x1b93ad61`), with the signer
//! certificates parsed by x509-parser.
//!
//! Honesty rule: a scheme is reported `DigestsVerified` only when its content digests were
//! recomputed over the file and matched; the signature itself is not cryptographically verified
//! here, and nothing in this module ever claims "valid".
//!
//! What is checked:
//! - v2/v3/v3.1: the SHA2-256 / SHA2-512 chunked content digests are recomputed directly over the
//!   archive bytes (no copies) and compared with every signer's signed digests. The verity
//!   digests (`0x04xx`) are not recomputed. **The signatures over the signed data are not
//!   checked**, so a `DigestsVerified` block only says the file was not changed after a signer
//!   with *some* key produced it; an attacker can re-sign with their own key.
//! - v1: certificates and digest algorithms are read from the PKCS#7 blocks; the `.SF` digest of
//!   the whole `MANIFEST.MF` is compared when present, but the per-entry digests are not, so v1 is
//!   always `NotVerified` (or `Malformed`).
//!
//! The low-level functions ([`find_signing_block`], [`parse_scheme_signers`],
//! [`compute_content_digest`], [`parse_pkcs7_signed_data`], [`parse_certificate`]) work over
//! plain byte slices and offsets so they can be tested and fuzzed without a zip reader.
//! [`read_signing`] reads through the archive instead, so an archive opened from a file is never
//! held whole: the signing block is read on its own, and the content digests stream the file in
//! chunks.

use crate::source::Source;
use crate::zip::{Archive, EntryCache, ZipError};
use der_parser::ber::{ber_read_element_header, Class, Tag};
use der_parser::oid::Oid;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::borrow::Cow;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Signature scheme identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    V1,
    V2,
    V3,
    V31,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::V1 => "v1",
            Scheme::V2 => "v2",
            Scheme::V3 => "v3",
            Scheme::V31 => "v3.1",
        }
    }
}

/// What was established about one scheme's integrity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Content digests recomputed and equal to the signed ones (signature math not checked).
    DigestsVerified,
    /// A recomputed digest differs from the signed one: the APK was modified after signing.
    DigestMismatch(String),
    /// Present and parsed, but digests were not checked (e.g. unsupported algorithm).
    NotVerified(String),
    /// The block or signature file could not be parsed.
    Malformed(String),
}

/// A parsed X.509 certificate, reduced to what reports need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub subject: String,
    pub issuer: String,
    /// Hex serial number.
    pub serial: String,
    /// RFC 3339 UTC.
    pub not_before: String,
    pub not_after: String,
    /// `RSA`, `EC`, `DSA`, `Ed25519`, or the OID.
    pub key_algorithm: String,
    pub key_bits: Option<u32>,
    /// e.g. `sha256WithRSAEncryption`, `sha1WithRSAEncryption`, `md5WithRSAEncryption`.
    pub signature_algorithm: String,
    /// Lowercase hex SHA-256 of the DER.
    pub sha256: String,
    /// `android-debug` for the SDK debug certificate (`CN=Android Debug, O=Android, C=US`) or the
    /// name of a public AOSP test key (`testkey`, `platform`, `shared`, `media`, ...).
    pub known_key: Option<&'static str>,
}

/// One signer of one scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub scheme: Scheme,
    /// The signer's certificate chain; the first is the signing certificate.
    pub certificates: Vec<Certificate>,
    /// For v1: the digest algorithm named in SignerInfo (e.g. `SHA-1`); for v2/v3: signature
    /// algorithm ids as names (e.g. `RSASSA-PKCS1-v1_5 with SHA2-256`).
    pub algorithms: Vec<String>,
    /// v3/v3.1 SDK range.
    pub min_sdk: Option<u32>,
    pub max_sdk: Option<u32>,
}

/// Everything found about an APK's signatures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningInfo {
    /// Schemes present, sorted.
    pub schemes: Vec<Scheme>,
    pub verification: Vec<(Scheme, Verification)>,
    pub signers: Vec<Signer>,
    /// Non-fatal oddities (e.g. unknown block ids, v1 signature file without certificate).
    pub warnings: Vec<String>,
}

impl SigningInfo {
    /// The first signer of the newest scheme present (v3.1, then v3, v2, v1): the signer a
    /// current Android release checks, and the one `apksigner` prints as "Signer #1".
    pub fn primary_signer(&self) -> Option<&Signer> {
        let newest = self.signers.iter().map(|s| s.scheme).max()?;
        self.signers.iter().find(|s| s.scheme == newest)
    }

    /// The verification outcome recorded for `scheme`, if the scheme is present.
    pub fn verification_of(&self, scheme: Scheme) -> Option<&Verification> {
        self.verification
            .iter()
            .find(|(s, _)| *s == scheme)
            .map(|(_, v)| v)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningError {
    #[error("APK Signing Block malformed: {0}")]
    BlockMalformed(String),
    #[error("truncated while reading {what} at offset {offset:#x}")]
    Truncated { what: &'static str, offset: u64 },
    #[error("too many {what} (more than {max})")]
    LimitExceeded { what: &'static str, max: usize },
    #[error("PKCS#7 SignedData malformed: {0}")]
    Pkcs7Malformed(String),
    #[error("certificate malformed: {0}")]
    CertificateMalformed(String),
    /// The archive file could not be read.
    #[error("cannot read the file: {0}")]
    Io(String),
}

// ---------------------------------------------------------------------------------------------
// Constants and limits
// ---------------------------------------------------------------------------------------------

/// Magic at the end of the APK Signing Block.
pub const APK_SIG_BLOCK_MAGIC: &[u8; 16] = b"APK Sig Block 42";
/// APK Signature Scheme v2 block id.
pub const BLOCK_ID_V2: u32 = 0x7109_871a;
/// APK Signature Scheme v3 block id.
pub const BLOCK_ID_V3: u32 = 0xf053_68c0;
/// APK Signature Scheme v3.1 block id.
pub const BLOCK_ID_V31: u32 = 0x1b93_ad61;
/// Padding added by apksigner so the block size is a multiple of 4096 (for verity).
pub const BLOCK_ID_VERITY_PADDING: u32 = 0x4272_6577;
/// Source stamp (v1 layout).
pub const BLOCK_ID_SOURCE_STAMP_V1: u32 = 0x2b09_189e;
/// Source stamp (v2 layout).
pub const BLOCK_ID_SOURCE_STAMP_V2: u32 = 0x6dff_800d;
/// v2 signed-data attribute announcing that the APK was also signed with v3 (stripping
/// protection).
const ATTR_STRIPPING_PROTECTION: u32 = 0xbeef_f00d;

/// Most ID-value pairs read from one signing block.
const MAX_BLOCK_PAIRS: usize = 1024;
/// Most signers read from one scheme block (Android itself accepts at most 10).
const MAX_SIGNERS: usize = 16;
/// Most entries read from the digest, signature, certificate and attribute sequences.
const MAX_SEQ_ITEMS: usize = 64;
/// Most v1 signature files (`.SF`) looked at.
const MAX_V1_SIGNATURE_FILES: usize = 16;
/// Most certificates read from one PKCS#7 SignedData.
const MAX_PKCS7_CERTS: usize = 64;
/// Most SignerInfos read from one PKCS#7 SignedData.
const MAX_PKCS7_SIGNER_INFOS: usize = 16;
/// Most warnings kept, so hostile input cannot grow the report without bound.
const MAX_WARNINGS: usize = 64;
/// Chunk size of the v2/v3 content digest.
const CHUNK_SIZE: usize = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// APK Signing Block
// ---------------------------------------------------------------------------------------------

/// The APK Signing Block found immediately before the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningBlock<'a> {
    /// File offset of the block's first size field.
    pub offset: u64,
    /// Total length of the block including both size fields and the magic.
    pub len: u64,
    /// The ID-value pairs in file order.
    pub pairs: Vec<BlockPair<'a>>,
}

/// One ID-value pair of the signing block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockPair<'a> {
    pub id: u32,
    /// File offset of `value`.
    pub offset: u64,
    pub value: &'a [u8],
}

impl<'a> SigningBlock<'a> {
    /// The first pair with this id.
    pub fn get(&self, id: u32) -> Option<&BlockPair<'a>> {
        self.pairs.iter().find(|p| p.id == id)
    }
}

fn le_u32(b: &[u8]) -> Option<u32> {
    let arr: [u8; 4] = b.get(..4)?.try_into().ok()?;
    Some(u32::from_le_bytes(arr))
}

fn le_u64(b: &[u8]) -> Option<u64> {
    let arr: [u8; 8] = b.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(arr))
}

/// Locates and splits the APK Signing Block that ends at `cd_offset`.
///
/// Returns `Ok(None)` when there is no block (the 16 bytes before the central directory are not
/// the magic), and an error when the magic is there but the block is inconsistent.
pub fn find_signing_block(
    data: &[u8],
    cd_offset: u64,
) -> Result<Option<SigningBlock<'_>>, SigningError> {
    let cd = usize::try_from(cd_offset)
        .map_err(|_| SigningError::BlockMalformed("central directory offset too large".into()))?;
    if cd > data.len() {
        return Err(cd_past_end(cd_offset));
    }
    let Some(footer_start) = cd.checked_sub(FOOTER_LEN) else {
        return Ok(None);
    };
    let footer = data.get(footer_start..cd).ok_or(SigningError::Truncated {
        what: "signing block footer",
        offset: footer_start as u64,
    })?;
    let Some(size) = block_size(footer, footer_start as u64)? else {
        return Ok(None);
    };
    let start = block_start(size, cd_offset)?;
    let block = usize::try_from(start)
        .ok()
        .and_then(|start| data.get(start..cd))
        .ok_or(SigningError::Truncated {
            what: "signing block header",
            offset: start,
        })?;
    split_block(block, start, size).map(Some)
}

/// Length of the block's footer: u64 size, 16-byte magic.
const FOOTER_LEN: usize = 24;

fn cd_past_end(cd_offset: u64) -> SigningError {
    SigningError::BlockMalformed(format!(
        "central directory offset {cd_offset:#x} beyond the end of the file"
    ))
}

/// The block size declared by the footer at `footer_start` (everything after the leading size
/// field); `None` when the footer does not end with the magic.
fn block_size(footer: &[u8], footer_start: u64) -> Result<Option<u64>, SigningError> {
    if footer.get(8..24) != Some(APK_SIG_BLOCK_MAGIC.as_slice()) {
        return Ok(None);
    }
    let size = le_u64(footer).ok_or(SigningError::Truncated {
        what: "signing block size",
        offset: footer_start,
    })?;
    // `size` counts everything after the leading size field: pairs + size + magic.
    if size < 24 {
        return Err(SigningError::BlockMalformed(format!(
            "block size {size} smaller than its footer"
        )));
    }
    Ok(Some(size))
}

/// Offset of the block's leading size field, for a block of `size` ending at `cd_offset`.
fn block_start(size: u64, cd_offset: u64) -> Result<u64, SigningError> {
    let total = size
        .checked_add(8)
        .ok_or_else(|| SigningError::BlockMalformed(format!("block size {size} overflows")))?;
    cd_offset.checked_sub(total).ok_or_else(|| {
        SigningError::BlockMalformed(format!(
            "block size {size} larger than the data before the central directory"
        ))
    })
}

/// Splits `block`, the bytes from `start` (the leading size field) to the central directory,
/// of a block whose footer declares `size`.
fn split_block(block: &[u8], start: u64, size: u64) -> Result<SigningBlock<'_>, SigningError> {
    let head = le_u64(block).ok_or(SigningError::Truncated {
        what: "signing block header",
        offset: start,
    })?;
    if head != size {
        return Err(SigningError::BlockMalformed(format!(
            "leading size {head} differs from trailing size {size}"
        )));
    }
    let pairs_start = start.checked_add(8).ok_or(SigningError::Truncated {
        what: "signing block pairs",
        offset: start,
    })?;
    let pairs_data = block
        .len()
        .checked_sub(FOOTER_LEN)
        .and_then(|end| block.get(8..end))
        .ok_or(SigningError::Truncated {
            what: "signing block pairs",
            offset: pairs_start,
        })?;
    let pairs = parse_block_pairs(pairs_data, pairs_start)?;
    Ok(SigningBlock {
        offset: start,
        len: block.len() as u64,
        pairs,
    })
}

/// The bytes of a signing block, before they are split into pairs.
struct RawBlock<'a> {
    /// Offset of the leading size field.
    start: u64,
    /// The size the footer declares.
    size: u64,
    /// From `start` to the central directory.
    bytes: Cow<'a, [u8]>,
}

/// The APK Signing Block that ends at the archive's central directory, read on its own: the
/// footer first, then the block it declares (at most the bytes before the central directory),
/// for [`split_block`]. `Ok(None)` when there is no block. Gives what [`find_signing_block`]
/// gives over the whole input.
fn read_signing_block_bytes<'a>(
    archive: &Archive<'a>,
) -> Result<Option<RawBlock<'a>>, SigningError> {
    let cd_offset = archive.cd_offset;
    if cd_offset > archive.input_len() {
        return Err(cd_past_end(cd_offset));
    }
    let Some(footer_start) = cd_offset.checked_sub(FOOTER_LEN as u64) else {
        return Ok(None);
    };
    let footer = archive
        .read_range(footer_start, FOOTER_LEN as u64)
        .map_err(|e| read_error("signing block footer", footer_start, e))?;
    let Some(size) = block_size(&footer, footer_start)? else {
        return Ok(None);
    };
    let start = block_start(size, cd_offset)?;
    let block = archive
        .read_range(start, cd_offset - start)
        .map_err(|e| read_error("signing block header", start, e))?;
    Ok(Some(RawBlock {
        start,
        size,
        bytes: block,
    }))
}

fn read_error(what: &'static str, offset: u64, e: ZipError) -> SigningError {
    match e {
        ZipError::Io { detail, .. } => SigningError::Io(detail),
        _ => SigningError::Truncated { what, offset },
    }
}

/// Splits the ID-value pairs: each is `u64 len, u32 id, value[len - 4]`.
fn parse_block_pairs(data: &[u8], base: u64) -> Result<Vec<BlockPair<'_>>, SigningError> {
    let mut pairs = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        if pairs.len() >= MAX_BLOCK_PAIRS {
            return Err(SigningError::LimitExceeded {
                what: "signing block pairs",
                max: MAX_BLOCK_PAIRS,
            });
        }
        let at = base.saturating_add(pos as u64);
        let len = data
            .get(pos..)
            .and_then(le_u64)
            .ok_or(SigningError::Truncated {
                what: "signing block pair length",
                offset: at,
            })?;
        if len < 4 {
            return Err(SigningError::BlockMalformed(format!(
                "pair at {at:#x} has length {len}, shorter than its id"
            )));
        }
        let body_start = pos.checked_add(8).ok_or(SigningError::Truncated {
            what: "signing block pair",
            offset: at,
        })?;
        let body_end = usize::try_from(len)
            .ok()
            .and_then(|l| body_start.checked_add(l))
            .filter(|&e| e <= data.len())
            .ok_or(SigningError::Truncated {
                what: "signing block pair value",
                offset: at,
            })?;
        let body = data
            .get(body_start..body_end)
            .ok_or(SigningError::Truncated {
                what: "signing block pair value",
                offset: at,
            })?;
        let id = le_u32(body).ok_or(SigningError::Truncated {
            what: "signing block pair id",
            offset: at,
        })?;
        let value = body.get(4..).unwrap_or_default();
        pairs.push(BlockPair {
            id,
            offset: base.saturating_add(body_start as u64).saturating_add(4),
            value,
        });
        pos = body_end;
    }
    Ok(pairs)
}

// ---------------------------------------------------------------------------------------------
// v2 / v3 signer parsing
// ---------------------------------------------------------------------------------------------

/// Reader over little-endian, u32-length-prefixed structures.
struct LpReader<'a> {
    data: &'a [u8],
    pos: usize,
    /// File (or block) offset of `data[0]`, for error messages.
    base: u64,
}

impl<'a> LpReader<'a> {
    fn new(data: &'a [u8], base: u64) -> Self {
        LpReader { data, pos: 0, base }
    }

    fn offset(&self) -> u64 {
        self.base.saturating_add(self.pos as u64)
    }

    fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, SigningError> {
        let v = self
            .data
            .get(self.pos..)
            .and_then(le_u32)
            .ok_or(SigningError::Truncated {
                what,
                offset: self.offset(),
            })?;
        self.pos = self.pos.saturating_add(4);
        Ok(v)
    }

    /// A u32-length-prefixed byte string.
    fn bytes(&mut self, what: &'static str) -> Result<&'a [u8], SigningError> {
        let at = self.offset();
        let len = self.u32(what)? as usize;
        let end = self
            .pos
            .checked_add(len)
            .ok_or(SigningError::Truncated { what, offset: at })?;
        let b = self
            .data
            .get(self.pos..end)
            .ok_or(SigningError::Truncated { what, offset: at })?;
        self.pos = end;
        Ok(b)
    }

    /// A u32-length-prefixed sub-structure, as a new reader.
    fn nested(&mut self, what: &'static str) -> Result<LpReader<'a>, SigningError> {
        let base = self.offset().saturating_add(4);
        let b = self.bytes(what)?;
        Ok(LpReader::new(b, base))
    }

    /// A length-prefixed sequence of length-prefixed items, bounded by `max`.
    fn sequence(
        &mut self,
        what: &'static str,
        max: usize,
    ) -> Result<Vec<LpReader<'a>>, SigningError> {
        let mut seq = self.nested(what)?;
        let mut items = Vec::new();
        while !seq.is_empty() {
            if items.len() >= max {
                return Err(SigningError::LimitExceeded { what, max });
            }
            items.push(seq.nested(what)?);
        }
        Ok(items)
    }

    /// `u32 id` followed by a length-prefixed value.
    fn id_and_bytes(&mut self, what: &'static str) -> Result<(u32, &'a [u8]), SigningError> {
        let id = self.u32(what)?;
        let b = self.bytes(what)?;
        Ok((id, b))
    }

    /// The rest of the data.
    fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }
}

/// One signer of a v2/v3/v3.1 block, with borrowed raw fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSigner<'a> {
    /// `(signature algorithm id, digest)` from the signed data.
    pub digests: Vec<(u32, &'a [u8])>,
    /// DER certificates from the signed data.
    pub certificates: Vec<&'a [u8]>,
    /// `(id, value)` additional attributes from the signed data.
    pub attributes: Vec<(u32, &'a [u8])>,
    /// v3: the SDK range inside the signed data.
    pub signed_min_sdk: Option<u32>,
    pub signed_max_sdk: Option<u32>,
    /// v3: the SDK range outside the signed data.
    pub min_sdk: Option<u32>,
    pub max_sdk: Option<u32>,
    /// `(signature algorithm id, signature)`.
    pub signatures: Vec<(u32, &'a [u8])>,
    /// SubjectPublicKeyInfo DER.
    pub public_key: &'a [u8],
}

/// Parses the value of a v2 (`v3 == false`) or v3/v3.1 (`v3 == true`) block: a length-prefixed
/// sequence of length-prefixed signers. `base` is the file offset of `value`.
pub fn parse_scheme_signers(
    value: &[u8],
    v3: bool,
    base: u64,
) -> Result<Vec<BlockSigner<'_>>, SigningError> {
    let mut r = LpReader::new(value, base);
    let signers = r.sequence("signers", MAX_SIGNERS)?;
    if !r.is_empty() {
        return Err(SigningError::BlockMalformed(format!(
            "{} trailing bytes after the signer sequence",
            r.rest().len()
        )));
    }
    if signers.is_empty() {
        return Err(SigningError::BlockMalformed("no signers".into()));
    }
    signers
        .into_iter()
        .map(|mut s| parse_one_signer(&mut s, v3))
        .collect()
}

fn parse_one_signer<'a>(s: &mut LpReader<'a>, v3: bool) -> Result<BlockSigner<'a>, SigningError> {
    let mut signed = s.nested("signed data")?;
    let digests = signed
        .sequence("digests", MAX_SEQ_ITEMS)?
        .into_iter()
        .map(|mut d| d.id_and_bytes("digest"))
        .collect::<Result<Vec<_>, _>>()?;
    let certificates = signed
        .sequence("certificates", MAX_SEQ_ITEMS)?
        .into_iter()
        .map(|c| c.rest())
        .collect::<Vec<_>>();
    let (signed_min_sdk, signed_max_sdk) = if v3 {
        (
            Some(signed.u32("signed min SDK")?),
            Some(signed.u32("signed max SDK")?),
        )
    } else {
        (None, None)
    };
    let attributes = signed
        .sequence("additional attributes", MAX_SEQ_ITEMS)?
        .into_iter()
        .map(|mut a| {
            let id = a.u32("attribute id")?;
            Ok((id, a.rest()))
        })
        .collect::<Result<Vec<_>, SigningError>>()?;
    let (min_sdk, max_sdk) = if v3 {
        (Some(s.u32("min SDK")?), Some(s.u32("max SDK")?))
    } else {
        (None, None)
    };
    let signatures = s
        .sequence("signatures", MAX_SEQ_ITEMS)?
        .into_iter()
        .map(|mut d| d.id_and_bytes("signature"))
        .collect::<Result<Vec<_>, _>>()?;
    let public_key = s.bytes("public key")?;
    Ok(BlockSigner {
        digests,
        certificates,
        attributes,
        signed_min_sdk,
        signed_max_sdk,
        min_sdk,
        max_sdk,
        signatures,
        public_key,
    })
}

/// Name of a v2/v3 signature algorithm id.
pub fn signature_algorithm_name(id: u32) -> Option<&'static str> {
    Some(match id {
        0x0101 => "RSASSA-PSS with SHA2-256",
        0x0102 => "RSASSA-PSS with SHA2-512",
        0x0103 => "RSASSA-PKCS1-v1_5 with SHA2-256",
        0x0104 => "RSASSA-PKCS1-v1_5 with SHA2-512",
        0x0201 => "ECDSA with SHA2-256",
        0x0202 => "ECDSA with SHA2-512",
        0x0301 => "DSA with SHA2-256",
        0x0421 => "RSASSA-PKCS1-v1_5 with SHA2-256 (verity)",
        0x0423 => "ECDSA with SHA2-256 (verity)",
        0x0425 => "DSA with SHA2-256 (verity)",
        _ => return None,
    })
}

fn signature_algorithm_label(id: u32) -> String {
    signature_algorithm_name(id).map_or_else(|| format!("unknown algorithm {id:#06x}"), Into::into)
}

/// How the content digest of a v2/v3 signature algorithm is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentDigest {
    /// 1 MiB chunked SHA2-256.
    ChunkedSha256,
    /// 1 MiB chunked SHA2-512.
    ChunkedSha512,
    /// SHA2-256 over the fs-verity Merkle tree (not recomputed here).
    VeritySha256,
}

impl ContentDigest {
    /// The content digest used by a signature algorithm id.
    pub fn of_algorithm(id: u32) -> Option<ContentDigest> {
        match id {
            0x0101 | 0x0103 | 0x0201 | 0x0301 => Some(ContentDigest::ChunkedSha256),
            0x0102 | 0x0104 | 0x0202 => Some(ContentDigest::ChunkedSha512),
            0x0421 | 0x0423 | 0x0425 => Some(ContentDigest::VeritySha256),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            ContentDigest::ChunkedSha256 => "chunked SHA2-256",
            ContentDigest::ChunkedSha512 => "chunked SHA2-512",
            ContentDigest::VeritySha256 => "verity SHA2-256",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Content digest
// ---------------------------------------------------------------------------------------------

/// Recomputes the v2/v3 chunked content digest of an APK whose signing block starts at
/// `block_offset`, central directory at `cd_offset` and EOCD record at `eocd_offset`.
///
/// Hashes `data` in place: the three sections are [0, block), [cd, eocd) and [eocd, end) with the
/// EOCD's central-directory-offset field read as `block_offset`. Returns `None` for
/// [`ContentDigest::VeritySha256`] and when the offsets are inconsistent with `data`.
pub fn compute_content_digest(
    data: &[u8],
    block_offset: u64,
    cd_offset: u64,
    eocd_offset: u64,
    algorithm: ContentDigest,
) -> Option<Vec<u8>> {
    content_digest(
        Source::Bytes(data),
        block_offset,
        cd_offset,
        eocd_offset,
        algorithm,
    )
}

/// [`compute_content_digest`] over any source. The sections are read in chunks of at most
/// [`CHUNK_SIZE`] (borrowed from bytes, read from a file into one reused buffer), so a file is
/// never held whole. `None` also when a file cannot be read.
fn content_digest(
    src: Source<'_>,
    block_offset: u64,
    cd_offset: u64,
    eocd_offset: u64,
    algorithm: ContentDigest,
) -> Option<Vec<u8>> {
    if block_offset > cd_offset || cd_offset > eocd_offset || eocd_offset > src.len() {
        return None;
    }
    // The EOCD record and its comment: at most 22 + 65535 bytes for an archive's own record.
    let eocd_rec = src.get(eocd_offset, src.len() - eocd_offset).ok()??;
    // The EOCD must be a classic record (signature, then the CD offset at +16).
    if eocd_rec.get(..4) != Some(&[0x50, 0x4b, 0x05, 0x06][..]) {
        return None;
    }
    let eocd_head = eocd_rec.get(..16)?;
    let eocd_tail = eocd_rec.get(20..)?;
    let new_offset = u32::try_from(block_offset).ok()?.to_le_bytes();
    let sections: [&[Piece<'_>]; 3] = [
        &[Piece::Input {
            offset: 0,
            len: block_offset,
        }],
        &[Piece::Input {
            offset: cd_offset,
            len: eocd_offset - cd_offset,
        }],
        &[
            Piece::Bytes(eocd_head),
            Piece::Bytes(&new_offset),
            Piece::Bytes(eocd_tail),
        ],
    ];
    match algorithm {
        ContentDigest::ChunkedSha256 => chunked_digest::<Sha256>(src, &sections),
        ContentDigest::ChunkedSha512 => chunked_digest::<Sha512>(src, &sections),
        ContentDigest::VeritySha256 => None,
    }
}

/// Part of a digest section: bytes at hand, or a range of the input.
enum Piece<'p> {
    Bytes(&'p [u8]),
    Input { offset: u64, len: u64 },
}

impl Piece<'_> {
    fn len(&self) -> u64 {
        match self {
            Piece::Bytes(b) => b.len() as u64,
            Piece::Input { len, .. } => *len,
        }
    }
}

fn section_len(pieces: &[Piece<'_>]) -> Option<u64> {
    pieces
        .iter()
        .try_fold(0u64, |acc, p| acc.checked_add(p.len()))
}

fn chunked_digest<D: Digest>(src: Source<'_>, sections: &[&[Piece<'_>]]) -> Option<Vec<u8>> {
    let chunk_size = CHUNK_SIZE as u64;
    let mut chunks = 0u64;
    for s in sections {
        chunks = chunks.checked_add(section_len(s)?.div_ceil(chunk_size))?;
    }
    let mut top = D::new();
    top.update([0x5a]);
    top.update(u32::try_from(chunks).ok()?.to_le_bytes());
    // Holds one chunk's worth of a file at a time.
    let mut buf = Vec::new();
    for pieces in sections {
        let mut left = section_len(pieces)?;
        let mut piece = 0usize;
        let mut at = 0u64;
        while left > 0 {
            let chunk_len = left.min(chunk_size);
            let mut h = D::new();
            h.update([0xa5]);
            h.update(u32::try_from(chunk_len).ok()?.to_le_bytes());
            let mut need = chunk_len;
            while need > 0 {
                let p = pieces.get(piece)?;
                let avail = p.len().checked_sub(at)?;
                if avail == 0 {
                    piece = piece.checked_add(1)?;
                    at = 0;
                    continue;
                }
                let take = avail.min(need);
                match p {
                    Piece::Bytes(b) => {
                        let from = usize::try_from(at).ok()?;
                        h.update(b.get(from..from.checked_add(usize::try_from(take).ok()?)?)?);
                    }
                    Piece::Input { offset, .. } => {
                        h.update(
                            src.get_into(offset.checked_add(at)?, take, &mut buf)
                                .ok()??,
                        );
                    }
                }
                at = at.checked_add(take)?;
                need = need.checked_sub(take)?;
            }
            top.update(h.finalize());
            left = left.checked_sub(chunk_len)?;
        }
    }
    Some(top.finalize().to_vec())
}

/// Content digests computed once per archive and shared by v2, v3 and v3.1.
#[derive(Default)]
struct DigestMemo {
    sha256: Option<Option<Vec<u8>>>,
    sha512: Option<Option<Vec<u8>>>,
}

impl DigestMemo {
    fn get(
        &mut self,
        algorithm: ContentDigest,
        src: Source<'_>,
        block_offset: u64,
        cd_offset: u64,
        eocd_offset: u64,
    ) -> Option<&[u8]> {
        let slot = match algorithm {
            ContentDigest::ChunkedSha256 => &mut self.sha256,
            ContentDigest::ChunkedSha512 => &mut self.sha512,
            ContentDigest::VeritySha256 => return None,
        };
        slot.get_or_insert_with(|| {
            content_digest(src, block_offset, cd_offset, eocd_offset, algorithm)
        })
        .as_deref()
    }
}

// ---------------------------------------------------------------------------------------------
// DER / PKCS#7 (v1)
// ---------------------------------------------------------------------------------------------

/// One DER element: its header fields, content and whole encoding.
struct Tlv<'a> {
    class: Class,
    constructed: bool,
    tag: Tag,
    content: &'a [u8],
    raw: &'a [u8],
}

/// Reads one definite-length element from the front of `i`; returns it and the rest.
fn read_tlv<'a>(i: &'a [u8], what: &str) -> Result<(Tlv<'a>, &'a [u8]), SigningError> {
    let (rem, hdr) = ber_read_element_header(i)
        .map_err(|e| SigningError::Pkcs7Malformed(format!("{what}: {e}")))?;
    let len = hdr.length().definite().map_err(|_| {
        SigningError::Pkcs7Malformed(format!("{what}: indefinite length not supported"))
    })?;
    let content = rem
        .get(..len)
        .ok_or_else(|| SigningError::Pkcs7Malformed(format!("{what}: truncated")))?;
    let header_len = i.len().saturating_sub(rem.len());
    let total = header_len
        .checked_add(len)
        .ok_or_else(|| SigningError::Pkcs7Malformed(format!("{what}: length overflows")))?;
    let raw = i
        .get(..total)
        .ok_or_else(|| SigningError::Pkcs7Malformed(format!("{what}: truncated")))?;
    let rest = i.get(total..).unwrap_or_default();
    Ok((
        Tlv {
            class: hdr.class(),
            constructed: hdr.is_constructed(),
            tag: hdr.tag(),
            content,
            raw,
        },
        rest,
    ))
}

fn expect_universal<'a>(
    i: &'a [u8],
    tag: Tag,
    what: &str,
) -> Result<(Tlv<'a>, &'a [u8]), SigningError> {
    let (t, rest) = read_tlv(i, what)?;
    if t.class != Class::Universal || t.tag != tag {
        return Err(SigningError::Pkcs7Malformed(format!(
            "{what}: expected {tag:?}, found {:?} {:?}",
            t.class, t.tag
        )));
    }
    Ok((t, rest))
}

fn oid_string(content: &[u8]) -> String {
    if content.len() > 64 {
        return "<overlong OID>".into();
    }
    Oid::new(Cow::Borrowed(content)).to_id_string()
}

/// What a PKCS#7 SignedData (a v1 signature block file) holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkcs7SignedData<'a> {
    /// DER of each certificate in the `certificates [0] IMPLICIT` set, in file order.
    pub certificates: Vec<&'a [u8]>,
    /// Per SignerInfo: the digest algorithm name (or OID) and the issuer serial number bytes.
    pub signer_infos: Vec<Pkcs7SignerInfo<'a>>,
}

/// The parts of one SignerInfo that reports need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkcs7SignerInfo<'a> {
    /// e.g. `SHA-256`, or the OID when unknown.
    pub digest_algorithm: String,
    /// Content bytes of the serial number INTEGER of `issuerAndSerialNumber`, when present.
    pub serial: Option<&'a [u8]>,
}

/// Walks a DER `ContentInfo { signedData, SignedData }` to the certificates and SignerInfos.
pub fn parse_pkcs7_signed_data(der: &[u8]) -> Result<Pkcs7SignedData<'_>, SigningError> {
    let (content_info, _trailing) = expect_universal(der, Tag::Sequence, "ContentInfo")?;
    let (ct, rest) = expect_universal(content_info.content, Tag::Oid, "contentType")?;
    let ct_s = oid_string(ct.content);
    if ct_s != "1.2.840.113549.1.7.2" {
        return Err(SigningError::Pkcs7Malformed(format!(
            "content type {ct_s} is not signedData"
        )));
    }
    let (explicit, _) = read_tlv(rest, "content [0]")?;
    if explicit.class != Class::ContextSpecific || explicit.tag != Tag(0) {
        return Err(SigningError::Pkcs7Malformed(
            "content is not [0] EXPLICIT".into(),
        ));
    }
    let (signed_data, _) = expect_universal(explicit.content, Tag::Sequence, "SignedData")?;
    let (_version, rest) = expect_universal(signed_data.content, Tag::Integer, "version")?;
    let (_digest_algs, rest) = expect_universal(rest, Tag::Set, "digestAlgorithms")?;
    let (_encap, mut rest) = expect_universal(rest, Tag::Sequence, "encapContentInfo")?;
    let mut certificates = Vec::new();
    let mut signer_infos_tlv = None;
    while !rest.is_empty() {
        let (t, r) = read_tlv(rest, "SignedData field")?;
        rest = r;
        match (t.class, t.tag) {
            (Class::ContextSpecific, Tag(0)) => {
                if !t.constructed {
                    return Err(SigningError::Pkcs7Malformed(
                        "certificates [0] is not constructed".into(),
                    ));
                }
                let mut certs = t.content;
                while !certs.is_empty() {
                    if certificates.len() >= MAX_PKCS7_CERTS {
                        return Err(SigningError::LimitExceeded {
                            what: "PKCS#7 certificates",
                            max: MAX_PKCS7_CERTS,
                        });
                    }
                    let (c, r) = read_tlv(certs, "certificate")?;
                    // Only X.509 certificates (SEQUENCE); other choices are skipped.
                    if c.class == Class::Universal && c.tag == Tag::Sequence {
                        certificates.push(c.raw);
                    }
                    certs = r;
                }
            }
            (Class::ContextSpecific, Tag(1)) => {} // crls
            (Class::Universal, Tag::Set) => {
                signer_infos_tlv = Some(t.content);
                break;
            }
            (c, tag) => {
                return Err(SigningError::Pkcs7Malformed(format!(
                    "unexpected {c:?} {tag:?} in SignedData"
                )))
            }
        }
    }
    let mut signer_infos = Vec::new();
    let mut sis =
        signer_infos_tlv.ok_or_else(|| SigningError::Pkcs7Malformed("no signerInfos".into()))?;
    while !sis.is_empty() {
        if signer_infos.len() >= MAX_PKCS7_SIGNER_INFOS {
            return Err(SigningError::LimitExceeded {
                what: "PKCS#7 SignerInfos",
                max: MAX_PKCS7_SIGNER_INFOS,
            });
        }
        let (si, r) = expect_universal(sis, Tag::Sequence, "SignerInfo")?;
        sis = r;
        signer_infos.push(parse_signer_info(si.content)?);
    }
    Ok(Pkcs7SignedData {
        certificates,
        signer_infos,
    })
}

fn parse_signer_info(si: &[u8]) -> Result<Pkcs7SignerInfo<'_>, SigningError> {
    let (_version, rest) = expect_universal(si, Tag::Integer, "SignerInfo version")?;
    let (sid, rest) = read_tlv(rest, "SignerInfo sid")?;
    let serial = if sid.class == Class::Universal && sid.tag == Tag::Sequence {
        // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }
        let (_issuer, r) = read_tlv(sid.content, "sid issuer")?;
        let (serial, _) = expect_universal(r, Tag::Integer, "sid serialNumber")?;
        Some(serial.content)
    } else {
        None
    };
    let (alg, _) = expect_universal(rest, Tag::Sequence, "digestAlgorithm")?;
    let (oid, _) = expect_universal(alg.content, Tag::Oid, "digestAlgorithm OID")?;
    let id = oid_string(oid.content);
    let digest_algorithm = digest_algorithm_name(&id).map_or(id, Into::into);
    Ok(Pkcs7SignerInfo {
        digest_algorithm,
        serial,
    })
}

fn digest_algorithm_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.3.14.3.2.26" => "SHA-1",
        "2.16.840.1.101.3.4.2.1" => "SHA-256",
        "2.16.840.1.101.3.4.2.2" => "SHA-384",
        "2.16.840.1.101.3.4.2.3" => "SHA-512",
        "2.16.840.1.101.3.4.2.4" => "SHA-224",
        "1.2.840.113549.2.5" => "MD5",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

/// SHA-256 fingerprints of the public AOSP test certificates
/// (`build/target/product/security/*.x509.pem`). Each was confirmed by checking the
/// certificate's self-signature over its TBS bytes before its DER was hashed.
const AOSP_TEST_KEYS: &[(&str, &str)] = &[
    (
        "a40da80a59d170caa950cf15c18c454d47a39b26989d8b640ecd745ba71bf5dc",
        "testkey",
    ),
    (
        "c8a2e9bccf597c2fb6dc66bee293fc13f2fc47ec77bc6b2b0d52c11f51192ab8",
        "platform",
    ),
    (
        "28bbfe4a7b97e74681dc55c2fbb6ccb8d6c74963733f6af6ae74d8c3a6e879fd",
        "shared",
    ),
    (
        "465983f7791f2abeb43ea2cbdc7f21a8260b72bc08a55c839fc1a43bc741a81e",
        "media",
    ),
];

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        s.push(char::from(
            DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
        ));
        s.push(char::from(
            DIGITS.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
        ));
    }
    s
}

fn attribute_short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SURNAME",
        "2.5.4.5" => "SERIALNUMBER",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "T",
        "2.5.4.42" => "GIVENNAME",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "EMAILADDRESS",
        _ => return None,
    })
}

fn escape_rfc4514(value: &str, out: &mut String) {
    let n = value.chars().count();
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i.saturating_add(1) == n && c == ' ');
        if c == '\0' {
            out.push_str("\\00");
            continue;
        }
        if special {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Decodes a BMPString (UTF-16BE) or UniversalString (UTF-32BE) value.
fn decode_wide(tag: Tag, data: &[u8]) -> Option<String> {
    if tag == Tag::BmpString {
        let chunks = data.chunks_exact(2);
        if !chunks.remainder().is_empty() {
            return None;
        }
        let units: Vec<u16> = chunks
            .map(|c| {
                u16::from_be_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        return Some(String::from_utf16_lossy(&units));
    }
    if tag == Tag::UniversalString {
        let chunks = data.chunks_exact(4);
        if !chunks.remainder().is_empty() {
            return None;
        }
        return chunks
            .map(|c| {
                let arr: [u8; 4] = c.try_into().ok()?;
                char::from_u32(u32::from_be_bytes(arr))
            })
            .collect();
    }
    if tag == Tag::T61String {
        // Latin-1 is what T61 strings hold in practice.
        return Some(data.iter().map(|&b| char::from(b)).collect());
    }
    None
}

/// An X.509 name as an RFC 4514 string: last RDN first, `, ` between RDNs, `+` inside one.
fn name_to_string(name: &x509_parser::x509::X509Name<'_>) -> String {
    let rdns: Vec<_> = name.iter_rdn().collect();
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        for (j, attr) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let oid = attr.attr_type().to_id_string();
            out.push_str(attribute_short_name(&oid).unwrap_or(&oid));
            out.push('=');
            let value = attr.attr_value();
            let text = attr
                .as_str()
                .ok()
                .map(Cow::Borrowed)
                .or_else(|| decode_wide(value.tag(), value.data).map(Cow::Owned));
            match text {
                Some(t) => escape_rfc4514(&t, &mut out),
                None => {
                    out.push('#');
                    out.push_str(&hex(value.data));
                }
            }
        }
    }
    out
}

/// The `(short name, value)` pairs of a name, sorted, for order-independent comparison.
fn name_attributes(name: &x509_parser::x509::X509Name<'_>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = name
        .iter_attributes()
        .map(|a| {
            let oid = a.attr_type().to_id_string();
            let key = attribute_short_name(&oid).map_or(oid, Into::into);
            (key, a.as_str().unwrap_or_default().to_string())
        })
        .collect();
    v.sort();
    v
}

fn is_name(attrs: &[(String, String)], expected: &[(&str, &str)]) -> bool {
    let mut e: Vec<(&str, &str)> = expected.to_vec();
    e.sort_unstable();
    attrs.len() == e.len()
        && attrs
            .iter()
            .zip(e.iter())
            .all(|((k, v), (ek, ev))| k == ek && v == ev)
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A Unix timestamp as RFC 3339 UTC (`2008-02-29T01:33:46Z`).
fn rfc3339(ts: i64) -> String {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Bit length of a big-endian unsigned integer (leading zero bytes ignored).
fn integer_bits(bytes: &[u8]) -> Option<u32> {
    let first = bytes.iter().position(|&b| b != 0)?;
    let rest = bytes.get(first..)?;
    let lead = rest.first()?;
    let len = u32::try_from(rest.len()).ok()?;
    len.checked_sub(1)?
        .checked_mul(8)?
        .checked_add(8u32.checked_sub(lead.leading_zeros())?)
}

fn curve_bits(oid: &str) -> Option<u32> {
    Some(match oid {
        "1.2.840.10045.3.1.7" => 256,  // P-256
        "1.3.132.0.34" => 384,         // P-384
        "1.3.132.0.35" => 521,         // P-521
        "1.2.840.10045.3.1.1" => 192,  // P-192
        "1.3.132.0.33" => 224,         // P-224
        "1.3.132.0.10" => 256,         // secp256k1
        "1.3.36.3.3.2.8.1.1.7" => 256, // brainpoolP256r1
        "1.3.36.3.3.2.8.1.1.11" => 384,
        "1.3.36.3.3.2.8.1.1.13" => 512,
        _ => return None,
    })
}

fn key_algorithm_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.10045.2.1" => "EC",
        "1.2.840.10040.4.1" => "DSA",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        _ => return None,
    })
}

fn signature_oid_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10040.4.3" => "dsa-with-sha1",
        "2.16.840.1.101.3.4.3.1" => "dsa-with-sha224",
        "2.16.840.1.101.3.4.3.2" => "dsa-with-sha256",
        "1.3.101.112" => "Ed25519",
        _ => return None,
    })
}

/// Key size in bits: RSA modulus, EC curve, DSA `p`.
fn key_bits(cert: &X509Certificate<'_>, alg: &str) -> Option<u32> {
    let spki = cert.public_key();
    match alg {
        "RSA" | "RSASSA-PSS" => match spki.parsed().ok()? {
            x509_parser::public_key::PublicKey::RSA(rsa) => integer_bits(rsa.modulus),
            _ => None,
        },
        "EC" => {
            let params = spki.algorithm.parameters.as_ref()?;
            if params.tag() == Tag::Oid {
                if let Some(bits) = curve_bits(&oid_string(params.data)) {
                    return Some(bits);
                }
            }
            // Explicit or unknown curve: the size of an uncompressed point's coordinate.
            match spki.parsed().ok()? {
                x509_parser::public_key::PublicKey::EC(p) => {
                    u32::try_from(p.key_size()).ok().filter(|&b| b > 0)
                }
                _ => None,
            }
        }
        "DSA" => {
            // Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER }
            let params = spki.algorithm.parameters.as_ref()?;
            let (p, _) = expect_universal(params.data, Tag::Integer, "DSA p").ok()?;
            integer_bits(p.content)
        }
        "Ed25519" => Some(256),
        "Ed448" => Some(456),
        _ => None,
    }
}

/// Parses one DER certificate into the report form.
pub fn parse_certificate(der: &[u8]) -> Result<Certificate, SigningError> {
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|e| SigningError::CertificateMalformed(e.to_string()))?;
    let used = der.len().checked_sub(rest.len()).unwrap_or(der.len());
    let der = der.get(..used).unwrap_or(der);
    let sha256 = hex(&Sha256::digest(der));
    let key_oid = cert.public_key().algorithm.algorithm.to_id_string();
    let key_algorithm = key_algorithm_name(&key_oid).map_or(key_oid, Into::into);
    let key_bits = key_bits(&cert, &key_algorithm);
    let sig_oid = cert.signature_algorithm.algorithm.to_id_string();
    let signature_algorithm = signature_oid_name(&sig_oid).map_or(sig_oid, Into::into);
    let serial_raw = cert.raw_serial();
    let serial_trim = match serial_raw.iter().position(|&b| b != 0) {
        Some(i) => serial_raw.get(i..).unwrap_or(serial_raw),
        None => serial_raw
            .get(serial_raw.len().saturating_sub(1)..)
            .unwrap_or_default(),
    };
    let subject_attrs = name_attributes(cert.subject());
    let known_key = AOSP_TEST_KEYS
        .iter()
        .find(|(fp, _)| *fp == sha256)
        .map(|(_, name)| *name)
        .or_else(|| {
            if is_name(
                &subject_attrs,
                &[("CN", "Android Debug"), ("O", "Android"), ("C", "US")],
            ) {
                Some("android-debug")
            } else if is_name(
                &subject_attrs,
                &[
                    ("EMAILADDRESS", "android@android.com"),
                    ("CN", "Android"),
                    ("OU", "Android"),
                    ("O", "Android"),
                    ("L", "Mountain View"),
                    ("ST", "California"),
                    ("C", "US"),
                ],
            ) {
                Some("aosp-test-key")
            } else {
                None
            }
        });
    Ok(Certificate {
        subject: name_to_string(cert.subject()),
        issuer: name_to_string(cert.issuer()),
        serial: hex(serial_trim),
        not_before: rfc3339(cert.validity().not_before.timestamp()),
        not_after: rfc3339(cert.validity().not_after.timestamp()),
        key_algorithm,
        key_bits,
        signature_algorithm,
        sha256,
        known_key,
    })
}

// ---------------------------------------------------------------------------------------------
// Top level
// ---------------------------------------------------------------------------------------------

struct Collector {
    info: SigningInfo,
}

impl Collector {
    fn warn(&mut self, w: String) {
        if self.info.warnings.len() < MAX_WARNINGS {
            self.info.warnings.push(w);
        } else if self.info.warnings.len() == MAX_WARNINGS {
            self.info
                .warnings
                .push("further signing warnings suppressed".into());
        }
    }

    fn present(&mut self, scheme: Scheme, v: Verification) {
        if !self.info.schemes.contains(&scheme) {
            self.info.schemes.push(scheme);
        }
        self.info.verification.push((scheme, v));
    }

    fn certificates(&mut self, scheme: Scheme, ders: &[&[u8]]) -> Vec<Certificate> {
        let mut out = Vec::new();
        for (i, der) in ders.iter().enumerate() {
            match parse_certificate(der) {
                Ok(c) => out.push(c),
                Err(e) => self.warn(format!(
                    "{}: certificate #{} unreadable: {e}",
                    scheme.as_str(),
                    i.saturating_add(1)
                )),
            }
        }
        out
    }
}

/// Reads every signature scheme of the archive. v1 entries are read through `cache`.
/// Problems with one scheme are recorded in `verification`/`warnings`; the others are still read.
pub fn read_signing(archive: &Archive<'_>, cache: &EntryCache<'_>) -> SigningInfo {
    let mut c = Collector {
        info: SigningInfo::default(),
    };
    let v1_apk_signed = read_v1(archive, cache, &mut c);
    let present_block_schemes = read_block(archive, &mut c);
    if let Some(announced) = v1_apk_signed {
        for (n, scheme) in [(2u32, Scheme::V2), (3, Scheme::V3)] {
            if announced.contains(&n) && !present_block_schemes.contains(&scheme) {
                c.warn(format!(
                    "v1 .SF announces APK Signature Scheme v{n} (X-Android-APK-Signed) but no {} block is present: signature stripped?",
                    scheme.as_str()
                ));
            }
        }
    }
    c.info.schemes.sort_unstable();
    c.info.verification.sort_by_key(|(s, _)| *s);
    c.info.signers.sort_by_key(|s| s.scheme);
    c.info
}

/// Reads the APK Signing Block; returns the schemes found in it.
fn read_block(archive: &Archive<'_>, c: &mut Collector) -> Vec<Scheme> {
    let unreadable = |c: &mut Collector, e: SigningError| {
        c.warn(format!("APK Signing Block unreadable: {e}"));
        Vec::new()
    };
    let raw = match read_signing_block_bytes(archive) {
        Ok(Some(raw)) => raw,
        Ok(None) => return Vec::new(),
        Err(e) => return unreadable(c, e),
    };
    let block = match split_block(&raw.bytes, raw.start, raw.size) {
        Ok(b) => b,
        Err(e) => return unreadable(c, e),
    };
    let mut found = Vec::new();
    let mut seen: Vec<u32> = Vec::new();
    for pair in &block.pairs {
        if seen.contains(&pair.id) {
            c.warn(format!(
                "APK Signing Block: duplicate pair id {:#010x} ignored",
                pair.id
            ));
            continue;
        }
        if seen.len() < MAX_BLOCK_PAIRS {
            seen.push(pair.id);
        }
        match pair.id {
            BLOCK_ID_V2 | BLOCK_ID_V3 | BLOCK_ID_V31 => {}
            BLOCK_ID_VERITY_PADDING => {}
            BLOCK_ID_SOURCE_STAMP_V1 | BLOCK_ID_SOURCE_STAMP_V2 => {
                c.warn(format!(
                    "APK Signing Block: source stamp {:#010x} present (not checked)",
                    pair.id
                ));
            }
            id => c.warn(format!(
                "APK Signing Block: unknown pair id {id:#010x} ({} bytes)",
                pair.value.len()
            )),
        }
    }
    let mut memo = DigestMemo::default();
    let cd_end = archive.cd_offset.checked_add(archive.cd_size);
    if cd_end != Some(archive.eocd_offset) {
        c.warn(
            "central directory is not immediately followed by the end-of-central-directory record"
                .into(),
        );
    }
    let mut v2_strip_attr = false;
    for (id, scheme) in [
        (BLOCK_ID_V2, Scheme::V2),
        (BLOCK_ID_V3, Scheme::V3),
        (BLOCK_ID_V31, Scheme::V31),
    ] {
        let Some(pair) = block.get(id) else { continue };
        found.push(scheme);
        let v3 = scheme != Scheme::V2;
        let signers = match parse_scheme_signers(pair.value, v3, pair.offset) {
            Ok(s) => s,
            Err(e) => {
                c.present(scheme, Verification::Malformed(e.to_string()));
                continue;
            }
        };
        let mut mismatches = Vec::new();
        let mut unchecked = Vec::new();
        let mut all_signers_checked = true;
        for (n, s) in signers.iter().enumerate() {
            let n = n.saturating_add(1);
            if scheme == Scheme::V2
                && s.attributes
                    .iter()
                    .any(|(aid, _)| *aid == ATTR_STRIPPING_PROTECTION)
            {
                v2_strip_attr = true;
            }
            let mut checked_one = false;
            for (alg, signed_digest) in &s.digests {
                let Some(kind) = ContentDigest::of_algorithm(*alg) else {
                    unchecked.push(format!(
                        "signer #{n}: {} digest not checked",
                        signature_algorithm_label(*alg)
                    ));
                    continue;
                };
                if kind == ContentDigest::VeritySha256 {
                    unchecked.push("verity digest not checked".to_string());
                    continue;
                }
                match memo.get(
                    kind,
                    archive.source(),
                    block.offset,
                    archive.cd_offset,
                    archive.eocd_offset,
                ) {
                    Some(computed) if computed == *signed_digest => checked_one = true,
                    Some(_) => mismatches.push(format!(
                        "signer #{n}: {} content digest differs from the signed one",
                        kind.label()
                    )),
                    None => unchecked.push(format!(
                        "signer #{n}: {} content digest not computable (zip sections inconsistent)",
                        kind.label()
                    )),
                }
            }
            all_signers_checked &= checked_one;
            let sig_algs: Vec<u32> = s.signatures.iter().map(|(a, _)| *a).collect();
            let dig_algs: Vec<u32> = s.digests.iter().map(|(a, _)| *a).collect();
            if sig_algs != dig_algs {
                c.warn(format!(
                    "{} signer #{n}: signature and digest algorithm lists differ",
                    scheme.as_str()
                ));
            }
            if v3 && (s.min_sdk != s.signed_min_sdk || s.max_sdk != s.signed_max_sdk) {
                c.warn(format!(
                    "{} signer #{n}: SDK range outside the signed data differs from the signed one",
                    scheme.as_str()
                ));
            }
            let certificates = c.certificates(scheme, &s.certificates);
            if certificates.is_empty() {
                c.warn(format!(
                    "{} signer #{n}: no readable certificate",
                    scheme.as_str()
                ));
            }
            if let Some(first) = s.certificates.first() {
                if let Ok((_, cert)) = X509Certificate::from_der(first) {
                    if cert.public_key().raw != s.public_key {
                        c.warn(format!(
                            "{} signer #{n}: public key differs from the first certificate's key",
                            scheme.as_str()
                        ));
                    }
                }
            }
            c.info.signers.push(Signer {
                scheme,
                certificates,
                algorithms: s
                    .signatures
                    .iter()
                    .map(|(a, _)| signature_algorithm_label(*a))
                    .collect(),
                min_sdk: s.min_sdk,
                max_sdk: s.max_sdk,
            });
        }
        let verification = if !mismatches.is_empty() {
            Verification::DigestMismatch(mismatches.join("; "))
        } else if all_signers_checked {
            Verification::DigestsVerified
        } else if unchecked.is_empty() {
            Verification::NotVerified("no content digest".into())
        } else {
            unchecked.dedup();
            Verification::NotVerified(unchecked.join("; "))
        };
        c.present(scheme, verification);
    }
    if v2_strip_attr && !found.contains(&Scheme::V3) {
        c.warn(
            "v2 signer announces a v3 signature (stripping protection) but no v3 block is present"
                .into(),
        );
    }
    found
}

/// Extension of a v1 signature block file, if `name` is one.
fn is_block_file(name: &str) -> bool {
    [".RSA", ".DSA", ".EC"].iter().any(|e| name.ends_with(e))
}

/// Reads the v1 signature; returns the schemes announced by `X-Android-APK-Signed` if v1 is
/// present.
fn read_v1(archive: &Archive<'_>, cache: &EntryCache<'_>, c: &mut Collector) -> Option<Vec<u32>> {
    let mut sf_files: Vec<&str> = Vec::new();
    let mut block_files: Vec<&str> = Vec::new();
    let mut has_manifest = false;
    for e in archive.entries() {
        let Some(rest) = e.name.strip_prefix("META-INF/") else {
            continue;
        };
        if rest.contains('/') || rest.is_empty() {
            continue;
        }
        if rest == "MANIFEST.MF" {
            has_manifest = true;
        } else if rest.ends_with(".SF") {
            if !sf_files.contains(&e.name.as_str()) {
                sf_files.push(&e.name);
            }
        } else if is_block_file(rest) && !block_files.contains(&e.name.as_str()) {
            block_files.push(&e.name);
        }
    }
    if sf_files.is_empty() && block_files.is_empty() {
        return None;
    }
    if !has_manifest {
        c.warn(
            "v1 signature files present without META-INF/MANIFEST.MF: not a v1 signature".into(),
        );
        return None;
    }
    if sf_files.len() > MAX_V1_SIGNATURE_FILES {
        c.warn(format!(
            "v1: {} signature files, only the first {MAX_V1_SIGNATURE_FILES} read",
            sf_files.len()
        ));
        sf_files.truncate(MAX_V1_SIGNATURE_FILES);
    }
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for sf in &sf_files {
        let stem = sf.strip_suffix(".SF").unwrap_or(sf);
        let block = block_files
            .iter()
            .find(|b| b.rsplit_once('.').map(|(s, _)| s) == Some(stem));
        match block {
            Some(b) => pairs.push((sf, b)),
            None => c.warn(format!(
                "v1: {sf} has no signature block file (.RSA/.DSA/.EC)"
            )),
        }
    }
    for b in &block_files {
        if !pairs.iter().any(|(_, pb)| pb == b) {
            c.warn(format!("v1: {b} has no matching .SF file"));
        }
    }
    if pairs.is_empty() {
        return None;
    }
    // The v1 files are read once and not kept in the cache (MANIFEST.MF and the .SF list every
    // entry: hundreds of kilobytes on a large app).
    let manifest_bytes = cache.read_bounded("META-INF/MANIFEST.MF", u64::MAX);
    let manifest = match &manifest_bytes {
        Some(Ok(m)) => Some(&**m),
        Some(Err(e)) => {
            c.warn(format!("v1: META-INF/MANIFEST.MF unreadable: {e}"));
            None
        }
        None => None,
    };
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut announced = Vec::new();
    let mut any_ok = false;
    for (sf_name, block_name) in &pairs {
        // The block file: certificates and SignerInfo.
        let block_ok = match cache.read_bounded(block_name, u64::MAX) {
            Some(Ok(bytes)) => match parse_pkcs7_signed_data(&bytes) {
                Ok(sd) => {
                    let mut ders = sd.certificates.clone();
                    // Put the certificate named by the first SignerInfo first.
                    if let Some(serial) = sd.signer_infos.first().and_then(|si| si.serial) {
                        if let Some(pos) = ders.iter().position(|d| {
                            X509Certificate::from_der(d)
                                .map(|(_, x)| x.raw_serial() == serial)
                                .unwrap_or(false)
                        }) {
                            let first = ders.remove(pos);
                            ders.insert(0, first);
                        }
                    }
                    let certificates = c.certificates(Scheme::V1, &ders);
                    if certificates.is_empty() {
                        c.warn(format!("v1: {block_name} holds no readable certificate"));
                    }
                    c.info.signers.push(Signer {
                        scheme: Scheme::V1,
                        certificates,
                        algorithms: sd
                            .signer_infos
                            .iter()
                            .map(|si| si.digest_algorithm.clone())
                            .collect(),
                        min_sdk: None,
                        max_sdk: None,
                    });
                    true
                }
                Err(e) => {
                    problems.push(format!("{block_name}: {e}"));
                    false
                }
            },
            Some(Err(e)) => {
                problems.push(format!("{block_name}: unreadable: {e}"));
                false
            }
            None => false,
        };
        any_ok |= block_ok;
        // The .SF: digest of the whole manifest, and X-Android-APK-Signed.
        match cache.read_bounded(sf_name, u64::MAX) {
            Some(Ok(sf)) => {
                let sf: &[u8] = &sf;
                let main = sf_main_attributes(sf);
                if let Some(v) = main
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("X-Android-APK-Signed"))
                {
                    for n in v.1.split(',').filter_map(|s| s.trim().parse::<u32>().ok()) {
                        if !announced.contains(&n) && announced.len() < 8 {
                            announced.push(n);
                        }
                    }
                }
                if let Some(m) = manifest {
                    match manifest_digest_check(&main, m) {
                        Some(true) => {
                            notes.push(format!("{sf_name}: digest of MANIFEST.MF matches"))
                        }
                        Some(false) => {
                            c.warn(format!(
                                "v1: {sf_name}: digest of the whole MANIFEST.MF differs (per-section digests not checked)"
                            ));
                        }
                        None => {}
                    }
                }
            }
            Some(Err(e)) => problems.push(format!("{sf_name}: unreadable: {e}")),
            None => {}
        }
    }
    let verification = if !any_ok {
        Verification::Malformed(problems.join("; "))
    } else {
        for p in &problems {
            c.warn(format!("v1: {p}"));
        }
        let mut msg = String::from("v1 JAR signature digests not checked");
        if !notes.is_empty() {
            msg.push_str(" (");
            msg.push_str(&notes.join("; "));
            msg.push_str("; per-entry digests not checked)");
        }
        Verification::NotVerified(msg)
    };
    c.present(Scheme::V1, verification);
    Some(announced)
}

/// The main-section attributes of a JAR manifest or signature file (continuation lines joined).
fn sf_main_attributes(sf: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(sf.get(..sf.len().min(64 * 1024)).unwrap_or_default());
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            break; // end of the main section
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(last) = lines.last_mut() {
                last.push_str(cont);
                continue;
            }
        }
        if lines.len() >= 256 {
            break;
        }
        lines.push(line.to_string());
    }
    lines
        .into_iter()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// Compares the `.SF` digest of the whole manifest with `manifest`; `None` when the `.SF` has no
/// such attribute in an algorithm this module computes.
fn manifest_digest_check(main: &[(String, String)], manifest: &[u8]) -> Option<bool> {
    for (k, v) in main {
        let computed = match k.to_ascii_uppercase().as_str() {
            "SHA-256-DIGEST-MANIFEST" => Sha256::digest(manifest).to_vec(),
            "SHA-384-DIGEST-MANIFEST" => Sha384::digest(manifest).to_vec(),
            "SHA-512-DIGEST-MANIFEST" => Sha512::digest(manifest).to_vec(),
            "SHA1-DIGEST-MANIFEST" | "SHA-1-DIGEST-MANIFEST" => {
                use sha1::Sha1;
                Sha1::digest(manifest).to_vec()
            }
            _ => continue,
        };
        return Some(base64(&computed) == *v);
    }
    None
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| char::from(A.get((i & 63) as usize).copied().unwrap_or(b'='));
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
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

    // ---- helpers -------------------------------------------------------------------------

    fn lp(content: &[u8]) -> Vec<u8> {
        let mut v = (content.len() as u32).to_le_bytes().to_vec();
        v.extend_from_slice(content);
        v
    }

    fn lp_seq(items: &[Vec<u8>]) -> Vec<u8> {
        let mut inner = Vec::new();
        for i in items {
            inner.extend(lp(i));
        }
        lp(&inner)
    }

    fn id_bytes(id: u32, b: &[u8]) -> Vec<u8> {
        let mut v = id.to_le_bytes().to_vec();
        v.extend(lp(b));
        v
    }

    fn block(pairs: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut body = Vec::new();
        for (id, value) in pairs {
            body.extend(((value.len() + 4) as u64).to_le_bytes());
            body.extend(id.to_le_bytes());
            body.extend(value);
        }
        let size = (body.len() + 24) as u64;
        let mut b = size.to_le_bytes().to_vec();
        b.extend(body);
        b.extend(size.to_le_bytes());
        b.extend(APK_SIG_BLOCK_MAGIC);
        b
    }

    /// One v2 (or v3 when `sdk` is set) signer with the given digests.
    fn signer(digests: &[(u32, Vec<u8>)], certs: &[Vec<u8>], sdk: Option<(u32, u32)>) -> Vec<u8> {
        let mut signed = lp_seq(
            &digests
                .iter()
                .map(|(a, d)| id_bytes(*a, d))
                .collect::<Vec<_>>(),
        );
        signed.extend(lp_seq(certs));
        if let Some((min, max)) = sdk {
            signed.extend(min.to_le_bytes());
            signed.extend(max.to_le_bytes());
        }
        signed.extend(lp_seq(&[]));
        let mut s = lp(&signed);
        if let Some((min, max)) = sdk {
            s.extend(min.to_le_bytes());
            s.extend(max.to_le_bytes());
        }
        s.extend(lp_seq(
            &digests
                .iter()
                .map(|(a, _)| id_bytes(*a, b"sig"))
                .collect::<Vec<_>>(),
        ));
        s.extend(lp(b"pubkey"));
        s
    }

    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        let n = content.len();
        if n < 0x80 {
            v.push(n as u8);
        } else if n < 0x100 {
            v.extend([0x81, n as u8]);
        } else {
            v.extend([0x82, (n >> 8) as u8, n as u8]);
        }
        v.extend_from_slice(content);
        v
    }

    fn pem_to_der(pem: &str) -> Vec<u8> {
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let val = |c: u8| -> u32 {
            match c {
                b'A'..=b'Z' => u32::from(c - b'A'),
                b'a'..=b'z' => u32::from(c - b'a') + 26,
                b'0'..=b'9' => u32::from(c - b'0') + 52,
                b'+' => 62,
                b'/' => 63,
                _ => panic!("bad base64"),
            }
        };
        let mut out = Vec::new();
        for chunk in b64.trim_end_matches('=').as_bytes().chunks(4) {
            let mut n = 0u32;
            for (i, &c) in chunk.iter().enumerate() {
                n |= val(c) << (18 - 6 * i);
            }
            out.push((n >> 16) as u8);
            if chunk.len() > 2 {
                out.push((n >> 8) as u8);
            }
            if chunk.len() > 3 {
                out.push(n as u8);
            }
        }
        out
    }

    const TESTKEY_PEM: &str = include_str!("../tests/data/signing/aosp-testkey.x509.pem");
    const PLATFORM_PEM: &str = include_str!("../tests/data/signing/aosp-platform.x509.pem");

    /// Minimal zip: one stored entry, its CD record, the EOCD. With `block`, the signing block
    /// goes between the entry data and the CD. Returns (bytes, block offset, cd offset, eocd).
    fn tiny_zip(payload: &[u8], block: Option<&[u8]>) -> (Vec<u8>, u64, u64, u64) {
        let mut z = Vec::new();
        z.extend([0x50, 0x4b, 0x03, 0x04]);
        z.extend([0u8; 22]);
        z.extend(1u16.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z.push(b'a');
        z.extend(payload);
        let block_off = z.len() as u64;
        if let Some(b) = block {
            z.extend(b);
        }
        let cd = z.len() as u64;
        z.extend([0x50, 0x4b, 0x01, 0x02]);
        z.extend([0u8; 24]);
        z.extend(1u16.to_le_bytes());
        z.extend([0u8; 14]);
        z.extend(0u32.to_le_bytes());
        z.push(b'a');
        let eocd = z.len() as u64;
        let cd_size = (eocd - cd) as u32;
        z.extend([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0]);
        z.extend(cd_size.to_le_bytes());
        z.extend((cd as u32).to_le_bytes());
        z.extend(0u16.to_le_bytes());
        (z, block_off, cd, eocd)
    }

    /// The chunked digest computed the obvious way, with copies, as a cross-check.
    fn naive_digest(data: &[u8], block_off: usize, cd: usize, eocd: usize) -> Vec<u8> {
        let mut e = data[eocd..].to_vec();
        e[16..20].copy_from_slice(&(block_off as u32).to_le_bytes());
        let sections = [data[..block_off].to_vec(), data[cd..eocd].to_vec(), e];
        let chunks: Vec<&[u8]> = sections.iter().flat_map(|s| s.chunks(CHUNK_SIZE)).collect();
        let mut top = vec![0x5a];
        top.extend((chunks.len() as u32).to_le_bytes());
        for c in chunks {
            let mut h = vec![0xa5];
            h.extend((c.len() as u32).to_le_bytes());
            h.extend(c);
            top.extend(Sha256::digest(&h));
        }
        Sha256::digest(&top).to_vec()
    }

    // ---- signing block -------------------------------------------------------------------

    #[test]
    fn no_block_when_magic_absent() {
        let (z, _, cd, _) = tiny_zip(b"hello", None);
        assert_eq!(find_signing_block(&z, cd), Ok(None));
        assert_eq!(find_signing_block(&[], 0), Ok(None));
    }

    #[test]
    fn block_pairs_are_split() {
        let b = block(&[
            (BLOCK_ID_V2, vec![1, 2, 3]),
            (BLOCK_ID_VERITY_PADDING, vec![0; 8]),
        ]);
        let (z, off, cd, _) = tiny_zip(b"hello", Some(&b));
        let found = find_signing_block(&z, cd).unwrap().unwrap();
        assert_eq!(found.offset, off);
        assert_eq!(found.len, b.len() as u64);
        assert_eq!(found.pairs.len(), 2);
        assert_eq!(found.get(BLOCK_ID_V2).unwrap().value, &[1, 2, 3]);
        let p = found.get(BLOCK_ID_V2).unwrap();
        let at = p.offset as usize;
        assert_eq!(&z[at..at + 3], &[1, 2, 3]);
        assert_eq!(found.get(BLOCK_ID_VERITY_PADDING).unwrap().value.len(), 8);
    }

    #[test]
    fn inconsistent_sizes_are_errors() {
        let mut b = block(&[(BLOCK_ID_V2, vec![1, 2, 3])]);
        b[0] ^= 1; // leading size no longer equals the trailing one
        let (z, _, cd, _) = tiny_zip(b"x", Some(&b));
        assert!(matches!(
            find_signing_block(&z, cd),
            Err(SigningError::BlockMalformed(_))
        ));

        // Trailing size larger than the file.
        let mut b = block(&[]);
        let n = b.len();
        b[n - 24..n - 16].copy_from_slice(&u64::MAX.to_le_bytes());
        let (z, _, cd, _) = tiny_zip(b"x", Some(&b));
        assert!(find_signing_block(&z, cd).is_err());

        // A pair whose length runs past the block.
        let mut b = block(&[(BLOCK_ID_V2, vec![1, 2, 3])]);
        b[8..16].copy_from_slice(&1000u64.to_le_bytes());
        let (z, _, cd, _) = tiny_zip(b"x", Some(&b));
        assert!(matches!(
            find_signing_block(&z, cd),
            Err(SigningError::Truncated { .. })
        ));

        // A pair shorter than its id.
        let mut b = block(&[(BLOCK_ID_V2, vec![1, 2, 3])]);
        b[8..16].copy_from_slice(&2u64.to_le_bytes());
        let (z, _, cd, _) = tiny_zip(b"x", Some(&b));
        assert!(find_signing_block(&z, cd).is_err());

        // CD offset past the end.
        assert!(find_signing_block(&z, z.len() as u64 + 1).is_err());
    }

    #[test]
    fn pair_count_is_bounded() {
        let pairs: Vec<(u32, Vec<u8>)> = (0..MAX_BLOCK_PAIRS as u32 + 1)
            .map(|i| (i, vec![]))
            .collect();
        let b = block(&pairs);
        let (z, _, cd, _) = tiny_zip(b"x", Some(&b));
        assert_eq!(
            find_signing_block(&z, cd),
            Err(SigningError::LimitExceeded {
                what: "signing block pairs",
                max: MAX_BLOCK_PAIRS
            })
        );
    }

    // ---- signers -------------------------------------------------------------------------

    #[test]
    fn v2_and_v3_signers_parse() {
        let cert = pem_to_der(TESTKEY_PEM);
        let v2 = lp_seq(&[signer(
            &[(0x0103, vec![7; 32])],
            std::slice::from_ref(&cert),
            None,
        )]);
        let s = parse_scheme_signers(&v2, false, 0).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].digests, vec![(0x0103, &[7u8; 32][..])]);
        assert_eq!(s[0].certificates, vec![&cert[..]]);
        assert_eq!(s[0].signatures, vec![(0x0103, &b"sig"[..])]);
        assert_eq!(s[0].public_key, b"pubkey");
        assert_eq!(s[0].min_sdk, None);

        let v3 = lp_seq(&[signer(
            &[(0x0201, vec![1; 32])],
            &[],
            Some((24, 0x7fff_ffff)),
        )]);
        let s = parse_scheme_signers(&v3, true, 0).unwrap();
        assert_eq!((s[0].min_sdk, s[0].max_sdk), (Some(24), Some(0x7fff_ffff)));
        assert_eq!(
            (s[0].signed_min_sdk, s[0].signed_max_sdk),
            (Some(24), Some(0x7fff_ffff))
        );
        // v3 data read as v2 misaligns and fails instead of reading garbage silently.
        assert!(parse_scheme_signers(&v3, false, 0).is_err());
    }

    #[test]
    fn malformed_signers_are_errors() {
        assert!(parse_scheme_signers(&[], false, 0).is_err());
        assert!(
            parse_scheme_signers(&lp_seq(&[]), false, 0).is_err(),
            "no signers"
        );
        let good = lp_seq(&[signer(&[(0x0103, vec![7; 32])], &[], None)]);
        for cut in 1..good.len() {
            assert!(
                parse_scheme_signers(&good[..cut], false, 0).is_err(),
                "cut at {cut}"
            );
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(parse_scheme_signers(&trailing, false, 0).is_err());
        let many: Vec<Vec<u8>> = (0..=MAX_SIGNERS).map(|_| signer(&[], &[], None)).collect();
        assert!(matches!(
            parse_scheme_signers(&lp_seq(&many), false, 0),
            Err(SigningError::LimitExceeded { .. })
        ));
    }

    #[test]
    fn algorithm_names_and_digest_kinds() {
        assert_eq!(
            signature_algorithm_name(0x0103),
            Some("RSASSA-PKCS1-v1_5 with SHA2-256")
        );
        assert_eq!(
            signature_algorithm_name(0x0202),
            Some("ECDSA with SHA2-512")
        );
        assert_eq!(signature_algorithm_name(0x0301), Some("DSA with SHA2-256"));
        assert_eq!(signature_algorithm_name(0x9999), None);
        assert_eq!(
            signature_algorithm_label(0x9999),
            "unknown algorithm 0x9999"
        );
        assert_eq!(
            ContentDigest::of_algorithm(0x0101),
            Some(ContentDigest::ChunkedSha256)
        );
        assert_eq!(
            ContentDigest::of_algorithm(0x0104),
            Some(ContentDigest::ChunkedSha512)
        );
        assert_eq!(
            ContentDigest::of_algorithm(0x0423),
            Some(ContentDigest::VeritySha256)
        );
        assert_eq!(ContentDigest::of_algorithm(0x0601), None);
    }

    // ---- content digest ------------------------------------------------------------------

    #[test]
    fn chunked_digest_matches_naive_computation() {
        // Payload > 2 MiB so the first section spans three chunks, one partial.
        let payload: Vec<u8> = (0..(2 * CHUNK_SIZE + 12345))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let b = block(&[(BLOCK_ID_V2, vec![0; 16])]);
        let (z, off, cd, eocd) = tiny_zip(&payload, Some(&b));
        let ours = compute_content_digest(&z, off, cd, eocd, ContentDigest::ChunkedSha256).unwrap();
        assert_eq!(
            ours,
            naive_digest(&z, off as usize, cd as usize, eocd as usize)
        );
        // The block's own bytes are not covered; the EOCD CD-offset field is replaced.
        let mut z2 = z.clone();
        z2[off as usize + 10] ^= 0xff;
        assert_eq!(
            compute_content_digest(&z2, off, cd, eocd, ContentDigest::ChunkedSha256).unwrap(),
            ours
        );
        let mut z3 = z.clone();
        z3[100] ^= 1;
        assert_ne!(
            compute_content_digest(&z3, off, cd, eocd, ContentDigest::ChunkedSha256).unwrap(),
            ours
        );
        let sha512 =
            compute_content_digest(&z, off, cd, eocd, ContentDigest::ChunkedSha512).unwrap();
        assert_eq!(sha512.len(), 64);
        assert_eq!(
            compute_content_digest(&z, off, cd, eocd, ContentDigest::VeritySha256),
            None
        );
    }

    #[test]
    fn content_digest_rejects_inconsistent_offsets() {
        let (z, off, cd, eocd) = tiny_zip(b"abc", None);
        let d = ContentDigest::ChunkedSha256;
        assert!(compute_content_digest(&z, off, cd, eocd, d).is_some());
        assert_eq!(compute_content_digest(&z, cd + 1, cd, eocd, d), None);
        assert_eq!(compute_content_digest(&z, off, eocd + 1, eocd, d), None);
        assert_eq!(compute_content_digest(&z, off, cd, u64::MAX, d), None);
        assert_eq!(
            compute_content_digest(&z, off, cd, cd, d),
            None,
            "not an EOCD"
        );
        assert_eq!(
            compute_content_digest(&z[..z.len() - 5], off, cd, eocd, d),
            None
        );
    }

    // ---- through an archive over a file -------------------------------------------------

    /// A signing block as the tests compare it (the real one borrows from its input).
    type BlockView = (u64, u64, Vec<(u32, u64, Vec<u8>)>);

    fn view(block: &SigningBlock<'_>) -> BlockView {
        let pairs = block
            .pairs
            .iter()
            .map(|p| (p.id, p.offset, p.value.to_vec()))
            .collect();
        (block.offset, block.len, pairs)
    }

    /// The block read through the archive, as `read_block` reads it.
    fn block_through(archive: &Archive<'_>) -> Result<Option<BlockView>, SigningError> {
        let Some(raw) = read_signing_block_bytes(archive)? else {
            return Ok(None);
        };
        split_block(&raw.bytes, raw.start, raw.size).map(|b| Some(view(&b)))
    }

    #[test]
    fn archive_reads_give_what_the_whole_input_gives() {
        let tmp = crate::source::TempFile::with("signing", b"");
        let limits = crate::Limits::default();
        let payload: Vec<u8> = (0..(CHUNK_SIZE + 777)).map(|i| (i % 253) as u8).collect();
        let good = block(&[
            (BLOCK_ID_V2, vec![1, 2, 3]),
            (BLOCK_ID_VERITY_PADDING, vec![0; 8]),
        ]);
        let mut blocks = vec![None, Some(good.clone())];
        let mut leading = good.clone();
        leading[0] ^= 1;
        blocks.push(Some(leading));
        let mut huge = good.clone();
        let n = huge.len();
        huge[n - 24..n - 16].copy_from_slice(&u64::MAX.to_le_bytes());
        blocks.push(Some(huge));
        let mut past_start = good.clone();
        past_start[n - 24..n - 16].copy_from_slice(&(1u64 << 40).to_le_bytes());
        blocks.push(Some(past_start));
        let mut small = good.clone();
        small[n - 24..n - 16].copy_from_slice(&8u64.to_le_bytes());
        blocks.push(Some(small));
        let mut long_pair = good.clone();
        long_pair[8..16].copy_from_slice(&1000u64.to_le_bytes());
        blocks.push(Some(long_pair));
        let mut short_pair = good;
        short_pair[8..16].copy_from_slice(&2u64.to_le_bytes());
        blocks.push(Some(short_pair));
        for b in &blocks {
            let (z, off, cd, eocd) = tiny_zip(&payload, b.as_deref());
            std::fs::write(&tmp.0, &z).unwrap();
            let file = crate::zip::ArchiveFile::open(&tmp.0).unwrap();
            let whole = find_signing_block(&z, cd).map(|b| b.as_ref().map(view));
            let over_bytes = Archive::parse(&z, &limits).unwrap();
            let over_file = Archive::open(&file, &limits).unwrap();
            assert_eq!(over_bytes.cd_offset, cd);
            assert_eq!(block_through(&over_bytes), whole);
            assert_eq!(block_through(&over_file), whole);
            for kind in [ContentDigest::ChunkedSha256, ContentDigest::ChunkedSha512] {
                let expected = compute_content_digest(&z, off, cd, eocd, kind);
                assert!(expected.is_some());
                assert_eq!(
                    content_digest(over_file.source(), off, cd, eocd, kind),
                    expected
                );
            }
            // The whole reader, certificates and warnings included.
            let cache = EntryCache::new(&over_bytes, limits.clone());
            let file_cache = EntryCache::new(&over_file, limits.clone());
            assert_eq!(
                read_signing(&over_bytes, &cache),
                read_signing(&over_file, &file_cache)
            );
        }
    }

    // ---- PKCS#7 --------------------------------------------------------------------------

    fn signed_data(certs: &[Vec<u8>], digest_oid: &[u8], serial: &[u8]) -> Vec<u8> {
        let oid_signed = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
        let oid_data = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
        let alg = der(0x30, &[der(0x06, digest_oid), vec![0x05, 0x00]].concat());
        let sid = der(0x30, &[der(0x30, &[]), der(0x02, serial)].concat());
        let si = der(
            0x30,
            &[
                der(0x02, &[1]),
                sid,
                alg.clone(),
                der(0x30, &[]),
                der(0x04, b"sig"),
            ]
            .concat(),
        );
        let sd = der(
            0x30,
            &[
                der(0x02, &[1]),
                der(0x31, &alg),
                der(0x30, &der(0x06, &oid_data)),
                der(0xa0, &certs.concat()),
                der(0x31, &si),
            ]
            .concat(),
        );
        der(0x30, &[der(0x06, &oid_signed), der(0xa0, &sd)].concat())
    }

    #[test]
    fn pkcs7_certificates_and_digest_algorithm() {
        let a = pem_to_der(TESTKEY_PEM);
        let b = pem_to_der(PLATFORM_PEM);
        let sha256 = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
        let p = signed_data(&[a.clone(), b.clone()], &sha256, &[0x00, 0x93]);
        let sd = parse_pkcs7_signed_data(&p).unwrap();
        assert_eq!(sd.certificates, vec![&a[..], &b[..]]);
        assert_eq!(sd.signer_infos.len(), 1);
        assert_eq!(sd.signer_infos[0].digest_algorithm, "SHA-256");
        assert_eq!(sd.signer_infos[0].serial, Some(&[0x00, 0x93][..]));
        let sha1 = [0x2b, 0x0e, 0x03, 0x02, 0x1a];
        let p = signed_data(&[], &sha1, &[1]);
        assert_eq!(
            parse_pkcs7_signed_data(&p).unwrap().signer_infos[0].digest_algorithm,
            "SHA-1"
        );
    }

    #[test]
    fn pkcs7_malformed_inputs_are_errors() {
        let a = pem_to_der(TESTKEY_PEM);
        let sha1 = [0x2b, 0x0e, 0x03, 0x02, 0x1a];
        let p = signed_data(&[a], &sha1, &[1]);
        for cut in [0, 1, 2, 10, 100, p.len() / 2, p.len() - 1] {
            assert!(parse_pkcs7_signed_data(&p[..cut]).is_err(), "cut at {cut}");
        }
        // Not signedData.
        let data_ct = der(
            0x30,
            &[
                der(
                    0x06,
                    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01],
                ),
                der(0xa0, &[]),
            ]
            .concat(),
        );
        assert!(parse_pkcs7_signed_data(&data_ct).is_err());
        // Indefinite length is reported, not mis-parsed.
        assert!(parse_pkcs7_signed_data(&[0x30, 0x80, 0x00, 0x00]).is_err());
    }

    // ---- certificates --------------------------------------------------------------------

    #[test]
    fn aosp_testkey_certificate() {
        let c = parse_certificate(&pem_to_der(TESTKEY_PEM)).unwrap();
        assert_eq!(
            c.subject,
            "EMAILADDRESS=android@android.com, CN=Android, OU=Android, O=Android, L=Mountain View, ST=California, C=US"
        );
        assert_eq!(c.issuer, c.subject);
        assert_eq!(c.serial, "936eacbe07f201df");
        assert_eq!(c.not_before, "2008-02-29T01:33:46Z");
        assert_eq!(c.not_after, "2035-07-17T01:33:46Z");
        assert_eq!(c.key_algorithm, "RSA");
        assert_eq!(c.key_bits, Some(2048));
        assert_eq!(c.signature_algorithm, "sha1WithRSAEncryption");
        assert_eq!(
            c.sha256,
            "a40da80a59d170caa950cf15c18c454d47a39b26989d8b640ecd745ba71bf5dc"
        );
        assert_eq!(c.known_key, Some("testkey"));

        let p = parse_certificate(&pem_to_der(PLATFORM_PEM)).unwrap();
        assert_eq!(p.signature_algorithm, "md5WithRSAEncryption");
        assert_eq!(p.known_key, Some("platform"));
        assert_eq!(p.serial, "b3998086d056cffa");
    }

    #[test]
    fn unknown_aosp_subject_is_generic_test_key_and_garbage_fails() {
        // Same subject, different bytes (a changed signature bit) -> subject match only.
        let mut d = pem_to_der(TESTKEY_PEM);
        let n = d.len();
        d[n - 1] ^= 1;
        let c = parse_certificate(&d).unwrap();
        assert_eq!(c.known_key, Some("aosp-test-key"));
        assert!(parse_certificate(&[]).is_err());
        assert!(parse_certificate(&d[..n / 2]).is_err());
    }

    #[test]
    fn helpers() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(integer_bits(&[0x00, 0x80, 0x00]), Some(16));
        assert_eq!(integer_bits(&[0x01, 0x00]), Some(9));
        assert_eq!(integer_bits(&[0x00]), None);
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"he"), "aGU=");
        assert_eq!(base64(b"hel"), "aGVs");
        let mut s = String::new();
        escape_rfc4514(" a,b+c ", &mut s);
        assert_eq!(s, "\\ a\\,b\\+c\\ ");
        let main = sf_main_attributes(b"Signature-Version: 1.0\r\nX-Android-APK-Signed: 2, 3\r\nSHA-256-Digest-Manifest: abc\r\n def\r\n\r\nName: x\r\nSHA-256-Digest: q\r\n");
        assert_eq!(main.len(), 3);
        assert_eq!(
            main[2],
            ("SHA-256-Digest-Manifest".to_string(), "abcdef".to_string())
        );
        let m = b"Manifest-Version: 1.0\r\n\r\n";
        let good = vec![(
            "SHA-256-Digest-Manifest".to_string(),
            base64(&Sha256::digest(m)),
        )];
        assert_eq!(manifest_digest_check(&good, m), Some(true));
        assert_eq!(manifest_digest_check(&good, b"other"), Some(false));
        assert_eq!(manifest_digest_check(&main[..1], m), None);
    }
}

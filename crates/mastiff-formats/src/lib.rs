//! Readers for the file formats inside Android packages.
//!
//! Every reader here takes untrusted bytes: no panics on any input, every count and size is checked
//! against the data before anything is allocated, and all work is bounded by [`Limits`].
//! Nothing here knows about security rules.

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod arsc;
pub mod axml;
pub mod dex;
pub mod signing;
mod source;
mod strpool;
pub mod zip;

pub use strpool::StringPool;

/// Bounds on the work any reader does, so hostile input cannot exhaust memory or time.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most central-directory records read from one archive.
    pub max_zip_entries: usize,
    /// Most bytes one entry may inflate to.
    pub max_entry_size: u64,
    /// Most bytes all inflated entries of one archive may add up to.
    pub max_total_inflated: u64,
    /// Most bytes a binary XML entry (manifest, `res/xml/*`) may declare; real ones are far
    /// smaller (ApiDemos' manifest, one of the largest, is 175 KB).
    pub max_xml_size: u64,
    /// Most bytes `resources.arsc` may declare (Android's own framework-res has 32 MB).
    pub max_arsc_size: u64,
    /// Most bytes one `classes*.dex` may declare (a full 64K-method dex is about 10-20 MB).
    pub max_dex_size: u64,
    /// Deepest element nesting read from a binary XML file.
    pub max_xml_depth: usize,
    /// Most elements read from one binary XML file.
    pub max_xml_elements: usize,
    /// Most strings read from one string pool.
    pub max_pool_strings: usize,
    /// Most reference hops followed when resolving a resource value (`@a -> @b -> ...`).
    pub max_reference_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_zip_entries: 200_000,
            max_entry_size: 512 * 1024 * 1024,
            max_total_inflated: 4 * 1024 * 1024 * 1024,
            max_xml_size: 16 * 1024 * 1024,
            max_arsc_size: 128 * 1024 * 1024,
            max_dex_size: 128 * 1024 * 1024,
            max_xml_depth: 256,
            max_xml_elements: 1_000_000,
            max_pool_strings: 4_000_000,
            max_reference_depth: 16,
        }
    }
}

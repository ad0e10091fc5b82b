//! The Android side of mastiff's analysis: from parsed formats to a model with the platform's
//! semantics (what `exported` really means at each targetSdk, the defaults of an absent attribute,
//! how the network security config is inherited).
//!
//! Everything here reads attacker-controlled files: no panics on any input.

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

pub mod attrs;
pub mod manifest;
pub mod nsc;
pub mod resources;
#[cfg(test)]
pub(crate) mod testxml;

pub use manifest::{
    Application, Component, ComponentKind, DataSpec, ExportReason, IntentFilter, LaunchMode,
    Manifest, PermissionDecl, ProtectionLevel, UsesPermission,
};
pub use mastiff_core::Date;
pub use nsc::{
    effective_policy, effective_policy_with_debug_resource, policy_for_host, NetworkSecurityConfig,
    NscError, PolicyInputs,
};
pub use resources::Resources;

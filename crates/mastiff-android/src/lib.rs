//! The Android side of mastiff's analysis: from parsed formats to a model with the platform's
//! semantics (what `exported` really means at each targetSdk, the defaults of an absent attribute,
//! how the network security config is inherited).

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
pub use nsc::{effective_policy, NetworkSecurityConfig, NscError, PolicyInputs};
pub use resources::Resources;

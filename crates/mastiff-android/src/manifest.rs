//! The manifest model, with the platform's defaults and the exact meaning of `exported`.

use mastiff_formats::axml::{Element, Value, XmlDocument};

use crate::attrs;
use crate::resources::{value_bool, value_int, value_string};
use crate::Resources;

/// The SDK level the platform gives an unreleased codename (`Build.VERSION_CODES.CUR_DEVELOPMENT`).
pub const CUR_DEVELOPMENT: u32 = 10_000;

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
    /// `Some(Err(bool))` for a boolean value, `None` when absent. A reference the resource table
    /// cannot resolve is kept as its text (`Some(Ok("@xml/backup"))` or `@0x7f..`), with a warning.
    pub full_backup_content: Option<Result<String, bool>>,
    /// `android:dataExtractionRules` resource file path (reference text when unresolvable).
    pub data_extraction_rules: Option<String>,
    pub uses_cleartext_traffic: Option<bool>,
    pub test_only: Option<bool>,
    /// Resolved zip path of `android:networkSecurityConfig`, e.g. `res/xml/network_security_config.xml`.
    pub network_security_config: Option<String>,
    /// The attribute was present but could not be resolved to a file.
    pub network_security_config_unresolved: bool,
    pub permission: Option<String>,
    pub task_affinity: Option<String>,
    /// Fully qualified `android:name` (the Application subclass).
    pub name: Option<String>,
    /// Flags whose resource value differs between configurations, e.g.
    /// `debuggable: false (default), true (v24)`. The platform resolves manifest references with
    /// the device's configuration, so such a flag is on for some devices: the boolean fields above
    /// then hold `true` if any configuration gives `true` (every such flag is riskier when true).
    pub config_dependent: Vec<String>,
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
    /// No attribute and at least one intent-filter (activities, aliases, services, receivers):
    /// exported implicitly. At targetSdk >= 31 this is an install error on Android 12+, but the
    /// platform's parser still computes `exported = true`, which is what devices up to Android 11
    /// (where the app installs) apply; [`Manifest::warnings`] records the install failure.
    /// Providers never get this reason: their intent-filters do not affect `exported`.
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

/// One `<intent-filter>`. `data` holds each `<data>` element as written; the platform merges all of
/// them into one filter (every scheme combines with every host/port and every path), which the
/// `schemes()`/`hosts()`/`paths()`/`mime_types()` views reflect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntentFilter {
    pub actions: Vec<String>,
    pub categories: Vec<String>,
    pub data: Vec<DataSpec>,
    pub auto_verify: bool,
    /// `android:priority` (default 0).
    pub priority: i32,
}

fn distinct<'a>(it: impl Iterator<Item = Option<&'a String>>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for s in it.flatten() {
        if !out.contains(&s.as_str()) {
            out.push(s.as_str());
        }
    }
    out
}

impl IntentFilter {
    /// Every scheme of the merged filter, in document order, without duplicates.
    pub fn schemes(&self) -> Vec<&str> {
        distinct(self.data.iter().map(|d| d.scheme.as_ref()))
    }

    /// Every host of the merged filter.
    pub fn hosts(&self) -> Vec<&str> {
        distinct(self.data.iter().map(|d| d.host.as_ref()))
    }

    /// Every literal path, prefix and pattern of the merged filter.
    pub fn paths(&self) -> Vec<&str> {
        distinct(self.data.iter().flat_map(|d| {
            [
                d.path.as_ref(),
                d.path_prefix.as_ref(),
                d.path_pattern.as_ref(),
            ]
        }))
    }

    pub fn mime_types(&self) -> Vec<&str> {
        distinct(self.data.iter().map(|d| d.mime_type.as_ref()))
    }

    pub fn has_action(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a == action)
    }

    pub fn has_category(&self, category: &str) -> bool {
        self.categories.iter().any(|c| c == category)
    }
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
    /// Component permission, falling back to the application's `android:permission` (an
    /// activity-alias falls back to its target activity's permission first). An explicit empty
    /// value means no permission and does not fall back, as in the platform's parser.
    pub permission: Option<String>,
    /// Providers only: `readPermission`, else the provider's `permission`, else the application's.
    pub read_permission: Option<String>,
    /// Providers only: `writePermission`, else the provider's `permission`, else the application's.
    pub write_permission: Option<String>,
    pub authorities: Vec<String>,
    /// `android:grantUriPermissions`, or set by a `<grant-uri-permission>` child with a path (the
    /// platform sets the flag for those too).
    pub grant_uri_permissions: bool,
    /// `<path-permission>` children (providers).
    pub path_permissions: usize,
    /// `<grant-uri-permission>` children (providers).
    pub grant_uri_permission_patterns: usize,
    pub intent_filters: Vec<IntentFilter>,
    pub launch_mode: Option<LaunchMode>,
    /// `android:taskAffinity` as written (`Some("")` is the explicit empty affinity).
    pub task_affinity: Option<String>,
    /// Effective: the attribute, else the application's `allowTaskReparenting` (default false).
    pub allow_task_reparenting: bool,
    /// activity-alias `android:targetActivity`.
    pub target_activity: Option<String>,
    /// `<meta-data>` children, in document order.
    pub meta_data: Vec<MetaData>,
}

/// A `<meta-data>` child of a component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetaData {
    /// `android:name`, e.g. `android.support.FILE_PROVIDER_PATHS`.
    pub name: String,
    /// `android:resource` resolved to the zip path of a resource file (default configuration),
    /// e.g. `res/xml/file_paths.xml`; `None` when absent, unresolvable or not a file.
    pub resource: Option<String>,
}

impl Component {
    /// Has a `MAIN`/`LAUNCHER` intent filter.
    pub fn is_launcher(&self) -> bool {
        self.intent_filters.iter().any(|f| {
            f.actions.iter().any(|a| a == "android.intent.action.MAIN")
                && f.categories
                    .iter()
                    .any(|c| c == "android.intent.category.LAUNCHER")
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

    pub const INTERNAL: u32 = 4;
    /// `PermissionInfo.PROTECTION_FLAG_*` names and values (the platform's `attrs_manifest.xml`).
    pub const FLAGS: &'static [(&'static str, u32)] = &[
        ("privileged", 0x10),
        ("development", 0x20),
        ("appop", 0x40),
        ("pre23", 0x80),
        ("installer", 0x100),
        ("verifier", 0x200),
        ("preinstalled", 0x400),
        ("setup", 0x800),
        ("instant", 0x1000),
        ("runtime", 0x2000),
        ("oem", 0x4000),
        ("vendorPrivileged", 0x8000),
        ("textClassifier", 0x1_0000),
    ];

    pub fn base(self) -> u32 {
        self.0 & 0xf
    }

    pub fn flags(self) -> u32 {
        self.0 & !0xf
    }

    /// True for `signature` and `signatureOrSystem` (only same-signer or system apps get it).
    pub fn is_signature(self) -> bool {
        matches!(self.base(), Self::SIGNATURE | Self::SIGNATURE_OR_SYSTEM)
    }

    /// Parses the source form (`signature|privileged`), as found in a hand-made or decoded file.
    pub fn parse_names(s: &str) -> Option<ProtectionLevel> {
        let mut v = 0u32;
        for part in s.split('|').map(str::trim) {
            v |= match part {
                "normal" => Self::NORMAL,
                "dangerous" => Self::DANGEROUS,
                "signature" => Self::SIGNATURE,
                "signatureOrSystem" => Self::SIGNATURE_OR_SYSTEM,
                "internal" => Self::INTERNAL,
                "system" => 0x10,
                other => Self::FLAGS.iter().find(|(n, _)| *n == other)?.1,
            };
        }
        Some(ProtectionLevel(v))
    }

    /// `normal`, `dangerous`, `signature`, `signatureOrSystem`, `internal` or `unknown(N)`, plus
    /// `|flag` names (`|0x..` for flags without a name).
    pub fn describe(self) -> String {
        let mut out = match self.base() {
            Self::NORMAL => "normal".to_string(),
            Self::DANGEROUS => "dangerous".to_string(),
            Self::SIGNATURE => "signature".to_string(),
            Self::SIGNATURE_OR_SYSTEM => "signatureOrSystem".to_string(),
            Self::INTERNAL => "internal".to_string(),
            n => format!("unknown({n})"),
        };
        let mut rest = self.flags();
        for (name, bit) in Self::FLAGS {
            if rest & bit != 0 {
                out.push('|');
                out.push_str(name);
                rest &= !bit;
            }
        }
        if rest != 0 {
            out.push_str(&format!("|{rest:#x}"));
        }
        out
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
    /// Never fails: what cannot be read is left at its default and noted in `warnings`.
    pub fn from_xml(doc: &XmlDocument, res: &Resources<'_>) -> Manifest {
        let mut cx = Cx {
            doc,
            res,
            warnings: Vec::new(),
        };
        let mut m = Manifest {
            min_sdk: 1,
            target_sdk: 1,
            ..Manifest::default()
        };
        m.warnings
            .extend(doc.warnings.iter().map(|w| format!("binary XML: {w}")));
        let Some(root) = doc.root() else {
            m.warnings.push("manifest is empty".into());
            return m;
        };
        if root.name != "manifest" {
            m.warnings
                .push(format!("root element is <{}>, not <manifest>", root.name));
            return m;
        }
        m.package = root
            .plain_attr("package")
            .and_then(|a| value_string(&res.resolve(&a.value)))
            .filter(|p| !p.is_empty());
        let pkg = m.package.clone().unwrap_or_default();
        const ROOT: &str = "manifest";
        m.version_code = cx
            .int(root, attrs::VERSION_CODE, "versionCode", ROOT)
            .and_then(|n| {
                // The platform stores versionCode as a 32-bit int; negative values are its high bit.
                let v = u32::try_from(n)
                    .ok()
                    .or_else(|| i32::try_from(n).ok().map(|n| n as u32));
                v.map(u64::from)
            });
        m.version_name = cx.string(root, attrs::VERSION_NAME, "versionName", ROOT);

        // <uses-sdk>: the first one counts.
        let mut sdk_elements = doc.children(0).filter(|(_, e)| e.name == "uses-sdk");
        if let Some((_, sdk)) = sdk_elements.next() {
            let path = "manifest/uses-sdk";
            m.min_sdk_declared = cx.sdk(sdk, attrs::MIN_SDK_VERSION, "minSdkVersion", path);
            m.target_sdk_declared =
                cx.sdk(sdk, attrs::TARGET_SDK_VERSION, "targetSdkVersion", path);
            m.max_sdk = cx.sdk(sdk, attrs::MAX_SDK_VERSION, "maxSdkVersion", path);
        }
        if sdk_elements.next().is_some() {
            cx.warn("more than one <uses-sdk>: only the first is used".into());
        }
        m.min_sdk = m.min_sdk_declared.unwrap_or(1);
        m.target_sdk = m.target_sdk_declared.unwrap_or(m.min_sdk);

        for (_, e) in doc.children(0) {
            match e.name.as_str() {
                "uses-permission" | "uses-permission-sdk-23" | "uses-permission-sdk-m" => {
                    let path = format!("manifest/{}", e.name);
                    match cx
                        .string(e, attrs::NAME, "name", &path)
                        .filter(|n| !n.is_empty())
                    {
                        Some(name) => {
                            let max_sdk = cx.sdk(e, attrs::MAX_SDK_VERSION, "maxSdkVersion", &path);
                            m.uses_permissions.push(UsesPermission { name, max_sdk });
                        }
                        None => cx.warn(format!("<{}> without android:name", e.name)),
                    }
                }
                "permission" => {
                    let Some(name) = cx
                        .string(e, attrs::NAME, "name", "manifest/permission")
                        .filter(|n| !n.is_empty())
                    else {
                        cx.warn("<permission> without android:name".into());
                        continue;
                    };
                    let element = format!("manifest/permission[{name}]");
                    let protection_level = cx.protection_level(e, &element);
                    m.permissions.push(PermissionDecl {
                        name,
                        protection_level,
                        element,
                    });
                }
                _ => {}
            }
        }

        let mut apps = doc.children(0).filter(|(_, e)| e.name == "application");
        if let Some((app_idx, app)) = apps.next() {
            m.application = cx.application(app, &pkg);
            let app_reparenting = cx
                .boolean(
                    app,
                    attrs::ALLOW_TASK_REPARENTING,
                    "allowTaskReparenting",
                    "manifest/application",
                )
                .unwrap_or(false);
            let app_ctx = AppCtx {
                pkg: &pkg,
                target_sdk: m.target_sdk,
                permission: m.application.permission.clone(),
                allow_task_reparenting: app_reparenting,
            };
            for (_, e) in doc.children(app_idx) {
                let kind = match e.name.as_str() {
                    "activity" => ComponentKind::Activity,
                    "activity-alias" => ComponentKind::ActivityAlias,
                    "service" => ComponentKind::Service,
                    "receiver" => ComponentKind::Receiver,
                    "provider" => ComponentKind::Provider,
                    _ => continue,
                };
                if let Some(c) = cx.component(kind, e, &app_ctx, &m.components) {
                    m.components.push(c);
                }
            }
        }
        if apps.next().is_some() {
            cx.warn("more than one <application>: only the first is used".into());
        }
        m.warnings.append(&mut cx.warnings);
        m
    }

    /// The component with this fully qualified class name.
    pub fn component(&self, name: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.name == name)
    }

    /// Components that are exported at the app's targetSdk (and enabled).
    pub fn exported_components(&self) -> impl Iterator<Item = &Component> {
        self.components.iter().filter(|c| c.exported && c.enabled)
    }

    pub fn permission(&self, name: &str) -> Option<&PermissionDecl> {
        self.permissions.iter().find(|p| p.name == name)
    }
}

/// The platform's `buildClassName`: `.Foo` and `Foo` (no dot) are relative to the package.
pub fn qualify_class_name(package: &str, name: &str) -> String {
    if name.starts_with('.') {
        format!("{package}{name}")
    } else if !name.contains('.') {
        format!("{package}.{name}")
    } else {
        name.to_string()
    }
}

struct AppCtx<'p> {
    pkg: &'p str,
    target_sdk: u32,
    permission: Option<String>,
    allow_task_reparenting: bool,
}

/// Reading attributes with resolution and warnings.
struct Cx<'d, 'r, 'a> {
    doc: &'d XmlDocument,
    res: &'r Resources<'a>,
    warnings: Vec<String>,
}

impl<'d> Cx<'d, '_, '_> {
    fn warn(&mut self, w: String) {
        self.warnings.push(w);
    }

    /// The attribute's value resolved to the default configuration; `None` when absent or when
    /// a reference cannot be resolved (warned).
    fn value(&mut self, e: &Element, id: u32, name: &str, path: &str) -> Option<Value> {
        let a = e.android_attr(id, name)?;
        let v = self.res.resolve(&a.value);
        if let Value::Reference(r) = v {
            let text = self.res.reference_text(r);
            self.warn(format!(
                "{path}: android:{name}={text} could not be resolved"
            ));
            return None;
        }
        Some(v)
    }

    fn boolean(&mut self, e: &Element, id: u32, name: &str, path: &str) -> Option<bool> {
        let v = self.value(e, id, name, path)?;
        let b = value_bool(&v);
        if b.is_none() {
            self.warn(format!("{path}: android:{name} is not a boolean ({v:?})"));
        }
        b
    }

    /// A boolean resolved in every configuration: `true` if any configuration gives `true`; a
    /// difference between configurations is described in `notes` and warned.
    fn boolean_any_config(
        &mut self,
        e: &Element,
        id: u32,
        name: &str,
        path: &str,
        notes: &mut Vec<String>,
    ) -> Option<bool> {
        let a = e.android_attr(id, name)?;
        let all = self.res.resolve_all(&a.value);
        let mut values: Vec<(String, bool)> = Vec::new();
        for (config, v) in all {
            match (&v, value_bool(&v)) {
                (_, Some(b)) => values.push((config, b)),
                (Value::Reference(r), None) => {
                    let text = self.res.reference_text(*r);
                    self.warn(format!(
                        "{path}: android:{name}={text} could not be resolved"
                    ));
                }
                (_, None) => self.warn(format!("{path}: android:{name} is not a boolean ({v:?})")),
            }
        }
        let first = values.first()?.1;
        if values.iter().all(|(_, b)| *b == first) {
            return Some(first);
        }
        let described: Vec<String> = values
            .iter()
            .map(|(c, b)| format!("{b} ({})", if c.is_empty() { "default" } else { c }))
            .collect();
        let note = format!("{name}: {}", described.join(", "));
        self.warn(format!(
            "{path}: android:{name} depends on the device configuration: {}",
            described.join(", ")
        ));
        notes.push(note);
        Some(true)
    }

    fn string(&mut self, e: &Element, id: u32, name: &str, path: &str) -> Option<String> {
        let v = self.value(e, id, name, path)?;
        let s = value_string(&v);
        if s.is_none() {
            self.warn(format!("{path}: android:{name} is not a string ({v:?})"));
        }
        s
    }

    fn int(&mut self, e: &Element, id: u32, name: &str, path: &str) -> Option<i64> {
        let v = self.value(e, id, name, path)?;
        let n = value_int(&v);
        if n.is_none() {
            self.warn(format!("{path}: android:{name} is not an integer ({v:?})"));
        }
        n
    }

    /// An SDK level: an integer, or a codename (`"UpsideDownCake"`) meaning the next unreleased
    /// level, which the platform represents as [`CUR_DEVELOPMENT`].
    fn sdk(&mut self, e: &Element, id: u32, name: &str, path: &str) -> Option<u32> {
        let v = self.value(e, id, name, path)?;
        if let Some(n) = value_int(&v) {
            return match u32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    self.warn(format!("{path}: android:{name}={n} is out of range"));
                    None
                }
            };
        }
        match value_string(&v) {
            Some(code) if !code.trim().is_empty() => {
                self.warn(format!(
                    "{path}: android:{name}=\"{code}\" is a codename; treated as unreleased level {CUR_DEVELOPMENT}"
                ));
                Some(CUR_DEVELOPMENT)
            }
            _ => {
                self.warn(format!(
                    "{path}: android:{name} is not an SDK level ({v:?})"
                ));
                None
            }
        }
    }

    /// `Some(None)` for an explicit empty string (the platform's "no permission"), `None` when absent.
    fn permission_attr(
        &mut self,
        e: &Element,
        id: u32,
        name: &str,
        path: &str,
    ) -> Option<Option<String>> {
        let s = self.string(e, id, name, path)?;
        Some(if s.is_empty() { None } else { Some(s) })
    }

    /// A file reference (`@xml/x`) resolved to its zip path, else its reference text.
    fn file_or_reference(
        &mut self,
        e: &Element,
        id: u32,
        name: &str,
        path: &str,
    ) -> Option<FileRef> {
        let a = e.android_attr(id, name)?;
        let v = self.res.resolve(&a.value);
        Some(match v {
            Value::String(s) if s.starts_with("res/") => FileRef::Path(s),
            Value::Reference(r) => {
                let text = self.res.reference_text(r);
                self.warn(format!(
                    "{path}: android:{name}={text} could not be resolved"
                ));
                FileRef::Unresolved(text)
            }
            other => FileRef::Other(other),
        })
    }

    fn protection_level(&mut self, e: &Element, path: &str) -> ProtectionLevel {
        let Some(v) = self.value(e, attrs::PROTECTION_LEVEL, "protectionLevel", path) else {
            return ProtectionLevel(ProtectionLevel::NORMAL);
        };
        if let Some(n) = value_int(&v) {
            if let Ok(n) = u32::try_from(n) {
                return ProtectionLevel(n);
            }
        }
        if let Some(p) = value_string(&v)
            .as_deref()
            .and_then(ProtectionLevel::parse_names)
        {
            return p;
        }
        self.warn(format!(
            "{path}: android:protectionLevel unreadable ({v:?}); taken as normal"
        ));
        ProtectionLevel(ProtectionLevel::NORMAL)
    }

    fn application(&mut self, app: &Element, pkg: &str) -> Application {
        let path = "manifest/application";
        let mut a = Application {
            present: true,
            element: path.into(),
            ..Application::default()
        };
        a.debuggable = self.boolean_any_config(
            app,
            attrs::DEBUGGABLE,
            "debuggable",
            path,
            &mut a.config_dependent,
        );
        a.allow_backup = self.boolean_any_config(
            app,
            attrs::ALLOW_BACKUP,
            "allowBackup",
            path,
            &mut a.config_dependent,
        );
        a.full_backup_content = match self.file_or_reference(
            app,
            attrs::FULL_BACKUP_CONTENT,
            "fullBackupContent",
            path,
        ) {
            Some(FileRef::Path(p)) | Some(FileRef::Unresolved(p)) => Some(Ok(p)),
            Some(FileRef::Other(v)) => match value_bool(&v) {
                Some(b) => Some(Err(b)),
                None => {
                    self.warn(format!(
                        "{path}: android:fullBackupContent unreadable ({v:?})"
                    ));
                    None
                }
            },
            None => None,
        };
        a.data_extraction_rules = match self.file_or_reference(
            app,
            attrs::DATA_EXTRACTION_RULES,
            "dataExtractionRules",
            path,
        ) {
            Some(FileRef::Path(p)) | Some(FileRef::Unresolved(p)) => Some(p),
            Some(FileRef::Other(v)) => {
                self.warn(format!(
                    "{path}: android:dataExtractionRules is not a file ({v:?})"
                ));
                None
            }
            None => None,
        };
        a.uses_cleartext_traffic = self.boolean(
            app,
            attrs::USES_CLEARTEXT_TRAFFIC,
            "usesCleartextTraffic",
            path,
        );
        a.test_only = self.boolean(app, attrs::TEST_ONLY, "testOnly", path);
        match self.file_or_reference(
            app,
            attrs::NETWORK_SECURITY_CONFIG,
            "networkSecurityConfig",
            path,
        ) {
            Some(FileRef::Path(p)) => a.network_security_config = Some(p),
            Some(FileRef::Unresolved(_)) => a.network_security_config_unresolved = true,
            Some(FileRef::Other(v)) => {
                self.warn(format!(
                    "{path}: android:networkSecurityConfig is not a file ({v:?})"
                ));
                a.network_security_config_unresolved = true;
            }
            None => {}
        }
        a.permission = self
            .permission_attr(app, attrs::PERMISSION, "permission", path)
            .flatten();
        a.task_affinity = self.string(app, attrs::TASK_AFFINITY, "taskAffinity", path);
        a.name = self
            .string(app, attrs::NAME, "name", path)
            .filter(|n| !n.is_empty())
            .map(|n| qualify_class_name(pkg, &n));
        a
    }

    fn component(
        &mut self,
        kind: ComponentKind,
        e: &Element,
        app: &AppCtx<'_>,
        earlier: &[Component],
    ) -> Option<Component> {
        let tag = kind.as_str();
        let bare_path = format!("manifest/application/{tag}");
        let Some(raw_name) = self
            .string(e, attrs::NAME, "name", &bare_path)
            .filter(|n| !n.is_empty())
        else {
            self.warn(format!(
                "{bare_path}: no android:name; skipped (the platform rejects it)"
            ));
            return None;
        };
        let name = qualify_class_name(app.pkg, &raw_name);
        let path = format!("manifest/application/{tag}[{name}]");
        let enabled = self
            .boolean(e, attrs::ENABLED, "enabled", &path)
            .unwrap_or(true);

        let mut intent_filters = Vec::new();
        let mut path_permissions = 0usize;
        let mut grant_patterns = 0usize;
        let mut grant_with_path = false;
        let mut meta_data = Vec::new();
        for child in self.children_of(e) {
            match child.name.as_str() {
                "intent-filter" => intent_filters.push(self.intent_filter(child, &path)),
                "meta-data" => {
                    if let Some(m) = self.meta_data(child, &path) {
                        meta_data.push(m);
                    }
                }
                "path-permission" => path_permissions = path_permissions.saturating_add(1),
                "grant-uri-permission" => {
                    grant_patterns = grant_patterns.saturating_add(1);
                    grant_with_path |= [
                        (attrs::PATH, "path"),
                        (attrs::PATH_PREFIX, "pathPrefix"),
                        (attrs::PATH_PATTERN, "pathPattern"),
                    ]
                    .iter()
                    .any(|(id, n)| child.android_attr(*id, n).is_some());
                }
                _ => {}
            }
        }

        let explicit = match e.android_attr(attrs::EXPORTED, "exported") {
            Some(_) => self.boolean(e, attrs::EXPORTED, "exported", &path),
            None => None,
        };
        let (exported, export_reason) = match (kind, explicit) {
            (_, Some(b)) => (b, ExportReason::Explicit),
            (ComponentKind::Provider, None) if app.target_sdk < 17 => {
                (true, ExportReason::ProviderDefaultBeforeApi17)
            }
            (ComponentKind::Provider, None) => (false, ExportReason::Default),
            (_, None) if !intent_filters.is_empty() => {
                if app.target_sdk >= 31 {
                    self.warn(format!(
                        "{path}: has an intent-filter but no android:exported; targeting API {} \
                         (31+) this fails to install on Android 12+ (exported on older devices)",
                        app.target_sdk
                    ));
                }
                (true, ExportReason::ImplicitIntentFilter)
            }
            (_, None) => (false, ExportReason::Default),
        };

        let own_permission = self.permission_attr(e, attrs::PERMISSION, "permission", &path);
        let mut target_activity = None;
        let mut read_permission = None;
        let mut write_permission = None;
        let permission = match kind {
            ComponentKind::ActivityAlias => {
                target_activity = self
                    .string(e, attrs::TARGET_ACTIVITY, "targetActivity", &path)
                    .filter(|t| !t.is_empty())
                    .map(|t| qualify_class_name(app.pkg, &t));
                let target = target_activity.as_deref().and_then(|t| {
                    earlier
                        .iter()
                        .find(|c| c.kind == ComponentKind::Activity && c.name == t)
                });
                if target.is_none() {
                    self.warn(format!(
                        "{path}: targetActivity {} is not an activity declared before the alias",
                        target_activity.as_deref().unwrap_or("(none)")
                    ));
                }
                match own_permission {
                    Some(p) => p,
                    None => match target {
                        Some(t) => t.permission.clone(),
                        None => app.permission.clone(),
                    },
                }
            }
            ComponentKind::Provider => {
                let read = self.permission_attr(e, attrs::READ_PERMISSION, "readPermission", &path);
                let write =
                    self.permission_attr(e, attrs::WRITE_PERMISSION, "writePermission", &path);
                read_permission = read
                    .or_else(|| own_permission.clone())
                    .unwrap_or_else(|| app.permission.clone());
                write_permission = write
                    .or_else(|| own_permission.clone())
                    .unwrap_or_else(|| app.permission.clone());
                own_permission.unwrap_or_else(|| app.permission.clone())
            }
            _ => own_permission.unwrap_or_else(|| app.permission.clone()),
        };

        let is_activity = matches!(kind, ComponentKind::Activity | ComponentKind::ActivityAlias);
        let (launch_mode, task_affinity, allow_task_reparenting) =
            if kind == ComponentKind::Activity {
                (
                    self.launch_mode(e, &path),
                    self.string(e, attrs::TASK_AFFINITY, "taskAffinity", &path),
                    self.boolean(
                        e,
                        attrs::ALLOW_TASK_REPARENTING,
                        "allowTaskReparenting",
                        &path,
                    )
                    .unwrap_or(app.allow_task_reparenting),
                )
            } else if is_activity {
                // An alias runs its target: launch behaviour is the target's.
                let t = target_activity.as_deref().and_then(|t| {
                    earlier
                        .iter()
                        .find(|c| c.kind == ComponentKind::Activity && c.name == t)
                });
                (
                    t.and_then(|t| t.launch_mode),
                    t.and_then(|t| t.task_affinity.clone()),
                    t.map_or(app.allow_task_reparenting, |t| t.allow_task_reparenting),
                )
            } else {
                (None, None, false)
            };

        let (authorities, grant_uri_permissions) = if kind == ComponentKind::Provider {
            let auth = self
                .string(e, attrs::AUTHORITIES, "authorities", &path)
                .unwrap_or_default();
            let authorities: Vec<String> = auth
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if authorities.is_empty() {
                self.warn(format!(
                    "{path}: provider without android:authorities (the platform rejects it)"
                ));
            }
            let attr = self
                .boolean(
                    e,
                    attrs::GRANT_URI_PERMISSIONS,
                    "grantUriPermissions",
                    &path,
                )
                .unwrap_or(false);
            (authorities, attr || grant_with_path)
        } else {
            (Vec::new(), false)
        };

        Some(Component {
            kind,
            name,
            element: path,
            exported,
            export_reason,
            enabled,
            permission,
            read_permission,
            write_permission,
            authorities,
            grant_uri_permissions,
            path_permissions,
            grant_uri_permission_patterns: grant_patterns,
            intent_filters,
            launch_mode,
            task_affinity,
            allow_task_reparenting,
            target_activity,
            meta_data,
        })
    }

    /// A `<meta-data>` element; `None` without a name. The resource is resolved quietly: most
    /// meta-data resources are not files (`@string/..`, `@array/..`) and need no warning.
    fn meta_data(&mut self, m: &Element, path: &str) -> Option<MetaData> {
        let mpath = format!("{path}/meta-data");
        let name = self
            .string(m, attrs::NAME, "name", &mpath)
            .filter(|n| !n.is_empty())?;
        let resource = m
            .android_attr(attrs::RESOURCE, "resource")
            .and_then(|a| self.res.resolve_file(&a.value));
        Some(MetaData { name, resource })
    }

    /// Children of `e`, found by identity in the document (elements carry child indices).
    fn children_of(&self, e: &Element) -> Vec<&'d Element> {
        let doc = self.doc;
        e.children
            .iter()
            .filter_map(|&c| doc.elements.get(c))
            .collect()
    }

    fn intent_filter(&mut self, f: &Element, path: &str) -> IntentFilter {
        let fpath = format!("{path}/intent-filter");
        let mut out = IntentFilter {
            auto_verify: self
                .boolean(f, attrs::AUTO_VERIFY, "autoVerify", &fpath)
                .unwrap_or(false),
            priority: self
                .int(f, attrs::PRIORITY, "priority", &fpath)
                .and_then(|p| i32::try_from(p).ok())
                .unwrap_or(0),
            ..IntentFilter::default()
        };
        for c in self.children_of(f) {
            match c.name.as_str() {
                "action" => {
                    if let Some(n) = self
                        .string(c, attrs::NAME, "name", &fpath)
                        .filter(|n| !n.is_empty())
                    {
                        out.actions.push(n);
                    }
                }
                "category" => {
                    if let Some(n) = self
                        .string(c, attrs::NAME, "name", &fpath)
                        .filter(|n| !n.is_empty())
                    {
                        out.categories.push(n);
                    }
                }
                "data" => {
                    let dpath = format!("{fpath}/data");
                    let d = DataSpec {
                        scheme: self.string(c, attrs::SCHEME, "scheme", &dpath),
                        host: self.string(c, attrs::HOST, "host", &dpath),
                        port: self.string(c, attrs::PORT, "port", &dpath),
                        path: self.string(c, attrs::PATH, "path", &dpath),
                        path_prefix: self.string(c, attrs::PATH_PREFIX, "pathPrefix", &dpath),
                        path_pattern: self.string(c, attrs::PATH_PATTERN, "pathPattern", &dpath),
                        mime_type: self.string(c, attrs::MIME_TYPE, "mimeType", &dpath),
                    };
                    out.data.push(d);
                }
                _ => {}
            }
        }
        out
    }

    fn launch_mode(&mut self, e: &Element, path: &str) -> Option<LaunchMode> {
        let v = self.value(e, attrs::LAUNCH_MODE, "launchMode", path)?;
        let mode = match value_int(&v) {
            Some(0) => Some(LaunchMode::Standard),
            Some(1) => Some(LaunchMode::SingleTop),
            Some(2) => Some(LaunchMode::SingleTask),
            Some(3) => Some(LaunchMode::SingleInstance),
            Some(4) => Some(LaunchMode::SingleInstancePerTask),
            Some(_) => None,
            None => match value_string(&v).as_deref() {
                Some("standard") => Some(LaunchMode::Standard),
                Some("singleTop") => Some(LaunchMode::SingleTop),
                Some("singleTask") => Some(LaunchMode::SingleTask),
                Some("singleInstance") => Some(LaunchMode::SingleInstance),
                Some("singleInstancePerTask") => Some(LaunchMode::SingleInstancePerTask),
                _ => None,
            },
        };
        if mode.is_none() {
            self.warn(format!("{path}: android:launchMode unreadable ({v:?})"));
        }
        mode
    }
}

enum FileRef {
    Path(String),
    Unresolved(String),
    Other(Value),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testxml::{fake_id, parse, resources, resources_with_configs};

    const NS: &str = r#"xmlns:android="http://schemas.android.com/apk/res/android""#;

    fn manifest(sdk: &str, app_attrs: &str, body: &str) -> Manifest {
        manifest_with(sdk, app_attrs, body, &Resources::none())
    }

    fn manifest_with(sdk: &str, app_attrs: &str, body: &str, res: &Resources<'_>) -> Manifest {
        let xml = format!(
            r#"<manifest {NS} package="com.x">{sdk}<application {app_attrs}>{body}</application></manifest>"#
        );
        Manifest::from_xml(&parse(&xml), res)
    }

    fn target(n: u32) -> String {
        format!(r#"<uses-sdk android:minSdkVersion="1" android:targetSdkVersion="{n}"/>"#)
    }

    const FILTER: &str = r#"<intent-filter><action android:name="com.x.ACTION"/></intent-filter>"#;

    /// One component of `kind` with `exported_attr` and optionally an intent-filter.
    fn one(
        kind: &str,
        target_sdk: u32,
        exported_attr: &str,
        filter: bool,
    ) -> (Component, Vec<String>) {
        let extra = match kind {
            "provider" => r#" android:authorities="com.x.p""#,
            "activity-alias" => r#" android:targetActivity=".T""#,
            _ => "",
        };
        let pre = if kind == "activity-alias" {
            r#"<activity android:name=".T" android:exported="false"/>"#
        } else {
            ""
        };
        let body = format!(
            r#"{pre}<{kind} android:name=".C"{extra} {exported_attr}>{}</{kind}>"#,
            if filter { FILTER } else { "" }
        );
        let m = manifest(&target(target_sdk), "", &body);
        let c = m.component("com.x.C").cloned().expect("component parsed");
        (c, m.warnings)
    }

    #[test]
    fn exported_matrix_for_every_kind_and_target() {
        use ExportReason::*;
        for kind in ["activity", "activity-alias", "service", "receiver"] {
            for sdk in [16, 17, 30, 31] {
                let (c, _) = one(kind, sdk, "", false);
                assert_eq!(
                    (c.exported, c.export_reason),
                    (false, Default),
                    "{kind} {sdk} plain"
                );
                let (c, w) = one(kind, sdk, "", true);
                assert_eq!(
                    (c.exported, c.export_reason),
                    (true, ImplicitIntentFilter),
                    "{kind} {sdk} filter"
                );
                assert_eq!(
                    w.iter().any(|w| w.contains("fails to install")),
                    sdk >= 31,
                    "{kind} {sdk}"
                );
                let (c, w) = one(kind, sdk, r#"android:exported="false""#, true);
                assert_eq!(
                    (c.exported, c.export_reason),
                    (false, Explicit),
                    "{kind} {sdk} false"
                );
                assert!(w.is_empty(), "{kind} {sdk}: {w:?}");
                let (c, _) = one(kind, sdk, r#"android:exported="true""#, false);
                assert_eq!(
                    (c.exported, c.export_reason),
                    (true, Explicit),
                    "{kind} {sdk} true"
                );
            }
        }
    }

    #[test]
    fn provider_exported_by_default_only_below_17_and_filters_do_not_matter() {
        use ExportReason::*;
        for (sdk, expect) in [
            (16, (true, ProviderDefaultBeforeApi17)),
            (17, (false, Default)),
            (30, (false, Default)),
            (31, (false, Default)),
        ] {
            for filter in [false, true] {
                let (c, w) = one("provider", sdk, "", filter);
                assert_eq!(
                    (c.exported, c.export_reason),
                    expect,
                    "provider {sdk} filter={filter}"
                );
                assert!(w.is_empty(), "{w:?}");
            }
            let (c, _) = one("provider", sdk, r#"android:exported="false""#, false);
            assert_eq!((c.exported, c.export_reason), (false, Explicit));
            let (c, _) = one("provider", sdk, r#"android:exported="true""#, false);
            assert_eq!((c.exported, c.export_reason), (true, Explicit));
        }
    }

    #[test]
    fn politedroid_like_manifest_defaults_target_to_min() {
        let xml = format!(
            r#"<manifest {NS} package="com.politedroid" android:versionCode="6" android:versionName="1.5">
                 <uses-sdk android:minSdkVersion="3"/>
                 <application><provider android:name=".Prov" android:authorities="com.politedroid.p"/></application>
               </manifest>"#
        );
        let m = Manifest::from_xml(&parse(&xml), &Resources::none());
        assert_eq!(m.package.as_deref(), Some("com.politedroid"));
        assert_eq!(m.version_code, Some(6));
        assert_eq!(m.version_name.as_deref(), Some("1.5"));
        assert_eq!(
            (m.min_sdk_declared, m.target_sdk_declared, m.max_sdk),
            (Some(3), None, None)
        );
        assert_eq!((m.min_sdk, m.target_sdk), (3, 3));
        let p = &m.components[0];
        assert_eq!(p.name, "com.politedroid.Prov");
        assert_eq!(
            (p.exported, p.export_reason),
            (true, ExportReason::ProviderDefaultBeforeApi17)
        );
    }

    #[test]
    fn absent_uses_sdk_means_api_1() {
        let m = manifest("", "", "");
        assert_eq!((m.min_sdk_declared, m.target_sdk_declared), (None, None));
        assert_eq!((m.min_sdk, m.target_sdk), (1, 1));
        assert!(m.application.present);
        assert_eq!(m.application.element, "manifest/application");
    }

    #[test]
    fn target_without_min() {
        let m = manifest(
            r#"<uses-sdk android:targetSdkVersion="33" android:maxSdkVersion="34"/>"#,
            "",
            "",
        );
        assert_eq!((m.min_sdk, m.target_sdk, m.max_sdk), (1, 33, Some(34)));
    }

    #[test]
    fn codename_sdk_is_unreleased_level_with_warning() {
        let m = manifest(
            r#"<uses-sdk android:minSdkVersion="21" android:targetSdkVersion="VanillaIceCream"/>"#,
            "",
            "",
        );
        assert_eq!(m.target_sdk, CUR_DEVELOPMENT);
        assert_eq!(m.target_sdk_declared, Some(10_000));
        assert_eq!(m.min_sdk, 21);
        assert_eq!(m.warnings.len(), 1);
        assert!(
            m.warnings[0].contains("VanillaIceCream"),
            "{:?}",
            m.warnings
        );
    }

    #[test]
    fn bool_references_resolve_through_resources() {
        let res = resources(&[
            ("@bool/dbg", Value::Bool(true)),
            ("@bool/backup", Value::Reference(fake_id("@bool/no"))),
            ("@bool/no", Value::Bool(false)),
            (
                "@xml/nsc",
                Value::String("res/xml/network_security_config.xml".into()),
            ),
        ]);
        let m = manifest_with(
            "",
            r#"android:debuggable="@bool/dbg" android:allowBackup="@bool/backup" android:networkSecurityConfig="@xml/nsc""#,
            "",
            &res,
        );
        assert_eq!(m.application.debuggable, Some(true));
        assert!(m.application.is_debuggable());
        assert_eq!(m.application.allow_backup, Some(false));
        assert!(!m.application.allows_backup());
        assert_eq!(
            m.application.network_security_config.as_deref(),
            Some("res/xml/network_security_config.xml")
        );
        assert!(!m.application.network_security_config_unresolved);
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }

    #[test]
    fn configuration_dependent_flags_take_the_risky_value() {
        // nsc-resource-refs fixture: values/ false, values-v24/ true.
        let res = resources_with_configs(
            &[
                ("@bool/is_debug", Value::Bool(false)),
                ("@bool/allow_backup", Value::Bool(false)),
            ],
            &[
                ("@bool/is_debug", "v24", Value::Bool(true)),
                ("@bool/allow_backup", "v24", Value::Bool(true)),
            ],
        );
        let m = manifest_with(
            "",
            r#"android:debuggable="@bool/is_debug" android:allowBackup="@bool/allow_backup""#,
            "",
            &res,
        );
        assert_eq!(m.application.debuggable, Some(true));
        assert_eq!(m.application.allow_backup, Some(true));
        assert_eq!(
            m.application.config_dependent,
            vec![
                "debuggable: false (default), true (v24)".to_string(),
                "allowBackup: false (default), true (v24)".to_string()
            ]
        );
        assert_eq!(m.warnings.len(), 2);
        // The same value everywhere: no note.
        let res = resources_with_configs(
            &[("@bool/is_debug", Value::Bool(false))],
            &[("@bool/is_debug", "night", Value::Bool(false))],
        );
        let m = manifest_with("", r#"android:debuggable="@bool/is_debug""#, "", &res);
        assert_eq!(m.application.debuggable, Some(false));
        assert!(m.application.config_dependent.is_empty());
    }

    #[test]
    fn unresolvable_references_are_warned_not_guessed() {
        let m = manifest(
            "",
            r#"android:debuggable="@bool/dbg" android:networkSecurityConfig="@xml/nsc""#,
            "",
        );
        assert_eq!(m.application.debuggable, None);
        assert_eq!(m.application.network_security_config, None);
        assert!(m.application.network_security_config_unresolved);
        assert_eq!(m.warnings.len(), 2, "{:?}", m.warnings);
    }

    #[test]
    fn application_flags_and_defaults() {
        let m = manifest("", "", "");
        let a = &m.application;
        assert_eq!(
            (
                a.debuggable,
                a.allow_backup,
                a.uses_cleartext_traffic,
                a.test_only
            ),
            (None, None, None, None)
        );
        assert!(!a.is_debuggable());
        assert!(a.allows_backup());
        let m = manifest(
            "",
            r#"android:name=".App" android:usesCleartextTraffic="false" android:testOnly="true" android:permission="com.x.P" android:taskAffinity="" android:fullBackupContent="false""#,
            "",
        );
        let a = &m.application;
        assert_eq!(a.name.as_deref(), Some("com.x.App"));
        assert_eq!(a.uses_cleartext_traffic, Some(false));
        assert_eq!(a.test_only, Some(true));
        assert_eq!(a.permission.as_deref(), Some("com.x.P"));
        assert_eq!(a.task_affinity.as_deref(), Some(""));
        assert_eq!(a.full_backup_content, Some(Err(false)));
    }

    #[test]
    fn meta_data_resources_resolve_to_files_quietly() {
        let res = resources(&[
            ("@xml/paths", Value::String("res/xml/file_paths.xml".into())),
            ("@string/key", Value::String("not a file".into())),
        ]);
        let m = manifest_with(
            &target(30),
            "",
            r#"<provider android:name="androidx.core.content.FileProvider" android:authorities="com.x.files" android:exported="false" android:grantUriPermissions="true">
                 <meta-data android:name="android.support.FILE_PROVIDER_PATHS" android:resource="@xml/paths"/>
                 <meta-data android:name="com.x.KEY" android:resource="@string/key"/>
                 <meta-data android:name="com.x.MISSING" android:resource="@xml/missing"/>
                 <meta-data android:name="com.x.VALUE" android:value="1"/>
                 <meta-data android:resource="@xml/paths"/>
               </provider>"#,
            &res,
        );
        let p = &m.components[0];
        let got: Vec<(&str, Option<&str>)> = p
            .meta_data
            .iter()
            .map(|d| (d.name.as_str(), d.resource.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "android.support.FILE_PROVIDER_PATHS",
                    Some("res/xml/file_paths.xml")
                ),
                ("com.x.KEY", None),
                ("com.x.MISSING", None),
                ("com.x.VALUE", None),
            ]
        );
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }

    #[test]
    fn backup_rule_files_resolve_to_paths() {
        let res = resources(&[
            (
                "@xml/backup",
                Value::String("res/xml/backup_rules.xml".into()),
            ),
            (
                "@xml/extract",
                Value::String("res/xml/data_extraction_rules.xml".into()),
            ),
        ]);
        let m = manifest_with(
            "",
            r#"android:fullBackupContent="@xml/backup" android:dataExtractionRules="@xml/extract""#,
            "",
            &res,
        );
        assert_eq!(
            m.application.full_backup_content,
            Some(Ok("res/xml/backup_rules.xml".into()))
        );
        assert_eq!(
            m.application.data_extraction_rules.as_deref(),
            Some("res/xml/data_extraction_rules.xml")
        );
        // Unresolvable: the reference text, with a warning.
        let m = manifest("", r#"android:fullBackupContent="@xml/backup""#, "");
        assert_eq!(
            m.application.full_backup_content,
            Some(Ok(format!("@{:#010x}", fake_id("@xml/backup"))))
        );
        assert_eq!(m.warnings.len(), 1);
    }

    #[test]
    fn class_names_are_qualified() {
        assert_eq!(qualify_class_name("com.x", ".Main"), "com.x.Main");
        assert_eq!(qualify_class_name("com.x", "Main"), "com.x.Main");
        assert_eq!(qualify_class_name("com.x", "org.y.Main"), "org.y.Main");
        let m = manifest(
            "",
            "",
            r#"<activity android:name="Main"/><service android:name="org.y.S"/>"#,
        );
        assert_eq!(m.components[0].name, "com.x.Main");
        assert_eq!(
            m.components[0].element,
            "manifest/application/activity[com.x.Main]"
        );
        assert_eq!(
            m.components[1].element,
            "manifest/application/service[org.y.S]"
        );
    }

    #[test]
    fn nameless_component_is_skipped_with_warning() {
        let m = manifest("", "", r#"<activity android:exported="true"/>"#);
        assert!(m.components.is_empty());
        assert_eq!(m.warnings.len(), 1);
    }

    #[test]
    fn component_permission_falls_back_to_application() {
        let m = manifest(
            "",
            r#"android:permission="com.x.APP""#,
            r#"<activity android:name=".A"/>
               <activity android:name=".B" android:permission="com.x.B"/>
               <service android:name=".S" android:permission=""/>
               <receiver android:name=".R"/>"#,
        );
        let p: Vec<Option<&str>> = m
            .components
            .iter()
            .map(|c| c.permission.as_deref())
            .collect();
        assert_eq!(
            p,
            vec![Some("com.x.APP"), Some("com.x.B"), None, Some("com.x.APP")]
        );
        assert!(m
            .components
            .iter()
            .all(|c| c.read_permission.is_none() && c.write_permission.is_none()));
    }

    #[test]
    fn provider_read_write_permissions() {
        let m = manifest(
            "",
            r#"android:permission="com.x.APP""#,
            r#"<provider android:name=".P1" android:authorities="a"/>
               <provider android:name=".P2" android:authorities="b" android:permission="com.x.P"/>
               <provider android:name=".P3" android:authorities="c" android:permission="com.x.P" android:readPermission="com.x.R"/>
               <provider android:name=".P4" android:authorities="d" android:writePermission=""/>"#,
        );
        let rw: Vec<(Option<&str>, Option<&str>, Option<&str>)> = m
            .components
            .iter()
            .map(|c| {
                (
                    c.permission.as_deref(),
                    c.read_permission.as_deref(),
                    c.write_permission.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            rw,
            vec![
                (Some("com.x.APP"), Some("com.x.APP"), Some("com.x.APP")),
                (Some("com.x.P"), Some("com.x.P"), Some("com.x.P")),
                (Some("com.x.P"), Some("com.x.R"), Some("com.x.P")),
                (Some("com.x.APP"), Some("com.x.APP"), None),
            ]
        );
    }

    #[test]
    fn alias_inherits_target_permission_and_launch_mode() {
        let m = manifest(
            "",
            r#"android:permission="com.x.APP""#,
            r#"<activity android:name=".T" android:permission="com.x.T" android:launchMode="2" android:taskAffinity="evil"/>
               <activity-alias android:name=".Alias" android:targetActivity=".T"/>
               <activity-alias android:name=".Own" android:targetActivity="com.x.T" android:permission="com.x.O"/>
               <activity-alias android:name=".Lost" android:targetActivity=".Missing"/>"#,
        );
        let alias = m.component("com.x.Alias").unwrap();
        assert_eq!(alias.target_activity.as_deref(), Some("com.x.T"));
        assert_eq!(alias.permission.as_deref(), Some("com.x.T"));
        assert_eq!(alias.launch_mode, Some(LaunchMode::SingleTask));
        assert_eq!(alias.task_affinity.as_deref(), Some("evil"));
        assert_eq!(
            m.component("com.x.Own").unwrap().permission.as_deref(),
            Some("com.x.O")
        );
        assert_eq!(
            m.component("com.x.Lost").unwrap().permission.as_deref(),
            Some("com.x.APP")
        );
        assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    }

    #[test]
    fn intent_filters_keep_data_and_merge_views() {
        let m = manifest(
            "",
            "",
            r#"<activity android:name=".Link" android:exported="true">
                 <intent-filter android:autoVerify="true" android:priority="999">
                   <action android:name="android.intent.action.VIEW"/>
                   <category android:name="android.intent.category.DEFAULT"/>
                   <category android:name="android.intent.category.BROWSABLE"/>
                   <data android:scheme="https"/>
                   <data android:scheme="http"/>
                   <data android:host="x.com" android:port="443"/>
                   <data android:pathPrefix="/app" android:mimeType="text/plain"/>
                   <data android:scheme="https" android:host="y.x.com" android:path="/a" android:pathPattern="/b.*"/>
                 </intent-filter>
                 <intent-filter>
                   <action android:name="android.intent.action.MAIN"/>
                   <category android:name="android.intent.category.LAUNCHER"/>
                 </intent-filter>
               </activity>"#,
        );
        let c = &m.components[0];
        assert!(c.is_launcher());
        let f = &c.intent_filters[0];
        assert!(f.auto_verify);
        assert_eq!(f.priority, 999);
        assert_eq!(f.actions, vec!["android.intent.action.VIEW"]);
        assert!(f.has_category("android.intent.category.BROWSABLE"));
        assert_eq!(f.data.len(), 5);
        assert_eq!(
            f.data[2],
            DataSpec {
                host: Some("x.com".into()),
                port: Some("443".into()),
                ..DataSpec::default()
            }
        );
        assert_eq!(f.schemes(), vec!["https", "http"]);
        assert_eq!(f.hosts(), vec!["x.com", "y.x.com"]);
        assert_eq!(f.paths(), vec!["/app", "/a", "/b.*"]);
        assert_eq!(f.mime_types(), vec!["text/plain"]);
        let g = &c.intent_filters[1];
        assert!(!g.auto_verify);
        assert_eq!(g.priority, 0);
    }

    #[test]
    fn provider_details() {
        let m = manifest(
            &target(30),
            "",
            r#"<provider android:name="androidx.core.content.FileProvider" android:authorities="com.x.files; com.x.other ;" android:exported="false">
                 <grant-uri-permission android:pathPrefix="/"/>
                 <path-permission android:pathPrefix="/a" android:readPermission="com.x.R"/>
                 <path-permission android:path="/b" android:writePermission="com.x.W"/>
               </provider>
               <provider android:name=".Plain" android:authorities="com.x.plain" android:grantUriPermissions="true"/>
               <provider android:name=".None" android:authorities="com.x.none"/>"#,
        );
        let p = &m.components[0];
        assert_eq!(p.name, "androidx.core.content.FileProvider");
        assert_eq!(p.authorities, vec!["com.x.files", "com.x.other"]);
        assert!(p.grant_uri_permissions);
        assert_eq!(
            (p.grant_uri_permission_patterns, p.path_permissions),
            (1, 2)
        );
        assert!(m.components[1].grant_uri_permissions);
        assert!(!m.components[2].grant_uri_permissions);
        assert_eq!(m.components[2].authorities, vec!["com.x.none"]);
    }

    #[test]
    fn activity_task_attributes() {
        let m = manifest(
            "",
            r#"android:allowTaskReparenting="true""#,
            r#"<activity android:name=".A" android:launchMode="1" android:taskAffinity=""/>
               <activity android:name=".B" android:launchMode="4" android:allowTaskReparenting="false"/>
               <activity android:name=".C" android:launchMode="9"/>
               <service android:name=".S"/>"#,
        );
        let a = &m.components[0];
        assert_eq!(
            (
                a.launch_mode,
                a.task_affinity.as_deref(),
                a.allow_task_reparenting
            ),
            (Some(LaunchMode::SingleTop), Some(""), true)
        );
        let b = &m.components[1];
        assert_eq!(
            (
                b.launch_mode,
                b.task_affinity.as_deref(),
                b.allow_task_reparenting
            ),
            (Some(LaunchMode::SingleInstancePerTask), None, false)
        );
        assert_eq!(m.components[2].launch_mode, None);
        assert_eq!(m.warnings.len(), 1);
        let s = &m.components[3];
        assert_eq!((s.launch_mode, s.allow_task_reparenting), (None, false));
    }

    #[test]
    fn enabled_and_exported_components() {
        let m = manifest(
            "",
            "",
            r#"<activity android:name=".On" android:exported="true"/>
               <activity android:name=".Off" android:exported="true" android:enabled="false"/>
               <activity android:name=".Hidden"/>"#,
        );
        let names: Vec<&str> = m.exported_components().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["com.x.On"]);
    }

    #[test]
    fn permissions_used_and_declared() {
        let xml = format!(
            r#"<manifest {NS} package="com.x">
                 <uses-permission android:name="android.permission.INTERNET"/>
                 <uses-permission android:name="android.permission.WRITE_EXTERNAL_STORAGE" android:maxSdkVersion="28"/>
                 <uses-permission-sdk-23 android:name="android.permission.CAMERA"/>
                 <uses-permission/>
                 <permission android:name="com.x.SIG" android:protectionLevel="0x12"/>
                 <permission android:name="com.x.NORMAL"/>
                 <permission android:name="com.x.DANGER" android:protectionLevel="1"/>
                 <permission android:name="com.x.TEXT" android:protectionLevel="signature|appop"/>
               </manifest>"#
        );
        let m = Manifest::from_xml(&parse(&xml), &Resources::none());
        assert_eq!(
            m.uses_permissions,
            vec![
                UsesPermission {
                    name: "android.permission.INTERNET".into(),
                    max_sdk: None
                },
                UsesPermission {
                    name: "android.permission.WRITE_EXTERNAL_STORAGE".into(),
                    max_sdk: Some(28)
                },
                UsesPermission {
                    name: "android.permission.CAMERA".into(),
                    max_sdk: None
                },
            ]
        );
        assert_eq!(m.warnings.len(), 1);
        assert!(!m.application.present);
        let sig = m.permission("com.x.SIG").unwrap();
        assert_eq!(sig.protection_level, ProtectionLevel(0x12));
        assert_eq!(sig.protection_level.describe(), "signature|privileged");
        assert!(sig.protection_level.is_signature());
        assert_eq!(sig.element, "manifest/permission[com.x.SIG]");
        assert_eq!(
            m.permission("com.x.NORMAL")
                .unwrap()
                .protection_level
                .describe(),
            "normal"
        );
        assert_eq!(
            m.permission("com.x.DANGER")
                .unwrap()
                .protection_level
                .base(),
            ProtectionLevel::DANGEROUS
        );
        assert_eq!(
            m.permission("com.x.TEXT").unwrap().protection_level,
            ProtectionLevel(0x42)
        );
        assert_eq!(
            ProtectionLevel(0x8000_0002).describe(),
            "signature|0x80000000"
        );
    }

    #[test]
    fn liberal_string_values() {
        let xml = format!(
            r#"<manifest {NS} package="com.x"><uses-sdk android:minSdkVersion="21"/><application android:debuggable="true">
                 <activity android:name=".A" android:exported="true"/></application></manifest>"#
        );
        let mut doc = parse(&xml);
        // Rewrite typed values as strings, as a hand-crafted or obfuscated file may carry them.
        for e in &mut doc.elements {
            for a in &mut e.attributes {
                a.value = match &a.value {
                    Value::Bool(b) => Value::String(b.to_string()),
                    Value::IntDec(n) => Value::String(n.to_string()),
                    v => v.clone(),
                };
            }
        }
        let m = Manifest::from_xml(&doc, &Resources::none());
        assert_eq!(m.min_sdk, 21);
        assert_eq!(m.application.debuggable, Some(true));
        assert_eq!(
            (m.components[0].exported, m.components[0].export_reason),
            (true, ExportReason::Explicit)
        );
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }

    #[test]
    fn hostile_documents_do_not_panic() {
        let m = Manifest::from_xml(&XmlDocument::default(), &Resources::none());
        assert_eq!((m.min_sdk, m.target_sdk), (1, 1));
        assert_eq!(m.warnings, vec!["manifest is empty".to_string()]);
        let m = Manifest::from_xml(&parse("<network-security-config/>"), &Resources::none());
        assert_eq!(m.warnings.len(), 1);
        // Child indices pointing nowhere or back at ancestors.
        let mut doc = parse(&format!(
            r#"<manifest {NS} package="com.x"><application><activity android:name=".A"><intent-filter/></activity></application></manifest>"#
        ));
        doc.elements[2].children.push(999);
        doc.elements[3].children.push(0);
        doc.elements[0].children.push(usize::MAX);
        let m = Manifest::from_xml(&doc, &Resources::none());
        assert_eq!(m.components.len(), 1);
        assert_eq!(m.components[0].intent_filters.len(), 1);
        let m = manifest(
            r#"<uses-sdk android:minSdkVersion="-3" android:targetSdkVersion="0x7fffffff"/>"#,
            "",
            "",
        );
        assert_eq!((m.min_sdk, m.target_sdk), (1, 0x7fff_ffff));
    }
}

//! Resource ids of the framework attributes the analysis reads (`android.R.attr.*`).
//! Binary XML names attributes by these ids; names may be stripped.

pub const NAME: u32 = 0x0101_0003;
pub const PERMISSION: u32 = 0x0101_0006;
pub const READ_PERMISSION: u32 = 0x0101_0007;
pub const WRITE_PERMISSION: u32 = 0x0101_0008;
pub const PROTECTION_LEVEL: u32 = 0x0101_0009;
pub const PERSISTENT: u32 = 0x0101_000d;
pub const ENABLED: u32 = 0x0101_000e;
pub const DEBUGGABLE: u32 = 0x0101_000f;
pub const EXPORTED: u32 = 0x0101_0010;
pub const PROCESS: u32 = 0x0101_0011;
pub const TASK_AFFINITY: u32 = 0x0101_0012;
pub const AUTHORITIES: u32 = 0x0101_0018;
pub const GRANT_URI_PERMISSIONS: u32 = 0x0101_001b;
pub const LAUNCH_MODE: u32 = 0x0101_001d;
pub const ALLOW_TASK_REPARENTING: u32 = 0x0101_0204;
pub const PRIORITY: u32 = 0x0101_001c;
pub const SCHEME: u32 = 0x0101_0027;
pub const HOST: u32 = 0x0101_0028;
pub const PORT: u32 = 0x0101_0029;
pub const PATH: u32 = 0x0101_002a;
pub const PATH_PREFIX: u32 = 0x0101_002b;
pub const PATH_PATTERN: u32 = 0x0101_002c;
pub const MIME_TYPE: u32 = 0x0101_0026;
pub const RESOURCE: u32 = 0x0101_0025;
pub const MIN_SDK_VERSION: u32 = 0x0101_020c;
pub const TARGET_SDK_VERSION: u32 = 0x0101_0270;
pub const MAX_SDK_VERSION: u32 = 0x0101_0271;
pub const VERSION_CODE: u32 = 0x0101_021b;
pub const VERSION_NAME: u32 = 0x0101_021c;
pub const ALLOW_BACKUP: u32 = 0x0101_0280;
pub const TARGET_ACTIVITY: u32 = 0x0101_0202;
pub const TEST_ONLY: u32 = 0x0101_0272;
pub const FULL_BACKUP_CONTENT: u32 = 0x0101_04eb;
pub const USES_CLEARTEXT_TRAFFIC: u32 = 0x0101_04ec;
pub const AUTO_VERIFY: u32 = 0x0101_04ee;
pub const NETWORK_SECURITY_CONFIG: u32 = 0x0101_0527;
/// Added in API 31 (not in Debian's older framework-res); `android_attr` falls back to the name.
pub const DATA_EXTRACTION_RULES: u32 = 0x0101_063e;
/// Added in API 31; `android_attr` falls back to the name.
pub const PATH_SUFFIX: u32 = 0x0101_061e;
/// Added in API 31; `android_attr` falls back to the name.
pub const PATH_ADVANCED_PATTERN: u32 = 0x0101_0620;

/// The resource id of a framework attribute this crate knows, by its name (`exported`).
pub fn by_name(name: &str) -> Option<u32> {
    Some(match name {
        "name" => NAME,
        "permission" => PERMISSION,
        "readPermission" => READ_PERMISSION,
        "writePermission" => WRITE_PERMISSION,
        "protectionLevel" => PROTECTION_LEVEL,
        "persistent" => PERSISTENT,
        "enabled" => ENABLED,
        "debuggable" => DEBUGGABLE,
        "exported" => EXPORTED,
        "process" => PROCESS,
        "taskAffinity" => TASK_AFFINITY,
        "authorities" => AUTHORITIES,
        "grantUriPermissions" => GRANT_URI_PERMISSIONS,
        "launchMode" => LAUNCH_MODE,
        "allowTaskReparenting" => ALLOW_TASK_REPARENTING,
        "priority" => PRIORITY,
        "scheme" => SCHEME,
        "host" => HOST,
        "port" => PORT,
        "path" => PATH,
        "pathPrefix" => PATH_PREFIX,
        "pathPattern" => PATH_PATTERN,
        "mimeType" => MIME_TYPE,
        "resource" => RESOURCE,
        "minSdkVersion" => MIN_SDK_VERSION,
        "targetSdkVersion" => TARGET_SDK_VERSION,
        "maxSdkVersion" => MAX_SDK_VERSION,
        "versionCode" => VERSION_CODE,
        "versionName" => VERSION_NAME,
        "allowBackup" => ALLOW_BACKUP,
        "targetActivity" => TARGET_ACTIVITY,
        "testOnly" => TEST_ONLY,
        "fullBackupContent" => FULL_BACKUP_CONTENT,
        "usesCleartextTraffic" => USES_CLEARTEXT_TRAFFIC,
        "autoVerify" => AUTO_VERIFY,
        "networkSecurityConfig" => NETWORK_SECURITY_CONFIG,
        "dataExtractionRules" => DATA_EXTRACTION_RULES,
        "pathSuffix" => PATH_SUFFIX,
        "pathAdvancedPattern" => PATH_ADVANCED_PATTERN,
        _ => return None,
    })
}

/// Attributes whose format is `string` in the framework: aapt keeps their values as strings
/// even when they look like numbers or booleans.
pub fn is_string_format(id: u32) -> bool {
    matches!(
        id,
        NAME | PERMISSION
            | READ_PERMISSION
            | WRITE_PERMISSION
            | PROCESS
            | TASK_AFFINITY
            | AUTHORITIES
            | SCHEME
            | HOST
            | PORT
            | PATH
            | PATH_PREFIX
            | PATH_PATTERN
            | MIME_TYPE
            | VERSION_NAME
            | TARGET_ACTIVITY
            | PATH_SUFFIX
            | PATH_ADVANCED_PATTERN
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_framework_ids() {
        assert_eq!(by_name("exported"), Some(0x0101_0010));
        assert_eq!(by_name("networkSecurityConfig"), Some(0x0101_0527));
        assert_eq!(by_name("noSuchAttr"), None);
        assert!(is_string_format(PORT));
        assert!(!is_string_format(EXPORTED));
    }
}

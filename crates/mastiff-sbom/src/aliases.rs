//! Coordinates that name one logical component.
//!
//! Advisory data and detected components disagree on coordinates for the same code:
//! okhttp 2.x shipped as `com.squareup.okhttp:okhttp` but GHSA-4hc2-jh7r-wrc3 lists its 2.x range
//! under `com.squareup.okhttp3:okhttp`; Bouncy Castle ships one provider as `bcprov-jdk15on`
//! (Android apps up to 1.70), `bcprov-jdk18on`, `bcprov-jdk15to18`, `bcprov-jdk14`, `bcprov-ext-*`
//! and `bcprov-debug-*`, and GHSA-hr8g-6v94-x4m9 omits `jdk15on`; SpongyCastle
//! (`com.madgag.spongycastle:*`) is Bouncy Castle relocated for old Android. Matching is done on
//! the [`Key`] of both sides, so any spelling finds the advisories of the others.

/// Normalised (ecosystem, logical package) pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub ecosystem: String,
    pub package: String,
}

/// The ecosystem without its repository suffix, lower-cased (`Maven:https://…` → `maven`).
pub fn base_ecosystem(ecosystem: &str) -> String {
    ecosystem
        .split(':')
        .next()
        .unwrap_or(ecosystem)
        .trim()
        .to_ascii_lowercase()
}

/// The logical key of a package.
pub fn key(ecosystem: &str, name: &str) -> Key {
    let eco = base_ecosystem(ecosystem);
    let name = name.trim();
    let package = if eco == "maven" {
        maven_family(name).map_or_else(|| name.to_string(), str::to_string)
    } else if eco == "npm" {
        name.to_string()
    } else {
        name.to_ascii_lowercase()
    };
    Key {
        ecosystem: eco,
        package,
    }
}

/// The family of a Maven `group:artifact`, if it belongs to one.
pub fn maven_family(coordinate: &str) -> Option<&'static str> {
    let (group, artifact) = coordinate.split_once(':')?;
    match group {
        "com.squareup.okhttp" | "com.squareup.okhttp3" if artifact == "okhttp" => Some("okhttp"),
        "org.bouncycastle" => bc_family(artifact),
        "com.madgag.spongycastle" => match artifact {
            "core" | "prov" => Some("bouncycastle:bcprov"),
            "pkix" | "bcpkix-jdk15on" => Some("bouncycastle:bcpkix"),
            "bctls-jdk15on" => Some("bouncycastle:bctls"),
            "pg" | "bcpg-jdk15on" => Some("bouncycastle:bcpg"),
            _ => None,
        },
        _ => None,
    }
}

fn bc_family(artifact: &str) -> Option<&'static str> {
    // bcprov-jdk15on, bcprov-ext-jdk18on, bcprov-debug-jdk14, … → bcprov (likewise for the others).
    let stem = artifact.split('-').next()?;
    let jdk_variant = artifact.contains("-jdk");
    match stem {
        "bcprov" if jdk_variant => Some("bouncycastle:bcprov"),
        "bcpkix" if jdk_variant => Some("bouncycastle:bcpkix"),
        "bctls" if jdk_variant => Some("bouncycastle:bctls"),
        "bcpg" if jdk_variant => Some("bouncycastle:bcpg"),
        "bcutil" if jdk_variant => Some("bouncycastle:bcutil"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okhttp_coordinates_are_one_component() {
        assert_eq!(
            key("Maven", "com.squareup.okhttp:okhttp"),
            key("Maven", "com.squareup.okhttp3:okhttp")
        );
        assert_ne!(
            key("Maven", "com.squareup.okhttp3:okhttp"),
            key("Maven", "com.squareup.okhttp3:logging-interceptor")
        );
    }

    #[test]
    fn bouncycastle_artifacts_and_spongycastle_are_one_provider() {
        let k = key("Maven", "org.bouncycastle:bcprov-jdk15on");
        for other in [
            "org.bouncycastle:bcprov-jdk18on",
            "org.bouncycastle:bcprov-jdk15to18",
            "org.bouncycastle:bcprov-jdk14",
            "org.bouncycastle:bcprov-ext-jdk15on",
            "org.bouncycastle:bcprov-ext-jdk18on",
            "org.bouncycastle:bcprov-debug-jdk18on",
            "com.madgag.spongycastle:prov",
            "com.madgag.spongycastle:core",
        ] {
            assert_eq!(k, key("Maven", other), "{other}");
        }
        assert_ne!(k, key("Maven", "org.bouncycastle:bcpkix-jdk15on"));
        assert_ne!(k, key("Maven", "org.bouncycastle:bc-fips"));
        assert_eq!(
            key("Maven", "org.bouncycastle:bcpkix-jdk18on"),
            key("Maven", "com.madgag.spongycastle:pkix")
        );
    }

    #[test]
    fn repository_suffix_and_case() {
        assert_eq!(
            key("Maven:https://maven.google.com", "androidx.core:core"),
            key("Maven", "androidx.core:core")
        );
        assert_eq!(key("generic", "OpenSSL"), key("Generic", "openssl"));
        assert_ne!(key("npm", "a"), key("Maven", "a"));
    }
}

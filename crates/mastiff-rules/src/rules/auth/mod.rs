//! MASVS-AUTH: credentials, sessions and local authentication.
//!
//! Also the text sources the secret rules scan ([`text_sources`]): dex strings, string
//! resources, text assets and printable strings of native libraries.

pub mod backdoor;
pub mod biometric;
pub mod credential_storage;
pub mod hardcoded_credential;
pub mod service_secret;
pub mod webview_login;

use mastiff_core::Location;
use mastiff_formats::arsc::ResourceTable;
use mastiff_formats::axml::Value;
use mastiff_formats::Limits;

use crate::rule::Rule;
use crate::AppContext;

/// This group's rules, in id order.
pub(crate) static RULES: &[&dyn Rule] = &[
    &service_secret::ServiceSecret,
    &hardcoded_credential::HardcodedCredential,
    &backdoor::Backdoor,
    &credential_storage::CredentialStorage,
    &webview_login::WebViewLogin,
    &biometric::Biometric,
];

/// Largest asset or raw resource read as text.
const MAX_TEXT_FILE: u64 = 1 << 20;
/// Most asset / raw files read.
const MAX_TEXT_FILES: usize = 500;
/// Largest native library whose strings are read.
const MAX_NATIVE_LIB: u64 = 64 << 20;
/// Shortest printable run taken from a native library.
const MIN_NATIVE_STRING: usize = 8;

/// Extensions of files under `assets/` and `res/raw/` read as text.
const TEXT_EXTENSIONS: &[&str] = &[
    "txt",
    "json",
    "xml",
    "properties",
    "js",
    "html",
    "htm",
    "cfg",
    "conf",
    "config",
    "yaml",
    "yml",
    "ini",
    "pem",
    "key",
    "env",
    "csv",
    "plist",
    "toml",
    "crt",
    "cer",
];

pub(crate) use crate::context::ResourceString as NamedString;

/// The string resources of the app (every configuration), named where the table says so;
/// computed once per scan and shared by the rules that scan them. A scan fills them in while it
/// has the resource table parsed; other contexts read the table here.
pub(crate) fn string_resources<'a>(app: &AppContext<'a>) -> &'a [NamedString] {
    app.shared
        .resource_strings
        .get_or_init(|| read_string_resources(app))
}

fn read_string_resources(app: &AppContext<'_>) -> Vec<NamedString> {
    let Some(cache) = app.cache else {
        return Vec::new();
    };
    let limits = Limits::default();
    // Read once, not kept: the strings taken out below are owned.
    let Some(Ok(bytes)) = cache.read_bounded("resources.arsc", limits.max_arsc_size) else {
        return Vec::new();
    };
    let Ok(table) = ResourceTable::parse(&bytes, &limits) else {
        return Vec::new();
    };
    resource_strings_of(&table)
}

/// The string resources of a parsed table: named strings of the app's packages (one value:
/// translated strings are interface text), then every other string of the global pool.
pub(crate) fn resource_strings_of(table: &ResourceTable<'_>) -> Vec<NamedString> {
    let mut out = Vec::new();
    let mut named = std::collections::HashSet::new();
    // Named strings: walk the app package's ids type by type until names run out.
    for (pkg, _) in table.packages() {
        for ty in 1u32..=0xff {
            let mut misses = 0;
            let mut any = false;
            for entry in 0u32..0x1_0000 {
                let id = (pkg << 24) | (ty << 16) | entry;
                match table.name(id) {
                    Some((t, n)) => {
                        misses = 0;
                        any = true;
                        if t != "string" {
                            break;
                        }
                        // A string translated into other configurations is user-interface
                        // text, not a secret; its values still go to the unnamed scan below.
                        if table.value_count(id) > 1 {
                            continue;
                        }
                        for v in table.values(id) {
                            if let Value::String(s) = v.value {
                                named.insert(s.clone());
                                out.push(NamedString {
                                    name: Some(format!("{t}/{n}")),
                                    value: s,
                                });
                            }
                        }
                    }
                    None => {
                        misses += 1;
                        if misses > 64 {
                            break;
                        }
                    }
                }
            }
            if !any && ty > 0x40 {
                break;
            }
        }
    }
    // Everything else in the global pool (style names, file paths, array items...).
    let pool = table.strings();
    for i in 0..pool.len().min(1_000_000) {
        if let Some(s) = pool.get(i as u32) {
            if !named.contains(&s) {
                out.push(NamedString {
                    name: None,
                    value: s,
                });
            }
        }
    }
    out
}

/// Text files (assets, raw resources) with their content, bounded.
pub(crate) fn text_files<'a>(app: &AppContext<'a>) -> Vec<(&'a str, String)> {
    let Some(cache) = app.cache else {
        return Vec::new();
    };
    app.entries
        .iter()
        .filter(|n| n.starts_with("assets/") || n.starts_with("res/raw/"))
        .filter(|n| {
            n.rsplit_once('.').is_some_and(|(_, ext)| {
                TEXT_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
            })
        })
        .take(MAX_TEXT_FILES)
        .filter_map(|n| {
            let bytes = cache.get_bounded(n, MAX_TEXT_FILE)?.ok()?;
            Some((n.as_str(), String::from_utf8_lossy(bytes).into_owned()))
        })
        .collect()
}

/// Printable ASCII runs of the app's native libraries (one ABI per library name), with the
/// byte offset of each run.
pub(crate) fn native_strings<'a>(app: &AppContext<'a>) -> Vec<(&'a str, Vec<(u64, String)>)> {
    let Some(cache) = app.cache else {
        return Vec::new();
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for n in app
        .entries
        .iter()
        .filter(|n| n.starts_with("lib/") && n.ends_with(".so"))
    {
        let file = n.rsplit('/').next().unwrap_or(n);
        if !seen.insert(file.to_string()) {
            continue;
        }
        let Some(Ok(bytes)) = cache.get_bounded(n, MAX_NATIVE_LIB) else {
            continue;
        };
        let mut runs = Vec::new();
        let mut start = 0usize;
        for (i, &b) in bytes.iter().chain(std::iter::once(&0u8)).enumerate() {
            if (0x20..0x7f).contains(&b) || b == b'\t' {
                continue;
            }
            if i - start >= MIN_NATIVE_STRING {
                if let Some(run) = bytes.get(start..i) {
                    runs.push((start as u64, String::from_utf8_lossy(run).into_owned()));
                }
            }
            start = i + 1;
        }
        out.push((n.as_str(), runs));
    }
    out
}

/// A location in a zip entry.
pub(crate) fn entry_location(entry: &str, offset: Option<u64>) -> Location {
    Location::Entry {
        entry: entry.to_string(),
        offset,
    }
}

/// Shannon entropy in bits per character.
pub(crate) fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// The words of an identifier or key name, lower case: `apiKey`, `api_key`, `API-KEY` →
/// `["api", "key"]`.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// What kind of credential a name (identifier, resource name or key) announces, if any.
pub(crate) fn credential_kind(name: &str) -> Option<&'static str> {
    // Cheap pre-check without allocating: every credential word starts with one of these.
    let may = name.len() <= 64
        && name.as_bytes().windows(3).any(|w| {
            // The first letter rules out most windows before the other two are lowered.
            matches!(w[0] | 0x20, b'p' | b's' | b'k' | b't' | b'c')
                && matches!(
                    &[
                        w[0].to_ascii_lowercase(),
                        w[1].to_ascii_lowercase(),
                        w[2].to_ascii_lowercase(),
                    ],
                    b"pas" | b"pwd" | b"sec" | b"key" | b"tok" | b"pin" | b"cre"
                )
        });
    if !may {
        return None;
    }
    let w = words(name);
    let has = |x: &str| w.iter().any(|v| v == x);
    let joined = w.concat();
    if has("password")
        || has("passwd")
        || has("pwd")
        || has("passcode")
        || joined.contains("password")
    {
        Some("password")
    } else if has("secret") || joined.contains("secretkey") || joined.contains("clientsecret") {
        Some("secret")
    } else if (has("api") && has("key")) || has("apikey") || joined == "apikey" {
        Some("API key")
    } else if has("token") || joined.contains("accesstoken") || joined.contains("authtoken") {
        Some("token")
    } else if has("pin") {
        Some("PIN")
    } else if has("credential") || has("credentials") || has("creds") {
        Some("credential")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        assert_eq!(credential_kind("superSecurePassword"), Some("password"));
        assert_eq!(credential_kind("API_KEY"), Some("API key"));
        assert_eq!(credential_kind("apiKey"), Some("API key"));
        assert_eq!(credential_kind("access_token"), Some("token"));
        assert_eq!(credential_kind("user_pin"), Some("PIN"));
        assert_eq!(credential_kind("Secret_Key"), Some("secret"));
        assert_eq!(credential_kind("spinner"), None);
        assert_eq!(credential_kind("mapping"), None);
        assert_eq!(credential_kind("keyboard"), None);
        assert_eq!(credential_kind("tokenizer_mode"), None);
    }

    #[test]
    fn entropy_of_strings() {
        assert!(entropy("aaaaaaaa") < 0.01);
        assert!(entropy("8d127684cbc37c17616d806cf50473cc") > 3.0);
    }
}

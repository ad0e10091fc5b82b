use mastiff_android::{Component, ComponentKind};
use mastiff_core::{Location, Severity};
use mastiff_formats::axml::{self, Attribute, Value, XmlDocument};
use mastiff_formats::Limits;

use crate::rule::{Rule, Sink};
use crate::rules::manifest_location;
use crate::{declare_rule, AppContext};

/// The `<meta-data>` name `FileProvider` reads its paths file from (androidx keeps the support
/// library's name).
pub const FILE_PROVIDER_PATHS: &str = "android.support.FILE_PROVIDER_PATHS";

/// Most path elements reported per paths file (real files have a handful).
const MAX_SHARES_PER_FILE: usize = 32;

declare_rule! {
    /// ## What it checks
    /// Every `<provider>` with a `<meta-data android:name="android.support.FILE_PROVIDER_PATHS"
    /// android:resource="@xml/...">` (`androidx.core.content.FileProvider`, the support library's
    /// and any subclass): the paths file it names is read and each path element checked.
    /// - `<root-path>` (any `path`): the share starts at the filesystem root `/`, so every file
    ///   the app can read can be given out, its private data directory included (high).
    /// - `<external-path>` whose `path` is absent, empty, `.` or `/` (or climbs out with `..`):
    ///   the whole of external storage, other apps' files there included (medium).
    ///
    /// The app's own directories (`files-path`, `cache-path`, `external-files-path`,
    /// `external-cache-path`, `external-media-path`) and sub-directories of external storage are
    /// not reported. A paths file that is missing, unresolvable or malformed is skipped.
    ///
    /// ## Why it matters
    /// A FileProvider hands out `content://` URIs for the files its paths allow. When the app
    /// builds such a URI from a path that another app controls (a file name in an Intent, a
    /// `Uri` sent back through `setResult`, a deep-link parameter) and grants it, the other app
    /// can read (or overwrite) any file the paths cover. With `<root-path>` that is the app's
    /// databases, shared preferences and tokens under `/data/data/<package>`; with the whole
    /// external storage, every file there. Narrow paths turn such bugs into a harmless error.
    ///
    /// ## How to fix
    /// Share only the directories that hold the files meant to be shared, e.g.
    /// `<cache-path name="shared_images" path="images/"/>`, and copy a file there before
    /// sharing it. Never use `<root-path>`; it is not even documented in the FileProvider API.
    /// Keep the provider `android:exported="false"` and grant single URIs with
    /// `FLAG_GRANT_READ_URI_PERMISSION`.
    ///
    /// ## False positives
    /// The paths only bound what *can* be shared: an app that never grants URIs derived from
    /// outside input exposes nothing through them. A provider declared by a library is merged into
    /// the app and counts as the app's. Paths files chosen per device configuration
    /// (`res/xml-v24/..`) are read in the default configuration only.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0007: Determining Whether Sensitive Stored Data Has Been Exposed via IPC Mechanisms
    /// - CWE-552: Files or Directories Accessible to External Parties
    /// - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    /// - https://developer.android.com/reference/androidx/core/content/FileProvider
    /// - https://developer.android.com/privacy-and-security/risks/file-providers
    pub FileProviderBroadPaths {
        id: "PLT-014",
        name: "file-provider-broad-paths",
        title: "FileProvider shares too much of the filesystem",
        severity: High,
        masvs: [Platform1],
        mastg: ["MASTG-TEST-0007"],
        cwe: [552, 200],
        inputs: [Manifest, Resources],
    }
}

/// A path element of a FileProvider paths file that shares too much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BroadShare {
    pub severity: Severity,
    /// The element as written, e.g. `<root-path name="root" path="">`.
    pub written: String,
    /// Element path for locations, e.g. `paths/root-path[root]`.
    pub element: String,
    /// Whether the element has a `path` attribute (the location points at it).
    pub has_path: bool,
    /// What it shares, for the message.
    pub reach: String,
}

impl Rule for FileProviderBroadPaths {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(m) = app.manifest else { return };
        // Parsed paths files, each read once even when several providers name it.
        let mut read: Vec<(&str, Vec<BroadShare>)> = Vec::new();
        for p in m
            .components
            .iter()
            .filter(|c| c.kind == ComponentKind::Provider && c.enabled)
        {
            let Some(file) = paths_file(p) else { continue };
            let shares = match read.iter().find(|(f, _)| *f == file) {
                Some((_, s)) => s.clone(),
                None => {
                    let s = read_shares(app, file);
                    read.push((file, s.clone()));
                    s
                }
            };
            let authorities = if p.authorities.is_empty() {
                "?".to_string()
            } else {
                p.authorities.join(";")
            };
            for s in shares {
                let locations = vec![
                    Location::Xml {
                        entry: file.to_string(),
                        element: s.element.clone(),
                        attribute: s.has_path.then(|| "path".to_string()),
                    },
                    manifest_location(
                        app,
                        &format!("{}/meta-data[{FILE_PROVIDER_PATHS}]", p.element),
                        Some("android:resource"),
                    ),
                ];
                out.report_at(
                    s.severity,
                    format!(
                        "FileProvider {} (authority {authorities}) shares {} from {file}: {}",
                        p.name, s.written, s.reach
                    ),
                    locations,
                );
            }
        }
    }
}

/// The resolved paths file of a provider's `FILE_PROVIDER_PATHS` meta-data.
fn paths_file(p: &Component) -> Option<&str> {
    p.meta_data
        .iter()
        .find(|d| d.name == FILE_PROVIDER_PATHS)
        .and_then(|d| d.resource.as_deref())
}

/// Reads and checks one paths file; nothing when it is absent, too large or malformed.
fn read_shares(app: &AppContext<'_>, file: &str) -> Vec<BroadShare> {
    let Some(cache) = app.cache else {
        return Vec::new();
    };
    let limits = Limits::default();
    let Some(Ok(bytes)) = cache.get_bounded(file, limits.max_xml_size) else {
        return Vec::new();
    };
    match axml::parse(bytes, &limits) {
        Ok(doc) => broad_shares(&doc),
        Err(_) => Vec::new(),
    }
}

/// The path elements of a paths file that share too much. Like `FileProvider`'s own parser,
/// every element of the document counts, whatever its depth.
pub(crate) fn broad_shares(doc: &XmlDocument) -> Vec<BroadShare> {
    let mut out = Vec::new();
    for (idx, e) in doc.elements.iter().enumerate() {
        let severity = match e.name.as_str() {
            "root-path" => Severity::High,
            "external-path" => Severity::Medium,
            _ => continue,
        };
        let name = e.plain_attr("name").and_then(attr_text);
        // `FileProvider` reads `path` without namespace; absent, the share is its whole root.
        let path = e
            .plain_attr("path")
            .map(|a| attr_text(a).unwrap_or_default());
        let whole = path.as_deref().is_none_or(is_whole);
        let reach = match (severity, whole) {
            (Severity::High, true) => {
                "the whole device filesystem the app can read, its private data included"
                    .to_string()
            }
            (Severity::High, false) => format!(
                "everything under /{} (root-path reaches outside the app's own directories)",
                path.as_deref().unwrap_or_default().trim_start_matches('/')
            ),
            (_, true) => "the whole external storage, other apps' files included".to_string(),
            (_, false) => continue,
        };
        let mut written = format!("<{}", e.name);
        if let Some(n) = &name {
            written.push_str(&format!(" name=\"{n}\""));
        }
        if let Some(p) = &path {
            written.push_str(&format!(" path=\"{p}\""));
        }
        written.push('>');
        out.push(BroadShare {
            severity,
            written,
            element: element_path(doc, idx, name.as_deref()),
            has_path: path.is_some(),
            reach,
        });
        if out.len() >= MAX_SHARES_PER_FILE {
            break;
        }
    }
    out
}

/// The text of an attribute as `XmlResourceParser.getAttributeValue` gives it: the string, or
/// the raw text aapt kept for a typed value.
fn attr_text(a: &Attribute) -> Option<String> {
    match &a.value {
        Value::String(s) => Some(s.clone()),
        _ => a.raw.clone(),
    }
}

/// A `path` that names the share's root itself (`""`, `.`, `/`, `./`), or climbs above it (`..`).
fn is_whole(path: &str) -> bool {
    path.split('/').any(|seg| seg == "..")
        || path.split('/').all(|seg| seg.is_empty() || seg == ".")
}

/// `paths/root-path[root]`: the element's ancestors and itself, with its `name`.
fn element_path(doc: &XmlDocument, idx: usize, name: Option<&str>) -> String {
    let mut names = Vec::new();
    let mut cur = Some(idx);
    // Parents come before their children; the bound also stops a malformed cycle.
    for _ in 0..64 {
        let Some(e) = cur.and_then(|i| doc.elements.get(i)) else {
            break;
        };
        names.push(e.name.as_str());
        cur = e.parent.filter(|&p| Some(p) != cur);
    }
    names.reverse();
    let mut path = names.join("/");
    if let Some(n) = name {
        path.push_str(&format!("[{n}]"));
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{app_with, component, manifest, MapReader};
    use mastiff_android::MetaData;
    use mastiff_formats::axml::Element;

    /// A paths document: `<paths>` with one child per `(tag, attributes)`.
    fn doc(children: &[(&str, &[(&str, &str)])]) -> XmlDocument {
        let mut elements = vec![Element {
            name: "paths".into(),
            children: (1..=children.len()).collect(),
            ..Element::default()
        }];
        for (tag, attrs) in children {
            elements.push(Element {
                name: (*tag).into(),
                parent: Some(0),
                depth: 1,
                attributes: attrs
                    .iter()
                    .map(|(n, v)| Attribute {
                        namespace: None,
                        name: (*n).into(),
                        resource_id: None,
                        raw: Some((*v).into()),
                        value: Value::String((*v).into()),
                    })
                    .collect(),
                ..Element::default()
            });
        }
        XmlDocument {
            elements,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn root_path_and_whole_external_storage_are_reported() {
        let d = doc(&[
            ("root-path", &[("name", "root"), ("path", "")]),
            (
                "root-path",
                &[("name", "sd"), ("path", "storage/emulated/0/Download")],
            ),
            ("external-path", &[("name", "ext"), ("path", ".")]),
            ("external-path", &[("name", "ext2"), ("path", "/")]),
            ("external-path", &[("name", "ext3")]),
            (
                "external-path",
                &[("name", "up"), ("path", "Download/../..")],
            ),
            ("external-path", &[("name", "dl"), ("path", "Download/")]),
            ("external-files-path", &[("name", "own"), ("path", ".")]),
            ("files-path", &[("name", "x"), ("path", "images/")]),
            ("cache-path", &[("name", "c"), ("path", "/")]),
        ]);
        let shares = broad_shares(&d);
        assert_eq!(
            shares
                .iter()
                .map(|s| (s.severity, s.written.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (Severity::High, r#"<root-path name="root" path="">"#),
                (
                    Severity::High,
                    r#"<root-path name="sd" path="storage/emulated/0/Download">"#
                ),
                (Severity::Medium, r#"<external-path name="ext" path=".">"#),
                (Severity::Medium, r#"<external-path name="ext2" path="/">"#),
                (Severity::Medium, r#"<external-path name="ext3">"#),
                (
                    Severity::Medium,
                    r#"<external-path name="up" path="Download/../..">"#
                ),
            ]
        );
        assert_eq!(shares[0].element, "paths/root-path[root]");
        assert!(shares[0].has_path && !shares[4].has_path);
        assert!(shares[0].reach.contains("whole device filesystem"));
        assert!(shares[1].reach.contains("/storage/emulated/0/Download"));
    }

    #[test]
    fn narrow_paths_are_not_reported() {
        let d = doc(&[("files-path", &[("name", "x"), ("path", "images/")])]);
        assert!(broad_shares(&d).is_empty());
        assert!(broad_shares(&XmlDocument::default()).is_empty());
    }

    fn file_provider(paths: Option<&str>) -> Component {
        let mut p = component(
            ComponentKind::Provider,
            "androidx.core.content.FileProvider",
            false,
        );
        p.authorities = vec!["com.x.fileprovider".into()];
        p.grant_uri_permissions = true;
        p.meta_data.push(MetaData {
            name: FILE_PROVIDER_PATHS.into(),
            resource: paths.map(str::to_string),
        });
        p
    }

    #[test]
    fn missing_or_malformed_paths_files_are_skipped() {
        let mut m = manifest(30);
        m.components
            .push(file_provider(Some("res/xml/missing.xml")));
        m.components
            .push(file_provider(Some("res/xml/garbage.xml")));
        m.components.push(file_provider(Some("res/xml/empty.xml")));
        m.components.push(file_provider(None));
        let cache = MapReader::new(&[
            (
                "res/xml/garbage.xml",
                b"\x03\x00\x08\x00\xff\xff\xff\xff<paths>".to_vec(),
            ),
            ("res/xml/empty.xml", Vec::new()),
        ]);
        let f = app_with(&m).cache(&cache).run(&FileProviderBroadPaths);
        assert!(f.is_empty(), "{f:#?}");
        // Without an archive reader (unit contexts) nothing is read either.
        assert!(app_with(&m).run(&FileProviderBroadPaths).is_empty());
    }
}

use std::collections::BTreeSet;

use mastiff_code::{CodeIndex, MethodId};
use mastiff_core::{Control, Location, Severity};

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{
    library_of_method, method_name, quote, report_hits, sensitive_word, short_callee,
    simple_class_name, Hit,
};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Plaintext SQLite databases: a `SQLiteOpenHelper` subclass, `openOrCreateDatabase`,
    /// `SQLiteDatabase.openDatabase` or `Room.databaseBuilder` in the app's own code. When a
    /// `CREATE TABLE` statement visible in the code names a sensitive-looking table or column
    /// (`password`, `pin`, `token`, `ssn`, `credit…`, `card number`, `health`...) the finding is
    /// medium and names the statement; a plaintext database alone is an informational
    /// observation. SQLCipher (`net.sqlcipher.database`, `net.zetetic`) use is positive
    /// evidence for MASVS-STORAGE-1, and statements executed through SQLCipher are not reported.
    ///
    /// ## Why it matters
    /// An SQLite file is readable by anyone who gets the app's data directory: backups, rooted
    /// or stolen devices, forensic tools. Credentials and personal data in it are then exposed.
    ///
    /// ## How to fix
    /// Keep secrets out of the database, or encrypt it: SQLCipher for Android
    /// (`net.zetetic:sqlcipher-android`) with its passphrase protected by the Android Keystore,
    /// or encrypt sensitive columns with a Keystore key.
    ///
    /// ## False positives
    /// A column named `password_hint` or `pin_enabled` looks sensitive but may not be; a column
    /// holding a salted password hash is less critical. Statements built at run time are not
    /// seen.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0304 / MASWE-0006: Sensitive Data Stored Unencrypted in Private Storage
    /// - CWE-312: Cleartext Storage of Sensitive Information
    /// - https://www.zetetic.net/sqlcipher/sqlcipher-for-android/
    pub PlaintextDatabase {
        id: "STO-003",
        name: "plaintext-sqlite-database",
        title: "Sensitive data in a plaintext SQLite database",
        severity: Medium,
        masvs: [Storage1],
        mastg: ["MASTG-TEST-0304"],
        cwe: [312],
        inputs: [Code],
    }
}

fn is_sqlcipher(class: &str) -> bool {
    class.starts_with("Lnet/sqlcipher/") || class.starts_with("Lnet/zetetic/")
}

/// The first call into SQLCipher from outside SQLCipher: (caller, offset, callee).
fn sqlcipher_use(code: &CodeIndex) -> Option<(MethodId, u32, String)> {
    ["Lnet/sqlcipher/", "Lnet/zetetic/"]
        .into_iter()
        .flat_map(|prefix| code.calls_to_class_prefix(prefix))
        .filter(|c| {
            code.method_ref(c.caller)
                .is_some_and(|m| !is_sqlcipher(m.class))
        })
        .min_by_key(|c| (c.caller, c.offset))
        .map(|c| (c.caller, c.offset, short_callee(&c.callee)))
}

/// The words of a `CREATE TABLE` statement that look sensitive.
fn sensitive_columns(sql: &str) -> Vec<String> {
    let body = sql
        .to_ascii_lowercase()
        .split_once("create table")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    let mut found: Vec<String> = Vec::new();
    for ident in body.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if let Some(w) = sensitive_word(ident) {
            if !found.contains(&w) {
                found.push(w);
            }
        }
    }
    found
}

impl Rule for PlaintextDatabase {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        if let Some((m, off, what)) = sqlcipher_use(code) {
            out.evidence(
                Control::Storage1,
                format!("SQLCipher used ({}) in {}", what, method_name(code, m)),
                vec![code.location(m, off)],
            );
        }
        let through_sqlcipher = |m: MethodId| {
            code.calls_in(m)
                .iter()
                .any(|c| is_sqlcipher(c.callee.class))
        };
        // CREATE TABLE statements: const-strings and constant SQL arguments.
        let mut seen: BTreeSet<(MethodId, String)> = BTreeSet::new();
        let mut hits = Vec::new();
        let statements = code
            .string_uses()
            .map(|s| (s.method, s.offset, s.value))
            .chain(
                ["execSQL", "rawQuery"]
                    .iter()
                    .flat_map(|n| code.calls_to("Landroid/database/sqlite/SQLiteDatabase;", n))
                    .filter_map(|c| Some((c.caller, c.offset, code.arg(c, 1)?.as_str()?))),
            );
        for (m, offset, sql) in statements {
            if !sql.to_ascii_lowercase().contains("create table") || through_sqlcipher(m) {
                continue;
            }
            let cols = sensitive_columns(sql);
            if cols.is_empty() || !seen.insert((m, sql.to_string())) {
                continue;
            }
            hits.push(Hit {
                severity: Severity::Medium,
                message: format!(
                    "{} in {}: plaintext SQLite table with sensitive-looking column(s) {}",
                    quote(sql),
                    method_name(code, m),
                    cols.join(", ")
                ),
                locations: vec![code.location(m, offset)],
                library: library_of_method(code, m),
            });
        }
        // Plaintext databases opened by the app's own code (observation).
        let mut opened: Vec<(String, Location)> = Vec::new();
        for c in code.subclasses_of("Landroid/database/sqlite/SQLiteOpenHelper;") {
            if c.is_app_code {
                let loc = c
                    .methods()
                    .next()
                    .map(|m| code.location(m, 0))
                    .unwrap_or_else(|| Location::Dex {
                        file: String::new(),
                        class: c.java_name(),
                        method: String::new(),
                        offset: 0,
                    });
                opened.push((format!("SQLiteOpenHelper subclass {}", c.java_name()), loc));
            }
        }
        for (class, name) in [
            ("Landroid/content/Context;", "openOrCreateDatabase"),
            (
                "Landroid/database/sqlite/SQLiteDatabase;",
                "openOrCreateDatabase",
            ),
            ("Landroid/database/sqlite/SQLiteDatabase;", "openDatabase"),
            ("Landroidx/room/Room;", "databaseBuilder"),
        ] {
            for site in code.calls_to(class, name) {
                if code.is_app_code(site.caller) && !through_sqlcipher(site.caller) {
                    opened.push((
                        format!(
                            "{}.{name} in {}",
                            simple_class_name(class),
                            method_name(code, site.caller)
                        ),
                        code.location(site.caller, site.offset),
                    ));
                }
            }
        }
        if !opened.is_empty() && hits.is_empty() {
            let n = opened.len();
            let shown: Vec<&str> = opened.iter().take(5).map(|(s, _)| s.as_str()).collect();
            hits.push(Hit {
                severity: Severity::Info,
                message: format!(
                    "plaintext SQLite database used by the app ({}{}); no sensitive column names seen in CREATE TABLE statements",
                    shown.join("; "),
                    if n > 5 { format!("; {} more", n - 5) } else { String::new() }
                ),
                locations: opened.into_iter().take(5).map(|(_, l)| l).collect(),
                library: None,
            });
        }
        report_hits(out, hits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns() {
        assert_eq!(
            sensitive_columns("CREATE TABLE IF NOT EXISTS myuser(user VARCHAR, password VARCHAR);"),
            vec!["password"]
        );
        assert!(
            sensitive_columns("CREATE TABLE notes(_id INTEGER, title TEXT, note TEXT)").is_empty()
        );
        assert_eq!(
            sensitive_columns("create table cards(card_number TEXT, cvv TEXT)"),
            vec!["card number", "cvv"]
        );
    }
}

use std::collections::BTreeMap;

use mastiff_code::{CallSite, MethodId};
use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{
    built_fragments, built_string, library_of_method, method_name, quote, report_hits,
    short_callee, Hit,
};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// SQL text built at run time and passed to `SQLiteDatabase.rawQuery`, `rawQueryWithFactory`,
    /// `execSQL`, `compileStatement` or `SupportSQLiteDatabase.execSQL/query(String)`: the SQL
    /// argument is the result of a `StringBuilder`/`StringBuffer` chain with non-constant parts,
    /// `String.concat` or `String.format` (medium), or the method's own parameter, i.e. a
    /// pass-through helper whose callers build the SQL (low). Constant SQL with `?` placeholders
    /// and `selectionArgs`/`bindArgs` is never reported. The constant SQL fragment the statement
    /// starts with is quoted. One finding per method and API; in known library code the finding is
    /// labelled and one level lower.
    ///
    /// ## Why it matters
    /// Concatenating input into SQL lets whoever controls the input change the statement: read
    /// other users' rows, bypass a login check, drop tables. Input from intents, deep links,
    /// content providers and text fields is attacker-controlled.
    ///
    /// ## How to fix
    /// Use placeholders: `db.rawQuery("SELECT * FROM users WHERE name = ?", arrayOf(name))`,
    /// `SQLiteDatabase.query(...)` with `selectionArgs`, or Room `@Query` parameters.
    ///
    /// ## False positives
    /// Concatenation of values that are not attacker-controlled (an integer id, a table name
    /// from a constant list); data flow across methods is not tracked.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0025: Testing for Injection Flaws
    /// - CWE-89: Improper Neutralization of Special Elements used in an SQL Command
    /// - https://developer.android.com/reference/android/database/sqlite/SQLiteDatabase#rawQuery(java.lang.String,%20java.lang.String[])
    pub SqlInjection {
        id: "CODE-003",
        name: "sql-injection",
        title: "SQL built by concatenation",
        severity: Medium,
        masvs: [Code4],
        mastg: ["MASTG-TEST-0025"],
        cwe: [89],
        inputs: [Code],
    }
}

/// (class, method, index of the SQL argument counting `this` as 0).
const SINKS: &[(&str, &str, usize)] = &[
    ("Landroid/database/sqlite/SQLiteDatabase;", "rawQuery", 1),
    (
        "Landroid/database/sqlite/SQLiteDatabase;",
        "rawQueryWithFactory",
        2,
    ),
    ("Landroid/database/sqlite/SQLiteDatabase;", "execSQL", 1),
    (
        "Landroid/database/sqlite/SQLiteDatabase;",
        "compileStatement",
        1,
    ),
    ("Landroidx/sqlite/db/SupportSQLiteDatabase;", "execSQL", 1),
    ("Landroidx/sqlite/db/SupportSQLiteDatabase;", "query", 1),
];

fn is_sink(c: &CallSite) -> bool {
    SINKS
        .iter()
        .any(|(class, name, _)| &*c.callee.class == *class && &*c.callee.name == *name)
}

const SQL_KEYWORDS: &[&str] = &[
    "select ", "insert ", "update ", "delete ", "drop ", "create ", "where ", "replace ", "alter ",
];

impl Rule for SqlInjection {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut found: BTreeMap<(MethodId, String), Hit> = BTreeMap::new();
        for (class, name, idx) in SINKS {
            for site in code.calls_to(class, name) {
                // SupportSQLiteDatabase.query(SupportSQLiteQuery) is already parameterised.
                if site.callee.params().next() != Some("Ljava/lang/String;") {
                    continue;
                }
                let Some(how) = code.arg(site, *idx).and_then(built_string) else {
                    continue;
                };
                let param = matches!(code.arg(site, *idx), Some(mastiff_code::ArgValue::Param(_)));
                let api = short_callee(&site.callee);
                let key = (site.caller, api.clone());
                if found.contains_key(&key) {
                    continue;
                }
                let sql = built_fragments(code, &site, is_sink).into_iter().find(|f| {
                    let l = f.to_ascii_lowercase();
                    SQL_KEYWORDS.iter().any(|k| l.contains(k))
                });
                let start = sql.map_or(String::new(), |s| format!(" starting {}", quote(s)));
                let library = library_of_method(code, site.caller);
                let (severity, what) = if param {
                    (
                        Severity::Low,
                        format!("SQL is {how}: callers decide what it contains"),
                    )
                } else {
                    (
                        Severity::Medium,
                        format!("SQL {how}{start} instead of ? placeholders"),
                    )
                };
                // Library code: labelled, one level lower (its inputs are the app's calls).
                let severity = match (library, severity) {
                    (Some(_), Severity::Medium) => Severity::Low,
                    (Some(_), _) => Severity::Info,
                    (None, s) => s,
                };
                found.insert(
                    key,
                    Hit {
                        severity,
                        message: format!("{api} in {}: {what}", method_name(code, site.caller)),
                        locations: vec![code.location(site.caller, site.offset)],
                        library,
                    },
                );
            }
        }
        report_hits(out, found.into_values().collect());
    }
}

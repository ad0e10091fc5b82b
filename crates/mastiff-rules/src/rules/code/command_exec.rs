use mastiff_core::Severity;

use crate::rule::{Rule, Sink};
use crate::rules::code::helpers::{
    built_string, library_of_method, method_name, quote, report_hits, Hit,
};
use crate::{declare_rule, AppContext};

declare_rule! {
    /// ## What it checks
    /// Operating-system commands: `Runtime.exec(..)` and `new ProcessBuilder(..)` /
    /// `ProcessBuilder.command(..)`. Medium when the command is built at run time in app code
    /// (a `StringBuilder` chain, `String.concat`/`format`, or the method's parameter); a
    /// constant command (`Runtime.exec("su")`, an array literal) is informational and quoted.
    /// Library code is labelled and informational.
    ///
    /// ## Why it matters
    /// A command assembled from input can be extended with shell metacharacters or extra
    /// arguments (command injection) and runs with the app's permissions. Constant commands
    /// are mostly root checks or diagnostics, listed for review.
    ///
    /// ## How to fix
    /// Avoid shelling out; use Java/Android APIs. If a command is unavoidable, pass a fixed
    /// program and an argument array (never a single string through `sh -c`), and validate
    /// every argument against an allow-list.
    ///
    /// ## False positives
    /// Commands built only from constants or app-internal values.
    ///
    /// ## References
    /// - OWASP MASTG-TEST-0025: Testing for Injection Flaws
    /// - CWE-78: Improper Neutralization of Special Elements used in an OS Command
    /// - https://developer.android.com/reference/java/lang/ProcessBuilder
    pub CommandExecution {
        id: "CODE-005",
        name: "os-command-execution",
        title: "Operating-system command executed",
        severity: Medium,
        masvs: [Code4],
        mastg: ["MASTG-TEST-0025"],
        cwe: [78],
        inputs: [Code],
    }
}

impl Rule for CommandExecution {
    fn check(&self, app: &AppContext<'_>, out: &mut Sink) {
        let Some(code) = app.code else { return };
        let mut hits = Vec::new();
        let sites = code
            .calls_to("Ljava/lang/Runtime;", "exec")
            .chain(code.calls_to("Ljava/lang/ProcessBuilder;", "<init>"))
            .chain(code.calls_to("Ljava/lang/ProcessBuilder;", "command"));
        for site in sites {
            // The command is the first argument after `this`; `command()` without one is a getter.
            let Some(cmd) = code.arg(site, 1) else {
                continue;
            };
            let library = library_of_method(code, site.caller);
            let app_code = library.is_none() && code.is_app_code(site.caller);
            let api = if site.callee.name == "<init>" {
                "new ProcessBuilder".to_string()
            } else {
                crate::rules::code::helpers::short_callee(&site.callee)
            };
            let (severity, shown) = match (built_string(cmd), cmd.as_str()) {
                (Some(how), _) if app_code => (Severity::Medium, format!("<command {how}>")),
                (Some(how), _) => (Severity::Info, format!("<command {how}>")),
                (None, Some(s)) => (Severity::Info, quote(s)),
                (None, None) => (Severity::Info, "..".to_string()),
            };
            if !app_code && severity == Severity::Info && library.is_some() {
                // Constant commands in libraries are noise; built ones stay visible.
                if cmd.as_str().is_some() {
                    continue;
                }
            }
            hits.push(Hit {
                severity,
                message: format!("{api}({shown}) in {}", method_name(code, site.caller)),
                locations: vec![code.location(site.caller, site.offset)],
                library,
            });
        }
        report_hits(out, hits);
    }
}

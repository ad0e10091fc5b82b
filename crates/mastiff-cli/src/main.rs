//! `mastiff`: verify Android app packages against OWASP MASVS v2 from the release binary.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use mastiff_core::{Date, Report, Severity, Verdict};
use mastiff_report::{render_terminal, to_json, to_json_many, TerminalOptions};
use mastiff_rules::{container_unreadable, Config, Rule, Scan, ScanOptions, RULES};
use mastiff_sbom::{to_cyclonedx, AppMeta, VulnDb};
use rayon::prelude::*;

/// Exit codes a CI gate can rely on.
mod exit {
    pub const PASSED: u8 = 0;
    pub const GATE_FAILED: u8 = 1;
    pub const TOOL_ERROR: u8 = 2;
}

#[derive(Parser)]
#[command(name = "mastiff", version, about = "Verify Android apps against OWASP MASVS v2, straight from the APK", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan one or more APK files and report findings and per-control verdicts.
    ///
    /// Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 when an input
    /// cannot be read as an app package or the arguments are wrong.
    Scan(ScanArgs),
    /// Write the app's software bill of materials (CycloneDX 1.6 JSON) with known
    /// vulnerabilities.
    Sbom(SbomArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// Rule id (e.g. NET-001) or name (e.g. cleartext-traffic-permitted).
        rule: String,
    },
}

#[derive(clap::Args)]
struct ScanArgs {
    /// APK files to scan.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Fail (exit 1) when a finding has this severity or higher.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    fail_on: FailOn,
    /// Also fail (exit 1) when a control is `incomplete` because an input could not be read.
    #[arg(long)]
    fail_on_incomplete: bool,
    /// Report minSdk below this level (CODE-001).
    #[arg(long, default_value_t = Config::DEFAULT_MIN_SDK, value_name = "API")]
    min_sdk_threshold: u32,
    /// Report targetSdk below this level (CODE-002).
    #[arg(long, default_value_t = Config::DEFAULT_TARGET_SDK, value_name = "API")]
    target_sdk_threshold: u32,
    /// Evaluate pin expirations as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// Run only these rules: ids, names or id prefixes (e.g. NET, RES-001), comma-separated.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Do not run these rules: ids, names or id prefixes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Colour terminal output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::Args)]
struct SbomArgs {
    /// The APK.
    file: PathBuf,
    /// Write the SBOM to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

/// Where advisories come from.
#[derive(clap::Args)]
struct DbArgs {
    /// Offline OSV database: osv-scanner's layout (DIR/<Ecosystem>/all.zip) or a directory of
    /// OSV JSON files. Default: the small built-in seed set.
    #[arg(long, value_name = "DIR")]
    vuln_db: Option<PathBuf>,
    /// Warn when the newest advisory is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = mastiff_sbom::DEFAULT_MAX_DB_AGE_DAYS)]
    max_db_age: u32,
}

impl DbArgs {
    fn apply(&self, opts: &mut ScanOptions) -> Result<()> {
        if let Some(dir) = &self.vuln_db {
            let db = VulnDb::load_dir(dir).with_context(|| {
                format!("cannot load the vulnerability database {}", dir.display())
            })?;
            opts.vuln_db = std::sync::Arc::new(db);
        }
        opts.max_db_age_days = Some(self.max_db_age);
        Ok(())
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Terminal,
    Json,
    /// CycloneDX 1.6 SBOM with vulnerabilities (one input only).
    Cyclonedx,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Info => Severity::Info,
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
            FailOn::Critical => Severity::Critical,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::TOOL_ERROR
            } else {
                exit::PASSED
            });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::from(exit::PASSED);
            }
            eprintln!("mastiff: error: {e:#}");
            ExitCode::from(exit::TOOL_ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Sbom(args) => sbom(args),
        Command::Rules { format } => {
            write_stdout(&match format {
                ListFormat::Table => rules_table(),
                ListFormat::Json => rules_json(),
            })?;
            Ok(exit::PASSED)
        }
        Command::Explain { rule } => {
            let Some(r) = mastiff_rules::rules::find(&rule) else {
                bail!("no rule named {rule:?}; `mastiff rules` lists them");
            };
            write_stdout(&explain(r))?;
            Ok(exit::PASSED)
        }
    }
}

fn matches_selector(rule: &dyn Rule, selector: &str) -> bool {
    let m = rule.meta();
    let s = selector.trim();
    m.id.eq_ignore_ascii_case(s)
        || m.name == s
        || m.id
            .split('-')
            .next()
            .is_some_and(|g| g.eq_ignore_ascii_case(s))
        || (s.len() > 2
            && m.id
                .to_ascii_uppercase()
                .starts_with(&s.to_ascii_uppercase()))
}

fn select_rules(select: &[String], ignore: &[String]) -> Result<Vec<&'static dyn Rule>> {
    for s in select.iter().chain(ignore) {
        if !RULES.iter().any(|r| matches_selector(*r, s)) {
            bail!("--select/--ignore: no rule matches {s:?}; `mastiff rules` lists them");
        }
    }
    Ok(RULES
        .iter()
        .copied()
        .filter(|r| select.is_empty() || select.iter().any(|s| matches_selector(*r, s)))
        .filter(|r| !ignore.iter().any(|s| matches_selector(*r, s)))
        .collect())
}

fn scan_date(date: Option<&str>) -> Result<Date> {
    match date {
        Some(d) => {
            Date::parse(d).with_context(|| format!("--date {d:?} is not a valid YYYY-MM-DD date"))
        }
        None => Ok(Date::today()),
    }
}

/// Scans one file, read entry by entry rather than whole; an unreadable container is an error
/// (exit 2) after the report.
fn scan_file(path: &std::path::Path, opts: &ScanOptions) -> Result<Scan> {
    mastiff_rules::scan_path(path, &path.display().to_string(), opts)
        .with_context(|| format!("cannot read {}", path.display()))
}

fn unreadable_message(report: &Report) -> Option<String> {
    container_unreadable(report).then(|| {
        let why = report
            .diagnostics
            .iter()
            .find(|d| d.code == "container.unreadable")
            .map(|d| d.message.as_str())
            .unwrap_or("unreadable");
        format!("{}: {why}", report.target.path)
    })
}

fn cyclonedx_of(scan: &Scan) -> Result<String> {
    let Some(sbom) = &scan.sbom else {
        bail!("{}: no SBOM could be built", scan.report.target.path);
    };
    let t = &scan.report.target;
    let app = AppMeta {
        package: t.package.clone().unwrap_or_else(|| {
            // No manifest package (an iOS archive): name the app after its file.
            std::path::Path::new(&t.path)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| t.path.clone())
        }),
        version: t.version_name.clone(),
        sha256: t.sha256.clone(),
        timestamp: None,
    };
    Ok(serde_json::to_string_pretty(&to_cyclonedx(sbom, &app))? + "\n")
}

fn write_output(output: Option<&PathBuf>, text: &str) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => write_stdout(text),
    }
}

fn sbom(args: SbomArgs) -> Result<u8> {
    let mut opts = ScanOptions::default();
    args.db.apply(&mut opts)?;
    let scan = scan_file(&args.file, &opts)?;
    if let Some(msg) = unreadable_message(&scan.report) {
        eprintln!("mastiff: error: {msg}");
        return Ok(exit::TOOL_ERROR);
    }
    write_output(args.output.as_ref(), &cyclonedx_of(&scan)?)?;
    Ok(exit::PASSED)
}

fn scan(args: ScanArgs) -> Result<u8> {
    let mut opts = ScanOptions {
        config: Config {
            min_sdk_threshold: args.min_sdk_threshold,
            target_sdk_threshold: args.target_sdk_threshold,
        },
        scan_date: scan_date(args.date.as_deref())?,
        rules: select_rules(&args.select, &args.ignore)?,
        ..ScanOptions::default()
    };
    args.db.apply(&mut opts)?;
    if matches!(args.format, Format::Cyclonedx) && args.files.len() != 1 {
        bail!("--format cyclonedx takes exactly one input file (one SBOM per app)");
    }

    // Scan inputs in parallel; keep input order in the output.
    let results: Vec<Result<Scan>> = args
        .files
        .par_iter()
        .map(|path| scan_file(path, &opts))
        .collect();

    let mut scans = Vec::with_capacity(results.len());
    let mut tool_error = false;
    for r in results {
        match r {
            Ok(scan) => {
                if let Some(msg) = unreadable_message(&scan.report) {
                    tool_error = true;
                    eprintln!("mastiff: error: {msg}");
                }
                scans.push(scan);
            }
            Err(e) => {
                tool_error = true;
                eprintln!("mastiff: error: {e:#}");
            }
        }
    }
    let reports: Vec<Report> = scans.iter().map(|s| s.report.clone()).collect();

    let text = match args.format {
        Format::Json if reports.len() == 1 => {
            reports.first().map(to_json).unwrap_or_default() + "\n"
        }
        Format::Json => to_json_many(&reports) + "\n",
        Format::Cyclonedx => match scans.first() {
            Some(scan) if !tool_error => cyclonedx_of(scan)?,
            _ => String::new(),
        },
        Format::Terminal => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    args.output.is_none()
                        && std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let topts = TerminalOptions {
                color,
                ..TerminalOptions::default()
            };
            let mut s = String::new();
            for (i, r) in reports.iter().enumerate() {
                if i > 0 {
                    s.push('\n');
                }
                s.push_str(&render_terminal(r, &topts));
                s.push_str(&gate_line(
                    r,
                    args.fail_on.severity(),
                    args.fail_on_incomplete,
                ));
            }
            s
        }
    };
    write_output(args.output.as_ref(), &text)?;

    if tool_error {
        return Ok(exit::TOOL_ERROR);
    }
    let failed = reports
        .iter()
        .any(|r| gate_failed(r, args.fail_on.severity(), args.fail_on_incomplete));
    Ok(if failed {
        exit::GATE_FAILED
    } else {
        exit::PASSED
    })
}

fn gate_failed(r: &Report, fail_on: Severity, fail_on_incomplete: bool) -> bool {
    r.findings.iter().any(|f| f.severity >= fail_on)
        || (fail_on_incomplete && r.controls.iter().any(|c| c.verdict == Verdict::Incomplete))
}

fn gate_line(r: &Report, fail_on: Severity, fail_on_incomplete: bool) -> String {
    let at_or_above = r.findings.iter().filter(|f| f.severity >= fail_on).count();
    if gate_failed(r, fail_on, fail_on_incomplete) {
        let mut why = Vec::new();
        if at_or_above > 0 {
            why.push(format!("{at_or_above} finding(s) at {fail_on} or above"));
        }
        if fail_on_incomplete && r.controls.iter().any(|c| c.verdict == Verdict::Incomplete) {
            why.push("incomplete controls".into());
        }
        format!("\ngate: FAILED ({})\n", why.join(", "))
    } else {
        format!("\ngate: passed (no finding at {fail_on} or above)\n")
    }
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn rules_table() -> String {
    let mut s = format!(
        "{:<9} {:<9} {:<38} {:<32} {}\n",
        "ID", "SEVERITY", "NAME", "MASVS", "TITLE"
    );
    for r in RULES.iter() {
        let m = r.meta();
        let masvs: Vec<&str> = m.masvs.iter().map(|c| c.id()).collect();
        s.push_str(&format!(
            "{:<9} {:<9} {:<38} {:<32} {}\n",
            m.id,
            m.severity.as_str(),
            m.name,
            masvs.join(","),
            m.title
        ));
    }
    s
}

fn rules_json() -> String {
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            serde_json::json!({
                "id": m.id,
                "name": m.name,
                "title": m.title,
                "severity": m.severity.as_str(),
                "masvs": m.masvs.iter().map(|c| c.id()).collect::<Vec<_>>(),
                "mastg": m.mastg,
                "cwe": m.cwe,
                "inputs": m.inputs.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
                "coverage": m.coverage.as_str(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n"
}

fn explain(r: &dyn Rule) -> String {
    let m = r.meta();
    let masvs: Vec<&str> = m.masvs.iter().map(|c| c.id()).collect();
    let cwe: Vec<String> = m.cwe.iter().map(|c| format!("CWE-{c}")).collect();
    let mut s = format!("# {} {}\n\n{}\n\n", m.id, m.name, m.title);
    s.push_str(&format!(
        "- Severity: {}\n- MASVS: {}\n",
        m.severity,
        masvs.join(", ")
    ));
    if !m.mastg.is_empty() {
        s.push_str(&format!("- MASTG: {}\n", m.mastg.join(", ")));
    }
    s.push_str(&format!("- CWE: {}\n", cwe.join(", ")));
    if m.coverage == mastiff_rules::rule::Coverage::Partial {
        s.push_str(
            "- Coverage: partial (its findings fail these controls; finding nothing does not pass them)\n",
        );
    }
    s.push('\n');
    s.push_str(&m.doc_markdown());
    s
}

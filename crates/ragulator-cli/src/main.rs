//! The `ragulator` command: validate, evaluate and explain scorecards.
//!
//! Exit codes: 0 done (rejected rows are reported, not fatal), 1 invalid
//! input, 2 usage.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use ragulator::{
    EvaluateOptions, Evaluation, Format, LoadError, Observations, Override, Scorecard,
};

/// `println!` to stdout that gives a closed stdout (`| head`) to `?` as a
/// [`Failure`] instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        {
            use std::io::Write as _;
            writeln!(std::io::stdout().lock(), $($arg)*)?
        }
    };
}

/// `eprintln!` that drops what a closed stderr (`2>&1 | head`) cannot take,
/// instead of panicking: the message had nowhere to go.
macro_rules! err {
    ($($arg:tt)*) => {
        {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr().lock(), $($arg)*);
        }
    };
}

mod records;
mod report;
mod table;

const EXAMPLE_SCORECARD: &str =
    include_str!("../../../examples/childrens-social-care/scorecard.toml");
const EXAMPLE_DATA: &str = include_str!("../../../examples/childrens-social-care/data.csv");

#[derive(Parser)]
#[command(
    name = "ragulator",
    version,
    about = "Scorecards as data: exact RAG statuses with reasons.",
    long_about = None,
    after_help = "With no command, evaluates the bundled children's social care example and prints its latest month."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check a scorecard file; exit 1 and list every problem if it is invalid.
    Validate {
        /// The scorecard (.toml, .json, .yaml or .yml).
        file: PathBuf,
    },
    /// Print the JSON Schema of the scorecard format.
    Schema,
    /// Evaluate a scorecard on data and print the scorecard.
    Evaluate {
        #[command(flatten)]
        input: Input,
        /// Evaluate only this period (every indicator shows, with or without data).
        #[arg(long)]
        period: Option<String>,
        /// Evaluate only this entity.
        #[arg(long)]
        entity: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Explain one indicator's status for a period.
    Explain {
        #[command(flatten)]
        input: Input,
        /// The indicator id.
        #[arg(long)]
        indicator: String,
        /// The period.
        #[arg(long)]
        period: String,
        /// The entity.
        #[arg(long)]
        entity: Option<String>,
    },
    /// Print an indicator's statistical process control (XmR) chart.
    // A chart is of values, not statuses: no --overrides (refused if given).
    #[command(mut_arg("overrides", |a| a.hide(true)))]
    Spc {
        #[command(flatten)]
        input: Input,
        /// The indicator id.
        #[arg(long)]
        indicator: String,
        /// The entity (required when the data has several).
        #[arg(long)]
        entity: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ChartFormat::Table)]
        format: ChartFormat,
    },
    /// Write the monthly report: one self-contained HTML file (inline CSS
    /// and charts), printable on A4 with a page per theme.
    Report(report::ReportArgs),
    /// List the case records behind a measured indicator's result (the late
    /// assessments, the re-referrals).
    Records {
        /// The scorecard (.toml, .json, .yaml or .yml).
        #[arg(long)]
        scorecard: PathBuf,
        /// Case records, NAME=FILE (.csv or .json); repeat for each source.
        #[arg(long = "records", value_name = "NAME=FILE", required = true, value_parser = records::source_file)]
        records: Vec<records::SourceFile>,
        /// Observations (.csv or .json) with targets or comparators the
        /// result's rule reads (optional).
        #[arg(long)]
        data: Option<PathBuf>,
        /// The indicator id.
        #[arg(long)]
        indicator: String,
        /// The period.
        #[arg(long)]
        period: String,
        /// Only this entity's records.
        #[arg(long)]
        entity: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = records::RecordsFormat::Table)]
        format: records::RecordsFormat,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ChartFormat {
    Table,
    Json,
}

#[derive(clap::Args)]
struct Input {
    /// The scorecard (.toml, .json, .yaml or .yml).
    #[arg(long)]
    scorecard: PathBuf,
    /// Observations (.csv or .json); optional when --records gives the values.
    #[arg(long, required_unless_present = "records")]
    data: Option<PathBuf>,
    /// Case records of a source the scorecard declares, NAME=FILE (.csv or
    /// .json); repeat for each source. Measured indicators are computed from them.
    #[arg(long = "records", value_name = "NAME=FILE", value_parser = records::source_file)]
    records: Vec<records::SourceFile>,
    /// Overrides (.csv or .json): entity, indicator or theme, period, status, reason.
    #[arg(long)]
    overrides: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum OutputFormat {
    Table,
    Json,
    Csv,
}

/// A failure to report, with the exit code.
struct Failure {
    message: String,
    /// The reader of stdout went away (`ragulator schema | head -1`):
    /// nothing to report, as `head` asked for no more.
    stdout_closed: bool,
}

impl Failure {
    fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            stdout_closed: false,
        }
    }
}

macro_rules! failure_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                Failure::new(e.to_string())
            }
        }
    )*};
}
failure_from!(
    ragulator::LoadError,
    ragulator::DataError,
    ragulator_report::ReportError
);

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure {
            stdout_closed: e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe),
            message: e.to_string(),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure {
            stdout_closed: e.kind() == std::io::ErrorKind::BrokenPipe,
            message: e.to_string(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => demo(),
        Some(Command::Validate { file }) => return validate(&file),
        Some(Command::Schema) => schema(),
        Some(Command::Evaluate {
            input,
            period,
            entity,
            format,
        }) => evaluate(&input, period, entity, format),
        Some(Command::Explain {
            input,
            indicator,
            period,
            entity,
        }) => explain(&input, &indicator, &period, entity),
        Some(Command::Spc { input, .. }) if input.overrides.is_some() => {
            use clap::CommandFactory;
            // Built, so that the usage printed is `ragulator spc ...`.
            let mut cli = Cli::command();
            cli.build();
            cli.find_subcommand_mut("spc")
                .cloned()
                .unwrap_or_else(Cli::command)
                .error(
                    clap::error::ErrorKind::ArgumentConflict,
                    "spc charts values, not statuses: --overrides does not apply to it",
                )
                .exit()
        }
        Some(Command::Spc {
            input,
            indicator,
            entity,
            format,
        }) => spc(&input, &indicator, entity.as_deref(), format),
        Some(Command::Report(args)) => report::run(&args),
        Some(Command::Records {
            scorecard,
            records,
            data,
            indicator,
            period,
            entity,
            format,
        }) => records::run(
            &scorecard,
            &records,
            data.as_deref(),
            &indicator,
            &period,
            entity.as_deref(),
            format,
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) if f.stdout_closed => ExitCode::SUCCESS,
        Err(f) => {
            err!("error: {}", f.message);
            ExitCode::from(1)
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::new(format!("cannot read {}: {e}", path.display())))
}

fn scorecard_format(path: &Path) -> Format {
    Format::from_path(&path.to_string_lossy()).unwrap_or(Format::Toml)
}

/// Loads a scorecard, printing its diagnostics with source snippets on failure.
/// A text file (a scorecard, a narrative): where it stops being UTF-8 if it does.
fn read_text(path: &Path) -> Result<String, Failure> {
    String::from_utf8(read(path)?).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Failure::new(format!(
            "{} is not UTF-8 text (byte {} cannot be read, on line {line}); save it as UTF-8",
            path.display(),
            at + 1
        ))
    })
}

fn load_scorecard(path: &Path) -> Result<Scorecard, Failure> {
    let text = read_text(path)?;
    Scorecard::from_str(&text, scorecard_format(path)).map_err(|e| {
        let _ = write!(
            std::io::stderr().lock(),
            "{}",
            render_diagnostics(&path.to_string_lossy(), &text, &e)
        );
        let hint = if has_extension(path, &["csv", "tsv"]) {
            "; it looks like data: a scorecard is .toml, .json, .yaml or .yml"
        } else {
            ""
        };
        Failure::new(format!(
            "{} is not a valid scorecard ({} problem{}){hint}",
            path.display(),
            e.diagnostics.len(),
            if e.diagnostics.len() == 1 { "" } else { "s" }
        ))
    })
}

/// Whether the file's extension is one of `extensions` (any case).
fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

fn schema() -> Result<(), Failure> {
    out!(
        "{}",
        serde_json::to_string_pretty(&ragulator::json_schema()).unwrap_or_default()
    );
    Ok(())
}

fn validate(path: &Path) -> ExitCode {
    match load_scorecard(path) {
        Ok(s) => {
            let count =
                |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
            // A closed stdout (`| head`) loses nothing: the exit code says it.
            let _ = writeln!(
                std::io::stdout().lock(),
                "{}: valid ({}, {})",
                path.display(),
                count(s.indicators().len(), "indicator"),
                count(s.themes().len(), "theme")
            );
            ExitCode::SUCCESS
        }
        Err(f) => {
            err!("error: {}", f.message);
            ExitCode::from(1)
        }
    }
}

/// Renders diagnostics with a source snippet where the position is known.
fn render_diagnostics(name: &str, text: &str, err: &LoadError) -> String {
    use miette::{
        GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
    };
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for d in &err.diagnostics {
        let mut diag = MietteDiagnostic::new(d.message.clone());
        if !d.path.is_empty() {
            diag = diag.with_code(d.path.clone());
        }
        match (d.line, d.column) {
            // A snippet of a huge line (a generated 1 MB expression) would
            // bury the message: say where instead.
            (Some(line), Some(col)) if line_len(text, line) > MAX_SNIPPET_LINE => {
                diag = diag.with_help(format!(
                    "at {name}:{line}:{col} (the line is {} characters long, too long to show)",
                    line_len(text, line)
                ));
                let _ = handler.render_report(&mut out, Report::new(diag).as_ref());
            }
            (Some(line), Some(col)) => {
                let offset = offset_of(text, line, col);
                diag = diag.with_label(LabeledSpan::at(offset..offset, "here"));
                let report =
                    Report::new(diag).with_source_code(NamedSource::new(name, text.to_string()));
                let _ = handler.render_report(&mut out, report.as_ref());
            }
            _ => {
                let report = Report::new(diag);
                let _ = handler.render_report(&mut out, report.as_ref());
            }
        }
        out.push('\n');
    }
    out
}

/// Longest source line shown in a snippet.
const MAX_SNIPPET_LINE: usize = 200;

fn line_len(text: &str, line: usize) -> usize {
    text.lines()
        .nth(line.saturating_sub(1))
        .map_or(0, |l| l.chars().count())
}

fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map(|(b, _)| b)
                    .unwrap_or(0);
        }
        offset += l.len();
    }
    text.len()
}

fn read_data(scorecard: &Scorecard, path: &Path) -> Result<Observations, Failure> {
    let bytes = read(path)?;
    let obs = if has_extension(path, &["json"]) {
        scorecard.read_json(&bytes)
    } else {
        scorecard.read_csv(&bytes)
    };
    obs.map_err(|e| {
        let hint = if has_extension(path, &["toml", "yaml", "yml"]) {
            " (this looks like a scorecard; --data takes observations, .csv or .json)"
        } else {
            ""
        };
        Failure::new(format!("{}: {e}{hint}", path.display()))
    })
}

/// Reads the overrides file and checks it against the data, so that every
/// problem with an override names the file it is in.
fn read_overrides(
    scorecard: &Scorecard,
    data: &Observations,
    path: Option<&Path>,
) -> Result<Vec<Override>, Failure> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let bytes = read(path)?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let o = if is_json {
        scorecard.read_overrides_json(&bytes)
    } else {
        scorecard.read_overrides_csv(&bytes)
    };
    o.and_then(|o| scorecard.check_overrides(data, &o).map(|()| o))
        .map_err(|e| Failure::new(format!("{}: {e}", path.display())))
}

fn run(
    input: &Input,
    period: Option<String>,
    entity: Option<String>,
) -> Result<(Scorecard, Evaluation), Failure> {
    let scorecard = load_scorecard(&input.scorecard)?;
    let data = records::observations(&scorecard, input)?;
    let overrides = read_overrides(&scorecard, &data, input.overrides.as_deref())?;
    let options = EvaluateOptions {
        period,
        entity,
        overrides,
        explain: true,
    };
    let evaluation = scorecard.evaluate(&data, &options)?;
    note_missing_entity(&data, options.entity.as_deref());
    Ok((scorecard, evaluation))
}

/// An entity the data does not have gives no results, or (with
/// `--period`) only no_data: say why (a typo, most likely).
fn note_missing_entity(data: &ragulator::Observations, entity: Option<&str>) {
    if let Some(note) = entity.and_then(|e| data.missing_entity(e)) {
        err!("note: {note}");
    }
}

/// "row" or "rows", for a count of rejected rows.
pub(crate) fn rows_word(n: usize) -> &'static str {
    if n == 1 {
        "row"
    } else {
        "rows"
    }
}

fn colour_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn evaluate(
    input: &Input,
    period: Option<String>,
    entity: Option<String>,
    format: OutputFormat,
) -> Result<(), Failure> {
    let (scorecard, evaluation) = run(input, period, entity)?;
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            // Written a result at a time: a large evaluation's whole JSON
            // tree, then its whole text, took gigabytes.
            let mut buffered = std::io::BufWriter::new(&mut out);
            serde_json::to_writer_pretty(&mut buffered, &evaluation.json())?;
            writeln!(buffered)?;
            buffered.flush()?;
        }
        OutputFormat::Csv => write!(out, "{}", evaluation.to_csv())?,
        OutputFormat::Table => write!(
            out,
            "{}",
            table::render(&scorecard, &evaluation, colour_enabled())
        )?,
    }
    // The JSON lists them; the table and the CSV have no place for them.
    if !evaluation.rejected.is_empty() && format != OutputFormat::Json {
        let n = evaluation.rejected.len();
        err!("{n} {} rejected:", rows_word(n));
        for r in evaluation.rejected.iter().take(20) {
            err!("  row {}: {}", r.row, r.reason);
        }
        if evaluation.rejected.len() > 20 {
            err!(
                "  ... and {} more (--format json lists every one)",
                evaluation.rejected.len() - 20
            );
        }
    }
    Ok(())
}

fn explain(
    input: &Input,
    indicator: &str,
    period: &str,
    entity: Option<String>,
) -> Result<(), Failure> {
    let scorecard = load_scorecard(&input.scorecard)?;
    if scorecard.indicator(indicator).is_none() {
        let ids: Vec<&str> = scorecard
            .indicators()
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        return Err(Failure::new(format!(
            "unknown indicator '{indicator}'; indicators are: {}",
            ids.join(", ")
        )));
    }
    let data = records::observations(&scorecard, input)?;
    let overrides = read_overrides(&scorecard, &data, input.overrides.as_deref())?;
    let options = EvaluateOptions {
        period: Some(period.to_string()),
        entity,
        overrides,
        explain: true,
    };
    let evaluation = scorecard.evaluate(&data, &options)?;
    note_missing_entity(&data, options.entity.as_deref());
    for r in evaluation
        .results
        .iter()
        .filter(|r| &*r.indicator == indicator)
    {
        if let Some(e) = &r.entity {
            out!("{e}:");
        }
        out!("{}", r.explanation);
        out!("  rule: {}", r.trace.rule);
        if let Some(c) = r.trace.clause {
            out!(
                "  clause {c}: {}",
                r.trace.condition.as_deref().unwrap_or("")
            );
        }
        for (name, v) in &r.trace.operands {
            out!(
                "  {name} = {}",
                v.map(|d| d.normalize().to_string())
                    .unwrap_or_else(|| "missing".into())
            );
        }
    }
    Ok(())
}

/// The main job on an embedded default: the children's social care example
/// for its latest month.
fn demo() -> Result<(), Failure> {
    let scorecard = Scorecard::from_toml(EXAMPLE_SCORECARD)?;
    let data = scorecard.read_csv(EXAMPLE_DATA.as_bytes())?;
    let all = scorecard.evaluate(
        &data,
        &EvaluateOptions {
            explain: false,
            ..EvaluateOptions::default()
        },
    )?;
    let latest = all
        .results
        .iter()
        .map(|r| r.period)
        .max()
        .map(|p| p.to_string());
    let options = EvaluateOptions {
        period: latest.clone(),
        entity: Some("southampton".into()),
        ..EvaluateOptions::default()
    };
    let evaluation = scorecard.evaluate(&data, &options)?;
    let mut out = std::io::stdout().lock();
    write!(
        out,
        "{}",
        table::render(&scorecard, &evaluation, colour_enabled())
    )?;
    writeln!(
        out,
        "\nThis is the bundled example (examples/childrens-social-care), southampton, {}.\n\
         Run it on your own files:\n  \
         ragulator evaluate --scorecard scorecard.toml --data data.csv [--period 2022-06] [--format table|json|csv]\n  \
         ragulator explain --scorecard scorecard.toml --data data.csv --indicator re_referrals --period 2022-06\n  \
         ragulator validate scorecard.toml",
        latest.unwrap_or_default()
    )?;
    Ok(())
}

fn spc(
    input: &Input,
    indicator: &str,
    entity: Option<&str>,
    format: ChartFormat,
) -> Result<(), Failure> {
    let scorecard = load_scorecard(&input.scorecard)?;
    let data = records::observations(&scorecard, input)?;
    let chart = scorecard.spc(&data, indicator, entity)?;
    let mut out = std::io::stdout().lock();
    match format {
        ChartFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&chart.to_json())?)?,
        ChartFormat::Table => {
            for g in &chart.groups {
                let limits = if g.has_limits() {
                    format!(
                        "limits {} to {}",
                        ragulator::spc::round4(g.lpl),
                        ragulator::spc::round4(g.upl)
                    )
                } else if g.n < 2 {
                    "no limits (a single point)".to_string()
                } else {
                    "no limits (no variation: every moving range is 0)".to_string()
                };
                writeln!(
                    out,
                    "segment from {}: n = {}, mean {}, {limits}{}",
                    g.start,
                    g.n,
                    ragulator::spc::round4(g.mean),
                    if g.short {
                        " (trial limits: fewer than 12 points)"
                    } else {
                        ""
                    }
                )?;
            }
            writeln!(
                out,
                "{:<10} {:>12}  {:<20} point type",
                "period", "value", "rule"
            )?;
            for p in &chart.points {
                writeln!(
                    out,
                    "{:<10} {:>12}  {:<20} {}",
                    p.period.to_string(),
                    p.value.to_string(),
                    p.rule.unwrap_or("-"),
                    p.point_type
                )?;
            }
            writeln!(out, "variation: {}", chart.variation.unwrap_or("-"))?;
            writeln!(
                out,
                "assurance: {}",
                match (chart.assurance, chart.points.is_empty()) {
                    (Some(a), _) => a,
                    (None, true) => "-",
                    (None, false) => "- (no target or no polarity)",
                }
            )?;
            for w in &chart.warnings {
                writeln!(out, "warning: {w}")?;
            }
        }
    }
    Ok(())
}

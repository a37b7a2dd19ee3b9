//! `ragulator report`: the monthly report as one self-contained HTML file.
//! Reads the files, then hands text to `ragulator-report`, which does the rest.

use std::path::{Path, PathBuf};

use ragulator::Format;
use ragulator_report::{Narrative, ReportOptions, DEFAULT_HISTORY};

use crate::{load_scorecard, read_overrides, read_text, records, Failure, Input};

/// Arguments of `ragulator report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    input: Input,
    /// Analysis and next steps by theme and period (.toml, .json, .yaml or .yml).
    #[arg(long)]
    narrative: Option<PathBuf>,
    /// The period reported (default: the latest period with a value).
    #[arg(long)]
    period: Option<String>,
    /// The entity reported (required when the data has several).
    #[arg(long)]
    entity: Option<String>,
    /// Periods charted per indicator, up to the reported one.
    #[arg(long, default_value_t = DEFAULT_HISTORY)]
    history: usize,
    /// Where to write the HTML.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

/// Reads the inputs, renders the report and writes it.
pub fn run(args: &ReportArgs) -> Result<(), Failure> {
    let scorecard = load_scorecard(&args.input.scorecard)?;
    let data = records::observations(&scorecard, &args.input)?;
    let overrides = read_overrides(&scorecard, &data, args.input.overrides.as_deref())?;
    let narrative = match &args.narrative {
        Some(path) => Some(read_narrative(&scorecard, path)?),
        None => None,
    };
    let options = ReportOptions {
        period: args.period.clone(),
        entity: args.entity.clone(),
        overrides,
        narrative,
        history: args.history,
    };
    let html = ragulator_report::render(&scorecard, &data, &options)?;
    std::fs::write(&args.output, html)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", args.output.display())))?;
    if !data.rejected().is_empty() {
        let n = data.rejected().len();
        err!(
            "{n} data {} rejected (run `ragulator evaluate` to list them); the report says so",
            crate::rows_word(n)
        );
    }
    err!("wrote {}", args.output.display());
    Ok(())
}

fn read_narrative(scorecard: &ragulator::Scorecard, path: &Path) -> Result<Narrative, Failure> {
    let text = read_text(path)?;
    let format = Format::from_path(&path.to_string_lossy()).ok_or_else(|| {
        Failure::new(format!(
            "{}: a narrative must be .toml, .json, .yaml or .yml",
            path.display()
        ))
    })?;
    Narrative::parse(scorecard, &text, format)
        .map_err(|e| Failure::new(format!("{}: {e}", path.display())))
}

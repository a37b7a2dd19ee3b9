//! Case records on the command line: `--records NAME=FILE` for evaluate,
//! explain and spc, and the `records` command listing the records behind a
//! measured result.

use std::io::Write;
use std::path::{Path, PathBuf};

use ragulator::measure::{failing_to_csv, failing_to_json, RecordSet};
use ragulator::{EvaluateOptions, Observations, Scorecard};

use crate::{load_scorecard, read, read_data, rows_word, Failure, Input};

/// Output formats of the `records` command.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum RecordsFormat {
    /// Aligned columns, with the result's explanation first.
    Table,
    /// `{ indicator, period, entity, explanation, records: [...] }`.
    Json,
    /// `source,row,entity,id,reason`.
    Csv,
}

/// One `--records NAME=FILE`: a source of the scorecard and its file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: String,
    path: PathBuf,
}

/// Parses `NAME=FILE` as clap reads the argument, so that a malformed one is
/// a usage error (exit 2) like any other.
pub fn source_file(arg: &str) -> Result<SourceFile, String> {
    match arg.split_once('=') {
        Some((name, file)) if !name.trim().is_empty() && !file.is_empty() => Ok(SourceFile {
            name: name.trim().to_string(),
            path: PathBuf::from(file),
        }),
        _ => Err(format!(
            "--records takes NAME=FILE (a source of the scorecard and its CSV or JSON file), not '{arg}'"
        )),
    }
}

/// Reads every `--records NAME=FILE`, reporting rejected rows on stderr.
pub fn read_records(scorecard: &Scorecard, args: &[SourceFile]) -> Result<RecordSet, Failure> {
    let mut set = RecordSet::new();
    for SourceFile { name, path } in args {
        let bytes = read(path)?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let records = if is_json {
            scorecard.read_records_json(name, &bytes)
        } else {
            scorecard.read_records(name, &bytes)
        }
        .map_err(|e| Failure::new(format!("{}: {e}", path.display())))?;
        report_rejected(path, &records);
        set.insert(records)?;
    }
    Ok(set)
}

fn report_rejected(path: &Path, records: &ragulator::Records) {
    let rejected = records.rejected();
    if rejected.is_empty() {
        return;
    }
    err!(
        "{}: {} of {} {} {} rejected:",
        path.display(),
        rejected.len(),
        records.input_rows(),
        records.source(),
        rows_word(rejected.len())
    );
    for r in rejected.iter().take(20) {
        err!("  row {}: {}", r.row, r.reason);
    }
    if rejected.len() > 20 {
        err!("  ... and {} more", rejected.len() - 20);
    }
}

/// The observations of an `Input`: data rows, measures computed from
/// records, or both merged.
pub fn observations(scorecard: &Scorecard, input: &Input) -> Result<Observations, Failure> {
    let data = match &input.data {
        Some(path) => Some(read_data(scorecard, path)?),
        None => None,
    };
    if input.records.is_empty() {
        return data.ok_or_else(|| {
            Failure::new("give the data (--data FILE), case records (--records NAME=FILE), or both")
        });
    }
    let set = read_records(scorecard, &input.records)?;
    note_missing_sources(scorecard, &set);
    let measured = scorecard.measure_observations(&set)?;
    Ok(match data {
        Some(d) => scorecard.merge_observations(&[&d, &measured]),
        None => measured,
    })
}

/// Says which measured indicators get no values because their records (or
/// their population's) were not given.
fn note_missing_sources(scorecard: &Scorecard, set: &RecordSet) {
    use ragulator::model::{MeasureSpec, PopulationSpec};
    for source in scorecard.sources() {
        if set.get(&source.name).is_some() {
            continue;
        }
        let users: Vec<&str> = scorecard
            .spec()
            .indicator
            .iter()
            .filter(|i| {
                i.measure.as_ref().is_some_and(|m| {
                    m.common().source == source.name
                        || matches!(m, MeasureSpec::Rate(r) if matches!(&r.population, PopulationSpec::Source(p) if p.source == source.name))
                })
            })
            .map(|i| i.id.as_str())
            .collect();
        if !users.is_empty() {
            err!(
                "note: no --records {}=FILE given: no values for {}",
                source.name,
                users.join(", ")
            );
        }
    }
}

/// `ragulator records`: the records behind one measured result.
pub fn run(
    scorecard_path: &Path,
    records: &[SourceFile],
    data: Option<&Path>,
    indicator: &str,
    period: &str,
    entity: Option<&str>,
    format: RecordsFormat,
) -> Result<(), Failure> {
    let scorecard = load_scorecard(scorecard_path)?;
    if records.is_empty() {
        return Err(Failure::new(
            "give the case records with --records NAME=FILE",
        ));
    }
    let set = read_records(&scorecard, records)?;
    let failing = scorecard.failing_records(&set, indicator, entity, period)?;
    // The result itself, for its numerator, denominator and status.
    let mut measured = scorecard.measure_observations(&set)?;
    if let Some(path) = data {
        let data = read_data(&scorecard, path)?;
        measured = scorecard.merge_observations(&[&data, &measured]);
    }
    let evaluation = scorecard.evaluate(
        &measured,
        &EvaluateOptions {
            period: Some(period.to_string()),
            entity: entity.map(str::to_string),
            ..EvaluateOptions::default()
        },
    )?;
    let explanations: Vec<(Option<String>, String)> = evaluation
        .results
        .iter()
        .filter(|r| &*r.indicator == indicator)
        .map(|r| {
            (
                r.entity.as_deref().map(str::to_string),
                r.explanation.clone(),
            )
        })
        .collect();
    let mut out = std::io::stdout().lock();
    match format {
        RecordsFormat::Json => {
            let doc = serde_json::json!({
                "indicator": indicator,
                "period": period,
                "entity": entity,
                "results": explanations
                    .iter()
                    .map(|(e, x)| serde_json::json!({ "entity": e, "explanation": x }))
                    .collect::<Vec<_>>(),
                "records": failing_to_json(&failing),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        RecordsFormat::Csv => write!(out, "{}", failing_to_csv(&failing))?,
        RecordsFormat::Table => {
            for (e, x) in &explanations {
                match e {
                    Some(e) => writeln!(out, "{e}: {x}")?,
                    None => writeln!(out, "{x}")?,
                }
            }
            writeln!(
                out,
                "{} record{} listed:",
                failing.len(),
                if failing.len() == 1 { "" } else { "s" }
            )?;
            let width = |f: &dyn Fn(&ragulator::FailingRecord) -> usize, min: usize| {
                failing.iter().map(f).max().unwrap_or(0).max(min)
            };
            let ws = width(&|r| r.source.len(), 6);
            let wr = width(&|r| r.row.to_string().len(), 3);
            let we = width(&|r| r.entity.as_deref().unwrap_or("").len(), 6);
            let wi = width(&|r| r.id.as_deref().unwrap_or("").len(), 2);
            writeln!(
                out,
                "{:<ws$}  {:>wr$}  {:<we$}  {:<wi$}  reason",
                "source", "row", "entity", "id"
            )?;
            for r in &failing {
                writeln!(
                    out,
                    "{:<ws$}  {:>wr$}  {:<we$}  {:<wi$}  {}",
                    r.source,
                    r.row,
                    r.entity.as_deref().unwrap_or(""),
                    r.id.as_deref().unwrap_or(""),
                    r.reason
                )?;
            }
        }
    }
    Ok(())
}

//! The shared golden corpus (`tests/fixtures/<case>/`), evaluated through the
//! public API.
//!
//! Each case holds a scorecard (`scorecard.toml|json|yaml`), data
//! (`data.csv|json`), optional `overrides.csv|json` and `options.json`
//! (`period`, `entity`), and two answers:
//!
//! - `expected.json`: a hand-written subset of the result, derived from
//!   DESIGN.md rather than from engine output. Listed results and themes must
//!   match the result with the same (entity, indicator|theme, period) on every
//!   listed key; a JSON *number* in the expectation compares as a decimal
//!   (`85` matches `"85.0"`), a string compares exactly (`"85.0"` is a display
//!   claim). `"complete": true` also fixes how many results and themes there
//!   are. `rejected` entries match on `row` and `reason_contains`; `rows`
//!   matches the input/used/rejected counts; `error_contains` says the call
//!   must fail with a message containing that text.
//! - `output.json`: the engine's full JSON (`{"error": ...}` when the call
//!   fails), compared exactly so the Python and JS suites can compare theirs
//!   with it. `UPDATE_GOLDEN=1` rewrites it; review it against expected.json.

use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ragulator::{EvaluateOptions, Format, Override, OverrideTarget, Scorecard};
use rust_decimal::Decimal;
use serde_json::{json, Value};

#[path = "support/statuses.rs"]
mod statuses;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .map(|dir| {
            dir.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn one_of(dir: &Path, names: &[&str]) -> Result<Option<PathBuf>, String> {
    let found: Vec<PathBuf> = names
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        _ => Err(format!("more than one of {names:?}")),
    }
}

/// Runs one case: the engine's JSON, or `{"error": message}` when the call fails.
fn run(dir: &Path) -> Result<Value, String> {
    let card = one_of(dir, &["scorecard.toml", "scorecard.json", "scorecard.yaml"])?
        .ok_or("no scorecard.toml|json|yaml")?;
    let format = Format::from_path(&card.to_string_lossy()).ok_or("unknown scorecard format")?;
    let text = fs::read_to_string(&card).map_err(|e| e.to_string())?;
    let scorecard =
        Scorecard::from_str(&text, format).map_err(|e| format!("scorecard does not load: {e}"))?;

    let data = one_of(dir, &["data.csv", "data.json"])?.ok_or("no data.csv or data.json")?;
    let bytes = fs::read(&data).map_err(|e| e.to_string())?;
    let observations = if data.extension().is_some_and(|e| e == "csv") {
        scorecard.read_csv(&bytes)
    } else {
        scorecard.read_json(&bytes)
    };
    let observations = match observations {
        Ok(o) => o,
        Err(e) => return Ok(json!({ "error": e.to_string() })),
    };

    let mut options = EvaluateOptions::default();
    if let Some(path) = one_of(dir, &["overrides.csv", "overrides.json"])? {
        let bytes = fs::read(&path).map_err(|e| e.to_string())?;
        let read = if path.extension().is_some_and(|e| e == "csv") {
            scorecard.read_overrides_csv(&bytes)
        } else {
            scorecard.read_overrides_json(&bytes)
        };
        match read {
            Ok(o) => options.overrides = o,
            Err(e) => return Ok(json!({ "error": e.to_string() })),
        }
    }
    let opts_path = dir.join("options.json");
    if opts_path.is_file() {
        let v: Value =
            serde_json::from_str(&fs::read_to_string(&opts_path).map_err(|e| e.to_string())?)
                .map_err(|e| format!("options.json: {e}"))?;
        options.period = v.get("period").and_then(Value::as_str).map(String::from);
        options.entity = v.get("entity").and_then(Value::as_str).map(String::from);
    }
    Ok(match scorecard.evaluate(&observations, &options) {
        Ok(evaluation) => {
            // The compact status path must say the same.
            let table = scorecard
                .evaluate_statuses(&observations, &options)
                .map_err(|e| format!("evaluate_statuses fails where evaluate does not: {e}"))?;
            statuses::same_statuses(&scorecard, &evaluation, &table)?;
            // And on threads, entity runs judged apart, the same table.
            for threads in [2, 3] {
                let threaded = scorecard
                    .evaluate_statuses_threaded(&observations, &options, threads)
                    .map_err(|e| format!("evaluate_statuses_threaded({threads}) fails: {e}"))?;
                if threaded != table {
                    return Err(format!(
                        "evaluate_statuses_threaded({threads}) differs from evaluate_statuses"
                    ));
                }
            }
            // Written a result at a time (the CLI's and Python's text), the
            // same document as the tree, key for key.
            let tree = evaluation.to_json();
            let streamed = serde_json::to_string_pretty(&evaluation.json());
            if streamed.ok() != serde_json::to_string_pretty(&tree).ok() {
                return Err("Evaluation::json() writes other text than to_json()".into());
            }
            tree
        }
        Err(e) => json!({ "error": e.to_string() }),
    })
}

/// Whether an actual value matches an expected one (numbers as decimals).
fn same(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(n), Value::String(s)) => {
            match (Decimal::from_str(&n.to_string()), Decimal::from_str(s)) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            }
        }
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| same(ev, av))),
        _ => expected == actual,
    }
}

/// Checks `expected` (a subset) against `actual`, collecting every mismatch.
fn check_subset(expected: &Value, actual: &Value, problems: &mut Vec<String>) {
    if let Some(want) = expected.get("error_contains").and_then(Value::as_str) {
        match actual.get("error").and_then(Value::as_str) {
            Some(msg) if msg.contains(want) => {}
            Some(msg) => problems.push(format!("error {msg:?} does not contain {want:?}")),
            None => problems.push(format!(
                "expected an error containing {want:?}, the call succeeded"
            )),
        }
        return;
    }
    if let Some(msg) = actual.get("error") {
        problems.push(format!("the call failed: {msg}"));
        return;
    }
    let complete = expected.get("complete") == Some(&Value::Bool(true));
    for (list, key) in [("results", "indicator"), ("themes", "theme")] {
        let want = expected.get(list).and_then(Value::as_array);
        let got = actual
            .get(list)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(want) = want else { continue };
        if complete && want.len() != got.len() {
            problems.push(format!(
                "{list}: expected {} entries, found {}",
                want.len(),
                got.len()
            ));
        }
        for w in want {
            let id = |v: &Value| {
                (
                    v.get("entity").cloned().unwrap_or(Value::Null),
                    v.get(key).cloned().unwrap_or(Value::Null),
                    v.get("period").cloned().unwrap_or(Value::Null),
                )
            };
            let wid = id(w);
            let Some(g) = got.iter().find(|g| id(g) == wid) else {
                problems.push(format!(
                    "{list}: no entry for (entity, {key}, period) = {wid:?}"
                ));
                continue;
            };
            for (k, ev) in w.as_object().into_iter().flatten() {
                let av = g.get(k).unwrap_or(&Value::Null);
                if !same(ev, av) {
                    problems.push(format!("{list} {wid:?}: {k} expected {ev}, found {av}"));
                }
            }
        }
    }
    if let Some(want) = expected.get("rejected").and_then(Value::as_array) {
        let got = actual
            .get("rejected")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if want.len() != got.len() {
            problems.push(format!(
                "rejected: expected {} rows, found {}: {}",
                want.len(),
                got.len(),
                Value::Array(got.clone())
            ));
        }
        for w in want {
            let row = w.get("row");
            let Some(g) = got.iter().find(|g| g.get("row") == row) else {
                problems.push(format!("rejected: row {row:?} was not rejected"));
                continue;
            };
            let reason = g.get("reason").and_then(Value::as_str).unwrap_or("");
            if let Some(part) = w.get("reason_contains").and_then(Value::as_str) {
                if !reason.contains(part) {
                    problems.push(format!(
                        "rejected row {row:?}: reason {reason:?} does not contain {part:?}"
                    ));
                }
            }
        }
    }
    if let Some(want) = expected.get("rows") {
        let got = actual.get("rows").unwrap_or(&Value::Null);
        if !same(want, got) {
            problems.push(format!("rows: expected {want}, found {got}"));
        }
    }
    // Nothing lost: input rows = used + rejected, in every case.
    let rows = &actual["rows"];
    if let (Some(i), Some(u), Some(r)) = (
        rows["input"].as_u64(),
        rows["used"].as_u64(),
        rows["rejected"].as_u64(),
    ) {
        if i != u + r {
            problems.push(format!("rows: input {i} != used {u} + rejected {r}"));
        }
    }
}

#[test]
fn golden_corpus() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let cases = cases();
    assert!(
        cases.len() >= 60,
        "the golden corpus has {} cases in {}; at least 60 are expected",
        cases.len(),
        fixtures_dir().display()
    );
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut problems = Vec::new();
        match run(dir) {
            Err(e) => problems.push(e),
            Ok(actual) => {
                match fs::read_to_string(dir.join("expected.json"))
                    .map_err(|e| e.to_string())
                    .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()))
                {
                    Ok(expected) => {
                        if expected
                            .get("description")
                            .and_then(Value::as_str)
                            .is_none_or(str::is_empty)
                        {
                            problems.push("expected.json has no description".into());
                        }
                        check_subset(&expected, &actual, &mut problems);
                    }
                    Err(e) => problems.push(format!("expected.json: {e}")),
                }
                let output = dir.join("output.json");
                if update {
                    let text = serde_json::to_string_pretty(&actual).unwrap_or_default() + "\n";
                    if let Err(e) = fs::write(&output, text) {
                        problems.push(format!("writing output.json: {e}"));
                    }
                } else {
                    match fs::read_to_string(&output)
                        .map_err(|e| e.to_string())
                        .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()))
                    {
                        Ok(stored) if stored == actual => {}
                        Ok(stored) => problems.push(format!(
                            "output.json differs from the engine's output (UPDATE_GOLDEN=1 rewrites it; review the diff)\n  stored: {}\n  actual: {}",
                            serde_json::to_string(&stored).unwrap_or_default(),
                            serde_json::to_string(&actual).unwrap_or_default()
                        )),
                        Err(e) => problems.push(format!("output.json: {e} (UPDATE_GOLDEN=1 writes it)")),
                    }
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  - {}", problems.join("\n  - ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `evaluate` itself refuses an override without a reason (the corpus case
/// `override-without-reason` fails earlier, in the overrides reader).
#[test]
fn evaluate_refuses_an_override_without_a_reason() {
    let scorecard = Scorecard::from_toml(
        "ragulator = 1\n[[indicator]]\nid = 'x'\nname = 'X'\nunit = 'count'\npolarity = 'higher_is_better'\ntarget = 5\nrag = { rule = 'target', amber = 1 }\n",
    )
    .expect("scorecard");
    let data = scorecard
        .read_csv(b"indicator,period,value\nx,2022-06,4\n")
        .expect("data");
    let options = EvaluateOptions {
        overrides: vec![Override {
            entity: None,
            target: OverrideTarget::Indicator("x".into()),
            period: "2022-06".into(),
            status: "green".into(),
            reason: "  ".into(),
        }],
        ..EvaluateOptions::default()
    };
    let err = scorecard
        .evaluate(&data, &options)
        .expect_err("an override without a reason must fail the call");
    assert!(err.to_string().contains("reason"), "{err}");
}

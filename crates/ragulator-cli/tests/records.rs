//! Case records through the `ragulator` command, on the example's
//! synthetic records: evaluate with `--records`, and `ragulator records`
//! listing exactly the records behind each result.

use std::collections::BTreeSet;
use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn example(file: &str) -> String {
    let root =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/childrens-social-care");
    root.join(file).to_string_lossy().into_owned()
}

const SOURCES: [&str; 7] = [
    "referrals",
    "assessments",
    "cp_visits",
    "cla_visits",
    "placements",
    "health_assessments",
    "population",
];

fn records_args() -> Vec<String> {
    SOURCES
        .iter()
        .flat_map(|s| {
            [
                "--records".to_string(),
                format!("{s}={}", example(&format!("records/{s}.csv"))),
            ]
        })
        .collect()
}

fn run(args: &[String]) -> (String, String, bool) {
    let out = Command::cargo_bin("ragulator")
        .expect("binary builds")
        .args(args)
        .output()
        .expect("runs");
    (
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
        out.status.success(),
    )
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn evaluate_june() -> (Value, String) {
    let mut a = args(&[
        "evaluate",
        "--scorecard",
        &example("scorecard-measures.toml"),
        "--data",
        &example("records/comparators.csv"),
        "--period",
        "2022-06",
        "--format",
        "json",
    ]);
    a.extend(records_args());
    let (out, err, ok) = run(&a);
    assert!(ok, "{err}");
    (serde_json::from_str(&out).expect("json"), err)
}

fn number(v: &Value) -> i64 {
    v.as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| panic!("not a whole number: {v}"))
}

#[test]
fn evaluate_computes_every_measured_indicator_and_reports_rejected_records() {
    let (doc, err) = evaluate_june();
    let results = doc["results"].as_array().expect("results");
    assert_eq!(results.len(), 8);
    for r in results {
        assert_eq!(r["entity"], "southampton");
        assert!(r["numerator"].is_string(), "{r}");
        assert!(r["denominator"].is_string(), "{r}");
        assert!(r["status"].is_string(), "{r}");
    }
    // The comparator series from data reached the rule of a measured indicator.
    let per_10k = results
        .iter()
        .find(|r| r["indicator"] == "assessments_per_10k")
        .expect("assessments_per_10k");
    assert_eq!(per_10k["trace"]["rule"], "comparator");
    assert!(per_10k["comparators"]["sn"].is_string());
    // The generator's bad rows, each with its reason.
    assert!(err.contains("3 of 2599 referrals rows rejected"), "{err}");
    assert!(err.contains(
        "row 151: completed_on 2021-08-02 is before started_on 2021-09-20: an end cannot come before its start"
    ));
    assert!(err.contains("row 201: column referred_on: '2021-02-30' is not a date"));
}

#[test]
fn records_lists_exactly_the_records_behind_each_result() {
    let (doc, _) = evaluate_june();
    for r in doc["results"].as_array().expect("results") {
        let indicator = r["indicator"].as_str().expect("id");
        let (num, den) = (number(&r["numerator"]), number(&r["denominator"]));
        let mut a = args(&[
            "records",
            "--scorecard",
            &example("scorecard-measures.toml"),
            "--indicator",
            indicator,
            "--period",
            "2022-06",
            "--entity",
            "southampton",
            "--data",
            &example("records/comparators.csv"),
            "--format",
            "json",
        ]);
        a.extend(records_args());
        let (out, err, ok) = run(&a);
        assert!(ok, "{indicator}: {err}");
        let listed: Value = serde_json::from_str(&out).expect("json");
        let rows = listed["records"].as_array().expect("records");
        let ids: BTreeSet<&str> = rows.iter().filter_map(|x| x["id"].as_str()).collect();
        assert_eq!(
            listed["results"][0]["explanation"], r["explanation"],
            "{indicator}: the records command explains the same result"
        );
        let expected = match indicator {
            // Late assessments: every record outside the numerator.
            "assessments_in_timescale" | "ihas_in_timescale" => {
                assert_eq!(rows.len() as i64, den - num, "{indicator}");
                continue;
            }
            // Children with a long gap: one or more visits each.
            "cp_visits" | "cla_visits" => den - num,
            // Re-referrals, children with 3+ placements, children counted.
            "re_referrals" | "placement_moves_3plus" => num,
            "cla_rate" => num,
            // A rate of records (no id): every record counted.
            "assessments_per_10k" => {
                assert_eq!(rows.len() as i64, num, "{indicator}");
                continue;
            }
            other => panic!("unexpected indicator {other}"),
        };
        if indicator == "re_referrals" {
            assert_eq!(rows.len() as i64, expected, "{indicator}");
        } else {
            assert_eq!(ids.len() as i64, expected, "{indicator}");
        }
    }
}

#[test]
fn records_prints_a_table_and_csv() {
    let mut a = args(&[
        "records",
        "--scorecard",
        &example("scorecard-measures.toml"),
        "--indicator",
        "assessments_in_timescale",
        "--period",
        "2022-06",
    ]);
    a.extend(records_args());
    let (table, err, ok) = run(&a);
    assert!(ok, "{err}");
    let first = table.lines().next().expect("a line");
    assert!(
        first.contains("assessments, ") && first.contains("were completed within 45 working days"),
        "{table}"
    );
    assert!(table.contains("records listed:"), "{table}");
    a.extend(args(&["--format", "csv"]));
    let (csv, _, ok) = run(&a);
    assert!(ok);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("source,row,entity,id,reason"));
    let first = lines.next().expect("a late assessment");
    assert!(first.starts_with("assessments,"), "{first}");
    assert!(first.contains("working days after started_on"), "{first}");
}

#[test]
fn bad_records_arguments_fail_with_a_reason() {
    let exit = |list: &[&str]| {
        let out = Command::cargo_bin("ragulator")
            .expect("binary builds")
            .args(list)
            .output()
            .expect("runs");
        (
            out.status.code(),
            String::from_utf8(out.stderr).expect("utf-8"),
        )
    };
    let scorecard = example("scorecard-measures.toml");
    let misspelt = format!("referals={}", example("records/referrals.csv"));
    // A source the scorecard does not declare: invalid input, exit 1.
    let (code, err) = exit(&[
        "evaluate",
        "--scorecard",
        &scorecard,
        "--records",
        &misspelt,
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("unknown source 'referals'"), "{err}");
    // Usage errors, exit 2 (README): not NAME=FILE, and neither data nor records.
    for command in ["evaluate", "report", "records"] {
        let (code, err) = exit(&[command, "--scorecard", &scorecard, "--records", "referrals"]);
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(
            err.contains("--records takes NAME=FILE"),
            "{command}: {err}"
        );
    }
    for command in ["evaluate", "explain", "spc"] {
        let (code, err) = exit(&[command, "--scorecard", &scorecard]);
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(err.contains("--data <DATA>"), "{command}: {err}");
    }
}

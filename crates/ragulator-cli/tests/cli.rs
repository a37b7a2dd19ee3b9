//! The `ragulator` command end to end: the main job, evaluate in every
//! format, explain, spc, exit codes.

use std::path::PathBuf;

use assert_cmd::Command;

fn example(file: &str) -> String {
    let root =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/childrens-social-care");
    root.join(file).to_string_lossy().into_owned()
}

/// A fresh directory for a test's files, named for the test.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ragulator-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes a file in `dir`, giving its path.
fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}

fn ragulator() -> Command {
    let mut c = Command::cargo_bin("ragulator").expect("binary builds");
    c.env_remove("NO_COLOR");
    c
}

fn stdout(args: &[&str]) -> String {
    let out = ragulator().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn main_job_prints_the_example_scorecard_and_a_hint() {
    let out = stdout(&[]);
    for theme in [
        "Effective Assessment and Intervention",
        "Purposeful Direct Contact",
        "Management Support for better Practice",
        "Right Service at the Right Time",
        "Robust Corporate Parenting",
    ] {
        assert!(out.contains(theme), "missing theme {theme} in\n{out}");
    }
    assert!(out.contains("southampton · 2022-06"));
    assert!(out.contains("Re-referrals within 12 months"));
    assert!(out.contains("ragulator evaluate --scorecard"), "no hint");
    // Not a terminal: no colour codes.
    assert!(!out.contains('\x1b'));
}

#[test]
fn evaluate_json_is_the_library_result() {
    let (sc, data) = (example("scorecard.toml"), example("data.csv"));
    let out = stdout(&[
        "evaluate",
        "--scorecard",
        &sc,
        "--data",
        &data,
        "--format",
        "json",
    ]);
    let cli: serde_json::Value = serde_json::from_str(&out).expect("json");
    let scorecard =
        ragulator::Scorecard::from_toml(&std::fs::read_to_string(&sc).unwrap()).unwrap();
    let obs = scorecard.read_csv(&std::fs::read(&data).unwrap()).unwrap();
    let lib = scorecard
        .evaluate(&obs, &ragulator::EvaluateOptions::default())
        .unwrap()
        .to_json();
    assert_eq!(cli, lib);
    let rows = &cli["rows"];
    assert_eq!(
        rows["input"].as_u64(),
        Some(rows["used"].as_u64().unwrap() + rows["rejected"].as_u64().unwrap())
    );
    let first = &cli["results"][0];
    for key in [
        "entity",
        "indicator",
        "period",
        "value",
        "target",
        "gap",
        "status",
        "computed_status",
        "override",
        "label",
        "direction",
        "explanation",
    ] {
        assert!(first.get(key).is_some(), "result lacks {key}");
    }
}

#[test]
fn evaluate_with_period_entity_and_overrides() {
    let out = stdout(&[
        "evaluate",
        "--scorecard",
        &example("scorecard.toml"),
        "--data",
        &example("data.csv"),
        "--overrides",
        &example("overrides.csv"),
        "--period",
        "2022-06",
        "--entity",
        "southampton",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 18, "every indicator at the period");
    assert!(results
        .iter()
        .all(|r| r["entity"] == "southampton" && r["period"] == "2022-06"));
    let overridden: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| !r["override"].is_null())
        .collect();
    assert_eq!(overridden.len(), 1);
    assert_ne!(overridden[0]["status"], overridden[0]["computed_status"]);
    assert!(v["themes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| !t["override"].is_null()));
}

#[test]
fn an_entity_the_data_does_not_have_is_noted_on_stderr() {
    let out = ragulator()
        .args(["evaluate", "--scorecard", &example("scorecard.toml")])
        .args(["--data", &example("data.csv"), "--entity", "southamptn"])
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    // stdout stays the (empty) JSON result; the note names what the data has.
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["results"].as_array().map(Vec::len), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "note: the data has no rows for entity 'southamptn' (its entities: bristol, plymouth, portsmouth, southampton)"
        ),
        "{err}"
    );
    // With --period every indicator shows, all missing, for that entity,
    // in evaluate and in explain: a page that looks real, so noted too.
    for command in [
        &["evaluate"][..],
        &["explain", "--indicator", "re_referrals"],
    ] {
        let out = ragulator()
            .args(command)
            .args(["--scorecard", &example("scorecard.toml")])
            .args(["--data", &example("data.csv"), "--entity", "southamptn"])
            .args(["--period", "2022-06"])
            .output()
            .expect("runs");
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr)
            .contains("note: the data has no rows for entity 'southamptn'"));
    }
    // An entity the data has: no note.
    let out = ragulator()
        .args(["evaluate", "--scorecard", &example("scorecard.toml")])
        .args(["--data", &example("data.csv"), "--entity", "southampton"])
        .args(["--period", "2022-06", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("note:"));
}

/// Rejected rows are listed on stderr with the table and the CSV (stdout
/// stays the CSV), and are in the JSON's `rejected`.
#[test]
fn rejected_rows_are_reported_in_every_format() {
    let dir = scratch_dir("rejected");
    let data = write(
        &dir,
        "data.csv",
        "entity,indicator,period,value\nsouthampton,re_referrals,2022-06,21.4\nsouthampton,nope,2022-06,1\n",
    );
    for format in ["table", "csv", "json"] {
        let out = ragulator()
            .args(["evaluate", "--scorecard", &example("scorecard.toml")])
            .args(["--data".as_ref(), data.as_os_str()])
            .args(["--format", format])
            .output()
            .expect("runs");
        assert!(out.status.success());
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        if format == "json" {
            assert!(stdout.contains("unknown indicator 'nope'"), "{stdout}");
        } else {
            assert!(
                stderr.contains("1 row rejected:\n  row 2: unknown indicator 'nope'"),
                "{format}: {stderr}"
            );
            assert!(!stdout.contains("nope"), "{format}: {stdout}");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Targets and comparators are never rounded for the rules, so the table
/// and the report do not round them either: a value of 84.1 that missed a
/// target of 84.14 is not shown beside "84.1%".
#[test]
fn tables_show_targets_and_comparators_unrounded() {
    let dir = scratch_dir("places");
    let card = write(
        &dir,
        "card.toml",
        "ragulator = 1\n[[theme]]\nid = 't'\nname = 'T'\n[[indicator]]\nid = 'x'\nname = 'X'\ntheme = 't'\nunit = 'percent'\npolarity = 'higher_is_better'\ndecimals = 1\ntarget = 84.14\ncomparators = { sn = 84.11 }\nrag = { rule = 'target', amber = 1 }\n[[indicator]]\nid = 'y'\nname = 'Y'\ntheme = 't'\nunit = 'percent'\npolarity = 'range'\ndecimals = 1\ntarget = { low = 40.25, high = 60 }\nrag = { rule = 'target', amber = 1 }\n",
    );
    let data = write(
        &dir,
        "data.csv",
        "indicator,period,value\nx,2022-06,84.1\ny,2022-06,50\n",
    );
    let html = dir.join("report.html");
    let table = stdout(&[
        "evaluate",
        "--scorecard",
        card.to_str().expect("utf-8 path"),
        "--data",
        data.to_str().expect("utf-8 path"),
    ]);
    let row = table
        .lines()
        .find(|l| l.trim_start().starts_with("X "))
        .expect("x's row");
    assert!(
        row.contains("84.1%") && row.contains("84.14%") && row.contains("84.11%"),
        "{table}"
    );
    assert!(table.contains("40.25–60.0%"), "{table}");
    let out = ragulator()
        .arg("report")
        .args(["--scorecard".as_ref(), card.as_os_str()])
        .args([
            "--data".as_ref(),
            data.as_os_str(),
            "-o".as_ref(),
            html.as_os_str(),
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).expect("the report");
    for shown in ["84.14%", "84.11%", "40.25–60.0%"] {
        assert!(page.contains(shown), "{shown} not in the report");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn evaluate_csv_and_table() {
    let args = [
        "evaluate",
        "--scorecard",
        &example("scorecard.toml"),
        "--data",
        &example("data.csv"),
        "--period",
        "2022-06",
    ];
    let csv = stdout(&[&args[..], &["--format", "csv"]].concat());
    assert!(csv.starts_with("entity,indicator,period,value,target,gap,status"));
    assert_eq!(csv.lines().count(), 1 + 4 * 18);
    let table = stdout(&[&args[..], &["--format", "table"]].concat());
    assert!(table.contains("portsmouth · 2022-06") && table.contains("Red – High Risk"));
    // The arrow is the movement, the word its meaning: southampton's
    // re-referrals (lower is better) rose from 19.8% to 21.4%.
    let southampton = table
        .split("southampton · 2022-06")
        .nth(1)
        .expect("southampton");
    let row = southampton
        .lines()
        .find(|l| l.contains("Re-referrals"))
        .expect("re-referrals");
    assert!(row.contains("↑ worse"), "{row}");
    // Names are whole (up to 59 characters), so two never read the same.
    assert!(table.contains("Single assessments completed within 45 working days "));
}

#[test]
fn explain_gives_the_sentence_and_the_trace() {
    let out = stdout(&[
        "explain",
        "--scorecard",
        &example("scorecard.toml"),
        "--data",
        &example("data.csv"),
        "--indicator",
        "re_referrals",
        "--period",
        "2022-06",
        "--entity",
        "southampton",
    ]);
    assert!(
        out.contains(
            "Re-referrals within 12 months was 21.4% against a target of 20.0% (lower is better)"
        ),
        "{out}"
    );
    assert!(out.contains("rule: target"));
    assert!(out.contains("gap = -1.4"));
}

#[test]
fn spc_json_has_groups_points_variation_assurance() {
    let out = stdout(&[
        "spc",
        "--scorecard",
        &example("scorecard.toml"),
        "--data",
        &example("data.csv"),
        "--indicator",
        "re_referrals",
        "--entity",
        "southampton",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["points"].as_array().unwrap().len(), 15);
    assert!(
        v["groups"][0]["mean"]
            .as_str()
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap()
            .len()
            == 4
    );
    assert!(v["variation"].is_string());
    assert!(v["assurance"].is_string());
}

#[test]
fn exit_codes() {
    let dir = std::env::temp_dir().join(format!("ragulator-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let no_period = dir.join("no_period.csv");
    std::fs::write(&no_period, "indicator,value\nre_referrals,20\n").unwrap();
    let bad_rows = dir.join("bad_rows.csv");
    std::fs::write(
        &bad_rows,
        "indicator,period,value\nre_referrals,2022-06,20\nnope,2022-06,1\nre_referrals,2022-13,3\n",
    )
    .unwrap();
    let sc = example("scorecard.toml");
    // A missing column fails the whole call, naming the column.
    let out = ragulator()
        .args([
            "evaluate",
            "--scorecard",
            &sc,
            "--data",
            no_period.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no 'period' column"));
    // Rejected rows are reported, not fatal.
    let out = ragulator()
        .args([
            "evaluate",
            "--scorecard",
            &sc,
            "--data",
            bad_rows.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons: Vec<&str> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(v["rejected"][0]["row"], 2);
    assert!(reasons[0].contains("unknown indicator 'nope'") && reasons[1].contains("bad period"));
    // Usage errors exit 2.
    let out = ragulator()
        .args(["evaluate", "--format", "pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Files given the other's way round say so.
    let out = ragulator()
        .args(["evaluate", "--scorecard", &sc, "--data", &sc])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("this looks like a scorecard; --data takes observations"));
    let out = ragulator()
        .args(["validate", &example("data.csv")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("it looks like data: a scorecard is .toml")
    );
    // A chart is of values: overrides given to spc are refused, not ignored.
    let out = ragulator()
        .args(["spc", "--scorecard", &sc, "--data", &example("data.csv")])
        .args(["--indicator", "re_referrals", "--entity", "southampton"])
        .args(["--overrides", &example("overrides.csv")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--overrides does not apply"), "{stderr}");
    assert!(stderr.contains("Usage: ragulator spc "), "{stderr}");
    let out = ragulator()
        .args([
            "explain",
            "--scorecard",
            &sc,
            "--data",
            bad_rows.to_str().unwrap(),
            "--indicator",
            "x",
            "--period",
            "2022-06",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown indicator 'x'"));
    std::fs::remove_dir_all(&dir).ok();
}

/// `ragulator ... | head`: the reader goes away; the command stops quietly
/// with exit 0, never a panic ("failed printing to stdout").
#[test]
fn a_closed_stdout_is_not_a_panic() {
    use std::io::Read;
    use std::process::Stdio;
    let (scorecard, data) = (example("scorecard.toml"), example("data.csv"));
    for format in ["json", "csv", "table"] {
        let args = [
            "evaluate",
            "--scorecard",
            &scorecard,
            "--data",
            &data,
            "--format",
            format,
        ];
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ragulator"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        // Read a little (as `head -c 100`), then close the pipe: the output
        // is far larger than a pipe's buffer, so the command meets it closed.
        let mut stdout = child.stdout.take().expect("piped");
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let out = child.wait_with_output().expect("finishes");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}

/// Every problem with an override names the overrides file, including the
/// ones found against the data (an entity written in another case, two
/// overrides for one place).
#[test]
fn override_problems_found_against_the_data_name_the_file() {
    let dir = std::env::temp_dir().join(format!("ragulator-overrides-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (scorecard, data) = (example("scorecard.toml"), example("data.csv"));
    for (name, rows, says) in [
        (
            "case.csv",
            "Southampton,re_referrals,2022-06,green,agreed\n",
            "row 1, column entity: the override names entity 'Southampton', which the data writes 'southampton'",
        ),
        (
            "twice.csv",
            "southampton,re_referrals,2022-06,green,agreed\nsouthampton,re_referrals,2022-06,red,no\n",
            "row 2: the overrides give two for the same entity, indicator or theme and period (rows 1 and 2)",
        ),
    ] {
        let path = dir.join(name);
        let text = format!("entity,indicator,period,status,reason\n{rows}");
        std::fs::write(&path, text).expect("write");
        let path = path.to_string_lossy().into_owned();
        let out = ragulator()
            .args(["evaluate", "--scorecard", &scorecard, "--data", &data, "--overrides", &path])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.starts_with(&format!("error: {path}: {says}")), "{name}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each column of the table is as wide as its widest cell: a range target
/// ("45.0–60.0 per 10,000") or a rate with its unit does not push the
/// rest of its row out of line.
#[test]
fn the_table_columns_line_up_whatever_their_contents() {
    let out = ragulator()
        .args(["evaluate", "--scorecard", &example("scorecard.toml")])
        .args(["--data", &example("data.csv")])
        .args(["--period", "2022-06", "--entity", "southampton"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("45.0–60.0 per 10,000"), "{table}");
    let mut rows = 0;
    let mut direction_at = None;
    for line in table.lines() {
        let chars: Vec<char> = line.chars().collect();
        if line.starts_with("  Indicator") {
            let at = line.find("Direction").expect("a Direction column");
            direction_at = Some(line[..at].chars().count());
        } else if let (Some(at), true) = (direction_at, line.starts_with("  ")) {
            // The arrow sits under "Direction", after a gap of two spaces.
            assert_eq!(&chars[at - 2..at], [' ', ' '], "{line}\n{table}");
            assert!("↑↓→·".contains(chars[at]), "{line}\n{table}");
            rows += 1;
        }
    }
    assert!(rows >= 12, "{table}");
}

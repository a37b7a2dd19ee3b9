//! `ragulator validate` on every bad scorecard under `tests/bad-scorecards/`
//! (and on a few generated at run time because they are huge): exit 1 and a
//! report naming the key or value, where it is and what would be valid. The
//! reports are snapshot-tested, so a change in wording is a reviewed change.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ragulator::{Format, Scorecard};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the built binary in `dir` with stable, colourless output.
fn ragulator(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ragulator"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("COLUMNS", "100")
        .output()
        .expect("the ragulator binary runs")
}

/// Validates `file` (relative to `dir`), checks it is rejected with exit code
/// 1 and nothing on stdout, and returns stderr.
fn rejected(dir: &Path, file: &str) -> String {
    let out = ragulator(dir, &["validate", file]);
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{file} should be rejected with exit code 1; stderr:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "{file}: nothing on stdout");
    assert!(
        stderr.contains(&format!("error: {file} is not a valid scorecard")),
        "{file}: the summary line names the file:\n{stderr}"
    );
    stderr
}

/// The number of problems a report lists (one `×` per diagnostic).
fn problems(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.trim_start().starts_with('×'))
        .count()
}

/// Whether the report has a problem at `path` whose message (two lines
/// below the path, after the blank line) contains `message`.
fn reports(stderr: &str, path: &str, message: &str) -> bool {
    let lines: Vec<&str> = stderr.lines().collect();
    lines
        .iter()
        .enumerate()
        .any(|(i, l)| l.trim() == path && lines.get(i + 2).is_some_and(|m| m.contains(message)))
}

fn bad_files() -> Vec<String> {
    let dir = repo_root().join("tests/bad-scorecards");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/bad-scorecards exists")
        .map(|e| e.expect("a directory entry").file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| Format::from_path(n).is_some())
        .collect();
    names.sort();
    names
}

#[test]
fn every_bad_scorecard_is_rejected_with_a_located_message() {
    let root = repo_root();
    let files = bad_files();
    for name in &files {
        let file = format!("tests/bad-scorecards/{name}");
        let stderr = rejected(&root, &file);
        assert!(
            problems(&stderr) >= 1,
            "{file}: at least one problem:\n{stderr}"
        );
        // Every committed bad file is small: each problem can be shown in place.
        assert!(
            stderr.contains(&format!("[{file}:")),
            "{file}: the report points into the source:\n{stderr}"
        );
        insta::assert_snapshot!(name.as_str(), stderr);
    }
    // One file per problem; format-specific problems in all three formats.
    let problems: std::collections::BTreeSet<&str> = files
        .iter()
        .filter_map(|n| n.rsplit_once('.').map(|(stem, _)| stem))
        .collect();
    assert!(
        problems.len() >= 30,
        "at least 30 distinct bad scorecards, found {}",
        problems.len()
    );
    for stem in [
        "syntax-error",
        "unknown-key",
        "type-error",
        "unknown-polarity",
        "nan",
        "infinity",
        "out-of-range",
    ] {
        for ext in ["toml", "json", "yaml"] {
            let f = format!("{stem}.{ext}");
            assert!(files.contains(&f), "{f} exists");
        }
    }
}

#[test]
fn a_scorecard_with_many_problems_lists_every_one() {
    let root = repo_root();
    for ext in ["toml", "json", "yaml"] {
        let file = format!("tests/bad-scorecards/many-problems.{ext}");
        let stderr = rejected(&root, &file);
        // Version, month, duplicate theme, duplicate indicator, dangling theme,
        // negative decimals, missing rule set, target on polarity none, bad
        // missing status, bands order, target order, fix_after, clause
        // status, clause syntax, otherwise status, missing rollup rule set.
        assert_eq!(problems(&stderr), 16, "{file}:\n{stderr}");
        assert!(stderr.contains("(16 problems)"), "{file}:\n{stderr}");
        for path in [
            "ragulator",
            "calendar.year_start_month",
            "theme[1].id",
            "indicator[1].id",
            "indicator[0].theme",
            "indicator[0].decimals",
            "indicator[1].rag",
            "indicator[2].rag",
            "indicator[3].missing",
            "indicator[3].rag.thresholds",
            "indicator[4].target[1].from",
            "indicator[4].spc.fix_after",
            "rules.broken.when[0].status",
            "rules.broken.when[1].if",
            "rules.broken.otherwise",
            "theme[0].rollup",
        ] {
            assert!(
                stderr.lines().any(|l| l.trim() == path),
                "{file}: a problem at {path}:\n{stderr}"
            );
        }
    }
}

#[test]
fn unknown_enum_variants_do_not_hide_other_problems() {
    // DESIGN.md 3: every broken reference at once. An unknown unit,
    // polarity or rule is read as a known one so the rest is still checked;
    // the rule's mapping, which no longer fits, is set aside unreported.
    let root = repo_root();
    for ext in ["toml", "json", "yaml"] {
        let file = format!("tests/bad-scorecards/enum-and-reference-problems.{ext}");
        let stderr = rejected(&root, &file);
        assert_eq!(problems(&stderr), 5, "{file}:\n{stderr}");
        for path in [
            "indicator[1].unit",
            "indicator[1].polarity",
            "indicator[1].rag.rule",
            "indicator[0].theme",
            "indicator[2].rag",
        ] {
            assert!(
                stderr.lines().any(|l| l.trim() == path),
                "{file}: a problem at {path}:\n{stderr}"
            );
        }
    }
}

#[test]
fn a_bad_value_in_a_list_does_not_hide_the_problems_after_it() {
    // DESIGN.md 3: every problem at once. A list item cannot be taken out
    // (the later ones would be renumbered) nor a value of a mapping in a
    // list (the mapping would lack it): a stand-in takes its place, and what
    // would be said of the stand-in (a bands list's order, a target entry
    // without a value) is not reported.
    let root = repo_root();
    for ext in ["toml", "json", "yaml"] {
        let file = format!("tests/bad-scorecards/bad-values-in-lists.{ext}");
        let stderr = rejected(&root, &file);
        assert_eq!(problems(&stderr), 5, "{file}:\n{stderr}");
        let id_problem = match ext {
            "yaml" => "expected string scalar",
            _ => "invalid type: integer `85`, expected text in quotes",
        };
        for (path, message) in [
            ("indicator[0].rag.thresholds[1]", "'eighty' is not a number"),
            ("indicator[1].target[0].value", "'x' is not a number"),
            ("indicator[2].id", id_problem),
            (
                "indicator[2].theme",
                "names theme 'no_such_theme', which does not exist",
            ),
            (
                "indicator[3].rag",
                "rule set 'no_such_rule_set', which does not exist",
            ),
        ] {
            assert!(
                reports(&stderr, path, message),
                "{file}: {message} at {path}:\n{stderr}"
            );
        }
    }
}

#[test]
fn missing_required_fields_do_not_hide_the_problems_after_them() {
    // A stand-in takes each missing field's place so the rest is checked;
    // what would be said of the stand-in itself is not reported.
    let root = repo_root();
    for ext in ["toml", "json", "yaml"] {
        let file = format!("tests/bad-scorecards/missing-fields-and-references.{ext}");
        let stderr = rejected(&root, &file);
        assert_eq!(problems(&stderr), 9, "{file}:\n{stderr}");
        for (path, message) in [
            ("indicator[0]", "missing field `name`"),
            ("indicator[0]", "missing field `polarity`"),
            ("indicator[1].colour", "unknown field `colour`"),
            ("indicator[1]", "missing field `unit`"),
            ("indicator[1]", "missing field `polarity`"),
            ("indicator[2].rag.ambr", "unknown field `ambr`"),
            ("indicator[2].rag", "missing field `amber`"),
            ("indicator[2]", "missing field `id`"),
            (
                "indicator[0].theme",
                "'no_such_theme', which does not exist",
            ),
        ] {
            let at = stderr.lines().position(|l| l.trim() == path);
            assert!(
                reports(&stderr, path, message),
                "{file}: {message} at {path} ({at:?}):\n{stderr}"
            );
        }
        assert!(
            !stderr.contains("'?'"),
            "{file}: a stand-in is never shown:\n{stderr}"
        );
    }
}

#[test]
fn a_missing_format_version_is_reported_once() {
    let stderr = rejected(&repo_root(), "tests/bad-scorecards/missing-version.toml");
    assert_eq!(problems(&stderr), 1, "{stderr}");
    assert!(stderr.contains("missing field `ragulator`"), "{stderr}");
}

/// A scratch directory for generated scorecards, so reports name them by a
/// stable relative path.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn with_rule_set(condition: &str) -> String {
    format!(
        "ragulator = 1\n\n[[indicator]]\nid = \"cp_visits\"\nname = \"CP visits\"\nunit = \"percent\"\npolarity = \"higher_is_better\"\ntarget = 90\nrag = \"generated\"\n\n[rules.generated]\nwhen = [ {{ status = \"green\", if = \"{condition}\" }} ]\notherwise = \"red\"\n"
    )
}

#[test]
fn a_deeply_nested_expression_is_an_error_not_a_stack_overflow() {
    let dir = scratch("deep-expression");
    let depth = 20_000;
    let condition = format!("{}gap{} >= 0", "(".repeat(depth), ")".repeat(depth));
    std::fs::write(dir.join("deep.toml"), with_rule_set(&condition)).expect("write");
    let stderr = rejected(&dir, "deep.toml");
    insta::assert_snapshot!("generated-deep-expression.toml", stderr);

    // 2,000 deep fits the length limit, so it is the nesting limit that speaks.
    let depth = 2_000;
    let condition = format!("{}gap{} >= 0", "(".repeat(depth), ")".repeat(depth));
    std::fs::write(dir.join("nested.toml"), with_rule_set(&condition)).expect("write");
    let stderr = rejected(&dir, "nested.toml");
    insta::assert_snapshot!("generated-nested-expression.toml", stderr);
}

#[test]
fn a_one_megabyte_expression_is_an_error() {
    let dir = scratch("huge-expression");
    let terms = vec!["value"; (1 << 20) / 8 + 1].join(" + ");
    assert!(terms.len() >= 1 << 20);
    std::fs::write(
        dir.join("huge.toml"),
        with_rule_set(&format!("{terms} > 0")),
    )
    .expect("write");
    let stderr = rejected(&dir, "huge.toml");
    insta::assert_snapshot!("generated-huge-expression.toml", stderr);
}

#[test]
fn a_file_over_the_size_limit_is_rejected() {
    let dir = scratch("oversize");
    let mut text = String::from("ragulator = 1\nname = \"Too big\"\n");
    // A comment is valid TOML: only the size is wrong.
    let filler = format!("# {}\n", "x".repeat(1000));
    while text.len() <= 4 * 1024 * 1024 {
        text.push_str(&filler);
    }
    std::fs::write(dir.join("oversize.toml"), &text).expect("write");
    let stderr = rejected(&dir, "oversize.toml");
    insta::assert_snapshot!("generated-oversize.toml", stderr);
}

#[test]
fn more_than_ten_thousand_indicators_are_rejected() {
    let dir = scratch("too-many-indicators");
    let mut text = String::from("ragulator = 1\nname = \"Too many indicators\"\n");
    for i in 0..10_001 {
        text.push_str(&format!(
            "\n[[indicator]]\nid = \"i{i}\"\nname = \"Indicator {i}\"\nunit = \"count\"\npolarity = \"none\"\n"
        ));
    }
    std::fs::write(dir.join("many.toml"), &text).expect("write");
    let stderr = rejected(&dir, "many.toml");
    insta::assert_snapshot!("generated-too-many-indicators.toml", stderr);
}

/// The example scorecard, in each format, validates (exit 0).
#[test]
fn the_example_is_valid_in_every_format() {
    let root = repo_root();
    let example = "examples/childrens-social-care/scorecard.toml";
    let out = ragulator(&root, &["validate", example]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!("{example}: valid (")),
        "{stdout}"
    );
    assert!(out.stderr.is_empty());

    let text = std::fs::read_to_string(root.join(example)).expect("example");
    let scorecard = Scorecard::from_toml(&text).expect("the example loads");
    let dir = scratch("example-formats");
    for (format, file) in [
        (Format::Json, "scorecard.json"),
        (Format::Yaml, "scorecard.yaml"),
    ] {
        let converted = scorecard.to_string(format).expect("serialises");
        std::fs::write(dir.join(file), converted).expect("write");
        let out = ragulator(&dir, &["validate", file]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let expected = format!(
            "{file}: valid ({} indicators, {} themes)",
            scorecard.indicators().len(),
            scorecard.themes().len()
        );
        assert_eq!(stdout.trim_end(), expected);
    }
}

#[test]
fn schema_prints_the_json_schema() {
    let out = ragulator(&repo_root(), &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("schema prints valid JSON");
    assert_eq!(schema, ragulator::json_schema());
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    for key in ["ragulator", "indicator", "theme", "status", "rules"] {
        assert!(
            schema["properties"].get(key).is_some(),
            "the schema describes {key}"
        );
    }
}

#[test]
fn a_scorecard_that_is_not_utf8_names_the_byte_and_line() {
    let dir = std::env::temp_dir().join(format!("ragulator-latin1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("latin1.toml"),
        b"ragulator = 1\nname = \"caf\xe9\"\n",
    )
    .expect("write");
    let out = ragulator(&dir, &["validate", "latin1.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "error: latin1.toml is not UTF-8 text (byte 26 cannot be read, on line 2); save it as UTF-8"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

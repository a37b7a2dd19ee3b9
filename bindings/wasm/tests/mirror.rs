//! The TypeScript declarations are generated from the mirror structs in
//! `src/types.rs`; this checks the mirror against what the core really
//! writes (`Evaluation::to_json`, `SpcChart::to_json`): every field known
//! (deny_unknown_fields), every field present with the right JSON type, and
//! nothing lost in a round trip. Runs natively (`cargo test -p ragulator-wasm`).

use std::path::{Path, PathBuf};

use ragulator::{EvaluateOptions, Scorecard};
use ragulator_wasm::types::{EvaluationResult, SpcChart};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Deserialises into the mirror and back: the same JSON, or the mirror is wrong.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(json: &Value) -> T {
    let typed: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("the mirror does not accept the core's JSON: {e}"));
    let back = serde_json::to_value(&typed).expect("serialises");
    assert_eq!(&back, json, "the mirror loses or changes fields");
    typed
}

#[test]
fn evaluation_json_matches_the_mirror() {
    let example = repo().join("examples/childrens-social-care");
    let scorecard = Scorecard::from_toml(&read(example.join("scorecard.toml"))).expect("loads");
    let data = scorecard
        .read_csv(read(example.join("data.csv")).as_bytes())
        .expect("reads");
    let overrides = scorecard
        .read_overrides_csv(read(example.join("overrides.csv")).as_bytes())
        .expect("reads");
    let evaluation = scorecard
        .evaluate(
            &data,
            &EvaluateOptions {
                overrides,
                ..EvaluateOptions::default()
            },
        )
        .expect("evaluates");
    let typed: EvaluationResult = round_trip(&evaluation.to_json());
    // The example exercises the optional parts: overrides, SPC, comparators.
    assert!(typed.results.iter().any(|r| r.override_.is_some()));
    assert!(typed.themes.iter().any(|t| t.override_.is_some()));
    assert!(typed.results.iter().any(|r| r.spc.is_some()));
    assert!(typed.results.iter().any(|r| !r.comparators.is_empty()));
    assert!(typed.results.iter().any(|r| r.status.is_none()));

    for ind in scorecard.indicators().iter().take(3) {
        let entity = data.entities().next().map(str::to_string);
        let chart = scorecard
            .spc(&data, &ind.id, entity.as_deref())
            .expect("charts");
        round_trip::<SpcChart>(&chart.to_json());
    }
}

#[test]
fn ranges_rates_rejections_and_rule_sets_match_the_mirror() {
    let scorecard = Scorecard::from_toml(
        r#"
ragulator = 1
[comparators]
sn = "Statistical neighbours"
[rules.both]
when = [{ status = "green", if = "gap >= 0 and at_least_as_good(value, sn)" }]
otherwise = "amber"
[[indicator]]
id = "r"
name = "Range"
unit = "days"
polarity = "range"
target = { low = 10, high = 20 }
rag = { rule = "target", amber = 2 }
[[indicator]]
id = "p"
name = "Rate"
unit = "percent"
polarity = "higher_is_better"
target = 50
comparators = { sn = 40 }
rag = "both"
"#,
    )
    .expect("loads");
    let data = scorecard
        .read_csv(
            b"indicator,period,value,numerator,denominator\nr,2022-06,25,,\np,2022-06,,3,4\np,2022-07,,1,0\nq,2022-06,1,,\n",
        )
        .expect("reads");
    let json = scorecard
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates")
        .to_json();
    let typed: EvaluationResult = round_trip(&json);
    assert!(matches!(
        typed.results[0].target,
        Some(ragulator_wasm::types::Target::Value(_))
            | Some(ragulator_wasm::types::Target::Range(_))
    ));
    assert!(typed
        .results
        .iter()
        .any(|r| matches!(r.target, Some(ragulator_wasm::types::Target::Range(_)))));
    assert!(typed.results.iter().any(|r| r.numerator.is_some()));
    assert_eq!(typed.rejected.len(), 1);
}

/// Every case of the shared golden corpus, when there is one.
#[test]
fn golden_outputs_match_the_mirror() {
    let fixtures = repo().join("tests/fixtures");
    let Ok(dirs) = std::fs::read_dir(&fixtures) else {
        return;
    };
    for dir in dirs.flatten() {
        let output = dir.path().join("output.json");
        if !output.is_file() {
            continue;
        }
        let json: Value = serde_json::from_str(&read(output)).expect("output.json is JSON");
        if json.get("results").is_some() {
            round_trip::<EvaluationResult>(&json);
        }
    }
}

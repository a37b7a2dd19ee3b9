//! Scorecards round-trip through TOML, JSON and YAML, and the documents the
//! project ships validate against the JSON Schema `ragulator::json_schema()`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use ragulator::model::{
    BuiltinRule, Dec, IndicatorSpec, RagSpec, Rollup, ScorecardSpec, TargetSpec, TargetStep,
    TargetValue, ThemeSpec, Tolerance,
};
use ragulator::{Format, Polarity, Scorecard, Unit};
use rust_decimal::Decimal;

const FORMATS: [Format; 3] = [Format::Toml, Format::Json, Format::Yaml];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> (PathBuf, String) {
    let path = repo_root().join("examples/childrens-social-care/scorecard.toml");
    let text = std::fs::read_to_string(&path).expect("the example scorecard");
    (path, text)
}

/// Every `tests/fixtures/*/scorecard.*`, if any exist yet.
fn fixtures() -> Vec<(PathBuf, Format, String)> {
    let Ok(dirs) = std::fs::read_dir(repo_root().join("tests/fixtures")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for dir in dirs.flatten() {
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            let name = file.file_name().to_string_lossy().into_owned();
            if let (true, Some(format)) = (name.starts_with("scorecard."), Format::from_path(&name))
            {
                let text = std::fs::read_to_string(&path).expect("a readable fixture");
                out.push((path, format, text));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Loads, writes in every format, loads again: the same document each time.
fn assert_round_trip(what: &str, scorecard: &Scorecard) {
    for format in FORMATS {
        let text = scorecard
            .to_string(format)
            .unwrap_or_else(|e| panic!("{what}: serialising to {format:?}: {e}"));
        let again = Scorecard::from_str(&text, format)
            .unwrap_or_else(|e| panic!("{what}: reloading its {format:?}:\n{e}\n{text}"));
        assert_eq!(
            again.spec(),
            scorecard.spec(),
            "{what} via {format:?}:\n{text}"
        );
        // And a second trip is byte-for-byte stable.
        assert_eq!(again.to_string(format).as_deref(), Ok(text.as_str()));
    }
}

#[test]
fn the_example_round_trips_through_every_format() {
    let (path, text) = example();
    let scorecard = Scorecard::from_toml(&text).expect("the example loads");
    assert!(scorecard.indicators().len() >= 15);
    assert_round_trip(&path.display().to_string(), &scorecard);
}

#[test]
fn every_good_fixture_round_trips_through_every_format() {
    for (path, format, text) in fixtures() {
        let what = path.display().to_string();
        let scorecard = Scorecard::from_str(&text, format)
            .unwrap_or_else(|e| panic!("{what} is a good fixture but does not load:\n{e}"));
        assert_round_trip(&what, &scorecard);
    }
}

fn validator() -> jsonschema::Validator {
    let schema = ragulator::json_schema();
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "schemars writes draft 2020-12"
    );
    jsonschema::draft202012::new(&schema).expect("the schema is a valid draft 2020-12 schema")
}

fn schema_errors(validator: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_example_validates_against_the_json_schema() {
    let validator = validator();
    let (_, text) = example();
    // The document as written (numbers as numbers) ...
    let as_written: serde_json::Value = toml::from_str(&text).expect("TOML as JSON");
    assert_eq!(schema_errors(&validator, &as_written), Vec::<String>::new());
    // ... and as ragulator writes it (decimals as strings).
    let scorecard = Scorecard::from_toml(&text).expect("the example loads");
    let json = scorecard.to_string(Format::Json).expect("JSON");
    let written: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(schema_errors(&validator, &written), Vec::<String>::new());
}

#[test]
fn json_and_yaml_fixtures_validate_against_the_json_schema() {
    let validator = validator();
    for (path, format, text) in fixtures() {
        let doc: serde_json::Value = match format {
            Format::Json => serde_json::from_str(&text).expect("JSON fixture"),
            Format::Yaml => serde_saphyr::from_str(&text).expect("YAML fixture"),
            Format::Toml => toml::from_str(&text).expect("TOML fixture"),
        };
        assert_eq!(
            schema_errors(&validator, &doc),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
    }
}

/// A way to spoil a good document.
type Breakage = fn(&mut serde_json::Value);

#[test]
fn bad_documents_fail_the_json_schema() {
    let validator = validator();
    let good = serde_json::json!({
        "ragulator": 1,
        "indicator": [{
            "id": "re_referrals", "name": "Re-referrals", "unit": "percent",
            "polarity": "lower_is_better", "target": 20,
            "rag": { "rule": "target", "amber": "5%" }
        }]
    });
    assert!(
        validator.is_valid(&good),
        "{:?}",
        schema_errors(&validator, &good)
    );
    let breakages: [(&str, Breakage); 6] = [
        ("an unknown polarity", |d| {
            d["indicator"][0]["polarity"] = "sideways".into()
        }),
        ("a missing unit", |d| {
            d["indicator"][0].as_object_mut().map(|o| o.remove("unit"));
        }),
        ("an unknown key", |d| {
            d["indicator"][0]["polarty"] = "none".into()
        }),
        ("a word for a tolerance", |d| {
            d["indicator"][0]["rag"]["amber"] = "five%".into()
        }),
        ("an unknown built-in rule", |d| {
            d["indicator"][0]["rag"]["rule"] = "vibes".into()
        }),
        ("a target entry without a value", |d| {
            d["indicator"][0]["target"] = serde_json::json!([{ "from": "2022-04" }])
        }),
    ];
    for (what, breakage) in breakages {
        let mut bad = good.clone();
        breakage(&mut bad);
        assert!(!validator.is_valid(&bad), "{what} should fail the schema");
        // The core agrees that it is not a scorecard.
        assert!(
            Scorecard::from_json(&bad.to_string()).is_err(),
            "{what} should not load"
        );
    }
}

// ---------------------------------------------------------------- properties

fn decimal() -> impl Strategy<Value = Decimal> {
    (-1_000_000_000i64..1_000_000_000, 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s))
}

fn non_negative() -> impl Strategy<Value = Decimal> {
    (0i64..10_000_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s))
}

fn tolerance() -> impl Strategy<Value = Tolerance> {
    prop_oneof![
        non_negative().prop_map(Tolerance::Units),
        non_negative().prop_map(Tolerance::Percent),
    ]
}

fn unit() -> impl Strategy<Value = Unit> {
    prop::sample::select(vec![
        Unit::Percent,
        Unit::Per10k,
        Unit::Per1000,
        Unit::Count,
        Unit::Days,
        Unit::Ratio,
    ])
}

fn polarity() -> impl Strategy<Value = Polarity> {
    prop::sample::select(vec![
        Polarity::HigherIsBetter,
        Polarity::LowerIsBetter,
        Polarity::Range,
        Polarity::None,
    ])
}

/// A target value fitting the polarity: a range for `range`, else a number.
fn target_value(polarity: Polarity) -> BoxedStrategy<TargetValue> {
    if polarity == Polarity::Range {
        (decimal(), non_negative())
            .prop_map(|(low, width)| TargetValue::Range {
                low: Dec(low),
                high: Dec(low + width),
            })
            .boxed()
    } else {
        decimal().prop_map(|d| TargetValue::Value(Dec(d))).boxed()
    }
}

fn target(polarity: Polarity) -> BoxedStrategy<Option<TargetSpec>> {
    // Time-varying: strictly increasing months from 2015-01.
    let steps =
        prop::collection::vec((1u32..=18, target_value(polarity)), 1..4).prop_map(|entries| {
            let mut month = 2015 * 12;
            let steps = entries
                .into_iter()
                .map(|(gap, value)| {
                    month += gap;
                    TargetStep {
                        from: format!("{}-{:02}", month / 12, month % 12 + 1),
                        value,
                    }
                })
                .collect();
            Some(TargetSpec::Steps(steps))
        });
    prop_oneof![
        Just(None),
        target_value(polarity).prop_map(|v| Some(TargetSpec::Constant(v))),
        steps,
    ]
    .boxed()
}

/// A built-in rule valid for the polarity on the default three-status scale.
fn rag(polarity: Polarity) -> BoxedStrategy<Option<RagSpec>> {
    let target_rule = tolerance()
        .prop_map(|amber| Some(RagSpec::Builtin(BuiltinRule::Target { amber, blue: None })));
    match polarity {
        Polarity::None => Just(None).boxed(),
        Polarity::Range => prop_oneof![Just(None), target_rule].boxed(),
        Polarity::HigherIsBetter | Polarity::LowerIsBetter => {
            let bands = (decimal(), 1i64..1_000_000).prop_map(move |(t, step)| {
                let other = t + Decimal::new(step, 2);
                // Best status first: descending when higher is better.
                let thresholds = if polarity == Polarity::HigherIsBetter {
                    vec![Dec(other), Dec(t)]
                } else {
                    vec![Dec(t), Dec(other)]
                };
                Some(RagSpec::Builtin(BuiltinRule::Bands { thresholds }))
            });
            prop_oneof![Just(None), target_rule, bands].boxed()
        }
    }
}

fn indicator(theme_count: usize) -> impl Strategy<Value = IndicatorSpec> {
    (
        "[a-z][a-z0-9_]{0,12}",
        "[A-Za-z][A-Za-z0-9 ,'%()-]{0,40}",
        unit(),
        polarity(),
        prop::option::of(0i64..=6),
        prop::option::of(0..theme_count.max(1)),
        prop::option::of(decimal()),
    )
        .prop_flat_map(move |(id, name, unit, polarity, decimals, theme, sn)| {
            (target(polarity), rag(polarity)).prop_map(move |(target, rag)| {
                let mut comparators = BTreeMap::new();
                if let Some(sn) = sn {
                    comparators.insert("sn".to_string(), Dec(sn));
                }
                IndicatorSpec {
                    id: id.clone(),
                    name: name.clone(),
                    theme: theme
                        .filter(|_| theme_count > 0)
                        .map(|t| format!("theme_{t}")),
                    unit,
                    polarity,
                    decimals,
                    target,
                    comparators,
                    missing: None,
                    rag,
                    spc: None,
                    measure: None,
                    description: None,
                }
            })
        })
}

fn scorecard_spec() -> impl Strategy<Value = ScorecardSpec> {
    (0usize..4)
        .prop_flat_map(|themes| {
            (
                Just(themes),
                prop::option::of("[A-Za-z][A-Za-z0-9 '—-]{0,30}"),
                prop::collection::vec(prop::bool::ANY, themes),
                prop::collection::vec(indicator(themes), 0..8),
            )
        })
        .prop_map(|(themes, name, majority, mut indicators)| {
            // Ids must be unique: suffix each with its position.
            for (i, ind) in indicators.iter_mut().enumerate() {
                ind.id = format!("{}_{i}", ind.id);
            }
            ScorecardSpec {
                ragulator: 1,
                name,
                description: None,
                calendar: None,
                comparators: BTreeMap::new(),
                sources: BTreeMap::new(),
                status: Vec::new(),
                theme: (0..themes)
                    .map(|t| ThemeSpec {
                        id: format!("theme_{t}"),
                        name: format!("Theme {t}"),
                        rollup: if majority[t] {
                            Rollup::Majority
                        } else {
                            Rollup::Worst
                        },
                        description: None,
                    })
                    .collect(),
                indicator: indicators,
                rules: BTreeMap::new(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_valid_scorecards_round_trip(spec in scorecard_spec()) {
        let scorecard = Scorecard::from_spec(spec.clone())
            .map_err(|e| TestCaseError::fail(format!("a valid spec was rejected: {e}")))?;
        prop_assert_eq!(scorecard.spec(), &spec);
        for format in FORMATS {
            let text = scorecard.to_string(format).map_err(TestCaseError::fail)?;
            let again = Scorecard::from_str(&text, format)
                .map_err(|e| TestCaseError::fail(format!("{format:?} did not reload: {e}\n{text}")))?;
            prop_assert_eq!(again.spec(), &spec, "via {:?}:\n{}", format, text);
        }
    }
}

/// Columns are 1-based everywhere: serde_json's column 0 (an empty
/// document, or a value cut off at the start of a line) is reported as 1.
#[test]
fn a_json_syntax_error_at_the_start_of_a_line_is_column_1() {
    for (text, line) in [("", 1), ("\n", 2), ("{\"ragulator\": 1,\n", 2)] {
        let err = Scorecard::from_json(text).expect_err("not a document");
        let d = &err.diagnostics[0];
        assert_eq!((d.line, d.column), (Some(line), Some(1)), "{text:?}: {d:?}");
    }
}

/// An error inside an expression points at its place in the expression:
/// the line and column of the unknown name, the unclosed parenthesis or the
/// end, in every format and string style, across escaped quotes and
/// indented lines; where the text was folded before it, at the value.
#[test]
fn an_expression_error_points_into_the_expression() {
    let indicator = "[[indicator]]\nid = 'x'\nname = 'X'\nunit = 'percent'\npolarity = 'higher_is_better'\ntarget = 5\nrag = 'r'\n";
    let toml =
        |rules: &str| format!("ragulator = 1\n{indicator}[rules.r]\n{rules}\notherwise = 'red'\n");
    let yaml = |clause: &str| {
        format!(
            "ragulator: 1\nindicator:\n  - {{id: x, name: X, unit: percent, polarity: higher_is_better, target: 5, rag: r}}\nrules:\n  r:\n    otherwise: red\n    when:\n      - status: green\n        if: {clause}\n"
        )
    };
    let cases: Vec<(String, Format, (usize, usize))> = vec![
        // Basic and literal strings: the unknown name.
        (toml("when = [ { status = 'green', if = \"gap >= 0 and bogus > 3\" } ]"), Format::Toml, (10, 49)),
        (toml("when = [ { status = 'green', if = 'gap >= 0 and bogus > 3' } ]"), Format::Toml, (10, 49)),
        // A multi-line string: the line the name is on.
        (toml("when = [ { status = 'green', if = \"\"\"\ngap >= 0 and\n  bogus > 3\"\"\" } ]"), Format::Toml, (12, 3)),
        (toml("when = [ { status = 'green', if = '''\ngap >= 0 and\n  bogus > 3''' } ]").replace('\n', "\r\n"), Format::Toml, (12, 3)),
        // A syntax error at the end: the closing quote.
        (toml("when = [ { status = 'green', if = \"gap >= (2\" } ]"), Format::Toml, (10, 45)),
        // JSON, after escaped quotes.
        (
            r#"{"ragulator": 1, "indicator": [{"id": "x", "name": "X", "unit": "percent", "polarity": "higher_is_better", "target": 5, "rag": "r"}],
"rules": {"r": {"when": [{"status": "green", "if": "\"a\" == \"a\" and bogus"}], "otherwise": "red"}}}"#
                .to_string(),
            Format::Json,
            (2, 72),
        ),
        // YAML: plain, double-quoted, and a literal block's second line.
        (yaml("gap >= 0 and bogus > 3"), Format::Yaml, (9, 26)),
        (yaml("\"gap >= 0 and bogus > 3\""), Format::Yaml, (9, 27)),
        (yaml("|\n          gap >= 0 and\n            bogus > 3"), Format::Yaml, (11, 13)),
        // An error at a block's end: after its last token, not on the next line.
        (yaml("|\n          gap >= 0 and\n"), Format::Yaml, (10, 23)),
        // Folded: the text's line break became a space, so the value.
        (yaml(">-\n          gap >= 0 and\n          bogus > 3"), Format::Yaml, (10, 11)),
    ];
    for (text, format, at) in cases {
        let err = Scorecard::from_str(&text, format).expect_err("unknown name");
        let d = &err.diagnostics[0];
        assert_eq!(d.path, "rules.r.when[0].if", "{text}");
        assert_eq!(
            (d.line, d.column),
            (Some(at.0), Some(at.1)),
            "{format:?}:\n{text}\n{d:?}"
        );
    }
}

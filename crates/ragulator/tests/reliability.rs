//! Reliability (issue 7): property tests (serialisation round trip of random
//! scorecards, idempotent rounding, polarity symmetry, explanations), the
//! input limits with their messages, and one scorecard shared by threads.
//!
//! The random scorecards come from the fuzz generator (`fuzz/src/lib.rs`,
//! `arbitrary_spec`), fed by proptest's bytes: the same structurally valid
//! scorecards the `evaluate_arbitrary` fuzz target builds, covering scales,
//! rule sets, comparators, bands, blue and `missing`, which the round-trip
//! property of `tests/scorecard.rs` does not.

#[allow(dead_code)]
#[path = "../../../fuzz/src/lib.rs"]
mod harness;

use std::sync::Arc;

use arbitrary::Unstructured;
use proptest::prelude::*;
use ragulator::eval::round_value;
use ragulator::expr::{self, CheckContext, Expr, Scope};
use ragulator::load::{MAX_INDICATORS, MAX_SCORECARD_BYTES};
use ragulator::model::ScorecardSpec;
use ragulator::observations::MAX_ROW_BYTES;
use ragulator::{Cell, EvaluateOptions, Format, Observations, Polarity, RawRow, Scorecard};
use rust_decimal::Decimal;

const FORMATS: [Format; 3] = [Format::Toml, Format::Json, Format::Yaml];

/// A structurally valid random scorecard from the fuzz generator.
fn spec() -> impl Strategy<Value = ScorecardSpec> {
    proptest::collection::vec(any::<u8>(), 64..2048)
        .prop_filter_map("the generator ran out of bytes", |bytes| {
            harness::arbitrary_spec(&mut Unstructured::new(&bytes)).ok()
        })
}

// The crate's unit-test strategies (`any_decimal`), shared rather than copied.
#[path = "../src/test_strategies.rs"]
#[allow(dead_code)]
mod test_strategies;
use test_strategies::any_decimal;

/// An everyday decimal: ±10,000 with up to 3 places.
fn decimal() -> impl Strategy<Value = Decimal> {
    (-10_000_000i64..=10_000_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Write in every format, load again: the same spec.
    #[test]
    fn random_scorecards_round_trip_through_every_format(spec in spec()) {
        let scorecard = Scorecard::from_spec(spec.clone())
            .map_err(|e| TestCaseError::fail(format!("a valid spec was refused: {e}")))?;
        for format in FORMATS {
            let text = scorecard.to_string(format).map_err(TestCaseError::fail)?;
            let again = Scorecard::from_str(&text, format)
                .map_err(|e| TestCaseError::fail(format!("{format:?} did not reload: {e}\n{text}")))?;
            prop_assert_eq!(again.spec(), &spec, "via {:?}:\n{}", format, text);
        }
    }

    /// Rounding twice is rounding once, at every scale and for every decimal.
    #[test]
    fn rounding_is_idempotent(v in any_decimal(), decimals in proptest::option::of(0u32..=28)) {
        let once = round_value(v, decimals);
        let twice = round_value(once, decimals);
        prop_assert_eq!(once, twice);
        prop_assert_eq!(once.scale(), twice.scale());
        prop_assert_eq!(once.to_string(), twice.to_string());
    }

    /// `lower_is_better` on negated values and targets judges exactly as
    /// `higher_is_better`: the target rule (units and percent tolerances,
    /// blue), and bands with negated thresholds.
    #[test]
    fn lower_is_better_mirrors_higher_is_better(
        target in decimal(),
        amber in (0i64..5_000).prop_map(|m| Decimal::new(m, 2)),
        blue in proptest::option::of((1i64..5_000).prop_map(|m| Decimal::new(m, 2))),
        percent in any::<bool>(),
        decimals in proptest::option::of(0u32..=3),
        bands in proptest::collection::btree_set(-100_000i64..100_000, 3),
        values in proptest::collection::vec(proptest::option::of(decimal()), 1..12),
    ) {
        let tol = |d: Decimal| if percent { format!("\"{d}%\"") } else { format!("\"{d}\"") };
        let blue_rule = blue.map(|b| format!(", blue = {}", tol(b))).unwrap_or_default();
        let decimals = decimals.map(|d| format!("decimals = {d}\n")).unwrap_or_default();
        // Best first: descending for higher is better; negated, ascending.
        let high: Vec<Decimal> = bands.iter().rev().map(|&t| Decimal::new(t, 1)).collect();
        let list = |ts: &[Decimal]| ts.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ");
        let low: Vec<Decimal> = high.iter().map(|t| -t).collect();
        let indicator = |id: &str, polarity: &str, target: Decimal, rag: String| format!(
            "[[indicator]]\nid = \"{id}\"\nname = \"{id}\"\nunit = \"count\"\npolarity = \"{polarity}\"\n{decimals}target = \"{target}\"\nrag = {rag}\n"
        );
        let card = format!(
            "ragulator = 1\n[[status]]\nid = \"blue\"\n[[status]]\nid = \"green\"\n[[status]]\nid = \"amber\"\n[[status]]\nid = \"red\"\n{}{}{}{}",
            indicator("t_hi", "higher_is_better", target, format!("{{ rule = \"target\", amber = {}{blue_rule} }}", tol(amber))),
            indicator("t_lo", "lower_is_better", -target, format!("{{ rule = \"target\", amber = {}{blue_rule} }}", tol(amber))),
            indicator("b_hi", "higher_is_better", target, format!("{{ rule = \"bands\", thresholds = [{}] }}", list(&high))),
            indicator("b_lo", "lower_is_better", -target, format!("{{ rule = \"bands\", thresholds = [{}] }}", list(&low))),
        );
        let scorecard = Scorecard::from_toml(&card).map_err(|e| TestCaseError::fail(format!("{card}\n{e}")))?;
        let mut csv = String::from("indicator,period,value\n");
        for (m, v) in values.iter().enumerate() {
            let period = format!("2022-{:02}", m + 1);
            let (v, neg) = v.map_or((String::new(), String::new()), |v| (v.to_string(), (-v).to_string()));
            for (id, text) in [("t_hi", &v), ("t_lo", &neg), ("b_hi", &v), ("b_lo", &neg)] {
                csv.push_str(&format!("{id},{period},{text}\n"));
            }
        }
        let data = scorecard.read_csv(csv.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(data.rejected().is_empty(), "{:?}", data.rejected());
        let evaluation = scorecard.evaluate(&data, &EvaluateOptions::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let status = |id: &str, period: &str| evaluation.results.iter()
            .find(|r| &*r.indicator == id && r.period.to_string() == period)
            .and_then(|r| r.status.clone());
        for (m, value) in values.iter().enumerate() {
            let period = format!("2022-{:02}", m + 1);
            for (hi, lo) in [("t_hi", "t_lo"), ("b_hi", "b_lo")] {
                if value.is_some() {
                    // A real judgement, not two matching no-data results.
                    let s = status(hi, &period);
                    prop_assert!(s.as_deref().is_some_and(|s| s != "no_data"), "{} at {}: {:?}", hi, period, s);
                }
                prop_assert_eq!(status(hi, &period), status(lo, &period),
                    "{} vs {} at {} (value {:?})\n{}", hi, lo, period, value, card);
            }
        }
    }

    /// Explanations never panic and always name the indicator, whatever
    /// its name, rule, scale, data (missing values too) and comparators.
    #[test]
    fn explanations_name_the_indicator(
        mut spec in spec(),
        names in proptest::collection::vec("[A-Za-z0-9][A-Za-z0-9 ,'%&()<>/-]{0,30}[A-Za-z0-9)%]", 6),
        values in proptest::collection::vec(
            (0usize..6, 0u32..24, proptest::option::of(decimal()), any::<bool>()), 0..40),
    ) {
        for (ind, name) in spec.indicator.iter_mut().zip(&names) {
            ind.name = name.clone();
        }
        let scorecard = Scorecard::from_spec(spec.clone())
            .map_err(|e| TestCaseError::fail(format!("a valid spec was refused: {e}")))?;
        let ids: Vec<String> = scorecard.indicators().iter().map(|i| i.id.clone()).collect();
        let periods: Vec<String> = values.iter()
            .map(|&(_, m, _, _)| format!("{}-{:02}", 2021 + m / 12, m % 12 + 1))
            .collect();
        let texts: Vec<String> = values.iter().map(|(_, _, v, _)| v.map(|v| v.to_string()).unwrap_or_default()).collect();
        let mut builder = scorecard.observations();
        for (k, &(i, _, _, comparator)) in values.iter().enumerate() {
            builder.push(RawRow {
                indicator: Some(&ids[i % ids.len()]),
                period: Some(&periods[k]),
                series: comparator.then_some("sn"),
                value: if texts[k].is_empty() { Cell::Empty } else { Cell::Text(&texts[k]) },
                ..RawRow::default()
            });
        }
        let data = builder.finish();
        let options = EvaluateOptions { explain: true, ..EvaluateOptions::default() };
        let evaluation = scorecard.evaluate(&data, &options).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for r in &evaluation.results {
            let name = &scorecard.indicator(&r.indicator).expect("a result's indicator exists").name;
            prop_assert!(r.explanation.contains(name.as_str()),
                "{}: explanation {:?} does not name {:?}", r.indicator, r.explanation, name);
        }
    }
}

// ------------------------------------------------------------------ limits

fn load_error(text: &str, format: Format) -> String {
    match Scorecard::from_str(text, format) {
        Ok(_) => panic!("expected a load error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_scorecard_over_the_size_limit_is_refused_before_parsing() {
    assert_eq!(MAX_SCORECARD_BYTES, 4 * 1024 * 1024);
    // Valid TOML all the way (a long comment): only the size is wrong.
    let text = format!("ragulator = 1\n#{}\n", "x".repeat(MAX_SCORECARD_BYTES));
    for format in FORMATS {
        let message = load_error(&text, format);
        assert!(
            message.contains(&format!(
                "the scorecard is {} bytes; the limit is {MAX_SCORECARD_BYTES} bytes (4 MiB)",
                text.len()
            )),
            "{format:?}: {message}"
        );
    }
}

fn ctx<'a>(statuses: &'a [String]) -> CheckContext<'a> {
    CheckContext {
        scope: Scope::Indicator,
        comparators: &[],
        statuses,
        polarity: Polarity::HigherIsBetter,
    }
}

#[test]
fn an_expression_over_the_length_limit_is_an_error() {
    assert_eq!(expr::MAX_LENGTH, 4096);
    let long = format!("value >= 0{}", " or value >= 1".repeat(300));
    assert!(long.len() > expr::MAX_LENGTH);
    let message = format!(
        "the expression is too long: {} bytes, at most {}",
        long.len(),
        expr::MAX_LENGTH
    );
    assert_eq!(expr::parse(&long).unwrap_err().message, message);
    assert_eq!(
        Expr::compile(&long, &ctx(&[])).unwrap_err().message,
        message
    );
    // And in a scorecard: a diagnostic naming the rule set and clause.
    let card = format!(
        "ragulator = 1\n[rules.long]\nwhen = [{{ status = \"green\", if = \"{long}\" }}]\notherwise = \"red\"\n\
         [[indicator]]\nid = \"x\"\nname = \"X\"\nunit = \"count\"\npolarity = \"higher_is_better\"\nrag = \"long\"\n"
    );
    let e = load_error(&card, Format::Toml);
    assert!(
        e.contains("in rule set 'long', clause 1") && e.contains(&message),
        "{e}"
    );
}

#[test]
fn an_expression_over_the_depth_limit_is_an_error_not_a_stack_overflow() {
    assert_eq!(expr::MAX_DEPTH, 48);
    let message = format!(
        "the expression is nested too deeply (more than {} levels)",
        expr::MAX_DEPTH
    );
    let at_limit = format!(
        "{}value{} >= 0",
        "(".repeat(expr::MAX_DEPTH - 2),
        ")".repeat(expr::MAX_DEPTH - 2)
    );
    assert!(Expr::compile(&at_limit, &ctx(&[])).is_ok(), "{at_limit}");
    let nested = [
        format!("{}value{} >= 0", "(".repeat(100), ")".repeat(100)),
        format!("{}value >= 0", "not ".repeat(100)),
        format!("{}value{} >= 0", "abs(".repeat(100), ")".repeat(100)),
        format!("value{} >= 0", " + 1".repeat(200)),
        // Within the length limit but as deep as it allows.
        "(".repeat(expr::MAX_LENGTH),
    ];
    for source in nested {
        let e = Expr::compile(&source, &ctx(&[])).unwrap_err();
        assert_eq!(e.message, message, "{}", &source[..40]);
    }
}

#[test]
fn more_than_10000_indicators_is_an_error() {
    assert_eq!(MAX_INDICATORS, 10_000);
    let card = |n: usize| {
        let mut s = String::from("ragulator = 1\n");
        for i in 0..n {
            s.push_str(&format!(
                "[[indicator]]\nid = \"i{i}\"\nname = \"I\"\nunit = \"count\"\npolarity = \"none\"\n"
            ));
        }
        s
    };
    assert!(Scorecard::from_toml(&card(MAX_INDICATORS)).is_ok());
    let e = load_error(&card(MAX_INDICATORS + 1), Format::Toml);
    assert!(
        e.contains("the scorecard has 10001 indicators; the limit is 10000"),
        "{e}"
    );
}

/// The rejected rows as (row, reason), to compare with a literal list.
fn rejected_rows(data: &Observations) -> Vec<(usize, &str)> {
    data.rejected()
        .iter()
        .map(|r| (r.row, r.reason.as_str()))
        .collect()
}

fn one_indicator() -> Scorecard {
    Scorecard::from_toml(
        "ragulator = 1\n[[indicator]]\nid = \"x\"\nname = \"X\"\nunit = \"count\"\npolarity = \"higher_is_better\"\ntarget = 5\nrag = { rule = \"target\", amber = 1 }\n",
    )
    .expect("the scorecard loads")
}

#[test]
fn a_csv_line_over_the_row_limit_is_a_rejected_row() {
    assert_eq!(MAX_ROW_BYTES, 64 * 1024);
    let s = one_indicator();
    let long_entity = "e".repeat(MAX_ROW_BYTES);
    let csv = format!(
        "entity,indicator,period,value\na,x,2022-01,4\n{long_entity},x,2022-01,4\nb,x,2022-01,6\n"
    );
    let data = s.read_csv(csv.as_bytes()).expect("the file reads");
    assert_eq!(data.input_rows(), 3);
    assert_eq!(data.len(), 2, "the rows either side are used");
    let rejected = data.rejected();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].row, 2);
    assert_eq!(
        rejected[0].reason,
        format!(
            "row is {} bytes long; the limit is {MAX_ROW_BYTES} bytes",
            MAX_ROW_BYTES + "x20220014".len()
        )
    );
}

#[test]
fn values_with_more_digits_than_a_decimal_holds_are_rejected_not_rounded() {
    // Rounded to 28 places first, 84.9499…9 would then round to 85.0 at
    // one place, where the number written rounds to 84.9.
    let s = one_indicator();
    let csv = "indicator,period,value\n\
               x,2022-01,84.949999999999999999999999999999999\n\
               x,2022-02,0.0000000000000000000000000000000000000001\n\
               x,2022-03,84.9500000000000000000000000000000000\n\
               x,2022-04,1.23456789012345678901234567891\n";
    let data = s.read_csv(csv.as_bytes()).expect("the file reads");
    let rejected = rejected_rows(&data);
    assert_eq!(
        rejected.iter().map(|r| r.0).collect::<Vec<_>>(),
        [1, 2, 4],
        "{rejected:?}"
    );
    for (_, reason) in &rejected {
        assert!(
            reason.contains("has more digits than a decimal holds exactly"),
            "{reason}"
        );
    }
    // Trailing zeros are not digits lost: 84.95 is kept.
    assert_eq!(data.len(), 1);
}

#[test]
fn malformed_numerals_are_rejected_as_not_numbers() {
    // rust_decimal reads `8_5` as 85 and reports `1.2.3` as out of range;
    // a data row and a scorecard say "not a number" for both.
    let s = one_indicator();
    let cells = [
        "8_5", "85_", "1_e2", "1.2.3", "--1", "1e", "1e+", ".", "-.", ".e1",
    ];
    let mut csv = String::from("indicator,period,value\n");
    for (i, cell) in cells.iter().enumerate() {
        csv += &format!("x,2022-{:02},{cell}\nx,2023-{:02},{i}.5\n", i + 1, i + 1);
    }
    let data = s.read_csv(csv.as_bytes()).expect("the file reads");
    let rejected = rejected_rows(&data);
    let expected: Vec<(usize, String)> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                2 * i + 1,
                format!("not a number in column value: '{c}' is not a number"),
            )
        })
        .collect();
    let got: Vec<(usize, String)> = rejected.iter().map(|(r, m)| (*r, m.to_string())).collect();
    assert_eq!(got, expected);
    assert_eq!(data.len(), cells.len(), "the well-formed rows are used");

    for target in ["8_5", "1.2.3"] {
        let toml = format!(
            "ragulator = 1\n[[indicator]]\nid = \"x\"\nname = \"X\"\nunit = \"count\"\npolarity = \"higher_is_better\"\ntarget = \"{target}\"\nrag = {{ rule = \"target\", amber = 1 }}\n"
        );
        assert_eq!(
            load_error(&toml, Format::Toml),
            format!(
                "invalid scorecard: indicator[0].target: line 7, column 10: '{target}' is not a number"
            )
        );
    }
}

#[test]
fn duplicates_that_agree_on_the_value_give_the_same_result_in_any_order() {
    // DESIGN.md 5: results do not depend on row order. `1/2`, `2/4` and
    // `50` are one value for a percentage; the row kept is chosen by how it
    // gave it (a value first, then the smallest numerator), not by order.
    let s = Scorecard::from_toml(
        "ragulator = 1\n[[indicator]]\nid = \"p\"\nname = \"P\"\nunit = \"percent\"\npolarity = \"higher_is_better\"\ntarget = 85\nrag = { rule = \"target\", amber = 1 }\n",
    )
    .expect("the scorecard loads");
    let rows = [
        "p,2022-01,,2,4",
        "p,2022-01,,1,2",
        "p,2022-02,,2.0,4",
        "p,2022-02,,2,4",
        "p,2022-03,50,,",
        "p,2022-03,,1,2",
    ];
    let results = |order: &[usize]| {
        let mut csv = String::from("indicator,period,value,numerator,denominator\n");
        for &i in order {
            csv += rows[i];
            csv.push('\n');
        }
        let data = s.read_csv(csv.as_bytes()).expect("the file reads");
        assert!(data.rejected().is_empty(), "{:?}", data.rejected());
        let json = s
            .evaluate(&data, &Default::default())
            .expect("evaluates")
            .to_json();
        json["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["period"].to_string(),
                    r["numerator"].to_string(),
                    r["denominator"].to_string(),
                    r["explanation"].to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let forward = results(&[0, 1, 2, 3, 4, 5]);
    assert_eq!(forward, results(&[5, 4, 3, 2, 1, 0]));
    assert_eq!(forward, results(&[1, 0, 3, 2, 5, 4]));
    let given: Vec<(&str, &str)> = forward
        .iter()
        .map(|r| (r.1.as_str(), r.2.as_str()))
        .collect();
    assert_eq!(
        given,
        [("\"1\"", "\"2\""), ("\"2\"", "\"4\""), ("null", "null")]
    );
}

/// One indicator with the given target, amber tolerance and bands rule
/// thresholds written as bare numbers (not strings), in `format`.
fn numbers_in(format: Format, target: &str, amber: &str, threshold: &str) -> String {
    match format {
        Format::Toml => format!(
            "ragulator = 1\n[[indicator]]\nid = \"x\"\nname = \"X\"\nunit = \"count\"\npolarity = \"higher_is_better\"\ntarget = {target}\nrag = {{ rule = \"target\", amber = {amber} }}\n\
             [[indicator]]\nid = \"y\"\nname = \"Y\"\nunit = \"count\"\npolarity = \"higher_is_better\"\nrag = {{ rule = \"bands\", thresholds = [{threshold}, 1] }}\n"
        ),
        Format::Json => format!(
            r#"{{"ragulator": 1, "indicator": [{{"id": "x", "name": "X", "unit": "count", "polarity": "higher_is_better", "target": {target}, "rag": {{"rule": "target", "amber": {amber}}}}},
               {{"id": "y", "name": "Y", "unit": "count", "polarity": "higher_is_better", "rag": {{"rule": "bands", "thresholds": [{threshold}, 1]}}}}]}}"#
        ),
        Format::Yaml => format!(
            "ragulator: 1\nindicator:\n  - id: x\n    name: X\n    unit: count\n    polarity: higher_is_better\n    target: {target}\n    rag: {{ rule: target, amber: {amber} }}\n\
             \x20 - id: y\n    name: Y\n    unit: count\n    polarity: higher_is_better\n    rag: {{ rule: bands, thresholds: [{threshold}, 1] }}\n"
        ),
    }
}

#[test]
fn numbers_written_in_a_scorecard_are_exact_in_every_format() {
    // 21 significant digits: an f64 would keep about 15 (84.95123456789013).
    let (target, amber, threshold) = (
        "84.9512345678901234567",
        "0.000000000000000000001",
        "2.00000000000000000001",
    );
    let data = "indicator,period,value\nx,2022-06,84.95123456789012345667\ny,2022-06,2.000000000000000000005\n";
    for format in [Format::Toml, Format::Json, Format::Yaml] {
        let text = numbers_in(format, target, amber, threshold);
        let s = Scorecard::from_str(&text, format)
            .unwrap_or_else(|e| panic!("{format:?} loads: {e}\n{text}"));
        let obs = s.read_csv(data.as_bytes()).expect("the data reads");
        let json = s
            .evaluate(&obs, &EvaluateOptions::default())
            .expect("evaluates")
            .to_json();
        let x = &json["results"][0];
        assert_eq!(x["target"], target, "{format:?}");
        // The gap (-0.00000000000000000003) is just beyond the tolerance
        // written: amber only if the tolerance kept its 21st place.
        assert_eq!(x["gap"], "-0.00000000000000000003", "{format:?}");
        assert_eq!(x["status"], "red", "{format:?}");
        // Just under the threshold written (at 2, it would be the top band).
        assert_eq!(json["results"][1]["status"], "amber", "{format:?}");
    }
}

#[test]
fn whole_numbers_beyond_64_bits_are_decimals_or_out_of_range_in_every_format() {
    // TOML reads them as 128-bit integers: a decimal holds up to 96 bits,
    // so 2^64 is a number like any other and 2^100 is out of range (it was
    // a panic in rust_decimal's constructor).
    let (fits, too_big) = ("18446744073709551616", "1267650600228229401496703205376");
    for format in [Format::Toml, Format::Json, Format::Yaml] {
        let text = numbers_in(format, fits, fits, fits);
        let s = Scorecard::from_str(&text, format)
            .unwrap_or_else(|e| panic!("{format:?} loads: {e}\n{text}"));
        let obs = s
            .read_csv(b"indicator,period,value\nx,2022-06,1\n")
            .expect("the data reads");
        let json = s
            .evaluate(&obs, &EvaluateOptions::default())
            .expect("evaluates")
            .to_json();
        assert_eq!(json["results"][0]["target"], fits, "{format:?}");
        for (t, a, b) in [
            (too_big, "1", "2"),
            ("1", too_big, "2"),
            ("1", "1", too_big),
        ] {
            let text = numbers_in(format, t, a, b);
            let e = load_error(&text, format);
            assert!(e.contains("is out of range"), "{format:?}: {e}");
            let negative = numbers_in(format, &format!("-{too_big}"), "1", "2");
            assert!(
                load_error(&negative, format).contains("out of range"),
                "{format:?}"
            );
        }
    }
}

/// A JSON number in exponent form is read as written: serde_json's default
/// fast path read 979e-25 one unit in the last place off
/// (9.789999999999999e-23), which was then refused as too long, or could
/// have been taken as a different value. (This suite's dev-dependencies
/// switch on serde_json's `float_roundtrip`, which hides that fast path;
/// the fixture json-numbers-in-exponent-form catches it in the Python and
/// JS runs, which are built without them.)
#[test]
fn json_numbers_in_exponent_form_are_read_as_written() {
    let s = one_indicator();
    let written = [
        "979e-25",
        "744e-28",
        "25e-23",
        "941e-23",
        "5e-5",
        "123456.789e-3",
    ];
    let rows: Vec<String> = written
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                r#"{{"indicator": "x", "period": "2022-{:02}", "value": {v}}}"#,
                i + 1
            )
        })
        .collect();
    let data = s
        .read_json(format!("[{}]", rows.join(",")).as_bytes())
        .expect("the rows read");
    assert_eq!(rejected_rows(&data), []);
    let out = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates")
        .to_json();
    let values: Vec<Decimal> = out["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["value"]
                .as_str()
                .unwrap_or("")
                .parse()
                .expect("a decimal")
        })
        .collect();
    let want: Vec<Decimal> = written
        .iter()
        .map(|v| Decimal::from_scientific(v).expect("a decimal"))
        .collect();
    assert_eq!(values, want);
}

/// A key written twice in one JSON object is an error naming it and where:
/// serde_json keeps the last, so one value would be dropped silently.
#[test]
fn a_json_key_written_twice_in_one_object_fails_naming_it() {
    let s = one_indicator();
    let json =
        b"[\n  {\"indicator\": \"x\", \"period\": \"2022-01\", \"value\": 6, \"value\": 7}\n]";
    let message = match s.read_json(json) {
        Ok(_) => panic!("a key given twice was read"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        message,
        "the data is not valid JSON: key `value` given twice in one object; keep one, so that no value is ignored, at line 2 column 61"
    );
}

#[test]
fn json_row_keys_are_matched_as_csv_headers_and_none_is_dropped() {
    // As CSV headers: ignoring case and spaces. An object that gives a
    // column twice is a rejected row: one of its values would be ignored.
    let s = one_indicator();
    let json = br#"[
        {"Indicator": "x", " PERIOD ": "2022-01", "Value": 6},
        {"indicator": "x", "period": "2022-02", "value": 4, "Value": 7},
        {"indicator": "x", "period": "2022-03", "value": 3, "note": "extra keys are ignored"}
    ]"#;
    let data = s.read_json(json).expect("the rows read");
    assert_eq!(data.input_rows(), 3);
    let rejected = rejected_rows(&data);
    assert_eq!(
        rejected,
        [(2, "column value given twice in this row (Value, value); keep one, so that no value is ignored")]
    );
    let out = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates")
        .to_json();
    let values: Vec<(&str, &str)> = out["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap_or(""),
                r["value"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(values, [("2022-01", "6"), ("2022-03", "3")]);
}

#[test]
fn floats_with_few_digits_read_as_before_and_too_many_are_refused() {
    for format in [Format::Toml, Format::Json, Format::Yaml] {
        // Up to 15 digits a float is its shortest representation: `20.0` is 20.
        let s = Scorecard::from_str(&numbers_in(format, "20.0", "0.5", "3.25"), format)
            .unwrap_or_else(|e| panic!("{format:?} loads: {e}"));
        let obs = s
            .read_csv(b"indicator,period,value\nx,2022-06,19.5\n")
            .expect("the data reads");
        let json = s
            .evaluate(&obs, &EvaluateOptions::default())
            .expect("evaluates")
            .to_json();
        assert_eq!(json["results"][0]["target"], "20", "{format:?}");
        assert_eq!(json["results"][0]["status"], "amber", "{format:?}");
        // More digits than a decimal holds: refused, as in a string or a data cell.
        let err = load_error(
            &numbers_in(format, "84.949999999999999999999999999999", "1", "3"),
            format,
        );
        assert!(
            err.contains("has more digits than a decimal holds exactly")
                && err.contains("indicator[0].target"),
            "{format:?}: {err}"
        );
    }
}

#[test]
fn json_data_numbers_are_the_decimals_written() {
    let s = one_indicator();
    // 21 significant digits (an f64 keeps about 15), a string holding
    // digits (left alone), more digits than a decimal holds (refused, as
    // in CSV), an integer beyond u64, and a short float.
    let json = br#"[
        {"indicator": "x", "period": "2022-01", "value": 84.9512345678901234567},
        {"indicator": "x", "period": "2022-02", "value": "12345678901234567.5", "entity": "a \"1234567890123456789\""},
        {"indicator": "x", "period": "2022-03", "value": 84.949999999999999999999999999999},
        {"indicator": "x", "period": "2022-04", "value": 123456789012345678901234},
        {"indicator": "x", "period": "2022-05", "value": 84.95}
    ]"#;
    let data = s.read_json(json).expect("the data reads");
    let rejected = rejected_rows(&data);
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].0, 3);
    assert!(rejected[0]
        .1
        .contains("has more digits than a decimal holds exactly"));
    let out = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates")
        .to_json();
    let values: Vec<(&str, &str)> = out["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| Some((r["period"].as_str()?, r["value"].as_str()?)))
        .collect();
    assert_eq!(
        values,
        [
            ("2022-01", "84.9512345678901234567"),
            ("2022-04", "123456789012345678901234"),
            ("2022-05", "84.95"),
            ("2022-02", "12345678901234567.5"),
        ]
    );
}

#[test]
fn values_beyond_decimal_range_are_rejected_rows() {
    let s = one_indicator();
    let csv = "indicator,period,value\nx,2022-01,79228162514264337593543950336\nx,2022-02,-1e29\nx,2022-03,1e-40\nx,2022-04,5\n";
    let data = s.read_csv(csv.as_bytes()).expect("the file reads");
    let reasons = rejected_rows(&data);
    let range = "is out of range: decimals must lie within ±79,228,162,514,264,337,593,543,950,335";
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert_eq!(reasons[0].0, 1);
    assert!(
        reasons[0]
            .1
            .contains(&format!("'79228162514264337593543950336' {range}")),
        "{reasons:?}"
    );
    assert_eq!(reasons[1].0, 2);
    assert!(
        reasons[1].1.contains(&format!("'-1e29' {range}")),
        "{reasons:?}"
    );
    // Too many decimal places is out of range too, and says so.
    assert_eq!(reasons[2].0, 3);
    assert!(
        reasons[2].1.contains(
            "'1e-40' is out of range: decimals have at most 28 decimal places (the smallest non-zero size is 1e-28)"
        ),
        "{reasons:?}"
    );
    assert_eq!(data.len(), 1);

    // Floats from bindings: beyond range and infinities are rejected too.
    let mut b = s.observations();
    for (month, v) in [(1, 1e300), (2, f64::INFINITY), (3, 4.5)] {
        let period = format!("2022-{month:02}");
        b.push(RawRow {
            indicator: Some("x"),
            period: Some(&period),
            value: Cell::Float(v),
            ..RawRow::default()
        });
    }
    let data = b.finish();
    assert_eq!(data.len(), 1);
    let reasons: Vec<&str> = data.rejected().iter().map(|r| r.reason.as_str()).collect();
    assert!(reasons[0].contains("out of range"), "{reasons:?}");
    assert!(reasons[1].contains("infinit"), "{reasons:?}");
    let rows: Vec<usize> = data.rejected().iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![1, 2]);
}

#[test]
fn periods_outside_1900_to_2200_are_rejected_rows() {
    assert_eq!(
        (ragulator::period::MIN_YEAR, ragulator::period::MAX_YEAR),
        (1900, 2200)
    );
    let s = one_indicator();
    let csv = "indicator,period,value\nx,1899-12,4\nx,1900-01,4\nx,2200-12,4\nx,2201-01,4\nx,2201/02,4\nx,1899-Q4,4\n";
    let data = s.read_csv(csv.as_bytes()).expect("the file reads");
    let reasons = rejected_rows(&data);
    assert_eq!(data.len(), 2, "1900-01 and 2200-12 are inside: {reasons:?}");
    let rows: Vec<usize> = reasons.iter().map(|r| r.0).collect();
    assert_eq!(rows, vec![1, 4, 5, 6]);
    for (row, year) in [(1, 1899), (4, 2201), (5, 2201), (6, 1899)] {
        let reason = reasons.iter().find(|r| r.0 == row).expect("rejected").1;
        assert!(
            reason.contains(&format!(
                "year {year} is outside the supported range 1900 to 2200"
            )),
            "row {row}: {reason}"
        );
    }
}

/// A blank line is skipped, as pandas does (docs/decisions.md, empty cells).
#[test]
fn a_blank_csv_line_is_not_a_row_and_a_line_of_commas_is_a_rejected_one() {
    let s = one_indicator();
    let csv = "indicator,period,value\nx,2022-01,4\n\nx,2022-02,oops\n,,\r\n\r\nx,2022-03,6\n";
    let data = s.read_csv(csv.as_bytes()).expect("the file reads");
    assert_eq!(data.input_rows(), 4, "blank lines are not counted");
    let rejected = rejected_rows(&data);
    assert_eq!(
        rejected,
        [
            (2, "not a number in column value: 'oops' is not a number"),
            (3, "no indicator given"),
        ],
        "row numbers count data rows, not lines"
    );
    assert_eq!(data.len(), 2);
}

/// Identical duplicate rows are used (one observation), not lost: rows used
/// = input rows - rejected. Found by the `evaluate_arbitrary` fuzz harness.
#[test]
fn identical_duplicates_count_as_used_rows() {
    let s = one_indicator();
    let csv = "indicator,period,value\nx,2022-01,4\nx,2022-01,4.0\nx,2022-02,4\nx,2022-02,5\n";
    let data = s.read_csv(csv.as_bytes()).expect("the file reads");
    assert_eq!(data.input_rows(), 4);
    assert_eq!(data.rejected().len(), 2, "the conflicting pair");
    assert_eq!(data.len(), 2, "both identical rows are used");
    let evaluation = s.evaluate(&data, &EvaluateOptions::default()).unwrap();
    assert_eq!(evaluation.to_json()["rows"]["used"], 2);
}

// ------------------------------------------------------------- concurrency

#[path = "../benches/common/mod.rs"]
mod common;

/// The CSV of batch `k`: its own entities, months and values.
fn batch_csv(k: usize, indicators: usize) -> String {
    let mut s = String::from("entity,indicator,period,value\n");
    for e in 0..3 + k {
        for i in 0..indicators {
            for m in 0..6 + 2 * k {
                let v = 60 + (e * 7 + i * 13 + m * 5 + k * 11) % 35;
                let (year, month) = (2021 + (3 + m) / 12, (3 + m) % 12 + 1);
                s.push_str(&format!(
                    "b{k}e{e},ind{i},{year}-{month:02},{v}.{}\n",
                    (e + m) % 10
                ));
            }
        }
    }
    s
}

#[test]
fn one_scorecard_shared_by_8_threads_gives_the_sequential_results() {
    fn shared<T: Send + Sync>(_: &T) {}
    let scorecard = Arc::new(
        Scorecard::from_toml(&common::scorecard_toml(20)).expect("the bench scorecard loads"),
    );
    shared(&*scorecard);
    let batches: Vec<String> = (0..8).map(|k| batch_csv(k, 20)).collect();
    let options = EvaluateOptions {
        explain: true,
        ..EvaluateOptions::default()
    };
    let run = |s: &Scorecard, csv: &str| {
        let data = s.read_csv(csv.as_bytes()).expect("the batch reads");
        let evaluation = s.evaluate(&data, &options).expect("the batch evaluates");
        (evaluation.results.len(), evaluation.to_json())
    };
    let sequential: Vec<_> = batches.iter().map(|csv| run(&scorecard, csv)).collect();
    let parallel: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = batches
            .iter()
            .map(|csv| {
                let scorecard = Arc::clone(&scorecard);
                let run = &run;
                scope.spawn(move || run(&scorecard, csv))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no thread panicked"))
            .collect()
    });
    for (k, (seq, par)) in sequential.iter().zip(&parallel).enumerate() {
        assert!(seq.0 > 0, "batch {k} has results");
        assert_eq!(seq, par, "batch {k}");
    }
    // The batches differ, so equal results are not a coincidence.
    assert_ne!(sequential[0].1, sequential[1].1);
}

/// A percentage tolerance of a target near Decimal's limit overflowed
/// `target × percent` and panicked inside rust_decimal (found by the
/// explanation property); it now saturates and judges normally.
#[test]
fn a_percentage_tolerance_of_a_huge_target_does_not_overflow() {
    let card = "ragulator = 1\n[[status]]\nid = \"blue\"\n[[status]]\nid = \"green\"\n[[status]]\nid = \"amber\"\n[[status]]\nid = \"red\"\n\
        [[indicator]]\nid = \"x\"\nname = \"Huge\"\nunit = \"count\"\npolarity = \"lower_is_better\"\n\
        target = \"70000000000000000000000000000\"\nrag = { rule = \"target\", amber = \"5000%\", blue = \"90%\" }\n";
    let s = Scorecard::from_toml(card).expect("the scorecard loads");
    let data = s
        .read_csv(b"indicator,period,value\nx,2022-01,-70000000000000000000000000000\nx,2022-02,79228162514264337593543950335\n")
        .expect("the data reads");
    assert!(data.rejected().is_empty(), "{:?}", data.rejected());
    let options = EvaluateOptions {
        explain: true,
        ..EvaluateOptions::default()
    };
    let evaluation = s.evaluate(&data, &options).expect("evaluates");
    let statuses: Vec<Option<&str>> = evaluation
        .results
        .iter()
        .map(|r| r.status.as_deref())
        .collect();
    // -7e28 beats the target by 1.4e29 (overflow: no gap, so no data), and
    // 7.9e28 is 0.9e28 worse, well inside a 5000% tolerance.
    assert_eq!(statuses.len(), 2);
    assert_eq!(
        statuses,
        vec![Some("no_data"), Some("amber")],
        "{:?}",
        evaluation.to_json()
    );
    assert!(evaluation
        .results
        .iter()
        .all(|r| r.explanation.contains("Huge")));
}

/// A number written with an exponent, or a float, past a decimal's 28
/// places is refused like the same number written out, not rounded.
#[test]
fn numbers_past_28_places_are_refused_however_written() {
    let s = one_indicator();
    let csv = b"indicator,period,value\nx,2022-01,1.2345678901234567e-20\nx,2022-02,1.5e-27\nx,2022-03,0.0000000000000000000000000000003\n";
    let data = s.read_csv(csv).expect("the data reads");
    let rejected: Vec<usize> = data.rejected().iter().map(|r| r.row).collect();
    assert_eq!(rejected, [1, 3]);
    assert!(data.rejected().iter().all(|r| r
        .reason
        .contains("has more digits than a decimal holds exactly")));
    let mut b = s.observations();
    b.push(ragulator::RawRow {
        indicator: Some("x"),
        period: Some("2022-01"),
        value: ragulator::Cell::Float(3e-29),
        ..ragulator::RawRow::default()
    });
    let floats = b.finish();
    assert_eq!(floats.rejected().len(), 1, "3e-29 is not rounded to 0");
    assert!(ragulator::Scorecard::from_toml(
        "ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget='1.2345678901234567e-20'\nrag={rule='target',amber=1}\n"
    )
    .is_err());
}

/// A byte order mark before JSON (as editors on Windows save it) is read
/// past, as it is before CSV, TOML and YAML.
#[test]
fn json_with_a_byte_order_mark_reads() {
    let card = "\u{feff}{\"ragulator\": 1, \"indicator\": [{\"id\": \"x\", \"name\": \"X\", \"unit\": \"count\", \"polarity\": \"none\"}]}";
    let s = ragulator::Scorecard::from_json(card).expect("the scorecard loads");
    let data = s
        .read_json(
            "\u{feff}[{\"indicator\": \"x\", \"period\": \"2022-01\", \"value\": 1}]".as_bytes(),
        )
        .expect("the data reads");
    assert_eq!(data.len(), 1);
    let overrides = s
        .read_overrides_json("\u{feff}[]".as_bytes())
        .expect("the overrides read");
    assert!(overrides.is_empty());
}

/// A data column given twice ("value" and "Value") is an error naming
/// both: one of them would otherwise be ignored.
#[test]
fn a_column_given_twice_is_an_error() {
    let s = one_indicator();
    let err = s
        .read_csv(b"indicator,period,value,Value\nx,2022-01,1,2\n")
        .expect_err("two value columns");
    assert_eq!(err.column.as_deref(), Some("value"));
    assert!(err.message.contains("columns 3 and 4"), "{}", err.message);
}

/// An error in a rule set that does not depend on who uses it is reported
/// once, naming the first user; one that does (a polarity) once per user.
#[test]
fn a_rule_set_error_is_reported_once_not_once_per_indicator() {
    let indicator = |id: &str, polarity: &str| {
        format!("[[indicator]]\nid = \"{id}\"\nname = \"{id}\"\nunit = \"count\"\npolarity = \"{polarity}\"\nrag = \"r\"\n")
    };
    let toml = format!(
        "ragulator = 1\n{}{}{}[rules.r]\nwhen = [{{ status = \"green\", if = \"abs(1, 2) > 0\" }}, {{ status = \"amber\", if = \"better(value, 1)\" }}]\notherwise = \"red\"\n",
        indicator("a", "none"),
        indicator("b", "range"),
        indicator("c", "none"),
    );
    let e = Scorecard::from_str(&toml, Format::Toml).expect_err("invalid");
    let got: Vec<(&str, &str)> = e
        .diagnostics
        .iter()
        .map(|d| (d.path.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(
        got[0]
            .1
            .contains("clause 1 (used by indicator[0].rag): column 1: abs takes 1 argument"),
        "{got:#?}"
    );
    assert!(
        got[1].1.contains("(used by indicator[0].rag)") && got[1].1.contains("polarity none"),
        "{got:#?}"
    );
    assert!(
        got[2].1.contains("(used by indicator[1].rag)") && got[2].1.contains("polarity range"),
        "{got:#?}"
    );
}

/// A second override for the same indicator and period fails the call,
/// naming both rows (a judgement must not silently replace another).
#[test]
fn a_second_override_for_the_same_place_names_both_rows() {
    let s = one_indicator();
    let overrides = s
        .read_overrides_csv(b"indicator,period,status,reason\nx,2022-02,red,a\nx,2022-01,red,a\nx,2022-01,green,b\n")
        .expect("the overrides read");
    let data = s
        .read_csv(b"indicator,period,value\nx,2022-01,4\n")
        .expect("the data reads");
    let options = EvaluateOptions {
        overrides,
        ..EvaluateOptions::default()
    };
    let err = s.evaluate(&data, &options).expect_err("two overrides");
    assert_eq!(err.row, Some(3));
    assert!(
        err.message
            .contains("the overrides give two for the same entity, indicator or theme and period (rows 2 and 3)"),
        "{}",
        err.message
    );
}

/// Overrides read only an override's columns (CSV) or keys (JSON), in any
/// case: any other, one given twice, a row with fields the header lacks, a
/// value under an unnamed column (or key) or an entry that is not an object
/// fails the call, since ignoring it could widen or cut short a judgement.
/// An unnamed column left empty (a trailing comma from a spreadsheet) is
/// fine, in CSV and as a JSON key that is empty.
#[test]
fn overrides_refuse_what_they_would_otherwise_ignore() {
    let s = one_indicator();
    let csv = |text: &str| {
        s.read_overrides_csv(text.as_bytes())
            .map_err(|e| e.to_string())
    };
    let json = |text: &str| {
        s.read_overrides_json(text.as_bytes())
            .map_err(|e| e.to_string())
    };
    for (got, want) in [
        (
            csv("indicator,period,status,reason,agreed_by\nx,2022-01,red,late,HoS\n"),
            "column agreed_by: unknown column 'agreed_by' in the overrides; an override's columns are entity, indicator, theme, period, status, reason (no others, so that a misspelt one is not ignored)",
        ),
        (
            csv("indicator,period,status,reason,Reason\nx,2022-01,red,late,late\n"),
            "column reason: column reason given twice in the overrides; keep one, so that no value is ignored",
        ),
        (
            csv("indicator,period,status,reason\nx,2022-01,red\n"),
            "row 1: row has 3 fields; the header has 4",
        ),
        (
            csv("indicator,period,status,reason,\nx,2022-01,red,late,HoS\n"),
            "row 1: a value in column 5, which has no name in the header; an override's columns are entity, indicator, theme, period, status, reason",
        ),
        (
            json(r#"[{"indicator": "x", "period": "2022-01", "status": "red", "reason": "late", "entitiy": "york"}]"#),
            "row 1, column entitiy: unknown key 'entitiy' in the overrides; an override's keys are entity, indicator, theme, period, status, reason (no others, so that a misspelt one is not ignored)",
        ),
        (
            json(r#"[{"indicator": "x", "period": "2022-01", "status": "red", "reason": "late", "": "HoS"}]"#),
            "row 1: a value under a key without a name; an override's keys are entity, indicator, theme, period, status, reason",
        ),
        (
            json(r#"[{"entity": "east", "indicator": "x", "period": "2022-01", "status": "red", "reason": "late", "entity": "west"}]"#),
            "the overrides are not valid JSON: key `entity` given twice in one object; keep one, so that no value is ignored, at line 1 column 102",
        ),
        (
            json(r#"[["x", "2022-01", "red", "late"]]"#),
            "row 1: expected an override object with the keys entity, indicator, theme, period, status, reason",
        ),
    ] {
        assert_eq!(got.expect_err(want), want);
    }
    let read = csv("INDICATOR, Period ,status,reason,\nx,2022-01,red,late,\n").expect("reads");
    assert_eq!((read.len(), read[0].reason.as_str()), (1, "late"));
    let read =
        json(r#"[{"Indicator": "x", " PERIOD": "2022-01", "Status": "red", "reason": "late"}]"#)
            .expect("reads");
    assert_eq!((read.len(), read[0].status.as_str()), (1, "red"));
    let read = json(r#"[{"indicator": "x", "period": "2022-01", "status": "red", "reason": "late", "": null, " ": ""}]"#)
        .expect("keys without a name that hold nothing are a frame's empty columns");
    assert_eq!(read.len(), 1);
}

/// An override for an entity the data writes in another case is an error
/// naming the data's spelling: it would otherwise add a second entity
/// beside the real one. One for an entity the data lacks is kept (a
/// judgement for one that sent nothing). Unknown names list the known ones.
#[test]
fn overrides_and_charts_name_what_would_be_valid() {
    let s = one_indicator();
    let data = s
        .read_csv(b"entity,indicator,period,value\nsouthampton,x,2022-01,4\n")
        .expect("the data reads");
    let with = |csv: &[u8]| EvaluateOptions {
        overrides: s.read_overrides_csv(csv).expect("the overrides read"),
        ..EvaluateOptions::default()
    };
    let err = s
        .evaluate(
            &data,
            &with(b"entity,indicator,period,status,reason\nSouthampton,x,2022-01,green,checked\n"),
        )
        .expect_err("a case slip");
    assert_eq!(err.to_string(), "row 1, column entity: the override names entity 'Southampton', which the data writes 'southampton' (entities are matched exactly); write 'southampton'");
    let out = s
        .evaluate(
            &data,
            &with(b"entity,indicator,period,status,reason\nportsmouth,x,2022-01,red,no return\n"),
        )
        .expect("an entity without data may be judged")
        .to_json();
    assert!(out["results"]
        .as_array()
        .expect("results")
        .iter()
        .any(|r| r["entity"] == "portsmouth" && r["status"] == "red"));

    let err = s
        .read_overrides_csv(b"indicator,period,status,reason\ny,2022-01,green,checked\n")
        .expect_err("unknown indicator");
    assert!(
        err.to_string()
            .ends_with("override names unknown indicator 'y'; indicators are: x"),
        "{err}"
    );
    let err = s.spc(&data, "x", Some("york")).expect_err("unknown entity");
    assert_eq!(
        err.message,
        "no data for entity 'york'; the data's entities are: southampton"
    );
    // The entity and indicator of a chart are options, not data columns:
    // the message is not prefixed "column entity:".
    assert_eq!(err.to_string(), err.message);
    let err = s.spc(&data, "y", None).expect_err("unknown indicator");
    assert_eq!(err.to_string(), "unknown indicator 'y'; indicators are: x");
}

/// Series are matched ignoring case, as columns are: `Actual` is the
/// actual value, `TARGET` the target, `SN` the comparator `sn`.
#[test]
fn series_are_matched_ignoring_case() {
    let s = Scorecard::from_toml(
        "ragulator = 1\n[comparators]\nsn = \"SN\"\n[[indicator]]\nid = \"x\"\nname = \"X\"\nunit = \"count\"\npolarity = \"higher_is_better\"\nrag = { rule = \"comparator\", against = \"sn\", amber = 1 }\n",
    )
    .expect("the scorecard loads");
    let csv =
        b"indicator,period,series,value\nx,2022-01,Actual,4\nx,2022-01,TARGET,6\nx,2022-01,SN,5\n";
    let data = s.read_csv(csv).expect("the data reads");
    let out = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates")
        .to_json();
    let r = &out["results"][0];
    assert_eq!(r["value"], "4");
    assert_eq!(r["target"], "6");
    assert_eq!(r["comparators"]["sn"], "5");
    assert_eq!(r["status"], "amber");
}

/// Observations read with another scorecard are refused, also inside a
/// merge: their rows name indicators by position.
#[test]
fn observations_of_another_scorecard_are_refused_even_merged() {
    let s = one_indicator();
    let other = Scorecard::from_toml(
        "ragulator = 1\n[[indicator]]\nid = \"y\"\nname = \"Y\"\nunit = \"count\"\npolarity = \"none\"\n",
    )
    .expect("the scorecard loads");
    let mine = s
        .read_csv(b"indicator,period,value\nx,2022-01,4\n")
        .expect("reads");
    let theirs = other
        .read_csv(b"indicator,period,value\ny,2022-01,4\n")
        .expect("reads");
    let options = EvaluateOptions::default();
    assert!(s.evaluate(&mine, &options).is_ok());
    let err = s
        .evaluate(&theirs, &options)
        .expect_err("another scorecard's");
    assert!(err.message.contains("another scorecard"), "{}", err.message);
    let merged = s.merge_observations(&[&mine, &theirs]);
    assert!(s.evaluate(&merged, &options).is_err());
    assert!(s.spc(&theirs, "x", None).is_err());
    // The same text loaded again is the same scorecard.
    let again = one_indicator();
    assert!(again.evaluate(&mine, &options).is_ok());
}

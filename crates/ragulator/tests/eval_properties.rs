//! Properties of evaluation (DESIGN.md sections 3-5), through the public API:
//! (a) improving a value never worsens its status; (b) row order changes
//! nothing; (c) input rows = used + rejected, with every bad row rejected.

use proptest::prelude::*;
use ragulator::{EvaluateOptions, Scorecard};
use rust_decimal::Decimal;
use serde_json::Value;

/// A decimal with up to 3 places in roughly ±1000.
fn decimal() -> impl Strategy<Value = Decimal> {
    (-1_000_000i64..=1_000_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s))
}

fn polarity() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("higher_is_better"), Just("lower_is_better")]
}

/// `decimals = n` or nothing.
fn decimals_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (0u32..=3).prop_map(|d| format!("decimals = {d}\n"))
    ]
}

/// The statuses of the two rows (periods 2022-01 and 2022-02), by rank
/// (0 = best), from the scorecard's own scale.
fn ranks(scorecard: &Scorecard, v1: Decimal, v2: Decimal) -> (usize, usize) {
    let csv = format!("indicator,period,value\nx,2022-01,{v1}\nx,2022-02,{v2}\n");
    let data = scorecard.read_csv(csv.as_bytes()).expect("valid data");
    assert!(data.rejected().is_empty(), "{:?}", data.rejected());
    let evaluation = scorecard
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluation");
    let rank = |period: &str| {
        let r = evaluation
            .results
            .iter()
            .find(|r| r.period.to_string() == period)
            .expect("a result per row");
        let status = r
            .status
            .as_deref()
            .expect("a ranked indicator has a status");
        scorecard
            .statuses()
            .iter()
            .position(|s| s.id == status)
            .unwrap_or_else(|| {
                panic!(
                    "{period}: status {status} is not ranked (value {:?})",
                    r.value
                )
            })
    };
    (rank("2022-01"), rank("2022-02"))
}

/// `better` moved from `worse` in the indicator's better direction.
fn improved(polarity: &str, worse: Decimal, step: Decimal) -> Decimal {
    if polarity == "higher_is_better" {
        worse + step.abs()
    } else {
        worse - step.abs()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// (a) target rule, both polarities, units or percent tolerances, with
    /// and without blue and rounding.
    #[test]
    fn improving_never_worsens_the_target_status(
        polarity in polarity(),
        decimals in decimals_line(),
        target in decimal(),
        amber in (0i64..50_000).prop_map(|m| Decimal::new(m, 2)),
        percent in any::<bool>(),
        blue in proptest::option::of((1i64..50_000).prop_map(|m| Decimal::new(m, 2))),
        worse in decimal(),
        step in decimal(),
    ) {
        let tol = |d: Decimal| if percent { format!("\"{d}%\"") } else { d.to_string() };
        let (scale, blue_rule) = match blue {
            Some(b) => (
                "[[status]]\nid = \"blue\"\n[[status]]\nid = \"green\"\n[[status]]\nid = \"amber\"\n[[status]]\nid = \"red\"\n",
                format!(", blue = {}", tol(b)),
            ),
            None => ("", String::new()),
        };
        let card = format!(
            "ragulator = 1\n{scale}[[indicator]]\nid = \"x\"\nname = \"X\"\nunit = \"count\"\npolarity = \"{polarity}\"\n{decimals}target = \"{target}\"\nrag = {{ rule = \"target\", amber = {}{blue_rule} }}\n",
            tol(amber)
        );
        let scorecard = Scorecard::from_toml(&card).map_err(|e| TestCaseError::fail(format!("{card}\n{e}")))?;
        let better = improved(polarity, worse, step);
        let (r_worse, r_better) = ranks(&scorecard, worse, better);
        prop_assert!(r_better <= r_worse, "{card}\nworse {worse} has rank {r_worse}, better {better} has rank {r_better}");
    }

    /// (a) bands rule, both polarities, 2 or 3 thresholds.
    #[test]
    fn improving_never_worsens_the_bands_status(
        polarity in polarity(),
        decimals in decimals_line(),
        mut thresholds in proptest::collection::btree_set(-1_000i64..1_000, 2..=3),
        worse in decimal(),
        step in decimal(),
    ) {
        // Strictly descending for higher is better, ascending for lower.
        let mut ts: Vec<i64> = std::mem::take(&mut thresholds).into_iter().collect();
        if polarity == "higher_is_better" {
            ts.reverse();
        }
        let scale = if ts.len() == 3 {
            "[[status]]\nid = \"blue\"\n[[status]]\nid = \"green\"\n[[status]]\nid = \"amber\"\n[[status]]\nid = \"red\"\n"
        } else {
            ""
        };
        let list: Vec<String> = ts.iter().map(i64::to_string).collect();
        let card = format!(
            "ragulator = 1\n{scale}[[indicator]]\nid = \"x\"\nname = \"X\"\nunit = \"count\"\npolarity = \"{polarity}\"\n{decimals}rag = {{ rule = \"bands\", thresholds = [{}] }}\n",
            list.join(", ")
        );
        let scorecard = Scorecard::from_toml(&card).map_err(|e| TestCaseError::fail(format!("{card}\n{e}")))?;
        let better = improved(polarity, worse, step);
        let (r_worse, r_better) = ranks(&scorecard, worse, better);
        prop_assert!(r_better <= r_worse, "{card}\nworse {worse} has rank {r_worse}, better {better} has rank {r_better}");
    }
}

/// A scorecard with a theme, every built-in rule kind but SPC, and a rule set
/// looking back along the series, so row order has every chance to matter.
const CARD: &str = r#"
ragulator = 1
[comparators]
sn = "Statistical neighbours"
england = "England"
[[theme]]
id = "t"
name = "T"
rollup = "majority"
[[indicator]]
id = "a"
name = "A"
theme = "t"
unit = "percent"
polarity = "higher_is_better"
decimals = 1
target = [ { from = "2022-01", value = 50 }, { from = "2022-04", value = 60 } ]
rag = { rule = "target", amber = "10%" }
[[indicator]]
id = "b"
name = "B"
theme = "t"
unit = "count"
polarity = "lower_is_better"
rag = { rule = "bands", thresholds = [20, 60] }
[[indicator]]
id = "c"
name = "C"
theme = "t"
unit = "count"
polarity = "higher_is_better"
comparators = { sn = 50 }
rag = "history"
[[indicator]]
id = "d"
name = "D"
unit = "count"
polarity = "none"
[rules.history]
when = [
  { status = "red", if = "worse_for(2) or value < mean_last(3) - 20" },
  { status = "green", if = "at_least_as_good(value, sn) and trend(3) != \"worsening\"" },
]
otherwise = "amber"
"#;

/// One valid row: (entity, indicator, month, series, value).
type Row = (usize, usize, u32, usize, i64);

fn row_text(&(e, i, m, s, v): &Row) -> String {
    let entity = ["", "east", "west"][e];
    let indicator = ["a", "b", "c", "d"][i];
    // Comparators declared out of name order, and one only in the data:
    // the order they are listed in must not follow the rows'.
    let series = ["", "target", "sn", "england", "region"][s];
    format!(
        "{entity},{indicator},2022-{m:02},{series},{}",
        Decimal::new(v, 1)
    )
}

/// Valid rows with distinct keys (so no duplicate conflicts), shuffled.
fn rows_and_shuffle() -> impl Strategy<Value = (Vec<Row>, Vec<Row>)> {
    proptest::collection::btree_map(
        (0usize..3, 0usize..4, 1u32..=12, 0usize..5),
        0i64..1000,
        1..60,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|((e, i, p, s), v)| (e, i, p, s, v))
            .collect::<Vec<Row>>()
    })
    .prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle()))
}

fn evaluate(scorecard: &Scorecard, csv: &str, period: Option<&str>) -> Value {
    let data = scorecard.read_csv(csv.as_bytes()).expect("data");
    let options = EvaluateOptions {
        period: period.map(String::from),
        ..EvaluateOptions::default()
    };
    scorecard
        .evaluate(&data, &options)
        .expect("evaluation")
        .to_json()
}

fn csv_of(rows: &[Row]) -> String {
    let mut out = String::from("entity,indicator,period,series,value\n");
    for r in rows {
        out.push_str(&row_text(r));
        out.push('\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// (b) Shuffling valid rows changes nothing in the output (rejected is
    /// empty, so even row numbers cannot differ), with and without --period.
    #[test]
    fn row_order_changes_nothing((rows, shuffled) in rows_and_shuffle(), month in 1u32..=12) {
        let scorecard = Scorecard::from_toml(CARD).expect("scorecard");
        let (a, b) = (csv_of(&rows), csv_of(&shuffled));
        let first = evaluate(&scorecard, &a, None);
        prop_assert_eq!(first["rejected"].as_array().map(Vec::len), Some(0));
        prop_assert_eq!(&first, &evaluate(&scorecard, &b, None));
        let period = format!("2022-{month:02}");
        prop_assert_eq!(evaluate(&scorecard, &a, Some(&period)), evaluate(&scorecard, &b, Some(&period)));
    }

    /// (c) input rows = used + rejected for random mixes of good and bad
    /// rows, and exactly the bad rows are rejected, by their row numbers.
    #[test]
    fn every_row_is_used_or_rejected(
        (rows, _) in rows_and_shuffle(),
        bad in proptest::collection::vec((0usize..7, any::<proptest::sample::Index>()), 0..20),
    ) {
        let scorecard = Scorecard::from_toml(CARD).expect("scorecard");
        let mut lines: Vec<(String, bool)> = rows.iter().map(|r| (row_text(r), false)).collect();
        for (kind, at) in bad {
            let line = match kind {
                0 => "east,nope,2022-01,,1".to_string(),
                1 => "east,a,2022-13,,1".to_string(),
                2 => "east,a,2022-01,,abc".to_string(),
                3 => "east,a,2022-01,,NaN".to_string(),
                4 => "east,a,2022-01".to_string(),
                5 => "east,a,2022-01,,1,extra".to_string(),
                _ => "east,a,,,1".to_string(),
            };
            let pos = at.index(lines.len() + 1);
            lines.insert(pos, (line, true));
        }
        let mut csv = String::from("entity,indicator,period,series,value\n");
        for (l, _) in &lines {
            csv.push_str(l);
            csv.push('\n');
        }
        let json = evaluate(&scorecard, &csv, None);
        let (input, used, rejected) = (
            json["rows"]["input"].as_u64(),
            json["rows"]["used"].as_u64(),
            json["rows"]["rejected"].as_u64(),
        );
        prop_assert_eq!(input, Some(lines.len() as u64));
        prop_assert_eq!(input, used.zip(rejected).map(|(u, r)| u + r));
        let want: Vec<u64> = lines
            .iter()
            .enumerate()
            .filter(|(_, (_, bad))| *bad)
            .map(|(i, _)| i as u64 + 1)
            .collect();
        let got: Vec<u64> = json["rejected"]
            .as_array()
            .map(|a| a.iter().filter_map(|r| r["row"].as_u64()).collect())
            .unwrap_or_default();
        prop_assert_eq!(got, want);
        prop_assert_eq!(used, Some(rows.len() as u64));
    }
}

/// Comparators from data are listed in the scorecard's comparator order
/// (by name) whatever the rows' order: in the explanation and the results.
#[test]
fn comparators_from_data_are_listed_in_the_scorecards_order() {
    let scorecard = Scorecard::from_toml(
        r#"
ragulator = 1
[comparators]
sn = "SN"
england = "England"
[[indicator]]
id = "a"
name = "A"
unit = "percent"
polarity = "higher_is_better"
target = 90
rag = "rs"
[rules.rs]
when = [ { status = "green", if = "gap >= 0 and at_least_as_good(value, sn)" } ]
otherwise = "red"
"#,
    )
    .expect("scorecard");
    let head = "indicator,period,series,value\n";
    let rows = [
        "a,2022-01,actual,89\n",
        "a,2022-01,sn,80\n",
        "a,2022-01,england,85\n",
    ];
    let forward = evaluate(&scorecard, &format!("{head}{}", rows.concat()), None);
    let backward: String = rows.iter().rev().copied().collect();
    let reversed = evaluate(&scorecard, &format!("{head}{backward}"), None);
    assert_eq!(forward, reversed);
    let explanation = forward["results"][0]["explanation"].as_str().unwrap_or("");
    assert!(
        explanation.contains("a target of 90%; England 85%; SN 80%"),
        "{explanation}"
    );
}

//! `evaluate_statuses` judges most indicators with integer kernels
//! (`src/eval/kernel.rs`); `evaluate` never does. These properties generate
//! scorecards and data the kernels take and the ones they must hand back
//! (ranges, time-varying targets, comparator series, values with more
//! places than the indicator, empty cells, gaps in the timeline, huge
//! numbers) and check both calls say the same, digit for digit.

use proptest::prelude::*;
use ragulator::{EvaluateOptions, Scorecard};
use rust_decimal::Decimal;

#[path = "support/statuses.rs"]
mod statuses;

/// A number with up to 4 places: often a small one, so values meet targets,
/// thresholds and tolerance boundaries exactly; now and then one too large
/// for an `i64` mantissa.
fn number() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (-20i64..=20, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        4 => (-200_000i64..=200_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (0u32..=4).prop_map(|s| Decimal::new(i64::MAX / 3, s) * Decimal::from(1000)),
    ]
}

fn tolerance() -> impl Strategy<Value = String> {
    let size = prop_oneof![
        2 => (0i64..4, Just(0u32)),
        2 => (0i64..30, 0u32..=2),
        1 => (0i64..3_000, 0u32..=2),
    ];
    (size, any::<bool>()).prop_map(|((m, s), percent)| {
        let n = Decimal::new(m, s);
        if percent {
            format!("\"{n}%\"")
        } else {
            n.to_string()
        }
    })
}

/// One indicator's TOML (id `x{i}`, theme `t`), valid or nearly so:
/// polarity, target and rule are drawn to fit each other.
fn indicator(i: usize) -> impl Strategy<Value = String> {
    let polarity = prop_oneof![
        4 => Just("higher_is_better"),
        4 => Just("lower_is_better"),
        1 => Just("range"),
        1 => Just("none"),
    ];
    let decimals = prop_oneof![1 => Just(None), 4 => (0u32..=3).prop_map(Some)];
    let target = (0u8..8, number(), number());
    let rule = (
        0u8..14,
        tolerance(),
        proptest::option::of(tolerance()),
        proptest::collection::btree_set(number(), 3..=3),
    );
    let comparator = proptest::option::of(number());
    let missing = prop_oneof![3 => Just(""), 1 => Just("missing = \"amber\"\n")];
    (polarity, decimals, target, rule, comparator, missing).prop_map(
        move |(polarity, decimals, (tk, a, b), (rk, amber, blue, bands), comparator, missing)| {
            let (low, high) = (a.min(b), a.max(b));
            let target = match (polarity, tk) {
                (_, 0) => String::new(),
                ("range", _) => format!("target = {{ low = \"{low}\", high = \"{high}\" }}\n"),
                (_, 1) => format!("target = [ {{ from = \"2022-03\", value = \"{a}\" }}, {{ from = \"2022-06\", value = \"{b}\" }} ]\n"),
                _ => format!("target = \"{a}\"\n"),
            };
            let blue = blue.map(|b| format!(", blue = {b}")).unwrap_or_default();
            let mut bands: Vec<String> = bands.iter().map(|t| format!("\"{t}\"")).collect();
            if polarity == "higher_is_better" {
                bands.reverse();
            }
            let rule = match (polarity, rk) {
                ("none", _) | (_, 0) => String::new(),
                // No blue on a range (it could never mean beating the target).
                ("range", _) => format!("rag = {{ rule = \"target\", amber = {amber} }}\n"),
                (_, 1..=4) => format!("rag = {{ rule = \"target\", amber = {amber}{blue} }}\n"),
                (_, 5..=7) => format!("rag = {{ rule = \"bands\", thresholds = [{}] }}\n", bands.join(", ")),
                (_, 8..=10) => format!("rag = {{ rule = \"comparator\", against = \"sn\", amber = {amber}{blue} }}\n"),
                (_, 11) => "rag = \"current\"\n".to_string(),
                (_, 12) => "rag = \"looking_back\"\n".to_string(),
                _ => "rag = \"history\"\n".to_string(),
            };
            // `missing` needs a rule (a context indicator has no status).
            let missing = if rule.is_empty() { "" } else { missing };
            let decimals = decimals.map(|d| format!("decimals = {d}\n")).unwrap_or_default();
            let comparator = comparator
                .map(|c| format!("comparators = {{ sn = \"{c}\" }}\n"))
                .unwrap_or_default();
            format!(
                "[[indicator]]\nid = \"x{i}\"\nname = \"X{i}\"\ntheme = \"t\"\nunit = \"count\"\npolarity = \"{polarity}\"\n{decimals}{target}{comparator}{missing}{rule}\n"
            )
        },
    )
}

fn scorecard() -> impl Strategy<Value = String> {
    (indicator(0), indicator(1), indicator(2), any::<bool>()).prop_map(|(a, b, c, majority)| {
        let rollup = if majority { "majority" } else { "worst" };
        format!(
            "ragulator = 1\n[[status]]\nid = \"blue\"\n[[status]]\nid = \"green\"\n[[status]]\nid = \"amber\"\n[[status]]\nid = \"red\"\n[comparators]\nsn = \"Statistical neighbours\"\n[[theme]]\nid = \"t\"\nname = \"T\"\nrollup = \"{rollup}\"\n\
             [rules.current]\nwhen = [\n  {{ status = \"blue\", if = \"gap_pct >= 10 or (gap_pct < 0.5 and gap_pct > 0)\" }},\n  {{ status = \"green\", if = \"gap >= 0 and at_least_as_good(value, sn)\" }},\n  {{ status = \"amber\", if = \"better(value, previous) or target > 3 or missing(sn)\" }},\n]\notherwise = \"red\"\n\
             [rules.looking_back]\nwhen = [ {{ status = \"amber\", if = \"previous(gap) >= 0 or last_year > 1\" }} ]\notherwise = \"green\"\n\
             [rules.history]\nwhen = [ {{ status = \"red\", if = \"worse_for(2) or value < mean_last(3)\" }} ]\notherwise = \"green\"\n\n{a}{b}{c}"
        )
    })
}

/// Data rows: entity, indicator, month of 2022, series, value (empty for a
/// missing cell).
fn rows() -> impl Strategy<Value = Vec<(u8, u8, u32, &'static str, String)>> {
    let series = prop_oneof![12 => Just("actual"), 1 => Just("target"), 1 => Just("sn")];
    let value = prop_oneof![
        10 => number().prop_map(|v| v.to_string()),
        1 => Just(String::new()),
    ];
    proptest::collection::vec((0u8..2, 0u8..3, 1u32..=8, series, value), 0..48)
}

fn csv(rows: &[(u8, u8, u32, &str, String)]) -> String {
    let mut s = String::from("entity,indicator,period,series,value\n");
    for (e, i, m, series, v) in rows {
        s.push_str(&format!("e{e},x{i},2022-{m:02},{series},{v}\n"));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn statuses_equal_the_rich_evaluation(card in scorecard(), rows in rows()) {
        let sc = match Scorecard::from_toml(&card) {
            Ok(sc) => sc,
            // Some generated combinations are invalid (a range target on a
            // higher-is-better indicator, say); those say nothing here.
            Err(_) => return Ok(()),
        };
        let data = sc.read_csv(csv(&rows).as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let options = EvaluateOptions { explain: false, ..EvaluateOptions::default() };
        let evaluation = sc.evaluate(&data, &options).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let table = sc.evaluate_statuses(&data, &options).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Err(problem) = statuses::same_statuses(&sc, &evaluation, &table) {
            return Err(TestCaseError::fail(format!("{problem}\n{card}\n{}", csv(&rows))));
        }
        // Threads judging runs of entities apart give the same table.
        for threads in [2, 4] {
            let threaded = sc
                .evaluate_statuses_threaded(&data, &options, threads)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&threaded, &table, "{} threads", threads);
        }
    }
}

/// Enough generated scorecards load for the property above to mean
/// something: the kernels' usual shape among them.
#[test]
fn generated_scorecards_mostly_load() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let loaded = (0..200)
        .filter(|_| {
            let card = scorecard().new_tree(&mut runner).expect("tree").current();
            Scorecard::from_toml(&card).is_ok()
        })
        .count();
    assert!(
        loaded >= 190,
        "only {loaded} of 200 generated scorecards load"
    );
}

/// Values exactly on each boundary of the target rule (blue, green, amber)
/// and of bands, both polarities: the kernels' `>=` and `<=`.
#[test]
fn boundaries_get_the_better_status() {
    let card = r#"
ragulator = 1
[[status]]
id = "blue"
[[status]]
id = "green"
[[status]]
id = "amber"
[[status]]
id = "red"
[[indicator]]
id = "up"
name = "Up"
unit = "count"
polarity = "higher_is_better"
decimals = 1
target = 10
rag = { rule = "target", amber = 1, blue = "20%" }
[[indicator]]
id = "down"
name = "Down"
unit = "count"
polarity = "lower_is_better"
decimals = 2
target = 10
rag = { rule = "target", amber = "10%", blue = 2 }
[[indicator]]
id = "bands"
name = "Bands"
unit = "count"
polarity = "lower_is_better"
decimals = 1
rag = { rule = "bands", thresholds = [1, 2.5, 4] }
"#;
    let sc = Scorecard::from_toml(card).expect("valid");
    let csv = "indicator,period,value\n\
               up,2022-01,12\nup,2022-02,10\nup,2022-03,9\nup,2022-04,8.9\n\
               down,2022-01,8\ndown,2022-02,10\ndown,2022-03,11\ndown,2022-04,11.01\n\
               bands,2022-01,1\nbands,2022-02,2.5\nbands,2022-03,4\nbands,2022-04,4.1\n";
    let data = sc.read_csv(csv.as_bytes()).expect("valid data");
    let options = EvaluateOptions {
        explain: false,
        ..EvaluateOptions::default()
    };
    let table = sc.evaluate_statuses(&data, &options).expect("evaluates");
    let got: Vec<&str> = table
        .results
        .iter()
        .map(|r| {
            sc.statuses()[r.status.expect("a status") as usize]
                .id
                .as_str()
        })
        .collect();
    assert_eq!(
        got,
        [
            "blue", "green", "amber", "red", // up
            "blue", "green", "amber", "red", // down
            "blue", "green", "amber", "red", // bands
        ]
    );
    let evaluation = sc.evaluate(&data, &options).expect("evaluates");
    statuses::same_statuses(&sc, &evaluation, &table).expect("the same statuses");
}

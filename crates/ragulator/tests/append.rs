//! `ObservationsBuilder::append` (reading in chunks, on several threads)
//! and `finish_threaded` (grouping on several threads) give exactly what
//! pushing every row into one builder and `finish` give: the same rows,
//! entities, series, rejected rows and row numbers, duplicates and
//! conflicts across chunks and runs included.

use proptest::prelude::*;
use ragulator::{Cell, RawRow, Scorecard};

const SCORECARD: &str = r#"ragulator = 1
[comparators]
sn = "Statistical neighbours"
[[indicator]]
id = "x"
name = "X"
unit = "count"
polarity = "higher_is_better"
decimals = 1
target = 5
rag = { rule = "target", amber = 1 }
[[indicator]]
id = "y"
name = "Y"
unit = "percent"
polarity = "lower_is_better"
target = 10
rag = { rule = "target", amber = "5%" }
"#;

/// A row from small alphabets, so duplicates, conflicts, unknown names and
/// bad cells are common.
#[derive(Debug, Clone)]
struct Row {
    entity: Option<&'static str>,
    indicator: Option<&'static str>,
    period: Option<&'static str>,
    series: Option<&'static str>,
    value: &'static str,
    numerator: &'static str,
    denominator: &'static str,
}

fn row() -> impl Strategy<Value = Row> {
    let pick = |xs: &'static [Option<&'static str>]| proptest::sample::select(xs.to_vec());
    (
        pick(&[None, Some("a"), Some(" b "), Some("")]),
        pick(&[Some("x"), Some("y"), Some("z"), None]),
        pick(&[Some("2022-01"), Some("2022-02"), Some("2022-13"), None]),
        pick(&[
            None,
            Some("actual"),
            Some("target"),
            Some("sn"),
            Some("other"),
        ]),
        // 1.25 and 1.3 are the same at one place, but different data.
        proptest::sample::select(vec!["", "1", "1.25", "1.3", "2", "x"]),
        proptest::sample::select(vec!["", "", "3"]),
        proptest::sample::select(vec!["", "", "4", "0"]),
    )
        .prop_map(
            |(entity, indicator, period, series, value, numerator, denominator)| Row {
                entity,
                indicator,
                period,
                series,
                value,
                numerator,
                denominator,
            },
        )
}

fn raw(r: &Row) -> RawRow<'static> {
    RawRow {
        entity: r.entity,
        indicator: r.indicator,
        period: r.period,
        series: r.series,
        value: Cell::Text(r.value),
        numerator: Cell::Text(r.numerator),
        denominator: Cell::Text(r.denominator),
    }
}

proptest! {
    #[test]
    fn appending_chunks_is_reading_in_one_go(
        rows in proptest::collection::vec(row(), 0..60),
        cuts in proptest::collection::vec(0usize..60, 0..4),
        threads in 1usize..6,
    ) {
        let s = Scorecard::from_toml(SCORECARD).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let mut whole = s.observations();
        for r in &rows {
            whole.push(raw(r));
        }
        let whole = whole.finish();

        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(rows.len())).collect();
        cuts.push(0);
        cuts.push(rows.len());
        cuts.sort_unstable();
        let mut chunks = cuts.windows(2).map(|w| {
            let mut b = s.observations();
            for r in &rows[w[0]..w[1]] {
                b.push(raw(r));
            }
            b
        });
        let mut first = chunks.next().unwrap_or_else(|| s.observations());
        for chunk in chunks {
            first.append(chunk);
        }
        // Grouped on threads too: runs of whole groups, compacted apart.
        let appended = first.finish_threaded(threads);
        prop_assert_eq!(format!("{appended:?}"), format!("{whole:?}"));
        // And the evaluation of both is the same.
        let a = s.evaluate(&appended, &Default::default()).map(|e| e.to_json().to_string());
        let w = s.evaluate(&whole, &Default::default()).map(|e| e.to_json().to_string());
        prop_assert_eq!(a.ok(), w.ok());
    }
}

proptest! {
    /// Observations finished to be evaluated once (values left as given,
    /// rounded as they are judged) evaluate exactly as rounded ones, by
    /// the full records and by the status kernels.
    #[test]
    fn finishing_to_evaluate_once_gives_the_same_results(
        rows in proptest::collection::vec(row(), 0..60),
        threads in 1usize..4,
    ) {
        let s = Scorecard::from_toml(SCORECARD).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let read = |once: bool| {
            let mut b = s.observations();
            for r in &rows {
                b.push(raw(r));
            }
            if once { b.finish_to_evaluate_once(threads) } else { b.finish_threaded(threads) }
        };
        let (rounded, as_given) = (read(false), read(true));
        let options = Default::default();
        let full = |d| s.evaluate(d, &options).map(|e| e.to_json().to_string()).ok();
        prop_assert_eq!(full(&as_given), full(&rounded));
        let statuses = |d| s.evaluate_statuses(d, &options).map(|t| format!("{:?}", t.results)).ok();
        prop_assert_eq!(statuses(&as_given), statuses(&rounded));
    }
}

/// Evaluation JSON without the rejected rows' numbers and reasons (which
/// name row numbers): what must not depend on the order rows come in.
fn judged(s: &Scorecard, rows: &[&Row]) -> Result<(String, usize), String> {
    let mut b = s.observations();
    for r in rows {
        b.push(raw(r));
    }
    let data = b.finish();
    let mut json = s
        .evaluate(&data, &Default::default())
        .map_err(|e| e.to_string())?
        .to_json();
    let rejected = data.rejected().len();
    if let Some(o) = json.as_object_mut() {
        o.remove("rejected");
    }
    Ok((json.to_string(), rejected))
}

proptest! {
    /// Rows already in group order skip the sort in `finish`; rows in any
    /// other order are sorted: both give the same results, the same
    /// duplicates used once and the same conflicts rejected (whose values
    /// are compared before rounding, wherever the rows lie).
    #[test]
    fn row_order_does_not_change_results(rows in proptest::collection::vec(row(), 0..60)) {
        let s = Scorecard::from_toml(SCORECARD).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let mut sorted: Vec<&Row> = rows.iter().collect();
        // Group order for these names: entity first seen, indicator as in
        // the scorecard, period, then series.
        sorted.sort_by_key(|r| (r.entity.map(str::trim), r.indicator, r.period, r.series));
        let reversed: Vec<&Row> = sorted.iter().rev().copied().collect();
        let as_given: Vec<&Row> = rows.iter().collect();
        let want = judged(&s, &sorted);
        prop_assert_eq!(&judged(&s, &reversed), &want);
        prop_assert_eq!(&judged(&s, &as_given), &want);
    }
}

/// A conflict between a row read in group order and a later row out of
/// order is found on the raw values: 1.25 and 1.3 both round to 1.3 at one
/// place, but they are different data.
#[test]
fn a_conflict_out_of_order_is_found_on_the_values_given() {
    let s = Scorecard::from_toml(SCORECARD).expect("scorecard");
    let mut b = s.observations();
    let row = |period, value| RawRow {
        indicator: Some("x"),
        period: Some(period),
        value: Cell::Text(value),
        ..RawRow::default()
    };
    b.push(row("2022-01", "1.25"));
    b.push(row("2022-02", "2"));
    b.push(row("2022-01", "1.3"));
    let data = b.finish();
    let rejected: Vec<(usize, &str)> = data
        .rejected()
        .iter()
        .map(|r| (r.row, r.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (1, "conflicting duplicate: rows 1, 3 give different values (1.25, 1.3) for x, 2022-01, series actual"),
            (3, "conflicting duplicate: rows 1, 3 give different values (1.25, 1.3) for x, 2022-01, series actual"),
        ]
    );
    assert_eq!(data.len(), 1);
}

/// Rows in group order skip the duplicate search unless a row repeats the
/// previous row's group, in one builder or across an append: such
/// repeats are still found, compared as given, and rounded only when judged.
#[test]
fn repeats_in_group_order_are_found_within_and_across_chunks() {
    let s = Scorecard::from_toml(SCORECARD).expect("scorecard");
    let row = |period, value| RawRow {
        indicator: Some("x"),
        period: Some(period),
        value: Cell::Text(value),
        ..RawRow::default()
    };
    let conflict = "conflicting duplicate: rows 2, 3 give different values (1.25, 1.3) for x, 2022-02, series actual";
    // Within one builder: rows 2 and 3 conflict, 4 and 5 agree.
    let mut b = s.observations();
    for (period, value) in [
        ("2022-01", "1"),
        ("2022-02", "1.25"),
        ("2022-02", "1.3"),
        ("2022-03", "2.25"),
        ("2022-03", "2.25"),
    ] {
        b.push(row(period, value));
    }
    let within = b.finish();
    // The same rows cut between the repeated rows, then appended.
    let (mut first, mut second) = (s.observations(), s.observations());
    for (period, value) in [("2022-01", "1"), ("2022-02", "1.25")] {
        first.push(row(period, value));
    }
    for (period, value) in [("2022-02", "1.3"), ("2022-03", "2.25"), ("2022-03", "2.25")] {
        second.push(row(period, value));
    }
    first.append(second);
    let across = first.finish();
    for data in [within, across] {
        let rejected: Vec<(usize, &str)> = data
            .rejected()
            .iter()
            .map(|r| (r.row, r.reason.as_str()))
            .collect();
        assert_eq!(rejected, [(2, conflict), (3, conflict)]);
        assert_eq!(data.len(), 3);
        let json = s
            .evaluate(&data, &Default::default())
            .expect("evaluates")
            .to_json();
        let values: Vec<(&str, &str)> = json["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter_map(|r| Some((r["period"].as_str()?, r["value"].as_str()?)))
            .collect();
        // 2.25 rounded half away from zero at one place when judged.
        assert_eq!(values, [("2022-01", "1.0"), ("2022-03", "2.3")]);
    }
}

/// Float cells (DataFrames): taken by their shortest representation, NaN
/// a missing value, infinities and 1e300 rejected with the column named.
#[test]
fn float_cells_are_shortest_decimals_nan_missing_infinities_rejected() {
    let s = Scorecard::from_toml(SCORECARD).expect("scorecard");
    let mut b = s.observations();
    let cells = [
        84.95,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        0.1 + 0.2,
        -0.0,
    ];
    for (month, v) in cells.iter().enumerate() {
        let period = format!("2022-{:02}", month + 1);
        b.push(RawRow {
            indicator: Some("y"),
            period: Some(&period),
            value: Cell::Float(*v),
            ..RawRow::default()
        });
    }
    let data = b.finish();
    let rejected: Vec<(usize, String)> = data
        .rejected()
        .iter()
        .map(|r| (r.row, r.reason.clone()))
        .collect();
    let rows: Vec<usize> = rejected.iter().map(|r| r.0).collect();
    assert_eq!(rows, [3, 4, 5], "{rejected:?}");
    assert!(
        rejected
            .iter()
            .all(|r| r.1.starts_with("not a number in column value")),
        "{rejected:?}"
    );
    let json = s
        .evaluate(&data, &Default::default())
        .expect("evaluates")
        .to_json();
    let values: Vec<(String, serde_json::Value)> = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["indicator"] == "y")
        .map(|r| {
            (
                r["period"].as_str().unwrap_or("").to_string(),
                r["value"].clone(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("2022-01".to_string(), serde_json::json!("84.95")),
            ("2022-02".to_string(), serde_json::Value::Null),
            (
                "2022-06".to_string(),
                serde_json::json!("0.30000000000000004")
            ),
            ("2022-07".to_string(), serde_json::json!("0")),
        ]
    );
}

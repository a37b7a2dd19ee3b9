//! Measures computed from case records, hand-checked: every kind, working
//! days across 2022's bank holidays, month ends, leap years, records that
//! start before or end after the period, bad records rejected with reasons,
//! and the drill-down listing exactly the failing records.

use std::collections::BTreeSet;

use ragulator::measure::RecordSet;
use ragulator::{EvaluateOptions, Evaluation, IndicatorResult, Scorecard};
use rust_decimal::Decimal;

/// A scorecard with one source and one measured indicator.
fn scorecard(columns: &str, unit: &str, polarity: &str, measure: &str) -> Scorecard {
    let text = format!(
        r#"
ragulator = 1
[sources.s]
columns = {{ {columns} }}
[[indicator]]
id = "m"
name = "Measured"
unit = "{unit}"
polarity = "{polarity}"
decimals = 1
measure = {{ source = "s", {measure} }}
"#
    );
    match Scorecard::from_toml(&text) {
        Ok(s) => s,
        Err(e) => panic!("{e:?}\n{text}"),
    }
}

fn records(s: &Scorecard, csv: &str) -> RecordSet {
    let mut set = RecordSet::new();
    set.insert(s.read_records("s", csv.as_bytes()).expect("reads"))
        .expect("inserts");
    set
}

fn evaluate(s: &Scorecard, set: &RecordSet) -> Evaluation {
    let obs = s.measure_observations(set).expect("measures");
    s.evaluate(&obs, &EvaluateOptions::default())
        .expect("evaluates")
}

fn result<'e>(e: &'e Evaluation, period: &str) -> &'e IndicatorResult {
    e.results
        .iter()
        .find(|r| r.period.to_string() == period)
        .unwrap_or_else(|| {
            let periods: Vec<String> = e.results.iter().map(|r| r.period.to_string()).collect();
            panic!("no result for {period}; periods: {periods:?}")
        })
}

/// (numerator, denominator) of a period.
fn ratio(e: &Evaluation, period: &str) -> (i64, i64) {
    let r = result(e, period);
    let n = r.numerator.expect("numerator");
    let d = r.denominator.expect("denominator");
    (
        i64::try_from(n).expect("whole"),
        i64::try_from(d).expect("whole"),
    )
}

fn failing_rows(s: &Scorecard, set: &RecordSet, period: &str) -> Vec<usize> {
    s.failing_records(set, "m", None, period)
        .expect("drills")
        .iter()
        .map(|f| f.row)
        .collect()
}

// ---------------------------------------------------------------- timeliness

const TIMELY_COLUMNS: &str = r#"case = "id", started = "date", done = "date""#;

fn timely(within: u32, unit: &str, extra: &str) -> Scorecard {
    scorecard(
        TIMELY_COLUMNS,
        "percent",
        "higher_is_better",
        &format!(
            r#"kind = "timeliness", start = "started", end = "done", within = {within}, unit = "{unit}"{extra}"#
        ),
    )
}

#[test]
fn timeliness_counts_working_days_across_the_jubilee_and_the_state_funeral() {
    let s = timely(10, "working_days", "");
    // From Wed 25 May 2022, 10 working days skip Thu 2 and Fri 3 June:
    // 26, 27, 30, 31 May, 1, 6, 7, 8, 9, 10 June. Without the Jubilee the
    // limit would be 8 June.
    let set = records(
        &s,
        "case,started,done\n\
         a,2022-05-25,2022-06-10\n\
         b,2022-05-25,2022-06-13\n\
         c,2022-05-25,2022-06-09\n\
         d,2022-09-02,2022-09-16\n\
         e,2022-09-02,2022-09-19\n\
         f,2022-09-02,2022-09-20\n\
         g,2022-09-02,2022-09-21\n",
    );
    let e = evaluate(&s, &set);
    assert_eq!(ratio(&e, "2022-06"), (2, 3));
    assert_eq!(failing_rows(&s, &set, "2022-06"), vec![2]);
    // From Fri 2 September, 10 working days: 5-9, 12-16 September; the state
    // funeral (Mon 19 September) does not matter here, but the limit is the 16th.
    assert_eq!(ratio(&e, "2022-09"), (1, 4));
    assert_eq!(failing_rows(&s, &set, "2022-09"), vec![5, 6, 7]);
    let late = s
        .failing_records(&set, "m", None, "2022-06")
        .expect("drills");
    assert_eq!(
        late[0].reason,
        "done 2022-06-13 is 11 working days after started 2022-05-25; the limit was 10 working days (2022-06-10)"
    );
    // Timeliness has no `id` key: the late record is named by the
    // source's only id column, so the case can be found.
    assert_eq!(late[0].id.as_deref(), Some("b"));
}

/// With two id columns and no `id` key, which one names a record is not
/// known: the drill-down gives none rather than guess.
#[test]
fn a_listed_record_is_named_by_the_sources_only_id_column() {
    let s = scorecard(
        r#"case = "id", child = "id", started = "date", done = "date""#,
        "percent",
        "higher_is_better",
        r#"kind = "timeliness", start = "started", end = "done", within = 10, unit = "working_days""#,
    );
    let set = records(&s, "case,child,started,done\na,c1,2022-05-25,2022-06-13\n");
    let late = s
        .failing_records(&set, "m", None, "2022-06")
        .expect("drills");
    assert_eq!((late.len(), late[0].id.as_deref()), (1, None));
}

#[test]
fn the_state_funeral_is_not_a_working_day() {
    let s = timely(5, "working_days", "");
    // From Tue 13 September 2022: 14, 15, 16, (19 is the funeral), 20, 21.
    let set = records(
        &s,
        "case,started,done\nx,2022-09-13,2022-09-21\ny,2022-09-13,2022-09-22\n",
    );
    let e = evaluate(&s, &set);
    assert_eq!(ratio(&e, "2022-09"), (1, 2));
    assert_eq!(failing_rows(&s, &set, "2022-09"), vec![2]);
}

#[test]
fn timeliness_is_counted_in_the_month_it_ends_including_records_started_earlier() {
    let s = timely(30, "days", "");
    let set = records(
        &s,
        "case,started,done\n\
         a,2022-05-15,2022-06-30\n\
         b,2022-06-15,2022-07-01\n\
         c,2022-04-01,2022-06-01\n\
         d,2022-06-20,\n",
    );
    let e = evaluate(&s, &set);
    // 30 June is in June, 1 July in July; the open record d counts nowhere.
    assert_eq!(ratio(&e, "2022-06"), (0, 2));
    assert_eq!(ratio(&e, "2022-07"), (1, 1));
    assert_eq!(failing_rows(&s, &set, "2022-06"), vec![1, 3]);
    assert_eq!(result(&e, "2022-07").value, Some(Decimal::new(1000, 1)));
}

#[test]
fn timeliness_by_due_date_counts_open_records_as_late() {
    let s = timely(10, "days", r#", counted_by = "due""#);
    let set = records(
        &s,
        "case,started,done\n\
         a,2022-06-10,2022-06-20\n\
         b,2022-06-12,\n\
         c,2022-06-25,2022-06-30\n",
    );
    let e = evaluate(&s, &set);
    // Due 20 June (met), 22 June (open: late), 5 July (met, counted in July).
    assert_eq!(ratio(&e, "2022-06"), (1, 2));
    assert_eq!(ratio(&e, "2022-07"), (1, 1));
    let late = s
        .failing_records(&set, "m", None, "2022-06")
        .expect("drills");
    assert_eq!(late.len(), 1);
    assert_eq!(
        late[0].reason,
        "started 2022-06-12 was due by 2022-06-22 (10 days later) and has no done"
    );
}

#[test]
fn timeliness_in_days_and_months_across_leap_days() {
    let days = timely(2, "days", "");
    // 28 February 2024 + 2 days is 1 March (29 February exists); in 2023 it is 2 March.
    let set = records(
        &days,
        "case,started,done\n\
         a,2024-02-28,2024-03-01\n\
         b,2024-02-28,2024-03-02\n\
         c,2023-02-28,2023-03-02\n\
         d,2023-02-28,2023-03-03\n",
    );
    let e = evaluate(&days, &set);
    assert_eq!(ratio(&e, "2024-03"), (1, 2));
    assert_eq!(ratio(&e, "2023-03"), (1, 2));

    let months = timely(1, "months", "");
    // 31 January 2024 + 1 month is 29 February; in 2023, 28 February.
    let set = records(
        &months,
        "case,started,done\n\
         a,2024-01-31,2024-02-29\n\
         b,2024-01-31,2024-03-01\n\
         c,2023-01-31,2023-02-28\n\
         d,2023-01-31,2023-03-01\n",
    );
    let e = evaluate(&months, &set);
    assert_eq!(ratio(&e, "2024-02"), (1, 1));
    assert_eq!(ratio(&e, "2024-03"), (0, 1));
    assert_eq!(ratio(&e, "2023-02"), (1, 1));
    assert_eq!(ratio(&e, "2023-03"), (0, 1));
}

#[test]
fn bad_records_are_rejected_with_reasons_and_counted() {
    let s = timely(10, "working_days", "");
    let rec = s
        .read_records(
            "s",
            b"case,started,done\n\
              a,2022-06-01,2022-06-08\n\
              b,,2022-06-08\n\
              c,2022-06-31,2022-07-08\n\
              d,2022-06-10,2022-06-01\n\
              e,2022-06-01,June 8th\n\
              f,2022-06-01\n",
        )
        .expect("reads");
    assert_eq!(rec.input_rows(), 6);
    assert_eq!(rec.len(), 1);
    let reasons: Vec<(usize, &str)> = rec
        .rejected()
        .iter()
        .map(|r| (r.row, r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (2, "no started (needed as the start of indicator 'm')"),
            (3, "column started: '2022-06-31' is not a date: expected a real date written YYYY-MM-DD (2022-06-30)"),
            (4, "done 2022-06-01 is before started 2022-06-10: an end cannot come before its start"),
            (5, "column done: 'June 8th' is not a date: expected a real date written YYYY-MM-DD (2022-06-30)"),
            (6, "row has 2 fields; the header has 3"),
        ]
    );
    let mut set = RecordSet::new();
    set.insert(rec).expect("inserts");
    assert_eq!(set.rejected().count(), 5);
    let e = evaluate(&s, &set);
    assert_eq!(ratio(&e, "2022-06"), (1, 1));
}

#[test]
fn a_missing_column_fails_the_whole_read() {
    let s = timely(10, "days", "");
    let err = s
        .read_records("s", b"case,started\na,2022-06-01\n")
        .unwrap_err();
    assert_eq!(err.column.as_deref(), Some("done"));
    assert_eq!(
        err.message,
        "the records of 's' have no 'done' column; the columns are: case, started"
    );
    let err = s.read_records("nope", b"case\n").unwrap_err();
    assert_eq!(
        err.message,
        "unknown source 'nope'; the scorecard's sources are: s"
    );
}

// ---------------------------------------------------------------- recurrence

fn recurrence(filter: &str) -> Scorecard {
    scorecard(
        r#"child = "id", referred = "date", dob = "date""#,
        "percent",
        "lower_is_better",
        &format!(
            r#"kind = "recurrence", id = "child", date = "referred", within_months = 12{filter}"#
        ),
    )
}

#[test]
fn recurrence_within_twelve_months_inclusive_with_leap_days_and_same_day_referrals() {
    let s = recurrence("");
    let set = records(
        &s,
        "child,referred,dob\n\
         a,2021-06-15,2010-01-01\n\
         a,2022-06-15,2010-01-01\n\
         b,2021-06-14,2010-01-01\n\
         b,2022-06-15,2010-01-01\n\
         c,2022-06-01,2010-01-01\n\
         c,2022-06-01,2010-01-01\n\
         d,2023-02-28,2010-01-01\n\
         d,2024-02-29,2010-01-01\n\
         e,2023-02-27,2010-01-01\n\
         e,2024-02-29,2010-01-01\n",
    );
    let e = evaluate(&s, &set);
    // a: exactly 12 months; b: 12 months and a day; c: the same day twice
    // is not a re-referral of itself.
    assert_eq!(ratio(&e, "2022-06"), (1, 4));
    assert_eq!(failing_rows(&s, &set, "2022-06"), vec![2]);
    // 29 February 2024 less 12 months is 28 February 2023: d is within, e is not.
    assert_eq!(ratio(&e, "2024-02"), (1, 2));
    assert_eq!(failing_rows(&s, &set, "2024-02"), vec![8]);
    let rr = s
        .failing_records(&set, "m", None, "2022-06")
        .expect("drills");
    assert_eq!(rr[0].id.as_deref(), Some("a"));
    assert_eq!(
        rr[0].reason,
        "referred 2022-06-15 is within 12 months of the previous one on 2021-06-15 (row 1)"
    );
    assert!(result(&e, "2022-06")
        .explanation
        .ends_with("1 of 4 s, 25.0%, were within 12 months of a previous one for the same child."));
}

#[test]
fn age_filters_are_evaluated_at_the_period_end() {
    let s = recurrence(r#", filter = [{ column = "dob", age_below = 18 }]"#);
    // f turns 18 on 20 June 2022: counted in May, not in June.
    // g was born on 29 February 2004 and turns 18 on 1 March 2022.
    let set = records(
        &s,
        "child,referred,dob\n\
         f,2022-05-01,2004-06-20\n\
         f,2022-05-20,2004-06-20\n\
         f,2022-06-05,2004-06-20\n\
         g,2022-02-01,2004-02-29\n\
         g,2022-02-10,2004-02-29\n\
         g,2022-03-01,2004-02-29\n\
         h,2022-06-01,2010-01-01\n",
    );
    let e = evaluate(&s, &set);
    assert_eq!(ratio(&e, "2022-05"), (1, 2));
    assert_eq!(ratio(&e, "2022-06"), (0, 1));
    assert_eq!(ratio(&e, "2022-02"), (1, 2));
    assert_eq!(ratio(&e, "2022-03"), (0, 0));
    assert_eq!(result(&e, "2022-03").status.as_deref(), None);
}

// ---------------------------------------------------------------- interval

fn interval(max_gap: u32, unit: &str, window: u32) -> Scorecard {
    scorecard(
        r#"child = "id", visited = "date""#,
        "percent",
        "higher_is_better",
        &format!(
            r#"kind = "interval", id = "child", date = "visited", max_gap = {max_gap}, unit = "{unit}", window_months = {window}"#
        ),
    )
}

#[test]
fn interval_gaps_in_the_window_include_the_one_into_it() {
    let s = interval(42, "days", 12);
    let set = records(
        &s,
        "child,visited\n\
         x,2021-05-01\n\
         x,2021-07-10\n\
         x,2021-08-15\n\
         y,2022-01-01\n\
         y,2022-02-12\n\
         y,2022-03-26\n\
         z,2022-01-01\n\
         z,2022-02-13\n\
         w,2021-06-30\n\
         v,2022-07-05\n",
    );
    let e = evaluate(&s, &set);
    // June 2022's window is 1 July 2021 to 30 June 2022. x's gap of 70 days
    // from 1 May into 10 July fails it; y's gaps are exactly 42 days; z's
    // 43; w has no visit in the window.
    assert_eq!(ratio(&e, "2022-06"), (1, 3));
    assert_eq!(failing_rows(&s, &set, "2022-06"), vec![2, 8]);
    // June 2021's window (July 2020 to June 2021) holds w and x's first visit.
    assert_eq!(ratio(&e, "2021-06"), (2, 2));
    // In July 2022 x's long gap (10 July 2021) has left the window; v's
    // only visit (5 July 2022) has no gap.
    assert_eq!(ratio(&e, "2022-07"), (3, 4));
    let f = s
        .failing_records(&set, "m", None, "2022-06")
        .expect("drills");
    assert_eq!(
        f[0].reason,
        "visited 2021-07-10 is 70 days after the previous one on 2021-05-01 (row 1); the longest gap allowed is 42 days"
    );
}

#[test]
fn interval_in_working_days_across_the_jubilee() {
    let s = interval(10, "working_days", 1);
    // From Fri 27 May 2022 the 10th working day is 14 June (2 and 3 June are holidays).
    let set = records(
        &s,
        "child,visited\n\
         a,2022-05-27\n\
         a,2022-06-14\n\
         b,2022-05-27\n\
         b,2022-06-15\n",
    );
    let e = evaluate(&s, &set);
    assert_eq!(ratio(&e, "2022-06"), (1, 2));
    assert_eq!(failing_rows(&s, &set, "2022-06"), vec![4]);
    assert_eq!(
        s.failing_records(&set, "m", None, "2022-06").expect("drills")[0].reason,
        "visited 2022-06-15 is 11 working days after the previous one on 2022-05-27 (row 3); the longest gap allowed is 10 working days"
    );
    // A one-month window is "the month", not "the 1 months".
    let explanation = &result(&e, "2022-06").explanation;
    assert!(
        explanation.ends_with("in the month to 30 June 2022."),
        "{explanation}"
    );
    assert!(
        result(&evaluate(&interval(10, "working_days", 3), &set), "2022-06")
            .explanation
            .contains("in the 3 months to 30 June 2022"),
    );
}

// ---------------------------------------------------------------- rolling count

fn rolling(among: &str) -> Scorecard {
    scorecard(
        r#"child = "id", start = "date", end = "date""#,
        "percent",
        "lower_is_better",
        &format!(
            r#"kind = "rolling_count", id = "child", date = "start", end = "end", window_months = 12, at_least = 3, among = "{among}""#
        ),
    )
}

const PLACEMENTS: &str = "child,start,end\n\
    p,2021-05-01,2021-08-01\n\
    p,2021-08-01,2022-01-10\n\
    p,2022-01-10,\n\
    q,2021-03-01,2021-06-30\n\
    q,2021-06-30,2022-02-01\n\
    q,2022-02-01,\n\
    r,2021-09-01,2022-03-01\n\
    r,2022-03-01,2022-05-01\n\
    r,2022-05-01,2022-06-30\n\
    s,2020-01-01,\n";

#[test]
fn rolling_count_among_children_looked_after_at_the_period_end() {
    let s = rolling("open_at_end");
    let set = records(&s, PLACEMENTS);
    let e = evaluate(&s, &set);
    // Window 1 July 2021 to 30 June 2022: p's three placements overlap it;
    // q's first ended on 30 June 2021, before it; r left care on 30 June,
    // so is not looked after at the end; s has one placement.
    assert_eq!(ratio(&e, "2022-06"), (1, 3));
    let f = s
        .failing_records(&set, "m", None, "2022-06")
        .expect("drills");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id.as_deref(), Some("p"));
    assert_eq!(f[0].row, 3);
    assert_eq!(
        f[0].reason,
        "3 records from 2021-07-01 to 2022-06-30: row 1 (2021-05-01), row 2 (2021-08-01), row 3 (2022-01-10)"
    );
    // May 2022 (window from 1 June 2021): r is still looked after, with
    // three placements, and q's first placement (to 30 June 2021) now
    // overlaps the window too.
    assert_eq!(ratio(&e, "2022-05"), (3, 4));
}

#[test]
fn rolling_count_among_children_active_in_the_window() {
    let s = rolling("active_in_window");
    let set = records(&s, PLACEMENTS);
    let e = evaluate(&s, &set);
    assert_eq!(ratio(&e, "2022-06"), (2, 4));
    assert_eq!(failing_rows(&s, &set, "2022-06"), vec![3, 9]);
}

// ---------------------------------------------------------------- rate

#[test]
fn rate_of_children_open_at_the_period_end_per_10000() {
    let s = scorecard(
        r#"child = "id", start = "date", end = "date""#,
        "per_10k",
        "lower_is_better",
        r#"kind = "rate", id = "child", start = "start", end = "end", population = 2000"#,
    );
    let set = records(&s, PLACEMENTS);
    let e = evaluate(&s, &set);
    // Open at 30 June 2022: p, q and s (r's placement ended that day).
    assert_eq!(ratio(&e, "2022-06"), (3, 2000));
    assert_eq!(result(&e, "2022-06").value, Some(Decimal::new(150, 1)));
    // Open at 31 May 2022: p, q, r and s.
    assert_eq!(ratio(&e, "2022-05"), (4, 2000));
    let ids: Vec<String> = s
        .failing_records(&set, "m", None, "2022-06")
        .expect("drills")
        .into_iter()
        .filter_map(|f| f.id)
        .collect();
    assert_eq!(ids, vec!["p", "q", "s"]);
    assert!(result(&e, "2022-06").explanation.ends_with(
        "3 distinct child values at 30 June 2022, in a population of 2,000: 15.0 per 10,000."
    ));
}

#[test]
fn rate_of_records_in_a_rolling_window_with_a_population_per_period() {
    let text = r#"
ragulator = 1
[sources.s]
columns = { case = "id", done = "date", la = "category" }
entity = "la"
[sources.pop]
columns = { la = "category", as_at = "date", children = "number" }
entity = "la"
[[indicator]]
id = "m"
name = "Assessments per 10,000"
unit = "per_10k"
polarity = "lower_is_better"
decimals = 1
measure = { kind = "rate", source = "s", date = "done", window_months = 3, population = { source = "pop", date = "as_at", value = "children" } }
"#;
    let s = Scorecard::from_toml(text).expect("loads");
    let mut set = RecordSet::new();
    set.insert(
        s.read_records(
            "s",
            b"case,done,la\n1,2022-03-31,x\n2,2022-04-01,x\n3,2022-06-30,x\n4,2022-07-01,x\n5,2022-05-05,y\n",
        )
        .expect("reads"),
    )
    .expect("inserts");
    // Without the population's records the rate has no value.
    let obs = s.measure_observations(&set).expect("measures");
    let e = s
        .evaluate(&obs, &EvaluateOptions::default())
        .expect("evaluates");
    assert!(e.results.iter().all(|r| r.value.is_none()));
    set.insert(
        s.read_records(
            "pop",
            b"la,as_at,children\nx,2021-06-30,4000\nx,2022-06-30,5000\ny,2021-06-30,1000\n",
        )
        .expect("reads"),
    )
    .expect("inserts");
    let obs = s.measure_observations(&set).expect("measures");
    let e = s
        .evaluate(&obs, &EvaluateOptions::default())
        .expect("evaluates");
    let get = |entity: &str, period: &str| {
        e.results
            .iter()
            .find(|r| r.entity.as_deref() == Some(entity) && r.period.to_string() == period)
            .map(|r| (r.numerator, r.denominator, r.value))
            .expect("result")
    };
    let d = |n: i64, s: u32| Some(Decimal::new(n, s));
    // April to June 2022 holds records 2 and 3; the population at 30 June 2022 is 5,000.
    assert_eq!(get("x", "2022-06"), (d(2, 0), d(5000, 0), d(40, 1)));
    // March to May: records 1 and 2, population 4,000 (the estimate of June 2021).
    assert_eq!(get("x", "2022-05"), (d(2, 0), d(4000, 0), d(50, 1)));
    assert_eq!(get("y", "2022-06"), (d(1, 0), d(1000, 0), d(100, 1)));
    let rows: Vec<usize> = s
        .failing_records(&set, "m", Some("x"), "2022-06")
        .expect("drills")
        .iter()
        .map(|f| f.row)
        .collect();
    assert_eq!(rows, vec![2, 3]);
    assert!(s
        .failing_records(&set, "m", Some("z"), "2022-06")
        .unwrap_err()
        .message
        .contains("entities are: x, y"));
}

// ---------------------------------------------------------------- with data

#[test]
fn measures_merge_with_data_and_data_cannot_give_a_measured_value() {
    let text = r#"
ragulator = 1
[comparators]
sn = "Statistical neighbours"
[sources.s]
columns = { case = "id", started = "date", done = "date" }
[[indicator]]
id = "m"
name = "Timely"
unit = "percent"
polarity = "higher_is_better"
decimals = 1
target = 50
rag = { rule = "comparator", against = "sn", amber = 5 }
measure = { kind = "timeliness", source = "s", start = "started", end = "done", within = 5, unit = "days" }
[[indicator]]
id = "contacts"
name = "Contacts"
unit = "count"
polarity = "none"
"#;
    let s = Scorecard::from_toml(text).expect("loads");
    let mut set = RecordSet::new();
    set.insert(
        s.read_records(
            "s",
            b"case,started,done\na,2022-06-01,2022-06-03\nb,2022-06-01,2022-06-09\n",
        )
        .expect("reads"),
    )
    .expect("inserts");
    let data = s
        .read_csv(b"indicator,period,series,value\nm,2022-06,sn,48\nm,2022-06,,99\ncontacts,2022-06,,1200\n")
        .expect("reads");
    assert_eq!(
        data.rejected()[0].reason,
        "indicator 'm' is computed from records (it has a measure), so data rows cannot give its value; targets and comparators may still come from data"
    );
    let measured = s.measure_observations(&set).expect("measures");
    let all = s.merge_observations(&[&data, &measured]);
    assert_eq!(all.input_rows(), 4);
    assert_eq!(all.rejected()[0].row, 2);
    let e = s
        .evaluate(&all, &EvaluateOptions::default())
        .expect("evaluates");
    let m = e.results.iter().find(|r| &*r.indicator == "m").expect("m");
    assert_eq!(m.value, Some(Decimal::new(500, 1)));
    assert_eq!(m.status.as_deref(), Some("green"));
    assert_eq!(
        m.explanation,
        "Timely was 50.0% against Statistical neighbours at 48.0% (higher is better): 2.0 points better. 1 of 2 s, 50.0%, were completed within 5 days."
    );
    assert!(e.results.iter().any(|r| &*r.indicator == "contacts"));
}

// ---------------------------------------------------------------- validation

fn diagnostics(text: &str) -> Vec<String> {
    match Scorecard::from_toml(text) {
        Ok(_) => panic!("loaded:\n{text}"),
        // Path and message; the line and column are the loader's business.
        Err(e) => e
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect(),
    }
}

#[test]
fn bad_measures_are_reported_with_paths_and_what_would_be_valid() {
    let base = r#"
ragulator = 1
[sources.visits]
columns = { child = "id", on = "date", age = "number", team = "category" }
entity = "team"
[[indicator]]
id = "v"
name = "V"
unit = "UNIT"
polarity = "higher_is_better"
"#;
    let with =
        |unit: &str, measure: &str| format!("{}measure = {measure}\n", base.replace("UNIT", unit));
    assert_eq!(
        diagnostics(&with(
            "percent",
            r#"{ kind = "interval", source = "vists", id = "child", date = "on", max_gap = 42 }"#
        )),
        vec!["indicator[0].measure.source: unknown source 'vists'; sources are: visits"]
    );
    assert_eq!(
        diagnostics(&with("percent", r#"{ kind = "interval", source = "visits", id = "child", date = "age", max_gap = 42 }"#)),
        vec!["indicator[0].measure.date: date must be a date column, but 'age' is a number column of source 'visits'; its date columns are: on"]
    );
    assert_eq!(
        diagnostics(&with("percent", r#"{ kind = "interval", source = "visits", id = "kid", date = "on", max_gap = 42 }"#)),
        vec!["indicator[0].measure.id: 'kid' is not a column of source 'visits'; its id columns are: child"]
    );
    assert_eq!(
        diagnostics(&with("count", r#"{ kind = "interval", source = "visits", id = "child", date = "on", max_gap = 42 }"#)),
        vec!["indicator[0].measure: a interval measure gives a numerator and a denominator, so the indicator's unit must be \"percent\" or \"ratio\", not count"]
    );
    assert_eq!(
        diagnostics(&with("percent", r#"{ kind = "interval", source = "visits", id = "child", date = "on", max_gap = 42, filter = [{ column = "age", below = 18, at_least = 1 }] }"#)),
        vec!["indicator[0].measure.filter[0]: a filter gives exactly one condition (equals, not_equals, one_of, below, at_least, age_below or age_at_least); this one gives 2"]
    );
    assert_eq!(
        diagnostics(&with("percent", r#"{ kind = "interval", source = "visits", id = "child", date = "on", max_gap = 42, filter = [{ column = "team", below = 18 }] }"#)),
        vec!["indicator[0].measure.filter[0].below: below needs a number column, but 'team' is a category column"]
    );
    assert_eq!(
        diagnostics(&with("per_10k", r#"{ kind = "rate", source = "visits", date = "on", start = "on", population = 100 }"#)),
        vec!["indicator[0].measure: a rate counts either records dated in the period (`date`, optionally `window_months`) or records open at the period end (`start`, optionally `end`); give one of the two"]
    );
    assert_eq!(
        diagnostics(&with("percent", r#"{ kind = "interval", source = "visits", id = "child", date = "on", max_gap = 42, from = "2022" }"#)),
        vec!["indicator[0].measure.from: from is a year ('2022'), but the measure is computed by month; give a month period"]
    );
    let unknown_key = diagnostics(&with(
        "percent",
        r#"{ kind = "interval", source = "visits", id = "child", date = "on", max_gap = 42, within = 3 }"#,
    ));
    assert!(
        unknown_key[0].contains("unknown field `within`"),
        "{unknown_key:?}"
    );
    let bad_source = diagnostics("ragulator = 1\n[sources.Visits]\ncolumns = { on = \"when\" }\n");
    assert!(
        bad_source[0].contains("unknown variant `when`"),
        "{bad_source:?}"
    );
    assert_eq!(
        diagnostics("ragulator = 1\n[sources.Visits]\ncolumns = { on = \"date\" }\nentity = \"team\"\n"),
        vec![
            "sources.Visits: source name 'Visits' must be lower-case letters, digits and _ (like referrals), so the CLI's NAME=FILE can name it",
            "sources.Visits.entity: entity names column 'team', which is not a column of source 'Visits'; its columns are: on",
        ]
    );
}

/// Path, line and column of every diagnostic.
fn placed(text: &str, format: ragulator::Format) -> Vec<String> {
    match Scorecard::from_str(text, format) {
        Ok(_) => panic!("loaded:\n{text}"),
        Err(e) => e
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} {}:{} {}",
                    d.path,
                    d.line.unwrap_or(0),
                    d.column.unwrap_or(0),
                    d.message
                )
            })
            .collect(),
    }
}

#[test]
fn problems_inside_a_tagged_mapping_are_placed_at_their_own_key() {
    use ragulator::Format;
    let toml = |measure: &str, rag: &str| {
        format!(
            "ragulator = 1\n[sources.visits]\ncolumns = {{ child = \"id\", on = \"date\" }}\n[[indicator]]\nid = \"v\"\nname = \"V\"\nunit = \"percent\"\npolarity = \"higher_is_better\"\nrag = {rag}\nmeasure = {measure}\n"
        )
    };
    let good =
        r#"{ kind = "interval", source = "visits", id = "child", date = "on", max_gap = 42 }"#;
    let target = r#"{ rule = "target", amber = 2 }"#;
    // A wrong type inside a measure or rule: at the value, with its key.
    assert_eq!(
        placed(&toml(&good.replace("max_gap = 42", "max_gap = \"x\""), target), Format::Toml),
        vec!["indicator[0].measure.max_gap 10:88 invalid type: string \"x\", expected a whole number, 0 or more"]
    );
    assert_eq!(
        placed(&toml(good, r#"{ rule = "target", amber = "2 points" }"#), Format::Toml),
        vec!["indicator[0].rag.amber 9:34 '2 points' is not a tolerance: write a number of units (2) or a percentage of the target (\"5%\")"]
    );
    // An unknown kind is reported once: the fields of the variant put in its
    // place are not checked.
    assert_eq!(
        placed(&toml(&good.replace("interval", "intervals"), target), Format::Toml),
        vec!["indicator[0].measure.kind 10:20 unknown variant `intervals`, expected one of `timeliness`, `recurrence`, `interval`, `rolling_count`, `rate`"]
    );
    // A missing tag is reported once, for the same reason.
    assert_eq!(
        placed(
            &toml(good, r#"{ rul = "target", amber = 2 }"#),
            Format::Toml
        ),
        vec!["indicator[0].rag 9:7 missing field `rule`"]
    );
    // The same in JSON and YAML, and the measure's semantic checks still run
    // once a bad field is set aside.
    let json = r#"{"ragulator": 1, "sources": {"visits": {"columns": {"child": "id", "on": "date"}}},
"indicator": [{"id": "v", "name": "V", "unit": "percent", "polarity": "higher_is_better",
"measure": {"kind": "interval", "source": "visit", "id": "child", "date": "on", "max_gap": 42, "bogus": 1}}]}"#;
    assert_eq!(
        placed(json, Format::Json),
        vec![
            "indicator[0].measure.bogus 3:102 unknown field `bogus`, expected one of `source`, `filter`, `period`, `from`, `noun`, `phrase`, `id`, `date`, `max_gap`, `unit`, `window_months`",
            "indicator[0].measure.source 3:43 unknown source 'visit'; sources are: visits",
        ]
    );
    let yaml = "ragulator: 1\nindicator:\n  - id: v\n    name: V\n    unit: percent\n    polarity: higher_is_better\n    rag:\n      rule: bands\n      thresholds: [90, ninety]\n";
    assert_eq!(
        placed(yaml, Format::Yaml),
        vec!["indicator[0].rag.thresholds[1] 9:24 'ninety' is not a number"]
    );
    // Holidays name what would be valid, and a bad date by its place.
    let holidays = |h: &str| format!("ragulator = 1\n[calendar]\nholidays = {h}\n");
    assert_eq!(
        placed(&holidays("5"), Format::Toml),
        vec!["calendar.holidays 3:12 invalid type: integer `5`, expected \"england-and-wales\", \"none\" or a list of YYYY-MM-DD dates"]
    );
    assert_eq!(
        placed(&holidays("[\"2024-01-01\", 7]"), Format::Toml),
        vec!["calendar.holidays[1] 3:27 invalid type: integer `7`, expected text in quotes"]
    );
}

#[test]
fn scorecards_with_measures_round_trip_through_every_format() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/childrens-social-care/scorecard-measures.toml"
    ))
    .expect("example");
    let s = Scorecard::from_toml(&text).expect("loads");
    for format in [
        ragulator::Format::Json,
        ragulator::Format::Yaml,
        ragulator::Format::Toml,
    ] {
        let out = s.to_string(format).expect("serialises");
        let back = Scorecard::from_str(&out, format).expect("reloads");
        assert_eq!(back.spec(), s.spec());
    }
    let schema = ragulator::json_schema().to_string();
    assert!(schema.contains("rolling_count") && schema.contains("working_days"));
}

// ---------------------------------------------------------------- against a plain re-implementation

/// A deterministic generator (SplitMix64) for records.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

type Day = chrono::NaiveDate;

/// (child, start, end) for 400 records of 40 children over 2021-2022.
fn random_spans(seed: u64) -> Vec<(u64, Day, Option<Day>)> {
    let base = Day::from_ymd_opt(2021, 1, 1).expect("date");
    let mut rng = Rng(seed);
    (0..400)
        .map(|_| {
            let child = rng.below(40);
            let start = base + chrono::Days::new(rng.below(700));
            let end = (rng.below(5) != 0).then(|| start + chrono::Days::new(rng.below(200)));
            (child, start, end)
        })
        .collect()
}

fn spans_csv(spans: &[(u64, Day, Option<Day>)]) -> String {
    let mut csv = String::from("child,start,end\n");
    for (c, s, e) in spans {
        let e = e.map(|e| e.to_string()).unwrap_or_default();
        csv.push_str(&format!("c{c},{s},{e}\n"));
    }
    csv
}

fn months_2021_2022() -> Vec<(String, Day, Day)> {
    (0..24)
        .map(|i| {
            let start = Day::from_ymd_opt(2021 + i / 12, 1 + (i % 12) as u32, 1).expect("date");
            let end = start + chrono::Months::new(1) - chrono::Days::new(1);
            (format!("{}", start.format("%Y-%m")), start, end)
        })
        .collect()
}

#[test]
fn rolling_counts_and_rates_agree_with_a_plain_re_implementation() {
    for seed in 1..=5 {
        let spans = random_spans(seed);
        let csv = spans_csv(&spans);
        for among in ["open_at_end", "active_in_window"] {
            let s = rolling(among);
            let set = records(&s, &csv);
            let e = evaluate(&s, &set);
            for (period, _, end) in months_2021_2022() {
                let ws = end + chrono::Days::new(1) - chrono::Months::new(12);
                let mut num = 0;
                let mut den = 0;
                for child in 0..40 {
                    let mine: Vec<_> = spans.iter().filter(|x| x.0 == child).collect();
                    let in_window = mine
                        .iter()
                        .filter(|(_, s, en)| *s <= end && en.is_none_or(|en| en >= ws))
                        .count();
                    let open = mine
                        .iter()
                        .any(|(_, s, en)| *s <= end && en.is_none_or(|en| en > end));
                    let counted = if among == "open_at_end" {
                        open
                    } else {
                        in_window > 0
                    };
                    if counted {
                        den += 1;
                        num += i64::from(in_window >= 3);
                    }
                }
                let got = e
                    .results
                    .iter()
                    .find(|r| r.period.to_string() == period)
                    .map(|r| {
                        (
                            i64::try_from(r.numerator.unwrap_or_default()).unwrap_or(-1),
                            i64::try_from(r.denominator.unwrap_or_default()).unwrap_or(-1),
                        )
                    });
                // A period before the first record has no row.
                let want = (num, den);
                if got.is_some() || den > 0 {
                    assert_eq!(got, Some(want), "seed {seed}, {among}, {period}");
                }
                let listed = s.failing_records(&set, "m", None, &period).expect("drills");
                assert_eq!(listed.len() as i64, num, "seed {seed}, {among}, {period}");
            }
        }
        // Children open at each month end, as a rate.
        let rate = scorecard(
            r#"child = "id", start = "date", end = "date""#,
            "per_10k",
            "lower_is_better",
            r#"kind = "rate", id = "child", start = "start", end = "end", population = 10000"#,
        );
        let set = records(&rate, &csv);
        let e = evaluate(&rate, &set);
        for (period, _, end) in months_2021_2022() {
            let open: BTreeSet<u64> = spans
                .iter()
                .filter(|(_, s, en)| *s <= end && en.is_none_or(|en| en > end))
                .map(|x| x.0)
                .collect();
            if let Some(r) = e.results.iter().find(|r| r.period.to_string() == period) {
                assert_eq!(
                    r.numerator,
                    Some(Decimal::from(open.len() as u64)),
                    "seed {seed}, {period}"
                );
            }
        }
    }
}

#[test]
fn intervals_and_recurrences_agree_with_a_plain_re_implementation() {
    for seed in 11..=15 {
        let spans = random_spans(seed);
        let mut csv = String::from("child,visited\n");
        for (c, s, _) in &spans {
            csv.push_str(&format!("c{c},{s}\n"));
        }
        let s = interval(42, "days", 6);
        let set = records(&s, &csv);
        let e = evaluate(&s, &set);
        let rec_s = recurrence("");
        let mut rcsv = String::from("child,referred,dob\n");
        for (c, d, _) in &spans {
            rcsv.push_str(&format!("c{c},{d},2010-01-01\n"));
        }
        let rset = records(&rec_s, &rcsv);
        let re = evaluate(&rec_s, &rset);
        for (period, start, end) in months_2021_2022() {
            let ws = end + chrono::Days::new(1) - chrono::Months::new(6);
            let (mut num, mut den) = (0, 0);
            for child in 0..40u64 {
                let mut days: Vec<Day> =
                    spans.iter().filter(|x| x.0 == child).map(|x| x.1).collect();
                days.sort();
                if !days.iter().any(|d| *d >= ws && *d <= end) {
                    continue;
                }
                den += 1;
                let long = days
                    .windows(2)
                    .any(|w| w[1] >= ws && w[1] <= end && (w[1] - w[0]).num_days() > 42);
                num += i64::from(!long);
            }
            // The periods end with the month of the last visit.
            let last = spans.iter().map(|x| x.1).max().expect("visits");
            if den > 0 && start <= last {
                assert_eq!(
                    ratio(&e, &period),
                    (num, den),
                    "seed {seed}, interval {period}"
                );
            }
            // Re-referrals: an earlier day of the same child within 12 months.
            let (mut rnum, mut rden) = (0, 0);
            for (c, d, _) in spans.iter().filter(|x| x.1 >= start && x.1 <= end) {
                rden += 1;
                let bound = *d - chrono::Months::new(12);
                rnum += i64::from(
                    spans
                        .iter()
                        .any(|(c2, d2, _)| c2 == c && d2 < d && *d2 >= bound),
                );
            }
            if rden > 0 {
                assert_eq!(
                    ratio(&re, &period),
                    (rnum, rden),
                    "seed {seed}, recurrence {period}"
                );
            }
        }
    }
}

#[test]
fn a_row_that_is_not_utf8_is_rejected_naming_the_column() {
    let s = timely(10, "days", "");
    let rec = s
        .read_records(
            "s",
            b"case,started,done\na\xff,2022-06-01,2022-06-08\n b ,2022-06-01,2022-06-08\n",
        )
        .expect("reads");
    assert_eq!(rec.rejected().len(), 1);
    assert_eq!(rec.rejected()[0].row, 1);
    assert_eq!(rec.rejected()[0].reason, "column case: invalid UTF-8");
    // Spaces around a value are not part of it.
    let mut set = RecordSet::new();
    set.insert(rec).expect("inserts");
    let late = s
        .failing_records(&set, "m", None, "2022-06")
        .expect("drills");
    assert!(late.is_empty());
    assert_eq!(ratio(&evaluate(&s, &set), "2022-06"), (1, 1));
}

#[test]
fn too_many_results_is_an_error_not_an_exhausted_memory() {
    let text = r#"
ragulator = 1
[sources.s]
columns = { case = "id", started = "date", done = "date" }
entity = "case"
[[indicator]]
id = "m"
name = "Daily"
unit = "percent"
polarity = "higher_is_better"
measure = { kind = "timeliness", source = "s", start = "started", end = "done", within = 1, period = "day" }
"#;
    let s = Scorecard::from_toml(text).expect("loads");
    // 2,000 entities (the id given as the entity) × 36,525 days (1922-2022).
    let mut csv = String::from("case,started,done\n");
    for i in 0..2000 {
        csv.push_str(&format!("c{i},1922-01-01,1922-01-02\n"));
    }
    csv.push_str("late,2021-12-30,2021-12-31\n");
    let mut set = RecordSet::new();
    set.insert(s.read_records("s", csv.as_bytes()).expect("reads"))
        .expect("inserts");
    let err = s.measure_observations(&set).unwrap_err();
    assert!(
        err.message
            .starts_with("indicator 'm' would need 2001 entities × 36524 periods"),
        "{}",
        err.message
    );
}

#[test]
fn json_record_numbers_are_the_decimals_written() {
    let text = r#"
ragulator = 1
[sources.s]
columns = { case = "id", done = "date" }
[sources.pop]
columns = { as_at = "date", children = "number" }
[[indicator]]
id = "m"
name = "Assessments per 10,000"
unit = "per_10k"
polarity = "lower_is_better"
measure = { kind = "rate", source = "s", date = "done", population = { source = "pop", date = "as_at", value = "children" } }
"#;
    let s = Scorecard::from_toml(text).expect("loads");
    let mut set = RecordSet::new();
    set.insert(
        s.read_records_json("s", br#"[{"case": 1, "done": "2022-06-01"}]"#)
            .expect("reads"),
    )
    .expect("inserts");
    // 22 significant digits: through an f64 it would be 5000.
    set.insert(
        s.read_records_json(
            "pop",
            br#"[{"as_at": "2022-01-01", "children": 5000.000000000000000001}]"#,
        )
        .expect("reads"),
    )
    .expect("inserts");
    let e = evaluate(&s, &set);
    let denominators: Vec<Option<Decimal>> = e.results.iter().map(|r| r.denominator).collect();
    assert_eq!(
        denominators,
        [Some("5000.000000000000000001".parse().expect("decimal"))]
    );
}

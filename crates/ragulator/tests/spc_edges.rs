//! SPC edge cases through the public API (`Scorecard::spc`, `spc_until`,
//! `evaluate`): trend directions where one run ends and the next begins.

use ragulator::{EvaluateOptions, Observations, Scorecard};

/// `YYYY-MM` of the i-th month from 2020-01.
fn month(i: usize) -> String {
    format!("{}-{:02}", 2020 + i / 12, i % 12 + 1)
}

fn scorecard(polarity: &str, spc: &str) -> Scorecard {
    Scorecard::from_toml(&format!(
        "ragulator = 1\nname = \"T\"\n[[indicator]]\nid = \"x\"\nname = \"X\"\nunit = \"count\"\n\
         polarity = \"{polarity}\"\ntarget = 5\nspc = {spc}\n"
    ))
    .expect("valid scorecard")
}

/// Monthly data from 2020-01, one row per value.
fn monthly(s: &Scorecard, values: &[i64]) -> Observations {
    let mut csv = String::from("indicator,period,value\n");
    for (i, v) in values.iter().enumerate() {
        csv.push_str(&format!("x,{},{v}\n", month(i)));
    }
    s.read_csv(csv.as_bytes()).expect("reads")
}

/// `(rule, point_type)` of every point of the full chart.
fn labels(s: &Scorecard, data: &Observations) -> Vec<(Option<String>, String)> {
    let chart = s.spc(data, "x", None).expect("charts").to_json();
    chart["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| {
            (
                p["rule"].as_str().map(str::to_string),
                p["point_type"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Two runs of `len` strict steps in one direction, separated by one step
/// back: `10 11 … 10+len-1 | 10+len-2 … 10+2len-3` (rising), or its negation
/// shifted to stay positive (falling). Every moving range is 1, so the limits
/// are mean ± 2.66 and the point where the first run ends lies inside them.
fn two_runs(len: usize, rising: bool) -> Vec<i64> {
    let len = i64::try_from(len).expect("small");
    let up: Vec<i64> = (0..len)
        .chain(len - 2..2 * len - 2)
        .map(|k| 10 + k)
        .collect();
    if rising {
        up
    } else {
        up.iter().map(|v| 100 - v).collect()
    }
}

/// The audit's case (trend 7, `/work/scratch/auditB/f1`) and trends of 5
/// and 6: the last point of the first run is in that run only, so it keeps
/// its direction (R's step rule would take the step back into the next run
/// and call it the opposite).
#[test]
fn the_point_ending_a_run_keeps_its_direction_before_a_run_the_same_way() {
    for len in [5usize, 6, 7] {
        let spc = if len == 7 {
            "{}".to_string()
        } else {
            format!("{{ trend = {len} }}")
        };
        for (polarity, rising, rule, point_type) in [
            (
                "higher_is_better",
                true,
                "trend_up",
                "special_cause_improvement",
            ),
            (
                "higher_is_better",
                false,
                "trend_down",
                "special_cause_concern",
            ),
            ("lower_is_better", true, "trend_up", "special_cause_concern"),
            (
                "lower_is_better",
                false,
                "trend_down",
                "special_cause_improvement",
            ),
        ] {
            let s = scorecard(polarity, &spc);
            let values = two_runs(len, rising);
            let got = labels(&s, &monthly(&s, &values));
            let end = len - 1;
            assert_eq!(
                got[end],
                (Some(rule.to_string()), point_type.to_string()),
                "trend {len}, {polarity}, rising {rising}: point {} of {values:?}",
                month(end)
            );
            // No point of either run carries the opposite trend label.
            let opposite = if rising { "trend_down" } else { "trend_up" };
            assert!(
                got.iter().all(|(r, _)| r.as_deref() != Some(opposite)),
                "trend {len}, {polarity}: {got:?}"
            );
            // Both runs are whole trends: every point is a trend point or
            // (at the far ends) outside the limits.
            assert!(
                got.iter().all(|(r, _)| r.is_some()),
                "trend {len}, {polarity}: {got:?}"
            );
        }
    }
}

/// The audit's exact series: 2020-07 (16) ends the first rise.
#[test]
fn audit_case_f1() {
    let s = scorecard("higher_is_better", "{}");
    let rising = [10, 11, 12, 13, 14, 15, 16, 15, 16, 17, 18, 19, 20, 21];
    let got = labels(&s, &monthly(&s, &rising));
    assert_eq!(
        got[6],
        (
            Some("trend_up".to_string()),
            "special_cause_improvement".to_string()
        )
    );
    let falling = [22, 21, 20, 19, 18, 17, 16, 17, 16, 15, 14, 13, 12, 11];
    let got = labels(&s, &monthly(&s, &falling));
    assert_eq!(
        got[6],
        (
            Some("trend_down".to_string()),
            "special_cause_concern".to_string()
        )
    );
}

/// A peak ends the rise and starts the fall: it belongs to the run that
/// continues (the fall), as in NHSRplotthedots.
#[test]
fn a_peak_belongs_to_the_run_that_continues() {
    let s = scorecard("higher_is_better", "{ trend = 5 }");
    let values = [10, 11, 12, 13, 14, 13, 12, 11, 10];
    let got = labels(&s, &monthly(&s, &values));
    let rules: Vec<Option<&str>> = got.iter().map(|(r, _)| r.as_deref()).collect();
    let mut want = vec![Some("trend_up"); 4];
    want.extend([Some("trend_down"); 5]);
    assert_eq!(rules, want);
}

/// `evaluate`'s per-period SPC state is the last point of the chart of the
/// points up to that period, for every period of the two-run series.
#[test]
fn evaluate_spc_matches_the_chart_known_at_each_period() {
    for (len, rising) in [(5usize, true), (6, false), (7, true)] {
        let s = scorecard("higher_is_better", &format!("{{ trend = {len} }}"));
        let data = monthly(&s, &two_runs(len, rising));
        let e = s
            .evaluate(&data, &EvaluateOptions::default())
            .expect("evaluates");
        assert_eq!(e.results.len(), 2 * len);
        for r in &e.results {
            let state = r.spc.as_ref().expect("spc state");
            let chart = s
                .spc_until(&data, "x", None, Some(r.period))
                .expect("charts");
            let last = chart.points.last().expect("a point");
            assert_eq!(last.period, r.period);
            assert_eq!(
                (state.rule, state.point_type),
                (last.rule, Some(last.point_type)),
                "{}",
                r.period
            );
            assert_eq!(state.variation, chart.variation);
            assert_eq!(state.assurance, chart.assurance);
        }
    }
}

/// One point has no moving range, hence no limits (NHSRplotthedots: NA):
/// null limits, no rule; with a target, assurance is hit and miss (R's
/// "inconsistent": neither comparison with an NA limit holds, and the
/// domain notes say "otherwise hit and miss"); without one, none.
#[test]
fn a_single_point_has_no_limits_and_hit_and_miss_assurance() {
    let s = scorecard("higher_is_better", "{}");
    let data = monthly(&s, &[10]);
    let chart = s.spc(&data, "x", None).expect("charts");
    assert!(!chart.groups[0].has_limits());
    assert_eq!(chart.assurance, Some("hit_and_miss"));
    let neutral = scorecard("none", "{}");
    let chart = neutral
        .spc(&monthly(&neutral, &[10]), "x", None)
        .expect("charts");
    assert_eq!(chart.assurance, None);
    let chart = s.spc(&data, "x", None).expect("charts");
    let json = chart.to_json();
    let g = &json["groups"][0];
    for key in ["lpl", "upl", "near_lower", "near_upper"] {
        assert!(g[key].is_null(), "{key}: {g}");
    }
    assert_eq!(
        (g["mean"].as_str(), g["n"].as_u64()),
        (Some("10.0000"), Some(1))
    );
    assert_eq!(g["short"], true);
    assert_eq!(json["assurance"], "hit_and_miss");
    assert_eq!(json["target"], "5");
    let p = &json["points"][0];
    assert!(p["rule"].is_null());
    assert_eq!(p["point_type"], "common_cause");
    assert_eq!(json["variation"], "common_cause");
    assert_eq!(
        json["warnings"][0],
        "segment starting at point 1 has a single point; it has no limits until it has 2"
    );

    // Two points have a moving range: limits and an assurance again
    // (mean 10.5, AMR 1, limits 7.84 and 13.16; target 5 is below them).
    let two = s.spc(&monthly(&s, &[10, 11]), "x", None).expect("charts");
    assert!(two.groups[0].has_limits());
    let json = two.to_json();
    assert_eq!(json["groups"][0]["lpl"], "7.8400");
    assert_eq!(json["assurance"], "consistent_pass");

    // evaluate's SPC state for the first period is the same one-point chart.
    let e = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates");
    let state = e.results[0].spc.as_ref().expect("spc state");
    assert_eq!(
        (state.n, state.assurance, state.rule),
        (1, Some("hit_and_miss"), None)
    );
    assert_eq!((state.lpl, state.upl), (None, None));
    let out = e.to_json();
    assert!(out["results"][0]["spc"]["lpl"].is_null() && out["results"][0]["spc"]["upl"].is_null());
}

/// `evaluate`'s per-period SPC rebases as the chart does: a quarter on
/// monthly data starts a segment at its first month.
#[test]
fn evaluate_rebases_at_a_quarter_as_the_chart_does() {
    let s = scorecard("higher_is_better", "{ rebase = [\"2020-Q3\"] }");
    let data = f7(&s);
    let e = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates");
    let chart = s.spc(&data, "x", None).expect("charts");
    let last = e
        .results
        .last()
        .and_then(|r| r.spc.as_ref())
        .expect("spc state");
    let segment = chart.groups.last().expect("a segment");
    assert_eq!(segment.start.to_string(), "2020-07");
    // The last segment (2020-07 onwards: 0, 6, 2, 5, 1) has mean 2.8.
    assert_eq!(last.mean.normalize().to_string(), "2.8");
    assert_eq!(last.mean, ragulator::spc::round4(segment.mean));
}

/// A rebase at the last point leaves it alone in the last segment: that
/// segment has no limits, so assurance is hit and miss (as R's
/// "inconsistent"); the first segment keeps its own limits.
#[test]
fn a_single_point_last_segment_has_null_limits() {
    let s = scorecard("higher_is_better", "{ rebase = [\"2020-05\"] }");
    let chart = s
        .spc(&monthly(&s, &[10, 11, 10, 11, 30]), "x", None)
        .expect("charts")
        .to_json();
    let groups = chart["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["upl"], "13.1600");
    assert!(groups[1]["upl"].is_null() && groups[1]["lpl"].is_null());
    assert_eq!(groups[1]["mean"], "30.0000");
    assert!(chart["points"][4]["rule"].is_null());
    assert_eq!(chart["assurance"], "hit_and_miss");
}

/// `(start, n)` of every group, and the warnings, of a chart as JSON.
fn groups_and_warnings(chart: &serde_json::Value) -> (Vec<(String, u64)>, Vec<String>) {
    let groups = chart["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["start"].as_str().unwrap_or_default().to_string(),
                g["n"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let warnings = chart["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w.as_str().unwrap_or_default().to_string())
        .collect();
    (groups, warnings)
}

/// Audit case f7: monthly data 2020-01..2020-12 without 2020-08.
fn f7(s: &Scorecard) -> Observations {
    let csv = "indicator,period,value\nx,2020-01,3\nx,2020-02,6\nx,2020-03,2\nx,2020-04,5\n\
               x,2020-05,1\nx,2020-06,4\nx,2020-07,0\nx,2020-09,6\nx,2020-10,2\nx,2020-11,5\n\
               x,2020-12,1\n";
    s.read_csv(csv.as_bytes()).expect("reads")
}

/// A rebase period of another kind starts the new segment at the first point
/// whose period starts on or after its first day: 2020-Q3 on monthly data at
/// 2020-07 (it used to be ignored, as every month sorted before every
/// quarter); a month on quarterly data at the quarter starting on or after it.
#[test]
fn a_quarter_rebases_monthly_data_at_its_first_month() {
    let s = scorecard("higher_is_better", "{ rebase = [\"2020-Q3\"] }");
    let chart = s.spc(&f7(&s), "x", None).expect("charts").to_json();
    let (groups, _) = groups_and_warnings(&chart);
    assert_eq!(
        groups,
        vec![("2020-01".to_string(), 6), ("2020-07".to_string(), 5)]
    );
    // The same as naming the month.
    let by_month = scorecard("higher_is_better", "{ rebase = [\"2020-07\"] }");
    let same = by_month.spc(&f7(&by_month), "x", None).expect("charts");
    assert_eq!(chart["groups"], same.to_json()["groups"]);

    // A year and a financial year (April start) work the same way.
    let s = scorecard("higher_is_better", "{ rebase = [\"2020/21\"] }");
    let (groups, _) = groups_and_warnings(&s.spc(&f7(&s), "x", None).expect("charts").to_json());
    assert_eq!(
        groups,
        vec![("2020-01".to_string(), 3), ("2020-04".to_string(), 8)]
    );

    // Quarterly data rebased by months: 2020-07 starts Q3 exactly, 2020-08
    // falls inside Q3, so the first quarter starting after it is Q4.
    let quarterly = |spc: &str| {
        let s = scorecard("higher_is_better", spc);
        let csv = "indicator,period,value\nx,2020-Q1,3\nx,2020-Q2,6\nx,2020-Q3,2\nx,2020-Q4,5\nx,2021-Q1,1\n";
        let data = s.read_csv(csv.as_bytes()).expect("reads");
        groups_and_warnings(&s.spc(&data, "x", None).expect("charts").to_json()).0
    };
    assert_eq!(
        quarterly("{ rebase = [\"2020-07\"] }"),
        vec![("2020-Q1".to_string(), 2), ("2020-Q3".to_string(), 3)]
    );
    assert_eq!(
        quarterly("{ rebase = [\"2020-08\"] }"),
        vec![("2020-Q1".to_string(), 3), ("2020-Q4".to_string(), 2)]
    );
}

/// A rebase at a month without a value starts at the next point, as before.
#[test]
fn a_rebase_at_a_missing_month_starts_at_the_next_point() {
    let s = scorecard("higher_is_better", "{ rebase = [\"2020-08\"] }");
    let (groups, warnings) =
        groups_and_warnings(&s.spc(&f7(&s), "x", None).expect("charts").to_json());
    assert_eq!(
        groups,
        vec![("2020-01".to_string(), 7), ("2020-09".to_string(), 4)]
    );
    assert!(
        !warnings.iter().any(|w| w.contains("rebase")),
        "{warnings:?}"
    );
}

/// A rebase after the last point changes no segment; the chart warns that
/// it had no effect. One on or before the first point changes nothing either
/// (the first segment starts there anyway).
#[test]
fn a_rebase_after_the_data_changes_nothing_but_says_so() {
    let plain = scorecard("higher_is_better", "{}");
    let base = plain.spc(&f7(&plain), "x", None).expect("charts").to_json();
    for (rebase, warns) in [
        ("\"2021-Q1\"", true),
        ("\"2030-01\"", true),
        ("\"2019-12\"", false),
        ("\"2020-01\"", false),
    ] {
        let s = scorecard("higher_is_better", &format!("{{ rebase = [{rebase}] }}"));
        let chart = s.spc(&f7(&s), "x", None).expect("charts").to_json();
        assert_eq!(chart["groups"], base["groups"], "{rebase}");
        assert_eq!(chart["points"], base["points"], "{rebase}");
        let (_, warnings) = groups_and_warnings(&chart);
        let said = warnings.iter().any(|w| {
            w.contains(rebase.trim_matches('"'))
                && w.contains("after the last point (2020-12) and has no effect")
        });
        assert_eq!(said, warns, "{rebase}: {warnings:?}");
    }
}

/// Each point carries its own period's target (a scorecard step, or a data
/// row for that period), so a target line can be drawn; the chart's one
/// `target`, which assurance uses, is the last point's.
#[test]
fn points_carry_their_periods_target() {
    let s = Scorecard::from_toml(
        "ragulator = 1\n[[indicator]]\nid = \"x\"\nname = \"X\"\nunit = \"count\"\n\
         polarity = \"higher_is_better\"\nspc = {}\n\
         target = [{ from = \"2020-01\", value = 10 }, { from = \"2020-03\", value = 12 }]\n",
    )
    .expect("valid scorecard");
    let mut csv = String::from("indicator,period,series,value\n");
    for i in 0..5 {
        csv.push_str(&format!("x,{},actual,{i}\n", month(i)));
    }
    csv.push_str("x,2020-04,target,15.5\n");
    let data = s.read_csv(csv.as_bytes()).expect("reads");
    let chart = s.spc(&data, "x", None).expect("charts");
    let targets: Vec<String> = chart
        .points
        .iter()
        .map(|p| p.target.map(|t| t.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(targets, ["10", "10", "12", "15.5", "12"].map(String::from));
    assert_eq!(chart.target.map(|t| t.to_string()).as_deref(), Some("12"));
}

/// A chart is of one kind of period: months with a quarter and a financial
/// year's outturn among them are not one XmR series. `spc` charts the kind
/// with the most points and says what it left out; each `evaluate` result
/// charts its own kind.
#[test]
fn a_chart_is_of_one_kind_of_period() {
    let s = scorecard("higher_is_better", "{}");
    let csv = "indicator,period,value\nx,2022-04,10\nx,2022-05,11\nx,2022-Q2,30\nx,2022-06,12\nx,2022/23,50\n";
    let data = s.read_csv(csv.as_bytes()).expect("reads");
    let chart = s.spc(&data, "x", None).expect("charts").to_json();
    let periods: Vec<&str> = chart["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["period"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(periods, ["2022-04", "2022-05", "2022-06"]);
    assert_eq!(chart["groups"][0]["mean"], "11.0000");
    let warnings = chart["warnings"].to_string();
    assert!(
        warnings.contains("2 point(s) of another kind of period are left out"),
        "{warnings}"
    );

    let out = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates")
        .to_json();
    let n: Vec<(String, u64)> = out["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap_or_default().to_string(),
                r["spc"]["n"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let n: Vec<(&str, u64)> = n.iter().map(|(p, k)| (p.as_str(), *k)).collect();
    assert_eq!(
        n,
        [
            ("2022-04", 1),
            ("2022-05", 2),
            ("2022-06", 3),
            ("2022-Q2", 1),
            ("2022/23", 1)
        ]
    );
}

/// A result's `spc` describes the segment its period is in: after a rebase,
/// `n` counts that segment's points, as `groups[].n` in the `spc` chart, so
/// it agrees with `short` and the limits beside it.
#[test]
fn a_results_spc_counts_the_points_of_its_segment() {
    let s = scorecard("higher_is_better", "{ rebase = [\"2021-01\"] }");
    let values: Vec<i64> = (0..15).map(|i| 50 + (i % 3)).collect();
    let data = monthly(&s, &values);
    let chart = s.spc(&data, "x", None).expect("charts").to_json();
    let groups: Vec<(&str, u64)> = chart["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["start"].as_str().unwrap_or_default(),
                g["n"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(groups, [("2020-01", 12), ("2021-01", 3)]);

    let out = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates")
        .to_json();
    let at = |period: &str| {
        let r = out["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["period"] == period)
            .expect("a result for the period");
        (
            r["spc"]["n"].as_u64().unwrap_or(0),
            r["spc"]["short"].as_bool(),
        )
    };
    assert_eq!(at("2020-12"), (12, Some(false)));
    assert_eq!(at("2021-01"), (1, Some(true)));
    assert_eq!(at("2021-03"), (3, Some(true)));
}

/// No values (a header-only file, or only target rows): an empty chart, with
/// a warning that says why, rather than silence.
#[test]
fn a_chart_without_values_says_why_it_is_empty() {
    let s = scorecard("higher_is_better", "{}");
    for csv in [
        "indicator,period,value\n",
        "indicator,period,series,value\nx,2022-01,target,5\n",
    ] {
        let data = s.read_csv(csv.as_bytes()).expect("reads");
        let chart = s.spc(&data, "x", None).expect("charts").to_json();
        assert_eq!(chart["points"].as_array().map(Vec::len), Some(0), "{csv}");
        assert_eq!(
            chart["warnings"],
            serde_json::json!(["no values to chart: the data has no value of indicator 'x'"]),
            "{csv}"
        );
    }
}

/// Several entities and none chosen: the error lists them sorted, as every
/// other message naming the data's entities does.
#[test]
fn several_entities_are_listed_sorted() {
    let s = scorecard("higher_is_better", "{}");
    let csv =
        "entity,indicator,period,value\nyork,x,2022-01,1\nbath,x,2022-01,2\nleeds,x,2022-01,3\n";
    let data = s.read_csv(csv.as_bytes()).expect("reads");
    let e = s
        .spc(&data, "x", None)
        .expect_err("an entity must be chosen");
    assert_eq!(
        e.message,
        "the data has several entities; choose one of: bath, leeds, york"
    );
}

//! SPC through the public API: the NHSRplotthedots reference case as a
//! chart, in evaluation results (computed on the points known at each
//! period), in the `spc` rule and in `variation()` / `assurance()`.

use ragulator::{EvaluateOptions, Scorecard};

const SERIES: [&str; 21] = [
    "22", "21", "23", "22", "20", "24", "22", "21", "23", "22", "25", "24", "23", "22", "21", "20",
    "19", "18", "26.5", "27", "22",
];

fn months() -> Vec<String> {
    (0..SERIES.len())
        .map(|i| format!("{}-{:02}", 2021 + (3 + i) / 12, (3 + i) % 12 + 1))
        .collect()
}

fn data_csv() -> String {
    let mut s = String::from("indicator,period,value\n");
    for (p, v) in months().iter().zip(SERIES) {
        s.push_str(&format!("re_referrals,{p},{v}\n"));
    }
    s
}

fn scorecard(rag: &str) -> Scorecard {
    Scorecard::from_toml(&format!(
        "ragulator = 1\n[[indicator]]\nid = \"re_referrals\"\nname = \"Re-referrals\"\nunit = \"percent\"\n\
         polarity = \"lower_is_better\"\ntarget = 20\nspc = {{}}\nrag = {rag}\n\n\
         [rules.spc_words]\nwhen = [\n  {{ status = \"red\", if = 'variation() == \"concern_high\"' }},\n  \
         {{ status = \"amber\", if = 'assurance() == \"hit_and_miss\"' }},\n]\notherwise = \"green\"\n"
    ))
    .expect("valid scorecard")
}

#[test]
fn reference_chart_matches_nhsrplotthedots() {
    let s = scorecard("{ rule = \"target\", amber = 2 }");
    let data = s.read_csv(data_csv().as_bytes()).expect("reads");
    let chart = s
        .spc(&data, "re_referrals", None)
        .expect("charts")
        .to_json();
    let g = &chart["groups"][0];
    assert_eq!(
        (g["mean"].as_str(), g["lpl"].as_str(), g["upl"].as_str()),
        (Some("22.2619"), Some("17.8519"), Some("26.6719"))
    );
    assert_eq!(g["short"], false);
    let types: Vec<&str> = chart["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["point_type"].as_str().unwrap())
        .collect();
    for (i, t) in types.iter().enumerate() {
        let want = match i + 1 {
            11..=18 => "special_cause_improvement",
            20 => "special_cause_concern",
            _ => "common_cause",
        };
        assert_eq!(*t, want, "point {}", i + 1);
    }
    assert_eq!(chart["points"][10]["rule"], "trend_down");
    assert_eq!(chart["points"][19]["rule"], "above_upl");
    assert_eq!(chart["variation"], "common_cause");
    assert_eq!(chart["assurance"], "hit_and_miss");
}

#[test]
fn results_carry_spc_known_at_their_period() {
    let s = scorecard("{ rule = \"target\", amber = 2 }");
    let data = s.read_csv(data_csv().as_bytes()).expect("reads");
    let e = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates");
    assert_eq!(e.results.len(), SERIES.len());
    // Point 20 (2022-11) is above the upper limit of the chart of all 21
    // points, but a result only sees the points up to its own period.
    let last = e.results.last().unwrap().spc.clone().expect("spc");
    assert_eq!((last.mean.to_string(), last.n), ("22.2619".to_string(), 21));
    assert_eq!(last.variation, Some("common_cause"));
    let first = e.results[0].spc.clone().expect("spc");
    assert_eq!(first.n, 1);
    assert!(first.short);
    // Adding later data never changes an earlier result's SPC state.
    let fewer: String = data_csv()
        .lines()
        .take(12)
        .map(|l| format!("{l}\n"))
        .collect();
    let early = s
        .evaluate(
            &s.read_csv(fewer.as_bytes()).unwrap(),
            &EvaluateOptions::default(),
        )
        .unwrap();
    assert_eq!(early.results[10].spc, e.results[10].spc);
}

#[test]
fn spc_rule_and_functions_give_statuses() {
    let s = scorecard(
        "{ rule = \"spc\", concern = \"red\", improvement = \"green\", hit_and_miss = \"amber\" }",
    );
    let data = s.read_csv(data_csv().as_bytes()).expect("reads");
    let e = s
        .evaluate(&data, &EvaluateOptions::default())
        .expect("evaluates");
    let status = |period: &str| {
        e.results
            .iter()
            .find(|r| r.period.to_string() == period)
            .and_then(|r| r.status.as_deref().map(str::to_string))
    };
    // 2022-11 is point 20: the chart up to then flags it as concern.
    let at20 = e
        .results
        .iter()
        .find(|r| r.period.to_string() == "2022-11")
        .unwrap();
    assert_eq!(at20.spc.as_ref().unwrap().variation, Some("concern_high"));
    assert_eq!(status("2022-11").as_deref(), Some("red"));
    assert_eq!(status("2022-12").as_deref(), Some("amber"));

    let words = scorecard("\"spc_words\"");
    let e = words
        .evaluate(
            &words.read_csv(data_csv().as_bytes()).unwrap(),
            &EvaluateOptions::default(),
        )
        .unwrap();
    let r = e
        .results
        .iter()
        .find(|r| r.period.to_string() == "2022-11")
        .unwrap();
    assert_eq!(r.status.as_deref(), Some("red"));
    assert!(
        r.explanation.contains("variation() == \"concern_high\""),
        "{}",
        r.explanation
    );
}

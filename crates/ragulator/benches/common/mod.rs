//! The benchmark batch shared by the criterion benches and the `million`
//! example: 1,000 entities × 50 indicators × 20 months = 1,000,000
//! observations; 40% of indicators use the target rule, 30% bands, 20% rule
//! sets with expressions, 10% the comparator rule.
#![allow(dead_code)]

use ragulator::{Observations, Scorecard};

/// The scorecard of the batch, in TOML.
pub fn scorecard_toml(indicators: usize) -> String {
    let mut s = String::from(
        "ragulator = 1\nname = \"Benchmark\"\n[comparators]\nsn = \"Statistical neighbours\"\n\n\
         [[theme]]\nid = \"a\"\nname = \"Theme A\"\n[[theme]]\nid = \"b\"\nname = \"Theme B\"\nrollup = \"majority\"\n\n\
         [rules.target_and_sn]\nwhen = [\n  { status = \"green\", if = \"gap >= 0 and at_least_as_good(value, sn)\" },\n  \
         { status = \"amber\", if = \"gap >= -2 or better(value, previous)\" },\n]\notherwise = \"red\"\n\n",
    );
    for i in 0..indicators {
        let higher = i % 2 == 0;
        let polarity = if higher {
            "higher_is_better"
        } else {
            "lower_is_better"
        };
        let theme = if i % 3 == 0 { "b" } else { "a" };
        let rag = match i % 10 {
            0..=3 => "{ rule = \"target\", amber = \"5%\" }".to_string(),
            4..=6 => {
                if higher {
                    "{ rule = \"bands\", thresholds = [80, 70] }".to_string()
                } else {
                    "{ rule = \"bands\", thresholds = [70, 80] }".to_string()
                }
            }
            7 | 8 => "\"target_and_sn\"".to_string(),
            _ => "{ rule = \"comparator\", against = \"sn\", amber = 2 }".to_string(),
        };
        s.push_str(&format!(
            "[[indicator]]\nid = \"ind{i}\"\nname = \"Indicator {i}\"\ntheme = \"{theme}\"\nunit = \"percent\"\n\
             polarity = \"{polarity}\"\ndecimals = 1\ntarget = 75\ncomparators = {{ sn = 74.5 }}\nrag = {rag}\n\n"
        ));
    }
    s
}

/// A deterministic value in 60.00..89.99 for an entity, indicator and month.
fn value(e: usize, i: usize, m: usize) -> String {
    let x = (e as u64).wrapping_mul(2_654_435_761)
        ^ (i as u64).wrapping_mul(40_503)
        ^ (m as u64).wrapping_mul(97);
    let cents = 6000 + (x.wrapping_mul(6_364_136_223_846_793_005) >> 33) % 3000;
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Every row of the batch, in order: entity, indicator, period and value.
fn rows(
    entities: usize,
    indicators: usize,
    months: usize,
) -> impl Iterator<Item = (usize, usize, String, String)> {
    (0..entities).flat_map(move |e| {
        (0..indicators).flat_map(move |i| {
            (0..months).map(move |m| {
                let (year, month) = (2021 + (3 + m) / 12, (3 + m) % 12 + 1);
                (e, i, format!("{year}-{month:02}"), value(e, i, m))
            })
        })
    })
}

/// The batch as CSV text.
pub fn data_csv(entities: usize, indicators: usize, months: usize) -> String {
    let mut s = String::with_capacity(entities * indicators * months * 40);
    s.push_str("entity,indicator,period,value\n");
    for (e, i, period, value) in rows(entities, indicators, months) {
        s.push_str(&format!("e{e},ind{i},{period},{value}\n"));
    }
    s
}

/// The same rows as [`data_csv`], as a JSON array of row objects (values as
/// JSON numbers), as a web page or a service would send them.
pub fn data_json(entities: usize, indicators: usize, months: usize) -> String {
    let mut s = String::with_capacity(entities * indicators * months * 70);
    s.push('[');
    for (e, i, period, value) in rows(entities, indicators, months) {
        if s.len() > 1 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"entity\":\"e{e}\",\"indicator\":\"ind{i}\",\"period\":\"{period}\",\"value\":{value}}}\n"
        ));
    }
    s.push(']');
    s
}

/// The compiled scorecard and the checked observations of the batch.
pub fn batch(entities: usize, indicators: usize, months: usize) -> (Scorecard, Observations) {
    let scorecard =
        Scorecard::from_toml(&scorecard_toml(indicators)).expect("benchmark scorecard is valid");
    let data = scorecard
        .read_csv(data_csv(entities, indicators, months).as_bytes())
        .expect("benchmark data reads");
    assert_eq!(data.rejected().len(), 0, "benchmark data has no bad rows");
    (scorecard, data)
}

//! The fuzz targets' bodies, one public function per target.
//!
//! They live here, not in `fuzz_targets/`, so the stable test
//! `crates/ragulator/tests/fuzz_regressions.rs` can include this file and
//! replay every saved crash input through exactly the code the fuzzer ran.
//! Each function takes the raw fuzzer bytes, must never panic except on a
//! broken invariant, and checks the invariants named in its doc comment.

use std::sync::OnceLock;

use arbitrary::{Result as AResult, Unstructured};
use ragulator::expr::{self, CheckContext, Env, Expr, Scope, Var, When};
use ragulator::model::{
    BuiltinRule, ClauseSpec, Dec, IndicatorSpec, Polarity, RagSpec, Rollup, RuleSetSpec,
    ScorecardSpec, StatusSpec, TargetSpec, TargetStep, TargetValue, ThemeSpec, Tolerance, Unit,
};
use ragulator::spc::{self, ChartOptions, Improvement};
use ragulator::{Cell, EvaluateOptions, Evaluation, Format, Observations, RawRow, Scorecard};
use rust_decimal::Decimal;

// The comparison of `evaluate_statuses` with `evaluate`, shared with the
// core's golden and property tests.
#[path = "../../crates/ragulator/tests/support/statuses.rs"]
mod statuses;

/// `load_toml`: any text either loads or gives diagnostics; a scorecard that
/// loads writes back out and reloads to the same spec.
pub fn load_toml(data: &[u8]) {
    load(data, Format::Toml);
}

/// `load_json`: as [`load_toml`], for JSON.
pub fn load_json(data: &[u8]) {
    load(data, Format::Json);
}

/// `load_yaml`: as [`load_toml`], for YAML.
pub fn load_yaml(data: &[u8]) {
    load(data, Format::Yaml);
}

fn load(data: &[u8], format: Format) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Scorecard::from_str(text, format) {
        Ok(scorecard) => {
            let written = scorecard
                .to_string(format)
                .unwrap_or_else(|e| panic!("a loaded scorecard did not serialise: {e}"));
            let again = Scorecard::from_str(&written, format)
                .unwrap_or_else(|e| panic!("a written scorecard did not reload: {e}\n{written}"));
            assert_eq!(again.spec(), scorecard.spec(), "round trip:\n{written}");
            // Evaluating with no data must work for any loaded scorecard.
            let empty = scorecard.observations().finish();
            let evaluation = scorecard
                .evaluate(&empty, &EvaluateOptions::default())
                .unwrap_or_else(|e| panic!("evaluating no data failed: {e}"));
            check_evaluation(&scorecard, &empty, &evaluation);
        }
        Err(e) => assert!(
            !e.diagnostics.is_empty() && e.diagnostics.iter().all(|d| !d.message.is_empty()),
            "a load error must say what is wrong: {e:?}"
        ),
    }
}

/// The fixed data an expression is evaluated against.
struct FixedEnv {
    polarity: Polarity,
}

impl Env for FixedEnv {
    fn var(&self, var: Var, when: When) -> Option<Decimal> {
        match (var, when) {
            (Var::Value, When::Current) => Some(Decimal::new(845, 1)),
            (Var::Value, When::Previous) => Some(Decimal::new(80, 0)),
            (Var::Value, When::LastYear) => None,
            (Var::Target, _) => Some(Decimal::new(85, 0)),
            (Var::Gap, _) => Some(Decimal::new(-5, 1)),
            (Var::GapPct, _) => Some(Decimal::new(-588, 3)),
            (Var::Comparator(0), _) => Some(Decimal::MAX),
            (Var::Comparator(_), _) => Some(Decimal::MIN),
        }
    }
    fn polarity(&self) -> Polarity {
        self.polarity
    }
    fn mean_last(&self, n: usize) -> Option<Decimal> {
        (n <= 3).then(|| Decimal::new(8234, 2))
    }
    fn worse_for(&self, n: usize) -> Option<bool> {
        (n <= 2).then_some(true)
    }
    fn trend(&self, n: usize) -> Option<&'static str> {
        (n <= 4).then_some("improving")
    }
    fn variation(&self) -> Option<&'static str> {
        Some("common_cause")
    }
    fn assurance(&self) -> Option<&'static str> {
        Some("hit_and_miss")
    }
    fn count(&self, status: usize) -> Decimal {
        Decimal::from(status)
    }
    fn total(&self) -> Decimal {
        Decimal::from(7)
    }
}

/// `expr`: the first byte picks scope and polarity, the rest is the source.
/// Parsing and compiling either succeed or give an error with a column
/// inside the source; a compiled expression evaluates without panicking.
pub fn expr(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(source) = std::str::from_utf8(rest) else {
        return;
    };
    let scope = if selector & 1 == 0 {
        Scope::Indicator
    } else {
        Scope::Theme
    };
    let polarity = match (selector >> 1) % 4 {
        0 => Polarity::HigherIsBetter,
        1 => Polarity::LowerIsBetter,
        2 => Polarity::Range,
        _ => Polarity::None,
    };
    let comparators = ["sn".to_string(), "england".to_string()];
    let statuses = [
        "green".to_string(),
        "amber".to_string(),
        "red".to_string(),
        "no_data".to_string(),
    ];
    let ctx = CheckContext {
        scope,
        comparators: &comparators,
        statuses: &statuses,
        polarity,
    };
    let columns = source.chars().count() + 1;
    if let Err(e) = expr::parse(source) {
        assert!(!e.message.is_empty());
        assert!(e.column >= 1 && e.column <= columns, "{e:?} in {source:?}");
    }
    let env = FixedEnv { polarity };
    match Expr::compile(source, &ctx) {
        Ok(compiled) => {
            let _ = compiled.eval(&env);
        }
        Err(e) => assert!(e.column >= 1 && e.column <= columns, "{e:?} in {source:?}"),
    }
    if let Ok(compiled) = Expr::compile_value(source, &ctx) {
        let _ = compiled.eval_value(&env).to_string();
    }
}

/// The scorecard the data-reading targets read against: every rule kind,
/// a ratio unit, a comparator series, time-varying targets and SPC.
const DATA_SCORECARD: &str = r#"
ragulator = 1
[comparators]
sn = "Statistical neighbours"

[[theme]]
id = "t"
name = "Theme"
rollup = "majority"

[rules.mixed]
when = [
  { status = "green", if = "gap >= 0 and at_least_as_good(value, sn)" },
  { status = "amber", if = "gap >= -2 or better(value, previous) or trend(3) == \"improving\"" },
]
otherwise = "red"

[[indicator]]
id = "a"
name = "Alpha"
theme = "t"
unit = "percent"
polarity = "higher_is_better"
decimals = 1
target = [{ from = "2021-04", value = 80 }, { from = "2022-04", value = 85 }]
rag = { rule = "target", amber = "5%" }
spc = { rebase = ["2022-01"] }

[[indicator]]
id = "b"
name = "Beta"
theme = "t"
unit = "per_10k"
polarity = "lower_is_better"
rag = { rule = "bands", thresholds = [10, 20] }

[[indicator]]
id = "c"
name = "Gamma"
theme = "t"
unit = "count"
polarity = "lower_is_better"
decimals = 0
target = 5
rag = "mixed"

[[indicator]]
id = "d"
name = "Delta"
unit = "days"
polarity = "higher_is_better"
comparators = { sn = 12.5 }
rag = { rule = "comparator", against = "sn", amber = 1 }

[[indicator]]
id = "e"
name = "Epsilon"
unit = "ratio"
polarity = "none"
"#;

fn data_scorecard() -> &'static Scorecard {
    static SCORECARD: OnceLock<Scorecard> = OnceLock::new();
    SCORECARD.get_or_init(|| match Scorecard::from_toml(DATA_SCORECARD) {
        Ok(s) => s,
        Err(e) => panic!("the fuzz data scorecard must load: {e}"),
    })
}

/// `read_csv`: any bytes either fail as a whole with a message, or give
/// observations where every input row is used or rejected; those evaluate
/// (also with explanations) and chart without panicking.
pub fn read_csv(data: &[u8]) {
    let scorecard = data_scorecard();
    if let Ok(obs) = scorecard.read_csv(data) {
        check_observations(scorecard, &obs);
    }
}

/// `read_json`: as [`read_csv`], for JSON rows.
pub fn read_json(data: &[u8]) {
    let scorecard = data_scorecard();
    if let Ok(obs) = scorecard.read_json(data) {
        check_observations(scorecard, &obs);
    }
}

fn check_observations(scorecard: &Scorecard, obs: &Observations) {
    assert_eq!(
        obs.input_rows(),
        obs.len() + obs.rejected().len(),
        "every input row is used or rejected"
    );
    for r in obs.rejected() {
        assert!(
            !r.reason.is_empty(),
            "row {} rejected without a reason",
            r.row
        );
        assert!(
            r.row >= 1 && r.row <= obs.input_rows(),
            "row {} out of range",
            r.row
        );
    }
    for explain in [false, true] {
        let options = EvaluateOptions {
            explain,
            ..EvaluateOptions::default()
        };
        let evaluation = scorecard
            .evaluate(obs, &options)
            .unwrap_or_else(|e| panic!("evaluation failed: {e}"));
        check_evaluation(scorecard, obs, &evaluation);
    }
    for indicator in scorecard.indicators() {
        for entity in obs.entities().take(3) {
            let entity = (!entity.is_empty()).then_some(entity);
            if let Ok(chart) = scorecard.spc(obs, &indicator.id, entity) {
                let _ = chart.to_json();
            }
        }
    }
}

/// Statuses on the scale; every row accounted for; outputs render.
fn check_evaluation(scorecard: &Scorecard, obs: &Observations, evaluation: &Evaluation) {
    assert_eq!(evaluation.input_rows, obs.input_rows());
    assert_eq!(
        evaluation.input_rows,
        obs.len() + evaluation.rejected.len(),
        "every input row is used or rejected"
    );
    let on_scale = |s: &str| {
        s == scorecard.no_data_status().id || scorecard.statuses().iter().any(|t| t.id == s)
    };
    for r in &evaluation.results {
        if let Some(s) = &r.status {
            assert!(on_scale(s), "indicator status '{s}' is not on the scale");
        }
        if let Some(s) = &r.computed_status {
            assert!(on_scale(s), "computed status '{s}' is not on the scale");
        }
    }
    for t in &evaluation.themes {
        assert!(
            on_scale(&t.status),
            "theme status '{}' is not on the scale",
            t.status
        );
    }
    let _ = evaluation.to_json();
    let _ = evaluation.to_csv();
}

// ------------------------------------------------------ evaluate_arbitrary

/// Statuses a scale offers, best first (without `no_data`).
const SCALES: [&[&str]; 3] = [
    &["green", "amber", "red"],
    &["blue", "green", "amber", "red"],
    &["good", "fair", "poor", "bad", "worst"],
];

fn decimal(u: &mut Unstructured) -> AResult<Decimal> {
    // Mostly everyday numbers, sometimes extremes of Decimal's range.
    Ok(match u.int_in_range(0u8..=9)? {
        0 => Decimal::from_i128_with_scale(
            i128::from(u.arbitrary::<i64>()?) * i128::from(u.arbitrary::<u32>()?),
            u.int_in_range(0..=28)?,
        ),
        1 => *u.choose(&[
            Decimal::MAX,
            Decimal::MIN,
            Decimal::ZERO,
            Decimal::new(1, 28),
        ])?,
        _ => Decimal::new(
            i64::from(u.int_in_range(-100_000i32..=100_000)?),
            u.int_in_range(0..=3)?,
        ),
    })
}

fn non_negative(u: &mut Unstructured) -> AResult<Decimal> {
    Ok(decimal(u)?.abs())
}

fn tolerance(u: &mut Unstructured) -> AResult<Tolerance> {
    let d = non_negative(u)?;
    Ok(if u.arbitrary()? {
        Tolerance::Percent(d)
    } else {
        Tolerance::Units(d)
    })
}

/// `count` distinct decimals, best first for the polarity.
fn thresholds(u: &mut Unstructured, count: usize, polarity: Polarity) -> AResult<Vec<Dec>> {
    let mut values = Vec::with_capacity(count);
    let mut next = decimal(u)?;
    for _ in 0..count {
        values.push(next);
        let step = Decimal::new(i64::from(u.int_in_range(1u32..=10_000)?), 1);
        next = next.checked_add(step).unwrap_or(next);
    }
    values.sort();
    values.dedup();
    if values.len() < count {
        // Saturated near Decimal::MAX: fall back to everyday numbers.
        values = (0..count).map(|i| Decimal::from(i * 10)).collect();
    }
    if polarity == Polarity::HigherIsBetter {
        values.reverse();
    }
    Ok(values.into_iter().map(Dec).collect())
}

fn target_value(u: &mut Unstructured, polarity: Polarity) -> AResult<TargetValue> {
    let low = decimal(u)?;
    Ok(if polarity == Polarity::Range {
        let high = low.checked_add(non_negative(u)?).unwrap_or(low);
        TargetValue::Range {
            low: Dec(low),
            high: Dec(high),
        }
    } else {
        TargetValue::Value(Dec(low))
    })
}

fn target(u: &mut Unstructured, polarity: Polarity) -> AResult<Option<TargetSpec>> {
    Ok(match u.int_in_range(0u8..=3)? {
        0 => None,
        1 => {
            let mut month = 2019 * 12;
            let mut steps = Vec::new();
            for _ in 0..u.int_in_range(1..=3)? {
                month += u.int_in_range(1..=15)?;
                steps.push(TargetStep {
                    from: format!("{}-{:02}", month / 12, month % 12 + 1),
                    value: target_value(u, polarity)?,
                });
            }
            Some(TargetSpec::Steps(steps))
        }
        _ => Some(TargetSpec::Constant(target_value(u, polarity)?)),
    })
}

/// A number-valued expression from a small grammar.
fn number_expr(u: &mut Unstructured, depth: u32) -> AResult<String> {
    if depth == 0 || u.ratio(1, 2)? {
        return Ok(match u.int_in_range(0u8..=9)? {
            0 => "value".into(),
            1 => "target".into(),
            2 => "gap".into(),
            3 => "gap_pct".into(),
            4 => "previous".into(),
            5 => "last_year(sn)".into(),
            6 => "sn".into(),
            7 => format!("mean_last({})", u.int_in_range(1..=4)?),
            _ => decimal(u)?.normalize().to_string(),
        });
    }
    let a = number_expr(u, depth - 1)?;
    let b = number_expr(u, depth - 1)?;
    Ok(match u.int_in_range(0u8..=6)? {
        0 => format!("({a} + {b})"),
        1 => format!("({a} - {b})"),
        2 => format!("({a} * {b})"),
        3 => format!("({a} / {b})"),
        4 => format!("abs({a})"),
        5 => format!("max({a}, {b})"),
        _ => format!("round({a}, {})", u.int_in_range(0..=3)?),
    })
}

/// A true/false expression from a small grammar.
fn bool_expr(u: &mut Unstructured, depth: u32) -> AResult<String> {
    if depth == 0 || u.ratio(1, 2)? {
        let a = number_expr(u, 1)?;
        return Ok(match u.int_in_range(0u8..=8)? {
            0 => format!("{a} >= {}", number_expr(u, 1)?),
            1 => format!("{a} < {}", number_expr(u, 1)?),
            2 => format!("{a} == {}", number_expr(u, 1)?),
            3 => format!("missing({a})"),
            4 => "better(value, previous)".into(),
            5 => "at_least_as_good(value, sn)".into(),
            6 => format!("worse_for({})", u.int_in_range(1..=3)?),
            7 => format!("trend({}) == \"improving\"", u.int_in_range(2..=4)?),
            _ => format!("{a} != {}", number_expr(u, 1)?),
        });
    }
    let a = bool_expr(u, depth - 1)?;
    Ok(match u.int_in_range(0u8..=2)? {
        0 => format!("({a} and {})", bool_expr(u, depth - 1)?),
        1 => format!("({a} or {})", bool_expr(u, depth - 1)?),
        _ => format!("not ({a})"),
    })
}

/// A structurally valid scorecard: every choice stays inside what loading
/// accepts, so a load error is a bug (in the core or in this generator).
pub fn arbitrary_spec(u: &mut Unstructured) -> AResult<ScorecardSpec> {
    let scale: &[&str] = u.choose(&SCALES)?;
    let traffic_lights = scale.contains(&"amber");
    let has_blue = scale.contains(&"blue");
    let status: Vec<StatusSpec> = if scale == SCALES[0] && u.arbitrary()? {
        Vec::new() // the default scale
    } else {
        scale
            .iter()
            .map(|s| StatusSpec {
                id: (*s).to_string(),
                label: None,
                colour: None,
            })
            .collect()
    };
    let pick_status = |u: &mut Unstructured| -> AResult<String> { Ok((*u.choose(scale)?).into()) };

    let mut rules = std::collections::BTreeMap::new();
    for r in 0..u.int_in_range(0..=2)? {
        let mut when = Vec::new();
        for _ in 0..u.int_in_range(0..=3)? {
            when.push(ClauseSpec {
                status: pick_status(u)?,
                condition: bool_expr(u, 3)?,
            });
        }
        let otherwise = pick_status(u)?;
        rules.insert(format!("rs{r}"), RuleSetSpec { when, otherwise });
    }
    let rule_sets: Vec<String> = rules.keys().cloned().collect();

    let themes = u.int_in_range(0..=2)?;
    let mut theme = Vec::new();
    for t in 0..themes {
        theme.push(ThemeSpec {
            id: format!("t{t}"),
            name: format!("Theme {t}"),
            rollup: if u.arbitrary()? {
                Rollup::Majority
            } else {
                Rollup::Worst
            },
            description: None,
        });
    }

    let mut indicator = Vec::new();
    for i in 0..u.int_in_range(1..=6)? {
        let unit = *u.choose(&[
            Unit::Percent,
            Unit::Per10k,
            Unit::Per1000,
            Unit::Count,
            Unit::Days,
            Unit::Ratio,
        ])?;
        let polarity = *u.choose(&[
            Polarity::HigherIsBetter,
            Polarity::LowerIsBetter,
            Polarity::Range,
            Polarity::None,
        ])?;
        let decimals = if u.arbitrary()? {
            Some(i64::from(u.int_in_range(0u8..=4)?))
        } else {
            None
        };
        let mut comparators = std::collections::BTreeMap::new();
        if u.arbitrary()? {
            comparators.insert("sn".to_string(), Dec(decimal(u)?));
        }
        let directional = matches!(polarity, Polarity::HigherIsBetter | Polarity::LowerIsBetter);
        let blue = |u: &mut Unstructured| -> AResult<Option<Tolerance>> {
            Ok(if has_blue && u.arbitrary()? {
                Some(tolerance(u)?)
            } else {
                None
            })
        };
        let rag = match (polarity, u.int_in_range(0u8..=3)?) {
            (Polarity::None, _) => None,
            // No blue on a range: it could never mean beating the target.
            (Polarity::Range, _) if traffic_lights => Some(RagSpec::Builtin(BuiltinRule::Target {
                amber: tolerance(u)?,
                blue: None,
            })),
            (Polarity::Range, _) => None,
            (_, 0) if traffic_lights => Some(RagSpec::Builtin(BuiltinRule::Target {
                amber: tolerance(u)?,
                blue: blue(u)?,
            })),
            (_, 1) if traffic_lights => Some(RagSpec::Builtin(BuiltinRule::Comparator {
                against: "sn".into(),
                amber: tolerance(u)?,
                blue: blue(u)?,
            })),
            (_, 2) if !rule_sets.is_empty() => {
                Some(RagSpec::RuleSet(u.choose(&rule_sets)?.clone()))
            }
            _ => Some(RagSpec::Builtin(BuiltinRule::Bands {
                thresholds: thresholds(u, scale.len() - 1, polarity)?,
            })),
        };
        indicator.push(IndicatorSpec {
            id: format!("i{i}"),
            name: format!("Indicator {i}"),
            theme: if themes > 0 && u.arbitrary()? {
                Some(format!("t{}", u.int_in_range(0..=themes - 1)?))
            } else {
                None
            },
            unit,
            polarity,
            decimals,
            target: target(u, polarity)?,
            comparators,
            missing: if directional && rag.is_some() && u.ratio(1, 4)? {
                Some(pick_status(u)?)
            } else {
                None
            },
            rag,
            spc: None,
            measure: None,
            description: None,
        });
    }
    Ok(ScorecardSpec {
        ragulator: 1,
        name: Some("Fuzz".into()),
        description: None,
        calendar: None,
        comparators: [("sn".to_string(), "Statistical neighbours".to_string())].into(),
        sources: Default::default(),
        status,
        theme,
        indicator,
        rules,
    })
}

fn arbitrary_cell<'a>(u: &mut Unstructured<'a>) -> AResult<Cell<'a>> {
    Ok(match u.int_in_range(0u8..=5)? {
        0 => Cell::Empty,
        1 => Cell::Text(u.arbitrary()?),
        2 => Cell::Float(u.arbitrary()?),
        3 => Cell::Invalid("not UTF-8"),
        _ => Cell::Decimal(decimal(u)?),
    })
}

/// `evaluate_arbitrary`: a structurally valid random scorecard must load,
/// and evaluating random rows with random options must never panic, must
/// account for every row, and must give only statuses on the scale.
pub fn evaluate_arbitrary(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(spec) = arbitrary_spec(&mut u) else {
        return;
    };
    let scorecard = Scorecard::from_spec(spec.clone())
        .unwrap_or_else(|e| panic!("a structurally valid scorecard was refused: {e}\n{spec:#?}"));
    let _ = evaluate_random_rows(&mut u, &scorecard);
}

fn evaluate_random_rows(u: &mut Unstructured, scorecard: &Scorecard) -> AResult<()> {
    const ENTITIES: [&str; 3] = ["", "north", "south"];
    const SERIES: [Option<&str>; 4] = [None, Some("actual"), Some("target"), Some("sn")];
    let ids: Vec<&str> = scorecard
        .indicators()
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    let mut builder = scorecard.observations();
    for _ in 0..u.int_in_range(0..=40)? {
        let month = u.int_in_range(0u32..=47)?;
        let period = if u.ratio(1, 20)? {
            u.arbitrary::<&str>()?.to_string()
        } else {
            format!("{}-{:02}", 2020 + month / 12, month % 12 + 1)
        };
        let ratio = u.ratio(1, 5)?;
        let row = RawRow {
            entity: Some(*u.choose(&ENTITIES)?),
            indicator: Some(*u.choose(&ids)?),
            period: Some(&period),
            series: *u.choose(&SERIES)?,
            value: if ratio {
                Cell::Empty
            } else {
                arbitrary_cell(u)?
            },
            numerator: if ratio {
                arbitrary_cell(u)?
            } else {
                Cell::Empty
            },
            denominator: if ratio {
                arbitrary_cell(u)?
            } else {
                Cell::Empty
            },
        };
        builder.push(row);
    }
    let obs = builder.finish();
    let options = EvaluateOptions {
        period: if u.ratio(1, 4)? {
            Some(format!("2021-{:02}", u.int_in_range(1..=12)?))
        } else {
            None
        },
        entity: if u.ratio(1, 4)? {
            Some((*u.choose(&ENTITIES[1..])?).to_string())
        } else {
            None
        },
        overrides: Vec::new(),
        explain: u.arbitrary()?,
    };
    // An unknown period or entity is a clean error, not a crash.
    if let Ok(evaluation) = scorecard.evaluate(&obs, &options) {
        check_evaluation(scorecard, &obs, &evaluation);
        same_statuses(scorecard, &obs, &options, &evaluation);
        if options.explain {
            for r in &evaluation.results {
                let name = scorecard
                    .indicator(&r.indicator)
                    .map(|i| i.name.as_str())
                    .unwrap_or_default();
                assert!(
                    r.explanation.contains(name),
                    "explanation {:?} does not name {name:?}",
                    r.explanation
                );
            }
        }
    }
    Ok(())
}

/// `evaluate_statuses` (integer kernels where an indicator allows) says
/// what `evaluate` (the general path) says, by the comparison the golden
/// and property tests use.
fn same_statuses(
    scorecard: &Scorecard,
    obs: &Observations,
    options: &EvaluateOptions,
    evaluation: &Evaluation,
) {
    let table = scorecard
        .evaluate_statuses(obs, options)
        .unwrap_or_else(|e| panic!("evaluate_statuses fails where evaluate does not: {e}"));
    if let Err(problem) = statuses::same_statuses(scorecard, evaluation, &table) {
        panic!("evaluate_statuses and evaluate differ: {problem}");
    }
}

// ---------------------------------------------------------------------- spc

/// `spc`: random decimal series, options and rebase indices: one verdict
/// per value, and segments that cover the points in order.
pub fn spc(data: &[u8]) {
    let _ = spc_inner(&mut Unstructured::new(data));
}

fn spc_inner(u: &mut Unstructured) -> AResult<()> {
    let n = u.int_in_range(0usize..=80)?;
    let mut values = Vec::with_capacity(n);
    for _ in 0..n {
        values.push(decimal(u)?);
    }
    let mut starts = Vec::new();
    for _ in 0..u.int_in_range(0..=4)? {
        starts.push(if u.ratio(1, 8)? {
            u.arbitrary::<usize>()?
        } else {
            u.int_in_range(0..=n + 1)?
        });
    }
    let options = ChartOptions {
        screen_outliers: u.arbitrary()?,
        fix_after: if u.arbitrary()? {
            Some(u.int_in_range(0..=30)?)
        } else {
            None
        },
        shift: u.int_in_range(0..=12)?,
        trend: u.int_in_range(0..=12)?,
        two_of_three_beyond_limits: u.arbitrary()?,
    };
    let improvement = *u.choose(&[
        Improvement::Increase,
        Improvement::Decrease,
        Improvement::Neutral,
    ])?;
    let target = if u.arbitrary()? {
        Some(decimal(u)?)
    } else {
        None
    };
    let chart = spc::chart(&values, &starts, &options, improvement, target);
    assert_eq!(chart.points.len(), values.len(), "one verdict per value");
    let covered: usize = chart.segments.iter().map(|s| s.n).sum();
    assert_eq!(covered, values.len(), "segments cover every point");
    let mut next = 0;
    for s in &chart.segments {
        assert_eq!(s.start, next, "segments are contiguous");
        next += s.n;
    }
    Ok(())
}

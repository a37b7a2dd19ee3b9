//! Explanations: the sentence a performance officer would put in a report
//! for each status.
//!
//! "Re-referrals within 12 months was 24.1% against a target of 20.0% (lower
//! is better): 4.1 points worse, beyond the 2-point amber tolerance."

use rust_decimal::Decimal;

use crate::eval::{reference, IndicatorResult, OverrideNote, ThemeResult};
use crate::load::{Indicator, Rule, Scorecard, Theme};
use crate::model::{Polarity, TargetValue, Tolerance, Unit};

/// Formats a number for prose: rounded to the indicator's decimals when it
/// has them, with thousands separators for large numbers.
///
/// ```
/// use ragulator::explain::number;
/// use rust_decimal::Decimal;
/// assert_eq!(number(Decimal::new(20, 0), Some(1)), "20.0");
/// assert_eq!(number(Decimal::new(12345, 0), Some(0)), "12,345");
/// ```
pub fn number(v: Decimal, decimals: Option<u32>) -> String {
    let v = match decimals {
        Some(d) => crate::eval::round_value(v, Some(d)),
        None => v.normalize(),
    };
    let text = v.to_string();
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Places to show a target, comparator, threshold or gap with: the
/// indicator's decimals, or more when the number has more. Those numbers are
/// never rounded (DESIGN.md 3.1), so neither prose nor tables round them: a
/// target of 84.14 with `decimals = 1` is not "84.1", which would put a value
/// of 84.1 beside an equal-looking target it missed.
///
/// ```
/// use ragulator::explain::{reference_places, with_unit};
/// use ragulator::model::Unit;
/// use rust_decimal::Decimal;
/// let show = |v: Decimal| with_unit(v, Unit::Percent, reference_places(v, Some(1)));
/// assert_eq!(show(Decimal::new(8414, 2)), "84.14%");
/// assert_eq!(show(Decimal::new(20, 0)), "20.0%");
/// assert_eq!(reference_places(Decimal::new(8414, 2), None), None);
/// ```
pub fn reference_places(v: Decimal, decimals: Option<u32>) -> Option<u32> {
    decimals.map(|d| d.max(v.normalize().scale()))
}

/// A value with its unit: `24.1%`, `74 per 10,000`, `12 days`.
///
/// ```
/// use ragulator::explain::with_unit;
/// use ragulator::model::Unit;
/// use rust_decimal::Decimal;
/// assert_eq!(with_unit(Decimal::new(241, 1), Unit::Percent, Some(1)), "24.1%");
/// assert_eq!(with_unit(Decimal::ONE, Unit::Days, Some(0)), "1 day");
/// assert_eq!(with_unit(Decimal::ONE, Unit::Days, Some(1)), "1.0 days");
/// ```
pub fn with_unit(v: Decimal, unit: Unit, decimals: Option<u32>) -> String {
    let n = number(v, decimals);
    match unit {
        Unit::Percent => format!("{n}%"),
        Unit::Per10k => format!("{n} per 10,000"),
        Unit::Per1000 => format!("{n} per 1,000"),
        Unit::Days => days(n),
        Unit::Count | Unit::Ratio => n,
    }
}

/// `1 day`, `1.0 days`, `12 days`: singular only for exactly one.
fn days(n: String) -> String {
    if n == "1" {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// A difference in the indicator's units: `4.1 points`, `12 per 10,000`.
fn amount(v: Decimal, unit: Unit, decimals: Option<u32>) -> String {
    let n = number(v.abs(), decimals);
    match unit {
        Unit::Percent => format!(
            "{n} {}",
            if v.abs() == Decimal::ONE {
                "point"
            } else {
                "points"
            }
        ),
        Unit::Per10k => format!("{n} per 10,000"),
        Unit::Per1000 => format!("{n} per 1,000"),
        Unit::Days => days(n),
        Unit::Count | Unit::Ratio => n,
    }
}

/// A tolerance as an adjective: `2-point`, `5%`, `3-day`.
fn tolerance(t: Tolerance, unit: Unit) -> String {
    match t {
        Tolerance::Percent(p) => format!("{}%", p.normalize()),
        Tolerance::Units(u) => {
            let n = u.normalize();
            match unit {
                Unit::Percent => format!("{n}-point"),
                Unit::Days => format!("{n}-day"),
                Unit::Per10k => format!("{n} per 10,000"),
                Unit::Per1000 => format!("{n} per 1,000"),
                Unit::Count | Unit::Ratio => format!("{n}-unit"),
            }
        }
    }
}

fn target_text(t: TargetValue, ind: &Indicator) -> String {
    match t {
        TargetValue::Value(v) => format!(
            "a target of {}",
            with_unit(v.0, ind.unit, reference_places(v.0, ind.decimals))
        ),
        TargetValue::Range { low, high } => format!(
            "a target range of {} to {}",
            with_unit(low.0, ind.unit, reference_places(low.0, ind.decimals)),
            with_unit(high.0, ind.unit, reference_places(high.0, ind.decimals))
        ),
    }
}

/// Gap wording against a reference: "on target", "1.5 points better",
/// "4.1 points worse, beyond the 2-point amber tolerance".
fn gap_clause(
    gap: Decimal,
    reference_value: Decimal,
    amber: Tolerance,
    blue: Option<Tolerance>,
    ind: &Indicator,
    status: &str,
    what: &str,
) -> String {
    let precision = reference_places(gap, ind.decimals);
    if gap.is_zero() {
        return if what == "target" && ind.polarity == Polarity::Range {
            "within the target range".to_string()
        } else {
            format!("exactly on {what}")
        };
    }

    if gap > Decimal::ZERO {
        let mut s = format!("{} better", amount(gap, ind.unit, precision));
        if let (Some(b), "blue") = (blue, status) {
            s.push_str(&format!(
                ", at or beyond the {} blue margin",
                tolerance(b, ind.unit)
            ));
        }
        return s;
    }
    let tol = tolerance(amber, ind.unit);
    let extra = match amber {
        Tolerance::Percent(_) => format!(
            " ({})",
            amount(amber.in_units(reference_value), ind.unit, None)
        ),
        Tolerance::Units(_) => String::new(),
    };
    if status == "amber" {
        format!(
            "{} worse, within the {tol} amber tolerance{extra}",
            amount(gap, ind.unit, precision)
        )
    } else {
        format!(
            "{} worse, beyond the {tol} amber tolerance{extra}",
            amount(gap, ind.unit, precision)
        )
    }
}

/// The explanation of one indicator result.
pub fn indicator(sc: &Scorecard, ind: &Indicator, r: &IndicatorResult) -> String {
    let name = &ind.name;
    let computed = r.computed_status.as_deref().unwrap_or("");
    let mut s = match (r.value, &ind.rule) {
        (None, _) => {
            let why = r
                .no_data_reason
                .as_ref()
                .map(|n| n.phrase())
                .unwrap_or_else(|| "no value".into());
            match (&ind.rule, computed) {
                (Some(_), c) if c != "no_data" => {
                    format!(
                        "{name} has no value for {}; the scorecard gives missing values {c}.",
                        r.period
                    )
                }

                (Some(_), _) => format!("{name} has no data for {}: {why}.", r.period),
                (None, _) => format!("{name} has no value for {}.", r.period),
            }
        }
        (Some(v), None) => {
            let mut s = format!("{name} was {}", with_unit(v, ind.unit, ind.decimals));
            if let (Some(p), Some(before)) = (r.previous, r.period.previous()) {
                let change = if v > p {
                    "up from"
                } else if v < p {
                    "down from"
                } else {
                    "unchanged from"
                };
                s.push_str(&format!(
                    " ({change} {} in {before})",
                    with_unit(p, ind.unit, ind.decimals)
                ));
            }

            s.push_str("; it is a context indicator with no RAG rule.");
            s
        }
        (Some(v), Some(rule)) => rule_sentence(sc, ind, r, v, rule, computed),
    };
    // A measured indicator also says what was counted: "412 of 468 ...".
    if let Some(m) = crate::measure::sentence(sc, ind, r) {
        s.push(' ');
        s.push_str(&m);
    }
    if let Some(o) = &r.overridden {
        s.push_str(&format!(
            " Overridden to {}: {} (the rules gave {}).",
            o.status,
            o.reason.trim_end_matches('.'),
            if computed.is_empty() {
                "no status"
            } else {
                computed
            }
        ));
    }
    s
}

fn rule_sentence(
    sc: &Scorecard,
    ind: &Indicator,
    r: &IndicatorResult,
    v: Decimal,
    rule: &Rule,
    status: &str,
) -> String {
    let name = &ind.name;
    let value = with_unit(v, ind.unit, ind.decimals);
    let polarity = ind.polarity.phrase();
    if status == "no_data" {
        let why = r
            .no_data_reason
            .as_ref()
            .map(|n| n.phrase())
            .unwrap_or_else(|| "no data".into());
        return format!(
            "{name} was {value}, but there is {why} for {}, so it has no status.",
            r.period
        );
    }
    match rule {
        Rule::Target { amber, blue } => match (r.target, r.gap) {
            (Some(t), Some(g)) => format!(
                "{name} was {value} against {} ({polarity}): {}.",
                target_text(t, ind),
                gap_clause(g, reference(t, v), *amber, *blue, ind, status, "target")
            ),
            _ => format!("{name} was {value}; {status}."),
        },
        Rule::Comparator {
            against,
            amber,
            blue,
        } => {
            let cname = sc
                .comparator_names
                .get(*against)
                .map(String::as_str)
                .unwrap_or("");
            let label = sc
                .comparator_labels
                .get(*against)
                .map(String::as_str)
                .unwrap_or(cname);
            let cv = r
                .comparators
                .iter()
                .find(|(n, _)| &**n == cname)
                .map(|(_, v)| *v);
            match cv {
                Some(c) => {
                    let g = crate::eval::gap(ind.polarity, v, TargetValue::Value(c.into()))
                        .unwrap_or_default();
                    format!(
                        "{name} was {value} against {label} at {} ({polarity}): {}.",
                        with_unit(c, ind.unit, reference_places(c, ind.decimals)),
                        gap_clause(g, c, *amber, *blue, ind, status, label)
                    )
                }
                None => format!("{name} was {value}; {status}."),
            }
        }
        Rule::Bands { thresholds } => {
            let higher = ind.polarity == Polarity::HigherIsBetter;
            let ix = sc
                .status_index(status)
                .map(|i| i as usize)
                .unwrap_or(thresholds.len());
            let fmt = |t: Decimal| with_unit(t, ind.unit, reference_places(t, ind.decimals));
            let (at_least, below) = if higher {
                ("at or above", "below")
            } else {
                ("at or below", "above")
            };
            let band = match (
                ix.checked_sub(1).and_then(|i| thresholds.get(i)),
                thresholds.get(ix),
            ) {
                (None, Some(t)) => format!("{at_least} the {status} threshold of {}", fmt(*t)),
                (Some(prev), Some(t)) => {
                    format!("{below} {} and {at_least} {}", fmt(*prev), fmt(*t))
                }
                (Some(prev), None) => format!("{below} the threshold of {}", fmt(*prev)),
                (None, None) => "in the only band".to_string(),
            };
            format!("{name} was {value} ({polarity}): {band}, so {status}.")
        }
        Rule::Spc(_) => {
            let (variation, assurance) = r
                .spc
                .as_ref()
                .map(|s| (s.variation.unwrap_or("common_cause"), s.assurance))
                .unwrap_or(("common_cause", None));
            let mut s = format!(
                "{name} was {value} ({polarity}): SPC shows {}",
                variation.replace('_', " ")
            );
            if let Some(a) = assurance {
                s.push_str(&format!(
                    " with {} assurance against the target",
                    a.replace('_', " ")
                ));
            }
            s.push_str(&format!(", so {status}."));
            s
        }
        Rule::Named(rs) => {
            let mut context = Vec::new();
            if let Some(t) = r.target {
                context.push(target_text(t, ind));
            }
            for (n, c) in r.comparators.iter() {
                let label = sc
                    .comparator_index(n)
                    .and_then(|i| sc.comparator_labels.get(i))
                    .map(String::as_str)
                    .unwrap_or(n);
                context.push(format!(
                    "{label} {}",
                    with_unit(*c, ind.unit, reference_places(*c, ind.decimals))
                ));
            }
            // The history the rule read, which decided as much as the target.
            for (key, label) in [("previous", "previous period"), ("last_year", "last year")] {
                let read = r.trace.operands.iter().find(|(k, _)| k == key);
                if let Some((_, Some(v))) = read {
                    context.push(format!("{label} {}", with_unit(*v, ind.unit, ind.decimals)));
                }
            }
            let against = if context.is_empty() {
                String::new()
            } else {
                format!(" ({})", context.join("; "))
            };
            let why = match (&r.trace.condition, r.trace.clause) {
                (Some(cond), Some(k)) => format!(
                    "{status} because {cond} (rule set '{}', clause {k})",
                    rs.name
                ),
                _ => format!("{status}, as no clause of rule set '{}' held", rs.name),
            };
            format!("{name} was {value}{against}: {why}.")
        }
    }
}

/// The explanation of a theme roll-up.
pub fn theme(
    sc: &Scorecard,
    theme: &Theme,
    r: &ThemeResult,
    fired: Option<(&str, Option<&str>)>,
) -> String {
    let counts: Vec<String> = r
        .counts
        .iter()
        .filter(|(_, c)| *c > 0)
        .map(|(s, c)| format!("{c} {}", s.replace('_', " ")))
        .collect();
    let counts = if counts.is_empty() {
        // Only context indicators: they have results but no status.
        "no indicators with a RAG rule".to_string()
    } else {
        counts.join(", ")
    };
    let label = sc
        .status(&r.computed_status)
        .map(|s| s.label.as_str())
        .unwrap_or(&r.computed_status);
    let how = match (fired, &theme.rollup) {
        (Some((name, Some(cond))), _) => format!("rule set '{name}': {cond}"),
        (Some((name, None)), _) => format!("rule set '{name}': otherwise"),
        (None, crate::load::CompiledRollup::Majority) => {
            "the most common status, ties to the worse".into()
        }
        (None, crate::load::CompiledRollup::RuleSet(rs)) => {
            format!("rule set '{}' not run", rs.name)
        }
        _ => "the worst status among indicators with data".into(),
    };
    let mut s = format!("{} is {label} ({how}; {counts}).", theme.name);
    if let Some(o) = &r.overridden {
        s.push_str(&theme_override(o, &r.computed_status));
    }
    s
}

/// The sentence an override adds to a theme's explanation (see
/// [`ThemeResult::rollup_explanation`](crate::ThemeResult::rollup_explanation)).
pub(crate) fn theme_override(o: &OverrideNote, computed_status: &str) -> String {
    format!(
        " Overridden to {}: {} (the roll-up gave {computed_status}).",
        o.status,
        o.reason.trim_end_matches('.'),
    )
}

//! Integer kernels for the status path ([`Scorecard::evaluate_statuses`]).
//!
//! Most indicators compare a value rounded to the indicator's decimals with
//! a fixed target, comparator or band. Their thresholds are turned into
//! bounds on the value's integer mantissa once per evaluation, so judging a
//! period is a few `i64` comparisons instead of decimal arithmetic. A
//! kernel only takes a timeline it can judge exactly as the general path
//! (`Evaluator::judge` in the parent module) would: every row an actual
//! reading whose mantissa fits an `i64`, no overrides, no period option;
//! anything else takes the general path. The golden corpus,
//! `tests/status_kernel.rs` and the `evaluate_arbitrary` fuzz target check
//! that `evaluate_statuses` (kernels) and `evaluate` (never kernels) agree.
//!
//! [`Scorecard::evaluate_statuses`]: crate::Scorecard::evaluate_statuses

use std::cmp::Ordering;

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::{Direction, StatusRow};
use crate::expr::{Env, Var, When};
use crate::load::{CompiledRuleSet, CompiledTarget, Indicator, Rule, Scorecard, StatusIx};
use crate::model::{Polarity, TargetValue, Tolerance};
use crate::observations::{Obs, Reading, ACTUAL};
use crate::period::Period;

/// A decimal `mantissa / 10^scale` the kernel can hold in an `i64`.
#[derive(Debug, Clone, Copy)]
struct Fixed {
    mantissa: i64,
    scale: u32,
}

/// `10^n` as an `i64`, for `n <= 18`.
fn pow10(n: u32) -> Option<i64> {
    10_i64.checked_pow(n)
}

impl Fixed {
    fn of(d: Decimal) -> Option<Fixed> {
        Some(Fixed {
            mantissa: i64::try_from(d.mantissa()).ok()?,
            scale: d.scale(),
        })
    }

    /// The same number at a larger scale.
    fn at(self, scale: u32) -> Option<i64> {
        self.mantissa
            .checked_mul(pow10(scale.checked_sub(self.scale)?)?)
    }
}

/// `ceil(x × 10^scale)` (or the floor), when it fits an `i64`: the bound on
/// a mantissa at `scale` equivalent to comparing its number with `x`.
fn bound(x: Decimal, scale: u32, ceil: bool) -> Option<i64> {
    let scaled = x.checked_mul(Decimal::from(pow10(scale)?))?;
    let whole = if ceil { scaled.ceil() } else { scaled.floor() };
    whole.to_i64()
}

/// A gap `value − reference` (or `reference − value` for lower is better)
/// at a fixed scale.
#[derive(Debug, Clone, Copy)]
struct Gap {
    /// The reference's mantissa at `scale`.
    reference: i64,
    /// `10^(scale − the indicator's decimals)`: brings a value to `scale`.
    up: i64,
    /// The scale of the gap, as rust_decimal's subtraction gives it.
    scale: u32,
    higher: bool,
}

impl Gap {
    fn new(reference: Decimal, decimals: u32, higher: bool) -> Option<Gap> {
        let r = Fixed::of(reference)?;
        let scale = decimals.max(r.scale);
        Some(Gap {
            reference: r.at(scale)?,
            up: pow10(scale - decimals)?,
            scale,
            higher,
        })
    }

    /// The gap's mantissa for a value's mantissa at the indicator's scale.
    fn of(&self, value: i64) -> Option<i64> {
        let v = value.checked_mul(self.up)?;
        if self.higher {
            v.checked_sub(self.reference)
        } else {
            self.reference.checked_sub(v)
        }
    }
}

/// A tolerance rule (`target` or `comparator`) as bounds on the gap's mantissa.
#[derive(Debug, Clone, Copy)]
struct Tolerated {
    gap: Gap,
    /// A gap at least this is blue.
    blue: Option<i64>,
    /// A gap at least this (and below zero) is amber; below it, red.
    amber: i64,
    /// Green, amber, red, blue.
    lights: [StatusIx; 4],
}

impl Tolerated {
    fn new(
        reference: Decimal,
        decimals: u32,
        higher: bool,
        amber: Tolerance,
        blue: Option<Tolerance>,
        lights: [StatusIx; 4],
    ) -> Option<Tolerated> {
        let gap = Gap::new(reference, decimals, higher)?;
        let blue = match blue {
            Some(b) => Some(bound(b.in_units(reference), gap.scale, true)?),
            None => None,
        };
        Some(Tolerated {
            gap,
            blue,
            amber: bound(-amber.in_units(reference), gap.scale, true)?,
            lights,
        })
    }

    fn status(&self, value: i64) -> Option<StatusIx> {
        Some(self.status_of_gap(self.gap.of(value)?))
    }

    /// The status of a gap's mantissa (at `self.gap.scale`).
    fn status_of_gap(&self, g: i64) -> StatusIx {
        match self.blue {
            Some(b) if g >= b => self.lights[3],
            _ if g >= 0 => self.lights[0],
            _ if g >= self.amber => self.lights[1],
            _ => self.lights[2],
        }
    }
}

/// How a kernel decides the status of a value's mantissa.
#[derive(Debug, Clone)]
enum Decide<'a> {
    /// A context indicator: no status.
    Context,
    /// The target rule: the tolerance of the period's target step.
    Target,
    /// The comparator rule, against a constant comparator.
    Tolerance(Tolerated),
    /// Bounds on the mantissa, best band first.
    Bands { bounds: Vec<i64>, higher: bool },
    /// A rule set whose conditions read only this period's value, target,
    /// gap, gap_pct and constant comparators, and the previous value.
    RuleSet {
        rules: &'a CompiledRuleSet,
        comparators: &'a [(usize, Decimal)],
    },
}

/// An indicator's status rule in integers, for one evaluation.
#[derive(Debug, Clone)]
pub(super) struct Kernel<'a> {
    decimals: u32,
    higher: bool,
    /// The targets: none, one for every period, or time-varying steps.
    targets: Vec<Step>,
    decide: Decide<'a>,
    /// The status of a period without a value.
    missing: StatusIx,
    /// `no_data`, for the target rule in a period before the first step.
    no_data: StatusIx,
}

/// A target from a date on (from the start, for a constant target), with
/// the gap against it and, for the target rule, its tolerance bounds.
#[derive(Debug, Clone)]
struct Step {
    from: Option<NaiveDate>,
    target: Decimal,
    gap: Gap,
    tolerated: Option<Tolerated>,
}

impl<'a> Kernel<'a> {
    /// The kernel of an indicator, when its rule can be judged in integers:
    /// higher or lower is better, fixed decimals, single-number targets
    /// (constant, time-varying, or none), and a `target`, `bands` or constant `comparator`
    /// rule, a rule set reading only the current period and the previous
    /// value, or none. `lights` are the green, amber, red and blue indexes.
    pub(super) fn new(
        sc: &Scorecard,
        ind: &'a Indicator,
        lights: [StatusIx; 4],
    ) -> Option<Kernel<'a>> {
        let decimals = ind.decimals.filter(|&d| d <= 18)?;
        let higher = match ind.polarity {
            Polarity::HigherIsBetter => true,
            Polarity::LowerIsBetter => false,
            Polarity::Range | Polarity::None => return None,
        };
        let steps: Vec<(Option<NaiveDate>, Decimal)> = match &ind.target {
            CompiledTarget::None => Vec::new(),
            CompiledTarget::Constant(TargetValue::Value(t)) => vec![(None, t.0)],
            CompiledTarget::Steps(steps) => steps
                .iter()
                .map(|(from, t)| match t {
                    TargetValue::Value(t) => Some((Some(*from), t.0)),
                    TargetValue::Range { .. } => None,
                })
                .collect::<Option<_>>()?,
            CompiledTarget::Constant(TargetValue::Range { .. }) => return None,
        };
        let target_rule = match &ind.rule {
            Some(Rule::Target { amber, blue }) => Some((*amber, *blue)),
            _ => None,
        };
        let targets = steps
            .into_iter()
            .map(|(from, target)| {
                Some(Step {
                    from,
                    target,
                    gap: Gap::new(target, decimals, higher)?,
                    tolerated: match target_rule {
                        Some((amber, blue)) => Some(Tolerated::new(
                            target, decimals, higher, amber, blue, lights,
                        )?),
                        None => None,
                    },
                })
            })
            .collect::<Option<Vec<Step>>>()?;
        let decide = match &ind.rule {
            None => Decide::Context,
            Some(Rule::Target { .. }) => Decide::Target,
            Some(Rule::Comparator {
                against,
                amber,
                blue,
            }) => {
                let c = ind
                    .comparators
                    .iter()
                    .find(|(cix, _)| cix == against)
                    .map(|&(_, v)| v)?;
                Decide::Tolerance(Tolerated::new(c, decimals, higher, *amber, *blue, lights)?)
            }
            Some(Rule::Bands { thresholds }) => Decide::Bands {
                bounds: thresholds
                    .iter()
                    .map(|&t| bound(t, decimals, higher))
                    .collect::<Option<_>>()?,
                higher,
            },
            Some(Rule::Named(rules)) => {
                let simple = rules.clauses.iter().all(|(_, e)| {
                    e.reads_only_variables()
                        && e.variables().iter().all(|&(var, when)| {
                            when == When::Current || (var, when) == (Var::Value, When::Previous)
                        })
                });
                if !simple {
                    return None;
                }
                Decide::RuleSet {
                    rules,
                    comparators: &ind.comparators,
                }
            }
            Some(Rule::Spc(_)) => return None,
        };
        Some(Kernel {
            decimals,
            higher,
            targets,
            decide,
            missing: ind.missing.unwrap_or(sc.no_data_index()),
            no_data: sc.no_data_index(),
        })
    }

    /// The target step of a period, as `Indicator::target_at` picks it: the
    /// last one starting on or before the period's first day.
    fn step(&self, period: Period) -> Option<&Step> {
        match self.targets.as_slice() {
            [only] if only.from.is_none() => Some(only),
            steps => {
                let start = period.start();
                steps
                    .iter()
                    .rev()
                    .find(|s| s.from.is_some_and(|from| from <= start))
            }
        }
    }

    /// A value's mantissa at the indicator's decimals, when it is held so.
    fn mantissa(&self, v: Decimal) -> Option<i64> {
        (v.scale() == self.decimals)
            .then(|| i64::try_from(v.mantissa()).ok())
            .flatten()
    }

    /// A value at the indicator's decimals with its mantissa there: as
    /// read, when `finish` rounded it (`ROUND` false: a value at another
    /// scale, too large to round, is left to the general path); rounded
    /// here as [`round_value`](super::round_value) rounds it, when the
    /// observations hold values as given (finished to be evaluated once).
    /// `None` also for a mantissa beyond an `i64`, and for a negative value
    /// that rounds to zero (whose sign rust_decimal decides).
    #[inline(always)]
    fn rounded<const ROUND: bool>(&self, v: Decimal) -> Option<(Decimal, i64)> {
        if !ROUND {
            // As it was before values could come unrounded: the same code.
            return Some((v, self.mantissa(v)?));
        }
        if let Some(m) = self.mantissa(v) {
            return Some((v, m));
        }
        let q = super::rounded_mantissa(v, self.decimals)?;
        Some((crate::model::decimal_of(q, self.decimals)?, q))
    }

    /// The computed status and gap of one period's reading, and the
    /// rounded value with its mantissa; `None` where an integer would
    /// overflow.
    // Inlined into `run`, its one caller: a `Judged` returned through memory
    // is stored in parts and copied as a whole, which stalls (per row).
    #[inline(always)]
    fn judge<const ROUND: bool>(
        &self,
        reading: &Reading,
        period: Period,
        previous: Option<Decimal>,
    ) -> Option<Judged> {
        let &Reading::Value(v) = reading else {
            let status = match self.decide {
                Decide::Context => None,
                _ => Some(self.missing),
            };
            return Some(Judged {
                status,
                gap: GapOf::Decimal(None),
                value: None,
            });
        };
        let (v, m) = self.rounded::<ROUND>(v)?;
        let step = self.step(period);
        // The gap's mantissa, shared by the status row and the target rule
        // (whose tolerance is on the same gap).
        let g = match step {
            Some(s) => Some(s.gap.of(m)?),
            None => None,
        };
        let gap = match (step, g) {
            // rust_decimal returns a zero operand's partner as it is (its
            // scale, its sign): leave those to it.
            (Some(s), _) if m == 0 || s.target.is_zero() => GapOf::Decimal(super::gap(
                self.polarity(),
                v,
                TargetValue::Value(s.target.into()),
            )),
            (Some(s), Some(g)) if s.gap.scale <= Decimal::MAX_SCALE => {
                GapOf::Mantissa(g, s.gap.scale)
            }
            (Some(_), Some(_)) => return None,
            _ => GapOf::Decimal(None),
        };
        let status = match &self.decide {
            Decide::Context => None,
            Decide::Target => match (step.and_then(|s| s.tolerated.as_ref()), g) {
                (Some(t), Some(g)) => Some(t.status_of_gap(g)),
                // No target for the period.
                _ => Some(self.no_data),
            },
            Decide::Tolerance(t) => Some(t.status(m)?),
            Decide::Bands { bounds, higher } => {
                let band = bounds
                    .iter()
                    .position(|&b| if *higher { m >= b } else { m <= b });
                Some(band.unwrap_or(bounds.len()) as StatusIx)
            }
            Decide::RuleSet { rules, comparators } => {
                let env = RuleSetEnv {
                    value: v,
                    previous,
                    target: step.map(|s| s.target),
                    gap: gap.decimal(),
                    comparators,
                    polarity: self.polarity(),
                };
                Some(super::run_rule_set(rules, &env).0)
            }
        };
        Some(Judged {
            status,
            gap,
            value: Some((v, m)),
        })
    }

    /// Judges a timeline (one entity and indicator, sorted by period),
    /// writing a status row per period and the given statuses for the
    /// roll-up. Returns `false`, having written nothing, when a row is not
    /// an actual reading, two rows share a period, a negative value rounds
    /// to zero, or an integer would overflow: the general path takes those.
    pub(super) fn run<const ROUND: bool>(
        &self,
        rows: &[Obs],
        entity: u32,
        indicator: u32,
        out: &mut Vec<StatusRow>,
        rollup: &mut Vec<(Period, u32, Option<StatusIx>)>,
    ) -> bool {
        let (out_len, rollup_len) = (out.len(), rollup.len());
        // The previous row's period, and its value with the value's mantissa.
        let mut before: Option<(Period, Option<(Decimal, i64)>)> = None;
        for (i, o) in rows.iter().enumerate() {
            if before.is_some_and(|(p, _)| p >= o.period) || o.series != ACTUAL {
                out.truncate(out_len);
                rollup.truncate(rollup_len);
                return false;
            }
            let previous = match before {
                Some((p, v)) if o.period.follows(&p) => v,
                // As the general path: the period before, wherever it is.
                _ => o.period.previous().and_then(|p| {
                    let earlier = rows.get(..i).unwrap_or(&[]);
                    let at = earlier.binary_search_by(|e| e.period.cmp(&p)).ok()?;
                    match earlier.get(at)?.reading {
                        Reading::Value(v) => self.rounded::<ROUND>(v),
                        Reading::Missing | Reading::ZeroDenominator => None,
                    }
                }),
            };
            let Some(j) = self.judge::<ROUND>(&o.reading, o.period, previous.map(|(v, _)| v))
            else {
                out.truncate(out_len);
                rollup.truncate(rollup_len);
                return false;
            };
            out.push(StatusRow {
                entity,
                indicator,
                period: o.period,
                value: j.value.map(|(v, _)| v),
                gap: j.gap.decimal(),
                status: j.status,
                computed_status: j.status,
                direction: self.direction(j.value.map(|(_, m)| m), previous.map(|(_, m)| m)),
            });
            rollup.push((o.period, indicator, j.status));
            before = Some((o.period, j.value));
        }
        true
    }

    fn polarity(&self) -> Polarity {
        if self.higher {
            Polarity::HigherIsBetter
        } else {
            Polarity::LowerIsBetter
        }
    }

    /// Direction of travel from two mantissas at the same scale: the
    /// general path's decimal comparison, in integers.
    fn direction(&self, value: Option<i64>, previous: Option<i64>) -> Direction {
        let (Some(v), Some(p)) = (value, previous) else {
            return Direction::NotComparable;
        };
        match v.cmp(&p) {
            Ordering::Equal => Direction::NoChange,
            Ordering::Greater if self.higher => Direction::Improving,
            Ordering::Less if !self.higher => Direction::Improving,
            _ => Direction::Worsening,
        }
    }
}

/// A judged gap: a mantissa and scale (the kernel's) or a decimal (from
/// the general path's arithmetic). Made a decimal only where it is
/// written: a decimal carried through `Judged` is stored word by word and
/// then loaded whole, which stalls (per row).
#[derive(Clone, Copy)]
enum GapOf {
    Mantissa(i64, u32),
    Decimal(Option<Decimal>),
}

impl GapOf {
    #[inline(always)]
    fn decimal(self) -> Option<Decimal> {
        match self {
            GapOf::Mantissa(m, scale) => crate::model::decimal_of(m, scale),
            GapOf::Decimal(d) => d,
        }
    }
}

/// One period judged by a kernel.
struct Judged {
    status: Option<StatusIx>,
    gap: GapOf,
    /// The value and its mantissa at the indicator's decimals.
    value: Option<(Decimal, i64)>,
}

/// What a kernel's rule-set conditions read: the current period as the
/// kernel judged it, the previous value and the constant comparators. The
/// current-period arms of `IndicatorEnv::var` in the parent module, for a
/// timeline with actual rows only; the differential tests named at the top
/// keep the two in step.
struct RuleSetEnv<'a> {
    value: Decimal,
    previous: Option<Decimal>,
    target: Option<Decimal>,
    gap: Option<Decimal>,
    comparators: &'a [(usize, Decimal)],
    polarity: Polarity,
}

impl Env for RuleSetEnv<'_> {
    fn var(&self, var: Var, when: When) -> Option<Decimal> {
        match (var, when) {
            (Var::Value, When::Current) => Some(self.value),
            (Var::Value, When::Previous) => self.previous,
            (Var::Target, When::Current) => self.target,
            (Var::Gap, When::Current) => self.gap,
            (Var::GapPct, When::Current) => {
                let t = TargetValue::Value(self.target?.into());
                super::gap_pct(self.gap?, super::reference(t, self.value))
            }
            (Var::Comparator(c), When::Current) => self
                .comparators
                .iter()
                .find(|(ix, _)| *ix == c)
                .map(|&(_, v)| v),
            // Kernel::new takes no rule set reading anything else.
            _ => None,
        }
    }

    fn polarity(&self) -> Polarity {
        self.polarity
    }
}

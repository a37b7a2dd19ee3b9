//! Evaluation: observations in, statuses with reasons out (DESIGN.md 3-5).
//!
//! For each entity and indicator the rows form a short timeline of periods;
//! each period is judged by the indicator's rule, with history (previous,
//! last year, SPC) read from the same timeline. Themes roll up the given
//! statuses of their indicators. The output order is canonical (entity name,
//! indicator in scorecard order, period), so row order never matters.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::error::DataError;
use crate::explain;
use crate::expr::{compare, Env, Value, Var, When};
use crate::load::{CompiledRollup, CompiledRuleSet, Indicator, Rule, Scorecard, SpcMap, StatusIx};
use crate::model::{Override, OverrideTarget, Polarity, TargetValue, Tolerance};
use crate::observations::{Observations, Reading, ACTUAL, TARGET};
use crate::period::Period;
use crate::spc::{self, Improvement};

mod kernel;

/// Options of one evaluation.
#[derive(Debug, Clone)]
pub struct EvaluateOptions {
    /// Evaluate only this period (every indicator of every entity, so an
    /// indicator without a row there shows as missing).
    pub period: Option<String>,
    /// Evaluate only this entity.
    pub entity: Option<String>,
    /// Human judgements replacing computed statuses.
    pub overrides: Vec<Override>,
    /// Write explanation sentences and traces (default true). Off, the
    /// statuses are the same and evaluation is faster.
    pub explain: bool,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        EvaluateOptions {
            period: None,
            entity: None,
            overrides: Vec::new(),
            explain: true,
        }
    }
}

/// A row that was not used, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// 1-based data row (header not counted; JSON: array index + 1).
    pub row: usize,
    /// Why it was not used.
    pub reason: String,
}

/// Direction of travel against the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Better than the previous period.
    Improving,
    /// Worse than the previous period.
    Worsening,
    /// Same rounded value.
    NoChange,
    /// Higher, for an indicator without polarity.
    Up,
    /// Lower, for an indicator without polarity.
    Down,
    /// No previous value, or a range polarity.
    NotComparable,
}

impl Direction {
    /// Every direction, in the order of [`Direction::index`]: the
    /// dictionary of the bindings' coded direction columns.
    ///
    /// ```
    /// use ragulator::Direction;
    /// assert!(Direction::ALL.iter().enumerate().all(|(i, d)| d.index() == i));
    /// ```
    pub const ALL: [Direction; 6] = [
        Direction::Improving,
        Direction::Worsening,
        Direction::NoChange,
        Direction::Up,
        Direction::Down,
        Direction::NotComparable,
    ];

    /// Its position in [`Direction::ALL`].
    pub fn index(self) -> usize {
        match self {
            Direction::Improving => 0,
            Direction::Worsening => 1,
            Direction::NoChange => 2,
            Direction::Up => 3,
            Direction::Down => 4,
            Direction::NotComparable => 5,
        }
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Improving => "improving",
            Direction::Worsening => "worsening",
            Direction::NoChange => "no_change",
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::NotComparable => "not_comparable",
        }
    }
    /// An arrow for tables: which way the value moved (direction-of-travel
    /// arrows show the movement; whether it is better is said in words or
    /// colour), so for a lower-is-better indicator improving is `↓`.
    ///
    /// ```
    /// use ragulator::model::Polarity;
    /// use ragulator::Direction;
    /// assert_eq!(Direction::Improving.arrow(Polarity::HigherIsBetter), "↑");
    /// assert_eq!(Direction::Improving.arrow(Polarity::LowerIsBetter), "↓");
    /// assert_eq!(Direction::Worsening.arrow(Polarity::LowerIsBetter), "↑");
    /// ```
    pub fn arrow(self, polarity: Polarity) -> &'static str {
        let lower_is_better = polarity == Polarity::LowerIsBetter;
        match self {
            Direction::Up => "↑",
            Direction::Down => "↓",
            Direction::Improving | Direction::Worsening
                if (self == Direction::Improving) != lower_is_better =>
            {
                "↑"
            }
            Direction::Improving | Direction::Worsening => "↓",
            Direction::NoChange => "→",
            Direction::NotComparable => "·",
        }
    }
}

/// Why a result has no status from its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum NoDataReason {
    /// No value for the period (no row, or an empty cell).
    NoValue,
    /// No target for the period.
    NoTarget,
    /// A numerator/denominator row with a zero denominator.
    ZeroDenominator,
    /// The comparator the rule needs has no value.
    NoComparatorValue(String),
    /// No SPC chart for the period (no values up to it).
    NoSpc,
    /// The `spc` rule maps neither the last point's variation nor its
    /// assurance, and has no `otherwise`: the two, as in the chart.
    SpcUnmapped {
        /// The last point's variation.
        variation: &'static str,
        /// The assurance, when there is one.
        assurance: Option<&'static str>,
    },
    /// The gap to the target or comparator is past what a decimal holds
    /// (values near 7.9 × 10^28).
    GapOutOfRange,
}

impl NoDataReason {
    /// Words for explanations.
    pub fn phrase(&self) -> String {
        match self {
            NoDataReason::NoValue => "no value".into(),
            NoDataReason::NoTarget => "no target".into(),
            NoDataReason::ZeroDenominator => "zero denominator".into(),
            NoDataReason::NoComparatorValue(c) => format!("no comparator value ({c})"),
            NoDataReason::NoSpc => "no SPC chart".into(),
            NoDataReason::SpcUnmapped {
                variation,
                assurance,
            } => format!(
                "no status mapped for its SPC signal (variation {variation}{}; the spc rule has no otherwise)",
                assurance.map(|a| format!(", assurance {a}")).unwrap_or_default()
            ),
            NoDataReason::GapOutOfRange => "a gap too large to compute".into(),
        }
    }
}

/// A human judgement applied to a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverrideNote {
    /// The status given.
    pub status: Arc<str>,
    /// Why.
    pub reason: Arc<str>,
}

/// What the rule looked at and decided: for reports and audits.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Trace {
    /// `target`, `bands`, `comparator`, `spc`, `rule_set:<name>`, `missing`, or `none`.
    pub rule: String,
    /// For rule sets: the 1-based clause that fired (`None`: `otherwise`).
    pub clause: Option<usize>,
    /// The condition of the clause that fired.
    pub condition: Option<String>,
    /// Operand values the rule used (name, value; `None` = missing).
    pub operands: Vec<(String, Option<Decimal>)>,
}

/// The SPC state of an indicator at a period, computed on the points up to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpcState {
    /// The last point's variation.
    pub variation: Option<&'static str>,
    /// Assurance against the target.
    pub assurance: Option<&'static str>,
    /// This point's type.
    pub point_type: Option<&'static str>,
    /// The special-cause rule this point triggered.
    pub rule: Option<&'static str>,
    /// Mean of the segment this point is in (4 dp).
    pub mean: Decimal,
    /// Lower process limit (4 dp); `None` while the segment has a single
    /// point (no moving range, so no limits).
    pub lpl: Option<Decimal>,
    /// Upper process limit (4 dp); `None` as `lpl`.
    pub upl: Option<Decimal>,
    /// Points in the segment this point is in (all points up to it, unless
    /// the chart is rebased): what `mean`, the limits and `short` describe,
    /// as `groups[].n` in the chart of `spc`.
    pub n: usize,
    /// Fewer than 12 points in the segment: trial limits.
    pub short: bool,
}

/// The evaluation of one indicator for one entity and period. Serialised
/// (serde), it is its object of DESIGN.md section 4's JSON
/// ([`crate::output::ResultJson`]).
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorResult {
    /// The entity; `None` for the default entity.
    pub entity: Option<Arc<str>>,
    /// Indicator id.
    pub indicator: Arc<str>,
    /// The period.
    pub period: Period,
    /// The value, rounded to the indicator's decimals.
    pub value: Option<Decimal>,
    /// The target for the period (from the scorecard or a `target` series).
    pub target: Option<TargetValue>,
    /// `gap >= 0` means target met (DESIGN.md 3.3).
    pub gap: Option<Decimal>,
    /// Comparator values for the period (data series over scorecard
    /// constants); shared between results when they come from the scorecard.
    pub comparators: ComparatorValues,
    /// The previous period's rounded value.
    pub previous: Option<Decimal>,
    /// The same period last year's rounded value.
    pub last_year: Option<Decimal>,
    /// Numerator, when the value came from a ratio.
    pub numerator: Option<Decimal>,
    /// Denominator, when the value came from a ratio.
    pub denominator: Option<Decimal>,
    /// The status given (the override's, else the computed one); `None` for
    /// a context indicator.
    pub status: Option<Arc<str>>,
    /// What the rules said.
    pub computed_status: Option<Arc<str>>,
    /// The override, if any.
    pub overridden: Option<OverrideNote>,
    /// The given status's label.
    pub label: Option<Arc<str>>,
    /// Direction of travel.
    pub direction: Direction,
    /// Why the computed status is `no_data`.
    pub no_data_reason: Option<NoDataReason>,
    /// A sentence for a report (empty when explanations are off).
    pub explanation: String,
    /// What the rule looked at (empty when explanations are off).
    pub trace: Trace,
    /// SPC at this period, for indicators with `spc`.
    pub spc: Option<Box<SpcState>>,
    /// Index of the indicator, for roll-ups.
    pub(crate) indicator_ix: u32,
    /// Index of the given status, for roll-ups.
    pub(crate) given_ix: Option<StatusIx>,
}

impl IndicatorResult {
    /// `gap / |target| × 100` (the nearer bound for a range); `None` without
    /// a gap or with a zero target. Computed on demand: most callers never
    /// need the division.
    pub fn gap_pct(&self) -> Option<Decimal> {
        gap_pct(self.gap?, reference(self.target?, self.value?))
    }
}

/// The roll-up of one theme for one entity and period. Serialised (serde),
/// it is its object of DESIGN.md section 4's JSON
/// ([`crate::output::theme_json`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeResult {
    /// The entity; `None` for the default entity.
    pub entity: Option<Arc<str>>,
    /// Theme id.
    pub theme: Arc<str>,
    /// The period.
    pub period: Period,
    /// The status given.
    pub status: Arc<str>,
    /// What the roll-up said.
    pub computed_status: Arc<str>,
    /// The override, if any.
    pub overridden: Option<OverrideNote>,
    /// The given status's label.
    pub label: Arc<str>,
    /// How many of the theme's indicators have each status.
    pub counts: Vec<(Arc<str>, usize)>,
    /// A sentence for a report.
    pub explanation: String,
}

impl ThemeResult {
    /// The explanation without an override's sentence: what the roll-up
    /// gave and why, for a page that shows the override's judgement and
    /// reason apart (the HTML report does).
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml(
    ///     "ragulator = 1\n[[theme]]\nid = 't'\nname = 'Help'\n[[indicator]]\nid = 'x'\nname = 'X'\nunit = 'count'\npolarity = 'higher_is_better'\ntheme = 't'\ntarget = 10\nrag = { rule = 'target', amber = 1 }\n",
    /// ).unwrap();
    /// let data = s.read_csv(b"indicator,period,value\nx,2022-06,4\n").unwrap();
    /// let overrides = s.read_overrides_csv(b"theme,period,status,reason\nt,2022-06,amber,Recovering\n").unwrap();
    /// let options = ragulator::EvaluateOptions { overrides, ..Default::default() };
    /// let theme = &s.evaluate(&data, &options).unwrap().themes[0];
    /// assert!(theme.explanation.ends_with("Overridden to amber: Recovering (the roll-up gave red)."));
    /// assert_eq!(theme.rollup_explanation(), "Help is Red – High Risk (the worst status among indicators with data; 1 red).");
    /// ```
    pub fn rollup_explanation(&self) -> &str {
        match &self.overridden {
            Some(o) => self
                .explanation
                .strip_suffix(explain::theme_override(o, &self.computed_status).as_str())
                .unwrap_or(&self.explanation),
            None => &self.explanation,
        }
    }
}

/// The result of an evaluation: indicators, themes, rejected rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Indicator results, by entity, indicator (scorecard order), period.
    pub results: Vec<IndicatorResult>,
    /// Theme results, by entity, period, theme (scorecard order).
    pub themes: Vec<ThemeResult>,
    /// Rows not used, by row number.
    pub rejected: Vec<Rejected>,
    /// Input rows read (used + rejected).
    pub input_rows: usize,
}

/// Comparator values by name, shared between results where they can be.
pub type ComparatorValues = Arc<[(Arc<str>, Decimal)]>;

/// One indicator of one entity at one period: what `judge` looks at.
struct Unit<'a> {
    entity: &'a Option<Arc<str>>,
    entity_name: &'a str,
    entity_ix: u32,
    ix: usize,
    indicator: &'a Indicator,
    t: &'a Timeline,
    period: Period,
    /// The index of `period`'s slot in `t`, when the walk knows it.
    slot: Option<usize>,
}

/// What the rules decided for one indicator, entity and period.
struct Judgement {
    value: Option<Decimal>,
    target: Option<TargetValue>,
    gap: Option<Decimal>,
    previous: Option<Decimal>,
    computed: Option<StatusIx>,
    given: Option<StatusIx>,
    overridden: Option<OverrideNote>,
    direction: Direction,
    no_data_reason: Option<NoDataReason>,
    spc: Option<Box<SpcState>>,
    /// Present when explaining.
    trace: Option<Box<Trace>>,
}

/// A theme roll-up before names are attached.
struct ThemeStatus {
    entity_ix: u32,
    entity: Option<Arc<str>>,
    theme: usize,
    period: Period,
    computed: StatusIx,
    given: StatusIx,
    overridden: Option<OverrideNote>,
    counts: Vec<usize>,
    /// For rule-set roll-ups: the rule set and the condition that fired.
    fired: Option<(String, Option<String>)>,
}

/// The status of one indicator for one entity and period, compact: a row of
/// [`StatusTable`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusRow {
    /// Index into [`StatusTable::entities`].
    pub entity: u32,
    /// Index into [`Scorecard::indicators`].
    pub indicator: u32,
    /// The period.
    pub period: Period,
    /// The rounded value.
    pub value: Option<Decimal>,
    /// `gap >= 0` means target met.
    pub gap: Option<Decimal>,
    /// The status given: an index into [`Scorecard::statuses`], or
    /// `statuses().len()` for `no_data`; `None` for a context indicator.
    pub status: Option<u8>,
    /// What the rules said (same indexing).
    pub computed_status: Option<u8>,
    /// Direction of travel.
    pub direction: Direction,
}

/// A theme's status for one entity and period, compact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThemeStatusRow {
    /// Index into [`StatusTable::entities`].
    pub entity: u32,
    /// Index into [`Scorecard::themes`].
    pub theme: u32,
    /// The period.
    pub period: Period,
    /// The status given (index as in [`StatusRow::status`]).
    pub status: u8,
    /// What the roll-up said.
    pub computed_status: u8,
}

/// Statuses only, in compact rows: the same judgements as [`Evaluation`]
/// without names, comparators or explanations, for high-throughput callers
/// and columnar outputs (Arrow, DataFrames).
#[derive(Debug, Clone, PartialEq)]
pub struct StatusTable {
    /// Entity names by index (`""` is the default entity).
    pub entities: Vec<String>,
    /// Indicator statuses, in the order of [`Evaluation::results`].
    pub results: Vec<StatusRow>,
    /// Theme statuses, in the order of [`Evaluation::themes`].
    pub themes: Vec<ThemeStatusRow>,
    /// Rows not used.
    pub rejected: Vec<Rejected>,
    /// Input rows read.
    pub input_rows: usize,
}

/// One period of an entity's indicator timeline.
#[derive(Debug, Clone, Copy)]
struct Slot {
    period: Period,
    /// The actual reading (None: no actual row).
    actual: Option<Reading>,
    ratio: Option<(Decimal, Decimal)>,
    /// Rounded value.
    value: Option<Decimal>,
    target: Option<Decimal>,
    /// Range into `Timeline::comparators`.
    comps: (u32, u32),
}

/// The rows of one entity and indicator, by period, with reusable buffers.
#[derive(Default)]
struct Timeline {
    slots: Vec<Slot>,
    /// (series id, value) for comparator series.
    comparators: Vec<(u32, Decimal)>,
}

impl Timeline {
    /// The slot at index `i` (whose period is `period`) and the value of
    /// the period before it.
    fn at(&self, i: usize, period: Period) -> (Option<&Slot>, Option<Decimal>) {
        let before = i.checked_sub(1).and_then(|j| self.slots.get(j));
        let previous = match before {
            Some(b) if period.follows(&b.period) => b.value,
            _ => period
                .previous()
                .and_then(|p| self.slot(p))
                .and_then(|s| s.value),
        };
        (self.slots.get(i), previous)
    }

    fn slot(&self, period: Period) -> Option<&Slot> {
        self.slots
            .binary_search_by(|s| s.period.cmp(&period))
            .ok()
            .and_then(|i| self.slots.get(i))
    }

    /// The slot of a period and the value of the period before it. The
    /// previous slot is usually the neighbour, so check that first.
    fn slot_and_previous(&self, period: Period) -> (Option<&Slot>, Option<Decimal>) {
        match self.slots.binary_search_by(|s| s.period.cmp(&period)) {
            Ok(i) => self.at(i, period),
            Err(_) => (
                None,
                period
                    .previous()
                    .and_then(|p| self.slot(p))
                    .and_then(|s| s.value),
            ),
        }
    }
}

/// Rounds half away from zero to `decimals` places, keeping that many places.
///
/// ```
/// use rust_decimal::Decimal;
/// use std::str::FromStr;
/// let v = ragulator::eval::round_value(Decimal::from_str("84.95").unwrap(), Some(1));
/// assert_eq!(v.to_string(), "85.0");
/// ```
#[inline]
pub fn round_value(v: Decimal, decimals: Option<u32>) -> Decimal {
    match decimals {
        None => v,
        // Data usually has the indicator's places already, or a few more.
        Some(d) if v.scale() == d => v,
        Some(d) => {
            if let Some(r) = round_small(v, d) {
                return r;
            }
            let mut r = v.round_dp_with_strategy(d, RoundingStrategy::MidpointAwayFromZero);
            r.rescale(d);
            r
        }
    }
}

/// Powers of ten that fit an `i64`: a table, not `checked_pow`'s loop.
const POW10: [i64; 19] = {
    let mut p = [1_i64; 19];
    let mut i = 1;
    while i < 19 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// [`round_value`] in 64-bit integers, for a value with a small mantissa:
/// with more than `d` places, the quotient by `10^(scale - d)`, away from
/// zero on a remainder of half or more; with fewer, the mantissa times
/// `10^(d - scale)`. `None` (use rust_decimal) outside that, and for a
/// negative value that comes to zero (whose sign rust_decimal decides).
#[inline]
fn round_small(v: Decimal, d: u32) -> Option<Decimal> {
    crate::model::decimal_of(rounded_mantissa(v, d)?, d)
}

/// The mantissa of [`round_small`]'s result (at scale `d`); the status
/// kernels take it to judge in integers.
#[inline]
pub(crate) fn rounded_mantissa(v: Decimal, d: u32) -> Option<i64> {
    let q = round_mantissa(i64::try_from(v.mantissa()).ok()?, v.scale(), d)?;
    (q != 0 || !v.is_sign_negative()).then_some(q)
}

/// The mantissa at scale `d` of `m / 10^scale`, rounded half away from
/// zero; `None` when it does not fit an `i64`.
#[inline]
fn round_mantissa(m: i64, scale: u32, d: u32) -> Option<i64> {
    if scale > d {
        // One or two places beyond `d` is most data: divisions by a
        // constant, which become multiplications.
        Some(match scale - d {
            1 => round_tens(m),
            2 => round_hundreds(m),
            places => away_from_zero(m, *POW10.get(places as usize)?),
        })
    } else {
        m.checked_mul(*POW10.get((d - scale) as usize)?)
    }
}

/// `m / p`, rounded half away from zero.
#[inline(always)]
fn away_from_zero(m: i64, p: i64) -> i64 {
    let (q, r) = (m / p, m % p);
    if r.unsigned_abs() >= p.unsigned_abs() - r.unsigned_abs() {
        q + m.signum()
    } else {
        q
    }
}

// Separate functions, so that the optimiser cannot merge the constant
// divisors into a table lookup and a hardware division (it does, inlined).
#[inline(never)]
fn round_tens(m: i64) -> i64 {
    away_from_zero(m, 10)
}

#[inline(never)]
fn round_hundreds(m: i64) -> i64 {
    away_from_zero(m, 100)
}

/// The partition point of `pred` in `items` (true, then false), searched
/// outward from the start: probes at 1, 2, 4, ... then a binary search
/// between the last two. Used from the start of an entity's rows, it stays
/// within those rows, which evaluation reads next; a binary search over the
/// whole batch would miss the cache at every step.
fn gallop<T>(items: &[T], pred: impl Fn(&T) -> bool) -> usize {
    let mut bound = 1;
    while bound < items.len() && items.get(bound).is_some_and(&pred) {
        bound *= 2;
    }
    let from = bound / 2;
    let to = bound.min(items.len());
    from + items.get(from..to).unwrap_or(&[]).partition_point(pred)
}

/// `gap` for a value against a target (DESIGN.md 3.3): `>= 0` means met.
pub fn gap(polarity: Polarity, value: Decimal, target: TargetValue) -> Option<Decimal> {
    match (polarity, target) {
        (Polarity::HigherIsBetter, TargetValue::Value(t)) => value.checked_sub(t.0),
        (Polarity::LowerIsBetter, TargetValue::Value(t)) => t.0.checked_sub(value),
        (Polarity::Range, TargetValue::Range { low, high }) => {
            if value < low.0 {
                value.checked_sub(low.0)
            } else if value > high.0 {
                high.0.checked_sub(value)
            } else {
                Some(Decimal::ZERO)
            }
        }
        _ => None,
    }
}

/// The reference value a relative tolerance is taken from: the target, or
/// the range bound nearer the value.
pub(crate) fn reference(target: TargetValue, value: Decimal) -> Decimal {
    match target {
        TargetValue::Value(t) => t.0,
        TargetValue::Range { low, high } => {
            if value < low.0 {
                low.0
            } else {
                high.0
            }
        }
    }
}

fn gap_pct(gap: Decimal, reference: Decimal) -> Option<Decimal> {
    if reference.is_zero() {
        return None;
    }
    gap.checked_div(reference.abs())
        .and_then(|q| q.checked_mul(Decimal::ONE_HUNDRED))
}

/// Whether `a` is better than `b` (strict) for a polarity.
pub(crate) fn better(polarity: Polarity, a: Decimal, b: Decimal, or_equal: bool) -> bool {
    let order = compare(a, b);
    match polarity {
        Polarity::HigherIsBetter => order.is_gt() || (or_equal && order.is_eq()),
        Polarity::LowerIsBetter => order.is_lt() || (or_equal && order.is_eq()),
        Polarity::Range | Polarity::None => false,
    }
}

impl Scorecard {
    /// Evaluates observations: every indicator result, theme roll-up and
    /// rejected row.
    ///
    /// Fails only for problems with the call as a whole: a bad `period`
    /// option, a bad override (a judgement must not vanish), or
    /// observations read by another scorecard. Bad rows are not errors:
    /// they are in the result's `rejected`.
    ///
    /// ```
    /// use ragulator::{EvaluateOptions, Scorecard};
    /// let card = Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='percent'\npolarity='higher_is_better'\ntarget=85\nrag={rule='target',amber=5}\n")?;
    /// let data = card.read_csv(b"indicator,period,value\nx,2022-06,84.1\nx,2022-13,1\n")?;
    /// let overrides = card.read_overrides_csv(b"indicator,period,status,reason\nx,2022-06,green,Agreed at the July board")?;
    /// let options = EvaluateOptions { overrides, period: Some("2022-06".into()), ..Default::default() };
    /// let evaluation = card.evaluate(&data, &options)?;
    /// let r = &evaluation.results[0];
    /// assert_eq!((r.status.as_deref(), r.computed_status.as_deref()), (Some("green"), Some("amber")));
    /// assert_eq!(evaluation.rejected[0].row, 2);
    /// let other = Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='none'\n")?;
    /// assert!(other.evaluate(&data, &EvaluateOptions::default()).is_err());
    /// # Ok::<(), ragulator::Error>(())
    /// ```
    pub fn evaluate(
        &self,
        data: &Observations,
        options: &EvaluateOptions,
    ) -> Result<Evaluation, DataError> {
        Evaluator::new(self, data, options)?.run()
    }

    /// Checks overrides against this scorecard and the data they will be
    /// evaluated with, as [`Scorecard::evaluate`] does first: so a caller
    /// that read them from a file can say which file a problem is in.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
    /// let data = s.read_csv(b"entity,indicator,period,value\nyork,x,2022-06,4\n").unwrap();
    /// let overrides = s.read_overrides_csv(b"entity,indicator,period,status,reason\nYork,x,2022-06,green,agreed\n").unwrap();
    /// let e = s.check_overrides(&data, &overrides).unwrap_err();
    /// assert_eq!(e.row, Some(1));
    /// assert!(e.message.contains("which the data writes 'york'"));
    /// ```
    pub fn check_overrides(
        &self,
        data: &Observations,
        overrides: &[Override],
    ) -> Result<(), DataError> {
        override_map(self, data, overrides).map(|_| ())
    }

    /// Evaluates observations into compact status rows: the same statuses
    /// as [`Scorecard::evaluate`], without names, comparators, SPC detail or
    /// explanations (`options.explain` is ignored). For high-throughput
    /// callers and columnar outputs.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
    /// let data = s.read_csv(b"indicator,period,value\nx,2022-06,4\n").unwrap();
    /// let table = s.evaluate_statuses(&data, &Default::default()).unwrap();
    /// let status = table.results[0].status.unwrap();
    /// assert_eq!(s.statuses()[status as usize].id, "amber");
    /// ```
    pub fn evaluate_statuses(
        &self,
        data: &Observations,
        options: &EvaluateOptions,
    ) -> Result<StatusTable, DataError> {
        let quiet = EvaluateOptions {
            explain: false,
            ..options.clone()
        };
        Evaluator::new(self, data, &quiet)?.run_statuses(1)
    }

    /// [`Scorecard::evaluate_statuses`] on up to `threads` threads, each
    /// judging a contiguous run of entities (the same table, row for row;
    /// one thread for a single entity). For a host with cores to spare and
    /// a large batch; the WebAssembly package, which has no threads, uses
    /// `evaluate_statuses`.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
    /// let data = s.read_csv(b"entity,indicator,period,value\na,x,2022-06,4\nb,x,2022-06,6\n").unwrap();
    /// let one = s.evaluate_statuses(&data, &Default::default()).unwrap();
    /// let two = s.evaluate_statuses_threaded(&data, &Default::default(), 2).unwrap();
    /// assert_eq!(one, two);
    /// ```
    pub fn evaluate_statuses_threaded(
        &self,
        data: &Observations,
        options: &EvaluateOptions,
        threads: usize,
    ) -> Result<StatusTable, DataError> {
        let quiet = EvaluateOptions {
            explain: false,
            ..options.clone()
        };
        Evaluator::new(self, data, &quiet)?.run_statuses(threads)
    }
}

/// Entity runs and their first index, for [`Evaluator::run_statuses`].
type Part<'e> = (usize, &'e [(String, std::ops::Range<usize>)]);

/// Where the walk puts its judgements.
trait Sink {
    /// The status rows, for a sink that takes them from integer kernels.
    fn rows(&mut self) -> Option<&mut Vec<StatusRow>>;
    /// One judged period.
    fn judged(&mut self, ev: &Evaluator<'_>, unit: &Unit<'_>, j: Judgement);
}

/// Rich results, for [`Scorecard::evaluate`].
struct Results(Vec<IndicatorResult>);

impl Sink for Results {
    fn rows(&mut self) -> Option<&mut Vec<StatusRow>> {
        None
    }
    fn judged(&mut self, ev: &Evaluator<'_>, unit: &Unit<'_>, j: Judgement) {
        self.0.push(ev.indicator_result(unit, j));
    }
}

/// Status rows, for [`Scorecard::evaluate_statuses`].
struct StatusRows(Vec<StatusRow>);

impl Sink for StatusRows {
    fn rows(&mut self) -> Option<&mut Vec<StatusRow>> {
        Some(&mut self.0)
    }
    fn judged(&mut self, _: &Evaluator<'_>, unit: &Unit<'_>, j: Judgement) {
        self.0.push(StatusRow {
            entity: unit.entity_ix,
            indicator: unit.ix as u32,
            period: unit.period,
            value: j.value,
            gap: j.gap,
            status: j.given,
            computed_status: j.computed,
            direction: j.direction,
        });
    }
}

/// An entity's theme roll-up by period: periods get ids in order of
/// appearance, with status counts and whether each theme has a result.
/// Each indicator's statuses usually run through the same periods as the
/// last one's, so the id after the previous one is tried first and a miss
/// searches a short sorted list.
struct PeriodGrid {
    periods: Vec<Period>,
    /// (period, id), sorted: the search on a miss, and the output order.
    sorted: Vec<(Period, usize)>,
    /// Per period id, theme and status: how many indicators have it.
    counts: Vec<usize>,
    /// Per period id and theme: whether the theme has a result.
    present: Vec<bool>,
    /// Per period id and indicator: whether the indicator has a result.
    has_result: Vec<bool>,
    n_themes: usize,
    cells: usize,
    n_indicators: usize,
}

impl PeriodGrid {
    fn new(n_themes: usize, cells: usize, n_indicators: usize) -> Self {
        PeriodGrid {
            periods: Vec::new(),
            sorted: Vec::new(),
            counts: Vec::new(),
            present: Vec::new(),
            has_result: Vec::new(),
            n_themes,
            cells,
            n_indicators,
        }
    }

    /// The id of `period`, trying `hint` first; adds the period if new.
    /// Inlined: the hint is right for nearly every result of a batch.
    #[inline]
    fn id(&mut self, period: Period, hint: usize) -> usize {
        if self.periods.get(hint) == Some(&period) {
            return hint;
        }
        self.search(period)
    }

    /// [`PeriodGrid::id`] when the hint misses.
    #[inline(never)]
    fn search(&mut self, period: Period) -> usize {
        match self.sorted.binary_search_by(|(q, _)| q.cmp(&period)) {
            Ok(at) => self.sorted.get(at).map_or(0, |&(_, id)| id),
            Err(at) => {
                let id = self.periods.len();
                self.periods.push(period);
                self.sorted.insert(at, (period, id));
                self.counts.resize(self.counts.len() + self.cells, 0);
                self.present
                    .resize(self.present.len() + self.n_themes, false);
                self.has_result
                    .resize(self.has_result.len() + self.n_indicators, false);
                id
            }
        }
    }

    #[inline]
    fn mark(&mut self, period_id: usize, theme: usize) {
        if let Some(p) = self.present.get_mut(period_id * self.n_themes + theme) {
            *p = true;
        }
    }
}

struct Evaluator<'a> {
    sc: &'a Scorecard,
    data: &'a Observations,
    explain: bool,
    period: Option<Period>,
    entity_filter: Option<&'a str>,
    /// Observation series id → scorecard comparator index.
    series_comparator: Vec<Option<usize>>,
    series_names: Vec<Arc<str>>,
    indicator_ids: Vec<Arc<str>>,
    status_ids: Vec<Arc<str>>,
    status_labels: Vec<Arc<str>>,
    /// Indexes of green, amber, red and blue (no_data when absent), for the built-in rules.
    lights: [StatusIx; 4],
    /// Per indicator: its constant comparators, shared by every result.
    constant_comparators: Vec<ComparatorValues>,
    /// Per indicator: the themes it is a member of.
    themes_of: Vec<Vec<usize>>,
    overrides: OverrideMap,
}

/// Overrides by entity (`None`: every entity), indicator or theme, and period.
type OverrideMap = HashMap<(Option<String>, OverrideTarget, Period), OverrideNote>;

/// The overrides by entity, indicator or theme, and period, checked
/// against the scorecard and the data: a bad override, one for an entity
/// the data writes in another case, or two for one place are an error
/// naming the override's row (a judgement must not vanish, DESIGN.md 4).
fn override_map(
    sc: &Scorecard,
    data: &Observations,
    overrides: &[Override],
) -> Result<OverrideMap, DataError> {
    let mut map = HashMap::new();
    for (i, o) in overrides.iter().enumerate() {
        sc.check_override(i + 1, o)?;
        let p = sc
            .parse_period(&o.period)
            .map_err(|e| DataError::in_row(i + 1, Some("period"), e.to_string()))?;
        let key = (
            o.entity.clone().filter(|e| !e.is_empty()),
            o.target.clone(),
            p,
        );
        // An entity the data lacks may be meant (a judgement for one
        // that sent nothing), but one the data has in another case is a
        // slip that would land the judgement beside the real entity.
        if let Some(e) = key.0.as_deref() {
            if !data.entities.iter().any(|d| d == e) {
                if let Some(d) = data.entities.iter().find(|d| d.eq_ignore_ascii_case(e)) {
                    return Err(DataError::in_row(
                        i + 1,
                        Some("entity"),
                        format!("the override names entity '{e}', which the data writes '{d}' (entities are matched exactly); write '{d}'"),
                    ));
                }
            }
        }
        if map.contains_key(&key) {
            let first = overrides
                .iter()
                .take(i)
                .position(|q| {
                    q.entity.as_deref().filter(|e| !e.is_empty()) == key.0.as_deref()
                        && q.target == key.1
                        && sc.parse_period(&q.period).ok() == Some(p)
                })
                .map_or(format!("row {}", i + 1), |f| {
                    format!("rows {} and {}", f + 1, i + 1)
                });
            // Said to be the overrides' rows: a bare "row 2" reads as the data's.
            return Err(DataError::in_row(
                i + 1,
                None,
                format!("the overrides give two for the same entity, indicator or theme and period ({first}); keep one"),
            ));
        }
        map.insert(
            key,
            OverrideNote {
                status: Arc::from(o.status.as_str()),
                reason: Arc::from(o.reason.as_str()),
            },
        );
    }
    Ok(map)
}

impl<'a> Evaluator<'a> {
    fn new(
        sc: &'a Scorecard,
        data: &'a Observations,
        options: &'a EvaluateOptions,
    ) -> Result<Self, DataError> {
        sc.check_observations(data)?;
        let period =
            match options.period.as_deref() {
                // An option, not a data column: no column to name.
                Some(p) => Some(sc.parse_period(p).map_err(|e| {
                    DataError::new(format!("the period option is not a period: {e}"))
                })?),
                None => None,
            };
        let overrides = override_map(sc, data, &options.overrides)?;
        let series_comparator = data
            .series_names
            .iter()
            .map(|n| sc.comparator_index(n))
            .collect();
        let mut status_ids: Vec<Arc<str>> = sc
            .statuses
            .iter()
            .map(|s| Arc::from(s.id.as_str()))
            .collect();
        status_ids.push(Arc::from(sc.no_data.id.as_str()));
        let mut status_labels: Vec<Arc<str>> = sc
            .statuses
            .iter()
            .map(|s| Arc::from(s.label.as_str()))
            .collect();
        status_labels.push(Arc::from(sc.no_data.label.as_str()));
        Ok(Evaluator {
            sc,
            data,
            explain: options.explain,
            period,
            entity_filter: options.entity.as_deref(),
            series_comparator,
            series_names: data
                .series_names
                .iter()
                .map(|n| Arc::from(n.as_str()))
                .collect(),
            indicator_ids: sc
                .indicators
                .iter()
                .map(|i| Arc::from(i.id.as_str()))
                .collect(),
            status_ids,
            status_labels,
            lights: ["green", "amber", "red", "blue"]
                .map(|id| sc.status_index(id).unwrap_or(sc.no_data_index())),
            constant_comparators: sc
                .indicators
                .iter()
                .map(|ind| {
                    let names = &sc.comparator_names;
                    ind.comparators
                        .iter()
                        .map(|&(cix, v)| {
                            (
                                Arc::from(names.get(cix).map(String::as_str).unwrap_or("")),
                                v,
                            )
                        })
                        .collect()
                })
                .collect(),
            themes_of: {
                let mut themes_of = vec![Vec::new(); sc.indicators.len()];
                for (t, theme) in sc.themes.iter().enumerate() {
                    for &m in &theme.members {
                        if let Some(of) = themes_of.get_mut(m) {
                            of.push(t);
                        }
                    }
                }
                themes_of
            },
            overrides,
        })
    }

    /// Entities to evaluate, by name, each with its row range.
    fn entities(&self) -> Vec<(String, std::ops::Range<usize>)> {
        let rows = &self.data.rows;
        let mut out: Vec<(String, std::ops::Range<usize>)> = Vec::new();
        let mut start = 0;
        while start < rows.len() {
            let e = rows[start].entity;
            let end = start + gallop(&rows[start..], |o| o.entity == e);
            let name = self
                .data
                .entities
                .get(e as usize)
                .cloned()
                .unwrap_or_default();
            out.push((name, start..end));
            start = end;
        }
        for (entity, _, _) in self.overrides.keys() {
            if let Some(e) = entity {
                if !out.iter().any(|(n, _)| n == e) {
                    out.push((e.clone(), 0..0));
                }
            }
        }
        if let Some(f) = self.entity_filter {
            out.retain(|(n, _)| n == f);
            if out.is_empty() {
                out.push((f.to_string(), 0..0));
            }
        }
        if out.is_empty() && (self.period.is_some() || !self.overrides.is_empty()) {
            out.push((String::new(), 0..0));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Walks every entity and indicator timeline, judging each period, and
    /// hands each judgement to `sink`; then rolls the themes up.
    /// Judges `entities`, the first of which is number `first` in the
    /// whole list (the index results and theme rows carry).
    fn walk(
        &self,
        entities: &[(String, std::ops::Range<usize>)],
        first: usize,
        sink: &mut impl Sink,
        themes: &mut Vec<ThemeStatus>,
    ) {
        // Integer kernels write status rows directly; they judge as `judge`
        // does only without overrides or a period option.
        let kernels: Vec<Option<kernel::Kernel>> =
            if sink.rows().is_some() && self.overrides.is_empty() && self.period.is_none() {
                self.sc
                    .indicators
                    .iter()
                    .map(|ind| kernel::Kernel::new(self.sc, ind, self.lights))
                    .collect()
            } else {
                Vec::new()
            };
        let mut timeline = Timeline::default();
        let mut rollup: Vec<(Period, u32, Option<StatusIx>)> = Vec::new();
        for (local, (entity_name, range)) in entities.iter().enumerate() {
            let entity_ix = first + local;
            let entity: Option<Arc<str>> =
                (!entity_name.is_empty()).then(|| Arc::from(entity_name.as_str()));
            let rows = self.data.rows.get(range.clone()).unwrap_or(&[]);
            // Rows are sorted by indicator: each indicator's rows follow the
            // last one's (a forward scan reads memory the judging reads next;
            // a binary search would miss the cache at every step).
            let mut hi = 0;
            rollup.clear();
            for (ix, indicator) in self.sc.indicators.iter().enumerate() {
                let lo = hi
                    + rows
                        .get(hi..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|o| (o.indicator as usize) < ix)
                        .count();
                hi = lo
                    + rows
                        .get(lo..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|o| o.indicator as usize == ix)
                        .count();
                let timeline_rows = rows.get(lo..hi).unwrap_or(&[]);
                if let (Some(Some(k)), Some(out)) = (kernels.get(ix), sink.rows()) {
                    // Two copies of the kernel: rounding values as they are
                    // judged would slow the usual case, values rounded when read.
                    let (e, i) = (entity_ix as u32, ix as u32);
                    #[cfg(not(target_arch = "wasm32"))]
                    let done = if self.data.rounded {
                        k.run::<false>(timeline_rows, e, i, out, &mut rollup)
                    } else {
                        k.run::<true>(timeline_rows, e, i, out, &mut rollup)
                    };
                    // WebAssembly keeps one copy, for size: the package
                    // only reads rounded observations (others would take
                    // the general path, which rounds them).
                    #[cfg(target_arch = "wasm32")]
                    let done = k.run::<false>(timeline_rows, e, i, out, &mut rollup);
                    if done {
                        continue;
                    }
                }
                self.build_timeline(timeline_rows, &mut timeline);
                for (i, period) in self
                    .periods_for(entity_name, ix, &timeline)
                    .into_iter()
                    .enumerate()
                {
                    // Without a period option or overrides, the periods are the slots'.
                    let slot =
                        (timeline.slots.get(i).map(|s| s.period) == Some(period)).then_some(i);
                    let unit = Unit {
                        entity: &entity,
                        entity_name,
                        entity_ix: entity_ix as u32,
                        ix,
                        indicator,
                        t: &timeline,
                        period,
                        slot,
                    };
                    let j = self.judge(&unit);
                    rollup.push((period, ix as u32, j.given));
                    sink.judged(self, &unit, j);
                }
            }
            self.roll_up(entity_ix as u32, &entity, entity_name, &rollup, themes);
        }
    }

    fn run(self) -> Result<Evaluation, DataError> {
        let mut sink = Results(Vec::with_capacity(self.data.rows.len()));
        let mut theme_rows = Vec::new();
        self.walk(&self.entities(), 0, &mut sink, &mut theme_rows);
        let themes = theme_rows
            .into_iter()
            .map(|t| self.theme_result(t))
            .collect();
        Ok(Evaluation {
            results: sink.0,
            themes,
            rejected: self.data.rejected().to_vec(),
            input_rows: self.data.input_rows(),
        })
    }

    fn run_statuses(self, threads: usize) -> Result<StatusTable, DataError> {
        let entities = self.entities();
        // Contiguous runs of entities with about the same number of rows:
        // entities are independent (each rolls up its own themes), and
        // their results concatenate in order.
        let threads = threads.clamp(1, entities.len().max(1));
        // Contiguous runs of whole entities (each rolls up its own themes,
        // and their results concatenate in order): a first share for the
        // caller's thread, then pieces of at most 65,536 rows for whichever
        // thread is free (`parallel::in_order`); smaller pieces for a small
        // batch, so that every thread asked for has some.
        let total = self.data.rows.len();
        let piece = (total / (threads * 4)).clamp(1, 65_536);
        let bounds = crate::parallel::shares(total, threads, piece);
        let mut ends = bounds.iter().map(|r| r.end).peekable();
        let mut parts: Vec<Part<'_>> = Vec::new();
        let (mut start, mut rows) = (0, 0);
        for (i, (_, range)) in entities.iter().enumerate() {
            rows += range.len();
            if ends.peek().is_some_and(|&end| rows >= end) && i + 1 < entities.len() {
                parts.push((start, entities.get(start..=i).unwrap_or(&[])));
                start = i + 1;
                while ends.peek().is_some_and(|&end| rows >= end) {
                    ends.next();
                }
            }
        }
        parts.push((start, entities.get(start..).unwrap_or(&[])));
        // Result rows are allocated here, on the caller's thread (an
        // allocator with per-thread heaps then reuses them call after
        // call); the first part's holds every part's, so the others are
        // appended to it, not all copied into a third.
        let mut work = parts.into_iter().enumerate().map(|(i, part)| {
            let rows = match i {
                0 => self.data.rows.len(),
                _ => part.1.iter().map(|(_, r)| r.len()).sum(),
            };
            (part, Vec::with_capacity(rows))
        });
        let judge = |((first, part), rows): (Part<'_>, Vec<StatusRow>)| {
            let mut sink = StatusRows(rows);
            let mut theme_rows = Vec::new();
            self.walk(part, first, &mut sink, &mut theme_rows);
            (sink.0, theme_rows)
        };
        let failed = || DataError {
            message: "a thread judging the statuses failed".into(),
            row: None,
            column: None,
        };
        let first = work.next().ok_or_else(failed)?;
        let (results, theme_rows) = crate::parallel::in_order(
            first,
            work.collect(),
            threads,
            judge,
            |(results, themes), (more, more_themes)| {
                results.extend(more);
                themes.extend(more_themes);
            },
        )
        .ok_or_else(failed)?;
        let entities: Vec<String> = entities.into_iter().map(|(name, _)| name).collect();
        let themes = theme_rows
            .into_iter()
            .map(|t| ThemeStatusRow {
                entity: t.entity_ix,
                theme: t.theme as u32,
                period: t.period,
                status: t.given,
                computed_status: t.computed,
            })
            .collect();
        Ok(StatusTable {
            entities,
            results,
            themes,
            rejected: self.data.rejected().to_vec(),
            input_rows: self.data.input_rows(),
        })
    }

    fn build_timeline(&self, rows: &[crate::observations::Obs], t: &mut Timeline) {
        t.slots.clear();
        t.comparators.clear();
        // One indicator's rows: its decimals, looked up once.
        let decimals = rows
            .first()
            .and_then(|o| self.sc.indicators.get(o.indicator as usize))
            .and_then(|i| i.decimals);
        for o in rows {
            if t.slots.last().map(|s| s.period) != Some(o.period) {
                let at = t.comparators.len() as u32;
                t.slots.push(Slot {
                    period: o.period,
                    actual: None,
                    ratio: None,
                    value: None,
                    target: None,
                    comps: (at, at),
                });
            }
            let Some(slot) = t.slots.last_mut() else {
                continue;
            };
            // Rounded to the indicator's decimals (actual values), or
            // brought to that scale (targets and comparators).
            let reading = o.reading_at(decimals);
            match o.series {
                ACTUAL => {
                    slot.actual = Some(reading);
                    slot.ratio = self.data.ratio(o);
                    if let Reading::Value(v) = reading {
                        slot.value = Some(v);
                    }
                }
                TARGET => {
                    if let Reading::Value(v) = reading {
                        slot.target = Some(v);
                    }
                }
                series => {
                    if let Reading::Value(v) = reading {
                        t.comparators.push((series, v));
                        slot.comps.1 = t.comparators.len() as u32;
                    }
                }
            }
        }
    }

    fn periods_for(&self, entity: &str, ix: usize, t: &Timeline) -> Vec<Period> {
        if let Some(p) = self.period {
            return vec![p];
        }
        let mut periods: Vec<Period> = t.slots.iter().map(|s| s.period).collect();
        if !self.overrides.is_empty() {
            let target = OverrideTarget::Indicator(self.sc.indicators[ix].id.clone());
            for (e, tgt, p) in self.overrides.keys() {
                if *tgt == target
                    && e.as_deref().is_none_or(|e| e == entity)
                    && !periods.contains(p)
                {
                    periods.push(*p);
                }
            }
            periods.sort();
        }
        periods
    }

    fn override_for(
        &self,
        entity: &str,
        target: impl FnOnce() -> OverrideTarget,
        period: Period,
    ) -> Option<&OverrideNote> {
        if self.overrides.is_empty() {
            return None;
        }
        let target = target();
        self.overrides
            .get(&(Some(entity.to_string()), target.clone(), period))
            .or_else(|| self.overrides.get(&(None, target, period)))
    }

    /// The comparator values at a slot: data series first, then constants.
    fn comparators_at(
        &self,
        ix: usize,
        indicator: &Indicator,
        t: &Timeline,
        slot: Option<&Slot>,
    ) -> ComparatorValues {
        let from_data = slot.is_some_and(|s| s.comps.0 < s.comps.1);
        if !from_data {
            if let Some(shared) = self.constant_comparators.get(ix) {
                return shared.clone();
            }
        }
        let mut out: Vec<(Arc<str>, Decimal)> = Vec::new();
        if let Some(s) = slot {
            for &(series, v) in t
                .comparators
                .get(s.comps.0 as usize..s.comps.1 as usize)
                .unwrap_or(&[])
            {
                if let Some(name) = self.series_names.get(series as usize) {
                    out.push((name.clone(), v));
                }
            }
        }
        for &(cix, v) in &indicator.comparators {
            let name = self
                .sc
                .comparator_names
                .get(cix)
                .map(String::as_str)
                .unwrap_or("");
            if !out.iter().any(|(n, _)| &**n == name) {
                out.push((Arc::from(name), v));
            }
        }
        // In the scorecard's comparator order, then by name: data series
        // arrive in row order, and results must not depend on it (DESIGN.md 5).
        let declared = |name: &str| {
            self.sc
                .comparator_names
                .iter()
                .position(|n| n == name)
                .unwrap_or(usize::MAX)
        };
        out.sort_by(|(a, _), (b, _)| declared(a).cmp(&declared(b)).then_with(|| a.cmp(b)));
        out.into()
    }

    /// Judges one indicator for one entity and period: the shared core of
    /// the rich results and the status table.
    fn judge(&self, u: &Unit<'_>) -> Judgement {
        let (indicator, t, period) = (u.indicator, u.t, u.period);
        let (slot, previous) = match u.slot {
            Some(i) => t.at(i, period),
            None => t.slot_and_previous(period),
        };
        let value = slot.and_then(|s| s.value);
        let target = slot
            .and_then(|s| s.target)
            .map(|v| TargetValue::Value(v.into()))
            .or_else(|| indicator.target_at(&period));
        let gap = match (value, target) {
            (Some(v), Some(tv)) => gap(indicator.polarity, v, tv),
            _ => None,
        };
        let mut env = IndicatorEnv {
            ev: self,
            indicator,
            t,
            period,
            now: Now {
                value,
                target,
                gap,
                previous,
            },
            spc: None,
        };
        if indicator.spc.is_some() {
            env.spc = env.spc_state();
        }
        let absent_reason = match slot.and_then(|s| s.actual) {
            Some(Reading::ZeroDenominator) => Some(NoDataReason::ZeroDenominator),
            Some(Reading::Value(_)) => None,
            _ => Some(NoDataReason::NoValue),
        };
        let mut trace = self.explain.then(Trace::default);
        let mut no_data_reason = None;
        let computed: Option<StatusIx> =
            indicator
                .rule
                .as_ref()
                .map(|rule| match (absent_reason, value) {
                    (absent, None) | (absent @ Some(_), _) => {
                        if let Some(tr) = trace.as_mut() {
                            tr.rule = "missing".into();
                        }
                        match indicator.missing {
                            Some(s) => s,
                            None => {
                                no_data_reason = Some(absent.unwrap_or(NoDataReason::NoValue));
                                self.sc.no_data_index()
                            }
                        }
                    }
                    (None, Some(v)) => {
                        let (status, reason) =
                            self.apply_rule(rule, indicator, &env, v, target, gap, trace.as_mut());
                        no_data_reason = reason;
                        status
                    }
                });
        let overridden = computed
            .and(self.override_for(
                u.entity_name,
                || OverrideTarget::Indicator(indicator.id.clone()),
                period,
            ))
            .cloned();
        let given = match (&overridden, computed) {
            (Some(o), Some(_)) => self.sc.status_index(&o.status),
            (_, c) => c,
        };
        Judgement {
            value,
            target,
            gap,
            previous,
            computed,
            given,
            overridden,
            direction: direction(indicator.polarity, value, previous),
            no_data_reason,
            spc: env.spc.map(Box::new),
            trace: trace.map(Box::new),
        }
    }

    fn status_name(&self, ix: Option<StatusIx>) -> Option<Arc<str>> {
        ix.map(|s| {
            self.status_ids
                .get(s as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from("no_data"))
        })
    }

    /// The rich result: the judgement with names, comparators and the explanation.
    fn indicator_result(&self, u: &Unit<'_>, j: Judgement) -> IndicatorResult {
        let slot = match u.slot {
            Some(i) => u.t.slots.get(i),
            None => u.t.slot(u.period),
        };
        let last_year = u
            .period
            .last_year()
            .and_then(|p| u.t.slot(p))
            .and_then(|s| s.value);
        let ratio = slot.and_then(|s| s.ratio);
        let mut result = IndicatorResult {
            entity: u.entity.clone(),
            indicator: self
                .indicator_ids
                .get(u.ix)
                .cloned()
                .unwrap_or_else(|| Arc::from(u.indicator.id.as_str())),
            period: u.period,
            value: j.value,
            target: j.target,
            gap: j.gap,
            comparators: self.comparators_at(u.ix, u.indicator, u.t, slot),
            previous: j.previous,
            last_year,
            numerator: ratio.map(|r| r.0),
            denominator: ratio.map(|r| r.1),
            status: self.status_name(j.given),
            computed_status: self.status_name(j.computed),
            overridden: j.overridden,
            label: j.given.map(|s| {
                self.status_labels
                    .get(s as usize)
                    .cloned()
                    .unwrap_or_else(|| Arc::from("No data"))
            }),
            direction: j.direction,
            no_data_reason: j.no_data_reason,
            explanation: String::new(),
            trace: Trace::default(),
            // Boxed: most results have no SPC, and the state is ~130 bytes
            // (the 1M-result batch stays under 1 GB with explanations).
            spc: j.spc,
            indicator_ix: u.ix as u32,
            given_ix: j.given,
        };
        if let Some(mut trace) = j.trace.map(|b| *b) {
            if trace.rule.is_empty() {
                trace.rule = "none".into();
            }
            result.trace = trace;
            let mut explanation = explain::indicator(self.sc, u.indicator, &result);
            // One explanation per result: spare capacity adds up (~60 MB
            // over a million results).
            explanation.shrink_to_fit();
            result.explanation = explanation;
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_rule(
        &self,
        rule: &Rule,
        indicator: &Indicator,
        env: &IndicatorEnv<'_>,
        value: Decimal,
        target: Option<TargetValue>,
        gap: Option<Decimal>,
        trace: Option<&mut Trace>,
    ) -> (StatusIx, Option<NoDataReason>) {
        let no_data = self.sc.no_data_index();
        let named = |id: &str| match id {
            "green" => self.lights[0],
            "amber" => self.lights[1],
            "red" => self.lights[2],
            _ => self.lights[3],
        };
        let tolerance_rule = |gap: Decimal,
                              reference: Decimal,
                              amber: Tolerance,
                              blue: Option<Tolerance>|
         -> StatusIx {
            if let Some(b) = blue {
                if compare(gap, b.in_units(reference)).is_ge() {
                    return named("blue");
                }
            }
            // A sign test, not a comparison: rust_decimal compares by rescaling.
            if !gap.is_sign_negative() || gap.is_zero() {
                named("green")
            } else if compare(gap, -amber.in_units(reference)).is_ge() {
                named("amber")
            } else {
                named("red")
            }
        };
        let mut trace = trace;
        match rule {
            Rule::Target { amber, blue } => {
                if let Some(trace) = trace.as_mut() {
                    trace.rule = "target".into();
                    trace.operands = vec![
                        ("value".into(), Some(value)),
                        ("target".into(), target.map(|t| reference(t, value))),
                        ("gap".into(), gap),
                    ];
                }
                match (target, gap) {
                    (Some(t), Some(g)) => {
                        (tolerance_rule(g, reference(t, value), *amber, *blue), None)
                    }
                    (Some(_), None) => (no_data, Some(NoDataReason::GapOutOfRange)),
                    (None, _) => (no_data, Some(NoDataReason::NoTarget)),
                }
            }
            Rule::Comparator {
                against,
                amber,
                blue,
            } => {
                let name = self
                    .sc
                    .comparator_names
                    .get(*against)
                    .map(String::as_str)
                    .unwrap_or("");
                let cv = env.var(Var::Comparator(*against), When::Current);
                let cgap = cv.and_then(|c| gap_fn(indicator.polarity, value, c));
                if let Some(trace) = trace.as_mut() {
                    trace.rule = "comparator".into();
                    trace.operands = vec![
                        ("value".into(), Some(value)),
                        (name.to_string(), cv),
                        ("gap".into(), cgap),
                    ];
                }
                match (cv, cgap) {
                    (Some(c), Some(g)) => (tolerance_rule(g, c, *amber, *blue), None),
                    (Some(_), None) => (no_data, Some(NoDataReason::GapOutOfRange)),
                    (None, _) => (
                        no_data,
                        Some(NoDataReason::NoComparatorValue(name.to_string())),
                    ),
                }
            }
            Rule::Bands { thresholds } => {
                if let Some(trace) = trace.as_mut() {
                    trace.rule = "bands".into();
                    trace.operands = vec![("value".into(), Some(value))];
                }
                let higher = indicator.polarity == Polarity::HigherIsBetter;
                let pos = thresholds.iter().position(|&t| {
                    let order = compare(value, t);
                    if higher {
                        order.is_ge()
                    } else {
                        order.is_le()
                    }
                });
                (pos.unwrap_or(thresholds.len()) as StatusIx, None)
            }
            Rule::Spc(map) => {
                if let Some(trace) = trace.as_mut() {
                    trace.rule = "spc".into();
                    trace.operands = vec![("value".into(), Some(value))];
                }
                match &env.spc {
                    Some(state) => match spc_status(map, state) {
                        Some(s) => (s, None),
                        None => (
                            no_data,
                            Some(NoDataReason::SpcUnmapped {
                                variation: state.variation.unwrap_or("common_cause"),
                                assurance: state.assurance,
                            }),
                        ),
                    },
                    None => (no_data, Some(NoDataReason::NoSpc)),
                }
            }
            Rule::Named(rs) => {
                let (status, clause) = run_rule_set(rs, env);
                if let Some(trace) = trace.as_mut() {
                    trace.rule = format!("rule_set:{}", rs.name);
                    trace.clause = clause.map(|c| c + 1);
                    if let Some(e) = clause.and_then(|c| rs.clauses.get(c)).map(|(_, e)| e) {
                        trace.condition = Some(e.source().to_string());
                    }
                    let mut seen: Vec<(Var, When)> = Vec::new();
                    for (_, e) in &rs.clauses {
                        for &vw in e.variables() {
                            if !seen.contains(&vw) {
                                seen.push(vw);
                                trace
                                    .operands
                                    .push((self.var_name(vw), env.var(vw.0, vw.1)));
                            }
                        }
                    }
                }
                (status, None)
            }
        }
    }

    fn var_name(&self, (var, when): (Var, When)) -> String {
        let base = match var {
            Var::Value => "value",
            Var::Target => "target",
            Var::Gap => "gap",
            Var::GapPct => "gap_pct",
            Var::Comparator(c) => self
                .sc
                .comparator_names
                .get(c)
                .map(String::as_str)
                .unwrap_or("?"),
        };
        match when {
            When::Current => base.to_string(),
            When::Previous if var == Var::Value => "previous".into(),
            When::LastYear if var == Var::Value => "last_year".into(),
            When::Previous => format!("previous({base})"),
            When::LastYear => format!("last_year({base})"),
        }
    }

    /// Rolls an entity's indicator statuses up into its themes, for every
    /// period where a theme has an indicator result or an override.
    fn roll_up(
        &self,
        entity_ix: u32,
        entity: &Option<Arc<str>>,
        entity_name: &str,
        statuses: &[(Period, u32, Option<StatusIx>)],
        out: &mut Vec<ThemeStatus>,
    ) {
        if self.sc.themes.is_empty() {
            return;
        }
        // Counts per period, theme and status, from one pass over the
        // statuses (at most one per indicator and period, as the walk gives
        // them): an indicator adds to each theme it is a member of.
        let no_data = self.sc.no_data_index();
        let n_status = self.status_ids.len();
        let n_themes = self.sc.themes.len();
        let cells = n_themes * n_status;
        let n_indicators = self.sc.indicators.len();
        let mut grid = PeriodGrid::new(n_themes, cells, n_indicators);
        let mut next = 0;
        for &(period, ix, given) in statuses.iter() {
            let p = grid.id(period, next);
            next = p + 1;
            if let Some(h) = grid.has_result.get_mut(p * n_indicators + ix as usize) {
                *h = true;
            }
            let Some(st) = given else {
                // A context indicator: no status to count, but its theme
                // has a result in this period (DESIGN.md 4).
                if let Some(t) = self.sc.indicators.get(ix as usize).and_then(|i| i.theme) {
                    grid.mark(p, t);
                }
                continue;
            };
            for &theme in self
                .themes_of
                .get(ix as usize)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                grid.mark(p, theme);
                if let Some(c) = grid
                    .counts
                    .get_mut(p * cells + theme * n_status + st as usize)
                {
                    *c += 1;
                }
            }
        }
        // A theme override is a result even where none of the theme's
        // indicators has one: a judgement must not vanish. (With a period
        // option, only that period is asked for.)
        for (e, target, period) in self.overrides.keys() {
            let OverrideTarget::Theme(id) = target else {
                continue;
            };
            let wanted = self.period.is_none_or(|p| p == *period)
                && e.as_deref().is_none_or(|e| e == entity_name);
            if !wanted {
                continue;
            }
            if let Some(t) = self.sc.themes.iter().position(|t| &t.id == id) {
                let p = grid.id(*period, 0);
                grid.mark(p, t);
            }
        }
        let PeriodGrid {
            sorted,
            counts: grid,
            present,
            has_result,
            ..
        } = grid;
        for &(period, pi) in &sorted {
            for (theme_ix, theme) in self.sc.themes.iter().enumerate() {
                let at = pi * cells + theme_ix * n_status;
                let Some(cell) = grid.get(at..at + n_status) else {
                    continue;
                };
                // A theme has a result where one of its indicators has
                // one; the members without a status count as no data.
                if !present
                    .get(pi * n_themes + theme_ix)
                    .copied()
                    .unwrap_or(false)
                {
                    continue;
                }
                // A member with no result this period counts as its
                // `missing` status, as it would with a period option (its
                // result is then missing), else as no data.
                let mut counts = cell.to_vec();
                for &m in &theme.members {
                    if !has_result
                        .get(pi * n_indicators + m)
                        .copied()
                        .unwrap_or(false)
                    {
                        let st = self
                            .sc
                            .indicators
                            .get(m)
                            .and_then(|i| i.missing)
                            .unwrap_or(no_data);
                        if let Some(c) = counts.get_mut(st as usize) {
                            *c += 1;
                        }
                    }
                }
                let ranked = counts.get(..n_status - 1).unwrap_or(&[]);
                let (computed, fired) = match &theme.rollup {
                    CompiledRollup::Worst => (
                        ranked
                            .iter()
                            .rposition(|&c| c > 0)
                            .map(|i| i as StatusIx)
                            .unwrap_or(no_data),
                        None,
                    ),
                    CompiledRollup::Majority => {
                        let max = ranked.iter().copied().max().unwrap_or(0);
                        // Ties go to the worse status: the last with the top count.
                        let top = ranked.iter().rposition(|&c| c == max && c > 0);
                        (top.map(|i| i as StatusIx).unwrap_or(no_data), None)
                    }
                    // Nothing to judge (context indicators only, or no
                    // member with data): no data, as with worst and
                    // majority, not the rule set's otherwise, which would
                    // give a status to absent data by accident.
                    CompiledRollup::RuleSet(_) if ranked.iter().all(|&c| c == 0) => (no_data, None),
                    CompiledRollup::RuleSet(rs) => {
                        let env = ThemeEnv {
                            counts: &counts,
                            total: theme.members.len(),
                        };
                        let (s, clause) = run_rule_set(rs, &env);
                        (
                            s,
                            Some((
                                rs.name.clone(),
                                clause
                                    .and_then(|c| rs.clauses.get(c))
                                    .map(|(_, e)| e.source().to_string()),
                            )),
                        )
                    }
                };
                let overridden = self
                    .override_for(
                        entity_name,
                        || OverrideTarget::Theme(theme.id.clone()),
                        period,
                    )
                    .cloned();
                let given = overridden
                    .as_ref()
                    .and_then(|o| self.sc.status_index(&o.status))
                    .unwrap_or(computed);
                out.push(ThemeStatus {
                    entity_ix,
                    entity: entity.clone(),
                    theme: theme_ix,
                    period,
                    computed,
                    given,
                    overridden,
                    counts,
                    fired,
                });
            }
        }
    }

    /// The rich theme result, with names and the explanation.
    fn theme_result(&self, t: ThemeStatus) -> ThemeResult {
        let name = |ix: StatusIx| {
            self.status_ids
                .get(ix as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from("no_data"))
        };
        let mut tr = ThemeResult {
            entity: t.entity,
            theme: Arc::from(
                self.sc
                    .themes
                    .get(t.theme)
                    .map(|th| th.id.as_str())
                    .unwrap_or(""),
            ),
            period: t.period,
            status: name(t.given),
            computed_status: name(t.computed),
            overridden: t.overridden,
            label: self
                .status_labels
                .get(t.given as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from("No data")),
            counts: self
                .status_ids
                .iter()
                .cloned()
                .zip(t.counts.iter().copied())
                .collect(),
            explanation: String::new(),
        };
        if let (true, Some(theme)) = (self.explain, self.sc.themes.get(t.theme)) {
            let fired = t.fired.as_ref().map(|(n, c)| (n.as_str(), c.as_deref()));
            tr.explanation = explain::theme(self.sc, theme, &tr, fired);
        }
        tr
    }
}

fn gap_fn(polarity: Polarity, value: Decimal, against: Decimal) -> Option<Decimal> {
    gap(polarity, value, TargetValue::Value(against.into()))
}

fn run_rule_set(rs: &CompiledRuleSet, env: &dyn Env) -> (StatusIx, Option<usize>) {
    for (i, (status, e)) in rs.clauses.iter().enumerate() {
        if e.eval(env) {
            return (*status, Some(i));
        }
    }
    (rs.otherwise, None)
}

fn spc_status(map: &SpcMap, state: &SpcState) -> Option<StatusIx> {
    let v = state.variation.unwrap_or("common_cause");
    let by_variation = if v.starts_with("concern") {
        map.concern
    } else if v.starts_with("improvement") {
        map.improvement
    } else if v.starts_with("neutral") {
        map.neutral
    } else {
        map.common_cause
    };
    let by_assurance = match state.assurance {
        Some("consistent_fail") => map.consistent_fail,
        Some("hit_and_miss") => map.hit_and_miss,
        Some("consistent_pass") => map.consistent_pass,
        _ => None,
    };
    by_variation.or(by_assurance).or(map.otherwise)
}

fn direction(polarity: Polarity, value: Option<Decimal>, previous: Option<Decimal>) -> Direction {
    let (Some(v), Some(p)) = (value, previous) else {
        return Direction::NotComparable;
    };
    match polarity {
        // A range has no better side, so not even "no change" (DESIGN.md 4).
        Polarity::Range => Direction::NotComparable,
        _ if compare(v, p).is_eq() => Direction::NoChange,
        Polarity::None => {
            if v > p {
                Direction::Up
            } else {
                Direction::Down
            }
        }
        _ => {
            if better(polarity, v, p, false) {
                Direction::Improving
            } else {
                Direction::Worsening
            }
        }
    }
}

/// The expression environment of one indicator at one period.
struct IndicatorEnv<'a> {
    ev: &'a Evaluator<'a>,
    indicator: &'a Indicator,
    t: &'a Timeline,
    period: Period,
    /// What `judge` already worked out, so rule-set conditions do not look
    /// the current period up again.
    now: Now,
    spc: Option<SpcState>,
}

/// The current period's value, target and gap, and the previous value.
#[derive(Clone, Copy)]
struct Now {
    value: Option<Decimal>,
    target: Option<TargetValue>,
    gap: Option<Decimal>,
    previous: Option<Decimal>,
}

/// The number a target stands for in an expression: a range's midpoint
/// (missing if that overflows).
fn target_number(t: TargetValue) -> Option<Decimal> {
    match t {
        TargetValue::Value(v) => Some(v.0),
        TargetValue::Range { low, high } => low.0.checked_add(high.0)?.checked_div(Decimal::TWO),
    }
}

impl IndicatorEnv<'_> {
    fn period_at(&self, when: When) -> Option<Period> {
        match when {
            When::Current => Some(self.period),
            When::Previous => self.period.previous(),
            When::LastYear => self.period.last_year(),
        }
    }

    /// Rounded values of the last `n` consecutive periods ending now (oldest first).
    fn last_values(&self, n: usize) -> Option<Vec<Decimal>> {
        let mut out = Vec::with_capacity(n);
        let mut p = Some(self.period);
        for _ in 0..n {
            let period = p?;
            out.push(self.t.slot(period)?.value?);
            p = period.previous();
        }
        out.reverse();
        Some(out)
    }

    fn spc_state(&self) -> Option<SpcState> {
        let config = self.indicator.spc.as_ref()?;
        // One kind of period a chart: months with a financial year's
        // outturn among them are not one series (as `previous` and the
        // direction keep kinds apart).
        let kind = self.period.kind();
        let points: Vec<(Period, Decimal)> = self
            .t
            .slots
            .iter()
            .filter(|s| s.period <= self.period && s.period.kind() == kind)
            .filter_map(|s| s.value.map(|v| (s.period, v)))
            .collect();
        if points.last().map(|p| p.0) != Some(self.period) {
            return None;
        }
        let values: Vec<Decimal> = points.iter().map(|p| p.1).collect();
        let starts = crate::chart::rebase_starts(&points, &config.rebase);
        let target = match self.indicator.target_at(&self.period) {
            Some(TargetValue::Value(t)) => Some(t.0),
            _ => None,
        };
        let target = self.t.slot(self.period).and_then(|s| s.target).or(target);
        let chart = spc::chart(
            &values,
            &starts,
            &config.options,
            improvement(self.indicator.polarity),
            target,
        );
        let last = chart.points.last()?;
        let segment = chart.segments.last()?;
        Some(SpcState {
            variation: chart.variation.map(|v| v.as_str()),
            assurance: chart.assurance.map(|a| a.as_str()),
            point_type: Some(last.point_type.as_str()),
            rule: last.rule.map(|r| r.as_str()),
            mean: spc::round4(segment.mean),
            lpl: segment.has_limits().then(|| spc::round4(segment.lpl)),
            upl: segment.has_limits().then(|| spc::round4(segment.upl)),
            n: segment.n,
            short: segment.short,
        })
    }
}

/// The SPC improvement direction of a polarity.
pub(crate) fn improvement(p: Polarity) -> Improvement {
    match p {
        Polarity::HigherIsBetter => Improvement::Increase,
        Polarity::LowerIsBetter => Improvement::Decrease,
        Polarity::Range | Polarity::None => Improvement::Neutral,
    }
}

impl Env for IndicatorEnv<'_> {
    fn var(&self, var: Var, when: When) -> Option<Decimal> {
        match (var, when) {
            (Var::Value, When::Current) => return self.now.value,
            (Var::Value, When::Previous) => return self.now.previous,
            (Var::Target, When::Current) => return self.now.target.and_then(target_number),
            (Var::Gap, When::Current) => return self.now.gap,
            _ => {}
        }
        let period = self.period_at(when)?;
        let slot = self.t.slot(period);
        let value = || slot.and_then(|s| s.value);
        let target = || {
            slot.and_then(|s| s.target)
                .map(|v| TargetValue::Value(v.into()))
                .or_else(|| self.indicator.target_at(&period))
        };
        match var {
            Var::Value => value(),
            Var::Target => target().and_then(target_number),
            Var::Gap => gap(self.indicator.polarity, value()?, target()?),
            Var::GapPct => {
                let (v, t) = (value()?, target()?);
                gap_pct(gap(self.indicator.polarity, v, t)?, reference(t, v))
            }
            Var::Comparator(c) => {
                let name = self.ev.sc.comparator_names.get(c)?;
                if let Some(s) = slot {
                    for &(series, v) in self
                        .t
                        .comparators
                        .get(s.comps.0 as usize..s.comps.1 as usize)
                        .unwrap_or(&[])
                    {
                        if self
                            .ev
                            .series_comparator
                            .get(series as usize)
                            .copied()
                            .flatten()
                            == Some(c)
                        {
                            return Some(v);
                        }
                    }
                }
                let _ = name;
                self.indicator
                    .comparators
                    .iter()
                    .find(|(ix, _)| *ix == c)
                    .map(|(_, v)| *v)
            }
        }
    }

    fn polarity(&self) -> Polarity {
        self.indicator.polarity
    }

    fn mean_last(&self, n: usize) -> Option<Decimal> {
        let values = self.last_values(n)?;
        let sum = values
            .iter()
            .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))?;
        sum.checked_div(Decimal::from(values.len()))
    }

    fn worse_for(&self, n: usize) -> Option<bool> {
        let values = self.last_values(n + 1)?;
        let p = self.indicator.polarity;
        Some(values.windows(2).all(|w| better(p, w[0], w[1], false)))
    }

    fn trend(&self, n: usize) -> Option<&'static str> {
        let values = self.last_values(n)?;
        // Sign of the least-squares slope: sum (x - x̄)(y - ȳ) with x = 0..n.
        let len = Decimal::from(values.len());
        let mean_x = Decimal::from(values.len().saturating_sub(1)).checked_div(Decimal::TWO)?;
        let mean_y = values
            .iter()
            .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))?
            .checked_div(len)?;
        let mut s = Decimal::ZERO;
        for (i, y) in values.iter().enumerate() {
            let dx = Decimal::from(i).checked_sub(mean_x)?;
            s = s.checked_add(dx.checked_mul(y.checked_sub(mean_y)?)?)?;
        }
        let up = s > Decimal::ZERO;
        Some(if s.is_zero() {
            "no_change"
        } else {
            match self.indicator.polarity {
                Polarity::HigherIsBetter => {
                    if up {
                        "improving"
                    } else {
                        "worsening"
                    }
                }
                Polarity::LowerIsBetter => {
                    if up {
                        "worsening"
                    } else {
                        "improving"
                    }
                }
                _ => {
                    if up {
                        "up"
                    } else {
                        "down"
                    }
                }
            }
        })
    }

    fn variation(&self) -> Option<&'static str> {
        self.spc.as_ref().and_then(|s| s.variation)
    }

    fn assurance(&self) -> Option<&'static str> {
        self.spc.as_ref().and_then(|s| s.assurance)
    }
}

/// The expression environment of a theme roll-up.
struct ThemeEnv<'a> {
    counts: &'a [usize],
    total: usize,
}

impl Env for ThemeEnv<'_> {
    fn var(&self, _: Var, _: When) -> Option<Decimal> {
        None
    }
    fn polarity(&self) -> Polarity {
        Polarity::None
    }
    // History and SPC functions keep the trait's defaults (missing): a
    // theme rule set cannot name them.
    fn count(&self, status: usize) -> Decimal {
        Decimal::from(self.counts.get(status).copied().unwrap_or(0))
    }
    fn total(&self) -> Decimal {
        Decimal::from(self.total)
    }
}

/// Evaluates an expression's value in an indicator environment, for tests
/// and tools; returns `Value::Missing` when the indicator has no data.
pub(crate) fn _value_of(_: &Value) {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The general path of [`round_value`].
    fn rounded_by_rust_decimal(v: Decimal, d: u32) -> Decimal {
        let mut r = v.round_dp_with_strategy(d, RoundingStrategy::MidpointAwayFromZero);
        r.rescale(d);
        r
    }

    proptest! {
        #[test]
        fn integer_rounding_matches_rust_decimal(m in any::<i64>(), small in -2_000_000i64..2_000_000, scale in 0u32..28, d in 0u32..10) {
            for mantissa in [m, small] {
                let v = Decimal::new(mantissa, scale);
                if let Some(r) = round_small(v, d) {
                    let want = rounded_by_rust_decimal(v, d);
                    prop_assert_eq!((r, r.scale(), r.to_string()), (want, want.scale(), want.to_string()), "{} to {}", v, d);
                }
            }
        }
    }

    #[test]
    fn integer_rounding_edges() {
        let r = |t: &str, d| round_value(t.parse().unwrap_or_default(), Some(d)).to_string();
        assert_eq!(r("84.95", 1), "85.0");
        assert_eq!(r("-84.95", 1), "-85.0");
        assert_eq!(r("84.949", 1), "84.9");
        assert_eq!(r("-0.04", 1), "0.0");
        assert_eq!(r("7", 2), "7.00");
    }
}

//! Statistical process control: an XmR chart following NHS England's "Making
//! Data Count" rules as implemented by the R package NHSRplotthedots 0.2.2
//! (DESIGN.md section 6, domain/README.md section 4).
//!
//! Everything is computed in [`Decimal`], so limits agree with the R package
//! (which uses doubles) to four decimal places and comparisons are exact.
//!
//! Semantics taken from the R sources of 0.2.2 (file names in brackets):
//!
//! * Limits per segment (`ptd_spc_standard.R`): mean of the baseline values;
//!   moving ranges `|x_i - x_(i-1)|` of consecutive baseline points of the same
//!   segment; AMR = their mean. Screening keeps a moving range only when it is
//!   strictly below `3.267 × AMR` (so one equal to it is dropped), once, then
//!   recomputes the AMR. `lpl/upl = mean ∓ 2.66 × AMR`; the near-limit lines
//!   are `mean ∓ 2 × (2.66 / 3) × AMR`. With `fix_after_n_points = n` the
//!   baseline is the first n points of the segment (mean and moving ranges),
//!   and the limits apply to every point of it.
//! * A point is outside when strictly above the UPL or strictly below the LPL;
//!   it is "close" when not outside and strictly beyond a near-limit line.
//! * Rules (`ptd_calculate_point_type.R`), evaluated per segment, first match
//!   wins: outside the limits; part of a trend (a run of 7 points each strictly
//!   above / below the previous one; every point of the run is flagged);
//!   part of two-in-three (a window of three consecutive points with at least
//!   two close points and all three strictly on the same side of the mean;
//!   only the close points of such a window are flagged); part of a shift
//!   (7 consecutive points strictly on the same side of the mean).
//! * A trend point's direction is that of the run it is part of; a point in
//!   both a rising and a falling run (a peak or trough, ending one and
//!   starting the other) takes the direction of the step to the next point,
//!   as `ptd_special_cause_type` does.
//! * Assurance (`ptd_calculate_assurance_type.R`) uses the limits on the last
//!   row: target strictly above UPL, strictly below LPL, otherwise
//!   "inconsistent" (here `hit_and_miss`).
//! * Short groups (`ptd_add_short_group_warnings.R`): the R code's threshold
//!   is 13 (12 points are still "trial"), but its own message, the domain
//!   notes and our contract say fewer than 12; we follow the contract (see
//!   [`SHORT_SEGMENT_THRESHOLD`]).
//!
//! * Where R's limits are NA (a segment of one point, which has no moving
//!   range, or one whose baseline values are all equal, whose ranges, all 0,
//!   are screened away by `0 < 0`), [`Segment::has_limits`] is false: the
//!   limit fields hold the mean and the chart JSON prints them as null, no
//!   point is outside or close to them (R's NA comparisons), trends and
//!   shifts are still judged (`NA | TRUE` is true in R), and when it is the
//!   last segment assurance is hit and miss (R compares the target with NA
//!   limits, false both ways: "inconsistent").
//!
//! Where we deliberately differ from R (it would produce NaN or an error):
//!
//! * `fix_after` below 12 is an error in R; here it is ignored with a warning.
//! * R labels every trend point followed by another trend point by the step
//!   to that point, so the last point of a run directly followed by a
//!   separate run in the same direction (`10 … 16 15 16 … 21`) gets the
//!   opposite direction; here it keeps the direction of its own run.
//! * Run lengths are options (`shift`, `trend`; R hard-codes 7), and
//!   `two_of_three_beyond_limits` (not in R 0.2.2) lets outside points count
//!   as close.
//! * Exact decimal arithmetic instead of doubles: a value exactly on a line
//!   (e.g. the near limit, `2 × (2.66 / 3)` in R's doubles) compares as equal
//!   here, where R may land a rounding error either side.
//!
//! ```
//! use ragulator::spc::{chart, ChartOptions, Improvement, PointType};
//! use rust_decimal::Decimal;
//!
//! let values: Vec<Decimal> = [5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6, 30]
//!     .into_iter()
//!     .map(Decimal::from)
//!     .collect();
//! let c = chart(&values, &[], &ChartOptions::default(), Improvement::Increase, None);
//! assert_eq!(c.points[12].point_type, PointType::SpecialCauseImprovement);
//! ```

use std::cmp::Ordering;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::model::SpcOptions;

/// A segment with fewer points than this has trial limits.
///
/// NHSRplotthedots 0.2.2 (`ptd_add_short_group_warnings.R`) defaults its
/// `warning_threshold` to 13, so 12 points are still "short" there; its
/// warning text, the domain notes and ragulator's contract say "fewer than
/// 12 points", which is what we do.
pub const SHORT_SEGMENT_THRESHOLD: usize = 12;

/// A segment needs this many points for a moving range, hence limits.
pub(crate) const MIN_POINTS_FOR_LIMITS: usize = 2;

/// The smallest `fix_after` NHSRplotthedots accepts (`ptd_spc_options.R`).
const MIN_FIX_AFTER: usize = 12;

/// The direction in which the measure improves (the indicator's polarity).
///
/// ```
/// use ragulator::spc::Improvement;
/// assert_eq!(Improvement::Decrease.as_str(), "decrease");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Improvement {
    /// Higher is better.
    Increase,
    /// Lower is better.
    Decrease,
    /// Neither direction is better.
    Neutral,
}

impl Improvement {
    /// The lower-case name, as NHSRplotthedots spells `improvement_direction`.
    ///
    /// ```
    /// use ragulator::spc::Improvement;
    /// assert_eq!(Improvement::Neutral.as_str(), "neutral");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Improvement::Increase => "increase",
            Improvement::Decrease => "decrease",
            Improvement::Neutral => "neutral",
        }
    }
}

/// Options of one chart, resolved from an indicator's `spc = { ... }`.
///
/// ```
/// use ragulator::spc::ChartOptions;
/// let o = ChartOptions::default();
/// assert!(o.screen_outliers);
/// assert_eq!((o.fix_after, o.shift, o.trend), (None, 7, 7));
/// assert!(!o.two_of_three_beyond_limits);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartOptions {
    /// Drop moving ranges of 3.267 × AMR or more before computing the limits.
    pub screen_outliers: bool,
    /// Compute each segment's limits from its first n points (n >= 12; smaller
    /// values are ignored with a warning, as R rejects them).
    pub fix_after: Option<usize>,
    /// Run length of a shift; 0 disables the rule.
    pub shift: usize,
    /// Run length of a trend; below 2 disables the rule (a trend needs a step).
    pub trend: usize,
    /// Let points beyond the process limits count towards two-of-three.
    pub two_of_three_beyond_limits: bool,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            screen_outliers: true,
            fix_after: None,
            shift: 7,
            trend: 7,
            two_of_three_beyond_limits: false,
        }
    }
}

impl ChartOptions {
    /// Resolve the scorecard's options, filling in the defaults
    /// (screening on, no fixed baseline, runs of 7, two-of-three within limits).
    /// `rebase` periods are resolved to indices by the caller.
    ///
    /// ```
    /// use ragulator::model::SpcOptions;
    /// use ragulator::spc::ChartOptions;
    /// let spec = SpcOptions { shift: Some(8), fix_after: Some(12), ..SpcOptions::default() };
    /// let o = ChartOptions::from_spec(&spec);
    /// assert_eq!((o.shift, o.trend, o.fix_after), (8, 7, Some(12)));
    /// ```
    pub fn from_spec(spec: &SpcOptions) -> ChartOptions {
        let defaults = ChartOptions::default();
        // u32 always fits usize on the supported targets; saturate otherwise.
        let to_usize = |v: u32| usize::try_from(v).unwrap_or(usize::MAX);
        ChartOptions {
            screen_outliers: spec.screen_outliers.unwrap_or(defaults.screen_outliers),
            fix_after: spec.fix_after.map(to_usize),
            shift: spec.shift.map_or(defaults.shift, to_usize),
            trend: spec.trend.map_or(defaults.trend, to_usize),
            two_of_three_beyond_limits: spec
                .two_of_three_beyond_limits
                .unwrap_or(defaults.two_of_three_beyond_limits),
        }
    }
}

/// One segment of the chart (the whole series, or the part after a rebase).
///
/// ```
/// use ragulator::spc::{chart, ChartOptions, Improvement};
/// use rust_decimal::Decimal;
/// let v: Vec<Decimal> = [1, 3, 1, 3].into_iter().map(Decimal::from).collect();
/// let c = chart(&v, &[], &ChartOptions::default(), Improvement::Neutral, None);
/// let s = &c.segments[0];
/// assert_eq!((s.start, s.n, s.short), (0, 4, true));
/// assert_eq!((s.mean, s.amr), (Decimal::from(2), Decimal::from(2)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Index of the segment's first point.
    pub start: usize,
    /// Number of points in the segment.
    pub n: usize,
    /// Mean of the baseline points (the centre line).
    pub mean: Decimal,
    /// Average moving range of the baseline after screening.
    pub amr: Decimal,
    /// Lower process limit, mean - 2.66 × AMR (the mean when
    /// [`Segment::has_limits`] is false).
    pub lpl: Decimal,
    /// Upper process limit, mean + 2.66 × AMR (the mean when
    /// [`Segment::has_limits`] is false).
    pub upl: Decimal,
    /// Lower near-limit line, mean - (2/3 × 2.66) × AMR (the mean when
    /// [`Segment::has_limits`] is false).
    pub near_lower: Decimal,
    /// Upper near-limit line, mean + (2/3 × 2.66) × AMR (the mean when
    /// [`Segment::has_limits`] is false).
    pub near_upper: Decimal,
    /// Fewer than [`SHORT_SEGMENT_THRESHOLD`] points: trial limits.
    pub short: bool,
    /// See [`Segment::has_limits`].
    #[serde(skip)]
    limits: bool,
}

impl Segment {
    /// Whether the segment has process limits: it needs a moving range
    /// left after screening. A single point has none, nor a baseline whose
    /// values are all equal (its ranges, all 0, are screened away by
    /// `0 < 3.267 × 0`); NHSRplotthedots gives NA limits for both. The limit
    /// fields then hold the mean and mean nothing: no point is outside or
    /// close to them, and assurance is hit and miss.
    ///
    /// ```
    /// use ragulator::spc::{chart, ChartOptions, Improvement};
    /// use rust_decimal::Decimal;
    /// let c = |v: &[i64]| {
    ///     let v: Vec<Decimal> = v.iter().map(|&x| Decimal::from(x)).collect();
    ///     chart(&v, &[], &ChartOptions::default(), Improvement::Increase, None)
    /// };
    /// assert!(!c(&[4]).segments[0].has_limits());
    /// assert!(c(&[4, 5]).segments[0].has_limits());
    /// assert!(!c(&[4, 4, 4]).segments[0].has_limits());
    /// ```
    pub fn has_limits(&self) -> bool {
        self.limits
    }
}

/// The special-cause rule that flagged a point.
///
/// ```
/// use ragulator::spc::SignalRule;
/// assert_eq!(SignalRule::TwoOfThreeBelow.as_str(), "two_of_three_below");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalRule {
    /// Strictly above the upper process limit.
    AboveUpl,
    /// Strictly below the lower process limit.
    BelowLpl,
    /// Part of a run of strictly increasing points.
    TrendUp,
    /// Part of a run of strictly decreasing points.
    TrendDown,
    /// Two of three consecutive points in the upper near-limit band.
    TwoOfThreeAbove,
    /// Two of three consecutive points in the lower near-limit band.
    TwoOfThreeBelow,
    /// Part of a run of points strictly above the mean.
    ShiftAbove,
    /// Part of a run of points strictly below the mean.
    ShiftBelow,
}

impl SignalRule {
    /// The snake_case name used in JSON output.
    ///
    /// ```
    /// use ragulator::spc::SignalRule;
    /// assert_eq!(SignalRule::AboveUpl.as_str(), "above_upl");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SignalRule::AboveUpl => "above_upl",
            SignalRule::BelowLpl => "below_lpl",
            SignalRule::TrendUp => "trend_up",
            SignalRule::TrendDown => "trend_down",
            SignalRule::TwoOfThreeAbove => "two_of_three_above",
            SignalRule::TwoOfThreeBelow => "two_of_three_below",
            SignalRule::ShiftAbove => "shift_above",
            SignalRule::ShiftBelow => "shift_below",
        }
    }

    /// Whether the signal is on the high side (above / increasing); R's
    /// `ptd_point_type` matches "Above|Increasing" for +1, else -1.
    fn is_high(self) -> bool {
        matches!(
            self,
            SignalRule::AboveUpl
                | SignalRule::TrendUp
                | SignalRule::TwoOfThreeAbove
                | SignalRule::ShiftAbove
        )
    }
}

/// Classification of one point.
///
/// ```
/// use ragulator::spc::PointType;
/// assert_eq!(PointType::SpecialCauseNeutralLow.as_str(), "special_cause_neutral_low");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointType {
    /// No rule fired.
    CommonCause,
    /// A signal on the improving side.
    SpecialCauseImprovement,
    /// A signal on the deteriorating side.
    SpecialCauseConcern,
    /// A high-side signal without an improvement direction.
    SpecialCauseNeutralHigh,
    /// A low-side signal without an improvement direction.
    SpecialCauseNeutralLow,
}

impl PointType {
    /// The snake_case name used in JSON output.
    ///
    /// ```
    /// use ragulator::spc::PointType;
    /// assert_eq!(PointType::CommonCause.as_str(), "common_cause");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            PointType::CommonCause => "common_cause",
            PointType::SpecialCauseImprovement => "special_cause_improvement",
            PointType::SpecialCauseConcern => "special_cause_concern",
            PointType::SpecialCauseNeutralHigh => "special_cause_neutral_high",
            PointType::SpecialCauseNeutralLow => "special_cause_neutral_low",
        }
    }
}

/// The variation icon: the classification of the last point.
///
/// ```
/// use ragulator::spc::Variation;
/// assert_eq!(Variation::ImprovementLow.as_str(), "improvement_low");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variation {
    /// The last point is common cause.
    CommonCause,
    /// Improvement, high side (higher is better).
    ImprovementHigh,
    /// Improvement, low side (lower is better).
    ImprovementLow,
    /// Concern, high side (lower is better).
    ConcernHigh,
    /// Concern, low side (higher is better).
    ConcernLow,
    /// High-side signal without a direction.
    NeutralHigh,
    /// Low-side signal without a direction.
    NeutralLow,
}

impl Variation {
    /// The snake_case name used in JSON output.
    ///
    /// ```
    /// use ragulator::spc::Variation;
    /// assert_eq!(Variation::ConcernHigh.as_str(), "concern_high");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Variation::CommonCause => "common_cause",
            Variation::ImprovementHigh => "improvement_high",
            Variation::ImprovementLow => "improvement_low",
            Variation::ConcernHigh => "concern_high",
            Variation::ConcernLow => "concern_low",
            Variation::NeutralHigh => "neutral_high",
            Variation::NeutralLow => "neutral_low",
        }
    }
}

/// The assurance icon: can the process be relied on to meet the target?
///
/// ```
/// use ragulator::spc::Assurance;
/// assert_eq!(Assurance::HitAndMiss.as_str(), "hit_and_miss");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    /// The whole process range meets the target.
    ConsistentPass,
    /// The whole process range misses the target.
    ConsistentFail,
    /// The target lies within the limits (R: "inconsistent").
    HitAndMiss,
}

impl Assurance {
    /// The snake_case name used in JSON output.
    ///
    /// ```
    /// use ragulator::spc::Assurance;
    /// assert_eq!(Assurance::ConsistentPass.as_str(), "consistent_pass");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Assurance::ConsistentPass => "consistent_pass",
            Assurance::ConsistentFail => "consistent_fail",
            Assurance::HitAndMiss => "hit_and_miss",
        }
    }
}

/// The verdict on one point.
///
/// ```
/// use ragulator::spc::{PointSignal, PointType};
/// let p = PointSignal { rule: None, point_type: PointType::CommonCause };
/// assert!(p.rule.is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PointSignal {
    /// The rule that fired (the first in precedence), if any.
    pub rule: Option<SignalRule>,
    /// The classification against the improvement direction.
    pub point_type: PointType,
}

/// A complete XmR chart.
///
/// ```
/// use ragulator::spc::{chart, ChartOptions, Improvement};
/// let c = chart(&[], &[], &ChartOptions::default(), Improvement::Increase, None);
/// assert!(c.segments.is_empty() && c.points.is_empty());
/// assert_eq!((c.variation, c.assurance), (None, None));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Chart {
    /// The segments in order; together they cover every point.
    pub segments: Vec<Segment>,
    /// One verdict per input value.
    pub points: Vec<PointSignal>,
    /// The last point's classification; `None` for an empty series.
    pub variation: Option<Variation>,
    /// `None` without a target, without a direction, or without points.
    pub assurance: Option<Assurance>,
    /// Human-readable notes (trial limits, ignored options, overflow).
    pub warnings: Vec<String>,
}

/// Round half away from zero to 4 decimal places, for printing limits:
/// always four, so a mean of 49.6 prints as `49.6000` whatever scale the
/// arithmetic left it at (DESIGN.md 6 prints `"mean": "87.1667"`).
///
/// ```
/// use ragulator::spc::round4;
/// use rust_decimal::Decimal;
/// let d: Decimal = "26.67190476".parse().unwrap();
/// assert_eq!(round4(d).to_string(), "26.6719");
/// assert_eq!(round4("-0.00005".parse().unwrap()).to_string(), "-0.0001");
/// assert_eq!(round4("49.60".parse().unwrap()).to_string(), "49.6000");
/// assert_eq!(round4("50".parse().unwrap()).to_string(), "50.0000");
/// ```
pub fn round4(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(4);
    r
}

/// Build the XmR chart of `values`.
///
/// `segment_starts` are the indices where a rebase starts a new segment; 0 is
/// implied, and duplicates, unsorted entries and 0 are tolerated, while
/// indices past the end are ignored with a warning. `target` feeds the
/// assurance icon. The function never panics: a segment of one point has no
/// limits ([`Segment::has_limits`]; its point is common cause, and assurance
/// is hit and miss when it is the last segment), all values equal give an AMR
/// of 0, and arithmetic overflow on huge values saturates with a warning.
///
/// ```
/// use ragulator::spc::{chart, round4, Assurance, ChartOptions, Improvement, SignalRule, Variation};
/// use rust_decimal::Decimal;
///
/// let values: Vec<Decimal> = "22 21 23 22 20 24 22 21 23 22 25 24 23 22 21 20 19 18 26.5 27 22"
///     .split(' ')
///     .map(|s| s.parse().unwrap())
///     .collect();
/// let c = chart(&values, &[], &ChartOptions::default(), Improvement::Decrease, Some(Decimal::from(20)));
/// assert_eq!(round4(c.segments[0].upl).to_string(), "26.6719");
/// assert_eq!(c.points[19].rule, Some(SignalRule::AboveUpl));
/// assert_eq!(c.variation, Some(Variation::CommonCause));
/// assert_eq!(c.assurance, Some(Assurance::HitAndMiss));
/// ```
pub fn chart(
    values: &[Decimal],
    segment_starts: &[usize],
    options: &ChartOptions,
    improvement: Improvement,
    target: Option<Decimal>,
) -> Chart {
    let mut warnings = Vec::new();
    let bounds = segment_bounds(values.len(), segment_starts, &mut warnings);

    // R validates fix_after_n_points >= 12 and stops; a library call should
    // not fail, so an invalid value is ignored and reported.
    let fix_after = match options.fix_after {
        Some(n) if n < MIN_FIX_AFTER => {
            warnings.push(format!(
                "fix_after {n} is below the minimum of {MIN_FIX_AFTER} and was ignored"
            ));
            None
        }
        other => other,
    };
    if options.trend < 2 {
        warnings.push(format!(
            "trend {} is shorter than 2 points; the trend rule is disabled",
            options.trend
        ));
    }
    if options.shift == 0 {
        warnings.push("shift 0 disables the shift rule".to_string());
    }

    let mut segments = Vec::with_capacity(bounds.len());
    let mut points = Vec::with_capacity(values.len());
    for &(start, end) in &bounds {
        let Some(ys) = values.get(start..end) else {
            continue;
        };
        let baseline_len = fix_after.map_or(ys.len(), |n| n.min(ys.len()));
        let baseline = ys.get(..baseline_len).unwrap_or(ys);
        let mut overflow = false;
        let limits = Limits::compute(baseline, options.screen_outliers, &mut overflow);
        if overflow && limits.defined {
            warnings.push(format!(
                "arithmetic overflow in the segment starting at point {}; limits are approximate",
                start + 1
            ));
        }
        let short = ys.len() < SHORT_SEGMENT_THRESHOLD;
        if ys.len() < MIN_POINTS_FOR_LIMITS {
            warnings.push(format!(
                "segment starting at point {} has a single point; it has no limits until it has {}",
                start + 1,
                MIN_POINTS_FOR_LIMITS
            ));
        } else if !limits.defined && overflow {
            // Ranges beyond a decimal's range were screened away: not "no variation".
            warnings.push(format!(
                "segment starting at point {} has values too far apart to compute limits (arithmetic overflow); it has no limits",
                start + 1
            ));
        } else if !limits.defined {
            warnings.push(format!(
                "segment starting at point {} has no variation in its baseline (every moving range is 0); it has no limits",
                start + 1
            ));
        } else if short {
            warnings.push(format!(
                "segment starting at point {} has {} points; limits are trial limits until {}",
                start + 1,
                ys.len(),
                SHORT_SEGMENT_THRESHOLD
            ));
        }
        let rules = classify(ys, &limits.for_rules(), options);
        points.extend(rules.into_iter().map(|rule| PointSignal {
            rule,
            point_type: point_type(rule, improvement),
        }));
        segments.push(Segment {
            start,
            n: ys.len(),
            mean: limits.mean,
            amr: limits.amr,
            lpl: limits.lpl,
            upl: limits.upl,
            near_lower: limits.near_lower,
            near_upper: limits.near_upper,
            short,
            limits: limits.defined,
        });
    }

    let variation = points.last().map(|p| variation_of(p.rule, improvement));
    // ptd_calculate_assurance_type.R takes the last row, whose limits are the
    // last segment's. A single-point segment has none (NA in R): neither
    // comparison with the target holds, so R's `case_when` falls through to
    // "inconsistent", as the domain notes' "otherwise hit and miss" says.
    let assurance = match (target, segments.last()) {
        (Some(t), Some(seg)) => assurance_of(t, seg, improvement),
        _ => None,
    };
    Chart {
        segments,
        points,
        variation,
        assurance,
        warnings,
    }
}

/// Split `0..len` into `(start, end)` ranges at the valid rebase indices.
fn segment_bounds(len: usize, starts: &[usize], warnings: &mut Vec<String>) -> Vec<(usize, usize)> {
    if len == 0 {
        return Vec::new();
    }
    let mut cuts: Vec<usize> = Vec::with_capacity(starts.len() + 1);
    for &s in starts {
        if s >= len {
            warnings.push(format!(
                "rebase at point {} is beyond the end of the series ({len} points) and was ignored",
                s.saturating_add(1)
            ));
        } else if s > 0 {
            cuts.push(s);
        }
    }
    // R turns rebase dates into a 0/1 column and takes cumsum, so order and
    // repeats of the dates do not matter; sort and dedup to match.
    cuts.sort_unstable();
    cuts.dedup();
    let mut bounds = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for cut in cuts {
        bounds.push((start, cut));
        start = cut;
    }
    bounds.push((start, len));
    bounds
}

/// The centre line, AMR and limits of one segment.
#[derive(Clone)]
struct Limits {
    mean: Decimal,
    amr: Decimal,
    lpl: Decimal,
    upl: Decimal,
    near_lower: Decimal,
    near_upper: Decimal,
    /// A moving range was left after screening: without one (a single
    /// point, or every range 0) R's AMR is NaN, and so are its limits.
    defined: bool,
}

impl Limits {
    fn compute(baseline: &[Decimal], screen: bool, overflow: &mut bool) -> Limits {
        let one = Decimal::ONE;
        // R's mean() of nothing is NaN (an empty baseline cannot happen here,
        // but keep a value rather than panic).
        let mean = scaled_average(baseline, one, 1, overflow).unwrap_or(Decimal::ZERO);
        let ranges: Vec<Decimal> = baseline
            .windows(2)
            .filter_map(|w| match w {
                [a, b] => Some(saturate(b.checked_sub(*a), overflow, Decimal::MAX).abs()),
                _ => None,
            })
            .collect();
        let mut kept = ranges;
        if screen {
            // ptd_spc_standard.R keeps `mr < 3.267 * amr` (strict), so a
            // moving range equal to the cut-off is dropped; screening is a
            // single pass. The cut-off is 3.267 × Σmr / m, multiplied before
            // dividing so it is exact whenever an exact tie is possible.
            let cutoff =
                scaled_average(&kept, Decimal::new(3267, 3), 1, overflow).unwrap_or(Decimal::ZERO);
            kept.retain(|r| *r < cutoff);
        }
        // No usable moving range: one point, or all ranges 0 and screened
        // away by `0 < 0`. R's AMR is then NaN and so are its limits: the
        // segment has none (`defined`); the fields hold the mean.
        let defined = !kept.is_empty();
        let amr = scaled_average(&kept, one, 1, overflow).unwrap_or(Decimal::ZERO);
        // 2.66 × Σmr / m and (2 × 2.66 / 3) × Σmr / m = 5.32 × Σmr / (3m):
        // multiplying before dividing keeps the widths exact whenever the
        // exact value terminates (R's doubles agree to ~1e-15; we only need
        // 4 dp), so comparisons with the limits are exact ties where
        // arithmetic says so.
        let width =
            scaled_average(&kept, Decimal::new(266, 2), 1, overflow).unwrap_or(Decimal::ZERO);
        let near_width =
            scaled_average(&kept, Decimal::new(532, 2), 3, overflow).unwrap_or(Decimal::ZERO);
        Limits {
            mean,
            amr,
            lpl: saturate(mean.checked_sub(width), overflow, Decimal::MIN),
            upl: saturate(mean.checked_add(width), overflow, Decimal::MAX),
            near_lower: saturate(mean.checked_sub(near_width), overflow, Decimal::MIN),
            near_upper: saturate(mean.checked_add(near_width), overflow, Decimal::MAX),
            defined,
        }
    }

    /// The limits the rules judge against: without limits (R's NaN), no
    /// point is outside them or close to them, while trends and shifts,
    /// which only need the mean, are still judged (R's `NA | TRUE`).
    fn for_rules(&self) -> Limits {
        if self.defined {
            return self.clone();
        }
        Limits {
            lpl: Decimal::MIN,
            upl: Decimal::MAX,
            near_lower: Decimal::MIN,
            near_upper: Decimal::MAX,
            ..self.clone()
        }
    }
}

/// Use `fallback` (and record the overflow) when checked arithmetic failed.
fn saturate(r: Option<Decimal>, overflow: &mut bool, fallback: Decimal) -> Decimal {
    r.unwrap_or_else(|| {
        *overflow = true;
        fallback
    })
}

/// `factor × Σx / (den × n)`, `None` for no values.
///
/// Multiplying before dividing keeps the result exact whenever it terminates
/// within 28 digits. Only huge values make the sum overflow; then the mean is
/// taken as `x0 + Σ(x - x0) / n` (exact for values close together, e.g. all
/// equal), or failing that as `Σ(x / n)` (|x / n| <= MAX / n, so it fits; it
/// is approximate and recorded), and a product that still overflows
/// saturates at MAX (every factor used here is positive, and only moving
/// ranges, which are non-negative, get a factor above 1).
fn scaled_average(
    xs: &[Decimal],
    factor: Decimal,
    den: u32,
    overflow: &mut bool,
) -> Option<Decimal> {
    let (first, _) = xs.split_first()?;
    let n = Decimal::from(xs.len());
    let exact = xs
        .iter()
        .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(*x))
        .and_then(|s| s.checked_mul(factor))
        .and_then(|p| p.checked_div(n.checked_mul(Decimal::from(den))?));
    if exact.is_some() {
        return exact;
    }
    let shifted = xs
        .iter()
        .try_fold(Decimal::ZERO, |acc, x| {
            acc.checked_add(x.checked_sub(*first)?)
        })
        .and_then(|d| first.checked_add(d.checked_div(n)?));
    let mean = shifted.or_else(|| {
        *overflow = true;
        xs.iter()
            .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(x.checked_div(n)?))
    });
    let scaled = mean
        .and_then(|m| m.checked_mul(factor))
        .and_then(|p| p.checked_div(Decimal::from(den)));
    Some(saturate(scaled, overflow, Decimal::MAX))
}

/// Mark every point of a qualifying run: a run is detected at its last point
/// (`ends[i]`), and R's `ptd_part_of_seven_trend` flags a point when it or
/// one of the next `len - 1` points ends a run.
fn part_of_run(ends: &[bool], len: usize) -> Vec<bool> {
    let mut part = vec![false; ends.len()];
    // Scan from the right, remembering the nearest run end at or after i.
    let mut next_end: Option<usize> = None;
    for (i, flag) in part.iter_mut().enumerate().rev() {
        if ends.get(i).copied().unwrap_or(false) {
            next_end = Some(i);
        }
        *flag = next_end.is_some_and(|e| e - i < len);
    }
    part
}

/// Apply the rules to one segment, returning the winning rule per point.
fn classify(ys: &[Decimal], lim: &Limits, options: &ChartOptions) -> Vec<Option<SignalRule>> {
    let n = ys.len();
    // sign(y - mean) in R; comparing avoids a subtraction that could overflow.
    let side: Vec<Ordering> = ys.iter().map(|y| y.cmp(&lim.mean)).collect();
    let outside: Vec<bool> = ys.iter().map(|y| *y > lim.upl || *y < lim.lpl).collect();
    // close_to_limits: strictly beyond a near line and (by default) not
    // outside the process limits.
    let close: Vec<bool> = ys
        .iter()
        .zip(&outside)
        .map(|(y, out)| {
            (options.two_of_three_beyond_limits || !out)
                && (*y < lim.near_lower || *y > lim.near_upper)
        })
        .collect();

    // Trend: R's ptd_seven_point_trend needs every step of the window to be
    // strictly up (or down); a tie (sign 0) breaks both. `up`/`down` count
    // the consecutive strict steps ending at each point. Rising and falling
    // runs are kept apart so that a point's direction is the direction of
    // the run it belongs to (see `trend_rising`).
    let (trend_up, trend_down) = if options.trend >= 2 {
        let steps = options.trend - 1;
        let mut ends_up = vec![false; n];
        let mut ends_down = vec![false; n];
        let (mut up, mut down) = (0usize, 0usize);
        for i in 1..n {
            match (ys.get(i), ys.get(i - 1)) {
                (Some(cur), Some(prev)) => match cur.cmp(prev) {
                    Ordering::Greater => {
                        up += 1;
                        down = 0;
                    }
                    Ordering::Less => {
                        down += 1;
                        up = 0;
                    }
                    Ordering::Equal => {
                        up = 0;
                        down = 0;
                    }
                },
                _ => break,
            }
            if let Some(e) = ends_up.get_mut(i) {
                *e = up >= steps;
            }
            if let Some(e) = ends_down.get_mut(i) {
                *e = down >= steps;
            }
        }
        (
            part_of_run(&ends_up, options.trend),
            part_of_run(&ends_down, options.trend),
        )
    } else {
        (vec![false; n], vec![false; n])
    };

    // Shift: ptd_seven_point_one_side_mean needs `shift` equal, non-zero
    // signs; a point exactly on the mean (sign 0) breaks the run.
    let shift_part = if options.shift >= 1 {
        let mut ends = vec![false; n];
        let mut run = 0usize;
        for i in 0..n {
            let s = side.get(i).copied().unwrap_or(Ordering::Equal);
            let prev = if i == 0 {
                None
            } else {
                side.get(i - 1).copied()
            };
            run = if s == Ordering::Equal {
                0
            } else if prev == Some(s) {
                run + 1
            } else {
                1
            };
            if let Some(e) = ends.get_mut(i) {
                *e = run >= options.shift;
            }
        }
        part_of_run(&ends, options.shift)
    } else {
        vec![false; n]
    };

    // Two-in-three (ptd_two_in_three + ptd_part_of_two_in_three): a window of
    // three consecutive points of the segment qualifies with >= 2 close
    // points and all three strictly on one side of the mean; of its points
    // only the close ones are flagged.
    let mut two_part = vec![false; n];
    for s in 0..n.saturating_sub(2) {
        let (Some(w_close), Some(w_side)) = (close.get(s..s + 3), side.get(s..s + 3)) else {
            continue;
        };
        let first = w_side.first().copied().unwrap_or(Ordering::Equal);
        let same_side = first != Ordering::Equal && w_side.iter().all(|x| *x == first);
        if same_side && w_close.iter().filter(|c| **c).count() >= 2 {
            for (flag, c) in two_part.iter_mut().skip(s).take(3).zip(w_close) {
                *flag |= *c;
            }
        }
    }

    let flag = |v: &[bool], i: usize| v.get(i).copied().unwrap_or(false);
    (0..n)
        .map(|i| {
            let above = side.get(i) == Some(&Ordering::Greater);
            if flag(&outside, i) {
                Some(if above {
                    SignalRule::AboveUpl
                } else {
                    SignalRule::BelowLpl
                })
            } else if flag(&trend_up, i) || flag(&trend_down, i) {
                Some(
                    if trend_rising(ys, flag(&trend_up, i), flag(&trend_down, i), i) {
                        SignalRule::TrendUp
                    } else {
                        SignalRule::TrendDown
                    },
                )
            } else if flag(&two_part, i) {
                Some(if above {
                    SignalRule::TwoOfThreeAbove
                } else {
                    SignalRule::TwoOfThreeBelow
                })
            } else if flag(&shift_part, i) {
                Some(if above {
                    SignalRule::ShiftAbove
                } else {
                    SignalRule::ShiftBelow
                })
            } else {
                None
            }
        })
        .collect()
}

/// The direction of a trend point: the direction of the run it is part of.
///
/// A point can be in a rising and a falling run only at a peak or trough,
/// where one run ends and the other starts; it then takes the direction of
/// the run that continues, i.e. of the step to the next point (R's
/// `ptd_special_cause_type` rule). R applies that step rule to every trend
/// point followed by another trend point, which mislabels the last point of
/// a run directly followed by a separate run in the same direction (or after
/// a tie): e.g. in `10 … 16 15 16 … 21` the 16 ending the first rise would be
/// "Decreasing". We do not reproduce that.
fn trend_rising(ys: &[Decimal], in_up: bool, in_down: bool, i: usize) -> bool {
    match (in_up, in_down) {
        (true, false) => true,
        (false, true) => false,
        _ => matches!((ys.get(i), ys.get(i + 1)), (Some(a), Some(b)) if b > a),
    }
}

/// ptd_point_type: the side of the signal against the improvement direction.
fn point_type(rule: Option<SignalRule>, improvement: Improvement) -> PointType {
    let Some(rule) = rule else {
        return PointType::CommonCause;
    };
    match (improvement, rule.is_high()) {
        (Improvement::Neutral, true) => PointType::SpecialCauseNeutralHigh,
        (Improvement::Neutral, false) => PointType::SpecialCauseNeutralLow,
        (Improvement::Increase, true) | (Improvement::Decrease, false) => {
            PointType::SpecialCauseImprovement
        }
        (Improvement::Increase, false) | (Improvement::Decrease, true) => {
            PointType::SpecialCauseConcern
        }
    }
}

/// The variation icon of the last point (geom_ptd_icon.R: improvement is
/// "high" when increasing is better, concern is "low" then, and vice versa).
fn variation_of(rule: Option<SignalRule>, improvement: Improvement) -> Variation {
    let Some(rule) = rule else {
        return Variation::CommonCause;
    };
    match (improvement, rule.is_high()) {
        (Improvement::Neutral, true) => Variation::NeutralHigh,
        (Improvement::Neutral, false) => Variation::NeutralLow,
        (Improvement::Increase, true) => Variation::ImprovementHigh,
        (Improvement::Increase, false) => Variation::ConcernLow,
        (Improvement::Decrease, true) => Variation::ConcernHigh,
        (Improvement::Decrease, false) => Variation::ImprovementLow,
    }
}

/// ptd_calculate_assurance_type: strict comparisons, so a target exactly on a
/// limit is hit and miss ("inconsistent" in R); no assurance when neutral.
fn assurance_of(target: Decimal, seg: &Segment, improvement: Improvement) -> Option<Assurance> {
    let increasing = match improvement {
        Improvement::Increase => true,
        Improvement::Decrease => false,
        Improvement::Neutral => return None,
    };
    Some(if !seg.has_limits() {
        Assurance::HitAndMiss
    } else if target > seg.upl {
        if increasing {
            Assurance::ConsistentFail
        } else {
            Assurance::ConsistentPass
        }
    } else if target < seg.lpl {
        if increasing {
            Assurance::ConsistentPass
        } else {
            Assurance::ConsistentFail
        }
    } else {
        Assurance::HitAndMiss
    })
}

#[cfg(test)]
mod tests {
    //! Expected numbers were derived with exact rational arithmetic (Python
    //! `fractions.Fraction`) following the R 0.2.2 code path; each test shows
    //! the derivation.

    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    fn series(s: &str) -> Vec<Decimal> {
        s.split_whitespace().map(d).collect()
    }

    /// `(1-based point, rule)` for every flagged point.
    fn flagged(c: &Chart) -> Vec<(usize, &'static str)> {
        c.points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.rule.map(|r| (i + 1, r.as_str())))
            .collect()
    }

    fn run(s: &str, o: &ChartOptions, imp: Improvement, target: Option<&str>) -> Chart {
        chart(&series(s), &[], o, imp, target.map(d))
    }

    fn default_run(s: &str, imp: Improvement) -> Chart {
        run(s, &ChartOptions::default(), imp, None)
    }

    fn r4(x: Decimal) -> String {
        round4(x).to_string()
    }

    const REFERENCE: &str = "22 21 23 22 20 24 22 21 23 22 25 24 23 22 21 20 19 18 26.5 27 22";

    /// NHSRplotthedots 0.2.2 with defaults, improvement "decrease", target 20.
    /// mean = 467.5 / 21 = 935/42 = 22.261904...; the 20 moving ranges
    /// (1 2 1 2 4 2 1 2 1 3, seven 1s, 8.5 0.5 5) sum to 40, AMR 2, cut-off
    /// 3.267 × 2 = 6.534 drops 8.5, so AMR = 31.5 / 19 = 63/38 = 1.657894...;
    /// UPL = 935/42 + 2.66 × 63/38 = 56011/2100 = 26.671904..., LPL =
    /// 37489/2100 = 17.851904...; 27 > UPL; 25 24 ... 18 falls 7 times in a
    /// row (8 points); 20 lies inside the limits: hit and miss.
    #[test]
    fn reference_chart() {
        let c = run(
            REFERENCE,
            &ChartOptions::default(),
            Improvement::Decrease,
            Some("20"),
        );
        assert_eq!(c.segments.len(), 1);
        let s = &c.segments[0];
        assert_eq!(
            (r4(s.mean), r4(s.lpl), r4(s.upl)),
            ("22.2619".into(), "17.8519".into(), "26.6719".into())
        );
        assert_eq!(r4(s.amr), "1.6579");
        assert!(!s.short);
        let mut want: Vec<(usize, &str)> = (11..=18).map(|i| (i, "trend_down")).collect();
        want.push((20, "above_upl"));
        assert_eq!(flagged(&c), want);
        for i in 10..18 {
            assert_eq!(c.points[i].point_type, PointType::SpecialCauseImprovement);
        }
        assert_eq!(c.points[19].point_type, PointType::SpecialCauseConcern);
        for i in (0..10).chain([18, 20]) {
            assert_eq!(
                c.points[i].point_type,
                PointType::CommonCause,
                "point {}",
                i + 1
            );
        }
        assert_eq!(c.variation, Some(Variation::CommonCause));
        assert_eq!(c.assurance, Some(Assurance::HitAndMiss));
        assert!(c.warnings.is_empty());
    }

    /// Without screening the 8.5 range stays: AMR = 40 / 20 = 2, so LPL =
    /// 935/42 - 5.32 = 16.941904..., UPL = 27.581904... and 27 is no longer
    /// outside.
    #[test]
    fn screening_off_changes_limits() {
        let o = ChartOptions {
            screen_outliers: false,
            ..ChartOptions::default()
        };
        let c = run(REFERENCE, &o, Improvement::Decrease, None);
        let s = &c.segments[0];
        assert_eq!(s.amr, Decimal::from(2));
        assert_eq!((r4(s.lpl), r4(s.upl)), ("16.9419".into(), "27.5819".into()));
        let want: Vec<(usize, &str)> = (11..=18).map(|i| (i, "trend_down")).collect();
        assert_eq!(flagged(&c), want);
    }

    /// 6 7 x6 then 6 14: mean 98/14 = 7; ranges twelve 1s and 8; AMR 20/13,
    /// cut-off 5.03 drops 8, AMR 1; limits 7 ± 2.66 = 4.34 / 9.66.
    #[test]
    fn above_upper_limit_alone() {
        let c = default_run("6 7 6 7 6 7 6 7 6 7 6 7 6 14", Improvement::Increase);
        let s = &c.segments[0];
        assert_eq!(
            (s.mean, s.amr, s.lpl, s.upl),
            (d("7"), d("1"), d("4.34"), d("9.66"))
        );
        assert_eq!(r4(s.near_upper), "8.7733");
        assert_eq!(r4(s.near_lower), "5.2267");
        assert_eq!(flagged(&c), vec![(14, "above_upl")]);
        assert_eq!(c.points[13].point_type, PointType::SpecialCauseImprovement);
        assert_eq!(c.variation, Some(Variation::ImprovementHigh));
    }

    /// Mirror image: 8 7 x6 then 8 0: mean 98/14 = 7, AMR 1 after dropping 8,
    /// LPL 4.34 > 0.
    #[test]
    fn below_lower_limit_alone() {
        let c = default_run("8 7 8 7 8 7 8 7 8 7 8 7 8 0", Improvement::Increase);
        assert_eq!(c.segments[0].lpl, d("4.34"));
        assert_eq!(flagged(&c), vec![(14, "below_lpl")]);
        assert_eq!(c.points[13].point_type, PointType::SpecialCauseConcern);
        assert_eq!(c.variation, Some(Variation::ConcernLow));
    }

    /// mean 489/80 = 6.1125, AMR 39/25 = 1.56 (ranges 2 2 2 2 2 3 1 1 1 .5 .1
    /// .1 2.7 2 2, none >= 3.267 × 1.56), UPL 10.2621: 4 5 6 7 7.5 7.6 7.7 rise
    /// seven times in a row and nothing else fires.
    #[test]
    fn trend_up_alone() {
        let c = default_run(
            "5 7 5 7 5 7 4 5 6 7 7.5 7.6 7.7 5 7 5",
            Improvement::Increase,
        );
        assert_eq!(r4(c.segments[0].upl), "10.2621");
        let want: Vec<(usize, &str)> = (7..=13).map(|i| (i, "trend_up")).collect();
        assert_eq!(flagged(&c), want);
        assert_eq!(c.variation, Some(Variation::CommonCause));
    }

    /// The same climb with a repeated 6: 4 5 6 6 7 7.5 7.6 7.7 has only runs of
    /// 3 and 5 strict rises, so nothing fires (limits 2.2156 / 9.9961).
    #[test]
    fn tie_breaks_a_trend() {
        let c = default_run(
            "5 7 5 7 5 7 4 5 6 6 7 7.5 7.6 7.7 5 7 5",
            Improvement::Increase,
        );
        assert_eq!(r4(c.segments[0].upl), "9.9961");
        assert!(flagged(&c).is_empty());
    }

    /// Ten 4.5s and ten 5.5s: mean 100 / 20 = 5 exactly; points 8-14 are 5.5,
    /// seven in a row above it. Ranges: seven 1s, six 0s, one 1, five 0s:
    /// AMR 8/19 (nothing screened), width 2.66 × 8/19 = 1.12 exactly, limits
    /// 3.88 / 6.12, near lines 5 ± 5.32 × 8/57 = 4.2533 / 5.7467, so 5.5 is
    /// not close.
    #[test]
    fn shift_alone() {
        let c = default_run(
            "4.5 5.5 4.5 5.5 4.5 5.5 4.5 5.5 5.5 5.5 5.5 5.5 5.5 5.5 4.5 4.5 4.5 4.5 4.5 4.5",
            Improvement::Decrease,
        );
        let s = &c.segments[0];
        assert_eq!((s.mean, s.lpl, s.upl), (d("5"), d("3.88"), d("6.12")));
        let want: Vec<(usize, &str)> = (8..=14).map(|i| (i, "shift_above")).collect();
        assert_eq!(flagged(&c), want);
        assert_eq!(c.points[7].point_type, PointType::SpecialCauseConcern);
    }

    /// Nine 4.5s, nine 5.5s and a 5: mean 95 / 19 = 5, so point 11 is exactly
    /// on the mean; the runs above it are 3 and 3 points long and the tail
    /// below is 5, so no shift (with 5.5 instead it would be 7).
    #[test]
    fn point_on_mean_breaks_a_shift() {
        let c = default_run(
            "4.5 5.5 4.5 5.5 4.5 5.5 4.5 5.5 5.5 5.5 5 5.5 5.5 5.5 4.5 4.5 4.5 4.5 4.5",
            Improvement::Increase,
        );
        assert_eq!(c.segments[0].mean, d("5"));
        assert!(flagged(&c).is_empty());
    }

    /// 6 7 x10 then 9 7.5 9 6.5: mean 162/24 = 6.75; ranges nineteen 1s, 2,
    /// 1.5, 1.5, 2.5 = 26.5 / 23, none dropped; near upper 8.7932, UPL 9.8148.
    /// Window 21-23 (9 7.5 9) has two close points, all above the mean: only
    /// the two 9s are flagged.
    #[test]
    fn two_of_three_alone() {
        let c = default_run(
            "6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 9 7.5 9 6.5",
            Improvement::Increase,
        );
        let s = &c.segments[0];
        assert_eq!(
            (r4(s.near_upper), r4(s.upl)),
            ("8.7932".into(), "9.8148".into())
        );
        assert_eq!(
            flagged(&c),
            vec![(21, "two_of_three_above"), (23, "two_of_three_above")]
        );
        assert_eq!(c.points[20].point_type, PointType::SpecialCauseImprovement);
    }

    /// 9 6 9: the middle point is below the mean 6.6875, so the window does
    /// not count although two points are close (R issue #143).
    #[test]
    fn two_of_three_needs_one_side() {
        let c = default_run(
            "6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 9 6 9 6.5",
            Improvement::Increase,
        );
        assert!(flagged(&c).is_empty());
    }

    /// 6 7 x10 then 9 12 7.5 6.5: mean 6.875, AMR 25/22, near upper 8.8902,
    /// UPL 9.8977. 12 is outside; 9 is close. Off (R default): 12 does not
    /// count, so 9 is alone. On: windows 20-22 and 21-23 have two "close"
    /// points, so 9 is two-of-three; 12 keeps above_upl by precedence.
    #[test]
    fn two_of_three_beyond_limits_option() {
        let s = "6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 9 12 7.5 6.5";
        let off = default_run(s, Improvement::Increase);
        assert_eq!(r4(off.segments[0].upl), "9.8977");
        assert_eq!(flagged(&off), vec![(22, "above_upl")]);
        let o = ChartOptions {
            two_of_three_beyond_limits: true,
            ..ChartOptions::default()
        };
        let on = run(s, &o, Improvement::Increase, None);
        assert_eq!(
            flagged(&on),
            vec![(21, "two_of_three_above"), (22, "above_upl")]
        );
    }

    /// fix_after 12: mean of 6 7 x6 = 6.5, eleven ranges of 1, limits 3.84 /
    /// 9.16, near upper 8.2733, applied to all 18 points. 7 8 9 8 9 8 9 is a
    /// shift above; the 9s are close (two of three wins by precedence).
    /// Unfixed, mean 43/6 would make points 1-12 a shift below instead.
    #[test]
    fn fix_after_uses_the_first_n_points() {
        let s = "6 7 6 7 6 7 6 7 6 7 6 7 8 9 8 9 8 9";
        let o = ChartOptions {
            fix_after: Some(12),
            ..ChartOptions::default()
        };
        let c = run(s, &o, Improvement::Increase, None);
        let seg = &c.segments[0];
        assert_eq!(
            (seg.n, seg.mean, seg.amr, seg.lpl, seg.upl),
            (18, d("6.5"), d("1"), d("3.84"), d("9.16"))
        );
        assert_eq!(
            flagged(&c),
            vec![
                (12, "shift_above"),
                (13, "shift_above"),
                (14, "two_of_three_above"),
                (15, "shift_above"),
                (16, "two_of_three_above"),
                (17, "shift_above"),
                (18, "two_of_three_above"),
            ]
        );
        let unfixed = default_run(s, Improvement::Increase);
        assert_eq!(r4(unfixed.segments[0].mean), "7.1667");
        assert_eq!(unfixed.points[0].rule, Some(SignalRule::ShiftBelow));
        // Below R's minimum of 12 the option is ignored with a warning.
        let o = ChartOptions {
            fix_after: Some(5),
            ..ChartOptions::default()
        };
        let c = run(s, &o, Improvement::Increase, None);
        assert_eq!(c.segments[0].mean, unfixed.segments[0].mean);
        assert!(c.warnings.iter().any(|w| w.contains("fix_after 5")));
    }

    /// Rebase at index 12, screening off so a cross-boundary range would show:
    /// segment 1 (6 7 x6) mean 6.5, AMR 1 (limits 3.84 / 9.16); segment 2
    /// (16 17 x6, 16) mean 214/13 = 16.4615, AMR 1 (13.8015 / 19.1215). As one
    /// segment the 7 -> 16 range would make AMR 32/24.
    #[test]
    fn rebase_gives_each_segment_its_own_limits() {
        let v = series("6 7 6 7 6 7 6 7 6 7 6 7 16 17 16 17 16 17 16 17 16 17 16 17 16");
        let o = ChartOptions {
            screen_outliers: false,
            ..ChartOptions::default()
        };
        let c = chart(&v, &[12], &o, Improvement::Increase, Some(d("19.2")));
        assert_eq!(c.segments.len(), 2);
        let (a, b) = (&c.segments[0], &c.segments[1]);
        assert_eq!(
            (a.start, a.n, a.mean, a.amr, a.lpl, a.upl),
            (0, 12, d("6.5"), d("1"), d("3.84"), d("9.16"))
        );
        assert_eq!((b.start, b.n, b.amr), (12, 13, d("1")));
        assert_eq!(
            (r4(b.mean), r4(b.lpl), r4(b.upl)),
            ("16.4615".into(), "13.8015".into(), "19.1215".into())
        );
        assert!(flagged(&c).is_empty());
        // Our threshold is 12 (R's code uses 13): 11 points are trial limits, 12 are not.
        assert!(!a.short && !b.short);
        assert!(c.warnings.is_empty());
        // Assurance uses the last segment: 19.2 > 19.1215.
        assert_eq!(c.assurance, Some(Assurance::ConsistentFail));
        let one = chart(&v, &[], &o, Improvement::Increase, None);
        assert_eq!(r4(one.segments[0].amr), "1.3333");
        // Unsorted, duplicate, zero and out-of-range starts are tolerated.
        let messy = chart(
            &v,
            &[40, 12, 0, 12],
            &o,
            Improvement::Increase,
            Some(d("19.2")),
        );
        assert_eq!(messy.segments, c.segments);
        assert!(messy
            .warnings
            .iter()
            .any(|w| w.contains("rebase at point 41")));
    }

    /// Same series as below_lower_limit_alone / above_upper_limit_alone
    /// without a direction: neutral low / high, and no assurance.
    #[test]
    fn neutral_polarity() {
        let c = run(
            "8 7 8 7 8 7 8 7 8 7 8 7 8 0",
            &ChartOptions::default(),
            Improvement::Neutral,
            Some("3"),
        );
        assert_eq!(c.points[13].point_type, PointType::SpecialCauseNeutralLow);
        assert_eq!(c.variation, Some(Variation::NeutralLow));
        assert_eq!(c.assurance, None);
        let c = default_run("6 7 6 7 6 7 6 7 6 7 6 7 6 14", Improvement::Neutral);
        assert_eq!(c.points[13].point_type, PointType::SpecialCauseNeutralHigh);
        assert_eq!(c.variation, Some(Variation::NeutralHigh));
    }

    /// Limits 4.34 / 9.66 (above_upper_limit_alone). Strict comparisons: a
    /// target on a limit is hit and miss.
    #[test]
    fn assurance_cases() {
        let s = "6 7 6 7 6 7 6 7 6 7 6 7 6 14";
        let a = |imp, t: &str| run(s, &ChartOptions::default(), imp, Some(t)).assurance;
        assert_eq!(
            a(Improvement::Increase, "9.67"),
            Some(Assurance::ConsistentFail)
        );
        assert_eq!(
            a(Improvement::Decrease, "9.67"),
            Some(Assurance::ConsistentPass)
        );
        assert_eq!(
            a(Improvement::Increase, "4.33"),
            Some(Assurance::ConsistentPass)
        );
        assert_eq!(
            a(Improvement::Decrease, "4.33"),
            Some(Assurance::ConsistentFail)
        );
        assert_eq!(
            a(Improvement::Increase, "9.66"),
            Some(Assurance::HitAndMiss)
        );
        assert_eq!(
            a(Improvement::Decrease, "4.34"),
            Some(Assurance::HitAndMiss)
        );
        assert_eq!(a(Improvement::Increase, "7"), Some(Assurance::HitAndMiss));
        assert_eq!(
            run(s, &ChartOptions::default(), Improvement::Increase, None).assurance,
            None
        );
    }

    /// 8 points: mean 6.5, AMR 1, trial limits with a warning.
    #[test]
    fn short_segment_warning() {
        let c = default_run("6 7 6 7 6 7 6 7", Improvement::Increase);
        assert!(c.segments[0].short);
        assert_eq!(
            c.warnings,
            vec![
                "segment starting at point 1 has 8 points; limits are trial limits until 12"
                    .to_string()
            ]
        );
    }

    #[test]
    fn empty_and_single_point() {
        let c = chart(
            &[],
            &[3],
            &ChartOptions::default(),
            Improvement::Increase,
            Some(d("1")),
        );
        assert!(c.segments.is_empty() && c.points.is_empty());
        assert_eq!((c.variation, c.assurance), (None, None));
        // One point: no moving range, no limits (R: NA); the point is common
        // cause and assurance is hit and miss (R: "inconsistent").
        let c = chart(
            &[d("4.2")],
            &[],
            &ChartOptions::default(),
            Improvement::Increase,
            Some(d("4.2")),
        );
        let s = &c.segments[0];
        assert_eq!((s.n, s.mean, s.amr, s.short), (1, d("4.2"), d("0"), true));
        assert!(!s.has_limits());
        assert_eq!(
            c.points,
            vec![PointSignal {
                rule: None,
                point_type: PointType::CommonCause
            }]
        );
        assert_eq!(c.variation, Some(Variation::CommonCause));
        // R: comparisons with NA limits are false, so "inconsistent".
        assert_eq!(c.assurance, Some(Assurance::HitAndMiss));
        assert_eq!(
            c.warnings,
            vec!["segment starting at point 1 has a single point; it has no limits until it has 2"]
        );
        // A rebase at the last point leaves it alone in the last segment:
        // the first segment keeps its limits; assurance is hit and miss.
        let c = chart(
            &series("1 2 1 2 9"),
            &[4],
            &ChartOptions::default(),
            Improvement::Increase,
            Some(d("0")),
        );
        assert!(c.segments[0].has_limits() && !c.segments[1].has_limits());
        assert_eq!(c.points[4].rule, None);
        assert_eq!(c.assurance, Some(Assurance::HitAndMiss));
    }

    /// All ranges are 0. Screening keeps none (0 < 0 is false): R's AMR and
    /// limits are NaN, so there are no limits and assurance is hit and miss.
    /// Without screening AMR is 0 and the limits sit on the mean, as in R.
    /// Every point is on the mean: no signal of any kind.
    #[test]
    fn all_equal_values() {
        let v = vec![d("3.5"); 20];
        for (screen, limits, assurance) in [
            (true, false, Assurance::HitAndMiss),
            (false, true, Assurance::ConsistentFail),
        ] {
            let o = ChartOptions {
                screen_outliers: screen,
                ..ChartOptions::default()
            };
            let c = chart(&v, &[], &o, Improvement::Increase, Some(d("4")));
            let s = &c.segments[0];
            assert_eq!(
                (s.mean, s.amr, s.lpl, s.upl),
                (d("3.5"), d("0"), d("3.5"), d("3.5"))
            );
            assert_eq!(s.has_limits(), limits);
            assert!(flagged(&c).is_empty());
            assert_eq!(c.assurance, Some(assurance));
        }
    }

    /// A flat baseline (`fix_after`) has no limits: later points that move
    /// away are not outside them (R compares with NaN), but runs (a trend, a
    /// shift), which need only the values and the mean, are still flagged.
    #[test]
    fn a_flat_fixed_baseline_has_no_limits_but_runs_count() {
        let mut v = vec![d("50"); 12];
        v.extend(["51", "49", "51"].map(d));
        let o = ChartOptions {
            fix_after: Some(12),
            ..ChartOptions::default()
        };
        let c = chart(&v, &[], &o, Improvement::Increase, None);
        assert!(!c.segments[0].has_limits());
        assert!(flagged(&c).is_empty());
        assert!(c.warnings.iter().any(|w| w.contains("no variation")));
        v.extend(["51", "52", "53", "54", "55", "56", "57"].map(d));
        let c = chart(&v, &[], &o, Improvement::Increase, None);
        let run: Vec<usize> = flagged(&c).iter().map(|f| f.0).collect();
        assert_eq!(run, (15..=22).collect::<Vec<_>>(), "{:?}", flagged(&c));
    }

    /// 1..7 rises, 7 -> 2 drops, 2..8 rises. Point 15 (the 7) ends the first
    /// rising run and is in no falling run: trend_up (R's step rule would take
    /// 7 -> 2 and say "Decreasing"). Limits -8.4760 / 17.8927 (AMR 114/23)
    /// keep all inside.
    #[test]
    fn trend_point_keeps_its_run_direction() {
        let c = default_run(
            "0 10 0 10 0 10 0 10 1 2 3 4 5 6 7 2 3 4 5 6 7 8 0 10",
            Improvement::Increase,
        );
        assert_eq!(r4(c.segments[0].lpl), "-8.4760");
        let want: Vec<(usize, &str)> = (9..=22).map(|i| (i, "trend_up")).collect();
        assert_eq!(flagged(&c), want);
    }

    /// A peak is in both runs: it ends the rise and starts the fall, and
    /// takes the direction of the run that continues (the fall), as R does.
    /// A tie between two rises leaves both ends rising.
    #[test]
    fn peak_takes_the_continuing_run_and_ties_do_not_flip() {
        let o = ChartOptions {
            trend: 3,
            shift: 0,
            ..ChartOptions::default()
        };
        let c = run("5 6 7 6 5", &o, Improvement::Increase, None);
        let rules: Vec<_> = c.points.iter().map(|p| p.rule).collect();
        use SignalRule::{TrendDown as D, TrendUp as U};
        assert_eq!(rules, vec![Some(U), Some(U), Some(D), Some(D), Some(D)]);
        let c = run("5 3 1 3 5", &o, Improvement::Increase, None);
        let rules: Vec<_> = c.points.iter().map(|p| p.rule).collect();
        assert_eq!(rules, vec![Some(D), Some(D), Some(U), Some(U), Some(U)]);
        let c = run("1 2 3 3 4 5", &o, Improvement::Increase, None);
        assert!(c.points.iter().all(|p| p.rule == Some(U)), "{:?}", c.points);
    }

    #[test]
    fn custom_run_lengths_and_disabled_rules() {
        // 6-point climb: not a trend at 7, a trend at 6.
        let s = "5 7 5 7 5 7 4 5 6 7 7.5 7.6 5 7 5";
        assert!(flagged(&default_run(s, Improvement::Increase)).is_empty());
        let o = ChartOptions {
            trend: 6,
            ..ChartOptions::default()
        };
        let want: Vec<(usize, &str)> = (7..=12).map(|i| (i, "trend_up")).collect();
        assert_eq!(flagged(&run(s, &o, Improvement::Increase, None)), want);
        let o = ChartOptions {
            trend: 1,
            shift: 0,
            ..ChartOptions::default()
        };
        // Without trends, the 19 and 18 (below the near line 19.3219, with 20
        // before them, all below the mean) are two-of-three.
        let c = run(REFERENCE, &o, Improvement::Decrease, None);
        assert_eq!(
            flagged(&c),
            vec![
                (17, "two_of_three_below"),
                (18, "two_of_three_below"),
                (20, "above_upl")
            ]
        );
        assert_eq!(c.warnings.len(), 2);
    }

    #[test]
    fn huge_values_do_not_panic() {
        let v = vec![
            Decimal::MAX,
            Decimal::MIN,
            Decimal::MAX,
            Decimal::MIN,
            Decimal::MAX,
        ];
        let c = chart(
            &v,
            &[],
            &ChartOptions::default(),
            Improvement::Increase,
            Some(Decimal::MAX),
        );
        assert_eq!(c.points.len(), 5);
        // One warning saying why there are no limits; not "no variation".
        assert_eq!(
            c.warnings,
            ["segment starting at point 1 has values too far apart to compute limits (arithmetic overflow); it has no limits"]
        );
        let v = vec![Decimal::MAX; 30];
        let c = chart(
            &v,
            &[],
            &ChartOptions::default(),
            Improvement::Decrease,
            None,
        );
        // Σ overflows; the mean is taken relative to the first value: exact.
        assert_eq!(
            (c.segments[0].mean, c.segments[0].amr),
            (Decimal::MAX, Decimal::ZERO)
        );
        // Equal values: no limits (and a warning saying so), no overflow.
        assert!(flagged(&c).is_empty());
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("no variation"), "{:?}", c.warnings);
    }

    #[test]
    fn from_spec_defaults_and_overrides() {
        assert_eq!(
            ChartOptions::from_spec(&SpcOptions::default()),
            ChartOptions::default()
        );
        let spec = SpcOptions {
            screen_outliers: Some(false),
            fix_after: Some(15),
            rebase: vec!["2022-04".into()],
            shift: Some(8),
            trend: Some(6),
            two_of_three_beyond_limits: Some(true),
        };
        let o = ChartOptions::from_spec(&spec);
        assert_eq!(
            o,
            ChartOptions {
                screen_outliers: false,
                fix_after: Some(15),
                shift: 8,
                trend: 6,
                two_of_three_beyond_limits: true
            }
        );
    }

    #[test]
    fn names_serialize_as_snake_case() {
        for r in [
            SignalRule::AboveUpl,
            SignalRule::BelowLpl,
            SignalRule::TrendUp,
            SignalRule::TrendDown,
            SignalRule::TwoOfThreeAbove,
            SignalRule::TwoOfThreeBelow,
            SignalRule::ShiftAbove,
            SignalRule::ShiftBelow,
        ] {
            assert_eq!(
                serde_json::to_string(&r).ok(),
                Some(format!("\"{}\"", r.as_str()))
            );
        }
        for p in [
            PointType::CommonCause,
            PointType::SpecialCauseImprovement,
            PointType::SpecialCauseConcern,
            PointType::SpecialCauseNeutralHigh,
            PointType::SpecialCauseNeutralLow,
        ] {
            assert_eq!(
                serde_json::to_string(&p).ok(),
                Some(format!("\"{}\"", p.as_str()))
            );
        }
        for v in [
            Variation::CommonCause,
            Variation::ImprovementHigh,
            Variation::ImprovementLow,
            Variation::ConcernHigh,
            Variation::ConcernLow,
            Variation::NeutralHigh,
            Variation::NeutralLow,
        ] {
            assert_eq!(
                serde_json::to_string(&v).ok(),
                Some(format!("\"{}\"", v.as_str()))
            );
        }
        for a in [
            Assurance::ConsistentPass,
            Assurance::ConsistentFail,
            Assurance::HitAndMiss,
        ] {
            assert_eq!(
                serde_json::to_string(&a).ok(),
                Some(format!("\"{}\"", a.as_str()))
            );
        }
    }

    fn swap_pt(p: PointType) -> PointType {
        match p {
            PointType::SpecialCauseImprovement => PointType::SpecialCauseConcern,
            PointType::SpecialCauseConcern => PointType::SpecialCauseImprovement,
            other => other,
        }
    }

    fn swap_var(v: Variation) -> Variation {
        match v {
            Variation::ImprovementHigh => Variation::ConcernHigh,
            Variation::ConcernHigh => Variation::ImprovementHigh,
            Variation::ImprovementLow => Variation::ConcernLow,
            Variation::ConcernLow => Variation::ImprovementLow,
            other => other,
        }
    }

    fn options() -> impl Strategy<Value = ChartOptions> {
        (
            any::<bool>(),
            prop::option::of(12usize..20),
            0usize..9,
            0usize..9,
            any::<bool>(),
        )
            .prop_map(
                |(screen_outliers, fix_after, shift, trend, beyond)| ChartOptions {
                    screen_outliers,
                    fix_after,
                    shift,
                    trend,
                    two_of_three_beyond_limits: beyond,
                },
            )
    }

    proptest! {
        /// Adding c to every value shifts mean and limits by c and leaves the
        /// AMR and every signal alone. Values are small integers so the
        /// 28-digit rounding of the mean stays far below any comparison gap
        /// (points differ from a line by at least 1/(300·n·m) otherwise).
        #[test]
        fn shift_invariance(
            xs in prop::collection::vec(-50i64..50, 0..40),
            c in -1000i64..1000,
            starts in prop::collection::vec(0usize..45, 0..3),
            o in options(),
        ) {
            let v: Vec<Decimal> = xs.iter().map(|x| Decimal::from(*x)).collect();
            let cd = Decimal::from(c);
            let w: Vec<Decimal> = v.iter().map(|x| x + cd).collect();
            let a = chart(&v, &starts, &o, Improvement::Increase, None);
            let b = chart(&w, &starts, &o, Improvement::Increase, None);
            prop_assert_eq!(&a.points, &b.points);
            prop_assert_eq!(a.variation, b.variation);
            prop_assert_eq!(a.segments.len(), b.segments.len());
            let tol = Decimal::new(1, 18);
            for (s, t) in a.segments.iter().zip(&b.segments) {
                prop_assert_eq!((s.start, s.n, s.short), (t.start, t.n, t.short));
                prop_assert!((s.amr - t.amr).abs() < tol);
                for (x, y) in [(s.mean, t.mean), (s.lpl, t.lpl), (s.upl, t.upl),
                               (s.near_lower, t.near_lower), (s.near_upper, t.near_upper)] {
                    prop_assert!((x + cd - y).abs() < tol, "{} + {} vs {}", x, c, y);
                }
            }
        }

        /// Swapping the direction swaps improvement and concern everywhere
        /// (and pass and fail) and changes nothing else.
        #[test]
        fn direction_swap(
            xs in prop::collection::vec(-500i64..500, 0..40),
            t in -600i64..600,
            starts in prop::collection::vec(0usize..45, 0..3),
            o in options(),
        ) {
            let v: Vec<Decimal> = xs.iter().map(|x| Decimal::new(*x, 1)).collect();
            let target = Some(Decimal::new(t, 1));
            let inc = chart(&v, &starts, &o, Improvement::Increase, target);
            let dec = chart(&v, &starts, &o, Improvement::Decrease, target);
            prop_assert_eq!(&inc.segments, &dec.segments);
            prop_assert_eq!(inc.points.len(), dec.points.len());
            for (p, q) in inc.points.iter().zip(&dec.points) {
                prop_assert_eq!(p.rule, q.rule);
                prop_assert_eq!(swap_pt(p.point_type), q.point_type);
            }
            prop_assert_eq!(inc.variation.map(swap_var), dec.variation);
            let swap_a = |a: Assurance| match a {
                Assurance::ConsistentPass => Assurance::ConsistentFail,
                Assurance::ConsistentFail => Assurance::ConsistentPass,
                Assurance::HitAndMiss => Assurance::HitAndMiss,
            };
            prop_assert_eq!(inc.assurance.map(swap_a), dec.assurance);
        }
    }
}

//! The TypeScript-facing types, generated into the package's `.d.ts` by
//! tsify. Results are made by the core (`Evaluation::to_json`,
//! `SpcChart::to_json`); the structs here mirror that JSON so the
//! declarations are generated from Rust, and `tests/mirror.rs` checks the
//! mirror against the core's output (unknown or missing fields fail).
//! Decimals are strings, exactly as in the core's JSON.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tsify::Tsify;
use wasm_bindgen::JsValue;

// ------------------------------------------------------------------ errors

/// One problem in a scorecard: where it is and what would be valid.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct Diagnostic {
    /// Field path, e.g. `indicator[3].rag`; empty for the whole document.
    pub path: String,
    /// 1-based line in the source, when known.
    pub line: Option<usize>,
    /// 1-based column in the source, when known.
    pub column: Option<usize>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl From<&ragulator::Diagnostic> for Diagnostic {
    fn from(d: &ragulator::Diagnostic) -> Self {
        Diagnostic {
            path: d.path.clone(),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
        }
    }
}

/// A problem with the data, overrides or options of a call.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct DataDiagnostic {
    /// 1-based data row (header not counted; JSON: array index + 1), when the problem is in one row.
    pub row: Option<usize>,
    /// The column or field concerned.
    pub column: Option<String>,
    /// What is wrong and what would be valid.
    pub message: String,
}

// ------------------------------------------------------------------ inputs

/// One observation or override row: column name to value. Numbers may be
/// JS numbers or strings (strings are exact decimals); `null`, `undefined`
/// and `NaN` are missing; infinities are rejected with a reason.
#[derive(Tsify)]
#[tsify(type = "Record<string, string | number | null | undefined>")]
pub struct Row;

/// Observations: CSV text or bytes (JSON with `format: "json"`), or an
/// array of row objects. Bytes (a `Uint8Array`, or the `ArrayBuffer` of
/// `fetch(...).arrayBuffer()`) are read exactly as the CLI reads a file.
#[derive(Tsify)]
#[tsify(type = "string | Uint8Array | ArrayBuffer | Row[]")]
pub struct Data;

/// How a text argument is to be read.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "lowercase")]
pub enum DataFormat {
    /// CSV text with a header row (the default for text).
    #[default]
    Csv,
    /// A JSON array of row objects, as text.
    Json,
}

/// Options of `Scorecard.observations`.
#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReadOptions {
    /// How text data is read: `"csv"` (default) or `"json"`.
    #[tsify(optional)]
    #[serde(default)]
    pub format: Option<DataFormat>,
}

/// Options of `Scorecard.evaluate`.
#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvaluateOptions {
    /// Human judgements (each needs a reason): CSV text (or JSON text with
    /// `overridesFormat: "json"`) or an array of override rows (`entity`,
    /// `indicator` or `theme`, `period`, `status`, `reason`).
    #[tsify(optional, type = "string | Uint8Array | ArrayBuffer | Row[]")]
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub overrides: JsValue,
    /// How text overrides are read: `"csv"` (default) or `"json"`.
    #[tsify(optional)]
    #[serde(default)]
    pub overrides_format: Option<DataFormat>,
    /// Evaluate every indicator of every entity at this period (`2022-06`, `2022-Q2`, `2022/23`, ...).
    #[tsify(optional)]
    #[serde(default)]
    pub period: Option<String>,
    /// Evaluate one entity.
    #[tsify(optional)]
    #[serde(default)]
    pub entity: Option<String>,
    /// Write the explanation sentences (default true; false is faster, statuses are the same).
    #[tsify(optional)]
    #[serde(default)]
    pub explain: Option<bool>,
    /// How text data is read: `"csv"` (default) or `"json"`.
    #[tsify(optional)]
    #[serde(default)]
    pub format: Option<DataFormat>,
}

/// Options of `Scorecard.explain`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExplainOptions {
    /// The indicator id.
    pub indicator: String,
    /// The period.
    pub period: String,
    /// One entity (default: every entity).
    #[tsify(optional)]
    #[serde(default)]
    pub entity: Option<String>,
    /// Overrides, as for `evaluate`.
    #[tsify(optional, type = "string | Uint8Array | ArrayBuffer | Row[]")]
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub overrides: JsValue,
    /// How text overrides are read.
    #[tsify(optional)]
    #[serde(default)]
    pub overrides_format: Option<DataFormat>,
    /// How text data is read.
    #[tsify(optional)]
    #[serde(default)]
    pub format: Option<DataFormat>,
}

/// Options of `Scorecard.spc`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SpcOptions {
    /// The indicator id.
    pub indicator: String,
    /// The entity (required when the data has several).
    #[tsify(optional)]
    #[serde(default)]
    pub entity: Option<String>,
    /// How text data is read.
    #[tsify(optional)]
    #[serde(default)]
    pub format: Option<DataFormat>,
}

/// Options of `Scorecard.measure`.
#[derive(Tsify, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeasureOptions {
    /// Observations to merge the measured ones after (comparators, targets,
    /// indicators not measured), as for `evaluate`.
    #[tsify(optional, type = "Data")]
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub data: JsValue,
    /// How text data is read: `"csv"` (default) or `"json"`.
    #[tsify(optional)]
    #[serde(default)]
    pub format: Option<DataFormat>,
}

/// Options of `Scorecard.failingRecords`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FailingOptions {
    /// The measured indicator's id.
    pub indicator: String,
    /// The result's period (`2022-06`, `2022-Q2`, `2022/23`, ...).
    pub period: String,
    /// One entity's records (default: every entity's).
    #[tsify(optional)]
    #[serde(default)]
    pub entity: Option<String>,
}

/// A scorecard document's format.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "lowercase")]
pub enum ScorecardFormat {
    /// TOML.
    Toml,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

impl From<ScorecardFormat> for ragulator::Format {
    fn from(f: ScorecardFormat) -> Self {
        match f {
            ScorecardFormat::Toml => ragulator::Format::Toml,
            ScorecardFormat::Json => ragulator::Format::Json,
            ScorecardFormat::Yaml => ragulator::Format::Yaml,
        }
    }
}

// ---------------------------------------------------------- the scorecard

/// An indicator's unit.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Percent.
    Percent,
    /// Per 10,000.
    #[serde(rename = "per_10k")]
    Per10k,
    /// Per 1,000.
    #[serde(rename = "per_1000")]
    Per1000,
    /// A count.
    Count,
    /// Days.
    Days,
    /// A ratio.
    Ratio,
}

/// Which way is better.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Higher is better.
    HigherIsBetter,
    /// Lower is better.
    LowerIsBetter,
    /// Inside the target range is best.
    Range,
    /// No better (a context indicator).
    None,
}

impl From<ragulator::model::Unit> for Unit {
    fn from(unit: ragulator::model::Unit) -> Unit {
        use ragulator::model::Unit as U;
        match unit {
            U::Percent => Unit::Percent,
            U::Per10k => Unit::Per10k,
            U::Per1000 => Unit::Per1000,
            U::Count => Unit::Count,
            U::Days => Unit::Days,
            U::Ratio => Unit::Ratio,
        }
    }
}

impl From<ragulator::model::Polarity> for Polarity {
    fn from(polarity: ragulator::model::Polarity) -> Polarity {
        use ragulator::model::Polarity as P;
        match polarity {
            P::HigherIsBetter => Polarity::HigherIsBetter,
            P::LowerIsBetter => Polarity::LowerIsBetter,
            P::Range => Polarity::Range,
            P::None => Polarity::None,
        }
    }
}

/// An indicator of the scorecard.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct IndicatorInfo {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Polarity.
    pub polarity: Polarity,
    /// Decimal places values are rounded to (null: used exactly).
    pub decimals: Option<u32>,
    /// The theme's id.
    pub theme: Option<String>,
    /// Whether it has a RAG rule (false: a context indicator, status always null).
    pub rag: bool,
    /// The description, if the scorecard gives one.
    pub description: Option<String>,
}

/// A theme of the scorecard.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct ThemeInfo {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A status of the scale.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct StatusInfo {
    /// Identifier (`green`, `amber`, `red`, ..., `no_data`).
    pub id: String,
    /// Display label.
    pub label: String,
    /// CSS colour.
    pub colour: String,
}

/// A comparator (statistical neighbours, England, ...).
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct ComparatorInfo {
    /// The name used in data `series` and expressions.
    pub name: String,
    /// Display label.
    pub label: String,
}

// --------------------------------------------------------------- results

/// The result of `evaluate`: DESIGN.md section 4, the CLI's `--format json`.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct EvaluationResult {
    /// One per entity, indicator and period.
    pub results: Vec<IndicatorResult>,
    /// One per entity, theme and period.
    pub themes: Vec<ThemeResult>,
    /// Input rows that could not be used, with the reason.
    pub rejected: Vec<Rejected>,
    /// Input rows = used + rejected.
    pub rows: RowCounts,
}

/// A target: a decimal string, or a range.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(untagged)]
pub enum Target {
    /// One value.
    Value(String),
    /// A range (polarity `range`).
    Range(TargetRange),
}

/// A target range.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct TargetRange {
    /// Lower bound (decimal string).
    pub low: String,
    /// Upper bound (decimal string).
    pub high: String,
}

/// A human judgement applied to a result.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct OverrideNote {
    /// The status given.
    pub status: String,
    /// Why.
    pub reason: String,
}

/// Movement since the previous period.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Better than the previous period.
    Improving,
    /// Worse.
    Worsening,
    /// The same rounded value.
    NoChange,
    /// Higher (no polarity).
    Up,
    /// Lower (no polarity).
    Down,
    /// No previous value, or range polarity.
    NotComparable,
}

/// How the rule reached its status.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    /// `target`, `bands`, `comparator`, `spc`, `rule_set:<name>`, `missing` or `none`.
    pub rule: String,
    /// For rule sets: the 1-based clause that fired (null: `otherwise`).
    pub clause: Option<usize>,
    /// The condition of the clause that fired.
    pub condition: Option<String>,
    /// Operand values the rule used (decimal strings; null = missing).
    pub operands: BTreeMap<String, Option<String>>,
}

/// SPC variation of the last point.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "snake_case")]
pub enum Variation {
    /// Common cause.
    CommonCause,
    /// Special cause, improving, high.
    ImprovementHigh,
    /// Special cause, improving, low.
    ImprovementLow,
    /// Special cause, concerning, high.
    ConcernHigh,
    /// Special cause, concerning, low.
    ConcernLow,
    /// Special cause, no polarity, high.
    NeutralHigh,
    /// Special cause, no polarity, low.
    NeutralLow,
}

/// SPC assurance against the target.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    /// The limits are on the good side of the target.
    ConsistentPass,
    /// The limits are on the bad side.
    ConsistentFail,
    /// The target lies between the limits.
    HitAndMiss,
}

/// The type of one SPC point.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "snake_case")]
pub enum PointType {
    /// Common cause.
    CommonCause,
    /// Special cause, improvement.
    SpecialCauseImprovement,
    /// Special cause, concern.
    SpecialCauseConcern,
    /// Special cause, neutral, high.
    SpecialCauseNeutralHigh,
    /// Special cause, neutral, low.
    SpecialCauseNeutralLow,
}

/// The special-cause rule a point triggered.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "snake_case")]
pub enum SpcRule {
    /// Above the upper process limit.
    AboveUpl,
    /// Below the lower process limit.
    BelowLpl,
    /// A run increasing.
    TrendUp,
    /// A run decreasing.
    TrendDown,
    /// Two of three near or beyond the upper limit.
    TwoOfThreeAbove,
    /// Two of three near or beyond the lower limit.
    TwoOfThreeBelow,
    /// A run above the mean.
    ShiftAbove,
    /// A run below the mean.
    ShiftBelow,
}

/// The SPC state of an indicator at a period (points up to it).
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct SpcState {
    /// The last point's variation.
    pub variation: Option<Variation>,
    /// Assurance against the target.
    pub assurance: Option<Assurance>,
    /// This point's type.
    pub point_type: Option<PointType>,
    /// The rule this point triggered.
    pub rule: Option<SpcRule>,
    /// Segment mean (decimal string, 4 dp).
    pub mean: String,
    /// Lower process limit (decimal string); null while the chart has a
    /// single point.
    pub lpl: Option<String>,
    /// Upper process limit (decimal string); null as `lpl`.
    pub upl: Option<String>,
    /// Points in the chart.
    pub n: usize,
    /// Fewer than 12 points in the segment: trial limits.
    pub short: bool,
}

/// One indicator, entity and period.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct IndicatorResult {
    /// The entity (null: the default entity).
    pub entity: Option<String>,
    /// The indicator id.
    pub indicator: String,
    /// The period.
    pub period: String,
    /// The value, rounded to the indicator's decimals (decimal string).
    pub value: Option<String>,
    /// The target for the period.
    pub target: Option<Target>,
    /// Value against target, positive = met (decimal string).
    pub gap: Option<String>,
    /// Gap as a percentage of |target|, 2 dp (decimal string).
    pub gap_pct: Option<String>,
    /// Comparator values by name (decimal strings).
    pub comparators: BTreeMap<String, String>,
    /// The previous period's value.
    pub previous: Option<String>,
    /// The value a year earlier.
    pub last_year: Option<String>,
    /// The numerator, for rate rows.
    pub numerator: Option<String>,
    /// The denominator, for rate rows.
    pub denominator: Option<String>,
    /// The status given (after any override); null for a context indicator.
    pub status: Option<String>,
    /// The status the rules gave.
    pub computed_status: Option<String>,
    /// The override applied, if any.
    #[serde(rename = "override")]
    pub override_: Option<OverrideNote>,
    /// The status's label.
    pub label: Option<String>,
    /// Movement since the previous period.
    pub direction: Direction,
    /// Why there is no status from the rule, if there is not.
    pub no_data_reason: Option<String>,
    /// The status in a sentence (empty with `explain: false`).
    pub explanation: String,
    /// How the rule reached its status.
    pub trace: Trace,
    /// SPC state, for indicators with `spc`.
    pub spc: Option<SpcState>,
}

/// One theme, entity and period.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct ThemeResult {
    /// The entity (null: the default entity).
    pub entity: Option<String>,
    /// The theme id.
    pub theme: String,
    /// The period.
    pub period: String,
    /// The status given (after any override).
    pub status: String,
    /// The status the roll-up gave.
    pub computed_status: String,
    /// The override applied, if any.
    #[serde(rename = "override")]
    pub override_: Option<OverrideNote>,
    /// The status's label.
    pub label: String,
    /// Indicators per status.
    pub counts: BTreeMap<String, usize>,
    /// The roll-up in a sentence.
    pub explanation: String,
}

/// An input row that could not be used.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct Rejected {
    /// 1-based data row (header not counted; JSON: array index + 1).
    pub row: usize,
    /// Why.
    pub reason: String,
}

/// A record source the scorecard declares (`[sources.<name>]`).
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct SourceInfo {
    /// The source's name: the key to give its records under.
    pub name: String,
    /// The columns used, with their types (`id`, `date`, `category`, `number`).
    pub columns: BTreeMap<String, String>,
    /// The column saying which entity a record belongs to, if any.
    pub entity: Option<String>,
}

/// A case record that could not be used, with the reason.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct RejectedRecord {
    /// The source.
    pub source: String,
    /// 1-based row (header not counted; JSON: array index + 1).
    pub row: usize,
    /// Why.
    pub reason: String,
}

/// A record behind a measured result: one that failed the measure (a late
/// assessment), or for recurrences, rolling counts and rates one that was
/// counted. The objects of `ragulator records --format json`'s `records`.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct FailingRecord {
    /// The source.
    pub source: String,
    /// The record's 1-based row in its input (header not counted).
    pub row: usize,
    /// The entity, when the source has an entity column.
    pub entity: Option<String>,
    /// The id (the child), for measures that have one.
    pub id: Option<String>,
    /// Why it is listed, with the dates concerned.
    pub reason: String,
}

/// Row counts: input = used + rejected.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct RowCounts {
    /// Rows read.
    pub input: usize,
    /// Rows used.
    pub used: usize,
    /// Rows rejected.
    pub rejected: usize,
}

/// An SPC (XmR) chart: DESIGN.md section 6.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct SpcChart {
    /// The indicator id.
    pub indicator: String,
    /// The entity charted (null: the default entity).
    pub entity: Option<String>,
    /// Segments (a new one at each rebase).
    pub groups: Vec<SpcGroup>,
    /// The points, in period order.
    pub points: Vec<SpcPoint>,
    /// The last point's variation.
    pub variation: Option<Variation>,
    /// Assurance against the target.
    pub assurance: Option<Assurance>,
    /// The target used for assurance (decimal string).
    pub target: Option<String>,
    /// Short segments, ignored options.
    pub warnings: Vec<String>,
}

/// One segment of an SPC chart.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct SpcGroup {
    /// The first period of the segment.
    pub start: String,
    /// Points in the segment.
    pub n: usize,
    /// Mean (decimal string, 4 dp).
    pub mean: String,
    /// Lower process limit; null for a segment of a single point (no
    /// moving range, no limits).
    pub lpl: Option<String>,
    /// Upper process limit; null for a single point.
    pub upl: Option<String>,
    /// Lower two-sigma line; null for a single point.
    pub near_lower: Option<String>,
    /// Upper two-sigma line; null for a single point.
    pub near_upper: Option<String>,
    /// Fewer than 12 points: trial limits.
    pub short: bool,
}

/// One point of an SPC chart.
#[derive(Tsify, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(deny_unknown_fields)]
pub struct SpcPoint {
    /// The period.
    pub period: String,
    /// The value (decimal string).
    pub value: String,
    /// The special-cause rule this point triggered.
    pub rule: Option<SpcRule>,
    /// The point's type.
    pub point_type: PointType,
}

/// The indicator columns of `evaluateStatuses`: row `i` of every column is
/// one result, in the order of `evaluate`'s `results`.
#[derive(Tsify)]
pub struct StatusResultColumns {
    /// Index into `entities`.
    #[tsify(type = "Uint32Array")]
    pub entity: (),
    /// Index into `indicators`.
    #[tsify(type = "Uint32Array")]
    pub indicator: (),
    /// Index into `periods`.
    #[tsify(type = "Uint32Array")]
    pub period: (),
    /// The rounded value (decimal string), or null.
    #[tsify(type = "(string | null)[]")]
    pub value: (),
    /// The gap (decimal string; >= 0 means target met), or null.
    #[tsify(type = "(string | null)[]")]
    pub gap: (),
    /// The status given: index into `statuses`; -1 for a context indicator.
    #[tsify(type = "Int16Array")]
    pub status: (),
    /// What the rules said (same indexing).
    #[tsify(type = "Int16Array")]
    #[serde(rename = "computedStatus")]
    pub computed_status: (),
    /// Index into `directions`.
    #[tsify(type = "Uint8Array")]
    pub direction: (),
}

/// The theme columns of `evaluateStatuses`.
#[derive(Tsify)]
pub struct StatusThemeColumns {
    /// Index into `entities`.
    #[tsify(type = "Uint32Array")]
    pub entity: (),
    /// Index into `themes`.
    #[tsify(type = "Uint32Array")]
    pub theme: (),
    /// Index into `periods`.
    #[tsify(type = "Uint32Array")]
    pub period: (),
    /// The status given: index into `statuses`.
    #[tsify(type = "Int16Array")]
    pub status: (),
    /// What the roll-up said.
    #[tsify(type = "Int16Array")]
    #[serde(rename = "computedStatus")]
    pub computed_status: (),
}

/// The result of `evaluateStatuses`: the same judgements as `evaluate`
/// without names, comparators, SPC or explanations, in columns (typed
/// arrays of indexes into the small tables).
#[derive(Tsify)]
pub struct StatusColumns {
    /// Entity names (`""` is the default entity).
    pub entities: Vec<String>,
    /// Indicator ids, in scorecard order.
    pub indicators: Vec<String>,
    /// Theme ids, in scorecard order.
    pub themes: Vec<String>,
    /// Status ids: the ranked statuses, then `no_data`.
    pub statuses: Vec<String>,
    /// Periods.
    pub periods: Vec<String>,
    /// Direction names.
    pub directions: Vec<Direction>,
    /// One row per indicator result.
    pub results: StatusResultColumns,
    /// One row per theme result.
    #[tsify(type = "StatusThemeColumns")]
    #[serde(rename = "themeResults")]
    pub theme_results: (),
    /// Input rows that could not be used.
    pub rejected: Vec<Rejected>,
    /// Input rows = used + rejected.
    pub rows: RowCounts,
}

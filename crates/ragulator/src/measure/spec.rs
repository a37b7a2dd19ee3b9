//! The scorecard format for record sources and measures (docs/measures.md):
//! `[sources.<name>]` tables and an indicator's `measure`.
//!
//! Like the rest of [`crate::model`], these types are checked for shape by
//! serde and for meaning when the scorecard is loaded.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::model::deserialize_by_name;

use crate::model::{decimal_from_f64, parse_decimal, Dec};
use crate::period::PeriodKind;

/// The type of a record column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// An identifier (a child, a case): text, compared exactly.
    Id,
    /// A date written `YYYY-MM-DD`.
    Date,
    /// A category (legal status, team): text, compared exactly.
    Category,
    /// A decimal number.
    Number,
}

deserialize_by_name!(ColumnType {
    Id = "id",
    Date = "date",
    Category = "category",
    Number = "number",
});

impl ColumnType {
    /// The name used in the scorecard (`"date"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Id => "id",
            ColumnType::Date => "date",
            ColumnType::Category => "category",
            ColumnType::Number => "number",
        }
    }
}

/// `[sources.<name>]`: a table of records (one row per referral, visit,
/// placement ...) that measures are computed from.
///
/// ```
/// let s: ragulator::model::SourceSpec = toml::from_str(
///     "columns = { child_id = 'id', referred_on = 'date', team = 'category' }\nentity = 'team'",
/// ).unwrap();
/// assert_eq!(s.columns.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// The columns used, by name, with their types; other columns in the
    /// data are ignored.
    pub columns: BTreeMap<String, ColumnType>,
    /// The column naming the entity (council, team) each record belongs to;
    /// absent: every record belongs to the default entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The kind of period a measure is computed for (`period = "month"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasurePeriod {
    /// Calendar months (the default).
    #[default]
    Month,
    /// Calendar quarters.
    Quarter,
    /// Financial years.
    FinancialYear,
    /// ISO weeks.
    Week,
    /// Days.
    Day,
    /// Calendar years.
    Year,
}

deserialize_by_name!(MeasurePeriod {
    Month = "month",
    Quarter = "quarter",
    FinancialYear = "financial_year",
    Week = "week",
    Day = "day",
    Year = "year",
});

impl MeasurePeriod {
    /// The period kind.
    pub fn kind(self) -> PeriodKind {
        match self {
            MeasurePeriod::Month => PeriodKind::Month,
            MeasurePeriod::Quarter => PeriodKind::Quarter,
            MeasurePeriod::FinancialYear => PeriodKind::FinancialYear,
            MeasurePeriod::Week => PeriodKind::Week,
            MeasurePeriod::Day => PeriodKind::Day,
            MeasurePeriod::Year => PeriodKind::Year,
        }
    }
}

/// A length of time: `within = 45, unit = "working_days"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Monday to Friday, less the scorecard calendar's holidays.
    WorkingDays,
    /// Calendar days (the default).
    #[default]
    Days,
    /// Weeks of 7 days.
    Weeks,
    /// Calendar months (31 January + 1 month is 28 or 29 February).
    Months,
}

deserialize_by_name!(TimeUnit {
    WorkingDays = "working_days",
    Days = "days",
    Weeks = "weeks",
    Months = "months",
});

impl TimeUnit {
    /// Words for explanations: `working days`, `weeks`.
    pub fn words(self, n: u32) -> &'static str {
        match (self, n == 1) {
            (TimeUnit::WorkingDays, true) => "working day",
            (TimeUnit::WorkingDays, false) => "working days",
            (TimeUnit::Days, true) => "day",
            (TimeUnit::Days, false) => "days",
            (TimeUnit::Weeks, true) => "week",
            (TimeUnit::Weeks, false) => "weeks",
            (TimeUnit::Months, true) => "month",
            (TimeUnit::Months, false) => "months",
        }
    }
}

/// A condition on a record column; exactly one condition key is given.
///
/// `equals`, `not_equals` and `one_of` compare `id` and `category` columns;
/// `below` and `at_least` compare `number` columns; `age_below` and
/// `age_at_least` take a `date` column as a date of birth and compare the age
/// in whole years at the end of the period being computed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterSpec {
    /// The column tested.
    pub column: String,
    /// The value equals this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    /// The value differs from this text (an empty value differs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<String>,
    /// The value is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    /// The number is below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<Dec>,
    /// The number is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<Dec>,
    /// Aged under this many years at the period end (the column is a date of birth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_below: Option<u32>,
    /// Aged this many years or more at the period end (the column is a date of birth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_at_least: Option<u32>,
}

/// An indicator's `measure`: how its numerator and denominator are computed
/// from records, per entity and period. See docs/measures.md for each kind's
/// exact definition.
///
/// Written `{ kind = "timeliness", ... }`. `Deserialize` reads that form
/// through the scorecard loader ([`crate::Scorecard::from_str`]), which
/// hands the tag's value over as the variant; other deserializers see the
/// externally tagged form (`{ timeliness = { ... } }`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MeasureSpec {
    /// Share of records whose `end` is within a time of their `start`.
    Timeliness(TimelinessSpec),
    /// Share of records (referrals) within some months of a previous record
    /// for the same id.
    Recurrence(RecurrenceSpec),
    /// Share of ids (children) whose gaps between consecutive records
    /// (visits) in a window never exceeded a limit.
    Interval(IntervalSpec),
    /// Share of ids (children) with at least n records (placements) in a
    /// rolling window.
    RollingCount(RollingCountSpec),
    /// A count of records or ids per a population (× the unit's scale).
    Rate(RateSpec),
}

/// [`MeasureSpec`]'s `Deserialize`, externally tagged (see there).
#[derive(Deserialize)]
#[serde(
    remote = "MeasureSpec",
    rename = "MeasureSpec",
    rename_all = "snake_case",
    expecting = "internally tagged enum MeasureSpec"
)]
enum MeasureKinds {
    Timeliness(TimelinessSpec),
    Recurrence(RecurrenceSpec),
    Interval(IntervalSpec),
    RollingCount(RollingCountSpec),
    Rate(RateSpec),
}

impl<'de> Deserialize<'de> for MeasureSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        MeasureKinds::deserialize(d)
    }
}

/// The keys every measure kind has.
#[derive(Debug, Clone, Copy)]
pub struct CommonSpec<'a> {
    /// The source's name.
    pub source: &'a str,
    /// Conditions every counted record meets.
    pub filter: &'a [FilterSpec],
    /// The kind of period computed.
    pub period: MeasurePeriod,
    /// The first period reported.
    pub from: Option<&'a str>,
    /// What is counted, in explanations.
    pub noun: Option<&'a str>,
    /// The explanation's predicate.
    pub phrase: Option<&'a str>,
}

impl MeasureSpec {
    /// The kind's name (`"timeliness"`).
    pub fn kind(&self) -> &'static str {
        match self {
            MeasureSpec::Timeliness(_) => "timeliness",
            MeasureSpec::Recurrence(_) => "recurrence",
            MeasureSpec::Interval(_) => "interval",
            MeasureSpec::RollingCount(_) => "rolling_count",
            MeasureSpec::Rate(_) => "rate",
        }
    }

    /// The keys shared by every kind.
    pub fn common(&self) -> CommonSpec<'_> {
        macro_rules! common {
            ($s:expr) => {
                CommonSpec {
                    source: &$s.source,
                    filter: &$s.filter,
                    period: $s.period,
                    from: $s.from.as_deref(),
                    noun: $s.noun.as_deref(),
                    phrase: $s.phrase.as_deref(),
                }
            };
        }
        match self {
            MeasureSpec::Timeliness(s) => common!(s),
            MeasureSpec::Recurrence(s) => common!(s),
            MeasureSpec::Interval(s) => common!(s),
            MeasureSpec::RollingCount(s) => common!(s),
            MeasureSpec::Rate(s) => common!(s),
        }
    }
}

/// Which records a timeliness measure counts in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountedBy {
    /// Records whose `end` falls in the period (completed records; open
    /// records are not counted until they end). The default.
    #[default]
    End,
    /// Records whose deadline (`start` + `within`) falls in the period,
    /// open or not; an open record counts as not in time.
    Due,
}

deserialize_by_name!(CountedBy {
    End = "end",
    Due = "due",
});

/// `kind = "timeliness"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelinessSpec {
    /// The source's name.
    pub source: String,
    /// Conditions every counted record meets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<FilterSpec>,
    /// The kind of period computed (default month).
    #[serde(default, skip_serializing_if = "is_default")]
    pub period: MeasurePeriod,
    /// The first period reported (earlier records still serve as history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// What is counted, plural, for explanations (default: the source name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noun: Option<String>,
    /// The explanation's predicate (default: "were completed within 45 working days").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
    /// The date column the clock starts from.
    pub start: String,
    /// The date column the clock stops at; empty: still open.
    pub end: String,
    /// The time allowed.
    pub within: u32,
    /// The unit of `within` (default days).
    #[serde(default, skip_serializing_if = "is_default")]
    pub unit: TimeUnit,
    /// `end` (default): count completed records in the period they end;
    /// `due`: count every record in the period its deadline falls.
    #[serde(default, skip_serializing_if = "is_default")]
    pub counted_by: CountedBy,
}

/// `kind = "recurrence"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceSpec {
    /// The source's name.
    pub source: String,
    /// Conditions every counted record meets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<FilterSpec>,
    /// The kind of period computed (default month).
    #[serde(default, skip_serializing_if = "is_default")]
    pub period: MeasurePeriod,
    /// The first period reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// What is counted, plural, for explanations (default: the source name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noun: Option<String>,
    /// The explanation's predicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
    /// The id column (the child).
    pub id: String,
    /// The date column (the referral date).
    pub date: String,
    /// How far back a previous record makes this one a recurrence (default 12).
    #[serde(default = "twelve")]
    pub within_months: u32,
}

/// `kind = "interval"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntervalSpec {
    /// The source's name.
    pub source: String,
    /// Conditions every counted record meets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<FilterSpec>,
    /// The kind of period computed (default month).
    #[serde(default, skip_serializing_if = "is_default")]
    pub period: MeasurePeriod,
    /// The first period reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// What is counted, plural, for explanations (default: the id column's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noun: Option<String>,
    /// The explanation's predicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
    /// The id column (the child).
    pub id: String,
    /// The date column (the visit date).
    pub date: String,
    /// The longest gap allowed between consecutive records.
    pub max_gap: u32,
    /// The unit of `max_gap` (default days).
    #[serde(default, skip_serializing_if = "is_default")]
    pub unit: TimeUnit,
    /// The lookback: records in the months to the period end (default 12).
    #[serde(default = "twelve")]
    pub window_months: u32,
}

/// Who a rolling count is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Among {
    /// Ids with at least one record in the window (the default).
    #[default]
    ActiveInWindow,
    /// Ids with a record open at the period end (needs `end`).
    OpenAtEnd,
}

deserialize_by_name!(Among {
    ActiveInWindow = "active_in_window",
    OpenAtEnd = "open_at_end",
});

/// `kind = "rolling_count"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollingCountSpec {
    /// The source's name.
    pub source: String,
    /// Conditions every counted record meets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<FilterSpec>,
    /// The kind of period computed (default month).
    #[serde(default, skip_serializing_if = "is_default")]
    pub period: MeasurePeriod,
    /// The first period reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// What is counted, plural, for explanations (default: the id column's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noun: Option<String>,
    /// The explanation's predicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
    /// The id column (the child).
    pub id: String,
    /// The date column a record starts on (the placement start).
    pub date: String,
    /// The date column a record ends on (empty: ongoing); with it, a record
    /// counts in every window it overlaps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// The window: the months to the period end (default 12).
    #[serde(default = "twelve")]
    pub window_months: u32,
    /// How many records in the window make the numerator.
    pub at_least: u32,
    /// The denominator (default `active_in_window`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub among: Among,
}

/// `kind = "rate"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateSpec {
    /// The source's name.
    pub source: String,
    /// Conditions every counted record meets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<FilterSpec>,
    /// The kind of period computed (default month).
    #[serde(default, skip_serializing_if = "is_default")]
    pub period: MeasurePeriod,
    /// The first period reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// What is counted, plural, for explanations (default: the source name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noun: Option<String>,
    /// The explanation's predicate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
    /// Count distinct values of this id column instead of records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Count records whose date falls in the period (or the window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// With `date`: count records in the months to the period end instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_months: Option<u32>,
    /// Count records open at the period end: started on or before it ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// ... and not ended on or before it (empty: still open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// The population: a number, or taken from a source.
    pub population: PopulationSpec,
}

/// The population of a rate: a constant, or the latest value on or before
/// the period end from a source (per entity when that source has one).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PopulationSpec {
    /// The same population for every period.
    Constant(Dec),
    /// `{ source = "population", date = "as_at", value = "children" }`.
    Source(PopulationSource),
}

/// A population read from a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulationSource {
    /// The source's name.
    pub source: String,
    /// The date column the estimate applies from.
    pub date: String,
    /// The number column holding the population.
    pub value: String,
}

impl<'de> Deserialize<'de> for PopulationSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PopulationSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or { source, date, value }")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PopulationSpec, E> {
                Ok(PopulationSpec::Constant(Dec(v.into())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PopulationSpec, E> {
                Ok(PopulationSpec::Constant(Dec(v.into())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<PopulationSpec, E> {
                decimal_from_f64(v)
                    .map(|d| PopulationSpec::Constant(Dec(d)))
                    .map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PopulationSpec, E> {
                parse_decimal(v)
                    .map(|d| PopulationSpec::Constant(Dec(d)))
                    .map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<PopulationSpec, A::Error> {
                PopulationSource::deserialize(de::value::MapAccessDeserializer::new(m))
                    .map(PopulationSpec::Source)
            }
        }
        d.deserialize_any(V)
    }
}

fn twelve() -> u32 {
    12
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

//! ragulator: scorecards as data.
//!
//! A scorecard (indicators, targets, tolerances, comparators, polarity and RAG
//! rules) is loaded once from TOML, JSON or YAML into an immutable, validated
//! [`Scorecard`]; evaluation takes [`Observations`] and returns an
//! [`Evaluation`]: a status with a reason for every indicator, period and
//! entity, theme roll-ups, and every input row either used or rejected.
//!
//! ```
//! use ragulator::{Scorecard, EvaluateOptions};
//!
//! let scorecard = Scorecard::from_toml(r#"
//! ragulator = 1
//! [[indicator]]
//! id = "re_referrals"
//! name = "Re-referrals within 12 months"
//! unit = "percent"
//! polarity = "lower_is_better"
//! decimals = 1
//! target = 20
//! rag = { rule = "target", amber = 2 }
//! "#).unwrap();
//!
//! let data = scorecard.read_csv(b"indicator,period,value\nre_referrals,2022-06,24.08\n").unwrap();
//! let evaluation = scorecard.evaluate(&data, &EvaluateOptions::default()).unwrap();
//! let result = &evaluation.results[0];
//! assert_eq!(result.status.as_deref(), Some("red"));
//! assert_eq!(result.explanation,
//!     "Re-referrals within 12 months was 24.1% against a target of 20.0% (lower is better): \
//!      4.1 points worse, beyond the 2-point amber tolerance.");
//! ```
//!
//! The core does no I/O: readers take strings and bytes, never paths.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod calendar;
pub mod chart;
pub mod error;
pub mod eval;
pub mod explain;
pub mod expr;
pub mod html;
pub mod load;
pub mod measure;
pub mod model;
pub mod observations;
pub mod output;
pub mod parallel;
pub mod period;
pub mod spc;
#[cfg(test)]
mod test_strategies;

/// The decimal type of every value, target and threshold, re-exported so
/// that a caller names the same version: `ragulator::Decimal`.
pub use rust_decimal::{self, Decimal};

pub use calendar::Calendar;
pub use chart::SpcChart;
pub use error::{DataError, Diagnostic, Error, LoadError};
pub use eval::{
    Direction, EvaluateOptions, Evaluation, IndicatorResult, NoDataReason, Rejected, StatusRow,
    StatusTable, ThemeResult, ThemeStatusRow, Trace,
};
pub use load::{Format, Scorecard};
pub use measure::{FailingRecord, RecordSet, Records};
pub use model::{Override, OverrideTarget, Polarity, ScorecardSpec, Unit};
pub use observations::{Cell, Observations, RawRow};
pub use period::{Period, PeriodKind};

/// The JSON Schema (draft 2020-12) of the scorecard format.
///
/// ```
/// let schema = ragulator::json_schema();
/// assert_eq!(schema["title"], "ScorecardSpec");
/// ```
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(model::ScorecardSpec);
    serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
}

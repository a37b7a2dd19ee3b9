//! Measures: indicators computed from case records (docs/measures.md).
//!
//! A scorecard declares record tables (`[sources.<name>]`) and gives an
//! indicator a `measure`: timeliness, recurrence, interval, rolling count or
//! rate. [`Scorecard::read_records`] reads a table into typed [`Records`]
//! (every row kept or rejected with a reason); [`Scorecard::measure_observations`]
//! turns a [`RecordSet`] into ordinary numerator/denominator
//! [`Observations`], so rules, themes, overrides and SPC apply unchanged;
//! [`Scorecard::failing_records`] lists the records behind a result.
//!
//! ```
//! use ragulator::{EvaluateOptions, Scorecard, measure::RecordSet};
//! let s = Scorecard::from_toml(r#"
//! ragulator = 1
//! [sources.assessments]
//! columns = { child_id = "id", started_on = "date", completed_on = "date" }
//! [[indicator]]
//! id = "timely"
//! name = "Assessments within 10 working days"
//! unit = "percent"
//! polarity = "higher_is_better"
//! decimals = 1
//! target = 90
//! rag = { rule = "target", amber = 5 }
//! measure = { kind = "timeliness", source = "assessments", start = "started_on", end = "completed_on", within = 10, unit = "working_days", noun = "assessments" }
//! "#).unwrap();
//! // The Jubilee bank holidays (2 and 3 June 2022) make c2 late by one day.
//! let csv = "child_id,started_on,completed_on\nc1,2022-05-20,2022-06-01\nc2,2022-05-20,2022-06-08\n";
//! let mut records = RecordSet::new();
//! records.insert(s.read_records("assessments", csv.as_bytes()).unwrap()).unwrap();
//! let obs = s.measure_observations(&records).unwrap();
//! let e = s.evaluate(&obs, &EvaluateOptions::default()).unwrap();
//! assert_eq!(e.results[0].value.unwrap().to_string(), "50.0");
//! assert!(e.results[0].explanation.ends_with(
//!     "1 of 2 assessments, 50.0%, were completed within 10 working days."));
//! let late = s.failing_records(&records, "timely", None, "2022-06").unwrap();
//! assert_eq!(late.len(), 1);
//! assert_eq!(late[0].row, 2);
//! ```

pub(crate) mod compile;
pub(crate) mod compute;
pub mod records;
pub mod spec;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::DataError;
use crate::eval::{IndicatorResult, Rejected};
use crate::explain::with_unit;
use crate::load::{Indicator, Scorecard};
use crate::observations::{Cell, Observations, RawRow};

pub use compile::Source;
pub use records::{RecordCell, Records, RecordsBuilder};

use compile::{Kind, Measure, RateCount};
use compute::{Counts, Drill, Prep, Run};
use spec::{CountedBy, TimeUnit};

/// Most (entity, period) results one measure may produce: a guard against
/// an id column given as the entity, or daily periods over centuries.
pub const MAX_CELLS: usize = 10_000_000;

/// The records of several sources, by source name, for one evaluation.
#[derive(Debug, Clone, Default)]
pub struct RecordSet {
    tables: Vec<Records>,
}

impl RecordSet {
    /// An empty set.
    pub fn new() -> RecordSet {
        RecordSet::default()
    }

    /// Adds a source's records; a second table for the same source is an error.
    pub fn insert(&mut self, records: Records) -> Result<(), DataError> {
        if self.get(records.source()).is_some() {
            return Err(DataError::new(format!(
                "records for source '{}' were given twice; give each source once",
                records.source()
            )));
        }
        self.tables.push(records);
        Ok(())
    }

    /// The records of a source.
    pub fn get(&self, source: &str) -> Option<&Records> {
        self.tables.iter().find(|t| t.source() == source)
    }

    /// The tables, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Records> {
        self.tables.iter()
    }

    /// Every rejected record: (source, row and reason).
    pub fn rejected(&self) -> impl Iterator<Item = (&str, &Rejected)> {
        self.tables
            .iter()
            .flat_map(|t| t.rejected().iter().map(move |r| (t.source(), r)))
    }
}

/// A record behind a result: one that failed the measure (a late
/// assessment, a visit after too long a gap) or, for recurrences, rolling
/// counts and rates, one that was counted (a re-referral, a child with 3 or
/// more placements, a child looked after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailingRecord {
    /// The source.
    pub source: String,
    /// The record's row in its input (1-based, header not counted).
    pub row: usize,
    /// The entity, when the source has an entity column.
    pub entity: Option<String>,
    /// The id (the child): the measure's `id` column, or else the
    /// source's only `id` column, if it declares exactly one.
    pub id: Option<String>,
    /// Why it is listed, with the dates concerned.
    pub reason: String,
}

/// Failing records as JSON: an array of objects with `source`, `row`,
/// `entity`, `id` and `reason` (the shape the CLI and bindings print).
pub fn failing_to_json(records: &[FailingRecord]) -> serde_json::Value {
    serde_json::to_value(records).unwrap_or(serde_json::Value::Null)
}

/// Failing records as CSV with a header: `source,row,entity,id,reason`.
pub fn failing_to_csv(records: &[FailingRecord]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["source", "row", "entity", "id", "reason"]);
    for r in records {
        let row = r.row.to_string();
        let _ = w.write_record([
            r.source.as_str(),
            row.as_str(),
            r.entity.as_deref().unwrap_or(""),
            r.id.as_deref().unwrap_or(""),
            r.reason.as_str(),
        ]);
    }
    w.into_inner()
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

impl Scorecard {
    /// The records of a measure's source, checked to belong to this scorecard.
    fn records_for<'r>(
        &self,
        records: &'r RecordSet,
        source: usize,
    ) -> Result<Option<&'r Records>, DataError> {
        let Some(src) = self.sources.get(source) else {
            return Ok(None);
        };
        match records.get(&src.name) {
            Some(r) if r.source == *src => Ok(Some(r)),
            Some(_) => Err(DataError::new(format!(
                "the records of '{}' were read with a different scorecard; read them with this one",
                src.name
            ))),
            None => Ok(None),
        }
    }

    fn run<'a>(&'a self, m: &'a Measure, rec: &'a Records) -> Run<'a> {
        Run {
            m,
            prep: Prep::new(rec, &m.filters),
            cal: &self.calendar,
            year_start_month: self.calendar.year_start_month(),
        }
    }

    /// Computes every measured indicator from the records: one
    /// numerator/denominator row per entity (that has records taking part)
    /// and period, from the first to the last period the records' dates
    /// reach (from the measure's `from`, if later). Indicators whose source
    /// is not in the set get no rows; a rate whose population source is not
    /// in the set gets rows with missing values. Evaluate the result as is, or merge it
    /// with other observations ([`Scorecard::merge_observations`]).
    pub fn measure_observations(&self, records: &RecordSet) -> Result<Observations, DataError> {
        let mut builder = self.observations();
        builder.computing = true;
        for ind in &self.indicators {
            let Some(m) = &ind.measure else { continue };
            let Some(rec) = self.records_for(records, m.source)? else {
                continue;
            };
            let run = self.run(m, rec);
            let grid = run.grid();
            let cells = rec.entity_count().saturating_mul(grid.len());
            if cells > MAX_CELLS {
                return Err(DataError::new(format!(
                    "indicator '{}' would need {} entities × {} periods = {cells} results, more than the {MAX_CELLS} allowed; check the entity column and the records' dates (from {} to {})",
                    ind.id,
                    rec.entity_count(),
                    grid.len(),
                    grid.periods.first().map(|p| p.to_string()).unwrap_or_default(),
                    grid.periods.last().map(|p| p.to_string()).unwrap_or_default(),
                )));
            }
            let mut counts = Counts::new(rec.entity_count(), grid.len());
            run.run(&grid, &mut counts);
            let population = match &m.kind {
                Kind::Rate { population, .. } => {
                    let pop = match population {
                        // Without the population's records the values are
                        // missing, as for a measure whose records are not given.
                        compile::Population::Source { source, .. } => {
                            self.records_for(records, *source)?
                        }
                        compile::Population::Constant(_) => None,
                    };
                    Some(compute::populations(*population, rec, pop, &grid))
                }
                _ => None,
            };
            let entities = rec.entities();
            for (e, name) in entities.iter().enumerate() {
                if !run.prep.seen.get(e).copied().unwrap_or(false) {
                    continue;
                }
                for (p, period) in grid.periods.iter().enumerate() {
                    let (num, den) = counts.get(e, p);
                    let period = period.to_string();
                    let (numerator, denominator) = match &population {
                        Some(pops) => match pops.get(e).and_then(|v| v.get(p)).copied().flatten() {
                            Some(pop) => (Cell::Decimal(Decimal::from(den)), Cell::Decimal(pop)),
                            // No population: the value is missing.
                            None => (Cell::Empty, Cell::Empty),
                        },
                        None => (
                            Cell::Decimal(Decimal::from(num)),
                            Cell::Decimal(Decimal::from(den)),
                        ),
                    };
                    builder.push(RawRow {
                        entity: Some(name),
                        indicator: Some(&ind.id),
                        period: Some(&period),
                        series: None,
                        value: Cell::Empty,
                        numerator,
                        denominator,
                    });
                }
            }
        }
        Ok(builder.finish())
    }

    /// The records behind one measured result: for timeliness, the records
    /// not in time; for interval, each visit that ended too long a gap; for
    /// recurrence, the recurrences; for rolling counts, the ids at or over
    /// the count (one row each, the latest record); for rates, the counted
    /// records or ids. `entity` `None` lists every entity's.
    pub fn failing_records(
        &self,
        records: &RecordSet,
        indicator: &str,
        entity: Option<&str>,
        period: &str,
    ) -> Result<Vec<FailingRecord>, DataError> {
        let ind = self.indicator(indicator).ok_or_else(|| {
            let ids: Vec<&str> = self
                .indicators
                .iter()
                .filter(|i| i.measure.is_some())
                .map(|i| i.id.as_str())
                .collect();
            DataError::new(format!(
                "unknown indicator '{indicator}'; indicators computed from records are: {}",
                if ids.is_empty() {
                    "none".to_string()
                } else {
                    ids.join(", ")
                }
            ))
        })?;
        let m = ind.measure.as_ref().ok_or_else(|| {
            DataError::new(format!(
                "indicator '{indicator}' has no measure: its values come from data, not records"
            ))
        })?;
        let source = self
            .sources
            .get(m.source)
            .map(|s| s.name.as_str())
            .unwrap_or("?");
        let rec = self.records_for(records, m.source)?.ok_or_else(|| {
            DataError::new(format!(
                "indicator '{indicator}' is computed from source '{source}'; give its records"
            ))
        })?;
        let period = self
            .parse_period(period)
            .map_err(|e| DataError::new(format!("bad period: {e}")))?;
        if period.kind() != m.period {
            return Err(DataError::new(format!(
                "indicator '{indicator}' is computed by {}; give a {} period, not '{period}'",
                m.period.as_str(),
                m.period.as_str()
            )));
        }
        let entity_code = match entity {
            None => None,
            Some(name) => {
                let names = rec.entities();
                match names.iter().position(|n| *n == name) {
                    Some(e) => Some(e as u32),
                    None if rec.source.entity.is_none() => {
                        return Err(DataError::new(format!(
                            "source '{source}' has no entity column, so its records belong to no entity '{name}'; leave the entity out"
                        )))
                    }
                    None => {
                        let shown: Vec<&str> = names.iter().take(20).copied().collect();
                        return Err(DataError::new(format!(
                            "no records of source '{source}' belong to entity '{name}'; entities are: {}{}",
                            shown.join(", "),
                            if names.len() > 20 { ", ..." } else { "" }
                        )));
                    }
                }
            }
        };
        let run = self.run(m, rec);
        let grid = run.grid();
        let Some(p) = grid.index_of_period(period) else {
            return Ok(Vec::new());
        };
        let list_hits = matches!(
            m.kind,
            Kind::Recurrence { .. } | Kind::RollingCount { .. } | Kind::Rate { .. }
        );
        let mut drill = Drill {
            p,
            entity: entity_code,
            list_hits,
            out: Vec::new(),
        };
        run.run(&grid, &mut drill);
        drill
            .out
            .sort_by(|a, b| (&a.entity, a.row).cmp(&(&b.entity, b.row)));
        Ok(drill.out)
    }
}

/// The explanation sentence of a measured result: "412 of 468 assessments,
/// 88.0%, were completed within 45 working days."
pub(crate) fn sentence(sc: &Scorecard, ind: &Indicator, r: &IndicatorResult) -> Option<String> {
    let m = ind.measure.as_ref()?;
    let (n, d) = (r.numerator?, r.denominator?);
    let src = sc.sources.get(m.source)?;
    let end = long_date(r.period.end());
    let spaced = |s: &str| s.replace('_', " ");
    let noun = &m.noun;
    let phrase = match &m.phrase {
        Some(p) => p.clone(),
        None => match &m.kind {
            Kind::Timeliness {
                within,
                unit,
                counted_by,
                ..
            } => {
                let base = format!("were completed within {within} {}", unit.words(*within));
                match counted_by {
                    CountedBy::End => base,
                    CountedBy::Due => format!("{base} (of those due in {})", r.period),
                }
            }
            Kind::Recurrence {
                id, within_months, ..
            } => format!(
                "were within {within_months} {} of a previous one for the same {}",
                TimeUnit::Months.words(*within_months),
                spaced(src.column_name(*id))
            ),
            Kind::Interval {
                max_gap,
                unit,
                window_months,
                ..
            } => format!(
                "had no gap of more than {max_gap} {} between {} in {} to {end}",
                unit.words(*max_gap),
                spaced(&src.name),
                the_months(*window_months)
            ),
            Kind::RollingCount {
                at_least,
                window_months,
                ..
            } => format!(
                "had {at_least} or more {} in {} to {end}",
                spaced(&src.name),
                the_months(*window_months)
            ),
            Kind::Rate { count, .. } => match count {
                RateCount::Events {
                    window_months: Some(w),
                    ..
                } => format!("in {} to {end}", the_months(*w)),
                RateCount::Events { .. } => format!("in {}", r.period),
                RateCount::Open { .. } => format!("at {end}"),
            },
        },
    };
    let count = |x: Decimal| crate::explain::number(x, Some(0));
    if let Kind::Rate { .. } = m.kind {
        let value = r
            .value
            .map(|v| format!(": {}", with_unit(v, ind.unit, ind.decimals)))
            .unwrap_or_default();
        return Some(format!(
            "{} {noun} {phrase}, in a population of {}{value}.",
            count(n),
            count(d)
        ));
    }
    if d.is_zero() {
        return Some(format!("No {noun} were counted for {}.", r.period));
    }
    let value = r
        .value
        .map(|v| format!(", {},", with_unit(v, ind.unit, ind.decimals)))
        .unwrap_or_default();
    Some(format!(
        "{} of {} {noun}{value} {phrase}.",
        count(n),
        count(d)
    ))
}

fn long_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = MONTHS.get(d.month0() as usize).copied().unwrap_or("");
    format!("{} {month} {}", d.day(), d.year())
}

/// `the month` or `the 3 months`, for a window ending at a period's end.
pub(crate) fn the_months(n: u32) -> String {
    if n == 1 {
        "the month".to_string()
    } else {
        format!("the {n} months")
    }
}

//! The monthly report: one self-contained HTML file from a scorecard and its
//! data, in the shape of a council's "Practice and Performance Summary".
//!
//! A cover (theme RAG strip, counts by status, what changed since the
//! previous period) and, per theme, its RAG, a table row and an SVG chart per
//! indicator, the generated "what the data tells us" sentences and the
//! analysis and next steps people wrote (a [`Narrative`] file).
//!
//! The HTML needs no script and names no other host: CSS and charts are
//! inline, and a print stylesheet lays it out on A4 with each theme on a new
//! page. Status is always written as text beside its colour, and charts mark
//! special causes by shape, so the report reads in greyscale.
//!
//! Text in, text out: no I/O, so the CLI and the Python binding share it.
//!
//! ```
//! use ragulator::Scorecard;
//! use ragulator_report::{render, ReportOptions};
//!
//! let s = Scorecard::from_toml("ragulator = 1\n[[theme]]\nid='t'\nname='Timeliness'\n\
//!     [[indicator]]\nid='x'\nname='Visits in time'\ntheme='t'\nunit='percent'\n\
//!     polarity='higher_is_better'\ntarget=90\nrag={rule='target',amber=5}\n").unwrap();
//! let data = s.read_csv(b"indicator,period,value\nx,2022-05,91\nx,2022-06,87\n").unwrap();
//! let html = render(&s, &data, &ReportOptions::default()).unwrap();
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("Visits in time"));
//! assert!(html.contains("June 2022"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::HashMap;

use ragulator::{
    DataError, EvaluateOptions, Evaluation, IndicatorResult, Observations, Override, Period,
    Scorecard, SpcChart, ThemeResult,
};

mod chart;
mod narrative;
mod page;
mod text;

pub use narrative::{Narrative, NarrativeEntry, NarrativeError};

/// Periods charted per indicator unless [`ReportOptions::history`] says otherwise.
pub const DEFAULT_HISTORY: usize = 24;

/// Fewest and most periods a chart may show.
pub const HISTORY_RANGE: std::ops::RangeInclusive<usize> = 2..=120;

/// What to report on, and what to add.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The period reported (`2022-06`); default: the latest period with a
    /// value for the entity.
    pub period: Option<String>,
    /// The entity reported; default: the only entity in the data (an error
    /// names them when there are several).
    pub entity: Option<String>,
    /// Human judgements replacing computed statuses (shown with the computed
    /// status and the reason).
    pub overrides: Vec<Override>,
    /// Analysis and next steps by theme and period.
    pub narrative: Option<Narrative>,
    /// Periods charted per indicator, up to and including the reported one.
    pub history: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            period: None,
            entity: None,
            overrides: Vec::new(),
            narrative: None,
            history: DEFAULT_HISTORY,
        }
    }
}

/// Why a report could not be produced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReportError {
    /// The data has several entities and none was chosen.
    #[error("the data has {} entities; choose one with the entity option: {}", .0.len(), .0.join(", "))]
    EntityRequired(Vec<String>),
    /// The entity chosen is not in the data.
    #[error("no data for entity '{entity}'; the data's entities are: {}", entities.join(", "))]
    UnknownEntity {
        /// The entity asked for.
        entity: String,
        /// The entities the data has.
        entities: Vec<String>,
    },
    /// No indicator has a value for the entity at all.
    #[error("the data has no values for this scorecard's indicators{}", entity_note(.0))]
    NoData(Option<String>),
    /// The period option is not a period.
    #[error("the period option is not a period: {0}")]
    Period(String),
    /// No indicator has a value in the period asked for.
    #[error("no indicator has a value for {period}{}; periods with values run from {first} to {last}", entity_note(.entity))]
    NoDataForPeriod {
        /// The period asked for.
        period: String,
        /// The entity.
        entity: Option<String>,
        /// First period with a value.
        first: String,
        /// Last period with a value.
        last: String,
    },
    /// `history` is out of range.
    #[error("history must be {lo} to {hi} periods, not {0}", lo = HISTORY_RANGE.start(), hi = HISTORY_RANGE.end())]
    History(usize),
    /// Evaluation failed (a bad override, for instance).
    #[error(transparent)]
    Data(#[from] DataError),
}

fn entity_note(entity: &Option<String>) -> String {
    match entity {
        Some(e) if !e.is_empty() => format!(" (entity '{e}')"),
        _ => String::new(),
    }
}

/// Renders the report as one HTML document.
///
/// Evaluates the scorecard for the chosen entity at every period (for the
/// charts and the previous period's statuses) and at the reported period
/// (every indicator, with or without a value), with `options.overrides`.
pub fn render(
    scorecard: &Scorecard,
    data: &Observations,
    options: &ReportOptions,
) -> Result<String, ReportError> {
    let report = Report::build(scorecard, data, options)?;
    Ok(page::document(&report))
}

/// The entity reported: the one asked for (checked), else the only one.
fn choose_entity(data: &Observations, asked: Option<&str>) -> Result<String, ReportError> {
    let entities: Vec<String> = data.entities().map(str::to_string).collect();
    // Observations always list the blank entity (rows without one), used
    // or not: with named entities it is not a choice of its own.
    let mut named: Vec<String> = entities.iter().filter(|e| !e.is_empty()).cloned().collect();
    // Listed sorted, as every other message naming the data's entities.
    named.sort_unstable();
    match asked {
        Some(e) if entities.iter().any(|x| x == e) => Ok(e.to_string()),
        Some(e) => Err(ReportError::UnknownEntity {
            entity: e.to_string(),
            entities: named,
        }),
        None => match (named.as_slice(), entities.is_empty()) {
            ([], true) => Err(ReportError::NoData(None)),
            ([], false) => Ok(String::new()),
            ([one], _) => Ok(one.clone()),
            _ => Err(ReportError::EntityRequired(named)),
        },
    }
}

/// Everything the page shows, evaluated once.
pub(crate) struct Report<'a> {
    pub sc: &'a Scorecard,
    /// `None` for data without an entity column.
    pub entity: Option<String>,
    pub period: Period,
    pub previous_period: Option<Period>,
    /// Every indicator at the reported period.
    pub current: Evaluation,
    /// Every indicator at the previous period, when the data has values there.
    pub previous: Option<Evaluation>,
    /// Every period with data, for charts.
    pub history: Evaluation,
    /// SPC charts up to the reported period, by indicator id, for indicators with `spc`.
    pub spc: HashMap<String, SpcChart>,
    pub narrative: Option<&'a Narrative>,
    pub history_len: usize,
    pub rejected: usize,
    pub input_rows: usize,
}

impl<'a> Report<'a> {
    fn build(
        sc: &'a Scorecard,
        data: &Observations,
        options: &'a ReportOptions,
    ) -> Result<Report<'a>, ReportError> {
        if !HISTORY_RANGE.contains(&options.history) {
            return Err(ReportError::History(options.history));
        }
        let entity = choose_entity(data, options.entity.as_deref())?;
        let evaluate = |period: Option<Period>, explain: bool| {
            sc.evaluate(
                data,
                &EvaluateOptions {
                    period: period.map(|p| p.to_string()),
                    entity: Some(entity.clone()),
                    overrides: options.overrides.clone(),
                    explain,
                },
            )
        };
        let history = evaluate(None, false)?;
        let with_value = |p: Period| {
            history
                .results
                .iter()
                .any(|r| r.period == p && r.value.is_some())
        };
        let valued: Vec<Period> = history
            .results
            .iter()
            .filter(|r| r.value.is_some())
            .map(|r| r.period)
            .collect();
        let named = (!entity.is_empty()).then(|| entity.clone());
        let (Some(first), Some(last)) = (valued.iter().min(), valued.iter().max()) else {
            return Err(ReportError::NoData(named));
        };
        let period = match options.period.as_deref() {
            Some(text) => sc
                .parse_period(text)
                .map_err(|e| ReportError::Period(e.to_string()))?,
            None => *last,
        };
        if !with_value(period) {
            return Err(ReportError::NoDataForPeriod {
                period: period.to_string(),
                entity: named,
                first: first.to_string(),
                last: last.to_string(),
            });
        }
        let current = evaluate(Some(period), true)?;
        let previous_period = period.previous();
        let previous = match previous_period {
            Some(p) if with_value(p) => Some(evaluate(Some(p), false)?),
            _ => None,
        };
        let mut spc = HashMap::new();
        for ind in sc.indicators() {
            let charted = history
                .results
                .iter()
                .any(|r| *r.indicator == *ind.id && r.spc.is_some());
            if charted {
                let who = (!entity.is_empty()).then_some(entity.as_str());
                spc.insert(
                    ind.id.clone(),
                    sc.spc_until(data, &ind.id, who, Some(period))?,
                );
            }
        }
        Ok(Report {
            sc,
            entity: named,
            period,
            previous_period,
            current,
            previous,
            history,
            spc,
            narrative: options.narrative.as_ref(),
            history_len: options.history,
            rejected: data.rejected().len(),
            input_rows: data.input_rows(),
        })
    }

    /// An indicator's result at the reported period.
    pub fn result(&self, indicator: &str) -> Option<&IndicatorResult> {
        self.current
            .results
            .iter()
            .find(|r| &*r.indicator == indicator)
    }

    /// An indicator's result at the previous period.
    pub fn previous_result(&self, indicator: &str) -> Option<&IndicatorResult> {
        self.previous
            .as_ref()?
            .results
            .iter()
            .find(|r| &*r.indicator == indicator)
    }

    /// A theme's roll-up at the reported period.
    pub fn theme(&self, theme: &str) -> Option<&ThemeResult> {
        self.current.themes.iter().find(|t| &*t.theme == theme)
    }

    /// A theme's roll-up at the previous period.
    pub fn previous_theme(&self, theme: &str) -> Option<&ThemeResult> {
        self.previous
            .as_ref()?
            .themes
            .iter()
            .find(|t| &*t.theme == theme)
    }

    /// The periods charted: the last `history_len` periods of the reported
    /// period's kind, up to and including it, with gaps kept.
    pub fn chart_periods(&self) -> Vec<Period> {
        let mut periods = vec![self.period];
        while periods.len() < self.history_len {
            match periods.last().and_then(Period::previous) {
                Some(p) => periods.push(p),
                None => break,
            }
        }
        periods.reverse();
        // Leading periods before the data starts add nothing.
        let first_with_data = periods.iter().position(|p| {
            self.history
                .results
                .iter()
                .any(|r| r.period == *p && r.value.is_some())
        });
        periods.split_off(first_with_data.unwrap_or(0))
    }

    /// An indicator's results over the charted periods (`None` where it has none).
    pub fn series(&self, indicator: &str, periods: &[Period]) -> Vec<Option<&IndicatorResult>> {
        periods
            .iter()
            .map(|p| {
                if *p == self.period {
                    return self.result(indicator);
                }
                self.history
                    .results
                    .iter()
                    .find(|r| &*r.indicator == indicator && r.period == *p)
            })
            .collect()
    }
}

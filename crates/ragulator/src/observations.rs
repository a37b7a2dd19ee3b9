//! Observations: long-format data rows (DESIGN.md section 4), read from CSV
//! or JSON text or pushed row by row, checked against a scorecard.
//!
//! Every input row ends up used or in [`Observations::rejected`] with its
//! row number and a reason; nothing is dropped silently.

use rustc_hash::FxHashMap as HashMap;

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::error::DataError;
use crate::eval::Rejected;
use crate::load::Scorecard;
use crate::model::{self, parse_decimal, Override, OverrideTarget};
use crate::period::Period;

/// Longest CSV record accepted, in bytes; longer rows are rejected.
pub const MAX_ROW_BYTES: usize = 64 * 1024;

/// The rows of a CSV file with a header, for the data and records readers:
/// a UTF-8 BOM is skipped, rows may be LF or CRLF with quoted fields, and
/// a row that cannot be read, is over [`MAX_ROW_BYTES`] or has a different
/// number of fields from the header comes back as the reason to reject it.
pub(crate) struct CsvRows<'a> {
    /// The input, for telling an unclosed quote from a quoted line break.
    bytes: &'a [u8],
    reader: csv::Reader<&'a [u8]>,
    /// The header's names, trimmed.
    pub names: Vec<String>,
    record: csv::ByteRecord,
}

impl<'a> CsvRows<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Self, DataError> {
        let bytes = crate::load::without_bom_bytes(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(bytes);
        let names = reader
            .byte_headers()
            .map_err(|e| DataError::new(format!("could not read the CSV header: {e}")))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        Ok(CsvRows {
            bytes,
            reader,
            names,
            record: csv::ByteRecord::new(),
        })
    }

    /// How many fields the last row read had.
    pub(crate) fn fields_read(&self) -> usize {
        self.record.len()
    }

    /// The next row: `None` at the end, `Some(Err(reason))` for a row to
    /// reject.
    pub(crate) fn next_row(&mut self) -> Option<Result<&csv::ByteRecord, String>> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => return Some(Err(format!("unreadable CSV row: {e}"))),
        }
        let bytes = self.record.as_slice().len();
        let end = self.reader.position();
        let fields = self.record.as_slice();
        if let Some(reason) = unclosed_quote(self.bytes, self.record.position(), end, fields) {
            return Some(Err(reason));
        }
        Some(if bytes > MAX_ROW_BYTES {
            Err(format!(
                "row is {bytes} bytes long; the limit is {MAX_ROW_BYTES} bytes"
            ))
        } else if self.record.len() != self.names.len() {
            Err(format!(
                "row has {} fields; the header has {}",
                self.record.len(),
                self.names.len()
            ))
        } else {
            Ok(&self.record)
        })
    }
}

/// Why a CSV row is the rest of the file: a quote opened and never closed
/// makes the CSV reader take every following line into that field, so
/// those rows would vanish into one row (rejected with a puzzling reason,
/// or, for an override's reason, silently). `record` is the row's text
/// (from its start to where the reader stopped, which for an unclosed
/// quote is the end of `input`): it holds an odd number of quotes exactly
/// when it ended inside a quoted field (a quote within one is written
/// twice). Only the last row, and only with a line break in a field, is
/// looked at: the other rows cost one comparison.
pub(crate) fn unclosed_quote(
    input: &[u8],
    start: Option<&csv::Position>,
    end: &csv::Position,
    fields: &[u8],
) -> Option<String> {
    if usize::try_from(end.byte()).ok()? != input.len() || !fields.contains(&b'\n') {
        return None;
    }
    let start = start?;
    let text = input.get(usize::try_from(start.byte()).ok()?..)?;
    let quotes = text.iter().filter(|&&b| b == b'"').count();
    (quotes % 2 == 1).then(|| {
        let breaks = text.iter().filter(|&&b| b == b'\n').count() as u64;
        let last = start.line() + breaks - u64::from(text.ends_with(b"\n"));
        format!(
            "a quote opened on line {} is never closed, so lines {} to {last} (the rest of the file) were read as one row; close the quote (a quote inside a quoted field is written twice: \"\")",
            start.line(),
            start.line(),
        )
    })
}

/// One input cell of a numeric column, as a binding or reader found it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Absent or empty: a missing value.
    Empty,
    /// Text to parse as a decimal.
    Text(&'a str),
    /// An exact decimal.
    Decimal(Decimal),
    /// A binary float, taken by its shortest representation; NaN is missing,
    /// infinities are rejected.
    Float(f64),
    /// A cell that could not be read (for example invalid UTF-8), with the reason.
    Invalid(&'a str),
}

/// One input row, before checking: the shape bindings and readers produce.
///
/// ```
/// use ragulator::{Cell, RawRow, Scorecard};
/// let s = Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='none'\n").unwrap();
/// let mut b = s.observations();
/// b.push(RawRow { indicator: Some("x"), period: Some("2022-06"), value: Cell::Text("3"), ..RawRow::default() });
/// b.push(RawRow { indicator: Some("y"), period: Some("2022-06"), value: Cell::Text("3"), ..RawRow::default() });
/// let obs = b.finish();
/// assert_eq!(obs.len(), 1);
/// assert_eq!(obs.rejected()[0].reason, "unknown indicator 'y'");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawRow<'a> {
    /// The entity (council, team); `None` or empty: the default entity.
    pub entity: Option<&'a str>,
    /// The indicator id (required).
    pub indicator: Option<&'a str>,
    /// The period (required).
    pub period: Option<&'a str>,
    /// `actual` (default), `target`, or a comparator name.
    pub series: Option<&'a str>,
    /// The value.
    pub value: Cell<'a>,
    /// The numerator, with `denominator`, instead of `value`.
    pub numerator: Cell<'a>,
    /// The denominator.
    pub denominator: Cell<'a>,
}

impl Default for RawRow<'_> {
    fn default() -> Self {
        RawRow {
            entity: None,
            indicator: None,
            period: None,
            series: None,
            value: Cell::Empty,
            numerator: Cell::Empty,
            denominator: Cell::Empty,
        }
    }
}

/// Series ids: 0 is `actual`, 1 is `target`, others index `Observations::series_names`.
pub(crate) const ACTUAL: u32 = 0;
pub(crate) const TARGET: u32 = 1;

/// What a row says about its period's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// A number (already `numerator / denominator × k` when given as a ratio).
    Value(Decimal),
    /// An empty cell.
    Missing,
    /// A ratio with a zero denominator.
    ZeroDenominator,
}

/// A checked row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obs {
    pub row: u32,
    pub entity: u32,
    pub indicator: u32,
    pub period: Period,
    pub series: u32,
    pub reading: Reading,
    /// Index of the ratio (numerator, denominator) in
    /// [`Observations::ratios`], kept for explanations; [`NO_RATIO`] when
    /// the row gave a value. Out of line: few rows are ratios, and a
    /// smaller row is less memory for evaluation to stream through.
    pub ratio: u32,
}

impl Obs {
    /// The reading evaluation uses (DESIGN.md 3.1): an actual value
    /// rounded to the indicator's `decimals`, a target or comparator
    /// brought to that scale (the same number, compared faster). The same
    /// reading whether the row was rounded when finished (then this only
    /// checks the scale) or kept as given, for one evaluation
    /// ([`ObservationsBuilder::finish_to_evaluate_once`]).
    #[inline(always)]
    pub(crate) fn reading_at(&self, decimals: Option<u32>) -> Reading {
        match self.reading {
            Reading::Value(v) if self.series == ACTUAL => {
                Reading::Value(crate::eval::round_value(v, decimals))
            }
            Reading::Value(v) => Reading::Value(crate::load::at_scale(v, decimals)),
            other => other,
        }
    }
}

/// [`Obs::ratio`] of a row without a ratio.
pub(crate) const NO_RATIO: u32 = u32::MAX;

/// Checked observations, grouped by entity, indicator, period and series;
/// ready to evaluate any number of times.
#[derive(Debug, Clone)]
pub struct Observations {
    pub(crate) rows: Vec<Obs>,
    pub(crate) entities: Vec<String>,
    pub(crate) series_names: Vec<String>,
    /// The ratios of rows given as numerator and denominator.
    ratios: Vec<(Decimal, Decimal)>,
    rejected: Vec<Rejected>,
    input_rows: usize,
    /// Whether values were rounded when the rows were finished (else they
    /// are as given, and [`Obs::reading_at`] rounds them where judged).
    pub(crate) rounded: bool,
    /// The fingerprint of the scorecard that read them.
    pub(crate) fingerprint: u64,
}

impl Observations {
    /// The numerator and denominator a row was given as, if it was.
    pub(crate) fn ratio(&self, o: &Obs) -> Option<(Decimal, Decimal)> {
        self.ratios.get(o.ratio as usize).copied()
    }

    /// Number of rows used (input rows minus rejected). Identical duplicate
    /// rows are all used, though they make one observation, so this can
    /// exceed the number of distinct observations.
    pub fn len(&self) -> usize {
        self.input_rows.saturating_sub(self.rejected.len())
    }
    /// Whether no row was used.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// Rows rejected while reading, with their row numbers and reasons, by row.
    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }
    /// Number of input rows read.
    pub fn input_rows(&self) -> usize {
        self.input_rows
    }
    /// The entities seen, in first-seen order (`""` is the default entity).
    pub fn entities(&self) -> impl Iterator<Item = &str> {
        self.entities.iter().map(String::as_str)
    }

    /// Why an entity option gives nothing, when the data has no rows for
    /// that entity (a typo, most likely): the sentence names the entities
    /// the data has (the first ten, sorted). `None` when it has rows.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='none'\n").unwrap();
    /// let data = s.read_csv(b"entity,indicator,period,value\nyork,x,2022-06,1\n").unwrap();
    /// assert_eq!(data.missing_entity("york"), None);
    /// assert_eq!(
    ///     data.missing_entity("yrok").as_deref(),
    ///     Some("the data has no rows for entity 'yrok' (its entities: york)")
    /// );
    /// ```
    pub fn missing_entity(&self, entity: &str) -> Option<String> {
        if self.entities().any(|e| e == entity) {
            return None;
        }
        let mut known: Vec<&str> = self.entities().filter(|k| !k.is_empty()).collect();
        known.sort_unstable();
        let listed = match known.len() {
            0 => "the data has no entity column".to_string(),
            n if n <= 10 => format!("its entities: {}", known.join(", ")),
            n => format!("its entities: {}, ... ({n} in all)", known[..10].join(", ")),
        };
        Some(format!(
            "the data has no rows for entity '{entity}' ({listed})"
        ))
    }
}

/// Builds [`Observations`] row by row; created by [`Scorecard::observations`].
pub struct ObservationsBuilder<'s> {
    scorecard: &'s Scorecard,
    rows: Vec<Obs>,
    ratios: Vec<(Decimal, Decimal)>,
    entities: Vec<String>,
    entity_ix: HashMap<String, u32>,
    series_names: Vec<String>,
    series_ix: HashMap<String, u32>,
    periods: HashMap<String, Result<Period, String>>,
    /// Recently read periods written in at most eight bytes (nearly all:
    /// `2022-06`, `2022-Q2`, `2022/23`), by their bytes: a look-up without
    /// hashing or comparing strings, for the same few periods row after row.
    recent_periods: Box<[(u64, u8, Option<Period>); RECENT_PERIODS]>,
    rejected: Vec<Rejected>,
    next_row: usize,
    /// Set by the measure code: its rows may give measured indicators' values.
    pub(crate) computing: bool,
    /// The previous row's indicator and entity: data usually comes grouped,
    /// and comparing one string is cheaper than hashing it.
    last_indicator: usize,
    last_entity: u32,
    /// Whether the rows are already in group order (data usually comes
    /// sorted or grouped that way), so [`finish`](Self::finish) need not sort.
    sorted: bool,
    /// Whether, while sorted, a row fell in the previous row's group: only
    /// then (or unsorted) does [`finish`](Self::finish) look for duplicates.
    repeats: bool,
}

impl<'s> ObservationsBuilder<'s> {
    fn new(scorecard: &'s Scorecard) -> Self {
        let mut entity_ix = HashMap::default();
        entity_ix.insert(String::new(), 0);
        let series_names = vec!["actual".to_string(), "target".to_string()];
        let series_ix = series_names
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        ObservationsBuilder {
            scorecard,
            rows: Vec::new(),
            ratios: Vec::new(),
            entities: vec![String::new()],
            entity_ix,
            series_names,
            series_ix,
            periods: HashMap::default(),
            recent_periods: Box::new([(0, 0, None); RECENT_PERIODS]),
            rejected: Vec::new(),
            next_row: 0,
            computing: false,
            last_indicator: usize::MAX,
            last_entity: 0,
            sorted: true,
            repeats: false,
        }
    }

    /// Reserves room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.rows.reserve(n);
    }

    /// Checks and adds the next row (rows are numbered from 1 in push order).
    pub fn push(&mut self, raw: RawRow<'_>) {
        self.next_row += 1;
        let row = self.next_row;
        if let Err(reason) = self.check(row, raw) {
            self.rejected.push(Rejected { row, reason });
        }
    }

    /// Records a row that could not even be split into cells.
    pub fn reject(&mut self, reason: impl Into<String>) {
        self.next_row += 1;
        self.rejected.push(Rejected {
            row: self.next_row,
            reason: reason.into(),
        });
    }

    fn check(&mut self, row: usize, raw: RawRow<'_>) -> Result<(), String> {
        // Field by field, not a trimmed copy of the row: copying the cells
        // stalls on loading, as a whole, what the caller stored in parts.
        let entity_text = raw.entity.map(trim);
        let indicator_text = raw.indicator.map(trim);
        let period_text = raw.period.map(trim);
        let series_text = raw.series.map(trim);
        let indicator_id = indicator_text
            .filter(|s| !s.is_empty())
            .ok_or("no indicator given")?;
        let indicator_ix = match self.scorecard.indicators.get(self.last_indicator) {
            Some(last) if same_text(&last.id, indicator_id) => self.last_indicator,
            _ => *self
                .scorecard
                .indicator_by_id
                .get(indicator_id)
                .ok_or_else(|| format!("unknown indicator '{indicator_id}'"))?,
        };
        self.last_indicator = indicator_ix;
        let indicator = &self.scorecard.indicators[indicator_ix];
        let period_text = period_text
            .filter(|s| !s.is_empty())
            .ok_or("no period given")?;
        let short = short_key(period_text);
        let slot = short.map(|(key, len)| (key, len, recent_slot(key)));
        let recent = slot.and_then(|(key, len, slot)| match self.recent_periods.get(slot) {
            Some(&(k, l, Some(p))) if k == key && l == len => Some(p),
            _ => None,
        });
        let period = match recent {
            Some(p) => p,
            None => {
                let period = match self.periods.get(period_text) {
                    Some(p) => p.clone()?,
                    None => {
                        let parsed = self
                            .scorecard
                            .parse_period(period_text)
                            .map_err(|e| format!("bad period: {e}"));
                        self.periods.insert(period_text.to_string(), parsed.clone());
                        parsed?
                    }
                };
                if let Some((key, len, slot)) = slot {
                    if let Some(entry) = self.recent_periods.get_mut(slot) {
                        *entry = (key, len, Some(period));
                    }
                }
                period
            }
        };
        let series = match series_text.filter(|s| !s.is_empty()) {
            None | Some("actual") => ACTUAL,
            Some(name) => {
                // Matched as column names are, ignoring case: `Actual` is
                // the actual, `England` the comparator `england` (comparator
                // names are lower case).
                let lower;
                let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                    lower = name.to_ascii_lowercase();
                    lower.as_str()
                } else {
                    name
                };
                match self.series_ix.get(name) {
                    Some(&s) => s,
                    None => self.series_id(name),
                }
            }
        };
        if series == ACTUAL && indicator.is_measured() && !self.computing {
            return Err(format!(
                "indicator '{indicator_id}' is computed from records (it has a measure), so data rows cannot give its value; targets and comparators may still come from data"
            ));
        }
        if series == TARGET && indicator.polarity == model::Polarity::Range {
            return Err(format!(
                "indicator '{indicator_id}' has a range target, which a data row cannot give; set it in the scorecard"
            ));
        }
        let (reading, ratio) = if blank(raw.numerator) && blank(raw.denominator) {
            // The usual row: a value or nothing, no ratio. A float with
            // few digits (DataFrames' usual cell) is converted straight away.
            let short = match raw.value {
                Cell::Float(f) => model::short_decimal(f),
                _ => None,
            };
            let value = match short {
                Some(v) => Some(v),
                None => number(raw.value, "value")?,
            };
            (value.map_or(Reading::Missing, Reading::Value), None)
        } else {
            ratio_reading(raw, indicator)?
        };
        let entity_name = entity_text.unwrap_or("");
        let same = self
            .entities
            .get(self.last_entity as usize)
            .is_some_and(|e| same_text(e, entity_name));
        let known = if same {
            Some(self.last_entity)
        } else {
            self.entity_ix.get(entity_name).copied()
        };
        let entity = match known {
            Some(e) => e,
            None => self.entity_id(entity_name),
        };
        self.last_entity = entity;
        let ratio = match ratio {
            Some(r) => {
                self.ratios.push(r);
                u32::try_from(self.ratios.len() - 1)
                    .ok()
                    .filter(|&i| i != NO_RATIO)
                    .ok_or_else(|| "more than 4,294,967,294 ratio rows".to_string())?
            }
            None => NO_RATIO,
        };
        let indicator = indicator_ix as u32;
        // Checked on the fields, before the row is built: a reference to
        // the row would put it on the stack, and copying it from there into
        // the vector stalls (its words are stored one by one, loaded as one).
        if self.sorted {
            if let Some(last) = self.rows.last() {
                match group_order(last, entity, indicator, period, series) {
                    Ordering::Less => {}
                    Ordering::Equal => self.repeats = true,
                    Ordering::Greater => self.sorted = false,
                }
            }
        }
        self.rows.push(Obs {
            row: row as u32,
            entity,
            indicator,
            period,
            series,
            reading,
            ratio,
        });
        Ok(())
    }

    /// The index of an entity name, added if new.
    fn entity_id(&mut self, name: &str) -> u32 {
        if let Some(&e) = self.entity_ix.get(name) {
            return e;
        }
        let e = self.entities.len() as u32;
        self.entities.push(name.to_string());
        self.entity_ix.insert(name.to_string(), e);
        e
    }

    /// The index of a series name, added if new.
    fn series_id(&mut self, name: &str) -> u32 {
        if let Some(&s) = self.series_ix.get(name) {
            return s;
        }
        let s = self.series_names.len() as u32;
        self.series_names.push(name.to_string());
        self.series_ix.insert(name.to_string(), s);
        s
    }

    /// Appends the rows another builder checked, as if they had been pushed
    /// after this builder's: row numbers, rejected rows, entities and series
    /// carry over, and [`finish`](Self::finish) groups and checks
    /// duplicates across both. For reading a large input on several
    /// threads: each chunk into its own builder from the same scorecard,
    /// then one `append` per chunk, in input order, and one `finish`. The
    /// result is the one pushing every row into one builder gives.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
    /// let row = |period, value| ragulator::RawRow {
    ///     indicator: Some("x"), period: Some(period), value: ragulator::Cell::Text(value), ..ragulator::RawRow::default()
    /// };
    /// let (mut first, mut second) = (s.observations(), s.observations());
    /// first.push(row("2022-05", "4"));
    /// second.push(row("2022-05", "6")); // row 2: conflicts with row 1
    /// second.push(row("2022-06", "5"));
    /// first.append(second);
    /// let data = first.finish();
    /// assert_eq!(data.len(), 1);
    /// assert_eq!(data.rejected().iter().map(|r| r.row).collect::<Vec<_>>(), [1, 2]);
    /// ```
    pub fn append(&mut self, other: ObservationsBuilder<'s>) {
        let offset = self.next_row;
        let entities: Vec<u32> = other.entities.iter().map(|e| self.entity_id(e)).collect();
        let series: Vec<u32> = other
            .series_names
            .iter()
            .map(|n| self.series_id(n))
            .collect();
        // Still in group order when both parts are, the other's entities and
        // series keep their order under this builder's numbering (so the
        // other's rows stay in order), and its first row follows this one's last.
        let increasing = |ids: &[u32]| ids.windows(2).all(|w| w[0] < w[1]);
        let stays_sorted =
            self.sorted && other.sorted && increasing(&entities) && increasing(&series);
        let ratio_offset = self.ratios.len();
        let appended_from = self.rows.len();
        self.ratios.extend(other.ratios);
        // One `extend` of an exact-size iterator: no capacity check per row.
        self.rows.extend(other.rows.into_iter().map(|o| {
            let ratio = match o.ratio {
                NO_RATIO => NO_RATIO,
                // Past 4,294,967,294 ratio rows a ratio is no longer kept
                // for explanations (the value still is), as in merging.
                r => u32::try_from(r as usize + ratio_offset)
                    .ok()
                    .filter(|&i| i != NO_RATIO)
                    .unwrap_or(NO_RATIO),
            };
            Obs {
                row: o.row.saturating_add(offset as u32),
                entity: entities.get(o.entity as usize).copied().unwrap_or(0),
                series: series.get(o.series as usize).copied().unwrap_or(0),
                ratio,
                ..o
            }
        }));
        let boundary = match (appended_from.checked_sub(1), self.rows.get(appended_from)) {
            (Some(last), Some(first)) => self
                .rows
                .get(last)
                .map(|l| group_order(l, first.entity, first.indicator, first.period, first.series)),
            _ => None,
        };
        self.sorted = stays_sorted && boundary != Some(Ordering::Greater);
        self.repeats = self.repeats || other.repeats || boundary == Some(Ordering::Equal);
        self.rejected
            .extend(other.rejected.into_iter().map(|r| Rejected {
                row: r.row + offset,
                reason: r.reason,
            }));
        self.next_row += other.next_row;
    }

    /// Groups the rows and rejects conflicting duplicates (every row of a
    /// conflict, so the outcome does not depend on row order), and rounds
    /// values to their indicators' decimals once, for every evaluation.
    pub fn finish(self) -> Observations {
        self.finish_threaded(1)
    }

    /// [`finish`](Self::finish) with the grouping (duplicate checks and
    /// rounding) shared by up to `threads` threads, each taking a run of
    /// whole groups: the same observations. For a host with cores to spare
    /// and a large input; WebAssembly, which has no threads, groups on one.
    pub fn finish_threaded(self, threads: usize) -> Observations {
        self.finish_with(threads, true)
    }

    /// [`finish_threaded`](Self::finish_threaded) for observations to be
    /// evaluated once: values are left as given and each evaluation rounds
    /// them as it judges them. Rows in group order with no group repeated
    /// (most data) are then used as read, with no pass over them; evaluating
    /// them many times costs more than after `finish_threaded`, which rounds
    /// once. Every evaluation gives the same results either way.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ndecimals=1\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
    /// use ragulator::observations::ObservationsBuilder;
    /// let read = |finish: fn(ObservationsBuilder<'_>) -> ragulator::Observations| {
    ///     let mut b = s.observations();
    ///     b.push(ragulator::RawRow { indicator: Some("x"), period: Some("2022-05"), value: ragulator::Cell::Text("4.95"), ..Default::default() });
    ///     let data = finish(b);
    ///     s.evaluate(&data, &Default::default()).unwrap().to_json()["results"][0]["value"].clone()
    /// };
    /// assert_eq!(read(|b| b.finish_threaded(2)), "5.0");
    /// assert_eq!(read(|b| b.finish_to_evaluate_once(2)), "5.0");
    /// ```
    pub fn finish_to_evaluate_once(self, threads: usize) -> Observations {
        self.finish_with(threads, false)
    }

    fn finish_with(self, threads: usize, round: bool) -> Observations {
        let ObservationsBuilder {
            mut rows,
            ratios,
            entities,
            series_names,
            mut rejected,
            next_row,
            scorecard,
            sorted,
            repeats,
            ..
        } = self;
        if !sorted {
            rows.sort_unstable_by(|a, b| {
                (a.entity, a.indicator, a.period, a.series, a.row).cmp(&(
                    b.entity,
                    b.indicator,
                    b.period,
                    b.series,
                    b.row,
                ))
            });
        }
        // Rows in group order with no group repeated are one row a group
        // already (data usually comes so): nothing to compare, and nothing
        // to do unless values are to be rounded now.
        if !sorted || repeats || round {
            let names = Names {
                scorecard,
                entities: &entities,
                series_names: &series_names,
                ratios: &ratios,
            };
            // Runs of whole groups (a group never straddles two runs).
            let threads = threads.clamp(1, 64);
            let mut runs: Vec<&mut [Obs]> = Vec::with_capacity(threads);
            let mut rest: &mut [Obs] = &mut rows;
            for t in (2..=threads).rev() {
                let mut cut = rest.len() / t;
                while cut > 0 && cut < rest.len() && same_group(&rest[cut - 1], &rest[cut]) {
                    cut += 1;
                }
                let (run, tail) = rest.split_at_mut(cut.min(rest.len()));
                runs.push(run);
                rest = tail;
            }
            runs.push(rest);
            let compacted = compact_runs(runs, &names, round);
            // Kept rows move down over the gaps the runs left.
            let mut kept = 0;
            let mut start = 0;
            for (len, run_kept, run_rejected) in compacted {
                if start != kept {
                    rows.copy_within(start..start + run_kept, kept);
                }
                kept += run_kept;
                start += len;
                rejected.extend(run_rejected);
            }
            rows.truncate(kept);
        }
        rejected.sort_by_key(|r| r.row);
        Observations {
            rows,
            entities,
            series_names,
            ratios,
            rejected,
            input_rows: next_row,
            rounded: round,
            fingerprint: scorecard.fingerprint,
        }
    }
}

/// What a conflict's message names.
struct Names<'a> {
    scorecard: &'a Scorecard,
    entities: &'a [String],
    series_names: &'a [String],
    ratios: &'a [(Decimal, Decimal)],
}

/// Where a row of group (`entity`, `indicator`, `period`, `series`) falls
/// against row `a` in group order: after it (`Less`: `a` comes first), in
/// its group (`Equal`), or before it (`Greater`).
#[inline]
fn group_order(a: &Obs, entity: u32, indicator: u32, period: Period, series: u32) -> Ordering {
    // Field by field: cheaper than comparing tuples, and this runs per row.
    if a.entity != entity {
        return a.entity.cmp(&entity);
    }
    if a.indicator != indicator {
        return a.indicator.cmp(&indicator);
    }
    if a.period != period {
        return a.period.cmp(&period);
    }
    a.series.cmp(&series)
}

fn same_group(a: &Obs, b: &Obs) -> bool {
    (a.entity, a.indicator, a.period, a.series) == (b.entity, b.indicator, b.period, b.series)
}

/// Each run compacted (see [`compact`]): its length, rows kept, rows rejected.
#[cfg(not(target_arch = "wasm32"))]
fn compact_runs(
    runs: Vec<&mut [Obs]>,
    names: &Names<'_>,
    round: bool,
) -> Vec<(usize, usize, Vec<Rejected>)> {
    if runs.len() <= 1 {
        return runs.into_iter().map(|r| compact(r, names, round)).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|run| {
                let len = run.len();
                (len, scope.spawn(move || compact(run, names, round)))
            })
            .collect();
        handles
            .into_iter()
            .map(|(len, h)| {
                // A run whose thread failed keeps none of its rows, and says so.
                h.join().unwrap_or_else(|_| {
                    (
                        len,
                        0,
                        vec![Rejected {
                            row: 0,
                            reason: "internal error: a thread grouping these rows failed".into(),
                        }],
                    )
                })
            })
            .collect()
    })
}

/// WebAssembly has no threads: the runs one after the other.
#[cfg(target_arch = "wasm32")]
fn compact_runs(
    runs: Vec<&mut [Obs]>,
    names: &Names<'_>,
    round: bool,
) -> Vec<(usize, usize, Vec<Rejected>)> {
    runs.into_iter().map(|r| compact(r, names, round)).collect()
}

/// Compacts sorted rows in place: one row per group, its value rounded
/// when `round` (else left as given, for [`Obs::reading_at`] to round where
/// it is judged); every row of a group whose rows disagree rejected.
/// Returns the run's length, how many rows it kept (at its start) and the
/// rejected rows.
fn compact(rows: &mut [Obs], names: &Names<'_>, round: bool) -> (usize, usize, Vec<Rejected>) {
    let mut rejected = Vec::new();
    // Looked up once: the rows' indicators index this.
    let decimals: Vec<Option<u32>> = names
        .scorecard
        .indicators
        .iter()
        .map(|i| i.decimals)
        .collect();
    // Kept rows are compacted in place (slot `kept` <= `i`): a second
    // vector would be as large again, in fresh memory.
    let mut kept = 0;
    let mut i = 0;
    while i < rows.len() {
        let mut j = i + 1;
        while j < rows.len() && same_group(&rows[j], &rows[i]) {
            j += 1;
        }
        // Compared where the rows lie: a copy of the reading on the stack
        // costs a stalled load per row.
        let (head, tail) = rows.split_at(i + 1);
        let agree = tail[..j - i - 1]
            .iter()
            .all(|o| Some(&o.reading) == head.last().map(|h| &h.reading));
        if agree {
            // Rows that agree on the value may not on how it was given
            // (`1/2` and `2/4`, or `0.5` and `1/2`): the one kept is chosen
            // by that, not by row order (DESIGN.md 5: results do not depend
            // on row order).
            let pick = if j - i > 1 {
                (i..j)
                    .min_by_key(|&r| given_as(&rows[r], names.ratios))
                    .unwrap_or(i)
            } else {
                i
            };
            // Moved only when an earlier group was dropped, and rounded
            // where it lies: copying whole rows costs more than rounding.
            if kept != pick {
                rows[kept] = rows[pick];
            }
            if round {
                let row = &mut rows[kept];
                let decimals = decimals.get(row.indicator as usize).copied().flatten();
                row.reading = row.reading_at(decimals);
            }
            kept += 1;
        } else {
            rejected.extend(conflict(&rows[i..j], names));
        }
        i = j;
    }
    (rows.len(), kept, rejected)
}

/// How a row gave its value, to choose among rows that agree on it: a value
/// first, then the smallest numerator and denominator (as written: `1.0`
/// and `1` are told apart by their scale).
fn given_as(o: &Obs, ratios: &[(Decimal, Decimal)]) -> Option<(Decimal, u32, Decimal, u32)> {
    ratios
        .get(o.ratio as usize)
        .map(|&(n, d)| (n, n.scale(), d, d.scale()))
}

/// Every row of a group of rows that give different values, rejected.
fn conflict(group: &[Obs], names: &Names<'_>) -> Vec<Rejected> {
    let Some(first) = group.first() else {
        return Vec::new();
    };
    let entity = names
        .entities
        .get(first.entity as usize)
        .map(String::as_str)
        .unwrap_or("");
    let indicator = names
        .scorecard
        .indicators
        .get(first.indicator as usize)
        .map(|i| i.id.as_str())
        .unwrap_or("");
    let series = names
        .series_names
        .get(first.series as usize)
        .map(String::as_str)
        .unwrap_or("");
    let rows_list: Vec<String> = group.iter().map(|o| o.row.to_string()).collect();
    let values: Vec<String> = group.iter().map(|o| reading_text(o.reading)).collect();
    let who = if entity.is_empty() {
        String::new()
    } else {
        format!("{entity}, ")
    };
    group
        .iter()
        .map(|o| Rejected {
            row: o.row as usize,
            reason: format!(
                "conflicting duplicate: rows {} give different values ({}) for {who}{indicator}, {}, series {series}",
                rows_list.join(", "),
                values.join(", "),
                o.period
            ),
        })
        .collect()
}

/// `str::trim`, with a shortcut for the usual cell that starts and ends
/// with a visible ASCII character (every byte of Unicode white space is
/// either at most b' ' or not ASCII).
fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [first, .., last] if (b'!'..=b'~').contains(first) && (b'!'..=b'~').contains(last) => s,
        [only] if (b'!'..=b'~').contains(only) => s,
        _ => s.trim(),
    }
}

fn reading_text(r: Reading) -> String {
    match r {
        Reading::Value(v) => v.normalize().to_string(),
        Reading::Missing => "empty".into(),
        Reading::ZeroDenominator => "zero denominator".into(),
    }
}

/// The reading of a row with a numerator or denominator (or both, or a
/// value as well, which is an error), and its ratio.
fn ratio_reading(
    raw: RawRow<'_>,
    indicator: &crate::load::Indicator,
) -> Result<(Reading, Option<(Decimal, Decimal)>), String> {
    let value = number(raw.value, "value")?;
    let numerator = number(raw.numerator, "numerator")?;
    let denominator = number(raw.denominator, "denominator")?;
    Ok(match (value, numerator, denominator) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err("give either value or numerator and denominator, not both".into())
        }
        (Some(v), None, None) => (Reading::Value(v), None),
        (None, Some(_), None) => return Err("numerator given without a denominator".into()),
        (None, None, Some(_)) => return Err("denominator given without a numerator".into()),
        (None, Some(n), Some(d)) => {
            if d.is_zero() {
                (Reading::ZeroDenominator, Some((n, d)))
            } else {
                let v = n
                    .checked_div(d)
                    .and_then(|q| q.checked_mul(indicator.unit.scale()))
                    .ok_or_else(|| format!("numerator {n} / denominator {d} is out of range"))?;
                // Normalised: trailing zeros from the division (17/20 x 100 =
                // "85.00") are not the data's precision; `decimals` sets that.
                (Reading::Value(v.normalize()), Some((n, d)))
            }
        }
        (None, None, None) => (Reading::Missing, None),
    })
}

/// Slots in [`ObservationsBuilder::recent_periods`]: more than the
/// periods of a few years of months.
const RECENT_PERIODS: usize = 64;

/// A text of at most eight bytes as a number (its bytes, little-endian)
/// and its length; `None` for a longer text.
#[inline]
fn short_key(text: &str) -> Option<(u64, u8)> {
    let b = text.as_bytes();
    let n = b.len();
    let key = match n {
        // Two overlapping four-byte loads: the overlap holds the same
        // bytes in both, so OR-ing them packs all `n` bytes.
        4..=8 => {
            let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
            u64::from(lo) | u64::from(hi) << (8 * (n - 4))
        }
        0..=3 => b
            .iter()
            .enumerate()
            .fold(0u64, |k, (i, &x)| k | u64::from(x) << (8 * i)),
        _ => return None,
    };
    Some((key, n as u8))
}

/// The slot of a short period text: its bytes mixed, the top bits taken.
#[inline]
fn recent_slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
}

/// `a == b`, without a call to `memcmp` for short texts (ids, entity
/// names), compared once or twice per row.
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match (short_key(a), short_key(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Whether a cell gives no number (as [`number`] reads it).
#[inline]
fn blank(cell: Cell<'_>) -> bool {
    match cell {
        Cell::Empty => true,
        Cell::Float(f) => f.is_nan(),
        Cell::Text(t) => t.trim().is_empty(),
        Cell::Decimal(_) | Cell::Invalid(_) => false,
    }
}

#[inline]
fn number(cell: Cell<'_>, column: &str) -> Result<Option<Decimal>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Decimal(d) => Ok(Some(d)),
        Cell::Float(f) if f.is_nan() => Ok(None),
        Cell::Float(f) => model::decimal_from_f64(f)
            .map(Some)
            .map_err(|e| format!("not a number in column {column}: {e}")),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => parse_decimal(t)
            .map(Some)
            .map_err(|e| format!("not a number in column {column}: {e}")),
        Cell::Invalid(why) => Err(format!("column {column}: {why}")),
    }
}

/// The index in [`COLUMNS`] of the column a header or key names, matched
/// ignoring case and surrounding spaces.
fn column_of(key: &str) -> Option<usize> {
    let key = trim(key);
    COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(key))
}

/// The columns of an override (keys, in JSON), in the order
/// [`override_columns`] gives them.
const OVERRIDE_COLUMNS: [&str; 6] = ["entity", "indicator", "theme", "period", "status", "reason"];

/// Where each of [`OVERRIDE_COLUMNS`] is among an override file's header
/// names (or an override object's keys), matched ignoring case and
/// surrounding spaces, and which have no name (the caller refuses a value
/// under one). Any other
/// name, or one given twice, is an error: overrides are judgements, and an
/// ignored column (a misspelt `entity`) would apply one to every entity.
fn override_columns<'a>(
    names: impl Iterator<Item = &'a str>,
    row: Option<usize>,
) -> Result<([Option<usize>; 6], Vec<usize>), DataError> {
    let (mut columns, mut unnamed) = ([None; 6], Vec::new());
    let what = if row.is_some() { "key" } else { "column" };
    for (ix, name) in names.enumerate() {
        let name = trim(name);
        if name.is_empty() {
            unnamed.push(ix);
            continue;
        }
        let Some(c) = OVERRIDE_COLUMNS
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
        else {
            return Err(DataError {
                message: format!(
                    "unknown {what} '{name}' in the overrides; an override's {what}s are {} (no others, so that a misspelt one is not ignored)",
                    OVERRIDE_COLUMNS.join(", ")
                ),
                row,
                column: Some(name.to_string()),
            });
        };
        if columns[c].replace(ix).is_some() {
            return Err(DataError {
                message: format!(
                    "{what} {} given twice in the overrides; keep one, so that no value is ignored",
                    OVERRIDE_COLUMNS[c]
                ),
                row,
                column: Some(OVERRIDE_COLUMNS[c].to_string()),
            });
        }
    }
    Ok((columns, unnamed))
}

const COLUMNS: [&str; 7] = [
    "entity",
    "indicator",
    "period",
    "series",
    "value",
    "numerator",
    "denominator",
];

impl Scorecard {
    /// Starts building observations row by row (for bindings and callers
    /// with their own rows).
    pub fn observations(&self) -> ObservationsBuilder<'_> {
        ObservationsBuilder::new(self)
    }

    /// Combines observations read separately (data rows, and rows computed
    /// from records by [`Scorecard::measure_observations`]) as if their rows
    /// had been read one after the other: each part's row numbers follow the
    /// previous part's, and duplicates across parts are checked as within one.
    /// A part read with another scorecard makes the whole refused when it
    /// is evaluated ([`Scorecard::check_observations`]), as that part is.
    pub fn merge_observations(&self, parts: &[&Observations]) -> Observations {
        let mut b = self.observations();
        for part in parts {
            let offset = b.next_row;
            for o in &part.rows {
                let name =
                    |names: &[String], ix: u32| names.get(ix as usize).cloned().unwrap_or_default();
                let entity = b.entity_id(&name(&part.entities, o.entity));
                let series = b.series_id(&name(&part.series_names, o.series));
                let ratio = match part.ratio(o) {
                    Some(r) => {
                        b.ratios.push(r);
                        // Past 4,294,967,294 ratio rows a ratio is no longer
                        // kept for explanations (the value still is).
                        u32::try_from(b.ratios.len() - 1)
                            .ok()
                            .filter(|&i| i != NO_RATIO)
                            .unwrap_or(NO_RATIO)
                    }
                    None => NO_RATIO,
                };
                b.rows.push(Obs {
                    row: o.row,
                    entity,
                    series,
                    ratio,
                    ..*o
                });
            }
            for r in part.rejected() {
                b.rejected.push(Rejected {
                    row: r.row + offset,
                    reason: r.reason.clone(),
                });
            }
            b.next_row += part.input_rows();
        }
        b.sorted = false;
        let mut merged = b.finish();
        if parts.iter().any(|p| p.fingerprint != self.fingerprint) {
            // Not this scorecard's fingerprint: refused where it is used.
            merged.fingerprint = !self.fingerprint;
        }
        merged
    }

    /// Reads observations from CSV bytes: a header row naming the columns
    /// (`indicator`, `period`, and `value` or `numerator` and `denominator`
    /// are required; `entity` and `series` are optional; other columns are
    /// ignored), with or without a BOM, LF or CRLF, quoted fields.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='none'\n").unwrap();
    /// let err = s.read_csv(b"indicator,value\nx,1\n").unwrap_err();
    /// assert_eq!(err.to_string(), "column period: the data has no 'period' column; the columns are: indicator, value");
    /// ```
    pub fn read_csv(&self, bytes: &[u8]) -> Result<Observations, DataError> {
        let mut rows = CsvRows::new(bytes)?;
        let names: Vec<String> = rows.names.iter().map(|h| h.to_ascii_lowercase()).collect();
        let col = |name: &str| names.iter().position(|n| n == name);
        let [entity, indicator, period, series, value, numerator, denominator] = COLUMNS.map(col);
        check_columns(
            &names,
            indicator.is_some(),
            period.is_some(),
            value.is_some(),
            numerator.is_some(),
            denominator.is_some(),
        )?;
        let mut builder = self.observations();
        while let Some(next) = rows.next_row() {
            let record = match next {
                Ok(record) => record,
                Err(reason) => {
                    builder.reject(reason);
                    continue;
                }
            };
            let text = |ix: Option<usize>| -> Result<Option<&str>, String> {
                match ix.and_then(|i| record.get(i)) {
                    None => Ok(None),
                    Some(b) => std::str::from_utf8(b).map(Some).map_err(|_| {
                        let name = ix
                            .and_then(|i| names.get(i))
                            .map(String::as_str)
                            .unwrap_or("?");
                        format!("invalid UTF-8 in column {name}")
                    }),
                }
            };
            let cell = |ix: Option<usize>| -> Cell<'_> {
                match ix.and_then(|i| record.get(i)) {
                    None => Cell::Empty,
                    Some(b) => match std::str::from_utf8(b) {
                        Ok(s) => Cell::Text(s),
                        Err(_) => Cell::Invalid("invalid UTF-8"),
                    },
                }
            };
            let fields = (|| -> Result<_, String> {
                Ok((
                    text(entity)?,
                    text(indicator)?,
                    text(period)?,
                    text(series)?,
                ))
            })();
            match fields {
                Ok((e, i, p, s)) => builder.push(RawRow {
                    entity: e,
                    indicator: i,
                    period: p,
                    series: s,
                    value: cell(value),
                    numerator: cell(numerator),
                    denominator: cell(denominator),
                }),
                Err(reason) => builder.reject(reason),
            }
        }
        Ok(builder.finish())
    }

    /// Reads observations from JSON: an array of objects with the same
    /// fields as the CSV columns; numbers may be JSON numbers or strings.
    /// Row numbers are array index + 1.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='none'\n").unwrap();
    /// let obs = s.read_json(br#"[{"indicator": "x", "period": "2022-06", "value": 3}, {"indicator": "x", "period": "2022-13", "value": 4}]"#).unwrap();
    /// assert_eq!(obs.len(), 1);
    /// assert_eq!(obs.rejected()[0].row, 2);
    /// ```
    pub fn read_json(&self, bytes: &[u8]) -> Result<Observations, DataError> {
        let doc = crate::load::json_document(bytes)
            .map_err(|e| DataError::new(format!("the data is not valid JSON: {e}")))?;
        let items = doc
            .as_array()
            .ok_or_else(|| DataError::new("expected a JSON array of row objects"))?;
        self.read_json_rows(items)
    }

    /// Reads observations from already-parsed JSON row objects. Keys are
    /// matched as CSV headers are, ignoring case and surrounding spaces
    /// (`Value` is the value); an object giving one column twice (`value`
    /// and `Value`) is a rejected row, since one of them would be ignored.
    pub fn read_json_rows(&self, items: &[serde_json::Value]) -> Result<Observations, DataError> {
        if !items.is_empty() {
            // Every key of every object, the known columns by their names.
            let mut names: Vec<String> = Vec::new();
            for o in items.iter().filter_map(|o| o.as_object()) {
                for k in o.keys() {
                    let name = column_of(k).map_or_else(|| k.clone(), |c| COLUMNS[c].to_string());
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            let has = |col: &str| names.iter().any(|n| n == col);
            check_columns(
                &names,
                has("indicator"),
                has("period"),
                has("value"),
                has("numerator"),
                has("denominator"),
            )?;
        }
        let mut builder = self.observations();
        builder.reserve(items.len());
        for item in items {
            let Some(obj) = item.as_object() else {
                builder.reject("expected an object with indicator, period and value");
                continue;
            };
            // The object's value for each column of COLUMNS.
            let mut fields: [Option<(&str, &serde_json::Value)>; 7] = [None; 7];
            let mut twice = None;
            for (k, v) in obj {
                let Some(c) = column_of(k) else { continue };
                match fields[c] {
                    Some((first, _)) => twice = Some(format!("column {} given twice in this row ({first}, {k}); keep one, so that no value is ignored", COLUMNS[c])),
                    None => fields[c] = Some((k.as_str(), v)),
                }
            }
            if let Some(reason) = twice {
                builder.reject(reason);
                continue;
            }
            let field = |k: &str| {
                COLUMNS
                    .iter()
                    .position(|c| *c == k)
                    .and_then(|c| fields[c])
                    .map(|f| f.1)
            };
            let mut bad = None;
            let mut text = |k: &str| -> Option<String> {
                match field(k) {
                    None | Some(serde_json::Value::Null) => None,
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    Some(other) => {
                        bad = Some(format!("field {k} must be a string, found {other}"));
                        None
                    }
                }
            };
            let entity = text("entity");
            let indicator = text("indicator");
            let period = text("period");
            let series = text("series");
            let [value, numerator, denominator] =
                ["value", "numerator", "denominator"].map(|k| match field(k) {
                    None | Some(serde_json::Value::Null) => Ok(None),
                    Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
                    Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                    Some(other) => Err(format!("not a number in column {k}: {other}")),
                });
            if let Some(reason) = bad {
                builder.reject(reason);
                continue;
            }
            let (value, numerator, denominator) = match (value, numerator, denominator) {
                (Ok(v), Ok(n), Ok(d)) => (v, n, d),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                    builder.reject(e);
                    continue;
                }
            };
            fn cell(v: &Option<String>) -> Cell<'_> {
                v.as_deref().map(Cell::Text).unwrap_or(Cell::Empty)
            }
            builder.push(RawRow {
                entity: entity.as_deref(),
                indicator: indicator.as_deref(),
                period: period.as_deref(),
                series: series.as_deref(),
                value: cell(&value),
                numerator: cell(&numerator),
                denominator: cell(&denominator),
            });
        }
        Ok(builder.finish())
    }

    /// Reads overrides from CSV (`entity`, `indicator` or `theme`, `period`,
    /// `status`, `reason`). A bad override fails the whole call.
    pub fn read_overrides_csv(&self, bytes: &[u8]) -> Result<Vec<Override>, DataError> {
        let mut rows = CsvRows::new(bytes)?;
        let (columns, unnamed) = override_columns(rows.names.iter().map(String::as_str), None)?;
        for required in ["period", "status", "reason"] {
            if OVERRIDE_COLUMNS
                .iter()
                .position(|c| *c == required)
                .and_then(|c| columns[c])
                .is_none()
            {
                return Err(DataError {
                    message: format!(
                        "the overrides have no '{required}' column; the columns are: {}",
                        rows.names.join(", ")
                    ),
                    row: None,
                    column: Some(required.into()),
                });
            }
        }
        let names = rows.names.clone();
        let mut out = Vec::new();
        for row in 1.. {
            let record = match rows.next_row() {
                None => break,
                Some(Ok(record)) => record,
                Some(Err(reason)) => {
                    // Most likely a reason with an unquoted comma, which
                    // would otherwise lose the words after it.
                    let hint = if rows.fields_read() > names.len() {
                        "; put a reason that has a comma in double quotes"
                    } else {
                        ""
                    };
                    return Err(DataError::in_row(row, None, format!("{reason}{hint}")));
                }
            };
            let text = |ix: usize| -> Result<Option<&str>, DataError> {
                let bytes = record.get(ix).unwrap_or_default();
                let text = std::str::from_utf8(bytes).map_err(|_| {
                    let name = names.get(ix).map(String::as_str);
                    DataError::in_row(row, name, "invalid UTF-8 in this column")
                })?;
                Ok(Some(trim(text)).filter(|t| !t.is_empty()))
            };
            if let Some(&ix) = unnamed.iter().find(|&&ix| matches!(text(ix), Ok(Some(_)))) {
                return Err(DataError::in_row(
                    row,
                    None,
                    format!(
                        "a value in column {}, which has no name in the header; an override's columns are {}",
                        ix + 1,
                        OVERRIDE_COLUMNS.join(", ")
                    ),
                ));
            }
            let mut fields: [Option<&str>; 6] = [None; 6];
            for (field, ix) in fields.iter_mut().zip(columns) {
                if let Some(ix) = ix {
                    *field = text(ix)?;
                }
            }
            let [entity, indicator, theme, period, status, reason] = fields;
            out.push(
                self.override_from_fields(row, entity, indicator, theme, period, status, reason)?,
            );
        }
        Ok(out)
    }

    /// Reads overrides from a JSON array of objects. Keys are matched as
    /// the columns of CSV overrides are (ignoring case and surrounding
    /// spaces).
    pub fn read_overrides_json(&self, bytes: &[u8]) -> Result<Vec<Override>, DataError> {
        let doc = crate::load::json_document(bytes)
            .map_err(|e| DataError::new(format!("the overrides are not valid JSON: {e}")))?;
        let items = doc
            .as_array()
            .ok_or_else(|| DataError::new("expected a JSON array of override objects"))?;
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let row = i + 1;
            let Some(object) = item.as_object() else {
                return Err(DataError::in_row(
                    row,
                    None,
                    format!(
                        "expected an override object with the keys {}",
                        OVERRIDE_COLUMNS.join(", ")
                    ),
                ));
            };
            let values: Vec<&serde_json::Value> = object.values().collect();
            let (columns, unnamed) =
                override_columns(object.keys().map(String::as_str), Some(row))?;
            // An empty key is a frame's column without a name (a trailing
            // comma's): allowed, as in CSV, while it holds nothing.
            let holds_something = |v: &&serde_json::Value| match v {
                serde_json::Value::Null => false,
                serde_json::Value::String(s) => !trim(s).is_empty(),
                _ => true,
            };
            if unnamed
                .iter()
                .any(|&ix| values.get(ix).is_some_and(holds_something))
            {
                return Err(DataError::in_row(
                    row,
                    None,
                    format!(
                        "a value under a key without a name; an override's keys are {}",
                        OVERRIDE_COLUMNS.join(", ")
                    ),
                ));
            }
            // Text, or a number written as text (entity 5, period 2022), as
            // data rows read them; anything else is an error, not "absent".
            let mut fields: [Option<String>; 6] = Default::default();
            for ((field, ix), name) in fields.iter_mut().zip(columns).zip(OVERRIDE_COLUMNS) {
                *field = match ix.and_then(|ix| values.get(ix)) {
                    None | Some(serde_json::Value::Null) => None,
                    Some(serde_json::Value::String(s)) => {
                        Some(trim(s).to_string()).filter(|s| !s.is_empty())
                    }
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    Some(other) => {
                        return Err(DataError::in_row(
                            row,
                            Some(name),
                            format!(
                                "the override's {name} must be text or a number, not {}",
                                match other {
                                    serde_json::Value::Bool(_) => "true or false",
                                    serde_json::Value::Array(_) => "a list",
                                    _ => "an object",
                                }
                            ),
                        ))
                    }
                };
            }
            let [entity, indicator, theme, period, status, reason] = &fields;
            out.push(self.override_from_fields(
                row,
                entity.as_deref(),
                indicator.as_deref(),
                theme.as_deref(),
                period.as_deref(),
                status.as_deref(),
                reason.as_deref(),
            )?);
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn override_from_fields(
        &self,
        row: usize,
        entity: Option<&str>,
        indicator: Option<&str>,
        theme: Option<&str>,
        period: Option<&str>,
        status: Option<&str>,
        reason: Option<&str>,
    ) -> Result<Override, DataError> {
        let target = match (indicator, theme) {
            (Some(i), None) => OverrideTarget::Indicator(i.to_string()),
            (None, Some(t)) => OverrideTarget::Theme(t.to_string()),
            _ => {
                return Err(DataError::in_row(
                    row,
                    None,
                    "an override names exactly one of indicator or theme",
                ))
            }
        };
        let o = Override {
            entity: entity.map(str::to_string),
            target,
            period: period.unwrap_or("").to_string(),
            status: status.unwrap_or("").to_string(),
            reason: reason.unwrap_or("").to_string(),
        };
        self.check_override(row, &o)?;
        Ok(o)
    }

    /// Checks one override against the scorecard (row is 1-based, for the message).
    pub fn check_override(&self, row: usize, o: &Override) -> Result<(), DataError> {
        match &o.target {
            OverrideTarget::Indicator(id) if self.indicator(id).is_none() => {
                let ids: Vec<&str> = self.indicators.iter().map(|i| i.id.as_str()).collect();
                return Err(DataError::in_row(
                    row,
                    Some("indicator"),
                    format!(
                        "override names unknown indicator '{id}'; indicators are: {}",
                        ids.join(", ")
                    ),
                ));
            }
            // A context indicator has no status to replace: ignoring the
            // override would make a human judgement vanish silently.
            OverrideTarget::Indicator(id) if self.indicator(id).is_some_and(|i| i.rule.is_none()) => {
                return Err(DataError::in_row(
                    row,
                    Some("indicator"),
                    format!("override names context indicator '{id}', which has no rag rule and so no status to override; give it a rag rule or drop the override"),
                ))
            }
            OverrideTarget::Theme(id) if !self.themes.iter().any(|t| &t.id == id) => {
                let ids: Vec<&str> = self.themes.iter().map(|t| t.id.as_str()).collect();
                return Err(DataError::in_row(
                    row,
                    Some("theme"),
                    format!(
                        "override names unknown theme '{id}'; themes are: {}",
                        ids.join(", ")
                    ),
                ));
            }
            _ => {}
        }
        self.parse_period(&o.period).map_err(|e| {
            DataError::in_row(
                row,
                Some("period"),
                format!("override has a bad period: {e}"),
            )
        })?;
        if self.status(&o.status).is_none() {
            let ids: Vec<&str> = self.statuses.iter().map(|s| s.id.as_str()).collect();
            return Err(DataError::in_row(
                row,
                Some("status"),
                format!(
                    "override gives unknown status '{}'; use one of: {}, no_data",
                    o.status,
                    ids.join(", ")
                ),
            ));
        }
        if o.reason.trim().is_empty() {
            return Err(DataError::in_row(
                row,
                Some("reason"),
                "an override needs a reason: a human judgement must say why it replaces the computed status",
            ));
        }
        Ok(())
    }
}

/// Checks that data with these column names (already trimmed and, for
/// CSV-like input, lower-cased) can be read as observations, with the same
/// error the CSV and JSON readers give. For bindings that push rows.
///
/// ```
/// let err = ragulator::observations::check_data_columns(&["indicator".into(), "value".into()]).unwrap_err();
/// assert_eq!(err.column.as_deref(), Some("period"));
/// ```
pub fn check_data_columns(names: &[String]) -> Result<(), DataError> {
    let has = |c: &str| names.iter().any(|n| n == c);
    check_columns(
        names,
        has("indicator"),
        has("period"),
        has("value"),
        has("numerator"),
        has("denominator"),
    )
}

fn check_columns(
    names: &[String],
    indicator: bool,
    period: bool,
    value: bool,
    numerator: bool,
    denominator: bool,
) -> Result<(), DataError> {
    let listed = if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    };
    // A column given twice ("value" and "Value"): one of them would be
    // ignored, and which one is not the reader's to guess.
    for col in COLUMNS {
        let at: Vec<String> = (1..)
            .zip(names)
            .filter(|(_, n)| *n == col)
            .map(|(i, _)| i.to_string())
            .collect();
        if at.len() > 1 {
            return Err(DataError {
                message: format!(
                    "the data has {} '{col}' columns (columns {}); keep one, so that no value is ignored; the columns are: {listed}",
                    at.len(),
                    at.join(" and ")
                ),
                row: None,
                column: Some(col.into()),
            });
        }
    }
    let missing = |col: &str, extra: &str| DataError {
        message: format!("the data has no '{col}' column{extra}; the columns are: {listed}"),
        row: None,
        column: Some(col.into()),
    };
    if !indicator {
        return Err(missing("indicator", ""));
    }
    if !period {
        return Err(missing("period", ""));
    }
    if !(value || numerator && denominator) {
        if numerator {
            return Err(missing("denominator", " to go with 'numerator'"));
        }
        return Err(missing("value", " (or 'numerator' and 'denominator')"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{recent_slot, same_text, short_key, trim, RECENT_PERIODS};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_text_is_string_equality(a in "[a-c\\x00é]{0,20}", b in "[a-c\\x00é]{0,20}") {
            prop_assert_eq!(same_text(&a, &b), a == b);
            prop_assert!(same_text(&a, &a));
        }

        /// Two short texts have the same key only when they are the same
        /// text (a trailing NUL byte included), and every key has a slot.
        #[test]
        fn short_keys_tell_texts_apart(a in "[0-9\\x00Q/-]{0,10}", b in "[0-9\\x00Q/-]{0,10}") {
            match (short_key(&a), short_key(&b)) {
                (Some(ka), Some(kb)) => {
                    prop_assert_eq!(ka == kb, a == b);
                    prop_assert!(recent_slot(ka.0) < RECENT_PERIODS);
                }
                (ka, kb) => {
                    prop_assert_eq!(ka.is_none(), a.len() > 8);
                    prop_assert_eq!(kb.is_none(), b.len() > 8);
                }
            }
        }
    }

    #[test]
    fn trim_shortcut_agrees_with_str_trim() {
        let cells = [
            "",
            " ",
            "x",
            " x",
            "x ",
            "e1",
            "2022-06",
            "\tx\n",
            "\u{b}x",
            "x\u{c}",
            "\u{a0}x",
            "x\u{3000}",
            "\u{85}",
            "é",
            "é ",
            "~",
            "!x!",
            "\u{2028}2022-06",
        ];
        for c in cells {
            assert_eq!(trim(c), c.trim(), "{c:?}");
        }
    }

    fn scorecard() -> crate::Scorecard {
        crate::Scorecard::from_toml(
            "ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n",
        )
        .expect("valid scorecard")
    }

    /// A quote never closed takes the rest of the file into one row: the
    /// reason says so, with the lines, for data and for overrides (where
    /// the later overrides would otherwise vanish into a reason).
    #[test]
    fn an_unclosed_quote_is_named_with_the_lines_it_swallowed() {
        let s = scorecard();
        for end in ["\n", "\r\n", ""] {
            let csv = format!(
                "indicator,period,value\nx,2022-01,1\nx,2022-02,\"2\nx,2022-03,3\nx,2022-04,4{end}"
            );
            let data = s.read_csv(csv.as_bytes()).expect("reads");
            assert_eq!(data.input_rows(), 2);
            let rejected = data.rejected();
            assert_eq!(rejected.len(), 1);
            assert_eq!(rejected[0].row, 2);
            assert!(
                rejected[0]
                    .reason
                    .starts_with("a quote opened on line 3 is never closed, so lines 3 to 5 (the rest of the file)"),
                "{end:?}: {}",
                rejected[0].reason
            );
        }
        // A closed quote around a line break, and a quote written twice, are fine.
        let fine =
            "indicator,period,value\nx,2022-01,\"1\n\"\nx,\"2022-\"\"02\",2\nx,2022-03,\"3\n\"";
        let data = s.read_csv(fine.as_bytes()).expect("reads");
        assert_eq!(data.input_rows(), 3);
        assert!(!data
            .rejected()
            .iter()
            .any(|r| r.reason.contains("never closed")));

        let overrides =
            "indicator,period,status,reason\nx,2022-01,red,\"Agreed \nx,2022-02,green,fine\n";
        let err = s
            .read_overrides_csv(overrides.as_bytes())
            .expect_err("unclosed");
        assert_eq!(err.row, Some(1));
        assert!(err.message.contains("lines 2 to 3"), "{}", err.message);
        let closed = "indicator,period,status,reason\nx,2022-01,red,\"Agreed\nat the board\"\nx,2022-02,green,fine\n";
        assert_eq!(
            s.read_overrides_csv(closed.as_bytes())
                .expect("reads")
                .len(),
            2
        );
    }
}

//! Record tables: typed columns read from CSV, JSON or pushed row by row.
//!
//! Every input row is kept or rejected with its row number and a reason:
//! an unreadable cell, a missing value a measure needs, or an end date
//! before its start date.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::DataError;
use crate::eval::Rejected;
use crate::load::Scorecard;
use crate::model::{decimal_from_f64, parse_decimal};
use crate::observations::CsvRows;
use crate::period::parse_date;

use super::compile::{OrderKey, Source};
use super::spec::ColumnType;

/// A missing date in a date column.
pub(crate) const NO_DATE: i32 = i32::MIN;

/// A date as a day number (days since 0001-01-01 plus one).
pub(crate) fn day(d: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&d)
}

/// The date of a day number (`None` for [`NO_DATE`] or out of range).
pub(crate) fn date(d: i32) -> Option<NaiveDate> {
    if d == NO_DATE {
        None
    } else {
        NaiveDate::from_num_days_from_ce_opt(d)
    }
}

/// One input cell of a record, as a reader or binding found it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RecordCell<'a> {
    /// Absent or empty.
    Empty,
    /// Text, parsed according to the column's type.
    Text(&'a str),
    /// A date (for date columns; written `YYYY-MM-DD` in text columns).
    Date(NaiveDate),
    /// An exact number.
    Number(Decimal),
    /// A binary float, taken by its shortest representation; NaN is empty.
    Float(f64),
    /// A cell that could not be read, with the reason.
    Invalid(&'a str),
}

/// The values of one column, one per kept record.
#[derive(Debug, Clone)]
pub(crate) enum Column {
    /// Day numbers; [`NO_DATE`] when empty.
    Date(Vec<i32>),
    /// Interned text: a code per record and the distinct values by code.
    Text {
        codes: Vec<u32>,
        values: Vec<String>,
    },
    /// Numbers; `None` when empty.
    Number(Vec<Option<Decimal>>),
}

impl Column {
    pub(crate) fn dates(&self) -> &[i32] {
        match self {
            Column::Date(d) => d,
            _ => &[],
        }
    }
    pub(crate) fn codes(&self) -> &[u32] {
        match self {
            Column::Text { codes, .. } => codes,
            _ => &[],
        }
    }
    pub(crate) fn values(&self) -> &[String] {
        match self {
            Column::Text { values, .. } => values,
            _ => &[],
        }
    }
    pub(crate) fn numbers(&self) -> &[Option<Decimal>] {
        match self {
            Column::Number(n) => n,
            _ => &[],
        }
    }
}

/// The records of one source, checked against a scorecard: columns typed,
/// rows rejected with reasons, sort orders precomputed for the measures.
#[derive(Debug, Clone)]
pub struct Records {
    pub(crate) source: Source,
    /// Input row number (1-based) of each kept record.
    pub(crate) rows: Vec<u32>,
    pub(crate) columns: Vec<Column>,
    /// Packed sort keys (see [`Packed`]), sorted: read sequentially, they
    /// give each record's entity, id and date without touching the columns.
    pub(crate) orders: Vec<(OrderKey, Vec<u128>)>,
    rejected: Vec<Rejected>,
    input_rows: usize,
}

impl Records {
    /// The source's name.
    pub fn source(&self) -> &str {
        &self.source.name
    }
    /// Number of records kept.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// Whether no record was kept.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// Rows rejected, with their row numbers (1-based, header not counted)
    /// and reasons, by row.
    pub fn rejected(&self) -> &[Rejected] {
        &self.rejected
    }
    /// Number of input rows read.
    pub fn input_rows(&self) -> usize {
        self.input_rows
    }
    /// The entities seen (values of the entity column), in first-seen
    /// order; `[""]` when the source has no entity column.
    pub fn entities(&self) -> Vec<&str> {
        match self.source.entity.and_then(|e| self.columns.get(e)) {
            Some(c) => c.values().iter().map(String::as_str).collect(),
            None => vec![""],
        }
    }

    /// The entity code of a record (0 when the source has no entity column).
    pub(crate) fn entity_of(&self, r: usize) -> u32 {
        match self.source.entity.and_then(|e| self.columns.get(e)) {
            Some(c) => c.codes().get(r).copied().unwrap_or(0),
            None => 0,
        }
    }

    pub(crate) fn entity_count(&self) -> usize {
        self.entities().len()
    }

    pub(crate) fn order(&self, key: OrderKey) -> &[u128] {
        self.orders
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, o)| o.as_slice())
            .unwrap_or(&[])
    }

    /// The text of a text column for a record.
    pub(crate) fn text(&self, column: usize, r: usize) -> &str {
        match self.columns.get(column) {
            Some(Column::Text { codes, values }) => codes
                .get(r)
                .and_then(|c| values.get(*c as usize))
                .map(String::as_str)
                .unwrap_or(""),
            _ => "",
        }
    }
}

/// The multiply-rotate hash of rustc's `FxHasher`: interning hashes every
/// text cell, and SipHash's flood resistance is not needed for one table
/// of a caller's own records.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHash(u64);

impl Hasher for FastHash {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A value parsed from one cell, before the row is accepted.
#[derive(Clone, Copy)]
enum Parsed {
    Date(i32),
    Number(Option<Decimal>),
    Text,
}

/// Builds [`Records`] row by row; created by [`Scorecard::records`].
pub struct RecordsBuilder {
    source: Source,
    rows: Vec<u32>,
    columns: Vec<Column>,
    interners: Vec<HashMap<String, u32, BuildHasherDefault<FastHash>>>,
    scratch: Vec<Parsed>,
    rejected: Vec<Rejected>,
    next_row: usize,
}

impl RecordsBuilder {
    fn new(source: Source) -> RecordsBuilder {
        let columns = source
            .columns
            .iter()
            .map(|(_, t)| match t {
                ColumnType::Date => Column::Date(Vec::new()),
                ColumnType::Number => Column::Number(Vec::new()),
                ColumnType::Id | ColumnType::Category => Column::Text {
                    codes: Vec::new(),
                    values: Vec::new(),
                },
            })
            .collect();
        let n = source.columns.len();
        RecordsBuilder {
            source,
            rows: Vec::new(),
            columns,
            interners: vec![HashMap::default(); n],
            scratch: Vec::with_capacity(n),
            rejected: Vec::new(),
            next_row: 0,
        }
    }

    /// The columns a row holds, in order: (name, type).
    pub fn columns(&self) -> &[(String, ColumnType)] {
        &self.source.columns
    }

    /// Where each of the source's columns ([`RecordsBuilder::columns`]) is
    /// among a table's column names (already trimmed and lower-cased):
    /// matched without case; an absent or repeated column is an error.
    /// Shared by the CSV reader and bindings that read tables.
    pub fn column_positions(&self, names: &[String]) -> Result<Vec<usize>, DataError> {
        let source = &self.source.name;
        let mut index = Vec::with_capacity(self.source.columns.len());
        for (name, _) in &self.source.columns {
            let lower = name.to_lowercase();
            let found: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| **n == lower)
                .map(|(i, _)| i)
                .collect();
            let message = match found.as_slice() {
                [one] => {
                    index.push(*one);
                    continue;
                }
                [] => format!(
                    "the records of '{source}' have no '{name}' column; the columns are: {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
                _ => format!(
                    "the records of '{source}' have {} columns named '{name}'; a column must appear once",
                    found.len()
                ),
            };
            return Err(DataError {
                message,
                row: None,
                column: Some(name.clone()),
            });
        }
        Ok(index)
    }

    /// Checks and adds the next row (rows are numbered from 1 in push order);
    /// `cells` are in the order of [`RecordsBuilder::columns`].
    pub fn push(&mut self, cells: &[RecordCell<'_>]) {
        if cells.len() != self.source.columns.len() {
            let reason = format!(
                "row has {} cells; source '{}' has {} columns",
                cells.len(),
                self.source.name,
                self.source.columns.len()
            );
            self.reject(reason);
            return;
        }
        self.push_with(|i| cells.get(i).copied().unwrap_or(RecordCell::Empty));
    }

    /// Records a row that could not be read at all.
    pub fn reject(&mut self, reason: impl Into<String>) {
        self.next_row += 1;
        self.rejected.push(Rejected {
            row: self.next_row,
            reason: reason.into(),
        });
    }

    /// Adds a row given a function from column index to cell, so readers
    /// need not allocate a row.
    pub(crate) fn push_with<'c>(&mut self, cell: impl Fn(usize) -> RecordCell<'c>) {
        self.next_row += 1;
        let row = self.next_row;
        match self.check(&cell) {
            Ok(()) => self.commit(row, &cell),
            Err(reason) => self.rejected.push(Rejected { row, reason }),
        }
    }

    fn check<'c>(&mut self, cell: &impl Fn(usize) -> RecordCell<'c>) -> Result<(), String> {
        self.scratch.clear();
        for (i, (name, ty)) in self.source.columns.iter().enumerate() {
            let c = cell(i);
            let parsed = match (ty, c) {
                (_, RecordCell::Invalid(why)) => return Err(format!("column {name}: {why}")),
                (ColumnType::Date, RecordCell::Empty) => Parsed::Date(NO_DATE),
                (ColumnType::Date, RecordCell::Date(d)) => Parsed::Date(day(d)),
                (ColumnType::Date, RecordCell::Text(t)) if trim(t).is_empty() => {
                    Parsed::Date(NO_DATE)
                }
                (ColumnType::Date, RecordCell::Text(t)) => match parse_date(t) {
                    Ok(d) => Parsed::Date(day(d)),
                    Err(e) => return Err(format!("column {name}: {e}")),
                },
                (ColumnType::Date, RecordCell::Number(_) | RecordCell::Float(_)) => {
                    return Err(format!(
                        "column {name}: a number is not a date; write YYYY-MM-DD (2022-06-30)"
                    ))
                }
                (ColumnType::Number, RecordCell::Empty) => Parsed::Number(None),
                (ColumnType::Number, RecordCell::Number(d)) => Parsed::Number(Some(d)),
                (ColumnType::Number, RecordCell::Float(f)) if f.is_nan() => Parsed::Number(None),
                (ColumnType::Number, RecordCell::Float(f)) => match decimal_from_f64(f) {
                    Ok(d) => Parsed::Number(Some(d)),
                    Err(e) => return Err(format!("column {name}: {e}")),
                },
                (ColumnType::Number, RecordCell::Text(t)) if trim(t).is_empty() => {
                    Parsed::Number(None)
                }
                (ColumnType::Number, RecordCell::Text(t)) => match parse_decimal(t) {
                    Ok(d) => Parsed::Number(Some(d)),
                    Err(e) => return Err(format!("column {name}: {e}")),
                },
                (ColumnType::Number, RecordCell::Date(_)) => {
                    return Err(format!("column {name}: a date is not a number"))
                }
                (ColumnType::Id | ColumnType::Category, _) => Parsed::Text,
            };
            self.scratch.push(parsed);
        }
        for (col, who) in &self.source.required {
            let missing = match self.scratch.get(*col) {
                Some(Parsed::Date(d)) => *d == NO_DATE,
                Some(Parsed::Number(n)) => n.is_none(),
                Some(Parsed::Text) => match cell(*col) {
                    RecordCell::Text(t) => trim(t).is_empty(),
                    RecordCell::Empty => true,
                    RecordCell::Float(f) => f.is_nan(),
                    _ => false,
                },
                None => false,
            };
            if missing {
                return Err(format!(
                    "no {} (needed as {who})",
                    self.source.column_name(*col)
                ));
            }
        }
        for &(start, end) in &self.source.pairs {
            if let (Some(Parsed::Date(s)), Some(Parsed::Date(e))) =
                (self.scratch.get(start), self.scratch.get(end))
            {
                if *s != NO_DATE && *e != NO_DATE && e < s {
                    return Err(format!(
                        "{} {} is before {} {}: an end cannot come before its start",
                        self.source.column_name(end),
                        show(*e),
                        self.source.column_name(start),
                        show(*s)
                    ));
                }
            }
        }
        Ok(())
    }

    fn commit<'c>(&mut self, row: usize, cell: &impl Fn(usize) -> RecordCell<'c>) {
        self.rows.push(u32::try_from(row).unwrap_or(u32::MAX));
        for (i, column) in self.columns.iter_mut().enumerate() {
            match (column, self.scratch.get(i)) {
                (Column::Date(v), Some(Parsed::Date(d))) => v.push(*d),
                (Column::Number(v), Some(Parsed::Number(n))) => v.push(*n),
                (Column::Text { codes, values }, _) => {
                    let text: std::borrow::Cow<'_, str> = match cell(i) {
                        RecordCell::Text(t) => trim(t).into(),
                        RecordCell::Number(d) => d.normalize().to_string().into(),
                        RecordCell::Float(f) if !f.is_nan() => match decimal_from_f64(f) {
                            Ok(d) => d.normalize().to_string().into(),
                            Err(_) => f.to_string().into(),
                        },
                        RecordCell::Date(d) => d.to_string().into(),
                        _ => "".into(),
                    };
                    let interner = &mut self.interners[i];
                    let code = match interner.get(text.as_ref()) {
                        Some(&c) => c,
                        None => {
                            let c = values.len() as u32;
                            values.push(text.to_string());
                            interner.insert(text.into_owned(), c);
                            c
                        }
                    };
                    codes.push(code);
                }
                // Unreachable: scratch mirrors the column types.
                (Column::Date(v), _) => v.push(NO_DATE),
                (Column::Number(v), _) => v.push(None),
            }
        }
    }

    /// Finishes: precomputes the sort orders the scorecard's measures need.
    pub fn finish(self) -> Records {
        let RecordsBuilder {
            source,
            rows,
            mut columns,
            rejected,
            next_row,
            ..
        } = self;
        // The entity column always has at least one value, so code 0 exists.
        if let Some(Column::Text { values, .. }) = source.entity.and_then(|e| columns.get_mut(e)) {
            if values.is_empty() {
                values.push(String::new());
            }
        }
        let mut orders = Vec::with_capacity(source.orders.len());
        for key in &source.orders {
            orders.push((*key, sort_order(&source, &columns, rows.len(), *key)));
        }
        Records {
            source,
            rows,
            columns,
            orders,
            rejected,
            input_rows: next_row,
        }
    }
}

/// A packed sort key: entity (0 unless the order groups by entity), id,
/// date and record index, 32 bits each, so that sorting the keys as numbers
/// groups records by entity and id and orders them by date.
#[derive(Clone, Copy)]
pub(crate) struct Packed(pub u128);

impl Packed {
    /// Entity and id together: equal for the records of one group.
    #[inline]
    pub fn group(self) -> u64 {
        (self.0 >> 64) as u64
    }
    #[inline]
    pub fn date(self) -> i32 {
        (((self.0 >> 32) as u32) ^ 0x8000_0000) as i32
    }
    #[inline]
    pub fn record(self) -> usize {
        self.0 as u32 as usize
    }
}

/// Record keys grouped by (entity,) id and sorted by date, then input order.
fn sort_order(source: &Source, columns: &[Column], n: usize, key: OrderKey) -> Vec<u128> {
    let ids = columns.get(key.id).map(Column::codes).unwrap_or(&[]);
    let dates = columns.get(key.date).map(Column::dates).unwrap_or(&[]);
    let entities = match (key.by_entity, source.entity.and_then(|e| columns.get(e))) {
        (true, Some(c)) => c.codes(),
        _ => &[],
    };
    // Packed keys sort fast and need no comparator closure.
    let mut keys: Vec<u128> = (0..n)
        .map(|r| {
            let e = u128::from(entities.get(r).copied().unwrap_or(0));
            let id = u128::from(ids.get(r).copied().unwrap_or(0));
            // Bias so that dates order as unsigned numbers.
            let d = u128::from((dates.get(r).copied().unwrap_or(NO_DATE) as u32) ^ 0x8000_0000);
            (e << 96) | (id << 64) | (d << 32) | r as u128
        })
        .collect();
    keys.sort_unstable();
    keys
}

/// `str::trim` with a fast path for the usual cell, which has nothing to trim.
#[inline]
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

pub(crate) fn show(d: i32) -> String {
    date(d)
        .map(|d| d.to_string())
        .unwrap_or_else(|| "(none)".into())
}

impl Scorecard {
    /// The record sources the scorecard declares, by name.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    fn source_index(&self, name: &str) -> Result<usize, DataError> {
        self.sources
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self.sources.iter().map(|s| s.name.as_str()).collect();
                DataError::new(format!(
                    "unknown source '{name}'; the scorecard's sources are: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            })
    }

    /// Starts building the records of a source row by row (for bindings
    /// and callers with their own rows).
    pub fn records(&self, source: &str) -> Result<RecordsBuilder, DataError> {
        let ix = self.source_index(source)?;
        Ok(RecordsBuilder::new(self.sources[ix].clone()))
    }

    /// Reads a source's records from CSV bytes: a header row naming the
    /// columns (matched ignoring case and surrounding spaces; every column
    /// the source declares is required; others are ignored), with or without
    /// a BOM, LF or CRLF, quoted fields.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml(r#"
    /// ragulator = 1
    /// [sources.visits]
    /// columns = { child_id = "id", visited_on = "date" }
    /// "#).unwrap();
    /// let r = s.read_records("visits", b"child_id,visited_on\nc1,2022-06-01\nc2,2022-06-31\n").unwrap();
    /// assert_eq!(r.len(), 1);
    /// assert_eq!(r.rejected()[0].row, 2);
    /// ```
    pub fn read_records(&self, source: &str, bytes: &[u8]) -> Result<Records, DataError> {
        let mut builder = self.records(source)?;
        let mut rows = CsvRows::new(bytes)?;
        let names: Vec<String> = rows.names.iter().map(|h| h.to_lowercase()).collect();
        let index = builder.column_positions(&names)?;
        while let Some(next) = rows.next_row() {
            let record = match next {
                Ok(record) => record,
                Err(reason) => {
                    builder.reject(reason);
                    continue;
                }
            };
            // Validate the row's text once; fields split at ASCII
            // delimiters, so each is then a valid slice of it. A row that
            // is not UTF-8 is checked field by field to name the column.
            let whole = std::str::from_utf8(record.as_slice()).ok();
            builder.push_with(|i| {
                let Some(ix) = index.get(i).copied() else {
                    return RecordCell::Empty;
                };
                let field = match (whole, record.range(ix)) {
                    (Some(text), Some(range)) => text.get(range).map(Ok),
                    _ => record.get(ix).map(std::str::from_utf8),
                };
                match field {
                    None | Some(Ok("")) => RecordCell::Empty,
                    Some(Ok(s)) => RecordCell::Text(s),
                    Some(Err(_)) => RecordCell::Invalid("invalid UTF-8"),
                }
            });
        }
        Ok(builder.finish())
    }

    /// Reads a source's records from JSON: an array of objects keyed by
    /// column name; values are strings, numbers or null. Row numbers are
    /// array index + 1.
    pub fn read_records_json(&self, source: &str, bytes: &[u8]) -> Result<Records, DataError> {
        let doc = crate::load::json_document(bytes)
            .map_err(|e| DataError::new(format!("the records are not valid JSON: {e}")))?;
        let items = doc
            .as_array()
            .ok_or_else(|| DataError::new("expected a JSON array of record objects"))?;
        self.read_records_json_rows(source, items)
    }

    /// Reads a source's records from already-parsed JSON row objects.
    pub fn read_records_json_rows(
        &self,
        source: &str,
        items: &[serde_json::Value],
    ) -> Result<Records, DataError> {
        let mut builder = self.records(source)?;
        let columns = builder.source.columns.clone();
        if !items.is_empty() {
            for (name, _) in &columns {
                if !items
                    .iter()
                    .any(|o| o.as_object().is_some_and(|o| o.contains_key(name)))
                {
                    return Err(DataError {
                        message: format!(
                            "the records of '{source}' have no '{name}' field in any row"
                        ),
                        row: None,
                        column: Some(name.clone()),
                    });
                }
            }
        }
        let mut numbers: Vec<String> = vec![String::new(); columns.len()];
        for item in items {
            let Some(obj) = item.as_object() else {
                builder.reject("expected an object with the source's columns");
                continue;
            };
            for (i, (name, _)) in columns.iter().enumerate() {
                if let Some(serde_json::Value::Number(n)) = obj.get(name) {
                    numbers[i] = n.to_string();
                }
            }
            builder.push_with(|i| {
                let Some((name, _)) = columns.get(i) else {
                    return RecordCell::Empty;
                };
                match obj.get(name) {
                    None | Some(serde_json::Value::Null) => RecordCell::Empty,
                    Some(serde_json::Value::String(s)) => RecordCell::Text(s),
                    Some(serde_json::Value::Number(_)) => {
                        RecordCell::Text(numbers.get(i).map(String::as_str).unwrap_or(""))
                    }
                    Some(_) => RecordCell::Invalid("expected a string, a number or null"),
                }
            });
        }
        Ok(builder.finish())
    }
}

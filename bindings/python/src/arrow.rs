//! Arrow record batches (from pandas, polars or pyarrow through the Arrow
//! PyCapsule interface) as observation rows: each row becomes a
//! [`RawRow`] of [`Cell`]s, so every check stays in the core.
//!
//! Columns are matched as the CSV reader matches its header: trimmed,
//! case-insensitive, the first of duplicates; other columns are ignored.

use std::fmt::Write;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float32Type, Float64Type, Int64Type, UInt64Type};
use arrow_array::{
    Array, ArrayRef, Decimal128Array, Float32Array, Float64Array, Int64Array, LargeStringArray,
    RecordBatch, StringArray, StringViewArray, UInt64Array,
};
use arrow_schema::{DataType, Field, SchemaRef};
use chrono::{Datelike, Days, NaiveDate};
use ragulator::observations::check_data_columns;
use ragulator::observations::ObservationsBuilder;
use ragulator::parallel;
use ragulator::period::{Period, PeriodKind};
use ragulator::{Cell, DataError, Observations, RawRow, Scorecard};
use rust_decimal::Decimal;

const TEXT_COLUMNS: [&str; 4] = ["entity", "indicator", "period", "series"];
const NUMBER_COLUMNS: [&str; 3] = ["value", "numerator", "denominator"];

/// A text column, in one of Arrow's string layouts.
enum Text {
    Absent,
    Utf8(StringArray),
    Large(LargeStringArray),
    View(StringViewArray),
}

impl Text {
    /// Whether the column is present and has no nulls.
    fn has_no_nulls(&self) -> bool {
        match self {
            Text::Absent => false,
            Text::Utf8(a) => a.null_count() == 0,
            Text::Large(a) => a.null_count() == 0,
            Text::View(a) => a.null_count() == 0,
        }
    }

    #[inline(always)]
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Text::Absent => None,
            Text::Utf8(a) => (!a.is_null(i)).then(|| a.value(i)),
            Text::Large(a) => (!a.is_null(i)).then(|| a.value(i)),
            Text::View(a) => (!a.is_null(i)).then(|| a.value(i)),
        }
    }
}

/// A numeric column: numbers keep their type so floats go through the
/// core's float rule (shortest representation; NaN missing; infinities
/// rejected) and integers and decimals stay exact.
enum Number {
    Absent,
    Text(Text),
    Int(Int64Array),
    UInt(UInt64Array),
    F64(Float64Array),
    F32(Float32Array),
    Dec(Decimal128Array, i8),
}

fn cast(array: &ArrayRef, to: &DataType, column: &str) -> Result<ArrayRef, DataError> {
    arrow_cast::cast(array, to).map_err(|e| DataError {
        message: format!("the column could not be read as {to}: {e}"),
        row: None,
        column: Some(column.to_string()),
    })
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Whether every cell is missing: null, or a float NaN (pandas reads a CSV
/// column of empty cells, an optional `entity` or `series`, as all-NaN floats).
fn all_missing(array: &ArrayRef) -> bool {
    if array.null_count() == array.len() {
        return true;
    }
    match array.data_type() {
        DataType::Float64 => array
            .as_primitive::<Float64Type>()
            .iter()
            .all(|v| v.is_none_or(f64::is_nan)),
        DataType::Float32 => array
            .as_primitive::<Float32Type>()
            .iter()
            .all(|v| v.is_none_or(f32::is_nan)),
        _ => false,
    }
}

fn text_column(column: &str, array: &ArrayRef) -> Result<Text, DataError> {
    if all_missing(array) {
        // Every cell empty: as an empty CSV column (default entity, actual series).
        return Ok(Text::Absent);
    }
    Ok(match array.data_type() {
        DataType::Utf8 => Text::Utf8(array.as_string::<i32>().clone()),
        DataType::LargeUtf8 => Text::Large(array.as_string::<i64>().clone()),
        DataType::Utf8View => Text::View(array.as_string_view().clone()),
        DataType::Null => Text::Absent,
        // Categoricals, and integer periods or entities (2022, 17): as text.
        DataType::Dictionary(_, v) if is_string(v) => {
            Text::Utf8(cast(array, &DataType::Utf8, column)?.as_string::<i32>().clone())
        }
        t if t.is_integer() => {
            Text::Utf8(cast(array, &DataType::Utf8, column)?.as_string::<i32>().clone())
        }
        // pandas reads a column of whole numbers with a blank cell (codes
        // 852, years 2022) as floats with NaN: whole numbers as their
        // digits, NaN as an empty cell, as the CSV reads them.
        DataType::Float64 | DataType::Float32 => {
            let floats = cast(array, &DataType::Float64, column)?;
            let floats = floats.as_primitive::<Float64Type>();
            let cells: Vec<Option<f64>> = floats.iter().map(|v| v.filter(|x| !x.is_nan())).collect();
            // Below 2^53 every whole float is the integer written.
            let whole = |x: &f64| x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0;
            if !cells.iter().flatten().all(whole) {
                return Err(DataError {
                    message: format!(
                        "the column has type {} with fractions; it must be text (strings or a categorical of strings) or whole numbers",
                        array.data_type()
                    ),
                    row: None,
                    column: Some(column.to_string()),
                });
            }
            Text::Utf8(cells.iter().map(|c| c.map(|x| format!("{}", x as i64))).collect())
        }
        other => {
            return Err(DataError {
                message: format!(
                    "the column has type {other}; it must be text (strings or a categorical of strings) or integers{}",
                    if column == "period" { ", with periods written like 2022-06, 2022-Q2 or 2022/23" } else { "" }
                ),
                row: None,
                column: Some(column.to_string()),
            })
        }
    })
}

fn number_column(column: &str, array: &ArrayRef) -> Result<Number, DataError> {
    let t = array.data_type();
    Ok(match t {
        DataType::Null => Number::Absent,
        DataType::Float64 => Number::F64(array.as_primitive::<Float64Type>().clone()),
        DataType::Float32 => Number::F32(array.as_primitive::<Float32Type>().clone()),
        DataType::Float16 => Number::F32(
            cast(array, &DataType::Float32, column)?
                .as_primitive::<Float32Type>()
                .clone(),
        ),
        DataType::UInt64 => Number::UInt(array.as_primitive::<UInt64Type>().clone()),
        t if t.is_integer() => Number::Int(
            cast(array, &DataType::Int64, column)?
                .as_primitive::<Int64Type>()
                .clone(),
        ),
        DataType::Decimal128(_, scale) => {
            Number::Dec(array.as_primitive::<Decimal128Type>().clone(), *scale)
        }
        // Wider decimals: as text, so the core parses (or rejects) each one.
        DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal256(..) => {
            Number::Text(text_column(column, &cast(array, &DataType::Utf8, column)?)?)
        }
        // A categorical of numbers: its values, as a column of them.
        DataType::Dictionary(_, v) if !is_string(v) => number_column(column, &cast(array, v, column)?)?,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..) => {
            Number::Text(text_column(column, array)?)
        }
        other => {
            return Err(DataError {
                message: format!(
                    "the column has type {other}; it must be numbers (integers, decimals or floats) or text"
                ),
                row: None,
                column: Some(column.to_string()),
            })
        }
    })
}

/// Scratch space for one cell that needs formatting.
#[derive(Default)]
struct Scratch(String);

impl Number {
    /// Row `i`'s cell. Floats (pandas' numbers) and missing columns inline:
    /// a cell returned through memory, stored in parts and then copied
    /// into the row as a whole, stalls the copy (per row).
    #[inline(always)]
    fn cell<'a>(&'a self, i: usize, scratch: &'a mut Scratch) -> Cell<'a> {
        match self {
            Number::Absent => Cell::Empty,
            Number::F64(a) if a.is_null(i) => Cell::Empty,
            Number::F64(a) => Cell::Float(a.value(i)),
            _ => self.other_cell(i, scratch),
        }
    }

    #[inline(never)]
    fn other_cell<'a>(&'a self, i: usize, scratch: &'a mut Scratch) -> Cell<'a> {
        match self {
            Number::Absent => Cell::Empty,
            Number::Text(t) => t.get(i).map(Cell::Text).unwrap_or(Cell::Empty),
            Number::Int(a) if a.is_null(i) => Cell::Empty,
            Number::Int(a) => Cell::Decimal(Decimal::from(a.value(i))),
            Number::UInt(a) if a.is_null(i) => Cell::Empty,
            Number::UInt(a) => Cell::Decimal(Decimal::from(a.value(i))),
            Number::F64(a) if a.is_null(i) => Cell::Empty,
            Number::F64(a) => Cell::Float(a.value(i)),
            Number::F32(a) if a.is_null(i) => Cell::Empty,
            Number::F32(a) => {
                let v = a.value(i);
                if v.is_finite() {
                    // The f32's own shortest form: 84.95f32 is 84.95, not 84.94999694824219.
                    scratch.0.clear();
                    let _ = write!(scratch.0, "{v}");
                    Cell::Text(&scratch.0)
                } else {
                    Cell::Float(f64::from(v))
                }
            }
            Number::Dec(a, _) if a.is_null(i) => Cell::Empty,
            Number::Dec(a, scale) => {
                let (mut m, mut scale) = (a.value(i), *scale);
                // A column has one scale: pyarrow gives every value of a
                // pandas column the longest's places, so 84.5 may come as
                // 84.50, or as 84.500…0 with 30 places. Trailing zeros are
                // the column's, not the value's, so they are dropped (84.5
                // reads as in a list of dicts or a CSV cell "84.5"); other
                // digits are the core's to refuse.
                while scale > 0 && m % 10 == 0 {
                    m /= 10;
                    scale -= 1;
                }
                let scale = &scale;
                match u32::try_from(*scale) {
                    Ok(s) => match Decimal::try_from_i128_with_scale(m, s) {
                        Ok(d) => Cell::Decimal(d),
                        Err(_) => {
                            scratch.0.clear();
                            let _ = write!(scratch.0, "{m}e-{s}");
                            Cell::Text(&scratch.0)
                        }
                    },
                    // A negative scale: the mantissa times a power of ten.
                    Err(_) => {
                        scratch.0.clear();
                        let _ = write!(scratch.0, "{m}e{}", -i32::from(*scale));
                        Cell::Text(&scratch.0)
                    }
                }
            }
        }
    }
}

/// A pandas `Period` column (`.dt.to_period("M")`, `pd.period_range`)
/// arrives as Arrow's `pandas.period` extension type: `int64` ordinals,
/// with the frequency in the field's metadata. Returns the periods as
/// ragulator writes them (`2022-06`, `2022-Q2`, `2022/23`, `2022-W23`, ...),
/// or `None` when the column is not one. Frequencies that are not one of
/// ragulator's period kinds, or do not line up with them (quarters ending
/// in November, a financial year other than the scorecard's), are an error
/// that says how to write the column instead.
fn pandas_periods(
    column: &str,
    field: &Field,
    array: &ArrayRef,
    year_start_month: u32,
) -> Option<Result<ArrayRef, DataError>> {
    let metadata = field.metadata();
    if metadata.get("ARROW:extension:name").map(String::as_str) != Some("pandas.period") {
        return None;
    }
    let freq = metadata
        .get("ARROW:extension:metadata")
        .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
        .and_then(|m| m.get("freq")?.as_str().map(str::to_string))
        .unwrap_or_default();
    let error = |why: String| DataError {
        message: format!(
            "the column holds pandas periods of frequency '{freq}', {why}; {HOW_TO_WRITE}"
        ),
        row: None,
        column: Some(column.to_string()),
    };
    let Some(ordinals) = array.as_primitive_opt::<Int64Type>() else {
        return Some(Err(error("stored as something other than int64".into())));
    };
    let mut text =
        arrow_array::builder::StringBuilder::with_capacity(ordinals.len(), ordinals.len() * 8);
    let texts = match PandasPeriods::of(&freq, year_start_month) {
        Ok(t) => t,
        Err(why) => return Some(Err(error(why))),
    };
    for ordinal in ordinals.iter() {
        match ordinal.map(|o| texts.text(o)) {
            None => text.append_null(),
            Some(Ok(t)) => text.append_value(t),
            Some(Err(why)) => return Some(Err(error(why))),
        }
    }
    Some(Ok(std::sync::Arc::new(text.finish())))
}

/// How to write periods instead of a pandas period frequency ragulator
/// does not take.
const HOW_TO_WRITE: &str = "convert it to text in a form like \
     2022-06, 2022-Q2, 2022/23, 2022-W23, 2022-06-30 or 2022";

/// The text of one pandas `Period` (its ordinal and `freqstr`), as the
/// period column's cells are read: `2022-06`, `2022-Q2`, `2022/23`, ...
/// An error says why the frequency or period cannot be one of ragulator's.
pub(crate) fn pandas_period_text(
    ordinal: i64,
    freq: &str,
    year_start_month: u32,
) -> Result<String, String> {
    PandasPeriods::of(freq, year_start_month)
        .and_then(|t| t.text(ordinal))
        .map_err(|why| format!("a pandas period of frequency '{freq}', {why}; {HOW_TO_WRITE}"))
}

/// A pandas period frequency as one of ragulator's period kinds, with the
/// first day of the period of each ordinal.
struct PandasPeriods {
    kind: PeriodKind,
    start: Box<dyn Fn(i64) -> Option<NaiveDate>>,
    year_start_month: u32,
}

impl PandasPeriods {
    fn of(freq: &str, year_start_month: u32) -> Result<PandasPeriods, String> {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        let month = |m: i64| {
            let months = u32::try_from(m.checked_add(1970 * 12)?).ok()?;
            NaiveDate::from_ymd_opt(i32::try_from(months / 12).ok()?, months % 12 + 1, 1)
        };
        let days = move |d: i64| match u64::try_from(d) {
            Ok(d) => epoch.checked_add_days(Days::new(d)),
            Err(_) => epoch.checked_sub_days(Days::new(d.unsigned_abs())),
        };
        // A year or quarter frequency names the month it ends in.
        let end_month = |anchor: &str| {
            let months = [
                "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
            ];
            months
                .iter()
                .position(|m| *m == anchor)
                .map(|i| i as i64 + 1)
        };
        let refused = || "which ragulator does not take".to_string();
        type Start = Box<dyn Fn(i64) -> Option<NaiveDate>>;
        let (kind, start): (PeriodKind, Start) = match freq.split_once('-') {
            None if freq == "M" => (PeriodKind::Month, Box::new(month)),
            None if freq == "D" => (PeriodKind::Day, Box::new(days)),
            // The first quarter of 1970 is ordinal 0, whatever the year's end.
            Some(("Q", anchor)) => match end_month(anchor) {
                Some(end) => (
                    PeriodKind::Quarter,
                    Box::new(move |q| month(q * 3 + end - 12)),
                ),
                None => return Err(refused()),
            },
            Some(("Y" | "A", anchor)) => match end_month(anchor) {
                Some(12) => (PeriodKind::Year, Box::new(move |y| month(y * 12))),
                Some(end) => (
                    PeriodKind::FinancialYear,
                    Box::new(move |y| month(y * 12 + end - 12)),
                ),
                None => return Err(refused()),
            },
            // Weeks ending on Sunday are ISO weeks; ordinal 1 starts on Monday 1969-12-29.
            Some(("W", "SUN")) => (
                PeriodKind::Week,
                Box::new(move |w| days(w.checked_mul(7)?.checked_sub(10)?)),
            ),
            _ => return Err(refused()),
        };
        Ok(PandasPeriods {
            kind,
            start,
            year_start_month,
        })
    }

    /// The period of one ordinal, as text.
    fn text(&self, ordinal: i64) -> Result<String, String> {
        let first = (self.start)(ordinal);
        let period = first.and_then(|d| Period::from_date(self.kind, d, self.year_start_month));
        match (first, period) {
            (Some(first), Some(p)) if p.start() == first => Ok(p.to_string()),
            (Some(first), _) if self.kind == PeriodKind::FinancialYear => Err(format!(
                "years starting in month {}, but this scorecard's financial year starts in month {}",
                first.month(),
                self.year_start_month
            )),
            (Some(_), _) => {
                Err("which does not line up with ragulator's calendar quarters".into())
            }
            (None, _) => Err(format!("and {ordinal} is out of range")),
        }
    }
}

/// Normalised column names of a schema, as the CSV reader normalises its header.
fn names(schema: &SchemaRef) -> Vec<String> {
    schema
        .fields()
        .iter()
        .map(|f| f.name().trim().to_ascii_lowercase())
        .collect()
}

/// One record batch's columns, typed.
struct Columns {
    texts: Vec<Text>,
    numbers: Vec<Number>,
    rows: usize,
}

impl Columns {
    fn of(
        names: &[String],
        batch: &RecordBatch,
        year_start_month: u32,
    ) -> Result<Columns, DataError> {
        let position = |c: &str| names.iter().position(|n| n == c);
        let schema = batch.schema_ref();
        let texts = TEXT_COLUMNS
            .iter()
            .map(|c| match position(c) {
                Some(ix) => {
                    match pandas_periods(c, schema.field(ix), batch.column(ix), year_start_month) {
                        Some(periods) => text_column(c, &periods?),
                        None => text_column(c, batch.column(ix)),
                    }
                }
                None => Ok(Text::Absent),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let numbers = NUMBER_COLUMNS
            .iter()
            .map(|c| match position(c) {
                Some(ix) => number_column(c, batch.column(ix)),
                None => Ok(Number::Absent),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Columns {
            texts,
            numbers,
            rows: batch.num_rows(),
        })
    }

    /// Row `i` with the given number cells.
    #[inline(always)]
    fn row<'a>(
        &'a self,
        i: usize,
        value: Cell<'a>,
        numerator: Cell<'a>,
        denominator: Cell<'a>,
    ) -> RawRow<'a> {
        RawRow {
            entity: self.texts[0].get(i),
            indicator: self.texts[1].get(i),
            period: self.texts[2].get(i),
            series: self.texts[3].get(i),
            value,
            numerator,
            denominator,
        }
    }

    /// Pushes rows `from..to` of this batch.
    fn push(&self, builder: &mut ObservationsBuilder<'_>, from: usize, to: usize) {
        if let (Number::F64(values), Number::Absent, Number::Absent) =
            (&self.numbers[0], &self.numbers[1], &self.numbers[2])
        {
            // The usual frame (entity, indicator, period as strings of one
            // layout, no nulls, no series): the layout is matched once,
            // not per cell.
            if let [e, i, p, Text::Absent] = self.texts.as_slice() {
                if [e, i, p].iter().all(|t| t.has_no_nulls()) {
                    match (e, i, p) {
                        (Text::Utf8(e), Text::Utf8(i), Text::Utf8(p)) => {
                            return push_floats(builder, [e, i, p], values, from, to);
                        }
                        (Text::Large(e), Text::Large(i), Text::Large(p)) => {
                            return push_floats(builder, [e, i, p], values, from, to);
                        }
                        (Text::View(e), Text::View(i), Text::View(p)) => {
                            return push_floats(builder, [e, i, p], values, from, to);
                        }
                        _ => {}
                    }
                }
            }
            // pandas' table: float values, no ratio columns. A null is
            // passed as NaN, which the core reads as missing, as it reads
            // an empty cell: one kind of cell, so it goes straight into
            // the row (two kinds are built aside and copied, which stalls).
            for i in from..to {
                let v = if values.is_null(i) {
                    f64::NAN
                } else {
                    values.value(i)
                };
                builder.push(self.row(i, Cell::Float(v), Cell::Empty, Cell::Empty));
            }
            return;
        }
        let (mut sv, mut sn, mut sd) = (Scratch::default(), Scratch::default(), Scratch::default());
        for i in from..to {
            let value = self.numbers[0].cell(i, &mut sv);
            let numerator = self.numbers[1].cell(i, &mut sn);
            let denominator = self.numbers[2].cell(i, &mut sd);
            builder.push(self.row(i, value, numerator, denominator));
        }
    }
}

/// A string column without nulls, in any of Arrow's layouts.
trait Strings {
    fn at(&self, i: usize) -> &str;
}

impl Strings for StringArray {
    #[inline(always)]
    fn at(&self, i: usize) -> &str {
        self.value(i)
    }
}

impl Strings for LargeStringArray {
    #[inline(always)]
    fn at(&self, i: usize) -> &str {
        self.value(i)
    }
}

impl Strings for StringViewArray {
    #[inline(always)]
    fn at(&self, i: usize) -> &str {
        self.value(i)
    }
}

/// Pushes rows `from..to` of entity, indicator and period columns without
/// nulls and float values: [`Columns::push`]'s usual case, one loop per
/// string layout.
fn push_floats<S: Strings>(
    builder: &mut ObservationsBuilder<'_>,
    [entity, indicator, period]: [&S; 3],
    values: &Float64Array,
    from: usize,
    to: usize,
) {
    let nulls = values.null_count() > 0;
    for i in from..to {
        // A null is passed as NaN, which the core reads as missing.
        let v = if nulls && values.is_null(i) {
            f64::NAN
        } else {
            values.value(i)
        };
        builder.push(RawRow {
            entity: Some(entity.at(i)),
            indicator: Some(indicator.at(i)),
            period: Some(period.at(i)),
            series: None,
            value: Cell::Float(v),
            numerator: Cell::Empty,
            denominator: Cell::Empty,
        });
    }
}

/// Rows per chunk: below twice this, reading stays on one thread.
const CHUNK_ROWS: usize = 65_536;

/// Threads for work on `rows` rows: one per 65,536 rows, at most one per
/// core and at most four (beyond that, memory bandwidth is the limit).
pub(crate) fn threads_for(rows: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
        .min(rows / CHUNK_ROWS)
        .max(1)
}

/// Reads rows `from..to` (numbered across batches) into `builder`.
fn read_range<'s>(
    mut builder: ObservationsBuilder<'s>,
    batches: &[Columns],
    from: usize,
    to: usize,
) -> ObservationsBuilder<'s> {
    let mut start = 0;
    for batch in batches {
        let end = start + batch.rows;
        let (a, b) = (from.max(start), to.min(end));
        if a < b {
            batch.push(&mut builder, a - start, b - start);
        }
        start = end;
    }
    builder
}

/// Reads record batches as observations; rows are numbered from 1 across
/// batches. A large table is read in chunks on up to four threads, each
/// chunk checked by its own builder and appended to the first in input
/// order (`ragulator::parallel::in_order`: the caller's thread reads the
/// first share, then appends the others as they come), so the result is
/// the one-thread result. The caller has released the GIL, and the cores
/// are otherwise idle. `once`: the observations are for one evaluation,
/// which rounds values as it judges them (`finish_to_evaluate_once`), so
/// reading need not round them in a pass of its own.
pub(crate) fn observations(
    scorecard: &Scorecard,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    once: bool,
) -> Result<Observations, DataError> {
    let names = names(schema);
    check_data_columns(&names)?;
    let columns = batches
        .iter()
        .map(|b| Columns::of(&names, b, scorecard.calendar().year_start_month()))
        .collect::<Result<Vec<_>, _>>()?;
    let total: usize = columns.iter().map(|c| c.rows).sum();
    let threads = threads_for(total);
    // Builders are made here, on the caller's thread, so mimalloc reuses
    // their rows call after call; the first has room for every row.
    let mut chunks = parallel::shares(total, threads, CHUNK_ROWS)
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let mut builder = scorecard.observations();
            builder.reserve(if i == 0 { total } else { range.len() });
            (builder, range)
        });
    let first = chunks
        .next()
        .unwrap_or_else(|| (scorecard.observations(), 0..0));
    let columns = &columns;
    let read = parallel::in_order(
        first,
        chunks.collect(),
        threads,
        |(builder, range)| read_range(builder, columns, range.start, range.end),
        |all, chunk| all.append(chunk),
    )
    .ok_or_else(|| DataError {
        message: "a thread reading the table failed".into(),
        row: None,
        column: None,
    })?;
    Ok(if once {
        read.finish_to_evaluate_once(threads)
    } else {
        read.finish_threaded(threads)
    })
}

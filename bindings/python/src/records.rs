//! Case records (docs/measures.md) for Python: reading a source's records
//! from CSV, JSON, Python rows or Arrow (pandas, polars, pyarrow), computing
//! the measured indicators' observations, and listing the records behind a
//! result. Every check and computation is the core's
//! (`ragulator::measure`); this module converts cells and errors.
//!
//! Arrow columns are matched as the core's CSV reader matches its header
//! (trimmed, case-insensitive; a column must appear once) and each cell is
//! handed to the core as a [`RecordCell`]: text as text, Arrow dates as
//! dates, integers and decimals as exact numbers, floats as floats.

use std::fmt::Write;

use arrow_array::cast::AsArray;
use arrow_array::temporal_conversions::as_datetime;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, Date32Array, Date64Array, Decimal128Array, Float32Array, Float64Array,
    Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use chrono::NaiveDateTime;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3_arrow::PyTable;
use ragulator::measure::{failing_to_csv, failing_to_json, RecordCell};
use ragulator::{DataError, FailingRecord, Scorecard as CoreScorecard};
use rust_decimal::Decimal;

use crate::errors::{catch, data_error, data_error_msg, guarded, panic_error, Panic};
use crate::{rows_to_json, Observations, Scorecard};

/// A failing record for Python: (source, row, entity, id, reason).
type FailingRow = (String, usize, Option<String>, Option<String>, String);

/// A source for Python: (name, [(column, type)], entity column).
type SourceRow = (String, Vec<(String, String)>, Option<String>);

/// One source's records, checked against a scorecard.
#[pyclass(frozen, module = "ragulator._native")]
pub struct Records {
    inner: ragulator::Records,
}

/// The records of several sources, for measuring and drilling down.
#[pyclass(frozen, module = "ragulator._native")]
pub struct RecordSet {
    inner: ragulator::RecordSet,
}

/// The records behind one measured result.
#[pyclass(frozen, module = "ragulator._native")]
pub struct FailingRecords {
    inner: Vec<FailingRecord>,
}

#[pymethods]
impl Records {
    /// The source's name.
    #[getter]
    fn source(&self) -> String {
        self.inner.source().to_string()
    }

    /// Input rows read (kept + rejected).
    #[getter]
    fn input_rows(&self) -> usize {
        self.inner.input_rows()
    }

    /// Rejected rows: (row, reason).
    #[getter]
    fn rejected(&self) -> Vec<(usize, String)> {
        self.inner
            .rejected()
            .iter()
            .map(|r| (r.row, r.reason.clone()))
            .collect()
    }

    /// Records kept.
    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

#[pymethods]
impl RecordSet {
    /// Per source, in the order given: (source, records kept, input rows).
    #[getter]
    fn tables(&self) -> Vec<(String, usize, usize)> {
        self.inner
            .iter()
            .map(|t| (t.source().to_string(), t.len(), t.input_rows()))
            .collect()
    }

    /// Every rejected record: (source, row, reason).
    #[getter]
    fn rejected(&self) -> Vec<(String, usize, String)> {
        self.inner
            .rejected()
            .map(|(s, r)| (s.to_string(), r.row, r.reason.clone()))
            .collect()
    }
}

#[pymethods]
impl FailingRecords {
    /// (source, row, entity, id, reason) per record.
    #[getter]
    fn rows(&self) -> Vec<FailingRow> {
        self.inner
            .iter()
            .map(|r| {
                (
                    r.source.clone(),
                    r.row,
                    r.entity.clone(),
                    r.id.clone(),
                    r.reason.clone(),
                )
            })
            .collect()
    }

    /// The core's JSON array (the `records` of `ragulator records --format json`).
    #[pyo3(signature = (pretty=false))]
    fn to_json(&self, py: Python<'_>, pretty: bool) -> PyResult<String> {
        let v = failing_to_json(&self.inner);
        if pretty {
            serde_json::to_string_pretty(&v)
        } else {
            serde_json::to_string(&v)
        }
        .map_err(|e| {
            data_error_msg(
                py,
                format!("the records cannot be written as JSON: {e}"),
                None,
            )
        })
    }

    /// The core's CSV (`ragulator records --format csv`).
    fn to_csv(&self) -> String {
        failing_to_csv(&self.inner)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

fn finish(
    py: Python<'_>,
    read: Result<Result<ragulator::Records, DataError>, Panic>,
) -> PyResult<Records> {
    match read {
        Ok(Ok(inner)) => Ok(Records { inner }),
        Ok(Err(e)) => Err(data_error(py, e)),
        Err(panic) => Err(panic_error(py, panic)),
    }
}

/// The scorecard's record sources: (name, [(column, type)], entity column).
#[pyfunction]
pub(crate) fn sources(scorecard: &Scorecard) -> Vec<SourceRow> {
    scorecard
        .inner
        .sources()
        .iter()
        .map(|s| {
            let columns = s
                .columns
                .iter()
                .map(|(n, t)| (n.clone(), t.as_str().to_string()))
                .collect();
            let entity = s
                .entity
                .and_then(|e| s.columns.get(e))
                .map(|(n, _)| n.clone());
            (s.name.clone(), columns, entity)
        })
        .collect()
}

/// A source's records from CSV bytes (the core's CSV reader).
#[pyfunction]
pub(crate) fn read_records_csv(
    py: Python<'_>,
    scorecard: &Scorecard,
    source: &str,
    data: &Bound<'_, PyBytes>,
) -> PyResult<Records> {
    let bytes = data.as_bytes();
    let sc = &scorecard.inner;
    finish(py, py.detach(|| catch(|| sc.read_records(source, bytes))))
}

/// A source's records from JSON bytes (an array of record objects).
#[pyfunction]
pub(crate) fn read_records_json(
    py: Python<'_>,
    scorecard: &Scorecard,
    source: &str,
    data: &Bound<'_, PyBytes>,
) -> PyResult<Records> {
    let bytes = data.as_bytes();
    let sc = &scorecard.inner;
    finish(
        py,
        py.detach(|| catch(|| sc.read_records_json(source, bytes))),
    )
}

/// A source's records from Python row objects, read exactly as JSON objects.
#[pyfunction]
pub(crate) fn read_records_rows(
    py: Python<'_>,
    scorecard: &Scorecard,
    source: &str,
    rows: &Bound<'_, PyAny>,
) -> PyResult<Records> {
    let items = rows_to_json(py, &scorecard.inner, rows)?;
    let sc = &scorecard.inner;
    finish(
        py,
        py.detach(|| catch(|| sc.read_records_json_rows(source, &items))),
    )
}

/// A source's records from an object with `__arrow_c_stream__`: read with
/// the GIL, converted without it.
#[pyfunction]
pub(crate) fn read_records_arrow(
    py: Python<'_>,
    scorecard: &Scorecard,
    source: &str,
    data: &Bound<'_, PyAny>,
) -> PyResult<Records> {
    let table: PyTable = data.extract()?;
    let (batches, schema) = table.into_inner();
    let sc = &scorecard.inner;
    finish(
        py,
        py.detach(|| catch(|| arrow_records(sc, source, &schema, &batches))),
    )
}

/// The sources' records as one set (each source at most once).
#[pyfunction]
pub(crate) fn record_set(py: Python<'_>, tables: Vec<PyRef<'_, Records>>) -> PyResult<RecordSet> {
    let mut inner = ragulator::RecordSet::new();
    for t in tables {
        inner
            .insert(t.inner.clone())
            .map_err(|e| data_error(py, e))?;
    }
    Ok(RecordSet { inner })
}

/// The measured indicators' observations, merged after `data` when given
/// (as the CLI merges `--data` and `--records`). The GIL is released.
#[pyfunction]
#[pyo3(signature = (scorecard, records, data=None))]
pub(crate) fn measure(
    py: Python<'_>,
    scorecard: &Scorecard,
    records: &RecordSet,
    data: Option<&Observations>,
) -> PyResult<Observations> {
    let sc = &scorecard.inner;
    let set = &records.inner;
    let data = data.map(|d| &d.inner);
    let made = py.detach(|| {
        catch(|| {
            sc.measure_observations(set).map(|measured| match data {
                Some(d) => sc.merge_observations(&[d, &measured]),
                None => measured,
            })
        })
    });
    match made {
        Ok(Ok(inner)) => Ok(Observations { inner }),
        Ok(Err(e)) => Err(data_error(py, e)),
        Err(panic) => Err(panic_error(py, panic)),
    }
}

/// The records behind one measured result (the core's `failing_records`).
#[pyfunction]
#[pyo3(signature = (scorecard, records, indicator, period, entity=None))]
pub(crate) fn failing_records(
    py: Python<'_>,
    scorecard: &Scorecard,
    records: &RecordSet,
    indicator: &str,
    period: &str,
    entity: Option<&str>,
) -> PyResult<FailingRecords> {
    let sc = &scorecard.inner;
    let set = &records.inner;
    match guarded(py, || sc.failing_records(set, indicator, entity, period))? {
        Ok(inner) => Ok(FailingRecords { inner }),
        Err(e) => Err(data_error(py, e)),
    }
}

// ---------------------------------------------------------------- Arrow

/// An Arrow column as the core's record cells.
enum Column {
    Null,
    Text(StringArray),
    Int(Int64Array),
    UInt(UInt64Array),
    F64(Float64Array),
    F32(Float32Array),
    Dec(Decimal128Array, i8),
    Date32(Date32Array),
    Date64(Date64Array),
    /// A timestamp without time zone: a date when it is at midnight.
    Timestamp(Int64Array, TimeUnit),
}

fn column_error(column: &str, message: String) -> DataError {
    DataError {
        message,
        row: None,
        column: Some(column.to_string()),
    }
}

fn cast(array: &ArrayRef, to: &DataType, column: &str) -> Result<ArrayRef, DataError> {
    arrow_cast::cast(array, to)
        .map_err(|e| column_error(column, format!("the column could not be read as {to}: {e}")))
}

fn column(name: &str, array: &ArrayRef) -> Result<Column, DataError> {
    let t = array.data_type();
    Ok(match t {
        DataType::Null => Column::Null,
        DataType::Utf8 => Column::Text(array.as_string::<i32>().clone()),
        // Other string layouts, categoricals and booleans ("true"/"false") as text.
        DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Boolean
        | DataType::Dictionary(..) => {
            Column::Text(cast(array, &DataType::Utf8, name)?.as_string::<i32>().clone())
        }
        DataType::Float64 => Column::F64(array.as_primitive::<Float64Type>().clone()),
        DataType::Float32 => Column::F32(array.as_primitive::<Float32Type>().clone()),
        DataType::Float16 => Column::F32(
            cast(array, &DataType::Float32, name)?
                .as_primitive::<Float32Type>()
                .clone(),
        ),
        DataType::UInt64 => Column::UInt(array.as_primitive::<UInt64Type>().clone()),
        t if t.is_integer() => Column::Int(
            cast(array, &DataType::Int64, name)?
                .as_primitive::<Int64Type>()
                .clone(),
        ),
        DataType::Decimal128(_, scale) => {
            Column::Dec(array.as_primitive::<Decimal128Type>().clone(), *scale)
        }
        // Other decimal widths: as text, which the core parses or rejects.
        DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal256(..) => {
            Column::Text(cast(array, &DataType::Utf8, name)?.as_string::<i32>().clone())
        }
        DataType::Date32 => Column::Date32(array.as_primitive::<Date32Type>().clone()),
        DataType::Date64 => Column::Date64(array.as_primitive::<Date64Type>().clone()),
        DataType::Timestamp(unit, None) => {
            let values = cast(array, &DataType::Int64, name)?
                .as_primitive::<Int64Type>()
                .clone();
            Column::Timestamp(values, *unit)
        }
        // The calendar date of an instant depends on the zone: say how to
        // get dates rather than guess one.
        DataType::Timestamp(_, Some(tz)) => {
            return Err(column_error(
                name,
                format!(
                    "the column holds timestamps in time zone {tz}; records take dates: convert to local dates first (pandas: .dt.tz_localize(None).dt.normalize(); polars: .dt.replace_time_zone(None).dt.date())"
                ),
            ))
        }
        other => {
            return Err(column_error(
                name,
                format!(
                    "the column has type {other}; record columns must be text, categoricals, dates, numbers or booleans"
                ),
            ))
        }
    })
}

fn naive(values: &Int64Array, unit: TimeUnit, i: usize) -> Option<NaiveDateTime> {
    let v = values.value(i);
    match unit {
        TimeUnit::Second => as_datetime::<TimestampSecondType>(v),
        TimeUnit::Millisecond => as_datetime::<TimestampMillisecondType>(v),
        TimeUnit::Microsecond => as_datetime::<TimestampMicrosecondType>(v),
        TimeUnit::Nanosecond => as_datetime::<TimestampNanosecondType>(v),
    }
}

impl Column {
    fn cell<'a>(&'a self, i: usize, scratch: &'a mut String) -> RecordCell<'a> {
        let text = |scratch: &'a mut String, args: std::fmt::Arguments<'_>| {
            scratch.clear();
            let _ = scratch.write_fmt(args);
            RecordCell::Text(scratch.as_str())
        };
        match self {
            Column::Null => RecordCell::Empty,
            Column::Text(a) if a.is_null(i) => RecordCell::Empty,
            Column::Text(a) => RecordCell::Text(a.value(i)),
            Column::Int(a) if a.is_null(i) => RecordCell::Empty,
            Column::Int(a) => RecordCell::Number(Decimal::from(a.value(i))),
            Column::UInt(a) if a.is_null(i) => RecordCell::Empty,
            Column::UInt(a) => RecordCell::Number(Decimal::from(a.value(i))),
            Column::F64(a) if a.is_null(i) => RecordCell::Empty,
            Column::F64(a) => RecordCell::Float(a.value(i)),
            Column::F32(a) if a.is_null(i) => RecordCell::Empty,
            Column::F32(a) => {
                let v = a.value(i);
                if v.is_finite() {
                    // The f32's own shortest form: 84.95f32 is 84.95.
                    text(scratch, format_args!("{v}"))
                } else {
                    RecordCell::Float(f64::from(v))
                }
            }
            Column::Dec(a, _) if a.is_null(i) => RecordCell::Empty,
            Column::Dec(a, scale) => {
                let m = a.value(i);
                match u32::try_from(*scale) {
                    Ok(s) => match Decimal::try_from_i128_with_scale(m, s) {
                        Ok(d) => RecordCell::Number(d),
                        Err(_) => text(scratch, format_args!("{m}e-{s}")),
                    },
                    Err(_) => text(scratch, format_args!("{m}e{}", -i32::from(*scale))),
                }
            }
            Column::Date32(a) if a.is_null(i) => RecordCell::Empty,
            Column::Date32(a) => match a.value_as_date(i) {
                Some(d) => RecordCell::Date(d),
                None => RecordCell::Invalid("a date out of range"),
            },
            Column::Date64(a) if a.is_null(i) => RecordCell::Empty,
            Column::Date64(a) => match a.value_as_datetime(i) {
                Some(d) if d.time() == chrono::NaiveTime::MIN => RecordCell::Date(d.date()),
                Some(d) => {
                    scratch.clear();
                    let _ = write!(scratch, "{d} has a time of day; records take dates");
                    RecordCell::Invalid(scratch.as_str())
                }
                None => RecordCell::Invalid("a date out of range"),
            },
            Column::Timestamp(a, _) if a.is_null(i) => RecordCell::Empty,
            Column::Timestamp(a, unit) => match naive(a, *unit, i) {
                Some(d) if d.time() == chrono::NaiveTime::MIN => RecordCell::Date(d.date()),
                // Dropping the time could move a record across a deadline
                // unnoticed: the row is rejected and says why.
                Some(d) => {
                    scratch.clear();
                    let _ = write!(
                        scratch,
                        "{d} has a time of day; records take dates (pandas: .dt.normalize(); polars: .dt.date())"
                    );
                    RecordCell::Invalid(scratch.as_str())
                }
                None => RecordCell::Invalid("a timestamp out of range"),
            },
        }
    }
}

/// Reads record batches as a source's records; rows are numbered from 1
/// across batches, in order.
fn arrow_records(
    scorecard: &CoreScorecard,
    source: &str,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<ragulator::Records, DataError> {
    let mut builder = scorecard.records(source)?;
    let names: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| f.name().trim().to_lowercase())
        .collect();
    let index = builder.column_positions(&names)?;
    let wanted: Vec<String> = builder.columns().iter().map(|(n, _)| n.clone()).collect();
    for batch in batches {
        let columns = index
            .iter()
            .zip(&wanted)
            .map(|(ix, name)| column(name, batch.column(*ix)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut scratch = vec![String::new(); columns.len()];
        for i in 0..batch.num_rows() {
            let cells: Vec<RecordCell<'_>> = columns
                .iter()
                .zip(scratch.iter_mut())
                .map(|(c, s)| c.cell(i, s))
                .collect();
            builder.push(&cells);
        }
    }
    Ok(builder.finish())
}

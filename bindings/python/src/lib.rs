//! `ragulator._native`: the private native module under the `ragulator`
//! Python package. It converts types and errors only; loading, reading,
//! evaluation, JSON, SPC and HTML all come from the core crate.
#![forbid(unsafe_code)]

mod arrow;
mod errors;
mod records;
mod report;
mod results;
mod rows;
mod statuses;

use std::sync::OnceLock;

/// The module's Rust allocations (observation rows, result columns) come
/// from mimalloc, as in pydantic-core: it keeps freed pages for the next
/// evaluation, where the system allocator hands a large batch's memory
/// back to the kernel and faults it in again on every call.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3_arrow::PyTable;
use ragulator::{
    EvaluateOptions, Evaluation as CoreEvaluation, Format, Observations as CoreObservations,
    Override, StatusTable,
};

use errors::{catch, data_error, data_error_msg, guarded, panic_error, scorecard_error, Panic};

fn format_of(py: Python<'_>, format: &str) -> PyResult<Format> {
    match format.to_ascii_lowercase().as_str() {
        "toml" => Ok(Format::Toml),
        "json" => Ok(Format::Json),
        "yaml" | "yml" => Ok(Format::Yaml),
        other => Err(data_error_msg(
            py,
            format!("unknown scorecard format '{other}'; use toml, json or yaml"),
            None,
        )),
    }
}

fn json_name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A loaded, validated scorecard (immutable; shareable across threads).
#[pyclass(frozen, module = "ragulator._native")]
pub struct Scorecard {
    inner: ragulator::Scorecard,
}

/// Checked observations, ready to evaluate any number of times.
#[pyclass(frozen, module = "ragulator._native")]
pub struct Observations {
    inner: CoreObservations,
}

/// Checked overrides.
#[pyclass(frozen, module = "ragulator._native")]
pub struct Overrides {
    inner: Vec<Override>,
}

/// An evaluation: every status is judged when it is made (the core's
/// compact status rows); the full result records (explanations,
/// comparators, SPC state) are built by the core on first use, so a batch
/// read only for its statuses never pays for a million records.
#[pyclass(frozen, module = "ragulator._native")]
pub struct Evaluation {
    scorecard: Py<Scorecard>,
    observations: Py<Observations>,
    options: EvaluateOptions,
    statuses: StatusTable,
    full: OnceLock<CoreEvaluation>,
}

impl Evaluation {
    /// The core's full evaluation, made once (the GIL released meanwhile).
    fn core(&self, py: Python<'_>) -> PyResult<&CoreEvaluation> {
        if let Some(done) = self.full.get() {
            return Ok(done);
        }
        let sc = &self.scorecard.get().inner;
        let obs = &self.observations.get().inner;
        let options = &self.options;
        match py.detach(|| catch(|| sc.evaluate(obs, options))) {
            Ok(Ok(made)) => {
                // Another thread may have made it meanwhile: the same result.
                let _ = self.full.set(made);
            }
            Ok(Err(e)) => return Err(data_error(py, e)),
            Err(panic) => return Err(panic_error(py, panic)),
        }
        self.full
            .get()
            .ok_or_else(|| data_error_msg(py, "the evaluation could not be kept".to_string(), None))
    }
}

/// A record batch as a pyarrow-compatible table (Arrow PyCapsule stream).
fn arrow_table(
    py: Python<'_>,
    made: Result<Result<arrow_array::RecordBatch, arrow_schema::ArrowError>, Panic>,
    what: &str,
) -> PyResult<PyTable> {
    match made {
        Ok(Ok(batch)) => PyTable::try_new(vec![batch.clone()], batch.schema()),
        Ok(Err(e)) => Err(data_error_msg(
            py,
            format!("the {what} cannot be written as Arrow: {e}"),
            None,
        )),
        Err(panic) => Err(panic_error(py, panic)),
    }
}

/// (row, value) pairs from Python rows, or the `DataError` for an unreadable
/// value. `scorecard` says how a pandas `Period` is written (its financial year).
fn rows_to_json(
    py: Python<'_>,
    scorecard: &ragulator::Scorecard,
    rows: &Bound<'_, PyAny>,
) -> PyResult<Vec<serde_json::Value>> {
    let year_start = scorecard.calendar().year_start_month();
    let mut out = Vec::new();
    for (i, item) in rows.try_iter()?.enumerate() {
        match rows::to_json(&item?, 0, year_start) {
            Ok(v) => out.push(v),
            Err(rows::Unreadable::Py(e)) => return Err(e),
            Err(rows::Unreadable::Type(message, column)) => {
                return Err(data_error(
                    py,
                    ragulator::DataError {
                        message,
                        row: Some(i + 1),
                        column,
                    },
                ))
            }
        }
    }
    Ok(out)
}

#[pymethods]
impl Scorecard {
    /// Loads a scorecard from text in a format (`toml`, `json` or `yaml`).
    #[staticmethod]
    fn load(py: Python<'_>, text: &str, format: &str) -> PyResult<Scorecard> {
        let format = format_of(py, format)?;
        match guarded(py, || ragulator::Scorecard::from_str(text, format))? {
            Ok(inner) => Ok(Scorecard { inner }),
            Err(e) => Err(scorecard_error(py, e)),
        }
    }

    /// The scorecard's name.
    #[getter]
    fn name(&self) -> Option<String> {
        self.inner.name().map(str::to_string)
    }

    /// Indicators: (id, name, unit, polarity, decimals, theme id, has a RAG rule, description).
    #[getter]
    #[allow(clippy::type_complexity)]
    fn indicators(
        &self,
    ) -> Vec<(
        String,
        String,
        String,
        String,
        Option<u32>,
        Option<String>,
        bool,
        Option<String>,
    )> {
        let spec = self.inner.spec();
        self.inner
            .indicators()
            .iter()
            .map(|i| {
                let description = spec
                    .indicator
                    .iter()
                    .find(|s| s.id == i.id)
                    .and_then(|s| s.description.clone());
                (
                    i.id.clone(),
                    i.name.clone(),
                    json_name(&i.unit),
                    json_name(&i.polarity),
                    i.decimals,
                    self.inner.theme_of(i).map(|t| t.id.clone()),
                    i.has_rag(),
                    description,
                )
            })
            .collect()
    }

    /// Themes: (id, name).
    #[getter]
    fn themes(&self) -> Vec<(String, String)> {
        self.inner
            .themes()
            .iter()
            .map(|t| (t.id.clone(), t.name.clone()))
            .collect()
    }

    /// Ranked statuses, best first, then `no_data`: (id, label, colour).
    #[getter]
    fn statuses(&self) -> Vec<(String, String, String)> {
        self.inner
            .statuses()
            .iter()
            .chain(std::iter::once(self.inner.no_data_status()))
            .map(|s| (s.id.clone(), s.label.clone(), s.colour.clone()))
            .collect()
    }

    /// Comparators: (name, label).
    #[getter]
    fn comparators(&self) -> Vec<(String, String)> {
        self.inner
            .comparators()
            .map(|(n, l)| (n.to_string(), l.to_string()))
            .collect()
    }

    /// The scorecard written out in a format.
    fn to_string(&self, py: Python<'_>, format: &str) -> PyResult<String> {
        let format = format_of(py, format)?;
        guarded(py, || self.inner.to_string(format))?.map_err(|e| data_error_msg(py, e, None))
    }

    /// Observations from CSV bytes.
    fn read_csv(&self, py: Python<'_>, data: &Bound<'_, PyBytes>) -> PyResult<Observations> {
        let bytes = data.as_bytes();
        let sc = &self.inner;
        let read = py.detach(|| catch(|| sc.read_csv(bytes)));
        finish_read(py, read)
    }

    /// Observations from JSON bytes (an array of row objects).
    fn read_json(&self, py: Python<'_>, data: &Bound<'_, PyBytes>) -> PyResult<Observations> {
        let bytes = data.as_bytes();
        let sc = &self.inner;
        let read = py.detach(|| catch(|| sc.read_json(bytes)));
        finish_read(py, read)
    }

    /// Observations from an object with `__arrow_c_stream__` (pandas,
    /// polars, pyarrow): read while holding the GIL, converted without it.
    /// `once`: for one evaluation, values left as given for it to round.
    #[pyo3(signature = (data, once=false))]
    fn read_arrow(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        once: bool,
    ) -> PyResult<Observations> {
        let table: PyTable = data.extract()?;
        let (batches, schema) = table.into_inner();
        let sc = &self.inner;
        let read = py.detach(|| catch(|| arrow::observations(sc, &schema, &batches, once)));
        finish_read(py, read)
    }

    /// Observations from Python row objects (an iterable of dicts), read
    /// exactly as a JSON array of objects.
    fn read_rows(&self, py: Python<'_>, rows: &Bound<'_, PyAny>) -> PyResult<Observations> {
        let items = rows_to_json(py, &self.inner, rows)?;
        let sc = &self.inner;
        let read = py.detach(|| catch(|| sc.read_json_rows(&items)));
        finish_read(py, read)
    }

    /// Overrides from CSV bytes.
    fn read_overrides_csv(&self, py: Python<'_>, data: &Bound<'_, PyBytes>) -> PyResult<Overrides> {
        let bytes = data.as_bytes();
        match guarded(py, || self.inner.read_overrides_csv(bytes))? {
            Ok(inner) => Ok(Overrides { inner }),
            Err(e) => Err(data_error(py, e)),
        }
    }

    /// Overrides from JSON bytes.
    fn read_overrides_json(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyBytes>,
    ) -> PyResult<Overrides> {
        let bytes = data.as_bytes();
        match guarded(py, || self.inner.read_overrides_json(bytes))? {
            Ok(inner) => Ok(Overrides { inner }),
            Err(e) => Err(data_error(py, e)),
        }
    }

    /// Overrides from Python row objects, read exactly as JSON override objects.
    fn read_override_rows(&self, py: Python<'_>, rows: &Bound<'_, PyAny>) -> PyResult<Overrides> {
        let items = serde_json::Value::Array(rows_to_json(py, &self.inner, rows)?);
        let bytes = serde_json::to_vec(&items).map_err(|e| {
            data_error_msg(
                py,
                format!("the overrides cannot be written as JSON: {e}"),
                None,
            )
        })?;
        match guarded(py, || self.inner.read_overrides_json(&bytes))? {
            Ok(inner) => Ok(Overrides { inner }),
            Err(e) => Err(data_error(py, e)),
        }
    }

    /// Evaluates observations; the GIL is released while the core works.
    #[pyo3(signature = (data, overrides=None, period=None, entity=None, explain=true))]
    fn evaluate(
        slf: &Bound<'_, Self>,
        data: &Bound<'_, Observations>,
        overrides: Option<&Overrides>,
        period: Option<String>,
        entity: Option<String>,
        explain: bool,
    ) -> PyResult<Evaluation> {
        let py = slf.py();
        let options = EvaluateOptions {
            period,
            entity,
            overrides: overrides.map(|o| o.inner.clone()).unwrap_or_default(),
            explain,
        };
        let sc = &slf.get().inner;
        let obs = &data.get().inner;
        // Every status now (so bad options fail here); records on first use.
        match py.detach(|| {
            catch(|| sc.evaluate_statuses_threaded(obs, &options, arrow::threads_for(obs.len())))
        }) {
            Ok(Ok(statuses)) => Ok(Evaluation {
                scorecard: slf.clone().unbind(),
                observations: data.clone().unbind(),
                options,
                statuses,
                full: OnceLock::new(),
            }),
            Ok(Err(e)) => Err(data_error(py, e)),
            Err(panic) => Err(panic_error(py, panic)),
        }
    }

    /// Statuses only, as an Arrow table (the core's compact status rows):
    /// the columnar fast path for large batches. The GIL is released.
    #[pyo3(signature = (data, overrides=None, period=None, entity=None))]
    fn evaluate_statuses(
        &self,
        py: Python<'_>,
        data: &Observations,
        overrides: Option<&Overrides>,
        period: Option<String>,
        entity: Option<String>,
    ) -> PyResult<PyTable> {
        let options = EvaluateOptions {
            period,
            entity,
            overrides: overrides.map(|o| o.inner.clone()).unwrap_or_default(),
            explain: false,
        };
        let sc = &self.inner;
        let obs = &data.inner;
        let made = py.detach(|| {
            catch(|| {
                sc.evaluate_statuses_threaded(obs, &options, arrow::threads_for(obs.len()))
                    .map(|table| statuses::batch(sc, &table))
            })
        });
        match made {
            Ok(Ok(batch)) => arrow_table(py, Ok(batch), "statuses"),
            Ok(Err(e)) => Err(data_error(py, e)),
            Err(panic) => Err(panic_error(py, panic)),
        }
    }

    /// The SPC chart of an indicator (DESIGN.md section 6) as JSON text,
    /// and each point's target (not in the JSON) as text or `None`.
    #[pyo3(signature = (data, indicator, entity=None))]
    fn spc(
        &self,
        py: Python<'_>,
        data: &Observations,
        indicator: &str,
        entity: Option<&str>,
    ) -> PyResult<(String, Vec<Option<String>>)> {
        let sc = &self.inner;
        let obs = &data.inner;
        match guarded(py, || sc.spc(obs, indicator, entity))? {
            Ok(chart) => Ok((
                chart.to_json().to_string(),
                chart
                    .points
                    .iter()
                    .map(|p| p.target.map(|t| t.normalize().to_string()))
                    .collect(),
            )),
            Err(e) => Err(data_error(py, e)),
        }
    }

    /// A pandas `Period` (its ordinal and `freqstr`) as ragulator writes
    /// the period, read as a period column's cells are; a `DataError` on
    /// the `period` option for a frequency ragulator does not take.
    fn pandas_period(&self, py: Python<'_>, ordinal: i64, freq: &str) -> PyResult<String> {
        let year_start = self.inner.calendar().year_start_month();
        arrow::pandas_period_text(ordinal, freq, year_start)
            .map_err(|why| errors::data_error_msg(py, format!("the period option is {why}"), None))
    }

    /// The evaluation as an HTML table grouped by theme (the core's renderer).
    fn html(&self, py: Python<'_>, evaluation: &Evaluation) -> PyResult<String> {
        let core = evaluation.core(py)?;
        guarded(py, || ragulator::html::evaluation_table(&self.inner, core))
    }
}

fn finish_read(
    py: Python<'_>,
    read: Result<Result<CoreObservations, ragulator::DataError>, Panic>,
) -> PyResult<Observations> {
    match read {
        Ok(Ok(inner)) => Ok(Observations { inner }),
        Ok(Err(e)) => Err(data_error(py, e)),
        Err(panic) => Err(panic_error(py, panic)),
    }
}

#[pymethods]
impl Observations {
    /// Input rows read (used + rejected).
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

    /// Entities of the data, in first-seen order (not the default entity).
    #[getter]
    fn entities(&self) -> Vec<String> {
        self.inner
            .entities()
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Why an entity option gives nothing (the core's sentence), or `None`
    /// when the data has rows for it.
    fn missing_entity(&self, entity: &str) -> Option<String> {
        self.inner.missing_entity(entity)
    }

    /// Rows used.
    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

#[pymethods]
impl Overrides {
    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

#[pymethods]
impl Evaluation {
    /// The result JSON of DESIGN.md section 4 (the CLI's), as text.
    #[pyo3(signature = (pretty=false))]
    fn to_json(&self, py: Python<'_>, pretty: bool) -> PyResult<String> {
        let inner = self.core(py)?;
        py.detach(|| {
            let v = inner.json();
            if pretty {
                serde_json::to_string_pretty(&v)
            } else {
                serde_json::to_string(&v)
            }
        })
        .map_err(|e| {
            data_error_msg(
                py,
                format!("the result cannot be written as JSON: {e}"),
                None,
            )
        })
    }

    /// The indicator results as CSV text.
    fn to_csv(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.core(py)?.to_csv())
    }

    /// The indicator results as an Arrow table (one column per field of
    /// the result JSON, flattened; see `results.rs`), and the names of the
    /// decimal columns needing more than 38 digits: `decimal256`, or exact
    /// text when `wide_as_text` (polars reads no wider decimals).
    #[pyo3(signature = (wide_as_text=false))]
    fn results_table(
        &self,
        py: Python<'_>,
        wide_as_text: bool,
    ) -> PyResult<(PyTable, Vec<String>)> {
        let core = self.core(py)?;
        let sc = &self.scorecard.get().inner;
        let made = py.detach(|| catch(|| results::batch(sc, core, wide_as_text)));
        let wide = match &made {
            Ok(Ok((_, wide))) => wide.clone(),
            _ => Vec::new(),
        };
        let made = made.map(|r| r.map(|(batch, _)| batch));
        Ok((arrow_table(py, made, "results")?, wide))
    }

    /// The statuses judged when the evaluation was made, as the Arrow
    /// table of `Scorecard.evaluate_statuses`.
    fn statuses_table(&self, py: Python<'_>) -> PyResult<PyTable> {
        let sc = &self.scorecard.get().inner;
        let table = &self.statuses;
        let made = py.detach(|| catch(|| statuses::batch(sc, table)));
        arrow_table(py, made, "statuses")
    }

    /// Input rows read.
    #[getter]
    fn input_rows(&self) -> usize {
        self.statuses.input_rows
    }

    /// Rejected rows: (row, reason), by row number.
    #[getter]
    fn rejected(&self) -> Vec<(usize, String)> {
        self.statuses
            .rejected
            .iter()
            .map(|r| (r.row, r.reason.clone()))
            .collect()
    }

    /// Number of theme results.
    #[getter]
    fn theme_results(&self) -> usize {
        self.statuses.themes.len()
    }

    /// Number of indicator results.
    fn __len__(&self) -> usize {
        self.statuses.results.len()
    }
}

/// The private native module of the `ragulator` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Scorecard>()?;
    m.add_class::<Observations>()?;
    m.add_class::<Overrides>()?;
    m.add_class::<Evaluation>()?;
    m.add_class::<records::Records>()?;
    m.add_class::<records::RecordSet>()?;
    m.add_class::<records::FailingRecords>()?;
    m.add_function(wrap_pyfunction!(records::sources, m)?)?;
    m.add_function(wrap_pyfunction!(records::read_records_csv, m)?)?;
    m.add_function(wrap_pyfunction!(records::read_records_json, m)?)?;
    m.add_function(wrap_pyfunction!(records::read_records_rows, m)?)?;
    m.add_function(wrap_pyfunction!(records::read_records_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(records::record_set, m)?)?;
    m.add_function(wrap_pyfunction!(records::measure, m)?)?;
    m.add_function(wrap_pyfunction!(records::failing_records, m)?)?;
    m.add_function(wrap_pyfunction!(report::html_report, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

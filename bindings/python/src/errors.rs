//! Core errors as the Python exceptions of the `ragulator` package, and panics
//! (which the core promises never to raise) as `RagulatorError`, never as
//! pyo3's `PanicException`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::prelude::*;
use ragulator::{DataError, LoadError};

/// Builds an exception of the pure-Python class `name` in `ragulator`.
fn raise<'py, A: pyo3::call::PyCallArgs<'py>>(py: Python<'py>, name: &str, args: A) -> PyErr {
    let made = py
        .import("ragulator")
        .and_then(|m| m.getattr(name))
        .and_then(|cls| cls.call1(args));
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// A scorecard that failed to load: `ScorecardError` with every diagnostic.
pub(crate) fn scorecard_error(py: Python<'_>, e: LoadError) -> PyErr {
    let diagnostics: Vec<(String, Option<usize>, Option<usize>, String)> = e
        .diagnostics
        .iter()
        .map(|d| (d.path.clone(), d.line, d.column, d.message.clone()))
        .collect();
    raise(py, "ScorecardError", (e.to_string(), diagnostics))
}

/// Data or overrides that fail the whole call: `DataError`.
pub(crate) fn data_error(py: Python<'_>, e: DataError) -> PyErr {
    raise(py, "DataError", (e.to_string(), e.row, e.column))
}

/// A `DataError` raised by the binding itself (an unsupported Python or Arrow type).
pub(crate) fn data_error_msg(py: Python<'_>, message: String, column: Option<&str>) -> PyErr {
    data_error(
        py,
        DataError {
            message,
            row: None,
            column: column.map(str::to_string),
        },
    )
}

/// A caught panic's payload.
pub(crate) type Panic = Box<dyn std::any::Any + Send>;

/// Runs core code (also off the GIL), catching a panic to report later.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    catch_unwind(AssertUnwindSafe(f))
}

/// A panic as `RagulatorError` (a bug to report) instead of pyo3's
/// `PanicException`, which is not an `Exception`.
pub(crate) fn panic_error(py: Python<'_>, payload: Panic) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    raise(
        py,
        "RagulatorError",
        (format!(
            "internal error in ragulator (a bug; please report it with the input): {what}"
        ),),
    )
}

/// Runs core code under the GIL, a panic becoming `RagulatorError`.
pub(crate) fn guarded<T>(py: Python<'_>, f: impl FnOnce() -> T) -> PyResult<T> {
    catch(f).map_err(|p| panic_error(py, p))
}

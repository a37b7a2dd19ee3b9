//! The monthly report (`ragulator-report`) for Python: converts the
//! arguments and errors; the HTML is the report crate's, as for the CLI's
//! `ragulator report`.

use pyo3::prelude::*;
use ragulator_report::{Narrative, ReportError, ReportOptions, DEFAULT_HISTORY, HISTORY_RANGE};

use crate::errors::{catch, data_error, data_error_msg, panic_error};
use crate::{format_of, Observations, Overrides, Scorecard};

/// The report as one HTML document; the GIL is released while the report
/// crate evaluates and renders. `narrative` is the narrative file's text in
/// `narrative_format` (`toml`, `json` or `yaml`); `narrative_name` (its
/// file) prefixes the narrative's errors, as the CLI's do; `history`
/// defaults to the CLI's.
#[pyfunction]
#[pyo3(signature = (scorecard, data, overrides=None, period=None, entity=None, narrative=None, narrative_format="toml", narrative_name=None, history=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn html_report(
    py: Python<'_>,
    scorecard: &Scorecard,
    data: &Observations,
    overrides: Option<&Overrides>,
    period: Option<String>,
    entity: Option<String>,
    narrative: Option<&str>,
    narrative_format: &str,
    narrative_name: Option<&str>,
    history: Option<i64>,
) -> PyResult<String> {
    // A negative count gets the core's message for any count out of range.
    let history = match history {
        None => DEFAULT_HISTORY,
        Some(h) => usize::try_from(h).map_err(|_| {
            data_error_msg(
                py,
                format!(
                    "history must be {} to {} periods, not {h}",
                    HISTORY_RANGE.start(),
                    HISTORY_RANGE.end()
                ),
                None,
            )
        })?,
    };
    let sc = &scorecard.inner;
    let narrative = match narrative {
        Some(text) => {
            let format = format_of(py, narrative_format)?;
            match py.detach(|| catch(|| Narrative::parse(sc, text, format))) {
                Ok(Ok(n)) => Some(n),
                Ok(Err(e)) => {
                    let message = match narrative_name {
                        Some(name) => format!("{name}: {e}"),
                        None => e.to_string(),
                    };
                    return Err(data_error_msg(py, message, None));
                }
                Err(panic) => return Err(panic_error(py, panic)),
            }
        }
        None => None,
    };
    let options = ReportOptions {
        period,
        entity,
        overrides: overrides.map(|o| o.inner.clone()).unwrap_or_default(),
        narrative,
        history,
    };
    let obs = &data.inner;
    match py.detach(|| catch(|| ragulator_report::render(sc, obs, &options))) {
        Ok(Ok(html)) => Ok(html),
        // A data error keeps its row and column.
        Ok(Err(ReportError::Data(e))) => Err(data_error(py, e)),
        Ok(Err(e)) => Err(data_error_msg(py, e.to_string(), None)),
        Err(panic) => Err(panic_error(py, panic)),
    }
}

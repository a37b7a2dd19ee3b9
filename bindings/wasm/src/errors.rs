//! Core errors as the JS `Error` subclasses of `js/errors.js`, and a panic
//! hook so that a panic (which the core promises never to raise) reaches JS
//! as a `RagulatorError` naming the bug, never as `RuntimeError: unreachable`.

use ragulator::{DataError, LoadError};
use wasm_bindgen::prelude::*;

use crate::types::{DataDiagnostic, Diagnostic};

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = scorecardError)]
    fn scorecard_error_js(message: &str, diagnostics: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = dataError)]
    fn data_error_js(message: &str, diagnostics: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = internalError)]
    fn internal_error_js(message: &str) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(message: &str);
}

/// Says on the console why a call gave less than asked for (a typo in an
/// option, most likely): the JS counterpart of the CLI's `note:` and of
/// Python's `warnings.warn`.
pub(crate) fn warn(message: &str) {
    console_warn(&format!("ragulator: {message}"));
}

/// Plain JS objects from serde values (maps as objects, None as null): the
/// same shapes `JSON.parse` gives for the core's JSON.
pub(crate) fn to_js<T: serde::Serialize + ?Sized>(v: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&serializer).unwrap_or(JsValue::NULL)
}

/// A scorecard that failed to load: `ScorecardError` with every diagnostic.
pub(crate) fn scorecard_error(e: &LoadError) -> JsValue {
    let diagnostics: Vec<Diagnostic> = e.diagnostics.iter().map(Diagnostic::from).collect();
    scorecard_error_js(&e.to_string(), to_js(&diagnostics))
}

/// Data, overrides or options that fail the whole call: `DataError`.
pub(crate) fn data_error(e: &DataError) -> JsValue {
    let diagnostics = [DataDiagnostic {
        row: e.row,
        column: e.column.clone(),
        message: e.message.clone(),
    }];
    data_error_js(&e.to_string(), to_js(&diagnostics))
}

/// A `DataError` raised by the binding itself (an argument of the wrong type).
pub(crate) fn usage(message: impl Into<String>) -> JsValue {
    data_error(&DataError::new(message))
}

/// Installs the panic hook (once, when the module is initialised).
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // The panic's message and, when the build keeps it, where it was
        // raised (scripts/build-wasm builds with `-Z location-detail=none`,
        // which leaves only "<redacted>").
        let payload = info.payload();
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("a panic without a message");
        let message = match info.location() {
            Some(at) if at.file() != "<redacted>" => format!(
                "internal error in ragulator (a bug; please report it with the input): {what} (at {at})"
            ),
            _ => format!("internal error in ragulator (a bug; please report it with the input): {what}"),
        };
        console_error(&message);
        // Throwing unwinds past the wasm frames instead of reaching the
        // abort (`unreachable`) that follows the hook under panic = "abort".
        wasm_bindgen::throw_val(internal_error_js(&message));
    }));
}

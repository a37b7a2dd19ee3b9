//! JS values (row objects, a scorecard given as an object) as JSON values,
//! so the core reads them exactly as it reads a JSON document: same column
//! checks, same row numbers, same reasons for rejected rows.
//!
//! JS types map to JSON: `null`, `undefined` and `NaN` are `null`
//! (missing); strings, booleans and finite numbers map to themselves (an
//! integral number within 2^53 as an integer, so `85` reads as `85`, not
//! `85.0`); an infinity becomes the text `inf` / `-inf`, which the core
//! rejects with its reason (`JSON.stringify` would silently make it `null`);
//! a BigInt becomes its exact digits. Anything else (functions, symbols,
//! dates, class instances) is an error naming the row and key.

use js_sys::{Array, Object};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

/// Deepest nesting accepted (rows are flat; scorecards are shallow).
const MAX_DEPTH: usize = 64;

/// Why a JS value could not be converted: the message, and the key path.
pub(crate) struct Unreadable {
    pub message: String,
    pub key: Option<String>,
}

fn unreadable(message: impl Into<String>) -> Unreadable {
    Unreadable {
        message: message.into(),
        key: None,
    }
}

/// A JS number as JSON.
pub(crate) fn number(f: f64) -> Value {
    const SAFE: f64 = 9_007_199_254_740_991.0;
    if f.is_nan() {
        Value::Null
    } else if f.is_infinite() {
        Value::String(if f > 0.0 { "inf" } else { "-inf" }.into())
    } else if f.fract() == 0.0 && f.abs() <= SAFE {
        // Exact: |f| <= 2^53 - 1 fits an i64.
        Value::Number(Number::from(f as i64))
    } else if f.fract() == 0.0 {
        // A larger whole number by its shortest digits, as JavaScript
        // prints it (2 ** 53 is "9007199254740992"): a JSON float would
        // read as "9007199254740992.0".
        Value::String(format!("{f}"))
    } else {
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

fn type_of(v: &JsValue) -> String {
    if v.is_function() {
        return "a function".into();
    }
    if v.is_symbol() {
        return "a symbol".into();
    }
    if let Some(o) = v.dyn_ref::<Object>() {
        let name: String = o.constructor().name().into();
        if !name.is_empty() {
            return format!("a {name}");
        }
    }
    let kind = v.js_typeof().as_string().unwrap_or_default();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

/// Whether `v` is a plain object (`{...}`, `Object.create(null)`): no
/// prototype, or one whose own prototype is null, which is some realm's
/// `Object.prototype`. An object from an iframe or a `vm` context is as
/// plain as one from here (`instanceof Object` says it is not); a Date, a
/// Map, an array or a class instance is not plain.
pub(crate) fn is_plain_object(v: &JsValue) -> bool {
    if !v.is_object() || Array::is_array(v) {
        return false;
    }
    let proto = Object::get_prototype_of(v);
    proto.is_null() || Object::get_prototype_of(&proto).is_null()
}

/// Converts one JS value to JSON.
pub(crate) fn to_json(v: &JsValue, depth: usize) -> Result<Value, Unreadable> {
    convert(v, depth, false)
}

/// Converts a scorecard given as an object to JSON. As for rows, except
/// that `NaN` becomes the text `NaN`, which the core rejects with its
/// reason: in a scorecard it is an error (DESIGN.md 3.1), not a missing
/// value.
pub(crate) fn document_to_json(v: &JsValue) -> Result<Value, Unreadable> {
    convert(v, 0, true)
}

fn convert(v: &JsValue, depth: usize, nan_is_text: bool) -> Result<Value, Unreadable> {
    if depth > MAX_DEPTH {
        return Err(unreadable("the value is nested too deeply"));
    }
    if v.is_null() || v.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(s) = v.as_string() {
        return Ok(Value::String(s));
    }
    if let Some(f) = v.as_f64() {
        if nan_is_text && f.is_nan() {
            return Ok(Value::String("NaN".into()));
        }
        return Ok(number(f));
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if v.is_bigint() {
        let digits: String = js_sys::BigInt::unchecked_from_js_ref(v)
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        return Ok(Value::String(digits));
    }
    if Array::is_array(v) {
        let a: &Array = v.unchecked_ref();
        let mut out = Vec::with_capacity(a.length() as usize);
        for item in a.iter() {
            out.push(convert(&item, depth + 1, nan_is_text)?);
        }
        return Ok(Value::Array(out));
    }
    if v.is_object() {
        // Plain objects only: a Date or a Map would read as something else.
        let o: &Object = v.unchecked_ref();
        if !is_plain_object(v) {
            return Err(unreadable(format!(
                "cannot read {}; values must be strings, numbers or null",
                type_of(v)
            )));
        }
        let mut map = Map::new();
        for entry in Object::entries(o).iter() {
            let pair: &Array = entry.unchecked_ref();
            let key = pair.get(0).as_string().unwrap_or_default();
            let value = match convert(&pair.get(1), depth + 1, nan_is_text) {
                Err(Unreadable { message, key: None }) => {
                    return Err(Unreadable {
                        message,
                        key: Some(key),
                    })
                }
                other => other?,
            };
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    Err(unreadable(format!(
        "cannot read {}; values must be strings, numbers or null",
        type_of(v)
    )))
}

/// An array of row objects as JSON rows; an error names the 1-based row.
pub(crate) fn rows(v: &JsValue) -> Result<Vec<Value>, ragulator::DataError> {
    let a: &Array = v.unchecked_ref();
    let mut out = Vec::with_capacity(a.length() as usize);
    for (i, item) in a.iter().enumerate() {
        match to_json(&item, 1) {
            Ok(v) => out.push(v),
            Err(Unreadable { message, key }) => {
                return Err(ragulator::DataError {
                    message,
                    row: Some(i + 1),
                    column: key,
                })
            }
        }
    }
    Ok(out)
}

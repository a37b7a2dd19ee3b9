//! Python row objects (a list of dicts) as JSON rows, so they are read
//! exactly as the core reads a JSON document: same column checks, same
//! row numbers, same reasons for rejected rows.
//!
//! Python types map to JSON values: `None`, a float NaN and `decimal` NaN
//! are `null` (missing); `str`, `bool`, `int` and finite `float` map to
//! themselves; a `Decimal` to its exact text; an infinity to the text
//! `inf`, which the core rejects with its reason; a pandas `Period` to the
//! text a period column's cells are read as (`2022-06`, `2022/23`).

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Why a Python value could not be converted.
pub(crate) enum Unreadable {
    /// Python raised while we inspected the value.
    Py(PyErr),
    /// An unsupported type: the message, and the key it was under.
    Type(String, Option<String>),
}

impl From<PyErr> for Unreadable {
    fn from(e: PyErr) -> Self {
        Unreadable::Py(e)
    }
}

type Conv<T> = Result<T, Unreadable>;

fn unsupported(name: &str) -> Unreadable {
    Unreadable::Type(
        format!("cannot read a value of type {name}; values must be str, int, float, decimal.Decimal or None"),
        None,
    )
}

/// Converts one Python value to JSON. `year_start_month` is the
/// scorecard's, for a pandas `Period` of a financial-year frequency.
pub(crate) fn to_json(v: &Bound<'_, PyAny>, depth: usize, year_start_month: u32) -> Conv<Value> {
    if depth > 64 {
        return Err(Unreadable::Type(
            "the value is nested too deeply".into(),
            None,
        ));
    }
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = v.cast::<PyString>() {
        return match s.to_str() {
            Ok(text) => Ok(Value::String(text.to_string())),
            // A lone surrogate ("\ud800"): text no file could hold.
            Err(_) => Err(Unreadable::Type(
                "the text is not valid Unicode (it holds a lone surrogate)".into(),
                None,
            )),
        };
    }
    // bool before int: Python's bool is an int.
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = v.cast::<PyInt>() {
        return Ok(int_json(i)?);
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Ok(float_json(f.value()));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, val) in d.iter() {
            let key = k.cast::<PyString>().map_err(|_| {
                Unreadable::Type(
                    format!(
                        "row keys must be strings (column names), found {}",
                        type_name(&k)
                    ),
                    None,
                )
            })?;
            let key = key.to_str()?.to_string();
            let value = match to_json(&val, depth + 1, year_start_month) {
                Err(Unreadable::Type(m, None)) => return Err(Unreadable::Type(m, Some(key))),
                other => other?,
            };
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = v.cast::<PyList>() {
        return l
            .iter()
            .map(|x| to_json(&x, depth + 1, year_start_month))
            .collect::<Conv<_>>()
            .map(Value::Array);
    }
    if let Ok(t) = v.cast::<PyTuple>() {
        return t
            .iter()
            .map(|x| to_json(&x, depth + 1, year_start_month))
            .collect::<Conv<_>>()
            .map(Value::Array);
    }
    let name = type_name(v);
    match name.as_str() {
        "decimal.Decimal" => {
            if v.call_method0("is_nan")?.is_truthy()? {
                Ok(Value::Null)
            } else if v.call_method0("is_infinite")?.is_truthy()? {
                let negative = v.call_method0("is_signed")?.is_truthy()?;
                Ok(Value::String(if negative { "-inf" } else { "inf" }.into()))
            } else {
                Ok(Value::String(v.str()?.to_str()?.to_string()))
            }
        }
        // pandas' missing markers.
        "pandas._libs.missing.NAType" | "pandas._libs.tslibs.nattype.NaTType" => Ok(Value::Null),
        // A `.dt.to_period()` column's cell, in a row dict or an overrides frame.
        "pandas.Period" => {
            let ordinal: i64 = v.getattr("ordinal")?.extract()?;
            let freq: String = v.getattr("freqstr")?.extract()?;
            crate::arrow::pandas_period_text(ordinal, &freq, year_start_month)
                .map(Value::String)
                .map_err(|why| Unreadable::Type(format!("the value is {why}"), None))
        }
        _ if name.starts_with("numpy.") => numpy_scalar(v, &name),
        // Other mappings (not dict subclasses).
        _ if v.hasattr("items")? && v.hasattr("keys")? => {
            let d = PyDict::new(v.py());
            for item in v.call_method0("items")?.try_iter()? {
                let (k, val): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
                d.set_item(k, val)?;
            }
            to_json(d.as_any(), depth, year_start_month)
        }
        _ => Err(unsupported(&name)),
    }
}

fn int_json(i: &Bound<'_, PyInt>) -> PyResult<Value> {
    if let Ok(n) = i.extract::<i64>() {
        return Ok(Value::Number(n.into()));
    }
    if let Ok(n) = i.extract::<u64>() {
        return Ok(Value::Number(n.into()));
    }
    // Beyond 64 bits: as text, so the core says it is out of range.
    Ok(Value::String(i.str()?.to_str()?.to_string()))
}

fn float_json(f: f64) -> Value {
    if f.is_nan() {
        Value::Null
    } else if f.is_infinite() {
        Value::String(if f > 0.0 { "inf" } else { "-inf" }.into())
    } else {
        Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// numpy scalars: integers exactly; floats by their own shortest form
/// (`str(np.float32(84.95))` is `84.95`); booleans as booleans.
fn numpy_scalar(v: &Bound<'_, PyAny>, name: &str) -> Conv<Value> {
    if name == "numpy.bool" || name == "numpy.bool_" {
        return Ok(Value::Bool(v.is_truthy()?));
    }
    if let Ok(index) = v.call_method0("__index__") {
        if let Ok(i) = index.cast::<PyInt>() {
            return Ok(int_json(i)?);
        }
    }
    if name.starts_with("numpy.float") {
        let f: f64 = v.call_method0("__float__")?.extract()?;
        if !f.is_finite() {
            return Ok(float_json(f));
        }
        return Ok(Value::String(v.str()?.to_str()?.to_string()));
    }
    if name == "numpy.str_" {
        return Ok(Value::String(v.str()?.to_str()?.to_string()));
    }
    Err(unsupported(name))
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    let t = v.get_type();
    let module = t.module().map(|m| m.to_string()).unwrap_or_default();
    let name = t.qualname().map(|n| n.to_string()).unwrap_or_default();
    if module == "builtins" || module.is_empty() {
        name
    } else {
        format!("{module}.{name}")
    }
}

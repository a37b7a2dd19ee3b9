//! Large results as JS values: the evaluation JSON in chunks, and the core's
//! compact status rows (`StatusTable`) as columns (typed arrays of indexes
//! into small tables, decimals as strings).

use std::collections::HashMap;

use js_sys::{Array, Int16Array, Object, Reflect, Uint32Array, Uint8Array, JSON};
use ragulator::output::{theme_json, ResultJson};
use ragulator::{Direction, Evaluation, Period, Scorecard, StatusTable};
use wasm_bindgen::{JsCast, JsValue};

use crate::errors::to_js;
use crate::types::{Rejected, RowCounts};

fn set(o: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(o, &JsValue::from_str(key), value).map(|_| ())
}

fn strings<'a>(items: impl Iterator<Item = &'a str>) -> Array {
    items.map(JsValue::from_str).collect()
}

/// Results per `JSON.parse` call: big enough to cross the boundary rarely,
/// small enough that no JS string nears V8's length limit (~512 MiB).
const CHUNK: usize = 4096;

/// Items written by the core's JSON function, parsed into one JS array a
/// chunk at a time: a million results never make one giant string or one
/// giant `serde_json::Value` (which overflowed wasm32's 4 GiB).
fn chunked<'a, T, J: serde::Serialize>(
    items: &'a [T],
    json: fn(&'a T) -> J,
) -> Result<Array, JsValue> {
    let out = Array::new_with_length(items.len() as u32);
    let mut text = Vec::new();
    for (c, chunk) in items.chunks(CHUNK).enumerate() {
        text.clear();
        text.push(b'[');
        for (k, item) in chunk.iter().enumerate() {
            if k > 0 {
                text.push(b',');
            }
            serde_json::to_writer(&mut text, &json(item))
                .map_err(|e| JsValue::from_str(&e.to_string()))?;
        }
        text.push(b']');
        let parsed: Array = JSON::parse(&String::from_utf8_lossy(&text))?.unchecked_into();
        let base = (c * CHUNK) as u32;
        for (k, v) in parsed.iter().enumerate() {
            out.set(base + k as u32, v);
        }
    }
    Ok(out)
}

/// The evaluation as the JSON of DESIGN.md section 4 (`Evaluation::to_json`),
/// built from the core's per-item JSON. The golden tests compare it with
/// the CLI's output exactly, so a change to `to_json` is caught.
pub(crate) fn evaluation(e: &Evaluation) -> Result<JsValue, JsValue> {
    let out = Object::new();
    set(&out, "results", &chunked(&e.results, ResultJson)?.into())?;
    set(&out, "themes", &chunked(&e.themes, theme_json)?.into())?;
    let rejected: Vec<Rejected> = e
        .rejected
        .iter()
        .map(|r| Rejected {
            row: r.row,
            reason: r.reason.clone(),
        })
        .collect();
    set(&out, "rejected", &to_js(&rejected))?;
    set(
        &out,
        "rows",
        &to_js(&row_counts(e.input_rows, e.rejected.len())),
    )?;
    Ok(out.into())
}

/// Input rows = used + rejected.
fn row_counts(input: usize, rejected: usize) -> RowCounts {
    RowCounts {
        input,
        used: input - rejected.min(input),
        rejected,
    }
}

/// Interns periods: each distinct period once in the table, rows hold its index.
#[derive(Default)]
struct Periods {
    index: HashMap<Period, u32>,
    table: Vec<Period>,
}

impl Periods {
    fn of(&mut self, p: Period) -> u32 {
        let next = self.table.len() as u32;
        *self.index.entry(p).or_insert_with(|| {
            self.table.push(p);
            next
        })
    }
}

fn push_decimal(
    out: &mut String,
    d: Option<rust_decimal::Decimal>,
    i: usize,
    missing: &mut Vec<u32>,
) {
    match d {
        Some(d) => ragulator::output::push_decimal(out, d),
        None => missing.push(i as u32),
    }
}

/// `n` lines as a JS array of strings, with null at the `missing` rows.
fn split_lines(text: &str, n: usize, missing: &[u32]) -> Array {
    if n == 0 {
        return Array::new();
    }
    let lines = js_sys::JsString::from(text).split("\n");
    for &i in missing {
        lines.set(i, JsValue::NULL);
    }
    lines
}

/// The table as the `StatusColumns` object of the TypeScript declarations.
pub(crate) fn status_columns(sc: &Scorecard, table: &StatusTable) -> Result<JsValue, JsValue> {
    let mut periods = Periods::default();
    let n = table.results.len();
    let (mut entity, mut indicator, mut period) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut status, mut computed, mut direction) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    // Decimals as one '\n'-joined string split in JS: two boundary
    // crossings per column instead of one per value; missing values are
    // then set to null (few, usually).
    let mut value = String::with_capacity(n * 6);
    let mut gap = String::with_capacity(n * 6);
    let (mut no_value, mut no_gap) = (Vec::new(), Vec::new());
    for (i, r) in table.results.iter().enumerate() {
        entity.push(r.entity);
        indicator.push(r.indicator);
        period.push(periods.of(r.period));
        status.push(r.status.map_or(-1, i16::from));
        computed.push(r.computed_status.map_or(-1, i16::from));
        direction.push(r.direction.index() as u8);
        if i > 0 {
            value.push('\n');
            gap.push('\n');
        }
        push_decimal(&mut value, r.value, i, &mut no_value);
        push_decimal(&mut gap, r.gap, i, &mut no_gap);
    }
    let value = split_lines(&value, n, &no_value);
    let gap = split_lines(&gap, n, &no_gap);
    let results = Object::new();
    set(&results, "entity", &Uint32Array::from(&entity[..]))?;
    set(&results, "indicator", &Uint32Array::from(&indicator[..]))?;
    set(&results, "period", &Uint32Array::from(&period[..]))?;
    set(&results, "value", &value)?;
    set(&results, "gap", &gap)?;
    set(&results, "status", &Int16Array::from(&status[..]))?;
    set(&results, "computedStatus", &Int16Array::from(&computed[..]))?;
    set(&results, "direction", &Uint8Array::from(&direction[..]))?;

    let themes = Object::new();
    let t = &table.themes;
    let column =
        |f: &dyn Fn(&ragulator::ThemeStatusRow) -> u32| -> Vec<u32> { t.iter().map(f).collect() };
    set(
        &themes,
        "entity",
        &Uint32Array::from(&column(&|r| r.entity)[..]),
    )?;
    set(
        &themes,
        "theme",
        &Uint32Array::from(&column(&|r| r.theme)[..]),
    )?;
    let theme_periods: Vec<u32> = t.iter().map(|r| periods.of(r.period)).collect();
    set(&themes, "period", &Uint32Array::from(&theme_periods[..]))?;
    let given: Vec<i16> = t.iter().map(|r| i16::from(r.status)).collect();
    let rolled: Vec<i16> = t.iter().map(|r| i16::from(r.computed_status)).collect();
    set(&themes, "status", &Int16Array::from(&given[..]))?;
    set(&themes, "computedStatus", &Int16Array::from(&rolled[..]))?;

    let out = Object::new();
    set(
        &out,
        "entities",
        &strings(table.entities.iter().map(String::as_str)),
    )?;
    set(
        &out,
        "indicators",
        &strings(sc.indicators().iter().map(|i| i.id.as_str())),
    )?;
    set(
        &out,
        "themes",
        &strings(sc.themes().iter().map(|t| t.id.as_str())),
    )?;
    let statuses = sc
        .statuses()
        .iter()
        .chain(std::iter::once(sc.no_data_status()));
    set(&out, "statuses", &strings(statuses.map(|s| s.id.as_str())))?;
    let names: Vec<String> = periods.table.iter().map(Period::to_string).collect();
    set(&out, "periods", &strings(names.iter().map(String::as_str)))?;
    set(
        &out,
        "directions",
        &strings(Direction::ALL.iter().map(|d| d.as_str())),
    )?;
    set(&out, "results", &results)?;
    set(&out, "themeResults", &themes)?;
    let rejected: Vec<Rejected> = table
        .rejected
        .iter()
        .map(|r| Rejected {
            row: r.row,
            reason: r.reason.clone(),
        })
        .collect();
    set(&out, "rejected", &to_js(&rejected))?;
    set(
        &out,
        "rows",
        &to_js(&row_counts(table.input_rows, table.rejected.len())),
    )?;
    Ok(out.into())
}

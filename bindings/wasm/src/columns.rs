//! The core's compact status rows (`StatusTable`) as JS columns: typed
//! arrays of indexes into small tables, decimals as strings.

use std::collections::HashMap;

use js_sys::{Array, Int16Array, Object, Reflect, Uint32Array, Uint8Array};
use ragulator::{Direction, Period, Scorecard, StatusTable};
use wasm_bindgen::JsValue;

use crate::errors::to_js;
use crate::types::{Rejected, RowCounts};

/// Every direction, in the order of the `directions` table.
const DIRECTIONS: [Direction; 6] = [
    Direction::Improving,
    Direction::Worsening,
    Direction::NoChange,
    Direction::Up,
    Direction::Down,
    Direction::NotComparable,
];

fn set(o: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(o, &JsValue::from_str(key), value).map(|_| ())
}

fn strings<'a>(items: impl Iterator<Item = &'a str>) -> Array {
    items.map(JsValue::from_str).collect()
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

fn decimal(d: Option<rust_decimal::Decimal>) -> JsValue {
    d.map_or(JsValue::NULL, |d| JsValue::from_str(&d.to_string()))
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
    let (value, gap) = (
        Array::new_with_length(n as u32),
        Array::new_with_length(n as u32),
    );
    for (i, r) in table.results.iter().enumerate() {
        entity.push(r.entity);
        indicator.push(r.indicator);
        period.push(periods.of(r.period));
        status.push(r.status.map_or(-1, i16::from));
        computed.push(r.computed_status.map_or(-1, i16::from));
        direction.push(
            DIRECTIONS
                .iter()
                .position(|d| *d == r.direction)
                .unwrap_or(5) as u8,
        );
        value.set(i as u32, decimal(r.value));
        gap.set(i as u32, decimal(r.gap));
    }
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
        &strings(DIRECTIONS.iter().map(|d| d.as_str())),
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
    let used = table.input_rows - table.rejected.len().min(table.input_rows);
    set(
        &out,
        "rows",
        &to_js(&RowCounts {
            input: table.input_rows,
            used,
            rejected: table.rejected.len(),
        }),
    )?;
    Ok(out.into())
}

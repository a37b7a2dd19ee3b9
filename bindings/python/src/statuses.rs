//! The core's compact status rows ([`ragulator::StatusTable`]) as one Arrow
//! record batch: the columnar fast path for large batches, where building
//! a record (or JSON) per result would dominate.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, Int32Builder};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use ragulator::{Direction, Period, Scorecard, StatusTable};
use rust_decimal::Decimal;

/// A dictionary column from its keys and values.
fn dictionary(keys: Int32Array, values: Vec<String>) -> Result<ArrayRef, ArrowError> {
    let values = Arc::new(StringArray::from(values));
    Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
        keys, values,
    )?))
}

/// The mantissa of `d` at `scale` (at least `d`'s own: a wider scale only
/// adds zeros, so the number is unchanged).
fn at_scale(d: Decimal, scale: u32) -> i128 {
    let m = d.mantissa();
    match scale.checked_sub(d.scale()) {
        Some(0) | None => m,
        Some(widen) => m * 10i128.pow(widen),
    }
}

fn decimal_column(mut builder: Decimal128Builder, scale: u32) -> Result<ArrayRef, ArrowError> {
    // rust_decimal's scale is at most 28 and mantissa below 2^96, so 38 digits hold it.
    Ok(Arc::new(
        builder.finish().with_precision_and_scale(38, scale as i8)?,
    ))
}

fn dict_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The schema of [`batch`].
pub(crate) fn schema(value_scale: i8, gap_scale: i8) -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("entity", dict_type(), true),
        Field::new("indicator", dict_type(), false),
        Field::new("period", dict_type(), false),
        Field::new("value", DataType::Decimal128(38, value_scale), true),
        Field::new("gap", DataType::Decimal128(38, gap_scale), true),
        Field::new("status", dict_type(), true),
        Field::new("computed_status", dict_type(), true),
        Field::new("direction", dict_type(), false),
    ]))
}

/// The indicator statuses as a record batch: entity, indicator, period,
/// value, gap, status, computed_status, direction (ids, as in the JSON).
/// One pass over the rows: a million of them are the case this is for.
pub(crate) fn batch(scorecard: &Scorecard, table: &StatusTable) -> Result<RecordBatch, ArrowError> {
    let rows = &table.results;
    let n = rows.len();
    // Each decimal column has one scale: the largest among its values.
    let scale_of = |d: Option<Decimal>| d.map_or(0, |d| d.scale());
    let (value_scale, gap_scale) = rows.iter().fold((0, 0), |(v, g), r| {
        (v.max(scale_of(r.value)), g.max(scale_of(r.gap)))
    });
    let mut entity = Int32Builder::with_capacity(n);
    let mut indicator = Vec::with_capacity(n);
    let mut period = Vec::with_capacity(n);
    let mut value = Decimal128Builder::with_capacity(n);
    let mut gap = Decimal128Builder::with_capacity(n);
    let mut status = Int32Builder::with_capacity(n);
    let mut computed = Int32Builder::with_capacity(n);
    let mut direction = Vec::with_capacity(n);
    // Periods in first-seen order. Rows come a timeline at a time, its
    // periods ascending, so the period after the previous row's is tried
    // before the map.
    let mut periods: Vec<Period> = Vec::new();
    let mut period_ix: HashMap<Period, i32> = HashMap::new();
    let mut last_key: i32 = -1;
    let default_entity = |ix: u32| table.entities.get(ix as usize).is_none_or(|e| e.is_empty());
    for r in rows {
        if default_entity(r.entity) {
            entity.append_null();
        } else {
            entity.append_value(r.entity as i32);
        }
        indicator.push(r.indicator as i32);
        let next = usize::try_from(last_key + 1)
            .ok()
            .and_then(|k| periods.get(k));
        let key = if next == Some(&r.period) {
            last_key + 1
        } else {
            *period_ix.entry(r.period).or_insert_with(|| {
                periods.push(r.period);
                periods.len() as i32 - 1
            })
        };
        last_key = key;
        period.push(key);
        value.append_option(r.value.map(|d| at_scale(d, value_scale)));
        gap.append_option(r.gap.map(|d| at_scale(d, gap_scale)));
        status.append_option(r.status.map(i32::from));
        computed.append_option(r.computed_status.map(i32::from));
        direction.push(r.direction.index() as i32);
    }
    let statuses: Vec<String> = scorecard
        .statuses()
        .iter()
        .chain(std::iter::once(scorecard.no_data_status()))
        .map(|s| s.id.clone())
        .collect();
    let indicators = scorecard
        .indicators()
        .iter()
        .map(|i| i.id.clone())
        .collect();
    let schema = schema(value_scale as i8, gap_scale as i8);
    RecordBatch::try_new(
        schema,
        vec![
            dictionary(entity.finish(), table.entities.clone())?,
            dictionary(Int32Array::from(indicator), indicators)?,
            dictionary(
                Int32Array::from(period),
                periods.iter().map(Period::to_string).collect(),
            )?,
            decimal_column(value, value_scale)?,
            decimal_column(gap, gap_scale)?,
            dictionary(status.finish(), statuses.clone())?,
            dictionary(computed.finish(), statuses)?,
            dictionary(
                Int32Array::from(direction),
                Direction::ALL
                    .iter()
                    .map(|d| d.as_str().to_string())
                    .collect(),
            )?,
        ],
    )
}

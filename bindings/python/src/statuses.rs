//! The core's compact status rows ([`ragulator::StatusTable`]) as one Arrow
//! record batch: the columnar fast path for large batches, where building
//! a record (or JSON) per result would dominate.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, Decimal128Array, DictionaryArray, Int32Array, RecordBatch, StringArray,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use ragulator::{Period, Scorecard, StatusTable};
use rust_decimal::Decimal;

/// A dictionary column from keys (None is null) and its values.
fn dictionary(keys: Vec<Option<i32>>, values: Vec<String>) -> Result<ArrayRef, ArrowError> {
    let keys = Int32Array::from(keys);
    let values = Arc::new(StringArray::from(values));
    Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
        keys, values,
    )?))
}

/// A decimal column at the largest scale among its values (the others are
/// rescaled exactly: a wider scale only adds zeros).
fn decimals(values: &[Option<Decimal>]) -> Result<ArrayRef, ArrowError> {
    let scale = values
        .iter()
        .flatten()
        .map(Decimal::scale)
        .max()
        .unwrap_or(0);
    let column: Decimal128Array = values
        .iter()
        .map(|v| {
            v.map(|d| {
                let widen = 10i128.pow(scale - d.scale());
                d.mantissa() * widen
            })
        })
        .collect();
    // rust_decimal's scale is at most 28 and mantissa below 2^96, so 38 digits hold it.
    Ok(Arc::new(column.with_precision_and_scale(38, scale as i8)?))
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
pub(crate) fn batch(scorecard: &Scorecard, table: &StatusTable) -> Result<RecordBatch, ArrowError> {
    let rows = &table.results;
    let entities: Vec<String> = table.entities.clone();
    let entity_keys = rows
        .iter()
        .map(|r| {
            let name = entities
                .get(r.entity as usize)
                .map(String::as_str)
                .unwrap_or("");
            (!name.is_empty()).then_some(r.entity as i32)
        })
        .collect();
    let indicators: Vec<String> = scorecard
        .indicators()
        .iter()
        .map(|i| i.id.clone())
        .collect();
    let indicator_keys = rows.iter().map(|r| Some(r.indicator as i32)).collect();
    let mut period_ix: HashMap<Period, i32> = HashMap::new();
    let mut periods: Vec<String> = Vec::new();
    let period_keys = rows
        .iter()
        .map(|r| {
            Some(*period_ix.entry(r.period).or_insert_with(|| {
                periods.push(r.period.to_string());
                periods.len() as i32 - 1
            }))
        })
        .collect();
    let statuses: Vec<String> = scorecard
        .statuses()
        .iter()
        .chain(std::iter::once(scorecard.no_data_status()))
        .map(|s| s.id.clone())
        .collect();
    let status_keys = rows.iter().map(|r| r.status.map(i32::from)).collect();
    let computed_keys = rows
        .iter()
        .map(|r| r.computed_status.map(i32::from))
        .collect();
    let directions = [
        ragulator::Direction::Improving,
        ragulator::Direction::Worsening,
        ragulator::Direction::NoChange,
        ragulator::Direction::Up,
        ragulator::Direction::Down,
        ragulator::Direction::NotComparable,
    ];
    let direction_keys = rows
        .iter()
        .map(|r| {
            directions
                .iter()
                .position(|d| *d == r.direction)
                .map(|p| p as i32)
        })
        .collect();
    let values: Vec<Option<Decimal>> = rows.iter().map(|r| r.value).collect();
    let gaps: Vec<Option<Decimal>> = rows.iter().map(|r| r.gap).collect();
    let value = decimals(&values)?;
    let gap = decimals(&gaps)?;
    let scale = |a: &ArrayRef| match a.data_type() {
        DataType::Decimal128(_, s) => *s,
        _ => 0,
    };
    let schema = schema(scale(&value), scale(&gap));
    RecordBatch::try_new(
        schema,
        vec![
            dictionary(entity_keys, entities)?,
            dictionary(indicator_keys, indicators)?,
            dictionary(period_keys, periods)?,
            value,
            gap,
            dictionary(status_keys, statuses.clone())?,
            dictionary(computed_keys, statuses)?,
            dictionary(
                direction_keys,
                directions.iter().map(|d| d.as_str().to_string()).collect(),
            )?,
        ],
    )
}

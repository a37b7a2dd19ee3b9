//! Case records for JavaScript (issue 8, `docs/measures.md`): read a
//! scorecard's record sources once (`scorecard.records(...)`), compute the
//! measured indicators' observations (`scorecard.measure(...)`), and list
//! the records behind a result (`scorecard.failingRecords(...)`), as
//! `ragulator evaluate --records` and `ragulator records` do. Conversion
//! only: reading, measuring and the drill-down are the core's.

use std::collections::BTreeMap;

use tsify::Ts;
use wasm_bindgen::prelude::*;

use crate::errors::{data_error, to_js, usage};
use crate::types::{
    FailingOptions, FailingRecord, MeasureOptions, ReadOptions, RejectedRecord, RowCounts,
    SourceInfo,
};
use crate::{given_options, required, rows, text_bytes, Observations, Scorecard};

/// Case records of a scorecard's sources, read and checked once: measure
/// them and drill down as often as needed.
#[wasm_bindgen]
pub struct RecordSet {
    inner: ragulator::RecordSet,
}

#[wasm_bindgen]
impl RecordSet {
    /// The sources given, in order.
    #[wasm_bindgen(getter)]
    pub fn sources(&self) -> Vec<String> {
        self.inner.iter().map(|t| t.source().to_string()).collect()
    }

    /// Input, used and rejected rows by source (input = used + rejected).
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, RowCounts>")]
    pub fn rows(&self) -> JsValue {
        let counts: BTreeMap<&str, RowCounts> = self
            .inner
            .iter()
            .map(|t| {
                (
                    t.source(),
                    RowCounts {
                        input: t.input_rows(),
                        used: t.len(),
                        rejected: t.rejected().len(),
                    },
                )
            })
            .collect();
        to_js(&counts)
    }

    /// Rows that could not be used, by source and row, each with the reason
    /// (a missing or unreadable date, an end before its start): never
    /// silently dropped.
    #[wasm_bindgen(getter)]
    pub fn rejected(&self) -> Vec<Ts<RejectedRecord>> {
        self.inner
            .rejected()
            .map(|(source, r)| {
                Ts::new_unchecked(to_js(&RejectedRecord {
                    source: source.to_string(),
                    row: r.row,
                    reason: r.reason.clone(),
                }))
            })
            .collect()
    }

    /// Records used, over every source.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.iter().map(|t| t.len()).sum()
    }
}

#[wasm_bindgen]
impl Scorecard {
    /// The record sources the scorecard declares (`[sources.<name>]`), by name.
    #[wasm_bindgen(getter)]
    pub fn sources(&self) -> Vec<Ts<SourceInfo>> {
        self.inner
            .sources()
            .iter()
            .map(|s| {
                let info = SourceInfo {
                    name: s.name.clone(),
                    columns: s
                        .columns
                        .iter()
                        .map(|(name, ty)| (name.clone(), ty.as_str().to_string()))
                        .collect(),
                    entity: s
                        .entity
                        .and_then(|i| s.columns.get(i))
                        .map(|(name, _)| name.clone()),
                };
                Ts::new_unchecked(to_js(&info))
            })
            .collect()
    }

    /// Reads case records: an object from source name to that source's
    /// table, as CSV text or bytes (JSON text with `format: "json"`) or an
    /// array of row objects. Bad rows are kept in `rejected`, with the
    /// reason; an unknown source or a missing column fails the call.
    pub fn records(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, Data>")] tables: JsValue,
        options: Option<Ts<ReadOptions>>,
    ) -> Result<RecordSet, JsValue> {
        let o: ReadOptions = given_options(options, "records")?;
        let Some(object) =
            crate::rows::is_plain_object(&tables).then(|| tables.unchecked_ref::<js_sys::Object>())
        else {
            return Err(usage(
                "records must be an object from source name to its records, e.g. { assessments: csvText }",
            ));
        };
        let mut set = ragulator::RecordSet::new();
        for entry in js_sys::Object::entries(object).iter() {
            let pair = js_sys::Array::from(&entry);
            let name = pair.get(0).as_string().unwrap_or_default();
            let table = pair.get(1);
            let read = if let Some(bytes) = text_bytes(&table) {
                match o.format.unwrap_or_default() {
                    crate::types::DataFormat::Csv => self.inner.read_records(&name, &bytes),
                    crate::types::DataFormat::Json => self.inner.read_records_json(&name, &bytes),
                }
            } else if js_sys::Array::is_array(&table) {
                rows::rows(&table)
                    .and_then(|items| self.inner.read_records_json_rows(&name, &items))
            } else {
                return Err(usage(format!(
                    "the records of '{name}' must be CSV text or bytes (a Uint8Array), JSON text (with format: \"json\"), or an array of row objects"
                )));
            };
            let records = read.map_err(|e| data_error(&e))?;
            set.insert(records).map_err(|e| data_error(&e))?;
        }
        Ok(RecordSet { inner: set })
    }

    /// The observations of the measured indicators, computed from case
    /// records (numerator and denominator per entity and period), merged
    /// after `data` when it is given (comparators, targets, other
    /// indicators), as `ragulator evaluate --records ... --data ...` does.
    /// Evaluate them with `evaluateObservations` or `evaluateStatuses`.
    pub fn measure(
        &self,
        records: &RecordSet,
        options: Option<Ts<MeasureOptions>>,
    ) -> Result<Observations, JsValue> {
        let o: MeasureOptions = given_options(options, "measure")?;
        let measured = self
            .inner
            .measure_observations(&records.inner)
            .map_err(|e| data_error(&e))?;
        let inner = if o.data.is_undefined() || o.data.is_null() {
            measured
        } else {
            let data = self.read(&o.data, o.format)?;
            self.inner.merge_observations(&[&data, &measured])
        };
        Ok(Observations { inner })
    }

    /// The records behind one measured result, as `ragulator records` lists
    /// them: the late records for timeliness, the visit that ended each
    /// too-long gap for intervals, the records counted for recurrences,
    /// rolling counts and rates. Every entity's, or one entity's.
    #[wasm_bindgen(js_name = failingRecords)]
    pub fn failing_records(
        &self,
        records: &RecordSet,
        options: Ts<FailingOptions>,
    ) -> Result<Vec<Ts<FailingRecord>>, JsValue> {
        let o: FailingOptions = required(options.js_value(), "failingRecords")?;
        let failing = self
            .inner
            .failing_records(&records.inner, &o.indicator, o.entity.as_deref(), &o.period)
            .map_err(|e| data_error(&e))?;
        Ok(failing
            .into_iter()
            .map(|r| {
                Ts::new_unchecked(to_js(&FailingRecord {
                    source: r.source,
                    row: r.row,
                    entity: r.entity,
                    id: r.id,
                    reason: r.reason,
                }))
            })
            .collect())
    }
}

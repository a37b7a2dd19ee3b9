//! `ragulator` for JavaScript: the wasm-bindgen module behind the npm
//! package `ragulator` (built by `scripts/build-wasm`) and the
//! `<ragulator-scorecard>` web component.
//!
//! It converts types and errors only. Loading, validation, reading data,
//! evaluation, the result JSON (`Evaluation::to_json`), explanations, SPC
//! charts and number formatting all come from the core crate.
#![forbid(unsafe_code)]

mod columns;
mod errors;
mod records;
mod rows;
pub mod types;

use ragulator::{EvaluateOptions as CoreOptions, Format, Override};
use tsify::Ts;
use wasm_bindgen::prelude::*;

use errors::{data_error, scorecard_error, usage};
use types::{
    ComparatorInfo, DataFormat, Diagnostic, EvaluateOptions, EvaluationResult, ExplainOptions,
    IndicatorInfo, IndicatorResult, ReadOptions, ScorecardFormat, SpcChart, SpcOptions, StatusInfo,
    ThemeInfo,
};

/// Runs when the module is initialised (`init()` / `initSync()`).
#[wasm_bindgen(start)]
fn start() {
    errors::install_panic_hook();
}

/// Core JSON as a JS value via `JSON.parse`: one crossing of the boundary,
/// and exactly the objects the CLI's JSON parses to.
fn parse_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(v)
        .map_err(|e| usage(format!("the result cannot be written as JSON: {e}")))?;
    js_sys::JSON::parse(&text)
}

/// Options given as a JS object (or nothing) as their Rust mirror.
fn given_options<T: serde::de::DeserializeOwned + Default + tsify::Tsify + Options>(
    given: Option<Ts<T>>,
    what: &str,
) -> Result<T, JsValue> {
    match given.map(|ts| ts.js_value()) {
        None => Ok(T::default()),
        Some(v) if v.is_undefined() || v.is_null() => Ok(T::default()),
        Some(v) => required(v, what),
    }
}

/// The option names of an options object, for the unknown-key check
/// (serde-wasm-bindgen reads only the fields it knows, so
/// `deny_unknown_fields` alone would let a misspelt option pass silently).
trait Options {
    const NAMES: &'static [&'static str];
}

impl Options for ReadOptions {
    const NAMES: &'static [&'static str] = &["format"];
}
impl Options for EvaluateOptions {
    const NAMES: &'static [&'static str] = &[
        "overrides",
        "overridesFormat",
        "period",
        "entity",
        "explain",
        "format",
    ];
}
impl Options for ExplainOptions {
    const NAMES: &'static [&'static str] = &[
        "indicator",
        "period",
        "entity",
        "overrides",
        "overridesFormat",
        "format",
    ];
}
impl Options for SpcOptions {
    const NAMES: &'static [&'static str] = &["indicator", "entity", "format"];
}
impl Options for types::MeasureOptions {
    const NAMES: &'static [&'static str] = &["data", "format"];
}
impl Options for types::FailingOptions {
    const NAMES: &'static [&'static str] = &["indicator", "period", "entity"];
}

/// Required options as their Rust mirror; the message names the call.
fn required<T: serde::de::DeserializeOwned + Options>(
    v: JsValue,
    what: &str,
) -> Result<T, JsValue> {
    check_options(&v, T::NAMES, what)?;
    serde_wasm_bindgen::from_value(v).map_err(|e| {
        let message = e.to_string();
        let message = message.strip_prefix("Error: ").unwrap_or(&message);
        usage(format!("invalid {what} options: {message}"))
    })
}

/// That options are a plain object with only known keys. Not generic, so
/// compiled once rather than for every options type.
fn check_options(v: &JsValue, names: &[&str], what: &str) -> Result<(), JsValue> {
    // A plain object (`{...}` or `Object.create(null)`): a Map, an array
    // or a class instance would have its options read as none.
    if !rows::is_plain_object(v) {
        let example = match what {
            "explain" => "{ indicator: \"re_referrals\", period: \"2022-06\" }",
            "spc" => "{ indicator: \"re_referrals\" }",
            "read" => "{ format: \"json\" }",
            _ => "{ period: \"2022-06\" }",
        };
        let given = if v.is_object() && !js_sys::Array::is_array(v) {
            "a Map or a class instance".to_string()
        } else {
            describe(v)
        };
        return Err(usage(format!(
            "the {what} options must be a plain object ({example}), not {given}"
        )));
    }
    let object: &js_sys::Object = v.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !names.contains(&key.as_str()) {
            return Err(usage(format!(
                "unknown {what} option '{key}'; the options are: {}",
                names.join(", ")
            )));
        }
        // serde-wasm-bindgen's own message names neither the option nor
        // the value in JS terms ("invalid type: JsValue(Object({}))").
        let value = js_sys::Reflect::get(object, &JsValue::from_str(&key)).unwrap_or_default();
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let wanted = match key.as_str() {
            "period" => Some("text, such as \"2022-06\" or \"2022/23\""),
            "entity" => Some("text, an entity's name"),
            "indicator" => Some("text, an indicator's id"),
            "format" | "overridesFormat" => Some("\"csv\" or \"json\""),
            "explain" => Some("true or false"),
            _ => None,
        };
        let fits = match key.as_str() {
            "explain" => value.as_bool().is_some(),
            _ => value.as_string().is_some(),
        };
        if let (Some(wanted), false) = (wanted, fits) {
            return Err(usage(format!(
                "the {what} option '{key}' must be {wanted}, not {}",
                describe(&value)
            )));
        }
    }
    Ok(())
}

/// A JS value in words, for messages: `the number 2022`, `an array`.
fn describe(v: &JsValue) -> String {
    if v.is_undefined() {
        return "undefined".into();
    }
    if v.is_null() {
        return "null".into();
    }
    if let Some(n) = v.as_f64() {
        return format!("the number {n}");
    }
    if let Some(b) = v.as_bool() {
        return format!("{b}");
    }
    if v.is_string() {
        return "text".into();
    }
    if v.is_bigint() {
        return "a BigInt".into();
    }
    if js_sys::Array::is_array(v) {
        return "an array".into();
    }
    if v.is_function() {
        return "a function".into();
    }
    if v.is_object() {
        return "an object".into();
    }
    "a value of another type".into()
}

/// A document given as text or as bytes (a `Uint8Array`, or the
/// `ArrayBuffer` of `await response.arrayBuffer()`; read exactly as the CLI
/// reads a file: invalid UTF-8 is reported by the core, not replaced).
fn text_bytes(v: &JsValue) -> Option<Vec<u8>> {
    if let Some(s) = v.as_string() {
        return Some(s.into_bytes());
    }
    if let Some(buffer) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        return Some(js_sys::Uint8Array::new(buffer).to_vec());
    }
    v.dyn_ref::<js_sys::Uint8Array>().map(|a| a.to_vec())
}

/// A scorecard document's text: a string as is, an object written as JSON.
fn document_text(doc: &JsValue) -> Result<String, JsValue> {
    if let Some(s) = doc.as_string() {
        return Ok(s);
    }
    if doc.is_object() && !js_sys::Array::is_array(doc) {
        let value = rows::document_to_json(doc).map_err(|e| {
            let at = e
                .key
                .map(|k| format!(" (at key '{k}')"))
                .unwrap_or_default();
            usage(format!(
                "the scorecard object cannot be read: {}{at}",
                e.message
            ))
        })?;
        // Pretty, so diagnostics' line numbers point at one key each.
        return serde_json::to_string_pretty(&value)
            .map_err(|e| usage(format!("the scorecard object cannot be read: {e}")));
    }
    Err(usage(
        "a scorecard must be given as text or, for JSON, as a plain object",
    ))
}

/// A string argument, or a `DataError` saying what was given instead (a
/// `&str` parameter would let wasm-bindgen read a non-string as memory).
fn text_argument(v: &JsValue, function: &str, what: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| {
        let given = v.js_typeof().as_string().unwrap_or_default();
        let given = if v.is_null() {
            "null".to_string()
        } else {
            given
        };
        usage(format!("{function} takes {what} as a string, not {given}"))
    })
}

/// A loaded, validated scorecard. Load it once; evaluate it on any data.
#[wasm_bindgen]
pub struct Scorecard {
    inner: ragulator::Scorecard,
}

/// Observations read and checked once, to evaluate many times.
#[wasm_bindgen]
pub struct Observations {
    inner: ragulator::Observations,
}

#[wasm_bindgen]
impl Observations {
    /// Rows read (used + rejected).
    #[wasm_bindgen(getter, js_name = inputRows)]
    pub fn input_rows(&self) -> usize {
        self.inner.input_rows()
    }

    /// Rows used.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    /// Rows that could not be used, with the reason.
    #[wasm_bindgen(getter)]
    pub fn rejected(&self) -> Vec<Ts<types::Rejected>> {
        self.inner
            .rejected()
            .iter()
            .map(|r| {
                Ts::new_unchecked(errors::to_js(&types::Rejected {
                    row: r.row,
                    reason: r.reason.clone(),
                }))
            })
            .collect()
    }
}

impl Scorecard {
    fn load(text: &str, format: Format) -> Result<Scorecard, JsValue> {
        ragulator::Scorecard::from_str(text, format)
            .map(|inner| Scorecard { inner })
            .map_err(|e| scorecard_error(&e))
    }

    fn read(
        &self,
        data: &JsValue,
        format: Option<DataFormat>,
    ) -> Result<ragulator::Observations, JsValue> {
        let read = if let Some(bytes) = text_bytes(data) {
            match format.unwrap_or_default() {
                DataFormat::Csv => self.inner.read_csv(&bytes),
                DataFormat::Json => self.inner.read_json(&bytes),
            }
        } else if js_sys::Array::is_array(data) {
            rows::rows(data).and_then(|items| self.inner.read_json_rows(&items))
        } else {
            return Err(usage(
                "data must be CSV text or bytes (a Uint8Array or an ArrayBuffer), JSON text or bytes (with format: \"json\"), or an array of row objects",
            ));
        };
        read.map_err(|e| data_error(&e))
    }

    fn overrides(
        &self,
        given: &JsValue,
        format: Option<DataFormat>,
    ) -> Result<Vec<Override>, JsValue> {
        let read = if given.is_undefined() || given.is_null() {
            return Ok(Vec::new());
        } else if let Some(bytes) = text_bytes(given) {
            match format.unwrap_or_default() {
                DataFormat::Csv => self.inner.read_overrides_csv(&bytes),
                DataFormat::Json => self.inner.read_overrides_json(&bytes),
            }
        } else if js_sys::Array::is_array(given) {
            rows::rows(given).and_then(|items| {
                let bytes = serde_json::to_vec(&items).map_err(|e| {
                    ragulator::DataError::new(format!("the overrides cannot be read: {e}"))
                })?;
                self.inner.read_overrides_json(&bytes)
            })
        } else {
            return Err(usage(
                "overrides must be CSV text or bytes, JSON text or bytes (with overridesFormat: \"json\"), or an array of override rows",
            ));
        };
        read.map_err(|e| data_error(&e))
    }

    fn run(
        &self,
        data: &ragulator::Observations,
        options: CoreOptions,
    ) -> Result<ragulator::Evaluation, JsValue> {
        self.inner
            .evaluate(data, &options)
            .map_err(|e| data_error(&e))
    }
}

#[wasm_bindgen]
impl Scorecard {
    /// Loads a scorecard from TOML text. Throws `ScorecardError` with every problem found.
    #[wasm_bindgen(js_name = fromToml)]
    pub fn from_toml(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<Scorecard, JsValue> {
        Scorecard::load(&text_argument(&text, "fromToml", "TOML")?, Format::Toml)
    }

    /// Loads a scorecard from YAML text.
    #[wasm_bindgen(js_name = fromYaml)]
    pub fn from_yaml(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<Scorecard, JsValue> {
        Scorecard::load(&text_argument(&text, "fromYaml", "YAML")?, Format::Yaml)
    }

    /// Loads a scorecard from JSON text or a plain object.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string | object")] doc: JsValue,
    ) -> Result<Scorecard, JsValue> {
        Scorecard::load(&document_text(&doc)?, Format::Json)
    }

    /// Every problem in a scorecard document (empty when it is valid), each
    /// with path, line, column and message. `format` defaults to `"toml"`
    /// for text and `"json"` for an object.
    pub fn validate(
        #[wasm_bindgen(unchecked_param_type = "string | object")] doc: JsValue,
        format: Option<Ts<ScorecardFormat>>,
    ) -> Result<Vec<Ts<Diagnostic>>, JsValue> {
        let format = match format {
            Some(f) if !f.js_value().is_undefined() => f
                .to_rust()
                .map_err(|_| usage("format must be \"toml\", \"json\" or \"yaml\""))?,
            _ if doc.as_string().is_some() => ScorecardFormat::Toml,
            _ => ScorecardFormat::Json,
        };
        let text = document_text(&doc)?;
        Ok(match ragulator::Scorecard::from_str(&text, format.into()) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics
                .iter()
                .map(|d| Ts::new_unchecked(errors::to_js(&Diagnostic::from(d))))
                .collect(),
        })
    }

    /// The scorecard's title.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> Option<String> {
        self.inner.name().map(str::to_string)
    }

    /// The indicators, in document order.
    #[wasm_bindgen(getter)]
    pub fn indicators(&self) -> Vec<Ts<IndicatorInfo>> {
        let spec = self.inner.spec();
        self.inner
            .indicators()
            .iter()
            .map(|i| {
                let info = IndicatorInfo {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    unit: i.unit.into(),
                    polarity: i.polarity.into(),
                    decimals: i.decimals,
                    theme: self.inner.theme_of(i).map(|t| t.id.clone()),
                    rag: i.has_rag(),
                    description: spec
                        .indicator
                        .iter()
                        .find(|s| s.id == i.id)
                        .and_then(|s| s.description.clone()),
                };
                Ts::new_unchecked(errors::to_js(&info))
            })
            .collect()
    }

    /// The themes, in document order.
    #[wasm_bindgen(getter)]
    pub fn themes(&self) -> Vec<Ts<ThemeInfo>> {
        self.inner
            .themes()
            .iter()
            .map(|t| {
                Ts::new_unchecked(errors::to_js(&ThemeInfo {
                    id: t.id.clone(),
                    name: t.name.clone(),
                }))
            })
            .collect()
    }

    /// The ranked statuses, best first, then `no_data`.
    #[wasm_bindgen(getter)]
    pub fn statuses(&self) -> Vec<Ts<StatusInfo>> {
        self.inner
            .statuses()
            .iter()
            .chain(std::iter::once(self.inner.no_data_status()))
            .map(|s| {
                Ts::new_unchecked(errors::to_js(&StatusInfo {
                    id: s.id.clone(),
                    label: s.label.clone(),
                    colour: s.colour.clone(),
                }))
            })
            .collect()
    }

    /// The comparators (name and label).
    #[wasm_bindgen(getter)]
    pub fn comparators(&self) -> Vec<Ts<ComparatorInfo>> {
        self.inner
            .comparators()
            .map(|(name, label)| {
                Ts::new_unchecked(errors::to_js(&ComparatorInfo {
                    name: name.to_string(),
                    label: label.to_string(),
                }))
            })
            .collect()
    }

    /// A decimal value (a result's `value`, `target`, a comparator) as the
    /// core writes it in explanations: the indicator's decimals, or more
    /// where the number has more (a target of 84.14 is `84.14%`, never
    /// `84.1%`: targets and comparators are not rounded), thousands
    /// separators, unit (`24.1%`, `74 per 10,000`). A JS number is taken
    /// by its shortest form, as in data rows (`20` is `20.0%`).
    #[wasm_bindgen(js_name = formatValue)]
    pub fn format_value(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] indicator: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] value: JsValue,
    ) -> Result<String, JsValue> {
        let indicator = text_argument(&indicator, "formatValue", "an indicator id")?;
        // A number is read by its shortest form, as in data rows.
        let value = match value.as_f64() {
            Some(n) => n.to_string(),
            None => text_argument(&value, "formatValue", "a decimal")?,
        };
        let value = value.as_str();
        let ind = self.indicator(&indicator)?;
        // Read as data cells are (no digit separators, NaN refused, exact).
        let v = ragulator::model::parse_decimal(value).map_err(usage)?;
        // Never rounded below its own places: results' values are already
        // rounded, and targets and comparators never are (DESIGN.md 3.1).
        let places = ragulator::explain::reference_places(v, ind.decimals);
        Ok(ragulator::explain::with_unit(v, ind.unit, places))
    }

    /// The month (1 to 12) in which this scorecard's financial years start
    /// (`calendar.year_start_month`; 4 by default): `2022/23` starts then.
    #[wasm_bindgen(getter, js_name = yearStartMonth)]
    pub fn year_start_month(&self) -> u32 {
        self.inner.calendar().year_start_month()
    }

    /// Reads and checks observations once, to evaluate them many times.
    pub fn observations(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Data")] data: JsValue,
        options: Option<Ts<ReadOptions>>,
    ) -> Result<Observations, JsValue> {
        let o: ReadOptions = given_options(options, "read")?;
        Ok(Observations {
            inner: self.read(&data, o.format)?,
        })
    }

    /// Evaluates the scorecard on data: the result JSON of DESIGN.md
    /// section 4 (the CLI's `--format json`) as plain objects, decimals as strings.
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Data")] data: JsValue,
        options: Option<Ts<EvaluateOptions>>,
    ) -> Result<Ts<EvaluationResult>, JsValue> {
        let o: EvaluateOptions = given_options(options, "evaluate")?;
        let obs = self.read(&data, o.format)?;
        self.evaluate_read(&obs, &o)
    }

    /// `evaluate` on observations already read with `observations()`.
    #[wasm_bindgen(js_name = evaluateObservations)]
    pub fn evaluate_observations(
        &self,
        observations: &Observations,
        options: Option<Ts<EvaluateOptions>>,
    ) -> Result<Ts<EvaluationResult>, JsValue> {
        let o: EvaluateOptions = given_options(options, "evaluate")?;
        self.evaluate_read(&observations.inner, &o)
    }

    /// Statuses only, in columns (typed arrays of indexes into small
    /// tables): the same judgements as `evaluate` without names,
    /// comparators, SPC or explanations. The fast path for large batches;
    /// `explain` is ignored.
    #[wasm_bindgen(js_name = evaluateStatuses)]
    pub fn evaluate_statuses(
        &self,
        observations: &Observations,
        options: Option<Ts<EvaluateOptions>>,
    ) -> Result<Ts<types::StatusColumns>, JsValue> {
        let o: EvaluateOptions = given_options(options, "evaluate")?;
        let overrides = self.overrides(&o.overrides, o.overrides_format)?;
        let table = self
            .inner
            .evaluate_statuses(
                &observations.inner,
                &CoreOptions {
                    period: o.period,
                    entity: o.entity.clone(),
                    overrides,
                    explain: false,
                },
            )
            .map_err(|e| data_error(&e))?;
        warn_if_no_such_entity(o.entity.as_deref(), &observations.inner);
        Ok(Ts::new_unchecked(columns::status_columns(
            &self.inner,
            &table,
        )?))
    }

    /// The results of one indicator at one period (every entity, or one),
    /// each with its explanation and the rule's trace.
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Data")] data: JsValue,
        options: Ts<ExplainOptions>,
    ) -> Result<Vec<Ts<IndicatorResult>>, JsValue> {
        let o: ExplainOptions = required(options.js_value(), "explain")?;
        self.indicator(&o.indicator)?;
        let obs = self.read(&data, o.format)?;
        let overrides = self.overrides(&o.overrides, o.overrides_format)?;
        warn_if_no_such_entity(o.entity.as_deref(), &obs);
        let evaluation = self.run(
            &obs,
            CoreOptions {
                period: Some(o.period),
                entity: o.entity,
                overrides,
                explain: true,
            },
        )?;
        evaluation
            .results
            .iter()
            .filter(|r| *r.indicator == *o.indicator)
            .map(|r| parse_json(&ragulator::output::ResultJson(r)).map(Ts::new_unchecked))
            .collect()
    }

    /// The statistical process control (XmR) chart of an indicator:
    /// DESIGN.md section 6.
    pub fn spc(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Data")] data: JsValue,
        options: Ts<SpcOptions>,
    ) -> Result<Ts<SpcChart>, JsValue> {
        let o: SpcOptions = required(options.js_value(), "spc")?;
        let obs = self.read(&data, o.format)?;
        let chart = self
            .inner
            .spc(&obs, &o.indicator, o.entity.as_deref())
            .map_err(|e| data_error(&e))?;
        parse_json(&chart.to_json()).map(Ts::new_unchecked)
    }
}

impl Scorecard {
    fn indicator(&self, id: &str) -> Result<&ragulator::load::Indicator, JsValue> {
        self.inner.indicator(id).ok_or_else(|| {
            let ids: Vec<&str> = self
                .inner
                .indicators()
                .iter()
                .map(|i| i.id.as_str())
                .collect();
            usage(format!(
                "unknown indicator '{id}'; indicators are: {}",
                ids.join(", ")
            ))
        })
    }

    fn evaluate_read(
        &self,
        obs: &ragulator::Observations,
        o: &EvaluateOptions,
    ) -> Result<Ts<EvaluationResult>, JsValue> {
        let overrides = self.overrides(&o.overrides, o.overrides_format)?;
        let evaluation = self.run(
            obs,
            CoreOptions {
                period: o.period.clone(),
                entity: o.entity.clone(),
                overrides,
                explain: o.explain.unwrap_or(true),
            },
        )?;
        warn_if_no_such_entity(o.entity.as_deref(), obs);
        columns::evaluation(&evaluation).map(Ts::new_unchecked)
    }
}

/// An entity the data does not have gives no results, or (with a period)
/// only no_data: says why (a typo, most likely), as the CLI's note and
/// Python's warning do.
fn warn_if_no_such_entity(entity: Option<&str>, data: &ragulator::Observations) {
    if let Some(note) = entity.and_then(|e| data.missing_entity(e)) {
        errors::warn(&note);
    }
}

/// Panics on purpose, for the test that a panic reaches JS as a
/// `RagulatorError` (the core never panics on input, so nothing else can
/// exercise the hook). Not part of the API: left out of the `.d.ts`.
#[wasm_bindgen(js_name = __panicForTests, skip_typescript)]
pub fn panic_for_tests() {
    panic!("a deliberate panic to test the panic hook");
}

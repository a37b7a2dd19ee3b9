//! The result formats every interface shares: the JSON of DESIGN.md
//! section 4 (decimals as strings) and a flat CSV.

use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::eval::{
    Evaluation, IndicatorResult, OverrideNote, Rejected, SpcState, ThemeResult, Trace,
};
use crate::model::TargetValue;

/// Appends a decimal as its `Display` text (`"84.9"`, `"-0.05"`, `"12"`).
///
/// Values, targets and gaps are mostly small numbers with few places; those
/// are written from their `i64` mantissa without the formatting machinery
/// (a large share of the time of writing a million results as text, in
/// WebAssembly especially). Anything else goes through `Display`.
///
/// ```
/// use rust_decimal::Decimal;
/// let mut out = String::new();
/// ragulator::output::push_decimal(&mut out, Decimal::new(-5, 2));
/// out.push(',');
/// ragulator::output::push_decimal(&mut out, Decimal::new(8490, 2));
/// assert_eq!(out, "-0.05,84.90");
/// ```
pub fn push_decimal(out: &mut String, d: Decimal) {
    let m = d.mantissa();
    let places = d.scale();
    // Zero is left to Display, which decides the sign of a negative zero.
    let (Some(p), Ok(u), false) = (
        10_u64.checked_pow(places).filter(|_| places <= 18),
        u64::try_from(m.unsigned_abs()),
        m == 0,
    ) else {
        out.push_str(&d.to_string());
        return;
    };
    if m < 0 {
        out.push('-');
    }
    push_digits(out, u / p, 1);
    if places > 0 {
        out.push('.');
        push_digits(out, u % p, places as usize);
    }
}

/// Appends `n` in decimal digits, zero-padded to at least `width`.
fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut at = buf.len();
    while n > 0 || buf.len() - at < width {
        at -= 1;
        if let Some(b) = buf.get_mut(at) {
            *b = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if at == 0 {
            break;
        }
    }
    for &b in buf.get(at..).unwrap_or(&[]) {
        out.push(char::from(b));
    }
}

/// A decimal's `Display` text, through [`push_decimal`].
///
/// ```
/// use rust_decimal::Decimal;
/// assert_eq!(ragulator::output::decimal_text(Decimal::new(850, 1)), "85.0");
/// ```
pub fn decimal_text(d: Decimal) -> String {
    let mut s = String::with_capacity(8);
    push_decimal(&mut s, d);
    s
}

fn dec(v: Option<Decimal>) -> Value {
    v.map(|d| Value::String(decimal_text(d)))
        .unwrap_or(Value::Null)
}

fn norm(v: Option<Decimal>) -> Value {
    v.map(|d| Value::String(d.normalize().to_string()))
        .unwrap_or(Value::Null)
}

/// A target as JSON: a string, or `{ "low": ..., "high": ... }` for a range.
pub fn target_json(t: Option<TargetValue>) -> Value {
    match t {
        None => Value::Null,
        Some(TargetValue::Value(v)) => Value::String(v.to_string()),
        Some(TargetValue::Range { low, high }) => {
            json!({ "low": low.to_string(), "high": high.to_string() })
        }
    }
}

/// A target as plain text: `20`, or `60–80` for a range.
pub fn target_text(t: Option<TargetValue>) -> String {
    match t {
        None => String::new(),
        Some(TargetValue::Value(v)) => v.to_string(),
        Some(TargetValue::Range { low, high }) => format!("{low}–{high}"),
    }
}

fn override_json(o: &Option<OverrideNote>) -> Value {
    match o {
        None => Value::Null,
        Some(o) => json!({ "status": &*o.status, "reason": &*o.reason }),
    }
}

fn trace_json(t: &Trace) -> Value {
    let operands: Map<String, Value> = t
        .operands
        .iter()
        .map(|(k, v)| (k.clone(), norm(*v)))
        .collect();
    json!({ "rule": t.rule, "clause": t.clause, "condition": t.condition, "operands": operands })
}

fn spc_json(s: Option<&SpcState>) -> Value {
    match s {
        None => Value::Null,
        Some(s) => json!({
            "variation": s.variation, "assurance": s.assurance, "point_type": s.point_type, "rule": s.rule,
            "mean": s.mean.to_string(), "lpl": s.lpl.map(|d| d.to_string()), "upl": s.upl.map(|d| d.to_string()), "n": s.n, "short": s.short,
        }),
    }
}

/// One indicator result as a JSON object.
pub fn result_json(r: &IndicatorResult) -> Value {
    // Cannot fail: every key is a string.
    serde_json::to_value(ResultJson(r)).unwrap_or(Value::Null)
}

/// One indicator result's JSON object ([`result_json`]) to be written
/// straight to text, without a [`Value`] tree per result: the keys in the
/// order serde_json's sorted map writes them.
///
/// ```
/// # let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
/// # let data = s.read_csv(b"indicator,period,value\nx,2022-06,4\n").unwrap();
/// # let e = s.evaluate(&data, &Default::default()).unwrap();
/// use ragulator::output::{result_json, ResultJson};
/// let r = &e.results[0];
/// assert_eq!(serde_json::to_string(&ResultJson(r)).unwrap(), result_json(r).to_string());
/// ```
pub struct ResultJson<'a>(pub &'a IndicatorResult);

impl Serialize for ResultJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let comparators: Map<String, Value> = r
            .comparators
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.normalize().to_string())))
            .collect();
        // Two kinds of entry, texts and small trees, so that the browser
        // package compiles two entry writers, not one per field type.
        fn text(v: Option<&str>) -> Option<&str> {
            v
        }
        let mut map = s.serialize_map(Some(21))?;
        map.serialize_entry("comparators", &Value::Object(comparators))?;
        map.serialize_entry("computed_status", &text(r.computed_status.as_deref()))?;
        map.serialize_entry("denominator", &norm(r.denominator))?;
        map.serialize_entry("direction", &text(Some(r.direction.as_str())))?;
        map.serialize_entry("entity", &text(r.entity.as_deref()))?;
        map.serialize_entry("explanation", &text(Some(&r.explanation)))?;
        map.serialize_entry("gap", &dec(r.gap))?;
        map.serialize_entry("gap_pct", &norm(r.gap_pct()))?;
        map.serialize_entry("indicator", &text(Some(&r.indicator)))?;
        map.serialize_entry("label", &text(r.label.as_deref()))?;
        map.serialize_entry("last_year", &dec(r.last_year))?;
        let reason = r.no_data_reason.as_ref().map(|n| n.phrase());
        map.serialize_entry("no_data_reason", &text(reason.as_deref()))?;
        map.serialize_entry("numerator", &norm(r.numerator))?;
        map.serialize_entry("override", &override_json(&r.overridden))?;
        map.serialize_entry("period", &Value::String(r.period.to_string()))?;
        map.serialize_entry("previous", &dec(r.previous))?;
        map.serialize_entry("spc", &spc_json(r.spc.as_deref()))?;
        map.serialize_entry("status", &text(r.status.as_deref()))?;
        map.serialize_entry("target", &target_json(r.target))?;
        map.serialize_entry("trace", &trace_json(&r.trace))?;
        map.serialize_entry("value", &dec(r.value))?;
        map.end()
    }
}

/// An indicator result serialises as its object of the contract's JSON,
/// so `serde_json::to_value(&result)` in a service is what the CLI writes.
impl Serialize for IndicatorResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ResultJson(self).serialize(s)
    }
}

/// A theme result serialises as its object of the contract's JSON.
impl Serialize for ThemeResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        theme_json(self).serialize(s)
    }
}

/// An evaluation serialises as the JSON of DESIGN.md section 4
/// ([`Evaluation::json`]): a service can return it as it is.
///
/// ```
/// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
/// let data = s.read_csv(b"indicator,period,value\nx,2022-06,4\n").unwrap();
/// let evaluation = s.evaluate(&data, &Default::default()).unwrap();
/// assert_eq!(serde_json::to_value(&evaluation).unwrap(), evaluation.to_json());
/// assert_eq!(
///     serde_json::to_value(&evaluation.results[0]).unwrap(),
///     evaluation.to_json()["results"][0]
/// );
/// assert_eq!(serde_json::to_value(&evaluation.results[0]).unwrap()["value"], "4");
/// ```
impl Serialize for Evaluation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json().serialize(s)
    }
}

/// [`Evaluation::json`]: the evaluation's JSON, each item's made as it is
/// written.
pub struct EvaluationJson<'a>(&'a Evaluation);

impl Serialize for EvaluationJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let rejected = e.rejected.len();
        let rows = json!({
            "input": e.input_rows,
            "used": e.input_rows - rejected.min(e.input_rows),
            "rejected": rejected,
        });
        // In the order serde_json's sorted map writes `to_json()` in.
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("rejected", &Each(&e.rejected, rejected_json))?;
        map.serialize_entry("results", &Each(&e.results, ResultJson))?;
        map.serialize_entry("rows", &rows)?;
        map.serialize_entry("themes", &Each(&e.themes, theme_json))?;
        map.end()
    }
}

/// Items written as a JSON array, each made by its function when written.
struct Each<'a, T, J>(&'a [T], fn(&'a T) -> J);

impl<'a, T, J: Serialize> Serialize for Each<'a, T, J> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item))?;
        }
        seq.end()
    }
}

fn rejected_json(r: &Rejected) -> Value {
    json!({ "row": r.row, "reason": r.reason })
}

/// One theme result as a JSON object.
pub fn theme_json(t: &ThemeResult) -> Value {
    let counts: Map<String, Value> = t
        .counts
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({
        "entity": t.entity.as_deref(),
        "theme": &*t.theme,
        "period": t.period.to_string(),
        "status": &*t.status,
        "computed_status": &*t.computed_status,
        "override": override_json(&t.overridden),
        "label": &*t.label,
        "counts": counts,
        "explanation": t.explanation,
    })
}

impl Evaluation {
    /// The result as the JSON of DESIGN.md section 4: `results`, `themes`,
    /// `rejected`, plus `rows` (input, used, rejected counts).
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
    /// let data = s.read_csv(b"indicator,period,value\nx,2022-06,4\n").unwrap();
    /// let json = s.evaluate(&data, &Default::default()).unwrap().to_json();
    /// assert_eq!(json["results"][0]["status"], "amber");
    /// assert_eq!(json["results"][0]["value"], "4");
    /// ```
    pub fn to_json(&self) -> Value {
        // Cannot fail: every key is a string.
        serde_json::to_value(self.json()).unwrap_or(Value::Null)
    }

    /// The same document as [`to_json`](Self::to_json), to be written
    /// (`serde_json::to_writer_pretty`) a result at a time: the whole
    /// tree is never held, which for a large evaluation takes gigabytes
    /// and most of the time. Written, it is the text of `to_json()`
    /// written, key for key.
    ///
    /// ```
    /// let s = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\ntarget=5\nrag={rule='target',amber=1}\n").unwrap();
    /// let data = s.read_csv(b"indicator,period,value\nx,2022-06,4\n").unwrap();
    /// let evaluation = s.evaluate(&data, &Default::default()).unwrap();
    /// let mut out = Vec::new();
    /// serde_json::to_writer_pretty(&mut out, &evaluation.json()).unwrap();
    /// assert_eq!(out, serde_json::to_vec_pretty(&evaluation.to_json()).unwrap());
    /// ```
    pub fn json(&self) -> EvaluationJson<'_> {
        EvaluationJson(self)
    }

    /// The indicator results as CSV text, one row per result.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = [
            "entity",
            "indicator",
            "period",
            "value",
            "target",
            "gap",
            "status",
            "computed_status",
            "override_status",
            "override_reason",
            "label",
            "direction",
            "explanation",
        ];
        let _ = w.write_record(header);
        for r in &self.results {
            let opt = |d: Option<Decimal>| d.map(decimal_text).unwrap_or_default();
            let _ = w.write_record([
                r.entity.as_deref().unwrap_or(""),
                &r.indicator,
                &r.period.to_string(),
                &opt(r.value),
                &target_text(r.target),
                &opt(r.gap),
                r.status.as_deref().unwrap_or(""),
                r.computed_status.as_deref().unwrap_or(""),
                r.overridden.as_ref().map(|o| &*o.status).unwrap_or(""),
                r.overridden.as_ref().map(|o| &*o.reason).unwrap_or(""),
                r.label.as_deref().unwrap_or(""),
                r.direction.as_str(),
                &r.explanation,
            ]);
        }
        w.into_inner()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use crate::test_strategies::{any_decimal, small_decimal};

    /// Decimals with i64 mantissas at every scale, small everyday ones and
    /// full 96-bit ones: each of `push_decimal`'s paths.
    fn decimals() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
            small_decimal(),
            any_decimal(),
        ]
    }

    proptest! {
        #[test]
        fn push_decimal_writes_what_display_writes(d in decimals()) {
            prop_assert_eq!(super::decimal_text(d), d.to_string());
        }
    }

    #[test]
    fn push_decimal_edges() {
        for (m, s) in [
            (0, 0),
            (0, 3),
            (1, 18),
            (-1, 18),
            (i64::MAX, 18),
            (i64::MIN, 18),
            (i64::MIN, 0),
            (5, 19),
        ] {
            let d = Decimal::new(m, s);
            assert_eq!(super::decimal_text(d), d.to_string(), "{m} at scale {s}");
        }
        let negative_zero = Decimal::from_parts(0, 0, 0, true, 2);
        assert_eq!(
            super::decimal_text(negative_zero),
            negative_zero.to_string()
        );
    }
}

//! The scorecard format as Rust types (DESIGN.md section 3).
//!
//! These types are what a scorecard file deserialises into and serialises back
//! from, in TOML, JSON or YAML alike. They are checked for *shape* by serde
//! (unknown keys, wrong types) and for *meaning* by [`crate::load`], which turns
//! a [`ScorecardSpec`] into a validated [`crate::Scorecard`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

pub use crate::measure::spec::{
    Among, ColumnType, CountedBy, FilterSpec, IntervalSpec, MeasurePeriod, MeasureSpec,
    PopulationSource, PopulationSpec, RateSpec, RecurrenceSpec, RollingCountSpec, SourceSpec,
    TimeUnit, TimelinessSpec,
};

/// The only format version this crate reads (`ragulator = 1`).
pub const FORMAT_VERSION: u32 = 1;

/// A decimal number as written in a scorecard: a number or a string.
///
/// Floats written in TOML/JSON/YAML are taken by their shortest
/// representation, so `84.1` is exactly 84.1. NaN, infinities and numbers
/// beyond `Decimal`'s range are errors.
///
/// ```
/// use ragulator::model::Dec;
/// let d: Dec = serde_json::from_str("84.1").unwrap();
/// assert_eq!(d.0.to_string(), "84.1");
/// assert!(serde_json::from_str::<Dec>("\"NaN\"").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dec(pub Decimal);

impl Dec {
    /// The decimal inside.
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl From<Decimal> for Dec {
    fn from(d: Decimal) -> Self {
        Dec(d)
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.normalize().fmt(f)
    }
}

/// Parses a decimal from text: plain (`84.95`, `-3`) or scientific (`1e5`).
/// Rejects NaN, infinities and numbers outside `Decimal`'s range with a
/// message saying so.
///
/// ```
/// assert_eq!(ragulator::model::parse_decimal("84.95").unwrap().to_string(), "84.95");
/// assert!(ragulator::model::parse_decimal("inf").is_err());
/// // Not numerals: a digit separator, two points.
/// assert_eq!(ragulator::model::parse_decimal("8_5").unwrap_err(), "'8_5' is not a number");
/// assert_eq!(ragulator::model::parse_decimal("1.2.3").unwrap_err(), "'1.2.3' is not a number");
/// ```
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("expected a number, found an empty string".into());
    }
    // Fast path: a plain decimal (nearly every cell); the checks below only
    // run to explain a failure or to read exponents. rust_decimal reads
    // `8_5` as 85: a digit separator no numeral here has, so such text is
    // left to the slow path, which refuses it.
    if let Ok(d) = Decimal::from_str(t) {
        if !t.contains('_') {
            return exact(t, d);
        }
    }
    parse_decimal_slow(t).and_then(|d| exact(t, d))
}

/// Whether `t` is written as a number: an optional sign, digits with at
/// most one decimal point (at least one digit), and an optional exponent
/// (`e`, an optional sign, digits). What `Dec`'s JSON Schema pattern says.
fn is_numeral(t: &str) -> bool {
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (t, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    digits(whole)
        && digits(fraction)
        && !(whole.is_empty() && fraction.is_empty())
        && exponent.is_none_or(|e| !e.is_empty() && digits(e))
}

/// `d` if it holds every digit of `text`, which it was parsed from:
/// rust_decimal rounds away the digits beyond its 28 decimal places or 96
/// bits, and a value rounded there and then to an indicator's `decimals`
/// may round differently (84.9499…9 would become 85.0).
///
/// ```
/// use ragulator::model::parse_decimal;
/// assert_eq!(parse_decimal("0.1000000000000000000000000000000").unwrap().to_string(), "0.1000000000000000000000000000");
/// assert!(parse_decimal("84.949999999999999999999999999999").unwrap_err().contains("more digits"));
/// assert_eq!(parse_decimal("12000000000000000000000000000e-28").unwrap().normalize().to_string(), "1.2");
/// // Short, but with an exponent: 36 places.
/// assert!(parse_decimal("1.2345678901234567e-20").unwrap_err().contains("more digits"));
/// assert_eq!(parse_decimal("1.5e-27").unwrap().to_string(), "0.0000000000000000000000000015");
/// ```
fn exact(text: &str, d: Decimal) -> Result<Decimal, String> {
    // Fewer characters than a decimal has digits, and no exponent to move
    // them: nothing was rounded.
    let plain = !text.contains(['e', 'E']);
    if (plain && text.len() <= 28) || holds_every_digit(text, d) {
        return Ok(d);
    }
    Err(format!(
        "'{text}' has more digits than a decimal holds exactly (28 or 29 significant digits, at most 28 decimal places); round it before loading"
    ))
}

/// Whether `d` is exactly the number written in `text` (plain or
/// scientific, already parsed as `d`). `d` is that number rounded, so it
/// is exact when no digit was dropped: when its places, trailing zeros
/// aside, are as many as the text's.
fn holds_every_digit(text: &str, d: Decimal) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => match text.get(i + 1..).map(str::parse::<i64>) {
            Some(Ok(e)) => (&text[..i], e),
            _ => return false,
        },
        None => (text, 0),
    };
    let fraction = mantissa.split_once('.').map_or("", |(_, f)| f);
    // Trailing zeros of the digits, through the point (`120e-1` is 12).
    let zeros = mantissa
        .bytes()
        .rev()
        .filter(|&b| b != b'.')
        .take_while(|&b| b == b'0')
        .count();
    let places = fraction.len() as i64 - exponent - zeros as i64;
    i64::from(d.normalize().scale()) == places.max(0)
}

/// Whether the float `v`, written as `numeral`, lost digits on the way to
/// an f64 (about 15 significant digits are kept): then the numeral, not
/// the float, is the number meant. True too when the numeral has more
/// digits than a decimal holds, so that it is refused as a string would be.
///
/// ```
/// # use ragulator::model::float_loses_digits;
/// assert!(!float_loses_digits("84.95", 84.95));
/// assert!(!float_loses_digits("84.950000000000000", 84.95));
/// assert!(float_loses_digits("84.9512345678901234567", 84.9512345678901234567));
/// assert!(float_loses_digits("84.949999999999999999999999999999", 84.95));
/// // An exponent read a unit in the last place off, as serde_json can.
/// assert!(float_loses_digits("979e-25", 9.789999999999999e-23));
/// assert!(!float_loses_digits("979e-25", 9.79e-23));
/// assert!(!float_loses_digits("1.5e3", 1500.0));
/// ```
pub fn float_loses_digits(numeral: &str, v: f64) -> bool {
    if numeral.bytes().filter(u8::is_ascii_digit).count() <= 15 {
        // Then it is the float's shortest representation, if the float was
        // read exactly; serde_json's fast path reads some exponents a unit
        // in the last place off (979e-25 as 9.789999999999999e-23).
        return numeral.contains(['e', 'E']) && numeral.parse::<f64>().is_ok_and(|f| f != v);
    }
    match parse_decimal(numeral) {
        Ok(d) => decimal_from_f64(v) != Ok(d),
        // Refused (more digits than a decimal holds): the numeral's reason
        // is the one to give, as for a string.
        Err(_) => true,
    }
}

/// [`parse_decimal`] for what is not a plain decimal: a leading `+`,
/// exponents, and the reasons a number is refused.
fn parse_decimal_slow(t: &str) -> Result<Decimal, String> {
    let lower = t.to_ascii_lowercase();
    let bare = lower.trim_start_matches(['+', '-']);
    if bare == "nan" || bare == "inf" || bare == "infinity" {
        return Err(format!(
            "'{t}' is not a number: NaN and infinities are not allowed"
        ));
    }
    if !is_numeral(t) {
        return Err(format!("'{t}' is not a number"));
    }
    let plain = t.strip_prefix('+').unwrap_or(t);
    if let Ok(d) = Decimal::from_str(plain) {
        return Ok(d);
    }
    if lower.contains('e') {
        if let Ok(d) = Decimal::from_scientific(&lower) {
            return Ok(d);
        }
    }
    // A numeral that did not fit. A negative exponent failed: too many
    // decimal places, not too big.
    if lower.contains("e-") {
        return Err(format!(
            "'{t}' is out of range: decimals have at most 28 decimal places (the smallest non-zero size is 1e-28)"
        ));
    }
    Err(too_big(t))
}

/// Why a number beyond a decimal's range is refused.
fn too_big(number: impl fmt::Display) -> String {
    format!("'{number}' is out of range: decimals must lie within ±79,228,162,514,264,337,593,543,950,335")
}

/// Converts a binary float to a decimal by its shortest representation.
///
/// ```
/// use ragulator::model::decimal_from_f64;
/// assert_eq!(decimal_from_f64(84.95).unwrap().to_string(), "84.95");
/// assert_eq!(decimal_from_f64(-0.1).unwrap().to_string(), "-0.1");
/// assert_eq!(decimal_from_f64(1e-7).unwrap().to_string(), "0.0000001");
/// assert_eq!(decimal_from_f64(1e20).unwrap().to_string(), "100000000000000000000");
/// assert!(decimal_from_f64(1e300).unwrap_err().contains("out of range"));
/// assert!(decimal_from_f64(f64::INFINITY).is_err());
/// // Past 28 places: refused, not rounded to zero.
/// assert!(decimal_from_f64(3e-29).unwrap_err().contains("more digits"));
/// ```
#[inline]
pub fn decimal_from_f64(v: f64) -> Result<Decimal, String> {
    if !v.is_finite() {
        return Err(format!(
            "'{v}' is not a number: NaN and infinities are not allowed"
        ));
    }
    if let Some(d) = short_decimal(v) {
        return Ok(d);
    }
    // `{}` prints the shortest string that round-trips, never in exponent form.
    // Written to the stack first: this runs once per float cell (DataFrames).
    let mut text = ShortText::default();
    if fmt::Write::write_fmt(&mut text, format_args!("{v}")).is_ok() {
        if let Ok(d) = Decimal::from_str(text.as_str()) {
            // Refused, not rounded, past 28 places (3e-29), as its text is.
            return exact(text.as_str(), d);
        }
    }
    parse_decimal(&format!("{v}"))
}

/// The shortest decimal of a float with few digits (most data: 84.95,
/// 0.1, 1200), without formatting it: the fewest places `s` for which
/// `round(v × 10^s) / 10^s` is `v` again. The same as formatting's
/// shortest round trip while `v × 10^s` stays below 2^50: the candidates
/// at that scale are then more than four ulps apart, so at most one rounds
/// to `v` (the one nearest `v`, as formatting picks). `None` otherwise.
/// `Decimal::try_new(m, scale)`, inlined: rust_decimal's constructor is a
/// call that returns the decimal through memory, word by word, and the
/// caller's load of it as a whole then stalls (about 15 cycles, per row
/// when reading data).
#[inline(always)]
pub(crate) fn decimal_of(m: i64, scale: u32) -> Option<Decimal> {
    if scale > Decimal::MAX_SCALE {
        return None;
    }
    let u = m.unsigned_abs();
    Some(Decimal::from_parts(
        (u & 0xFFFF_FFFF) as u32,
        (u >> 32) as u32,
        0,
        m < 0,
        scale,
    ))
}

// Always inlined: returned through memory, the decimal's four words are
// stored one by one and loaded as one, which stalls (about 15 cycles a row).
#[inline(always)]
pub(crate) fn short_decimal(v: f64) -> Option<Decimal> {
    // 2^50: exact integers, with room for the product's rounding error.
    const LIMIT: f64 = 1_125_899_906_842_624.0;
    if v == 0.0 || v.abs() >= LIMIT {
        return None; // -0.0 keeps its sign through formatting
    }
    // Two places first (most data): a value with fewer is the same
    // candidate with trailing zeros (at most one candidate per scale rounds
    // to `v`), so stripping them gives the fewest places in one try.
    if let Some(m) = round_trip(v, 100.0, LIMIT) {
        let (mut m, mut scale) = (m, 2);
        while scale > 0 && m % 10 == 0 {
            m /= 10;
            scale -= 1;
        }
        return decimal_of(m, scale);
    }
    let hundred_fits = (v * 100.0).abs() < LIMIT;
    let mut power = if hundred_fits { 1000.0 } else { 1.0 }; // exactly 10^scale
    for scale in if hundred_fits { 3..=15u32 } else { 0..=15u32 } {
        if (v * power).abs() >= LIMIT {
            return None;
        }
        if let Some(m) = round_trip(v, power, LIMIT) {
            return decimal_of(m, scale);
        }
        power *= 10.0;
    }
    None
}

/// The integer nearest `v × power` if it is below `limit` and, divided by
/// `power`, gives `v` back.
#[inline(always)]
fn round_trip(v: f64, power: f64, limit: f64) -> Option<i64> {
    let scaled = v * power;
    if scaled.abs() >= limit {
        return None;
    }
    // The nearest integer, by truncation (one instruction; `f64::round` is
    // a library call on baseline x86-64). Exact: |scaled| < 2^50.
    let t = scaled as i64;
    let m = match scaled - t as f64 {
        f if f >= 0.5 => t + 1,
        f if f <= -0.5 => t - 1,
        _ => t,
    };
    (m as f64 / power == v).then_some(m)
}

/// A small stack buffer for formatting one number; writing more fails.
#[derive(Default)]
struct ShortText {
    bytes: [u8; 32],
    len: usize,
}

impl ShortText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for ShortText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // As a string, so nothing is lost on the way to JavaScript and the
        // round trip is exact in every format.
        s.serialize_str(&self.to_string())
    }
}

/// A whole number beyond 64 bits (TOML reads them) as a decimal, or why
/// not: beyond ±79,228,162,514,264,337,593,543,950,335 it is out of range.
///
/// ```
/// use ragulator::model::decimal_from_i128;
/// assert_eq!(decimal_from_i128(-18446744073709551616).unwrap().to_string(), "-18446744073709551616");
/// assert!(decimal_from_i128(i128::MAX).unwrap_err().contains("out of range"));
/// ```
pub fn decimal_from_i128(v: i128) -> Result<Decimal, String> {
    Decimal::try_from_i128_with_scale(v, 0).map_err(|_| too_big(v))
}

/// [`decimal_from_i128`] for a positive whole number beyond `i128`.
pub fn decimal_from_u128(v: u128) -> Result<Decimal, String> {
    i128::try_from(v)
        .map_err(|_| too_big(v))
        .and_then(decimal_from_i128)
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or a string holding a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Dec, E> {
                decimal_from_i128(v).map(Dec).map_err(E::custom)
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Dec, E> {
                decimal_from_u128(v).map(Dec).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dec, E> {
                decimal_from_f64(v).map(Dec).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dec, E> {
                parse_decimal(v).map(Dec).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Dec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Decimal".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A decimal number, written as a number or as a string (\"84.1\").",
            "anyOf": [
                { "type": "number" },
                { "type": "string", "pattern": "^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$" }
            ]
        })
    }
}

/// `Deserialize` for an enum of unit variants written by name
/// (`polarity = "higher_is_better"`), the names as its `Serialize` writes
/// them. One function ([`variant_index`]) reads every such enum, where
/// serde's derive compiles a reader per enum (about 3.5 KiB raw of the WebAssembly
/// package each); the errors are the derive's.
macro_rules! deserialize_by_name {
    ($enum:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $enum {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const NAMES: &[&str] = &[$($name),+];
                let all = [$($enum::$variant),+];
                let i = $crate::model::variant_index(d, stringify!($enum), NAMES)?;
                all.get(i)
                    .copied()
                    .ok_or_else(|| serde::de::Error::custom("variant index out of range"))
            }
        }
    };
}
pub(crate) use deserialize_by_name;

/// The index in `names` of the unit variant `d` holds (see
/// [`deserialize_by_name`]).
pub(crate) fn variant_index<'de, D: Deserializer<'de>>(
    d: D,
    enum_name: &'static str,
    names: &'static [&'static str],
) -> Result<usize, D::Error> {
    struct Variant(&'static [&'static str]);
    impl<'de> Visitor<'de> for Variant {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("variant identifier")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
            match usize::try_from(v) {
                Ok(i) if i < self.0.len() => Ok(i),
                _ => Err(E::invalid_value(
                    de::Unexpected::Unsigned(v),
                    &format!("variant index 0 <= i < {}", self.0.len()).as_str(),
                )),
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
            (self.0.iter().position(|n| *n == v)).ok_or_else(|| E::unknown_variant(v, self.0))
        }
        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<usize, E> {
            self.visit_str(&String::from_utf8_lossy(v))
        }
    }
    impl<'de> de::DeserializeSeed<'de> for Variant {
        type Value = usize;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
            d.deserialize_identifier(self)
        }
    }
    struct Enum(&'static str, &'static [&'static str]);
    impl<'de> Visitor<'de> for Enum {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "enum {}", self.0)
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<usize, A::Error> {
            let (i, variant) = data.variant_seed(Variant(self.1))?;
            de::VariantAccess::unit_variant(variant)?;
            Ok(i)
        }
    }
    d.deserialize_enum(enum_name, names, Enum(enum_name, names))
}

/// Which way is better for an indicator (DESIGN.md 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Bigger values are better (`gap = value - target`).
    HigherIsBetter,
    /// Smaller values are better (`gap = target - value`).
    LowerIsBetter,
    /// The target is a range `{ low, high }`; inside it is met.
    Range,
    /// No "better": a context indicator, shown and trended only.
    None,
}

deserialize_by_name!(Polarity {
    HigherIsBetter = "higher_is_better",
    LowerIsBetter = "lower_is_better",
    Range = "range",
    None = "none",
});

impl Polarity {
    /// The words used in explanations, e.g. "lower is better".
    pub fn phrase(self) -> &'static str {
        match self {
            Polarity::HigherIsBetter => "higher is better",
            Polarity::LowerIsBetter => "lower is better",
            Polarity::Range => "within range is better",
            Polarity::None => "no polarity",
        }
    }
}

/// The unit of an indicator's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A percentage (0-100); tolerances in units are percentage points.
    Percent,
    /// A rate per 10,000.
    #[serde(rename = "per_10k")]
    Per10k,
    /// A rate per 1,000.
    #[serde(rename = "per_1000")]
    Per1000,
    /// A count.
    Count,
    /// A number of days.
    Days,
    /// A plain ratio.
    Ratio,
}

deserialize_by_name!(Unit {
    Percent = "percent",
    Per10k = "per_10k",
    Per1000 = "per_1000",
    Count = "count",
    Days = "days",
    Ratio = "ratio",
});

impl Unit {
    /// The multiplier applied to `numerator / denominator` (DESIGN.md 4).
    pub fn scale(self) -> Decimal {
        match self {
            Unit::Percent => Decimal::ONE_HUNDRED,
            Unit::Per10k => Decimal::from(10_000),
            Unit::Per1000 => Decimal::ONE_THOUSAND,
            Unit::Count | Unit::Days | Unit::Ratio => Decimal::ONE,
        }
    }
}

/// The scorecard document: what a TOML, JSON or YAML file holds.
///
/// ```
/// let spec: ragulator::model::ScorecardSpec = toml::from_str(r#"
/// ragulator = 1
/// [[indicator]]
/// id = "x"
/// name = "X"
/// unit = "count"
/// polarity = "none"
/// "#).unwrap();
/// assert_eq!(spec.indicator.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardSpec {
    /// Format version; must be 1.
    pub ragulator: u32,
    /// A title for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Financial year start and holidays for working-day arithmetic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarSpec>,
    /// Comparators shared by every indicator, by name, with a display label
    /// (`sn = "Statistical neighbours"`). Their values come from data series.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comparators: BTreeMap<String, String>,
    /// Record tables that measures are computed from, by name (docs/measures.md).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, SourceSpec>,
    /// The status scale, best first. Empty: green, amber, red.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<StatusSpec>,
    /// Groups of indicators, each with a roll-up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub theme: Vec<ThemeSpec>,
    /// The indicators.
    #[serde(default)]
    pub indicator: Vec<IndicatorSpec>,
    /// Named rule sets, used by `rag = "name"` or a theme's `rollup = "name"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, RuleSetSpec>,
}

/// `[calendar]`: the year start and the holidays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// Month (1-12) financial years start in; default 4 (April).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_start_month: Option<u32>,
    /// `"england-and-wales"`, `"none"`, or a list of `YYYY-MM-DD` dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holidays: Option<HolidaysSpec>,
}

/// The holidays of a calendar.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum HolidaysSpec {
    /// A built-in list by name: `england-and-wales` or `none`.
    Named(String),
    /// Dates as `YYYY-MM-DD` strings.
    Dates(Vec<String>),
}

// Written by hand: serde's untagged derive buffers the value to try each
// variant in turn, and says only "data did not match any variant" when
// none fits; this names what would, and where a list's item is wrong.
impl<'de> Deserialize<'de> for HolidaysSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HolidaysSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"england-and-wales\", \"none\" or a list of YYYY-MM-DD dates")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HolidaysSpec, E> {
                Ok(HolidaysSpec::Named(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<HolidaysSpec, A::Error> {
                let mut dates = Vec::new();
                while let Some(date) = s.next_element::<String>()? {
                    dates.push(date);
                }
                Ok(HolidaysSpec::Dates(dates))
            }
        }
        d.deserialize_any(V)
    }
}

/// One status of the scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusSpec {
    /// Identifier used in rules (`green`).
    pub id: String,
    /// Label for reports (`Green – Low Risk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A CSS colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
}

/// How a theme's status is derived from its indicators'.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Rollup {
    /// The worst status among indicators with data.
    #[default]
    Worst,
    /// The most frequent status, ties to the worse.
    Majority,
    /// A named rule set evaluated with `count`, `share`, `total`.
    RuleSet(String),
}

impl Serialize for Rollup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Rollup::Worst => "worst",
            Rollup::Majority => "majority",
            Rollup::RuleSet(name) => name,
        })
    }
}

impl<'de> Deserialize<'de> for Rollup {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "worst" => Rollup::Worst,
            "majority" => Rollup::Majority,
            _ => Rollup::RuleSet(s),
        })
    }
}

impl JsonSchema for Rollup {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Rollup".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "worst (default), majority, or the name of a rule set",
            "type": "string",
            "examples": ["worst", "majority"]
        })
    }
}

/// A theme: a group of indicators with a roll-up status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeSpec {
    /// Identifier indicators refer to.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `worst` (default), `majority`, or a rule set name.
    #[serde(default, skip_serializing_if = "is_default_rollup")]
    pub rollup: Rollup,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn is_default_rollup(r: &Rollup) -> bool {
    *r == Rollup::Worst
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// Identifier used in data rows.
    pub id: String,
    /// Display name, used in explanations.
    pub name: String,
    /// The theme it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// The unit of its values.
    pub unit: Unit,
    /// Which way is better.
    pub polarity: Polarity,
    /// Values are rounded half away from zero to this many places before any rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<i64>,
    /// A constant, a range, or a list of time-varying entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetSpec>,
    /// Constant comparator values by name (`sn`, `england`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comparators: BTreeMap<String, Dec>,
    /// The status given when the value is missing, instead of `no_data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    /// A built-in rule or the name of a rule set; absent: a context indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rag: Option<RagSpec>,
    /// Statistical process control options; present: the indicator is charted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spc: Option<SpcOptions>,
    /// Computed from records instead of given values (docs/measures.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<MeasureSpec>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A target value: a number or a `{ low, high }` range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TargetValue {
    /// A single number.
    Value(Dec),
    /// A range, for `polarity = "range"`.
    Range {
        /// Lower bound (inclusive).
        low: Dec,
        /// Upper bound (inclusive).
        high: Dec,
    },
}

/// An entry of a time-varying target: applies from the start of `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetStep {
    /// A period (`2022-04`, `2022/23`, ...).
    pub from: String,
    /// The target from then on.
    pub value: TargetValue,
}

// Written by hand: `flatten` cannot serialise an untagged number, so a derived
// impl failed on `{ from, value }` and broke the round trip.
impl Serialize for TargetStep {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("from", &self.from)?;
        match &self.value {
            TargetValue::Value(v) => m.serialize_entry("value", v)?,
            TargetValue::Range { low, high } => {
                m.serialize_entry("low", low)?;
                m.serialize_entry("high", high)?;
            }
        }
        m.end()
    }
}

impl JsonSchema for TargetStep {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TargetStep".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let dec = g.subschema_for::<Dec>();
        schemars::json_schema!({
            "description": "An entry of a time-varying target: `{ from, value }` or `{ from, low, high }`; applies from the start of the period `from`.",
            "type": "object",
            "properties": {
                "from": { "type": "string", "description": "A period (2022-04, 2022/23, ...)." },
                "value": dec,
                "low": dec,
                "high": dec
            },
            "required": ["from"],
            "additionalProperties": false,
            "oneOf": [
                { "required": ["value"], "not": { "anyOf": [{ "required": ["low"] }, { "required": ["high"] }] } },
                { "required": ["low", "high"], "not": { "required": ["value"] } }
            ]
        })
    }
}

/// An indicator's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TargetSpec {
    /// The same target for every period.
    Constant(TargetValue),
    /// `[{ from, value }, ...]` (or `{ from, low, high }`).
    Steps(Vec<TargetStep>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeFields {
    low: Dec,
    high: Dec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFields {
    from: String,
    #[serde(default)]
    value: Option<Dec>,
    #[serde(default)]
    low: Option<Dec>,
    #[serde(default)]
    high: Option<Dec>,
}

impl<'de> Deserialize<'de> for TargetValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TargetValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a range { low = a, high = b }")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TargetValue, E> {
                Ok(TargetValue::Value(Dec(Decimal::from(v))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TargetValue, E> {
                Ok(TargetValue::Value(Dec(Decimal::from(v))))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<TargetValue, E> {
                decimal_from_i128(v)
                    .map(|d| TargetValue::Value(Dec(d)))
                    .map_err(E::custom)
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<TargetValue, E> {
                decimal_from_u128(v)
                    .map(|d| TargetValue::Value(Dec(d)))
                    .map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TargetValue, E> {
                decimal_from_f64(v)
                    .map(|d| TargetValue::Value(Dec(d)))
                    .map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TargetValue, E> {
                parse_decimal(v)
                    .map(|d| TargetValue::Value(Dec(d)))
                    .map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<TargetValue, A::Error> {
                let r = RangeFields::deserialize(de::value::MapAccessDeserializer::new(m))?;
                Ok(TargetValue::Range {
                    low: r.low,
                    high: r.high,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for TargetStep {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = StepFields::deserialize(d)?;
        let value = match (f.value, f.low, f.high) {
            (Some(v), None, None) => TargetValue::Value(v),
            (None, Some(low), Some(high)) => TargetValue::Range { low, high },
            _ => {
                return Err(de::Error::custom(
                    "a target entry needs `from` and either `value` or both `low` and `high`",
                ))
            }
        };
        Ok(TargetStep {
            from: f.from,
            value,
        })
    }
}

impl<'de> Deserialize<'de> for TargetSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TargetSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, a range { low, high }, or a list of { from, value }")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TargetSpec, E> {
                TargetValue::deserialize(de::value::I64Deserializer::new(v))
                    .map(TargetSpec::Constant)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TargetSpec, E> {
                TargetValue::deserialize(de::value::U64Deserializer::new(v))
                    .map(TargetSpec::Constant)
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<TargetSpec, E> {
                decimal_from_i128(v)
                    .map(|d| TargetSpec::Constant(TargetValue::Value(Dec(d))))
                    .map_err(E::custom)
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<TargetSpec, E> {
                decimal_from_u128(v)
                    .map(|d| TargetSpec::Constant(TargetValue::Value(Dec(d))))
                    .map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TargetSpec, E> {
                TargetValue::deserialize(de::value::F64Deserializer::new(v))
                    .map(TargetSpec::Constant)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TargetSpec, E> {
                TargetValue::deserialize(de::value::StrDeserializer::new(v))
                    .map(TargetSpec::Constant)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<TargetSpec, A::Error> {
                TargetValue::deserialize(de::value::MapAccessDeserializer::new(m))
                    .map(TargetSpec::Constant)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<TargetSpec, A::Error> {
                Vec::<TargetStep>::deserialize(de::value::SeqAccessDeserializer::new(s))
                    .map(TargetSpec::Steps)
            }
        }
        d.deserialize_any(V)
    }
}

/// A tolerance: units of the indicator (`2`) or a percentage of |target| (`"5%"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tolerance {
    /// Units of the indicator (percentage points for a percent indicator).
    Units(Decimal),
    /// Percent of the absolute target (or comparator) value.
    Percent(Decimal),
}

impl Tolerance {
    /// The tolerance in units, given the reference value it is relative to.
    pub fn in_units(self, reference: Decimal) -> Decimal {
        match self {
            Tolerance::Units(u) => u,
            // × 0.01 rather than ÷ 100: the same exact result, much cheaper.
            // Checked: a huge target times a percentage can overflow. Then
            // scale the percentage first, and past Decimal::MAX saturate (a
            // tolerance that large covers every gap anyway).
            Tolerance::Percent(p) => {
                let r = reference.abs();
                // The common case, exactly what the checked chain below
                // gives when nothing overflows and the product is not zero
                // (rust_decimal returns a zero at scale 0): mantissas
                // multiplied, scales added, plus two places for the hundredth.
                let product = r.mantissa().saturating_mul(p.mantissa());
                if product != 0 {
                    if let Ok(x) =
                        Decimal::try_from_i128_with_scale(product, r.scale() + p.scale() + 2)
                    {
                        return x;
                    }
                }
                let hundredth = Decimal::new(1, 2);
                r.checked_mul(p)
                    .and_then(|x| x.checked_mul(hundredth))
                    .or_else(|| p.checked_mul(hundredth).and_then(|q| r.checked_mul(q)))
                    .unwrap_or(Decimal::MAX)
            }
        }
    }
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tolerance::Units(u) => write!(f, "{}", u.normalize()),
            Tolerance::Percent(p) => write!(f, "{}%", p.normalize()),
        }
    }
}

impl Serialize for Tolerance {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl FromStr for Tolerance {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let (number, percent) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (t, false),
        };
        let d = parse_decimal(number).map_err(|e| {
            if is_numeral(number) {
                // A number, but not one a decimal holds: say why.
                format!("tolerance {e}")
            } else {
                format!("'{text}' is not a tolerance: write a number of units (2) or a percentage of the target (\"5%\")")
            }
        })?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(format!(
                "tolerance '{text}' is negative: tolerances must be zero or more"
            ));
        }
        Ok(if percent {
            Tolerance::Percent(d)
        } else {
            Tolerance::Units(d)
        })
    }
}

impl<'de> Deserialize<'de> for Tolerance {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Tolerance;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of units (2) or a percentage string (\"5%\")")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tolerance, E> {
                format!("{v}").parse().map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tolerance, E> {
                Ok(Tolerance::Units(Decimal::from(v)))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Tolerance, E> {
                let d = decimal_from_i128(v).map_err(E::custom)?;
                d.to_string().parse().map_err(E::custom)
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Tolerance, E> {
                let d = decimal_from_u128(v).map_err(E::custom)?;
                d.to_string().parse().map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tolerance, E> {
                let d = decimal_from_f64(v).map_err(E::custom)?;
                d.to_string().parse().map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Tolerance, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Tolerance {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Tolerance".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Units of the indicator (2) or a percentage of |target| (\"5%\")",
            "anyOf": [
                { "type": "number", "minimum": 0 },
                { "type": "string", "pattern": "^\\s*[+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)\\s*%?\\s*$" }
            ]
        })
    }
}

/// `rag = ...`: a built-in rule or the name of a rule set.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum RagSpec {
    /// `rag = "target_and_sn"`: a named rule set.
    RuleSet(String),
    /// `rag = { rule = "target", ... }`.
    Builtin(BuiltinRule),
}

impl Serialize for RagSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RagSpec::RuleSet(n) => s.serialize_str(n),
            RagSpec::Builtin(b) => b.serialize(s),
        }
    }
}

// Read as the internally tagged enum `BuiltinRule` (see there) whose
// visitor also takes a rule set's name.
impl<'de> Deserialize<'de> for RagSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RagSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the name of a rule set, or a built-in rule { rule = \"target\" | \"bands\" | \"comparator\" | \"spc\", ... }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RagSpec, E> {
                Ok(RagSpec::RuleSet(v.to_string()))
            }
            fn visit_enum<A: de::EnumAccess<'de>>(self, rule: A) -> Result<RagSpec, A::Error> {
                BuiltinRule::deserialize(de::value::EnumAccessDeserializer::new(rule))
                    .map(RagSpec::Builtin)
            }
        }
        d.deserialize_enum("BuiltinRule", BuiltinRuleFields::VARIANTS, V)
    }
}

/// The built-in rules (DESIGN.md 3.4).
///
/// Written `{ rule = "target", amber = 2 }`. `Deserialize` reads that form
/// through the scorecard loader ([`crate::Scorecard::from_str`]), which
/// hands the tag's value over as the variant; other deserializers see the
/// externally tagged form (`{ target = { amber = 2 } }`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum BuiltinRule {
    /// Green on target, amber within `amber` of it, else red; optional blue.
    Target {
        /// Amber tolerance.
        amber: Tolerance,
        /// Blue when the gap is at least this (needs a `blue` status).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blue: Option<Tolerance>,
    },
    /// Fixed thresholds, one fewer than the ranked statuses.
    Bands {
        /// Descending for higher-is-better, ascending for lower-is-better.
        thresholds: Vec<Dec>,
    },
    /// As `target`, against a comparator's value.
    Comparator {
        /// The comparator's name (`sn`, `england`).
        against: String,
        /// Amber tolerance.
        amber: Tolerance,
        /// Blue when the gap is at least this (needs a `blue` status).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        blue: Option<Tolerance>,
    },
    /// Status from SPC variation and assurance; each key maps to a status.
    Spc(SpcRule),
}

/// [`BuiltinRule`]'s `Deserialize`, externally tagged (see there).
#[derive(Deserialize)]
#[serde(
    remote = "BuiltinRule",
    rename = "BuiltinRule",
    rename_all = "snake_case",
    deny_unknown_fields,
    expecting = "internally tagged enum BuiltinRule"
)]
enum BuiltinRuleFields {
    Target {
        amber: Tolerance,
        #[serde(default)]
        blue: Option<Tolerance>,
    },
    Bands {
        thresholds: Vec<Dec>,
    },
    Comparator {
        against: String,
        amber: Tolerance,
        #[serde(default)]
        blue: Option<Tolerance>,
    },
    Spc(SpcRule),
}

impl BuiltinRuleFields {
    const VARIANTS: &'static [&'static str] = &["target", "bands", "comparator", "spc"];
}

impl<'de> Deserialize<'de> for BuiltinRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BuiltinRuleFields::deserialize(d)
    }
}

/// The mapping of the `spc` built-in rule: variation and assurance to statuses.
///
/// Variation is checked first (`concern`, `improvement`, `neutral`,
/// `common_cause`), then assurance (`consistent_fail`, `hit_and_miss`,
/// `consistent_pass`); the first mapped one decides, else `otherwise`
/// (or `no_data` when that is absent too).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpcRule {
    /// Status when the last point is special-cause concern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concern: Option<String>,
    /// Status when the last point is special-cause improvement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub improvement: Option<String>,
    /// Status when the last point is special-cause neutral.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neutral: Option<String>,
    /// Status when the last point is common-cause variation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_cause: Option<String>,
    /// Status when the target lies outside the limits on the wrong side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistent_fail: Option<String>,
    /// Status when the target lies within the limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hit_and_miss: Option<String>,
    /// Status when the target lies outside the limits on the right side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistent_pass: Option<String>,
    /// Status when nothing above applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otherwise: Option<String>,
}

/// SPC options of an indicator (DESIGN.md section 6); every key is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpcOptions {
    /// Drop moving ranges of 3.267 × AMR or more and recompute (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_outliers: Option<bool>,
    /// Fix the limits on the first n points of each segment (n >= 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_after: Option<u32>,
    /// Periods where a new segment starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rebase: Vec<String>,
    /// Run length for a shift (default 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<u32>,
    /// Run length for a trend (default 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<u32>,
    /// Let points beyond the limits count towards two-of-three (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_of_three_beyond_limits: Option<bool>,
}

/// A named rule set: the first clause whose condition holds decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSetSpec {
    /// Ordered clauses.
    #[serde(default)]
    pub when: Vec<ClauseSpec>,
    /// The status when no clause fires.
    pub otherwise: String,
}

/// One clause of a rule set: `{ status = "green", if = "gap >= 0" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClauseSpec {
    /// The status given when the condition holds.
    pub status: String,
    /// An expression (DESIGN.md 3.5).
    #[serde(rename = "if")]
    pub condition: String,
}

/// A human judgement replacing a computed status (DESIGN.md section 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Override {
    /// The entity; `None` applies to every entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// What is overridden: an indicator or a theme.
    #[serde(flatten)]
    pub target: OverrideTarget,
    /// The period.
    pub period: String,
    /// The status given.
    pub status: String,
    /// Why; required and non-empty.
    pub reason: String,
}

/// Whether an override applies to an indicator or a theme.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideTarget {
    /// An indicator id.
    Indicator(String),
    /// A theme id.
    Theme(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The names a unit enum's JSON Schema (derived with its `Serialize`)
    /// lists: `enum` values and `const`s.
    fn schema_names<T: JsonSchema>() -> Vec<String> {
        fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(serde_json::Value::String(c)) = m.get("const") {
                        out.push(c.clone());
                    }
                    if let Some(serde_json::Value::Array(e)) = m.get("enum") {
                        out.extend(e.iter().filter_map(|x| x.as_str().map(str::to_string)));
                    }
                    m.values().for_each(|x| collect(x, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        collect(
            &serde_json::to_value(schemars::schema_for!(T)).unwrap(),
            &mut out,
        );
        out
    }

    /// Every name of an enum read by name (`deserialize_by_name!`) is read
    /// as the variant that is written with it, and nothing else is.
    fn reads_every_name<T>(variants: usize)
    where
        T: JsonSchema + Serialize + for<'de> Deserialize<'de> + fmt::Debug,
    {
        let names = schema_names::<T>();
        assert_eq!(names.len(), variants, "{names:?}");
        for name in &names {
            let v: T = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(serde_json::to_value(&v).unwrap(), serde_json::json!(name));
        }
        let e = serde_json::from_str::<T>("\"nope\"")
            .unwrap_err()
            .to_string();
        let listed = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
        assert!(e.contains("unknown variant `nope`"), "{e}");
        assert!(listed.iter().all(|n| e.contains(n.as_str())), "{e}");
    }

    #[test]
    fn enums_read_by_name_take_exactly_the_names_they_are_written_with() {
        reads_every_name::<Polarity>(4);
        reads_every_name::<Unit>(6);
        reads_every_name::<ColumnType>(4);
        reads_every_name::<MeasurePeriod>(6);
        reads_every_name::<TimeUnit>(4);
        reads_every_name::<CountedBy>(2);
        reads_every_name::<Among>(2);
        let e = serde_json::from_str::<Polarity>("{\"range\": 1}").unwrap_err();
        assert!(e.to_string().contains("expected unit"), "{e}");
    }

    /// The slow path: formatting's shortest round trip, parsed.
    fn formatted(v: f64) -> Decimal {
        Decimal::from_str(&format!("{v}")).unwrap_or_default()
    }

    fn agrees(v: f64) {
        if let Some(d) = short_decimal(v) {
            let f = formatted(v);
            assert_eq!((d, d.scale()), (f, f.scale()), "{v:?}");
        }
    }

    #[test]
    fn short_decimals_match_formatting_on_typical_data() {
        for cents in -100_000i64..100_000 {
            agrees(cents as f64 / 100.0);
            // Three places, and more digits: past the two-place first try.
            agrees(cents as f64 / 1000.0);
            agrees(cents as f64 * 1.1e9 / 100.0);
        }
        for x in [
            0.1,
            0.2,
            0.3,
            1e-7,
            123.456,
            1e14 + 0.5,
            999_999_999_999.99,
            2.5e-15,
        ] {
            agrees(x);
            agrees(-x);
        }
        assert_eq!(
            short_decimal(84.95).map(|d| d.to_string()).as_deref(),
            Some("84.95")
        );
        assert_eq!(short_decimal(-0.0), None);
    }

    proptest! {
        #[test]
        fn short_decimals_match_formatting(bits in any::<u64>(), m in any::<i64>(), k in 0u32..18) {
            let v = f64::from_bits(bits);
            if v.is_finite() {
                agrees(v);
            }
            agrees((m % 10_000_000_000) as f64 / 10f64.powi(k as i32));
        }
    }
}

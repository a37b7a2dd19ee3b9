//! Loading: parse a scorecard from TOML, JSON or YAML, validate its meaning,
//! and compile it into an immutable [`Scorecard`].
//!
//! Parsing stops at the first syntax error (with its path and line/column);
//! every unknown key and type error is then reported, with *every* semantic
//! problem of the rest, at once.
//!
//! Each format's parser builds one tree (modules `parse`, `tree`) from which the
//! model is deserialised: a syntax error anywhere in the document is found
//! before any type error. The tree keeps every value's position, so semantic
//! diagnostics get a line and column without parsing the text again.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::{self, Calendar};
use crate::error::{Diagnostic, LoadError};
use crate::expr::{self, CheckContext, Expr, Scope};
use crate::model::{
    BuiltinRule, HolidaysSpec, IndicatorSpec, Polarity, RagSpec, Rollup, RuleSetSpec,
    ScorecardSpec, SpcRule, TargetSpec, TargetValue, Tolerance, Unit, FORMAT_VERSION,
};
use crate::period::Period;
use crate::spc::ChartOptions;

mod parse;
mod tree;

/// Largest scorecard document accepted, in bytes.
pub const MAX_SCORECARD_BYTES: usize = 4 * 1024 * 1024;
/// Most indicators a scorecard may define.
pub const MAX_INDICATORS: usize = 10_000;
/// Most statuses a scale may have.
pub const MAX_STATUSES: usize = 16;
/// Most decimal places an indicator may round to (Decimal's own limit).
pub const MAX_DECIMALS: i64 = 28;

/// The identifier of the status given to missing data; it always exists.
pub const NO_DATA: &str = "no_data";

/// Variable names of the expression language that comparators may not take.
const RESERVED: &[&str] = &[
    "value",
    "target",
    "gap",
    "gap_pct",
    "previous",
    "last_year",
    "total",
    "true",
    "false",
    "and",
    "or",
    "not",
    "actual",
];

/// A file format for scorecards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

impl Format {
    /// The format a file name's extension implies (`.toml`, `.json`, `.yaml`/`.yml`).
    ///
    /// ```
    /// use ragulator::Format;
    /// assert_eq!(Format::from_path("cards/csc.yml"), Some(Format::Yaml));
    /// assert_eq!(Format::from_path("notes.txt"), None);
    /// ```
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }
}

/// A status of the scale, with its display label and colour.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// Identifier (`green`).
    pub id: String,
    /// Label (`Green – Low Risk`).
    pub label: String,
    /// CSS colour.
    pub colour: String,
}

/// Index of a status: 0 is the best ranked; [`Scorecard::no_data_index`] is `no_data`.
pub(crate) type StatusIx = u8;

/// A theme, compiled.
#[derive(Debug, Clone)]
pub struct Theme {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    pub(crate) rollup: CompiledRollup,
    /// Indicators (indexes) of the theme that have a RAG rule.
    pub(crate) members: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledRollup {
    Worst,
    Majority,
    RuleSet(CompiledRuleSet),
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledRuleSet {
    pub name: String,
    pub clauses: Vec<(StatusIx, Expr)>,
    pub otherwise: StatusIx,
}

#[derive(Debug, Clone)]
pub(crate) enum Rule {
    Target {
        amber: Tolerance,
        blue: Option<Tolerance>,
    },
    Bands {
        thresholds: Vec<Decimal>,
    },
    Comparator {
        against: usize,
        amber: Tolerance,
        blue: Option<Tolerance>,
    },
    Spc(SpcMap),
    Named(CompiledRuleSet),
}

/// The `spc` built-in rule with its statuses resolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpcMap {
    pub concern: Option<StatusIx>,
    pub improvement: Option<StatusIx>,
    pub neutral: Option<StatusIx>,
    pub common_cause: Option<StatusIx>,
    pub consistent_fail: Option<StatusIx>,
    pub hit_and_miss: Option<StatusIx>,
    pub consistent_pass: Option<StatusIx>,
    pub otherwise: Option<StatusIx>,
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledTarget {
    None,
    Constant(TargetValue),
    /// Entries sorted by the start date of their `from` period.
    Steps(Vec<(NaiveDate, TargetValue)>),
}

#[derive(Debug, Clone)]
pub(crate) struct SpcConfig {
    pub options: ChartOptions,
    pub rebase: Vec<Period>,
}

/// An indicator, compiled.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its unit.
    pub unit: Unit,
    /// Its polarity.
    pub polarity: Polarity,
    /// Decimal places values are rounded to.
    pub decimals: Option<u32>,
    pub(crate) theme: Option<usize>,
    pub(crate) target: CompiledTarget,
    /// Constant comparator values: (comparator index, value).
    pub(crate) comparators: Vec<(usize, Decimal)>,
    pub(crate) missing: Option<StatusIx>,
    pub(crate) rule: Option<Rule>,
    pub(crate) spc: Option<SpcConfig>,
    /// How it is computed from records, if it is.
    pub(crate) measure: Option<crate::measure::compile::Measure>,
}

impl Indicator {
    /// Whether it has a RAG rule (otherwise it is a context indicator).
    pub fn has_rag(&self) -> bool {
        self.rule.is_some()
    }

    /// Whether its values are computed from records (it has a `measure`).
    pub fn is_measured(&self) -> bool {
        self.measure.is_some()
    }

    pub(crate) fn target_at(&self, period: &Period) -> Option<TargetValue> {
        match &self.target {
            CompiledTarget::None => None,
            CompiledTarget::Constant(t) => Some(*t),
            CompiledTarget::Steps(steps) => {
                let start = period.start();
                steps
                    .iter()
                    .rev()
                    .find(|(from, _)| *from <= start)
                    .map(|(_, t)| *t)
            }
        }
    }
}

/// A loaded, validated, compiled scorecard: immutable, `Send + Sync`, and
/// cheap to evaluate many times.
///
/// ```
/// let s = ragulator::Scorecard::from_json(r#"{"ragulator": 1, "indicator": [
///   {"id": "x", "name": "X", "unit": "count", "polarity": "none"}]}"#).unwrap();
/// assert_eq!(s.indicators()[0].id, "x");
/// assert_eq!(s.statuses().len(), 3); // green, amber, red by default
/// ```
#[derive(Debug, Clone)]
pub struct Scorecard {
    spec: ScorecardSpec,
    pub(crate) calendar: Calendar,
    pub(crate) statuses: Vec<Status>,
    pub(crate) no_data: Status,
    /// Ranked status ids then `no_data`: the expression language's status table.
    pub(crate) status_ids: Vec<String>,
    pub(crate) themes: Vec<Theme>,
    pub(crate) indicators: Vec<Indicator>,
    /// Looked up once per data row: a fast hasher, not SipHash (the ids are the scorecard's own).
    pub(crate) indicator_by_id: rustc_hash::FxHashMap<String, usize>,
    pub(crate) comparator_names: Vec<String>,
    pub(crate) comparator_labels: Vec<String>,
    /// Record sources, by name order.
    pub(crate) sources: Vec<crate::measure::Source>,
    /// What observations read with this scorecard depend on (indicator ids
    /// and positions, decimals, polarity, measures, the year's start), so
    /// that observations read with another scorecard are refused, not
    /// misread by position ([`Scorecard::check_observations`]).
    pub(crate) fingerprint: u64,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scorecard>();
};

impl Scorecard {
    /// Loads a scorecard from TOML text.
    pub fn from_toml(text: &str) -> Result<Scorecard, LoadError> {
        Scorecard::from_str(text, Format::Toml)
    }

    /// Loads a scorecard from JSON text.
    pub fn from_json(text: &str) -> Result<Scorecard, LoadError> {
        Scorecard::from_str(text, Format::Json)
    }

    /// Loads a scorecard from YAML text.
    pub fn from_yaml(text: &str) -> Result<Scorecard, LoadError> {
        Scorecard::from_str(text, Format::Yaml)
    }

    /// Loads a scorecard from text in the given format.
    ///
    /// ```
    /// use ragulator::{Format, Scorecard};
    /// let err = Scorecard::from_str("ragulator = 2", Format::Toml).unwrap_err();
    /// assert!(err.diagnostics[0].message.contains("version 2"));
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, format: Format) -> Result<Scorecard, LoadError> {
        let text = without_bom(text);
        let mut tree = parse_tree(text, format)?;
        let (spec, mut diagnostics) = spec_from_tree_reporting_all(&mut tree, text, format);
        let Some((spec, repairs)) = spec else {
            return Err(LoadError { diagnostics });
        };
        match Validator::validate(spec) {
            Ok(scorecard) if diagnostics.is_empty() => Ok(scorecard),
            Ok(_) => Err(LoadError { diagnostics }),
            Err(mut v) => {
                // What is said of a repair is not news.
                v.diagnostics.retain(|d| !repairs.explain(&d.path));
                locate(&tree, format, text, &mut v.diagnostics, &v.in_expression);
                diagnostics.extend(v.diagnostics);
                Err(LoadError { diagnostics })
            }
        }
    }

    /// Validates and compiles a scorecard already in memory.
    pub fn from_spec(spec: ScorecardSpec) -> Result<Scorecard, LoadError> {
        Validator::validate(spec).map_err(|v| LoadError {
            diagnostics: v.diagnostics,
        })
    }

    /// The document it was loaded from, for serialising back.
    pub fn spec(&self) -> &ScorecardSpec {
        &self.spec
    }

    /// Serialises the scorecard back to text in a format.
    ///
    /// ```
    /// use ragulator::{Format, Scorecard};
    /// let s = Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='none'\n").unwrap();
    /// let yaml = s.to_string(Format::Yaml).unwrap();
    /// assert_eq!(Scorecard::from_yaml(&yaml).unwrap().spec(), s.spec());
    /// ```
    pub fn to_string(&self, format: Format) -> Result<String, String> {
        match format {
            Format::Toml => toml::to_string_pretty(&self.spec).map_err(|e| e.to_string()),
            Format::Json => serde_json::to_string_pretty(&self.spec).map_err(|e| e.to_string()),
            Format::Yaml => serde_saphyr::to_string(&self.spec).map_err(|e| e.to_string()),
        }
    }

    /// The scorecard's title, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.spec.name.as_deref()
    }

    /// The ranked statuses, best first (without `no_data`).
    pub fn statuses(&self) -> &[Status] {
        &self.statuses
    }

    /// The `no_data` status.
    pub fn no_data_status(&self) -> &Status {
        &self.no_data
    }

    /// Looks a status up by id (including `no_data`).
    pub fn status(&self, id: &str) -> Option<&Status> {
        if id == NO_DATA {
            return Some(&self.no_data);
        }
        self.statuses.iter().find(|s| s.id == id)
    }

    pub(crate) fn no_data_index(&self) -> StatusIx {
        self.statuses.len() as StatusIx
    }

    pub(crate) fn status_index(&self, id: &str) -> Option<StatusIx> {
        self.status_ids
            .iter()
            .position(|s| s == id)
            .map(|i| i as StatusIx)
    }

    /// The themes, in document order.
    pub fn themes(&self) -> &[Theme] {
        &self.themes
    }

    /// The indicators, in document order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// Looks an indicator up by id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicator_by_id
            .get(id)
            .and_then(|&i| self.indicators.get(i))
    }

    /// The theme an indicator belongs to.
    pub fn theme_of(&self, indicator: &Indicator) -> Option<&Theme> {
        indicator.theme.and_then(|t| self.themes.get(t))
    }

    /// The calendar: financial-year start and holidays.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Every comparator name known to the scorecard, with its display label.
    pub fn comparators(&self) -> impl Iterator<Item = (&str, &str)> {
        self.comparator_names
            .iter()
            .zip(&self.comparator_labels)
            .map(|(n, l)| (n.as_str(), l.as_str()))
    }

    pub(crate) fn comparator_index(&self, name: &str) -> Option<usize> {
        self.comparator_names.iter().position(|n| n == name)
    }

    /// Parses a period with this scorecard's financial-year start.
    pub fn parse_period(&self, text: &str) -> Result<Period, crate::period::PeriodError> {
        Period::parse(text, self.calendar.year_start_month())
    }

    /// Refuses observations read with a scorecard whose indicators differ
    /// (another id, position, decimals, polarity or measure, or another
    /// year start): their rows name indicators by position, so they would
    /// be misread. Observations from this scorecard, a clone or the same
    /// text loaded again pass.
    ///
    /// ```
    /// let a = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='none'\n").unwrap();
    /// let b = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='y'\nname='Y'\nunit='count'\npolarity='none'\n").unwrap();
    /// let data = a.read_csv(b"indicator,period,value\nx,2022-06,4\n").unwrap();
    /// assert!(a.check_observations(&data).is_ok());
    /// assert!(b.evaluate(&data, &Default::default()).unwrap_err().message.contains("another scorecard"));
    /// // The same ids with another unit read a ratio row differently: refused too.
    /// let c = ragulator::Scorecard::from_toml("ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='percent'\npolarity='none'\n").unwrap();
    /// assert!(c.check_observations(&data).is_err());
    /// ```
    pub fn check_observations(&self, data: &crate::Observations) -> Result<(), crate::DataError> {
        if data.fingerprint == self.fingerprint {
            return Ok(());
        }
        Err(crate::DataError::new(
            "these observations were read with another scorecard, whose indicators differ; read the data with this scorecard (its observations or read methods)",
        ))
    }
}

/// A hash of what reading observations depends on (see `Scorecard::fingerprint`).
fn fingerprint(indicators: &[Indicator], calendar: &Calendar) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    calendar.year_start_month().hash(&mut h);
    for ind in indicators {
        // The unit too: a numerator/denominator row is read as a value by
        // it (x 100 for a percentage, x 10,000 per 10k).
        (
            &ind.id,
            ind.decimals,
            ind.polarity,
            ind.unit,
            ind.is_measured(),
        )
            .hash(&mut h);
    }
    h.finish()
}

/// The text without a leading byte order mark (editors on Windows write
/// one): TOML and YAML parsers skip it, JSON's does not.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// [`without_bom`] for bytes (CSV and JSON data, overrides, records).
pub(crate) fn without_bom_bytes(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Parses the document into the model, stopping at the first syntax or type
/// error.
pub fn parse_spec(text: &str, format: Format) -> Result<ScorecardSpec, LoadError> {
    let text = without_bom(text);
    let tree = parse_tree(text, format)?;
    spec_from_tree(&tree, text, format)
}

/// Parses the document with its format's parser into one tree (see
/// [`tree`]): syntax errors, with line, column and path.
fn parse_tree(text: &str, format: Format) -> Result<tree::Node, LoadError> {
    if text.len() > MAX_SCORECARD_BYTES {
        return Err(Diagnostic::at(
            "",
            format!(
                "the scorecard is {} bytes; the limit is {} bytes (4 MiB)",
                text.len(),
                MAX_SCORECARD_BYTES
            ),
        )
        .into());
    }
    let syntax = |e: parse::SyntaxError, message: String| -> LoadError {
        Diagnostic {
            path: e.path,
            line: e.line_col.map(|(l, _)| l),
            // 1-based: serde_json says column 0 at the start of a line (an
            // empty document, a line that ends early).
            column: e.line_col.map(|(_, c)| c.max(1)),
            message,
        }
        .into()
    };
    match format {
        Format::Toml => parse::toml(text).map_err(|e| toml_error(text, &e, String::new())),
        Format::Json => parse::json(text).map_err(|e| {
            let message = plain_types(&strip_position(&e.message));
            syntax(e, message)
        }),
        Format::Yaml => parse::yaml(text).map_err(|e| {
            let message = yaml_message(e.message.lines().next().unwrap_or(""));
            syntax(e, message)
        }),
    }
}

/// How many unknown keys and type errors one load reports before it stops.
const MAX_STRUCTURAL_PROBLEMS: usize = 50;

/// Deserialises the model from the tree, reporting every unknown key and
/// type error rather than the first, so the semantic checks can still run
/// on the rest: an unknown enum variant is replaced by one the model knows
/// (`unit = "furlongs"` read as a known unit), a missing required field is
/// given a stand-in (`"?"`, or a known variant), any other problem's entry
/// is taken out of the tree, and the model is read again. A problem that
/// follows from an earlier repair (a required field taken out, a tagged
/// mapping whose tag was replaced and now lacks that variant's fields) is
/// not reported again: the mapping holding it is taken out instead. A bad
/// list item, or a bad value of a mapping in a list, cannot be taken out
/// (the later items would be renumbered; the mapping would lack it): it is
/// replaced by text (a number's numeral, `?` or `0`). Stops where nothing helps (a stand-in the
/// field cannot take, an entry that cannot be taken out); the model is
/// `None` then. With the model come the [`Repairs`], whose semantic
/// problems are not news.
fn spec_from_tree_reporting_all(
    tree: &mut tree::Node,
    text: &str,
    format: Format,
) -> (Option<(ScorecardSpec, Repairs)>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    // Paths of the mappings holding a replaced variant.
    let mut repaired: Vec<String> = Vec::new();
    // Paths of the tagged mappings whose tag was replaced or stood in for:
    // their fields are checked against a guessed variant.
    let mut retagged: Vec<String> = Vec::new();
    // Paths of the stand-ins for missing fields.
    let mut stand_ins: Vec<String> = Vec::new();
    // Paths of the bad values in lists replaced by a stand-in (and the
    // index in STAND_INS of the next to try), and what semantic problems
    // are not news of each (the list, or the value).
    let mut items: Vec<(String, usize)> = Vec::new();
    let mut quiet: Vec<String> = Vec::new();
    let yaml = format == Format::Yaml;
    // Every pass reports a problem or repairs one; the bound is for safety.
    for _ in 0..MAX_STRUCTURAL_PROBLEMS * 6 {
        if diagnostics.len() >= MAX_STRUCTURAL_PROBLEMS {
            break;
        }
        let e = match read_spec(tree, format) {
            Ok(spec) => {
                return (Some((spec, Repairs { stand_ins, quiet })), diagnostics);
            }
            Err(e) => e,
        };
        let d = type_diagnostic(&e, text, format);
        let parent = |p: &str| {
            p.rsplit_once('.')
                .map_or("", |(parent, _)| parent)
                .to_string()
        };
        // A stand-in for a bad value that does not fit: the next one, else
        // set aside if it can be (a mapping's entry); unreported.
        if let Some(i) = items.iter().position(|(p, _)| within(&d.path, p)) {
            let (item, next) = &mut items[i];
            if let Some(text) = STAND_INS.get(*next) {
                if tree.replace_with_text_at_path(item, text, yaml) {
                    *next += 1;
                    continue;
                }
            }
            // A list item no stand-in fits (a target entry without a
            // value): the whole list is set aside, so the rest is checked.
            let list = item.strip_suffix(']').and_then(|p| p.rsplit_once('['));
            let set_aside = list.map_or(item.as_str(), |(list, _)| list).to_string();
            match tree.remove_at_path(&set_aside) {
                Some(key) => {
                    removed.push(key);
                    if list.is_some() {
                        quiet.push(set_aside);
                    }
                    continue;
                }
                None => break,
            }
        }
        // Any problem in a mapping read as a guessed variant is the guess's:
        // the mapping is set aside.
        if let Some(mapping) = retagged.iter().find(|p| within(&d.path, p)) {
            match tree.remove_at_path(mapping) {
                Some(key) => {
                    removed.push(key);
                    continue;
                }
                None => break,
            }
        }
        // A field missing from a mapping with a stand-in is news; any other
        // problem there is the stand-in's.
        let of_stand_in =
            |p: &String| within(&d.path, p) || (parent(p) == d.path && e.missing_field().is_none());
        if stand_ins.iter().any(of_stand_in) {
            // A stand-in for an enum: a variant the model knows, unreported.
            if let Some(variant) = e.known_variant() {
                if tree.replace_text_at_path(&d.path, variant) {
                    if tree::is_tag_path(&d.path) {
                        retagged.push(parent(&d.path));
                    }
                    continue;
                }
            }
            // A stand-in its mapping cannot take (a tolerance, a number):
            // the mapping is set aside if it can be, as after a repair.
            match tree.remove_at_path(&d.path) {
                Some(key) => {
                    removed.push(key);
                    continue;
                }
                None => break,
            }
        }
        // A field missing beside a replaced variant (`unit = "furlongs"`
        // and no `name`) is news: the replacement took nothing away.
        let consequence = match e.missing_field() {
            Some(field) => removed.iter().any(|k| k == field),
            None => repaired.iter().any(|p| &d.path == p),
        };
        if consequence {
            // Take out the mapping the consequence is in, if it is an entry.
            match tree.remove_at_path(&d.path) {
                Some(key) => {
                    removed.push(key);
                    continue;
                }
                None => break,
            }
        }
        diagnostics.push(d);
        if let Some(variant) = e.known_variant() {
            let path = e.path.as_deref().unwrap_or("");
            if tree.replace_text_at_path(path, variant) {
                if tree::is_tag_path(path) {
                    retagged.push(parent(path));
                } else {
                    repaired.push(parent(path));
                }
                continue;
            }
        }
        if let Some(field) = e.missing_field() {
            let map = e.path.clone().unwrap_or_default();
            let at = if map.is_empty() {
                field.to_string()
            } else {
                format!("{map}.{field}")
            };
            // The format version is a number, which no text stands in for:
            // the current one, so the rest is still checked.
            let inserted = !stand_ins.contains(&at)
                && if map.is_empty() && field == "ragulator" {
                    tree.insert_value_at_path(
                        "",
                        field,
                        tree::whole_number(i64::from(FORMAT_VERSION), yaml),
                        yaml,
                    )
                } else {
                    tree.insert_at_path(&map, field, "?", yaml)
                };
            if inserted {
                stand_ins.push(at);
                continue;
            }
            break;
        }
        let path = e.path.as_deref().unwrap_or("");
        // A bad value of a mapping in a list, or a bad list item, cannot be
        // taken out (the mapping would lack the field; the list's later
        // items would be renumbered): a stand-in takes its place, a number
        // or boolean as text (`id = 85` read as "85"), else the first of
        // STAND_INS. Once per path: the next ones are tried above.
        let mut stand_in = |tree: &mut tree::Node| {
            if !e.is_bad_value() || items.iter().any(|(p, _)| p == path) {
                return false;
            }
            let numeral = tree.numeral_at_path(path);
            let text = numeral.as_deref().unwrap_or(STAND_INS[0]);
            let fits = tree.replace_with_text_at_path(path, text, yaml);
            if fits {
                items.push((path.to_string(), usize::from(numeral.is_none())));
            }
            fits
        };
        if parent(path).ends_with(']') && stand_in(tree) {
            quiet.push(path.to_string());
            continue;
        }
        match e.at.and_then(|at| tree.remove_entry_at(at)) {
            Some(key) => removed.push(key),
            None => match path.strip_suffix(']').and_then(|p| p.rsplit_once('[')) {
                Some((list, _)) if stand_in(tree) => quiet.push(list.to_string()),
                _ => break,
            },
        }
    }
    (None, diagnostics)
}

/// What [`spec_from_tree_reporting_all`] changed in the tree to read the
/// rest of the model: the semantic checks' complaints about these are
/// consequences of problems already reported.
struct Repairs {
    /// Stand-ins for missing fields: nothing said within them is news.
    stand_ins: Vec<String>,
    /// Lists with a stand-in item (`indicator[0].rag.thresholds`: not their
    /// order, nor their length) and stand-in values of mappings in lists
    /// (`indicator[0].target[0].value`): nothing said within them is news.
    quiet: Vec<String>,
}

impl Repairs {
    /// Whether a semantic problem at `path` follows from a repair.
    fn explain(&self, path: &str) -> bool {
        self.stand_ins
            .iter()
            .chain(&self.quiet)
            .any(|p| within(path, p))
    }
}

/// The stand-ins for a bad value in a list, tried in turn: text (`?`, as
/// for a missing field), then a number.
const STAND_INS: [&str; 2] = ["?", "0"];

/// Whether a diagnostic path is `path` or inside it.
fn within(d: &str, path: &str) -> bool {
    d.strip_prefix(path)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// Deserialises the model from the tree: type errors, worded and placed as
/// the format's own serde deserializer would.
fn spec_from_tree(
    node: &tree::Node,
    text: &str,
    format: Format,
) -> Result<ScorecardSpec, LoadError> {
    read_spec(node, format).map_err(|e| type_diagnostic(&e, text, format).into())
}

fn read_spec(node: &tree::Node, format: Format) -> Result<ScorecardSpec, tree::Error> {
    use serde::Deserialize;
    let de = tree::De {
        node,
        format,
        path: &tree::Path::Root,
    };
    ScorecardSpec::deserialize(de)
}

fn type_diagnostic(e: &tree::Error, text: &str, format: Format) -> Diagnostic {
    let message = e.message(format);
    let mut message = match format {
        Format::Toml => plain_types(message.trim()),
        Format::Json => plain_types(&strip_position(&message)),
        Format::Yaml => yaml_message(&tree::escape_controls(&message)),
    };
    let field = e.path.as_deref().and_then(|p| p.rsplit('.').next());
    if let Some(hint) = field.filter(|_| e.is_bad_value()).and_then(value_hint) {
        // The hint's range replaces the type's ("0 or more" for a count
        // that must be 12 or more would mislead).
        let kept = [", expected a whole number, 0 or more", ", 0 or more"]
            .iter()
            .find_map(|unsigned| message.strip_suffix(unsigned))
            .unwrap_or(&message);
        message = format!("{kept}; {hint}");
    }
    let at = e.at.map(|p| p.line_col(text));
    Diagnostic {
        path: e.path.clone().unwrap_or_default(),
        line: at.map(|(l, _)| l),
        column: at.map(|(_, c)| c),
        message,
    }
}

/// What a field holds, for the wrongly typed values whose type alone does
/// not say what would be valid (DESIGN.md 7).
fn value_hint(field: &str) -> Option<&'static str> {
    Some(match field {
        "ragulator" => "give the format version, 1",
        "year_start_month" => {
            "give the month financial years start in, a whole number from 1 to 12"
        }
        "decimals" => "give the number of decimal places, a whole number from 0 to 28",
        "from" => "give a period in quotes, such as \"2022-04\", \"2022-Q2\" or \"2022/23\"",
        "fix_after" => "give the number of baseline points, a whole number, 12 or more",
        "shift" | "trend" => "give a run length, a whole number from 2 to 100",
        _ => return None,
    })
}

/// serde's Rust type names in words a scorecard author knows.
fn plain_types(message: &str) -> String {
    message
        .replace("expected i64", "expected a whole number")
        .replace("expected u32", "expected a whole number, 0 or more")
        .replace("expected a string", "expected text in quotes")
}

/// serde-saphyr's message without its `error: line X column Y:` prefix (the
/// position is reported separately), with its terse type names spelt out.
fn yaml_message(message: &str) -> String {
    let mut m = message.trim();
    m = m.strip_prefix("error:").unwrap_or(m).trim_start();
    if let Some(rest) = m.strip_prefix("line ") {
        if let Some((_, after)) = rest.split_once(": ") {
            m = after;
        }
    }
    let m = strip_position(m);
    match m.strip_prefix("invalid ") {
        // Said of `one`, `2.5` and `-1` alike: not "found text".
        Some(ty @ ("i64" | "u32" | "u64" | "i32")) => format!(
            "the value is not a whole number{}",
            if ty.starts_with('u') {
                ", 0 or more"
            } else {
                ""
            }
        ),
        Some("bool") => "expected true or false".to_string(),
        _ => m,
    }
}

/// Drops the " at line X column Y" tail some parsers append; we report it separately.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

fn toml_error(text: &str, e: &toml::de::Error, path: String) -> LoadError {
    let (line, column) = match e.span() {
        Some(span) => {
            let (l, c) = line_col(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let mut message = plain_types(e.message().trim());
    // toml says "duplicate key" and points at it: name it, as JSON and
    // YAML do (`comparators = { sn = 87.5, sn = 80 }`).
    if message == "duplicate key" {
        let key = e.span().and_then(|span| text.get(span)).map(str::trim);
        if let Some(key) = key.filter(|k| !k.is_empty() && !k.contains('\n')) {
            let key = key.trim_matches(['"', '\'']);
            message = format!("duplicate key `{key}`");
        }
    }
    Diagnostic {
        path,
        line,
        column,
        message,
    }
    .into()
}

/// Adds line and column to semantic diagnostics by walking the tree to each
/// diagnostic's path: in TOML to the key (no position when a key is missing),
/// in JSON and YAML to the value (the deepest part of the path that exists).
///
/// An error inside an expression (`in_expression`: how far into it, by
/// path and message) points at the place in the expression, where the
/// expression is written in the document as it reads up to that place.
fn locate(
    root: &tree::Node,
    format: Format,
    text: &str,
    diagnostics: &mut [Diagnostic],
    in_expression: &[(String, String, usize)],
) {
    use tree::Value;
    for d in diagnostics
        .iter_mut()
        .filter(|d| d.line.is_none() && !d.path.is_empty())
    {
        let mut node = root;
        let mut at = None;
        let segments = split_path(&d.path);
        let depth = segments.len();
        let mut reached = 0;
        for segment in segments {
            let found = match (segment, &node.value) {
                (PathSegment::Key(k), Value::Map(map)) => {
                    let entry = map.entries.iter().find(|e| e.key_text() == Some(k));
                    if entry.is_none() && format == Format::Toml {
                        at = None;
                    }
                    entry.map(|e| {
                        let pos = match format {
                            Format::Toml => e.key_loc,
                            _ => e.value.loc,
                        };
                        (pos, &e.value)
                    })
                }
                (PathSegment::Index(i), Value::Seq(items)) => {
                    let item = items.get(i);
                    if item.is_none() && format == Format::Toml {
                        at = None;
                    }
                    item.map(|n| (n.loc, n))
                }
                _ => None,
            };
            let Some((pos, next)) = found else { break };
            at = Some(pos);
            node = next;
            reached += 1;
        }
        let expression = match &node.value {
            Value::Str(s) => Some(s.as_str()),
            Value::Scalar(s) => Some(s.text.as_str()),
            _ => None,
        };
        let offset = in_expression
            .iter()
            .find(|(path, message, _)| *path == d.path && *message == d.message)
            .map(|e| e.2);
        if let (true, Some(expression), Some(offset)) = (reached == depth, expression, offset) {
            if let Some(o) = node
                .loc
                .offset(text)
                .and_then(|start| offset_in_expression(text, start, expression, offset))
            {
                at = Some(tree::Pos::Offset(o));
            }
        }
        if let Some((l, c)) = at.map(|p| p.line_col(text)) {
            d.line = Some(l);
            d.column = Some(c);
        }
    }
}

/// The offset in `text` of byte `at` of an expression whose value is
/// written at `start`, if the document has the expression as it reads up
/// to there, after the opening quote or quotes: escapes of `"`, `\\` and
/// `/` in double quotes, and lines indented further than the text (a YAML
/// block scalar), are followed; anything else (another escape, a folded
/// line) gives `None`, and the diagnostic keeps the value's position.
fn offset_in_expression(text: &str, start: usize, expression: &str, at: usize) -> Option<usize> {
    let written = text.get(start..)?;
    // TOML trims a newline right after three quotes.
    fn trim_newline(s: &str) -> &str {
        let s = s.strip_prefix('\r').unwrap_or(s);
        s.strip_prefix('\n').unwrap_or(s)
    }
    let (content, escapes) = if let Some(rest) = written.strip_prefix("\"\"\"") {
        (trim_newline(rest), true)
    } else if let Some(rest) = written.strip_prefix("'''") {
        (trim_newline(rest), false)
    } else if let Some(rest) = written.strip_prefix('"') {
        (rest, true)
    } else {
        (written.strip_prefix('\'').unwrap_or(written), false)
    };
    // Skips indentation and carriage returns the text does not have.
    fn skip(raw: &mut std::iter::Peekable<std::str::CharIndices<'_>>, line_start: bool, c: char) {
        while let Some(&(_, r)) = raw.peek() {
            if (line_start && r == ' ' && c != ' ') || (r == '\r' && c != '\r') {
                raw.next();
            } else {
                break;
            }
        }
    }
    // The end of the expression is the end of its last token: a YAML `|`
    // block's final newline would otherwise lead to the next line.
    let at = at.min(expression.trim_end().len());
    let mut raw = content.char_indices().peekable();
    let mut line_start = false;
    for c in expression.get(..at)?.chars() {
        skip(&mut raw, line_start, c);
        let (_, r) = raw.next()?;
        let r = match r {
            '\\' if escapes => match raw.next()?.1 {
                e @ ('"' | '\\' | '/') => e,
                _ => return None,
            },
            r => r,
        };
        if r != c {
            return None;
        }
        line_start = c == '\n' || (line_start && c == ' ');
    }
    skip(&mut raw, line_start, '\0');
    let after = raw.peek().map_or(content.len(), |&(i, _)| i);
    Some(text.len() - content.len() + after)
}

enum PathSegment<'a> {
    Key(&'a str),
    Index(usize),
}

fn split_path(path: &str) -> Vec<PathSegment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(PathSegment::Key(key));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(PathSegment::Index(i));
            }
        }
    }
    out
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn one_of(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// Collects every semantic problem while compiling.
#[derive(Default)]
struct Validator {
    diagnostics: Vec<Diagnostic>,
    /// Expression errors already reported, by clause path and message: a
    /// rule set used by many indicators reports each once (the first user
    /// named), however many use it.
    clause_errors: BTreeSet<(String, String)>,
    /// Where in its expression each expression error is: the diagnostic's
    /// path and message, and a byte offset. `locate` points there when the
    /// document has the expression as it reads.
    in_expression: Vec<(String, String, usize)>,
}

impl Validator {
    /// Compiles a scorecard, or gives every problem found (each once).
    fn validate(spec: ScorecardSpec) -> Result<Scorecard, Validator> {
        let mut v = Validator::default();
        match v.compile(spec) {
            Some(scorecard) if v.diagnostics.is_empty() => Ok(scorecard),
            _ => {
                let mut seen = BTreeSet::new();
                v.diagnostics
                    .retain(|d| seen.insert((d.path.clone(), d.message.clone())));
                Err(v)
            }
        }
    }

    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::at(path, message));
    }

    /// An error in the expression at `path`, `at` bytes into it.
    fn expression_error(&mut self, path: String, message: String, at: usize) {
        self.in_expression.push((path.clone(), message.clone(), at));
        self.error(path, message);
    }

    /// Compiles what can be compiled, recording problems; the caller rejects
    /// the result when any were recorded.
    fn compile(&mut self, owned: ScorecardSpec) -> Option<Scorecard> {
        // Owned so that the scorecard keeps it without a copy.
        let spec = &owned;
        if spec.ragulator != FORMAT_VERSION {
            self.error(
                "ragulator",
                format!(
                    "unsupported format version {}; this version of ragulator reads format version {FORMAT_VERSION} (write `ragulator = 1`)",
                    spec.ragulator
                ),
            );
        }
        if spec.indicator.len() > MAX_INDICATORS {
            self.error(
                "indicator",
                format!(
                    "the scorecard has {} indicators; the limit is {MAX_INDICATORS}",
                    spec.indicator.len()
                ),
            );
            return None;
        }
        let calendar = self.calendar(spec);
        let (statuses, no_data) = self.statuses(spec);
        let mut status_ids: Vec<String> = statuses.iter().map(|s| s.id.clone()).collect();
        status_ids.push(NO_DATA.to_string());

        // Comparator table: scorecard-wide first, then each indicator's own.
        let mut comparator_names: Vec<String> = Vec::new();
        let mut comparator_labels: Vec<String> = Vec::new();
        for (name, label) in &spec.comparators {
            self.check_comparator_name(&format!("comparators.{name}"), name);
            comparator_names.push(name.clone());
            comparator_labels.push(label.clone());
        }
        for (i, ind) in spec.indicator.iter().enumerate() {
            for name in ind.comparators.keys() {
                if !comparator_names.contains(name) {
                    self.check_comparator_name(&format!("indicator[{i}].comparators.{name}"), name);
                    comparator_names.push(name.clone());
                    comparator_labels.push(name.clone());
                }
            }
        }

        let theme_ids: Vec<String> = spec.theme.iter().map(|t| t.id.clone()).collect();
        self.duplicates("theme", &theme_ids);
        let indicator_ids: Vec<String> = spec.indicator.iter().map(|i| i.id.clone()).collect();
        self.duplicates("indicator", &indicator_ids);
        let rule_names: Vec<String> = spec.rules.keys().cloned().collect();

        // A theme's `rollup = "worst"` names the built-in: a rule set of that
        // name could never be used there, and would be mistaken for it.
        for name in ["worst", "majority"] {
            if spec.rules.contains_key(name) {
                self.error(
                    format!("rules.{name}"),
                    format!(
                        "a rule set cannot be named '{name}': that is a built-in rollup (rollup = \"{name}\"); rename the rule set"
                    ),
                );
            }
        }

        // Syntax-check every rule set once, even unused ones.
        for (name, rs) in &spec.rules {
            for (k, clause) in rs.when.iter().enumerate() {
                if let Err(e) = expr::parse(&clause.condition) {
                    self.expression_error(
                        format!("rules.{name}.when[{k}].if"),
                        format!("in rule set '{name}', clause {}: {e}", k + 1),
                        e.span.start,
                    );
                }
            }
        }

        let ctx = Ctx {
            spec,
            status_ids: &status_ids,
            rule_names: &rule_names,
            comparator_names: &comparator_names,
            theme_ids: &theme_ids,
            year_start_month: calendar.year_start_month(),
        };

        let mut indicators = Vec::with_capacity(spec.indicator.len());
        for (i, ind) in spec.indicator.iter().enumerate() {
            indicators.push(self.indicator(&ctx, i, ind));
        }

        let mut themes = Vec::with_capacity(spec.theme.len());
        for (t, theme) in spec.theme.iter().enumerate() {
            let path = format!("theme[{t}].rollup");
            let rollup = match &theme.rollup {
                Rollup::Worst => CompiledRollup::Worst,
                Rollup::Majority => CompiledRollup::Majority,
                Rollup::RuleSet(name) => {
                    match self.rule_set(&ctx, &path, name, Scope::Theme, Polarity::None, &[]) {
                        Some(rs) => CompiledRollup::RuleSet(rs),
                        None => CompiledRollup::Worst,
                    }
                }
            };
            if theme.id.trim().is_empty() {
                self.error(format!("theme[{t}].id"), "a theme id must not be empty");
            }
            let members = indicators
                .iter()
                .enumerate()
                .filter(|(_, ind): &(usize, &Indicator)| ind.theme == Some(t) && ind.rule.is_some())
                .map(|(i, _)| i)
                .collect();
            themes.push(Theme {
                id: theme.id.clone(),
                name: theme.name.clone(),
                rollup,
                members,
            });
        }

        self.check_unused_rule_sets(&ctx);

        let (sources, measures) = crate::measure::compile::compile(
            spec,
            calendar.year_start_month(),
            &mut self.diagnostics,
        );
        for (ind, m) in indicators.iter_mut().zip(measures) {
            ind.measure = m;
        }

        let indicator_by_id = indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.id.clone(), i))
            .collect();
        let fingerprint = fingerprint(&indicators, &calendar);
        Some(Scorecard {
            spec: owned,
            calendar,
            statuses,
            no_data,
            status_ids,
            themes,
            indicators,
            indicator_by_id,
            comparator_names,
            comparator_labels,
            sources,
            fingerprint,
        })
    }

    /// The ranked status clause `k` of rule set `name` gives, or an error.
    fn clause_status(
        &mut self,
        ctx: &Ctx<'_>,
        name: &str,
        k: usize,
        clause: &crate::model::ClauseSpec,
    ) -> Option<StatusIx> {
        let status = ctx.ranked_status(&clause.status);
        if status.is_none() {
            self.error(
                format!("rules.{name}.when[{k}].status"),
                format!(
                    "rule set '{name}' clause {} gives status '{}', which is not on the scale; use one of: {} (no_data is never chosen by a rule)",
                    k + 1,
                    clause.status,
                    ctx.ranked().join(", ")
                ),
            );
        }
        status
    }

    /// The ranked status rule set `name` gives otherwise, or an error.
    fn otherwise_status(
        &mut self,
        ctx: &Ctx<'_>,
        name: &str,
        rs: &RuleSetSpec,
    ) -> Option<StatusIx> {
        let status = ctx.ranked_status(&rs.otherwise);
        if status.is_none() {
            self.error(
                format!("rules.{name}.otherwise"),
                format!(
                    "otherwise gives status '{}', which is not on the scale; use one of: {}",
                    rs.otherwise,
                    ctx.ranked().join(", ")
                ),
            );
        }
        status
    }

    /// Type-checks the rule sets no indicator or theme uses, so an error in
    /// one is found when the scorecard loads, not when someone first uses
    /// it. Without a user the scope is unknown: a clause is valid if it
    /// checks as an indicator's (higher is better, every comparator
    /// declared) or as a theme's; otherwise the error reported is the one
    /// found further into the expression.
    fn check_unused_rule_sets(&mut self, ctx: &Ctx<'_>) {
        let spec = ctx.spec;
        let used = |name: &str| {
            spec.indicator
                .iter()
                .any(|i| matches!(&i.rag, Some(RagSpec::RuleSet(n)) if n == name))
                || spec
                    .theme
                    .iter()
                    .any(|t| matches!(&t.rollup, Rollup::RuleSet(n) if n == name))
        };
        let as_scope = |scope| CheckContext {
            scope,
            comparators: ctx.comparator_names,
            statuses: ctx.status_ids,
            polarity: Polarity::HigherIsBetter,
        };
        let (indicator, theme) = (as_scope(Scope::Indicator), as_scope(Scope::Theme));
        for (name, rs) in spec.rules.iter().filter(|(name, _)| !used(name)) {
            for (k, clause) in rs.when.iter().enumerate() {
                let cpath = format!("rules.{name}.when[{k}]");
                self.clause_status(ctx, name, k, clause);
                // Syntax errors were reported by the check of every rule set.
                if expr::parse(&clause.condition).is_err() {
                    continue;
                }
                let (Err(a), Err(b)) = (
                    Expr::compile(&clause.condition, &indicator),
                    Expr::compile(&clause.condition, &theme),
                ) else {
                    continue;
                };
                let e = if b.column > a.column { b } else { a };
                self.expression_error(
                    format!("{cpath}.if"),
                    format!(
                        "in rule set '{name}', clause {} (not used by any indicator or theme): {e}",
                        k + 1
                    ),
                    e.span.start,
                );
            }
            self.otherwise_status(ctx, name, rs);
        }
    }

    fn check_comparator_name(&mut self, path: &str, name: &str) {
        if !is_identifier(name) {
            self.error(
                path,
                format!("comparator name '{name}' must be lower-case letters, digits and _ (like sn or england) so rules can name it"),
            );
        } else if RESERVED.contains(&name) {
            self.error(path, format!("'{name}' is a reserved word of the rule language; choose another comparator name"));
        }
    }

    fn duplicates(&mut self, what: &str, ids: &[String]) {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, id) in ids.iter().enumerate() {
            if let Some(&j) = first.get(id.as_str()) {
                self.error(
                    format!("{what}[{i}].id"),
                    format!("duplicate {what} id '{id}' (first defined at {what}[{j}]); ids must be unique"),
                );
            } else {
                first.insert(id, i);
            }
        }
    }

    fn calendar(&mut self, spec: &ScorecardSpec) -> Calendar {
        let cal = spec.calendar.as_ref();
        let month = cal.and_then(|c| c.year_start_month).unwrap_or(4);
        if !(1..=12).contains(&month) {
            self.error(
                "calendar.year_start_month",
                format!("year_start_month is {month}; it must be a month number from 1 to 12"),
            );
        }
        let month = if (1..=12).contains(&month) { month } else { 4 };
        let holidays = match cal.and_then(|c| c.holidays.as_ref()) {
            None => Calendar::england_and_wales_holidays().to_vec(),
            Some(HolidaysSpec::Named(name)) => match name.as_str() {
                "england-and-wales" => Calendar::england_and_wales_holidays().to_vec(),
                "none" => Vec::new(),
                other => {
                    self.error(
                        "calendar.holidays",
                        format!("unknown holiday list '{other}'; use \"england-and-wales\", \"none\", or a list of YYYY-MM-DD dates"),
                    );
                    Vec::new()
                }
            },
            Some(HolidaysSpec::Dates(dates)) => {
                let mut out = Vec::with_capacity(dates.len());
                for (i, d) in dates.iter().enumerate() {
                    match calendar::parse_date(d) {
                        Ok(date) => out.push(date),
                        Err(e) => self.error(format!("calendar.holidays[{i}]"), e),
                    }
                }
                out
            }
        };
        match Calendar::new(month, holidays) {
            Ok(c) => c,
            Err(e) => {
                self.error("calendar", e.to_string());
                Calendar::default()
            }
        }
    }

    fn statuses(&mut self, spec: &ScorecardSpec) -> (Vec<Status>, Status) {
        let no_data = Status {
            id: NO_DATA.into(),
            label: "No data".into(),
            colour: "#b1b4b6".into(),
        };
        if spec.status.is_empty() {
            let d = |id: &str, label: &str, colour: &str| Status {
                id: id.into(),
                label: label.into(),
                colour: colour.into(),
            };
            return (
                vec![
                    d("green", "Green – Low Risk", "#00703c"),
                    d("amber", "Amber – Medium Risk", "#ffbf47"),
                    d("red", "Red – High Risk", "#d4351c"),
                ],
                no_data,
            );
        }
        if spec.status.len() > MAX_STATUSES {
            self.error(
                "status",
                format!(
                    "the scale has {} statuses; the limit is {MAX_STATUSES}",
                    spec.status.len()
                ),
            );
        }
        let ids: Vec<String> = spec.status.iter().map(|s| s.id.clone()).collect();
        self.duplicates("status", &ids);
        let mut out = Vec::new();
        for (i, s) in spec.status.iter().take(MAX_STATUSES).enumerate() {
            if s.id == NO_DATA {
                self.error(
                    format!("status[{i}].id"),
                    "'no_data' always exists and is never ranked; remove it from the scale",
                );
                continue;
            }
            if !is_identifier(&s.id) {
                self.error(
                    format!("status[{i}].id"),
                    format!(
                        "status id '{}' must be lower-case letters, digits and _",
                        s.id
                    ),
                );
            }
            let default_colour = match s.id.as_str() {
                "blue" => "#1d70b8",
                "green" => "#00703c",
                "amber" => "#ffbf47",
                "red" => "#d4351c",
                _ => "#505a5f",
            };
            out.push(Status {
                id: s.id.clone(),
                label: s.label.clone().unwrap_or_else(|| title_case(&s.id)),
                colour: s.colour.clone().unwrap_or_else(|| default_colour.into()),
            });
        }
        (out, no_data)
    }

    fn indicator(&mut self, ctx: &Ctx<'_>, i: usize, ind: &IndicatorSpec) -> Indicator {
        let p = format!("indicator[{i}]");
        if ind.id.trim().is_empty() {
            self.error(format!("{p}.id"), "an indicator id must not be empty");
        }
        let theme = ind.theme.as_ref().and_then(|t| {
            let found = ctx.theme_ids.iter().position(|id| id == t);
            if found.is_none() {
                self.error(
                    format!("{p}.theme"),
                    format!(
                        "indicator '{}' names theme '{t}', which does not exist; themes are: {}",
                        ind.id,
                        one_of(ctx.theme_ids)
                    ),
                );
            }
            found
        });
        let decimals = match ind.decimals {
            None => None,
            Some(d) if (0..=MAX_DECIMALS).contains(&d) => Some(d as u32),
            Some(d) => {
                self.error(
                    format!("{p}.decimals"),
                    format!("decimals is {d}; it must be a whole number from 0 to {MAX_DECIMALS}"),
                );
                None
            }
        };
        let target = self.target(ctx, &p, ind);
        let mut comparators = Vec::new();
        for (name, value) in &ind.comparators {
            if let Some(ix) = ctx.comparator_names.iter().position(|n| n == name) {
                comparators.push((ix, at_scale(value.0, decimals)));
            }
        }
        let declared: Vec<usize> = ctx
            .comparator_names
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                ctx.spec.comparators.contains_key(*n) || ind.comparators.contains_key(*n)
            })
            .map(|(ix, _)| ix)
            .collect();
        let missing = ind.missing.as_ref().and_then(|m| {
            if ind.rag.is_none() {
                // A context indicator has no status to stand in for.
                self.error(
                    format!("{p}.missing"),
                    format!("missing = \"{m}\" needs a rag rule: indicator '{}' has none (a context indicator has no status); give it a rag or remove missing", ind.id),
                );
                return None;
            }
            let ix = ctx.ranked_status(m);
            if ix.is_none() {
                self.error(
                    format!("{p}.missing"),
                    format!(
                        "missing names status '{m}', which is not on the scale; use one of: {}",
                        ctx.ranked().join(", ")
                    ),
                );
            }
            ix
        });
        let rule = ind
            .rag
            .as_ref()
            .and_then(|rag| self.rule(ctx, &p, ind, rag, &declared));
        // The `spc` rule and a rule set reading `variation()` or
        // `assurance()` need a chart: without `spc = { ... }` it gets the
        // default options, rather than those functions reading as missing.
        let needs_spc = match &rule {
            Some(Rule::Spc(_)) => true,
            Some(Rule::Named(rs)) => rs.clauses.iter().any(|(_, e)| e.reads_spc()),
            _ => false,
        };
        let spc = match &ind.spc {
            Some(opts) => self.spc_options(ctx, &p, opts),
            None if needs_spc => Some(SpcConfig {
                options: ChartOptions::default(),
                rebase: Vec::new(),
            }),
            None => None,
        };
        Indicator {
            id: ind.id.clone(),
            name: ind.name.clone(),
            unit: ind.unit,
            polarity: ind.polarity,
            decimals,
            theme,
            target,
            comparators,
            missing,
            rule,
            spc,
            measure: None,
        }
    }

    fn target(&mut self, ctx: &Ctx<'_>, p: &str, ind: &IndicatorSpec) -> CompiledTarget {
        let check_value = |v: &mut Validator, path: &str, t: &TargetValue| match t {
            TargetValue::Range { low, high } => {
                if ind.polarity != Polarity::Range {
                    v.error(path, format!(
                        "a target range {{ low, high }} needs polarity = \"range\"; indicator '{}' has polarity {}, so give a single number",
                        ind.id, polarity_name(ind.polarity)));
                } else if low.0 > high.0 {
                    v.error(
                        path,
                        format!(
                            "target range low {} is above high {}; low must not exceed high",
                            low, high
                        ),
                    );
                }
            }
            TargetValue::Value(_) => {
                if ind.polarity == Polarity::Range {
                    v.error(path, format!("indicator '{}' has polarity \"range\", so its target must be a range {{ low = a, high = b }}", ind.id));
                }
            }
        };
        match &ind.target {
            None => CompiledTarget::None,
            Some(TargetSpec::Constant(t)) => {
                check_value(self, &format!("{p}.target"), t);
                CompiledTarget::Constant(target_at_scale(*t, ind.decimals))
            }
            Some(TargetSpec::Steps(steps)) => {
                let mut out: Vec<(NaiveDate, TargetValue)> = Vec::new();
                for (k, step) in steps.iter().enumerate() {
                    let sp = format!("{p}.target[{k}]");
                    check_value(self, &sp, &step.value);
                    match Period::parse(&step.from, ctx.year_start_month) {
                        Ok(period) => {
                            let start = period.start();
                            if let Some((prev, _)) = out.last() {
                                if *prev >= start {
                                    self.error(
                                        format!("{sp}.from"),
                                        format!("target entries must be in time order; '{}' does not start after the entry before it", step.from),
                                    );
                                }
                            }
                            out.push((start, target_at_scale(step.value, ind.decimals)));
                        }
                        Err(e) => self.error(format!("{sp}.from"), e.to_string()),
                    }
                }
                if steps.is_empty() {
                    self.error(
                        format!("{p}.target"),
                        "a time-varying target needs at least one { from, value } entry",
                    );
                }
                CompiledTarget::Steps(out)
            }
        }
    }

    fn rule(
        &mut self,
        ctx: &Ctx<'_>,
        p: &str,
        ind: &IndicatorSpec,
        rag: &RagSpec,
        declared: &[usize],
    ) -> Option<Rule> {
        let path = format!("{p}.rag");
        let needs_polarity = |v: &mut Validator, rule: &str| {
            if ind.polarity == Polarity::None {
                v.error(
                    path.clone(),
                    format!(
                        "the {rule} rule needs a polarity, but indicator '{}' has polarity \"none\"; set polarity to higher_is_better, lower_is_better or range, or remove rag to make it a context indicator",
                        ind.id
                    ),
                );
                false
            } else {
                true
            }
        };
        match rag {
            RagSpec::RuleSet(name) => {
                let rs =
                    self.rule_set(ctx, &path, name, Scope::Indicator, ind.polarity, declared)?;
                Some(Rule::Named(rs))
            }
            RagSpec::Builtin(BuiltinRule::Target { amber, blue }) => {
                let ok = needs_polarity(self, "target")
                    && self.needs_traffic_lights(ctx, &path, "target");
                self.blue(ctx, &path, blue.is_some());
                if blue.is_some() && ind.polarity == Polarity::Range {
                    // Inside a range the gap is 0 and outside it negative:
                    // blue would be every in-range value (blue = 0) or none.
                    self.error(
                        format!("{path}.blue"),
                        "blue (beating the target) has no meaning for a range target: the gap is 0 inside the range and negative outside; remove blue",
                    );
                }
                ok.then_some(Rule::Target {
                    amber: *amber,
                    blue: *blue,
                })
            }
            RagSpec::Builtin(BuiltinRule::Comparator {
                against,
                amber,
                blue,
            }) => {
                let ok = needs_polarity(self, "comparator")
                    && self.needs_traffic_lights(ctx, &path, "comparator");
                self.blue(ctx, &path, blue.is_some());
                if ind.polarity == Polarity::Range {
                    self.error(path.clone(), "the comparator rule compares with a single value and is not valid with polarity \"range\"; use higher_is_better or lower_is_better");
                    return None;
                }
                let ix = ctx
                    .comparator_names
                    .iter()
                    .position(|n| n == against)
                    .filter(|ix| declared.contains(ix));
                if ix.is_none() {
                    let names: Vec<String> = declared
                        .iter()
                        .filter_map(|&ix| ctx.comparator_names.get(ix).cloned())
                        .collect();
                    self.error(
                        format!("{path}.against"),
                        format!(
                            "comparator '{against}' is not declared for indicator '{}'; declared comparators: {} (declare it in the indicator's comparators or the top-level [comparators] table)",
                            ind.id,
                            one_of(&names)
                        ),
                    );
                }
                match (ok, ix) {
                    (true, Some(against)) => Some(Rule::Comparator {
                        against,
                        amber: *amber,
                        blue: *blue,
                    }),
                    _ => None,
                }
            }
            RagSpec::Builtin(BuiltinRule::Bands { thresholds }) => {
                if !needs_polarity(self, "bands") {
                    return None;
                }
                if ind.polarity == Polarity::Range {
                    self.error(path.clone(), "the bands rule is not valid with polarity \"range\"; use the target rule with a range target");
                    return None;
                }
                let ranked = ctx.ranked().len();
                let want = ranked.saturating_sub(1);
                if thresholds.len() != want {
                    self.error(
                        format!("{path}.thresholds"),
                        format!(
                            "bands needs {want} thresholds for a scale of {ranked} statuses ({}), found {}",
                            ctx.ranked().join(", "),
                            thresholds.len()
                        ),
                    );
                    return None;
                }
                let values: Vec<Decimal> = thresholds.iter().map(|d| d.0).collect();
                let descending = ind.polarity == Polarity::HigherIsBetter;
                let ordered =
                    values
                        .windows(2)
                        .all(|w| if descending { w[0] > w[1] } else { w[0] < w[1] });
                if !ordered {
                    let (word, example) = if descending {
                        ("strictly descending", "[90, 80]")
                    } else {
                        ("strictly ascending", "[80, 90]")
                    };
                    self.error(
                        format!("{path}.thresholds"),
                        format!(
                            "bands thresholds must be {word} for polarity {} (best status first, e.g. {example}); found [{}]",
                            polarity_name(ind.polarity),
                            values.iter().map(|d| d.normalize().to_string()).collect::<Vec<_>>().join(", ")
                        ),
                    );
                    return None;
                }
                let scale = ind.decimals.and_then(|d| u32::try_from(d).ok());
                Some(Rule::Bands {
                    thresholds: values.into_iter().map(|t| at_scale(t, scale)).collect(),
                })
            }
            RagSpec::Builtin(BuiltinRule::Spc(map)) => {
                self.spc_rule(ctx, &path, map).map(Rule::Spc)
            }
        }
    }

    /// The target and comparator rules give green, amber or red by name.
    fn needs_traffic_lights(&mut self, ctx: &Ctx<'_>, path: &str, rule: &str) -> bool {
        let missing: Vec<&str> = ["green", "amber", "red"]
            .into_iter()
            .filter(|s| ctx.ranked_status(s).is_none())
            .collect();
        if missing.is_empty() {
            return true;
        }
        self.error(
            path,
            format!(
                "the {rule} rule gives green, amber or red, but the scale ({}) has no {}; add them or use bands or a rule set",
                ctx.ranked().join(", "),
                missing.join(" or ")
            ),
        );
        false
    }

    fn blue(&mut self, ctx: &Ctx<'_>, path: &str, has_blue: bool) {
        if has_blue && ctx.ranked_status("blue").is_none() {
            self.error(
                format!("{path}.blue"),
                format!(
                    "blue needs a 'blue' status on the scale; the scale is {} (add [[status]] id = \"blue\" first, best first)",
                    ctx.ranked().join(", ")
                ),
            );
        }
    }

    fn spc_rule(&mut self, ctx: &Ctx<'_>, path: &str, rule: &SpcRule) -> Option<SpcMap> {
        let mut ok = true;
        let mut get = |key: &str, v: &Option<String>| -> Option<StatusIx> {
            let name = v.as_ref()?;
            let ix = ctx.ranked_status(name);
            if ix.is_none() {
                ok = false;
                self.diagnostics.push(Diagnostic::at(
                    format!("{path}.{key}"),
                    format!(
                        "'{name}' is not a status on the scale; use one of: {}",
                        ctx.ranked().join(", ")
                    ),
                ));
            }
            ix
        };
        let map = SpcMap {
            concern: get("concern", &rule.concern),
            improvement: get("improvement", &rule.improvement),
            neutral: get("neutral", &rule.neutral),
            common_cause: get("common_cause", &rule.common_cause),
            consistent_fail: get("consistent_fail", &rule.consistent_fail),
            hit_and_miss: get("hit_and_miss", &rule.hit_and_miss),
            consistent_pass: get("consistent_pass", &rule.consistent_pass),
            otherwise: get("otherwise", &rule.otherwise),
        };
        if *rule == SpcRule::default() {
            // Every result would be no_data: surely not what was meant.
            self.diagnostics.push(Diagnostic::at(
                path.to_string(),
                "the spc rule maps no signal to a status; give at least one of concern, improvement, neutral, common_cause, consistent_fail, hit_and_miss, consistent_pass or otherwise (rag = { rule = \"spc\", concern = \"red\", otherwise = \"green\" })",
            ));
            ok = false;
        }
        ok.then_some(map)
    }

    fn spc_options(
        &mut self,
        ctx: &Ctx<'_>,
        p: &str,
        opts: &crate::model::SpcOptions,
    ) -> Option<SpcConfig> {
        let mut ok = true;
        if let Some(n) = opts.fix_after {
            if n < 12 {
                self.error(
                    format!("{p}.spc.fix_after"),
                    format!("fix_after is {n}; a baseline needs at least 12 points"),
                );
                ok = false;
            }
        }
        for (key, v) in [("shift", opts.shift), ("trend", opts.trend)] {
            if let Some(n) = v {
                if !(2..=100).contains(&n) {
                    self.error(format!("{p}.spc.{key}"), format!("{key} is {n}; a run length must be from 2 to 100 (the usual values are 6, 7 or 8)"));
                    ok = false;
                }
            }
        }
        let mut rebase = Vec::new();
        for (k, text) in opts.rebase.iter().enumerate() {
            match Period::parse(text, ctx.year_start_month) {
                Ok(period) => rebase.push(period),
                Err(e) => {
                    self.error(format!("{p}.spc.rebase[{k}]"), e.to_string());
                    ok = false;
                }
            }
        }
        rebase.sort();
        ok.then(|| SpcConfig {
            options: ChartOptions::from_spec(opts),
            rebase,
        })
    }

    fn rule_set(
        &mut self,
        ctx: &Ctx<'_>,
        path: &str,
        name: &str,
        scope: Scope,
        polarity: Polarity,
        declared: &[usize],
    ) -> Option<CompiledRuleSet> {
        let Some(rs) = ctx.spec.rules.get(name) else {
            let what = if scope == Scope::Theme {
                "rollup"
            } else {
                "rag"
            };
            self.error(
                path,
                format!(
                    "{what} names rule set '{name}', which does not exist; rule sets are: {}{}",
                    one_of(ctx.rule_names),
                    if scope == Scope::Theme { " (or use worst or majority)" } else { " (or use a built-in rule { rule = \"target\" | \"bands\" | \"comparator\" | \"spc\" })" }
                ),
            );
            return None;
        };
        self.compile_rule_set(ctx, path, name, rs, scope, polarity, declared)
    }

    #[allow(clippy::too_many_arguments)]
    fn compile_rule_set(
        &mut self,
        ctx: &Ctx<'_>,
        user: &str,
        name: &str,
        rs: &RuleSetSpec,
        scope: Scope,
        polarity: Polarity,
        declared: &[usize],
    ) -> Option<CompiledRuleSet> {
        let mut ok = true;
        let check_ctx = CheckContext {
            scope,
            comparators: ctx.comparator_names,
            statuses: ctx.status_ids,
            polarity,
        };
        let mut clauses = Vec::with_capacity(rs.when.len());
        for (k, clause) in rs.when.iter().enumerate() {
            let cpath = format!("rules.{name}.when[{k}]");
            let status = self.clause_status(ctx, name, k, clause);
            ok &= status.is_some();
            match Expr::compile(&clause.condition, &check_ctx) {
                Ok(e) => {
                    if scope == Scope::Indicator {
                        for c in e.comparators_used() {
                            if !declared.contains(&c) {
                                ok = false;
                                let cname = ctx
                                    .comparator_names
                                    .get(c)
                                    .map(String::as_str)
                                    .unwrap_or("?");
                                let at = e
                                    .column_of_name(cname)
                                    .map(|c| format!(", column {c}"))
                                    .unwrap_or_default();
                                self.error(
                                    user,
                                    format!(
                                        "rule set '{name}' (clause {}{at}) uses comparator '{cname}', which this indicator does not declare; add it to the indicator's comparators or to the top-level [comparators] table",
                                        k + 1
                                    ),
                                );
                            }
                        }
                    }
                    if let Some(s) = status {
                        clauses.push((s, e));
                    }
                }
                // A syntax error was already reported once, by the check of
                // every rule set; only context-dependent errors repeat per user.
                Err(_) if expr::parse(&clause.condition).is_err() => ok = false,
                Err(e) => {
                    ok = false;
                    let used_by = if user.is_empty() {
                        String::new()
                    } else {
                        format!(" (used by {user})")
                    };
                    if self.clause_errors.insert((cpath.clone(), e.to_string())) {
                        self.expression_error(
                            format!("{cpath}.if"),
                            format!("in rule set '{name}', clause {}{used_by}: {e}", k + 1),
                            e.span.start,
                        );
                    }
                }
            }
        }
        let otherwise = self.otherwise_status(ctx, name, rs);
        match (ok, otherwise) {
            (true, Some(otherwise)) => Some(CompiledRuleSet {
                name: name.to_string(),
                clauses,
                otherwise,
            }),
            _ => None,
        }
    }
}

struct Ctx<'a> {
    spec: &'a ScorecardSpec,
    status_ids: &'a [String],
    rule_names: &'a [String],
    comparator_names: &'a [String],
    theme_ids: &'a [String],
    year_start_month: u32,
}

impl Ctx<'_> {
    fn ranked(&self) -> &[String] {
        self.status_ids.split_last().map(|(_, r)| r).unwrap_or(&[])
    }
    fn ranked_status(&self, id: &str) -> Option<StatusIx> {
        self.ranked()
            .iter()
            .position(|s| s == id)
            .map(|i| i as StatusIx)
    }
}

fn polarity_name(p: Polarity) -> &'static str {
    match p {
        Polarity::HigherIsBetter => "higher_is_better",
        Polarity::LowerIsBetter => "lower_is_better",
        Polarity::Range => "range",
        Polarity::None => "none",
    }
}

/// `amber_high` as `Amber high`. Ids are ASCII identifiers (checked), so
/// ASCII upper case suffices (and keeps Unicode's case tables out of the
/// WebAssembly package).
fn title_case(id: &str) -> String {
    let mut c = id.chars();
    match c.next() {
        Some(f) => std::iter::once(f.to_ascii_uppercase())
            .chain(c.map(|c| if c == '_' { ' ' } else { c }))
            .collect(),
        None => String::new(),
    }
}

/// A JSON document (data, overrides or case records) as serde_json reads
/// it, except that a key given twice in one object is an error and that a
/// number that lost digits as an f64 (serde_json keeps about 15
/// significant digits, and reads some exponents a unit in the last place
/// off) is given back as its numeral, a string, which data reading takes
/// as the exact decimal written (or refuses, for more digits than a
/// decimal holds). Only a text with a number that long, or with an
/// exponent, is read a second time, into the tree, for the numerals.
pub(crate) fn json_document(bytes: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    let bytes = without_bom_bytes(bytes);
    let mut doc = parse::json_data(bytes)?;
    // Valid JSON is UTF-8.
    if let Ok(text) = std::str::from_utf8(bytes) {
        if has_long_number(bytes) {
            if let Ok(tree) = parse::json(text) {
                tree::restore_numerals(&mut doc, &tree);
            }
        }
    }
    Ok(doc)
}

/// Whether a JSON text has a number serde_json may read inexactly (outside
/// strings): one of more than 15 digits, or one with an exponent, which
/// its fast path can read a unit in the last place off (979e-25 as
/// 9.789999999999999e-23; its `float_roundtrip` feature would fix that for
/// 9 KiB more WebAssembly).
fn has_long_number(bytes: &[u8]) -> bool {
    let (mut in_string, mut escaped, mut digits) = (false, false, 0);
    let mut after_digit = false;
    for &b in bytes {
        if !in_string && matches!(b, b'e' | b'E') && after_digit {
            return true;
        }
        after_digit = b.is_ascii_digit() || (after_digit && b == b'.');
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'0'..=b'9' => {
                digits += 1;
                if digits > 15 {
                    return true;
                }
            }
            b'.' | b'e' | b'E' | b'+' | b'-' => {}
            _ => digits = 0,
        }
    }
    false
}

/// Rescales a decimal up (never rounding) to at least `decimals` places:
/// the same number, but comparisons and subtractions with values rounded to
/// `decimals` then take `rust_decimal`'s equal-scale fast path.
pub(crate) fn at_scale(d: Decimal, decimals: Option<u32>) -> Decimal {
    match decimals {
        Some(s) if d.scale() < s && s <= 28 => {
            let mut up = d;
            up.rescale(s);
            // rescale rounds when the number cannot hold the places; keep the original then.
            if up == d {
                up
            } else {
                d
            }
        }
        _ => d,
    }
}

fn target_at_scale(t: TargetValue, decimals: Option<i64>) -> TargetValue {
    let decimals = decimals.and_then(|d| u32::try_from(d).ok());
    match t {
        TargetValue::Value(v) => TargetValue::Value(at_scale(v.0, decimals).into()),
        TargetValue::Range { low, high } => TargetValue::Range {
            low: at_scale(low.0, decimals).into(),
            high: at_scale(high.0, decimals).into(),
        },
    }
}

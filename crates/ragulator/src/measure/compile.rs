//! Validation and compilation of sources and measures, at load time.
//!
//! Every problem becomes a [`Diagnostic`] with the document path and what
//! would be valid; the loader reports them with its own.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::error::Diagnostic;
use crate::model::{IndicatorSpec, ScorecardSpec, Unit};
use crate::period::{Period, PeriodKind};

use super::spec::{
    Among, ColumnType, CountedBy, FilterSpec, MeasureSpec, PopulationSpec, SourceSpec, TimeUnit,
};

/// Longest window or lookback, in months (a century).
pub const MAX_MONTHS: u32 = 1200;
/// Largest `within` or `max_gap`, in its unit.
pub const MAX_SPAN: u32 = 100_000;

/// A record source, compiled: its columns in a fixed order (by name).
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The source's name.
    pub name: String,
    /// The columns, sorted by name: the order [`crate::measure::RecordsBuilder::push`] takes.
    pub columns: Vec<(String, ColumnType)>,
    /// The entity column's index.
    pub entity: Option<usize>,
    /// Columns that must not be empty, with who needs them.
    pub(crate) required: Vec<(usize, String)>,
    /// (start, end) column pairs: a record whose end is before its start is rejected.
    pub(crate) pairs: Vec<(usize, usize)>,
    /// Sort orders measures need: (by entity, id column, date column).
    pub(crate) orders: Vec<OrderKey>,
}

impl Source {
    /// The index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|(n, _)| n == name)
    }

    pub(crate) fn column_name(&self, ix: usize) -> &str {
        self.columns.get(ix).map(|(n, _)| n.as_str()).unwrap_or("?")
    }

    /// The source's id column, when it declares exactly one: what names a
    /// listed record for a measure without an `id` key (the child of a late
    /// assessment).
    pub(crate) fn sole_id_column(&self) -> Option<usize> {
        let mut ids = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, (_, t))| *t == ColumnType::Id)
            .map(|(ix, _)| ix);
        match (ids.next(), ids.next()) {
            (Some(ix), None) => Some(ix),
            _ => None,
        }
    }
}

/// A precomputed order of a source's records: grouped by entity (when
/// `by_entity`) and id, by date within a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OrderKey {
    pub by_entity: bool,
    pub id: usize,
    pub date: usize,
}

/// A filter condition, compiled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    Equals(String),
    NotEquals(String),
    OneOf(Vec<String>),
    Below(Decimal),
    AtLeast(Decimal),
    AgeBelow(u32),
    AgeAtLeast(u32),
}

impl Test {
    /// Whether the test depends on the period end (ages).
    pub fn at_period_end(&self) -> bool {
        matches!(self, Test::AgeBelow(_) | Test::AgeAtLeast(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filter {
    pub column: usize,
    pub test: Test,
}

/// How a rate counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RateCount {
    /// Records whose date is in the period, or in the window to its end.
    Events {
        date: usize,
        window_months: Option<u32>,
    },
    /// Records open at the period end.
    Open { start: usize, end: Option<usize> },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Population {
    Constant(Decimal),
    Source {
        source: usize,
        date: usize,
        value: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Timeliness {
        start: usize,
        end: usize,
        within: u32,
        unit: TimeUnit,
        counted_by: CountedBy,
    },
    Recurrence {
        id: usize,
        date: usize,
        within_months: u32,
    },
    Interval {
        id: usize,
        date: usize,
        max_gap: u32,
        unit: TimeUnit,
        window_months: u32,
    },
    RollingCount {
        id: usize,
        date: usize,
        end: Option<usize>,
        window_months: u32,
        at_least: u32,
        among: Among,
    },
    Rate {
        id: Option<usize>,
        count: RateCount,
        population: Population,
    },
}

/// An indicator's measure, compiled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measure {
    pub source: usize,
    pub filters: Vec<Filter>,
    pub period: PeriodKind,
    pub from: Option<Period>,
    pub noun: String,
    pub phrase: Option<String>,
    pub kind: Kind,
}

/// Compiles the sources and every indicator's measure; `measures[i]` belongs
/// to `spec.indicator[i]`.
pub(crate) fn compile(
    spec: &ScorecardSpec,
    year_start_month: u32,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<Source>, Vec<Option<Measure>>) {
    let mut sources: Vec<Source> = spec
        .sources
        .iter()
        .map(|(name, s)| source(name, s, diagnostics))
        .collect();
    let mut measures = Vec::with_capacity(spec.indicator.len());
    for (i, ind) in spec.indicator.iter().enumerate() {
        let m = ind.measure.as_ref().and_then(|m| {
            let mut c = Checker {
                path: format!("indicator[{i}].measure"),
                indicator: ind,
                sources: &mut sources,
                diagnostics,
                year_start_month,
            };
            c.measure(m)
        });
        measures.push(m);
    }
    // A column some measure reads as an end date may be empty (still open),
    // so no measure can require it; a measure that needs it as its date
    // skips records without one.
    for s in &mut sources {
        let ends: Vec<usize> = s.pairs.iter().map(|(_, e)| *e).collect();
        s.required.retain(|(c, _)| !ends.contains(c));
    }
    (sources, measures)
}

fn source(name: &str, s: &SourceSpec, diagnostics: &mut Vec<Diagnostic>) -> Source {
    let path = format!("sources.{name}");
    if !is_identifier(name) {
        diagnostics.push(Diagnostic::at(
            &path,
            format!("source name '{name}' must be lower-case letters, digits and _ (like referrals), so the CLI's NAME=FILE can name it"),
        ));
    }
    if s.columns.is_empty() {
        diagnostics.push(Diagnostic::at(
            format!("{path}.columns"),
            "a source needs at least one column, as in columns = { child_id = \"id\", referred_on = \"date\" }",
        ));
    }
    let mut lowered: BTreeMap<String, &str> = BTreeMap::new();
    for col in s.columns.keys() {
        if col.trim().is_empty() || col.trim() != col {
            diagnostics.push(Diagnostic::at(
                format!("{path}.columns"),
                format!("column name '{col}' must be non-empty, without spaces at either end"),
            ));
        }
        if let Some(other) = lowered.insert(col.to_lowercase(), col) {
            diagnostics.push(Diagnostic::at(
                format!("{path}.columns.{col}"),
                format!("columns '{other}' and '{col}' differ only in case; data headers are matched ignoring case, so rename one"),
            ));
        }
    }
    let columns: Vec<(String, ColumnType)> =
        s.columns.iter().map(|(n, t)| (n.clone(), *t)).collect();
    let mut entity = None;
    if let Some(e) = &s.entity {
        match columns.iter().position(|(n, _)| n == e) {
            Some(ix) if matches!(columns[ix].1, ColumnType::Id | ColumnType::Category) => {
                entity = Some(ix)
            }
            Some(ix) => diagnostics.push(Diagnostic::at(
                format!("{path}.entity"),
                format!(
                    "entity column '{e}' is a {} column; the entity must be an id or category column",
                    columns[ix].1.as_str()
                ),
            )),
            None => diagnostics.push(Diagnostic::at(
                format!("{path}.entity"),
                format!(
                    "entity names column '{e}', which is not a column of source '{name}'; its columns are: {}",
                    names(&columns, None)
                ),
            )),
        }
    }
    let mut required = Vec::new();
    if let Some(ix) = entity {
        required.push((ix, "the entity".to_string()));
    }
    Source {
        name: name.to_string(),
        columns,
        entity,
        required,
        pairs: Vec::new(),
        orders: Vec::new(),
    }
}

fn names(columns: &[(String, ColumnType)], of: Option<ColumnType>) -> String {
    let list: Vec<&str> = columns
        .iter()
        .filter(|(_, t)| of.is_none_or(|o| o == *t))
        .map(|(n, _)| n.as_str())
        .collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

struct Checker<'a> {
    path: String,
    indicator: &'a IndicatorSpec,
    sources: &'a mut Vec<Source>,
    diagnostics: &'a mut Vec<Diagnostic>,
    year_start_month: u32,
}

impl Checker<'_> {
    fn error(&mut self, key: &str, message: String) {
        let path = if key.is_empty() {
            self.path.clone()
        } else {
            format!("{}.{key}", self.path)
        };
        self.diagnostics.push(Diagnostic::at(path, message));
    }

    fn source_ix(&mut self, key: &str, name: &str) -> Option<usize> {
        let found = self.sources.iter().position(|s| s.name == name);
        if found.is_none() {
            let known: Vec<&str> = self.sources.iter().map(|s| s.name.as_str()).collect();
            let known = if known.is_empty() {
                "none are declared; add a [sources.NAME] table".to_string()
            } else {
                known.join(", ")
            };
            self.error(
                key,
                format!("unknown source '{name}'; sources are: {known}"),
            );
        }
        found
    }

    /// Resolves a column of a source that must have type `want`.
    fn column(&mut self, source: usize, key: &str, name: &str, want: ColumnType) -> Option<usize> {
        let s = &self.sources[source];
        match s.column(name) {
            Some(ix) if s.columns[ix].1 == want => Some(ix),
            Some(ix) => {
                let msg = format!(
                    "{key} must be a {} column, but '{name}' is a {} column of source '{}'; its {} columns are: {}",
                    want.as_str(),
                    s.columns[ix].1.as_str(),
                    s.name,
                    want.as_str(),
                    names(&s.columns, Some(want))
                );
                self.error(key, msg);
                None
            }
            None => {
                let msg = format!(
                    "'{name}' is not a column of source '{}'; its {} columns are: {}",
                    s.name,
                    want.as_str(),
                    names(&s.columns, Some(want))
                );
                self.error(key, msg);
                None
            }
        }
    }

    fn id_column(&mut self, source: usize, key: &str, name: &str) -> Option<usize> {
        // An id may be written as an id or a category column.
        let s = &self.sources[source];
        match s.column(name) {
            Some(ix) if s.columns[ix].1 == ColumnType::Category => Some(ix),
            _ => self.column(source, key, name, ColumnType::Id),
        }
    }

    fn require(&mut self, source: usize, column: usize, role: &str) {
        let who = format!("{} of indicator '{}'", role, self.indicator.id);
        let s = &mut self.sources[source];
        if !s.required.iter().any(|(c, _)| *c == column) {
            s.required.push((column, who));
        }
    }

    fn pair(&mut self, source: usize, start: usize, end: usize) {
        let s = &mut self.sources[source];
        if !s.pairs.contains(&(start, end)) {
            s.pairs.push((start, end));
        }
    }

    fn order(&mut self, source: usize, by_entity: bool, id: usize, date: usize) {
        let key = OrderKey {
            by_entity,
            id,
            date,
        };
        let s = &mut self.sources[source];
        if !s.orders.contains(&key) {
            s.orders.push(key);
        }
    }

    fn months(&mut self, key: &str, n: u32) {
        if !(1..=MAX_MONTHS).contains(&n) {
            self.error(
                key,
                format!("{key} is {n}; it must be a whole number of months from 1 to {MAX_MONTHS}"),
            );
        }
    }

    fn span(&mut self, key: &str, n: u32) {
        if n > MAX_SPAN {
            self.error(key, format!("{key} is {n}; it must be at most {MAX_SPAN}"));
        }
    }

    fn measure(&mut self, m: &MeasureSpec) -> Option<Measure> {
        let common = m.common();
        let ind = self.indicator;
        let share = !matches!(m, MeasureSpec::Rate(_));
        let unit_ok = match ind.unit {
            Unit::Percent | Unit::Ratio => true,
            Unit::Per10k | Unit::Per1000 => !share,
            Unit::Count | Unit::Days => false,
        };
        if !unit_ok {
            let want = if share {
                "\"percent\" or \"ratio\""
            } else {
                "\"per_10k\", \"per_1000\", \"percent\" or \"ratio\""
            };
            let msg = format!(
                "a {} measure gives a numerator and a denominator, so the indicator's unit must be {want}, not {}",
                m.kind(),
                unit_name(ind.unit)
            );
            self.error("", msg);
        }
        let source = self.source_ix("source", common.source)?;
        let period = common.period.kind();
        let from = common.from.and_then(|f| {
            match Period::parse(f, self.year_start_month) {
                Ok(p) if p.kind() == period => Some(p),
                Ok(p) => {
                    self.error(
                        "from",
                        format!(
                            "from is a {} ('{f}'), but the measure is computed by {}; give a {} period",
                            p.kind().as_str(),
                            period.as_str(),
                            period.as_str()
                        ),
                    );
                    None
                }
                Err(e) => {
                    self.error("from", e.to_string());
                    None
                }
            }
        });
        let mut filters = Vec::new();
        for (k, f) in common.filter.iter().enumerate() {
            if let Some(f) = self.filter(source, k, f) {
                filters.push(f);
            }
        }
        let kind = match m {
            MeasureSpec::Timeliness(t) => {
                let start = self.column(source, "start", &t.start, ColumnType::Date);
                let end = self.column(source, "end", &t.end, ColumnType::Date);
                self.span("within", t.within);
                let (start, end) = (start?, end?);
                if start == end {
                    self.error(
                        "end",
                        "start and end are the same column; the clock needs two dates".into(),
                    );
                }
                self.require(source, start, "the start");
                self.pair(source, start, end);
                Kind::Timeliness {
                    start,
                    end,
                    within: t.within,
                    unit: t.unit,
                    counted_by: t.counted_by,
                }
            }
            MeasureSpec::Recurrence(r) => {
                let id = self.id_column(source, "id", &r.id);
                let date = self.column(source, "date", &r.date, ColumnType::Date);
                self.months("within_months", r.within_months);
                let (id, date) = (id?, date?);
                self.require(source, id, "the id");
                self.require(source, date, "the date");
                self.order(source, false, id, date);
                Kind::Recurrence {
                    id,
                    date,
                    within_months: r.within_months,
                }
            }
            MeasureSpec::Interval(v) => {
                let id = self.id_column(source, "id", &v.id);
                let date = self.column(source, "date", &v.date, ColumnType::Date);
                self.months("window_months", v.window_months);
                self.span("max_gap", v.max_gap);
                if v.max_gap == 0 {
                    self.error(
                        "max_gap",
                        "max_gap is 0; it must be 1 or more (the longest gap allowed)".into(),
                    );
                }
                let (id, date) = (id?, date?);
                self.require(source, id, "the id");
                self.require(source, date, "the date");
                self.order(source, true, id, date);
                Kind::Interval {
                    id,
                    date,
                    max_gap: v.max_gap,
                    unit: v.unit,
                    window_months: v.window_months,
                }
            }
            MeasureSpec::RollingCount(r) => {
                let id = self.id_column(source, "id", &r.id);
                let date = self.column(source, "date", &r.date, ColumnType::Date);
                let end = match &r.end {
                    Some(e) => Some(self.column(source, "end", e, ColumnType::Date)?),
                    None => None,
                };
                self.months("window_months", r.window_months);
                if r.at_least == 0 {
                    self.error(
                        "at_least",
                        "at_least is 0; it must be 1 or more (3 for '3 or more placements')".into(),
                    );
                }
                if r.among == Among::OpenAtEnd && end.is_none() {
                    self.error(
                        "among",
                        "among = \"open_at_end\" needs an `end` column to know which records are open"
                            .into(),
                    );
                }
                let (id, date) = (id?, date?);
                self.require(source, id, "the id");
                self.require(source, date, "the date");
                if let Some(end) = end {
                    self.pair(source, date, end);
                }
                self.order(source, true, id, date);
                Kind::RollingCount {
                    id,
                    date,
                    end,
                    window_months: r.window_months,
                    at_least: r.at_least,
                    among: r.among,
                }
            }
            MeasureSpec::Rate(r) => {
                let id = match &r.id {
                    Some(i) => Some(self.id_column(source, "id", i)?),
                    None => None,
                };
                let count = match (&r.date, &r.start, &r.end, r.window_months) {
                    (Some(d), None, None, w) => {
                        if let Some(w) = w {
                            self.months("window_months", w);
                        }
                        let date = self.column(source, "date", d, ColumnType::Date)?;
                        self.require(source, date, "the date");
                        RateCount::Events {
                            date,
                            window_months: w,
                        }
                    }
                    (None, Some(s), e, None) => {
                        let start = self.column(source, "start", s, ColumnType::Date)?;
                        let end = match e {
                            Some(e) => Some(self.column(source, "end", e, ColumnType::Date)?),
                            None => None,
                        };
                        self.require(source, start, "the start");
                        if let Some(end) = end {
                            self.pair(source, start, end);
                        }
                        RateCount::Open { start, end }
                    }
                    _ => {
                        self.error(
                            "",
                            "a rate counts either records dated in the period (`date`, optionally `window_months`) or records open at the period end (`start`, optionally `end`); give one of the two".into(),
                        );
                        return None;
                    }
                };
                let date_col = match count {
                    RateCount::Events { date, .. } => date,
                    RateCount::Open { start, .. } => start,
                };
                if let Some(id) = id {
                    self.require(source, id, "the id");
                    self.order(source, true, id, date_col);
                }
                let population = match &r.population {
                    PopulationSpec::Constant(c) => {
                        if c.0 <= Decimal::ZERO {
                            self.error(
                                "population",
                                format!("population is {c}; it must be more than 0"),
                            );
                        }
                        Population::Constant(c.0)
                    }
                    PopulationSpec::Source(p) => {
                        let ps = self.source_ix("population.source", &p.source)?;
                        let date = self.column(ps, "population.date", &p.date, ColumnType::Date);
                        let value =
                            self.column(ps, "population.value", &p.value, ColumnType::Number);
                        let (date, value) = (date?, value?);
                        self.require(ps, date, "the population date");
                        self.require(ps, value, "the population");
                        Population::Source {
                            source: ps,
                            date,
                            value,
                        }
                    }
                };
                Kind::Rate {
                    id,
                    count,
                    population,
                }
            }
        };
        let counts_ids = matches!(
            kind,
            Kind::Interval { .. } | Kind::RollingCount { .. } | Kind::Rate { id: Some(_), .. }
        );
        let noun = match common.noun {
            Some(n) => n.to_string(),
            None => {
                let id_col = match &kind {
                    Kind::Interval { id, .. }
                    | Kind::RollingCount { id, .. }
                    | Kind::Rate { id: Some(id), .. } => Some(*id),
                    _ => None,
                };
                match (counts_ids, id_col) {
                    (true, Some(id)) => {
                        format!("distinct {} values", self.sources[source].column_name(id))
                    }
                    _ => common.source.replace('_', " "),
                }
            }
        };
        Some(Measure {
            source,
            filters,
            period,
            from,
            noun,
            phrase: common.phrase.map(str::to_string),
            kind,
        })
    }

    fn filter(&mut self, source: usize, k: usize, f: &FilterSpec) -> Option<Filter> {
        let key = format!("filter[{k}]");
        let tests: Vec<(&str, Test)> = [
            f.equals.clone().map(|v| ("equals", Test::Equals(v))),
            f.not_equals
                .clone()
                .map(|v| ("not_equals", Test::NotEquals(v))),
            f.one_of.clone().map(|v| ("one_of", Test::OneOf(v))),
            f.below.map(|v| ("below", Test::Below(v.0))),
            f.at_least.map(|v| ("at_least", Test::AtLeast(v.0))),
            f.age_below.map(|v| ("age_below", Test::AgeBelow(v))),
            f.age_at_least
                .map(|v| ("age_at_least", Test::AgeAtLeast(v))),
        ]
        .into_iter()
        .flatten()
        .collect();
        let (name, test) = match tests.len() {
            1 => tests.into_iter().next()?,
            n => {
                self.error(
                    &key,
                    format!(
                        "a filter gives exactly one condition (equals, not_equals, one_of, below, at_least, age_below or age_at_least); this one gives {n}"
                    ),
                );
                return None;
            }
        };
        let s = &self.sources[source];
        let Some(column) = s.column(&f.column) else {
            let msg = format!(
                "'{}' is not a column of source '{}'; its columns are: {}",
                f.column,
                s.name,
                names(&s.columns, None)
            );
            self.error(&format!("{key}.column"), msg);
            return None;
        };
        let ty = s.columns[column].1;
        let fits = match test {
            Test::Equals(_) | Test::NotEquals(_) | Test::OneOf(_) => {
                matches!(ty, ColumnType::Id | ColumnType::Category)
            }
            Test::Below(_) | Test::AtLeast(_) => ty == ColumnType::Number,
            Test::AgeBelow(a) | Test::AgeAtLeast(a) => {
                if a > 150 {
                    self.error(
                        &format!("{key}.{name}"),
                        format!("an age of {a} years is not plausible; give 0 to 150"),
                    );
                }
                ty == ColumnType::Date
            }
        };
        if !fits {
            let want = match test {
                Test::Equals(_) | Test::NotEquals(_) | Test::OneOf(_) => "an id or category",
                Test::Below(_) | Test::AtLeast(_) => "a number",
                _ => "a date (of birth)",
            };
            self.error(
                &format!("{key}.{name}"),
                format!(
                    "{name} needs {want} column, but '{}' is a {} column",
                    f.column,
                    ty.as_str()
                ),
            );
            return None;
        }
        // A number or date of birth that is missing cannot be tested, so it
        // is required; an empty category is simply a value ("").
        if matches!(ty, ColumnType::Number | ColumnType::Date) {
            self.require(source, column, "a filter");
        }
        Some(Filter { column, test })
    }
}

fn unit_name(u: Unit) -> &'static str {
    match u {
        Unit::Percent => "percent",
        Unit::Per10k => "per_10k",
        Unit::Per1000 => "per_1000",
        Unit::Count => "count",
        Unit::Days => "days",
        Unit::Ratio => "ratio",
    }
}

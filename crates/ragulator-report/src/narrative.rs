//! The narrative file: the analysis and next steps people write for each
//! theme and period. ragulator does not evaluate it; the report prints it.
//!
//! ```toml
//! [assessment."2022-06"]
//! analysis = "Re-referrals rose to 21.4% in June ..."
//! next_steps = "Audit the June re-referrals ..."
//! ```
//!
//! The same shape in JSON (`{"assessment": {"2022-06": {"analysis": ...}}}`)
//! or YAML. Theme ids must be the scorecard's and periods must parse; both
//! are checked when the file is read, so a typo is an error, not a section
//! that silently stays empty.

use std::collections::HashMap;

use ragulator::{Diagnostic, Format, Period, Scorecard};
use serde::Deserialize;

/// What people wrote about one theme for one period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NarrativeEntry {
    /// What the figures mean: the analysis.
    #[serde(default)]
    pub analysis: Option<String>,
    /// The actions agreed.
    #[serde(default)]
    pub next_steps: Option<String>,
}

/// A narrative file, checked against a scorecard: entries by theme and period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrative {
    entries: HashMap<(String, Period), NarrativeEntry>,
}

/// A narrative file that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid narrative: {diagnostic}")]
pub struct NarrativeError {
    /// Path (`assessment."2022-06".analysis`), position when known, message.
    pub diagnostic: Diagnostic,
}

impl NarrativeError {
    fn at(path: String, message: String) -> NarrativeError {
        NarrativeError {
            diagnostic: Diagnostic::at(path, message),
        }
    }
}

/// Largest narrative accepted: commentary, not a data file.
const MAX_BYTES: usize = 4 * 1024 * 1024;

type Raw = Unique<Unique<NarrativeEntry>>;

/// A mapping's entries in file order, a key given twice refused: serde_json
/// keeps the last of a JSON object's duplicate keys, which would drop a
/// theme's or a month's commentary silently (TOML and YAML refuse them).
#[derive(Debug)]
struct Unique<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Unique<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Entries<V> {
            type Value = Unique<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Unique<V>, A::Error> {
                let mut entries: Vec<(String, V)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(serde::de::Error::custom(format_args!(
                            "key `{key}` given twice; keep one, so that no commentary is lost"
                        )));
                    }
                    let value = map.next_value()?;
                    entries.push((key, value));
                }
                Ok(Unique(entries))
            }
        }
        d.deserialize_map(Entries(std::marker::PhantomData))
    }
}

impl Narrative {
    /// Reads a narrative from TOML, JSON or YAML text and checks its theme
    /// ids and periods against the scorecard.
    ///
    /// ```
    /// use ragulator::{Format, Scorecard};
    /// use ragulator_report::Narrative;
    /// let s = Scorecard::from_toml("ragulator = 1\n[[theme]]\nid='t'\nname='T'\n[[indicator]]\nid='x'\nname='X'\ntheme='t'\nunit='count'\npolarity='none'\n").unwrap();
    /// let n = Narrative::parse(&s, "[t.\"2022-06\"]\nanalysis = 'Fine.'\n", Format::Toml).unwrap();
    /// let june = s.parse_period("2022-06").unwrap();
    /// assert_eq!(n.get("t", &june).unwrap().analysis.as_deref(), Some("Fine."));
    /// let err = Narrative::parse(&s, "[u.\"2022-06\"]\nanalysis = 'x'\n", Format::Toml).unwrap_err();
    /// assert_eq!(err.diagnostic.path, "u");
    /// ```
    pub fn parse(
        scorecard: &Scorecard,
        text: &str,
        format: Format,
    ) -> Result<Narrative, NarrativeError> {
        if text.len() > MAX_BYTES {
            return Err(NarrativeError::at(
                String::new(),
                format!(
                    "the file is {} bytes; a narrative may be at most {MAX_BYTES}",
                    text.len()
                ),
            ));
        }
        let raw = parse_raw(text, format)?;
        // Each entry with the text its period was written as, to name both
        // of two spellings of one period ("2022-Q2", "2022-q2").
        let mut entries: HashMap<(String, Period), (String, NarrativeEntry)> = HashMap::new();
        for (theme, periods) in raw.0 {
            if !scorecard.themes().iter().any(|t| t.id == theme) {
                let ids: Vec<&str> = scorecard.themes().iter().map(|t| t.id.as_str()).collect();
                return Err(NarrativeError::at(
                    theme.clone(),
                    format!(
                        "unknown theme '{theme}'; the scorecard's themes are: {}",
                        if ids.is_empty() {
                            "(none)".to_string()
                        } else {
                            ids.join(", ")
                        }
                    ),
                ));
            }
            for (period, entry) in periods.0 {
                let path = format!("{theme}.\"{period}\"");
                let p = scorecard
                    .parse_period(&period)
                    .map_err(|e| NarrativeError::at(path.clone(), e.to_string()))?;
                let key = (theme.clone(), p);
                if let Some((first, _)) = entries.get(&key) {
                    return Err(NarrativeError::at(
                        path,
                        format!("'{period}' is the period '{first}' again, written twice for theme '{theme}'; keep one, so that no commentary is lost"),
                    ));
                }
                entries.insert(key, (period, entry));
            }
        }
        let entries = entries
            .into_iter()
            .map(|(key, (_, entry))| (key, entry))
            .collect();
        Ok(Narrative { entries })
    }

    /// The entry for a theme and period, if one was written.
    pub fn get(&self, theme: &str, period: &Period) -> Option<&NarrativeEntry> {
        self.entries.get(&(theme.to_string(), *period))
    }

    /// Number of (theme, period) entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the file had no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn path_text(p: &serde_path_to_error::Path) -> String {
    let s = p.to_string();
    let s = s
        .strip_suffix(".?")
        .or_else(|| s.strip_suffix('?'))
        .unwrap_or(&s);
    if s == "." {
        String::new()
    } else {
        s.to_string()
    }
}

fn parse_raw(text: &str, format: Format) -> Result<Raw, NarrativeError> {
    match format {
        Format::Toml => {
            let de = toml::Deserializer::parse(text).map_err(|e| toml_error(text, &e, ""))?;
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = path_text(e.path());
                toml_error(text, e.inner(), &path)
            })
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let raw: Raw = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let inner = e.inner();
                NarrativeError {
                    diagnostic: Diagnostic {
                        path: path_text(e.path()),
                        line: Some(inner.line()),
                        column: Some(inner.column()),
                        message: inner.to_string(),
                    },
                }
            })?;
            de.end().map_err(|e| NarrativeError {
                diagnostic: Diagnostic {
                    path: String::new(),
                    line: Some(e.line()),
                    column: Some(e.column()),
                    message: e.to_string(),
                },
            })?;
            Ok(raw)
        }
        Format::Yaml => {
            let mut path = String::new();
            let mut options = serde_saphyr::Options::default();
            options.with_snippet = false;
            serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
                serde_path_to_error::deserialize(de).map_err(|e| {
                    path = path_text(e.path());
                    e.into_inner()
                })
            })
            .map_err(|e| {
                let loc = e.location();
                let rendered = e.render_with_formatter(&serde_saphyr::UserMessageFormatter);
                NarrativeError {
                    diagnostic: Diagnostic {
                        path,
                        line: loc.as_ref().map(|l| l.line() as usize),
                        column: loc.as_ref().map(|l| l.column() as usize),
                        message: rendered.lines().next().unwrap_or("").to_string(),
                    },
                }
            })
        }
    }
}

fn toml_error(text: &str, e: &toml::de::Error, path: &str) -> NarrativeError {
    let (line, column) = match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (Some(line), Some(column))
        }
        None => (None, None),
    };
    NarrativeError {
        diagnostic: Diagnostic {
            path: path.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        },
    }
}

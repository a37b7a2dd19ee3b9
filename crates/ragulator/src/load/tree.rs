//! A scorecard document as one tree, whatever its format.
//!
//! Each format's own parser (toml's `DeTable`, serde_json, granit-parser's
//! YAML events; see [`super::parse`]) builds a [`Node`] tree that remembers
//! where each value was written. The model ([`crate::model::ScorecardSpec`])
//! is then deserialised from the tree by [`De`], which also tracks the path to
//! the first error (`indicator[0].decimals`).
//!
//! Why a tree: the model's serde code is generic over the deserializer, so
//! deserialising it straight from three parsers, each wrapped for path
//! tracking, compiled it six times; that was most of the WebAssembly
//! package. Through the tree it is compiled once.
//!
//! [`De`] reproduces what each format's own serde deserializer did, so
//! diagnostics are unchanged: the same messages (serde's wording for TOML and
//! JSON, serde-saphyr's for YAML), at the same place (TOML and YAML: where the
//! value starts; JSON: where serde_json stopped reading), and YAML scalars
//! are typed by what the model asks for (`name: 123` is the text "123",
//! `decimals: one` is "not a whole number").

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use crate::load::Format;

/// Where a diagnostic points, resolved to a line and column only when one is
/// reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    /// A byte offset; the column counts characters from 1 (TOML, and where
    /// JSON values start).
    Offset(usize),
    /// serde_json's convention for the position after a byte offset: the
    /// column counts bytes before it (so it names the last byte read).
    JsonAfter(usize),
    /// A 1-based line and column (YAML, from the parser).
    LineCol(usize, usize),
}

impl Pos {
    /// The 1-based line and column in `text`.
    pub(crate) fn line_col(self, text: &str) -> (usize, usize) {
        match self {
            Pos::Offset(o) => super::line_col(text, o),
            Pos::JsonAfter(o) => {
                let before = text.as_bytes().get(..o).unwrap_or(text.as_bytes());
                let start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let line = 1 + before[..start].iter().filter(|&&b| b == b'\n').count();
                (line, before.len() - start)
            }
            Pos::LineCol(l, c) => (l, c),
        }
    }

    /// The byte offset in `text`, if it is in `text`.
    pub(crate) fn offset(self, text: &str) -> Option<usize> {
        match self {
            Pos::Offset(o) | Pos::JsonAfter(o) => (o <= text.len()).then_some(o),
            Pos::LineCol(l, c) => {
                let line_start = if l <= 1 {
                    0
                } else {
                    text.match_indices('\n').nth(l - 2)?.0 + 1
                };
                let line = text.get(line_start..)?;
                let within = match line.char_indices().nth(c.checked_sub(1)?) {
                    Some((i, _)) => i,
                    None => line.len(),
                };
                Some(line_start + within)
            }
        }
    }
}

/// One value of a document, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// The value.
    pub value: Value,
    /// Where an error reading this value points.
    pub at: Pos,
    /// Where a semantic diagnostic whose path ends at this value (reached by
    /// index, or by key in JSON and YAML) points.
    pub loc: Pos,
}

/// A value. TOML and JSON values are typed by their parser; YAML scalars
/// keep their text and are typed when read, as YAML does.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// JSON `null`, or an empty YAML document.
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number that fits an i64.
    I64(i64),
    /// A whole number that fits a u64 but not an i64.
    U64(u64),
    /// A whole number beyond 64 bits (TOML).
    I128(i128),
    /// A positive whole number beyond i128 (TOML).
    U128(u128),
    /// A floating-point number, and (JSON, TOML) the numeral as written:
    /// an f64 keeps about 15 significant digits, a decimal 28.
    F64(f64, String),
    /// A number the format's parser cannot represent: the message it gives.
    Invalid(&'static str),
    /// Text.
    Str(String),
    /// A TOML date or time, as written.
    Datetime(String),
    /// A YAML scalar.
    Scalar(Scalar),
    /// A sequence (array).
    Seq(Vec<Node>),
    /// A mapping (table, object).
    Map(Map),
}

/// A YAML scalar: its text, whether it was plain (unquoted) and its tag.
#[derive(Debug, Clone)]
pub(crate) struct Scalar {
    /// The text after escapes and folding.
    pub text: String,
    /// Plain (not quoted, not a block scalar): only plain text can be null,
    /// a boolean or a number without a tag.
    pub plain: bool,
    /// The core-schema tag, if any.
    pub tag: Tag,
}

/// The YAML tags that change how a scalar is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    /// No tag, or one without meaning here.
    None,
    /// `!!str` or the non-specific `!`: always text.
    Str,
    /// `!!null`.
    Null,
    /// `!!bool`.
    Bool,
    /// `!!int`.
    Int,
    /// `!!float`.
    Float,
    /// A tag whose scalar cannot be read as text (`!!binary`, `!!timestamp`, `!!seq`, `!!map`).
    NotText,
}

/// A mapping's entries in document order.
#[derive(Debug, Clone)]
pub(crate) struct Map {
    /// The entries.
    pub entries: Vec<Entry>,
}

/// One key and value of a mapping.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The key.
    pub key: Node,
    /// The value.
    pub value: Node,
    /// Where a semantic diagnostic whose path ends at this key points in
    /// TOML (the key itself).
    pub key_loc: Pos,
}

impl Node {
    /// Removes the mapping entry whose key or value is at `at`, anywhere in
    /// the tree, and returns its key; `None` if no entry is (a sequence
    /// item is not removed: the later items' paths would change).
    pub(crate) fn remove_entry_at(&mut self, at: Pos) -> Option<String> {
        match &mut self.value {
            Value::Map(map) => {
                let hit = map
                    .entries
                    .iter()
                    .position(|e| e.key.at == at || e.value.at == at);
                if let Some(i) = hit {
                    let entry = map.entries.remove(i);
                    return Some(entry.key_text().unwrap_or("").to_string());
                }
                map.entries
                    .iter_mut()
                    .find_map(|e| e.value.remove_entry_at(at))
            }
            Value::Seq(items) => items.iter_mut().find_map(|n| n.remove_entry_at(at)),
            _ => None,
        }
    }
}

impl Node {
    /// Removes the mapping entry at a diagnostic path (`indicator[1].rag`),
    /// and returns its key; `None` if the path does not end at an entry.
    pub(crate) fn remove_at_path(&mut self, path: &str) -> Option<String> {
        let (parent, key) = match path.rsplit_once('.') {
            Some((parent, key)) => (parent, key),
            None => ("", path),
        };
        match &mut self.at_path_mut(parent)?.value {
            Value::Map(map) => {
                let i = map.entries.iter().position(|e| e.key_text() == Some(key))?;
                map.entries.remove(i);
                Some(key.to_string())
            }
            _ => None,
        }
    }

    /// Adds `key = text` to the mapping at a diagnostic path (`indicator[0]`,
    /// or `""` for the document): a stand-in for a missing required field,
    /// so the rest can still be checked. `false` if no mapping is there.
    /// `yaml`: text as YAML holds it, a quoted scalar.
    pub(crate) fn insert_at_path(
        &mut self,
        path: &str,
        key: &str,
        text_value: &str,
        yaml: bool,
    ) -> bool {
        self.insert_value_at_path(path, key, text(text_value, yaml), yaml)
    }

    /// [`insert_at_path`](Self::insert_at_path) with a value of any kind
    /// (a number, for a stand-in no text can be).
    pub(crate) fn insert_value_at_path(
        &mut self,
        path: &str,
        key: &str,
        value: Value,
        yaml: bool,
    ) -> bool {
        let Some(node) = self.at_path_mut(path) else {
            return false;
        };
        let at = node.at;
        let Value::Map(map) = &mut node.value else {
            return false;
        };
        let stand_in = |value| Node { value, at, loc: at };
        map.entries.push(Entry {
            key: stand_in(text(key, yaml)),
            value: stand_in(value),
            key_loc: at,
        });
        true
    }

    /// Sets the text of the text value at a diagnostic path; `false` if
    /// there is none.
    pub(crate) fn replace_text_at_path(&mut self, path: &str, text: &str) -> bool {
        match self.at_path_mut(path).map(|n| &mut n.value) {
            Some(Value::Str(s)) => {
                *s = text.to_string();
                true
            }
            Some(Value::Scalar(s)) => {
                s.text = text.to_string();
                true
            }
            _ => false,
        }
    }

    /// Puts text in place of the value at a diagnostic path, whatever its
    /// kind (a stand-in for a list item that cannot be taken out); `false`
    /// if there is no value there. `yaml`: text as YAML holds it.
    pub(crate) fn replace_with_text_at_path(&mut self, path: &str, t: &str, yaml: bool) -> bool {
        match self.at_path_mut(path) {
            Some(node) => {
                node.value = text(t, yaml);
                true
            }
            None => false,
        }
    }

    /// The text a number or boolean at a diagnostic path is written as
    /// (`85` for `id = 85`): the first stand-in tried for it.
    pub(crate) fn numeral_at_path(&mut self, path: &str) -> Option<String> {
        Some(match &self.at_path_mut(path)?.value {
            Value::Bool(b) => b.to_string(),
            Value::I64(n) => n.to_string(),
            Value::U64(n) => n.to_string(),
            Value::I128(n) => n.to_string(),
            Value::U128(n) => n.to_string(),
            Value::F64(_, numeral) => numeral.clone(),
            _ => return None,
        })
    }

    /// The value at a diagnostic path (`indicator[1].rag`; `""` is the document).
    fn at_path_mut(&mut self, path: &str) -> Option<&mut Node> {
        let mut node = self;
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            let (name, indexes) = segment.split_once('[').unwrap_or((segment, ""));
            if !name.is_empty() {
                node = node.entry_mut(name)?;
            }
            for index in indexes.split('[').filter(|i| !i.is_empty()) {
                let i: usize = index.trim_end_matches(']').parse().ok()?;
                node = match &mut node.value {
                    Value::Seq(items) => items.get_mut(i)?,
                    _ => return None,
                };
            }
        }
        Some(node)
    }

    fn entry_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Map(map) => map
                .entries
                .iter_mut()
                .find(|e| e.key_text() == Some(key))
                .map(|e| &mut e.value),
            _ => None,
        }
    }
}

impl Entry {
    /// The key's text, if it is text (a YAML null key is not).
    pub(crate) fn key_text(&self) -> Option<&str> {
        match &self.key.value {
            Value::Str(s) => Some(s),
            Value::Scalar(s) if !is_null(s) => Some(&s.text),
            _ => None,
        }
    }
}

/// Control characters written as Rust escapes (`\n`, `\u{1b}`), as
/// serde-saphyr renders its messages (with `char::escape_debug`, whose
/// Unicode tables this avoids), so a message stays on one line.
pub(crate) fn escape_controls(message: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The path to a value while deserialising, as serde_path_to_error writes it.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The document.
    Root,
    /// A mapping's value.
    Key(&'a Path<'a>, &'a str),
    /// A sequence's item.
    Index(&'a Path<'a>, usize),
    /// A key that is not text (written `?`, which is then dropped).
    Unknown(&'a Path<'a>),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let mut p = self;
        loop {
            match p {
                Path::Root => break,
                Path::Key(parent, key) => {
                    parts.push((false, (*key).to_string()));
                    p = parent;
                }
                Path::Index(parent, i) => {
                    parts.push((true, format!("[{i}]")));
                    p = parent;
                }
                Path::Unknown(parent) => {
                    parts.push((false, "?".to_string()));
                    p = parent;
                }
            }
        }
        let mut separator = "";
        for (index, part) in parts.iter().rev() {
            if !index {
                f.write_str(separator)?;
            }
            f.write_str(part)?;
            separator = ".";
        }
        Ok(())
    }
}

impl Path<'_> {
    /// The path as diagnostics give it: `?` (a key not read) and the root dropped.
    pub(crate) fn display(&self) -> String {
        let s = self.to_string();
        let s = s
            .strip_suffix(".?")
            .or_else(|| s.strip_suffix('?'))
            .unwrap_or(&s);
        s.to_string()
    }
}

/// An error while reading the tree: the message, and where and at which
/// path it was raised (the innermost value that saw it). Boxed: it travels
/// through every `Result` of the deserializer.
#[derive(Debug)]
pub(crate) struct Error(Box<Raised>);

/// What an [`Error`] holds.
#[derive(Debug)]
pub(crate) struct Raised {
    message: Message,
    /// Where it points.
    pub at: Option<Pos>,
    /// The path to the value.
    pub path: Option<String>,
}

impl std::ops::Deref for Error {
    type Target = Raised;
    fn deref(&self) -> &Raised {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut Raised {
        &mut self.0
    }
}

#[derive(Debug)]
enum Message {
    Text(String),
    /// An invalid type or value: serde_json writes `null` and floats its own way.
    Unexpected {
        what: &'static str,
        serde: String,
        json: String,
        expected: String,
    },
    /// Worded per format: serde-saphyr lists the names without backticks.
    UnknownField(String, &'static [&'static str]),
    UnknownVariant(String, &'static [&'static str]),
    /// A required field that is absent (known by name: it gets a stand-in).
    MissingField(&'static str),
}

impl Raised {
    /// The message in the wording of `format`'s own deserializer.
    pub(crate) fn message(&self, format: Format) -> String {
        message(&self.message, format)
    }

    /// For an unknown enum variant, a variant the model knows: written in
    /// its place, the rest of the document can still be checked.
    pub(crate) fn known_variant(&self) -> Option<&'static str> {
        match &self.message {
            Message::UnknownVariant(_, expected) => expected.first().copied(),
            _ => None,
        }
    }

    /// Whether the problem is a value of the wrong type or form (not an
    /// unknown key or variant, nor a missing field).
    pub(crate) fn is_bad_value(&self) -> bool {
        matches!(self.message, Message::Text(_) | Message::Unexpected { .. })
    }

    /// The required field that is missing, if that is the problem.
    pub(crate) fn missing_field(&self) -> Option<&'static str> {
        match self.message {
            Message::MissingField(field) => Some(field),
            _ => None,
        }
    }
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Error {
        Error::raised(Message::Text(message.into()), None)
    }

    fn raised(message: Message, at: Option<Pos>) -> Error {
        Error(Box::new(Raised {
            message,
            at,
            path: None,
        }))
    }

    fn unexpected(what: &'static str, unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Error {
        let json = match unexp {
            de::Unexpected::Unit => "null".to_string(),
            de::Unexpected::Float(v) => {
                format!("floating point `{}`", zmij::Buffer::new().format(v))
            }
            other => other.to_string(),
        };
        Error::raised(
            Message::Unexpected {
                what,
                serde: unexp.to_string(),
                json,
                expected: exp.to_string(),
            },
            fallback(),
        )
    }

    /// Sets where it points and its path unless an inner value already did.
    fn mark(mut self, at: Pos, path: &Path<'_>) -> Error {
        self.at.get_or_insert(at);
        if self.path.is_none() {
            self.path = Some(path.display());
        }
        self
    }
}

/// A message in the wording of `format`'s own deserializer.
fn message(message: &Message, format: Format) -> String {
    let names = |expected: &[&str]| -> String {
        if expected.is_empty() {
            return "there are none".to_string();
        }
        let quoted: Vec<String> = expected
            .iter()
            .map(|n| match format {
                Format::Yaml => (*n).to_string(),
                _ => format!("`{n}`"),
            })
            .collect();
        match (format, quoted.len()) {
            (Format::Yaml, _) => format!("one of {}", quoted.join(", ")),
            (_, 1) => quoted.join(""),
            (_, 2) => format!("{} or {}", quoted[0], quoted[1]),
            _ => format!("one of {}", quoted.join(", ")),
        }
    };
    match message {
        Message::Text(s) => s.clone(),
        Message::Unexpected {
            what,
            serde,
            json,
            expected,
        } => {
            let unexpected = if format == Format::Json { json } else { serde };
            format!("invalid {what}: {unexpected}, expected {expected}")
        }
        Message::UnknownField(field, expected) => match (format, expected.is_empty()) {
            (Format::Yaml, _) | (_, false) => {
                format!("unknown field `{field}`, expected {}", names(expected))
            }
            (_, true) => format!("unknown field `{field}`, there are no fields"),
        },
        Message::UnknownVariant(variant, expected) => match (format, expected.is_empty()) {
            (Format::Yaml, _) | (_, false) => {
                format!("unknown variant `{variant}`, expected {}", names(expected))
            }
            (_, true) => format!("unknown variant `{variant}`, there are no variants"),
        },
        Message::MissingField(field) => match required_field_hint(field) {
            Some(hint) => format!("missing field `{field}`; {hint}"),
            None => format!("missing field `{field}`"),
        },
    }
}

/// What a required field holds, for the fields whose valid values a
/// scorecard author has to look up (DESIGN.md 7: say what would be valid).
fn required_field_hint(field: &str) -> Option<&'static str> {
    Some(match field {
        "ragulator" => "give the format version, 1",
        "polarity" => "give one of higher_is_better, lower_is_better, range, none",
        "unit" => "give one of percent, per_10k, per_1000, count, days, ratio",
        "amber" => "give the amber tolerance: a number of units (2) or a percentage (\"5%\")",
        "against" => "give the name of the comparator to compare with (against = \"sn\"), declared in [comparators] or the indicator's comparators",
        "thresholds" => "give one threshold fewer than the ranked statuses, best first (thresholds = [90, 80] for green, amber, red)",
        "otherwise" => "give the status when no clause holds (otherwise = \"red\")",
        "when" => "give the clauses, in order: when = [{ status = \"green\", if = \"gap >= 0\" }]",
        "if" => "give the condition, an expression (if = \"gap >= 0\")",
        _ => return None,
    })
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Format::Json))
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(msg.to_string())
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::unexpected("type", unexp, exp)
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::unexpected("value", unexp, exp)
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Error::raised(
            Message::Text(format!("invalid length {len}, expected {exp}")),
            fallback(),
        )
    }

    fn missing_field(field: &'static str) -> Self {
        Error::raised(Message::MissingField(field), fallback())
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Error::raised(
            Message::UnknownField(field.to_string(), expected),
            fallback(),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Error::raised(
            Message::UnknownVariant(variant.to_string(), expected),
            fallback(),
        )
    }
}

thread_local! {
    /// Where serde-saphyr points errors that serde raises without a value at
    /// hand (a missing or unknown field, a wrong type found by a visitor):
    /// the mapping being read, then each key as it is read, or the sequence
    /// item. Set only while reading YAML.
    static FALLBACK: Cell<Option<Pos>> = const { Cell::new(None) };
}

fn fallback() -> Option<Pos> {
    FALLBACK.with(Cell::get)
}

/// Sets [`FALLBACK`] until dropped, then restores it.
struct Fallback(Option<Pos>);

impl Fallback {
    fn set(format: Format, at: Pos) -> Option<Fallback> {
        (format == Format::Yaml).then(|| Fallback(FALLBACK.with(|f| f.replace(Some(at)))))
    }
}

impl Drop for Fallback {
    fn drop(&mut self) {
        FALLBACK.with(|f| f.set(self.0));
    }
}

/// Deserialises a model type from a node, as `format`'s own deserializer would.
pub(crate) struct De<'a> {
    /// The node.
    pub node: &'a Node,
    /// The document's format.
    pub format: Format,
    /// The path to the node.
    pub path: &'a Path<'a>,
}

/// Replaces each number of `doc` that is, in `node` (the same JSON
/// document read into a tree), a float that lost digits with its numeral
/// (see `load::json_document`).
pub(crate) fn restore_numerals(doc: &mut serde_json::Value, node: &Node) {
    match (doc, &node.value) {
        (serde_json::Value::Array(items), Value::Seq(nodes)) => {
            for (item, node) in items.iter_mut().zip(nodes) {
                restore_numerals(item, node);
            }
        }
        (serde_json::Value::Object(fields), Value::Map(map)) => {
            for entry in &map.entries {
                if let Value::Str(key) = &entry.key.value {
                    if let Some(field) = fields.get_mut(key) {
                        restore_numerals(field, &entry.value);
                    }
                }
            }
        }
        (number, Value::F64(v, numeral))
            if number.is_number() && crate::model::float_loses_digits(numeral, *v) =>
        {
            *number = serde_json::Value::String(numeral.clone());
        }
        _ => {}
    }
}

/// A scalar as it is handed to a visitor.
#[derive(Clone, Copy)]
enum Scal<'a> {
    Unit,
    Bool(bool),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Str(&'a str),
}

// The visitor-generic methods below are kept small: every model type's
// visitor instantiates them, so anything that does not call the visitor
// (typing a YAML scalar, a wrong-type error) is a plain function.
impl<'a> De<'a> {
    fn mark(&self, e: Error) -> Error {
        e.mark(self.node.at, self.path)
    }

    fn with<T>(&self, r: Result<T, Error>) -> Result<T, Error> {
        r.map_err(|e| self.mark(e))
    }

    /// Hands a scalar to the visitor. Always inlined: a caller that has
    /// one kind of scalar (`deserialize_str`) then calls only that
    /// `visit_*`, and the visitor's others are not compiled (4 KiB gzipped).
    #[inline(always)]
    fn visit<'de, V: Visitor<'de>>(&self, s: Scal<'_>, visitor: V) -> Result<V::Value, Error> {
        self.with(match s {
            Scal::Unit => visitor.visit_unit(),
            Scal::Bool(b) => visitor.visit_bool(b),
            Scal::I64(n) => visitor.visit_i64(n),
            Scal::U64(n) => visitor.visit_u64(n),
            Scal::I128(n) => visitor.visit_i128(n),
            Scal::U128(n) => visitor.visit_u128(n),
            Scal::F64(n) => visitor.visit_f64(n),
            Scal::Str(s) => visitor.visit_str(s),
        })
    }

    fn seq<'de, V: Visitor<'de>>(&self, items: &'a [Node], visitor: V) -> Result<V::Value, Error> {
        let mut access = SeqAccess {
            items: items.iter(),
            index: 0,
            format: self.format,
            path: self.path,
        };
        self.with(visitor.visit_seq(&mut access))
    }

    fn map<'de, V: Visitor<'de>>(&self, map: &'a Map, visitor: V) -> Result<V::Value, Error> {
        let _fallback = Fallback::set(self.format, self.node.loc);
        let mut access = MapAccess {
            entries: map.entries.iter(),
            value: None,
            format: self.format,
            path: self.path,
            datetime: None,
            is_datetime: false,
        };
        let read = visitor.visit_map(&mut access);
        self.with(read.map_err(|e| self.at_unknown_key(e, map)))
    }

    /// An unknown field raised after the map was read (serde buffers an
    /// internally tagged enum, `rag = { rule = ... }`, then reads its
    /// variant) points at the key and has it in its path, as one found
    /// while reading the keys does.
    fn at_unknown_key(&self, mut e: Error, map: &Map) -> Error {
        let entry = match &e.0.message {
            Message::UnknownField(field, _) if e.0.path.is_none() => map
                .entries
                .iter()
                .find(|en| en.key_text() == Some(field.as_str())),
            _ => None,
        };
        match entry.and_then(|en| Some((en, en.key_text()?))) {
            Some((entry, key)) => {
                e.0.at = Some(entry.key.at);
                e.mark(entry.key.at, &Path::Key(self.path, key))
            }
            None => e,
        }
    }

    /// A TOML date or time as toml's deserializer gives it: a one-key map.
    /// Read through the same [`MapAccess`] type as mappings, so that no
    /// visitor's `visit_map` is compiled twice.
    fn datetime<'de, V: Visitor<'de>>(&self, text: &str, visitor: V) -> Result<V::Value, Error> {
        let mut access = MapAccess {
            entries: [].iter(),
            value: None,
            format: self.format,
            path: self.path,
            datetime: Some((text, self.node.at)),
            is_datetime: true,
        };
        self.with(visitor.visit_map(&mut access))
    }

    /// An externally tagged enum: a variant's name, or a one-entry mapping
    /// of a variant to its value.
    fn enum_value<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let r = match &self.node.value {
            Value::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Scalar(s) => {
                if !matches!(s.tag, Tag::None | Tag::Str) {
                    return Err(self.mark(Error::new("invalid enum variant")));
                }
                // serde-saphyr points any error in a variant name at the name.
                return visitor
                    .visit_enum(s.text.as_str().into_deserializer())
                    .map_err(|mut e: Error| {
                        e.at = Some(self.node.at);
                        self.mark(e)
                    });
            }
            Value::Map(map) => {
                let mut entries = map.entries.iter();
                match (entries.next(), entries.next(), self.format) {
                    (None, _, Format::Toml) => {
                        Err(Error::new("wanted exactly 1 element, found 0 elements"))
                    }
                    (Some(_), Some(_), Format::Toml) => {
                        Err(Error::new("wanted exactly 1 element, more than 1 element"))
                    }
                    (Some(entry), None, _) => {
                        visitor.visit_enum(EnumAccess::external(entry, self.format, self.path))
                    }
                    (_, _, Format::Yaml) => Err(Error::new(
                        "externally tagged enum expected scalar or mapping",
                    )),
                    _ => Err(Error::new("expected value")),
                }
            }
            _ => match self.format {
                Format::Toml => Err(Error::new("wanted string or table")),
                Format::Yaml => Err(Error::new(
                    "externally tagged enum expected scalar or mapping",
                )),
                Format::Json => {
                    let at = match self.node.loc {
                        Pos::Offset(o) => Pos::JsonAfter(o + 1),
                        other => other,
                    };
                    return Err(Error::new("expected value").mark(at, self.path));
                }
            },
        };
        self.with(r)
    }

    /// An internally tagged enum (`{ rule = "target", amber = 2 }`) read
    /// as its variant (the tag's value) and the variant's fields (the other
    /// entries). Anything but a mapping goes to the visitor as it is (a
    /// rule set's name to `RagSpec`, an error for the rest).
    fn tagged<'de, V: Visitor<'de>>(
        self,
        tag: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let Value::Map(map) = &self.node.value else {
            return self.any(visitor);
        };
        let _fallback = Fallback::set(self.format, self.node.loc);
        let Some(tag_entry) = map.entries.iter().find(|e| e.key_text() == Some(tag)) else {
            return Err(self.mark(<Error as de::Error>::missing_field(tag)));
        };
        let fields = Node {
            value: Value::Map(Map {
                entries: (map.entries.iter())
                    .filter(|e| !std::ptr::eq(*e, tag_entry))
                    .cloned()
                    .collect(),
            }),
            at: self.node.at,
            loc: self.node.loc,
        };
        let access = EnumAccess::internal(tag_entry, &fields, self.format, self.path);
        self.with(visitor.visit_enum(access))
    }

    /// Any value, typed as its parser (for YAML, the core schema) types it.
    fn any<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Seq(items) => self.seq(items, visitor),
            Value::Map(map) => self.map(map, visitor),
            Value::Datetime(text) => self.datetime(text, visitor),
            _ => {
                let s = self.any_scalar()?;
                self.visit(s, visitor)
            }
        }
    }

    /// A float as `deserialize_any` hands it over: as the numeral written
    /// when the f64 lost some of its digits (every visitor that takes a
    /// float here reads a decimal, and one read from the text is exact, or
    /// refused for having more digits than a decimal holds), else the f64.
    fn float(&self, v: f64) -> Scal<'a> {
        let text = match &self.node.value {
            Value::F64(_, text) => text.as_str(),
            Value::Scalar(s) => yaml_trim(&s.text),
            _ => "",
        };
        if crate::model::float_loses_digits(text, v) {
            Scal::Str(text)
        } else {
            Scal::F64(v)
        }
    }

    /// A scalar node as `deserialize_any` hands it over.
    fn any_scalar(&self) -> Result<Scal<'a>, Error> {
        Ok(match &self.node.value {
            Value::Null => Scal::Unit,
            Value::Bool(b) => Scal::Bool(*b),
            Value::I64(n) => Scal::I64(*n),
            Value::U64(n) => Scal::U64(*n),
            Value::I128(n) => Scal::I128(*n),
            Value::U128(n) => Scal::U128(*n),
            Value::F64(n, _) => self.float(*n),
            Value::Str(s) => Scal::Str(s),
            Value::Scalar(s) => return self.yaml_any(s),
            Value::Invalid(m) => return Err(self.mark(Error::new(*m))),
            Value::Datetime(_) | Value::Seq(_) | Value::Map(_) => {
                return Err(self.mark(Error::new("expected a scalar")))
            }
        })
    }

    /// The error a visitor gives for a value of a kind it does not take
    /// (serde's default `visit_*`), without instantiating every `visit_*`.
    fn wrong(&self, exp: &dyn de::Expected) -> Error {
        let described;
        let unexpected = match &self.node.value {
            Value::Null => de::Unexpected::Unit,
            Value::Bool(b) => de::Unexpected::Bool(*b),
            Value::I64(n) => de::Unexpected::Signed(*n),
            Value::U64(n) => de::Unexpected::Unsigned(*n),
            Value::I128(n) => {
                described = format!("integer `{n}` as i128");
                de::Unexpected::Other(&described)
            }
            Value::U128(n) => {
                described = format!("integer `{n}` as u128");
                de::Unexpected::Other(&described)
            }
            Value::F64(n, _) => de::Unexpected::Float(*n),
            Value::Str(s) => de::Unexpected::Str(s),
            Value::Scalar(s) => de::Unexpected::Str(&s.text),
            Value::Invalid(m) => return self.mark(Error::new(*m)),
            // A TOML date without quotes (`from = 2022-04-01`): say so, not "map".
            Value::Datetime(text) => {
                described = format!("date `{text}` (a TOML date, not text)");
                de::Unexpected::Other(&described)
            }
            Value::Map(_) => de::Unexpected::Map,
            Value::Seq(_) => de::Unexpected::Seq,
        };
        self.mark(<Error as de::Error>::invalid_type(unexpected, exp))
    }

    fn scalar(&self) -> Option<&'a Scalar> {
        match &self.node.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// serde-saphyr's error for a container where a scalar was wanted, or
    /// the other way round.
    fn yaml_expected(&self, what: &str) -> Error {
        self.mark(Error::new(format!("expected {what}")))
    }

    fn yaml_text(&self) -> Result<&'a Scalar, Error> {
        self.scalar()
            .ok_or_else(|| self.yaml_expected("string scalar"))
    }

    /// A YAML scalar read by `deserialize_any`: null, then a tag's type, then
    /// (plain only) boolean, integer, float, else text.
    fn yaml_any(&self, s: &'a Scalar) -> Result<Scal<'a>, Error> {
        match s.tag {
            Tag::Null => return Ok(Scal::Unit),
            Tag::Bool => return self.yaml_bool().map(Scal::Bool),
            Tag::Int if yaml_trim(&s.text).starts_with('-') => return self.yaml_integer("i64"),
            Tag::Int => return self.yaml_integer("u64"),
            Tag::Float => {
                return float_incl_overflow(&s.text, true)
                    .map(|v| self.float(v))
                    .ok_or_else(|| self.mark(Error::new("invalid floating point")))
            }
            _ => {}
        }
        if is_null(s) {
            return Ok(Scal::Unit);
        }
        if !s.plain || s.tag != Tag::None {
            if s.tag == Tag::NotText {
                return Err(self.mark(Error::new("cannot deserialize tagged scalar into string")));
            }
            return Ok(Scal::Str(&s.text));
        }
        if let Some(b) = yaml11_bool(&s.text) {
            return Ok(Scal::Bool(b));
        }
        let t = yaml_trim(&s.text);
        let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
        let uppercase_radix = matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]);
        let signed_nan = t
            .strip_prefix(['+', '-'])
            .is_some_and(|u| matches!(u, ".nan" | ".NaN" | ".NAN"));
        if uppercase_radix || signed_nan {
            return Ok(Scal::Str(&s.text));
        }
        if t.starts_with('-') {
            if !leading_zero_decimal(t) {
                if let Some(v) = parse_int(t).and_then(|v| i64::try_from(v).ok()) {
                    return Ok(Scal::I64(v));
                }
            }
        } else if let Some(v) = parse_uint(t).and_then(|v| u64::try_from(v).ok()) {
            return Ok(Scal::U64(v));
        }
        if let Some(v) = float_incl_overflow(&s.text, false) {
            return Ok(self.float(v));
        }
        Ok(Scal::Str(&s.text))
    }

    fn yaml_bool(&self) -> Result<bool, Error> {
        let s = self.yaml_text()?;
        if !matches!(s.tag, Tag::None | Tag::Bool | Tag::Str) {
            return Err(self.mark(Error::new("invalid boolean")));
        }
        yaml11_bool(&s.text).ok_or_else(|| self.mark(Error::new("invalid boolean")))
    }

    /// A YAML scalar read as the integer type `ty` (`u32`, `i64`, ...).
    fn yaml_integer(&self, ty: &'static str) -> Result<Scal<'a>, Error> {
        let s = self.yaml_text()?;
        let invalid = || self.mark(Error::new(format!("invalid {ty}")));
        if !matches!(s.tag, Tag::None | Tag::Int | Tag::Str) {
            return Err(invalid());
        }
        let t = yaml_trim(&s.text);
        if ty.starts_with('u') {
            let max: u128 = match ty {
                "u8" => u8::MAX.into(),
                "u16" => u16::MAX.into(),
                "u32" => u32::MAX.into(),
                "u64" => u64::MAX.into(),
                _ => u128::MAX,
            };
            let v = parse_uint(t).filter(|&v| v <= max).ok_or_else(invalid)?;
            return Ok(u64::try_from(v).map_or(Scal::U128(v), Scal::U64));
        }
        let (min, max): (i128, i128) = match ty {
            "i8" => (i8::MIN.into(), i8::MAX.into()),
            "i16" => (i16::MIN.into(), i16::MAX.into()),
            "i32" => (i32::MIN.into(), i32::MAX.into()),
            "i64" => (i64::MIN.into(), i64::MAX.into()),
            _ => (i128::MIN, i128::MAX),
        };
        let v = parse_int(t)
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(invalid)?;
        Ok(i64::try_from(v).map_or(Scal::I128(v), Scal::I64))
    }

    fn yaml_float(&self) -> Result<f64, Error> {
        let s = self.yaml_text()?;
        let invalid = || self.mark(Error::new("invalid floating point"));
        if !matches!(s.tag, Tag::None | Tag::Float | Tag::Str) {
            return Err(invalid());
        }
        yaml12_float(yaml_trim(&s.text), s.tag == Tag::Float).ok_or_else(invalid)
    }

    fn yaml_str(&self) -> Result<&'a str, Error> {
        let s = self.yaml_text()?;
        if (s.tag == Tag::Null || (s.plain && is_nullish(&s.text))) && s.tag != Tag::Str {
            return Err(self.mark(Error::new("null is not allowed here")));
        }
        if !matches!(s.tag, Tag::None | Tag::Str) {
            return Err(self.mark(Error::new("cannot deserialize tagged scalar into string")));
        }
        Ok(&s.text)
    }

    /// An integer for a visitor of integer type `ty`.
    fn integer<'de, V: Visitor<'de>>(
        self,
        ty: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let s = match (&self.node.value, self.format) {
            (_, Format::Yaml) => self.yaml_integer(ty)?,
            (Value::I64(n), _) => Scal::I64(*n),
            (Value::U64(n), _) => Scal::U64(*n),
            (Value::I128(n), _) => Scal::I128(*n),
            (Value::U128(n), _) => Scal::U128(*n),
            _ => return Err(self.wrong(&visitor)),
        };
        self.visit(s, visitor)
    }
}

macro_rules! integer_methods {
    ($($m:ident => $name:literal),*) => {$(
        fn $m<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.integer($name, visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for De<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.any(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let b = match (&self.node.value, self.format) {
            (_, Format::Yaml) => self.yaml_bool()?,
            (Value::Bool(b), _) => *b,
            _ => return Err(self.wrong(&visitor)),
        };
        self.visit(Scal::Bool(b), visitor)
    }

    integer_methods!(deserialize_i8 => "i8", deserialize_i16 => "i16", deserialize_i32 => "i32",
        deserialize_i64 => "i64", deserialize_i128 => "i128", deserialize_u8 => "u8",
        deserialize_u16 => "u16", deserialize_u32 => "u32", deserialize_u64 => "u64",
        deserialize_u128 => "u128");

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let s = match (&self.node.value, self.format) {
            (_, Format::Yaml) => Scal::F64(self.yaml_float()?),
            (Value::F64(n, _), _) => Scal::F64(*n),
            (Value::I64(n), _) => Scal::I64(*n),
            (Value::U64(n), _) => Scal::U64(*n),
            (Value::I128(n), _) => Scal::I128(*n),
            (Value::U128(n), _) => Scal::U128(*n),
            _ => return Err(self.wrong(&visitor)),
        };
        self.visit(s, visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let s = match (&self.node.value, self.format) {
            (_, Format::Yaml) => self.yaml_str()?,
            (Value::Str(s), _) => s,
            _ => return Err(self.wrong(&visitor)),
        };
        self.visit(Scal::Str(s), visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.any(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let none = match (&self.node.value, self.format) {
            // TOML has no null: a present value is always `Some`.
            (_, Format::Toml) => false,
            (Value::Null, _) => true,
            (Value::Scalar(s), Format::Yaml) => is_null(s),
            _ => false,
        };
        if none {
            self.with(visitor.visit_none())
        } else {
            let (at, path) = (self.node.at, self.path);
            visitor.visit_some(self).map_err(|e| e.mark(at, path))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match (&self.node.value, self.format) {
            (Value::Scalar(s), Format::Yaml) if is_null(s) => self.visit(Scal::Unit, visitor),
            (_, Format::Yaml) => Err(self.mark(Error::new("unexpected value for unit"))),
            (Value::Null, _) => self.visit(Scal::Unit, visitor),
            _ => Err(self.wrong(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (at, path) = (self.node.at, self.path);
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| e.mark(at, path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match (&self.node.value, self.format) {
            (Value::Seq(items), _) => self.seq(items, visitor),
            (_, Format::Yaml) => Err(self.yaml_expected("sequence start")),
            _ => Err(self.wrong(&visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match (&self.node.value, self.format) {
            (Value::Map(map), _) => self.map(map, visitor),
            (_, Format::Yaml) => Err(self.yaml_expected("mapping start")),
            (Value::Datetime(text), _) => self.datetime(text, visitor),
            _ => Err(self.wrong(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Only as a mapping: serde's structs can also be read from a list of
        // their fields in order (toml and serde_json offer it), which no
        // scorecard author means, whose errors would name positions rather
        // than keys, and whose code is 4.5 KiB of the WebAssembly package.
        self.deserialize_map(visitor)
    }

    // Always inlined: the enum's name is a constant at each call, so an
    // enum that is not internally tagged compiles no tagged reading.
    #[inline(always)]
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if let Some(tag) = tag_of(name) {
            return self.tagged(tag, visitor);
        }
        self.enum_value(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.visit(Scal::Unit, visitor)
    }
}

/// The path to a mapping entry's key or value. Not inlined: every
/// seed type's `next_key_seed` and `next_value_seed` calls it.
#[inline(never)]
fn key_path<'a>(parent: &'a Path<'a>, entry: &'a Entry) -> Path<'a> {
    match entry.key_text() {
        Some(k) => Path::Key(parent, k),
        None => Path::Unknown(parent),
    }
}

struct SeqAccess<'a> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
    format: Format,
    path: &'a Path<'a>,
}

impl<'a> SeqAccess<'a> {
    /// The next item, its path, and (YAML) where serde's errors point while
    /// it is read. Not inlined: every seed type's `next_element_seed` calls it.
    #[inline(never)]
    fn next_item(&mut self) -> Option<(&'a Node, Path<'a>, Option<Fallback>)> {
        let node = self.items.next()?;
        let path = Path::Index(self.path, self.index);
        self.index += 1;
        Some((node, path, Fallback::set(self.format, node.loc)))
    }
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((node, path, _fallback)) = self.next_item() else {
            return Ok(None);
        };
        seed.deserialize(De {
            node,
            format: self.format,
            path: &path,
        })
        .map(Some)
        .map_err(|e| e.mark(node.at, &path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'a> {
    entries: std::slice::Iter<'a, Entry>,
    value: Option<&'a Entry>,
    format: Format,
    path: &'a Path<'a>,
    /// A TOML date or time's text, read as the one entry
    /// `$__toml_private_datetime` (as toml's deserializer gives it) until
    /// its value is read, and where it was written; the entries are empty
    /// then.
    datetime: Option<(&'a str, Pos)>,
    /// Whether this is a date or time's map (which gives no size hint).
    is_datetime: bool,
}

impl MapAccess<'_> {
    /// A date's key or value, read as text written where the date is
    /// (through [`De`], so that no type is compiled for a second
    /// deserializer for dates alone).
    fn datetime_part<'de, S: DeserializeSeed<'de>>(
        &self,
        text: &str,
        at: Pos,
        seed: S,
    ) -> Result<S::Value, Error> {
        let node = Node {
            value: Value::Str(text.to_string()),
            at,
            loc: at,
        };
        seed.deserialize(De {
            node: &node,
            format: self.format,
            path: self.path,
        })
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if let Some((_, at)) = self.datetime {
            return self
                .datetime_part("$__toml_private_datetime", at, seed)
                .map(Some);
        }
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(entry);
        if self.format == Format::Yaml {
            FALLBACK.with(|f| f.set(Some(entry.key.at)));
        }
        let path = key_path(self.path, entry);
        seed.deserialize(De {
            node: &entry.key,
            format: self.format,
            path: &path,
        })
        .map(Some)
        .map_err(|e| e.mark(entry.key.at, &path))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        if let Some((text, at)) = self.datetime.take() {
            return self.datetime_part(text, at, seed);
        }
        let Some(entry) = self.value.take() else {
            return Err(Error::new("value requested before key"));
        };
        let path = key_path(self.path, entry);
        seed.deserialize(De {
            node: &entry.value,
            format: self.format,
            path: &path,
        })
        .map_err(|e| e.mark(entry.value.at, &path))
    }

    fn size_hint(&self) -> Option<usize> {
        // toml's date map gives none.
        (!self.is_datetime).then_some(self.entries.len())
    }
}

/// The model's internally tagged enums, by name, with their tag's key.
/// Their `Deserialize` is derived externally tagged (`{ target = { amber
/// = 2 } }`), and [`De::tagged`] reads the written form (`{ rule =
/// "target", amber = 2 }`) as that. serde's own internally tagged derive
/// buffers the mapping first, which compiled every variant's fields a
/// second time for its buffer (about 7 KiB of the gzipped WebAssembly package)
/// and lost where an error inside was written.
pub(crate) const INTERNALLY_TAGGED: &[(&str, &str)] =
    &[("BuiltinRule", "rule"), ("MeasureSpec", "kind")];

/// The tag's key of one of [`INTERNALLY_TAGGED`], by the enum's name.
fn tag_of(name: &str) -> Option<&'static str> {
    INTERNALLY_TAGGED
        .iter()
        .find(|&&(enum_name, _)| enum_name == name)
        .map(|&(_, tag)| tag)
}

/// Whether a diagnostic's path ends at an internally tagged mapping's tag
/// (`indicator[0].rag.rule`): the variant there decides which fields the
/// rest of the mapping may have.
pub(crate) fn is_tag_path(path: &str) -> bool {
    let key = path.rsplit_once('.').map_or(path, |(_, key)| key);
    INTERNALLY_TAGGED.iter().any(|&(_, tag)| tag == key)
}

/// An enum as a variant's name and its value: a one-entry mapping
/// (`{ higher = ... }`, externally tagged) or an internally tagged mapping
/// (the tag's value names the variant, the other entries are its fields).
struct EnumAccess<'a> {
    name: &'a Node,
    name_path: Path<'a>,
    value: VariantAccess<'a>,
}

impl<'a> EnumAccess<'a> {
    /// `{ variant = value }`.
    fn external(entry: &'a Entry, format: Format, path: &'a Path<'a>) -> EnumAccess<'a> {
        let entry_path = key_path(path, entry);
        EnumAccess {
            name: &entry.key,
            name_path: entry_path,
            value: VariantAccess {
                node: &entry.value,
                format,
                path: entry_path,
            },
        }
    }

    /// `{ tag = variant, ...fields }`, the fields without the tag.
    fn internal(tag: &'a Entry, fields: &'a Node, format: Format, path: &'a Path<'a>) -> Self {
        if format == Format::Yaml {
            FALLBACK.with(|f| f.set(Some(tag.key.at)));
        }
        EnumAccess {
            name: &tag.value,
            name_path: key_path(path, tag),
            value: VariantAccess {
                node: fields,
                format,
                path: *path,
            },
        }
    }
}

impl<'de, 'a> de::EnumAccess<'de> for EnumAccess<'a> {
    type Error = Error;
    type Variant = VariantAccess<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let variant = seed
            .deserialize(De {
                node: self.name,
                format: self.value.format,
                path: &self.name_path,
            })
            .map_err(|e| e.mark(self.name.at, &self.name_path))?;
        Ok((variant, self.value))
    }
}

/// A variant's value and its path.
struct VariantAccess<'a> {
    node: &'a Node,
    format: Format,
    path: Path<'a>,
}

impl VariantAccess<'_> {
    fn de<R>(&self, f: impl FnOnce(De<'_>) -> Result<R, Error>) -> Result<R, Error> {
        f(De {
            node: self.node,
            format: self.format,
            path: &self.path,
        })
        .map_err(|e| e.mark(self.node.at, &self.path))
    }
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        self.de(|d| <() as de::Deserialize>::deserialize(d))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        self.de(|d| seed.deserialize(d))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.de(|d| de::Deserializer::deserialize_seq(d, visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.de(|d| de::Deserializer::deserialize_map(d, visitor))
    }
}

// --- YAML scalars, as serde-saphyr reads them ------------------------------

fn yaml_trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

/// Plain `~`, `null`, empty: null-like text.
fn is_nullish(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A null scalar: tagged `!!null`, or untagged plain null-like text.
pub(crate) fn is_null(s: &Scalar) -> bool {
    s.tag == Tag::Null || (matches!(s.tag, Tag::None) && s.plain && is_nullish(&s.text))
}

/// YAML 1.1 booleans (serde-saphyr's default): true/yes/y/on, false/no/n/off.
fn yaml11_bool(s: &str) -> Option<bool> {
    let t = yaml_trim(s);
    let is = |w: &str| t.eq_ignore_ascii_case(w);
    if is("true") || is("yes") || is("y") || is("on") {
        Some(true)
    } else if is("false") || is("no") || is("n") || is("off") {
        Some(false)
    } else {
        None
    }
}

fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Digits with single underscores between them, in a radix.
fn digits(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut saw = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let ok = i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !ok {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(value)
}

/// The radix and digits of an unsigned integer's text (`0x`, `0o`, `0b`).
fn radix(rest: &str) -> (u32, &str) {
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(r) = rest.strip_prefix(prefix) {
            return (radix, r);
        }
    }
    (10, rest)
}

fn parse_uint(t: &str) -> Option<u128> {
    if t.starts_with('-') {
        return None;
    }
    let rest = t.strip_prefix('+').unwrap_or(t);
    let (radix, ds) = radix(rest);
    if radix == 10 && ds.starts_with('0') && ds != "0" {
        return None;
    }
    digits(ds, radix)
}

fn parse_int(t: &str) -> Option<i128> {
    let (neg, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        },
    };
    let (radix, ds) = radix(rest);
    if radix == 10 && ds.starts_with('0') && ds != "0" {
        return None;
    }
    let magnitude = digits(ds, radix)?;
    if neg {
        if magnitude == i128::MAX as u128 + 1 {
            Some(i128::MIN)
        } else {
            i128::try_from(magnitude).ok()?.checked_neg()
        }
    } else {
        i128::try_from(magnitude).ok()
    }
}

/// A YAML 1.2 float: `.inf`, `-.inf`, `.nan`, or a finite number Rust reads.
fn yaml12_float(t: &str, tagged: bool) -> Option<f64> {
    if tagged {
        if let Some(u) = t.strip_prefix(['+', '-']) {
            if matches!(u, ".nan" | ".NaN" | ".NAN") {
                let sign = if t.starts_with('-') { -1.0 } else { 1.0 };
                return Some(f64::NAN.copysign(sign));
            }
        }
    }
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// As [`yaml12_float`], also taking a numeral too big for f64 as infinite
/// (what `deserialize_any` does).
fn float_incl_overflow(text: &str, tagged: bool) -> Option<f64> {
    let t = yaml_trim(text);
    if let Some(v) = yaml12_float(t, tagged) {
        return Some(v);
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_infinite())
}

/// A whole number as a format's tree holds it: a plain scalar in YAML.
pub(crate) fn whole_number(n: i64, yaml: bool) -> Value {
    match yaml {
        true => Value::Scalar(Scalar {
            text: n.to_string(),
            plain: true,
            tag: Tag::None,
        }),
        false => Value::I64(n),
    }
}

/// Text as a format's tree holds it: a quoted scalar in YAML, else a string.
fn text(t: &str, yaml: bool) -> Value {
    match yaml {
        true => Value::Scalar(Scalar {
            text: t.to_string(),
            plain: false,
            tag: Tag::None,
        }),
        false => Value::Str(t.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn control_characters_are_escaped_as_escape_debug_writes_them() {
        for c in (0u32..0x200)
            .chain([0x2028, 0x2029])
            .filter_map(char::from_u32)
        {
            let expected = if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            };
            assert_eq!(escape_controls(&c.to_string()), expected, "{:x}", c as u32);
        }
        assert_eq!(escape_controls("a\nb\u{1b}c é"), "a\\nb\\u{1b}c é");
    }
}

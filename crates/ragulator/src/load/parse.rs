//! Each format's parser to a [`Node`] tree, with the positions that format's
//! diagnostics use (see [`super::tree`]).
//!
//! Syntax errors are the parsers' own: toml's, serde_json's, and for YAML
//! granit-parser's (the parser serde-saphyr is built on, configured as
//! serde-saphyr configures it), each with the path to where it occurred.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::tree::{Entry, Map, Node, Path, Pos, Scalar, Tag, Value};

/// A syntax error: message, where, and the path to the value being read.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    /// The parser's message.
    pub message: String,
    /// The 1-based line and column, when the parser gives one.
    pub line_col: Option<(usize, usize)>,
    /// The path to the value being read.
    pub path: String,
}

// --- TOML ------------------------------------------------------------------

/// A TOML document (toml's own `DeTable` parser); errors as toml gives them.
pub(crate) fn toml(text: &str) -> Result<Node, toml::de::Error> {
    let root = toml::de::DeTable::parse(text)?;
    let span = root.span();
    Ok(toml_table(root.get_ref(), span.start))
}

fn toml_table(table: &toml::de::DeTable<'_>, start: usize) -> Node {
    let entries = table
        .iter()
        .map(|(key, value)| {
            let key_at = Pos::Offset(key.span().start);
            Entry {
                key: Node {
                    value: Value::Str(key.get_ref().to_string()),
                    at: key_at,
                    loc: key_at,
                },
                value: toml_value(value.get_ref(), value.span().start),
                key_loc: key_at,
            }
        })
        .collect();
    let at = Pos::Offset(start);
    Node {
        value: Value::Map(Map { entries }),
        at,
        loc: at,
    }
}

fn toml_value(value: &toml::de::DeValue<'_>, start: usize) -> Node {
    use toml::de::DeValue;
    let at = Pos::Offset(start);
    let value = match value {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => {
            let (text, radix) = (i.as_str(), i.radix());
            if let Ok(n) = i64::from_str_radix(text, radix) {
                Value::I64(n)
            } else if let Ok(n) = u64::from_str_radix(text, radix) {
                Value::U64(n)
            } else if let Ok(n) = i128::from_str_radix(text, radix) {
                Value::I128(n)
            } else if let Ok(n) = u128::from_str_radix(text, radix) {
                Value::U128(n)
            } else {
                Value::Invalid("integer number overflowed")
            }
        }
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            // As toml: a number too big for f64 is an error, `inf` is not.
            Ok(v) if !v.is_infinite() || f.as_str().contains("inf") => {
                Value::F64(v, f.as_str().to_string())
            }
            _ => Value::Invalid("floating-point number overflowed"),
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::Seq(
            items
                .iter()
                .map(|item| toml_value(item.get_ref(), item.span().start))
                .collect(),
        ),
        DeValue::Table(t) => return toml_table(t, start),
    };
    Node { value, at, loc: at }
}

// --- JSON ------------------------------------------------------------------

/// A JSON document (serde_json), then the position of every value.
pub(crate) fn json(text: &str) -> Result<Node, SyntaxError> {
    let failed_at = RefCell::new(None);
    // Read as bytes, as JSON data is: one copy of serde_json's parser in
    // the WebAssembly package, not one per reader type.
    let mut de = serde_json::Deserializer::from_slice(text.as_bytes());
    let root = JsonSeed {
        path: &Path::Root,
        failed_at: &failed_at,
    }
    .deserialize(&mut de)
    .and_then(|node| de.end().map(|()| node));
    match root {
        Ok(mut node) => {
            json_positions(&mut node, text.as_bytes(), 0);
            Ok(node)
        }
        Err(e) => Err(SyntaxError {
            message: e.to_string(),
            line_col: Some((e.line(), e.column())),
            path: failed_at.into_inner().unwrap_or_default(),
        }),
    }
}

/// Builds one JSON value; records the path of the innermost value that failed.
#[derive(Clone, Copy)]
struct JsonSeed<'a> {
    path: &'a Path<'a>,
    failed_at: &'a RefCell<Option<String>>,
}

impl JsonSeed<'_> {
    fn failed(&self, path: &Path<'_>) {
        let mut slot = self.failed_at.borrow_mut();
        if slot.is_none() {
            *slot = Some(path.display());
        }
    }
}

fn json_node(value: Value) -> Node {
    // Positions are set by `json_positions` once the document is known to be valid.
    Node {
        value,
        at: Pos::Offset(0),
        loc: Pos::Offset(0),
    }
}

impl<'de> DeserializeSeed<'de> for JsonSeed<'_> {
    type Value = Node;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
            .inspect_err(|_| self.failed(self.path))
    }
}

impl<'de> Visitor<'de> for JsonSeed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(json_node(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(json_node(Value::I64(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(json_node(Value::U64(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        // The numeral is read from the text with the positions.
        Ok(json_node(Value::F64(v, String::new())))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(json_node(Value::Str(v.to_string())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(json_node(Value::Str(v)))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(json_node(Value::Null))
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(json_node(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        loop {
            let path = Path::Index(self.path, items.len());
            let seed = JsonSeed {
                path: &path,
                failed_at: self.failed_at,
            };
            match seq.next_element_seed(seed) {
                Ok(Some(node)) => items.push(node),
                Ok(None) => break,
                Err(e) => {
                    self.failed(self.path);
                    return Err(e);
                }
            }
        }
        Ok(json_node(Value::Seq(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        // serde_json keeps the last of duplicate keys; TOML and YAML reject
        // them, and so does this, so no value is silently replaced.
        let mut seen = std::collections::HashSet::new();
        loop {
            let key: Option<String> = map.next_key().inspect_err(|_| self.failed(self.path))?;
            let Some(key) = key else { break };
            if !seen.insert(key.clone()) {
                self.failed(&Path::Key(self.path, &key));
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let value = {
                let path = Path::Key(self.path, &key);
                let seed = JsonSeed {
                    path: &path,
                    failed_at: self.failed_at,
                };
                map.next_value_seed(seed)
                    .inspect_err(|_| self.failed(self.path))?
            };
            entries.push(Entry {
                key: json_node(Value::Str(key)),
                value,
                key_loc: Pos::Offset(0),
            });
        }
        Ok(json_node(Value::Map(Map { entries })))
    }
}

/// Sets the positions of a valid JSON document's values, walking its text
/// alongside the tree serde_json built (entries are in document order).
/// Returns the offset after the value that starts at or after `i`.
fn json_positions(node: &mut Node, b: &[u8], i: usize) -> usize {
    fn skip_ws(b: &[u8], mut i: usize) -> usize {
        while b
            .get(i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            i += 1;
        }
        i
    }
    fn string_end(b: &[u8], mut i: usize) -> usize {
        i += 1; // the opening quote
        while let Some(&c) = b.get(i) {
            match c {
                b'\\' => i += 2,
                b'"' => return i + 1,
                _ => i += 1,
            }
        }
        i
    }
    let start = skip_ws(b, i);
    node.loc = Pos::Offset(start);
    let end = match &mut node.value {
        Value::Map(map) => {
            let mut j = skip_ws(b, start + 1);
            for entry in &mut map.entries {
                let key_end = string_end(b, j);
                entry.key.at = Pos::JsonAfter(key_end);
                entry.key.loc = Pos::Offset(j);
                entry.key_loc = Pos::Offset(j);
                j = skip_ws(b, key_end) + 1; // the colon
                j = skip_ws(b, json_positions(&mut entry.value, b, j));
                if b.get(j) == Some(&b',') {
                    j = skip_ws(b, j + 1);
                }
            }
            j + 1
        }
        Value::Seq(items) => {
            let mut j = skip_ws(b, start + 1);
            for item in items.iter_mut() {
                j = skip_ws(b, json_positions(item, b, j));
                if b.get(j) == Some(&b',') {
                    j = skip_ws(b, j + 1);
                }
            }
            j + 1
        }
        Value::Str(_) => string_end(b, start),
        _ => {
            let mut j = start;
            while b
                .get(j)
                .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                j += 1;
            }
            if let Value::F64(_, numeral) = &mut node.value {
                // Digits and signs only (JSON's grammar): ASCII.
                *numeral = b
                    .get(start..j)
                    .and_then(|n| std::str::from_utf8(n).ok())
                    .unwrap_or("")
                    .to_string();
            }
            j
        }
    };
    node.at = Pos::JsonAfter(end);
    end
}

// --- JSON data -------------------------------------------------------------

/// A JSON data document (observations, overrides, case records) as a
/// `serde_json::Value`, with a key given twice in one object refused:
/// serde_json would keep the last, so `{"entity": "east", "entity": "west"}`
/// would apply a judgement to west silently. The error is serde_json's, with
/// its line and column.
pub(crate) fn json_data(bytes: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = UniqueKeys.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Builds a `serde_json::Value` as serde_json's own visitor does, checking
/// each object's keys.
struct UniqueKeys;

impl<'de> DeserializeSeed<'de> for UniqueKeys {
    type Value = serde_json::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        // JSON has no NaN or infinity, so every number read has a Number.
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(UniqueKeys)? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "key `{key}` given twice in one object; keep one, so that no value is ignored,"
                )));
            }
            let value = map.next_value_seed(UniqueKeys)?;
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

// --- YAML ------------------------------------------------------------------

/// serde-saphyr's default limits, which it enforces while reading.
const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 250_000;

/// A YAML document (granit-parser events), as serde-saphyr reads it with its
/// default options: one document, anchors and aliases, `<<` merge keys,
/// duplicate keys rejected.
pub(crate) fn yaml(text: &str) -> Result<Node, SyntaxError> {
    use granit_parser::{Event, Options, Parser};
    let mut options = Options::default();
    options.set_emit_comments(false);
    let mut y = Yaml {
        parser: Parser::new_from_str_with_options(text, options),
        anchors: Vec::new(),
        nodes: 0,
        last: Pos::LineCol(1, 1),
    };
    let root = Path::Root;
    let mut document = None;
    loop {
        let (event, at) = y.next(&root)?;
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart(..) if document.is_some() => {
                return Err(y.error(
                    "only single YAML document expected but multiple found",
                    at,
                    &root,
                ));
            }
            Event::DocumentStart(..) => {
                let (event, at) = y.next(&root)?;
                document = Some(y.node(event, at, &root, 0, false)?);
            }
            _ => {}
        }
    }
    // No document at all: serde-saphyr reads a null, which no scorecard is.
    document.ok_or_else(|| y.error("unexpected end of file", y.last, &root))
}

struct Yaml<'t> {
    parser: granit_parser::Parser<'t, granit_parser::StrInput<'t>>,
    anchors: Vec<Option<Node>>,
    nodes: usize,
    last: Pos,
}

impl<'t> Yaml<'t> {
    fn error(&self, message: &str, at: Pos, path: &Path<'_>) -> SyntaxError {
        SyntaxError {
            message: message.to_string(),
            line_col: match at {
                Pos::LineCol(l, c) => Some((l, c)),
                _ => None,
            },
            path: path.display(),
        }
    }

    /// The next event and where it starts; a scan error at `path`.
    fn next(&mut self, path: &Path<'_>) -> Result<(granit_parser::Event<'t>, Pos), SyntaxError> {
        match self.parser.next_event() {
            Some(Ok((event, span))) => {
                let at = Pos::LineCol(span.start.line(), span.start.col() + 1);
                self.last = at;
                Ok((event, at))
            }
            Some(Err(e)) => {
                let m = e.marker();
                Err(SyntaxError {
                    message: e.info(),
                    line_col: Some((m.line(), m.col() + 1)),
                    path: path.display(),
                })
            }
            None => Err(self.error("unexpected end of file", self.last, path)),
        }
    }

    fn count(&mut self, at: Pos, path: &Path<'_>) -> Result<(), SyntaxError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.error(
                &format!("YAML document too large or too complex: limits breached: Nodes {{ nodes: {} }}", self.nodes),
                at,
                path,
            ));
        }
        Ok(())
    }

    fn anchor(&mut self, id: usize, node: &Node) {
        if id == 0 {
            return;
        }
        if self.anchors.len() <= id {
            self.anchors.resize(id + 1, None);
        }
        self.anchors[id] = Some(node.clone());
    }

    /// The node that starts with `event`. Syntax errors get the path of the
    /// value being read when they occur, as serde-saphyr streaming into the
    /// model would: it reads a key, and the first event of its value, while
    /// at the mapping (so a key's whole node, `in_key`, is at the mapping).
    fn node(
        &mut self,
        event: granit_parser::Event<'t>,
        at: Pos,
        path: &Path<'_>,
        depth: usize,
        in_key: bool,
    ) -> Result<Node, SyntaxError> {
        use granit_parser::{Event, ScalarStyle};
        self.count(at, path)?;
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        plain: matches!(style, ScalarStyle::Plain),
                        tag: tag.as_deref().map_or(Tag::None, tag_of),
                    }),
                    at,
                    loc: at,
                };
                self.anchor(anchor, &node);
                Ok(node)
            }
            Event::Alias(id) => {
                let Some(Some(node)) = self.anchors.get(id) else {
                    return Err(self.error("reference to unknown value", at, path));
                };
                let mut node = node.clone();
                self.nodes += count_nodes(&node);
                self.count(at, path)?;
                // Where the alias is used, for semantic diagnostics.
                node.loc = at;
                Ok(node)
            }
            Event::SequenceStart(_, anchor, _) => {
                self.depth(depth, at, path)?;
                let mut items = Vec::new();
                loop {
                    let (event, item_at) = self.next(path)?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let item_path = match in_key {
                        true => *path,
                        false => Path::Index(path, items.len()),
                    };
                    items.push(self.node(event, item_at, &item_path, depth + 1, in_key)?);
                }
                let node = Node {
                    value: Value::Seq(items),
                    at,
                    loc: at,
                };
                self.anchor(anchor, &node);
                Ok(node)
            }
            Event::MappingStart(_, anchor, _) => {
                self.depth(depth, at, path)?;
                let mut entries: Vec<Entry> = Vec::new();
                let mut merged: Vec<Entry> = Vec::new();
                loop {
                    let (event, key_at) = self.next(path)?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = self.node(event, key_at, path, depth + 1, true)?;
                    let key_text = match &key.value {
                        Value::Scalar(s) => Some(s.text.clone()),
                        _ => None,
                    };
                    let value = {
                        let (event, value_at) = self.next(path)?;
                        let value_path = match (&key_text, in_key) {
                            (_, true) => *path,
                            (Some(k), false) => Path::Key(path, k),
                            (None, false) => Path::Unknown(path),
                        };
                        self.node(event, value_at, &value_path, depth + 1, in_key)?
                    };
                    if is_merge_key(&key) {
                        merge(&mut merged, &value).map_err(|m| self.error(m, value.at, path))?;
                        continue;
                    }
                    if let Some(k) = &key_text {
                        if entries.iter().any(|e| e.key_text() == Some(k)) {
                            return Err(self.error(
                                &format!("duplicate mapping key `{k}` is not allowed here"),
                                key.at,
                                path,
                            ));
                        }
                    }
                    let key_loc = key.at;
                    entries.push(Entry {
                        key,
                        value,
                        key_loc,
                    });
                }
                // Keys written in the mapping win over merged ones.
                for entry in merged {
                    let k = entry.key_text();
                    if k.is_none() || !entries.iter().any(|e| e.key_text() == k) {
                        entries.push(entry);
                    }
                }
                let node = Node {
                    value: Value::Map(Map { entries }),
                    at,
                    loc: at,
                };
                self.anchor(anchor, &node);
                Ok(node)
            }
            _ => Err(self.error("unexpected event", at, path)),
        }
    }

    fn depth(&self, depth: usize, at: Pos, path: &Path<'_>) -> Result<(), SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(
                &format!(
                    "YAML document too large or too complex: limits breached: Depth {{ depth: {}, max_depth: {MAX_DEPTH} }}",
                    depth + 1
                ),
                at,
                path,
            ));
        }
        Ok(())
    }
}

/// The meaning of a YAML tag for reading a scalar, as serde-saphyr sees it
/// (it also takes `!int`, `!!str` spelt with a `%TAG` handle, and so on).
fn tag_of(tag: &granit_parser::Tag) -> Tag {
    fn named(name: &str) -> Tag {
        match name {
            "str" => Tag::Str,
            "null" => Tag::Null,
            "bool" => Tag::Bool,
            "int" => Tag::Int,
            "float" => Tag::Float,
            "seq" | "map" | "timestamp" | "binary" | "time" | "degrees" | "radians" => Tag::NotText,
            _ => Tag::None,
        }
    }
    if let Some(core) = tag.core_suffix() {
        return named(core);
    }
    if let Some(suffix) = tag.suffix_in_namespace("tag:yaml.org,2002:") {
        return match suffix.as_ref() {
            "merge" | "value" => Tag::None,
            s => named(s.strip_prefix('!').unwrap_or(s)),
        };
    }
    match tag.suffix_in_namespace("!").as_deref() {
        // The non-specific tag `!`: always text.
        Some("" | "!") => Tag::Str,
        Some(s) => match s.strip_prefix('!') {
            Some(core @ ("null" | "bool" | "int" | "float" | "map" | "seq" | "str")) => named(core),
            Some("timestamp" | "binary") => Tag::NotText,
            Some(_) => Tag::None,
            None => named(s),
        },
        None => Tag::None,
    }
}

fn is_merge_key(key: &Node) -> bool {
    matches!(&key.value, Value::Scalar(s) if s.plain && s.tag == Tag::None && s.text == "<<")
}

/// Adds the entries of a `<<` merge value (a mapping or a sequence of them);
/// entries merged earlier win.
fn merge(merged: &mut Vec<Entry>, value: &Node) -> Result<(), &'static str> {
    let mut add = |map: &Map| {
        for entry in &map.entries {
            let k = entry.key_text();
            if k.is_none() || !merged.iter().any(|e| e.key_text() == k) {
                merged.push(entry.clone());
            }
        }
    };
    match &value.value {
        Value::Map(map) => add(map),
        Value::Seq(items) => {
            for item in items {
                match &item.value {
                    Value::Map(map) => add(map),
                    _ => return Err("YAML merge value must be mapping or sequence of mappings"),
                }
            }
        }
        _ => return Err("YAML merge value must be mapping or sequence of mappings"),
    }
    Ok(())
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(map) => map
            .entries
            .iter()
            .map(|e| count_nodes(&e.key) + count_nodes(&e.value))
            .sum(),
        _ => 0,
    }
}

//! TOML text to a JSON value plus a map from every key path to its spans, so
//! later stages (schema, semantic) can point at the exact source of a problem.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Map, Number, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, Stage};

/// Deepest nesting of tables and arrays accepted. Real configs stay under 8;
/// the limit keeps hostile input from exhausting the stack.
pub const MAX_DEPTH: usize = 64;

/// Largest `millennium.toml` accepted, in bytes. Real configs are a few KiB.
pub const MAX_SIZE: usize = 1024 * 1024;

/// Where a key path sits in the source.
#[derive(Debug, Clone)]
pub struct Location {
    /// The key as written (for a table entry).
    pub key: Option<Range<usize>>,
    /// The value (a table's span is its header or inline braces).
    pub value: Range<usize>,
    /// The key path for people: `windows[0].title`.
    pub display: String,
}

/// Key paths (JSON pointers, as jsonschema reports them) to source locations.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    locations: HashMap<String, Location>,
}

impl SourceMap {
    /// The location of a JSON pointer, if the source has it.
    pub fn get(&self, pointer: &str) -> Option<&Location> {
        self.locations.get(pointer)
    }

    /// The key path for people of a JSON pointer, also for keys the source lacks.
    pub fn display(&self, pointer: &str) -> String {
        if let Some(location) = self.get(pointer) {
            return location.display.clone();
        }
        match pointer.rfind('/') {
            Some(cut) if cut > 0 || !pointer[1..].is_empty() => {
                let parent = self.display(&pointer[..cut]);
                let last = unescape(&pointer[cut + 1..]);
                join_display(
                    &parent,
                    &last,
                    last.parse::<usize>().is_ok() && self.is_array(&pointer[..cut]),
                )
            }
            _ => String::new(),
        }
    }

    /// The span to point at for a pointer: the key when there is one (so the
    /// caret sits under `always-on-top`), else the value. Falls back to the
    /// nearest ancestor that the source has.
    pub fn span(&self, pointer: &str) -> Option<Range<usize>> {
        let mut pointer = pointer;
        loop {
            if let Some(location) = self.get(pointer) {
                return Some(
                    location
                        .key
                        .clone()
                        .unwrap_or_else(|| location.value.clone()),
                );
            }
            let cut = pointer.rfind('/')?;
            pointer = &pointer[..cut];
        }
    }

    /// The span of the value at a pointer (falls back like [`SourceMap::span`]).
    pub fn value_span(&self, pointer: &str) -> Option<Range<usize>> {
        match self.get(pointer) {
            Some(location) => Some(location.value.clone()),
            None => self.span(pointer),
        }
    }

    fn is_array(&self, pointer: &str) -> bool {
        self.locations.contains_key(&format!("{pointer}/0"))
            && self
                .get(&format!("{pointer}/0"))
                .is_some_and(|l| l.display.ends_with("[0]"))
    }
}

/// Escapes one JSON-pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`].
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn join_display(parent: &str, key: &str, index: bool) -> String {
    if index {
        format!("{parent}[{key}]")
    } else {
        let key = if key.is_empty()
            || key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$')
        {
            key.to_owned()
        } else {
            format!("{key:?}")
        };
        if parent.is_empty() {
            key
        } else {
            format!("{parent}.{key}")
        }
    }
}

/// Parses TOML text. On success, the JSON value and its source map; on failure,
/// every syntax error found (the parser recovers and keeps going).
pub fn parse(text: &str) -> Result<(Value, SourceMap), Vec<Diagnostic>> {
    if text.len() > MAX_SIZE {
        return Err(vec![
            Diagnostic::new(
                Stage::Syntax,
                "",
                format!(
                    "the file is {} bytes; a millennium.toml may be at most {} bytes",
                    text.len(),
                    MAX_SIZE
                ),
            )
            .with_hint("keep data out of the config: put it in files under the frontend directory"),
        ]);
    }
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors.iter().map(|e| syntax_diagnostic(text, e)).collect());
    }
    let mut converter = Converter::default();
    let root_span = table.span();
    let value = converter.table(table.get_ref(), "", "", 0);
    converter.map.locations.insert(
        String::new(),
        Location {
            key: None,
            value: root_span,
            display: String::new(),
        },
    );
    if converter.diagnostics.is_empty() {
        Ok((value, converter.map))
    } else {
        Err(converter.diagnostics)
    }
}

fn syntax_diagnostic(text: &str, error: &toml::de::Error) -> Diagnostic {
    let message = error.message().trim().trim_end_matches('.');
    let span = error.span().map(|span| {
        // Zero-width spans (an unexpected end of line) still deserve a caret.
        if span.start == span.end && span.end < text.len() {
            span.start..span.end + 1
        } else {
            span
        }
    });
    let (mut message, hint) = explain_syntax(message);
    if message == "duplicate key"
        && let Some(key) = span.clone().and_then(|s| text.get(s))
    {
        message = format!("duplicate key `{}`", key.trim());
    }
    let mut diagnostic = Diagnostic::new(Stage::Syntax, "", format!("invalid TOML: {message}"))
        .with_span(span)
        .with_label("here");
    if let Some(hint) = hint {
        diagnostic = diagnostic.with_hint(hint);
    }
    diagnostic
}

/// Adds a hint to the parser's messages that newcomers trip over most.
fn explain_syntax(message: &str) -> (String, Option<&'static str>) {
    let first_line = message.lines().next().unwrap_or(message).to_owned();
    let hint = if message.contains("duplicate key") {
        Some("each key may appear once per table; remove or rename one of them")
    } else if message.contains("invalid string") || message.contains("string values must be quoted")
    {
        Some("text values need quotes: `title = \"My app\"`")
    } else if message.contains("recursion limit") {
        Some("tables and arrays nest too deeply; a millennium.toml needs only a few levels")
    } else {
        None
    };
    (first_line, hint)
}

#[derive(Default)]
struct Converter {
    map: SourceMap,
    diagnostics: Vec<Diagnostic>,
}

impl Converter {
    fn table(&mut self, table: &DeTable<'_>, pointer: &str, display: &str, depth: usize) -> Value {
        let mut object = Map::new();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let child_pointer = format!("{pointer}/{}", escape(name));
            let child_display = join_display(display, name, false);
            self.map.locations.insert(
                child_pointer.clone(),
                Location {
                    key: Some(key.span()),
                    value: value.span(),
                    display: child_display.clone(),
                },
            );
            let converted = self.value(value, &child_pointer, &child_display, depth + 1);
            object.insert(name.to_owned(), converted);
        }
        Value::Object(object)
    }

    fn value(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        pointer: &str,
        display: &str,
        depth: usize,
    ) -> Value {
        if depth > MAX_DEPTH {
            if !self
                .diagnostics
                .iter()
                .any(|d| d.message.starts_with("nested"))
            {
                self.diagnostics.push(
                    Diagnostic::new(
                        Stage::Syntax,
                        display,
                        format!("nested more than {MAX_DEPTH} levels deep"),
                    )
                    .with_span(Some(value.span()))
                    .with_label("too deep")
                    .with_hint("a millennium.toml needs only a few levels of tables"),
                );
            }
            return Value::Null;
        }
        let span = value.span();
        match value.get_ref() {
            DeValue::String(text) => Value::String(text.to_string()),
            DeValue::Integer(integer) => {
                match i64::from_str_radix(integer.as_str(), integer.radix()) {
                    Ok(n) => Value::Number(n.into()),
                    Err(_) => {
                        self.invalid(
                            display,
                            span,
                            "integer does not fit in 64 bits",
                            "use a smaller number",
                        );
                        Value::Null
                    }
                }
            }
            DeValue::Float(float) => {
                match float
                    .as_str()
                    .parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                {
                    Some(n) => Value::Number(n),
                    None => {
                        self.invalid(
                            display,
                            span,
                            "`inf` and `nan` are not valid here",
                            "use a finite number",
                        );
                        Value::Null
                    }
                }
            }
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Datetime(_) => {
                self.invalid(
                    display,
                    span,
                    "dates and times are not valid in millennium.toml",
                    "quote it if you meant text",
                );
                Value::Null
            }
            DeValue::Array(array) => {
                let mut items = Vec::with_capacity(array.len());
                for (index, item) in array.iter().enumerate() {
                    let child_pointer = format!("{pointer}/{index}");
                    let child_display = join_display(display, &index.to_string(), true);
                    self.map.locations.insert(
                        child_pointer.clone(),
                        Location {
                            key: None,
                            value: item.span(),
                            display: child_display.clone(),
                        },
                    );
                    items.push(self.value(item, &child_pointer, &child_display, depth + 1));
                }
                Value::Array(items)
            }
            DeValue::Table(table) => self.table(table, pointer, display, depth),
        }
    }

    fn invalid(&mut self, display: &str, span: Range<usize>, message: &str, hint: &str) {
        self.diagnostics.push(
            Diagnostic::new(Stage::Syntax, display, message)
                .with_span(Some(span))
                .with_label("here")
                .with_hint(hint),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "[app]\nname = \"x\"\n\n[[windows]]\ntitle = \"T\"\n";
        let (value, map) = parse(text).unwrap();
        assert_eq!(value["windows"][0]["title"], "T");
        let title = map.get("/windows/0/title").unwrap();
        assert_eq!(&text[title.key.clone().unwrap()], "title");
        assert_eq!(&text[title.value.clone()], "\"T\"");
        assert_eq!(title.display, "windows[0].title");
        assert_eq!(map.display("/windows/0/width"), "windows[0].width");
        assert_eq!(map.display("/app/dev-url"), "app.dev-url");
    }

    #[test]
    fn syntax_errors_are_all_reported_with_spans() {
        let errors = parse("[app]\nname = \nversion = 1.0.0\n").unwrap_err();
        assert!(!errors.is_empty());
        assert!(
            errors
                .iter()
                .all(|e| e.span.is_some() && e.message.starts_with("invalid TOML"))
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a = {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&text).is_err());
        let dotted = format!("{} = 1\n", vec!["k"; 10_000].join("."));
        let errors = parse(&dotted).unwrap_err();
        assert!(errors[0].message.contains("recursion limit"), "{errors:?}");
        // Below the parser's own limit, ours applies.
        let dotted = format!("{} = 1\n", vec!["k"; MAX_DEPTH + 5].join("."));
        let errors = parse(&dotted).unwrap_err();
        assert!(
            errors[0].message.contains("nested more than 64"),
            "{errors:?}"
        );
    }

    #[test]
    fn oversized_file_is_refused_before_parsing() {
        let text = "# padding\n".repeat(1_100_000);
        let errors = parse(&text).unwrap_err();
        assert!(errors[0].message.contains("at most"));
    }

    #[test]
    fn datetimes_and_nan_are_refused() {
        let errors = parse("a = 1979-05-27\nb = nan\n").unwrap_err();
        assert_eq!(errors.len(), 2);
    }
}

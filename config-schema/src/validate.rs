//! JSON-schema validation of the converted TOML, with jsonschema's errors
//! turned into diagnostics that speak TOML: "unknown key", "expected a
//! boolean, found a string", "did you mean `always-on-top`?".

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Stage};
use crate::schema;
use crate::source::{SourceMap, escape};

/// Validates `value` against the schema; every violation becomes a diagnostic.
pub fn validate(value: &Value, map: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for error in schema::validator().iter_errors(value) {
        convert(&error, value, map, &mut out);
    }
    out.dedup();
    out
}

fn convert(error: &ValidationError<'_>, root: &Value, map: &SourceMap, out: &mut Vec<Diagnostic>) {
    let pointer = error.instance_path().as_str();
    let display = map.display(pointer);
    let instance = error.instance();
    let base = |message: String| {
        Diagnostic::new(Stage::Schema, display.clone(), message).with_span(map.value_span(pointer))
    };
    let diagnostic = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                out.push(unknown_key(name, pointer, &display, root, map));
            }
            return;
        }
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            let table = if display.is_empty() {
                "the top level".to_owned()
            } else {
                format!("`{display}`")
            };
            Diagnostic::new(
                Stage::Schema,
                join(&display, property),
                format!("missing required key `{property}` in {table}"),
            )
            .with_span(header_span(map, pointer))
            .with_label(format!("`{property}` is required here"))
            .with_hint(required_hint(&display, property))
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => toml_type_name(&t.to_string()).to_owned(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| toml_type_name(&t.to_string()).to_owned())
                    .filter(|t| t != "nothing")
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            type_mismatch(base, &expected, instance)
        }
        ValidationErrorKind::Enum { options } => {
            let choices: Vec<String> = options.as_array().map_or_else(Vec::new, |items| {
                items
                    .iter()
                    .filter(|v| !v.is_null())
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect()
            });
            enum_mismatch(base, &choices, instance)
        }
        ValidationErrorKind::Minimum { limit } => base(format!(
            "{instance} is too small; the minimum is {}",
            number(limit)
        ))
        .with_label("too small"),
        ValidationErrorKind::ExclusiveMinimum { limit } => base(format!(
            "{instance} is too small; it must be greater than {limit}"
        ))
        .with_label("too small"),
        ValidationErrorKind::Maximum { limit } => base(format!(
            "{instance} is too large; the maximum is {}",
            number(limit)
        ))
        .with_label("too large"),
        ValidationErrorKind::ExclusiveMaximum { limit } => base(format!(
            "{instance} is too large; it must be less than {limit}"
        ))
        .with_label("too large"),
        ValidationErrorKind::MinLength { limit } if *limit == 1 => {
            base("must not be empty".to_owned()).with_label("empty")
        }
        ValidationErrorKind::MinLength { limit } => {
            base(format!("too short: at least {limit} characters")).with_label("too short")
        }
        ValidationErrorKind::MaxLength { limit } => {
            base(format!("too long: at most {limit} characters")).with_label("too long")
        }
        ValidationErrorKind::MinItems { limit } => base(format!(
            "needs at least {limit} item{}",
            if *limit == 1 { "" } else { "s" }
        ))
        .with_label("too few"),
        ValidationErrorKind::MaxItems { limit } => {
            base(format!("has more than {limit} items")).with_label("too many")
        }
        ValidationErrorKind::Pattern { pattern } => {
            let explanation = schema_at(root, pointer)
                .and_then(|s| s.get("patternErrorMessage"))
                .and_then(Value::as_str)
                .map_or_else(
                    || format!("must match the pattern `{pattern}`"),
                    str::to_owned,
                );
            let found = instance.as_str().unwrap_or_default();
            base(format!("`{found}` is not valid: {explanation}")).with_label("invalid")
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // Enums with documented variants are `oneOf` a list of `const`s.
            let choices = raw_schema_at(root, pointer).map(|node| {
                let mut choices = Vec::new();
                collect_consts(node, &mut choices, 0);
                choices
            });
            if let Some(choices) = choices.filter(|c| !c.is_empty())
                && !instance.is_null()
            {
                out.push(enum_mismatch(base, &choices, instance));
                return;
            }
            // The value matches none of the alternatives (e.g. csp: string or
            // table). If it has the right shape for exactly one of them, the
            // errors inside that one are what the author needs to see.
            let same_shape: Vec<&Vec<ValidationError<'static>>> = context
                .iter()
                .filter(|branch| {
                    !branch.iter().any(|e| {
                        e.instance_path().as_str() == pointer
                            && matches!(e.kind(), ValidationErrorKind::Type { .. })
                    })
                })
                .collect();
            if let [branch] = same_shape.as_slice() {
                for inner in branch.iter() {
                    convert(inner, root, map, out);
                }
                return;
            }
            let expected =
                alternatives(root, pointer).unwrap_or_else(|| "a different value".to_owned());
            type_mismatch(base, &expected, instance)
        }
        _ => base(error.to_string()).with_label("invalid"),
    };
    out.push(diagnostic);
}

fn enum_mismatch(
    base: impl Fn(String) -> Diagnostic,
    choices: &[String],
    instance: &Value,
) -> Diagnostic {
    let found = instance
        .as_str()
        .map_or_else(|| instance.to_string(), str::to_owned);
    let list = choices
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut d = base(format!(
        "`{found}` is not a valid value; expected one of {list}"
    ))
    .with_label("unknown value");
    if let Some(near) = nearest(&found, choices.iter().map(String::as_str)) {
        d = d.with_hint(format!("did you mean `{near}`?"));
    }
    d
}

fn collect_consts(node: &Value, out: &mut Vec<String>, depth: usize) {
    let Some(node) = deref(schema::schema(), node) else {
        return;
    };
    if depth > 8 {
        return;
    }
    if let Some(Value::String(c)) = node.get("const") {
        out.push(c.clone());
    }
    if let Some(Value::Array(items)) = node.get("enum") {
        out.extend(items.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(branches) = node.get(keyword).and_then(Value::as_array) {
            for branch in branches {
                collect_consts(branch, out, depth + 1);
            }
        }
    }
}

fn type_mismatch(
    base: impl Fn(String) -> Diagnostic,
    expected: &str,
    instance: &Value,
) -> Diagnostic {
    let found = found_name(instance);
    let mut d = base(format!("expected {expected}, found {found}"))
        .with_label(format!("expected {expected}"));
    let hint = match instance {
        Value::String(text)
            if expected.contains("boolean") && (text == "true" || text == "false") =>
        {
            Some(format!("write {text} without quotes"))
        }
        Value::String(text) if expected.contains("number") || expected.contains("integer") => text
            .trim()
            .parse::<f64>()
            .ok()
            .map(|_| format!("write {} without quotes", text.trim())),
        Value::Number(_) | Value::Bool(_) if expected.starts_with("a string") => {
            Some(format!("put it in quotes: \"{instance}\""))
        }
        Value::String(_) if expected.starts_with("an array") => {
            Some("wrap it in brackets to make a list: [\"...\"]".to_owned())
        }
        _ => None,
    };
    if let Some(hint) = hint {
        d = d.with_hint(hint);
    }
    d
}

fn unknown_key(
    name: &str,
    pointer: &str,
    display: &str,
    root: &Value,
    map: &SourceMap,
) -> Diagnostic {
    let key_pointer = format!("{pointer}/{}", escape(name));
    let place = if display.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("in `{display}`")
    };
    let mut d = Diagnostic::new(
        Stage::Schema,
        join(display, name),
        format!("unknown key `{name}` {place}"),
    )
    .with_span(map.span(&key_pointer))
    .with_label("unknown key");
    let valid: Vec<String> = schema_at(root, pointer)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| {
            props
                .keys()
                .filter(|k| !k.starts_with('$'))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if let Some(near) = nearest(name, valid.iter().map(String::as_str)) {
        d = d.with_hint(format!("did you mean `{near}`?"));
    } else if let Some((_, tables)) = schema::property_names().iter().find(|(n, _)| n == name) {
        let tables: Vec<String> = tables.iter().map(|t| table_name(t)).collect();
        d = d.with_hint(format!("`{name}` belongs in {}", tables.join(" or ")));
    } else if !valid.is_empty() {
        d = d.with_hint(format!("valid keys here: {}", valid.join(", ")));
    }
    d
}

fn table_name(path: &str) -> String {
    if path.is_empty() {
        "the top level".to_owned()
    } else if path.starts_with("[[") {
        format!("`{path}`")
    } else {
        format!("`[{path}]`")
    }
}

fn required_hint(display: &str, property: &str) -> String {
    match (display, property) {
        ("", "app") => "every app needs an `[app]` table with `name` and `identifier`".to_owned(),
        ("app", "name") => "add `name = \"My App\"` under `[app]`".to_owned(),
        ("app", "identifier") => {
            "add a reverse-DNS id under `[app]`: `identifier = \"com.example.myapp\"`".to_owned()
        }
        _ => format!("add `{property} = ...` to {}", table_name(display)),
    }
}

fn join(display: &str, key: &str) -> String {
    if display.is_empty() {
        key.to_owned()
    } else {
        format!("{display}.{key}")
    }
}

/// The span of a table for "missing key" errors: its header line when it has
/// one, else the first line of the file.
fn header_span(map: &SourceMap, pointer: &str) -> Option<std::ops::Range<usize>> {
    if pointer.is_empty() {
        return Some(0..0);
    }
    map.span(pointer)
}

/// The schema that applies to the value at `pointer`, found by walking the
/// instance path through `properties`, `items` and the matching `anyOf` branch.
fn schema_at<'a>(root_value: &Value, pointer: &str) -> Option<&'a Value> {
    let root = schema::schema();
    let mut node = schema::resolve("")?;
    let mut value = root_value;
    for raw in pointer.split('/').skip(1) {
        let segment = crate::source::unescape(raw);
        node = pick_branch(root, node, value)?;
        let (child_node, child_value) = match value {
            Value::Object(object) => (
                node.get("properties")?.get(&segment)?,
                object.get(&segment)?,
            ),
            Value::Array(items) => (
                node.get("items")?,
                items.get(segment.parse::<usize>().ok()?)?,
            ),
            _ => return None,
        };
        node = child_node;
        value = child_value;
    }
    pick_branch(root, node, value)
}

fn deref<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..16 {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            node = root.pointer(reference.strip_prefix('#')?)?;
        } else if let Some([only]) = node
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            node = only;
        } else {
            return Some(node);
        }
    }
    None
}

fn pick_branch<'a>(root: &'a Value, node: &'a Value, value: &Value) -> Option<&'a Value> {
    let node = deref(root, node)?;
    for keyword in ["anyOf", "oneOf"] {
        if let Some(branches) = node.get(keyword).and_then(Value::as_array) {
            let wanted = json_type(value);
            for branch in branches {
                let branch = deref(root, branch)?;
                if type_matches(branch.get("type"), wanted) {
                    return Some(branch);
                }
            }
        }
    }
    Some(node)
}

fn type_matches(declared: Option<&Value>, wanted: &str) -> bool {
    let matches = |t: &str| t == wanted || (t == "number" && wanted == "integer");
    match declared {
        Some(Value::String(t)) => matches(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The schema of the value at `pointer` before any `anyOf` branch is chosen.
fn raw_schema_at<'a>(root_value: &Value, pointer: &str) -> Option<&'a Value> {
    let (parent, key) = pointer.rsplit_once('/')?;
    let parent_node = schema_at(root_value, parent)?;
    let key = crate::source::unescape(key);
    let node = match parent_node.get("properties") {
        Some(props) => props.get(&key)?,
        None => parent_node.get("items")?,
    };
    deref(schema::schema(), node)
}

/// "a string or a table", from the `type`s of the alternatives at `pointer`.
fn alternatives(root_value: &Value, pointer: &str) -> Option<String> {
    let root = schema::schema();
    let node = raw_schema_at(root_value, pointer)?;
    let mut names: Vec<&'static str> = Vec::new();
    collect_types(root, node, &mut names, 0);
    if names.is_empty() {
        None
    } else {
        Some(names.join(" or "))
    }
}

fn collect_types(root: &Value, node: &Value, names: &mut Vec<&'static str>, depth: usize) {
    let Some(node) = deref(root, node) else {
        return;
    };
    if depth > 8 {
        return;
    }
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for t in types {
        let name = toml_type_name(t);
        if name != "nothing" && !names.contains(&name) {
            names.push(name);
        }
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(branches) = node.get(keyword).and_then(Value::as_array) {
            for branch in branches {
                collect_types(root, branch, names, depth + 1);
            }
        }
    }
}

/// A schema limit as an author would write it: `1`, not `1.0`.
fn number(limit: &Value) -> String {
    match limit.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => limit.to_string(),
    }
}

fn toml_type_name(json_type: &str) -> &'static str {
    match json_type {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean (true or false)",
        "array" => "an array",
        "object" => "a table",
        "null" => "nothing",
        _ => "a value",
    }
}

fn found_name(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) if n.is_f64() => format!("the float {n}"),
        Value::Number(n) => format!("the integer {n}"),
        Value::String(s) if s.chars().count() <= 40 => format!("the string {s:?}"),
        Value::String(_) => "a string".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "a table".to_owned(),
    }
}

/// The closest candidate by edit distance, when it is close enough to be a typo.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    // Compare in kebab-case, so `alwaysOnTop` and `always_on_top` find `always-on-top`.
    let mut word_lower = String::with_capacity(word.len() + 4);
    for (i, c) in word.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            word_lower.push('-');
        }
        word_lower.push(if c == '_' {
            '-'
        } else {
            c.to_ascii_lowercase()
        });
    }
    candidates
        .map(|c| (strsim::damerau_levenshtein(&word_lower, c), c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(1) || word_lower == *c)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

//! The JSON schema of `millennium.toml`, generated from [`crate::Config`] as
//! draft-07 (the newest draft Taplo, the engine behind editor TOML support,
//! understands), and the validator built from it.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::model::Config;

/// The schema as a JSON value.
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let generator = SchemaSettings::draft07().into_generator();
        let schema = generator.into_root_schema_for::<Config>();
        serde_json::to_value(schema).expect("a generated schema is always valid JSON")
    })
}

/// The schema as pretty-printed JSON with a trailing newline, exactly as
/// `millennium.schema.json` is checked in.
pub fn schema_json() -> String {
    let mut text = serde_json::to_string_pretty(schema()).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// The compiled draft-07 validator.
pub(crate) fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::draft7::new(schema()).expect("the generated schema is a valid draft-07 schema")
    })
}

/// Follows a keyword location (a JSON pointer into the schema, possibly
/// through `$ref`s) to the subschema it names.
pub(crate) fn resolve(location: &str) -> Option<&'static Value> {
    let root = schema();
    let mut node = root;
    for raw in location.split('/').skip(1) {
        let segment = crate::source::unescape(raw);
        node = follow_refs(root, node)?;
        node = match node {
            Value::Object(map) => map.get(&segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
        if segment == "$ref" {
            node = lookup_ref(root, node.as_str()?)?;
        }
    }
    follow_refs(root, node)
}

fn follow_refs<'a>(root: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => node = lookup_ref(root, reference)?,
            None => return Some(node),
        }
    }
    None
}

fn lookup_ref<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

/// Every property name the schema defines anywhere, with the key paths of
/// the tables that define it, for "did you mean" and "belongs in" hints.
pub(crate) fn property_names() -> &'static [(String, Vec<String>)] {
    static NAMES: OnceLock<Vec<(String, Vec<String>)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<(String, Vec<String>)> = Vec::new();
        collect_properties(schema(), schema(), "", &mut names, 0);
        names
    })
}

fn collect_properties(
    root: &Value,
    node: &Value,
    path: &str,
    out: &mut Vec<(String, Vec<String>)>,
    depth: usize,
) {
    if depth > 12 {
        return;
    }
    let Some(node) = follow_refs(root, node) else {
        return;
    };
    if let Some(properties) = node.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            match out.iter_mut().find(|(n, _)| n == name) {
                Some((_, paths)) => {
                    if !paths.contains(&path.to_owned()) {
                        paths.push(path.to_owned());
                    }
                }
                None => out.push((name.clone(), vec![path.to_owned()])),
            }
            let child_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            collect_properties(root, child, &child_path, out, depth + 1);
        }
    }
    for keyword in ["anyOf", "oneOf", "allOf"] {
        if let Some(branches) = node.get(keyword).and_then(Value::as_array) {
            for branch in branches {
                collect_properties(root, branch, path, out, depth + 1);
            }
        }
    }
    if let Some(items) = node.get("items") {
        let item_path = if path == "windows" {
            "[[windows]]".to_owned()
        } else {
            format!("{path}[]")
        };
        collect_properties(root, items, &item_path, out, depth + 1);
    }
}

//! `millennium.schema.json` is generated from the types; this test fails
//! when the checked-in copy is stale. Regenerate with
//! `UPDATE_SCHEMA=1 cargo test -p millennium-config --test schema_fresh`.

use std::path::Path;

#[test]
fn checked_in_schema_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../millennium.schema.json");
    let generated = millennium_config::schema::schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("schema file is writable");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "millennium.schema.json is stale; regenerate it with \
         `UPDATE_SCHEMA=1 cargo test -p millennium-config --test schema_fresh`"
    );
}

#[test]
fn schema_is_draft07_with_descriptions_and_defaults() {
    let schema = millennium_config::schema::schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(
        schema.get("$defs").is_none(),
        "draft-07 keeps subschemas under `definitions`"
    );
    let window = &schema["definitions"]["WindowConfig"]["properties"];
    for (key, property) in window.as_object().unwrap() {
        assert!(
            property.get("description").is_some(),
            "windows.{key} has no description"
        );
    }
    assert_eq!(window["width"]["default"], 800.0);
    assert_eq!(window["resizable"]["default"], true);
}

/// Every field in every table has a doc comment, so editors show a tooltip.
#[test]
fn every_property_has_a_description() {
    let schema = millennium_config::schema::schema();
    let mut missing = Vec::new();
    for (name, definition) in schema["definitions"].as_object().unwrap() {
        if let Some(properties) = definition.get("properties").and_then(|p| p.as_object()) {
            for (key, property) in properties {
                if property.get("description").is_none() {
                    missing.push(format!("{name}.{key}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "properties without a doc comment: {missing:?}"
    );
}

/// Keys are kebab-case, one casing, no aliases.
#[test]
fn every_key_is_kebab_case() {
    fn walk(value: &serde_json::Value, bad: &mut Vec<String>) {
        if let Some(object) = value.as_object() {
            if let Some(properties) = object.get("properties").and_then(|p| p.as_object()) {
                for key in properties.keys() {
                    let kebab = key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                    if !kebab && key != "$schema" {
                        bad.push(key.clone());
                    }
                }
            }
            object.values().for_each(|v| walk(v, bad));
        } else if let Some(items) = value.as_array() {
            items.iter().for_each(|v| walk(v, bad));
        }
    }
    let mut bad = Vec::new();
    walk(millennium_config::schema::schema(), &mut bad);
    assert!(bad.is_empty(), "keys not in kebab-case: {bad:?}");
}

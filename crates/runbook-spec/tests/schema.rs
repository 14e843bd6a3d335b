//! The JSON Schema: the committed `docs/runbook.schema.json` is what `json_schema()` generates,
//! and it knows every key the parser accepts in the fixtures.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn committed_schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/runbook.schema.json")
}

fn generated() -> String {
    let mut text =
        serde_json::to_string_pretty(&runbook_spec::json_schema()).expect("schema serializes");
    text.push('\n');
    text
}

#[test]
fn committed_schema_is_current() {
    let path = committed_schema_path();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, generated()).expect("write schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated(),
        "docs/runbook.schema.json is stale; regenerate it with `UPDATE_SCHEMA=1 cargo nextest run -p runbook-spec` (or `runbook schema > docs/runbook.schema.json`)"
    );
}

/// The schema alternative for a step kind.
fn kind_schema<'a>(schema: &'a Value, kind: &str) -> &'a Value {
    let step = &schema["definitions"]["Step"];
    step["oneOf"]
        .as_array()
        .expect("Step.oneOf")
        .iter()
        .find(|alt| alt["properties"]["kind"]["const"] == kind)
        .unwrap_or_else(|| panic!("no schema for kind {kind}"))
}

#[test]
fn schema_describes_every_kind_and_rejects_unknown_keys() {
    let schema = runbook_spec::json_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["properties"]["version"]["maximum"], 1);
    for kind in runbook_spec::STEP_KINDS {
        let alt = kind_schema(&schema, kind);
        assert_eq!(alt["additionalProperties"], false, "{kind}");
        assert!(
            alt["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{kind} has no description"
        );
        for common in [
            "id",
            "kind",
            "target",
            "timeout",
            "when",
            "continue_on_error",
            "description",
        ] {
            assert!(
                alt["properties"].get(common).is_some(),
                "{kind} lacks {common}"
            );
        }
    }
    assert_eq!(
        kind_schema(&schema, "container_start")["properties"]["wait"]["default"],
        "60s"
    );
}

#[test]
fn schema_knows_every_key_used_in_the_ok_fixtures() {
    let schema = runbook_spec::json_schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ok");
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for key in doc.as_mapping().unwrap().keys() {
            let key = key.as_str().unwrap();
            assert!(
                schema["properties"].get(key).is_some(),
                "{}: top-level key {key}",
                path.display()
            );
        }
        for step in doc["steps"].as_sequence().unwrap() {
            let kind = step["kind"].as_str().unwrap();
            let alt = kind_schema(&schema, kind);
            for key in step.as_mapping().unwrap().keys() {
                let key = key.as_str().unwrap();
                assert!(
                    alt["properties"].get(key).is_some(),
                    "{}: key {key} of kind {kind}",
                    path.display()
                );
            }
        }
    }
}

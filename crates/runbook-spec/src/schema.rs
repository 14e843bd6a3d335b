//! The JSON Schema of the runbook format, generated from the same types the parser reads, for
//! editors (yaml-language-server: `# yaml-language-server: $schema=...`) and `runbook schema`.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::load::raw::RunbookFile;
use crate::step::StepCommon;
use crate::steps::kind::{KindSpec, KindVisitor};

/// The JSON Schema (draft 7, which yaml-language-server supports best) of a runbook file.
pub fn json_schema() -> Value {
    let generator = SchemaGenerator::new(SchemaSettings::draft07());
    let schema = generator.into_root_schema_for::<RunbookFile>();
    schema.to_value()
}

/// A string value that may be written as a number or boolean (`PGPORT: 5432`): the parser takes
/// any scalar as written.
pub(crate) struct TextValue;

impl JsonSchema for TextValue {
    fn schema_name() -> Cow<'static, str> {
        "TextValue".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "Text; numbers and booleans are taken as written. May use ${env.NAME}, ${env.NAME:-default} and ${vars.NAME}.",
            "type": ["string", "number", "boolean", "null"]
        })
    }
}

/// A step in the schema: one alternative per kind, each the kind's own keys plus the common ones,
/// told apart by `kind`. The parser reads steps in two parts instead (see `load::steps`), which is
/// why this type exists only for the schema.
pub(crate) struct StepSchema;

fn object(schema: Schema) -> Map<String, Value> {
    match schema.to_value() {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Builds each kind's alternative: its own keys, the common ones and `kind: KIND`.
struct Alternatives<'a> {
    generator: &'a mut SchemaGenerator,
    common: Map<String, Value>,
}

impl KindVisitor for Alternatives<'_> {
    type Output = Value;

    fn visit<K: KindSpec>(&mut self) -> Value {
        alternative::<K>(self.generator, &self.common)
    }
}

fn alternative<K: KindSpec>(generator: &mut SchemaGenerator, common: &Map<String, Value>) -> Value {
    let mut kind = object(K::json_schema(generator));
    let mut properties = common
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    properties.insert(
        "kind".to_owned(),
        json!({ "const": K::KIND, "description": "The step kind." }),
    );
    if let Some(own) = kind.get("properties").and_then(Value::as_object) {
        properties.extend(own.clone());
    }
    let mut required = vec![json!("id"), json!("kind")];
    if let Some(own) = kind.get("required").and_then(Value::as_array) {
        required.extend(own.iter().cloned());
    }
    kind.insert("title".to_owned(), json!(K::KIND));
    kind.insert("type".to_owned(), json!("object"));
    kind.insert("properties".to_owned(), Value::Object(properties));
    kind.insert("required".to_owned(), Value::Array(required));
    kind.insert("additionalProperties".to_owned(), json!(false));
    Value::Object(kind)
}

impl JsonSchema for StepSchema {
    fn schema_name() -> Cow<'static, str> {
        "Step".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let common = object(StepCommon::json_schema(generator));
        let alternatives = crate::steps::visit_every_kind(&mut Alternatives { generator, common });
        let value = json!({
            "description": "A step: id, kind, the common keys, and the keys of its kind.",
            "type": "object",
            "required": ["id", "kind"],
            "properties": { "kind": { "enum": crate::step::STEP_KINDS } },
            "oneOf": alternatives
        });
        Schema::try_from(value).unwrap_or_default()
    }
}

//! `extensions_exist`: extensions installed in the database, optionally at a version.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::object_refs::Identifier;

/// `pgcrypto` or `{ name: pg_trgm, version: "1.6" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionRef {
    pub name: Identifier,
    /// The installed version must be exactly this (`pg_extension.extversion`).
    pub version: Option<String>,
}

impl fmt::Display for ExtensionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(version) = &self.version {
            write!(f, " {version}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtension {
    name: Identifier,
    #[serde(default, deserialize_with = "version")]
    version: Option<String>,
}

fn version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    super::expect::given(d, "a version such as \"1.6\"; leave 'version' out for any")
}

impl<'de> Deserialize<'de> for ExtensionRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExtensionVisitor;
        impl<'de> Visitor<'de> for ExtensionVisitor {
            type Value = ExtensionRef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an extension name or { name, version }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExtensionRef, E> {
                Identifier::parse(v)
                    .map(|name| ExtensionRef {
                        name,
                        version: None,
                    })
                    .map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ExtensionRef, A::Error> {
                let raw = RawExtension::deserialize(MapAccessDeserializer::new(map))?;
                Ok(ExtensionRef {
                    name: raw.name,
                    version: raw.version,
                })
            }
        }
        deserializer.deserialize_any(ExtensionVisitor)
    }
}

impl JsonSchema for ExtensionRef {
    fn schema_name() -> Cow<'static, str> {
        "ExtensionRef".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An extension: its name, or { name, version } for exactly that installed version.",
            "anyOf": [
                { "type": "string", "minLength": 1 },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name"],
                    "properties": {
                        "name": { "type": "string", "minLength": 1 },
                        "version": { "type": "string", "minLength": 1 }
                    }
                }
            ]
        })
    }
}

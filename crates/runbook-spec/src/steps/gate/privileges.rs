//! `privileges`: a role holds privileges on a table, sequence, schema, function or database,
//! as the server's `has_*_privilege` functions answer (grants to PUBLIC and through role
//! membership included), so a restore that lost its GRANTs is caught before users are.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::object_refs::{FunctionRef, Identifier};
use crate::qualified_name::QualifiedName;

/// `{ role: R, on: table | { schema: s } | ..., has: [SELECT, INSERT] }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Privileges {
    /// The role whose privileges are checked.
    pub role: Identifier,
    /// A table (`name` or `schema.name`), or one of `{ table }`, `{ sequence }`, `{ schema }`,
    /// `{ function: name(argument types) }`, `{ database }`.
    pub on: PrivilegeOn,
    /// The privileges the role must hold, e.g. [SELECT, INSERT]; case does not matter.
    pub has: Vec<Privilege>,
}

/// The object privileges are checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivilegeOn {
    Table(QualifiedName),
    Sequence(QualifiedName),
    Schema(Identifier),
    Function(FunctionRef),
    Database(Identifier),
}

impl PrivilegeOn {
    /// "table", "schema", ...: the key that selects it.
    pub fn kind(&self) -> &'static str {
        match self {
            PrivilegeOn::Table(_) => "table",
            PrivilegeOn::Sequence(_) => "sequence",
            PrivilegeOn::Schema(_) => "schema",
            PrivilegeOn::Function(_) => "function",
            PrivilegeOn::Database(_) => "database",
        }
    }

    /// The privileges the server's `has_<kind>_privilege` accepts for this kind of object.
    pub fn valid_privileges(&self) -> &'static [&'static str] {
        match self {
            PrivilegeOn::Table(_) => &[
                "SELECT",
                "INSERT",
                "UPDATE",
                "DELETE",
                "TRUNCATE",
                "REFERENCES",
                "TRIGGER",
            ],
            PrivilegeOn::Sequence(_) => &["USAGE", "SELECT", "UPDATE"],
            PrivilegeOn::Schema(_) => &["CREATE", "USAGE"],
            PrivilegeOn::Function(_) => &["EXECUTE"],
            PrivilegeOn::Database(_) => &["CREATE", "CONNECT", "TEMPORARY", "TEMP"],
        }
    }
}

impl fmt::Display for PrivilegeOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrivilegeOn::Table(name) => write!(f, "table {name}"),
            PrivilegeOn::Sequence(name) => write!(f, "sequence {name}"),
            PrivilegeOn::Schema(name) => write!(f, "schema {name}"),
            PrivilegeOn::Function(name) => write!(f, "function {name}"),
            PrivilegeOn::Database(name) => write!(f, "database {name}"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOn {
    table: Option<QualifiedName>,
    sequence: Option<QualifiedName>,
    schema: Option<Identifier>,
    function: Option<FunctionRef>,
    database: Option<Identifier>,
}

impl<'de> Deserialize<'de> for PrivilegeOn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OnVisitor;
        impl<'de> Visitor<'de> for OnVisitor {
            type Value = PrivilegeOn;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table name, or one of { table }, { sequence }, { schema }, { function }, { database }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PrivilegeOn, E> {
                QualifiedName::parse(v)
                    .map(PrivilegeOn::Table)
                    .map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PrivilegeOn, A::Error> {
                let raw = RawOn::deserialize(MapAccessDeserializer::new(map))?;
                let mut found: Vec<PrivilegeOn> = [
                    raw.table.map(PrivilegeOn::Table),
                    raw.sequence.map(PrivilegeOn::Sequence),
                    raw.schema.map(PrivilegeOn::Schema),
                    raw.function.map(PrivilegeOn::Function),
                    raw.database.map(PrivilegeOn::Database),
                ]
                .into_iter()
                .flatten()
                .collect();
                if found.len() != 1 {
                    let keys: Vec<&str> = found.iter().map(PrivilegeOn::kind).collect();
                    return Err(de::Error::custom(format!(
                        "invalid object for privileges: expected exactly one of table, sequence, schema, function, database; found {}",
                        if keys.is_empty() {
                            "none".to_owned()
                        } else {
                            keys.join(" and ")
                        }
                    )));
                }
                Ok(found.remove(0))
            }
        }
        deserializer.deserialize_any(OnVisitor)
    }
}

impl JsonSchema for PrivilegeOn {
    fn schema_name() -> Cow<'static, str> {
        "PrivilegeOn".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let one = |key: &str, description: &str| {
            serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "required": [key],
                "properties": { key: { "type": "string", "minLength": 1, "description": description } }
            })
        };
        json_schema!({
            "description": "A table (name or schema.name), or exactly one of { table }, { sequence }, { schema }, { function: name(argument types) }, { database }.",
            "anyOf": [
                { "type": "string", "minLength": 1 },
                one("table", "name or schema.name"),
                one("sequence", "name or schema.name"),
                one("schema", "a schema name"),
                one("function", "name(argument types), e.g. public.f(integer)"),
                one("database", "a database name")
            ]
        })
    }
}

/// A privilege keyword, upper-cased (`select` reads as SELECT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Privilege(pub String);

impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Privilege {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Privilege(text.trim().to_ascii_uppercase()))
    }
}

impl JsonSchema for Privilege {
    fn schema_name() -> Cow<'static, str> {
        "Privilege".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER (tables); USAGE, SELECT, UPDATE (sequences); CREATE, USAGE (schemas); EXECUTE (functions); CREATE, CONNECT, TEMPORARY (databases).",
            "type": "string",
            "minLength": 1
        })
    }
}

//! `foreign_keys`: a table's columns reference another table's, with the delete (and update)
//! action a reviewer expects. Keys are found by what they connect (the constraint's columns
//! and the referenced table and columns), not by constraint name: names differ between a
//! hand-made schema and its restore, the connection must not.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::object_refs::{Identifier, TableColumns};
use crate::qualified_name::QualifiedName;

/// `{ table, columns: [..], references: table(cols) | { table, columns }, on_delete, on_update }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForeignKey {
    /// The referencing table.
    pub table: QualifiedName,
    /// Its referencing columns, in the key's order.
    pub columns: Vec<Identifier>,
    /// The referenced table, with its columns in the key's order (table(a, b) or
    /// { table, columns }); the table alone accepts whichever columns the key references.
    pub references: References,
    /// cascade, restrict, set null, set default or no action; left out: any.
    #[serde(default, deserialize_with = "action")]
    #[schemars(with = "FkAction")]
    pub on_delete: Option<FkAction>,
    /// Like on_delete, for updates of the referenced key.
    #[serde(default, deserialize_with = "action")]
    #[schemars(with = "FkAction")]
    pub on_update: Option<FkAction>,
}

fn action<'de, D: Deserializer<'de>>(d: D) -> Result<Option<FkAction>, D::Error> {
    super::expect::given(
        d,
        "cascade, restrict, set null, set default or no action; leave the key out for any",
    )
}

impl ForeignKey {
    /// `d_patient(facility_id) -> d_facility(id)`, for messages.
    pub fn describe(&self) -> String {
        let columns: Vec<String> = self.columns.iter().map(|c| c.0.clone()).collect();
        format!(
            "{}({}) -> {}",
            self.table,
            crate::object_refs::display_columns(&columns),
            self.references.0
        )
    }
}

/// The referenced side: `table(cols)`, `table`, or `{ table, columns }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct References(pub TableColumns);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReferences {
    table: QualifiedName,
    columns: Option<Vec<Identifier>>,
}

impl<'de> Deserialize<'de> for References {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ReferencesVisitor;
        impl<'de> Visitor<'de> for ReferencesVisitor {
            type Value = References;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("table(column, ...) or { table, columns }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<References, E> {
                TableColumns::parse(v).map(References).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<References, A::Error> {
                let raw = RawReferences::deserialize(MapAccessDeserializer::new(map))?;
                Ok(References(TableColumns {
                    table: raw.table,
                    columns: raw
                        .columns
                        .map(|columns| columns.into_iter().map(|c| c.0).collect()),
                }))
            }
        }
        deserializer.deserialize_any(ReferencesVisitor)
    }
}

impl JsonSchema for References {
    fn schema_name() -> Cow<'static, str> {
        "References".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The referenced table and columns: table(column, ...), the table alone, or { table, columns }.",
            "anyOf": [
                { "type": "string", "minLength": 1 },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["table"],
                    "properties": {
                        "table": { "type": "string", "minLength": 1 },
                        "columns": { "type": "array", "items": { "type": "string", "minLength": 1 } }
                    }
                }
            ]
        })
    }
}

/// What happens to referencing rows when the referenced row is deleted or its key updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub const ALL: [FkAction; 5] = [
        FkAction::Cascade,
        FkAction::Restrict,
        FkAction::SetNull,
        FkAction::SetDefault,
        FkAction::NoAction,
    ];

    /// As SQL writes it, lowercase: `set null`.
    pub fn as_str(self) -> &'static str {
        match self {
            FkAction::NoAction => "no action",
            FkAction::Restrict => "restrict",
            FkAction::Cascade => "cascade",
            FkAction::SetNull => "set null",
            FkAction::SetDefault => "set default",
        }
    }

    /// The code `pg_constraint.confdeltype` / `confupdtype` stores.
    pub fn catalog_code(self) -> &'static str {
        match self {
            FkAction::NoAction => "a",
            FkAction::Restrict => "r",
            FkAction::Cascade => "c",
            FkAction::SetNull => "n",
            FkAction::SetDefault => "d",
        }
    }

    pub fn from_catalog_code(code: &str) -> Option<FkAction> {
        FkAction::ALL.into_iter().find(|a| a.catalog_code() == code)
    }

    /// `CASCADE`, `set_null`, `SET  NULL` all read as SQL would.
    pub fn parse(text: &str) -> Result<FkAction, String> {
        let words: Vec<String> = text
            .split(|c: char| c.is_whitespace() || c == '_')
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let wanted = words.join(" ");
        FkAction::ALL
            .into_iter()
            .find(|a| a.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "invalid foreign key action '{text}': expected cascade, restrict, set null, set default or no action"
                )
            })
    }
}

impl fmt::Display for FkAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FkAction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        FkAction::parse(&text).map_err(de::Error::custom)
    }
}

impl JsonSchema for FkAction {
    fn schema_name() -> Cow<'static, str> {
        "FkAction".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A foreign key's referential action (case does not matter).",
            "type": "string",
            "enum": ["cascade", "restrict", "set null", "set default", "no action"]
        })
    }
}

//! Names of objects that live inside a table (columns, constraints, policies), written
//! `table.column` or `schema.table.column` in gate checks.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use crate::qualified_name::{QualifiedName, parse_parts, quote_ident, visit_name};

/// Splits `[schema.]table.member` into the table and the member name.
fn table_and_member(mut parts: Vec<String>) -> Option<(QualifiedName, String)> {
    let member = parts.pop()?;
    let table = match parts.len() {
        1 => QualifiedName {
            schema: None,
            name: parts.remove(0),
        },
        2 => {
            let name = parts.remove(1);
            QualifiedName {
                schema: Some(parts.remove(0)),
                name,
            }
        }
        _ => return None,
    };
    Some((table, member))
}

/// A column of a table: `table.column` or `schema.table.column`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnRef {
    pub table: QualifiedName,
    pub column: String,
}

impl ColumnRef {
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts =
            parse_parts(text).map_err(|detail| format!("invalid column '{text}': {detail}"))?;
        table_and_member(parts)
            .map(|(table, column)| Self { table, column })
            .ok_or_else(|| {
                format!("invalid column '{text}': expected table.column or schema.table.column")
            })
    }
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}",
            self.table,
            QualifiedName::new(None, &self.column)
        )
    }
}

/// A constraint, by name alone or with the table it belongs to (constraint names are unique only
/// per table).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConstraintRef {
    pub table: Option<QualifiedName>,
    pub name: String,
}

impl ConstraintRef {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts =
            parse_parts(text).map_err(|detail| format!("invalid constraint '{text}': {detail}"))?;
        if parts.len() == 1 {
            return Ok(Self {
                table: None,
                name: parts.remove(0),
            });
        }
        table_and_member(parts)
            .map(|(table, name)| Self {
                table: Some(table),
                name,
            })
            .ok_or_else(|| {
                format!(
                    "invalid constraint '{text}': expected name, table.name or schema.table.name"
                )
            })
    }
}

impl fmt::Display for ConstraintRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(table) = &self.table {
            write!(f, "{table}.")?;
        }
        write!(f, "{}", QualifiedName::new(None, &self.name))
    }
}

/// A row-level security policy of a table: `table.policy` or `schema.table.policy`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyRef {
    pub table: QualifiedName,
    pub name: String,
}

impl PolicyRef {
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts =
            parse_parts(text).map_err(|detail| format!("invalid policy '{text}': {detail}"))?;
        table_and_member(parts)
            .map(|(table, name)| Self { table, name })
            .ok_or_else(|| {
                format!("invalid policy '{text}': expected table.policy or schema.table.policy")
            })
    }

    /// The policy name quoted for SQL text.
    pub fn name_sql(&self) -> String {
        quote_ident(&self.name)
    }
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.table, QualifiedName::new(None, &self.name))
    }
}

macro_rules! name_serde {
    ($ty:ty, $expecting:literal, $schema_name:literal, $description:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                visit_name(deserializer, $expecting, <$ty>::parse)
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $schema_name.into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "description": $description, "type": "string", "minLength": 1 })
            }
        }
    };
}

name_serde!(
    ColumnRef,
    "table.column or schema.table.column",
    "ColumnRef",
    "table.column or schema.table.column; unquoted parts fold to lowercase, \"Quoted\" parts keep case."
);
name_serde!(
    ConstraintRef,
    "name, table.name or schema.table.name",
    "ConstraintRef",
    "A constraint: name, table.name or schema.table.name."
);
name_serde!(
    PolicyRef,
    "table.policy or schema.table.policy",
    "PolicyRef",
    "A row-level security policy: table.policy or schema.table.policy."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_table_and_member() {
        let c = ColumnRef::parse("opendolphin.d_document.AdmFlag").unwrap();
        assert_eq!(
            c.table,
            QualifiedName::new(Some("opendolphin"), "d_document")
        );
        assert_eq!(c.column, "admflag");
        assert_eq!(
            ColumnRef::parse("d_module.performflag")
                .unwrap()
                .to_string(),
            "d_module.performflag"
        );
        assert_eq!(
            ColumnRef::parse("admflag").unwrap_err(),
            "invalid column 'admflag': expected table.column or schema.table.column"
        );
        assert_eq!(ConstraintRef::parse("fk_user").unwrap().table, None);
        assert_eq!(
            ConstraintRef::parse("public.ai_dialogue_log.fk_user")
                .unwrap()
                .table,
            Some(QualifiedName::new(Some("public"), "ai_dialogue_log"))
        );
        let p = PolicyRef::parse("meetings.\"user meetings policy\"").unwrap();
        assert_eq!(p.name, "user meetings policy");
        assert_eq!(p.to_string(), "meetings.\"user meetings policy\"");
        assert!(PolicyRef::parse("a.b.c.d").is_err());
    }
}

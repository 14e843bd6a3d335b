//! Names of objects that live inside a table (columns, constraints, policies, triggers), written
//! `table.column` or `schema.table.column` in gate checks, and the other names gates look up:
//! roles, functions with their signatures, `table(columns)`.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use crate::qualified_name::{
    QualifiedName, parse_identifier, parse_parts, quote_ident, visit_name,
};

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

/// A trigger of a table: `table.trigger` or `schema.table.trigger`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TriggerRef {
    pub table: QualifiedName,
    pub name: String,
}

impl TriggerRef {
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts =
            parse_parts(text).map_err(|detail| format!("invalid trigger '{text}': {detail}"))?;
        table_and_member(parts)
            .map(|(table, name)| Self { table, name })
            .ok_or_else(|| {
                format!("invalid trigger '{text}': expected table.trigger or schema.table.trigger")
            })
    }
}

impl fmt::Display for TriggerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.table, QualifiedName::new(None, &self.name))
    }
}

/// One identifier that is not a relation: a role, a column, an extension. Unquoted names fold
/// to lowercase and quoted ones keep case, as in SQL, so `Reader` and `reader` are one role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier(pub String);

impl Identifier {
    pub fn parse(text: &str) -> Result<Self, String> {
        parse_identifier(text).map(Identifier)
    }

    /// The name quoted for SQL text (`"Reader"`): what `to_regrole` and `SET ROLE` read.
    pub fn to_sql(&self) -> String {
        quote_ident(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", QualifiedName::new(None, &self.0))
    }
}

/// Splits `text` at the first `(` that is not inside a quoted identifier: `"f(x)"(int)` is the
/// function `f(x)` with an int argument.
fn split_at_paren(text: &str) -> (&str, Option<&str>) {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => return (&text[..i], Some(&text[i + 1..])),
            _ => {}
        }
    }
    (text, None)
}

/// Splits at commas outside quoted identifiers.
fn split_commas(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A function: `name` (any overload) or `name(argtypes)` (exactly that signature), optionally
/// schema-qualified. The argument types are the server's to read (`to_regprocedure`): `int`,
/// `integer` and `int4` are one type there, and only the server knows the user's types.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FunctionRef {
    pub name: QualifiedName,
    /// The text between the parentheses, trimmed; `None` when none were written.
    pub args: Option<String>,
}

impl FunctionRef {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, rest) = split_at_paren(text);
        let name = QualifiedName::parse(name.trim())
            .map_err(|detail| format!("invalid function '{text}': {detail}"))?;
        let args = match rest {
            None => None,
            Some(rest) => match rest.trim_end().strip_suffix(')') {
                Some(args) => Some(args.trim().to_owned()),
                None => {
                    return Err(format!(
                        "invalid function '{text}': expected name or name(argument types), e.g. public.f(integer, text)"
                    ));
                }
            },
        };
        Ok(Self { name, args })
    }

    /// What `to_regprocedure` reads: the quoted name and the argument types as written.
    pub fn signature_sql(&self) -> Option<String> {
        self.args
            .as_ref()
            .map(|args| format!("{}({args})", self.name.to_sql()))
    }
}

impl fmt::Display for FunctionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(args) = &self.args {
            write!(f, "({args})")?;
        }
        Ok(())
    }
}

/// A table and optionally some of its columns: `table`, `table(a, b)` or `schema.table(a)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableColumns {
    pub table: QualifiedName,
    /// `None`: any columns (for a foreign key, whichever it references).
    pub columns: Option<Vec<String>>,
}

impl TableColumns {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, rest) = split_at_paren(text);
        let table = QualifiedName::parse(name.trim())
            .map_err(|detail| format!("invalid table '{text}': {detail}"))?;
        let columns = match rest {
            None => None,
            Some(rest) => {
                let inner = rest.trim_end().strip_suffix(')').ok_or_else(|| {
                    format!("invalid table '{text}': expected table or table(column, ...); a ')' is missing")
                })?;
                let columns = split_commas(inner)
                    .into_iter()
                    .map(|c| parse_identifier(c.trim()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|detail| format!("invalid table '{text}': {detail}"))?;
                Some(columns)
            }
        };
        Ok(Self { table, columns })
    }
}

impl fmt::Display for TableColumns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table)?;
        if let Some(columns) = &self.columns {
            write!(f, "({})", display_columns(columns))?;
        }
        Ok(())
    }
}

/// `a, "B"`: columns as SQL would spell them.
pub fn display_columns(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| QualifiedName::new(None, c).to_string())
        .collect::<Vec<_>>()
        .join(", ")
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
name_serde!(
    TriggerRef,
    "table.trigger or schema.table.trigger",
    "TriggerRef",
    "A trigger: table.trigger or schema.table.trigger."
);
name_serde!(
    Identifier,
    "a name",
    "Identifier",
    "One name (a role, a column, an extension); unquoted it folds to lowercase, \"Quoted\" it keeps case."
);
name_serde!(
    FunctionRef,
    "name or name(argument types)",
    "FunctionRef",
    "A function: name or schema.name (any overload), or name(argument types) for exactly that signature, e.g. public.f(integer, text)."
);
name_serde!(
    TableColumns,
    "table or table(column, ...)",
    "TableColumns",
    "A table and its columns: table(column, ...), or the table alone."
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

    #[test]
    fn functions_keep_their_signature_for_the_server() {
        let f = FunctionRef::parse("app.Touch(int, text)").unwrap();
        assert_eq!(f.name, QualifiedName::new(Some("app"), "touch"));
        assert_eq!(f.args.as_deref(), Some("int, text"));
        assert_eq!(f.signature_sql().unwrap(), "\"app\".\"touch\"(int, text)");
        assert_eq!(f.to_string(), "app.touch(int, text)");
        let any = FunctionRef::parse("\"f(x)\"").unwrap();
        assert_eq!((any.name.name.as_str(), any.args), ("f(x)", None));
        assert_eq!(FunctionRef::parse("f()").unwrap().args.as_deref(), Some(""));
        assert!(FunctionRef::parse("f(int").is_err());
        assert!(FunctionRef::parse("f(int)); DROP TABLE t; --(").is_err());
    }

    #[test]
    fn table_columns_split_outside_quotes() {
        let t = TableColumns::parse("app.d_facility(id, \"Code,2\")").unwrap();
        assert_eq!(t.table, QualifiedName::new(Some("app"), "d_facility"));
        assert_eq!(
            t.columns.unwrap(),
            vec!["id".to_owned(), "Code,2".to_owned()]
        );
        assert_eq!(TableColumns::parse("d_facility").unwrap().columns, None);
        assert!(TableColumns::parse("d_facility(id").is_err());
        assert_eq!(
            TriggerRef::parse("d_patient.audit").unwrap().to_string(),
            "d_patient.audit"
        );
    }
}

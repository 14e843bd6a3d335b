//! Names of database objects as SQL spells them: `d_users`, `opendolphin.d_users`,
//! `"MixedCase"`, `"odd.name"`. Unquoted parts fold to lowercase, quoted parts keep case and may
//! contain dots, exactly as PostgreSQL reads them, so a gate checks the object the SQL would
//! touch.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// A table, sequence, index or other relation, optionally schema-qualified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualifiedName {
    /// `None` means "resolve through the search path", as an unqualified name in SQL does.
    pub schema: Option<String>,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: Option<&str>, name: &str) -> Self {
        Self {
            schema: schema.map(str::to_owned),
            name: name.to_owned(),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts =
            parse_parts(text).map_err(|detail| format!("invalid name '{text}': {detail}"))?;
        match parts.len() {
            1 => Ok(Self {
                schema: None,
                name: parts.remove(0),
            }),
            2 => {
                let name = parts.remove(1);
                Ok(Self {
                    schema: Some(parts.remove(0)),
                    name,
                })
            }
            _ => Err(format!(
                "invalid name '{text}': expected name or schema.name"
            )),
        }
    }

    /// The name quoted for SQL text (`"opendolphin"."d_users"`), safe to paste into a statement.
    pub fn to_sql(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", quote_ident(schema), quote_ident(&self.name)),
            None => quote_ident(&self.name),
        }
    }
}

impl fmt::Display for QualifiedName {
    /// The shortest SQL spelling: quotes only where PostgreSQL needs them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{}.", display_ident(schema))?;
        }
        f.write_str(&display_ident(&self.name))
    }
}

/// One identifier (a column), same quoting rules.
pub fn parse_identifier(text: &str) -> Result<String, String> {
    let mut parts =
        parse_parts(text).map_err(|detail| format!("invalid identifier '{text}': {detail}"))?;
    if parts.len() != 1 {
        return Err(format!(
            "invalid identifier '{text}': expected one name without dots (quote it to keep a dot: \"a.b\")"
        ));
    }
    Ok(parts.remove(0))
}

/// `"name"` with embedded quotes doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn display_ident(name: &str) -> Cow<'_, str> {
    let plain = !name.is_empty()
        && name.chars().enumerate().all(|(i, c)| {
            c.is_ascii_lowercase() || c == '_' || (i > 0 && (c.is_ascii_digit() || c == '$'))
        });
    if plain {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(quote_ident(name))
    }
}

/// Splits a dotted name into its parts, applying SQL's folding and quoting rules.
pub(crate) fn parse_parts(text: &str) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut part = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    None => {
                        return Err("unterminated quoted identifier (a '\"' is missing)".to_owned());
                    }
                    Some('"') if chars.next_if_eq(&'"').is_some() => part.push('"'),
                    Some('"') => break,
                    Some(c) => part.push(c),
                }
            }
            if part.is_empty() {
                return Err("a quoted identifier cannot be empty".to_owned());
            }
        } else {
            while let Some(c) = chars.next_if(|c| !matches!(c, '.' | '"') && !c.is_whitespace()) {
                let allowed = c.is_alphabetic()
                    || c == '_'
                    || (!part.is_empty() && (c.is_ascii_digit() || c == '$'));
                if !allowed {
                    return Err(format!(
                        "unexpected character '{c}' in an unquoted name (quote the name to use it: \"{}\")",
                        text.trim()
                    ));
                }
                part.push(c.to_ascii_lowercase());
            }
            if part.is_empty() {
                return Err("expected a name before and after every '.'".to_owned());
            }
        }
        parts.push(part);
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            None => return Ok(parts),
            Some('.') => {}
            Some(c) => {
                return Err(format!(
                    "unexpected character '{c}' after a name; expected '.' or the end"
                ));
            }
        }
    }
}

pub(crate) fn visit_name<'de, D, T>(
    deserializer: D,
    expecting: &'static str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct NameVisitor<T> {
        expecting: &'static str,
        parse: fn(&str) -> Result<T, String>,
    }
    impl<T> Visitor<'_> for NameVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.parse)(v).map_err(E::custom)
        }
    }
    deserializer.deserialize_str(NameVisitor { expecting, parse })
}

impl<'de> Deserialize<'de> for QualifiedName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        visit_name(deserializer, "a name or schema.name", QualifiedName::parse)
    }
}

impl JsonSchema for QualifiedName {
    fn schema_name() -> Cow<'static, str> {
        "QualifiedName".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "name or schema.name; unquoted parts fold to lowercase, \"Quoted\" parts keep case and may contain dots.",
            "type": "string",
            "minLength": 1
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_unquoted_and_keeps_quoted() {
        assert_eq!(
            QualifiedName::parse("D_Users").unwrap(),
            QualifiedName::new(None, "d_users")
        );
        assert_eq!(
            QualifiedName::parse("OpenDolphin.\"MixedCase\"").unwrap(),
            QualifiedName::new(Some("opendolphin"), "MixedCase")
        );
        assert_eq!(
            QualifiedName::parse("\"a.b\"").unwrap(),
            QualifiedName::new(None, "a.b")
        );
        assert_eq!(
            QualifiedName::parse("\"say \"\"hi\"\"\"").unwrap().name,
            "say \"hi\""
        );
        assert_eq!(
            QualifiedName::parse(" public . t ").unwrap(),
            QualifiedName::new(Some("public"), "t")
        );
    }

    #[test]
    fn renders_for_sql_and_for_people() {
        let name = QualifiedName::new(Some("public"), "Odd\"Name");
        assert_eq!(name.to_sql(), "\"public\".\"Odd\"\"Name\"");
        assert_eq!(name.to_string(), "public.\"Odd\"\"Name\"");
        assert_eq!(QualifiedName::new(None, "d_users").to_string(), "d_users");
    }

    #[test]
    fn explains_bad_names() {
        assert_eq!(
            QualifiedName::parse("a.b.c").unwrap_err(),
            "invalid name 'a.b.c': expected name or schema.name"
        );
        assert_eq!(
            QualifiedName::parse("my-table").unwrap_err(),
            "invalid name 'my-table': unexpected character '-' in an unquoted name (quote the name to use it: \"my-table\")"
        );
        assert_eq!(
            QualifiedName::parse("\"open").unwrap_err(),
            "invalid name '\"open': unterminated quoted identifier (a '\"' is missing)"
        );
        assert!(QualifiedName::parse("a..b").is_err());
        assert!(QualifiedName::parse("").is_err());
        assert!(QualifiedName::parse("\"\"").is_err());
        assert!(QualifiedName::parse("1abc").is_err());
    }
}

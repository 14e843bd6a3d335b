//! Values that gate expectations compare with query results.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// One expected cell. Query results arrive as PostgreSQL's text output, so comparison is by
/// meaning, not by spelling: `5` matches `5` and `5.0`, `true` matches `t`.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl Scalar {
    /// Whether a cell as PostgreSQL prints it (`None` for NULL) equals this value.
    pub fn matches_text(&self, cell: Option<&str>) -> bool {
        match (self, cell) {
            (Scalar::Null, None) => true,
            (_, None) | (Scalar::Null, Some(_)) => false,
            (Scalar::Bool(b), Some(text)) => match text.trim() {
                "t" | "true" | "TRUE" | "True" => *b,
                "f" | "false" | "FALSE" | "False" => !*b,
                _ => false,
            },
            (Scalar::Int(i), Some(text)) => {
                let text = text.trim();
                text.parse::<i64>().map(|v| v == *i).unwrap_or(false)
                    || text.parse::<f64>().is_ok_and(|v| v == *i as f64)
            }
            (Scalar::Float(x), Some(text)) => text.trim().parse::<f64>().is_ok_and(|v| v == *x),
            (Scalar::Text(s), Some(text)) => s == text,
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Null => f.write_str("null"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
            Scalar::Text(s) => write!(f, "'{s}'"),
        }
    }
}

pub(crate) struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a single value (text, number, true/false or null)")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(i64::try_from(v).map_or_else(|_| Scalar::Text(v.to_string()), Scalar::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl JsonSchema for Scalar {
    fn schema_name() -> Cow<'static, str> {
        "Scalar".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A single value: text, number, true/false or null.",
            "type": ["string", "number", "boolean", "null"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_with_postgres_text_output() {
        assert!(Scalar::Int(5).matches_text(Some("5")));
        assert!(Scalar::Int(5).matches_text(Some("5.0")));
        assert!(!Scalar::Int(5).matches_text(Some("6")));
        assert!(Scalar::Bool(true).matches_text(Some("t")));
        assert!(!Scalar::Bool(true).matches_text(Some("f")));
        assert!(Scalar::Null.matches_text(None));
        assert!(!Scalar::Text("x".into()).matches_text(None));
        assert!(Scalar::Text("d_users".into()).matches_text(Some("d_users")));
        assert!(Scalar::Float(1.5).matches_text(Some("1.50")));
    }
}

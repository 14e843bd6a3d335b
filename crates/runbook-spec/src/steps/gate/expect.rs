//! `expect`: the conditions a gate query's result must satisfy. A key written with the value
//! `null` never vanishes: `equals: null` means "the one value is NULL", and on the keys where
//! null means nothing (`rows`, `min`, `max`, `contains`, `empty`, `expect` itself) it is an error
//! at its position, so a check never silently turns into "the query runs".

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::scalar::{Scalar, ScalarVisitor};

/// Conditions on a query's result; all given conditions must hold.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Exact number of rows.
    #[serde(default, deserialize_with = "rows")]
    #[schemars(with = "u64")]
    pub rows: Option<u64>,
    /// The result is a single value, a number at least this.
    #[serde(default, deserialize_with = "min")]
    #[schemars(with = "f64")]
    pub min: Option<f64>,
    /// The result is a single value, a number at most this.
    #[serde(default, deserialize_with = "max")]
    #[schemars(with = "f64")]
    pub max: Option<f64>,
    /// The result equals this single value (null: the one value is NULL), or these rows (a
    /// list of rows, each a list of values).
    #[serde(default, deserialize_with = "equals")]
    #[schemars(with = "Equals")]
    pub equals: Option<Equals>,
    /// Rows that must be among the result (each a list of values).
    #[serde(default, deserialize_with = "contains")]
    #[schemars(with = "Vec<Vec<Scalar>>")]
    pub contains: Option<Vec<Vec<Scalar>>>,
    /// true: no rows; false: at least one row.
    #[serde(default, deserialize_with = "empty")]
    #[schemars(with = "bool")]
    pub empty: Option<bool>,
}

impl Expect {
    /// Conditions no result can meet at once (`min` above `max`, `empty: true` with rows), said
    /// as a fragment for the caller's message; `None` when the conditions can hold.
    pub(crate) fn contradiction(&self) -> Option<String> {
        if let (Some(min), Some(max)) = (self.min, self.max)
            && min > max
        {
            return Some(format!("min {min} is above max {max}"));
        }
        if self.empty == Some(true)
            && let Some(rows) = self.rows.filter(|&r| r > 0)
        {
            return Some(format!("empty: true contradicts rows: {rows}"));
        }
        None
    }
}

/// A key that was written must have a value: `None` only when the key is absent (serde's
/// `default`), never for an explicit `null`, which is an error naming what was expected.
pub(crate) fn given<'de, D, T>(deserializer: D, expected: &str) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(de::Error::custom(format!(
            "invalid null: expected {expected}"
        ))),
    }
}

fn rows<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    given(
        d,
        "a whole number of rows; leave 'rows' out to accept any number",
    )
}

fn min<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    given(d, "a number; leave 'min' out for no lower bound")
}

fn max<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    given(d, "a number; leave 'max' out for no upper bound")
}

fn contains<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Vec<Scalar>>>, D::Error> {
    given(d, "a list of rows, each a list of values")
}

fn empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    given(d, "true (no rows) or false (at least one row)")
}

/// `equals: null` is the NULL value, as `[[null]]` is the one row holding it.
fn equals<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Equals>, D::Error> {
    Equals::deserialize(d).map(Some)
}

/// `expect: null` would otherwise mean "no conditions": the query merely has to run.
pub(crate) fn expect<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Expect>, D::Error> {
    given(
        d,
        "a mapping of conditions (rows, min, max, equals, contains, empty); leave 'expect' out if the query only has to run",
    )
}

/// `equals:` takes a single value (for a one-row, one-column result) or the whole result.
#[derive(Debug, Clone, PartialEq)]
pub enum Equals {
    Value(Scalar),
    Rows(Vec<Vec<Scalar>>),
}

impl<'de> Deserialize<'de> for Equals {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EqualsVisitor;
        impl<'de> Visitor<'de> for EqualsVisitor {
            type Value = Equals;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a single value or a list of rows (each a list of values)")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Equals, E> {
                ScalarVisitor.visit_unit().map(Equals::Value)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Equals, E> {
                ScalarVisitor.visit_bool(v).map(Equals::Value)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Equals, E> {
                ScalarVisitor.visit_i64(v).map(Equals::Value)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Equals, E> {
                ScalarVisitor.visit_u64(v).map(Equals::Value)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Equals, E> {
                ScalarVisitor.visit_f64(v).map(Equals::Value)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Equals, E> {
                ScalarVisitor.visit_str(v).map(Equals::Value)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Equals, A::Error> {
                let mut rows = Vec::new();
                while let Some(item) = seq.next_element::<RowOrValue>()? {
                    match item {
                        RowOrValue::Row(row) => rows.push(row),
                        RowOrValue::Value(value) => {
                            return Err(de::Error::custom(format!(
                                "invalid equals: expected a single value or a list of rows, each a list of values; found the value {value} in the list (for one column write [[1], [2]])"
                            )));
                        }
                    }
                }
                Ok(Equals::Rows(rows))
            }
        }
        deserializer.deserialize_any(EqualsVisitor)
    }
}

/// An item of `equals: [...]`: rows are lists; a bare value there is a common slip
/// (`[1, 2]` for `[[1], [2]]`) that deserves its own message.
enum RowOrValue {
    Row(Vec<Scalar>),
    Value(Scalar),
}

impl<'de> Deserialize<'de> for RowOrValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = RowOrValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a row (a list of values)")
            }
            fn visit_unit<E: de::Error>(self) -> Result<RowOrValue, E> {
                Ok(RowOrValue::Value(Scalar::Null))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RowOrValue, E> {
                Ok(RowOrValue::Value(Scalar::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RowOrValue, E> {
                ScalarVisitor.visit_i64(v).map(RowOrValue::Value)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RowOrValue, E> {
                ScalarVisitor.visit_u64(v).map(RowOrValue::Value)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RowOrValue, E> {
                ScalarVisitor.visit_f64(v).map(RowOrValue::Value)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RowOrValue, E> {
                ScalarVisitor.visit_str(v).map(RowOrValue::Value)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RowOrValue, A::Error> {
                let mut row = Vec::new();
                while let Some(cell) = seq.next_element::<Scalar>()? {
                    row.push(cell);
                }
                Ok(RowOrValue::Row(row))
            }
        }
        deserializer.deserialize_any(ItemVisitor)
    }
}

impl JsonSchema for Equals {
    fn schema_name() -> Cow<'static, str> {
        "Equals".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let scalar = generator.subschema_for::<Scalar>();
        json_schema!({
            "description": "A single value, or the whole result as a list of rows (each a list of values).",
            "anyOf": [
                scalar,
                { "type": "array", "items": { "type": "array", "items": scalar } }
            ]
        })
    }
}

//! `row_count`: how many rows a table holds, without writing the count query by hand.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use super::expect::given;
use crate::qualified_name::QualifiedName;

/// `{ table, min | max | equals }`: at least one bound.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RowCount {
    /// The table (or materialized view), resolved as the server does (`to_regclass`).
    pub table: QualifiedName,
    /// At least this many rows.
    #[serde(default, deserialize_with = "min")]
    #[schemars(with = "u64")]
    pub min: Option<u64>,
    /// At most this many rows.
    #[serde(default, deserialize_with = "max")]
    #[schemars(with = "u64")]
    pub max: Option<u64>,
    /// Exactly this many rows.
    #[serde(default, deserialize_with = "equals")]
    #[schemars(with = "u64")]
    pub equals: Option<u64>,
}

fn min<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    given(
        d,
        "a whole number of rows; leave 'min' out for no lower bound",
    )
}

fn max<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    given(
        d,
        "a whole number of rows; leave 'max' out for no upper bound",
    )
}

fn equals<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    given(d, "a whole number of rows")
}

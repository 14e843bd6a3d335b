//! `sequence_reset`: set where a sequence continues after a restore (the facility_num problem:
//! restored rows, but the sequence still starts at 1).
//!
//! `max_of` never moves a sequence back by default: an empty or partly restored table would
//! otherwise set a sequence that a seed deliberately put ahead (seed 004's floor of 103) back to
//! 1, and the next insert would collide with rows that come later. Moving back is asked for
//! with `allow_lower: true`; `floor` sets a minimum.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::qualified_name::{QualifiedName, parse_identifier};
use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Makes the next `nextval()` of a sequence return a chosen value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SequenceReset {
    /// The sequence, possibly schema-qualified (public.facility_num).
    pub sequence: QualifiedName,
    /// Either { max_of: { table, column } } (next value = max + 1, but never lower than what
    /// nextval() returns now; optional `floor: N` and `allow_lower: true`) or { next: N } (next
    /// value = N, as written).
    pub to: ResetTo,
}

/// Where the sequence continues.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(try_from = "ToKeys")]
pub enum ResetTo {
    /// After the largest value in a column: the next `nextval()` returns the greatest of max + 1
    /// (1 when the table is empty), `floor`, and (unless `allow_lower`) what it returns now.
    MaxOf(MaxOf),
    /// The next `nextval()` returns exactly this (ALTER SEQUENCE ... RESTART WITH N); at least 1.
    /// An explicit value, so it is applied even when it moves the sequence back (recorded as
    /// `lowered`).
    Next(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaxOf {
    /// The table, possibly schema-qualified.
    pub table: QualifiedName,
    /// The column whose maximum is used.
    #[serde(deserialize_with = "column")]
    #[schemars(with = "String")]
    pub column: String,
    /// The least next value (`to.floor`), whatever the table holds.
    #[serde(skip)]
    pub floor: Option<i64>,
    /// `to.allow_lower`: the sequence may be moved back to max + 1 (or the floor).
    #[serde(skip)]
    pub allow_lower: bool,
}

/// The keys of `to` as written: exactly one of `max_of` and `next`; `floor` and `allow_lower`
/// only with `max_of`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ToKeys {
    /// { table, column }: next value = max(column) + 1 (1 on an empty table), never lower than
    /// what nextval() returns now unless allow_lower.
    #[serde(default)]
    max_of: Option<MaxOf>,
    /// With max_of: the least next value (seed 004's `setval('facility_num', 103)`), at least 1.
    #[serde(default)]
    floor: Option<i64>,
    /// With max_of: move the sequence back to max + 1 (or the floor) when it is ahead. Off by
    /// default: a sequence ahead of the data is usually ahead on purpose.
    #[serde(default)]
    allow_lower: Option<bool>,
    /// The next nextval() returns exactly N (applied as written, even when lower).
    #[serde(default)]
    next: Option<i64>,
}

impl TryFrom<ToKeys> for ResetTo {
    type Error = String;

    fn try_from(keys: ToKeys) -> Result<ResetTo, String> {
        match (keys.max_of, keys.next) {
            (Some(mut max_of), None) => {
                max_of.floor = keys.floor;
                max_of.allow_lower = keys.allow_lower.unwrap_or(false);
                Ok(ResetTo::MaxOf(max_of))
            }
            (None, Some(next)) => {
                let mut extra = Vec::new();
                if keys.floor.is_some() {
                    extra.push("floor");
                }
                if keys.allow_lower.is_some() {
                    extra.push("allow_lower");
                }
                if extra.is_empty() {
                    Ok(ResetTo::Next(next))
                } else {
                    Err(format!(
                        "invalid value: '{}' goes with max_of, not with next (next: N is applied as written)",
                        extra.join("' and '")
                    ))
                }
            }
            (Some(_), Some(_)) => {
                Err("invalid value: expected exactly one of max_of, next, found both".to_owned())
            }
            (None, None) => {
                Err("invalid value: expected exactly one of max_of, next, found neither".to_owned())
            }
        }
    }
}

fn column<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    crate::qualified_name::visit_name(deserializer, "a column name", parse_identifier)
}

impl KindSpec for SequenceReset {
    const KIND: &'static str = "sequence_reset";
    const NEEDS: Needs = Needs::Postgres;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        let (key, n) = match &self.to {
            ResetTo::Next(n) => ("next", *n),
            ResetTo::MaxOf(MaxOf {
                floor: Some(floor), ..
            }) => ("floor", *floor),
            ResetTo::MaxOf(_) => return,
        };
        if n < 1 {
            let message = format!(
                "invalid 'to.{key}' in {}: expected 1 or more, found {n}",
                cx.label()
            );
            cx.error(&["to", key], message);
        }
    }
}

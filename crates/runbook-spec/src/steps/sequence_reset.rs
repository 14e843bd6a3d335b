//! `sequence_reset`: set where a sequence continues after a restore (the facility_num problem:
//! restored rows, but the sequence still starts at 1).

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
    /// Either { max_of: { table, column } } (next value = max + 1, or 1 on an empty table) or
    /// { next: N } (next value = N).
    pub to: ResetTo,
}

/// Where the sequence continues.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResetTo {
    /// After the largest value in a column: the next `nextval()` returns max + 1 (1 when the table
    /// is empty).
    MaxOf(MaxOf),
    /// The next `nextval()` returns exactly this (ALTER SEQUENCE ... RESTART WITH N); at least 1.
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
}

fn column<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    crate::qualified_name::visit_name(deserializer, "a column name", parse_identifier)
}

impl KindSpec for SequenceReset {
    const KIND: &'static str = "sequence_reset";
    const NEEDS: Needs = Needs::Postgres;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        if let ResetTo::Next(n) = self.to
            && n < 1
        {
            let message = format!(
                "invalid 'to.next' in {}: expected 1 or more, found {n}",
                cx.label()
            );
            cx.error(&["to", "next"], message);
        }
    }

    fn into_kind(self) -> crate::StepKind {
        crate::StepKind::SequenceReset(self)
    }
}

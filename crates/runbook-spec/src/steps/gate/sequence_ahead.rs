//! `sequence_ahead`: the next `nextval()` of a sequence will not collide with the rows already
//! in a column (a restore that loads rows but leaves the sequence behind makes the next insert
//! fail with a duplicate key: the facility_num problem).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::object_refs::ColumnRef;
use crate::qualified_name::QualifiedName;

/// `{ sequence, of: table.column }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SequenceAhead {
    /// The sequence, resolved as the server does (`to_regclass`).
    pub sequence: QualifiedName,
    /// The column its values go into: table.column or schema.table.column.
    pub of: ColumnRef,
}

//! `enum_values`: an enum type has exactly these labels, in this order (an enum restored from
//! an older schema, or extended with `ALTER TYPE ... ADD VALUE` in another order, sorts and
//! compares differently).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::qualified_name::QualifiedName;

/// `{ type: schema.name, values: [a, b] }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValues {
    /// The enum type: name or schema.name, resolved as the server does (`to_regtype`).
    #[serde(rename = "type")]
    pub type_name: QualifiedName,
    /// Every label, in the type's sort order; labels are compared exactly (case included).
    pub values: Vec<String>,
}

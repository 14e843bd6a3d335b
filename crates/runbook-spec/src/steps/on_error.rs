//! What a SQL script does when a statement fails.

use schemars::JsonSchema;
use serde::Deserialize;

/// `stop` (the default here) ends the step at the first failing statement, like
/// `psql -v ON_ERROR_STOP=1`; `continue` reports the error and goes on, which is psql's own default
/// and is only ever right on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    #[default]
    Stop,
    Continue,
}

//! Query results as plain text, the form gates and evidence use.

use crate::server_message::ServerMessage;

/// The rows of one statement, every value as PostgreSQL's text output (`None` for NULL).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    /// What the server reported as affected (rows returned for a SELECT), when it said.
    pub rows_affected: Option<u64>,
    /// Notices and warnings the server raised while running it.
    pub notices: Vec<ServerMessage>,
}

impl Rows {
    /// The single value of a one-row, one-column result (`SELECT count(*) ...`).
    pub fn single_value(&self) -> Option<Option<&str>> {
        match (self.rows.as_slice(), self.columns.len()) {
            ([row], 1) => Some(row[0].as_deref()),
            _ => None,
        }
    }
}

/// What a statement without a result set did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Executed {
    pub rows_affected: Option<u64>,
    pub notices: Vec<ServerMessage>,
}

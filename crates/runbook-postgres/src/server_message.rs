//! What the server said: an error or a notice, unpacked from the driver's `DbError`.
//!
//! `tokio_postgres::Error` displays as "db error", which tells a user nothing. Every place that
//! receives one turns it into a [`ServerMessage`] with the SQLSTATE and the DETAIL, HINT and
//! CONTEXT fields psql would show, so no caller has to remember to unpack it.

use std::fmt;

use tokio_postgres::error::{DbError, ErrorPosition};

/// An ErrorResponse or NoticeResponse from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerMessage {
    /// `ERROR`, `FATAL`, `WARNING`, `NOTICE`, ... (not localized).
    pub severity: String,
    /// The SQLSTATE, e.g. `42601`.
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// Where the server was (function, COPY line, ...): psql's `CONTEXT`.
    pub context: Option<String>,
    pub position: Option<ServerPosition>,
}

/// Where in the text the error is, as the server counts: 1-based characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerPosition {
    /// In the statement the client sent.
    Original(u32),
    /// In a query the server generated or ran internally (a function body, for instance).
    Internal { position: u32, query: String },
}

impl ServerMessage {
    pub(crate) fn from_db_error(error: &DbError) -> ServerMessage {
        ServerMessage {
            severity: error
                .parsed_severity()
                .map(|s| s.to_string())
                .unwrap_or_else(|| error.severity().to_owned()),
            code: error.code().code().to_owned(),
            message: error.message().to_owned(),
            detail: error.detail().map(str::to_owned),
            hint: error.hint().map(str::to_owned),
            context: error.where_().map(str::to_owned),
            position: error.position().map(|p| match p {
                ErrorPosition::Original(position) => ServerPosition::Original(*position),
                ErrorPosition::Internal { position, query } => ServerPosition::Internal {
                    position: *position,
                    query: query.clone(),
                },
            }),
        }
    }

    /// Lines after the first, as psql prints them: `DETAIL:`, `HINT:`, `QUERY:`, `CONTEXT:`.
    pub fn extra_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(detail) = &self.detail {
            lines.push(format!("DETAIL:  {detail}"));
        }
        if let Some(hint) = &self.hint {
            lines.push(format!("HINT:  {hint}"));
        }
        if let Some(ServerPosition::Internal { query, .. }) = &self.position {
            lines.push(format!("QUERY:  {query}"));
        }
        if let Some(context) = &self.context {
            lines.push(format!("CONTEXT:  {context}"));
        }
        lines
    }
}

/// One line: the message and its SQLSTATE. The other fields are in [`ServerMessage::extra_lines`].
impl fmt::Display for ServerMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (SQLSTATE {})", self.message, self.code)
    }
}

//! What the server said: an error or a notice, unpacked from the driver's `DbError`.
//!
//! `tokio_postgres::Error` displays as "db error", which tells a user nothing. Every place that
//! receives one turns it into a [`ServerMessage`] with the SQLSTATE and the DETAIL, HINT and
//! CONTEXT fields psql would show, so no caller has to remember to unpack it.

use std::fmt;

use tokio_postgres::error::{DbError, ErrorPosition};

/// The most of one field of a server message (the message, DETAIL, HINT, CONTEXT, an internal
/// query) that is kept: its first [`KEPT_HEAD_BYTES`] and last [`KEPT_TAIL_BYTES`], with a note of
/// how much was left out between them. A server (or a function on it) can raise an error of
/// hundreds of megabytes; copied whole it was formatted, redacted, written to the evidence and
/// printed several times over (a 200 MB message cost 2.5 GB of memory). Cutting it where it is
/// unpacked from the driver bounds every later copy. The head says what went wrong, the tail
/// often where (the end of a CONTEXT, the last words of a message).
pub const MAX_SERVER_FIELD_BYTES: usize = KEPT_HEAD_BYTES + KEPT_TAIL_BYTES;
/// See [`MAX_SERVER_FIELD_BYTES`].
pub const KEPT_HEAD_BYTES: usize = 6 * 1024;
/// See [`MAX_SERVER_FIELD_BYTES`].
pub const KEPT_TAIL_BYTES: usize = 2 * 1024;

/// `text` if it is at most [`MAX_SERVER_FIELD_BYTES`]; otherwise its head and tail (cut at
/// character boundaries) around a note of how many bytes were left out.
pub fn bounded_field(text: &str) -> String {
    if text.len() <= MAX_SERVER_FIELD_BYTES {
        return text.to_owned();
    }
    let mut head = KEPT_HEAD_BYTES;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - KEPT_TAIL_BYTES;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    format!(
        "{} [... {} bytes of the server's text not kept ...] {}",
        &text[..head],
        tail - head,
        &text[tail..]
    )
}

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
            code: bounded_field(error.code().code()),
            message: bounded_field(error.message()),
            detail: error.detail().map(bounded_field),
            hint: error.hint().map(bounded_field),
            context: error.where_().map(bounded_field),
            position: error.position().map(|p| match p {
                ErrorPosition::Original(position) => ServerPosition::Original(*position),
                ErrorPosition::Internal { position, query } => ServerPosition::Internal {
                    position: *position,
                    query: bounded_field(query),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_fields_are_kept_whole() {
        assert_eq!(
            bounded_field("relation \"x\" does not exist"),
            "relation \"x\" does not exist"
        );
        let edge = "y".repeat(MAX_SERVER_FIELD_BYTES);
        assert_eq!(bounded_field(&edge), edge);
    }

    #[test]
    fn long_fields_keep_head_and_tail_with_a_note() {
        let text = format!("START{}END", "é".repeat(5_000_000));
        let kept = bounded_field(&text);
        assert!(kept.len() < MAX_SERVER_FIELD_BYTES + 100, "{}", kept.len());
        assert!(kept.starts_with("STARTé"));
        assert!(kept.ends_with("éEND"));
        assert!(kept.contains(" bytes of the server's text not kept ...] "));
        let note: usize = kept
            .split("[... ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        let (head, tail) = kept.split_once(" [... ").unwrap();
        let tail = tail.split_once(" ...] ").unwrap().1;
        assert_eq!(head.len() + note + tail.len(), text.len());
    }
}

//! Watching a load as it runs: the engine writes evidence and progress from these calls.

use std::time::Duration;

use runbook_sql::Position;

use super::results::ResultTable;
use crate::errors::ScriptError;
use crate::server_message::ServerMessage;
use crate::spec::ConnectionSpec;

/// One statement that completed.
#[derive(Debug, Clone, Copy)]
pub struct StatementOutcome<'a> {
    /// The text as sent.
    pub text: &'a str,
    pub start: Position,
    pub end: Position,
    /// The command, from the statement's leading keywords (`CREATE TABLE`, `COPY`, ...):
    /// the driver gives row counts, not the server's command tag.
    pub tag: &'a str,
    /// Rows affected or returned, when the server said.
    pub rows: Option<u64>,
    pub duration: Duration,
    /// NOTICE and WARNING messages the statement raised.
    pub notices: &'a [ServerMessage],
    /// The result sets it returned (a SELECT, `RETURNING`, SHOW, EXPLAIN; several for
    /// `SELECT 1\; SELECT 2`), their first rows kept (`LoadOptions::show_rows`).
    pub results: &'a [ResultTable],
}

/// Callbacks during [`Session::load_script`](crate::Session::load_script). Every method has
/// an empty default, so an observer implements only what it needs.
pub trait LoadObserver: Send {
    /// A statement completed.
    fn statement(&mut self, _outcome: &StatementOutcome<'_>) {}
    /// A statement or meta-command failed. With `on_error: stop` the same error is also what
    /// the load returns.
    fn error(&mut self, _error: &ScriptError) {}
    /// `\echo`, `\warn` or `\qecho` output.
    fn echo(&mut self, _text: &str, _position: Position) {}
    /// Data from a `COPY ... TO STDOUT`, in chunks.
    fn copy_out(&mut self, _data: &[u8]) {}
    /// `\connect` switched the session to another database.
    fn connected(&mut self, _spec: &ConnectionSpec, _position: Position) {}
    /// How far reading has got, after each item (`total` from the options).
    fn progress(&mut self, _bytes_read: u64, _total: Option<u64>) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopObserver;

impl LoadObserver for NoopObserver {}

//! What the history-table and migration operations can fail with.
//!
//! Messages are lowercase fragments naming the history table (`"schema"."table"`), the script
//! (`file:line`) or the lock key, and saying what was expected.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use runbook_migrate::HistoryRow;
use thiserror::Error;

use super::scan::TransactionMode;
use crate::errors::{ConnectError, LoadError, QueryError};
use crate::load::LoadSummary;

/// A history-table operation failed.
#[derive(Debug, Error)]
pub enum MigrateDbError {
    /// A statement on the history table (or about it) failed; `action` says which.
    #[error("cannot {action} ({table}): {source}")]
    Query {
        action: &'static str,
        table: String,
        #[source]
        source: QueryError,
    },
    /// No schema was configured and the session's search_path names none that exists.
    #[error(
        "cannot tell which schema the history table {table} belongs in: the session's \
         search_path names no existing schema; set the step's `schema:`"
    )]
    NoCurrentSchema { table: String },
    /// A row of the history table holds something the format does not allow.
    #[error(
        "history table {table}, row {row}: column {column} holds {value:?}, expected {expected}"
    )]
    BadValue {
        table: String,
        row: usize,
        column: &'static str,
        value: String,
        expected: &'static str,
    },
    /// A value does not fit the column Flyway gave it (an INTEGER).
    #[error("{table}: {what} {value} does not fit the history table's INTEGER column")]
    OutOfRange {
        table: String,
        what: &'static str,
        value: i64,
    },
    /// The lock session could not be opened.
    #[error("cannot open the session that holds the history lock: {0}")]
    LockConnect(#[source] ConnectError),
    /// Another migrator held the lock through every retry.
    #[error(
        "the history table {table} is locked by another migrator (advisory lock {key}, {holder}); \
         gave up after {attempts} attempts {}s apart (Flyway waits the same way: lockRetryCount)",
        interval.as_secs_f64()
    )]
    LockTimeout {
        table: String,
        key: i64,
        attempts: u32,
        interval: Duration,
        /// Who holds it, from pg_locks and pg_stat_activity, or why that is unknown.
        holder: String,
    },
    #[error("cancelled while waiting for the history lock on {table} (advisory lock {key})")]
    LockCancelled { table: String, key: i64 },
    /// The lock's session ended (server restart, network): whatever runs now is unprotected.
    #[error(
        "the session holding the history lock on {table} (advisory lock {key}) was lost: {reason}"
    )]
    LockLost {
        table: String,
        key: i64,
        reason: String,
    },
    /// The script could not be opened (the caller's opener failed).
    #[error("{script}: cannot open the migration: {source}")]
    OpenScript {
        script: String,
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The pre-scan thread failed.
    #[error("{script}: reading the migration to decide its transaction failed: {reason}")]
    Scan { script: String, reason: String },
    /// `\connect` in a migration would put the rest of it, and its history row, elsewhere.
    #[error(
        "{script}:{line}: \\connect is not allowed in a migration: the rest of it and its history \
         row would go to another database"
    )]
    ConnectInMigration { script: String, line: u32 },
    /// The script failed (or was cancelled); the load error has the file:line:col.
    #[error("{0}")]
    Load(Box<LoadError>),
    /// A non-transactional script ended inside a transaction block it opened.
    #[error(
        "{script}: the migration ended inside a transaction it opened (BEGIN without COMMIT); \
         it was rolled back, as psql's session end would"
    )]
    LeftTransactionOpen { script: String },
    /// COMMIT of the migration's transaction failed (a deferred constraint, a serialization
    /// failure): nothing of it, nor its row, was kept.
    #[error("{script}: COMMIT failed, nothing of the migration was kept: {source}")]
    Commit {
        script: String,
        #[source]
        source: QueryError,
    },
    /// A history change that does not apply to this format or names a missing migration.
    #[error("cannot apply the history change {change}: {reason}")]
    Change { change: String, reason: String },
}

impl MigrateDbError {
    pub(crate) fn query(action: &'static str, table: &str, source: QueryError) -> MigrateDbError {
        MigrateDbError::Query {
            action,
            table: table.to_owned(),
            source,
        }
    }

    /// Whether a cancel (Ctrl-C, a step timeout) stopped it.
    pub fn is_cancelled(&self) -> bool {
        match self {
            MigrateDbError::LockCancelled { .. } => true,
            MigrateDbError::Load(error) => error.is_cancelled(),
            _ => false,
        }
    }
}

/// A migration that did not apply, with what it left behind.
#[derive(Debug)]
pub struct ApplyFailed {
    pub error: MigrateDbError,
    /// The history row written for the failure: Flyway's `success = false` row for a
    /// non-transactional migration, Prisma's row with `logs` and no `finished_at`. `None` when
    /// nothing was written (a transactional Flyway migration rolls back with its row).
    pub row: Option<HistoryRow>,
    /// What the load did before it stopped, when it started.
    pub summary: Option<LoadSummary>,
    /// How it ran (or was going to), when that was decided.
    pub mode: Option<TransactionMode>,
    pub duration: Duration,
    /// Whether a transaction was rolled back, so nothing of the migration remains.
    pub rolled_back: bool,
}

impl fmt::Display for ApplyFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl StdError for ApplyFailed {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.error)
    }
}

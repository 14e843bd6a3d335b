//! Applying one migration together with its history row.
//!
//! Flyway and plain (`DbMigrate.doMigrateGroup` / `applyMigrations` with PostgreSQL's DDL
//! transactions): a transactional migration runs as `BEGIN`, the script in the caller-owned
//! transaction (`Transaction::Caller`), the history INSERT (`success = true`), `COMMIT`; a
//! failure rolls everything back and leaves no row ("Changes successfully rolled back"). A
//! non-transactional one ([`super::scan`]) runs statement by statement in autocommit, stopping
//! at the first error, and its row follows with `success = true`, or `false` on failure ("Please
//! restore backups and roll back database and code!"), with the checksum and execution time
//! filled in. This is Flyway's single-connection choreography (`postgresql.transactional.lock =
//! false`, and every Flyway before 9.1.2), where the migration and its row commit together; the
//! default two-connection one since 9.1.2 commits the migration before the row and can lose a
//! failed non-transactional row, which Runbook does not copy.
//!
//! `execution_time` is the milliseconds around the script (Flyway's StopWatch around callbacks
//! and execution), measured here on the client. The search_path is Flyway's for the duration
//! ([`super::search_path`]).
//!
//! Prisma: see [`super::apply_prisma`].

use std::error::Error as StdError;
use std::io::Read;
use std::time::{Duration, Instant};

use runbook_migrate::{Config, Format, HistoryRow, Migration};
use runbook_sql::ScriptReader;

use super::errors::{ApplyFailed, MigrateDbError};
use super::history::insert_into;
use super::scan::{ScanRefusal, TransactionMode, transaction_mode};
use super::search_path;
use super::table::{HistoryTable, history_table};
use crate::load::{LoadObserver, LoadOptions, LoadSummary, OnError, Transaction};
use crate::session::Session;

/// Opens the migration's script, as it is to run (after placeholders: the engine passes
/// `runbook_migrate::open_script`). Called twice: once to decide the transaction, once to run.
pub type OpenScript<'a> =
    &'a mut (dyn FnMut() -> Result<Box<dyn Read + Send>, Box<dyn StdError + Send + Sync>> + Send);

/// A migration that applied.
#[derive(Debug)]
pub struct Applied {
    /// Its history row as stored.
    pub row: HistoryRow,
    pub summary: LoadSummary,
    /// Whether it ran in one transaction with its row, and if not, why.
    pub mode: TransactionMode,
    /// Things the operator should know (why it ran without a transaction, a search_path that
    /// could not be restored).
    pub notes: Vec<String>,
    /// From the first look at the file to the commit.
    pub duration: Duration,
}

/// What one migration needs besides the session.
pub(crate) struct Job<'a> {
    pub config: &'a Config,
    pub migration: &'a Migration,
    pub table: HistoryTable,
    /// The name in `file:line:col` positions: the migration's path.
    pub source: String,
}

/// Why a step of the run failed, and what it left.
pub(crate) struct Failure {
    pub error: MigrateDbError,
    pub row: Option<HistoryRow>,
    pub summary: Option<LoadSummary>,
    pub rolled_back: bool,
}

impl Failure {
    pub(crate) fn new(error: MigrateDbError) -> Failure {
        Failure {
            error,
            row: None,
            summary: None,
            rolled_back: false,
        }
    }

    /// A failure inside the migration's transaction, which the ROLLBACK (or a failed COMMIT)
    /// ended: nothing of the script or its row was kept.
    fn rolled_back(error: MigrateDbError, summary: LoadSummary) -> Failure {
        Failure {
            error,
            row: None,
            summary: Some(summary),
            rolled_back: true,
        }
    }
}

/// Applies `migration` and writes its history row (`rank` and `installed_by` for Flyway's
/// table; Prisma's row has neither). The observer sees every statement as it completes.
/// Call it holding the [`super::HistoryLock`].
pub async fn apply(
    session: &mut Session,
    config: &Config,
    migration: &Migration,
    open: OpenScript<'_>,
    rank: i64,
    installed_by: &str,
    observer: &mut dyn LoadObserver,
) -> Result<Applied, ApplyFailed> {
    let started = Instant::now();
    let source = migration.path.display().to_string();
    let failed = |failure: Failure, mode: Option<TransactionMode>| ApplyFailed {
        error: failure.error,
        row: failure.row,
        summary: failure.summary,
        mode,
        duration: started.elapsed(),
        rolled_back: failure.rolled_back,
    };
    let table = history_table(session, config)
        .await
        .map_err(|e| failed(Failure::new(e), None))?;
    let mode = decide(session, &source, open)
        .await
        .map_err(|e| failed(Failure::new(e), None))?;
    let reader = open().map_err(|source_error| {
        failed(
            Failure::new(MigrateDbError::OpenScript {
                script: source.clone(),
                source: source_error,
            }),
            Some(mode.clone()),
        )
    })?;
    let saved = match config.default_schema() {
        Some(schema) => Some(search_path::enter(session, schema).await.map_err(|e| {
            failed(
                Failure::new(MigrateDbError::query(
                    "set the search_path for the migration",
                    &table.display(),
                    e,
                )),
                Some(mode.clone()),
            )
        })?),
        None => None,
    };
    let job = Job {
        config,
        migration,
        table,
        source,
    };
    let outcome = match job.table.format {
        Format::Prisma => super::apply_prisma::run(session, &job, &mode, reader, observer).await,
        Format::Flyway | Format::Plain => {
            run_flyway(session, &job, &mode, reader, rank, installed_by, observer).await
        }
    };
    let mut notes = Vec::new();
    if let TransactionMode::NonTransactional(reason) = &mode {
        notes.push(reason.note(&migration.script));
    }
    if let Some(saved) = saved
        && let Err(e) = search_path::restore(session, &saved).await
    {
        notes.push(format!(
            "the session's search_path could not be restored after {}: {e}",
            migration.script
        ));
    }
    match outcome {
        Ok((row, summary)) => Ok(Applied {
            row,
            summary,
            mode,
            notes,
            duration: started.elapsed(),
        }),
        Err(failure) => Err(failed(failure, Some(mode))),
    }
}

/// Reads the script once on a blocking thread to decide how it runs.
async fn decide(
    session: &Session,
    source: &str,
    open: OpenScript<'_>,
) -> Result<TransactionMode, MigrateDbError> {
    let reader = open().map_err(|e| MigrateDbError::OpenScript {
        script: source.to_owned(),
        source: e,
    })?;
    let scs = session.standard_conforming_strings();
    let version = session.server_version().num;
    let decided = tokio::task::spawn_blocking(move || transaction_mode(reader, scs, version))
        .await
        .map_err(|e| MigrateDbError::Scan {
            script: source.to_owned(),
            reason: e.to_string(),
        })?;
    decided.map_err(|refusal| match refusal {
        ScanRefusal::Connect { line } => MigrateDbError::ConnectInMigration {
            script: source.to_owned(),
            line,
        },
    })
}

/// Load options for a migration: stop at the first error, positions named by the file.
pub(crate) fn load_options(job: &Job<'_>, transaction: Transaction) -> LoadOptions {
    LoadOptions {
        source_name: job.source.clone(),
        on_error: OnError::Stop,
        transaction,
        total_bytes: Some(job.migration.size),
        ..LoadOptions::default()
    }
}

fn milliseconds(elapsed: Duration) -> i64 {
    i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
}

async fn run_flyway(
    session: &mut Session,
    job: &Job<'_>,
    mode: &TransactionMode,
    reader: Box<dyn Read + Send>,
    rank: i64,
    installed_by: &str,
    observer: &mut dyn LoadObserver,
) -> Result<(HistoryRow, LoadSummary), Failure> {
    let name = job.table.display();
    let transactional = mode.is_transactional();
    if transactional {
        begin(session, &name).await?;
    }
    let stopwatch = Instant::now();
    let (summary, load_error) = run_script(session, job, transactional, reader, observer).await;
    if transactional && let Some(error) = load_error {
        let _ = session.execute("ROLLBACK").await;
        return Err(Failure::rolled_back(error, summary));
    }
    let elapsed = milliseconds(stopwatch.elapsed());
    let success = load_error.is_none();
    let row = runbook_migrate::applied_row(
        job.config,
        job.migration,
        rank,
        installed_by,
        elapsed,
        success,
    );
    let written = insert_into(session, &job.table, &row).await;
    if transactional {
        let row = match written {
            Ok(row) => row,
            Err(error) => {
                let _ = session.execute("ROLLBACK").await;
                return Err(Failure::rolled_back(error, summary));
            }
        };
        if let Err(e) = session.execute("COMMIT").await {
            // A failed COMMIT ends the transaction all the same: nothing of it was kept.
            let error = MigrateDbError::Commit {
                script: job.source.clone(),
                source: e,
            };
            return Err(Failure::rolled_back(error, summary));
        }
        return Ok((row, summary));
    }
    match (load_error, written) {
        (None, Ok(row)) => Ok((row, summary)),
        (Some(error), Ok(row)) => Err(Failure {
            error,
            row: Some(row),
            summary: Some(summary),
            rolled_back: false,
        }),
        // The script's error comes first; the row's is what the operator must fix next.
        (Some(error), Err(_)) | (None, Err(error)) => Err(Failure {
            error,
            row: None,
            summary: Some(summary),
            rolled_back: false,
        }),
    }
}

/// Opens the migration's transaction, for the script to run in (`Transaction::Caller`).
pub(crate) async fn begin(session: &Session, table: &str) -> Result<(), Failure> {
    session
        .execute("BEGIN")
        .await
        .map(drop)
        .map_err(|e| Failure::new(MigrateDbError::query("begin the migration", table, e)))
}

/// Runs the script: in the transaction [`begin`] opened when `transactional`, else statement
/// by statement in autocommit, where a transaction block the script left open is its error
/// ([`end_of_script_transaction`]). Returns what ran and the script's error; rolling back a
/// failed transactional script is the caller's (Flyway and Prisma go on differently).
pub(crate) async fn run_script(
    session: &mut Session,
    job: &Job<'_>,
    transactional: bool,
    reader: Box<dyn Read + Send>,
    observer: &mut dyn LoadObserver,
) -> (LoadSummary, Option<MigrateDbError>) {
    let transaction = if transactional {
        Transaction::Caller
    } else {
        Transaction::None
    };
    let options = load_options(job, transaction);
    let loaded = session
        .load_script(ScriptReader::new(reader), &options, observer)
        .await;
    let (summary, mut error) = match loaded {
        Ok(summary) => (summary, None),
        Err(mut error) => {
            let summary = std::mem::take(&mut *error.summary);
            (summary, Some(MigrateDbError::Load(Box::new(error))))
        }
    };
    if !transactional
        && let Some(left_open) = end_of_script_transaction(session, job, error.is_some()).await
    {
        error.get_or_insert(left_open);
    }
    (summary, error)
}

/// After a script that ran without our transaction: a transaction block it left open is
/// rolled back (psql's session end would do the same), and when the script had otherwise
/// succeeded that is its error. `failed`: the script already failed (then only roll back).
pub(crate) async fn end_of_script_transaction(
    session: &Session,
    job: &Job<'_>,
    failed: bool,
) -> Option<MigrateDbError> {
    if failed {
        // Harmless outside a block (a WARNING); ends an aborted block the failure left.
        let _ = session.execute("ROLLBACK").await;
        return None;
    }
    // In its own implicit transaction a simple query's two timestamps are the same instant
    // (xact.c: xactStartTimestamp = stmtStartTimestamp); inside an open block they differ.
    let open = match session
        .simple_query("SELECT transaction_timestamp() <> statement_timestamp()")
        .await
    {
        Ok(rows) => rows.single_value().flatten() == Some("t"),
        // 25P02: an aborted block is open.
        Err(e) => e.sqlstate() == Some("25P02"),
    };
    if open {
        let _ = session.execute("ROLLBACK").await;
        return Some(MigrateDbError::LeftTransactionOpen {
            script: job.source.clone(),
        });
    }
    None
}

//! `mode: migrate`: the history created (and the baseline written) when needed, then each
//! pending migration in its own transaction with its history row (runbook-postgres decides
//! when a file cannot run in one), its statements in the log as `sql_file` logs them, and on
//! a failure, what the history holds now.

use std::collections::BTreeMap;

use runbook_migrate::{Config, Format, HistoryRow, Migration};
use runbook_postgres::Session;
use runbook_postgres::load::{LoadObserver, StatementOutcome};
use runbook_postgres::migrate::{self as db, ApplyFailed, MigrateDbError, TransactionMode};
use runbook_postgres::{ConnectionSpec, ScriptError};
use serde_json::json;

use super::run::{Done, create, write_baseline};
use super::state::{Looked, db_error};
use crate::context::StepContext;
use crate::errors::StepError;
use crate::script::{self, EvidenceObserver, Origin};

pub(crate) struct Applying<'a, 'b> {
    pub cx: &'a StepContext<'b>,
    pub session: &'a mut Session,
    pub lock: &'a db::HistoryLock,
    pub config: &'a Config,
    pub looked: &'a Looked,
    pub installed_by: &'a str,
}

pub(crate) async fn migrate(job: Applying<'_, '_>) -> Result<Done, StepError> {
    let Applying {
        cx,
        session,
        lock,
        config,
        looked,
        installed_by,
    } = job;
    let mut rows: Vec<HistoryRow> = looked.rows().to_vec();
    if looked.history.is_none() {
        create(config, cx, session, installed_by).await?;
        rows = db::read_history(session, config)
            .await
            .map_err(db_error)?
            .unwrap_or_default();
    }
    if let Some(baseline) = &looked.plan.baseline {
        let mut row = baseline.clone();
        row.rank = runbook_migrate::next_rank(&rows);
        let written = write_baseline(config, cx, session, &row).await?;
        rows.push(written);
    }
    let pending = &looked.plan.pending;
    let total_bytes: u64 = pending
        .iter()
        .filter_map(|&i| looked.resolved.migrations.get(i))
        .map(|m| m.size)
        .sum();
    let mut done_bytes = 0u64;
    let mut done = Done {
        summary: String::new(),
        applied: 0,
        ran: BTreeMap::new(),
        error: None,
    };
    for &index in pending {
        let Some(migration) = looked.resolved.migrations.get(index) else {
            continue;
        };
        // The lock's session gone (a server restart): stop before the next migration, with
        // what ran so far in the evidence.
        if let Err(error) = lock.check() {
            done.error = Some(db_error(error));
            break;
        }
        let title = title(migration);
        let file = if title == migration.script {
            String::new()
        } else {
            format!("{}, ", migration.script)
        };
        cx.log(format!(
            "{title} ({file}checksum {}, {} bytes)",
            migration.checksum, migration.size
        ));
        let origin = Origin::File(migration.path.display().to_string());
        let mut observer = Counting {
            inner: EvidenceObserver::new(cx.output(), origin.clone()),
            notices: 0,
            output: cx.output(),
            before: done_bytes,
            total: total_bytes,
        };
        let mut open = || {
            runbook_migrate::open_script(config, migration, &looked.builtins)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        };
        let rank = runbook_migrate::next_rank(&rows);
        let result = db::apply(
            session,
            config,
            migration,
            &mut open,
            rank,
            installed_by,
            &mut observer,
        )
        .await;
        let notices = observer.notices;
        drop(observer);
        done_bytes += migration.size;
        match result {
            Ok(applied) => {
                let ms = applied.duration.as_millis();
                cx.log(format!(
                    "applied in {ms} ms, {} statement{}, {}",
                    applied.summary.statements,
                    if applied.summary.statements == 1 {
                        ""
                    } else {
                        "s"
                    },
                    mode_text(&applied.mode)
                ));
                for note in &applied.notes {
                    cx.log(format!("note: {note}"));
                }
                done.ran.insert(
                    index,
                    json!({
                        "state": "applied",
                        "duration_ms": ms as u64,
                        "statements": applied.summary.statements,
                        "notices": notices,
                        "transactional": applied.mode.is_transactional(),
                        "why": why(&applied.mode, &migration.script),
                        "installed_rank": applied.row.rank,
                    }),
                );
                done.applied += 1;
                rows.push(applied.row);
            }
            Err(failed) => {
                let error = failure(config, migration, &failed, &origin, looked);
                done.ran.insert(
                    index,
                    json!({
                        "state": "failed",
                        "duration_ms": failed.duration.as_millis() as u64,
                        "statements": failed.summary.as_ref().map(|s| s.statements),
                        "notices": notices,
                        "transactional": failed.mode.as_ref().map(TransactionMode::is_transactional),
                        "why": failed.mode.as_ref().and_then(|m| why(m, &migration.script)),
                        "error": failed.error.to_string(),
                        "history_row": failed.row.as_ref().map(super::evidence::row_json),
                        "rolled_back": failed.rolled_back,
                    }),
                );
                done.error = Some(error);
                break;
            }
        }
    }
    done.summary = match (done.applied, pending.len()) {
        (0, 0) => format!("up to date: nothing pending in {}", looked.table_name()),
        (n, _) => format!(
            "applied {n} migration{} to {}",
            if n == 1 { "" } else { "s" },
            looked.table_name()
        ),
    };
    Ok(done)
}

/// `V0002 performance indexes`, `R my view`, or the Prisma name.
fn title(m: &Migration) -> String {
    match (&m.version, m.kind) {
        (Some(v), _) => format!("V{} {}", v.as_str(), m.description),
        (None, runbook_migrate::MigrationKind::Repeatable) => format!("R {}", m.description),
        (None, _) => m.description.clone(),
    }
}

fn mode_text(mode: &TransactionMode) -> String {
    match mode {
        TransactionMode::Transactional => "in one transaction with its history row".to_owned(),
        TransactionMode::NonTransactional(reason) => format!(
            "without a transaction (line {}: {})",
            reason.line, reason.statement_kind
        ),
    }
}

fn why(mode: &TransactionMode, script: &str) -> Option<String> {
    match mode {
        TransactionMode::Transactional => None,
        TransactionMode::NonTransactional(reason) => Some(reason.note(script)),
    }
}

/// The step's error for a migration that failed: at the statement's file:line:col when a
/// statement failed, and saying what the history holds now.
fn failure(
    config: &Config,
    migration: &Migration,
    failed: &ApplyFailed,
    origin: &Origin,
    looked: &Looked,
) -> StepError {
    if failed.error.is_cancelled() {
        return StepError::Interrupted;
    }
    let mut record = match &failed.error {
        MigrateDbError::Load(load) => match load.script_error() {
            Some(script_error) => script::script_error_record(script_error, origin),
            None => runbook_evidence::ErrorRecord::new(load.to_string()),
        },
        other => runbook_evidence::ErrorRecord::new(other.to_string()),
    };
    let left = left_behind(config, migration, failed, looked);
    let first = format!("migration {} failed: ", migration.script);
    record.message = match record.message.split_once('\n') {
        Some((head, rest)) => format!("{first}{head}; {left}\n{rest}"),
        None => format!("{first}{}; {left}", record.message),
    };
    if record.file.is_none() {
        record.file = Some(migration.path.display().to_string());
    }
    StepError::Failed(Box::new(record))
}

/// What a failed migration left in the database and its history, as the tool would have.
fn left_behind(
    config: &Config,
    migration: &Migration,
    failed: &ApplyFailed,
    looked: &Looked,
) -> String {
    let table = looked.table_name();
    match (&failed.row, config.format) {
        (Some(_), Format::Prisma) => format!(
            "{kept}; {table} now holds its row without finished_at and with the error in logs, which stops later runs (Prisma's P3009) until mode: resolve_rolled_back {name} or resolve_applied {name}",
            kept = if failed.rolled_back {
                "its transaction was rolled back, nothing of it was kept"
            } else {
                "it ran without a transaction, so the statements before the failing one stay applied (undo them before resolving)"
            },
            name = migration.script
        ),
        (Some(row), _) => format!(
            "it ran without a transaction, so the statements before the failing one stay applied; {table} now holds a success = false row for it (rank {}), which blocks later runs until the changes are undone by hand and mode: repair removes the row (as with Flyway)",
            row.rank
        ),
        (None, _) if failed.rolled_back => format!(
            "its transaction was rolled back: nothing of it was kept and {table} has no row for it (as Flyway leaves a failed migration on PostgreSQL)"
        ),
        (None, _) => format!("{table} has no row for it"),
    }
}

/// Passes everything to the statement log, counts the notices for the migration's record, and
/// turns each file's progress into the step's (bytes over all pending migrations).
struct Counting {
    inner: EvidenceObserver,
    notices: u64,
    output: crate::output::StepOutput,
    before: u64,
    total: u64,
}

impl LoadObserver for Counting {
    fn statement(&mut self, outcome: &StatementOutcome<'_>) {
        self.notices += outcome.notices.len() as u64;
        self.inner.statement(outcome);
    }

    fn error(&mut self, error: &ScriptError) {
        self.inner.error(error);
    }

    fn echo(&mut self, text: &str, position: runbook_sql::Position) {
        self.inner.echo(text, position);
    }

    fn connected(&mut self, spec: &ConnectionSpec, position: runbook_sql::Position) {
        self.inner.connected(spec, position);
    }

    fn progress(&mut self, bytes_read: u64, _total: Option<u64>) {
        self.output
            .progress(self.before + bytes_read, Some(self.total));
    }
}

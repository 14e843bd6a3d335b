//! What the run and check modes share: the files resolved and the history read, planned, and
//! put in the log the same way in both.

use runbook_migrate::{BuiltIns, Config, HistoryRow, Plan, Problem, Resolved, State};
use runbook_postgres::Session;
use runbook_postgres::migrate::{self as db, HistoryTable, MigrateDbError};
use runbook_spec::steps::migrate::Mode;

use super::evidence;
use crate::context::StepContext;
use crate::errors::StepError;
use tokio_util::sync::CancellationToken;

/// The files, the history and the plan over them.
pub(crate) struct Looked {
    pub table: HistoryTable,
    pub history: Option<Vec<HistoryRow>>,
    pub resolved: Resolved,
    pub plan: Plan,
    pub builtins: BuiltIns,
    /// `current_user` of the session the migrations run in.
    pub user: String,
}

impl Looked {
    /// `schema.table`, for messages.
    pub fn table_name(&self) -> String {
        self.table.display()
    }

    pub fn rows(&self) -> &[HistoryRow] {
        self.history.as_deref().unwrap_or_default()
    }
}

/// A database error as the step's error (a cancel stays a cancel).
pub(crate) fn db_error(error: MigrateDbError) -> StepError {
    if error.is_cancelled() {
        return StepError::Interrupted;
    }
    StepError::failed(error.to_string())
}

/// Reads the history, resolves the files (off the runtime's thread: it reads and checksums
/// every file) and plans. `session` may be check mode's read-only one.
pub(crate) async fn look(
    cancel: &CancellationToken,
    session: &Session,
    config: &Config,
) -> Result<Looked, StepError> {
    let table = db::history_table(session, config).await.map_err(db_error)?;
    let history = db::read_history(session, config).await.map_err(db_error)?;
    // Only asked when it matters: Flyway's baselineOnMigrate and Prisma's P3005 look at a
    // schema without a history table.
    let schema_is_empty = match &history {
        None => db::schema_is_empty(session, config.format, &table.schema)
            .await
            .map_err(db_error)?,
        Some(_) => true,
    };
    let user = db::current_user(session).await.map_err(db_error)?;
    let mut builtins = BuiltIns::from_config(config);
    builtins.default_schema = Some(table.schema.clone());
    builtins.user = Some(user.clone());
    builtins.database = Some(session.spec().dbname().to_owned());
    let resolved = resolve(cancel, config, &builtins).await?;
    let plan = runbook_migrate::plan(config, &resolved, history.as_deref(), schema_is_empty);
    Ok(Looked {
        table,
        history,
        resolved,
        plan,
        builtins,
        user,
    })
}

/// `runbook_migrate::resolve_with` on a blocking thread, given up at once on cancel.
pub(crate) async fn resolve(
    cancel: &CancellationToken,
    config: &Config,
    builtins: &BuiltIns,
) -> Result<Resolved, StepError> {
    let (config, builtins) = (config.clone(), builtins.clone());
    let resolving =
        tokio::task::spawn_blocking(move || runbook_migrate::resolve_with(&config, &builtins));
    tokio::select! {
        resolved = resolving => match resolved {
            Ok(Ok(resolved)) => Ok(resolved),
            Ok(Err(error)) => Err(StepError::Blocked(error.to_string())),
            Err(error) => Err(StepError::failed(format!("reading the migrations failed: {error}"))),
        },
        () = cancel.cancelled() => Err(StepError::Interrupted),
    }
}

/// Logs every migration and row with its state, the notes, and each problem.
pub(crate) fn log_plan(cx: &StepContext<'_>, looked: &Looked, mode: &Mode) {
    let resolved = &looked.resolved;
    let plan = &looked.plan;
    cx.log(format!(
        "{} migration{} in the files; history {}: {}",
        resolved.migrations.len(),
        if resolved.migrations.len() == 1 {
            ""
        } else {
            "s"
        },
        looked.table_name(),
        match &looked.history {
            None => "no table yet".to_owned(),
            Some(rows) => format!(
                "{} row{}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" }
            ),
        }
    ));
    for note in &resolved.notes {
        cx.log(format!("note: {note}"));
    }
    for entry in &plan.entries {
        let mut line = evidence::entry_line(entry, resolved);
        if entry.state == State::Excluded && entry.note.is_none() {
            line.push_str(": excluded by the runbook (exclude:), not applied");
        }
        cx.log(line);
    }
    if let Some(baseline) = &plan.baseline {
        cx.log(format!(
            "baseline: version {} \"{}\" is written first (rank {})",
            baseline.version.as_deref().unwrap_or(""),
            baseline.description,
            baseline.rank
        ));
    }
    for note in &plan.notes {
        cx.log(format!("note: {note}"));
    }
    // Repair and resolve exist to fix what validation finds: there it is what they work on.
    let label = match mode {
        Mode::Repair | Mode::ResolveApplied(_) | Mode::ResolveRolledBack(_) => "found",
        Mode::Migrate | Mode::Validate | Mode::Baseline => "problem",
    };
    for problem in &plan.problems {
        cx.log(format!("{label}: {}", problem.message));
    }
}

/// The step's failure for validation problems: the first in the message, every one in the
/// detail, and nothing has run.
pub(crate) fn problems_error(problems: &[Problem], what: &str) -> StepError {
    let first = problems
        .first()
        .map(|p| p.message.clone())
        .unwrap_or_default();
    // On one line: a message that lists what it is about on the lines after its first
    // (Prisma's P3009 names each failed migration there) keeps the list.
    let first_line = first
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let more = problems.len().saturating_sub(1);
    let message = if more > 0 {
        format!(
            "{first_line} (and {more} more problem{}, listed in the step's log); {what}",
            if more == 1 { "" } else { "s" }
        )
    } else {
        format!("{first_line}; {what}")
    };
    let mut record = runbook_evidence::ErrorRecord::new(message);
    record.detail = Some(
        problems
            .iter()
            .map(|p| format!("- {}", p.message))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    StepError::Failed(Box::new(record))
}

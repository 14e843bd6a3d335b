//! Run mode: on a session of its own, under the history lock (the one Flyway or Prisma takes on
//! the same table, so neither runs alongside), read the history, plan, record the history as
//! it was, then do what the mode says, and record the history as it is after.

use std::collections::BTreeMap;

use runbook_evidence::{InputFile, OutputValue, StepOutcome, StepStatus};
use runbook_migrate::{Config, Format, HistoryRow, ProblemKind, Version};
use runbook_postgres::Session;
use runbook_postgres::migrate::{self as db, LockOptions};
use runbook_spec::steps::migrate::{Migrate, Mode};
use serde_json::{Value, json};

use super::apply::{self, Applying};
use super::evidence;
use super::state::{self, Looked, db_error, problems_error};
use crate::context::StepContext;
use crate::errors::StepError;

/// What the mode did, for the outcome.
pub(crate) struct Done {
    pub summary: String,
    /// How many migrations ran (the `applied` output).
    pub applied: u64,
    /// Per migration that ran: its `migrations.json` facts beyond the file's.
    pub ran: BTreeMap<usize, Value>,
    /// The error that ended the step after the evidence is written.
    pub error: Option<StepError>,
}

impl Done {
    fn quiet(summary: impl Into<String>) -> Done {
        Done {
            summary: summary.into(),
            applied: 0,
            ran: BTreeMap::new(),
            error: None,
        }
    }
}

pub(crate) async fn run(
    step: &Migrate,
    config: &Config,
    cx: &mut StepContext<'_>,
) -> Result<StepOutcome, StepError> {
    let mut session = cx.script_session().await?;
    let table = db::history_table(&session, config)
        .await
        .map_err(db_error)?;
    let key = match config.format {
        Format::Prisma => runbook_migrate::prisma::LOCK_KEY,
        Format::Flyway | Format::Plain => {
            runbook_migrate::flyway::lock_key(&table.schema, &table.table)
        }
    };
    cx.log(format!(
        "taking the history lock on {} (advisory lock {key}, the one {} takes on it)",
        table.display(),
        match config.format {
            Format::Prisma => "Prisma",
            Format::Flyway | Format::Plain => "Flyway",
        }
    ));
    let cancel_handle = session.cancel_handle();
    let cancel = cx.cancellation();
    let options = LockOptions::default();
    let locking = db::lock(&session, config, &options, &cancel_handle);
    let lock = tokio::select! {
        lock = locking => lock.map_err(db_error)?,
        () = cancel.cancelled() => return Err(StepError::Interrupted),
    };
    cx.log(match lock.attempts() {
        1 => "history lock taken".to_owned(),
        n => format!("history lock taken after {n} attempts: another migrator held it"),
    });
    let result = locked(step, config, cx, &mut session, &lock).await;
    match lock.release().await {
        Ok(()) => cx.log("history lock released"),
        Err(error) => cx.log(format!("warning: {error}")),
    }
    result
}

async fn locked(
    step: &Migrate,
    config: &Config,
    cx: &mut StepContext<'_>,
    session: &mut Session,
    lock: &db::HistoryLock,
) -> Result<StepOutcome, StepError> {
    let looked = state::look(&cx.cancellation(), session, config).await?;
    let table = looked.table_name();
    let output = cx.output();
    output.attach(
        "history-before.txt",
        &evidence::history_text(&table, looked.history.as_deref()),
    );
    output.attach_json(
        "history-before.json",
        &evidence::history_json(&table, looked.history.as_deref()),
    );
    state::log_plan(cx, &looked, &step.mode);
    let done = match &step.mode {
        Mode::Migrate if looked.plan.is_blocked() => {
            Err(problems_error(&looked.plan.problems, "nothing was applied"))
        }
        Mode::Migrate => {
            let installed_by = installed_by(config, &looked);
            apply::migrate(Applying {
                cx,
                session,
                lock,
                config,
                looked: &looked,
                installed_by: &installed_by,
            })
            .await
        }
        Mode::Validate => validate(config, &looked),
        Mode::Baseline => baseline(config, cx, session, &looked).await,
        Mode::Repair => repair(config, cx, session, &looked).await,
        Mode::ResolveApplied(name) | Mode::ResolveRolledBack(name) => {
            resolve(step, name, config, cx, session, &looked).await
        }
    };
    // Whatever happened, the evidence says what the history holds after it.
    let done = done.unwrap_or_else(|error| Done {
        error: Some(error),
        ..Done::quiet("")
    });
    finish(config, cx, session, &looked, done).await
}

fn installed_by(config: &Config, looked: &Looked) -> String {
    config
        .installed_by
        .clone()
        .unwrap_or_else(|| looked.user.clone())
}

/// The history after, `migrations.json`, the outputs; the mode's error last, so a failed
/// migration's evidence is complete.
async fn finish(
    config: &Config,
    cx: &StepContext<'_>,
    session: &Session,
    looked: &Looked,
    done: Done,
) -> Result<StepOutcome, StepError> {
    let table = looked.table_name();
    let output = cx.output();
    let after = db::read_history(session, config).await;
    let after = match after {
        Ok(rows) => rows,
        Err(error) => {
            cx.log(format!(
                "warning: the history could not be read again: {error}"
            ));
            None
        }
    };
    output.attach(
        "history-after.txt",
        &evidence::history_text(&table, after.as_deref()),
    );
    output.attach_json(
        "history-after.json",
        &evidence::history_json(&table, after.as_deref()),
    );
    let mut records = Vec::new();
    for entry in &looked.plan.entries {
        let Some(index) = entry.migration else {
            continue;
        };
        let Some(migration) = looked.resolved.migrations.get(index) else {
            continue;
        };
        let mut record = evidence::migration_json(migration, entry.state.as_str());
        if let Some(ran) = done.ran.get(&index)
            && let (Some(record), Some(ran)) = (record.as_object_mut(), ran.as_object())
        {
            record.extend(ran.clone());
        }
        records.push(record);
    }
    output.attach_json(
        "migrations.json",
        &json!({ "table": table, "format": config.format.as_str(), "migrations": records }),
    );
    // The files that ran, by digest, as `sql_file` records its script: the reviewer sees
    // which bytes were applied (the failed one too).
    let inputs: Vec<InputFile> = done
        .ran
        .keys()
        .filter_map(|&i| looked.resolved.migrations.get(i))
        .map(|m| InputFile {
            path: m.path.display().to_string(),
            size: m.size,
            sha256: m.sha256.clone(),
        })
        .collect();
    match done.error {
        Some(StepError::Interrupted) => return Err(StepError::Interrupted),
        Some(error) => {
            let mut outcome = crate::outcome::outcome_of(Err(error), cx.mode(), &output);
            outcome.inputs = inputs;
            return Ok(outcome);
        }
        None => {}
    }
    let mut outcome = StepOutcome::new(StepStatus::Passed, done.summary);
    outcome.inputs = inputs;
    let version = after.as_deref().and_then(|rows| newest(config, rows));
    outcome.outputs.insert(
        "applied".to_owned(),
        OutputValue::plain(done.applied.to_string()),
    );
    outcome.outputs.insert(
        "version".to_owned(),
        OutputValue::plain(version.clone().unwrap_or_default()),
    );
    outcome.details = json!({
        "table": table,
        "applied": done.applied,
        "version": version,
        "history_rows_before": looked.history.as_ref().map(Vec::len),
        "history_rows_after": after.as_ref().map(Vec::len),
    });
    Ok(outcome)
}

/// The newest applied version (Flyway, plain: the highest version of a successful row) or
/// migration name (Prisma: the last finished, not rolled back, in apply order).
pub(crate) fn newest(config: &Config, rows: &[HistoryRow]) -> Option<String> {
    match config.format {
        Format::Prisma => rows
            .iter()
            .filter(|r| {
                r.prisma
                    .as_ref()
                    .is_some_and(|p| p.finished_at.is_some() && p.rolled_back_at.is_none())
            })
            .map(|r| r.script.clone())
            .max(),
        Format::Flyway | Format::Plain => rows
            .iter()
            .filter(|r| r.success && r.kind != "SCHEMA" && r.kind != "DELETE")
            .filter_map(|r| {
                let text = r.version.as_deref()?;
                Some((Version::parse(text).ok()?, text.to_owned()))
            })
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, text)| text),
    }
}

/// `flyway validate` / `prisma migrate status`: the plan's problems and, unlike a migrate,
/// the migrations not applied yet (`Plan::validate_problems`).
fn validate(config: &Config, looked: &Looked) -> Result<Done, StepError> {
    let problems = looked.plan.validate_problems(config, &looked.resolved);
    if !problems.is_empty() {
        return Err(problems_error(
            &problems,
            "validation failed (mode: validate, nothing was written)",
        ));
    }
    Ok(Done::quiet(
        "valid: every migration is applied and matches its file, nothing written (mode: validate)",
    ))
}

/// `flyway baseline`: the history table with its baseline row, nothing else.
async fn baseline(
    config: &Config,
    cx: &StepContext<'_>,
    session: &Session,
    looked: &Looked,
) -> Result<Done, StepError> {
    let conflicts: Vec<_> = looked
        .plan
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::BaselineConflict)
        .cloned()
        .collect();
    if !conflicts.is_empty() {
        return Err(problems_error(&conflicts, "nothing was written"));
    }
    let installed_by = installed_by(config, looked);
    if looked.history.is_none() {
        create(config, cx, session, &installed_by).await?;
    }
    match &looked.plan.baseline {
        Some(row) => {
            let written = write_baseline(config, cx, session, row).await?;
            Ok(Done::quiet(format!(
                "baselined {} at version {}",
                looked.table_name(),
                written.version.as_deref().unwrap_or("")
            )))
        }
        None => Ok(Done::quiet(format!(
            "{} is already baselined at version {}",
            looked.table_name(),
            config.baseline_version
        ))),
    }
}

/// Creates what is missing of the history (schemas, table, Flyway's schema marker row).
pub(crate) async fn create(
    config: &Config,
    cx: &StepContext<'_>,
    session: &Session,
    installed_by: &str,
) -> Result<(), StepError> {
    let created = db::create_history(session, config, installed_by)
        .await
        .map_err(db_error)?;
    for schema in &created.schemas {
        cx.log(format!(
            "created schema {schema} (Flyway creates missing schemas)"
        ));
    }
    if created.table {
        cx.log(format!(
            "created the history table {} as {} creates it",
            config.table,
            match config.format {
                Format::Flyway => "Flyway",
                Format::Prisma => "Prisma",
                Format::Plain => "runbook (Flyway's shape)",
            }
        ));
    }
    if let Some(marker) = &created.marker {
        cx.log(format!(
            "wrote Flyway's schema-creation row (rank {}, script {})",
            marker.rank, marker.script
        ));
    }
    Ok(())
}

/// Writes the baseline row the plan decided (`mode: baseline`, or `baseline_on_migrate`
/// before the pending migrations) and logs it; returns the row as stored.
pub(crate) async fn write_baseline(
    config: &Config,
    cx: &StepContext<'_>,
    session: &Session,
    row: &HistoryRow,
) -> Result<HistoryRow, StepError> {
    let written = db::insert_row(session, config, row)
        .await
        .map_err(db_error)?;
    cx.log(format!(
        "wrote the baseline row: version {} \"{}\" (rank {})",
        written.version.as_deref().unwrap_or(""),
        written.description,
        written.rank
    ));
    Ok(written)
}

/// `flyway repair`: every change decided by runbook-migrate, written in one transaction.
async fn repair(
    config: &Config,
    cx: &StepContext<'_>,
    session: &Session,
    looked: &Looked,
) -> Result<Done, StepError> {
    if !looked.resolved.problems.is_empty() {
        return Err(problems_error(
            &looked.resolved.problems,
            "nothing was repaired",
        ));
    }
    let Some(rows) = &looked.history else {
        return Ok(Done::quiet(format!(
            "nothing to repair: {} does not exist",
            looked.table_name()
        )));
    };
    let changes = runbook_migrate::repair(config, &looked.resolved, rows);
    if changes.is_empty() {
        return Ok(Done::quiet(format!(
            "nothing to repair in {}",
            looked.table_name()
        )));
    }
    let done = db::apply_changes(session, config, &looked.resolved, &changes)
        .await
        .map_err(db_error)?;
    for line in &done {
        cx.log(format!("repair: {line}"));
    }
    Ok(Done::quiet(format!(
        "repaired {}: {} change{}",
        looked.table_name(),
        done.len(),
        if done.len() == 1 { "" } else { "s" }
    )))
}

/// `prisma migrate resolve --applied/--rolled-back NAME`.
async fn resolve(
    step: &Migrate,
    name: &str,
    config: &Config,
    cx: &StepContext<'_>,
    session: &Session,
    looked: &Looked,
) -> Result<Done, StepError> {
    let rows = looked.rows();
    let changes = match &step.mode {
        Mode::ResolveApplied(_) => {
            runbook_migrate::resolve_applied(config, &looked.resolved, rows, name)
        }
        _ => runbook_migrate::resolve_rolled_back(config, &looked.resolved, rows, name),
    }
    .map_err(|problem| problems_error(&[problem], "nothing was written"))?;
    if looked.history.is_none() {
        // Prisma creates the table for resolve --applied without the emptiness check.
        create(config, cx, session, &looked.user).await?;
    }
    let done = db::apply_changes(session, config, &looked.resolved, &changes)
        .await
        .map_err(db_error)?;
    for line in &done {
        cx.log(format!("resolve: {line}"));
    }
    Ok(Done::quiet(format!(
        "{}: {}",
        step.mode,
        if done.is_empty() {
            "nothing to change".to_owned()
        } else {
            done.join("; ")
        }
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use runbook_migrate::PrismaRow;

    fn row(rank: i64, version: Option<&str>, kind: &str, success: bool) -> HistoryRow {
        HistoryRow {
            rank,
            version: version.map(str::to_owned),
            description: String::new(),
            kind: kind.to_owned(),
            script: format!("s{rank}"),
            checksum: None,
            installed_by: None,
            installed_on: None,
            execution_time_ms: None,
            success,
            prisma: None,
        }
    }

    #[test]
    fn the_version_output_is_the_highest_successful_version_as_written() {
        let config = Config::new(Format::Flyway);
        let rows = [
            row(0, None, "SCHEMA", true),
            row(1, Some("0"), "BASELINE", true),
            row(2, Some("0010"), "SQL", true),
            row(3, Some("0009"), "SQL", true),
            row(4, Some("0011"), "SQL", false),
            row(5, None, "SQL", true),
        ];
        assert_eq!(newest(&config, &rows).as_deref(), Some("0010"));
        assert_eq!(newest(&config, &rows[..2]).as_deref(), Some("0"));
        assert_eq!(newest(&config, &[]), None);
    }

    #[test]
    fn the_prisma_version_output_is_the_newest_finished_name() {
        let config = Config::new(Format::Prisma);
        let prisma = |name: &str, finished: bool, rolled_back: bool| {
            let mut r = row(1, None, "SQL", finished);
            r.script = name.to_owned();
            r.prisma = Some(PrismaRow {
                finished_at: finished.then(|| "2026-01-01".to_owned()),
                rolled_back_at: rolled_back.then(|| "2026-01-01".to_owned()),
                ..PrismaRow::default()
            });
            r
        };
        let rows = [
            prisma("20240101_init", true, false),
            prisma("20240103_broken", false, false),
            prisma("20240102_rolled", true, true),
        ];
        assert_eq!(newest(&config, &rows).as_deref(), Some("20240101_init"));
    }
}

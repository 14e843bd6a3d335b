//! Check mode: nothing is written (the session is check mode's read-only one, and no lock is
//! taken). The files are resolved, the history read (a missing table is what a first run
//! finds), the plan made and logged migration by migration; validation problems are the
//! check's failure ("would fail"); each pending migration is read as `sql_file`'s check reads
//! a script, so what it would destroy is named with what it would destroy right now.

use runbook_evidence::{OutputValue, StepOutcome, StepStatus};
use runbook_migrate::{BuiltIns, Config};
use runbook_spec::steps::migrate::{Migrate, Mode};
use serde_json::json;

use super::evidence;
use super::run::newest;
use super::state::{self, Looked, problems_error};
use crate::context::StepContext;
use crate::errors::StepError;
use crate::script::{self, Origin};

pub(crate) async fn check(
    step: &Migrate,
    config: &Config,
    cx: &mut StepContext<'_>,
) -> Result<StepOutcome, StepError> {
    let cancel = cx.cancellation();
    let looked = match cx.session().await {
        Ok(session) => state::look(&cancel, session, config).await?,
        Err(StepError::Deferred(reason)) => {
            // The target comes up during the run: the files can still be read and judged.
            let resolved = state::resolve(&cancel, config, &BuiltIns::from_config(config)).await?;
            cx.log(format!(
                "{} migration{} in the files; the history is read when the run gets here",
                resolved.migrations.len(),
                if resolved.migrations.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ));
            for problem in &resolved.problems {
                cx.log(format!("problem: {}", problem.message));
            }
            if !resolved.problems.is_empty() {
                return Err(problems_error(
                    &resolved.problems,
                    "the run would apply nothing",
                ));
            }
            cx.will_change_target();
            return Err(StepError::Deferred(reason));
        }
        Err(error) => return Err(error),
    };
    state::log_plan(cx, &looked, &step.mode);
    let table = looked.table_name();
    cx.output().attach(
        "history-before.txt",
        &evidence::history_text(&table, looked.history.as_deref()),
    );
    cx.output().attach_json(
        "history-before.json",
        &evidence::history_json(&table, looked.history.as_deref()),
    );
    let changed_earlier = cx.target_changed_earlier().map(str::to_owned);
    let blocking = blocking_problems(step, config, &looked);
    // The files' own problems (two files with one version) hold whatever the database looks
    // like when the run gets here; the history's may not, when an earlier step changes it.
    let (of_files, of_history): (Vec<_>, Vec<_>) = blocking
        .into_iter()
        .partition(|p| looked.resolved.problems.contains(p));
    let blocking = match &changed_earlier {
        Some(target) if !of_history.is_empty() => {
            cx.log(format!(
                "note: an earlier step changes target '{target}', so what the history shows now may not hold when the run gets here"
            ));
            of_files
        }
        _ => of_files.into_iter().chain(of_history).collect(),
    };
    if !blocking.is_empty() {
        return Err(problems_error(&blocking, "the run would apply nothing"));
    }
    let mut destructive = Vec::new();
    let mut unreadable = Vec::new();
    let will_apply = step.mode == Mode::Migrate;
    // Unqualified names in a Flyway migration resolve in its schema (the run puts it first on
    // the search_path, as Flyway does), so the check measures them there too. The check's
    // session is read-only and rolled back; the setting is put back all the same.
    let search_path = match (will_apply, config.default_schema()) {
        (true, Some(schema)) if config.format != runbook_migrate::Format::Prisma => {
            let session = cx.session().await?;
            let saved = runbook_postgres::migrate::enter_search_path(session, schema)
                .await
                .map_err(|e| StepError::failed(format!("cannot set the search_path: {e}")))?;
            Some(saved)
        }
        _ => None,
    };
    if will_apply {
        for &index in &looked.plan.pending {
            let Some(migration) = looked.resolved.migrations.get(index) else {
                continue;
            };
            cx.log(format!(
                "pending {} ({}, checksum {}):",
                migration.script,
                migration.path.display(),
                migration.checksum
            ));
            let reader = runbook_migrate::open_script(config, migration, &looked.builtins)
                .map_err(|e| StepError::failed(e.to_string()));
            let described = match reader {
                Ok(reader) => {
                    let reader = runbook_sql::ScriptReader::new(reader);
                    let origin = Origin::File(migration.path.display().to_string());
                    script::describe(cx, reader, origin).await
                }
                Err(error) => Err(error),
            };
            match described {
                Ok(outcome) => {
                    if let Some(list) = outcome.details["destructive"].as_array() {
                        destructive.extend(
                            list.iter()
                                .filter_map(|d| d.as_str())
                                .map(|d| format!("{}: {d}", migration.script)),
                        );
                    }
                }
                Err(StepError::Interrupted) => return Err(StepError::Interrupted),
                Err(error) => {
                    let record = error.to_record();
                    let at = record
                        .location()
                        .map(|l| format!("{l}: "))
                        .unwrap_or_default();
                    unreadable.push(format!("{at}{}", record.message));
                }
            }
        }
    }
    if let Some(saved) = search_path {
        let session = cx.session().await?;
        runbook_postgres::migrate::restore_search_path(session, &saved)
            .await
            .map_err(|e| StepError::failed(format!("cannot restore the search_path: {e}")))?;
    }
    if !unreadable.is_empty() {
        let problems: Vec<runbook_migrate::Problem> = unreadable
            .iter()
            .map(|m| runbook_migrate::Problem::new(runbook_migrate::ProblemKind::Unreadable, m))
            .collect();
        return Err(problems_error(&problems, "the run would stop there"));
    }
    if let Some(changes) = history_changes(step, config, &looked)? {
        for change in &changes {
            cx.log(evidence::change_line(change, &looked.resolved));
        }
        if changes.is_empty() {
            cx.log(format!("nothing to change in {}", looked.table_name()));
        }
    }
    let writes = match &step.mode {
        Mode::Migrate => {
            !looked.plan.pending.is_empty()
                || looked.plan.baseline.is_some()
                || looked.history.is_none()
        }
        Mode::Validate => false,
        _ => true,
    };
    if writes {
        cx.will_change_target();
    }
    Ok(outcome(step, config, &looked, destructive))
}

/// What `repair` or `resolve_*` would change; their refusals (Prisma's P3008, P3011, ...) are
/// the check's failure, as they would be the run's.
fn history_changes(
    step: &Migrate,
    config: &Config,
    looked: &Looked,
) -> Result<Option<Vec<runbook_migrate::HistoryChange>>, StepError> {
    let rows = looked.rows();
    let changes = match &step.mode {
        Mode::Repair => match &looked.history {
            Some(rows) => runbook_migrate::repair(config, &looked.resolved, rows),
            None => Vec::new(),
        },
        Mode::ResolveApplied(name) => {
            runbook_migrate::resolve_applied(config, &looked.resolved, rows, name)
                .map_err(|p| problems_error(&[p], "the run would write nothing"))?
        }
        Mode::ResolveRolledBack(name) => {
            runbook_migrate::resolve_rolled_back(config, &looked.resolved, rows, name)
                .map_err(|p| problems_error(&[p], "the run would write nothing"))?
        }
        Mode::Migrate | Mode::Validate | Mode::Baseline => return Ok(None),
    };
    Ok(Some(changes))
}

/// The problems that would stop the run in this mode (repair and resolve exist to fix the
/// history, so only the files' own problems stop them).
fn blocking_problems(
    step: &Migrate,
    config: &Config,
    looked: &Looked,
) -> Vec<runbook_migrate::Problem> {
    match step.mode {
        Mode::Migrate => looked.plan.problems.clone(),
        // A standalone validate also refuses what is not applied yet, as the run does.
        Mode::Validate => looked.plan.validate_problems(config, &looked.resolved),
        Mode::Baseline => looked
            .plan
            .problems
            .iter()
            .filter(|p| p.kind == runbook_migrate::ProblemKind::BaselineConflict)
            .cloned()
            .collect(),
        Mode::Repair | Mode::ResolveApplied(_) | Mode::ResolveRolledBack(_) => {
            looked.resolved.problems.clone()
        }
    }
}

fn outcome(
    step: &Migrate,
    config: &Config,
    looked: &Looked,
    destructive: Vec<String>,
) -> StepOutcome {
    let pending = looked.plan.pending.len();
    let count = |state: runbook_migrate::State| {
        looked
            .plan
            .entries
            .iter()
            .filter(|e| e.state == state)
            .count()
    };
    let applied = count(runbook_migrate::State::Applied);
    let excluded = count(runbook_migrate::State::Excluded);
    let above = count(runbook_migrate::State::AboveTarget);
    let mut summary = match &step.mode {
        Mode::Migrate => format!(
            "would apply {pending} migration{} to {} ({applied} applied, {excluded} excluded, {above} above the target)",
            if pending == 1 { "" } else { "s" },
            looked.table_name()
        ),
        Mode::Validate => format!("valid: {pending} pending, nothing would be written"),
        other => format!("would run mode {other} on {}", looked.table_name()),
    };
    if step.mode == Mode::Migrate {
        if destructive.is_empty() {
            summary.push_str("; none destructive");
        } else {
            summary.push_str(&format!("; destructive: {}", destructive.join("; ")));
        }
    }
    let mut outcome = StepOutcome::new(StepStatus::Passed, summary);
    // What the run would give later steps, so their check can expand references to them.
    let pending_newest = looked
        .plan
        .pending
        .iter()
        .filter_map(|&i| looked.resolved.migrations.get(i))
        .filter_map(|m| match &m.version {
            Some(v) => Some((Some(v.clone()), v.as_str().to_owned())),
            // Prisma: names in apply order; a repeatable has no version.
            None if config.format == runbook_migrate::Format::Prisma => {
                Some((None, m.script.clone()))
            }
            None => None,
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
        .map(|(_, text)| text);
    let version = match step.mode {
        Mode::Migrate => pending_newest.or_else(|| newest(config, looked.rows())),
        _ => newest(config, looked.rows()),
    };
    outcome.outputs.insert(
        "applied".to_owned(),
        OutputValue::plain(
            if step.mode == Mode::Migrate {
                pending
            } else {
                0
            }
            .to_string(),
        ),
    );
    outcome.outputs.insert(
        "version".to_owned(),
        OutputValue::plain(version.clone().unwrap_or_default()),
    );
    outcome.details = json!({
        "table": looked.table_name(),
        "pending": looked.plan.pending.iter().filter_map(|&i| looked.resolved.migrations.get(i)).map(|m| m.script.clone()).collect::<Vec<_>>(),
        "entries": looked.plan.entries.iter().map(|e| json!({
            "state": e.state.as_str(),
            "version": e.version,
            "description": e.description,
            "script": e.script,
            "checksum": e.checksum.as_ref().map(evidence::checksum_json),
            "applied_checksum": e.applied_checksum.as_ref().map(evidence::checksum_json),
            "note": e.note,
        })).collect::<Vec<_>>(),
        "problems": looked.plan.problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>(),
        "destructive": destructive,
        "version": version,
    });
    outcome
}

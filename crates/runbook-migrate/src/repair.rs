//! What `mode: repair`, `resolve_applied NAME` and `resolve_rolled_back NAME` change in a
//! history table: decided here, written by the database side, every change recorded.
//!
//! `repair` does what `flyway repair` does (flyway-core `DbRepair`): remove failed rows, mark
//! applied migrations whose file is gone as deleted (a new `DELETE` row, Flyway ≥ 7), realign
//! checksums and descriptions with the files. The two resolve modes are `prisma migrate
//! resolve --applied` / `--rolled-back` (`mark_migration_applied.rs`,
//! `mark_migration_rolled_back.rs`).

use crate::config::{Config, Format};
use crate::errors::{Problem, ProblemKind};
use crate::history::{HistoryRow, abbreviate_description, next_rank};
use crate::migration::{Checksum, MigrationKind};
use crate::plan::{State, plan};
use crate::resolve::Resolved;

/// One change to a history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryChange {
    /// Delete a `success = false` row (Flyway `removeFailedMigrations`).
    DeleteFailed { rank: i64, script: String },
    /// Insert this `DELETE` row, marking an applied migration whose file is gone as deleted
    /// (Flyway `deleteMissingMigrations`: same version, description, script, checksum and
    /// success as the original; the original row stays). `installed_by` None: current_user.
    MarkDeleted { row: Box<HistoryRow> },
    /// `UPDATE ... SET description, type = 'SQL', checksum WHERE installed_rank = rank`
    /// (Flyway `alignAppliedMigrationsWithResolvedMigrations`). `checksum` is (recorded, file);
    /// `description` is (recorded, file) when it changed.
    Realign {
        rank: i64,
        script: String,
        checksum: (Option<Checksum>, Checksum),
        description: Option<(String, String)>,
    },
    /// Record this migration (index into `Resolved::migrations`) as applied without running
    /// it: Prisma's `resolve --applied` row (checksum, logs '', started_at = finished_at = now,
    /// applied_steps_count 0).
    MarkApplied { migration: usize },
    /// Set `rolled_back_at = now` on this Prisma row.
    MarkRolledBack { prisma_id: String, name: String },
}

/// What `flyway repair` would change, in the order it does it. Empty for Prisma, which has no
/// repair (its resolve modes take that role).
pub fn repair(config: &Config, resolved: &Resolved, history: &[HistoryRow]) -> Vec<HistoryChange> {
    if config.format == Format::Prisma {
        return Vec::new();
    }
    let p = plan(config, resolved, Some(history), false);
    let mut deletes = Vec::new();
    let mut marks = Vec::new();
    let mut aligns = Vec::new();
    let mut rank = next_rank(history);
    for e in &p.entries {
        let Some(ri) = e.row else { continue };
        let r = &history[ri];
        match e.state {
            State::Failed => deletes.push(HistoryChange::DeleteFailed {
                rank: r.rank,
                script: r.script.clone(),
            }),
            State::MissingLocally => {
                let mut row = r.clone();
                row.rank = rank;
                row.kind = "DELETE".to_owned();
                row.installed_by = config.installed_by.clone();
                row.installed_on = None;
                row.execution_time_ms = Some(0);
                rank += 1;
                marks.push(HistoryChange::MarkDeleted { row: Box::new(row) });
            }
            State::Applied | State::Outdated => {
                let Some(mi) = e.migration else { continue };
                let m = &resolved.migrations[mi];
                let file_description = abbreviate_description(&m.description);
                let (new_checksum, checksum_changed) = match m.kind {
                    MigrationKind::Versioned => {
                        (m.checksum.clone(), !m.checksum_matches(r.checksum.as_ref()))
                    }
                    // Repeatables: only a row that matches the raw file but not the replaced
                    // text is realigned (`checksumMatchesWithoutBeingIdentical`).
                    MigrationKind::Repeatable => (
                        m.checksum.clone(),
                        r.checksum.as_ref() == Some(&m.raw_checksum)
                            && r.checksum.as_ref() != Some(&m.checksum),
                    ),
                };
                let description_changed =
                    m.kind == MigrationKind::Versioned && r.description != file_description;
                let type_changed = m.kind == MigrationKind::Versioned && r.kind != "SQL";
                if checksum_changed || description_changed || type_changed {
                    aligns.push(HistoryChange::Realign {
                        rank: r.rank,
                        script: r.script.clone(),
                        checksum: (r.checksum.clone(), new_checksum),
                        description: description_changed
                            .then(|| (r.description.clone(), file_description)),
                    });
                }
            }
            _ => {}
        }
    }
    deletes.extend(marks);
    deletes.extend(aligns);
    deletes
}

fn prisma_only(config: &Config, mode: &str) -> Result<(), Problem> {
    if config.format == Format::Prisma {
        Ok(())
    } else {
        Err(Problem::new(
            ProblemKind::ModeNotSupported,
            format!(
                "mode: {mode} is Prisma's `migrate resolve`; a {} history is fixed with mode: repair",
                config.format.as_str()
            ),
        ))
    }
}

/// `prisma migrate resolve --applied NAME`: the failed rows of that name are marked rolled back,
/// then the migration is recorded as applied. `history` is empty when the table does not exist
/// yet (Prisma then creates it without the emptiness check).
pub fn resolve_applied(
    config: &Config,
    resolved: &Resolved,
    history: &[HistoryRow],
    name: &str,
) -> Result<Vec<HistoryChange>, Problem> {
    prisma_only(config, "resolve_applied")?;
    let Some(mi) = resolved.migrations.iter().position(|m| m.script == name) else {
        return Err(Problem::new(
            ProblemKind::NotFound,
            format!(
                "the migration {name} could not be found; give the whole name of its folder (such as 20201207184859_initial_migration) (Prisma's P3017)"
            ),
        ));
    };
    let rows = rows_named(history, name);
    if rows.iter().any(|r| finished(r)) {
        return Err(Problem::new(
            ProblemKind::AlreadyApplied,
            format!(
                "the migration `{name}` is already recorded as applied in the database (Prisma's P3008)"
            ),
        ));
    }
    let mut changes = roll_back_failed(&rows, name);
    changes.push(HistoryChange::MarkApplied { migration: mi });
    Ok(changes)
}

/// `prisma migrate resolve --rolled-back NAME`: every failed row of that name gets
/// `rolled_back_at`. Empty when its failed rows are already rolled back.
pub fn resolve_rolled_back(
    config: &Config,
    _resolved: &Resolved,
    history: &[HistoryRow],
    name: &str,
) -> Result<Vec<HistoryChange>, Problem> {
    prisma_only(config, "resolve_rolled_back")?;
    let rows = rows_named(history, name);
    if rows.is_empty() {
        return Err(Problem::new(
            ProblemKind::NeverApplied,
            format!(
                "migration `{name}` cannot be rolled back because it was never applied to the database; give the whole name of its folder (such as 20201207184859_initial_migration) (Prisma's P3011)"
            ),
        ));
    }
    if rows.iter().all(|r| finished(r)) {
        return Err(Problem::new(
            ProblemKind::NotFailed,
            format!(
                "migration `{name}` cannot be rolled back because it is not in a failed state (Prisma's P3012)"
            ),
        ));
    }
    Ok(roll_back_failed(&rows, name))
}

/// The rows Prisma wrote for the migration folder `name` (a failed one can stand more than once).
fn rows_named<'a>(history: &'a [HistoryRow], name: &str) -> Vec<&'a HistoryRow> {
    history.iter().filter(|r| r.script == name).collect()
}

/// A row Prisma finished: `finished_at` is set only when the migration applied.
fn finished(row: &HistoryRow) -> bool {
    row.prisma.as_ref().is_some_and(|p| p.finished_at.is_some())
}

/// `rolled_back_at` for each failed row of `rows`, both `--rolled-back` and `--applied` write
/// (prisma-engines' `mark_migration_rolled_back_by_id`).
fn roll_back_failed(rows: &[&HistoryRow], name: &str) -> Vec<HistoryChange> {
    rows.iter()
        .filter(|r| r.prisma_failed())
        .filter_map(|r| r.prisma.as_ref())
        .map(|p| HistoryChange::MarkRolledBack {
            prisma_id: p.id.clone(),
            name: name.to_owned(),
        })
        .collect()
}

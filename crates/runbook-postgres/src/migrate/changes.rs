//! Executing what `repair` and `resolve` decided (`runbook_migrate::HistoryChange`), all in one
//! transaction, each change described for the evidence.
//!
//! Flyway (`DbRepair.repair`, `JdbcTableSchemaHistory`): failed rows deleted
//! (`removeFailedMigrations`; Flyway matches `"success" = FALSE AND "version" = ?`, Runbook the
//! row's rank, which names the same row without touching another failed row of the same
//! version), `DELETE` marker rows inserted for missing migrations (`delete`), descriptions,
//! types and checksums realigned (`update`: `SET "description"=? , "type"=? , "checksum"=?
//! WHERE "installed_rank"=?`). Prisma (`mark_migration_applied.rs`,
//! `mark_migration_rolled_back.rs`): `rolled_back_at` set from the client's clock, and for
//! `resolve --applied` a row with a new id, the checksum, `logs = ''`, `started_at` =
//! `finished_at` = now, `applied_steps_count` 0.

use runbook_migrate::{Checksum, Config, HistoryChange, HistoryRow, PrismaRow, Resolved};
use tokio_postgres::types::Type;

use super::MigrateDbError;
use super::apply_prisma::uuid_v4;
use super::history::{insert_into, installed_by, now};
use super::table::{HistoryTable, history_table};
use super::typed::{self, Param};
use crate::session::Session;

/// Applies `changes` in one transaction; returns one line per change saying what it did.
/// Call it holding the [`super::HistoryLock`]. A change that matches no row is an error (the
/// history moved since it was read) and nothing is kept.
pub async fn apply_changes(
    session: &Session,
    config: &Config,
    resolved: &Resolved,
    changes: &[HistoryChange],
) -> Result<Vec<String>, MigrateDbError> {
    let table = history_table(session, config).await?;
    let name = table.display();
    let user = installed_by(session, config).await?;
    session
        .execute("BEGIN")
        .await
        .map_err(|e| MigrateDbError::query("begin the history changes", &name, e))?;
    let mut done = Vec::with_capacity(changes.len());
    for change in changes {
        match apply_one(session, &table, resolved, change, &user).await {
            Ok(line) => done.push(line),
            Err(error) => {
                let _ = session.execute("ROLLBACK").await;
                return Err(error);
            }
        }
    }
    session
        .execute("COMMIT")
        .await
        .map_err(|e| MigrateDbError::query("commit the history changes", &name, e))?;
    Ok(done)
}

fn describe(change: &HistoryChange) -> String {
    match change {
        HistoryChange::DeleteFailed { rank, script } => {
            format!("delete of failed row {rank} ({script})")
        }
        HistoryChange::MarkDeleted { row } => format!("DELETE marker for {}", row.script),
        HistoryChange::Realign { rank, script, .. } => format!("realign of row {rank} ({script})"),
        HistoryChange::MarkApplied { migration } => {
            format!("mark applied of migration {migration}")
        }
        HistoryChange::MarkRolledBack { name, .. } => format!("mark rolled back of {name}"),
    }
}

async fn apply_one(
    session: &Session,
    table: &HistoryTable,
    resolved: &Resolved,
    change: &HistoryChange,
    user: &str,
) -> Result<String, MigrateDbError> {
    let t = table.qualified();
    let name = table.display();
    let failed = |e| MigrateDbError::query("change the history", &name, e);
    let expect_one = |count: u64| {
        if count == 1 {
            Ok(())
        } else {
            Err(MigrateDbError::Change {
                change: describe(change),
                reason: format!(
                    "it matched {count} rows of {name}, expected 1: the history changed since it \
                     was read"
                ),
            })
        }
    };
    match change {
        HistoryChange::DeleteFailed { rank, script } => {
            let rank32 = rank32(table, *rank)?;
            let sql = format!(
                "DELETE FROM {t} WHERE \"success\" = FALSE AND \"installed_rank\" = $1 RETURNING 1"
            );
            let params: [Param<'_>; 1] = [(&rank32, Type::INT4)];
            expect_one(typed::count(session, &sql, &params).await.map_err(failed)?)?;
            Ok(format!(
                "removed the failed row {rank} ({script}) from {name}, as flyway repair does"
            ))
        }
        HistoryChange::MarkDeleted { row } => {
            let mut row = (**row).clone();
            if row.installed_by.is_none() {
                row.installed_by = Some(user.to_owned());
            }
            let stored = insert_into(session, table, &row).await?;
            Ok(format!(
                "marked {} as deleted (row {}, type DELETE) in {name}, as flyway repair does for \
                 an applied migration whose file is gone",
                stored.script, stored.rank
            ))
        }
        HistoryChange::Realign {
            rank,
            script,
            checksum,
            description,
        } => {
            let rank32 = rank32(table, *rank)?;
            let Checksum::Crc32(new) = &checksum.1 else {
                return Err(MigrateDbError::Change {
                    change: describe(change),
                    reason: format!("{} is not a Flyway checksum", checksum.1),
                });
            };
            let new_description = description.as_ref().map(|(_, new)| new.clone());
            let sql = format!(
                "UPDATE {t} SET \"description\" = coalesce($1, \"description\"), \
                 \"type\" = 'SQL', \"checksum\" = $2 WHERE \"installed_rank\" = $3 RETURNING 1"
            );
            let params: [Param<'_>; 3] = [
                (&new_description, Type::TEXT),
                (new, Type::INT4),
                (&rank32, Type::INT4),
            ];
            expect_one(typed::count(session, &sql, &params).await.map_err(failed)?)?;
            let old = checksum
                .0
                .as_ref()
                .map_or_else(|| "NULL".to_owned(), ToString::to_string);
            let mut line = format!(
                "realigned row {rank} ({script}) in {name}: checksum {old} -> {}",
                checksum.1
            );
            if let Some((old, new)) = description {
                line.push_str(&format!(", description \"{old}\" -> \"{new}\""));
            }
            Ok(line)
        }
        HistoryChange::MarkApplied { migration } => {
            let Some(migration) = resolved.migrations.get(*migration) else {
                return Err(MigrateDbError::Change {
                    change: describe(change),
                    reason: "no such migration in the resolved set".to_owned(),
                });
            };
            let stamp = now();
            let params: [Param<'_>; 1] = [(&stamp, Type::TIMESTAMPTZ)];
            let instant = typed::one(session, "SELECT $1::text", &params)
                .await
                .map_err(failed)?
                .unwrap_or_default();
            let row = HistoryRow {
                rank: 0,
                version: None,
                description: migration.script.clone(),
                kind: "SQL".to_owned(),
                script: migration.script.clone(),
                checksum: Some(migration.checksum.clone()),
                installed_by: None,
                installed_on: Some(instant.clone()),
                execution_time_ms: None,
                success: true,
                prisma: Some(PrismaRow {
                    id: uuid_v4(),
                    checksum: migration.checksum.to_string(),
                    finished_at: Some(instant.clone()),
                    rolled_back_at: None,
                    logs: Some(String::new()),
                    started_at: instant,
                    applied_steps_count: 0,
                }),
            };
            insert_into(session, table, &row).await?;
            Ok(format!(
                "recorded {} as applied in {name} without running it, as prisma migrate resolve \
                 --applied does",
                migration.script
            ))
        }
        HistoryChange::MarkRolledBack {
            prisma_id,
            name: migration,
        } => {
            let stamp = now();
            let sql = format!("UPDATE {t} SET rolled_back_at = $1 WHERE id = $2 RETURNING 1");
            let params: [Param<'_>; 2] = [(&stamp, Type::TIMESTAMPTZ), (prisma_id, Type::TEXT)];
            expect_one(typed::count(session, &sql, &params).await.map_err(failed)?)?;
            Ok(format!(
                "marked {migration} (row id {prisma_id}) as rolled back in {name}, as prisma \
                 migrate resolve --rolled-back does"
            ))
        }
    }
}

fn rank32(table: &HistoryTable, rank: i64) -> Result<i32, MigrateDbError> {
    i32::try_from(rank).map_err(|_| MigrateDbError::OutOfRange {
        table: table.display(),
        what: "installed_rank",
        value: rank,
    })
}

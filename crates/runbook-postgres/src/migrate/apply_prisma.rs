//! Applying one Prisma migration with Prisma's row lifecycle.
//!
//! prisma-engines `apply_migrations.rs` and `sql_migration_persistence.rs`:
//! 1. `record_migration_started`: `INSERT INTO _prisma_migrations (id, checksum, started_at,
//!    migration_name)`, a new UUID v4, the sha256, the client's UTC clock; committed before the
//!    script runs, so a crash mid-script leaves an unfinished row (a failed migration, P3009).
//! 2. The script. Prisma sends the whole file as one simple query, which PostgreSQL runs as one
//!    implicit transaction unless the file has its own BEGIN/COMMIT. Runbook runs it in one
//!    transaction when it can ([`super::scan`]), else statement by statement (a file with
//!    `CREATE INDEX CONCURRENTLY` besides other statements, which Prisma itself cannot run).
//! 3. Success: `applied_steps_count + 1` and `finished_at` = the client clock (`logs` stays
//!    NULL). In a transactional migration this UPDATE commits with the script, so the row can
//!    never say "unfinished" for a migration that committed.
//! 4. Failure: `logs` = the error (Prisma's P3018 text around the database error), `finished_at`
//!    stays NULL: the next deploy stops with P3009 until `resolve`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use runbook_migrate::HistoryRow;
use tokio_postgres::types::Type;

use super::apply::{Failure, Job, begin, run_script};
use super::errors::MigrateDbError;
use super::history::{now, prisma_returning, prisma_row};
use super::scan::TransactionMode;
use super::typed::{self, Param};
use crate::load::{LoadObserver, LoadSummary};
use crate::session::Session;

pub(crate) async fn run(
    session: &mut Session,
    job: &Job<'_>,
    mode: &TransactionMode,
    reader: Box<dyn Read + Send>,
    observer: &mut dyn LoadObserver,
) -> Result<(HistoryRow, LoadSummary), Failure> {
    let name = job.table.display();
    let table = job.table.qualified();
    let id = uuid_v4();
    let checksum = job.migration.checksum.to_string();
    let started_at = now();
    let params: [Param<'_>; 4] = [
        (&id, Type::TEXT),
        (&checksum, Type::TEXT),
        (&started_at, Type::TIMESTAMPTZ),
        (&job.migration.script, Type::TEXT),
    ];
    typed::count(
        session,
        &format!(
            "INSERT INTO {table} (id, checksum, started_at, migration_name) VALUES ($1, $2, $3, $4)"
        ),
        &params,
    )
    .await
    .map_err(|e| {
        Failure::new(MigrateDbError::query(
            "record the migration's start",
            &name,
            e,
        ))
    })?;

    let transactional = mode.is_transactional();
    if transactional {
        begin(session, &name).await?;
    }
    let (summary, mut error) = run_script(session, job, transactional, reader, observer).await;
    if transactional && error.is_some() {
        let _ = session.execute("ROLLBACK").await;
    }
    let returning = prisma_returning(&job.table);
    let mut row = None;
    if error.is_none() {
        let finished_at = now();
        let params: [Param<'_>; 2] = [(&finished_at, Type::TIMESTAMPTZ), (&id, Type::TEXT)];
        let finish = format!(
            "UPDATE {table} AS m SET applied_steps_count = m.applied_steps_count + 1, \
             finished_at = $1 WHERE m.id = $2 {returning}"
        );
        let mut result = typed::rows(session, &finish, &params)
            .await
            .map_err(|e| MigrateDbError::query("record the migration's end", &name, e))
            .and_then(|rows| prisma_row(&job.table, &rows));
        if transactional
            && result.is_ok()
            && let Err(e) = session.execute("COMMIT").await
        {
            result = Err(MigrateDbError::Commit {
                script: job.source.clone(),
                source: e,
            });
        }
        match result {
            Ok(finished) => row = Some(finished),
            Err(e) => {
                if transactional {
                    let _ = session.execute("ROLLBACK").await;
                }
                error = Some(e);
            }
        }
    }
    let Some(error) = error else {
        return match row {
            Some(row) => Ok((row, summary)),
            None => Err(Failure::new(MigrateDbError::BadValue {
                table: name,
                row: 0,
                column: "id",
                value: id,
                expected: "the row just finished",
            })),
        };
    };
    let logs = p3018_logs(&job.migration.script, &error);
    let params: [Param<'_>; 2] = [(&logs, Type::TEXT), (&id, Type::TEXT)];
    // Best effort: the row exists unfinished either way, which already blocks (P3009).
    let failed_row = typed::rows(
        session,
        &format!("UPDATE {table} AS m SET logs = $1 WHERE m.id = $2 {returning}"),
        &params,
    )
    .await
    .ok()
    .and_then(|rows| prisma_row(&job.table, &rows).ok());
    Err(Failure {
        error,
        row: failed_row,
        summary: Some(summary),
        rolled_back: transactional,
    })
}

/// What Prisma writes in `logs` for a failed migration: its P3018 message
/// (`ApplyMigrationError` in schema-engine's user-facing errors) around the database error.
/// Prisma's own value goes on with a Debug dump and a span trace, so `logs` is free text that
/// no tool parses; this keeps the readable part.
fn p3018_logs(migration_name: &str, error: &MigrateDbError) -> String {
    let code = match error {
        MigrateDbError::Load(load) => load.script_error().and_then(|e| e.sqlstate()),
        MigrateDbError::Commit { source, .. } | MigrateDbError::Query { source, .. } => {
            source.sqlstate()
        }
        _ => None,
    }
    .unwrap_or("none")
    .to_owned();
    format!(
        "A migration failed to apply. New migrations cannot be applied before the error is \
         recovered from. Read more about how to resolve migration issues in a production \
         database: https://pris.ly/d/migrate-resolve\n\nMigration name: {migration_name}\n\n\
         Database error code: {code}\n\nDatabase error:\n{error}\n"
    )
}

/// A random (version 4) UUID in Prisma's form: 36 lowercase characters with hyphens
/// (`Uuid::new_v4().to_string()`). The bits come from the standard library's randomly keyed
/// SipHash over the clock and a counter: unique ids, which is all the column needs.
pub(crate) fn uuid_v4() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut bytes = [0u8; 16];
    for (half, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u64(count);
        hasher.write_usize(half);
        chunk.copy_from_slice(&hasher.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_prisma_s_shape_and_differ() {
        let a = uuid_v4();
        let b = uuid_v4();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(groups[2].starts_with('4'));
        assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"));
        assert!(
            a.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}

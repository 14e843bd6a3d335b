//! The history lock: the advisory lock Flyway (or Prisma) takes on the same history, held by
//! Runbook on a session of its own for the whole migrate step.
//!
//! Keys (`runbook_migrate::lock_key`): Flyway's `PostgreSQLAdvisoryLockTemplate` uses
//! `0x466C79776179 ("Flyway") + "schema"."table".hashCode()`; Prisma's `acquire_lock` uses
//! `pg_advisory_lock(72707369)`. How each tool takes it:
//!
//! - Flyway 9.1.2 and later: `pg_try_advisory_xact_lock(key)` in a transaction of its own, per
//!   migration, retried every second, 50 times by default (`lockRetryCount`).
//! - Flyway before 9.1.2 (and `postgresql.transactional.lock=false`): `pg_try_advisory_lock(key)`
//!   per migration, released with `pg_advisory_unlock`.
//! - Prisma: `pg_advisory_lock(72707369)` for the whole command, with a 10 s timeout.
//!
//! A session-level lock on the same key excludes all three, whether they ask at session or
//! transaction level. Runbook holds it on its **own** connection rather than the migration's:
//! a migration may run `DISCARD ALL` or `pg_advisory_unlock_all()`, which would drop a lock held
//! by the session running it, and no transaction is ever open on the lock's session, so a
//! `CREATE INDEX CONCURRENTLY` in a migration never waits for it (the hang Flyway's transactional
//! lock causes: flyway/flyway#3497). Acquiring follows Flyway's `RetryStrategy`:
//! `pg_try_advisory_lock`, then a pause (1 s), at most `lockRetryCount` (50) times; a cancel
//! stops the wait at once. Dropping a [`HistoryLock`] closes its session, which releases it.

use std::time::Duration;

use runbook_migrate::{Config, Format};

use super::MigrateDbError;
use super::table::{HistoryTable, history_table};
use crate::cancel::CancelHandle;
use crate::session::Session;

/// How long and how often to try for the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockOptions {
    /// Attempts after the first; `None` waits for ever (Flyway: a negative `lockRetryCount`).
    pub retries: Option<u32>,
    /// The pause between attempts.
    pub interval: Duration,
}

impl Default for LockOptions {
    /// Flyway's defaults: `lockRetryCount = 50`, 1000 ms apart (`RetryStrategy`).
    fn default() -> Self {
        LockOptions {
            retries: Some(50),
            interval: Duration::from_secs(1),
        }
    }
}

/// The held lock. [`HistoryLock::release`] ends it; dropping it closes its session, which the
/// server treats the same way.
#[derive(Debug)]
pub struct HistoryLock {
    session: Session,
    key: i64,
    table: HistoryTable,
    attempts: u32,
}

/// Takes the history lock for `config`'s table, on a new session to the database `session` is
/// connected to.
pub async fn lock(
    session: &Session,
    config: &Config,
    options: &LockOptions,
    cancel: &CancelHandle,
) -> Result<HistoryLock, MigrateDbError> {
    let table = history_table(session, config).await?;
    let key = lock_key_for(&table);
    let mut spec = session.spec().clone();
    let name = format!("{} migrate lock", spec.application_name());
    spec.set_application_name(name);
    let lock_session = Session::connect(&spec)
        .await
        .map_err(MigrateDbError::LockConnect)?;
    let mut attempts = 0u32;
    loop {
        if cancel.is_cancelled() {
            return Err(MigrateDbError::LockCancelled {
                table: table.display(),
                key,
            });
        }
        attempts += 1;
        let got = lock_session
            .try_advisory_lock(key)
            .await
            .map_err(|e| MigrateDbError::query("take the history lock", &table.display(), e))?;
        if got {
            return Ok(HistoryLock {
                session: lock_session,
                key,
                table,
                attempts,
            });
        }
        if options.retries.is_some_and(|max| attempts > max) {
            let holder = holder(&lock_session, key).await;
            return Err(MigrateDbError::LockTimeout {
                table: table.display(),
                key,
                attempts,
                interval: options.interval,
                holder,
            });
        }
        tokio::select! {
            () = tokio::time::sleep(options.interval) => {}
            () = cancel.cancelled() => {}
        }
    }
}

/// The key for the resolved table (a `None` schema in the config means the session's current
/// one, which only the server knows). Plain uses Flyway's rule on its own table.
fn lock_key_for(table: &HistoryTable) -> i64 {
    match table.format {
        Format::Prisma => runbook_migrate::prisma::LOCK_KEY,
        Format::Flyway | Format::Plain => {
            runbook_migrate::flyway::lock_key(&table.schema, &table.table)
        }
    }
}

impl HistoryLock {
    /// The advisory lock key held.
    pub fn key(&self) -> i64 {
        self.key
    }

    /// The table it protects.
    pub fn table(&self) -> &HistoryTable {
        &self.table
    }

    /// How many attempts it took (1: it was free).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Errs when the lock's session is gone (so the lock is): call between migrations.
    pub fn check(&self) -> Result<(), MigrateDbError> {
        if self.session.is_closed() {
            return Err(MigrateDbError::LockLost {
                table: self.table.display(),
                key: self.key,
                reason: "its connection was closed".to_owned(),
            });
        }
        Ok(())
    }

    /// Unlocks and closes the lock's session.
    pub async fn release(self) -> Result<(), MigrateDbError> {
        let released = self.session.advisory_unlock(self.key).await.map_err(|e| {
            MigrateDbError::query("release the history lock", &self.table.display(), e)
        })?;
        if !released {
            return Err(MigrateDbError::LockLost {
                table: self.table.display(),
                key: self.key,
                reason: "the server says this session no longer held it".to_owned(),
            });
        }
        Ok(())
    }
}

/// Who holds advisory lock `key` in this database, for the timeout message. A bigint key is
/// shown in pg_locks as classid = its high 32 bits, objid = its low 32 bits, objsubid = 1.
async fn holder(session: &Session, key: i64) -> String {
    let sql = "SELECT l.pid::text, coalesce(a.usename::text, '?'), \
               coalesce(a.application_name, ''), coalesce(a.client_addr::text, 'local'), \
               coalesce(a.backend_start::text, '?'), l.mode \
               FROM pg_catalog.pg_locks l \
               LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
               WHERE l.locktype = 'advisory' AND l.granted \
               AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
               AND l.classid::text::bigint = (($1::bigint >> 32) & 4294967295) \
               AND l.objid::text::bigint = ($1::bigint & 4294967295) AND l.objsubid = 1 \
               ORDER BY l.pid";
    let key = key.to_string();
    match session.query(sql, &[&key]).await {
        Ok(rows) if rows.rows.is_empty() => {
            "held by a session this role cannot see (or released just now)".to_owned()
        }
        Ok(rows) => {
            let cell = |row: &Vec<Option<String>>, i: usize| {
                row.get(i).cloned().flatten().unwrap_or_default()
            };
            let holders: Vec<String> = rows
                .rows
                .iter()
                .map(|row| {
                    format!(
                        "held by pid {} (user {}, application \"{}\", from {}, connected since {})",
                        cell(row, 0),
                        cell(row, 1),
                        cell(row, 2),
                        cell(row, 3),
                        cell(row, 4)
                    )
                })
                .collect();
            holders.join("; ")
        }
        Err(e) => format!("its holder could not be read from pg_locks: {e}"),
    }
}

//! `runbook_postgres::migrate` against a real server: history tables compared with the ones
//! Flyway's and Prisma's own DDL make, rows Flyway and Prisma wrote read back, the lock, and
//! migrations applied with their rows.

mod apply;
mod history;
mod lock;

use std::io::Read;

use runbook_migrate::{BuiltIns, Config, Format, Migration, Resolved};
use runbook_postgres::Session;

/// A migration set in a temporary directory: `files` are (relative path, content).
pub struct Set {
    /// Kept for the set's lifetime (dropping it removes the files).
    _dir: tempfile::TempDir,
    pub config: Config,
}

impl Set {
    pub fn new(format: Format, schema: Option<&str>, files: &[(&str, &str)]) -> Set {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, content) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, content).expect("write");
        }
        let mut config = Config::new(format);
        config.locations = vec![dir.path().to_owned()];
        config.schema = schema.map(str::to_owned);
        Set { _dir: dir, config }
    }

    pub fn resolved(&self) -> Resolved {
        let resolved = runbook_migrate::resolve(&self.config).expect("resolve");
        assert!(resolved.problems.is_empty(), "{:?}", resolved.problems);
        resolved
    }

    /// The migration recorded under `script`.
    pub fn migration(&self, script: &str) -> Migration {
        let resolved = self.resolved();
        let index = resolved
            .find_script(script)
            .unwrap_or_else(|| panic!("no migration {script}"));
        resolved.migrations[index].clone()
    }
}

/// An opener for `apply`, as the engine passes `runbook_migrate::open_script`.
pub fn opener(
    config: &Config,
    migration: &Migration,
) -> impl FnMut() -> Result<Box<dyn Read + Send>, Box<dyn std::error::Error + Send + Sync>> + Send {
    let config = config.clone();
    let migration = migration.clone();
    move || {
        let builtins = BuiltIns::from_config(&config);
        Ok(runbook_migrate::open_script(
            &config, &migration, &builtins,
        )?)
    }
}

/// Every row of a query as text, for checks.
pub async fn rows(session: &Session, sql: &str) -> Vec<Vec<Option<String>>> {
    session
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows
}

/// The single value of a query.
pub async fn value(session: &Session, sql: &str) -> Option<String> {
    rows(session, sql)
        .await
        .first()
        .and_then(|row| row.first().cloned().flatten())
}

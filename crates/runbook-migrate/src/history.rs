//! History rows, format-neutral, and the exact rows a run writes, computed here so the values
//! are pure and unit-tested (B writes them).

use crate::config::{Config, Format};
use crate::migration::{Checksum, Migration};

/// Prisma's own columns of a `_prisma_migrations` row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrismaRow {
    /// UUID v4 text. Empty in a row computed by `applied_row`: the writer generates it.
    pub id: String,
    /// The checksum text as stored.
    pub checksum: String,
    pub finished_at: Option<String>,
    pub rolled_back_at: Option<String>,
    pub logs: Option<String>,
    pub started_at: String,
    pub applied_steps_count: i64,
}

/// One row of a history table. Flyway's columns; a Prisma row is mapped (rank = order by
/// `started_at`, 1-based; `script` and `description` = `migration_name`; `success` =
/// `finished_at` is set; type `SQL`) and keeps its own columns in `prisma`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub rank: i64,
    pub version: Option<String>,
    pub description: String,
    /// Flyway's `type`: SQL, BASELINE, SCHEMA, DELETE, JDBC, ...
    pub kind: String,
    pub script: String,
    pub checksum: Option<Checksum>,
    /// None in a row computed here: the writer fills in `current_user`.
    pub installed_by: Option<String>,
    pub installed_on: Option<String>,
    pub execution_time_ms: Option<i64>,
    pub success: bool,
    pub prisma: Option<PrismaRow>,
}

impl HistoryRow {
    /// A Prisma row that failed and was not rolled back: Prisma's P3009 condition
    /// (`finished_at IS NULL AND rolled_back_at IS NULL`).
    pub fn prisma_failed(&self) -> bool {
        self.prisma
            .as_ref()
            .is_some_and(|p| p.finished_at.is_none() && p.rolled_back_at.is_none())
    }

    /// A Prisma row marked rolled back.
    pub fn prisma_rolled_back(&self) -> bool {
        self.prisma
            .as_ref()
            .is_some_and(|p| p.rolled_back_at.is_some())
    }

    /// Flyway's synthetic rows (schema creation, baseline), never validated against files.
    pub fn is_synthetic(&self) -> bool {
        matches!(self.kind.as_str(), "SCHEMA" | "BASELINE" | "SQL_BASELINE")
    }
}

/// Flyway's `AbbreviationUtils.abbreviateDescription`: over 200 characters → the first 197
/// and "...".
pub fn abbreviate_description(description: &str) -> String {
    if description.chars().count() <= 200 {
        description.to_owned()
    } else {
        let head: String = description.chars().take(197).collect();
        format!("{head}...")
    }
}

/// Flyway's `AbbreviationUtils.abbreviateScript`: over 1000 characters → "..." and characters
/// 3..1000.
pub fn abbreviate_script(script: &str) -> String {
    if script.chars().count() <= 1000 {
        script.to_owned()
    } else {
        let tail: String = script.chars().skip(3).take(997).collect();
        format!("...{tail}")
    }
}

/// The row recording `migration` as applied (or, `success = false`, as failed), as Flyway's
/// `JdbcTableSchemaHistory.doAddAppliedMigration` writes it: version as written, description
/// and script abbreviated, type `SQL`. For Prisma the row's `prisma` part carries the checksum
/// and `applied_steps_count` (1 on success); id and timestamps are the writer's.
pub fn applied_row(
    config: &Config,
    migration: &Migration,
    rank: i64,
    installed_by: &str,
    execution_time_ms: i64,
    success: bool,
) -> HistoryRow {
    let prisma = (config.format == Format::Prisma).then(|| PrismaRow {
        id: String::new(),
        checksum: migration.checksum.to_string(),
        finished_at: None,
        rolled_back_at: None,
        logs: None,
        started_at: String::new(),
        applied_steps_count: i64::from(success),
    });
    HistoryRow {
        rank,
        version: migration.version.as_ref().map(|v| v.as_str().to_owned()),
        description: abbreviate_description(&migration.description),
        kind: "SQL".to_owned(),
        script: abbreviate_script(&migration.script),
        checksum: Some(migration.checksum.clone()),
        installed_by: Some(installed_by.to_owned()),
        installed_on: None,
        execution_time_ms: Some(execution_time_ms),
        success,
        prisma,
    }
}

/// Flyway's baseline row (`Database.getBaselineStatement`): rank 1, the baseline version, the
/// baseline description as both description and script, type BASELINE, no checksum,
/// execution time 0, success. `installed_by` None: the writer uses `installedBy` or
/// current_user.
pub fn baseline_row(config: &Config, rank: i64) -> HistoryRow {
    HistoryRow {
        rank,
        version: Some(config.baseline_version.clone()),
        description: abbreviate_description(&config.baseline_description),
        kind: "BASELINE".to_owned(),
        script: abbreviate_script(&config.baseline_description),
        checksum: None,
        installed_by: config.installed_by.clone(),
        installed_on: None,
        execution_time_ms: Some(0),
        success: true,
        prisma: None,
    }
}

/// Flyway's `calculateInstalledRank`: the last rank + 1, or 1 for an empty table. (The
/// schema-creation row, rank 0, is written by whoever creates the schema.)
pub fn next_rank(history: &[HistoryRow]) -> i64 {
    history.iter().map(|r| r.rank).max().map_or(1, |m| m + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations() {
        assert_eq!(abbreviate_description("short"), "short");
        let long = "あ".repeat(250);
        let d = abbreviate_description(&long);
        assert_eq!(d.chars().count(), 200);
        assert!(d.ends_with("..."));
        let s = abbreviate_script(&"x".repeat(1200));
        assert_eq!(s.chars().count(), 1000);
        assert!(s.starts_with("..."));
        assert_eq!(abbreviate_script(&"y".repeat(1000)).len(), 1000);
    }

    #[test]
    fn ranks() {
        assert_eq!(next_rank(&[]), 1);
        let mut c = Config::new(Format::Flyway);
        c.baseline_version = "0".into();
        let mut schema = baseline_row(&c, 0);
        schema.kind = "SCHEMA".into();
        assert_eq!(next_rank(std::slice::from_ref(&schema)), 1);
        let b = baseline_row(&c, 1);
        assert_eq!(next_rank(&[schema, b.clone()]), 2);
        assert_eq!(b.version.as_deref(), Some("0"));
        assert_eq!(b.script, "<< Flyway Baseline >>");
        assert_eq!(b.description, "<< Flyway Baseline >>");
        assert_eq!(b.checksum, None);
        assert_eq!(b.execution_time_ms, Some(0));
    }
}

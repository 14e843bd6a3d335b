//! Migration sets as Flyway, Prisma Migrate and a plain directory define them, so a `migrate`
//! step can stand in for those tools and hand the database back to them: file names and
//! versions, checksums exactly as each tool records them, flyway.conf, placeholders, and the
//! plan, validation, repair and resolve decisions over a history table.
//!
//! Pure: this crate reads migration directories and files (`std::fs`, streaming, bounded
//! memory) and nothing else. The history rows come in from the database side
//! (`runbook-postgres::migrate`), which writes the rows and changes computed here.
//!
//! Where a behaviour copies Flyway or Prisma, the doc comment names the source it follows.

mod chunks;
mod config;
mod crc32;
mod errors;
pub mod flyway;
mod history;
mod migration;
mod placeholders;
pub mod plain;
mod plan;
pub mod prisma;
mod repair;
mod resolve;
mod version;

pub use config::{Config, Format};
pub use errors::{ConfError, MigrateError, Problem, ProblemKind};
pub use history::{
    HistoryRow, PrismaRow, abbreviate_description, abbreviate_script, applied_row, baseline_row,
    next_rank,
};
pub use migration::{Checksum, Migration, MigrationKind};
pub use placeholders::{
    BuiltIns, MAX_NAME, PlaceholderError, PlaceholderReader, Values, open_script,
};
pub use plan::{Entry, Plan, State, plan};
pub use repair::{HistoryChange, repair, resolve_applied, resolve_rolled_back};
pub use resolve::{Resolved, resolve, resolve_with};
pub use version::{Version, VersionError};

/// The advisory lock key for this set's history table: Flyway's key on
/// `"schema"."table"` for Flyway and plain (so Runbook and Flyway exclude each other; a
/// config without a schema uses `public`: resolve the server's current schema first),
/// Prisma's fixed key for Prisma.
pub fn lock_key(config: &Config) -> i64 {
    match config.format {
        Format::Prisma => prisma::LOCK_KEY,
        Format::Flyway | Format::Plain => {
            flyway::lock_key(config.default_schema().unwrap_or("public"), &config.table)
        }
    }
}

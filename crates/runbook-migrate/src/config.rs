//! What a migrate step knows about its migration set: the format, where the files are, how
//! they are named and which history table records them. Built by the engine from the step's
//! keys over a flyway.conf (step keys win).

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Which tool's conventions a migration set follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `V<version>__<description>.sql` and `R__<description>.sql`, `flyway_schema_history`.
    Flyway,
    /// `<timestamp>_<name>/migration.sql` folders, `_prisma_migrations`.
    Prisma,
    /// A directory of `<number>_<description>.sql` files, `runbook_schema_history` in Flyway's
    /// shape (see `plain`).
    Plain,
}

impl Format {
    /// The name as a runbook spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Flyway => "flyway",
            Format::Prisma => "prisma",
            Format::Plain => "plain",
        }
    }
}

/// Everything needed to find, order and judge migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub format: Format,
    /// Directories to scan (Flyway `locations` filesystem: entries; Prisma/plain: the one dir).
    pub locations: Vec<PathBuf>,
    /// Schema of the history table; None = the server's current schema.
    pub schema: Option<String>,
    /// `flyway_schema_history` | `_prisma_migrations` | `runbook_schema_history`.
    pub table: String,
    /// Flyway `schemas` (created if missing, as Flyway does).
    pub schemas: Vec<String>,
    /// Flyway `baselineVersion`, default "1".
    pub baseline_version: String,
    /// Flyway `baselineDescription`, default "<< Flyway Baseline >>".
    pub baseline_description: String,
    /// An explicit `baseline:` in the step: write the baseline row as `flyway baseline` does
    /// (whatever the schema holds), then migrate.
    pub baseline: bool,
    /// Flyway `baselineOnMigrate`: baseline a non-empty schema that has no history table.
    pub baseline_on_migrate: bool,
    /// Flyway `target` (stop after this version; "latest"/"current" mean no limit). Prisma:
    /// the name of the last migration to apply.
    pub target_version: Option<String>,
    /// Flyway `outOfOrder`.
    pub out_of_order: bool,
    /// Script names (as recorded: "V0225__alter_module_add_json.sql") excluded explicitly.
    pub exclude: Vec<String>,
    /// Flyway `placeholders.*` (keys compared case-insensitively, as Flyway does).
    pub placeholders: BTreeMap<String, String>,
    pub placeholder_prefix: String,
    pub placeholder_suffix: String,
    pub placeholder_replacement: bool,
    pub sql_migration_prefix: String,
    pub repeatable_sql_migration_prefix: String,
    pub sql_migration_separator: String,
    pub sql_migration_suffixes: Vec<String>,
    /// Flyway `installedBy`; None = current_user.
    pub installed_by: Option<String>,
}

impl Config {
    /// That format's defaults: Flyway's own (`FlywayModel`), Prisma's, or plain's (Flyway's
    /// naming knobs are unused; the table is `runbook_schema_history`).
    pub fn new(format: Format) -> Config {
        let table = match format {
            Format::Flyway => "flyway_schema_history",
            Format::Prisma => "_prisma_migrations",
            Format::Plain => "runbook_schema_history",
        };
        Config {
            format,
            locations: Vec::new(),
            schema: None,
            table: table.to_owned(),
            schemas: Vec::new(),
            baseline_version: "1".to_owned(),
            baseline_description: "<< Flyway Baseline >>".to_owned(),
            baseline: false,
            baseline_on_migrate: false,
            target_version: None,
            out_of_order: false,
            exclude: Vec::new(),
            placeholders: BTreeMap::new(),
            placeholder_prefix: "${".to_owned(),
            placeholder_suffix: "}".to_owned(),
            placeholder_replacement: format == Format::Flyway,
            sql_migration_prefix: "V".to_owned(),
            repeatable_sql_migration_prefix: "R".to_owned(),
            sql_migration_separator: "__".to_owned(),
            sql_migration_suffixes: vec![".sql".to_owned()],
            installed_by: None,
        }
    }

    /// The schema `${flyway:defaultSchema}` names and the history table lives in, when known
    /// without asking the server: `schema`, else the first of `schemas` (Flyway's rule).
    pub fn default_schema(&self) -> Option<&str> {
        self.schema
            .as_deref()
            .or_else(|| self.schemas.first().map(String::as_str))
    }

    /// Whether `script` (a name as recorded) is excluded.
    pub fn is_excluded(&self, script: &str) -> bool {
        self.exclude.iter().any(|e| e == script)
    }
}

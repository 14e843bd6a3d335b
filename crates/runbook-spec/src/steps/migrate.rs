//! `migrate`: apply a directory of ordered migrations with a history table that Flyway, Prisma
//! (or, for `plain`, Runbook itself) recognises as its own, so a database migrated here can be
//! handed back to the tool and the reverse.
//!
//! This file checks what can be checked without reading a file or a database: the keys each
//! format understands (Prisma has no flyway.conf, placeholders, baseline or target version, so
//! those keys are refused for it rather than ignored), the baseline keys, the syntax of versions
//! (as Flyway's `MigrationVersion` reads them), `exclude` entries and the `mode`.

use std::fmt;
use std::path::PathBuf;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::steps::kind::{KindSpec, Needs, StepCx};

/// Applies ordered migrations (Flyway, Prisma or a plain directory of .sql files) and records
/// each in the tool's history table, in the same transaction as the migration when it can.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Migrate {
    /// Whose layout and history table: flyway (V<version>__<description>.sql and R__ files,
    /// flyway_schema_history), prisma (prisma/migrations/<timestamp>_<name>/migration.sql,
    /// _prisma_migrations) or plain (<version>_<name>.sql files, runbook_schema_history in
    /// Flyway's shape).
    pub format: Format,
    /// The migrations directory (relative paths are relative to the working directory).
    /// Required unless `config` (a flyway.conf) gives `flyway.locations`.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// A flyway.conf to read (flyway only): locations, schemas, defaultSchema, table,
    /// baselineVersion, baselineOnMigrate, outOfOrder, target, placeholders.* and the naming
    /// settings; `${NAME}` references in it are read from the run's environment. The step's own
    /// keys win over it.
    #[serde(default)]
    pub config: Option<PathBuf>,
    /// The schema the history table lives in (flyway: defaultSchema, created with the history
    /// table when missing, as Flyway does; prisma: where _prisma_migrations is). Default: the
    /// config's, else the connection's current schema.
    #[serde(default)]
    pub schema: Option<String>,
    /// The history table's name (default flyway_schema_history, _prisma_migrations or
    /// runbook_schema_history).
    #[serde(default)]
    pub table: Option<String>,
    /// The baseline's version and description (flyway and plain): on its own, a database
    /// without a history table is baselined at this version before migrating (`flyway
    /// baseline` then `flyway migrate`); with `baseline_on_migrate: true`, only when its schema
    /// is not empty (Flyway's baselineVersion with baselineOnMigrate). Migrations up to and
    /// including this version are not applied.
    #[serde(default)]
    pub baseline: Option<Baseline>,
    /// Flyway's baselineOnMigrate: when there is no history table and the schema already holds
    /// objects, write a baseline row (version from `baseline`, the config, else "1") first.
    #[serde(default)]
    pub baseline_on_migrate: Option<bool>,
    /// Stop after this version (flyway and plain; Flyway's `target`): later migrations are
    /// listed as above the target and not applied.
    #[serde(default)]
    #[schemars(with = "Option<crate::schema::TextValue>")]
    pub target_version: Option<String>,
    /// Apply a pending migration whose version is older than the newest applied one (Flyway's
    /// outOfOrder; default false: such a migration is refused).
    #[serde(default)]
    pub out_of_order: Option<bool>,
    /// Migration files (or, for prisma, migration directory names) not to apply, by name as the
    /// history records them (V0225__alter_module_add_json.sql). Each is listed in the log and
    /// the evidence as excluded by the runbook; an excluded file no longer counts as a duplicate
    /// version.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Flyway placeholders: `${name}` in a migration is replaced by the value (flyway only;
    /// adds to, and wins over, the config's flyway.placeholders.*).
    #[serde(default)]
    #[schemars(with = "IndexMap<String, crate::schema::TextValue>")]
    pub placeholders: IndexMap<String, String>,
    /// What the history records as installed_by (flyway and plain; default: the session's
    /// current_user, as Flyway records it).
    #[serde(default)]
    pub installed_by: Option<String>,
    /// migrate (default): apply what is pending; validate: only check the directory against
    /// the history; repair: what `flyway repair` does (remove failed rows, realign checksums and
    /// descriptions); baseline: only write the baseline row (`flyway baseline`);
    /// "resolve_applied NAME" / "resolve_rolled_back NAME" (prisma): what `prisma migrate
    /// resolve --applied/--rolled-back NAME` does.
    #[serde(default)]
    #[schemars(with = "String", extend("default" = "migrate", "pattern" = MODE_PATTERN))]
    pub mode: Mode,
}

/// The mode values the schema accepts (the NAME of a resolve mode is checked by the run).
const MODE_PATTERN: &str =
    r"^(migrate|validate|repair|baseline|resolve_applied \S.*|resolve_rolled_back \S.*)$";

/// Whose migrations and history table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Flyway: V/R-prefixed .sql files, flyway_schema_history, CRC32 checksums.
    Flyway,
    /// Prisma Migrate: <timestamp>_<name>/migration.sql folders, _prisma_migrations, sha256.
    Prisma,
    /// A directory of numbered .sql files, runbook_schema_history in Flyway's shape.
    Plain,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Flyway => "flyway",
            Format::Prisma => "prisma",
            Format::Plain => "plain",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `baseline: { version, description }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The baseline version, as Flyway writes versions ("0", "1.5", "0220").
    #[schemars(with = "crate::schema::TextValue")]
    pub version: String,
    /// The baseline row's description (default Flyway's "<< Flyway Baseline >>").
    #[serde(default)]
    pub description: Option<String>,
}

/// What the step does with the history.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub enum Mode {
    /// Apply what is pending (`flyway migrate`, `prisma migrate deploy`).
    #[default]
    Migrate,
    /// Only compare the directory with the history and report problems; nothing is written.
    Validate,
    /// `flyway repair`: remove failed rows, realign checksums and descriptions.
    Repair,
    /// `flyway baseline`: create the history with its baseline row.
    Baseline,
    /// `prisma migrate resolve --applied NAME`.
    ResolveApplied(String),
    /// `prisma migrate resolve --rolled-back NAME`.
    ResolveRolledBack(String),
}

impl Mode {
    /// The mode as written (`resolve_applied 20240101_init`).
    pub fn describe(&self) -> String {
        match self {
            Mode::Migrate => "migrate".to_owned(),
            Mode::Validate => "validate".to_owned(),
            Mode::Repair => "repair".to_owned(),
            Mode::Baseline => "baseline".to_owned(),
            Mode::ResolveApplied(name) => format!("resolve_applied {name}"),
            Mode::ResolveRolledBack(name) => format!("resolve_rolled_back {name}"),
        }
    }

    /// Whether the mode writes to the history table or applies migrations.
    pub fn writes(&self) -> bool {
        !matches!(self, Mode::Validate)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

const MODES: &str =
    "migrate, validate, repair, baseline, resolve_applied NAME, resolve_rolled_back NAME";

impl TryFrom<String> for Mode {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let trimmed = text.trim();
        let (word, rest) = match trimmed.split_once(char::is_whitespace) {
            Some((word, rest)) => (word, Some(rest.trim())),
            None => (trimmed, None),
        };
        let named = |make: fn(String) -> Mode| match rest {
            Some(name) if !name.is_empty() => Ok(make(name.to_owned())),
            _ => Err(format!(
                "mode '{word}' without a migration name: expected '{word} NAME' with the migration directory's name, e.g. {word} 20201207184859_initial_migration"
            )),
        };
        let plain = |mode: Mode| match rest {
            None => Ok(mode),
            Some(_) => Err(format!(
                "invalid mode '{trimmed}': '{word}' takes no name; expected one of {MODES}"
            )),
        };
        match word {
            "migrate" => plain(Mode::Migrate),
            "validate" => plain(Mode::Validate),
            "repair" => plain(Mode::Repair),
            "baseline" => plain(Mode::Baseline),
            "resolve_applied" => named(Mode::ResolveApplied),
            "resolve_rolled_back" => named(Mode::ResolveRolledBack),
            _ => Err(format!("unknown mode '{trimmed}': expected one of {MODES}")),
        }
    }
}

/// Whether `text` is a version as Flyway's `MigrationVersion` parses it: digits in parts
/// separated by `.` or `_` (`0227_1` is 0227.1). Flyway also accepts the words `latest` and
/// `current` for its target; `latest` means no target, so a runbook leaves the key out.
pub fn is_version(text: &str) -> bool {
    !text.is_empty()
        && text
            .split(['.', '_'])
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); a longer one is cut
/// silently by the server, so the history table would not be where the runbook says.
const MAX_IDENTIFIER_BYTES: usize = 63;

impl KindSpec for Migrate {
    const KIND: &'static str = "migrate";
    const NEEDS: Needs = Needs::Postgres;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        self.check_locations(cx);
        self.check_format_keys(cx);
        self.check_baseline(cx);
        self.check_versions(cx);
        self.check_names(cx);
        self.check_mode(cx);
    }
}

impl Migrate {
    fn check_locations(&self, cx: &mut StepCx<'_>) {
        if self.dir.as_ref().is_some_and(|d| d.as_os_str().is_empty()) {
            let message = format!(
                "empty 'dir' in {}; expected the migrations directory",
                cx.label()
            );
            cx.error(&["dir"], message);
        }
        if self
            .config
            .as_ref()
            .is_some_and(|c| c.as_os_str().is_empty())
        {
            let message = format!(
                "empty 'config' in {}; expected the path of a flyway.conf",
                cx.label()
            );
            cx.error(&["config"], message);
        }
        if self.dir.is_none() && self.config.is_none() {
            let message = match self.format {
                Format::Flyway => format!(
                    "{} names no migrations: expected 'dir' (the directory of V__ files) or 'config' (a flyway.conf with flyway.locations)",
                    cx.label()
                ),
                Format::Prisma => format!(
                    "{} names no migrations: expected 'dir' (the prisma/migrations directory)",
                    cx.label()
                ),
                Format::Plain => format!(
                    "{} names no migrations: expected 'dir' (the directory of .sql files)",
                    cx.label()
                ),
            };
            cx.key_error(&["format"], message);
        }
    }

    /// Keys that mean nothing for a format are refused, not ignored: a runbook that sets
    /// placeholders for Prisma would otherwise run its files with `${...}` left in them.
    fn check_format_keys(&self, cx: &mut StepCx<'_>) {
        let format = self.format;
        if format != Format::Flyway && self.config.is_some() {
            let message = format!(
                "'config' in {} is a flyway.conf, read only with format: flyway (this step's format is {format})",
                cx.label()
            );
            cx.key_error(&["config"], message);
        }
        if format != Format::Flyway && !self.placeholders.is_empty() {
            let why = match format {
                Format::Prisma => "Prisma runs migration.sql as written, without placeholders",
                _ => "plain migrations run as written, without placeholders",
            };
            let message = format!(
                "'placeholders' in {} is not available with format: {format}: {why}",
                cx.label()
            );
            cx.key_error(&["placeholders"], message);
        }
        if format != Format::Prisma {
            return;
        }
        let refused: [(&str, bool, &str); 5] = [
            (
                "baseline",
                self.baseline.is_some(),
                "Prisma baselines by marking migrations applied: use mode: resolve_applied NAME",
            ),
            (
                "baseline_on_migrate",
                self.baseline_on_migrate.is_some(),
                "Prisma baselines by marking migrations applied: use mode: resolve_applied NAME",
            ),
            (
                "target_version",
                self.target_version.is_some(),
                "Prisma migrations have names, not versions, and prisma migrate deploy applies them all; use exclude to leave one out",
            ),
            (
                "out_of_order",
                self.out_of_order.is_some(),
                "Prisma applies every migration not yet recorded, whatever its place in the order",
            ),
            (
                "installed_by",
                self.installed_by.is_some(),
                "_prisma_migrations has no installed_by column",
            ),
        ];
        for (key, given, why) in refused {
            if given {
                let message = format!(
                    "'{key}' in {} is not available with format: prisma: {why}",
                    cx.label()
                );
                cx.key_error(&[key], message);
            }
        }
    }

    fn check_baseline(&self, cx: &mut StepCx<'_>) {
        if self.format == Format::Prisma {
            return;
        }
        if self.baseline_on_migrate == Some(false) && self.baseline.is_some() {
            let message = format!(
                "{} has a 'baseline' and baseline_on_migrate: false; leave baseline_on_migrate out to baseline a database without history, or set it true to baseline only a schema that is not empty",
                cx.label()
            );
            cx.key_error(&["baseline_on_migrate"], message);
        }
        if self.mode == Mode::Baseline && self.baseline_on_migrate.is_some() {
            let message = format!(
                "baseline_on_migrate in {} has no effect with mode: baseline, which always writes the baseline row; leave it out",
                cx.label()
            );
            cx.key_error(&["baseline_on_migrate"], message);
        }
        if let Some(description) = self.baseline.as_ref().and_then(|b| b.description.as_ref())
            && description.trim().is_empty()
        {
            let message = format!(
                "empty 'baseline.description' in {}; leave it out for Flyway's \"<< Flyway Baseline >>\"",
                cx.label()
            );
            cx.error(&["baseline", "description"], message);
        }
    }

    fn check_versions(&self, cx: &mut StepCx<'_>) {
        let mut check = |path: &[&str], key: &str, version: &str| {
            if !is_version(version) {
                let message = format!(
                    "invalid version '{version}' for '{key}' in {}; expected digits separated by . or _ (as Flyway reads V1_2__x.sql: 1.2), e.g. \"0221\"",
                    cx.label()
                );
                cx.error(path, message);
            }
        };
        if self.format != Format::Prisma {
            if let Some(version) = &self.target_version {
                check(&["target_version"], "target_version", version);
            }
            if let Some(baseline) = &self.baseline {
                check(
                    &["baseline", "version"],
                    "baseline.version",
                    &baseline.version,
                );
            }
        }
    }

    fn check_names(&self, cx: &mut StepCx<'_>) {
        for (key, value) in [("schema", &self.schema), ("table", &self.table)] {
            let Some(name) = value else { continue };
            let problem = if name.is_empty() {
                Some("it is empty".to_owned())
            } else if name.contains('\0') {
                Some("it contains a NUL character".to_owned())
            } else if name.len() > MAX_IDENTIFIER_BYTES {
                Some(format!(
                    "it is {} bytes long and PostgreSQL keeps {MAX_IDENTIFIER_BYTES}",
                    name.len()
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                let message = format!(
                    "invalid '{key}' '{name}' in {}: {problem}; expected a name as the database spells it (opendolphin)",
                    cx.label()
                );
                cx.error(&[key], message);
            }
        }
        if self.installed_by.as_deref().is_some_and(|s| s.is_empty()) {
            let message = format!(
                "empty 'installed_by' in {}; leave it out to record the session's current_user",
                cx.label()
            );
            cx.error(&["installed_by"], message);
        }
        let mut seen = std::collections::HashSet::new();
        for (i, entry) in self.exclude.iter().enumerate() {
            let index = i.to_string();
            let problem = if entry.trim().is_empty() {
                Some("it is empty".to_owned())
            } else if entry.contains(['/', '\\']) && self.format == Format::Prisma {
                Some("a prisma migration is named by its directory alone".to_owned())
            } else if entry.contains('\0') {
                Some("it contains a NUL character".to_owned())
            } else if entry != entry.trim() {
                Some("it starts or ends with white space".to_owned())
            } else {
                None
            };
            if let Some(problem) = problem {
                let expected = match self.format {
                    Format::Prisma => "a migration directory's name (20240101120000_init)",
                    _ => {
                        "a migration file's name as the history records it (V0225__alter_module_add_json.sql)"
                    }
                };
                let message = format!(
                    "invalid entry '{entry}' in 'exclude' of {}: {problem}; expected {expected}",
                    cx.label()
                );
                cx.error(&["exclude", &index], message);
            } else if !seen.insert(entry.as_str()) {
                let message = format!("'{entry}' is listed twice in 'exclude' of {}", cx.label());
                cx.error(&["exclude", &index], message);
            }
        }
        for (name, _) in &self.placeholders {
            if name.is_empty() || name.contains(['}', '\0']) {
                let message = format!(
                    "invalid placeholder name '{name}' in 'placeholders' of {}; expected a name without '}}', as ${{name}} is written in a migration",
                    cx.label()
                );
                cx.key_error(&["placeholders", name], message);
            } else if name.to_ascii_lowercase().starts_with("flyway:") {
                let message = format!(
                    "placeholder '{name}' in {} is one of Flyway's built-ins (${{flyway:...}}), which the run sets; choose another name",
                    cx.label()
                );
                cx.key_error(&["placeholders", name], message);
            }
        }
    }

    fn check_mode(&self, cx: &mut StepCx<'_>) {
        let needs_prisma = matches!(
            self.mode,
            Mode::ResolveApplied(_) | Mode::ResolveRolledBack(_)
        );
        if needs_prisma && self.format != Format::Prisma {
            let message = format!(
                "mode '{}' in {} is prisma's migrate resolve; with format: {} use mode: repair (flyway repair) or baseline",
                self.mode,
                cx.label(),
                self.format
            );
            cx.error(&["mode"], message);
        }
        if let Mode::ResolveApplied(name) | Mode::ResolveRolledBack(name) = &self.mode
            && name.contains(['/', '\\'])
        {
            let message = format!(
                "migration name '{name}' in mode of {} contains a path separator; expected the migration directory's name alone (20201207184859_initial_migration)",
                cx.label()
            );
            cx.error(&["mode"], message);
        }
        let flyway_only = matches!(self.mode, Mode::Repair | Mode::Baseline);
        if flyway_only && self.format == Format::Prisma {
            let message = format!(
                "mode '{}' in {} is Flyway's; with format: prisma use mode: resolve_applied NAME or resolve_rolled_back NAME (prisma migrate resolve)",
                self.mode,
                cx.label()
            );
            cx.error(&["mode"], message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_digits_in_parts() {
        for ok in ["0", "1", "0221", "0227.1", "0227_1", "1.2.3", "10_0"] {
            assert!(is_version(ok), "{ok}");
        }
        for bad in ["", "v1", "1.", ".1", "1..2", "1.a", "latest", "1 2", "-1"] {
            assert!(!is_version(bad), "{bad}");
        }
    }

    #[test]
    fn modes_parse_with_and_without_names() {
        let parse = |s: &str| Mode::try_from(s.to_owned());
        assert_eq!(parse("migrate"), Ok(Mode::Migrate));
        assert_eq!(parse("repair"), Ok(Mode::Repair));
        assert_eq!(
            parse("resolve_applied 20240101_init"),
            Ok(Mode::ResolveApplied("20240101_init".to_owned()))
        );
        assert_eq!(
            parse("resolve_rolled_back  x "),
            Ok(Mode::ResolveRolledBack("x".to_owned()))
        );
        assert!(parse("resolve_applied").is_err_and(|e| e.contains("without a migration name")));
        assert!(parse("repair now").is_err_and(|e| e.contains("takes no name")));
        assert!(parse("deploy").is_err_and(|e| e.contains("unknown mode 'deploy'")));
        assert_eq!(
            Mode::ResolveApplied("a".to_owned()).to_string(),
            "resolve_applied a"
        );
    }
}

//! The plan: every migration and history row with its state (what `check` shows and evidence
//! records), the pending migrations in apply order, the baseline row to write first, and the
//! validation problems that block a run.
//!
//! Flyway and plain follow Flyway's `MigrationInfoImpl` (states and `validate()`), `Flyway.migrate`
//! (baseline on migrate) and `DbBaseline` (explicit baseline); Prisma follows
//! `apply_migrations` (P3005, P3009, unapplied = names without a non-rolled-back row) and
//! `diagnose_migration_history` for edited migrations.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{Config, Format};
use crate::errors::{Problem, ProblemKind};
use crate::history::{HistoryRow, abbreviate_description, baseline_row};
use crate::migration::{Checksum, Migration};
use crate::resolve::{Resolved, excluded, target};
use crate::version::Version;

/// A migration's or row's state, as Flyway's `info` names them (plus Prisma's rolled back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Applied successfully (and, above the baseline, validated).
    Applied,
    /// Will be applied by this run.
    Pending,
    /// A failed row: Flyway `success = false`, Prisma finished_at and rolled_back_at unset.
    Failed,
    /// Listed under `exclude`: never applied, never silent.
    Excluded,
    /// Newer than `target_version`.
    AboveTarget,
    /// Older than the baseline: never applied.
    BelowBaseline,
    /// The baseline's own version: the baseline stands for it.
    BaselineIgnored,
    /// The baseline row.
    Baseline,
    /// Flyway's schema-creation row (rank 0).
    Schema,
    /// Applied, but its file is gone.
    MissingLocally,
    /// Applied, newer than every file (Flyway ignores these by default: `*:future`).
    Future,
    /// Older than the newest applied version and not applied, without `out_of_order`.
    Ignored,
    /// A repeatable whose checksum changed: applied again.
    Outdated,
    /// An older row of a repeatable applied again since.
    Superseded,
    /// Marked deleted by `flyway repair` (a DELETE row), or that DELETE row itself.
    Deleted,
    /// A Prisma row marked rolled back.
    RolledBack,
}

impl State {
    /// The name as `check` and evidence print it.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Pending => "pending",
            State::Failed => "failed",
            State::Excluded => "excluded",
            State::AboveTarget => "above_target",
            State::BelowBaseline => "below_baseline",
            State::BaselineIgnored => "baseline_ignored",
            State::Baseline => "baseline",
            State::Schema => "schema",
            State::MissingLocally => "missing_locally",
            State::Future => "future",
            State::Ignored => "ignored",
            State::Outdated => "outdated",
            State::Superseded => "superseded",
            State::Deleted => "deleted",
            State::RolledBack => "rolled_back",
        }
    }
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub state: State,
    /// Index into `Resolved::migrations`.
    pub migration: Option<usize>,
    /// Index into the history slice given to `plan`.
    pub row: Option<usize>,
    pub version: Option<String>,
    pub description: String,
    pub script: String,
    /// The file's checksum when there is a file.
    pub checksum: Option<Checksum>,
    /// The history's checksum when there is a row.
    pub applied_checksum: Option<Checksum>,
    /// Why the state, when it is not obvious.
    pub note: Option<String>,
}

/// What a run will do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The baseline row to write first (rank assigned; `installed_by` None = current_user).
    pub baseline: Option<HistoryRow>,
    pub entries: Vec<Entry>,
    /// Indexes into `Resolved::migrations`, in apply order.
    pub pending: Vec<usize>,
    /// Validation errors: a run applies nothing while there is one.
    pub problems: Vec<Problem>,
    /// Things worth saying that do not block.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_blocked(&self) -> bool {
        !self.problems.is_empty()
    }

    /// What a standalone validate refuses: every problem that blocks a migrate, and the
    /// migrations a migrate would apply (pending, within `target_version`, not excluded;
    /// changed repeatables too). `flyway validate` reports these because its default
    /// `ignoreMigrationPatterns` is `*:future` only, and only `migrate` adds `*:pending`
    /// (flyway-core `MigrationInfoImpl.validate()`: "Detected resolved migration not applied
    /// to database", "Detected outdated resolved repeatable migration"); `prisma migrate
    /// status` exits 1 with "Following migrations have not yet been applied" (prisma
    /// `packages/migrate/src/commands/MigrateStatus.ts`). Applied rows newer than every file
    /// stay ignored, as Flyway's `*:future`. A migrate uses `problems` alone, so it still
    /// applies what is pending.
    pub fn validate_problems(&self, config: &Config, resolved: &Resolved) -> Vec<Problem> {
        let mut problems = self.problems.clone();
        if self.pending.is_empty() {
            return problems;
        }
        let outdated: BTreeSet<usize> = self
            .entries
            .iter()
            .filter(|e| e.state == State::Outdated)
            .filter_map(|e| e.migration)
            .collect();
        let lines: Vec<String> = self
            .pending
            .iter()
            .filter_map(|&mi| resolved.migrations.get(mi).map(|m| (mi, m)))
            .map(|(mi, m)| {
                let what = match config.format {
                    Format::Prisma => m.script.clone(),
                    Format::Flyway | Format::Plain => m.label(),
                };
                if outdated.contains(&mi) {
                    format!("{what}: changed since it was applied, migrate would apply it again")
                } else {
                    what
                }
            })
            .collect();
        let count = lines.len();
        let list = lines.join(", ");
        let message = match config.format {
            Format::Prisma => format!(
                "{count} migration{} not applied yet: {list}; mode: migrate would apply {} (prisma migrate status: \"Following migrations have not yet been applied\", exit 1)",
                if count == 1 { " is" } else { "s are" },
                if count == 1 {
                    "it"
                } else {
                    "them, in this order"
                },
            ),
            Format::Flyway | Format::Plain => {
                let first = self
                    .pending
                    .first()
                    .and_then(|&mi| resolved.migrations.get(mi))
                    .map_or_else(String::new, |m| match &m.version {
                        Some(v) => format!("Detected resolved migration not applied to database: {v}"),
                        None if outdated.contains(&self.pending[0]) => format!(
                            "Detected outdated resolved repeatable migration that should be re-applied to database: {}",
                            m.description
                        ),
                        None => format!(
                            "Detected resolved repeatable migration not applied to database: {}",
                            m.description
                        ),
                    });
                format!(
                    "{count} migration{} not applied to {}: {list}; mode: migrate would apply {} (Flyway validate: \"{first}\")",
                    if count == 1 { " is" } else { "s are" },
                    table_name(config),
                    if count == 1 {
                        "it"
                    } else {
                        "them, in this order"
                    },
                )
            }
        };
        problems.push(Problem::new(ProblemKind::NotApplied, message));
        problems
    }
}

/// Decides what a run does. `history` is None when the history table does not exist;
/// `schema_is_empty` says whether the target schema(s) hold objects (Flyway's
/// `Schema.empty()`, Prisma's non-ignored tables) and only matters then.
pub fn plan(
    config: &Config,
    resolved: &Resolved,
    history: Option<&[HistoryRow]>,
    schema_is_empty: bool,
) -> Plan {
    match config.format {
        Format::Prisma => prisma_plan(config, resolved, history, schema_is_empty),
        Format::Flyway | Format::Plain => flyway_plan(config, resolved, history, schema_is_empty),
    }
}

fn parse_row_version(row: &HistoryRow) -> Option<Version> {
    row.version.as_deref().and_then(|v| Version::parse(v).ok())
}

fn row_entry(row: &HistoryRow, index: usize, state: State) -> Entry {
    Entry {
        state,
        migration: None,
        row: Some(index),
        version: row.version.clone(),
        description: row.description.clone(),
        script: row.script.clone(),
        checksum: None,
        applied_checksum: row.checksum.clone(),
        note: None,
    }
}

fn migration_entry(m: &Migration, index: usize, state: State) -> Entry {
    Entry {
        state,
        migration: Some(index),
        row: None,
        version: m.version.as_ref().map(|v| v.as_str().to_owned()),
        description: m.description.clone(),
        script: m.script.clone(),
        checksum: Some(m.checksum.clone()),
        applied_checksum: None,
        note: None,
    }
}

fn show(c: &Option<Checksum>) -> String {
    c.as_ref()
        .map_or_else(|| "none".to_owned(), ToString::to_string)
}

fn table_name(config: &Config) -> String {
    match config.default_schema() {
        Some(s) => format!("{s}.{}", config.table),
        None => config.table.clone(),
    }
}

/// Explicit baseline against an existing table, as modern Flyway's `DbBaseline.baseline()`
/// (flyway-core `internal/command/DbBaseline.java`, the same since Flyway 6): the same marker
/// is nothing to do; any other existing table is refused, in Flyway's order (another marker,
/// version 0 over the schema-creation row, applied migrations, an empty table, anything else).
/// Flyway 5 added the baseline row to an empty table; Flyway 6 and later refuse, and a
/// database Flyway continues must see what today's Flyway would have written.
fn explicit_baseline(config: &Config, rows: &[HistoryRow], plan: &mut Plan) {
    let table = table_name(config);
    let want = Version::parse(&config.baseline_version).ok();
    let mut by_rank: Vec<&HistoryRow> = rows.iter().collect();
    by_rank.sort_by_key(|r| r.rank);
    // `JdbcTableSchemaHistory.getBaselineMarker`: a BASELINE row among the first two
    // (the SCHEMA row may come first).
    let marker = by_rank.iter().take(2).find(|r| r.kind == "BASELINE");
    let refuse = |plan: &mut Plan, message: String| {
        plan.problems
            .push(Problem::new(ProblemKind::BaselineConflict, message));
    };
    if let Some(m) = marker {
        let same_version = parse_row_version(m).is_some() && parse_row_version(m) == want;
        if same_version && m.description == abbreviate_description(&config.baseline_description) {
            plan.notes.push(format!(
                "{table} is already baselined with ({}, {}); nothing to baseline (Flyway: \"already initialized ... Skipping\")",
                config.baseline_version, m.description
            ));
        } else {
            refuse(
                plan,
                format!(
                    "cannot baseline {table} with ({}, {}): it is already baselined with ({}, {}) at rank {}; give the step the baseline it already has, or drop the baseline setting (Flyway: \"as it has already been baselined with\")",
                    config.baseline_version,
                    config.baseline_description,
                    m.version.as_deref().unwrap_or(""),
                    m.description,
                    m.rank
                ),
            );
        }
        return;
    }
    let has_schema_row = rows.iter().any(|r| r.kind == "SCHEMA");
    if has_schema_row && want == Version::parse("0").ok() {
        refuse(
            plan,
            format!(
                "cannot baseline {table} with version 0: version 0 was used for schema creation (the history's SCHEMA row, written when Flyway created the schema); choose another baseline version (Flyway: \"with version 0 as this version was used for schema creation\")"
            ),
        );
        return;
    }
    if let Some(last) = by_rank.iter().rev().find(|r| !r.is_synthetic()) {
        refuse(
            plan,
            format!(
                "cannot baseline {table}: it already contains migrations ({} rows, the last {} at rank {}); a baseline only starts a new history, so drop the baseline setting to continue this one (Flyway: \"as it already contains migrations\")",
                rows.len(),
                last.script,
                last.rank
            ),
        );
        return;
    }
    if rows.is_empty() {
        refuse(
            plan,
            format!(
                "cannot baseline {table}: the table exists and is empty (a schema-only pg_dump of a database Flyway managed carries it empty); drop the empty table in an earlier step (as runbooks/opendolphin-modernized.yaml's drop-empty-history step does) and the migrate step creates it with the baseline row (Flyway: \"as it already exists, and is empty. Delete the schema history table, and run baseline again.\")"
            ),
        );
        return;
    }
    refuse(
        plan,
        format!(
            "cannot baseline {table}: it already holds {} synthetic row{} ({}) and no baseline marker; drop the history table in an earlier step and the migrate step creates it with the baseline row (Flyway: \"as it already contains migrations. Delete the schema history table, and run baseline again.\")",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            by_rank
                .iter()
                .map(|r| format!("{} at rank {}", r.kind, r.rank))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
}

fn flyway_plan(
    config: &Config,
    resolved: &Resolved,
    history: Option<&[HistoryRow]>,
    schema_is_empty: bool,
) -> Plan {
    let mut plan = Plan {
        problems: resolved.problems.clone(),
        ..Plan::default()
    };
    let rows: &[HistoryRow] = history.unwrap_or(&[]);
    let table = table_name(config);
    match history {
        None => {
            if config.baseline || (config.baseline_on_migrate && !schema_is_empty) {
                plan.baseline = Some(baseline_row(config, 1));
            } else if !schema_is_empty && config.format == Format::Flyway {
                plan.problems.push(Problem::new(
                    ProblemKind::NonEmptySchema,
                    format!(
                        "the schema {} is not empty but has no history table {}; give the step baseline: {{ version: \"...\" }} or baseline_on_migrate: true to start the history at a baseline (Flyway: \"Found non-empty schema(s) but no schema history table\")",
                        config.default_schema().unwrap_or("(current schema)"),
                        config.table
                    ),
                ));
            }
        }
        Some(rows) => {
            if config.baseline {
                explicit_baseline(config, rows, &mut plan);
            }
        }
    }

    // Row bookkeeping, in rank order.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows[i].rank);
    let mut row_state: Vec<Option<Entry>> = vec![None; rows.len()];
    let mut applied_baseline: Option<Version> = plan.baseline.as_ref().and_then(parse_row_version);
    let mut last_applied: Option<Version> = applied_baseline.clone();
    // Versions and repeatable descriptions deleted by a DELETE row (and the rows before it).
    for (pos, &i) in order.iter().enumerate() {
        let r = &rows[i];
        match r.kind.as_str() {
            "SCHEMA" => row_state[i] = Some(row_entry(r, i, State::Schema)),
            "BASELINE" | "SQL_BASELINE" => {
                row_state[i] = Some(row_entry(r, i, State::Baseline));
                applied_baseline = parse_row_version(r);
            }
            "DELETE" => {
                row_state[i] = Some(row_entry(r, i, State::Deleted));
                for &j in &order[..pos] {
                    let o = &rows[j];
                    let same = match (parse_row_version(o), parse_row_version(r)) {
                        (Some(a), Some(b)) => a == b,
                        (None, None) => {
                            o.version.is_none()
                                && r.version.is_none()
                                && o.description == r.description
                        }
                        _ => false,
                    };
                    if same && row_state[j].is_none() {
                        let mut e = row_entry(o, j, State::Deleted);
                        e.note = Some(format!("marked deleted by rank {}", r.rank));
                        row_state[j] = Some(e);
                    }
                }
            }
            _ => {}
        }
    }
    for &i in &order {
        let r = &rows[i];
        if r.kind == "DELETE" {
            continue;
        }
        if let Some(v) = parse_row_version(r)
            && last_applied.as_ref().is_none_or(|l| v > *l)
            && !matches!(row_state[i].as_ref().map(|e| e.state), Some(State::Deleted))
        {
            last_applied = Some(v);
        }
    }
    let target = match config.target_version.as_deref() {
        Some(t) if t.eq_ignore_ascii_case("current") => last_applied.clone(),
        _ => match target(config) {
            Ok(t) => t,
            Err(p) => {
                plan.problems.push(p);
                None
            }
        },
    };

    // Live rows by version (versioned) and by description (repeatables), rank order.
    let live = |i: &usize| row_state[*i].is_none() && rows[*i].kind != "DELETE";
    let mut by_version: Vec<(Version, usize)> = Vec::new();
    let mut by_description: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in order.iter().filter(|i| live(i)) {
        match (&rows[i].version, parse_row_version(&rows[i])) {
            (Some(_), Some(v)) => by_version.push((v, i)),
            (None, _) => by_description
                .entry(rows[i].description.as_str())
                .or_default()
                .push(i),
            (Some(_), None) => {}
        }
    }
    let max_resolved = resolved
        .migrations
        .iter()
        .filter_map(|m| m.version.clone())
        .max();

    let mut unapplied: Vec<Entry> = Vec::new();
    let mut pending_repeatables = Vec::new();
    let mut matched_rows: BTreeSet<usize> = BTreeSet::new();
    for (mi, m) in resolved.migrations.iter().enumerate() {
        let is_excluded = excluded(config, m);
        match (&m.version, m.kind) {
            (Some(v), _) => {
                let rows_here: Vec<usize> = by_version
                    .iter()
                    .filter(|(rv, _)| rv == v)
                    .map(|(_, i)| *i)
                    .collect();
                if is_excluded {
                    let mut e = migration_entry(m, mi, State::Excluded);
                    e.note = Some("listed under exclude".to_owned());
                    unapplied.push(e);
                    continue;
                }
                if let Some((&latest, older)) = rows_here.split_last() {
                    for &o in older {
                        matched_rows.insert(o);
                        let mut e = row_entry(&rows[o], o, State::Superseded);
                        e.migration = Some(mi);
                        row_state[o] = Some(e);
                    }
                    matched_rows.insert(latest);
                    row_state[latest] = Some(judge_applied(
                        config,
                        m,
                        mi,
                        &rows[latest],
                        latest,
                        applied_baseline.as_ref(),
                        &mut plan,
                    ));
                    continue;
                }
                let state = if applied_baseline.as_ref().is_some_and(|b| v < b) {
                    State::BelowBaseline
                } else if applied_baseline.as_ref().is_some_and(|b| v == b) {
                    State::BaselineIgnored
                } else if target.as_ref().is_some_and(|t| v > t) {
                    State::AboveTarget
                } else if last_applied.as_ref().is_some_and(|l| v < l) && !config.out_of_order {
                    State::Ignored
                } else {
                    State::Pending
                };
                let mut e = migration_entry(m, mi, state);
                if state == State::Ignored {
                    let last = last_applied.as_ref().map_or("", Version::as_str);
                    plan.problems.push(Problem::new(
                        ProblemKind::OutOfOrder,
                        format!(
                            "{} (version {v}) is not applied but is older than the newest applied version {last}; set out_of_order: true to apply it anyway, or exclude it (Flyway: \"Detected resolved migration not applied to database: {v}\")",
                            m.script
                        ),
                    ));
                }
                if state == State::Pending && last_applied.as_ref().is_some_and(|l| v < l) {
                    e.note = Some("out of order: older than the newest applied version".to_owned());
                }
                if state == State::Pending {
                    plan.pending.push(mi);
                }
                unapplied.push(e);
            }
            (None, _) => {
                let rows_here = by_description
                    .get(abbreviate_description(&m.description).as_str())
                    .cloned()
                    .unwrap_or_default();
                for &i in &rows_here {
                    matched_rows.insert(i);
                }
                if let Some((&latest, older)) = rows_here.split_last() {
                    for &o in older {
                        let mut e = row_entry(&rows[o], o, State::Superseded);
                        e.migration = Some(mi);
                        row_state[o] = Some(e);
                    }
                    let r = &rows[latest];
                    let mut e = row_entry(r, latest, State::Applied);
                    e.migration = Some(mi);
                    e.checksum = Some(m.checksum.clone());
                    if is_excluded {
                        e.note = Some("listed under exclude: not re-applied".to_owned());
                    } else if !r.success {
                        e.state = State::Failed;
                        plan.problems.push(failed_problem(m, r));
                    } else if !m.checksum_matches(r.checksum.as_ref()) {
                        e.state = State::Outdated;
                        e.note = Some(format!(
                            "checksum changed from {} to {}: applied again",
                            show(&r.checksum),
                            m.checksum
                        ));
                        pending_repeatables.push(mi);
                    }
                    row_state[latest] = Some(e);
                    continue;
                }
                let state = if is_excluded {
                    State::Excluded
                } else {
                    State::Pending
                };
                if state == State::Pending {
                    pending_repeatables.push(mi);
                }
                unapplied.push(migration_entry(m, mi, state));
            }
        }
    }
    plan.pending.extend(pending_repeatables);

    // Rows no file matched.
    for &i in &order {
        if row_state[i].is_some() || matched_rows.contains(&i) {
            continue;
        }
        let r = &rows[i];
        if r.version.is_none()
            && by_description
                .get(r.description.as_str())
                .and_then(|rs| rs.last())
                .is_some_and(|&latest| latest != i)
        {
            // An older row of a repeatable that has no file: only its latest row counts.
            row_state[i] = Some(row_entry(r, i, State::Superseded));
            continue;
        }
        let v = parse_row_version(r);
        let excluded_file = resolved.migrations.iter().any(|m| {
            excluded(config, m)
                && match (&m.version, &v) {
                    (Some(a), Some(b)) => a == b,
                    (None, None) => {
                        r.version.is_none()
                            && abbreviate_description(&m.description) == r.description
                    }
                    _ => false,
                }
        });
        let mut e = row_entry(r, i, State::MissingLocally);
        let what = match &r.version {
            Some(v) => format!("version {v} ({})", r.script),
            None => format!("repeatable {} ({})", r.description, r.script),
        };
        if excluded_file {
            e.state = State::Excluded;
            e.note = Some("applied; its file is listed under exclude".to_owned());
        } else if !r.success {
            e.state = State::Failed;
            plan.problems.push(Problem::new(
                ProblemKind::Failed,
                format!(
                    "the history records a failed migration to {what} at rank {} and its file is gone; remove what it half-did, then run mode: repair (Flyway: \"Detected failed migration\")",
                    r.rank
                ),
            ));
        } else if v
            .as_ref()
            .is_some_and(|v| max_resolved.as_ref().is_none_or(|m| v > m))
        {
            e.state = State::Future;
            e.note = Some(
                "applied, newer than every file (Flyway ignores future migrations by default)"
                    .to_owned(),
            );
            plan.notes.push(format!("{table}: {what} is applied but newer than every migration file (a future migration, as Flyway calls it); left alone"));
        } else if r.version.is_some()
            && v.as_ref()
                .zip(applied_baseline.as_ref())
                .is_some_and(|(v, b)| v <= b)
        {
            e.state = State::Applied;
            e.note = Some("at or below the baseline, no file".to_owned());
        } else {
            plan.problems.push(Problem::new(
                ProblemKind::MissingLocally,
                format!(
                    "{what} is applied (rank {}) but its file is not in {}; restore it, or run mode: repair to mark it deleted (Flyway: \"Detected applied migration not resolved locally\")",
                    r.rank,
                    locations(config)
                ),
            ));
        }
        row_state[i] = Some(e);
    }

    plan.entries = order.iter().filter_map(|&i| row_state[i].take()).collect();
    plan.entries.extend(unapplied);
    plan
}

fn locations(config: &Config) -> String {
    config
        .locations
        .iter()
        .map(|l| l.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn failed_problem(m: &Migration, r: &HistoryRow) -> Problem {
    let flyway = match &m.version {
        Some(v) => format!(
            "Detected failed migration to version {v} ({})",
            r.description
        ),
        None => format!("Detected failed repeatable migration: {}", r.description),
    };
    Problem::new(
        ProblemKind::Failed,
        format!(
            "{} failed (history rank {} has success = false); remove what it half-did, then run mode: repair to remove the failed row (Flyway: \"{flyway}\")",
            m.label(),
            r.rank
        ),
    )
}

/// An applied versioned migration against its file: failed, or validated above the baseline
/// (Flyway's order: type, checksum, description).
fn judge_applied(
    _config: &Config,
    m: &Migration,
    mi: usize,
    r: &HistoryRow,
    ri: usize,
    applied_baseline: Option<&Version>,
    plan: &mut Plan,
) -> Entry {
    let mut e = row_entry(r, ri, State::Applied);
    e.migration = Some(mi);
    e.checksum = Some(m.checksum.clone());
    if !r.success {
        e.state = State::Failed;
        plan.problems.push(failed_problem(m, r));
        return e;
    }
    let above_baseline = match (applied_baseline, &m.version) {
        (Some(b), Some(v)) => v > b,
        _ => true,
    };
    if !above_baseline {
        return e;
    }
    let v = m.version.as_ref().map_or("", Version::as_str);
    if r.kind != "SQL" {
        plan.problems.push(Problem::new(
            ProblemKind::TypeMismatch,
            format!(
                "{} is recorded with type {} but the file is a SQL migration (Flyway: \"Migration type mismatch for migration version {v}\")",
                m.label(),
                r.kind
            ),
        ));
    } else if !m.checksum_matches(r.checksum.as_ref()) {
        plan.problems.push(Problem::new(
            ProblemKind::ChecksumMismatch,
            format!(
                "{} changed after it was applied: the history records checksum {}, the file {} now has {}; revert the file, or run mode: repair to record the new checksum (Flyway: \"Migration checksum mismatch for migration version {v}\")",
                m.label(),
                show(&r.checksum),
                m.path.display(),
                m.checksum
            ),
        ));
    } else if r.description != abbreviate_description(&m.description) {
        plan.problems.push(Problem::new(
            ProblemKind::DescriptionMismatch,
            format!(
                "{} is recorded with description \"{}\" but its file name now says \"{}\"; rename the file back, or run mode: repair to record the new description (Flyway: \"Migration description mismatch for migration version {v}\")",
                m.label(),
                r.description,
                abbreviate_description(&m.description)
            ),
        ));
    }
    e
}

fn prisma_plan(
    config: &Config,
    resolved: &Resolved,
    history: Option<&[HistoryRow]>,
    schema_is_empty: bool,
) -> Plan {
    let mut plan = Plan {
        problems: resolved.problems.clone(),
        ..Plan::default()
    };
    let rows: &[HistoryRow] = history.unwrap_or(&[]);
    if history.is_none() && !schema_is_empty {
        plan.problems.push(Problem::new(
            ProblemKind::NonEmptySchema,
            format!(
                "the schema {} is not empty and has no {} table; baseline it first with mode: resolve_applied NAME for each migration already in the database (Prisma's P3005: \"The database schema is not empty\")",
                config.default_schema().unwrap_or("public"),
                config.table
            ),
        ));
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows[i].rank);
    let by_name: BTreeMap<&str, usize> = resolved
        .migrations
        .iter()
        .enumerate()
        .map(|(i, m)| (m.script.as_str(), i))
        .collect();
    let mut failed_lines = Vec::new();
    // Names with a row that is not rolled back: not pending (Prisma's rule).
    let mut recorded: BTreeSet<&str> = BTreeSet::new();
    for &i in &order {
        let r = &rows[i];
        let mi = by_name.get(r.script.as_str()).copied();
        let mut e = row_entry(r, i, State::Applied);
        e.migration = mi;
        if let Some(mi) = mi {
            e.checksum = Some(resolved.migrations[mi].checksum.clone());
        }
        if r.prisma_rolled_back() {
            e.state = State::RolledBack;
        } else if r.prisma_failed() || (r.prisma.is_none() && !r.success) {
            e.state = State::Failed;
            recorded.insert(r.script.as_str());
            let p = r.prisma.clone().unwrap_or_default();
            let logs = p
                .logs
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map_or(String::new(), |l| format!(" with the following logs:\n{l}"));
            failed_lines.push(format!(
                "The `{}` migration started at {} failed{logs}",
                r.script, p.started_at
            ));
        } else {
            recorded.insert(r.script.as_str());
            match mi {
                Some(mi) => {
                    let m = &resolved.migrations[mi];
                    if !m.checksum_matches(r.checksum.as_ref()) {
                        plan.problems.push(Problem::new(
                            ProblemKind::ChecksumMismatch,
                            format!(
                                "migration {} was modified after it was applied: the history records checksum {}, {} now has {} (also compared with CRLF and LF line endings, as Prisma does); revert the file (prisma migrate deploy would not notice; migrate dev and status report it)",
                                m.script,
                                show(&r.checksum),
                                m.path.display(),
                                m.checksum
                            ),
                        ));
                    }
                }
                None => {
                    e.state = State::MissingLocally;
                    plan.notes.push(format!(
                        "migration {} is applied but has no folder in {} (prisma migrate deploy ignores this)",
                        r.script,
                        locations(config)
                    ));
                }
            }
        }
        plan.entries.push(e);
    }
    if !failed_lines.is_empty() {
        plan.problems.push(Problem::new(
            ProblemKind::Failed,
            format!(
                "migrate found failed migrations in the target database, new migrations will not be applied (Prisma's P3009); mark each as rolled back (mode: resolve_rolled_back NAME) after undoing what it did, or as applied (mode: resolve_applied NAME) if you finished it by hand:\n{}",
                failed_lines.join("\n")
            ),
        ));
    }
    let last_applied = resolved
        .migrations
        .iter()
        .filter(|m| recorded.contains(m.script.as_str()))
        .map(|m| m.script.as_str())
        .max();
    for (mi, m) in resolved.migrations.iter().enumerate() {
        if recorded.contains(m.script.as_str()) {
            continue;
        }
        let state = if excluded(config, m) {
            State::Excluded
        } else if config
            .target_version
            .as_deref()
            .is_some_and(|t| m.script.as_str() > t)
        {
            State::AboveTarget
        } else {
            State::Pending
        };
        let mut e = migration_entry(m, mi, state);
        if state == State::Pending {
            plan.pending.push(mi);
            if last_applied.is_some_and(|l| m.script.as_str() < l) {
                e.note = Some(
                    "older than the newest applied migration; Prisma applies it anyway".to_owned(),
                );
            }
        }
        plan.entries.push(e);
    }
    plan
}

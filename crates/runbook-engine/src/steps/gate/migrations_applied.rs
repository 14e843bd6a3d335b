//! `migrations_applied`: what a migration history table records as applied, read the way the
//! tool that owns the table reads it.
//!
//! The table is resolved by the server (`to_regclass`, the name bound as a parameter) and put
//! into the read only as the server quotes it (`format('%s', regclass)`), as `row_count` does.
//! Its shape comes from its columns: Flyway's (`installed_rank`, `version`, `type`, `script`,
//! `success`; Runbook's `runbook_schema_history` has the same) or Prisma's (`migration_name`,
//! `started_at`, `finished_at`, `rolled_back_at`).
//!
//! - Flyway: the versions of the `success = true` rows in `installed_rank` order, the BASELINE
//!   row included (Flyway counts it as applied); rows without a version (the SCHEMA marker,
//!   repeatable migrations) are not versions; a `DELETE` row (written by `flyway repair` for a
//!   migration that is gone, as Flyway's `JdbcTableSchemaHistory.delete` does since 7.0) takes
//!   its version back out. A `success = false` row fails the check: Flyway refuses to migrate
//!   past it ("Detected failed migration to version ...") until `repair`.
//! - Prisma: the names of the rows finished and not rolled back. A row neither finished nor
//!   rolled back is a failed migration that blocks `prisma migrate deploy` (P3009) and fails the
//!   check; rolled-back rows are history only (Prisma applies that migration again).
//!
//! Only the listed migrations are compared (versions by Flyway's `MigrationVersion` rules:
//! `"2"` equals `"0002"`); a long history is shown as its first entries and the differences.

use std::collections::BTreeSet;

use runbook_evidence::GateCheckRecord;
use runbook_spec::steps::gate::migrations_applied::version_key;
use runbook_spec::{Check, HistoryMatch, MigrationsApplied, VersionList};

use super::{Lookup, exists::relkind_name, record, row_count::resolve_table};
use crate::errors::StepError;
use crate::text::plural;

/// Rows read from a history table; a table with more is not a migration history to gate on.
const MAX_ROWS: usize = 100_000;
/// Entries of the actual history shown in full; longer ones show this many and a count.
const SHOWN: usize = 50;

const FLYWAY_COLUMNS: [&str; 5] = ["installed_rank", "version", "type", "script", "success"];
const PRISMA_COLUMNS: [&str; 4] = [
    "migration_name",
    "started_at",
    "finished_at",
    "rolled_back_at",
];

pub(super) async fn check(
    lookup: &Lookup<'_>,
    check: &Check,
    spec: &MigrationsApplied,
) -> Result<Result<GateCheckRecord, String>, StepError> {
    let expected = expected_text(spec);
    let fail = |actual: String, missing: Vec<String>| {
        Ok(Ok(record(
            check,
            "migrations_applied",
            false,
            expected.clone(),
            actual,
            missing,
        )))
    };
    let Some((quoted, kind)) = resolve_table(lookup, &spec.table.to_sql()).await? else {
        return fail(
            format!(
                "table {} does not exist (no migration has been recorded there)",
                spec.table
            ),
            vec![spec.table.to_string()],
        );
    };
    if !matches!(kind.as_str(), "r" | "p") {
        return fail(
            format!("{} is {}, not a table", spec.table, relkind_name(&kind)),
            Vec::new(),
        );
    }
    let columns = lookup
        .session
        .query(
            "SELECT a.attname::text FROM pg_catalog.pg_attribute a \
             WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
            &[&spec.table.to_sql()],
        )
        .await?;
    let columns: Vec<String> = columns
        .rows
        .iter()
        .filter_map(|r| r.first().cloned().flatten())
        .collect();
    let has = |wanted: &[&str]| wanted.iter().all(|c| columns.iter().any(|have| have == c));
    let shape = if has(&FLYWAY_COLUMNS) {
        Shape::Flyway
    } else if has(&PRISMA_COLUMNS) {
        Shape::Prisma
    } else {
        return fail(
            format!(
                "{} is not a migration history: expected Flyway's columns ({}) or Prisma's ({}); found {}",
                spec.table,
                FLYWAY_COLUMNS.join(", "),
                PRISMA_COLUMNS.join(", "),
                columns.join(", ")
            ),
            Vec::new(),
        );
    };
    match (shape, &spec.versions, &spec.names) {
        (Shape::Flyway, Some(VersionList(versions)), _) => {
            let sql = format!(
                "SELECT installed_rank::text, version, type, script, success::text FROM {quoted} \
                 ORDER BY installed_rank LIMIT {}",
                MAX_ROWS + 1
            );
            let Some(rows) = read(lookup, &sql).await? else {
                return Ok(Err(refused(lookup, &sql).await?));
            };
            if rows.len() > MAX_ROWS {
                return fail(too_long(spec), Vec::new());
            }
            let mut judged = judge_flyway(spec, versions, &rows);
            judged.query = Some(sql);
            Ok(Ok(record_of(check, expected, judged)))
        }
        (Shape::Prisma, _, Some(names)) => {
            let sql = format!(
                "SELECT migration_name, (finished_at IS NOT NULL)::text, \
                 (rolled_back_at IS NOT NULL)::text, started_at::text FROM {quoted} \
                 ORDER BY started_at, migration_name LIMIT {}",
                MAX_ROWS + 1
            );
            let Some(rows) = read(lookup, &sql).await? else {
                return Ok(Err(refused(lookup, &sql).await?));
            };
            if rows.len() > MAX_ROWS {
                return fail(too_long(spec), Vec::new());
            }
            let mut judged = judge_prisma(spec, names, &rows);
            judged.query = Some(sql);
            Ok(Ok(record_of(check, expected, judged)))
        }
        (Shape::Flyway, None, _) => fail(
            format!(
                "{} is a Flyway-shaped history (installed_rank, version, success): list its versions under 'versions', not 'names'",
                spec.table
            ),
            Vec::new(),
        ),
        (Shape::Prisma, _, None) => fail(
            format!(
                "{} is a Prisma history (migration_name, finished_at): list its migrations under 'names', not 'versions'",
                spec.table
            ),
            Vec::new(),
        ),
    }
}

#[derive(Clone, Copy)]
enum Shape {
    Flyway,
    Prisma,
}

/// The rows of `sql`, or `None` when check mode may not send it.
async fn read(
    lookup: &Lookup<'_>,
    sql: &str,
) -> Result<Option<Vec<Vec<Option<String>>>>, StepError> {
    if lookup.refusal(sql).await?.is_some() {
        return Ok(None);
    }
    Ok(Some(lookup.session.query(sql, &[]).await?.rows))
}

async fn refused(lookup: &Lookup<'_>, sql: &str) -> Result<String, StepError> {
    Ok(lookup
        .refusal(sql)
        .await?
        .unwrap_or_else(|| "check mode may not read the history table".to_owned()))
}

fn too_long(spec: &MigrationsApplied) -> String {
    format!(
        "{} holds more than {MAX_ROWS} rows; not read as a migration history",
        spec.table
    )
}

fn expected_text(spec: &MigrationsApplied) -> String {
    let (what, listed, order) = match (&spec.versions, &spec.names) {
        (Some(VersionList(v)), _) => ("versions", v.join(", "), " in this order"),
        (_, Some(n)) => ("migrations", n.join(", "), ""),
        (None, None) => ("migrations", String::new(), ""),
    };
    match spec.matching {
        HistoryMatch::Exact => format!(
            "{} records exactly {what} {listed} as applied{order}",
            spec.table
        ),
        HistoryMatch::Subset => {
            format!("{} records at least {what} {listed} as applied", spec.table)
        }
    }
}

/// What the history holds, judged against the list.
struct Judged {
    passed: bool,
    actual: String,
    missing: Vec<String>,
    query: Option<String>,
}

fn record_of(check: &Check, expected: String, judged: Judged) -> GateCheckRecord {
    let mut record = record(
        check,
        "migrations_applied",
        judged.passed,
        expected,
        judged.actual,
        judged.missing,
    );
    record.query = judged.query;
    record
}

/// Flyway's rows (installed_rank, version, type, script, success) in rank order.
fn judge_flyway(
    spec: &MigrationsApplied,
    expected: &[String],
    rows: &[Vec<Option<String>>],
) -> Judged {
    let cell = |row: &Vec<Option<String>>, i: usize| row.get(i).cloned().flatten();
    // A version the spec crate cannot read (data Flyway would not write) compares as its text.
    let key = |v: &str| version_key(v).unwrap_or_else(|_| vec![v.to_owned()]);
    let mut applied: Vec<(Vec<String>, String)> = Vec::new();
    let mut failed = Vec::new();
    for row in rows {
        let Some(version) = cell(row, 1) else {
            continue;
        };
        let rank = cell(row, 0).unwrap_or_default();
        let kind = cell(row, 2).unwrap_or_default();
        let script = cell(row, 3).unwrap_or_default();
        let k = key(&version);
        if kind == "DELETE" {
            applied.retain(|(have, _)| *have != k);
        } else if cell(row, 4).as_deref() == Some("true") {
            applied.push((k, version));
        } else {
            failed.push(format!("{version} ({script}, installed_rank {rank})"));
        }
    }
    let wanted: Vec<Vec<String>> = expected.iter().map(|v| key(v)).collect();
    let have: Vec<&Vec<String>> = applied.iter().map(|(k, _)| k).collect();
    let missing: Vec<String> = expected
        .iter()
        .zip(&wanted)
        .filter(|(_, w)| !have.contains(w))
        .map(|(v, _)| v.clone())
        .collect();
    let extra: Vec<&str> = applied
        .iter()
        .filter(|(k, _)| !wanted.contains(k))
        .map(|(_, v)| v.as_str())
        .collect();
    let same = wanted.len() == have.len() && wanted.iter().zip(&have).all(|(w, h)| w == *h);
    let passed = failed.is_empty()
        && match spec.matching {
            HistoryMatch::Exact => same,
            HistoryMatch::Subset => missing.is_empty(),
        };
    let texts: Vec<&str> = applied.iter().map(|(_, v)| v.as_str()).collect();
    let mut actual = describe("versions", &texts, "successful row");
    if !failed.is_empty() {
        actual.push_str(&format!(
            "; FAILED (success = false, Flyway will not migrate past it until repair): {}",
            failed.join(", ")
        ));
    }
    if spec.matching == HistoryMatch::Exact {
        if !extra.is_empty() {
            actual.push_str(&format!("; not listed: {}", capped(&extra)));
        }
        if !same && missing.is_empty() && extra.is_empty() && have.len() == wanted.len() {
            actual.push_str("; the same versions in another installed_rank order");
        } else if !same && missing.is_empty() && extra.is_empty() {
            actual.push_str("; a version is recorded more than once");
        }
    }
    Judged {
        passed,
        actual,
        missing,
        query: None,
    }
}

/// Prisma's rows (migration_name, finished, rolled back, started_at) in started_at order.
fn judge_prisma(
    spec: &MigrationsApplied,
    expected: &[String],
    rows: &[Vec<Option<String>>],
) -> Judged {
    let cell = |row: &Vec<Option<String>>, i: usize| row.get(i).cloned().flatten();
    let mut applied = BTreeSet::new();
    let mut failed = Vec::new();
    for row in rows {
        let name = cell(row, 0).unwrap_or_default();
        let finished = cell(row, 1).as_deref() == Some("true");
        let rolled_back = cell(row, 2).as_deref() == Some("true");
        match (finished, rolled_back) {
            (true, false) => {
                applied.insert(name);
            }
            (false, false) => {
                let started = cell(row, 3).unwrap_or_default();
                failed.push(format!("{name} (started at {started})"));
            }
            _ => {}
        }
    }
    let missing: Vec<String> = expected
        .iter()
        .filter(|n| !applied.contains(*n))
        .cloned()
        .collect();
    let extra: Vec<&str> = applied
        .iter()
        .filter(|n| !expected.contains(n))
        .map(String::as_str)
        .collect();
    let passed = failed.is_empty()
        && missing.is_empty()
        && (spec.matching == HistoryMatch::Subset || extra.is_empty());
    // Prisma applies in name order; that is the order shown.
    let names: Vec<&str> = applied.iter().map(String::as_str).collect();
    let mut actual = describe("migrations", &names, "finished migration");
    if !failed.is_empty() {
        actual.push_str(&format!(
            "; FAILED (not finished, not rolled back: prisma migrate deploy stops with P3009 until it is resolved): {}",
            failed.join(", ")
        ));
    }
    if spec.matching == HistoryMatch::Exact && !extra.is_empty() {
        actual.push_str(&format!("; not listed: {}", capped(&extra)));
    }
    Judged {
        passed,
        actual,
        missing,
        query: None,
    }
}

/// "versions 0, 0001, 0002 (3 successful rows)", or the first entries and a count.
fn describe(what: &str, items: &[&str], unit: &str) -> String {
    if items.is_empty() {
        return format!("no {what} ({unit}s: none)");
    }
    let n = items.len() as u64;
    format!("{what} {} ({n} {unit}{})", capped(items), plural(n))
}

fn capped(items: &[&str]) -> String {
    if items.len() <= SHOWN {
        return items.join(", ");
    }
    format!(
        "{}, ... and {} more",
        items[..SHOWN].join(", "),
        items.len() - SHOWN
    )
}

#[cfg(test)]
mod tests {
    use runbook_spec::QualifiedName;

    use super::*;

    fn spec(versions: &[&str], matching: HistoryMatch) -> MigrationsApplied {
        MigrationsApplied {
            table: QualifiedName::new(Some("opendolphin"), "flyway_schema_history"),
            versions: Some(VersionList(
                versions.iter().map(|v| v.to_string()).collect(),
            )),
            names: None,
            matching,
        }
    }

    fn row(rank: i64, version: Option<&str>, kind: &str, success: bool) -> Vec<Option<String>> {
        vec![
            Some(rank.to_string()),
            version.map(str::to_owned),
            Some(kind.to_owned()),
            Some(format!("V{}__x.sql", version.unwrap_or("-"))),
            Some(success.to_string()),
        ]
    }

    fn flyway(spec: &MigrationsApplied, rows: &[Vec<Option<String>>]) -> Judged {
        let versions = spec.versions.clone().map(|v| v.0).unwrap_or_default();
        judge_flyway(spec, &versions, rows)
    }

    #[test]
    fn flyway_versions_are_the_successful_rows_in_rank_order() {
        // What Flyway records for seed 004: a schema marker (no version), baseline 0, then 0001...
        let rows = [
            row(0, None, "SCHEMA", true),
            row(1, Some("0"), "BASELINE", true),
            row(2, Some("0001"), "SQL", true),
            row(3, Some("0002"), "SQL", true),
        ];
        let exact = spec(&["0", "1", "2"], HistoryMatch::Exact);
        assert!(flyway(&exact, &rows).passed, "2 equals 0002");
        let short = spec(&["0", "2"], HistoryMatch::Exact);
        let judged = flyway(&short, &rows);
        assert!(!judged.passed);
        assert!(
            judged.actual.contains("not listed: 0001"),
            "{}",
            judged.actual
        );
        assert!(flyway(&spec(&["0", "2"], HistoryMatch::Subset), &rows).passed);
        let reordered = flyway(&spec(&["0", "2", "1"], HistoryMatch::Exact), &rows);
        assert!(!reordered.passed);
        assert!(reordered.actual.contains("another installed_rank order"));
    }

    #[test]
    fn a_failed_row_fails_even_a_subset_and_is_named() {
        let rows = [
            row(1, Some("1"), "SQL", true),
            row(2, Some("2"), "SQL", false),
        ];
        let judged = flyway(&spec(&["1"], HistoryMatch::Subset), &rows);
        assert!(!judged.passed);
        assert!(
            judged.actual.contains("FAILED")
                && judged.actual.contains("2 (V2__x.sql, installed_rank 2)"),
            "{}",
            judged.actual
        );
        let missing = flyway(&spec(&["1", "2"], HistoryMatch::Exact), &rows);
        assert_eq!(missing.missing, vec!["2".to_owned()]);
    }

    #[test]
    fn a_delete_row_takes_its_version_back_out() {
        let rows = [
            row(1, Some("1"), "SQL", true),
            row(2, Some("2"), "SQL", true),
            row(3, Some("2"), "DELETE", true),
        ];
        assert!(flyway(&spec(&["1"], HistoryMatch::Exact), &rows).passed);
    }

    #[test]
    fn prisma_names_are_finished_and_not_rolled_back() {
        let prisma = MigrationsApplied {
            table: QualifiedName::new(Some("public"), "_prisma_migrations"),
            versions: None,
            names: Some(vec![
                "20240101000000_init".into(),
                "20240102000000_b".into(),
            ]),
            matching: HistoryMatch::Exact,
        };
        let row = |name: &str, finished: bool, rolled_back: bool| {
            vec![
                Some(name.to_owned()),
                Some(finished.to_string()),
                Some(rolled_back.to_string()),
                Some("2024-01-01 00:00:00+00".to_owned()),
            ]
        };
        let names = prisma.names.clone().unwrap_or_default();
        let good = [
            row("20240101000000_init", true, false),
            row("20240102000000_b", false, true),
            row("20240102000000_b", true, false),
        ];
        assert!(judge_prisma(&prisma, &names, &good).passed);
        let blocked = [
            row("20240101000000_init", true, false),
            row("20240102000000_b", false, false),
        ];
        let judged = judge_prisma(&prisma, &names, &blocked);
        assert!(!judged.passed);
        assert!(judged.actual.contains("P3009"), "{}", judged.actual);
        assert_eq!(judged.missing, vec!["20240102000000_b".to_owned()]);
    }
}

//! Two places where the `migrate` step must do what today's Flyway does (issue 10), through the
//! binary against the test cluster:
//! - an explicit `baseline:` against a history table that already exists behaves as Flyway's
//!   `DbBaseline` (6 and later): an empty table (what a schema-only pg_dump of a database
//!   Flyway managed carries) is refused, not baselined as Flyway 5 did; dropping it in an earlier
//!   step, as runbooks/opendolphin-modernized.yaml does, lets the step baseline; the same
//!   baseline again is nothing to do; another baseline is refused;
//! - `mode: validate` fails where `flyway validate` fails: a migration not applied yet
//!   ("Detected resolved migration not applied to database"), while an applied row newer than
//!   every file stays ignored (Flyway's default `*:future`).
//!
//! The expected history rows are built here from the file names and a CRC-32 written in this
//! file, not read from the product. The helpers are `migrate.rs`'s.

use super::migrate::{exists, flyway_dir_step as flyway_step, flyway_row, history, run};
use crate::contract::case::{Case, runbook_text};
use crate::support::*;

/// Flyway's history DDL for PostgreSQL (PostgreSQLDatabase.getRawCreateScript), as a
/// schema-only pg_dump of a Flyway-managed database restores it: the table, no rows.
const EMPTY_FLYWAY_HISTORY: &str = "CREATE SCHEMA app;
CREATE TABLE app.flyway_schema_history (
    installed_rank INT NOT NULL,
    version VARCHAR(50),
    description VARCHAR(200) NOT NULL,
    type VARCHAR(20) NOT NULL,
    script VARCHAR(1000) NOT NULL,
    checksum INTEGER,
    installed_by VARCHAR(100) NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT now(),
    execution_time INTEGER NOT NULL,
    success BOOLEAN NOT NULL
);
ALTER TABLE app.flyway_schema_history ADD CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank);
CREATE INDEX flyway_schema_history_s_idx ON app.flyway_schema_history (success);
CREATE TABLE app.patient (id bigint PRIMARY KEY);";

/// runbooks/opendolphin-modernized.yaml's drop-empty-history step, for the schema `app`.
const DROP_EMPTY_HISTORY_STEP: &str = "
        - id: drop-empty-history
          kind: sql
          target: db
          text: |
            DO $$
            BEGIN
              IF to_regclass('app.flyway_schema_history') IS NOT NULL
                 AND NOT EXISTS (SELECT FROM app.flyway_schema_history) THEN
                DROP TABLE app.flyway_schema_history;
              END IF;
            END
            $$;
";

#[test]
fn an_explicit_baseline_over_an_existing_history_is_refused_as_flyway_refuses_it() {
    let case = Case::new("e2e_migrate_rules_baseline");
    let sql = case.path().join("sql");
    for (file, text) in [
        (
            "V1__patient.sql",
            "CREATE TABLE patient (id bigint PRIMARY KEY);\n",
        ),
        (
            "V2__visit.sql",
            "CREATE TABLE visit (id bigint PRIMARY KEY);\n",
        ),
    ] {
        case.scratch.write(&format!("sql/{file}"), text);
    }
    // What a schema-only pg_dump of a database Flyway baselined at 1 restores: V1's table and
    // Flyway's history table, empty.
    case.sql(EMPTY_FLYWAY_HISTORY);
    let table = "app.flyway_schema_history";
    let baseline = "baseline: { version: \"1\" }";
    case.scratch.write(
        "baseline.yaml",
        runbook_text("baseline", "", &flyway_step(&sql, baseline)),
    );

    // The empty table is refused (Flyway: "as it already exists, and is empty"), with the way
    // out; nothing is written and V2 is not applied.
    let refused = run(&case, &["run", "baseline.yaml"]);
    assert_eq!(refused.code, 1, "{}", refused.all_output());
    let all = refused.all_output();
    for words in ["exists and is empty", "drop-empty-history", table] {
        assert!(all.contains(words), "{words:?} not said:\n{all}");
    }
    assert!(history(&case, table).is_empty(), "a row was written");
    assert!(!exists(&case, "app.visit"), "V2 was applied");

    // Dropped in an earlier step, as the OpenDolphin runbook does: the step creates the table
    // with the baseline row and applies what is above it.
    case.scratch.write(
        "drop-then-baseline.yaml",
        runbook_text(
            "drop-then-baseline",
            "",
            &format!("{DROP_EMPTY_HISTORY_STEP}{}", flyway_step(&sql, baseline)),
        ),
    );
    let done = run(&case, &["run", "drop-then-baseline.yaml"]);
    assert_eq!(done.code, 0, "{}", done.all_output());
    let rows = vec![
        "1|1|<< Flyway Baseline >>|BASELINE|<< Flyway Baseline >>||t".to_owned(),
        flyway_row(2, &sql, "V2__visit.sql"),
    ];
    assert_eq!(history(&case, table), rows);

    // The same baseline again is nothing to do.
    let again = run(&case, &["run", "baseline.yaml"]);
    assert_eq!(again.code, 0, "{}", again.all_output());
    let log = step_log(&again.evidence_dir(case.path()), "01-migrate");
    assert!(log.contains("already baselined"), "{log}");
    assert_eq!(history(&case, table), rows);

    // Another baseline is refused, naming the one the table has.
    case.scratch.write(
        "other.yaml",
        runbook_text(
            "other",
            "",
            &flyway_step(&sql, "baseline: { version: \"0\" }"),
        ),
    );
    let other = run(&case, &["run", "other.yaml"]);
    assert_eq!(other.code, 1, "{}", other.all_output());
    assert!(
        other
            .all_output()
            .contains("already baselined with (1, << Flyway Baseline >>)"),
        "{}",
        other.all_output()
    );
    assert_eq!(history(&case, table), rows);
}

#[test]
fn validate_fails_on_a_migration_not_applied_and_ignores_future_rows() {
    let case = Case::new("e2e_migrate_rules_validate");
    let sql = case.path().join("sql");
    case.scratch.write(
        "sql/V1__patient.sql",
        "CREATE TABLE patient (id bigint PRIMARY KEY);\n",
    );
    case.scratch.write(
        "sql/V2__patient_name.sql",
        "ALTER TABLE patient ADD COLUMN name text;\n",
    );
    case.scratch.write(
        "migrate.yaml",
        runbook_text("migrate", "", &flyway_step(&sql, "")),
    );
    case.scratch.write(
        "validate.yaml",
        runbook_text("validate", "", &flyway_step(&sql, "mode: validate")),
    );
    let table = "app.flyway_schema_history";

    // Before anything is applied, validate fails as `flyway validate` does on pending ones.
    let fresh = run(&case, &["run", "validate.yaml"]);
    assert_eq!(fresh.code, 1, "{}", fresh.all_output());
    assert!(
        fresh.all_output().contains("V1__patient.sql"),
        "{}",
        fresh.all_output()
    );
    assert!(!exists(&case, "app.patient"), "validate applied V1");

    let migrated = run(&case, &["run", "migrate.yaml"]);
    assert_eq!(migrated.code, 0, "{}", migrated.all_output());
    // The step created the schema, so the history starts with Flyway's schema-creation row.
    let rows = vec![
        "0||<< Flyway Schema Creation >>|SCHEMA|\"app\"||t".to_owned(),
        flyway_row(1, &sql, "V1__patient.sql"),
        flyway_row(2, &sql, "V2__patient_name.sql"),
    ];
    assert_eq!(history(&case, table), rows);

    // Everything applied: valid.
    let valid = run(&case, &["run", "validate.yaml"]);
    assert_eq!(valid.code, 0, "{}", valid.all_output());

    // A row newer than every file (a Flyway run from a newer checkout) stays ignored.
    case.sql(&format!(
        "INSERT INTO {table} (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (3, '9', 'later', 'SQL', 'V9__later.sql', 9, 'flyway', 1, true)"
    ));
    let future = run(&case, &["run", "validate.yaml"]);
    assert_eq!(future.code, 0, "{}", future.all_output());

    // A new file is not applied yet: validate fails naming it and saying migrate would apply
    // it, and writes nothing.
    case.sql(&format!("DELETE FROM {table} WHERE installed_rank = 3"));
    case.scratch.write(
        "sql/V3__patient_born.sql",
        "ALTER TABLE patient ADD COLUMN born date;\n",
    );
    let pending = run(&case, &["run", "validate.yaml"]);
    assert_eq!(pending.code, 1, "{}", pending.all_output());
    let all = pending.all_output();
    for words in [
        "V3__patient_born.sql",
        "migrate would apply it",
        "Detected resolved migration not applied to database: 3",
    ] {
        assert!(all.contains(words), "{words:?} not said:\n{all}");
    }
    assert_eq!(history(&case, table), rows);
    assert_eq!(
        case.sql("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'app' AND column_name = 'born'"),
        "0",
        "validate applied V3"
    );

    // mode: migrate is unaffected: it applies the pending file.
    let applied = run(&case, &["run", "migrate.yaml"]);
    assert_eq!(applied.code, 0, "{}", applied.all_output());
    assert_eq!(
        history(&case, table).last(),
        Some(&flyway_row(3, &sql, "V3__patient_born.sql"))
    );
}

//! Undo: a step's `undo:` steps put back what it did. Under `on_failure: undo` a failed run
//! rolls back exactly the steps that passed, last first, and the database is as it was before
//! the run; `runbook undo DIR` does the same later for a finished run, after verifying DIR and
//! checking that the runbook is the one that ran. The migrations are the example runbook's
//! (`runbooks/data/migrations-undo/`, seed 002's pattern).

use std::path::{Path, PathBuf};

use runbook_testkit::postgres::pg_dump_normalized;

use crate::contract::case::{Case, runbook_text};
use crate::support::*;

fn migrations() -> PathBuf {
    workspace_root().join("runbooks/data/migrations-undo")
}

/// The application as it is before the migrations (the example's baseline script).
fn seed(case: &Case) {
    let baseline = std::fs::read_to_string(migrations().join("000_baseline.sql")).unwrap();
    sql_exec(&case.db.spec, &baseline);
}

/// A migration step `migrate-N` running `up` with its rollback `undo-N` running `down`.
fn migration(n: u32, up: &Path, down: &Path) -> String {
    format!(
        "
        - id: migrate-{n}
          kind: sql_file
          target: db
          path: {}
          single_transaction: true
          undo:
            id: undo-{n}
            kind: sql_file
            target: db
            path: {}
            single_transaction: true
        ",
        up.display(),
        down.display()
    )
}

/// `rb.yaml`: the three migrations (the third's script is `third`) under `on_failure`.
fn write_runbook(case: &Case, on_failure: &str, third: &Path) {
    let dir = migrations();
    let steps = [
        migration(
            1,
            &dir.join("001_add_langfuse_core.sql"),
            &dir.join("001_add_langfuse_core.rollback.sql"),
        ),
        migration(
            2,
            &dir.join("002_denormalize_trace_id.sql"),
            &dir.join("002_denormalize_trace_id.rollback.sql"),
        ),
        migration(
            3,
            third,
            &dir.join("003_add_trace_foreign_keys.rollback.sql"),
        ),
    ]
    .concat();
    let text = runbook_text("migrations", "", &steps).replacen(
        "name: migrations\n",
        &format!("name: migrations\non_failure: {on_failure}\n"),
        1,
    );
    case.scratch.write("rb.yaml", text);
}

/// A third migration that adds its foreign key, then fails (in one transaction: nothing of it
/// stays).
fn failing_third(case: &Case) -> PathBuf {
    case.scratch.write(
        "003_broken.sql",
        "ALTER TABLE ai_coach_messages ADD CONSTRAINT ai_coach_messages_trace_fk FOREIGN KEY (langfuse_trace_id) REFERENCES langfuse_traces (trace_id);\nSELECT 1 / 0;\n",
    )
}

/// (id, phase, status) of every record in `run.json`, in journal order.
fn journal(dir: &Path) -> Vec<(String, String, String)> {
    run_record(dir)["steps"]
        .as_array()
        .expect("steps in run.json")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or_default().to_owned(),
                s["phase"].as_str().unwrap_or("main").to_owned(),
                s["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn row(id: &str, phase: &str, status: &str) -> (String, String, String) {
    (id.to_owned(), phase.to_owned(), status.to_owned())
}

fn assert_verifies(case: &Case, dir: &Path) {
    let verify = case.run(&["verify", dir.to_str().unwrap()]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
}

#[test]
fn a_failed_migration_sequence_is_undone_last_first_and_the_database_is_as_before() {
    let case = Case::new("e2e_undo_failed");
    seed(&case);
    let before = pg_dump_normalized(&case.db.spec);
    let third = failing_third(&case);
    write_runbook(&case, "undo", &third);

    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    // The terminal shows each rollback as it runs, the last migration's first.
    let out = &result.stdout;
    let second = out.find("[undo 1/2] undo-2 (sql_file)  passed");
    let first = out.find("[undo 2/2] undo-1 (sql_file)  passed");
    assert!(
        second.is_some() && first.is_some() && second < first,
        "{out}"
    );
    assert!(out.contains("run failed in "), "{out}");
    assert!(
        out.contains(
            "undo: all 2 undo steps passed (the steps that passed were rolled back, last first)"
        ),
        "{out}"
    );
    // The failure that decided the run is the migration, not the undo.
    assert!(
        result.all_output().contains("step 'migrate-3' (sql_file)"),
        "{}",
        result.all_output()
    );

    assert_eq!(
        pg_dump_normalized(&case.db.spec),
        before,
        "the undo did not put the database back as it was"
    );
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "failed");
    assert_eq!(
        journal(&dir),
        [
            row("migrate-1", "main", "passed"),
            row("migrate-2", "main", "passed"),
            row("migrate-3", "main", "failed"),
            row("undo-2", "undo", "passed"),
            row("undo-1", "undo", "passed"),
        ],
        "only the migrations that were applied are rolled back"
    );
    assert!(dir.join("steps/undo-01-undo-2/result.json").is_file());
    assert_verifies(&case, &dir);
    let report = case.run(&["report", dir.to_str().unwrap()]);
    assert_eq!(report.code, 0, "{}", report.all_output());
    assert!(
        report.stdout.contains(
            "the run failed and ran the undo steps of the steps that passed (on_failure: undo): all 2 undo steps passed"
        ),
        "{}",
        report.stdout
    );
}

#[test]
fn without_on_failure_undo_a_failed_run_leaves_what_passed_in_place() {
    let case = Case::new("e2e_undo_stop");
    seed(&case);
    let third = failing_third(&case);
    write_runbook(&case, "stop", &third);

    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(!result.stdout.contains("[undo "), "{}", result.stdout);
    assert_eq!(
        case.sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'langfuse%'"
        ),
        "2"
    );
    let dir = result.evidence_dir(case.path());
    assert!(journal(&dir).iter().all(|(_, phase, _)| phase == "main"));
}

#[test]
fn a_failing_undo_step_stops_the_undo_and_the_run_stays_failed() {
    let case = Case::new("e2e_undo_fails");
    seed(&case);
    let third = failing_third(&case);
    write_runbook(&case, "undo", &third);
    // Rolling back migration 2 fails (its "rollback" creates tables that exist): migration 1's
    // rollback, written for the state after migration 2's, must not run.
    let text = std::fs::read_to_string(case.path().join("rb.yaml"))
        .unwrap()
        .replace(
            "002_denormalize_trace_id.rollback.sql",
            "001_add_langfuse_core.sql",
        );
    case.scratch.write("rb.yaml", text);

    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result
            .stdout
            .contains("[undo 1/2] undo-2 (sql_file)  FAILED"),
        "{}",
        result.stdout
    );
    assert!(
        result.stdout.contains("undo: stopped at step 'undo-2', which failed; 0 of 2 undo steps passed, the rest did not run: the rollback is incomplete"),
        "{}",
        result.stdout
    );
    let dir = result.evidence_dir(case.path());
    assert_eq!(run_record(&dir)["status"], "failed");
    assert_eq!(
        &journal(&dir)[3..],
        [
            row("undo-2", "undo", "failed"),
            row("undo-1", "undo", "not_run")
        ]
    );
    assert!(
        result.all_output().contains("step 'undo-2' (sql_file)"),
        "the failed undo step is listed: {}",
        result.all_output()
    );
    assert_verifies(&case, &dir);
}

#[test]
fn runbook_undo_rolls_back_a_passed_run_after_checking_the_evidence_and_the_runbook() {
    let case = Case::new("e2e_undo_later");
    seed(&case);
    let before = pg_dump_normalized(&case.db.spec);
    write_runbook(
        &case,
        "stop",
        &migrations().join("003_add_trace_foreign_keys.sql"),
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_ne!(pg_dump_normalized(&case.db.spec), before);
    let dir = result.evidence_dir(case.path());
    let dir_arg = dir.to_str().unwrap();
    let url = format!("url={}", case.db.url);

    // An edited runbook is refused: its undo steps may not put back what the run did.
    let original = std::fs::read_to_string(case.path().join("rb.yaml")).unwrap();
    case.scratch
        .write("rb.yaml", format!("{original}# edited after the run\n"));
    let refused = case.run(&["undo", dir_arg, "--var", &url]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains("refusing to undo")
            && refused
                .stderr
                .contains("the run executed a runbook with sha256"),
        "{}",
        refused.stderr
    );
    assert!(case.sql("SELECT to_regclass('langfuse_traces') IS NOT NULL") == "t");
    case.scratch.write("rb.yaml", &original);

    let undone = case.run(&["undo", dir_arg, "--var", &url]);
    assert_no_panic(&undone);
    assert_eq!(undone.code, 0, "{}", undone.all_output());
    assert!(
        undone.stdout.contains("3 undo steps of 3 passed steps")
            && undone.stdout.contains("undo: all 3 undo steps passed"),
        "{}",
        undone.stdout
    );
    assert_eq!(
        pg_dump_normalized(&case.db.spec),
        before,
        "runbook undo did not restore the state before the run"
    );
    let undo_dir = undone.evidence_dir(case.path());
    assert_ne!(undo_dir, dir, "the undo writes a new evidence directory");
    assert_eq!(
        journal(&undo_dir),
        [
            row("undo-3", "undo", "passed"),
            row("undo-2", "undo", "passed"),
            row("undo-1", "undo", "passed"),
        ]
    );
    assert_eq!(run_record(&undo_dir)["status"], "passed");
    // The undo run says which run (and which state of its evidence) it undid.
    let undoes = &run_record(&undo_dir)["undoes"];
    assert_eq!(undoes["dir"], dir_arg);
    assert_eq!(
        undoes["sums_sha256"],
        sha256_hex(&std::fs::read(dir.join("SHA256SUMS")).unwrap())
    );
    assert!(run_record(&dir).get("undoes").is_none());
    let report = case.run(&["report", undo_dir.to_str().unwrap()]);
    assert!(
        report.stdout.contains(&format!(
            "undoes the run in {dir_arg} (its SHA256SUMS sha256 "
        )),
        "{}",
        report.stdout
    );
    assert_verifies(&case, &undo_dir);
    assert_verifies(&case, &dir);

    // Evidence that does not verify says nothing trustworthy about what passed.
    std::fs::write(dir.join("steps/01-migrate-1/result.json"), "{}").unwrap();
    let tampered = case.run(&["undo", dir_arg, "--var", &url]);
    assert_eq!(tampered.code, 5, "{}", tampered.all_output());
    assert!(
        tampered.stderr.contains("refusing to undo"),
        "{}",
        tampered.stderr
    );
}

#[test]
fn check_lists_and_checks_the_undo_steps() {
    let case = Case::new("e2e_undo_check");
    seed(&case);
    write_runbook(
        &case,
        "undo",
        &migrations().join("003_add_trace_foreign_keys.sql"),
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_no_panic(&result);
    // A rollback of a migration not applied yet is no reason for the dry run to fail.
    assert_eq!(result.code, 0, "{}", result.all_output());
    let out = &result.stdout;
    for (n, id) in [(1, "undo-3"), (2, "undo-2"), (3, "undo-1")] {
        assert!(
            out.contains(&format!("[undo {n}/3] {id} (sql_file)")),
            "{out}"
        );
    }
    let dir = result.evidence_dir(case.path());
    assert_eq!(
        journal(&dir)
            .iter()
            .filter(|(_, phase, _)| phase == "undo")
            .count(),
        3
    );
}

#[test]
fn validate_reports_undo_mistakes_at_their_line_and_column() {
    let case = Case::new("e2e_undo_validate");
    case.scratch.write(
        "bad.yaml",
        "version: 1
name: bad
on_failure: undo
steps:
  - id: one
    kind: shell
    command: ['true']
    undo:
      - id: one
        kind: shell
        command: ['true']
      - id: back
        kind: shell
        command: ['true']
        undo:
          id: deeper
          kind: shell
          command: ['true']
",
    );
    let result = case.run(&["validate", "bad.yaml"]);
    assert_eq!(result.code, 2, "{}", result.all_output());
    assert!(
        result
            .stderr
            .contains("bad.yaml:9:13: duplicate step id 'one' (first used at line 5 column 9)"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains(
            "bad.yaml:15:9: step 'back' is an undo step and cannot have an undo of its own"
        ),
        "{}",
        result.stderr
    );
}

#[test]
fn an_undo_step_that_would_damage_a_protected_target_needs_consent_before_anything_runs() {
    let case = Case::new("e2e_undo_consent");
    let text = runbook_text(
        "undo-consent",
        "protected: true",
        "
        - id: create
          kind: sql
          target: db
          text: CREATE TABLE added (id int)
          undo:
            id: drop-added
            kind: sql
            target: db
            text: DROP TABLE added
        ",
    )
    .replacen(
        "name: undo-consent\n",
        "name: undo-consent\non_failure: undo\n",
        1,
    );
    case.scratch.write("rb.yaml", text);

    let refused = case.run(&["run", "rb.yaml"]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.stderr.contains("step 'drop-added' would"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        case.sql("SELECT to_regclass('added') IS NULL"),
        "t",
        "nothing runs without consent"
    );

    let confirmed = case.run(&["run", "rb.yaml", "--confirm", "db"]);
    assert_eq!(confirmed.code, 0, "{}", confirmed.all_output());
}

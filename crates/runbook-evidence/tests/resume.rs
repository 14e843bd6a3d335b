//! Reopening a run's directory for its next attempt (`runbook run --resume`): the directory must
//! verify before and after, a killed step is sealed, the journal goes on, the verdict is the
//! last attempt's, and sign-offs are never left covering a different run.

use std::path::Path;

use runbook_evidence::{
    EvidenceDir, EvidenceError, KILLED_STEP, Mode, PlannedStep, Redactor, Resumption, RunStatus,
    StepOutcome, StepStatus, approve, verify,
};

use crate::support::{assert_sha256sum_passes, json, new_run, only_run_dir, read};

pub fn resumption() -> Resumption {
    Resumption {
        operator: "carol".to_owned(),
        host: "db-host-2".to_owned(),
        ..Resumption::now()
    }
}

/// `check` passes, `migrate` fails, `export` never runs: a failed run of three steps.
fn failed_run(base: &Path) -> std::path::PathBuf {
    let run = new_run(
        Mode::Run,
        &[("check", "sql"), ("migrate", "shell"), ("export", "shell")],
    );
    let mut dir = EvidenceDir::create(base, run, Redactor::new(["pw"])).unwrap();
    let step = dir.begin_step(1).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();
    let mut step = dir.begin_step(2).unwrap();
    step.log_line("no such table password=pw").unwrap();
    dir.finish_step(
        step,
        StepOutcome::new(StepStatus::Failed, "migration failed"),
    )
    .unwrap();
    dir.finish_run(RunStatus::Failed).unwrap();
    dir.path().to_owned()
}

fn assert_verifies(dir: &Path) {
    assert_sha256sum_passes(dir);
    let report = verify(dir).unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
}

#[test]
fn a_failed_run_resumes_in_its_directory_and_ends_with_the_last_attempts_verdict() {
    let base = tempfile::tempdir().unwrap();
    let path = failed_run(base.path());
    let mut dir = EvidenceDir::reopen(&path, Redactor::new(["pw"]), resumption()).unwrap();
    // Reopened: running again, which verifies, with the attempt recorded.
    assert_verifies(&path);
    let run = json(&path, "run.json");
    assert_eq!(run["status"], "running");
    assert_eq!(run["resumes"][0]["operator"], "carol");
    assert_eq!(run["resumes"][0]["previous_status"], "failed");
    assert_eq!(run["resumes"][0]["first_record"], 4);
    assert_eq!(dir.results().len(), 2, "the earlier results are known");

    // The failed step's next attempt is appended; the step that never ran runs in its record.
    let index = dir
        .append_step(PlannedStep::new("migrate", "shell"), 2)
        .unwrap();
    assert_eq!(index, 4);
    let step = dir.begin_step(index).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "migrated"))
        .unwrap();
    let step = dir.begin_step(3).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "exported"))
        .unwrap();
    dir.finish_run(RunStatus::Passed).unwrap();
    drop(dir);

    assert_verifies(&path);
    let run = json(&path, "run.json");
    assert_eq!(run["status"], "passed", "the verdict is the last attempt's");
    assert_eq!(
        run["steps"][1]["status"], "failed",
        "the first attempt stays"
    );
    assert_eq!(run["steps"][3]["dir"], "steps/02-migrate.attempt-2");
    assert_eq!(run["steps"][3]["status"], "passed");
    assert_eq!(
        read(&path, "steps/02-migrate/output.log"),
        "no such table password=****\n"
    );
    assert_eq!(only_run_dir(base.path()), path, "no second directory");
    // A passed run has nothing to resume.
    let again = EvidenceDir::reopen(&path, Redactor::new(["pw"]), resumption()).unwrap_err();
    assert!(
        matches!(again, EvidenceError::ResumeNothingToDo { .. }),
        "{again}"
    );
    assert!(
        again.to_string().contains("holds a run that passed"),
        "{again}"
    );
}

#[test]
fn a_run_killed_during_a_step_is_sealed_as_killed_when_resumed() {
    let base = tempfile::tempdir().unwrap();
    let run = new_run(Mode::Run, &[("check", "sql"), ("load", "sql_file")]);
    let mut dir = EvidenceDir::create(base.path(), run, Redactor::new(["pw"])).unwrap();
    let step = dir.begin_step(1).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();
    let mut step = dir.begin_step(2).unwrap();
    step.log_line("loading 1 of 9 password=pw").unwrap();
    step.attach("progress.txt", "1/9\n").unwrap();
    // What a kill leaves: nothing of the step is sealed, run.json says running.
    std::mem::forget(step);
    std::mem::forget(dir);
    let path = only_run_dir(base.path());
    assert_verifies(&path);

    let mut dir = EvidenceDir::reopen(&path, Redactor::new(["pw"]), resumption()).unwrap();
    assert_verifies(&path);
    let run = json(&path, "run.json");
    assert_eq!(run["steps"][1]["status"], "failed");
    assert_eq!(run["steps"][1]["summary"], KILLED_STEP);
    assert_eq!(run["current_step"], serde_json::Value::Null);
    assert_eq!(run["resumes"][0]["previous_status"], "running");
    let result = json(&path, "steps/02-load/result.json");
    assert_eq!(result["error"]["message"], KILLED_STEP);
    assert_eq!(result["attachments"], serde_json::json!(["progress.txt"]));
    assert_eq!(
        read(&path, "steps/02-load/output.log"),
        "loading 1 of 9 password=****\n",
        "the log up to the kill is kept"
    );

    let index = dir
        .append_step(PlannedStep::new("load", "sql_file"), 2)
        .unwrap();
    let step = dir.begin_step(index).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "loaded"))
        .unwrap();
    dir.finish_run(RunStatus::Passed).unwrap();
    drop(dir);
    assert_verifies(&path);
    let md = read(&path, "report.md");
    assert!(md.starts_with("# PASSED"), "{md}");
}

#[test]
fn a_directory_that_does_not_verify_is_not_resumed() {
    let base = tempfile::tempdir().unwrap();
    let path = failed_run(base.path());
    std::fs::write(path.join("steps/02-migrate/output.log"), "edited\n").unwrap();
    let err = EvidenceDir::reopen(&path, Redactor::new(["pw"]), resumption()).unwrap_err();
    assert!(
        err.to_string().contains(
            "does not verify, so it cannot be resumed: modified: steps/02-migrate/output.log"
        ),
        "{err}"
    );
    assert_eq!(
        json(&path, "run.json")["status"],
        "failed",
        "nothing written"
    );
}

#[test]
fn an_approved_run_is_not_resumed() {
    let base = tempfile::tempdir().unwrap();
    let path = failed_run(base.path());
    approve(&path, &crate::approvals::approval("dana")).unwrap();
    let err = EvidenceDir::reopen(&path, Redactor::new(["pw"]), resumption()).unwrap_err();
    assert!(
        matches!(err, EvidenceError::ResumeApproved { count: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("would make them stale"), "{err}");
    assert_verifies(&path);
}

#[test]
fn a_check_run_is_not_resumed() {
    let base = tempfile::tempdir().unwrap();
    let mut dir = EvidenceDir::create(
        base.path(),
        new_run(Mode::Check, &[("check", "sql")]),
        Redactor::new(["pw"]),
    )
    .unwrap();
    dir.finish_run(RunStatus::WouldFail).unwrap();
    let path = dir.path().to_owned();
    drop(dir);
    let err = EvidenceDir::reopen(&path, Redactor::new(["pw"]), resumption()).unwrap_err();
    assert!(err.to_string().contains("in check mode"), "{err}");
}

#[test]
fn a_directory_being_resumed_is_not_resumed_twice() {
    let base = tempfile::tempdir().unwrap();
    let path = failed_run(base.path());
    let _first = EvidenceDir::reopen(&path, Redactor::new(["pw"]), resumption()).unwrap();
    let err = EvidenceDir::reopen(&path, Redactor::new(["pw"]), resumption()).unwrap_err();
    assert!(matches!(err, EvidenceError::Busy { .. }), "{err}");
}

#[test]
fn a_kill_while_a_finished_run_is_reopened_leaves_a_directory_that_verifies() {
    // What the first update of `reopen` leaves before its SHA256SUMS is written: the new
    // record (running, one more resume) and the copies' temp files, unlisted next to the
    // finished run.json. Ignored; any other unlisted run.next.json is extra.
    let base = tempfile::tempdir().unwrap();
    let path = failed_run(base.path());
    let mut next = json(&path, "run.json");
    next["status"] = "running".into();
    next["resumes"] = serde_json::json!([{
        "started_at": "2025-11-08T07:00:00Z",
        "operator": "carol",
        "host": "db-host-2",
        "previous_status": "failed",
        "first_record": 4
    }]);
    std::fs::write(path.join("run.next.json"), next.to_string()).unwrap();
    std::fs::write(path.join(".run.next.json.tmp"), "{\"partial").unwrap();
    std::fs::write(path.join(".run.prev.json.tmp"), "").unwrap();
    std::fs::write(path.join(".SHA256SUMS.tmp"), "partial").unwrap();
    assert_verifies(&path);
    // The resumer that comes next completes nothing and removes them.
    let dir = EvidenceDir::reopen(&path, Redactor::new(["pw"]), resumption()).unwrap();
    drop(dir);
    assert!(!path.join("run.next.json").exists());
    assert!(!path.join(".run.next.json.tmp").exists());
    assert_verifies(&path);

    let other = tempfile::tempdir().unwrap();
    let path = failed_run(other.path());
    let mut forged = json(&path, "run.json");
    forged["status"] = "passed".into();
    std::fs::write(path.join("run.next.json"), forged.to_string()).unwrap();
    std::fs::write(path.join(".SHA256SUMS.tmp"), "partial").unwrap();
    let report = verify(&path).unwrap();
    assert_eq!(report.extra, [".SHA256SUMS.tmp", "run.next.json"]);
}

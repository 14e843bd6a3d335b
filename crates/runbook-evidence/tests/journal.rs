//! The run as a journal: records keyed by (phase, step id, attempt), appended as the run goes,
//! each with its own directory, all covered by `SHA256SUMS` and cross-checked by `verify`.

use runbook_evidence::{
    EvidenceDir, Mode, Phase, PlannedStep, Redactor, RunStatus, StepOutcome, StepStatus, verify,
};

use crate::support::{assert_sha256sum_passes, json, new_run};

/// A plan of two main steps and one finally step; `migrate` fails twice and passes on its
/// third attempt, then the finally step runs.
fn retried_run(base: &std::path::Path) -> EvidenceDir {
    let mut run = new_run(Mode::Run, &[("check", "sql"), ("migrate", "shell")]);
    run.steps
        .push(PlannedStep::new("rm-box", "container_remove").with_phase(Phase::Finally));
    let mut dir = EvidenceDir::create(base, run, Redactor::new(["pw"])).unwrap();
    let step = dir.begin_step(1).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();
    let mut index = 2;
    for attempt in 1..=3 {
        if attempt > 1 {
            index = dir
                .append_step(PlannedStep::new("migrate", "shell"), attempt)
                .unwrap();
        }
        let mut step = dir.begin_step(index).unwrap();
        step.log_line(&format!("attempt {attempt} password=pw"))
            .unwrap();
        let status = if attempt == 3 {
            StepStatus::Passed
        } else {
            StepStatus::Failed
        };
        dir.finish_step(step, StepOutcome::new(status, format!("attempt {attempt}")))
            .unwrap();
    }
    let step = dir.begin_step(3).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "removed"))
        .unwrap();
    dir
}

#[test]
fn attempts_and_finally_steps_get_their_own_records_and_the_directory_verifies() {
    let base = tempfile::tempdir().unwrap();
    let mut dir = retried_run(base.path());
    dir.finish_run(RunStatus::Passed).unwrap();
    let run_dir = dir.path().to_owned();

    let run = json(&run_dir, "run.json");
    let journal: Vec<(String, String, u64, String, String)> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["phase"].as_str().unwrap_or("main").to_owned(),
                s["attempt"].as_u64().unwrap_or(1),
                s["status"].as_str().unwrap().to_owned(),
                s["dir"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let row = |id: &str, phase: &str, attempt, status: &str, dir: &str| {
        (
            id.to_owned(),
            phase.to_owned(),
            attempt,
            status.to_owned(),
            dir.to_owned(),
        )
    };
    assert_eq!(
        journal,
        [
            row("check", "main", 1, "passed", "steps/01-check"),
            row("migrate", "main", 1, "failed", "steps/02-migrate"),
            row("rm-box", "finally", 1, "passed", "steps/finally-01-rm-box"),
            row("migrate", "main", 2, "failed", "steps/02-migrate.attempt-2"),
            row("migrate", "main", 3, "passed", "steps/02-migrate.attempt-3"),
        ]
    );
    // Each attempt's own result.json says which attempt it is, and its log is its own.
    let third = json(&run_dir, "steps/02-migrate.attempt-3/result.json");
    assert_eq!(third["attempt"], 3);
    assert_eq!(third["summary"], "attempt 3");
    let finally = json(&run_dir, "steps/finally-01-rm-box/result.json");
    assert_eq!(finally["phase"], "finally");
    assert_eq!(
        std::fs::read_to_string(run_dir.join("steps/02-migrate.attempt-2/output.log")).unwrap(),
        "attempt 2 password=****\n"
    );

    assert_sha256sum_passes(&run_dir);
    let report = verify(&run_dir).unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
}

#[test]
fn appends_that_would_break_the_journal_are_refused() {
    let base = tempfile::tempdir().unwrap();
    let mut dir = retried_run(base.path());
    // Attempt 3 is recorded; attempt 5 skips 4; attempt 0 does not exist.
    for attempt in [3, 5, 0] {
        let error = dir
            .append_step(PlannedStep::new("migrate", "shell"), attempt)
            .unwrap_err();
        assert!(
            error.to_string().starts_with(&format!(
                "cannot record attempt {attempt} of step 'migrate' in phase main"
            )),
            "{error}"
        );
    }
    // A second attempt of a step that has no first one in this phase.
    let error = dir
        .append_step(
            PlannedStep::new("check", "sql").with_phase(Phase::Finally),
            2,
        )
        .unwrap_err();
    assert!(error.to_string().contains("phase finally"), "{error}");
    // Nothing was written by the refusals.
    assert_eq!(dir.record().steps.len(), 5);
    dir.finish_run(RunStatus::Passed).unwrap();
    assert!(verify(dir.path()).unwrap().is_intact());
}

#[test]
fn a_removed_attempt_is_named_by_verify() {
    let base = tempfile::tempdir().unwrap();
    let mut dir = retried_run(base.path());
    dir.finish_run(RunStatus::Passed).unwrap();
    let run_dir = dir.path().to_owned();
    // Hide the failed second attempt: drop its lines from SHA256SUMS and its directory.
    let sums = std::fs::read_to_string(run_dir.join("SHA256SUMS")).unwrap();
    let kept: String = sums
        .split_inclusive('\n')
        .filter(|l| !l.contains("02-migrate.attempt-2/"))
        .collect();
    std::fs::write(run_dir.join("SHA256SUMS"), kept).unwrap();
    std::fs::remove_dir_all(run_dir.join("steps/02-migrate.attempt-2")).unwrap();
    let report = verify(&run_dir).unwrap();
    assert!(!report.is_intact());
    let problems = report.problems().join("\n");
    assert!(
        problems.contains("step 4 (migrate, main attempt 2): run.json says failed"),
        "{problems}"
    );
}

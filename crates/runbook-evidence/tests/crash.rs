//! Crash safety: a child process (this test binary, re-executed) writes evidence and is killed
//! with SIGKILL; whatever the moment, `sha256sum -c` and `verify` accept the directory.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use runbook_evidence::{EvidenceDir, Mode, Redactor, RunStatus, StepOutcome, StepStatus, verify};

use crate::support::{assert_sha256sum_passes, new_run, only_run_dir, read};

const BASE_VAR: &str = "RUNBOOK_EVIDENCE_CRASH_BASE";
const MODE_VAR: &str = "RUNBOOK_EVIDENCE_CRASH_MODE";

/// Not a test: the body of the child process. It writes steps until it is killed; in `pause`
/// mode it stops in the middle of step 3 and says so by creating `paused` next to the run.
#[test]
#[ignore = "child process of the crash tests, started by them"]
fn crash_child() {
    let base = std::path::PathBuf::from(std::env::var(BASE_VAR).expect("base directory"));
    let pause = std::env::var(MODE_VAR).as_deref() == Ok("pause");
    if std::env::var(MODE_VAR).as_deref() == Ok("verdicts") {
        return short_runs_forever(&base);
    }
    if std::env::var(MODE_VAR).as_deref() == Ok("approvals") {
        return approvals_forever(&base);
    }
    if std::env::var(MODE_VAR).as_deref() == Ok("journal") {
        return journal_forever(&base);
    }
    if std::env::var(MODE_VAR).as_deref() == Ok("resume") {
        return resumes_forever(&base);
    }
    let ids: Vec<String> = (1..=500).map(|i| format!("step-{i}")).collect();
    let steps: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "sql")).collect();
    let mut run = new_run(Mode::Run, &steps);
    run.started_at = chrono::Utc::now();
    let mut dir = EvidenceDir::create(&base, run, Redactor::new(["pw"])).unwrap();
    for index in 1..=steps.len() {
        let mut step = dir.begin_step(index).unwrap();
        for line in 0..5 {
            step.log_line(&format!("step {index} line {line} password=pw"))
                .unwrap();
        }
        step.attach("rows.txt", &format!("{index}\n")).unwrap();
        if pause && index == 3 {
            std::fs::write(base.join("paused"), "").unwrap();
            std::thread::sleep(Duration::from_secs(60));
        }
        dir.finish_step(
            step,
            StepOutcome::new(StepStatus::Passed, format!("step {index} done")),
        )
        .unwrap();
    }
    dir.finish_run(RunStatus::Passed).unwrap();
}

/// Child body of the verdict test: two-step runs, each finished with a verdict, one after the
/// other (each its own directory), until killed, so that kills land inside `finish_run`.
fn short_runs_forever(base: &Path) {
    let steps = [("a", "sql"), ("b", "gate")];
    for n in 0i64.. {
        let mut run = new_run(Mode::Run, &steps);
        run.started_at = crate::support::started() + chrono::Duration::seconds(n);
        let mut dir = EvidenceDir::create(base, run, Redactor::new(["pw"])).unwrap();
        for index in 1..=2 {
            let mut step = dir.begin_step(index).unwrap();
            step.log_line("password=pw").unwrap();
            dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
                .unwrap();
        }
        dir.finish_run(RunStatus::Passed).unwrap();
    }
}

/// Child body of the resume test: a run whose step `b` fails, then, until killed, reopened
/// for one more attempt of `b`: on even rounds it fails and the run is finished as failed, on
/// odd rounds the process "dies" in the middle of the step (its writer abandoned, nothing
/// sealed) and the next reopen seals it. So kills land inside reopening (completing an
/// interrupted update, sealing a killed step, going back to running), appending and finishing.
fn resumes_forever(base: &Path) {
    let steps = [("a", "sql"), ("b", "shell")];
    let mut run = new_run(Mode::Run, &steps);
    run.started_at = chrono::Utc::now();
    let mut dir = EvidenceDir::create(base, run, Redactor::new(["pw"])).unwrap();
    let path = dir.path().to_owned();
    let step = dir.begin_step(1).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();
    let mut step = dir.begin_step(2).unwrap();
    step.log_line("password=pw").unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Failed, "no"))
        .unwrap();
    dir.finish_run(RunStatus::Failed).unwrap();
    drop(dir);
    for attempt in 2u32.. {
        let mut dir =
            EvidenceDir::reopen(&path, Redactor::new(["pw"]), crate::resume::resumption()).unwrap();
        let index = dir
            .append_step(runbook_evidence::PlannedStep::new("b", "shell"), attempt)
            .unwrap();
        let mut step = dir.begin_step(index).unwrap();
        step.log_line(&format!("attempt {attempt} password=pw"))
            .unwrap();
        step.attach("rows.txt", "1\n").unwrap();
        if attempt % 2 == 1 {
            // Dropping the directory unseals nothing and releases its lock, as a death would.
            std::mem::forget(step);
            drop(dir);
            // Lingers in this state, so that kills also land while a killed step awaits its seal.
            std::thread::sleep(Duration::from_millis(30));
            continue;
        }
        dir.finish_step(step, StepOutcome::new(StepStatus::Failed, "no"))
            .unwrap();
        dir.finish_run(RunStatus::Failed).unwrap();
    }
}

/// Child body of the approval test: one finished run, then approvals one after the other
/// until killed, so that kills land inside `approve`.
fn approvals_forever(base: &Path) {
    let dir = crate::support::finished_run(base);
    for n in 0.. {
        runbook_evidence::approve(dir.path(), &crate::approvals::approval(&format!("r{n}")))
            .unwrap();
    }
}

/// Child body of the journal test: every main step fails twice and passes on its third
/// attempt (each a record appended to the journal), then the finally steps run, until killed,
/// so that kills land inside `append_step` as well as inside the steps.
fn journal_forever(base: &Path) {
    let ids: Vec<String> = (1..=300).map(|i| format!("step-{i}")).collect();
    let steps: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "shell")).collect();
    let mut run = new_run(Mode::Run, &steps);
    run.started_at = chrono::Utc::now();
    for id in ["rm-a", "rm-b"] {
        run.steps.push(
            runbook_evidence::PlannedStep::new(id, "container_remove")
                .with_phase(runbook_evidence::Phase::Finally),
        );
    }
    let mut dir = EvidenceDir::create(base, run, Redactor::new(["pw"])).unwrap();
    for (position, id) in ids.iter().enumerate() {
        for attempt in 1..=3u32 {
            let index = if attempt == 1 {
                position + 1
            } else {
                dir.append_step(runbook_evidence::PlannedStep::new(id, "shell"), attempt)
                    .unwrap()
            };
            let mut step = dir.begin_step(index).unwrap();
            step.log_line(&format!("{id} attempt {attempt} password=pw"))
                .unwrap();
            let status = if attempt == 3 {
                StepStatus::Passed
            } else {
                StepStatus::Failed
            };
            dir.finish_step(step, StepOutcome::new(status, "done"))
                .unwrap();
        }
    }
    for index in ids.len() + 1..=ids.len() + 2 {
        let step = dir.begin_step(index).unwrap();
        dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "removed"))
            .unwrap();
    }
    dir.finish_run(RunStatus::Passed).unwrap();
}

fn spawn_child(base: &Path, mode: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "crash::crash_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(BASE_VAR, base)
        .env(MODE_VAR, mode)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn committed_steps(run_dir: &Path) -> usize {
    std::fs::read_to_string(run_dir.join("SHA256SUMS"))
        .map(|s| s.matches("/result.json\n").count())
        .unwrap_or(0)
}

/// Runs the child in `mode` until a run directory under `base` has committed `wait_steps`
/// records, then kills it a time later that varies with `round`, so that kills land in every
/// phase of the protocol across rounds.
fn kill_after_steps(base: &Path, mode: &str, wait_steps: usize, round: u64) {
    let mut child = spawn_child(base, mode);
    wait_for("the child to commit steps", || {
        std::fs::read_dir(base)
            .map(|entries| {
                entries.filter_map(Result::ok).any(|e| {
                    !e.file_name().to_string_lossy().starts_with('.')
                        && committed_steps(&e.path()) >= wait_steps
                })
            })
            .unwrap_or(false)
    });
    std::thread::sleep(Duration::from_micros(round * 397 % 5000));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_run_killed_in_the_middle_of_a_step_still_verifies() {
    let base = tempfile::tempdir().unwrap();
    let mut child = spawn_child(base.path(), "pause");
    wait_for("the child to pause in step 3", || {
        base.path().join("paused").exists()
    });
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    std::fs::remove_file(base.path().join("paused")).unwrap();

    let run_dir = only_run_dir(base.path());
    assert_sha256sum_passes(&run_dir);
    let report = verify(&run_dir).unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
    let unfinished = report
        .unfinished
        .expect("the run is reported as unfinished");
    assert_eq!(unfinished.current_step.as_deref(), Some("steps/003-step-3"));
    assert_eq!(
        unfinished.uncommitted,
        [
            "steps/003-step-3/output.log.partial",
            "steps/003-step-3/rows.txt"
        ]
    );
    // runbook.yaml, run.json, and log, result and attachment of steps 1 and 2.
    assert_eq!(report.checked, 2 + 2 * 3);
    // The killed step's log is there up to the kill, redacted.
    assert_eq!(
        read(&run_dir, "steps/003-step-3/output.log.partial")
            .split('\n')
            .next()
            .unwrap(),
        "step 3 line 0 password=****"
    );
    let md = runbook_evidence::report::render_dir(&run_dir, runbook_evidence::Format::Markdown)
        .unwrap()
        .text;
    assert!(md.starts_with("# RUNNING: clinic-restore\n"), "{md}");
    assert!(
        md.contains("> **WARNING: the run did not finish: run.json still says running"),
        "{md}"
    );
    assert!(
        md.contains("> - step in progress: steps/003-step-3"),
        "{md}"
    );
    assert!(md.contains("| 002 | step-2 | sql | passed |"), "{md}");
}

#[test]
fn runs_killed_at_arbitrary_moments_verify() {
    for round in 0..40u64 {
        let base = tempfile::tempdir().unwrap();
        let wait_steps = 1 + (round % 3) as usize;
        kill_after_steps(base.path(), "loop", wait_steps, round);

        let run_dir = only_run_dir(base.path());
        assert_sha256sum_passes(&run_dir);
        let report = verify(&run_dir).unwrap();
        assert!(report.is_intact(), "round {round}: {:?}", report.problems());
        assert!(
            report.unfinished.is_some(),
            "round {round}: the run cannot have finished"
        );
        assert!(committed_steps(&run_dir) >= wait_steps);
    }
}

#[test]
fn journals_killed_while_appending_attempts_verify() {
    for round in 0..30u64 {
        let base = tempfile::tempdir().unwrap();
        let wait_steps = 2 + (round % 4) as usize;
        kill_after_steps(base.path(), "journal", wait_steps, round);

        let run_dir = only_run_dir(base.path());
        assert_sha256sum_passes(&run_dir);
        let report = verify(&run_dir).unwrap();
        assert!(report.is_intact(), "round {round}: {:?}", report.problems());
        assert!(report.unfinished.is_some(), "round {round}");
        // Past the first step, the later attempts are in the journal with their own records.
        let listed = std::fs::read_to_string(run_dir.join("SHA256SUMS")).unwrap();
        assert!(
            listed.contains("steps/001-step-1.attempt-2/result.json"),
            "round {round}: {listed}"
        );
    }
}

#[test]
fn resumers_killed_at_arbitrary_moments_leave_directories_that_verify_and_resume() {
    // Whatever instruction of reopening, appending or finishing a kill lands on, the directory
    // verifies, and it can be resumed again, after which it still verifies.
    for round in 0..30u64 {
        let base = tempfile::tempdir().unwrap();
        let mut child = spawn_child(base.path(), "resume");
        let wait = 2 + (round % 4) as usize;
        wait_for("the child to resume a few times", || {
            std::fs::read_dir(base.path())
                .map(|entries| {
                    entries.filter_map(Result::ok).any(|e| {
                        !e.file_name().to_string_lossy().starts_with('.')
                            && std::fs::read_to_string(e.path().join("run.json"))
                                .is_ok_and(|run| run.matches("\"previous_status\"").count() >= wait)
                    })
                })
                .unwrap_or(false)
        });
        std::thread::sleep(Duration::from_micros(round * 1709 % 40_000));
        child.kill().unwrap();
        child.wait().unwrap();

        let run_dir = only_run_dir(base.path());
        assert_sha256sum_passes(&run_dir);
        let report = verify(&run_dir).unwrap();
        assert!(report.is_intact(), "round {round}: {:?}", report.problems());

        let mut dir =
            EvidenceDir::reopen(&run_dir, Redactor::new(["pw"]), crate::resume::resumption())
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_sha256sum_passes(&run_dir);
        let report = verify(&run_dir).unwrap();
        assert!(report.is_intact(), "round {round}: {:?}", report.problems());
        dir.finish_run(RunStatus::Failed).unwrap();
        drop(dir);
        assert_sha256sum_passes(&run_dir);
        let report = verify(&run_dir).unwrap();
        assert!(report.is_intact(), "round {round}: {:?}", report.problems());
        let run: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(run_dir.join("run.json")).unwrap())
                .unwrap();
        assert_eq!(run["status"], "failed", "round {round}");
        assert!(
            run["steps"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["status"] != "not_run" || s["dir"].is_null()),
            "round {round}: every started record is sealed: {run}"
        );
    }
}

#[test]
fn runs_killed_while_recording_their_verdict_verify() {
    // Every directory a run left, finished or killed at any instruction of any update
    // (including the one that writes the verdict), verifies; none states an uncovered verdict.
    for round in 0..12u64 {
        let base = tempfile::tempdir().unwrap();
        let mut child = spawn_child(base.path(), "verdicts");
        wait_for("a few finished runs", || {
            std::fs::read_dir(base.path()).map_or(0, |d| d.count()) >= 3
        });
        std::thread::sleep(Duration::from_micros(round * 1709 % 20_000));
        child.kill().unwrap();
        child.wait().unwrap();
        let dirs: Vec<_> = std::fs::read_dir(base.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
            .collect();
        for dir in dirs {
            if std::fs::read_dir(&dir).unwrap().next().is_none() {
                continue; // a name reserved just before the kill
            }
            assert_sha256sum_passes(&dir);
            let report = verify(&dir).unwrap();
            assert!(
                report.is_intact(),
                "round {round}, {dir:?}: {:?}",
                report.problems()
            );
        }
    }
}

#[test]
fn approvals_killed_at_arbitrary_moments_verify() {
    // Whatever instruction of `approve` a kill lands on, the directory verifies, every listed
    // approval holds, and a following approve succeeds.
    for round in 0..24u64 {
        let base = tempfile::tempdir().unwrap();
        let mut child = spawn_child(base.path(), "approvals");
        let wait = 1 + (round % 3) as usize;
        wait_for("the child to record approvals", || {
            std::fs::read_dir(base.path())
                .ok()
                .and_then(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .find(|e| e.path().join("approvals").is_dir())
                })
                .is_some_and(|e| {
                    std::fs::read_dir(e.path().join("approvals")).map_or(0, |d| d.count()) > wait
                })
        });
        std::thread::sleep(Duration::from_micros(round * 1301 % 8000));
        child.kill().unwrap();
        child.wait().unwrap();
        let run_dir = only_run_dir(base.path());
        assert_sha256sum_passes(&run_dir);
        let report = verify(&run_dir).unwrap();
        assert!(report.is_intact(), "round {round}: {:?}", report.problems());
        assert!(report.approvals.len() >= wait, "round {round}");
        assert!(report.approvals.iter().all(|a| a.current), "round {round}");
        let next =
            runbook_evidence::approve(&run_dir, &crate::approvals::approval("after")).unwrap();
        assert_eq!(
            next.path,
            format!("approvals/{:04}-after.json", report.approvals.len() + 1)
        );
        let report = verify(&run_dir).unwrap();
        assert!(
            report.is_intact() && report.pending_approvals.is_empty(),
            "round {round}"
        );
    }
}

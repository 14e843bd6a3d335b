//! `runbook run FILE --resume DIR`: a failed or killed run continues in its own evidence
//! directory. Passed main steps are not run again (their outputs still feed later steps),
//! `require_files` is checked again, the failed step runs as its next attempt, the directory
//! verifies, and the verdict is the last attempt's.

use std::path::Path;
use std::time::Duration;

use crate::contract::case::Case;
use crate::support::*;

/// `runbook run rb.yaml --resume DIR [extra...]` (no `--evidence-dir`: the run's own is used).
fn resume(case: &Case, dir: &Path, extra: &[&str]) -> Invocation {
    let url = format!("url={}", case.db.url);
    let mut args = vec![
        "run",
        "rb.yaml",
        "--resume",
        dir.to_str().unwrap(),
        "--var",
        &url,
    ];
    args.extend_from_slice(extra);
    runbook(case.path(), &args)
}

/// (id, attempt, status) of every record in `run.json`, in journal order.
fn journal(dir: &Path) -> Vec<(String, u64, String)> {
    run_record(dir)["steps"]
        .as_array()
        .expect("steps in run.json")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or_default().to_owned(),
                s["attempt"].as_u64().unwrap_or(1),
                s["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn rec(id: &str, attempt: u64, status: &str) -> (String, u64, String) {
    (id.to_owned(), attempt, status.to_owned())
}

fn assert_verifies(case: &Case, dir: &Path) {
    let verify = case.run(&["verify", dir.to_str().unwrap()]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
    let (ok, output) = sha256sum_check(dir);
    assert!(ok, "{output}");
}

/// A runbook whose `inputs` checks a file, `make` counts its runs and prints a value, `gate`
/// fails until `fixed` exists, and `use` writes `make`'s output to `used`.
fn write_runbook(case: &Case) {
    case.scratch.write("input.txt", "v1\n");
    case.runbook(
        "resume-after-failure",
        "",
        "
        - id: inputs
          kind: require_files
          files:
            - path: input.txt
        - id: make
          kind: shell
          command: [sh, -c, 'echo run >> made; echo value-42']
        - id: flaky
          kind: shell
          command: [sh, -c, 'test -e fixed || { echo not fixed yet >&2; exit 3; }']
        - id: use
          kind: shell
          command: [sh, -c, 'echo \"$0\" > used', '${steps.make.outputs.stdout_last_line}']
        ",
    );
}

#[test]
fn a_failed_run_resumed_after_the_fix_passes_in_the_same_directory() {
    let case = Case::new("e2e_resume_failed");
    write_runbook(&case);
    let first = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&first);
    assert_eq!(first.code, 1, "{}", first.all_output());
    let dir = first.evidence_dir(case.path());

    case.scratch.write("fixed", "");
    let second = resume(&case, &dir, &[]);
    assert_no_panic(&second);
    assert_eq!(second.code, 0, "{}", second.all_output());
    assert_eq!(second.evidence_dir(case.path()), dir, "the same directory");
    assert_eq!(
        case.scratch.evidence_dirs(),
        std::slice::from_ref(&dir),
        "no new directory"
    );

    // make passed and is not run again; its output still reaches `use`.
    assert_eq!(
        std::fs::read_to_string(case.path().join("made")).unwrap(),
        "run\n"
    );
    assert_eq!(
        std::fs::read_to_string(case.path().join("used")).unwrap(),
        "value-42\n"
    );
    assert_eq!(
        journal(&dir),
        [
            rec("inputs", 1, "passed"),
            rec("make", 1, "passed"),
            rec("flaky", 1, "failed"),
            rec("use", 1, "passed"),
            // require_files is checked again: its inputs may have changed.
            rec("inputs", 2, "passed"),
            rec("flaky", 2, "passed"),
        ]
    );
    let run = run_record(&dir);
    assert_eq!(run["status"], "passed", "the verdict is the last attempt's");
    assert_eq!(run["resumes"][0]["previous_status"], "failed");
    assert_eq!(run["resumes"][0]["first_record"], 5);
    assert_verifies(&case, &dir);
    assert!(
        step_log(&dir, "03-flaky").contains("not fixed yet"),
        "the first attempt's evidence stays"
    );

    // The report shows both attempts of the run, and the verdict is the last one's.
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.starts_with("# PASSED"), "{md}");
    assert!(
        md.contains("attempt 1 of the run: started ")
            && md.contains("ended failed; ran: inputs passed, make passed, flaky failed"),
        "{md}"
    );
    assert!(
        md.contains("attempt 2 of the run (--resume): started ")
            && md.contains(
                "ended passed (the run's verdict); ran: use passed, inputs (attempt 2) passed, \
                 flaky (attempt 2) passed"
            ),
        "{md}"
    );

    // Nothing left to resume: the command line asked for the wrong thing (exit 2).
    let third = resume(&case, &dir, &[]);
    assert_eq!(third.code, 2, "{}", third.all_output());
    assert!(
        third.stderr.contains("holds a run that passed"),
        "{}",
        third.all_output()
    );
}

#[test]
fn a_changed_runbook_is_refused_unless_allowed_and_then_recorded() {
    let case = Case::new("e2e_resume_changed");
    write_runbook(&case);
    let first = case.run(&["run", "rb.yaml"]);
    assert_eq!(first.code, 1, "{}", first.all_output());
    let dir = first.evidence_dir(case.path());
    let before = std::fs::read(dir.join("run.json")).unwrap();

    // The fix is in the runbook this time.
    let text = std::fs::read_to_string(case.path().join("rb.yaml")).unwrap();
    let changed = text.replace("test -e fixed", "true");
    case.scratch.write("rb.yaml", &changed);
    let refused = resume(&case, &dir, &[]);
    assert_no_panic(&refused);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused
            .stderr
            .contains("the runbook changed since that run began"),
        "{}",
        refused.all_output()
    );
    assert!(
        refused.stderr.contains("--allow-changed"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read(dir.join("run.json")).unwrap(),
        before,
        "a refusal writes nothing"
    );

    let allowed = resume(&case, &dir, &["--allow-changed"]);
    assert_eq!(allowed.code, 0, "{}", allowed.all_output());
    let run = run_record(&dir);
    assert_eq!(run["status"], "passed");
    assert_eq!(run["runbook"]["sha256"], sha256_hex(text.as_bytes()));
    assert_eq!(
        run["resumes"][0]["runbook_sha256"],
        sha256_hex(changed.as_bytes()),
        "the new digest is recorded next to the old one"
    );
    assert!(
        run["resumes"][0]["note"]
            .as_str()
            .unwrap()
            .contains("--allow-changed"),
        "{run}"
    );
    // What changed, not only that the digest moved: the old line and the new one.
    let diff = run["resumes"][0]["runbook_diff"]
        .as_str()
        .unwrap_or_default();
    assert!(
        diff.contains("-") && diff.contains("test -e fixed") && diff.contains("+"),
        "{run}"
    );
    assert!(
        diff.split('\n')
            .any(|l| l.starts_with('-') && l.contains("test -e fixed")),
        "{diff}"
    );
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("RUNBOOK CHANGED (--allow-changed)"), "{md}");
    assert!(
        md.contains("runbook_diff"),
        "the report says where the diff is: {md}"
    );
    assert_verifies(&case, &dir);
}

/// A directory that does not verify is refused with exit 5, as `verify`, `report`, `approve`
/// and `undo` refuse it, and nothing is appended to it.
#[test]
fn a_directory_that_does_not_verify_is_refused_with_exit_5() {
    let case = Case::new("e2e_resume_not_intact");
    write_runbook(&case);
    let first = case.run(&["run", "rb.yaml"]);
    assert_eq!(first.code, 1, "{}", first.all_output());
    let dir = first.evidence_dir(case.path());
    let log = std::fs::read_dir(dir.join("steps"))
        .unwrap()
        .map(|e| e.unwrap().path().join("output.log"))
        .find(|p| p.exists())
        .expect("a step log");
    std::fs::write(&log, "edited after the run\n").unwrap();
    let before = std::fs::read(dir.join("run.json")).unwrap();
    let refused = resume(&case, &dir, &[]);
    assert_no_panic(&refused);
    assert_eq!(refused.code, 5, "{}", refused.all_output());
    assert!(
        refused.stderr.contains("does not verify"),
        "{}",
        refused.all_output()
    );
    assert_eq!(std::fs::read(dir.join("run.json")).unwrap(), before);
}

#[test]
fn a_run_killed_mid_step_resumes_with_the_killed_step_recorded() {
    let case = Case::new("e2e_resume_killed");
    case.runbook(
        "resume-after-kill",
        "",
        "
        - id: first
          kind: shell
          command: [sh, -c, 'echo run >> first-runs']
        - id: slow
          kind: shell
          command: [sh, -c, 'test -e fixed && exit 0; touch started; sleep 60']
        - id: last
          kind: shell
          command: [touch, done]
        ",
    );
    let child = case.spawn(&["run", "rb.yaml"]);
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(30), || case
            .path()
            .join("started")
            .exists()),
        "the slow step did not start"
    );
    send_signal(pid, "KILL");
    let killed = finish(child);
    assert_ne!(killed.code, 0);
    let dir = case
        .scratch
        .evidence_dirs()
        .pop()
        .expect("an evidence directory");
    assert_eq!(run_record(&dir)["status"], "running");
    assert_verifies(&case, &dir);

    case.scratch.write("fixed", "");
    let resumed = resume(&case, &dir, &[]);
    assert_no_panic(&resumed);
    assert_eq!(resumed.code, 0, "{}", resumed.all_output());
    assert!(case.path().join("done").exists());
    assert_eq!(
        std::fs::read_to_string(case.path().join("first-runs")).unwrap(),
        "run\n"
    );
    assert_eq!(
        journal(&dir),
        [
            rec("first", 1, "passed"),
            rec("slow", 1, "failed"),
            rec("last", 1, "passed"),
            rec("slow", 2, "passed"),
        ]
    );
    assert_eq!(
        step_result(&dir, "02-slow")["error"]["message"],
        "the run was killed during this step"
    );
    let run = run_record(&dir);
    assert_eq!(run["status"], "passed");
    assert_eq!(run["resumes"][0]["previous_status"], "running");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        md.contains("ended killed (no verdict recorded); ran: first passed, slow failed"),
        "{md}"
    );
    assert_verifies(&case, &dir);
}

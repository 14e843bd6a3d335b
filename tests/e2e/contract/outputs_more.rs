//! Step outputs, continued: a `wait_until` waits for a path an earlier step named, the report
//! shows each step's outputs, and a `finally` step uses a main step's output (and fails
//! plainly, without stopping the other finally steps, when the main step never produced it).

use crate::contract::case::{Case, dedent, runbook_text};
use crate::support::*;

/// A shell step starts something that creates `out/<run id>.ready` two seconds later and names
/// that path on its last line of output; `wait_until` waits for the path the output names.
const WAIT_FOR_NAMED_PATH: &str = r#"
- id: start
  kind: shell
  command: ["sh", "-c", "mkdir -p out && (sleep 2; touch out/${run.id}.ready) >/dev/null 2>&1 & echo out/${run.id}.ready"]
- id: ready
  kind: wait_until
  file_exists: ${steps.start.outputs.stdout_last_line}
  every: 200ms
  timeout: 30s
"#;

#[test]
fn wait_until_waits_for_the_path_an_earlier_step_named_and_the_report_shows_it() {
    let case = Case::new("e2e_outputs_wait_path");
    case.runbook("outputs-wait", "", WAIT_FOR_NAMED_PATH);

    // check runs nothing: the path is not known, and its step is named as the reason.
    let check = case.run(&["check", "rb.yaml"]);
    assert_eq!(check.code, 0, "{}", check.all_output());
    assert!(
        check.stdout.contains(
            "<output of step start> does not exist, provided by step 'start'); the run would wait up to 30s"
        ),
        "{}",
        check.stdout
    );
    assert!(
        !case.path().join("out").exists(),
        "check ran the shell step"
    );

    let run = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(case.path());
    let path = step_result(&dir, "01-start")["outputs"]["stdout_last_line"]["value"]
        .as_str()
        .expect("the start step's stdout_last_line")
        .to_owned();
    assert!(
        path.starts_with("out/") && path.ends_with(".ready"),
        "{path}"
    );
    assert!(case.path().join(&path).is_file(), "{path} was not created");

    // The wait polled the expanded path: absent first, then there.
    let wait = step_result(&dir, "02-ready");
    assert_eq!(wait["details"]["held"], true, "{wait}");
    assert_eq!(
        wait["details"]["first"]["result"],
        format!("{path} does not exist").as_str(),
        "{wait}"
    );
    assert_eq!(
        wait["details"]["last"]["result"],
        format!("{path} exists (a file)").as_str(),
        "{wait}"
    );
    assert!(wait["details"]["polls"].as_u64().unwrap_or(0) > 1, "{wait}");

    // The report lists the output under the step that gave it.
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(
        report.contains(&format!("Outputs:\n\n- `stdout_last_line` = {path}\n")),
        "{report}"
    );
    assert!(sha256sum_check(&dir).0, "evidence does not verify");
}

/// `runbook_text` with a `finally:` list after the steps.
fn with_finally(case: &Case, name: &str, steps: &str, finally: &str) {
    let mut text = runbook_text(name, "", steps);
    text.push_str("finally:\n");
    for line in dedent(finally).split('\n') {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    case.scratch.write("rb.yaml", text);
}

/// Main: `fail` (fails when the file `fail-now` exists) then `make`, which produces a file; finally:
/// `use` reads `make`'s output, `always` writes a marker.
const FINALLY_USES_OUTPUT: (&str, &str) = (
    r#"
    - id: fail
      kind: shell
      command: ["sh", "-c", "test ! -e fail-now"]
    - id: make
      kind: shell
      command: ["sh", "-c", "mkdir -p out && echo made > out/made.txt"]
      produces: { made: out/made.txt }
    "#,
    r#"
    - id: use
      kind: shell
      command: ["cat", "${steps.make.outputs.made}"]
    - id: always
      kind: shell
      command: ["touch", "always-ran"]
    "#,
);

#[test]
fn a_finally_step_uses_a_main_steps_output() {
    let case = Case::new("e2e_outputs_finally_uses");
    let (steps, finally) = FINALLY_USES_OUTPUT;
    with_finally(&case, "outputs-finally", steps, finally);
    let run = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(case.path());
    assert_eq!(
        step_statuses(&dir),
        [
            ("fail".to_owned(), "passed".to_owned()),
            ("make".to_owned(), "passed".to_owned()),
            ("use".to_owned(), "passed".to_owned()),
            ("always".to_owned(), "passed".to_owned()),
        ]
    );
    let log = step_log(&dir, "finally-01-use");
    assert!(log.contains("$ cat out/made.txt"), "{log}");
    assert!(log.contains("made"), "{log}");
    assert!(case.path().join("always-ran").exists());
    assert!(sha256sum_check(&dir).0, "evidence does not verify");
}

#[test]
fn a_finally_step_whose_output_was_never_produced_fails_plainly_and_the_rest_still_run() {
    let case = Case::new("e2e_outputs_finally_missing");
    let (steps, finally) = FINALLY_USES_OUTPUT;
    with_finally(&case, "outputs-finally-missing", steps, finally);
    case.scratch.write("fail-now", "");
    let run = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&run);
    assert_eq!(run.code, 1, "{}", run.all_output());
    let dir = run.evidence_dir(case.path());
    assert_eq!(
        step_statuses(&dir),
        [
            ("fail".to_owned(), "failed".to_owned()),
            ("make".to_owned(), "not_run".to_owned()),
            ("use".to_owned(), "failed".to_owned()),
            ("always".to_owned(), "passed".to_owned()),
        ]
    );
    // The finally step says which output it lacked and why, on the terminal and in evidence.
    let missing =
        "${steps.make.outputs.made} has no value: step 'make' did not produce it in this run";
    assert!(run.all_output().contains(missing), "{}", run.all_output());
    let use_result = step_result(&dir, "finally-01-use");
    assert!(
        use_result["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(missing)),
        "{use_result}"
    );
    // Nothing ran the command with an empty path, and the next cleanup still ran.
    assert!(!case.path().join("out").exists());
    assert!(case.path().join("always-ran").exists());
    // The run failed because of main's step, not the cleanup.
    assert!(
        run.all_output().contains("step 'fail' (shell): failed"),
        "{}",
        run.all_output()
    );
    assert!(sha256sum_check(&dir).0, "evidence does not verify");
}

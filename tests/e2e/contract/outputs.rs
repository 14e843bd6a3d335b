//! Step outputs and run variables: `${steps.ID.outputs.NAME}` carries a value a step learned
//! at run time (a file's name, a digest) to later steps, `${run.*}` names the run, and `check`
//! knows that a file an earlier step produces is not missing (no false BLOCKED).

use crate::contract::case::Case;
use crate::support::*;

/// A shell step writes a script whose name is known only at run time (`out/<run id>.sql`) and
/// declares it in `produces`; `require_files`, `sql_file` and a last shell step use it.
const PRODUCE_AND_USE: &str = r#"
- id: dump
  kind: shell
  command: ["sh", "-c", "mkdir -p out && printf 'CREATE TABLE t (id int);\nINSERT INTO t VALUES (42);\n' > out/${run.id}.sql && echo wrote ${run.id}"]
  produces: { script: "out/${run.id}.sql" }
- id: inputs
  kind: require_files
  files:
    - path: ${steps.dump.outputs.script}
- id: load
  kind: sql_file
  target: db
  path: ${steps.dump.outputs.script}
- id: report
  kind: shell
  command: ["echo", "digest=${steps.inputs.outputs.sha256} last=${steps.dump.outputs.stdout_last_line} started=${run.started_utc} dir=${run.evidence_dir}"]
"#;

#[test]
fn a_produced_file_is_provided_in_check_and_used_by_later_steps_in_run() {
    let case = Case::new("e2e_outputs_produce");
    case.runbook("outputs", "", PRODUCE_AND_USE);

    // check: the file does not exist yet; it is provided by step 'dump', not missing.
    let check = case.run(&["check", "rb.yaml"]);
    assert_eq!(check.code, 0, "{}", check.all_output());
    assert!(
        check.stdout.contains("1 file provided by step 'dump'"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("would load <output of step dump>, provided by step 'dump'"),
        "{}",
        check.stdout
    );
    assert!(
        !check.all_output().contains("missing"),
        "{}",
        check.all_output()
    );
    assert!(
        !case.path().join("out").exists(),
        "check ran the shell step"
    );

    let run = case.run(&["run", "rb.yaml"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    assert_eq!(case.sql("SELECT id FROM t"), "42");

    // The script's name carries the run id, the one file the run wrote.
    let written: Vec<String> = std::fs::read_dir(case.path().join("out"))
        .expect("out/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let run_id = written[0]
        .strip_suffix(".sql")
        .expect("a .sql file")
        .to_owned();
    assert!(
        run_id.len() == 12 && run_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "run id {run_id}"
    );
    let script = format!("out/{run_id}.sql");
    let digest = sha256_hex(&std::fs::read(case.path().join(&script)).expect("script"));

    let dir = run.evidence_dir(case.path());
    let dump = step_result(&dir, "01-dump");
    assert_eq!(dump["outputs"]["script"]["value"], script.as_str());
    assert_eq!(
        dump["outputs"]["stdout_last_line"]["value"],
        format!("wrote {run_id}").as_str()
    );
    assert!(
        step_log(&dir, "01-dump").contains(&format!("produced script: {script}")),
        "{}",
        step_log(&dir, "01-dump")
    );
    assert_eq!(
        step_result(&dir, "02-inputs")["outputs"]["sha256"]["value"],
        digest.as_str()
    );
    // The directory is named after the start (with `-2` when the check took that second).
    let name = dir
        .file_name()
        .expect("evidence dir name")
        .to_string_lossy()
        .into_owned();
    let stamp = name.split('-').next().expect("stamp").to_owned();
    let report = step_log(&dir, "04-report");
    assert!(
        report.contains(&format!(
            "digest={digest} last=wrote {run_id} started={stamp}"
        )),
        "{report}"
    );
    assert!(report.contains(&format!("/{name}")), "{report}");
    assert!(sha256sum_check(&dir).0, "evidence does not verify");
}

#[test]
fn a_file_declared_in_produces_that_the_command_does_not_create_fails_the_step() {
    let case = Case::new("e2e_outputs_missing");
    case.runbook(
        "outputs-missing",
        "",
        r#"
        - id: dump
          kind: shell
          command: ["true"]
          produces: { backup: out/never.dump }
        - id: after
          kind: shell
          command: ["echo", "${steps.dump.outputs.backup}"]
        "#,
    );
    let run = case.run(&["run", "rb.yaml"]);
    assert_eq!(run.code, 1, "{}", run.all_output());
    assert!(
        run.all_output().contains(
            "the command did not create what the step declares in produces: backup (out/never.dump:"
        ),
        "{}",
        run.all_output()
    );
    let dir = run.evidence_dir(case.path());
    assert_eq!(
        step_statuses(&dir),
        vec![
            ("dump".to_owned(), "failed".to_owned()),
            ("after".to_owned(), "not_run".to_owned())
        ]
    );
}

#[test]
fn output_references_are_checked_before_anything_runs_at_their_position() {
    let case = Case::new("e2e_outputs_static");
    // Line 10 is the first step (see `runbook_text`).
    case.runbook(
        "outputs-static",
        "",
        r#"
        - id: first
          kind: shell
          command: ["echo", "${steps.second.outputs.stdout_last_line}"]
        - id: second
          kind: shell
          command: ["echo", "${steps.nope.outputs.x}", "${steps.first.outputs.stdout_lastline}"]
        - id: third
          kind: sql
          target: db
          text: SELECT ${steps.first.outputs.stdout_last_line}
        - id: fourth
          kind: require_files
          description: ${run.id}
          files:
            - path: ${run.nope}
        "#,
    );
    for command in ["validate", "check", "run"] {
        let result = case.run(&[command, "rb.yaml"]);
        assert_eq!(result.code, 2, "{command}: {}", result.all_output());
        let out = result.all_output();
        for expected in [
            "rb.yaml:12:24: ${steps.second.outputs.stdout_last_line} in step 'first' refers to step 'second', which comes after it: a step can use only the outputs of steps that run before it",
            "rb.yaml:15:24: undefined reference ${steps.nope.outputs.x}: no step 'nope' in this runbook; the steps before 'second' are first",
            "rb.yaml:15:51: undefined reference ${steps.first.outputs.stdout_lastline}: step 'first' has no output 'stdout_lastline'; it declares stdout_last_line (did you mean ${steps.first.outputs.stdout_last_line}?)",
            "rb.yaml:19:18: cannot paste ${steps.first.outputs.stdout_last_line} into SQL text: its value is known only when the run gets there",
            "rb.yaml:22:18: ${run.id} cannot be used here: it is expanded only in",
            "rb.yaml:24:15: unknown field 'nope' in ${run.nope}: expected ${run.id}, ${run.started_utc} or ${run.evidence_dir}",
        ] {
            assert!(
                out.contains(expected),
                "{command}: missing {expected}\nin:\n{out}"
            );
        }
        assert!(
            case.scratch.evidence_dirs().is_empty(),
            "{command} made evidence"
        );
    }
}

#[test]
fn consent_for_a_protected_target_cannot_read_a_script_the_run_produces_and_fails_closed() {
    let case = Case::new("e2e_outputs_consent");
    case.runbook(
        "outputs-consent",
        "protected: true",
        r#"
        - id: dump
          kind: shell
          command: ["sh", "-c", "mkdir -p out && echo 'CREATE TABLE made (id int);' > out/${run.id}.sql"]
          produces: { script: "out/${run.id}.sql" }
        - id: load
          kind: sql_file
          target: db
          path: ${steps.dump.outputs.script}
        "#,
    );
    let refused = case.run(&["run", "rb.yaml"]);
    assert_eq!(refused.code, 2, "{}", refused.all_output());
    assert!(
        refused.all_output().contains(
            "step 'load' would change it in ways that cannot be listed (its script ${steps.dump.outputs.script} is produced during the run by step 'dump', so it cannot be read before the run starts); nothing was run"
        ),
        "{}",
        refused.all_output()
    );
    assert!(
        !case.path().join("out").exists(),
        "the refused run ran a step"
    );

    let confirmed = case.run(&["run", "rb.yaml", "--confirm", "db"]);
    assert_eq!(confirmed.code, 0, "{}", confirmed.all_output());
    assert_eq!(case.sql("SELECT count(*) FROM made"), "0");
}

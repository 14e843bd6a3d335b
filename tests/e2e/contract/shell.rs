//! `shell`, the escape hatch: exit codes decide the status (`allow_exit_codes` widens that), both
//! streams land in `output.log`, arguments reach the program as written unless `shell: true`
//! asks for a shell, and check mode describes the command without running it.

use crate::contract::case::Case;
use crate::support::*;

#[test]
fn a_nonzero_exit_fails_the_step_unless_it_is_allowed() {
    let case = Case::new("e2e_shell_exit");
    case.runbook(
        "shell-exit",
        "",
        "
        - id: grep-nothing
          kind: shell
          command: [sh, -c, 'echo looking; echo none found >&2; exit 3']
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains(
            "step 'grep-nothing' (shell): failed: sh ended with exit code 3 (allowed: 0)"
        ),
        "{}",
        result.stdout
    );
    let dir = result.evidence_dir(case.path());
    let log = step_log(&dir, "01-grep-nothing");
    assert!(
        log.contains("[stdout] looking\n") && log.contains("[stderr] none found\n"),
        "both streams belong in the log:\n{log}"
    );
    assert!(log.contains("exit code 3 after "), "{log}");
    assert_eq!(
        step_result(&dir, "01-grep-nothing")["details"]["exit_code"],
        3
    );

    case.runbook(
        "shell-exit",
        "",
        "
        - id: grep-nothing
          kind: shell
          allow_exit_codes: [0, 3]
          command: [sh, -c, 'exit 3']
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
}

#[test]
fn arguments_reach_the_program_as_written_unless_a_shell_is_asked_for() {
    let case = Case::new("e2e_shell_args");
    case.runbook(
        "shell-args",
        "",
        "
        - id: literal
          kind: shell
          command: [echo, '$HOME', 'a;b', '*', '$(id)']
        - id: with-shell
          kind: shell
          shell: true
          command: echo $((40 + 2)) | tr 4 X
        - id: env
          kind: shell
          env: { GREETING: hello }
          command: [sh, -c, 'echo \"$GREETING\"']
        ",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    assert!(
        step_log(&dir, "01-literal").contains("[stdout] $HOME a;b * $(id)\n"),
        "{}",
        step_log(&dir, "01-literal")
    );
    assert!(
        step_log(&dir, "02-with-shell").contains("[stdout] X2\n"),
        "{}",
        step_log(&dir, "02-with-shell")
    );
    assert!(
        step_log(&dir, "03-env").contains("[stdout] hello\n"),
        "{}",
        step_log(&dir, "03-env")
    );
}

#[test]
fn a_program_that_does_not_exist_fails_with_its_name() {
    let case = Case::new("e2e_shell_missing");
    case.runbook(
        "shell-missing",
        "",
        "- id: dump\n  kind: shell\n  command: [pg_dumpp, --schema-only]",
    );
    let check = case.run(&["check", "rb.yaml"]);
    assert_eq!(check.code, 1, "{}", check.all_output());
    assert!(
        check
            .stdout
            .contains("step 'dump' (shell): would fail: program 'pg_dumpp' not found on PATH"),
        "{}",
        check.stdout
    );
    let run = case.run(&["run", "rb.yaml"]);
    assert_eq!(run.code, 1, "{}", run.all_output());
    assert!(run.stdout.contains("step 'dump' (shell): failed: cannot start 'pg_dumpp': no such program (not found on PATH)"), "{}", run.stdout);
}

#[test]
fn check_mode_describes_a_command_without_running_it() {
    let case = Case::new("e2e_shell_check");
    case.runbook(
        "shell-check",
        "",
        "
        - id: touch
          kind: shell
          env: { TOUCHED_BY: check, PGAPPNAME: runbook }
          command: [touch, made-by-check]
        - id: safe
          kind: shell
          run_in_check: true
          command: [echo, inspected]
        ",
    );
    let result = case.run(&["check", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert!(
        !case.path().join("made-by-check").exists(),
        "check mode ran a shell command"
    );
    let dir = result.evidence_dir(case.path());
    assert!(
        step_log(&dir, "01-touch").contains("would run: touch made-by-check"),
        "{}",
        step_log(&dir, "01-touch")
    );
    assert!(
        step_log(&dir, "01-touch").contains("\nenvironment: TOUCHED_BY, PGAPPNAME\n"),
        "the environment's names are not described:\n{}",
        step_log(&dir, "01-touch")
    );
    assert!(
        step_log(&dir, "02-safe").contains("[stdout] inspected"),
        "{}",
        step_log(&dir, "02-safe")
    );
}

#[test]
fn a_target_url_expands_without_its_password_and_the_password_reaches_the_child() {
    let case = Case::new("e2e_shell_url");
    let password = format!("Shell-Pa55-{}", std::process::id());
    let text = crate::contract::case::runbook_text(
        "shell-url",
        "",
        "
        - id: dump
          kind: shell
          command: [sh, -c, 'pg_isready -d \"$1\" >/dev/null && printf \"%s\" \"$PGPASSWORD\" | sha256sum && echo \"$1\"', sh, '${targets.db.url}']
        - id: from-env
          kind: shell
          env: { DATABASE_URL: '${targets.db.url}' }
          command: [sh, -c, 'pg_isready -d \"$DATABASE_URL\" >/dev/null && printf \"%s\" \"$PGPASSWORD\" | sha256sum']
        ",
    )
    .replace("url: ${vars.url}\n", "url: ${vars.url}\n      password_env: E2E_SHELL_PASSWORD\n");
    case.scratch.write("rb.yaml", text);
    let bin = runbook_testkit::postgres::binaries().program("pg_isready");
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let result = case.run_with_env(
        &["run", "rb.yaml"],
        &[("E2E_SHELL_PASSWORD", &password), ("PATH", &path)],
    );
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let log = step_log(&dir, "01-dump");
    assert!(
        log.contains(&sha256_hex(password.as_bytes())),
        "PGPASSWORD did not reach the command:\n{log}"
    );
    assert!(
        log.contains(&format!("[stdout] {}", case.db.url)),
        "the URL is not the target's:\n{log}"
    );
    // A URL in the command's environment brings the password along just the same.
    let log = step_log(&dir, "02-from-env");
    assert!(
        log.contains(&sha256_hex(password.as_bytes())),
        "PGPASSWORD did not reach a command that has the URL in env:\n{log}"
    );
    assert!(
        !all_evidence_text(&dir).contains(&password),
        "the password leaked into the evidence"
    );
}

//! Limits, part two, and values that cannot change meaning (issue 15, items 4 and 5).
//!
//! A 200 MB server error message cost 2.5 GB of memory, 1.2 GB of evidence and 400 MB on the
//! terminal; after 1000 notices a later WARNING was dropped; `wait: 18446744073709551615` passed
//! `validate` and panicked in `run`. Each test drives the built binary (under a deadline, its
//! peak memory watched where memory is the point) and asserts what the operator sees.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::contract::case::Case;
use crate::support::*;

/// Long enough for a debug build on a busy machine, far shorter than "never".
const QUICK: Duration = Duration::from_secs(120);

/// `runbook ARGS...` in the case's directory (run and check get the case's `url` var and
/// `--evidence-dir ev`), killed after `limit`, its peak RSS polled meanwhile. Output goes to
/// files so that a flood cannot block on a full pipe.
fn bounded(case: &Case, args: &[&str], limit: Duration) -> Bounded {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    if matches!(args.first(), Some(&"run" | &"check")) {
        all.extend(["--var".to_owned(), format!("url={}", case.db.url)]);
        all.extend(["--evidence-dir".to_owned(), "ev".to_owned()]);
    }
    let mut command = Command::new(runbook_bin());
    command.current_dir(case.path()).args(&all);
    run_bounded(command, case.path(), limit)
}

/// Total size of the files under `dir`.
fn tree_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let meta = entry.metadata().expect("metadata");
        total += if meta.is_dir() {
            tree_bytes(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}

#[test]
fn durations_past_thirty_days_are_refused_by_validate_with_their_place() {
    let case = Case::new("e2e_limits2_duration");
    case.runbook(
        "limits2-duration",
        "",
        "
        - id: slow
          kind: sql
          target: db
          text: SELECT 1
          timeout: 18446744073709551615
        ",
    );
    let validate = case.run(&["validate", "rb.yaml"]);
    assert_eq!(validate.code, 2, "{}", validate.all_output());
    assert!(
        validate.stderr.contains(
            "rb.yaml:14:14: duration '18446744073709551615' is too long for 'timeout' in step 'slow': at most 720h (30 days)"
        ),
        "{}",
        validate.all_output()
    );
    // The one error, not a second one about the step's (present) target.
    assert!(
        !validate.stderr.contains("needs a target"),
        "{}",
        validate.all_output()
    );
    // Nothing ran, nothing panicked, no evidence is left "running".
    let run = case.run(&["run", "rb.yaml", "--evidence-dir", "ev"]);
    assert_eq!(run.code, 2, "{}", run.all_output());
    assert_no_panic(&run);
    assert!(!case.path().join("ev").exists() || case.scratch.evidence_dirs().is_empty());

    // The same for a container's wait, in units.
    case.scratch.write(
        "rb.yaml",
        "version: 1\nname: limits2-wait\nsteps:\n  - id: up\n    kind: container_start\n    name: runbook-e2e-limits2-never-created\n    image: runbook/postgres:15\n    wait: 99999999999h\n",
    );
    let validate = case.run(&["validate", "rb.yaml"]);
    assert_eq!(validate.code, 2, "{}", validate.all_output());
    assert!(
        validate
            .stderr
            .contains("rb.yaml:8:11: duration '99999999999h' is too long for 'wait' in step 'up': at most 720h (30 days)"),
        "{}",
        validate.all_output()
    );
    // 30 days exactly is still a duration.
    case.scratch.write(
        "rb.yaml",
        "version: 1\nname: limits2-wait\nsteps:\n  - id: up\n    kind: container_start\n    name: runbook-e2e-limits2-never-created\n    image: runbook/postgres:15\n    wait: 720h\n",
    );
    let validate = case.run(&["validate", "rb.yaml"]);
    assert_eq!(validate.code, 0, "{}", validate.all_output());
}

#[test]
fn a_200_mb_server_error_is_cut_where_it_is_received() {
    let case = Case::new("e2e_limits2_bigerror");
    case.runbook(
        "limits2-bigerror",
        "",
        "
        - id: big
          kind: sql
          target: db
          text: DO $$ BEGIN RAISE EXCEPTION 'HEAD-%-TAIL', repeat('x', 200000000) USING DETAIL = repeat('d', 50000000); END $$
        ",
    );
    let run = bounded(&case, &["run", "rb.yaml"], QUICK);
    assert!(!run.killed, "still going at the deadline");
    assert_no_panic(&run.out);
    assert_eq!(run.out.code, 1, "{}", run.out.stdout.len());
    // The driver holds the message twice while it decodes it (its read buffer and the
    // DbError's String): 2 x 250 MB is the floor; everything after that is bounded. The old
    // code peaked at about 3 GB.
    assert!(
        run.peak_kb < 650 * 1024,
        "peaked at {} MB",
        run.peak_kb / 1024
    );
    assert!(
        run.out.stdout.len() + run.out.stderr.len() < 64 * 1024,
        "{} bytes on the terminal",
        run.out.stdout.len() + run.out.stderr.len()
    );
    assert!(
        run.out.stdout.contains("HEAD-xxx"),
        "{}",
        run.out.stdout.chars().take(2000).collect::<String>()
    );
    let dir = run.out.evidence_dir(case.path());
    assert!(
        tree_bytes(&dir) < 1024 * 1024,
        "{} bytes of evidence",
        tree_bytes(&dir)
    );
    let log = step_log(&dir, "01-big");
    // Head and tail of the message and of the DETAIL, with what was left out between them.
    assert!(log.contains("HEAD-xxxx"), "{} bytes of log", log.len());
    assert!(log.contains("xxxx-TAIL"));
    assert!(log.contains("DETAIL:  dddd"));
    assert!(
        log.contains("[... 199991818 bytes of the server's text not kept ...]"),
        "{} bytes of log",
        log.len()
    );
    assert!(log.contains("[... 49991808 bytes of the server's text not kept ...]"));
    assert_eq!(run_record(&dir)["status"], "failed");
    let verify = runbook(case.path(), &["verify", dir.to_str().expect("utf-8")]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
}

#[test]
fn a_warning_after_a_thousand_notices_is_kept() {
    let case = Case::new("e2e_limits2_notices");
    case.runbook(
        "limits2-notices",
        "",
        "
        - id: noisy
          kind: sql
          target: db
          text: DO $$ BEGIN FOR i IN 1..1200 LOOP RAISE NOTICE 'n%', i; END LOOP; RAISE WARNING 'the warning that matters'; END $$
        ",
    );
    let run = case.run(&["run", "rb.yaml", "--evidence-dir", "ev"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(case.path());
    let log = step_log(&dir, "01-noisy");
    assert!(
        log.contains("WARNING:  the warning that matters"),
        "{}",
        &log[log.len().saturating_sub(2000)..]
    );
    assert!(log.contains("NOTICE:  n1000\n"));
    assert!(!log.contains("NOTICE:  n1001\n"));
    assert!(
        log.contains("NOTICE:  200 more notices were not kept"),
        "{}",
        &log[log.len().saturating_sub(2000)..]
    );

    // Per step too: 12 statements of 1000 notices keep 10,000 of them, and the WARNING after.
    let statements =
        "DO $$ BEGIN FOR i IN 1..1000 LOOP RAISE NOTICE 'n%', i; END LOOP; END $$;\n".repeat(12);
    case.scratch.write(
        "many.sql",
        format!("{statements}DO $$ BEGIN RAISE WARNING 'the last warning'; END $$;\n"),
    );
    case.runbook(
        "limits2-notices",
        "",
        "
        - id: many
          kind: sql_file
          target: db
          path: many.sql
        ",
    );
    let run = case.run(&["run", "rb.yaml", "--evidence-dir", "ev"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let log = step_log(&run.evidence_dir(case.path()), "01-many");
    assert_eq!(log.matches("  NOTICE:  n").count(), 10_000);
    let tail = &log[log.len().saturating_sub(2000)..];
    assert!(log.contains("WARNING:  the last warning"), "{tail}");
    assert!(
        log.contains("  2000 more notices of this step were not kept (at most 10000)"),
        "{tail}"
    );
}

#[test]
fn a_var_with_command_substitution_never_reaches_a_shell_true_command() {
    let case = Case::new("e2e_limits2_shellvar");
    case.scratch.write(
        "rb.yaml",
        "version: 1\nname: limits2-shellvar\nvars:\n  who: world\n  dir: /tmp/some-dir\n  url: unused\nsteps:\n  - id: hi\n    kind: shell\n    shell: true\n    command: echo hello ${vars.who} in ${vars.dir} > said.txt\n",
    );
    let validate = case.run(&["validate", "rb.yaml", "--var", "who=$(touch pwned)"]);
    assert_eq!(validate.code, 2, "{}", validate.all_output());
    assert!(
        validate.stderr.contains(
            "rb.yaml:11:25: cannot paste ${vars.who} into a command a shell runs (shell: true, or the argument after sh -c): its value has characters other than letters, digits, '_', '.', ':', '-' and '/', which sh -c could run as code; pass it through the step's env (env: { WHO: \"${vars.who}\" }) and write \"$WHO\" in the command"
        ),
        "{}",
        validate.all_output()
    );
    let run = case.run(&[
        "run",
        "rb.yaml",
        "--var",
        "who=$(touch pwned)",
        "--evidence-dir",
        "ev",
    ]);
    assert_eq!(run.code, 2, "{}", run.all_output());
    assert!(
        !case.path().join("pwned").exists(),
        "the var ran as a command"
    );
    assert!(!case.path().join("said.txt").exists());
    // Backquotes and ';' are refused the same way.
    for bad in ["`touch pwned`", "x;touch pwned", "a b"] {
        let validate = case.run(&["validate", "rb.yaml", "--var", &format!("who={bad}")]);
        assert_eq!(validate.code, 2, "{bad}: {}", validate.all_output());
    }

    // The same for the script of an argument list that runs sh -c (shell: false).
    case.scratch.write(
        "argv.yaml",
        "version: 1\nname: limits2-shellvar\nvars:\n  who: world\n  url: unused\nsteps:\n  - id: hi\n    kind: shell\n    command: [\"/bin/sh\", \"-ec\", \"echo hello ${vars.who} > said.txt\"]\n",
    );
    let validate = case.run(&["validate", "argv.yaml", "--var", "who=$(touch pwned)"]);
    assert_eq!(validate.code, 2, "{}", validate.all_output());
    assert!(
        validate
            .stderr
            .contains("argv.yaml:9:45: cannot paste ${vars.who} into a command a shell runs"),
        "{}",
        validate.all_output()
    );
    assert!(!case.path().join("pwned").exists());
    // Behind a wrapper too.
    case.scratch.write(
        "wrapped.yaml",
        "version: 1\nname: limits2-shellvar\nvars:\n  who: world\n  url: unused\nsteps:\n  - id: hi\n    kind: shell\n    command: [env, LC_ALL=C, bash, -c, \"echo ${vars.who}\"]\n",
    );
    let validate = case.run(&["validate", "wrapped.yaml", "--var", "who=a;touch pwned"]);
    assert_eq!(validate.code, 2, "{}", validate.all_output());
    assert!(
        validate
            .stderr
            .contains("wrapped.yaml:9:46: cannot paste ${vars.who} into a command a shell runs"),
        "{}",
        validate.all_output()
    );
    let validate = case.run(&["validate", "wrapped.yaml", "--var", "who=plain"]);
    assert_eq!(validate.code, 0, "{}", validate.all_output());

    // Control: plain tokens and paths are pasted; anything else goes through env, as the docs show.
    let run = case.run(&["run", "rb.yaml", "--evidence-dir", "ev"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    assert_eq!(
        std::fs::read_to_string(case.path().join("said.txt")).expect("said.txt"),
        "hello world in /tmp/some-dir\n"
    );
    case.scratch.write(
        "rb.yaml",
        "version: 1\nname: limits2-shellvar\nvars:\n  who: world\n  url: unused\nsteps:\n  - id: hi\n    kind: shell\n    shell: true\n    command: echo \"hello $WHO\" > said.txt\n    env: { WHO: \"${vars.who}\" }\n",
    );
    let run = case.run(&[
        "run",
        "rb.yaml",
        "--var",
        "who=$(touch pwned)",
        "--evidence-dir",
        "ev",
    ]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    assert!(!case.path().join("pwned").exists());
    assert_eq!(
        std::fs::read_to_string(case.path().join("said.txt")).expect("said.txt"),
        "hello $(touch pwned)\n"
    );
}

#[test]
fn an_escaped_target_reference_reaches_the_child_with_one_dollar_whatever_the_var_hops() {
    let case = Case::new("e2e_limits2_escape");
    case.scratch.write(
        "rb.yaml",
        concat!(
            "version: 1\nname: limits2-escape\nvars:\n",
            "  a: \"lit $${targets.x.url} and $${vars.y}\"\n",
            "  b: \"${vars.a}\"\n",
            "  c: \"${vars.b}\"\n  url: unused\n",
            "steps:\n  - id: show\n    kind: shell\n",
            "    command: [\"sh\", \"-c\", \"printf '%s|%s|%s' \\\"$A\\\" \\\"$C\\\" \\\"$D\\\" > out.txt\"]\n",
            "    env:\n      A: \"${vars.a}\"\n      C: \"${vars.c}\"\n      D: \"direct $${targets.x.url}\"\n",
        ),
    );
    let run = case.run(&["run", "rb.yaml", "--evidence-dir", "ev"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let lit = "lit ${targets.x.url} and ${vars.y}";
    assert_eq!(
        std::fs::read_to_string(case.path().join("out.txt")).expect("out.txt"),
        format!("{lit}|{lit}|direct ${{targets.x.url}}")
    );

    // SQL text and a sql_file's variables never reach the engine's expansion: undone at once.
    case.scratch.write("echo.sql", "\\echo :v\n");
    case.runbook(
        "limits2-escape",
        "",
        "
        - id: inline
          kind: sql
          target: db
          text: \\echo lit $${targets.x.url}
        - id: file
          kind: sql_file
          target: db
          path: echo.sql
          variables: { v: \"$${targets.x.url}\" }
        ",
    );
    let run = case.run(&["run", "rb.yaml", "--evidence-dir", "ev"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(case.path());
    let inline = step_log(&dir, "01-inline");
    assert!(inline.contains("\\echo lit ${targets.x.url}\n"), "{inline}");
    let file = step_log(&dir, "02-file");
    assert!(file.contains("\\echo ${targets.x.url}\n"), "{file}");

    // A var ending in '$' just before a target reference would turn it into the escape: refused.
    case.scratch.write(
        "dollar.yaml",
        "version: 1\nname: limits2-escape\nvars:\n  p: \"a$\"\n  url: unused\ntargets:\n  db:\n    postgres:\n      url: postgres://x@127.0.0.1:5432/none\nsteps:\n  - id: show\n    kind: shell\n    command: [\"echo\", \"${vars.p}${targets.db.url}\"]\n",
    );
    let validate = case.run(&["validate", "dollar.yaml"]);
    assert_eq!(validate.code, 2, "{}", validate.all_output());
    assert!(
        validate.stderr.contains("dollar.yaml:13:33: a '$' from the value before ${targets.db.url} would make the engine read it as the escape $${"),
        "{}",
        validate.all_output()
    );
}

/// Three runbooks around one container: start it; copy through a symlink (refused); copy
/// through it with `follow_symlinks: true`, look at the copy, remove the container.
fn symlink_runbooks(scene: &crate::docker::harness::Scene, link: &Path) -> [String; 3] {
    let head = format!(
        "version: 1\nname: limits2-symlink\nvars:\n  file: {file}\ntargets:\n  box:\n    container: {container}\nsteps:\n",
        file = link.display(),
        container = scene.name("box"),
    );
    let start = format!(
        "{head}  - id: start\n    kind: container_start\n    target: box\n    image: ${{env.POSTGRES_IMAGE}}\n    env: {{ POSTGRES_PASSWORD: \"${{env.POSTGRES_PASSWORD}}\" }}\n    labels: {labels}\n",
        labels = scene.labels_yaml(),
    );
    let copy = format!(
        "{head}  - id: copy\n    kind: copy_to_container\n    target: box\n    path: ${{vars.file}}\n    to: /tmp/copied\n"
    );
    let follow = format!(
        "{head}  - id: before\n    kind: container_exec\n    target: box\n    command: [\"sh\", \"-c\", \"test -e /tmp/copied && echo PRESENT || echo ABSENT\"]\n  - id: copy\n    kind: copy_to_container\n    target: box\n    path: ${{vars.file}}\n    to: /tmp/copied\n    follow_symlinks: true\n    mode: \"0600\"\n  - id: after\n    kind: container_exec\n    target: box\n    command: [\"sh\", \"-c\", \"stat -c '%a' /tmp/copied; cat /tmp/copied\"]\n  - id: remove\n    kind: container_remove\n    target: box\n    force: true\n    volumes: true\n"
    );
    [start, copy, follow]
}

#[test]
fn copy_to_container_refuses_a_symlink_unless_told_and_then_records_the_real_path() {
    use crate::docker::harness::{Scene, exec_stdout, set_mode};
    let Some(scene) = Scene::start("limits2-symlink") else {
        return;
    };
    let secret = scene.write(
        "shadow",
        &format!("root:$6$not-for-copying:{}\n", scene.label()),
    );
    set_mode(&secret, 0o600);
    let link = scene.scratch.path().join("dump.sql");
    std::os::unix::fs::symlink(&secret, &link).expect("symlink");
    let [start, copy, follow] = symlink_runbooks(&scene, &link);

    let run = scene.runbook(&["run", scene.write("start.yaml", &start).to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all_output());

    let copy_rb = scene.write("copy.yaml", &copy);
    let refusal = format!(
        "{} is reached through a symbolic link to {}: the copy would be of what the link points to, under the link's name; name the file itself, or set follow_symlinks: true on the step",
        link.display(),
        secret.display()
    );
    let validate = scene.runbook(&["validate", copy_rb.to_str().unwrap()]);
    assert_eq!(validate.code, 2, "{}", validate.all_output());
    assert!(
        validate
            .stderr
            .contains(&format!("{}:9:5: {refusal}", copy_rb.display())),
        "{}",
        validate.all_output()
    );
    for mode in ["check", "run"] {
        let out = scene.runbook(&[mode, copy_rb.to_str().unwrap()]);
        assert_ne!(out.code, 0, "{mode}: {}", out.all_output());
        assert!(
            out.all_output().contains(&refusal),
            "{mode}: {}",
            out.all_output()
        );
    }

    let run = scene.runbook(&["run", scene.write("follow.yaml", &follow).to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    // The refused runs copied nothing.
    assert_eq!(exec_stdout(&step_log(&dir, "01-before")).trim(), "ABSENT");
    let after = exec_stdout(&step_log(&dir, "03-after"));
    assert!(
        after.starts_with("600\nroot:$6$not-for-copying:"),
        "{after}"
    );
    let copied = step_result(&dir, "02-copy");
    let real = std::fs::canonicalize(&secret).expect("canonicalize");
    let digest = sha256_hex(&std::fs::read(&secret).expect("read"));
    assert_eq!(copied["details"]["real_path"], real.display().to_string());
    assert_eq!(copied["details"]["path"], link.display().to_string());
    assert_eq!(copied["details"]["sha256"], digest);
    assert!(
        step_log(&dir, "02-copy").contains(&format!("its real path is {}", real.display())),
        "{}",
        step_log(&dir, "02-copy")
    );
    assert!(
        std::fs::read_to_string(dir.join("run.json"))
            .expect("run.json")
            .contains(&real.display().to_string())
            || copied
                .to_string()
                .contains(&format!("\"path\":\"{}\"", real.display())),
        "the inputs name the real path: {copied:#}"
    );
    assert!(scene.container(&scene.name("box")).is_none());
    scene.finish();
}

#[test]
fn an_escaped_target_reference_reaches_a_new_container_s_environment_with_one_dollar() {
    use crate::docker::harness::{Scene, exec_stdout};
    let Some(scene) = Scene::start("limits2-env-escape") else {
        return;
    };
    let runbook = format!(
        "version: 1\nname: limits2-env-escape\nvars:\n  a: \"lit $${{targets.x.url}}\"\n  b: \"${{vars.a}}\"\ntargets:\n  box:\n    container: {container}\nsteps:\n  - id: start\n    kind: container_start\n    target: box\n    image: ${{env.POSTGRES_IMAGE}}\n    env: {{ POSTGRES_PASSWORD: \"${{env.POSTGRES_PASSWORD}}\", VIA_VARS: \"${{vars.b}}\", DIRECT: \"direct $${{targets.x.url}}\" }}\n    labels: {labels}\n  - id: show\n    kind: container_exec\n    target: box\n    command: [\"sh\", \"-c\", \"printf '%s|%s' \\\"$VIA_VARS\\\" \\\"$DIRECT\\\"\"]\n  - id: remove\n    kind: container_remove\n    target: box\n    force: true\n    volumes: true\n",
        container = scene.name("box"),
        labels = scene.labels_yaml(),
    );
    let run = scene.runbook(&["run", scene.write("rb.yaml", &runbook).to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scene.scratch.path());
    assert_eq!(
        exec_stdout(&step_log(&dir, "02-show")),
        "lit ${targets.x.url}|direct ${targets.x.url}"
    );
    scene.finish();
}

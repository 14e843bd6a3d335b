//! Inputs that hurt, and passwords that come from where libpq finds them (issue 7, items 4,
//! 6 and 7): a password given only in `PGPASSWORD` is a secret like any other; a password file
//! (`PGPASSFILE`, `~/.pgpass`) and a service file are honoured with libpq's rules (a password
//! file others can read is ignored with libpq's warning); a `.sql` full of NUL bytes is refused
//! at once with its position by `validate`, `check` and `run`; an endless statement is an error
//! at its start with the memory of the process bounded; a COPY block cut off at end of file
//! fails and keeps none of its rows.
//!
//! The shared test cluster trusts local connections, so the password tests start a private
//! cluster that asks for a password over TCP (scram-sha-256): there, connecting at all proves
//! the password was found.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use runbook_postgres::ephemeral::{EphemeralCluster, EphemeralOptions};

use crate::contract::case::{Case, dedent};
use crate::support::*;

/// A value nobody would write by accident, so finding it anywhere means it leaked.
fn distinctive(label: &str) -> String {
    format!("{label}-{}-{}", std::process::id(), label.len() * 7919)
}

/// `runbook ARGS...` in `dir` with exactly the libpq variables given: the test process's own
/// `PGPASSWORD`, `PGPASSFILE`, `PGSERVICE`... must not decide the outcome.
fn runbook_clean_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Invocation {
    let mut command = Command::new(runbook_bin());
    command.current_dir(dir).args(args).env("NO_COLOR", "1");
    for var in [
        "PGPASSWORD",
        "PGPASSFILE",
        "PGSERVICE",
        "PGSERVICEFILE",
        "PGSYSCONFDIR",
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGDATABASE",
    ] {
        command.env_remove(var);
    }
    command.env("HOME", dir);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run the runbook binary").into()
}

fn assert_secret_nowhere(result: &Invocation, dir: &Path, secret: &str, what: &str) {
    assert!(
        !result.all_output().contains(secret),
        "{what} was printed on the terminal:\n{}",
        result.all_output()
    );
    assert!(
        !all_evidence_text(dir).contains(secret),
        "{what} leaked into the evidence"
    );
}

#[test]
fn a_password_given_only_in_pgpassword_appears_nowhere() {
    let case = Case::new("e2e_hostile_pgpassword");
    let secret = distinctive("Env-Only-Pa55");
    case.runbook(
        "pgpassword-only",
        "",
        r#"
        - id: child-sees-it
          kind: shell
          shell: true
          command: echo "child has $PGPASSWORD"; env | grep '^PGPASSWORD='
        - id: server-echoes-it
          kind: shell
          shell: true
          command: psql -X -w -At "${targets.db.url}" -c "SELECT '$E2E_PLAIN'::int" 2>&1; true
        "#,
    );
    let url = format!("url={}", case.db.url);
    // E2E_PLAIN holds the same value under a name that is not secret-looking: only knowing
    // PGPASSWORD's value lets the redactor catch it in the server's error message.
    let result = runbook_clean_env(
        case.path(),
        &[
            "run",
            "rb.yaml",
            "--verbose",
            "--evidence-dir",
            "ev",
            "--var",
            &url,
        ],
        &[("PGPASSWORD", &secret), ("E2E_PLAIN", &secret)],
    );
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());
    let log = step_log(&dir, "01-child-sees-it");
    assert!(log.contains("child has ****"), "{log}");
    assert_secret_nowhere(&result, &dir, &secret, "PGPASSWORD");
}

/// A private cluster whose `postgres` role needs `password` over TCP.
fn password_cluster(password: &str) -> EphemeralCluster {
    EphemeralCluster::start(EphemeralOptions {
        password: Some(password.to_owned()),
        ..EphemeralOptions::default()
    })
    .unwrap_or_else(|e| panic!("cannot start a private cluster: {e}"))
}

fn gate_runbook(url: &str) -> String {
    dedent(&format!(
        r#"
        version: 1
        name: passfile
        targets:
          db:
            postgres:
              url: "{url}"
        steps:
          - id: gate
            kind: gate
            target: db
            checks:
              - name: connected as
                query: SELECT current_user
                expect: {{ equals: postgres }}
          - id: child
            kind: shell
            shell: true
            command: printf %s "$PGPASSWORD" | sha256sum; echo "${{targets.db.url}}"
        "#
    ))
}

#[test]
fn a_password_file_connects_and_one_others_can_read_is_ignored_with_libpqs_warning() {
    let password = distinctive("Passfile-Pa55:x");
    let cluster = password_cluster(&password);
    let port = cluster.port();
    let scratch = Scratch::new();
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable");
    scratch.write("rb.yaml", gate_runbook(&url));
    // `\:` escapes the colon in the password, as libpq reads it; a wildcard line comes later.
    let escaped = password.replace(':', "\\:");
    let passfile = scratch.write(
        "secrets/pgpass",
        format!("# restore host\nother.example:5432:*:*:wrong\n127.0.0.1:{port}:*:postgres:{escaped}\n*:*:*:*:also-wrong\n"),
    );
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let passfile_env = passfile.display().to_string();
    let env = [("PGPASSFILE", passfile_env.as_str())];
    let args = ["run", "rb.yaml", "--evidence-dir", "ev"];

    let result = runbook_clean_env(scratch.path(), &args, &env);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(scratch.path());
    let child = step_log(&dir, "02-child");
    assert!(
        child.contains(&sha256_hex(password.as_bytes())),
        "the password file's password did not reach the child in PGPASSWORD:\n{child}"
    );
    for secret in [&password, &"also-wrong".to_owned()] {
        assert_secret_nowhere(&result, &dir, secret, "a password of the password file");
    }

    // ~/.pgpass is the default (HOME is the scratch dir), with the same rules.
    std::fs::copy(&passfile, scratch.path().join(".pgpass")).unwrap();
    std::fs::set_permissions(
        scratch.path().join(".pgpass"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let result = runbook_clean_env(scratch.path(), &args, &[]);
    assert_eq!(result.code, 0, "{}", result.all_output());

    // Readable by others: ignored with libpq's warning, so the server refuses the login.
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::remove_file(scratch.path().join(".pgpass")).unwrap();
    let result = runbook_clean_env(scratch.path(), &args, &env);
    assert_no_panic(&result);
    assert_ne!(result.code, 0, "{}", result.all_output());
    let warning = format!(
        "WARNING: password file \"{passfile_env}\" has group or world access; permissions should be u=rw (0600) or less"
    );
    assert!(
        result.stderr.contains(&warning),
        "expected {warning:?} on stderr:\n{}",
        result.all_output()
    );
    assert!(
        !result.all_output().contains(&password),
        "{}",
        result.all_output()
    );

    // A wrong password from the file: the refusal says where it came from, as libpq does.
    let wrong = distinctive("Wrong-Pa55");
    std::fs::write(&passfile, format!("*:*:*:*:{wrong}\n")).unwrap();
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let result = runbook_clean_env(scratch.path(), &args, &env);
    assert_ne!(result.code, 0, "{}", result.all_output());
    let hint = format!("(password retrieved from file \"{passfile_env}\")");
    assert!(
        result.stdout.contains(&hint),
        "expected {hint:?}:\n{}",
        result.all_output()
    );
    assert!(
        !result.all_output().contains(&wrong),
        "{}",
        result.all_output()
    );
}

#[test]
fn a_service_file_names_the_server_and_its_password() {
    let password = distinctive("Service-Pa55");
    let cluster = password_cluster(&password);
    let port = cluster.port();
    let scratch = Scratch::new();
    scratch.write(
        "rb.yaml",
        gate_runbook("postgres:///?service=restore&sslmode=disable"),
    );
    let service_file = scratch.write(
        "pg_service.conf",
        format!(
            "# services\n[other]\nhost=nowhere.example\n\n[restore]\nhost=127.0.0.1\nport={port}\nuser=postgres\ndbname=postgres\npassword={password}\n"
        ),
    );
    let service_env = service_file.display().to_string();
    let args = ["run", "rb.yaml", "--evidence-dir", "ev"];
    let result = runbook_clean_env(
        scratch.path(),
        &args,
        &[("PGSERVICEFILE", service_env.as_str())],
    );
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(scratch.path());
    assert_secret_nowhere(&result, &dir, &password, "the service file's password");

    // PGSERVICE names the service when the URL does not; a missing service is a clear error.
    scratch.write(
        "rb.yaml",
        gate_runbook("postgres:///postgres?sslmode=disable"),
    );
    let result = runbook_clean_env(
        scratch.path(),
        &args,
        &[
            ("PGSERVICEFILE", service_env.as_str()),
            ("PGSERVICE", "restore"),
        ],
    );
    assert_eq!(result.code, 0, "{}", result.all_output());
    let result = runbook_clean_env(
        scratch.path(),
        &args,
        &[
            ("PGSERVICEFILE", service_env.as_str()),
            ("PGSERVICE", "absent"),
            ("PGSYSCONFDIR", "/nonexistent"),
        ],
    );
    assert_ne!(result.code, 0, "{}", result.all_output());
    assert!(
        result
            .all_output()
            .contains("definition of service \"absent\" not found"),
        "{}",
        result.all_output()
    );
}

#[test]
fn a_file_of_nul_bytes_is_refused_at_once_with_its_position_by_validate_check_and_run() {
    let case = Case::new("e2e_hostile_nul");
    case.runbook(
        "nul-file",
        "",
        "
        - id: before
          kind: sql
          target: db
          text: CREATE TABLE marker (x int);
        - id: load
          kind: sql_file
          target: db
          path: zeros.sql
        ",
    );
    // 500 MB of NUL bytes after one good statement (sparse: nothing is written to disk).
    let path = case.scratch.write("zeros.sql", "SELECT 1;\n");
    make_sparse(&path, 500_000_000);
    let expected = "zeros.sql:2:1: NUL byte: this is not a SQL script";
    for command in ["validate", "check", "run"] {
        let started = Instant::now();
        let result = case.run(&[command, "rb.yaml"]);
        let took = started.elapsed();
        assert_no_panic(&result);
        assert_ne!(result.code, 0, "{command}: {}", result.all_output());
        assert!(
            result.all_output().contains(expected),
            "{command}: expected {expected:?} in:\n{}",
            result.all_output()
        );
        assert!(
            took < Duration::from_secs(10),
            "{command} took {took:?}: the file was read whole"
        );
    }
    // `run` ran the step before the load, and the load sent nothing of the file.
    assert_eq!(case.sql("SELECT to_regclass('marker') IS NOT NULL"), "t");
}

/// Runs `runbook ARGS` and samples the peak resident memory (VmHWM) of the process until it
/// ends: (invocation, peak in KiB).
fn run_measuring_memory(case: &Case, args: &[&str]) -> (Invocation, u64) {
    let child = case.spawn(args);
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let sampler = std::thread::spawn(move || {
        while let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kib) = text
                .split('\n')
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kib);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    let result = finish(child);
    (result, sampler.join().unwrap())
}

#[test]
fn an_endless_statement_is_an_error_at_its_start_with_memory_bounded() {
    let case = Case::new("e2e_hostile_endless");
    case.runbook(
        "endless",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: endless.sql
          max_statement_bytes: 1048576
        ",
    );
    // 128 MB that never ends its INSERT: read whole, it would take more than 128 MB of memory.
    let mut text = String::from("CREATE TABLE t (x int);\n  INSERT INTO t VALUES\n");
    let row = "(1),\n";
    text.reserve(128 << 20);
    while text.len() < 128 << 20 {
        text.push_str(row);
    }
    case.scratch.write("endless.sql", &text);
    drop(text);
    let (result, peak_kib) = run_measuring_memory(&case, &["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains(
            "endless.sql:2:3: statement longer than 1048576 bytes (max_statement_bytes) starts here"
        ),
        "{}",
        result.stdout
    );
    assert!(
        peak_kib < 64 * 1024,
        "peak memory {peak_kib} KiB for a 1 MiB statement limit"
    );
    // The statement before it ran, the endless one did not.
    assert_eq!(case.sql("SELECT count(*) FROM t"), "0");
}

#[test]
fn a_copy_cut_off_at_end_of_file_fails_the_step_and_keeps_no_rows() {
    let case = Case::new("e2e_hostile_truncated");
    case.runbook(
        "truncated",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: dump.sql
        ",
    );
    case.scratch.write(
        "dump.sql",
        "CREATE TABLE public.t (id int, name text);\nCOPY public.t (id, name) FROM stdin;\n1\tone\n2\ttwo\n3\tth",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains(
            "COPY data for table public.t (dump.sql:2) ended at end of file without \\. : the file looks truncated"
        ),
        "{}",
        result.stdout
    );
    assert_eq!(case.sql("SELECT count(*) FROM public.t"), "0");
    // `check` and `validate` say so before anything runs.
    for command in ["validate", "check"] {
        let result = case.run(&[command, "rb.yaml"]);
        assert_ne!(result.code, 0, "{command}: {}", result.all_output());
        assert!(
            result.all_output().contains("dump.sql:5:5: COPY data for table public.t (line 2) ended at end of file without \\. : the file looks truncated"),
            "{command}: {}",
            result.all_output()
        );
    }
    // A dump cut off inside its last statement: psql would run `DELETE FROM public.t2` (all
    // rows) where the file meant `DELETE FROM public.t2 WHERE id = 1;`.
    sql_exec(
        &case.db.spec,
        "CREATE TABLE public.t2 (id int); INSERT INTO public.t2 VALUES (1), (2);",
    );
    case.scratch
        .write("dump.sql", "SELECT 1;\nDELETE FROM public.t2");
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains("dump.sql:2:1: the last statement ends at end of file without ';': the file looks truncated"),
        "{}",
        result.stdout
    );
    assert_eq!(case.sql("SELECT count(*) FROM public.t2"), "2");
    sql_exec(&case.db.spec, "DROP TABLE public.t2;");
    // A dump whose last line is `\.` without a newline is complete.
    case.scratch.write(
        "dump.sql",
        "CREATE TABLE public.t2 (id int);\nCOPY public.t2 (id) FROM stdin;\n1\n2\n\\.",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_eq!(result.code, 0, "{}", result.all_output());
    assert_eq!(case.sql("SELECT count(*) FROM public.t2"), "2");
}

#[test]
fn via_container_refuses_what_the_client_loader_refuses_before_touching_the_container() {
    // psql in the container would load the rows of the cut-off COPY; the file is read here
    // first. The container does not even exist: nothing is copied anywhere.
    let case = Case::new("e2e_hostile_via_container");
    let text = crate::contract::case::runbook_text(
        "via-container",
        "container: runbook-e2e-no-such-container",
        "
        - id: load
          kind: sql_file
          target: db
          via: container
          path: dump.sql
        ",
    );
    case.scratch.write("rb.yaml", text);
    case.scratch.write(
        "dump.sql",
        "CREATE TABLE public.t (id int);\nCOPY public.t (id) FROM stdin;\n1\n2\n",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains(
            "dump.sql:5:1: COPY data for table public.t (line 2) ended at end of file without \\. : the file looks truncated"
        ),
        "{}",
        result.stdout
    );
    assert!(
        !result.all_output().contains("copied"),
        "{}",
        result.all_output()
    );
    assert_eq!(case.sql("SELECT to_regclass('public.t') IS NULL"), "t");
}

#[test]
fn via_container_a_scripts_variables_never_reach_psqls_command_line() {
    // `psql -v app_password=...` would show the password to every process in the container
    // and in the exec's record; the variables go in a private file of \set lines instead.
    let Some(scene) = crate::docker::harness::Scene::start("vars-off-the-command-line") else {
        return;
    };
    let secret = distinctive("Var-It's-\\Secret");
    let digest = {
        let out = Command::new("sh")
            .args(["-c", "printf %s \"$V\" | md5sum"])
            .env("V", &secret)
            .output()
            .expect("md5sum");
        String::from_utf8_lossy(&out.stdout)[..32].to_owned()
    };
    scene.write(
        "vars.sql",
        "CREATE TABLE pw_check AS SELECT md5(:'app_password') AS h, :'plain' AS p;\n",
    );
    let text = format!(
        r#"version: 1
name: vars-off-the-command-line
vars:
  app_password: unset
targets:
  db:
    postgres:
      url: postgres://postgres@127.0.0.1/postgres
      password_env: POSTGRES_PASSWORD
    container: {container}
steps:
  - id: start-db
    kind: container_start
    target: db
    image: ${{env.POSTGRES_IMAGE}}
    env: {{ POSTGRES_PASSWORD: "${{env.POSTGRES_PASSWORD}}" }}
    ports: ["127.0.0.1:0:5432"]
    labels: {labels}
    wait: 90s
  - id: load
    kind: sql_file
    target: db
    via: container
    path: vars.sql
    variables: {{ plain: "two words" }}
  - id: gate
    kind: gate
    target: db
    checks:
      - name: the variables arrived intact
        query: SELECT h || ' ' || p FROM pw_check
        expect: {{ equals: "{digest} two words" }}
  - id: remove-db
    kind: container_remove
    target: db
    force: true
    volumes: true
"#,
        container = scene.name("db"),
        labels = scene.labels_yaml(),
    );
    scene.write("rb.yaml", &text);
    let var = format!("app_password={secret}");
    let result = scene.runbook(&["run", "rb.yaml", "--var", &var]);
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(scene.scratch.path());
    let log = step_log(&dir, "02-load");
    let command = log
        .split('\n')
        .find(|l| l.starts_with("$ docker exec"))
        .unwrap_or_else(|| panic!("no command line in:\n{log}"));
    assert!(
        !command.contains("app_password") && !command.contains("plain="),
        "variables on psql's command line: {command}"
    );
    assert_secret_nowhere(&result, &dir, &secret, "the variable's password");
    scene.finish();
}

#[test]
fn a_dump_cut_off_inside_a_quote_fails_even_with_on_error_continue() {
    // With on_error: continue (psql's own default) the cut-off statement used to be one error
    // among others and the step passed: a truncated restore reported as a good one.
    let case = Case::new("e2e_hostile_cut_in_quote");
    case.runbook(
        "cut-in-quote",
        "",
        "
        - id: load
          kind: sql_file
          target: db
          path: dump.sql
          on_error: continue
        ",
    );
    case.scratch.write(
        "dump.sql",
        "CREATE TABLE t (x text);\nINSERT INTO t VALUES ('kept');\nINSERT INTO t VALUES ('cut off",
    );
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 1, "{}", result.all_output());
    assert!(
        result.stdout.contains(
            "dump.sql:3:23: quoted string '...' is never closed (the input ends inside it)"
        ),
        "{}",
        result.stdout
    );
    assert_eq!(case.sql("SELECT count(*) FROM t"), "1");
}

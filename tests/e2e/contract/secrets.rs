//! Secrets and dump contents never enter evidence: the password of a `password_env` target, a
//! password given with `--var`, a password written into a URL, and the rows of a loaded dump
//! appear in no file of the evidence directory, although every one of them was used. Input
//! files are recorded by path, size and sha256.
//!
//! The test cluster trusts local connections, so "the password was used" cannot be shown by a
//! login that fails without it. Instead a shell step proves the password reached it
//! (`PGPASSWORD`, by digest), and the assertions are independent of `pg_hba.conf`.

use crate::contract::case::Case;
use crate::support::*;

/// A value nobody would write by accident, so finding it anywhere means it leaked.
fn distinctive(label: &str) -> String {
    format!("{label}-{}-{}", std::process::id(), label.len() * 7919)
}

/// Drops the test's login role again, whatever happened.
struct RoleGuard<'a> {
    case: &'a Case,
    role: String,
}

impl Drop for RoleGuard<'_> {
    fn drop(&mut self) {
        let role = &self.role;
        let _ = runbook_testkit::postgres::psql(&self.case.db.spec)
            .args(["-c", &format!("DROP OWNED BY {role} CASCADE")])
            .output();
        let _ = runbook_testkit::postgres::psql(runbook_testkit::postgres::server())
            .args(["-c", &format!("DROP ROLE IF EXISTS {role}")])
            .output();
    }
}

#[test]
fn passwords_and_dump_rows_appear_nowhere_in_the_evidence() {
    let case = Case::new("e2e_secrets");
    let db_password = distinctive("Db-Pa55word");
    let var_password = distinctive("Var-Pa55word");
    let url_password = distinctive("Url-Pa55word");
    let patient = distinctive("PATIENT-YAMADA-TARO");
    let role = format!("e2e_secret_role_{}", std::process::id());
    sql_exec(
        runbook_testkit::postgres::server(),
        &format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{db_password}'"
        ),
    );
    let _role = RoleGuard {
        case: &case,
        role: role.clone(),
    };

    let dump = format!(
        "CREATE TABLE d_patient (id int PRIMARY KEY, name text);\n\
         COPY d_patient (id, name) FROM stdin;\n\
         1\t{patient}\n\
         \\.\n"
    );
    case.scratch.write("dump.sql", &dump);
    // host:port of the test cluster, from the test database's URL.
    let hostport = case
        .db
        .url
        .split_once('@')
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(hp, _)| hp.to_owned())
        .expect("host:port");
    let db = &case.db.name;
    let text = format!(
        "version: 1
name: secrets
vars:
  app_password: unset
  mirror: unset
targets:
  db:
    postgres:
      url: postgres://{role}@{hostport}/{db}?sslmode=disable
      password_env: E2E_DB_PASSWORD
  mirror:
    postgres:
      url: ${{vars.mirror}}
steps:
  - id: load
    kind: sql_file
    target: db
    path: dump.sql
  - id: app-role
    kind: sql
    target: db
    text: |
      CREATE ROLE e2e_app_{pid} PASSWORD :'app_password';
      DROP ROLE e2e_app_{pid};
  - id: password-reaches-child
    kind: shell
    shell: true
    command: printf %s \"$PGPASSWORD\" | sha256sum; echo url=${{targets.db.url}}
  - id: mirror-url
    kind: shell
    command: [echo, \"${{targets.mirror.url}}\"]
  - id: gate
    kind: gate
    target: mirror
    checks:
      - name: patient loaded
        query: SELECT count(*) FROM d_patient
        expect: {{ equals: 1 }}
",
        pid = std::process::id()
    );
    case.scratch.write("rb.yaml", text);
    let mirror = format!("mirror=postgres://{role}:{url_password}@{hostport}/{db}?sslmode=disable");
    let app = format!("app_password={var_password}");
    let result = case.scratch.runbook_with_env(
        &["run", "rb.yaml", "--var", &app, "--var", &mirror],
        &[("E2E_DB_PASSWORD", &db_password)],
    );
    assert_no_panic(&result);
    assert_eq!(result.code, 0, "{}", result.all_output());
    let dir = result.evidence_dir(case.path());

    // Everything was used: the dump was loaded, and the child got the password.
    assert_eq!(case.sql("SELECT name FROM d_patient"), patient);
    let child = step_log(&dir, "03-password-reaches-child");
    assert!(
        child.contains(&sha256_hex(db_password.as_bytes())),
        "PGPASSWORD did not reach the command:\n{child}"
    );
    assert!(
        child.contains(&format!("url=postgres://{role}@{hostport}/{db}")),
        "{child}"
    );

    let evidence = all_evidence_text(&dir);
    for (what, secret) in [
        ("the password_env password", &db_password),
        ("the --var password", &var_password),
        ("the password in a URL", &url_password),
        ("a COPY row of the dump", &patient),
    ] {
        assert!(
            !evidence.contains(secret.as_str()),
            "{what} leaked into the evidence"
        );
        assert!(
            !result.all_output().contains(secret.as_str()),
            "{what} was printed on the terminal"
        );
    }

    // Input files are recorded by path, size and digest.
    let load = step_result(&dir, "01-load");
    assert_eq!(
        load["inputs"],
        serde_json::json!([{ "path": "dump.sql", "size": dump.len(), "sha256": sha256_hex(dump.as_bytes()) }])
    );
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "{text}");
}

#[test]
fn a_password_env_variable_that_is_not_set_blocks_the_run() {
    let case = Case::new("e2e_secrets_unset");
    let text = crate::contract::case::runbook_text(
        "secrets-unset",
        "",
        "
        - id: gate
          kind: gate
          target: db
          checks:
            - name: answers
              query: SELECT 1
        ",
    )
    .replace(
        "url: ${vars.url}\n",
        "url: ${vars.url}\n      password_env: E2E_SURELY_UNSET_PASSWORD\n",
    );
    case.scratch.write("rb.yaml", text);
    let result = case.run(&["run", "rb.yaml"]);
    assert_no_panic(&result);
    assert_eq!(result.code, 3, "{}", result.all_output());
    assert!(
        result.stdout.contains("step 'gate' (gate): blocked: target 'db': password_env E2E_SURELY_UNSET_PASSWORD is not set in the environment"),
        "{}",
        result.stdout
    );
    assert_eq!(
        run_record(&result.evidence_dir(case.path()))["status"],
        "blocked"
    );
}

#[test]
fn a_failing_statement_shows_no_password_on_the_terminal_or_in_the_evidence() {
    let case = Case::new("e2e_secrets_failing");
    let password = distinctive("Role-Pa55word");
    let text = crate::contract::case::runbook_text(
        "secrets-failing",
        "",
        "
        - id: app-role
          kind: sql
          target: db
          text: CREATE ROLE e2e_never PASSWORD :'app_password' NOSUCHOPTION;
        ",
    )
    .replace("vars:\n", "vars:\n  app_password: unset\n");
    case.scratch.write("rb.yaml", text);
    let app = format!("app_password={password}");
    for verbosity in [None, Some("--verbose")] {
        let mut args = vec!["run", "rb.yaml", "--var", &app];
        args.extend(verbosity);
        let result = case.run(&args);
        assert_eq!(result.code, 1, "{}", result.all_output());
        assert!(
            result
                .stdout
                .contains("LINE 1: CREATE ROLE e2e_never PASSWORD '****' NOSUCHOPTION;"),
            "the caret excerpt should still be shown, masked:\n{}",
            result.stdout
        );
        assert!(
            !result.all_output().contains(&password),
            "the password was printed on the terminal ({verbosity:?}):\n{}",
            result.all_output()
        );
        let dir = result.evidence_dir(case.path());
        assert!(
            !all_evidence_text(&dir).contains(&password),
            "the password leaked into the evidence"
        );
    }
}

#[test]
fn an_ephemeral_cluster_lets_only_its_run_in_over_tcp() {
    // A throwaway cluster holds the restored (patient) data while the run lasts: over TCP it
    // asks for a password that only this run knows (and passes to children in PGPASSWORD).
    let scratch = Scratch::new();
    scratch.write(
        "rb.yaml",
        crate::contract::case::dedent(
            r#"
            version: 1
            name: ephemeral-auth
            targets:
              scratch:
                postgres: { ephemeral: true }
            steps:
              - id: with-password
                kind: shell
                command: ["psql", "-X", "-w", "-At", "${targets.scratch.url}", "-c", "SELECT current_user"]
              - id: without-password
                kind: shell
                shell: true
                command: unset PGPASSWORD; psql -X -w -At '${targets.scratch.url}' -c 'SELECT 1'
                allow_exit_codes: [2]
            "#,
        ),
    );
    let run = scratch.runbook(&["run", "rb.yaml"]);
    assert_eq!(run.code, 0, "{}", run.all_output());
    let dir = run.evidence_dir(scratch.path());
    assert!(
        step_log(&dir, "01-with-password").contains("[stdout] postgres"),
        "{}",
        step_log(&dir, "01-with-password")
    );
    assert!(
        step_log(&dir, "02-without-password").contains("no password supplied"),
        "{}",
        step_log(&dir, "02-without-password")
    );
}

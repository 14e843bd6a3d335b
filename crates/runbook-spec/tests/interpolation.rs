//! `${...}`: env with and without defaults, vars chains, `--var` overrides, escapes, target
//! references left for the engine, SQL safety, and the secrets the engine must redact.

use std::collections::BTreeMap;

use runbook_spec::{CheckKind, Command, StepKind, expand_target_refs};

use crate::support::{fixture_env, parse_err, parse_err_with, parse_ok, parse_with, with_steps};

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const VARS: &str = "version: 1
name: t
vars:
  db: ${env.POSTGRES_DB:-opendolphin}
  user: ${env.POSTGRES_USER:-opendolphin}
  url: postgres://${vars.user}@localhost/${vars.db}
steps:
  - id: s
    kind: shell
    command: [echo, \"${vars.url}\"]
";

#[test]
fn env_defaults_apply_when_unset_or_empty_like_the_shell() {
    let runbook = parse_with(
        VARS,
        &env(&[("POSTGRES_DB", "prod"), ("POSTGRES_USER", "")]),
        &[],
    )
    .unwrap();
    assert_eq!(runbook.vars["db"], "prod");
    assert_eq!(runbook.vars["user"], "opendolphin");
    assert_eq!(runbook.vars["url"], "postgres://opendolphin@localhost/prod");
}

#[test]
fn vars_chain_into_step_values() {
    let runbook = parse_with(VARS, &env(&[]), &[]).unwrap();
    let StepKind::Shell(shell) = &runbook.steps[0].kind else {
        panic!("shell step")
    };
    assert_eq!(
        shell.command,
        Command::Argv(vec![
            "echo".into(),
            "postgres://opendolphin@localhost/opendolphin".into()
        ])
    );
}

#[test]
fn var_overrides_replace_values_and_skip_their_expressions() {
    let text = VARS.replace("${env.POSTGRES_DB:-opendolphin}", "${env.NOT_SET}");
    let runbook = parse_with(&text, &env(&[]), &[("db", "staging")]).unwrap();
    assert_eq!(runbook.vars["db"], "staging");
    assert_eq!(
        runbook.vars["url"],
        "postgres://opendolphin@localhost/staging"
    );
}

#[test]
fn var_overrides_must_name_declared_vars() {
    assert_eq!(
        parse_err_with(VARS, &env(&[]), &[("dbb", "x"), ("db", "y")]),
        vec!["3:1: unknown var 'dbb' given with --var: the runbook declares db, user, url"]
    );
    let no_vars = "version: 1\nname: t\nsteps:\n  - id: s\n    kind: shell\n    command: [a]\n";
    assert_eq!(
        parse_err_with(no_vars, &env(&[]), &[("x", "1")]),
        vec!["1:1: unknown var 'x' given with --var: the runbook declares no vars"]
    );
}

#[test]
fn escapes_give_literal_dollar_braces() {
    let text = with_steps(
        "  - id: s\n    kind: shell\n    command: [sh, -c, \"echo $${HOME} $$ $5 $${targets.pg.url}\"]\n",
    );
    let runbook = parse_ok(&text);
    let StepKind::Shell(shell) = &runbook.steps[0].kind else {
        panic!("shell step")
    };
    let Command::Argv(argv) = &shell.command else {
        panic!("argv")
    };
    // `${targets.` stays escaped until the engine expands target references.
    assert_eq!(argv[2], "echo ${HOME} $$ $5 $${targets.pg.url}");
    let expanded = expand_target_refs(&argv[2], &|_, _| Some("postgres://x".into()));
    assert_eq!(expanded, "echo ${HOME} $$ $5 ${targets.pg.url}");
}

#[test]
fn target_urls_are_left_for_the_engine() {
    let text = with_steps(
        "  - id: s\n    kind: shell\n    command: [pg_dump, \"${targets.scratch.url}\"]\n",
    );
    let runbook = parse_ok(&text);
    let StepKind::Shell(shell) = &runbook.steps[0].kind else {
        panic!("shell step")
    };
    let Command::Argv(argv) = &shell.command else {
        panic!("argv")
    };
    assert_eq!(argv[1], "${targets.scratch.url}");
    let resolve = |target: &str, field: &str| {
        (target == "scratch" && field == "url")
            .then(|| "postgres://postgres@127.0.0.1:40001/postgres".to_owned())
    };
    assert_eq!(
        expand_target_refs(&argv[1], &resolve),
        "postgres://postgres@127.0.0.1:40001/postgres"
    );
}

#[test]
fn keys_are_not_interpolated() {
    let text = with_steps(
        "  - id: s\n    kind: shell\n    command: [env]\n    env: { \"${vars.db}\": \"${vars.db}\" }\n",
    );
    let runbook = parse_ok(&text);
    let StepKind::Shell(shell) = &runbook.steps[0].kind else {
        panic!("shell step")
    };
    assert_eq!(shell.env.get("${vars.db}").map(String::as_str), Some("app"));
}

#[test]
fn sql_text_records_references_and_where_they_are() {
    let text = with_steps(
        "  - id: q\n    kind: sql\n    target: pg\n    text: |\n      SELECT 1;\n      GRANT USAGE ON SCHEMA public TO ${vars.user};\n  - id: g\n    kind: gate\n    target: pg\n    checks:\n      - name: db name\n        query: SELECT current_database() = '${vars.db}'\n        expect: { equals: true }\n",
    );
    let runbook = parse_ok(&text);
    let StepKind::Sql(sql) = &runbook.steps[0].kind else {
        panic!("sql step")
    };
    assert_eq!(
        sql.text,
        "SELECT 1;\nGRANT USAGE ON SCHEMA public TO ops;\n"
    );
    assert_eq!(sql.references.len(), 1);
    assert_eq!(sql.references[0].reference, "${vars.user}");
    assert_eq!(
        (
            sql.references[0].position.line,
            sql.references[0].position.column
        ),
        (20, 39)
    );
    // Line 2 of the text is line 20 of the file.
    assert_eq!(sql.text_origin.position_of(2, 1).line, 20);
    let StepKind::Gate(gate) = &runbook.steps[1].kind else {
        panic!("gate step")
    };
    let CheckKind::Query {
        sql, references, ..
    } = &gate.checks[0].kind
    else {
        panic!("query")
    };
    assert_eq!(sql, "SELECT current_database() = 'app'");
    assert_eq!(references[0].reference, "${vars.db}");
}

#[test]
fn unsafe_values_are_refused_in_sql_text() {
    let text = with_steps("  - id: q\n    kind: sql\n    target: pg\n    text: SELECT * FROM t WHERE name = '${vars.who}'\n")
        .replace("  user: ops\n", "  user: ops\n  who: o'brien; DROP TABLE t\n");
    assert_eq!(
        parse_err(&text),
        vec![
            "19:41: cannot paste ${vars.who} into SQL text: its value has characters other than letters, digits, '_', '.', ':' and '-'; write :'who' (a literal) or :\"who\" (an identifier) instead, runbook vars are psql variables"
        ]
    );
}

#[test]
fn a_bad_reference_is_placed_at_itself_when_multibyte_text_follows_the_value() {
    // The search window for the reference could end inside a character of the Japanese comment
    // after the value; every alignment must still point at the reference, not the value.
    for pad in 0..3 {
        let text = format!(
            "version: 1\nname: t\nvars:\n  a: \"abc ${{vars.zz}}\"{}  # {}\nsteps:\n  - id: x\n    kind: shell\n    command: [echo]\n",
            " ".repeat(pad),
            "復旧手順".repeat(20)
        );
        assert_eq!(
            parse_err(&text),
            vec![
                "4:11: undefined reference ${vars.zz}: the runbook declares vars a (did you mean ${vars.a}?)"
            ],
            "pad {pad}"
        );
    }
}

#[test]
fn a_bad_reference_deep_in_an_indented_block_is_placed_at_itself() {
    // Sixty short lines indented far more than they are long: the source of the value is
    // several times longer than its text.
    let text = with_steps(&format!(
        "  - id: q\n    kind: sql\n    target: pg\n    text: |\n{}                  SELECT ${{vars.nope}};\n  - id: r\n    kind: sql\n    target: pg\n    text: SELECT ${{vars.nope}}\n",
        "                  x;\n".repeat(60)
    ));
    let errors = parse_err(&text);
    assert_eq!(
        errors
            .iter()
            .map(|e| e.split(": undefined").next().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["79:26", "83:18"],
        "{errors:?}"
    );
}

#[test]
fn secrets_are_recorded_for_redaction() {
    let text = "version: 1
name: t
vars:
  pw: ${env.POSTGRES_PASSWORD}
  token: ${env.API_TOKEN:-default-token}
  home: ${env.HOME}
  db_password: x
targets:
  pg:
    postgres: { url: \"postgres://u:inline-pw@h/db\", password_env: PGPASSWORD }
steps:
  - id: s
    kind: shell
    command: [a]
";
    let environment = env(&[
        ("POSTGRES_PASSWORD", "hunter2"),
        ("HOME", "/home/ops"),
        ("PGPASSWORD", "pg-secret"),
    ]);
    let runbook = parse_with(text, &environment, &[("db_password", "typed-on-cli")]).unwrap();
    assert_eq!(
        runbook.secrets(),
        vec![
            "default-token",
            "typed-on-cli",
            "inline-pw",
            "pg-secret",
            "hunter2"
        ]
    );
    assert!(!format!("{runbook:?}").contains("hunter2"));
}

#[test]
fn passwords_in_key_value_and_query_connection_strings_are_secrets() {
    let text = "version: 1
name: t
targets:
  kv:
    postgres: { url: \"host=db user=ops password='kv pw' dbname=app\" }
  query:
    postgres: { url: \"postgres://ops@db/app?password=q%40pw\" }
steps:
  - id: s
    kind: shell
    command: [a]
";
    let runbook = parse_with(text, &env(&[]), &[]).unwrap();
    assert_eq!(runbook.secrets(), vec!["q%40pw", "kv pw", "q@pw"]);
}

#[test]
fn passwords_written_into_step_environments_are_secrets() {
    let text = with_steps(
        "  - id: start
    kind: container_start
    target: pg
    image: postgres:15
    env: { POSTGRES_PASSWORD: literal-pw, POSTGRES_DB: app }
  - id: dump
    kind: shell
    command: [pg_dump]
    env: { API_TOKEN: \"${vars.db}-tok\", PGHOST: db }
",
    );
    assert_eq!(parse_ok(&text).secrets(), vec!["literal-pw", "app-tok"]);
}

#[test]
fn debug_of_steps_hides_environment_values() {
    let text = with_steps(
        "  - id: start
    kind: container_start
    target: pg
    image: postgres:15
    env: { POSTGRES_PASSWORD: \"${env.POSTGRES_PASSWORD}\" }
  - id: exec
    kind: container_exec
    target: pg
    command: [psql]
    env: { PGPASSWORD: \"${env.POSTGRES_PASSWORD}\" }
  - id: dump
    kind: shell
    command: [pg_dump]
    env: { PGPASSWORD: \"${env.POSTGRES_PASSWORD}\" }
",
    );
    let runbook = parse_ok(&text);
    for step in &runbook.steps {
        let shown = format!("{step:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("PASSWORD\": \"****\""), "{shown}");
    }
}

#[test]
fn fixture_env_is_what_the_ok_fixtures_assume() {
    assert!(fixture_env().contains_key("POSTGRES_PASSWORD"));
}

#[test]
fn run_and_output_references_stay_for_the_engine_and_their_escapes_are_undone_once() {
    let runbook = parse_ok(&with_steps(
        "  - id: dump
    kind: shell
    description: literal $${run.id} and $${steps.dump.outputs.x}
    command: [echo, \"${run.id}\", \"$${run.id}\"]
    produces: { backup: \"out/${run.started_utc}.dump\" }
  - id: use
    kind: shell
    command: [echo, \"${steps.dump.outputs.backup}\", \"${vars.db}\"]
",
    ));
    // Nowhere to expand a description: its escape is undone now.
    assert_eq!(
        runbook.steps[0].description.as_deref(),
        Some("literal ${run.id} and ${steps.dump.outputs.x}")
    );
    let StepKind::Shell(dump) = &runbook.steps[0].kind else {
        panic!("shell")
    };
    assert_eq!(
        dump.command,
        Command::Argv(vec!["echo".into(), "${run.id}".into(), "$${run.id}".into()])
    );
    assert_eq!(
        dump.produces["backup"].to_str(),
        Some("out/${run.started_utc}.dump")
    );
    assert_eq!(
        runbook.steps[0].kind.outputs(),
        vec!["stdout_last_line".to_owned(), "backup".to_owned()]
    );
    let StepKind::Shell(using) = &runbook.steps[1].kind else {
        panic!("shell")
    };
    assert_eq!(
        using.command,
        Command::Argv(vec![
            "echo".into(),
            "${steps.dump.outputs.backup}".into(),
            "app".into()
        ])
    );
    // The engine's expansion turns the escape into the literal text.
    let expanded = runbook_spec::expand_runtime_refs("${run.id} $${run.id}", &mut |r| match r {
        runbook_spec::RuntimeRef::Run { field: "id" } => Some("abc".to_owned()),
        _ => None,
    });
    assert_eq!(expanded, "abc ${run.id}");
}

#[test]
fn run_references_are_refused_where_their_value_could_be_code_or_is_never_expanded() {
    let errors = parse_err(&with_steps(
        "  - id: a
    kind: shell
    shell: true
    command: echo ${run.id} ${run.evidence_dir}
  - id: b
    kind: container_start
    name: box-${run.id}
    image: x
  - id: c
    kind: shell
    command: [echo]
    produces: { 9bad: out/x, stdout_last_line: out/y }
",
    ));
    let expected = [
        "18:29: cannot paste ${run.evidence_dir} into a command a shell runs",
        "21:15: ${run.id} cannot be used here: it is expanded only in",
        "26:17: invalid output name '9bad' in 'produces' of step 'c'",
        "26:30: output name 'stdout_last_line' in 'produces' of step 'c' is taken",
    ];
    for line in expected {
        assert!(
            errors.iter().any(|e| e.starts_with(line)),
            "{line}\nnot in {errors:#?}"
        );
    }
    // `${run.id}` (hex digits) may be pasted into shell code: no error at 18:19.
    assert!(
        !errors.iter().any(|e| e.starts_with("18:19")),
        "{errors:#?}"
    );
}

#[test]
fn a_waited_for_path_keeps_run_and_output_references_for_the_engine() {
    let runbook = parse_ok(&with_steps(
        "  - id: dump
    kind: shell
    command: [touch, out/x]
    produces: { marker: out/x }
  - id: wait
    kind: wait_until
    file_exists: \"${steps.dump.outputs.marker}.${run.id}.$${run.id}\"
",
    ));
    let StepKind::WaitUntil(wait) = &runbook.steps[1].kind else {
        panic!("wait_until")
    };
    // The escape stays too: the engine's expansion undoes it once.
    assert_eq!(
        wait.file_exists.as_deref().and_then(|p| p.to_str()),
        Some("${steps.dump.outputs.marker}.${run.id}.$${run.id}")
    );
    // And the reference is checked like any other: a later step's output is refused.
    let errors = parse_err(&with_steps(
        "  - id: wait
    kind: wait_until
    file_exists: \"${steps.dump.outputs.marker}\"
  - id: dump
    kind: shell
    command: [touch, out/x]
    produces: { marker: out/x }
",
    ));
    assert!(
        errors.iter().any(|e| e.contains(
            "${steps.dump.outputs.marker} in step 'wait' refers to step 'dump', which comes after it"
        )),
        "{errors:#?}"
    );
}

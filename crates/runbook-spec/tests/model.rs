//! Facts about the parsed model that the engine relies on: defaults, positions, containers
//! filled from targets, `when:`, file reading, CRLF and BOM handling.

use std::io::Write as _;
use std::path::Path;

use runbook_spec::{
    CheckKind, Connection, Duration, EmptyEnv, LoadError, OnError, ParseOptions, ResetTo, StepKind,
    Tail, Via, parse, parse_file,
};

use crate::support::{parse_err, parse_ok, with_steps};

fn contract_example() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ok/contract-example.yaml"),
    )
    .expect("fixture")
}

#[test]
fn contract_example_key_facts() {
    let runbook = parse_ok(&contract_example());
    assert_eq!(runbook.name, "opendolphin-legacy-baseline");
    assert_eq!(
        runbook.evidence.dir,
        Path::new("artifacts/parity-manual/db-restore")
    );
    let ids: Vec<&str> = runbook.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "secrets",
            "start-db",
            "reset-schema",
            "load-schema",
            "facility-sequence",
            "gate-db-restored",
            "exec-in-container",
            "export-baseline"
        ]
    );
    let legacy = &runbook.targets["legacy"];
    assert_eq!(
        legacy.postgres.as_ref().unwrap().connection(),
        Connection::Url {
            url: "postgres://opendolphin@127.0.0.1:5432/opendolphin",
            password_env: Some("POSTGRES_PASSWORD")
        }
    );
    assert_eq!(
        runbook.targets["scratch"]
            .postgres
            .as_ref()
            .unwrap()
            .connection(),
        Connection::Ephemeral
    );
    // The step starts at its first key; SQL text lines map to runbook lines.
    let reset = runbook.step("reset-schema").unwrap();
    assert_eq!((reset.position.line, reset.position.column), (42, 5));
    let StepKind::Sql(sql) = &reset.kind else {
        panic!("sql")
    };
    assert_eq!(sql.text_origin.position_of(2, 8).line, 47);
    assert_eq!(sql.text_origin.position_of(2, 8).column, 14);
    let StepKind::SequenceReset(seq) = &runbook.step("facility-sequence").unwrap().kind else {
        panic!("sequence")
    };
    assert!(
        matches!(&seq.to, ResetTo::MaxOf(m) if m.table.name == "d_facility" && m.column == "id")
    );
    let StepKind::Gate(gate) = &runbook.step("gate-db-restored").unwrap().kind else {
        panic!("gate")
    };
    assert_eq!(gate.checks.len(), 3);
    assert!(
        matches!(&gate.checks[1].kind, CheckKind::Query { expect: Some(e), .. } if e.min == Some(50.0))
    );
    // The abbreviated digest of the example is accepted with a warning.
    assert_eq!(runbook.warnings.len(), 1);
    assert_eq!(runbook.source, contract_example());
}

#[test]
fn defaults_are_filled_in() {
    let text = with_steps(
        "  - id: a\n    kind: container_start\n    target: pg\n    image: postgres:15\n  - id: b\n    kind: container_stop\n    target: pg\n  - id: c\n    kind: container_logs\n    container: other\n  - id: d\n    kind: sql_file\n    target: pg\n    path: x.sql\n  - id: e\n    kind: container_exec\n    target: docker\n    command: [ls]\n",
    );
    let runbook = parse_ok(&text);
    assert_eq!(runbook.evidence.dir, Path::new("artifacts/t"));
    let kinds: Vec<&StepKind> = runbook.steps.iter().map(|s| &s.kind).collect();
    let StepKind::ContainerStart(start) = kinds[0] else {
        panic!()
    };
    assert_eq!(
        (start.wait, start.name.as_deref()),
        (Duration::from_secs(60), Some("pg-1"))
    );
    let StepKind::ContainerStop(stop) = kinds[1] else {
        panic!()
    };
    assert_eq!(
        (stop.grace, stop.container.as_deref()),
        (Duration::from_secs(10), Some("pg-1"))
    );
    let StepKind::ContainerLogs(logs) = kinds[2] else {
        panic!()
    };
    assert_eq!(
        (logs.tail, logs.container.as_deref()),
        (Tail::Lines(100), Some("other"))
    );
    let StepKind::SqlFile(file) = kinds[3] else {
        panic!()
    };
    assert_eq!(
        (file.via, file.on_error, file.single_transaction),
        (Via::Client, OnError::Stop, false)
    );
    let StepKind::ContainerExec(exec) = kinds[4] else {
        panic!()
    };
    assert_eq!(
        (exec.allow_exit_codes.as_slice(), kinds[4].container()),
        (&[0][..], Some("box"))
    );
}

#[test]
fn when_conditions_follow_the_vars() {
    let text = with_steps(
        "  - id: a\n    kind: shell\n    command: [a]\n    when: vars.reseed\n  - id: b\n    kind: shell\n    command: [b]\n    when: \"!vars.reseed\"\n",
    )
    .replace("  user: ops\n", "  user: ops\n  reseed: ${env.RESEED:-no}\n");
    let runbook = parse_ok(&text);
    assert!(!runbook.is_enabled(&runbook.steps[0]));
    assert!(runbook.is_enabled(&runbook.steps[1]));
    let options = ParseOptions {
        vars: [("reseed".to_owned(), "yes".to_owned())].into(),
        env: &EmptyEnv,
        ..Default::default()
    };
    let runbook = parse(&text, Path::new("r.yaml"), &options).unwrap();
    assert!(runbook.is_enabled(&runbook.steps[0]));
    assert!(!runbook.is_enabled(&runbook.steps[1]));
}

#[test]
fn crlf_and_bom_give_the_same_runbook_and_positions() {
    let lf = contract_example();
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    let a = parse_ok(&lf);
    let b = parse_ok(&crlf);
    assert_eq!(a.steps.len(), b.steps.len());
    for (x, y) in a.steps.iter().zip(&b.steps) {
        assert_eq!(x.position, y.position);
    }
    let StepKind::Sql(sql) = &b.step("reset-schema").unwrap().kind else {
        panic!()
    };
    assert_eq!(
        sql.text,
        "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"
    );
    // The digest is of the text exactly as read, BOM and CRs included.
    assert_ne!(a.sha256, b.sha256);
    assert_eq!(b.source, crlf);
    let errors = parse_err("version: 1\r\nname: t\r\nstpes: []\r\n");
    assert_eq!(
        errors,
        vec![
            "3:1: unknown key 'stpes' at the top level (did you mean 'steps'?); expected one of: version, name, description, vars, targets, evidence, on_failure, steps, finally"
        ]
    );
}

#[test]
fn parse_file_reads_and_reports_unreadable_files() {
    let dir = std::env::temp_dir().join(format!("runbook-spec-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.yaml");
    std::fs::write(
        &good,
        with_steps("  - id: a\n    kind: shell\n    command: [a]\n"),
    )
    .unwrap();
    let options = ParseOptions {
        env: &EmptyEnv,
        ..Default::default()
    };
    let runbook = parse_file(&good, &options).unwrap();
    assert_eq!(runbook.file, good);
    assert_eq!(runbook.sha256.len(), 64);

    let missing = dir.join("missing.yaml");
    let err = parse_file(&missing, &options).unwrap_err();
    assert!(matches!(err, LoadError::Read { .. }));
    assert_eq!(
        err.to_string(),
        format!("cannot read {}", missing.display())
    );

    let latin1 = dir.join("latin1.yaml");
    let mut f = std::fs::File::create(&latin1).unwrap();
    f.write_all(b"version: 1\nname: caf\xe9\n").unwrap();
    let LoadError::Invalid(errors) = parse_file(&latin1, &options).unwrap_err() else {
        panic!("invalid")
    };
    assert_eq!(
        errors.to_string(),
        format!(
            "{}:2:10: invalid UTF-8 (byte 0xe9); expected a UTF-8 text file",
            latin1.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_display_with_file_line_and_column() {
    let options = ParseOptions {
        env: &EmptyEnv,
        ..Default::default()
    };
    let errors = parse(
        "version: 1\nname: t\nsteps: []\n",
        Path::new("runbooks/restore.yaml"),
        &options,
    )
    .unwrap_err();
    assert_eq!(
        errors.to_string(),
        "runbooks/restore.yaml:3:8: the runbook has no steps; expected at least one under 'steps'"
    );
}

#[test]
fn validate_warns_about_unset_environment_variables_that_run_needs() {
    let text = "version: 1\nname: x\nsteps:\n  - id: a\n    kind: shell\n    command: [echo, \"${env.PW}\"]\n";
    let strict = ParseOptions {
        env: &EmptyEnv,
        ..Default::default()
    };
    let errors = runbook_spec::parse(text, std::path::Path::new("rb.yaml"), &strict).unwrap_err();
    assert_eq!(
        errors.to_string(),
        "rb.yaml:6:22: environment variable PW is not set and ${env.PW} has no default (write ${env.PW:-...})"
    );
    let lenient = ParseOptions {
        env: &EmptyEnv,
        unset_env_is_warning: true,
        ..Default::default()
    };
    let runbook = runbook_spec::parse(text, std::path::Path::new("rb.yaml"), &lenient).unwrap();
    assert_eq!(runbook.warnings.len(), 1);
    assert!(
        runbook.warnings[0]
            .to_string()
            .ends_with("; check and run will need it"),
        "{}",
        runbook.warnings[0]
    );
}

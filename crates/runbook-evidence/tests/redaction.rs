//! Secrets never reach evidence: not in logs, attachments, records, errors, the runbook copy or
//! the report.

use std::collections::BTreeMap;
use std::fs;

use runbook_evidence::{
    ErrorRecord, EvidenceDir, Mode, Redactor, RunStatus, StepOutcome, StepStatus, TargetRecord,
};

use crate::support::{STEPS, assert_sha256sum_passes, files_under, json, new_run, read};

const SECRET: &str = "Tr0ub4dor&3";

#[test]
fn no_file_of_a_run_contains_a_secret() {
    let base = tempfile::tempdir().unwrap();
    let mut run = new_run(Mode::Run, STEPS);
    run.runbook.source = format!(
        "version: 1\nname: x\ntargets:\n  legacy:\n    postgres:\n      url: postgres://u:{SECRET}@db/app\n"
    )
    .into_bytes();
    run.vars = BTreeMap::from([
        ("db".to_owned(), "app".to_owned()),
        ("note".to_owned(), format!("the password is {SECRET}")),
        (
            "admin_password".to_owned(),
            "never-listed-elsewhere".to_owned(),
        ),
    ]);
    run.targets = BTreeMap::from([(
        "legacy".to_owned(),
        TargetRecord {
            postgres: Some("postgres://u:unknown-pw@db/app".to_owned()),
            ..TargetRecord::default()
        },
    )]);
    let mut dir = EvidenceDir::create(base.path(), run, Redactor::new([SECRET])).unwrap();

    let mut step = dir.begin_step(4).unwrap();
    step.log_line(&format!(
        "$ PGPASSWORD={SECRET} pg_dump postgres://u:other-pw@db/app"
    ))
    .unwrap();
    step.log_line("connecting with host=db user=u password='spaced secret' dbname=app")
        .unwrap();
    step.attach(
        "env.txt",
        &format!("POSTGRES_PASSWORD={SECRET}\nAPI_TOKEN=abc123\nUSER=u\n"),
    )
    .unwrap();
    step.attach_json(
        "inspect.json",
        &serde_json::json!({"Env": [format!("POSTGRES_PASSWORD={SECRET}")], "password": "pw2"}),
    )
    .unwrap();
    step.attach_reader(
        "container-log.txt",
        "container logs",
        format!("LOG: started\nFATAL: password authentication failed: {SECRET}\n").as_bytes(),
    )
    .unwrap();
    let mut outcome = StepOutcome::new(StepStatus::Failed, format!("exit 1 ({SECRET})"));
    outcome.error = Some(ErrorRecord {
        message: format!("could not connect: postgres://u:{SECRET}@db/app"),
        detail: Some(format!("PGPASSWORD={SECRET}")),
        ..ErrorRecord::default()
    });
    outcome.details = serde_json::json!({
        "command": ["pg_dump", format!("postgres://u:{SECRET}@db/app")],
        "env": {"POSTGRES_PASSWORD": "env-only-secret"},
    });
    let result = dir.finish_step(step, outcome).unwrap();
    assert_eq!(result.summary, "exit 1 (****)");
    dir.finish_run(RunStatus::Failed).unwrap();

    for secret in [
        SECRET,
        "other-pw",
        "spaced secret",
        "abc123",
        "pw2",
        "unknown-pw",
        "env-only-secret",
        "never-listed-elsewhere",
    ] {
        for file in files_under(dir.path()) {
            let text = fs::read_to_string(dir.path().join(&file)).unwrap();
            assert!(
                !text.contains(secret),
                "{secret:?} leaked into {file}:\n{text}"
            );
        }
    }
    // The masks are where the secrets were, and innocent text is kept.
    let log = read(dir.path(), "steps/04-export/output.log");
    assert_eq!(
        log,
        "$ PGPASSWORD=**** pg_dump postgres://u:****@db/app\n\
         connecting with host=db user=u password='****' dbname=app\n"
    );
    assert_eq!(
        read(dir.path(), "steps/04-export/env.txt"),
        "POSTGRES_PASSWORD=****\nAPI_TOKEN=****\nUSER=u\n"
    );
    let run = json(dir.path(), "run.json");
    assert_eq!(run["vars"]["note"], "the password is ****");
    assert_eq!(run["vars"]["admin_password"], "****");
    assert_eq!(run["vars"]["db"], "app");
    assert_eq!(
        run["targets"]["legacy"]["postgres"],
        "postgres://u:****@db/app"
    );
    assert_eq!(run["runbook"]["redacted"], true);
    assert!(read(dir.path(), "runbook.yaml").contains("url: postgres://u:****@db/app\n"));
    let result = json(dir.path(), "steps/04-export/result.json");
    assert_eq!(
        result["error"]["message"],
        "could not connect: postgres://u:****@db/app"
    );
    assert_eq!(result["details"]["env"]["POSTGRES_PASSWORD"], "****");
    assert_sha256sum_passes(dir.path());
}

#[test]
fn a_short_secret_does_not_break_the_records() {
    // "0" appears in every timestamp and digest; those are generated values and stay readable,
    // and a short secret is only masked as a whole word (with a note saying so).
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::new(["0"])).unwrap();
    let mut step = dir.begin_step(1).unwrap();
    step.log_line("took 10 ms").unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "100 rows"))
        .unwrap();
    dir.finish_run(RunStatus::Passed).unwrap();
    let evidence = runbook_evidence::Evidence::load(dir.path()).unwrap();
    assert_eq!(evidence.run.status, RunStatus::Passed);
    assert_eq!(evidence.steps[0].problem, None);
    assert_eq!(
        evidence.steps[0].result.as_ref().unwrap().summary,
        "100 rows"
    );
    assert_eq!(
        read(dir.path(), "steps/01-secrets/output.log"),
        "took 10 ms\n"
    );
    assert_eq!(
        evidence.run.notes,
        [
            "secret of one character is too short to redact reliably; it is redacted as a whole \
          word only"
        ]
    );
    assert!(
        read(dir.path(), "report.md").contains("secret of one character is too short"),
        "the note reaches the report"
    );
    assert!(runbook_evidence::verify(dir.path()).unwrap().is_intact());
}

#[test]
fn a_secret_inside_a_field_name_leaves_the_records_loadable() {
    // Regression: keys were redacted too, so the password "x" turned `index` into `inde****`
    // and run.json could not be read back ("missing field `index`").
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::new(["x"])).unwrap();
    let step = dir.begin_step(1).unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "max 3"))
        .unwrap();
    dir.finish_run(RunStatus::Passed).unwrap();
    let evidence = runbook_evidence::Evidence::load(dir.path()).unwrap();
    assert_eq!(evidence.run.status, RunStatus::Passed);
    let result = json(dir.path(), "steps/01-secrets/result.json");
    assert_eq!(
        result["index"], 1,
        "field names are not redacted: {result:#}"
    );
    assert_eq!(
        result["summary"], "max 3",
        "a short secret is masked as a whole word only"
    );
    assert!(runbook_evidence::verify(dir.path()).unwrap().is_intact());
}

#[test]
fn a_secret_cut_by_the_line_cap_of_a_streamed_attachment_is_masked_on_both_sides() {
    // A line longer than the 1 MiB cap is written in pieces; the secret straddles the cut.
    let base = tempfile::tempdir().unwrap();
    let mut dir = EvidenceDir::create(
        base.path(),
        new_run(Mode::Run, STEPS),
        Redactor::new([SECRET]),
    )
    .unwrap();
    let mut step = dir.begin_step(1).unwrap();
    let mut text = "a".repeat(1024 * 1024 - 5);
    text.push_str(SECRET);
    text.push_str(" tail\n");
    step.attach_reader("out.txt", "command output", text.as_bytes())
        .unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();
    let stored = read(dir.path(), "steps/01-secrets/out.txt");
    for part in ["Tr0ub", "4dor&3", "r0ub4d"] {
        assert!(!stored.contains(part), "{part:?} survived the cut");
    }
    assert!(
        stored.ends_with("**** tail\n"),
        "{}",
        &stored[stored.len() - 40..]
    );
}

#[test]
fn a_short_secret_inside_a_step_id_leaves_the_directory_verifiable() {
    // Redacting `load-1` into `load-****` in run.json while the directory is `steps/01-load-1`
    // would make verify report an inconsistency in an untouched run.
    let base = tempfile::tempdir().unwrap();
    let mut dir = EvidenceDir::create(
        base.path(),
        new_run(Mode::Run, &[("load-1", "sql"), ("gate-1", "gate")]),
        Redactor::new(["1"]),
    )
    .unwrap();
    for index in 1..=2 {
        let mut step = dir.begin_step(index).unwrap();
        step.attach("check-1-rows.json", "[]").unwrap();
        dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
            .unwrap();
    }
    dir.finish_run(RunStatus::Passed).unwrap();
    let report = runbook_evidence::verify(dir.path()).unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
    assert_eq!(json(dir.path(), "run.json")["steps"][0]["id"], "load-1");
}

//! Writing a run: layout, names, records, the API's refusals.

use std::fs;
use std::sync::{Arc, Barrier};

use runbook_evidence::{
    Confirmation, ConfirmationMethod, EvidenceDir, EvidenceError, Mode, Redactor, RunStatus,
    StepOutcome, StepStatus, verify,
};

use crate::support::{
    RUNBOOK_YAML, STEPS, assert_sha256sum_passes, files_under, finished_run, json, new_run, read,
};

#[test]
fn a_finished_run_has_the_contract_layout_and_sha256sum_accepts_it() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    assert_eq!(dir.path(), base.path().join("20251108T062436Z"));
    assert_eq!(
        files_under(dir.path()),
        [
            "SHA256SUMS",
            "report.md",
            "run.json",
            "runbook.yaml",
            "steps/01-secrets/output.log",
            "steps/01-secrets/result.json",
            "steps/02-load-schema/output.log",
            "steps/02-load-schema/result.json",
            "steps/03-gate-db-restored/gate-rows.json",
            "steps/03-gate-db-restored/output.log",
            "steps/03-gate-db-restored/result.json",
        ]
    );
    assert_sha256sum_passes(dir.path());
    // Every other file is listed, sorted, in sha256sum's own format.
    let sums = read(dir.path(), "SHA256SUMS");
    let listed: Vec<&str> = sums
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(|l| &l[66..])
        .collect();
    let mut expected = files_under(dir.path());
    expected.retain(|f| f != "SHA256SUMS");
    assert_eq!(listed, expected);
    assert!(
        sums.split('\n')
            .filter(|l| !l.is_empty())
            .all(|l| l.as_bytes()[64..66] == *b"  ")
    );
    let report = verify(dir.path()).unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.checked, 10);
    assert_eq!(report.unfinished, None);
}

#[test]
fn an_existing_timestamp_directory_gets_a_suffix() {
    let base = tempfile::tempdir().unwrap();
    fs::create_dir(base.path().join("20251108T062436Z")).unwrap();
    let second =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let third =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    assert_eq!(second.path(), base.path().join("20251108T062436Z-2"));
    assert_eq!(third.path(), base.path().join("20251108T062436Z-3"));
    // The directory that was there is left alone.
    assert!(files_under(&base.path().join("20251108T062436Z")).is_empty());
}

#[test]
fn concurrent_runs_starting_in_the_same_second_get_distinct_directories() {
    let base = tempfile::tempdir().unwrap();
    let barrier = Arc::new(Barrier::new(6));
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let base = base.path().to_owned();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let dir =
                    EvidenceDir::create(&base, new_run(Mode::Run, STEPS), Redactor::default())
                        .unwrap();
                dir.path()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
        })
        .collect();
    let mut names: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "20251108T062436Z",
            "20251108T062436Z-2",
            "20251108T062436Z-3",
            "20251108T062436Z-4",
            "20251108T062436Z-5",
            "20251108T062436Z-6",
        ]
    );
    for name in names {
        assert_sha256sum_passes(&base.path().join(name));
    }
}

#[test]
fn creation_writes_the_runbook_and_a_running_record() {
    let base = tempfile::tempdir().unwrap();
    let dir = EvidenceDir::create(
        base.path(),
        new_run(Mode::Check, STEPS),
        Redactor::default(),
    )
    .unwrap();
    assert_eq!(read(dir.path(), "runbook.yaml"), RUNBOOK_YAML);
    let run = json(dir.path(), "run.json");
    assert_eq!(run["schema_version"], 1);
    assert_eq!(run["status"], "running");
    assert_eq!(run["mode"], "check");
    assert_eq!(run["operator"], "alice");
    assert_eq!(run["host"], "db-host");
    assert_eq!(run["started_at"], "2025-11-08T06:24:36Z");
    assert_eq!(run["finished_at"], serde_json::Value::Null);
    assert_eq!(
        run["runbook"]["sha256"],
        runbook_evidence::sha256_hex(RUNBOOK_YAML.as_bytes())
    );
    assert_eq!(run["runbook"]["redacted"], false);
    let statuses: Vec<&str> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["not_run"; 4]);
    assert_eq!(run["steps"][1]["index"], 2);
    assert_eq!(run["steps"][1]["id"], "load-schema");
    assert_eq!(
        files_under(dir.path()),
        ["SHA256SUMS", "run.json", "runbook.yaml"]
    );
    assert_sha256sum_passes(dir.path());
    // No staging directory is left next to the run.
    let leftovers: Vec<_> = fs::read_dir(base.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn run_json_and_sums_follow_every_step() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let mut step = dir.begin_step(1).unwrap();
    let run = json(dir.path(), "run.json");
    assert_eq!(run["current_step"], "steps/01-secrets");
    step.log_line("line one\r\nline two\n").unwrap();
    step.log_line("line three").unwrap();
    // While the step runs its log is partial and not listed; the directory still checks out.
    assert_eq!(
        read(dir.path(), "steps/01-secrets/output.log.partial"),
        "line one\nline two\nline three\n"
    );
    assert!(!read(dir.path(), "SHA256SUMS").contains("steps/01-secrets"));
    assert_sha256sum_passes(dir.path());
    let report = verify(dir.path()).unwrap();
    assert!(report.is_intact(), "{report:?}");
    let unfinished = report.unfinished.unwrap();
    assert_eq!(unfinished.current_step.as_deref(), Some("steps/01-secrets"));
    assert_eq!(
        unfinished.uncommitted,
        ["steps/01-secrets/output.log.partial"]
    );

    let result = dir
        .finish_step(
            step,
            StepOutcome::new(StepStatus::Passed, "all present\nsecond line"),
        )
        .unwrap();
    assert_eq!(result.index, 1);
    assert_eq!(result.id, "secrets");
    assert_eq!(result.kind, "require_files");
    assert!(result.finished_at >= result.started_at);
    let run = json(dir.path(), "run.json");
    assert_eq!(run["current_step"], serde_json::Value::Null);
    assert_eq!(run["status"], "running");
    assert_eq!(run["steps"][0]["status"], "passed");
    assert_eq!(run["steps"][0]["summary"], "all present");
    assert_eq!(run["steps"][0]["dir"], "steps/01-secrets");
    assert_eq!(run["steps"][1]["status"], "not_run");
    let on_disk = json(dir.path(), "steps/01-secrets/result.json");
    assert_eq!(on_disk["status"], "passed");
    assert_eq!(on_disk["summary"], "all present\nsecond line");
    assert_eq!(
        read(dir.path(), "steps/01-secrets/output.log"),
        "line one\nline two\nline three\n"
    );
    assert!(
        !dir.path()
            .join("steps/01-secrets/output.log.partial")
            .exists()
    );
    assert_sha256sum_passes(dir.path());
    let sums = read(dir.path(), "SHA256SUMS");
    assert!(sums.contains("  steps/01-secrets/output.log\n"), "{sums}");
    assert!(sums.contains("  steps/01-secrets/result.json\n"), "{sums}");
}

#[test]
fn a_run_with_more_than_99_steps_uses_three_digits() {
    let base = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (1..=100).map(|i| format!("s{i}")).collect();
    let steps: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "sql")).collect();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, &steps), Redactor::default()).unwrap();
    let step = dir.begin_step(7).unwrap();
    assert_eq!(step.dir(), dir.path().join("steps/007-s7"));
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();
    assert!(dir.path().join("steps/007-s7/result.json").is_file());
}

#[test]
fn the_final_record_has_the_verdict_and_not_run_steps() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let run = json(dir.path(), "run.json");
    assert_eq!(run["status"], "gate_failed");
    assert!(run["finished_at"].is_string());
    assert!(run["duration_ms"].is_u64());
    let statuses: Vec<&str> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["passed", "failed", "failed", "not_run"]);
    assert_eq!(run["steps"][3]["dir"], serde_json::Value::Null);
    let load = json(dir.path(), "steps/02-load-schema/result.json");
    assert_eq!(load["error"]["sqlstate"], "42P01");
    assert_eq!(load["error"]["line"], 12);
    let secrets = json(dir.path(), "steps/01-secrets/result.json");
    assert_eq!(secrets["inputs"][0]["size"], 25);
    assert_eq!(
        secrets["inputs"][0]["sha256"],
        runbook_evidence::sha256_hex(b"CREATE TABLE t (id int);\n")
    );
    let gate = json(dir.path(), "steps/03-gate-db-restored/result.json");
    assert_eq!(gate["attachments"], serde_json::json!(["gate-rows.json"]));
    assert_eq!(
        gate["gate"][1]["missing"],
        serde_json::json!(["d_audit_event"])
    );
}

#[test]
fn confirmations_are_recorded_when_given() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    dir.add_confirmation(Confirmation {
        target: "legacy".to_owned(),
        how: ConfirmationMethod::Tty,
    })
    .unwrap();
    let run = json(dir.path(), "run.json");
    assert_eq!(
        run["confirmations"],
        serde_json::json!([{"target": "legacy", "how": "tty"}])
    );
    assert_sha256sum_passes(dir.path());
}

#[test]
fn misuse_is_refused_with_clear_errors() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let err = dir.begin_step(5).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no step 5 in this run: expected a step number from 1 to 4"
    );
    let err = dir.begin_step(0).unwrap_err();
    assert!(matches!(
        err,
        EvidenceError::UnknownStep { index: 0, count: 4 }
    ));

    let mut step = dir.begin_step(2).unwrap();
    let err = dir.begin_step(3).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot start step 3: step 2 (load-schema) is still in progress"
    );
    let err = step.attach("../escape.txt", "x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot attach \"../escape.txt\": expected a plain file name of letters, digits, '.', '_' \
         and '-' that does not start with '.' and is not output.log, output.log.partial or result.json"
    );
    assert!(step.attach("result.json", "x").is_err());
    let err = dir.finish_run(RunStatus::Failed).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot finish the run: step 2 (load-schema) is still in progress"
    );
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();

    let err = dir.begin_step(2).unwrap_err();
    assert_eq!(err.to_string(), "step 2 (load-schema) was already recorded");
    let err = dir.finish_run(RunStatus::Ready).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot finish the run as ready: expected one of passed, passed_with_failures, failed, \
         blocked, gate_failed, interrupted in run mode"
    );
    assert!(dir.finish_run(RunStatus::Running).is_err());
    dir.finish_run(RunStatus::Failed).unwrap();
    let err = dir.begin_step(3).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot change the evidence: the run was already finished"
    );
    assert!(matches!(
        dir.finish_run(RunStatus::Failed),
        Err(EvidenceError::RunFinished)
    ));
    assert!(verify(dir.path()).unwrap().is_intact());
}

#[test]
fn a_step_from_another_run_is_refused() {
    let base = tempfile::tempdir().unwrap();
    let mut one =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let mut two =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let step = one.begin_step(1).unwrap();
    let err = two
        .finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot finish step 1 (secrets): it is not the step in progress"
    );
}

#[test]
fn a_dropped_step_writer_is_sealed_as_failed() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    {
        let mut step = dir.begin_step(1).unwrap();
        step.log_line("started, then the engine hit an error path")
            .unwrap();
        step.attach("container-log.txt", "booting\n").unwrap();
    }
    dir.finish_run(RunStatus::Failed).unwrap();
    let result = json(dir.path(), "steps/01-secrets/result.json");
    assert_eq!(result["status"], "failed");
    assert_eq!(
        result["error"]["message"],
        "the step ended without reporting an outcome"
    );
    assert_eq!(
        result["attachments"],
        serde_json::json!(["container-log.txt"])
    );
    assert_eq!(
        read(dir.path(), "steps/01-secrets/output.log"),
        "started, then the engine hit an error path\n"
    );
    assert_sha256sum_passes(dir.path());
    let report = verify(dir.path()).unwrap();
    assert!(report.is_intact(), "{report:?}");
}

#[test]
fn large_logs_and_streamed_attachments_reach_the_disk_whole() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let mut step = dir.begin_step(4).unwrap();
    for i in 0..20_000 {
        step.log_line(&format!("COPY row {i}")).unwrap();
    }
    let container_log: String = (0..50_000).map(|i| format!("log line {i}\n")).collect();
    let written = step
        .attach_reader(
            "container-log.txt",
            "container logs",
            container_log.as_bytes(),
        )
        .unwrap();
    assert_eq!(written, container_log.len() as u64);
    assert_eq!(
        step.log_len(),
        (0..20_000)
            .map(|i| format!("COPY row {i}\n").len() as u64)
            .sum::<u64>()
    );
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();
    assert_eq!(
        read(dir.path(), "steps/04-export/container-log.txt"),
        container_log
    );
    let log = read(dir.path(), "steps/04-export/output.log");
    assert_eq!(log.split('\n').count(), 20_001);
    assert!(log.ends_with("COPY row 19999\n"));
    assert_sha256sum_passes(dir.path());
}

#[test]
fn check_mode_finishes_with_check_statuses() {
    let base = tempfile::tempdir().unwrap();
    let mut dir = EvidenceDir::create(
        base.path(),
        new_run(Mode::Check, STEPS),
        Redactor::default(),
    )
    .unwrap();
    let err = dir.finish_run(RunStatus::GateFailed).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot finish the run as gate_failed: expected one of ready, would_fail, blocked, \
         interrupted in check mode"
    );
    dir.finish_run(RunStatus::WouldFail).unwrap();
    assert_eq!(json(dir.path(), "run.json")["status"], "would_fail");
}

#[test]
fn an_unwritable_base_is_a_clear_error() {
    let base = tempfile::tempdir().unwrap();
    let file = base.path().join("not-a-dir");
    fs::write(&file, "x").unwrap();
    let err =
        EvidenceDir::create(&file, new_run(Mode::Run, STEPS), Redactor::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot create evidence directory {}", file.display())
    );
}

#[test]
fn skipped_steps_are_recorded_without_a_directory() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    dir.skip_step(2, "when: vars.load is not set").unwrap();
    let err = dir.skip_step(2, "again").unwrap_err();
    assert_eq!(err.to_string(), "step 2 (load-schema) was already recorded");
    assert!(matches!(
        dir.begin_step(2),
        Err(EvidenceError::StepAlreadyRecorded { .. })
    ));
    dir.finish_run(RunStatus::Passed).unwrap();
    let run = json(dir.path(), "run.json");
    assert_eq!(run["steps"][1]["status"], "skipped");
    assert_eq!(run["steps"][1]["summary"], "when: vars.load is not set");
    assert!(!dir.path().join("steps").exists());
    assert!(
        read(dir.path(), "report.md")
            .contains("| 02 | load-schema | sql_file | skipped |  | when: vars.load is not set |")
    );
    assert!(verify(dir.path()).unwrap().is_intact());
}

#[test]
fn a_character_at_the_cut_of_a_very_long_attached_line_survives() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let mut step = dir.begin_step(1).unwrap();
    // Lines longer than 1 MiB are handled in pieces; this one has a two-byte character
    // across the first cut, and a second line of Japanese text after it.
    let text = format!(
        "{}é{}\n患者データ\n",
        "x".repeat(1024 * 1024 - 1),
        "y".repeat(10)
    );
    step.attach_reader("dump-output.txt", "psql output", text.as_bytes())
        .unwrap();
    dir.finish_step(step, StepOutcome::new(StepStatus::Passed, "ok"))
        .unwrap();
    assert!(read(dir.path(), "steps/01-secrets/dump-output.txt") == text);
}

#[test]
fn an_interrupted_attachment_leaves_no_temp_file() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let mut step = dir.begin_step(1).unwrap();
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("container went away"))
        }
    }
    let err = step
        .attach_reader("container-log.txt", "logs of opendolphin-postgres", Failing)
        .unwrap_err();
    assert_eq!(err.to_string(), "cannot read logs of opendolphin-postgres");
    assert_eq!(
        std::error::Error::source(&err).unwrap().to_string(),
        "container went away"
    );
    dir.finish_step(step, StepOutcome::new(StepStatus::Failed, "no logs"))
        .unwrap();
    dir.finish_run(RunStatus::Failed).unwrap();
    assert_eq!(
        files_under(&dir.path().join("steps/01-secrets")),
        ["output.log", "result.json"]
    );
    assert!(verify(dir.path()).unwrap().is_intact());
}

//! Helpers that state what a test needs: a run with known steps, the coreutils verdict.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use runbook_evidence::{
    ErrorRecord, EvidenceDir, GateCheckRecord, InputFile, Mode, NewRun, PlannedStep, Redactor,
    RunStatus, RunbookSource, StepOutcome, StepStatus, ToolInfo,
};

pub const RUNBOOK_YAML: &str =
    "version: 1\nname: clinic-restore\nsteps:\n  - id: secrets\n    kind: require_files\n";

pub fn started() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 11, 8, 6, 24, 36).unwrap()
}

/// A run of `steps` (id, kind) with fixed operator, host and start time.
pub fn new_run(mode: Mode, steps: &[(&str, &str)]) -> NewRun {
    let mut run = NewRun::new(
        RunbookSource {
            name: "clinic-restore".to_owned(),
            path: "runbooks/clinic-restore.yaml".to_owned(),
            description: Some("Restore the clinic database from the baseline dump".to_owned()),
            source: RUNBOOK_YAML.as_bytes().to_vec(),
        },
        mode,
        steps
            .iter()
            .map(|(id, kind)| PlannedStep::new(*id, *kind))
            .collect(),
    );
    run.operator = "alice".to_owned();
    run.host = "db-host".to_owned();
    run.started_at = started();
    run.tool = ToolInfo {
        name: "runbook".to_owned(),
        version: "0.1.0".to_owned(),
    };
    run
}

pub const STEPS: &[(&str, &str)] = &[
    ("secrets", "require_files"),
    ("load-schema", "sql_file"),
    ("gate-db-restored", "gate"),
    ("export", "shell"),
];

/// A finished run: a passed step with an input file, a failed SQL step with a positioned
/// error, a gate with one passing and one failing check, and a step that never ran.
pub fn finished_run(base: &Path) -> EvidenceDir {
    let mut dir =
        EvidenceDir::create(base, new_run(Mode::Run, STEPS), Redactor::new(["hunter2"])).unwrap();
    let input = base.join("input.sql");
    fs::write(&input, "CREATE TABLE t (id int);\n").unwrap();

    let mut step = dir.begin_step(1).unwrap();
    step.log_line("checking 1 file").unwrap();
    let mut outcome = StepOutcome::new(StepStatus::Passed, "1 file present");
    outcome.inputs.push(InputFile::from_path(&input).unwrap());
    dir.finish_step(step, outcome).unwrap();

    let mut step = dir.begin_step(2).unwrap();
    step.log_line("input.sql:1: CREATE TABLE t (id int);")
        .unwrap();
    step.log_line("ERROR: relation \"appointment_model\" does not exist")
        .unwrap();
    let mut outcome = StepOutcome::new(StepStatus::Failed, "stopped at the first error");
    outcome.error = Some(ErrorRecord {
        message: "relation \"appointment_model\" does not exist".to_owned(),
        file: Some("V0002__x.sql".to_owned()),
        line: Some(12),
        column: Some(5),
        sqlstate: Some("42P01".to_owned()),
        ..ErrorRecord::default()
    });
    dir.finish_step(step, outcome).unwrap();

    let mut step = dir.begin_step(3).unwrap();
    step.log_line("2 checks").unwrap();
    step.attach_json("gate-rows.json", &serde_json::json!([["83"]]))
        .unwrap();
    let mut outcome = StepOutcome::new(StepStatus::Failed, "1 of 2 checks failed");
    outcome.gate = Some(vec![
        GateCheckRecord {
            name: "at least 50 tables".to_owned(),
            passed: true,
            check: "query".to_owned(),
            expected: "at least 50".to_owned(),
            actual: "83".to_owned(),
            missing: vec![],
            query: Some("SELECT count(*) FROM information_schema.tables".to_owned()),
            error: None,
        },
        GateCheckRecord {
            name: "representative tables exist".to_owned(),
            passed: false,
            check: "tables_exist".to_owned(),
            expected: "tables d_users, d_audit_event".to_owned(),
            actual: "1 of 2 tables".to_owned(),
            missing: vec!["d_audit_event".to_owned()],
            query: None,
            error: None,
        },
    ]);
    dir.finish_step(step, outcome).unwrap();
    dir.finish_run(RunStatus::GateFailed).unwrap();
    dir
}

/// The one run directory under `base` (staging leftovers start with '.').
pub fn only_run_dir(base: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = fs::read_dir(base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert_eq!(
        dirs.len(),
        1,
        "expected one run directory in {base:?}, found {dirs:?}"
    );
    dirs.into_iter().next().unwrap()
}

/// Runs the real `sha256sum -c --strict SHA256SUMS` in `dir`: (success, combined output).
pub fn sha256sum_check(dir: &Path) -> (bool, String) {
    let out = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .expect("coreutils sha256sum runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

pub fn assert_sha256sum_passes(dir: &Path) {
    let (ok, text) = sha256sum_check(dir);
    assert!(ok, "sha256sum -c failed in {dir:?}:\n{text}");
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
}

pub fn read(dir: &Path, rel: &str) -> String {
    fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

pub fn json(dir: &Path, rel: &str) -> serde_json::Value {
    serde_json::from_str(&read(dir, rel)).unwrap()
}

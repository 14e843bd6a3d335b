//! `verify`: every kind of tampering is named with its exact path.

use std::fs;
use std::os::unix::fs::symlink;

use runbook_evidence::{BadSumsLine, EvidenceDir, Mode, Redactor, VerifyReport, verify};

use crate::support::{STEPS, finished_run, json, new_run, read, sha256sum_check};

fn tampered(change: impl FnOnce(&std::path::Path)) -> VerifyReport {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    change(dir.path());
    verify(dir.path()).unwrap()
}

#[test]
fn an_untouched_run_is_intact() {
    let report = tampered(|_| {});
    assert!(report.is_intact());
    assert!(report.problems().is_empty());
}

#[test]
fn a_changed_byte_is_reported_as_modified() {
    let report = tampered(|dir| {
        let path = dir.join("steps/02-load-schema/output.log");
        let mut bytes = fs::read(&path).unwrap();
        bytes[0] ^= 0x20;
        fs::write(&path, bytes).unwrap();
    });
    assert!(!report.is_intact());
    assert_eq!(report.modified, ["steps/02-load-schema/output.log"]);
    assert!(report.missing.is_empty() && report.extra.is_empty());
    assert_eq!(report.checked, 9);
    assert_eq!(
        report.problems(),
        ["modified: steps/02-load-schema/output.log"]
    );
}

#[test]
fn a_deleted_file_is_reported_as_missing() {
    let report = tampered(|dir| fs::remove_file(dir.join("steps/01-secrets/result.json")).unwrap());
    assert_eq!(report.missing, ["steps/01-secrets/result.json"]);
    assert!(report.modified.is_empty() && report.extra.is_empty());
    assert!(!report.is_intact());
}

#[test]
fn an_added_file_is_reported_as_extra() {
    let report = tampered(|dir| {
        fs::write(dir.join("steps/01-secrets/notes.txt"), "added later").unwrap();
        fs::create_dir(dir.join("more")).unwrap();
        fs::write(dir.join("more/x"), "").unwrap();
    });
    assert_eq!(report.extra, ["more/x", "steps/01-secrets/notes.txt"]);
    assert!(!report.is_intact());
    assert_eq!(
        report.problems(),
        [
            "extra (not in SHA256SUMS): more/x",
            "extra (not in SHA256SUMS): steps/01-secrets/notes.txt"
        ]
    );
}

#[test]
fn a_partial_log_in_a_finished_run_is_extra() {
    // Uncommitted files are only accepted while run.json says running.
    let report = tampered(|dir| {
        fs::write(dir.join("steps/03-gate-db-restored/output.log.partial"), "").unwrap();
        fs::write(dir.join(".run.json.tmp"), "").unwrap();
    });
    assert_eq!(
        report.extra,
        [
            ".run.json.tmp",
            "steps/03-gate-db-restored/output.log.partial"
        ]
    );
    assert_eq!(report.unfinished, None);
}

#[test]
fn a_symlink_in_place_of_a_listed_file_is_not_followed() {
    let report = tampered(|dir| {
        let target = dir.join("report.md");
        let copy = dir.parent().unwrap().join("report-copy.md");
        fs::copy(&target, &copy).unwrap();
        fs::remove_file(&target).unwrap();
        symlink(&copy, &target).unwrap();
    });
    assert_eq!(report.unreadable.len(), 1);
    assert_eq!(report.unreadable[0].path, "report.md");
    assert_eq!(
        report.unreadable[0].reason,
        "is a symbolic link, not a file: not followed"
    );
    assert!(!report.is_intact());
}

#[test]
fn bad_sums_lines_are_reported_with_their_numbers() {
    let report = tampered(|dir| {
        let sums = read(dir, "SHA256SUMS");
        let first = sums.split('\n').next().unwrap().to_owned();
        let digest = &first[..64];
        let extra = format!("garbage here\n{digest}  ../outside\n{digest}  /etc/passwd\n{first}\n");
        fs::write(dir.join("SHA256SUMS"), format!("{sums}{extra}")).unwrap();
    });
    let listed = 10;
    assert_eq!(
        report.bad_lines,
        [
            BadSumsLine {
                line: listed + 1,
                problem: "expected \"<64 hex digits>  <relative path>\", found \"garbage here\""
                    .to_owned(),
            },
            BadSumsLine {
                line: listed + 2,
                problem: "path \"../outside\" leaves the evidence directory: not checked"
                    .to_owned(),
            },
            BadSumsLine {
                line: listed + 3,
                problem: "path \"/etc/passwd\" leaves the evidence directory: not checked"
                    .to_owned(),
            },
            BadSumsLine {
                line: listed + 4,
                problem: "\"report.md\" is listed again (first on line 1)".to_owned(),
            },
        ]
    );
    assert!(!report.is_intact());
    assert_eq!(report.checked, 10);
}

#[test]
fn a_missing_sums_file_is_reported() {
    let report = tampered(|dir| fs::remove_file(dir.join("SHA256SUMS")).unwrap());
    assert_eq!(report.missing, ["SHA256SUMS"]);
    assert!(!report.is_intact());
    // Nothing is listed, so everything present is extra.
    assert_eq!(report.extra.len(), 10);
}

#[test]
fn a_directory_that_is_not_evidence_is_an_error() {
    let base = tempfile::tempdir().unwrap();
    let err = verify(base.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "no run.json in {}: not an evidence directory",
            base.path().display()
        )
    );
    let err = verify(&base.path().join("nope")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("no such directory: {}", base.path().join("nope").display())
    );
}

#[test]
fn a_tampered_run_json_of_a_running_run_grants_no_tolerance() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let mut step = dir.begin_step(1).unwrap();
    step.log_line("x").unwrap();
    // Someone edits run.json to claim another step is in progress, to smuggle a file in.
    let run = read(dir.path(), "run.json").replace("steps/01-secrets", "steps/02-load-schema");
    fs::write(dir.path().join("run.json"), run).unwrap();
    fs::create_dir_all(dir.path().join("steps/02-load-schema")).unwrap();
    fs::write(dir.path().join("steps/02-load-schema/output.log"), "fake").unwrap();
    let report = verify(dir.path()).unwrap();
    assert_eq!(report.modified, ["run.json"]);
    assert_eq!(
        report.extra,
        [
            "steps/01-secrets/output.log.partial",
            "steps/02-load-schema/output.log"
        ]
    );
    assert!(!report.is_intact());
}

#[test]
fn files_outside_the_step_in_progress_are_extra_even_while_running() {
    let base = tempfile::tempdir().unwrap();
    let mut dir =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let _step = dir.begin_step(2).unwrap();
    fs::create_dir_all(dir.path().join("steps/03-gate-db-restored")).unwrap();
    fs::write(
        dir.path().join("steps/03-gate-db-restored/result.json"),
        "{}",
    )
    .unwrap();
    fs::write(
        dir.path().join("steps/02-load-schema/notes.txt"),
        "in progress",
    )
    .unwrap();
    let report = verify(dir.path()).unwrap();
    assert_eq!(report.extra, ["steps/03-gate-db-restored/result.json"]);
    let unfinished = report.unfinished.unwrap();
    assert_eq!(
        unfinished.uncommitted,
        [
            "steps/02-load-schema/notes.txt",
            "steps/02-load-schema/output.log.partial"
        ]
    );
}

/// `SHA256SUMS` without the lines of `run.json` and `report.md`: phase 1 of a ledger update.
fn drop_lines(dir: &std::path::Path, names: &[&str]) {
    let sums: String = read(dir, "SHA256SUMS")
        .split_inclusive('\n')
        .filter(|l| !names.iter().any(|n| l.ends_with(&format!("  {n}\n"))))
        .collect();
    fs::write(dir.join("SHA256SUMS"), sums).unwrap();
}

#[test]
fn a_run_killed_while_writing_its_verdict_verifies() {
    // Between phase 1 and phase 3 of the verdict's update: run.json (and report.md) not listed,
    // the new run.json covered by its listed copy run.next.json.
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    fs::copy(
        dir.path().join("run.json"),
        dir.path().join("run.next.json"),
    )
    .unwrap();
    drop_lines(dir.path(), &["run.json", "report.md"]);
    let digest = runbook_evidence::hash_file(&dir.path().join("run.next.json"))
        .unwrap()
        .sha256;
    let mut sums = read(dir.path(), "SHA256SUMS");
    sums.push_str(&format!("{digest}  run.next.json\n"));
    fs::write(dir.path().join("SHA256SUMS"), sums).unwrap();
    fs::write(dir.path().join(".SHA256SUMS.tmp"), "half").unwrap();
    let report = verify(dir.path()).unwrap();
    assert!(report.is_intact(), "{report:?}");
    let unfinished = report.unfinished.unwrap();
    assert!(unfinished.run_json_uncovered);
    assert_eq!(
        unfinished.uncommitted,
        [".SHA256SUMS.tmp", "report.md", "run.json"]
    );
    let (ok, text) = sha256sum_check(dir.path());
    assert!(ok, "{text}");
}

/// Adds `name` with `bytes` to the directory and to `SHA256SUMS`.
fn add_listed(dir: &std::path::Path, name: &str, bytes: &[u8]) {
    fs::write(dir.join(name), bytes).unwrap();
    let digest = runbook_evidence::sha256_hex(bytes);
    let mut sums = read(dir, "SHA256SUMS");
    sums.push_str(&format!("{digest}  {name}\n"));
    fs::write(dir.join("SHA256SUMS"), sums).unwrap();
}

#[test]
fn a_run_killed_before_the_new_run_json_replaced_the_old_one_verifies() {
    // Phase 1 done, phase 2 not: run.json is still the old record, covered by run.prev.json.
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let final_record = fs::read(dir.path().join("run.json")).unwrap();
    let mut run = json(dir.path(), "run.json");
    run["status"] = "running".into();
    run["finished_at"] = serde_json::Value::Null;
    let old = serde_json::to_vec_pretty(&run).unwrap();
    fs::write(dir.path().join("run.json"), &old).unwrap();
    drop_lines(dir.path(), &["run.json", "report.md"]);
    add_listed(dir.path(), "run.prev.json", &old);
    add_listed(dir.path(), "run.next.json", &final_record);
    let report = verify(dir.path()).unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert!(report.unfinished.unwrap().run_json_uncovered);
    let (ok, text) = sha256sum_check(dir.path());
    assert!(ok, "{text}");

    // The same record edited (a step's status, the operator): no listed copy matches it.
    run["operator"] = "someone else".into();
    fs::write(
        dir.path().join("run.json"),
        serde_json::to_vec_pretty(&run).unwrap(),
    )
    .unwrap();
    let report = verify(dir.path()).unwrap();
    assert!(!report.is_intact());
    assert_eq!(
        report.inconsistent,
        [
            "run.json is not listed in SHA256SUMS and is neither of the listed copies \
          (run.prev.json, run.next.json) a run killed while replacing it leaves: its content is \
          not covered"
        ]
    );
}

#[test]
fn copies_left_by_a_kill_after_the_last_phase_are_ignored() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    fs::write(
        dir.path().join("run.prev.json"),
        "{\"status\": \"running\"}",
    )
    .unwrap();
    fs::copy(
        dir.path().join("run.json"),
        dir.path().join("run.next.json"),
    )
    .unwrap();
    let report = verify(dir.path()).unwrap();
    assert!(report.is_intact(), "{report:?}");
    // A run.next.json that differs from run.json is not a leftover of the writer.
    fs::write(dir.path().join("run.next.json"), "{}").unwrap();
    assert_eq!(verify(dir.path()).unwrap().extra, ["run.next.json"]);
}

#[test]
fn an_uncovered_run_json_that_states_a_verdict_is_a_forgery() {
    // The attack: delete run.json's line, then edit the verdict. Before, this verified intact.
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let mut run = json(dir.path(), "run.json");
    run["status"] = "passed".into();
    fs::write(dir.path().join("run.json"), run.to_string()).unwrap();
    drop_lines(dir.path(), &["run.json"]);
    let report = verify(dir.path()).unwrap();
    assert!(!report.is_intact());
    assert_eq!(
        report.inconsistent,
        [
            "run.json is not listed in SHA256SUMS, yet it states the verdict 'passed': a verdict \
          no checksum covers cannot be trusted (run.json was edited and its line removed)"
        ]
    );
    // A stale copy that differs from run.json does not excuse it either.
    fs::write(dir.path().join("run.next.json"), "{}").unwrap();
    assert!(!verify(dir.path()).unwrap().is_intact());
}

#[test]
fn a_finished_run_must_list_its_report_and_runbook() {
    let report = tampered(|dir| drop_lines(dir, &["report.md", "runbook.yaml"]));
    assert!(!report.is_intact());
    assert_eq!(
        report.inconsistent,
        [
            "runbook.yaml is not listed in SHA256SUMS: the runbook as executed is not covered",
            "report.md is not listed in SHA256SUMS, yet run.json states the verdict 'gate_failed'",
        ]
    );
}

#[test]
fn a_removed_step_is_named() {
    let report = tampered(|dir| {
        fs::remove_dir_all(dir.join("steps/02-load-schema")).unwrap();
        let sums: String = read(dir, "SHA256SUMS")
            .split_inclusive('\n')
            .filter(|l| !l.contains("steps/02-load-schema/"))
            .collect();
        fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    });
    assert!(!report.is_intact());
    assert!(report.missing.is_empty() && report.extra.is_empty());
    assert_eq!(
        report.inconsistent,
        [
            "step 2 (load-schema): run.json says failed, but steps/02-load-schema/result.json and \
          steps/02-load-schema/output.log are not listed in SHA256SUMS (a removed step?)"
        ]
    );
}

#[test]
fn a_listed_step_directory_that_run_json_does_not_name_is_extra() {
    let report = tampered(|dir| {
        fs::create_dir_all(dir.join("steps/09-injected")).unwrap();
        fs::write(dir.join("steps/09-injected/output.log"), "ok\n").unwrap();
        let digest = runbook_evidence::hash_file(&dir.join("steps/09-injected/output.log"))
            .unwrap()
            .sha256;
        let mut sums = read(dir, "SHA256SUMS");
        sums.push_str(&format!("{digest}  steps/09-injected/output.log\n"));
        fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    });
    assert_eq!(
        report.inconsistent,
        ["steps/09-injected: a step directory that run.json does not name (extra)"]
    );
}

#[test]
fn a_dropped_attachment_line_is_named() {
    let report = tampered(|dir| {
        let sums: String = read(dir, "SHA256SUMS")
            .split_inclusive('\n')
            .filter(|l| !l.ends_with("/gate-rows.json\n"))
            .collect();
        fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    });
    assert!(!report.is_intact());
    assert_eq!(report.inconsistent.len(), 1, "{:?}", report.inconsistent);
    assert!(
        report.inconsistent[0]
            .contains("its attachment steps/03-gate-db-restored/gate-rows.json is not listed"),
        "{:?}",
        report.inconsistent
    );
}

#[test]
fn a_run_json_removed_with_its_line_is_reported_not_mistaken_for_a_non_evidence_dir() {
    let report = tampered(|dir| {
        fs::remove_file(dir.join("run.json")).unwrap();
        drop_lines(dir, &["run.json"]);
    });
    assert!(!report.is_intact());
    assert_eq!(
        report.inconsistent,
        ["run.json is missing and not listed in SHA256SUMS: the run's record was removed"]
    );
    // A directory with neither is still not evidence at all.
    let empty = tempfile::tempdir().unwrap();
    assert!(verify(empty.path()).is_err());
}

#[test]
fn control_characters_in_a_stray_step_directory_name_are_escaped() {
    let report = tampered(|dir| {
        let name = "steps/09-x\u{1b}[2K\rintact: every file matches";
        fs::create_dir_all(dir.join(name)).unwrap();
        fs::write(dir.join(name).join("output.log"), "").unwrap();
    });
    assert!(!report.is_intact());
    assert_eq!(
        report.inconsistent,
        [
            "steps/09-x\\u{1b}[2K\\rintact: every file matches: a step directory that run.json \
          does not name (extra)"
        ]
    );
}

#[test]
fn a_report_is_accepted_uncommitted_only_while_the_verdict_is_being_written() {
    // Inside an update that does not record the verdict, an unlisted report.md was not written
    // by the writer: it is extra (a reviewer reading it would read a forgery).
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let mut run = json(dir.path(), "run.json");
    run["status"] = "running".into();
    run["finished_at"] = serde_json::Value::Null;
    let old = serde_json::to_vec_pretty(&run).unwrap();
    run["current_step"] = "steps/03-gate-db-restored".into();
    let new = serde_json::to_vec_pretty(&run).unwrap();
    fs::write(dir.path().join("run.json"), &old).unwrap();
    drop_lines(dir.path(), &["run.json", "report.md"]);
    add_listed(dir.path(), "run.prev.json", &old);
    add_listed(dir.path(), "run.next.json", &new);
    let report = verify(dir.path()).unwrap();
    assert_eq!(report.extra, ["report.md"], "{report:?}");
}

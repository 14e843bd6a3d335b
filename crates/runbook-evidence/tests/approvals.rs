//! Sign-off: `approve` appends a listed record; `verify` holds every approval to the state it
//! approved; the report shows who approved what and whether the evidence changed since.

use std::fs;
use std::path::Path;

use runbook_evidence::report::render_dir;
use runbook_evidence::{
    Approval, EvidenceDir, EvidenceError, Format, Mode, Redactor, ToolInfo, approve, sha256_hex,
    verify,
};

use crate::support::{STEPS, assert_sha256sum_passes, files_under, finished_run, new_run, read};

pub fn approval(name: &str) -> Approval {
    Approval {
        approver: name.to_owned(),
        comment: Some("gates checked against the ticket".to_owned()),
        operator: "bob".to_owned(),
        host: "review-host".to_owned(),
        tool: ToolInfo {
            name: "runbook".to_owned(),
            version: "0.1.0".to_owned(),
        },
    }
}

/// What a forger does after editing files: a fresh SHA256SUMS over everything (no key stops it).
fn rewrite_sums(dir: &Path) {
    let mut text = String::new();
    for rel in files_under(dir) {
        if rel != "SHA256SUMS" {
            let digest = sha256_hex(&fs::read(dir.join(&rel)).unwrap());
            text.push_str(&format!("{digest}  {rel}\n"));
        }
    }
    fs::write(dir.join("SHA256SUMS"), text).unwrap();
}

#[test]
fn an_approval_is_a_listed_record_of_the_state_it_approves() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let dir = dir.path();
    let report_before = read(dir, "report.md");
    let sums_before = sha256_hex(&fs::read(dir.join("SHA256SUMS")).unwrap());

    let first = approve(dir, &approval("Alice Smith")).unwrap();
    assert_eq!(first.path, "approvals/0001-Alice-Smith.json");
    assert_eq!(first.record.sums_sha256, sums_before);
    assert_eq!(first.record.run_status.as_str(), "gate_failed");
    assert!(read(dir, "SHA256SUMS").contains("  approvals/0001-Alice-Smith.json\n"));
    assert_sha256sum_passes(dir);
    let second = approve(dir, &approval("carol")).unwrap();
    assert_eq!(second.path, "approvals/0002-carol.json");
    assert_sha256sum_passes(dir);

    let report = verify(dir).unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
    let states: Vec<(&str, bool)> = report
        .approvals
        .iter()
        .map(|a| (a.path.as_str(), a.current))
        .collect();
    assert_eq!(
        states,
        [
            ("approvals/0001-Alice-Smith.json", true),
            ("approvals/0002-carol.json", true)
        ]
    );
    // The run's own report is left as the run wrote it; `report` renders the approvals.
    assert_eq!(read(dir, "report.md"), report_before);
    let md = render_dir(dir, Format::Markdown).unwrap().text;
    let signoff = &md[md.find("## Sign-off").unwrap()..md.find("## Gates").unwrap()];
    assert!(
        signoff.contains(
            "| Alice Smith ([approvals/0001-Alice-Smith.json](approvals/0001-Alice-Smith.json)) | "
        ),
        "{signoff}"
    );
    assert!(signoff.contains(" | bob@review-host | gates checked against the ticket | "));
    assert!(
        signoff.contains(&format!("| {sums_before} | unchanged |")),
        "{signoff}"
    );
    assert!(md.contains("**intact**: `verify` re-hashed the"), "{md}");
    let html = render_dir(dir, Format::Html).unwrap().text;
    assert!(
        html.contains("<span class=\"pass\">unchanged</span>"),
        "{html}"
    );
}

#[test]
fn evidence_changed_after_an_approval_fails_verify_even_with_a_rewritten_sha256sums() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let dir = dir.path();
    approve(dir, &approval("alice")).unwrap();
    fs::write(dir.join("steps/01-secrets/output.log"), "all good\n").unwrap();
    rewrite_sums(dir);
    // Every file matches the rewritten SHA256SUMS, but not what alice approved.
    assert_sha256sum_passes(dir);
    let report = verify(dir).unwrap();
    assert!(!report.is_intact());
    assert_eq!(report.inconsistent.len(), 1, "{:?}", report.inconsistent);
    assert!(
        report.inconsistent[0].starts_with(
            "approval by \"alice\" (approvals/0001-alice.json) is for an earlier state: \
             SHA256SUMS was rewritten after it was approved"
        ),
        "{:?}",
        report.inconsistent
    );
    assert!(!report.approvals[0].current);
    // And a damaged directory cannot collect a new signature.
    let err = approve(dir, &approval("mallory")).unwrap_err();
    assert!(matches!(err, EvidenceError::NotIntact { .. }), "{err}");
    assert!(!dir.join("approvals/0002-mallory.json").exists());
}

#[test]
fn a_removed_approval_is_detected_by_the_one_after_it() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let dir = dir.path();
    for name in ["a", "b", "c"] {
        approve(dir, &approval(name)).unwrap();
    }
    fs::remove_file(dir.join("approvals/0002-b.json")).unwrap();
    let sums: String = read(dir, "SHA256SUMS")
        .split_terminator('\n')
        .filter(|l| !l.ends_with("approvals/0002-b.json"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    assert_sha256sum_passes(dir);
    let report = verify(dir).unwrap();
    assert!(!report.is_intact());
    let problems = report.problems().join("\n");
    assert!(
        problems.contains(
            "approval 0002 is not listed in SHA256SUMS, yet approval 0003 comes after it"
        ),
        "{problems}"
    );
    assert!(
        problems.contains("approval by \"c\" (approvals/0003-c.json) is for an earlier state"),
        "{problems}"
    );
}

#[test]
fn approve_refuses_unfinished_runs_and_bad_names() {
    let base = tempfile::tempdir().unwrap();
    let mut running =
        EvidenceDir::create(base.path(), new_run(Mode::Run, STEPS), Redactor::default()).unwrap();
    let step = running.begin_step(1).unwrap();
    drop(step);
    let err = approve(running.path(), &approval("alice")).unwrap_err();
    assert!(
        matches!(err, EvidenceError::ApproveUnfinished { .. }),
        "{err}"
    );
    assert!(err.to_string().ends_with(
        "holds a run without a verdict (run.json says running): expected a finished run to approve"
    ));
    assert!(!running.path().join("approvals").exists());

    let other = tempfile::tempdir().unwrap();
    let dir = finished_run(other.path());
    for (name, found) in [
        ("", "an empty text"),
        ("al\u{1b}[2Kice", "the control character '\\u{1b}'"),
    ] {
        let err = approve(dir.path(), &approval(name)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid approver name: expected one line without control characters of at most \
                 200 characters, found {found}"
            )
        );
    }
    assert!(verify(dir.path()).unwrap().approvals.is_empty());
}

#[test]
fn what_an_interrupted_approve_leaves_verifies_and_approves_nothing() {
    let base = tempfile::tempdir().unwrap();
    let dir = finished_run(base.path());
    let dir = dir.path();
    // Killed after the record was written, before SHA256SUMS listed it.
    let sums = sha256_hex(&fs::read(dir.join("SHA256SUMS")).unwrap());
    fs::create_dir(dir.join("approvals")).unwrap();
    let record = serde_json::json!({
        "schema_version": 1, "approver": "bob", "approved_at": "2025-11-09T08:00:00Z",
        "sums_sha256": sums, "comment": null, "operator": "bob", "host": "h",
        "run_status": "gate_failed", "tool": {"name": "runbook", "version": "0.1.0"}
    });
    fs::write(dir.join("approvals/0001-bob.json"), record.to_string()).unwrap();
    fs::write(dir.join("approvals/.0002-x.json.tmp"), "{").unwrap();
    fs::write(dir.join(".SHA256SUMS.tmp"), "partial").unwrap();
    assert_sha256sum_passes(dir);
    let report = verify(dir).unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
    assert!(report.approvals.is_empty());
    assert_eq!(
        report.pending_approvals,
        [
            ".SHA256SUMS.tmp",
            "approvals/.0002-x.json.tmp",
            "approvals/0001-bob.json"
        ]
    );
    let md = render_dir(dir, Format::Markdown).unwrap().text;
    assert!(md.contains("No approvals."), "{md}");
    assert!(
        md.contains("An interrupted `runbook approve` left files"),
        "{md}"
    );

    // A record that approves some other state is not a pending one: it is extra (and so is the
    // temp SHA256SUMS, which only a pending record explains).
    let mut forged = record.clone();
    forged["sums_sha256"] = serde_json::json!("0".repeat(64));
    fs::write(dir.join("approvals/0001-bob.json"), forged.to_string()).unwrap();
    let report = verify(dir).unwrap();
    assert_eq!(report.extra, [".SHA256SUMS.tmp", "approvals/0001-bob.json"]);
    fs::write(dir.join("approvals/0001-bob.json"), record.to_string()).unwrap();

    // Approving again clears the leftovers and takes number 1.
    let approved = approve(dir, &approval("alice")).unwrap();
    assert_eq!(approved.path, "approvals/0001-alice.json");
    assert!(!dir.join("approvals/0001-bob.json").exists());
    assert!(!dir.join(".SHA256SUMS.tmp").exists());
    let report = verify(dir).unwrap();
    assert!(report.is_intact() && report.pending_approvals.is_empty());
    assert_eq!(report.approvals.len(), 1);
}

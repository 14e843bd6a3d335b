//! The README's first command: the quickstart restores the shipped sample into an ephemeral
//! cluster on a machine with nothing set up, and its evidence verifies.

use crate::support::*;

#[test]
fn quickstart_restores_the_sample_and_writes_verifiable_evidence() {
    let root = workspace_root();
    let evidence = tempfile::tempdir().expect("temp dir");
    let run = runbook(
        &root,
        &[
            "run",
            "runbooks/quickstart.yaml",
            "--evidence-dir",
            evidence.path().to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "quickstart failed:\n{}", run.all_output());
    let dir = run.evidence_dir(&root);
    let (ok, text) = sha256sum_check(&dir);
    assert!(ok, "sha256sum -c failed:\n{text}");
    let record = run_record(&dir);
    assert_eq!(record["status"], "passed");
    let gate = step_result(&dir, "05-gate-restored");
    let checks = gate["gate"].as_array().expect("gate checks");
    assert_eq!(checks.len(), 7);
    assert!(checks.iter().all(|c| c["passed"] == true), "{gate:#}");
    let verify = runbook(&root, &["verify", dir.to_str().unwrap()]);
    assert_eq!(verify.code, 0, "{}", verify.all_output());
}

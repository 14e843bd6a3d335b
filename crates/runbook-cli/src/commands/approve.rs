//! `runbook approve DIR --as NAME [--comment TEXT]`: a reviewer's sign-off, recorded in the
//! evidence as a new file listed in `SHA256SUMS` (see `runbook_evidence::approve`).
//!
//! Refused, like `report`, for a directory that does not verify (exit 5): signing what no
//! checksum covers would lend a name to a forgery. A run without a verdict (still `running`,
//! or killed) cannot be approved either (exit 2).

use std::io::Write;
use std::path::Path;

use runbook_evidence::{Approval, EvidenceError, ToolInfo};

use crate::{exit_codes, sanitize};

pub fn approve(dir: &Path, approver: &str, comment: Option<&str>) -> i32 {
    if let Err(code) = super::verified(dir, REFUSING, BECAUSE) {
        return code;
    }
    let approval = Approval {
        approver: approver.to_owned(),
        comment: comment.map(str::to_owned),
        operator: runbook_evidence::detect_operator(),
        host: runbook_evidence::detect_host(),
        tool: ToolInfo {
            name: "runbook".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
    };
    let approved = match runbook_evidence::approve(dir, &approval) {
        Ok(approved) => approved,
        // Another process changed the directory between the two checks.
        Err(EvidenceError::NotIntact { problems, .. }) => {
            super::refuse_not_intact(dir, REFUSING, BECAUSE, &problems);
            return exit_codes::NOT_INTACT;
        }
        Err(
            error @ (EvidenceError::ApproveUnfinished { .. }
            | EvidenceError::BadApprovalText { .. }
            | EvidenceError::NotEvidence { .. }),
        ) => {
            crate::report_error(&crate::chain(error));
            return exit_codes::INVALID_INPUT;
        }
        Err(error) => {
            crate::report_error(&crate::chain(error));
            return exit_codes::FAILED;
        }
    };
    let record = &approved.record;
    let text = format!(
        "approved by {} at {}: {}\n  the run's verdict: {}\n  approves SHA256SUMS sha256 {}\n  recorded in {} (listed in SHA256SUMS)\n",
        sanitize::line(&record.approver),
        record.approved_at.format("%Y-%m-%d %H:%M:%S UTC"),
        sanitize::path(dir),
        record.run_status,
        record.sums_sha256,
        sanitize::path(&dir.join(&approved.path)),
    );
    let _ = std::io::stdout()
        .lock()
        .write_all(sanitize::fit(&text, sanitize::stdout_width()).as_bytes());
    exit_codes::OK
}

const REFUSING: &str = "to approve";
const BECAUSE: &str = "what it holds is not what the run wrote";

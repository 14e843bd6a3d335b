//! Integration tests of runbook-evidence: real directories in temp dirs, the real coreutils
//! `sha256sum`, a real child process killed with SIGKILL.

mod approvals;
mod crash;
mod journal;
mod redaction;
mod reports;
mod resume;
mod support;
mod verifying;
mod writing;

//! Exit codes of the `runbook` command, in one place.
//!
//! Scripts and CI dashboards branch on these, so they are part of the user-facing contract
//! (`runbook-v1`): never renumber one. Code 2 always means "the input or the command line is
//! wrong"; the message then names the file, line and column where there is one.

/// Success: `run` passed, `check` found everything ready, `verify` found the evidence intact.
pub const OK: i32 = 0;
/// A step failed (`run`), or a step would fail (`check`), or an unexpected error.
pub const FAILED: i32 = 1;
/// The runbook, a referenced file or the command line is invalid; also a protected target
/// without confirmation.
pub const INVALID_INPUT: i32 = 2;
/// A precondition is missing (`require_files`, an unreachable engine in `check`, a lock held by
/// another run): nothing after it ran.
pub const BLOCKED: i32 = 3;
/// Every step ran but a gate check failed.
pub const GATE_FAILED: i32 = 4;
/// `verify` found missing, extra or modified files.
pub const NOT_INTACT: i32 = 5;
/// Interrupted by Ctrl-C (128 + SIGINT) or SIGTERM, after cancelling server-side work and
/// sealing evidence.
pub const INTERRUPTED: i32 = 130;

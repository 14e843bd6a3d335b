//! The `runbook` command.

fn main() {}

//! The user-facing contract (runbook-v1): commands, exit codes, messages, evidence, dry runs.

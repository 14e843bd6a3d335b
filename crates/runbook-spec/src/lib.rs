//! The runbook format: YAML text to a validated, interpolated Runbook; JSON Schema.

//! Executes a runbook plan in run or check mode: one trait for every step kind, events to listeners.

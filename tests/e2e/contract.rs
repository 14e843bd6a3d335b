//! The user-facing contract (runbook-v1): commands, exit codes, messages, evidence, dry runs.
//!
//! Every test drives the built `runbook` binary the way an operator or a CI job does: it writes a
//! runbook into a scratch directory, points it at a fresh database of the shared test cluster
//! (`--var url=...`), runs a command, and asserts what a user relies on: the exit code, the
//! message on the terminal, the files in the evidence directory, and the state of the database
//! afterwards. Inputs that are worth keeping (invalid runbooks with their exact messages, SQL
//! scripts) live in `tests/data/`.

mod case;

mod check_mode;
mod corpus;
mod evidence;
mod evidence_output;
mod exit_codes;
mod forgery;
mod gate_checks;
mod gates_and_sequences;
mod hostile_inputs;
mod hostile_yaml;
mod identity;
mod interrupt;
mod invalid_input;
mod journal;
mod limits;
mod limits_two;
mod loader;
mod lock;
mod migrate;
mod migrate_flyway_rules;
mod outputs;
mod outputs_more;
mod protected;
mod report_browser;
mod resume;
mod secrets;
mod sequence_floor;
mod shell;
mod sql_attacks;
mod terminal;
mod terminal_failures;
mod undo;
mod verdicts;
mod wait_until;

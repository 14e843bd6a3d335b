//! Every limit in one place: what the tool refuses, cuts or counts instead of paying for.
//!
//! Each limit stays defined next to the code that enforces it (so that code cannot drift from
//! its own bound), and this module is the index: the spec's own limits are re-exported here, and
//! the ones enforced by crates this one does not depend on are listed with where they live. The
//! same table is in docs/runbook-format.md, section "Limits"; a test below keeps the values
//! here and there from drifting apart.
//!
//! Why not a `limits:` block a runbook could override: these limits protect the process from
//! its input (the runbook, its vars, the server it talks to, the files it names). An input that
//! could raise them would defeat them: a runbook that sets its own alias budget to a billion is
//! the attack the budget exists for, and a server message is not the runbook author's to size.
//! Where a limit is a real choice of the author it is a key of the step already
//! (`max_output_bytes` on `shell` and `container_exec`, `max_statement_bytes` on `sql_file`;
//! `timeout` on every step, itself bounded by [`MAX_DURATION`]).
//!
//! | limit | value | where |
//! | --- | --- | --- |
//! | size of the runbook file | 16 MiB | [`MAX_RUNBOOK_BYTES`] |
//! | nesting of lists and mappings | 64 levels | [`MAX_DEPTH`] |
//! | nodes added by YAML aliases | 100,000 | [`MAX_ALIAS_NODES`] |
//! | text added by YAML aliases | 16 MiB | [`MAX_ALIAS_BYTES`] |
//! | nodes in the document | 250,000 | [`MAX_NODES`] |
//! | text substituted into one value | 1 MiB | [`MAX_SUBSTITUTED_PER_VALUE`] |
//! | text substituted in the whole runbook | 16 MiB | [`MAX_SUBSTITUTED_TOTAL`] |
//! | any duration (`timeout`, `wait`, `grace`, ...) | 30 days | [`MAX_DURATION`] |
//! | attempts of one step (`retry.attempts`) | 10 | [`MAX_RETRY_ATTEMPTS`] |
//! | wait between two attempts (`retry.delay`, grown by `backoff`) | 1 hour | [`MAX_RETRY_DELAY`] |
//! | one field of a server message (message, DETAIL, HINT, CONTEXT, internal query) | first 6 KiB and last 2 KiB, the rest counted | `runbook_postgres::MAX_SERVER_FIELD_BYTES` |
//! | NOTICE-or-below messages kept per statement | 1000, the rest counted | `runbook_postgres::MAX_NOTICES_PER_STATEMENT` |
//! | WARNING-or-worse messages kept per statement (a flood of notices never pushes one out) | 1000, the rest counted | `runbook_postgres::MAX_WARNINGS_PER_STATEMENT` |
//! | NOTICE-level / WARNING-or-worse messages kept per step | 10,000 each, the rest counted | runbook-engine `script.rs` |
//! | one SQL statement read from a script | 256 MiB (`max_statement_bytes`) | `runbook_sql::DEFAULT_MAX_STATEMENT_BYTES` |
//! | output a step keeps in its evidence | 64 MiB (`max_output_bytes`) | runbook-engine `output.rs` |
//! | one line of a command's output | 1 MiB, the rest counted | runbook-engine `output.rs` |
//! | rows of a statement's result written to output.log | 100 a result (`show_rows`, at most 10,000), 4 KiB a value, about 1 MiB a statement, 100 results a statement; the rest counted | `runbook_postgres::load::{DEFAULT_SHOW_ROWS, MAX_CELL_BYTES, MAX_TABLE_BYTES}` |
//! | one line on the terminal | 1000 characters | runbook-cli `sanitize.rs` |
//! | stderr kept for a failed command's record | last 20 lines, 500 characters each | runbook-engine `output.rs` |
//! | failed checks under a gate, failures after the verdict (terminal) | 20 each, the rest counted | runbook-cli `display.rs`, `commands/execute.rs` |
//! | a `migrate` step's flyway.conf | 1 MiB | runbook-engine `steps/migrate/config.rs` |
//!
//! Values that must keep their meaning, whatever a var gives them: a `${...}` in SQL text or in
//! a `shell: true` command must give a plain token (letters, digits, `_ . : -`, and `/` in a
//! command); anything else goes through psql variables or the step's `env:`.

pub use crate::MAX_RUNBOOK_BYTES;
pub use crate::duration::MAX_DURATION;
pub use crate::load::interpolate::{MAX_SUBSTITUTED_PER_VALUE, MAX_SUBSTITUTED_TOTAL};
pub use crate::step::{MAX_RETRY_ATTEMPTS, MAX_RETRY_DELAY};
pub use crate::yaml::tree::{MAX_ALIAS_BYTES, MAX_ALIAS_NODES, MAX_DEPTH, MAX_NODES};

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented table says what the code does.
    #[test]
    fn the_documented_values_are_the_enforced_ones() {
        let docs = include_str!("../../../docs/runbook-format.md");
        let section = docs
            .split("\n## Limits\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("docs/runbook-format.md has a section '## Limits'");
        assert_eq!(MAX_RUNBOOK_BYTES, 16 << 20);
        assert_eq!(MAX_DEPTH, 64);
        assert_eq!(MAX_ALIAS_NODES, 100_000);
        assert_eq!(MAX_ALIAS_BYTES, 16 << 20);
        assert_eq!(MAX_SUBSTITUTED_PER_VALUE, 1 << 20);
        assert_eq!(MAX_SUBSTITUTED_TOTAL, 16 << 20);
        assert_eq!(MAX_DURATION.to_string(), "720h");
        assert_eq!(MAX_RETRY_ATTEMPTS, 10);
        assert_eq!(MAX_RETRY_DELAY.to_string(), "1h");
        for row in [
            "| runbook file | 16 MiB |",
            "| nesting of lists and mappings | 64 levels |",
            "| nodes added by YAML aliases | 100,000 |",
            "| text added by YAML aliases | 16 MiB |",
            "| text substituted into one value by `${env...}`/`${vars...}` | 1 MiB |",
            "| text substituted in the whole runbook | 16 MiB |",
            "| any duration (`timeout`, `wait`, `grace`, ...) | 30 days (`720h`) |",
            "| attempts of one step (`retry.attempts`) | 10 |",
            "| wait between two attempts (`retry.delay`, and what `backoff` makes of it) | 1 hour |",
        ] {
            assert!(
                section.contains(row),
                "missing from the Limits section: {row}"
            );
        }
    }
}

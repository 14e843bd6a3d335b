//! One test's world: a scratch directory and a database of its own, and runbooks that reach
//! that database through the var `url` (given with `--var url=...` on every run and check).

use std::path::{Path, PathBuf};

use runbook_testkit::postgres::{TestDb, create_database};

use crate::support::{Invocation, Scratch};

pub struct Case {
    pub scratch: Scratch,
    pub db: TestDb,
}

impl Case {
    /// A scratch directory and a fresh database whose name starts with `prefix`.
    pub fn new(prefix: &str) -> Case {
        Case {
            scratch: Scratch::new(),
            db: create_database(prefix),
        }
    }

    pub fn path(&self) -> &Path {
        self.scratch.path()
    }

    /// Writes `rb.yaml` (see [`runbook_text`]). Tests that need more vars or targets edit the
    /// text of [`runbook_text`] and write it themselves.
    pub fn runbook(&self, name: &str, target_extra: &str, steps: &str) -> PathBuf {
        self.scratch
            .write("rb.yaml", runbook_text(name, target_extra, steps))
    }

    /// `runbook ARGS... --var url=<this test's database>` (the var only for run and check).
    pub fn run(&self, args: &[&str]) -> Invocation {
        self.run_with_env(args, &[])
    }

    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Invocation {
        let url = format!("url={}", self.db.url);
        let mut all: Vec<&str> = args.to_vec();
        if matches!(args.first(), Some(&"run" | &"check")) {
            all.extend(["--var", &url]);
        }
        self.scratch.runbook_with_env(&all, env)
    }

    /// Starts `runbook ARGS... --var url=...` without waiting.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        let url = format!("url={}", self.db.url);
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--var", &url]);
        self.scratch.spawn(&all)
    }

    /// `psql -At -c SQL` on this test's database.
    pub fn sql(&self, sql: &str) -> String {
        crate::support::sql_value(&self.db.spec, sql)
    }
}

/// A runbook named `name` with the var `url` and one database target `db` at `${vars.url}`
/// (`target_extra` adds keys to the target, e.g. `protected: true`), then `steps`, which may be
/// indented like the test code around them.
pub fn runbook_text(name: &str, target_extra: &str, steps: &str) -> String {
    let mut text = format!(
        "version: 1\nname: {name}\nvars:\n  url: postgres://nobody@127.0.0.1:1/none\ntargets:\n  db:\n    postgres:\n      url: ${{vars.url}}\n"
    );
    for line in dedent(target_extra)
        .split('\n')
        .filter(|l| !l.trim().is_empty())
    {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("steps:\n");
    for line in dedent(steps).split('\n') {
        if !line.is_empty() {
            text.push_str("  ");
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// Removes the indentation all non-blank lines share, and the first line break, so that tests
/// can indent YAML with the code around it.
pub fn dedent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect();
    lines.join("\n").trim_end_matches([' ', '\n']).to_owned()
}

//! `sql_file`: load a SQL script (a pg_dump, a migration) into the step's Postgres target.

use std::path::PathBuf;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::steps::kind::{KindSpec, Needs, StepCx};
use crate::steps::on_error::OnError;

/// Runs a psql script file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlFile {
    /// The script (relative paths are relative to the working directory).
    pub path: PathBuf,
    /// client (default): this tool reads the script and sends it over its own connection;
    /// container: copy the file into the target's container and run psql -f there.
    #[serde(default)]
    #[schemars(extend("default" = "client"))]
    pub via: Via,
    /// Run the whole script in one transaction (all or nothing), like psql -1.
    #[serde(default)]
    pub single_transaction: bool,
    /// stop (default): stop at the first failing statement; continue: report it and go on (psql's
    /// own default).
    #[serde(default)]
    #[schemars(extend("default" = "stop"))]
    pub on_error: OnError,
    /// psql variables for the script (like psql -v NAME=VALUE), in addition to the runbook's vars.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, crate::schema::TextValue>")]
    pub variables: IndexMap<String, String>,
    /// Also read a path that is not a regular file (a FIFO, a device). Off by default: reading
    /// /dev/zero never ends and a FIFO blocks until someone writes to it; with it, the file is
    /// read under the step's timeout.
    #[serde(default)]
    pub allow_special_file: bool,
    /// The longest statement the loader reads, in bytes (default 268435456, 256 MiB): a
    /// longer one (a missing ';', an unclosed quote, a file that is not SQL) fails the step at
    /// the statement's file:line:col instead of being collected in memory. Also the longest
    /// line of COPY data.
    #[serde(default = "default_max_statement_bytes")]
    #[schemars(extend("default" = 268435456, "minimum" = 1))]
    pub max_statement_bytes: u64,
    /// How many rows of each result a statement returns (a SELECT, RETURNING, SHOW) are written
    /// to the step's output.log, as psql prints them (default 100; 0: none, only the count). At
    /// most 10000.
    #[serde(default = "crate::steps::sql::default_show_rows")]
    #[schemars(extend("default" = 100, "minimum" = 0, "maximum" = 10000))]
    pub show_rows: usize,
}

/// runbook_sql::DEFAULT_MAX_STATEMENT_BYTES (this crate does not depend on runbook-sql).
fn default_max_statement_bytes() -> u64 {
    256 * 1024 * 1024
}

/// Who executes the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// This tool's own loader over its database connection (statement positions in evidence).
    #[default]
    Client,
    /// `psql -f` inside the target's container, for scripts that need psql itself.
    Container,
}

impl KindSpec for SqlFile {
    const KIND: &'static str = "sql_file";
    const NEEDS: Needs = Needs::Postgres;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        if self.path.as_os_str().is_empty() {
            let message = format!(
                "empty 'path' in {}; expected the path of a SQL script",
                cx.label()
            );
            cx.error(&["path"], message);
        }
        for (name, _) in &self.variables {
            if !crate::names::is_var_name(name) {
                let message = format!(
                    "invalid psql variable name '{name}' in 'variables' of {}; expected letters, digits and _ (not starting with a digit)",
                    cx.label()
                );
                cx.key_error(&["variables", name], message);
            }
        }
        crate::steps::sql::validate_show_rows(self.show_rows, cx);
        if self.max_statement_bytes == 0 {
            let message = format!(
                "max_statement_bytes of {} is 0; expected a number of bytes (default 268435456, 256 MiB)",
                cx.label()
            );
            cx.error(&["max_statement_bytes"], message);
        }
        if self.via == Via::Container && !cx.target_has_container() {
            let message = match cx.target_name() {
                Some(target) => format!(
                    "{} uses via: container, but target '{target}' names no container; add container: NAME to the target",
                    cx.label()
                ),
                None => format!(
                    "{} uses via: container and needs a target with a container",
                    cx.label()
                ),
            };
            cx.error(&["via"], message);
        }
    }
}

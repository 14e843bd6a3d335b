//! `sql`: a few statements written in the runbook itself (a schema reset, a fix-up). Longer
//! scripts belong in a file (`sql_file`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::steps::kind::{KindSpec, Needs, StepCx};
use crate::steps::on_error::OnError;
use crate::text_origin::{SqlReference, TextOrigin};

/// Runs SQL text against the step's Postgres target, one statement at a time, as psql would.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sql {
    /// The statements. `${vars.NAME}` may be used only for values made of letters, digits and
    /// _ . : - ; anything else must be passed as a psql variable: :'NAME' (literal) or :"NAME"
    /// (identifier).
    pub text: String,
    /// Run all statements in one transaction (all or nothing), like psql -1.
    #[serde(default)]
    pub single_transaction: bool,
    /// stop (default): stop at the first failing statement; continue: report it and go on.
    #[serde(default)]
    #[schemars(extend("default" = "stop"))]
    pub on_error: OnError,
    /// How many rows of each result a statement returns (a SELECT, RETURNING, SHOW) are written
    /// to the step's output.log, as psql prints them (default 100; 0: none, only the count). At
    /// most 10000.
    #[serde(default = "crate::steps::sql::default_show_rows")]
    #[schemars(extend("default" = 100, "minimum" = 0, "maximum" = 10000))]
    pub show_rows: usize,
    /// Where `text` starts in the runbook, to report errors inside it at runbook lines.
    #[serde(skip)]
    pub text_origin: TextOrigin,
    /// The `${...}` references that were substituted into `text`.
    #[serde(skip)]
    pub references: Vec<SqlReference>,
}

impl KindSpec for Sql {
    const KIND: &'static str = "sql";
    const NEEDS: Needs = Needs::Postgres;

    fn validate(&mut self, cx: &mut StepCx<'_>) {
        if self.text.trim().is_empty() {
            let message = format!("empty 'text' in {}; expected SQL statements", cx.label());
            cx.error(&["text"], message);
        }
        crate::steps::sql::validate_show_rows(self.show_rows, cx);
        self.text_origin = cx.text_origin(&["text"]);
        self.references = cx.sql_references(&["text"]);
    }

    fn sql_nodes(
        tree: &crate::yaml::tree::Tree,
        step: crate::yaml::tree::NodeId,
        nodes: &mut Vec<crate::yaml::tree::NodeId>,
    ) {
        nodes.extend(tree.get(step, "text").map(|(_, v)| v));
    }
}

/// Rows of each result a `sql`/`sql_file` step shows by default (runbook-postgres'
/// `DEFAULT_SHOW_ROWS`; this crate does not depend on it).
pub(crate) fn default_show_rows() -> usize {
    100
}

/// The most `show_rows` may ask for: the loader also stops keeping a result at about 1 MiB.
pub(crate) const MAX_SHOW_ROWS: usize = 10_000;

pub(crate) fn validate_show_rows(show_rows: usize, cx: &mut StepCx<'_>) {
    if show_rows > MAX_SHOW_ROWS {
        let message = format!(
            "invalid 'show_rows' in {}: expected at most {MAX_SHOW_ROWS}, found {show_rows}",
            cx.label()
        );
        cx.error(&["show_rows"], message);
    }
}

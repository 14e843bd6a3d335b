//! How a script is loaded: the runbook's `on_error`, and who owns the transaction.

/// What to do after a failed statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Stop at the first error (`psql -v ON_ERROR_STOP=1`).
    #[default]
    Stop,
    /// Report the error and go on with the next statement, as plain `psql -f` does; the load
    /// succeeds and its summary lists every error.
    Continue,
}

/// Who owns the transaction a script runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transaction {
    /// None: each statement commits on its own unless the script opens a block, as `psql -f`.
    #[default]
    None,
    /// All or nothing, like `psql -1 -v ON_ERROR_STOP=1`: BEGIN first, ROLLBACK at the first
    /// error (whatever `on_error` says: nothing after an error could be kept), COMMIT at the end.
    Single,
    /// The caller has opened a transaction and will end it (a migration and its history row
    /// commit together): the loader neither begins, commits nor rolls back, stops at the first
    /// error, and refuses what would end or leave the caller's transaction (`\connect`, and
    /// statements that end a transaction block or cannot run in one, told from the parse tree by
    /// `runbook_sql::analysis::transaction_needs`).
    Caller,
}

impl Transaction {
    /// Whether the first error ends the load whatever `on_error` says.
    pub fn stops_at_first_error(self) -> bool {
        self != Transaction::None
    }
}

/// Options for [`Session::load_script`](crate::Session::load_script).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// How the script is named in positions (`schema.sql:7:25`): usually its path.
    pub source_name: String,
    /// The starting behaviour; `\set ON_ERROR_STOP` in the script switches it, as in psql.
    pub on_error: OnError,
    /// Whether the loader wraps the script in a transaction, or runs inside one its caller owns.
    pub transaction: Transaction,
    /// The file's size, when known, for progress reports.
    pub total_bytes: Option<u64>,
    /// How many rows of each result set a statement returns are kept for the observer (see
    /// [`ResultTable`](super::ResultTable)); 0 keeps none and skips describing the statement.
    pub show_rows: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            source_name: "<script>".to_owned(),
            on_error: OnError::Stop,
            transaction: Transaction::None,
            total_bytes: None,
            show_rows: super::results::DEFAULT_SHOW_ROWS,
        }
    }
}

impl LoadOptions {
    /// Options for a script known by `source_name`, otherwise the defaults.
    pub fn named(source_name: impl Into<String>) -> LoadOptions {
        LoadOptions {
            source_name: source_name.into(),
            ..LoadOptions::default()
        }
    }
}

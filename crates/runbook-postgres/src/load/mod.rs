//! Loading a psql script over a session, statement by statement, as `psql -f` would.
//!
//! A blocking thread reads and lexes the file with `runbook_sql::ScriptReader` and feeds items
//! through a bounded channel (`feed.rs`), so reading overlaps execution and memory stays the
//! same for a 5 MB or a 5 GB dump. The executor (`executor.rs`) sends each statement on its own
//! (a multi-statement simple query would be one implicit transaction, which psql never does),
//! streams COPY data through `copy_in`, acts on the meta-commands, and reports every statement
//! to a [`LoadObserver`]. Errors are mapped from the server's character position back to
//! `file:line:col` with a caret excerpt (`excerpt.rs`).

mod connect_args;
mod excerpt;
mod executor;
mod feed;
mod observer;
mod options;
mod results;
mod summary;

pub use connect_args::apply as connect_target;
pub use observer::{LoadObserver, NoopObserver, StatementOutcome};
pub use options::{LoadOptions, OnError, Transaction};
pub use results::{
    DEFAULT_SHOW_ROWS, MAX_CELL_BYTES, MAX_TABLE_BYTES, ResultColumn, ResultTable, split_cut_value,
};
pub use summary::LoadSummary;

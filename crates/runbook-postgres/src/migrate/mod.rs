//! Migration history on PostgreSQL: the history tables Flyway and Prisma Migrate create, their
//! lock, and applying one migration together with its row, as those tools do.
//!
//! The pure decisions (which files, which order, which checksums, which rows, what a plan or a
//! repair changes) are `runbook_migrate`'s; this module does the I/O. A migrate step runs:
//!
//! 1. [`lock`] (a session of its own holding Flyway's or Prisma's advisory lock),
//! 2. [`read_history`] (`None`: no table yet) and, for a plan on a new table,
//!    [`schema_is_empty`]; [`create_history`] when the plan goes ahead;
//! 3. [`insert_row`] for a baseline; [`apply`] for each pending migration, in order;
//!    [`apply_changes`] for `repair` / `resolve`;
//! 4. [`HistoryLock::release`].
//!
//! Every name in SQL is quoted ([`crate::quote_ident`]); every value is a typed parameter.

mod apply;
mod apply_prisma;
mod changes;

pub mod ddl;
mod errors;
mod history;
mod lock;
mod scan;
mod search_path;
mod table;
mod typed;

pub use apply::{Applied, OpenScript, apply};

pub use changes::apply_changes;
pub use errors::{ApplyFailed, MigrateDbError};
pub use history::{
    Created, SCHEMA_MARKER_DESCRIPTION, create_history, current_user, insert_row, installed_by,
    read_history, schema_is_empty, table_exists,
};
pub use lock::{HistoryLock, LockOptions, lock};
pub use scan::{NonTransactionalReason, ScanRefusal, TransactionMode, transaction_mode};
pub use search_path::{
    SavedSearchPath, enter as enter_search_path, restore as restore_search_path,
};
pub use table::{HistoryTable, history_table};

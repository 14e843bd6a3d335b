//! PostgreSQL adapter: connections, psql-compatible script loading, queries, cancel, ephemeral
//! clusters. The only crate in the workspace that imports tokio-postgres.
//!
//! Data flows in one direction:
//!
//! - [`ConnectionSpec`] turns a runbook's `url:` (libpq URL or `key=value`, plus `PG*`
//!   variables read through an [`Env`]) into everything needed to connect; it prints itself
//!   with the password as `****`.
//! - [`Session::connect`] opens a session over TCP (TLS per `sslmode`, on rustls) or a Unix
//!   socket. The driver's connection runs in a task that collects server notices, so each
//!   statement's NOTICE and WARNING messages come back with it.
//! - [`Session::query`] (extended protocol, text parameters) and [`Session::simple_query`]
//!   (simple protocol, for user-written gate SQL) return [`Rows`] of text values.
//! - [`Session::load_script`] runs a psql script read by `runbook_sql::ScriptReader`: one
//!   statement at a time, COPY streamed, errors at `file:line:col` ([`load`]).
//! - [`migrate`] reads and writes Flyway's and Prisma's history tables, takes their lock and
//!   applies one migration together with its history row.
//! - [`CancelHandle`] sends a CancelRequest from any task and stops a script load.
//! - [`ephemeral::EphemeralCluster`] runs a throwaway local cluster (initdb + pg_ctl).
//!
//! Errors are typed ([`errors`]), never contain a password, and always unpack the server's
//! SQLSTATE, DETAIL, HINT and CONTEXT (see [`ServerMessage`]).

mod cancel;
mod env;
pub mod ephemeral;
pub mod errors;
mod ident;
mod libpq_files;
pub mod load;
pub mod migrate;
mod rows;
mod server_message;
mod session;
mod spec;
mod text_value;
mod tls;

pub use cancel::CancelHandle;
pub use env::{EmptyEnv, Env, ProcessEnv};
pub use errors::{
    ConnectError, EphemeralError, Excerpt, LoadError, LoadErrorKind, QueryError, ScriptError,
    ScriptErrorKind, SpecError, StatementFailure,
};
pub use ident::{quote_ident, quote_literal};
pub use load::{
    LoadObserver, LoadOptions, LoadSummary, NoopObserver, OnError, StatementOutcome, Transaction,
};
pub use migrate::{ApplyFailed, MigrateDbError};
pub use rows::{Executed, Rows};
pub use server_message::{
    KEPT_HEAD_BYTES, KEPT_TAIL_BYTES, MAX_SERVER_FIELD_BYTES, ServerMessage, ServerPosition,
    bounded_field,
};
pub use session::{MAX_NOTICES_PER_STATEMENT, MAX_WARNINGS_PER_STATEMENT, ServerVersion, Session};
pub use spec::{ConnectionSpec, DEFAULT_APPLICATION_NAME, Host, SslMode, connection_secrets};

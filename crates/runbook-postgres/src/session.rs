//! One server session: connect, run queries, collect notices, cancel.
//!
//! The driver's `Connection` runs in a spawned task that polls it with `poll_message`, so
//! NOTICE and WARNING messages land in an inbox instead of the `log` crate. Messages reach the
//! inbox in the order the server sent them, before the response they precede, so draining the
//! inbox after a statement completes yields exactly that statement's notices.

use std::sync::{Arc, Mutex, PoisonError};

use futures_util::{StreamExt, pin_mut};
use tokio_postgres::{AsyncMessage, Client, SimpleQueryMessage};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::cancel::CancelHandle;
use crate::errors::{ConnectError, QueryError};
use crate::rows::{Executed, Rows};
use crate::server_message::ServerMessage;
use crate::spec::{ConnectionSpec, Host, SslMode};
use crate::text_value::{TextCell, TextParam, Unsupported};
use crate::tls;

/// More notices than this from one statement are counted, not kept: a loop that raises a
/// notice per row must not exhaust memory. The budget is per severity class: NOTICE and below
/// (INFO, LOG, DEBUG) share one, WARNING and above another, so a flood of notices never pushes
/// out a later WARNING (after 1000 notices a WARNING used to become "1001 more notices").
pub const MAX_NOTICES_PER_STATEMENT: usize = 1000;
/// How many WARNING-or-worse messages one statement keeps; see [`MAX_NOTICES_PER_STATEMENT`].
pub const MAX_WARNINGS_PER_STATEMENT: usize = 1000;

/// The server's version, from `server_version_num` and `server_version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersion {
    /// e.g. 150018 for 15.18.
    pub num: u32,
    /// e.g. "15.18 (Debian 15.18-0+deb12u1)".
    pub text: String,
}

impl ServerVersion {
    pub fn major(&self) -> u32 {
        self.num / 10000
    }
}

/// An open session on one database.
#[derive(Debug)]
pub struct Session {
    client: Client,
    spec: ConnectionSpec,
    inbox: Arc<Mutex<Inbox>>,
    cancel: CancelHandle,
    version: ServerVersion,
    standard_conforming_strings: bool,
}

#[derive(Debug, Default)]
struct Inbox {
    notices: Vec<ServerMessage>,
    /// How many of `notices` are WARNING or worse.
    warnings: usize,
    dropped_notices: usize,
    dropped_warnings: usize,
}

impl Inbox {
    /// Keeps `message` unless its severity class has used its budget; then counts it.
    fn receive(&mut self, message: ServerMessage) {
        let serious = is_warning_or_worse(&message.severity);
        if serious {
            if self.warnings < MAX_WARNINGS_PER_STATEMENT {
                self.warnings += 1;
                self.notices.push(message);
            } else {
                self.dropped_warnings += 1;
            }
        } else if self.notices.len() - self.warnings < MAX_NOTICES_PER_STATEMENT {
            self.notices.push(message);
        } else {
            self.dropped_notices += 1;
        }
    }
}

/// WARNING, ERROR, FATAL, PANIC: what an operator must see even under a flood of NOTICEs.
fn is_warning_or_worse(severity: &str) -> bool {
    matches!(severity, "WARNING" | "ERROR" | "FATAL" | "PANIC")
}

/// What a fresh connection brings: the parts `\connect` swaps in.
struct Opened {
    client: Client,
    inbox: Arc<Mutex<Inbox>>,
    tls: MakeRustlsConnect,
}

impl Session {
    /// Opens a session; the error names the redacted URL it tried.
    pub async fn connect(spec: &ConnectionSpec) -> Result<Session, ConnectError> {
        let opened = open(spec).await?;
        let cancel = CancelHandle::new(opened.client.cancel_token(), opened.tls, spec.redacted());
        let mut session = Session {
            client: opened.client,
            spec: spec.clone(),
            inbox: opened.inbox,
            cancel,
            version: ServerVersion {
                num: 0,
                text: String::new(),
            },
            standard_conforming_strings: true,
        };
        session.read_settings().await?;
        Ok(session)
    }

    /// Replaces the connection with one to `spec` (`\connect`); the cancel handle follows.
    pub(crate) async fn reconnect(&mut self, spec: &ConnectionSpec) -> Result<(), ConnectError> {
        let opened = open(spec).await?;
        self.cancel
            .replace_connection(opened.client.cancel_token(), opened.tls, spec.redacted());
        self.client = opened.client;
        self.inbox = opened.inbox;
        self.spec = spec.clone();
        self.read_settings().await
    }

    async fn read_settings(&mut self) -> Result<(), ConnectError> {
        let sql = "SELECT current_setting('server_version_num'), current_setting('server_version'), \
                   current_setting('standard_conforming_strings')";
        let rows = self
            .simple_query(sql)
            .await
            .map_err(|e| ConnectError::Failed {
                target: self.spec.redacted(),
                reason: format!("cannot read the server's settings: {e}"),
                sqlstate: e.sqlstate().map(str::to_owned),
            })?;
        let row = rows.rows.first().cloned().unwrap_or_default();
        let cell = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        self.version = ServerVersion {
            num: cell(0).parse().unwrap_or(0),
            text: cell(1),
        };
        self.standard_conforming_strings = cell(2) != "off";
        Ok(())
    }

    /// The spec this session is connected with (after any `\connect`, the new database).
    pub fn spec(&self) -> &ConnectionSpec {
        &self.spec
    }

    pub fn server_version(&self) -> &ServerVersion {
        &self.version
    }

    /// The server's `standard_conforming_strings` when the session opened; the script reader
    /// must lex string literals the same way.
    pub fn standard_conforming_strings(&self) -> bool {
        self.standard_conforming_strings
    }

    /// A handle that cancels whatever this session runs, from any task.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// Whether the connection is gone (server restart, network loss).
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Notices raised since the last call, oldest first. A count of dropped ones is appended as
    /// a synthetic notice when a statement raised more than can be kept.
    pub fn take_notices(&self) -> Vec<ServerMessage> {
        let mut inbox = self.inbox.lock().unwrap_or_else(PoisonError::into_inner);
        let mut notices = std::mem::take(&mut inbox.notices);
        inbox.warnings = 0;
        let dropped_notices = std::mem::take(&mut inbox.dropped_notices);
        let dropped_warnings = std::mem::take(&mut inbox.dropped_warnings);
        let note = |severity: &str, message: String| ServerMessage {
            severity: severity.to_owned(),
            code: "00000".to_owned(),
            message,
            detail: None,
            hint: None,
            context: None,
            position: None,
        };
        if dropped_warnings > 0 {
            notices.push(note(
                "WARNING",
                format!(
                    "{dropped_warnings} more warnings were not kept (at most {MAX_WARNINGS_PER_STATEMENT} a statement)"
                ),
            ));
        }
        if dropped_notices > 0 {
            notices.push(note(
                "NOTICE",
                format!("{dropped_notices} more notices were not kept"),
            ));
        }
        notices
    }

    /// One statement through the extended protocol, with text parameters (`$1`, `$2`, ...)
    /// whose types the server infers. Values come back as text; types without a text rendering
    /// here are an error that asks for a `::text` cast.
    pub async fn query(&self, sql: &str, params: &[&str]) -> Result<Rows, QueryError> {
        self.take_notices();
        let params: Vec<TextParam<'_>> = params.iter().map(|p| TextParam(p)).collect();
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        let statement = self.client.prepare(sql).await.map_err(|e| self.error(&e))?;
        // The driver panics on a mismatch; say it instead.
        if statement.params().len() != params.len() {
            return Err(QueryError::ParameterCount {
                expected: statement.params().len(),
                found: params.len(),
            });
        }
        let rows = self
            .client
            .query(&statement, &refs)
            .await
            .map_err(|e| self.error(&e))?;
        let columns: Vec<String> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut values = Vec::with_capacity(columns.len());
            for (index, column) in statement.columns().iter().enumerate() {
                match row.try_get::<_, TextCell>(index) {
                    Ok(TextCell(value)) => values.push(value),
                    Err(e) if is_unsupported(&e) => {
                        return Err(QueryError::UnsupportedType {
                            column: column.name().to_owned(),
                            type_name: column.type_().name().to_owned(),
                        });
                    }
                    Err(e) => return Err(self.error(&e)),
                }
            }
            out.push(values);
        }
        Ok(Rows {
            columns,
            rows_affected: Some(out.len() as u64),
            rows: out,
            notices: self.take_notices(),
        })
    }

    /// One statement, as the server itself counts them, run through the simple protocol so that
    /// every value comes back as text, as psql shows it. The text is parsed first through the
    /// extended protocol, which refuses several commands ("cannot insert multiple commands into
    /// a prepared statement"): nothing can ride along behind a `;` that a client-side split
    /// missed (a server with `standard_conforming_strings = off` reads `'a\';` differently).
    pub async fn query_one_statement(&self, sql: &str) -> Result<Rows, QueryError> {
        self.take_notices();
        self.client.prepare(sql).await.map_err(|e| self.error(&e))?;
        self.simple_query(sql).await
    }

    /// SQL through the simple protocol, as psql sends it: for user-written gate queries. With
    /// several statements (one implicit transaction, as the protocol defines), the result is the
    /// last statement's.
    pub async fn simple_query(&self, sql: &str) -> Result<Rows, QueryError> {
        self.take_notices();
        let stream = self
            .client
            .simple_query_raw(sql)
            .await
            .map_err(|e| self.error(&e))?;
        pin_mut!(stream);
        let mut current = Rows::default();
        let mut last = Rows::default();
        while let Some(message) = stream.next().await {
            match message.map_err(|e| self.error(&e))? {
                SimpleQueryMessage::RowDescription(columns) => {
                    current.columns = columns.iter().map(|c| c.name().to_owned()).collect();
                }
                SimpleQueryMessage::Row(row) => {
                    current.rows.push(
                        (0..row.len())
                            .map(|i| row.get(i).map(str::to_owned))
                            .collect(),
                    );
                }
                SimpleQueryMessage::CommandComplete(count) => {
                    current.rows_affected = Some(count);
                    last = std::mem::take(&mut current);
                }
                _ => {}
            }
        }
        last.notices = self.take_notices();
        Ok(last)
    }

    /// Runs SQL through the simple protocol, discarding any rows (counted, not kept).
    pub async fn execute(&self, sql: &str) -> Result<Executed, QueryError> {
        self.take_notices();
        let rows_affected = self.run_simple(sql).await?;
        Ok(Executed {
            rows_affected,
            notices: self.take_notices(),
        })
    }

    /// The simple-protocol round trip without notice handling: the loader drains notices itself.
    pub(crate) async fn run_simple(&self, sql: &str) -> Result<Option<u64>, QueryError> {
        let stream = self
            .client
            .simple_query_raw(sql)
            .await
            .map_err(|e| self.error(&e))?;
        pin_mut!(stream);
        let mut rows_affected = None;
        while let Some(message) = stream.next().await {
            if let SimpleQueryMessage::CommandComplete(count) =
                message.map_err(|e| self.error(&e))?
            {
                rows_affected = Some(count);
            }
        }
        Ok(rows_affected)
    }

    /// `pg_try_advisory_lock(key)`: a session-level lock, released when the session ends.
    pub async fn try_advisory_lock(&self, key: i64) -> Result<bool, QueryError> {
        self.bool_query("SELECT pg_try_advisory_lock($1::bigint)", key)
            .await
    }

    /// `pg_advisory_unlock(key)`; false when this session did not hold it.
    pub async fn advisory_unlock(&self, key: i64) -> Result<bool, QueryError> {
        self.bool_query("SELECT pg_advisory_unlock($1::bigint)", key)
            .await
    }

    async fn bool_query(&self, sql: &str, key: i64) -> Result<bool, QueryError> {
        let key = key.to_string();
        let rows = self.query(sql, &[&key]).await?;
        Ok(rows.single_value() == Some(Some("t")))
    }

    pub(crate) fn error(&self, error: &tokio_postgres::Error) -> QueryError {
        QueryError::from_driver(&self.spec.redacted(), error)
    }
}

fn is_unsupported(error: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<Unsupported>() {
            return true;
        }
        source = cause.source();
    }
    false
}

async fn open(spec: &ConnectionSpec) -> Result<Opened, ConnectError> {
    let tls = tls::connector(spec)?;
    let mut config = tokio_postgres::Config::new();
    config
        .port(spec.port())
        .user(spec.user())
        .dbname(spec.dbname())
        .application_name(spec.application_name());
    match spec.host() {
        Host::Tcp(name) => {
            config.host(name);
            config.ssl_mode(match spec.sslmode() {
                SslMode::Disable => tokio_postgres::config::SslMode::Disable,
                SslMode::Allow | SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
                SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                    tokio_postgres::config::SslMode::Require
                }
            });
        }
        Host::Unix(dir) => {
            // The server never speaks TLS on a Unix socket; libpq ignores sslmode there too.
            config.host_path(dir);
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
        }
    }
    if let Some(password) = spec.password() {
        config.password(password);
    }
    if let Some(timeout) = spec.connect_timeout() {
        config.connect_timeout(timeout);
    }
    if let Some(options) = spec.options() {
        config.options(options);
    }
    let connecting = config.connect(tls.clone());
    // tokio-postgres applies connect_timeout to the TCP connect only; libpq's covers the whole
    // connection, and a peer that accepts but never answers (a hung server, a half-open
    // forwarder) would otherwise hang the run forever.
    let connected = match spec.connect_timeout() {
        Some(timeout) => tokio::time::timeout(timeout, connecting)
            .await
            .map_err(|_| ConnectError::Failed {
                target: spec.redacted(),
                reason: format!(
                    "no answer from the server within {}s (connect_timeout)",
                    timeout.as_secs()
                ),
                sqlstate: None,
            })?,
        None => connecting.await,
    };
    let (client, mut connection) = connected.map_err(|e| {
        let mut error = ConnectError::from_driver(spec.redacted(), &e);
        // libpq says where a refused password came from: the file is what to fix.
        if let (
            ConnectError::Failed {
                reason, sqlstate, ..
            },
            Some(file),
        ) = (&mut error, spec.password_file_in_use())
            && sqlstate.as_deref() == Some("28P01")
        {
            reason.push_str(&format!(
                " (password retrieved from file \"{}\")",
                file.display()
            ));
        }
        error
    })?;
    let inbox = Arc::new(Mutex::new(Inbox::default()));
    let sink = Arc::clone(&inbox);
    tokio::spawn(async move {
        loop {
            let message = std::future::poll_fn(|cx| connection.poll_message(cx)).await;
            match message {
                Some(Ok(AsyncMessage::Notice(notice))) => {
                    let message = ServerMessage::from_db_error(&notice);
                    drop(notice);
                    let mut inbox = sink.lock().unwrap_or_else(PoisonError::into_inner);
                    inbox.receive(message);
                }
                Some(Ok(_)) => {}
                // The error reaches the client as a closed connection on its next request.
                Some(Err(_)) | None => break,
            }
        }
    });
    Ok(Opened { client, inbox, tls })
}

#[cfg(test)]
mod inbox_tests {
    use super::*;

    fn message(severity: &str, text: &str) -> ServerMessage {
        ServerMessage {
            severity: severity.to_owned(),
            code: "01000".to_owned(),
            message: text.to_owned(),
            detail: None,
            hint: None,
            context: None,
            position: None,
        }
    }

    #[test]
    fn a_warning_after_a_flood_of_notices_is_kept() {
        let mut inbox = Inbox::default();
        for i in 0..MAX_NOTICES_PER_STATEMENT + 5 {
            inbox.receive(message("NOTICE", &format!("n{i}")));
        }
        inbox.receive(message("WARNING", "the one that matters"));
        assert_eq!(inbox.notices.len(), MAX_NOTICES_PER_STATEMENT + 1);
        assert_eq!(
            inbox.notices.last().unwrap().message,
            "the one that matters"
        );
        assert_eq!(inbox.dropped_notices, 5);
        assert_eq!(inbox.dropped_warnings, 0);
    }

    #[test]
    fn warnings_have_their_own_budget() {
        let mut inbox = Inbox::default();
        for _ in 0..MAX_WARNINGS_PER_STATEMENT + 2 {
            inbox.receive(message("WARNING", "w"));
        }
        inbox.receive(message("NOTICE", "still room for notices"));
        assert_eq!(inbox.dropped_warnings, 2);
        assert_eq!(
            inbox.notices.last().unwrap().message,
            "still room for notices"
        );
    }
}

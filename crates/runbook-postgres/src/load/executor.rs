//! The load loop: one item at a time from the feed, each sent or acted on as psql would.

use std::future::Future;
use std::io::Read;
use std::pin::{Pin, pin};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use runbook_sql::{
    CopyData, CopyDirection, CopyEnd, Item, Meta, MetaCommand, Position, ScriptReader, Statement,
};
use tokio_postgres::{CopyInSink, SimpleQueryMessage};

use super::feed::Feed;
use super::observer::{LoadObserver, StatementOutcome};
use super::options::{LoadOptions, OnError, Transaction};
use super::results::{MAX_TABLE_BYTES, ResultTable, TableBuilder};
use super::summary::LoadSummary;
use super::{connect_args, excerpt};
use crate::cancel::CancelHandle;
use crate::errors::{
    LoadError, LoadErrorKind, QueryError, ScriptError, ScriptErrorKind, StatementFailure,
};
use crate::server_message::{ServerMessage, ServerPosition};
use crate::session::Session;

/// How often a CancelRequest is repeated while a cancelled statement keeps running (the first
/// one may have reached the server before the statement did).
const CANCEL_RESEND: Duration = Duration::from_millis(500);

/// SQLSTATE query_canceled.
const QUERY_CANCELED: &str = "57014";

/// Result sets of one statement kept for the observer (`SELECT 1\; SELECT 2\; ...`); later
/// ones are run and counted in the tag, not kept.
const MAX_TABLES_PER_STATEMENT: usize = 100;

/// What one statement returned.
#[derive(Debug, Default)]
struct Captured {
    /// The last command's row count (what psql's tag would say).
    rows_affected: Option<u64>,
    /// Commands the server completed: more than one for `SELECT 1\; SELECT 2`.
    results: usize,
    tables: Vec<ResultTable>,
}

impl Session {
    /// Runs a psql script on this session, one statement at a time; see the [`load`](crate::load)
    /// module. With `on_error: continue` the load succeeds and the summary lists the errors;
    /// otherwise the first error ends it. After a `\connect` the session stays on the new
    /// database.
    pub async fn load_script<R: Read + Send + 'static>(
        &mut self,
        mut reader: ScriptReader<R>,
        options: &LoadOptions,
        observer: &mut dyn LoadObserver,
    ) -> Result<LoadSummary, LoadError> {
        let started = Instant::now();
        reader.set_standard_conforming_strings(self.standard_conforming_strings());
        let cancel = self.cancel_handle();
        let mut run = Run {
            session: self,
            options,
            observer,
            cancel,
            summary: LoadSummary::default(),
            stop_on_error: options.on_error == OnError::Stop
                || options.transaction.stops_at_first_error(),
            copy: CopyState::Idle,
            pending_encoding: None,
            starts_with_bom: false,
            last_position: Position::START,
            in_block: None,
        };
        let result = run.load(reader).await;
        // A load that stopped inside COPY data (a truncated dump, a NUL byte, a cancel) still
        // holds the COPY's sink: dropping it sends CopyFail, so the server discards every row
        // of that COPY rather than keeping what arrived. It must go before the ROLLBACK below,
        // which the connection would otherwise queue behind the unfinished COPY.
        run.copy = CopyState::Idle;
        let Run {
            session,
            mut summary,
            ..
        } = run;
        summary.duration = started.elapsed();
        let fail = |kind, summary| {
            Err(LoadError {
                kind,
                summary: Box::new(summary),
            })
        };
        match result {
            Ok(()) if options.transaction == Transaction::Single => {
                match session.run_simple("COMMIT").await {
                    Ok(_) => Ok(summary),
                    Err(error) => fail(transaction_error(options, "COMMIT", error), summary),
                }
            }
            Ok(()) => Ok(summary),
            Err(halt) => {
                if options.transaction == Transaction::Single && !session.is_closed() {
                    let _ = session.run_simple("ROLLBACK").await;
                }
                let kind = match halt {
                    Halt::Error(error) => *error,
                    Halt::Cancelled(position) => LoadErrorKind::Cancelled {
                        source_name: options.source_name.clone(),
                        position,
                    },
                    Halt::ReaderFailed => LoadErrorKind::ReaderFailed {
                        source_name: options.source_name.clone(),
                    },
                };
                fail(kind, summary)
            }
        }
    }
}

fn transaction_error(
    options: &LoadOptions,
    action: &'static str,
    error: QueryError,
) -> LoadErrorKind {
    LoadErrorKind::Transaction {
        source_name: options.source_name.clone(),
        action,
        error,
    }
}

/// Why a load ended early.
enum Halt {
    Error(Box<LoadErrorKind>),
    Cancelled(Position),
    ReaderFailed,
}

/// A COPY FROM STDIN in progress.
struct Copying {
    sink: Pin<Box<CopyInSink<Bytes>>>,
    statement: Statement,
    started: Instant,
}

enum CopyState {
    Idle,
    In(Box<Copying>),
    /// The COPY statement failed: its data lines are skipped (psql would send them as SQL).
    Skipping,
}

struct Run<'a> {
    session: &'a mut Session,
    options: &'a LoadOptions,
    observer: &'a mut dyn LoadObserver,
    cancel: CancelHandle,
    summary: LoadSummary,
    stop_on_error: bool,
    copy: CopyState,
    /// A `\encoding` other than UTF-8 that nothing has used yet: pg_dump writes
    /// `\encoding SQL_ASCII` right before a `\connect`, which resets it.
    pending_encoding: Option<(String, Position)>,
    starts_with_bom: bool,
    last_position: Position,
    /// Whether the session is inside a transaction block, when known (see [`describe`]):
    /// asked once, then kept while only statements that cannot open or end a block run.
    in_block: Option<bool>,
}

impl Run<'_> {
    async fn load<R: Read + Send + 'static>(
        &mut self,
        reader: ScriptReader<R>,
    ) -> Result<(), Halt> {
        if self.cancel.is_cancelled() {
            return Err(Halt::Cancelled(Position::START));
        }
        let mut feed = Feed::spawn(reader).map_err(|_| Halt::ReaderFailed)?;
        if self.options.transaction == Transaction::Single {
            self.session.run_simple("BEGIN").await.map_err(|error| {
                Halt::Error(Box::new(transaction_error(self.options, "BEGIN", error)))
            })?;
        }
        loop {
            let fed = tokio::select! {
                biased;
                () = self.cancel.cancelled() => return Err(Halt::Cancelled(self.last_position)),
                fed = feed.next() => fed,
            };
            let Some(fed) = fed.map_err(|()| Halt::ReaderFailed)? else {
                break;
            };
            self.starts_with_bom = fed.starts_with_bom;
            self.summary.bytes_read = fed.bytes_read;
            match fed.item {
                Ok(item) => self.item(item).await?,
                Err(scan) => {
                    let fatal = scan.is_fatal();
                    let error = self.script_error(scan.position, ScriptErrorKind::Scan(scan.kind));
                    self.fail(error, fatal)?;
                }
            }
            self.observer
                .progress(fed.bytes_read, self.options.total_bytes);
        }
        // The reader ends every COPY with a CopyEnd; this only guards against a reader that
        // does not.
        if let CopyState::In(copying) = std::mem::replace(&mut self.copy, CopyState::Idle) {
            let end = copying.statement.end;
            self.finish_copy(*copying, end).await?;
        }
        Ok(())
    }

    async fn item(&mut self, item: Item) -> Result<(), Halt> {
        match item {
            Item::Statement(statement) => self.statement(statement).await,
            Item::CopyData(data) => self.copy_data(data).await,
            Item::CopyEnd(end) => self.copy_end(end).await,
            Item::Meta(meta) => self.meta(meta).await,
        }
    }

    async fn statement(&mut self, statement: Statement) -> Result<(), Halt> {
        self.check_cancelled(statement.start)?;
        self.last_position = statement.start;
        if let Some((encoding, position)) = self.pending_encoding.take() {
            let error =
                self.script_error(position, ScriptErrorKind::UnsupportedEncoding { encoding });
            self.fail(error, false)?;
        }
        if self.options.transaction == Transaction::Caller {
            self.refuse_leaving_the_transaction(&statement)?;
        }
        self.summary.statements += 1;
        let started = Instant::now();
        match statement.copy {
            None => {
                let show_rows = self.options.show_rows;
                let capturing = run_capturing(self.session, &statement.text, show_rows);
                let result = with_cancel(&self.cancel, capturing).await;
                let notices = self.session.take_notices();
                match result {
                    Ok(done) => {
                        let duration = started.elapsed();
                        let mut tables = done.tables;
                        if done.results != 1 || !keeps_transaction_state(&statement) {
                            self.in_block = None;
                        }
                        if done.results == 1 && tables.len() == 1 {
                            let in_block = &mut self.in_block;
                            describe(
                                self.session,
                                &self.cancel,
                                &statement.text,
                                &mut tables[0],
                                in_block,
                            )
                            .await;
                        }
                        self.report(
                            &statement,
                            statement.end,
                            done.rows_affected,
                            duration,
                            &notices,
                            &tables,
                        );
                        Ok(())
                    }
                    Err(error) => self.statement_failed(&statement, error, notices, false),
                }
            }
            Some(CopyDirection::FromStdin) => {
                let client = self.session.client();
                let result =
                    with_cancel(&self.cancel, client.copy_in::<str, Bytes>(&statement.text)).await;
                match result {
                    Ok(sink) => {
                        self.copy = CopyState::In(Box::new(Copying {
                            sink: Box::pin(sink),
                            statement,
                            started,
                        }));
                        Ok(())
                    }
                    Err(error) => {
                        self.copy = CopyState::Skipping;
                        let error = self.session.error(&error);
                        let notices = self.session.take_notices();
                        // tokio-postgres loses the connection when the server rejects a COPY
                        // before copy mode (its copy_in sends Sync twice; rust-postgres #789,
                        // PR #1337). Keep the session usable for the caller, but stop: a fresh
                        // connection has lost the script's settings and transaction.
                        let spec = self.session.spec().clone();
                        let _ = self.session.reconnect(&spec).await;
                        self.statement_failed(&statement, error, notices, true)
                    }
                }
            }
            Some(CopyDirection::ToStdout) => {
                let cancel = self.cancel.clone();
                let result = with_cancel(&cancel, self.copy_out(&statement.text)).await;
                let notices = self.session.take_notices();
                match result {
                    Ok(rows) => {
                        let duration = started.elapsed();
                        self.report(&statement, statement.end, rows, duration, &notices, &[]);
                        Ok(())
                    }
                    Err(error) => self.statement_failed(&statement, error, notices, false),
                }
            }
        }
    }

    /// Streams COPY TO STDOUT output to the observer; returns the row count (the server sends
    /// one CopyData message per row).
    async fn copy_out(&mut self, text: &str) -> Result<Option<u64>, QueryError> {
        let stream = self
            .session
            .client()
            .copy_out(text)
            .await
            .map_err(|e| self.session.error(&e))?;
        let mut stream = pin!(stream);
        let mut rows = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.session.error(&e))?;
            rows += 1;
            self.summary.copy_out_bytes += chunk.len() as u64;
            self.observer.copy_out(&chunk);
        }
        Ok(Some(rows))
    }

    async fn copy_data(&mut self, data: CopyData) -> Result<(), Halt> {
        let CopyState::In(copying) = &mut self.copy else {
            return Ok(());
        };
        if self.cancel.is_cancelled() {
            // Dropping the sink aborts the COPY on the server.
            let position = copying.statement.start;
            self.copy = CopyState::Idle;
            return Err(Halt::Cancelled(position));
        }
        let result = with_cancel(&self.cancel, copying.sink.send(Bytes::from(data.bytes))).await;
        if let Err(error) = result {
            let CopyState::In(copying) = std::mem::replace(&mut self.copy, CopyState::Skipping)
            else {
                return Ok(());
            };
            let error = self.session.error(&error);
            let notices = self.session.take_notices();
            return self.statement_failed(&copying.statement, error, notices, false);
        }
        Ok(())
    }

    async fn copy_end(&mut self, end: CopyEnd) -> Result<(), Halt> {
        match std::mem::replace(&mut self.copy, CopyState::Idle) {
            CopyState::In(copying) => self.finish_copy(*copying, end.position).await,
            CopyState::Idle | CopyState::Skipping => Ok(()),
        }
    }

    async fn finish_copy(&mut self, mut copying: Copying, end: Position) -> Result<(), Halt> {
        let result = with_cancel(&self.cancel, copying.sink.as_mut().finish()).await;
        let notices = self.session.take_notices();
        match result {
            Ok(rows) => {
                self.summary.rows_copied += rows;
                self.report(
                    &copying.statement,
                    end,
                    Some(rows),
                    copying.started.elapsed(),
                    &notices,
                    &[],
                );
                Ok(())
            }
            Err(error) => {
                let error = self.session.error(&error);
                self.statement_failed(&copying.statement, error, notices, false)
            }
        }
    }

    async fn meta(&mut self, meta: Meta) -> Result<(), Halt> {
        let position = meta.position;
        match meta.command {
            // The reader checks that the keys pair up; nothing reaches the server.
            MetaCommand::Restrict { .. } | MetaCommand::Unrestrict { .. } => Ok(()),
            MetaCommand::Echo { text } => {
                self.observer.echo(&text, position);
                Ok(())
            }
            MetaCommand::Set { name, value } if name == "ON_ERROR_STOP" => {
                // psql: `\set ON_ERROR_STOP` without a value turns it on; a value that is not
                // a boolean is an error of the `\set` and changes nothing.
                let given = if value.is_empty() { "on" } else { &value };
                match runbook_sql::analysis::parse_bool(given) {
                    Some(on) => {
                        self.stop_on_error = on || self.options.transaction.stops_at_first_error();
                        Ok(())
                    }
                    None => {
                        let kind = ScriptErrorKind::InvalidBoolean {
                            variable: name,
                            value,
                        };
                        let error = self.script_error(position, kind);
                        self.fail(error, false)
                    }
                }
            }
            MetaCommand::Set { .. } => Ok(()),
            MetaCommand::Unset { name } => {
                if name == "ON_ERROR_STOP" {
                    self.stop_on_error = self.options.transaction.stops_at_first_error();
                }
                Ok(())
            }
            MetaCommand::Encoding { encoding } => {
                self.pending_encoding = encoding.filter(|e| !is_utf8(e)).map(|e| (e, position));
                Ok(())
            }
            MetaCommand::Connect { args } => self.connect(&args, position).await,
        }
    }

    async fn connect(&mut self, args: &[String], position: Position) -> Result<(), Halt> {
        self.check_cancelled(position)?;
        self.last_position = position;
        if self.options.transaction != Transaction::None {
            let error = self.script_error(position, ScriptErrorKind::ConnectInSingleTransaction);
            return self.fail(error, true);
        }
        // A \connect starts a fresh session in UTF-8: a preceding \encoding applied to its
        // arguments only (pg_dump's `\encoding SQL_ASCII` before `\connect "dbname='x'"`).
        self.pending_encoding = None;
        let spec = match connect_args::apply(self.session.spec(), &crate::env::ProcessEnv, args) {
            Ok(spec) => spec,
            Err(reason) => {
                let error =
                    self.script_error(position, ScriptErrorKind::ConnectArguments { reason });
                return self.fail(error, true);
            }
        };
        match self.session.reconnect(&spec).await {
            Ok(()) => {
                self.in_block = None;
                self.observer.connected(&spec, position);
                Ok(())
            }
            // psql would carry on in the old database; statements meant for the new one must
            // not run there.
            Err(error) => {
                let error = self.script_error(position, ScriptErrorKind::Reconnect(error));
                self.fail(error, true)
            }
        }
    }

    fn report(
        &mut self,
        statement: &Statement,
        end: Position,
        rows: Option<u64>,
        duration: Duration,
        notices: &[ServerMessage],
        results: &[ResultTable],
    ) {
        let tag = statement.summary();
        self.observer.statement(&StatementOutcome {
            text: &statement.text,
            start: statement.start,
            end,
            tag: &tag,
            rows,
            duration,
            notices,
            results,
        });
    }
}

/// Runs one statement through the simple protocol (as psql sends it), keeping the first rows
/// of what it returns within the budget of [`results`](super::results).
async fn run_capturing(
    session: &Session,
    sql: &str,
    show_rows: usize,
) -> Result<Captured, QueryError> {
    let stream = session
        .client()
        .simple_query_raw(sql)
        .await
        .map_err(|e| session.error(&e))?;
    let mut stream = pin!(stream);
    let mut captured = Captured::default();
    let mut budget = MAX_TABLE_BYTES;
    let mut current: Option<TableBuilder> = None;
    while let Some(message) = stream.next().await {
        match message.map_err(|e| session.error(&e))? {
            SimpleQueryMessage::RowDescription(columns) => {
                let names = columns.iter().map(|c| c.name().to_owned()).collect();
                current = Some(TableBuilder::new(names, show_rows, budget));
            }
            SimpleQueryMessage::Row(row) => {
                if let Some(builder) = current.as_mut() {
                    builder.push((0..row.len()).map(|i| row.get(i)));
                }
            }
            SimpleQueryMessage::CommandComplete(count) => {
                captured.rows_affected = Some(count);
                captured.results += 1;
                if let Some(builder) = current.take() {
                    budget = builder.remaining_budget();
                    if show_rows > 0 && captured.tables.len() < MAX_TABLES_PER_STATEMENT {
                        captured.tables.push(builder.finish());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(captured)
}

/// Fills in the column types of a statement's one result set, which the simple protocol
/// does not pass on (tokio-postgres keeps only the names): psql right-aligns numbers by
/// type. The statement, which has just run, is described again through the extended
/// protocol (Parse and Describe, nothing executed). Inside a transaction block this runs
/// under a savepoint, so that a statement that cannot be described (its parse context
/// changed, a name the script took) leaves the script's transaction as it was; the columns
/// then stay left-aligned.
async fn describe(
    session: &Session,
    cancel: &CancelHandle,
    sql: &str,
    table: &mut ResultTable,
    in_block: &mut Option<bool>,
) {
    if table.columns.is_empty() || !table.alignment_matters() {
        return;
    }
    if let Some(types) = with_cancel(cancel, column_types(session, sql, in_block)).await
        && types.len() == table.columns.len()
    {
        for (column, oid) in table.columns.iter_mut().zip(types) {
            column.type_oid = Some(oid);
        }
    }
    // Nothing of the describing is the statement's.
    let _ = session.take_notices();
}

async fn column_types(
    session: &Session,
    sql: &str,
    known_in_block: &mut Option<bool>,
) -> Option<Vec<u32>> {
    let client = session.client();
    let in_block = match *known_in_block {
        Some(known) => known,
        None => {
            // Outside a block each simple query is its own transaction and both stamps are
            // its start; inside one, the transaction began with an earlier statement.
            let probe = client
                .simple_query(
                    "SELECT pg_catalog.statement_timestamp() <> pg_catalog.transaction_timestamp()",
                )
                .await
                .ok()?;
            let found = probe
                .iter()
                .any(|m| matches!(m, SimpleQueryMessage::Row(row) if row.get(0) == Some("t")));
            *known_in_block = Some(found);
            found
        }
    };
    if in_block {
        client
            .batch_execute("SAVEPOINT runbook_describe")
            .await
            .ok()?;
    }
    let described = client.prepare(sql).await;
    let types = described
        .as_ref()
        .ok()
        .map(|s| s.columns().iter().map(|c| c.type_().oid()).collect());
    drop(described);
    if in_block {
        let end = if types.is_some() {
            "RELEASE SAVEPOINT runbook_describe"
        } else {
            "ROLLBACK TO SAVEPOINT runbook_describe; RELEASE SAVEPOINT runbook_describe"
        };
        client.batch_execute(end).await.ok()?;
    }
    types
}

impl Run<'_> {
    /// Reports a failed statement. `connection_reset`: the failure cost the session its
    /// connection (a rejected COPY), so the load stops whatever the error was.
    fn statement_failed(
        &mut self,
        statement: &Statement,
        error: QueryError,
        notices: Vec<ServerMessage>,
        connection_reset: bool,
    ) -> Result<(), Halt> {
        self.in_block = None;
        let message = match error {
            QueryError::Server(message) => message,
            other => {
                let lost = matches!(other, QueryError::ConnectionLost { .. });
                let error = self.script_error(statement.start, ScriptErrorKind::Query(other));
                return self.fail(error, lost || connection_reset);
            }
        };
        if message.code == QUERY_CANCELED && self.cancel.is_cancelled() {
            return Err(Halt::Cancelled(statement.start));
        }
        let (position, excerpt) = match &message.position {
            Some(ServerPosition::Original(at)) => (
                statement.position_of_char(*at),
                excerpt::excerpt(statement, *at),
            ),
            _ => (
                copy_row_position(statement, message.context.as_deref()).unwrap_or(statement.start),
                None,
            ),
        };
        let failure = StatementFailure {
            server: *message,
            statement_start: statement.start,
            statement_line: Some(crate::errors::statement_first_line(&statement.text)),
            excerpt,
            bom_hint: self.starts_with_bom && self.summary.statements == 1,
            connection_reset,
            notices,
        };
        let error = self.script_error(position, ScriptErrorKind::Server(Box::new(failure)));
        self.fail(error, connection_reset)
    }

    /// In a transaction the caller owns, a statement that would end it (or that the server
    /// refuses inside one) is not sent: the caller decides how such a script runs.
    fn refuse_leaving_the_transaction(&mut self, statement: &Statement) -> Result<(), Halt> {
        use runbook_sql::analysis::{TransactionNeed, transaction_needs};
        let need = transaction_needs(
            &statement.text,
            statement.standard_conforming_strings,
            self.session.server_version().num,
        );
        let statement_kind = match need {
            TransactionNeed::ControlsTransaction(what)
            | TransactionNeed::OutsideTransaction(what) => what,
            // The server will say what is wrong with it, with its position.
            TransactionNeed::Any | TransactionNeed::Unparsed(_) => return Ok(()),
        };
        let error = self.script_error(
            statement.start,
            ScriptErrorKind::LeavesCallerTransaction { statement_kind },
        );
        self.fail(error, true)
    }

    fn script_error(&self, position: Position, kind: ScriptErrorKind) -> ScriptError {
        ScriptError {
            source_name: self.options.source_name.clone(),
            position,
            kind,
        }
    }

    /// Reports an error and decides whether the load goes on.
    fn fail(&mut self, error: ScriptError, always_stop: bool) -> Result<(), Halt> {
        self.observer.error(&error);
        if self.stop_on_error || always_stop {
            self.summary.error_count += 1;
            Err(Halt::Error(Box::new(LoadErrorKind::Script(error))))
        } else {
            self.summary.record_error(error);
            Ok(())
        }
    }

    fn check_cancelled(&self, position: Position) -> Result<(), Halt> {
        if self.cancel.is_cancelled() {
            Err(Halt::Cancelled(position))
        } else {
            Ok(())
        }
    }
}

/// Whether a statement that completed leaves the session in or out of a transaction block as
/// it was: its leading keyword is one that cannot begin or end one (`BEGIN`, `COMMIT`,
/// `ROLLBACK`, `PREPARE TRANSACTION`, a `CALL` or `DO` that commits are not among them).
fn keeps_transaction_state(statement: &Statement) -> bool {
    const KEEPS: [&str; 29] = [
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "MERGE",
        "VALUES",
        "TABLE",
        "WITH",
        "SHOW",
        "EXPLAIN",
        "CREATE",
        "ALTER",
        "DROP",
        "COMMENT",
        "GRANT",
        "REVOKE",
        "COPY",
        "TRUNCATE",
        "ANALYZE",
        "LOCK",
        "NOTIFY",
        "REFRESH",
        "SECURITY",
        "SET",
        "RESET",
        "REINDEX",
        "CLUSTER",
        "SAVEPOINT",
        "RELEASE",
    ];
    let tag = statement.summary();
    let first = tag.split_whitespace().next().unwrap_or("");
    KEEPS.iter().any(|k| first.eq_ignore_ascii_case(k))
}

/// Runs `future`; once the handle is cancelled, repeats the CancelRequest until the future
/// ends, since the first request may have arrived while nothing was running.
async fn with_cancel<F: Future>(cancel: &CancelHandle, future: F) -> F::Output {
    let mut future = pin!(future);
    if !cancel.is_cancelled() {
        tokio::select! {
            output = &mut future => return output,
            () = cancel.cancelled() => {}
        }
    }
    loop {
        tokio::select! {
            output = &mut future => return output,
            () = tokio::time::sleep(CANCEL_RESEND) => {
                let _ = cancel.send_cancel_request().await;
            }
        }
    }
}

/// `UTF8`, `utf-8`, `Unicode`: the spellings PostgreSQL accepts for its UTF8 encoding.
fn is_utf8(encoding: &str) -> bool {
    let normalized = encoding.to_ascii_uppercase().replace(['-', '_'], "");
    normalized == "UTF8" || normalized == "UNICODE"
}

/// The file line of the data row a COPY error names. The server's CONTEXT says which row of the
/// COPY failed ("COPY film, line 1042, column film_id: ..."; the word is translated with
/// `lc_messages`, so only its shape is read), and in pg_dump's text format row N is the N-th
/// line after the statement. CSV rows may span lines, so CSV keeps the statement's position.
fn copy_row_position(statement: &Statement, context: Option<&str>) -> Option<Position> {
    if statement.copy != Some(runbook_sql::CopyDirection::FromStdin)
        || statement.text.to_ascii_lowercase().contains("csv")
    {
        return None;
    }
    let first = context?.split('\n').next()?;
    let rest = first.strip_prefix("COPY ")?;
    let (_, after_table) = rest.split_once(", ")?;
    let (_, after_word) = after_table.split_once(' ')?;
    let digits: String = after_word
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let row: u32 = digits.parse().ok()?;
    Some(Position {
        // The row's own byte offset is not known here; the statement's end is the closest.
        offset: statement.end.offset,
        line: statement.end.line.checked_add(row)?,
        column: 1,
    })
}

#[cfg(test)]
mod tests {
    use runbook_sql::{Item, ScriptReader, Statement};

    use super::copy_row_position;

    fn copy_statement(script: &str) -> Statement {
        match ScriptReader::new(script.as_bytes()).next() {
            Some(Ok(Item::Statement(statement))) => statement,
            other => panic!("not a statement: {other:?}"),
        }
    }

    #[test]
    fn the_row_of_a_copy_error_is_found_in_any_language() {
        // The COPY ends on line 2, so data row N is on line 2 + N.
        let statement = copy_statement("\nCOPY public.film (film_id) FROM stdin;\n1\n");
        for context in [
            "COPY film, line 3, column film_id: \"x\"",
            "COPY film, 行 3, 列 film_id: \"x\"",
            "COPY film, Zeile 3, Spalte film_id: »x«",
            "COPY film, line 3: \"x\"\nSQL statement ...",
        ] {
            let at = copy_row_position(&statement, Some(context)).expect(context);
            assert_eq!((at.line, at.column), (5, 1), "{context}");
        }
        assert_eq!(
            copy_row_position(&statement, Some("PL/pgSQL function f()")),
            None
        );
        assert_eq!(copy_row_position(&statement, None), None);
    }

    #[test]
    fn csv_rows_may_span_lines_so_they_keep_the_statement_position() {
        let statement = copy_statement("COPY t FROM stdin WITH (FORMAT csv);\n");
        assert_eq!(copy_row_position(&statement, Some("COPY t, line 3")), None);
        let not_copy = copy_statement("SELECT 1;\n");
        assert_eq!(copy_row_position(&not_copy, Some("COPY t, line 3")), None);
    }
}

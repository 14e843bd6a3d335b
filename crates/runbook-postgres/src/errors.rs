//! Every error this crate returns.
//!
//! Messages are lowercase fragments that read well after "failed to ...", name the place
//! (a redacted URL, a `file:line:col`) and carry the server's own words with their SQLSTATE.
//! None of them can contain a password: targets are always [`ConnectionSpec::redacted`] URLs.
//!
//! [`ConnectionSpec::redacted`]: crate::ConnectionSpec::redacted

use std::fmt;
use std::path::PathBuf;

use runbook_sql::{Position, ScanErrorKind};
use thiserror::Error;

use crate::load::LoadSummary;
use crate::server_message::ServerMessage;

/// The connection text could not be understood.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SpecError {
    #[error("invalid {key} \"{value}\": expected {expected}")]
    InvalidValue {
        key: String,
        value: String,
        expected: &'static str,
    },
    #[error("unknown connection parameter \"{key}\" (expected one of {known})")]
    UnknownParameter { key: String, known: &'static str },
    #[error("expected \"=\" after \"{key}\" in the connection string")]
    MissingEquals { key: String },
    #[error("unterminated quoted value for \"{key}\" in the connection string")]
    UnterminatedQuote { key: String },
    #[error("expected a postgres:// URL or key=value pairs, found \"{found}\"")]
    NotAConnectionString { found: String },
    #[error("several hosts in one connection string are not supported: name one host")]
    MultipleHosts,
    #[error("expected \"]\" after an IPv6 address in the URL")]
    UnclosedBracket,
    #[error(
        "the URL's user name or password seems to contain \"/\": write it as %2F \
         (postgres://user:pa%2Fss@host/db)"
    )]
    SlashInCredentials,
    #[error("invalid percent-encoding in the URL's {what}")]
    BadPercentEncoding { what: &'static str },
    /// `service=NAME` (or `PGSERVICE`) names a service no service file defines.
    #[error("definition of service \"{service}\" not found (looked in {looked})")]
    ServiceNotFound { service: String, looked: String },
    /// The service file that defines the service is malformed at this line.
    #[error("service file {path}:{line}: {reason}")]
    ServiceFile {
        path: String,
        line: usize,
        reason: String,
    },
    #[error("cannot read service file {path}: {reason}")]
    ServiceFileUnreadable { path: String, reason: String },
}

/// A session could not be opened (or a cancel request could not be delivered).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// `target` is the redacted URL; `reason` the driver's or server's account of what went wrong.
    #[error("cannot connect to {target}: {reason}")]
    Failed {
        target: String,
        reason: String,
        /// The server's SQLSTATE when it refused us (28P01 for a wrong password, 3D000 for a
        /// missing database, ...).
        sqlstate: Option<String>,
    },
    #[error("cannot use the root certificates in {} (sslrootcert): {reason}", path.display())]
    RootCert { path: PathBuf, reason: String },
    #[error("cannot set up TLS: {reason}")]
    Tls { reason: String },
}

impl ConnectError {
    pub(crate) fn from_driver(target: String, error: &tokio_postgres::Error) -> ConnectError {
        let (reason, sqlstate) = describe(error);
        ConnectError::Failed {
            target,
            reason,
            sqlstate,
        }
    }
}

/// A query or statement failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// The server rejected it; the message has the SQLSTATE, DETAIL, HINT and CONTEXT.
    #[error("{0}")]
    Server(Box<ServerMessage>),
    #[error("connection to {target} was lost: {reason}")]
    ConnectionLost { target: String, reason: String },
    #[error(
        "column \"{column}\" has type {type_name}, which cannot be read as text here: cast it in the query (::text)"
    )]
    UnsupportedType { column: String, type_name: String },
    #[error("the query has {expected} parameter(s) ($1, $2, ...) but {found} value(s) were given")]
    ParameterCount { expected: usize, found: usize },
    /// The driver refused something (a protocol surprise); the reason is its own words.
    #[error("{reason}")]
    Client { reason: String },
}

impl QueryError {
    pub(crate) fn from_driver(target: &str, error: &tokio_postgres::Error) -> QueryError {
        if let Some(db) = error.as_db_error() {
            return QueryError::Server(Box::new(ServerMessage::from_db_error(db)));
        }
        let (reason, _) = describe(error);
        // A message the driver could not encode (a NUL byte in the text) never left: the
        // connection is fine, and "connection lost" would send the operator the wrong way.
        let encoding = error.to_string().starts_with("error encoding message");
        if !encoding && (error.is_closed() || io_error(error).is_some()) {
            QueryError::ConnectionLost {
                target: target.to_owned(),
                reason,
            }
        } else {
            QueryError::Client { reason }
        }
    }

    /// The server's message, when the server is who failed.
    pub fn server(&self) -> Option<&ServerMessage> {
        match self {
            QueryError::Server(message) => Some(message),
            _ => None,
        }
    }

    /// The SQLSTATE, when the server is who failed.
    pub fn sqlstate(&self) -> Option<&str> {
        self.server().map(|m| m.code.as_str())
    }
}

/// Something in a script failed, at a place in the file.
#[derive(Debug)]
pub struct ScriptError {
    /// The name the caller gave the script (its path, usually).
    pub source_name: String,
    /// Where in the file: the server's error position mapped back to the file when it gave one,
    /// else the start of the statement (or meta-command).
    pub position: Position,
    pub kind: ScriptErrorKind,
}

/// What failed.
#[derive(Debug)]
pub enum ScriptErrorKind {
    /// The server rejected a statement.
    Server(Box<StatementFailure>),
    /// The statement could not be run for another reason (the connection was lost, ...).
    Query(QueryError),
    /// The script itself is wrong (an unsupported meta-command, an unterminated quote, ...).
    Scan(ScanErrorKind),
    /// `\encoding` asked for something other than UTF-8.
    UnsupportedEncoding { encoding: String },
    /// `\set` gave a boolean psql variable (`ON_ERROR_STOP`) a value that is not a boolean;
    /// psql refuses it too and keeps the previous setting.
    InvalidBoolean { variable: String, value: String },
    /// `\connect` inside an all-or-nothing load would commit half of it.
    ConnectInSingleTransaction,
    /// A statement that would end, or cannot run in, the transaction the loader's caller owns
    /// (`Transaction::Caller`), e.g. "COMMIT" or "CREATE INDEX CONCURRENTLY".
    LeavesCallerTransaction { statement_kind: String },
    /// `\connect` arguments that do not make a connection.
    ConnectArguments { reason: String },
    /// `\connect` could not open the new session.
    Reconnect(ConnectError),
}

/// A statement the server rejected, with everything psql would show and more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementFailure {
    pub server: ServerMessage,
    /// Where the failing statement starts.
    pub statement_start: Position,
    /// The offending line of the statement, with a caret under the error position.
    pub excerpt: Option<Excerpt>,
    /// The statement's first line (at most [`STATEMENT_LINE_CHARS`] characters, ` ...` when
    /// the statement goes on), shown when the excerpt does not show it: an error without a
    /// position (a constraint violation, a COPY row) otherwise names only a line number.
    pub statement_line: Option<String>,
    /// The file starts with a UTF-8 byte order mark and this was its first statement (see
    /// [`BOM_HINT`]).
    pub bom_hint: bool,
    /// The failure cost the session its connection (a rejected COPY statement, see
    /// [`COPY_RESET_NOTE`]): the load stopped here even with `on_error: continue`.
    pub connection_reset: bool,
    /// Notices raised before the statement failed.
    pub notices: Vec<ServerMessage>,
}

/// One source line and the column (in characters, 0-based within `text`) to put a caret under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub line: u32,
    pub text: String,
    pub caret: usize,
}

/// Characters of a failed statement's first line kept for its message.
pub const STATEMENT_LINE_CHARS: usize = 200;

/// The first line of `text` for [`StatementFailure::statement_line`]: cut at
/// [`STATEMENT_LINE_CHARS`] characters, with ` ...` when anything of the statement was left out.
pub fn statement_first_line(text: &str) -> String {
    let text = text.trim_start_matches(['\n', '\r', ' ', '\t']);
    let first = text.split('\n').next().unwrap_or_default();
    let first = first.strip_suffix('\r').unwrap_or(first).trim_end();
    let mut line: String = first.chars().take(STATEMENT_LINE_CHARS).collect();
    if line.len() < text.trim_end().len() {
        line.push_str(" ...");
    }
    line
}

/// Why a load stops at a rejected COPY statement even with `on_error: continue`.
pub const COPY_RESET_NOTE: &str = "the load stops here: when the server rejects a COPY ... FROM STDIN \
     statement, the driver (tokio-postgres) loses the connection, and a new one would not have the \
     script's settings or transaction";

/// The hint for a first statement that fails in a file with a byte order mark: people suspect
/// the BOM first, and it is not the cause.
pub const BOM_HINT: &str = "the file starts with a UTF-8 byte order mark (BOM); it was skipped, as psql \
     skips it, and is not part of the statement";

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Position { line, column, .. } = self.position;
        write!(f, "{}:{line}:{column}: ", self.source_name)?;
        match &self.kind {
            ScriptErrorKind::Server(failure) => {
                write!(f, "{}", failure.server)?;
                if let Some(excerpt) = &failure.excerpt {
                    let label = format!("LINE {}: ", excerpt.line);
                    let pad: String = excerpt
                        .text
                        .chars()
                        .take(excerpt.caret)
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    write!(f, "\n{label}{}\n{}{pad}^", excerpt.text, " ".repeat(label.len()))?;
                }
                for line in failure.server.extra_lines() {
                    write!(f, "\n{line}")?;
                }
                let shown = failure
                    .excerpt
                    .as_ref()
                    .is_some_and(|e| e.line == failure.statement_start.line);
                if let Some(statement) = failure.statement_line.as_ref().filter(|_| !shown) {
                    let start = failure.statement_start.line;
                    if start == line {
                        write!(f, "\nSTATEMENT:  {statement}")?;
                    } else {
                        write!(f, "\nSTATEMENT (line {start}):  {statement}")?;
                    }
                }
                if failure.bom_hint {
                    write!(f, "\nHINT:  {BOM_HINT}")?;
                }
                if failure.connection_reset {
                    write!(f, "\nNOTE:  {COPY_RESET_NOTE}")?;
                }
                Ok(())
            }
            ScriptErrorKind::Query(error) => write!(f, "{error}"),
            ScriptErrorKind::Scan(ScanErrorKind::CopyTruncated { table, started }) => write!(
                f,
                "COPY data for table {table} ({}:{}) ended at end of file without \\. : the file \
                 looks truncated",
                self.source_name, started.line
            ),
            ScriptErrorKind::Scan(kind) => write!(f, "{kind}"),
            ScriptErrorKind::UnsupportedEncoding { encoding } => write!(
                f,
                "unsupported client encoding {encoding} in \\encoding: only UTF8 is supported \
                 (convert the file to UTF-8, e.g. with iconv)"
            ),
            ScriptErrorKind::InvalidBoolean { variable, value } => write!(
                f,
                "invalid value \"{value}\" for \\set {variable}: expected on or off \
                 (or true/false, yes/no, 1/0); the setting is unchanged"
            ),
            ScriptErrorKind::ConnectInSingleTransaction => f.write_str(
                "\\connect is not allowed in a single-transaction load: it would end the transaction",
            ),
            ScriptErrorKind::LeavesCallerTransaction { statement_kind } => write!(
                f,
                "{statement_kind} cannot run in the transaction this script runs in (it would end \
                 it or the server refuses it there); nothing after it was sent"
            ),
            ScriptErrorKind::ConnectArguments { reason } => write!(f, "invalid \\connect: {reason}"),
            ScriptErrorKind::Reconnect(error) => write!(f, "\\connect failed: {error}"),
        }
    }
}

impl std::error::Error for ScriptError {}

impl ScriptError {
    /// The SQLSTATE when the server rejected a statement.
    pub fn sqlstate(&self) -> Option<&str> {
        match &self.kind {
            ScriptErrorKind::Server(failure) => Some(&failure.server.code),
            ScriptErrorKind::Query(error) => error.sqlstate(),
            _ => None,
        }
    }
}

/// A script load that did not finish; the summary says what was done before it stopped.
#[derive(Debug)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    /// Boxed to keep `Result<LoadSummary, LoadError>` small.
    pub summary: Box<LoadSummary>,
}

/// Why a load stopped.
#[derive(Debug, Error)]
pub enum LoadErrorKind {
    /// The first error, with `on_error: stop` (or in a single transaction).
    #[error("{0}")]
    Script(ScriptError),
    /// The cancel handle fired.
    #[error("{source_name}:{}:{}: cancelled", position.line, position.column)]
    Cancelled {
        source_name: String,
        position: Position,
    },
    /// BEGIN or COMMIT of a single-transaction load failed (a deferred constraint, for one).
    #[error("{source_name}: {action} of the single transaction failed: {error}")]
    Transaction {
        source_name: String,
        action: &'static str,
        error: QueryError,
    },
    /// The thread reading the file stopped without saying why.
    #[error("{source_name}: the script reader stopped unexpectedly")]
    ReaderFailed { source_name: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}

impl LoadError {
    /// The script error that stopped the load, if that is what stopped it.
    pub fn script_error(&self) -> Option<&ScriptError> {
        match &self.kind {
            LoadErrorKind::Script(error) => Some(error),
            _ => None,
        }
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self.kind, LoadErrorKind::Cancelled { .. })
    }
}

/// An ephemeral cluster could not be set up, started or stopped.
#[derive(Debug, Error)]
pub enum EphemeralError {
    #[error(
        "cannot find the PostgreSQL server programs (initdb, pg_ctl): looked in {searched}; install them with `apt-get install postgresql-15` (Debian/Ubuntu) or put their directory on PATH"
    )]
    BinariesNotFound { searched: String },
    #[error(
        "cannot run as the unprivileged \"postgres\" account, which PostgreSQL needs when Runbook runs as root: {reason}"
    )]
    NoPostgresAccount { reason: String },
    #[error("cannot prepare the cluster directory {}: {source}", path.display())]
    Directory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot find a free TCP port on 127.0.0.1: {0}")]
    NoFreePort(#[source] std::io::Error),
    #[error("cannot run {}: {source}", program.display())]
    Spawn {
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{program} failed ({status}):\n{output}")]
    CommandFailed {
        program: String,
        status: String,
        output: String,
    },
}

/// The driver's account of a failure, in lowercase, without repeating itself; the SQLSTATE if
/// the server sent one.
pub(crate) fn describe(error: &tokio_postgres::Error) -> (String, Option<String>) {
    if let Some(db) = error.as_db_error() {
        let message = ServerMessage::from_db_error(db);
        return (message.to_string(), Some(message.code));
    }
    if let Some(io) = io_error(error) {
        let reason = describe_io(io);
        if error
            .to_string()
            .starts_with("error performing TLS handshake")
        {
            return (
                format!("TLS handshake failed: {reason}{}", tls_hint(&reason)),
                None,
            );
        }
        return (reason, None);
    }
    // tokio-postgres's own Display, followed by its sources (a rustls error, for instance).
    let mut parts: Vec<String> = vec![lowercase_first(&error.to_string())];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = lowercase_first(&cause.to_string());
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    (parts.join(": "), None)
}

fn io_error(error: &tokio_postgres::Error) -> Option<&std::io::Error> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = cause.source();
    }
    None
}

/// rustls names certificate problems tersely (`UnknownIssuer`); say what to check.
fn tls_hint(reason: &str) -> &'static str {
    if reason.contains("UnknownIssuer") || reason.contains("BadSignature") {
        " (the server's certificate was not issued by a trusted root: check sslrootcert)"
    } else {
        ""
    }
}

fn describe_io(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        ErrorKind::TimedOut => "timed out".to_owned(),
        ErrorKind::NotFound => {
            "no such socket (is the server running and listening there?)".to_owned()
        }
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        ErrorKind::UnexpectedEof => "the server closed the connection unexpectedly".to_owned(),
        _ => {
            let text = error.to_string();
            // "Connection reset by peer (os error 104)" -> "connection reset by peer"
            let text = match text.find(" (os error") {
                Some(at) => &text[..at],
                None => &text,
            };
            lowercase_first(text)
        }
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !chars.as_str().starts_with(|c: char| c.is_uppercase()) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_s_first_line_is_cut_and_says_when_it_goes_on() {
        assert_eq!(
            statement_first_line("INSERT INTO t VALUES (1);"),
            "INSERT INTO t VALUES (1);"
        );
        assert_eq!(
            statement_first_line("\n  INSERT INTO t\r\n  VALUES (1);"),
            "INSERT INTO t ..."
        );
        let long = format!("SELECT '{}';", "患".repeat(300));
        let line = statement_first_line(&long);
        assert_eq!(line.chars().count(), STATEMENT_LINE_CHARS + 4);
        assert!(line.ends_with("患 ..."), "{line}");
    }
}

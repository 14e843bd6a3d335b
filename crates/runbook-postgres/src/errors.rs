//! Every error this crate returns.
//!
//! Messages are lowercase fragments that read well after "failed to ...", name the place
//! (a redacted URL, a `file:line:col`) and carry the server's own words with their SQLSTATE.
//! None of them can contain a password: targets are always [`ConnectionSpec::redacted`] URLs.
//!
//! [`ConnectionSpec::redacted`]: crate::ConnectionSpec::redacted

use std::path::PathBuf;

use thiserror::Error;

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
    #[error("invalid percent-encoding in the URL's {what}")]
    BadPercentEncoding { what: &'static str },
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
        if error.is_closed() || io_error(error).is_some() {
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

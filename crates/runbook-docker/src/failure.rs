//! Turning bollard's errors into [`DockerError`]s.
//!
//! Each operation first looks for the statuses it understands (404 means "no such container"
//! to one call and "no such image" to another); whatever is left goes through
//! [`DockerClient::fail`], which keeps the engine's own words and its status code.

use crate::client::DockerClient;
use crate::errors::DockerError;

/// What went wrong with one request, in the terms the mapping needs.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The engine answered with an error status.
    Status { status: u16, message: String },
    /// The connection could not be made or was lost.
    Connection(String),
    /// Anything else: timeout, undecodable answer.
    Other(String),
}

impl Failure {
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Failure::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn message(&self) -> &str {
        match self {
            Failure::Status { message, .. }
            | Failure::Connection(message)
            | Failure::Other(message) => message,
        }
    }
}

pub(crate) fn classify(err: bollard::errors::Error) -> Failure {
    use bollard::errors::Error as E;
    match err {
        E::DockerResponseServerError {
            status_code,
            message,
        } => Failure::Status {
            status: status_code,
            message: message.trim().to_owned(),
        },
        E::HyperLegacyError { err } if err.is_connect() => Failure::Connection(root_cause(&err)),
        E::IOError { err } => Failure::Connection(lowercase_first(&err.to_string())),
        E::RequestTimeoutError => {
            Failure::Other("the Docker Engine did not answer in time".to_owned())
        }
        other => Failure::Other(root_cause(&other)),
    }
}

/// The innermost message of an error chain: "connection refused (os error 111)" says more at
/// 3 a.m. than "client error (Connect)".
pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    lowercase_first(&current.to_string())
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !chars.as_str().starts_with(|c: char| c.is_ascii_uppercase()) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_owned(),
    }
}

/// The host address in the engine's "port taken" messages, which come in two forms:
/// `Bind for 127.0.0.1:5432 failed: port is already allocated` (another container has it) and
/// `listen tcp4 127.0.0.1:5432: bind: address already in use` (something else on the host).
pub(crate) fn port_in_use(message: &str) -> Option<String> {
    if let Some(rest) = message.split("Bind for ").nth(1)
        && let Some((address, _)) = rest.split_once(" failed")
        && message.contains("already allocated")
    {
        return Some(address.to_owned());
    }
    if message.contains("address already in use") {
        for prefix in [
            "listen tcp4 ",
            "listen tcp6 ",
            "listen tcp ",
            "listen udp4 ",
            "listen udp6 ",
            "listen udp ",
        ] {
            if let Some(rest) = message.split(prefix).nth(1)
                && let Some((address, _)) = rest.split_once(": bind")
            {
                return Some(address.to_owned());
            }
        }
    }
    None
}

impl DockerClient {
    /// The fallback mapping once an operation has handled the statuses it knows.
    pub(crate) fn fail(&self, operation: impl Into<String>, failure: Failure) -> DockerError {
        match failure {
            Failure::Status { status, message } => DockerError::Api {
                operation: operation.into(),
                status,
                message,
            },
            Failure::Connection(cause) => DockerError::Unreachable {
                endpoint: self.endpoint().to_owned(),
                cause,
            },
            Failure::Other(message) => DockerError::Transport {
                operation: operation.into(),
                message,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_ports_are_found_in_both_forms() {
        assert_eq!(
            port_in_use(
                "driver failed programming external connectivity on endpoint db (3d26): Bind for 127.0.0.1:45432 failed: port is already allocated"
            ),
            Some("127.0.0.1:45432".to_owned())
        );
        assert_eq!(
            port_in_use(
                "driver failed programming external connectivity on endpoint pp (1295): Error starting userland proxy: listen tcp4 127.0.0.1:46449: bind: address already in use"
            ),
            Some("127.0.0.1:46449".to_owned())
        );
        assert_eq!(port_in_use("no such image"), None);
    }

    #[test]
    fn lowercases_sentences_but_not_acronyms() {
        assert_eq!(
            lowercase_first("Connection refused (os error 111)"),
            "connection refused (os error 111)"
        );
        assert_eq!(lowercase_first("API error"), "API error");
        assert_eq!(lowercase_first(""), "");
    }
}

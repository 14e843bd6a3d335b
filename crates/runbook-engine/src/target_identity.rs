//! Which server a target reached: read once, on the run's first connection to the target, and
//! kept for `run.json` (`targets.NAME.identity`), so a reviewer sees which cluster a run
//! touched even when a URL like `127.0.0.1:5432` could have reached any.

use chrono::Utc;
use runbook_evidence::ServerIdentity;
use runbook_postgres::{QueryError, Session};
use runbook_spec::TargetExpect;

/// One query, read-only and cheap: safe on any session, before the first step.
const IDENTITY_QUERY: &str = "SELECT s.system_identifier::text, \
     pg_catalog.current_setting('server_version'), \
     pg_catalog.current_database()::text, \
     COALESCE(pg_catalog.host(pg_catalog.inet_server_addr()) || ':' || pg_catalog.inet_server_port()::text, 'unix socket'), \
     pg_catalog.pg_is_in_recovery()::text \
     FROM pg_catalog.pg_control_system() s";

/// Reads the identity of the server behind `session`. `None` when the server answered
/// without one of the fields (a role that may not call `pg_control_system()` gets an error).
pub(crate) async fn read(session: &Session) -> Result<Option<ServerIdentity>, QueryError> {
    let rows = session.query(IDENTITY_QUERY, &[]).await?;
    let row = rows.rows.first();
    let cell = |i: usize| row.and_then(|r| r.get(i).cloned().flatten());
    Ok(match (cell(0), cell(1), cell(2), cell(3), cell(4)) {
        (
            Some(system_identifier),
            Some(server_version),
            Some(database),
            Some(server_address),
            Some(in_recovery),
        ) => Some(ServerIdentity {
            system_identifier,
            server_version,
            database,
            server_address,
            in_recovery: in_recovery == "true",
            recorded_at: Utc::now(),
        }),
        _ => None,
    })
}

/// What differs between `targets.NAME.expect` and the server reached, one `field: expected
/// X, server has Y` fragment per field; empty when everything given matches. `connected_host`
/// is the host name the run connected to: `host` matches it or the server's own address
/// (`inet_server_addr()`), so both `db.internal` and `10.0.0.5` can be written.
pub(crate) fn mismatches(
    expect: &TargetExpect,
    identity: &ServerIdentity,
    connected_host: Option<&str>,
) -> Vec<String> {
    let mut differ = Vec::new();
    if let Some(want) = &expect.system_identifier
        && want.0 != identity.system_identifier
    {
        differ.push(format!(
            "system_identifier: expected {}, server has {}",
            want.0, identity.system_identifier
        ));
    }
    if let Some(want) = &expect.server_version
        && !want.matches(&identity.server_version)
    {
        differ.push(format!(
            "server_version: expected {}, server has {}",
            want.0, identity.server_version
        ));
    }
    if let Some(want) = &expect.database
        && want.0 != identity.database
    {
        differ.push(format!(
            "database: expected {}, server has {}",
            want.0, identity.database
        ));
    }
    if let Some(want) = &expect.host {
        let address = server_host(&identity.server_address);
        if want.0 != address && Some(want.0.as_str()) != connected_host {
            differ.push(format!(
                "host: expected {}, server is {}{}",
                want.0,
                address,
                connected_host
                    .map(|h| format!(" (reached as {h})"))
                    .unwrap_or_default()
            ));
        }
    }
    differ
}

/// `10.0.0.5` of `10.0.0.5:5432` (`::1` of `::1:5432`); `unix socket` as is.
fn server_host(address: &str) -> &str {
    match address.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => address,
    }
}

/// Why `runbook identify URL` could not say which server a URL reaches.
#[derive(Debug, thiserror::Error)]
pub enum IdentifyError {
    #[error("invalid connection url: {0}")]
    Spec(#[from] runbook_postgres::SpecError),
    #[error("{0}")]
    Connect(#[from] runbook_postgres::ConnectError),
    #[error("reading the server's identity: {0}")]
    Query(#[from] QueryError),
    #[error(
        "the server did not report its identity (pg_control_system() needs a superuser or pg_monitor-like rights)"
    )]
    Unidentified,
}

/// Connects to `url` (PG* variables and `~/.pgpass` from `env`, as a run would) and reads the
/// server's identity: the CLI prints it as the `expect:` block a runbook pastes.
pub async fn identify_server(
    url: &str,
    env: &crate::RunEnv,
) -> Result<ServerIdentity, IdentifyError> {
    let spec = runbook_postgres::ConnectionSpec::parse(url, env)?;
    let session = Session::connect(&spec).await?;
    read(&session).await?.ok_or(IdentifyError::Unidentified)
}

/// The `expect:` block for a target that must be this server, values quoted as JSON strings
/// (valid YAML): `server_version` is exact (`16.4`; write `16` to accept any 16.x), `host`
/// the address the server reports for itself.
pub fn expect_block(identity: &ServerIdentity) -> String {
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"));
    let version = identity
        .server_version
        .split(' ')
        .next()
        .unwrap_or_default();
    format!(
        "expect:\n  system_identifier: {}\n  server_version: {}  # \"{}\" would accept any {}.x\n  database: {}\n  host: {}\n",
        quoted(&identity.system_identifier),
        quoted(version),
        version.split('.').next().unwrap_or_default(),
        version.split('.').next().unwrap_or_default(),
        quoted(&identity.database),
        quoted(server_host(&identity.server_address)),
    )
}

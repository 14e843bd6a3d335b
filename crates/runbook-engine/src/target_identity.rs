//! Which server a target reached: read once, on the run's first connection to the target, and
//! kept for `run.json` (`targets.NAME.identity`), so a reviewer sees which cluster a run
//! touched even when a URL like `127.0.0.1:5432` could have reached any.

use chrono::Utc;
use runbook_evidence::ServerIdentity;
use runbook_postgres::{QueryError, Session};

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

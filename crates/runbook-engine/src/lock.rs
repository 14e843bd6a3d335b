//! One run at a time per runbook and database: a session-level advisory lock.
//!
//! Two operators restoring the same database from the same runbook at once is how restores go
//! wrong at 3 a.m. Before a run's first statement on a target, it takes
//! `pg_try_advisory_lock(key)` on a connection of its own that does nothing else, with the key
//! derived from the runbook name. The server releases a session lock when the session ends, so
//! a run killed with `kill -9` cannot leave the lock behind.
//!
//! The refused run must be able to say who holds the lock. The holder's identity travels in a
//! comment of the lock query itself: the lock connection stays idle afterwards, so
//! `pg_stat_activity.query` keeps showing that statement for as long as the lock is held, and
//! any session of the same role (or with `pg_read_all_stats`) can read it.

use runbook_postgres::{ConnectError, ConnectionSpec, QueryError, Session};
use sha2::{Digest, Sha256};

/// Who holds (or wants) the lock; shown to the run that is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub runbook: String,
    pub operator: String,
    pub host: String,
    pub pid: u32,
    pub started: String,
    pub evidence: String,
}

const MARKER: &str = "runbook-holder:";

impl Holder {
    fn encode(&self) -> String {
        let fields = [
            ("runbook", self.runbook.as_str()),
            ("operator", self.operator.as_str()),
            ("host", self.host.as_str()),
            ("pid", &self.pid.to_string()),
            ("started", self.started.as_str()),
            ("evidence", self.evidence.as_str()),
        ];
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", escape(v)))
            .collect::<Vec<_>>()
            .join(" ");
        format!("{MARKER} {body}")
    }

    fn decode(query: &str) -> Option<Holder> {
        let start = query.find(MARKER)? + MARKER.len();
        let end = query[start..].find("*/").map_or(query.len(), |e| start + e);
        let mut holder = Holder {
            runbook: String::new(),
            operator: String::new(),
            host: String::new(),
            pid: 0,
            started: String::new(),
            evidence: String::new(),
        };
        for field in query[start..end].split_whitespace() {
            let (key, value) = field.split_once('=')?;
            let value = unescape(value);
            match key {
                "runbook" => holder.runbook = value,
                "operator" => holder.operator = value,
                "host" => holder.host = value,
                "pid" => holder.pid = value.parse().unwrap_or(0),
                "started" => holder.started = value,
                "evidence" => holder.evidence = value,
                _ => {}
            }
        }
        Some(holder)
    }
}

/// Percent-escapes what would break the comment or the field split.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '%' | ' ' | '\t' | '\n' | '\r' | '*' | '/' | '\'' | '\\' | '=' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn unescape(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if bytes[i] == b'%'
            && let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The advisory lock key of a runbook: stable across versions of this tool, distinct from
/// Flyway's key and from other runbooks.
pub fn lock_key(runbook_name: &str) -> i64 {
    let digest = Sha256::digest(format!("runbook-lock:{runbook_name}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}", held_message(.holder, *.pid, .backend_start))]
    Held {
        holder: Option<Holder>,
        pid: Option<i32>,
        backend_start: Option<String>,
    },
    #[error("cannot open the lock session: {0}")]
    Connect(#[from] ConnectError),
    #[error("cannot take the run lock: {0}")]
    Query(#[from] QueryError),
}

fn held_message(
    holder: &Option<Holder>,
    pid: Option<i32>,
    backend_start: &Option<String>,
) -> String {
    match holder {
        Some(h) => format!(
            "another run of runbook '{}' holds the lock on this database: {}@{} pid {} since {}, evidence {}",
            h.runbook, h.operator, h.host, h.pid, h.started, h.evidence
        ),
        None => {
            let mut message =
                "another run of this runbook holds the lock on this database".to_owned();
            if let Some(pid) = pid {
                message.push_str(&format!(" (server backend pid {pid}"));
                if let Some(start) = backend_start {
                    message.push_str(&format!(", connected since {start}"));
                }
                message.push_str("; its details are hidden from this role)");
            }
            message
        }
    }
}

/// A held lock: dropping it closes the session, which releases the lock.
#[derive(Debug)]
pub struct RunLock {
    session: Session,
}

impl RunLock {
    /// The lock session ended (server restart, its container stopped, `pg_terminate_backend`,
    /// `idle_session_timeout`), and the server released the lock with it.
    pub fn is_lost(&self) -> bool {
        self.session.is_closed()
    }
}

/// Takes the lock on a connection of its own, or says who holds it.
pub async fn acquire(
    spec: &ConnectionSpec,
    key: i64,
    holder: &Holder,
) -> Result<RunLock, LockError> {
    let mut spec = spec.clone();
    spec.set_application_name(format!("runbook lock {}@{}", holder.pid, holder.host));
    let session = Session::connect(&spec).await?;
    let sql = format!(
        "SELECT pg_try_advisory_lock({key}) /* {} */",
        holder.encode()
    );
    let rows = session.simple_query(&sql).await?;
    if rows.single_value() == Some(Some("t")) {
        return Ok(RunLock { session });
    }
    Err(find_holder(&session, key).await)
}

/// In check mode: who holds the lock now, without taking it.
pub async fn probe(session: &Session, key: i64) -> Result<Option<LockError>, QueryError> {
    let (classid, objid) = split_key(key);
    let sql = format!(
        "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted \
         AND classid = {classid} AND objid = {objid} AND objsubid = 1 \
         AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
    );
    let rows = session.simple_query(&sql).await?;
    if rows.single_value() == Some(Some("0")) {
        return Ok(None);
    }
    Ok(Some(find_holder(session, key).await))
}

fn split_key(key: i64) -> (u32, u32) {
    let bits = key as u64;
    ((bits >> 32) as u32, bits as u32)
}

async fn find_holder(session: &Session, key: i64) -> LockError {
    let (classid, objid) = split_key(key);
    let sql = format!(
        "SELECT a.pid::text, a.query, a.backend_start::text FROM pg_catalog.pg_locks l \
         JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {classid} \
         AND l.objid = {objid} AND l.objsubid = 1 \
         AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
         LIMIT 1"
    );
    match session.simple_query(&sql).await {
        Ok(rows) => match rows.rows.first() {
            Some(row) => {
                let cell = |i: usize| row.get(i).cloned().flatten();
                LockError::Held {
                    holder: cell(1).as_deref().and_then(Holder::decode),
                    pid: cell(0).and_then(|p| p.parse().ok()),
                    backend_start: cell(2),
                }
            }
            None => LockError::Held {
                holder: None,
                pid: None,
                backend_start: None,
            },
        },
        Err(error) => LockError::Query(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> Holder {
        Holder {
            runbook: "opendolphin-legacy".into(),
            operator: "ops user".into(),
            host: "db-host-1".into(),
            pid: 4242,
            started: "2026-11-23T06:00:00Z".into(),
            evidence: "artifacts/a b/*/x=y'z".into(),
        }
    }

    #[test]
    fn holder_survives_the_comment_round_trip() {
        let h = holder();
        let query = format!("SELECT pg_try_advisory_lock(1) /* {} */", h.encode());
        assert!(
            !h.encode().contains("*/"),
            "the comment must not close early"
        );
        assert_eq!(Holder::decode(&query), Some(h));
    }

    #[test]
    fn keys_differ_per_runbook_and_are_stable() {
        assert_eq!(lock_key("a"), lock_key("a"));
        assert_ne!(lock_key("a"), lock_key("b"));
    }

    #[test]
    fn key_splits_like_pg_locks_shows_it() {
        let (hi, lo) = split_key(-1);
        assert_eq!((hi, lo), (u32::MAX, u32::MAX));
        let (hi, lo) = split_key(0x0000_0001_0000_0002);
        assert_eq!((hi, lo), (1, 2));
    }
}

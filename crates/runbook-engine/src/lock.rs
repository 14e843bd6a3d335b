//! One run at a time per database: a session-level advisory lock keyed by the database itself.
//!
//! Two restores of one database at once is how restores go wrong at 3 a.m., whether they come
//! from the same runbook or from two different ones (a restore and a "reset sequences" runbook).
//! So the lock is keyed by the database's identity, never by a runbook's name: the server's
//! `system_identifier` (from `pg_control_system()`) and the database's OID. The runner takes it
//! before the first step, on a connection of its own that does nothing else, with
//! `pg_try_advisory_lock(key)`. The server releases a session lock when the session ends, so a
//! run killed with `kill -9` cannot leave the lock behind.
//!
//! That release is also the weak point: a killed run's lock session ends at once, but a backend
//! of the same run in the middle of a long statement (`SELECT pg_sleep(30)`, a `CREATE INDEX`)
//! goes on until it next talks to its dead client. A new run that only looked at the lock would
//! overlap it. Every session of a run is therefore named by its `application_name`
//! (`runbook run <run id> <pid>@<host>`, the lock session `runbook lock <run id> ...`), and on
//! acquiring the lock the run looks in `pg_stat_activity` for backends of another run on that
//! database ([`other_runs_backends`]): it refuses, naming their pid, query start and
//! run, unless the operator asked to end them ([`end_backends`]). A backend whose run still has
//! a lock session somewhere on the server belongs to a live run and is never ended.
//!
//! The refused run must be able to say who holds the lock. The holder's identity travels in a
//! comment of the lock query itself: the lock connection stays idle afterwards, so
//! `pg_stat_activity.query` keeps showing that statement for as long as the lock is held, and
//! any session of the same role (or with `pg_read_all_stats`) can read it. (After the lock
//! session ran its own `pg_stat_activity` queries, the statement is sent again.) Other roles
//! still see the lock session's `application_name`: the run id and `pid@host`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use runbook_postgres::{ConnectError, ConnectionSpec, QueryError, Session};
use sha2::{Digest, Sha256};

/// Who holds (or wants) the lock; shown to the run that is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub runbook: String,
    /// The run's id: random, carried by every session's `application_name`.
    pub run: String,
    pub operator: String,
    pub host: String,
    pub pid: u32,
    pub started: String,
    pub evidence: String,
}

const MARKER: &str = "runbook-holder:";

/// The longest `application_name` the server keeps (NAMEDATALEN - 1 bytes); longer ones are
/// truncated by the server, so the run id goes first.
const APPLICATION_NAME_MAX: usize = 63;

/// What a session of a run does, as its `application_name` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A session of `runbook run`: its backends may change data.
    Run,
    /// The session that holds the run lock.
    Lock,
    /// A session of `runbook check`: read-only, always rolled back, never a reason to refuse.
    Check,
}

impl Holder {
    /// The `application_name` of this run's sessions in `role`.
    pub fn application_name(&self, role: Role) -> String {
        let role = match role {
            Role::Run => "run",
            Role::Lock => "lock",
            Role::Check => "check",
        };
        let mut name = format!("runbook {role} {} {}@{}", self.run, self.pid, self.host);
        if name.len() > APPLICATION_NAME_MAX {
            let mut end = APPLICATION_NAME_MAX;
            while !name.is_char_boundary(end) {
                end -= 1;
            }
            name.truncate(end);
        }
        name
    }

    fn encode(&self) -> String {
        let fields = [
            ("runbook", self.runbook.as_str()),
            ("run", self.run.as_str()),
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
            run: String::new(),
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
                "run" => holder.run = value,
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

/// Which database a session is connected to, independent of how it was reached (localhost or
/// 127.0.0.1, a published container port, an admin or an app role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseIdentity {
    /// `pg_control_system().system_identifier`: fixed at initdb, unique per cluster.
    pub system_identifier: String,
    /// `pg_database.oid` of the current database.
    pub oid: u32,
    /// Its name, for messages.
    pub name: String,
}

impl DatabaseIdentity {
    /// The advisory lock key of this database.
    pub fn lock_key(&self) -> i64 {
        lock_key(&self.system_identifier, self.oid)
    }
}

impl std::fmt::Display for DatabaseIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "database '{}' (oid {}, system {})",
            self.name, self.oid, self.system_identifier
        )
    }
}

/// The advisory lock key of a database: stable across versions of this tool and distinct from
/// Flyway's key. Any two runs on one database compute the same key, whatever their runbooks.
pub fn lock_key(system_identifier: &str, database_oid: u32) -> i64 {
    let digest =
        Sha256::digest(format!("runbook-lock:{system_identifier}:{database_oid}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Reads the identity of the session's database.
pub async fn identify(session: &Session) -> Result<DatabaseIdentity, LockError> {
    let rows = session
        .query(
            "SELECT s.system_identifier::text, d.oid::text, d.datname::text \
             FROM pg_catalog.pg_control_system() s, pg_catalog.pg_database d \
             WHERE d.datname = pg_catalog.current_database()",
            &[],
        )
        .await
        .map_err(LockError::Identity)?;
    let row = rows.rows.first();
    let cell = |i: usize| row.and_then(|r| r.get(i).cloned().flatten());
    match (cell(0), cell(1).and_then(|o| o.parse().ok()), cell(2)) {
        (Some(system_identifier), Some(oid), Some(name)) => Ok(DatabaseIdentity {
            system_identifier,
            oid,
            name,
        }),
        _ => Err(LockError::Unidentified),
    }
}

/// A backend of another run, active on the database this run is about to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    pub pid: i32,
    /// The run it belongs to, from its `application_name`: run id and `pid@host` of the client.
    pub run: String,
    pub client: String,
    /// `active`, `idle in transaction`, ...; `None` when this role may not see it.
    pub state: Option<String>,
    pub query_start: Option<String>,
    /// The start of the statement it runs (as much as this role may see).
    pub query: Option<String>,
    /// The database where that run still holds its lock: then it is a live run, not a stale one.
    pub live_on: Option<String>,
}

impl Backend {
    pub fn describe(&self) -> String {
        let mut text = format!(
            "backend pid {} of run {} (client {})",
            self.pid, self.run, self.client
        );
        match &self.live_on {
            Some(database) => {
                let _ = write!(
                    text,
                    ", a run still going: it holds its run lock on database '{database}',"
                );
            }
            None => text.push_str(", a run that ended (its run lock is gone),"),
        }
        let _ = write!(
            text,
            " is {}",
            match self.state.as_deref() {
                Some("idle") => "idle, its client still connected",
                Some(state) => state,
                None => "in a state hidden from this role",
            }
        );
        if let Some(start) = &self.query_start {
            let _ = write!(text, ", query started {start}");
        }
        if let Some(query) = &self.query {
            let one_line: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
            let shown: String = one_line.chars().take(80).collect();
            let ellipsis = if one_line.chars().count() > 80 {
                "..."
            } else {
                ""
            };
            let _ = write!(text, ", running \"{shown}{ellipsis}\"");
        }
        text
    }
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}", held_message(.holder, *.pid, .backend_start, .database, .application_name))]
    Held {
        holder: Option<Holder>,
        pid: Option<i32>,
        backend_start: Option<String>,
        database: String,
        /// The holder's `application_name`, visible to every role: `runbook lock <run> ...`.
        application_name: Option<String>,
    },
    #[error("{}", stale_message(.backends, .database, *.terminate_requested))]
    OtherRunActive {
        backends: Vec<Backend>,
        database: String,
        /// `--terminate-stale` was given (it never ends a live run's backends).
        terminate_requested: bool,
    },
    #[error(
        "backend pid {pid} of an earlier run on database '{database}' did not end within {waited:?} of pg_cancel_backend and pg_terminate_backend; it would overlap this run"
    )]
    NotEnded {
        pid: i32,
        database: String,
        waited: Duration,
    },
    #[error("cannot end backend pid {pid} of an earlier run: {source}")]
    CannotEnd {
        pid: i32,
        #[source]
        source: QueryError,
    },
    #[error("cannot open the lock session: {0}")]
    Connect(#[from] ConnectError),
    #[error("cannot take the run lock: {0}")]
    Query(#[from] QueryError),
    #[error(
        "cannot identify the database for the run lock (pg_control_system() and pg_database): {0}"
    )]
    Identity(#[source] QueryError),
    #[error("cannot identify the database for the run lock: the server returned no row")]
    Unidentified,
}

fn held_message(
    holder: &Option<Holder>,
    pid: Option<i32>,
    backend_start: &Option<String>,
    database: &str,
    application_name: &Option<String>,
) -> String {
    match holder {
        Some(h) => format!(
            "another run holds the lock on database '{database}': runbook '{}' run {} by {}@{} pid {} since {}, evidence {}",
            h.runbook, h.run, h.operator, h.host, h.pid, h.started, h.evidence
        ),
        None => {
            let mut message = format!("another run holds the lock on database '{database}'");
            if let Some(run) = application_name
                .as_deref()
                .and_then(|name| name.strip_prefix("runbook lock "))
            {
                message.push_str(&format!(": run {run}"));
            }
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

fn stale_message(backends: &[Backend], database: &str, terminate_requested: bool) -> String {
    let list = backends
        .iter()
        .map(Backend::describe)
        .collect::<Vec<_>>()
        .join("; ");
    let all_live = backends.iter().all(|b| b.live_on.is_some());
    let advice = if all_live || terminate_requested {
        "wait for that run to end (--terminate-stale ends only backends of runs that ended)"
    } else {
        "wait for it to end, or run again with --terminate-stale to cancel it"
    };
    format!(
        "another run's work is still active on database '{database}': {list}; it would overlap this run: {advice}"
    )
}

/// A held lock: dropping it closes the session, which releases the lock.
#[derive(Debug)]
pub struct RunLock {
    session: Session,
    /// The `pg_try_advisory_lock` statement with the holder's comment.
    statement: String,
    pub identity: DatabaseIdentity,
    /// The server pid of the lock session, to recognise this run's own lock from another
    /// target's name for the same database.
    pub backend_pid: i32,
}

impl RunLock {
    /// The lock session ended (server restart, its container stopped, `pg_terminate_backend`,
    /// `idle_session_timeout`), and the server released the lock with it.
    pub fn is_lost(&self) -> bool {
        self.session.is_closed()
    }

    /// The lock's own session, idle otherwise: for the `pg_stat_activity` queries. Call
    /// [`RunLock::show_holder`] after using it.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Sends the lock statement, with the holder's comment, again (a session lock taken twice
    /// is still one lock, released with the session): `pg_stat_activity.query` shows a
    /// session's last statement, and that is how a refused run learns who holds the lock.
    pub async fn show_holder(&self) -> Result<(), LockError> {
        self.session.simple_query(&self.statement).await?;
        Ok(())
    }
}

/// What an attempt to take the lock found.
#[derive(Debug)]
pub enum Attempt {
    Acquired(Box<RunLock>),
    /// Held by someone; `holder_backend_pid` lets the caller recognise its own lock on the same
    /// database reached under another target name.
    Held {
        error: Box<LockError>,
        identity: DatabaseIdentity,
        holder_backend_pid: Option<i32>,
    },
}

/// Takes the lock on a connection of its own, or says who holds it.
pub async fn acquire(spec: &ConnectionSpec, holder: &Holder) -> Result<Attempt, LockError> {
    let mut spec = spec.clone();
    spec.set_application_name(holder.application_name(Role::Lock));
    let session = Session::connect(&spec).await?;
    let identity = identify(&session).await?;
    let key = identity.lock_key();
    let sql = format!(
        "SELECT pg_catalog.pg_try_advisory_lock({key}), pg_catalog.pg_backend_pid()::text /* {} */",
        holder.encode()
    );
    let rows = session.simple_query(&sql).await?;
    let row = rows.rows.first();
    let locked = row.and_then(|r| r.first().cloned().flatten());
    let backend_pid = row
        .and_then(|r| r.get(1).cloned().flatten())
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    if locked.as_deref() == Some("t") {
        return Ok(Attempt::Acquired(Box::new(RunLock {
            session,
            statement: sql,
            identity,
            backend_pid,
        })));
    }
    let (error, holder_backend_pid) = find_holder(&session, &identity).await;
    Ok(Attempt::Held {
        error: Box::new(error),
        identity,
        holder_backend_pid,
    })
}

/// In check mode: who holds the lock now, or which other run is still active, without taking
/// the lock (a dry run must never make a concurrent real run fail).
pub async fn probe(session: &Session, own_run: &str) -> Result<Option<LockError>, LockError> {
    let identity = identify(session).await?;
    let (classid, objid) = split_key(identity.lock_key());
    let sql = format!(
        "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted \
         AND classid = {classid} AND objid = {objid} AND objsubid = 1 AND database = {}",
        identity.oid
    );
    let rows = session.simple_query(&sql).await?;
    if rows.single_value() != Some(Some("0")) {
        return Ok(Some(find_holder(session, &identity).await.0));
    }
    let backends = other_runs_backends(session, &identity, own_run).await?;
    if backends.is_empty() {
        return Ok(None);
    }
    Ok(Some(LockError::OtherRunActive {
        backends,
        database: identity.name,
        terminate_requested: false,
    }))
}

fn split_key(key: i64) -> (u32, u32) {
    let bits = key as u64;
    ((bits >> 32) as u32, bits as u32)
}

async fn find_holder(session: &Session, identity: &DatabaseIdentity) -> (LockError, Option<i32>) {
    let (classid, objid) = split_key(identity.lock_key());
    let sql = format!(
        "SELECT a.pid::text, a.query, a.backend_start::text, a.application_name \
         FROM pg_catalog.pg_locks l \
         JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {classid} \
         AND l.objid = {objid} AND l.objsubid = 1 AND l.database = {} \
         LIMIT 1",
        identity.oid
    );
    let database = identity.name.clone();
    match session.simple_query(&sql).await {
        Ok(rows) => match rows.rows.first() {
            Some(row) => {
                let cell = |i: usize| row.get(i).cloned().flatten();
                let pid = cell(0).and_then(|p| p.parse().ok());
                (
                    LockError::Held {
                        holder: cell(1).as_deref().and_then(Holder::decode),
                        pid,
                        backend_start: cell(2),
                        database,
                        application_name: cell(3),
                    },
                    pid,
                )
            }
            None => (
                LockError::Held {
                    holder: None,
                    pid: None,
                    backend_start: None,
                    database,
                    application_name: None,
                },
                None,
            ),
        },
        Err(error) => (LockError::Query(error), None),
    }
}

/// How long an idle backend of a run that ended gets to go by itself: a killed process's
/// sessions end as soon as their backends read the closed socket, within milliseconds. One
/// still there after this has a client that is still alive (a `psql` a shell step started,
/// orphaned by the kill) and may send more.
const IDLE_GRACE: Duration = Duration::from_secs(1);

/// Backends of other runs (their `application_name` says `runbook run <id>`; children of shell
/// and exec steps get it in `PGAPPNAME`) on the database: any backend of a run that still
/// holds a lock somewhere on the server, and a run's that ended unless it is idle and goes
/// within [`IDLE_GRACE`]. `runbook check` sessions are read-only and never count.
pub async fn other_runs_backends(
    session: &Session,
    identity: &DatabaseIdentity,
    own_run: &str,
) -> Result<Vec<Backend>, LockError> {
    let deadline = Instant::now() + IDLE_GRACE;
    loop {
        let backends = other_runs_backends_now(session, identity, own_run).await?;
        let settling = backends
            .iter()
            .any(|b| b.live_on.is_none() && b.state.as_deref() == Some("idle"));
        if !settling || Instant::now() >= deadline {
            return Ok(backends);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn other_runs_backends_now(
    session: &Session,
    identity: &DatabaseIdentity,
    own_run: &str,
) -> Result<Vec<Backend>, LockError> {
    // The run id is ours (hex) and the OID a number: nothing in this text comes from outside.
    let own_run: String = own_run
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let sql = format!(
        "SELECT a.pid::text, a.application_name, a.state, a.query_start::text, \
                left(a.query, 200), \
                (SELECT l.datname::text FROM pg_catalog.pg_stat_activity l \
                 WHERE l.application_name LIKE \
                       'runbook lock ' || split_part(a.application_name, ' ', 3) || ' %' \
                 LIMIT 1) \
         FROM pg_catalog.pg_stat_activity a \
         WHERE a.datid = {oid} AND a.pid <> pg_catalog.pg_backend_pid() \
           AND a.application_name LIKE 'runbook run %' \
           AND split_part(a.application_name, ' ', 3) <> '{own_run}' \
         ORDER BY a.pid",
        oid = identity.oid
    );
    let rows = session.query(&sql, &[]).await?;
    Ok(rows
        .rows
        .iter()
        .filter_map(|row| {
            let cell = |i: usize| row.get(i).cloned().flatten();
            let name = cell(1).unwrap_or_default();
            let mut words = name.splitn(4, ' ').skip(2);
            Some(Backend {
                pid: cell(0)?.parse().ok()?,
                run: words.next().unwrap_or("?").to_owned(),
                client: words.next().unwrap_or("?").to_owned(),
                state: cell(2),
                query_start: cell(3),
                query: cell(4),
                live_on: cell(5),
            })
        })
        .collect())
}

/// How one backend of an earlier run was ended, for the evidence.
#[derive(Debug, Clone)]
pub struct Ended {
    pub backend: Backend,
    /// `pg_cancel_backend` was enough; otherwise `pg_terminate_backend` was needed.
    pub cancelled: bool,
    pub after: Duration,
}

/// How long a cancelled backend gets to go before it is terminated, and a terminated one to go
/// before the run gives up.
const CANCEL_WAIT: Duration = Duration::from_secs(5);
const TERMINATE_WAIT: Duration = Duration::from_secs(10);

/// `--terminate-stale`: cancels each backend (`pg_cancel_backend`: its statement ends, and a
/// backend whose client died then ends too), terminates those still there after a few seconds
/// (`pg_terminate_backend`), and waits until they are gone from `pg_stat_activity`.
pub async fn end_backends(
    session: &Session,
    backends: &[Backend],
    database: &str,
) -> Result<Vec<Ended>, LockError> {
    let mut ended = Vec::with_capacity(backends.len());
    for backend in backends {
        let started = Instant::now();
        signal(session, "pg_cancel_backend", backend.pid).await?;
        if wait_gone(session, backend.pid, CANCEL_WAIT).await? {
            ended.push(Ended {
                backend: backend.clone(),
                cancelled: true,
                after: started.elapsed(),
            });
            continue;
        }
        signal(session, "pg_terminate_backend", backend.pid).await?;
        if wait_gone(session, backend.pid, TERMINATE_WAIT).await? {
            ended.push(Ended {
                backend: backend.clone(),
                cancelled: false,
                after: started.elapsed(),
            });
            continue;
        }
        return Err(LockError::NotEnded {
            pid: backend.pid,
            database: database.to_owned(),
            waited: started.elapsed(),
        });
    }
    Ok(ended)
}

async fn signal(session: &Session, function: &str, pid: i32) -> Result<(), LockError> {
    // A false result means the backend was already gone; a role that may not signal it gets
    // an error from the server, which names what is missing.
    session
        .query(&format!("SELECT pg_catalog.{function}({pid})::text"), &[])
        .await
        .map(|_| ())
        .map_err(|source| LockError::CannotEnd { pid, source })
}

async fn wait_gone(session: &Session, pid: i32, limit: Duration) -> Result<bool, LockError> {
    let deadline = Instant::now() + limit;
    loop {
        let rows = session
            .query(
                &format!(
                    "SELECT count(*)::text FROM pg_catalog.pg_stat_activity WHERE pid = {pid}"
                ),
                &[],
            )
            .await?;
        if rows.single_value() == Some(Some("0")) {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> Holder {
        Holder {
            runbook: "opendolphin-legacy".into(),
            run: "0123abcd".into(),
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
    fn keys_differ_per_database_and_are_stable() {
        assert_eq!(
            lock_key("7714540276967217190", 16384),
            lock_key("7714540276967217190", 16384)
        );
        assert_ne!(
            lock_key("7714540276967217190", 16384),
            lock_key("7714540276967217190", 16385)
        );
        assert_ne!(
            lock_key("7714540276967217190", 16384),
            lock_key("7714540276967217191", 16384)
        );
    }

    #[test]
    fn application_names_carry_the_run_first_and_fit_the_server() {
        let mut h = holder();
        assert_eq!(
            h.application_name(Role::Run),
            "runbook run 0123abcd 4242@db-host-1"
        );
        h.host = "é".repeat(60);
        let name = h.application_name(Role::Lock);
        assert!(name.len() <= APPLICATION_NAME_MAX, "{}", name.len());
        assert!(name.starts_with("runbook lock 0123abcd 4242@"));
    }

    fn backend(live_on: Option<&str>) -> Backend {
        Backend {
            pid: 4711,
            run: "0123abcd".into(),
            client: "4242@db-host-1".into(),
            state: Some("active".into()),
            query_start: Some("2026-12-02 03:00:00+00".into()),
            query: Some(format!("SELECT\n  pg_sleep(30); -- {}", "x".repeat(100))),
            live_on: live_on.map(str::to_owned),
        }
    }

    #[test]
    fn another_runs_work_is_named_by_pid_start_query_and_run_with_the_way_out() {
        let stale = stale_message(&[backend(None)], "clinic", false);
        assert!(
            stale.starts_with(
                "another run's work is still active on database 'clinic': backend pid 4711 of run 0123abcd (client 4242@db-host-1), a run that ended (its run lock is gone), is active, query started 2026-12-02 03:00:00+00, running \"SELECT pg_sleep(30); -- xxx"
            ),
            "{stale}"
        );
        assert!(stale.ends_with("...\"; it would overlap this run: wait for it to end, or run again with --terminate-stale to cancel it"), "{stale}");
        let live = stale_message(&[backend(Some("other"))], "clinic", true);
        assert!(
            live.contains("a run still going: it holds its run lock on database 'other'")
                && live.contains("--terminate-stale ends only backends of runs that ended"),
            "{live}"
        );
    }

    #[test]
    fn key_splits_like_pg_locks_shows_it() {
        let (hi, lo) = split_key(-1);
        assert_eq!((hi, lo), (u32::MAX, u32::MAX));
        let (hi, lo) = split_key(0x0000_0001_0000_0002);
        assert_eq!((hi, lo), (1, 2));
    }
}

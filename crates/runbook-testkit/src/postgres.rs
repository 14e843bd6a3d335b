//! The shared PostgreSQL test cluster, one fresh database per test, and psql/pg_dump helpers
//! for differential tests.
//!
//! nextest runs every test in its own process, so the cluster cannot live in a static: the
//! first process to need it starts it under `<workspace>/target/runbook-test-cluster/`
//! (guarded by a file lock), later processes find it running there and reuse it, and it stays
//! up for the next run (`scripts/test-cluster stop` stops it). `RUNBOOK_TEST_DATABASE_URL`
//! points every test at an existing server instead. Each test then calls
//! [`create_database`] and gets its own database, dropped when the [`TestDb`] is.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use runbook_postgres::ephemeral::{EphemeralCluster, EphemeralOptions, PgBinaries};
use runbook_postgres::{ConnectionSpec, ProcessEnv, Session};

/// Set it to a superuser URL to run the tests against that server instead of the local cluster.
pub const DATABASE_URL_VAR: &str = "RUNBOOK_TEST_DATABASE_URL";

/// The file in the cluster directory that says where the running cluster is.
const STATE_FILE: &str = "cluster.env";

/// `<workspace>/target/runbook-test-cluster`.
pub fn cluster_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/runbook-test-cluster")
}

/// The server's programs: `/usr/lib/postgresql/<highest>/bin` when they are not on PATH.
pub fn binaries() -> &'static PgBinaries {
    static BINARIES: OnceLock<PgBinaries> = OnceLock::new();
    BINARIES.get_or_init(|| PgBinaries::find(None).unwrap_or_else(|e| panic!("{e}")))
}

/// A superuser spec for the test server's `postgres` database; starts the shared cluster on
/// first use.
pub fn server() -> &'static ConnectionSpec {
    static SERVER: OnceLock<ConnectionSpec> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var(DATABASE_URL_VAR) {
        Ok(url) => ConnectionSpec::parse(&url, &ProcessEnv)
            .unwrap_or_else(|e| panic!("{DATABASE_URL_VAR} is not a usable URL: {e}")),
        Err(_) => ensure_cluster().unwrap_or_else(|e| panic!("cannot start the test cluster: {e}")),
    })
}

fn options(keep: bool) -> EphemeralOptions {
    EphemeralOptions {
        keep,
        dir: Some(cluster_dir()),
        settings: vec![("max_connections".into(), "200".into())],
        ..EphemeralOptions::default()
    }
}

/// Holds the cluster directory's lock while alive.
struct DirLock(File);

impl DirLock {
    fn acquire() -> Result<DirLock, String> {
        let dir = cluster_dir();
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join("lock");
        let file =
            File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        file.lock()
            .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
        Ok(DirLock(file))
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Starts the shared cluster unless it is running (restarting it if it died), and leaves it
/// running. Returns its superuser spec.
pub fn ensure_cluster() -> Result<ConnectionSpec, String> {
    let _lock = DirLock::acquire()?;
    let cluster = EphemeralCluster::start(options(true)).map_err(|e| e.to_string())?;
    let spec = cluster.spec();
    let state = cluster_dir().join(STATE_FILE);
    fs::write(&state, format!("{DATABASE_URL_VAR}={}\n", spec.url()))
        .map_err(|e| format!("cannot write {}: {e}", state.display()))?;
    Ok(spec)
}

/// Stops the shared cluster if it runs; true when there was one to stop.
pub fn stop_cluster() -> Result<bool, String> {
    let _lock = DirLock::acquire()?;
    let _ = fs::remove_file(cluster_dir().join(STATE_FILE));
    match EphemeralCluster::attach(&options(false)).map_err(|e| e.to_string())? {
        Some(mut cluster) => cluster.stop().map(|()| true).map_err(|e| e.to_string()),
        None => Ok(false),
    }
}

/// The URL of the running shared cluster, if one runs.
pub fn cluster_status() -> Result<Option<String>, String> {
    let _lock = DirLock::acquire()?;
    let attached = EphemeralCluster::attach(&options(true)).map_err(|e| e.to_string())?;
    Ok(attached.map(|cluster| cluster.url()))
}

/// A database of its own for one test, dropped (best effort) on drop.
#[derive(Debug)]
pub struct TestDb {
    pub name: String,
    /// The URL without password (the password, if any, is in `spec`).
    pub url: String,
    pub spec: ConnectionSpec,
}

/// Creates a fresh, empty database whose name starts with `prefix`.
pub fn create_database(prefix: &str) -> TestDb {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let server = server();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let prefix: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    let name = format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    psql_command_ok(server, &format!("CREATE DATABASE \"{name}\""));
    let spec = server.with_database(&name);
    TestDb {
        url: spec.url(),
        name,
        spec,
    }
}

impl TestDb {
    /// A session on this database.
    pub async fn connect(&self) -> Session {
        Session::connect(&self.spec)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test database: {e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let _ = psql(server()).args(["-c", &sql]).output();
    }
}

/// `psql -X -q` connected to `spec`, password through the environment.
pub fn psql(spec: &ConnectionSpec) -> Command {
    let mut command = client_command("psql", spec);
    command.args(["-X", "-q", "-d", &spec.url()]);
    command
}

fn client_command(program: &str, spec: &ConnectionSpec) -> Command {
    let mut command = Command::new(binaries().program(program));
    command
        .stdin(Stdio::null())
        .env_remove("PGDATABASE")
        .env_remove("PGSERVICE");
    if let Some(password) = spec.password() {
        command.env("PGPASSWORD", password);
    }
    command
}

fn psql_command_ok(spec: &ConnectionSpec, sql: &str) {
    let output = psql(spec)
        .args(["-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql: {e}"));
    assert!(
        output.status.success(),
        "psql -c {sql:?} failed: {}",
        text(&output.stderr)
    );
}

/// `psql -X -q -v ON_ERROR_STOP=1 -f FILE` into `spec`'s database: Ok(stderr) when psql
/// succeeded, Err(stderr) when it did not.
pub fn psql_file(spec: &ConnectionSpec, file: &Path) -> Result<String, String> {
    let output = psql(spec)
        .args(["-v", "ON_ERROR_STOP=1", "-f"])
        .arg(file)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    let stderr = text(&output.stderr);
    if output.status.success() {
        Ok(stderr)
    } else {
        Err(stderr)
    }
}

/// `psql -X -q -f FILE` with psql's defaults (ON_ERROR_STOP off): the reference for
/// `on_error: continue`. Returns stderr.
pub fn psql_file_continue(spec: &ConnectionSpec, file: &Path) -> String {
    let output = psql(spec)
        .arg("-f")
        .arg(file)
        .stdout(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql: {e}"));
    text(&output.stderr)
}

/// Runs `pg_dump` with `args` against `spec`'s database and returns the dump.
pub fn pg_dump(spec: &ConnectionSpec, args: &[&str]) -> Vec<u8> {
    let output = run_pg_dump(spec, args);
    output.stdout
}

fn run_pg_dump(spec: &ConnectionSpec, args: &[&str]) -> Output {
    let output = client_command("pg_dump", spec)
        .args(args)
        .args(["-d", &spec.url()])
        .output()
        .unwrap_or_else(|e| panic!("cannot run pg_dump: {e}"));
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        text(&output.stderr)
    );
    output
}

/// `pg_dump` of the database as text without the lines that differ between two dumps of the
/// same content: the `\restrict`/`\unrestrict` keys (random per run) and the version comments.
pub fn pg_dump_normalized(spec: &ConnectionSpec) -> String {
    normalize_dump(&text(&run_pg_dump(spec, &[]).stdout))
}

/// See [`pg_dump_normalized`].
pub fn normalize_dump(dump: &str) -> String {
    dump.split('\n')
        .filter(|line| {
            !(line.starts_with("\\restrict ")
                || line.starts_with("\\unrestrict ")
                || line.starts_with("-- Dumped from database version")
                || line.starts_with("-- Dumped by pg_dump version"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `../shared/fixtures` beside the workspace, when it exists (corpus tests skip otherwise).
pub fn shared_fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    dir.is_dir().then(|| dir.canonicalize().unwrap_or(dir))
}

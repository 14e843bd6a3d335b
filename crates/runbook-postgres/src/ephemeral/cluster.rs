//! The cluster itself: initdb, settings, pg_ctl start and stop.

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use super::account::ServerAccount;
use super::binaries::PgBinaries;
use crate::env::EmptyEnv;
use crate::errors::EphemeralError;
use crate::spec::{ConnectionSpec, SslMode};

/// How to set up an ephemeral cluster. `Default` gives a fresh temporary cluster that goes
/// away on drop.
#[derive(Clone)]
pub struct EphemeralOptions {
    /// Leave the server running and the directory in place on drop (`stop()` still stops it).
    pub keep: bool,
    /// Where the cluster lives (`data/`, `socket/`, `server.log` inside). A directory that
    /// already holds a cluster is reused: started if stopped, adopted if running. `None`: a new
    /// temporary directory.
    pub dir: Option<PathBuf>,
    /// The TCP port on 127.0.0.1; `None` picks a free one.
    pub port: Option<u16>,
    /// Where `initdb` and `pg_ctl` are; `None` searches (see [`PgBinaries::find`]).
    pub bin_dir: Option<PathBuf>,
    /// Extra `postgresql.conf` settings, e.g. `("ssl", "on")`. Values are written as given,
    /// so quote strings: `("ssl_cert_file", "'server.crt'")`.
    pub settings: Vec<(String, String)>,
    /// Replaces `pg_hba.conf` when set.
    pub hba: Option<String>,
    /// Files written into the data directory (mode 0600, owned by the server), e.g. TLS keys.
    pub files: Vec<(String, Vec<u8>)>,
    /// How long `pg_ctl -w` may wait for the server to accept connections.
    pub start_timeout: Duration,
    /// The `postgres` role's password for TCP connections (scram-sha-256); the private Unix
    /// socket stays `trust`. `None`: trust everywhere, which lets any local user in as
    /// superuser: fine for a test cluster, not for one that holds restored patient data.
    pub password: Option<String>,
}

impl std::fmt::Debug for EphemeralOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EphemeralOptions")
            .field("keep", &self.keep)
            .field("dir", &self.dir)
            .field("port", &self.port)
            .field("bin_dir", &self.bin_dir)
            .field("settings", &self.settings)
            .field("hba", &self.hba)
            .field(
                "files",
                &self.files.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            )
            .field("start_timeout", &self.start_timeout)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .finish()
    }
}

impl Default for EphemeralOptions {
    fn default() -> Self {
        EphemeralOptions {
            keep: false,
            dir: None,
            port: None,
            bin_dir: None,
            settings: Vec::new(),
            hba: None,
            files: Vec::new(),
            start_timeout: Duration::from_secs(60),
            password: None,
        }
    }
}

/// A running local cluster, reachable as `postgres` on 127.0.0.1 (with the password of
/// [`EphemeralOptions::password`], if one was given).
pub struct EphemeralCluster {
    root: Root,
    port: u16,
    password: Option<String>,
    binaries: PgBinaries,
    account: Option<ServerAccount>,
    keep: bool,
    running: bool,
}

impl std::fmt::Debug for EphemeralCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EphemeralCluster")
            .field("root", &self.root.path())
            .field("port", &self.port)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("keep", &self.keep)
            .field("running", &self.running)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
enum Root {
    Temporary(TempDir),
    Given(PathBuf),
}

impl Root {
    fn path(&self) -> &Path {
        match self {
            Root::Temporary(dir) => dir.path(),
            Root::Given(path) => path,
        }
    }
}

/// Settings that make a throwaway cluster fast; durability does not matter for it.
const SPEED_SETTINGS: &[(&str, &str)] = &[
    ("fsync", "off"),
    ("synchronous_commit", "off"),
    ("full_page_writes", "off"),
];

const RUNBOOK_CONF: &str = "runbook.conf";

/// How often a start is retried when the chosen port was taken in between.
const START_ATTEMPTS: usize = 3;

impl EphemeralCluster {
    /// Creates (or reuses, see [`EphemeralOptions::dir`]) and starts a cluster. Blocking: call
    /// it from `spawn_blocking` in async code.
    pub fn start(options: EphemeralOptions) -> Result<EphemeralCluster, EphemeralError> {
        let mut cluster = Self::open(&options)?;
        cluster.prepare_directories()?;
        if cluster.data_dir().join("PG_VERSION").is_file() {
            if let Some(port) = cluster.running_port() {
                cluster.port = port;
                cluster.running = true;
                return Ok(cluster);
            }
        } else {
            cluster.initdb(options.password.as_deref())?;
        }
        cluster.configure(&options)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if options.port.is_none() {
                cluster.port = free_port()?;
            }
            cluster.write_runbook_conf(&options)?;
            match cluster.pg_ctl_start(options.start_timeout) {
                Ok(()) => break,
                Err(e)
                    if attempt < START_ATTEMPTS && options.port.is_none() && port_was_taken(&e) => {
                }
                Err(e) => {
                    // When pg_ctl gives up waiting (`-t`), the server goes on starting: stop
                    // it, or it would outlive the run (and a temporary cluster's directory).
                    cluster.running = true;
                    let _ = cluster.stop();
                    return Err(e);
                }
            }
        }
        cluster.running = true;
        Ok(cluster)
    }

    /// The cluster already running in `options.dir`, if there is one; starts nothing. For
    /// tools that stop or inspect a kept cluster.
    pub fn attach(options: &EphemeralOptions) -> Result<Option<EphemeralCluster>, EphemeralError> {
        if options
            .dir
            .as_deref()
            .is_none_or(|dir| !dir.join("data").is_dir())
        {
            return Ok(None);
        }
        let mut cluster = Self::open(options)?;
        match cluster.running_port() {
            Some(port) => {
                cluster.port = port;
                cluster.running = true;
                Ok(Some(cluster))
            }
            None => Ok(None),
        }
    }

    fn open(options: &EphemeralOptions) -> Result<EphemeralCluster, EphemeralError> {
        let binaries = PgBinaries::find(options.bin_dir.as_deref())?;
        let account = ServerAccount::for_current_process()?;
        let root = match &options.dir {
            Some(dir) => {
                fs::create_dir_all(dir).map_err(|source| EphemeralError::Directory {
                    path: dir.clone(),
                    source,
                })?;
                Root::Given(dir.clone())
            }
            None => Root::Temporary(
                tempfile::Builder::new()
                    .prefix("runbook-pg-")
                    .tempdir()
                    .map_err(|source| EphemeralError::Directory {
                        path: std::env::temp_dir(),
                        source,
                    })?,
            ),
        };
        Ok(EphemeralCluster {
            root,
            port: options.port.unwrap_or(0),
            password: options.password.clone(),
            binaries,
            account,
            keep: options.keep,
            running: false,
        })
    }

    /// `postgres@127.0.0.1:<port>/postgres`, no TLS, with the cluster's password if it has one.
    pub fn spec(&self) -> ConnectionSpec {
        let text = format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        );
        let mut spec = ConnectionSpec::parse(&text, &EmptyEnv).expect("a fixed, valid spec");
        spec.set_sslmode(SslMode::Disable);
        if let Some(password) = &self.password {
            spec.set_password(password.clone());
        }
        spec
    }

    /// The spec's URL, never with the password (children get it in `PGPASSWORD`).
    pub fn url(&self) -> String {
        self.spec().url()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn root_dir(&self) -> &Path {
        self.root.path()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// The directory holding the Unix socket (`host=` for a socket connection).
    pub fn socket_dir(&self) -> PathBuf {
        self.root.path().join("socket")
    }

    /// The server's log file, for diagnosing a failed start.
    pub fn log_file(&self) -> PathBuf {
        self.root.path().join("server.log")
    }

    pub fn binaries(&self) -> &PgBinaries {
        &self.binaries
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Stops the server (`pg_ctl stop -m fast`). A temporary directory is removed on drop.
    pub fn stop(&mut self) -> Result<(), EphemeralError> {
        if !self.running {
            return Ok(());
        }
        let data = self.data_dir();
        let mut command = self.command("pg_ctl");
        command
            .arg("-D")
            .arg(&data)
            .args(["-m", "fast", "-w", "stop"]);
        let output = self.run(command)?;
        self.running = false;
        if !output.status.success() && self.running_port().is_some() {
            return Err(failed("pg_ctl stop", &output, None));
        }
        Ok(())
    }

    fn prepare_directories(&self) -> Result<(), EphemeralError> {
        let socket = self.socket_dir();
        fs::create_dir_all(&socket).map_err(|source| EphemeralError::Directory {
            path: socket.clone(),
            source,
        })?;
        if let Some(account) = &self.account {
            account.give(self.root.path())?;
            account.give(&socket)?;
        }
        Ok(())
    }

    fn initdb(&self, password: Option<&str>) -> Result<(), EphemeralError> {
        // The password reaches initdb in a file only the server account can read, removed
        // right after: never on a command line, where `ps` would show it.
        let pwfile = self.root.path().join("initdb.pw");
        let auth: Vec<String> = match password {
            Some(password) => {
                self.write_file(&pwfile, password.as_bytes())?;
                vec![
                    "--auth-local=trust".to_owned(),
                    "--auth-host=scram-sha-256".to_owned(),
                    format!("--pwfile={}", pwfile.display()),
                ]
            }
            None => vec!["--auth=trust".to_owned()],
        };
        let mut last = None;
        for locale in ["C.UTF-8", "C"] {
            let mut command = self.command("initdb");
            command
                .arg("-D")
                .arg(self.data_dir())
                .args(["-U", "postgres", "-E", "UTF8", "--no-sync"])
                .args(&auth)
                .arg(format!("--locale={locale}"));
            let output = self.run(command)?;
            if output.status.success() {
                let _ = fs::remove_file(&pwfile);
                return Ok(());
            }
            let _ = fs::remove_dir_all(self.data_dir());
            last = Some(output);
        }
        let _ = fs::remove_file(&pwfile);
        Err(failed(
            "initdb",
            &last.expect("initdb ran at least once"),
            None,
        ))
    }

    fn configure(&self, options: &EphemeralOptions) -> Result<(), EphemeralError> {
        let data = self.data_dir();
        let conf = data.join("postgresql.conf");
        let text = fs::read_to_string(&conf).map_err(|source| EphemeralError::Directory {
            path: conf.clone(),
            source,
        })?;
        let include = format!("include_if_exists = '{RUNBOOK_CONF}'");
        if !text.contains(&include) {
            self.append(&conf, &format!("\n{include}\n"))?;
        }
        if let Some(hba) = &options.hba {
            self.write_file(&data.join("pg_hba.conf"), hba.as_bytes())?;
        }
        for (name, contents) in &options.files {
            self.write_file(&data.join(name), contents)?;
        }
        Ok(())
    }

    fn write_runbook_conf(&self, options: &EphemeralOptions) -> Result<(), EphemeralError> {
        let socket = self.socket_dir();
        let mut text = format!(
            "# Written by runbook's ephemeral cluster on every start.\nport = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n",
            self.port,
            socket.display().to_string().replace('\'', "''"),
        );
        for (key, value) in SPEED_SETTINGS {
            text.push_str(&format!("{key} = {value}\n"));
        }
        for (key, value) in &options.settings {
            text.push_str(&format!("{key} = {value}\n"));
        }
        self.write_file(&self.data_dir().join(RUNBOOK_CONF), text.as_bytes())
    }

    fn pg_ctl_start(&self, timeout: Duration) -> Result<(), EphemeralError> {
        let log = self.log_file();
        // The log is opened by pg_ctl as the server account: truncate it as ours first.
        self.write_file(&log, b"")?;
        let mut command = self.command("pg_ctl");
        command
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(&log)
            .arg("-w")
            .arg("-t")
            .arg(timeout.as_secs().max(1).to_string())
            .arg("start")
            // pg_ctl's server keeps stdout open otherwise, and our caller would wait on it.
            .stdout(Stdio::null());
        let output = self.run(command)?;
        if output.status.success() {
            return Ok(());
        }
        let log_text = fs::read_to_string(&log).unwrap_or_default();
        Err(failed("pg_ctl start", &output, Some(&log_text)))
    }

    /// The port of the server running on this data directory, if one is (its postmaster.pid
    /// names the port, and `pg_ctl status` confirms the process is alive).
    fn running_port(&self) -> Option<u16> {
        let pid_file = fs::read_to_string(self.data_dir().join("postmaster.pid")).ok()?;
        let port = pid_file.split('\n').nth(3)?.trim().parse().ok()?;
        let mut command = self.command("pg_ctl");
        command.arg("-D").arg(self.data_dir()).arg("status");
        let output = self.run(command).ok()?;
        output.status.success().then_some(port)
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.binaries.program(program));
        command.current_dir(self.root.path()).stdin(Stdio::null());
        // Keep the caller's libpq settings away from the server programs.
        for var in [
            "PGDATA",
            "PGPORT",
            "PGHOST",
            "PGUSER",
            "PGDATABASE",
            "PGOPTIONS",
        ] {
            command.env_remove(var);
        }
        if let Some(account) = &self.account {
            account.apply(&mut command);
        }
        command
    }

    fn run(&self, mut command: Command) -> Result<Output, EphemeralError> {
        let program = PathBuf::from(command.get_program());
        command
            .output()
            .map_err(|source| EphemeralError::Spawn { program, source })
    }

    fn write_file(&self, path: &Path, contents: &[u8]) -> Result<(), EphemeralError> {
        use std::os::unix::fs::OpenOptionsExt;
        let io = |source| EphemeralError::Directory {
            path: path.to_path_buf(),
            source,
        };
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        file.write_all(contents).map_err(io)?;
        if let Some(account) = &self.account {
            account.give(path)?;
        }
        Ok(())
    }

    fn append(&self, path: &Path, text: &str) -> Result<(), EphemeralError> {
        let io = |source| EphemeralError::Directory {
            path: path.to_path_buf(),
            source,
        };
        let mut file = fs::OpenOptions::new().append(true).open(path).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)
    }
}

impl Drop for EphemeralCluster {
    fn drop(&mut self) {
        if self.keep {
            if let Root::Temporary(dir) = &mut self.root {
                dir.disable_cleanup(true);
            }
            return;
        }
        let _ = self.stop();
    }
}

fn free_port() -> Result<u16, EphemeralError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(EphemeralError::NoFreePort)?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(EphemeralError::NoFreePort)
}

fn port_was_taken(error: &EphemeralError) -> bool {
    matches!(error, EphemeralError::CommandFailed { output, .. } if output.contains("could not bind"))
}

fn failed(program: &str, output: &Output, log: Option<&str>) -> EphemeralError {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if let Some(log) = log.filter(|l| !l.trim().is_empty()) {
        text.push_str("server log:\n");
        text.push_str(log);
    }
    EphemeralError::CommandFailed {
        program: program.to_owned(),
        status: output.status.to_string(),
        output: text.trim_end().to_owned(),
    }
}

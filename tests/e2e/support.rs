//! Helpers the end-to-end tests share: run the binary, write runbooks, inspect evidence.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `runbook` binary cargo built for these tests, or `RUNBOOK_E2E_BIN`: point it at an
/// older build to see a new test fail on the code before the fix.
pub fn runbook_bin() -> PathBuf {
    std::env::var_os("RUNBOOK_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_runbook")))
}

/// The workspace root (where `runbooks/` and `artifacts/` are).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The result of one invocation of `runbook`.
#[derive(Debug)]
pub struct Invocation {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Invocation {
    /// Both streams, for assertions that do not care where a message went.
    pub fn all_output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The evidence directory the run printed (`evidence: DIR`).
    pub fn evidence_dir(&self, cwd: &Path) -> PathBuf {
        let line = self
            .stdout
            .split('\n')
            .find_map(|l| l.trim_end_matches('\r').strip_prefix("evidence: "))
            .unwrap_or_else(|| panic!("no evidence line in output:\n{}", self.all_output()));
        cwd.join(line.trim())
    }
}

impl From<Output> for Invocation {
    fn from(output: Output) -> Self {
        Invocation {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `runbook ARGS...` in `cwd`, with colours off and no terminal.
pub fn runbook(cwd: &Path, args: &[&str]) -> Invocation {
    runbook_with_env(cwd, args, &[])
}

pub fn runbook_with_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Invocation {
    let mut command = Command::new(runbook_bin());
    command.current_dir(cwd).args(args).env("NO_COLOR", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run the runbook binary").into()
}

/// `sha256sum -c SHA256SUMS` in an evidence directory, with nothing but coreutils.
pub fn sha256sum_check(dir: &Path) -> (bool, String) {
    let output = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .expect("run sha256sum");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Every file under `dir`, concatenated, for "this never appears in evidence" assertions.
pub fn all_evidence_text(dir: &Path) -> String {
    let mut text = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read evidence dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                text.push_str(&String::from_utf8_lossy(
                    &std::fs::read(&path).expect("read evidence file"),
                ));
            }
        }
    }
    text
}

/// The step result of evidence step `NN-id`.
pub fn step_result(dir: &Path, step_dir: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("steps").join(step_dir).join("result.json"))
        .expect("result.json");
    serde_json::from_str(&text).expect("result.json is JSON")
}

pub fn run_record(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("run.json")).expect("run.json");
    serde_json::from_str(&text).expect("run.json is JSON")
}

// ---------------------------------------------------------------------------------------------
// Added for the contract tests: scratch directories, spawned runs, SQL probes.

/// A temp directory for one test: its runbooks, SQL files and evidence (under `ev/`).
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `name` (relative to the scratch dir) and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent dir");
        }
        std::fs::write(&path, contents).expect("write scratch file");
        path
    }

    /// `runbook ARGS...` here; `run` and `check` get `--evidence-dir ev` added.
    pub fn runbook(&self, args: &[&str]) -> Invocation {
        self.runbook_with_env(args, &[])
    }

    pub fn runbook_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Invocation {
        let args = with_evidence_dir(args);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        runbook_with_env(self.path(), &args, env)
    }

    /// Starts `runbook ARGS...` here without waiting, for signals and concurrency.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        Command::new(runbook_bin())
            .current_dir(self.path())
            .args(with_evidence_dir(args))
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn the runbook binary")
    }

    /// The evidence directories written under `ev/`, oldest first.
    pub fn evidence_dirs(&self) -> Vec<PathBuf> {
        let base = self.path().join("ev");
        let Ok(entries) = std::fs::read_dir(&base) else {
            return Vec::new();
        };
        let mut dirs: Vec<PathBuf> = entries
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        dirs
    }
}

fn with_evidence_dir(args: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    if matches!(args.first(), Some(&"run" | &"check")) && !args.contains(&"--evidence-dir") {
        all.extend(["--evidence-dir".to_owned(), "ev".to_owned()]);
    }
    all
}

/// Waits for a spawned run and collects what it printed.
pub fn finish(child: std::process::Child) -> Invocation {
    child
        .wait_with_output()
        .expect("wait for the runbook binary")
        .into()
}

/// Sends `signal` (`INT`, `KILL`, ...) to a process with coreutils' `kill`.
pub fn send_signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// Polls `condition` every 50 ms until it holds or `limit` passes; true when it held.
pub fn wait_until(limit: std::time::Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The output of `psql -At -c SQL` on a database (rows on lines, columns split by `|`).
pub fn sql_value(spec: &runbook_postgres::ConnectionSpec, sql: &str) -> String {
    let output = runbook_testkit::postgres::psql(spec)
        .args(["-v", "ON_ERROR_STOP=1", "-A", "-t", "-c", sql])
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "psql -c {sql:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim_end_matches(['\n', '\r'])
        .to_owned()
}

/// Runs SQL on a database with psql, stopping at the first error.
pub fn sql_exec(spec: &runbook_postgres::ConnectionSpec, sql: &str) {
    sql_value(spec, sql);
}

/// The queries the server is running for `database`, apart from this probe's own.
pub fn active_queries(database: &str) -> Vec<String> {
    let sql = format!(
        "SELECT query FROM pg_stat_activity WHERE datname = '{database}' AND state = 'active' AND pid <> pg_backend_pid()"
    );
    let text = sql_value(runbook_testkit::postgres::server(), &sql);
    text.split('\n')
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The sha256 of bytes, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let output = {
        use std::io::Write;
        let mut child = Command::new("sha256sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("run sha256sum");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("feed sha256sum");
        child.wait_with_output().expect("sha256sum output")
    };
    String::from_utf8_lossy(&output.stdout)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The text of a step's `output.log`.
pub fn step_log(dir: &Path, step_dir: &str) -> String {
    std::fs::read_to_string(dir.join("steps").join(step_dir).join("output.log"))
        .unwrap_or_else(|e| panic!("read {step_dir}/output.log: {e}"))
}

/// The statuses of the steps in `run.json`, in plan order: `[("a", "passed"), ...]`.
pub fn step_statuses(dir: &Path) -> Vec<(String, String)> {
    run_record(dir)["steps"]
        .as_array()
        .expect("steps in run.json")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or_default().to_owned(),
                s["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Asserts that a user never sees a Rust panic or backtrace.
pub fn assert_no_panic(invocation: &Invocation) {
    let all = invocation.all_output();
    assert!(
        !all.contains("panicked")
            && !all.contains("RUST_BACKTRACE")
            && !all.contains("stack backtrace"),
        "the binary panicked:\n{all}"
    );
}

/// The shared fixtures (`../shared/fixtures`), or `None` after printing why a corpus test skips.
pub fn corpus_or_skip(test: &str) -> Option<PathBuf> {
    let found = runbook_testkit::postgres::shared_fixtures();
    if found.is_none() {
        #[expect(
            clippy::print_stderr,
            reason = "a skipped corpus test says so in the test output"
        )]
        {
            eprintln!("{test}: skipped: ../shared/fixtures is absent (corpus tests need it)");
        }
    }
    found
}

/// Extends `path` to `len` bytes with zeros, sparse: nothing is written to disk, but reading or
/// hashing the file takes far longer than a test, which is what interrupt tests need.
pub fn make_sparse(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|file| file.set_len(len))
        .unwrap_or_else(|e| panic!("extend {}: {e}", path.display()));
}

/// How one bounded invocation went (see [`run_bounded`]).
pub struct Bounded {
    pub out: Invocation,
    pub took: std::time::Duration,
    /// Killed at the deadline.
    pub killed: bool,
    /// Highest `VmHWM` (peak resident set) seen, in kB.
    pub peak_kb: u64,
}

/// Runs `command` (program, arguments and directory already set) with its output going to
/// files in `dir` (a flood must not block on a full pipe), no stdin and `NO_COLOR`; polls its
/// peak RSS and kills it after `limit`. For tests whose point is that memory and time stay
/// bounded, and that must end even when they do not.
pub fn run_bounded(
    mut command: std::process::Command,
    dir: &Path,
    limit: std::time::Duration,
) -> Bounded {
    let out_path = dir.join(".stdout");
    let err_path = dir.join(".stderr");
    let mut child = command
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("spawn the command");
    let started = std::time::Instant::now();
    let mut peak_kb = 0;
    let mut killed = false;
    let status = loop {
        peak_kb = peak_kb.max(vm_hwm_kb(child.id()));
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            killed = true;
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Bounded {
        out: Invocation {
            code: status.code().unwrap_or(-1),
            stdout: read(&out_path),
            stderr: read(&err_path),
        },
        took: started.elapsed(),
        killed,
        peak_kb,
    }
}

/// `VmHWM` of a process in kB (0 once it is gone).
pub fn vm_hwm_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.split('\n')
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

//! `shell`: the escape hatch, a local command whose output becomes evidence.
//!
//! The command runs without a shell unless `shell: true` asks for one, so arguments with spaces
//! or `$` reach the program as written. Both streams are logged line by line as they arrive,
//! lines cut at 1 MiB and the log capped at `max_output_bytes` (default 64 MiB; the rest is
//! counted, not kept), so memory and evidence stay bounded whatever it prints; the exit code
//! decides the status. A failure's record (`error.detail`) carries the last 20 lines of stderr
//! (redacted, each cut at 500 characters), so the terminal and the report say why without
//! opening `output.log`. A timeout or Ctrl-C stops the command with everything it started: it
//! runs in a process group of its own, which gets SIGTERM and, `STOP_GRACE` later, SIGKILL. Killing only the direct child would
//! leave `sh -c 'pg_restore ...; psql ...'` or `flyway migrate | tee log` changing the database
//! after the operator gave up (and the step waiting for the pipes they still hold). The group
//! is not the terminal's foreground group, so the command cannot read the terminal: its stdin
//! is empty anyway. `${targets.NAME.url}`, in an argument or in `env`, expands to a URL without
//! password; the password goes to the child in `PGPASSWORD`, so it never shows in a command
//! line or in evidence. In check mode the command is only described (and its program looked up
//! on PATH) unless `run_in_check: true` says it is safe to run.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use runbook_evidence::{OutputValue, StepOutcome, StepStatus, hash_file};
use runbook_spec::{Command, Shell};
use rustix::process::{Pid, Signal, kill_process_group};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Child;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::output::{CommandOutput, LineCapture};
use crate::step::Step;

pub(crate) struct ShellStep(pub Shell);

/// How long a cancelled command's process group gets between SIGTERM and SIGKILL: well inside
/// the runner's own grace period, so the step's evidence is sealed with the command's end in it.
const STOP_GRACE: Duration = Duration::from_secs(5);

#[async_trait]
impl Step for ShellStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        self.execute(cx).await
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        if self.0.run_in_check {
            cx.log("run_in_check: true, so check mode runs the command");
            return self.execute(cx).await;
        }
        let argv = self.argv(cx).await?;
        let program = &argv[0];
        let shown = display_argv(&argv);
        match find_program(program, self.0.cwd.as_deref(), cx.env().path_var()) {
            Some(path) => {
                cx.log(format!("would run: {shown}"));
                cx.log(format!("program: {}", path.display()));
                // Names only: the values may be secrets.
                if !self.0.env.is_empty() {
                    cx.log(format!(
                        "environment: {}",
                        self.0.env.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                }
                for (name, path) in &self.0.produces {
                    let path = cx.expand(&path.display().to_string()).await?;
                    cx.log(format!(
                        "would produce {name}: {path} (later steps find it there)"
                    ));
                }
                Ok(StepOutcome::new(
                    StepStatus::Passed,
                    format!("would run: {shown}"),
                ))
            }
            None => Err(StepError::failed(format!(
                "program '{program}' not found{}",
                if program.contains('/') {
                    String::new()
                } else {
                    " on PATH".to_owned()
                }
            ))),
        }
    }
}

impl ShellStep {
    async fn argv(&self, cx: &mut StepContext<'_>) -> Result<Vec<String>, StepError> {
        let raw: Vec<String> = match &self.0.command {
            Command::Argv(argv) => argv.clone(),
            Command::Script(script) => vec!["/bin/sh".to_owned(), "-c".to_owned(), script.clone()],
        };
        let mut argv = Vec::with_capacity(raw.len());
        for arg in &raw {
            argv.push(cx.expand(arg).await?);
        }
        if argv.first().is_none_or(|p| p.is_empty()) {
            return Err(StepError::failed("empty command"));
        }
        Ok(argv)
    }

    /// Checks that every file in `produces` exists after the command, records its size and
    /// digest, and makes its path the step's output of that name. A declared file the command
    /// did not create fails the step: the later steps that use it cannot go on.
    async fn record_produced(
        &self,
        cx: &mut StepContext<'_>,
        outcome: &mut StepOutcome,
    ) -> Result<(), StepError> {
        let mut produced = Vec::new();
        let mut missing = Vec::new();
        for (name, written) in &self.0.produces {
            let path = cx.expand(&written.display().to_string()).await?;
            let at = match &self.0.cwd {
                Some(dir) => dir.join(&path),
                None => PathBuf::from(&path),
            };
            let hashed = {
                let at = at.clone();
                tokio::task::spawn_blocking(move || match std::fs::metadata(&at) {
                    Ok(meta) if meta.is_file() => hash_file(&at).map_err(|e| e.to_string()),
                    Ok(_) => Err("not a regular file".to_owned()),
                    Err(e) => Err(e.to_string()),
                })
                .await
                .map_err(|e| StepError::failed(format!("hashing {path}: {e}")))?
            };
            match hashed {
                Ok(digest) => {
                    // Relative to `cwd` when it is set: later steps run in the runbook's working
                    // directory, so they get the path the file has from there.
                    let path = at.display().to_string();
                    cx.log(format!(
                        "produced {name}: {path}  {} bytes  sha256 {}",
                        digest.size, digest.sha256
                    ));
                    produced.push(json!({
                        "name": name,
                        "path": path,
                        "size": digest.size,
                        "sha256": digest.sha256,
                    }));
                    outcome
                        .outputs
                        .insert(name.clone(), OutputValue::plain(path));
                }
                Err(problem) => {
                    cx.log(format!("missing {name}: {path} ({problem})"));
                    missing.push(format!("{name} ({path}: {problem})"));
                }
            }
        }
        if let Some(details) = outcome.details.as_object_mut()
            && !produced.is_empty()
        {
            details.insert("produced".to_owned(), produced.into());
        }
        if !missing.is_empty() {
            let message = format!(
                "the command did not create what the step declares in produces: {}",
                missing.join(", ")
            );
            outcome.status = StepStatus::Failed;
            outcome.summary = format!("failed: {message}");
            outcome.error = Some(runbook_evidence::ErrorRecord::new(message));
        }
        Ok(())
    }

    async fn execute(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let argv = self.argv(cx).await?;
        let mut password = None;
        let raw_args: Vec<&str> = match &self.0.command {
            Command::Argv(argv) => argv.iter().map(String::as_str).collect(),
            Command::Script(script) => vec![script.as_str()],
        };
        // `env: { DATABASE_URL: ${targets.db.url} }` needs the password as much as an argument.
        for arg in raw_args
            .into_iter()
            .chain(self.0.env.values().map(String::as_str))
        {
            if let Some(p) = cx.referenced_password(arg).await? {
                password = Some(p);
            }
        }
        let shown = display_argv(&argv);
        cx.log(format!("$ {shown}"));
        if let Some(dir) = &self.0.cwd {
            cx.log(format!("in {}", dir.display()));
        }
        let mut command = tokio::process::Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so that a cancel reaches what it started too.
            .process_group(0)
            .kill_on_drop(true);
        if let Some(dir) = &self.0.cwd {
            command.current_dir(dir);
        }
        // The run's environment (the process's, unless the run was given one), then the step's.
        cx.env().apply_to(&mut command);
        for (key, value) in &self.0.env {
            command.env(key, cx.expand(value).await?);
        }
        if let Some(password) = password {
            command.env("PGPASSWORD", password);
        }
        // The run's name for sessions, so a later run's lock sees a `psql` left running.
        if !self.0.env.contains_key("PGAPPNAME") {
            command.env("PGAPPNAME", cx.application_name());
        }
        let started = Instant::now();
        let mut child = command.spawn().map_err(|e| {
            StepError::failed(format!(
                "cannot start '{}': {}",
                argv[0],
                match e.kind() {
                    std::io::ErrorKind::NotFound =>
                        "no such program (not found on PATH)".to_owned(),
                    _ => e.to_string(),
                }
            ))
        })?;
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        let captured = CommandOutput::new(cx.output(), self.0.max_output_bytes);
        let mut pumps = [
            tokio::spawn(pump(stdout, captured.stream("stdout"))),
            tokio::spawn(pump(stderr, captured.stream("stderr"))),
        ];
        let cancel = cx.cancellation();
        let status = tokio::select! {
            status = child.wait() => status.map_err(|e| StepError::failed(format!("waiting for '{}': {e}", argv[0])))?,
            () = cancel.cancelled() => {
                let (status, killed) = stop_group(&mut child, &mut pumps).await;
                cx.log(format!(
                    "stopped the command because the step was cancelled (SIGTERM to its process group{}){}",
                    if killed {
                        format!(", SIGKILL after {}s", STOP_GRACE.as_secs())
                    } else {
                        String::new()
                    },
                    status
                        .and_then(|s| s.code())
                        .map(|c| format!("; it ended with exit code {c}"))
                        .unwrap_or_default()
                ));
                return Err(StepError::Interrupted);
            }
        };
        let [pump_out, pump_err] = pumps;
        let lines_out = pump_out.await.unwrap_or(0);
        let lines_err = pump_err.await.unwrap_or(0);
        let counts = captured.finish();
        let elapsed = started.elapsed();
        let code = status.code();
        let signal = {
            use std::os::unix::process::ExitStatusExt;
            status.signal()
        };
        cx.log(match (code, signal) {
            (Some(code), _) => format!("exit code {code} after {:.1}s", elapsed.as_secs_f64()),
            (None, Some(sig)) => {
                format!("killed by signal {sig} after {:.1}s", elapsed.as_secs_f64())
            }
            _ => "ended without an exit code".to_owned(),
        });
        let allowed = code.is_some_and(|c| self.0.allow_exit_codes.contains(&i64::from(c)));
        let details = json!({
            "command": argv,
            "exit_code": code,
            "signal": signal,
            "stdout_lines": lines_out,
            "stderr_lines": lines_err,
            "output_bytes_kept": counts.kept,
            "output_bytes_not_kept": counts.not_kept,
            "output_lines_cut": counts.cut_lines,
            "duration_ms": elapsed.as_millis() as u64,
        });
        if allowed {
            let mut outcome = StepOutcome::new(
                StepStatus::Passed,
                format!("{} exited {}", argv[0], code.unwrap_or_default()),
            );
            outcome.details = details;
            outcome.outputs.insert(
                "stdout_last_line".to_owned(),
                OutputValue::plain(captured.stdout_last_line()),
            );
            self.record_produced(cx, &mut outcome).await?;
            Ok(outcome)
        } else {
            let allowed_list = self
                .0
                .allow_exit_codes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let what = match (code, signal) {
                (Some(code), _) => format!("exit code {code}"),
                (None, Some(sig)) => format!("signal {sig}"),
                _ => "no exit code".to_owned(),
            };
            let mut record = runbook_evidence::ErrorRecord::new(format!(
                "{} ended with {what} (allowed: {allowed_list})",
                argv[0]
            ));
            record.context = Some(format!("command: {shown}"));
            record.detail = captured.stderr_detail(lines_err);
            let mut outcome =
                StepOutcome::new(StepStatus::Failed, format!("failed: {}", record.message));
            outcome.error = Some(record);
            outcome.details = details;
            Ok(outcome)
        }
    }
}

/// Stops the command's process group: SIGTERM, then SIGKILL when the command has not ended and
/// closed its output within `STOP_GRACE` (something it started may ignore SIGTERM or hold the
/// pipes). Returns the command's exit status and whether SIGKILL was needed.
async fn stop_group(
    child: &mut Child,
    pumps: &mut [tokio::task::JoinHandle<u64>; 2],
) -> (Option<ExitStatus>, bool) {
    // The group's id is the command's pid (`process_group(0)`); none once it was reaped.
    let group = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(Pid::from_raw);
    let signal = |signal: Signal| {
        if let Some(group) = group {
            let _ = kill_process_group(group, signal);
        }
    };
    signal(Signal::TERM);
    let ended = tokio::time::timeout(STOP_GRACE, async {
        let status = child.wait().await;
        for pump in pumps.iter_mut() {
            let _ = pump.await;
        }
        status
    })
    .await;
    let killed = ended.is_err();
    // Also whatever of the group outlived the command without holding its output.
    signal(Signal::KILL);
    let status = match ended {
        Ok(status) => status.ok(),
        Err(_) => child.wait().await.ok(),
    };
    // A process that left the group may still hold the pipes: do not wait for it.
    for pump in pumps.iter_mut().filter(|p| !p.is_finished()) {
        if tokio::time::timeout(Duration::from_secs(1), &mut *pump)
            .await
            .is_err()
        {
            pump.abort();
        }
    }
    (status, killed)
}

/// Copies a stream into the log, line by line; returns the number of lines. Reads fixed-size
/// chunks and lets [`LineCapture`] assemble the lines: a line of 300 MB costs a megabyte (the
/// line cap), not 300 MB (`read_until` would buffer it whole, and every copy after it too).
async fn pump(mut stream: impl AsyncRead + Unpin, mut capture: LineCapture) -> u64 {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => capture.push(&buf[..n]),
        }
    }
    capture.finish()
}

/// The command as a shell would need it typed: arguments with spaces or quotes are quoted.
pub(crate) fn display_argv(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where `program` is: a path (relative to `cwd`), or the first executable of that name on
/// `path` (the run's `PATH`).
fn find_program(
    program: &str,
    cwd: Option<&Path>,
    path: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        let path = match cwd {
            Some(dir) if !program.starts_with('/') => dir.join(program),
            _ => PathBuf::from(program),
        };
        return executable(&path).then_some(path);
    }
    std::env::split_paths(&path?)
        .map(|dir| dir.join(program))
        .find(|p| executable(p))
}

#[cfg(test)]
mod tests {
    use super::{display_argv, find_program};

    #[test]
    fn programs_are_looked_up_on_the_runs_path() {
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("only-here");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = Some(dir.path().as_os_str().to_owned());
        assert_eq!(find_program("only-here", None, path.clone()), Some(tool));
        assert_eq!(find_program("sh", None, path), None);
        assert_eq!(find_program("sh", None, None), None);
    }

    #[test]
    fn quotes_what_a_shell_would_split() {
        let argv = ["pg_dump", "--schema-only", "my db", "it's"].map(String::from);
        assert_eq!(
            display_argv(&argv),
            r"pg_dump --schema-only 'my db' 'it'\''s'"
        );
    }
}

//! Stopping a command run in a container when the caller gives up (Ctrl-C, a step timeout).
//!
//! The Docker API cannot kill an exec'd process, and dropping the request leaves it running:
//! a `psql -f` would go on loading a dump after the operator pressed Ctrl-C. So a cancellable
//! command runs under a small `sh` wrapper that writes its process id to a file in `/tmp`; on
//! cancellation a second exec sends it SIGTERM, then SIGKILL if it has not exited within the
//! grace period. The wrapper removes the file when the command ends, however it ends. The
//! container needs `sh` (every Postgres image has it).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::client::DockerClient;
use crate::errors::{DockerError, SpecError};
use crate::exec::{ExecSpec, OutputStream};

/// Runs the command in the background, in a session of its own where `setsid` exists (so the
/// signal reaches everything it started, like the shell of `sh -c`), records its pid, waits
/// for it, passes its exit status on and removes the pid file. `$0` is the pid file.
const WRAPPER: &str = r#"if command -v setsid >/dev/null 2>&1; then setsid "$@" & else "$@" & fi; pid=$!; echo "$pid" > "$0"; wait "$pid"; status=$?; rm -f "$0"; exit "$status""#;

/// Sends signal `$1` to the process group (else the process) whose pid is in file `$0`,
/// waiting up to 5 s for the wrapper to write it. Anything but a plain number above 1 is
/// ignored: a signal to pid 1 or -1 would hit the container's main process.
const SIGNAL: &str = r#"i=0; while [ ! -s "$0" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done; pid=$(cat "$0" 2>/dev/null); case $pid in ''|*[!0-9]*) exit 0 ;; esac; [ "$pid" -gt 1 ] || exit 0; kill -s "$1" -- "-$pid" 2>/dev/null || kill -s "$1" "$pid" 2>/dev/null; exit 0"#;

/// How a cancellable command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecEnd {
    /// It ran to the end: its exit code.
    Exited(i64),
    /// `cancel` fired first and the command was stopped; the exit code it was stopped with
    /// (143 for SIGTERM, 137 for SIGKILL), when the engine reported one.
    Cancelled { exit_code: Option<i64> },
}

impl DockerClient {
    /// Like [`exec`](Self::exec), but stops the command inside the container when `cancel`
    /// completes first: SIGTERM, then SIGKILL after `grace`. The program is started through
    /// `sh`, so a program that does not exist shows as exit code 127 with sh's message on
    /// stderr rather than as [`DockerError::ExecFailed`].
    pub async fn exec_cancellable(
        &self,
        container: &str,
        spec: &ExecSpec,
        on_output: &mut (dyn FnMut(OutputStream, &[u8]) + Send),
        cancel: impl Future<Output = ()> + Send,
        grace: Duration,
    ) -> Result<ExecEnd, DockerError> {
        if spec.cmd.is_empty() {
            return Err(SpecError::new("command", "", "expected at least a program name").into());
        }
        let pid_file = pid_file();
        let mut wrapped = spec.clone();
        wrapped.cmd = ["sh", "-c", WRAPPER, &pid_file]
            .into_iter()
            .map(str::to_owned)
            .chain(spec.cmd.iter().cloned())
            .collect();
        let shown = spec.display_command();
        let run = self.exec_shown(container, &wrapped, &shown, on_output);
        tokio::pin!(run);
        tokio::pin!(cancel);
        tokio::select! {
            result = &mut run => return result.map(ExecEnd::Exited),
            () = &mut cancel => {}
        }
        self.signal(container, &pid_file, "TERM").await?;
        if let Ok(result) = tokio::time::timeout(grace, &mut run).await {
            return Ok(ExecEnd::Cancelled {
                exit_code: result.ok(),
            });
        }
        self.signal(container, &pid_file, "KILL").await?;
        let exit_code = tokio::time::timeout(Duration::from_secs(10), &mut run)
            .await
            .ok()
            .and_then(Result::ok);
        Ok(ExecEnd::Cancelled { exit_code })
    }

    async fn signal(
        &self,
        container: &str,
        pid_file: &str,
        signal: &str,
    ) -> Result<(), DockerError> {
        let spec = ExecSpec::new(["sh", "-c", SIGNAL, pid_file, signal]).user("0");
        self.exec_capture(container, &spec).await.map(|_| ())
    }
}

/// A pid file name no other command of this or another process uses.
fn pid_file() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "/tmp/.runbook-exec-{}-{}-{nanos}.pid",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

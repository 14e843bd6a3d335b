//! Running a command inside a container (`docker exec`), streaming its output.
//!
//! Output goes to a callback chunk by chunk as the engine sends it, so a `psql -f` of a large
//! dump never sits in memory; the exit code comes back at the end. A non-zero exit code is a
//! result, not an error: the caller decides what it means.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use bollard::exec::{StartExecOptions, StartExecResults};
use bollard::models::ExecConfig;
use futures_util::StreamExt;

use crate::client::DockerClient;
use crate::errors::DockerError;
use crate::failure::classify;
use crate::spec::RedactedEnv;

/// Which output stream a chunk or line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputStream {
    Stdout,
    Stderr,
}

/// A command to run in a container. `Debug` hides environment values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ExecSpec {
    /// Program and arguments, not a shell line (wrap in `["sh", "-c", ...]` for one).
    pub cmd: Vec<String>,
    /// `name`, `uid` or `uid:gid`; `None` runs as the container's user.
    pub user: Option<String>,
    pub env: BTreeMap<String, String>,
    pub workdir: Option<String>,
}

impl ExecSpec {
    pub fn new<I, S>(cmd: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ExecSpec {
            cmd: cmd.into_iter().map(Into::into).collect(),
            ..ExecSpec::default()
        }
    }

    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }

    pub fn workdir(mut self, dir: impl Into<String>) -> Self {
        self.workdir = Some(dir.into());
        self
    }

    /// The command as one line, quoted where needed, for messages and evidence.
    pub fn display_command(&self) -> String {
        self.cmd
            .iter()
            .map(|arg| {
                if !arg.is_empty()
                    && arg
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
                {
                    arg.clone()
                } else {
                    format!("'{}'", arg.replace('\'', r"'\''"))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Debug for ExecSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecSpec")
            .field("cmd", &self.cmd)
            .field("user", &self.user)
            .field("env", &RedactedEnv(&self.env))
            .field("workdir", &self.workdir)
            .finish()
    }
}

/// Output of [`DockerClient::exec_capture`], for short commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    pub exit_code: i64,
    pub stdout: String,
    pub stderr: String,
    /// Output beyond the capture limit was dropped.
    pub truncated: bool,
}

/// How the engine's own message starts when it cannot start the program.
const OCI_FAILURE: &[u8] = b"OCI runtime exec failed: ";

/// The useful part of the engine's message: `unable to start container process: exec:
/// "psql": executable file not found in $PATH`.
fn oci_reason(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    let text = text.trim();
    let text = text
        .strip_prefix("OCI runtime exec failed: ")
        .unwrap_or(text);
    let text = text.strip_prefix("exec failed: ").unwrap_or(text);
    text.strip_suffix(": unknown").unwrap_or(text).to_owned()
}

/// How much [`DockerClient::exec_capture`] keeps of each stream.
const CAPTURE_LIMIT: usize = 1024 * 1024;

impl DockerClient {
    /// Runs `spec` in `container`, passing output chunks to `on_output` as they arrive, and
    /// returns the command's exit code. The container must be running.
    pub async fn exec(
        &self,
        container: &str,
        spec: &ExecSpec,
        on_output: &mut (dyn FnMut(OutputStream, &[u8]) + Send),
    ) -> Result<i64, DockerError> {
        self.exec_shown(container, spec, &spec.display_command(), on_output)
            .await
    }

    /// [`exec`](Self::exec), naming the command `command` in errors (a wrapped command is
    /// named by what the caller asked for).
    pub(crate) async fn exec_shown(
        &self,
        container: &str,
        spec: &ExecSpec,
        command: &str,
        on_output: &mut (dyn FnMut(OutputStream, &[u8]) + Send),
    ) -> Result<i64, DockerError> {
        let command = command.to_owned();
        crate::names::check_container_ref(container)?;
        if spec.cmd.is_empty() {
            return Err(crate::errors::SpecError::new(
                "command",
                "",
                "expected at least a program name",
            )
            .into());
        }
        let config = ExecConfig {
            cmd: Some(spec.cmd.clone()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            attach_stdin: Some(false),
            tty: Some(false),
            user: spec.user.clone(),
            env: (!spec.env.is_empty())
                .then(|| spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            working_dir: spec.workdir.clone(),
            ..ExecConfig::default()
        };
        let created = match self
            .docker
            .create_exec(&crate::names::path_segment(container), config)
            .await
        {
            Ok(created) => created,
            Err(e) => {
                let failure = classify(e);
                return Err(match failure.status() {
                    Some(404) => DockerError::NoSuchContainer {
                        name: container.to_owned(),
                    },
                    Some(409) => match self.inspect_container(container).await? {
                        Some(info) => DockerError::NotRunning {
                            name: container.to_owned(),
                            state: info.state.to_string(),
                        },
                        None => DockerError::NoSuchContainer {
                            name: container.to_owned(),
                        },
                    },
                    _ => self.fail(format!("run {command} in container {container}"), failure),
                });
            }
        };
        let exec_failed = |message: String| DockerError::ExecFailed {
            container: container.to_owned(),
            command: command.clone(),
            message,
        };
        let options = StartExecOptions {
            detach: false,
            tty: false,
            output_capacity: None,
        };
        // When the program cannot be started, the engine writes its reason to stdout and
        // reports exit code 126 or 127; that is held back and becomes an error, not output.
        let mut held: Option<Vec<u8>> = None;
        let mut first = true;
        match self.docker.start_exec(&created.id, Some(options)).await {
            Ok(StartExecResults::Attached { mut output, .. }) => {
                while let Some(item) = output.next().await {
                    let (stream, message) = match item {
                        Ok(bollard::container::LogOutput::StdErr { message }) => {
                            (OutputStream::Stderr, message)
                        }
                        Ok(
                            bollard::container::LogOutput::StdOut { message }
                            | bollard::container::LogOutput::Console { message },
                        ) => (OutputStream::Stdout, message),
                        Ok(bollard::container::LogOutput::StdIn { .. }) => continue,
                        Err(e) => return Err(exec_failed(classify(e).message().to_owned())),
                    };
                    if first && stream == OutputStream::Stdout && message.starts_with(OCI_FAILURE) {
                        held = Some(message.to_vec());
                    } else {
                        if let Some(h) = held.take() {
                            on_output(OutputStream::Stdout, &h);
                        }
                        on_output(stream, &message);
                    }
                    first = false;
                }
            }
            Ok(StartExecResults::Detached) => {
                return Err(exec_failed("the engine detached the command".to_owned()));
            }
            Err(e) => return Err(exec_failed(classify(e).message().to_owned())),
        }
        let (code, pid) = self.exit_code(&created.id, &exec_failed).await?;
        if let Some(h) = held {
            // A process that ran has a pid; a program that never started has none.
            if (code == 126 || code == 127) && pid.unwrap_or(0) == 0 {
                return Err(exec_failed(oci_reason(&h)));
            }
            on_output(OutputStream::Stdout, &h);
        }
        Ok(code)
    }

    async fn exit_code(
        &self,
        exec_id: &str,
        exec_failed: &(dyn Fn(String) -> DockerError + Sync),
    ) -> Result<(i64, Option<i64>), DockerError> {
        // The stream ends when the process closes its output, which can be a moment before the
        // engine records its exit.
        for _ in 0..200 {
            let inspected = self
                .docker
                .inspect_exec(exec_id)
                .await
                .map_err(|e| exec_failed(classify(e).message().to_owned()))?;
            if inspected.running != Some(true) {
                let code = inspected
                    .exit_code
                    .ok_or_else(|| exec_failed("the engine reported no exit code".to_owned()))?;
                return Ok((code, inspected.pid));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(exec_failed(
            "the command closed its output but did not exit within 10s".to_owned(),
        ))
    }

    /// Runs a short command and keeps its output (up to 1 MiB per stream) as text.
    pub async fn exec_capture(
        &self,
        container: &str,
        spec: &ExecSpec,
    ) -> Result<ExecOutput, DockerError> {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let mut truncated = false;
        let exit_code = self
            .exec(container, spec, &mut |stream, chunk| {
                let buf = match stream {
                    OutputStream::Stdout => &mut stdout,
                    OutputStream::Stderr => &mut stderr,
                };
                let room = CAPTURE_LIMIT.saturating_sub(buf.len());
                truncated |= chunk.len() > room;
                buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            })
            .await?;
        Ok(ExecOutput {
            exit_code,
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            truncated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_command_quotes_what_a_shell_would_split() {
        let spec = ExecSpec::new(["psql", "-c", "select 1", "-v", "ON_ERROR_STOP=1", "it's"]);
        assert_eq!(
            spec.display_command(),
            r"psql -c 'select 1' -v ON_ERROR_STOP=1 'it'\''s'"
        );
    }

    #[test]
    fn the_engines_reason_is_trimmed_to_what_helps() {
        assert_eq!(
            oci_reason(b"OCI runtime exec failed: exec failed: unable to start container process: exec: \"psql\": executable file not found in $PATH: unknown\r\n"),
            r#"unable to start container process: exec: "psql": executable file not found in $PATH"#
        );
    }

    #[test]
    fn debug_hides_env_values() {
        let spec = ExecSpec::new(["psql"]).env("PGPASSWORD", "hunter2");
        assert!(!format!("{spec:?}").contains("hunter2"));
    }
}

//! Container logs (`docker logs`), both streams, as text lines.

use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::StreamExt;

use crate::client::DockerClient;
use crate::errors::DockerError;
use crate::exec::OutputStream;
use crate::failure::classify;
use crate::lines::LineSplitter;

/// One line of a container's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub stream: OutputStream,
    pub text: String,
}

impl DockerClient {
    /// The last `tail` lines of each stream (all lines when `None`), in the order the engine
    /// sends them. For long logs prefer [`logs_each`](Self::logs_each).
    pub async fn logs(
        &self,
        container: &str,
        tail: Option<u64>,
    ) -> Result<Vec<LogLine>, DockerError> {
        let mut lines = Vec::new();
        self.logs_each(container, tail, &mut |line| lines.push(line))
            .await?;
        Ok(lines)
    }

    /// Like [`logs`](Self::logs), handing each line to `on_line` as it arrives.
    pub async fn logs_each(
        &self,
        container: &str,
        tail: Option<u64>,
        on_line: &mut (dyn FnMut(LogLine) + Send),
    ) -> Result<(), DockerError> {
        let tail = tail.map_or_else(|| "all".to_owned(), |n| n.to_string());
        let options = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .follow(false)
            .tail(&tail)
            .build();
        crate::names::check_container_ref(container)?;
        let segment = crate::names::path_segment(container);
        let mut stream = self.docker.logs(&segment, Some(options));
        let mut out = LineSplitter::new();
        let mut err = LineSplitter::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(LogOutput::StdErr { message }) => err.push(&message, &mut |text| {
                    on_line(LogLine {
                        stream: OutputStream::Stderr,
                        text,
                    });
                }),
                Ok(LogOutput::StdOut { message } | LogOutput::Console { message }) => {
                    out.push(&message, &mut |text| {
                        on_line(LogLine {
                            stream: OutputStream::Stdout,
                            text,
                        });
                    });
                }
                Ok(LogOutput::StdIn { .. }) => {}
                Err(e) => {
                    return Err(match classify(e) {
                        f if f.status() == Some(404) => DockerError::NoSuchContainer {
                            name: container.to_owned(),
                        },
                        f => self.fail(format!("read the logs of container {container}"), f),
                    });
                }
            }
        }
        out.finish(&mut |text| {
            on_line(LogLine {
                stream: OutputStream::Stdout,
                text,
            });
        });
        err.finish(&mut |text| {
            on_line(LogLine {
                stream: OutputStream::Stderr,
                text,
            });
        });
        Ok(())
    }
}

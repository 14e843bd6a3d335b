//! `container_logs`: keep a container's log as evidence (`container.log`).
//!
//! The engine streams the log; each line goes through a bounded channel to a blocking thread
//! that writes it, redacted, into the step's evidence folder, so `tail: all` on a container
//! that has logged for months costs a few lines of memory. Reading a log changes nothing, so
//! check mode saves it too. `container_start` uses the same path to keep the last lines of a
//! container that never became ready.

use std::io::Read;
use std::sync::mpsc;

use async_trait::async_trait;
use runbook_docker::{DockerClient, DockerError};
use runbook_evidence::{StepOutcome, StepStatus};
use runbook_spec::{ContainerLogs, Tail};
use serde_json::json;

use crate::context::StepContext;
use crate::errors::StepError;
use crate::output::StepOutput;
use crate::step::Step;
use crate::text::plural;

/// The evidence file a container's log is saved as.
pub(crate) const LOG_FILE: &str = "container.log";

/// Lines in flight between the engine's stream and the evidence writer.
const IN_FLIGHT: usize = 256;

pub(crate) struct ContainerLogsStep(pub ContainerLogs);

#[async_trait]
impl Step for ContainerLogsStep {
    async fn run(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        self.save(cx).await
    }

    async fn check(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let exists = cx
            .docker()
            .await?
            .inspect_container(&container)
            .await?
            .is_some();
        if !exists && let Some(step) = cx.provided_by(&container) {
            return Err(StepError::Deferred(format!(
                "container {container} does not exist yet; step '{step}' creates it, and its log is saved when the runbook runs"
            )));
        }
        self.save(cx).await
    }
}

impl ContainerLogsStep {
    async fn save(&self, cx: &mut StepContext<'_>) -> Result<StepOutcome, StepError> {
        let container = cx.container_of(self.0.container.as_deref())?;
        let tail = match self.0.tail {
            Tail::All => None,
            Tail::Lines(n) => Some(n),
        };
        let docker = cx.docker().await?.clone();
        if docker.inspect_container(&container).await?.is_none() {
            return Err(DockerError::NoSuchContainer { name: container }.into());
        }
        let saved = save_log(&docker, &container, tail, &cx.output()).await?;
        let which = match tail {
            Some(n) => format!("the last {n} lines asked for"),
            None => "the whole log".to_owned(),
        };
        cx.log(format!(
            "saved {} line{} of the log of container {container} ({which}) as {LOG_FILE}",
            saved.lines,
            plural(saved.lines as u64)
        ));
        let mut outcome = StepOutcome::new(
            StepStatus::Passed,
            format!(
                "{} log line{} of {container} saved as {LOG_FILE}",
                saved.lines,
                plural(saved.lines as u64)
            ),
        );
        outcome.details = json!({
            "container": container,
            "tail": self.0.tail.to_string(),
            "lines": saved.lines,
            "bytes": saved.bytes,
            "file": LOG_FILE,
        });
        Ok(outcome)
    }
}

/// What [`save_log`] wrote.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SavedLog {
    pub lines: u64,
    pub bytes: u64,
}

/// Streams the last `tail` lines (all when `None`) of both streams of `container` into the
/// step's evidence as [`LOG_FILE`], in the order the engine sends them, as `docker logs` shows
/// them.
pub(crate) async fn save_log(
    docker: &DockerClient,
    container: &str,
    tail: Option<u64>,
    output: &StepOutput,
) -> Result<SavedLog, StepError> {
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT);
    let writer_output = output.clone();
    let source = format!("the log of container {container}");
    let writer = tokio::task::spawn_blocking(move || {
        writer_output.attach_reader(LOG_FILE, &source, ChannelReader::new(rx))
    });
    let mut lines = 0u64;
    let streamed = docker
        .logs_each(container, tail, &mut |line| {
            lines += 1;
            let mut bytes = line.text.into_bytes();
            bytes.push(b'\n');
            // The writer only stops early when the evidence cannot be written; the runner
            // reports that after the step.
            let _ = tx.send(bytes);
        })
        .await;
    drop(tx);
    let bytes = writer.await.map_err(|e| {
        StepError::failed(format!("the evidence writer for {LOG_FILE} failed: {e}"))
    })?;
    streamed?;
    Ok(SavedLog { lines, bytes })
}

/// Reads what the channel delivers, as one stream; ends when the sender is dropped.
struct ChannelReader {
    rx: mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl ChannelReader {
    fn new(rx: mpsc::Receiver<Vec<u8>>) -> ChannelReader {
        ChannelReader {
            rx,
            current: Vec::new(),
            at: 0,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            match self.rx.recv() {
                Ok(next) => {
                    self.current = next;
                    self.at = 0;
                }
                Err(mpsc::RecvError) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_channel_reads_as_one_stream_and_ends_with_its_sender() {
        let (tx, rx) = mpsc::sync_channel(4);
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            ChannelReader::new(rx)
                .read_to_string(&mut text)
                .map(|_| text)
        });
        for line in ["first\n", "", "second line\n", "third\n"] {
            tx.send(line.as_bytes().to_vec()).unwrap();
        }
        drop(tx);
        assert_eq!(
            reader.join().unwrap().unwrap(),
            "first\nsecond line\nthird\n"
        );
    }
}

//! Where a running step writes: its evidence files and the listeners, behind one cheap handle.
//!
//! A step often needs to log while it holds a database session borrowed from its context (a
//! script load reports every statement as it completes). A cloneable handle with its own lock
//! avoids tying the two borrows together. Writes are short and never held across an `.await`.

use std::sync::{Arc, Mutex, MutexGuard};

use runbook_evidence::{EvidenceError, Redactor, StepWriter};

use crate::events::{Event, Listener};

pub(crate) type Listeners = Vec<Box<dyn Listener>>;

/// The output of the step that is running now.
#[derive(Clone)]
pub struct StepOutput {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for StepOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepOutput").finish_non_exhaustive()
    }
}

struct Inner {
    index: usize,
    writer: Option<StepWriter>,
    redactor: Redactor,
    listeners: Listeners,
    /// The first evidence write that failed; the runner stops the run after the step.
    error: Option<EvidenceError>,
}

impl StepOutput {
    pub(crate) fn new(
        index: usize,
        writer: StepWriter,
        redactor: Redactor,
        listeners: Listeners,
    ) -> StepOutput {
        StepOutput {
            inner: Arc::new(Mutex::new(Inner {
                index,
                writer: Some(writer),
                redactor,
                listeners,
                error: None,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A listener that panicked poisoned the lock; the evidence is still worth writing.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends text to `output.log`, one evidence line per line of text, and shows it to the
    /// listeners. Secrets are redacted by the evidence writer before anything is stored or shown.
    pub fn log(&self, text: impl AsRef<str>) {
        let mut inner = self.lock();
        let inner = &mut *inner;
        for line in text.as_ref().split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let Some(writer) = inner.writer.as_mut() else {
                return;
            };
            let shown = inner.redactor.redact(line).into_owned();
            if let Err(error) = writer.log_line(line) {
                inner.error.get_or_insert(error);
            }
            let event = Event::Log {
                index: inner.index,
                line: &shown,
            };
            for listener in &mut inner.listeners {
                listener.on_event(&event);
            }
        }
    }

    /// Stores an extra file in the step's evidence folder (redacted).
    pub fn attach(&self, name: &str, contents: &str) {
        let mut inner = self.lock();
        let inner = &mut *inner;
        if let Some(writer) = inner.writer.as_mut()
            && let Err(error) = writer.attach(name, contents)
        {
            inner.error.get_or_insert(error);
        }
    }

    /// Stores a JSON document in the step's evidence folder (string values redacted).
    pub fn attach_json(&self, name: &str, value: &serde_json::Value) {
        let mut inner = self.lock();
        let inner = &mut *inner;
        if let Some(writer) = inner.writer.as_mut()
            && let Err(error) = writer.attach_json(name, value)
        {
            inner.error.get_or_insert(error);
        }
    }

    /// Stores a file streamed from `reader` in the step's evidence folder, line by line and
    /// redacted, so a container log of any size costs a line of memory. The handle is locked
    /// while `reader` is drained: call it from a blocking thread and do not log meanwhile.
    /// Returns the bytes written (0 when the evidence could not be written; the runner then
    /// stops the run after the step).
    pub fn attach_reader(&self, name: &str, source: &str, reader: impl std::io::Read) -> u64 {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let Some(writer) = inner.writer.as_mut() else {
            return 0;
        };
        match writer.attach_reader(name, source, reader) {
            Ok(bytes) => bytes,
            Err(error) => {
                inner.error.get_or_insert(error);
                0
            }
        }
    }

    pub fn progress(&self, done: u64, total: Option<u64>) {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let event = Event::Progress {
            index: inner.index,
            done,
            total,
        };
        for listener in &mut inner.listeners {
            listener.on_event(&event);
        }
    }

    /// Takes the writer and listeners back when the step ends.
    pub(crate) fn finish(self) -> (Option<StepWriter>, Listeners, Option<EvidenceError>) {
        let mut inner = self.lock();
        (
            inner.writer.take(),
            std::mem::take(&mut inner.listeners),
            inner.error.take(),
        )
    }
}

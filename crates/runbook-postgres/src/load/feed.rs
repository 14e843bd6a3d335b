//! Reading on a blocking thread, executing on the async side.
//!
//! The reader thread pulls items from the `ScriptReader` and pushes them into a bounded
//! channel: at most [`CAPACITY`] items (statements, or COPY chunks of about 64 KiB) are in
//! flight, so memory does not grow with the file, and reading the next chunk overlaps sending
//! the last one. Dropping the [`Feed`] (the load stopped) makes the thread's next send fail,
//! and the thread ends.

use std::io::Read;

use runbook_sql::{Item, ScanError, ScriptReader};
use tokio::sync::mpsc;

/// Items in flight between the reader thread and the executor.
const CAPACITY: usize = 16;

/// One thing the reader produced, with how far it had read.
pub(crate) struct Fed {
    pub(crate) item: Result<Item, ScanError>,
    pub(crate) bytes_read: u64,
    pub(crate) starts_with_bom: bool,
}

pub(crate) struct Feed {
    receiver: mpsc::Receiver<Fed>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Feed {
    pub(crate) fn spawn<R: Read + Send + 'static>(
        mut reader: ScriptReader<R>,
    ) -> std::io::Result<Feed> {
        let (sender, receiver) = mpsc::channel(CAPACITY);
        let thread = std::thread::Builder::new()
            .name("runbook-script-reader".to_owned())
            .spawn(move || {
                loop {
                    let item = match reader.next_item() {
                        Ok(Some(item)) => Ok(item),
                        Ok(None) => return,
                        Err(error) => Err(error),
                    };
                    let fatal = item.as_ref().is_err_and(ScanError::is_fatal);
                    let fed = Fed {
                        item,
                        bytes_read: reader.bytes_read(),
                        starts_with_bom: reader.starts_with_bom(),
                    };
                    if sender.blocking_send(fed).is_err() || fatal {
                        return;
                    }
                }
            })?;
        Ok(Feed {
            receiver,
            thread: Some(thread),
        })
    }

    /// The next item; `Ok(None)` at the end of the script, `Err(())` when the reader thread died
    /// without finishing (a panic in the reader).
    pub(crate) async fn next(&mut self) -> Result<Option<Fed>, ()> {
        match self.receiver.recv().await {
            Some(fed) => Ok(Some(fed)),
            None => match self.thread.take().map(std::thread::JoinHandle::join) {
                Some(Err(_)) => Err(()),
                _ => Ok(None),
            },
        }
    }
}

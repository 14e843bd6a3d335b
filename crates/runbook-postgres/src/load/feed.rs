//! Reading on a blocking thread, executing on the async side.
//!
//! The reader thread pulls items from the `ScriptReader` and pushes them into a bounded
//! channel: at most [`CAPACITY`] items (statements, or COPY chunks of about 64 KiB) and at
//! most [`BUDGET_BYTES`] of them (or one item larger than that) are in flight, so memory does
//! not grow with the file nor with the size of its statements, and reading the next chunk
//! overlaps sending the last one. Dropping the [`Feed`] (the load stopped) makes the thread's
//! next send fail, and the thread ends.

use std::io::Read;
use std::sync::Arc;

use runbook_sql::{Item, ScanError, ScriptReader};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

/// Items in flight between the reader thread and the executor.
const CAPACITY: usize = 16;

/// Bytes of statement text and COPY data in flight: sixteen statements of 200 MB each (under
/// the reader's 256 MiB limit) would otherwise be 3 GB held while the server works on the
/// first one.
const BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// One thing the reader produced, with how far it had read.
pub(crate) struct Fed {
    pub(crate) item: Result<Item, ScanError>,
    pub(crate) bytes_read: u64,
    pub(crate) starts_with_bom: bool,
    /// This item's share of the budget, returned when the executor is done with it.
    _budget: Option<OwnedSemaphorePermit>,
}

pub(crate) struct Feed {
    receiver: mpsc::Receiver<Fed>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Feed {
    pub(crate) fn spawn<R: Read + Send + 'static>(
        reader: ScriptReader<R>,
    ) -> std::io::Result<Feed> {
        Self::spawn_with_budget(reader, BUDGET_BYTES)
    }

    /// [`Feed::spawn`] with another byte budget (counted in KiB, as semaphore permits).
    fn spawn_with_budget<R: Read + Send + 'static>(
        mut reader: ScriptReader<R>,
        budget_bytes: usize,
    ) -> std::io::Result<Feed> {
        let (sender, receiver) = mpsc::channel(CAPACITY);
        let budget_kib = (budget_bytes / 1024).max(1);
        let budget = Arc::new(Semaphore::new(budget_kib));
        let runtime = tokio::runtime::Handle::current();
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
                    // An item larger than the whole budget waits until it is alone in flight.
                    let kib = (size_of_item(&item) / 1024).clamp(1, budget_kib);
                    let permit = runtime
                        .block_on(Arc::clone(&budget).acquire_many_owned(kib as u32))
                        .ok();
                    let fed = Fed {
                        item,
                        bytes_read: reader.bytes_read(),
                        starts_with_bom: reader.starts_with_bom(),
                        _budget: permit,
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

/// The memory an item holds, roughly: its text or data.
fn size_of_item(item: &Result<Item, ScanError>) -> usize {
    match item {
        Ok(Item::Statement(statement)) => statement.text.len(),
        Ok(Item::CopyData(data)) => data.bytes.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn the_reader_stops_at_the_byte_budget_not_only_at_the_item_count() {
        // 40 statements of 256 KiB: 10 MB; a budget of 1 MiB lets about four be in flight
        // (and one more wait in the reader thread), where the item count alone would allow 16.
        let statement = format!("SELECT '{}';\n", "x".repeat(256 * 1024));
        let script = statement.repeat(40);
        let reader = ScriptReader::new(std::io::Cursor::new(script.into_bytes()));
        let mut feed = Feed::spawn_with_budget(reader, 1024 * 1024).unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let waiting = feed.receiver.len();
        assert!((3..=4).contains(&waiting), "{waiting} items in flight");
        // Taking items frees the budget; everything arrives.
        let mut count = 0;
        while let Some(fed) = feed.next().await.unwrap() {
            assert!(fed.item.is_ok());
            count += 1;
        }
        assert_eq!(count, 40);
    }
}

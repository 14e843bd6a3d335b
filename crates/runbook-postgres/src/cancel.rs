//! Stopping a running statement from elsewhere (Ctrl-C, a step timeout).
//!
//! A [`CancelHandle`] does two things: it sends the server a CancelRequest on a new connection
//! (with the session's TLS settings, so managed databases accept it), and it raises a flag the
//! script loader checks between statements, because a CancelRequest that arrives between two
//! statements cancels nothing. The handle follows the session across `\connect`.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;
use tokio_postgres::CancelToken;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::errors::ConnectError;

/// A cloneable, `Send` way to cancel what a [`Session`](crate::Session) is doing.
#[derive(Clone)]
pub struct CancelHandle {
    shared: Arc<Shared>,
}

struct Shared {
    connection: Mutex<Connection>,
    cancelled: AtomicBool,
    notify: Notify,
}

/// The session's current server connection (it changes on `\connect`).
struct Connection {
    token: CancelToken,
    tls: MakeRustlsConnect,
    target: String,
}

impl CancelHandle {
    pub(crate) fn new(token: CancelToken, tls: MakeRustlsConnect, target: String) -> CancelHandle {
        CancelHandle {
            shared: Arc::new(Shared {
                connection: Mutex::new(Connection { token, tls, target }),
                cancelled: AtomicBool::new(false),
                notify: Notify::new(),
            }),
        }
    }

    pub(crate) fn replace_connection(
        &self,
        token: CancelToken,
        tls: MakeRustlsConnect,
        target: String,
    ) {
        *self.lock() = Connection { token, tls, target };
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.shared
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks the session cancelled and asks the server to cancel the running statement. The
    /// mark stays until [`CancelHandle::reset`]: a script load stops at its next step even when
    /// nothing was running on the server at that moment.
    pub async fn cancel(&self) -> Result<(), ConnectError> {
        self.shared.cancelled.store(true, Ordering::SeqCst);
        self.shared.notify.notify_waiters();
        self.send_cancel_request().await
    }

    pub(crate) async fn send_cancel_request(&self) -> Result<(), ConnectError> {
        let (token, tls, target) = {
            let connection = self.lock();
            (
                connection.token.clone(),
                connection.tls.clone(),
                connection.target.clone(),
            )
        };
        token
            .cancel_query(tls)
            .await
            .map_err(|e| ConnectError::from_driver(target, &e))
    }

    pub fn is_cancelled(&self) -> bool {
        self.shared.cancelled.load(Ordering::SeqCst)
    }

    /// Clears the mark, so the session can be used again after an interruption was handled.
    pub fn reset(&self) {
        self.shared.cancelled.store(false, Ordering::SeqCst);
    }

    /// Resolves once the handle is cancelled (at once if it already is).
    pub(crate) async fn cancelled(&self) {
        loop {
            let notified = self.shared.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

impl fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelHandle")
            .field("target", &self.lock().target)
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

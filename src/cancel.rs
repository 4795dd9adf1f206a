//! The one way to stop a running transaction: a [`CancelToken`] that the GUI's Cancel
//! button, the window closing and Ctrl-C/SIGTERM in `tapterm pay` all trigger, and that the
//! transports check (issue 11). Book A 6.3 lets the terminal end a transaction at any point
//! before the outcome; the kernel then sees [`TransportError::Cancelled`] from its next
//! exchange or wait for a tap, and checkout journals what had happened so far.
//!
//! A transport that blocks (PC/SC `SCardGetStatusChange`, the demo reader's wait for the Tap
//! button) registers a waker with [`CancelToken::on_cancel`] so that cancelling ends the wait
//! at once instead of at its timeout.
//!
//! [`TransportError::Cancelled`]: emv_kernel::transport::TransportError::Cancelled

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A function that ends a blocking wait when the token is cancelled.
type Waker = Box<dyn Fn() + Send + Sync>;

/// Shared, cloneable cancel flag with wakers; see the module documentation.
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    next: AtomicU64,
    wakers: Mutex<BTreeMap<u64, Waker>>,
}

/// Keeps a waker registered; dropping it unregisters the waker.
pub struct WakerGuard {
    token: CancelToken,
    id: u64,
}

impl Drop for WakerGuard {
    fn drop(&mut self) {
        if let Ok(mut wakers) = self.token.inner.wakers.lock() {
            wakers.remove(&self.id);
        }
    }
}

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels: every later check fails and every registered waker runs once now.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        if let Ok(wakers) = self.inner.wakers.lock() {
            for wake in wakers.values() {
                wake();
            }
        }
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Registers `wake` to run when the token is cancelled (at once when it already is),
    /// for as long as the returned guard lives.
    pub fn on_cancel(&self, wake: impl Fn() + Send + Sync + 'static) -> WakerGuard {
        let id = self.inner.next.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut wakers) = self.inner.wakers.lock() {
            wakers.insert(id, Box::new(wake));
        }
        if self.is_cancelled()
            && let Ok(wakers) = self.inner.wakers.lock()
            && let Some(wake) = wakers.get(&id)
        {
            wake();
        }
        WakerGuard {
            token: self.clone(),
            id,
        }
    }
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelling_wakes_registered_waits_once_and_sticks() {
        let token = CancelToken::new();
        let woken = Arc::new(AtomicU64::new(0));
        let counter = woken.clone();
        let guard = token.on_cancel(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        assert!(!token.is_cancelled());
        token.clone().cancel();
        assert!(token.is_cancelled());
        assert_eq!(woken.load(Ordering::SeqCst), 1);
        drop(guard);
        token.cancel();
        assert_eq!(
            woken.load(Ordering::SeqCst),
            1,
            "an unregistered waker stays quiet"
        );
    }

    #[test]
    fn a_waker_registered_after_cancel_runs_at_once() {
        let token = CancelToken::new();
        token.cancel();
        let woken = Arc::new(AtomicBool::new(false));
        let flag = woken.clone();
        let _guard = token.on_cancel(move || flag.store(true, Ordering::SeqCst));
        assert!(woken.load(Ordering::SeqCst));
    }
}

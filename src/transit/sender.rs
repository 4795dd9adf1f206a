//! Sends the queued deferred authorisations to the host, after the gate has opened.
//!
//! One round ([`send_queued`]) takes the queue oldest first; each request goes out with its
//! ride id ([`Deferred`], kind ride) and the answer is recorded in the transaction that
//! takes it off the queue (a decline also puts the account on the deny list). The first
//! host error ends the round: the host is down, the rest waits. [`Sender`] repeats rounds
//! every `retry` until the queue is empty and it is told to stop. Exactly once: see the
//! module documentation of [`crate::transit`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::seal::QueueKey;
use crate::cancel::CancelToken;
use crate::host::{AuthorisationRequest, Authoriser, Deferred, DeferredKind};
use crate::journal::{Journal, JournalError};
use crate::time_zone::Zone;

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    /// Rides whose authorisation the host approved in this round.
    pub approved: Vec<String>,
    /// Rides whose authorisation the host declined (their accounts are now denied).
    pub declined: Vec<String>,
    /// Why the round stopped early (host unreachable), if it did.
    pub failed: Option<String>,
    /// Still queued after the round.
    pub left: usize,
}

/// One round over the queue.
pub fn send_queued(
    journal: &mut Journal,
    key: &QueueKey,
    host: &dyn Authoriser,
) -> Result<Round, JournalError> {
    let mut round = Round::default();
    let queued = journal.queued()?;
    for item in &queued {
        let request = key
            .open(&item.sealed)
            .map_err(|e| e.to_string())
            .and_then(|plain| {
                serde_json::from_slice::<AuthorisationRequest>(&plain).map_err(|e| e.to_string())
            });
        let request = match request {
            Ok(r) => r,
            Err(e) => {
                // Kept queued with the reason: an operator must look at it, nothing is lost.
                journal.queue_attempt_failed(&item.ride_id, &format!("cannot open: {e}"))?;
                continue;
            }
        };
        let deferred = Deferred {
            id: item.ride_id.clone(),
            kind: DeferredKind::Ride,
        };
        match host.authorise_deferred(&request, &deferred) {
            Ok(answer) => {
                journal.answer_queued(&item.ride_id, item.account.as_deref(), &answer)?;
                if answer.approved {
                    round.approved.push(item.ride_id.clone());
                } else {
                    round.declined.push(item.ride_id.clone());
                }
            }
            Err(e) => {
                journal.queue_attempt_failed(&item.ride_id, &e.to_string())?;
                round.failed = Some(e.to_string());
                break;
            }
        }
    }
    round.left = journal.queued()?.len();
    Ok(round)
}

/// Where and how often to send: the journal (opened by the sender itself, so it can run on
/// its own thread beside the gate; SQLite WAL lets each connection wait for the other's
/// lock within the busy timeout), the key, the host and the time between rounds.
pub struct Sender {
    /// The journal file.
    pub journal_path: PathBuf,
    /// The journal's day zone.
    pub zone: Zone,
    /// The queue key.
    pub key: QueueKey,
    /// The host.
    pub host: Arc<dyn Authoriser>,
    /// Time between rounds while authorisations are left.
    pub retry: Duration,
}

impl Sender {
    /// Rounds every `retry` until the queue is empty and `stop` is cancelled, or
    /// `deadline` passes; `on_round` sees each round. Returns how many are left.
    pub fn run_until(
        &self,
        stop: &CancelToken,
        deadline: Option<Instant>,
        on_round: &mut dyn FnMut(&Round),
    ) -> Result<usize, JournalError> {
        let mut journal = Journal::open(&self.journal_path)?.with_zone(self.zone);
        loop {
            let round = send_queued(&mut journal, &self.key, self.host.as_ref())?;
            on_round(&round);
            let out_of_time = deadline.is_some_and(|d| Instant::now() >= d);
            if (round.left == 0 && stop.is_cancelled()) || out_of_time {
                return Ok(round.left);
            }
            let until = Instant::now() + self.retry;
            while Instant::now() < until {
                if stop.is_cancelled() && round.left == 0 {
                    return Ok(0);
                }
                std::thread::sleep(Duration::from_millis(20).min(self.retry));
            }
        }
    }

    /// Runs rounds on a thread of its own (the gate loop, the window).
    pub fn spawn(self, mut on_round: Box<dyn FnMut(&Round) + Send>) -> Background {
        let stop = CancelToken::new();
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("transit-sender".into())
            .spawn(move || {
                while !flag.is_cancelled() {
                    if self.run_until(&flag, None, &mut *on_round).is_err() {
                        // The journal was busy or broke: try again after the retry time.
                        std::thread::sleep(self.retry);
                    }
                }
            })
            .ok();
        Background { stop, thread }
    }
}

/// A sender running on its own thread; dropping it leaves the thread to end with the
/// process (the queue is durable, nothing is lost).
pub struct Background {
    stop: CancelToken,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    /// Waits until the queue is empty, then stops the thread.
    pub fn finish(mut self) {
        self.stop.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

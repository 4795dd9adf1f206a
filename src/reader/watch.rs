//! Waiting for a card to arrive or leave, and for readers to be plugged in, with
//! `SCardGetStatusChange` (PC/SC part 5) on the reader and on the PnP notification
//! pseudo-reader `\\?PnP?\Notification`.
//!
//! Book B 3.2 (protocol activation) polls for a card; on PC/SC that is pcscd's job, and the
//! terminal waits for the reader's state to change. pcscd polls vpcd every 400 ms and a real
//! reader faster, so a wait is event-driven, cut into short slices only to notice a cancel
//! flag set before the wait began.

use std::ffi::CString;
use std::time::{Duration, Instant};

use pcsc::{Context, Error, ReaderState, State};

use super::{pick_reader, reader_names};
use crate::cancel::CancelToken;

/// The longest single `get_status_change` call.
const SLICE: Duration = Duration::from_millis(500);

/// What to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A responsive card in the field.
    Present,
    /// An empty field.
    Absent,
}

/// Why a wait ended without the wanted state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitError {
    /// Cancelled through the [`CancelHandle`].
    Cancelled,
    /// The deadline passed; `reader_seen` tells whether the wanted reader was ever connected.
    Timeout {
        /// Whether the reader was connected at some point of the wait.
        reader_seen: bool,
    },
    /// PC/SC failed (pcscd gone, …).
    Pcsc(Error),
}

/// Where the wait ended: the reader's name and, when a card is present, its ATR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The reader's PC/SC name.
    pub reader: CString,
    /// The card's ATR (empty for [`Want::Absent`]).
    pub atr: Vec<u8>,
}

/// Waits until the reader picked by `wanted` (see [`pick_reader`]) reaches `want`, following
/// readers as they are plugged in and out. `deadline` `None` waits without end.
pub fn wait_for(
    ctx: &Context,
    wanted: Option<&str>,
    want: Want,
    deadline: Option<Instant>,
    cancel: &CancelToken,
) -> Result<Seen, WaitError> {
    let mut states = vec![ReaderState::new(pcsc::PNP_NOTIFICATION(), State::UNAWARE)];
    let mut reader_seen = false;
    'relist: loop {
        let names = reader_names(ctx).map_err(WaitError::Pcsc)?;
        states.truncate(1);
        if let Some(name) = pick_reader(&names, wanted) {
            reader_seen = true;
            states.push(ReaderState::new(name.clone(), State::UNAWARE));
        }
        loop {
            if cancel.is_cancelled() {
                return Err(WaitError::Cancelled);
            }
            let slice = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left.min(SLICE),
                    _ => return Err(WaitError::Timeout { reader_seen }),
                },
                None => SLICE,
            };
            match ctx.get_status_change(slice, &mut states) {
                Ok(()) => {}
                Err(Error::Timeout) => continue,
                Err(Error::Cancelled) => return Err(WaitError::Cancelled),
                Err(Error::UnknownReader | Error::ReaderUnavailable) => continue 'relist,
                Err(e) => return Err(WaitError::Pcsc(e)),
            }
            if let Some(reader) = states.get(1) {
                let event = reader.event_state();
                if event.intersects(State::UNKNOWN | State::UNAVAILABLE | State::IGNORE) {
                    continue 'relist;
                }
                let reached = match want {
                    Want::Present => event.contains(State::PRESENT) && !event.contains(State::MUTE),
                    Want::Absent => event.contains(State::EMPTY),
                };
                if reached {
                    return Ok(Seen {
                        reader: reader.name().to_owned(),
                        atr: match want {
                            Want::Present => reader.atr().to_vec(),
                            Want::Absent => Vec::new(),
                        },
                    });
                }
            }
            let plugged = states
                .first()
                .is_some_and(|pnp| pnp.event_state().contains(State::CHANGED));
            for s in states.iter_mut() {
                s.sync_current_state();
            }
            if plugged {
                continue 'relist;
            }
        }
    }
}

//! PC/SC readers: discovery, card presence, the APDU transport the kernel talks through, and
//! the ACR122U's own controls (LED, buzzer, firmware).
//!
//! Everything goes through pcsc-lite's `pcscd` with the `pcsc` crate. The same code path runs
//! against a real ACR122U and against `vpcd` with tapterm's virtual wallets in the field, so the
//! end-to-end tests exercise exactly what a shop would run. Errors are sorted into what the
//! kernel needs to know (Book B: a card that leaves the field is a communication error that
//! ends the tap, not the terminal) and what the reader layer recovers from itself (pcscd
//! restarted, reader unplugged and plugged back).

pub mod acr122u;
pub mod apdu_exchange;
pub mod ecp;
pub mod pcsc_transport;
pub mod watch;

use std::ffi::CString;
use std::time::Duration;

use pcsc::{Context, Error, Scope, ShareMode};

pub use pcsc_transport::{CardInfo, Notice, PcscOptions, PcscTransport};

/// Why the reader layer could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderError {
    /// pcscd is not running (or its socket is not where the client looks).
    #[error(
        "the PC/SC service is not reachable: is pcscd running? (start it with `pcscd`, or set \
         PCSCLITE_CSOCK_NAME for a private instance)"
    )]
    NoService,
    /// No reader is connected.
    #[error("no smart card reader is connected")]
    NoReaders,
    /// The named reader is not connected.
    #[error("reader {wanted:?} not found; connected readers: {connected}")]
    NotFound {
        /// The name asked for.
        wanted: String,
        /// The names that are there, comma separated.
        connected: String,
    },
    /// No card came within the time allowed.
    #[error("no card or phone presented within {0:?}")]
    Timeout(Duration),
    /// The wait was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The card left the field.
    #[error("card left the field")]
    CardRemoved,
    /// Any other PC/SC failure.
    #[error("PC/SC error: {0}")]
    Pcsc(Error),
}

/// What a PC/SC error means to the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The card left the field or was reset: the tap ends (kernel: card removed).
    CardGone,
    /// pcscd stopped or restarted: re-establish the context.
    ServiceGone,
    /// The reader was unplugged or is not there (yet).
    ReaderGone,
    /// Cancelled through the context.
    Cancelled,
    /// A wait ran out of time.
    Timeout,
    /// Anything else.
    Other,
}

/// Sorts a PC/SC error. `NotTransacted` counts as the card leaving: pcscd reports it until
/// its next presence poll notices the removal (virtual-pcsc.md, "Presence and removal").
/// `CommError` is what a client's context reports when pcscd dies under it (measured with
/// a SIGKILLed pcscd), so it counts as the service going away.
pub fn classify(error: Error) -> ErrorClass {
    match error {
        Error::RemovedCard
        | Error::NotTransacted
        | Error::ResetCard
        | Error::NoSmartcard
        | Error::UnpoweredCard
        | Error::UnresponsiveCard => ErrorClass::CardGone,
        Error::NoService
        | Error::ServiceStopped
        | Error::InvalidHandle
        | Error::Shutdown
        | Error::CommError => ErrorClass::ServiceGone,
        Error::ReaderUnavailable | Error::UnknownReader | Error::NoReadersAvailable => {
            ErrorClass::ReaderGone
        }
        Error::Cancelled => ErrorClass::Cancelled,
        Error::Timeout => ErrorClass::Timeout,
        _ => ErrorClass::Other,
    }
}

impl From<Error> for ReaderError {
    fn from(error: Error) -> ReaderError {
        match classify(error) {
            ErrorClass::ServiceGone => ReaderError::NoService,
            ErrorClass::ReaderGone if error == Error::NoReadersAvailable => ReaderError::NoReaders,
            ErrorClass::CardGone => ReaderError::CardRemoved,
            ErrorClass::Cancelled => ReaderError::Cancelled,
            _ => ReaderError::Pcsc(error),
        }
    }
}

/// Whether a card sits on a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    /// No card in the field.
    Empty,
    /// A card is present.
    Present,
    /// A card is present but does not answer (mute).
    Mute,
    /// The reader did not say.
    Unknown,
}

/// One reader as `tapterm readers` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReaderInfo {
    /// The PC/SC reader name.
    pub name: String,
    /// Card presence.
    pub state: CardState,
    /// The card's ATR (hex) when one is present.
    pub atr: Option<String>,
    /// Whether the name says ACR122U.
    pub acr122u: bool,
    /// The ACR122U firmware string, when the reader is one and answered.
    pub firmware: Option<String>,
}

/// Establishes a user-scope context, mapping "no pcscd" to [`ReaderError::NoService`].
pub fn establish() -> Result<Context, ReaderError> {
    Context::establish(Scope::User).map_err(ReaderError::from)
}

/// The connected readers' names (empty when there are none).
pub fn reader_names(ctx: &Context) -> Result<Vec<CString>, Error> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names),
        Err(Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Picks the reader to use: the exact name, else the only reader containing `wanted`
/// (case-insensitive), else with no name an ACR122U, else the first reader.
pub fn pick_reader<'a>(names: &'a [CString], wanted: Option<&str>) -> Option<&'a CString> {
    let lossy = |n: &CString| n.to_string_lossy().into_owned();
    match wanted {
        Some(w) => names.iter().find(|n| lossy(n) == w).or_else(|| {
            let w = w.to_lowercase();
            let mut matching = names
                .iter()
                .filter(|n| lossy(n).to_lowercase().contains(&w));
            match (matching.next(), matching.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        }),
        None => names
            .iter()
            .find(|n| acr122u::is_acr122u(&lossy(n)))
            .or_else(|| names.first()),
    }
}

/// Names joined for messages.
pub fn joined(names: &[CString]) -> String {
    if names.is_empty() {
        return "(none)".into();
    }
    names
        .iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Lists every reader with its card state, ATR and (for an ACR122U) firmware.
pub fn list() -> Result<Vec<ReaderInfo>, ReaderError> {
    let ctx = establish()?;
    let names = reader_names(&ctx)?;
    let mut states: Vec<pcsc::ReaderState> = names
        .iter()
        .map(|n| pcsc::ReaderState::new(n.clone(), pcsc::State::UNAWARE))
        .collect();
    if !states.is_empty() {
        ctx.get_status_change(Duration::ZERO, &mut states)?;
    }
    Ok(states
        .iter()
        .map(|s| {
            let name = s.name().to_string_lossy().into_owned();
            let event = s.event_state();
            let state = if event.contains(pcsc::State::MUTE) {
                CardState::Mute
            } else if event.contains(pcsc::State::PRESENT) {
                CardState::Present
            } else if event.contains(pcsc::State::EMPTY) {
                CardState::Empty
            } else {
                CardState::Unknown
            };
            let acr = acr122u::is_acr122u(&name);
            let firmware = if acr {
                firmware_of(&ctx, s.name(), state == CardState::Present)
            } else {
                None
            };
            ReaderInfo {
                atr: (state == CardState::Present || state == CardState::Mute)
                    .then(|| hex::encode_upper(s.atr())),
                name,
                state,
                acr122u: acr,
                firmware,
            }
        })
        .collect())
}

/// Reads an ACR122U's firmware: through the card connection when a card is present, else
/// through a direct connection and the escape IOCTL. `None` when the reader does not answer.
fn firmware_of(ctx: &Context, reader: &std::ffi::CStr, card_present: bool) -> Option<String> {
    let (mode, protocols) = if card_present {
        (ShareMode::Shared, pcsc::Protocols::ANY)
    } else {
        (ShareMode::Direct, pcsc::Protocols::UNDEFINED)
    };
    let card = ctx.connect(reader, mode, protocols).ok()?;
    let reply = if card_present {
        apdu_exchange::transmit_raw(&card, &acr122u::FIRMWARE).ok()
    } else {
        acr122u::escape(&card, &acr122u::FIRMWARE).ok().flatten()
    };
    let _ = card.disconnect(pcsc::Disposition::LeaveCard);
    reply.and_then(|r| acr122u::parse_firmware(&r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<CString> {
        list.iter().map(|n| CString::new(*n).unwrap()).collect()
    }

    #[test]
    fn picks_exact_then_unique_substring_then_acr122u() {
        let n = names(&[
            "Virtual PCD 00 00",
            "Virtual PCD 00 01",
            "ACS ACR122U PICC Interface 00 00",
        ]);
        let pick = |w| pick_reader(&n, w).map(|c| c.to_string_lossy().into_owned());
        assert_eq!(
            pick(Some("Virtual PCD 00 01")).as_deref(),
            Some("Virtual PCD 00 01")
        );
        assert_eq!(
            pick(Some("acr122")).as_deref(),
            Some("ACS ACR122U PICC Interface 00 00")
        );
        assert_eq!(pick(Some("Virtual")), None, "ambiguous substring");
        assert_eq!(pick(Some("Omnikey")), None);
        assert_eq!(
            pick(None).as_deref(),
            Some("ACS ACR122U PICC Interface 00 00")
        );
        assert_eq!(pick_reader(&[], None), None);
    }

    #[test]
    fn card_leaving_and_service_loss_are_told_apart() {
        assert_eq!(classify(Error::RemovedCard), ErrorClass::CardGone);
        assert_eq!(classify(Error::NotTransacted), ErrorClass::CardGone);
        assert_eq!(classify(Error::ResetCard), ErrorClass::CardGone);
        assert_eq!(classify(Error::NoSmartcard), ErrorClass::CardGone);
        assert_eq!(classify(Error::NoService), ErrorClass::ServiceGone);
        assert_eq!(classify(Error::ServiceStopped), ErrorClass::ServiceGone);
        assert_eq!(classify(Error::InvalidHandle), ErrorClass::ServiceGone);
        assert_eq!(classify(Error::CommError), ErrorClass::ServiceGone);
        assert_eq!(classify(Error::UnknownReader), ErrorClass::ReaderGone);
        assert_eq!(classify(Error::Cancelled), ErrorClass::Cancelled);
        assert_eq!(ReaderError::from(Error::NoService), ReaderError::NoService);
        assert_eq!(
            ReaderError::from(Error::NoReadersAvailable),
            ReaderError::NoReaders
        );
    }
}

//! A virtual wallet in the same process as the kernel: the third implementation of
//! [`Transport`] (DESIGN "one transport trait, three implementations"), used by
//! `tapterm pay --demo`, the GUI's demo reader and fast tests. No pcscd, no sockets.

use emv_kernel::outcome::UiRequest;
use emv_kernel::transport::{CardResponse, Transport, TransportError};

use super::card::{Response, Wallet, WalletOptions};
use super::personalise::PersonaliseError;
use super::profiles::Profile;

/// A wallet that enters the field a fixed number of times.
#[derive(Debug, Clone)]
pub struct InProcessTransport {
    wallet: Wallet,
    taps_left: usize,
    taps_started: usize,
    in_field: bool,
    restarts: Vec<UiRequest>,
    ui: Vec<UiRequest>,
}

impl InProcessTransport {
    /// A transport whose wallet will be presented `taps` times.
    pub fn new(wallet: Wallet, taps: usize) -> InProcessTransport {
        InProcessTransport {
            wallet,
            taps_left: taps,
            taps_started: 0,
            in_field: false,
            restarts: Vec::new(),
            ui: Vec::new(),
        }
    }

    /// A freshly personalised wallet of `profile`, presented `taps` times (the demo reader).
    pub fn for_profile(
        profile: Profile,
        options: WalletOptions,
        taps: usize,
    ) -> Result<InProcessTransport, PersonaliseError> {
        Ok(InProcessTransport::new(
            Wallet::new(profile, options)?,
            taps,
        ))
    }

    /// The wallet (its ATC, whether it is still locked).
    pub fn wallet(&self) -> &Wallet {
        &self.wallet
    }

    /// How many taps have begun.
    pub fn taps_started(&self) -> usize {
        self.taps_started
    }

    /// The UI requests passed to `next_tap` (shown while waiting for each tap).
    pub fn restarts(&self) -> &[UiRequest] {
        &self.restarts
    }

    /// The UI requests the kernel showed along the way.
    pub fn ui_requests(&self) -> &[UiRequest] {
        &self.ui
    }
}

impl Transport for InProcessTransport {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        if !self.in_field {
            return Err(TransportError::CardRemoved);
        }
        match self.wallet.respond(command) {
            Response::Data(data) => Ok(CardResponse::unmeasured(data)),
            Response::LeaveField => {
                self.in_field = false;
                Err(TransportError::CardRemoved)
            }
        }
    }

    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError> {
        self.restarts.push(*restart);
        if self.taps_started > 0 {
            self.wallet.field_off();
        }
        self.in_field = false;
        if self.taps_left == 0 {
            return Ok(false);
        }
        self.taps_left -= 1;
        self.taps_started += 1;
        self.in_field = true;
        Ok(true)
    }

    fn ui(&mut self, request: &UiRequest) {
        self.ui.push(*request);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::apdu;
    use emv_kernel::outcome::{MessageId, ReaderStatus};

    fn present() -> UiRequest {
        UiRequest {
            message: MessageId::PresentCard,
            status: ReaderStatus::ReadyToRead,
            hold: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn counts_taps_and_ends_after_the_last() {
        let mut transport =
            InProcessTransport::for_profile(Profile::VisaCard, WalletOptions::default(), 2)
                .unwrap();
        assert_eq!(
            transport.exchange(&apdu::select(apdu::PPSE_NAME)),
            Err(TransportError::CardRemoved),
            "no card before the first tap"
        );
        assert_eq!(transport.next_tap(&present()), Ok(true));
        let ppse = transport
            .exchange(&apdu::select(apdu::PPSE_NAME))
            .unwrap()
            .apdu;
        assert_eq!(&ppse[ppse.len() - 2..], &[0x90, 0x00]);
        assert_eq!(transport.next_tap(&present()), Ok(true));
        assert_eq!(transport.next_tap(&present()), Ok(false));
        assert_eq!(transport.taps_started(), 2);
        assert_eq!(transport.restarts().len(), 3);
        assert!(transport.exchange(&apdu::select(apdu::PPSE_NAME)).is_err());
    }

    #[test]
    fn a_wallet_leaving_the_field_is_card_removed_until_the_next_tap() {
        let wallet = Wallet::new(Profile::LeavesField, WalletOptions::default()).unwrap();
        let mut transport = InProcessTransport::new(wallet, 2);
        transport.next_tap(&present()).unwrap();
        let aid = transport.wallet().aid().to_vec();
        transport.exchange(&apdu::select(&aid)).unwrap();
        assert!(transport.exchange(&apdu::read_record(3, 1)).is_ok());
        assert_eq!(
            transport.exchange(&apdu::read_record(3, 2)),
            Err(TransportError::CardRemoved)
        );
        assert_eq!(
            transport.exchange(&apdu::read_record(3, 3)),
            Err(TransportError::CardRemoved)
        );
        transport.next_tap(&present()).unwrap();
        transport.exchange(&apdu::select(&aid)).unwrap();
        transport.exchange(&apdu::read_record(3, 1)).unwrap();
        let second = transport.exchange(&apdu::read_record(3, 2)).unwrap().apdu;
        assert_eq!(&second[second.len() - 2..], &[0x90, 0x00]);
    }
}

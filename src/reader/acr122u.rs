//! The ACR122U (a PN532 behind a CCID front-end): its pseudo-APDUs for UID, firmware, LED and
//! buzzer, and the escape path that reaches the reader when no card is present.
//!
//! Source: ACS "ACR122U Application Programming Interface" (API-ACR122U-2.04): `FF CA` get
//! UID, `FF 00 48` firmware (ASCII, no status word), `FF 00 40` LED and buzzer, `FF 00 52`
//! buzzer on card detection.
//!
//! The reader has one bi-colour LED (red, green) and a buzzer; Book A 9.2 asks for four status
//! lights and two tones. The mapping ([`Signal`], [`signal_for`]):
//!
//! | Book A                                      | ACR122U                                     |
//! |---------------------------------------------|---------------------------------------------|
//! | Idle / Not ready (all lights off)           | LED off                                     |
//! | Ready to read (light 1 steady)              | green steady                                |
//! | Processing (lights 1–3)                     | orange (red + green) steady                 |
//! | Card read successfully / Approved (light 4, success tone) | green steady, one 100 ms beep |
//! | Processing error / Declined (alert tone)   | red steady, one 500 ms beep                 |
//! | See phone (message 20)                      | red/green alternating 200 ms, two beeps, ends green |
//!
//! The reader answers an LED command only after the blinking ends, so blinking is kept to the
//! moments when no card is being read.

use pcsc::Card;

use super::apdu_exchange::transmit_raw;

/// `FF CA 00 00 00`: the card's UID (random per tap for phones), answered with `9000`.
pub const GET_UID: [u8; 5] = [0xFF, 0xCA, 0x00, 0x00, 0x00];
/// `FF 00 48 00 00`: firmware version as ASCII (`ACR122U215`), no status word.
pub const FIRMWARE: [u8; 5] = [0xFF, 0x00, 0x48, 0x00, 0x00];
/// `FF 00 52 00 00`: no beep when a card enters the field, so only tapterm beeps.
pub const DETECTION_BUZZER_OFF: [u8; 5] = [0xFF, 0x00, 0x52, 0x00, 0x00];

/// Whether a reader name is an ACR122U ("ACS ACR122U PICC Interface 00 00").
pub fn is_acr122u(name: &str) -> bool {
    name.to_ascii_uppercase().contains("ACR122")
}

/// What the reader's LED and buzzer should tell the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// All lights off.
    Idle,
    /// Waiting for a card or phone.
    Ready,
    /// Talking to the card: keep it in the field.
    Processing,
    /// Card read, approved.
    Approved,
    /// Declined or error.
    Declined,
    /// Look at the phone, then tap again.
    SeePhone,
}

/// The Book A request's signal on this reader (see the module table).
pub fn signal_for(request: &emv_kernel::outcome::UiRequest) -> Signal {
    use emv_kernel::outcome::{MessageId, ReaderStatus};
    match request.message {
        MessageId::SeePhone => return Signal::SeePhone,
        MessageId::Approved | MessageId::ApprovedSign => return Signal::Approved,
        MessageId::NotAuthorised | MessageId::TryAnotherCard => return Signal::Declined,
        _ => {}
    }
    match request.status {
        ReaderStatus::NotReady | ReaderStatus::Idle => Signal::Idle,
        ReaderStatus::ReadyToRead => Signal::Ready,
        ReaderStatus::Processing => Signal::Processing,
        ReaderStatus::CardReadSuccessfully => Signal::Approved,
        ReaderStatus::ProcessingError => Signal::Declined,
    }
}

/// The `FF 00 40 P2 04 T1 T2 N B` command for a signal. P2 bits: 01/02 final red/green,
/// 04/08 red/green mask (update), 10/20 initial red/green blink state, 40/80 red/green
/// blink enable; T1, T2 in 100 ms; N repetitions; B buzzer (01 during T1, 02 during T2).
pub fn led_command(signal: Signal) -> [u8; 9] {
    let (p2, t1, t2, n, buzzer) = match signal {
        Signal::Idle => (0x0C, 0, 0, 0, 0),
        Signal::Ready => (0x0E, 0, 0, 0, 0),
        Signal::Processing => (0x0F, 0, 0, 0, 0),
        Signal::Approved => (0x0E, 1, 1, 1, 1),
        Signal::Declined => (0x0D, 5, 1, 1, 1),
        Signal::SeePhone => (0xEE, 2, 2, 2, 1),
    };
    [0xFF, 0x00, 0x40, p2, 0x04, t1, t2, n, buzzer]
}

/// Parses the firmware answer: printable ASCII, with a trailing `90 00` tolerated (vpcd's
/// virtual cards and some firmware add one).
pub fn parse_firmware(reply: &[u8]) -> Option<String> {
    let text = match reply {
        [body @ .., 0x90, 0x00] => body,
        all => all,
    };
    let printable = !text.is_empty() && text.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    printable.then(|| String::from_utf8_lossy(text).into_owned())
}

/// Sends a pseudo-APDU to the reader itself through `SCardControl` (no card needed; the
/// connection is in direct mode). Tries ACS's own driver's and Windows' code
/// (`SCARD_CTL_CODE(3500)`), then libccid's (`SCARD_CTL_CODE(1)`, which needs
/// `ifdDriverOptions` 0x0001 in libccid's Info.plist). `Ok(None)` when the driver does not
/// support escape commands (vpcd, libccid without the option).
pub fn escape(card: &Card, command: &[u8]) -> Result<Option<Vec<u8>>, pcsc::Error> {
    let mut buffer = [0u8; 264];
    let mut last = pcsc::Error::UnsupportedFeature;
    for code in [pcsc::ctl_code(3500), pcsc::ctl_code(1)] {
        match card.control(code, command, &mut buffer) {
            Ok(reply) => return Ok(Some(reply.to_vec())),
            Err(e) => last = e,
        }
    }
    match last {
        pcsc::Error::UnsupportedFeature
        | pcsc::Error::InvalidParameter
        | pcsc::Error::InvalidValue
        | pcsc::Error::NotTransacted => Ok(None),
        other => Err(other),
    }
}

/// Wraps a PN532 command for the ACR122U's direct transmit, `FF 00 00 00 Lc D4 …` (ACS API
/// 6.1 "Direct Transmit"; the reader answers `D5 <command + 1> … 90 00`).
fn direct_transmit(pn532: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0xFF, 0x00, 0x00, 0x00];
    apdu.push(u8::try_from(pn532.len() + 1).unwrap_or(u8::MAX));
    apdu.push(0xD4);
    apdu.extend_from_slice(pn532);
    apdu
}

/// The escape commands that make the ACR122U's PN532 send one Enhanced Contactless Polling
/// frame ([`super::ecp`]) in its polling loop, for an iPhone's Express Transit (kormax
/// apple-enhanced-contactless-polling, examples/README "PN532"; PN532 User Manual UM0701-02):
///
/// 1. `D4 32 05 FF 01 00` RFConfiguration, item 05 MaxRetries: ATR FF, PSL 01, passive
///    activation 00, so that InListPassiveTarget polls once and returns (§7.3.1);
/// 2. `D4 4A 01 00` InListPassiveTarget, one target, 106 kbps type A: a WUPA/REQA that also
///    sets the CIU registers for type A (§7.3.5);
/// 3. `D4 08 63 3D 00` WriteRegister CIU_BitFraming (633D) = 00: all 8 bits of the last
///    byte are sent (REQA left it at 7) (§7.2.5);
/// 4. `D4 42 <frame ‖ CRC_A>` InCommunicateThru: the frame, CRC appended by us (§7.3.9).
///
/// Sent with the reader in direct mode and no card connected ([`escape`]); the ECP frame
/// gets no answer, so step 4 ends in the PN532's timeout status. What escape commands cannot
/// express: the ACR122U firmware's own automatic polling (PICC parameter b8) keeps running
/// without ECP between these frames, and an iPhone decides after seeing ECP in two
/// consecutive polling loops (kormax, "Polling"); a gate that must wake iPhones reliably
/// turns automatic polling off (`FF 00 51 7F 00`) and runs this sequence as its own polling
/// loop, talking to the phone through InDataExchange instead of PC/SC's card connection.
pub fn ecp_commands(frame: &[u8]) -> [Vec<u8>; 4] {
    let mut thru = vec![0x42];
    thru.extend(super::ecp::with_crc(frame));
    [
        direct_transmit(&[0x32, 0x05, 0xFF, 0x01, 0x00]),
        direct_transmit(&[0x4A, 0x01, 0x00]),
        direct_transmit(&[0x08, 0x63, 0x3D, 0x00]),
        direct_transmit(&thru),
    ]
}

/// Sends [`ecp_commands`] through the escape path of a direct connection; `Ok(false)` when
/// the driver takes no escape commands (vpcd, libccid without the option).
pub fn send_ecp(card: &Card, frame: &[u8]) -> Result<bool, pcsc::Error> {
    for command in ecp_commands(frame) {
        if escape(card, &command)?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Sends a pseudo-APDU through the card connection (a card is present), ignoring the answer's
/// content. Used for the LED and buzzer while a card is in the field.
pub fn send_with_card(card: &Card, command: &[u8]) -> Result<Vec<u8>, pcsc::Error> {
    transmit_raw(card, command)
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::outcome::{MessageId, ReaderStatus, UiRequest};
    use std::time::Duration;

    fn ui(message: MessageId, status: ReaderStatus) -> UiRequest {
        UiRequest {
            message,
            status,
            hold: Duration::ZERO,
        }
    }

    #[test]
    fn recognises_the_reader_by_name() {
        assert!(is_acr122u("ACS ACR122U PICC Interface 00 00"));
        assert!(is_acr122u("ACS ACR 1252 / acr122 clone"));
        assert!(!is_acr122u("Virtual PCD 00 00"));
    }

    #[test]
    fn led_commands_follow_the_documented_layout() {
        // nfcpy's "green only" command, and red with one beep.
        assert_eq!(
            led_command(Signal::Processing),
            [0xFF, 0x00, 0x40, 0x0F, 0x04, 0, 0, 0, 0]
        );
        let approved = led_command(Signal::Approved);
        assert_eq!(approved[3] & 0x0F, 0x0E, "green on, red off");
        assert_eq!(approved[8], 0x01, "one beep");
        let declined = led_command(Signal::Declined);
        assert_eq!(declined[3] & 0x0F, 0x0D, "red on, green off");
        let see_phone = led_command(Signal::SeePhone);
        assert_eq!(see_phone[3] & 0xC0, 0xC0, "both colours blink");
        assert_eq!(see_phone[3] & 0x30, 0x20, "out of phase");
        for s in [
            Signal::Idle,
            Signal::Ready,
            Signal::Processing,
            Signal::Approved,
            Signal::Declined,
            Signal::SeePhone,
        ] {
            assert_eq!(&led_command(s)[..3], &[0xFF, 0x00, 0x40]);
            assert_eq!(led_command(s)[4], 0x04, "Lc");
        }
    }

    #[test]
    fn book_a_requests_map_to_signals() {
        assert_eq!(
            signal_for(&ui(MessageId::SeePhone, ReaderStatus::ReadyToRead)),
            Signal::SeePhone
        );
        assert_eq!(
            signal_for(&ui(MessageId::PresentCard, ReaderStatus::ReadyToRead)),
            Signal::Ready
        );
        assert_eq!(
            signal_for(&ui(MessageId::Processing, ReaderStatus::Processing)),
            Signal::Processing
        );
        assert_eq!(
            signal_for(&ui(MessageId::Approved, ReaderStatus::CardReadSuccessfully)),
            Signal::Approved
        );
        assert_eq!(
            signal_for(&ui(
                MessageId::NotAuthorised,
                ReaderStatus::CardReadSuccessfully
            )),
            Signal::Declined
        );
        assert_eq!(
            signal_for(&ui(MessageId::ClearDisplay, ReaderStatus::Idle)),
            Signal::Idle
        );
    }

    #[test]
    fn ecp_is_four_direct_transmits_ending_in_the_frame_with_its_crc() {
        let london = hex::decode("6A02C801000300027900000000").unwrap();
        let [retries, poll, framing, thru] = ecp_commands(&london);
        assert_eq!(hex::encode_upper(retries), "FF00000006D43205FF0100");
        assert_eq!(hex::encode_upper(poll), "FF00000004D44A0100");
        assert_eq!(hex::encode_upper(framing), "FF00000005D408633D00");
        // proxmark3's ECP_FRAME, byte for byte, after InCommunicateThru.
        assert_eq!(
            hex::encode_upper(thru),
            "FF00000011D4426A02C801000300027900000000C2D8"
        );
    }

    #[test]
    fn firmware_is_ascii_with_or_without_status_word() {
        assert_eq!(parse_firmware(b"ACR122U215").as_deref(), Some("ACR122U215"));
        assert_eq!(
            parse_firmware(b"ACR122U207\x90\x00").as_deref(),
            Some("ACR122U207")
        );
        assert_eq!(parse_firmware(&[0x6A, 0x81]), None);
        assert_eq!(parse_firmware(&[0x90, 0x00]), None);
        assert_eq!(parse_firmware(&[]), None);
    }
}

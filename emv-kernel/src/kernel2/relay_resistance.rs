//! Kernel 2's relay resistance protocol (EMV Contactless Book C-2, S3.60–S3.65 and state
//! R1 "Waiting for Exchange Relay Resistance Data Response"): the terminal times one
//! short command/response pair and compares the card's processing time with the window
//! the card itself declares, so that a relay (which adds transmission delay) shows.
//!
//! The rules, as C-2 numbers them, settled from public C-2 implementations that cite the
//! requirement numbers — Paynetics phos (`RrpImpl`, `MastercardKernel`), the Play.Emv
//! Kernel 2 state machine, two Kotlin kernels, dcemv (read, not copied) — the ICC Dynamic
//! Data layout also from a Mastercard wallet's constants (ICC dynamic data 38 bytes, 52
//! with relay resistance). Each formula was checked against at least two of them; the
//! known dcemv errors (noted below) are not repeated:
//!
//! - **S3.60** RRP runs after GET PROCESSING OPTIONS when the AIP (82) byte 2 b1 "relay
//!   resistance protocol is supported" and Kernel Configuration (DF811B) b5 "relay
//!   resistance protocol supported" are both set; otherwise **S3.65** sets TVR byte 5
//!   b2–b1 to 01 "RRP not performed", whichever side lacks it (phos and dcemv agree). 00
//!   "not supported" is what a kernel without RRP leaves — a pre-RRP PayPass reader, as in
//!   the reconstructed PayPass test-card vector, whose GENERATE AC therefore differs.
//! - **S3.61** The kernel takes a new unpredictable number (9F37) and uses it as Terminal
//!   Relay Resistance Entropy (DF8301); **S3.62–S3.64** it sends EXCHANGE RELAY RESISTANCE
//!   DATA `80 EA 00 00 04 DF8301 00` and starts the timer.
//! - **SR1.3–SR1.5** An L1 error ends the tap as at GPO (try again); **SR1.11–SR1.13** a
//!   status word other than 9000 is End Application (L2 STATUS BYTES); **SR1.14–SR1.17** the
//!   response must be one template `80` of exactly 10 bytes: Device Relay Resistance
//!   Entropy (DF8302, 4), Min Time For Processing Relay Resistance APDU (DF8303, 2), Max
//!   Time For Processing Relay Resistance APDU (DF8304, 2), Device Estimated Transmission
//!   Time For Relay Resistance R-APDU (DF8305, 2); anything else is End Application (L2
//!   PARSING ERROR).
//! - **SR1.18** Measured Relay Resistance Processing Time (DF8306) := MAX(0, timer / 100 −
//!   DF8134 − MIN(DF8305, DF8135)). All times are in units of 100 µs; the timer runs in
//!   µs (the transport's `elapsed`), and DF8306 is an integer data object, so the division
//!   truncates (decided without a source saying so: a 2-byte binary object cannot hold a
//!   fraction; it favours the card by less than 100 µs).
//! - **SR1.19–SR1.21** Measured < MAX(0, DF8303 − DF8132 Minimum Relay Resistance Grace
//!   Period): End Application, L2 CARD DATA ERROR (no real card answers faster than it
//!   says it can).
//! - **SR1.22–SR1.27** RRP Counter (DF8307) < 2 and Measured > DF8304 + DF8133 Maximum
//!   Relay Resistance Grace Period: a new unpredictable number becomes the entropy, the
//!   counter goes up by one and the command is sent again — at most two retries, three
//!   exchanges in all. (dcemv compares with the *minimum* grace period here; wrong.)
//! - **SR1.28–SR1.29** Still Measured > DF8304 + DF8133: TVR byte 5 b3 "relay resistance
//!   time limits exceeded".
//! - **SR1.30–SR1.31** TVR byte 5 b4 "relay resistance threshold exceeded" when DF8305 ≠ 0
//!   and DF8135 ≠ 0 and any of: (DF8305 / DF8135) × 100 < DF8137 Transmission Time Mismatch
//!   Threshold (a percentage); (DF8135 / DF8305) × 100 < DF8137; DF8136 Relay Resistance
//!   Accuracy Threshold < MAX(0, Measured − DF8303). The ratios are compared exactly
//!   (cross-multiplied), not after integer division as dcemv does, which turns every ratio
//!   below 1 into 0. When either transmission time is 0 the public implementations differ
//!   (phos sets the bit, Play.Emv does not); we follow phos and set it — decided for the
//!   safe side: a card that declares no transmission time cannot be checked.
//! - **SR1.32** TVR byte 5 b2–b1 := 10 "RRP performed" (also when a limit was exceeded:
//!   the exceeded bits then tell terminal action analysis, through the TACs and IACs).
//! - **S910.4.1 / S11.43.1 (CDA with RRP)** When RRP was performed, the ICC Dynamic Data in
//!   the CDA signature carries, after the Transaction Data Hash Code, DF8301, DF8302,
//!   DF8303, DF8304 and DF8305 (14 bytes); they must equal what the kernel sent and
//!   received, or CDA has failed.
//!
//! The module is pure: the kernel hands it the elapsed time the transport measured. Through
//! PC/SC that time includes the host's USB and driver stack, which C-2's expected
//! transmission times (DF8134, DF8135) do not foresee; through pcscd and vpcd an 80EA
//! exchange measured 0.11–0.19 ms (one 2.9 ms outlier in six), a USB reader's own latency
//! is not measured yet. The shipped configuration leaves DF811B b5 clear until it is.

use std::time::Duration;

use crate::apdu::{self, Response};
use crate::kernel::{Command, KernelError};
use crate::qualifiers::Aip;
use crate::session::Session;
use crate::tags;

use super::KernelConfiguration;
use crate::tlv::{Tag, TlvIter};
use crate::tvr::{Tvr, TvrBit};

/// The number of retries SR1.22 allows after the first exchange.
pub const MAX_RETRIES: u8 = 2;

/// Whether RRP runs for this card and configuration (C-2 S3.60).
pub fn supported(aip: Aip, kernel_configuration: KernelConfiguration) -> bool {
    aip.relay_resistance_supported() && kernel_configuration.relay_resistance_supported()
}

/// The terminal's relay resistance parameters, DF8132–DF8137 (C-2 A.1), times in units
/// of 100 µs, the mismatch threshold in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalRrpData {
    /// DF8132.
    pub min_grace_period: u16,
    /// DF8133.
    pub max_grace_period: u16,
    /// DF8134.
    pub expected_capdu: u16,
    /// DF8135.
    pub expected_rapdu: u16,
    /// DF8136.
    pub accuracy_threshold: u16,
    /// DF8137.
    pub mismatch_threshold: u8,
}

impl Default for TerminalRrpData {
    /// Values for absent DF8132–DF8137: '0014', '0032', '012C', '32' as a public Kernel 2
    /// configuration carries DF8132, DF8133, DF8136, DF8137; '0012' and '0018' for DF8134
    /// and DF8135 from memory of C-2 Annex A, not from a source found (decided: a vector or
    /// configuration that uses relay resistance should set all six).
    fn default() -> TerminalRrpData {
        TerminalRrpData {
            min_grace_period: 0x0014,
            max_grace_period: 0x0032,
            expected_capdu: 0x0012,
            expected_rapdu: 0x0018,
            accuracy_threshold: 0x012C,
            mismatch_threshold: 0x32,
        }
    }
}

impl TerminalRrpData {
    /// Reads DF8132–DF8137 from the kernel configuration; an absent or wrongly sized value
    /// keeps its default.
    pub fn from_config<'a>(get: impl Fn(Tag) -> Option<&'a [u8]>) -> TerminalRrpData {
        let d = TerminalRrpData::default();
        let two = |tag, default| {
            get(tag)
                .and_then(|v| <[u8; 2]>::try_from(v).ok())
                .map_or(default, u16::from_be_bytes)
        };
        TerminalRrpData {
            min_grace_period: two(tags::MIN_RELAY_RESISTANCE_GRACE_PERIOD, d.min_grace_period),
            max_grace_period: two(tags::MAX_RELAY_RESISTANCE_GRACE_PERIOD, d.max_grace_period),
            expected_capdu: two(
                tags::TERMINAL_EXPECTED_TRANSMISSION_TIME_C_APDU,
                d.expected_capdu,
            ),
            expected_rapdu: two(
                tags::TERMINAL_EXPECTED_TRANSMISSION_TIME_R_APDU,
                d.expected_rapdu,
            ),
            accuracy_threshold: two(
                tags::RELAY_RESISTANCE_ACCURACY_THRESHOLD,
                d.accuracy_threshold,
            ),
            mismatch_threshold: match get(tags::RELAY_RESISTANCE_MISMATCH_THRESHOLD) {
                Some([v]) => *v,
                _ => d.mismatch_threshold,
            },
        }
    }
}

/// What the card answered to EXCHANGE RELAY RESISTANCE DATA (C-2 SR1.14), times in units
/// of 100 µs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceRrpData {
    /// DF8302.
    pub entropy: [u8; 4],
    /// DF8303.
    pub min_processing_time: u16,
    /// DF8304.
    pub max_processing_time: u16,
    /// DF8305.
    pub estimated_rapdu: u16,
}

/// Why state R1 ends the application: an unusable response (C-2 SR1.15, L2 PARSING
/// ERROR), a card faster than it can be (SR1.19, L2 CARD DATA ERROR), or no number left
/// for the entropy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RrpError {
    /// Not one BER-TLV object.
    #[error("response is not one BER-TLV object (C-2 SR1.15)")]
    NotOneObject,
    /// A template other than `80`.
    #[error("response template {0} is not 80 (C-2 SR1.15)")]
    WrongTemplate(Tag),
    /// Template `80` of a length other than 10.
    #[error("template 80 holds {0} bytes, not 10 (C-2 SR1.15)")]
    WrongLength(usize),
    /// Measured below MAX(0, DF8303 − DF8132).
    #[error("processing time {measured} × 100 µs is below the card's minimum {lower} (C-2 SR1.19)")]
    TooFast {
        /// DF8306.
        measured: u32,
        /// MAX(0, DF8303 − DF8132).
        lower: u32,
    },
    /// The transaction brought no unpredictable number for the entropy.
    #[error("no unpredictable number left for the relay resistance entropy (C-2 S3.61)")]
    NoEntropy,
}

impl DeviceRrpData {
    /// Parses the response data (status word removed): one template `80` of exactly ten
    /// bytes (C-2 SR1.14).
    pub fn parse(data: &[u8]) -> Result<DeviceRrpData, RrpError> {
        let mut items = TlvIter::new(data);
        let top = match (items.next(), items.next()) {
            (Some(Ok(t)), None) => t,
            _ => return Err(RrpError::NotOneObject),
        };
        if top.tag != Tag::new(0x80) {
            return Err(RrpError::WrongTemplate(top.tag));
        }
        let v: [u8; 10] = top
            .value
            .try_into()
            .map_err(|_| RrpError::WrongLength(top.value.len()))?;
        Ok(DeviceRrpData::from_bytes(v))
    }

    /// The ten bytes in the order of the response and of the CDA relay data.
    pub fn from_bytes(v: [u8; 10]) -> DeviceRrpData {
        DeviceRrpData {
            entropy: [v[0], v[1], v[2], v[3]],
            min_processing_time: u16::from_be_bytes([v[4], v[5]]),
            max_processing_time: u16::from_be_bytes([v[6], v[7]]),
            estimated_rapdu: u16::from_be_bytes([v[8], v[9]]),
        }
    }

    /// DF8302 ‖ DF8303 ‖ DF8304 ‖ DF8305.
    pub fn to_bytes(self) -> [u8; 10] {
        let mut v = [0; 10];
        v[..4].copy_from_slice(&self.entropy);
        v[4..6].copy_from_slice(&self.min_processing_time.to_be_bytes());
        v[6..8].copy_from_slice(&self.max_processing_time.to_be_bytes());
        v[8..].copy_from_slice(&self.estimated_rapdu.to_be_bytes());
        v
    }
}

/// C-2 SR1.18: the card's processing time in units of 100 µs, from the time the transport
/// measured for the exchange.
pub fn measured_processing_time(
    elapsed: Duration,
    terminal: &TerminalRrpData,
    device: &DeviceRrpData,
) -> u32 {
    let timer = u32::try_from(elapsed.as_micros() / 100).unwrap_or(u32::MAX);
    let transmission = u32::from(terminal.expected_capdu)
        + u32::from(device.estimated_rapdu.min(terminal.expected_rapdu));
    timer.saturating_sub(transmission)
}

/// What R1 does with one measured exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assessment {
    /// SR1.19–SR1.21: faster than the card can be; End Application (card data error).
    TooFast {
        /// MAX(0, DF8303 − DF8132), units of 100 µs.
        lower: u32,
    },
    /// SR1.22–SR1.27: too slow with retries left; send again with new entropy.
    Retry,
    /// SR1.28–SR1.32: done; the TVR byte 5 bits to set.
    Performed {
        /// SR1.29: "relay resistance time limits exceeded".
        time_limits_exceeded: bool,
        /// SR1.31: "relay resistance threshold exceeded".
        threshold_exceeded: bool,
    },
}

/// C-2 SR1.19–SR1.31: judges one measured processing time (`measured`, units of 100 µs,
/// from [`measured_processing_time`]) after `retries` retries already made.
pub fn assess(
    measured: u32,
    retries: u8,
    terminal: &TerminalRrpData,
    device: &DeviceRrpData,
) -> Assessment {
    let min_time = u32::from(device.min_processing_time);
    let lower = min_time.saturating_sub(u32::from(terminal.min_grace_period));
    if measured < lower {
        return Assessment::TooFast { lower };
    }
    let upper = u32::from(device.max_processing_time) + u32::from(terminal.max_grace_period);
    let too_slow = measured > upper;
    if too_slow && retries < MAX_RETRIES {
        return Assessment::Retry;
    }
    let (dev, term) = (
        u32::from(device.estimated_rapdu),
        u32::from(terminal.expected_rapdu),
    );
    let threshold = u32::from(terminal.mismatch_threshold);
    let threshold_exceeded = dev == 0
        || term == 0
        || dev * 100 < threshold * term
        || term * 100 < threshold * dev
        || measured.saturating_sub(min_time) > u32::from(terminal.accuracy_threshold);
    Assessment::Performed {
        time_limits_exceeded: too_slow,
        threshold_exceeded,
    }
}

/// What a performed protocol leaves for the rest of the transaction (the CDA check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Performed {
    /// DF8301 of the last exchange (also 9F37 from then on).
    pub terminal_entropy: [u8; 4],
    /// The card's answer to the last exchange.
    pub device: DeviceRrpData,
}

/// State R1 (C-2 S3.61–S3.64, SR1.3–SR1.32): exchanges relay resistance data until the
/// timing is judged, sets TVR byte 5, and returns what was exchanged; or why the tap ends
/// (SR1.3–SR1.5 communication error, SR1.11–SR1.13 status word, SR1.15–SR1.21 as
/// [`RrpError`]).
pub fn run(
    s: &mut Session<'_>,
    terminal: &TerminalRrpData,
    tvr: &mut Tvr,
) -> Result<Performed, KernelError> {
    let command = Command::ExchangeRelayResistanceData;
    let mut retries = 0;
    loop {
        let entropy = s
            .fresh_unpredictable_number()
            .ok_or(KernelError::RelayResistance(RrpError::NoEntropy))?;
        let step = if retries == 0 { "S3.62" } else { "SR1.25" };
        let response = s
            .exchange_timed(
                apdu::exchange_relay_resistance_data(entropy),
                &format!("EXCHANGE RELAY RESISTANCE DATA (C-2 {step})"),
            )
            .map_err(|error| KernelError::Transport { command, error })?;
        let answer =
            Response::parse(&response.apdu).ok_or(KernelError::NoStatusWord { command })?;
        if !answer.is_ok() {
            return Err(KernelError::StatusWord {
                command,
                sw: answer.sw,
            });
        }
        let device = DeviceRrpData::parse(answer.data).map_err(KernelError::RelayResistance)?;
        let measured = measured_processing_time(response.elapsed, terminal, &device);
        s.note(format!(
            "measured {} µs: processing time {measured} × 100 µs against the card's {}–{} (C-2 SR1.18)",
            response.elapsed.as_micros(),
            device.min_processing_time,
            device.max_processing_time
        ));
        match assess(measured, retries, terminal, &device) {
            Assessment::TooFast { lower } => {
                return Err(KernelError::RelayResistance(RrpError::TooFast {
                    measured,
                    lower,
                }));
            }
            Assessment::Retry => {
                s.note("slower than the card's maximum: retry with new entropy (C-2 SR1.22)");
                retries += 1;
            }
            Assessment::Performed {
                time_limits_exceeded,
                threshold_exceeded,
            } => {
                record_performed(tvr, time_limits_exceeded, threshold_exceeded);
                s.decide(format!(
                    "kernel 2: relay resistance performed (C-2 SR1.32), DF8306 {measured}, \
                     DF8307 {retries}{}{}",
                    if time_limits_exceeded {
                        ", time limits exceeded (SR1.29)"
                    } else {
                        ""
                    },
                    if threshold_exceeded {
                        ", threshold exceeded (SR1.31)"
                    } else {
                        ""
                    }
                ));
                return Ok(Performed {
                    terminal_entropy: entropy,
                    device,
                });
            }
        }
    }
}

/// Sets TVR byte 5 for a performed protocol (C-2 SR1.29, SR1.31, SR1.32).
pub fn record_performed(tvr: &mut Tvr, time_limits_exceeded: bool, threshold_exceeded: bool) {
    if time_limits_exceeded {
        tvr.set(TvrBit::RRP_TIME_LIMITS_EXCEEDED);
    }
    if threshold_exceeded {
        tvr.set(TvrBit::RRP_THRESHOLD_EXCEEDED);
    }
    tvr.set_relay_resistance(RrpStatus::Performed);
}

/// TVR byte 5 b2–b1 (C-2): what became of the relay resistance protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RrpStatus {
    /// 00.
    NotSupported,
    /// 01 (S3.65).
    NotPerformed,
    /// 10 (SR1.32).
    Performed,
}

impl RrpStatus {
    /// The two-bit code in TVR byte 5.
    pub fn bits(self) -> u8 {
        match self {
            RrpStatus::NotSupported => 0b00,
            RrpStatus::NotPerformed => 0b01,
            RrpStatus::Performed => 0b10,
        }
    }
}

/// C-2 S910.4.1 (CDA with RRP): whether the ICC Dynamic Data bytes after the Transaction
/// Data Hash Code begin with DF8301 ‖ DF8302 ‖ DF8303 ‖ DF8304 ‖ DF8305 as exchanged.
pub fn cda_carries(trailing: &[u8], terminal_entropy: [u8; 4], device: &DeviceRrpData) -> bool {
    let mut expected = terminal_entropy.to_vec();
    expected.extend_from_slice(&device.to_bytes());
    trailing.starts_with(&expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terminal data as a vector would configure it (units of 100 µs): grace 2 ms / 5 ms,
    /// expected C-APDU 1.8 ms, R-APDU 2.4 ms, accuracy 30 ms, mismatch 50 %.
    fn terminal() -> TerminalRrpData {
        TerminalRrpData::default()
    }

    /// A phone declaring 1.0 ms – 3.0 ms of processing and 2.0 ms for its answer.
    fn device() -> DeviceRrpData {
        DeviceRrpData {
            entropy: [0xD1, 0xD2, 0xD3, 0xD4],
            min_processing_time: 10,
            max_processing_time: 30,
            estimated_rapdu: 20,
        }
    }

    #[test]
    fn support_needs_both_bits() {
        let (with, without) = (KernelConfiguration(0x30), KernelConfiguration(0x20));
        assert!(supported(Aip([0x19, 0x81]), with));
        assert!(!supported(Aip([0x19, 0x80]), with));
        assert!(!supported(Aip([0x19, 0x81]), without));
    }

    #[test]
    fn reads_configuration_and_keeps_defaults() {
        let data = [0x00u8, 0x05];
        let rrp = TerminalRrpData::from_config(|t| {
            (t == tags::MIN_RELAY_RESISTANCE_GRACE_PERIOD).then_some(&data[..])
        });
        assert_eq!(rrp.min_grace_period, 5);
        assert_eq!(rrp.max_grace_period, 50);
        assert_eq!(rrp.mismatch_threshold, 50);
        let bad = [0x01u8];
        let rrp = TerminalRrpData::from_config(|t| {
            (t == tags::MAX_RELAY_RESISTANCE_GRACE_PERIOD).then_some(&bad[..])
        });
        assert_eq!(rrp.max_grace_period, 50);
    }

    #[test]
    fn parses_template_80_of_ten_bytes() {
        let data = [
            0x80, 0x0A, 0xD1, 0xD2, 0xD3, 0xD4, 0x00, 0x0A, 0x00, 0x1E, 0x00, 0x14,
        ];
        assert_eq!(DeviceRrpData::parse(&data), Ok(device()));
        assert_eq!(device().to_bytes(), data[2..]);
        assert_eq!(
            DeviceRrpData::parse(&data[..11]),
            Err(RrpError::NotOneObject)
        );
        let mut nine = data[..11].to_vec();
        nine[1] = 0x09;
        assert_eq!(DeviceRrpData::parse(&nine), Err(RrpError::WrongLength(9)));
        let mut other = data.to_vec();
        other[0] = 0x77;
        assert_eq!(
            DeviceRrpData::parse(&other),
            Err(RrpError::WrongTemplate(Tag::new(0x77)))
        );
        let mut two = data.to_vec();
        two.extend_from_slice(&[0x9F, 0x36, 0x00]);
        assert_eq!(DeviceRrpData::parse(&two), Err(RrpError::NotOneObject));
    }

    #[test]
    fn measured_time_subtracts_the_transmission_times() {
        // 6.0 ms: 60 − 18 − min(20, 24) = 22.
        let t = measured_processing_time(Duration::from_micros(6000), &terminal(), &device());
        assert_eq!(t, 22);
        // 6.099 ms truncates to 60 units as well.
        let t = measured_processing_time(Duration::from_micros(6099), &terminal(), &device());
        assert_eq!(t, 22);
        // The terminal's R-APDU time is used when it is the smaller: 60 − 18 − 24 = 18.
        let slow_answer = DeviceRrpData {
            estimated_rapdu: 40,
            ..device()
        };
        let t = measured_processing_time(Duration::from_micros(6000), &terminal(), &slow_answer);
        assert_eq!(t, 18);
        // Never below zero: 3.0 ms − 1.8 − 2.0 ms.
        let t = measured_processing_time(Duration::from_micros(3000), &terminal(), &device());
        assert_eq!(t, 0);
    }

    #[test]
    fn too_fast_below_min_minus_grace() {
        // Lower bound MAX(0, 10 − 20) = 0: nothing is too fast for this phone.
        assert!(matches!(
            assess(0, 0, &terminal(), &device()),
            Assessment::Performed { .. }
        ));
        let strict = DeviceRrpData {
            min_processing_time: 30,
            max_processing_time: 50,
            ..device()
        };
        // Lower bound 30 − 20 = 10.
        assert_eq!(
            assess(9, 0, &terminal(), &strict),
            Assessment::TooFast { lower: 10 }
        );
        assert!(matches!(
            assess(10, 0, &terminal(), &strict),
            Assessment::Performed { .. }
        ));
    }

    #[test]
    fn retries_twice_when_over_max_plus_grace() {
        // Upper bound 30 + 50 = 80.
        assert_eq!(assess(81, 0, &terminal(), &device()), Assessment::Retry);
        assert_eq!(assess(81, 1, &terminal(), &device()), Assessment::Retry);
        assert_eq!(
            assess(81, 2, &terminal(), &device()),
            Assessment::Performed {
                time_limits_exceeded: true,
                // 81 − 10 = 71 ≤ 300; ratios 20/24 = 83 % and 120 % ≥ 50 %.
                threshold_exceeded: false,
            }
        );
        assert_eq!(
            assess(80, 0, &terminal(), &device()),
            Assessment::Performed {
                time_limits_exceeded: false,
                threshold_exceeded: false,
            }
        );
    }

    #[test]
    fn threshold_by_mismatch_accuracy_or_zero_estimate() {
        let within = Assessment::Performed {
            time_limits_exceeded: false,
            threshold_exceeded: false,
        };
        let exceeded = Assessment::Performed {
            time_limits_exceeded: false,
            threshold_exceeded: true,
        };
        // 12 / 24 × 100 = 50, not below 50: within. dcemv's 12 / 24 = 0 would flag it.
        let half = DeviceRrpData {
            estimated_rapdu: 12,
            ..device()
        };
        assert_eq!(assess(20, 0, &terminal(), &half), within);
        // 11 / 24 × 100 = 45.8 < 50.
        let less = DeviceRrpData {
            estimated_rapdu: 11,
            ..device()
        };
        assert_eq!(assess(20, 0, &terminal(), &less), exceeded);
        // 24 / 49 × 100 = 48.9 < 50 (the other direction).
        let more = DeviceRrpData {
            estimated_rapdu: 49,
            ..device()
        };
        assert_eq!(assess(20, 0, &terminal(), &more), exceeded);
        // Accuracy: MAX(0, measured − 10) > 300 needs a wide window to stay under the max.
        let wide = DeviceRrpData {
            max_processing_time: 400,
            ..device()
        };
        assert_eq!(assess(310, 0, &terminal(), &wide), within);
        assert_eq!(assess(311, 0, &terminal(), &wide), exceeded);
        let zero = DeviceRrpData {
            estimated_rapdu: 0,
            ..device()
        };
        assert_eq!(assess(20, 0, &terminal(), &zero), exceeded);
    }

    #[test]
    fn tvr_byte_5() {
        let mut tvr = Tvr::default();
        record_performed(&mut tvr, true, true);
        assert_eq!(tvr.0[4], 0x08 | 0x04 | 0x02);
        let mut tvr = Tvr::default();
        tvr.set_relay_resistance(RrpStatus::NotPerformed);
        assert_eq!(tvr.0[4], 0x01);
        record_performed(&mut tvr, false, false);
        assert_eq!(tvr.0[4], 0x02);
    }

    #[test]
    fn cda_relay_data_must_match() {
        let un = [1, 2, 3, 4];
        let mut trailing = un.to_vec();
        trailing.extend_from_slice(&device().to_bytes());
        assert!(cda_carries(&trailing, un, &device()));
        trailing.push(0xBB);
        assert!(cda_carries(&trailing, un, &device()));
        assert!(!cda_carries(&trailing, [1, 2, 3, 5], &device()));
        assert!(!cda_carries(&trailing[..13], un, &device()));
        assert!(!cda_carries(&[], un, &device()));
    }
}

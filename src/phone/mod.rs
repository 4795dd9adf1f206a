//! Virtual wallets and cards: tapterm plays the phone or card in the field, either in
//! process (a [`Transport`](emv_kernel::transport::Transport) for `pay --demo`, the GUI's demo
//! reader and tests) or as the card behind vpcd, pcscd's virtual reader (`tapterm phone`),
//! so the whole PC/SC stack runs without hardware (issue 4; virtual-pcsc.md).
//!
//! All keys are TEST KEYS from `assets/test-keys/`; the matching CA public keys for the
//! terminal are in `assets/capk/tapterm-test.toml` (index 54 under A000000003,
//! A000000004, A000000333 and A000000025). Cryptograms use the issuer master keys of
//! `assets/host/issuers.toml` and the
//! host simulator's own EMV code, so the host verifies them.
//!
//! | profile | behaviour |
//! |---|---|
//! | `visa-phone` | DPAN, 9F19/9F24/9F25, FFI phone; ARQC, CTQ 0080 (CDCVM) copied in 9F69; fDDA when the TTQ asks for ODA online; `--locked`: GPO 6986 until the next tap |
//! | `visa-watch` | `visa-phone`'s account in a second wallet: its own DPAN, the same PAR |
//! | `mastercard-phone` | DPAN, AIP with on-device CVM and CDA; ARQC with CDA and DF4B 001000; `--locked`: AAC with DF4B 000100 until the next tap |
//! | `visa-card` | PAR of `visa-phone`'s account (9F24: one account, two PANs); CTQ signature (or online PIN) when the TTQ requires a CVM; TC with fDDA when no online cryptogram is required and the amount is at most 100.00, ARQC otherwise |
//! | `mastercard-card` | PAR of `mastercard-phone`'s account; the cryptogram the terminal asks for (TC, ARQC, AAC), CDA-signed when asked |
//! | `visa-card-no-par` | `visa-card` of another account (PAN 476173…0047) issued without a PAR |
//! | `unionpay-phone` | Mi Pay-style token: DPAN, 9F19/9F24/9F25, qUICS ARQC (UICS CVN 01), CTQ 0080 (CDCVM by fingerprint) copied in 9F69; fDDA when asked; `--locked`: GPO 6986 until the next tap |
//! | `unionpay-card` | 19-digit PAN; qUICS like `visa-card` (TC with fDDA offline when allowed); e-cash balance 123.45 for GET DATA 9F79 |
//! | `amex-phone` | DPAN, token data; ExpressPay with CDA (CVN 01), Mobile CVM Results 9F71 `010002` in the GPO answer; `--locked`: 9F71 `3F0001` and an AAC until the next tap |
//! | `amex-card` | ExpressPay plastic: the cryptogram the terminal asks for, CDA-signed when asked |
//! | `visa-bad-signature` | `visa-card` with a corrupted 9F4B |
//! | `leaves-field` | `visa-card` that leaves at its second READ RECORD, first tap only |
//! | `malformed-tlv` | `visa-card` whose GPO template 77 claims 16 bytes more than it holds |
//! | `no-matching-aid` | PPSE lists only A0000009991010 (kernel ID 2A); SELECT of known AIDs: 6A82 |
//!
//! Phones have Express Transit on ([`Wallet::set_express_transit`]): locked, they still pay
//! at a reader whose polling loop carries an ECP transit frame for their network
//! ([`Wallet::set_reader_polling`], [`crate::reader::ecp`]); Visa also needs the TTQ's "ODA
//! for online authorisations" bit (issue 13).
//!
//! [`OdaFault`] adds ODA faults to any profile (bad signature, unknown CA index, expired ICC
//! certificate); a revoked issuer certificate is configured on the terminal side
//! ([`card::ISSUER_CERTIFICATE_SERIAL`]).

pub mod card;
pub mod in_process;
pub mod personalise;
pub mod profiles;
pub mod vpcd;

use std::process::ExitCode;
use std::time::Duration;

pub use card::{OdaFault, Response, Wallet, WalletOptions};
pub use in_process::InProcessTransport;
pub use profiles::Profile;

/// `tapterm phone`: play a virtual wallet into a vpcd reader slot.
#[derive(Debug, clap::Args)]
pub struct PhoneArgs {
    /// The wallet to play: visa-phone, mastercard-phone, visa-card, mastercard-card,
    /// unionpay-phone, unionpay-card, amex-phone, amex-card, visa-bad-signature,
    /// leaves-field, malformed-tlv, no-matching-aid.
    #[arg(long)]
    profile: Profile,
    /// vpcd host.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// vpcd port of the reader slot ("Virtual PCD 00 00" is 35963).
    #[arg(long, default_value_t = 35963)]
    port: u16,
    /// The phone starts locked: the first tap asks for unlocking ("See phone").
    #[arg(long)]
    locked: bool,
    /// Number of taps before exiting.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    taps: u32,
    /// Time out of the field between taps, in milliseconds.
    #[arg(long, default_value_t = 1500)]
    gap_ms: u64,
    /// How long the wallet stays after its last answer before it leaves, in milliseconds.
    #[arg(long, default_value_t = 800)]
    hold_ms: u64,
    /// How long the wallet waits in the field for a first command, in seconds.
    #[arg(long, default_value_t = 30)]
    idle_s: u64,
    /// How long to keep retrying when vpcd is not listening, in seconds.
    #[arg(long, default_value_t = 10)]
    wait: u64,
    /// Seed for the per-tap values (UID, dynamic numbers).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The phone's Express Transit setting off: a locked phone asks for unlock even at a
    /// transit reader.
    #[arg(long)]
    no_express: bool,
    /// The ECP frame (hex, without CRC) the reader's polling loop carries, as the phone
    /// would see it before answering; vpcd cannot carry polling frames, so say it here.
    #[arg(long, value_name = "HEX")]
    reader_ecp: Option<String>,
}

/// Runs `tapterm phone`.
pub fn run(args: PhoneArgs) -> ExitCode {
    let options = WalletOptions {
        locked: args.locked,
        seed: args.seed,
        oda_fault: None,
    };
    let mut wallet = match Wallet::new(args.profile, options) {
        Ok(wallet) => wallet,
        Err(e) => {
            eprintln!("tapterm phone: cannot personalise {}: {e}", args.profile);
            return ExitCode::FAILURE;
        }
    };
    let ecp = match args.reader_ecp.as_deref().map(hex::decode).transpose() {
        Ok(ecp) => ecp,
        Err(e) => {
            eprintln!("tapterm phone: --reader-ecp: {e}");
            return ExitCode::from(2);
        }
    };
    wallet.set_express_transit(!args.no_express);
    wallet.set_reader_polling(ecp.as_deref());
    let vpcd_options = vpcd::VpcdOptions {
        host: args.host,
        port: args.port,
        taps: args.taps as usize,
        gap: Duration::from_millis(args.gap_ms),
        wait: Duration::from_secs(args.wait),
        hold: Duration::from_millis(args.hold_ms),
        idle: Duration::from_secs(args.idle_s),
    };
    eprintln!(
        "tapterm phone: {} ({}) into vpcd {}:{}, {} tap(s)",
        args.profile,
        args.profile.description(),
        vpcd_options.host,
        vpcd_options.port,
        vpcd_options.taps
    );
    let result = vpcd::serve(&mut wallet, &vpcd_options, |tap, report| {
        let mut micros = report.service_micros.clone();
        micros.sort_unstable();
        let median = micros.get(micros.len() / 2).copied().unwrap_or(0);
        eprintln!(
            "tap {}: {:?} after {} APDU(s), wallet median {} µs per APDU, {} µs in all",
            tap + 1,
            report.end,
            report.apdus,
            median,
            micros.iter().sum::<u64>()
        );
    });
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tapterm phone: {e}");
            ExitCode::FAILURE
        }
    }
}

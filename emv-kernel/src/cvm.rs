//! Cardholder verification for Kernel 2 (C-2 "CVM Selection", Book 3 10.5): on-device
//! verification when card and kernel both support it, otherwise the card's CVM List
//! processed against the terminal's CVM capability, giving the outcome's CVM and the
//! CVM Results (9F34) sent to the card and the host.

use crate::config::TransactionType;
use crate::outcome::Cvm;
use crate::tvr::{Tvr, TvrBit};

/// CVM Results "no CVM performed, condition 00, successful" for on-device CVM below the
/// CVM required limit (C-2).
pub const NO_CVM_ODCVM: [u8; 3] = [0x3F, 0x00, 0x02];
/// CVM Results "confirmation code verified" (C-2 on-device CVM above the limit).
pub const CDCVM_RESULTS: [u8; 3] = [0x01, 0x00, 0x02];
/// CVM Results when cardholder verification is not supported or no list exists.
pub const NO_CVM_PERFORMED: [u8; 3] = [0x3F, 0x00, 0x00];
/// CVM Results when CVM processing failed without a CVM to name.
pub const CVM_FAILED: [u8; 3] = [0x3F, 0x00, 0x01];

/// What the CVM rules need to know about the transaction and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct CvmContext {
    /// Amount, Authorised in minor units.
    pub amount: u64,
    /// Whether the transaction currency equals the application currency (9F42), so the
    /// X/Y amount conditions can be evaluated.
    pub same_currency: bool,
    /// Transaction type.
    pub kind: TransactionType,
    /// Whether the terminal is unattended (9F35 ≥ x4).
    pub unattended: bool,
    /// CVM Capability: 9F33 byte 2 (b7 enciphered online PIN, b6 signature, b4 no CVM).
    pub capability: u8,
}

/// The result of CVM selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CvmSelection {
    /// The CVM the outcome asks for.
    pub cvm: Cvm,
    /// CVM Results, 9F34.
    pub results: [u8; 3],
}

fn amount_at(list: &[u8], at: usize) -> u64 {
    list.get(at..at + 4)
        .map_or(0, |b| b.iter().fold(0u64, |a, x| (a << 8) | *x as u64))
}

/// Whether a CVM condition code holds (Book 3 Annex C3); unknown codes never hold.
fn condition_holds(code: u8, cvm: u8, ctx: &CvmContext, x: u64, y: u64) -> bool {
    let cash = ctx.kind == TransactionType::Cash;
    let cashback = ctx.kind == TransactionType::Cashback;
    match code {
        0x00 => true,
        0x01 => cash && ctx.unattended,
        0x02 => !cash && !cashback,
        0x03 => supported(cvm, ctx.capability).is_some(),
        0x04 => cash && !ctx.unattended,
        0x05 => cashback,
        0x06 => ctx.same_currency && ctx.amount < x,
        0x07 => ctx.same_currency && ctx.amount > x,
        0x08 => ctx.same_currency && ctx.amount < y,
        0x09 => ctx.same_currency && ctx.amount > y,
        _ => false,
    }
}

/// The CVMs a contactless terminal can perform, if its capability allows them.
fn supported(cvm: u8, capability: u8) -> Option<Cvm> {
    match cvm {
        0x02 if capability & 0x40 != 0 => Some(Cvm::OnlinePin),
        0x1E if capability & 0x20 != 0 => Some(Cvm::Signature),
        0x1F if capability & 0x08 != 0 => Some(Cvm::NoCvm),
        _ => None,
    }
}

/// Whether Book 3 knows the CVM code (so an unknown one sets "Unrecognised CVM").
fn recognised(cvm: u8) -> bool {
    matches!(cvm, 0x00..=0x05 | 0x1E | 0x1F)
}

/// Processes a CVM List (8E): X, Y, then rules, first satisfied condition wins; a failed
/// rule goes on only when its b7 says so (Book 3 10.5).
pub fn process_list(list: &[u8], ctx: &CvmContext, tvr: &mut Tvr) -> CvmSelection {
    let x = amount_at(list, 0);
    let y = amount_at(list, 4);
    let rules = list.get(8..).unwrap_or(&[]);
    let mut last_failed: Option<[u8; 2]> = None;
    for rule in rules.chunks_exact(2) {
        let (code, condition) = (rule[0], rule[1]);
        let cvm = code & 0x3F;
        if !condition_holds(condition, cvm, ctx, x, y) {
            continue;
        }
        if !recognised(cvm) {
            tvr.set(TvrBit::UNRECOGNISED_CVM);
        }
        if let Some(c) = supported(cvm, ctx.capability) {
            let result = match c {
                Cvm::NoCvm => 0x02,
                _ => 0x00,
            };
            if c == Cvm::OnlinePin {
                tvr.set(TvrBit::ONLINE_PIN_ENTERED);
            }
            return CvmSelection {
                cvm: c,
                results: [code, condition, result],
            };
        }
        last_failed = Some([code, condition]);
        if code & 0x40 == 0 {
            break;
        }
    }
    tvr.set(TvrBit::CVM_NOT_SUCCESSFUL);
    CvmSelection {
        cvm: Cvm::NoCvm,
        results: last_failed.map_or(CVM_FAILED, |[c, k]| [c, k, 0x01]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(amount: u64, capability: u8) -> CvmContext {
        CvmContext {
            amount,
            same_currency: true,
            kind: TransactionType::Purchase,
            unattended: false,
            capability,
        }
    }

    #[test]
    fn signature_then_no_cvm() {
        let list = hex::decode("00000000000000005E031F03").unwrap();
        let mut tvr = Tvr::default();
        let sig = process_list(&list, &ctx(10_001, 0x20), &mut tvr);
        assert_eq!(sig.cvm, Cvm::Signature);
        assert_eq!(sig.results, [0x5E, 0x03, 0x00]);
        let none = process_list(&list, &ctx(500, 0x08), &mut tvr);
        assert_eq!(none.cvm, Cvm::NoCvm);
        assert_eq!(none.results, [0x1F, 0x03, 0x02]);
        assert_eq!(tvr, Tvr::default());
    }

    #[test]
    fn amount_conditions_and_failure() {
        // Online PIN if amount > X (50.00), else no CVM.
        let list = hex::decode("000013880000000042071F00").unwrap();
        let mut tvr = Tvr::default();
        let pin = process_list(&list, &ctx(6_000, 0x48), &mut tvr);
        assert_eq!(pin.cvm, Cvm::OnlinePin);
        assert!(tvr.is_set(TvrBit::ONLINE_PIN_ENTERED));
        let low = process_list(&list, &ctx(1_000, 0x48), &mut Tvr::default());
        assert_eq!(low.cvm, Cvm::NoCvm);
        // Signature required but not supported, no "apply next": failure.
        let mut tvr = Tvr::default();
        let fail = process_list(
            &hex::decode("00000000000000001E00").unwrap(),
            &ctx(1, 0x08),
            &mut tvr,
        );
        assert_eq!(fail.results, [0x1E, 0x00, 0x01]);
        assert!(tvr.is_set(TvrBit::CVM_NOT_SUCCESSFUL));
        let mut tvr = Tvr::default();
        process_list(
            &hex::decode("00000000000000002A00").unwrap(),
            &ctx(1, 0x08),
            &mut tvr,
        );
        assert!(tvr.is_set(TvrBit::UNRECOGNISED_CVM));
    }
}

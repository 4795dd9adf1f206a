//! The entry to cardholder verification (Book 3 10.5): a card that does not support it
//! (AIP byte 1 b5) gets "no CVM performed"; one that does but sent no CVM List is missing
//! data; otherwise the CVM List is processed ([`crate::cvm::process_list`]).

use crate::cvm::{self, CvmContext, CvmSelection};
use crate::outcome::Cvm;
use crate::qualifiers::Aip;
use crate::tvr::{Tsi, Tvr, TvrBit};

/// The smallest CVM List: amounts X and Y and one CV Rule (Book 3 10.5).
const SHORTEST_CVM_LIST: usize = 10;

/// Book 3 10.5: CVM selection from the AIP and the CVM List (8E); sets TSI "cardholder
/// verification was performed" when a CVM was selected.
pub fn cardholder_verification(
    aip: Aip,
    cvm_list: Option<&[u8]>,
    context: &CvmContext,
    tvr: &mut Tvr,
    tsi: &mut Tsi,
) -> CvmSelection {
    let none = CvmSelection {
        cvm: Cvm::NoCvm,
        results: cvm::NO_CVM_PERFORMED,
    };
    let selection = if !aip.cardholder_verification_supported() {
        none
    } else {
        match cvm_list.filter(|l| l.len() >= SHORTEST_CVM_LIST) {
            None => {
                tvr.set(TvrBit::ICC_DATA_MISSING);
                none
            }
            Some(list) => cvm::process_list(list, context, tvr),
        }
    };
    if selection.cvm != Cvm::NoCvm {
        tsi.set(Tsi::CVM_PERFORMED);
    }
    selection
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TransactionType;

    const CONTEXT: CvmContext = CvmContext {
        amount: 10_001,
        same_currency: true,
        kind: TransactionType::Purchase,
        unattended: false,
        capability: 0x28,
    };

    #[test]
    fn aip_and_list_decide_whether_the_list_is_read() {
        let list = hex::decode("00000000000000001E031F03").unwrap();
        let (mut tvr, mut tsi) = (Tvr::default(), Tsi::default());
        let not_supported =
            cardholder_verification(Aip([0x00, 0]), Some(&list), &CONTEXT, &mut tvr, &mut tsi);
        assert_eq!(not_supported.results, cvm::NO_CVM_PERFORMED);
        let missing = cardholder_verification(Aip([0x10, 0]), None, &CONTEXT, &mut tvr, &mut tsi);
        assert_eq!(missing.cvm, Cvm::NoCvm);
        assert!(tvr.is_set(TvrBit::ICC_DATA_MISSING));
        assert_eq!(tsi, Tsi::default());
        let signature =
            cardholder_verification(Aip([0x10, 0]), Some(&list), &CONTEXT, &mut tvr, &mut tsi);
        assert_eq!(signature.cvm, Cvm::Signature);
        assert!(tsi.is_set(Tsi::CVM_PERFORMED));
    }
}

//! Terminal risk management as a contactless kernel performs it (Book 3 10.6.1): the floor
//! limit check. Random selection and velocity checking (10.6.2, 10.6.3) are not part of
//! C-2 or C-3.

use crate::tvr::{Tsi, Tvr, TvrBit};

/// Book 3 10.6.1: "Transaction exceeds floor limit" when the amount is above the floor
/// limit, and TSI "Terminal risk management was performed".
pub fn floor_limit_check(floor_limit_exceeded: bool, tvr: &mut Tvr, tsi: &mut Tsi) {
    if floor_limit_exceeded {
        tvr.set(TvrBit::FLOOR_LIMIT_EXCEEDED);
    }
    tsi.set(Tsi::TERMINAL_RISK_MANAGEMENT);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_the_floor_limit_bit_and_the_tsi() {
        let (mut tvr, mut tsi) = (Tvr::default(), Tsi::default());
        floor_limit_check(false, &mut tvr, &mut tsi);
        assert_eq!((tvr.0, tsi.0), ([0; 5], [0x08, 0]));
        floor_limit_check(true, &mut tvr, &mut tsi);
        assert!(tvr.is_set(TvrBit::FLOOR_LIMIT_EXCEEDED));
    }
}

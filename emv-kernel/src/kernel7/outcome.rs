//! C-3 5.8/5.9 as the quick flow applies them, with the electronic cash balance, when the
//! card gave one, in the data record under 9F79 for the app to show (UICS Part II H.2.2).

use super::electronic_cash_balance::Balance;
use crate::session::KernelResult;
use crate::tags;

/// The quick flow's outcome with the balance added to its data record, when both exist.
pub(super) fn with_balance(mut result: KernelResult, balance: Option<Balance>) -> KernelResult {
    if let (Some(record), Some(balance)) = (result.data_record.as_mut(), balance) {
        record.insert(tags::EC_BALANCE, balance.to_vec());
    }
    result
}

//! The Electronic Cash Balance (9F79): a UnionPay card with electronic cash keeps an
//! offline balance that GET DATA reads (UICS Part II H.2.2, "Obtaining Electronic Cash
//! Balance Using GET DATA Command"; billzbh/XML2Java `EmvModul.c` reads it the same way
//! after the transaction). Kernel 7 reads it when the combination says the terminal
//! supports electronic cash (9F7A = `01`, the JR/T 0025 Electronic Cash Terminal Support
//! Indicator), after the last record and before "Card read OK" so the card is still in
//! the field; the app shows it from the data record (9F79).
//!
//! A card without a balance, or one that answers anything but `9F79 06 <n12>` with 9000,
//! leaves the transaction as it was: the balance is information for the cardholder, never
//! part of the decision (billzbh's kernel ignores a failed read the same way). A card
//! that leaves the field is the usual communication error.

use crate::kernel::quick::{Quick, Step};
use crate::tags;

/// 9F7A `01`: the terminal supports electronic cash (JR/T 0025).
pub const EC_SUPPORTED: u8 = 0x01;

/// The balance as the card sent it: six BCD bytes, n12 in the application's minor units.
pub type Balance = [u8; 6];

/// GET DATA 9F79 when the combination supports electronic cash; the balance when the card
/// gave a well-formed one.
pub(super) fn read(k: &mut Quick<'_, '_, '_>) -> Step<Option<Balance>> {
    if k.ctx.config(tags::EC_TERMINAL_SUPPORT_INDICATOR) != Some(&[EC_SUPPORTED][..]) {
        return Ok(None);
    }
    let (value, sw) = k.ctx.get_data(
        tags::EC_BALANCE,
        "GET DATA Electronic Cash Balance 9F79 (UICS Part II H.2.2)",
    )?;
    let balance = value.as_deref().and_then(parse);
    let note = match balance {
        Some(b) => format!("kernel 7: electronic cash balance {}", hex::encode_upper(b)),
        None => format!(
            "kernel 7: no electronic cash balance (SW {:04X}); the transaction goes on without it",
            sw
        ),
    };
    k.ctx.decide(note);
    Ok(balance)
}

/// The value of `9F79` (the card's only object): six bytes of BCD digits.
fn parse(value: &[u8]) -> Option<Balance> {
    let balance = Balance::try_from(value).ok()?;
    balance
        .iter()
        .all(|b| b >> 4 <= 9 && b & 0x0F <= 9)
        .then_some(balance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_a_well_formed_balance() {
        // The TLV around the value (one 9F79 object, 9000) is KernelContext::get_data's.
        let ok = hex::decode("000000012345").unwrap();
        assert_eq!(parse(&ok), Some([0, 0, 0, 0x01, 0x23, 0x45]));
        for bad in ["0000012345", "000000A12345", "00000001234500", ""] {
            assert_eq!(parse(&hex::decode(bad).unwrap()), None, "{bad}");
        }
    }
}

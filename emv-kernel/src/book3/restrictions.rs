//! Processing restrictions (Book 3 10.4): application version, effective and expiration
//! dates, and Application Usage Control, each setting its TVR bit; none stops the
//! transaction by itself (terminal action analysis weighs the bits).

use crate::config::TransactionType;
use crate::data_record::CardData;
use crate::session;
use crate::tags;
use crate::tvr::{Tvr, TvrBit};

/// What the terminal side contributes to processing restrictions.
#[derive(Debug, Clone, Copy)]
pub struct Terminal<'a> {
    /// Application Version Number (terminal), 9F09.
    pub application_version: Option<&'a [u8]>,
    /// Terminal Country Code, 9F1A.
    pub country: Option<&'a [u8]>,
    /// The transaction type.
    pub kind: TransactionType,
    /// The transaction date as YYYYMMDD.
    pub date: u32,
}

/// Book 3 10.4.1–10.4.3 on the card's data, setting TVR byte 2 bits.
pub fn processing_restrictions(card: &CardData, terminal: &Terminal<'_>, tvr: &mut Tvr) {
    // 10.4.1: the versions differ only when both are present.
    if let (Some(card), Some(term)) = (
        card.get(tags::APPLICATION_VERSION_CARD),
        terminal.application_version,
    ) && card != term
    {
        tvr.set(TvrBit::DIFFERENT_VERSIONS);
    }
    // 10.4.3: an unreadable date counts as failing the check.
    if let Some(v) = card.get(tags::APPLICATION_EXPIRATION_DATE)
        && session::bcd_date(v).is_none_or(|d| d < terminal.date)
    {
        tvr.set(TvrBit::EXPIRED);
    }
    if let Some(v) = card.get(tags::APPLICATION_EFFECTIVE_DATE)
        && session::bcd_date(v).is_none_or(|d| d > terminal.date)
    {
        tvr.set(TvrBit::NOT_YET_EFFECTIVE);
    }
    // 10.4.2: Application Usage Control.
    if let Some(auc) = card.get(tags::APPLICATION_USAGE_CONTROL)
        && !usage_allowed(auc, card.get(tags::ISSUER_COUNTRY_CODE), terminal)
    {
        tvr.set(TvrBit::SERVICE_NOT_ALLOWED);
    }
}

/// Book 3 10.4.2: whether the Application Usage Control allows this transaction here
/// (domestic when the Issuer Country Code equals the Terminal Country Code, or when either
/// is absent) and at a terminal other than an ATM (AUC byte 1 b1).
fn usage_allowed(auc: &[u8], issuer_country: Option<&[u8]>, terminal: &Terminal<'_>) -> bool {
    let (b1, b2) = (
        auc.first().copied().unwrap_or(0),
        auc.get(1).copied().unwrap_or(0),
    );
    let domestic = match (issuer_country, terminal.country) {
        (Some(card), Some(term)) => card == term,
        _ => true,
    };
    let not_atm = b1 & 0x01 != 0;
    let allowed = match terminal.kind {
        // Byte 1 b8/b7: domestic/international cash.
        TransactionType::Cash => b1 & if domestic { 0x80 } else { 0x40 } != 0,
        // Byte 2 b8/b7: domestic/international cashback.
        TransactionType::Cashback => b2 & if domestic { 0x80 } else { 0x40 } != 0,
        // Byte 1 b6/b5 goods, b4/b3 services: either allows a purchase.
        TransactionType::Purchase | TransactionType::Refund => {
            b1 & if domestic { 0x28 } else { 0x14 } != 0
        }
    };
    allowed && not_atm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::Tag;

    fn card(objects: &[(Tag, &str)]) -> CardData {
        let mut card = CardData::default();
        for (tag, value) in objects {
            card.store(*tag, &hex::decode(value).unwrap()).unwrap();
        }
        card
    }

    const TERMINAL: Terminal<'static> = Terminal {
        application_version: Some(&[0x00, 0x02]),
        country: Some(&[0x08, 0x26]),
        kind: TransactionType::Purchase,
        date: 20261201,
    };

    #[test]
    fn dates_and_versions() {
        let mut tvr = Tvr::default();
        let c = card(&[
            (tags::APPLICATION_VERSION_CARD, "0001"),
            (tags::APPLICATION_EXPIRATION_DATE, "261130"),
            (tags::APPLICATION_EFFECTIVE_DATE, "261202"),
        ]);
        processing_restrictions(&c, &TERMINAL, &mut tvr);
        assert!(tvr.is_set(TvrBit::DIFFERENT_VERSIONS));
        assert!(tvr.is_set(TvrBit::EXPIRED));
        assert!(tvr.is_set(TvrBit::NOT_YET_EFFECTIVE));
        let mut tvr = Tvr::default();
        let ok = card(&[
            (tags::APPLICATION_VERSION_CARD, "0002"),
            (tags::APPLICATION_EXPIRATION_DATE, "261201"),
        ]);
        processing_restrictions(&ok, &TERMINAL, &mut tvr);
        assert_eq!(tvr, Tvr::default());
    }

    #[test]
    fn usage_control_domestic_and_international() {
        // Domestic goods and services only, valid at terminals other than ATMs.
        let c = card(&[
            (tags::APPLICATION_USAGE_CONTROL, "2900"),
            (tags::ISSUER_COUNTRY_CODE, "0826"),
        ]);
        let mut tvr = Tvr::default();
        processing_restrictions(&c, &TERMINAL, &mut tvr);
        assert!(!tvr.is_set(TvrBit::SERVICE_NOT_ALLOWED));
        let abroad = Terminal {
            country: Some(&[0x02, 0x50]),
            ..TERMINAL
        };
        processing_restrictions(&c, &abroad, &mut tvr);
        assert!(tvr.is_set(TvrBit::SERVICE_NOT_ALLOWED));
        let cash = Terminal {
            kind: TransactionType::Cash,
            ..TERMINAL
        };
        let mut tvr = Tvr::default();
        processing_restrictions(&c, &cash, &mut tvr);
        assert!(tvr.is_set(TvrBit::SERVICE_NOT_ALLOWED));
    }
}

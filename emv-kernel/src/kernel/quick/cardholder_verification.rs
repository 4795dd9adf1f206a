//! C-3 5.7, Cardholder Verification: the CVM comes from the card's CTQ when it sent one
//! (5.7.1.2), from the reader's TTQ when it did not (5.7.1.1), and a transaction whose
//! TTQ requires a CVM that none satisfies is declined (5.7.1.3).

use super::Quick;
use crate::cryptogram::Cryptogram;
use crate::outcome::Cvm;
use crate::qualifiers::{Ctq, Ttq};
use crate::tags;
use crate::tvr::{Tsi, TvrBit};

/// What C-3 5.7 concludes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CvmDecision {
    /// This CVM applies (No CVM included).
    Use(Cvm),
    /// No CVM can satisfy the card and the reader: decline.
    Decline(&'static str),
}

/// C-3 5.7.1.1–5.7.1.3 over the TTQ, the CTQ, the Card Authentication Related Data (9F69)
/// and the cryptogram type.
///
/// With a CTQ, in the book's order: online PIN when the card asks and the reader has a PIN
/// pad; CDCVM when the device says it verified the cardholder and the signed CTQ copy in
/// 9F69 (bytes 6–7) agrees, or on an ARQC when the card sent no 9F69 (the issuer checks
/// it); a signature when the card asks and the reader can. A card that asks for online PIN
/// at a reader without a PIN pad gets no signature instead: dcemv offers the signature only
/// to a card that asked for neither online PIN nor CDCVM (Daniel Hu's kernel lets it fall
/// through; the book's text was not available, and the stricter reading never puts a
/// signature where the card asked for a PIN). Then 5.7.1.3: a TTQ that requires a CVM and
/// none chosen declines; otherwise No CVM.
pub(crate) fn select_cvm(
    ttq: Ttq,
    ctq: Option<Ctq>,
    card_auth_data: Option<&[u8]>,
    cryptogram: Option<Cryptogram>,
) -> CvmDecision {
    let Some(ctq) = ctq else {
        return reader_cvm(ttq);
    };
    if ctq.online_pin_required() && ttq.online_pin_supported() {
        return CvmDecision::Use(Cvm::OnlinePin);
    }
    if ctq.cdcvm_performed() {
        return match card_auth_data {
            Some(data) if data.get(5..7) == Some(&ctq.0[..]) => CvmDecision::Use(Cvm::Cdcvm),
            Some(_) => CvmDecision::Decline("CDCVM claimed but the CTQ copy in 9F69 differs"),
            None if cryptogram == Some(Cryptogram::Arqc) => CvmDecision::Use(Cvm::Cdcvm),
            None => CvmDecision::Decline("CDCVM claimed offline without 9F69"),
        };
    }
    if ctq.signature_required() && !ctq.online_pin_required() && ttq.signature_supported() {
        return CvmDecision::Use(Cvm::Signature);
    }
    if !ttq.is_cvm_required() {
        return CvmDecision::Use(Cvm::NoCvm);
    }
    if ctq.online_pin_required() {
        CvmDecision::Decline("CVM required; the card asks for online PIN and the reader has none")
    } else {
        CvmDecision::Decline("CVM required and no CVM of the card is supported")
    }
}

/// C-3 5.7.1.1: no CTQ; when the TTQ requires a CVM, a signature if the reader takes one,
/// else online PIN if the reader has both online PIN and CDCVM support, else decline.
fn reader_cvm(ttq: Ttq) -> CvmDecision {
    if !ttq.is_cvm_required() {
        CvmDecision::Use(Cvm::NoCvm)
    } else if ttq.signature_supported() {
        CvmDecision::Use(Cvm::Signature)
    } else if ttq.online_pin_supported() && ttq.cdcvm_supported() {
        CvmDecision::Use(Cvm::OnlinePin)
    } else {
        CvmDecision::Decline("CVM required, card has no CTQ and the reader no fallback CVM")
    }
}

impl Quick<'_, '_, '_> {
    /// C-3 5.7: the CVM of the outcome, and the indicators it sets: online PIN goes
    /// online, no CVM where one is required declines.
    pub(crate) fn cardholder_verification(&mut self, cryptogram: Option<Cryptogram>) {
        let card_auth_data = self.ctx.card.get(tags::CARD_AUTHENTICATION_RELATED_DATA);
        match select_cvm(self.ttq, self.ctq(), card_auth_data, cryptogram) {
            CvmDecision::Use(c) => {
                self.ctx.decide(format!("CVM: {}", c.name()));
                if c == Cvm::OnlinePin && !self.reader.online_required {
                    self.reader.online_required = true;
                    self.ctx
                        .decide("CVM: online PIN → Online Required by Reader");
                }
                if c != Cvm::NoCvm {
                    self.ctx.tsi.set(Tsi::CVM_PERFORMED);
                }
                self.ctx.outcome.cvm = Some(c);
            }
            CvmDecision::Decline(why) => {
                self.ctx.tvr.set(TvrBit::CVM_NOT_SUCCESSFUL);
                self.reader.decline_required = true;
                self.ctx
                    .decide(format!("CVM: {why} → Decline Required by Reader (C-3 5.7)"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTQ: Ttq = Ttq([0x36, 0x00, 0x40, 0x00]);
    const REQUIRED: Ttq = Ttq([0x36, 0x40, 0x40, 0x00]);
    /// CVM required, signature but no online PIN (no PIN pad).
    const NO_PIN_PAD: Ttq = Ttq([0x22, 0x40, 0x40, 0x00]);
    const ARQC: Option<Cryptogram> = Some(Cryptogram::Arqc);

    fn declines(d: CvmDecision) -> bool {
        matches!(d, CvmDecision::Decline(_))
    }

    #[test]
    fn cdcvm_needs_a_matching_signed_ctq_copy() {
        let ctq = Some(Ctq([0x00, 0x80]));
        let good = [0x01, 1, 2, 3, 4, 0x00, 0x80];
        let bad = [0x01, 1, 2, 3, 4, 0x00, 0x00];
        let tc = Some(Cryptogram::Tc);
        assert_eq!(
            select_cvm(TTQ, ctq, Some(&good), tc),
            CvmDecision::Use(Cvm::Cdcvm)
        );
        assert!(declines(select_cvm(TTQ, ctq, Some(&bad), ARQC)));
        assert_eq!(
            select_cvm(TTQ, ctq, None, ARQC),
            CvmDecision::Use(Cvm::Cdcvm)
        );
        assert!(declines(select_cvm(TTQ, ctq, None, tc)));
    }

    #[test]
    fn ctq_order_and_reader_requirements() {
        let cvm = |ttq, ctq: [u8; 2]| select_cvm(ttq, Some(Ctq(ctq)), None, ARQC);
        assert_eq!(
            cvm(REQUIRED, [0xC0, 0x00]),
            CvmDecision::Use(Cvm::OnlinePin)
        );
        assert_eq!(
            cvm(REQUIRED, [0x40, 0x00]),
            CvmDecision::Use(Cvm::Signature)
        );
        assert!(declines(cvm(REQUIRED, [0x00, 0x00])));
        assert_eq!(cvm(TTQ, [0x00, 0x00]), CvmDecision::Use(Cvm::NoCvm));
    }

    #[test]
    fn online_pin_request_without_pin_pad_is_no_signature() {
        let cvm = |ttq, ctq: [u8; 2]| select_cvm(ttq, Some(Ctq(ctq)), None, ARQC);
        assert!(declines(cvm(NO_PIN_PAD, [0x80, 0x00])));
        assert!(declines(cvm(NO_PIN_PAD, [0xC0, 0x00])));
        assert_eq!(
            cvm(NO_PIN_PAD, [0x40, 0x00]),
            CvmDecision::Use(Cvm::Signature)
        );
        let below_cvm_limit = Ttq([0x22, 0x00, 0x40, 0x00]);
        assert_eq!(
            cvm(below_cvm_limit, [0xC0, 0x00]),
            CvmDecision::Use(Cvm::NoCvm)
        );
    }

    #[test]
    fn reader_cvm_without_ctq() {
        assert_eq!(
            select_cvm(REQUIRED, None, None, ARQC),
            CvmDecision::Use(Cvm::Signature)
        );
        assert_eq!(
            select_cvm(Ttq([0x24, 0x40, 0x40, 0x00]), None, None, ARQC),
            CvmDecision::Use(Cvm::OnlinePin)
        );
        assert!(declines(select_cvm(
            Ttq([0x24, 0x40, 0x00, 0x00]),
            None,
            None,
            ARQC
        )));
        assert!(declines(select_cvm(
            Ttq([0x20, 0x40, 0x00, 0x00]),
            None,
            None,
            ARQC
        )));
        assert_eq!(
            select_cvm(TTQ, None, None, ARQC),
            CvmDecision::Use(Cvm::NoCvm)
        );
    }
}

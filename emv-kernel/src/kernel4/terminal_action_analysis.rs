//! C-4 Terminal Action Analysis: Book 3 10.7 with the combination's Terminal Action Codes
//! (DF8121 Denial, DF8122 Online, DF8120 Default, or the published Amex values), then
//! what Entry Point and the transaction type add: a zero amount or a status check needs
//! an online cryptogram (Book B 3.1.1.3, 3.1.1.4), and a refund asks for an AAC.

use crate::book3::action_analysis::{ActionCodes, five};
use crate::config::TransactionType;
use crate::cryptogram::Cryptogram;
use crate::tags;

use super::Kernel4;
use super::configuration::DEFAULT_TAC;

impl Kernel4<'_, '_, '_> {
    /// The cryptogram to ask for in the one GENERATE AC.
    pub(super) fn terminal_action_analysis(&mut self) -> Cryptogram {
        let [default, denial, online] = DEFAULT_TAC;
        let terminal = ActionCodes {
            denial: five(self.ctx.config(tags::TAC_DENIAL), denial),
            online: five(self.ctx.config(tags::TAC_ONLINE), online),
            default: five(self.ctx.config(tags::TAC_DEFAULT), default),
        };
        let decision = self
            .ctx
            .terminal_action_analysis(&terminal, "C-4 Terminal Action Analysis, Book 3 10.7");
        if self.ctx.session.transaction.kind == TransactionType::Refund {
            self.ctx
                .decide("kernel 4: refund → request AAC (decided, docs/kernels/c4.md)");
            return Cryptogram::Aac;
        }
        let indicators = self.ctx.input.indicators;
        if decision == Cryptogram::Tc
            && (indicators.zero_amount || indicators.status_check_requested)
        {
            self.ctx.decide(
                "kernel 4: zero amount or status check needs an online cryptogram → request ARQC (Book B 3.1.1.3, 3.1.1.4)",
            );
            return Cryptogram::Arqc;
        }
        decision
    }
}

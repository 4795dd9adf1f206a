//! Terminal action analysis (Book 3 10.7): the TVR against the issuer's and the acquirer's
//! action codes decides which cryptogram to ask for in the first GENERATE AC. C-2 7.8
//! (TAA.1–TAA.18) is this procedure with Kernel 2's TACs DF8120–DF8122.

use crate::cryptogram::Cryptogram;
use crate::tvr::Tvr;

/// Denial, Online and Default action codes, five bytes each like the TVR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionCodes {
    /// Conditions that decline without going online.
    pub denial: [u8; 5],
    /// Conditions that send the transaction online.
    pub online: [u8; 5],
    /// Conditions that decline when the transaction cannot go online.
    pub default: [u8; 5],
}

impl ActionCodes {
    /// The Issuer Action Codes (9F0E, 9F0F, 9F0D); an absent or malformed one takes the
    /// value Book 3 10.7 gives it: Denial all zeros, Online and Default all ones.
    pub fn issuer(denial: Option<&[u8]>, online: Option<&[u8]>, default: Option<&[u8]>) -> Self {
        ActionCodes {
            denial: five(denial, [0x00; 5]),
            online: five(online, [0xFF; 5]),
            default: five(default, [0xFF; 5]),
        }
    }
}

/// A five-byte action code, or `absent` when it is missing or not five bytes long.
pub fn five(value: Option<&[u8]>, absent: [u8; 5]) -> [u8; 5] {
    value
        .and_then(|v| <[u8; 5]>::try_from(v).ok())
        .unwrap_or(absent)
}

/// How the terminal can reach the issuer, from the Terminal Type (9F35, Book 4 Annex A1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connectivity {
    /// Online only (types x1, x4).
    OnlineOnly,
    /// Offline with online capability (types x2, x5).
    OnlineCapable,
    /// Offline only (types x3, x6).
    OfflineOnly,
}

impl Connectivity {
    /// From the Terminal Type's low digit; an unknown digit counts as online capable.
    pub fn from_terminal_type(terminal_type: u8) -> Connectivity {
        match terminal_type & 0x0F {
            1 | 4 => Connectivity::OnlineOnly,
            3 | 6 => Connectivity::OfflineOnly,
            _ => Connectivity::OnlineCapable,
        }
    }
}

fn hits(terminal: [u8; 5], issuer: [u8; 5], tvr: &Tvr) -> bool {
    (0..5).any(|i| (terminal[i] | issuer[i]) & tvr.0[i] != 0)
}

/// Book 3 10.7: AAC when a denial code matches the TVR; otherwise an online-only terminal
/// asks for an ARQC, an online-capable one for an ARQC when an online code matches, an
/// offline-only one for an AAC when a default code matches; a TC otherwise.
pub fn terminal_action_analysis(
    tvr: &Tvr,
    terminal: &ActionCodes,
    issuer: &ActionCodes,
    connectivity: Connectivity,
) -> Cryptogram {
    if hits(terminal.denial, issuer.denial, tvr) {
        return Cryptogram::Aac;
    }
    match connectivity {
        Connectivity::OnlineOnly => Cryptogram::Arqc,
        Connectivity::OnlineCapable if hits(terminal.online, issuer.online, tvr) => {
            Cryptogram::Arqc
        }
        Connectivity::OfflineOnly if hits(terminal.default, issuer.default, tvr) => Cryptogram::Aac,
        _ => Cryptogram::Tc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tvr::TvrBit;

    const ZERO: ActionCodes = ActionCodes {
        denial: [0; 5],
        online: [0; 5],
        default: [0; 5],
    };

    #[test]
    fn denial_then_online_then_default() {
        let mut tvr = Tvr::default();
        tvr.set(TvrBit::ODA_NOT_PERFORMED);
        let absent = ActionCodes::issuer(None, None, None);
        // Absent IACs: Online all ones, so any TVR bit goes online.
        assert_eq!(
            terminal_action_analysis(&tvr, &ZERO, &absent, Connectivity::OnlineCapable),
            Cryptogram::Arqc
        );
        assert_eq!(
            terminal_action_analysis(&tvr, &ZERO, &absent, Connectivity::OfflineOnly),
            Cryptogram::Aac
        );
        let zero_iacs = ActionCodes::issuer(Some(&[0; 5]), Some(&[0; 5]), Some(&[0; 5]));
        assert_eq!(
            terminal_action_analysis(&tvr, &ZERO, &zero_iacs, Connectivity::OnlineCapable),
            Cryptogram::Tc
        );
        let deny = ActionCodes {
            denial: [0x80, 0, 0, 0, 0],
            ..ZERO
        };
        assert_eq!(
            terminal_action_analysis(&tvr, &deny, &zero_iacs, Connectivity::OnlineOnly),
            Cryptogram::Aac
        );
        assert_eq!(
            terminal_action_analysis(&Tvr::default(), &ZERO, &absent, Connectivity::OnlineOnly),
            Cryptogram::Arqc
        );
        assert_eq!(five(Some(&[1, 2, 3]), [9; 5]), [9; 5]);
    }
}

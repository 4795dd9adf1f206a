//! Kernel identifiers (Book B 3.3.2.5 and Table 3-6; Book A 5.8 for the kernel numbers).

use std::fmt;

/// Which kernel a combination names or a card asks for (Book B 3.3.2.5).
///
/// The international kernels have the one-byte identifiers of Book A 5.8; any other value
/// (a domestic or proprietary three-byte identifier, or an international kernel this list
/// does not name) is kept as [`KernelId::Other`] so that selection still compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KernelId {
    /// Kernel 2, Mastercard (Book C-2).
    Mastercard,
    /// Kernel 3, Visa (Book C-3).
    Visa,
    /// Kernel 4, American Express (Book C-4).
    Amex,
    /// Kernel 5, JCB (Book C-5).
    Jcb,
    /// Kernel 6, Discover (Book C-6).
    Discover,
    /// Kernel 7, UnionPay (Book C-7).
    UnionPay,
    /// Any other identifier: Kernel 1, an EMVCo-assigned domestic kernel or a proprietary
    /// one (Book B 3.3.2.5, three-byte identifiers kept as their numeric value).
    Other(u32),
}

impl KernelId {
    /// The identifier from its number (`2` → Mastercard, `0x810203` → `Other`).
    pub fn from_number(number: u32) -> KernelId {
        match number {
            2 => KernelId::Mastercard,
            3 => KernelId::Visa,
            4 => KernelId::Amex,
            5 => KernelId::Jcb,
            6 => KernelId::Discover,
            7 => KernelId::UnionPay,
            n => KernelId::Other(n),
        }
    }

    /// The identifier's number, as configurations and vectors write it.
    pub fn number(self) -> u32 {
        match self {
            KernelId::Mastercard => 2,
            KernelId::Visa => 3,
            KernelId::Amex => 4,
            KernelId::Jcb => 5,
            KernelId::Discover => 6,
            KernelId::UnionPay => 7,
            KernelId::Other(n) => n,
        }
    }
}

impl From<u32> for KernelId {
    fn from(number: u32) -> KernelId {
        KernelId::from_number(number)
    }
}

impl fmt::Display for KernelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelId::Other(n) if *n > 0xFF => write!(f, "{n:06X}"),
            other => write!(f, "{}", other.number()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for n in [1, 2, 3, 4, 5, 6, 7, 0x2A, 0x810203] {
            assert_eq!(KernelId::from_number(n).number(), n);
        }
        assert_eq!(KernelId::from(2), KernelId::Mastercard);
        assert_eq!(KernelId::UnionPay.to_string(), "7");
        assert_eq!(KernelId::Other(0x810203).to_string(), "810203");
    }
}

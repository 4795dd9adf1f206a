//! Bit-mapped qualifiers the books define, each a type with its named bits and methods that
//! read like the books ("CDA supported", "on device cardholder verification is supported"),
//! so kernels never test masks and `bits.rs` explains values from the same tables.

pub mod aip;

pub use aip::Aip;

/// One named bit of a qualifier: byte 1 is the leftmost byte, `b8` its most significant
/// bit, as the books number them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedBit {
    /// Byte number, 1-based.
    pub byte: usize,
    /// Bit number, 1 (`b1`) to 8 (`b8`).
    pub bit: u8,
    /// The name the book gives the bit.
    pub name: &'static str,
}

impl NamedBit {
    /// A bit by its book position.
    pub const fn new(byte: usize, bit: u8, name: &'static str) -> NamedBit {
        NamedBit { byte, bit, name }
    }

    /// The bit's mask within its byte.
    pub const fn mask(self) -> u8 {
        1 << (self.bit - 1)
    }

    /// Whether the bit is set in `value`; a value too short to hold the bit has it clear.
    pub fn is_set(self, value: &[u8]) -> bool {
        self.byte
            .checked_sub(1)
            .and_then(|i| value.get(i))
            .is_some_and(|b| b & self.mask() != 0)
    }
}

//! Bit-mapped qualifiers the books define, each a type with its named bits and methods that
//! read like the books ("CDA supported", "on device cardholder verification is supported"),
//! so kernels never test masks and `bits.rs` explains values from the same tables. Each bit
//! is defined once, as a [`NamedBit`] constant on its qualifier's type.

pub mod aip;
pub mod amex;
pub mod ctq;
pub mod ttq;

pub use aip::Aip;
pub use amex::{
    ContactlessReaderCapabilities, EnhancedContactlessReaderCapabilities, MobileCvmResults,
};
pub use ctq::Ctq;
pub use ttq::Ttq;

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

    /// Sets the bit in `value` (nothing when the value is too short to hold it).
    pub fn set(self, value: &mut [u8]) {
        if let Some(b) = self.byte.checked_sub(1).and_then(|i| value.get_mut(i)) {
            *b |= self.mask();
        }
    }

    /// Clears the bit in `value` (nothing when the value is too short to hold it).
    pub fn clear(self, value: &mut [u8]) {
        if let Some(b) = self.byte.checked_sub(1).and_then(|i| value.get_mut(i)) {
            *b &= !self.mask();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_numbered_as_the_books_number_them() {
        let b = NamedBit::new(2, 8, "byte 2 b8");
        assert_eq!(b.mask(), 0x80);
        assert_eq!(NamedBit::new(1, 1, "b1").mask(), 0x01);
        let mut v = [0u8; 3];
        b.set(&mut v);
        assert_eq!(v, [0x00, 0x80, 0x00]);
        assert!(b.is_set(&v));
        assert!(!NamedBit::new(1, 8, "").is_set(&v));
        b.clear(&mut v);
        assert_eq!(v, [0; 3]);
        let beyond = NamedBit::new(4, 1, "beyond");
        assert!(!beyond.is_set(&v));
        beyond.set(&mut v);
        assert_eq!(v, [0; 3]);
    }
}

//! Bit-mapped data objects under the names the books give them. Each bit is defined once,
//! as a [`Bit`] constant on its data object's type with the book's name, and both the
//! kernels (through the methods) and the explanations `tapterm decode` prints
//! ([`crate::bits`]) read that one definition.

pub mod ctq;
pub mod ttq;

/// One named bit of a bit-mapped data object, numbered as the books number it: byte 1 is
/// the leftmost byte, `b8` its most significant bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bit {
    /// The byte, 1-based.
    pub byte: usize,
    /// The bit, `1` (b1) to `8` (b8).
    pub bit: u8,
    /// The name the book gives the bit.
    pub name: &'static str,
}

impl Bit {
    /// Byte `byte` (1-based) bit `bit` (1–8) with its name.
    pub const fn new(byte: usize, bit: u8, name: &'static str) -> Bit {
        Bit { byte, bit, name }
    }

    /// The bit's mask within its byte.
    pub const fn mask(self) -> u8 {
        1 << ((self.bit - 1) & 7)
    }

    /// Whether the bit is set in `value`; a value too short to hold the byte has it clear.
    pub fn is_set(self, value: &[u8]) -> bool {
        self.byte
            .checked_sub(1)
            .and_then(|i| value.get(i))
            .is_some_and(|b| b & self.mask() != 0)
    }

    /// Sets the bit in `value` (nothing when the value is too short).
    pub fn set(self, value: &mut [u8]) {
        if let Some(b) = self.byte.checked_sub(1).and_then(|i| value.get_mut(i)) {
            *b |= self.mask();
        }
    }

    /// Clears the bit in `value` (nothing when the value is too short).
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
        let b = Bit::new(2, 8, "byte 2 b8");
        assert_eq!(b.mask(), 0x80);
        assert_eq!(Bit::new(1, 1, "b1").mask(), 0x01);
        let mut v = [0u8; 3];
        b.set(&mut v);
        assert_eq!(v, [0x00, 0x80, 0x00]);
        assert!(b.is_set(&v));
        assert!(!Bit::new(1, 8, "").is_set(&v));
        b.clear(&mut v);
        assert_eq!(v, [0; 3]);
        assert!(!Bit::new(4, 1, "beyond").is_set(&v));
        Bit::new(4, 1, "beyond").set(&mut v);
        assert_eq!(v, [0; 3]);
    }
}

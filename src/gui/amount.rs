//! The cashier's amount: typed digit by digit, checked against the currency and the reader
//! limits before the kernel ever sees it.
//!
//! Amounts are `rust_decimal::Decimal` in major units with the currency's ISO 4217 exponent;
//! the kernel gets minor units (n12, Book 3 Annex A tag 9F02). Limits come from the reader
//! combinations (Book B 3.1.1: Reader Contactless Transaction Limit, Zero Amount Allowed).

use std::str::FromStr;

use rust_decimal::Decimal;

/// The largest amount n12 can carry, in minor units.
const N12_MAX: u64 = 999_999_999_999;

/// Most characters the cashier may type (12 digits and a decimal point).
const MAX_TYPED: usize = 13;

/// The currency a terminal charges in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    /// ISO 4217 numeric code (tag 5F2A).
    pub numeric: u16,
    /// ISO 4217 alphabetic code, for display.
    pub alpha: String,
    /// Number of minor-unit digits (tag 5F36).
    pub exponent: u8,
}

impl Currency {
    /// Looks a numeric ISO 4217 code up; `None` for unknown codes or codes without minor units.
    pub fn from_numeric(numeric: u16) -> Option<Currency> {
        let currency = iso_currency::Currency::from_numeric(numeric)?;
        let exponent = emv_kernel::vector::currency_exponent(numeric)?;
        Some(Currency {
            numeric,
            alpha: currency.code().to_string(),
            exponent,
        })
    }

    /// Formats minor units as "EUR 12.34" (negative for refunds in totals).
    pub fn format_minor(&self, minor: i128) -> String {
        let value = Decimal::from_i128_with_scale(minor, u32::from(self.exponent));
        self.format(value)
    }

    /// Formats a major-unit amount with exactly the currency's decimals.
    pub fn format(&self, value: Decimal) -> String {
        let mut v = value;
        v.rescale(u32::from(self.exponent));
        format!("{} {}", self.alpha, v)
    }
}

/// What the terminal allows to be charged, from its reader combinations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    /// The smallest amount the cashier may enter, minor units (0 = none).
    pub min: u64,
    /// The largest amount the cashier may enter, minor units.
    pub max: Option<u64>,
    /// The highest Reader Contactless Transaction Limit among combinations, minor units;
    /// `None` when some combination has no limit. An amount at or above it can never be
    /// taken contactless (Book B 3.1.1.4).
    pub contactless_max: Option<u64>,
    /// Whether any combination accepts a zero amount (Book B 3.1.1.2).
    pub zero_allowed: bool,
}

impl Limits {
    /// Derives the limits from a terminal configuration.
    pub fn from_config(config: &emv_kernel::config::TerminalConfig) -> Limits {
        let mut contactless_max = Some(0u64);
        for c in &config.combinations {
            contactless_max = match (contactless_max, c.transaction_limit) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
        }
        if config.combinations.is_empty() {
            contactless_max = None;
        }
        Limits {
            min: 0,
            max: None,
            contactless_max,
            zero_allowed: config
                .combinations
                .iter()
                .any(|c| c.zero_amount != emv_kernel::config::ZeroAmount::NotAllowed),
        }
    }
}

/// Why an amount cannot be charged; the text is shown to the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Nothing typed.
    #[error("Enter an amount")]
    Empty,
    /// Not a number.
    #[error("{0:?} is not an amount")]
    NotANumber(String),
    /// More decimals than the currency has.
    #[error("{alpha} has {exponent} decimals: {typed} has too many")]
    TooManyDecimals {
        /// What was typed.
        typed: String,
        /// The currency code.
        alpha: String,
        /// The currency's exponent.
        exponent: u8,
    },
    /// Zero while no combination accepts a zero amount.
    #[error("A zero amount is not allowed")]
    ZeroNotAllowed,
    /// Below the terminal's minimum.
    #[error("Below the minimum of {limit}")]
    BelowMinimum {
        /// The minimum, formatted.
        limit: String,
    },
    /// Above the terminal's maximum.
    #[error("Over the limit: {limit} maximum")]
    OverMaximum {
        /// The maximum, formatted.
        limit: String,
    },
    /// At or above every contactless transaction limit.
    #[error("Over the contactless limit: below {limit} only")]
    OverLimit {
        /// The limit, formatted.
        limit: String,
    },
    /// Does not fit the 12 digits of Amount, Authorised.
    #[error("Too large: at most 12 digits")]
    TooLarge,
}

/// A valid amount, in both units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// Major units with the currency's scale.
    pub value: Decimal,
    /// Minor units for the kernel.
    pub minor: u64,
}

/// The keys of the amount keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeypadKey {
    /// A digit 0–9.
    Digit(u8),
    /// The decimal point.
    Point,
    /// Remove the last character.
    Backspace,
    /// Remove everything.
    Clear,
}

/// The amount as typed so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmountEntry {
    typed: String,
}

impl AmountEntry {
    /// The raw text typed.
    pub fn text(&self) -> &str {
        &self.typed
    }

    /// Applies one keypad key. Typing is not restricted beyond a length cap so that a bad
    /// amount is refused with a message rather than silently swallowed.
    pub fn press(&mut self, key: KeypadKey) {
        match key {
            KeypadKey::Digit(d) if d <= 9 => {
                if self.typed.len() < MAX_TYPED {
                    if self.typed == "0" {
                        self.typed.clear();
                    }
                    self.typed.push(char::from(b'0' + d));
                }
            }
            KeypadKey::Digit(_) => {}
            KeypadKey::Point => {
                if self.typed.len() < MAX_TYPED && !self.typed.contains('.') {
                    if self.typed.is_empty() {
                        self.typed.push('0');
                    }
                    self.typed.push('.');
                }
            }
            KeypadKey::Backspace => {
                self.typed.pop();
            }
            KeypadKey::Clear => self.typed.clear(),
        }
    }

    /// Replaces the typed text (command line `--amount`, tests).
    pub fn set(&mut self, text: &str) {
        self.typed = text.chars().take(MAX_TYPED).collect();
    }

    /// What the amount display shows while typing: the text padded to the currency's
    /// decimals ("12.3" → "EUR 12.30"), or "EUR 0.00" when empty.
    pub fn display(&self, currency: &Currency) -> String {
        match Decimal::from_str(self.typed.trim_end_matches('.')) {
            Ok(v) if v.scale() <= u32::from(currency.exponent) => currency.format(v),
            Ok(_) => format!("{} {}", currency.alpha, self.typed),
            Err(_) => currency.format(Decimal::ZERO),
        }
    }

    /// Checks the typed amount for the currency and limits.
    pub fn parse(&self, currency: &Currency, limits: &Limits) -> Result<Amount, AmountError> {
        parse_amount(&self.typed, currency, limits)
    }
}

/// Checks an amount text for the currency and limits.
pub fn parse_amount(
    text: &str,
    currency: &Currency,
    limits: &Limits,
) -> Result<Amount, AmountError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let value = Decimal::from_str(text).map_err(|_| AmountError::NotANumber(text.to_string()))?;
    if value.is_sign_negative() {
        return Err(AmountError::NotANumber(text.to_string()));
    }
    if value.scale() > u32::from(currency.exponent) {
        return Err(AmountError::TooManyDecimals {
            typed: text.to_string(),
            alpha: currency.alpha.clone(),
            exponent: currency.exponent,
        });
    }
    let scale = Decimal::from(10u64.pow(u32::from(currency.exponent)));
    let minor = value
        .checked_mul(scale)
        .and_then(|m| u64::try_from(m.trunc()).ok())
        .filter(|m| *m <= N12_MAX)
        .ok_or(AmountError::TooLarge)?;
    if minor == 0 && (!limits.zero_allowed || limits.min > 0) {
        return Err(AmountError::ZeroNotAllowed);
    }
    if minor < limits.min {
        return Err(AmountError::BelowMinimum {
            limit: currency.format_minor(i128::from(limits.min)),
        });
    }
    if let Some(max) = limits.max
        && minor > max
    {
        return Err(AmountError::OverMaximum {
            limit: currency.format_minor(i128::from(max)),
        });
    }
    if let Some(max) = limits.contactless_max
        && minor >= max
    {
        return Err(AmountError::OverLimit {
            limit: currency.format_minor(i128::from(max)),
        });
    }
    let mut value = value;
    value.rescale(u32::from(currency.exponent));
    Ok(Amount { value, minor })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::from_numeric(978).unwrap()
    }

    fn open() -> Limits {
        Limits {
            contactless_max: None,
            zero_allowed: true,
            ..Limits::default()
        }
    }

    #[test]
    fn looks_up_currencies() {
        assert_eq!(eur().alpha, "EUR");
        assert_eq!(eur().exponent, 2);
        assert_eq!(Currency::from_numeric(392).unwrap().exponent, 0);
        assert_eq!(Currency::from_numeric(48).unwrap().exponent, 3);
        assert!(Currency::from_numeric(1).is_none());
    }

    #[test]
    fn typing_builds_the_amount() {
        let mut e = AmountEntry::default();
        for k in [
            KeypadKey::Digit(0),
            KeypadKey::Digit(1),
            KeypadKey::Digit(2),
            KeypadKey::Point,
            KeypadKey::Point,
            KeypadKey::Digit(5),
        ] {
            e.press(k);
        }
        assert_eq!(e.text(), "12.5");
        assert_eq!(e.display(&eur()), "EUR 12.50");
        let a = e.parse(&eur(), &open()).unwrap();
        assert_eq!(a.minor, 1250);
        e.press(KeypadKey::Backspace);
        e.press(KeypadKey::Backspace);
        assert_eq!(e.text(), "12");
        e.press(KeypadKey::Clear);
        assert_eq!(e.display(&eur()), "EUR 0.00");
    }

    #[test]
    fn refuses_bad_amounts() {
        let c = eur();
        let limits = Limits {
            contactless_max: Some(5000),
            zero_allowed: false,
            ..Limits::default()
        };
        assert_eq!(parse_amount("", &c, &limits), Err(AmountError::Empty));
        assert_eq!(
            parse_amount("0.00", &c, &limits),
            Err(AmountError::ZeroNotAllowed)
        );
        assert!(matches!(
            parse_amount("1.234", &c, &limits),
            Err(AmountError::TooManyDecimals { .. })
        ));
        assert_eq!(
            parse_amount("50.00", &c, &limits),
            Err(AmountError::OverLimit {
                limit: "EUR 50.00".into()
            })
        );
        assert_eq!(
            parse_amount("10000000000", &c, &open()),
            Err(AmountError::TooLarge)
        );
        assert_eq!(parse_amount("49.99", &c, &limits).unwrap().minor, 4999);
        let shop = Limits {
            min: 100,
            max: Some(2000),
            contactless_max: None,
            zero_allowed: true,
        };
        assert_eq!(
            parse_amount("0.50", &c, &shop),
            Err(AmountError::BelowMinimum {
                limit: "EUR 1.00".into()
            })
        );
        assert_eq!(
            parse_amount("20.01", &c, &shop),
            Err(AmountError::OverMaximum {
                limit: "EUR 20.00".into()
            })
        );
        assert_eq!(
            parse_amount("0", &c, &shop),
            Err(AmountError::ZeroNotAllowed)
        );
        let yen = Currency::from_numeric(392).unwrap();
        assert!(parse_amount("1.5", &yen, &open()).is_err());
        assert_eq!(parse_amount("150", &yen, &open()).unwrap().minor, 150);
        assert_eq!(yen.format_minor(150), "JPY 150");
        assert_eq!(c.format_minor(-1250), "EUR -12.50");
    }

    #[test]
    fn typed_decimals_count_even_when_zero() {
        // A third typed decimal is a slip on a two-decimal currency, even "1.500".
        assert!(parse_amount("1.500", &eur(), &open()).is_err());
    }

    #[test]
    fn limits_come_from_combinations() {
        use emv_kernel::config::{Combination, TerminalConfig, ZeroAmount};
        let combo = |limit, zero| Combination {
            aid: vec![0xA0],
            kernel: emv_kernel::kernel::KernelId::Visa,
            ttq: None,
            transaction_limit: limit,
            floor_limit: None,
            cvm_required_limit: None,
            status_check: false,
            zero_amount: zero,
            tags: Default::default(),
        };
        let mut config = TerminalConfig {
            combinations: vec![
                combo(Some(100), ZeroAmount::NotAllowed),
                combo(Some(300), ZeroAmount::NotAllowed),
            ],
            ..TerminalConfig::default()
        };
        assert_eq!(
            Limits::from_config(&config),
            Limits {
                contactless_max: Some(300),
                zero_allowed: false,
                ..Limits::default()
            }
        );
        config.combinations.push(combo(None, ZeroAmount::Online));
        assert_eq!(
            Limits::from_config(&config),
            Limits {
                contactless_max: None,
                zero_allowed: true,
                ..Limits::default()
            }
        );
    }
}

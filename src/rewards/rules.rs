//! The rewards rules as data: `assets/rewards.toml` built in, a user file (`--rewards`) laid
//! over it key by key, as `terminal.toml` and `--config` work (DESIGN.md "Data before code").
//!
//! Every error names the file and the line (the `toml` crate's spans), so a cashier's
//! manager can fix the file; the terminal then runs without rewards and says so.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

/// The built-in rules.
pub const BUILTIN: &str = include_str!("../../assets/rewards.toml");

/// Why the rules could not be loaded: the file, the line when known, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{what}", line.map_or(String::new(), |l| format!("line {l}: ")))]
pub struct RulesError {
    /// The file at fault (`built-in rewards.toml` for the built-in one).
    pub file: String,
    /// The 1-based line, when the error has a place in the file.
    pub line: Option<usize>,
    /// What is wrong, naming the key.
    pub what: String,
}

/// When an offer becomes available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlock {
    /// On every Nth approved purchase, once each time.
    EveryVisits(u64),
    /// While the balance holds this many points; redeeming spends them.
    Points(u64),
}

/// One offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// Its unique name, as the cashier and the ledger call it.
    pub name: String,
    /// When it is available.
    pub unlock: Unlock,
    /// What it takes off a sale, in minor units of the rules' currency.
    pub discount_minor: u64,
}

/// The rules in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Whether the till keeps a ledger at all.
    pub enabled: bool,
    /// Points per whole currency unit.
    pub points_per_unit: Decimal,
    /// Points for a new member's first approved purchase.
    pub welcome_bonus: u64,
    /// The offers, in file order.
    pub offers: Vec<Offer>,
    /// The terminal secret's file, when the rules name one.
    pub secret_file: Option<PathBuf>,
    /// ISO 4217 numeric currency the amounts are in (the terminal's).
    pub currency: u16,
    /// Its minor unit digits.
    pub exponent: u8,
}

impl Rules {
    /// Points a sale of `amount_minor` (with `exponent` decimals) earns: whole units times
    /// points per unit, rounded down.
    pub fn points_for(&self, amount_minor: u64, exponent: u8) -> u64 {
        let amount = crate::transaction::major(amount_minor, exponent);
        u64::try_from((amount * self.points_per_unit).floor()).unwrap_or(0)
    }

    /// The offer called `name`.
    pub fn offer(&self, name: &str) -> Option<&Offer> {
        self.offers.iter().find(|o| o.name == name)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    enabled: Option<bool>,
    points_per_unit: Option<Spanned<String>>,
    welcome_bonus: Option<Spanned<i64>>,
    secret_file: Option<PathBuf>,
    #[serde(rename = "offer")]
    offers: Option<Vec<Spanned<OfferFile>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferFile {
    name: Spanned<String>,
    every_visits: Option<Spanned<i64>>,
    points: Option<Spanned<i64>>,
    discount: Spanned<String>,
}

/// A rules file's text and name, to turn spans into lines.
struct Source<'a> {
    file: String,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, span: Option<Range<usize>>, what: impl Into<String>) -> RulesError {
        RulesError {
            file: self.file.clone(),
            line: span.map(|s| line_of(self.text, s.start)),
            what: what.into(),
        }
    }

    fn parse(&self) -> Result<RulesFile, RulesError> {
        toml::from_str(self.text).map_err(|e| self.error(e.span(), e.message().trim()))
    }
}

/// The 1-based line holding byte `at`.
fn line_of(text: &str, at: usize) -> usize {
    text.get(..at).map_or(1, |t| t.matches('\n').count() + 1)
}

/// Loads the built-in rules, overlaid by `user` when given, for a terminal whose currency is
/// `currency` with `exponent` decimals.
pub fn load(user: Option<&Path>, currency: u16, exponent: u8) -> Result<Rules, RulesError> {
    let builtin = Source {
        file: "built-in rewards.toml".into(),
        text: BUILTIN,
    };
    let base = builtin.parse()?;
    let Some(path) = user else {
        return resolve(vec![(&builtin, base)], currency, exponent);
    };
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| RulesError {
        file: file.clone(),
        line: None,
        what: e.to_string(),
    })?;
    let over = Source { file, text: &text };
    let parsed = over.parse()?;
    resolve(vec![(&builtin, base), (&over, parsed)], currency, exponent)
}

/// The rules from files laid one over the other (later ones win, key by key), each value
/// checked against the file it came from.
fn resolve(
    layers: Vec<(&Source<'_>, RulesFile)>,
    currency: u16,
    exponent: u8,
) -> Result<Rules, RulesError> {
    let mut rules = Rules {
        enabled: true,
        points_per_unit: Decimal::ZERO,
        welcome_bonus: 0,
        offers: Vec::new(),
        secret_file: None,
        currency,
        exponent,
    };
    // Offers come whole from the last file that lists them; only those are checked.
    let offers_from = layers.iter().rposition(|(_, f)| f.offers.is_some());
    for (layer, (source, file)) in layers.into_iter().enumerate() {
        if let Some(enabled) = file.enabled {
            rules.enabled = enabled;
        }
        if let Some(rate) = file.points_per_unit {
            rules.points_per_unit = rate
                .get_ref()
                .parse::<Decimal>()
                .ok()
                .filter(|r| !r.is_sign_negative())
                .ok_or_else(|| {
                    source.error(
                        Some(rate.span()),
                        format!(
                            "points_per_unit: {:?} is not a decimal number of 0 or more",
                            rate.get_ref()
                        ),
                    )
                })?;
        }
        if let Some(bonus) = file.welcome_bonus {
            rules.welcome_bonus = u64::try_from(*bonus.get_ref()).map_err(|_| {
                source.error(Some(bonus.span()), "welcome_bonus: must be 0 or more")
            })?;
        }
        if let Some(secret) = file.secret_file {
            rules.secret_file = Some(secret);
        }
        if let Some(offers) = file.offers.filter(|_| offers_from == Some(layer)) {
            rules.offers = offers
                .iter()
                .map(|o| offer(source, o.get_ref(), o.span(), exponent))
                .collect::<Result<_, _>>()?;
            let mut names = BTreeSet::new();
            if let Some(twice) = offers
                .iter()
                .find(|o| !names.insert(o.get_ref().name.get_ref()))
            {
                return Err(source.error(
                    Some(twice.get_ref().name.span()),
                    format!(
                        "offer name {:?} is used twice",
                        twice.get_ref().name.get_ref()
                    ),
                ));
            }
        }
    }
    Ok(rules)
}

fn offer(
    source: &Source<'_>,
    o: &OfferFile,
    span: Range<usize>,
    exponent: u8,
) -> Result<Offer, RulesError> {
    let name = o.name.get_ref().trim();
    if name.is_empty() || name.len() > 40 || crate::masking::contains_pan_like(name) {
        return Err(source.error(
            Some(o.name.span()),
            "offer name: 1 to 40 characters, and no card-number-like digits",
        ));
    }
    let count = |n: &Spanned<i64>, key: &str| {
        u64::try_from(*n.get_ref())
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| source.error(Some(n.span()), format!("{key}: must be 1 or more")))
    };
    let unlock = match (&o.every_visits, &o.points) {
        (Some(n), None) => Unlock::EveryVisits(count(n, "every_visits")?),
        (None, Some(n)) => Unlock::Points(count(n, "points")?),
        _ => {
            return Err(source.error(
                Some(span),
                format!("offer {name:?}: give exactly one of every_visits and points"),
            ));
        }
    };
    let discount_minor = emv_kernel::vector::minor_units(o.discount.get_ref(), exponent)
        .ok()
        .filter(|d| *d > 0)
        .ok_or_else(|| {
            source.error(
                Some(o.discount.span()),
                format!(
                    "discount: {:?} is not a positive amount with at most {exponent} decimals",
                    o.discount.get_ref()
                ),
            )
        })?;
    Ok(Offer {
        name: name.to_string(),
        unlock,
        discount_minor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rewards.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn the_builtin_rules_load() {
        let rules = load(None, 978, 2).unwrap();
        assert!(rules.enabled);
        assert_eq!(rules.points_per_unit, Decimal::ONE);
        assert_eq!(rules.welcome_bonus, 10);
        assert_eq!(
            rules.offers,
            vec![
                Offer {
                    name: "5th visit".into(),
                    unlock: Unlock::EveryVisits(5),
                    discount_minor: 200,
                },
                Offer {
                    name: "100 points".into(),
                    unlock: Unlock::Points(100),
                    discount_minor: 200,
                },
            ]
        );
        assert_eq!(rules.secret_file, None);
    }

    #[test]
    fn points_respect_the_currency_exponent_and_round_down() {
        let mut rules = load(None, 978, 2).unwrap();
        assert_eq!(rules.points_for(1234, 2), 12, "EUR 12.34");
        assert_eq!(rules.points_for(99, 2), 0, "EUR 0.99");
        assert_eq!(rules.points_for(1234, 0), 1234, "JPY 1234");
        assert_eq!(rules.points_for(12345, 3), 12, "KWD 12.345");
        rules.points_per_unit = Decimal::new(5, 1);
        assert_eq!(rules.points_for(1234, 2), 6, "half a point per euro");
    }

    #[test]
    fn a_user_file_overlays_key_by_key_and_its_offers_replace_the_list() {
        let (_dir, path) = user(
            "points_per_unit = \"2\"\n[[offer]]\nname = \"coffee\"\nevery_visits = 3\n\
             discount = \"150\"\n",
        );
        let rules = load(Some(&path), 392, 0).unwrap();
        assert_eq!(rules.points_per_unit, Decimal::TWO);
        assert_eq!(rules.welcome_bonus, 10, "kept from the built-in file");
        assert_eq!(rules.offers.len(), 1);
        assert_eq!(rules.offers[0].discount_minor, 150, "JPY has no decimals");
        assert_eq!(
            rules.offer("coffee").unwrap().unlock,
            Unlock::EveryVisits(3)
        );
    }

    #[test]
    fn bad_files_name_the_line() {
        for (text, line, words) in [
            (
                "enabled = true\npoints_per_unit = \"lots\"\n",
                2,
                "points_per_unit",
            ),
            ("welcome_bonus = -5\n", 1, "welcome_bonus"),
            ("welcome_bonus = \"ten\"\n", 1, "invalid type"),
            ("points_per_unit = \"1\"\n\n[offer\n", 3, ""),
            ("colour = \"blue\"\n", 1, "colour"),
            (
                "[[offer]]\nname = \"a\"\nevery_visits = 5\ndiscount = \"2.001\"\n",
                4,
                "at most 2 decimals",
            ),
            (
                "[[offer]]\nname = \"a\"\nevery_visits = 5\npoints = 3\ndiscount = \"2\"\n",
                1,
                "exactly one",
            ),
            (
                "[[offer]]\nname = \"a\"\nevery_visits = 0\ndiscount = \"2\"\n",
                3,
                "every_visits",
            ),
            (
                "[[offer]]\nname = \"a\"\npoints = 5\ndiscount = \"2\"\n\
                 [[offer]]\nname = \"a\"\npoints = 6\ndiscount = \"2\"\n",
                6,
                "used twice",
            ),
        ] {
            let (_dir, path) = user(text);
            let e = load(Some(&path), 978, 2).unwrap_err();
            assert_eq!(e.line, Some(line), "{text:?}: {e}");
            assert!(e.to_string().contains(&format!("line {line}: ")), "{e}");
            assert!(e.to_string().contains(words), "{text:?}: {e}");
            assert!(e.file.ends_with("rewards.toml"));
        }
    }

    #[test]
    fn a_missing_file_is_an_error_without_a_line() {
        let e = load(Some(Path::new("/nonexistent/rewards.toml")), 978, 2).unwrap_err();
        assert_eq!(e.line, None);
        assert!(e.to_string().starts_with("/nonexistent/rewards.toml: "));
    }
}

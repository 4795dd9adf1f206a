//! Configurable approve/decline rules of the host simulator (`assets/host/rules.toml`).
//!
//! A real issuer decides on balance, velocity and risk; the simulator decides on rules a
//! tester can trigger from the amount keypad (an amount ending in .51 declines with 51,
//! "insufficient funds") or by card (deny lists by Payment Account Reference, tag 9F24, or by
//! PAN/token prefix). Response codes are ISO 8583 field 39 values.

use rust_decimal::Decimal;
use serde::Deserialize;

/// A rule that declines amounts ending in some digits.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountEnding {
    /// Trailing digits of the amount in minor units (`"51"` matches 12.51).
    pub ending: String,
    /// ISO 8583 response code to answer.
    pub response: String,
    /// Reason text for logs and the terminal.
    pub reason: String,
}

/// Deny lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenyLists {
    /// Payment Account References (tag 9F24, as text) to decline.
    #[serde(default)]
    pub par: Vec<String>,
    /// Leading PAN / token digits to decline.
    #[serde(default)]
    pub pan_prefix: Vec<String>,
}

/// The rule set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Largest approved amount in major units; `None` for no limit.
    #[serde(default)]
    pub max_amount: Option<Decimal>,
    /// Amount-ending rules, first match wins.
    #[serde(default)]
    pub amount_ending: Vec<AmountEnding>,
    /// Deny lists.
    #[serde(default)]
    pub deny: DenyLists,
}

/// What the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct RuleInput<'a> {
    /// The amount in major units.
    pub amount: Decimal,
    /// The amount in minor units.
    pub minor_units: u64,
    /// The full PAN (or token) digits; compared, never stored.
    pub pan: &'a str,
    /// The Payment Account Reference, if the card sent one.
    pub par: Option<&'a str>,
    /// Whether the transaction is a refund (amount rules do not apply to refunds).
    pub refund: bool,
}

/// A decline decided by a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decline {
    /// ISO 8583 response code.
    pub response_code: String,
    /// Why, in words.
    pub reason: String,
}

/// A rules file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("host rules: {0}")]
pub struct RulesError(pub String);

impl Rules {
    /// Parses a rules file's text.
    pub fn from_toml(text: &str) -> Result<Rules, RulesError> {
        let rules: Rules = toml::from_str(text).map_err(|e| RulesError(e.to_string()))?;
        for rule in &rules.amount_ending {
            if rule.ending.is_empty() || !rule.ending.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RulesError(format!(
                    "amount_ending {:?} must be digits",
                    rule.ending
                )));
            }
            if rule.response.len() != 2 {
                return Err(RulesError(format!(
                    "response {:?} must be a 2-character ISO 8583 code",
                    rule.response
                )));
            }
        }
        Ok(rules)
    }

    /// The first rule that declines, or `None` to approve. Deny lists apply to every
    /// transaction; amount rules (limit, endings) to purchases only.
    pub fn decide(&self, input: &RuleInput<'_>) -> Option<Decline> {
        if let Some(par) = input.par
            && self.deny.par.iter().any(|p| p.trim() == par.trim())
        {
            return Some(decline("62", "restricted card (PAR on the deny list)"));
        }
        if self
            .deny
            .pan_prefix
            .iter()
            .any(|p| !p.is_empty() && input.pan.starts_with(p.as_str()))
        {
            return Some(decline(
                "62",
                "restricted card (PAN/token on the deny list)",
            ));
        }
        if input.refund {
            return None;
        }
        if let Some(max) = self.max_amount
            && input.amount > max
        {
            return Some(decline(
                "61",
                &format!("exceeds amount limit ({} > {max})", input.amount),
            ));
        }
        // 0.05 is 5 minor units: pad so that it ends in "05".
        self.amount_ending
            .iter()
            .find(|r| {
                format!("{:0>w$}", input.minor_units, w = r.ending.len()).ends_with(&r.ending)
            })
            .map(|r| decline(&r.response, &r.reason))
    }
}

fn decline(code: &str, reason: &str) -> Decline {
    Decline {
        response_code: code.into(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn shipped() -> Rules {
        Rules::from_toml(include_str!("../../assets/host/rules.toml")).unwrap()
    }

    fn input(amount: &str, pan: &'static str, par: Option<&'static str>) -> RuleInput<'static> {
        let amount = Decimal::from_str(amount).unwrap();
        RuleInput {
            amount,
            minor_units: u64::try_from(amount * Decimal::from(100)).unwrap(),
            pan,
            par,
            refund: false,
        }
    }

    #[test]
    fn shipped_rules_decide() {
        let rules = shipped();
        assert_eq!(
            rules.decide(&input("12.50", "4761739001010119", None)),
            None
        );
        let d = rules
            .decide(&input("12.51", "4761739001010119", None))
            .unwrap();
        assert_eq!(d.response_code, "51");
        assert_eq!(
            rules
                .decide(&input("0.05", "4761739001010119", None))
                .unwrap()
                .response_code,
            "05"
        );
        assert_eq!(
            rules
                .decide(&input("5000.01", "4761739001010119", None))
                .unwrap()
                .response_code,
            "61"
        );
        assert_eq!(
            rules.decide(&input("5000.00", "4761739001010119", None)),
            None
        );
        let par = Some("DENYPAR0000000000000000000001");
        assert_eq!(
            rules
                .decide(&input("1.00", "4761739001010119", par))
                .unwrap()
                .response_code,
            "62"
        );
        assert_eq!(
            rules
                .decide(&input("1.00", "4000001234567899", None))
                .unwrap()
                .response_code,
            "62"
        );
        let mut refund = input("12.51", "4761739001010119", None);
        refund.refund = true;
        assert_eq!(rules.decide(&refund), None);
    }

    #[test]
    fn bad_rules_files_are_errors() {
        assert!(Rules::from_toml("max_amount = \"x\"").is_err());
        assert!(
            Rules::from_toml(
                "[[amount_ending]]\nending = \"5a\"\nresponse = \"05\"\nreason = \"r\""
            )
            .is_err()
        );
        assert!(
            Rules::from_toml(
                "[[amount_ending]]\nending = \"5\"\nresponse = \"005\"\nreason = \"r\""
            )
            .is_err()
        );
        assert!(Rules::from_toml("surprise = 1").is_err());
        assert_eq!(Rules::from_toml("").unwrap(), Rules::default());
    }
}

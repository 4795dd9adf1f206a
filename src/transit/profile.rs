//! The transit profile: the `[transit]` table of the terminal configuration (issue 13).
//!
//! A gate runs the same kernels as the till with other data: a transit merchant category
//! (9F15), an unattended terminal type (9F35 `25`, Book 4 Annex A1), a zero or nominal
//! amount at the gate, reader combinations whose settings ask the card to sign the tap
//! (Visa TTQ byte 1 b1 "offline data authentication for online authorisations", C-3 Annex A
//! 9F66; Mastercard CDA, C-2 DF811F) and require no CVM, and the fare model (a flat fare and
//! a daily cap). All of it is data in the table; this module only checks and converts it.

use emv_kernel::config::{Combination, TagMap, TerminalConfig};
use emv_kernel::tlv::Tag;
use emv_kernel::vector::{self, Hex, HexTag, VectorCombination};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Merchant category codes of passenger transport (ISO 18245; the Visa and Mastercard MCC
/// lists): 4111 local and suburban commuter transport including ferries, 4112 passenger
/// railways, 4131 bus lines, 4784 tolls and bridge fees, 4789 transportation services not
/// elsewhere classified.
pub const TRANSIT_MCCS: [&str; 5] = ["4111", "4112", "4131", "4784", "4789"];

/// Merchant Category Code (Book 3 Annex A: 9F15, n4).
pub const MCC: Tag = Tag::new(0x9F15);

/// The `[transit]` table as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitFile {
    /// Merchant category code, one of [`TRANSIT_MCCS`].
    pub mcc: String,
    /// Flat fare per ride, major units of `app.currency`.
    pub fare: String,
    /// Most charged per account and day; absent: no cap.
    #[serde(default)]
    pub daily_cap: Option<String>,
    /// Amount, Authorised at the gate (zero or nominal), major units.
    pub gate_amount: String,
    /// The ECP frame the reader's polling loop carries (hex, without CRC); absent: none.
    #[serde(default)]
    pub ecp_frame: Option<Hex>,
    /// Milliseconds between the sender's attempts while the host is down.
    #[serde(default = "default_retry_ms")]
    pub retry_ms: u64,
    /// Terminal data objects laid over `[terminal]` at the gate.
    #[serde(default)]
    pub terminal: BTreeMap<HexTag, Hex>,
    /// The gate's reader combinations, in place of the till's.
    #[serde(rename = "combination")]
    pub combinations: Vec<VectorCombination>,
}

fn default_retry_ms() -> u64 {
    1000
}

/// The checked transit profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitProfile {
    /// Merchant category code, as text (`4111`).
    pub mcc: String,
    /// Fare per ride in minor units.
    pub fare: u64,
    /// Daily cap per account in minor units.
    pub daily_cap: Option<u64>,
    /// Amount, Authorised at the gate in minor units.
    pub gate_amount: u64,
    /// The ECP frame without CRC, when the reader sends one.
    pub ecp_frame: Option<Vec<u8>>,
    /// Milliseconds between the sender's attempts.
    pub retry_ms: u64,
    /// Terminal data objects laid over the till's.
    pub terminal: TagMap,
    /// The gate's combinations.
    pub combinations: Vec<Combination>,
}

impl TransitProfile {
    /// Checks the table; errors name the field.
    pub fn from_file(file: &TransitFile, exponent: u8) -> Result<TransitProfile, String> {
        if !TRANSIT_MCCS.contains(&file.mcc.as_str()) {
            return Err(format!(
                "transit.mcc: {:?} is not a transit merchant category ({})",
                file.mcc,
                TRANSIT_MCCS.join(", ")
            ));
        }
        let amount = |field: &str, text: &str| {
            vector::minor_units(text, exponent).map_err(|e| format!("transit.{field}: {e}"))
        };
        let fare = amount("fare", &file.fare)?;
        let daily_cap = file
            .daily_cap
            .as_deref()
            .map(|c| amount("daily_cap", c))
            .transpose()?;
        if daily_cap.is_some_and(|cap| cap < fare) {
            return Err("transit.daily_cap: below one fare".into());
        }
        let gate_amount = amount("gate_amount", &file.gate_amount)?;
        if file.retry_ms == 0 {
            return Err("transit.retry_ms: must be at least 1".into());
        }
        let combinations = file
            .combinations
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.to_combination(exponent)
                    .map_err(|e| format!("transit.combination[{i}]: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if combinations.is_empty() {
            return Err("transit.combination: the gate needs at least one".into());
        }
        let mut terminal: TagMap = file
            .terminal
            .iter()
            .map(|(t, v)| (t.0, v.0.clone()))
            .collect();
        let mcc_bcd = hex::decode(&file.mcc).map_err(|e| format!("transit.mcc: {e}"))?;
        terminal.insert(MCC, mcc_bcd);
        Ok(TransitProfile {
            mcc: file.mcc.clone(),
            fare,
            daily_cap,
            gate_amount,
            ecp_frame: file.ecp_frame.as_ref().map(|h| h.0.clone()),
            retry_ms: file.retry_ms,
            terminal,
            combinations,
        })
    }

    /// The kernel's configuration at the gate: the till's terminal data with the transit
    /// objects laid over it, the gate's combinations, the same CA keys.
    pub fn kernel_config(&self, till: &TerminalConfig) -> TerminalConfig {
        let mut terminal = till.terminal.clone();
        terminal.extend(self.terminal.iter().map(|(t, v)| (*t, v.clone())));
        TerminalConfig {
            terminal,
            combinations: self.combinations.clone(),
            capks: till.capks.clone(),
            revoked: till.revoked.clone(),
        }
    }

    /// What one account pays for `rides` rides in a day: the fares, up to the cap.
    pub fn day_charge(&self, rides: u64) -> u64 {
        let fares = self.fare.saturating_mul(rides);
        self.daily_cap.map_or(fares, |cap| fares.min(cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(extra: &str) -> TransitFile {
        toml::from_str(&format!(
            "mcc = \"4111\"\nfare = \"2.80\"\ngate_amount = \"0.00\"\n{extra}\n\
             [[combination]]\naid = \"A0000000031010\"\nkernel = 3\nttq = \"21004000\"\n"
        ))
        .unwrap()
    }

    #[test]
    fn the_cap_bounds_a_days_fares() {
        let p = TransitProfile::from_file(&file("daily_cap = \"8.10\""), 2).unwrap();
        assert_eq!((p.fare, p.daily_cap), (280, Some(810)));
        assert_eq!(p.day_charge(1), 280);
        assert_eq!(p.day_charge(2), 560);
        assert_eq!(p.day_charge(3), 810, "3 × 2.80 = 8.40 is over the cap");
        assert_eq!(p.day_charge(10), 810);
        let uncapped = TransitProfile::from_file(&file(""), 2).unwrap();
        assert_eq!(uncapped.day_charge(10), 2800);
    }

    #[test]
    fn the_mcc_must_be_a_transit_one_and_goes_into_9f15() {
        let p = TransitProfile::from_file(&file(""), 2).unwrap();
        assert_eq!(p.terminal.get(&MCC), Some(&vec![0x41, 0x11]));
        let mut grocer = file("");
        grocer.mcc = "5411".into();
        let err = TransitProfile::from_file(&grocer, 2).unwrap_err();
        assert!(err.contains("transit.mcc"), "{err}");
    }

    #[test]
    fn bad_values_name_the_field() {
        let err = TransitProfile::from_file(&file("daily_cap = \"1.00\""), 2).unwrap_err();
        assert!(err.contains("daily_cap"), "{err}");
        let mut f = file("");
        f.fare = "abc".into();
        assert!(
            TransitProfile::from_file(&f, 2)
                .unwrap_err()
                .contains("transit.fare")
        );
    }

    #[test]
    fn the_gate_config_lays_transit_data_over_the_tills() {
        let p = TransitProfile::from_file(&file("terminal = { \"9F35\" = \"25\" }"), 2).unwrap();
        let mut till = TerminalConfig::default();
        till.terminal.insert(Tag::new(0x9F35), vec![0x22]);
        till.terminal.insert(Tag::new(0x9F1A), vec![0x02, 0x50]);
        let gate = p.kernel_config(&till);
        assert_eq!(gate.terminal.get(&Tag::new(0x9F35)), Some(&vec![0x25]));
        assert_eq!(
            gate.terminal.get(&Tag::new(0x9F1A)),
            Some(&vec![0x02, 0x50])
        );
        assert_eq!(gate.terminal.get(&MCC), Some(&vec![0x41, 0x11]));
        assert_eq!(gate.combinations.len(), 1);
    }
}

//! Issuer master keys known to the host simulator (`assets/host/issuers.toml`).
//!
//! Only test keys live here: the virtual wallets are personalised from the same file's
//! keys, so their cryptograms verify; every other card is "unknown issuer keys". The file
//! format is documented at the top of the shipped file.

use serde::Deserialize;

use super::crypto::Cvn;

/// One issuer key and the PANs it serves.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerEntry {
    /// Free text for logs.
    pub name: String,
    /// Exact PAN served.
    #[serde(default)]
    pub pan: Option<String>,
    /// Leading PAN digits served.
    #[serde(default)]
    pub pan_prefix: Option<String>,
    /// Issuer master key for AC, 32 hex digits.
    #[serde(deserialize_with = "key_from_hex")]
    pub imk_ac: [u8; 16],
    /// CVN override; read from 9F10 when absent.
    #[serde(default)]
    pub cvn: Option<Cvn>,
}

impl std::fmt::Debug for IssuerEntry {
    /// Keys and exact PANs stay out of debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerEntry")
            .field("name", &self.name)
            .field("pan_prefix", &self.pan_prefix)
            .field("cvn", &self.cvn)
            .finish_non_exhaustive()
    }
}

fn key_from_hex<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[u8; 16], D::Error> {
    let text = String::deserialize(d)?;
    let bytes = hex::decode(text.trim()).map_err(serde::de::Error::custom)?;
    bytes
        .try_into()
        .map_err(|_| serde::de::Error::custom("imk_ac must be 16 bytes (32 hex digits)"))
}

/// The key table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerKeys {
    /// Entries in file order.
    #[serde(default)]
    pub issuer: Vec<IssuerEntry>,
}

/// An issuer key file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("issuer keys: {0}")]
pub struct IssuerKeysError(pub String);

impl IssuerKeys {
    /// Parses an issuer key file's text; every entry needs exactly one of `pan` and
    /// `pan_prefix`, made of digits.
    pub fn from_toml(text: &str) -> Result<IssuerKeys, IssuerKeysError> {
        let keys: IssuerKeys = toml::from_str(text).map_err(|e| IssuerKeysError(e.to_string()))?;
        for entry in &keys.issuer {
            let digits = match (&entry.pan, &entry.pan_prefix) {
                (Some(d), None) | (None, Some(d)) => d,
                _ => {
                    return Err(IssuerKeysError(format!(
                        "{}: give exactly one of pan and pan_prefix",
                        entry.name
                    )));
                }
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(IssuerKeysError(format!(
                    "{}: PAN / prefix must be digits",
                    entry.name
                )));
            }
        }
        Ok(keys)
    }

    /// The entry for `pan`: an exact match first, else the longest matching prefix.
    pub fn find(&self, pan: &str) -> Option<&IssuerEntry> {
        self.issuer
            .iter()
            .find(|e| e.pan.as_deref() == Some(pan))
            .or_else(|| {
                self.issuer
                    .iter()
                    .filter(|e| e.pan_prefix.as_deref().is_some_and(|p| pan.starts_with(p)))
                    .max_by_key(|e| e.pan_prefix.as_ref().map_or(0, String::len))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_has_the_test_bins() {
        let keys = IssuerKeys::from_toml(include_str!("../../assets/host/issuers.toml")).unwrap();
        let visa = keys.find("4761739001010119").unwrap();
        assert_eq!(
            hex::encode_upper(visa.imk_ac),
            "0123456789ABCDEFFEDCBA9876543210"
        );
        assert!(
            keys.find("5413330089020011")
                .unwrap()
                .name
                .contains("Mastercard")
        );
        assert!(keys.find("4111111111111111").is_none());
    }

    #[test]
    fn exact_pan_beats_longer_prefix() {
        let keys = IssuerKeys::from_toml(
            r#"
            [[issuer]]
            name = "bin"
            pan_prefix = "476173"
            imk_ac = "0123456789ABCDEFFEDCBA9876543210"
            [[issuer]]
            name = "longer"
            pan_prefix = "47617390"
            imk_ac = "00000000000000000000000000000000"
            cvn = "Visa10"
            [[issuer]]
            name = "exact"
            pan = "4761739001010119"
            imk_ac = "11111111111111111111111111111111"
            "#,
        )
        .unwrap();
        assert_eq!(keys.find("4761739001010119").unwrap().name, "exact");
        assert_eq!(keys.find("4761739001010127").unwrap().name, "longer");
        assert_eq!(keys.find("4761731234567890").unwrap().name, "bin");
        assert_eq!(
            keys.find("4761739001010127").unwrap().cvn,
            Some(Cvn::Visa10)
        );
        assert!(!format!("{:?}", keys).contains("1111111111"));
    }

    #[test]
    fn bad_files_are_errors() {
        let bad = [
            "[[issuer]]\nname = \"x\"\nimk_ac = \"0123456789ABCDEFFEDCBA9876543210\"",
            "[[issuer]]\nname = \"x\"\npan_prefix = \"47\"\nimk_ac = \"0123\"",
            "[[issuer]]\nname = \"x\"\npan_prefix = \"4x\"\nimk_ac = \"0123456789ABCDEFFEDCBA9876543210\"",
            "[[issuer]]\nname = \"x\"\npan = \"47\"\npan_prefix = \"47\"\nimk_ac = \"0123456789ABCDEFFEDCBA9876543210\"",
            "[[issuer]]\nname = \"x\"\npan_prefix = \"47\"\nimk_ac = \"0123456789ABCDEFFEDCBA9876543210\"\ncvn = \"Amex\"",
        ];
        for text in bad {
            assert!(IssuerKeys::from_toml(text).is_err(), "{text}");
        }
    }
}

//! The virtual wallets and cards tapterm can play, and the account data behind each one.
//!
//! Phones follow the wallet behaviour of brief section G (tokenised DPAN with PAR 9F24,
//! Token Requestor ID 9F19, FPAN last four 9F25, Form Factor Indicator "phone", CDCVM on the
//! device, a second tap after the user unlocks). Cards are plain plastic. The faulty profiles
//! exist for tests of the terminal's error handling.

/// Payment scheme of a profile: decides the kernel (C-3 Visa qVSDC, C-2 Mastercard M/Chip,
/// C-7 UnionPay qUICS, C-4 American Express ExpressPay).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Visa, Kernel 3 (qVSDC with fDDA).
    Visa,
    /// Mastercard, Kernel 2 (M/Chip with CDA).
    Mastercard,
    /// UnionPay, Kernel 7 (qUICS: qVSDC-style GPO with fDDA).
    UnionPay,
    /// American Express, Kernel 4 (ExpressPay: GPO, records, one GENERATE AC with CDA).
    Amex,
}

/// A deliberate misbehaviour of a faulty profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The fDDA / CDA signature (9F4B) is corrupted.
    BadSignature,
    /// The card leaves the field at the second READ RECORD of its first tap.
    LeavesField,
    /// The GPO response has a length running past its end.
    MalformedTlv,
    /// The PPSE lists only an AID no terminal knows.
    NoMatchingAid,
}

/// A virtual card or phone (`tapterm phone --profile NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Tokenised Visa in a phone wallet: qVSDC online with fDDA, CDCVM.
    VisaPhone,
    /// Tokenised Mastercard in a phone wallet: M/Chip with CDA and on-device CVM.
    MastercardPhone,
    /// The visa-phone's account in a second wallet (a watch): its own device token, the
    /// same Payment Account Reference (issue 13: a deny list keyed by PAR stops both).
    VisaWatch,
    /// Visa plastic card: fDDA, signature or no CVM by amount.
    VisaCard,
    /// Mastercard plastic card: M/Chip with CDA, TC offline when the terminal asks for it.
    MastercardCard,
    /// Tokenised UnionPay in a phone wallet (Mi Pay style): qUICS online with fDDA, CDCVM.
    UnionPayPhone,
    /// UnionPay plastic card: qUICS, fDDA, e-cash balance.
    UnionPayCard,
    /// Tokenised American Express in a phone wallet: ExpressPay with CDA, Mobile CVM.
    AmexPhone,
    /// American Express plastic card: ExpressPay with CDA.
    AmexCard,
    /// Visa plastic issued before PARs: no 9F24, so rewards key it by a hash of its PAN.
    VisaCardNoPar,
    /// Visa plastic whose fDDA signature is corrupted.
    VisaBadSignature,
    /// Visa plastic that leaves the field in the middle of READ RECORD (first tap only).
    LeavesField,
    /// Visa plastic whose GPO response has a TLV length past its end.
    MalformedTlv,
    /// A card whose PPSE lists only an unknown AID.
    NoMatchingAid,
}

/// The account a profile is personalised with. TEST DATA: made-up, Luhn-valid numbers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Account {
    /// PAN digits (a DPAN for phones).
    pub pan: &'static str,
    /// PAN sequence number (5F34).
    pub psn: u8,
    /// Application expiration date YYMMDD (5F24).
    pub expiry: [u8; 3],
    /// Name of the ICC key pair in `assets/test-keys/keys.toml`.
    pub icc_key: &'static str,
    /// Last four digits of the funding PAN (9F25), phones only.
    pub fpan_last4: Option<[u8; 2]>,
    /// Whether the account has a Payment Account Reference (9F24, the application's): one
    /// value for the account and all its tokens, so a phone and the plastic of one account
    /// share it (EMVCo PAR).
    pub par: bool,
}

impl std::fmt::Debug for Account {
    /// Debug output shows the PAN masked, like every other output (DESIGN: card data).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("pan", &crate::masking::mask_pan(self.pan))
            .field("psn", &self.psn)
            .finish_non_exhaustive()
    }
}

impl Profile {
    /// Every profile, in the order `--help` lists them.
    pub const ALL: [Profile; 14] = [
        Profile::VisaPhone,
        Profile::MastercardPhone,
        Profile::VisaCard,
        Profile::MastercardCard,
        Profile::UnionPayPhone,
        Profile::UnionPayCard,
        Profile::AmexPhone,
        Profile::AmexCard,
        Profile::VisaCardNoPar,
        Profile::VisaBadSignature,
        Profile::LeavesField,
        Profile::MalformedTlv,
        Profile::NoMatchingAid,
        Profile::VisaWatch,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::VisaPhone => "visa-phone",
            Profile::MastercardPhone => "mastercard-phone",
            Profile::VisaWatch => "visa-watch",
            Profile::VisaCard => "visa-card",
            Profile::MastercardCard => "mastercard-card",
            Profile::UnionPayPhone => "unionpay-phone",
            Profile::UnionPayCard => "unionpay-card",
            Profile::AmexPhone => "amex-phone",
            Profile::AmexCard => "amex-card",
            Profile::VisaCardNoPar => "visa-card-no-par",
            Profile::VisaBadSignature => "visa-bad-signature",
            Profile::LeavesField => "leaves-field",
            Profile::MalformedTlv => "malformed-tlv",
            Profile::NoMatchingAid => "no-matching-aid",
        }
    }

    /// Looks a profile up by its command-line name.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// One line on what the profile does.
    pub fn description(self) -> &'static str {
        match self {
            Profile::VisaPhone => {
                "tokenised Visa phone: qVSDC online, fDDA, CDCVM (--locked: 6986 first)"
            }
            Profile::MastercardPhone => {
                "tokenised Mastercard phone: M/Chip, CDA, on-device CVM (--locked: AAC + DF4B first)"
            }
            Profile::VisaWatch => "visa-phone's account on a watch: another token, the same PAR",
            Profile::VisaCard => "Visa plastic: qVSDC, fDDA, signature or no CVM by amount",
            Profile::MastercardCard => "Mastercard plastic: M/Chip, CDA, TC offline when asked",
            Profile::UnionPayPhone => {
                "tokenised UnionPay phone (Mi Pay style): qUICS online, fDDA, CDCVM by fingerprint (--locked: 6986 first)"
            }
            Profile::UnionPayCard => "UnionPay plastic: qUICS, fDDA, e-cash balance 123.45",
            Profile::AmexPhone => {
                "tokenised American Express phone: ExpressPay, CDA, Mobile CVM 9F71 (--locked: AAC first)"
            }
            Profile::AmexCard => {
                "American Express plastic: ExpressPay, CDA, signature above the CVM limit"
            }
            Profile::VisaCardNoPar => "Visa plastic without a PAR (9F24), another account",
            Profile::VisaBadSignature => "Visa plastic with a corrupted fDDA signature",
            Profile::LeavesField => {
                "Visa plastic that leaves the field mid READ RECORD (first tap)"
            }
            Profile::MalformedTlv => "Visa plastic whose GPO answer runs past its end",
            Profile::NoMatchingAid => "card whose PPSE lists only an unknown AID",
        }
    }

    /// The scheme (and so the kernel) the profile answers as.
    pub fn scheme(self) -> Scheme {
        match self {
            Profile::MastercardPhone | Profile::MastercardCard => Scheme::Mastercard,
            Profile::UnionPayPhone | Profile::UnionPayCard => Scheme::UnionPay,
            Profile::AmexPhone | Profile::AmexCard => Scheme::Amex,
            _ => Scheme::Visa,
        }
    }

    /// Whether the profile is a phone (FFI, token data, CDCVM, two-tap unlock).
    pub fn is_phone(self) -> bool {
        matches!(
            self,
            Profile::VisaPhone
                | Profile::MastercardPhone
                | Profile::UnionPayPhone
                | Profile::AmexPhone
                | Profile::VisaWatch
        )
    }

    /// The electronic cash balance the card answers to GET DATA 9F79 (n12, minor units),
    /// if it carries e-cash (UICS e-cash; K7 contract).
    pub fn ecash_balance(self) -> Option<[u8; 6]> {
        match self {
            Profile::UnionPayCard => Some([0x00, 0x00, 0x00, 0x01, 0x23, 0x45]),
            _ => None,
        }
    }

    /// The profile's built-in fault, if it is a faulty one.
    pub fn fault(self) -> Option<Fault> {
        match self {
            Profile::VisaBadSignature => Some(Fault::BadSignature),
            Profile::LeavesField => Some(Fault::LeavesField),
            Profile::MalformedTlv => Some(Fault::MalformedTlv),
            Profile::NoMatchingAid => Some(Fault::NoMatchingAid),
            _ => None,
        }
    }

    /// The account the profile carries. Faulty profiles reuse the Visa card's account.
    pub fn account(self) -> Account {
        match self {
            Profile::VisaPhone => Account {
                pan: "4895370000000015",
                psn: 0x00,
                expiry: [0x30, 0x12, 0x31],
                icc_key: "icc-visa-phone",
                fpan_last4: Some([0x47, 0x11]),
                par: true,
            },
            Profile::VisaWatch => Account {
                pan: "4895370000000023",
                psn: 0x00,
                expiry: [0x30, 0x12, 0x31],
                icc_key: "icc-visa-phone",
                fpan_last4: Some([0x47, 0x11]),
                par: true,
            },
            Profile::MastercardPhone => Account {
                pan: "5204730000001003",
                psn: 0x00,
                expiry: [0x30, 0x06, 0x30],
                icc_key: "icc-mastercard-phone",
                fpan_last4: Some([0x08, 0x15]),
                par: true,
            },
            Profile::MastercardCard => Account {
                pan: "5413339900000037",
                psn: 0x01,
                expiry: [0x29, 0x09, 0x30],
                icc_key: "icc-mastercard-card",
                fpan_last4: None,
                par: true,
            },
            Profile::UnionPayPhone => Account {
                pan: "6250947000000014",
                psn: 0x00,
                expiry: [0x30, 0x09, 0x30],
                icc_key: "icc-unionpay-phone",
                fpan_last4: Some([0x62, 0x28]),
                par: true,
            },
            Profile::UnionPayCard => Account {
                pan: "6214839900000000124",
                psn: 0x01,
                expiry: [0x29, 0x12, 0x31],
                icc_key: "icc-unionpay-card",
                fpan_last4: None,
                par: false,
            },
            Profile::AmexPhone => Account {
                pan: "374245000000017",
                psn: 0x00,
                expiry: [0x30, 0x03, 0x31],
                icc_key: "icc-amex-phone",
                fpan_last4: Some([0x10, 0x05]),
                par: true,
            },
            Profile::AmexCard => Account {
                pan: "371443990000005",
                psn: 0x00,
                expiry: [0x29, 0x08, 0x31],
                icc_key: "icc-amex-card",
                fpan_last4: None,
                par: false,
            },
            Profile::VisaCard
            | Profile::VisaBadSignature
            | Profile::LeavesField
            | Profile::MalformedTlv
            | Profile::NoMatchingAid => Account {
                pan: "4761739900000021",
                psn: 0x01,
                expiry: [0x29, 0x11, 0x30],
                icc_key: "icc-visa-card",
                fpan_last4: None,
                par: true,
            },
            Profile::VisaCardNoPar => Account {
                pan: "4761739900000047",
                psn: 0x01,
                expiry: [0x29, 0x11, 0x30],
                icc_key: "icc-visa-card",
                fpan_last4: None,
                par: false,
            },
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Profile, String> {
        Profile::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
            format!("unknown profile {s:?}; known: {}", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_known_ones() {
        for p in Profile::ALL {
            assert_eq!(p.name().parse::<Profile>(), Ok(p));
        }
        let err = "visa".parse::<Profile>().unwrap_err();
        assert!(err.contains("visa-phone") && err.contains("no-matching-aid"));
    }

    #[test]
    fn debug_output_masks_the_pan() {
        let text = format!("{:?}", Profile::VisaPhone.account());
        assert!(!text.contains("4895370000000015"), "{text}");
        assert!(text.contains("0015"), "{text}");
    }

    #[test]
    fn a_phone_and_the_plastic_of_one_account_share_the_par_not_the_pan() {
        for (phone, card) in [
            (Profile::VisaPhone, Profile::VisaCard),
            (Profile::MastercardPhone, Profile::MastercardCard),
        ] {
            assert_eq!(phone.scheme(), card.scheme());
            let (phone, card) = (phone.account(), card.account());
            assert!(phone.par && card.par);
            assert_ne!(phone.pan, card.pan);
        }
        assert!(!Profile::VisaCardNoPar.account().par);
        assert_eq!(Profile::VisaCardNoPar.scheme(), Scheme::Visa);
    }

    #[test]
    fn pans_pass_luhn() {
        for p in Profile::ALL {
            let digits: Vec<u32> = p
                .account()
                .pan
                .chars()
                .filter_map(|c| c.to_digit(10))
                .collect();
            let sum: u32 = digits
                .iter()
                .rev()
                .enumerate()
                .map(|(i, &d)| match (i % 2, d * 2) {
                    (1, doubled) if doubled > 9 => doubled - 9,
                    (1, doubled) => doubled,
                    _ => d,
                })
                .sum();
            assert_eq!(sum % 10, 0, "{p}");
        }
    }
}

//! Status words (SW1 SW2) in words: ISO/IEC 7816-4 5.1.3 and the meanings EMV gives them
//! (Book 1 11.3.5, Book 3 Annex A), including the contactless "see phone" 6986 that phones
//! send to a GPO when the cardholder must act on the phone (C-2 and C-3, Book A 9.4).

/// Explains a status word; unknown ones are described by their SW1 class.
pub fn explain_sw(sw: u16) -> String {
    let [sw1, sw2] = sw.to_be_bytes();
    let known = match sw {
        0x9000 => Some("success"),
        0x6283 => Some("selected file deactivated (application blocked)"),
        0x6700 => Some("wrong length"),
        0x6981 => Some("command incompatible with file structure"),
        0x6982 => Some("security status not satisfied"),
        0x6983 => Some("authentication method blocked"),
        0x6984 => Some("referenced data invalidated"),
        0x6985 => Some("conditions of use not satisfied"),
        0x6986 => Some(
            "command not allowed; from a phone: see phone (cardholder action needed, tap again)",
        ),
        0x6A81 => Some("function not supported (card or application blocked)"),
        0x6A82 => Some("file or application not found"),
        0x6A83 => Some("record not found"),
        0x6A86 => Some("incorrect parameters P1-P2"),
        0x6A88 => Some("referenced data not found"),
        0x6D00 => Some("instruction code not supported or invalid"),
        0x6E00 => Some("class not supported"),
        0x6F00 => Some("no precise diagnosis"),
        _ => None,
    };
    if let Some(text) = known {
        return format!("{sw:04X}: {text}");
    }
    let text = match sw1 {
        0x61 => format!("success, {sw2} more bytes available (GET RESPONSE)"),
        0x6C => format!("wrong Le; the exact length is {sw2}"),
        0x62 => "warning, non-volatile memory unchanged".into(),
        0x63 if sw2 & 0xF0 == 0xC0 => {
            format!("verification failed, {} tries left", sw2 & 0x0F)
        }
        0x63 => "warning, non-volatile memory changed".into(),
        0x64 => "execution error, non-volatile memory unchanged".into(),
        0x65 => "execution error, non-volatile memory changed".into(),
        0x66 => "security-related error".into(),
        0x67 => "wrong length".into(),
        0x68 => "functions in CLA not supported".into(),
        0x69 => "command not allowed".into(),
        0x6A => "wrong parameters P1-P2".into(),
        0x6B => "wrong parameters P1-P2".into(),
        0x6D => "instruction code not supported or invalid".into(),
        0x6E => "class not supported".into(),
        0x6F => "no precise diagnosis".into(),
        0x90 | 0x91 => "success with proprietary information".into(),
        _ => "not an ISO 7816 status word".into(),
    };
    format!("{sw:04X}: {text}")
}

/// Whether two bytes look like a status word a card sends: 9000, or an ISO 7816-4 class whose
/// SW2 carries meaning (61, 62–66, 68, 69, 6A, 6C), or one of the classes ISO defines only
/// with SW2 = 00 (6700, 6B00, 6D00, 6E00, 6F00).
pub fn is_plausible_sw(sw: u16) -> bool {
    let [sw1, sw2] = sw.to_be_bytes();
    match sw1 {
        0x61..=0x66 | 0x68 | 0x69 | 0x6A | 0x6C => true,
        0x67 | 0x6B | 0x6D | 0x6E | 0x6F | 0x90 => sw2 == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_and_class_words() {
        assert_eq!(explain_sw(0x9000), "9000: success");
        assert!(explain_sw(0x6986).contains("see phone"));
        assert_eq!(
            explain_sw(0x6110),
            "6110: success, 16 more bytes available (GET RESPONSE)"
        );
        assert_eq!(explain_sw(0x6C1C), "6C1C: wrong Le; the exact length is 28");
        assert_eq!(
            explain_sw(0x63C2),
            "63C2: verification failed, 2 tries left"
        );
        assert_eq!(explain_sw(0x6A82), "6A82: file or application not found");
        assert_eq!(explain_sw(0x6A84), "6A84: wrong parameters P1-P2");
        assert_eq!(explain_sw(0x1234), "1234: not an ISO 7816 status word");
    }

    #[test]
    fn plausibility() {
        assert!(is_plausible_sw(0x9000));
        assert!(is_plausible_sw(0x6A82));
        assert!(!is_plausible_sw(0x0101));
        assert!(!is_plausible_sw(0x7000));
        assert!(!is_plausible_sw(0x6F05));
        assert!(is_plausible_sw(0x6F00));
    }
}

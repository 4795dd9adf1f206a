//! Names for the coded values of the dictionary, from maintained sources rather than typed
//! tables: countries (5F28, 9F1A, 5F55/5F56 are alpha) by ISO 3166-1 numeric code from the
//! `iso_country` crate, currencies (5F2A, 9F42, 9F51) by ISO 4217 numeric code from
//! `iso_currency`, languages (5F2D) by ISO 639-1 alpha-2 code from `isolang`, and merchant
//! categories (9F15) by ISO 18245 from the data files of the `iso18245` package shipped in
//! `assets/mcc/` (no Rust crate publishes that list; see its README).

use std::collections::HashMap;
use std::sync::OnceLock;

/// The ISO 3166-1 name of a numeric country code (Book 3 Annex A: 5F28, 9F1A are n3).
pub fn country(code: u16) -> Option<&'static str> {
    static BY_CODE: OnceLock<HashMap<u16, &'static str>> = OnceLock::new();
    BY_CODE
        .get_or_init(|| {
            iso_country::data::all()
                .into_iter()
                .filter_map(|c| Some((c.num.parse().ok()?, c.name)))
                .collect()
        })
        .get(&code)
        .copied()
}

/// `alpha (name)` of an ISO 4217 numeric currency code (Book 3 Annex A: 5F2A, 9F42 are n3).
pub fn currency(code: u16) -> Option<String> {
    iso_currency::Currency::from_numeric(code).map(|c| format!("{} ({})", c.code(), c.name()))
}

/// The English names of the ISO 639-1 languages in a Language Preference (5F2D: 1–4
/// languages, two lower-case letters each, Book 3 Annex A); an unknown pair is named as such.
pub fn languages(value: &[u8]) -> Option<String> {
    if value.is_empty() || !value.len().is_multiple_of(2) {
        return None;
    }
    let names: Vec<String> = value
        .chunks(2)
        .map(|pair| {
            let code = String::from_utf8_lossy(pair).to_ascii_lowercase();
            match isolang::Language::from_639_1(&code) {
                Some(l) => format!("{code} ({})", l.to_name()),
                None => format!("{code} (not an ISO 639-1 code)"),
            }
        })
        .collect();
    Some(names.join(", "))
}

/// One row of a CSV file whose last field may be quoted (RFC 4180 quoting, `""` inside).
fn csv_fields(line: &str, fields: usize) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(fields);
    let mut rest = line;
    for _ in 1..fields {
        let (field, tail) = rest.split_once(',')?;
        out.push(field.to_string());
        rest = tail;
    }
    let last = match rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => rest.to_string(),
    };
    out.push(last);
    Some(out)
}

/// The ISO 18245 codes with their descriptions.
fn mcc_list() -> &'static HashMap<u16, String> {
    static LIST: OnceLock<HashMap<u16, String>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../assets/mcc/iso18245_official_list.csv")
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f = csv_fields(l.trim_end(), 2)?;
                Some((f.first()?.parse().ok()?, f.get(1)?.clone()))
            })
            .collect()
    })
}

/// The ISO 18245 ranges (first code, last code, description).
fn mcc_ranges() -> &'static [(u16, u16, String)] {
    static RANGES: OnceLock<Vec<(u16, u16, String)>> = OnceLock::new();
    RANGES.get_or_init(|| {
        include_str!("../../assets/mcc/iso18245_ranges.csv")
            .lines()
            .skip(1)
            .filter_map(|l| {
                let f = csv_fields(l.trim_end(), 3)?;
                Some((
                    f.first()?.parse().ok()?,
                    f.get(1)?.parse().ok()?,
                    f.get(2)?.clone(),
                ))
            })
            .collect()
    })
}

/// A Merchant Category Code (9F15, n4) in words: its ISO 18245 description, else the range
/// it belongs to.
pub fn merchant_category(code: u16) -> Option<String> {
    if let Some(name) = mcc_list().get(&code) {
        return Some(name.clone());
    }
    mcc_ranges()
        .iter()
        .find(|(first, last, _)| (*first..=*last).contains(&code))
        .map(|(_, _, range)| format!("not listed by ISO 18245; in the range \"{range}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_by_numeric_code() {
        assert_eq!(
            country(826),
            Some("United Kingdom of Great Britain and Northern Ireland")
        );
        assert_eq!(country(840), Some("United States of America"));
        assert_eq!(country(100), Some("Bulgaria"));
        assert_eq!(country(999), None);
    }

    #[test]
    fn currencies_and_languages() {
        assert_eq!(currency(826).as_deref(), Some("GBP (Pound sterling)"));
        assert_eq!(currency(1), None);
        assert_eq!(
            languages(b"enfr").as_deref(),
            Some("en (English), fr (French)")
        );
        assert_eq!(
            languages(b"zz").as_deref(),
            Some("zz (not an ISO 639-1 code)")
        );
        assert_eq!(languages(b"e"), None);
    }

    #[test]
    fn merchant_categories_from_the_shipped_list() {
        assert_eq!(
            merchant_category(4111).as_deref(),
            Some("Local and suburban commuter passenger transportation, including ferries")
        );
        assert_eq!(
            merchant_category(5411).as_deref(),
            Some("Groceries and supermarkets")
        );
        assert_eq!(
            merchant_category(3001).as_deref(),
            Some("not listed by ISO 18245; in the range \"Reserved for private use\"")
        );
        assert!(mcc_list().len() > 250, "the whole file is read");
    }
}

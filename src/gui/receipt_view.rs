//! The customer receipt (Book 4 11.4 "Receipt" data, contactless additions of Book A): what
//! was paid, with which application and how it was verified, from the kernel's data record,
//! with the PAN masked.

use emv_kernel::config::{TagMap, TransactionType};
use emv_kernel::outcome::Cvm;
use emv_kernel::tlv::Tag;

use super::amount::Currency;
use super::banner::Banner;
use super::worker::Finished;
use emv_kernel::tags::mask_pan;

fn get(record: Option<&TagMap>, tag: u32) -> Option<&[u8]> {
    record
        .and_then(|r| r.get(&Tag::new(tag)))
        .map(Vec::as_slice)
}

/// The PAN from tag 5A, or from track 2 (57) before the separator, as digits.
pub fn pan_digits(record: Option<&TagMap>) -> Option<String> {
    if let Some(pan) = get(record, 0x5A) {
        return Some(hex::encode_upper(pan).trim_end_matches('F').to_string());
    }
    let track2 = hex::encode_upper(get(record, 0x57)?);
    track2.split('D').next().map(str::to_string)
}

/// The masked PAN, for anything shown or stored.
pub fn masked_pan(record: Option<&TagMap>) -> Option<String> {
    pan_digits(record).map(|p| mask_pan(&p))
}

/// Printable text of an `ans` field (labels), with anything unprintable replaced.
pub fn ans(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| {
            if b.is_ascii_graphic() || *b == b' ' {
                char::from(*b)
            } else {
                '?'
            }
        })
        .collect()
}

/// The application label: Application Preferred Name (9F12) or Label (50).
pub fn label(record: Option<&TagMap>) -> Option<String> {
    get(record, 0x50).or(get(record, 0x9F12)).map(ans)
}

/// The AID: 4F, else DF Name (84).
pub fn aid(record: Option<&TagMap>) -> Option<String> {
    get(record, 0x4F)
        .or(get(record, 0x84))
        .map(hex::encode_upper)
}

/// Whether the PAN is a payment token: Token Requestor ID (9F19) or PAR (9F24) present
/// (EMV Payment Tokenisation 1.0; brief "Tokens").
pub fn is_token(record: Option<&TagMap>) -> bool {
    get(record, 0x9F19).is_some() || get(record, 0x9F24).is_some()
}

/// Whether the payer used a phone: Form Factor Indicator (9F6E) byte 1 b5–b1 = 3 (C-3).
pub fn is_phone(record: Option<&TagMap>) -> bool {
    get(record, 0x9F6E)
        .and_then(|f| f.first())
        .is_some_and(|b| b & 0x1F == 0x03)
}

/// The cryptogram type from the Cryptogram Information Data (9F27) bits 8–7 (Book 3 6.5.5.4).
pub fn cryptogram_type(record: Option<&TagMap>) -> Option<&'static str> {
    let cid = *get(record, 0x9F27)?.first()?;
    Some(match cid & 0xC0 {
        0x00 => "AAC",
        0x40 => "TC",
        0x80 => "ARQC",
        _ => "RFU",
    })
}

/// The CVM in words.
pub fn cvm_text(cvm: Option<Cvm>) -> &'static str {
    match cvm {
        Some(Cvm::Cdcvm) => "Verified on device (CDCVM)",
        Some(Cvm::Signature) => "Signature",
        Some(Cvm::OnlinePin) => "Online PIN (not supported)",
        Some(Cvm::NoCvm) => "No CVM",
        None => "Not applicable",
    }
}

/// The transaction type in words.
pub fn kind_text(kind: TransactionType) -> &'static str {
    match kind {
        TransactionType::Purchase => "Purchase",
        TransactionType::Refund => "Refund",
        TransactionType::Cash => "Cash",
        TransactionType::Cashback => "Purchase with cashback",
    }
}

/// The receipt as plain text, 40 columns wide.
pub fn receipt_text(
    finished: &Finished,
    merchant: &str,
    currency: &Currency,
    banner: &Banner,
) -> String {
    let record = finished.result.data_record.as_ref();
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut field = |name: &str, value: String| lines.push((name.to_string(), value));
    field(
        "Date",
        finished.started.format("%Y-%m-%d %H:%M:%S").to_string(),
    );
    field("Type", kind_text(finished.transaction.kind).to_string());
    field(
        "Amount",
        currency.format_minor(i128::from(finished.transaction.amount)),
    );
    if let Some(pan) = masked_pan(record) {
        field("Card", pan);
    }
    if let Some(l) = label(record) {
        field("Application", l);
    }
    if let Some(a) = aid(record) {
        field("AID", a);
    }
    let device = match (is_phone(record), is_token(record)) {
        (true, _) => "Phone (token)",
        (false, true) => "Token",
        (false, false) => "Card",
    };
    if record.is_some() {
        field("Paid with", device.to_string());
    }
    field("CVM", cvm_text(finished.result.outcome.cvm).to_string());
    if let Some(t) = cryptogram_type(record) {
        field("Cryptogram", t.to_string());
    }
    if let Some(ac) = get(record, 0x9F26) {
        field("AC", hex::encode_upper(ac));
    }
    if let Some(atc) = get(record, 0x9F36) {
        field("ATC", hex::encode_upper(atc));
    }
    if let Some(tvr) = get(record, 0x95) {
        field("TVR", hex::encode_upper(tvr));
    }
    field("Outcome", banner.title.clone());
    if let Some(host) = &finished.host {
        field("Response", host.response_code.clone());
        if let Some(code) = &host.auth_code {
            field("Auth code", code.clone());
        }
    }
    let mut out = String::new();
    out.push_str(&format!("{merchant:^40}\n"));
    out.push_str(&"-".repeat(40));
    out.push('\n');
    for (name, value) in lines {
        out.push_str(&format!("{name:<12}{value:>28}\n"));
    }
    out.push_str(&"-".repeat(40));
    out.push('\n');
    if finished.result.outcome.cvm == Some(Cvm::Signature)
        && banner.tone == super::banner::Tone::Good
    {
        out.push_str("\n\nSignature: ____________________________\n");
    }
    out.push_str(&format!("{:^40}\n", "Customer copy"));
    out
}

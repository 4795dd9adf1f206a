//! What a whole transaction must satisfy whatever the card answered. Shared by the
//! mutated-flow test (`tests/mutated_flows.rs`) and the cargo-fuzz target `transaction`.
//!
//! The checks look only at what went over the transport and what the kernel returned, so
//! they hold for any kernel structure:
//! - every command is a valid short APDU of a command the kernels may send;
//! - one kernel activation takes a bounded number of exchanges;
//! - the data record's objects have the format and length of Book 3 Annex A;
//! - no decision or trace note spells out the card's full PAN (the project's rule: no full
//!   PAN or track 2 in trace output or logs; the raw APDUs are masked where shown);
//! - Approved only where the card returned a TC and either offline data authentication
//!   verified or the terminal action analysis of Book 3 10.7 accepts "ODA not performed".

use std::collections::BTreeMap;

use emv_kernel::config::TerminalConfig;
use emv_kernel::kernel::KernelId;
use emv_kernel::outcome::{OutcomeStatus, TraceEntry, TransactionResult};
use emv_kernel::tlv::{Tag, TlvIter};

/// Most exchanges one kernel activation may take, from its final SELECT to the next SELECT
/// or the end of the tap: GPO, up to three EXCHANGE RELAY RESISTANCE DATA, the records and
/// GENERATE AC. Decided without a source (the books set no number): a real card names
/// fewer than 20 records, and a kernel must stop a hostile AFL long before 255.
pub const MAX_EXCHANGES_PER_ACTIVATION: usize = 40;

/// TVR byte 1: offline data authentication was not performed (Book 3 Annex C5).
const TVR_ODA_NOT_PERFORMED: u8 = 0x80;
/// TVR byte 1: SDA failed, DDA failed, CDA failed.
const TVR_ODA_FAILED: u8 = 0x40 | 0x08 | 0x04;
/// TSI byte 1: offline data authentication was performed (Book 3 Annex C6).
const TSI_ODA_PERFORMED: u8 = 0x80;

/// Checks every property; the error says which one failed and how.
pub fn check(
    config: &TerminalConfig,
    taps_offered: usize,
    result: &TransactionResult,
) -> Result<(), String> {
    if result.tap_outcomes.len() > taps_offered {
        return Err(format!(
            "{} tap outcomes from {taps_offered} taps",
            result.tap_outcomes.len()
        ));
    }
    for entry in &result.trace {
        command_is_valid(&entry.command).map_err(|why| {
            format!(
                "tap {}: invalid command {}: {why}",
                entry.tap + 1,
                hex::encode_upper(&entry.command)
            )
        })?;
    }
    exchanges_are_bounded(&result.trace)?;
    pan_stays_out_of_the_text(result)?;
    if let Some(record) = &result.data_record {
        for (tag, value) in record {
            object_is_valid(tag.value(), value).map_err(|why| {
                format!(
                    "data record {:X} = {}: {why} (Book 3 Annex A)",
                    tag.value(),
                    hex::encode_upper(value)
                )
            })?;
        }
    }
    if result.outcome.status == OutcomeStatus::Approved {
        approval_is_justified(config, result).map_err(|why| format!("Approved, but {why}"))?;
    }
    Ok(())
}

/// ISO 7816-3 12.1 short command APDUs (Lc 01–FF, Lc = data length, optional Le) of the
/// commands Book B, C-2 and C-3 let a reader send, with the parameters their books allow.
fn command_is_valid(command: &[u8]) -> Result<(), String> {
    let Some((header, body)) = command.split_at_checked(4) else {
        return Err("shorter than a command header".into());
    };
    let (data, le) = match body {
        [] => (&[][..], false),
        [_] => (&[][..], true),
        [lc, rest @ ..] => {
            let lc = usize::from(*lc);
            if lc == 0 {
                return Err("Lc = 00: a short APDU with data has Lc 01–FF".into());
            }
            if rest.len() != lc && rest.len() != lc + 1 {
                return Err(format!("Lc = {lc} but {} bytes follow", rest.len()));
            }
            (&rest[..lc], rest.len() == lc + 1)
        }
    };
    match header {
        // SELECT by name: the PPSE name or an ADF Name of 5–16 bytes (Book 3 Annex A, 4F).
        [0x00, 0xA4, 0x04, 0x00] if (5..=16).contains(&data.len()) && le => Ok(()),
        [0x00, 0xA4, 0x04, 0x00] => Err("SELECT of a name that is not 5–16 bytes".into()),
        // GET PROCESSING OPTIONS: the data is exactly one 83 template (Book 3 6.5.8.3).
        [0x80, 0xA8, 0x00, 0x00] if le => one_object(data, 0x83),
        // READ RECORD: record 1–254 of SFI 1–30, P2 b3–b1 = 100 (Book 3 6.5.11, ISO 7816-4).
        [0x00, 0xB2, record, p2]
            if (1..=254).contains(record)
                && p2 & 0x07 == 0x04
                && (1..=30).contains(&(p2 >> 3))
                && data.is_empty()
                && le =>
        {
            Ok(())
        }
        [0x00, 0xB2, ..] => Err("READ RECORD with an invalid record, SFI or body".into()),
        // GENERATE AC: AAC, TC or ARQC, CDA bit b5, with the CDOL1 data (Book 3 6.5.5).
        [0x80, 0xAE, p1, 0x00]
            if matches!(p1 & !0x10, 0x00 | 0x40 | 0x80) && !data.is_empty() && le =>
        {
            Ok(())
        }
        [0x80, 0xAE, ..] => Err("GENERATE AC with invalid P1/P2 or no CDOL1 data".into()),
        // EXCHANGE RELAY RESISTANCE DATA: the 4-byte Terminal Relay Resistance Entropy (C-2).
        [0x80, 0xEA, 0x00, 0x00] if data.len() == 4 && le => Ok(()),
        // GET DATA (C-2; C-4 for the ATC of a phone): no data.
        [0x80, 0xCA, _, _] if data.is_empty() && le => Ok(()),
        _ => Err("not a command a contactless kernel sends, or a malformed one".into()),
    }
}

fn one_object(data: &[u8], tag: u32) -> Result<(), String> {
    let mut items = TlvIter::new(data);
    match (items.next(), items.next()) {
        (Some(Ok(t)), None) if t.tag == Tag::new(tag) && t.raw.len() == data.len() => Ok(()),
        _ => Err(format!("data is not exactly one {tag:X} object")),
    }
}

fn exchanges_are_bounded(trace: &[TraceEntry]) -> Result<(), String> {
    let mut run = 0;
    let mut tap = usize::MAX;
    for entry in trace {
        let selects = entry.command.starts_with(&[0x00, 0xA4]);
        if entry.tap != tap || selects {
            tap = entry.tap;
            run = 0;
        }
        run += 1;
        if run > MAX_EXCHANGES_PER_ACTIVATION {
            return Err(format!(
                "tap {}: more than {MAX_EXCHANGES_PER_ACTIVATION} exchanges in one kernel activation",
                tap + 1
            ));
        }
    }
    Ok(())
}

/// No PAN the card gave (5A, and the PAN field of 57, in any answer) appears in the decisions or
/// the trace notes. Only PANs of 12 digits or more (format cn) are looked for: shorter
/// ones, or hex that is no PAN, turn up in other text by chance (an AID, a TVR).
fn pan_stays_out_of_the_text(result: &TransactionResult) -> Result<(), String> {
    let mut pans = Vec::new();
    for (tag, value) in card_objects(result.trace.iter()) {
        let text = hex::encode_upper(value);
        match tag {
            0x5A => pans.push(text.trim_end_matches('F').to_string()),
            0x57 => pans.push(text.split('D').next().unwrap_or_default().to_string()),
            _ => {}
        }
    }
    let texts = result
        .decisions
        .iter()
        .chain(result.trace.iter().flat_map(|e| &e.notes));
    for text in texts {
        let spelled = |p: &&String| {
            p.len() >= 12 && p.chars().all(|c| c.is_ascii_digit()) && text.contains(p.as_str())
        };
        if let Some(pan) = pans.iter().find(spelled) {
            return Err(format!("the full PAN {}… is in {text:?}", &pan[..6]));
        }
    }
    Ok(())
}

/// The format and length of the data objects a data record carries (Book 3 Annex A;
/// DF4B: C-2 Annex A). Objects not listed here are not checked.
fn object_is_valid(tag: u32, value: &[u8]) -> Result<(), String> {
    let lengths: Option<(usize, usize)> = match tag {
        0x4F | 0x84 => Some((5, 16)),
        0x57 => Some((1, 19)),
        0x5A => Some((1, 10)),
        0x5F24 | 0x5F25 | 0x9A | 0x9F21 => Some((3, 3)),
        0x5F28 | 0x5F2A | 0x82 | 0x9F07 | 0x9F08 | 0x9F09 | 0x9F1A | 0x9F36 | 0x9F6C | 0x9B => {
            Some((2, 2))
        }
        0x5F34 | 0x9C | 0x9F27 | 0x9F35 => Some((1, 1)),
        0x95 | 0x9F40 => Some((5, 5)),
        0x9F02 | 0x9F03 => Some((6, 6)),
        0x9F10 => Some((1, 32)),
        0x9F26 | 0x9F1E => Some((8, 8)),
        0x9F33 | 0x9F34 | 0xDF4B => Some((3, 3)),
        0x9F37 | 0x9F66 => Some((4, 4)),
        _ => None,
    };
    if let Some((min, max)) = lengths
        && !(min..=max).contains(&value.len())
    {
        return Err(format!("{} bytes, not {min}–{max}", value.len()));
    }
    let numeric = matches!(
        tag,
        0x5F24 | 0x5F25 | 0x9A | 0x9F02 | 0x9F03 | 0x5F2A | 0x5F28
    );
    if numeric && !value.iter().all(|b| b >> 4 <= 9 && b & 0x0F <= 9) {
        return Err("not BCD digits (format n)".into());
    }
    if matches!(tag, 0x5F24 | 0x5F25 | 0x9A) && !is_date(value) {
        return Err("not a YYMMDD date".into());
    }
    Ok(())
}

fn is_date(value: &[u8]) -> bool {
    let bcd = |b: u8| (b >> 4) * 10 + (b & 0x0F);
    match value {
        [_, m, d] => (1..=12).contains(&bcd(*m)) && (1..=31).contains(&bcd(*d)),
        _ => false,
    }
}

/// Every object (tag, value) of the card's successful (`9000`) answers among `entries`,
/// in order, constructed templates opened.
fn card_objects<'t>(entries: impl Iterator<Item = &'t TraceEntry>) -> Vec<(u32, &'t [u8])> {
    fn walk<'a>(iter: TlvIter<'a>, out: &mut Vec<(u32, &'a [u8])>) {
        for item in iter {
            let Ok(t) = item else { return };
            out.push((t.tag.value(), t.value));
            walk(t.children(), out);
        }
    }
    let mut out = Vec::new();
    for entry in entries {
        if let Ok(raw) = &entry.response
            && let Some(data) = raw.strip_suffix(&[0x90, 0x00])
        {
            walk(TlvIter::new(data), &mut out);
        }
    }
    out
}

/// The exchanges of the kernel activation that gave the outcome: in the last tap, those
/// after its last SELECT (GPO, records, GENERATE AC).
fn final_activation(trace: &[TraceEntry]) -> &[TraceEntry] {
    let start = trace
        .iter()
        .rposition(|e| e.command.starts_with(&[0x00, 0xA4]))
        .map_or(0, |i| i + 1);
    &trace[start..]
}

/// The card's objects in the final activation, first occurrence of each tag.
fn activation_objects(trace: &[TraceEntry]) -> BTreeMap<u32, &[u8]> {
    let mut map = BTreeMap::new();
    for (tag, value) in card_objects(final_activation(trace).iter()) {
        map.entry(tag).or_insert(value);
    }
    map
}

fn five(value: Option<&[u8]>, absent: u8, what: &str) -> Result<[u8; 5], String> {
    match value {
        None => Ok([absent; 5]),
        Some(v) => v
            .try_into()
            .map_err(|_| format!("{what} is {} bytes, not 5 (Book 3 Annex A)", v.len())),
    }
}

/// Approved needs a TC from the card, a TVR in the data record, and:
/// - Kernel 3 (no GENERATE AC): fDDA, the only offline approval C-3 has — signed dynamic
///   data (9F4B) in the card's answers and no ODA failure in the TVR;
/// - Kernel 2: a TC from GENERATE AC; with CDA requested, 9F4B in its answer and no ODA
///   failure; without, "ODA not performed" or an ODA failure set; and in both, terminal action analysis
///   (Book 3 10.7) must allow a TC: no TVR bit in TAC|IAC Denial, nor in TAC|IAC Online
///   (TAC|IAC Default on an offline-only terminal). An absent IAC counts as Book 3 10.7
///   says (Denial zeros, Online and Default ones); an absent TAC as all ones, because the
///   C-2 default TACs ask for "ODA not performed" to be refused (issue 9 point 1, decided
///   from the issue, not the book).
fn approval_is_justified(
    config: &TerminalConfig,
    result: &TransactionResult,
) -> Result<(), String> {
    let record = result
        .data_record
        .as_ref()
        .ok_or("there is no data record")?;
    let tvr: [u8; 5] = record
        .get(&Tag::new(0x95))
        .and_then(|v| v.as_slice().try_into().ok())
        .ok_or("the data record has no 5-byte TVR")?;
    if record.get(&Tag::new(0x9F26)).is_none_or(|ac| ac.len() != 8) {
        return Err("the data record has no 8-byte Application Cryptogram".into());
    }
    let tsi = record.get(&Tag::new(0x9B));
    let card = activation_objects(&result.trace);
    let last_gac = final_activation(&result.trace)
        .iter()
        .rfind(|e| e.command.starts_with(&[0x80, 0xAE]));
    let oda_verified = |sdad_in: Option<&[u8]>| -> Result<(), String> {
        if sdad_in.is_none() {
            return Err("the card gave no Signed Dynamic Application Data".into());
        }
        if tvr[0] & (TVR_ODA_NOT_PERFORMED | TVR_ODA_FAILED) != 0 {
            return Err(format!(
                "TVR {} reports ODA not done or failed",
                hex::encode_upper(tvr)
            ));
        }
        if let Some(tsi) = tsi
            && tsi.first().is_none_or(|b| b & TSI_ODA_PERFORMED == 0)
        {
            return Err(format!(
                "TSI {} lacks 'ODA performed'",
                hex::encode_upper(tsi)
            ));
        }
        Ok(())
    };
    let Some(gac) = last_gac else {
        // Kernel 3: the cryptogram comes with the GPO answer or the records.
        let cid = card.get(&0x9F27).copied();
        let tc = match cid {
            Some([cid]) => cid & 0xC0 == 0x40,
            Some(_) => return Err("the CID is not one byte".into()),
            // C-3: without 9F27, the IAD (Visa format, byte 5 b6–b5) says which.
            None => card
                .get(&0x9F10)
                .and_then(|iad| iad.get(4))
                .is_some_and(|b| b & 0x30 == 0x10),
        };
        if !tc {
            return Err("the card did not return a TC".into());
        }
        return oda_verified(card.get(&0x9F4B).copied());
    };
    if gac.command.get(2).is_none_or(|p1| p1 & 0xC0 != 0x40) {
        return Err("GENERATE AC did not ask for a TC".into());
    }
    let answer = match &gac.response {
        Ok(raw) => raw
            .strip_suffix(&[0x90, 0x00])
            .ok_or("GENERATE AC not 9000")?,
        Err(e) => return Err(format!("GENERATE AC failed: {e}")),
    };
    let mut gac_objects = BTreeMap::new();
    if let Some(Ok(top)) = TlvIter::new(answer).next() {
        if top.tag == Tag::new(0x80) {
            gac_objects.insert(0x9F27, top.value.get(..1).unwrap_or_default());
        }
        for t in top.children().flatten() {
            gac_objects.entry(t.tag.value()).or_insert(t.value);
        }
    }
    let cid = gac_objects.get(&0x9F27).and_then(|c| c.first());
    if cid.is_none_or(|c| c & 0xC0 != 0x40) {
        return Err("GENERATE AC did not return a TC".into());
    }
    let cda = gac.command.get(2).is_some_and(|p1| p1 & 0x10 != 0);
    if cda {
        oda_verified(gac_objects.get(&0x9F4B).copied())?;
    } else if tvr[0] & (TVR_ODA_NOT_PERFORMED | TVR_ODA_FAILED) == 0 {
        return Err(
            "no CDA, yet the TVR says neither 'ODA not performed' nor failed (Book 3 10.3)".into(),
        );
    }
    action_analysis_allows_tc(config, result, &card, tvr)
}

fn action_analysis_allows_tc(
    config: &TerminalConfig,
    result: &TransactionResult,
    card: &BTreeMap<u32, &[u8]>,
    tvr: [u8; 5],
) -> Result<(), String> {
    let activation = final_activation(&result.trace);
    let selected = result.trace[..result.trace.len() - activation.len()]
        .last()
        .and_then(|e| e.command.get(5..5 + usize::from(*e.command.get(4)?)))
        .ok_or("no application was selected")?;
    let iac = |tag: u32, absent: u8, what: &str| five(card.get(&tag).copied(), absent, what);
    let iac_denial = iac(0x9F0E, 0x00, "IAC-Denial")?;
    let iac_online = iac(0x9F0F, 0xFF, "IAC-Online")?;
    let iac_default = iac(0x9F0D, 0xFF, "IAC-Default")?;
    let hits = |tac: [u8; 5], iac: [u8; 5]| (0..5).any(|i| (tac[i] | iac[i]) & tvr[i] != 0);
    let mut why = Vec::new();
    for comb in config.combinations.iter().filter(|c| {
        // Kernels 2 and 4 take their TACs from DF8120–DF8122.
        matches!(c.kernel, KernelId::Mastercard | KernelId::Amex) && selected.starts_with(&c.aid)
    }) {
        let tac = |tag: u32| {
            comb.tags
                .get(&Tag::new(tag))
                .and_then(|v| <[u8; 5]>::try_from(v.as_slice()).ok())
                .unwrap_or([0xFF; 5])
        };
        let terminal_type = comb
            .tags
            .get(&Tag::new(0x9F35))
            .or_else(|| config.terminal.get(&Tag::new(0x9F35)))
            .and_then(|v| v.first().copied());
        let offline_only = terminal_type.is_some_and(|t| matches!(t & 0x0F, 3 | 6));
        let verdict = if hits(tac(0xDF8121), iac_denial) {
            Err("TAC|IAC-Denial")
        } else if !offline_only && hits(tac(0xDF8122), iac_online) {
            Err("TAC|IAC-Online")
        } else if offline_only && hits(tac(0xDF8120), iac_default) {
            Err("TAC|IAC-Default")
        } else {
            Ok(())
        };
        match verdict {
            Ok(()) => return Ok(()),
            Err(w) => why.push(w),
        }
    }
    Err(format!(
        "terminal action analysis (Book 3 10.7) refuses a TC for TVR {}: {}",
        hex::encode_upper(tvr),
        if why.is_empty() {
            "no Kernel 2 or 4 combination for the AID".into()
        } else {
            why.join(", ")
        }
    ))
}

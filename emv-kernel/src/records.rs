//! READ RECORD by the Application File Locator (Book 3 10.2, C-2 S3/S4, C-3 5.3): the AFL
//! is checked before any command is sent, each record must be a `70` template (SFI 1–10),
//! and the records flagged for offline data authentication are kept for
//! [`crate::oda::static_data_from_records`].

use crate::apdu::{self, Response};
use crate::data_record::{CardData, CardDataError};
use crate::session::Session;
use crate::tlv::{Tag, TlvIter};
use crate::transport::TransportError;

/// One 4-byte AFL entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AflEntry {
    /// Short file identifier, 1–30.
    pub sfi: u8,
    /// First record number.
    pub first: u8,
    /// Last record number.
    pub last: u8,
    /// How many records, from the first, take part in offline data authentication.
    pub oda_records: u8,
}

/// Why reading records failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The AFL is not a list of valid 4-byte entries.
    #[error("AFL is invalid: {0}")]
    BadAfl(String),
    /// The card left the field or did not answer.
    #[error("communication error: {0}")]
    Transport(#[from] TransportError),
    /// The card answered with a status word other than 9000.
    #[error("READ RECORD SFI {sfi} record {record} answered {sw:04X}")]
    Status {
        /// SFI read.
        sfi: u8,
        /// Record read.
        record: u8,
        /// Status word.
        sw: u16,
    },
    /// The record is not one `70` template (SFI 1–10), or its content is malformed.
    #[error("READ RECORD SFI {sfi} record {record}: {why}")]
    BadRecord {
        /// SFI read.
        sfi: u8,
        /// Record read.
        record: u8,
        /// What is wrong.
        why: String,
    },
    /// A data object was sent twice.
    #[error("{0}")]
    Data(#[from] CardDataError),
}

/// Parses an AFL (Book 3 10.2): a multiple of four bytes, SFI 1–30, first record ≥ 1,
/// last ≥ first, ODA count ≤ the records of the entry.
pub fn parse_afl(afl: &[u8]) -> Result<Vec<AflEntry>, ReadError> {
    if !afl.len().is_multiple_of(4) {
        return Err(ReadError::BadAfl(format!(
            "{} bytes, not a multiple of 4",
            afl.len()
        )));
    }
    afl.chunks_exact(4)
        .map(|c| {
            let entry = AflEntry {
                sfi: c[0] >> 3,
                first: c[1],
                last: c[2],
                oda_records: c[3],
            };
            let valid = c[0] & 0x07 == 0
                && (1..=30).contains(&entry.sfi)
                && entry.first >= 1
                && entry.last >= entry.first
                && entry.oda_records as u16 <= (entry.last - entry.first) as u16 + 1;
            if valid {
                Ok(entry)
            } else {
                Err(ReadError::BadAfl(format!("entry {}", hex::encode_upper(c))))
            }
        })
        .collect()
}

/// What the records gave beyond the stored data objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordsRead {
    /// The records the AFL flags for offline data authentication: (SFI, record data
    /// without the status word), in AFL order.
    pub oda_records: Vec<(u8, Vec<u8>)>,
}

impl RecordsRead {
    /// The static data to be authenticated (Book 3 10.3), AIP included when 9F4A asks.
    pub fn static_data(&self, card: &CardData) -> Result<Vec<u8>, crate::oda::OdaError> {
        let records: Vec<(u8, &[u8])> = self
            .oda_records
            .iter()
            .map(|(sfi, data)| (*sfi, data.as_slice()))
            .collect();
        crate::oda::static_data_from_records(
            &records,
            card.get(crate::tags::AIP),
            card.get(crate::tags::SDA_TAG_LIST),
        )
    }
}

/// Reads every record the AFL lists, in order, storing their objects in `card`.
pub fn read_all(
    session: &mut Session<'_>,
    entries: &[AflEntry],
    card: &mut CardData,
) -> Result<RecordsRead, ReadError> {
    let mut out = RecordsRead::default();
    for entry in entries {
        for record in entry.first..=entry.last {
            let raw = session.exchange(
                apdu::read_record(entry.sfi, record),
                &format!("READ RECORD SFI {} record {record} (AFL)", entry.sfi),
            )?;
            let response = Response::parse(&raw).ok_or_else(|| ReadError::BadRecord {
                sfi: entry.sfi,
                record,
                why: "response shorter than a status word".into(),
            })?;
            if !response.is_ok() {
                return Err(ReadError::Status {
                    sfi: entry.sfi,
                    record,
                    sw: response.sw,
                });
            }
            let bad = |why: String| ReadError::BadRecord {
                sfi: entry.sfi,
                record,
                why,
            };
            let mut items = TlvIter::new(response.data);
            let template = match (items.next(), items.next()) {
                (Some(Ok(t)), None) if t.tag == Tag::new(0x70) => Some(t),
                (Some(Err(e)), _) => return Err(bad(format!("malformed TLV: {e}"))),
                _ => None,
            };
            match template {
                Some(t) => card.store_template(t.value)?,
                None if entry.sfi <= 10 => return Err(bad("not a single 70 template".into())),
                // SFI 11–30 records are proprietary; only ODA cares about their form.
                None => {}
            }
            if record - entry.first < entry.oda_records {
                out.oda_records.push((entry.sfi, response.data.to_vec()));
            }
            session.note(format!("record stored ({} bytes)", response.data.len()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_afls() {
        let afl = hex::decode("0801010010010201").unwrap();
        let entries = parse_afl(&afl).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[1],
            AflEntry {
                sfi: 2,
                first: 1,
                last: 2,
                oda_records: 1
            }
        );
        for bad in [
            "080101", "00010100", "08000100", "08020100", "08010102", "F8010100", "09010100",
        ] {
            assert!(parse_afl(&hex::decode(bad).unwrap()).is_err(), "{bad}");
        }
        assert_eq!(parse_afl(&[]).unwrap(), vec![]);
    }
}

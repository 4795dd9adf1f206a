//! Command APDUs and the DOL data inside them, as the card sees them.

use std::collections::BTreeMap;

use emv_kernel::dol;
use emv_kernel::tlv::Tag;

use super::tags;

/// A command APDU split into its fields (ISO 7816-4 5.1, short lengths only).
pub(super) struct Command<'a> {
    pub(super) cla: u8,
    pub(super) ins: u8,
    pub(super) p1: u8,
    pub(super) p2: u8,
    pub(super) data: &'a [u8],
}

impl<'a> Command<'a> {
    pub(super) fn parse(raw: &'a [u8]) -> Option<Command<'a>> {
        let (header, rest) = raw.split_first_chunk::<4>()?;
        let [cla, ins, p1, p2] = *header;
        let data = match rest {
            [] | [_] => &[][..],
            [lc, body @ ..] => {
                let lc = *lc as usize;
                match body.len().checked_sub(lc) {
                    Some(0) | Some(1) => body.get(..lc)?,
                    _ => return None,
                }
            }
        };
        Some(Command {
            cla,
            ins,
            p1,
            p2,
            data,
        })
    }
}

/// The terminal's DOL answer split by the DOL the card advertised (Book 3 5.4).
pub(super) struct DolValues {
    values: BTreeMap<Tag, Vec<u8>>,
}

impl DolValues {
    /// `None` when the data's length differs from the DOL's total length.
    pub(super) fn read(dol_bytes: &[u8], data: &[u8]) -> Option<DolValues> {
        let entries = dol::parse(dol_bytes).ok()?;
        let total: usize = entries.iter().map(|e| e.length).sum();
        if total != data.len() {
            return None;
        }
        let mut values = BTreeMap::new();
        let mut pos = 0;
        for entry in entries {
            values.insert(entry.tag, data.get(pos..pos + entry.length)?.to_vec());
            pos += entry.length;
        }
        Some(DolValues { values })
    }

    pub(super) fn get(&self, tag: Tag) -> &[u8] {
        self.values.get(&tag).map(Vec::as_slice).unwrap_or_default()
    }

    pub(super) fn get_array<const N: usize>(&self, tag: Tag) -> [u8; N] {
        let mut out = [0u8; N];
        for (o, v) in out.iter_mut().zip(self.get(tag)) {
            *o = *v;
        }
        out
    }

    /// Amount, Authorised (n12) in minor units; 0 when absent.
    pub(super) fn amount(&self) -> u64 {
        self.get(tags::AMOUNT).iter().fold(0u64, |acc, b| {
            acc * 100 + u64::from(b >> 4) * 10 + u64::from(b & 0x0F)
        })
    }
}

//! Combination selection (Book B 3.3): the PPSE directory, matching its entries against the
//! reader combinations (kernel identifier rules, RID defaults), and the candidate list in
//! priority order.

use crate::config::Combination;
use crate::kernel::KernelId;
use crate::tlv::{Tag, TlvIter};

/// One PPSE directory entry (template 61).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// ADF name (4F).
    pub adf_name: Vec<u8>,
    /// Application Priority Indicator (87) b4–b1; 0 when absent.
    pub priority: u8,
    /// Kernel Identifier (9F2A), empty when absent.
    pub kernel_id: Vec<u8>,
    /// Extended Selection (9F29), when present.
    pub extended_selection: Option<Vec<u8>>,
}

/// A candidate: a directory entry with the combination it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The entry from the PPSE.
    pub entry: DirectoryEntry,
    /// Index of the matched combination in the configuration.
    pub combination: usize,
    /// The requested kernel (after RID defaults).
    pub kernel: KernelId,
}

/// Why the PPSE gave no directory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PpseError {
    /// The FCI is not well-formed BER-TLV.
    #[error("PPSE FCI is malformed: {0}")]
    Malformed(#[from] crate::tlv::TlvError),
    /// 6F, A5 or BF0C is missing.
    #[error("PPSE FCI has no {0} template")]
    Missing(&'static str),
}

fn child(value: &[u8], tag: u32) -> Result<Option<&[u8]>, PpseError> {
    for item in TlvIter::new(value) {
        let tlv = item?;
        if tlv.tag == Tag::new(tag) {
            return Ok(Some(tlv.value));
        }
    }
    Ok(None)
}

/// Reads the directory entries of a PPSE FCI (6F → A5 → BF0C → 61…), Book B 3.3.2.4.
/// Entries with an ADF name outside 5–16 bytes or malformed content are skipped.
pub fn parse_ppse(fci: &[u8]) -> Result<Vec<DirectoryEntry>, PpseError> {
    let fci_template = child(fci, 0x6F)?.ok_or(PpseError::Missing("6F"))?;
    let proprietary = child(fci_template, 0xA5)?.ok_or(PpseError::Missing("A5"))?;
    let directory = child(proprietary, 0xBF0C)?.ok_or(PpseError::Missing("BF0C"))?;
    let mut entries = Vec::new();
    for item in TlvIter::new(directory) {
        let tlv = item?;
        if tlv.tag != Tag::new(0x61) {
            continue;
        }
        if let Some(entry) = parse_entry(tlv.value) {
            entries.push(entry);
        }
    }
    Ok(entries)
}

fn parse_entry(value: &[u8]) -> Option<DirectoryEntry> {
    let mut entry = DirectoryEntry {
        adf_name: Vec::new(),
        priority: 0,
        kernel_id: Vec::new(),
        extended_selection: None,
    };
    for item in TlvIter::new(value) {
        let tlv = item.ok()?;
        match tlv.tag.value() {
            0x4F => entry.adf_name = tlv.value.to_vec(),
            0x87 => entry.priority = tlv.value.first().map_or(0, |p| p & 0x0F),
            0x9F2A => entry.kernel_id = tlv.value.to_vec(),
            // A 9F29 that breaks its dictionary entry makes the entry unusable (Book B
            // 3.3.2.5: entries with invalid data are skipped).
            0x9F29 => {
                crate::tags::check(tlv.tag, tlv.value).ok()?;
                entry.extended_selection = Some(tlv.value.to_vec());
            }
            _ => {}
        }
    }
    (5..=16).contains(&entry.adf_name.len()).then_some(entry)
}

/// The kernel an entry asks for (Book B 3.3.2.5 step C); `None` when the entry must be
/// skipped (a 3-byte kernel ID that is too short).
pub fn requested_kernel(entry: &DirectoryEntry) -> Option<u32> {
    match entry.kernel_id.first() {
        None => Some(default_kernel(&entry.adf_name)),
        Some(first) if first & 0xC0 < 0x80 => Some(*first as u32),
        Some(_) => entry
            .kernel_id
            .get(..3)
            .map(|b| b.iter().fold(0u32, |acc, x| (acc << 8) | *x as u32)),
    }
}

/// Default kernel ID from the RID when the card gives no 9F2A (Book B Table 3-6).
fn default_kernel(adf_name: &[u8]) -> u32 {
    const DEFAULTS: [(&[u8], u32); 6] = [
        (&[0xA0, 0x00, 0x00, 0x00, 0x04], 2),
        (&[0xA0, 0x00, 0x00, 0x00, 0x03], 3),
        (&[0xA0, 0x00, 0x00, 0x00, 0x25], 4),
        (&[0xA0, 0x00, 0x00, 0x00, 0x65], 5),
        (&[0xA0, 0x00, 0x00, 0x01, 0x52], 6),
        (&[0xA0, 0x00, 0x00, 0x03, 0x33], 7),
    ];
    DEFAULTS
        .iter()
        .find(|(rid, _)| adf_name.starts_with(rid))
        .map_or(0, |(_, k)| *k)
}

/// Builds the candidate list (Book B 3.3.2.5–3.3.2.6): every entry matched against every
/// allowed combination, then sorted by priority (1 highest, 0 last), ties in PPSE order.
pub fn candidates(
    entries: &[DirectoryEntry],
    combinations: &[Combination],
    allowed: &[bool],
) -> Vec<Candidate> {
    let mut list = Vec::new();
    for entry in entries {
        let Some(kernel) = requested_kernel(entry) else {
            continue;
        };
        for (index, comb) in combinations.iter().enumerate() {
            let aid_matches = !comb.aid.is_empty() && entry.adf_name.starts_with(&comb.aid);
            let kernel_matches = kernel == 0 || KernelId::from(kernel) == comb.kernel;
            if aid_matches && kernel_matches && allowed.get(index).copied().unwrap_or(false) {
                list.push(Candidate {
                    entry: entry.clone(),
                    combination: index,
                    kernel: if kernel == 0 {
                        comb.kernel
                    } else {
                        KernelId::from(kernel)
                    },
                });
            }
        }
    }
    // A stable sort keeps the PPSE order for equal priorities.
    list.sort_by_key(|c| match c.entry.priority {
        0 => 16,
        p => p,
    });
    list
}

/// The name the final SELECT sends (Book B 3.3.3.3): the ADF name, followed by the
/// directory entry's Extended Selection (9F29) when the combination's Extended Selection
/// Support flag is set.
pub fn select_name(entry: &DirectoryEntry, extended_selection_supported: bool) -> Vec<u8> {
    let mut name = entry.adf_name.clone();
    if extended_selection_supported {
        name.extend_from_slice(entry.extended_selection.as_deref().unwrap_or_default());
    }
    name
}

/// What a kernel needs from an application's FCI (Book 1 11.3.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fci {
    /// DF name (84).
    pub df_name: Option<Vec<u8>>,
    /// PDOL (9F38), inside A5.
    pub pdol: Option<Vec<u8>>,
    /// Application label (50).
    pub label: Option<Vec<u8>>,
}

/// Parses the FCI returned by the final SELECT; the whole response must be well-formed.
pub fn parse_fci(data: &[u8]) -> Result<Fci, PpseError> {
    crate::tlv::validate(data)?;
    let template = child(data, 0x6F)?.ok_or(PpseError::Missing("6F"))?;
    let mut fci = Fci::default();
    for item in TlvIter::new(template) {
        let tlv = item?;
        match tlv.tag.value() {
            // An empty DF name is no DF name (Book 1 11.3.4: 84 is 5–16 bytes).
            0x84 if !tlv.value.is_empty() => fci.df_name = Some(tlv.value.to_vec()),
            0xA5 => {
                for inner in tlv.children() {
                    let inner = inner?;
                    match inner.tag.value() {
                        0x9F38 => fci.pdol = Some(inner.value.to_vec()),
                        0x50 => fci.label = Some(inner.value.to_vec()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(fci)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ZeroAmount;

    fn comb(aid: &str, kernel: u32) -> Combination {
        Combination {
            aid: hex::decode(aid).unwrap(),
            kernel: KernelId::from(kernel),
            ttq: None,
            transaction_limit: None,
            floor_limit: None,
            cvm_required_limit: None,
            status_check: false,
            zero_amount: ZeroAmount::Online,
            extended_selection: true,
            tags: Default::default(),
        }
    }

    const PPSE: &str = "6F3E840E325041592E5359532E4444463031A52CBF0C29\
        61104F07A00000000410108701029F2A0102\
        610C4F07A0000000031010870101\
        61074F05A000000025";

    #[test]
    fn reads_entries_and_orders_by_priority() {
        let fci = hex::decode(PPSE.replace(' ', "")).unwrap();
        let entries = parse_ppse(&fci).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].kernel_id, vec![2]);
        let combs = [comb("A0000000031010", 3), comb("A0000000041010", 2)];
        let list = candidates(&entries, &combs, &[true, true]);
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[0].entry.adf_name,
            hex::decode("A0000000031010").unwrap()
        );
        assert_eq!(list[0].kernel, KernelId::Visa);
        assert_eq!(list[1].kernel, KernelId::Mastercard);
        let only_mc = candidates(&entries, &combs, &[false, true]);
        assert_eq!(only_mc.len(), 1);
    }

    #[test]
    fn kernel_id_rules() {
        let mut e = DirectoryEntry {
            adf_name: hex::decode("A0000000041010").unwrap(),
            priority: 0,
            kernel_id: vec![],
            extended_selection: None,
        };
        assert_eq!(requested_kernel(&e), Some(2));
        e.kernel_id = vec![0x03];
        assert_eq!(requested_kernel(&e), Some(3));
        e.kernel_id = vec![0x81, 0x02];
        assert_eq!(requested_kernel(&e), None);
        e.kernel_id = vec![0x81, 0x02, 0x03];
        assert_eq!(requested_kernel(&e), Some(0x810203));
        e.adf_name = hex::decode("A0000009991010").unwrap();
        e.kernel_id = vec![];
        assert_eq!(requested_kernel(&e), Some(0));
    }

    #[test]
    fn rejects_broken_directories() {
        assert!(parse_ppse(&[0x6F, 0x05, 0x84]).is_err());
        assert_eq!(
            parse_ppse(&hex::decode("6F03840100").unwrap()),
            Err(PpseError::Missing("A5"))
        );
    }
}

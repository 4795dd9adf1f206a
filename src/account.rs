//! Who paid, without the card number: the [`AccountKey`] a tap belongs to.
//!
//! A phone wallet shows a different token PAN on every device, and a plastic card another
//! one; the Payment Account Reference (PAR, tag 9F24, `an` 29, Book 3 Annex A; EMVCo
//! "Payment Account Reference" specification) is the one value they share, is not usable for
//! paying and is not cardholder data under PCI DSS. When the card gives one, it is the key.
//! When it does not, the key is HMAC-SHA-256 (RFC 2104, FIPS 180-4) of the PAN under a
//! [`TerminalSecret`]: the same card gives the same key on this terminal, and nobody without
//! the secret can go from the key back to the PAN (a bare hash could be reversed by trying
//! every PAN of a BIN). The PAN itself is never kept.
//!
//! Used by the rewards ledger (issue 12) and the host's deny lists (issue 13).

use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use emv_kernel::config::TagMap;
use emv_kernel::tlv::Tag;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Payment Account Reference (Book 3 Annex A: `an`, 29 characters).
const PAR: Tag = Tag::new(0x9F24);
/// Length of a PAR (EMVCo PAR specification: 4-character BIN Controller Identifier and 25).
const PAR_LENGTH: usize = 29;
/// Length of the terminal secret: one SHA-256 block, HMAC's own key length (RFC 2104 §2,
/// B = 64; §3 asks for at least the hash output, 32 bytes).
const SECRET_LENGTH: usize = 64;
/// Prefix of a stored PAR key.
const PAR_PREFIX: &str = "par:";
/// Prefix of a stored keyed-hash key.
const KEYED_PREFIX: &str = "pan-hmac:";

/// The account a tap belongs to: its PAR, or the keyed hash of its PAN.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountKey {
    /// The Payment Account Reference as the card gave it (29 upper-case letters and digits).
    Par(String),
    /// HMAC-SHA-256 of the PAN digits under the terminal secret, 64 hex digits.
    KeyedPan(String),
}

impl AccountKey {
    /// The key for a data record: the PAR (9F24) when it is a well-formed one, else the keyed
    /// hash of the PAN (5A, else track 2), else `None` (no account data at all).
    pub fn from_record(record: &TagMap, secret: &TerminalSecret) -> Option<AccountKey> {
        record
            .get(&PAR)
            .and_then(|v| par_text(v))
            .map(AccountKey::Par)
            .or_else(|| {
                crate::masking::record_pan(record).map(|pan| AccountKey::keyed(&pan, secret))
            })
    }

    /// The keyed hash of PAN digits.
    pub fn keyed(pan: &str, secret: &TerminalSecret) -> AccountKey {
        AccountKey::KeyedPan(hex::encode(secret.mac(pan.as_bytes())))
    }

    /// The stored form: `par:` or `pan-hmac:` and the value. Never contains a PAN.
    pub fn stored(&self) -> String {
        match self {
            AccountKey::Par(par) => format!("{PAR_PREFIX}{par}"),
            AccountKey::KeyedPan(mac) => format!("{KEYED_PREFIX}{mac}"),
        }
    }

    /// Reads a key back from its stored form; `None` for anything else.
    pub fn parse(stored: &str) -> Option<AccountKey> {
        if let Some(par) = stored.strip_prefix(PAR_PREFIX) {
            return par_text(par.as_bytes()).map(AccountKey::Par);
        }
        let mac = stored.strip_prefix(KEYED_PREFIX)?;
        (mac.len() == 2 * 32 && mac.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| AccountKey::KeyedPan(mac.to_ascii_lowercase()))
    }

    /// "PAR" or "card number (keyed hash)": what the key was made from.
    pub fn source(&self) -> &'static str {
        match self {
            AccountKey::Par(_) => "PAR",
            AccountKey::KeyedPan(_) => "keyed hash",
        }
    }
}

/// Shown truncated: the PAR's BIN Controller Identifier (first 4) and its last 4, the hash's
/// first 8 hex digits. Enough for a cashier to tell members apart, not the whole key.
impl std::fmt::Display for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountKey::Par(par) => {
                let (head, tail) = (par.get(..4), par.get(par.len().saturating_sub(4)..));
                write!(f, "PAR {}…{}", head.unwrap_or(""), tail.unwrap_or(""))
            }
            AccountKey::KeyedPan(mac) => write!(f, "#{}", mac.get(..8).unwrap_or("")),
        }
    }
}

/// Debug shows what Display shows: a key never goes whole into a log line.
impl std::fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccountKey({self})")
    }
}

/// A PAR value from the card: 29 letters and digits (trailing spaces trimmed, letters upper
/// case). Anything else (all zeros, spaces, padding, binary) is no PAR: a card that fills the
/// tag with filler must not make every such card one member.
fn par_text(value: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(value).ok()?.trim_end();
    let well_formed = text.len() == PAR_LENGTH && text.bytes().all(|b| b.is_ascii_alphanumeric());
    let filler = text.bytes().all(|b| b == b'0');
    (well_formed && !filler).then(|| text.to_ascii_uppercase())
}

/// What went wrong with the terminal secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The file cannot be read, created or written.
    #[error("terminal secret {path}: {detail}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        detail: String,
    },
    /// The file is readable by others than its owner: it may have leaked.
    #[error(
        "terminal secret {path} has mode {mode:o}, readable by others; \
         run `chmod 600 {path}` if it has not leaked, else delete it (members keyed by \
         card number start again)"
    )]
    Exposed {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// The file does not hold a secret of the right length.
    #[error("terminal secret {path} is {length} bytes, not {SECRET_LENGTH}; not a tapterm secret")]
    Malformed {
        /// The file.
        path: String,
        /// Its length.
        length: usize,
    },
}

/// The terminal's HMAC key: 64 random bytes in a file of mode 0600, created on first use.
/// Never shown, logged or printed (Debug hides it).
#[derive(Clone)]
pub struct TerminalSecret([u8; SECRET_LENGTH]);

impl std::fmt::Debug for TerminalSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TerminalSecret(hidden)")
    }
}

impl TerminalSecret {
    /// Where the secret lives by default: `account.key` beside the journal database.
    pub fn beside(journal: &Path) -> PathBuf {
        journal
            .parent()
            .map_or_else(|| PathBuf::from("account.key"), |d| d.join("account.key"))
    }

    /// Reads the secret at `path`, creating it from the OS random source when there is none.
    /// Creation is atomic (written to a private temporary file, synced, then hard-linked into
    /// place, which fails rather than replace a secret another process made first), so two
    /// terminals starting at once end up with one secret.
    pub fn load_or_create(path: &Path) -> Result<TerminalSecret, SecretError> {
        let shown = path.display().to_string();
        let io = |e: std::io::Error| SecretError::Io {
            path: shown.clone(),
            detail: e.to_string(),
        };
        match std::fs::metadata(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path).map_err(io)?,
            Err(e) => return Err(io(e)),
        }
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SecretError::Exposed { path: shown, mode });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        let key = <[u8; SECRET_LENGTH]>::try_from(bytes.as_slice()).map_err(|_| {
            SecretError::Malformed {
                path: shown.clone(),
                length: bytes.len(),
            }
        })?;
        Ok(TerminalSecret(key))
    }

    /// A secret from given bytes (tests).
    pub fn from_bytes(key: [u8; SECRET_LENGTH]) -> TerminalSecret {
        TerminalSecret(key)
    }

    /// HMAC-SHA-256 of `message` under the secret (RFC 2104).
    fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new((&self.0).into());
        mac.update(message);
        mac.finalize().into_bytes().into()
    }
}

/// Creates the secret file at `path` (mode 0600) unless another process got there first.
fn create(path: &Path) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    // The key, and a random name for the temporary file (threads share the process id).
    let mut key = [0u8; SECRET_LENGTH];
    let mut name = [0u8; 8];
    getrandom::fill(&mut key)
        .and_then(|()| getrandom::fill(&mut name))
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let temporary = dir.join(format!(".account.key.{}.tmp", hex::encode(name)));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(&key)?;
        file.sync_all()
    })();
    let linked = written.and_then(|()| match std::fs::hard_link(&temporary, path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    });
    let _ = std::fs::remove_file(&temporary);
    linked?;
    // The new name must survive a power cut like the journal's rows do.
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAR_VALUE: &str = "V0010013822123456789012345678";

    fn record(pairs: &[(u32, &[u8])]) -> TagMap {
        pairs
            .iter()
            .map(|(t, v)| (Tag::new(*t), v.to_vec()))
            .collect()
    }

    fn secret() -> TerminalSecret {
        TerminalSecret::from_bytes([7; 64])
    }

    #[test]
    fn the_par_is_the_key_whatever_the_pan() {
        let phone = record(&[
            (0x5A, &[0x48, 0x95, 0x37, 0x00, 0x00, 0x00, 0x00, 0x15]),
            (0x9F24, PAR_VALUE.as_bytes()),
        ]);
        let card = record(&[
            (0x5A, &[0x47, 0x61, 0x73, 0x99, 0x00, 0x00, 0x00, 0x21]),
            (0x9F24, PAR_VALUE.as_bytes()),
        ]);
        let a = AccountKey::from_record(&phone, &secret()).unwrap();
        assert_eq!(a, AccountKey::Par(PAR_VALUE.into()));
        assert_eq!(AccountKey::from_record(&card, &secret()), Some(a.clone()));
        assert_eq!(a.to_string(), "PAR V001…5678");
        assert_eq!(AccountKey::parse(&a.stored()), Some(a));
    }

    #[test]
    fn without_a_par_the_key_is_the_keyed_hash_of_the_pan() {
        let pan = "4761739900000021";
        let card = record(&[(0x5A, &[0x47, 0x61, 0x73, 0x99, 0x00, 0x00, 0x00, 0x21])]);
        let key = AccountKey::from_record(&card, &secret()).unwrap();
        // RFC 2104 HMAC-SHA-256, computed independently:
        // python3 -c 'import hmac,hashlib;print(hmac.new(bytes([7]*64),
        //   b"4761739900000021",hashlib.sha256).hexdigest())'
        assert_eq!(
            key,
            AccountKey::KeyedPan(
                "d4babe25a795f751bf0fb7824ae4e2390ea5ad0f35ef7596b04bdf5708301f12".into()
            )
        );
        let stored = key.stored();
        assert!(!stored.contains(pan) && !stored.contains(&pan[6..]));
        assert!(!format!("{key} {key:?}").contains(&pan[..6]));
        assert_eq!(AccountKey::parse(&stored), Some(key.clone()));
        let other = AccountKey::from_record(&card, &TerminalSecret::from_bytes([8; 64]));
        assert_ne!(other, Some(key), "another terminal's secret, another key");
    }

    #[test]
    fn the_pan_in_track_2_gives_the_same_key_as_tag_5a() {
        let from_5a = record(&[(0x5A, &[0x47, 0x61, 0x73, 0x99, 0x00, 0x00, 0x00, 0x21])]);
        let from_57 = record(&[(
            0x57,
            &[
                0x47, 0x61, 0x73, 0x99, 0x00, 0x00, 0x00, 0x21, 0xD2, 0x91, 0x12, 0x01,
            ],
        )]);
        assert_eq!(
            AccountKey::from_record(&from_5a, &secret()),
            AccountKey::from_record(&from_57, &secret())
        );
    }

    #[test]
    fn filler_and_malformed_pars_are_no_par() {
        let pan: &[u8] = &[0x47, 0x61, 0x73, 0x99, 0x00, 0x00, 0x00, 0x21];
        for par in [
            &[b'0'; 29][..],
            &[b' '; 29][..],
            b"V001",
            &[0xFF; 29][..],
            b"V001001382212345678901234567!",
        ] {
            let key = AccountKey::from_record(&record(&[(0x5A, pan), (0x9F24, par)]), &secret());
            assert!(matches!(key, Some(AccountKey::KeyedPan(_))), "{par:?}");
        }
        assert_eq!(AccountKey::from_record(&TagMap::new(), &secret()), None);
        assert_eq!(AccountKey::parse("4761739900000021"), None);
        assert_eq!(AccountKey::parse("pan-hmac:4761739900000021"), None);
    }

    #[test]
    fn the_secret_is_created_once_with_mode_0600_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = TerminalSecret::beside(&dir.path().join("data/journal.sqlite"));
        assert_eq!(path, dir.path().join("data/account.key"));
        let first = TerminalSecret::load_or_create(&path).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(meta.len(), 64);
        let again = TerminalSecret::load_or_create(&path).unwrap();
        assert_eq!(first.0, again.0);
        assert_ne!(first.0, [0; 64]);
        assert_eq!(format!("{first:?}"), "TerminalSecret(hidden)");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("account.key")]);
    }

    #[test]
    fn terminals_starting_at_once_share_one_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("account.key");
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || TerminalSecret::load_or_create(&path).map(|s| s.0))
            })
            .collect();
        let keys: Vec<_> = threads
            .into_iter()
            .map(|t| t.join().unwrap().unwrap())
            .collect();
        assert!(keys.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn an_exposed_or_wrong_secret_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("account.key");
        TerminalSecret::load_or_create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = TerminalSecret::load_or_create(&path).unwrap_err();
        assert!(
            matches!(err, SecretError::Exposed { mode: 0o644, .. }),
            "{err}"
        );
        std::fs::write(&path, b"short").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = TerminalSecret::load_or_create(&path).unwrap_err();
        assert!(
            matches!(err, SecretError::Malformed { length: 5, .. }),
            "{err}"
        );
    }
}

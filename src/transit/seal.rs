//! Sealing a queued authorisation request: the host needs the full PAN of a deferred
//! authorisation, and the journal must never hold one readable (DESIGN.md: card data is
//! secret). The request is encrypted and authenticated under a key kept outside the
//! journal file, in a file only the terminal's user can read.
//!
//! Construction: triple-DES (three-key EDE) in CBC mode with a random IV and ISO/IEC 9797-1
//! padding method 2 (NIST SP 800-67, SP 800-38A), then encrypt-then-MAC with ISO/IEC 9797-1
//! MAC algorithm 3 over the length, IV and ciphertext. Decided without a source for this
//! use: triple-DES because the `des` crate is already the host simulator's; a terminal that
//! takes real payments would keep this key in an HSM and use AES-GCM.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use des::TdesEde3;
use des::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

use crate::host::crypto::{Padding, mac_alg3};

/// Key bytes: 24 for the cipher, 16 for the MAC.
const KEY_LENGTH: usize = 40;

/// Why a sealed request could not be made or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The key file could not be read or created.
    #[error("queue key {path}: {detail}")]
    Key {
        /// The file.
        path: String,
        /// Why.
        detail: String,
    },
    /// No random source for the key or the IV.
    #[error("no random source: {0}")]
    Random(String),
    /// The blob is not one this key sealed (damaged, or another terminal's).
    #[error("sealed request does not authenticate")]
    Forged,
}

/// The terminal's queue key.
#[derive(Clone)]
pub struct QueueKey {
    cipher: [u8; 24],
    mac: [u8; 16],
}

impl std::fmt::Debug for QueueKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueueKey(..)")
    }
}

impl QueueKey {
    /// The key file beside a journal: `<journal>.queue-key`.
    pub fn path_for(journal: &Path) -> PathBuf {
        let mut name = journal.as_os_str().to_os_string();
        name.push(".queue-key");
        PathBuf::from(name)
    }

    /// Reads the key at `path`, creating it (mode 0600, fresh random bytes) when missing.
    pub fn load_or_create(path: &Path) -> Result<QueueKey, SealError> {
        let err = |detail: String| SealError::Key {
            path: path.display().to_string(),
            detail,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                QueueKey::from_bytes(&bytes).ok_or_else(|| err("not a queue key file".into()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; KEY_LENGTH];
                getrandom::fill(&mut bytes).map_err(|e| SealError::Random(e.to_string()))?;
                let mut file = match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                {
                    Ok(f) => f,
                    // Another process made it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        return QueueKey::load_or_create(path);
                    }
                    Err(e) => return Err(err(e.to_string())),
                };
                file.write_all(&bytes)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| err(e.to_string()))?;
                QueueKey::from_bytes(&bytes).ok_or_else(|| err("not a queue key file".into()))
            }
            Err(e) => Err(err(e.to_string())),
        }
    }

    /// A key from its 40 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<QueueKey> {
        if bytes.len() != KEY_LENGTH {
            return None;
        }
        let mut cipher = [0u8; 24];
        cipher.copy_from_slice(&bytes[..24]);
        let mut mac = [0u8; 16];
        mac.copy_from_slice(&bytes[24..]);
        Some(QueueKey { cipher, mac })
    }

    fn tag(&self, iv: &[u8], body: &[u8]) -> [u8; 8] {
        let mut data = (body.len() as u64).to_be_bytes().to_vec();
        data.extend_from_slice(iv);
        data.extend_from_slice(body);
        mac_alg3(&self.mac, &data, Padding::Method2)
    }

    /// `IV ‖ CBC(padded plaintext) ‖ MAC`.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut iv = [0u8; 8];
        getrandom::fill(&mut iv).map_err(|e| SealError::Random(e.to_string()))?;
        let cipher = TdesEde3::new(&self.cipher.into());
        let mut padded = plain.to_vec();
        padded.push(0x80);
        while !padded.len().is_multiple_of(8) {
            padded.push(0);
        }
        let mut chain = iv;
        let mut body = Vec::with_capacity(padded.len());
        for chunk in padded.chunks_exact(8) {
            let mut block = [0u8; 8];
            for ((b, p), c) in block.iter_mut().zip(chunk).zip(chain) {
                *b = p ^ c;
            }
            let mut b = block.into();
            cipher.encrypt_block(&mut b);
            chain = b.into();
            body.extend_from_slice(&chain);
        }
        let mut out = iv.to_vec();
        out.extend_from_slice(&self.tag(&iv, &body));
        out.splice(8..8, body);
        Ok(out)
    }

    /// The plaintext of a blob [`QueueKey::seal`] made with this key.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.len() < 24 || !(sealed.len() - 16).is_multiple_of(8) {
            return Err(SealError::Forged);
        }
        let (iv, rest) = sealed.split_at(8);
        let (body, tag) = rest.split_at(rest.len() - 8);
        if self.tag(iv, body) != tag {
            return Err(SealError::Forged);
        }
        let cipher = TdesEde3::new(&self.cipher.into());
        let mut chain: [u8; 8] = iv.try_into().map_err(|_| SealError::Forged)?;
        let mut plain = Vec::with_capacity(body.len());
        for chunk in body.chunks_exact(8) {
            let block: [u8; 8] = chunk.try_into().map_err(|_| SealError::Forged)?;
            let mut b = block.into();
            cipher.decrypt_block(&mut b);
            let decrypted: [u8; 8] = b.into();
            plain.extend(decrypted.iter().zip(chain).map(|(d, c)| d ^ c));
            chain = block;
        }
        let end = plain
            .iter()
            .rposition(|b| *b != 0)
            .ok_or(SealError::Forged)?;
        if plain.get(end) != Some(&0x80) {
            return Err(SealError::Forged);
        }
        plain.truncate(end);
        Ok(plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(fill: u8) -> QueueKey {
        QueueKey::from_bytes(&[fill; KEY_LENGTH]).unwrap()
    }

    #[test]
    fn seals_and_opens_and_hides_the_plaintext() {
        let plain = br#"{"record":{"5A":"4895370000000015"}}"#;
        let sealed = key(7).seal(plain).unwrap();
        assert_eq!(key(7).open(&sealed).unwrap(), plain.to_vec());
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("4895370000000015"));
        assert_ne!(key(7).seal(plain).unwrap(), sealed, "a fresh IV each time");
        for len in [0, 1, 7, 8, 9, 100] {
            let p = vec![0u8; len];
            assert_eq!(key(3).open(&key(3).seal(&p).unwrap()).unwrap(), p);
        }
    }

    #[test]
    fn another_key_or_a_changed_byte_does_not_open() {
        let sealed = key(7).seal(b"ride").unwrap();
        assert_eq!(key(8).open(&sealed), Err(SealError::Forged));
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert_eq!(key(7).open(&bad), Err(SealError::Forged), "byte {i}");
        }
        assert_eq!(
            key(7).open(&sealed[..sealed.len() - 1]),
            Err(SealError::Forged)
        );
        assert_eq!(key(7).open(&[]), Err(SealError::Forged));
    }

    #[test]
    fn the_key_file_is_created_once_and_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = QueueKey::path_for(&dir.path().join("j.sqlite"));
        let first = QueueKey::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = QueueKey::load_or_create(&path).unwrap();
        let sealed = first.seal(b"x").unwrap();
        assert_eq!(again.open(&sealed).unwrap(), b"x".to_vec());
        std::fs::write(&path, b"short").unwrap();
        assert!(matches!(
            QueueKey::load_or_create(&path),
            Err(SealError::Key { .. })
        ));
    }
}

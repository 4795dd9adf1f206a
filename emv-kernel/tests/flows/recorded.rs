//! Valid recorded flows to mutate: every vector of `test-vectors/` and of the shared real
//! taps (`shared/vectors/real`, when present), with its configuration, transaction and the
//! card's answers tap by tap. Shared by `tests/mutated_flows.rs` and the fuzz target.

use std::path::{Path, PathBuf};
use std::time::Duration;

use emv_kernel::config::{TerminalConfig, Transaction};
use emv_kernel::transport::TransportError;
use emv_kernel::vector::{self, ExchangeError};

/// What the card gave for one command: the response with its status word, or an error.
pub type Answer = Result<Vec<u8>, TransportError>;

/// One recorded exchange.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The command the kernel sent.
    pub command: Vec<u8>,
    /// The card's answer.
    pub answer: Answer,
    /// The card's processing time as recorded (`us`), zero where not recorded.
    pub elapsed: Duration,
}

/// One vector as a flow to replay.
#[derive(Debug, Clone)]
pub struct Flow {
    /// The vector's file name.
    pub name: String,
    /// Its terminal configuration.
    pub config: TerminalConfig,
    /// Its transaction inputs.
    pub transaction: Transaction,
    /// Its exchanges, one list per tap.
    pub taps: Vec<Vec<Exchange>>,
}

/// Every vector of `dir`, sorted by name. A vector that does not parse panics: these are
/// the project's own files, checked by `tests/vectors.rs` too.
pub fn load_dir(dir: &Path) -> Vec<Flow> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.iter().map(|p| load(p)).collect()
}

/// One vector file as a flow; panics where it does not parse (see [`load_dir`]).
pub fn load(path: &Path) -> Flow {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v = vector::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (config, transaction) = v
        .inputs()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let taps = v
        .taps
        .iter()
        .map(|tap| {
            tap.iter()
                .map(|x| Exchange {
                    command: x.c.0.clone(),
                    answer: match (&x.r, x.error) {
                        (Some(r), _) => Ok(r.0.clone()),
                        (None, Some(ExchangeError::Timeout)) => Err(TransportError::Timeout),
                        (None, _) => Err(TransportError::CardRemoved),
                    },
                    elapsed: Duration::from_micros(x.us.unwrap_or(0)),
                })
                .collect()
        })
        .collect();
    Flow {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        config,
        transaction,
        taps,
    }
}

impl Flow {
    /// The recorded answer to `command` as a card that knows its files would give it: the
    /// same command in this tap, then in any tap; a READ RECORD of the same record; GPO,
    /// GENERATE AC or EXCHANGE RELAY RESISTANCE DATA with other data; else, for a READ
    /// RECORD nobody recorded, an empty record (so a hostile AFL is followed to its end),
    /// and "file not found" for anything else. The time is the recorded one, zero where
    /// the vector has none.
    pub fn answer(&self, tap: usize, command: &[u8]) -> (Answer, Duration) {
        let here = self.taps.get(tap).into_iter().flatten();
        let all = self.taps.iter().flatten();
        let same = |x: &&Exchange| x.command == command;
        let header = |n: usize| move |x: &&Exchange| x.command.get(..n) == command.get(..n);
        let found = here
            .clone()
            .find(same)
            .or_else(|| all.clone().find(same))
            .or_else(|| {
                let n = match command {
                    [0x00, 0xB2, ..] => 4,
                    [0x80, 0xA8 | 0xAE | 0xEA, ..] => 2,
                    _ => return None,
                };
                here.clone()
                    .find(header(n))
                    .or_else(|| all.clone().find(header(n)))
            });
        match (found, command) {
            (Some(x), _) => (x.answer.clone(), x.elapsed),
            (None, [0x00, 0xB2, ..]) => (Ok(vec![0x70, 0x00, 0x90, 0x00]), Duration::ZERO),
            (None, _) => (Ok(vec![0x6A, 0x82]), Duration::ZERO),
        }
    }
}

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

fn load(path: &Path) -> Flow {
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

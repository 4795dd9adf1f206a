//! What the cashier reads: Book A user interface messages in words, and the full-screen
//! banner a [`Verdict`] is shown as (Book A 7.1 Outcome, 9.4 standard messages). The verdict
//! itself is worked out once, in [`crate::checkout`].

pub use crate::transaction::kind_text;
use crate::verdict::Verdict;
pub use crate::verdict::{Tone, message_text};

/// A full-screen outcome banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// Colour.
    pub tone: Tone,
    /// The one big word or phrase ("Approved").
    pub title: String,
    /// Smaller lines under it.
    pub detail: Vec<String>,
}

/// The banner for a finished transaction: its verdict's tone, title and detail.
pub fn outcome_banner(verdict: &Verdict) -> Banner {
    Banner {
        tone: verdict.tone(),
        title: verdict.title.clone(),
        detail: verdict.detail.clone(),
    }
}

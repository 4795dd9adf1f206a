//! The kernel framework: kernel identifiers, the registry Entry Point activates kernels
//! from (Book B 3.4), the context every kernel works on, and typed kernel errors turned into
//! outcomes in one place ([`activate`]).
//!
//! A kernel is a function from a fresh [`KernelContext`] to its result; adding one is a line
//! in [`KERNELS`].

pub mod context;
pub mod emv_mode;
pub mod error;
pub mod id;
pub(crate) mod quick;

pub use context::{CardAnswer, KernelContext, Limits};
pub use error::{Command, KernelError};
pub use id::KernelId;

use crate::session::{KernelInput, KernelResult, Session};

/// A kernel: from activation to its outcome, or a typed reason it ended early.
pub type Kernel = fn(KernelContext<'_, '_, '_>) -> Result<KernelResult, KernelError>;

/// The kernels this reader has, by identifier. Registering a kernel is one line.
pub const KERNELS: &[(KernelId, Kernel)] = &[
    (KernelId::Mastercard, crate::kernel2::run),
    (KernelId::Visa, crate::kernel3::run),
    (KernelId::Amex, crate::kernel4::run),
    (KernelId::UnionPay, crate::kernel7::run),
];

/// Book B 3.4 kernel activation: runs the kernel registered for `id` with Entry Point's
/// input; `None` when the reader has no such kernel. A kernel's [`KernelError`] becomes its
/// outcome here and nowhere else.
pub fn activate(
    id: KernelId,
    session: &mut Session<'_>,
    input: KernelInput<'_>,
) -> Option<KernelResult> {
    let (_, kernel) = KERNELS.iter().find(|(k, _)| *k == id)?;
    let hold = crate::session::message_hold_time(input.combination);
    let result = kernel(KernelContext::new(&mut *session, input));
    Some(result.unwrap_or_else(|error| {
        if let KernelError::Transport { .. } = error {
            session.note(error.to_string());
        }
        session.decide(format!("kernel {id}: End Application: {error}"));
        error.outcome(hold).into()
    }))
}

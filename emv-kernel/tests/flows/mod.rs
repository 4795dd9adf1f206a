//! Recorded flows and the invariants every transaction keeps, for the mutated-flow test and
//! the fuzz target (which includes these files by path).

pub mod invariants;
pub mod recorded;
pub mod tlv_edit;

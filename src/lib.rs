//! tapterm's library half: the modules the binary, the integration tests and the window
//! share (terminal configuration, the GUI).

pub mod gui;
pub mod terminal_config;

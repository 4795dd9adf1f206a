//! tapterm: a desktop point-of-sale terminal for contactless EMV payments.
//!
//! The command line lives in `cli/`, one module per subcommand; everything it runs is in
//! the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}

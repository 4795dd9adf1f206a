//! `tapterm host --listen ADDR`: the issuer simulator as a TCP service (protocol in
//! src/host/server.rs).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tapterm::host::Host;
use tapterm::host::server::Server;

/// Arguments of `tapterm host`.
#[derive(Debug, clap::Args)]
pub struct HostArgs {
    /// Address to listen on, e.g. 127.0.0.1:8583 (port 0 picks a free port).
    #[arg(long)]
    listen: String,
    /// Issuer key file (default: the shipped test keys, assets/host/issuers.toml).
    #[arg(long)]
    issuers: Option<PathBuf>,
    /// Rules file (default: assets/host/rules.toml as shipped).
    #[arg(long)]
    rules: Option<PathBuf>,
}

/// Runs the host simulator as a TCP service until killed.
pub fn run(args: HostArgs) -> ExitCode {
    let host = match Host::load(args.issuers.as_deref(), args.rules.as_deref()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("tapterm: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = match Server::bind(&args.listen, host) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tapterm: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    match server.local_addr() {
        Ok(addr) => println!("tapterm host listening on {addr}"),
        Err(e) => eprintln!("tapterm: {e}"),
    }
    let _ = std::io::stdout().flush();
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tapterm: host stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

//! Shared by the end-to-end tests and the tap bench: a private pcscd started through
//! scripts/pcscd-private, and `tapterm phone` processes as the wallet in the field.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A private pcscd with one vpcd entry (two slots: PORT and PORT+1).
pub struct Pcscd {
    script: Child,
    /// The socket path to give clients as PCSCLITE_CSOCK_NAME.
    pub socket: String,
    pid: u32,
    dir: PathBuf,
}

impl Pcscd {
    /// Starts pcscd with one vpcd entry named `name` on `port` (and `port + 1`).
    pub fn start(dir: &Path, port: u16, name: &str) -> Pcscd {
        Pcscd::launch(dir, Some(format!("{port}:{name}")))
    }

    /// Starts pcscd with no reader configured.
    #[allow(
        dead_code,
        reason = "only the doctor test wants a pcscd without readers"
    )]
    pub fn without_readers(dir: &Path) -> Pcscd {
        Pcscd::launch(dir, None)
    }

    fn launch(dir: &Path, spec: Option<String>) -> Pcscd {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pcscd-private");
        let mut child = Command::new(script)
            .arg("--dir")
            .arg(dir)
            .args(spec)
            .stdout(Stdio::piped())
            .spawn()
            .expect("cannot run scripts/pcscd-private");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut socket = None;
        let mut pid = None;
        while socket.is_none() || pid.is_none() {
            let Some(Ok(line)) = lines.next() else {
                panic!(
                    "scripts/pcscd-private failed to start pcscd (see its stderr above). \
                     Install pcscd and vsmartcard-vpcd with scripts/setup, and run as root or \
                     with unprivileged user namespaces enabled."
                );
            };
            if let Some(s) = line.strip_prefix("PCSCLITE_CSOCK_NAME=") {
                socket = Some(s.to_string());
            }
            if let Some(p) = line.strip_prefix("PCSCD_PID=") {
                pid = p.parse().ok();
            }
        }
        Pcscd {
            script: child,
            socket: socket.unwrap(),
            pid: pid.unwrap(),
            dir: dir.to_path_buf(),
        }
    }

    /// Kills pcscd hard (SIGKILL), as a crash would, and waits for the script to notice.
    #[allow(dead_code, reason = "only the end-to-end tests crash pcscd")]
    pub fn kill_hard(mut self) -> PathBuf {
        let _ = Command::new("kill")
            .args(["-KILL", &self.pid.to_string()])
            .status();
        let _ = self.script.wait();
        self.dir.clone()
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.script.id().to_string()])
            .status();
        let _ = self.script.wait();
    }
}

/// A `tapterm phone` process; killed when dropped.
pub struct Phone(Child);

impl Drop for Phone {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tapterm phone --profile PROFILE --port PORT EXTRA…`.
pub fn phone(profile: &str, port: u16, extra: &[&str]) -> Phone {
    Phone(
        Command::new(env!("CARGO_BIN_EXE_tapterm"))
            .args(["phone", "--profile", profile, "--port", &port.to_string()])
            .args(extra)
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start tapterm phone"),
    )
}

/// Two free consecutive TCP ports (a vpcd entry's two slots), so that concurrent runs of
/// these tests on one machine never share a reader.
pub fn free_ports() -> u16 {
    for _ in 0..200 {
        let Ok(first) = std::net::TcpListener::bind(("0.0.0.0", 0)) else {
            continue;
        };
        let Ok(addr) = first.local_addr() else {
            continue;
        };
        let port = addr.port();
        if port < u16::MAX && std::net::TcpListener::bind(("0.0.0.0", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no two free consecutive TCP ports for vpcd");
}

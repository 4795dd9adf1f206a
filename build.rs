//! Finds the shared reference vectors (`shared/vectors`, real recorded taps kept outside the
//! project) above this crate, as emv-kernel/build.rs does for the kernel's tests: where they
//! exist, the app tests that decode them run; where they do not, those tests are ignored,
//! never counted as passed without having run.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_vectors)");
    println!("cargo::rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let found = manifest
        .ancestors()
        .map(|dir| dir.join("shared/vectors"))
        .find(|dir| dir.is_dir());
    if let Some(dir) = found {
        println!("cargo::rustc-cfg=shared_vectors");
        println!("cargo::rustc-env=TAPTERM_SHARED_VECTORS={}", dir.display());
        println!("cargo::rerun-if-changed={}", dir.display());
    }
}

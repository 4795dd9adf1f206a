//! Finds the shared reference vectors (`shared/vectors`, real recorded taps kept outside the
//! project) above this crate. Where they exist, the tests that replay them are compiled to
//! run; where they do not, those tests are marked ignored, so they are never counted as
//! passed without having run. The app's build.rs runs this same `main` for its own tests.

use std::path::PathBuf;

/// Sets `cfg(shared_vectors)` and `TAPTERM_SHARED_VECTORS` when `shared/vectors` is found.
pub fn main() {
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

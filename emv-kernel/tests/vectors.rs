//! Replays every vector in `test-vectors/` (and the real recorded taps kept outside the
//! repository, when present) through the whole kernel: commands byte for byte, outcomes,
//! UI, data record.

use std::path::{Path, PathBuf};

use emv_kernel::replay::{self, Verdict};
use emv_kernel::{entry_point, vector};

fn vector_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// Replays every file of `dir`; returns the failures with their reasons.
fn replay_dir(dir: &Path) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let files = vector_files(dir);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let v = match vector::parse(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: invalid vector: {e}"));
                continue;
            }
        };
        let (verdict, result) = replay::run_vector(&v, entry_point::run);
        if verdict != Verdict::Pass {
            let decisions = result.map(|r| r.decisions).unwrap_or_default();
            failures.push(format!(
                "{name}: {verdict:?}\n    decisions: {decisions:#?}"
            ));
        }
    }
    (files.len(), failures)
}

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

#[test]
fn project_vectors_pass() {
    let (count, failures) = replay_dir(&manifest_path("../test-vectors"));
    assert!(count >= 20, "only {count} vectors in test-vectors/");
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn real_recorded_vectors_pass() {
    let dir = manifest_path("../../shared/vectors/real");
    if !dir.is_dir() {
        println!(
            "note: {} not found; real vectors not replayed",
            dir.display()
        );
        return;
    }
    let (count, failures) = replay_dir(&dir);
    assert!(count > 0, "no real vectors found in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

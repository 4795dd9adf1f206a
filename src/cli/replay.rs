//! `tapterm replay`: run transaction vectors (test-vectors/README.md) against the kernel and
//! print one line per vector plus a summary, for people and for CI.
//!
//! Output contract: `pass  NAME`, `FAIL  NAME: first difference`, `INVALID FILE: reason`,
//! then the last line `N passed, N failed` (invalid vectors count as failed; when there are
//! any, the line before the summary says how many). Exit status 0 only when every vector
//! passed, 1 when any failed or was invalid, 2 for usage errors (a path that does not exist,
//! a folder without vectors).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use emv_kernel::replay::{Verdict, run_vector};

/// Arguments of `tapterm replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Vector files or folders of vectors (every *.json directly inside, in name order).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// What happened to one vector file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Passed.
    Pass { name: String },
    /// Ran and differed; the text names the first difference.
    Fail { name: String, why: String },
    /// The file is not a usable vector.
    Invalid { file: String, why: String },
}

impl Report {
    /// The line printed for this vector.
    pub fn line(&self) -> String {
        match self {
            Report::Pass { name } => format!("pass  {name}"),
            Report::Fail { name, why } => format!("FAIL  {name}: {why}"),
            Report::Invalid { file, why } => format!("INVALID {file}: {why}"),
        }
    }
}

/// Expands the command-line paths into vector files; a folder contributes its `*.json`
/// files (not sub-folders), sorted by name.
pub fn vector_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read folder {}: {e}", path.display()))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
                .collect();
            if found.is_empty() {
                return Err(format!("no *.json vectors in {}", path.display()));
            }
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("no such file or folder: {}", path.display()));
        }
    }
    Ok(files)
}

/// Reads, checks and runs one vector file against the kernel.
pub fn run_file(path: &Path) -> Report {
    let file = path.display().to_string();
    let json = match std::fs::read_to_string(path) {
        Ok(json) => json,
        Err(e) => {
            return Report::Invalid {
                file,
                why: e.to_string(),
            };
        }
    };
    let vector = match emv_kernel::vector::parse(&json) {
        Ok(v) => v,
        Err(e) => return Report::Invalid { file, why: e.0 },
    };
    let name = vector.name.clone();
    // A kernel bug must show as this vector failing, not end the whole run.
    let verdict = catch_unwind(AssertUnwindSafe(|| {
        run_vector(&vector, emv_kernel::entry_point::run).0
    }))
    .unwrap_or_else(|_| Verdict::Fail("the kernel panicked".into()));
    match verdict {
        Verdict::Pass => Report::Pass { name },
        Verdict::Fail(why) => Report::Fail { name, why },
        Verdict::Invalid(why) => Report::Invalid { file, why },
    }
}

/// The lines after the per-vector lines: an optional breakdown, then `N passed, N failed`.
pub fn summary(reports: &[Report]) -> Vec<String> {
    let passed = reports
        .iter()
        .filter(|r| matches!(r, Report::Pass { .. }))
        .count();
    let invalid = reports
        .iter()
        .filter(|r| matches!(r, Report::Invalid { .. }))
        .count();
    let failed = reports.len() - passed;
    let mut lines = Vec::new();
    if invalid > 0 {
        lines.push(format!(
            "{} failed on replay, {invalid} invalid (invalid vectors count as failed)",
            failed - invalid
        ));
    }
    lines.push(format!("{passed} passed, {failed} failed"));
    lines
}

/// Runs the subcommand.
pub fn run(args: ReplayArgs) -> ExitCode {
    let files = match vector_files(&args.paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let reports: Vec<Report> = files
        .iter()
        .map(|f| {
            let report = run_file(f);
            println!("{}", report.line());
            report
        })
        .collect();
    for line in summary(&reports) {
        println!("{line}");
    }
    if reports.iter().all(|r| matches!(r, Report::Pass { .. })) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_invalid_as_failed() {
        let reports = [
            Report::Pass { name: "a".into() },
            Report::Fail {
                name: "b".into(),
                why: "x".into(),
            },
            Report::Invalid {
                file: "c.json".into(),
                why: "y".into(),
            },
        ];
        assert_eq!(
            summary(&reports),
            [
                "1 failed on replay, 1 invalid (invalid vectors count as failed)",
                "1 passed, 2 failed"
            ]
        );
        assert_eq!(summary(&reports[..1]), ["1 passed, 0 failed"]);
        assert_eq!(reports[1].line(), "FAIL  b: x");
    }

    #[test]
    fn missing_paths_are_usage_errors() {
        let e = vector_files(&[PathBuf::from("/no/such/vector.json")]).unwrap_err();
        assert!(e.contains("no such file"), "{e}");
    }
}

//! `tapterm replay` run as a program over fixture vectors that work with any Entry Point
//! (the PPSE is answered 6A82, so the transaction ends after one command).

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay")
}

fn replay(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapterm"))
        .arg("replay")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn folder_with_pass_fail_and_invalid() {
    let out = replay(&[fixtures().as_os_str()]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(lines.len(), 5, "{stdout}");
    assert_eq!(lines[0], "pass  ppse-not-found-ends");
    assert_eq!(
        lines[1],
        "FAIL  ppse-not-found-expects-approval: outcome end_application but expected approved"
    );
    assert!(lines[2].starts_with("INVALID "), "{stdout}");
    assert!(lines[2].contains("unknown-field.json"), "{stdout}");
    assert!(lines[2].contains("unknown field `colour`"), "{stdout}");
    assert_eq!(
        lines[3],
        "1 failed on replay, 1 invalid (invalid vectors count as failed)"
    );
    assert_eq!(lines[4], "1 passed, 2 failed");
}

#[test]
fn single_passing_file_exits_zero() {
    let file = fixtures().join("ppse-not-found-ends.json");
    let out = replay(&[file.as_os_str()]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "pass  ppse-not-found-ends\n1 passed, 0 failed\n"
    );
}

#[test]
fn bad_json_and_bad_hex_are_invalid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-broken.json"), "{ not json").unwrap();
    let good = std::fs::read_to_string(fixtures().join("ppse-not-found-ends.json")).unwrap();
    let bad_hex = good.replace("\"r\": \"6A82\"", "\"r\": \"6A8Z\"");
    assert_ne!(good, bad_hex);
    std::fs::write(dir.path().join("b-bad-hex.json"), bad_hex).unwrap();
    let out = replay(&[dir.path().as_os_str()]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(out.status.code(), Some(1));
    assert!(lines[0].starts_with("INVALID ") && lines[0].contains("a-broken.json"));
    assert!(
        lines[1].starts_with("INVALID ") && lines[1].contains("bad hex"),
        "{stdout}"
    );
    assert_eq!(lines.last(), Some(&"0 passed, 2 failed"));
}

#[test]
fn missing_path_is_a_usage_error() {
    let out = replay(&[std::ffi::OsStr::new("/no/such/folder")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("/no/such/folder")
    );
}

//! `tapterm config` run as a program: the built-in configuration loads, a broken user file
//! gives one line naming the file and the field, exit status 2.

use std::process::Command;

fn config(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tapterm"))
        .arg("config")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn builtin_configuration_is_shown() {
    let out = config(&[]);
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("merchant: TAPTERM DEMO SHOP"), "{s}");
    assert!(s.contains("combination AID A0000000031010 kernel 3"), "{s}");
    assert!(s.contains("combination AID A0000000041010 kernel 2"), "{s}");
}

#[test]
fn broken_user_file_names_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user.toml");
    std::fs::write(&path, "[app]\nmin_amount = \"-1\"\n").unwrap();
    let out = config(&["--config", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("user.toml: app.min_amount"), "{err}");
}

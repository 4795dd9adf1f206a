//! `tapterm` without a display: a clear message and exit status 2, never a panic.

use std::process::Command;

#[test]
fn an_unknown_demo_profile_is_refused_with_the_list() {
    let out = Command::new(env!("CARGO_BIN_EXE_tapterm"))
        .args(["gui", "--demo", "nope"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("visa-phone") && stderr.contains("mastercard-card"),
        "{stderr}"
    );
}

#[test]
fn without_a_display_the_window_explains_and_exits_2() {
    for display in [None, Some(":987")] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tapterm"));
        cmd.env_remove("WAYLAND_DISPLAY");
        match display {
            Some(d) => cmd.env("DISPLAY", d),
            None => cmd.env_remove("DISPLAY"),
        };
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("tapterm pay --demo"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

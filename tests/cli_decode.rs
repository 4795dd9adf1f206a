//! `tapterm decode` run as a program: the Must-show cases of issue 2.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const FCI: &str = "6F2F840E325041592E5359532E4444463031A51DBF0C1A61184F07A0000000031010\
                   500A564953412044454249548701019000";

fn tapterm(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tapterm"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn decodes_the_ppse_response() {
    let out = tapterm(&["decode", FCI], None);
    assert!(out.status.success());
    let s = text(&out.stdout);
    for want in [
        "File Control Information (FCI) Template",
        "Dedicated File (DF) Name",
        "Application Label",
        "\"VISA DEBIT\"",
        "Application Priority Indicator",
        "priority 1",
        "SW 9000: success",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
}

#[test]
fn reads_spaced_hex_from_stdin_and_prints_json() {
    let spaced = "6F2F 840E325041592E5359532E4444463031\nA51D BF0C1A 6118 4F07A0000000031010 \
                  500A56495341204445424954 870101 9000\n";
    let out = tapterm(&["decode", "--json"], Some(spaced));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status_word"]["sw"], "9000");
    let app = &json["objects"][0]["children"][1]["children"][0]["children"][0];
    assert_eq!(app["tag"], "61");
    assert_eq!(app["children"][1]["value"], "VISA DEBIT");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    for (arg, want) in [("6F05", "offset 0"), ("zz", "position 0")] {
        let out = tapterm(&["decode", arg], None);
        assert_eq!(out.status.code(), Some(2), "{arg}");
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(want), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn masks_track2_unless_revealed() {
    let record = "70 15 57 13 4761739001010119D22122011143804400000F";
    let out = tapterm(&["decode", record], None);
    let s = text(&out.stdout);
    assert!(s.contains("476173******0119"), "{s}");
    assert!(!s.contains("4761739001010119"), "{s}");
    let out = tapterm(&["decode", "--reveal", record], None);
    assert!(text(&out.stdout).contains("4761739001010119D2212"));
    let help = tapterm(&["decode", "--help"], None);
    assert!(text(&help.stdout).contains("--reveal"));
    assert!(text(&help.stdout).contains("masked"));
}

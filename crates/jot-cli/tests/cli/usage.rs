//! Help, version, completions, and a closed stdout.

use std::process::Stdio;

use predicates::str::{contains, is_empty, starts_with};

use crate::harness::{jot, run};

#[test]
fn help_documents_exit_codes() {
    for args in [
        vec!["--help"],
        vec!["verify", "--help"],
        vec!["decode", "-h"],
    ] {
        jot()
            .args(&args)
            .assert()
            .success()
            .stdout(contains("Exit status:"))
            .stdout(contains("1  the token was rejected"))
            .stdout(contains("2  usage, key or I/O error"));
    }
    jot()
        .arg("--version")
        .assert()
        .success()
        .stdout(starts_with("jot "));
    jot()
        .assert()
        .code(2)
        .stdout(is_empty())
        .stderr(contains("Usage:"));
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, out, _) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(
            out.contains("keygen") && out.contains("thumbprint"),
            "{shell}"
        );
    }
}

#[test]
fn broken_pipe_is_not_an_error() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jot"))
        .env_clear()
        .args(["completions", "zsh"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

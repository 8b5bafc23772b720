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
fn help_says_only_what_each_command_does() {
    let help = |args: &[&str]| {
        let out = jot().args(args).arg("--help").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        crate::harness::text(&out.stdout)
    };
    // Commands that judge no token never exit 1 for a rejected one.
    for args in [
        &["keygen"][..],
        &["encrypt"],
        &["encode"],
        &["jwk", "public"],
        &["jwk", "thumbprint"],
        &["jwk", "convert"],
        &["jwk", "set"],
    ] {
        let text = help(args);
        assert!(!text.contains("token was rejected"), "{args:?}: {text}");
        assert!(text.contains("2  usage, key or I/O error"), "{args:?}");
    }
    // Each default is said once.
    let rotate = help(&["rotate-key"]);
    assert_eq!(
        rotate.matches("[default: ./jot-data]").count(),
        1,
        "{rotate}"
    );
    assert_eq!(rotate.matches("[default: the current key's]").count(), 1);
    let serve = help(&["serve"]);
    for default in [
        "[default: 127.0.0.1:8080]",
        "[default: ./jot-data]",
        "[default: the issuer URL]",
        "[default: 15m]",
        "[default: text]",
    ] {
        assert!(serve.contains(default), "{default}: {serve}");
    }
    assert!(!serve.contains("(the default)"), "{serve}");
    // --alg of a thumbprint does not claim to write anything.
    let thumbprint = help(&["jwk", "thumbprint"]);
    assert!(
        thumbprint.contains("never on the algorithm") && !thumbprint.contains("exported"),
        "{thumbprint}"
    );
    // --date is for the commands that show dates.
    assert!(help(&["verify"]).contains("--date <ZONE>"));
    assert!(!help(&["keygen"]).contains("--date"));
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

//! The README's quick start and its JWE section, run as written.

use std::process::Command;

use crate::harness::{scratch, text};

/// The first `sh` block of the README section `heading`.
fn block(heading: &str) -> &'static str {
    let readme = include_str!("../../README.md");
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("a {heading} section"));
    readme[start..]
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("a sh block in {heading}"))
}

/// Runs `block` with `sh -e` in a fresh directory, `jot` on PATH: (stdout, stderr).
fn run_block(block: &str) -> (String, String) {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_jot"))
        .parent()
        .unwrap();
    let path = format!("{}:/usr/bin:/bin", bin_dir.display());
    let out = Command::new("sh")
        .args(["-ec", block])
        .env_clear()
        .env("PATH", path)
        .current_dir(scratch())
        .output()
        .expect("sh runs");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    (stdout, stderr)
}

#[test]
fn quick_start_runs_as_written() {
    let block = block("## Quick start");
    assert_eq!(
        block.lines().filter(|l| l.contains("jot ")).count(),
        4,
        "four commands"
    );
    let (stdout, stderr) = run_block(block);
    assert!(stderr.contains("UNVERIFIED"), "{stderr}");
    // decode, then verify, each showed the claims.
    assert_eq!(stdout.matches("\"sub\": \"alice\"").count(), 2, "{stdout}");
    assert!(stdout.contains("\"role\": \"admin\""));
}

#[test]
fn jwe_section_runs_as_written() {
    let (stdout, _) = run_block(block("## Encrypted and nested tokens"));
    assert!(stdout.contains("meet at noon"), "{stdout}");
    assert!(stdout.contains("\"sub\": \"alice\""), "{stdout}");
}

//! The README's quick start, run as written.

use std::process::Command;

use crate::harness::{scratch, text};

#[test]
fn quick_start_runs_as_written() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("## Quick start")
        .expect("a Quick start section");
    let block = readme[start..]
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a sh block in the quick start");
    assert_eq!(
        block.lines().filter(|l| l.contains("jot ")).count(),
        4,
        "four commands"
    );
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
    assert!(stderr.contains("UNVERIFIED"), "{stderr}");
    // decode, then verify, each showed the claims.
    assert_eq!(stdout.matches("\"sub\": \"alice\"").count(), 2, "{stdout}");
    assert!(stdout.contains("\"role\": \"admin\""));
}

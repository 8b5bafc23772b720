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

/// The README's "Commands" block.
fn commands_block(readme: &str) -> (usize, usize) {
    let section = readme.find("## Commands\n").expect("a Commands section");
    let start = readme[section..].find("```text\n").expect("a text block") + section + 8;
    let end = readme[start..].find("```\n").expect("the block's end") + start;
    (start, end)
}

#[test]
fn commands_block_is_written_from_the_clap_definitions() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = commands_block(&readme);
    let generated = jot_cli::synopsis();
    if std::env::var_os("JOT_BLESS").is_some() {
        let updated = format!("{}{generated}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        readme[start..end] == generated,
        "README.md's Commands block differs from the flags; rewrite it with \
         `JOT_BLESS=1 cargo test -p jot-cli --test cli readme::`\n--- README\n{}\n--- flags\n{generated}",
        &readme[start..end]
    );
}

#[test]
fn every_command_in_the_readme_has_help() {
    let readme = include_str!("../../README.md");
    let (start, end) = commands_block(readme);
    let mut commands: Vec<Vec<&str>> = readme[start..end]
        .lines()
        .filter_map(|line| line.strip_prefix("jot "))
        .map(|rest| {
            rest.split(' ')
                .take_while(|w| {
                    w.starts_with(|c: char| c.is_ascii_lowercase())
                        && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                })
                .collect()
        })
        .collect();
    commands.dedup();
    for expected in [
        &["serve"][..],
        &["rotate-key"],
        &["dpop"],
        &["jwk", "thumbprint"],
    ] {
        assert!(
            commands.iter().any(|c| c == expected),
            "{expected:?} in the README"
        );
    }
    for command in &commands {
        let mut args = command.clone();
        args.push("--help");
        crate::harness::jot().args(&args).assert().success();
    }
}

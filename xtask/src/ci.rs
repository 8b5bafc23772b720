//! `cargo xtask ci`: every check a change must pass, in order, stopping at the first failure.

use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::{cargo, deps, examples, exec, fuzz, nostd, wasm};

type Step = fn() -> Result<()>;

const STEPS: &[(&str, Step)] = &[
    ("format", format),
    ("clippy", clippy),
    ("tests", tests),
    ("providers", providers),
    ("wasm32 tests in Node.js", wasm::run),
    ("examples", examples::run),
    ("docs", docs),
    ("no_std jot-codec", nostd::check),
    ("fuzz build", fuzz::ci_build),
    ("release dry run", release_dry_run),
];

pub(crate) fn run() -> Result<()> {
    let start = Instant::now();
    for (name, step) in STEPS {
        eprintln!("==> {name}");
        let step_start = Instant::now();
        let result = step();
        let verdict = if result.is_ok() { "ok" } else { "FAILED" };
        eprintln!(
            "==> {name}: {verdict} in {:.1}s\n",
            step_start.elapsed().as_secs_f64()
        );
        result.with_context(|| format!("ci step `{name}` failed"))?;
    }
    eprintln!(
        "==> ci: all steps passed in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn release_dry_run() -> Result<()> {
    crate::release::run(&["patch".into(), "--dry-run".into()])
}

fn format() -> Result<()> {
    exec(&mut cargo(&["fmt", "--all", "--", "--check"]))
}

fn clippy() -> Result<()> {
    exec(&mut cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))
}

fn tests() -> Result<()> {
    // The browser and Python packages some tests drive: installed, never skipped.
    deps::ensure_all(&crate::acvp_cache()).map_err(anyhow::Error::msg)?;
    if has_nextest() {
        exec(
            cargo(&[
                "nextest",
                "run",
                "--workspace",
                "--all-features",
                "--no-fail-fast",
            ])
            .env("JOT_EXPECT_PROVIDER", "aws-lc-rs"),
        )?;
        exec(&mut cargo(&[
            "test",
            "--workspace",
            "--all-features",
            "--doc",
        ]))
    } else {
        exec(&mut cargo(&["test", "--workspace", "--all-features"]))
    }
}

/// The providers `--all-features` does not pick (it turns every feature on, and
/// aws-lc-rs wins): clippy and the key, JWE and conformance suites again on ring (the
/// defaults) and on RustCrypto. docs/PROVIDERS.md.
fn providers() -> Result<()> {
    const PACKAGES: [&str; 6] = ["-p", "jot-algorithms", "-p", "jot-jwe", "-p", "jot-tests"];
    for (provider, features) in [
        ("ring", "jot-algorithms/rsa-keygen"),
        (
            "rust-crypto",
            "jot-algorithms/rsa-keygen,jot-tests/rust-crypto",
        ),
    ] {
        eprintln!("--> provider {provider}");
        let mut clippy = vec!["clippy", "--all-targets", "--features", features];
        clippy.extend(PACKAGES);
        clippy.extend(["--", "-D", "warnings"]);
        exec(&mut cargo(&clippy))?;
        let mut test = if has_nextest() {
            vec!["nextest", "run", "--no-fail-fast"]
        } else {
            vec!["test"]
        };
        test.extend(["--features", features]);
        test.extend(PACKAGES);
        exec(cargo(&test).env("JOT_EXPECT_PROVIDER", provider))?;
    }
    Ok(())
}

fn docs() -> Result<()> {
    exec(
        cargo(&["doc", "--workspace", "--no-deps", "--all-features"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )
}

fn has_nextest() -> bool {
    cargo(&["nextest", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

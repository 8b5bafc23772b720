//! Repository automation for jot, run as `cargo xtask <task>`.
//!
//! Exit codes: 0 on success, 1 when a task fails, 2 on a usage error.

mod bench;
mod ci;
mod deps;
mod dist;
mod examples;
mod fuzz;
mod msrv;
mod nostd;
mod release;
mod semver;
#[cfg(test)]
mod tidy;
mod wasm;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result, ensure};

const USAGE: &str = "\
Usage: cargo xtask <task>

Tasks:
  ci       fmt, clippy, tests, wasm, docs and the jot-codec no_std check; stops at the first failure
  deps     install what the tests drive when missing: chromium, chromium-driver, postgresql,
           openssl (apt-get), PyJWT, jwcrypto, Authlib, requests (pip); `ci` runs it before the tests
  bench [--quick] [--provider ring|aws-lc-rs|rust-crypto] [--no-run] [FILTER]
           run the criterion suite (jot-bench) once per crypto provider of jot; print one table
           per provider (jot, jsonwebtoken on both backends, jwt-simple, jwt-compact, the floor)
           and draw docs/bench.svg (target/bench.svg unless a full run); --quick: short runs
  bench server    jot serve under load (wrk, installed when missing) on 127.0.0.1: client_credentials,
           refresh_token, introspect, JWKS, with and without an attacker; file store and
           PostgreSQL (one and two instances) -> a table, also in target/bench-server.md
  dist     release binary, completions, man page, licenses -> target/dist/jot-<version>-<target>.tar.gz
  release <major|minor|patch|VERSION> [--dry-run]
           check (cargo-semver-checks against the last release tag, once there is one), bump,
           promote the changelog, commit and tag (never publishes)
  fuzz [SECONDS] [TARGET...]
           run the cargo-fuzz targets of fuzz/ (all, or those named) for SECONDS each
           (default 60; needs nightly)
  examples run the library crates' examples: sign_verify, encrypt_decrypt, and the READMEs'
           api_server against a real `jot serve` (a token: 200, none: 401); `ci` runs it
  msrv     build the libraries with the declared rust-version toolchain (installed with rustup;
           fails when it cannot be)
  wasm     jot-codec built for wasm32-unknown-unknown, and the tests of tests/wasm (jot-algorithms
           on the rust-crypto provider) run in Node.js by wasm-bindgen-test-runner; installs the
           rustup target and wasm-bindgen-cli (at the locked wasm-bindgen version) when missing;
           `ci` runs it after the tests
  help     print this message

Exit codes: 0 success, 1 the task failed, 2 usage error
";

fn main() -> ExitCode {
    let mut args = env::args().skip(1);
    let task: Box<dyn FnOnce() -> Result<()>> = match args.next().as_deref() {
        Some("ci") => Box::new(ci::run),
        Some("bench") => {
            let rest: Vec<String> = args.by_ref().collect();
            if rest.first().map(String::as_str) == Some("server") {
                if let Some(extra) = rest.get(1) {
                    return usage_error(&format!("unexpected argument `{extra}`"));
                }
                return finish(bench::server::run());
            }
            match bench::Options::parse(&rest) {
                Ok(options) => Box::new(move || bench::run(&options)),
                Err(message) => return usage_error(&message),
            }
        }
        Some("deps") => Box::new(|| {
            deps::ensure_all(&acvp_cache()).map_err(anyhow::Error::msg)?;
            eprintln!(
                "deps: chromium, chromedriver, PostgreSQL, openssl, the Python packages and the ACVP ML-DSA vectors are installed"
            );
            Ok(())
        }),
        Some("dist") => Box::new(dist::run),
        Some("examples") => Box::new(examples::run),
        Some("fuzz") => {
            let rest: Vec<String> = args.by_ref().collect();
            let plan = match fuzz::parse_args(&rest) {
                Ok(plan) => plan,
                Err(message) => return usage_error(&message),
            };
            Box::new(move || fuzz::run(&plan))
        }
        Some("msrv") => Box::new(msrv::run),
        Some("wasm") => Box::new(wasm::run),
        Some("release") => {
            let rest: Vec<String> = args.by_ref().collect();
            Box::new(move || release::run(&rest))
        }
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => return usage_error(&format!("unknown task `{other}`")),
        None => return usage_error("no task given"),
    };
    if let Some(extra) = args.next() {
        return usage_error(&format!("unexpected argument `{extra}`"));
    }
    finish(task())
}

fn finish(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprint!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn workspace_root() -> &'static Path {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir)
}

/// Where the conformance tests look for the ACVP ML-DSA vectors (their
/// `CARGO_TARGET_TMPDIR` is `<target dir>/tmp`).
fn acvp_cache() -> PathBuf {
    target_dir().join("tmp").join("acvp")
}

/// `CARGO_TARGET_DIR`, else the workspace's `target`.
fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args).current_dir(workspace_root());
    if env::var_os("CI").is_some() {
        // A clean checkout builds everything once: incremental state would only
        // double the space the build takes on disk.
        cmd.env("CARGO_INCREMENTAL", "0");
    }
    cmd
}

fn git(args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(args);
    cmd
}

fn exec(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("could not start {}", describe(cmd)))?;
    ensure!(status.success(), "{} failed ({status})", describe(cmd));
    Ok(())
}

fn capture(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start {}", describe(cmd)))?;
    ensure!(
        out.status.success(),
        "{} failed ({})",
        describe(cmd),
        out.status
    );
    String::from_utf8(out.stdout)
        .with_context(|| format!("{} printed invalid UTF-8", describe(cmd)))
}

fn describe(cmd: &Command) -> String {
    let args: Vec<_> = cmd.get_args().map(|arg| arg.to_string_lossy()).collect();
    format!("`cargo {}`", args.join(" "))
}

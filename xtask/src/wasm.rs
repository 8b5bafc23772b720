//! `cargo xtask wasm`: jot on `wasm32-unknown-unknown`. Builds jot-codec for that target
//! without default features, then builds the tests of `tests/wasm` (jot-codec and
//! jot-algorithms on the `rust-crypto` provider) and runs them in Node.js with
//! `wasm-bindgen-test-runner`.
//!
//! What is missing is installed: the rustup target, and wasm-bindgen-cli (which ships
//! the runner) at exactly the version of `wasm-bindgen` in `Cargo.lock`, since the
//! runner refuses test binaries of another version. Nothing is ever skipped: no rustup,
//! no Node.js 19 or later (the first with `globalThis.crypto`, where getrandom reads
//! randomness), an install that fails, or fewer tests passing than `tests/wasm`
//! declares, each fails the task with a message saying which.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail, ensure};

use crate::{capture, cargo, exec, workspace_root};

const TARGET: &str = "wasm32-unknown-unknown";
const RUNNER: &str = "wasm-bindgen-test-runner";
/// The first Node.js with `globalThis.crypto` by default.
const MIN_NODE_MAJOR: u32 = 19;
/// The package of the wasm tests.
const PACKAGE: &str = "jot-wasm-tests";
/// Its test sources, where each `#[wasm_bindgen_test]` must show up as a passed test.
const TESTS_DIR: &str = "tests/wasm/tests";

pub(crate) fn run() -> Result<()> {
    ensure_target()?;
    let node = node_major()?;
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock"))
        .context("wasm: cannot read Cargo.lock")?;
    let version = wasm_bindgen_version(&lock)?;
    let runner = ensure_runner(&version)?;
    eprintln!("wasm: Node.js {node}, {RUNNER} {version}");

    exec(&mut cargo(&[
        "build",
        "-p",
        "jot-codec",
        "--no-default-features",
        "--target",
        TARGET,
    ]))?;
    let expected = declared_tests(&workspace_root().join(TESTS_DIR))?;
    // The runner's report goes to stdout: kept to count the tests, and printed
    // whether they passed or not.
    let run = cargo(&["test", "-p", PACKAGE, "--tests", "--target", TARGET])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &runner)
        .stderr(Stdio::inherit())
        .output()
        .context("wasm: cannot start `cargo test`")?;
    let out = String::from_utf8_lossy(&run.stdout);
    print!("{out}");
    ensure!(
        run.status.success(),
        "wasm: FAILED: `cargo test -p {PACKAGE} --target {TARGET}` ({})",
        run.status
    );
    let passed = passed_tests(&out);
    ensure!(
        passed == expected,
        "wasm: {passed} tests passed in Node.js, but {TESTS_DIR} declares {expected}"
    );
    eprintln!("wasm: jot-codec builds for {TARGET}; {passed} tests passed in Node.js");
    Ok(())
}

/// Adds the rustup target when the active toolchain lacks it.
fn ensure_target() -> Result<()> {
    let rustup = |args: &[&str]| {
        let mut cmd = Command::new("rustup");
        cmd.args(args).current_dir(workspace_root());
        cmd
    };
    let installed = capture(&mut rustup(&["target", "list", "--installed"])).context(
        "wasm: `rustup target list --installed` failed: rustup is needed to add the target",
    )?;
    if installed.lines().any(|line| line.trim() == TARGET) {
        return Ok(());
    }
    eprintln!("wasm: adding the {TARGET} target with rustup");
    exec(&mut rustup(&["target", "add", TARGET]))
        .with_context(|| format!("wasm: FAILED to add the {TARGET} target"))
}

/// The major version of `node`, refused below [`MIN_NODE_MAJOR`].
fn node_major() -> Result<u32> {
    let out = capture(Command::new("node").arg("--version")).context(
        "wasm: FAILED: Node.js (`node`) is needed to run the wasm tests; install Node.js 19 or later",
    )?;
    let major = out
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok())
        .with_context(|| format!("wasm: unexpected `node --version`: {out:?}"))?;
    ensure!(
        major >= MIN_NODE_MAJOR,
        "wasm: FAILED: Node.js {major} has no `globalThis.crypto`; {MIN_NODE_MAJOR} or later is needed"
    );
    Ok(major)
}

/// The version of the `wasm-bindgen` package in `Cargo.lock`; exactly one must be there.
fn wasm_bindgen_version(lock: &str) -> Result<String> {
    let mut versions = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""# {
            let version = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
                .context("wasm: Cargo.lock has a wasm-bindgen entry without a version line")?;
            versions.push(version.to_owned());
        }
    }
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("wasm: no wasm-bindgen in Cargo.lock (is {PACKAGE} a workspace member?)"),
        many => bail!(
            "wasm: Cargo.lock has several wasm-bindgen versions ({}); the runner matches one",
            many.join(", ")
        ),
    }
}

/// The runner at `version`: in cargo's bin directory or on `PATH`, else installed with
/// `cargo install wasm-bindgen-cli` into cargo's bin directory.
fn ensure_runner(version: &str) -> Result<PathBuf> {
    let bin = cargo_home().join("bin");
    let candidates = [bin.join(RUNNER), PathBuf::from(RUNNER)];
    if let Some(found) = candidates
        .iter()
        .find(|c| runner_version(c).as_deref() == Some(version))
    {
        return Ok(found.clone());
    }
    eprintln!("wasm: installing wasm-bindgen-cli {version} (for {RUNNER})");
    let install = |locked: bool| {
        let mut cmd = cargo(&["install", "wasm-bindgen-cli", "--version"]);
        cmd.arg(format!("={version}"))
            .arg("--root")
            .arg(cargo_home());
        if locked {
            cmd.arg("--locked");
        }
        exec(&mut cmd)
    };
    // The lockfile wasm-bindgen-cli ships first; when the registry no longer serves
    // one of its pins, the same version resolved afresh.
    if install(true).is_err() {
        eprintln!(
            "wasm: `cargo install --locked` failed; installing with fresh dependency versions"
        );
        install(false)
            .with_context(|| format!("wasm: FAILED to install wasm-bindgen-cli {version}"))?;
    }
    let runner = bin.join(RUNNER);
    let installed = runner_version(&runner);
    ensure!(
        installed.as_deref() == Some(version),
        "wasm: FAILED: {} reports version {installed:?} after the install, not {version}",
        runner.display()
    );
    Ok(runner)
}

/// `$CARGO_HOME`, else `~/.cargo`: where `cargo install` puts binaries.
fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// The version a runner reports (`wasm-bindgen-test-runner 0.2.130`), if it runs.
fn runner_version(runner: &Path) -> Option<String> {
    let out = Command::new(runner).arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().nth(1).map(str::to_owned)
}

/// How many `#[wasm_bindgen_test]` functions the test sources in `dir` declare.
fn declared_tests(dir: &Path) -> Result<usize> {
    let mut count = 0;
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("wasm: cannot read {}", dir.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "rs") {
            let source = std::fs::read_to_string(&path)?;
            count += source
                .lines()
                .filter(|line| line.trim() == "#[wasm_bindgen_test]")
                .count();
        }
    }
    ensure!(
        count > 0,
        "wasm: no #[wasm_bindgen_test] in {}",
        dir.display()
    );
    Ok(count)
}

/// The sum of `N passed` over the `test result:` lines of a test run's output.
fn passed_tests(out: &str) -> usize {
    out.lines()
        .filter_map(|line| line.trim().strip_prefix("test result: "))
        .filter_map(|rest| {
            rest.split(';')
                .find_map(|part| part.trim().strip_suffix(" passed"))
                .and_then(|n| n.rsplit(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::{passed_tests, wasm_bindgen_version};

    #[test]
    fn the_locked_wasm_bindgen_version_is_found() {
        let lock = "\
[[package]]
name = \"wasm-bindgen-futures\"
version = \"0.4.80\"

[[package]]
name = \"wasm-bindgen\"
version = \"0.2.130\"
source = \"registry+https://github.com/rust-lang/crates.io-index\"
";
        assert_eq!(wasm_bindgen_version(lock).unwrap(), "0.2.130");
        assert!(wasm_bindgen_version("").is_err());
        let two = format!("{lock}\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.99\"\n");
        assert!(wasm_bindgen_version(&two).is_err());
    }

    #[test]
    fn passed_tests_are_summed_over_binaries() {
        let out = "\
running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

running 7 tests
test node::hs256_round_trip ... ok

test result: ok. 7 passed; 0 failed; 0 ignored; 0 filtered out; finished in 1.20s
";
        assert_eq!(passed_tests(out), 7);
        assert_eq!(passed_tests("test result: FAILED. 6 passed; 1 failed;"), 6);
        assert_eq!(passed_tests("no tests ran"), 0);
    }
}

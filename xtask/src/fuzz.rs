//! `cargo xtask fuzz [SECONDS] [TARGET...]`: runs the cargo-fuzz targets of `fuzz/`
//! (every one, or those named) for SECONDS each (default 60) and prints a table of
//! the runs; and the CI step that only builds them.
//!
//! The targets need the nightly toolchain and `cargo install cargo-fuzz`. They run
//! optimized with debug assertions and overflow checks, without a sanitizer: every
//! jot crate forbids `unsafe`, so AddressSanitizer would only slow the search.
//! libFuzzer writes what it finds to `fuzz/corpus/<target>` (git-ignored); the
//! committed seeds in `fuzz/seeds/<target>` are read on every run, and the
//! dictionary `fuzz/dicts/<target>.dict` is given to libFuzzer when there is one. A
//! crash stops the task and leaves the input in `fuzz/artifacts/<target>/`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

use crate::workspace_root;

/// Every fuzz target, as named in `fuzz/Cargo.toml`.
pub(crate) const TARGETS: [&str; 7] = [
    "compact",
    "claims",
    "jwk",
    "key_import",
    "jwe",
    "issuer_http",
    "config",
];

/// The default run time of each target, in seconds.
pub(crate) const DEFAULT_SECONDS: u64 = 60;

/// `cargo +nightly <args>`, run from the workspace root. Goes through the rustup
/// proxy (`cargo` on the PATH), not `$CARGO`, so that `+nightly` is honoured.
fn nightly(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly")
        .args(args)
        .current_dir(workspace_root())
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO");
    cmd
}

/// Whether `cargo +nightly fuzz` is available.
pub(crate) fn available() -> bool {
    nightly(&["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// What `cargo xtask fuzz` was asked to run.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Run time of each target, in seconds.
    pub(crate) seconds: u64,
    /// The targets, in [`TARGETS`] order.
    pub(crate) targets: Vec<&'static str>,
}

/// Parses `[SECONDS] [TARGET...]`: no target named means every target.
pub(crate) fn parse_args(args: &[String]) -> Result<Plan, String> {
    let (seconds, names) = match args.split_first() {
        Some((first, rest)) if first.starts_with(|c: char| c.is_ascii_digit()) => {
            (parse_seconds(Some(first))?, rest)
        }
        _ => (DEFAULT_SECONDS, args),
    };
    for name in names {
        if !TARGETS.contains(&name.as_str()) {
            return Err(format!(
                "unknown fuzz target `{name}` (targets: {})",
                TARGETS.join(", ")
            ));
        }
    }
    let targets = TARGETS
        .into_iter()
        .filter(|t| names.is_empty() || names.iter().any(|n| n == t))
        .collect();
    Ok(Plan { seconds, targets })
}

/// Parses the optional SECONDS argument.
pub(crate) fn parse_seconds(arg: Option<&str>) -> Result<u64, String> {
    match arg {
        None => Ok(DEFAULT_SECONDS),
        Some(s) => match s.parse::<u64>() {
            Ok(0) | Err(_) => Err(format!("SECONDS must be a positive integer, got `{s}`")),
            Ok(n) => Ok(n),
        },
    }
}

/// One finished run.
struct Run {
    target: &'static str,
    seconds: f64,
    executions: Option<u64>,
}

/// Runs each target of the plan for its seconds.
pub(crate) fn run(plan: &Plan) -> Result<()> {
    let seconds = plan.seconds;
    ensure!(
        available(),
        "`cargo +nightly fuzz` is not available: install the nightly toolchain \
         (`rustup toolchain install nightly`) and `cargo install cargo-fuzz`"
    );
    let root = workspace_root();
    let mut runs = Vec::new();
    for &target in &plan.targets {
        let corpus = root.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("could not create {}", corpus.display()))?;
        let corpus = format!("fuzz/corpus/{target}");
        let seeds = format!("fuzz/seeds/{target}");
        let max_time = format!("-max_total_time={seconds}");
        let dict = format!("fuzz/dicts/{target}.dict");
        let dict_arg = format!("-dict={dict}");
        let mut args = vec![
            "fuzz",
            "run",
            "--sanitizer",
            "none",
            target,
            &corpus,
            &seeds,
            "--",
            &max_time,
            "-print_final_stats=1",
        ];
        if root.join(&dict).is_file() {
            args.push(&dict_arg);
        }
        eprintln!("==> fuzz {target} for {seconds}s");
        let start = Instant::now();
        let mut child = nightly(&args)
            .stderr(Stdio::piped())
            .spawn()
            .context("could not start `cargo +nightly fuzz run`")?;
        let mut executions = None;
        if let Some(stderr) = child.stderr.take() {
            for line in BufReader::new(stderr).lines() {
                let line = line.context("could not read the output of cargo fuzz")?;
                eprintln!("{line}");
                if let Some(n) = final_executions(&line) {
                    executions = Some(n);
                }
            }
        }
        let status = child.wait().context("cargo fuzz did not finish")?;
        let run = Run {
            target,
            seconds: start.elapsed().as_secs_f64(),
            executions,
        };
        if !status.success() {
            print_table(&runs);
            bail!(
                "fuzz target `{target}` failed ({status}) after {:.0}s: the crashing input is in \
                 fuzz/artifacts/{target}/; add it to tests/security/fuzz_regressions.rs",
                run.seconds
            );
        }
        runs.push(run);
    }
    print_table(&runs);
    Ok(())
}

/// The execution count of libFuzzer's `-print_final_stats` line
/// `stat::number_of_executed_units: N`, or of its `Done N runs in S second(s)` line.
fn final_executions(line: &str) -> Option<u64> {
    if let Some(rest) = line.strip_prefix("stat::number_of_executed_units:") {
        return rest.trim().parse().ok();
    }
    let rest = line.strip_prefix("Done ")?;
    let (n, tail) = rest.split_once(' ')?;
    tail.starts_with("runs in").then(|| n.parse().ok())?
}

fn print_table(runs: &[Run]) {
    if runs.is_empty() {
        return;
    }
    println!("| target | time | executions | result |");
    println!("|---|---|---|---|");
    for run in runs {
        let execs = run
            .executions
            .map_or_else(|| "?".to_string(), |n| n.to_string());
        println!(
            "| `{}` | {:.0} s | {execs} | no crash |",
            run.target, run.seconds
        );
    }
}

/// The CI step: builds every target (debug, fast to compile) when nightly and
/// cargo-fuzz are installed, and says it is skipped otherwise.
pub(crate) fn ci_build() -> Result<()> {
    if !available() {
        eprintln!(
            "fuzz build skipped: `cargo +nightly fuzz` is not available \
             (rustup toolchain install nightly && cargo install cargo-fuzz)"
        );
        return Ok(());
    }
    crate::exec(&mut nightly(&[
        "fuzz",
        "build",
        "--dev",
        "--sanitizer",
        "none",
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_argument() {
        assert_eq!(parse_seconds(None), Ok(60));
        assert_eq!(parse_seconds(Some("300")), Ok(300));
        assert!(parse_seconds(Some("0")).is_err());
        assert!(parse_seconds(Some("5m")).is_err());
    }

    #[test]
    fn targets_argument() {
        let args = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(args(&[]).unwrap().targets, TARGETS);
        assert_eq!(args(&[]).unwrap().seconds, 60);
        let plan = args(&["90", "issuer_http", "jwe"]).unwrap();
        assert_eq!(plan.seconds, 90);
        assert_eq!(plan.targets, ["jwe", "issuer_http"]);
        assert_eq!(
            args(&["jwk"]).unwrap(),
            Plan {
                seconds: 60,
                targets: vec!["jwk"]
            }
        );
        assert!(args(&["nope"]).is_err());
        assert!(args(&["90", "nope"]).is_err());
        assert!(args(&["0"]).is_err());
        assert!(args(&["5m"]).is_err());
    }

    #[test]
    fn reads_the_execution_count() {
        assert_eq!(
            final_executions("stat::number_of_executed_units: 123456"),
            Some(123_456)
        );
        assert_eq!(final_executions("Done 99 runs in 300 second(s)"), Some(99));
        assert_eq!(final_executions("#1024 pulse cov: 10"), None);
    }

    #[test]
    fn every_target_is_declared_and_seeded() {
        let manifest = std::fs::read_to_string(workspace_root().join("fuzz/Cargo.toml")).unwrap();
        for target in TARGETS {
            assert!(
                manifest.contains(&format!("name = \"{target}\"")),
                "{target} missing from fuzz/Cargo.toml"
            );
            assert!(
                workspace_root()
                    .join("fuzz/fuzz_targets")
                    .join(format!("{target}.rs"))
                    .is_file()
            );
            assert!(
                workspace_root().join("fuzz/seeds").join(target).is_dir(),
                "{target} has no seeds"
            );
        }
    }
}

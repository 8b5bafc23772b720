//! `cargo xtask bench [--quick] [--provider P] [--no-run] [FILTER]`: builds and runs
//! the criterion suite of `jot-bench` once per configuration (one per crypto
//! provider of jot; the peers spread over them, see [`CONFIGURATIONS`]), then prints
//! one table per provider — jot, every peer, the floor, jot / floor, jot against the
//! fastest peer — and draws the chart from the same medians.
//!
//! `cargo xtask bench server`: `jot serve` under load ([`server`]).

mod chart;
pub(crate) mod mint;
mod results;
pub(crate) mod server;
mod table;
mod wrk;

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Result, bail};

use crate::{cargo, exec, workspace_root};
use results::{PROVIDERS, Results};

/// One `cargo bench -p jot-bench` build: jot and the floor on `provider`, plus the
/// peers its features turn on. `jsonwebtoken`'s two backends are mutually exclusive
/// in a process, so each runs in its own build; every peer runs exactly once.
pub(crate) struct Configuration {
    /// jot's crypto provider in this build (also a feature of jot-bench).
    pub(crate) provider: &'static str,
    /// The other jot-bench features of this build.
    pub(crate) peers: &'static str,
}

pub(crate) const CONFIGURATIONS: [Configuration; 3] = [
    Configuration {
        provider: "ring",
        peers: "jsonwebtoken-rust-crypto,jwt-simple,jwt-compact",
    },
    Configuration {
        provider: "aws-lc-rs",
        peers: "jsonwebtoken-aws-lc-rs",
    },
    Configuration {
        provider: "rust-crypto",
        peers: "",
    },
];

/// The command line of `cargo xtask bench`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Options {
    /// Short measurements (`JOT_BENCH_QUICK=1`): for trying things, noisier numbers.
    pub(crate) quick: bool,
    /// Only the configuration of this provider.
    pub(crate) provider: Option<String>,
    /// Print the tables and draw the chart from the last results, without running.
    pub(crate) no_run: bool,
    /// A criterion filter (a regular expression on `group/function`).
    pub(crate) filter: Option<String>,
}

impl Options {
    pub(crate) fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Self::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--no-run" => options.no_run = true,
                "--provider" => {
                    let p = args.next().ok_or("--provider needs a value")?;
                    if !PROVIDERS.contains(&p.as_str()) {
                        return Err(format!(
                            "unknown provider `{p}` (one of {})",
                            PROVIDERS.join(", ")
                        ));
                    }
                    options.provider = Some(p.clone());
                }
                flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
                filter if options.filter.is_none() => options.filter = Some(filter.to_owned()),
                extra => return Err(format!("unexpected argument `{extra}`")),
            }
        }
        Ok(options)
    }

    /// Whether this run measures everything at full length: only then is the chart
    /// written into docs/.
    fn is_full(&self) -> bool {
        !self.quick && !self.no_run && self.provider.is_none() && self.filter.is_none()
    }
}

pub(crate) fn run(options: &Options) -> Result<()> {
    if !options.no_run {
        for config in CONFIGURATIONS
            .iter()
            .filter(|c| options.provider.as_deref().is_none_or(|p| p == c.provider))
        {
            let features = if config.peers.is_empty() {
                config.provider.to_owned()
            } else {
                format!("{},{}", config.provider, config.peers)
            };
            eprintln!("bench: jot on {} (features {features})", config.provider);
            let mut args = vec![
                "bench",
                "-p",
                "jot-bench",
                "--bench",
                "jwt",
                "--no-default-features",
                "--features",
                &features,
            ];
            if let Some(filter) = &options.filter {
                args.extend(["--", filter]);
            }
            let mut cmd = cargo(&args);
            if options.quick {
                cmd.env("JOT_BENCH_QUICK", "1");
            }
            exec(&mut cmd)?;
        }
    }
    let target = target_dir();
    let results = Results::load(&target.join("criterion"));
    if results.is_empty() {
        bail!(
            "no criterion results under {}",
            target.join("criterion").display()
        );
    }
    let mut report = String::new();
    for provider in PROVIDERS {
        let _ = writeln!(
            report,
            "\n### jot on {provider}\n\n{}\n{}",
            table::table(&results, provider),
            table::jot_only(&results, provider)
        );
    }
    println!("{report}");
    fs::write(target.join("bench.md"), &report)?;

    let note = format!(
        "criterion medians, {}, {} cores{}; same tokens, keys and validation (iss, aud, exp) for every crate",
        today(),
        std::thread::available_parallelism().map_or(0, usize::from),
        if options.quick {
            ", quick run (short measurements)"
        } else {
            ""
        }
    );
    let chart = if options.is_full() {
        workspace_root().join("docs/bench.svg")
    } else {
        target.join("bench.svg")
    };
    chart::write_chart(&chart, &results, &note)?;
    println!(
        "tables in {}, chart in {}",
        target.join("bench.md").display(),
        chart.display()
    );
    Ok(())
}

/// Cargo's target directory for this workspace (criterion writes under it).
fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_the_command_line() {
        assert_eq!(Options::parse(&[]), Ok(Options::default()));
        assert!(Options::parse(&[]).expect("no args").is_full());
        let o =
            Options::parse(&args(&["--quick", "--provider", "aws-lc-rs", "hs256"])).expect("valid");
        assert_eq!(
            o,
            Options {
                quick: true,
                provider: Some("aws-lc-rs".into()),
                no_run: false,
                filter: Some("hs256".into()),
            }
        );
        assert!(!o.is_full());
        assert!(Options::parse(&args(&["--provider", "openssl"])).is_err());
        assert!(Options::parse(&args(&["--provider"])).is_err());
        assert!(Options::parse(&args(&["--fast"])).is_err());
        assert!(Options::parse(&args(&["a", "b"])).is_err());
    }

    #[test]
    fn every_provider_and_peer_has_one_configuration() {
        for provider in PROVIDERS {
            assert_eq!(
                CONFIGURATIONS
                    .iter()
                    .filter(|c| c.provider == provider)
                    .count(),
                1
            );
        }
        let peers: Vec<&str> = CONFIGURATIONS
            .iter()
            .flat_map(|c| c.peers.split(',').filter(|p| !p.is_empty()))
            .collect();
        let mut unique = peers.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            unique.len(),
            peers.len(),
            "a peer measured twice: {peers:?}"
        );
        assert_eq!(peers.len(), 4);
    }

    #[test]
    fn dates_from_day_counts() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_423), (2025, 12, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}

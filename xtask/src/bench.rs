//! `cargo xtask bench [FILTER]`: runs the criterion suite in `jot-bench`, then prints
//! one table of medians — jot, jsonwebtoken, the floor (raw ring + the unavoidable
//! base64url/serde_json work) — and the ratios.
//!
//! `cargo xtask bench server`: `jot serve` under load ([`server`]).

pub(crate) mod mint;
pub(crate) mod server;
mod wrk;

use std::fs;
use std::path::Path;

use anyhow::Result;

use crate::{cargo, exec, workspace_root};

/// Groups compared three ways (functions `jot`, `jsonwebtoken`, `floor`).
const COMPARED: [&str; 7] = [
    "hs256_sign",
    "hs256_verify",
    "hs256_verify_2kb",
    "rs256_verify",
    "ps256_verify",
    "es256_verify",
    "eddsa_verify",
];

/// Groups reported as plain medians.
const SINGLE: [(&str, &[&str]); 2] = [
    (
        "key_construction",
        &["rs256_private_pem", "es256_private_pem", "es256_public_jwk"],
    ),
    ("keyset_verify", &["jot_single_key", "jot_keyset_16"]),
];

pub(crate) fn run(filter: Option<&str>) -> Result<()> {
    let mut args = vec!["bench", "-p", "jot-bench", "--bench", "jwt"];
    if let Some(filter) = filter {
        args.extend(["--", filter]);
    }
    exec(&mut cargo(&args))?;
    let dir = workspace_root().join("target/criterion");
    println!("\n{}", table(&dir));
    Ok(())
}

fn table(dir: &Path) -> String {
    let mut out = String::from(
        "| operation | jot | jsonwebtoken | floor | jot / floor | jsonwebtoken / jot |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for group in COMPARED {
        let jot = median(dir, group, "jot");
        let jwt = median(dir, group, "jsonwebtoken");
        let floor = median(dir, group, "floor");
        out.push_str(&format!(
            "| {group} | {} | {} | {} | {} | {} |\n",
            ns(jot),
            ns(jwt),
            ns(floor),
            ratio(jot, floor),
            ratio(jwt, jot)
        ));
    }
    out.push_str("\n| measurement | median |\n|---|---:|\n");
    for (group, names) in SINGLE {
        for name in names {
            out.push_str(&format!(
                "| {group}/{name} | {} |\n",
                ns(median(dir, group, name))
            ));
        }
    }
    out
}

fn median(dir: &Path, group: &str, function: &str) -> Option<f64> {
    let text =
        fs::read_to_string(dir.join(group).join(function).join("new/estimates.json")).ok()?;
    median_from_estimates(&text)
}

/// Reads `median.point_estimate` (nanoseconds) from criterion's `estimates.json`.
fn median_from_estimates(json: &str) -> Option<f64> {
    let rest = &json[json.find("\"median\"")?..];
    let rest = &rest[rest.find("\"point_estimate\"")? + "\"point_estimate\"".len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let end =
        rest.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+')))?;
    rest[..end].parse().ok()
}

fn ns(value: Option<f64>) -> String {
    match value {
        None => "–".into(),
        Some(v) if v >= 10_000.0 => format!("{:.1} µs", v / 1000.0),
        Some(v) => format!("{v:.0} ns"),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_median_not_the_mean() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1500.25,"standard_error":3.0},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1234.5,"standard_error":1.0}}"#;
        assert_eq!(median_from_estimates(json), Some(1234.5));
        assert_eq!(
            median_from_estimates(r#"{"median":{"point_estimate": 2e3}}"#),
            Some(2000.0)
        );
        assert_eq!(median_from_estimates("{}"), None);
    }

    #[test]
    fn formats_times_and_ratios() {
        assert_eq!(ns(Some(1473.2)), "1473 ns");
        assert_eq!(ns(Some(75_300.0)), "75.3 µs");
        assert_eq!(ns(None), "–");
        assert_eq!(ratio(Some(3.0), Some(2.0)), "1.50×");
        assert_eq!(ratio(Some(3.0), None), "–");
    }
}

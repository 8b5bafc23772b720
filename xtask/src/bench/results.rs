//! What `cargo xtask bench` reports on: the operations, the contenders, and the
//! criterion medians read back from `estimates.json`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The operations (criterion groups), in table order, with their row labels.
pub(crate) const OPERATIONS: [(&str, &str); 11] = [
    ("hs256_sign", "HS256 sign, small"),
    ("hs256_sign_2kb", "HS256 sign, 2 KB"),
    ("hs256_verify", "HS256 verify+decode+validate, small"),
    ("hs256_verify_2kb", "HS256 verify+decode+validate, 2 KB"),
    ("rs256_sign", "RS256 sign"),
    ("rs256_verify", "RS256 verify+decode"),
    ("ps256_verify", "PS256 verify+decode"),
    ("es256_sign", "ES256 sign"),
    ("es256_verify", "ES256 verify+decode"),
    ("eddsa_sign", "EdDSA sign"),
    ("eddsa_verify", "EdDSA verify+decode"),
];

/// jot's crypto providers, one build (and one table) each.
pub(crate) const PROVIDERS: [&str; 3] = ["ring", "aws-lc-rs", "rust-crypto"];

/// The peers (criterion function id, label), measured once per `cargo xtask bench`.
pub(crate) const PEERS: [(&str, &str); 4] = [
    ("jsonwebtoken-aws_lc_rs", "jsonwebtoken (aws_lc_rs)"),
    ("jsonwebtoken-rust_crypto", "jsonwebtoken (rust_crypto)"),
    ("jwt-simple", "jwt-simple"),
    ("jwt-compact", "jwt-compact"),
];

/// jot alone, per provider: (group, function prefix, label). The function id is
/// `<prefix>-<provider>`.
pub(crate) const JOT_ONLY: [(&str, &str, &str); 5] = [
    (
        "key_construction",
        "rs256_private_pem",
        "RS256 private key from PEM",
    ),
    (
        "key_construction",
        "es256_private_pem",
        "ES256 private key from PEM",
    ),
    (
        "key_construction",
        "es256_public_jwk",
        "ES256 public key from JWK JSON",
    ),
    (
        "keyset_verify",
        "jot_keyset_16",
        "HS256 decode through a 16-key `KeySet`",
    ),
    (
        "keyset_verify",
        "jot_single_key",
        "HS256 decode through the single key",
    ),
];

/// jot's criterion function id on `provider`.
pub(crate) fn jot(provider: &str) -> String {
    format!("jot-{provider}")
}

/// The floor's criterion function id on `provider`.
pub(crate) fn floor(provider: &str) -> String {
    format!("floor-{provider}")
}

/// Medians in nanoseconds by (operation, contender id).
#[derive(Debug, Default, Clone)]
pub(crate) struct Results(BTreeMap<(String, String), f64>);

impl Results {
    /// Reads every median present under criterion's output directory `dir`.
    pub(crate) fn load(dir: &Path) -> Self {
        let mut results = Self::default();
        let mut ids: Vec<String> = PEERS.iter().map(|(id, _)| (*id).to_owned()).collect();
        for provider in PROVIDERS {
            ids.push(jot(provider));
            ids.push(floor(provider));
        }
        let mut cells: Vec<(&str, String)> = Vec::new();
        for (op, _) in OPERATIONS {
            cells.extend(ids.iter().map(|id| (op, id.clone())));
        }
        for (group, prefix, _) in JOT_ONLY {
            cells.extend(PROVIDERS.iter().map(|p| (group, format!("{prefix}-{p}"))));
        }
        {
            for (op, id) in &cells {
                let file = dir.join(op).join(id).join("new/estimates.json");
                if let Some(ns) = fs::read_to_string(file)
                    .ok()
                    .and_then(|t| median_from_estimates(&t))
                {
                    results.insert(op, id, ns);
                }
            }
        }
        results
    }

    /// Records a median (ns).
    pub(crate) fn insert(&mut self, op: &str, contender: &str, ns: f64) {
        self.0.insert((op.to_owned(), contender.to_owned()), ns);
    }

    /// The median (ns) of `contender` on `op`, when measured.
    pub(crate) fn get(&self, op: &str, contender: &str) -> Option<f64> {
        self.0.get(&(op.to_owned(), contender.to_owned())).copied()
    }

    /// Whether nothing was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Reads `median.point_estimate` (nanoseconds) from criterion's `estimates.json`.
pub(crate) fn median_from_estimates(json: &str) -> Option<f64> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value.get("median")?.get("point_estimate")?.as_f64()
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
        assert_eq!(median_from_estimates("not json"), None);
    }

    #[test]
    fn loads_the_medians_criterion_wrote_and_skips_the_rest() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-load-{}", std::process::id()));
        let write = |op: &str, id: &str, median: f64| {
            let path = dir.join(op).join(id).join("new");
            fs::create_dir_all(&path).expect("temp dir");
            fs::write(
                path.join("estimates.json"),
                format!(r#"{{"median":{{"point_estimate":{median}}}}}"#),
            )
            .expect("write");
        };
        write("hs256_sign", "jot-ring", 800.5);
        write("rs256_verify", "jwt-simple", 220_000.0);
        write("rs256_verify", "not-a-contender", 1.0);
        let results = Results::load(&dir);
        fs::remove_dir_all(&dir).expect("clean up");
        assert_eq!(results.get("hs256_sign", "jot-ring"), Some(800.5));
        assert_eq!(results.get("rs256_verify", "jwt-simple"), Some(220_000.0));
        assert_eq!(results.get("rs256_verify", "not-a-contender"), None);
        assert_eq!(results.get("hs256_sign", "floor-ring"), None);
    }
}

//! The per-provider tables: jot, every peer and the floor, with the ratios.

use super::results::{JOT_ONLY, OPERATIONS, PEERS, Results, floor, jot};

/// One markdown table for `provider`: a row per operation; columns jot, each peer,
/// the floor, jot / floor, and jot against the fastest peer measured on that row.
pub(crate) fn table(results: &Results, provider: &str) -> String {
    let mut out = format!("| operation (ns) | jot ({provider}) |");
    for (_, label) in PEERS {
        out.push_str(&format!(" {label} |"));
    }
    out.push_str(&format!(
        " floor ({provider}) | jot / floor | jot vs best peer |\n|---|"
    ));
    out.push_str(&"---:|".repeat(PEERS.len() + 3));
    out.push_str("---|\n");
    let (jot_id, floor_id) = (jot(provider), floor(provider));
    for (op, label) in OPERATIONS {
        let jot = results.get(op, &jot_id);
        let floor = results.get(op, &floor_id);
        out.push_str(&format!("| {label} | {} |", ns(jot)));
        for (id, _) in PEERS {
            out.push_str(&format!(" {} |", ns(results.get(op, id))));
        }
        let best = PEERS
            .iter()
            .filter_map(|(id, _)| results.get(op, id))
            .min_by(f64::total_cmp);
        out.push_str(&format!(
            " {} | {} | {} |\n",
            ns(floor),
            ratio(jot, floor),
            versus(jot, best)
        ));
    }
    out
}

/// jot alone on `provider`: key construction and a `KeySet` lookup.
pub(crate) fn jot_only(results: &Results, provider: &str) -> String {
    let mut out = format!("| jot ({provider}) | median (ns) |\n|---|---:|\n");
    for (group, prefix, label) in JOT_ONLY {
        let value = results.get(group, &format!("{prefix}-{provider}"));
        out.push_str(&format!("| {label} | {} |\n", ns(value)));
    }
    out
}

/// Nanoseconds with thousands separators, `–` when not measured.
pub(crate) fn ns(value: Option<f64>) -> String {
    let Some(v) = value else {
        return "–".into();
    };
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    }
}

/// "ahead N%" when the fastest peer takes N% longer than jot, "behind N%" when jot
/// takes N% longer than the fastest peer.
fn versus(jot: Option<f64>, best_peer: Option<f64>) -> String {
    match (jot, best_peer) {
        (Some(j), Some(p)) if j > 0.0 && p > 0.0 => {
            if j <= p {
                format!("ahead {:.0}%", (p / j - 1.0) * 100.0)
            } else {
                format!("**behind {:.0}%**", (j / p - 1.0) * 100.0)
            }
        }
        _ => "–".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_and_ratios() {
        assert_eq!(ns(Some(801.4)), "801");
        assert_eq!(ns(Some(666_413.2)), "666,413");
        assert_eq!(ns(Some(1_205_534.0)), "1,205,534");
        assert_eq!(ns(None), "–");
        assert_eq!(ratio(Some(3.0), Some(2.0)), "1.50×");
        assert_eq!(ratio(Some(3.0), None), "–");
        assert_eq!(versus(Some(1000.0), Some(1470.0)), "ahead 47%");
        assert_eq!(versus(Some(1140.0), Some(1000.0)), "**behind 14%**");
        assert_eq!(versus(None, Some(1.0)), "–");
    }

    #[test]
    fn a_row_compares_jot_with_the_fastest_peer_and_its_own_floor() {
        let mut results = Results::default();
        results.insert("hs256_sign", "jot-ring", 800.0);
        results.insert("hs256_sign", "floor-ring", 640.0);
        results.insert("hs256_sign", "floor-aws-lc-rs", 10.0);
        results.insert("hs256_sign", "jsonwebtoken-rust_crypto", 900.0);
        results.insert("hs256_sign", "jwt-compact", 880.0);
        let table = table(&results, "ring");
        let row = table
            .lines()
            .find(|l| l.starts_with("| HS256 sign, small |"))
            .expect("row");
        assert_eq!(
            row,
            "| HS256 sign, small | 800 | – | 900 | – | 880 | 640 | 1.25× | ahead 10% |"
        );
        assert!(table.starts_with("| operation (ns) | jot (ring) | jsonwebtoken (aws_lc_rs) |"));
        assert_eq!(table.lines().count(), 2 + OPERATIONS.len());
    }

    #[test]
    fn jot_alone_is_reported_per_provider() {
        let mut results = Results::default();
        results.insert("keyset_verify", "jot_keyset_16-aws-lc-rs", 1668.0);
        let table = jot_only(&results, "aws-lc-rs");
        assert!(table.contains("| HS256 decode through a 16-key `KeySet` | 1,668 |"));
        assert!(table.contains("| HS256 decode through the single key | – |"));
        assert!(!jot_only(&results, "ring").contains("1,668"));
    }
}

//! `WHEN` arguments (`--exp`, `--nbf`): a duration from now or a Unix timestamp.
//! The duration is read by [`crate::duration`], the one duration grammar of `jot`.

use anyhow::{Context as _, Result, bail};

use crate::duration::parse_duration;

/// A point in time as given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum When {
    /// Seconds relative to now (negative: in the past).
    FromNow(i64),
    /// A Unix timestamp.
    At(u64),
}

impl When {
    /// Seconds since the Unix epoch, given the current time.
    pub(crate) fn resolve(self, now: u64) -> Result<u64> {
        match self {
            When::At(t) => Ok(t),
            When::FromNow(d) => now
                .checked_add_signed(d)
                .context("the time is before 1970 or too far in the future"),
        }
    }
}

/// Parses a duration from now in the grammar of [`crate::duration`], with an
/// optional sign (`+15m`, `1h`, `7d`, `1h30m`, `-5m`, `+90`), or a Unix timestamp
/// (`1700000000`: a bare number without sign or unit).
pub(crate) fn parse_when(s: &str) -> Result<When, String> {
    parse(s).map_err(|e| format!("{e:#}"))
}

fn parse(s: &str) -> Result<When> {
    let s = s.trim();
    if s.is_empty() {
        bail!("empty time");
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(When::At(s.parse().context("timestamp too large")?));
    }
    let (sign, rest) = match s.as_bytes()[0] {
        b'+' => (1i64, &s[1..]),
        b'-' => (-1i64, &s[1..]),
        _ => (1i64, s),
    };
    if rest.trim().is_empty() {
        bail!("expected a duration such as +15m, 1h or 7d, or a Unix timestamp");
    }
    let secs = parse_duration(rest)?.as_secs();
    let secs = i64::try_from(secs).context("duration too large")?;
    Ok(When::FromNow(sign * secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_timestamps() {
        assert_eq!(parse_when("+15m"), Ok(When::FromNow(900)));
        assert_eq!(parse_when("1h"), Ok(When::FromNow(3600)));
        assert_eq!(parse_when("7d"), Ok(When::FromNow(7 * 86_400)));
        assert_eq!(parse_when("1h30m"), Ok(When::FromNow(5400)));
        assert_eq!(parse_when("-5m"), Ok(When::FromNow(-300)));
        assert_eq!(parse_when("+90"), Ok(When::FromNow(90)));
        assert_eq!(parse_when("2w"), Ok(When::FromNow(14 * 86_400)));
        assert_eq!(parse_when("+1h 30m"), Ok(When::FromNow(5400)));
        assert_eq!(parse_when("-1 day"), Ok(When::FromNow(-86_400)));
        assert_eq!(parse_when("1700000000"), Ok(When::At(1_700_000_000)));
        for bad in ["", "+", "h", "1y", "1h-", "--1h", "99999999999999999999"] {
            assert!(parse_when(bad).is_err(), "{bad}");
        }
        assert_eq!(When::FromNow(-10).resolve(100).unwrap(), 90);
        assert!(When::FromNow(-10).resolve(5).is_err());
    }
}

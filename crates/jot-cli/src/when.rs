//! `WHEN` arguments (`--exp`, `--nbf`, `--iat`): a duration from now, or an
//! explicit point in time. The duration is read by [`crate::duration`], the one
//! duration grammar of `jot`; a date by `jiff`.
//!
//! - `15m`, `+15m`, `1h30m`, `7d`: that long from now; `-5m`: that long ago.
//! - `@1700000000`: a Unix timestamp (seconds since 1970, UTC).
//! - `2026-12-01T12:00:00Z`, `2026-12-01 13:00:00+01:00`: an RFC 3339 date with
//!   its offset.
//!
//! A bare number (`900`, `1700000000`) is refused (`+900` is 900 seconds from
//! now, as in every duration): it used to be a Unix timestamp,
//! and read as either a timestamp or a duration it could silently land decades
//! away from what was meant.

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

/// Parses a `WHEN`, as the module documentation describes.
pub(crate) fn parse_when(s: &str) -> Result<When, String> {
    parse(s).map_err(|e| format!("{e:#}"))
}

fn parse(s: &str) -> Result<When> {
    let s = s.trim();
    if s.is_empty() {
        bail!("empty time");
    }
    if let Some(unix) = s.strip_prefix('@') {
        let secs = unix
            .parse::<u64>()
            .with_context(|| format!("{s:?}: @ is followed by Unix seconds, as in @1700000000"))?;
        return Ok(When::At(secs));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        bail!(
            "{s:?} is a bare number: write {s}s for {s} seconds from now, or @{s} for the Unix time {s}"
        );
    }
    if s.len() >= 10 && s.as_bytes()[4] == b'-' && s[..4].bytes().all(|b| b.is_ascii_digit()) {
        let at: jiff::Timestamp = s.parse().with_context(|| {
            format!("{s:?} is not an RFC 3339 date with an offset, such as 2026-12-01T12:00:00Z")
        })?;
        let secs = u64::try_from(at.as_second()).context("the date is before 1970")?;
        return Ok(When::At(secs));
    }
    let (sign, rest) = match s.as_bytes()[0] {
        b'+' => (1i64, &s[1..]),
        b'-' => (-1i64, &s[1..]),
        _ => (1i64, s),
    };
    if rest.trim().is_empty() {
        bail!("expected a duration such as +15m, 1h or 7d, @UNIX_SECONDS or an RFC 3339 date");
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
        assert_eq!(parse_when("+90s"), Ok(When::FromNow(90)));
        assert_eq!(parse_when("2w"), Ok(When::FromNow(14 * 86_400)));
        assert_eq!(parse_when("+1h 30m"), Ok(When::FromNow(5400)));
        assert_eq!(parse_when("-1 day"), Ok(When::FromNow(-86_400)));
        assert_eq!(parse_when("@1700000000"), Ok(When::At(1_700_000_000)));
        assert_eq!(
            parse_when("2023-11-14T22:13:20Z"),
            Ok(When::At(1_700_000_000))
        );
        assert_eq!(
            parse_when("2023-11-14 23:13:20+01:00"),
            Ok(When::At(1_700_000_000))
        );
        for bad in [
            "",
            "+",
            "h",
            "1y",
            "1h-",
            "--1h",
            "1h30",
            "@",
            "@-5",
            "@1h",
            "2023-11-14T22:13:20",
            "1969-12-31T00:00:00Z",
            "99999999999999999999s",
        ] {
            assert!(parse_when(bad).is_err(), "{bad}");
        }
        assert_eq!(When::FromNow(-10).resolve(100).unwrap(), 90);
        assert!(When::FromNow(-10).resolve(5).is_err());
    }

    #[test]
    fn bare_numbers_are_refused_with_both_readings() {
        // A sign says "from now": then the number is seconds, as in every duration.
        assert_eq!(parse_when("+90"), Ok(When::FromNow(90)));
        for bare in ["900", "1700000000", " 42 "] {
            assert!(parse_when(bare).is_err(), "{bare}");
        }
        let message = parse_when("900").unwrap_err();
        assert!(
            message.contains("900s") && message.contains("@900"),
            "{message}"
        );
    }
}

//! Dates for people: Unix seconds shown as a UTC or local date (through `jiff`),
//! and relative times ("in 59 min", "3 h ago").

use clap::ValueEnum;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// `--date`: the time zone dates are shown in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum DateZone {
    /// Coordinated Universal Time.
    #[default]
    Utc,
    /// The system's time zone (TZ, else /etc/localtime).
    Local,
}

/// Formats Unix seconds as `YYYY-MM-DD hh:mm:ss UTC`.
pub(crate) fn format_utc(secs: u64) -> String {
    format_date(secs, DateZone::Utc)
}

/// Formats Unix seconds as `YYYY-MM-DD hh:mm:ss` and the zone: `UTC`, or the local
/// zone's abbreviation (`CET`, `JST`, or its offset when it has none).
pub(crate) fn format_date(secs: u64, zone: DateZone) -> String {
    let local = (zone == DateZone::Local)
        .then(|| i64::try_from(secs).ok())
        .flatten()
        .and_then(|s| Timestamp::from_second(s).ok());
    if let Some(ts) = local {
        return ts
            .to_zoned(TimeZone::system())
            .strftime("%Y-%m-%d %H:%M:%S %Z")
            .to_string();
    }
    // UTC as civil time: it reaches 9999-12-31 23:59:59, the last NumericDate jot
    // reads (a `Timestamp` stops a day earlier, to leave room for offsets).
    let utc = i64::try_from(secs)
        .ok()
        .and_then(|s| EPOCH.checked_add(SignedDuration::from_secs(s)).ok());
    match utc {
        Some(civil) => civil.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        None => format!("{secs} s after 1970 (beyond year 9999)"),
    }
}

/// 1970-01-01 00:00:00, the Unix epoch as civil time.
const EPOCH: DateTime = jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0);

/// A duration in the largest unit that fits, truncated: `42 s`, `59 min`, `3 h`,
/// `12 d`, `4 y`.
pub(crate) fn span(secs: u64) -> String {
    const MIN: u64 = 60;
    const HOUR: u64 = 60 * MIN;
    const DAY: u64 = 24 * HOUR;
    // The mean Gregorian year.
    const YEAR: u64 = 31_556_952;
    match secs {
        s if s < MIN => format!("{s} s"),
        s if s < HOUR => format!("{} min", s / MIN),
        s if s < DAY => format!("{} h", s / HOUR),
        s if s < 2 * YEAR => format!("{} d", s / DAY),
        s => format!("{} y", s / YEAR),
    }
}

/// `when` relative to `now`: `in 59 min` or `3 h ago`.
pub(crate) fn relative(when: u64, now: u64) -> String {
    if when > now {
        format!("in {}", span(when - now))
    } else {
        format!("{} ago", span(now - when))
    }
}

/// How a time claim reads next to its value: `exp` says `expired 3 h ago` once past.
pub(crate) fn describe_claim(claim: &str, when: u64, now: u64, zone: DateZone) -> String {
    let rel = match claim {
        "exp" if when <= now => format!("expired {}", relative(when, now)),
        _ => relative(when, now),
    };
    format!("{}, {rel}", format_date(when, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_utc(4_107_542_400), "2100-03-01 00:00:00 UTC");
        assert_eq!(format_utc(1_516_239_022), "2018-01-18 01:30:22 UTC");
        assert_eq!(format_utc(1_709_210_096), "2024-02-29 12:34:56 UTC");
        assert_eq!(format_utc(253_402_300_799), "9999-12-31 23:59:59 UTC");
        assert!(format_utc(u64::MAX).contains("beyond year 9999"));
    }

    #[test]
    fn spans_and_relative_times() {
        assert_eq!(span(0), "0 s");
        assert_eq!(span(59), "59 s");
        assert_eq!(span(60), "1 min");
        assert_eq!(span(3599), "59 min");
        assert_eq!(span(3600), "1 h");
        assert_eq!(span(3 * 3600 + 59), "3 h");
        assert_eq!(span(86_400), "1 d");
        assert_eq!(span(400 * 86_400), "400 d");
        assert_eq!(span(5 * 31_556_952), "5 y");
        assert_eq!(relative(1_000 + 3_599, 1_000), "in 59 min");
        assert_eq!(relative(1_000, 1_000 + 3 * 3600), "3 h ago");
        let utc = DateZone::Utc;
        assert_eq!(
            describe_claim("exp", 0, 3 * 3600 + 10, utc),
            "1970-01-01 00:00:00 UTC, expired 3 h ago"
        );
        assert_eq!(
            describe_claim("exp", 3_599, 0, utc),
            "1970-01-01 00:59:59 UTC, in 59 min"
        );
        assert_eq!(
            describe_claim("iat", 0, 120, utc),
            "1970-01-01 00:00:00 UTC, 2 min ago"
        );
    }
}

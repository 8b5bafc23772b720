//! UTC calendar dates and human relative times ("in 59 min", "3 h ago"), written
//! out by hand so the CLI needs no date crate.

/// Formats Unix seconds as `YYYY-MM-DD hh:mm:ss UTC`.
pub(crate) fn format_utc(secs: u64) -> String {
    // NumericDate caps seconds at year 9999, far below i64::MAX; saturate anyway.
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

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
pub(crate) fn describe_claim(claim: &str, when: u64, now: u64) -> String {
    let rel = match claim {
        "exp" if when <= now => format!("expired {}", relative(when, now)),
        _ => relative(when, now),
    };
    format!("{}, {rel}", format_utc(when))
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after Howard
/// Hinnant's `civil_from_days`.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = yoe + era * 400 + i64::from(m <= 2);
    // d and m are in the small ranges noted above.
    (y, m as u32, d as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inverse (`days_from_civil`), to check every day round-trips.
    fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(m);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    #[test]
    fn known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert_eq!(civil_from_days(47_540), (2100, 2, 28));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1)); // 2100 is not a leap year
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_516_239_022), "2018-01-18 01:30:22 UTC");
        assert_eq!(format_utc(1_709_210_096), "2024-02-29 12:34:56 UTC");
        assert_eq!(format_utc(253_402_300_799), "9999-12-31 23:59:59 UTC");
    }

    #[test]
    fn every_day_round_trips_and_is_consecutive() {
        let mut prev = civil_from_days(-800_000);
        for days in -799_999..=2_932_896 {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && (1..=31).contains(&d), "{days}");
            assert_eq!(days_from_civil(y, m, d), days);
            let next_day = (y, m, d) > prev;
            assert!(next_day, "{days}: {prev:?} then {:?}", (y, m, d));
            prev = (y, m, d);
        }
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
        assert_eq!(
            describe_claim("exp", 0, 3 * 3600 + 10),
            "1970-01-01 00:00:00 UTC, expired 3 h ago"
        );
        assert_eq!(
            describe_claim("exp", 3_599, 0),
            "1970-01-01 00:59:59 UTC, in 59 min"
        );
        assert_eq!(
            describe_claim("iat", 0, 120),
            "1970-01-01 00:00:00 UTC, 2 min ago"
        );
    }
}

//! The one duration grammar of the command line, read by `jiff`: `90s`, `15m`,
//! `1h30m`, `1h 30m`, `12h`, `30d`, `2w`, `1 hour 30 minutes`, ISO 8601 `PT1H30M`,
//! and a bare number of seconds (`90`). Every flag and config key that takes a
//! duration reads it here, and `--exp`/`--nbf`/`--iat` ([`crate::when`]) too.
//!
//! A duration is one or more parts, each a number and a unit (`s`, `sec`,
//! `second(s)`; `m`, `min`, `minute(s)`; `h`, `hr`, `hour(s)`; `d`, `day(s)`;
//! `w`, `week(s)`; a day is 24 hours and a week 7 days), optionally separated by
//! whitespace. A whole text that is one number is seconds. A unit-less number
//! after other parts is refused: `1h30` could mean 1h30m or 1h30s. Months and
//! years are refused (their length is not fixed), so are negative durations.
//!
//! ```text
//! 90 = 90s    1h30m = 5400s    1d 12h = 129600s    2w = 1209600s    1h30 -> refused
//! ```

use std::time::Duration;

use jiff::{Span, SpanRelativeTo};

/// Why a text is not a duration.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DurationError {
    /// Nothing but whitespace.
    #[error("empty duration")]
    Empty,
    /// A number without a unit after other parts (`1h30`).
    #[error("{text:?}: the last number has no unit (write 1h30m or 1h30s, not 1h30)")]
    MissingUnit {
        /// The text, as given.
        text: String,
    },
    /// Not in the grammar at all.
    #[error("{text:?} is not a duration such as 90s, 15m, 1h30m, 12h, 30d or 2w ({source})")]
    Syntax {
        /// The text, as given.
        text: String,
        /// What jiff's parser said.
        source: jiff::Error,
    },
    /// Months or years.
    #[error("{text:?}: months and years have no fixed length (use d or w)")]
    Calendar {
        /// The text, as given.
        text: String,
    },
    /// Below zero.
    #[error("{text:?}: a duration cannot be negative")]
    Negative {
        /// The text, as given.
        text: String,
    },
    /// More seconds than a duration holds.
    #[error("duration {text:?} is too large")]
    TooLarge {
        /// The text, as given.
        text: String,
    },
    /// Zero where a positive duration is needed (see [`parse_lifetime`]).
    #[error("the duration must be longer than zero")]
    Zero,
}

/// Parses a duration (zero allowed), as the module documentation describes.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let trimmed = text.trim();
    let text = || text.to_owned();
    if trimmed.is_empty() {
        return Err(DurationError::Empty);
    }
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let secs = trimmed
            .parse()
            .map_err(|_| DurationError::TooLarge { text: text() })?;
        return Ok(Duration::from_secs(secs));
    }
    if trimmed.ends_with(|c: char| c.is_ascii_digit())
        && trimmed.contains(|c: char| c.is_ascii_alphabetic())
        && !trimmed.starts_with(['P', 'p', '+', '-'])
    {
        return Err(DurationError::MissingUnit { text: text() });
    }
    let span: Span = trimmed.parse().map_err(|source: jiff::Error| {
        if trimmed.bytes().filter(u8::is_ascii_digit).count() > 15 {
            DurationError::TooLarge { text: text() }
        } else {
            DurationError::Syntax {
                text: text(),
                source,
            }
        }
    })?;
    if span.get_years() != 0 || span.get_months() != 0 {
        return Err(DurationError::Calendar { text: text() });
    }
    if span.is_negative() {
        return Err(DurationError::Negative { text: text() });
    }
    let signed = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|_| DurationError::TooLarge { text: text() })?;
    Duration::try_from(signed).map_err(|_| DurationError::Negative { text: text() })
}

/// Parses a duration that must be longer than zero: a lifetime or an interval.
pub(crate) fn parse_lifetime(text: &str) -> Result<Duration, DurationError> {
    match parse_duration(text)? {
        Duration::ZERO => Err(DurationError::Zero),
        positive => Ok(positive),
    }
}

/// Parses a duration in whole seconds (`--leeway`, `--max-age`): a fraction of
/// a second is dropped.
pub(crate) fn parse_seconds(text: &str) -> Result<u64, DurationError> {
    parse_duration(text).map(|d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> u64 {
        parse_duration(text)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .as_secs()
    }

    #[test]
    fn single_parts_in_every_unit() {
        for (text, expected) in [
            ("90", 90),
            ("0", 0),
            ("90s", 90),
            ("1sec", 1),
            ("2 seconds", 2),
            ("15m", 900),
            ("15 min", 900),
            ("1minute", 60),
            ("12h", 43_200),
            ("1hr", 3600),
            ("3 hours", 10_800),
            ("30d", 30 * 86_400),
            ("1 day", 86_400),
            ("2w", 14 * 86_400),
            ("1 week", 7 * 86_400),
            (" 15m ", 900),
            ("PT1H30M", 5400),
        ] {
            assert_eq!(secs(text), expected, "{text}");
        }
    }

    #[test]
    fn compound_forms_add_up() {
        assert_eq!(secs("1h30m"), 5400);
        assert_eq!(secs("1h 30m"), 5400);
        assert_eq!(secs("1 hour 30 minutes"), 5400);
        assert_eq!(secs("1d12h"), 129_600);
        assert_eq!(secs("59m30s"), 3570);
        assert_eq!(secs("2w1d1h1m1s"), 15 * 86_400 + 3661);
    }

    #[test]
    fn a_trailing_number_without_unit_is_refused() {
        for bad in ["1h30", "1d 12", "2w1"] {
            assert!(
                matches!(parse_duration(bad), Err(DurationError::MissingUnit { .. })),
                "{bad}"
            );
        }
        let message = parse_duration("1h30").unwrap_err().to_string();
        assert!(message.contains("1h30m or 1h30s"), "{message}");
    }

    #[test]
    fn everything_else_is_refused() {
        assert!(matches!(parse_duration(""), Err(DurationError::Empty)));
        assert!(matches!(parse_duration("  "), Err(DurationError::Empty)));
        for bad in ["h", "m5", "1 2", "1h,30m", "soon", "5 parsecs", "3ms5"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        for bad in ["1y", "2 months", "P1M"] {
            assert!(
                matches!(parse_duration(bad), Err(DurationError::Calendar { .. })),
                "{bad}"
            );
        }
        for bad in ["-5m", "5m ago"] {
            assert!(
                matches!(parse_duration(bad), Err(DurationError::Negative { .. })),
                "{bad}"
            );
        }
        for bad in ["99999999999999999999", "99999999999999999d"] {
            assert!(
                matches!(parse_duration(bad), Err(DurationError::TooLarge { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn lifetimes_are_positive() {
        assert_eq!(parse_lifetime("15m").unwrap(), Duration::from_secs(900));
        assert!(matches!(parse_lifetime("0"), Err(DurationError::Zero)));
        assert!(matches!(parse_lifetime("0h0m"), Err(DurationError::Zero)));
        assert_eq!(parse_seconds("2m").unwrap(), 120);
        assert_eq!(parse_seconds("60").unwrap(), 60);
    }
}

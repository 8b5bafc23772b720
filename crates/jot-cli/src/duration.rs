//! The one duration grammar of the command line: `90`, `90s`, `15m`, `12h`, `30d`,
//! `2w`, and compounds such as `1h30m` or `1d 12h`. Every flag that takes a duration
//! reads it here.
//!
//! A duration is one or more parts, each a number and a unit, optionally separated
//! by whitespace (also between the number and its unit). The units are `s`, `sec`,
//! `secs`, `second`, `seconds`; `m`, `min`, `mins`, `minute`, `minutes`; `h`, `hr`,
//! `hrs`, `hour`, `hours`; `d`, `day`, `days`; `w`, `week`, `weeks`. The last part
//! may leave out its unit, which then is seconds (`90`, `1h30`). Months and years
//! are refused: their length is not fixed.

use std::time::Duration;

/// Why a text is not a duration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DurationError {
    /// Nothing but whitespace.
    #[error("empty duration")]
    Empty,
    /// A part does not start with a number, or a number without unit is not last.
    #[error("{text:?} is not a duration such as 90, 90s, 15m, 1h30m, 12h, 30d or 2w")]
    Syntax {
        /// The text, as given.
        text: String,
    },
    /// A unit this grammar does not know.
    #[error("unknown time unit {unit:?} (use s, m, h, d or w)")]
    UnknownUnit {
        /// The unit, as given.
        unit: String,
    },
    /// More seconds than fit in 64 bits.
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
    if trimmed.is_empty() {
        return Err(DurationError::Empty);
    }
    let syntax = || DurationError::Syntax {
        text: text.to_owned(),
    };
    let too_large = || DurationError::TooLarge {
        text: text.to_owned(),
    };
    let mut total: u64 = 0;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(syntax());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| too_large())?;
        rest = rest[digits..].trim_start();
        let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..letters];
        rest = rest[letters..].trim_start();
        if unit.is_empty() && !rest.is_empty() {
            // Only the last part may leave out its unit: "1 2" is no duration.
            return Err(syntax());
        }
        let scale = unit_seconds(unit).ok_or_else(|| DurationError::UnknownUnit {
            unit: unit.to_owned(),
        })?;
        total = number
            .checked_mul(scale)
            .and_then(|secs| total.checked_add(secs))
            .ok_or_else(too_large)?;
    }
    Ok(Duration::from_secs(total))
}

/// Parses a duration that must be longer than zero: a lifetime or an interval.
pub(crate) fn parse_lifetime(text: &str) -> Result<Duration, DurationError> {
    match parse_duration(text)? {
        Duration::ZERO => Err(DurationError::Zero),
        positive => Ok(positive),
    }
}

/// The seconds in one `unit`; the empty unit is seconds.
fn unit_seconds(unit: &str) -> Option<u64> {
    Some(match unit {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        _ => return None,
    })
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
        ] {
            assert_eq!(secs(text), expected, "{text}");
        }
    }

    #[test]
    fn compound_forms_add_up() {
        assert_eq!(secs("1h30m"), 5400);
        assert_eq!(secs("1h 30m"), 5400);
        assert_eq!(secs("1d12h"), 129_600);
        assert_eq!(secs("59m30s"), 3570);
        assert_eq!(secs("1h30"), 3630);
        assert_eq!(secs("2w1d1h1m1s"), 15 * 86_400 + 3661);
    }

    #[test]
    fn everything_else_is_refused() {
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert_eq!(parse_duration("  "), Err(DurationError::Empty));
        for bad in [
            "h", "m5", "1 2", "1.5h", "-5m", "+5m", "1h-", "1h,30m", "soon",
        ] {
            assert!(
                matches!(parse_duration(bad), Err(DurationError::Syntax { .. })),
                "{bad}"
            );
        }
        for (bad, unit) in [("1y", "y"), ("5M", "M"), ("3ms", "ms"), ("1H", "H")] {
            assert_eq!(
                parse_duration(bad),
                Err(DurationError::UnknownUnit { unit: unit.into() }),
                "{bad}"
            );
        }
        for bad in [
            "99999999999999999999",
            "99999999999999999d",
            "18446744073709551615s1s",
        ] {
            assert!(
                matches!(parse_duration(bad), Err(DurationError::TooLarge { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn lifetimes_are_positive() {
        assert_eq!(parse_lifetime("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_lifetime("0"), Err(DurationError::Zero));
        assert_eq!(parse_lifetime("0h0m"), Err(DurationError::Zero));
        assert_eq!(parse_lifetime("x"), parse_duration("x"));
    }
}

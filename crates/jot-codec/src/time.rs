//! Time: [`NumericDate`] (RFC 7519 §2) and the [`Clock`] the validation reads.
//!
//! The codec never reads the system time itself; the caller passes a clock.
//! With the `std` feature, [`SystemClock`] reads `std::time::SystemTime`.

use core::fmt;

use serde::{Serialize, Serializer};

/// Seconds since 1970-01-01T00:00:00Z, as the `exp`, `nbf` and `iat` claims carry them.
///
/// jot accepts integers and non-integer numbers as RFC 7519 allows, within
/// `0..=253402300799` (the end of year 9999). A fractional part is kept to the
/// nanosecond for comparisons and dropped when serialized.
///
/// ```
/// use jot_codec::NumericDate;
/// let t = NumericDate::from_seconds(1_700_000_000).unwrap();
/// assert_eq!(t.seconds(), 1_700_000_000);
/// assert!(NumericDate::from_seconds(253_402_300_800).is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NumericDate {
    secs: u64,
    nanos: u32,
}

impl NumericDate {
    /// The largest accepted value: 9999-12-31T23:59:59Z.
    pub const MAX_SECONDS: u64 = 253_402_300_799;

    /// The Unix epoch.
    pub const EPOCH: NumericDate = NumericDate { secs: 0, nanos: 0 };

    /// A date from whole seconds; `None` past [`NumericDate::MAX_SECONDS`].
    pub const fn from_seconds(secs: u64) -> Option<NumericDate> {
        if secs > Self::MAX_SECONDS {
            None
        } else {
            Some(NumericDate { secs, nanos: 0 })
        }
    }

    /// A date from a JSON number; `None` when negative, not finite or past the maximum.
    ///
    /// ```
    /// use jot_codec::NumericDate;
    /// assert_eq!(NumericDate::from_f64(10.5).unwrap().seconds(), 10);
    /// assert!(NumericDate::from_f64(-1.0).is_none());
    /// assert!(NumericDate::from_f64(f64::NAN).is_none());
    /// assert!(NumericDate::from_f64(1e30).is_none());
    /// ```
    pub fn from_f64(value: f64) -> Option<NumericDate> {
        if !value.is_finite() || !(0.0..=Self::MAX_SECONDS as f64).contains(&value) {
            return None;
        }
        // In range 0..=MAX_SECONDS (< 2^53), so the casts are exact for the integer part.
        let secs = value as u64;
        let frac = value - secs as f64;
        let nanos = ((frac * 1e9) as u32).min(999_999_999);
        Some(NumericDate { secs, nanos })
    }

    /// Whole seconds since the epoch.
    pub const fn seconds(self) -> u64 {
        self.secs
    }

    /// The sub-second part, in nanoseconds (0 for integer dates).
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// This date plus `secs`, saturating at [`NumericDate::MAX_SECONDS`].
    pub const fn saturating_add(self, secs: u64) -> NumericDate {
        let s = self.secs.saturating_add(secs);
        if s > Self::MAX_SECONDS {
            NumericDate {
                secs: Self::MAX_SECONDS,
                nanos: 0,
            }
        } else {
            NumericDate {
                secs: s,
                nanos: self.nanos,
            }
        }
    }

    /// This date minus `secs`, saturating at the epoch.
    pub const fn saturating_sub(self, secs: u64) -> NumericDate {
        if secs > self.secs {
            NumericDate::EPOCH
        } else {
            NumericDate {
                secs: self.secs - secs,
                nanos: self.nanos,
            }
        }
    }
}

impl fmt::Display for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.secs, f)
    }
}

impl Serialize for NumericDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.secs)
    }
}

/// A source of the current time for claim validation.
///
/// ```
/// use jot_codec::{Clock, FixedClock, NumericDate};
/// let clock = FixedClock::at(1_700_000_000);
/// assert_eq!(clock.now().seconds(), 1_700_000_000);
/// ```
pub trait Clock {
    /// The current time.
    fn now(&self) -> NumericDate;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> NumericDate {
        (**self).now()
    }
}

/// A clock that always says the same time: for tests, replays and `no_std` callers
/// who read time themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedClock(pub NumericDate);

impl FixedClock {
    /// A fixed clock at `secs` seconds since the epoch (clamped to the maximum date).
    pub const fn at(secs: u64) -> FixedClock {
        FixedClock(NumericDate::EPOCH.saturating_add(secs))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> NumericDate {
        self.0
    }
}

/// The system's wall clock (`std::time::SystemTime`). Needs the `std` feature.
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now(&self) -> NumericDate {
        extern crate std;
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let secs = d.as_secs().min(NumericDate::MAX_SECONDS);
        NumericDate {
            secs,
            nanos: d.subsec_nanos(),
        }
    }
}

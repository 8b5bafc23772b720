//! A [`Clock`] for WebAssembly in a JavaScript host.

use jot_codec::{Clock, NumericDate};

/// The time from JavaScript's `Date.now()`, for `decode_with_clock` where the standard
/// library has no clock (`wasm32-unknown-unknown`).
#[derive(Clone, Copy, Debug, Default)]
pub struct JsClock;

impl Clock for JsClock {
    fn now(&self) -> NumericDate {
        // Milliseconds since the epoch, as a float. A host clock set before the epoch
        // reads as the epoch, one past year 9999 as the last date: never a panic.
        let seconds = (js_sys::Date::now() / 1000.0).max(0.0) as u64;
        NumericDate::from_seconds(seconds.min(NumericDate::MAX_SECONDS))
            .unwrap_or(NumericDate::EPOCH)
    }
}

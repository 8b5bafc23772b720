//! Login throttling: failed sign-ins counted per username and per client IP, with
//! exponential backoff once a few have failed. In memory, per issuer process.

use std::collections::HashMap;
use std::sync::Mutex;

/// Failures allowed per username before backoff starts.
pub(crate) const USERNAME_FREE_FAILURES: u32 = 5;
/// Failures allowed per client IP before backoff starts (an office behind one NAT
/// mistypes more than one person).
pub(crate) const IP_FREE_FAILURES: u32 = 20;
/// The longest lock, in seconds.
pub(crate) const MAX_LOCK_SECS: u64 = 15 * 60;
/// A key's failures are forgotten after this much quiet, in seconds.
const FORGET_AFTER_SECS: u64 = 60 * 60;
/// Beyond this many keys, quiet ones are dropped first.
const MAX_KEYS: usize = 100_000;

/// What is counted: a username or an IP address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Username(String),
    Ip(std::net::IpAddr),
}

#[derive(Debug, Default)]
pub(crate) struct Throttle {
    entries: Mutex<HashMap<Key, Entry>>,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    last: u64,
    locked_until: u64,
}

impl Key {
    fn free_failures(&self) -> u32 {
        match self {
            Key::Username(_) => USERNAME_FREE_FAILURES,
            Key::Ip(_) => IP_FREE_FAILURES,
        }
    }
}

impl Throttle {
    /// `Err(seconds to wait)` while any of `keys` is locked at `now`.
    pub(crate) fn check(&self, keys: &[Key], now: u64) -> Result<(), u64> {
        let entries = self.lock();
        let wait = keys
            .iter()
            .filter_map(|k| entries.get(k))
            .map(|e| e.locked_until.saturating_sub(now))
            .max()
            .unwrap_or(0);
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    /// Counts a failed sign-in against every key; past its free failures, a key is
    /// locked for 1, 2, 4… seconds, at most [`MAX_LOCK_SECS`].
    pub(crate) fn failed(&self, keys: &[Key], now: u64) {
        let mut entries = self.lock();
        if entries.len() >= MAX_KEYS {
            entries.retain(|_, e| e.last.saturating_add(FORGET_AFTER_SECS) > now);
            if entries.len() >= MAX_KEYS {
                entries.retain(|_, e| e.locked_until > now);
            }
        }
        for key in keys {
            let entry = entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                last: now,
                locked_until: 0,
            });
            if entry.last.saturating_add(FORGET_AFTER_SECS) <= now {
                entry.failures = 0;
            }
            entry.failures = entry.failures.saturating_add(1);
            entry.last = now;
            let free = key.free_failures();
            if entry.failures > free {
                let doublings = (entry.failures - free - 1).min(20);
                let lock = (1u64 << doublings).min(MAX_LOCK_SECS);
                entry.locked_until = now.saturating_add(lock);
            }
        }
    }

    /// A successful sign-in clears the username's failures (not the IP's).
    pub(crate) fn succeeded(&self, username: &Key) {
        self.lock().remove(username);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // Counters only: a panic cannot leave them in a state worse than stale.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_after_the_free_failures_and_success_resets() {
        let throttle = Throttle::default();
        let user = [Key::Username("alice".into())];
        for _ in 0..USERNAME_FREE_FAILURES {
            assert_eq!(throttle.check(&user, 100), Ok(()));
            throttle.failed(&user, 100);
        }
        assert_eq!(throttle.check(&user, 100), Ok(()));
        throttle.failed(&user, 100);
        assert_eq!(throttle.check(&user, 100), Err(1));
        throttle.failed(&user, 101);
        assert_eq!(throttle.check(&user, 101), Err(2));
        throttle.failed(&user, 103);
        assert_eq!(throttle.check(&user, 103), Err(4));
        assert_eq!(throttle.check(&user, 107), Ok(()));
        for _ in 0..30 {
            throttle.failed(&user, 200);
        }
        assert_eq!(throttle.check(&user, 200), Err(MAX_LOCK_SECS));
        throttle.succeeded(&user[0]);
        assert_eq!(throttle.check(&user, 200), Ok(()));
    }

    #[test]
    fn failures_are_forgotten_after_an_hour() {
        let throttle = Throttle::default();
        let ip = [Key::Ip([10, 0, 0, 1].into())];
        for _ in 0..IP_FREE_FAILURES {
            throttle.failed(&ip, 0);
        }
        throttle.failed(&ip, FORGET_AFTER_SECS);
        assert_eq!(throttle.check(&ip, FORGET_AFTER_SECS), Ok(()));
    }
}

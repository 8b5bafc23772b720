//! Throttling of failed authentication: failed sign-ins (per username and per
//! client IP) and failed client authentications (per client id and per client
//! IP), with exponential backoff once a few have failed. In memory, per issuer
//! process; names are kept as their SHA-256, so an entry has a fixed size
//! whatever was sent, and the number of entries is capped.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use ring::digest;

/// Failures allowed per username or client id before backoff starts.
pub(crate) const ACCOUNT_FREE_FAILURES: u32 = 5;
/// Failures allowed per client IP before backoff starts (an office behind one NAT
/// mistypes more than one person).
pub(crate) const IP_FREE_FAILURES: u32 = 20;
/// The longest lock, in seconds.
pub(crate) const MAX_LOCK_SECS: u64 = 15 * 60;
/// A key's failures are forgotten after this much quiet, in seconds.
const FORGET_AFTER_SECS: u64 = 60 * 60;
/// Beyond this many keys, quiet ones are dropped first.
pub(crate) const MAX_KEYS: usize = 100_000;

/// What is counted: a username (by the SHA-256 of its lowercase form), a client
/// id (by its SHA-256) or an IP address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Username([u8; 32]),
    Client([u8; 32]),
    Ip(IpAddr),
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
    /// The key of a username, compared case-insensitively.
    pub(crate) fn username(username: &str) -> Key {
        Key::Username(sha256(crate::store::username_key(username).as_bytes()))
    }

    /// The key of a client id.
    pub(crate) fn client(client_id: &str) -> Key {
        Key::Client(sha256(client_id.as_bytes()))
    }

    fn free_failures(&self) -> u32 {
        match self {
            Key::Username(_) | Key::Client(_) => ACCOUNT_FREE_FAILURES,
            Key::Ip(_) => IP_FREE_FAILURES,
        }
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, bytes).as_ref());
    out
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

    /// Counts a failure against every key; past its free failures, a key is
    /// locked for 1, 2, 4… seconds, at most [`MAX_LOCK_SECS`]. At [`MAX_KEYS`]
    /// keys, forgotten ones go, then unlocked ones, then the older half.
    pub(crate) fn failed(&self, keys: &[Key], now: u64) {
        let mut entries = self.lock();
        if entries.len() >= MAX_KEYS {
            entries.retain(|_, e| e.last.saturating_add(FORGET_AFTER_SECS) > now);
            if entries.len() >= MAX_KEYS {
                entries.retain(|_, e| e.locked_until > now);
            }
            if entries.len() >= MAX_KEYS {
                let mut lasts: Vec<u64> = entries.values().map(|e| e.last).collect();
                let middle = lasts.len() / 2;
                let (_, median, _) = lasts.select_nth_unstable(middle);
                let median = *median;
                entries.retain(|_, e| e.last > median);
            }
        }
        for key in keys {
            let entry = entries.entry(*key).or_insert(Entry {
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

    /// A success clears the failures of the username or client id (not the IP's).
    pub(crate) fn succeeded(&self, account: &Key) {
        self.lock().remove(account);
    }

    /// How many keys are counted now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
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
        let user = [Key::username("alice")];
        assert_eq!(user[0], Key::username("ALICE"));
        assert_ne!(user[0], Key::client("alice"));
        for _ in 0..ACCOUNT_FREE_FAILURES {
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

    #[test]
    fn memory_is_bounded_whatever_is_sent() {
        let throttle = Throttle::default();
        let long = "x".repeat(100_000);
        throttle.failed(&[Key::client(&long), Key::username(&long)], 0);
        assert_eq!(throttle.len(), 2);
        for i in 0..MAX_KEYS + 10 {
            throttle.failed(&[Key::client(&i.to_string())], 0);
        }
        assert!(throttle.len() <= MAX_KEYS + 1, "{}", throttle.len());
        // Even when every key is locked.
        for i in 0..MAX_KEYS + 10 {
            let key = [Key::client(&format!("locked-{i}"))];
            for _ in 0..=ACCOUNT_FREE_FAILURES {
                throttle.failed(&key, 1 + i as u64);
            }
        }
        assert!(throttle.len() <= MAX_KEYS + 1, "{}", throttle.len());
    }
}

//! [`ReplayCache`]: where the `jti` of every accepted DPoP proof is remembered
//! for as long as the proof could be accepted, and [`MemoryReplayCache`], the
//! bounded in-memory default.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use jot_codec::NumericDate;

/// What [`ReplayCache::first_use`] returns.
pub type ReplayFuture<'a> =
    Pin<Box<dyn Future<Output = Result<bool, ReplayCacheError>> + Send + 'a>>;

/// Remembers the `jti` of accepted DPoP proofs, so that each proof is accepted
/// once (RFC 9449 §11.1). Implement it over a store several instances share (a
/// database, Redis) so that a proof accepted by one is refused by the others.
///
/// The key is the SHA-256 of the proof's `jti`: 32 bytes whatever the client
/// sent. A proof is checked completely (signature, method, URL, time, access
/// token and its binding) before its `jti` is recorded, so only proofs that
/// would otherwise be accepted take room.
///
/// ```
/// use jot_axum::{MemoryReplayCache, ReplayCache};
/// use jot_codec::NumericDate;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), jot_axum::ReplayCacheError> {
/// let cache = MemoryReplayCache::new(1_000);
/// let (now, until) = (NumericDate::from_seconds(100).unwrap(), NumericDate::from_seconds(165).unwrap());
/// assert!(cache.first_use(&[7; 32], until, now).await?);
/// assert!(!cache.first_use(&[7; 32], until, now).await?);
/// # Ok(()) }
/// ```
pub trait ReplayCache: Send + Sync + 'static {
    /// Records the proof whose `jti` hashes to `jti`, to be remembered until
    /// `until` (after which the proof is too old to be accepted anyway): `true`
    /// the first time, `false` for a replay. Must be atomic: of two concurrent
    /// calls with the same `jti`, exactly one sees `true`. An error refuses the
    /// request with 503 (never accepts it).
    fn first_use(&self, jti: &[u8; 32], until: NumericDate, now: NumericDate) -> ReplayFuture<'_>;
}

/// Why a [`ReplayCache`] could not record a proof.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum ReplayCacheError {
    /// The cache holds its capacity of proofs that are all still within their
    /// lifetime; dropping one would let it be replayed, so the new one is refused.
    #[error("replay cache full ({capacity} live proofs)")]
    Full {
        /// The configured capacity.
        capacity: usize,
    },
    /// The shared store of a custom cache failed.
    #[error("replay store failed")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
}

debug_as_display!(ReplayCacheError);

/// The default [`ReplayCache`]: in memory, for one instance, bounded.
///
/// Holds at most `capacity` proofs (32-byte digests with their expiry); entries
/// leave once their proof is too old to be accepted. When every entry is still
/// alive, a new proof is refused ([`ReplayCacheError::Full`], 503) rather than an
/// entry evicted, since eviction would reopen a replay window. The default
/// capacity, [`MemoryReplayCache::DEFAULT_CAPACITY`], covers about 1,500 DPoP
/// requests a second with the default 60 s proof lifetime.
#[derive(Debug)]
pub struct MemoryReplayCache {
    capacity: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Digest → the second after which it may be forgotten.
    seen: HashMap<[u8; 32], u64>,
    /// The same entries in insertion order, to expire them without a scan.
    order: VecDeque<(u64, [u8; 32])>,
}

impl MemoryReplayCache {
    /// 100,000 proofs (a few MB).
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A cache of at most `capacity` live proofs (at least 1).
    pub fn new(capacity: usize) -> Self {
        MemoryReplayCache {
            capacity: capacity.max(1),
            state: Mutex::new(State::default()),
        }
    }

    /// How many proofs are remembered now.
    pub fn len(&self) -> usize {
        self.lock().seen.len()
    }

    /// Whether no proof is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is consistent after every statement: a panic elsewhere while
        // holding the lock leaves nothing half-done, so a poisoned lock is usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record(&self, jti: &[u8; 32], until: u64, now: u64) -> Result<bool, ReplayCacheError> {
        let mut state = self.lock();
        state.expire(now);
        if state.seen.get(jti).is_some_and(|&t| t > now) {
            return Ok(false);
        }
        if state.seen.len() >= self.capacity {
            // Entries are expired in insertion order; a live one can hide expired
            // ones behind it. Sweep them all before giving up.
            state.sweep(now);
            if state.seen.len() >= self.capacity {
                return Err(ReplayCacheError::Full {
                    capacity: self.capacity,
                });
            }
        }
        state.seen.insert(*jti, until);
        state.order.push_back((until, *jti));
        Ok(true)
    }
}

impl Default for MemoryReplayCache {
    fn default() -> Self {
        MemoryReplayCache::new(Self::DEFAULT_CAPACITY)
    }
}

impl ReplayCache for MemoryReplayCache {
    fn first_use(&self, jti: &[u8; 32], until: NumericDate, now: NumericDate) -> ReplayFuture<'_> {
        let result = self.record(jti, until.seconds(), now.seconds());
        Box::pin(std::future::ready(result))
    }
}

impl State {
    /// Forgets the oldest entries while they have expired.
    fn expire(&mut self, now: u64) {
        while let Some(&(until, digest)) = self.order.front() {
            if until > now {
                break;
            }
            self.order.pop_front();
            // The digest may have been recorded again later, with a later expiry.
            if self.seen.get(&digest) == Some(&until) {
                self.seen.remove(&digest);
            }
        }
    }

    /// Forgets every expired entry.
    fn sweep(&mut self, now: u64) {
        self.seen.retain(|_, until| *until > now);
        self.order.retain(|(until, _)| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jti_is_accepted_once_within_its_lifetime() {
        let cache = MemoryReplayCache::new(10);
        assert_eq!(cache.record(&[1; 32], 160, 100).ok(), Some(true));
        assert_eq!(cache.record(&[1; 32], 170, 110).ok(), Some(false));
        assert_eq!(cache.record(&[2; 32], 170, 110).ok(), Some(true));
        // Past its lifetime the proof is refused as stale anyway: the entry goes.
        assert_eq!(cache.record(&[3; 32], 230, 170).ok(), Some(true));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_full_cache_refuses_rather_than_forgets() {
        let cache = MemoryReplayCache::new(2);
        assert_eq!(cache.record(&[1; 32], 200, 100).ok(), Some(true));
        assert_eq!(cache.record(&[2; 32], 150, 100).ok(), Some(true));
        assert!(matches!(
            cache.record(&[3; 32], 200, 100),
            Err(ReplayCacheError::Full { capacity: 2 })
        ));
        // Still remembered: no entry was evicted.
        assert_eq!(cache.record(&[1; 32], 200, 101).ok(), Some(false));
        // [2] expired at 150, behind the live [1]: the sweep finds it.
        assert_eq!(cache.record(&[3; 32], 210, 151).ok(), Some(true));
        assert_eq!(cache.record(&[1; 32], 200, 152).ok(), Some(false));
    }
}

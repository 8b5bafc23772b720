//! The verified-token cache ([`TokenCache`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use jot_codec::{Algorithm, Verifier, VerifyError};
use tokio::time::Instant;

/// Configures the verified-token cache of a [`JwtAuth`](crate::JwtAuth).
///
/// The verified-token cache: a token seen before skips key lookup and signature
/// verification, never claim validation.
///
/// - **Key**: SHA-256 of the whole token, so a hit means byte-for-byte the same
///   token whose signature already verified.
/// - **Value**: the algorithm it verified with and when the entry lapses.
/// - **On a hit** the token is decoded again and *every* check of the
///   [`Validation`](jot_codec::Validation) runs again at the current time (`exp`,
///   `nbf`, `iat`, max age, issuer, audience, …); only the signature check is
///   replaced by "same bytes as a token that verified". An expired token is refused
///   and its entry dropped.
/// - **Bounds**: at most `capacity` entries, in two generations: when the young one
///   fills up it becomes the old one and the former old one is dropped, so recently
///   used tokens survive (hits in the old generation move back to the young one).
///   An entry also lapses after `max_ttl` (default 5 min), so a key removed from the
///   issuer's set stops being trusted through the cache within that time.
/// - **On by default** with 10,000 entries: SHA-256 of a token costs about a
///   microsecond, an ECDSA or RSA verification tens. Turn it off with
///   [`TokenCache::disabled`] if keys must be revoked instantly.
///
/// ```
/// use std::time::Duration;
/// use jot_axum::TokenCache;
/// let cache = TokenCache::new(50_000).max_ttl(Duration::from_secs(60));
/// let off = TokenCache::disabled();
/// # let _ = (cache, off);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct TokenCache {
    capacity: usize,
    max_ttl: Duration,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache::new(TokenCache::DEFAULT_CAPACITY)
    }
}

impl TokenCache {
    /// Default number of cached tokens.
    pub const DEFAULT_CAPACITY: usize = 10_000;
    /// Default longest time a token is trusted through the cache.
    pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(5 * 60);

    /// A cache of at most `capacity` tokens (0 disables it).
    pub fn new(capacity: usize) -> TokenCache {
        TokenCache {
            capacity,
            max_ttl: TokenCache::DEFAULT_MAX_TTL,
        }
    }

    /// No cache: every request verifies its token's signature.
    pub fn disabled() -> TokenCache {
        TokenCache::new(0)
    }

    /// The longest a token is trusted through the cache before its signature is
    /// verified again (default 5 min).
    pub fn max_ttl(mut self, ttl: Duration) -> TokenCache {
        self.max_ttl = ttl;
        self
    }

    pub(crate) fn build(self) -> Option<VerifiedCache> {
        (self.capacity > 0 && !self.max_ttl.is_zero()).then(|| VerifiedCache {
            generation_cap: self.capacity.div_ceil(2),
            max_ttl: self.max_ttl,
            maps: Mutex::new(Generations::default()),
        })
    }
}

pub(crate) type Digest = [u8; 32];

#[derive(Clone, Copy, Debug)]
struct Entry {
    alg: Algorithm,
    until: Instant,
}

#[derive(Default)]
struct Generations {
    young: HashMap<Digest, Entry>,
    old: HashMap<Digest, Entry>,
}

#[derive(Debug)]
pub(crate) struct VerifiedCache {
    generation_cap: usize,
    max_ttl: Duration,
    maps: Mutex<Generations>,
}

impl std::fmt::Debug for Generations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} + {} entries", self.young.len(), self.old.len())
    }
}

impl VerifiedCache {
    pub(crate) fn digest(token: &str) -> Digest {
        let d = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        out
    }

    /// The algorithm this token verified with, if it is cached and not lapsed.
    pub(crate) fn get(&self, digest: &Digest) -> Option<Algorithm> {
        let now = Instant::now();
        let mut maps = self.lock();
        if let Some(e) = maps.young.get(digest) {
            if e.until > now {
                return Some(e.alg);
            }
            maps.young.remove(digest);
            return None;
        }
        let e = maps.old.remove(digest)?;
        if e.until <= now {
            return None;
        }
        self.insert_locked(&mut maps, *digest, e);
        Some(e.alg)
    }

    pub(crate) fn insert(&self, digest: Digest, alg: Algorithm) {
        let entry = Entry {
            alg,
            until: Instant::now() + self.max_ttl,
        };
        let mut maps = self.lock();
        self.insert_locked(&mut maps, digest, entry);
    }

    pub(crate) fn remove(&self, digest: &Digest) {
        let mut maps = self.lock();
        maps.young.remove(digest);
        maps.old.remove(digest);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        let maps = self.lock();
        maps.young.len() + maps.old.len()
    }

    fn insert_locked(&self, maps: &mut Generations, digest: Digest, entry: Entry) {
        if maps.young.len() >= self.generation_cap && !maps.young.contains_key(&digest) {
            maps.old = std::mem::take(&mut maps.young);
        }
        maps.young.insert(digest, entry);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        // The maps are consistent after any panic (plain inserts and removes).
        self.maps.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Stands in for the keys on a cache hit: the token's bytes are those of a token
/// whose signature verified with `alg`, so only the algorithm is checked.
pub(crate) struct AlreadyVerified(pub(crate) Algorithm);

impl Verifier for AlreadyVerified {
    fn verify(
        &self,
        alg: Algorithm,
        _: Option<&str>,
        _: &[u8],
        _: &[u8],
    ) -> Result<(), VerifyError> {
        if alg == self.0 {
            Ok(())
        } else {
            Err(VerifyError::AlgorithmNotAllowed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_and_generational() {
        let cache = TokenCache::new(4).build().unwrap();
        let d = |i: u8| [i; 32];
        for i in 0..4 {
            cache.insert(d(i), Algorithm::ES256);
        }
        assert_eq!(cache.len(), 4);
        // 0 and 1 are in the old generation now; touching 0 brings it back.
        assert_eq!(cache.get(&d(0)), Some(Algorithm::ES256));
        for i in 4..10 {
            cache.insert(d(i), Algorithm::ES256);
            assert!(cache.len() <= 4);
        }
        assert_eq!(cache.get(&d(1)), None);
        assert_eq!(cache.get(&d(9)), Some(Algorithm::ES256));
        cache.remove(&d(9));
        assert_eq!(cache.get(&d(9)), None);
        assert!(TokenCache::disabled().build().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn entries_lapse() {
        let cache = TokenCache::new(10)
            .max_ttl(Duration::from_secs(10))
            .build()
            .unwrap();
        cache.insert([1; 32], Algorithm::HS256);
        tokio::time::advance(Duration::from_secs(11)).await;
        assert_eq!(cache.get(&[1; 32]), None);
    }
}

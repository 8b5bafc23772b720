//! The verified-token cache ([`TokenCache`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use jot_codec::{Algorithm, Verifier, VerifyError};
use tokio::time::Instant;

use crate::keys::KeyPrint;

/// Configures the verified-token cache of a [`JwtAuth`](crate::JwtAuth).
///
/// The verified-token cache: a token seen before skips signature verification;
/// claim validation, and the check that the key which verified it is still held,
/// run on every hit.
///
/// - **Key**: SHA-256 of the whole token, so a hit means byte-for-byte the same
///   token whose signature already verified.
/// - **Value**: the algorithm it verified with, the RFC 7638 thumbprint of the key
///   that verified it, and when the entry lapses.
/// - **On a hit** the key source is asked which keys it holds *now*
///   ([`KeySource::keys_now`](crate::KeySource::keys_now): the remote set already
///   cached, the file already read — never a fetch), and those keys must still pick,
///   for the token's `alg` and `kid`, a key with the remembered thumbprint. A key
///   dropped from the set (or replaced under the same `kid`) ends the hit at once:
///   the token then goes through full verification like any other, which refuses it
///   (`unknown key`, `invalid signature`). A key that stays keeps its tokens cached
///   across refreshes and rotations. Then the token is decoded again and *every*
///   check of the [`Validation`](jot_codec::Validation) runs again at the current
///   time (`exp`, `nbf`, `iat`, max age, issuer, audience, …); only the signature
///   check is replaced by "same bytes as a token that verified". An expired token is
///   refused and its entry dropped.
/// - **Fixed keys.** When the builder was given a
///   [`VerifyingKey`](jot_algorithms::VerifyingKey) or a
///   [`KeySet`](jot_algorithms::KeySet) itself, its keys can never change, so hits
///   skip the key check. Tokens accepted by a custom [`Verifier`] (from
///   [`Keys::custom`](crate::Keys::custom)) are not cached: it cannot say which key
///   verified them.
/// - **Bounds**: at most `capacity` entries, in two generations: when the young one
///   fills up it becomes the old one and the former old one is dropped, so recently
///   used tokens survive (hits in the old generation move back to the young one).
///   An entry also lapses after `max_ttl` (default 5 min), after which the
///   signature is verified again.
/// - **On by default** with 10,000 entries: a hit costs about a microsecond and a
///   half (SHA-256 of the token, the key check, the claim checks), an ECDSA or RSA
///   verification tens. A source that does not implement
///   [`keys_now`](crate::KeySource::keys_now) is asked
///   [`keys_for`](crate::KeySource::keys_for) on every hit instead, and its key's
///   thumbprint is computed each time (about a microsecond more).
///   [`TokenCache::disabled`] turns the cache off.
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

/// What the cache remembers of a token whose signature verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    /// The algorithm it verified with.
    pub(crate) alg: Algorithm,
    /// The thumbprint of the key that verified it; `None` when the key source is
    /// fixed (a [`VerifyingKey`](jot_algorithms::VerifyingKey) or
    /// [`KeySet`](jot_algorithms::KeySet) given to the builder), whose keys never go.
    pub(crate) key: Option<KeyPrint>,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    hit: Hit,
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

    /// What is remembered of this token, if it is cached and not lapsed.
    pub(crate) fn get(&self, digest: &Digest) -> Option<Hit> {
        let now = Instant::now();
        let mut maps = self.lock();
        if let Some(e) = maps.young.get(digest) {
            if e.until > now {
                return Some(e.hit);
            }
            maps.young.remove(digest);
            return None;
        }
        let e = maps.old.remove(digest)?;
        if e.until <= now {
            return None;
        }
        self.insert_locked(&mut maps, *digest, e);
        Some(e.hit)
    }

    pub(crate) fn insert(&self, digest: Digest, hit: Hit) {
        let entry = Entry {
            hit,
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

    const HIT: Hit = Hit {
        alg: Algorithm::ES256,
        key: Some([7; 32]),
    };

    #[tokio::test]
    async fn bounded_and_generational() {
        let cache = TokenCache::new(4).build().unwrap();
        let d = |i: u8| [i; 32];
        for i in 0..4 {
            cache.insert(d(i), HIT);
        }
        assert_eq!(cache.len(), 4);
        // 0 and 1 are in the old generation now; touching 0 brings it back.
        assert_eq!(cache.get(&d(0)), Some(HIT));
        for i in 4..10 {
            cache.insert(d(i), HIT);
            assert!(cache.len() <= 4);
        }
        assert_eq!(cache.get(&d(1)), None);
        assert_eq!(cache.get(&d(9)), Some(HIT));
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
        cache.insert(
            [1; 32],
            Hit {
                alg: Algorithm::HS256,
                key: None,
            },
        );
        tokio::time::advance(Duration::from_secs(11)).await;
        assert_eq!(cache.get(&[1; 32]), None);
    }
}

//! The verified-token cache ([`TokenCache`]).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use jot_codec::Algorithm;
use rapidhash::quality::RandomState;
use tokio::time::Instant;

use crate::Verified;
use crate::keys::KeyPrint;

/// Configures the verified-token cache of a [`JwtAuth`](crate::JwtAuth).
///
/// The verified-token cache keeps what a full verification gave the handler — the
/// decoded header and claims, as the same [`Verified<T>`](crate::Verified) — for a
/// token seen before. A hit skips the signature, the base64 and the JSON: it costs
/// one hash of the token, one lookup, the check that the key which verified it is
/// still held, and the time checks.
///
/// - **Key**: a randomly seeded 64-bit hash (rapidhash) of the claims type and the
///   whole token; the entry holds the token itself, and a hit requires it to be
///   byte-for-byte the token presented, so two tokens that share a hash only miss.
///   A token is entered only after it verified and passed every check: a token not
///   yet verified never hits.
/// - **Value**: the [`Verified<T>`](crate::Verified) a full verification built
///   (an `Arc` of the decoded [`Token<T>`](jot_codec::Token), and the
///   [`AuthContext`](crate::AuthContext) with the raw token), stored as
///   `Box<dyn Any + Send + Sync>` and taken back out with a downcast to that same
///   `Verified<T>`. The hash includes the `TypeId` of `T`, and a downcast that
///   fails is a miss, so a handler only ever sees claims decoded into its own
///   type, exactly as a fresh verification would have decoded them. Beside it: the
///   algorithm, the RFC 7638 thumbprint of the key that verified the token, and
///   when the entry lapses.
/// - **On a hit** the key source is asked which keys it holds *now*
///   ([`KeySource::keys_now`](crate::KeySource::keys_now): the remote set already
///   cached, the file already read — never a fetch), and those keys must still pick,
///   for the token's `alg` and `kid`, a key with the remembered thumbprint. A key
///   dropped from the set (or replaced under the same `kid`) ends the hit at once:
///   the token then goes through full verification like any other, which refuses it
///   (`unknown key`, `invalid signature`). A key that stays keeps its tokens cached
///   across refreshes and rotations. Then the checks of the
///   [`Validation`](jot_codec::Validation) that depend on the time run again at the
///   clock's current time ([`Validation::check_times`](jot_codec::Validation::check_times):
///   `exp`, `nbf`, `iat` not in the future, max age, with the leeway); every other
///   check (issuer, audience, subject, `typ`, required claims, algorithms) depends
///   only on the token's bytes and the `Validation`, which are the same as when the
///   token passed them. A token refused by the time checks is refused with the same
///   error a full verification gives, and its entry dropped.
/// - **Fixed keys.** When the builder was given a
///   [`VerifyingKey`](jot_algorithms::VerifyingKey) or a
///   [`KeySet`](jot_algorithms::KeySet) itself, its keys can never change, so hits
///   skip the key check (and the header is not even parsed). Tokens accepted by a
///   custom [`Verifier`](jot_codec::Verifier) (from
///   [`Keys::custom`](crate::Keys::custom)) are not cached: it cannot say which key
///   verified them.
/// - **Bounds**: at most `capacity` entries (2 when `capacity` is 1), spread over up
///   to 16 shards by hash, each its own lock, so no lock is shared by every worker
///   thread; a hit takes its shard's lock for reading only (many readers at once).
///   Each shard keeps two generations: when the young one fills up it becomes the
///   old one and the former old one is dropped, so recently used tokens survive
///   (hits in the old generation move back to the young one). An entry lapses after
///   `max_ttl` (default 5 min), after which the signature is verified again, and
///   never outlives the token's `exp`. Memory: each entry holds the token, its
///   decoded header and claims and, once a guard has read them, the claims as JSON
///   (so a few times the token's size); only tokens whose signature verified get in.
/// - **On by default** with 10,000 entries: a hit costs well under a microsecond
///   with a fixed key (the hash, the lookup, two reference counts, one clock read),
///   an ECDSA or RSA verification tens. A source that does not implement
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
        if self.capacity == 0 || self.max_ttl.is_zero() {
            return None;
        }
        let mut shards = 1;
        while shards < MAX_SHARDS && self.capacity >= 2 * shards * MIN_SHARD_ENTRIES {
            shards *= 2;
        }
        Some(VerifiedCache {
            generation_cap: (self.capacity / shards / 2).max(1),
            max_ttl: self.max_ttl,
            hasher: RandomState::new(),
            shards: (0..shards).map(|_| RwLock::default()).collect(),
        })
    }
}

/// The most shards: enough that the workers of a busy server rarely meet on one.
const MAX_SHARDS: usize = 16;
/// No more shards than leave each this many entries.
const MIN_SHARD_ENTRIES: usize = 128;

/// Where a token goes in the cache: the hash of its claims type and its bytes.
pub(crate) type Slot = u64;

/// What the cache remembers of a token whose signature verified, beside what it
/// decoded to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    /// The algorithm it verified with.
    pub(crate) alg: Algorithm,
    /// The thumbprint of the key that verified it; `None` when the key source is
    /// fixed (a [`VerifyingKey`](jot_algorithms::VerifyingKey) or
    /// [`KeySet`](jot_algorithms::KeySet) given to the builder), whose keys never go.
    pub(crate) key: Option<KeyPrint>,
}

#[derive(Debug)]
pub(crate) struct VerifiedCache {
    /// Entries per generation, per shard.
    generation_cap: usize,
    max_ttl: Duration,
    hasher: RandomState,
    shards: Box<[RwLock<Generations>]>,
}

impl VerifiedCache {
    /// Where `token`, decoded as `Verified<T>`, is cached.
    pub(crate) fn slot<T: 'static>(&self, token: &str) -> Slot {
        let mut hasher = self.hasher.build_hasher();
        TypeId::of::<T>().hash(&mut hasher);
        token.hash(&mut hasher);
        hasher.finish()
    }

    /// What a full verification of `token` gave, if it is cached and not lapsed.
    pub(crate) fn get<T>(&self, slot: Slot, token: &str) -> Option<(Verified<T>, Hit)>
    where
        T: Send + Sync + 'static,
    {
        let now = Instant::now();
        let shard = self.shard(slot);
        {
            // The common case, under the read lock: a live entry of the young generation.
            let maps = read(shard);
            match maps.young.get(&slot).map(|e| e.lookup::<T>(token, now)) {
                Some(Lookup::Live(found)) => return Some(found),
                Some(Lookup::Other) => return None,
                Some(Lookup::Lapsed) => {}
                None if !maps.old.contains_key(&slot) => return None,
                None => {}
            }
        }
        // A lapsed entry to drop, or an old one to bring back: under the write lock.
        let mut maps = write(shard);
        match maps.young.get(&slot).map(|e| e.lookup::<T>(token, now)) {
            Some(Lookup::Live(found)) => return Some(found),
            Some(Lookup::Other) => return None,
            Some(Lookup::Lapsed) => {
                maps.young.remove(&slot);
                return None;
            }
            None => {}
        }
        match maps.old.get(&slot).map(|e| e.lookup::<T>(token, now))? {
            Lookup::Live(found) => {
                if let Some(entry) = maps.old.remove(&slot) {
                    self.insert_locked(&mut maps, slot, entry);
                }
                Some(found)
            }
            Lookup::Other => None,
            Lookup::Lapsed => {
                maps.old.remove(&slot);
                None
            }
        }
    }

    /// Remembers what a full verification gave, for at most `max_ttl` and at most
    /// `lifetime` (what is left until the token's `exp`).
    pub(crate) fn insert<T>(&self, slot: Slot, verified: Verified<T>, hit: Hit, lifetime: Duration)
    where
        T: Send + Sync + 'static,
    {
        let ttl = self.max_ttl.min(lifetime);
        if ttl.is_zero() {
            return;
        }
        let entry = Entry {
            verified: Box::new(verified),
            hit,
            until: Instant::now() + ttl,
        };
        let mut maps = write(self.shard(slot));
        self.insert_locked(&mut maps, slot, entry);
    }

    pub(crate) fn remove(&self, slot: Slot) {
        let mut maps = write(self.shard(slot));
        maps.young.remove(&slot);
        maps.old.remove(&slot);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| {
                let maps = read(shard);
                maps.young.len() + maps.old.len()
            })
            .sum()
    }

    fn shard(&self, slot: Slot) -> &RwLock<Generations> {
        // Bits the maps' own bucket choice (low bits) and tags (top 7) do not use;
        // the shard count is a power of two.
        let index = (slot >> 32) as usize & (self.shards.len() - 1);
        &self.shards[index]
    }

    fn insert_locked(&self, maps: &mut Generations, slot: Slot, entry: Entry) {
        if maps.young.len() >= self.generation_cap && !maps.young.contains_key(&slot) {
            maps.old = std::mem::take(&mut maps.young);
        }
        maps.young.insert(slot, entry);
    }
}

struct Entry {
    /// A `Verified<T>`, for the `T` whose `TypeId` is in the slot.
    verified: Box<dyn Any + Send + Sync>,
    hit: Hit,
    until: Instant,
}

enum Lookup<T> {
    /// The token's entry, live.
    Live((Verified<T>, Hit)),
    /// The token's entry, lapsed.
    Lapsed,
    /// Another token (or claims type) that shares the hash.
    Other,
}

impl Entry {
    fn lookup<T>(&self, token: &str, now: Instant) -> Lookup<T>
    where
        T: Send + Sync + 'static,
    {
        match self.verified.downcast_ref::<Verified<T>>() {
            Some(verified) if verified.context().token() == token => {
                if self.until > now {
                    Lookup::Live((verified.clone(), self.hit))
                } else {
                    Lookup::Lapsed
                }
            }
            _ => Lookup::Other,
        }
    }
}

/// The maps of one shard; keyed by the slot, a hash already.
#[derive(Default)]
struct Generations {
    young: HashMap<Slot, Entry, BuildHasherDefault<Prehashed>>,
    old: HashMap<Slot, Entry, BuildHasherDefault<Prehashed>>,
}

impl std::fmt::Debug for Generations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} + {} entries", self.young.len(), self.old.len())
    }
}

/// Hashes a [`Slot`] to itself: it is the output of a keyed hash already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys reach this hasher (`write_u64`); mix anything else all the same.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn read(shard: &RwLock<Generations>) -> RwLockReadGuard<'_, Generations> {
    // The maps are consistent after any panic (plain inserts and removes).
    shard.read().unwrap_or_else(PoisonError::into_inner)
}

fn write(shard: &RwLock<Generations>) -> RwLockWriteGuard<'_, Generations> {
    // The maps are consistent after any panic (plain inserts and removes).
    shard.write().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests;

use std::sync::Arc;

use jot_algorithms::SigningKey;
use jot_codec::{Claims, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::*;
use crate::AuthContext;
use crate::error::Challenge;

const HIT: Hit = Hit {
    alg: Algorithm::ES256,
    key: Some([7; 32]),
};

const LONG: Duration = Duration::from_secs(3600);

/// What a verification would give for the token `raw`: the decoded token (an HS256
/// token with `raw` as its subject and `custom` as its own claims) and its context.
fn verified<T>(raw: &str, custom: T) -> Verified<T>
where
    T: Serialize + DeserializeOwned,
{
    let key = SigningKey::hmac(Algorithm::HS256, [7; 32]).unwrap();
    let claims = Claims::new(custom).subject(raw).valid_for(3600);
    let jwt = jot_algorithms::encode(&key, &Header::jwt(), &claims).unwrap();
    let token = jot_algorithms::decode(&jwt, &key.verifying_key(), &Validation::new()).unwrap();
    let challenge = Arc::new(Challenge::default());
    Verified::new(Arc::new(token), AuthContext::new(raw, &challenge))
}

fn token(i: usize) -> String {
    format!("token-{i}")
}

/// Inserts `token(i)` as a `Verified<()>`.
fn put(cache: &VerifiedCache, i: usize) {
    let raw = token(i);
    cache.insert(cache.slot::<()>(&raw), verified(&raw, ()), HIT, LONG);
}

/// Whether `token(i)` hits, checking what comes back.
fn hits(cache: &VerifiedCache, i: usize) -> bool {
    let raw = token(i);
    match cache.get::<()>(cache.slot::<()>(&raw), &raw) {
        Some((v, hit)) => {
            assert_eq!(v.context().token(), raw);
            assert_eq!(v.claims().sub.as_deref(), Some(raw.as_str()));
            assert_eq!(hit, HIT);
            true
        }
        None => false,
    }
}

#[tokio::test]
async fn a_hit_gives_back_the_same_decoded_token() {
    let cache = TokenCache::new(10).build().unwrap();
    let first = verified("t", ());
    let slot = cache.slot::<()>("t");
    cache.insert(slot, first.clone(), HIT, LONG);
    let (again, hit) = cache.get::<()>(slot, "t").unwrap();
    assert_eq!(hit, HIT);
    // The very same decoded token: nothing was decoded again.
    assert!(std::ptr::eq(first.token(), again.token()));
    // Nothing is found for a token never inserted.
    assert!(cache.get::<()>(cache.slot::<()>("u"), "u").is_none());
}

#[tokio::test]
async fn bounded_and_generational() {
    let cache = TokenCache::new(4).build().unwrap();
    for i in 0..4 {
        put(&cache, i);
    }
    assert_eq!(cache.len(), 4);
    // 0 and 1 are in the old generation now; touching 0 brings it back.
    assert!(hits(&cache, 0));
    for i in 4..10 {
        put(&cache, i);
        assert!(cache.len() <= 4);
    }
    assert!(!hits(&cache, 1));
    assert!(hits(&cache, 9));
    cache.remove(cache.slot::<()>(&token(9)));
    assert!(!hits(&cache, 9));
    assert!(TokenCache::disabled().build().is_none());
    assert!(TokenCache::new(5).max_ttl(Duration::ZERO).build().is_none());
}

#[tokio::test]
async fn sharded_and_bounded_at_scale() {
    // The smallest capacity with every shard (each with its minimum of entries).
    let capacity = MAX_SHARDS * MIN_SHARD_ENTRIES;
    let cache = TokenCache::new(capacity).build().unwrap();
    assert_eq!(cache.shards.len(), MAX_SHARDS);
    assert_eq!(
        TokenCache::new(capacity - 1).build().unwrap().shards.len(),
        8
    );
    for i in 0..6_000 {
        put(&cache, i);
    }
    let len = cache.len();
    assert!(len <= capacity, "{len} entries");
    // Two generations per shard: at least the young halves are full.
    assert!(len >= capacity / 2, "{len} entries");
    // The last tokens in are there.
    assert!((5_900..6_000).all(|i| hits(&cache, i)));
    // A small cache has one shard.
    assert_eq!(TokenCache::new(100).build().unwrap().shards.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn entries_lapse_after_max_ttl() {
    let cache = TokenCache::new(10)
        .max_ttl(Duration::from_secs(10))
        .build()
        .unwrap();
    put(&cache, 1);
    tokio::time::advance(Duration::from_secs(9)).await;
    assert!(hits(&cache, 1));
    tokio::time::advance(Duration::from_secs(2)).await;
    assert!(!hits(&cache, 1));
    assert_eq!(cache.len(), 0, "the lapsed entry is dropped");
}

#[tokio::test(start_paused = true)]
async fn entries_never_outlive_the_token() {
    let cache = TokenCache::new(10).build().unwrap();
    let slot = cache.slot::<()>("t");
    cache.insert(slot, verified("t", ()), HIT, Duration::from_secs(3));
    tokio::time::advance(Duration::from_secs(2)).await;
    assert!(cache.get::<()>(slot, "t").is_some());
    tokio::time::advance(Duration::from_secs(2)).await;
    assert!(cache.get::<()>(slot, "t").is_none());
    // A token with nothing left is not entered at all.
    cache.insert(slot, verified("t", ()), HIT, Duration::ZERO);
    assert_eq!(cache.len(), 0);
}

#[tokio::test]
async fn another_token_under_the_same_slot_misses() {
    let cache = TokenCache::new(10).build().unwrap();
    let slot = cache.slot::<()>("a");
    cache.insert(slot, verified("a", ()), HIT, LONG);
    // As if "b" hashed to the slot of "a": the bytes differ, so no hit.
    assert!(cache.get::<()>(slot, "b").is_none());
    assert!(cache.get::<()>(slot, "a").is_some());
}

/// Another claims type.
#[derive(Serialize, serde::Deserialize)]
struct Level {
    level: u32,
}

#[tokio::test]
async fn each_claims_type_has_its_own_entries() {
    let cache = TokenCache::new(10).build().unwrap();
    assert_ne!(cache.slot::<()>("t"), cache.slot::<Level>("t"));
    let slot = cache.slot::<Level>("t");
    cache.insert(slot, verified("t", Level { level: 7 }), HIT, LONG);
    // Another type never gets this entry, even looked up under its slot.
    assert!(cache.get::<()>(slot, "t").is_none());
    assert!(cache.get::<()>(cache.slot::<()>("t"), "t").is_none());
    let (v, _) = cache.get::<Level>(slot, "t").unwrap();
    assert_eq!(v.claims().custom.level, 7);
}

#[test]
fn concurrent_hits_and_inserts_are_correct() {
    let cache = Arc::new(TokenCache::new(1_000).build().unwrap());
    // A runtime only for tokio's clock; the work runs on plain threads.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _guard = runtime.enter();
    for i in 0..8 {
        put(&cache, i);
    }
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let cache = Arc::clone(&cache);
            let handle = runtime.handle().clone();
            std::thread::spawn(move || {
                let _guard = handle.enter();
                for round in 0..2_000 {
                    // The shared tokens always hit, with their own claims.
                    assert!(hits(&cache, round % 8));
                    // Each thread also churns tokens of its own.
                    let own = 1_000 + t * 10_000 + round;
                    put(&cache, own);
                    let raw = token(own);
                    if let Some((v, _)) = cache.get::<()>(cache.slot::<()>(&raw), &raw) {
                        assert_eq!(v.context().token(), raw);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert!(cache.len() <= 1_000);
}

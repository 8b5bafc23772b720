//! Random values and hashes: client secrets (PBKDF2-HMAC-SHA256, constant-time
//! check), refresh tokens and `jti`s (random, stored as SHA-256).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;

use jot_codec::base64url;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, pbkdf2};

/// PBKDF2 iterations for new client secrets. Secrets the issuer generates carry 256
/// bits of entropy and would need none; the cost is for secrets people choose.
pub(crate) const PBKDF2_ITERATIONS: u32 = 100_000;
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;
const SCHEME: &str = "pbkdf2-sha256";

/// `bytes` random bytes, base64url.
pub(crate) fn random_token(bytes: usize) -> Result<String, ring::error::Unspecified> {
    let mut buf = vec![0u8; bytes];
    SystemRandom::new().fill(&mut buf)?;
    Ok(base64url::encode(&buf))
}

/// SHA-256 of `data`, base64url.
pub(crate) fn sha256_b64(data: &[u8]) -> String {
    base64url::encode(digest::digest(&digest::SHA256, data).as_ref())
}

/// Whether `a` and `b` are equal, in time that depends on neither: their SHA-256
/// digests are compared with every byte read (for CSRF tokens, cookies).
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (
        digest::digest(&digest::SHA256, a.as_bytes()),
        digest::digest(&digest::SHA256, b.as_bytes()),
    );
    let difference = a
        .as_ref()
        .iter()
        .zip(b.as_ref())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    difference == 0
}

/// Hashes a client secret as `pbkdf2-sha256$i=N$SALT$HASH` (base64url parts).
pub(crate) fn hash_secret_with(
    secret: &str,
    iterations: u32,
) -> Result<String, ring::error::Unspecified> {
    let mut salt = [0u8; SALT_LEN];
    SystemRandom::new().fill(&mut salt)?;
    let rounds = NonZeroU32::new(iterations).ok_or(ring::error::Unspecified)?;
    let mut hash = [0u8; HASH_LEN];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        rounds,
        &salt,
        secret.as_bytes(),
        &mut hash,
    );
    Ok(format!(
        "{SCHEME}$i={iterations}${}${}",
        base64url::encode(&salt),
        base64url::encode(&hash)
    ))
}

/// Checks `secret` against a hash from [`hash_secret_with`], in constant time with
/// respect to the secret. A malformed hash never matches.
pub(crate) fn verify_secret(secret: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some(SCHEME), Some(iter), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let Some(rounds) = iter
        .strip_prefix("i=")
        .and_then(|n| n.parse::<u32>().ok())
        .and_then(NonZeroU32::new)
    else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (base64url::decode(salt), base64url::decode(hash)) else {
        return false;
    };
    pbkdf2::verify(
        pbkdf2::PBKDF2_HMAC_SHA256,
        rounds,
        &salt,
        secret.as_bytes(),
        &hash,
    )
    .is_ok()
}

/// Remembers secrets that verified recently, so a client that asks for a token
/// every few seconds does not pay (and make the server pay) PBKDF2 each time.
/// Keyed by SHA-256 over the client id, the secret and the stored hash: a changed
/// secret or hash never hits, and the map holds no secret. Failures are never cached.
#[derive(Debug, Default)]
pub(crate) struct VerifiedSecrets {
    entries: Mutex<HashMap<[u8; 32], u64>>,
}

/// How long a verified secret is remembered, in seconds.
const REMEMBER_SECS: u64 = 10 * 60;
const MAX_ENTRIES: usize = 4096;

impl VerifiedSecrets {
    /// Whether `secret` matches `stored` for `client_id`, at time `now`.
    pub(crate) fn verify(&self, client_id: &str, secret: &str, stored: &str, now: u64) -> bool {
        let key = Self::key(client_id, secret, stored);
        if self.lock().get(&key).is_some_and(|&until| until > now) {
            return true;
        }
        if !verify_secret(secret, stored) {
            return false;
        }
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, until| *until > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, now + REMEMBER_SECS);
        true
    }

    fn key(client_id: &str, secret: &str, stored: &str) -> [u8; 32] {
        let mut ctx = digest::Context::new(&digest::SHA256);
        for part in [client_id, secret, stored] {
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part.as_bytes());
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(ctx.finish().as_ref());
        key
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], u64>> {
        // A map of digests to times: no invariant a panic could break.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hash_and_verify() {
        let hash = hash_secret_with("s3cret", 1000).unwrap();
        assert!(hash.starts_with("pbkdf2-sha256$i=1000$"));
        assert!(verify_secret("s3cret", &hash));
        assert!(!verify_secret("s3cres", &hash));
        assert!(!verify_secret("s3cret", "plain"));
        assert!(!verify_secret("s3cret", &hash.replace("i=1000", "i=0")));
        assert_ne!(hash, hash_secret_with("s3cret", 1000).unwrap(), "salted");
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(constant_time_eq("", ""));
    }

    #[test]
    fn verified_secrets_cache_hits_only_the_same_triple() {
        let cache = VerifiedSecrets::default();
        let hash = hash_secret_with("pw", 1000).unwrap();
        assert!(cache.verify("a", "pw", &hash, 100));
        assert!(cache.verify("a", "pw", &hash, 200));
        assert!(!cache.verify("a", "px", &hash, 200));
        assert!(!cache.verify("a", "pw", "other", 200));
    }
}

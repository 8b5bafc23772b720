//! Random values and hashes: client secrets (PBKDF2-HMAC-SHA256 over the
//! secret's SHA-256, constant-time check), refresh tokens and `jti`s (random,
//! stored as SHA-256).
//!
//! Why the secret is hashed before PBKDF2: PBKDF2 uses the password as an HMAC
//! key, and HMAC pads a short key with zero bytes, so `s3cret` and `s3cret\0`
//! would be the same key. Hashing first gives every secret a 32-byte key, and
//! different secrets different keys. Hashes made before (`pbkdf2-sha256$i=…`,
//! the secret itself as the key) are still verified, refusing any secret with a
//! NUL byte; [`Issuer::ensure_client`](crate::Issuer::ensure_client) replaces them.

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
/// The version of hashes whose PBKDF2 password is the secret's SHA-256.
const PREHASHED: &str = "v=2";

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

/// Hashes a client secret as `pbkdf2-sha256$v=2$i=N$SALT$HASH` (base64url parts;
/// the PBKDF2 password is the secret's SHA-256). Slow: call it on the
/// [hashing pool](crate::hash_pool).
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
        prehash(secret).as_ref(),
        &mut hash,
    );
    Ok(format!(
        "{SCHEME}${PREHASHED}$i={iterations}${}${}",
        base64url::encode(&salt),
        base64url::encode(&hash)
    ))
}

/// Checks `secret` against a hash from [`hash_secret_with`] (or a hash of the
/// first format), in constant time with respect to the secret. A malformed hash
/// never matches. Slow: call it on the [hashing pool](crate::hash_pool).
pub(crate) fn verify_secret(secret: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    if parts.next() != Some(SCHEME) {
        return false;
    }
    let prehashed = stored
        .strip_prefix(SCHEME)
        .and_then(|rest| rest.strip_prefix('$'))
        .and_then(|rest| rest.strip_prefix(PREHASHED))
        .is_some_and(|rest| rest.starts_with('$'));
    if prehashed {
        parts.next();
    }
    let (Some(iter), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
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
    if prehashed {
        let password = prehash(secret);
        pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            rounds,
            &salt,
            password.as_ref(),
            &hash,
        )
        .is_ok()
    } else {
        // The first format: the secret itself was the key, so `x` and `x\0` are
        // the same key. A secret with a NUL byte is never accepted.
        let matched = pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            rounds,
            &salt,
            secret.as_bytes(),
            &hash,
        )
        .is_ok();
        matched && !secret.contains('\0')
    }
}

/// Whether `stored` is a hash of the first format (to be replaced).
pub(crate) fn is_first_format(stored: &str) -> bool {
    stored.starts_with("pbkdf2-sha256$i=")
}

/// The PBKDF2 password of a secret: its SHA-256, so every secret is a key of the
/// same length.
fn prehash(secret: &str) -> digest::Digest {
    digest::digest(&digest::SHA256, secret.as_bytes())
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
    /// Whether `secret` verified against `stored` for `client_id` within the last
    /// ten minutes (a SHA-256, no PBKDF2).
    pub(crate) fn remembered(&self, client_id: &str, secret: &str, stored: &str, now: u64) -> bool {
        let key = Self::key(client_id, secret, stored);
        self.lock().get(&key).is_some_and(|&until| until > now)
    }

    /// Remembers that `secret` verified against `stored` for `client_id` at `now`.
    pub(crate) fn remember(&self, client_id: &str, secret: &str, stored: &str, now: u64) {
        let key = Self::key(client_id, secret, stored);
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, until| *until > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, now + REMEMBER_SECS);
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
        assert!(hash.starts_with("pbkdf2-sha256$v=2$i=1000$"));
        assert!(!is_first_format(&hash));
        assert!(!verify_secret("s3cret\0", &hash));
        assert!(!verify_secret("s3cret\0\0\0", &hash));
        assert!(verify_secret("s3cret", &hash));
        assert!(!verify_secret("s3cres", &hash));
        assert!(!verify_secret("s3cret", "plain"));
        assert!(!verify_secret("s3cret", &hash.replace("i=1000", "i=0")));
        assert_ne!(hash, hash_secret_with("s3cret", 1000).unwrap(), "salted");
    }

    /// A hash of the first format (the secret itself as the PBKDF2 password).
    #[test]
    fn first_format_hashes_verify_but_never_with_a_nul() {
        let salt = [7u8; SALT_LEN];
        let mut out = [0u8; HASH_LEN];
        let rounds = NonZeroU32::new(1000).unwrap();
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            rounds,
            &salt,
            b"s3cret",
            &mut out,
        );
        let stored = format!(
            "pbkdf2-sha256$i=1000${}${}",
            base64url::encode(&salt),
            base64url::encode(&out)
        );
        assert!(is_first_format(&stored));
        assert!(verify_secret("s3cret", &stored));
        assert!(!verify_secret("s3cret\0", &stored), "HMAC's zero padding");
        assert!(!verify_secret("s3cres", &stored));
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
        let hash = "pbkdf2-sha256$v=2$i=1000$x$y";
        assert!(!cache.remembered("a", "pw", hash, 100));
        cache.remember("a", "pw", hash, 100);
        assert!(cache.remembered("a", "pw", hash, 200));
        assert!(!cache.remembered("a", "px", hash, 200));
        assert!(!cache.remembered("b", "pw", hash, 200));
        assert!(!cache.remembered("a", "pw", "other", 200));
        assert!(!cache.remembered("a", "pw", hash, 100 + REMEMBER_SECS));
    }
}

//! Random values and hashes: client secrets (argon2id in the PHC string format,
//! through `password-hash`, as user passwords), refresh tokens and `jti`s (random,
//! stored as SHA-256).
//!
//! Client secrets used to be PBKDF2-HMAC-SHA256 hashes in a format of jot's own
//! (`pbkdf2-sha256$v=2$i=…`, the secret's SHA-256 as the PBKDF2 password, and
//! before that `pbkdf2-sha256$i=…`, the secret itself). Those still verify (the
//! first format refusing any secret with a NUL byte, which HMAC's zero padding
//! would otherwise equate with the secret without it), and
//! [`needs_rehash`] tells the caller to replace them: the client authentication
//! does after the next success, [`Issuer::ensure_client`](crate::Issuer::ensure_client)
//! at the next start.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use jot_codec::base64url;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, pbkdf2};

/// The default cost of client-secret hashes, in the unit of
/// [`IssuerBuilder::client_secret_hash_iterations`](crate::IssuerBuilder::client_secret_hash_iterations):
/// argon2id with the parameters of user passwords (19 MiB, 2 passes, 1 lane). A
/// lower cost scales the memory down in proportion (for tests), a higher one the
/// passes up. Secrets the issuer generates carry 256 bits of entropy and would need
/// none; the cost is for secrets people choose.
pub(crate) const DEFAULT_COST: u32 = 100_000;
const SALT_LEN: usize = 16;
/// The prefix of the hashes [`hash_secret_with`] makes.
const ARGON2ID: &str = "$argon2id$";
/// The first PBKDF2 format, and the version of the second.
const PBKDF2: &str = "pbkdf2-sha256";
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

/// The argon2id parameters for a cost (see [`DEFAULT_COST`]).
fn params(cost: u32) -> Params {
    let default_memory = u64::from(Params::DEFAULT_M_COST);
    let (memory, passes) = if cost <= DEFAULT_COST {
        let memory = default_memory * u64::from(cost) / u64::from(DEFAULT_COST);
        (memory, Params::DEFAULT_T_COST)
    } else {
        let passes = u64::from(Params::DEFAULT_T_COST) * u64::from(cost) / u64::from(DEFAULT_COST);
        (default_memory, u32::try_from(passes).unwrap_or(u32::MAX))
    };
    let memory = u32::try_from(memory)
        .unwrap_or(Params::DEFAULT_M_COST)
        .max(Params::MIN_M_COST);
    // In range by construction: memory at least MIN_M_COST, passes at least 2, one
    // lane, the default output length; the default parameters otherwise.
    Params::new(memory, passes, Params::DEFAULT_P_COST, None).unwrap_or_default()
}

/// Hashes a client secret as an argon2id PHC string
/// (`$argon2id$v=19$m=…,t=…,p=1$SALT$HASH`) with a random 16-byte salt, at `cost`
/// (see [`DEFAULT_COST`]). Slow: call it on the [hashing pool](crate::hash_pool).
pub(crate) fn hash_secret_with(
    secret: &str,
    cost: u32,
) -> Result<String, ring::error::Unspecified> {
    let mut salt = [0u8; SALT_LEN];
    SystemRandom::new().fill(&mut salt)?;
    let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params(cost))
        .hash_password_with_salt(secret.as_bytes(), &salt)
        .map_err(|_| ring::error::Unspecified)?;
    Ok(hash.to_string())
}

/// Checks `secret` against a stored hash: an argon2id PHC string from
/// [`hash_secret_with`] (its own parameters), or a PBKDF2 hash of either earlier
/// format. A malformed hash never matches. Slow: call it on the
/// [hashing pool](crate::hash_pool).
pub(crate) fn verify_secret(secret: &str, stored: &str) -> bool {
    if stored.starts_with(ARGON2ID) {
        return PasswordHash::new(stored).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        });
    }
    verify_pbkdf2(secret, stored)
}

/// Whether `stored` is not an argon2id hash (a PBKDF2 hash of an earlier format):
/// once its secret verified, it is to be replaced by [`hash_secret_with`]'s.
pub(crate) fn needs_rehash(stored: &str) -> bool {
    !stored.is_empty() && !stored.starts_with(ARGON2ID)
}

/// Checks `secret` against `pbkdf2-sha256$v=2$i=N$SALT$HASH` (the PBKDF2 password
/// is the secret's SHA-256) or `pbkdf2-sha256$i=N$SALT$HASH` (the secret itself),
/// in constant time with respect to the secret.
fn verify_pbkdf2(secret: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    if parts.next() != Some(PBKDF2) {
        return false;
    }
    let prehashed = stored
        .strip_prefix(PBKDF2)
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
        let password = digest::digest(&digest::SHA256, secret.as_bytes());
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

/// Remembers secrets that verified recently, so a client that asks for a token
/// every few seconds does not pay (and make the server pay) a slow hash each time.
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
    /// ten minutes (a SHA-256, no slow hash).
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

    /// A cheap cost for tests: the parameters scale, the format does not.
    const TEST_COST: u32 = 1_000;

    #[test]
    fn secrets_hash_as_argon2id_phc_strings_and_verify() {
        let hash = hash_secret_with("s3cret", TEST_COST).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=194,t=2,p=1$"), "{hash}");
        assert!(PasswordHash::new(&hash).is_ok(), "a PHC string");
        assert!(!needs_rehash(&hash));
        assert!(verify_secret("s3cret", &hash));
        assert!(!verify_secret("s3cret\0", &hash));
        assert!(!verify_secret("s3cres", &hash));
        assert!(!verify_secret("s3cret", "plain"));
        assert!(!verify_secret("s3cret", &hash.replace("t=2", "t=0")));
        assert_ne!(
            hash,
            hash_secret_with("s3cret", TEST_COST).unwrap(),
            "salted"
        );
    }

    #[test]
    fn the_cost_scales_memory_down_and_passes_up() {
        let at = |cost| {
            let p = params(cost);
            (p.m_cost(), p.t_cost(), p.p_cost())
        };
        assert_eq!(at(DEFAULT_COST), (19_456, 2, 1), "as user passwords");
        assert_eq!(at(DEFAULT_COST / 2), (9_728, 2, 1));
        assert_eq!(at(1), (Params::MIN_M_COST, 2, 1));
        assert_eq!(at(DEFAULT_COST * 10), (19_456, 20, 1));
        assert_eq!(at(u32::MAX).0, 19_456);
    }

    /// A hash of the second format: PBKDF2 over the secret's SHA-256.
    #[test]
    fn second_format_hashes_verify_and_need_a_rehash() {
        let salt = [5u8; SALT_LEN];
        let mut out = [0u8; 32];
        let password = digest::digest(&digest::SHA256, b"s3cret");
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            NonZeroU32::new(1000).unwrap(),
            &salt,
            password.as_ref(),
            &mut out,
        );
        let stored = format!(
            "pbkdf2-sha256$v=2$i=1000${}${}",
            base64url::encode(&salt),
            base64url::encode(&out)
        );
        assert!(needs_rehash(&stored));
        assert!(verify_secret("s3cret", &stored));
        assert!(!verify_secret("s3cret\0", &stored));
        assert!(!verify_secret("s3cres", &stored));
        assert!(!verify_secret("s3cret", &stored.replace("i=1000", "i=0")));
        assert!(!needs_rehash(""), "a public client has no hash");
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
        let hash = "$argon2id$v=19$m=194,t=2,p=1$x$y";
        assert!(!cache.remembered("a", "pw", hash, 100));
        cache.remember("a", "pw", hash, 100);
        assert!(cache.remembered("a", "pw", hash, 200));
        assert!(!cache.remembered("a", "px", hash, 200));
        assert!(!cache.remembered("b", "pw", hash, 200));
        assert!(!cache.remembered("a", "pw", "other", 200));
        assert!(!cache.remembered("a", "pw", hash, 100 + REMEMBER_SECS));
    }
}

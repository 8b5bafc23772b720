//! Password hashing: argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane),
//! run on the [hashing pool](crate::hash_pool) (shared with client secrets), so
//! that logins never stall the async workers and a flood of them queues instead
//! of taking every core. An unknown user is checked against a dummy hash: the
//! same work.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::OnceCell;

use crate::hash_pool::run;
use crate::{IssuerError, secret};

/// The longest password accepted, in bytes.
pub(crate) const MAX_PASSWORD_LEN: usize = 1024;
/// The shortest password a user may be given, in characters (NIST SP 800-63B).
pub(crate) const MIN_PASSWORD_CHARS: usize = 8;
static DUMMY: OnceCell<String> = OnceCell::const_new();

/// argon2id, version 0x13, m = 19456 KiB, t = 2, p = 1.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Hashes `password` as an argon2id PHC string with a random 16-byte salt.
pub(crate) async fn hash(password: &str) -> Result<String, IssuerError> {
    let password = password.to_owned();
    run(move || {
        let mut salt = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut salt)?;
        let hash = argon2()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map_err(|_| IssuerError::PasswordHashing)?;
        Ok(hash.to_string())
    })
    .await?
}

/// Whether `password` matches `hash`; with no hash (an unknown user) the password
/// is checked against a dummy hash, which takes as long, and `false` returned.
pub(crate) async fn verify(password: &str, hash: Option<&str>) -> Result<bool, IssuerError> {
    let (hash, real) = match hash {
        Some(hash) if !hash.is_empty() => (hash.to_owned(), true),
        _ => (dummy().await?.to_owned(), false),
    };
    // Over-long passwords are checked as an empty one: the same time, never a match.
    let too_long = password.len() > MAX_PASSWORD_LEN;
    let password = if too_long { "" } else { password }.to_owned();
    let matched = run(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await?;
    Ok(matched && real && !too_long)
}

/// A hash of a random password, made once per process.
async fn dummy() -> Result<&'static str, IssuerError> {
    DUMMY
        .get_or_try_init(|| async { hash(&secret::random_token(24)?).await })
        .await
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2id_with_owasp_parameters() {
        let hash = hash("correct horse").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify("correct horse", Some(&hash)).await.unwrap());
        assert!(!verify("correct horsf", Some(&hash)).await.unwrap());
        assert!(!verify("correct horse", None).await.unwrap());
        assert!(!verify("correct horse", Some("garbage")).await.unwrap());
        let long = "x".repeat(MAX_PASSWORD_LEN + 1);
        assert!(!verify(&long, Some(&hash)).await.unwrap());
    }
}

//! Server nonces for DPoP proofs (RFC 9449 §9): [`NonceSource`] and
//! [`HmacNonces`], stateless nonces that rotate with time.

use std::fmt;
use std::time::Duration;

use jot_codec::{NumericDate, base64url};
use ring::hmac;

use crate::ConfigError;

/// Issues and checks the nonces DPoP proofs must carry (RFC 9449 §9). Given to
/// [`Dpop::nonces`](crate::Dpop::nonces).
pub trait NonceSource: Send + Sync + 'static {
    /// The nonce a client should put in its next proof, at `now`.
    fn current(&self, now: NumericDate) -> String;

    /// Whether a proof's `nonce` is accepted at `now`.
    fn accepts(&self, nonce: &str, now: NumericDate) -> bool;
}

/// Stateless nonces: the number of the current time window and an HMAC-SHA256 of
/// it, base64url. A nonce is accepted during its window and the next, so a client
/// that just received one always has time to use it; a window lasts
/// [`HmacNonces::DEFAULT_ROTATION`] unless [`HmacNonces::rotation`] says otherwise.
///
/// Nothing is stored. Instances that share a secret ([`HmacNonces::new`]) accept
/// each other's nonces; [`HmacNonces::random`] makes a secret for one instance.
///
/// ```
/// use jot_axum::{HmacNonces, NonceSource};
/// use jot_codec::NumericDate;
///
/// let nonces = HmacNonces::new([42; 32]);
/// let now = NumericDate::from_seconds(1_000).unwrap();
/// let nonce = nonces.current(now);
/// assert!(nonces.accepts(&nonce, now));
/// assert!(!nonces.accepts("made-up", now));
/// // Two windows later (5 minutes each), it has expired.
/// let later = NumericDate::from_seconds(1_600).unwrap();
/// assert!(!nonces.accepts(&nonce, later));
/// ```
pub struct HmacNonces {
    key: hmac::Key,
    rotation: u64,
}

impl HmacNonces {
    /// A window lasts 5 minutes (so a nonce lives 5 to 10 minutes).
    pub const DEFAULT_ROTATION: Duration = Duration::from_secs(300);

    /// Nonces keyed with `secret` (32 random bytes, the same on every instance
    /// that must accept the others' nonces).
    pub fn new(secret: [u8; 32]) -> Self {
        HmacNonces {
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            rotation: Self::DEFAULT_ROTATION.as_secs(),
        }
    }

    /// Nonces keyed with a fresh random secret, for a single instance.
    pub fn random() -> Result<Self, ConfigError> {
        let rng = ring::rand::SystemRandom::new();
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rng)
            .map_err(|_| ConfigError::Setting("the system random generator failed"))?;
        Ok(HmacNonces {
            key,
            rotation: Self::DEFAULT_ROTATION.as_secs(),
        })
    }

    /// The length of a window (whole seconds, at least 1).
    #[must_use]
    pub fn rotation(mut self, window: Duration) -> Self {
        self.rotation = window.as_secs().max(1);
        self
    }

    fn window(&self, now: NumericDate) -> u64 {
        now.seconds() / self.rotation
    }

    fn tag(&self, window: u64) -> hmac::Tag {
        let mut input = Vec::with_capacity(DOMAIN.len() + 8);
        input.extend_from_slice(DOMAIN);
        input.extend_from_slice(&window.to_be_bytes());
        hmac::sign(&self.key, &input)
    }
}

/// What the HMAC covers besides the window number, so a tag made for another
/// purpose with the same key is never a nonce.
const DOMAIN: &[u8] = b"jot-axum DPoP nonce v1";

impl NonceSource for HmacNonces {
    fn current(&self, now: NumericDate) -> String {
        let window = self.window(now);
        let mut bytes = window.to_be_bytes().to_vec();
        bytes.extend_from_slice(self.tag(window).as_ref());
        base64url::encode(&bytes)
    }

    fn accepts(&self, nonce: &str, now: NumericDate) -> bool {
        let Ok(bytes) = base64url::decode(nonce) else {
            return false;
        };
        let Some((number, tag)) = bytes.split_first_chunk::<8>() else {
            return false;
        };
        let window = u64::from_be_bytes(*number);
        let current = self.window(now);
        if window != current && window.checked_add(1) != Some(current) {
            return false;
        }
        let mut input = Vec::with_capacity(DOMAIN.len() + 8);
        input.extend_from_slice(DOMAIN);
        input.extend_from_slice(number);
        hmac::verify(&self.key, &input, tag).is_ok()
    }
}

impl fmt::Debug for HmacNonces {
    /// Never shows the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacNonces")
            .field("rotation", &self.rotation)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> NumericDate {
        NumericDate::from_seconds(secs).unwrap()
    }

    #[test]
    fn a_nonce_lives_for_its_window_and_the_next() {
        let nonces = HmacNonces::new([1; 32]).rotation(Duration::from_secs(100));
        let nonce = nonces.current(at(1_050));
        assert!(nonces.accepts(&nonce, at(1_000)));
        assert!(nonces.accepts(&nonce, at(1_199)));
        assert!(!nonces.accepts(&nonce, at(1_200)));
        assert!(!nonces.accepts(&nonce, at(999)));
    }

    #[test]
    fn only_the_secret_makes_nonces() {
        let a = HmacNonces::new([1; 32]);
        let b = HmacNonces::new([2; 32]);
        let now = at(5_000);
        assert!(!b.accepts(&a.current(now), now));
        assert!(HmacNonces::new([1; 32]).accepts(&a.current(now), now));
        let random = HmacNonces::random().unwrap();
        assert!(random.accepts(&random.current(now), now));
        let mut forged = base64url::decode(&a.current(now)).unwrap();
        forged[39] ^= 1;
        assert!(!a.accepts(&base64url::encode(&forged), now));
        assert!(!a.accepts("", now));
        assert!(!a.accepts("not base64url!", now));
    }
}

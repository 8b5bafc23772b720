//! Tokens as an attacker builds them: the header and payload say whatever he wrote,
//! and the signature is made over exactly those bytes, by whichever key he chooses
//! (the real one in a test that must reach a check made after the signature).

use jot_algorithms::{Algorithm, Signer as _, SigningKey, base64url};

/// The strict, unpadded base64url of `bytes`.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    base64url::encode(bytes.as_ref())
}

/// The header `{"alg":"<alg>"}`.
pub fn header(alg: Algorithm) -> String {
    format!(r#"{{"alg":"{alg}"}}"#)
}

/// A payload that passes the default validation at `now`: `sub` 42, `exp` ten
/// minutes later.
///
/// ```
/// assert_eq!(jot_test_support::forge::payload_at(100), r#"{"sub":"42","exp":700}"#);
/// ```
pub fn payload_at(now: u64) -> String {
    format!(r#"{{"sub":"42","exp":{}}}"#, now + 600)
}

/// The raw signature of `input` by `key`.
pub fn signature(key: &SigningKey, input: &[u8]) -> Vec<u8> {
    let mut sig = Vec::new();
    key.sign(input, &mut sig).expect("the key signs");
    sig
}

/// Signs the segments as given (already encoded, canonical or not):
/// `header_b64.payload_b64.signature`.
pub fn sign_segments(key: &SigningKey, header_b64: &str, payload_b64: &str) -> String {
    let input = format!("{header_b64}.{payload_b64}");
    let sig = signature(key, input.as_bytes());
    format!("{input}.{}", b64(sig))
}

/// Signs arbitrary header and payload bytes (which need not be JSON, nor UTF-8).
pub fn sign_bytes(key: &SigningKey, header: &[u8], payload: &[u8]) -> String {
    sign_segments(key, &b64(header), &b64(payload))
}

/// Signs arbitrary header and payload JSON text.
///
/// ```
/// use jot_algorithms::{Algorithm, SigningKey};
/// use jot_test_support::forge::sign_raw;
///
/// let key = SigningKey::hmac(Algorithm::HS256, [7u8; 32])?;
/// // The key is for HS256; the header says what the attacker wrote.
/// let token = sign_raw(&key, r#"{"alg":"ES256"}"#, "{}");
/// assert!(token.starts_with("eyJhbGciOiJFUzI1NiJ9.e30."));
/// # Ok::<(), jot_algorithms::KeyError>(())
/// ```
pub fn sign_raw(key: &SigningKey, header: &str, payload: &str) -> String {
    sign_bytes(key, header.as_bytes(), payload.as_bytes())
}

/// The decoded signature of `token`.
pub fn raw_signature(token: &str) -> Vec<u8> {
    let (_, sig) = token.rsplit_once('.').expect("a token with segments");
    base64url::decode(sig).expect("a base64url signature")
}

/// `token` with its signature replaced by `sig`.
pub fn with_signature(token: &str, sig: &[u8]) -> String {
    let (input, _) = token.rsplit_once('.').expect("a token with segments");
    format!("{input}.{}", b64(sig))
}

/// An HMAC tag computed with any bytes as the secret (a public key file, say): jot
/// refuses such secrets, so the attacker uses ring directly.
pub fn attacker_hmac(alg: Algorithm, secret: &[u8], input: &[u8]) -> Vec<u8> {
    let ring_alg = match alg {
        Algorithm::HS256 => ring::hmac::HMAC_SHA256,
        Algorithm::HS384 => ring::hmac::HMAC_SHA384,
        Algorithm::HS512 => ring::hmac::HMAC_SHA512,
        other => panic!("{other} is not HMAC"),
    };
    ring::hmac::sign(&ring::hmac::Key::new(ring_alg, secret), input)
        .as_ref()
        .to_vec()
}

/// A token of the given header and payload JSON whose HMAC tag the attacker
/// computed with `secret`.
pub fn hmac_token(alg: Algorithm, secret: &[u8], header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let tag = attacker_hmac(alg, secret, input.as_bytes());
    format!("{input}.{}", b64(tag))
}

/// The unsecured token an attacker sends: `{"alg":"<name>"}.<payload>.<signature>`,
/// `signature` already encoded (empty for a true unsecured JWS).
///
/// ```
/// let token = jot_test_support::forge::none_token("none", "{}", "");
/// assert_eq!(token, "eyJhbGciOiJub25lIn0.e30.");
/// ```
pub fn none_token(name: &str, payload: &str, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        b64(format!(r#"{{"alg":"{name}"}}"#)),
        b64(payload)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_tokens_verify_where_they_should() {
        let key = SigningKey::hmac(Algorithm::HS256, [7u8; 32]).unwrap();
        let token = sign_raw(&key, &header(Algorithm::HS256), &payload_at(0));
        assert_eq!(
            raw_signature(&token),
            attacker_hmac(
                Algorithm::HS256,
                &[7u8; 32],
                token.rsplit_once('.').unwrap().0.as_bytes()
            )
        );
        assert_eq!(
            token,
            hmac_token(
                Algorithm::HS256,
                &[7u8; 32],
                &header(Algorithm::HS256),
                &payload_at(0)
            )
        );
        let swapped = with_signature(&token, b"sig");
        assert!(swapped.ends_with(".c2ln"));
        assert_eq!(raw_signature(&swapped), b"sig");
    }
}

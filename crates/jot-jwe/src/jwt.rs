//! Encrypted JWTs (RFC 7519 §3 with a JWE) and nested JWTs (RFC 7519 §5.2: a JWS
//! inside a JWE, `cty: JWT`).

use jot_codec::{Claims, Clock, Header, Signer, SystemClock, Token, Validation, Verifier};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{
    ContentEncryption, Decrypter, DecryptionPolicy, EncryptionKey, Error, HeaderOptions, JweHeader,
    base64url, decrypt, encrypt,
};

/// The claims of an encrypted JWT, after decryption and validation.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DecryptedClaims<T> {
    /// The JWE protected header.
    pub header: JweHeader,
    /// The validated claims.
    pub claims: Claims<T>,
}

/// A nested JWT after decryption, signature verification and validation.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct NestedToken<T> {
    /// The header of the outer JWE.
    pub jwe_header: JweHeader,
    /// The inner JWS: its algorithm, header and validated claims.
    pub token: Token<T>,
}

/// Encrypts `claims` (any serde type that serializes to a JSON object, typically
/// [`Claims<T>`]) as an encrypted JWT. Pass [`HeaderOptions::jwt`] to write `typ: JWT`.
///
/// ```
/// use jot_jwe::{decrypt_claims, encrypt_claims, Claims, ContentEncryption, DecryptionKey,
///               DecryptionPolicy, FixedClock, HeaderOptions, KeyAlgorithm, Validation};
///
/// let key = DecryptionKey::generate_dir(ContentEncryption::A256GCM)?;
/// let clock = FixedClock::at(1_700_000_000);
/// let claims = Claims::new(()).subject("42").issued_now(&clock, 600);
/// let token = encrypt_claims(&key.encryption_key(), ContentEncryption::A256GCM, &HeaderOptions::jwt(), &claims)?;
///
/// let out = decrypt_claims::<()>(&key, &token, &DecryptionPolicy::new(), &Validation::new(), &clock)?;
/// assert_eq!(out.claims.sub.as_deref(), Some("42"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encrypt_claims<C: Serialize + ?Sized>(
    key: &EncryptionKey,
    enc: ContentEncryption,
    opts: &HeaderOptions,
    claims: &C,
) -> Result<String, Error> {
    let json = serde_json::to_vec(claims).map_err(|_| Error::Jwt(serialize_error()))?;
    if json.first() != Some(&b'{') {
        return Err(Error::Jwt(serialize_error()));
    }
    encrypt(key, enc, opts, &json)
}

fn serialize_error() -> jot_codec::Error {
    jot_codec::Error::Serialize {
        segment: jot_codec::Segment::Payload,
    }
}

/// Decrypts an encrypted JWT with `key` (a [`crate::DecryptionKey`] or a
/// [`crate::DecryptionKeySet`]) and validates its claims (`exp`, `nbf`, `iss`, `aud`, ...)
/// at `clock.now()`, exactly as [`jot_codec::decode_with_clock`] does for a JWS. `typ` is checked
/// against the JWE header. A nested token (`cty: JWT`) is refused: use
/// [`decrypt_then_verify`].
pub fn decrypt_claims<T: DeserializeOwned>(
    key: &(impl Decrypter + ?Sized),
    token: &str,
    policy: &DecryptionPolicy,
    validation: &Validation,
    clock: &(impl Clock + ?Sized),
) -> Result<DecryptedClaims<T>, Error> {
    let decrypted = decrypt(key, token, policy)?;
    if decrypted.header.is_nested() {
        return Err(Error::Nesting(
            "the token is a nested JWT (cty: JWT): use decrypt_then_verify",
        ));
    }
    // The JWE is authenticated: the claims go through jot-codec's claim parsing and
    // validation as the payload of an unsecured token carrying the JWE's `typ`.
    let header = UnsecuredHeader {
        alg: "none",
        typ: decrypted.header.typ.as_deref(),
    };
    let mut inner = base64url::encode(&serde_json::to_vec(&header).map_err(|_| Error::Encryption)?);
    inner.push('.');
    base64url::encode_into(&decrypted.plaintext, &mut inner);
    inner.push('.');
    let checked = jot_codec::unsecured::decode::<T, _>(&inner, validation, clock)?;
    Ok(DecryptedClaims {
        header: decrypted.header,
        claims: checked.claims,
    })
}

#[derive(Serialize)]
struct UnsecuredHeader<'a> {
    alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    typ: Option<&'a str>,
}

/// Signs `claims` with `signer` (a JWS with `typ: JWT`), then encrypts that JWS to
/// `key` with `cty: JWT` (RFC 7519 §5.2, Appendix A.2).
///
/// ```
/// use jot_algorithms::{Algorithm, SigningKey};
/// use jot_jwe::{decrypt_then_verify, sign_then_encrypt, Claims, ContentEncryption,
///               DecryptionKey, KeyAlgorithm, Validation};
///
/// let signer = SigningKey::generate(Algorithm::ES256)?;
/// let recipient = DecryptionKey::generate(KeyAlgorithm::ECDH_ES_A256KW)?;
/// let claims = Claims::new(()).subject("42").valid_for(600);
/// let token = sign_then_encrypt(&signer, &recipient.encryption_key(), ContentEncryption::A256GCM, &claims)?;
///
/// let nested = decrypt_then_verify::<()>(&recipient, &signer.verifying_key(), &token, &Validation::new())?;
/// assert_eq!(nested.token.claims.sub.as_deref(), Some("42"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_then_encrypt<C: Serialize + ?Sized>(
    signer: &(impl Signer + ?Sized),
    key: &EncryptionKey,
    enc: ContentEncryption,
    claims: &C,
) -> Result<String, Error> {
    sign_then_encrypt_with(
        signer,
        &Header::jwt(),
        key,
        enc,
        &HeaderOptions::new(),
        claims,
    )
}

/// [`sign_then_encrypt`] with the JWS header and the JWE header options given
/// (`cty` is set to `JWT` unless the options set it).
pub fn sign_then_encrypt_with<C: Serialize + ?Sized>(
    signer: &(impl Signer + ?Sized),
    jws_header: &Header,
    key: &EncryptionKey,
    enc: ContentEncryption,
    opts: &HeaderOptions,
    claims: &C,
) -> Result<String, Error> {
    let jws = jot_codec::encode(signer, jws_header, claims)?;
    if opts.cty.is_some() {
        encrypt(key, enc, opts, jws.as_bytes())
    } else {
        encrypt(key, enc, &opts.clone().cty("JWT"), jws.as_bytes())
    }
}

/// Decrypts a nested JWT with `key` (a [`crate::DecryptionKey`] or a
/// [`crate::DecryptionKeySet`]), then verifies the inner JWS with `verifier`
/// (a `VerifyingKey`, a `KeySet`, any [`Verifier`]) and validates its claims against
/// the system clock, with the default [`DecryptionPolicy`]. The JWE must say
/// `cty: JWT`.
pub fn decrypt_then_verify<T: DeserializeOwned>(
    key: &(impl Decrypter + ?Sized),
    verifier: &(impl Verifier + ?Sized),
    token: &str,
    validation: &Validation,
) -> Result<NestedToken<T>, Error> {
    decrypt_then_verify_with(
        key,
        verifier,
        token,
        &DecryptionPolicy::new(),
        validation,
        &SystemClock,
    )
}

/// [`decrypt_then_verify`] with a policy and a clock.
pub fn decrypt_then_verify_with<T: DeserializeOwned>(
    key: &(impl Decrypter + ?Sized),
    verifier: &(impl Verifier + ?Sized),
    token: &str,
    policy: &DecryptionPolicy,
    validation: &Validation,
    clock: &(impl Clock + ?Sized),
) -> Result<NestedToken<T>, Error> {
    let decrypted = decrypt(key, token, policy)?;
    if !decrypted.header.is_nested() {
        return Err(Error::Nesting(
            "the JWE does not say cty: JWT, so it holds no nested JWT",
        ));
    }
    let inner = std::str::from_utf8(&decrypted.plaintext)
        .map_err(|_| Error::Nesting("the nested JWT is not UTF-8"))?;
    let token = jot_codec::decode_with_clock::<T, _, _>(inner, verifier, validation, clock)?;
    Ok(NestedToken {
        jwe_header: decrypted.header,
        token,
    })
}

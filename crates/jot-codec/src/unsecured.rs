//! Unsecured JWTs (`alg: none`, RFC 7519 §6): **no integrity at all**.
//!
//! Anyone can forge these. They exist for tests and for payloads protected by
//! other means (e.g. inside an encrypted channel you trust). [`crate::decode_with_clock`]
//! refuses them always; only the functions of this module produce or read them.
//!
//! ```
//! use jot_codec::{unsecured, Claims, FixedClock, Header, Validation};
//! let token = unsecured::encode(&Header::new(), &Claims::new(()).subject("42")).unwrap();
//! assert_eq!(token, "eyJhbGciOiJub25lIn0.eyJzdWIiOiI0MiJ9.");
//! let v = Validation::new().require_exp(false);
//! let t = unsecured::decode::<(), _>(&token, &v, &FixedClock::at(0)).unwrap();
//! assert_eq!(t.claims.sub.as_deref(), Some("42"));
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::claims::Claims;
use crate::compact::{write_claims, write_header};
use crate::error::{Error, HeaderError};
use crate::header::AlgName;
use crate::{Clock, Header, UntrustedToken, Validation, base64url};

/// An unsecured token that passed validation. There is no algorithm: nothing was verified.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct UnsecuredToken<T> {
    /// The header.
    pub header: Header,
    /// The claims (not authenticated).
    pub claims: Claims<T>,
}

/// Builds an unsecured token: `alg` is `none` and the signature is empty.
pub fn encode<C: Serialize + ?Sized>(header: &Header, claims: &C) -> Result<String, Error> {
    let mut json = Vec::with_capacity(256);
    write_header(header, "none", None, &mut json)?;
    let mut token = base64url::encode(&json);
    token.push('.');
    json.clear();
    write_claims(claims, &mut json)?;
    base64url::encode_into(&json, &mut token);
    token.push('.');
    Ok(token)
}

/// Reads an unsecured token: `alg` must be exactly `none` and the signature empty
/// (a signed token is refused here: verify it with [`crate::decode_with_clock`]); the claims are
/// validated as usual.
pub fn decode<T: DeserializeOwned, C: Clock + ?Sized>(
    token: &str,
    validation: &Validation,
    clock: &C,
) -> Result<UnsecuredToken<T>, Error> {
    let untrusted = UntrustedToken::parse_with_limit(token, validation.token_len_limit())?;
    match untrusted.alg_name() {
        AlgName::None => {}
        AlgName::Known(alg) => return Err(Error::AlgorithmNotAllowed { alg: *alg }),
        AlgName::Unknown(name) => {
            return Err(HeaderError::UnsupportedAlgorithm { name: name.clone() }.into());
        }
    }
    if !untrusted.signature_b64().is_empty() {
        return Err(Error::InvalidSignature);
    }
    untrusted.header().check_critical(validation)?;
    let mut names = Vec::new();
    let claims =
        untrusted.claims_with_names::<T>(validation.wants_names().then_some(&mut names))?;
    validation.check(untrusted.header(), &claims, &names, clock.now())?;
    Ok(UnsecuredToken {
        header: untrusted.header().clone(),
        claims,
    })
}

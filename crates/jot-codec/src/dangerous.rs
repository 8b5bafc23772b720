//! Reading a token **without verifying its signature**.
//!
//! For tools that display tokens (like `jot decode`) and for picking a key set by
//! issuer before verification. Never base a decision on what these functions
//! return: anyone can write any claims into an unverified token.
//!
//! ```
//! use jot_codec::dangerous;
//! let token = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZSJ9.c2ln";
//! let (untrusted, claims) = dangerous::decode_unverified::<()>(token).unwrap();
//! assert_eq!(untrusted.algorithm_name(), "RS256");
//! assert_eq!(claims.iss.as_deref(), Some("https://auth.example"));
//! ```

use serde::de::DeserializeOwned;

use crate::UntrustedToken;
use crate::claims::Claims;
use crate::error::Error;

/// Splits the token, parses its header and decodes its claims, checking nothing
/// but their form (base64url, JSON, duplicate members, registered claim types).
/// Works for any `alg`, including `none` and unknown names.
pub fn decode_unverified<T: DeserializeOwned>(
    token: &str,
) -> Result<(UntrustedToken<'_>, Claims<T>), Error> {
    let untrusted = UntrustedToken::parse(token)?;
    let claims = untrusted.claims_with_names(None)?;
    Ok((untrusted, claims))
}

/// The unverified claims of an already parsed token.
pub fn claims_unverified<T: DeserializeOwned>(
    token: &UntrustedToken<'_>,
) -> Result<Claims<T>, Error> {
    token.claims_with_names(None)
}

//! JWK thumbprints (RFC 7638): SHA-256 over the required members, base64url.

use jot_codec::base64url;
use ring::digest;

use crate::{Jwk, KeyError, SigningKey, VerifyingKey};

impl Jwk {
    /// The RFC 7638 SHA-256 thumbprint, base64url-encoded. The key members are first
    /// decoded and checked, so an invalid JWK has no thumbprint.
    ///
    /// ```
    /// use jot_algorithms::Jwk;
    ///
    /// // RFC 8037 §A.3
    /// let jwk: Jwk = r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#.parse()?;
    /// assert_eq!(jwk.thumbprint()?, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn thumbprint(&self) -> Result<String, KeyError> {
        self.decode()?;
        // Every value below was just decoded as strict base64url, and `crv` was
        // matched against a known name, so none needs JSON escaping.
        let canonical = match self.kty.as_str() {
            "RSA" => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                req(&self.e)?,
                req(&self.n)?
            ),
            "EC" => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                req(&self.crv)?,
                req(&self.x)?,
                req(&self.y)?
            ),
            "OKP" => format!(
                r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
                req(&self.crv)?,
                req(&self.x)?
            ),
            "oct" => format!(r#"{{"k":"{}","kty":"oct"}}"#, req(&self.k)?),
            _ => return Err(KeyError::UnsupportedKeyType { what: "JWK kty" }),
        };
        Ok(base64url::encode(
            digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref(),
        ))
    }
}

impl VerifyingKey {
    /// The RFC 7638 thumbprint of the key (of the secret, for HMAC).
    pub fn thumbprint(&self) -> Result<String, KeyError> {
        match self.hmac_secret() {
            Some(secret) => Jwk {
                kty: "oct".into(),
                k: Some(base64url::encode(secret)),
                ..Jwk::default()
            }
            .thumbprint(),
            None => self.to_jwk()?.thumbprint(),
        }
    }

    /// The same key with its thumbprint as key id.
    pub fn with_thumbprint_kid(self) -> Result<Self, KeyError> {
        let kid = self.thumbprint()?;
        Ok(self.with_kid(kid))
    }
}

impl SigningKey {
    /// The RFC 7638 thumbprint of the key's public part (of the secret, for HMAC).
    pub fn thumbprint(&self) -> Result<String, KeyError> {
        self.verifying_key().thumbprint()
    }

    /// The same key with its thumbprint as key id; its verifying key inherits it.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::ES256)?.with_thumbprint_kid()?;
    /// assert_eq!(key.kid().map(str::len), Some(43));
    /// assert_eq!(key.verifying_key().kid(), key.kid());
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn with_thumbprint_kid(self) -> Result<Self, KeyError> {
        let kid = self.thumbprint()?;
        Ok(self.with_kid(kid))
    }
}

fn req(value: &Option<String>) -> Result<&str, KeyError> {
    value.as_deref().ok_or(KeyError::InvalidJwk {
        reason: "missing a member required for the thumbprint",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 §3.1.
    #[test]
    fn rfc7638_example() {
        let jwk: Jwk = r#"{
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        }"#
        .parse()
        .unwrap();
        assert_eq!(
            jwk.thumbprint().unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn thumbprint_needs_valid_members() {
        let jwk: Jwk = r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#.parse().unwrap();
        assert!(jwk.thumbprint().is_err());
    }
}

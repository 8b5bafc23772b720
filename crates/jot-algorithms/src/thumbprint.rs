//! JWK thumbprints (RFC 7638): SHA-256 over the required members, base64url.

use crate::provider::{self, Hash};
use jot_codec::base64url;

use crate::{Jwk, KeyError, KeyMaterial, SigningKey, VerifyingKey};

impl KeyMaterial {
    /// The RFC 7638 SHA-256 thumbprint, base64url-encoded: the hash of the required
    /// public members of the key type (`oct`: `k`; `RSA`: `e`, `n`; `EC`: `crv`, `x`,
    /// `y`; `OKP`: `crv`, `x`; `AKP`: `alg`, `pub`, RFC 9964 §6) and `kty`, in
    /// lexicographic order without whitespace.
    /// A private key has the thumbprint of its public part (so an EC or OKP private key
    /// read without its public key has none).
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, KeyMaterial, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::EdDSA)?;
    /// let private = KeyMaterial::from_jwk(&key.to_jwk()?)?;
    /// let public = KeyMaterial::from_pem(key.verifying_key().to_pem()?)?;
    /// assert_eq!(private.thumbprint()?, public.thumbprint()?);
    /// assert_eq!(public.thumbprint()?, key.thumbprint()?);
    /// # Ok::<(), jot_algorithms::KeyError>(())
    /// ```
    pub fn thumbprint(&self) -> Result<String, KeyError> {
        let public = match self {
            KeyMaterial::Secret(_) => self.to_jwk()?,
            _ => self.to_public()?.to_jwk()?,
        };
        let required: &[(&str, &Option<String>)] = match self.kty() {
            "oct" => &[("k", &public.k)],
            "RSA" => &[("e", &public.e), ("n", &public.n)],
            "EC" => &[("crv", &public.crv), ("x", &public.x), ("y", &public.y)],
            "AKP" => &[("alg", &public.alg), ("pub", &public.public)],
            _ => &[("crv", &public.crv), ("x", &public.x)],
        };
        let mut members = vec![("kty", self.kty())];
        for (name, value) in required {
            members.push((name, value.as_deref().ok_or(KeyError::Encoding)?));
        }
        members.sort_unstable_by_key(|(name, _)| *name);
        // The values are base64url, known curve names or algorithm names, written by
        // `to_jwk`: none needs JSON escaping.
        let body: Vec<String> = members
            .iter()
            .map(|(name, value)| format!(r#""{name}":"{value}""#))
            .collect();
        let canonical = format!("{{{}}}", body.join(","));
        Ok(base64url::encode(
            provider::digest(Hash::Sha256, canonical.as_bytes()).as_ref(),
        ))
    }
}

impl Jwk {
    /// The RFC 7638 SHA-256 thumbprint, base64url-encoded, of any key type jot reads
    /// (`oct`, `RSA`, `EC` incl. secp256k1, `OKP` incl. X25519, `AKP`). The key members are
    /// first decoded and checked ([`KeyMaterial::from_jwk`]), so an invalid JWK has
    /// no thumbprint.
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
        KeyMaterial::from_jwk(self)?.thumbprint()
    }
}

impl VerifyingKey {
    /// The RFC 7638 thumbprint of the key (of the secret, for HMAC).
    pub fn thumbprint(&self) -> Result<String, KeyError> {
        match self.hmac_secret() {
            Some(secret) => KeyMaterial::Secret(secret.to_vec()).thumbprint(),
            None => self.public_material()?.thumbprint(),
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

#[cfg(test)]
mod tests {
    use jot_codec::Algorithm;

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

    /// One known thumbprint per key type, computed independently of jot (RFC 7517
    /// §A.1's EC key, RFC 8037 §A.6's X25519 key, an `oct` secret).
    #[test]
    fn every_key_type_has_its_thumbprint() {
        for (json, expected) in [
            (
                r#"{"kty":"EC","crv":"P-256","use":"enc","kid":"1",
                    "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
                    "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}"#,
                "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s",
            ),
            (
                r#"{"kty":"OKP","crv":"X25519","kid":"Bob",
                    "x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#,
                "giQqigT_IKcuzHl0FVJ3k5ts3_TWNAxvsC08UZsfcM8",
            ),
            (
                r#"{"kty":"oct","alg":"HS256","k":"c2VjcmV0"}"#,
                "DWBh0SEIAPYh1x5uvot4z3AhaikHkxNJa3Ada2fT-Cg",
            ),
        ] {
            let jwk: Jwk = json.parse().unwrap();
            assert_eq!(jwk.thumbprint().unwrap(), expected, "{json}");
        }
    }

    #[test]
    fn a_private_key_has_the_thumbprint_of_its_public_part() {
        for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::ES256K] {
            let Ok(key) = SigningKey::generate(alg) else {
                continue;
            };
            let private = key.to_jwk().unwrap();
            assert_eq!(
                private.thumbprint().unwrap(),
                private.to_public().thumbprint().unwrap()
            );
            assert_eq!(private.thumbprint().unwrap(), key.thumbprint().unwrap());
        }
    }

    #[test]
    fn thumbprint_needs_valid_members() {
        let jwk: Jwk = r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#.parse().unwrap();
        assert!(jwk.thumbprint().is_err());
        let jwk: Jwk = r#"{"kty":"OKP","crv":"X448","x":"AAAA"}"#.parse().unwrap();
        assert!(jwk.thumbprint().is_err());
    }
}

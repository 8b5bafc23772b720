//! ID tokens (OIDC Core §2, §3.1.3.6): minting, and reading one back as an
//! `id_token_hint`.

use jot_algorithms::Algorithm;
use jot_codec::{Claims, Header, NumericDate, Validation, base64url};
use ring::digest;
use serde_json::{Map, Value};

use crate::claims::{ClaimsRequest, TokenKind, allowed};
use crate::users::User;
use crate::{Issuer, IssuerError};

/// The `typ` of ID tokens: plain `JWT`, so an access token (`at+jwt`) can never
/// pass for one, nor one for an access token.
pub(crate) const ID_TOKEN_TYP: &str = "JWT";

/// What goes into an ID token.
pub(crate) struct IdTokenInput<'a> {
    pub(crate) user: &'a User,
    pub(crate) client_id: &'a str,
    pub(crate) scopes: &'a [String],
    pub(crate) nonce: Option<&'a str>,
    pub(crate) auth_time: u64,
    pub(crate) sid: Option<&'a str>,
    pub(crate) access_token: &'a str,
    /// User claims asked for in the ID token.
    pub(crate) user_claims: &'a [String],
}

impl Issuer {
    /// Signs an ID token: `iss`, `sub`, `aud` (the client), `exp`, `iat`,
    /// `auth_time`, `nonce`, `at_hash`, `sid`, the user claims asked for, and the
    /// claims hook's.
    pub(crate) fn mint_id_token(&self, input: &IdTokenInput<'_>) -> Result<String, IssuerError> {
        let ring = self.ring();
        let mut extra = Map::new();
        if let Some(hook) = &self.inner.claims {
            extra = allowed(hook.claims(&ClaimsRequest {
                token: TokenKind::IdToken,
                user: input.user,
                client_id: input.client_id,
                scopes: input.scopes,
            }));
        }
        for (name, value) in user_claims(input.user, input.user_claims) {
            extra.insert(name.to_owned(), value);
        }
        extra.insert("auth_time".into(), input.auth_time.into());
        if let Some(nonce) = input.nonce {
            extra.insert("nonce".into(), nonce.into());
        }
        if let Some(sid) = input.sid {
            extra.insert("sid".into(), sid.into());
        }
        extra.insert(
            "at_hash".into(),
            at_hash(ring.current.algorithm(), input.access_token).into(),
        );
        let now = NumericDate::EPOCH.saturating_add(self.now());
        let claims = Claims::new(extra)
            .issuer(self.inner.url.clone())
            .subject(input.user.sub.clone())
            .audience(input.client_id.to_owned())
            .issued_at(now)
            .expires_at(now.saturating_add(self.inner.access_ttl));
        jot_codec::encode(&ring.current, &Header::new().typ(ID_TOKEN_TYP), &claims)
            .map_err(IssuerError::Sign)
    }

    /// The `sub` and claims of an ID token this issuer signed (with a key still
    /// published), expired or not: what `id_token_hint` may carry.
    pub(crate) fn read_id_token_hint(&self, token: &str) -> Option<(String, Map<String, Value>)> {
        let validation = Validation::new()
            .issuer(self.inner.url.clone())
            .danger_ignore_audience()
            .typ(ID_TOKEN_TYP)
            .check_iat(false)
            .check_nbf(false)
            .require("sub");
        let ring = self.ring();
        let decoded = jot_codec::decode_with_clock::<Map<String, Value>, _, _>(
            token,
            &ring.published,
            &validation,
            // An expired ID token is still a fine hint (OIDC RP-Initiated Logout §2).
            &jot_codec::FixedClock(NumericDate::EPOCH),
        );
        match decoded {
            Ok(token) => {
                let claims = token.claims;
                let mut custom = claims.custom;
                if let Some(aud) = claims.aud {
                    let aud: Vec<Value> = aud.iter().map(Value::from).collect();
                    custom.insert("aud".into(), aud.into());
                }
                Some((claims.sub?, custom))
            }
            Err(e) => {
                tracing::debug!(target: "jot_issuer", kind = e.kind(), "id_token_hint refused");
                None
            }
        }
    }
}

/// The user claims named in `wanted` that the user has.
pub(crate) fn user_claims<'a>(
    user: &User,
    wanted: impl IntoIterator<Item = &'a String>,
) -> Vec<(&'a str, Value)> {
    let mut out = Vec::new();
    for claim in wanted {
        let value = match claim.as_str() {
            "name" => user.name.clone().map(Value::from),
            "preferred_username" => Some(Value::from(user.username.clone())),
            "email" => user.email.clone().map(Value::from),
            "email_verified" => user
                .email
                .as_ref()
                .map(|_| Value::from(user.email_verified)),
            _ => None,
        };
        if let Some(value) = value {
            out.push((claim.as_str(), value));
        }
    }
    out
}

/// `at_hash`: the left half of the hash of the access token, with the hash of the
/// signing algorithm (SHA-512 for EdDSA/Ed25519), base64url.
pub(crate) fn at_hash(alg: Algorithm, access_token: &str) -> String {
    let hash = match alg {
        Algorithm::EdDSA | Algorithm::Ed25519 => &digest::SHA512,
        alg if alg.as_str().ends_with("384") => &digest::SHA384,
        alg if alg.as_str().ends_with("512") => &digest::SHA512,
        _ => &digest::SHA256,
    };
    let full = digest::digest(hash, access_token.as_bytes());
    let bytes = full.as_ref();
    base64url::encode(&bytes[..bytes.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half() {
        // OIDC Core §A.3's example access token and at_hash (RS256).
        assert_eq!(
            at_hash(
                Algorithm::RS256,
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        assert_eq!(at_hash(Algorithm::ES384, "x").len(), 32);
        assert_eq!(at_hash(Algorithm::EdDSA, "x").len(), 43);
        assert_eq!(
            at_hash(Algorithm::Ed25519, "x"),
            at_hash(Algorithm::EdDSA, "x")
        );
    }
}

//! Introspection (RFC 7662) and revocation (RFC 7009) of the issuer's tokens.

use jot_codec::{Audience, Claims, NumericDate, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{audience, scope_string};
use crate::error::OAuthError;
use crate::secret;
use crate::store::RefreshState;
use crate::{Issuer, IssuerError};

/// An RFC 7662 introspection response. An inactive token has `active: false` and
/// nothing else.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Introspection {
    /// Whether the token is valid now (signature, expiry, not revoked).
    pub active: bool,
    /// The scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The client the token was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `Bearer` or `DPoP` (bound to a key, RFC 9449 §6.2) for access tokens,
    /// `refresh_token` for refresh tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    /// Issued at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Token id (access tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The key the token is bound to, `{"jkt": "…"}` (RFC 9449 §6.2): a
    /// resource server that introspects checks the DPoP proof against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Value>,
    /// Who acts for the subject, for a token from a token exchange (RFC 8693 §4.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Value>,
}

impl Issuer {
    /// What an introspection (RFC 7662) says of `token`: an access token this
    /// issuer signed (signature, `iss`, `typ`, expiry, revocation) or a refresh token.
    pub async fn introspect(&self, token: &str) -> Result<Introspection, IssuerError> {
        if token.contains('.') {
            let Some(claims) = self.active_access_token(token).await? else {
                return Ok(Introspection::default());
            };
            let custom = &claims.custom;
            let string = |name: &str| custom.get(name).and_then(Value::as_str).map(String::from);
            let bound = crate::dpop::bound_key(custom).ok().flatten().is_some();
            let token_type = if bound {
                crate::dpop::DPOP_TOKEN_TYPE
            } else {
                "Bearer"
            };
            return Ok(Introspection {
                active: true,
                scope: string("scope"),
                client_id: string("client_id"),
                token_type: Some(token_type.into()),
                cnf: custom.get("cnf").cloned(),
                act: custom.get("act").cloned(),
                exp: claims.exp.map(NumericDate::seconds),
                iat: claims.iat.map(NumericDate::seconds),
                sub: claims.sub,
                aud: claims.aud,
                iss: claims.iss,
                jti: claims.jti,
            });
        }
        let hash = secret::sha256_b64(token.as_bytes());
        match self.inner.store.get_refresh(&hash).await? {
            Some((record, RefreshState::Active)) if record.expires_at > self.now() => {
                Ok(Introspection {
                    active: true,
                    scope: scope_string(&record.scope),
                    client_id: Some(record.client_id),
                    token_type: Some("refresh_token".into()),
                    exp: Some(record.expires_at),
                    iat: Some(record.issued_at),
                    sub: Some(record.subject),
                    aud: audience(&record.audience),
                    iss: Some(self.inner.url.clone()),
                    jti: None,
                    cnf: record.dpop_jkt.map(|jkt| serde_json::json!({ "jkt": jkt })),
                    act: None,
                })
            }
            _ => Ok(Introspection::default()),
        }
    }

    /// Revokes `token`: an access token's `jti` goes on the revocation list until it
    /// expires (introspection then says inactive; verifiers that only check the
    /// signature do not know), a refresh token's whole family is revoked. An
    /// unknown or invalid token is no error (RFC 7009 §2.2).
    pub async fn revoke(&self, token: &str) -> Result<(), IssuerError> {
        Ok(self.revoke_as(token, None).await?)
    }

    /// Revokes a token. When a `client` asks, a token issued to another client
    /// is left alone and the answer is the same as for a revoked one (RFC 7009
    /// §2.2): no client learns whether another's token is valid.
    pub(crate) async fn revoke_as(
        &self,
        token: &str,
        client: Option<&str>,
    ) -> Result<(), OAuthError> {
        let not_yours = |client: Option<&str>| {
            tracing::info!(target: "jot_issuer", client_id = client, "revocation of another client's token ignored");
            Ok(())
        };
        if token.contains('.') {
            let Some(claims) = self.verify_own(token, false) else {
                return Ok(());
            };
            let owner = claims.custom.get("client_id").and_then(Value::as_str);
            if client.is_some_and(|c| Some(c) != owner) {
                return not_yours(client);
            }
            if let (Some(jti), Some(exp)) = (&claims.jti, claims.exp) {
                self.inner.store.revoke_access(jti, exp.seconds()).await?;
                tracing::info!(target: "jot_issuer", %jti, "access token revoked");
            }
            return Ok(());
        }
        let hash = secret::sha256_b64(token.as_bytes());
        let Some((record, _)) = self.inner.store.get_refresh(&hash).await? else {
            return Ok(());
        };
        if client.is_some_and(|c| c != record.client_id) {
            return not_yours(client);
        }
        let until = (self.now() + self.inner.refresh_ttl).max(record.expires_at);
        self.inner
            .store
            .revoke_family(&record.family, until)
            .await?;
        tracing::info!(target: "jot_issuer", family = %record.family, "refresh token family revoked");
        Ok(())
    }

    /// The claims of an access token that is active now: signed by this issuer
    /// with a published key, not expired, not revoked.
    pub(crate) async fn active_access_token(
        &self,
        token: &str,
    ) -> Result<Option<Claims<Map<String, Value>>>, IssuerError> {
        let Some(claims) = self.verify_own(token, true) else {
            return Ok(None);
        };
        let jti = claims.jti.as_deref().unwrap_or_default();
        if self.inner.store.is_access_revoked(jti).await? {
            return Ok(None);
        }
        Ok(Some(claims))
    }

    /// The claims of an access token this issuer signed with a published key;
    /// `None` if it did not, or (when `check_exp`) if it expired.
    pub(crate) fn verify_own(
        &self,
        token: &str,
        check_exp: bool,
    ) -> Option<Claims<Map<String, Value>>> {
        let validation = Validation::new()
            .issuer(self.inner.url.clone())
            .danger_ignore_audience()
            .typ("at+jwt")
            .leeway(0)
            .require("jti");
        let clock: &dyn jot_codec::Clock = if check_exp {
            &*self.inner.clock
        } else {
            // Revoking an expired token is a no-op anyway; only the signature matters.
            &jot_codec::FixedClock(NumericDate::EPOCH)
        };
        let ring = self.ring();
        let decoded = jot_codec::decode_with_clock::<Map<String, Value>, _, _>(
            token,
            &ring.published,
            &validation.check_iat(check_exp),
            &clock,
        );
        match decoded {
            Ok(token) => Some(token.claims),
            Err(e) => {
                tracing::debug!(target: "jot_issuer", kind = e.kind(), "token not active");
                None
            }
        }
    }
}

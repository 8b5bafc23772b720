//! The `authorization_code` grant of the token endpoint (RFC 6749 §4.1.3, RFC 7636
//! §4.6, OIDC Core §3.1.3): a code is used once, within 60 seconds, by the client
//! it was issued to, with the same redirect URI and the PKCE verifier; a second
//! use revokes what the first one issued.

use ring::digest;
use serde_json::Map;

use super::IdTokenInput;
use crate::claims::{ClaimsRequest, TokenKind, allowed};
use crate::grant::{SignIn, Subject};
use crate::request::{Form, Presented};
use crate::store::{ClientRecord, CodeConsumed, CodeIssued, CodeRecord};
use crate::{Issuer, OAuthError, TokenResponse, secret};

impl Issuer {
    /// Exchanges an authorization code; `jkt` is the key of the request's DPoP
    /// proof, if any.
    pub(crate) async fn code_grant(
        &self,
        form: &Form,
        presented: Presented,
        ip: Option<std::net::IpAddr>,
        jkt: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        let code = form.require("code")?;
        let redirect_uri = form.require("redirect_uri")?;
        let verifier = form.require("code_verifier")?;
        let client = self.code_client(presented, ip).await?;
        let hash = secret::sha256_b64(code.as_bytes());
        let Some(record) = self.inner.store.get_code(&hash).await? else {
            return Err(OAuthError::invalid_grant("unknown authorization code"));
        };
        if record.client_id != client.client_id {
            return Err(OAuthError::invalid_grant(
                "the code was issued to another client",
            ));
        }
        if record.redirect_uri != redirect_uri {
            return Err(OAuthError::invalid_grant(
                "redirect_uri differs from the authorization request's",
            ));
        }
        if !pkce_matches(verifier, &record.code_challenge) {
            return Err(OAuthError::invalid_grant(
                "code_verifier does not match the code_challenge",
            ));
        }
        // RFC 8707 §2.2: the token request may repeat the authorization request's
        // resource, never name another one.
        let resource = match (
            self.requested_resource(form.get("resource"))?,
            &record.resource,
        ) {
            (Some(asked), Some(granted)) if asked != granted => {
                return Err(OAuthError::invalid_target(
                    "the resource differs from the authorization request's",
                ));
            }
            (Some(asked), _) => Some(asked.to_owned()),
            (None, granted) => granted.clone(),
        };
        crate::grant::check_binding(record.dpop_jkt.as_deref(), jkt)?;
        let now = self.now();
        if record.issued.is_some() {
            return Err(self.code_reused(record, now).await);
        }
        if record.expires_at <= now {
            return Err(OAuthError::invalid_grant("the code expired"));
        }
        let offline = record.scope.iter().any(|s| s == "offline_access");
        let issued = CodeIssued {
            jti: secret::random_token(16).map_err(crate::IssuerError::from)?,
            access_expires_at: now + self.inner.access_ttl,
            family: if offline {
                Some(secret::random_token(16).map_err(crate::IssuerError::from)?)
            } else {
                None
            },
        };
        let record = match self.inner.store.consume_code(&hash, issued.clone()).await? {
            CodeConsumed::Fresh(record) => record,
            CodeConsumed::Reused(first) => return Err(self.code_reused(first, now).await),
            _ => return Err(OAuthError::invalid_grant("unknown authorization code")),
        };
        let bound = Bound {
            resource: resource.as_deref(),
            jkt,
        };
        self.tokens_for_code(&client, &record, issued, bound).await
    }

    /// The client of a code exchange: authenticated, or a public client naming itself.
    async fn code_client(
        &self,
        presented: Presented,
        ip: Option<std::net::IpAddr>,
    ) -> Result<ClientRecord, OAuthError> {
        match presented {
            Presented::Secret { .. } => self.authenticate(presented, ip).await,
            Presented::PublicId(id) if id.len() > crate::MAX_CLIENT_ID_LEN => {
                Err(OAuthError::invalid_client())
            }
            Presented::PublicId(id) => match self.client(&id).await? {
                Some(client) if client.public => Ok(client),
                _ => Err(OAuthError::invalid_client()),
            },
            Presented::Nothing => Err(OAuthError::invalid_client()),
        }
    }

    /// A second use: revokes the access token and refresh-token family the first
    /// use issued (RFC 6749 §4.1.2), and refuses.
    async fn code_reused(&self, first: CodeRecord, now: u64) -> OAuthError {
        let revoked = async {
            if let Some(issued) = &first.issued {
                self.inner
                    .store
                    .revoke_access(&issued.jti, issued.access_expires_at)
                    .await?;
                if let Some(family) = &issued.family {
                    self.inner
                        .store
                        .revoke_family(family, now + self.inner.refresh_ttl)
                        .await?;
                }
            }
            Ok::<_, crate::store::StoreError>(())
        };
        if let Err(e) = revoked.await {
            return e.into();
        }
        tracing::warn!(
            target: "jot_issuer",
            client_id = %first.client_id,
            sub = %first.sub,
            "authorization code reused: the tokens it issued are revoked"
        );
        OAuthError::invalid_grant("the code was already used; the tokens it issued are revoked")
    }

    /// The access token, refresh token (with `offline_access`) and ID token (with
    /// `openid`) of a code just consumed.
    async fn tokens_for_code(
        &self,
        client: &ClientRecord,
        record: &CodeRecord,
        issued: CodeIssued,
        bound: Bound<'_>,
    ) -> Result<TokenResponse, OAuthError> {
        let Some(user) = self.session_user(&record.sub).await? else {
            return Err(OAuthError::invalid_grant(
                "the user no longer exists or is disabled",
            ));
        };
        let claims = match &self.inner.claims {
            Some(hook) => allowed(hook.claims(&ClaimsRequest {
                token: TokenKind::AccessToken,
                user: &user,
                client_id: &client.client_id,
                scopes: &record.scope,
            })),
            None => Map::new(),
        };
        let resource = bound.resource.map(|r| vec![r.to_owned()]);
        let audience = match &resource {
            Some(resource) => resource,
            None if client.audience.is_empty() => &self.inner.audience,
            None => &client.audience,
        };
        let subject = Subject {
            jkt: bound.jkt,
            ..Subject::new(
                &user.sub,
                &client.client_id,
                &record.scope,
                audience,
                &claims,
            )
        };
        let mut response = self.mint_with_jti(&subject, issued.jti)?;
        if let Some(family) = issued.family {
            let sign_in = SignIn {
                sid: &record.sid,
                auth_time: record.auth_time,
                id_token_claims: &record.id_token_claims,
            };
            // RFC 9449 §5: a public client's refresh token is bound to its DPoP key.
            let refresh_bound = if client.public { bound.jkt } else { None };
            response.refresh_token = Some(
                self.new_refresh(&subject, family, Some(&sign_in), refresh_bound)
                    .await?,
            );
        }
        if record.scope.iter().any(|s| s == "openid") {
            response.id_token = Some(self.mint_id_token(&IdTokenInput {
                user: &user,
                client_id: &client.client_id,
                scopes: &record.scope,
                nonce: record.nonce.as_deref(),
                auth_time: record.auth_time,
                sid: Some(&record.sid),
                access_token: &response.access_token,
                user_claims: &record.id_token_claims,
            })?);
        }
        tracing::info!(
            target: "jot_issuer",
            grant = "authorization_code",
            client_id = %client.client_id,
            sub = %user.sub,
            "tokens issued"
        );
        Ok(response)
    }
}

/// What a code's tokens are bound to: the resource (their `aud`) and the DPoP key.
struct Bound<'a> {
    resource: Option<&'a str>,
    jkt: Option<&'a str>,
}

/// RFC 7636 §4.6 with S256: the verifier is 43 to 128 unreserved characters, and
/// its SHA-256, base64url, is the challenge.
fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    let computed =
        jot_codec::base64url::encode(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref());
    well_formed && secret::constant_time_eq(&computed, challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
            challenge
        ));
        assert!(!pkce_matches(challenge, challenge), "plain is not S256");
        assert!(!pkce_matches("short", challenge));
    }
}

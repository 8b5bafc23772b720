//! Token exchange (RFC 8693): a client allowed to exchange (an API, an MCP
//! server) trades an access token it received for one aimed at a downstream
//! resource, narrower or equal in scope, naming itself in `act`. The standard
//! answer to "never pass a token on".

use jot_codec::NumericDate;
use serde_json::{Map, Value, json};

use super::{RESERVED, Subject};
use crate::error::OAuthErrorCode;
use crate::request::{Form, parse_scope};
use crate::store::ClientRecord;
use crate::{Issuer, OAuthError, TokenResponse};

/// The `grant_type` of a token exchange.
pub(crate) const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// The token type of an access token (RFC 8693 §3).
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

impl Issuer {
    /// The token-exchange grant for an authenticated client; `jkt` is the key of
    /// the request's DPoP proof, if any (the new token is then bound to it).
    pub(crate) async fn token_exchange(
        &self,
        client: &ClientRecord,
        form: &Form,
        jkt: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        if !client.token_exchange || client.public {
            return Err(OAuthError::new(
                OAuthErrorCode::UnauthorizedClient,
                "this client may not exchange tokens",
            ));
        }
        let subject_token = form.require("subject_token")?;
        if form.require("subject_token_type")? != ACCESS_TOKEN_TYPE {
            return Err(OAuthError::invalid_request(
                "subject_token_type must be urn:ietf:params:oauth:token-type:access_token",
            ));
        }
        if form.get("actor_token").is_some() || form.get("actor_token_type").is_some() {
            return Err(OAuthError::invalid_request(
                "actor tokens are not supported: the authenticated client is the actor",
            ));
        }
        if form
            .get("requested_token_type")
            .is_some_and(|t| t != ACCESS_TOKEN_TYPE)
        {
            return Err(OAuthError::invalid_request(
                "requested_token_type must be urn:ietf:params:oauth:token-type:access_token",
            ));
        }
        // `resource` (RFC 8707) or `audience` (RFC 8693 §2.1): the downstream
        // resource, one this issuer serves.
        let target = match (form.get("resource"), form.get("audience")) {
            (Some(_), Some(_)) => {
                return Err(OAuthError::invalid_request(
                    "name the downstream resource with resource or audience, not both",
                ));
            }
            (resource, audience) => self.requested_resource(resource.or(audience))?,
        };
        let Some(claims) = self.active_access_token(subject_token).await? else {
            return Err(OAuthError::invalid_grant(
                "the subject token is not an active access token of this issuer",
            ));
        };
        let custom = &claims.custom;
        let granted: Vec<String> = custom
            .get("scope")
            .and_then(Value::as_str)
            .map(|s| {
                s.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let scope = match form.get("scope") {
            None => granted,
            Some(requested) => {
                let requested = parse_scope(requested)?;
                if let Some(bad) = requested.iter().find(|s| !granted.contains(s)) {
                    return Err(OAuthError::invalid_scope(format!(
                        "scope {bad} is not granted to the subject token"
                    )));
                }
                requested
            }
        };
        let sub = claims
            .sub
            .as_deref()
            .ok_or_else(|| OAuthError::invalid_grant("the subject token has no subject"))?;
        let audience = match target {
            Some(resource) => vec![resource.to_owned()],
            None => self.inner.audience.clone(),
        };
        // The subject token's own claims (`name`, `roles`…) carry over; those the
        // issuer sets, the binding and the actor chain do not.
        let extra: Map<String, Value> = custom
            .iter()
            .filter(|(name, _)| !RESERVED.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let act = actor(&client.client_id, custom.get("act"));
        let mut response = self.mint(&Subject {
            jkt,
            act: Some(&act),
            not_after: claims.exp.map(NumericDate::seconds),
            ..Subject::new(sub, &client.client_id, &scope, &audience, &extra)
        })?;
        response.issued_token_type = Some(ACCESS_TOKEN_TYPE.into());
        tracing::info!(
            target: "jot_issuer",
            grant = "token_exchange",
            client_id = %client.client_id,
            sub = %sub,
            "access token exchanged"
        );
        Ok(response)
    }
}

/// The `act` claim naming `client_id`, with the subject token's own `act`
/// nested: the chain of delegation, most recent actor first (RFC 8693 §4.1).
fn actor(client_id: &str, previous: Option<&Value>) -> Value {
    match previous {
        Some(previous @ Value::Object(_)) => json!({ "sub": client_id, "act": previous }),
        _ => json!({ "sub": client_id }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_chain_most_recent_first() {
        assert_eq!(actor("mcp", None), json!({"sub": "mcp"}));
        let first = actor("gateway", None);
        assert_eq!(
            actor("mcp", Some(&first)),
            json!({"sub": "mcp", "act": {"sub": "gateway"}})
        );
    }
}

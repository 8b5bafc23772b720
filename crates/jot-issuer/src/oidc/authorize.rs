//! Reading an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC
//! 7636, RFC 9700): one small check per parameter, each with its error. Errors
//! about the client or the redirect URI are shown on a page; the others go back
//! to the redirect URI (RFC 6749 §4.1.2.1).

use std::borrow::Cow;

use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::request::{Form, parse_scope};
use crate::store::ClientRecord;
use crate::{Issuer, IssuerError, redirect};

/// The longest `state` and `nonce` accepted.
const MAX_STATE_LEN: usize = 2048;
const MAX_NONCE_LEN: usize = 512;

/// The user claims an ID token may carry, and the scope each needs.
pub(crate) const USER_CLAIMS: [(&str, &str); 4] = [
    ("name", "profile"),
    ("preferred_username", "profile"),
    ("email", "email"),
    ("email_verified", "email"),
];

/// A validated authorization request.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct AuthRequest {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scope: Vec<String>,
    #[serde(default)]
    pub(crate) state: Option<String>,
    #[serde(default)]
    pub(crate) nonce: Option<String>,
    pub(crate) code_challenge: String,
    #[serde(default)]
    pub(crate) prompt: Prompt,
    #[serde(default)]
    pub(crate) max_age: Option<u64>,
    #[serde(default)]
    pub(crate) login_hint: Option<String>,
    /// The `sub` of a valid `id_token_hint`.
    #[serde(default)]
    pub(crate) hint_sub: Option<String>,
    /// User claims asked for in the ID token (`claims` parameter).
    #[serde(default)]
    pub(crate) id_token_claims: Vec<String>,
    /// Once signed in and waiting for consent: the user.
    #[serde(default)]
    pub(crate) sub: Option<String>,
    /// The resource (RFC 8707) the access token is for.
    #[serde(default)]
    pub(crate) resource: Option<String>,
    /// The thumbprint of the DPoP key the code is bound to (RFC 9449 §10).
    #[serde(default)]
    pub(crate) dpop_jkt: Option<String>,
}

/// The `prompt` parameter.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Prompt {
    pub(crate) none: bool,
    pub(crate) login: bool,
    pub(crate) consent: bool,
}

/// Why an authorization request is refused.
#[derive(Debug)]
pub(crate) enum Refused {
    /// Shown on a page: the client or redirect URI cannot be trusted.
    Page(StatusCode, Cow<'static, str>),
    /// Sent back to the client's redirect URI.
    Redirect(RedirectError),
}

/// An error response to the redirect URI.
#[derive(Debug)]
pub(crate) struct RedirectError {
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
    pub(crate) error: &'static str,
    pub(crate) description: Cow<'static, str>,
}

impl Refused {
    fn page(description: impl Into<Cow<'static, str>>) -> Self {
        Refused::Page(StatusCode::BAD_REQUEST, description.into())
    }
}

impl From<IssuerError> for Refused {
    fn from(error: IssuerError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(target: "jot_issuer", %error, "authorization request: store unavailable");
            return Refused::Page(
                StatusCode::SERVICE_UNAVAILABLE,
                super::page::UNAVAILABLE.into(),
            );
        }
        tracing::error!(target: "jot_issuer", %error, "authorization request failed");
        Refused::Page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server failed; try again later.".into(),
        )
    }
}

impl From<crate::client_metadata::ClientLookupError> for Refused {
    /// A client metadata document that cannot be used is shown on a page: its
    /// redirect URIs are not to be trusted.
    fn from(error: crate::client_metadata::ClientLookupError) -> Self {
        match error {
            crate::client_metadata::ClientLookupError::Store(e) => e.into(),
            crate::client_metadata::ClientLookupError::Document(e) => Refused::page(format!(
                "The client's metadata document cannot be used: {e}."
            )),
        }
    }
}

impl From<crate::store::StoreError> for Refused {
    fn from(error: crate::store::StoreError) -> Self {
        IssuerError::from(error).into()
    }
}

impl Issuer {
    /// Checks an authorization request's parameters; returns the request and its client.
    pub(crate) async fn read_authorization(
        &self,
        form: &Form,
    ) -> Result<(AuthRequest, ClientRecord), Refused> {
        let client_id = form
            .get("client_id")
            .ok_or_else(|| Refused::page("The request names no client (client_id is missing)."))?;
        let unknown = || Refused::page("The client is not registered with this issuer.");
        if client_id.len() > crate::MAX_CLIENT_ID_LEN {
            return Err(unknown());
        }
        let client = self.client(client_id).await?.ok_or_else(unknown)?;
        let redirect_uri = form
            .get("redirect_uri")
            .ok_or_else(|| Refused::page("The request has no redirect_uri."))?;
        if !redirect::matches(&client.redirect_uris, redirect_uri) {
            return Err(Refused::page(
                "The redirect_uri is not one registered for this client.",
            ));
        }
        let state = form.get("state").map(str::to_owned);
        let refuse = |error: &'static str, description: &'static str| {
            Refused::Redirect(RedirectError {
                redirect_uri: redirect_uri.to_owned(),
                state: state.clone().filter(|s| s.len() <= MAX_STATE_LEN),
                error,
                description: description.into(),
            })
        };
        if state.as_ref().is_some_and(|s| s.len() > MAX_STATE_LEN) {
            return Err(refuse("invalid_request", "state is too long"));
        }
        for (param, error) in [
            ("request", "request_not_supported"),
            ("request_uri", "request_uri_not_supported"),
            ("registration", "registration_not_supported"),
        ] {
            if form.get(param).is_some() {
                return Err(refuse(
                    error,
                    "request objects and registration are not supported",
                ));
            }
        }
        match form.get("response_type") {
            None => return Err(refuse("invalid_request", "response_type is missing")),
            Some("code") => {}
            Some(_) => {
                return Err(refuse(
                    "unsupported_response_type",
                    "only response_type=code is supported",
                ));
            }
        }
        if form.get("response_mode").is_some_and(|m| m != "query") {
            return Err(refuse(
                "invalid_request",
                "only response_mode=query is supported",
            ));
        }
        let code_challenge = match (
            form.get("code_challenge"),
            form.get("code_challenge_method"),
        ) {
            (None, _) => {
                return Err(refuse(
                    "invalid_request",
                    "code_challenge is required (PKCE, S256)",
                ));
            }
            (Some(challenge), Some("S256")) => challenge,
            (Some(_), _) => {
                return Err(refuse(
                    "invalid_request",
                    "code_challenge_method must be S256 (plain is not allowed)",
                ));
            }
        };
        let base64url_32 = code_challenge.len() == 43
            && code_challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !base64url_32 {
            return Err(refuse(
                "invalid_request",
                "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
            ));
        }
        let scope = match form.get("scope").map(parse_scope) {
            None => return Err(refuse("invalid_scope", "scope is missing")),
            Some(Err(_)) => return Err(refuse("invalid_scope", "scope is empty or malformed")),
            Some(Ok(scope)) => scope,
        };
        if scope.iter().any(|s| !client.scopes.contains(s)) {
            return Err(refuse(
                "invalid_scope",
                "a requested scope is not allowed for this client",
            ));
        }
        let resource = self
            .requested_resource(form.get("resource"))
            .map_err(|_| {
                refuse(
                    "invalid_target",
                    "the resource is not one this issuer issues tokens for",
                )
            })?
            .map(str::to_owned);
        let dpop_jkt = match form.get("dpop_jkt") {
            None => None,
            Some(jkt) if crate::dpop::is_thumbprint(jkt) => Some(jkt.to_owned()),
            Some(_) => {
                return Err(refuse(
                    "invalid_request",
                    "dpop_jkt must be a base64url SHA-256 JWK thumbprint",
                ));
            }
        };
        let nonce = form.get("nonce").map(str::to_owned);
        if nonce.as_ref().is_some_and(|n| n.len() > MAX_NONCE_LEN) {
            return Err(refuse("invalid_request", "nonce is too long"));
        }
        let prompt = parse_prompt(form.get("prompt")).ok_or_else(|| {
            refuse(
                "invalid_request",
                "prompt is none, login or consent; none alone",
            )
        })?;
        let max_age = match form.get("max_age") {
            None => None,
            Some(v) => Some(
                v.parse::<u64>()
                    .map_err(|_| refuse("invalid_request", "max_age is not a number of seconds"))?,
            ),
        };
        let id_token_claims = match form.get("claims") {
            None => Vec::new(),
            Some(json) => id_token_claims(json, &scope)
                .ok_or_else(|| refuse("invalid_request", "claims is not a JSON object"))?,
        };
        let hint_sub = match form.get("id_token_hint") {
            None => None,
            Some(hint) => Some(
                self.read_id_token_hint(hint)
                    .map(|(sub, _)| sub)
                    .ok_or_else(|| {
                        refuse(
                            "invalid_request",
                            "id_token_hint is not an ID token of this issuer",
                        )
                    })?,
            ),
        };
        let login_hint = form
            .get("login_hint")
            .filter(|h| h.chars().count() <= 64 && !h.chars().any(char::is_control))
            .map(str::to_owned);
        let request = AuthRequest {
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            scope,
            state,
            nonce,
            code_challenge: code_challenge.to_owned(),
            prompt,
            max_age,
            login_hint,
            hint_sub,
            id_token_claims,
            sub: None,
            resource,
            dpop_jkt,
        };
        Ok((request, client))
    }
}

impl AuthRequest {
    /// An error response of this request, to its redirect URI.
    pub(crate) fn error(&self, error: &'static str, description: &'static str) -> Refused {
        Refused::Redirect(RedirectError {
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
            error,
            description: description.into(),
        })
    }
}

/// `none`, `login`, `consent` (and `select_account`, meaningless with one account);
/// `none` only alone. `None` when invalid.
fn parse_prompt(value: Option<&str>) -> Option<Prompt> {
    let mut prompt = Prompt::default();
    let mut count = 0;
    for value in value.unwrap_or("").split(' ').filter(|v| !v.is_empty()) {
        count += 1;
        match value {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => {}
            _ => return None,
        }
    }
    (!prompt.none || count == 1).then_some(prompt)
}

/// The user claims the `claims` parameter asks for in the ID token, among those
/// the granted scopes allow (OIDC Core §5.5). `None` if it is not a JSON object.
fn id_token_claims(json: &str, scope: &[String]) -> Option<Vec<String>> {
    let value: Value = serde_json::from_str(json).ok()?;
    let object = value.as_object()?;
    let Some(id_token) = object.get("id_token") else {
        return Some(Vec::new());
    };
    let asked = id_token.as_object()?;
    Some(
        USER_CLAIMS
            .iter()
            .filter(|(claim, needs)| asked.contains_key(*claim) && scope.iter().any(|s| s == needs))
            .map(|(claim, _)| (*claim).to_owned())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts() {
        assert_eq!(parse_prompt(None), Some(Prompt::default()));
        assert!(parse_prompt(Some("none")).unwrap().none);
        let p = parse_prompt(Some("login consent")).unwrap();
        assert!(p.login && p.consent && !p.none);
        assert_eq!(parse_prompt(Some("none login")), None);
        assert_eq!(parse_prompt(Some("create")), None);
    }

    #[test]
    fn claims_parameter_is_limited_by_scope() {
        let scope = vec!["openid".to_owned(), "email".to_owned()];
        let json = r#"{"id_token":{"email":null,"name":{"essential":true},"x":null}}"#;
        assert_eq!(id_token_claims(json, &scope).unwrap(), ["email"]);
        assert_eq!(
            id_token_claims(r#"{"userinfo":{}}"#, &scope).unwrap(),
            Vec::<String>::new()
        );
        assert!(id_token_claims("[]", &scope).is_none());
        assert!(id_token_claims("{", &scope).is_none());
    }
}

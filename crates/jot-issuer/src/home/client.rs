//! The demo's OpenID Connect client: the discovery document, the authorization
//! request with PKCE, and the token, userinfo, JWKS and end-session endpoints,
//! called through the issuer's own router as HTTP requests.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{Method, Request, StatusCode, header};
use jot_algorithms::KeySet;
use serde::Deserialize;
use serde_json::Value;
use tower::ServiceExt as _;

use super::{CALLBACK, DEMO_CLIENT_ID, DEMO_SCOPES, SIGNED_OUT};
use crate::Issuer;

/// The largest response body the demo reads from an endpoint.
const BODY_LIMIT: usize = 1024 * 1024;

/// Why a step of the demo's flow failed; shown on the home page.
#[derive(Debug, thiserror::Error)]
pub(super) enum DemoError {
    /// An endpoint answered with an OAuth error (or an unexpected status).
    #[error("the {endpoint} endpoint refused: {error} (HTTP {status})")]
    Refused {
        /// Which endpoint.
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code, or `unexpected response`.
        error: String,
    },
    /// An endpoint's answer could not be read.
    #[error("the {endpoint} endpoint sent an unreadable response")]
    Unreadable {
        /// Which endpoint.
        endpoint: &'static str,
    },
    /// The discovery document lacks an endpoint, or names one on another server.
    #[error("the discovery document has no usable {field}")]
    Discovery {
        /// The missing member.
        field: &'static str,
    },
    /// The authorization response went wrong.
    #[error("the sign-in was refused: {error}")]
    Authorization {
        /// The `error` code the issuer sent back (e.g. `access_denied`).
        error: String,
    },
    /// The authorization response does not answer this browser's request.
    #[error("the sign-in does not match a request of this browser ({reason})")]
    Mismatch {
        /// What did not match.
        reason: &'static str,
    },
    /// A token failed verification.
    #[error("the {token} did not verify: {reason}")]
    Token {
        /// Which token.
        token: &'static str,
        /// Which check failed.
        reason: String,
    },
    /// The system random generator failed.
    #[error("no randomness available")]
    Random,
}

/// What the token endpoint returned.
#[derive(Clone, Debug, Deserialize)]
pub(super) struct TokenSet {
    pub(super) access_token: String,
    #[serde(default)]
    pub(super) id_token: Option<String>,
    #[serde(default)]
    pub(super) refresh_token: Option<String>,
    #[serde(default)]
    pub(super) scope: Option<String>,
}

/// The parameters of one authorization request, kept until its callback.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub(super) state: String,
    pub(super) nonce: String,
    pub(super) code_verifier: String,
}

/// The demo client of one issuer.
pub(super) struct DemoClient {
    issuer: Issuer,
    router: Router,
    /// The discovery document, read once (it changes only with the configuration).
    discovery: tokio::sync::OnceCell<Value>,
}

impl DemoClient {
    pub(super) fn new(issuer: Issuer) -> Self {
        let router = issuer.router();
        DemoClient {
            issuer,
            router,
            discovery: tokio::sync::OnceCell::new(),
        }
    }

    pub(super) fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// `{issuer}/demo/callback`.
    pub(super) fn redirect_uri(&self) -> String {
        format!("{}{CALLBACK}", self.issuer.url())
    }

    /// The discovery document.
    pub(super) async fn discovery(&self) -> Result<&Value, DemoError> {
        self.discovery
            .get_or_try_init(|| async {
                let body = self
                    .call(
                        "discovery",
                        Method::GET,
                        "/.well-known/openid-configuration",
                        None,
                        None,
                    )
                    .await?;
                serde_json::from_slice(&body).map_err(|_| DemoError::Unreadable {
                    endpoint: "discovery",
                })
            })
            .await
    }

    /// A new request's state, nonce and PKCE verifier, and the URL of the
    /// authorization endpoint to send the browser to.
    pub(super) async fn authorization_request(&self) -> Result<(Pending, String), DemoError> {
        let random = || crate::secret::random_token(32).map_err(|_| DemoError::Random);
        let pending = Pending {
            state: random()?,
            nonce: random()?,
            code_verifier: random()?,
        };
        let challenge = crate::secret::sha256_b64(pending.code_verifier.as_bytes());
        let endpoint = self.endpoint("authorization_endpoint").await?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", DEMO_CLIENT_ID)
            .append_pair("redirect_uri", &self.redirect_uri())
            .append_pair("scope", &DEMO_SCOPES.join(" "))
            .append_pair("state", &pending.state)
            .append_pair("nonce", &pending.nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        Ok((pending, format!("{}{endpoint}?{query}", self.issuer.url())))
    }

    /// The authorization code grant.
    pub(super) async fn exchange(
        &self,
        code: &str,
        code_verifier: &str,
    ) -> Result<TokenSet, DemoError> {
        let redirect_uri = self.redirect_uri();
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", code_verifier),
            ("client_id", DEMO_CLIENT_ID),
        ])
        .await
    }

    /// The refresh token grant.
    pub(super) async fn refresh(&self, refresh_token: &str) -> Result<TokenSet, DemoError> {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", DEMO_CLIENT_ID),
        ])
        .await
    }

    /// What `/userinfo` says for this access token.
    pub(super) async fn userinfo(&self, access_token: &str) -> Result<Value, DemoError> {
        let endpoint = self.endpoint("userinfo_endpoint").await?;
        let body = self
            .call(
                "userinfo",
                Method::GET,
                &endpoint,
                Some(&format!("Bearer {access_token}")),
                None,
            )
            .await?;
        serde_json::from_slice(&body).map_err(|_| DemoError::Unreadable {
            endpoint: "userinfo",
        })
    }

    /// The issuer's published keys, from its `jwks_uri`.
    pub(super) async fn keys(&self) -> Result<KeySet, DemoError> {
        let endpoint = self.endpoint("jwks_uri").await?;
        let body = self
            .call("JWKS", Method::GET, &endpoint, None, None)
            .await?;
        let text =
            std::str::from_utf8(&body).map_err(|_| DemoError::Unreadable { endpoint: "JWKS" })?;
        KeySet::from_jwks_json(text).map_err(|_| DemoError::Unreadable { endpoint: "JWKS" })
    }

    /// The URL of RP-initiated logout for this ID token, coming back to
    /// `{issuer}/demo/signed-out` with `state`.
    pub(super) async fn end_session_url(
        &self,
        id_token: Option<&str>,
        state: &str,
    ) -> Result<String, DemoError> {
        let endpoint = self.endpoint("end_session_endpoint").await?;
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(id_token) = id_token {
            query.append_pair("id_token_hint", id_token);
        }
        let back = format!("{}{SIGNED_OUT}", self.issuer.url());
        let query = query
            .append_pair("post_logout_redirect_uri", &back)
            .append_pair("state", state)
            .append_pair("client_id", DEMO_CLIENT_ID)
            .finish();
        Ok(format!("{}{endpoint}?{query}", self.issuer.url()))
    }

    /// The path of a discovered endpoint on this issuer (`/token` for
    /// `https://issuer.example/token`).
    async fn endpoint(&self, field: &'static str) -> Result<String, DemoError> {
        let discovery = self.discovery().await?;
        discovery[field]
            .as_str()
            .and_then(|url| url.strip_prefix(self.issuer.url()))
            .filter(|path| path.starts_with('/'))
            .map(str::to_owned)
            .ok_or(DemoError::Discovery { field })
    }

    async fn token(&self, form: &[(&str, &str)]) -> Result<TokenSet, DemoError> {
        let endpoint = self.endpoint("token_endpoint").await?;
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let body = self
            .call("token", Method::POST, &endpoint, None, Some(body))
            .await?;
        serde_json::from_slice(&body).map_err(|_| DemoError::Unreadable { endpoint: "token" })
    }

    /// One request through the issuer's router: the body of a 200, else the
    /// OAuth error.
    async fn call(
        &self,
        endpoint: &'static str,
        method: Method,
        path: &str,
        authorization: Option<&str>,
        form: Option<String>,
    ) -> Result<axum::body::Bytes, DemoError> {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(authorization) = authorization {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        let body = match form {
            Some(form) => {
                request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(form)
            }
            None => Body::empty(),
        };
        let mut request = request
            .body(body)
            .map_err(|_| DemoError::Unreadable { endpoint })?;
        // The demo runs on the issuer's own machine.
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 0))));
        let response = match self.router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| DemoError::Unreadable { endpoint })?;
        if status == StatusCode::OK {
            return Ok(body);
        }
        let error = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "unexpected response".to_owned());
        Err(DemoError::Refused {
            endpoint,
            status: status.as_u16(),
            error,
        })
    }
}

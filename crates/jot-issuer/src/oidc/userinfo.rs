//! `GET|POST /userinfo` (OIDC Core §5.3): the signed-in user's claims for an
//! access token, which comes in the `Authorization` header only (RFC 6750 §2.1);
//! a token in the query or the body is refused. A DPoP-bound token comes as
//! `Authorization: DPoP` with a proof made with its key (RFC 9449 §7); sent as
//! `Bearer`, it is refused. `sub` always; `name` and
//! `preferred_username` with `profile`; `email` and `email_verified` with `email`.

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Map, Value};

use super::id_token::user_claims;
use crate::request::Form;
use crate::{Issuer, IssuerError};

/// An RFC 6750 §3 error.
struct BearerError {
    status: StatusCode,
    code: Option<&'static str>,
    description: &'static str,
}

/// The scheme of the `Authorization` header.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Bearer,
    Dpop,
}

impl Issuer {
    /// `/userinfo`: `query` is the raw query string; `body` a form body, if any.
    pub(crate) async fn userinfo(
        &self,
        headers: &HeaderMap,
        method: &Method,
        query: Option<&str>,
        body: Option<&Form>,
    ) -> Response {
        let mut response = match self.userinfo_claims(headers, method, query, body).await {
            Ok(claims) => {
                let mut response = axum::Json(Value::Object(claims)).into_response();
                crate::error::no_store(response.headers_mut());
                response
            }
            Err(e) => e.into_response(self.url(), self.inner.dpop.algs()),
        };
        if headers.contains_key(crate::dpop::DPOP) {
            if let Some(nonce) = self.next_dpop_nonce() {
                response
                    .headers_mut()
                    .entry(http::HeaderName::from_static("dpop-nonce"))
                    .or_insert(nonce);
            }
        }
        response
    }

    async fn userinfo_claims(
        &self,
        headers: &HeaderMap,
        method: &Method,
        query: Option<&str>,
        body: Option<&Form>,
    ) -> Result<Map<String, Value>, BearerError> {
        let in_query = query.is_some_and(|q| {
            form_urlencoded::parse(q.as_bytes()).any(|(name, _)| name == "access_token")
        });
        if in_query || body.is_some_and(|f| f.get("access_token").is_some()) {
            return Err(BearerError::invalid_request(
                "send the access token in the Authorization header, never in the URL or body",
            ));
        }
        let (scheme, token) = access_token(headers)?;
        let claims = self
            .verify_own(token, true)
            .ok_or_else(|| BearerError::invalid_token("the access token is invalid or expired"))?;
        let bound = crate::dpop::bound_key(&claims.custom)
            .map_err(|()| BearerError::invalid_token("malformed cnf claim"))?;
        match (scheme, bound) {
            (Scheme::Bearer, None) => {}
            (Scheme::Bearer, Some(_)) => {
                return Err(BearerError::invalid_token(
                    "a DPoP-bound token must be sent with the DPoP scheme and a proof",
                ));
            }
            (Scheme::Dpop, None) => {
                return Err(BearerError::invalid_token("the token is not DPoP-bound"));
            }
            (Scheme::Dpop, Some(jkt)) => {
                let url = format!("{}/userinfo", self.url());
                let proof = self
                    .check_proof(headers, method, &url, Some(token))
                    .await
                    .map_err(BearerError::from_proof)?;
                if !crate::secret::constant_time_eq(&proof, jkt) {
                    return Err(BearerError::invalid_token(
                        "the DPoP proof is not made with the token's key",
                    ));
                }
            }
        }
        let jti = claims.jti.as_deref().unwrap_or_default();
        if self
            .inner
            .store
            .is_access_revoked(jti)
            .await
            .map_err(|e| BearerError::server(e.into()))?
        {
            return Err(BearerError::invalid_token("the access token was revoked"));
        }
        let scopes: Vec<String> = claims
            .custom
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or("")
            .split(' ')
            .map(str::to_owned)
            .collect();
        if !scopes.iter().any(|s| s == "openid") {
            return Err(BearerError {
                status: StatusCode::FORBIDDEN,
                code: Some("insufficient_scope"),
                description: "the access token was not granted the openid scope",
            });
        }
        let sub = claims.sub.unwrap_or_default();
        let user = self
            .session_user(&sub)
            .await
            .map_err(BearerError::server)?
            .ok_or_else(|| {
                BearerError::invalid_token("the user no longer exists or is disabled")
            })?;
        let mut wanted: Vec<String> = Vec::new();
        for (claim, scope) in super::authorize::USER_CLAIMS {
            if scopes.iter().any(|s| s == scope) {
                wanted.push(claim.to_owned());
            }
        }
        let mut out = Map::new();
        out.insert("sub".into(), user.sub.clone().into());
        for (name, value) in user_claims(&user, &wanted) {
            out.insert(name.to_owned(), value);
        }
        Ok(out)
    }
}

/// The token of `Authorization: Bearer …` or `Authorization: DPoP …`.
fn access_token(headers: &HeaderMap) -> Result<(Scheme, &str), BearerError> {
    let missing = BearerError {
        status: StatusCode::UNAUTHORIZED,
        code: None,
        description: "",
    };
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(missing)?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or(BearerError::invalid_request(
            "malformed Authorization header",
        ))?;
    let scheme = if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Scheme::Dpop
    } else {
        return Err(BearerError {
            status: StatusCode::UNAUTHORIZED,
            code: None,
            description: "",
        });
    };
    Ok((scheme, token.trim()))
}

impl BearerError {
    fn invalid_request(description: &'static str) -> Self {
        BearerError {
            status: StatusCode::BAD_REQUEST,
            code: Some("invalid_request"),
            description,
        }
    }

    fn invalid_token(description: &'static str) -> Self {
        BearerError {
            status: StatusCode::UNAUTHORIZED,
            code: Some("invalid_token"),
            description,
        }
    }

    /// A refused DPoP proof: 401 `invalid_dpop_proof` or `use_dpop_nonce` (RFC
    /// 9449 §7.1, §9), 503 when the replay cache is down.
    fn from_proof(error: crate::OAuthError) -> Self {
        use crate::error::OAuthErrorCode;
        match error.code() {
            OAuthErrorCode::UseDpopNonce => BearerError {
                status: StatusCode::UNAUTHORIZED,
                code: Some("use_dpop_nonce"),
                description: "the DPoP proof must carry the server nonce",
            },
            OAuthErrorCode::InvalidDpopProof => BearerError {
                status: StatusCode::UNAUTHORIZED,
                code: Some("invalid_dpop_proof"),
                description: "the DPoP proof is invalid",
            },
            _ => BearerError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: None,
                description: "",
            },
        }
    }

    fn server(error: IssuerError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(target: "jot_issuer", %error, "userinfo: store unavailable");
            return BearerError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: None,
                description: "",
            };
        }
        tracing::error!(target: "jot_issuer", %error, "userinfo failed");
        BearerError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: None,
            description: "",
        }
    }

    fn into_response(self, realm: &str, algs: &str) -> Response {
        // RFC 9449 §7.1: a DPoP error is answered with a DPoP challenge.
        let dpop = matches!(self.code, Some("invalid_dpop_proof" | "use_dpop_nonce"));
        let realm = realm.replace(['"', '\\'], "");
        let mut challenge = if dpop {
            format!("DPoP realm=\"{realm}\", algs=\"{algs}\"")
        } else {
            format!("Bearer realm=\"{realm}\"")
        };
        let body = match self.code {
            Some(code) => {
                challenge.push_str(&format!(
                    ", error=\"{code}\", error_description=\"{}\"",
                    self.description
                ));
                serde_json::json!({"error": code, "error_description": self.description})
            }
            None => serde_json::json!({}),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if !self.status.is_server_error() {
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, value);
            }
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(crate::STORE_RETRY_AFTER),
            );
        }
        crate::error::no_store(headers);
        response
    }
}

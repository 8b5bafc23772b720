//! Headers on every response of the issuer's router: `X-Content-Type-Options:
//! nosniff`; `Strict-Transport-Security` when the issuer URL is https (unless a
//! trusted proxy says the request came over plain http); and CORS
//! for the endpoints a browser app calls from another origin, for the origins
//! configured with [`IssuerBuilder::cors_origins`](crate::IssuerBuilder::cors_origins)
//! and no other (none by default).

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};

use crate::{Issuer, IssuerError};

/// The endpoints a single-page app calls from another origin. They take no
/// cookies (credentials travel in the request), so allowed origins may read their
/// answers. Introspection (server to server) and the login pages never answer CORS.
pub(crate) const CORS_PATHS: [&str; 6] = [
    "/token",
    "/userinfo",
    "/revoke",
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
    "/.well-known/oauth-authorization-server",
];

/// `Strict-Transport-Security` of an https issuer: one year, this host only.
pub(crate) const HSTS: &str = "max-age=31536000";

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// Wraps the issuer's router in the header middleware.
pub(crate) fn layer(router: Router, issuer: Issuer) -> Router {
    router.layer(axum::middleware::from_fn_with_state(issuer, headers))
}

/// Checks the configured origins: each an `http(s)` origin (scheme, host and
/// port, nothing else), kept in the form browsers send (`https://app.example`).
pub(crate) fn check_origins(origins: Vec<String>) -> Result<Vec<String>, IssuerError> {
    let mut checked = Vec::with_capacity(origins.len());
    for origin in origins {
        let invalid = |reason| IssuerError::InvalidCorsOrigin {
            origin: origin.clone(),
            reason,
        };
        if origin == "*" || origin == "null" {
            return Err(invalid(
                "list the origins allowed: no wildcard, no \"null\"",
            ));
        }
        let url = reqwest::Url::parse(&origin).map_err(|_| invalid("not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be https (or http)"));
        }
        if url.path() != "/"
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(invalid(
                "an origin is a scheme, a host and a port: no path, query, fragment or user",
            ));
        }
        let serialized = url.origin().ascii_serialization();
        if !checked.contains(&serialized) {
            checked.push(serialized);
        }
    }
    Ok(checked)
}

async fn headers(State(issuer): State<Issuer>, request: Request, next: Next) -> Response {
    let origins = &issuer.inner.cors_origins;
    let cors_path = CORS_PATHS.contains(&request.uri().path());
    let allowed = request
        .headers()
        .get(header::ORIGIN)
        .filter(|origin| cors_path && origins.iter().any(|o| o.as_bytes() == origin.as_bytes()))
        .cloned();
    // A trusted proxy that says the request came over plain http gets no HSTS
    // (RFC 6797 §7.2: only over a secure transport).
    let plain_http = issuer.forwarded_https(
        request.headers(),
        crate::client_ip::peer(request.extensions()),
    ) == Some(false);
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = match &allowed {
        Some(_) if preflight => preflight_answer(),
        _ => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    if issuer.inner.url.starts_with("https://") && !plain_http {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if cors_path && !origins.is_empty() {
        headers.append(header::VARY, HeaderValue::from_static("origin"));
    }
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("www-authenticate, retry-after"),
        );
    }
    response
}

/// The answer to a preflight from an allowed origin.
fn preflight_answer() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_kept_as_browsers_send_them() {
        let ok = check_origins(vec![
            "https://App.Example:443".into(),
            "http://localhost:3000/".into(),
            "https://app.example".into(),
        ])
        .unwrap();
        assert_eq!(ok, ["https://app.example", "http://localhost:3000"]);
        for bad in [
            "*",
            "null",
            "app.example",
            "ftp://app.example",
            "https://app.example/path",
            "https://app.example?q",
            "https://user@app.example",
        ] {
            assert!(
                matches!(
                    check_origins(vec![bad.into()]),
                    Err(IssuerError::InvalidCorsOrigin { .. })
                ),
                "{bad}"
            );
        }
    }
}

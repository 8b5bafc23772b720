//! OpenID Connect: the routes people sign in through, served when the issuer has
//! a [`Login`](crate::Login).
//!
//! | route | what |
//! | --- | --- |
//! | `GET, POST /authorize` | authorization request (code flow, PKCE S256) |
//! | `GET, POST /login` | the login page and its form |
//! | `GET, POST /consent` | the consent page and its form |
//! | `GET, POST /userinfo` | the user's claims for an access token (bearer or DPoP) |
//! | `GET, POST /logout` | RP-initiated logout |
//!
//! The `authorization_code` grant is served by `/token`, and discovery lists all
//! of them.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use http::{HeaderMap, Method, StatusCode, header};

use crate::Issuer;
use crate::request::Form;

mod authorize;
mod code;
mod flow;
mod id_token;
mod logout;
pub(crate) mod page;
mod session;
mod userinfo;

pub(crate) use id_token::IdTokenInput;

/// The login routes.
pub(crate) fn router(issuer: Issuer) -> Router {
    Router::new()
        .route("/authorize", get(authorize).post(authorize))
        .route("/login", get(login).post(login))
        .route("/consent", get(consent).post(consent))
        .route("/userinfo", get(userinfo).post(userinfo))
        .route("/logout", get(logout).post(logout))
        .with_state(issuer)
}

/// The scopes discovery lists, and what the consent page says of each.
pub(crate) const STANDARD_SCOPES: [(&str, &str); 4] = [
    ("openid", "sign you in and know your user id"),
    ("profile", "see your name and username"),
    ("email", "see your email address"),
    ("offline_access", "stay signed in to it (refresh tokens)"),
];

/// What the consent page says of a scope.
pub(crate) fn scope_description(scope: &str) -> &str {
    STANDARD_SCOPES
        .iter()
        .find(|(s, _)| *s == scope)
        .map_or("access what this scope allows", |(_, d)| d)
}

/// The parameters of a request: the query of a GET, the form body of a POST.
async fn parameters(request: Request) -> (HeaderMap, Result<Form, String>, Option<SocketAddr>) {
    let (parts, body) = request.into_parts();
    let ip = crate::client_ip::peer(&parts.extensions);
    let form = if parts.method == Method::POST {
        Form::read(&parts.headers, body).await
    } else {
        Form::parse(parts.uri.query().unwrap_or("").as_bytes())
    };
    (
        parts.headers,
        form.map_err(|e| e.description().to_owned()),
        ip,
    )
}

async fn authorize(State(issuer): State<Issuer>, request: Request) -> Response {
    match parameters(request).await {
        (headers, Ok(form), _) => issuer.authorize(&headers, &form).await,
        (_, Err(e), _) => page::error_page(StatusCode::BAD_REQUEST, &e),
    }
}

async fn login(State(issuer): State<Issuer>, request: Request) -> Response {
    let post = request.method() == Method::POST;
    match parameters(request).await {
        (headers, Ok(form), peer) if post => {
            let ip = issuer.client_ip(&headers, peer);
            issuer.login(&headers, &form, ip).await
        }
        (headers, Ok(form), _) => issuer.login_page(&headers, &form).await,
        (_, Err(e), _) => page::error_page(StatusCode::BAD_REQUEST, &e),
    }
}

async fn consent(State(issuer): State<Issuer>, request: Request) -> Response {
    let post = request.method() == Method::POST;
    match parameters(request).await {
        (headers, Ok(form), _) if post => issuer.consent(&headers, &form).await,
        (headers, Ok(form), _) => issuer.consent_page(&headers, &form).await,
        (_, Err(e), _) => page::error_page(StatusCode::BAD_REQUEST, &e),
    }
}

async fn userinfo(State(issuer): State<Issuer>, request: Request) -> Response {
    let query = request.uri().query().map(str::to_owned);
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = request.into_parts();
    let form = if parts.method == Method::POST && is_form {
        Form::read(&parts.headers, body).await.ok()
    } else {
        None
    };
    issuer
        .userinfo(
            &parts.headers,
            &parts.method,
            query.as_deref(),
            form.as_ref(),
        )
        .await
}

async fn logout(State(issuer): State<Issuer>, request: Request) -> Response {
    match parameters(request).await {
        (headers, Ok(form), _) => issuer.logout(&headers, &form).await,
        (_, Err(e), _) => page::error_page(StatusCode::BAD_REQUEST, &e),
    }
}

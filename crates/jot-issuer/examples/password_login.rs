//! A web app that logs users in with a password (argon2id) and protects a route
//! with the jot-axum layer, minting its tokens with an embedded issuer.
//!
//! ```sh
//! cargo run -p jot-issuer --example password_login
//!
//! # JSON: the tokens in the body
//! curl -s -H 'accept: application/json' -d 'username=alice&password=wonderland' \
//!     http://127.0.0.1:3000/login
//! curl -s -H "authorization: Bearer $ACCESS_TOKEN" http://127.0.0.1:3000/me
//!
//! # Cookies (what a browser gets): HttpOnly, Secure, SameSite=Strict
//! curl -si -d 'username=alice&password=wonderland' http://127.0.0.1:3000/login
//! curl -s -b "access_token=$ACCESS_TOKEN" http://127.0.0.1:3000/me
//! ```
//!
//! Browsers keep `Secure` cookies on `http://localhost` (a secure context), so the
//! cookie flow works in development without TLS. The refresh-token cookie is sent
//! only to `/auth/…` (refresh, logout); `SameSite=Strict` keeps other sites from
//! making the browser send either cookie.
//!
//! The issuer's endpoints (`/.well-known/jwks.json`, discovery, `/token`) are
//! served by the same app, so other services can verify these tokens through the
//! JWKS URL.

use std::collections::HashMap;
use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::body::Bytes;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jot_axum::{JwtAuth, Verified};
use jot_issuer::{Issuer, TokenResponse, UserGrant, store::MemoryStore};
use serde_json::{Map, Value, json};

/// The `client_id` of this app's tokens: not a registered client, so its refresh
/// tokens are exchanged by the app itself, without a client secret.
const APP: &str = "password-login";
const ADDR: &str = "127.0.0.1:3000";

type Claims = Map<String, Value>;

#[derive(Clone)]
struct App {
    issuer: Issuer,
    /// How `/me` authenticates (read by the `Verified` extractor through `FromRef`).
    auth: JwtAuth<Claims>,
    /// Username → argon2id PHC string. A real app has a database.
    users: Arc<HashMap<String, String>>,
    /// A hash to verify against for unknown users, so they take as long as known ones.
    dummy: Arc<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let issuer = Issuer::builder(format!("http://{ADDR}"))
        .store(MemoryStore::new())
        .audience(APP)
        .build()
        .await?;
    // Access tokens from the `Authorization: Bearer` header or the cookie, checked
    // against the issuer's own keys (no HTTP round trip) and its validation rules.
    let auth = JwtAuth::<Claims>::builder(issuer.clone())
        .validation(issuer.validation())
        .token_from_cookie("access_token")
        .realm(APP)
        .build();
    let users = HashMap::from([("alice".to_owned(), hash_password("wonderland")?)]);
    let app = App {
        issuer: issuer.clone(),
        auth: auth.clone(),
        users: Arc::new(users),
        dummy: Arc::new(hash_password("not anybody's password")?),
    };

    let router = Router::new()
        .route("/me", get(me))
        .layer(auth.layer())
        .route("/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .with_state(app)
        .merge(issuer.router());

    tokio::spawn(issuer.run_maintenance());
    let listener = tokio::net::TcpListener::bind(ADDR).await?;
    eprintln!("listening on http://{ADDR}; log in as alice / wonderland");
    axum::serve(listener, router).await?;
    Ok(())
}

impl FromRef<App> for JwtAuth<Claims> {
    fn from_ref(app: &App) -> Self {
        app.auth.clone()
    }
}

/// `POST /login` with a form `username=…&password=…`.
async fn login(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let (Some(username), Some(password)) = (form.get("username"), form.get("password")) else {
        return (StatusCode::BAD_REQUEST, "username and password required").into_response();
    };
    let stored = app.users.get(username).cloned();
    let known = stored.is_some();
    let hash = stored.unwrap_or_else(|| (*app.dummy).clone());
    let password = password.clone();
    // argon2 is deliberately slow: keep it off the async workers.
    let verified = tokio::task::spawn_blocking(move || check_password(&password, &hash))
        .await
        .unwrap_or(false);
    if !(known && verified) {
        return (StatusCode::UNAUTHORIZED, "wrong username or password").into_response();
    }
    let grant = UserGrant::new(username.clone(), APP)
        .scopes(["profile"])
        .claim("name", username.clone());
    match app.issuer.issue_for_user(grant).await {
        Ok(tokens) => deliver(&headers, tokens),
        Err(e) => {
            eprintln!("issuing failed: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `POST /auth/refresh`: a new access token (and refresh token) from the refresh
/// cookie, or from a `refresh_token` form field for JSON clients.
async fn refresh(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(token) = refresh_token(&headers, &body) else {
        return (StatusCode::UNAUTHORIZED, "no refresh token").into_response();
    };
    match app.issuer.refresh(&token).await {
        Ok(tokens) => deliver(&headers, tokens),
        // Expired, revoked, or reused (which revoked every token of the login).
        Err(_) => (StatusCode::UNAUTHORIZED, "log in again").into_response(),
    }
}

/// `POST /auth/logout`: revokes the refresh token's family and clears the cookies.
async fn logout(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(token) = refresh_token(&headers, &body) {
        if let Err(e) = app.issuer.revoke(&token).await {
            eprintln!("revocation failed: {e}");
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    for cookie in [
        "access_token=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict",
        "refresh_token=; Max-Age=0; Path=/auth; HttpOnly; Secure; SameSite=Strict",
    ] {
        response
            .headers_mut()
            .append(header::SET_COOKIE, HeaderValue::from_static(cookie));
    }
    response
}

/// `GET /me`, behind the layer: only a verified token gets here.
async fn me(token: Verified<Claims>) -> Json<Value> {
    let claims = token.claims();
    Json(json!({
        "sub": claims.sub,
        "name": claims.custom.get("name"),
        "scope": claims.custom.get("scope"),
        "expires": claims.exp.map(|d| d.seconds()),
    }))
}

/// The tokens as JSON when the client asks for JSON, else as cookies.
fn deliver(headers: &HeaderMap, tokens: TokenResponse) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let mut response = if wants_json {
        Json(&tokens).into_response()
    } else {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let cookies = [
            format!(
                "access_token={}; Max-Age={}; Path=/; HttpOnly; Secure; SameSite=Strict",
                tokens.access_token, tokens.expires_in
            ),
            format!(
                "refresh_token={}; Max-Age={}; Path=/auth; HttpOnly; Secure; SameSite=Strict",
                tokens.refresh_token.as_deref().unwrap_or_default(),
                30 * 24 * 3600
            ),
        ];
        for cookie in cookies {
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn refresh_token(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "refresh_token")
        .map(|(_, value)| value.to_owned());
    from_cookie.or_else(|| {
        form_urlencoded::parse(body)
            .find(|(name, _)| name == "refresh_token")
            .map(|(_, value)| value.into_owned())
    })
}

fn hash_password(password: &str) -> Result<String, Box<dyn std::error::Error>> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(hash.to_string())
}

fn check_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

//! A web app that signs people in through a running `jot serve`, as an OpenID
//! Connect relying party (authorization code flow with PKCE, a confidential
//! client), keeps their access token in an `HttpOnly` cookie, and protects its API
//! with jot-axum's [`JwtAuth`] reading the token from that cookie.
//!
//! ```sh
//! # 1. jot serve, with this app registered:
//! cat > jot.toml <<'EOF'
//! [[client]]
//! id = "web-app"
//! secret_env = "WEB_APP_SECRET"
//! redirect_uris = ["http://127.0.0.1:9000/callback"]
//! post_logout_redirect_uris = ["http://127.0.0.1:9000/"]
//! scopes = ["openid", "profile", "email"]
//! first_party = true
//! EOF
//! export WEB_APP_SECRET=$(openssl rand -hex 32)
//! jot serve --config jot.toml          # prints the password of the user `dev`
//!
//! # 2. this app, in another terminal with the same WEB_APP_SECRET:
//! JOT_ISSUER=http://127.0.0.1:8080 cargo run -p jot-issuer --example oidc_web_app
//!
//! # 3. open http://127.0.0.1:9000/, sign in, then follow the link to /api/me.
//! ```
//!
//! What each route does:
//! - `GET /login` makes a `state`, a `nonce` and a PKCE verifier, remembers them
//!   under `state` (bound to this browser by a short-lived `HttpOnly` cookie), and
//!   sends the browser to the issuer's `authorization_endpoint`;
//! - `GET /callback` checks `state` and `iss` (RFC 9207), exchanges the code at the
//!   `token_endpoint` with the client secret and the verifier, verifies the ID token
//!   against the issuer's JWKS (`iss`, `aud`, `exp`, `nonce`), and sets the access
//!   token (and the ID token, for logout) as `HttpOnly; SameSite=Lax` cookies;
//! - `GET /api/me` is behind [`JwtAuth`]: the access token from the cookie (or an
//!   `Authorization: Bearer` header), verified with the issuer's keys through
//!   discovery; it answers with the token's claims;
//! - `POST /logout` drops the cookies and sends the browser to the issuer's
//!   `end_session_endpoint` (RP-initiated logout), which comes back to `/`.
//!
//! The cookies are `HttpOnly`, so no script can read the tokens; `SameSite=Lax`
//! keeps other sites' forms and scripts from sending them. Over https, add
//! `Secure` (and a `__Host-` prefix).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use jot_algorithms::{KeySet, Validation, decode};
use jot_axum::{JwtAuth, RemoteJwks, Verified};
use serde::Deserialize;
use serde_json::{Map, Value};

const ADDR: &str = "127.0.0.1:9000";
const CLIENT_ID: &str = "web-app";

type Claims = Map<String, Value>;

/// What the app knows: the issuer's endpoints, its secret, and the sign-ins in flight.
#[derive(Clone)]
struct App {
    issuer: String,
    discovery: Arc<Discovery>,
    client_secret: String,
    http: reqwest::Client,
    /// `state` → (nonce, PKCE verifier). A real app bounds and expires these.
    pending: Arc<Mutex<HashMap<String, (String, String)>>>,
}

/// The parts of the issuer's discovery document this app uses.
#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    end_session_endpoint: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    id_token: String,
    expires_in: u64,
}

/// The authorization response's query parameters.
type Callback = HashMap<String, String>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let issuer = std::env::var("JOT_ISSUER").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let client_secret = std::env::var("WEB_APP_SECRET")
        .map_err(|_| "set WEB_APP_SECRET to the secret registered for `web-app`")?;
    let http = reqwest::Client::new();
    let discovery: Discovery = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    if discovery.issuer != issuer {
        return Err(format!("the discovery document names {}", discovery.issuer).into());
    }

    // The API: access tokens of this issuer (its default audience is its URL), from
    // the cookie or the Authorization header, keys fetched and cached through discovery.
    let mut keys = RemoteJwks::discover(issuer.clone());
    if issuer.starts_with("http://") {
        keys = keys.allow_insecure_http(); // development only (loopback needs no opt-in)
    }
    let auth = JwtAuth::<Claims>::builder(keys.build()?)
        .validation(
            Validation::new()
                .issuer(issuer.clone())
                .audience(issuer.clone())
                .typ("at+jwt"),
        )
        .token_from_cookie("access_token")
        .realm(CLIENT_ID)
        .build();
    let api = Router::new()
        .route("/api/me", get(me))
        .layer(auth.layer())
        .with_state(auth);

    let app = App {
        issuer,
        discovery: Arc::new(discovery),
        client_secret,
        http,
        pending: Arc::default(),
    };
    let router = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/logout", post(logout))
        .with_state(app)
        .merge(api);
    let listener = tokio::net::TcpListener::bind(ADDR).await?;
    println!("open http://{ADDR}/");
    axum::serve(listener, router).await?;
    Ok(())
}

/// The page: "Sign in", or a link to the API and "Sign out".
async fn home(headers: HeaderMap) -> Html<&'static str> {
    if cookie(&headers, "access_token").is_some() {
        Html(
            "<h1>Signed in</h1><p><a href=\"/api/me\">/api/me</a> (the API, behind JwtAuth)</p>\
             <form method=\"post\" action=\"/logout\"><button>Sign out</button></form>",
        )
    } else {
        Html("<h1>Web app</h1><p><a href=\"/login\">Sign in with jot</a></p>")
    }
}

/// The protected API: the verified access token's claims.
async fn me(token: Verified<Claims>) -> Json<Value> {
    let claims = token.claims();
    let mut out = claims.custom.clone();
    out.insert("sub".into(), claims.sub.clone().into());
    out.insert("iss".into(), claims.iss.clone().into());
    Json(Value::Object(out))
}

/// Starts the authorization code flow with PKCE.
async fn login(State(app): State<App>) -> Response {
    let (Some(state), Some(nonce), Some(verifier)) = (random(), random(), random()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let challenge = base64url(&ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ));
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", &format!("http://{ADDR}/callback"))
        .append_pair("scope", "openid profile email")
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    app.pending
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(state.clone(), (nonce, verifier));
    let url = format!("{}?{query}", app.discovery.authorization_endpoint);
    with_cookies(
        Redirect::to(&url),
        &[format!(
            "oidc_state={state}; Path=/callback; HttpOnly; SameSite=Lax; Max-Age=600"
        )],
    )
}

/// The redirect URI: checks the response, exchanges the code, verifies the ID token.
async fn callback(State(app): State<App>, headers: HeaderMap, uri: Uri) -> Response {
    let response: Callback = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    match finish_sign_in(&app, &headers, response).await {
        Ok((tokens, max_age)) => with_cookies(
            Redirect::to("/"),
            &[
                format!(
                    "access_token={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}",
                    tokens.access_token
                ),
                format!(
                    "id_token={}; Path=/logout; HttpOnly; SameSite=Lax",
                    tokens.id_token
                ),
                "oidc_state=; Path=/callback; Max-Age=0".to_owned(),
            ],
        ),
        Err(why) => (StatusCode::BAD_REQUEST, format!("sign-in failed: {why}")).into_response(),
    }
}

async fn finish_sign_in(
    app: &App,
    headers: &HeaderMap,
    mut response: Callback,
) -> Result<(TokenResponse, u64), String> {
    let state = response.remove("state").ok_or("no state")?;
    if cookie(headers, "oidc_state").as_deref() != Some(state.as_str()) {
        return Err("this browser did not start this sign-in".into());
    }
    let (nonce, verifier) = app
        .pending
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&state)
        .ok_or("unknown or used state")?;
    if response.get("iss") != Some(&app.issuer) {
        return Err("the response comes from another issuer".into());
    }
    if let Some(error) = response.remove("error") {
        return Err(error);
    }
    let code = response.remove("code").ok_or("no code")?;
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", &code)
        .append_pair("redirect_uri", &format!("http://{ADDR}/callback"))
        .append_pair("code_verifier", &verifier)
        .finish();
    let reply = app
        .http
        .post(&app.discovery.token_endpoint)
        .basic_auth(CLIENT_ID, Some(&app.client_secret))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !reply.status().is_success() {
        return Err(reply.text().await.unwrap_or_default());
    }
    let tokens: TokenResponse = reply.json().await.map_err(|e| e.to_string())?;

    // The ID token, as OpenID Connect Core §3.1.3.7 asks: signed by the issuer's
    // published keys, for this issuer, for this client, unexpired, with our nonce.
    let jwks = app
        .http
        .get(&app.discovery.jwks_uri)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let keys = KeySet::from_jwks_json(&jwks).map_err(|e| e.to_string())?;
    let validation = Validation::new()
        .issuer(app.issuer.clone())
        .audience(CLIENT_ID);
    let id_token =
        decode::<Claims>(&tokens.id_token, &keys, &validation).map_err(|e| e.to_string())?;
    if id_token.claims.custom.get("nonce").and_then(Value::as_str) != Some(nonce.as_str()) {
        return Err("the ID token's nonce is not ours".into());
    }
    let max_age = tokens.expires_in;
    Ok((tokens, max_age))
}

/// Drops the cookies and signs out at the issuer too (RP-initiated logout).
async fn logout(State(app): State<App>, headers: HeaderMap) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(id_token) = cookie(&headers, "id_token") {
        query.append_pair("id_token_hint", &id_token);
    }
    let query = query
        .append_pair("post_logout_redirect_uri", &format!("http://{ADDR}/"))
        .append_pair("client_id", CLIENT_ID)
        .finish();
    let url = format!("{}?{query}", app.discovery.end_session_endpoint);
    with_cookies(
        Redirect::to(&url),
        &[
            "access_token=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0".to_owned(),
            "id_token=; Path=/logout; HttpOnly; SameSite=Lax; Max-Age=0".to_owned(),
        ],
    )
}

fn with_cookies(response: impl IntoResponse, cookies: &[String]) -> Response {
    let mut response = response.into_response();
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v.to_owned())
}

/// 256 random bits, base64url (`None` if the system's generator fails).
fn random() -> Option<String> {
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).ok()?;
    Some(base64url(&bytes))
}

fn base64url(bytes: &impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

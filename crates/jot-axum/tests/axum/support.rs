//! Shared helpers: key and token minting, request sending, a test JWKS server.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jot_algorithms::{Algorithm, JwkSet, KeySet, SigningKey};
use jot_axum::{KeySource, Keys, KeysFuture};
use jot_codec::{Clock, Header, NumericDate, UntrustedToken};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const SECRET: &[u8] = b"a test secret that is long enough!!";

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn es256(kid: &str) -> SigningKey {
    SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid(kid)
}

pub fn hs256() -> SigningKey {
    SigningKey::hmac(Algorithm::HS256, SECRET).unwrap()
}

/// Signs `claims` (a JSON object) with `key`; the header gets the key's `kid`.
pub fn mint(key: &SigningKey, claims: Value) -> String {
    jot_codec::encode(key, &Header::jwt(), &claims).unwrap()
}

/// Like [`mint`], with this `kid` in the header whatever the key says.
pub fn mint_kid(key: &SigningKey, kid: &str, claims: Value) -> String {
    jot_codec::encode(key, &Header::jwt().kid(kid), &claims).unwrap()
}

/// `sub: alice`, valid for 5 minutes, plus `extra`.
pub fn claims(extra: Value) -> Value {
    let mut c = json!({"sub": "alice", "iat": now(), "exp": now() + 300});
    if let (Some(c), Value::Object(extra)) = (c.as_object_mut(), extra) {
        c.extend(extra);
    }
    c
}

pub fn jwks_of(keys: &[&SigningKey]) -> String {
    KeySet::from_keys(keys.iter().map(|k| k.verifying_key()))
        .to_jwk_set()
        .unwrap()
        .to_json()
}

pub fn bearer(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

pub fn plain(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn challenge(&self) -> Option<&str> {
        self.headers
            .get(header::WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap())
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct TestClock(pub Arc<AtomicU64>);

impl TestClock {
    pub fn at(secs: u64) -> Self {
        TestClock(Arc::new(AtomicU64::new(secs)))
    }
    pub fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> NumericDate {
        NumericDate::from_seconds(self.0.load(Ordering::SeqCst)).unwrap()
    }
}

/// A key source that counts how often it is asked.
pub struct Counting<K> {
    pub inner: K,
    pub calls: Arc<AtomicUsize>,
}

impl<K: KeySource> KeySource for Counting<K> {
    fn keys_for<'a>(&'a self, token: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.keys_for(token)
    }

    /// Not counted: the verified-token cache asks it on every hit, and it never fetches.
    fn keys_now(&self, token: &UntrustedToken<'_>) -> Option<Keys> {
        self.inner.keys_now(token)
    }
}

/// What the test JWKS server answers on `/jwks.json`.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// The current key set.
    Keys,
    /// 500 Internal Server Error.
    Error500,
    /// 10 MB of JSON-looking bytes, with a Content-Length.
    Oversized,
    /// 10 MB streamed without a Content-Length.
    OversizedChunked,
    /// Not JSON.
    NotJson,
    /// JSON, but not a JWK Set.
    NotJwkSet,
}

pub struct ServerState {
    pub jwks_hits: AtomicUsize,
    pub discovery_hits: AtomicUsize,
    pub mode: Mutex<Mode>,
    pub jwks: Mutex<String>,
    pub cache_control: Mutex<Option<String>>,
    pub delay: Mutex<Duration>,
    pub oidc_enabled: Mutex<bool>,
    pub issuer: Mutex<String>,
}

/// A JWKS (and discovery) server on 127.0.0.1 with rotating keys; counts requests.
pub struct JwksServer {
    pub addr: SocketAddr,
    pub state: Arc<ServerState>,
    task: tokio::task::JoinHandle<()>,
}

impl JwksServer {
    pub async fn start(keys: &[&SigningKey]) -> JwksServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(ServerState {
            jwks_hits: AtomicUsize::new(0),
            discovery_hits: AtomicUsize::new(0),
            mode: Mutex::new(Mode::Keys),
            jwks: Mutex::new(jwks_of(keys)),
            cache_control: Mutex::new(None),
            delay: Mutex::new(Duration::ZERO),
            oidc_enabled: Mutex::new(true),
            issuer: Mutex::new(format!("http://{addr}")),
        });
        let app = Router::new()
            .route("/jwks.json", get(jwks))
            .route("/.well-known/openid-configuration", get(oidc))
            .route("/.well-known/oauth-authorization-server", get(rfc8414))
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        JwksServer { addr, state, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/jwks.json", self.addr)
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn hits(&self) -> usize {
        self.state.jwks_hits.load(Ordering::SeqCst)
    }

    pub fn set_keys(&self, keys: &[&SigningKey]) {
        *self.state.jwks.lock().unwrap() = jwks_of(keys);
    }

    pub fn set_raw_jwks(&self, json: String) {
        *self.state.jwks.lock().unwrap() = json;
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    pub fn set_delay(&self, delay: Duration) {
        *self.state.delay.lock().unwrap() = delay;
    }

    pub fn set_cache_control(&self, value: &str) {
        *self.state.cache_control.lock().unwrap() = Some(value.to_owned());
    }

    /// Stops accepting connections (the port is closed).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const TEN_MB: usize = 10 * 1024 * 1024;

async fn jwks(State(state): State<Arc<ServerState>>) -> Response {
    state.jwks_hits.fetch_add(1, Ordering::SeqCst);
    let delay = *state.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mode = state.mode.lock().unwrap().clone();
    let cache_control = state.cache_control.lock().unwrap().clone();
    let mut response = match mode {
        Mode::Keys => state.jwks.lock().unwrap().clone().into_response(),
        Mode::Error500 => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Mode::Oversized => {
            let mut body = String::from("{\"keys\":[], \"pad\":\"");
            body.push_str(&"x".repeat(TEN_MB));
            body.push_str("\"}");
            body.into_response()
        }
        Mode::OversizedChunked => Body::from_stream(Chunks { left: 160 }).into_response(),
        Mode::NotJson => "<html>gateway error</html>".into_response(),
        Mode::NotJwkSet => "{\"error\":\"nope\"}".into_response(),
    };
    if let Some(cc) = cache_control {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, cc.parse().unwrap());
    }
    response
}

async fn oidc(State(state): State<Arc<ServerState>>) -> Response {
    if !*state.oidc_enabled.lock().unwrap() {
        return StatusCode::NOT_FOUND.into_response();
    }
    discovery_doc(&state)
}

async fn rfc8414(State(state): State<Arc<ServerState>>) -> Response {
    discovery_doc(&state)
}

fn discovery_doc(state: &ServerState) -> Response {
    state.discovery_hits.fetch_add(1, Ordering::SeqCst);
    let issuer = state.issuer.lock().unwrap().clone();
    let base = issuer.trim_end_matches('/');
    axum::Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{base}/jwks.json"),
    }))
    .into_response()
}

/// 64 KiB chunks, `left` of them, with no Content-Length.
struct Chunks {
    left: usize,
}

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        self.left -= 1;
        Poll::Ready(Some(Ok(Bytes::from(vec![b' '; 64 * 1024]))))
    }
}

/// A port nobody listens on.
pub async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/jwks.json")
}

/// A JWK Set document as a [`JwkSet`], for file tests.
pub fn jwk_set(keys: &[&SigningKey]) -> JwkSet {
    jwks_of(keys).parse().unwrap()
}

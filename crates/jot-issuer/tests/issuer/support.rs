//! Shared helpers: an issuer on a real socket, an HTTP client, a verifier behind
//! the jot-axum layer that reads the issuer's JWKS over HTTP, a test clock.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use jot_axum::{JwtAuth, RemoteJwks, TokenCache, Verified};
use jot_codec::{Clock, NumericDate, Validation};
use jot_issuer::{
    Issuer, IssuerBuilder, NewClient,
    store::{FileStore, IssuerStore},
};
use serde_json::{Map, Value};
use tokio::task::JoinHandle;
use tower::ServiceExt;

pub const AUDIENCE: &str = "https://api.test";
pub const CLIENT: &str = "billing";
pub const SECRET: &str = "billing-secret-0123456789";

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A plain-HTTP client (rustls needs a crypto provider even when no TLS is used).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A clock the test moves by hand, starting at the real time (so tokens also
/// verify against the system clock of the verifier).
#[derive(Clone)]
pub struct TestClock(pub Arc<AtomicU64>);

impl TestClock {
    pub fn new() -> Self {
        TestClock(Arc::new(AtomicU64::new(now())))
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

/// An issuer served on 127.0.0.1 (any free port).
pub struct Running {
    pub issuer: Issuer,
    pub url: String,
    pub clock: TestClock,
    pub http: reqwest::Client,
    server: JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Starts an issuer on `store` (audience [`AUDIENCE`], 15-minute tokens, the
/// client [`CLIENT`] with scopes `invoices:read invoices:write`, which may
/// introspect every token), after `configure`.
pub async fn start_with(
    store: impl IssuerStore,
    configure: impl FnOnce(IssuerBuilder) -> IssuerBuilder,
) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}");
    let clock = TestClock::new();
    let builder = Issuer::builder(&url)
        .store(store)
        .audience(AUDIENCE)
        .client_secret_hash_iterations(1_000)
        .clock(clock.clone());
    let issuer = configure(builder).build().await.unwrap();
    issuer
        .ensure_client(
            NewClient::new(CLIENT)
                .secret(SECRET)
                .scopes(["invoices:read", "invoices:write"])
                .introspect(true),
        )
        .await
        .unwrap();
    let router = issuer.router();
    let server = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await.unwrap();
    });
    Running {
        issuer,
        url,
        clock,
        http: http(),
        server,
    }
}

/// [`start_with`] on a [`FileStore`] in `dir`, defaults otherwise.
pub async fn start(dir: &Path) -> Running {
    start_with(FileStore::open(dir).unwrap(), |b| b).await
}

/// An HTTP reply, body parsed as JSON when it is.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }
    pub fn str(&self, name: &str) -> String {
        self.json()[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in {}", self.text))
            .to_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
    /// Asserts an RFC 6749 §5.2 error with this status and code, sent no-store.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(self.str("error"), code, "{}", self.text);
        assert!(self.json()["error_description"].is_string());
        assert_eq!(self.header("cache-control"), Some("no-store"));
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{}",
            self.text
        );
    }
}

pub enum Auth<'a> {
    None,
    Basic(&'a str, &'a str),
}

impl Running {
    /// POSTs a form body (`a=b&c=d`, sent as it is) to `path`.
    pub async fn post(&self, path: &str, body: &str, auth: Auth<'_>) -> Reply {
        self.post_raw(
            path,
            body.as_bytes().to_vec(),
            "application/x-www-form-urlencoded",
            auth,
        )
        .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
        auth: Auth<'_>,
    ) -> Reply {
        let mut request = self
            .http
            .post(format!("{}{path}", self.url))
            .header(header::CONTENT_TYPE.as_str(), content_type)
            .body(body);
        if let Auth::Basic(id, secret) = auth {
            request = request.basic_auth(id, Some(secret));
        }
        reply(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        reply(
            self.http
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// A `client_credentials` token of [`CLIENT`] (Basic authentication).
    pub async fn client_token(&self) -> String {
        let reply = self
            .post(
                "/token",
                "grant_type=client_credentials",
                Auth::Basic(CLIENT, SECRET),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.str("access_token")
    }

    pub async fn introspect(&self, token: &str) -> Value {
        let reply = self
            .post(
                "/introspect",
                &format!("token={token}"),
                Auth::Basic(CLIENT, SECRET),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh_token}"),
            Auth::None,
        )
        .await
    }

    /// A resource server protected by the jot-axum layer, reading this issuer's keys
    /// over HTTP from its JWKS URL.
    pub fn resource_server(&self) -> ResourceServer {
        let jwks = RemoteJwks::builder(format!("{}/.well-known/jwks.json", self.url))
            .cooldown(Duration::from_millis(1))
            .build()
            .unwrap();
        let auth = JwtAuth::<Map<String, Value>>::builder(jwks.clone())
            .validation(
                Validation::new()
                    .issuer(self.url.clone())
                    .audience(AUDIENCE)
                    .typ("at+jwt"),
            )
            .token_cache(TokenCache::disabled())
            .build();
        let router = Router::new()
            .route(
                "/whoami",
                get(|token: Verified<Map<String, Value>>| async move {
                    axum::Json(serde_json::json!({
                        "sub": token.claims().sub,
                        "kid": token.token().header.kid,
                        "client_id": token.claims().custom["client_id"],
                    }))
                }),
            )
            .layer(auth.layer())
            .with_state(auth);
        ResourceServer { router, jwks }
    }
}

pub struct ResourceServer {
    pub router: Router,
    pub jwks: RemoteJwks,
}

impl ResourceServer {
    /// Calls the protected route with `token`: the status and the JSON body.
    pub async fn call(&self, token: &str) -> (StatusCode, Value) {
        let request = Request::get("/whoami")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

pub async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    Reply {
        status,
        headers,
        text,
    }
}

/// `D(id)`: the name a `FileStore` gives a record of this id (SHA-256, base64url).
pub fn digest(id: &str) -> String {
    jot_codec::base64url::encode(
        ring::digest::digest(&ring::digest::SHA256, id.as_bytes()).as_ref(),
    )
}

/// The decoded header and payload of a JWT, unverified.
pub fn peek(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut part = || {
        let bytes = jot_codec::base64url::decode(parts.next().unwrap()).unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    (part(), part())
}

/// Every file under `dir`, recursively, as sorted relative paths.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
}

/// What the `fmt` subscriber wrote, as a `jot serve` terminal would show it.
#[derive(Clone, Default)]
pub struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

/// Captures every event (DEBUG and up) of this thread into [`Logs`], formatted
/// by `tracing_subscriber::fmt` without colours, until the guard drops. Use it in
/// a current-thread test (`#[tokio::test]`), where the server runs on the same
/// thread.
pub fn capture_logs() -> (Logs, tracing::subscriber::DefaultGuard) {
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}

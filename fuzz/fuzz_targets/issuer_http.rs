//! The issuer's HTTP surface, in process: `jot_issuer::Issuer::router()` driven with
//! `tower::ServiceExt::oneshot` on a current-thread Tokio runtime — `/token`,
//! `/introspect`, `/revoke`, `/authorize`, `/login`, `/consent`, `/logout`,
//! `/userinfo`, JWKS and discovery.
//!
//! The issuer is built once: a `MemoryStore`, three clients (`app`, confidential,
//! with consent; `spa`, public, first party; `svc`, confidential, for
//! `client_credentials`), the login on with one user `alice` (through an
//! `Authenticator`, so that no argon2 hash runs in the loop), client secrets hashed
//! with the fewest PBKDF2 iterations allowed, and a clock that moves 15 min and 1 s
//! per input, so that login throttling, codes and sessions of earlier inputs lapse.
//!
//! Input: a text of up to eight requests separated by lines `====`, each
//!
//! ```text
//! METHOD /path?query
//! header-name: value
//!
//! body
//! ```
//!
//! In the target, headers and body, `{name}` is replaced by what earlier responses
//! of the same input gave: `{jar}` the cookies they set, `{location}` the last
//! `Location`, `{code}`, `{state}`… its query parameters, `{csrf}`, `{request}`…
//! the hidden inputs of the last page, `{access_token}`, `{refresh_token}`,
//! `{id_token}`… the members of the last JSON response; `{b64:text}` is `text` in
//! standard base64 (for `Authorization: Basic`). A request that is not valid HTTP
//! (bad method, target or header) is skipped, as a server would never see it.
//!
//! Invariants besides "no panic": no response is a 5xx other than 503, and every
//! response body reads to the end. With `JOT_FUZZ_TRACE` set, each request and its
//! status are printed (to check what a seed reaches).

#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use base64::Engine as _;
use http::{HeaderName, HeaderValue, Method, Request};
use jot_codec::{Clock, NumericDate};
use jot_issuer::{AuthFuture, Authenticator, Issuer, Login, NewClient, store::MemoryStore, users::User};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt as _;

/// Where the issuer's clock starts, and how far it moves per input (past the
/// longest login lock, 15 min, and the code lifetime, 10 min).
const START: u64 = 1_800_000_000;
const STEP: u64 = 15 * 60 + 1;
/// Requests per input, and the largest body read back.
const MAX_REQUESTS: usize = 8;
const MAX_BODY: usize = 1 << 20;
/// Expired records are pruned every this many inputs.
const PRUNE_EVERY: u64 = 256;

/// The issuer's clock: moved by the harness only.
#[derive(Clone, Copy)]
struct FuzzClock;

static NOW: AtomicU64 = AtomicU64::new(START);

impl Clock for FuzzClock {
    fn now(&self) -> NumericDate {
        // START + STEP × inputs stays far below year 9999 for any run.
        NumericDate::from_seconds(NOW.load(Ordering::Relaxed)).unwrap()
    }
}

/// The one user, checked by plain comparison (the fuzzer's time is not for argon2).
struct Alice;

fn alice() -> User {
    User::new("u-alice", "alice")
        .with_name("Alice Example")
        .with_email("alice@example.com", true)
}

impl Authenticator for Alice {
    fn authenticate<'a>(&'a self, username: &'a str, password: &'a str) -> AuthFuture<'a> {
        let ok = username == "alice" && password == "correct horse battery staple";
        Box::pin(async move { Ok(ok.then(alice)) })
    }

    fn lookup<'a>(&'a self, sub: &'a str) -> AuthFuture<'a> {
        Box::pin(async move { Ok((sub == "u-alice").then(alice)) })
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    issuer: Issuer,
    router: Router,
    inputs: AtomicU64,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let issuer = runtime.block_on(async {
            let issuer = Issuer::builder("https://auth.example")
                .store(MemoryStore::new())
                .clock(FuzzClock)
                .rotation_interval(None)
                .client_secret_hash_iterations(1_000)
                .login(Login::new().authenticator(Alice))
                .build()
                .await
                .unwrap();
            issuer
                .register_client(
                    NewClient::new("app")
                        .secret("app-secret-0123456789abcdef")
                        .scopes(["openid", "profile", "email", "offline_access", "api"])
                        .redirect_uris(["https://app.example/cb"])
                        .post_logout_redirect_uris(["https://app.example/bye"]),
                )
                .await
                .unwrap();
            issuer
                .register_client(
                    NewClient::new("spa")
                        .public()
                        .first_party(true)
                        .scopes(["openid", "profile", "api"])
                        .redirect_uris(["http://127.0.0.1/cb"]),
                )
                .await
                .unwrap();
            issuer
                .register_client(
                    NewClient::new("svc")
                        .secret("svc-secret-0123456789abcdef")
                        .scopes(["api", "read"]),
                )
                .await
                .unwrap();
            issuer
        });
        let router = issuer.router();
        Harness {
            runtime,
            issuer,
            router,
            inputs: AtomicU64::new(0),
        }
    })
}

/// What earlier responses of one input gave: cookies and named values.
#[derive(Default)]
struct Learned {
    cookies: BTreeMap<String, String>,
    values: BTreeMap<String, String>,
}

impl Learned {
    /// Replaces `{name}` and `{b64:text}` in `text`.
    fn fill(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let name = &after[..close];
            if let Some(plain) = name.strip_prefix("b64:") {
                out.push_str(&base64::engine::general_purpose::STANDARD.encode(plain));
            } else if name == "jar" {
                let jar: Vec<String> = self
                    .cookies
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                out.push_str(&jar.join("; "));
            } else if let Some(value) = self.values.get(name) {
                out.push_str(value);
            } else {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn learn(&mut self, headers: &http::HeaderMap, body: &[u8]) {
        for value in headers.get_all(http::header::SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            if let Some((name, value)) = pair.split_once('=') {
                if attributes.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        if let Some(location) = headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
        {
            self.values.insert("location".into(), location.to_owned());
            if let Some((_, query)) = location.split_once('?') {
                for (name, value) in form_urlencoded::parse(query.as_bytes()) {
                    self.values.insert(name.into_owned(), value.into_owned());
                }
            }
        }
        let Ok(text) = std::str::from_utf8(body) else {
            return;
        };
        // Hidden inputs of a page: <input type="hidden" name="N" value="V">.
        for piece in text.split("<input type=\"hidden\" name=\"").skip(1) {
            if let Some((name, rest)) = piece.split_once("\" value=\"") {
                if let Some((value, _)) = rest.split_once('"') {
                    self.values.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        if let Ok(serde_json::Value::Object(members)) = serde_json::from_str(text) {
            for (name, value) in members {
                if let serde_json::Value::String(s) = value {
                    self.values.insert(name, s);
                }
            }
        }
    }
}

/// One request of the input, or `None` when it is not valid HTTP.
fn request(text: &str, learned: &Learned) -> Option<Request<Body>> {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let (method, target) = lines.next()?.split_once(' ')?;
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    let target = learned.fill(target.trim());
    let mut builder = Request::builder().method(method).uri(target);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        let value = HeaderValue::from_str(&learned.fill(value.trim())).ok()?;
        builder = builder.header(name, value);
    }
    builder.body(Body::from(learned.fill(body))).ok()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let harness = harness();
    let trace = std::env::var_os("JOT_FUZZ_TRACE").is_some();
    let n = harness.inputs.fetch_add(1, Ordering::Relaxed);
    NOW.fetch_add(STEP, Ordering::Relaxed);
    harness.runtime.block_on(async {
        if n % PRUNE_EVERY == PRUNE_EVERY - 1 {
            harness.issuer.prune().await.unwrap();
        }
        let mut learned = Learned::default();
        for part in text.split("\n====\n").take(MAX_REQUESTS) {
            let Some(request) = request(part, &learned) else {
                continue;
            };
            let what = format!("{} {}", request.method(), request.uri());
            let response = harness.router.clone().oneshot(request).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body = axum::body::to_bytes(response.into_body(), MAX_BODY)
                .await
                .expect("the response body reads to the end");
            if trace {
                eprintln!("{what} -> {status}");
            }
            assert!(
                !status.is_server_error() || status == http::StatusCode::SERVICE_UNAVAILABLE,
                "{what}: {status} {}",
                String::from_utf8_lossy(&body)
            );
            learned.learn(&headers, &body);
        }
    });
});

//! What a load balancer and an operator rely on: `/healthz` and `/readyz`, the
//! metrics the issuer reports through the `metrics` facade, and trusted proxies
//! (`X-Forwarded-For` / `X-Forwarded-Proto` believed from them only).

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use jot_issuer::{Issuer, NewClient, store::MemoryStore};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower::ServiceExt;

use crate::support::{Auth, CLIENT, SECRET, TestClock, start, start_with};

#[tokio::test]
async fn healthz_and_readyz_answer_cheaply_and_readyz_follows_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let issuer = start(&data).await;
    for (path, body) in [("/healthz", "ok\n"), ("/readyz", "ready\n")] {
        let reply = issuer.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.text, body);
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(
            reply.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
    issuer.issuer.ready().await.unwrap();

    // The data directory is gone: alive, not ready (and the reason is not shown).
    std::fs::remove_dir_all(&data).unwrap();
    let reply = issuer.get("/readyz").await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.text, "not ready\n");
    assert!(issuer.issuer.ready().await.is_err());
    assert_eq!(issuer.get("/healthz").await.status, 200);

    // Back: ready again, without a restart.
    jot_issuer::store::FileStore::open(&data).unwrap();
    assert_eq!(issuer.get("/readyz").await.status, 200);

    // The routes need no credentials and are also on their own router.
    let app = issuer.issuer.health_router();
    for path in ["/healthz", "/readyz"] {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}

/// The Prometheus recorder of this test binary (the `metrics` recorder is global).
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().unwrap())
}

/// The value of the series `name{labels}` (labels as rendered, sorted), 0 when absent.
fn series(text: &str, name: &str, labels: &str) -> f64 {
    let prefix = if labels.is_empty() {
        format!("{name} ")
    } else {
        format!("{name}{{{labels}}} ")
    };
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[tokio::test]
async fn requests_tokens_failures_store_calls_and_rotations_are_counted() {
    let metrics = recorder();
    let issuer = start_with(MemoryStore::new(), |b| b).await;
    let before = metrics.render();
    let ok = r#"endpoint="/token",status="200""#;
    let refused = r#"endpoint="/token",status="401""#;

    issuer.client_token().await;
    issuer.client_token().await;
    issuer
        .post(
            "/token",
            "grant_type=client_credentials",
            Auth::Basic(CLIENT, "wrong"),
        )
        .await
        .assert_error(401, "invalid_client");
    assert_eq!(issuer.get("/readyz").await.status, 200);
    assert_eq!(issuer.get("/no/such/page").await.status, 404);
    issuer.issuer.rotate_key().await.unwrap();

    let after = metrics.render();
    let moved =
        |name: &str, labels: &str| series(&after, name, labels) - series(&before, name, labels);
    assert!(
        moved("jot_issuer_http_requests_total", ok) >= 2.0,
        "{after}"
    );
    assert!(moved("jot_issuer_http_requests_total", refused) >= 1.0);
    assert!(
        moved(
            "jot_issuer_http_requests_total",
            r#"endpoint="/readyz",status="200""#
        ) >= 1.0
    );
    assert!(
        moved(
            "jot_issuer_http_requests_total",
            r#"endpoint="unmatched",status="404""#
        ) >= 1.0
    );
    assert!(
        moved(
            "jot_issuer_tokens_issued_total",
            r#"grant="client_credentials""#
        ) >= 2.0
    );
    assert!(
        moved(
            "jot_issuer_client_auth_failures_total",
            r#"reason="invalid""#
        ) >= 1.0
    );
    assert!(moved("jot_issuer_key_rotations_total", "") >= 1.0);
    assert!(
        moved(
            "jot_issuer_store_operation_duration_seconds_count",
            r#"operation="get_client""#
        ) >= 3.0
    );
    assert!(
        moved(
            "jot_issuer_http_request_duration_seconds_count",
            r#"endpoint="/token""#
        ) >= 3.0
    );
    // Bounded labels: no client id, no address, no token anywhere.
    assert!(!after.contains(CLIENT) && !after.contains("127.0.0.1"));
}

#[tokio::test]
async fn store_errors_are_counted_by_kind() {
    let metrics = recorder();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let issuer = start(&data).await;
    let labels = r#"operation="ping",kind="other""#;
    let before = series(&metrics.render(), "jot_issuer_store_errors_total", labels);
    std::fs::remove_dir_all(&data).unwrap();
    assert_eq!(issuer.get("/readyz").await.status, 503);
    let after = series(&metrics.render(), "jot_issuer_store_errors_total", labels);
    assert!(after - before >= 1.0);
}

/// `n` client authentications with a wrong secret, each for a new client id (so
/// only the per-address throttle can stop them: 20 failures are free), with
/// `x-forwarded-for: xff`, through `app` as if the TCP peer were `peer`.
async fn fail_from(app: &Router, peer: &str, xff: &str, n: usize) -> Vec<StatusCode> {
    static IDS: AtomicUsize = AtomicUsize::new(0);
    let mut statuses = Vec::new();
    for _ in 0..n {
        let id = IDS.fetch_add(1, Ordering::Relaxed);
        let mut request = Request::post("/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", xff)
            .body(Body::from(format!(
                "grant_type=client_credentials&client_id=guess-{id}&client_secret=wrong"
            )))
            .unwrap();
        let peer: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        statuses.push(app.clone().oneshot(request).await.unwrap().status());
    }
    statuses
}

async fn issuer_behind(proxies: &[&str]) -> Router {
    // A clock that stands still: a lock lasts as long as the test.
    let issuer = Issuer::builder("https://auth.example")
        .clock(TestClock::new())
        .client_secret_hash_iterations(1_000)
        .trusted_proxies(proxies.iter().copied())
        .build()
        .await
        .unwrap();
    issuer
        .ensure_client(NewClient::new(CLIENT).secret(SECRET))
        .await
        .unwrap();
    issuer.router()
}

const LOCKED: StatusCode = StatusCode::TOO_MANY_REQUESTS;
const REFUSED: StatusCode = StatusCode::UNAUTHORIZED;

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy_and_is_read_right_to_left() {
    let app = issuer_behind(&["10.0.0.0/8", "2001:db8::/32"]).await;

    // A trusted proxy: the client named in the header is throttled, not the proxy.
    // Spoofed entries on the left are never reached: the walk stops at the first
    // address that is not a trusted proxy's.
    let statuses = fail_from(&app, "10.0.0.5:4000", "6.6.6.6, 203.0.113.7", 21).await;
    assert!(statuses.iter().all(|s| *s == REFUSED), "{statuses:?}");
    assert_eq!(
        fail_from(&app, "10.0.0.5:4000", "203.0.113.7", 1).await,
        [LOCKED]
    );
    assert_eq!(
        fail_from(&app, "10.9.9.9:4000", "1.2.3.4, 203.0.113.7", 1).await,
        [LOCKED]
    );
    assert_eq!(
        fail_from(&app, "10.0.0.5:4000", "6.6.6.6", 1).await,
        [REFUSED],
        "the spoofed address was never counted"
    );
    assert_eq!(
        fail_from(&app, "10.0.0.5:4000", "203.0.113.8", 1).await,
        [REFUSED]
    );

    // A chain of trusted proxies (10.1.1.1 forwarded to 10.0.0.5): skipped.
    assert_eq!(
        fail_from(&app, "10.0.0.5:4000", "203.0.113.7, 10.1.1.1", 1).await,
        [LOCKED]
    );
    // IPv6 proxies and ports in entries, and an IPv4-mapped peer.
    assert_eq!(
        fail_from(&app, "[2001:db8::9]:4000", "203.0.113.7:5555", 1).await,
        [LOCKED]
    );
    assert_eq!(
        fail_from(&app, "[::ffff:10.0.0.5]:4000", "203.0.113.7", 1).await,
        [LOCKED]
    );

    // An untrusted peer: its header is ignored, its own address counts. The
    // locked client address cannot be blamed, and a new header does not escape.
    assert_eq!(
        fail_from(&app, "198.51.100.1:4000", "203.0.113.7", 1).await,
        [REFUSED]
    );
    let statuses = fail_from(&app, "198.51.100.2:4000", "192.0.2.1", 20).await;
    assert!(statuses.iter().all(|s| *s == REFUSED), "{statuses:?}");
    assert_eq!(
        fail_from(&app, "198.51.100.2:4000", "192.0.2.99", 1).await,
        [REFUSED],
        "the 21st failure"
    );
    assert_eq!(
        fail_from(&app, "198.51.100.2:4000", "192.0.2.100", 1).await,
        [LOCKED],
        "a fresh X-Forwarded-For does not escape the peer's lock"
    );
    assert_eq!(
        fail_from(&app, "10.0.0.5:4000", "192.0.2.1", 1).await,
        [REFUSED],
        "the peer's forwarded addresses were never counted"
    );

    // A value that is not an address: the trusted hop that wrote it counts.
    let statuses = fail_from(&app, "10.0.0.77:4000", "unknown", 21).await;
    assert_eq!(statuses.last(), Some(&REFUSED));
    assert_eq!(
        fail_from(&app, "10.0.0.77:4000", "203.0.113.200, nonsense", 1).await,
        [LOCKED]
    );
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_headers_are_ignored() {
    let app = issuer_behind(&[]).await;
    let statuses = fail_from(&app, "10.0.0.5:4000", "203.0.113.7", 21).await;
    assert_eq!(statuses.last(), Some(&REFUSED));
    assert_eq!(
        fail_from(&app, "10.0.0.5:4000", "203.0.113.99", 1).await,
        [LOCKED],
        "the peer is throttled, whatever it forwards"
    );
    // Over a real socket too (the peer is 127.0.0.1).
    let issuer = start_with(MemoryStore::new(), |b| b.trusted_proxies(["10.0.0.0/8"])).await;
    let attempt = |i: usize| {
        issuer
            .http
            .post(format!("{}/token", issuer.url))
            .header("x-forwarded-for", format!("192.0.2.{i}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .basic_auth(format!("guess-{i}"), Some("wrong"))
            .body("grant_type=client_credentials")
            .send()
    };
    for i in 0..21 {
        assert_eq!(attempt(i).await.unwrap().status(), 401);
    }
    assert_eq!(attempt(250).await.unwrap().status(), 429);
}

#[tokio::test]
async fn hsts_follows_forwarded_proto_from_trusted_proxies_only() {
    let app = issuer_behind(&["10.0.0.0/8"]).await;
    let hsts = |peer: &str, proto: Option<&str>| {
        let mut request = Request::get("/.well-known/jwks.json");
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        let mut request = request.body(Body::empty()).unwrap();
        let peer: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.unwrap();
            response.headers().contains_key("strict-transport-security")
        }
    };
    assert!(hsts("10.0.0.5:1", None).await);
    assert!(hsts("10.0.0.5:1", Some("https")).await);
    assert!(!hsts("10.0.0.5:1", Some("http")).await, "over plain http");
    assert!(!hsts("10.0.0.5:1", Some("HTTP, https")).await);
    assert!(
        hsts("198.51.100.1:1", Some("http")).await,
        "an untrusted peer cannot turn HSTS off"
    );
}

#[tokio::test]
async fn a_bad_trusted_proxy_is_refused_at_build() {
    for bad in ["10.0.0.0/40", "10.0.0.1/8", "proxy.example"] {
        let error = Issuer::builder("https://auth.example")
            .trusted_proxies([bad])
            .build()
            .await
            .unwrap_err();
        assert!(
            matches!(error, jot_issuer::IssuerError::InvalidTrustedProxy { .. }),
            "{bad}: {error}"
        );
        assert!(error.to_string().contains(bad), "{error}");
    }
}

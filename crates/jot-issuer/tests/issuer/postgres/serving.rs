//! An issuer on PostgreSQL while the database is down: the endpoints that need it
//! answer `503` with `Retry-After` within the store's time limits (never `500`,
//! never a hang), `/readyz` says `503`, the JWK Set and discovery keep being
//! served from memory, and everything works again once the database is back —
//! without a restart.

use std::time::{Duration, Instant};

use jot_issuer::Login;
use jot_issuer::store::PostgresStore;
use jot_test_support::postgres::Cluster;

use crate::browser::{Browser, WEB, WEB_CALLBACK, authorize_path, pkce, start_login_on};
use crate::support::{Auth, CLIENT, Reply, SECRET};

/// The store's own limits (2 s for a connection, 3 s for a statement) plus slack.
const BOUND: Duration = Duration::from_secs(5);

fn assert_unavailable(reply: &Reply, started: Instant, what: &str) {
    assert!(
        started.elapsed() < BOUND,
        "{what} took {:?}",
        started.elapsed()
    );
    assert_eq!(reply.status.as_u16(), 503, "{what}: {}", reply.text);
    assert_eq!(reply.header("retry-after"), Some("5"), "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_database_down_the_issuer_says_503_and_keeps_serving_its_keys() {
    let cluster = Cluster::private();
    let db = cluster.private_database();
    let store = PostgresStore::connect(&format!("{}?pool_timeout=2&query_timeout=3", db.url()))
        .await
        .unwrap();
    // A database store keeps its private keys sealed: it needs a key-encryption key.
    let kek = jot_issuer::kek::Kek::generate().unwrap();
    let issuer = start_login_on(store, |b| b.login(Login::new()).kek(kek)).await;
    let token = issuer.client_token().await;
    let browser = Browser::new(&issuer);
    let (_, challenge) = pkce();
    let authorize = authorize_path(WEB, WEB_CALLBACK, &challenge, &[]);
    assert_eq!(browser.get(&authorize).await.status, 303);
    assert_eq!(issuer.get("/readyz").await.status, 200);
    let jwks = issuer.get("/.well-known/jwks.json").await.text;
    let discovery = issuer.get("/.well-known/openid-configuration").await.text;

    tokio::task::block_in_place(|| cluster.stop());

    for (path, body) in [
        ("/token", "grant_type=client_credentials".to_owned()),
        ("/introspect", format!("token={token}")),
        ("/revoke", format!("token={token}")),
    ] {
        let started = Instant::now();
        let reply = issuer.post(path, &body, Auth::Basic(CLIENT, SECRET)).await;
        assert_unavailable(&reply, started, path);
        reply.assert_error(503, "temporarily_unavailable");
    }
    // The login pages: a page that says so, not a redirect, not a 500.
    let started = Instant::now();
    let page = browser.get(&authorize).await;
    assert_unavailable(&page, started, "/authorize");
    assert!(page.text.contains("try again"), "{}", page.text);
    assert!(
        page.header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        page.headers
    );
    let started = Instant::now();
    let login = browser
        .post(
            "/login",
            &[
                ("request", "r"),
                ("csrf", "c"),
                ("username", "alice"),
                ("password", "x"),
            ],
        )
        .await;
    assert_unavailable(&login, started, "POST /login");
    // A bearer call that checks revocation.
    let started = Instant::now();
    let reply = crate::support::reply(
        issuer
            .http
            .get(format!("{}/userinfo", issuer.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_unavailable(&reply, started, "/userinfo");

    // Alive, not ready; the keys and discovery still served, unchanged.
    assert_eq!(issuer.get("/healthz").await.status, 200);
    let started = Instant::now();
    assert_eq!(issuer.get("/readyz").await.status, 503);
    assert!(started.elapsed() < BOUND);
    assert_eq!(issuer.get("/.well-known/jwks.json").await.text, jwks);
    assert_eq!(
        issuer.get("/.well-known/openid-configuration").await.text,
        discovery
    );

    tokio::task::block_in_place(|| cluster.start());
    assert_eq!(issuer.get("/readyz").await.status, 200);
    issuer.client_token().await;
    assert_eq!(issuer.introspect(&token).await["active"], true);
    assert_eq!(browser.get(&authorize).await.status, 303);
}

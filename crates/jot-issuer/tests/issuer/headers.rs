//! Response headers: `X-Content-Type-Options: nosniff` everywhere, HSTS on an
//! https issuer, and CORS only for configured origins on the endpoints a
//! browser app calls.

use jot_issuer::{Issuer, IssuerError, Login, store::MemoryStore};

use crate::browser::start_login_with;
use crate::support::{Auth, CLIENT, SECRET, reply, start_with};

const APP: &str = "https://app.example";

/// `OPTIONS path` as a browser's preflight from `origin`.
async fn preflight(http: &reqwest::Client, url: &str, origin: &str) -> crate::support::Reply {
    reply(
        http.request(reqwest::Method::OPTIONS, url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization")
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn get_from(http: &reqwest::Client, url: &str, origin: &str) -> crate::support::Reply {
    reply(http.get(url).header("origin", origin).send().await.unwrap()).await
}

#[tokio::test]
async fn every_response_says_nosniff_and_https_issuers_send_hsts() {
    let issuer = start_login_with(|b| b.login(Login::new())).await;
    let mut replies = vec![
        issuer.get("/.well-known/jwks.json").await,
        issuer.get("/.well-known/openid-configuration").await,
        issuer.get("/authorize").await,
        issuer.get("/userinfo").await,
        issuer.post("/token", "grant_type=x", Auth::None).await,
        issuer
            .post("/introspect", "token=t", Auth::Basic(CLIENT, SECRET))
            .await,
        issuer
            .post("/revoke", "token=t", Auth::Basic(CLIENT, SECRET))
            .await,
        issuer.get("/token").await,
    ];
    replies.push(preflight(&issuer.http, &format!("{}/token", issuer.url), APP).await);
    for reply in &replies {
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{} {}",
            reply.status,
            reply.text
        );
        assert!(reply.header("strict-transport-security").is_none());
    }

    // An https issuer (served here on plain loopback, as behind a TLS proxy).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let https = Issuer::builder("https://auth.example")
        .store(MemoryStore::new())
        .build()
        .await
        .unwrap();
    let router = https.router();
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    for path in ["/.well-known/jwks.json", "/token"] {
        let reply = reply(
            issuer
                .http
                .get(format!("http://{addr}{path}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            reply.header("strict-transport-security"),
            Some("max-age=31536000"),
            "{path}"
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    }
    server.abort();
}

#[tokio::test]
async fn no_origin_may_call_cross_origin_by_default() {
    let issuer = start_login_with(|b| b.login(Login::new())).await;
    for path in [
        "/.well-known/jwks.json",
        "/.well-known/openid-configuration",
        "/userinfo",
    ] {
        let reply = get_from(&issuer.http, &format!("{}{path}", issuer.url), APP).await;
        assert!(
            reply.header("access-control-allow-origin").is_none(),
            "{path}"
        );
    }
    for path in ["/token", "/revoke", "/userinfo"] {
        let reply = preflight(&issuer.http, &format!("{}{path}", issuer.url), APP).await;
        assert_ne!(reply.status, 204, "{path}: preflight answered");
        assert!(
            reply.header("access-control-allow-origin").is_none(),
            "{path}"
        );
        assert!(
            reply.header("access-control-allow-methods").is_none(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn configured_origins_and_only_they_may_call_the_browser_endpoints() {
    let issuer = start_login_with(|b| {
        b.login(Login::new())
            .cors_origins([APP, "http://localhost:3000"])
    })
    .await;
    let url = |path: &str| format!("{}{path}", issuer.url);
    for path in [
        "/token",
        "/revoke",
        "/userinfo",
        "/.well-known/jwks.json",
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let answered = preflight(&issuer.http, &url(path), APP).await;
        assert_eq!(answered.status, 204, "{path}");
        assert_eq!(answered.header("access-control-allow-origin"), Some(APP));
        assert!(
            answered
                .header("access-control-allow-headers")
                .unwrap()
                .contains("authorization")
        );
        assert!(answered.header("vary").unwrap().contains("origin"));
        let other = preflight(&issuer.http, &url(path), "https://evil.example").await;
        assert_ne!(other.status, 204, "{path}");
        assert!(
            other.header("access-control-allow-origin").is_none(),
            "{path}"
        );
        // Near misses of an allowed origin are other origins.
        for near in [
            "https://app.example.evil",
            "http://app.example",
            "https://app.example:8443",
        ] {
            let reply = get_from(&issuer.http, &url(path), near).await;
            assert!(
                reply.header("access-control-allow-origin").is_none(),
                "{path} {near}"
            );
        }
    }
    let jwks = get_from(
        &issuer.http,
        &url("/.well-known/jwks.json"),
        "http://localhost:3000",
    )
    .await;
    assert_eq!(jwks.status, 200);
    assert_eq!(
        jwks.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert!(jwks.header("vary").unwrap().contains("origin"));
    let token = reply(
        issuer
            .http
            .post(url("/token"))
            .header("origin", APP)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .basic_auth(CLIENT, Some("wrong"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    token.assert_error(401, "invalid_client");
    assert_eq!(token.header("access-control-allow-origin"), Some(APP));
    assert!(
        token
            .header("access-control-expose-headers")
            .unwrap()
            .contains("www-authenticate")
    );

    // Introspection is server to server, and the login pages are never readable
    // cross-origin, whatever the allow-list.
    let introspect = preflight(&issuer.http, &url("/introspect"), APP).await;
    assert_ne!(introspect.status, 204);
    assert!(introspect.header("access-control-allow-origin").is_none());
    for path in ["/login?request=x", "/authorize", "/logout", "/consent"] {
        let page = get_from(&issuer.http, &url(path), APP).await;
        assert!(
            page.header("access-control-allow-origin").is_none(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_origin_must_be_an_origin() {
    for bad in ["*", "https://app.example/callback", "app.example", "null"] {
        let built = Issuer::builder("https://auth.example")
            .cors_origins([bad])
            .build()
            .await;
        assert!(
            matches!(built, Err(IssuerError::InvalidCorsOrigin { ref origin, .. }) if origin == bad),
            "{bad}: {built:?}"
        );
    }
    // A trailing slash and the default port are the same origin.
    let issuer = start_with(MemoryStore::new(), |b| {
        b.cors_origins(["https://APP.example:443/"])
    })
    .await;
    let jwks = get_from(
        &issuer.http,
        &format!("{}/.well-known/jwks.json", issuer.url),
        APP,
    )
    .await;
    assert_eq!(jwks.header("access-control-allow-origin"), Some(APP));
}

//! What one client may learn about or do to another's tokens, and which browser
//! origins may call the issuer, as `jot serve`'s config file and flags set them.

use super::{post, token};
use crate::harness::{path_str, scratch};
use crate::support::{Jot, http};

const CLIENTS: &str = r#"
[[client]]
id = "svc-a"
secret = "secret-a-123"

[[client]]
id = "svc-b"
secret = "secret-b-123"

[[client]]
id = "orders-api"
secret = "secret-api-123"
introspect = true
"#;

#[tokio::test(flavor = "multi_thread")]
async fn clients_introspect_and_revoke_only_their_own_tokens_unless_allowed() {
    let jot = Jot::start(Some(CLIENTS), &[], &[]);
    let client = http();
    let url = jot.url.clone();
    let a_token = token(&client, &url, "svc-a", "secret-a-123").await;
    let introspect = |id: &'static str, secret: &'static str, token: String| {
        let client = client.clone();
        let url = format!("{url}/introspect");
        async move {
            let (status, _, body) = post(
                &client,
                &url,
                &[
                    ("client_id", id),
                    ("client_secret", secret),
                    ("token", &token),
                ],
            )
            .await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };

    // Another client learns nothing: the answer of an invalid token.
    let seen = introspect("svc-b", "secret-b-123", a_token.clone()).await;
    assert_eq!(seen, serde_json::json!({"active": false}));
    // The token's own client, and a resource server given `introspect = true`, see it.
    for (id, secret) in [("svc-a", "secret-a-123"), ("orders-api", "secret-api-123")] {
        let seen = introspect(id, secret, a_token.clone()).await;
        assert_eq!(seen["active"], true, "{id}: {seen}");
        assert_eq!(seen["client_id"], "svc-a", "{id}: {seen}");
    }

    // Revoking another client's token: 200, and nothing happens.
    let revoke_url = format!("{url}/revoke");
    let revoke = |id: &'static str, secret: &'static str| {
        let form = [
            ("client_id", id),
            ("client_secret", secret),
            ("token", a_token.as_str()),
        ];
        let (client, url) = (client.clone(), revoke_url.clone());
        async move { post(&client, &url, &form).await }
    };
    let (status, _, body) = revoke("svc-b", "secret-b-123").await;
    assert_eq!(status, 200, "{body}");
    let seen = introspect("svc-a", "secret-a-123", a_token.clone()).await;
    assert_eq!(seen["active"], true, "still valid: {seen}");
    // Its own client revokes it for real.
    let (status, _, body) = revoke("svc-a", "secret-a-123").await;
    assert_eq!(status, 200, "{body}");
    let seen = introspect("orders-api", "secret-api-123", a_token.clone()).await;
    assert_eq!(seen["active"], false, "revoked: {seen}");
}

/// The `Access-Control-Allow-Origin` the JWK Set answers for `origin`.
async fn allowed(url: &str, origin: &str) -> Option<String> {
    let response = http()
        .get(format!("{url}/.well-known/jwks.json"))
        .header("origin", origin)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().expect("ASCII").to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_answers_only_the_configured_origins() {
    let config = "cors_origins = [\"https://app.example\"]\n";
    let jot = Jot::start(Some(config), &[], &[]);
    assert_eq!(
        allowed(&jot.url, "https://app.example").await.as_deref(),
        Some("https://app.example")
    );
    assert_eq!(allowed(&jot.url, "https://evil.example").await, None);
    // A preflight from an allowed origin is answered; from another, it is not.
    let preflight = |origin: &'static str| {
        http()
            .request(reqwest::Method::OPTIONS, format!("{}/token", jot.url))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let response = preflight("https://app.example").await.unwrap();
    assert_eq!(response.status(), 204);
    let response = preflight("https://evil.example").await.unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    drop(jot);

    // --cors-origin replaces the file's list; nothing configured, nothing allowed.
    let jot = Jot::start(
        Some(config),
        &["--cors-origin", "https://flag.example"],
        &[],
    );
    assert_eq!(
        allowed(&jot.url, "https://flag.example").await.as_deref(),
        Some("https://flag.example")
    );
    assert_eq!(allowed(&jot.url, "https://app.example").await, None);
    drop(jot);
    let jot = Jot::start(None, &[], &[]);
    assert_eq!(allowed(&jot.url, "https://app.example").await, None);
}

#[test]
fn a_wildcard_origin_stops_the_start() {
    let dir = scratch();
    let config = dir.join("jot.toml");
    std::fs::write(&config, "cors_origins = [\"*\"]\n").unwrap();
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_jot"))
        .env_clear()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--config",
            path_str(&config),
        ])
        .arg("--data-dir")
        .arg(dir.join("jot-data"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid CORS origin \"*\""), "{err}");
}

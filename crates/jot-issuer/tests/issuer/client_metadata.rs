//! Client ID Metadata Documents: a client whose `client_id` is the URL of its
//! metadata, served here by a document server on 127.0.0.1 (allowed with the
//! development setting), signs people in; documents and URLs that break a rule
//! are refused on a page (never with a redirect), and at `/token` as
//! `invalid_client`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use jot_issuer::{ClientMetadataDocuments, Login};
use serde_json::json;

use crate::browser::{Browser, authorize_path, pkce, start_login, start_login_with};
use crate::support::{Auth, Reply, Running};

const CALLBACK: &str = "https://tools.example/cb";

/// A document server on 127.0.0.1: its base URL and how often `/good.json` was fetched.
async fn document_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let doc = |path: &str, extra: serde_json::Value| {
        let mut doc = json!({
            "client_id": format!("{base}{path}"),
            "client_name": "Tools",
            "redirect_uris": [CALLBACK],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        });
        for (k, v) in extra.as_object().unwrap() {
            doc[k] = v.clone();
        }
        doc.to_string()
    };
    let json_reply = |body: String| {
        move || async move {
            (
                [
                    ("content-type", "application/json"),
                    ("cache-control", "max-age=600"),
                ],
                body,
            )
                .into_response()
        }
    };
    let good = doc("/good.json", json!({}));
    let counted = Arc::clone(&hits);
    let router = Router::new()
        .route(
            "/good.json",
            get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                let good = good.clone();
                async move { ([("content-type", "application/json")], good).into_response() }
            }),
        )
        .route(
            "/slow-good.json",
            get({
                let counted = Arc::clone(&hits);
                let body = doc("/slow-good.json", json!({}));
                move || {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let body = body.clone();
                    async move {
                        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                        ([("content-type", "application/json")], body).into_response()
                    }
                }
            }),
        )
        .route(
            "/big.json",
            get(json_reply(doc(
                "/big.json",
                json!({"padding": "x".repeat(6_000)}),
            ))),
        )
        .route(
            "/mismatch.json",
            get(json_reply(doc(
                "/mismatch.json",
                json!({"client_id": "https://other.example/c.json"}),
            ))),
        )
        .route(
            "/secret.json",
            get(json_reply(doc(
                "/secret.json",
                json!({"client_secret": "s3cret"}),
            ))),
        )
        .route(
            "/basic.json",
            get(json_reply(doc(
                "/basic.json",
                json!({"token_endpoint_auth_method": "client_secret_basic"}),
            ))),
        )
        .route(
            "/page.json",
            get({
                let body = doc("/page.json", json!({}));
                move || async move { ([("content-type", "text/html")], body).into_response() }
            }),
        )
        .route(
            "/moved.json",
            get(|| async {
                (http::StatusCode::FOUND, [("location", "/good.json")]).into_response()
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, hits)
}

async fn start_cimd(allow_loopback: bool) -> Running {
    start_login_with(|b| {
        b.login(Login::new()).client_id_metadata_documents(
            ClientMetadataDocuments::new().allow_loopback(allow_loopback),
        )
    })
    .await
}

/// `/authorize` for `client_id` with [`CALLBACK`] (or `redirect_uri`).
async fn authorize(issuer: &Running, client_id: &str, redirect_uri: &str) -> Reply {
    let (_, challenge) = pkce();
    Browser::new(issuer)
        .get(&authorize_path(
            client_id,
            redirect_uri,
            &challenge,
            &[("scope", "openid")],
        ))
        .await
}

/// A refusal shown on a page: 400, no redirect, the page says `says`.
fn assert_page(reply: &Reply, says: &str) {
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.header("location").is_none());
    assert!(reply.text.contains(says), "{says} in {}", reply.text);
}

#[tokio::test]
async fn a_metadata_document_client_signs_in_and_gets_tokens() {
    let (base, hits) = document_server().await;
    let client_id = format!("{base}/good.json");
    let issuer = start_cimd(true).await;
    let discovery = issuer.get("/.well-known/openid-configuration").await.json();
    assert_eq!(discovery["client_id_metadata_document_supported"], true);

    let browser = Browser::new(&issuer);
    let (code, verifier) = browser
        .code_with_consent(
            &client_id,
            CALLBACK,
            "openid offline_access",
            "Tools (127.0.0.1)",
        )
        .await;
    // Public: no secret, the client names itself.
    let tokens = issuer
        .exchange(&code, &verifier, CALLBACK, Auth::None, Some(&client_id))
        .await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    let id_token = issuer
        .verify_id_token(&tokens.str("id_token"), &client_id)
        .await;
    assert!(id_token["sub"].as_str().is_some_and(|s| !s.is_empty()));
    let (_, claims) = crate::support::peek(&tokens.str("access_token"));
    assert_eq!(claims["client_id"], client_id.as_str());
    // Its refresh token is bound to it.
    let refresh = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={}",
        tokens.str("refresh_token"),
        form_urlencoded::byte_serialize(client_id.as_bytes()).collect::<String>()
    );
    let refreshed = issuer.post("/token", &refresh, Auth::None).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    // A secret is never accepted for it.
    let basic = issuer
        .exchange(
            &code,
            &verifier,
            CALLBACK,
            Auth::Basic(&client_id, "guess"),
            None,
        )
        .await;
    basic.assert_error(401, "invalid_client");
    // Every lookup came from the cache after the first fetch.
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // Once it expires, the document is fetched again.
    issuer.clock.advance(24 * 60 * 60);
    let again = authorize(&issuer, &client_id, CALLBACK).await;
    assert_eq!(again.status, 303, "{}", again.text);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn metadata_documents_are_off_by_default() {
    let (base, hits) = document_server().await;
    let issuer = start_login().await;
    let reply = authorize(&issuer, &format!("{base}/good.json"), CALLBACK).await;
    assert_page(&reply, "not registered");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing fetched");
    let discovery = issuer.get("/.well-known/openid-configuration").await.json();
    assert!(
        discovery
            .get("client_id_metadata_document_supported")
            .is_none()
    );
}

#[tokio::test]
async fn documents_that_break_a_rule_are_refused_on_a_page() {
    let (base, _) = document_server().await;
    let issuer = start_cimd(true).await;
    for (path, says) in [
        ("/big.json", "larger than 5120 bytes"),
        ("/mismatch.json", "client_id differs from its URL"),
        ("/secret.json", "public clients only"),
        ("/basic.json", "public clients only"),
        ("/page.json", "not served as JSON"),
        ("/moved.json", "answered HTTP 302"),
        ("/missing.json", "answered HTTP 404"),
    ] {
        let reply = authorize(&issuer, &format!("{base}{path}"), CALLBACK).await;
        assert_page(&reply, says);
    }
    // A redirect URI the document does not list.
    let reply = authorize(
        &issuer,
        &format!("{base}/good.json"),
        "https://evil.example/cb",
    )
    .await;
    assert_page(&reply, "not one registered");
    // At the token endpoint, a document that cannot be used is invalid_client.
    let (verifier, _) = pkce();
    let tokens = issuer
        .exchange(
            "some-code",
            &verifier,
            CALLBACK,
            Auth::None,
            Some(&format!("{base}/mismatch.json")),
        )
        .await;
    tokens.assert_error(401, "invalid_client");
}

#[tokio::test]
async fn private_addresses_and_plain_http_are_refused_without_the_development_setting() {
    let (base, hits) = document_server().await;
    let issuer = start_cimd(false).await;
    // Plain http, even to a document that exists.
    let reply = authorize(&issuer, &format!("{base}/good.json"), CALLBACK).await;
    assert_page(&reply, "not https");
    // Address literals of private, loopback and link-local networks: refused
    // before any connection.
    for url in [
        "https://10.0.0.1/client.json",
        "https://127.0.0.1/client.json",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/client.json",
    ] {
        let reply = authorize(&issuer, url, CALLBACK).await;
        assert_page(&reply, "no public address");
    }
    // A name that resolves to loopback only.
    let reply = authorize(&issuer, "https://localhost/client.json", CALLBACK).await;
    assert_page(&reply, "no public address");
    // URLs that are no document URL at all.
    for (url, says) in [
        ("https://app.example/", "no path"),
        ("https://app.example/a/../client.json", "dot segment"),
        (
            "https://user:pw@app.example/client.json",
            "user information",
        ),
    ] {
        let reply = authorize(&issuer, url, CALLBACK).await;
        assert_page(&reply, says);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing fetched");
}

/// A hand-written HTTP server on 127.0.0.1 for what axum does not send: a
/// chunked JSON body larger than the cap without `Content-Length`
/// (`/chunked.json`), and headers followed by silence (`/slow.json`). Returns
/// its base URL.
async fn raw_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n";
                if String::from_utf8_lossy(&request[..n]).starts_with("GET /chunked.json") {
                    let _ = socket
                        .write_all(format!("{head}transfer-encoding: chunked\r\n\r\n").as_bytes())
                        .await;
                    let chunk = format!("400\r\n{}\r\n", " ".repeat(0x400));
                    // 8 KiB of whitespace after an opening brace, never closed.
                    let _ = socket.write_all(b"1\r\n{\r\n").await;
                    for _ in 0..8 {
                        if socket.write_all(chunk.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                    let _ = socket.write_all(b"0\r\n\r\n").await;
                } else {
                    let _ = socket
                        .write_all(format!("{head}content-length: 100\r\n\r\n{{").as_bytes())
                        .await;
                    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                }
            });
        }
    });
    base
}

#[tokio::test]
async fn oversized_streams_and_slow_servers_are_cut_off() {
    let base = raw_server().await;
    let issuer = start_login_with(|b| {
        b.login(Login::new()).client_id_metadata_documents(
            ClientMetadataDocuments::new()
                .allow_loopback(true)
                .timeout(std::time::Duration::from_secs(1)),
        )
    })
    .await;
    let reply = authorize(&issuer, &format!("{base}/chunked.json"), CALLBACK).await;
    assert_page(&reply, "larger than 5120 bytes");
    let started = std::time::Instant::now();
    let reply = authorize(&issuer, &format!("{base}/slow.json"), CALLBACK).await;
    assert_page(&reply, "timed out");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn requests_for_one_document_share_one_fetch() {
    let (base, hits) = document_server().await;
    let issuer = start_cimd(true).await;
    let client_id = format!("{base}/slow-good.json");
    let one = || authorize(&issuer, &client_id, CALLBACK);
    let (a, b, c, d, e) = tokio::join!(one(), one(), one(), one(), one());
    for reply in [a, b, c, d, e] {
        assert_eq!(reply.status, 303, "{}", reply.text);
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "one fetch for five requests"
    );
}

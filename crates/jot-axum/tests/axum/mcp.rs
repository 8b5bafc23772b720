//! The MCP example (`examples/mcp_server.rs`, the official Rust MCP SDK over
//! streamable HTTP) on a real socket: without a token the client is pointed to the
//! RFC 9728 metadata; with one, MCP `initialize` and a tool call succeed, as a
//! bearer token and as a DPoP-bound one.

use axum::http::StatusCode;
use jot_algorithms::Algorithm;
use serde_json::{Value, json};

use crate::proofs::{client_key, jkt, proof};
use crate::support::{claims, es256, mint};

#[path = "../../examples/mcp_server.rs"]
#[allow(dead_code)]
mod example;

const ISSUER: &str = "https://auth.example.com";

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"jot-test","version":"1.0"}}}"#;
const WHOAMI: &str =
    r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}"#;

struct Server {
    url: String,
    client: reqwest::Client,
}

impl Server {
    async fn start(issuer: &jot_algorithms::SigningKey) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let auth = example::auth(issuer.verifying_key(), ISSUER, &url).unwrap();
        let app = example::app(&auth);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let _ = rustls::crypto::ring::default_provider().install_default();
        Server {
            url,
            client: reqwest::Client::new(),
        }
    }

    /// POSTs a JSON-RPC message to the MCP endpoint with `authorization` (and a
    /// `DPoP` proof when given).
    async fn post(
        &self,
        body: &str,
        authorization: Option<String>,
        dpop: Option<String>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18")
            .body(body.to_owned());
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        if let Some(proof) = dpop {
            request = request.header("dpop", proof);
        }
        request.send().await.unwrap()
    }
}

fn challenge(response: &reqwest::Response) -> String {
    response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The text of a tool call's result.
async fn tool_text(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    let reply: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    reply["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text in {reply}"))
        .to_owned()
}

#[tokio::test]
async fn an_mcp_client_is_sent_to_the_metadata_then_initializes_with_a_token() {
    let issuer = es256("as-key");
    let server = Server::start(&issuer).await;

    // No token: 401, and the challenge says where to learn how to get one.
    let response = server.post(INITIALIZE, None, None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let metadata_url = server
        .url
        .replace("/mcp", "/.well-known/oauth-protected-resource/mcp");
    assert_eq!(
        challenge(&response),
        format!(r#"Bearer scope="mcp:tools", resource_metadata="{metadata_url}""#)
    );
    let metadata = server.client.get(&metadata_url).send().await.unwrap();
    let metadata: Value = serde_json::from_str(&metadata.text().await.unwrap()).unwrap();
    assert_eq!(metadata["resource"], json!(server.url));
    assert_eq!(metadata["authorization_servers"], json!([ISSUER]));

    // A token for this resource: MCP initialize succeeds.
    let token = mint(
        &issuer,
        claims(json!({"iss": ISSUER, "aud": metadata["resource"], "scope": "mcp:tools"})),
    );
    let response = server
        .post(INITIALIZE, Some(format!("Bearer {token}")), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let reply: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["result"]["serverInfo"]["name"], "jot-notes");
    assert!(
        reply["result"]["capabilities"]["tools"].is_object(),
        "{reply}"
    );

    // The tool sees who called.
    let response = server
        .post(WHOAMI, Some(format!("Bearer {token}")), None)
        .await;
    assert_eq!(tool_text(response).await, "alice (bearer)");
}

#[tokio::test]
async fn the_mcp_server_refuses_other_resources_tokens_and_missing_scopes() {
    let issuer = es256("as-key");
    let server = Server::start(&issuer).await;
    // Minted for another MCP server: never passed through by accident.
    let elsewhere = mint(
        &issuer,
        claims(
            json!({"iss": ISSUER, "aud": "https://other.example.com/mcp", "scope": "mcp:tools"}),
        ),
    );
    let response = server
        .post(INITIALIZE, Some(format!("Bearer {elsewhere}")), None)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response).contains(r#"error="invalid_token""#));
    // For this resource but without the scope: 403 naming it.
    let unscoped = mint(&issuer, claims(json!({"iss": ISSUER, "aud": server.url})));
    let response = server
        .post(INITIALIZE, Some(format!("Bearer {unscoped}")), None)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        challenge(&response).contains(r#"error="insufficient_scope""#)
            && challenge(&response).contains(r#"scope="mcp:tools""#),
        "{}",
        challenge(&response)
    );
}

#[tokio::test]
async fn the_mcp_server_takes_dpop_bound_tokens() {
    let issuer = es256("as-key");
    let server = Server::start(&issuer).await;
    let key = client_key(Algorithm::EdDSA);
    let token = mint(
        &issuer,
        claims(json!({
            "iss": ISSUER, "aud": server.url, "scope": "mcp:tools",
            "cnf": {"jkt": jkt(&key)},
        })),
    );
    let p = proof(&key, "POST", &server.url, &token);
    let response = server
        .post(WHOAMI, Some(format!("DPoP {token}")), Some(p))
        .await;
    assert_eq!(
        tool_text(response).await,
        format!("alice (DPoP key {})", jkt(&key))
    );
    // The same token as a bearer token: refused.
    let response = server
        .post(WHOAMI, Some(format!("Bearer {token}")), None)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response).starts_with(r#"DPoP error="invalid_token""#));
}

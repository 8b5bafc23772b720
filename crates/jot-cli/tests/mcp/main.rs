//! The MCP authorization flow end to end, through the real `jot` binary: an MCP
//! client that knows nothing but the MCP server's URL follows the `401` to the RFC
//! 9728 document, then to the issuer's RFC 8414 metadata; it identifies itself
//! with a client ID metadata document served on loopback, runs the code flow with
//! PKCE, an RFC 8707 `resource` and a DPoP key (`dpop_jkt`, a proof at `/token`
//! made by an independent implementation, Python's joserfc), and calls the
//! protected route with a proof made by `jot dpop`. The MCP server (jot-axum,
//! DPoP required) then exchanges the token it received for one aimed at a
//! downstream API (RFC 8693) instead of passing it on.
//!
//! joserfc is installed when missing by the project's installer (`cargo xtask
//! deps`, whose code this test shares); a missing component fails the test.

// Test helpers outside #[test] functions panic on purpose: a failed step fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::{get, post};
use jot_axum::{AuthContext, Dpop, JwtAuth, RemoteJwks, RequireScopes};
use jot_codec::Validation;
use ring::digest;
use serde_json::{Value, json};

// The one installer of the Python packages the tests drive.
#[allow(dead_code, unreachable_pub)]
#[path = "../../../../xtask/src/deps.rs"]
mod deps;
// Shared with the login tests.
#[allow(dead_code)]
#[path = "../login/support.rs"]
mod support;

use support::{Cookies, Jot, hidden_field, http};

const ALICE: &str = "alice";
const ALICE_PASSWORD: &str = "correct horse battery staple";
const DOWNSTREAM: &str = "https://calendar.example.com";
const EXCHANGER: &str = "mcp-server";
const EXCHANGER_SECRET: &str = "mcp-server-secret-0123456789abcdef";

/// `key` prints `{"jwk": private JWK, "jkt": thumbprint}` (ES256); `proof JWK HTM
/// HTU TOKEN` prints a DPoP proof (`TOKEN` `-`: none, so no `ath`).
const JOSERFC: &str = r#"
import base64, hashlib, json, secrets, sys, time, warnings
warnings.simplefilter("ignore")
from joserfc import jwt
from joserfc.jwk import ECKey, import_key

if sys.argv[1] == "key":
    key = ECKey.generate_key("P-256")
    print(json.dumps({"jwk": key.as_dict(private=True), "jkt": key.thumbprint()}))
else:
    _, _, jwk, htm, htu, token = sys.argv
    key = import_key(json.loads(jwk))
    claims = {"jti": secrets.token_urlsafe(16), "htm": htm, "htu": htu, "iat": int(time.time())}
    if token != "-":
        claims["ath"] = base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    print(jwt.encode(header, claims, key, algorithms=["ES256"]))
"#;

fn joserfc(args: &[&str]) -> String {
    stdout_of(Command::new("python3").arg("-c").arg(JOSERFC).args(args))
}

/// `jot args…`, exit 0, stdout.
fn jot(args: &[&str]) -> String {
    stdout_of(Command::new(env!("CARGO_BIN_EXE_jot")).args(args))
}

/// Runs `command`, which must succeed; its standard output, trimmed.
fn stdout_of(command: &mut Command) -> String {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The client metadata document of the MCP client, served on loopback; counts
/// the issuer's fetches.
async fn serve_client_document() -> (String, String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let client_id = format!("{base}/oauth/client.json");
    let redirect_uri = format!("{base}/callback");
    let fetches = Arc::new(AtomicUsize::new(0));
    let document = json!({
        "client_id": client_id,
        "client_name": "Example MCP client",
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    let counter = Arc::clone(&fetches);
    let app = Router::new().route(
        "/oauth/client.json",
        get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let document = document.clone();
            async move {
                (
                    [
                        ("content-type", "application/json"),
                        ("cache-control", "max-age=300"),
                    ],
                    document.to_string(),
                )
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (client_id, redirect_uri, fetches)
}

/// The MCP server: jot-axum with the resource identifier, DPoP required, the
/// `mcp:tools` scope; its one route answers who called and with which key.
async fn serve_mcp(listener: tokio::net::TcpListener, issuer: &str, resource: &str) {
    let keys = RemoteJwks::discover(issuer).build().unwrap();
    let auth: JwtAuth<()> = JwtAuth::builder(keys)
        .validation(Validation::new().issuer(issuer))
        .resource(resource)
        .unwrap()
        .authorization_servers([issuer])
        .scopes_supported(["mcp:tools"])
        .dpop(Dpop::new())
        .require_dpop()
        .build();
    let app = Router::new()
        .route(
            "/mcp",
            post(|context: axum::Extension<AuthContext>| async move {
                axum::Json(json!({
                    "sub": context.claims().get("sub").cloned(),
                    "jkt": context.dpop_thumbprint(),
                }))
            }),
        )
        .layer(RequireScopes::all(["mcp:tools"]))
        .layer(auth.layer())
        .merge(auth.resource_metadata_router());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

/// The quoted value of `name` in a `WWW-Authenticate` challenge.
fn param(challenge: &str, name: &str) -> Option<String> {
    let start = challenge.find(&format!("{name}=\""))? + name.len() + 2;
    let end = start + challenge[start..].find('"')?;
    Some(challenge[start..end].to_owned())
}

fn pkce() -> (String, String) {
    let verifier = "mcp-client-verifier-0123456789-abcdefghijklmnopqrstuvwxyz".to_owned();
    let challenge =
        jot_codec::base64url::encode(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref());
    (verifier, challenge)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mcp_client_goes_from_a_401_to_a_tool_call_and_the_server_exchanges_its_token() {
    if let Err(e) = deps::ensure_python(&[deps::JOSERFC]) {
        panic!("the MCP end-to-end test needs joserfc: {e}");
    }
    let (client_id, redirect_uri, fetches) = serve_client_document().await;
    let mcp_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mcp_url = format!("http://{}/mcp", mcp_listener.local_addr().unwrap());
    let config = format!(
        r#"
resources = ["{mcp_url}", "{DOWNSTREAM}"]
client_id_metadata_documents = true
client_id_metadata_allow_loopback = true
client_id_metadata_scopes = ["mcp:tools"]

[[client]]
id = "{EXCHANGER}"
secret = "{EXCHANGER_SECRET}"
token_exchange = true

[[user]]
username = "{ALICE}"
password = "{ALICE_PASSWORD}"
"#
    );
    let server = Jot::start(Some(&config), &[], &[]);
    let issuer = server.url.clone();
    serve_mcp(mcp_listener, &issuer, &mcp_url).await;
    let client = http();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize"});

    // 1. No token: 401, and the way to the resource metadata.
    let first = client
        .post(&mcp_url)
        .json(&initialize)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 401);
    let challenges: Vec<String> = first
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let dpop_challenge = challenges
        .iter()
        .find(|c| c.starts_with("DPoP "))
        .unwrap_or_else(|| panic!("a DPoP challenge in {challenges:?}"));
    assert_eq!(param(dpop_challenge, "scope").as_deref(), Some("mcp:tools"));
    let metadata_url = param(dpop_challenge, "resource_metadata").unwrap();

    // 2. The RFC 9728 document names the issuer.
    let metadata: Value = client
        .get(&metadata_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metadata["resource"], json!(mcp_url));
    assert_eq!(metadata["dpop_bound_access_tokens_required"], true);
    let authorization_server = metadata["authorization_servers"][0].as_str().unwrap();
    assert_eq!(authorization_server, issuer);

    // 3. The issuer's RFC 8414 metadata.
    let server_metadata: Value = client
        .get(format!(
            "{authorization_server}/.well-known/oauth-authorization-server"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        server_metadata["code_challenge_methods_supported"],
        json!(["S256"])
    );
    assert_eq!(
        server_metadata["client_id_metadata_document_supported"],
        true
    );
    let algs = server_metadata["dpop_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(algs.contains(&json!("ES256")));
    let authorization_endpoint = server_metadata["authorization_endpoint"].as_str().unwrap();
    let token_endpoint = server_metadata["token_endpoint"]
        .as_str()
        .unwrap()
        .to_owned();

    // 4. The client's DPoP key (joserfc) and the code flow, bound to the key.
    let key: Value = serde_json::from_str(&joserfc(&["key"])).unwrap();
    let jwk = key["jwk"].to_string();
    let jkt = key["jkt"].as_str().unwrap().to_owned();
    let (verifier, challenge) = pkce();
    let mut authorize = reqwest::Url::parse(authorization_endpoint).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", "mcp:tools")
        .append_pair("state", "mcp-state")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("resource", &mcp_url)
        .append_pair("dpop_jkt", &jkt);
    let code = sign_in_and_consent(&issuer, authorize.as_str(), &redirect_uri).await;
    assert!(
        fetches.load(Ordering::SeqCst) >= 1,
        "the issuer fetched the document"
    );

    // 5. The token request, with a joserfc proof.
    let proof = joserfc(&["proof", &jwk, "POST", &token_endpoint, "-"]);
    let tokens: Value = {
        let response = client
            .post(&token_endpoint)
            .header("dpop", &proof)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &redirect_uri),
                ("code_verifier", &verifier),
                ("client_id", &client_id),
                ("resource", &mcp_url),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    };
    assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
    let access_token = tokens["access_token"].as_str().unwrap().to_owned();
    let claims: Value = serde_json::from_str(&jot(&["decode", &access_token])).unwrap();
    let claims = claims.get("claims").unwrap_or(&claims).clone();
    assert_eq!(claims["aud"], json!(mcp_url));
    assert_eq!(claims["cnf"]["jkt"], json!(jkt));
    assert_eq!(claims["client_id"], json!(client_id));

    // 6. The tool call, with a proof made by `jot dpop` from the same key.
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("client.jwk");
    std::fs::write(&key_file, &jwk).unwrap();
    let key_path = key_file.to_str().unwrap();
    let proof = jot(&[
        "dpop",
        "--key",
        key_path,
        "--method",
        "POST",
        "--url",
        &mcp_url,
        "--access-token",
        &access_token,
    ]);
    let called = client
        .post(&mcp_url)
        .header("authorization", format!("DPoP {access_token}"))
        .header("dpop", &proof)
        .json(&initialize)
        .send()
        .await
        .unwrap();
    assert_eq!(called.status(), 200);
    let answer: Value = called.json().await.unwrap();
    assert_eq!(answer["jkt"], json!(jkt));
    assert_eq!(answer["sub"], claims["sub"]);
    // The same proof again is a replay; the token as a bearer token is refused.
    let replayed = client
        .post(&mcp_url)
        .header("authorization", format!("DPoP {access_token}"))
        .header("dpop", &proof)
        .json(&initialize)
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 401);
    let as_bearer = client
        .post(&mcp_url)
        .bearer_auth(&access_token)
        .json(&initialize)
        .send()
        .await
        .unwrap();
    assert_eq!(as_bearer.status(), 401);
    // `jot verify` checks the binding too.
    let jwks = format!("{issuer}/.well-known/jwks.json");
    jot(&[
        "verify",
        &access_token,
        "--jwks",
        &jwks,
        "--iss",
        &issuer,
        "--aud",
        &mcp_url,
        "--cnf-jkt",
        &jkt,
    ]);

    // 7. The MCP server exchanges the token for a downstream one (RFC 8693).
    let exchanged: Value = {
        let response = client
            .post(&token_endpoint)
            .basic_auth(EXCHANGER, Some(EXCHANGER_SECRET))
            .form(&[
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                ),
                ("subject_token", &access_token),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
                ("resource", DOWNSTREAM),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    };
    let downstream_token = exchanged["access_token"].as_str().unwrap();
    let downstream: Value = serde_json::from_str(&jot(&["decode", downstream_token])).unwrap();
    let downstream = downstream.get("claims").unwrap_or(&downstream);
    assert_eq!(downstream["aud"], DOWNSTREAM);
    assert_eq!(downstream["sub"], claims["sub"]);
    assert_eq!(downstream["act"], json!({"sub": EXCHANGER}));
    assert_eq!(downstream["scope"], "mcp:tools");
    drop(server);
}

/// Signs Alice in through the login form and allows the consent page, by hand as
/// a browser would; returns the code the redirect URI received.
async fn sign_in_and_consent(issuer: &str, authorize: &str, redirect_uri: &str) -> String {
    let client = http();
    let mut cookies = Cookies::default();
    let mut url = reqwest::Url::parse(authorize).unwrap();
    let mut form: Option<Vec<(String, String)>> = None;
    for _ in 0..10 {
        let request = match form.take() {
            Some(fields) => client.post(url.clone()).form(&fields),
            None => client.get(url.clone()),
        };
        let response = request
            .header("cookie", cookies.header())
            .send()
            .await
            .unwrap();
        cookies.absorb(&response);
        if response.status().is_redirection() {
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            if location.starts_with(redirect_uri) {
                let back = reqwest::Url::parse(&location).unwrap();
                let query: std::collections::HashMap<_, _> = back.query_pairs().collect();
                assert_eq!(query.get("state").map(|s| s.as_ref()), Some("mcp-state"));
                assert_eq!(query.get("iss").map(|s| s.as_ref()), Some(issuer));
                return query["code"].to_string();
            }
            url = url.join(&location).unwrap();
            continue;
        }
        let status = response.status();
        let page = response.text().await.unwrap();
        assert_eq!(status, 200, "{url}: {page}");
        let field = |name: &str| hidden_field(&page, name).unwrap_or_default();
        let mut fields = vec![
            ("csrf".to_owned(), field("csrf")),
            ("request".to_owned(), field("request")),
        ];
        if page.contains("id=\"login\"") {
            fields.push(("username".into(), ALICE.into()));
            fields.push(("password".into(), ALICE_PASSWORD.into()));
            url = url.join("/login").unwrap();
        } else if page.contains("id=\"consent\"") {
            fields.push(("decision".into(), "allow".into()));
            url = url.join("/consent").unwrap();
        } else {
            panic!("neither the login nor the consent page: {page}");
        }
        form = Some(fields);
    }
    panic!("no code after 10 steps from {authorize}");
}

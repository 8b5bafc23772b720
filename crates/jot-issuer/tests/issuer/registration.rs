//! Dynamic Client Registration (RFC 7591): `POST /register` is off by default;
//! public clients register freely and complete a code flow; confidential ones
//! need the initial access token; bad metadata is refused and nothing stored;
//! registrations are throttled per address and bodies capped.

use jot_issuer::{ClientRegistration, Login};
use serde_json::{Value, json};

use crate::browser::{Browser, start_login, start_login_with};
use crate::support::{Auth, Reply, Running, reply};

const TOKEN: &str = "initial-access-token-0123456789";
const CALLBACK: &str = "http://127.0.0.1:7000/cb";

async fn start_registration() -> Running {
    start_login_with(|b| {
        b.login(Login::new()).dynamic_client_registration(
            ClientRegistration::new()
                .initial_access_token(TOKEN)
                .scopes(["api"]),
        )
    })
    .await
}

async fn register(issuer: &Running, metadata: &Value, token: Option<&str>) -> Reply {
    let mut request = issuer
        .http
        .post(format!("{}/register", issuer.url))
        .header("content-type", "application/json")
        .body(metadata.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    reply(request.send().await.unwrap()).await
}

#[tokio::test]
async fn registration_is_off_by_default() {
    let issuer = start_login().await;
    let public = json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none"});
    assert_eq!(register(&issuer, &public, None).await.status, 404);
    let discovery = issuer.get("/.well-known/openid-configuration").await.json();
    assert!(discovery.get("registration_endpoint").is_none());
}

#[tokio::test]
async fn a_registered_public_client_completes_a_code_flow() {
    let issuer = start_registration().await;
    let discovery = issuer
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(
        discovery["registration_endpoint"],
        format!("{}/register", issuer.url)
    );
    let registered = register(
        &issuer,
        &json!({
            "redirect_uris": [CALLBACK],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "client_name": "Registered Tool",
            "scope": "openid offline_access api",
        }),
        None,
    )
    .await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    assert_eq!(registered.header("cache-control"), Some("no-store"));
    let body = registered.json();
    let client_id = body["client_id"].as_str().unwrap().to_owned();
    assert!(body.get("client_secret").is_none(), "{body}");
    assert!(body["client_id_issued_at"].is_u64());
    assert_eq!(body["redirect_uris"], json!([CALLBACK]));
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert_eq!(
        body["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(body["response_types"], json!(["code"]));
    assert_eq!(body["scope"], "openid offline_access api");
    assert_eq!(body["client_name"], "Registered Tool");
    assert!(
        issuer
            .issuer
            .client_ids()
            .await
            .unwrap()
            .contains(&client_id)
    );

    let browser = Browser::new(&issuer);
    let (code, verifier) = browser
        .code_with_consent(
            &client_id,
            CALLBACK,
            "openid offline_access api",
            "Registered Tool",
        )
        .await;
    let tokens = issuer
        .exchange(&code, &verifier, CALLBACK, Auth::None, Some(&client_id))
        .await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    assert!(tokens.json()["refresh_token"].is_string());
    assert_eq!(tokens.str("scope"), "openid offline_access api");
}

#[tokio::test]
async fn confidential_clients_need_the_initial_access_token() {
    let issuer = start_registration().await;
    let before = issuer.issuer.client_ids().await.unwrap();
    let machine = json!({
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": "api",
    });
    register(&issuer, &machine, None)
        .await
        .assert_error(400, "invalid_client_metadata");
    // No method given: RFC 7591's default, client_secret_basic, is confidential.
    register(&issuer, &json!({"redirect_uris": [CALLBACK]}), None)
        .await
        .assert_error(400, "invalid_client_metadata");
    let wrong = register(&issuer, &machine, Some("not-the-token")).await;
    wrong.assert_error(401, "invalid_token");
    assert_eq!(
        wrong.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
    assert_eq!(
        issuer.issuer.client_ids().await.unwrap(),
        before,
        "nothing stored"
    );

    let registered = register(&issuer, &machine, Some(TOKEN)).await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    let body = registered.json();
    assert_eq!(body["client_secret_expires_at"], 0);
    let (id, secret) = (
        body["client_id"].as_str().unwrap(),
        body["client_secret"].as_str().unwrap(),
    );
    let token = issuer
        .post(
            "/token",
            "grant_type=client_credentials&scope=api",
            Auth::Basic(id, secret),
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.text);
    let wrong_secret = issuer
        .post(
            "/token",
            "grant_type=client_credentials",
            Auth::Basic(id, "wrong"),
        )
        .await;
    wrong_secret.assert_error(401, "invalid_client");
}

#[tokio::test]
async fn bad_metadata_is_refused_and_nothing_stored() {
    let issuer = start_registration().await;
    let before = issuer.issuer.client_ids().await.unwrap();
    for uri in [
        "http://app.example/cb",
        "https://app.example/cb#fragment",
        "com.example.app:/cb",
        "javascript:alert(1)",
        "/relative",
    ] {
        let metadata = json!({"redirect_uris": [uri], "token_endpoint_auth_method": "none"});
        register(&issuer, &metadata, None)
            .await
            .assert_error(400, "invalid_redirect_uri");
    }
    register(
        &issuer,
        &json!({"token_endpoint_auth_method": "none"}),
        None,
    )
    .await
    .assert_error(400, "invalid_redirect_uri");
    for metadata in [
        json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none", "scope": "admin"}),
        json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none", "grant_types": ["implicit"]}),
        json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none", "grant_types": ["client_credentials"]}),
        json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none", "response_types": ["token"]}),
        json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "private_key_jwt"}),
        json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none", "client_name": "a\u{7}b"}),
        json!(["not an object"]),
    ] {
        register(&issuer, &metadata, Some(TOKEN))
            .await
            .assert_error(400, "invalid_client_metadata");
    }
    let form = issuer
        .post(
            "/register",
            "redirect_uris=https://app.example/cb",
            Auth::None,
        )
        .await;
    form.assert_error(400, "invalid_client_metadata");
    let huge = json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none", "client_name": "x".repeat(20_000)});
    assert_eq!(register(&issuer, &huge, None).await.status, 413);
    assert_eq!(
        issuer.issuer.client_ids().await.unwrap(),
        before,
        "nothing stored"
    );
}

#[tokio::test]
async fn registrations_are_throttled_per_address() {
    let issuer = start_registration().await;
    let public = json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none"});
    for _ in 0..21 {
        let accepted = register(&issuer, &public, None).await;
        assert_eq!(accepted.status, 201, "{}", accepted.text);
    }
    let throttled = register(&issuer, &public, None).await;
    assert_eq!(throttled.status, 429, "{}", throttled.text);
    assert!(throttled.header("retry-after").is_some());
}

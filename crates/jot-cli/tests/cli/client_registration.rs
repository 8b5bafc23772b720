//! `jot serve` with Client ID Metadata Documents and Dynamic Client Registration,
//! turned on by flags or by the config file (the initial access token read from
//! the environment variable they name), and off by default.

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use crate::support::{Jot, http};

const TOKEN: &str = "registration-token-0123456789";
const CALLBACK: &str = "http://127.0.0.1:7000/cb";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Serves a client metadata document on 127.0.0.1: its URL (the client id).
async fn document() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/client.json", listener.local_addr().unwrap());
    let body = json!({
        "client_id": url,
        "client_name": "CLI tool",
        "redirect_uris": [CALLBACK],
        "token_endpoint_auth_method": "none",
    })
    .to_string();
    let router = Router::new().route(
        "/client.json",
        get(move || async move { ([("content-type", "application/json")], body).into_response() }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

async fn register(jot: &Jot, metadata: &Value, token: Option<&str>) -> (u16, Value) {
    let mut request = http()
        .post(format!("{}/register", jot.url))
        .header("content-type", "application/json")
        .body(metadata.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `/authorize` for `client_id`: the status and `Location`.
async fn authorize(jot: &Jot, client_id: &str) -> (u16, Option<String>) {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/authorize", jot.url),
        [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", CALLBACK),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("scope", "openid"),
        ],
    )
    .unwrap();
    let response = http().get(url).send().await.unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), location)
}

async fn discovery(jot: &Jot) -> Value {
    let url = format!("{}/.well-known/openid-configuration", jot.url);
    http().get(url).send().await.unwrap().json().await.unwrap()
}

/// Both features on: discovery says so, a metadata document client is led to
/// the login page, public clients register, confidential ones with the token.
async fn assert_on(jot: &Jot) {
    let doc = discovery(jot).await;
    assert_eq!(doc["client_id_metadata_document_supported"], true, "{doc}");
    assert_eq!(
        doc["registration_endpoint"],
        format!("{}/register", jot.url)
    );

    let (status, location) = authorize(jot, &document().await).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/login?request="));

    let public = json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none"});
    let (status, body) = register(jot, &public, None).await;
    assert_eq!(status, 201, "{body}");
    let (status, location) = authorize(jot, body["client_id"].as_str().unwrap()).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/login?request="));

    let confidential = json!({"redirect_uris": [CALLBACK]});
    let (status, body) = register(jot, &confidential, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client_metadata"))
    );
    let (status, body) = register(jot, &confidential, Some(TOKEN)).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        body["client_secret"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_turn_on_client_metadata_documents_and_registration() {
    let jot = Jot::start(
        None,
        &[
            "--client-id-metadata-documents",
            "--client-id-metadata-allow-loopback",
            "--dynamic-registration",
            "--registration-initial-access-token-env",
            "JOT_TEST_REGISTRATION_TOKEN",
        ],
        &[("JOT_TEST_REGISTRATION_TOKEN", TOKEN)],
    );
    assert_on(&jot).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_config_file_turns_them_on() {
    let config = "client_id_metadata_documents = true\nclient_id_metadata_allow_loopback = true\n\
                  dynamic_registration = true\n\
                  registration_initial_access_token_env = \"JOT_TEST_REGISTRATION_TOKEN\"\n";
    let jot = Jot::start(Some(config), &[], &[("JOT_TEST_REGISTRATION_TOKEN", TOKEN)]);
    assert_on(&jot).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn both_are_off_by_default() {
    let jot = Jot::start(None, &[], &[]);
    let doc = discovery(&jot).await;
    assert!(doc.get("client_id_metadata_document_supported").is_none());
    assert!(doc.get("registration_endpoint").is_none());
    let (status, location) = authorize(&jot, &document().await).await;
    assert_eq!((status, location), (400, None));
    let public = json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none"});
    assert_eq!(register(&jot, &public, None).await.0, 404);
}

#[test]
fn a_missing_token_variable_stops_jot_serve() {
    let (code, _, stderr) = crate::harness::run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--dynamic-registration",
        "--registration-initial-access-token-env",
        "JOT_TEST_UNSET_REGISTRATION_TOKEN",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("JOT_TEST_UNSET_REGISTRATION_TOKEN is not set"),
        "{stderr}"
    );
}

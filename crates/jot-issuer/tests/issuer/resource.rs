//! Resource indicators (RFC 8707): `resource` at `/authorize` and `/token` sets the
//! access token's `aud`; only configured resources are accepted; a refused
//! request leaves the code usable.

use crate::browser::{Browser, WEB, WEB_CALLBACK, WEB_SECRET, query_of, start_login_with};
use crate::support::{AUDIENCE, Auth, CLIENT, SECRET, peek, start_with};
use jot_issuer::store::MemoryStore;
use serde_json::json;

const MCP: &str = "https://mcp.example.com/mcp";
const API: &str = "https://api.example.com";

fn cc(resource: &str) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "client_credentials")
        .append_pair("resource", resource);
    form.finish()
}

#[tokio::test]
async fn client_credentials_for_a_configured_resource() {
    let issuer = start_with(MemoryStore::new(), |b| b.resources([MCP, API])).await;
    let reply = issuer
        .post("/token", &cc(MCP), Auth::Basic(CLIENT, SECRET))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (_, claims) = peek(&reply.str("access_token"));
    assert_eq!(claims["aud"], MCP);
    // Without a resource: the default audience.
    let (_, claims) = peek(&issuer.client_token().await);
    assert_eq!(claims["aud"], AUDIENCE);
    issuer
        .post(
            "/token",
            &cc("https://evil.example"),
            Auth::Basic(CLIENT, SECRET),
        )
        .await
        .assert_error(400, "invalid_target");
    issuer
        .post(
            "/token",
            &format!("{}&resource=x", cc(MCP)),
            Auth::Basic(CLIENT, SECRET),
        )
        .await
        .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn without_configured_resources_every_resource_is_refused() {
    let issuer = start_with(MemoryStore::new(), |b| b).await;
    issuer
        .post("/token", &cc(MCP), Auth::Basic(CLIENT, SECRET))
        .await
        .assert_error(400, "invalid_target");
}

fn exchange_form(code: &str, verifier: &str, resource: Option<&str>) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", WEB_CALLBACK)
        .append_pair("code_verifier", verifier);
    if let Some(resource) = resource {
        form.append_pair("resource", resource);
    }
    form.finish()
}

#[tokio::test]
async fn the_authorization_requests_resource_is_the_tokens_audience() {
    let issuer =
        start_login_with(|b| b.login(jot_issuer::Login::new()).resources([MCP, API])).await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[("resource", MCP)]).await;
    let auth = || Auth::Basic(WEB, WEB_SECRET);
    // Another (configured) resource at the token endpoint: refused, code unused.
    issuer
        .post(
            "/token",
            &exchange_form(&code, &verifier, Some(API)),
            auth(),
        )
        .await
        .assert_error(400, "invalid_target");
    let reply = issuer
        .post(
            "/token",
            &exchange_form(&code, &verifier, Some(MCP)),
            auth(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (_, claims) = peek(&reply.str("access_token"));
    assert_eq!(claims["aud"], MCP);
    // The ID token is still for the client.
    let (_, id) = peek(&reply.str("id_token"));
    assert_eq!(id["aud"], WEB);

    // The refresh token keeps the grant's audience; another resource is refused.
    let refresh = reply.str("refresh_token");
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}&resource={API}"),
            auth(),
        )
        .await
        .assert_error(400, "invalid_target");
    let refreshed = issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
            auth(),
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    let (_, claims) = peek(&refreshed.str("access_token"));
    assert_eq!(claims["aud"], json!(MCP));
}

#[tokio::test]
async fn an_unknown_resource_at_authorize_goes_back_as_invalid_target() {
    let issuer = start_login_with(|b| b.login(jot_issuer::Login::new()).resources([MCP])).await;
    let (_, challenge) = crate::browser::pkce();
    let reply = Browser::new(&issuer)
        .get(&crate::browser::authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("resource", "https://other.example/mcp")],
        ))
        .await;
    let location = reply.header("location").unwrap();
    assert!(location.starts_with(WEB_CALLBACK), "{location}");
    assert_eq!(query_of(location)["error"], "invalid_target");
}

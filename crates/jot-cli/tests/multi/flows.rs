//! What clients and browsers do, by hand, against one instance: tokens, the
//! authorization code flow with PKCE (signing in when needed), refreshes, logout.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest;
use ring::rand::{SecureRandom as _, SystemRandom};
use serde_json::Value;

use crate::fleet::{ALICE, REDIRECT, SVC, WEB};
use crate::support::{Cookies, hidden_field};

/// A `client_credentials` grant of [`SVC`] with `secret` (and `scope`): the
/// status and the JSON body.
pub(crate) async fn service_token(
    client: &reqwest::Client,
    base: &str,
    secret: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let response = client
        .post(format!("{base}/token"))
        .basic_auth(SVC.0, Some(secret))
        .form(&form)
        .send()
        .await
        .expect("the token endpoint answers");
    status_json(response).await
}

/// A refresh of [`WEB`]'s `refresh_token`: the status and the JSON body.
pub(crate) async fn refresh(client: &reqwest::Client, base: &str, token: &str) -> (u16, Value) {
    let response = client
        .post(format!("{base}/token"))
        .basic_auth(WEB.0, Some(WEB.1))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", token)])
        .send()
        .await
        .expect("the token endpoint answers");
    status_json(response).await
}

/// Authenticates [`WEB`] once at `base` (an introspection), so its secret is
/// remembered there and a burst of its requests is not a burst of PBKDF2.
pub(crate) async fn warm_up(client: &reqwest::Client, base: &str) {
    let response = client
        .post(format!("{base}/introspect"))
        .basic_auth(WEB.0, Some(WEB.1))
        .form(&[("token", "nothing")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// The `kid`s of the JWK Set `base` serves.
pub(crate) async fn jwks_kids(client: &reqwest::Client, base: &str) -> Vec<String> {
    let jwks: Value = client
        .get(format!("{base}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// The `kid` in a token's header.
pub(crate) fn kid(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

/// A PKCE verifier and its S256 challenge.
pub(crate) struct Pkce {
    pub(crate) verifier: String,
    pub(crate) challenge: String,
}

impl Pkce {
    pub(crate) fn new() -> Pkce {
        let mut bytes = [0u8; 32];
        SystemRandom::new().fill(&mut bytes).unwrap();
        let verifier = URL_SAFE_NO_PAD.encode(bytes);
        let challenge =
            URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()));
        Pkce {
            verifier,
            challenge,
        }
    }
}

/// The end of an authorization request.
pub(crate) enum Authorized {
    /// A code at the redirect URI.
    Code(String),
    /// The login form answered with a page (a refused sign-in).
    Refused(String),
}

/// Runs the authorization code flow of [`WEB`] at `base` as a browser with
/// `cookies` would: `/authorize`, then (without a session there) the login form
/// with `username` and `password`, to the code at the redirect URI.
pub(crate) async fn authorize(
    client: &reqwest::Client,
    base: &str,
    cookies: &mut Cookies,
    pkce: &Pkce,
    login: (&str, &str),
) -> Authorized {
    let query = [
        ("response_type", "code"),
        ("client_id", WEB.0),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile offline_access"),
        ("state", "st"),
        ("nonce", "nn"),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
    ];
    let url = reqwest::Url::parse_with_params(&format!("{base}/authorize"), query).unwrap();
    let response = client
        .get(url)
        .header("cookie", cookies.header())
        .send()
        .await
        .unwrap();
    cookies.absorb(&response);
    let mut location = see_other(&response);
    for _ in 0..5 {
        if let Some(code) = code_at(&location) {
            return Authorized::Code(code);
        }
        let page = client
            .get(format!("{base}{location}"))
            .header("cookie", cookies.header())
            .send()
            .await
            .unwrap();
        cookies.absorb(&page);
        assert_eq!(page.status(), 200, "{location}");
        let html = page.text().await.unwrap();
        let field =
            |name| hidden_field(&html, name).unwrap_or_else(|| panic!("no {name}:\n{html}"));
        let response = client
            .post(format!("{base}/login"))
            .header("cookie", cookies.header())
            .form(&[
                ("username", login.0),
                ("password", login.1),
                ("csrf", &field("csrf")),
                ("request", &field("request")),
            ])
            .send()
            .await
            .unwrap();
        cookies.absorb(&response);
        if !response.status().is_redirection() {
            return Authorized::Refused(response.text().await.unwrap());
        }
        location = see_other(&response);
    }
    panic!("no code after five steps: {location}");
}

/// [`authorize`] as [`ALICE`], expecting a code.
pub(crate) async fn code(
    client: &reqwest::Client,
    base: &str,
    cookies: &mut Cookies,
    pkce: &Pkce,
) -> String {
    match authorize(client, base, cookies, pkce, ALICE).await {
        Authorized::Code(code) => code,
        Authorized::Refused(page) => panic!("alice could not sign in:\n{page}"),
    }
}

/// Redeems a code at `base`: the status and the JSON body (tokens).
pub(crate) async fn redeem(
    client: &reqwest::Client,
    base: &str,
    code: &str,
    pkce: &Pkce,
) -> (u16, Value) {
    let response = client
        .post(format!("{base}/token"))
        .basic_auth(WEB.0, Some(WEB.1))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &pkce.verifier),
        ])
        .send()
        .await
        .unwrap();
    status_json(response).await
}

/// A refresh token for [`ALICE`] at `base`, signing in with `cookies` if needed.
pub(crate) async fn refresh_token(
    client: &reqwest::Client,
    base: &str,
    cookies: &mut Cookies,
) -> String {
    let pkce = Pkce::new();
    let code = code(client, base, cookies, &pkce).await;
    let (status, body) = redeem(client, base, &code, &pkce).await;
    assert_eq!(status, 200, "{body}");
    body["refresh_token"].as_str().unwrap().to_owned()
}

async fn status_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The `Location` of a 303 (or 302).
fn see_other(response: &reqwest::Response) -> String {
    assert!(response.status().is_redirection(), "{}", response.status());
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The code of a redirect to [`REDIRECT`], if that is where it goes.
fn code_at(location: &str) -> Option<String> {
    location.strip_prefix(REDIRECT)?.strip_prefix('?')?;
    let url = reqwest::Url::parse(location).unwrap();
    let mut code = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "code" => code = Some(value.into_owned()),
            "state" => assert_eq!(value, "st"),
            "error" => panic!("authorization error: {location}"),
            _ => {}
        }
    }
    code
}

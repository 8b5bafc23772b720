//! `/authorize`: discovery, redirect URI matching, parameter refusals (page vs
//! redirect), `state` and `iss`, `prompt`, `max_age`, consent.

use serde_json::json;

use crate::browser::{
    ALICE, ALICE_PASSWORD, Browser, SCOPES, SPA, SPA_CALLBACK, WEB, WEB_CALLBACK, WEB_LOOPBACK,
    authorize_path, pkce, query_of, start_login,
};
use crate::support::start;

#[tokio::test]
async fn discovery_is_complete_with_login() {
    let issuer = start_login().await;
    let doc = issuer.get("/.well-known/openid-configuration").await.json();
    let url = &issuer.url;
    assert_eq!(doc["issuer"], json!(url));
    for (field, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("end_session_endpoint", "/logout"),
        ("jwks_uri", "/.well-known/jwks.json"),
    ] {
        assert_eq!(doc[field], json!(format!("{url}{path}")), "{field}");
    }
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        doc["authorization_response_iss_parameter_supported"],
        json!(true)
    );
    assert_eq!(doc["subject_types_supported"], json!(["public"]));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["ES256"])
    );
    assert_eq!(
        doc["grant_types_supported"],
        json!([
            "authorization_code",
            "client_credentials",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:token-exchange"
        ])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post", "none"])
    );
    assert_eq!(doc["scopes_supported"], json!(SCOPES));
    for claim in [
        "sub",
        "auth_time",
        "nonce",
        "at_hash",
        "sid",
        "name",
        "email",
        "email_verified",
    ] {
        assert!(
            doc["claims_supported"]
                .as_array()
                .unwrap()
                .contains(&json!(claim)),
            "{claim}"
        );
    }
    // Both documents are the same, and an issuer without login lists no login endpoint.
    assert_eq!(
        issuer
            .get("/.well-known/oauth-authorization-server")
            .await
            .json(),
        doc
    );
    let dir = tempfile::tempdir().unwrap();
    let plain = start(dir.path()).await;
    let doc = plain.get("/.well-known/openid-configuration").await.json();
    assert!(doc.get("authorization_endpoint").is_none());
    assert_eq!(plain.get("/authorize").await.status, 404);
}

/// A refusal shown on a page: 400, HTML, no redirect anywhere.
fn assert_refused_on_page(reply: &crate::support::Reply, what: &str) {
    assert_eq!(reply.status, 400, "{what}: {}", reply.text);
    assert!(reply.header("location").is_none(), "{what}");
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/html"),
        "{what}"
    );
    assert!(reply.text.contains("class=\"error\""), "{what}");
}

#[tokio::test]
async fn unregistered_and_near_miss_redirect_uris_are_refused_on_a_page() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (_, challenge) = pkce();
    for uri in [
        "https://evil.example/cb",
        "https://app.example/cb/",
        "https://APP.example/cb",
        "https://app.example/CB",
        "https://app.example/cb?x=1",
        "https://app.example/cb#frag",
        "http://app.example/cb",
        "https://user@app.example/cb",
        "https://app.example:443/cb",
        "https://app.example/cb%2F",
        "http://127.0.0.1:9000/callback/",
        "http://localhost:9000/callback",
        "http://127.0.0.1.evil.example/callback",
    ] {
        let reply = browser
            .get(&authorize_path(WEB, uri, &challenge, &[]))
            .await;
        assert_refused_on_page(&reply, uri);
    }
    // Also on a page: no client, unknown client, no redirect_uri, and even the
    // other errors when the redirect URI is bad.
    let no_client = browser
        .get(&format!(
            "/authorize?response_type=code&redirect_uri={WEB_CALLBACK}"
        ))
        .await;
    assert_refused_on_page(&no_client, "no client_id");
    let unknown = browser
        .get(&authorize_path("nobody", WEB_CALLBACK, &challenge, &[]))
        .await;
    assert_refused_on_page(&unknown, "unknown client");
    let no_redirect = browser
        .get("/authorize?response_type=code&client_id=web")
        .await;
    assert_refused_on_page(&no_redirect, "no redirect_uri");
    let both = browser
        .get(&authorize_path(
            WEB,
            "https://evil.example/cb",
            "short",
            &[("response_type", "token")],
        ))
        .await;
    assert_refused_on_page(&both, "bad redirect and more");
    let repeated = browser
        .get(&format!(
            "{}&client_id=web",
            authorize_path(WEB, WEB_CALLBACK, &challenge, &[])
        ))
        .await;
    assert_refused_on_page(&repeated, "repeated parameter");
}

#[tokio::test]
async fn loopback_redirect_uris_match_on_any_port() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (verifier, challenge) = pkce();
    let uri = "http://127.0.0.1:51789/callback";
    let done = browser
        .authorize(
            &authorize_path(WEB, uri, &challenge, &[]),
            ALICE,
            ALICE_PASSWORD,
        )
        .await;
    let location = done.header("location").unwrap();
    assert!(location.starts_with(&format!("{uri}?")), "{location}");
    let code = &query_of(location)["code"];
    let reply = issuer
        .exchange(
            code,
            &verifier,
            uri,
            crate::support::Auth::Basic(WEB, crate::browser::WEB_SECRET),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    // The registered port works too; the code is bound to the exact URI used.
    let registered = issuer
        .exchange(
            code,
            &verifier,
            WEB_LOOPBACK,
            crate::support::Auth::Basic(WEB, crate::browser::WEB_SECRET),
            None,
        )
        .await;
    registered.assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn other_errors_go_back_to_the_redirect_uri_with_state_and_iss() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (_, challenge) = pkce();
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        ("no PKCE", vec![("code_challenge", "")], "invalid_request"),
        (
            "plain PKCE",
            vec![("code_challenge_method", "plain")],
            "invalid_request",
        ),
        (
            "no method",
            vec![("code_challenge_method", "")],
            "invalid_request",
        ),
        (
            "bad challenge",
            vec![("code_challenge", "abc")],
            "invalid_request",
        ),
        (
            "implicit",
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (
            "hybrid",
            vec![("response_type", "code id_token")],
            "unsupported_response_type",
        ),
        ("no scope", vec![("scope", "")], "invalid_scope"),
        (
            "scope not allowed",
            vec![("scope", "openid admin")],
            "invalid_scope",
        ),
        (
            "malformed scope",
            vec![("scope", "openid \"x\"")],
            "invalid_scope",
        ),
        (
            "bad prompt",
            vec![("prompt", "none login")],
            "invalid_request",
        ),
        (
            "unknown prompt",
            vec![("prompt", "sideways")],
            "invalid_request",
        ),
        ("bad max_age", vec![("max_age", "-1")], "invalid_request"),
        (
            "bad claims",
            vec![("claims", "{not json")],
            "invalid_request",
        ),
        (
            "request object",
            vec![("request", "eyJ.x.y")],
            "request_not_supported",
        ),
        (
            "request_uri",
            vec![("request_uri", "https://x/r")],
            "request_uri_not_supported",
        ),
        (
            "form_post",
            vec![("response_mode", "form_post")],
            "invalid_request",
        ),
        (
            "bad id_token_hint",
            vec![("id_token_hint", "a.b.c")],
            "invalid_request",
        ),
    ];
    for (what, extra, error) in cases {
        let mut path = authorize_path(WEB, WEB_CALLBACK, &challenge, &[]);
        // Override parameters by removing the defaults first.
        for (name, _) in &extra {
            path = remove_param(&path, name);
        }
        let extra: Vec<(&str, &str)> = extra.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let mut full = path.clone();
        for (k, v) in &extra {
            full.push_str(&format!("&{k}={}", urlencode(v)));
        }
        let reply = browser.get(&full).await;
        assert_eq!(reply.status, 303, "{what}: {}", reply.text);
        let location = reply.header("location").unwrap();
        assert!(
            location.starts_with(&format!("{WEB_CALLBACK}?")),
            "{what}: {location}"
        );
        let params = query_of(location);
        assert_eq!(params["error"], error, "{what}");
        assert!(params.contains_key("error_description"), "{what}");
        assert_eq!(params["state"], "st&te=1/2", "{what}: state untouched");
        assert_eq!(params["iss"], issuer.url, "{what}: RFC 9207 iss");
        assert!(!params.contains_key("code"), "{what}");
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
    }
}

fn urlencode(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

fn remove_param(path: &str, name: &str) -> String {
    let (base, query) = path.split_once('?').unwrap();
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| p.split('=').next() != Some(name))
        .collect();
    format!("{base}?{}", kept.join("&"))
}

#[tokio::test]
async fn a_signed_in_user_gets_a_code_with_state_and_iss() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (_, challenge) = pkce();
    let first = browser
        .get(&authorize_path(WEB, WEB_CALLBACK, &challenge, &[]))
        .await;
    assert_eq!(first.status, 303);
    assert!(
        first
            .header("location")
            .unwrap()
            .starts_with("/login?request=")
    );
    let page = browser.follow(&first).await;
    let done = browser.submit_login(&page, ALICE, ALICE_PASSWORD).await;
    assert_eq!(done.status, 303, "{}", done.text);
    let params = query_of(done.header("location").unwrap());
    assert_eq!(params["state"], "st&te=1/2");
    assert_eq!(params["iss"], issuer.url);
    assert_eq!(params["code"].len(), 43);
    // Signed in: the next request needs no login, prompt=none included.
    let again = browser
        .get(&authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("prompt", "none")],
        ))
        .await;
    assert_eq!(again.status, 303);
    let params = query_of(again.header("location").unwrap());
    assert!(params.contains_key("code"), "{params:?}");
    // The POST form of /authorize works the same.
    let path = authorize_path(WEB, WEB_CALLBACK, &challenge, &[]);
    let form: Vec<(String, String)> = query_of(&path).into_iter().collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let posted = browser.post("/authorize", &form).await;
    assert!(query_of(posted.header("location").unwrap()).contains_key("code"));
}

#[tokio::test]
async fn prompt_none_without_a_session_is_login_required() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (_, challenge) = pkce();
    let reply = browser
        .get(&authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("prompt", "none")],
        ))
        .await;
    let params = query_of(reply.header("location").unwrap());
    assert_eq!(params["error"], "login_required");
    assert_eq!(params["state"], "st&te=1/2");
    assert_eq!(params["iss"], issuer.url);
}

#[tokio::test]
async fn prompt_login_and_max_age_ask_for_the_password_again() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    browser.code_for_web(&[]).await;
    let (_, challenge) = pkce();
    let login = browser
        .get(&authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("prompt", "login")],
        ))
        .await;
    assert!(login.header("location").unwrap().starts_with("/login?"));
    let fresh = browser
        .get(&authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("max_age", "60")],
        ))
        .await;
    assert!(query_of(fresh.header("location").unwrap()).contains_key("code"));
    issuer.clock.advance(61);
    let stale = browser
        .get(&authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("max_age", "60")],
        ))
        .await;
    assert!(stale.header("location").unwrap().starts_with("/login?"));
    let none = browser
        .get(&authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("max_age", "60"), ("prompt", "none")],
        ))
        .await;
    assert_eq!(
        query_of(none.header("location").unwrap())["error"],
        "login_required"
    );
    // The login page pre-fills login_hint.
    let hinted = browser
        .get(&authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("prompt", "login"), ("login_hint", "bob\"<x>")],
        ))
        .await;
    let page = browser.follow(&hinted).await;
    assert!(
        page.text.contains("value=\"bob&quot;&lt;x&gt;\""),
        "{}",
        page.text
    );
}

#[tokio::test]
async fn third_party_clients_ask_for_consent_once() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (_, challenge) = pkce();
    let path = authorize_path(SPA, SPA_CALLBACK, &challenge, &[("scope", "openid email")]);
    // Not signed in, not consented: prompt=none says login_required first.
    let signed_in = browser.authorize(&path, ALICE, ALICE_PASSWORD).await;
    let to_consent = signed_in.header("location").unwrap();
    assert!(to_consent.starts_with("/consent?request="), "{to_consent}");
    let none = browser
        .get(&authorize_path(
            SPA,
            SPA_CALLBACK,
            &challenge,
            &[("scope", "openid email"), ("prompt", "none")],
        ))
        .await;
    assert_eq!(
        query_of(none.header("location").unwrap())["error"],
        "consent_required"
    );

    let page = browser.follow(&signed_in).await;
    assert_eq!(page.status, 200, "{}", page.text);
    for needle in [
        "<form id=\"consent\" method=\"post\" action=\"/consent\">",
        "name=\"decision\" value=\"allow\"",
        "name=\"decision\" value=\"deny\"",
        "Single Page",
        "<code>email</code>",
    ] {
        assert!(page.text.contains(needle), "{needle} in {}", page.text);
    }
    let csrf = crate::browser::input_value(&page.text, "csrf");
    let request = crate::browser::input_value(&page.text, "request");
    // Without the CSRF token: refused, nothing consented.
    let forged = browser
        .post("/consent", &[("request", &request), ("decision", "allow")])
        .await;
    assert_eq!(forged.status, 403);
    let allowed = browser
        .post(
            "/consent",
            &[
                ("csrf", &csrf),
                ("request", &request),
                ("decision", "allow"),
            ],
        )
        .await;
    let params = query_of(allowed.header("location").unwrap());
    assert!(params.contains_key("code"), "{params:?}");
    assert_eq!(params["iss"], issuer.url);

    // Remembered: the same scopes (or fewer) need no consent, even with prompt=none.
    for scope in ["openid email", "openid"] {
        let again = browser
            .get(&authorize_path(
                SPA,
                SPA_CALLBACK,
                &challenge,
                &[("scope", scope), ("prompt", "none")],
            ))
            .await;
        assert!(
            query_of(again.header("location").unwrap()).contains_key("code"),
            "{scope}"
        );
    }
    // A new scope asks again; prompt=consent always asks.
    for extra in [
        vec![("scope", "openid profile")],
        vec![("scope", "openid"), ("prompt", "consent")],
    ] {
        let again = browser
            .get(&authorize_path(SPA, SPA_CALLBACK, &challenge, &extra))
            .await;
        assert!(
            again.header("location").unwrap().starts_with("/consent?"),
            "{extra:?}"
        );
    }
}

#[tokio::test]
async fn denying_consent_is_access_denied() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (_, challenge) = pkce();
    let path = authorize_path(SPA, SPA_CALLBACK, &challenge, &[("scope", "openid")]);
    let to_consent = browser.authorize(&path, ALICE, ALICE_PASSWORD).await;
    let page = browser.follow(&to_consent).await;
    let denied = browser
        .post(
            "/consent",
            &[
                ("csrf", &crate::browser::input_value(&page.text, "csrf")),
                (
                    "request",
                    &crate::browser::input_value(&page.text, "request"),
                ),
                ("decision", "deny"),
            ],
        )
        .await;
    let params = query_of(denied.header("location").unwrap());
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "st&te=1/2");
    // Nothing remembered.
    let again = browser.get(&path).await;
    assert!(again.header("location").unwrap().starts_with("/consent?"));
}

#[tokio::test]
async fn an_id_token_hint_for_another_user_needs_a_new_login() {
    let issuer = start_login().await;
    issuer
        .issuer
        .add_user(jot_issuer::users::NewUser::new(
            "bob",
            "bob's long password",
        ))
        .await
        .unwrap();
    let bobs = Browser::new(&issuer);
    let (verifier, challenge) = pkce();
    let done = bobs
        .authorize(
            &authorize_path(WEB, WEB_CALLBACK, &challenge, &[("scope", "openid")]),
            "bob",
            "bob's long password",
        )
        .await;
    let code = query_of(done.header("location").unwrap())["code"].clone();
    let bob_hint = issuer.exchange_web(&code, &verifier).await.str("id_token");

    let alices = Browser::new(&issuer);
    let (verifier, challenge) = pkce();
    let done = alices
        .authorize(
            &authorize_path(WEB, WEB_CALLBACK, &challenge, &[("scope", "openid")]),
            ALICE,
            ALICE_PASSWORD,
        )
        .await;
    let code = query_of(done.header("location").unwrap())["code"].clone();
    let alice_hint = issuer.exchange_web(&code, &verifier).await.str("id_token");

    let with_hint = |hint: String| {
        authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("prompt", "none"), ("id_token_hint", &hint)],
        )
    };
    let other = alices.get(&with_hint(bob_hint)).await;
    assert_eq!(
        query_of(other.header("location").unwrap())["error"],
        "login_required"
    );
    let same = alices.get(&with_hint(alice_hint)).await;
    assert!(query_of(same.header("location").unwrap()).contains_key("code"));
}

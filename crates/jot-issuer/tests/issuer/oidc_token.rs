//! The `authorization_code` grant: tokens and ID token, client authentication,
//! PKCE, code binding, reuse (and what it revokes), expiry, refresh with ID
//! tokens, the claims hook and an application's own authenticator.

use jot_issuer::{AuthFuture, Authenticator, ClaimsRequest, Login, TokenKind, users::User};
use ring::digest;
use serde_json::{Map, Value, json};

use crate::browser::{
    ALICE, ALICE_PASSWORD, Browser, SPA, SPA_CALLBACK, WEB, WEB_CALLBACK, WEB_SECRET,
    authorize_path, pkce, query_of, start_login, start_login_with,
};
use crate::support::{AUDIENCE, Auth, peek};

#[tokio::test]
async fn a_code_buys_an_access_token_a_refresh_token_and_an_id_token() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let reply = issuer.exchange_web(&code, &verifier).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "openid profile email offline_access");
    let access = reply.str("access_token");
    let (header, claims) = peek(&access);
    assert_eq!(header["typ"], "at+jwt");
    let alice = issuer
        .issuer
        .store()
        .find_user(ALICE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claims["sub"], json!(alice.sub));
    assert_eq!(claims["client_id"], WEB);
    assert_eq!(claims["aud"], AUDIENCE);
    assert!(reply.json()["refresh_token"].is_string());

    let id_token = reply.str("id_token");
    let (header, _) = peek(&id_token);
    assert_eq!(header["typ"], "JWT");
    assert!(header["kid"].is_string());
    let id = issuer.verify_id_token(&id_token, WEB).await;
    assert_eq!(id["iss"], json!(issuer.url));
    assert_eq!(id["sub"], json!(alice.sub));
    assert_eq!(id["aud"], WEB);
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    let (iat, exp, auth_time) = (
        id["iat"].as_u64().unwrap(),
        id["exp"].as_u64().unwrap(),
        id["auth_time"].as_u64().unwrap(),
    );
    assert!(exp > iat && auth_time <= iat, "{id}");
    assert!(id["sid"].as_str().unwrap().len() >= 16);
    let hash = digest::digest(&digest::SHA256, access.as_bytes());
    assert_eq!(
        id["at_hash"],
        json!(jot_codec::base64url::encode(&hash.as_ref()[..16]))
    );
    // Not asked for in the ID token: the profile claims come from userinfo.
    assert!(
        id.get("name").is_none() && id.get("email").is_none(),
        "{id}"
    );
    // The access token works at a resource server reading the JWKS.
    assert_eq!(issuer.resource_server().call(&access).await.0, 200);
}

#[tokio::test]
async fn the_claims_parameter_puts_profile_claims_in_the_id_token_per_scope() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let claims = r#"{"id_token":{"name":null,"email":{"essential":true},"email_verified":null}}"#;
    let (code, verifier) = browser
        .code_for_web(&[("scope", "openid profile email"), ("claims", claims)])
        .await;
    let reply = issuer.exchange_web(&code, &verifier).await;
    let id = issuer.verify_id_token(&reply.str("id_token"), WEB).await;
    assert_eq!(
        (&id["name"], &id["email"], &id["email_verified"]),
        (
            &json!("Alice Example"),
            &json!("alice@example.com"),
            &json!(true)
        )
    );
    assert!(
        reply.json().get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    // Without the email scope, asking is not enough.
    let (code, verifier) = browser
        .code_for_web(&[("scope", "openid profile"), ("claims", claims)])
        .await;
    let id = issuer
        .verify_id_token(
            &issuer.exchange_web(&code, &verifier).await.str("id_token"),
            WEB,
        )
        .await;
    assert_eq!(id["name"], "Alice Example");
    assert!(id.get("email").is_none(), "{id}");
    // Without openid: OAuth only, no ID token.
    let (code, verifier) = browser.code_for_web(&[("scope", "profile")]).await;
    let reply = issuer.exchange_web(&code, &verifier).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.json().get("id_token").is_none());
}

#[tokio::test]
async fn public_clients_use_pkce_and_no_secret() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (verifier, challenge) = pkce();
    let path = authorize_path(
        SPA,
        SPA_CALLBACK,
        &challenge,
        &[("scope", "openid offline_access")],
    );
    let to_consent = browser.authorize(&path, ALICE, ALICE_PASSWORD).await;
    let page = browser.follow(&to_consent).await;
    let done = browser
        .post(
            "/consent",
            &[
                ("csrf", &crate::browser::input_value(&page.text, "csrf")),
                (
                    "request",
                    &crate::browser::input_value(&page.text, "request"),
                ),
                ("decision", "allow"),
            ],
        )
        .await;
    let code = query_of(done.header("location").unwrap())["code"].clone();
    // A public client cannot authenticate with a secret, nor omit its id.
    issuer
        .exchange(
            &code,
            &verifier,
            SPA_CALLBACK,
            Auth::Basic(SPA, "anything"),
            None,
        )
        .await
        .assert_error(401, "invalid_client");
    issuer
        .exchange(&code, &verifier, SPA_CALLBACK, Auth::None, None)
        .await
        .assert_error(401, "invalid_client");
    let reply = issuer
        .exchange(&code, &verifier, SPA_CALLBACK, Auth::None, Some(SPA))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    issuer.verify_id_token(&reply.str("id_token"), SPA).await;
    // Its refresh tokens need its client_id, no secret.
    let refresh = reply.str("refresh_token");
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
            Auth::None,
        )
        .await
        .assert_error(401, "invalid_client");
    let refreshed = issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}&client_id={SPA}"),
            Auth::None,
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    // And it may not use client_credentials.
    issuer
        .post(
            "/token",
            &format!("grant_type=client_credentials&client_id={SPA}"),
            Auth::None,
        )
        .await
        .assert_error(401, "invalid_client");
}

#[tokio::test]
async fn pkce_redirect_uri_and_client_are_checked() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let (other_verifier, _) = pkce();
    let basic = || Auth::Basic(WEB, WEB_SECRET);
    issuer
        .exchange(&code, &other_verifier, WEB_CALLBACK, basic(), None)
        .await
        .assert_error(400, "invalid_grant");
    issuer
        .exchange(&code, "", WEB_CALLBACK, basic(), None)
        .await
        .assert_error(400, "invalid_request");
    issuer
        .exchange(&code, "short", WEB_CALLBACK, basic(), None)
        .await
        .assert_error(400, "invalid_grant");
    issuer
        .exchange(&code, &verifier, "https://app.example/cb/", basic(), None)
        .await
        .assert_error(400, "invalid_grant");
    issuer
        .exchange(
            &code,
            &verifier,
            WEB_CALLBACK,
            Auth::Basic(WEB, "wrong"),
            None,
        )
        .await
        .assert_error(401, "invalid_client");
    // Another registered client with the code: refused.
    issuer
        .issuer
        .ensure_client(
            jot_issuer::NewClient::new("other")
                .secret("other-secret-0123456789")
                .redirect_uris([WEB_CALLBACK])
                .scopes(["openid"]),
        )
        .await
        .unwrap();
    issuer
        .exchange(
            &code,
            &verifier,
            WEB_CALLBACK,
            Auth::Basic("other", "other-secret-0123456789"),
            None,
        )
        .await
        .assert_error(400, "invalid_grant");
    // None of this spent the code: the right request still works.
    let reply = issuer.exchange_web(&code, &verifier).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    issuer
        .exchange_web("not-a-code", &verifier)
        .await
        .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn a_reused_code_fails_and_revokes_what_it_issued() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let first = issuer.exchange_web(&code, &verifier).await;
    assert_eq!(first.status, 200);
    let (access, refresh) = (first.str("access_token"), first.str("refresh_token"));
    assert_eq!(issuer.introspect(&access).await["active"], true);

    let second = issuer.exchange_web(&code, &verifier).await;
    second.assert_error(400, "invalid_grant");
    assert!(second.str("error_description").contains("already used"));
    assert_eq!(issuer.introspect(&access).await, json!({"active": false}));
    assert_eq!(issuer.introspect(&refresh).await, json!({"active": false}));
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
            Auth::Basic(WEB, WEB_SECRET),
        )
        .await
        .assert_error(400, "invalid_grant");
    assert_eq!(issuer.userinfo(&access).await.status, 401);
}

#[tokio::test]
async fn the_whole_flow_works_on_a_file_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = jot_issuer::store::FileStore::open(dir.path()).unwrap();
    let issuer = crate::browser::start_login_on(store, |b| b.login(Login::new())).await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let first = issuer.exchange_web(&code, &verifier).await;
    assert_eq!(first.status, 200, "{}", first.text);
    issuer.verify_id_token(&first.str("id_token"), WEB).await;
    assert_eq!(
        issuer.userinfo(&first.str("access_token")).await.status,
        200
    );
    issuer
        .exchange_web(&code, &verifier)
        .await
        .assert_error(400, "invalid_grant");
    assert_eq!(
        issuer.introspect(&first.str("refresh_token")).await["active"],
        false
    );
    let files = crate::support::files(dir.path());
    for dir in ["users/", "usernames/", "sessions/", "codes/"] {
        assert!(
            files.iter().any(|f| f.starts_with(dir)),
            "{dir} in {files:?}"
        );
    }
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("codes/") && f.ends_with(".used"))
    );
    assert!(
        !files.iter().any(|f| f.starts_with("pending/")),
        "completed requests are gone"
    );
}

#[tokio::test]
async fn codes_expire_after_sixty_seconds() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    issuer.clock.advance(59);
    let (code2, verifier2) = browser.code_for_web(&[]).await;
    issuer.clock.advance(2);
    issuer
        .exchange_web(&code, &verifier)
        .await
        .assert_error(400, "invalid_grant");
    assert_eq!(issuer.exchange_web(&code2, &verifier2).await.status, 200);
}

#[tokio::test]
async fn refreshing_returns_a_new_id_token_and_keeps_rotation() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let first = issuer.exchange_web(&code, &verifier).await;
    let id1 = issuer.verify_id_token(&first.str("id_token"), WEB).await;
    issuer.clock.advance(30);
    let refresh = |token: String| {
        let issuer = &issuer;
        async move {
            issuer
                .post(
                    "/token",
                    &format!("grant_type=refresh_token&refresh_token={token}"),
                    Auth::Basic(WEB, WEB_SECRET),
                )
                .await
        }
    };
    let second = refresh(first.str("refresh_token")).await;
    assert_eq!(second.status, 200, "{}", second.text);
    let id2 = issuer.verify_id_token(&second.str("id_token"), WEB).await;
    assert_eq!(
        (&id2["sub"], &id2["auth_time"], &id2["sid"]),
        (&id1["sub"], &id1["auth_time"], &id1["sid"])
    );
    assert!(id2["iat"].as_u64() > id1["iat"].as_u64());
    assert!(
        id2.get("nonce").is_none(),
        "no nonce on refresh (OIDC Core §12.2)"
    );
    let hash = digest::digest(&digest::SHA256, second.str("access_token").as_bytes());
    assert_eq!(
        id2["at_hash"],
        json!(jot_codec::base64url::encode(&hash.as_ref()[..16]))
    );
    // Reuse detection as for any refresh token.
    refresh(first.str("refresh_token"))
        .await
        .assert_error(400, "invalid_grant");
    refresh(second.str("refresh_token"))
        .await
        .assert_error(400, "invalid_grant");
}

struct Directory;

impl Authenticator for Directory {
    fn authenticate<'a>(&'a self, username: &'a str, password: &'a str) -> AuthFuture<'a> {
        let ok = username == "bob" && password == "bob's long password";
        Box::pin(async move { Ok(ok.then(|| User::new("emp-7", "bob").with_name("Bob Builder"))) })
    }
    fn lookup<'a>(&'a self, sub: &'a str) -> AuthFuture<'a> {
        Box::pin(async move {
            Ok((sub == "emp-7").then(|| User::new("emp-7", "bob").with_name("Bob Builder")))
        })
    }
}

#[tokio::test]
async fn an_app_plugs_in_its_users_and_its_claims() {
    let hook = |request: &ClaimsRequest<'_>| {
        let mut claims = Map::new();
        let kind = match request.token {
            TokenKind::IdToken => "id",
            _ => "access",
        };
        claims.insert("kind".into(), kind.into());
        claims.insert(
            "department".into(),
            json!(format!("dept-of-{}", request.user.username)),
        );
        claims.insert("sub".into(), "forged".into());
        claims
    };
    let issuer =
        start_login_with(|b| b.login(Login::new().authenticator(Directory)).claims(hook)).await;
    let browser = Browser::new(&issuer);
    let (verifier, challenge) = pkce();
    let path = authorize_path(
        WEB,
        WEB_CALLBACK,
        &challenge,
        &[("scope", "openid profile offline_access")],
    );
    let refused = browser.authorize(&path, ALICE, ALICE_PASSWORD).await;
    assert!(
        refused.text.contains("Wrong username or password."),
        "jot's users are not used"
    );
    let page = browser.follow(&browser.get(&path).await).await;
    let done = browser
        .submit_login(&page, "bob", "bob's long password")
        .await;
    let code = query_of(done.header("location").unwrap())["code"].clone();
    let reply = issuer.exchange_web(&code, &verifier).await;
    let id = issuer.verify_id_token(&reply.str("id_token"), WEB).await;
    assert_eq!(
        (&id["sub"], &id["kind"], &id["department"]),
        (&json!("emp-7"), &json!("id"), &json!("dept-of-bob"))
    );
    let (_, access) = peek(&reply.str("access_token"));
    assert_eq!(
        (&access["sub"], &access["kind"]),
        (&json!("emp-7"), &json!("access"))
    );
    let userinfo = issuer.userinfo(&reply.str("access_token")).await.json();
    assert_eq!(
        userinfo,
        json!({"sub": "emp-7", "name": "Bob Builder", "preferred_username": "bob"})
    );
    // Refreshed access tokens keep the hook's claims.
    let refreshed = issuer
        .post(
            "/token",
            &format!(
                "grant_type=refresh_token&refresh_token={}",
                reply.str("refresh_token")
            ),
            Auth::Basic(WEB, WEB_SECRET),
        )
        .await;
    let (_, access) = peek(&refreshed.str("access_token"));
    assert_eq!(access["department"], "dept-of-bob");
    let _: Value = access;
}

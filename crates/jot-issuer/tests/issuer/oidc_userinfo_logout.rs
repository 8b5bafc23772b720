//! `/userinfo` (bearer header only, claims by scope) and `/logout` (RP-initiated:
//! with a hint, with confirmation, redirect URIs checked, refresh tokens revoked).

use jot_issuer::Login;
use serde_json::json;

use crate::browser::{
    Browser, WEB, WEB_CALLBACK, WEB_LOGOUT, WEB_SECRET, authorize_path, input_value, pkce,
    query_of, start_login, start_login_with,
};
use crate::support::{Auth, reply};

#[tokio::test]
async fn userinfo_gives_claims_by_scope_for_a_bearer_header() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let sub = issuer
        .issuer
        .store()
        .find_user("alice")
        .await
        .unwrap()
        .unwrap()
        .sub;
    let (code, verifier) = browser.code_for_web(&[]).await;
    let access = issuer
        .exchange_web(&code, &verifier)
        .await
        .str("access_token");
    let info = issuer.userinfo(&access).await;
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(info.header("cache-control"), Some("no-store"));
    assert_eq!(
        info.json(),
        json!({
            "sub": sub,
            "name": "Alice Example",
            "preferred_username": "alice",
            "email": "alice@example.com",
            "email_verified": true,
        })
    );
    // POST works the same.
    let posted = reply(
        issuer
            .http
            .post(format!("{}/userinfo", issuer.url))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(posted.json(), info.json());

    // openid alone: sub only; email: no profile.
    for (scope, expected) in [
        ("openid", json!({"sub": sub})),
        (
            "openid email",
            json!({"sub": sub, "email": "alice@example.com", "email_verified": true}),
        ),
    ] {
        let (code, verifier) = browser.code_for_web(&[("scope", scope)]).await;
        let access = issuer
            .exchange_web(&code, &verifier)
            .await
            .str("access_token");
        assert_eq!(issuer.userinfo(&access).await.json(), expected, "{scope}");
    }
}

#[tokio::test]
async fn userinfo_refuses_tokens_outside_the_header_and_bad_tokens() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let access = issuer
        .exchange_web(&code, &verifier)
        .await
        .str("access_token");

    let in_query = issuer
        .get(&format!("/userinfo?access_token={access}"))
        .await;
    assert_eq!(in_query.status, 400);
    assert!(
        in_query
            .header("www-authenticate")
            .unwrap()
            .contains("error=\"invalid_request\"")
    );
    let in_body = issuer
        .post("/userinfo", &format!("access_token={access}"), Auth::None)
        .await;
    assert_eq!(in_body.status, 400);
    // Even with a header, a token in the query is refused (it leaks into logs).
    let both = reply(
        issuer
            .http
            .get(format!("{}/userinfo?access_token=x", issuer.url))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(both.status, 400);

    let none = issuer.get("/userinfo").await;
    assert_eq!(none.status, 401);
    let challenge = none.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with("Bearer realm=") && !challenge.contains("error="),
        "{challenge}"
    );
    let bad = issuer.userinfo("e30.e30.AAAA").await;
    assert_eq!(bad.status, 401);
    assert!(
        bad.header("www-authenticate")
            .unwrap()
            .contains("error=\"invalid_token\"")
    );
    // A client_credentials token has no openid scope (and no user).
    let machine = issuer
        .post(
            "/token",
            "grant_type=client_credentials",
            Auth::Basic(WEB, WEB_SECRET),
        )
        .await
        .str("access_token");
    let forbidden = issuer.userinfo(&machine).await;
    assert_eq!(forbidden.status, 403);
    assert!(
        forbidden
            .header("www-authenticate")
            .unwrap()
            .contains("insufficient_scope")
    );
    // A revoked token is refused.
    issuer.issuer.revoke(&access).await.unwrap();
    assert_eq!(issuer.userinfo(&access).await.status, 401);
}

#[tokio::test]
async fn logout_with_an_id_token_hint_ends_the_session_and_revokes_its_refresh_tokens() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let tokens = issuer.exchange_web(&code, &verifier).await;
    let (id_token, refresh) = (tokens.str("id_token"), tokens.str("refresh_token"));
    // Another session of the same user, in another browser, keeps its tokens.
    let other = Browser::new(&issuer);
    let (code, verifier) = other.code_for_web(&[]).await;
    let other_refresh = issuer
        .exchange_web(&code, &verifier)
        .await
        .str("refresh_token");

    let path = format!(
        "/logout?id_token_hint={id_token}&post_logout_redirect_uri={}&state=bye%20now",
        form_urlencoded::byte_serialize(WEB_LOGOUT.as_bytes()).collect::<String>()
    );
    let out = browser.get(&path).await;
    assert_eq!(out.status, 303, "{}", out.text);
    assert_eq!(
        out.header("location"),
        Some("https://app.example/?state=bye+now")
    );
    assert!(browser.cookie("jot_session").is_none(), "cookie cleared");

    let (_, challenge) = pkce();
    let none = authorize_path(WEB, WEB_CALLBACK, &challenge, &[("prompt", "none")]);
    assert_eq!(
        query_of(browser.get(&none).await.header("location").unwrap())["error"],
        "login_required"
    );
    let refreshed = |token: String| {
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
    refreshed(refresh).await.assert_error(400, "invalid_grant");
    assert_eq!(refreshed(other_refresh).await.status, 200);
    assert!(query_of(other.get(&none).await.header("location").unwrap()).contains_key("code"));
}

#[tokio::test]
async fn logout_without_a_hint_asks_to_confirm_with_a_csrf_token() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    browser.code_for_web(&[]).await;
    let page = browser
        .get(&format!(
            "/logout?client_id={WEB}&post_logout_redirect_uri={WEB_LOGOUT}&state=s1"
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text
            .contains("<form id=\"logout\" method=\"post\" action=\"/logout\">"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("<button type=\"submit\">Sign out</button>")
    );
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("form-action 'self' https://app.example")
    );
    let csrf = input_value(&page.text, "csrf");
    // A forged confirmation (another site's form) changes nothing.
    let forged = browser
        .post("/logout", &[("csrf", "forged"), ("client_id", WEB)])
        .await;
    assert_eq!(forged.status, 403);
    assert!(browser.cookie("jot_session").is_some());
    let out = browser
        .post(
            "/logout",
            &[
                ("csrf", &csrf),
                ("client_id", WEB),
                ("post_logout_redirect_uri", WEB_LOGOUT),
                ("state", "s1"),
            ],
        )
        .await;
    assert_eq!(
        out.header("location"),
        Some("https://app.example/?state=s1")
    );
    assert!(browser.cookie("jot_session").is_none());
    // Signed out already: a plain page, no confirmation needed.
    let again = browser.get("/logout").await;
    assert_eq!(again.status, 200);
    assert!(again.text.contains("id=\"signed-out\""), "{}", again.text);
}

#[tokio::test]
async fn logout_never_redirects_to_an_unregistered_uri() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let id_token = issuer.exchange_web(&code, &verifier).await.str("id_token");
    for (what, path) in [
        (
            "unregistered",
            format!(
                "/logout?id_token_hint={id_token}&post_logout_redirect_uri=https://evil.example/"
            ),
        ),
        (
            "near miss",
            format!(
                "/logout?id_token_hint={id_token}&post_logout_redirect_uri=https://app.example"
            ),
        ),
        (
            "no client",
            "/logout?post_logout_redirect_uri=https://app.example/".to_owned(),
        ),
        (
            "client and hint differ",
            format!("/logout?id_token_hint={id_token}&client_id=spa"),
        ),
        (
            "forged hint",
            "/logout?id_token_hint=e30.e30.AAAA".to_owned(),
        ),
    ] {
        let reply = browser.get(&path).await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.text);
        assert!(reply.header("location").is_none(), "{what}");
    }
    assert!(browser.cookie("jot_session").is_some(), "still signed in");
    // An access token is no ID token hint.
    let access = {
        let (code, verifier) = browser.code_for_web(&[]).await;
        issuer
            .exchange_web(&code, &verifier)
            .await
            .str("access_token")
    };
    assert_eq!(
        browser
            .get(&format!("/logout?id_token_hint={access}"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn single_page_apps_may_call_the_token_endpoint_and_userinfo_cross_origin() {
    let origin = "https://spa.example";
    let issuer = start_login_with(|b| b.login(Login::new()).cors_origins([origin])).await;
    let preflight = reply(
        issuer
            .http
            .request(reqwest::Method::OPTIONS, format!("{}/token", issuer.url))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(origin)
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
    let userinfo = reply(
        issuer
            .http
            .get(format!("{}/userinfo", issuer.url))
            .header("origin", origin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(userinfo.status, 401);
    assert_eq!(userinfo.header("access-control-allow-origin"), Some(origin));
    // The pages are never readable cross-origin.
    for path in ["/login?request=x", "/authorize", "/logout"] {
        let page = reply(
            issuer
                .http
                .get(format!("{}{path}", issuer.url))
                .header("origin", origin)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            page.header("access-control-allow-origin").is_none(),
            "{path}"
        );
    }
}

//! Introspection (RFC 7662) of active, expired and revoked tokens; revocation
//! (RFC 7009).

use jot_issuer::{NewClient, UserGrant};
use serde_json::json;

use crate::support::{AUDIENCE, Auth, CLIENT, SECRET, start};

#[tokio::test]
async fn introspection_of_active_expired_and_revoked_access_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;

    let token = issuer.client_token().await;
    let active = issuer.introspect(&token).await;
    assert_eq!(active["active"], true);
    assert_eq!(active["client_id"], CLIENT);
    assert_eq!(active["sub"], CLIENT);
    assert_eq!(active["scope"], "invoices:read invoices:write");
    assert_eq!(active["token_type"], "Bearer");
    assert_eq!(active["iss"], issuer.url);
    assert_eq!(active["aud"], AUDIENCE);
    assert_eq!(
        active["exp"].as_u64().unwrap() - active["iat"].as_u64().unwrap(),
        900
    );
    let reply = issuer
        .post(
            "/introspect",
            &format!("token={token}"),
            Auth::Basic(CLIENT, SECRET),
        )
        .await;
    assert_eq!(reply.header("cache-control"), Some("no-store"));

    // Post authentication works too, and garbage is simply inactive.
    let reply = issuer
        .post(
            "/introspect",
            &format!("token=not.a.token&client_id={CLIENT}&client_secret={SECRET}"),
            Auth::None,
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"active": false}));

    // Revoked (RFC 7009): 200 with an empty body, then inactive.
    let revoked = issuer.client_token().await;
    let reply = issuer
        .post(
            "/revoke",
            &format!("token={revoked}&token_type_hint=access_token"),
            Auth::Basic(CLIENT, SECRET),
        )
        .await;
    assert_eq!((reply.status.as_u16(), reply.text.as_str()), (200, ""));
    assert_eq!(issuer.introspect(&revoked).await, json!({"active": false}));
    assert_eq!(issuer.introspect(&token).await["active"], true);

    // Revoking an unknown token is no error.
    let reply = issuer
        .post("/revoke", "token=whatever", Auth::Basic(CLIENT, SECRET))
        .await;
    assert_eq!(reply.status, 200);

    // Expired: the issuer's clock moves past exp (no sleeping).
    issuer.clock.advance(899);
    assert_eq!(issuer.introspect(&token).await["active"], true);
    issuer.clock.advance(1);
    assert_eq!(issuer.introspect(&token).await, json!({"active": false}));
}

#[tokio::test]
async fn introspection_and_revocation_of_refresh_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let tokens = issuer
        .issuer
        .issue_for_user(UserGrant::new("erin", CLIENT).scopes(["invoices:read"]))
        .await
        .unwrap();
    let refresh = tokens.refresh_token.unwrap();
    let info = issuer.introspect(&refresh).await;
    assert_eq!(info["active"], true);
    assert_eq!(info["token_type"], "refresh_token");
    assert_eq!(
        (&info["sub"], &info["client_id"]),
        (&json!("erin"), &json!(CLIENT))
    );

    // Another client may not revoke it: it gets the answer of a revoked token
    // (200, RFC 7009 §2.2), and nothing happens.
    let other = issuer
        .issuer
        .register_client(NewClient::new("other"))
        .await
        .unwrap();
    for token in [&refresh, &tokens.access_token] {
        let reply = issuer
            .post(
                "/revoke",
                &format!("token={token}"),
                Auth::Basic("other", &other.client_secret),
            )
            .await;
        assert_eq!((reply.status.as_u16(), reply.text.as_str()), (200, ""));
    }
    assert_eq!(issuer.introspect(&refresh).await["active"], true);
    assert_eq!(
        issuer.introspect(&tokens.access_token).await["active"],
        true
    );

    // Its own client may; then it is inactive and cannot be exchanged.
    let reply = issuer
        .post(
            "/revoke",
            &format!("token={refresh}&token_type_hint=refresh_token"),
            Auth::Basic(CLIENT, SECRET),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(issuer.introspect(&refresh).await, json!({"active": false}));
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
            Auth::Basic(CLIENT, SECRET),
        )
        .await
        .assert_error(400, "invalid_grant");

    // The library API revokes without a client check (the app is trusted).
    let tokens = issuer
        .issuer
        .issue_for_user(UserGrant::new("erin", "web"))
        .await
        .unwrap();
    issuer
        .issuer
        .revoke(tokens.refresh_token.as_deref().unwrap())
        .await
        .unwrap();
    assert!(
        !issuer
            .issuer
            .introspect(tokens.refresh_token.as_deref().unwrap())
            .await
            .unwrap()
            .active
    );
}

/// A client learns about its own tokens only, unless it was registered as a
/// resource server (`NewClient::introspect(true)`): any other token is
/// `{"active": false}`, exactly as an invalid one.
#[tokio::test]
async fn clients_introspect_only_their_own_tokens_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let (a, b, api) = (
        issuer
            .issuer
            .register_client(NewClient::new("app-a").scopes(["x"]))
            .await
            .unwrap(),
        issuer
            .issuer
            .register_client(NewClient::new("app-b"))
            .await
            .unwrap(),
        issuer
            .issuer
            .register_client(NewClient::new("orders-api").introspect(true))
            .await
            .unwrap(),
    );
    let access = issuer
        .post(
            "/token",
            "grant_type=client_credentials",
            Auth::Basic("app-a", &a.client_secret),
        )
        .await
        .str("access_token");
    let refresh = issuer
        .issuer
        .issue_for_user(UserGrant::new("erin", "app-a").scopes(["x"]))
        .await
        .unwrap()
        .refresh_token
        .unwrap();
    let ask = |id: &'static str, secret: String, token: String| {
        let issuer = &issuer;
        async move {
            let reply = issuer
                .post(
                    "/introspect",
                    &format!("token={token}"),
                    Auth::Basic(id, &secret),
                )
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            reply.json()
        }
    };
    for token in [&access, &refresh] {
        // Its own client sees it.
        let own = ask("app-a", a.client_secret.clone(), token.clone()).await;
        assert_eq!(
            (&own["active"], &own["client_id"]),
            (&json!(true), &json!("app-a"))
        );
        // Another client sees nothing: no sub, no scope, no client_id.
        let other = ask("app-b", b.client_secret.clone(), token.clone()).await;
        assert_eq!(other, json!({"active": false}));
        // A resource server registered for it sees everything.
        let server = ask("orders-api", api.client_secret.clone(), token.clone()).await;
        assert_eq!(server["active"], true);
        assert_eq!(server["client_id"], "app-a");
    }
    // The permission is stored with the client and survives a restart.
    drop(issuer);
    let issuer = start(dir.path()).await;
    let access = issuer
        .post(
            "/token",
            "grant_type=client_credentials",
            Auth::Basic("app-a", &a.client_secret),
        )
        .await
        .str("access_token");
    let again = issuer
        .post(
            "/introspect",
            &format!("token={access}"),
            Auth::Basic("orders-api", &api.client_secret),
        )
        .await;
    assert_eq!(again.json()["active"], true, "{}", again.text);
}

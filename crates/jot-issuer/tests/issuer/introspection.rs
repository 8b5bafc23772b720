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

    // Another client may not revoke it.
    let other = issuer
        .issuer
        .register_client(NewClient::new("other"))
        .await
        .unwrap();
    issuer
        .post(
            "/revoke",
            &format!("token={refresh}"),
            Auth::Basic("other", &other.client_secret),
        )
        .await
        .assert_error(400, "unauthorized_client");
    issuer
        .post(
            "/revoke",
            &format!("token={}", tokens.access_token),
            Auth::Basic("other", &other.client_secret),
        )
        .await
        .assert_error(400, "unauthorized_client");
    assert_eq!(issuer.introspect(&refresh).await["active"], true);

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

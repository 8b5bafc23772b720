//! Tokens for users an application authenticated itself; refresh-token rotation
//! and reuse detection.

use jot_issuer::{IssuerError, NewClient, OAuthErrorCode, UserGrant};
use serde_json::json;

use crate::support::{AUDIENCE, Auth, peek, start};

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_family() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let resource = issuer.resource_server();

    let first = issuer
        .issuer
        .issue_for_user(
            UserGrant::new("alice", "web")
                .scopes(["profile", "orders:read"])
                .claim("name", "Alice")
                .claim("roles", json!(["admin"])),
        )
        .await
        .unwrap();
    let (header, claims) = peek(&first.access_token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(
        (
            &claims["sub"],
            &claims["client_id"],
            &claims["aud"],
            &claims["scope"]
        ),
        (
            &json!("alice"),
            &json!("web"),
            &json!(AUDIENCE),
            &json!("profile orders:read")
        )
    );
    assert_eq!(
        (&claims["name"], &claims["roles"]),
        (&json!("Alice"), &json!(["admin"]))
    );
    assert_eq!(resource.call(&first.access_token).await.0, 200);
    let r1 = first.refresh_token.clone().unwrap();

    // Rotation: each refresh returns a new refresh token; the claims carry over.
    let second = issuer.refresh(&r1).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.header("cache-control"), Some("no-store"));
    let r2 = second.str("refresh_token");
    assert_ne!(r1, r2);
    let (_, claims) = peek(&second.str("access_token"));
    assert_eq!(
        (&claims["sub"], &claims["name"]),
        (&json!("alice"), &json!("Alice"))
    );
    assert_eq!(resource.call(&second.str("access_token")).await.0, 200);

    // A narrower scope for the access token only (RFC 6749 §6).
    let third = issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={r2}&scope=profile"),
            Auth::None,
        )
        .await;
    assert_eq!(third.status, 200, "{}", third.text);
    assert_eq!(third.str("scope"), "profile");
    let r3 = third.str("refresh_token");
    let fourth = issuer.refresh(&r3).await;
    assert_eq!(fourth.str("scope"), "profile orders:read");
    let r4 = fourth.str("refresh_token");

    // Reuse of r2 (already exchanged): invalid_grant, and the whole family is revoked,
    // so the legitimate latest token r4 stops working too.
    issuer.refresh(&r2).await.assert_error(400, "invalid_grant");
    issuer.refresh(&r4).await.assert_error(400, "invalid_grant");
    assert_eq!(issuer.introspect(&r4).await, json!({"active": false}));

    // Another family of the same user is untouched.
    let other = issuer
        .issuer
        .issue_for_user(UserGrant::new("alice", "web"))
        .await
        .unwrap();
    let reply = issuer
        .refresh(other.refresh_token.as_deref().unwrap())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn concurrent_use_of_one_refresh_token_lets_exactly_one_through() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let tokens = issuer
        .issuer
        .issue_for_user(UserGrant::new("bob", "web"))
        .await
        .unwrap();
    let r = tokens.refresh_token.unwrap();
    let replies = futures_join(&issuer, &r, 8).await;
    let ok = replies.iter().filter(|s| **s == 200).count();
    assert_eq!(ok, 1, "{replies:?}");
}

async fn futures_join(issuer: &crate::support::Running, token: &str, n: usize) -> Vec<u16> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let http = issuer.http.clone();
        let url = format!("{}/token", issuer.url);
        let body = format!("grant_type=refresh_token&refresh_token={token}");
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

#[tokio::test]
async fn refresh_tokens_of_registered_clients_need_their_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let app = issuer
        .issuer
        .register_client(NewClient::new("portal").scopes(["profile"]))
        .await
        .unwrap();
    let tokens = issuer
        .issuer
        .issue_for_user(UserGrant::new("carol", "portal").scopes(["profile"]))
        .await
        .unwrap();
    let r = tokens.refresh_token.unwrap();

    issuer.refresh(&r).await.assert_error(401, "invalid_client");
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={r}&client_id=portal"),
            Auth::None,
        )
        .await
        .assert_error(401, "invalid_client");
    let reply = issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={r}"),
            Auth::Basic("portal", &app.client_secret),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    // The in-process API (the app holds the token itself) needs no client secret.
    let again = issuer
        .issuer
        .refresh(&reply.str("refresh_token"))
        .await
        .unwrap();
    assert!(again.refresh_token.is_some());
    let reused = issuer.issuer.refresh(&reply.str("refresh_token")).await;
    assert!(
        matches!(&reused, Err(IssuerError::OAuth(e)) if e.code() == OAuthErrorCode::InvalidGrant),
        "{reused:?}"
    );
}

#[tokio::test]
async fn expired_refresh_tokens_are_refused_and_custom_claims_cannot_shadow() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let tokens = issuer
        .issuer
        .issue_for_user(UserGrant::new("dave", "web"))
        .await
        .unwrap();
    issuer.clock.advance(31 * 24 * 3600);
    issuer
        .refresh(tokens.refresh_token.as_deref().unwrap())
        .await
        .assert_error(400, "invalid_grant");

    for name in ["sub", "client_id", "scope", "exp"] {
        let refused = issuer
            .issuer
            .issue_for_user(UserGrant::new("dave", "web").claim(name, "x"))
            .await;
        assert!(
            matches!(refused, Err(IssuerError::ReservedClaim { .. })),
            "{name}"
        );
    }
    let no_refresh = issuer
        .issuer
        .issue_for_user(UserGrant::new("dave", "web").without_refresh_token())
        .await
        .unwrap();
    assert!(no_refresh.refresh_token.is_none());
}

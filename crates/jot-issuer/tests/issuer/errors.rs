//! Refused requests: the RFC 6749 §5.2 error each gets, and nothing stored.

use jot_issuer::UserGrant;

use crate::support::{Auth, CLIENT, SECRET, files, start};

#[tokio::test]
async fn bad_client_credentials_are_invalid_client_with_a_challenge() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let before = files(dir.path());

    let cases = [
        (
            "wrong secret (Basic)",
            "grant_type=client_credentials".to_owned(),
            Auth::Basic(CLIENT, "wrong"),
        ),
        (
            "unknown client (Basic)",
            "grant_type=client_credentials".to_owned(),
            Auth::Basic("nobody", SECRET),
        ),
        (
            "wrong secret (post)",
            format!("grant_type=client_credentials&client_id={CLIENT}&client_secret=wrong"),
            Auth::None,
        ),
        (
            "no credentials",
            "grant_type=client_credentials".to_owned(),
            Auth::None,
        ),
        (
            "client_id without secret",
            format!("grant_type=client_credentials&client_id={CLIENT}"),
            Auth::None,
        ),
    ];
    for (what, body, auth) in cases {
        let reply = issuer.post("/token", &body, auth).await;
        reply.assert_error(401, "invalid_client");
        let challenge = reply
            .header("www-authenticate")
            .unwrap_or_else(|| panic!("{what}"));
        assert!(challenge.starts_with("Basic realm="), "{what}: {challenge}");
    }
    for path in ["/introspect", "/revoke"] {
        issuer
            .post(path, "token=abc", Auth::Basic(CLIENT, "wrong"))
            .await
            .assert_error(401, "invalid_client");
        issuer
            .post(path, "token=abc", Auth::None)
            .await
            .assert_error(401, "invalid_client");
    }
    // A bearer token is no client authentication.
    let reply = issuer
        .http
        .post(format!("{}/token", issuer.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .bearer_auth("abc")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
    assert_eq!(files(dir.path()), before, "nothing stored");
}

#[tokio::test]
async fn bad_grants_scopes_and_bodies_get_the_right_error() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    // One real refresh token family, so that "nothing stored" covers the refresh paths.
    let user = issuer
        .issuer
        .issue_for_user(UserGrant::new("alice", "web").scopes(["profile"]))
        .await
        .unwrap();
    let refresh = user.refresh_token.unwrap();
    let before = files(dir.path());
    let basic = || Auth::Basic(CLIENT, SECRET);

    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "missing grant_type",
            "scope=invoices:read".into(),
            400,
            "invalid_request",
        ),
        (
            "password grant",
            "grant_type=password&username=a&password=b".into(),
            400,
            "unsupported_grant_type",
        ),
        (
            "authorization_code grant",
            "grant_type=authorization_code&code=x".into(),
            400,
            "unsupported_grant_type",
        ),
        (
            "unknown scope",
            "grant_type=client_credentials&scope=admin".into(),
            400,
            "invalid_scope",
        ),
        (
            "one bad scope of two",
            "grant_type=client_credentials&scope=invoices:read%20admin".into(),
            400,
            "invalid_scope",
        ),
        (
            "malformed scope",
            "grant_type=client_credentials&scope=a%22b".into(),
            400,
            "invalid_scope",
        ),
        (
            "repeated parameter",
            "grant_type=client_credentials&grant_type=client_credentials".into(),
            400,
            "invalid_request",
        ),
        (
            "refresh without token",
            "grant_type=refresh_token".into(),
            400,
            "invalid_request",
        ),
        (
            "unknown refresh token",
            "grant_type=refresh_token&refresh_token=nope".into(),
            400,
            "invalid_grant",
        ),
        (
            "Basic and post at once",
            format!("grant_type=client_credentials&client_id={CLIENT}&client_secret={SECRET}"),
            400,
            "invalid_request",
        ),
    ];
    for (what, body, status, code) in cases {
        let reply = issuer.post("/token", &body, basic()).await;
        assert_eq!(reply.status.as_u16(), status, "{what}: {}", reply.text);
        reply.assert_error(status, code);
    }

    // The user's refresh token, presented by a registered client it was not issued to.
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
            basic(),
        )
        .await
        .assert_error(400, "invalid_grant");
    // Or asking for a scope it never had.
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}&scope=admin"),
            Auth::None,
        )
        .await
        .assert_error(400, "invalid_scope");
    // Or naming another (public) client.
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}&client_id=mobile"),
            Auth::None,
        )
        .await
        .assert_error(400, "invalid_grant");

    // Malformed bodies.
    let raw: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "JSON body",
            br#"{"grant_type":"client_credentials"}"#.to_vec(),
            "application/json",
        ),
        (
            "no content type",
            b"grant_type=client_credentials".to_vec(),
            "",
        ),
        (
            "not UTF-8",
            b"grant_type=client_credentials&scope=\xff".to_vec(),
            "application/x-www-form-urlencoded",
        ),
        (
            "percent-encoded non-UTF-8",
            b"grant_type=client_credentials&scope=%ff".to_vec(),
            "application/x-www-form-urlencoded",
        ),
        (
            "oversized",
            format!(
                "grant_type=client_credentials&pad={}",
                "x".repeat(64 * 1024)
            )
            .into_bytes(),
            "application/x-www-form-urlencoded",
        ),
    ];
    for (what, body, content_type) in raw {
        let reply = issuer.post_raw("/token", body, content_type, basic()).await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.text);
        reply.assert_error(400, "invalid_request");
    }
    let reply = issuer
        .http
        .post(format!("{}/token", issuer.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", "Basic %%%")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400, "malformed Basic header");

    // Introspection and revocation: a missing token is invalid_request.
    for path in ["/introspect", "/revoke"] {
        issuer
            .post(path, "token_type_hint=access_token", basic())
            .await
            .assert_error(400, "invalid_request");
    }

    assert_eq!(
        files(dir.path()),
        before,
        "nothing stored by a refused request"
    );
    // And the refresh token survived all of that.
    let reply = issuer.refresh(&refresh).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn the_wrong_method_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    assert_eq!(issuer.get("/token").await.status, 405);
}

//! Client-credentials tokens, their RFC 9068 shape, and their verification by the
//! jot-axum layer through the issuer's JWKS URL; the discovery documents.

use serde_json::json;

use crate::support::{AUDIENCE, Auth, CLIENT, SECRET, peek, start};

#[tokio::test]
async fn client_credentials_with_basic_and_post_verify_through_the_jwks_url() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let resource = issuer.resource_server();

    let basic = issuer
        .post(
            "/token",
            "grant_type=client_credentials&scope=invoices:read",
            Auth::Basic(CLIENT, SECRET),
        )
        .await;
    assert_eq!(basic.status, 200, "{}", basic.text);
    assert_eq!(basic.header("cache-control"), Some("no-store"));
    assert_eq!(basic.header("pragma"), Some("no-cache"));
    let body = basic.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["scope"], "invoices:read");
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh token for client_credentials"
    );

    let post = issuer
        .post(
            "/token",
            &format!("grant_type=client_credentials&client_id={CLIENT}&client_secret={SECRET}"),
            Auth::None,
        )
        .await;
    assert_eq!(post.status, 200, "{}", post.text);
    assert_eq!(post.json()["scope"], "invoices:read invoices:write");

    for token in [basic.str("access_token"), post.str("access_token")] {
        let (status, body) = resource.call(&token).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["sub"], CLIENT);
        assert_eq!(body["client_id"], CLIENT);
        assert_eq!(body["kid"], issuer.issuer.current_kid());

        // RFC 9068 §2.1-2.2.
        let (header, claims) = peek(&token);
        assert_eq!(header["typ"], "at+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(claims["iss"], issuer.url);
        assert_eq!(claims["aud"], AUDIENCE);
        assert_eq!(claims["sub"], CLIENT);
        assert_eq!(claims["client_id"], CLIENT);
        let (iat, exp) = (
            claims["iat"].as_u64().unwrap(),
            claims["exp"].as_u64().unwrap(),
        );
        assert_eq!(exp - iat, 900);
        assert!(claims["jti"].as_str().unwrap().len() >= 16);
    }
    assert_ne!(
        peek(&basic.str("access_token")).1["jti"],
        peek(&post.str("access_token")).1["jti"]
    );
    assert_eq!(resource.jwks.stats().fetches, 1);

    // A token from another issuer's key is refused by the same layer.
    let other_dir = tempfile::tempdir().unwrap();
    let other = start(other_dir.path()).await;
    let (status, _) = resource.call(&other.client_token().await).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn jwks_and_discovery_documents() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;

    let jwks = issuer.get("/.well-known/jwks.json").await;
    assert_eq!(jwks.status, 200);
    assert_eq!(jwks.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(
        jwks.header("content-type"),
        Some("application/jwk-set+json")
    );
    let keys = jwks.json()["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(
        (&key["kty"], &key["crv"], &key["alg"], &key["use"]),
        (
            &json!("EC"),
            &json!("P-256"),
            &json!("ES256"),
            &json!("sig")
        )
    );
    assert_eq!(key["kid"], issuer.issuer.current_kid());
    assert!(key.get("d").is_none(), "public keys only");

    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let doc = issuer.get(path).await;
        assert_eq!(doc.status, 200);
        assert_eq!(doc.header("cache-control"), Some("public, max-age=3600"));
        let doc = doc.json();
        assert_eq!(doc["issuer"], issuer.url);
        assert_eq!(
            doc["jwks_uri"],
            format!("{}/.well-known/jwks.json", issuer.url)
        );
        assert_eq!(doc["token_endpoint"], format!("{}/token", issuer.url));
        assert_eq!(
            doc["introspection_endpoint"],
            format!("{}/introspect", issuer.url)
        );
        assert_eq!(doc["revocation_endpoint"], format!("{}/revoke", issuer.url));
        assert_eq!(
            doc["token_endpoint_auth_methods_supported"],
            json!(["client_secret_basic", "client_secret_post"])
        );
        assert_eq!(
            doc["grant_types_supported"],
            json!([
                "client_credentials",
                "refresh_token",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ])
        );
    }

    // The jot-axum discovery client finds the keys through the documents.
    let jwks = jot_axum::RemoteJwks::discover(issuer.url.clone())
        .build()
        .unwrap();
    jwks.refresh_now().await.unwrap();
    assert_eq!(jwks.stats().key_ids, [issuer.issuer.current_kid()]);
}

#[tokio::test]
async fn clients_get_their_own_audience_and_only_their_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let creds = issuer
        .issuer
        .register_client(
            jot_issuer::NewClient::new("reports")
                .scopes(["reports:read"])
                .audience(["https://reports.test", "https://archive.test"]),
        )
        .await
        .unwrap();
    assert_eq!(creds.client_secret.len(), 43, "256 random bits, base64url");
    let reply = issuer
        .post(
            "/token",
            "grant_type=client_credentials",
            Auth::Basic("reports", &creds.client_secret),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (_, claims) = peek(&reply.str("access_token"));
    assert_eq!(
        claims["aud"],
        json!(["https://reports.test", "https://archive.test"])
    );
    assert_eq!(claims["scope"], "reports:read");

    // Its tokens are not for the default audience.
    let (status, _) = issuer
        .resource_server()
        .call(&reply.str("access_token"))
        .await;
    assert_eq!(status, 401);
}

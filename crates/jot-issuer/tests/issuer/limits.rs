//! What a client controls and the issuer bounds: the length of a client id (no
//! 500 whatever its length, on every endpoint), secrets compared exactly (a NUL
//! byte appended is another secret), a scope of spaces only.

use jot_issuer::store::ClientRecord;
use jot_issuer::{IssuerError, Login, MAX_CLIENT_ID_LEN, NewClient, UserGrant, store::FileStore};

use crate::browser::{Browser, WEB_CALLBACK, authorize_path, pkce, start_login_on};
use crate::support::{Auth, CLIENT, SECRET, digest, files, start};

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// From 187 bytes up, a client id used to name a file too long for the file
/// system: every request naming one was a `500`. Now records are named by
/// digest, ids are limited to `MAX_CLIENT_ID_LEN` everywhere, and an unknown
/// client is a `401 invalid_client` whatever its id.
#[tokio::test]
async fn client_ids_of_any_length_never_fail_the_server() {
    let dir = tempfile::tempdir().unwrap();
    // Client addresses come from a header these requests do not send: the many
    // failures below are throttled per client id only (see `throttling`).
    let issuer = start_login_on(FileStore::open(dir.path()).unwrap(), |b| {
        b.login(Login::new()).client_ip_header("x-test-client-ip")
    })
    .await;

    // The longest id allowed is stored (by digest) and authenticates.
    let longest = "c".repeat(MAX_CLIENT_ID_LEN);
    issuer
        .issuer
        .ensure_client(NewClient::new(&longest).secret("longest-secret-0123456789"))
        .await
        .unwrap();
    assert!(files(dir.path()).contains(&format!("clients/{}.json", digest(&longest))));
    let reply = issuer
        .post(
            "/token",
            "grant_type=client_credentials",
            Auth::Basic(&longest, "longest-secret-0123456789"),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let refresh = issuer
        .issuer
        .issue_for_user(UserGrant::new("erin", &longest))
        .await
        .unwrap()
        .refresh_token
        .unwrap();
    issuer
        .refresh(&refresh)
        .await
        .assert_error(401, "invalid_client");

    // One byte more is a typed error at registration.
    let too_long = "c".repeat(MAX_CLIENT_ID_LEN + 1);
    for result in [
        issuer
            .issuer
            .register_client(NewClient::new(&too_long))
            .await
            .map(|_| ()),
        issuer
            .issuer
            .ensure_client(NewClient::new(&too_long))
            .await
            .map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(IssuerError::InvalidClient { ref client_id, .. }) if *client_id == too_long),
            "{result:?}"
        );
    }
    assert!(
        issuer
            .issuer
            .issue_for_user(UserGrant::new("erin", &too_long))
            .await
            .is_err()
    );

    // Unknown ids of every length: 401 invalid_client on every endpoint.
    for len in [187, 200, 255, 256, 257, 1_000, 10_000] {
        let id = "u".repeat(len);
        let post = |extra: &[(&str, &str)]| {
            let mut pairs = vec![("client_id", id.as_str()), ("client_secret", "s")];
            pairs.extend_from_slice(extra);
            form(&pairs)
        };
        for (path, body) in [
            ("/token", post(&[("grant_type", "client_credentials")])),
            (
                "/token",
                post(&[("grant_type", "refresh_token"), ("refresh_token", "r")]),
            ),
            (
                "/token",
                post(&[
                    ("grant_type", "authorization_code"),
                    ("code", "c"),
                    ("redirect_uri", WEB_CALLBACK),
                    ("code_verifier", &"v".repeat(43)),
                ]),
            ),
            ("/introspect", post(&[("token", "t")])),
            ("/revoke", post(&[("token", "t")])),
        ] {
            issuer
                .post(path, &body, Auth::None)
                .await
                .assert_error(401, "invalid_client");
        }
        if len < 4_000 {
            issuer
                .post(
                    "/token",
                    "grant_type=client_credentials",
                    Auth::Basic(&id, "s"),
                )
                .await
                .assert_error(401, "invalid_client");
        }
        // A public client naming itself (no secret), at the token endpoint.
        let reply = issuer
            .post(
                "/token",
                &form(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", &id),
                    ("code", "c"),
                    ("redirect_uri", WEB_CALLBACK),
                    ("code_verifier", &"v".repeat(43)),
                ]),
                Auth::None,
            )
            .await;
        reply.assert_error(401, "invalid_client");
        let reply = issuer
            .post(
                "/token",
                &form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", &id),
                    ("refresh_token", "r"),
                ]),
                Auth::None,
            )
            .await;
        assert_eq!(reply.status.as_u16() / 100, 4, "{len}: {}", reply.text);

        // The login's pages: the client is unknown, the page says so.
        let (_, challenge) = pkce();
        let page = issuer
            .get(&authorize_path(&id, WEB_CALLBACK, &challenge, &[]))
            .await;
        assert_eq!(page.status, 400, "{len}: {}", page.text);
        assert!(page.text.contains("not registered"), "{}", page.text);
        let logout = issuer
            .get(&format!(
                "/logout?{}",
                form(&[
                    ("client_id", &id),
                    ("post_logout_redirect_uri", "https://app.example/")
                ])
            ))
            .await;
        assert_eq!(logout.status, 400, "{len}: {}", logout.text);
    }

    // A username of any length is a failed login, not an error.
    let browser = Browser::new(&issuer);
    let page = browser.login_page().await;
    let failed = browser
        .submit_login(&page, &"n".repeat(10_000), "some password")
        .await;
    assert_eq!(failed.status, 200, "{}", failed.text);
    assert!(failed.text.contains("Wrong username or password"));
}

/// PBKDF2 takes the secret as an HMAC key, which HMAC pads with zero bytes: a
/// NUL byte appended used to be the same secret. Secrets are now argon2id PHC
/// strings; PBKDF2 hashes of the first format refuse any secret with a NUL byte,
/// and every PBKDF2 hash is replaced by an argon2id one once its secret verifies
/// (or when `ensure_client` registers the client again).
#[tokio::test]
async fn a_secret_with_nul_bytes_appended_is_another_secret() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    issuer
        .issuer
        .ensure_client(NewClient::new("svc").secret("svc-secret-123"))
        .await
        .unwrap();
    let stored = issuer
        .issuer
        .store()
        .get_client("svc")
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.secret_hash.starts_with("$argon2id$v=19$"),
        "{}",
        stored.secret_hash
    );

    let token = |secret: &'static str| {
        let issuer = &issuer;
        async move {
            issuer
                .post(
                    "/token",
                    &form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", "svc"),
                        ("client_secret", secret),
                    ]),
                    Auth::None,
                )
                .await
        }
    };
    for wrong in [
        "svc-secret-123\0",
        "svc-secret-123\0\0\0",
        "\0svc-secret-123",
    ] {
        token(wrong).await.assert_error(401, "invalid_client");
    }
    assert_eq!(token("svc-secret-123").await.status, 200);
    // Remembered now: the NUL-appended secret is still a different one.
    token("svc-secret-123\0")
        .await
        .assert_error(401, "invalid_client");
    let basic = issuer
        .post(
            "/token",
            "grant_type=client_credentials",
            Auth::Basic("svc", "svc-secret-123\0"),
        )
        .await;
    basic.assert_error(401, "invalid_client");

    // A hash of the first format (the secret itself as the PBKDF2 password).
    let salt = [3u8; 16];
    let mut hash = [0u8; 32];
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        std::num::NonZeroU32::new(1_000).unwrap(),
        &salt,
        b"svc-secret-123",
        &mut hash,
    );
    let first_format = format!(
        "pbkdf2-sha256$i=1000${}${}",
        jot_codec::base64url::encode(&salt),
        jot_codec::base64url::encode(&hash)
    );
    let record = ClientRecord {
        client_id: "old-svc".into(),
        secret_hash: first_format.clone(),
        ..stored
    };
    issuer
        .issuer
        .store()
        .put_client(record.clone())
        .await
        .unwrap();
    let old = |secret: &'static str| {
        let issuer = &issuer;
        async move {
            issuer
                .post(
                    "/token",
                    "grant_type=client_credentials",
                    Auth::Basic("old-svc", secret),
                )
                .await
        }
    };
    old("svc-secret-123\0")
        .await
        .assert_error(401, "invalid_client");
    let get = |id: &'static str| {
        let issuer = &issuer;
        async move { issuer.issuer.store().get_client(id).await.unwrap().unwrap() }
    };
    // A wrong secret leaves the old hash alone.
    assert_eq!(get("old-svc").await.secret_hash, first_format);
    assert_eq!(old("svc-secret-123").await.status, 200);
    // The secret verified: its hash is now argon2id, the rest of the record kept.
    let upgraded = get("old-svc").await;
    assert!(
        upgraded.secret_hash.starts_with("$argon2id$"),
        "{}",
        upgraded.secret_hash
    );
    assert_eq!(
        ClientRecord {
            secret_hash: first_format.clone(),
            ..upgraded.clone()
        },
        record
    );
    assert_eq!(old("svc-secret-123").await.status, 200);
    old("svc-secret-123\0")
        .await
        .assert_error(401, "invalid_client");
    // Registering it again from configuration changes nothing now.
    assert!(
        !issuer
            .issuer
            .ensure_client(NewClient::new("old-svc").secret("svc-secret-123"))
            .await
            .unwrap()
    );
    assert_eq!(get("old-svc").await, upgraded);

    // A PBKDF2 hash never used since is replaced when configuration registers the
    // client again.
    let unused = ClientRecord {
        client_id: "unused-svc".into(),
        ..record
    };
    issuer.issuer.store().put_client(unused).await.unwrap();
    assert!(
        issuer
            .issuer
            .ensure_client(NewClient::new("unused-svc").secret("svc-secret-123"))
            .await
            .unwrap()
    );
    assert!(
        get("unused-svc")
            .await
            .secret_hash
            .starts_with("$argon2id$")
    );
}

/// RFC 6749 §3.3: a scope is one or more scope tokens; spaces alone are none.
#[tokio::test]
async fn a_scope_of_spaces_only_is_invalid_scope() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    for scope in ["%20", "%20%20%20", "+"] {
        issuer
            .post(
                "/token",
                &format!("grant_type=client_credentials&scope={scope}"),
                Auth::Basic(CLIENT, SECRET),
            )
            .await
            .assert_error(400, "invalid_scope");
    }
    let refresh = issuer
        .issuer
        .issue_for_user(UserGrant::new("erin", "web").scopes(["invoices:read"]))
        .await
        .unwrap()
        .refresh_token
        .unwrap();
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}&scope=%20"),
            Auth::None,
        )
        .await
        .assert_error(400, "invalid_scope");
    // The refresh token was not spent by the refused request.
    assert_eq!(issuer.refresh(&refresh).await.status, 200);
}

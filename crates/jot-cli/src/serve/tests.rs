//! The `jot serve` entry points: first start, restart on the same data directory,
//! rotation of a data directory, the config, graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use jot_algorithms::Algorithm;
use jot_issuer::{KeyRotation, UserGrant};
use serde_json::{Value, json};

use super::ServeConfig;
use super::server::{Server, rotate_key, serve};
use super::store::StoreLocation;

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// The header and claims of a token, unverified.
fn peek(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut part = || {
        let bytes = jot_codec::base64url::decode(parts.next().unwrap()).unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    (part(), part())
}

/// Every file under `dir`, recursively, as relative paths.
fn files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out
}

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// An HTTP client for a bound server.
async fn token(addr: SocketAddr, id: &str, secret: &str) -> reqwest::Response {
    http()
        .post(format!("http://{addr}/token"))
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn first_start_creates_a_key_and_a_development_client_and_prints_how_to_use_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("jot-data");
    let server = Server::bind(ServeConfig::new().addr(local()).data_dir(&data))
        .await
        .unwrap();
    let addr = server.local_addr();
    let url = format!("http://{addr}");
    assert_eq!(server.issuer().url(), url);
    let dev = server.development_client().unwrap().clone();
    assert_eq!(dev.client_id, "dev");

    let banner = server.banner();
    assert!(banner.contains(&format!("client_secret: {}", dev.client_secret)));
    // No user either: `dev` with a random password, shown with the URL to open.
    let user = server.development_user().unwrap().clone();
    assert_eq!(user.username, "dev");
    assert!(
        banner.contains(&format!("password: {}", user.password)),
        "{banner}"
    );
    assert!(
        banner.contains(&format!("Home page and sign-in: {url}/")),
        "{banner}"
    );
    assert!(!format!("{user:?}").contains(&user.password));
    let curl = format!(
        "curl -s -u dev:{} -d grant_type=client_credentials {url}/token",
        dev.client_secret
    );
    assert!(banner.contains(&curl), "{banner}");
    assert!(
        banner.contains(&format!(
            "| jot verify --jwks {url}/.well-known/jwks.json --iss {url} --aud {url} --typ at+jwt"
        )),
        "{banner}"
    );

    assert!(
        server
            .banner_with("cargo run -q -p jot-cli --")
            .contains("| cargo run -q -p jot-cli -- verify --jwks "),
    );
    println!("{banner}");

    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        rx.await.ok();
    }));
    // What the printed curl does.
    let reply = token(addr, "dev", &dev.client_secret).await;
    assert_eq!(reply.status(), 200);
    let body: serde_json::Value = reply.json_value().await;
    assert_eq!(body["token_type"], "Bearer");
    tx.send(()).unwrap();
    running.await.unwrap().unwrap();

    // Private key mode 0600, data directory 0700; only the secret's hash on disk.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        let pem = files(&data)
            .into_iter()
            .find(|f| f.ends_with(".key.pem"))
            .unwrap();
        assert_eq!(mode(&data.join(pem)), 0o600);
    }
    // Records are named by a digest of their id: find the development client's.
    let client_file = files(&data)
        .into_iter()
        .filter(|f| f.starts_with("clients/"))
        .map(|f| std::fs::read_to_string(data.join(f)).unwrap())
        .find(|text| text.contains("\"dev\""))
        .expect("the development client's record");
    assert!(!client_file.contains(&dev.client_secret));
    assert!(client_file.contains("$argon2id$"), "{client_file}");
    assert!(!files(&data).iter().any(|f| f.contains(".tmp-")));

    // Second start: no new client or user, no secret in the banner.
    let again = Server::bind(ServeConfig::new().addr(local()).data_dir(&data))
        .await
        .unwrap();
    assert!(again.development_client().is_none() && again.development_user().is_none());
    let banner = again.banner();
    assert!(banner.contains(&format!("jot issuer {}", again.issuer().url())));
    assert!(
        !banner.contains("client_secret") && !banner.contains("password:"),
        "{banner}"
    );
}

#[tokio::test]
async fn a_restart_keeps_keys_clients_refresh_tokens_and_revocations() {
    let dir = tempfile::tempdir().unwrap();
    let config = || {
        ServeConfig::new()
            .addr(local())
            .data_dir(dir.path())
            .issuer_url("http://issuer.test")
            .client("svc:svc-secret:read,write".parse().unwrap())
    };
    let first = Server::bind(config()).await.unwrap();
    assert!(
        first.development_client().is_none(),
        "a client was configured"
    );
    let issuer = first.issuer().clone();
    let kid = issuer.current_kid();
    let addr = first.local_addr();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(first.run(async {
        rx.await.ok();
    }));
    let reply = token(addr, "svc", "svc-secret").await;
    assert_eq!(reply.status(), 200);
    let revoked: String = reply.json_value().await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let kept = token(addr, "svc", "svc-secret").await.json_value().await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    issuer.revoke(&revoked).await.unwrap();
    let user = issuer
        .issue_for_user(UserGrant::new("frank", "web"))
        .await
        .unwrap();
    let revoked_refresh = issuer
        .issue_for_user(UserGrant::new("frank", "web"))
        .await
        .unwrap()
        .refresh_token
        .unwrap();
    issuer.revoke(&revoked_refresh).await.unwrap();
    tx.send(()).unwrap();
    running.await.unwrap().unwrap();
    drop(issuer);

    let second = Server::bind(config()).await.unwrap();
    let issuer = second.issuer().clone();
    assert_eq!(issuer.current_kid(), kid, "same signing key");
    assert_eq!(issuer.client_ids().await.unwrap(), ["jot-demo", "svc"]);
    let addr = second.local_addr();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(second.run(async {
        rx.await.ok();
    }));
    assert_eq!(
        token(addr, "svc", "svc-secret").await.status(),
        200,
        "same client"
    );
    let introspect = |token: String| async move {
        http()
            .post(format!("http://{addr}/introspect"))
            .basic_auth("svc", Some("svc-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={token}"))
            .send()
            .await
            .unwrap()
            .json_value()
            .await
    };
    assert_eq!(
        introspect(revoked).await,
        json!({"active": false}),
        "revocation kept"
    );
    assert_eq!(
        introspect(kept).await["active"],
        true,
        "old tokens still verify"
    );
    assert_eq!(introspect(revoked_refresh).await, json!({"active": false}));
    let refreshed = issuer
        .refresh(user.refresh_token.as_deref().unwrap())
        .await
        .unwrap();
    assert!(refreshed.refresh_token.is_some(), "refresh tokens kept");
    tx.send(()).unwrap();
    running.await.unwrap().unwrap();

    // Changing the configured secret re-registers the client.
    let third = Server::bind(
        ServeConfig::new()
            .addr(local())
            .data_dir(dir.path())
            .client("svc:new-secret".parse().unwrap()),
    )
    .await
    .unwrap();
    let addr = third.local_addr();
    let running = tokio::spawn(third.run(std::future::pending()));
    assert_eq!(token(addr, "svc", "svc-secret").await.status(), 401);
    assert_eq!(token(addr, "svc", "new-secret").await.status(), 200);
    running.abort();
}

#[tokio::test]
async fn rotate_key_on_a_data_directory_and_algorithm_changes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::bind(ServeConfig::new().addr(local()).data_dir(dir.path()))
        .await
        .unwrap();
    let issuer = server.issuer().clone();
    let old = issuer.current_kid();

    // `jot rotate-key` on the directory while the server runs: a next key, which
    // the server publishes on its next tick and promotes once it is due.
    let here = StoreLocation::Dir(dir.path().into());
    let rotated = rotate_key(&here, KeyRotation::new(), None).await.unwrap();
    assert!(rotated.next);
    assert_eq!(rotated.previous.as_deref(), Some(old.as_str()));
    assert_eq!(rotated.alg, Algorithm::ES256);
    issuer.maintain().await.unwrap();
    assert_eq!(issuer.current_kid(), old, "not due before 5 min 30 s");
    assert_eq!(issuer.next_kid(), Some(rotated.kid.clone()));
    assert_eq!(issuer.published_keys().len(), 2);

    // `jot rotate-key --now`: signed with from the next tick; the next key is dropped.
    let now = rotate_key(&here, KeyRotation::new().now(true), None)
        .await
        .unwrap();
    assert!(!now.next);
    issuer.maintain().await.unwrap();
    assert_eq!(issuer.current_kid(), now.kid);
    assert_eq!(issuer.next_kid(), None);
    assert_eq!(
        issuer.published_keys().len(),
        2,
        "the old key stays published"
    );
    drop(server);

    // A restart with another algorithm publishes a next key of it; the old key
    // goes on signing meanwhile.
    let server = Server::bind(
        ServeConfig::new()
            .addr(local())
            .data_dir(dir.path())
            .algorithm(Algorithm::EdDSA),
    )
    .await
    .unwrap();
    let keys = server.issuer().jwks();
    let algs: Vec<_> = keys.keys.iter().map(|k| k.alg.clone().unwrap()).collect();
    assert_eq!(algs, ["ES256", "EdDSA", "ES256"]);
    assert_eq!(server.issuer().signing_algorithm(), Algorithm::ES256);
    // A later start without --alg keeps the stored algorithm.
    drop(server);
    let server = Server::bind(ServeConfig::new().addr(local()).data_dir(dir.path()))
        .await
        .unwrap();
    assert_eq!(server.issuer().algorithm(), Algorithm::EdDSA);

    assert!(matches!(
        rotate_key(
            &StoreLocation::Dir(dir.path().into()),
            KeyRotation::new().algorithm(Algorithm::HS256),
            None
        )
        .await,
        Err(super::ServeError::Issuer(
            jot_issuer::IssuerError::UnsupportedAlgorithm { .. }
        ))
    ));
}

#[tokio::test]
async fn serve_reads_a_config_file_and_stops_on_the_shutdown_signal() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = dir.path().join("jot.toml");
    std::fs::write(
        &config,
        format!(
            "addr = \"127.0.0.1:{port}\"\ndata_dir = \"data\"\nalg = \"ES384\"\n\
             audience = [\"https://api.test\"]\naccess_token_lifetime = \"5m\"\n\
             [[client]]\nid = \"cfg\"\nsecret = \"cfg-secret\"\nscopes = [\"a\", \"b\"]\n"
        ),
    )
    .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(ServeConfig::new().config_file(&config), async {
        rx.await.ok();
    }));
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut reply = None;
    for _ in 0..100 {
        match http()
            .post(format!("http://{addr}/token"))
            .basic_auth("cfg", Some("cfg-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=a")
            .send()
            .await
        {
            Ok(r) => {
                reply = Some(r);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    let body = reply.expect("the server came up").json_value().await;
    assert_eq!(body["expires_in"], 300);
    let (header, claims) = peek(body["access_token"].as_str().unwrap());
    assert_eq!(header["alg"], "ES384");
    assert_eq!(claims["aud"], "https://api.test");
    assert_eq!(claims["scope"], "a");
    assert!(dir.path().join("data/jot-store.json").exists());

    tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("stopped after the shutdown signal")
        .unwrap()
        .unwrap();
}

trait JsonValue {
    async fn json_value(self) -> serde_json::Value;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> serde_json::Value {
        let text = self.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    }
}

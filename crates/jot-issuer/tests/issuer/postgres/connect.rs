//! Reaching the database: TLS by `sslmode` (against the cluster's own CA, whose
//! server certificate names `localhost` only), the Unix socket, the password's
//! sources, and a password never shown.

use jot_issuer::store::{IssuerStore, PostgresStore};
use jot_issuer::store::{PasswordSource, PostgresConfig, PostgresError, SslMode};
use jot_test_support::postgres::{self, Database};

use super::database;
use crate::store_contract::tokens::client;

/// `postgres://jot:PASSWORD@HOST:PORT/DB?QUERY`.
fn url(db: &Database, host: &str, query: &str) -> String {
    let cluster = postgres::shared();
    format!(
        "postgres://{}:{}@{host}:{}/{}?{query}",
        postgres::USER,
        cluster.password(),
        cluster.port(),
        db.name()
    )
}

/// How many connections of the store named `app` (`application_name`) use TLS,
/// and how many do not.
fn tls_connections(db: &Database, app: &str) -> (String, String) {
    let count = |ssl: bool| {
        db.psql(&format!(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.datname = '{}' AND a.application_name = '{app}' AND s.ssl = {ssl}",
            db.name()
        ))
    };
    (count(true), count(false))
}

/// The store works: a write and a read back.
async fn round_trip(store: &PostgresStore) {
    store.put_client(client("tls", &["read"])).await.unwrap();
    assert_eq!(
        store.get_client("tls").await.unwrap(),
        Some(client("tls", &["read"]))
    );
}

#[tokio::test]
async fn tls_follows_sslmode_and_checks_the_certificate() {
    let db = database();
    let ca = postgres::shared().ca_cert();
    let ca = ca.display();

    // verify-full: the CA and the name (`localhost`) must both match.
    let store = PostgresStore::connect(&url(
        &db,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}&application_name=full"),
    ))
    .await
    .unwrap();
    assert_eq!(store.config().ssl_mode(), SslMode::VerifyFull);
    round_trip(&store).await;
    assert_eq!(tls_connections(&db, "full"), ("1".into(), "0".into()));
    drop(store);

    // The certificate does not name 127.0.0.1.
    let refused = PostgresStore::connect(&url(
        &db,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(refused, PostgresError::Connect { .. }),
        "{refused:?}"
    );
    // Without the CA, the system's roots do not know it.
    let refused = PostgresStore::connect(&url(&db, "localhost", "sslmode=verify-full"))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, PostgresError::Connect { .. }),
        "{refused:?}"
    );

    // verify-ca: the CA only. require with sslrootcert checks the CA too.
    for (app, query) in [
        ("ca", format!("sslmode=verify-ca&sslrootcert={ca}")),
        ("require-ca", format!("sslmode=require&sslrootcert={ca}")),
        // require alone: encrypted, certificate unchecked (libpq's meaning).
        ("require", "sslmode=require".to_owned()),
    ] {
        let query = format!("{query}&application_name={app}");
        let store = PostgresStore::connect(&url(&db, "127.0.0.1", &query))
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        round_trip(&store).await;
        assert_eq!(
            tls_connections(&db, app),
            ("1".into(), "0".into()),
            "{query}"
        );
    }
    // A CA file that is no CA file.
    let refused = PostgresStore::connect(&url(
        &db,
        "localhost",
        "sslmode=verify-full&sslrootcert=/dev/null",
    ))
    .await
    .unwrap_err();
    assert!(
        matches!(refused, PostgresError::TlsRoots { .. }),
        "{refused:?}"
    );

    // Loopback without sslmode: plain.
    let store = PostgresStore::connect(&url(&db, "127.0.0.1", "application_name=plain"))
        .await
        .unwrap();
    assert_eq!(store.config().ssl_mode(), SslMode::Disable);
    round_trip(&store).await;
    assert_eq!(tls_connections(&db, "plain"), ("0".into(), "1".into()));
}

#[tokio::test]
async fn a_unix_socket_needs_no_password() {
    let db = database();
    let cluster = postgres::shared();
    let socket = cluster.socket_dir();
    let encoded = socket.display().to_string().replace('/', "%2F");
    // The port names the socket file (`.s.PGSQL.PORT`).
    let store = PostgresStore::connect(&format!(
        "postgres://{}@{encoded}:{}/{}",
        postgres::USER,
        cluster.port(),
        db.name()
    ))
    .await
    .unwrap();
    assert_eq!(store.config().password_source(), &PasswordSource::None);
    round_trip(&store).await;
    let store = PostgresStore::connect(&format!(
        "postgresql:///{}?host={}&port={}&user={}",
        db.name(),
        socket.display(),
        cluster.port(),
        postgres::USER
    ))
    .await
    .unwrap();
    round_trip(&store).await;
}

#[tokio::test]
async fn the_password_comes_from_a_file_or_the_environment_and_is_never_shown() {
    let db = database();
    let cluster = postgres::shared();
    let password = cluster.password();
    let bare = format!(
        "postgres://{}@127.0.0.1:{}/{}",
        postgres::USER,
        cluster.port(),
        db.name()
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("db-password");
    std::fs::write(&file, format!("{password}\n")).unwrap();
    let store = PostgresStore::connect(&format!("{bare}?password_file={}", file.display()))
        .await
        .unwrap();
    round_trip(&store).await;

    let config = PostgresConfig::from_url_with_env(&bare, |name| {
        (name == "PGPASSWORD").then(|| password.to_owned())
    })
    .unwrap();
    assert_eq!(config.password_source(), &PasswordSource::Environment);
    let store = PostgresStore::open(config).await.unwrap();
    round_trip(&store).await;

    // Shown, the store and its config hide the password.
    let store = PostgresStore::connect(db.url()).await.unwrap();
    for shown in [
        format!("{store:?}"),
        format!("{:?}", store.config()),
        store.config().to_string(),
    ] {
        assert!(!shown.contains(password), "{shown}");
        assert!(shown.contains(":***@127.0.0.1"), "{shown}");
    }

    // A wrong password: refused, and the error does not echo it.
    let wrong = format!(
        "postgres://{}:not-{password}@127.0.0.1:{}/{}",
        postgres::USER,
        cluster.port(),
        db.name()
    );
    let refused = PostgresStore::connect(&wrong).await.unwrap_err();
    assert!(
        matches!(refused, PostgresError::Connect { .. }),
        "{refused:?}"
    );
    let text = format!("{refused} {refused:?}");
    assert!(!text.contains(password), "{text}");
    assert!(text.contains("password"), "{text}");
}

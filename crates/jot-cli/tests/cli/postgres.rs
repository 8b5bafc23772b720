//! `jot serve` on PostgreSQL through the real binary, on the test run's throwaway
//! cluster (a database per test): `--store postgres://…` issues tokens, a user
//! added with `jot user add --store …` signs in over HTTP, `jot rotate-key
//! --store …` rotates, and a restart — by `JOT_DATABASE_URL`, then by the config
//! file's `store` — keeps everything. The database password is never printed.
//! The private keys are sealed with the KEK of `JOT_KEK`: without one, nothing
//! starts, and the error says how to make one.

use std::time::{Duration, Instant};

use jot_test_support::postgres;
use serde_json::Value;

use crate::harness::{json, split};
use crate::support::{Jot, http, sign_in};

const CLIENT: &str = "svc";
const SECRET: &str = "svc-secret-0123456789abcdef";

/// `jot args…` with a cleaned environment plus `env`: (code, stdout, stderr).
fn jot(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_jot"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("jot runs");
    split(out)
}

/// A `client_credentials` token from the running server.
async fn token(url: &str) -> String {
    let response = http()
        .post(format!("{url}/token"))
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("the token endpoint answers");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// `jot verify` against the server's JWK Set: the token's `kid`.
fn verify(url: &str, token: &str) -> String {
    let jwks = format!("{url}/.well-known/jwks.json");
    let (code, out, err) = jot(
        &[
            "verify", "--jwks", &jwks, "--iss", url, "--aud", url, "--typ", "at+jwt", "--json",
            token,
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    json(&out)["header"]["kid"]
        .as_str()
        .expect("kid")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jot_serve_on_postgres_issues_tokens_signs_users_in_and_keeps_everything() {
    let db = postgres::shared().database();
    let url = db.url();
    let password = postgres::shared().password();
    let client = format!("{CLIENT}:{SECRET}:read");
    let kek = new_kek();
    let quiet_but_info = [("RUST_LOG", "info"), ("JOT_KEK", &kek)];

    // First start: tables made, a development user created, the client configured.
    let server = Jot::start_with(&["--store", url, "--client", &client], &quiet_but_info);
    assert!(
        server.banner.contains("in postgres://jot:***@127.0.0.1:"),
        "{}",
        server.banner
    );
    assert_eq!(
        db.psql("SELECT max(version) FROM jot_schema"),
        jot_issuer::store::SCHEMA_VERSION.to_string(),
        "migrated on start"
    );
    let first_kid = verify(&server.url, &token(&server.url).await);

    // Users are added to the database while the server runs, and sign in.
    let pw = [("ALICE_PW", "correct horse battery")];
    let (code, out, err) = jot(
        &[
            "user",
            "add",
            "alice",
            "--password-env",
            "ALICE_PW",
            "--store",
            url,
        ],
        &pw,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("added user alice"), "{out}");
    let home = sign_in(&server.url, "alice", "correct horse battery")
        .await
        .unwrap_or_else(|page| panic!("alice cannot sign in:\n{page}"));
    assert!(home.contains("alice"), "{home}");
    assert!(
        sign_in(&server.url, "alice", "wrong password")
            .await
            .is_err()
    );

    // The key rotates in the database (at once: the timeline has its own tests);
    // the server follows on its next tick. Sealed under the KEK, like the first.
    let (code, _, err) = jot(&["rotate-key", "--store", url, "--now"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("jot keygen kek"), "{err}");
    let (code, out, err) = jot(
        &["rotate-key", "--store", url, "--now"],
        &[("JOT_KEK", &kek)],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&first_kid) && out.contains("stays published") && out.contains("signs now"),
        "{out}"
    );
    assert_eq!(
        db.psql(
            "SELECT count(*) FROM jot_keys WHERE private_pem IS NOT NULL \
             AND private_pem NOT LIKE '-----BEGIN JOT SEALED PRIVATE KEY-----%'"
        ),
        "0",
        "no private key in clear"
    );
    let mut lines = server.stop();

    // Restarted by JOT_DATABASE_URL alone: same users (no new development user),
    // same client, the rotated key signs.
    let by_env = [
        ("JOT_DATABASE_URL", url),
        ("RUST_LOG", "info"),
        ("JOT_KEK", &kek),
    ];
    let server = Jot::start_with(&["--client", &client], &by_env);
    let second_kid = verify(&server.url, &token(&server.url).await);
    assert_ne!(second_kid, first_kid);
    assert!(
        sign_in(&server.url, "alice", "correct horse battery")
            .await
            .is_ok()
    );
    let (code, out, err) = jot(&["user", "list", "--json"], &[("JOT_DATABASE_URL", url)]);
    assert_eq!(code, 0, "{err}");
    let names: Vec<String> = json(&out)
        .as_array()
        .expect("an array")
        .iter()
        .map(|u| u["username"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["alice", "dev"]);
    let rest = server.stop();
    assert!(
        !rest
            .iter()
            .any(|l| l.contains("development user was created")),
        "{rest:?}"
    );
    lines.extend(rest);

    // Restarted by the config file's `store`.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("jot.toml");
    std::fs::write(
        &config,
        format!(
            "store = \"{url}\"\n[[client]]\nid = \"{CLIENT}\"\nsecret = \"{SECRET}\"\nscopes = [\"read\"]\n"
        ),
    )
    .unwrap();
    let server = Jot::start_with(&["--config", config.to_str().unwrap()], &quiet_but_info);
    assert_eq!(verify(&server.url, &token(&server.url).await), second_kid);
    lines.push(server.banner.clone());
    lines.extend(server.stop());

    for line in &lines {
        assert!(!line.contains(password), "the password was printed: {line}");
        assert!(!line.contains(&kek), "the KEK was printed: {line}");
    }
}

/// A new KEK, from `jot keygen kek`.
pub(crate) fn new_kek() -> String {
    let (code, out, err) = jot(&["keygen", "kek"], &[]);
    assert_eq!(code, 0, "{err}");
    out.trim().to_owned()
}

#[test]
fn without_a_kek_jot_serve_on_postgres_refuses_to_start_and_says_how_to_make_one() {
    let db = postgres::shared().database();
    let started = Instant::now();
    let (code, out, err) = jot(
        &["serve", "--addr", "127.0.0.1:0", "--store", db.url()],
        &[],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("key-encryption key") && err.contains("jot keygen kek --out FILE"),
        "{err}"
    );
    assert!(
        err.contains("--kek-file") && err.contains("JOT_KEK"),
        "{err}"
    );
    assert!(!err.contains(postgres::shared().password()), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        db.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "0",
        "refused before touching the database"
    );

    // A KEK that is not one: the source named, the value never shown.
    let (code, _, err) = jot(
        &["serve", "--addr", "127.0.0.1:0", "--store", db.url()],
        &[("JOT_KEK", "not-a-kek-value")],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("JOT_KEK") && err.contains("43 characters"),
        "{err}"
    );
    assert!(!err.contains("not-a-kek-value"), "{err}");
}

#[test]
fn a_database_that_refuses_is_a_clear_error_without_the_password() {
    let db = postgres::shared().database();
    let cluster = postgres::shared();
    let wrong = format!(
        "postgres://{}:not-the-password@127.0.0.1:{}/{}",
        postgres::USER,
        cluster.port(),
        db.name()
    );
    let kek = new_kek();
    let with_kek = [("JOT_KEK", kek.as_str())];
    let started = Instant::now();
    let (code, out, err) = jot(
        &["serve", "--addr", "127.0.0.1:0", "--store", &wrong],
        &with_kek,
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("password authentication failed"), "{err}");
    assert!(!err.contains("not-the-password"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));

    // Nobody listening: an error within the pool's wait, for the data commands too.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("postgres://jot:secret-pw@127.0.0.1:{closed}/jot");
    let started = Instant::now();
    for args in [
        &["user", "list", "--store", &down][..],
        &["rotate-key", "--store", &down],
    ] {
        let (code, _, err) = jot(args, &with_kek);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("cannot connect to PostgreSQL"), "{err}");
        assert!(err.contains("postgres://jot:***@"), "{err}");
        assert!(!err.contains("secret-pw"), "{err}");
    }
    assert!(started.elapsed() < Duration::from_secs(10));

    // Not a database URL; both a directory and a database.
    let (code, _, err) = jot(&["user", "list", "--store", "/var/lib/jot"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("PostgreSQL URL"), "{err}");
    let (code, _, err) = jot(&["serve", "--store", &down, "--data-dir", "/tmp/x"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

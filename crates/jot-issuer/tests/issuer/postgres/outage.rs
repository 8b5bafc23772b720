//! A database that is down, silent or stuck: store calls fail within their time
//! limits with `StoreError::Unavailable`, never hang, and the same store works
//! again once the database is back.

use std::time::{Duration, Instant};

use jot_issuer::store::PostgresError;
use jot_issuer::store::{IssuerStore, PostgresStore, StoreError};
use jot_test_support::postgres::Cluster;

use super::database;
use crate::store_contract::tokens::{client, refresh};
use crate::support::now;

/// The error must be `Unavailable`, carrying a `PostgresError` that says so.
fn assert_unavailable(error: &StoreError) -> &PostgresError {
    let StoreError::Unavailable { source } = error else {
        panic!("not Unavailable: {error:?}");
    };
    let cause = source
        .downcast_ref::<PostgresError>()
        .unwrap_or_else(|| panic!("not a PostgresError: {source:?}"));
    assert!(cause.is_unavailable(), "{cause:?}");
    cause
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_database_fails_fast_and_the_store_recovers_when_it_is_back() {
    let cluster = Cluster::private();
    let db = cluster.private_database();
    let store = PostgresStore::connect(&format!("{}?pool_timeout=2&query_timeout=3", db.url()))
        .await
        .unwrap();
    store.put_client(client("web", &["openid"])).await.unwrap();

    tokio::task::block_in_place(|| cluster.stop());
    for _ in 0..3 {
        let started = Instant::now();
        let error = store.get_client("web").await.unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "took {:?}",
            started.elapsed()
        );
        assert_unavailable(&error);
        assert!(
            error.to_string().starts_with("store unavailable"),
            "{error}"
        );
    }

    tokio::task::block_in_place(|| cluster.start());
    // The same store, no restart: broken connections are replaced.
    assert_eq!(
        store.get_client("web").await.unwrap(),
        Some(client("web", &["openid"]))
    );
    store.put_client(client("api", &["read"])).await.unwrap();
    assert_eq!(store.list_clients().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_database_that_never_answers_is_an_error_within_the_wait_limit() {
    // Accepts connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let started = Instant::now();
    let error = PostgresStore::connect(&format!(
        "postgres://jot:pw@127.0.0.1:{port}/jot?pool_timeout=1"
    ))
    .await
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(error, PostgresError::PoolTimeout { .. }),
        "{error:?}"
    );
    assert!(error.is_unavailable());

    // Nobody listening: refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let error = PostgresStore::connect(&format!("postgres://jot:pw@127.0.0.1:{closed}/jot"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(matches!(error, PostgresError::Connect { .. }), "{error:?}");
    assert!(error.is_unavailable());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_statement_times_out_and_its_connection_is_not_reused() {
    let db = database();
    let store = PostgresStore::connect(&format!("{}?query_timeout=1&pool_max_size=1", db.url()))
        .await
        .unwrap();
    store
        .insert_refresh(refresh("locked", "f", now() + 60))
        .await
        .unwrap();
    // Another session holds the token's row for 2.5 s.
    let mut hold = db.psql_command(
        "BEGIN; SELECT token_hash FROM jot_refresh FOR UPDATE; SELECT pg_sleep(2.5); COMMIT;",
    );
    let holder = std::thread::spawn(move || {
        let out = hold.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    wait_for(
        &db,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'",
    );

    let started = Instant::now();
    let error = store.consume_refresh("locked", now()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        matches!(
            assert_unavailable(&error),
            PostgresError::QueryTimeout { .. }
        ),
        "{error:?}"
    );
    // The statement was cancelled and its connection given up, not left waiting
    // behind the lock: a new one serves at once.
    assert_eq!(
        store.get_refresh("locked").await.unwrap().map(|r| r.1),
        Some(jot_issuer::store::RefreshState::Active)
    );
    holder.join().unwrap();
    // The cancelled statement changed nothing: once the lock is gone, the token is
    // consumed as usual.
    assert!(matches!(
        store.consume_refresh("locked", now()).await.unwrap(),
        jot_issuer::store::Consumed::Fresh(_)
    ));
}

/// Polls `sql` until it prints `1` (at most 10 s).
fn wait_for(db: &jot_test_support::postgres::Database, sql: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while db.psql(sql) != "1" {
        assert!(Instant::now() < deadline, "{sql} never became 1");
        std::thread::sleep(Duration::from_millis(20));
    }
}

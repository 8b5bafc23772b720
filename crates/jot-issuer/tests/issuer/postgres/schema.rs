//! Migrations: applied once (even by instances starting together), recorded in
//! `jot_schema`, kept across restarts; a newer schema is refused and left untouched.

use jot_issuer::store::{IssuerStore, PostgresStore, StoreError};
use jot_issuer::store::{PostgresError, SCHEMA_VERSION};
use jot_test_support::postgres::Database;
use tokio::task::JoinSet;

use super::{database, open};
use crate::store_contract::tokens::client;

const TABLES: &str = "jot_clients,jot_codes,jot_consents,jot_families,jot_keys,jot_pending,\
                      jot_refresh,jot_revoked,jot_schema,jot_sessions,jot_used,jot_users";

fn tables(db: &Database) -> String {
    db.psql(
        "SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '') \
         FROM pg_tables WHERE schemaname = 'public'",
    )
}

/// What a refused start must not change: the schema's rows, the tables, the data.
fn snapshot(db: &Database) -> String {
    format!(
        "{}\n{}\n{}",
        db.psql(
            "SELECT version || ':' || name || ':' || applied_at FROM jot_schema ORDER BY version"
        ),
        tables(db),
        db.psql(
            "SELECT coalesce(string_agg(record::text, ',' ORDER BY client_id), '') FROM jot_clients"
        )
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_run_once_are_recorded_and_survive_restarts() {
    let db = database();
    assert_eq!(tables(&db), "");
    // Four instances starting together on an empty database.
    let mut starts = JoinSet::new();
    for _ in 0..4 {
        let url = db.url().to_owned();
        starts.spawn(async move { PostgresStore::connect(&url).await });
    }
    let mut stores = Vec::new();
    while let Some(started) = starts.join_next().await {
        stores.push(started.unwrap().unwrap());
    }
    assert_eq!(SCHEMA_VERSION, 3);
    assert_eq!(
        db.psql("SELECT version || ':' || name FROM jot_schema ORDER BY version"),
        "1:store\n2:next_key\n3:used_ids"
    );
    assert_eq!(tables(&db), TABLES);
    stores[0]
        .put_client(client("web", &["openid"]))
        .await
        .unwrap();
    let before = snapshot(&db);
    drop(stores);

    // A restart finds the schema current: nothing is migrated, nothing is lost.
    let store = open(&db).await;
    assert_eq!(snapshot(&db), before);
    assert_eq!(
        store.get_client("web").await.unwrap(),
        Some(client("web", &["openid"]))
    );
}

#[tokio::test]
async fn a_schema_newer_than_this_jot_is_refused_and_left_untouched() {
    let db = database();
    open(&db)
        .await
        .put_client(client("web", &["openid"]))
        .await
        .unwrap();
    db.psql("INSERT INTO jot_schema (version, name) VALUES (4, 'from a newer jot')");
    let before = snapshot(&db);
    let refused = PostgresStore::connect(db.url()).await.unwrap_err();
    assert!(
        matches!(
            refused,
            PostgresError::SchemaTooNew {
                found: 4,
                supported: 3
            }
        ),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("newer") && refused.to_string().contains("untouched"),
        "{refused}"
    );
    assert!(!refused.is_unavailable(), "waiting does not help");
    assert!(matches!(StoreError::from(refused), StoreError::Backend(_)));
    assert_eq!(snapshot(&db), before);

    // A database holding only a newer `jot_schema`: not one table is created.
    let db = database();
    db.psql(
        "CREATE TABLE jot_schema (version integer PRIMARY KEY, name text NOT NULL, \
         applied_at timestamptz NOT NULL DEFAULT now()); \
         INSERT INTO jot_schema (version, name) VALUES (7, 'x')",
    );
    let refused = PostgresStore::connect(db.url()).await.unwrap_err();
    assert!(
        matches!(refused, PostgresError::SchemaTooNew { found: 7, .. }),
        "{refused:?}"
    );
    assert_eq!(tables(&db), "jot_schema");
}

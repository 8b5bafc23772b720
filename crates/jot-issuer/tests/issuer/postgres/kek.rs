//! Private keys in PostgreSQL are always sealed: no KEK, no issuer; a database of
//! schema 1 (plain private keys) is migrated and its key sealed at the first
//! start with a KEK; a wrong KEK or a moved record is a typed error; `rotate_kek`
//! moves every key to a new KEK.

use jot_issuer::kek::{Kek, KekError, rotate_kek};
use jot_issuer::store::{IssuerStore, PostgresStore, StoredKey};
use jot_issuer::{Issuer, IssuerError};
use jot_test_support::postgres::Database;

use super::{database, open};
use crate::store_contract::tokens::key;

async fn build(store: PostgresStore, kek: Option<&Kek>) -> Result<Issuer, IssuerError> {
    let builder = Issuer::builder("http://127.0.0.1:1").store(store);
    match kek {
        Some(kek) => builder.kek(kek.clone()).build().await,
        None => builder.build().await,
    }
}

/// `kid|next|sealed` for every key, by kid.
fn rows(db: &Database) -> String {
    db.psql(
        "SELECT kid || '|' || next || '|' || \
         (private_pem LIKE '-----BEGIN JOT SEALED PRIVATE KEY-----%') \
         FROM jot_keys WHERE private_pem IS NOT NULL ORDER BY kid",
    )
}

#[tokio::test]
async fn a_postgres_store_needs_a_kek_and_only_ever_holds_sealed_keys() {
    let db = database();
    assert!(open(&db).await.requires_kek());
    match build(open(&db).await, None).await {
        Err(IssuerError::Kek(KekError::Required)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        db.psql("SELECT count(*) FROM jot_keys"),
        "0",
        "refused before writing"
    );

    let kek = Kek::generate().unwrap();
    let issuer = build(open(&db).await, Some(&kek)).await.unwrap();
    let kid = issuer.current_kid();
    let next = issuer.rotate_key().await.unwrap().kid;
    let mut expected = [format!("{kid}|false|true"), format!("{next}|true|true")];
    expected.sort();
    assert_eq!(rows(&db), expected.join("\n"));
    assert_eq!(
        db.psql("SELECT count(*) FROM jot_keys WHERE private_pem LIKE '%BEGIN PRIVATE KEY%'"),
        "0"
    );
    drop(issuer);

    let other = Kek::generate().unwrap();
    assert!(matches!(
        build(open(&db).await, Some(&other)).await,
        Err(IssuerError::Kek(KekError::Wrong { .. }))
    ));
    // A sealed key moved onto another kid does not open.
    db.psql(&format!(
        "UPDATE jot_keys SET private_pem = (SELECT private_pem FROM jot_keys WHERE kid = '{kid}') \
         WHERE kid = '{next}'"
    ));
    match build(open(&db).await, Some(&kek)).await {
        Err(IssuerError::Kek(KekError::Tampered { kid: k })) => assert_eq!(k, next),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_schema_1_database_is_migrated_and_its_plain_key_sealed() {
    let db = database();
    // What an earlier jot left: schema 1, a plain PKCS#8 private key.
    let plain = key("old-kid", 100);
    let public = StoredKey {
        private_pem: None,
        ..plain.clone()
    };
    db.psql(&format!(
        "CREATE TABLE jot_schema (version integer PRIMARY KEY, name text NOT NULL, \
         applied_at timestamptz NOT NULL DEFAULT now()); \
         INSERT INTO jot_schema (version, name) VALUES (1, 'store'); {schema} \
         INSERT INTO jot_keys (kid, created_at, private_pem, record) \
         VALUES ('old-kid', 100, $pem${pem}$pem$, $json${json}$json$)",
        schema = include_str!("../../../src/store/postgres/migrations/0001_store.sql"),
        pem = plain.private_pem.as_ref().unwrap().0,
        json = serde_json::to_string(&public).unwrap(),
    ));
    let store = open(&db).await;
    assert_eq!(
        db.psql("SELECT max(version) FROM jot_schema"),
        jot_issuer::store::SCHEMA_VERSION.to_string()
    );
    let keys = store.load_keys().await.unwrap();
    assert_eq!(keys.len(), 1);
    assert!(keys[0].is_current() && !keys[0].next);
    assert_eq!(keys[0].private_pem, plain.private_pem);

    let kek = Kek::generate().unwrap();
    let issuer = build(store, Some(&kek)).await.unwrap();
    assert_eq!(issuer.current_kid(), "old-kid");
    assert_eq!(rows(&db), "old-kid|false|true");

    // And to a new KEK.
    let new = Kek::generate().unwrap();
    let done = rotate_kek(&open(&db).await, Some(&kek), &new)
        .await
        .unwrap();
    assert_eq!(done.resealed, ["old-kid"]);
    assert!(matches!(
        build(open(&db).await, Some(&kek)).await,
        Err(IssuerError::Kek(KekError::Wrong { .. }))
    ));
    assert_eq!(
        build(open(&db).await, Some(&new))
            .await
            .unwrap()
            .current_kid(),
        "old-kid"
    );
}

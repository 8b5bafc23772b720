//! `PostgresStore` on a real PostgreSQL (a throwaway cluster of the test run, a
//! database per test): the store contract, compare-and-set races between two
//! stores on one database, migrations, a stopped database, TLS and passwords.

use jot_issuer::store::PostgresStore;
use jot_test_support::postgres::{self, Database};

use crate::store_contract;

mod connect;
mod kek;
mod outage;
mod races;
mod schema;
mod serving;

/// A fresh database of the shared cluster.
pub(crate) fn database() -> Database {
    postgres::shared().database()
}

/// A store on `db`, migrated.
pub(crate) async fn open(db: &Database) -> PostgresStore {
    PostgresStore::connect(db.url())
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.name()))
}

#[tokio::test]
async fn postgres_store_keeps_the_contract() {
    let db = database();
    store_contract::contract(&open(&db).await).await;
    let db = database();
    store_contract::tokens::contract(&open(&db).await).await;
}

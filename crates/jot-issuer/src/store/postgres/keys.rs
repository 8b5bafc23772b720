//! The signing keys of a [`PostgresStore`](super::PostgresStore): one SQL
//! statement per operation, each compare-and-set settled by row locks and the two
//! unique partial indexes (at most one current key, at most one next key).

use tokio_postgres::types::Json;

use super::tokens::count;
use super::{PostgresStore, column, db_time, from_db_time};
use crate::store::{PrivateKeyPem, StoreError, StoredKey};

const LOAD_KEYS: &str = "SELECT record, retired_at, private_pem, next, promoted_at FROM jot_keys";

/// The first key: only if there is no current key (the unique index settles a
/// race); a next key left over is dropped.
const ADD_FIRST_KEY: &str = "
WITH added AS (
    INSERT INTO jot_keys (kid, created_at, retired_at, private_pem, record)
    SELECT $1::text, $2::bigint, NULL, $3::text, $4::jsonb
    WHERE NOT EXISTS (
        SELECT 1 FROM jot_keys WHERE retired_at IS NULL AND private_pem IS NOT NULL AND NOT next
    )
    ON CONFLICT DO NOTHING
    RETURNING kid
), dropped AS (
    DELETE FROM jot_keys WHERE next AND EXISTS (SELECT 1 FROM added)
)
SELECT count(*) FROM added";

/// An immediate rotation: retires `$6` if it is still current, drops the next key
/// and adds the new one, only then.
const ADD_REPLACING_KEY: &str = "
WITH retired AS (
    UPDATE jot_keys SET retired_at = $5, private_pem = NULL
    WHERE kid = $6 AND retired_at IS NULL AND private_pem IS NOT NULL AND NOT next
    RETURNING kid
), dropped AS (
    DELETE FROM jot_keys WHERE next AND EXISTS (SELECT 1 FROM retired)
), added AS (
    INSERT INTO jot_keys (kid, created_at, retired_at, private_pem, record)
    SELECT $1::text, $2::bigint, NULL, $3::text, $4::jsonb FROM retired
    RETURNING kid
)
SELECT count(*) FROM added";

/// The next key: only while `$5` is current (its row locked, as a rotation would
/// lock it) and no next key exists (the unique index settles a race).
const ADD_NEXT_KEY: &str = "
WITH cur AS (
    SELECT kid FROM jot_keys
    WHERE kid = $5 AND retired_at IS NULL AND NOT next
    FOR UPDATE
)
INSERT INTO jot_keys (kid, created_at, retired_at, private_pem, record, next)
SELECT $1::text, $2::bigint, NULL, $3::text, $4::jsonb, true FROM cur
WHERE NOT EXISTS (SELECT 1 FROM jot_keys WHERE next)
ON CONFLICT DO NOTHING";

/// Promotes the next key `$1` if `$2` is still current: retires `$2`, then marks
/// `$1` current, in one statement.
const PROMOTE_KEY: &str = "
WITH retired AS (
    UPDATE jot_keys SET retired_at = $3, private_pem = NULL
    WHERE kid = $2 AND retired_at IS NULL AND NOT next
      AND EXISTS (SELECT 1 FROM jot_keys WHERE kid = $1 AND next AND retired_at IS NULL)
    RETURNING kid
), promoted AS (
    UPDATE jot_keys SET next = false, promoted_at = $3
    WHERE kid = $1 AND next AND EXISTS (SELECT 1 FROM retired)
    RETURNING kid
)
SELECT count(*) FROM promoted";

const REPLACE_PRIVATE_KEY: &str = "
UPDATE jot_keys SET private_pem = $3
WHERE kid = $1 AND private_pem = $2 AND retired_at IS NULL";

const REMOVE_KEY: &str = "DELETE FROM jot_keys WHERE kid = $1";

pub(super) async fn load_keys(store: &PostgresStore) -> Result<Vec<StoredKey>, StoreError> {
    let rows = store.query(LOAD_KEYS, &[]).await?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        let Json(mut key): Json<StoredKey> = column(row, 0, "jot_keys", "?")?;
        let retired_at: Option<i64> = column(row, 1, "jot_keys", &key.kid)?;
        let private_pem: Option<String> = column(row, 2, "jot_keys", &key.kid)?;
        let next: bool = column(row, 3, "jot_keys", &key.kid)?;
        let promoted_at: Option<i64> = column(row, 4, "jot_keys", &key.kid)?;
        key.retired_at = retired_at.map(from_db_time);
        key.private_pem = private_pem.map(PrivateKeyPem);
        key.next = next;
        key.promoted_at = promoted_at.map(from_db_time);
        keys.push(key);
    }
    Ok(keys)
}

pub(super) async fn add_key(
    store: &PostgresStore,
    key: StoredKey,
    replaces: Option<&str>,
    now: u64,
) -> Result<bool, StoreError> {
    let created_at = db_time(key.created_at);
    let private_pem = key.private_pem.as_ref().map(|pem| pem.0.as_str());
    let record = Json(public_record(&key));
    let rows = match replaces {
        None => {
            store
                .query(
                    ADD_FIRST_KEY,
                    &[&key.kid, &created_at, &private_pem, &record],
                )
                .await?
        }
        Some(old) => {
            let now = db_time(now);
            store
                .query(
                    ADD_REPLACING_KEY,
                    &[&key.kid, &created_at, &private_pem, &record, &now, &old],
                )
                .await?
        }
    };
    Ok(count(&rows, "jot_keys")? == 1)
}

pub(super) async fn add_next_key(
    store: &PostgresStore,
    key: StoredKey,
    current: &str,
) -> Result<bool, StoreError> {
    let created_at = db_time(key.created_at);
    let private_pem = key.private_pem.as_ref().map(|pem| pem.0.as_str());
    let record = Json(public_record(&key));
    let added = store
        .execute(
            ADD_NEXT_KEY,
            &[&key.kid, &created_at, &private_pem, &record, &current],
        )
        .await?;
    Ok(added == 1)
}

pub(super) async fn promote_key(
    store: &PostgresStore,
    kid: &str,
    replaces: &str,
    now: u64,
) -> Result<bool, StoreError> {
    let now = db_time(now);
    let rows = store.query(PROMOTE_KEY, &[&kid, &replaces, &now]).await?;
    Ok(count(&rows, "jot_keys")? == 1)
}

pub(super) async fn replace_private_key(
    store: &PostgresStore,
    kid: &str,
    old: &PrivateKeyPem,
    new: PrivateKeyPem,
) -> Result<bool, StoreError> {
    let changed = store
        .execute(REPLACE_PRIVATE_KEY, &[&kid, &old.0, &new.0])
        .await?;
    Ok(changed == 1)
}

pub(super) async fn remove_key(store: &PostgresStore, kid: &str) -> Result<(), StoreError> {
    store.execute(REMOVE_KEY, &[&kid]).await.map(drop)
}

/// The `record` column: what is public. The private key, the times and the
/// state have columns of their own.
fn public_record(key: &StoredKey) -> StoredKey {
    StoredKey {
        private_pem: None,
        retired_at: None,
        next: false,
        promoted_at: None,
        ..key.clone()
    }
}

//! Clients, refresh tokens and revocations of a
//! [`PostgresStore`](super::PostgresStore): one SQL statement per operation.

use tokio_postgres::types::Json;

use super::{PostgresStore, column, db_time, from_db_time};
use crate::store::{
    CODE_RETENTION, ClientRecord, Consumed, FamilyOwner, RefreshRecord, RefreshState, StoreError,
};

const GET_CLIENT: &str = "SELECT record FROM jot_clients WHERE client_id = $1";
const LIST_CLIENTS: &str = "SELECT client_id, record FROM jot_clients";
const PUT_CLIENT: &str = "
INSERT INTO jot_clients (client_id, record) VALUES ($1, $2)
ON CONFLICT (client_id) DO UPDATE SET record = excluded.record";
/// One compare-and-set: the hash changes only if it is still the old one.
const REPLACE_CLIENT_SECRET_HASH: &str = "
UPDATE jot_clients SET record = jsonb_set(record, '{secret_hash}', to_jsonb($3::text))
WHERE client_id = $1 AND record->>'secret_hash' = $2";

const INSERT_REFRESH: &str = "
INSERT INTO jot_refresh (token_hash, family, subject, sid, expires_at, used_at, record)
VALUES ($1, $2, $3, $4, $5, NULL, $6)
ON CONFLICT (token_hash) DO UPDATE SET family = excluded.family, subject = excluded.subject,
    sid = excluded.sid, expires_at = excluded.expires_at, used_at = NULL, record = excluded.record";

const GET_REFRESH: &str = "
SELECT r.record, r.used_at IS NOT NULL,
       EXISTS (SELECT 1 FROM jot_families f WHERE f.family = r.family)
FROM jot_refresh r WHERE r.token_hash = $1";

/// Locks the token's row, reads its latest committed state, and marks it used only
/// if it is unused, unexpired and its family unrevoked. A concurrent caller waits
/// on the lock and then sees `used_at` set: exactly one winner.
const CONSUME_REFRESH: &str = "
WITH cur AS (
    SELECT r.token_hash, r.record, r.used_at, r.expires_at,
           EXISTS (SELECT 1 FROM jot_families f WHERE f.family = r.family) AS revoked
    FROM jot_refresh r WHERE r.token_hash = $1
    FOR UPDATE OF r
), won AS (
    UPDATE jot_refresh r SET used_at = $2
    FROM cur
    WHERE r.token_hash = cur.token_hash AND cur.used_at IS NULL
      AND NOT cur.revoked AND cur.expires_at > $2
    RETURNING r.token_hash
)
SELECT cur.record, cur.revoked, cur.expires_at, EXISTS (SELECT 1 FROM won) FROM cur";

const REVOKE_FAMILY: &str = "
INSERT INTO jot_families (family, revoked_until) VALUES ($1, $2)
ON CONFLICT (family) DO UPDATE
    SET revoked_until = greatest(jot_families.revoked_until, excluded.revoked_until)";

const REVOKE_ACCESS: &str = "
INSERT INTO jot_revoked (jti, exp) VALUES ($1, $2)
ON CONFLICT (jti) DO UPDATE SET exp = excluded.exp";

const IS_ACCESS_REVOKED: &str = "SELECT EXISTS (SELECT 1 FROM jot_revoked WHERE jti = $1)";

/// A row comes back when the id is new, or its record had ended (and is renewed).
const USE_ONCE: &str = "
INSERT INTO jot_used (id, until) VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE SET until = excluded.until WHERE jot_used.until <= $3
RETURNING 1";

const REVOKE_FAMILIES_OF_SESSION: &str = "
WITH owned AS (
    SELECT family, greatest(max(expires_at), $2::bigint) AS until
    FROM jot_refresh WHERE sid = $1 GROUP BY family
), marked AS (
    INSERT INTO jot_families (family, revoked_until) SELECT family, until FROM owned
    ON CONFLICT (family) DO UPDATE
        SET revoked_until = greatest(jot_families.revoked_until, excluded.revoked_until)
)
SELECT count(*) FROM owned";

const REVOKE_FAMILIES_OF_SUBJECT: &str = "
WITH owned AS (
    SELECT family, greatest(max(expires_at), $2::bigint) AS until
    FROM jot_refresh WHERE subject = $1 GROUP BY family
), marked AS (
    INSERT INTO jot_families (family, revoked_until) SELECT family, until FROM owned
    ON CONFLICT (family) DO UPDATE
        SET revoked_until = greatest(jot_families.revoked_until, excluded.revoked_until)
)
SELECT count(*) FROM owned";

/// `$1` is now; `$2` is now minus the codes' retention.
const PRUNE: &str = "
WITH refresh AS (DELETE FROM jot_refresh WHERE expires_at <= $1 RETURNING 1),
     families AS (DELETE FROM jot_families WHERE revoked_until <= $1 RETURNING 1),
     revoked AS (DELETE FROM jot_revoked WHERE exp <= $1 RETURNING 1),
     used AS (DELETE FROM jot_used WHERE until <= $1 RETURNING 1),
     sessions AS (DELETE FROM jot_sessions WHERE expires_at <= $1 RETURNING 1),
     codes AS (DELETE FROM jot_codes WHERE expires_at <= $2 RETURNING 1),
     pending AS (DELETE FROM jot_pending WHERE expires_at <= $1 RETURNING 1)
SELECT (SELECT count(*) FROM refresh) + (SELECT count(*) FROM families)
     + (SELECT count(*) FROM revoked) + (SELECT count(*) FROM used)
     + (SELECT count(*) FROM sessions)
     + (SELECT count(*) FROM codes) + (SELECT count(*) FROM pending)";

pub(super) async fn get_client(
    store: &PostgresStore,
    client_id: &str,
) -> Result<Option<ClientRecord>, StoreError> {
    match store.query_opt(GET_CLIENT, &[&client_id]).await? {
        Some(row) => {
            let Json(client) = column(&row, 0, "jot_clients", client_id)?;
            Ok(Some(client))
        }
        None => Ok(None),
    }
}

pub(super) async fn list_clients(store: &PostgresStore) -> Result<Vec<ClientRecord>, StoreError> {
    let rows = store.query(LIST_CLIENTS, &[]).await?;
    let mut clients = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: &str = column(row, 0, "jot_clients", "?")?;
        let Json(client): Json<ClientRecord> = column(row, 1, "jot_clients", id)?;
        clients.push(client);
    }
    clients.sort_by(|a, b| a.client_id.cmp(&b.client_id));
    Ok(clients)
}

pub(super) async fn put_client(
    store: &PostgresStore,
    client: ClientRecord,
) -> Result<(), StoreError> {
    store
        .execute(PUT_CLIENT, &[&client.client_id, &Json(&client)])
        .await
        .map(drop)
}

pub(super) async fn replace_client_secret_hash(
    store: &PostgresStore,
    client_id: &str,
    old: &str,
    new: String,
) -> Result<bool, StoreError> {
    store
        .execute(REPLACE_CLIENT_SECRET_HASH, &[&client_id, &old, &new])
        .await
        .map(|rows| rows == 1)
}

pub(super) async fn insert_refresh(
    store: &PostgresStore,
    record: RefreshRecord,
) -> Result<(), StoreError> {
    let expires_at = db_time(record.expires_at);
    store
        .execute(
            INSERT_REFRESH,
            &[
                &record.token_hash,
                &record.family,
                &record.subject,
                &record.sid,
                &expires_at,
                &Json(&record),
            ],
        )
        .await
        .map(drop)
}

pub(super) async fn get_refresh(
    store: &PostgresStore,
    token_hash: &str,
) -> Result<Option<(RefreshRecord, RefreshState)>, StoreError> {
    let Some(row) = store.query_opt(GET_REFRESH, &[&token_hash]).await? else {
        return Ok(None);
    };
    let Json(record) = column(&row, 0, "jot_refresh", token_hash)?;
    let used: bool = column(&row, 1, "jot_refresh", token_hash)?;
    let revoked: bool = column(&row, 2, "jot_refresh", token_hash)?;
    let state = if revoked {
        RefreshState::Revoked
    } else if used {
        RefreshState::Used
    } else {
        RefreshState::Active
    };
    Ok(Some((record, state)))
}

pub(super) async fn consume_refresh(
    store: &PostgresStore,
    token_hash: &str,
    now: u64,
) -> Result<Consumed, StoreError> {
    let when = db_time(now);
    let Some(row) = store
        .query_opt(CONSUME_REFRESH, &[&token_hash, &when])
        .await?
    else {
        return Ok(Consumed::Unknown);
    };
    let Json(record) = column(&row, 0, "jot_refresh", token_hash)?;
    let revoked: bool = column(&row, 1, "jot_refresh", token_hash)?;
    let expires_at: i64 = column(&row, 2, "jot_refresh", token_hash)?;
    let won: bool = column(&row, 3, "jot_refresh", token_hash)?;
    Ok(if revoked {
        Consumed::Revoked
    } else if from_db_time(expires_at) <= now {
        Consumed::Expired
    } else if won {
        Consumed::Fresh(record)
    } else {
        Consumed::Reused(record)
    })
}

pub(super) async fn revoke_family(
    store: &PostgresStore,
    family: &str,
    until: u64,
) -> Result<(), StoreError> {
    let until = db_time(until);
    store
        .execute(REVOKE_FAMILY, &[&family, &until])
        .await
        .map(drop)
}

pub(super) async fn revoke_access(
    store: &PostgresStore,
    jti: &str,
    exp: u64,
) -> Result<(), StoreError> {
    let exp = db_time(exp);
    store.execute(REVOKE_ACCESS, &[&jti, &exp]).await.map(drop)
}

pub(super) async fn use_once(
    store: &PostgresStore,
    id: &str,
    until: u64,
    now: u64,
) -> Result<bool, StoreError> {
    let rows = store
        .query(USE_ONCE, &[&id, &db_time(until), &db_time(now)])
        .await?;
    Ok(!rows.is_empty())
}

pub(super) async fn is_access_revoked(
    store: &PostgresStore,
    jti: &str,
) -> Result<bool, StoreError> {
    let rows = store.query(IS_ACCESS_REVOKED, &[&jti]).await?;
    match rows.first() {
        Some(row) => column(row, 0, "jot_revoked", jti),
        None => Ok(false),
    }
}

pub(super) async fn revoke_families_of(
    store: &PostgresStore,
    owner: FamilyOwner<'_>,
    until: u64,
) -> Result<usize, StoreError> {
    let until = db_time(until);
    let (sql, id) = match owner {
        FamilyOwner::Session(sid) => (REVOKE_FAMILIES_OF_SESSION, sid),
        FamilyOwner::Subject(sub) => (REVOKE_FAMILIES_OF_SUBJECT, sub),
    };
    count(&store.query(sql, &[&id, &until]).await?, "jot_families")
}

pub(super) async fn prune(store: &PostgresStore, now: u64) -> Result<usize, StoreError> {
    let codes_before = db_time(now).saturating_sub(db_time(CODE_RETENTION));
    let now = db_time(now);
    count(&store.query(PRUNE, &[&now, &codes_before]).await?, "prune")
}

/// The `count(*)` of a one-row answer.
pub(super) fn count(rows: &[tokio_postgres::Row], table: &str) -> Result<usize, StoreError> {
    let n: i64 = match rows.first() {
        Some(row) => column(row, 0, table, "count")?,
        None => 0,
    };
    Ok(usize::try_from(n).unwrap_or(0))
}

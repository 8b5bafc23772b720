//! Users, sessions, authorization codes, consents and pending requests of a
//! [`PostgresStore`](super::PostgresStore): one SQL statement per operation.

use tokio_postgres::types::Json;

use super::tokens::count;
use super::{PostgresStore, column, db_time};
use crate::store::{
    CodeConsumed, CodeIssued, CodeRecord, ConsentRecord, PendingRecord, SessionRecord, StoreError,
    UserRecord, username_key,
};

const GET_USER: &str = "SELECT record FROM jot_users WHERE sub = $1";
const FIND_USER: &str = "SELECT record FROM jot_users WHERE username_key = $1";
const LIST_USERS: &str = "SELECT sub, record FROM jot_users";
/// Unique `sub` and `username_key`: a second insert of either changes nothing.
const INSERT_USER: &str = "
INSERT INTO jot_users (sub, username_key, record) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING";
const UPDATE_USER: &str = "
UPDATE jot_users SET record = $2 WHERE sub = $1 AND record->>'username' = $3";
const REMOVE_USER: &str = "
WITH gone AS (DELETE FROM jot_users WHERE sub = $1 RETURNING sub),
     consents AS (DELETE FROM jot_consents WHERE sub IN (SELECT sub FROM gone))
SELECT count(*) FROM gone";

const INSERT_SESSION: &str = "
INSERT INTO jot_sessions (id_hash, sub, expires_at, record) VALUES ($1, $2, $3, $4)
ON CONFLICT (id_hash) DO UPDATE
    SET sub = excluded.sub, expires_at = excluded.expires_at, record = excluded.record";
const GET_SESSION: &str = "SELECT record FROM jot_sessions WHERE id_hash = $1";
const REMOVE_SESSION: &str = "DELETE FROM jot_sessions WHERE id_hash = $1 RETURNING record";
const REMOVE_SESSIONS_OF: &str = "DELETE FROM jot_sessions WHERE sub = $1";

const INSERT_CODE: &str = "
INSERT INTO jot_codes (code_hash, expires_at, issued, record) VALUES ($1, $2, $3, $4)
ON CONFLICT (code_hash) DO UPDATE
    SET expires_at = excluded.expires_at, issued = excluded.issued, record = excluded.record";
const GET_CODE: &str = "SELECT record, issued FROM jot_codes WHERE code_hash = $1";
/// Locks the code's row, reads its latest committed state, and records `$2` only if
/// nothing was recorded yet: the loser of a race sees what the winner recorded.
const CONSUME_CODE: &str = "
WITH cur AS (
    SELECT code_hash, record, issued FROM jot_codes WHERE code_hash = $1 FOR UPDATE
), won AS (
    UPDATE jot_codes c SET issued = $2
    FROM cur
    WHERE c.code_hash = cur.code_hash AND cur.issued IS NULL
    RETURNING c.code_hash
)
SELECT cur.record, cur.issued, EXISTS (SELECT 1 FROM won) FROM cur";

const GET_CONSENT: &str = "SELECT record FROM jot_consents WHERE sub = $1 AND client_id = $2";
const PUT_CONSENT: &str = "
INSERT INTO jot_consents (sub, client_id, record) VALUES ($1, $2, $3)
ON CONFLICT (sub, client_id) DO UPDATE SET record = excluded.record";

const PUT_PENDING: &str = "
INSERT INTO jot_pending (id, expires_at, record) VALUES ($1, $2, $3)
ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, record = excluded.record";
const GET_PENDING: &str = "SELECT record FROM jot_pending WHERE id = $1";
const TAKE_PENDING: &str = "DELETE FROM jot_pending WHERE id = $1 RETURNING record";

pub(super) async fn get_user(
    store: &PostgresStore,
    sub: &str,
) -> Result<Option<UserRecord>, StoreError> {
    one(store, GET_USER, sub, "jot_users").await
}

pub(super) async fn find_user(
    store: &PostgresStore,
    username: &str,
) -> Result<Option<UserRecord>, StoreError> {
    one(store, FIND_USER, &username_key(username), "jot_users").await
}

pub(super) async fn list_users(store: &PostgresStore) -> Result<Vec<UserRecord>, StoreError> {
    let rows = store.query(LIST_USERS, &[]).await?;
    let mut users = Vec::with_capacity(rows.len());
    for row in &rows {
        let sub: &str = column(row, 0, "jot_users", "?")?;
        let Json(user): Json<UserRecord> = column(row, 1, "jot_users", sub)?;
        users.push(user);
    }
    // By username as Rust compares strings (the database's collation may differ).
    users.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(users)
}

pub(super) async fn insert_user(
    store: &PostgresStore,
    user: UserRecord,
) -> Result<bool, StoreError> {
    let key = username_key(&user.username);
    let inserted = store
        .execute(INSERT_USER, &[&user.sub, &key, &Json(&user)])
        .await?;
    Ok(inserted == 1)
}

pub(super) async fn update_user(
    store: &PostgresStore,
    user: UserRecord,
) -> Result<bool, StoreError> {
    let updated = store
        .execute(UPDATE_USER, &[&user.sub, &Json(&user), &user.username])
        .await?;
    Ok(updated == 1)
}

pub(super) async fn remove_user(store: &PostgresStore, sub: &str) -> Result<bool, StoreError> {
    Ok(count(&store.query(REMOVE_USER, &[&sub]).await?, "jot_users")? == 1)
}

pub(super) async fn insert_session(
    store: &PostgresStore,
    session: SessionRecord,
) -> Result<(), StoreError> {
    let expires_at = db_time(session.expires_at);
    store
        .execute(
            INSERT_SESSION,
            &[&session.id_hash, &session.sub, &expires_at, &Json(&session)],
        )
        .await
        .map(drop)
}

pub(super) async fn get_session(
    store: &PostgresStore,
    id_hash: &str,
) -> Result<Option<SessionRecord>, StoreError> {
    one(store, GET_SESSION, id_hash, "jot_sessions").await
}

pub(super) async fn remove_session(
    store: &PostgresStore,
    id_hash: &str,
) -> Result<Option<SessionRecord>, StoreError> {
    one(store, REMOVE_SESSION, id_hash, "jot_sessions").await
}

pub(super) async fn remove_sessions_of(
    store: &PostgresStore,
    sub: &str,
) -> Result<usize, StoreError> {
    let removed = store.execute(REMOVE_SESSIONS_OF, &[&sub]).await?;
    Ok(usize::try_from(removed).unwrap_or(usize::MAX))
}

pub(super) async fn insert_code(store: &PostgresStore, code: CodeRecord) -> Result<(), StoreError> {
    let expires_at = db_time(code.expires_at);
    let issued = code.issued.as_ref().map(Json);
    let record = CodeRecord {
        issued: None,
        ..code.clone()
    };
    store
        .execute(
            INSERT_CODE,
            &[&code.code_hash, &expires_at, &issued, &Json(&record)],
        )
        .await
        .map(drop)
}

pub(super) async fn get_code(
    store: &PostgresStore,
    code_hash: &str,
) -> Result<Option<CodeRecord>, StoreError> {
    let Some(row) = store.query_opt(GET_CODE, &[&code_hash]).await? else {
        return Ok(None);
    };
    let Json(mut code): Json<CodeRecord> = column(&row, 0, "jot_codes", code_hash)?;
    let issued: Option<Json<CodeIssued>> = column(&row, 1, "jot_codes", code_hash)?;
    code.issued = issued.map(|Json(issued)| issued);
    Ok(Some(code))
}

pub(super) async fn consume_code(
    store: &PostgresStore,
    code_hash: &str,
    issued: CodeIssued,
) -> Result<CodeConsumed, StoreError> {
    let Some(row) = store
        .query_opt(CONSUME_CODE, &[&code_hash, &Json(&issued)])
        .await?
    else {
        return Ok(CodeConsumed::Unknown);
    };
    let Json(mut code): Json<CodeRecord> = column(&row, 0, "jot_codes", code_hash)?;
    let before: Option<Json<CodeIssued>> = column(&row, 1, "jot_codes", code_hash)?;
    let won: bool = column(&row, 2, "jot_codes", code_hash)?;
    Ok(if won {
        code.issued = Some(issued);
        CodeConsumed::Fresh(code)
    } else {
        code.issued = before.map(|Json(issued)| issued);
        CodeConsumed::Reused(code)
    })
}

pub(super) async fn get_consent(
    store: &PostgresStore,
    sub: &str,
    client_id: &str,
) -> Result<Option<ConsentRecord>, StoreError> {
    match store.query_opt(GET_CONSENT, &[&sub, &client_id]).await? {
        Some(row) => {
            let Json(consent) = column(&row, 0, "jot_consents", sub)?;
            Ok(Some(consent))
        }
        None => Ok(None),
    }
}

pub(super) async fn put_consent(
    store: &PostgresStore,
    consent: ConsentRecord,
) -> Result<(), StoreError> {
    store
        .execute(
            PUT_CONSENT,
            &[&consent.sub, &consent.client_id, &Json(&consent)],
        )
        .await
        .map(drop)
}

pub(super) async fn put_pending(
    store: &PostgresStore,
    pending: PendingRecord,
) -> Result<(), StoreError> {
    let expires_at = db_time(pending.expires_at);
    store
        .execute(PUT_PENDING, &[&pending.id, &expires_at, &Json(&pending)])
        .await
        .map(drop)
}

pub(super) async fn get_pending(
    store: &PostgresStore,
    id: &str,
) -> Result<Option<PendingRecord>, StoreError> {
    one(store, GET_PENDING, id, "jot_pending").await
}

pub(super) async fn take_pending(
    store: &PostgresStore,
    id: &str,
) -> Result<Option<PendingRecord>, StoreError> {
    one(store, TAKE_PENDING, id, "jot_pending").await
}

/// The JSON record of the one row `sql` returns for `key`, if any.
async fn one<T: serde::de::DeserializeOwned>(
    store: &PostgresStore,
    sql: &'static str,
    key: &str,
    table: &str,
) -> Result<Option<T>, StoreError> {
    match store.query_opt(sql, &[&key]).await? {
        Some(row) => {
            let Json(record) = column(&row, 0, table, key)?;
            Ok(Some(record))
        }
        None => Ok(None),
    }
}

//! [`PostgresStore`]: the issuer's state in PostgreSQL (cargo feature `postgres`).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{NoTls, Row};

use super::{
    ClientRecord, CodeConsumed, CodeIssued, CodeRecord, ConsentRecord, Consumed, FamilyOwner,
    IssuerStore, PendingRecord, PrivateKeyPem, RefreshRecord, RefreshState, SessionRecord,
    StoreError, StoreFuture, StoredKey, UserRecord,
};

mod config;
mod error;
mod keys;
mod login;
mod schema;
mod tls;
mod tokens;

pub use config::{
    DEFAULT_POOL_MAX_SIZE, DEFAULT_POOL_TIMEOUT, DEFAULT_QUERY_TIMEOUT, PasswordSource,
    PostgresConfig, SslMode, redact_url,
};
pub use error::PostgresError;
pub use schema::SCHEMA_VERSION;

/// An [`IssuerStore`] in a PostgreSQL database, for one issuer or several sharing
/// it behind a load balancer (cargo feature `postgres`). Clones share the
/// connection pool.
///
/// Each record is a JSON document (`jsonb`) beside the columns it is looked up and
/// compared by (token hashes, family, `jti`, expiry, lowercase username); the
/// tables are in `docs/ISSUER.md`. Every
/// compare-and-set of [`IssuerStore`] is **one SQL statement**, so two instances
/// racing get exactly one winner:
///
/// - `consume_refresh` and `consume_code` lock the row (`SELECT … FOR UPDATE` in a
///   common table expression), read its latest committed state, and set
///   `used_at`/`issued` only if it is still unset — the loser of a race waits for
///   the winner's commit and sees what it wrote;
/// - `add_key` retires the replaced key only if it is still the current one and
///   inserts the new key in the same statement; `add_next_key` inserts a next key
///   only while the current key it names is current (its row locked) and no next
///   key exists; `promote_key` retires the current key and promotes the next in
///   one statement; unique partial indexes allow one current and one next key at
///   most;
/// - `insert_user` is `INSERT … ON CONFLICT DO NOTHING` on the unique `sub` and
///   lowercase username; `take_pending` and `remove_session` are
///   `DELETE … RETURNING`.
///
/// # Schema
///
/// Migrations are embedded and run by [`PostgresStore::open`], in one transaction
/// under an advisory lock (instances starting together migrate one after the
/// other); the table `jot_schema (version, name, applied_at)` records each version
/// applied. A database
/// whose schema is newer than [`SCHEMA_VERSION`] is refused
/// ([`PostgresError::SchemaTooNew`]) and left untouched.
///
/// # Time limits
///
/// A call waits at most [`PostgresConfig::pool_timeout`] (5 s) for a connection — a
/// free one, or a new one (the TCP connection is bounded by the same time unless
/// the URL sets `connect_timeout`) — and its statements may take at most
/// [`PostgresConfig::query_timeout`] (10 s); past either, or when the database
/// cannot be reached, the call fails with [`StoreError::Unavailable`] instead of
/// hanging. A statement past its limit is cancelled on the server (a cancel
/// request, and `statement_timeout` set to the same limit on every connection
/// unless the URL's `options` set one) and its connection closed, not reused;
/// broken connections are replaced, so the store recovers by itself when the
/// database is back.
///
/// # Private keys
///
/// The signing keys' private parts are always sealed with a key-encryption key
/// ([`kek`](crate::kek)): [`requires_kek`](IssuerStore::requires_kek) is `true`,
/// so an issuer without [`IssuerBuilder::kek`](crate::IssuerBuilder::kek)
/// refuses to start on this store, and the database (and its backups) hold only
/// ciphertext.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use jot_issuer::{Issuer, kek::Kek, store::PostgresStore};
///
/// let store = PostgresStore::connect("postgres://jot@db.example.com/jot?sslmode=verify-full").await?;
/// let kek = Kek::from_base64url(&std::env::var("JOT_KEK")?)?;
/// let issuer = Issuer::builder("https://auth.example.com").store(store).kek(kek).build().await?;
/// # let _ = issuer; Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    config: PostgresConfig,
    /// How cancel requests reach the server (as the connections do).
    tls: Option<tls::MakeRustls>,
}

impl PostgresStore {
    /// [`PostgresStore::open`] on a URL read by [`PostgresConfig::from_url`].
    pub async fn connect(url: &str) -> Result<PostgresStore, PostgresError> {
        PostgresStore::open(PostgresConfig::from_url(url)?).await
    }

    /// Connects, and migrates the schema to [`SCHEMA_VERSION`] (refusing a newer one).
    pub async fn open(config: PostgresConfig) -> Result<PostgresStore, PostgresError> {
        let recycling = || ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let tls = tls::make_tls(&config)?;
        let manager = match &tls {
            Some(tls) => Manager::from_config(config.driver_config(), tls.clone(), recycling()),
            None => Manager::from_config(config.driver_config(), NoTls, recycling()),
        };
        let limit = Some(config.pool_timeout());
        let pool = Pool::builder(manager)
            .max_size(config.pool_max_size())
            .runtime(Runtime::Tokio1)
            .wait_timeout(limit)
            .create_timeout(limit)
            .recycle_timeout(limit)
            .build()
            .map_err(|e| PostgresError::Connect {
                source: Box::new(e),
            })?;
        let store = PostgresStore {
            inner: Arc::new(Inner { pool, config, tls }),
        };
        let mut client = store.client().await?;
        let found = schema::migrate(&mut client).await?;
        tracing::info!(
            target: "jot_issuer::postgres",
            url = %store.inner.config,
            schema = SCHEMA_VERSION,
            found,
            "PostgreSQL store opened"
        );
        Ok(store)
    }

    /// Its configuration (whose `Display` is the URL without its password).
    pub fn config(&self) -> &PostgresConfig {
        &self.inner.config
    }

    /// A connection from the pool, within the pool's wait limit.
    async fn client(&self) -> Result<Object, PostgresError> {
        let waited = self.inner.config.pool_timeout();
        match tokio::time::timeout(waited, self.inner.pool.get()).await {
            Ok(Ok(client)) => Ok(client),
            Err(_) | Ok(Err(PoolError::Timeout(_))) => Err(PostgresError::PoolTimeout { waited }),
            Ok(Err(PoolError::Backend(e))) => Err(PostgresError::Connect {
                source: Box::new(e),
            }),
            Ok(Err(e)) => Err(PostgresError::Connect {
                source: Box::new(e),
            }),
        }
    }

    /// Runs one statement (prepared once per connection) and returns its rows.
    async fn query(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, StoreError> {
        let client = self.client().await?;
        let outcome = tokio::time::timeout(self.inner.config.query_timeout(), async {
            let statement = client.prepare_cached(sql).await?;
            client.query(&statement, params).await
        })
        .await;
        self.settle(client, outcome)
    }

    /// Runs one statement that returns at most one row.
    async fn query_opt(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, StoreError> {
        let client = self.client().await?;
        let outcome = tokio::time::timeout(self.inner.config.query_timeout(), async {
            let statement = client.prepare_cached(sql).await?;
            client.query_opt(&statement, params).await
        })
        .await;
        self.settle(client, outcome)
    }

    /// Runs one statement; returns how many rows it changed.
    async fn execute(
        &self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let outcome = tokio::time::timeout(self.inner.config.query_timeout(), async {
            let statement = client.prepare_cached(sql).await?;
            client.execute(&statement, params).await
        })
        .await;
        self.settle(client, outcome)
    }

    /// The result of a call. A call past its time limit is cancelled on the server
    /// and its connection closed (its late answer would otherwise reach the next
    /// caller); the server's own `statement_timeout` reads the same.
    fn settle<T>(
        &self,
        client: Object,
        outcome: Result<Result<T, tokio_postgres::Error>, tokio::time::error::Elapsed>,
    ) -> Result<T, StoreError> {
        let limit = self.inner.config.query_timeout();
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) if e.code() == Some(&SqlState::QUERY_CANCELED) => {
                Err(PostgresError::QueryTimeout { limit }.into())
            }
            Ok(Err(e)) => Err(PostgresError::driver(e).into()),
            Err(_) => {
                let token = client.cancel_token();
                let tls = self.inner.tls.clone();
                tokio::spawn(async move {
                    let cancelled = match tls {
                        Some(tls) => token.cancel_query(tls).await,
                        None => token.cancel_query(NoTls).await,
                    };
                    if let Err(error) = cancelled {
                        tracing::debug!(target: "jot_issuer::postgres", %error, "cancel request failed");
                    }
                });
                drop(Object::take(client));
                Err(PostgresError::QueryTimeout { limit }.into())
            }
        }
    }
}

impl fmt::Debug for PostgresStore {
    /// The URL without its password, and the pool's state.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.inner.pool.status();
        f.debug_struct("PostgresStore")
            .field("url", &self.inner.config.to_string())
            .field("connections", &status.size)
            .field("max_connections", &status.max_size)
            .finish_non_exhaustive()
    }
}

/// A time as the database stores it (`bigint`); times past 2^63 s are clamped.
fn db_time(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

/// A stored time back (a negative one, never written by jot, reads as 0).
fn from_db_time(t: i64) -> u64 {
    u64::try_from(t).unwrap_or(0)
}

/// Column `index` of `row`; a value that does not decode (a record edited by hand
/// into something else) is [`StoreError::Corrupt`], naming the table and key.
fn column<'r, T: FromSql<'r>>(
    row: &'r Row,
    index: usize,
    table: &str,
    key: &str,
) -> Result<T, StoreError> {
    row.try_get(index).map_err(|e| StoreError::Corrupt {
        path: PathBuf::from(format!("postgres:{table}/{key}")),
        reason: e.to_string(),
    })
}

impl IssuerStore for PostgresStore {
    fn load_keys(&self) -> StoreFuture<'_, Vec<StoredKey>> {
        Box::pin(keys::load_keys(self))
    }

    fn add_key<'a>(
        &'a self,
        key: StoredKey,
        replaces: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        Box::pin(keys::add_key(self, key, replaces, now))
    }

    fn add_next_key<'a>(&'a self, key: StoredKey, current: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(keys::add_next_key(self, key, current))
    }

    fn promote_key<'a>(
        &'a self,
        kid: &'a str,
        replaces: &'a str,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        Box::pin(keys::promote_key(self, kid, replaces, now))
    }

    fn replace_private_key<'a>(
        &'a self,
        kid: &'a str,
        old: &'a PrivateKeyPem,
        new: PrivateKeyPem,
    ) -> StoreFuture<'a, bool> {
        Box::pin(keys::replace_private_key(self, kid, old, new))
    }

    /// `true`: the database and its backups are outside the issuer's machine.
    fn requires_kek(&self) -> bool {
        true
    }

    fn remove_key<'a>(&'a self, kid: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(keys::remove_key(self, kid))
    }

    fn get_client<'a>(&'a self, client_id: &'a str) -> StoreFuture<'a, Option<ClientRecord>> {
        Box::pin(tokens::get_client(self, client_id))
    }

    fn list_clients(&self) -> StoreFuture<'_, Vec<ClientRecord>> {
        Box::pin(tokens::list_clients(self))
    }

    fn put_client(&self, client: ClientRecord) -> StoreFuture<'_, ()> {
        Box::pin(tokens::put_client(self, client))
    }

    fn replace_client_secret_hash<'a>(
        &'a self,
        client_id: &'a str,
        old: &'a str,
        new: String,
    ) -> StoreFuture<'a, bool> {
        Box::pin(tokens::replace_client_secret_hash(
            self, client_id, old, new,
        ))
    }

    fn insert_refresh(&self, record: RefreshRecord) -> StoreFuture<'_, ()> {
        Box::pin(tokens::insert_refresh(self, record))
    }

    fn get_refresh<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> StoreFuture<'a, Option<(RefreshRecord, RefreshState)>> {
        Box::pin(tokens::get_refresh(self, token_hash))
    }

    fn consume_refresh<'a>(&'a self, token_hash: &'a str, now: u64) -> StoreFuture<'a, Consumed> {
        Box::pin(tokens::consume_refresh(self, token_hash, now))
    }

    fn revoke_family<'a>(&'a self, family: &'a str, until: u64) -> StoreFuture<'a, ()> {
        Box::pin(tokens::revoke_family(self, family, until))
    }

    fn revoke_access<'a>(&'a self, jti: &'a str, exp: u64) -> StoreFuture<'a, ()> {
        Box::pin(tokens::revoke_access(self, jti, exp))
    }

    fn is_access_revoked<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(tokens::is_access_revoked(self, jti))
    }

    fn use_once<'a>(&'a self, id: &'a str, until: u64, now: u64) -> StoreFuture<'a, bool> {
        Box::pin(tokens::use_once(self, id, until, now))
    }

    fn revoke_families_of<'a>(
        &'a self,
        owner: FamilyOwner<'a>,
        until: u64,
    ) -> StoreFuture<'a, usize> {
        Box::pin(tokens::revoke_families_of(self, owner, until))
    }

    fn prune(&self, now: u64) -> StoreFuture<'_, usize> {
        Box::pin(tokens::prune(self, now))
    }

    fn get_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, Option<UserRecord>> {
        Box::pin(login::get_user(self, sub))
    }

    fn find_user<'a>(&'a self, username: &'a str) -> StoreFuture<'a, Option<UserRecord>> {
        Box::pin(login::find_user(self, username))
    }

    fn list_users(&self) -> StoreFuture<'_, Vec<UserRecord>> {
        Box::pin(login::list_users(self))
    }

    fn insert_user(&self, user: UserRecord) -> StoreFuture<'_, bool> {
        Box::pin(login::insert_user(self, user))
    }

    fn update_user(&self, user: UserRecord) -> StoreFuture<'_, bool> {
        Box::pin(login::update_user(self, user))
    }

    fn remove_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(login::remove_user(self, sub))
    }

    fn insert_session(&self, session: SessionRecord) -> StoreFuture<'_, ()> {
        Box::pin(login::insert_session(self, session))
    }

    fn get_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        Box::pin(login::get_session(self, id_hash))
    }

    fn remove_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        Box::pin(login::remove_session(self, id_hash))
    }

    fn remove_sessions_of<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, usize> {
        Box::pin(login::remove_sessions_of(self, sub))
    }

    fn insert_code(&self, code: CodeRecord) -> StoreFuture<'_, ()> {
        Box::pin(login::insert_code(self, code))
    }

    fn get_code<'a>(&'a self, code_hash: &'a str) -> StoreFuture<'a, Option<CodeRecord>> {
        Box::pin(login::get_code(self, code_hash))
    }

    fn consume_code<'a>(
        &'a self,
        code_hash: &'a str,
        issued: CodeIssued,
    ) -> StoreFuture<'a, CodeConsumed> {
        Box::pin(login::consume_code(self, code_hash, issued))
    }

    fn get_consent<'a>(
        &'a self,
        sub: &'a str,
        client_id: &'a str,
    ) -> StoreFuture<'a, Option<ConsentRecord>> {
        Box::pin(login::get_consent(self, sub, client_id))
    }

    fn put_consent(&self, consent: ConsentRecord) -> StoreFuture<'_, ()> {
        Box::pin(login::put_consent(self, consent))
    }

    fn put_pending(&self, pending: PendingRecord) -> StoreFuture<'_, ()> {
        Box::pin(login::put_pending(self, pending))
    }

    fn get_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>> {
        Box::pin(login::get_pending(self, id))
    }

    fn take_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>> {
        Box::pin(login::take_pending(self, id))
    }

    /// `SELECT 1` on a pooled connection, within the store's time limits.
    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.query_opt("SELECT 1", &[]).await.map(drop) })
    }
}

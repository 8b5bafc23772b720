//! [`IssuerStore`]: where the issuer keeps its signing keys, clients, refresh tokens,
//! revocations and, for logins, users, sessions, authorization codes, consents and
//! pending authorization requests, with two implementations: [`FileStore`] (a data directory, the
//! default of `jot serve`) and [`MemoryStore`] (nothing survives the process); with
//! the cargo feature `postgres`, a third: `PostgresStore` (a PostgreSQL database
//! that several issuer instances share).
//!
//! # Designed for a shared store
//!
//! Every method is one small, self-contained operation on one record, so a
//! database can back several issuer instances:
//!
//! - [`IssuerStore::consume_refresh`] is the one compare-and-set that refresh-token
//!   rotation needs: exactly one caller may turn a given refresh token from unused to
//!   used (SQL: `UPDATE … SET used_at = $now WHERE hash = $1 AND used_at IS NULL
//!   RETURNING …`; Redis: a Lua script or `RENAME` of the key). The loser of a race
//!   sees [`Consumed::Reused`], which the issuer treats as reuse.
//! - [`IssuerStore::consume_code`] is the same compare-and-set for authorization
//!   codes: one caller turns a code from unused to used, and records what it issued
//!   so a second use can revoke it.
//! - [`IssuerStore::insert_user`] creates a user only if no user has the username
//!   (case-insensitively): a unique index in SQL.
//! - [`IssuerStore::take_pending`] removes a pending authorization request and says
//!   whether it was there, so a form submitted twice completes once.
//! - [`IssuerStore::add_key`] is compare-and-set on the current key id, so two
//!   instances rotating on the same schedule produce one new key, not two.
//! - Nothing is cached by the store contract itself: the issuer reloads keys on its
//!   maintenance tick, so a key rotated by one instance is signed with by all of them
//!   within one tick (see `docs/ISSUER.md`).
//!
//! Records are plain serde types: a database implementation can keep each one as a
//! JSON document beside the few columns it indexes on (token hash, family, `jti`,
//! expiry).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use jot_algorithms::{Algorithm, Jwk};
use serde::{Deserialize, Serialize};

mod file;
mod login;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;

pub use file::FileStore;
pub use login::{
    CodeConsumed, CodeIssued, CodeRecord, ConsentRecord, FamilyOwner, PendingRecord, SessionRecord,
    UserRecord, username_key,
};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{
    DEFAULT_POOL_MAX_SIZE, DEFAULT_POOL_TIMEOUT, DEFAULT_QUERY_TIMEOUT, PasswordSource,
    PostgresConfig, PostgresError, PostgresStore, SCHEMA_VERSION, SslMode, redact_url,
};

/// How long a used or expired authorization code is kept after its expiry (so a
/// late second use is still recognised as reuse), in seconds.
pub const CODE_RETENTION: u64 = 10 * 60;

/// The future every [`IssuerStore`] method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Persistent state of an issuer. Times are seconds since the Unix epoch, from the
/// issuer's clock; the store never reads the time itself.
///
/// Implementations must make each method atomic with respect to the others (see the
/// [module documentation](self)) and must not hold a lock across an `.await`.
pub trait IssuerStore: Send + Sync + 'static {
    /// Every signing key known: the current one (with its private key) and retired
    /// ones still published (public part only).
    fn load_keys(&self) -> StoreFuture<'_, Vec<StoredKey>>;

    /// Makes `key` the current signing key **if** the current key (the newest one
    /// not retired, whether or not its private key is still there) is still
    /// `replaces` (`None`: there is no current key yet). The replaced key gets
    /// `retired_at = now` and loses its private key. Returns `false`, changing
    /// nothing, when another writer rotated first.
    fn add_key<'a>(
        &'a self,
        key: StoredKey,
        replaces: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, bool>;

    /// Forgets a retired key (once no token it signed can still be valid).
    fn remove_key<'a>(&'a self, kid: &'a str) -> StoreFuture<'a, ()>;

    /// The client with this id.
    fn get_client<'a>(&'a self, client_id: &'a str) -> StoreFuture<'a, Option<ClientRecord>>;

    /// Every client.
    fn list_clients(&self) -> StoreFuture<'_, Vec<ClientRecord>>;

    /// Adds or replaces a client.
    fn put_client(&self, client: ClientRecord) -> StoreFuture<'_, ()>;

    /// Stores a new, unused refresh token.
    fn insert_refresh(&self, record: RefreshRecord) -> StoreFuture<'_, ()>;

    /// The refresh token with this hash and its state, without changing anything.
    fn get_refresh<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> StoreFuture<'a, Option<(RefreshRecord, RefreshState)>>;

    /// Marks an active refresh token used, atomically. Returns what was found; only
    /// [`Consumed::Fresh`] changed the store.
    fn consume_refresh<'a>(&'a self, token_hash: &'a str, now: u64) -> StoreFuture<'a, Consumed>;

    /// Revokes every refresh token of a family, now and until `until` (by then every
    /// member has expired and the mark can be pruned).
    fn revoke_family<'a>(&'a self, family: &'a str, until: u64) -> StoreFuture<'a, ()>;

    /// Records that the access token with this `jti` is revoked until it expires at `exp`.
    fn revoke_access<'a>(&'a self, jti: &'a str, exp: u64) -> StoreFuture<'a, ()>;

    /// Whether the access token with this `jti` was revoked.
    fn is_access_revoked<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, bool>;

    /// Revokes every refresh-token family with a token of this session or subject
    /// (logout, a user disabled or removed), until `until` or the latest expiry of
    /// the family's tokens, whichever is later. Returns how many families it marked.
    fn revoke_families_of<'a>(
        &'a self,
        owner: FamilyOwner<'a>,
        until: u64,
    ) -> StoreFuture<'a, usize>;

    /// Deletes refresh tokens, family marks, revocations, sessions, authorization
    /// codes and pending requests that expired at or before `now`. Returns how
    /// many records went.
    fn prune(&self, now: u64) -> StoreFuture<'_, usize>;

    /// The user with this `sub`.
    fn get_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, Option<UserRecord>>;

    /// The user with this username, compared by [`username_key`] (case-insensitive).
    fn find_user<'a>(&'a self, username: &'a str) -> StoreFuture<'a, Option<UserRecord>>;

    /// Every user, by username.
    fn list_users(&self) -> StoreFuture<'_, Vec<UserRecord>>;

    /// Adds a user **if** no user has the same [`username_key`] and no user has
    /// the same `sub`. Returns `false`, changing nothing, otherwise.
    fn insert_user(&self, user: UserRecord) -> StoreFuture<'_, bool>;

    /// Replaces the stored user with the same `sub` and username. Returns `false`,
    /// changing nothing, when there is none (or its username differs).
    fn update_user(&self, user: UserRecord) -> StoreFuture<'_, bool>;

    /// Deletes a user and its consents. Returns whether it existed.
    fn remove_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, bool>;

    /// Stores a new login session.
    fn insert_session(&self, session: SessionRecord) -> StoreFuture<'_, ()>;

    /// The session whose cookie hashes to `id_hash`.
    fn get_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>>;

    /// Ends a session; returns it if it existed.
    fn remove_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>>;

    /// Ends every session of a user; returns how many there were.
    fn remove_sessions_of<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, usize>;

    /// Stores a new, unused authorization code.
    fn insert_code(&self, code: CodeRecord) -> StoreFuture<'_, ()>;

    /// The authorization code with this hash (used or not), without changing anything.
    fn get_code<'a>(&'a self, code_hash: &'a str) -> StoreFuture<'a, Option<CodeRecord>>;

    /// Marks an unused code used, atomically, recording what its exchange issues.
    /// Only [`CodeConsumed::Fresh`] changed the store; [`CodeConsumed::Reused`]
    /// carries what the first use issued.
    fn consume_code<'a>(
        &'a self,
        code_hash: &'a str,
        issued: CodeIssued,
    ) -> StoreFuture<'a, CodeConsumed>;

    /// The consent `sub` gave `client_id`.
    fn get_consent<'a>(
        &'a self,
        sub: &'a str,
        client_id: &'a str,
    ) -> StoreFuture<'a, Option<ConsentRecord>>;

    /// Adds or replaces a consent.
    fn put_consent(&self, consent: ConsentRecord) -> StoreFuture<'_, ()>;

    /// Adds or replaces a pending authorization request.
    fn put_pending(&self, pending: PendingRecord) -> StoreFuture<'_, ()>;

    /// The pending authorization request with this id.
    fn get_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>>;

    /// Removes a pending authorization request, atomically: only one caller gets it.
    fn take_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>>;
}

/// A signing key as stored.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredKey {
    /// The key id (the RFC 7638 thumbprint for keys the issuer generates).
    pub kid: String,
    /// The algorithm it signs for.
    pub alg: Algorithm,
    /// When it was created.
    pub created_at: u64,
    /// When it stopped signing; `None` for the current key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<u64>,
    /// The public key, as published (with `kid`, `alg`, `use`).
    pub public_jwk: Jwk,
    /// The private key as PKCS#8 PEM; present only while the key is current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_pem: Option<PrivateKeyPem>,
}

/// A PKCS#8 PEM private key. Its `Debug` shows nothing of the key.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct PrivateKeyPem(pub String);

/// A registered client: its id, its secret's hash and what it may ask for.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClientRecord {
    /// The `client_id`.
    pub client_id: String,
    /// The secret's PBKDF2-HMAC-SHA256 hash (`pbkdf2-sha256$i=…$salt$hash`), never the secret.
    pub secret_hash: String,
    /// The scopes it may be granted; a request without `scope` gets all of them.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The `aud` of its tokens; empty means the issuer's default audience.
    #[serde(default)]
    pub audience: Vec<String>,
    /// When it was registered.
    pub created_at: u64,
    /// The name shown on the login and consent pages (default: the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A public client (`token_endpoint_auth_method=none`): no secret, PKCE only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
    /// The redirect URIs of the authorization code flow, compared exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may send the browser back to, compared exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_logout_redirect_uris: Vec<String>,
    /// A client of the issuer's own operator: no consent page.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_party: bool,
    /// May introspect every token (a resource server); otherwise only its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub introspect: bool,
}

/// A refresh token as stored: its hash, never the token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RefreshRecord {
    /// SHA-256 of the token, base64url.
    pub token_hash: String,
    /// The rotation family: every token obtained by refreshing shares its first one's.
    pub family: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The user (`sub`).
    pub subject: String,
    /// The scopes granted.
    #[serde(default)]
    pub scope: Vec<String>,
    /// The audience of the access tokens it yields.
    #[serde(default)]
    pub audience: Vec<String>,
    /// The application's own claims copied into every access token it yields.
    #[serde(default)]
    pub claims: serde_json::Map<String, serde_json::Value>,
    /// When it was issued.
    pub issued_at: u64,
    /// When it expires.
    pub expires_at: u64,
    /// The login session it came from (the ID token's `sid`), for grants of the
    /// authorization code flow: logout revokes its family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// When the user authenticated (the ID token's `auth_time`), for grants of the
    /// authorization code flow: refreshes then return an ID token too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<u64>,
    /// The user claims the client asked for in its ID tokens (`claims` parameter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_token_claims: Vec<String>,
}

/// The state of a stored refresh token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefreshState {
    /// Never used, family not revoked (it may still have expired: compare `expires_at`).
    Active,
    /// Already exchanged for a new one.
    Used,
    /// Its family was revoked (reuse detected, logout or RFC 7009 revocation).
    Revoked,
}

/// What [`IssuerStore::consume_refresh`] found.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Consumed {
    /// It was active and is now used: the caller may issue its successor.
    Fresh(RefreshRecord),
    /// It had been used before (or a concurrent caller won the race): reuse.
    Reused(RefreshRecord),
    /// Its family is revoked.
    Revoked,
    /// It expired.
    Expired,
    /// No such token.
    Unknown,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A stored record could not be read back.
    #[error("{path}: corrupt record ({reason})")]
    Corrupt {
        /// The file (or key) of the record.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The data directory was written by an incompatible version.
    #[error("{path}: unsupported store format {found} (this version reads format {expected})")]
    Format {
        /// The format marker file.
        path: std::path::PathBuf,
        /// The format found.
        found: u32,
        /// The format this version reads and writes.
        expected: u32,
    },
    /// [`FileStore::open_existing`](crate::store::FileStore::open_existing) found
    /// no data directory of an issuer at this path (no directory, or no
    /// `jot-store.json` in it).
    #[error("{path}: no data directory of an issuer here (no jot-store.json)")]
    NotAStore {
        /// The directory.
        path: std::path::PathBuf,
    },
    /// The store cannot be reached now (a database down or unreachable, no
    /// connection free within the wait limit, a call past its time limit): the
    /// same call may succeed later.
    #[error("store unavailable: {source}")]
    Unavailable {
        /// What failed.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A blocking store task was cancelled (the runtime is shutting down).
    #[error("store task cancelled")]
    Cancelled,
    /// An error of another store implementation (a database driver's, say).
    #[error(transparent)]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

impl fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .field("private_pem", &self.private_pem)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for PrivateKeyPem {
    /// Never shows the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKeyPem(..)")
    }
}

impl StoredKey {
    /// Whether this key was never retired: a candidate for the current signing key
    /// (the newest such key is the current one). A current key without its
    /// [`private_pem`](StoredKey::private_pem) lost its private part; the issuer
    /// refuses to start on it ([`IssuerError::MissingPrivateKey`](crate::IssuerError::MissingPrivateKey)).
    pub fn is_current(&self) -> bool {
        self.retired_at.is_none()
    }
}

/// The current key among `keys`: the newest not retired (its private key may be
/// missing: the caller decides what that means).
pub(crate) fn current_key(keys: &[StoredKey]) -> Option<&StoredKey> {
    keys.iter()
        .filter(|k| k.is_current())
        .max_by(|a, b| (a.created_at, &a.kid).cmp(&(b.created_at, &b.kid)))
}

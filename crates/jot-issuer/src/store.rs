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
//! - [`IssuerStore::add_next_key`] is compare-and-set on the current key id and
//!   the absence of a next key, so two instances rotating on the same schedule
//!   publish one next key, not two; [`IssuerStore::promote_key`] makes it current
//!   only if the current key is still the one it replaces, so they promote it
//!   once; [`IssuerStore::add_key`] (the first key, an emergency rotation) is
//!   compare-and-set on the current key id.
//! - Nothing is cached by the store contract itself: the issuer reloads keys on its
//!   maintenance tick, so a key rotated by one instance is published and signed
//!   with by all of them within one tick (see `docs/ISSUER.md`).
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
mod measured;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod replay;

pub use file::FileStore;
pub use login::{
    CodeConsumed, CodeIssued, CodeRecord, ConsentRecord, FamilyOwner, PendingRecord, SessionRecord,
    UserRecord, username_key,
};
pub(crate) use measured::Measured;
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{
    DEFAULT_POOL_MAX_SIZE, DEFAULT_POOL_TIMEOUT, DEFAULT_QUERY_TIMEOUT, PasswordSource,
    PostgresConfig, PostgresError, PostgresStore, SCHEMA_VERSION, SslMode, redact_url,
};
pub use replay::StoreReplayCache;

/// How long a used or expired authorization code is kept after its expiry (so a
/// late second use is still recognised as reuse), in seconds.
pub const CODE_RETENTION: u64 = 10 * 60;

/// The future every [`IssuerStore`] method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

// A new method, defaulted or not, is delegated in `store/measured.rs` too.
/// Persistent state of an issuer. Times are seconds since the Unix epoch, from the
/// issuer's clock; the store never reads the time itself.
///
/// Implementations must make each method atomic with respect to the others (see the
/// [module documentation](self)) and must not hold a lock across an `.await`.
pub trait IssuerStore: Send + Sync + 'static {
    /// Every signing key known: the current one and the next one (with their
    /// private keys), and retired ones still published (public part only).
    fn load_keys(&self) -> StoreFuture<'_, Vec<StoredKey>>;

    /// Makes `key` the current signing key at once **if** the current key (the
    /// newest one neither retired nor next, whether or not its private key is
    /// still there) is still `replaces` (`None`: there is no current key yet). The
    /// replaced key gets `retired_at = now` and loses its private key; a next key
    /// waiting to be promoted is deleted (it never signed). Returns `false`,
    /// changing nothing, when another writer rotated first. For the first key and
    /// emergency rotations; planned rotations go through
    /// [`add_next_key`](IssuerStore::add_next_key).
    fn add_key<'a>(
        &'a self,
        key: StoredKey,
        replaces: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, bool>;

    /// Adds `key` (with [`StoredKey::next`] set) as the next signing key —
    /// published, not signing yet — **if** `current` is still the current key and
    /// there is no next key yet. Returns `false`, changing nothing, otherwise.
    fn add_next_key<'a>(&'a self, key: StoredKey, current: &'a str) -> StoreFuture<'a, bool>;

    /// Makes the next key `kid` the current one **if** it is still the next key
    /// and `replaces` is still the current key: `kid` gets `next = false` and
    /// `promoted_at = now`; `replaces` gets `retired_at = now` and loses its
    /// private key. Returns `false`, changing nothing, otherwise (another instance
    /// promoted first, or an emergency rotation replaced both).
    fn promote_key<'a>(
        &'a self,
        kid: &'a str,
        replaces: &'a str,
        now: u64,
    ) -> StoreFuture<'a, bool>;

    /// Replaces the stored private key of the current or next key `kid` by `new`
    /// **if** it is still `old` (sealing it under a new key-encryption key).
    /// Returns `false`, changing nothing, otherwise (the key was retired, or its
    /// private key changed meanwhile).
    fn replace_private_key<'a>(
        &'a self,
        kid: &'a str,
        old: &'a PrivateKeyPem,
        new: PrivateKeyPem,
    ) -> StoreFuture<'a, bool>;

    /// Whether private keys in this store must be sealed with a key-encryption key
    /// ([`kek`](crate::kek)): `true` for stores whose data leaves the issuer's
    /// machine (a database server, its backups). The issuer refuses to start on
    /// such a store without a KEK ([`KekError::Required`](crate::kek::KekError::Required)).
    /// Default `false`.
    fn requires_kek(&self) -> bool {
        false
    }

    /// Forgets a retired key (once no token it signed can still be valid).
    fn remove_key<'a>(&'a self, kid: &'a str) -> StoreFuture<'a, ()>;

    /// The client with this id.
    fn get_client<'a>(&'a self, client_id: &'a str) -> StoreFuture<'a, Option<ClientRecord>>;

    /// Every client.
    fn list_clients(&self) -> StoreFuture<'_, Vec<ClientRecord>>;

    /// Adds or replaces a client.
    fn put_client(&self, client: ClientRecord) -> StoreFuture<'_, ()>;

    /// Replaces the secret hash of the client `client_id` by `new` **if** it is
    /// still `old`, keeping the rest of the record: the issuer re-hashes a secret
    /// stored in an earlier format once it has verified. Returns `false`, changing
    /// nothing, otherwise (the client was removed, or its secret changed meanwhile).
    ///
    /// The default reads the client and writes it back with
    /// [`put_client`](IssuerStore::put_client), which is not atomic: a store that
    /// several writers share overrides it with one compare-and-set (the stores of
    /// this crate do).
    fn replace_client_secret_hash<'a>(
        &'a self,
        client_id: &'a str,
        old: &'a str,
        new: String,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            match self.get_client(client_id).await? {
                Some(mut client) if client.secret_hash == old => {
                    client.secret_hash = new;
                    self.put_client(client).await?;
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
    }

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

    /// Records `id` (the digest of a DPoP proof's `jti`) as used until `until`:
    /// `true` the first time, `false` while an earlier record is alive at `now`.
    /// Atomic: of concurrent calls with one `id`, exactly one sees `true`, across
    /// every instance sharing the store. Records end at `until` ([`prune`](IssuerStore::prune)
    /// deletes them).
    fn use_once<'a>(&'a self, id: &'a str, until: u64, now: u64) -> StoreFuture<'a, bool>;

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

    /// Whether the store can be reached now: a cheap round trip (the readiness
    /// check of `GET /readyz`), `Ok(())` or the error a call would fail with
    /// ([`StoreError::Unavailable`] for a database that is down).
    ///
    /// The default reads the signing keys ([`load_keys`](IssuerStore::load_keys)),
    /// a few small records; a store with a cheaper probe (a database's `SELECT 1`)
    /// overrides it.
    fn ping(&self) -> StoreFuture<'_, ()> {
        let keys = self.load_keys();
        Box::pin(async move { keys.await.map(drop) })
    }
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
    /// When it stopped signing; `None` for the current and the next key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<u64>,
    /// The next signing key: published since `created_at`, not signing yet; the
    /// issuer promotes it ([`IssuerStore::promote_key`]) once every verifier can
    /// have fetched it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub next: bool,
    /// When it was promoted from next to current; `None` for a key that signed
    /// from its creation (the first key, an emergency rotation) and for the next key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promoted_at: Option<u64>,
    /// The public key, as published (with `kid`, `alg`, `use`).
    pub public_jwk: Jwk,
    /// The private key as the issuer stores it (a PKCS#8 PEM, or one sealed with a
    /// [key-encryption key](crate::kek)); present only while the key is current
    /// or next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_pem: Option<PrivateKeyPem>,
}

/// A private key as the issuer stores it: a PKCS#8 PEM, or a PKCS#8 PEM sealed
/// with a [key-encryption key](crate::kek) (`-----BEGIN JOT SEALED PRIVATE
/// KEY-----`). Stores keep it as opaque text. Its `Debug` shows nothing of the key.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct PrivateKeyPem(pub String);

/// A registered client: its id, its secret's hash and what it may ask for.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClientRecord {
    /// The `client_id`.
    pub client_id: String,
    /// The secret's hash, never the secret: an argon2id PHC string
    /// (`$argon2id$v=19$m=…,t=…,p=1$salt$hash`), or a PBKDF2 hash of an earlier
    /// format (`pbkdf2-sha256$…`) until the secret next verifies; empty for a
    /// public client.
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
    /// May exchange access tokens it receives for tokens aimed at another
    /// resource (RFC 8693).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub token_exchange: bool,
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
    /// The RFC 7638 thumbprint of the DPoP key it is bound to (a public client's,
    /// RFC 9449 §5): refreshing it needs a proof made with that key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_jkt: Option<String>,
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

impl StoreError {
    /// Whether the store could not be reached ([`StoreError::Unavailable`]): the same
    /// call may succeed later, so the issuer answers `503` with `Retry-After`
    /// rather than `500`.
    ///
    /// ```
    /// use jot_issuer::store::StoreError;
    ///
    /// let down = StoreError::Unavailable { source: "connection refused".into() };
    /// assert!(down.is_unavailable());
    /// assert!(!StoreError::Cancelled.is_unavailable());
    /// ```
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}

impl fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .field("next", &self.next)
            .field("promoted_at", &self.promoted_at)
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
    /// Whether this key was never retired and is not the next key: a candidate
    /// for the current signing key (the one signing since the latest is the
    /// current one). A current key without its
    /// [`private_pem`](StoredKey::private_pem) lost its private part; the issuer
    /// refuses to start on it ([`IssuerError::MissingPrivateKey`](crate::IssuerError::MissingPrivateKey)).
    pub fn is_current(&self) -> bool {
        self.retired_at.is_none() && !self.next
    }

    /// Since when it signs (or signed): its promotion, else its creation.
    pub fn signing_since(&self) -> u64 {
        self.promoted_at.unwrap_or(self.created_at)
    }
}

/// The current key among `keys`: the newest neither retired nor next (its private
/// key may be missing: the caller decides what that means).
pub(crate) fn current_key(keys: &[StoredKey]) -> Option<&StoredKey> {
    keys.iter().filter(|k| k.is_current()).max_by(|a, b| {
        (a.signing_since(), a.created_at, &a.kid).cmp(&(b.signing_since(), b.created_at, &b.kid))
    })
}

/// The next key among `keys`, if one waits to be promoted (the newest, should a
/// store hold two).
pub(crate) fn next_key(keys: &[StoredKey]) -> Option<&StoredKey> {
    keys.iter()
        .filter(|k| k.next && k.retired_at.is_none())
        .max_by(|a, b| (a.created_at, &a.kid).cmp(&(b.created_at, &b.kid)))
}

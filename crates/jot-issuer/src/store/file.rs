//! [`FileStore`]: the issuer's state as files in a data directory.
//!
//! ```text
//! DATA_DIR/                      mode 0700
//!   jot-store.json               {"format":2}
//!   keys/D(KID).json             public JWK, alg, created_at, retired_at
//!   keys/D(KID).key.pem          PKCS#8 private key, mode 0600 (current key only)
//!   clients/D(ID).json           client_id, secret_hash, scopes, audience
//!   refresh/D(HASH).json         an unused refresh token (SHA-256 of it, base64url)
//!   refresh/D(HASH).used         the same record once exchanged (renamed)
//!   families/D(FAMILY).revoked   a revoked refresh-token family, until its expiry
//!   revoked/D(JTI).json          a revoked access token, until its exp
//!   users/D(SUB).json            a user: sub, username, argon2id hash, name, email…
//!   usernames/D(USERNAME).json   {"sub": …}: the unique index of lowercase usernames
//!   sessions/D(HASH).json        a login session (SHA-256 of its cookie)
//!   codes/D(HASH).json           an unused authorization code (SHA-256 of it)
//!   codes/D(HASH).used           the same once exchanged, with what it issued
//!   consents/D(SUB)/D(CLIENT).json  a user's consent to a client's scopes
//!   pending/D(ID).json           an authorization request waiting for login or consent
//! ```
//!
//! `D(x)` is the SHA-256 of `x`, base64url: 43 characters whatever the id, so
//! nothing a client or user sends reaches a file name and no id is too long for
//! the file system. A directory of format 1 (which named keys, clients, refresh
//! tokens and families after the id itself) is renamed to this layout when opened.
//!
//! Every file is written to a temporary name (`.tmp-…`) in the same directory,
//! flushed with `fsync`, renamed over its final name, and the directory is synced: a
//! crash leaves the old file or the new one, never half of one, and possibly a
//! temporary file, which the next [`FileStore::open`] removes once it is a minute
//! old. Every file is created with mode 0600; a directory that other users can
//! reach is tightened to 0700 when the store opens (with a warning in the log).
//!
//! Consuming a refresh token is a `rename` of `HASH.json` to `HASH.used`, which only
//! one caller can win, even across processes sharing the directory; authorization
//! codes are consumed the same way, and pending requests taken by a `rename` to a
//! private name. A new user's username index is created by a `link`, which fails
//! if the name exists: two `jot user add` of one name cannot both succeed.
//!
//! # Locks
//!
//! Reads and single-file writes take no lock: each file is replaced by one
//! `rename`, so a reader sees the old record or the new one. Only the
//! read-modify-write operations take an in-process lock, one per kind of record:
//! keys (rotation's compare-and-set), revoked families (their expiry only grows),
//! users (the username index) and authorization codes (a use is a rename, then a
//! write of what it issued). So a revocation that waits for its `fsync` never
//! holds up a client looking up its record to get a token.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::{
    ClientRecord, CodeConsumed, CodeIssued, CodeRecord, ConsentRecord, Consumed, FamilyOwner,
    IssuerStore, PendingRecord, PrivateKeyPem, RefreshRecord, RefreshState, SessionRecord,
    StoreError, StoreFuture, StoredKey, UserRecord,
};
mod atomic;
mod housekeeping;
mod keys;
mod layout;
mod login;
mod migrate;

use atomic::{
    create_dir, create_private, exists, io_error, list, parse, read_json, remove, sync_dir,
    vanished, write_file, write_json,
};
use layout::{Layout, digest, hold};
use login::take;

/// The format this version reads and writes.
const FORMAT: u32 = 2;
const MARKER: &str = "jot-store.json";

/// An [`IssuerStore`] in a data directory (layout in `docs/ISSUER.md`: keys, clients,
/// refresh tokens, revocations, each a file written atomically). Clones share the
/// directory and its in-process locks.
///
/// One directory serves one issuer process; other processes may run
/// a [`KeyRotation`](crate::KeyRotation) on it (the running issuer picks the
/// new key up on its next maintenance tick). Several instances need a shared
/// database store instead (`docs/ISSUER.md`).
#[derive(Clone, Debug)]
pub struct FileStore {
    root: Arc<PathBuf>,
    locks: Arc<Locks>,
}

/// The in-process locks of the read-modify-write operations (see the module
/// documentation). They guard no data, only the order of file operations.
#[derive(Debug, Default)]
struct Locks {
    keys: Mutex<()>,
    families: Mutex<()>,
    users: Mutex<()>,
    /// A code's use is a rename then a write of what it issued: a reader in
    /// between would see a used code that issued nothing.
    codes: Mutex<()>,
    /// A used id's record is read, then written when absent or ended.
    used: Mutex<()>,
    /// A client's secret hash is replaced by a read, a compare and a write; a
    /// client written meanwhile must not be overwritten with its old settings.
    clients: Mutex<()>,
}

#[derive(Serialize, Deserialize)]
struct Marker {
    format: u32,
}

/// A revoked family's mark.
#[derive(Serialize, Deserialize)]
struct Until {
    until: u64,
    /// The family (absent in format 1, which named the file after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    family: Option<String>,
}

/// A used id's record ([`IssuerStore::use_once`]).
#[derive(Serialize, Deserialize)]
struct Used {
    until: u64,
}

#[derive(Serialize, Deserialize)]
struct Revoked {
    jti: String,
    exp: u64,
}

const DIRS: [&str; 12] = [
    "keys",
    "clients",
    "refresh",
    "families",
    "revoked",
    "used",
    "users",
    "usernames",
    "sessions",
    "codes",
    "consents",
    "pending",
];

impl FileStore {
    /// Opens the store in `dir`, creating the directory (mode 0700) and its layout
    /// if needed. Refuses a directory written in another store format (format 1 is
    /// upgraded in place).
    ///
    /// Also, on Unix: a data directory (or one of its subdirectories) that group
    /// or others may access is tightened to mode 0700, with a warning in the log
    /// (an error if that fails); temporary files that a crash left behind are
    /// removed once they are a minute old (younger ones may belong to another
    /// process writing right now, such as a `rotate_key`).
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let store = jot_issuer::store::FileStore::open(dir.path().join("issuer"))?;
    /// assert!(store.path().join("jot-store.json").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(dir: impl AsRef<Path>) -> Result<FileStore, StoreError> {
        let root = dir.as_ref().to_path_buf();
        create_dir(&root)?;
        housekeeping::tighten(&root)?;
        let marker = root.join(MARKER);
        let format = match fs::read(&marker) {
            Ok(bytes) => parse::<Marker>(&marker, &bytes)?.format,
            Err(e) if e.kind() == io::ErrorKind::NotFound => FORMAT,
            Err(e) => return Err(io_error(&marker, e)),
        };
        if format != FORMAT && format != 1 {
            return Err(StoreError::Format {
                path: marker,
                found: format,
                expected: FORMAT,
            });
        }
        for sub in DIRS {
            let path = root.join(sub);
            create_dir(&path)?;
            housekeeping::tighten(&path)?;
        }
        housekeeping::remove_stale_temporaries(&root, &DIRS)?;
        let store = FileStore {
            root: Arc::new(root),
            locks: Arc::default(),
        };
        if format == 1 {
            migrate::from_format_1(&store.layout())?;
            tracing::info!(target: "jot_issuer", path = %store.root.display(), "data directory upgraded to store format 2");
        }
        if format == 1 || !exists(&marker)? {
            write_json(&marker, &Marker { format: FORMAT })?;
        }
        Ok(store)
    }

    /// Opens the store of an existing data directory, as [`FileStore::open`] does,
    /// but never creates one: a path that is no directory, or a directory without
    /// `jot-store.json` (one no issuer wrote), is [`StoreError::NotAStore`] and
    /// nothing is created. For the tools that work on an issuer's data (rotating
    /// its key, managing its users), where a mistyped path must not start a new
    /// issuer.
    ///
    /// ```
    /// use jot_issuer::store::{FileStore, StoreError};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let typo = dir.path().join("isuser");
    /// assert!(matches!(FileStore::open_existing(&typo), Err(StoreError::NotAStore { .. })));
    /// assert!(!typo.exists());
    /// FileStore::open(dir.path().join("issuer"))?;
    /// FileStore::open_existing(dir.path().join("issuer"))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_existing(dir: impl AsRef<Path>) -> Result<FileStore, StoreError> {
        let root = dir.as_ref();
        let marker = root.join(MARKER);
        if !marker.try_exists().map_err(|e| io_error(&marker, e))? {
            return Err(StoreError::NotAStore {
                path: root.to_path_buf(),
            });
        }
        FileStore::open(root)
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    fn layout(&self) -> Layout<'_> {
        Layout {
            root: &self.root,
            locks: &self.locks,
        }
    }

    /// Runs `op` on the blocking pool (it takes the locks it needs itself).
    fn run<T, F>(&self, op: F) -> StoreFuture<'static, T>
    where
        T: Send + 'static,
        F: FnOnce(&Layout<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let this = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || op(&this.layout()))
                .await
                .map_err(|_| StoreError::Cancelled)?
        })
    }
}

impl IssuerStore for FileStore {
    fn load_keys(&self) -> StoreFuture<'_, Vec<StoredKey>> {
        self.run(|l| {
            let _keys = hold(&l.locks.keys);
            l.load_keys()
        })
    }

    fn add_key<'a>(
        &'a self,
        key: StoredKey,
        replaces: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        let replaces = replaces.map(str::to_owned);
        self.run(move |l| {
            let _keys = hold(&l.locks.keys);
            l.add_key(key, replaces.as_deref(), now)
        })
    }

    fn add_next_key<'a>(&'a self, key: StoredKey, current: &'a str) -> StoreFuture<'a, bool> {
        let current = current.to_owned();
        self.run(move |l| {
            let _keys = hold(&l.locks.keys);
            l.add_next_key(key, &current)
        })
    }

    fn promote_key<'a>(
        &'a self,
        kid: &'a str,
        replaces: &'a str,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        let (kid, replaces) = (kid.to_owned(), replaces.to_owned());
        self.run(move |l| {
            let _keys = hold(&l.locks.keys);
            l.promote_key(&kid, &replaces, now)
        })
    }

    fn replace_private_key<'a>(
        &'a self,
        kid: &'a str,
        old: &'a PrivateKeyPem,
        new: PrivateKeyPem,
    ) -> StoreFuture<'a, bool> {
        let (kid, old) = (kid.to_owned(), old.clone());
        self.run(move |l| {
            let _keys = hold(&l.locks.keys);
            l.replace_private_key(&kid, &old, &new)
        })
    }

    fn remove_key<'a>(&'a self, kid: &'a str) -> StoreFuture<'a, ()> {
        let kid = kid.to_owned();
        self.run(move |l| {
            let _keys = hold(&l.locks.keys);
            l.remove_key(&kid)
        })
    }

    fn get_client<'a>(&'a self, client_id: &'a str) -> StoreFuture<'a, Option<ClientRecord>> {
        let id = client_id.to_owned();
        self.run(move |l| read_json(&l.client(&id)))
    }

    fn list_clients(&self) -> StoreFuture<'_, Vec<ClientRecord>> {
        self.run(|l| {
            let mut clients = Vec::new();
            for path in list(&l.dir("clients"), ".json")? {
                if let Some(client) = read_json::<ClientRecord>(&path)? {
                    clients.push(client);
                }
            }
            clients.sort_by(|a, b| a.client_id.cmp(&b.client_id));
            Ok(clients)
        })
    }

    fn put_client(&self, client: ClientRecord) -> StoreFuture<'_, ()> {
        self.run(move |l| {
            let _clients = hold(&l.locks.clients);
            write_json(&l.client(&client.client_id), &client)
        })
    }

    fn replace_client_secret_hash<'a>(
        &'a self,
        client_id: &'a str,
        old: &'a str,
        new: String,
    ) -> StoreFuture<'a, bool> {
        let (id, old) = (client_id.to_owned(), old.to_owned());
        self.run(move |l| {
            let _clients = hold(&l.locks.clients);
            let path = l.client(&id);
            match read_json::<ClientRecord>(&path)? {
                Some(mut client) if client.secret_hash == old => {
                    client.secret_hash = new;
                    write_json(&path, &client)?;
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
    }

    fn insert_refresh(&self, record: RefreshRecord) -> StoreFuture<'_, ()> {
        self.run(move |l| write_json(&l.refresh(&record.token_hash, false), &record))
    }

    fn get_refresh<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> StoreFuture<'a, Option<(RefreshRecord, RefreshState)>> {
        let hash = token_hash.to_owned();
        self.run(move |l| {
            let (record, used) = match read_json::<RefreshRecord>(&l.refresh(&hash, false))? {
                Some(record) => (record, false),
                None => match read_json::<RefreshRecord>(&l.refresh(&hash, true))? {
                    Some(record) => (record, true),
                    None => return Ok(None),
                },
            };
            let state = if l.family_revoked(&record.family)? {
                RefreshState::Revoked
            } else if used {
                RefreshState::Used
            } else {
                RefreshState::Active
            };
            Ok(Some((record, state)))
        })
    }

    fn consume_refresh<'a>(&'a self, token_hash: &'a str, now: u64) -> StoreFuture<'a, Consumed> {
        let hash = token_hash.to_owned();
        self.run(move |l| {
            let fresh = l.refresh(&hash, false);
            let used = l.refresh(&hash, true);
            let (record, was_used) = match read_json::<RefreshRecord>(&fresh)? {
                Some(record) => (record, false),
                None => match read_json::<RefreshRecord>(&used)? {
                    Some(record) => (record, true),
                    None => return Ok(Consumed::Unknown),
                },
            };
            if l.family_revoked(&record.family)? {
                return Ok(Consumed::Revoked);
            }
            if record.expires_at <= now {
                return Ok(Consumed::Expired);
            }
            if was_used {
                return Ok(Consumed::Reused(record));
            }
            match fs::rename(&fresh, &used) {
                Ok(()) => {
                    sync_dir(&fresh)?;
                    Ok(Consumed::Fresh(record))
                }
                // Another process renamed it first: this is the second use.
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Consumed::Reused(record)),
                Err(e) => Err(io_error(&fresh, e)),
            }
        })
    }

    fn revoke_family<'a>(&'a self, family: &'a str, until: u64) -> StoreFuture<'a, ()> {
        let family = family.to_owned();
        self.run(move |l| {
            let _families = hold(&l.locks.families);
            l.mark_family(&family, until)
        })
    }

    fn revoke_access<'a>(&'a self, jti: &'a str, exp: u64) -> StoreFuture<'a, ()> {
        let jti = jti.to_owned();
        self.run(move |l| {
            write_json(
                &l.revoked(&jti),
                &Revoked {
                    jti: jti.clone(),
                    exp,
                },
            )
        })
    }

    fn is_access_revoked<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, bool> {
        let jti = jti.to_owned();
        self.run(move |l| exists(&l.revoked(&jti)))
    }

    fn use_once<'a>(&'a self, id: &'a str, until: u64, now: u64) -> StoreFuture<'a, bool> {
        let id = id.to_owned();
        self.run(move |l| {
            let _used = hold(&l.locks.used);
            let path = l.used(&id);
            if read_json::<Used>(&path)?.is_some_and(|u| u.until > now) {
                return Ok(false);
            }
            write_json(&path, &Used { until })?;
            Ok(true)
        })
    }

    fn prune(&self, now: u64) -> StoreFuture<'_, usize> {
        self.run(move |l| {
            let mut removed = 0;
            for ext in [".json", ".used"] {
                for path in list(&l.dir("refresh"), ext)? {
                    if read_json::<RefreshRecord>(&path)?.is_some_and(|r| r.expires_at <= now) {
                        remove(&path)?;
                        removed += 1;
                    }
                }
            }
            {
                let _families = hold(&l.locks.families);
                for path in list(&l.dir("families"), ".revoked")? {
                    if read_json::<Until>(&path)?.is_some_and(|u| u.until <= now) {
                        remove(&path)?;
                        removed += 1;
                    }
                }
            }
            {
                let _used = hold(&l.locks.used);
                for path in list(&l.dir("used"), ".json")? {
                    if read_json::<Used>(&path)?.is_some_and(|u| u.until <= now) {
                        remove(&path)?;
                        removed += 1;
                    }
                }
            }
            for path in list(&l.dir("revoked"), ".json")? {
                if read_json::<Revoked>(&path)?.is_some_and(|r| r.exp <= now) {
                    remove(&path)?;
                    removed += 1;
                }
            }
            removed += l.prune_login(now)?;
            Ok(removed)
        })
    }

    fn revoke_families_of<'a>(
        &'a self,
        owner: FamilyOwner<'a>,
        until: u64,
    ) -> StoreFuture<'a, usize> {
        let owner = owner.to_owned_key();
        self.run(move |l| l.revoke_families_of(owner.as_ref(), until))
    }

    fn get_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, Option<UserRecord>> {
        let sub = sub.to_owned();
        self.run(move |l| l.get_user(&sub))
    }

    fn find_user<'a>(&'a self, username: &'a str) -> StoreFuture<'a, Option<UserRecord>> {
        let username = username.to_owned();
        self.run(move |l| l.find_user(&username))
    }

    fn list_users(&self) -> StoreFuture<'_, Vec<UserRecord>> {
        self.run(|l| l.list_users())
    }

    fn insert_user(&self, user: UserRecord) -> StoreFuture<'_, bool> {
        self.run(move |l| l.insert_user(&user))
    }

    fn update_user(&self, user: UserRecord) -> StoreFuture<'_, bool> {
        self.run(move |l| l.update_user(&user))
    }

    fn remove_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, bool> {
        let sub = sub.to_owned();
        self.run(move |l| l.remove_user(&sub))
    }

    fn insert_session(&self, session: SessionRecord) -> StoreFuture<'_, ()> {
        self.run(move |l| write_json(&l.session(&session.id_hash), &session))
    }

    fn get_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        let id_hash = id_hash.to_owned();
        self.run(move |l| read_json(&l.session(&id_hash)))
    }

    fn remove_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        let id_hash = id_hash.to_owned();
        self.run(move |l| take(&l.session(&id_hash)))
    }

    fn remove_sessions_of<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, usize> {
        let sub = sub.to_owned();
        self.run(move |l| l.remove_sessions_of(&sub))
    }

    fn insert_code(&self, code: CodeRecord) -> StoreFuture<'_, ()> {
        self.run(move |l| write_json(&l.code(&code.code_hash, false), &code))
    }

    fn get_code<'a>(&'a self, code_hash: &'a str) -> StoreFuture<'a, Option<CodeRecord>> {
        let hash = code_hash.to_owned();
        self.run(move |l| {
            let _codes = hold(&l.locks.codes);
            l.get_code(&hash)
        })
    }

    fn consume_code<'a>(
        &'a self,
        code_hash: &'a str,
        issued: CodeIssued,
    ) -> StoreFuture<'a, CodeConsumed> {
        let hash = code_hash.to_owned();
        self.run(move |l| {
            let _codes = hold(&l.locks.codes);
            l.consume_code(&hash, issued)
        })
    }

    fn get_consent<'a>(
        &'a self,
        sub: &'a str,
        client_id: &'a str,
    ) -> StoreFuture<'a, Option<ConsentRecord>> {
        let (sub, client_id) = (sub.to_owned(), client_id.to_owned());
        self.run(move |l| read_json(&l.consent(&sub, &client_id)))
    }

    fn put_consent(&self, consent: ConsentRecord) -> StoreFuture<'_, ()> {
        self.run(move |l| {
            let path = l.consent(&consent.sub, &consent.client_id);
            create_dir(path.parent().unwrap_or(l.root))?;
            write_json(&path, &consent)
        })
    }

    fn put_pending(&self, pending: PendingRecord) -> StoreFuture<'_, ()> {
        self.run(move |l| write_json(&l.pending(&pending.id), &pending))
    }

    fn get_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>> {
        let id = id.to_owned();
        self.run(move |l| read_json(&l.pending(&id)))
    }

    fn take_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>> {
        let id = id.to_owned();
        self.run(move |l| take(&l.pending(&id)))
    }

    /// Reads the format marker: the directory is there and readable.
    fn ping(&self) -> StoreFuture<'_, ()> {
        self.run(|l| {
            let marker = l.root.join(MARKER);
            let bytes = fs::read(&marker).map_err(|e| io_error(&marker, e))?;
            parse::<Marker>(&marker, &bytes).map(drop)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_digests() {
        let dir = Path::new("/data");
        let locks = Locks::default();
        let l = Layout {
            root: dir,
            locks: &locks,
        };
        let long = "x".repeat(10_000);
        for path in [
            l.client("../etc"),
            l.client(&long),
            l.client(""),
            l.key_meta("a/b"),
            l.refresh(&long, true),
            l.family("\n"),
        ] {
            let name = path.file_name().unwrap().to_str().unwrap();
            assert_eq!(name.split('.').next().unwrap().len(), 43, "{name}");
            assert_eq!(path.parent().unwrap().parent().unwrap(), dir);
        }
    }

    /// Reads and single-file writes never wait for the read-modify-write locks:
    /// a revocation holding them does not hold up a client's lookup.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lookups_and_single_writes_take_no_lock() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path()).unwrap();
        // Another thread holds every lock until the lookups are done.
        let locks = Arc::clone(&store.locks);
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let holder = std::thread::spawn(move || {
            let _all = (
                hold(&locks.keys),
                hold(&locks.families),
                hold(&locks.users),
                hold(&locks.codes),
            );
            held_tx.send(()).unwrap();
            release_rx.recv().ok();
        });
        held_rx.recv().unwrap();
        let work = async {
            store.get_client("billing").await.unwrap();
            store.revoke_access("jti-1", 10).await.unwrap();
            assert!(store.is_access_revoked("jti-1").await.unwrap());
            store.get_refresh("hash").await.unwrap();
        };
        let done = tokio::time::timeout(std::time::Duration::from_secs(20), work).await;
        release_tx.send(()).unwrap();
        holder.join().unwrap();
        done.expect("a lookup waited for a lock");
    }
}

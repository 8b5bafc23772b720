//! Where each record of a [`FileStore`](super::FileStore) lives (`D(id)`: the
//! SHA-256 of its id), the store's locks, and the key and family operations the
//! other modules share.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::{KeyMeta, Locks, Until, exists, io_error, list, read_json, vanished, write_json};
use crate::secret;
use crate::store::{PrivateKeyPem, StoreError, StoredKey};

/// Paths inside the data directory, and its locks.
pub(super) struct Layout<'a> {
    pub(super) root: &'a Path,
    pub(super) locks: &'a Locks,
}

/// Takes one of the store's locks.
pub(super) fn hold(lock: &Mutex<()>) -> MutexGuard<'_, ()> {
    // The locks guard no data, only the order of file operations.
    lock.lock().unwrap_or_else(|e| e.into_inner())
}

/// The fixed-length file name of an id: its SHA-256, base64url (43 characters).
pub(super) fn digest(id: &str) -> String {
    secret::sha256_b64(id.as_bytes())
}

impl Layout<'_> {
    pub(super) fn dir(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
    pub(super) fn key_meta(&self, kid: &str) -> PathBuf {
        self.dir("keys").join(format!("{}.json", digest(kid)))
    }
    pub(super) fn key_pem(&self, kid: &str) -> PathBuf {
        self.dir("keys").join(format!("{}.key.pem", digest(kid)))
    }
    pub(super) fn client(&self, id: &str) -> PathBuf {
        self.dir("clients").join(format!("{}.json", digest(id)))
    }
    pub(super) fn refresh(&self, hash: &str, used: bool) -> PathBuf {
        let ext = if used { "used" } else { "json" };
        self.dir("refresh").join(format!("{}.{ext}", digest(hash)))
    }
    pub(super) fn family(&self, family: &str) -> PathBuf {
        self.dir("families")
            .join(format!("{}.revoked", digest(family)))
    }
    pub(super) fn revoked(&self, jti: &str) -> PathBuf {
        self.dir("revoked").join(format!("{}.json", digest(jti)))
    }

    /// Every key; the caller holds the keys lock.
    pub(super) fn load_keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        let mut keys = Vec::new();
        for path in list(&self.dir("keys"), ".json")? {
            let mut meta: KeyMeta = read_json(&path)?.ok_or_else(|| vanished(&path))?;
            let mut private_pem = None;
            if meta.retired_at.is_none() {
                let pem_path = self.key_pem(&meta.kid);
                match fs::read_to_string(&pem_path) {
                    Ok(pem) => private_pem = Some(PrivateKeyPem(pem)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        // Another process may have retired the key between the two
                        // reads: then its record says so now.
                        if let Some(again) = read_json::<KeyMeta>(&path)? {
                            meta = again;
                        }
                    }
                    Err(e) => return Err(io_error(&pem_path, e)),
                }
            }
            keys.push(StoredKey {
                kid: meta.kid,
                alg: meta.alg,
                created_at: meta.created_at,
                retired_at: meta.retired_at,
                public_jwk: meta.public_jwk,
                private_pem,
            });
        }
        Ok(keys)
    }

    pub(super) fn family_revoked(&self, family: &str) -> Result<bool, StoreError> {
        exists(&self.family(family))
    }

    /// Marks `family` revoked until `until` at least; the caller holds the
    /// families lock.
    pub(super) fn mark_family(&self, family: &str, until: u64) -> Result<(), StoreError> {
        let path = self.family(family);
        let until = match read_json::<Until>(&path)? {
            Some(old) => old.until.max(until),
            None => until,
        };
        write_json(
            &path,
            &Until {
                until,
                family: Some(family.to_owned()),
            },
        )
    }
}

//! Where each record of a [`FileStore`](super::FileStore) lives (`D(id)`: the
//! SHA-256 of its id), the store's locks, and the family operations the other
//! modules share (the keys' are in `keys.rs`).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::{Locks, Until, exists, read_json, write_json};
use crate::secret;
use crate::store::StoreError;

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
    pub(super) fn used(&self, id: &str) -> PathBuf {
        self.dir("used").join(format!("{}.json", digest(id)))
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

//! The signing keys of a [`FileStore`](super::FileStore): `keys/D(KID).json` (the
//! public record) and `keys/D(KID).key.pem` (the private key, as the issuer stores
//! it, while the key is current or next). Every operation here runs under the
//! keys lock, which the caller holds.
//!
//! Writes are ordered so that a crash between two of them leaves a state the next
//! load reads sensibly: a new key's private key before its record; a promotion
//! marks the new key current before it retires the old one (two current keys:
//! the one promoted last wins); a key is unpublished record first, private key
//! after.

use std::fs;
use std::io;

use serde::{Deserialize, Serialize};

use super::{Layout, io_error, list, read_json, remove, vanished, write_file, write_json};
use crate::store::{PrivateKeyPem, StoreError, StoredKey, current_key, next_key};

/// The public record of a key (`keys/D(KID).json`).
#[derive(Serialize, Deserialize)]
pub(super) struct KeyMeta {
    pub(super) kid: String,
    alg: jot_algorithms::Algorithm,
    created_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retired_at: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    next: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    promoted_at: Option<u64>,
    public_jwk: jot_algorithms::Jwk,
}

impl Layout<'_> {
    /// Every key.
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
                        // Another process may have retired (or, for a next key,
                        // dropped) the key between the two reads: then its record
                        // says so now.
                        match read_json::<KeyMeta>(&path)? {
                            Some(again) => meta = again,
                            None => continue,
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
                next: meta.next,
                promoted_at: meta.promoted_at,
                public_jwk: meta.public_jwk,
                private_pem,
            });
        }
        Ok(keys)
    }

    /// [`IssuerStore::add_key`](crate::store::IssuerStore::add_key).
    pub(super) fn add_key(
        &self,
        key: StoredKey,
        replaces: Option<&str>,
        now: u64,
    ) -> Result<bool, StoreError> {
        let keys = self.load_keys()?;
        let current = current_key(&keys);
        if current.map(|k| k.kid.as_str()) != replaces {
            return Ok(false);
        }
        let key = StoredKey { next: false, ..key };
        self.write_key(&key)?;
        if let Some(old) = current {
            self.retire(old, now)?;
        }
        for next in keys.iter().filter(|k| k.next) {
            self.remove_key(&next.kid)?;
        }
        Ok(true)
    }

    /// [`IssuerStore::add_next_key`](crate::store::IssuerStore::add_next_key).
    pub(super) fn add_next_key(&self, key: StoredKey, current: &str) -> Result<bool, StoreError> {
        let keys = self.load_keys()?;
        let is_current = current_key(&keys).is_some_and(|k| k.kid == current);
        if !is_current || next_key(&keys).is_some() {
            return Ok(false);
        }
        self.write_key(&StoredKey {
            next: true,
            retired_at: None,
            promoted_at: None,
            ..key
        })?;
        Ok(true)
    }

    /// [`IssuerStore::promote_key`](crate::store::IssuerStore::promote_key).
    pub(super) fn promote_key(
        &self,
        kid: &str,
        replaces: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let keys = self.load_keys()?;
        let (Some(old), Some(new)) = (current_key(&keys), next_key(&keys)) else {
            return Ok(false);
        };
        if old.kid != replaces || new.kid != kid {
            return Ok(false);
        }
        let promoted = KeyMeta {
            next: false,
            promoted_at: Some(now),
            ..KeyMeta::from(new)
        };
        write_json(&self.key_meta(&new.kid), &promoted)?;
        self.retire(old, now)?;
        Ok(true)
    }

    /// [`IssuerStore::replace_private_key`](crate::store::IssuerStore::replace_private_key).
    pub(super) fn replace_private_key(
        &self,
        kid: &str,
        old: &PrivateKeyPem,
        new: &PrivateKeyPem,
    ) -> Result<bool, StoreError> {
        let keys = self.load_keys()?;
        let found = keys
            .iter()
            .any(|k| k.kid == kid && k.retired_at.is_none() && k.private_pem.as_ref() == Some(old));
        if found {
            write_file(&self.key_pem(kid), new.0.as_bytes())?;
        }
        Ok(found)
    }

    /// Forgets a key: its record, then its private key.
    pub(super) fn remove_key(&self, kid: &str) -> Result<(), StoreError> {
        remove(&self.key_meta(kid))?;
        remove(&self.key_pem(kid))
    }

    /// Writes a new key: its private key first, then its record.
    fn write_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        if let Some(pem) = &key.private_pem {
            write_file(&self.key_pem(&key.kid), pem.0.as_bytes())?;
        }
        write_json(&self.key_meta(&key.kid), &KeyMeta::from(key))
    }

    /// Retires `old` at `now`: its record says so, then its private key goes.
    fn retire(&self, old: &StoredKey, now: u64) -> Result<(), StoreError> {
        let retired = KeyMeta {
            retired_at: Some(now),
            ..KeyMeta::from(old)
        };
        write_json(&self.key_meta(&old.kid), &retired)?;
        remove(&self.key_pem(&old.kid))
    }
}

impl From<&StoredKey> for KeyMeta {
    fn from(key: &StoredKey) -> Self {
        KeyMeta {
            kid: key.kid.clone(),
            alg: key.alg,
            created_at: key.created_at,
            retired_at: key.retired_at,
            next: key.next,
            promoted_at: key.promoted_at,
            public_jwk: key.public_jwk.clone(),
        }
    }
}

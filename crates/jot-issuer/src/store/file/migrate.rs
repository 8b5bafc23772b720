//! Format 1 → 2: format 1 named keys, clients, refresh tokens and revoked families
//! after the id itself (or `=` and its base64url), which a long id made too long
//! for the file system; format 2 names every record by the digest of its id.
//!
//! Each step is a `rename` (or, for family marks, which did not hold their id, a
//! write then a removal), so an upgrade interrupted half-way is finished by the
//! next open, and two processes opening the directory at once do no harm.

use std::fs;
use std::io;
use std::path::Path;

use jot_codec::base64url;

use super::keys::KeyMeta;
use super::{Layout, Until, io_error, list, read_json, remove, sync_dir};
use crate::store::{ClientRecord, RefreshRecord, StoreError};

/// Renames every record of a format-1 directory to its format-2 name.
pub(super) fn from_format_1(l: &Layout<'_>) -> Result<(), StoreError> {
    let keys = l.dir("keys");
    for path in list(&keys, ".json")? {
        let Some(meta) = read_json::<KeyMeta>(&path)? else {
            continue;
        };
        // The private key first: until the record moves, this key is found by
        // neither name, and a retry finds the record under its old name.
        let old_pem = keys.join(format!("{}.key.pem", old_name(&meta.kid)));
        move_to(&old_pem, &l.key_pem(&meta.kid))?;
        move_to(&path, &l.key_meta(&meta.kid))?;
    }
    for path in list(&l.dir("clients"), ".json")? {
        if let Some(client) = read_json::<ClientRecord>(&path)? {
            move_to(&path, &l.client(&client.client_id))?;
        }
    }
    for (ext, used) in [(".json", false), (".used", true)] {
        for path in list(&l.dir("refresh"), ext)? {
            if let Some(record) = read_json::<RefreshRecord>(&path)? {
                move_to(&path, &l.refresh(&record.token_hash, used))?;
            }
        }
    }
    for path in list(&l.dir("families"), ".revoked")? {
        let Some(mark) = read_json::<Until>(&path)? else {
            continue;
        };
        if mark.family.is_some() {
            continue; // Written in format 2.
        }
        let family = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".revoked"))
            .and_then(old_id)
            .ok_or_else(|| StoreError::Corrupt {
                path: path.clone(),
                reason: "a format-1 family mark whose name is no family id".into(),
            })?;
        let _families = super::hold(&l.locks.families);
        l.mark_family(&family, mark.until)?;
        remove(&path)?;
    }
    Ok(())
}

/// The format-1 file name of an id: the id itself when it is plain base64url-safe
/// text of at most 128 bytes, else `=` and its base64url.
fn old_name(id: &str) -> String {
    let plain = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        id.to_owned()
    } else {
        format!("={}", base64url::encode(id.as_bytes()))
    }
}

/// The id a format-1 file name stands for.
fn old_id(name: &str) -> Option<String> {
    match name.strip_prefix('=') {
        Some(encoded) => String::from_utf8(base64url::decode(encoded).ok()?).ok(),
        None => Some(name.to_owned()),
    }
}

/// Renames `from` to `to` unless it is already there or gone (another process
/// moved it).
fn move_to(from: &Path, to: &Path) -> Result<(), StoreError> {
    if from == to {
        return Ok(());
    }
    match fs::rename(from, to) {
        Ok(()) => sync_dir(to),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(from, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_names_round_trip() {
        for id in ["dev-client_1", "../etc", "", "a/b", "p\u{e4}ss"] {
            let name = old_name(id);
            assert!(!name.contains('/'));
            assert_eq!(old_id(&name).as_deref(), Some(id));
        }
        assert_eq!(old_name("dev"), "dev");
        assert_eq!(old_id("=!!"), None);
    }
}

//! The login records of a [`FileStore`](super::FileStore): users and their
//! username index, sessions, authorization codes, consents, pending requests.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{
    Layout, create_private, digest, exists, hold, io_error, list, read_json, remove, sync_dir,
    write_json,
};
use crate::secret;
use crate::store::{
    CODE_RETENTION, CodeConsumed, CodeIssued, CodeRecord, FamilyOwner, PendingRecord,
    RefreshRecord, SessionRecord, StoreError, UserRecord, username_key,
};

/// A username index entry.
#[derive(Serialize, Deserialize)]
struct UsernameEntry {
    sub: String,
}

/// A [`FamilyOwner`] that can move to the blocking pool.
pub(super) enum OwnedFamilyOwner {
    Session(String),
    Subject(String),
}

impl OwnedFamilyOwner {
    pub(super) fn as_ref(&self) -> FamilyOwner<'_> {
        match self {
            OwnedFamilyOwner::Session(sid) => FamilyOwner::Session(sid),
            OwnedFamilyOwner::Subject(sub) => FamilyOwner::Subject(sub),
        }
    }
}

impl FamilyOwner<'_> {
    pub(super) fn to_owned_key(self) -> OwnedFamilyOwner {
        match self {
            FamilyOwner::Session(sid) => OwnedFamilyOwner::Session(sid.to_owned()),
            FamilyOwner::Subject(sub) => OwnedFamilyOwner::Subject(sub.to_owned()),
        }
    }
}

impl Layout<'_> {
    fn user(&self, sub: &str) -> PathBuf {
        self.dir("users").join(format!("{}.json", digest(sub)))
    }
    fn username(&self, username: &str) -> PathBuf {
        self.dir("usernames")
            .join(format!("{}.json", digest(&username_key(username))))
    }
    pub(super) fn session(&self, id_hash: &str) -> PathBuf {
        self.dir("sessions")
            .join(format!("{}.json", digest(id_hash)))
    }
    pub(super) fn code(&self, code_hash: &str, used: bool) -> PathBuf {
        let ext = if used { "used" } else { "json" };
        self.dir("codes")
            .join(format!("{}.{ext}", digest(code_hash)))
    }
    fn consents_of(&self, sub: &str) -> PathBuf {
        self.dir("consents").join(digest(sub))
    }
    pub(super) fn consent(&self, sub: &str, client_id: &str) -> PathBuf {
        self.consents_of(sub)
            .join(format!("{}.json", digest(client_id)))
    }
    pub(super) fn pending(&self, id: &str) -> PathBuf {
        self.dir("pending").join(format!("{}.json", digest(id)))
    }

    pub(super) fn get_user(&self, sub: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(read_json::<UserRecord>(&self.user(sub))?.filter(|u| u.sub == sub))
    }

    pub(super) fn find_user(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let Some(entry) = read_json::<UsernameEntry>(&self.username(username))? else {
            return Ok(None);
        };
        let key = username_key(username);
        Ok(self
            .get_user(&entry.sub)?
            .filter(|u| username_key(&u.username) == key))
    }

    pub(super) fn list_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let mut users = Vec::new();
        for path in list(&self.dir("users"), ".json")? {
            if let Some(user) = read_json::<UserRecord>(&path)? {
                // A record whose index entry is missing or another user's is the
                // leftover of an interrupted insert: not a user.
                if self
                    .find_user(&user.username)?
                    .is_some_and(|u| u.sub == user.sub)
                {
                    users.push(user);
                }
            }
        }
        users.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(users)
    }

    /// The user record first, then its index entry, created with `link` (which
    /// fails if the name exists, even for another process). An entry whose user
    /// record is gone (a removal interrupted half-way) is taken over.
    pub(super) fn insert_user(&self, user: &UserRecord) -> Result<bool, StoreError> {
        let _users = hold(&self.locks.users);
        let record = self.user(&user.sub);
        if exists(&record)? {
            return Ok(false);
        }
        write_json(&record, user)?;
        let index = self.username(&user.username);
        let entry = UsernameEntry {
            sub: user.sub.clone(),
        };
        if create_new_json(&index, &entry)? {
            return Ok(true);
        }
        let owner = read_json::<UsernameEntry>(&index)?.map(|e| e.sub);
        let dangling = match &owner {
            Some(sub) => !exists(&self.user(sub))?,
            None => true,
        };
        if dangling {
            remove(&index)?;
            if create_new_json(&index, &entry)?
                && read_json::<UsernameEntry>(&index)?.is_some_and(|e| e.sub == user.sub)
            {
                return Ok(true);
            }
        }
        remove(&record)?;
        Ok(false)
    }

    pub(super) fn update_user(&self, user: &UserRecord) -> Result<bool, StoreError> {
        let _users = hold(&self.locks.users);
        match self.get_user(&user.sub)? {
            Some(stored) if stored.username == user.username => {
                write_json(&self.user(&user.sub), user)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    pub(super) fn remove_user(&self, sub: &str) -> Result<bool, StoreError> {
        let _users = hold(&self.locks.users);
        let Some(user) = self.get_user(sub)? else {
            return Ok(false);
        };
        remove(&self.user(sub))?;
        let index = self.username(&user.username);
        if read_json::<UsernameEntry>(&index)?.is_some_and(|e| e.sub == sub) {
            remove(&index)?;
        }
        let consents = self.consents_of(sub);
        match fs::remove_dir_all(&consents) {
            Ok(()) => sync_dir(&consents)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&consents, e)),
        }
        Ok(true)
    }

    pub(super) fn remove_sessions_of(&self, sub: &str) -> Result<usize, StoreError> {
        let mut removed = 0;
        for path in list(&self.dir("sessions"), ".json")? {
            if read_json::<SessionRecord>(&path)?.is_some_and(|s| s.sub == sub) {
                remove(&path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    pub(super) fn get_code(&self, code_hash: &str) -> Result<Option<CodeRecord>, StoreError> {
        match read_json::<CodeRecord>(&self.code(code_hash, false))? {
            Some(code) => Ok(Some(code)),
            None => read_json(&self.code(code_hash, true)),
        }
    }

    /// `rename` of `.json` to `.used` decides the winner; the winner then records
    /// what it issues in the `.used` file.
    pub(super) fn consume_code(
        &self,
        code_hash: &str,
        issued: CodeIssued,
    ) -> Result<CodeConsumed, StoreError> {
        let fresh = self.code(code_hash, false);
        let used = self.code(code_hash, true);
        let Some(mut code) = read_json::<CodeRecord>(&fresh)? else {
            return Ok(match read_json::<CodeRecord>(&used)? {
                Some(code) => CodeConsumed::Reused(code),
                None => CodeConsumed::Unknown,
            });
        };
        match fs::rename(&fresh, &used) {
            Ok(()) => {
                code.issued = Some(issued);
                write_json(&used, &code)?;
                Ok(CodeConsumed::Fresh(code))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(CodeConsumed::Reused(
                read_json::<CodeRecord>(&used)?.unwrap_or(code),
            )),
            Err(e) => Err(io_error(&fresh, e)),
        }
    }

    pub(super) fn revoke_families_of(
        &self,
        owner: FamilyOwner<'_>,
        until: u64,
    ) -> Result<usize, StoreError> {
        let mut families: BTreeMap<String, u64> = BTreeMap::new();
        for ext in [".json", ".used"] {
            for path in list(&self.dir("refresh"), ext)? {
                if let Some(record) = read_json::<RefreshRecord>(&path)? {
                    if owner.owns(&record) {
                        let latest = families.entry(record.family).or_insert(until);
                        *latest = (*latest).max(record.expires_at);
                    }
                }
            }
        }
        let _families = hold(&self.locks.families);
        for (family, until) in &families {
            self.mark_family(family, *until)?;
        }
        Ok(families.len())
    }

    /// Expired sessions, codes (after [`CODE_RETENTION`]) and pending requests.
    pub(super) fn prune_login(&self, now: u64) -> Result<usize, StoreError> {
        let mut removed = 0;
        for path in list(&self.dir("sessions"), ".json")? {
            if read_json::<SessionRecord>(&path)?.is_some_and(|s| s.expires_at <= now) {
                remove(&path)?;
                removed += 1;
            }
        }
        for ext in [".json", ".used"] {
            for path in list(&self.dir("codes"), ext)? {
                let expired = read_json::<CodeRecord>(&path)?
                    .is_some_and(|c| c.expires_at.saturating_add(CODE_RETENTION) <= now);
                if expired {
                    remove(&path)?;
                    removed += 1;
                }
            }
        }
        for path in list(&self.dir("pending"), ".json")? {
            if read_json::<PendingRecord>(&path)?.is_some_and(|p| p.expires_at <= now) {
                remove(&path)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Reads and deletes a record, atomically: it is first renamed to a private name,
/// which only one caller (or process) can do.
pub(super) fn take<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let taken = dir.join(format!(".take-{}", random_suffix(path)?));
    match fs::rename(path, &taken) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    }
    let record = read_json(&taken);
    remove(&taken)?;
    record
}

/// Creates `path` with this JSON content unless it exists: the content goes to a
/// temporary file, which is then hard-linked to `path` (`link` never replaces).
/// Returns `false` if `path` existed.
fn create_new_json<T: Serialize>(path: &Path, value: &T) -> Result<bool, StoreError> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".tmp-{}", random_suffix(path)?));
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    bytes.push(b'\n');
    let written = (|| {
        let mut file = create_private(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()
    })();
    let linked = written.and_then(|()| fs::hard_link(&tmp, path));
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_dir(path)?;
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io_error(path, e)),
    }
}

fn random_suffix(path: &Path) -> Result<String, StoreError> {
    secret::random_token(9)
        .map_err(|_| io_error(path, io::Error::other("the system random generator failed")))
}

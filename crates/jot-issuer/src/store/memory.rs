//! [`MemoryStore`]: everything in memory, gone with the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::{
    CODE_RETENTION, ClientRecord, CodeConsumed, CodeIssued, CodeRecord, ConsentRecord, Consumed,
    FamilyOwner, IssuerStore, PendingRecord, PrivateKeyPem, RefreshRecord, RefreshState,
    SessionRecord, StoreFuture, StoredKey, UserRecord, current_key, next_key, username_key,
};

/// An [`IssuerStore`] in memory: for tests, examples and issuers whose tokens need
/// not outlive the process. Clones share the same state.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    keys: Vec<StoredKey>,
    clients: HashMap<String, ClientRecord>,
    refresh: HashMap<String, (RefreshRecord, bool)>,
    /// Revoked families and when their mark may go.
    families: HashMap<String, u64>,
    /// Revoked access tokens by `jti`, and their `exp`.
    revoked: HashMap<String, u64>,
    /// Used ids ([`IssuerStore::use_once`]) and when their record ends.
    used: HashMap<String, u64>,
    /// Users by `sub`.
    users: HashMap<String, UserRecord>,
    /// [`username_key`] → `sub`.
    usernames: HashMap<String, String>,
    sessions: HashMap<String, SessionRecord>,
    codes: HashMap<String, CodeRecord>,
    /// By (`sub`, `client_id`).
    consents: HashMap<(String, String), ConsentRecord>,
    pending: HashMap<String, PendingRecord>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// How many refresh tokens are held (used ones included).
    pub fn refresh_token_count(&self) -> usize {
        self.lock().refresh.len()
    }

    /// How many access-token revocations are held.
    pub fn revocation_count(&self) -> usize {
        self.lock().revoked.len()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every critical section below only moves values in and out of maps, so a
        // panic cannot leave the state half-changed: a poisoned lock is still sound.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn ready<T: Send + 'static>(value: T) -> StoreFuture<'static, T> {
        Box::pin(std::future::ready(Ok(value)))
    }
}

impl IssuerStore for MemoryStore {
    fn load_keys(&self) -> StoreFuture<'_, Vec<StoredKey>> {
        Self::ready(self.lock().keys.clone())
    }

    fn add_key<'a>(
        &'a self,
        key: StoredKey,
        replaces: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        let mut state = self.lock();
        let current = current_key(&state.keys).map(|k| k.kid.clone());
        if current.as_deref() != replaces {
            return Self::ready(false);
        }
        if let Some(old) = state
            .keys
            .iter_mut()
            .find(|k| Some(&k.kid) == current.as_ref())
        {
            old.retired_at = Some(now);
            old.private_pem = None;
        }
        state.keys.retain(|k| !k.next);
        state.keys.push(StoredKey { next: false, ..key });
        Self::ready(true)
    }

    fn add_next_key<'a>(&'a self, key: StoredKey, current: &'a str) -> StoreFuture<'a, bool> {
        let mut state = self.lock();
        let is_current = current_key(&state.keys).is_some_and(|k| k.kid == current);
        if !is_current || next_key(&state.keys).is_some() {
            return Self::ready(false);
        }
        state.keys.push(StoredKey {
            next: true,
            retired_at: None,
            promoted_at: None,
            ..key
        });
        Self::ready(true)
    }

    fn promote_key<'a>(
        &'a self,
        kid: &'a str,
        replaces: &'a str,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        let mut state = self.lock();
        let is_current = current_key(&state.keys).is_some_and(|k| k.kid == replaces);
        let is_next = next_key(&state.keys).is_some_and(|k| k.kid == kid);
        if !is_current || !is_next {
            return Self::ready(false);
        }
        for key in &mut state.keys {
            if key.kid == kid {
                key.next = false;
                key.promoted_at = Some(now);
            } else if key.kid == replaces {
                key.retired_at = Some(now);
                key.private_pem = None;
            }
        }
        Self::ready(true)
    }

    fn replace_private_key<'a>(
        &'a self,
        kid: &'a str,
        old: &'a PrivateKeyPem,
        new: PrivateKeyPem,
    ) -> StoreFuture<'a, bool> {
        let mut state = self.lock();
        let found = state.keys.iter_mut().find(|k| {
            k.kid == kid && k.retired_at.is_none() && k.private_pem.as_ref() == Some(old)
        });
        let replaced = found.is_some();
        if let Some(key) = found {
            key.private_pem = Some(new);
        }
        Self::ready(replaced)
    }

    fn remove_key<'a>(&'a self, kid: &'a str) -> StoreFuture<'a, ()> {
        self.lock().keys.retain(|k| k.kid != kid);
        Self::ready(())
    }

    fn get_client<'a>(&'a self, client_id: &'a str) -> StoreFuture<'a, Option<ClientRecord>> {
        Self::ready(self.lock().clients.get(client_id).cloned())
    }

    fn list_clients(&self) -> StoreFuture<'_, Vec<ClientRecord>> {
        let mut clients: Vec<_> = self.lock().clients.values().cloned().collect();
        clients.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        Self::ready(clients)
    }

    fn put_client(&self, client: ClientRecord) -> StoreFuture<'_, ()> {
        self.lock().clients.insert(client.client_id.clone(), client);
        Self::ready(())
    }

    fn replace_client_secret_hash<'a>(
        &'a self,
        client_id: &'a str,
        old: &'a str,
        new: String,
    ) -> StoreFuture<'a, bool> {
        let mut state = self.lock();
        let replaced = match state.clients.get_mut(client_id) {
            Some(client) if client.secret_hash == old => {
                client.secret_hash = new;
                true
            }
            _ => false,
        };
        Self::ready(replaced)
    }

    fn insert_refresh(&self, record: RefreshRecord) -> StoreFuture<'_, ()> {
        self.lock()
            .refresh
            .insert(record.token_hash.clone(), (record, false));
        Self::ready(())
    }

    fn get_refresh<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> StoreFuture<'a, Option<(RefreshRecord, RefreshState)>> {
        let state = self.lock();
        let found = state.refresh.get(token_hash).map(|(record, used)| {
            let status = if state.families.contains_key(&record.family) {
                RefreshState::Revoked
            } else if *used {
                RefreshState::Used
            } else {
                RefreshState::Active
            };
            (record.clone(), status)
        });
        Self::ready(found)
    }

    fn consume_refresh<'a>(&'a self, token_hash: &'a str, now: u64) -> StoreFuture<'a, Consumed> {
        let mut state = self.lock();
        let revoked = |s: &State, family: &str| s.families.contains_key(family);
        let outcome = match state.refresh.get(token_hash) {
            None => Consumed::Unknown,
            Some((record, _)) if revoked(&state, &record.family) => Consumed::Revoked,
            Some((record, _)) if record.expires_at <= now => Consumed::Expired,
            Some((record, true)) => Consumed::Reused(record.clone()),
            Some((record, false)) => Consumed::Fresh(record.clone()),
        };
        if let Consumed::Fresh(_) = outcome {
            if let Some(entry) = state.refresh.get_mut(token_hash) {
                entry.1 = true;
            }
        }
        Self::ready(outcome)
    }

    fn revoke_family<'a>(&'a self, family: &'a str, until: u64) -> StoreFuture<'a, ()> {
        let mut state = self.lock();
        let entry = state.families.entry(family.to_owned()).or_insert(until);
        *entry = (*entry).max(until);
        Self::ready(())
    }

    fn revoke_access<'a>(&'a self, jti: &'a str, exp: u64) -> StoreFuture<'a, ()> {
        self.lock().revoked.insert(jti.to_owned(), exp);
        Self::ready(())
    }

    fn is_access_revoked<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, bool> {
        Self::ready(self.lock().revoked.contains_key(jti))
    }

    fn use_once<'a>(&'a self, id: &'a str, until: u64, now: u64) -> StoreFuture<'a, bool> {
        let mut state = self.lock();
        let first = match state.used.get(id) {
            Some(end) => *end <= now,
            None => true,
        };
        if first {
            state.used.insert(id.to_owned(), until);
        }
        Self::ready(first)
    }

    fn revoke_families_of<'a>(
        &'a self,
        owner: FamilyOwner<'a>,
        until: u64,
    ) -> StoreFuture<'a, usize> {
        let mut state = self.lock();
        let mut families: HashMap<String, u64> = HashMap::new();
        for (record, _) in state.refresh.values().filter(|(r, _)| owner.owns(r)) {
            let latest = families.entry(record.family.clone()).or_insert(until);
            *latest = (*latest).max(record.expires_at);
        }
        for (family, until) in &families {
            let entry = state.families.entry(family.clone()).or_insert(*until);
            *entry = (*entry).max(*until);
        }
        Self::ready(families.len())
    }

    fn prune(&self, now: u64) -> StoreFuture<'_, usize> {
        let mut state = self.lock();
        let count = |s: &State| {
            s.refresh.len()
                + s.families.len()
                + s.revoked.len()
                + s.used.len()
                + s.sessions.len()
                + s.codes.len()
                + s.pending.len()
        };
        let before = count(&state);
        state.refresh.retain(|_, (r, _)| r.expires_at > now);
        state.families.retain(|_, until| *until > now);
        state.revoked.retain(|_, exp| *exp > now);
        state.used.retain(|_, until| *until > now);
        state.sessions.retain(|_, s| s.expires_at > now);
        state
            .codes
            .retain(|_, c| c.expires_at.saturating_add(CODE_RETENTION) > now);
        state.pending.retain(|_, p| p.expires_at > now);
        Self::ready(before - count(&state))
    }

    fn get_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, Option<UserRecord>> {
        Self::ready(self.lock().users.get(sub).cloned())
    }

    fn find_user<'a>(&'a self, username: &'a str) -> StoreFuture<'a, Option<UserRecord>> {
        let state = self.lock();
        let found = state
            .usernames
            .get(&username_key(username))
            .and_then(|sub| state.users.get(sub))
            .cloned();
        Self::ready(found)
    }

    fn list_users(&self) -> StoreFuture<'_, Vec<UserRecord>> {
        let mut users: Vec<_> = self.lock().users.values().cloned().collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        Self::ready(users)
    }

    fn insert_user(&self, user: UserRecord) -> StoreFuture<'_, bool> {
        let mut state = self.lock();
        let key = username_key(&user.username);
        if state.usernames.contains_key(&key) || state.users.contains_key(&user.sub) {
            return Self::ready(false);
        }
        state.usernames.insert(key, user.sub.clone());
        state.users.insert(user.sub.clone(), user);
        Self::ready(true)
    }

    fn update_user(&self, user: UserRecord) -> StoreFuture<'_, bool> {
        let mut state = self.lock();
        match state.users.get_mut(&user.sub) {
            Some(stored) if stored.username == user.username => {
                *stored = user;
                Self::ready(true)
            }
            _ => Self::ready(false),
        }
    }

    fn remove_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, bool> {
        let mut state = self.lock();
        let Some(user) = state.users.remove(sub) else {
            return Self::ready(false);
        };
        state.usernames.remove(&username_key(&user.username));
        state.consents.retain(|(s, _), _| s != sub);
        Self::ready(true)
    }

    fn insert_session(&self, session: SessionRecord) -> StoreFuture<'_, ()> {
        self.lock()
            .sessions
            .insert(session.id_hash.clone(), session);
        Self::ready(())
    }

    fn get_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        Self::ready(self.lock().sessions.get(id_hash).cloned())
    }

    fn remove_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        Self::ready(self.lock().sessions.remove(id_hash))
    }

    fn remove_sessions_of<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, usize> {
        let mut state = self.lock();
        let before = state.sessions.len();
        state.sessions.retain(|_, s| s.sub != sub);
        Self::ready(before - state.sessions.len())
    }

    fn insert_code(&self, code: CodeRecord) -> StoreFuture<'_, ()> {
        self.lock().codes.insert(code.code_hash.clone(), code);
        Self::ready(())
    }

    fn get_code<'a>(&'a self, code_hash: &'a str) -> StoreFuture<'a, Option<CodeRecord>> {
        Self::ready(self.lock().codes.get(code_hash).cloned())
    }

    fn consume_code<'a>(
        &'a self,
        code_hash: &'a str,
        issued: CodeIssued,
    ) -> StoreFuture<'a, CodeConsumed> {
        let mut state = self.lock();
        let outcome = match state.codes.get_mut(code_hash) {
            None => CodeConsumed::Unknown,
            Some(code) if code.issued.is_some() => CodeConsumed::Reused(code.clone()),
            Some(code) => {
                code.issued = Some(issued);
                CodeConsumed::Fresh(code.clone())
            }
        };
        Self::ready(outcome)
    }

    fn get_consent<'a>(
        &'a self,
        sub: &'a str,
        client_id: &'a str,
    ) -> StoreFuture<'a, Option<ConsentRecord>> {
        let key = (sub.to_owned(), client_id.to_owned());
        Self::ready(self.lock().consents.get(&key).cloned())
    }

    fn put_consent(&self, consent: ConsentRecord) -> StoreFuture<'_, ()> {
        let key = (consent.sub.clone(), consent.client_id.clone());
        self.lock().consents.insert(key, consent);
        Self::ready(())
    }

    fn put_pending(&self, pending: PendingRecord) -> StoreFuture<'_, ()> {
        self.lock().pending.insert(pending.id.clone(), pending);
        Self::ready(())
    }

    fn get_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>> {
        Self::ready(self.lock().pending.get(id).cloned())
    }

    fn take_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>> {
        Self::ready(self.lock().pending.remove(id))
    }

    /// Always reachable.
    fn ping(&self) -> StoreFuture<'_, ()> {
        Self::ready(())
    }
}

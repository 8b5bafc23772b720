//! [`MemoryStore`]: everything in memory, gone with the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::{
    ClientRecord, Consumed, IssuerStore, RefreshRecord, RefreshState, StoreFuture, StoredKey,
    current_key,
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
        state.keys.push(key);
        Self::ready(true)
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

    fn prune(&self, now: u64) -> StoreFuture<'_, usize> {
        let mut state = self.lock();
        let before = state.refresh.len() + state.families.len() + state.revoked.len();
        state.refresh.retain(|_, (r, _)| r.expires_at > now);
        state.families.retain(|_, until| *until > now);
        state.revoked.retain(|_, exp| *exp > now);
        let after = state.refresh.len() + state.families.len() + state.revoked.len();
        Self::ready(before - after)
    }
}

//! [`Measured`]: the store the issuer talks to, timing each call and counting its
//! failures ([`STORE_DURATION`], [`STORE_ERRORS`]) through the `metrics` facade,
//! then handing it to the configured store.

use std::sync::Arc;
use std::time::Instant;

use super::{
    ClientRecord, CodeConsumed, CodeIssued, CodeRecord, ConsentRecord, Consumed, FamilyOwner,
    IssuerStore, PendingRecord, PrivateKeyPem, RefreshRecord, RefreshState, SessionRecord,
    StoreFuture, StoredKey, UserRecord,
};
use crate::meter::{STORE_DURATION, STORE_ERRORS};

/// Wraps a store: every method of [`IssuerStore`] is delegated — the defaulted
/// ones too, so a store's own `ping` is the one called.
pub(crate) struct Measured(pub(crate) Arc<dyn IssuerStore>);

/// Times `call` and counts its failure as `operation`.
fn timed<'a, T: Send + 'a>(
    operation: &'static str,
    call: StoreFuture<'a, T>,
) -> StoreFuture<'a, T> {
    Box::pin(async move {
        let started = Instant::now();
        let result = call.await;
        metrics::histogram!(STORE_DURATION, "operation" => operation)
            .record(started.elapsed().as_secs_f64());
        if let Err(error) = &result {
            let kind = if error.is_unavailable() {
                "unavailable"
            } else {
                "other"
            };
            metrics::counter!(STORE_ERRORS, "operation" => operation, "kind" => kind).increment(1);
        }
        result
    })
}

impl IssuerStore for Measured {
    fn load_keys(&self) -> StoreFuture<'_, Vec<StoredKey>> {
        timed("load_keys", self.0.load_keys())
    }

    fn add_key<'a>(
        &'a self,
        key: StoredKey,
        replaces: Option<&'a str>,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        timed("add_key", self.0.add_key(key, replaces, now))
    }

    fn add_next_key<'a>(&'a self, key: StoredKey, current: &'a str) -> StoreFuture<'a, bool> {
        timed("add_next_key", self.0.add_next_key(key, current))
    }

    fn promote_key<'a>(
        &'a self,
        kid: &'a str,
        replaces: &'a str,
        now: u64,
    ) -> StoreFuture<'a, bool> {
        timed("promote_key", self.0.promote_key(kid, replaces, now))
    }

    fn replace_private_key<'a>(
        &'a self,
        kid: &'a str,
        old: &'a PrivateKeyPem,
        new: PrivateKeyPem,
    ) -> StoreFuture<'a, bool> {
        timed(
            "replace_private_key",
            self.0.replace_private_key(kid, old, new),
        )
    }

    fn requires_kek(&self) -> bool {
        self.0.requires_kek()
    }

    fn remove_key<'a>(&'a self, kid: &'a str) -> StoreFuture<'a, ()> {
        timed("remove_key", self.0.remove_key(kid))
    }

    fn get_client<'a>(&'a self, client_id: &'a str) -> StoreFuture<'a, Option<ClientRecord>> {
        timed("get_client", self.0.get_client(client_id))
    }

    fn list_clients(&self) -> StoreFuture<'_, Vec<ClientRecord>> {
        timed("list_clients", self.0.list_clients())
    }

    fn put_client(&self, client: ClientRecord) -> StoreFuture<'_, ()> {
        timed("put_client", self.0.put_client(client))
    }

    fn replace_client_secret_hash<'a>(
        &'a self,
        client_id: &'a str,
        old: &'a str,
        new: String,
    ) -> StoreFuture<'a, bool> {
        timed(
            "replace_client_secret_hash",
            self.0.replace_client_secret_hash(client_id, old, new),
        )
    }

    fn insert_refresh(&self, record: RefreshRecord) -> StoreFuture<'_, ()> {
        timed("insert_refresh", self.0.insert_refresh(record))
    }

    fn get_refresh<'a>(
        &'a self,
        token_hash: &'a str,
    ) -> StoreFuture<'a, Option<(RefreshRecord, RefreshState)>> {
        timed("get_refresh", self.0.get_refresh(token_hash))
    }

    fn consume_refresh<'a>(&'a self, token_hash: &'a str, now: u64) -> StoreFuture<'a, Consumed> {
        timed("consume_refresh", self.0.consume_refresh(token_hash, now))
    }

    fn revoke_family<'a>(&'a self, family: &'a str, until: u64) -> StoreFuture<'a, ()> {
        timed("revoke_family", self.0.revoke_family(family, until))
    }

    fn revoke_access<'a>(&'a self, jti: &'a str, exp: u64) -> StoreFuture<'a, ()> {
        timed("revoke_access", self.0.revoke_access(jti, exp))
    }

    fn is_access_revoked<'a>(&'a self, jti: &'a str) -> StoreFuture<'a, bool> {
        timed("is_access_revoked", self.0.is_access_revoked(jti))
    }

    fn use_once<'a>(&'a self, id: &'a str, until: u64, now: u64) -> StoreFuture<'a, bool> {
        timed("use_once", self.0.use_once(id, until, now))
    }

    fn revoke_families_of<'a>(
        &'a self,
        owner: FamilyOwner<'a>,
        until: u64,
    ) -> StoreFuture<'a, usize> {
        timed(
            "revoke_families_of",
            self.0.revoke_families_of(owner, until),
        )
    }

    fn prune(&self, now: u64) -> StoreFuture<'_, usize> {
        timed("prune", self.0.prune(now))
    }

    fn get_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, Option<UserRecord>> {
        timed("get_user", self.0.get_user(sub))
    }

    fn find_user<'a>(&'a self, username: &'a str) -> StoreFuture<'a, Option<UserRecord>> {
        timed("find_user", self.0.find_user(username))
    }

    fn list_users(&self) -> StoreFuture<'_, Vec<UserRecord>> {
        timed("list_users", self.0.list_users())
    }

    fn insert_user(&self, user: UserRecord) -> StoreFuture<'_, bool> {
        timed("insert_user", self.0.insert_user(user))
    }

    fn update_user(&self, user: UserRecord) -> StoreFuture<'_, bool> {
        timed("update_user", self.0.update_user(user))
    }

    fn remove_user<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, bool> {
        timed("remove_user", self.0.remove_user(sub))
    }

    fn insert_session(&self, session: SessionRecord) -> StoreFuture<'_, ()> {
        timed("insert_session", self.0.insert_session(session))
    }

    fn get_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        timed("get_session", self.0.get_session(id_hash))
    }

    fn remove_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        timed("remove_session", self.0.remove_session(id_hash))
    }

    fn remove_sessions_of<'a>(&'a self, sub: &'a str) -> StoreFuture<'a, usize> {
        timed("remove_sessions_of", self.0.remove_sessions_of(sub))
    }

    fn insert_code(&self, code: CodeRecord) -> StoreFuture<'_, ()> {
        timed("insert_code", self.0.insert_code(code))
    }

    fn get_code<'a>(&'a self, code_hash: &'a str) -> StoreFuture<'a, Option<CodeRecord>> {
        timed("get_code", self.0.get_code(code_hash))
    }

    fn consume_code<'a>(
        &'a self,
        code_hash: &'a str,
        issued: CodeIssued,
    ) -> StoreFuture<'a, CodeConsumed> {
        timed("consume_code", self.0.consume_code(code_hash, issued))
    }

    fn get_consent<'a>(
        &'a self,
        sub: &'a str,
        client_id: &'a str,
    ) -> StoreFuture<'a, Option<ConsentRecord>> {
        timed("get_consent", self.0.get_consent(sub, client_id))
    }

    fn put_consent(&self, consent: ConsentRecord) -> StoreFuture<'_, ()> {
        timed("put_consent", self.0.put_consent(consent))
    }

    fn put_pending(&self, pending: PendingRecord) -> StoreFuture<'_, ()> {
        timed("put_pending", self.0.put_pending(pending))
    }

    fn get_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>> {
        timed("get_pending", self.0.get_pending(id))
    }

    fn take_pending<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<PendingRecord>> {
        timed("take_pending", self.0.take_pending(id))
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        timed("ping", self.0.ping())
    }
}

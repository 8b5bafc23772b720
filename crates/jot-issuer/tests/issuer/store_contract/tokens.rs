//! The contract of the token records, for every `IssuerStore`: signing keys and
//! their rotation compare-and-set, clients, refresh tokens (consume, reuse,
//! expiry, family revocation), access-token revocations and their pruning.

use jot_algorithms::{Algorithm, SigningKey};
use jot_issuer::store::IssuerStore;
use jot_issuer::store::{
    ClientRecord, Consumed, PrivateKeyPem, RefreshRecord, RefreshState, StoredKey,
};

/// A real ES256 key, stored as the issuer stores one.
pub(crate) fn key(kid: &str, created_at: u64) -> StoredKey {
    let signing = SigningKey::generate(Algorithm::ES256)
        .unwrap()
        .with_kid(kid);
    StoredKey {
        kid: kid.into(),
        alg: Algorithm::ES256,
        created_at,
        retired_at: None,
        next: false,
        promoted_at: None,
        public_jwk: signing.verifying_key().to_jwk().unwrap(),
        private_pem: Some(PrivateKeyPem(signing.to_pkcs8_pem().unwrap())),
    }
}

pub(crate) fn client(id: &str, scopes: &[&str]) -> ClientRecord {
    ClientRecord {
        client_id: id.into(),
        secret_hash: format!("pbkdf2-sha256$i=1$salt${id}"),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        audience: vec!["https://api.test".into()],
        created_at: 5,
        name: Some(format!("Client {id}")),
        public: false,
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        first_party: false,
        introspect: true,
        token_exchange: true,
    }
}

pub(crate) fn refresh(hash: &str, family: &str, expires_at: u64) -> RefreshRecord {
    let mut claims = serde_json::Map::new();
    claims.insert("tenant".into(), serde_json::json!({"id": 7, "name": "ä"}));
    RefreshRecord {
        token_hash: hash.into(),
        family: family.into(),
        client_id: "billing".into(),
        subject: "u1".into(),
        scope: vec!["read".into(), "write".into()],
        audience: vec!["https://api.test".into()],
        claims,
        issued_at: 1,
        expires_at,
        sid: None,
        auth_time: None,
        id_token_claims: vec![],
        dpop_jkt: None,
    }
}

async fn keys_by_kid(store: &dyn IssuerStore) -> Vec<StoredKey> {
    let mut keys = store.load_keys().await.unwrap();
    keys.sort_by(|a, b| a.kid.cmp(&b.kid));
    keys
}

/// The next key, its promotion, private keys replaced, and an immediate
/// rotation dropping a next key; `k2` is the one (current) key at the start, `k3`
/// at the end.
async fn next_keys(store: &dyn IssuerStore) {
    let kids = |keys: &[StoredKey]| keys.iter().map(|k| k.kid.clone()).collect::<Vec<_>>();
    assert!(
        !store.add_next_key(key("n0", 30), "k9").await.unwrap(),
        "k9 is not current"
    );
    let next = key("n1", 30);
    assert!(store.add_next_key(next.clone(), "k2").await.unwrap());
    assert!(
        !store.add_next_key(key("n2", 31), "k2").await.unwrap(),
        "one next key at a time"
    );
    let keys = keys_by_kid(store).await;
    assert_eq!(kids(&keys), ["k2", "n1"]);
    let (current, waiting) = (&keys[0], &keys[1]);
    assert!(current.is_current() && !current.next);
    assert!(waiting.next && !waiting.is_current());
    assert_eq!(waiting.retired_at, None);
    assert_eq!(waiting.promoted_at, None);
    assert_eq!(
        waiting.private_pem, next.private_pem,
        "a next key keeps its private key"
    );
    assert_eq!(waiting.public_jwk, next.public_jwk);
    assert_eq!(waiting.created_at, 30);
    assert!(
        !store.add_key(key("k0", 32), None, 32).await.unwrap(),
        "a next key is no current key"
    );

    // A private key is replaced (sealed under a new KEK, say) only over the one stored.
    let sealed = PrivateKeyPem("sealed n1".into());
    let plain = next.private_pem.clone().unwrap();
    assert!(
        !store
            .replace_private_key("n1", &sealed, sealed.clone())
            .await
            .unwrap(),
        "not the stored private key"
    );
    assert!(
        !store
            .replace_private_key("n9", &plain, sealed.clone())
            .await
            .unwrap()
    );
    assert!(
        store
            .replace_private_key("n1", &plain, sealed.clone())
            .await
            .unwrap()
    );
    assert_eq!(
        keys_by_kid(store).await[1].private_pem.as_ref(),
        Some(&sealed)
    );

    // Promotion: only of the next key, only over the current one, once.
    assert!(!store.promote_key("n1", "k9", 40).await.unwrap());
    assert!(
        !store.promote_key("k2", "k2", 40).await.unwrap(),
        "k2 is not next"
    );
    assert!(store.promote_key("n1", "k2", 40).await.unwrap());
    assert!(
        !store.promote_key("n1", "k2", 41).await.unwrap(),
        "promoted once"
    );
    let keys = keys_by_kid(store).await;
    assert_eq!(kids(&keys), ["k2", "n1"]);
    let (old, new) = (&keys[0], &keys[1]);
    assert_eq!(old.retired_at, Some(40));
    assert!(
        old.private_pem.is_none(),
        "the replaced key loses its private key"
    );
    assert!(new.is_current() && !new.next);
    assert_eq!((new.promoted_at, new.signing_since()), (Some(40), 40));
    assert_eq!(new.private_pem.as_ref(), Some(&sealed));
    assert!(
        !store
            .replace_private_key("k2", &sealed, sealed.clone())
            .await
            .unwrap(),
        "a retired key has no private key"
    );

    // An immediate rotation drops the next key waiting.
    assert!(store.add_next_key(key("n2", 50), "n1").await.unwrap());
    assert!(store.add_key(key("k3", 60), Some("n1"), 60).await.unwrap());
    let keys = keys_by_kid(store).await;
    assert_eq!(kids(&keys), ["k2", "k3", "n1"], "n2 never signed: gone");
    assert!(keys[1].is_current() && keys[1].private_pem.is_some());
    assert_eq!(keys[2].retired_at, Some(60));
    assert!(keys.iter().all(|k| !k.next));
    assert!(!store.promote_key("n2", "k3", 70).await.unwrap());
    store.remove_key("k2").await.unwrap();
    store.remove_key("n1").await.unwrap();
    assert_eq!(kids(&keys_by_kid(store).await), ["k3"]);
}

/// A client's secret hash replaced only while it is the expected one, the rest of
/// the record kept (the client `rehash` stays in the store).
async fn client_secret_hashes(store: &dyn IssuerStore) {
    let replace = |old: &'static str, new: &'static str| {
        store.replace_client_secret_hash("rehash", old, new.to_owned())
    };
    assert!(!replace("h0", "h1").await.unwrap(), "no such client");
    let stored = ClientRecord {
        secret_hash: "h0".into(),
        ..client("rehash", &["read"])
    };
    store.put_client(stored.clone()).await.unwrap();
    assert!(!replace("hx", "h1").await.unwrap(), "not the stored hash");
    assert_eq!(
        store.get_client("rehash").await.unwrap(),
        Some(stored.clone())
    );
    assert!(replace("h0", "h1").await.unwrap());
    let expected = ClientRecord {
        secret_hash: "h1".into(),
        ..stored
    };
    assert_eq!(store.get_client("rehash").await.unwrap(), Some(expected));
    assert!(!replace("h0", "h2").await.unwrap(), "replaced already");
}

pub(crate) async fn contract(store: &dyn IssuerStore) {
    // Keys: a first key only when there is none; a rotation only from the current one.
    assert!(store.load_keys().await.unwrap().is_empty());
    let first = key("k1", 10);
    assert!(store.add_key(first.clone(), None, 10).await.unwrap());
    assert!(
        !store.add_key(key("k0", 11), None, 11).await.unwrap(),
        "a current key exists"
    );
    assert!(
        !store.add_key(key("k2", 20), Some("k9"), 20).await.unwrap(),
        "k9 is not current"
    );
    let second = key("k2", 20);
    assert!(store.add_key(second.clone(), Some("k1"), 25).await.unwrap());
    assert!(
        !store.add_key(key("k3", 30), Some("k1"), 30).await.unwrap(),
        "k1 was replaced already"
    );
    let keys = keys_by_kid(store).await;
    assert_eq!(
        keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(),
        ["k1", "k2"]
    );
    let (old, new) = (&keys[0], &keys[1]);
    assert_eq!(old.retired_at, Some(25));
    assert!(
        old.private_pem.is_none(),
        "a retired key loses its private key"
    );
    assert_eq!(old.public_jwk, first.public_jwk);
    assert_eq!((old.alg, old.created_at), (Algorithm::ES256, 10));
    assert!(new.is_current());
    assert_eq!(new.private_pem, second.private_pem);
    assert_eq!(new.public_jwk, second.public_jwk);
    store.remove_key("k1").await.unwrap();
    store.remove_key("k1").await.unwrap();
    assert_eq!(keys_by_kid(store).await.len(), 1);
    next_keys(store).await;

    // Clients: stored, replaced, listed by id.
    assert!(store.get_client("billing").await.unwrap().is_none());
    store.put_client(client("web", &["openid"])).await.unwrap();
    store
        .put_client(client("billing", &["read"]))
        .await
        .unwrap();
    store
        .put_client(client("billing", &["read", "write"]))
        .await
        .unwrap();
    assert_eq!(
        store.get_client("billing").await.unwrap(),
        Some(client("billing", &["read", "write"]))
    );
    let ids: Vec<_> = store
        .list_clients()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.client_id)
        .collect();
    assert_eq!(ids, ["billing", "web"]);
    client_secret_hashes(store).await;

    // Refresh tokens: one use, then reuse; expiry; unknown tokens.
    store
        .insert_refresh(refresh("t1", "f1", 100))
        .await
        .unwrap();
    let state = |hash: &'static str| async move {
        store
            .get_refresh(hash)
            .await
            .unwrap()
            .map(|(record, state)| (record.token_hash, state))
    };
    assert_eq!(state("t1").await, Some(("t1".into(), RefreshState::Active)));
    assert_eq!(
        store.get_refresh("t1").await.unwrap().unwrap().0,
        refresh("t1", "f1", 100),
        "the record comes back whole"
    );
    assert_eq!(
        store.consume_refresh("t1", 50).await.unwrap(),
        Consumed::Fresh(refresh("t1", "f1", 100))
    );
    assert_eq!(
        store.consume_refresh("t1", 51).await.unwrap(),
        Consumed::Reused(refresh("t1", "f1", 100))
    );
    assert_eq!(state("t1").await, Some(("t1".into(), RefreshState::Used)));
    store
        .insert_refresh(refresh("t2", "f2", 100))
        .await
        .unwrap();
    assert_eq!(
        store.consume_refresh("t2", 100).await.unwrap(),
        Consumed::Expired
    );
    assert_eq!(
        state("t2").await,
        Some(("t2".into(), RefreshState::Active)),
        "an expired token is not consumed"
    );
    assert_eq!(
        store.consume_refresh("nope", 1).await.unwrap(),
        Consumed::Unknown
    );
    assert_eq!(state("nope").await, None);

    // A revoked family: every member, used or not; the mark keeps the latest `until`.
    store
        .insert_refresh(refresh("t3", "f1", 300))
        .await
        .unwrap();
    store.revoke_family("f1", 300).await.unwrap();
    store.revoke_family("f1", 200).await.unwrap();
    assert_eq!(
        state("t1").await,
        Some(("t1".into(), RefreshState::Revoked))
    );
    assert_eq!(
        state("t3").await,
        Some(("t3".into(), RefreshState::Revoked))
    );
    assert_eq!(
        store.consume_refresh("t3", 60).await.unwrap(),
        Consumed::Revoked
    );

    // Access-token revocations.
    assert!(!store.is_access_revoked("j1").await.unwrap());
    store.revoke_access("j1", 150).await.unwrap();
    store.revoke_access("j2", 400).await.unwrap();
    assert!(store.is_access_revoked("j1").await.unwrap());

    // Pruning: refresh tokens, family marks and revocations, each at its expiry.
    assert_eq!(store.prune(99).await.unwrap(), 0, "nothing expired yet");
    assert_eq!(state("t1").await.map(|s| s.1), Some(RefreshState::Revoked));
    store.prune(150).await.unwrap();
    assert_eq!(state("t1").await, None, "expired at 100");
    assert_eq!(state("t2").await, None, "expired at 100");
    assert!(!store.is_access_revoked("j1").await.unwrap(), "exp 150");
    assert!(store.is_access_revoked("j2").await.unwrap());
    assert_eq!(state("t3").await.map(|s| s.1), Some(RefreshState::Revoked));
    // A new token of the family is still refused until the mark expires.
    store
        .insert_refresh(refresh("t4", "f1", 900))
        .await
        .unwrap();
    store.prune(299).await.unwrap();
    assert_eq!(
        store.consume_refresh("t4", 299).await.unwrap(),
        Consumed::Revoked
    );
    store.prune(300).await.unwrap();
    assert_eq!(state("t3").await, None);
    assert_eq!(
        store.consume_refresh("t4", 301).await.unwrap(),
        Consumed::Fresh(refresh("t4", "f1", 900)),
        "the mark went at 300"
    );
    store.prune(400).await.unwrap();
    assert!(!store.is_access_revoked("j2").await.unwrap());

    // Ids used once: refused while their record lives, new again after it ends.
    assert!(store.use_once("dpop:a", 500, 400).await.unwrap());
    assert!(
        !store.use_once("dpop:a", 560, 420).await.unwrap(),
        "a replay"
    );
    assert!(store.use_once("dpop:b", 470, 420).await.unwrap());
    assert!(!store.use_once("dpop:a", 600, 499).await.unwrap());
    assert!(
        store.use_once("dpop:a", 600, 500).await.unwrap(),
        "its record ended at 500"
    );
    assert!(
        !store.use_once("dpop:a", 700, 550).await.unwrap(),
        "renewed until 600"
    );
    let pruned = store.prune(470).await.unwrap();
    assert_eq!(pruned, 1, "dpop:b ended at 470");
    assert!(store.use_once("dpop:b", 900, 471).await.unwrap());
    assert!(
        !store.use_once("dpop:a", 900, 599).await.unwrap(),
        "pruning kept a live one"
    );
}

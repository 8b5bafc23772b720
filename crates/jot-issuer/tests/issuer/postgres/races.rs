//! Two `PostgresStore`s on one database — two issuer instances — racing on each
//! compare-and-set of the store: exactly one winner every time.

use std::future::Future;
use std::sync::Arc;

use jot_issuer::store::{
    CodeConsumed, CodeIssued, CodeRecord, Consumed, PendingRecord, RefreshState, UserRecord,
};
use jot_issuer::store::{IssuerStore, PostgresStore};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use super::{database, open};
use crate::store_contract::tokens::{key, refresh};
use crate::support::now;

/// Runs `n` copies of `op`, alternately on `a` and `b`, all released at once;
/// returns their results.
async fn race<T, F, Fut>(a: &PostgresStore, b: &PostgresStore, n: usize, op: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(PostgresStore, usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let mut tasks = JoinSet::new();
    for i in 0..n {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let barrier = Arc::clone(&barrier);
        let run = op(store, i);
        tasks.spawn(async move {
            barrier.wait().await;
            run.await
        });
    }
    let mut results = Vec::with_capacity(n);
    while let Some(result) = tasks.join_next().await {
        results.push(result.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_refreshes_of_one_token_on_two_stores_make_one_winner() {
    let db = database();
    let (a, b) = (open(&db).await, open(&db).await);
    let now = now();
    a.insert_refresh(refresh("hot", "family", now + 3600))
        .await
        .unwrap();
    let outcomes = race(&a, &b, 200, |store, _| async move {
        store.consume_refresh("hot", now).await.unwrap()
    })
    .await;
    let fresh = outcomes
        .iter()
        .filter(|o| matches!(o, Consumed::Fresh(_)))
        .count();
    let reused = outcomes
        .iter()
        .filter(|o| matches!(o, Consumed::Reused(r) if r.token_hash == "hot"))
        .count();
    assert_eq!((fresh, reused), (1, 199), "{outcomes:?}");
    assert_eq!(
        b.get_refresh("hot").await.unwrap().unwrap().1,
        RefreshState::Used
    );
    // What one instance revokes, the other sees at once.
    a.revoke_family("family", now + 3600).await.unwrap();
    assert_eq!(
        b.consume_refresh("hot", now).await.unwrap(),
        Consumed::Revoked
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_rotations_make_one_new_key() {
    let db = database();
    let (a, b) = (open(&db).await, open(&db).await);
    // Instances starting together on an empty database: one first key.
    let firsts: Vec<_> = (0..10).map(|i| key(&format!("first{i}"), 100)).collect();
    let added = race(&a, &b, 10, |store, i| {
        let key = firsts[i].clone();
        async move { (i, store.add_key(key, None, 100).await.unwrap()) }
    })
    .await;
    let winners: Vec<_> = added.iter().filter(|(_, won)| *won).collect();
    assert_eq!(winners.len(), 1, "{added:?}");
    let first = format!("first{}", winners[0].0);
    let keys = b.load_keys().await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].kid, first);

    // Instances rotating on the same schedule: one new key, the old one retired.
    let nexts: Vec<_> = (0..10).map(|i| key(&format!("next{i}"), 200)).collect();
    let added = race(&a, &b, 10, |store, i| {
        let key = nexts[i].clone();
        let first = first.clone();
        async move { (i, store.add_key(key, Some(&first), 200).await.unwrap()) }
    })
    .await;
    let winners: Vec<_> = added.iter().filter(|(_, won)| *won).collect();
    assert_eq!(winners.len(), 1, "{added:?}");
    let mut keys = a.load_keys().await.unwrap();
    keys.sort_by_key(|k| k.created_at);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys[0].kid, first);
    assert_eq!(keys[0].retired_at, Some(200));
    assert!(keys[0].private_pem.is_none());
    assert_eq!(keys[1].kid, format!("next{}", winners[0].0));
    assert!(keys[1].is_current());
}

/// The timeline's two compare-and-sets: instances publishing a next key at once
/// publish one; instances promoting it at once promote it once; an emergency
/// rotation racing a promotion leaves one current key.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_next_keys_and_promotions_make_one_of_each() {
    let db = database();
    let (a, b) = (open(&db).await, open(&db).await);
    assert!(a.add_key(key("k1", 100), None, 100).await.unwrap());

    let candidates: Vec<_> = (0..10).map(|i| key(&format!("n{i}"), 200)).collect();
    let added = race(&a, &b, 10, |store, i| {
        let key = candidates[i].clone();
        async move { (i, store.add_next_key(key, "k1").await.unwrap()) }
    })
    .await;
    let winners: Vec<_> = added.iter().filter(|(_, won)| *won).collect();
    assert_eq!(winners.len(), 1, "{added:?}");
    let next = format!("n{}", winners[0].0);
    let keys = b.load_keys().await.unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys.iter().filter(|k| k.next).count(), 1);

    let promoted = race(&a, &b, 10, |store, _| {
        let next = next.clone();
        async move { store.promote_key(&next, "k1", 300).await.unwrap() }
    })
    .await;
    assert_eq!(
        promoted.iter().filter(|won| **won).count(),
        1,
        "{promoted:?}"
    );
    let keys = a.load_keys().await.unwrap();
    let current: Vec<_> = keys.iter().filter(|k| k.is_current()).collect();
    assert_eq!(current.len(), 1, "{keys:?}");
    assert_eq!(current[0].kid, next);
    assert_eq!(current[0].promoted_at, Some(300));
    assert!(keys.iter().all(|k| !k.next));

    // A promotion and emergency rotations from the same current key, at once.
    assert!(a.add_next_key(key("m", 400), &next).await.unwrap());
    let outcomes = race(&a, &b, 10, |store, i| {
        let current = next.clone();
        async move {
            let won = if i == 0 {
                store.promote_key("m", &current, 500).await.unwrap()
            } else {
                let key = key(&format!("e{i}"), 500);
                store.add_key(key, Some(&current), 500).await.unwrap()
            };
            (i, won)
        }
    })
    .await;
    let winners: Vec<_> = outcomes.iter().filter(|(_, won)| *won).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let keys = b.load_keys().await.unwrap();
    let current: Vec<_> = keys.iter().filter(|k| k.is_current()).collect();
    assert_eq!(current.len(), 1, "{keys:?}");
    assert!(
        keys.iter().all(|k| !k.next),
        "promoted or dropped: {keys:?}"
    );
    match winners[0].0 {
        0 => assert_eq!(current[0].kid, "m"),
        i => {
            assert_eq!(current[0].kid, format!("e{i}"));
            assert!(
                keys.iter().all(|k| k.kid != "m"),
                "the emergency dropped m: {keys:?}"
            );
        }
    }
}

fn code(hash: &str, expires_at: u64) -> CodeRecord {
    CodeRecord {
        code_hash: hash.into(),
        client_id: "web".into(),
        redirect_uri: "https://app.example/cb".into(),
        code_challenge: "x".repeat(43),
        sub: "u1".into(),
        scope: vec!["openid".into()],
        nonce: None,
        auth_time: 1,
        sid: "s1".into(),
        id_token_claims: vec![],
        issued_at: 1,
        expires_at,
        issued: None,
        resource: None,
        dpop_jkt: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_code_redemptions_have_one_winner_and_the_losers_see_what_it_issued() {
    let db = database();
    let (a, b) = (open(&db).await, open(&db).await);
    a.insert_code(code("c1", now() + 60)).await.unwrap();
    let outcomes = race(&a, &b, 50, |store, i| async move {
        let issued = CodeIssued {
            jti: format!("jti-{i}"),
            access_expires_at: 900,
            family: Some(format!("family-{i}")),
        };
        store.consume_code("c1", issued).await.unwrap()
    })
    .await;
    let winners: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            CodeConsumed::Fresh(code) => code.issued.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    for outcome in &outcomes {
        match outcome {
            CodeConsumed::Fresh(_) => {}
            CodeConsumed::Reused(code) => assert_eq!(code.issued.as_ref(), Some(&winners[0])),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        b.get_code("c1").await.unwrap().unwrap().issued.as_ref(),
        Some(&winners[0])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_username_one_user_and_a_pending_request_taken_once() {
    let db = database();
    let (a, b) = (open(&db).await, open(&db).await);
    let names = ["Zoe", "zoe", "ZOE", "zOe"];
    let inserted = race(&a, &b, 20, |store, i| async move {
        let user = UserRecord {
            sub: format!("sub-{i}"),
            username: names[i % names.len()].into(),
            password_hash: String::new(),
            name: None,
            email: None,
            email_verified: false,
            disabled: false,
            created_at: 1,
            updated_at: 1,
        };
        store.insert_user(user).await.unwrap()
    })
    .await;
    assert_eq!(inserted.iter().filter(|won| **won).count(), 1);
    assert_eq!(b.list_users().await.unwrap().len(), 1);

    let pending = PendingRecord {
        id: "p1".into(),
        browser_hash: "b".into(),
        csrf: "c".into(),
        request: serde_json::json!({"client_id": "web"}),
        created_at: 1,
        expires_at: now() + 60,
    };
    a.put_pending(pending).await.unwrap();
    let taken = race(&a, &b, 20, |store, _| async move {
        store.take_pending("p1").await.unwrap().is_some()
    })
    .await;
    assert_eq!(taken.iter().filter(|t| **t).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dpop_proof_is_accepted_by_one_instance_only() {
    let db = database();
    let (a, b) = (open(&db).await, open(&db).await);
    let now = now();
    let first = race(&a, &b, 40, |store, _| async move {
        store.use_once("dpop:proof", now + 65, now).await.unwrap()
    })
    .await;
    assert_eq!(first.iter().filter(|won| **won).count(), 1, "{first:?}");

    // Through the issuer: two instances on one database, one proof.
    let key = jot_algorithms::SigningKey::generate(jot_algorithms::Algorithm::ES256).unwrap();
    let url = "https://auth.example.com";
    let one = jot_issuer::store::StoreReplayCache::new(Arc::new(a.clone()));
    let two = jot_issuer::store::StoreReplayCache::new(Arc::new(b.clone()));
    let proofs = |cache| jot_axum::Dpop::new().replay_cache(cache).proofs();
    let (one, two) = (proofs(one), proofs(two));
    let proof = crate::dpop::Proof::new(&key, "POST", &format!("{url}/token"), None).sign(&key);
    let mut headers = http::HeaderMap::new();
    headers.insert("dpop", proof.parse().unwrap());
    let at = jot_codec::NumericDate::from_seconds(now).unwrap();
    let method = http::Method::POST;
    let token_url = format!("{url}/token");
    let accepted = one.verify(&headers, &method, &token_url, None, at).await;
    assert!(accepted.is_ok(), "{accepted:?}");
    let replayed = two.verify(&headers, &method, &token_url, None, at).await;
    assert!(
        matches!(
            replayed,
            Err(jot_axum::ProofRefusal::Invalid(
                jot_axum::DpopError::Replayed
            ))
        ),
        "{replayed:?}"
    );
}

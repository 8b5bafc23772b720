//! Key rotation with tokens in flight: the next key published one JWKS max-age
//! plus one maintenance interval before it signs, so a verifier never meets an
//! unknown `kid`; the emergency switch; old tokens verify until they expire, new
//! ones carry the new `kid`; scheduled rotation; retired keys leave the JWKS.

use std::time::Duration;

use jot_algorithms::Algorithm;
use jot_issuer::KeyRotation;
use jot_issuer::store::{FileStore, MemoryStore};

use crate::support::{digest, files, peek, start, start_with};

/// The timeline: `rotate_key` publishes the next key at once; it signs once the
/// JWKS max-age plus the maintenance interval has passed, so a verifier that
/// fetched the set after the publication never sees an unknown `kid`.
#[tokio::test]
async fn the_next_key_is_published_before_it_signs() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start_with(FileStore::open(dir.path()).unwrap(), |b| {
        // A lead within the verifiers' 60 s leeway: the test clock runs ahead of
        // the verifier's.
        b.jwks_max_age(Duration::from_secs(30))
            .maintenance_interval(Duration::from_secs(10))
    })
    .await;
    assert_eq!(issuer.issuer.rotation_lead(), Duration::from_secs(41));
    let jwks = issuer.get("/.well-known/jwks.json").await;
    assert_eq!(jwks.header("cache-control"), Some("public, max-age=30"));
    let old = issuer.issuer.current_kid();
    let before = issuer.client_token().await;

    let rotated = issuer.issuer.rotate_key().await.unwrap();
    assert!(rotated.next);
    assert_eq!(rotated.previous.as_deref(), Some(old.as_str()));
    assert_eq!(rotated.signs_from, Some(rotated.published_at + 41));
    assert_eq!(
        issuer.issuer.next_kid().as_deref(),
        Some(rotated.kid.as_str())
    );
    assert_eq!(issuer.issuer.current_kid(), old, "the old key still signs");
    assert_eq!(
        kids(&issuer).await,
        [old.clone(), rotated.kid.clone()],
        "both published, the signing key first"
    );
    assert_eq!(peek(&issuer.client_token().await).0["kid"], old.as_str());
    assert!(
        on_disk_pem(dir.path(), &rotated.kid),
        "the next key's private key is kept"
    );
    // Asked again while it waits: the same next key.
    assert_eq!(issuer.issuer.rotate_key().await.unwrap().kid, rotated.kid);

    // A verifier fetches the set now (it holds both keys) and keeps it.
    let resource = issuer.resource_server();
    assert_eq!(resource.call(&before).await.0, 200);
    let fetched = resource.jwks.stats().fetches;

    issuer.clock.advance(40);
    issuer.issuer.maintain().await.unwrap();
    assert_eq!(issuer.issuer.current_kid(), old, "not before the lead");
    issuer.clock.advance(1);
    issuer.issuer.maintain().await.unwrap();
    assert_eq!(issuer.issuer.current_kid(), rotated.kid);
    assert_eq!(issuer.issuer.next_kid(), None);
    let after = issuer.client_token().await;
    assert_eq!(peek(&after).0["kid"], rotated.kid.as_str());
    assert_eq!(kids(&issuer).await, [rotated.kid.clone(), old.clone()]);
    assert!(
        !on_disk_pem(dir.path(), &old),
        "the retired key loses its private key"
    );

    // The verifier's copy already had the new key: no refetch, no unknown kid.
    let (status, body) = resource.call(&after).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = resource.call(&before).await;
    assert_eq!(status, 200, "the old key's tokens still verify");
    assert_eq!(resource.jwks.stats().fetches, fetched, "no refetch needed");
}

/// The emergency switch: a new key signs at once.
#[tokio::test]
async fn rotation_keeps_old_tokens_valid_and_new_ones_use_the_new_kid() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let resource = issuer.resource_server();
    let old_kid = issuer.issuer.current_kid();

    let before = issuer.client_token().await;
    assert_eq!(peek(&before).0["kid"], old_kid.as_str());
    assert_eq!(resource.call(&before).await.0, 200);
    assert_eq!(
        resource.jwks.stats().key_ids,
        std::slice::from_ref(&old_kid)
    );

    let rotated = issuer.issuer.rotate_key_now().await.unwrap();
    assert!(!rotated.next);
    assert_eq!(rotated.signs_from, Some(rotated.published_at));
    assert_eq!(rotated.previous.as_deref(), Some(old_kid.as_str()));
    assert_ne!(rotated.kid, old_kid);
    assert_eq!(issuer.issuer.current_kid(), rotated.kid);

    let after = issuer.client_token().await;
    assert_eq!(peek(&after).0["kid"], rotated.kid.as_str());
    // The resource server has only the old key cached: the unknown kid makes it refetch.
    let (status, body) = resource.call(&after).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["kid"], rotated.kid.as_str());
    let (status, body) = resource.call(&before).await;
    assert_eq!(status, 200, "old token still verifies: {body}");
    assert_eq!(body["kid"], old_kid.as_str());

    // Both keys are published; both tokens introspect as active.
    let jwks = issuer.get("/.well-known/jwks.json").await.json();
    let kids: Vec<_> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kids, [rotated.kid.clone(), old_kid.clone()]);
    assert_eq!(issuer.introspect(&before).await["active"], true);
    assert_eq!(issuer.introspect(&after).await["active"], true);
    // The retired key's private key is gone from the data directory at once.
    let on_disk = files(dir.path());
    assert_eq!(
        on_disk.iter().filter(|f| f.ends_with(".key.pem")).count(),
        1,
        "{on_disk:?}"
    );
    assert!(on_disk.contains(&format!("keys/{}.key.pem", digest(&rotated.kid))));

    // Once every token the old key signed has expired (15 min + 60 s leeway + a
    // maintenance interval for instances still signing with it), it leaves the
    // JWKS and the store.
    issuer.clock.advance(900 + 60 + 30 - 1);
    issuer.issuer.maintain().await.unwrap();
    assert_eq!(issuer.issuer.published_keys().len(), 2);
    issuer.clock.advance(1);
    issuer.issuer.maintain().await.unwrap();
    let jwks = issuer.get("/.well-known/jwks.json").await.json();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwks["keys"][0]["kid"], rotated.kid.as_str());
    assert!(!files(dir.path()).contains(&format!("keys/{}.json", digest(&old_kid))));
}

#[tokio::test]
async fn keys_rotate_on_schedule() {
    let issuer = start_with(MemoryStore::new(), |b| {
        b.algorithm(Algorithm::EdDSA)
            .rotation_interval(Some(Duration::from_secs(3600)))
    })
    .await;
    let first = issuer.issuer.current_kid();
    let token = issuer.client_token().await;
    assert_eq!(peek(&token).0["alg"], "EdDSA");

    // The next key is published one lead (300 s + 30 s + 1 s) before the hour is up…
    let lead = issuer.issuer.rotation_lead().as_secs();
    assert_eq!(lead, 331);
    issuer.clock.advance(3600 - lead - 1);
    issuer.issuer.maintain().await.unwrap();
    assert_eq!(issuer.issuer.next_kid(), None);
    issuer.clock.advance(1);
    issuer.issuer.maintain().await.unwrap();
    let second = issuer.issuer.next_kid().expect("published");
    assert_eq!(issuer.issuer.current_kid(), first);
    assert_eq!(peek(&issuer.client_token().await).0["kid"], first.as_str());
    // …and signs when it is.
    issuer.clock.advance(lead - 1);
    issuer.issuer.maintain().await.unwrap();
    assert_eq!(issuer.issuer.current_kid(), first);
    issuer.clock.advance(1);
    issuer.issuer.maintain().await.unwrap();
    assert_eq!(issuer.issuer.current_kid(), second);
    assert_ne!(second, first);
    assert_eq!(peek(&issuer.client_token().await).0["kid"], second.as_str());
    assert_eq!(issuer.issuer.published_keys().len(), 2);
}

#[tokio::test]
async fn maintenance_runs_in_the_background() {
    let issuer = start_with(MemoryStore::new(), |b| {
        b.rotation_interval(Some(Duration::from_secs(60)))
            .maintenance_interval(Duration::from_millis(20))
            .jwks_max_age(Duration::from_secs(1))
    })
    .await;
    let first = issuer.issuer.current_kid();
    let task = tokio::spawn(issuer.issuer.clone().run_maintenance());
    let waited = |done: Box<dyn Fn() -> bool + Send>| async move {
        for _ in 0..200 {
            if done() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    };
    issuer.clock.advance(60);
    let published = {
        let issuer = issuer.issuer.clone();
        waited(Box::new(move || issuer.next_kid().is_some())).await
    };
    assert!(published, "the maintenance task published the next key");
    assert_eq!(issuer.issuer.current_kid(), first);
    issuer.clock.advance(3);
    let rotated = {
        let issuer = issuer.issuer.clone();
        waited(Box::new(move || issuer.current_kid() != first)).await
    };
    task.abort();
    assert!(rotated, "the maintenance task promoted the next key");
}

#[tokio::test]
async fn hmac_is_refused_and_two_writers_rotate_once() {
    let refused = jot_issuer::Issuer::builder("http://127.0.0.1:1")
        .algorithm(Algorithm::HS256)
        .build()
        .await;
    assert!(matches!(
        refused,
        Err(jot_issuer::IssuerError::UnsupportedAlgorithm { .. })
    ));
    // Nor algorithms whose ID-token `at_hash` the issuer cannot compute.
    for alg in [Algorithm::Ed448, Algorithm::MlDsa65] {
        let refused = jot_issuer::Issuer::builder("http://127.0.0.1:1")
            .algorithm(alg)
            .build()
            .await;
        match refused {
            Err(e @ jot_issuer::IssuerError::UnsupportedAlgorithm { .. }) => {
                assert!(e.to_string().contains("at_hash"), "{alg}: {e}");
            }
            other => panic!("{alg}: {:?}", other.map(|_| ())),
        }
    }

    // Two issuers on one store (as two instances on a shared database would be):
    // a concurrent rotation by both publishes one next key, promoted once.
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let a = start_with(store.clone(), |b| b).await;
    let b = start_with(store, |b| b).await;
    let first = a.issuer.current_kid();
    let (ra, rb) = tokio::join!(a.issuer.rotate_key(), b.issuer.rotate_key());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.kid, rb.kid, "one next key");
    assert_eq!(
        files(dir.path())
            .iter()
            .filter(|f| f.ends_with(".key.pem"))
            .count(),
        2
    );
    // Each test clock started at the real time when its issuer was built: the
    // next key may be stamped a second or two ahead of the other's clock.
    for running in [&a, &b] {
        running.clock.advance(335);
    }
    let (pa, pb) = tokio::join!(a.issuer.maintain(), b.issuer.maintain());
    pa.unwrap();
    pb.unwrap();
    a.issuer.reload_keys().await.unwrap();
    assert_eq!(a.issuer.current_kid(), ra.kid);
    assert_eq!(b.issuer.current_kid(), ra.kid);
    assert_eq!(a.issuer.published_keys().len(), 2, "{first} retired once");

    // And an emergency rotation by both at once: one new current key.
    let (ra, rb) = tokio::join!(a.issuer.rotate_key_now(), b.issuer.rotate_key_now());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    a.issuer.reload_keys().await.unwrap();
    b.issuer.reload_keys().await.unwrap();
    assert_eq!(a.issuer.current_kid(), b.issuer.current_kid());
    assert!(ra.kid == a.issuer.current_kid() || rb.kid == a.issuer.current_kid());
    let on_disk = files(dir.path());
    assert_eq!(
        on_disk.iter().filter(|f| f.ends_with(".key.pem")).count(),
        1,
        "{on_disk:?}"
    );
}

/// `rotate_key(store, Some(RS256))` (what `jot rotate-key --alg RS256` does):
/// discovery advertises what the published keys sign with, and the next
/// scheduled rotation keeps RS256 instead of going back to the configured ES256.
#[tokio::test]
async fn a_rotation_to_another_algorithm_is_advertised_and_sticks() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start_with(FileStore::open(dir.path()).unwrap(), |b| {
        b.rotation_interval(Some(Duration::from_secs(3600)))
    })
    .await;
    assert_eq!(advertised(&issuer).await, ["ES256"]);

    let es256 = issuer.issuer.current_kid();
    let rotated = KeyRotation::new()
        .algorithm(Algorithm::RS256)
        .run(issuer.issuer.store())
        .await
        .unwrap();
    assert!(rotated.next);
    assert_eq!(rotated.signs_from, None, "up to the running issuers");
    issuer.issuer.maintain().await.unwrap();
    // Published before it signs: advertised already, the signing one first.
    assert_eq!(issuer.issuer.signing_algorithm(), Algorithm::ES256);
    assert_eq!(advertised(&issuer).await, ["ES256", "RS256"]);
    // `KeyRotation::run` stamps the key with the system clock, which is ahead of
    // the test clock by the time the test has run so far: a few seconds more.
    issuer.clock.advance(335);
    issuer.issuer.maintain().await.unwrap();
    assert_eq!(issuer.issuer.signing_algorithm(), Algorithm::RS256);
    assert_eq!(
        issuer.issuer.algorithm(),
        Algorithm::ES256,
        "the configuration"
    );
    assert_eq!(peek(&issuer.client_token().await).0["alg"], "RS256");
    // Both keys are published: both algorithms are advertised, the signing one first.
    assert_eq!(advertised(&issuer).await, ["RS256", "ES256"]);

    // Once the ES256 key is unpublished, only RS256 is left.
    issuer.clock.advance(900 + 60 + 30);
    issuer.issuer.maintain().await.unwrap();
    assert!(
        issuer
            .issuer
            .jwks()
            .keys
            .iter()
            .all(|k| k.kid.as_deref() != Some(es256.as_str()))
    );
    assert_eq!(advertised(&issuer).await, ["RS256"]);

    // The scheduled rotation keeps RS256.
    let rs256 = issuer.issuer.current_kid();
    issuer.clock.advance(3600);
    issuer.issuer.maintain().await.unwrap();
    assert_eq!(issuer.issuer.current_kid(), rs256, "next key published");
    issuer.clock.advance(331);
    issuer.issuer.maintain().await.unwrap();
    assert_ne!(issuer.issuer.current_kid(), rs256);
    assert_eq!(issuer.issuer.signing_algorithm(), Algorithm::RS256);
    assert_eq!(peek(&issuer.client_token().await).0["alg"], "RS256");
    assert_eq!(advertised(&issuer).await, ["RS256"]);
}

/// What discovery says the ID tokens may be signed with.
async fn advertised(issuer: &crate::support::Running) -> Vec<String> {
    let discovery = issuer.get("/.well-known/openid-configuration").await.json();
    discovery["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

/// The `kid`s of the JWK Set, as served.
async fn kids(issuer: &crate::support::Running) -> Vec<String> {
    let jwks = issuer.get("/.well-known/jwks.json").await.json();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// Whether the data directory holds the private key of `kid`.
fn on_disk_pem(dir: &std::path::Path, kid: &str) -> bool {
    files(dir).contains(&format!("keys/{}.key.pem", digest(kid)))
}

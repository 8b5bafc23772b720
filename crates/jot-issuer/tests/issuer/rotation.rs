//! Key rotation with tokens in flight: old tokens verify until they expire, new
//! ones carry the new `kid`; scheduled rotation; retired keys leave the JWKS.

use std::time::Duration;

use jot_algorithms::Algorithm;
use jot_issuer::store::{FileStore, MemoryStore};

use crate::support::{digest, files, peek, start, start_with};

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

    let rotated = issuer.issuer.rotate_key().await.unwrap();
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

    // Once every token the old key signed has expired (15 min + 60 s leeway), it
    // leaves the JWKS and the store.
    issuer.clock.advance(900 + 60 - 1);
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

    issuer.clock.advance(3599);
    issuer.issuer.maintain().await.unwrap();
    assert_eq!(issuer.issuer.current_kid(), first);
    issuer.clock.advance(1);
    issuer.issuer.maintain().await.unwrap();
    let second = issuer.issuer.current_kid();
    assert_ne!(second, first);
    assert_eq!(peek(&issuer.client_token().await).0["kid"], second.as_str());
    assert_eq!(issuer.issuer.published_keys().len(), 2);
}

#[tokio::test]
async fn maintenance_runs_in_the_background() {
    let issuer = start_with(MemoryStore::new(), |b| {
        b.rotation_interval(Some(Duration::from_secs(60)))
            .maintenance_interval(Duration::from_millis(20))
    })
    .await;
    let first = issuer.issuer.current_kid();
    let task = tokio::spawn(issuer.issuer.clone().run_maintenance());
    issuer.clock.advance(60);
    let mut rotated = false;
    for _ in 0..200 {
        if issuer.issuer.current_kid() != first {
            rotated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    task.abort();
    assert!(rotated, "the maintenance task rotated the key");
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

    // Two issuers on one store (as two instances on a shared database would be):
    // a concurrent rotation by both yields one new current key.
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let a = start_with(store.clone(), |b| b).await;
    let b = start_with(store, |b| b).await;
    let (ra, rb) = tokio::join!(a.issuer.rotate_key(), b.issuer.rotate_key());
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
    jot_issuer::rotate_key(issuer.issuer.store(), Some(Algorithm::RS256))
        .await
        .unwrap();
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
    issuer.clock.advance(900 + 60);
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

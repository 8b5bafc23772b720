//! Private keys at rest, sealed with a key-encryption key, on a data directory:
//! sealed before they reach the disk (the next key's too), opened only with
//! their KEK (none, or another, is a typed error, never a garbage key), a plain
//! directory of an earlier version still loading without a KEK and sealed when
//! one is first given, and `rotate_kek` moving every key to a new KEK.

use std::path::Path;

use jot_issuer::kek::{Kek, KekError, rotate_kek};
use jot_issuer::store::{FileStore, IssuerStore, MemoryStore};
use jot_issuer::{Issuer, IssuerError, KeyRotation};

use crate::support::{digest, peek, start_with};

/// The private key file of `kid`, as stored.
fn pem(dir: &Path, kid: &str) -> String {
    std::fs::read_to_string(dir.join("keys").join(format!("{}.key.pem", digest(kid)))).unwrap()
}

fn sealed(text: &str) -> bool {
    text.starts_with("-----BEGIN JOT SEALED PRIVATE KEY-----\n")
        && text.ends_with("-----END JOT SEALED PRIVATE KEY-----\n")
}

async fn build(dir: &Path, kek: Option<&Kek>) -> Result<Issuer, IssuerError> {
    let builder = Issuer::builder("http://127.0.0.1:1").store(FileStore::open(dir).unwrap());
    match kek {
        Some(kek) => builder.kek(kek.clone()).build().await,
        None => builder.build().await,
    }
}

#[tokio::test]
async fn a_kek_seals_the_private_keys_of_a_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let kek = Kek::generate().unwrap();
    let issuer = start_with(FileStore::open(dir.path()).unwrap(), |b| b.kek(kek.clone())).await;
    let kid = issuer.issuer.current_kid();
    let on_disk = pem(dir.path(), &kid);
    assert!(sealed(&on_disk), "{on_disk}");
    assert!(
        !on_disk.contains("PRIVATE KEY-----\nMI"),
        "no PKCS#8 inside"
    );
    // It signs, and what it signs verifies with the published key.
    let token = issuer.client_token().await;
    assert_eq!(peek(&token).0["kid"], kid.as_str());
    assert_eq!(issuer.introspect(&token).await["active"], true);

    // The next key is sealed before it is stored, too.
    let next = issuer.issuer.rotate_key().await.unwrap();
    assert!(sealed(&pem(dir.path(), &next.kid)));
    drop(issuer);

    // Restarted with the KEK: the same key.
    assert_eq!(
        build(dir.path(), Some(&kek)).await.unwrap().current_kid(),
        kid
    );
    // Without it, or with another: a typed error naming the key and the KEKs, never
    // a garbage key.
    match build(dir.path(), None).await {
        Err(IssuerError::Kek(KekError::Missing {
            kid: k,
            sealed_with,
        })) => {
            assert_eq!((k, sealed_with), (kid.clone(), kek.id()));
        }
        other => panic!("{other:?}"),
    }
    let message = build(dir.path(), None).await.unwrap_err().to_string();
    assert!(
        message.contains("key-encryption key") && message.contains(&kek.id()),
        "{message}"
    );
    let other = Kek::generate().unwrap();
    match build(dir.path(), Some(&other)).await {
        Err(IssuerError::Kek(KekError::Wrong {
            sealed_with, given, ..
        })) => {
            assert_eq!((sealed_with, given), (kek.id(), other.id()));
        }
        other => panic!("{other:?}"),
    }
    // A rotation on the directory with the wrong KEK adds nothing.
    let store = FileStore::open(dir.path()).unwrap();
    let before = store.load_keys().await.unwrap().len();
    for rotation in [KeyRotation::new(), KeyRotation::new().now(true)] {
        assert!(matches!(
            rotation.clone().kek(other.clone()).run(&store).await,
            Err(IssuerError::Kek(KekError::Wrong { .. }))
        ));
        assert!(matches!(
            rotation.run(&store).await,
            Err(IssuerError::Kek(KekError::Missing { .. }))
        ));
    }
    assert_eq!(store.load_keys().await.unwrap().len(), before);

    // A damaged record is told apart from a wrong KEK.
    let path = dir
        .path()
        .join("keys")
        .join(format!("{}.key.pem", digest(&kid)));
    let mut lines: Vec<String> = on_disk.lines().map(str::to_owned).collect();
    let body = &mut lines[1];
    let flipped = if body.ends_with('A') { 'B' } else { 'A' };
    body.pop();
    body.push(flipped);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    assert!(matches!(
        build(dir.path(), Some(&kek)).await,
        Err(IssuerError::Kek(KekError::Tampered { .. }))
    ));
}

#[tokio::test]
async fn a_plain_directory_loads_without_a_kek_and_is_sealed_when_one_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let kid = build(dir.path(), None).await.unwrap().current_kid();
    assert!(pem(dir.path(), &kid).starts_with("-----BEGIN PRIVATE KEY-----"));
    // As an earlier version left it: loads again without a KEK.
    assert_eq!(build(dir.path(), None).await.unwrap().current_kid(), kid);

    let kek = Kek::generate().unwrap();
    let issuer = build(dir.path(), Some(&kek)).await.unwrap();
    assert_eq!(issuer.current_kid(), kid, "the same key, sealed");
    assert!(sealed(&pem(dir.path(), &kid)));
    drop(issuer);
    assert!(matches!(
        build(dir.path(), None).await,
        Err(IssuerError::Kek(KekError::Missing { .. }))
    ));
}

#[tokio::test]
async fn rotate_kek_moves_every_private_key_to_the_new_kek() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (Kek::generate().unwrap(), Kek::generate().unwrap());
    let issuer = build(dir.path(), Some(&old)).await.unwrap();
    let current = issuer.current_kid();
    let next = issuer.rotate_key().await.unwrap().kid;
    drop(issuer);
    let store = FileStore::open(dir.path()).unwrap();

    // The wrong old KEK: refused before anything is written.
    let stranger = Kek::generate().unwrap();
    let before = (pem(dir.path(), &current), pem(dir.path(), &next));
    assert!(matches!(
        rotate_kek(&store, Some(&stranger), &new).await,
        Err(IssuerError::Kek(KekError::Wrong { .. }))
    ));
    assert_eq!((pem(dir.path(), &current), pem(dir.path(), &next)), before);

    let done = rotate_kek(&store, Some(&old), &new).await.unwrap();
    let mut resealed = done.resealed.clone();
    resealed.sort();
    let mut both = vec![current.clone(), next.clone()];
    both.sort();
    assert_eq!(resealed, both);
    assert!(done.already.is_empty());
    for kid in [&current, &next] {
        let text = pem(dir.path(), kid);
        assert!(sealed(&text));
        assert_eq!(
            jot_issuer::kek::sealed_with(&jot_issuer::store::PrivateKeyPem(text)),
            Some(new.id())
        );
    }
    // Run again (an interrupted rotation, say): nothing to do.
    let again = rotate_kek(&store, Some(&old), &new).await.unwrap();
    assert!(again.resealed.is_empty());
    assert_eq!(again.already.len(), 2);

    assert!(matches!(
        build(dir.path(), Some(&old)).await,
        Err(IssuerError::Kek(KekError::Wrong { .. }))
    ));
    assert_eq!(
        build(dir.path(), Some(&new)).await.unwrap().current_kid(),
        current
    );

    // From plain (no old KEK) to sealed works too.
    let plain = tempfile::tempdir().unwrap();
    let kid = build(plain.path(), None).await.unwrap().current_kid();
    let store = FileStore::open(plain.path()).unwrap();
    assert_eq!(
        rotate_kek(&store, None, &new).await.unwrap().resealed,
        std::slice::from_ref(&kid)
    );
    assert!(sealed(&pem(plain.path(), &kid)));
}

#[tokio::test]
async fn a_memory_store_needs_no_kek_but_takes_one() {
    let store = MemoryStore::new();
    assert!(!store.requires_kek());
    let kek = Kek::generate().unwrap();
    let issuer = Issuer::builder("http://127.0.0.1:1")
        .store(store.clone())
        .kek(kek.clone())
        .build()
        .await
        .unwrap();
    let keys = store.load_keys().await.unwrap();
    let stored = keys[0].private_pem.as_ref().unwrap();
    assert!(jot_issuer::kek::is_sealed(stored));
    assert_eq!(keys[0].kid, issuer.current_kid());
    assert!(
        !format!("{keys:?}").contains("SEALED"),
        "Debug hides the key"
    );
}

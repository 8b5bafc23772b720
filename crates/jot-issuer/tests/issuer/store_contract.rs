//! One contract for every `IssuerStore`: the login records (users, sessions,
//! codes, consents, pending requests, family revocation, pruning) and the token
//! records ([`tokens`]) behave the same on `MemoryStore`, `FileStore` and (with the
//! `postgres` feature, in `postgres.rs`) `PostgresStore`.

use jot_issuer::store::{
    CODE_RETENTION, CodeConsumed, CodeIssued, CodeRecord, ConsentRecord, FamilyOwner,
    PendingRecord, RefreshRecord, RefreshState, SessionRecord, UserRecord,
};
use jot_issuer::{
    store::{FileStore, IssuerStore, MemoryStore},
    users,
    users::NewUser,
};

use crate::support::files;

pub(crate) mod tokens;

fn user(sub: &str, username: &str) -> UserRecord {
    UserRecord {
        sub: sub.into(),
        username: username.into(),
        password_hash: String::new(),
        name: None,
        email: None,
        email_verified: false,
        disabled: false,
        created_at: 1,
        updated_at: 1,
    }
}

fn refresh(
    hash: &str,
    family: &str,
    sub: &str,
    sid: Option<&str>,
    expires_at: u64,
) -> RefreshRecord {
    RefreshRecord {
        token_hash: hash.into(),
        family: family.into(),
        client_id: "web".into(),
        subject: sub.into(),
        scope: vec!["openid".into()],
        audience: vec![],
        claims: Default::default(),
        issued_at: 1,
        expires_at,
        sid: sid.map(Into::into),
        auth_time: Some(1),
        id_token_claims: vec![],
        dpop_jkt: Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I".into()),
    }
}

fn code(hash: &str) -> CodeRecord {
    CodeRecord {
        code_hash: hash.into(),
        client_id: "web".into(),
        redirect_uri: "https://app.example/cb".into(),
        code_challenge: "x".repeat(43),
        sub: "u1".into(),
        scope: vec!["openid".into()],
        nonce: Some("n".into()),
        auth_time: 100,
        sid: "s1".into(),
        id_token_claims: vec![],
        issued_at: 100,
        expires_at: 160,
        issued: None,
        resource: Some("https://mcp.example/mcp".into()),
        dpop_jkt: Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I".into()),
    }
}

/// The login records' contract; a fresh, empty store each time.
pub(crate) async fn contract(store: &dyn IssuerStore) {
    // Users: unique usernames, case-insensitively; lookups by sub and username.
    assert!(store.insert_user(user("u1", "Alice")).await.unwrap());
    assert!(
        !store.insert_user(user("u2", "alice")).await.unwrap(),
        "username taken"
    );
    assert!(
        !store.insert_user(user("u1", "bob")).await.unwrap(),
        "sub taken"
    );
    assert!(store.insert_user(user("u2", "bob")).await.unwrap());
    assert_eq!(store.find_user("ALICE").await.unwrap().unwrap().sub, "u1");
    assert_eq!(store.get_user("u2").await.unwrap().unwrap().username, "bob");
    assert!(store.find_user("carol").await.unwrap().is_none());
    let names: Vec<_> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["Alice", "bob"]);
    let mut changed = user("u1", "Alice");
    changed.disabled = true;
    assert!(store.update_user(changed.clone()).await.unwrap());
    assert!(store.get_user("u1").await.unwrap().unwrap().disabled);
    assert!(
        !store.update_user(user("u1", "Alicia")).await.unwrap(),
        "usernames do not change"
    );
    assert!(!store.update_user(user("nobody", "x")).await.unwrap());

    // Consents go with their user.
    let consent = ConsentRecord {
        sub: "u2".into(),
        client_id: "web".into(),
        scopes: vec!["openid".into(), "email".into()],
        granted_at: 5,
    };
    store.put_consent(consent.clone()).await.unwrap();
    assert_eq!(store.get_consent("u2", "web").await.unwrap(), Some(consent));
    assert!(store.get_consent("u2", "other").await.unwrap().is_none());
    assert!(store.remove_user("u2").await.unwrap());
    assert!(!store.remove_user("u2").await.unwrap());
    assert!(store.get_consent("u2", "web").await.unwrap().is_none());
    assert!(store.find_user("bob").await.unwrap().is_none());
    assert!(
        store.insert_user(user("u3", "bob")).await.unwrap(),
        "the name is free again"
    );

    // Sessions.
    let session = |hash: &str, sub: &str, expires_at| SessionRecord {
        id_hash: hash.into(),
        sid: format!("sid-{hash}"),
        sub: sub.into(),
        auth_time: 10,
        csrf: "c".into(),
        created_at: 10,
        expires_at,
    };
    store
        .insert_session(session("h1", "u1", 1000))
        .await
        .unwrap();
    store
        .insert_session(session("h2", "u1", 1000))
        .await
        .unwrap();
    store.insert_session(session("h3", "u3", 50)).await.unwrap();
    assert_eq!(
        store.get_session("h1").await.unwrap().unwrap().sid,
        "sid-h1"
    );
    assert_eq!(store.remove_session("h1").await.unwrap().unwrap().sub, "u1");
    assert!(store.remove_session("h1").await.unwrap().is_none());
    assert_eq!(store.remove_sessions_of("u1").await.unwrap(), 1);
    assert!(store.get_session("h2").await.unwrap().is_none());
    assert!(store.get_session("h3").await.unwrap().is_some());

    // Codes: one winner, and the loser sees what the winner issued.
    store.insert_code(code("c1")).await.unwrap();
    assert_eq!(store.get_code("c1").await.unwrap(), Some(code("c1")));
    let issued = CodeIssued {
        jti: "j1".into(),
        access_expires_at: 900,
        family: Some("f1".into()),
    };
    let CodeConsumed::Fresh(first) = store.consume_code("c1", issued.clone()).await.unwrap() else {
        panic!("first use");
    };
    assert_eq!(first.issued.as_ref(), Some(&issued));
    let other = CodeIssued {
        jti: "j2".into(),
        access_expires_at: 900,
        family: None,
    };
    match store.consume_code("c1", other).await.unwrap() {
        CodeConsumed::Reused(code) => assert_eq!(code.issued, Some(issued)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store
            .consume_code(
                "nope",
                CodeIssued {
                    jti: "j".into(),
                    access_expires_at: 1,
                    family: None
                }
            )
            .await
            .unwrap(),
        CodeConsumed::Unknown
    );
    assert!(
        store
            .get_code("c1")
            .await
            .unwrap()
            .unwrap()
            .issued
            .is_some()
    );

    // Pending requests: taken once.
    let pending = PendingRecord {
        id: "p1".into(),
        browser_hash: "b".into(),
        csrf: "c".into(),
        request: serde_json::json!({"client_id": "web"}),
        created_at: 10,
        expires_at: 70,
    };
    store.put_pending(pending.clone()).await.unwrap();
    assert!(store.get_pending("p1").await.unwrap() == Some(pending.clone()));
    assert!(store.take_pending("p1").await.unwrap() == Some(pending.clone()));
    assert!(store.take_pending("p1").await.unwrap().is_none());
    store
        .put_pending(PendingRecord {
            id: "p2".into(),
            ..pending
        })
        .await
        .unwrap();

    // Families by session and by subject.
    store
        .insert_refresh(refresh("r1", "fa", "u1", Some("s1"), 500))
        .await
        .unwrap();
    store
        .insert_refresh(refresh("r2", "fa", "u1", Some("s1"), 800))
        .await
        .unwrap();
    store
        .insert_refresh(refresh("r3", "fb", "u1", Some("s2"), 500))
        .await
        .unwrap();
    store
        .insert_refresh(refresh("r4", "fc", "u3", None, 500))
        .await
        .unwrap();
    assert_eq!(
        store
            .revoke_families_of(FamilyOwner::Session("s1"), 100)
            .await
            .unwrap(),
        1
    );
    let state =
        |hash: &'static str| async move { store.get_refresh(hash).await.unwrap().unwrap().1 };
    assert_eq!(state("r2").await, RefreshState::Revoked);
    assert_eq!(state("r3").await, RefreshState::Active);
    assert_eq!(
        store
            .revoke_families_of(FamilyOwner::Subject("u1"), 100)
            .await
            .unwrap(),
        2
    );
    assert_eq!(state("r3").await, RefreshState::Revoked);
    assert_eq!(state("r4").await, RefreshState::Active);
    // The mark outlives the family's latest token (800), not only `until`.
    store.prune(700).await.unwrap();
    assert_eq!(state("r2").await, RefreshState::Revoked);

    // Pruning: sessions, pending requests, codes after their retention.
    assert!(
        store.get_session("h3").await.unwrap().is_none(),
        "expired at 50"
    );
    assert!(
        store.get_pending("p2").await.unwrap().is_none(),
        "expired at 70"
    );
    assert!(
        store.get_code("c1").await.unwrap().is_some(),
        "kept after expiry"
    );
    store.prune(160 + CODE_RETENTION).await.unwrap();
    assert!(
        store.get_code("c1").await.unwrap().is_none(),
        "retention over"
    );
    store
        .insert_code(CodeRecord {
            expires_at: 1000,
            ..code("c2")
        })
        .await
        .unwrap();
    store.prune(1000 + CODE_RETENTION - 1).await.unwrap();
    assert!(store.get_code("c2").await.unwrap().is_some());
    store.prune(1000 + CODE_RETENTION).await.unwrap();
    assert!(store.get_code("c2").await.unwrap().is_none());
}

#[tokio::test]
async fn memory_store_keeps_the_contract() {
    contract(&MemoryStore::new()).await;
    tokens::contract(&MemoryStore::new()).await;
}

#[tokio::test]
async fn file_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    contract(&FileStore::open(dir.path()).unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    tokens::contract(&FileStore::open(dir.path()).unwrap()).await;
}

#[tokio::test]
async fn file_store_names_files_by_digest_and_keeps_them_private() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let odd = "../../etc/p\u{e4}sswd with spaces and dots.. ";
    users::add(&store, NewUser::new(odd.trim(), "long enough password"))
        .await
        .unwrap();
    let all = files(dir.path());
    let user_files: Vec<_> = all.iter().filter(|f| f.starts_with("user")).collect();
    assert_eq!(user_files.len(), 2, "{all:?}");
    for file in &user_files {
        let name = file.rsplit('/').next().unwrap();
        assert_eq!(name.len(), 43 + ".json".len(), "{name}");
        assert!(!file.contains("etc"));
    }
    #[cfg(unix)]
    for file in &all {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{file} is private");
    }
    let text = std::fs::read_to_string(dir.path().join(user_files[0])).unwrap()
        + &std::fs::read_to_string(dir.path().join(user_files[1])).unwrap();
    assert!(!text.contains("long enough password"));
}

#[tokio::test]
async fn two_stores_on_one_directory_cannot_both_add_a_username() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        FileStore::open(dir.path()).unwrap(),
        FileStore::open(dir.path()).unwrap(),
    );
    let (x, y) = tokio::join!(
        a.insert_user(user("x", "Zoe")),
        b.insert_user(user("y", "zoe"))
    );
    assert_eq!(u8::from(x.unwrap()) + u8::from(y.unwrap()), 1);
    assert_eq!(a.list_users().await.unwrap().len(), 1);
}

//! `jot_issuer::users`: administration on a store, and what it does to the
//! sessions and refresh tokens of a running issuer.

use jot_issuer::{IssuerError, store::FileStore, users, users::NewUser};

use crate::browser::{
    ALICE, ALICE_PASSWORD, Browser, WEB, WEB_CALLBACK, authorize_path, pkce, query_of, start_login,
};

#[tokio::test]
async fn users_are_added_listed_updated_and_removed_on_a_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let bob = users::add(
        &store,
        NewUser::new("bob", "bob's password").email("bob@example.com"),
    )
    .await
    .unwrap();
    assert_eq!(
        (bob.username.as_str(), bob.email.as_deref(), bob.disabled),
        ("bob", Some("bob@example.com"), false)
    );
    assert_eq!(bob.sub.len(), 22, "128 random bits");
    assert!(matches!(
        users::add(&store, NewUser::new("BOB", "another password")).await,
        Err(IssuerError::UserExists { .. })
    ));
    for (user, what) in [
        (NewUser::new("carol", "short"), "short password"),
        (NewUser::new("", "long enough password"), "empty name"),
        (NewUser::new("a:b", "long enough password"), "colon"),
        (NewUser::new(" carol", "long enough password"), "space"),
        (
            NewUser::new("carol", "long enough password").email("not an email"),
            "email",
        ),
    ] {
        assert!(
            matches!(
                users::add(&store, user).await,
                Err(IssuerError::InvalidUser { .. })
            ),
            "{what}"
        );
    }
    // Another process (another store on the same directory) sees the same users.
    let other = FileStore::open(dir.path()).unwrap();
    assert_eq!(
        users::find(&other, "Bob").await.unwrap().unwrap().sub,
        bob.sub
    );

    // ensure: unchanged → false; changed name or password → true, same sub.
    let same = NewUser::new("bob", "bob's password").email("bob@example.com");
    assert!(!users::ensure(&store, same).await.unwrap());
    let renamed = NewUser::new("bob", "bob's password")
        .email("bob@example.com")
        .name("Bob");
    assert!(users::ensure(&store, renamed).await.unwrap());
    assert!(
        users::ensure(&store, NewUser::new("bob", "a new password!"))
            .await
            .unwrap()
    );
    let listed = users::list(&store).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].sub.as_str(), listed[0].email.as_deref()),
        (bob.sub.as_str(), None)
    );
    assert!(
        users::ensure(&store, NewUser::new("dave", "dave's password"))
            .await
            .unwrap()
    );

    users::set_password(&store, "bob", "yet another one")
        .await
        .unwrap();
    assert!(matches!(
        users::set_password(&store, "nobody", "yet another one").await,
        Err(IssuerError::NoSuchUser { .. })
    ));
    assert!(matches!(
        users::set_password(&store, "bob", "short").await,
        Err(IssuerError::InvalidUser { .. })
    ));
    users::disable(&store, "bob").await.unwrap();
    assert!(users::find(&store, "bob").await.unwrap().unwrap().disabled);
    users::remove(&store, "bob").await.unwrap();
    assert!(matches!(
        users::remove(&store, "bob").await,
        Err(IssuerError::NoSuchUser { .. })
    ));
    let names: Vec<String> = users::list(&store)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["dave"]);
}

#[tokio::test]
async fn a_new_password_signs_the_user_out_everywhere() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let refresh = issuer
        .exchange_web(&code, &verifier)
        .await
        .str("refresh_token");
    users::set_password(issuer.issuer.store(), ALICE, "a brand new password")
        .await
        .unwrap();
    let (_, challenge) = pkce();
    let none = browser
        .get(&authorize_path(
            WEB,
            WEB_CALLBACK,
            &challenge,
            &[("prompt", "none")],
        ))
        .await;
    assert_eq!(
        query_of(none.header("location").unwrap())["error"],
        "login_required"
    );
    assert_eq!(issuer.introspect(&refresh).await["active"], false);
    let page = browser
        .follow(
            &browser
                .get(&authorize_path(WEB, WEB_CALLBACK, &challenge, &[]))
                .await,
        )
        .await;
    assert!(
        browser
            .submit_login(&page, ALICE, ALICE_PASSWORD)
            .await
            .text
            .contains("Wrong username or password.")
    );
    assert_eq!(
        browser
            .submit_login(&page, ALICE, "a brand new password")
            .await
            .status,
        303
    );
}

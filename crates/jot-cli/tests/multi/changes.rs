//! A changed or disabled client or user takes effect on every instance at once:
//! no instance caches client or user records (each request reads them from the
//! database; a remembered client secret is keyed by the stored hash too).

use jot_test_support::postgres;

use crate::fleet::{ALICE, Fleet, SVC, client};
use crate::flows::{Authorized, Pkce, authorize, refresh, refresh_token, service_token};
use crate::support::Cookies;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_user_is_refused_by_every_instance_at_once() {
    let db = postgres::shared().database();
    let fleet = Fleet::new(db.url(), "");
    let (a, b) = (fleet.start(&[]), fleet.start(&[]));
    let http = client();
    // Signed in on both; a refresh token from each.
    let mut on_a = Cookies::default();
    let mut on_b = Cookies::default();
    let from_a = refresh_token(&http, &a.base, &mut on_a).await;
    let from_b = refresh_token(&http, &b.base, &mut on_b).await;

    let out = fleet.jot(&["user", "disable", ALICE.0]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The very next requests, on either instance: no sign-in, no session, no refresh.
    for base in [&a.base, &b.base] {
        let refused = authorize(&http, base, &mut Cookies::default(), &Pkce::new(), ALICE).await;
        let Authorized::Refused(page) = refused else {
            panic!("{base} let a disabled user sign in");
        };
        assert!(page.contains("Wrong username or password"), "{page}");
    }
    for (base, browser) in [(&a.base, &mut on_a), (&b.base, &mut on_b)] {
        let wrong = ("alice", "a wrong password, to stop at the form");
        assert!(
            matches!(
                authorize(&http, base, browser, &Pkce::new(), wrong).await,
                Authorized::Refused(_)
            ),
            "{base} honoured a disabled user's session"
        );
    }
    for token in [&from_a, &from_b] {
        for base in [&a.base, &b.base] {
            let (status, body) = refresh(&http, base, token).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some("invalid_grant")),
                "{body}"
            );
        }
    }

    // Enabled again: signs in on both at once.
    let out = fleet.jot(&["user", "enable", ALICE.0]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for base in [&b.base, &a.base] {
        let signed_in = authorize(&http, base, &mut Cookies::default(), &Pkce::new(), ALICE).await;
        assert!(matches!(signed_in, Authorized::Code(_)), "{base}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_client_is_seen_by_every_instance_at_once() {
    let db = postgres::shared().database();
    let fleet = Fleet::new(db.url(), "");
    let (a, b) = (fleet.start(&[]), fleet.start(&[]));
    let http = client();
    // Both have verified (and remembered) the secret.
    for base in [&a.base, &b.base] {
        let (status, body) = service_token(&http, base, SVC.1, None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["scope"], "read");
    }

    // A third instance starts with the client changed (a new secret, other
    // scopes), as a rolling deploy of a new configuration would.
    let new_secret = "svc-new-secret-9876543210fedcba";
    let kek = fleet.kek_file();
    let spec = format!("{}:{new_secret}:write", SVC.0);
    let c = fleet.start_with(&[
        "--store",
        &fleet.store,
        "--issuer",
        crate::fleet::ISSUER,
        "--kek-file",
        kek.to_str().unwrap(),
        "--client",
        &spec,
    ]);

    for base in [&a.base, &b.base, &c.base] {
        let (status, body) = service_token(&http, base, SVC.1, None).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{base}: {body}"
        );
        let (status, body) = service_token(&http, base, new_secret, Some("read")).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope")),
            "{base}: {body}"
        );
        let (status, body) = service_token(&http, base, new_secret, None).await;
        assert_eq!(status, 200, "{base}: {body}");
        assert_eq!(body["scope"], "write");
    }
}

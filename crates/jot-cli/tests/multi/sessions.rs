//! One login session across three instances: signed in on A, the code redeemed
//! at B, the session honoured by B's `/authorize` (no second login), the tokens
//! refreshed on C, logout at C; then the session is gone on every instance and
//! its refresh tokens are revoked.

use jot_test_support::postgres;

use crate::fleet::{Fleet, client};
use crate::flows::{Authorized, Pkce, authorize, code, redeem, refresh};
use crate::support::Cookies;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_on_a_code_at_b_logout_at_c() {
    let db = postgres::shared().database();
    let fleet = Fleet::new(db.url(), "");
    let (a, b, c) = (fleet.start(&[]), fleet.start(&[]), fleet.start(&[]));
    let http = client();
    let mut browser = Cookies::default();

    // Signed in on A; A's code redeemed at B.
    let pkce = Pkce::new();
    let first = code(&http, &a.base, &mut browser, &pkce).await;
    let (status, tokens) = redeem(&http, &b.base, &first, &pkce).await;
    assert_eq!(status, 200, "{tokens}");
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    // A code works once, wherever it is tried again.
    let (status, body) = redeem(&http, &c.base, &first, &pkce).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // B honours the session A made: a code at once, no login form.
    let pkce = Pkce::new();
    let never = ("alice", "not used: no login form is shown");
    let Authorized::Code(second) = authorize(&http, &b.base, &mut browser, &pkce, never).await
    else {
        panic!("B asked for a login although A's session is live");
    };
    let (status, more) = redeem(&http, &c.base, &second, &pkce).await;
    assert_eq!(status, 200, "{more}");
    let refresh_token = more["refresh_token"].as_str().unwrap().to_owned();
    let (status, refreshed) = refresh(&http, &c.base, &refresh_token).await;
    assert_eq!(status, 200, "{refreshed}");
    let refresh_token = refreshed["refresh_token"].as_str().unwrap().to_owned();

    // Logout at C, with the ID token B issued.
    let logout = format!("{}/logout", c.base);
    let logout = reqwest::Url::parse_with_params(&logout, [("id_token_hint", &id_token)]).unwrap();
    let response = http
        .get(logout)
        .header("cookie", browser.header())
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let page = response.text().await.unwrap();
    assert!(page.to_lowercase().contains("signed out"), "{page}");
    assert_eq!(db.psql("SELECT count(*) FROM jot_sessions"), "0");

    // Gone everywhere: A and B ask for a login again; the session's refresh
    // tokens are dead on every instance.
    for base in [&a.base, &b.base] {
        let pkce = Pkce::new();
        let wrong = ("alice", "a wrong password, to stop at the form");
        assert!(
            matches!(
                authorize(&http, base, &mut browser, &pkce, wrong).await,
                Authorized::Refused(_)
            ),
            "{base} still had a session"
        );
    }
    for base in [&a.base, &b.base, &c.base] {
        let (status, body) = refresh(&http, base, &refresh_token).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    }
}

//! The login page: its form and headers, wrong and unknown users, CSRF, the
//! browser binding, throttling, session rotation, cookie flags, disabled users.

use std::time::{Duration, Instant};

use jot_issuer::{Login, users};

use crate::browser::{
    ALICE, ALICE_PASSWORD, Browser, WEB, WEB_CALLBACK, authorize_path, input_value, pkce, query_of,
    start_login, start_login_with,
};

const WRONG: &str = "<p class=\"error\" role=\"alert\">Wrong username or password.</p>";

#[tokio::test]
async fn the_login_page_is_a_plain_form_with_the_security_headers() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (_, challenge) = pkce();
    let first = browser
        .get(&authorize_path(WEB, WEB_CALLBACK, &challenge, &[]))
        .await;
    for header in ["x-frame-options", "referrer-policy", "cache-control"] {
        assert!(first.header(header).is_some(), "{header} on the redirect");
    }
    let page = browser.follow(&first).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    for needle in [
        "<form id=\"login\" method=\"post\" action=\"/login\">",
        "name=\"username\" autocomplete=\"username\"",
        "name=\"password\" type=\"password\" autocomplete=\"current-password\"",
        "<input type=\"hidden\" name=\"csrf\" value=\"",
        "<input type=\"hidden\" name=\"request\" value=\"",
        "<button type=\"submit\">Sign in</button>",
        // The client's name, escaped.
        "Web &lt;App&gt;",
    ] {
        assert!(page.text.contains(needle), "{needle} in {}", page.text);
    }
    assert!(!page.text.contains("<script"), "no script");
    assert!(!page.text.contains("Web <App>"), "escaped");
    let csp = page.header("content-security-policy").unwrap();
    for part in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self' https://app.example",
        "style-src 'sha256-",
    ] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert!(
        !csp.contains("script-src") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn wrong_and_unknown_users_get_the_same_answer_in_similar_time() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let page = browser.login_page().await;
    let mut wrong_times = Vec::new();
    let mut unknown_times = Vec::new();
    let mut answers = Vec::new();
    for _ in 0..2 {
        let started = Instant::now();
        let wrong = browser.submit_login(&page, ALICE, "not the password").await;
        wrong_times.push(started.elapsed());
        let started = Instant::now();
        let unknown = browser
            .submit_login(&page, "mallory", "not the password")
            .await;
        unknown_times.push(started.elapsed());
        answers.push((wrong, unknown));
    }
    for (wrong, unknown) in &answers {
        assert_eq!((wrong.status.as_u16(), unknown.status.as_u16()), (200, 200));
        assert!(wrong.text.contains(WRONG) && unknown.text.contains(WRONG));
        assert_eq!(
            wrong.text.replace("value=\"alice\"", "value=\"?\""),
            unknown.text.replace("value=\"mallory\"", "value=\"?\""),
            "the same page but for the username typed"
        );
        assert!(wrong.header("set-cookie").is_none());
    }
    // An unknown user runs argon2id against a dummy hash: the same order of time.
    let wrong = wrong_times.iter().min().unwrap();
    let unknown = unknown_times.iter().min().unwrap();
    assert!(
        *unknown * 4 >= *wrong,
        "unknown {unknown:?} vs wrong {wrong:?}"
    );
    assert!(
        *unknown >= Duration::from_millis(5),
        "argon2id ran: {unknown:?}"
    );
    // The form still works afterwards.
    let done = browser.submit_login(&page, ALICE, ALICE_PASSWORD).await;
    assert!(query_of(done.header("location").unwrap()).contains_key("code"));
}

#[tokio::test]
async fn the_form_needs_its_csrf_token_and_its_browser() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let page = browser.login_page().await;
    let csrf = input_value(&page.text, "csrf");
    let request = input_value(&page.text, "request");
    let credentials = [("username", ALICE), ("password", ALICE_PASSWORD)];
    let without = [
        ("request", request.as_str()),
        credentials[0],
        credentials[1],
    ];
    let wrong = [
        ("csrf", "AAAA"),
        ("request", request.as_str()),
        credentials[0],
        credentials[1],
    ];
    for (what, form) in [("no csrf", &without[..]), ("wrong csrf", &wrong[..])] {
        let reply = browser.post("/login", form).await;
        assert_eq!(reply.status, 403, "{what}: {}", reply.text);
        assert!(reply.header("set-cookie").is_none(), "{what}: no session");
        assert!(reply.header("location").is_none(), "{what}");
    }
    // The right token from another browser (no browser cookie): refused too.
    let other = Browser::new(&issuer);
    let right = [
        ("csrf", csrf.as_str()),
        ("request", request.as_str()),
        credentials[0],
        credentials[1],
    ];
    assert_eq!(other.post("/login", &right).await.status, 403);
    assert!(other.cookie("jot_session").is_none());
    // Nothing changed: the real form still signs in, once.
    let done = browser.post("/login", &right).await;
    assert!(query_of(done.header("location").unwrap()).contains_key("code"));
    let twice = browser.post("/login", &right).await;
    assert_eq!(twice.status, 400, "a completed request is gone");
}

#[tokio::test]
async fn failed_logins_are_throttled_per_username() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let page = browser.login_page().await;
    for _ in 0..5 {
        assert_eq!(
            browser.submit_login(&page, "ALICE", "guess").await.status,
            200
        );
    }
    // The sixth failure locks the name (case-insensitively) for a second, the
    // seventh for two, and so on: even the right password waits.
    assert_eq!(
        browser.submit_login(&page, ALICE, "guess").await.status,
        200
    );
    let locked = browser.submit_login(&page, ALICE, ALICE_PASSWORD).await;
    assert_eq!(locked.status, 429, "{}", locked.text);
    assert_eq!(locked.header("retry-after"), Some("1"));
    assert!(
        locked.text.contains("Too many failed sign-ins"),
        "{}",
        locked.text
    );
    assert!(locked.header("set-cookie").is_none());
    issuer.clock.advance(1);
    assert_eq!(
        browser.submit_login(&page, ALICE, "guess").await.status,
        200
    );
    let locked = browser.submit_login(&page, ALICE, ALICE_PASSWORD).await;
    assert_eq!(locked.header("retry-after"), Some("2"));
    issuer.clock.advance(2);
    let done = browser.submit_login(&page, ALICE, ALICE_PASSWORD).await;
    assert_eq!(done.status, 303, "{}", done.text);
}

#[tokio::test]
async fn failed_logins_are_throttled_per_client_ip() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let page = browser.login_page().await;
    // Twenty-one different names from one address: the address is locked.
    for i in 0..21 {
        let reply = browser
            .submit_login(&page, &format!("user{i}"), "guess")
            .await;
        assert_eq!(reply.status, 200, "{i}");
    }
    let locked = browser.submit_login(&page, ALICE, ALICE_PASSWORD).await;
    assert_eq!(locked.status, 429);
    issuer.clock.advance(1);
    assert_eq!(
        browser
            .submit_login(&page, ALICE, ALICE_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn behind_a_proxy_the_client_ip_comes_from_its_header() {
    let issuer =
        start_login_with(|b| b.login(Login::new().client_ip_header("x-forwarded-for"))).await;
    let browser = Browser::new(&issuer);
    let page = browser.login_page().await;
    // The proxy appends the real client's address; what the client sent before it
    // is not trusted.
    let via = |client: &str| Some(("x-forwarded-for".to_owned(), format!("6.6.6.6, {client}")));
    *browser.extra_header.lock().unwrap() = via("203.0.113.7");
    for i in 0..21 {
        assert_eq!(
            browser
                .submit_login(&page, &format!("user{i}"), "guess")
                .await
                .status,
            200
        );
    }
    assert_eq!(
        browser
            .submit_login(&page, ALICE, ALICE_PASSWORD)
            .await
            .status,
        429
    );
    // Another client behind the same proxy is not locked out.
    *browser.extra_header.lock().unwrap() = via("198.51.100.9");
    assert_eq!(
        browser
            .submit_login(&page, ALICE, ALICE_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn signing_in_rotates_the_session_id() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    // A session id planted before the login (fixation) is not adopted.
    browser.set_cookie(
        "jot_session",
        "planted-by-an-attacker-0123456789abcdefghijk",
    );
    browser.code_for_web(&[]).await;
    let first = browser.cookie("jot_session").unwrap();
    assert_ne!(first, "planted-by-an-attacker-0123456789abcdefghijk");
    let planted = Browser::new(&issuer);
    planted.set_cookie(
        "jot_session",
        "planted-by-an-attacker-0123456789abcdefghijk",
    );
    let (_, challenge) = pkce();
    let none = authorize_path(WEB, WEB_CALLBACK, &challenge, &[("prompt", "none")]);
    let reply = planted.get(&none).await;
    assert_eq!(
        query_of(reply.header("location").unwrap())["error"],
        "login_required"
    );

    // Signing in again (prompt=login) gives a new id and ends the old session.
    browser.code_for_web(&[("prompt", "login")]).await;
    let second = browser.cookie("jot_session").unwrap();
    assert_ne!(first, second);
    let stale = Browser::new(&issuer);
    stale.set_cookie("jot_session", &first);
    let reply = stale.get(&none).await;
    assert_eq!(
        query_of(reply.header("location").unwrap())["error"],
        "login_required"
    );
    let reply = browser.get(&none).await;
    assert!(query_of(reply.header("location").unwrap()).contains_key("code"));
}

#[tokio::test]
async fn cookies_are_http_only_lax_and_secure_with_the_host_prefix_on_https() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    browser.code_for_web(&[]).await;
    let set = browser.set_cookies.lock().unwrap().clone();
    let session = set.iter().find(|c| c.starts_with("jot_session=")).unwrap();
    let browser_cookie = set.iter().find(|c| c.starts_with("jot_browser=")).unwrap();
    for cookie in [session, browser_cookie] {
        assert!(
            cookie.contains("; Path=/; HttpOnly; SameSite=Lax"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain http issuer: {cookie}");
    }

    let secure = start_login_with(|b| b.login(Login::new().secure_cookies(true))).await;
    let browser = Browser::new(&secure);
    browser.code_for_web(&[]).await;
    let set = browser.set_cookies.lock().unwrap().clone();
    let session = set
        .iter()
        .find(|c| c.starts_with("__Host-jot_session="))
        .unwrap();
    assert!(
        session.contains("; Path=/; HttpOnly; SameSite=Lax; Secure"),
        "{session}"
    );
    assert!(!session.contains("Domain"), "{session}");
    assert!(
        set.iter()
            .any(|c| c.starts_with("__Host-jot_browser=") && c.contains("Secure"))
    );
}

#[tokio::test]
async fn disabled_and_removed_users_cannot_sign_in_and_lose_their_sessions() {
    let issuer = start_login().await;
    let browser = Browser::new(&issuer);
    let (code, verifier) = browser.code_for_web(&[]).await;
    let tokens = issuer.exchange_web(&code, &verifier).await;
    let refresh = tokens.str("refresh_token");

    users::disable(issuer.issuer.store(), ALICE).await.unwrap();
    let (_, challenge) = pkce();
    let none = authorize_path(WEB, WEB_CALLBACK, &challenge, &[("prompt", "none")]);
    let reply = browser.get(&none).await;
    assert_eq!(
        query_of(reply.header("location").unwrap())["error"],
        "login_required"
    );
    issuer
        .post(
            "/token",
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
            crate::support::Auth::Basic(WEB, crate::browser::WEB_SECRET),
        )
        .await
        .assert_error(400, "invalid_grant");
    let page = browser
        .follow(
            &browser
                .get(&authorize_path(WEB, WEB_CALLBACK, &challenge, &[]))
                .await,
        )
        .await;
    let refused = browser.submit_login(&page, ALICE, ALICE_PASSWORD).await;
    assert!(refused.text.contains(WRONG), "{}", refused.text);

    users::enable(issuer.issuer.store(), ALICE).await.unwrap();
    let done = browser.submit_login(&page, ALICE, ALICE_PASSWORD).await;
    assert_eq!(done.status, 303);
    users::remove(issuer.issuer.store(), ALICE).await.unwrap();
    let reply = browser.get(&none).await;
    assert_eq!(
        query_of(reply.header("location").unwrap())["error"],
        "login_required"
    );
}

//! The home page of `jot serve` in a real headless Chromium (Debian's `chromium`,
//! driven through `chromedriver` over WebDriver): sign in through the real
//! authorization code + PKCE flow of the built-in demo client, see the decoded and
//! verified tokens and what `/userinfo` says, refresh, sign out; a wrong password;
//! a login form sent without its CSRF token.

use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::deps;
use crate::support::{Cookies, Jot, follow, free_port, hidden_field, http, sign_in, wait_for_port};

const PASSWORD: &str = "correct horse battery staple";

/// Alice, from the config file, with the claims `/userinfo` returns.
const CONFIG: &str = r#"
[[user]]
username = "alice"
password_env = "ALICE_PASSWORD"
name = "Alice Example"
email = "alice@example.com"
email_verified = true
"#;

fn start_jot() -> Jot {
    Jot::start(Some(CONFIG), &[], &[("ALICE_PASSWORD", PASSWORD)])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_signs_in_sees_the_tokens_refreshes_and_signs_out() {
    let jot = start_jot();
    let browser = Browser::launch().await;
    let page = &browser.client;
    let home = format!("{}/", jot.url);

    // Signed out: the home page offers "Sign in".
    page.goto(&home).await.unwrap();
    assert!(page.find(Locator::Css("#id-token")).await.is_err());
    element(page, "#sign-in").await.click().await.unwrap();

    // The issuer's login page, for the demo client; a wrong password is refused.
    sign_in_with_browser(page, "alice", "not the password").await;
    let error = element(page, ".error").await.text().await.unwrap();
    assert!(
        error.contains("Wrong username or password"),
        "the login page says why: {error:?}"
    );
    assert!(page.find(Locator::Css("#id-token")).await.is_err());

    // The right password: back on the home page, signed in, with both tokens decoded
    // and verified against the issuer's keys, and what /userinfo says.
    sign_in_with_browser(page, "alice", PASSWORD).await;
    let id_token = element(page, "#id-token").await.text().await.unwrap();
    assert_eq!(signature(page, "#id-token").await, "verified", "{id_token}");
    for claim in ["iss", "sub", "aud", "nonce", "at_hash", "auth_time", "sid"] {
        assert!(
            id_token.contains(claim),
            "ID token shows {claim}: {id_token}"
        );
    }
    assert!(id_token.contains(&jot.url), "{id_token}");
    let access = element(page, "#access-token").await.text().await.unwrap();
    assert!(
        access.contains("verified") && access.contains("at+jwt"),
        "{access}"
    );
    let userinfo = element(page, "#userinfo").await.text().await.unwrap();
    assert!(
        userinfo.contains("Alice Example") && userinfo.contains("alice@example.com"),
        "{userinfo}"
    );
    assert_eq!(page.current_url().await.unwrap().as_str(), home);

    // Tokens never reach the page's script: no JWT in the DOM or in script-visible cookies.
    let source = page.source().await.unwrap();
    assert!(!source.contains("eyJ"), "a raw token in the page");
    let cookies = page
        .execute("return document.cookie", vec![])
        .await
        .unwrap();
    assert_eq!(cookies, json!(""), "every cookie is HttpOnly");

    // Refresh: a new access token (a new jti), still verified.
    click_through(page, "#refresh button").await;
    let refreshed = element(page, "#access-token").await.text().await.unwrap();
    assert_eq!(
        signature(page, "#access-token").await,
        "verified",
        "{refreshed}"
    );
    assert_ne!(refreshed, access, "refresh shows a new access token");

    // Sign out: back on the signed-out home page...
    click_through(page, "#sign-out button").await;
    element(page, "#sign-in").await;
    assert!(page.find(Locator::Css("#id-token")).await.is_err());
    assert_eq!(page.current_url().await.unwrap().as_str(), home);
    // ...and the issuer's session ended too: signing in asks for the password again.
    element(page, "#sign-in").await.click().await.unwrap();
    element(page, "form#login").await;

    // The same login form, its CSRF token removed, is refused and signs nobody in.
    page.execute(
        "document.querySelector('form#login input[name=csrf]').remove()",
        vec![],
    )
    .await
    .unwrap();
    fill_and_submit(page, "alice", PASSWORD).await;
    gone(page, "form#login").await;
    assert!(page.find(Locator::Css("#id-token")).await.is_err());
    page.goto(&home).await.unwrap();
    element(page, "#sign-in").await.click().await.unwrap();
    element(page, "form#login").await;

    browser.close().await;
}

/// The refusal in HTTP terms: the login form posted without its CSRF token, or with
/// a wrong one, is a 403 that sets no session cookie; with it, the login succeeds.
#[tokio::test(flavor = "multi_thread")]
async fn the_login_form_without_its_csrf_token_is_refused() {
    let jot = start_jot();
    let client = http();
    let mut cookies = Cookies::default();
    let (login_url, page) = follow(&client, &mut cookies, &format!("{}/demo/login", jot.url)).await;
    assert!(page.contains("id=\"login\""), "{page}");
    let csrf = hidden_field(&page, "csrf").expect("the login form carries a CSRF token");
    let request = hidden_field(&page, "request").expect("and its pending request");
    let post = |fields: Vec<(&'static str, String)>, cookie: String| {
        let client = client.clone();
        let url = format!("{}/login", jot.url);
        async move {
            client
                .post(url)
                .header("cookie", cookie)
                .form(&fields)
                .send()
                .await
                .unwrap()
        }
    };
    let credentials = || {
        vec![
            ("username", "alice".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("request", request.clone()),
        ]
    };
    let session_cookie = |r: &reqwest::Response| {
        crate::support::set_cookies(r)
            .iter()
            .any(|c| c.starts_with("jot_session=") && c.len() > "jot_session=".len())
    };

    let without = post(credentials(), cookies.header()).await;
    assert_eq!(without.status(), 403, "no CSRF token ({login_url})");
    assert!(!session_cookie(&without), "no session without the token");

    let mut wrong = credentials();
    wrong.push(("csrf", format!("{csrf}x")));
    let wrong = post(wrong, cookies.header()).await;
    assert_eq!(wrong.status(), 403, "a wrong CSRF token");
    assert!(!session_cookie(&wrong));

    let mut right = credentials();
    right.push(("csrf", csrf));
    let signed_in = post(right, cookies.header()).await;
    assert_eq!(
        signed_in.status(),
        303,
        "the same form with its token signs in"
    );
    assert!(session_cookie(&signed_in), "and starts a session");

    // A wrong password and an unknown user get the same answer.
    let wrong = sign_in(&jot.url, "alice", "not the password")
        .await
        .unwrap_err();
    let unknown = sign_in(&jot.url, "mallory", "not the password")
        .await
        .unwrap_err();
    for page in [&wrong, &unknown] {
        assert!(page.contains("Wrong username or password"), "{page}");
    }
    let home = sign_in(&jot.url, "alice", PASSWORD).await.unwrap();
    assert!(home.contains("id=\"id-token\""), "{home}");
}

/// Fills the login form and submits it with its button, then waits for the next page.
async fn sign_in_with_browser(page: &Client, username: &str, password: &str) {
    element(page, "form#login").await;
    let text = page.source().await.unwrap();
    assert!(
        text.contains("jot demo"),
        "the login page names the client: {text}"
    );
    fill_and_submit(page, username, password).await;
}

async fn fill_and_submit(page: &Client, username: &str, password: &str) {
    let user = element(page, "form#login input[name=username]").await;
    assert_eq!(
        user.attr("autocomplete").await.unwrap().as_deref(),
        Some("username")
    );
    user.clear().await.unwrap();
    user.send_keys(username).await.unwrap();
    let pass = element(page, "form#login input[name=password]").await;
    assert_eq!(
        pass.attr("type").await.unwrap().as_deref(),
        Some("password")
    );
    assert_eq!(
        pass.attr("autocomplete").await.unwrap().as_deref(),
        Some("current-password")
    );
    pass.send_keys(password).await.unwrap();
    element(page, "form#login button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
}

/// The verdict the page shows for a token's signature.
async fn signature(page: &Client, section: &str) -> String {
    element(page, &format!("{section} .signature"))
        .await
        .text()
        .await
        .unwrap()
}

/// Clicks the element `css` selects and waits for the page it leads to (the old
/// document gone).
async fn click_through(page: &Client, css: &str) {
    let old = page.find(Locator::Css("html")).await.unwrap();
    element(page, css).await.click().await.unwrap();
    for _ in 0..150 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("clicking {css} loaded no new page within 15 s");
}

/// Waits up to 15 s for the element `css` selects to be gone (the next page loaded).
async fn gone(page: &Client, css: &str) {
    for _ in 0..150 {
        if page.find(Locator::Css(css)).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} still shown after 15 s");
}

/// The element `css` selects, waiting up to 15 s for it to appear.
async fn element(page: &Client, css: &str) -> fantoccini::elements::Element {
    match page
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => {
            let url = page.current_url().await.map(|u| u.to_string());
            let source = page.source().await.unwrap_or_default();
            panic!("no {css} on {url:?} ({e}):\n{source}")
        }
    }
}

/// Headless Chromium under its own `chromedriver`, with a fresh profile.
struct Browser {
    client: Client,
    driver: Driver,
    _profile: tempfile::TempDir,
}

/// The `chromedriver` process group (the driver and the browsers it starts), killed
/// when dropped so a failing test leaves no browser behind.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    /// Installs the browser when missing (`cargo xtask deps`), starts
    /// `chromedriver --port=<free port>` and opens a headless session.
    async fn launch() -> Browser {
        if let Err(e) = deps::ensure_browser() {
            panic!("the browser test needs Chromium and chromedriver: {e}");
        }
        let profile = tempfile::tempdir().unwrap();
        let port = free_port();
        let driver = Driver(
            Command::new(deps::CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .process_group(0)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", deps::CHROMEDRIVER)),
        );
        let addr = ([127, 0, 0, 1], port).into();
        assert!(
            wait_for_port(addr, Duration::from_secs(30)),
            "chromedriver did not listen on {addr}"
        );
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": deps::CHROMIUM, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://{addr}"))
            .await
            .unwrap_or_else(|e| panic!("no WebDriver session: {e}"));
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Ends the session (the browser quits), then the driver.
    async fn close(self) {
        let Browser { client, driver, .. } = self;
        let _ = client.close().await;
        drop(driver);
    }
}

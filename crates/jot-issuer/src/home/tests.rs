//! The home page and its demo client through the issuer's router, in-process: the
//! page and its headers, the sign-in with its checks, refresh, sign-out.

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode, header};
use tower::ServiceExt as _;

use super::Home;
use crate::users::NewUser;
use crate::{Issuer, Login};

const URL: &str = "http://issuer.test";

/// A browser: keeps cookies, sends requests to the app.
struct Browser {
    app: Router,
    cookies: Vec<(String, String)>,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn location(&self) -> String {
        let location = self.headers[header::LOCATION].to_str().unwrap();
        location.strip_prefix(URL).unwrap_or(location).to_owned()
    }
}

impl Browser {
    async fn new() -> Browser {
        let issuer = Issuer::builder(URL)
            .login(Login::new())
            .build()
            .await
            .unwrap();
        issuer
            .add_user(NewUser::new("alice", "a long password").name("Alice Example"))
            .await
            .unwrap();
        let home = Home::register(&issuer).await.unwrap();
        Browser {
            app: issuer.router().merge(home.router()),
            cookies: Vec::new(),
        }
    }

    async fn send(&mut self, request: http::request::Builder, body: Body) -> Reply {
        let cookie = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = request.header(header::COOKIE, cookie).body(body).unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        for set in parts.headers.get_all(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    async fn get(&mut self, uri: &str) -> Reply {
        self.send(Request::get(uri), Body::empty()).await
    }

    async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(body)).await
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// "Sign in" (through the login form unless the issuer has a session): the
    /// callback URL the issuer sends back to.
    async fn sign_in(&mut self) -> String {
        let start = self.get("/demo/login").await;
        assert_eq!(start.status, StatusCode::SEE_OTHER);
        let authorize = self.get(&start.location()).await;
        if authorize.location().starts_with("/demo/callback?") {
            return authorize.location(); // signed in at the issuer already
        }
        let login = self.get(&authorize.location()).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
        assert!(login.body.contains("jot demo"), "the client's name");
        let csrf = field(&login.body, "csrf");
        let request = field(&login.body, "request");
        let done = self
            .post(
                "/login",
                &[
                    ("username", "alice"),
                    ("password", "a long password"),
                    ("csrf", &csrf),
                    ("request", &request),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let callback = done.location();
        assert!(callback.starts_with("/demo/callback?"), "{callback}");
        callback
    }
}

/// The value of a hidden field.
fn field(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap();
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn the_signed_out_page_offers_sign_in_with_the_login_pages_headers() {
    let mut browser = Browser::new().await;
    let page = browser.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<a id=\"sign-in\""), "{}", page.body);
    assert!(
        page.body.contains("http://issuer.test/authorize"),
        "endpoints listed"
    );
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.starts_with("default-src 'none'") && !csp.contains("script"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(page.headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let css = browser.get("/home.css").await;
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");

    // Sign in: a PKCE (S256) request of the demo client, remembered under an
    // HttpOnly cookie.
    let start = browser.get("/demo/login").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    let url = start.location();
    for part in [
        "/authorize?response_type=code&client_id=jot-demo&",
        "&code_challenge_method=S256",
        "&nonce=",
        "&state=",
        "redirect_uri=http%3A%2F%2Fissuer.test%2Fdemo%2Fcallback",
    ] {
        assert!(url.contains(part), "{part} in {url}");
    }
    let set = start.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.starts_with("jot_demo=") && set.contains("HttpOnly") && set.contains("SameSite=Lax")
    );
}

#[tokio::test]
async fn a_callback_that_does_not_answer_this_browsers_request_is_refused() {
    let mut browser = Browser::new().await;
    let callback = browser.sign_in().await;
    let tampered = callback.replace("state=", "state=x");
    let refused = browser.get(&tampered).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("class=\"error\""), "{}", refused.body);
    assert!(refused.body.contains("id=\"sign-in\""), "still signed out");
    // The attempt is spent: the real callback no longer works either.
    let again = browser.get(&callback).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(!browser.get("/").await.body.contains("id=\"id-token\""));

    // Another browser (no demo cookie) cannot use a code; the right one still can.
    let callback = browser.sign_in().await;
    let mut other = Browser {
        app: browser.app.clone(),
        cookies: Vec::new(),
    };
    assert_eq!(other.get(&callback).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(browser.get(&callback).await.status, StatusCode::SEE_OTHER);
    assert!(browser.get("/").await.body.contains("id=\"id-token\""));

    // A response naming another issuer is refused (RFC 9207).
    let mut browser = Browser::new().await;
    let callback = browser.sign_in().await;
    let elsewhere = callback.replace("iss=http%3A%2F%2Fissuer.test", "iss=http%3A%2F%2Fevil.test");
    assert_ne!(elsewhere, callback);
    assert_eq!(
        browser.get(&elsewhere).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn signed_in_the_page_shows_verified_tokens_refreshes_and_signs_out() {
    let mut browser = Browser::new().await;
    let callback = browser.sign_in().await;
    let before = browser.cookie("jot_demo").unwrap();
    let back = browser.get(&callback).await;
    assert_eq!(
        (back.status, back.location().as_str()),
        (StatusCode::SEE_OTHER, "/")
    );
    assert_ne!(
        browser.cookie("jot_demo").unwrap(),
        before,
        "a new session id"
    );

    let page = browser.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body
            .matches("<span class=\"signature\">verified</span>")
            .count(),
        2
    );
    assert!(
        page.body.contains("nonce, at_hash"),
        "the ID token's checks"
    );
    assert!(page.body.contains("Signed in as Alice Example"));
    assert!(!page.body.contains("eyJ"), "no raw token in the page");
    let jti = |body: &str| {
        let at = body.find("id=\"access-token\"").unwrap();
        let rest = &body[at..];
        let jti = rest.find("<th>jti</th><td>").unwrap() + 16;
        rest[jti..jti + 22].to_owned()
    };
    let first = jti(&page.body);

    // The page's forms need its CSRF token.
    let refused = browser.post("/demo/refresh", &[("csrf", "guess")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let csrf = field(&page.body, "csrf");
    let refreshed = browser.post("/demo/refresh", &[("csrf", &csrf)]).await;
    assert_eq!(
        refreshed.status,
        StatusCode::SEE_OTHER,
        "{}",
        refreshed.body
    );
    let page = browser.get("/").await;
    assert_ne!(jti(&page.body), first, "a new access token");
    assert_eq!(
        page.body
            .matches("<span class=\"signature\">verified</span>")
            .count(),
        2
    );

    // Sign out: RP-initiated logout with the ID token as hint, back to /.
    assert_eq!(
        browser.post("/demo/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let out = browser.post("/demo/logout", &[("csrf", &csrf)]).await;
    let logout = out.location();
    assert!(logout.starts_with("/logout?id_token_hint="), "{logout}");
    assert!(
        logout.contains("post_logout_redirect_uri=http%3A%2F%2Fissuer.test%2Fdemo%2Fsigned-out")
    );
    let ended = browser.get(&logout).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    let signed_out = ended.location();
    assert!(
        signed_out.starts_with("/demo/signed-out?state="),
        "{signed_out}"
    );
    let home = browser.get(&signed_out).await;
    assert_eq!(home.location(), "/");
    assert_eq!(browser.cookie("jot_demo"), None, "the cookie is gone");
    let page = browser.get("/").await;
    assert!(page.body.contains("id=\"sign-in\"") && !page.body.contains("id-token"));
    // The issuer's session ended too: signing in shows the login form again.
    let start = browser.get("/demo/login").await;
    let authorize = browser.get(&start.location()).await;
    assert!(
        authorize.location().starts_with("/login?"),
        "{}",
        authorize.location()
    );
}

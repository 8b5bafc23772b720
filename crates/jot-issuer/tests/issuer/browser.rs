//! A browser for the login tests: a cookie jar, no automatic redirects, and the
//! steps of the authorization code flow (PKCE, the login form, the code exchange)
//! against an issuer with login enabled.

use std::collections::BTreeMap;
use std::sync::Mutex;

use jot_issuer::{
    IssuerBuilder, Login, NewClient,
    store::{IssuerStore, MemoryStore},
    users::NewUser,
};
use ring::digest;
use serde_json::Value;

use crate::support::{Auth, Reply, Running, http, reply, start_with};

/// A confidential, first-party client.
pub const WEB: &str = "web";
pub const WEB_SECRET: &str = "web-secret-0123456789abcdef";
pub const WEB_CALLBACK: &str = "https://app.example/cb";
pub const WEB_LOOPBACK: &str = "http://127.0.0.1:9000/callback";
pub const WEB_LOGOUT: &str = "https://app.example/";
/// A public, third-party client (consent page).
pub const SPA: &str = "spa";
pub const SPA_CALLBACK: &str = "https://spa.example/cb";

pub const ALICE: &str = "alice";
pub const ALICE_PASSWORD: &str = "correct horse battery";
pub const SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// An issuer with login, the clients [`WEB`] and [`SPA`], and the user [`ALICE`].
pub async fn start_login() -> Running {
    start_login_with(|b| b.login(Login::new())).await
}

/// [`start_login`] with a builder of one's own (it must enable the login).
pub async fn start_login_with(configure: impl FnOnce(IssuerBuilder) -> IssuerBuilder) -> Running {
    start_login_on(MemoryStore::new(), configure).await
}

/// [`start_login_with`] on this store.
pub async fn start_login_on(
    store: impl IssuerStore,
    configure: impl FnOnce(IssuerBuilder) -> IssuerBuilder,
) -> Running {
    let running = start_with(store, configure).await;
    running
        .issuer
        .ensure_client(
            NewClient::new(WEB)
                .secret(WEB_SECRET)
                .name("Web <App>")
                .redirect_uris([WEB_CALLBACK, WEB_LOOPBACK])
                .post_logout_redirect_uris([WEB_LOGOUT])
                .scopes(SCOPES)
                .first_party(true),
        )
        .await
        .unwrap();
    running
        .issuer
        .ensure_client(
            NewClient::new(SPA)
                .public()
                .name("Single Page")
                .redirect_uris([SPA_CALLBACK])
                .scopes(SCOPES),
        )
        .await
        .unwrap();
    running
        .issuer
        .add_user(
            NewUser::new(ALICE, ALICE_PASSWORD)
                .name("Alice Example")
                .email("alice@example.com")
                .email_verified(true),
        )
        .await
        .unwrap();
    running
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "verifier-{}-0123456789-abcdefghijklmnopqrstuvwxyz",
        rand_suffix()
    );
    let challenge =
        jot_codec::base64url::encode(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref());
    (verifier, challenge)
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// `/authorize?…` for `client` with `redirect_uri`, the challenge, `openid
/// profile email offline_access` (unless `extra` sets `scope`), `state` and
/// `nonce`, plus `extra`.
pub fn authorize_path(
    client: &str,
    redirect_uri: &str,
    challenge: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", client)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", "st&te=1/2")
        .append_pair("nonce", "n-0S6_WzA2Mj");
    if !extra.iter().any(|(k, _)| *k == "scope") {
        query.append_pair("scope", &SCOPES.join(" "));
    }
    for (k, v) in extra {
        query.append_pair(k, v);
    }
    format!("/authorize?{}", query.finish())
}

/// The query parameters of a URL.
pub fn query_of(url: &str) -> BTreeMap<String, String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The `value` of the input named `name` in an HTML page.
pub fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no input {name} in {html}"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace("&amp;", "&")
}

/// A browser: cookies kept, redirects not followed.
pub struct Browser<'a> {
    pub issuer: &'a Running,
    http: reqwest::Client,
    pub cookies: Mutex<BTreeMap<String, String>>,
    /// Every `Set-Cookie` received, as sent.
    pub set_cookies: Mutex<Vec<String>>,
    /// A header sent with every request (a proxy's `x-real-ip`, say).
    pub extra_header: Mutex<Option<(String, String)>>,
}

impl<'a> Browser<'a> {
    pub fn new(issuer: &'a Running) -> Self {
        let _ = http();
        Browser {
            issuer,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Mutex::new(BTreeMap::new()),
            set_cookies: Mutex::new(Vec::new()),
            extra_header: Mutex::new(None),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .unwrap()
            .insert(name.into(), value.into());
    }

    pub fn forget_cookie(&self, name: &str) {
        self.cookies.lock().unwrap().remove(name);
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.issuer.url)
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let jar: Vec<String> = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut request = if jar.is_empty() {
            request
        } else {
            request.header("cookie", jar.join("; "))
        };
        if let Some((name, value)) = self.extra_header.lock().unwrap().clone() {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap().to_owned();
            let (pair, attributes) = text.split_once(';').unwrap_or((&text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.forget_cookie(name);
            } else {
                self.set_cookie(name, value);
            }
            self.set_cookies.lock().unwrap().push(text);
        }
        reply(response).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.send(
            self.http
                .post(self.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }

    /// Follows a 303 to the issuer's page it names.
    pub async fn follow(&self, reply: &Reply) -> Reply {
        assert_eq!(reply.status, 303, "{}", reply.text);
        self.get(reply.header("location").unwrap()).await
    }

    /// Starts a code flow for `web` (a fresh PKCE challenge) and returns the login
    /// page it leads to.
    pub async fn login_page(&self) -> Reply {
        let (_, challenge) = pkce();
        let start = self
            .get(&authorize_path(WEB, WEB_CALLBACK, &challenge, &[]))
            .await;
        self.follow(&start).await
    }

    /// Submits the login form of `page` with these credentials.
    pub async fn submit_login(&self, page: &Reply, username: &str, password: &str) -> Reply {
        assert_eq!(page.status, 200, "{}", page.text);
        self.post(
            "/login",
            &[
                ("csrf", &input_value(&page.text, "csrf")),
                ("request", &input_value(&page.text, "request")),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Runs `/authorize` and, if asked to, signs in: the redirect to the client
    /// (or to the consent page).
    pub async fn authorize(&self, path: &str, username: &str, password: &str) -> Reply {
        let first = self.get(path).await;
        assert_eq!(first.status, 303, "{}", first.text);
        let location = first.header("location").unwrap();
        if !location.starts_with("/login?") {
            return first;
        }
        let page = self.get(location).await;
        self.submit_login(&page, username, password).await
    }

    /// Allows what the consent page `reply` redirects to asks; the reply to the
    /// form (a redirect to the client).
    pub async fn allow_consent(&self, reply: &Reply) -> Reply {
        let page = self.follow(reply).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let csrf = input_value(&page.text, "csrf");
        let request = input_value(&page.text, "request");
        self.post(
            "/consent",
            &[
                ("csrf", &csrf),
                ("request", &request),
                ("decision", "allow"),
            ],
        )
        .await
    }

    /// The whole flow for a third-party `client` as [`ALICE`], consent given:
    /// the code and the verifier; the consent page's text is checked to contain
    /// `shown`.
    pub async fn code_with_consent(
        &self,
        client: &str,
        redirect_uri: &str,
        scope: &str,
        shown: &str,
    ) -> (String, String) {
        let (verifier, challenge) = pkce();
        let path = authorize_path(client, redirect_uri, &challenge, &[("scope", scope)]);
        let signed_in = self.authorize(&path, ALICE, ALICE_PASSWORD).await;
        let page = self.follow(&signed_in).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains(shown), "{shown} in {}", page.text);
        let allowed = self
            .post(
                "/consent",
                &[
                    ("csrf", &input_value(&page.text, "csrf")),
                    ("request", &input_value(&page.text, "request")),
                    ("decision", "allow"),
                ],
            )
            .await;
        let location = allowed.header("location").unwrap();
        assert!(location.starts_with(redirect_uri), "{location}");
        (query_of(location)["code"].clone(), verifier)
    }

    /// The whole flow for [`WEB`] as [`ALICE`]: the code and the verifier.
    pub async fn code_for_web(&self, extra: &[(&str, &str)]) -> (String, String) {
        let (verifier, challenge) = pkce();
        let done = self
            .authorize(
                &authorize_path(WEB, WEB_CALLBACK, &challenge, extra),
                ALICE,
                ALICE_PASSWORD,
            )
            .await;
        let location = done.header("location").unwrap();
        assert!(location.starts_with(WEB_CALLBACK), "{location}");
        (query_of(location)["code"].clone(), verifier)
    }
}

impl Running {
    /// Exchanges a code of [`WEB`] (Basic authentication).
    pub async fn exchange_web(&self, code: &str, verifier: &str) -> Reply {
        self.exchange(
            code,
            verifier,
            WEB_CALLBACK,
            Auth::Basic(WEB, WEB_SECRET),
            None,
        )
        .await
    }

    pub async fn exchange(
        &self,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
        auth: Auth<'_>,
        client_id: Option<&str>,
    ) -> Reply {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("code_verifier", verifier);
        if let Some(id) = client_id {
            form.append_pair("client_id", id);
        }
        self.post("/token", &form.finish(), auth).await
    }

    /// `GET /userinfo` with this bearer token.
    pub async fn userinfo(&self, token: &str) -> Reply {
        reply(
            self.http
                .get(format!("{}/userinfo", self.url))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// The claims of an ID token after checking its signature with the issuer's
    /// JWKS, its `iss` and its `aud`.
    pub async fn verify_id_token(&self, token: &str, client: &str) -> Value {
        let jwks = self.get("/.well-known/jwks.json").await.text;
        let keys = jot_algorithms::KeySet::from_jwks_json(&jwks).unwrap();
        let validation = jot_codec::Validation::new()
            .issuer(self.url.clone())
            .audience(client)
            .typ("JWT");
        let decoded = jot_codec::decode_with_clock::<serde_json::Map<String, Value>, _, _>(
            token,
            &keys,
            &validation,
            &self.clock,
        )
        .unwrap();
        serde_json::to_value(decoded.claims).unwrap()
    }
}

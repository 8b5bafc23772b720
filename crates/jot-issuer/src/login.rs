//! [`Login`]: people signing in to the issuer (OpenID Connect), and the
//! [`Authenticator`] that checks their passwords: jot's own users by default, or
//! an application's user database.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::store::IssuerStore;
use crate::users::User;
use crate::{IssuerError, password};

/// Default lifetime of a login session: 12 hours.
pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// The future an [`Authenticator`] returns: the user, or `None`.
pub type AuthFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<User>, IssuerError>> + Send + 'a>>;

/// Checks who signs in: jot's own users (the default), or an application's own
/// user database or upstream login.
///
/// ```
/// use jot_issuer::{AuthFuture, Authenticator, users::User};
///
/// struct OneUser;
///
/// impl Authenticator for OneUser {
///     fn authenticate<'a>(&'a self, username: &'a str, password: &'a str) -> AuthFuture<'a> {
///         // A real one compares a slow hash, in constant time, on a blocking thread.
///         let ok = username == "alice" && password == "correct horse battery";
///         Box::pin(async move { Ok(ok.then(|| User::new("1", "alice"))) })
///     }
///     fn lookup<'a>(&'a self, sub: &'a str) -> AuthFuture<'a> {
///         Box::pin(async move { Ok((sub == "1").then(|| User::new("1", "alice"))) })
///     }
/// }
///
/// let login = jot_issuer::Login::new().authenticator(OneUser);
/// # let _ = login;
/// ```
pub trait Authenticator: Send + Sync + 'static {
    /// The user these credentials sign in, or `None` (unknown user, wrong password,
    /// disabled user: the login page says the same for all three). The issuer
    /// throttles failed attempts before calling this.
    fn authenticate<'a>(&'a self, username: &'a str, password: &'a str) -> AuthFuture<'a>;

    /// The user with this `sub` now (for `/userinfo`, token refreshes and sessions),
    /// or `None` if it no longer exists. A user returned with `disabled` is treated
    /// as gone.
    fn lookup<'a>(&'a self, sub: &'a str) -> AuthFuture<'a>;
}

/// Turns on the login: `/authorize`, the login and consent pages, `/userinfo`,
/// `/logout` and the `authorization_code` grant. From [`Login::new`], given to
/// [`IssuerBuilder::login`](crate::IssuerBuilder::login).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use jot_issuer::{Issuer, Login};
///
/// let issuer = Issuer::builder("https://auth.example.com").login(Login::new()).build().await?;
/// assert!(issuer.login_enabled());
/// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
/// ```
#[must_use]
pub struct Login {
    pub(crate) authenticator: Option<Arc<dyn Authenticator>>,
    pub(crate) secure_cookies: Option<bool>,
    pub(crate) session_lifetime: Duration,
    pub(crate) client_ip_header: Option<http::HeaderName>,
}

impl Login {
    /// jot's own users (in the issuer's store, argon2id), cookies `Secure` iff the
    /// issuer URL is https, sessions of 12 hours.
    pub fn new() -> Self {
        Login {
            authenticator: None,
            secure_cookies: None,
            session_lifetime: DEFAULT_SESSION_LIFETIME,
            client_ip_header: None,
        }
    }

    /// Behind a reverse proxy: the header that names the client's IP address (for
    /// login throttling), as
    /// [`IssuerBuilder::client_ip_header`](crate::IssuerBuilder::client_ip_header)
    /// says — which sets it for the whole issuer (client authentication too) and
    /// takes precedence; this one, without it, applies to the whole issuer as
    /// well. Prefer [`IssuerBuilder::trusted_proxies`](crate::IssuerBuilder::trusted_proxies),
    /// which believes `X-Forwarded-For` from the proxies named only.
    ///
    /// ```
    /// let login = jot_issuer::Login::new().client_ip_header("x-real-ip");
    /// # let _ = login;
    /// ```
    ///
    /// An invalid header name is ignored, with a warning in the log.
    pub fn client_ip_header(mut self, name: impl AsRef<str>) -> Self {
        match http::HeaderName::from_bytes(name.as_ref().as_bytes()) {
            Ok(header) => self.client_ip_header = Some(header),
            Err(_) => {
                tracing::warn!(target: "jot_issuer", "client_ip_header: not a header name; ignored")
            }
        }
        self
    }

    /// Checks passwords and looks users up with `authenticator` instead of jot's users.
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    /// Whether cookies are `Secure` with the `__Host-` prefix (default: when the
    /// issuer URL is https). Browsers keep `Secure` cookies on `http://localhost`
    /// and `http://127.0.0.1` too, but not on other plain-http hosts.
    pub fn secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = Some(secure);
        self
    }

    /// How long a login session lasts (default 12 hours; at least one minute).
    pub fn session_lifetime(mut self, lifetime: Duration) -> Self {
        self.session_lifetime = lifetime.max(Duration::from_secs(60));
        self
    }
}

impl Default for Login {
    fn default() -> Self {
        Login::new()
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("own_authenticator", &self.authenticator.is_some())
            .field("secure_cookies", &self.secure_cookies)
            .field("session_lifetime", &self.session_lifetime)
            .field("client_ip_header", &self.client_ip_header)
            .finish()
    }
}

/// jot's own users, in the issuer's store.
pub(crate) struct StoreUsers(pub(crate) Arc<dyn IssuerStore>);

impl Authenticator for StoreUsers {
    fn authenticate<'a>(&'a self, username: &'a str, password: &'a str) -> AuthFuture<'a> {
        Box::pin(async move {
            let record = self.0.find_user(username).await?;
            // An unknown user is checked against a dummy hash: the same work.
            let hash = record.as_ref().map(|r| r.password_hash.as_str());
            let matched = password::verify(password, hash).await?;
            Ok(record
                .filter(|r| matched && !r.disabled)
                .map(|r| User::from(&r)))
        })
    }

    fn lookup<'a>(&'a self, sub: &'a str) -> AuthFuture<'a> {
        Box::pin(async move { Ok(self.0.get_user(sub).await?.map(|r| User::from(&r))) })
    }
}

/// The login settings of a running issuer.
pub(crate) struct LoginState {
    pub(crate) authenticator: Arc<dyn Authenticator>,
    /// `Secure` cookies with the `__Host-` prefix.
    pub(crate) secure: bool,
    /// Session lifetime, in seconds.
    pub(crate) session_ttl: u64,
    /// The path of the issuer URL (`""` or `/auth`), before its login routes.
    pub(crate) base_path: String,
    pub(crate) throttle: crate::throttle::Throttle,
    /// Where the client IP comes from behind a proxy.
    pub(crate) client_ip_header: Option<http::HeaderName>,
}

impl LoginState {
    pub(crate) fn new(login: Login, url: &str, store: &Arc<dyn IssuerStore>) -> Self {
        let authenticator = login
            .authenticator
            .unwrap_or_else(|| Arc::new(StoreUsers(Arc::clone(store))));
        LoginState {
            authenticator,
            secure: login
                .secure_cookies
                .unwrap_or_else(|| url.starts_with("https://")),
            session_ttl: login.session_lifetime.as_secs(),
            base_path: reqwest::Url::parse(url)
                .map(|u| u.path().trim_end_matches('/').to_owned())
                .unwrap_or_default(),
            throttle: crate::throttle::Throttle::default(),
            client_ip_header: login.client_ip_header,
        }
    }
}

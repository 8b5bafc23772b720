//! [`RemoteJwks`]: a JWK Set fetched over HTTPS and cached.

use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime};

use jot_algorithms::{Algorithm, KeySet};
use jot_codec::UntrustedToken;
use tokio::sync::watch;
use tokio::time::Instant;

use super::discovery;
use super::fetch::{self, Fetched, PlainHttp};
use super::prints::{Prints, prints_of};
use super::{ConfigError, FetchError, KeySource, KeySourceError, Keys, KeysFuture};

/// The background task never fetches more often than this, whatever the settings.
const MIN_BACKGROUND_INTERVAL: Duration = Duration::from_millis(100);

/// A remote JWK Set, fetched over HTTPS (directly or through OIDC / RFC 8414
/// discovery) and cached.
///
/// # The cache
///
/// - **Lifetime.** A fetched set lives for the response's `Cache-Control: max-age`
///   (`no-store`/`no-cache` count as 0), clamped to `[min_ttl, max_ttl]` (defaults
///   5 min and 24 h); without the header, `default_ttl` (1 h).
/// - **Refresh ahead.** A background task refetches when 90 % of the lifetime has
///   passed, so requests do not wait for a refetch when the set expires. If a
///   request finds the set expired anyway, it is served from the stale set while a
///   refetch starts.
/// - **Unknown `kid`.** A token whose `kid` is not in the set triggers a refetch
///   (the issuer may have rotated), at most once per `cooldown` (default 30 s);
///   inside the window the token is refused with `unknown key` without any fetch,
///   so a flood of made-up `kid`s costs the issuer at most one request per window.
/// - **Single flight.** At most one fetch runs at a time; every request that needs
///   it waits for that one fetch (through a `watch` channel — no lock is held
///   across an `.await`). The fetch runs in its own task, so a request that goes
///   away does not cancel it.
/// - **Failures keep the last good set.** A status other than 2xx, a timeout, a
///   body over the size limit (default 1 MiB), or a body that is not a JWK Set is
///   recorded as the last error and the set already held stays in use. Only when
///   no set was ever fetched are requests answered with 503. A failed fetch is
///   retried after `cooldown`.
/// - **Remote sets are public**: symmetric (`oct`) keys in them are ignored.
/// - **HTTPS**, or plain HTTP to this machine (`localhost`, `127.0.0.0/8`, `::1`),
///   where a development issuer such as `jot serve` listens; plain HTTP to any
///   other host only after [`RemoteJwksBuilder::allow_insecure_http`].
///
/// Cloning is cheap and clones share the cache. Its fetches and refresh task run
/// on the Tokio runtime it is first used from.
///
/// ```no_run
/// use jot_axum::RemoteJwks;
/// # fn main() -> Result<(), jot_axum::ConfigError> {
/// // From the JWKS URL itself:
/// let jwks = RemoteJwks::builder("https://auth.example.com/.well-known/jwks.json").build()?;
/// // Or from the issuer, through /.well-known/openid-configuration
/// // (falling back to /.well-known/oauth-authorization-server):
/// let jwks = RemoteJwks::discover("https://auth.example.com").build()?;
/// // A development issuer on this machine (`jot serve`) needs no opt-in:
/// let jwks = RemoteJwks::discover("http://127.0.0.1:8080").build()?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RemoteJwks {
    shared: Arc<Shared>,
}

/// Configures a [`RemoteJwks`].
#[derive(Clone, Debug)]
#[must_use]
pub struct RemoteJwksBuilder {
    location: String,
    discover: bool,
    config: Config,
    plain: PlainHttp,
    extra_roots: Vec<Vec<u8>>,
}

/// A snapshot of a [`RemoteJwks`] cache, from [`RemoteJwks::stats`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JwksStats {
    /// HTTP fetches of the JWK Set attempted so far (discovery requests not counted).
    pub fetches: u64,
    /// How many of them failed.
    pub failures: u64,
    /// When the last fetch succeeded.
    pub last_success: Option<SystemTime>,
    /// When the last fetch failed, and why (kept after later successes).
    pub last_error: Option<(SystemTime, FetchError)>,
    /// The `kid`s of the usable keys held now, in set order.
    pub key_ids: Vec<String>,
    /// How many usable keys are held now.
    pub key_count: usize,
    /// Time left before the held set expires (zero when stale), `None` before the first success.
    pub expires_in: Option<Duration>,
    /// The JWKS URL in use (for discovery: once discovered).
    pub jwks_uri: Option<String>,
    /// Whether a fetch is running now.
    pub fetching: bool,
}

impl RemoteJwks {
    /// Default lower bound of a set's cache lifetime.
    pub const DEFAULT_MIN_TTL: Duration = Duration::from_secs(5 * 60);
    /// Default upper bound of a set's cache lifetime.
    pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
    /// Default cache lifetime when the response has no `Cache-Control: max-age`.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(60 * 60);
    /// Default minimum time between two fetches caused by unknown `kid`s or failures.
    pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);
    /// Default timeout of one HTTP request (connect, headers and body).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default limit of a response body.
    pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

    /// A builder for the JWK Set at `url`.
    pub fn builder(url: impl Into<String>) -> RemoteJwksBuilder {
        RemoteJwksBuilder {
            location: url.into(),
            discover: false,
            config: Config::default(),
            plain: PlainHttp::Loopback,
            extra_roots: Vec::new(),
        }
    }

    /// A builder for the JWK Set of the issuer at `issuer`, found through
    /// `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery) or,
    /// failing that, the RFC 8414 `/.well-known/oauth-authorization-server` document.
    /// The document's `issuer` must equal `issuer`.
    pub fn discover(issuer: impl Into<String>) -> RemoteJwksBuilder {
        RemoteJwksBuilder {
            discover: true,
            ..RemoteJwks::builder(issuer)
        }
    }

    /// What the cache holds and how it has fared.
    pub fn stats(&self) -> JwksStats {
        let now = Instant::now();
        let state = self.shared.lock();
        JwksStats {
            fetches: state.fetches,
            failures: state.failures,
            last_success: state.last_success,
            last_error: state.last_error.clone(),
            key_ids: state
                .keys
                .as_ref()
                .map(|k| {
                    k.keys()
                        .iter()
                        .filter_map(|k| k.kid().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            key_count: state.keys.as_ref().map_or(0, KeySet::len),
            expires_in: state
                .keys
                .as_ref()
                .map(|_| state.expires_at.saturating_duration_since(now)),
            jwks_uri: state.jwks_uri.as_ref().map(|u| u.to_string()),
            fetching: state.in_flight.is_some(),
        }
    }

    /// The keys held now, without fetching.
    pub fn cached_keys(&self) -> Option<KeySet> {
        self.shared.lock().keys.clone()
    }

    /// Fetches the set now, ignoring the cooldown (or joins a fetch already
    /// running), and waits for the result. On failure the previous set stays in use.
    pub async fn refresh_now(&self) -> Result<(), FetchError> {
        let rx = {
            let mut state = self.shared.lock();
            start_background(&self.shared, &mut state);
            match &state.in_flight {
                Some(rx) => rx.clone(),
                None => start_fetch(&self.shared, &mut state),
            }
        };
        wait(rx).await
    }

    /// The keys for a token with this `kid`, fetching as the cache rules say.
    async fn keys(&self, kid: Option<&str>) -> Result<Keys, KeySourceError> {
        let shared = &self.shared;
        let rx = {
            let now = Instant::now();
            let mut state = shared.lock();
            start_background(shared, &mut state);
            let cooled = state
                .last_attempt
                .is_none_or(|t| now.duration_since(t) >= shared.config.cooldown);
            match (&state.keys, &state.in_flight) {
                (Some(keys), in_flight) => {
                    let known = kid.is_none_or(|kid| keys.get(kid).next().is_some());
                    if known {
                        crate::meter::count(crate::meter::JWKS_CACHE_HITS);
                        let keys = state.held();
                        if now >= state.expires_at && in_flight.is_none() && cooled {
                            // Stale: serve what we have, refetch in the background.
                            drop(start_fetch(shared, &mut state));
                        }
                        return keys.ok_or_else(|| FetchError::NotFetched.into());
                    }
                    crate::meter::count(crate::meter::JWKS_CACHE_MISSES);
                    match in_flight {
                        Some(rx) => rx.clone(),
                        None if cooled => {
                            tracing::debug!(target: "jot_axum::jwks", kid = ?kid, "unknown kid: refetching");
                            start_fetch(shared, &mut state)
                        }
                        // Inside the cooldown: the verifier will say "unknown key".
                        None => return state.held().ok_or_else(|| FetchError::NotFetched.into()),
                    }
                }
                (None, Some(rx)) => {
                    crate::meter::count(crate::meter::JWKS_CACHE_MISSES);
                    rx.clone()
                }
                (None, None) if cooled => {
                    crate::meter::count(crate::meter::JWKS_CACHE_MISSES);
                    start_fetch(shared, &mut state)
                }
                (None, None) => {
                    crate::meter::count(crate::meter::JWKS_CACHE_MISSES);
                    return Err(state
                        .last_error
                        .as_ref()
                        .map_or(FetchError::NotFetched, |(_, e)| e.clone())
                        .into());
                }
            }
        };
        let result = wait(rx).await;
        let state = shared.lock();
        match (state.held(), result) {
            (Some(keys), _) => Ok(keys),
            (None, Err(e)) => Err(e.into()),
            (None, Ok(())) => Err(FetchError::NotFetched.into()),
        }
    }
}

impl KeySource for RemoteJwks {
    fn keys_for<'a>(&'a self, token: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        Box::pin(self.keys(token.header().kid.as_deref()))
    }

    /// The set held now, stale or not; never fetches (the background task keeps
    /// it fresh). `None` before the first successful fetch.
    fn keys_now(&self, _: &UntrustedToken<'_>) -> Option<Keys> {
        self.shared.lock().held()
    }
}

impl RemoteJwksBuilder {
    /// Lower bound of the cache lifetime (default 5 min).
    pub fn min_ttl(mut self, ttl: Duration) -> Self {
        self.config.min_ttl = ttl;
        self
    }

    /// Upper bound of the cache lifetime (default 24 h).
    pub fn max_ttl(mut self, ttl: Duration) -> Self {
        self.config.max_ttl = ttl;
        self
    }

    /// Lifetime when the response has no `Cache-Control: max-age` (default 1 h;
    /// clamped to the bounds).
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.config.default_ttl = ttl;
        self
    }

    /// Minimum time between fetches caused by unknown `kid`s, and the wait before
    /// retrying a failed fetch (default 30 s).
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.config.cooldown = cooldown;
        self
    }

    /// Timeout of each HTTP request, body included (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// Largest accepted response body in bytes (default 1 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.config.max_body = bytes;
        self
    }

    /// Algorithms assumed for RSA keys that carry no `alg` (default `[RS256]`, the
    /// OpenID Connect default); an empty list sets such keys aside.
    pub fn assume_algorithms(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        self.config.assume = algs.into_iter().collect();
        self
    }

    /// Permits plain-HTTP URLs to any host (the configured one, `jwks_uri`,
    /// redirects). Plain HTTP to this machine (`localhost`, `127.0.0.0/8`, `::1`) is
    /// always permitted and needs no call; this opt-in is for other hosts, on
    /// trusted networks only: keys fetched over plain HTTP can be replaced by anyone
    /// on the path, and with them every token.
    ///
    /// ```
    /// use jot_axum::{ConfigError, RemoteJwks};
    ///
    /// // Loopback: no ceremony.
    /// assert!(RemoteJwks::discover("http://127.0.0.1:8080").build().is_ok());
    /// // Another host: refused, unless asked for by name.
    /// let err = RemoteJwks::discover("http://auth.internal").build().unwrap_err();
    /// assert_eq!(err, ConfigError::InsecureUrl);
    /// assert!(RemoteJwks::discover("http://auth.internal").allow_insecure_http().build().is_ok());
    /// ```
    pub fn allow_insecure_http(mut self) -> Self {
        self.plain = PlainHttp::Anywhere;
        self
    }

    /// The former name of [`RemoteJwksBuilder::allow_insecure_http`].
    ///
    /// **Deprecated**: call [`allow_insecure_http`](RemoteJwksBuilder::allow_insecure_http),
    /// whose name says what it permits; plain HTTP to this machine needs neither.
    #[deprecated(
        note = "renamed `allow_insecure_http()`; plain HTTP to this machine needs neither"
    )]
    pub fn allow_http(self) -> Self {
        self.allow_insecure_http()
    }

    /// Plain HTTP to this machine only: `localhost`, `127.0.0.0/8` or `::1`. This
    /// is the default; the call remains for code written when it was not, and
    /// undoes an earlier [`allow_insecure_http`](RemoteJwksBuilder::allow_insecure_http).
    pub fn allow_http_loopback(mut self) -> Self {
        self.plain = PlainHttp::Loopback;
        self
    }

    /// Also trusts this root certificate (DER), e.g. a private CA of an internal issuer.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(der.into());
        self
    }

    /// Builds the source. Nothing is fetched until the first token arrives or
    /// [`RemoteJwks::refresh_now`] is called; from then on a background task keeps
    /// the set fresh (it ends when the last clone is dropped).
    pub fn build(self) -> Result<RemoteJwks, ConfigError> {
        let url = reqwest::Url::parse(&self.location).map_err(|_| ConfigError::InvalidUrl)?;
        match url.scheme() {
            _ if self.plain.permits(&url) => {}
            "http" => return Err(ConfigError::InsecureUrl),
            _ => return Err(ConfigError::InvalidUrl),
        }
        if url.host().is_none() {
            return Err(ConfigError::InvalidUrl);
        }
        let c = &self.config;
        if c.min_ttl > c.max_ttl {
            return Err(ConfigError::Setting("min_ttl is larger than max_ttl"));
        }
        if c.timeout.is_zero() {
            return Err(ConfigError::Setting("timeout is zero"));
        }
        if c.cooldown.is_zero() {
            return Err(ConfigError::Setting("cooldown is zero"));
        }
        let client = fetch::client(self.config.timeout, self.plain, &self.extra_roots)?;
        let (location, jwks_uri) = if self.discover {
            (Location::Issuer(self.location), None)
        } else {
            (Location::Jwks, Some(url))
        };
        Ok(RemoteJwks {
            shared: Arc::new(Shared {
                config: self.config,
                plain: self.plain,
                client,
                location,
                state: Mutex::new(State {
                    keys: None,
                    prints: Arc::from(Vec::new()),
                    expires_at: Instant::now(),
                    refresh_at: Instant::now(),
                    last_attempt: None,
                    last_success: None,
                    last_error: None,
                    fetches: 0,
                    failures: 0,
                    in_flight: None,
                    jwks_uri,
                    background: false,
                }),
            }),
        })
    }
}

#[derive(Clone, Debug)]
struct Config {
    min_ttl: Duration,
    max_ttl: Duration,
    default_ttl: Duration,
    cooldown: Duration,
    timeout: Duration,
    max_body: usize,
    assume: Vec<Algorithm>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_ttl: RemoteJwks::DEFAULT_MIN_TTL,
            max_ttl: RemoteJwks::DEFAULT_MAX_TTL,
            default_ttl: RemoteJwks::DEFAULT_TTL,
            cooldown: RemoteJwks::DEFAULT_COOLDOWN,
            timeout: RemoteJwks::DEFAULT_TIMEOUT,
            max_body: RemoteJwks::DEFAULT_MAX_BODY,
            assume: vec![Algorithm::RS256],
        }
    }
}

#[derive(Debug)]
enum Location {
    /// The JWKS URL was given (it is `State::jwks_uri` from the start).
    Jwks,
    /// The issuer was given; `State::jwks_uri` is filled by discovery.
    Issuer(String),
}

/// The outcome of one fetch, as waiters see it: `None` while it runs.
type Outcome = Option<Result<(), FetchError>>;

struct Shared {
    config: Config,
    plain: PlainHttp,
    client: reqwest::Client,
    location: Location,
    state: Mutex<State>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("location", &self.location)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

struct State {
    keys: Option<KeySet>,
    /// The thumbprints of `keys`, computed once per fetch.
    prints: Prints,
    expires_at: Instant,
    refresh_at: Instant,
    last_attempt: Option<Instant>,
    last_success: Option<SystemTime>,
    last_error: Option<(SystemTime, FetchError)>,
    fetches: u64,
    failures: u64,
    in_flight: Option<watch::Receiver<Outcome>>,
    jwks_uri: Option<reqwest::Url>,
    background: bool,
}

impl State {
    /// The keys held now, with their thumbprints.
    fn held(&self) -> Option<Keys> {
        let keys = self.keys.clone()?;
        Some(Keys::printed(keys, Arc::clone(&self.prints)))
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is valid after any panic (every update is a plain assignment),
        // so a poisoned lock is taken over rather than propagated.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn clamp_ttl(&self, max_age: Option<Duration>) -> Duration {
        let c = &self.config;
        max_age.unwrap_or(c.default_ttl).clamp(c.min_ttl, c.max_ttl)
    }

    /// One fetch: discovery if needed, then the JWK Set. Records the outcome.
    async fn fetch(self: &Arc<Self>) -> Result<(), FetchError> {
        let result = self.fetch_inner().await;
        let now = Instant::now();
        crate::meter::count(crate::meter::JWKS_FETCHES);
        let mut state = self.lock();
        state.fetches += 1;
        match result {
            Ok((keys, prints, ttl)) => {
                tracing::info!(
                    target: "jot_axum::jwks",
                    keys = keys.len(),
                    unusable = keys.unusable().len(),
                    ttl_secs = ttl.as_secs(),
                    "JWK Set fetched"
                );
                state.keys = Some(keys);
                state.prints = prints;
                state.expires_at = now + ttl;
                state.refresh_at = now + ttl.mul_f64(0.9);
                state.last_success = Some(SystemTime::now());
                Ok(())
            }
            Err(e) => {
                tracing::warn!(target: "jot_axum::jwks", error = %e, stale = state.keys.is_some(), "JWK Set fetch failed");
                crate::meter::count(crate::meter::JWKS_FETCH_FAILURES);
                state.failures += 1;
                state.last_error = Some((SystemTime::now(), e.clone()));
                if matches!(self.location, Location::Issuer(_)) {
                    // The jwks_uri may have moved: discover again next time.
                    state.jwks_uri = None;
                }
                Err(e)
            }
        }
    }

    async fn fetch_inner(&self) -> Result<(KeySet, Prints, Duration), FetchError> {
        let known = self.lock().jwks_uri.clone();
        let url = match (known, &self.location) {
            (Some(url), _) => url,
            (None, Location::Issuer(issuer)) => {
                let url =
                    discovery::jwks_uri(&self.client, issuer, self.config.max_body, self.plain)
                        .await?;
                self.lock().jwks_uri = Some(url.clone());
                url
            }
            (None, Location::Jwks) => return Err(FetchError::NoJwksUri),
        };
        let Fetched { body, max_age } =
            fetch::get(&self.client, &url, self.config.max_body).await?;
        let keys = fetch::parse_remote_set(&body, &self.config.assume)?;
        let prints = prints_of(&keys);
        Ok((keys, prints, self.clamp_ttl(max_age)))
    }
}

/// Starts a fetch in its own task and returns the receiver its waiters share.
/// Must be called with the state locked and no fetch in flight.
fn start_fetch(shared: &Arc<Shared>, state: &mut State) -> watch::Receiver<Outcome> {
    let (tx, rx) = watch::channel(None);
    state.in_flight = Some(rx.clone());
    state.last_attempt = Some(Instant::now());
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        let result = shared.fetch().await;
        shared.lock().in_flight = None;
        // Nobody may be waiting: that is fine.
        let _ = tx.send(Some(result));
    });
    rx
}

async fn wait(mut rx: watch::Receiver<Outcome>) -> Result<(), FetchError> {
    match rx.wait_for(Option::is_some).await {
        Ok(outcome) => outcome.clone().unwrap_or(Err(FetchError::NotFetched)),
        // The fetch task ended without reporting (the runtime is shutting down).
        Err(_) => Err(FetchError::NotFetched),
    }
}

/// Starts the refresh task once, on first use (so building needs no runtime).
fn start_background(shared: &Arc<Shared>, state: &mut State) {
    if state.background {
        return;
    }
    state.background = true;
    let weak = Arc::downgrade(shared);
    tokio::spawn(refresh_loop(weak));
}

/// Keeps the set fresh: fetches at 90 % of its lifetime, retries failures after the
/// cooldown. Holds only a weak reference, so it ends once the source is dropped.
async fn refresh_loop(weak: Weak<Shared>) {
    loop {
        let (rx, next) = {
            let Some(shared) = weak.upgrade() else { return };
            let now = Instant::now();
            let mut state = shared.lock();
            let retry = state
                .last_attempt
                .map_or(now, |t| t + shared.config.cooldown);
            // Every fetch, scheduled or not, keeps at least `cooldown` from the last one
            // (and the loop never spins faster than `MIN_BACKGROUND_INTERVAL`).
            let floor = state
                .last_attempt
                .map_or(now, |t| t + MIN_BACKGROUND_INTERVAL);
            let due = match &state.keys {
                None => retry,
                Some(_) => state.refresh_at.max(retry),
            }
            .max(floor);
            if now >= due {
                let rx = match &state.in_flight {
                    Some(rx) => rx.clone(),
                    None => start_fetch(&shared, &mut state),
                };
                (Some(rx), now)
            } else {
                (None, due)
            }
        };
        match rx {
            Some(rx) => {
                let _ = wait(rx).await;
            }
            None => tokio::time::sleep_until(next).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_required_unless_allowed() {
        assert_eq!(
            RemoteJwks::builder("http://a.example/jwks")
                .build()
                .unwrap_err(),
            ConfigError::InsecureUrl
        );
        assert_eq!(
            RemoteJwks::discover("http://a.example")
                .build()
                .unwrap_err(),
            ConfigError::InsecureUrl
        );
        assert_eq!(
            RemoteJwks::builder("not a url").build().unwrap_err(),
            ConfigError::InvalidUrl
        );
        assert_eq!(
            RemoteJwks::builder("ftp://a.example/x")
                .build()
                .unwrap_err(),
            ConfigError::InvalidUrl
        );
        assert!(
            RemoteJwks::builder("http://a.example/jwks")
                .allow_insecure_http()
                .build()
                .is_ok()
        );
        assert!(
            RemoteJwks::builder("https://a.example/jwks")
                .build()
                .is_ok()
        );
        // The former name still works.
        #[allow(deprecated)]
        let former = RemoteJwks::builder("http://a.example/jwks").allow_http();
        assert!(former.build().is_ok());
        // An explicit loopback-only rule takes back a wider one.
        assert_eq!(
            RemoteJwks::builder("http://a.example/jwks")
                .allow_insecure_http()
                .allow_http_loopback()
                .build()
                .unwrap_err(),
            ConfigError::InsecureUrl
        );
    }

    #[test]
    fn plain_http_to_loopback_needs_no_opt_in() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3/jwks",
            "http://localhost:8080/",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert!(RemoteJwks::discover(url).build().is_ok(), "{url}");
            assert!(RemoteJwks::builder(url).build().is_ok(), "{url}");
        }
        for url in [
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://10.0.0.1",
        ] {
            assert_eq!(
                RemoteJwks::builder(url).build().unwrap_err(),
                ConfigError::InsecureUrl,
                "{url}"
            );
        }
    }

    #[test]
    fn errors_debug_as_a_sentence_naming_the_fix() {
        let err = RemoteJwks::builder("http://a.example/jwks")
            .build()
            .unwrap_err();
        // What `fn main() -> Result<(), ConfigError>` prints after "Error: ".
        let shown = format!("{err:?}");
        assert_eq!(shown, err.to_string());
        assert!(shown.contains("allow_insecure_http()"), "{shown}");
        assert!(shown.contains("https"), "{shown}");
    }
}

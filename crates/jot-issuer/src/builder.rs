//! [`IssuerBuilder`]: an issuer's configuration, checked and turned into an
//! [`Issuer`] (with its first signing key, if the store has none) by
//! [`IssuerBuilder::build`].

use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use jot_algorithms::Algorithm;
use jot_codec::{Clock, SystemClock};

use crate::kek::{Kek, KekError};
use crate::keyring::{self, KeyRing};
use crate::store::{IssuerStore, MemoryStore};
use crate::{
    ClaimsHook, ClientMetadataDocuments, ClientRegistration, DEFAULT_ACCESS_TOKEN_LIFETIME,
    DEFAULT_JWKS_MAX_AGE, DEFAULT_MAINTENANCE_INTERVAL, DEFAULT_REFRESH_TOKEN_LIFETIME,
    DEFAULT_ROTATION_INTERVAL, DEFAULT_SECRET_HASH_ITERATIONS, Inner, Issuer, IssuerError, Login,
    client_ip, client_metadata, login, publication_window, registration, response_headers,
    rotation, secret, store, throttle,
};

/// Builds an [`Issuer`]; from [`Issuer::builder`].
#[must_use]
pub struct IssuerBuilder {
    url: String,
    store: Option<Arc<dyn IssuerStore>>,
    clock: Arc<dyn Clock + Send + Sync>,
    alg: Algorithm,
    audience: Vec<String>,
    access_ttl: Duration,
    refresh_ttl: Duration,
    rotation: Option<Duration>,
    maintenance: Duration,
    jwks_max_age: Duration,
    kek: Option<Kek>,
    secret_iterations: u32,
    login: Option<Login>,
    claims: Option<Arc<dyn ClaimsHook>>,
    cors_origins: Vec<String>,
    client_ip_header: Option<http::HeaderName>,
    trusted_proxies: Vec<String>,
    replace_missing_key: bool,
    resources: Vec<String>,
    dpop: Option<jot_axum::Dpop>,
    client_metadata: Option<ClientMetadataDocuments>,
    registration: Option<ClientRegistration>,
}

impl IssuerBuilder {
    /// The defaults of [`Issuer::builder`].
    pub(crate) fn new(url: String) -> IssuerBuilder {
        IssuerBuilder {
            url,
            store: None,
            clock: Arc::new(SystemClock),
            alg: Algorithm::ES256,
            audience: Vec::new(),
            access_ttl: DEFAULT_ACCESS_TOKEN_LIFETIME,
            refresh_ttl: DEFAULT_REFRESH_TOKEN_LIFETIME,
            rotation: Some(DEFAULT_ROTATION_INTERVAL),
            maintenance: DEFAULT_MAINTENANCE_INTERVAL,
            jwks_max_age: DEFAULT_JWKS_MAX_AGE,
            kek: None,
            secret_iterations: DEFAULT_SECRET_HASH_ITERATIONS,
            login: None,
            claims: None,
            cors_origins: Vec::new(),
            client_ip_header: None,
            trusted_proxies: Vec::new(),
            replace_missing_key: false,
            resources: Vec::new(),
            dpop: None,
            client_metadata: None,
            registration: None,
        }
    }
}

impl IssuerBuilder {
    /// Where keys, clients, refresh tokens and revocations live (default: a
    /// [`MemoryStore`], lost with the process).
    pub fn store(mut self, store: impl IssuerStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// A store shared with other code.
    pub fn shared_store(mut self, store: Arc<dyn IssuerStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The algorithm of generated signing keys (default ES256). HMAC is refused: the
    /// issuer publishes its keys.
    pub fn algorithm(mut self, alg: Algorithm) -> Self {
        self.alg = alg;
        self
    }

    /// Adds an audience to the default `aud` (default: the issuer URL). A client's
    /// own audience, when registered, replaces it for that client's tokens.
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audience.push(aud.into());
        self
    }

    /// Access-token lifetime (default 15 minutes).
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_ttl = lifetime;
        self
    }

    /// Refresh-token lifetime (default 30 days; each refresh issues a new token with
    /// a new lifetime).
    pub fn refresh_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.refresh_ttl = lifetime;
        self
    }

    /// Rotate the signing key when it has signed this long (`None`: only on
    /// demand). Default 30 days. Checked on each maintenance tick: the next key is
    /// published one [rotation lead](Issuer::rotation_lead) before, and signs from
    /// then on.
    pub fn rotation_interval(mut self, every: Option<Duration>) -> Self {
        self.rotation = every;
        self
    }

    /// Time between two maintenance ticks of [`Issuer::run_maintenance`] (default
    /// 30 s): how soon an instance sees keys published, promoted or rotated by
    /// another. Part of the [rotation lead](Issuer::rotation_lead).
    pub fn maintenance_interval(mut self, every: Duration) -> Self {
        self.maintenance = every.max(Duration::from_millis(10));
        self
    }

    /// The `max-age` of the JWK Set's `Cache-Control` (default 5 minutes, whole
    /// seconds): how long a verifier may keep a copy. Part of the [rotation
    /// lead](Issuer::rotation_lead): a next key is published this long plus one
    /// maintenance interval and one second before it signs.
    pub fn jwks_max_age(mut self, max_age: Duration) -> Self {
        self.jwks_max_age = max_age;
        self
    }

    /// Seals the private signing keys in the store with this key-encryption key
    /// ([`kek`](crate::kek)): each new key is sealed before it is stored, and keys
    /// stored plain are sealed by [`build`](IssuerBuilder::build). Required by
    /// stores that [say so](IssuerStore::requires_kek) (PostgreSQL). A store whose
    /// keys are sealed under another KEK is refused with
    /// [`KekError::Wrong`](crate::kek::KekError::Wrong).
    pub fn kek(mut self, kek: Kek) -> Self {
        self.kek = Some(kek);
        self
    }

    /// The argon2id cost of newly hashed client secrets (default 100 000: 19 MiB
    /// and 2 passes; at least 1 000, which scales the memory down to 194 KiB; a
    /// higher value adds passes). Each stored PHC string records its own
    /// parameters, so changing this never breaks existing clients. A secret that
    /// verified is remembered for 10 minutes, so the cost is paid once per client,
    /// not per request; a wrong secret pays it every time.
    pub fn client_secret_hash_iterations(mut self, iterations: u32) -> Self {
        self.secret_iterations = iterations.max(1_000);
        self
    }

    /// Lets people sign in: OpenID Connect's authorization code flow with PKCE, the
    /// login and consent pages, `/userinfo`, `/logout` (see `docs/ISSUER.md`).
    pub fn login(mut self, login: Login) -> Self {
        self.login = Some(login);
        self
    }

    /// Adds an application's claims to the ID and access tokens of people who
    /// sign in (a closure `Fn(&ClaimsRequest) -> Map<String, Value>`, or a
    /// [`ClaimsHook`]).
    pub fn claims(mut self, hook: impl ClaimsHook) -> Self {
        self.claims = Some(Arc::new(hook));
        self
    }

    /// The clock for `iat`/`exp`, expiry checks and rotation (default: system clock).
    pub fn clock(mut self, clock: impl Clock + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The web origins allowed to call the endpoints a browser app uses — `/token`,
    /// `/revoke`, `/userinfo`, the JWK Set and discovery — from another origin
    /// (CORS): `https://app.example.com`, `http://localhost:3000`. Default: none,
    /// so no response carries `Access-Control-Allow-Origin` and no preflight is
    /// answered. An origin that is not `scheme://host[:port]` (a path, a `*`)
    /// fails [`build`](IssuerBuilder::build) with [`IssuerError::InvalidCorsOrigin`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let issuer = jot_issuer::Issuer::builder("https://auth.example.com")
    ///     .cors_origins(["https://app.example.com"])
    ///     .build()
    ///     .await?;
    /// # let _ = issuer;
    /// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
    /// ```
    pub fn cors_origins<S: Into<String>>(mut self, origins: impl IntoIterator<Item = S>) -> Self {
        self.cors_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Behind a reverse proxy: the header that names the client's IP address
    /// (for throttling failed client authentications and logins), e.g.
    /// `x-real-ip`; with [`trusted_proxies`](IssuerBuilder::trusted_proxies) it
    /// replaces `x-forwarded-for` and is believed from those proxies only.
    ///
    /// Without trusted proxies, the header is believed from **every** peer (its
    /// last address, the one the proxy added): only set it so when every request
    /// comes through a proxy that sets the header; prefer
    /// [`trusted_proxies`](IssuerBuilder::trusted_proxies). Without either, the
    /// peer address of the connection is used (serve the router with
    /// `into_make_service_with_connect_info::<SocketAddr>()`; without that,
    /// failures are throttled per client id and username only). Takes precedence
    /// over [`Login::client_ip_header`]. An invalid header name is ignored, with a
    /// warning in the log.
    pub fn client_ip_header(mut self, name: impl AsRef<str>) -> Self {
        match http::HeaderName::from_bytes(name.as_ref().as_bytes()) {
            Ok(header) => self.client_ip_header = Some(header),
            Err(_) => {
                tracing::warn!(target: "jot_issuer", "client_ip_header: not a header name; ignored")
            }
        }
        self
    }

    /// The reverse proxies in front of the issuer, as address blocks
    /// (`10.0.0.0/8`, `127.0.0.1/32`, `2001:db8::/32`) or single addresses. Only
    /// from a peer in one of them (the TCP connection's address: serve the router
    /// with `into_make_service_with_connect_info::<SocketAddr>()`) are
    /// `X-Forwarded-For` and `X-Forwarded-Proto` believed — for throttling by
    /// client address, and for `Strict-Transport-Security`, which is not sent on
    /// an answer a trusted proxy says went out over plain `http`. From any other
    /// peer they are ignored and the peer's own address counts.
    /// `X-Forwarded-For` is read right to left, skipping the addresses of trusted
    /// proxies (a chain of proxies). Default: none. An entry that is not a block
    /// fails [`build`](IssuerBuilder::build) with [`IssuerError::InvalidTrustedProxy`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let issuer = jot_issuer::Issuer::builder("https://auth.example.com")
    ///     .trusted_proxies(["10.0.0.0/8", "127.0.0.1"])
    ///     .build()
    ///     .await?;
    /// # let _ = issuer;
    /// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
    /// ```
    pub fn trusted_proxies<S: Into<String>>(mut self, blocks: impl IntoIterator<Item = S>) -> Self {
        self.trusted_proxies = blocks.into_iter().map(Into::into).collect();
        self
    }

    /// What to do when the store lists a current signing key whose private key is
    /// gone (a deleted `.key.pem`): by default (`false`) [`build`](IssuerBuilder::build)
    /// fails with [`IssuerError::MissingPrivateKey`], since a new key makes every
    /// verifier refetch the JWK Set and may hide an intrusion; `true` rotates to a
    /// new key of the configured algorithm instead, with a warning in the log (the
    /// old public key stays published until its tokens expire).
    pub fn replace_missing_key(mut self, replace: bool) -> Self {
        self.replace_missing_key = replace;
        self
    }

    /// The resource identifiers (RFC 8707) clients may ask tokens for with the
    /// `resource` parameter at `/authorize` and `/token`: an access token asked for
    /// a resource has it as its only `aud`. A `resource` not in this list is
    /// refused with `invalid_target`; without a list, every `resource` is. Each is
    /// an absolute URI without fragment, compared exactly, e.g. the identifier an
    /// MCP server publishes in its RFC 9728 metadata.
    ///
    /// ```
    /// # async fn run() -> Result<(), jot_issuer::IssuerError> {
    /// let issuer = jot_issuer::Issuer::builder("https://auth.example.com")
    ///     .resources(["https://mcp.example.com/mcp", "https://api.example.com"])
    ///     .build()
    ///     .await?;
    /// # let _ = issuer; Ok(()) }
    /// ```
    pub fn resources<S: Into<String>>(mut self, resources: impl IntoIterator<Item = S>) -> Self {
        self.resources = resources.into_iter().map(Into::into).collect();
        self
    }

    /// How DPoP proofs (RFC 9449) at the token and userinfo endpoints are checked:
    /// algorithms, age, replay cache, server nonces (default: [`jot_axum::Dpop::new`],
    /// every asymmetric algorithm, no nonces, proofs recorded in the issuer's store
    /// by a [`StoreReplayCache`](crate::store::StoreReplayCache), so that instances
    /// sharing a database refuse each other's proofs; give the `Dpop` one too when
    /// several instances share the store). A token request with a valid proof gets
    /// a DPoP-bound access token (`token_type: DPoP`, `cnf.jkt`).
    ///
    /// ```
    /// use jot_axum::{Dpop, HmacNonces};
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let issuer = jot_issuer::Issuer::builder("https://auth.example.com")
    ///     .dpop(Dpop::new().nonces(HmacNonces::random()?))
    ///     .build()
    ///     .await?;
    /// # let _ = issuer; Ok(()) }
    /// ```
    pub fn dpop(mut self, dpop: jot_axum::Dpop) -> Self {
        self.dpop = Some(dpop);
        self
    }

    /// Resolves Client ID Metadata Documents (off by default): a `client_id` that
    /// is an `https` URL names a public client whose metadata the issuer fetches
    /// from that URL (see [`ClientMetadataDocuments`]); discovery says
    /// `client_id_metadata_document_supported`. Useful with a
    /// [login](IssuerBuilder::login) only.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use jot_issuer::{ClientMetadataDocuments, Issuer, Login};
    ///
    /// let issuer = Issuer::builder("https://auth.example.com")
    ///     .login(Login::new())
    ///     .client_id_metadata_documents(ClientMetadataDocuments::new())
    ///     .build()
    ///     .await?;
    /// # let _ = issuer;
    /// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
    /// ```
    pub fn client_id_metadata_documents(mut self, settings: ClientMetadataDocuments) -> Self {
        self.client_metadata = Some(settings);
        self
    }

    /// Serves Dynamic Client Registration (RFC 7591) at `POST /register` (off by
    /// default; see [`ClientRegistration`]); discovery lists the
    /// `registration_endpoint`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use jot_issuer::{ClientRegistration, Issuer, Login};
    ///
    /// let issuer = Issuer::builder("https://auth.example.com")
    ///     .login(Login::new())
    ///     .dynamic_client_registration(ClientRegistration::new())
    ///     .build()
    ///     .await?;
    /// # let _ = issuer;
    /// # Ok::<(), jot_issuer::IssuerError>(()) }).unwrap();
    /// ```
    pub fn dynamic_client_registration(mut self, settings: ClientRegistration) -> Self {
        self.registration = Some(settings);
        self
    }

    /// Checks the configuration, loads the keys, and generates the first signing key
    /// if the store has none. A store whose current key lost its private key is
    /// refused with [`IssuerError::MissingPrivateKey`] (see
    /// [`replace_missing_key`](IssuerBuilder::replace_missing_key)). With a
    /// [KEK](IssuerBuilder::kek), every stored private key must open with it, and
    /// those stored plain are sealed; without one, a store that
    /// [requires one](IssuerStore::requires_kek) is refused with
    /// [`KekError::Required`](crate::kek::KekError::Required) and sealed keys with
    /// [`KekError::Missing`](crate::kek::KekError::Missing).
    pub async fn build(self) -> Result<Issuer, IssuerError> {
        let url = check_url(&self.url)?;
        keyring::check_algorithm(self.alg)?;
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(MemoryStore::new()) as Arc<dyn IssuerStore>);
        let store: Arc<dyn IssuerStore> = Arc::new(store::Measured(store));
        let cors_origins = response_headers::check_origins(self.cors_origins)?;
        let trusted_proxies = client_ip::parse_proxies(&self.trusted_proxies)?;
        let resources = crate::resource::check_resources(self.resources)?;
        let now = self.clock.now().seconds();
        let access_ttl = self.access_ttl.as_secs().max(1);
        let kek = self.kek;
        if store.requires_kek() && kek.is_none() {
            return Err(KekError::Required.into());
        }
        let mut keys = store.load_keys().await?;
        match store::current_key(&keys) {
            None => {
                let key = keyring::generate(self.alg, now, kek.as_ref())?;
                let kid = key.kid.clone();
                if store.add_key(key, None, now).await? {
                    tracing::info!(target: "jot_issuer", %kid, alg = %self.alg, "signing key generated");
                }
                keys = store.load_keys().await?;
            }
            Some(current) if current.private_pem.is_none() => {
                let lost = current.kid.clone();
                if !self.replace_missing_key {
                    return Err(IssuerError::MissingPrivateKey { kid: lost });
                }
                let rotated =
                    rotation::rotate_now(&*store, self.alg, now, kek.as_ref(), false).await?;
                tracing::warn!(
                    target: "jot_issuer",
                    lost = %lost,
                    kid = %rotated.kid,
                    "the current signing key had lost its private key: replaced"
                );
                keys = store.load_keys().await?;
            }
            Some(_) => {}
        }
        if keyring::check_and_seal(&*store, &keys, kek.as_ref()).await? {
            keys = store.load_keys().await?;
        }
        let window = publication_window(access_ttl, self.maintenance);
        let ring = KeyRing::build(&keys, now, window, kek.as_ref())?;
        let jwks_max_age = self.jwks_max_age.as_secs();
        let jwks_cache_control =
            http::HeaderValue::from_str(&format!("public, max-age={jwks_max_age}"))
                .unwrap_or_else(|_| http::HeaderValue::from_static("public, max-age=300"));
        let audience = if self.audience.is_empty() {
            vec![url.clone()]
        } else {
            self.audience
        };
        let client_metadata = self
            .client_metadata
            .map(client_metadata::Resolver::new)
            .transpose()?;
        let registration = self.registration.map(registration::RegistrationState::new);
        let login = self
            .login
            .map(|login| login::LoginState::new(login, &url, &store));
        let dpop = self.dpop.unwrap_or_else(|| {
            jot_axum::Dpop::new().replay_cache(store::StoreReplayCache::new(store.clone()))
        });
        Ok(Issuer {
            inner: Arc::new(Inner {
                url,
                store,
                clock: self.clock,
                alg: self.alg,
                audience,
                access_ttl,
                refresh_ttl: self.refresh_ttl.as_secs().max(1),
                rotation: self.rotation.map(|d| d.as_secs().max(1)),
                maintenance: self.maintenance,
                jwks_max_age,
                jwks_cache_control,
                kek,
                secret_iterations: self.secret_iterations,
                dummy_hash: tokio::sync::OnceCell::new(),
                keys: RwLock::new(Arc::new(ring)),
                rotating: tokio::sync::Mutex::new(()),
                secrets: secret::VerifiedSecrets::default(),
                client_throttle: throttle::Throttle::default(),
                last_prune: AtomicU64::new(now),
                login,
                claims: self.claims,
                cors_origins,
                client_ip_header: self.client_ip_header,
                trusted_proxies,
                resources,
                dpop: dpop.proofs(),
                client_metadata,
                registration,
            }),
        })
    }
}

impl fmt::Debug for IssuerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerBuilder")
            .field("url", &self.url)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// An issuer URL: absolute `http(s)`, no query or fragment, no trailing slash.
fn check_url(url: &str) -> Result<String, IssuerError> {
    let invalid = |reason| IssuerError::InvalidIssuerUrl {
        url: url.to_owned(),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| invalid("not an absolute URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(
            "the scheme must be https (or http for development)",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("an issuer URL has no query or fragment"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

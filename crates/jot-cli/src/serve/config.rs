//! The configuration of `jot serve`: [`ServeConfig`] (command-line values over a
//! TOML file over defaults), [`ClientSpec`], the config file's users, durations.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use jot_algorithms::Algorithm;
use serde::Deserialize;

use jot_issuer::NewClient;

use super::ServeError;
use super::connections::{LimitSettings, check_max_connections};
use super::operate::LogFormat;
use super::tls::TlsFiles;
use super::users::UserSpec;

/// The address `jot serve` listens on by default.
pub(crate) const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The data directory `jot serve` uses by default, relative to the working directory.
pub(crate) const DEFAULT_DATA_DIR: &str = "./jot-data";

/// Everything `jot serve` takes: each setting left unset comes from the config
/// file ([`ServeConfig::config_file`]), else from the default.
///
/// | setting | default |
/// | --- | --- |
/// | `addr` | `127.0.0.1:8080` |
/// | `data_dir` | `./jot-data` (relative to the working directory; in a config file, to the file's directory) |
/// | `store` | none: a PostgreSQL URL (`postgres://…`) instead of the data directory |
/// | `issuer_url` | `http://ADDR`, or `https://ADDR` with TLS (an unspecified address shown as loopback) |
/// | `tls_cert`, `tls_key` | none: plain HTTP (both or neither; reloaded when they change) |
/// | `alg` | the current key's, else ES256 (a different value rotates the key at start) |
/// | `audience` | the issuer URL |
/// | access / refresh token lifetime | 15 min / 30 days |
/// | key rotation | every 30 days |
/// | `metrics`, `admin_addr` | off: no `/metrics`, no admin listener |
/// | `trusted_proxies` | none: forwarded headers ignored |
/// | `log_format` | text |
/// | JWKS `max-age`, maintenance interval | 5 min, 30 s (a new key is published their sum before it signs) |
/// | key-encryption key | none (required with a database) |
/// | CORS origins | none |
/// | a current key without its private key | refuse to start (`replace_missing_key` rotates) |
/// | header / body / request / idle timeouts | 10 s / 30 s / 60 s / 60 s |
/// | connections | 1024 |
/// | `client_id_metadata_documents` | off: an `https` client id is an unknown client |
/// | `client_id_metadata_allow_loopback` | off: metadata documents from public addresses only |
/// | `client_id_metadata_scopes`, `registration_scopes` | none: such clients get the OpenID Connect scopes only |
/// | `dynamic_registration` | off: no `POST /register` |
/// | `registration_initial_access_token_env` | none: public clients only may register |
///
/// The config file is TOML:
///
/// ```toml
/// addr = "0.0.0.0:8080"
/// data_dir = "/var/lib/jot"        # or, for several instances on one database:
/// # store = "postgres://jot@db.example.com/jot?sslmode=verify-full"
/// issuer = "https://auth.example.com"
/// alg = "ES256"
/// audience = ["https://api.example.com"]
/// access_token_lifetime = "15m"     # or seconds: 900
/// refresh_token_lifetime = "30d"
/// rotate_every = "30d"              # or "never"
/// metrics = true                    # /metrics on addr (default off)
/// admin_addr = "127.0.0.1:9090"     # /metrics, /healthz, /readyz here too
/// trusted_proxies = ["10.0.0.0/8"]  # X-Forwarded-For/-Proto believed from these
/// log_format = "json"               # or "text" (the default)
/// jwks_max_age = "5m"
/// maintenance_interval = "30s"
/// cors_origins = ["https://app.example.com"]
/// resources = ["https://mcp.example.com/mcp"]  # RFC 8707: what `resource` may name
/// dpop_nonces = true                # DPoP proofs must carry a server nonce (default off)
/// replace_missing_key = false
/// header_timeout = "10s"
/// body_timeout = "30s"
/// request_timeout = "60s"
/// idle_timeout = "60s"
/// max_connections = 1024
/// tls_cert = "/etc/jot/cert.pem"    # PEM chain; with tls_key, HTTPS (default off)
/// tls_key = "/etc/jot/key.pem"      # PKCS#8, PKCS#1 or SEC1; both reloaded on change
/// client_id_metadata_documents = true     # https client ids name their metadata (default off)
/// client_id_metadata_allow_loopback = false # development only: documents on 127.0.0.1
/// client_id_metadata_scopes = ["mcp:tools"] # what such clients may ask for, besides OIDC
/// dynamic_registration = true       # POST /register, RFC 7591 (default off)
/// registration_initial_access_token_env = "JOT_REGISTRATION_TOKEN" # confidential clients
/// registration_scopes = ["mcp:tools"] # what registering clients may ask for, besides OIDC
///
/// [[client]]
/// id = "billing"
/// secret_env = "BILLING_SECRET"     # or: secret = "…"
/// scopes = ["invoices:read"]
/// audience = ["https://billing.example.com"]
///
/// [[client]]                        # a resource server
/// id = "orders-api"
/// secret_env = "ORDERS_API_SECRET"
/// introspect = true                 # may introspect every client's tokens
/// token_exchange = true             # may exchange tokens it receives (RFC 8693)
///
/// [[client]]                        # people sign in to it (code flow + PKCE)
/// id = "web"
/// secret = "…"                      # or secret_env; absent = a public client (PKCE only)
/// redirect_uris = ["http://127.0.0.1:9000/callback"]
/// post_logout_redirect_uris = ["http://127.0.0.1:9000/"]
/// scopes = ["openid", "profile", "email", "offline_access"]
/// first_party = true                # no consent page
///
/// [[user]]
/// username = "alice"
/// password_env = "ALICE_PASSWORD"   # or: password = "…"
/// name = "Alice Example"
/// email = "alice@example.com"
/// email_verified = true
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub(crate) struct ServeConfig {
    pub(crate) addr: Option<SocketAddr>,
    pub(crate) data_dir: Option<PathBuf>,
    /// A PostgreSQL URL, instead of the data directory.
    pub(crate) store: Option<String>,
    pub(crate) issuer_url: Option<String>,
    pub(crate) alg: Option<Algorithm>,
    pub(crate) audience: Vec<String>,
    pub(crate) clients: Vec<ClientSpec>,
    pub(crate) users: Vec<UserSpec>,
    pub(crate) config_file: Option<PathBuf>,
    pub(crate) access_ttl: Option<Duration>,
    pub(crate) refresh_ttl: Option<Duration>,
    pub(crate) rotation: Option<Option<Duration>>,
    pub(crate) maintenance: Option<Duration>,
    /// `/metrics` on the main address (or the file's `metrics = true`).
    pub(crate) metrics: bool,
    /// A second listener for `/metrics`, `/healthz`, `/readyz`.
    pub(crate) admin_addr: Option<SocketAddr>,
    /// Peers whose `X-Forwarded-For` / `-Proto` are believed (replacing the file's list).
    pub(crate) trusted_proxies: Vec<String>,
    pub(crate) log_format: Option<LogFormat>,
    pub(crate) jwks_max_age: Option<Duration>,
    /// Seals the private keys at rest.
    pub(crate) kek: Option<jot_issuer::kek::Kek>,
    /// The origins browser apps may call from (replacing the config file's list).
    pub(crate) cors_origins: Vec<String>,
    /// Rotate to a new key when the current one lost its private key.
    pub(crate) replace_missing_key: Option<bool>,
    /// The RFC 8707 resources tokens may be asked for (replacing the file's list).
    pub(crate) resources: Vec<String>,
    /// DPoP proofs must carry a server nonce.
    pub(crate) dpop_nonces: Option<bool>,
    /// Timeouts and the connection cap.
    pub(crate) limits: LimitSettings,
    /// HTTPS with this certificate and key (given both or neither).
    pub(crate) tls: Option<TlsFiles>,
    /// Resolve `https` client ids as Client ID Metadata Documents.
    pub(crate) client_id_metadata_documents: Option<bool>,
    /// Let metadata documents come from loopback addresses (and plain http there).
    pub(crate) client_id_metadata_allow_loopback: Option<bool>,
    /// Scopes a client named by a metadata document may ask for, besides the
    /// OpenID Connect ones (replacing the file's list).
    pub(crate) client_id_metadata_scopes: Vec<String>,
    /// Serve Dynamic Client Registration at `POST /register`.
    pub(crate) dynamic_registration: Option<bool>,
    /// Scopes a registering client may ask for, besides the OpenID Connect ones
    /// (replacing the file's list).
    pub(crate) registration_scopes: Vec<String>,
    /// The initial access token that lets a registration be a confidential client.
    pub(crate) registration_token: Option<RegistrationToken>,
}

/// The initial access token of Dynamic Client Registration; never shown.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RegistrationToken(pub(crate) String);

impl std::fmt::Debug for RegistrationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegistrationToken(…)")
    }
}

/// A client given as `ID:SECRET[:SCOPES]` (scopes separated by `,` or spaces), as
/// `jot serve --client` takes it (the secret cannot contain `:`), or by a config
/// file's `[[client]]`, which may also make it public and give its redirect URIs.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ClientSpec {
    pub(crate) id: String,
    /// `None`: a public client (PKCE only).
    secret: Option<String>,
    scopes: Vec<String>,
    audience: Vec<String>,
    redirect_uris: Vec<String>,
    post_logout_redirect_uris: Vec<String>,
    first_party: bool,
    /// May introspect every client's tokens (a resource server).
    introspect: bool,
    /// May exchange the tokens it receives (RFC 8693).
    token_exchange: bool,
}

impl ServeConfig {
    /// Every setting unset (defaults, or the config file's values).
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The address to listen on (port 0: any free port).
    pub(crate) fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// The data directory (keys, clients, refresh tokens, revocations).
    pub(crate) fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// A PostgreSQL database (`postgres://…`) instead of the data directory.
    pub(crate) fn store_url(mut self, url: impl Into<String>) -> Self {
        self.store = Some(url.into());
        self
    }

    /// The issuer identifier, when the server is reached through another URL than
    /// its address (a proxy, TLS termination).
    pub(crate) fn issuer_url(mut self, url: impl Into<String>) -> Self {
        self.issuer_url = Some(url.into());
        self
    }

    /// The signing algorithm (asymmetric only).
    pub(crate) fn algorithm(mut self, alg: Algorithm) -> Self {
        self.alg = Some(alg);
        self
    }

    /// Adds a default audience (replacing the config file's list).
    pub(crate) fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audience.push(aud.into());
        self
    }

    /// Adds a client (registered, or updated, at start; the config file's clients are added too).
    #[cfg(test)]
    pub(crate) fn client(mut self, client: ClientSpec) -> Self {
        self.clients.push(client);
        self
    }

    /// Adds clients.
    pub(crate) fn clients(mut self, clients: impl IntoIterator<Item = ClientSpec>) -> Self {
        self.clients.extend(clients);
        self
    }

    /// Adds users (added, or updated, at start; the config file's users are added too).
    pub(crate) fn users(mut self, users: impl IntoIterator<Item = UserSpec>) -> Self {
        self.users.extend(users);
        self
    }

    /// A TOML config file for the settings not given here.
    pub(crate) fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// Access-token lifetime.
    pub(crate) fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_ttl = Some(lifetime);
        self
    }

    /// How often keys are reloaded, next keys promoted and rotations scheduled.
    pub(crate) fn maintenance_interval(mut self, every: Duration) -> Self {
        self.maintenance = Some(every);
        self
    }

    /// The `max-age` of the JWK Set.
    pub(crate) fn jwks_max_age(mut self, max_age: Duration) -> Self {
        self.jwks_max_age = Some(max_age);
        self
    }

    /// The key-encryption key of the private keys at rest.
    pub(crate) fn kek(mut self, kek: jot_issuer::kek::Kek) -> Self {
        self.kek = Some(kek);
        self
    }

    /// Adds an origin browser apps may call from (the list replaces the config
    /// file's).
    pub(crate) fn cors_origin(mut self, origin: impl Into<String>) -> Self {
        self.cors_origins.push(origin.into());
        self
    }

    /// Adds a resource (RFC 8707) tokens may be asked for (the list replaces the
    /// config file's).
    pub(crate) fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resources.push(resource.into());
        self
    }

    /// Whether DPoP proofs must carry a server nonce.
    pub(crate) fn dpop_nonces(mut self, on: bool) -> Self {
        self.dpop_nonces = Some(on);
        self
    }

    /// Whether to rotate to a new key when the current one lost its private key
    /// (else `jot serve` refuses to start).
    pub(crate) fn replace_missing_key(mut self, replace: bool) -> Self {
        self.replace_missing_key = Some(replace);
        self
    }

    /// Timeouts and the connection cap; those left unset come from the config
    /// file, else the defaults.
    pub(crate) fn limits(mut self, limits: LimitSettings) -> Self {
        self.limits = limits;
        self
    }

    /// Merges in the config file, if any (once: the file is then forgotten), its
    /// `secret_env` and `password_env` read from the process environment.
    pub(crate) fn resolve(mut self) -> Result<ServeConfig, ServeError> {
        let Some(path) = self.config_file.take() else {
            return Ok(self);
        };
        let text = std::fs::read_to_string(&path).map_err(|e| ServeError::Config {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        self.merge_file(&text, &path, &|var| std::env::var(var).ok())
    }

    /// Merges in the text of the config file at `path` (relative paths in it are
    /// taken from the file's directory): every setting still unset takes the
    /// file's value, the file's clients and users are added. `env` gives the
    /// variables that `secret_env` and `password_env` name. Touches neither the
    /// filesystem nor the environment: the config-file fuzz target runs it.
    pub(crate) fn merge_file(
        mut self,
        text: &str,
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ServeConfig, ServeError> {
        let bad = |reason: String| ServeError::Config {
            path: path.to_path_buf(),
            reason,
        };
        let file: FileConfig = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        if self.addr.is_none() {
            if let Some(addr) = &file.addr {
                self.addr = Some(
                    addr.parse()
                        .map_err(|_| bad(format!("addr {addr:?} is not IP:PORT")))?,
                );
            }
        }
        // A location given here (flag or environment) wins over the file's.
        if self.data_dir.is_none() && self.store.is_none() {
            if file.data_dir.is_some() && file.store.is_some() {
                return Err(bad("give data_dir or store, not both".into()));
            }
            self.data_dir = file.data_dir.map(|d| base.join(d));
            self.store = file.store;
        }
        self.issuer_url = self.issuer_url.or(file.issuer);
        self.metrics |= file.metrics;
        if self.admin_addr.is_none() {
            if let Some(addr) = &file.admin_addr {
                self.admin_addr = Some(
                    addr.parse()
                        .map_err(|_| bad(format!("admin_addr {addr:?} is not IP:PORT")))?,
                );
            }
        }
        if self.trusted_proxies.is_empty() {
            self.trusted_proxies = file.trusted_proxies;
        }
        self.log_format = self.log_format.or(file.log_format);
        if self.alg.is_none() {
            if let Some(alg) = &file.alg {
                self.alg = Some(
                    alg.parse()
                        .map_err(|_| bad(format!("unknown alg {alg:?}")))?,
                );
            }
        }
        if self.audience.is_empty() {
            self.audience = file.audience;
        }
        let duration = |value: Option<DurationValue>| -> Result<Option<Duration>, ServeError> {
            value
                .map(|v| v.to_duration().map_err(|e| bad(e.to_string())))
                .transpose()
        };
        if self.access_ttl.is_none() {
            self.access_ttl = duration(file.access_token_lifetime)?;
        }
        if self.refresh_ttl.is_none() {
            self.refresh_ttl = duration(file.refresh_token_lifetime)?;
        }
        if self.jwks_max_age.is_none() {
            self.jwks_max_age = duration(file.jwks_max_age)?;
        }
        if self.maintenance.is_none() {
            self.maintenance = duration(file.maintenance_interval)?;
        }
        if self.rotation.is_none() {
            match file.rotate_every {
                Some(DurationValue::Text(t)) if matches!(t.as_str(), "never" | "off") => {
                    self.rotation = Some(None);
                }
                other => {
                    if let Some(every) = duration(other)? {
                        self.rotation = Some(Some(every));
                    }
                }
            }
        }
        if self.cors_origins.is_empty() {
            self.cors_origins = file.cors_origins;
        }
        self.replace_missing_key = self.replace_missing_key.or(file.replace_missing_key);
        if self.resources.is_empty() {
            self.resources = file.resources;
        }
        self.dpop_nonces = self.dpop_nonces.or(file.dpop_nonces);
        self.client_id_metadata_documents = self
            .client_id_metadata_documents
            .or(file.client_id_metadata_documents);
        self.client_id_metadata_allow_loopback = self
            .client_id_metadata_allow_loopback
            .or(file.client_id_metadata_allow_loopback);
        self.dynamic_registration = self.dynamic_registration.or(file.dynamic_registration);
        if self.client_id_metadata_scopes.is_empty() {
            self.client_id_metadata_scopes = file.client_id_metadata_scopes;
        }
        if self.registration_scopes.is_empty() {
            self.registration_scopes = file.registration_scopes;
        }
        if self.registration_token.is_none() {
            if let Some(var) = file.registration_initial_access_token_env {
                let token = env(&var).filter(|t| !t.is_empty()).ok_or_else(|| {
                    bad(format!(
                        "registration_initial_access_token_env: environment variable {var} is not set"
                    ))
                })?;
                self.registration_token = Some(RegistrationToken(token));
            }
        }
        let max_connections = file
            .max_connections
            .map(|max| usize::try_from(max).unwrap_or(usize::MAX))
            .map(check_max_connections)
            .transpose()
            .map_err(&bad)?;
        if self.tls.is_none() {
            self.tls = match (file.tls_cert, file.tls_key) {
                (Some(cert), Some(key)) => Some(TlsFiles {
                    cert: base.join(cert),
                    key: base.join(key),
                }),
                (None, None) => None,
                _ => return Err(bad("give tls_cert and tls_key together".into())),
            };
        }
        self.limits = self.limits.or(LimitSettings {
            header_timeout: duration(file.header_timeout)?,
            body_timeout: duration(file.body_timeout)?,
            request_timeout: duration(file.request_timeout)?,
            idle_timeout: duration(file.idle_timeout)?,
            max_connections,
        });
        for client in file.clients {
            let what = format!("client {}", client.id);
            let secret = from_env_or_value(client.secret, client.secret_env, env, "secret", &what)
                .map_err(&bad)?;
            self.clients.push(ClientSpec {
                id: client.id,
                secret,
                scopes: client.scopes,
                audience: client.audience,
                redirect_uris: client.redirect_uris,
                post_logout_redirect_uris: client.post_logout_redirect_uris,
                first_party: client.first_party,
                introspect: client.introspect,
                token_exchange: client.token_exchange,
            });
        }
        for user in file.users {
            let what = format!("user {}", user.username);
            let password =
                from_env_or_value(user.password, user.password_env, env, "password", &what)
                    .map_err(&bad)?
                    .ok_or_else(|| bad(format!("{what}: give one of password, password_env")))?;
            self.users
                .push(UserSpec::new(user.username, password).with_profile(
                    user.name,
                    user.email,
                    user.email_verified,
                ));
        }
        Ok(self)
    }
}

impl ClientSpec {
    /// A client with this id and secret and no scopes.
    pub(crate) fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        ClientSpec {
            id: id.into(),
            secret: Some(secret.into()),
            scopes: Vec::new(),
            audience: Vec::new(),
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            first_party: false,
            introspect: false,
            token_exchange: false,
        }
    }

    /// The scopes it may be granted.
    pub(crate) fn with_scopes<S: Into<String>>(
        mut self,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The client id.
    #[cfg(test)]
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// The scopes.
    #[cfg(test)]
    pub(crate) fn scopes(&self) -> &[String] {
        &self.scopes
    }

    pub(crate) fn to_new_client(&self) -> NewClient {
        let client = NewClient::new(self.id.clone())
            .scopes(self.scopes.clone())
            .audience(self.audience.clone())
            .redirect_uris(self.redirect_uris.clone())
            .post_logout_redirect_uris(self.post_logout_redirect_uris.clone())
            .first_party(self.first_party)
            .introspect(self.introspect)
            .token_exchange(self.token_exchange);
        match &self.secret {
            Some(secret) => client.secret(secret.clone()),
            None => client.public(),
        }
    }
}

impl FromStr for ClientSpec {
    type Err = ServeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| ServeError::Setting {
            setting: "client",
            reason: format!("{reason} (expected ID:SECRET[:SCOPES])"),
        };
        let mut parts = s.splitn(3, ':');
        let id = parts.next().unwrap_or_default();
        let secret = parts.next().ok_or_else(|| bad("no secret"))?;
        if id.is_empty() || secret.is_empty() {
            return Err(bad("empty id or secret"));
        }
        let scopes: Vec<String> = parts
            .next()
            .map(|list| {
                list.split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        Ok(ClientSpec::new(id, secret).with_scopes(scopes))
    }
}

impl std::fmt::Debug for ClientSpec {
    /// Never shows the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSpec")
            .field("id", &self.id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A lifetime setting (`15m`, `1h30m`, `30d`, or seconds), read with the one
/// duration grammar of the CLI; zero is refused.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, ServeError> {
    crate::duration::parse_lifetime(text).map_err(|e| ServeError::Setting {
        setting: "duration",
        reason: format!("{text:?}: {e}"),
    })
}

/// The TOML config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    data_dir: Option<PathBuf>,
    store: Option<String>,
    issuer: Option<String>,
    alg: Option<String>,
    #[serde(default)]
    audience: Vec<String>,
    access_token_lifetime: Option<DurationValue>,
    refresh_token_lifetime: Option<DurationValue>,
    rotate_every: Option<DurationValue>,
    #[serde(default)]
    metrics: bool,
    admin_addr: Option<String>,
    #[serde(default)]
    trusted_proxies: Vec<String>,
    log_format: Option<LogFormat>,
    jwks_max_age: Option<DurationValue>,
    maintenance_interval: Option<DurationValue>,
    #[serde(default)]
    cors_origins: Vec<String>,
    replace_missing_key: Option<bool>,
    #[serde(default)]
    resources: Vec<String>,
    dpop_nonces: Option<bool>,
    header_timeout: Option<DurationValue>,
    body_timeout: Option<DurationValue>,
    request_timeout: Option<DurationValue>,
    idle_timeout: Option<DurationValue>,
    max_connections: Option<u64>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    client_id_metadata_documents: Option<bool>,
    client_id_metadata_allow_loopback: Option<bool>,
    #[serde(default)]
    client_id_metadata_scopes: Vec<String>,
    dynamic_registration: Option<bool>,
    registration_initial_access_token_env: Option<String>,
    #[serde(default)]
    registration_scopes: Vec<String>,
    #[serde(default, rename = "client")]
    clients: Vec<FileClient>,
    #[serde(default, rename = "user")]
    users: Vec<FileUser>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileClient {
    id: String,
    secret: Option<String>,
    secret_env: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    audience: Vec<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    first_party: bool,
    #[serde(default)]
    introspect: bool,
    #[serde(default)]
    token_exchange: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileUser {
    username: String,
    password: Option<String>,
    password_env: Option<String>,
    name: Option<String>,
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
}

/// A secret given by value (`key`) or by the environment variable it names
/// (`key_env`, looked up with `env`), not both; `None` when neither is given.
fn from_env_or_value(
    value: Option<String>,
    var: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
    key: &str,
    what: &str,
) -> Result<Option<String>, String> {
    match (value, var) {
        (Some(_), Some(_)) => Err(format!("{what}: give {key} or {key}_env, not both")),
        (Some(value), None) => Ok(Some(value)),
        (None, Some(var)) => env(&var)
            .map(Some)
            .ok_or_else(|| format!("{what}: environment variable {var} is not set")),
        (None, None) => Ok(None),
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DurationValue {
    Secs(u64),
    Text(String),
}

impl DurationValue {
    fn to_duration(&self) -> Result<Duration, ServeError> {
        match self {
            DurationValue::Secs(0) => parse_duration("0"),
            DurationValue::Secs(secs) => Ok(Duration::from_secs(*secs)),
            DurationValue::Text(text) => parse_duration(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_specs_parse() {
        let spec: ClientSpec = "a:b".parse().unwrap();
        assert_eq!(
            (spec.id(), spec.secret.as_deref(), spec.scopes().len()),
            ("a", Some("b"), 0)
        );
        let spec: ClientSpec = "a:hunter2:x y,z".parse().unwrap();
        assert_eq!(spec.scopes(), ["x", "y", "z"]);
        assert!(!format!("{spec:?}").contains("hunter2"));
        for bad in ["a", ":b", "a:", ""] {
            assert!(bad.parse::<ClientSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5_400));
        assert_eq!(
            parse_duration("2w").unwrap(),
            Duration::from_secs(1_209_600)
        );
        for bad in ["", "0", "m", "5y", "-1", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn config_files_merge_under_explicit_settings() {
        let dir = std::env::temp_dir().join(format!("jot-serve-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("jot.toml");
        std::fs::write(
            &path,
            "addr = \"127.0.0.1:9\"\ndata_dir = \"data\"\nalg = \"EdDSA\"\nrotate_every = \"never\"\n\
             access_token_lifetime = 60\njwks_max_age = \"2m\"\nmaintenance_interval = 10\n\
             [[client]]\nid = \"c\"\nsecret = \"s\"\nscopes = [\"x\"]\n",
        )
        .unwrap();
        let config = ServeConfig::new()
            .config_file(&path)
            .algorithm(Algorithm::ES384)
            .resolve()
            .unwrap();
        assert_eq!(config.addr, Some("127.0.0.1:9".parse().unwrap()));
        assert_eq!(config.data_dir, Some(dir.join("data")));
        assert_eq!(config.alg, Some(Algorithm::ES384));
        assert_eq!(config.rotation, Some(None));
        assert_eq!(config.access_ttl, Some(Duration::from_secs(60)));
        assert_eq!(config.jwks_max_age, Some(Duration::from_secs(120)));
        assert_eq!(config.maintenance, Some(Duration::from_secs(10)));
        assert_eq!(config.clients[0].scopes(), ["x"]);
        // A flag wins over the file.
        let config = ServeConfig::new()
            .config_file(&path)
            .jwks_max_age(Duration::from_secs(7))
            .maintenance_interval(Duration::from_secs(3))
            .resolve()
            .unwrap();
        assert_eq!(config.jwks_max_age, Some(Duration::from_secs(7)));
        assert_eq!(config.maintenance, Some(Duration::from_secs(3)));
        std::fs::write(&path, "nope = 1\n").unwrap();
        assert!(matches!(
            ServeConfig::new().config_file(&path).resolve(),
            Err(ServeError::Config { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn config_files_give_tls_files_both_or_neither_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jot.toml");
        std::fs::write(
            &path,
            "tls_cert = \"cert.pem\"\ntls_key = \"/abs/key.pem\"\n",
        )
        .unwrap();
        let config = ServeConfig::new().config_file(&path).resolve().unwrap();
        let tls = config.tls.unwrap();
        assert_eq!(tls.cert, dir.path().join("cert.pem"));
        assert_eq!(tls.key, PathBuf::from("/abs/key.pem"));
        std::fs::write(&path, "tls_cert = \"cert.pem\"\n").unwrap();
        let error = ServeConfig::new().config_file(&path).resolve().unwrap_err();
        assert!(
            error.to_string().contains("tls_cert and tls_key"),
            "{error}"
        );
        std::fs::write(&path, "addr = \"127.0.0.1:9\"\n").unwrap();
        assert!(
            ServeConfig::new()
                .config_file(&path)
                .resolve()
                .unwrap()
                .tls
                .is_none()
        );
    }

    #[test]
    fn config_files_give_hardening_settings_under_the_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jot.toml");
        std::fs::write(
            &path,
            "cors_origins = [\"https://app.example\"]\nreplace_missing_key = true\n\
             header_timeout = \"5s\"\nbody_timeout = 20\nrequest_timeout = \"1m\"\n\
             idle_timeout = \"2m\"\nmax_connections = 64\n\
             [[client]]\nid = \"api\"\nsecret = \"s\"\nintrospect = true\n",
        )
        .unwrap();
        let flags = LimitSettings {
            header_timeout: Some(Duration::from_secs(2)),
            ..LimitSettings::default()
        };
        let config = ServeConfig::new()
            .config_file(&path)
            .limits(flags)
            .resolve()
            .unwrap();
        assert_eq!(config.cors_origins, ["https://app.example"]);
        assert_eq!(config.replace_missing_key, Some(true));
        let limits = config.limits.resolve();
        assert_eq!(limits.header_timeout, Duration::from_secs(2));
        assert_eq!(limits.body_timeout, Duration::from_secs(20));
        assert_eq!(limits.request_timeout, Duration::from_secs(60));
        assert_eq!(limits.idle_timeout, Duration::from_secs(120));
        assert_eq!(limits.max_connections, 64);
        assert!(config.clients[0].introspect);
        let config = ServeConfig::new()
            .config_file(&path)
            .cors_origin("https://other.example")
            .replace_missing_key(false)
            .resolve()
            .unwrap();
        assert_eq!(config.cors_origins, ["https://other.example"]);
        assert_eq!(config.replace_missing_key, Some(false));
        for bad in [
            "max_connections = 0\n",
            "header_timeout = 0\n",
            "idle_timeout = \"1y\"\n",
        ] {
            std::fs::write(&path, bad).unwrap();
            assert!(
                matches!(
                    ServeConfig::new().config_file(&path).resolve(),
                    Err(ServeError::Config { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn config_files_turn_on_client_metadata_and_registration_under_the_flags() {
        let text = "client_id_metadata_documents = true\nclient_id_metadata_allow_loopback = true\n\
                    dynamic_registration = true\nregistration_initial_access_token_env = \"REG\"\n\
                    client_id_metadata_scopes = [\"mcp:tools\"]\nregistration_scopes = [\"a\", \"b\"]\n";
        let path = Path::new("/etc/jot/jot.toml");
        let env = |var: &str| (var == "REG").then(|| "reg-token".to_owned());
        let config = ServeConfig::new().merge_file(text, path, &env).unwrap();
        assert_eq!(config.client_id_metadata_documents, Some(true));
        assert_eq!(config.client_id_metadata_allow_loopback, Some(true));
        assert_eq!(config.dynamic_registration, Some(true));
        assert_eq!(config.client_id_metadata_scopes, ["mcp:tools"]);
        assert_eq!(config.registration_scopes, ["a", "b"]);
        assert_eq!(
            config.registration_token,
            Some(RegistrationToken("reg-token".into()))
        );
        assert!(!format!("{config:?}").contains("reg-token"));
        // Flags win over the file.
        let flags = ServeConfig {
            dynamic_registration: Some(false),
            registration_token: Some(RegistrationToken("flag".into())),
            ..ServeConfig::new()
        };
        let config = flags.merge_file(text, path, &env).unwrap();
        assert_eq!(config.dynamic_registration, Some(false));
        assert_eq!(
            config.registration_token,
            Some(RegistrationToken("flag".into()))
        );
        // Off unless asked; a named variable that is not set is an error.
        let config = ServeConfig::new().merge_file("", path, &env).unwrap();
        assert_eq!(config.client_id_metadata_documents, None);
        assert_eq!(config.dynamic_registration, None);
        let error = ServeConfig::new()
            .merge_file(text, path, &|_| None)
            .unwrap_err();
        assert!(error.to_string().contains("REG is not set"), "{error}");
    }

    #[test]
    fn config_text_takes_secrets_from_the_given_environment_only() {
        let text = "data_dir = \"data\"\n[[client]]\nid = \"c\"\nsecret_env = \"JOT_TEST_C\"\n\
                    [[user]]\nusername = \"u\"\npassword_env = \"JOT_TEST_U\"\n";
        let path = Path::new("/etc/jot/jot.toml");
        let env = |var: &str| Some(format!("{var} value"));
        let config = ServeConfig::new().merge_file(text, path, &env).unwrap();
        assert_eq!(config.data_dir, Some(PathBuf::from("/etc/jot/data")));
        assert_eq!(
            config.clients[0].secret.as_deref(),
            Some("JOT_TEST_C value")
        );
        assert_eq!(config.users, [UserSpec::new("u", "JOT_TEST_U value")]);
        // An empty environment: the variables are missing, whatever the process has.
        let err = ServeConfig::new()
            .merge_file(text, path, &|_| None)
            .unwrap_err();
        assert!(
            matches!(&err, ServeError::Config { path: p, reason }
                if p == path && reason.contains("JOT_TEST_C is not set")),
            "{err}"
        );
    }

    #[test]
    fn config_files_give_login_clients_and_users() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jot.toml");
        let write = |text: &str| std::fs::write(&path, text).unwrap();
        write(
            "[[client]]\nid = \"spa\"\nredirect_uris = [\"http://127.0.0.1:9000/cb\"]\n\
             post_logout_redirect_uris = [\"http://127.0.0.1:9000/\"]\nscopes = [\"openid\"]\n\
             first_party = true\n\
             [[user]]\nusername = \"alice\"\npassword = \"long enough\"\nname = \"Alice\"\n\
             email = \"a@example.com\"\nemail_verified = true\n",
        );
        let config = ServeConfig::new().config_file(&path).resolve().unwrap();
        let spa = &config.clients[0];
        assert_eq!(spa.secret, None, "no secret: a public client");
        assert_eq!(spa.redirect_uris, ["http://127.0.0.1:9000/cb"]);
        assert_eq!(spa.post_logout_redirect_uris, ["http://127.0.0.1:9000/"]);
        assert!(spa.first_party);
        assert_eq!(
            config.users,
            [UserSpec::new("alice", "long enough").with_profile(
                Some("Alice".into()),
                Some("a@example.com".into()),
                true
            )]
        );
        for bad in [
            "[[user]]\nusername = \"a\"\n",
            "[[user]]\nusername = \"a\"\npassword = \"x\"\npassword_env = \"Y\"\n",
            "[[user]]\nusername = \"a\"\npassword_env = \"JOT_TEST_UNSET_VARIABLE\"\n",
            "[[user]]\nusername = \"a\"\npassword = \"x\"\nrole = \"admin\"\n",
            "[[client]]\nid = \"c\"\nsecret = \"x\"\nsecret_env = \"Y\"\n",
        ] {
            write(bad);
            assert!(
                matches!(
                    ServeConfig::new().config_file(&path).resolve(),
                    Err(ServeError::Config { .. })
                ),
                "{bad}"
            );
        }
    }
}

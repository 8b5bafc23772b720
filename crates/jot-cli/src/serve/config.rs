//! The configuration of `jot serve`: [`ServeConfig`] (command-line values over a
//! TOML file over defaults), [`ClientSpec`], the config file's users, durations.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use jot_algorithms::Algorithm;

use super::ServeError;
use super::connections::LimitSettings;
use super::operate::LogFormat;
use super::tls::TlsFiles;
use super::users::UserSpec;

mod client;
mod file;
#[cfg(test)]
mod tests;

pub(crate) use client::ClientSpec;

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
}

/// A lifetime setting (`15m`, `1h30m`, `30d`, or seconds), read with the one
/// duration grammar of the CLI; zero is refused.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, ServeError> {
    crate::duration::parse_lifetime(text).map_err(|e| ServeError::Setting {
        setting: "duration",
        reason: format!("{text:?}: {e}"),
    })
}

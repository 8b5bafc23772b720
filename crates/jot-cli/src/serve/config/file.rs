//! The config file of `jot serve` (TOML) and its merge under the settings
//! given on the command line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{ClientSpec, RegistrationToken, ServeConfig, parse_duration};
use crate::serve::ServeError;
use crate::serve::connections::{LimitSettings, check_max_connections};
use crate::serve::operate::LogFormat;
use crate::serve::tls::TlsFiles;
use crate::serve::users::UserSpec;

impl ServeConfig {
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

//! The configuration of `jot serve`: [`ServeConfig`] (command-line values over a
//! TOML file over defaults), [`ClientSpec`], durations.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use jot_algorithms::Algorithm;
use serde::Deserialize;

use super::{IssuerError, NewClient};

/// The address `jot serve` listens on by default.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The data directory `jot serve` uses by default, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "./jot-data";

/// Everything `jot serve` takes: each setting left unset comes from the config
/// file ([`ServeConfig::config_file`]), else from the default.
///
/// | setting | default |
/// | --- | --- |
/// | `addr` | `127.0.0.1:8080` |
/// | `data_dir` | `./jot-data` (relative to the working directory; in a config file, to the file's directory) |
/// | `issuer_url` | `http://ADDR` (an unspecified address shown as loopback) |
/// | `alg` | the current key's, else ES256 (a different value rotates the key at start) |
/// | `audience` | the issuer URL |
/// | access / refresh token lifetime | 15 min / 30 days |
/// | key rotation | every 30 days |
///
/// The config file is TOML:
///
/// ```toml
/// addr = "0.0.0.0:8080"
/// data_dir = "/var/lib/jot"
/// issuer = "https://auth.example.com"
/// alg = "ES256"
/// audience = ["https://api.example.com"]
/// access_token_lifetime = "15m"     # or seconds: 900
/// refresh_token_lifetime = "30d"
/// rotate_every = "30d"              # or "never"
///
/// [[client]]
/// id = "billing"
/// secret_env = "BILLING_SECRET"     # or: secret = "…"
/// scopes = ["invoices:read"]
/// audience = ["https://billing.example.com"]
/// ```
///
/// ```no_run
/// use jot_axum::issuer::{serve_blocking, ServeConfig};
///
/// let config = ServeConfig::new()
///     .addr("127.0.0.1:9000".parse()?)
///     .client("billing:s3cret:invoices:read".parse()?);
/// serve_blocking(config)?; // until Ctrl-C or SIGTERM
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ServeConfig {
    pub(super) addr: Option<SocketAddr>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) issuer_url: Option<String>,
    pub(super) alg: Option<Algorithm>,
    pub(super) audience: Vec<String>,
    pub(super) clients: Vec<ClientSpec>,
    pub(super) config_file: Option<PathBuf>,
    pub(super) access_ttl: Option<Duration>,
    pub(super) refresh_ttl: Option<Duration>,
    pub(super) rotation: Option<Option<Duration>>,
    pub(super) maintenance: Option<Duration>,
}

/// A client given as `ID:SECRET[:SCOPES]` (scopes separated by `,` or spaces), as
/// `jot serve --client` takes it. The secret cannot contain `:`.
///
/// ```
/// use jot_axum::issuer::ClientSpec;
///
/// let spec: ClientSpec = "billing:s3cret:invoices:read,invoices:write".parse()?;
/// assert_eq!(spec.id(), "billing");
/// assert_eq!(spec.scopes(), ["invoices:read", "invoices:write"]);
/// # Ok::<(), jot_axum::issuer::IssuerError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSpec {
    pub(super) id: String,
    secret: String,
    scopes: Vec<String>,
    audience: Vec<String>,
}

impl ServeConfig {
    /// Every setting unset (defaults, or the config file's values).
    pub fn new() -> Self {
        Self::default()
    }

    /// The address to listen on (port 0: any free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// The data directory (keys, clients, refresh tokens, revocations).
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// The issuer identifier, when the server is reached through another URL than
    /// its address (a proxy, TLS termination).
    pub fn issuer_url(mut self, url: impl Into<String>) -> Self {
        self.issuer_url = Some(url.into());
        self
    }

    /// The signing algorithm (asymmetric only).
    pub fn algorithm(mut self, alg: Algorithm) -> Self {
        self.alg = Some(alg);
        self
    }

    /// Adds a default audience (replacing the config file's list).
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audience.push(aud.into());
        self
    }

    /// Adds a client (registered, or updated, at start; the config file's clients are added too).
    pub fn client(mut self, client: ClientSpec) -> Self {
        self.clients.push(client);
        self
    }

    /// Adds clients.
    pub fn clients(mut self, clients: impl IntoIterator<Item = ClientSpec>) -> Self {
        self.clients.extend(clients);
        self
    }

    /// A TOML config file for the settings not given here.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// Access-token lifetime.
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_ttl = Some(lifetime);
        self
    }

    /// Refresh-token lifetime.
    pub fn refresh_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.refresh_ttl = Some(lifetime);
        self
    }

    /// Scheduled key rotation (`None`: on demand only).
    pub fn rotation_interval(mut self, every: Option<Duration>) -> Self {
        self.rotation = Some(every);
        self
    }

    /// Time between maintenance ticks (key reload, scheduled rotation); default 30 s.
    pub fn maintenance_interval(mut self, every: Duration) -> Self {
        self.maintenance = Some(every);
        self
    }

    /// Merges in the config file, if any.
    pub(super) fn resolve(mut self) -> Result<ServeConfig, IssuerError> {
        let Some(path) = self.config_file.clone() else {
            return Ok(self);
        };
        let file = FileConfig::load(&path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let bad = |reason: String| IssuerError::Config {
            path: path.clone(),
            reason,
        };
        if self.addr.is_none() {
            if let Some(addr) = &file.addr {
                self.addr = Some(
                    addr.parse()
                        .map_err(|_| bad(format!("addr {addr:?} is not IP:PORT")))?,
                );
            }
        }
        if self.data_dir.is_none() {
            self.data_dir = file.data_dir.map(|d| base.join(d));
        }
        self.issuer_url = self.issuer_url.or(file.issuer);
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
        let duration = |value: Option<DurationValue>| -> Result<Option<Duration>, IssuerError> {
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
        for client in file.clients {
            let secret = match (client.secret, client.secret_env) {
                (Some(secret), None) => secret,
                (None, Some(var)) => std::env::var(&var).map_err(|_| {
                    bad(format!(
                        "client {}: environment variable {var} is not set",
                        client.id
                    ))
                })?,
                _ => {
                    return Err(bad(format!(
                        "client {}: give exactly one of secret, secret_env",
                        client.id
                    )));
                }
            };
            self.clients.push(ClientSpec {
                id: client.id,
                secret,
                scopes: client.scopes,
                audience: client.audience,
            });
        }
        Ok(self)
    }
}

impl ClientSpec {
    /// A client with this id and secret and no scopes.
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        ClientSpec {
            id: id.into(),
            secret: secret.into(),
            scopes: Vec::new(),
            audience: Vec::new(),
        }
    }

    /// The scopes it may be granted.
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The client id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The scopes.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    pub(super) fn to_new_client(&self) -> NewClient {
        NewClient::new(self.id.clone())
            .secret(self.secret.clone())
            .scopes(self.scopes.clone())
            .audience(self.audience.clone())
    }
}

impl FromStr for ClientSpec {
    type Err = IssuerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| IssuerError::Setting {
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

/// Parses a duration: seconds (`900`), or a number with `s`, `m`, `h`, `d` or `w`.
///
/// ```
/// use std::time::Duration;
/// use jot_axum::issuer::parse_duration;
///
/// assert_eq!(parse_duration("15m")?, Duration::from_secs(900));
/// assert_eq!(parse_duration("30d")?, Duration::from_secs(30 * 86_400));
/// assert!(parse_duration("soon").is_err());
/// # Ok::<(), jot_axum::issuer::IssuerError>(())
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, IssuerError> {
    let bad = || IssuerError::Setting {
        setting: "duration",
        reason: format!("{text:?} is not a duration such as 900, 90s, 15m, 12h, 30d or 2w"),
    };
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let scale = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    number
        .checked_mul(scale)
        .filter(|&secs| secs > 0)
        .map(Duration::from_secs)
        .ok_or_else(bad)
}

/// The TOML config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    data_dir: Option<PathBuf>,
    issuer: Option<String>,
    alg: Option<String>,
    #[serde(default)]
    audience: Vec<String>,
    access_token_lifetime: Option<DurationValue>,
    refresh_token_lifetime: Option<DurationValue>,
    rotate_every: Option<DurationValue>,
    #[serde(default, rename = "client")]
    clients: Vec<FileClient>,
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
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DurationValue {
    Secs(u64),
    Text(String),
}

impl DurationValue {
    fn to_duration(&self) -> Result<Duration, IssuerError> {
        match self {
            DurationValue::Secs(0) => parse_duration("0"),
            DurationValue::Secs(secs) => Ok(Duration::from_secs(*secs)),
            DurationValue::Text(text) => parse_duration(text),
        }
    }
}

impl FileConfig {
    fn load(path: &Path) -> Result<FileConfig, IssuerError> {
        let text = std::fs::read_to_string(path).map_err(|e| IssuerError::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| IssuerError::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_specs_parse() {
        let spec: ClientSpec = "a:b".parse().unwrap();
        assert_eq!(
            (spec.id(), spec.secret.as_str(), spec.scopes().len()),
            ("a", "b", 0)
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
             access_token_lifetime = 60\n[[client]]\nid = \"c\"\nsecret = \"s\"\nscopes = [\"x\"]\n",
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
        assert_eq!(config.clients[0].scopes(), ["x"]);
        std::fs::write(&path, "nope = 1\n").unwrap();
        assert!(matches!(
            ServeConfig::new().config_file(&path).resolve(),
            Err(IssuerError::Config { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

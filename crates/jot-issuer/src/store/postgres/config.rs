//! [`PostgresConfig`]: a PostgreSQL URL read once — where the database is, how to
//! reach it (TLS), where the password comes from, and the pool's limits.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_postgres::config::{Host, SslMode as DriverSslMode};

use super::PostgresError;

/// How many connections one [`PostgresStore`](super::PostgresStore) keeps at most, by default.
pub const DEFAULT_POOL_MAX_SIZE: usize = 16;
/// How long a store call waits for a connection by default (a free one, or a new one).
pub const DEFAULT_POOL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a store call's statements may take by default once it has a connection.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether and how the connection is encrypted, as libpq's `sslmode` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SslMode {
    /// Plain TCP (or a Unix socket).
    Disable,
    /// TLS; the server's certificate is checked against `sslrootcert` when one is
    /// given, and not at all otherwise (libpq's meaning: it stops eavesdroppers,
    /// not an impostor).
    Require,
    /// TLS with a certificate signed by a trusted root (`sslrootcert`, else the
    /// system's), whatever host name it is for.
    VerifyCa,
    /// TLS with a certificate signed by a trusted root and valid for the host name.
    VerifyFull,
}

/// Where the connection's password came from (never the password itself).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordSource {
    /// None: the server does not ask for one (trust, peer, certificate).
    None,
    /// The URL's user information or its `password` parameter.
    Url,
    /// The file named by the URL's `password_file` parameter (its first line).
    PasswordFile(PathBuf),
    /// The `PGPASSWORD` environment variable.
    Environment,
    /// A matching line of a libpq password file (`passfile` parameter, else `PGPASSFILE`).
    Passfile(PathBuf),
}

/// A parsed PostgreSQL URL, ready for [`PostgresStore::open`](super::PostgresStore::open).
///
/// ```text
/// postgres://USER[:PASSWORD]@HOST[:PORT][,HOST2[:PORT2]…]/DATABASE[?PARAM=VALUE&…]
/// postgresql://USER@%2Frun%2Fpostgresql/DATABASE        (a Unix socket directory)
/// postgres:///DATABASE?host=/run/postgresql&user=USER
/// ```
///
/// Every libpq parameter the driver knows is accepted (`connect_timeout`,
/// `application_name`, `options`, `target_session_attrs`, `keepalives`…), plus:
///
/// | parameter | meaning | default |
/// | --- | --- | --- |
/// | `sslmode` | `disable`, `require`, `verify-ca` or `verify-full` (`prefer` and `allow` are refused: anyone on the path can turn them into plain text) | `disable` to loopback addresses and Unix sockets, `verify-full` to anything else |
/// | `sslrootcert` | a PEM file of the certificates to trust (`system`: the system's) | the system's roots |
/// | `password_file` | a file whose first line is the password | — |
/// | `passfile` | a libpq password file (`host:port:database:user:password` lines) | `PGPASSFILE` |
/// | `pool_max_size` | connections kept at most | 16 |
/// | `pool_timeout` | seconds a call waits for a connection (also the default `connect_timeout`) | 5 |
/// | `query_timeout` | seconds a call's statements may take | 10 |
///
/// The password comes from the URL, else `password_file`, else the `PGPASSWORD`
/// environment variable, else the password file. It is never shown: the
/// [`Display`](fmt::Display) of a config is the URL with the password replaced by
/// `***`, and its `Debug` shows that too.
///
/// ```
/// use jot_issuer::store::{PostgresConfig, SslMode};
///
/// let config = PostgresConfig::from_url("postgres://jot:s3cret@db.example.com/jot?pool_max_size=32")?;
/// assert_eq!(config.to_string(), "postgres://jot:***@db.example.com/jot?pool_max_size=32");
/// assert_eq!(config.ssl_mode(), SslMode::VerifyFull);
/// assert_eq!(config.pool_max_size(), 32);
/// assert!(!format!("{config:?}").contains("s3cret"));
/// # Ok::<(), jot_issuer::store::PostgresError>(())
/// ```
#[derive(Clone)]
pub struct PostgresConfig {
    pub(super) driver: tokio_postgres::Config,
    redacted: String,
    ssl_mode: SslMode,
    root_cert: Option<RootCert>,
    password_source: PasswordSource,
    pool_max_size: usize,
    pool_timeout: Duration,
    query_timeout: Duration,
}

/// Where the trusted roots come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum RootCert {
    /// The system's roots (`sslrootcert=system`).
    System,
    /// A PEM file.
    File(PathBuf),
}

impl PostgresConfig {
    /// Parses a `postgres://` or `postgresql://` URL, reading `PGPASSWORD` and
    /// `PGPASSFILE` from the environment when the URL gives no password.
    pub fn from_url(url: &str) -> Result<PostgresConfig, PostgresError> {
        PostgresConfig::from_url_with_env(url, |name| std::env::var(name).ok())
    }

    /// [`PostgresConfig::from_url`] with the environment given by `env` (a variable's
    /// value, or `None` when unset).
    pub fn from_url_with_env(
        url: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<PostgresConfig, PostgresError> {
        if !["postgres://", "postgresql://"]
            .iter()
            .any(|scheme| url.starts_with(scheme))
        {
            return Err(PostgresError::NotPostgresUrl);
        }
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (url, None),
        };
        let mut ours = Own::default();
        let mut kept = Vec::new();
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key)?;
            if ours.take(&key, &decode(value)?)? {
                continue;
            }
            kept.push(pair);
        }
        let driver_url = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut driver: tokio_postgres::Config =
            driver_url
                .parse()
                .map_err(|e: tokio_postgres::Error| PostgresError::InvalidUrl {
                    source: Box::new(e),
                })?;
        if driver.get_user().is_none() {
            return Err(PostgresError::InvalidParameter {
                name: "user".into(),
                reason: "the URL names no user (postgres://USER@HOST/DATABASE)",
            });
        }
        if driver.get_hosts().is_empty() {
            return Err(PostgresError::InvalidParameter {
                name: "host".into(),
                reason: "the URL names no host or socket directory",
            });
        }
        let local = driver.get_hosts().iter().all(is_local);
        let ssl_mode = match ours.ssl_mode {
            Some(mode) => mode,
            None if local => SslMode::Disable,
            None => SslMode::VerifyFull,
        };
        driver.ssl_mode(match ssl_mode {
            SslMode::Disable => DriverSslMode::Disable,
            _ => DriverSslMode::Require,
        });
        let password_source = password(&mut driver, &ours, &env)?;
        let pool_timeout = ours.pool_timeout.unwrap_or(DEFAULT_POOL_TIMEOUT);
        if driver.get_connect_timeout().is_none() {
            driver.connect_timeout(pool_timeout);
        }
        if driver.get_application_name().is_none() {
            driver.application_name("jot");
        }
        Ok(PostgresConfig {
            driver,
            redacted: redact(url),
            ssl_mode,
            root_cert: ours.root_cert,
            password_source,
            pool_max_size: ours.pool_max_size.unwrap_or(DEFAULT_POOL_MAX_SIZE),
            pool_timeout,
            query_timeout: ours.query_timeout.unwrap_or(DEFAULT_QUERY_TIMEOUT),
        })
    }

    /// At most this many connections (default 16).
    pub fn with_pool_max_size(mut self, size: usize) -> Self {
        self.pool_max_size = size.max(1);
        self
    }

    /// How long a store call waits for a connection (default 5 s).
    pub fn with_pool_timeout(mut self, timeout: Duration) -> Self {
        self.pool_timeout = timeout;
        self
    }

    /// How long a store call's statements may take once it has a connection (default 10 s).
    pub fn with_query_timeout(mut self, timeout: Duration) -> Self {
        self.query_timeout = timeout;
        self
    }

    /// The encryption of the connection.
    pub fn ssl_mode(&self) -> SslMode {
        self.ssl_mode
    }

    /// Where the password came from.
    pub fn password_source(&self) -> &PasswordSource {
        &self.password_source
    }

    /// The most connections kept.
    pub fn pool_max_size(&self) -> usize {
        self.pool_max_size
    }

    /// How long a store call waits for a connection.
    pub fn pool_timeout(&self) -> Duration {
        self.pool_timeout
    }

    /// How long a store call's statements may take.
    pub fn query_timeout(&self) -> Duration {
        self.query_timeout
    }

    pub(super) fn root_cert(&self) -> Option<&RootCert> {
        self.root_cert.as_ref()
    }

    /// The driver's settings, with the server told to cancel any statement past
    /// [`PostgresConfig::query_timeout`] (`statement_timeout`), unless the URL's
    /// `options` set one: a call the store gave up on never finishes later.
    pub(super) fn driver_config(&self) -> tokio_postgres::Config {
        let mut driver = self.driver.clone();
        let options = driver.get_options().unwrap_or_default().to_owned();
        if !options.contains("statement_timeout") {
            let ms = self.query_timeout.as_millis().max(1);
            driver.options(format!("{options} -c statement_timeout={ms}").trim_start());
        }
        driver
    }
}

impl fmt::Display for PostgresConfig {
    /// The URL with its password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for PostgresConfig {
    /// Never shows the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresConfig")
            .field("url", &self.redacted)
            .field("ssl_mode", &self.ssl_mode)
            .field("password_source", &self.password_source)
            .field("pool_max_size", &self.pool_max_size)
            .field("pool_timeout", &self.pool_timeout)
            .field("query_timeout", &self.query_timeout)
            .finish_non_exhaustive()
    }
}

/// The URL `url` with the password of its user information and of any `password`
/// parameter replaced by `***`; what may be shown or logged of a database URL.
///
/// ```
/// use jot_issuer::store::redact_url;
///
/// assert_eq!(redact_url("postgres://jot:pw@db/jot"), "postgres://jot:***@db/jot");
/// assert_eq!(redact_url("postgres://db/jot?user=jot&password=pw"), "postgres://db/jot?user=jot&password=***");
/// assert_eq!(redact_url("postgres://jot@db/jot"), "postgres://jot@db/jot");
/// ```
pub fn redact_url(url: &str) -> String {
    redact(url)
}

fn redact(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        // The last `@` ends the user information even if the password holds an
        // unescaped `@` or `/`.
        Some((scheme, rest)) => match rest.rfind('@') {
            Some(at) => match rest[..at].split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
                None => base.to_owned(),
            },
            None => base.to_owned(),
        },
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if decode(key).is_ok_and(|k| k == "password") => {
                    format!("{key}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// The parameters jot reads itself (the driver does not know them).
#[derive(Default)]
struct Own {
    ssl_mode: Option<SslMode>,
    root_cert: Option<RootCert>,
    password_file: Option<PathBuf>,
    passfile: Option<PathBuf>,
    pool_max_size: Option<usize>,
    pool_timeout: Option<Duration>,
    query_timeout: Option<Duration>,
}

impl Own {
    /// Takes `key=value` if it is one of jot's parameters.
    fn take(&mut self, key: &str, value: &str) -> Result<bool, PostgresError> {
        let bad = |reason| PostgresError::InvalidParameter {
            name: key.to_owned(),
            reason,
        };
        match key {
            "sslmode" => {
                self.ssl_mode = Some(match value {
                    "disable" => SslMode::Disable,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    "allow" | "prefer" => {
                        return Err(bad(
                            "allow and prefer fall back to plain text for anyone on the path: \
                             use require, verify-ca or verify-full (or disable)",
                        ));
                    }
                    _ => return Err(bad("expected disable, require, verify-ca or verify-full")),
                });
            }
            "sslrootcert" => {
                self.root_cert = Some(match value {
                    "" => return Err(bad("an empty path")),
                    "system" => RootCert::System,
                    path => RootCert::File(PathBuf::from(path)),
                });
            }
            "password_file" | "passfile" if value.is_empty() => return Err(bad("an empty path")),
            "password_file" => self.password_file = Some(PathBuf::from(value)),
            "passfile" => self.passfile = Some(PathBuf::from(value)),
            "pool_max_size" => {
                self.pool_max_size = Some(
                    value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or_else(|| bad("expected a number of connections from 1 to 10000"))?,
                );
            }
            "pool_timeout" => self.pool_timeout = Some(seconds(value).ok_or_else(|| bad(SECONDS))?),
            "query_timeout" => {
                self.query_timeout = Some(seconds(value).ok_or_else(|| bad(SECONDS))?);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

const SECONDS: &str = "expected seconds, more than 0 and at most 3600 (e.g. 5 or 0.5)";

/// Seconds, possibly fractional, in (0, 3600].
fn seconds(text: &str) -> Option<Duration> {
    let secs: f64 = text.parse().ok()?;
    (secs > 0.0 && secs <= 3600.0).then(|| Duration::from_secs_f64(secs))
}

/// Sets the password from the first source that has one; says which.
fn password(
    driver: &mut tokio_postgres::Config,
    ours: &Own,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<PasswordSource, PostgresError> {
    if driver.get_password().is_some() {
        if ours.password_file.is_some() {
            return Err(PostgresError::InvalidParameter {
                name: "password_file".into(),
                reason: "the URL has a password already",
            });
        }
        return Ok(PasswordSource::Url);
    }
    if let Some(path) = &ours.password_file {
        let text = read(path)?;
        let password = text.lines().next().unwrap_or_default();
        driver.password(password);
        return Ok(PasswordSource::PasswordFile(path.clone()));
    }
    if let Some(password) = env("PGPASSWORD") {
        driver.password(password);
        return Ok(PasswordSource::Environment);
    }
    let passfile = ours
        .passfile
        .clone()
        .or_else(|| env("PGPASSFILE").map(PathBuf::from));
    if let Some(path) = passfile {
        check_private(&path)?;
        if let Some(password) = passfile_lookup(&read(&path)?, driver) {
            driver.password(password);
            return Ok(PasswordSource::Passfile(path));
        }
    }
    Ok(PasswordSource::None)
}

fn read(path: &Path) -> Result<String, PostgresError> {
    std::fs::read_to_string(path).map_err(|source| PostgresError::PasswordFile {
        path: path.to_path_buf(),
        source,
    })
}

/// libpq ignores a password file that others may read; jot refuses it, saying why.
fn check_private(path: &Path) -> Result<(), PostgresError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = std::fs::metadata(path).map_err(|source| PostgresError::PasswordFile {
            path: path.to_path_buf(),
            source,
        })?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(PostgresError::PasswordFileNotPrivate {
                path: path.to_path_buf(),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The password of the first line of a libpq password file matching the
/// connection's first host, port, database and user (`*` matches anything; `\`
/// escapes `:` and `\`).
fn passfile_lookup(text: &str, driver: &tokio_postgres::Config) -> Option<String> {
    let host = match driver.get_hosts().first()? {
        Host::Tcp(host) => host.clone(),
        #[cfg(unix)]
        Host::Unix(_) => "localhost".to_owned(),
    };
    let port = driver
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = driver.get_user()?;
    let database = driver.get_dbname().unwrap_or(user);
    let wanted = [host.as_str(), port.as_str(), database, user];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = passfile_fields(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

fn passfile_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

/// Whether a host is this machine: a Unix socket, `localhost` or a loopback address.
fn is_local(host: &Host) -> bool {
    match host {
        Host::Tcp(name) => {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    }
}

/// Percent-decoding of a URL component (`+` stays `+`, as libpq reads URLs).
fn decode(text: &str) -> Result<String, PostgresError> {
    let bad = || PostgresError::InvalidParameter {
        name: text.to_owned(),
        reason: "bad percent-encoding",
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
            let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<PostgresConfig, PostgresError> {
        PostgresConfig::from_url_with_env(url, |_| None)
    }

    #[test]
    fn tls_defaults_to_plain_only_on_this_machine() {
        for (url, mode) in [
            ("postgres://u@localhost/db", SslMode::Disable),
            ("postgres://u@127.0.0.1:5433/db", SslMode::Disable),
            ("postgres://u@[::1]/db", SslMode::Disable),
            ("postgres://u@%2Frun%2Fpostgresql/db", SslMode::Disable),
            (
                "postgres:///db?host=/run/postgresql&user=u",
                SslMode::Disable,
            ),
            ("postgres://u@db.example.com/db", SslMode::VerifyFull),
            (
                "postgres://u@localhost,db.example.com/db",
                SslMode::VerifyFull,
            ),
            (
                "postgres://u@db.example.com/db?sslmode=require",
                SslMode::Require,
            ),
            (
                "postgres://u@db.example.com/db?sslmode=verify-ca",
                SslMode::VerifyCa,
            ),
            (
                "postgres://u@db.example.com/db?sslmode=disable",
                SslMode::Disable,
            ),
            (
                "postgresql://u@localhost/db?sslmode=verify-full",
                SslMode::VerifyFull,
            ),
        ] {
            assert_eq!(parse(url).unwrap().ssl_mode(), mode, "{url}");
        }
        for mode in ["prefer", "allow", "bogus"] {
            let err = parse(&format!("postgres://u@db/x?sslmode={mode}")).unwrap_err();
            assert!(
                matches!(err, PostgresError::InvalidParameter { ref name, .. } if name == "sslmode"),
                "{err}"
            );
        }
    }

    #[test]
    fn jot_parameters_are_read_and_the_rest_reach_the_driver() {
        let config = parse(
            "postgres://u@h/db?pool_max_size=3&application_name=x&pool_timeout=0.5&query_timeout=7&connect_timeout=2&sslrootcert=system",
        )
        .unwrap();
        assert_eq!(config.pool_max_size(), 3);
        assert_eq!(config.pool_timeout(), Duration::from_millis(500));
        assert_eq!(config.query_timeout(), Duration::from_secs(7));
        assert_eq!(config.driver.get_application_name(), Some("x"));
        assert_eq!(
            config.driver.get_connect_timeout(),
            Some(&Duration::from_secs(2))
        );
        assert_eq!(config.root_cert(), Some(&RootCert::System));
        // Without connect_timeout, the pool's wait bounds the connection too.
        let config = parse("postgres://u@h/db").unwrap();
        assert_eq!(
            config.driver.get_connect_timeout(),
            Some(&DEFAULT_POOL_TIMEOUT)
        );
        assert_eq!(config.driver.get_application_name(), Some("jot"));
        assert_eq!(
            config.driver_config().get_options(),
            Some("-c statement_timeout=10000")
        );
        let config = parse("postgres://u@h/db?options=-c%20search_path%3Djot")
            .unwrap()
            .with_query_timeout(Duration::from_millis(1500));
        assert_eq!(
            config.driver_config().get_options(),
            Some("-c search_path=jot -c statement_timeout=1500")
        );
        let config = parse("postgres://u@h/db?options=-c%20statement_timeout%3D0").unwrap();
        assert_eq!(
            config.driver_config().get_options(),
            Some("-c statement_timeout=0")
        );
        for bad in [
            "pool_max_size=0",
            "pool_max_size=x",
            "pool_timeout=0",
            "query_timeout=-1",
            "query_timeout=NaN",
            "pool_timeout=99999",
            "password_file=",
        ] {
            assert!(
                matches!(
                    parse(&format!("postgres://u@h/db?{bad}")),
                    Err(PostgresError::InvalidParameter { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            parse("postgres://u@h/db?no_such_option=1"),
            Err(PostgresError::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse("mysql://u@h/db"),
            Err(PostgresError::NotPostgresUrl)
        ));
        assert!(matches!(
            parse("postgres://h/db"),
            Err(PostgresError::InvalidParameter { ref name, .. }) if name == "user"
        ));
    }

    #[test]
    fn passwords_come_from_the_url_a_file_the_environment_or_a_passfile() {
        let dir = tempfile::tempdir().unwrap();
        let env = |name: &str| (name == "PGPASSWORD").then(|| "from-env".to_owned());
        let config = PostgresConfig::from_url_with_env("postgres://u:p%40ss@h/db", env).unwrap();
        assert_eq!(config.password_source(), &PasswordSource::Url);
        assert_eq!(config.driver.get_password(), Some(&b"p@ss"[..]));

        let file = dir.path().join("pw");
        std::fs::write(&file, "from-file\nignored\n").unwrap();
        let url = format!("postgres://u@h/db?password_file={}", file.display());
        let config = PostgresConfig::from_url_with_env(&url, env).unwrap();
        assert_eq!(
            config.password_source(),
            &PasswordSource::PasswordFile(file.clone())
        );
        assert_eq!(config.driver.get_password(), Some(&b"from-file"[..]));
        assert!(
            !config.to_string().contains("from-file") && !format!("{config:?}").contains("from")
        );
        assert!(matches!(
            parse(&format!(
                "postgres://u:x@h/db?password_file={}",
                file.display()
            )),
            Err(PostgresError::InvalidParameter { .. })
        ));
        assert!(matches!(
            parse("postgres://u@h/db?password_file=/no/such/file"),
            Err(PostgresError::PasswordFile { .. })
        ));

        let config = PostgresConfig::from_url_with_env("postgres://u@h/db", env).unwrap();
        assert_eq!(config.password_source(), &PasswordSource::Environment);
        assert_eq!(config.driver.get_password(), Some(&b"from-env"[..]));

        let passfile = dir.path().join("pgpass");
        std::fs::write(
            &passfile,
            "# comment\nother:5432:db:u:wrong\nh:5432:db:u:pa\\:ss\n*:*:*:*:any\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o644)).unwrap();
            let url = format!("postgres://u@h/db?passfile={}", passfile.display());
            assert!(matches!(
                parse(&url),
                Err(PostgresError::PasswordFileNotPrivate { .. })
            ));
            std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let from_var =
            |name: &str| (name == "PGPASSFILE").then(|| passfile.to_string_lossy().into_owned());
        let config = PostgresConfig::from_url_with_env("postgres://u@h/db", from_var).unwrap();
        assert_eq!(
            config.password_source(),
            &PasswordSource::Passfile(passfile.clone())
        );
        assert_eq!(config.driver.get_password(), Some(&b"pa:ss"[..]));
        let config = PostgresConfig::from_url_with_env("postgres://v@h2/x", from_var).unwrap();
        assert_eq!(config.driver.get_password(), Some(&b"any"[..]));

        let config = parse("postgres://u@h/db").unwrap();
        assert_eq!(config.password_source(), &PasswordSource::None);
    }

    #[test]
    fn urls_are_shown_without_their_password() {
        for (url, shown) in [
            ("postgres://u:secret@h/db", "postgres://u:***@h/db"),
            ("postgres://u:se@c/ret@h:5/db", "postgres://u:***@h:5/db"),
            (
                "postgres://u@h/db?password=secret&sslmode=require",
                "postgres://u@h/db?password=***&sslmode=require",
            ),
            (
                "postgres://u@h/db?pass%77ord=secret",
                "postgres://u@h/db?pass%77ord=***",
            ),
            ("postgres://h/db", "postgres://h/db"),
        ] {
            assert_eq!(redact(url), shown);
        }
        let config = parse("postgres://u:secret@h/db?sslmode=disable").unwrap();
        assert!(!format!("{config} {config:?}").contains("secret"));
    }
}

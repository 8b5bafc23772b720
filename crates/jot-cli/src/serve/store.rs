//! [`StoreLocation`]: where `jot serve`, `jot user` and `jot rotate-key` keep the
//! issuer's state — a data directory (the default) or a PostgreSQL database.
//!
//! The database comes from `--store postgres://…`, else (when no `--data-dir` is
//! given) from the `JOT_DATABASE_URL` environment variable, else from the config
//! file's `store = "postgres://…"` (`jot serve`). Its password is never printed:
//! the location shows as the URL with the password replaced by `***`.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use jot_issuer::store::{FileStore, IssuerStore, StoreError};
use jot_issuer::store::{PostgresStore, redact_url};

use super::ServeError;
use super::config::DEFAULT_DATA_DIR;

/// The environment variable that names the database when no flag does.
pub(crate) const DATABASE_URL_ENV: &str = "JOT_DATABASE_URL";

/// Where the issuer's state lives.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum StoreLocation {
    /// A data directory ([`FileStore`]).
    Dir(PathBuf),
    /// A PostgreSQL URL ([`PostgresStore`]).
    Postgres(String),
}

impl StoreLocation {
    /// A `--store` value: a PostgreSQL URL.
    pub(crate) fn from_url(url: &str) -> Result<StoreLocation, ServeError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(StoreLocation::Postgres(url.to_owned()))
        } else {
            Err(ServeError::Setting {
                setting: "store",
                reason: "expected a PostgreSQL URL (postgres://USER@HOST/DATABASE); \
                         a data directory is --data-dir"
                    .into(),
            })
        }
    }

    /// The location of a data command: `--store`, else `--data-dir`, else
    /// `JOT_DATABASE_URL` (`env`), else `./jot-data`.
    pub(crate) fn choose(
        store: Option<&str>,
        data_dir: Option<PathBuf>,
        env: Option<String>,
    ) -> Result<StoreLocation, ServeError> {
        match (store, data_dir, env.filter(|url| !url.is_empty())) {
            (Some(url), _, _) => StoreLocation::from_url(url),
            (None, Some(dir), _) => Ok(StoreLocation::Dir(dir)),
            (None, None, Some(url)) => StoreLocation::from_url(&url),
            (None, None, None) => Ok(StoreLocation::Dir(PathBuf::from(DEFAULT_DATA_DIR))),
        }
    }

    /// [`StoreLocation::choose`] with the process's `JOT_DATABASE_URL`.
    pub(crate) fn from_args(
        store: Option<&str>,
        data_dir: Option<PathBuf>,
    ) -> Result<StoreLocation, ServeError> {
        StoreLocation::choose(store, data_dir, std::env::var(DATABASE_URL_ENV).ok())
    }

    /// Opens the store: the directory is created if missing; the database must
    /// exist (its tables are created or migrated).
    pub(crate) async fn open(&self) -> Result<Arc<dyn IssuerStore>, ServeError> {
        Ok(match self {
            StoreLocation::Dir(dir) => Arc::new(FileStore::open(dir)?),
            StoreLocation::Postgres(url) => Arc::new(PostgresStore::connect(url).await?),
        })
    }

    /// Opens the store of an existing issuer and creates nothing: the data
    /// directory must be one `jot serve` made ([`FileStore::open_existing`]); a
    /// database is opened as by [`StoreLocation::open`]. For the data commands
    /// (`jot rotate-key`), where a mistyped path must not start a new issuer.
    pub(crate) async fn open_existing(&self) -> Result<Arc<dyn IssuerStore>, ServeError> {
        match self {
            StoreLocation::Dir(dir) => match FileStore::open_existing(dir) {
                Ok(store) => Ok(Arc::new(store)),
                Err(StoreError::NotAStore { .. }) => Err(ServeError::NoIssuer {
                    location: self.to_string(),
                    reason: "no data directory",
                }),
                Err(e) => Err(e.into()),
            },
            StoreLocation::Postgres(_) => self.open().await,
        }
    }
}

impl fmt::Display for StoreLocation {
    /// The directory, or the URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Dir(dir) => write!(f, "{}", dir.display()),
            StoreLocation::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

impl fmt::Debug for StoreLocation {
    /// As shown: never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Dir(_) => write!(f, "Dir({self})"),
            StoreLocation::Postgres(_) => write!(f, "Postgres({self})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_environment_and_the_default_is_the_data_directory() {
        let url = "postgres://jot:pw@db/jot".to_owned();
        let choose = |store, dir: Option<&str>, env: Option<&str>| {
            StoreLocation::choose(store, dir.map(PathBuf::from), env.map(str::to_owned)).unwrap()
        };
        assert_eq!(
            choose(Some(&url), None, Some("postgres://other@x/y")),
            StoreLocation::Postgres(url.clone())
        );
        assert_eq!(
            choose(None, Some("d"), Some(&url)),
            StoreLocation::Dir("d".into())
        );
        assert_eq!(
            choose(None, None, Some(&url)),
            StoreLocation::Postgres(url.clone())
        );
        assert_eq!(
            choose(None, None, Some("")),
            StoreLocation::Dir(DEFAULT_DATA_DIR.into())
        );
        assert_eq!(
            choose(None, None, None),
            StoreLocation::Dir(DEFAULT_DATA_DIR.into())
        );
        assert!(matches!(
            StoreLocation::choose(Some("/var/lib/jot"), None, None),
            Err(ServeError::Setting {
                setting: "store",
                ..
            })
        ));
        assert!(StoreLocation::choose(None, None, Some("mysql://x".into())).is_err());
    }

    #[test]
    fn the_config_file_names_a_directory_or_a_database_and_flags_win() {
        use crate::serve::ServeConfig;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jot.toml");
        let url = "postgres://jot@db.example.com/jot";
        let resolve = |config: ServeConfig, text: &str| {
            std::fs::write(&path, text).unwrap();
            config.config_file(&path).resolve()
        };
        let store = format!("store = \"{url}\"\n");
        let config = resolve(ServeConfig::new(), &store).unwrap();
        assert_eq!(
            (config.store.as_deref(), config.data_dir),
            (Some(url), None)
        );
        // A flag's directory or database wins over the file's.
        let config = resolve(ServeConfig::new().data_dir("flag"), &store).unwrap();
        assert_eq!(
            (config.store, config.data_dir),
            (None, Some(PathBuf::from("flag")))
        );
        let config = resolve(
            ServeConfig::new().store_url("postgres://other@x/y"),
            "data_dir = \"data\"\n",
        )
        .unwrap();
        assert_eq!(
            (config.store.as_deref(), config.data_dir),
            (Some("postgres://other@x/y"), None)
        );
        assert!(matches!(
            resolve(ServeConfig::new(), &format!("{store}data_dir = \"data\"\n")),
            Err(ServeError::Config { .. })
        ));
    }

    #[test]
    fn a_database_url_is_shown_without_its_password() {
        let location = StoreLocation::Postgres("postgresql://jot:hunter2@db:5432/jot".into());
        assert_eq!(location.to_string(), "postgresql://jot:***@db:5432/jot");
        assert!(!format!("{location:?}").contains("hunter2"));
        assert_eq!(
            StoreLocation::Dir("/srv/jot".into()).to_string(),
            "/srv/jot"
        );
    }
}

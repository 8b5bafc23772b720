//! [`PostgresError`]: why a [`PostgresStore`](super::PostgresStore) could not be
//! opened or a call failed, and how that becomes a [`StoreError`].

use std::path::PathBuf;
use std::time::Duration;

use crate::store::StoreError;

type Source = Box<dyn std::error::Error + Send + Sync>;

/// Why a [`PostgresStore`](super::PostgresStore) could not be opened, or a call on
/// it failed. None of them shows a password. The message includes the driver's
/// whole chain of causes (its own `Display` leaves them out), so one log line
/// says what happened; [`source`](std::error::Error::source) is the driver's error.
///
/// Store calls return [`StoreError`]: a database that cannot be reached, a
/// connection wait or a statement past its time limit become
/// [`StoreError::Unavailable`] (try again later), anything else
/// [`StoreError::Backend`]; both carry this error as their source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostgresError {
    /// The URL does not start with `postgres://` or `postgresql://`.
    #[error("not a PostgreSQL URL (postgres://USER@HOST/DATABASE)")]
    NotPostgresUrl,
    /// The driver could not read the URL.
    #[error("invalid PostgreSQL URL: {}", chain(.source))]
    InvalidUrl {
        /// The driver's error.
        source: Source,
    },
    /// A parameter of the URL is missing or unusable.
    #[error("PostgreSQL URL parameter {name}: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A password file could not be read.
    #[error("password file {path}: {source}")]
    PasswordFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A libpq password file that others may read (libpq ignores it; jot refuses).
    #[error("password file {path} may be read by others: chmod 600 it")]
    PasswordFileNotPrivate {
        /// The file.
        path: PathBuf,
    },
    /// The trusted root certificates could not be loaded.
    #[error("TLS roots {path}: {}", chain(.source))]
    TlsRoots {
        /// The `sslrootcert` file, or `system`.
        path: PathBuf,
        /// What failed.
        source: Source,
    },
    /// The TLS client could not be configured.
    #[error("TLS configuration: {}", chain(.source))]
    Tls {
        /// rustls' error.
        source: Source,
    },
    /// No connection could be made (refused, unreachable, TLS or authentication failed).
    #[error("cannot connect to PostgreSQL: {}", chain(.source))]
    Connect {
        /// The driver's error.
        source: Source,
    },
    /// No connection became available within the pool's wait limit.
    #[error("no PostgreSQL connection within {waited:?}")]
    PoolTimeout {
        /// The limit.
        waited: Duration,
    },
    /// A call's statements took longer than the limit.
    #[error("a PostgreSQL call took longer than {limit:?}")]
    QueryTimeout {
        /// The limit.
        limit: Duration,
    },
    /// The connection broke, or the server is shutting down or refusing connections.
    #[error("PostgreSQL connection lost: {}", chain(.source))]
    ConnectionLost {
        /// The driver's error.
        source: Source,
    },
    /// A statement failed.
    #[error("PostgreSQL: {}", chain(.source))]
    Query {
        /// The driver's error.
        source: Source,
    },
    /// The database's schema is newer than this version of jot knows; nothing was changed.
    #[error(
        "the database schema is version {found}, newer than this jot's {supported}: \
         run a newer jot (the database was left untouched)"
    )]
    SchemaTooNew {
        /// The version in `jot_schema`.
        found: i32,
        /// The newest this version of jot knows.
        supported: i32,
    },
    /// A migration failed; it was rolled back with every other of the same start.
    #[error("schema migration {version} ({name}) failed: {}", chain(.source))]
    Migration {
        /// Its version.
        version: i32,
        /// Its name.
        name: &'static str,
        /// The driver's error.
        source: Source,
    },
}

impl PostgresError {
    /// Whether trying again later may succeed (the database or the network is down,
    /// or busy), as opposed to a mistake that stays.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            PostgresError::Connect { .. }
                | PostgresError::PoolTimeout { .. }
                | PostgresError::QueryTimeout { .. }
                | PostgresError::ConnectionLost { .. }
        )
    }

    /// A driver error of a statement: [`PostgresError::ConnectionLost`] when the
    /// connection is gone or the server will not serve, else [`PostgresError::Query`].
    pub(super) fn driver(error: tokio_postgres::Error) -> PostgresError {
        if connection_failure(&error) {
            PostgresError::ConnectionLost {
                source: Box::new(error),
            }
        } else {
            PostgresError::Query {
                source: Box::new(error),
            }
        }
    }
}

impl From<PostgresError> for StoreError {
    fn from(error: PostgresError) -> StoreError {
        if error.is_unavailable() {
            StoreError::Unavailable {
                source: Box::new(error),
            }
        } else {
            StoreError::Backend(Box::new(error))
        }
    }
}

/// `error: cause: cause…`, as one line.
fn chain(error: &Source) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let cause_text = cause.to_string();
        // Some errors repeat their cause in their own message.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        next = cause.source();
    }
    text
}

/// SQLSTATE classes and codes that mean "not now" rather than "never": connection
/// exceptions (08), insufficient resources (53), operator intervention (57: admin
/// or crash shutdown, cannot connect now, query cancelled).
fn connection_failure(error: &tokio_postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    if let Some(code) = error.code() {
        let code = code.code();
        return code.starts_with("08") || code.starts_with("53") || code.starts_with("57");
    }
    // An I/O error under the driver's: the socket broke.
    std::error::Error::source(error).is_some_and(|s| s.is::<std::io::Error>())
}

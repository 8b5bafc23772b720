//! `jot serve`, `jot rotate-key` and `jot rotate-kek`: the program around the embeddable issuer of
//! `jot_issuer`: the config file, the listening socket, the banner, signals.

mod config;
mod connections;
pub(crate) mod kek;
mod operate;
mod server;
mod store;
#[cfg(test)]
mod tests;
mod tls;
mod users;

use std::path::PathBuf;

pub(crate) use config::{ClientSpec, RegistrationToken, ServeConfig};
pub(crate) use connections::{LimitSettings, check_max_connections};
pub(crate) use operate::{LogFormat, init_logging};
pub(crate) use server::{rotate_kek_blocking, rotate_key_blocking, serve_blocking};
pub(crate) use store::StoreLocation;
pub(crate) use tls::TlsFiles;
pub(crate) use users::{UserSpec, random_password};

/// Why `jot serve` or `jot rotate-key` failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ServeError {
    /// The issuer refused (its store, its keys, a configured client).
    #[error(transparent)]
    Issuer(#[from] jot_issuer::IssuerError),
    /// The data directory could not be opened.
    #[error(transparent)]
    Store(#[from] jot_issuer::store::StoreError),
    /// The PostgreSQL database could not be opened (never shows its password). Its
    /// message already holds the driver's causes: not a `source`, so `{:#}` does
    /// not print them twice.
    #[error("{0}")]
    Postgres(jot_issuer::store::PostgresError),
    /// The configuration file could not be read or parsed.
    #[error("config file {path}: {reason}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A setting is invalid (a command-line value, an environment variable).
    #[error("invalid setting {setting}: {reason}")]
    Setting {
        /// The setting's name.
        setting: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The store keeps private keys sealed (PostgreSQL) and no key-encryption key
    /// was given.
    #[error(
        "{store}: a PostgreSQL store keeps the private signing keys sealed with a key-encryption key (KEK), and none was given: {}",
        kek::HOW_TO_MAKE_ONE
    )]
    KekRequired {
        /// The store, shown without its password.
        store: String,
    },
    /// A key-encryption key is not one.
    #[error("the key-encryption key in {from}: {reason}")]
    Kek {
        /// Where it came from (a file, an environment variable).
        from: String,
        /// What is wrong (shown in the message, not as a source: printed once).
        reason: jot_issuer::kek::KekError,
    },
    /// A key-encryption key file could not be read.
    #[error("the key-encryption key file {path}: {reason}")]
    KekFile {
        /// The file.
        path: PathBuf,
        /// The I/O error (shown in the message, not as a source: printed once).
        reason: std::io::Error,
    },
    /// A data command (`jot rotate-key`) found no issuer where it was pointed:
    /// only `jot serve` creates one.
    #[error(
        "no issuer at {location} ({reason}): start `jot serve` on it once, or pass --data-dir or --store"
    )]
    NoIssuer {
        /// The data directory or database, as shown.
        location: String,
        /// What is missing.
        reason: &'static str,
    },
    /// The current signing key lost its private key and `jot serve` was not told
    /// to replace it.
    #[error(
        "the current signing key {kid:?} has lost its private key: restore it, or rotate to a new key \
         (start with --replace-missing-key, or replace_missing_key = true in the config file, \
         or run `jot rotate-key --now`)"
    )]
    MissingPrivateKey {
        /// The key's `kid`.
        kid: String,
    },
    /// The TLS certificate or key could not be used.
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
    /// The Tokio runtime could not be started.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The listening socket could not be bound or served.
    #[error("{addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl From<jot_issuer::store::PostgresError> for ServeError {
    fn from(error: jot_issuer::store::PostgresError) -> Self {
        ServeError::Postgres(error)
    }
}

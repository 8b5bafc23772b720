//! TLS for `jot serve` (rustls on ring, HTTP/1.1): a PEM certificate chain and
//! its private key ([`TlsFiles`]), served through a [`ReloadingCert`] that
//! `watch` swaps when either file changes. A new pair that does not load is
//! logged as an error and the one in use is kept.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// How often `watch` looks at the files' modification times.
pub(crate) const POLL: Duration = Duration::from_secs(2);

/// The certificate chain and private key files (PEM) `jot serve` serves TLS with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TlsFiles {
    /// The certificate chain, the server's own certificate first.
    pub(crate) cert: PathBuf,
    /// The private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC).
    pub(crate) key: PathBuf,
}

/// Why a certificate and key pair could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TlsError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The certificate file holds no PEM certificate, or a broken one.
    #[error("{path}: no PEM certificate ({reason})")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What the PEM parser said.
        reason: rustls::pki_types::pem::Error,
    },
    /// The key file holds no PEM private key, or a broken one.
    #[error("{path}: no PEM private key (PKCS#8, PKCS#1 or SEC1) ({reason})")]
    Key {
        /// The file.
        path: PathBuf,
        /// What the PEM parser said.
        reason: rustls::pki_types::pem::Error,
    },
    /// The key is not usable, or is not the certificate's.
    #[error("{cert} and {key}: {reason}")]
    Pair {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// What rustls said.
        reason: rustls::Error,
    },
}

impl TlsFiles {
    /// Reads and checks the pair: the key must be the first certificate's.
    pub(crate) fn load(&self, provider: &CryptoProvider) -> Result<CertifiedKey, TlsError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| TlsError::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        let (cert_pem, key_pem) = (read(&self.cert)?, read(&self.key)?);
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .and_then(|chain| {
                if chain.is_empty() {
                    Err(rustls::pki_types::pem::Error::NoItemsFound)
                } else {
                    Ok(chain)
                }
            })
            .map_err(|reason| TlsError::Certificate {
                path: self.cert.clone(),
                reason,
            })?;
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|reason| TlsError::Key {
            path: self.key.clone(),
            reason,
        })?;
        CertifiedKey::from_der(chain, key, provider).map_err(|reason| TlsError::Pair {
            cert: self.cert.clone(),
            key: self.key.clone(),
            reason,
        })
    }

    /// When each file was last modified (`None` where it cannot be read).
    fn stamps(&self) -> [Option<SystemTime>; 2] {
        let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
        [modified(&self.cert), modified(&self.key)]
    }
}

/// The certificate presented to every client, replaced in place on reload.
#[derive(Debug)]
pub(crate) struct ReloadingCert {
    current: RwLock<Arc<CertifiedKey>>,
}

impl ReloadingCert {
    /// Presents `first` until [`ReloadingCert::replace`].
    pub(crate) fn new(first: CertifiedKey) -> ReloadingCert {
        ReloadingCert {
            current: RwLock::new(Arc::new(first)),
        }
    }

    /// Presents `next` to the handshakes that begin from now on.
    pub(crate) fn replace(&self, next: CertifiedKey) {
        // A poisoned lock still holds a whole Arc: writing over it is sound.
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(next);
    }

    /// The certificate presented now.
    pub(crate) fn current(&self) -> Arc<CertifiedKey> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// The TLS side of `jot serve`: the server configuration and what keeps its
/// certificate fresh.
#[derive(Debug)]
pub(crate) struct Tls {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    cert: Arc<ReloadingCert>,
    config: Arc<ServerConfig>,
    /// The files' modification times before the pair in use was read.
    loaded: [Option<SystemTime>; 2],
}

impl Tls {
    /// Loads the pair (an error if it does not load) and builds the server
    /// configuration: TLS 1.2 and 1.3 on ring, HTTP/1.1 only.
    pub(crate) fn load(files: TlsFiles) -> Result<Tls, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        // Read before the files: a change while they are read is seen by `watch`.
        let loaded = files.stamps();
        let cert = Arc::new(ReloadingCert::new(files.load(&provider)?));
        let mut config = ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            // The ring provider supports the safe default versions.
            .map_err(|reason| TlsError::Pair {
                cert: files.cert.clone(),
                key: files.key.clone(),
                reason,
            })?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(&cert) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            files,
            provider,
            cert,
            config: Arc::new(config),
            loaded,
        })
    }

    /// The configuration every handshake uses.
    pub(crate) fn config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.config)
    }

    /// Reloads the pair whenever either file's modification time changes, every
    /// `every`, until dropped (abort the task). A pair that does not load is
    /// logged as an error and the certificate in use is kept; it is tried again
    /// when a file changes again.
    pub(crate) async fn watch(self: Arc<Self>, every: Duration) {
        let mut seen = self.loaded;
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            // Read before the files, like `loaded`.
            let now = self.files.stamps();
            if now == seen {
                continue;
            }
            seen = now;
            self.reload();
        }
    }

    /// Loads the pair again: the new one is presented if it loads; otherwise the
    /// error is logged and the old one kept.
    fn reload(&self) {
        match self.files.load(&self.provider) {
            Ok(next) => {
                self.cert.replace(next);
                tracing::info!(
                    target: "jot::serve",
                    cert = %self.files.cert.display(),
                    "TLS certificate reloaded"
                );
            }
            Err(error) => tracing::error!(
                target: "jot::serve",
                %error,
                "the new TLS certificate or key does not load: the previous one is kept"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_empty_files_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let provider = rustls::crypto::ring::default_provider();
        let files = TlsFiles {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        };
        assert!(matches!(files.load(&provider), Err(TlsError::Read { .. })));
        std::fs::write(&files.cert, "not a certificate\n").unwrap();
        std::fs::write(&files.key, "not a key\n").unwrap();
        let error = files.load(&provider).unwrap_err();
        assert!(matches!(error, TlsError::Certificate { .. }), "{error}");
    }
}

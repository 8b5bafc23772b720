//! [`JwksFile`]: a JWK Set read from a local file, reloadable on demand.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use jot_algorithms::{Algorithm, JwkSet, KeySet};
use jot_codec::UntrustedToken;

use super::prints::{Prints, prints_of};
use super::{ConfigError, FetchError, KeySource, Keys, KeysFuture};

/// A JWK Set from a local file. The file is trusted like configuration, so it may
/// hold HMAC (`oct`) keys. [`JwksFile::reload`] rereads it (e.g. on `SIGHUP` or from
/// an admin endpoint); a failed reload keeps the keys already loaded.
///
/// ```no_run
/// use jot_axum::JwksFile;
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let keys = JwksFile::load("/etc/myapp/jwks.json")?;
/// // ... later, after the file was replaced:
/// let count = keys.reload().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct JwksFile {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    assume: Vec<Algorithm>,
    /// The keys and their thumbprints, replaced together by a reload.
    keys: RwLock<(KeySet, Prints)>,
}

impl JwksFile {
    /// Reads and parses the file now (blocking; call it at start-up).
    pub fn load(path: impl AsRef<Path>) -> Result<JwksFile, ConfigError> {
        JwksFile::load_assuming(path, &[])
    }

    /// Like [`JwksFile::load`]; keys without `alg` whose algorithm their type does
    /// not imply (RSA, oct) get the first fitting algorithm of `assume`.
    pub fn load_assuming(
        path: impl AsRef<Path>,
        assume: &[Algorithm],
    ) -> Result<JwksFile, ConfigError> {
        let path = path.as_ref().to_path_buf();
        let bytes = std::fs::read(&path).map_err(|e| ConfigError::File(io(&e)))?;
        let keys = parse(&bytes, assume).map_err(ConfigError::File)?;
        let prints = prints_of(&keys);
        Ok(JwksFile {
            inner: Arc::new(Inner {
                path,
                assume: assume.to_vec(),
                keys: RwLock::new((keys, prints)),
            }),
        })
    }

    /// Rereads the file. On success the new keys replace the old and their number is
    /// returned; on failure the old keys stay.
    pub async fn reload(&self) -> Result<usize, FetchError> {
        let bytes = tokio::fs::read(&self.inner.path)
            .await
            .map_err(|e| io(&e))?;
        let keys = parse(&bytes, &self.inner.assume)?;
        let count = keys.len();
        let prints = prints_of(&keys);
        *self.inner.keys.write().unwrap_or_else(|e| e.into_inner()) = (keys, prints);
        tracing::info!(target: "jot_axum::jwks", path = %self.inner.path.display(), keys = count, "JWK Set file reloaded");
        Ok(count)
    }

    /// The keys held now.
    pub fn keys(&self) -> KeySet {
        self.held().0
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }
}

impl KeySource for JwksFile {
    fn keys_for<'a>(&'a self, _: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        let keys = self.printed();
        Box::pin(std::future::ready(Ok(keys)))
    }

    fn keys_now(&self, _: &UntrustedToken<'_>) -> Option<Keys> {
        Some(self.printed())
    }
}

impl JwksFile {
    fn held(&self) -> (KeySet, Prints) {
        // A poisoned lock still holds a whole pair (replaced by one assignment).
        let held = self.inner.keys.read().unwrap_or_else(|e| e.into_inner());
        (held.0.clone(), Arc::clone(&held.1))
    }

    fn printed(&self) -> Keys {
        let (keys, prints) = self.held();
        Keys::printed(keys, prints)
    }
}

fn parse(bytes: &[u8], assume: &[Algorithm]) -> Result<KeySet, FetchError> {
    let text = std::str::from_utf8(bytes).map_err(|_| FetchError::NotJson)?;
    let set = JwkSet::from_json(text).map_err(|_| {
        if serde_json::from_str::<serde_json::Value>(text).is_ok() {
            FetchError::NotJwkSet
        } else {
            FetchError::NotJson
        }
    })?;
    Ok(KeySet::from_jwk_set_assuming(&set, assume))
}

fn io(e: &std::io::Error) -> FetchError {
    FetchError::Io { kind: e.kind() }
}

//! Key sources: where the verification keys come from.
//!
//! Everything behind one trait, [`KeySource`]: static keys ([`VerifyingKey`],
//! [`KeySet`]), a local JWK Set file ([`JwksFile`]), a remote JWKS URL or an OIDC /
//! RFC 8414 issuer ([`RemoteJwks`]), and several issuers at once ([`MultiIssuer`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use jot_algorithms::{KeySet, VerifyingKey};
use jot_codec::{Algorithm, UntrustedToken, Verifier, VerifyError};

mod discovery;
mod fetch;
mod file;
mod multi;
mod prints;
mod remote;

pub use file::JwksFile;
pub use multi::MultiIssuer;
pub use remote::{JwksStats, RemoteJwks, RemoteJwksBuilder};

pub(crate) use fetch::is_loopback;
pub(crate) use prints::KeyPrint;
use prints::Prints;

/// The future a [`KeySource`] returns.
pub type KeysFuture<'a> = Pin<Box<dyn Future<Output = Result<Keys, KeySourceError>> + Send + 'a>>;

/// Gives the keys to verify one token with.
///
/// It is handed the parsed but **unverified** token, to read `kid`, `alg` or (for
/// [`MultiIssuer`]) the unverified `iss` — as lookup hints only: the keys it returns
/// decide which algorithms are accepted. Implementations must not hold a lock
/// across an `.await`.
///
/// ```
/// use jot_axum::{Keys, KeySource, KeySourceError, KeysFuture};
/// use jot_algorithms::{Algorithm, VerifyingKey};
/// use jot_codec::UntrustedToken;
///
/// /// Picks a key by the token's `kid` from two fixed keys.
/// struct TwoKeys { a: VerifyingKey, b: VerifyingKey }
///
/// impl KeySource for TwoKeys {
///     fn keys_for<'a>(&'a self, token: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
///         let key = match token.header().kid.as_deref() {
///             Some("b") => self.b.clone(),
///             _ => self.a.clone(),
///         };
///         Box::pin(async move { Ok(Keys::from(key)) })
///     }
/// }
/// ```
pub trait KeySource: Send + Sync + 'static {
    /// The keys for this token, or why there are none.
    fn keys_for<'a>(&'a self, token: &'a UntrustedToken<'a>) -> KeysFuture<'a>;

    /// The keys this source holds **now** for this token, without any I/O and
    /// without waiting: what [`keys_for`](KeySource::keys_for) would give if it
    /// fetched nothing.
    ///
    /// The verified-token cache ([`TokenCache`](crate::TokenCache)) asks on every
    /// hit, to check that the key which verified the cached token is still held: a
    /// key dropped from a key set must stop working at once, not when the cache
    /// entry lapses. `None` (the default) means the source cannot tell without I/O;
    /// the cache then calls [`keys_for`](KeySource::keys_for). A source whose
    /// `keys_for` may fetch or wait should implement this; one that wraps another
    /// source should forward it.
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, SigningKey};
    /// use jot_axum::KeySource;
    /// use jot_codec::UntrustedToken;
    ///
    /// let key = SigningKey::generate(Algorithm::ES256)?.with_kid("k1");
    /// let token = jot_algorithms::encode(&key, &jot_codec::Header::jwt(), &serde_json::json!({}))?;
    /// let keys = key.verifying_key().keys_now(&UntrustedToken::parse(&token)?);
    /// assert_eq!(keys.and_then(|k| k.has_kid("k1")), Some(true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn keys_now(&self, token: &UntrustedToken<'_>) -> Option<Keys> {
        let _ = token;
        None
    }
}

impl<K: KeySource + ?Sized> KeySource for Arc<K> {
    fn keys_for<'a>(&'a self, token: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        (**self).keys_for(token)
    }

    fn keys_now(&self, token: &UntrustedToken<'_>) -> Option<Keys> {
        (**self).keys_now(token)
    }
}

impl<K: KeySource + ?Sized> KeySource for Box<K> {
    fn keys_for<'a>(&'a self, token: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        (**self).keys_for(token)
    }

    fn keys_now(&self, token: &UntrustedToken<'_>) -> Option<Keys> {
        (**self).keys_now(token)
    }
}

/// One fixed key: HMAC secret or public key, for the one algorithm it was built for.
impl KeySource for VerifyingKey {
    fn keys_for<'a>(&'a self, _: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        let keys = Keys::from(self.clone());
        Box::pin(std::future::ready(Ok(keys)))
    }

    fn keys_now(&self, _: &UntrustedToken<'_>) -> Option<Keys> {
        Some(Keys::from(self.clone()))
    }
}

/// A fixed set of keys, chosen by `kid` (see [`KeySet`]).
impl KeySource for KeySet {
    fn keys_for<'a>(&'a self, _: &'a UntrustedToken<'a>) -> KeysFuture<'a> {
        let keys = Keys::from(self.clone());
        Box::pin(std::future::ready(Ok(keys)))
    }

    fn keys_now(&self, _: &UntrustedToken<'_>) -> Option<Keys> {
        Some(Keys::from(self.clone()))
    }
}

/// The keys a [`KeySource`] hands out for one token: cheap to clone, and a
/// [`Verifier`].
#[derive(Clone)]
pub struct Keys {
    inner: KeysInner,
    /// For a set: the thumbprint of each key, in set order, when the source
    /// computed them once for the set (else they are computed when needed).
    prints: Option<Prints>,
}

#[derive(Clone)]
enum KeysInner {
    Key(VerifyingKey),
    PerAlgorithm(Arc<[VerifyingKey]>),
    Set(KeySet),
    Custom(Arc<dyn Verifier + Send + Sync>),
}

impl Keys {
    /// Fixed keys, each bound to its own algorithm: one RSA key for RS256 and for
    /// PS256, say. The token's `alg` picks the first key built for it (none:
    /// [`VerifyError::AlgorithmNotAllowed`]); that key then verifies as a lone
    /// [`VerifyingKey`] does, so a token `kid` must match the key's only when the key
    /// has one. (A [`KeySet`] instead refuses a token whose `kid` no key bears.)
    ///
    /// ```
    /// use jot_algorithms::{Algorithm, Signer, SigningKey, Verifier, VerifyError};
    /// use jot_axum::Keys;
    ///
    /// let ec = SigningKey::generate(Algorithm::ES256)?;
    /// let ed = SigningKey::generate(Algorithm::EdDSA)?.with_kid("ed");
    /// let keys = Keys::per_algorithm([ec.verifying_key(), ed.verifying_key()]);
    /// assert_eq!(keys.algorithms(), Some(vec![Algorithm::ES256, Algorithm::EdDSA]));
    ///
    /// let mut sig = Vec::new();
    /// ec.sign(b"input", &mut sig)?;
    /// // The ES256 key has no kid, so any token kid is only a hint.
    /// assert_eq!(keys.verify(Algorithm::ES256, Some("any"), b"input", &sig), Ok(()));
    /// assert_eq!(keys.verify(Algorithm::HS256, None, b"input", &sig), Err(VerifyError::AlgorithmNotAllowed));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn per_algorithm(keys: impl IntoIterator<Item = VerifyingKey>) -> Keys {
        Keys::new(KeysInner::PerAlgorithm(keys.into_iter().collect()))
    }

    /// Keys from any [`Verifier`] (another crypto backend, a test double).
    pub fn custom(verifier: Arc<dyn Verifier + Send + Sync>) -> Keys {
        Keys::new(KeysInner::Custom(verifier))
    }

    /// Whether these keys hold a key with this `kid`; `None` when that cannot be told
    /// (a custom verifier).
    pub fn has_kid(&self, kid: &str) -> Option<bool> {
        match &self.inner {
            KeysInner::Key(k) => Some(k.kid().is_none_or(|own| own == kid)),
            KeysInner::PerAlgorithm(keys) => {
                Some(keys.iter().any(|k| k.kid().is_none_or(|own| own == kid)))
            }
            KeysInner::Set(s) => Some(s.get(kid).next().is_some()),
            KeysInner::Custom(_) => None,
        }
    }

    /// The algorithms some key accepts, sorted, each once; `None` for a custom
    /// verifier, which cannot tell.
    pub fn algorithms(&self) -> Option<Vec<Algorithm>> {
        let keys = match &self.inner {
            KeysInner::Key(k) => std::slice::from_ref(k),
            KeysInner::PerAlgorithm(keys) => keys,
            KeysInner::Set(s) => s.keys(),
            KeysInner::Custom(_) => return None,
        };
        let mut algs: Vec<Algorithm> = keys.iter().map(VerifyingKey::algorithm).collect();
        algs.sort();
        algs.dedup();
        Some(algs)
    }
}

impl From<VerifyingKey> for Keys {
    fn from(key: VerifyingKey) -> Self {
        Keys::new(KeysInner::Key(key))
    }
}

impl From<KeySet> for Keys {
    fn from(set: KeySet) -> Self {
        Keys::new(KeysInner::Set(set))
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            KeysInner::Key(k) => f.debug_tuple("Keys").field(k).finish(),
            KeysInner::PerAlgorithm(keys) => f.debug_tuple("Keys").field(keys).finish(),
            KeysInner::Set(s) => f.debug_tuple("Keys").field(&s.len()).finish(),
            KeysInner::Custom(_) => f.write_str("Keys(custom)"),
        }
    }
}

impl Verifier for Keys {
    fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        match &self.inner {
            KeysInner::Key(k) => k.verify(alg, kid, signing_input, signature),
            KeysInner::PerAlgorithm(keys) => keys
                .iter()
                .find(|k| k.algorithm() == alg)
                .ok_or(VerifyError::AlgorithmNotAllowed)?
                .verify(alg, kid, signing_input, signature),
            KeysInner::Set(s) => s.verify(alg, kid, signing_input, signature),
            KeysInner::Custom(v) => v.verify(alg, kid, signing_input, signature),
        }
    }
}

/// Why a [`KeySource`] gave no keys.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum KeySourceError {
    /// The keys cannot be obtained (the issuer is unreachable and nothing is cached,
    /// the file cannot be read): answered with 503, never 401.
    #[error("keys unavailable: {0}")]
    Unavailable(#[from] FetchError),
    /// The token's issuer is not one the source knows: answered with 401 `invalid_token`.
    #[error("token issuer is not configured")]
    UnknownIssuer,
    /// The token could not be read far enough to choose keys (e.g. a payload that is
    /// not JSON when the issuer is needed): answered with 401 `invalid_token`.
    #[error("token unreadable: {0}")]
    Token(jot_codec::Error),
}

debug_as_display!(KeySourceError);

/// Why fetching or reading a key set failed. Carried by [`KeySourceError::Unavailable`]
/// and kept as the last error in [`JwksStats`].
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The server answered with a non-success status.
    #[error("HTTP status {status}")]
    Status {
        /// The status code.
        status: u16,
    },
    /// The request did not complete within the configured timeout.
    #[error("request timed out")]
    Timeout,
    /// No connection could be made.
    #[error("could not connect")]
    Connect,
    /// The TLS handshake failed, e.g. the server's certificate is not trusted.
    #[error("TLS handshake failed (is the server's certificate trusted?)")]
    Tls,
    /// The request failed otherwise (TLS, protocol, redirect to a plain-HTTP URL).
    #[error("request failed")]
    Request,
    /// The body is larger than the configured limit.
    #[error("response is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not JSON.
    #[error("response is not JSON")]
    NotJson,
    /// The JSON is not a JWK Set (`{"keys": [...]}`).
    #[error("response is not a JWK Set")]
    NotJwkSet,
    /// The discovery document has no `jwks_uri`, or one that is not a valid URL.
    #[error("discovery document has no usable jwks_uri")]
    NoJwksUri,
    /// The discovery document names another issuer (OIDC Discovery §4.3, RFC 8414 §3.3).
    #[error("discovery document is for issuer {found:?}")]
    IssuerMismatch {
        /// The issuer the document names (truncated to 128 characters).
        found: String,
    },
    /// A URL learned at run time (e.g. `jwks_uri`) is plain HTTP to another host than
    /// this machine, and [`RemoteJwksBuilder::allow_insecure_http`] was not called.
    #[error(
        "URL is plain http to a host other than this machine: serve it over https, or call allow_insecure_http() on the RemoteJwks builder"
    )]
    InsecureUrl,
    /// Reading a local file failed.
    #[error("could not read the key file ({kind})")]
    Io {
        /// The kind of I/O error.
        kind: std::io::ErrorKind,
    },
    /// No fetch has been attempted yet, or the first one is still waiting for its
    /// retry window after a failure.
    #[error("keys not fetched yet")]
    NotFetched,
}

debug_as_display!(FetchError);

/// Why a key source could not be built.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The URL does not parse or is not `http`/`https`.
    #[error("invalid URL: give an absolute https:// URL (http:// only to this machine)")]
    InvalidUrl,
    /// A plain-HTTP URL to another host than this machine (plain HTTP to `localhost`,
    /// `127.0.0.0/8` and `::1` is always allowed), and
    /// [`RemoteJwksBuilder::allow_insecure_http`] was not called.
    #[error(
        "URL is plain http to a host other than this machine: use https, or call allow_insecure_http() on the RemoteJwks builder to accept keys anyone on the path can replace"
    )]
    InsecureUrl,
    /// The TLS client could not be set up (e.g. no usable root certificates).
    #[error("TLS client setup failed")]
    Tls,
    /// A local key file could not be read or parsed.
    #[error("key file: {0}")]
    File(FetchError),
    /// A setting is out of range.
    #[error("invalid setting: {0}")]
    Setting(&'static str),
}

debug_as_display!(ConfigError);

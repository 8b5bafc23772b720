//! DPoP (RFC 9449): sender-constrained access tokens. [`Dpop`] configures the
//! checks; the proof itself is verified in `dpop/proof.rs`, its `jti` remembered
//! by a [`ReplayCache`], server nonces issued by a [`NonceSource`].

mod guard;
mod htu;
mod nonce;
mod proof;
mod proofs;
mod replay;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;
use jot_algorithms::{Algorithm, AlgorithmFamily, KeyError};

pub use guard::RequireDpop;
pub use nonce::{HmacNonces, NonceSource};
pub(crate) use proof::DpopVerifier;
pub use proofs::{DpopProof, DpopProofs, ProofRefusal};
pub use replay::{MemoryReplayCache, ReplayCache, ReplayCacheError, ReplayFuture};

use crate::{ConfigError, JwtAuthBuilder};

/// The `DPoP-Nonce` response header (RFC 9449 §8.1).
pub(crate) const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// How DPoP proofs (RFC 9449) are checked: algorithms, the age of a proof, the
/// replay cache, server nonces and the origin of the request URL. Given to
/// [`JwtAuthBuilder::dpop`].
///
/// A request `Authorization: DPoP <token>` with a `DPoP: <proof>` header is
/// accepted when every check of RFC 9449 §4.3 passes:
///
/// - exactly one `DPoP` header, a compact JWS of at most 8 KiB;
/// - `typ` is `dpop+jwt`; `alg` is one of [`Dpop::algorithms`] (asymmetric only);
/// - `jwk` is a public key (a JWK with any private member is refused) and the
///   proof's signature verifies with it, for that `alg`;
/// - `htm` is the request method; `htu` is the request URL, both without query
///   and fragment and compared after normalisation (scheme and host lowercased,
///   default port removed, dot segments resolved);
/// - `iat` is at most [`Dpop::max_age`] old and at most [`Dpop::leeway`] ahead;
/// - `ath` is the base64url SHA-256 of the access token;
/// - `nonce` is a current server nonce, when [`Dpop::nonces`] is set (else 401
///   `use_dpop_nonce` with a fresh `DPoP-Nonce`);
/// - the access token verifies and its `cnf.jkt` is the RFC 7638 thumbprint of
///   the proof's key;
/// - `jti` has not been seen within the proof's lifetime ([`ReplayCache`]).
///
/// **The request URL.** `htu` is compared with the configured origin (the
/// scheme, host and port of [`JwtAuthBuilder::resource`], or [`Dpop::origin`])
/// followed by the request's path. The `Host` header and any absolute URL in the
/// request line are never used: behind a proxy they say what the client chose, not
/// where the server is. Without a resource identifier or an origin, every DPoP
/// request is refused.
///
/// ```
/// use std::time::Duration;
/// use jot_algorithms::{Algorithm, VerifyingKey};
/// use jot_axum::{Dpop, JwtAuth, MemoryReplayCache};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let key = VerifyingKey::hmac(Algorithm::HS256, b"an example secret of 32+ bytes!!")?;
/// let auth: JwtAuth<()> = JwtAuth::builder(key)
///     .resource("https://api.example.com/mcp")?
///     .dpop(
///         Dpop::new()
///             .algorithms([Algorithm::ES256, Algorithm::EdDSA])
///             .max_age(Duration::from_secs(30))
///             .replay_cache(MemoryReplayCache::new(50_000)),
///     )
///     .build();
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct Dpop {
    algorithms: Vec<Algorithm>,
    max_age: Duration,
    leeway: Duration,
    replay: Arc<dyn ReplayCache>,
    nonces: Option<Arc<dyn NonceSource>>,
    origin: Option<reqwest::Url>,
}

impl Dpop {
    /// How old a proof may be: 60 s.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(60);
    /// How far ahead of the server's clock a proof's `iat` may be: 5 s.
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);

    /// Every asymmetric algorithm this build verifies ([`jot_algorithms::supports`]); proofs at most
    /// [`Dpop::DEFAULT_MAX_AGE`] old, [`Dpop::DEFAULT_LEEWAY`] of clock skew; an
    /// in-memory [`MemoryReplayCache`] of [`MemoryReplayCache::DEFAULT_CAPACITY`]
    /// proofs; no server nonces; the origin of the resource identifier.
    pub fn new() -> Dpop {
        Dpop {
            algorithms: Algorithm::ALL
                .into_iter()
                .filter(|&alg| {
                    alg.family() != AlgorithmFamily::Hmac && jot_algorithms::supports(alg)
                })
                .collect(),
            max_age: Self::DEFAULT_MAX_AGE,
            leeway: Self::DEFAULT_LEEWAY,
            replay: Arc::new(MemoryReplayCache::default()),
            nonces: None,
            origin: None,
        }
    }

    /// Accepts proofs signed with these algorithms only. HMAC algorithms are never
    /// accepted (a proof is signed with the client's private key) and are dropped
    /// from the list.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms
            .into_iter()
            .filter(|alg| alg.family() != AlgorithmFamily::Hmac)
            .collect();
        self
    }

    /// Refuses proofs whose `iat` is older than this (rounded down to whole seconds).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// The clock skew allowed for `iat`, both ways (whole seconds).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Remembers proof `jti`s in `cache` (a store several instances share, say)
    /// instead of the default in-memory cache.
    pub fn replay_cache(mut self, cache: impl ReplayCache) -> Self {
        self.replay = Arc::new(cache);
        self
    }

    /// Requires server nonces (RFC 9449 §9) from `nonces`: a proof without a
    /// current nonce is answered 401 `use_dpop_nonce` with a `DPoP-Nonce` header,
    /// and [`JwtLayer`](crate::JwtLayer) sends the current nonce with every
    /// response to a DPoP request.
    pub fn nonces(mut self, nonces: impl NonceSource) -> Self {
        self.nonces = Some(Arc::new(nonces));
        self
    }

    /// The origin (`https://host[:port]`) the request URL is built on, when it is
    /// not the resource identifier's (a server reached under several names, or no
    /// resource identifier). `https`, or `http` on a loopback host; no path,
    /// query, fragment or user information.
    pub fn origin(mut self, origin: &str) -> Result<Self, ConfigError> {
        let url = crate::resource::parse_server_url(origin)?;
        if url.path() != "/" {
            return Err(ConfigError::Setting("a DPoP origin has no path"));
        }
        self.origin = Some(url);
        Ok(self)
    }

    /// The verifier of a built [`JwtAuth`](crate::JwtAuth); `resource` is the
    /// fallback origin.
    pub(crate) fn verifier(self, resource: Option<&reqwest::Url>) -> DpopVerifier {
        let origin = self.origin.or_else(|| resource.map(htu::origin_of));
        if origin.is_none() {
            tracing::warn!(
                target: "jot_axum",
                "DPoP is configured without a resource identifier or an origin: every DPoP request will be refused"
            );
        }
        DpopVerifier::new(
            self.algorithms,
            self.max_age.as_secs(),
            self.leeway.as_secs(),
            self.replay,
            self.nonces,
            origin,
        )
    }
}

impl Default for Dpop {
    fn default() -> Self {
        Dpop::new()
    }
}

impl fmt::Debug for Dpop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dpop")
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("leeway", &self.leeway)
            .field("nonces", &self.nonces.is_some())
            .field("origin", &self.origin.as_ref().map(reqwest::Url::as_str))
            .finish_non_exhaustive()
    }
}

impl<T> JwtAuthBuilder<T> {
    /// Accepts DPoP-bound tokens (`Authorization: DPoP` with a `DPoP` proof,
    /// RFC 9449), checked as [`Dpop`] says. Bearer tokens stay accepted unless
    /// [`JwtAuthBuilder::require_dpop`] is called; a DPoP-bound token sent as
    /// `Bearer` is always refused.
    pub fn dpop(mut self, dpop: Dpop) -> Self {
        self.dpop = Some(dpop);
        self
    }

    /// Accepts DPoP-bound tokens only: a bearer token, or a token without
    /// `cnf.jkt`, is refused (401 with a `DPoP` challenge), and the RFC 9728
    /// metadata says `dpop_bound_access_tokens_required: true`. Turns DPoP on with
    /// [`Dpop::new`] unless [`JwtAuthBuilder::dpop`] configured it. For some routes
    /// only, use the [`RequireDpop`] guard instead.
    pub fn require_dpop(mut self) -> Self {
        self.require_dpop = true;
        self
    }
}

/// Why a DPoP proof was refused (RFC 9449 §4.3). The client sees
/// [`DpopError::public_description`]; the variant tells the programmer which check
/// failed.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum DpopError {
    /// `Authorization: DPoP` without a `DPoP` header.
    #[error("no DPoP proof")]
    Missing,
    /// More than one `DPoP` header.
    #[error("more than one DPoP header")]
    Multiple,
    /// The `DPoP` header is not visible ASCII.
    #[error("DPoP header is not visible ASCII")]
    UnreadableHeader,
    /// The proof is not a compact JWS jot reads, or its claims are malformed.
    #[error("malformed DPoP proof: {0}")]
    Malformed(#[source] jot_codec::Error),
    /// The header's `typ` is not `dpop+jwt`.
    #[error("DPoP proof typ is not dpop+jwt")]
    Type,
    /// `alg` is symmetric, unknown, or not one of the configured algorithms.
    #[error("DPoP proof algorithm not accepted")]
    Algorithm,
    /// The header has no `jwk`.
    #[error("DPoP proof has no jwk")]
    NoKey,
    /// The header's `jwk` has private members (`d`, `p`, `q`, `dp`, `dq`, `qi`,
    /// `oth`, `k`).
    #[error("DPoP proof jwk holds a private key")]
    PrivateKey,
    /// The header's `jwk` is not a key for the proof's `alg`.
    #[error("DPoP proof jwk unusable: {0}")]
    Key(#[source] KeyError),
    /// The signature does not verify with the proof's `jwk`.
    #[error("DPoP proof signature invalid")]
    Signature,
    /// A required claim (`jti`, `htm`, `htu`, `iat`, `ath`) is missing.
    #[error("DPoP proof lacks the {claim} claim")]
    MissingClaim {
        /// The claim's name.
        claim: &'static str,
    },
    /// `htm` is not the request's method.
    #[error("DPoP proof htm is not the request method")]
    Method,
    /// `htu` is not the request's URL.
    #[error("DPoP proof htu is not the request URL")]
    Url,
    /// The server knows no origin to build the request URL on (no resource
    /// identifier, no [`Dpop::origin`]), or was not given the request's method and
    /// path ([`JwtAuth::authenticate`](crate::JwtAuth::authenticate) has only the headers).
    #[error("the request URL is unknown to the server")]
    UnknownRequestUrl,
    /// `iat` is older than the maximum age.
    #[error("DPoP proof is too old")]
    Stale,
    /// `iat` is ahead of the server's clock by more than the leeway.
    #[error("DPoP proof is issued in the future")]
    Future,
    /// `ath` is not the hash of the access token sent with it.
    #[error("DPoP proof ath does not match the access token")]
    AccessTokenHash,
    /// This proof's `jti` was already used.
    #[error("DPoP proof replayed")]
    Replayed,
}

debug_as_display!(DpopError);

impl DpopError {
    /// A description that is safe to show to the client.
    pub fn public_description(&self) -> &'static str {
        match self {
            DpopError::Missing => "no DPoP proof",
            DpopError::Multiple => "more than one DPoP proof",
            DpopError::UnreadableHeader | DpopError::Malformed(_) => "malformed DPoP proof",
            DpopError::Type => "DPoP proof typ must be dpop+jwt",
            DpopError::Algorithm => "DPoP proof algorithm not accepted",
            DpopError::NoKey => "DPoP proof has no jwk",
            DpopError::PrivateKey => "DPoP proof jwk must be a public key",
            DpopError::Key(_) => "DPoP proof jwk unusable",
            DpopError::Signature => "invalid DPoP proof signature",
            DpopError::MissingClaim { claim } => match *claim {
                "jti" => "DPoP proof lacks jti",
                "htm" => "DPoP proof lacks htm",
                "htu" => "DPoP proof lacks htu",
                "iat" => "DPoP proof lacks iat",
                _ => "DPoP proof lacks ath",
            },
            DpopError::Method => "DPoP proof htm does not match the request",
            DpopError::Url => "DPoP proof htu does not match the request",
            DpopError::UnknownRequestUrl => "DPoP proofs cannot be checked here",
            DpopError::Stale => "DPoP proof is too old",
            DpopError::Future => "DPoP proof is issued in the future",
            DpopError::AccessTokenHash => "DPoP proof ath does not match the access token",
            DpopError::Replayed => "DPoP proof replayed",
        }
    }
}

/// Why a token and the way it was presented disagree: always `invalid_token`.
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DpopBinding {
    /// A token with `cnf.jkt` (DPoP-bound) sent as a bearer token (RFC 9449 §7.2).
    #[error("DPoP-bound token sent as a bearer token")]
    BoundTokenAsBearer,
    /// A token without `cnf.jkt` sent with the `DPoP` scheme.
    #[error("token sent with DPoP is not DPoP-bound")]
    Unbound,
    /// The proof's key is not the key the token is bound to.
    #[error("DPoP proof key is not the token's key")]
    KeyMismatch,
    /// The token's `cnf` is not an object, or its `jkt` not a string.
    #[error("malformed cnf claim")]
    InvalidConfirmation,
    /// A bearer token where DPoP is required.
    #[error("DPoP required")]
    Required,
}

debug_as_display!(DpopBinding);

impl DpopBinding {
    /// A description that is safe to show to the client.
    pub fn public_description(&self) -> &'static str {
        match self {
            DpopBinding::BoundTokenAsBearer => "DPoP-bound token must be sent with DPoP",
            DpopBinding::Unbound => "token is not DPoP-bound",
            DpopBinding::KeyMismatch => "invalid DPoP key binding",
            DpopBinding::InvalidConfirmation => "malformed cnf claim",
            DpopBinding::Required => "DPoP-bound token required",
        }
    }
}

#![doc = include_str!("../README.md")]
//!
//! ## Cargo features in detail
//!
#![doc = document_features::document_features!()]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// `Debug` for an error type, as its `Display` sentence: what
/// `fn main() -> Result<(), E>` prints after `Error: ` is then the same explanation
/// (and fix) a log line shows, not a bare variant name.
macro_rules! debug_as_display {
    ($($error:ty),+ $(,)?) => {$(
        impl std::fmt::Debug for $error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(self, f)
            }
        }
    )+};
}

mod auth;
mod authorize;
mod context;
mod credentials;
mod dpop;
mod error;
mod extract;
mod keys;
mod layer;
mod meter;
mod resource;
mod token_cache;
mod token_source;

pub use auth::{JwtAuth, JwtAuthBuilder};
pub use authorize::{
    Authorize, AuthorizeLayer, JsonClaims, Policy, RequireClaims, RequireRoles, RequireScopes,
};
pub use context::AuthContext;
pub use dpop::{
    Dpop, DpopBinding, DpopError, DpopProof, DpopProofs, HmacNonces, MemoryReplayCache,
    NonceSource, ProofRefusal, ReplayCache, ReplayCacheError, ReplayFuture, RequireDpop,
};
pub use error::{AuthError, AuthErrorKind, ErrorHook};
pub use extract::Verified;
pub use keys::{
    ConfigError, FetchError, JwksFile, JwksStats, KeySource, KeySourceError, Keys, KeysFuture,
    MultiIssuer, RemoteJwks, RemoteJwksBuilder,
};
pub use layer::{JwtLayer, JwtService};
pub use meter::{METRICS, describe as describe_metrics};
pub use token_cache::TokenCache;
pub use token_source::TokenSource;

// What this crate's API takes and returns, and what an application needs beside it
// (building a `Validation`, reading `Claims`, minting a token in a test), under the
// same names: `jot-axum` alone is the one dependency line.
pub use jot_algorithms::{
    Algorithm, Claims, Clock, Error, FixedClock, Header, Jwk, JwkSet, KeyError, KeySet,
    NumericDate, SigningKey, SystemClock, Token, UntrustedToken, Validation, Verifier,
    VerifyingKey, base64url, decode, encode,
};

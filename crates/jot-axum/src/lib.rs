#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod auth;
mod authorize;
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

pub use auth::{AuthContext, JwtAuth, JwtAuthBuilder};
pub use authorize::{
    Authorize, AuthorizeLayer, JsonClaims, Policy, RequireClaims, RequireRoles, RequireScopes,
};
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

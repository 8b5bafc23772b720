//! The peer crates, each behind its own cargo feature, on the same tokens and keys
//! with the same checks (signature, issuer, audience, `exp`).

#[cfg(any(
    feature = "jsonwebtoken-aws-lc-rs",
    feature = "jsonwebtoken-rust-crypto"
))]
mod with_jsonwebtoken;
#[cfg(feature = "jwt-compact")]
mod with_jwt_compact;
#[cfg(feature = "jwt-simple")]
mod with_jwt_simple;

use crate::fixture::Fixture;
use crate::op::Sink;

/// Registers every peer enabled in this build.
#[allow(unused_variables)] // a build may enable no peer
pub(crate) fn register<S: Sink>(sink: &mut S, fx: &Fixture) {
    #[cfg(any(
        feature = "jsonwebtoken-aws-lc-rs",
        feature = "jsonwebtoken-rust-crypto"
    ))]
    with_jsonwebtoken::register(sink, fx);
    #[cfg(feature = "jwt-simple")]
    with_jwt_simple::register(sink, fx);
    #[cfg(feature = "jwt-compact")]
    with_jwt_compact::register(sink, fx);
}

//! jot-axum's metrics, reported through the [`metrics`] facade: the application
//! installs the recorder (an exporter) it wants; without one every call below is
//! a no-op. Labels take a bounded set of values. The names are listed in the
//! crate's README.

use crate::error::AuthErrorKind;

/// HTTP fetches of a remote JWK Set ([`RemoteJwks`](crate::RemoteJwks)),
/// discovery requests not counted.
pub(crate) const JWKS_FETCHES: &str = "jot_axum_jwks_fetches_total";
/// Those of them that failed (the last good set stays in use).
pub(crate) const JWKS_FETCH_FAILURES: &str = "jot_axum_jwks_fetch_failures_total";
/// Token key lookups a remote JWK Set answered from the set it holds.
pub(crate) const JWKS_CACHE_HITS: &str = "jot_axum_jwks_cache_hits_total";
/// Token key lookups it could not: no set yet, or an unknown `kid` (a refetch,
/// or a refusal inside the cooldown).
pub(crate) const JWKS_CACHE_MISSES: &str = "jot_axum_jwks_cache_misses_total";
/// Tokens found in the verified-token cache ([`TokenCache`](crate::TokenCache))
/// whose key is still held: no signature check.
pub(crate) const TOKEN_CACHE_HITS: &str = "jot_axum_token_cache_hits_total";
/// Tokens verified in full with the cache on (not seen, lapsed, or their key gone).
pub(crate) const TOKEN_CACHE_MISSES: &str = "jot_axum_token_cache_misses_total";
/// Requests refused, by `reason`: `missing_token`, `invalid_request`,
/// `unknown_issuer`, `keys_unavailable`, `insufficient_scope`, `forbidden`, or
/// for an invalid token the check that failed (`expired`, `invalid_signature`,
/// `unknown_key`, `wrong_audience`, … as
/// [`jot_codec::Error::kind`](jot_codec::Error::kind) names it).
pub(crate) const REFUSALS: &str = "jot_axum_refusals_total";

/// Every metric jot-axum reports, with its description (the exporter's `# HELP`).
///
/// ```
/// assert!(jot_axum::METRICS.iter().any(|(name, _)| *name == "jot_axum_refusals_total"));
/// ```
pub const METRICS: [(&str, &str); 7] = [
    (JWKS_FETCHES, "HTTP fetches of remote JWK Sets"),
    (JWKS_FETCH_FAILURES, "Failed fetches of remote JWK Sets"),
    (
        JWKS_CACHE_HITS,
        "Key lookups answered from a held remote JWK Set",
    ),
    (
        JWKS_CACHE_MISSES,
        "Key lookups a held remote JWK Set could not answer (no set, unknown kid)",
    ),
    (
        TOKEN_CACHE_HITS,
        "Tokens accepted from the verified-token cache without a signature check",
    ),
    (
        TOKEN_CACHE_MISSES,
        "Tokens verified in full with the verified-token cache on",
    ),
    (REFUSALS, "Requests refused, by reason"),
];

/// Registers the descriptions of [`METRICS`] with the `metrics` recorder
/// installed (call it once, after installing it, for the `# HELP` lines).
pub fn describe() {
    for (name, help) in METRICS {
        metrics::describe_counter!(name, help);
    }
}

/// Counts `name` once.
pub(crate) fn count(name: &'static str) {
    metrics::counter!(name).increment(1);
}

/// Counts a refusal.
pub(crate) fn refused(kind: &AuthErrorKind) {
    let reason = match kind {
        AuthErrorKind::MissingToken => "missing_token",
        AuthErrorKind::InvalidRequest { .. } => "invalid_request",
        AuthErrorKind::InvalidToken(e) => e.kind(),
        AuthErrorKind::UnknownIssuer => "unknown_issuer",
        AuthErrorKind::KeysUnavailable(_) => "keys_unavailable",
        AuthErrorKind::InsufficientScope { .. } => "insufficient_scope",
        AuthErrorKind::Forbidden { .. } => "forbidden",
        AuthErrorKind::InvalidDpopProof(_) => "invalid_dpop_proof",
        AuthErrorKind::UseDpopNonce { .. } => "use_dpop_nonce",
        AuthErrorKind::DpopBinding(_) => "dpop_binding",
        AuthErrorKind::ReplayCacheUnavailable(_) => "replay_cache_unavailable",
    };
    metrics::counter!(REFUSALS, "reason" => reason).increment(1);
}

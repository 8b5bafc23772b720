//! The issuer's metrics, reported through the [`metrics`] facade: the application
//! installs the recorder (an exporter) it wants, e.g. Prometheus; without one
//! every call below is a no-op. Labels take a bounded set of values — route
//! templates, status codes, grant types, operation names — never a client id, a
//! username or an address. The names are listed in `docs/ISSUER.md`.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Requests answered, by `endpoint` (the route template, e.g. `/token`) and
/// `status` (the HTTP status code).
pub(crate) const HTTP_REQUESTS: &str = "jot_issuer_http_requests_total";
/// Time to answer a request, in seconds, by `endpoint`.
pub(crate) const HTTP_DURATION: &str = "jot_issuer_http_request_duration_seconds";
/// Tokens issued by the token endpoint, by `grant` (`client_credentials`,
/// `refresh_token`, `authorization_code`).
pub(crate) const TOKENS_ISSUED: &str = "jot_issuer_tokens_issued_total";
/// Failed client authentications, by `reason` (`invalid`: an unknown client or a
/// wrong secret; `throttled`: refused before any check, 429).
pub(crate) const CLIENT_AUTH_FAILURES: &str = "jot_issuer_client_auth_failures_total";
/// Failed sign-ins, by `reason` (`invalid`: unknown user, wrong password or
/// disabled user; `throttled`: refused before any check, 429).
pub(crate) const LOGIN_FAILURES: &str = "jot_issuer_login_failures_total";
/// Time of each store call, in seconds, by `operation` (the
/// [`IssuerStore`](crate::store::IssuerStore) method, e.g. `get_client`).
pub(crate) const STORE_DURATION: &str = "jot_issuer_store_operation_duration_seconds";
/// Store calls that failed, by `operation` and `kind` (`unavailable`: the store
/// could not be reached; `other`).
pub(crate) const STORE_ERRORS: &str = "jot_issuer_store_errors_total";
/// Signing-key rotations this process made (scheduled, requested, or replacing a
/// lost key).
pub(crate) const KEY_ROTATIONS: &str = "jot_issuer_key_rotations_total";

/// The `endpoint` label of a request no route matched.
const UNMATCHED: &str = "unmatched";

/// Every metric the issuer reports, with its description (the exporter's
/// `# HELP`): counters end in `_total`, histograms (seconds) in `_seconds`.
///
/// ```
/// assert!(jot_issuer::METRICS.iter().any(|(name, _)| *name == "jot_issuer_http_requests_total"));
/// ```
pub const METRICS: [(&str, &str); 8] = [
    (
        HTTP_REQUESTS,
        "Requests answered by the issuer, by endpoint (route template) and status code",
    ),
    (
        HTTP_DURATION,
        "Time to answer a request, in seconds, by endpoint",
    ),
    (
        TOKENS_ISSUED,
        "Tokens issued by the token endpoint, by grant type",
    ),
    (
        CLIENT_AUTH_FAILURES,
        "Failed client authentications, by reason (invalid, throttled)",
    ),
    (
        LOGIN_FAILURES,
        "Failed sign-ins, by reason (invalid, throttled)",
    ),
    (
        STORE_DURATION,
        "Time of each store call, in seconds, by operation",
    ),
    (
        STORE_ERRORS,
        "Store calls that failed, by operation and kind (unavailable, other)",
    ),
    (KEY_ROTATIONS, "Signing-key rotations made by this process"),
];

/// Registers the descriptions of [`METRICS`] with the `metrics` recorder
/// installed (call it once, after installing it, for the `# HELP` lines).
pub fn describe() {
    for (name, help) in METRICS {
        if name.ends_with("_seconds") {
            metrics::describe_histogram!(name, metrics::Unit::Seconds, help);
        } else {
            metrics::describe_counter!(name, help);
        }
    }
}

/// Middleware: counts and times each request by its route template and status.
pub(crate) async fn http(request: Request, next: Next) -> Response {
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |m| m.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics::histogram!(HTTP_DURATION, "endpoint" => endpoint.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(
        HTTP_REQUESTS,
        "endpoint" => endpoint,
        "status" => response.status().as_str().to_owned()
    )
    .increment(1);
    response
}

/// A token issued by the token endpoint.
pub(crate) fn token_issued(grant: &'static str) {
    metrics::counter!(TOKENS_ISSUED, "grant" => grant).increment(1);
}

/// A client authentication refused: `throttled` or `invalid`.
pub(crate) fn client_auth_failed(reason: &'static str) {
    metrics::counter!(CLIENT_AUTH_FAILURES, "reason" => reason).increment(1);
}

/// A sign-in refused: `throttled` or `invalid`.
pub(crate) fn login_failed(reason: &'static str) {
    metrics::counter!(LOGIN_FAILURES, "reason" => reason).increment(1);
}

/// A key rotation made by this process.
pub(crate) fn key_rotated() {
    metrics::counter!(KEY_ROTATIONS).increment(1);
}

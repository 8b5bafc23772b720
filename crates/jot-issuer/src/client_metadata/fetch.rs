//! The HTTP side of client metadata documents: the client (rustls on ring with
//! the platform's roots, the vetted resolver, no proxy, no redirects), one
//! bounded GET, and how long its answer may be cached.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};

use super::address::{RefusedAddress, VettedResolver};
use super::{ClientMetadataError, MAX_CLIENT_METADATA_BYTES};
use crate::IssuerError;

/// The shortest time a document is cached, in seconds.
pub(crate) const MIN_TTL: u64 = 60;
/// The longest time a document is cached, in seconds.
pub(crate) const MAX_TTL: u64 = 24 * 60 * 60;
/// How long a document without `max-age` is cached, in seconds.
pub(crate) const DEFAULT_TTL: u64 = 5 * 60;

/// A document as fetched: its bytes and how long it may be cached (`None`:
/// not at all).
pub(crate) struct Fetched {
    pub(crate) body: Vec<u8>,
    pub(crate) ttl: Option<u64>,
}

/// Builds the HTTP client of the fetches. With `allow_loopback`, plain `http`
/// is let through (the URL checks allow it to loopback hosts only).
pub(crate) fn client(
    timeout: Duration,
    allow_loopback: bool,
) -> Result<reqwest::Client, IssuerError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|_| IssuerError::HttpClient)?;
    let tls = match rustls_platform_verifier::Verifier::new(Arc::clone(&provider)) {
        Ok(verifier) => versions
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth(),
        Err(_) => {
            tracing::warn!(target: "jot_issuer", "no root certificates found: client metadata documents cannot be fetched over https");
            versions
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()
        }
    };
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .dns_resolver(VettedResolver { allow_loopback })
        // A proxy would resolve the name itself, past the vetted resolver.
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .https_only(!allow_loopback)
        .pool_max_idle_per_host(0)
        .user_agent(concat!("jot-issuer/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| IssuerError::HttpClient)
}

/// `GET url`: `200 OK`, JSON, at most [`MAX_CLIENT_METADATA_BYTES`] (read no
/// further), all within `timeout`.
pub(crate) async fn get(
    http: &reqwest::Client,
    url: reqwest::Url,
    timeout: Duration,
) -> Result<Fetched, ClientMetadataError> {
    let fetch = async {
        let mut response = http
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(classify)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(ClientMetadataError::Status { status });
        }
        let headers = response.headers();
        if !is_json(headers) {
            return Err(ClientMetadataError::NotJson);
        }
        let too_large = ClientMetadataError::TooLarge {
            limit: MAX_CLIENT_METADATA_BYTES,
        };
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > MAX_CLIENT_METADATA_BYTES as u64) {
            return Err(too_large);
        }
        let ttl = cache_ttl(headers);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > MAX_CLIENT_METADATA_BYTES {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched { body, ttl })
    };
    tokio::time::timeout(timeout, fetch)
        .await
        .map_err(|_| ClientMetadataError::Timeout)?
}

/// `application/json`, or a `+json` type.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|mime| {
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
}

/// How long an answer may be cached: `max-age` clamped to [`MIN_TTL`] ..
/// [`MAX_TTL`], [`DEFAULT_TTL`] without one, `None` with `no-store` or `no-cache`.
pub(crate) fn cache_ttl(headers: &HeaderMap) -> Option<u64> {
    let mut max_age = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let directive = directive.trim().to_ascii_lowercase();
            if directive == "no-store" || directive == "no-cache" {
                return None;
            }
            if let Some(secs) = directive.strip_prefix("max-age=") {
                max_age = secs.trim_matches('"').parse::<u64>().ok().or(max_age);
            }
        }
    }
    Some(max_age.unwrap_or(DEFAULT_TTL).clamp(MIN_TTL, MAX_TTL))
}

fn classify(e: reqwest::Error) -> ClientMetadataError {
    if e.is_timeout() {
        return ClientMetadataError::Timeout;
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = cause {
        if err.is::<RefusedAddress>() {
            return ClientMetadataError::RefusedAddress;
        }
        cause = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    ClientMetadataError::Fetch(Arc::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn cache_control_is_honoured_within_bounds() {
        assert_eq!(cache_ttl(&headers(&[])), Some(DEFAULT_TTL));
        assert_eq!(
            cache_ttl(&headers(&[("cache-control", "public, max-age=600")])),
            Some(600)
        );
        assert_eq!(
            cache_ttl(&headers(&[("cache-control", "max-age=5")])),
            Some(MIN_TTL)
        );
        assert_eq!(
            cache_ttl(&headers(&[("cache-control", "max-age=9999999")])),
            Some(MAX_TTL)
        );
        assert_eq!(
            cache_ttl(&headers(&[("cache-control", "max-age=600, no-store")])),
            None
        );
        assert_eq!(cache_ttl(&headers(&[("cache-control", "no-cache")])), None);
    }

    #[test]
    fn json_content_types() {
        assert!(is_json(&headers(&[(
            "content-type",
            "application/json; charset=utf-8"
        )])));
        assert!(is_json(&headers(&[("content-type", "Application/JSON")])));
        assert!(is_json(&headers(&[(
            "content-type",
            "application/client-metadata+json"
        )])));
        assert!(!is_json(&headers(&[("content-type", "text/html")])));
        assert!(!is_json(&headers(&[("content-type", "text/json+html")])));
        assert!(!is_json(&headers(&[])));
    }
}

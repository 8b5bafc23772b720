//! HTTP for key sources: the TLS client, bounded GETs, `Cache-Control`, and
//! turning a remote JWK Set document into a [`KeySet`].

use std::sync::Arc;
use std::time::Duration;

use jot_algorithms::{Algorithm, JwkSet, KeySet};
use reqwest::header::{ACCEPT, CACHE_CONTROL};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use serde_json::Value;

use super::{ConfigError, FetchError};

/// The most redirects one fetch follows.
const MAX_REDIRECTS: usize = 5;

/// Where plain HTTP may be used; HTTPS is always allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PlainHttp {
    /// Nowhere.
    Never,
    /// Only to this machine: `localhost`, `127.0.0.0/8`, `::1`.
    Loopback,
    /// Anywhere.
    Anywhere,
}

impl PlainHttp {
    /// Whether `url` may be fetched: HTTPS, or plain HTTP where this rule allows it.
    pub(super) fn permits(self, url: &reqwest::Url) -> bool {
        match url.scheme() {
            "https" => true,
            "http" => match self {
                PlainHttp::Never => false,
                PlainHttp::Loopback => is_loopback(url),
                PlainHttp::Anywhere => true,
            },
            _ => false,
        }
    }
}

/// Whether `url` names this machine: `localhost` or a loopback address.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // An IPv6 host is written in brackets.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Builds the HTTP client: rustls on ring with the platform's root certificates
/// (plus `extra_roots`, DER), one overall timeout, at most 5 redirects (each to a
/// URL `plain` permits), no pooled idle connections.
///
/// A machine without any root certificate gets a client that refuses every server
/// certificate (plain HTTP still works when allowed) rather than no client at all.
pub(super) fn client(
    timeout: Duration,
    plain: PlainHttp,
    extra_roots: &[Vec<u8>],
) -> Result<reqwest::Client, ConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = extra_roots
        .iter()
        .map(|der| rustls::pki_types::CertificateDer::from(der.clone()));
    let verifier: Arc<dyn ServerCertVerifier> =
        match rustls_platform_verifier::Verifier::new_with_extra_roots(roots, Arc::clone(&provider))
        {
            Ok(v) => Arc::new(v),
            Err(rustls::Error::General(_)) if extra_roots.is_empty() => {
                tracing::warn!(target: "jot_axum::jwks", "no root certificates found: HTTPS key fetches will fail");
                Arc::new(NoTrustedRoots(Arc::clone(&provider)))
            }
            Err(_) => return Err(ConfigError::Tls),
        };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| ConfigError::Tls)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if plain.permits(attempt.url()) {
                attempt.follow()
            } else {
                attempt.error("redirect to a URL that is not allowed (plain HTTP)")
            }
        }))
        .https_only(plain == PlainHttp::Never)
        // Fetches are minutes apart: a fresh connection each time, no idle sockets.
        .pool_max_idle_per_host(0)
        .user_agent(concat!("jot-axum/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| ConfigError::Tls)
}

/// Trusts no server certificate: the stand-in when the machine has no roots.
#[derive(Debug)]
struct NoTrustedRoots(Arc<CryptoProvider>);

impl ServerCertVerifier for NoTrustedRoots {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Err(rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer,
        ))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A successful GET: the body and the `max-age` the server allowed, if it said.
pub(super) struct Fetched {
    pub(super) body: Vec<u8>,
    pub(super) max_age: Option<Duration>,
}

/// GETs `url`, refusing a non-2xx status and a body over `limit` bytes (checked
/// against `Content-Length` first, then while reading, so a lying or absent length
/// never makes it read more than `limit + one chunk`).
pub(super) async fn get(
    client: &reqwest::Client,
    url: &reqwest::Url,
    limit: usize,
) -> Result<Fetched, FetchError> {
    let mut response = client
        .get(url.clone())
        .header(ACCEPT, "application/jwk-set+json, application/json")
        .send()
        .await
        .map_err(classify)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status {
            status: status.as_u16(),
        });
    }
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(FetchError::TooLarge { limit });
    }
    let max_age = response
        .headers()
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .fold(None, |acc: Option<Duration>, v| match (acc, max_age(v)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        });
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > limit {
            return Err(FetchError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched { body, max_age })
}

/// Parses one `Cache-Control` value: `no-store`/`no-cache` mean zero (the caller
/// clamps it to its minimum), else `max-age=N`. `None` when it says neither.
pub(crate) fn max_age(value: &str) -> Option<Duration> {
    let mut found = None;
    for directive in value.split(',') {
        let directive = directive.trim();
        let (name, arg) = match directive.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
            None => (directive, None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return Some(Duration::ZERO);
        }
        if name.eq_ignore_ascii_case("max-age") {
            if let Some(secs) = arg.and_then(|a| a.parse::<u64>().ok()) {
                found = Some(Duration::from_secs(secs));
            }
        }
    }
    found
}

/// Turns a fetched JWK Set document into keys. Symmetric (`oct`) keys are dropped
/// first: a remote set is public, so an HMAC secret in it is either a mistake or an
/// attack. Keys the set cannot use (encryption keys, unknown types) are set aside
/// by [`KeySet`]; only a document that is not a JWK Set at all is an error.
pub(super) fn parse_remote_set(body: &[u8], assume: &[Algorithm]) -> Result<KeySet, FetchError> {
    let mut doc: Value = serde_json::from_slice(body).map_err(|_| FetchError::NotJson)?;
    let keys = doc
        .get_mut("keys")
        .and_then(Value::as_array_mut)
        .ok_or(FetchError::NotJwkSet)?;
    keys.retain(|k| k.get("kty").and_then(Value::as_str) != Some("oct"));
    let set: JwkSet = serde_json::from_value(doc).map_err(|_| FetchError::NotJwkSet)?;
    Ok(KeySet::from_jwk_set_assuming(&set, assume))
}

fn classify(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if is_tls(&e) {
        FetchError::Tls
    } else if e.is_connect() {
        FetchError::Connect
    } else {
        FetchError::Request
    }
}

/// Whether a rustls error (a refused certificate, a failed handshake) is behind `e`.
/// It travels inside `io::Error`s, whose `source()` skips what they wrap: those are
/// opened with `get_ref()`.
fn is_tls(e: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cause {
        if err.is::<rustls::Error>() {
            return true;
        }
        cause = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_rules() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        for rule in [PlainHttp::Never, PlainHttp::Loopback, PlainHttp::Anywhere] {
            assert!(rule.permits(&url("https://a.example/jwks")), "{rule:?}");
            assert!(!rule.permits(&url("ftp://127.0.0.1/jwks")), "{rule:?}");
        }
        for local in [
            "http://localhost:8080/jwks",
            "http://LOCALHOST/",
            "http://127.0.0.1/x",
            "http://127.1.2.3/x",
            "http://[::1]:9/x",
        ] {
            assert!(!PlainHttp::Never.permits(&url(local)), "{local}");
            assert!(PlainHttp::Loopback.permits(&url(local)), "{local}");
            assert!(PlainHttp::Anywhere.permits(&url(local)), "{local}");
        }
        for remote in [
            "http://a.example/",
            "http://127.0.0.1.example.com/",
            "http://10.0.0.1/",
            "http://localhost.evil/",
            "http://[::2]/",
        ] {
            assert!(!PlainHttp::Loopback.permits(&url(remote)), "{remote}");
            assert!(PlainHttp::Anywhere.permits(&url(remote)), "{remote}");
        }
    }

    #[test]
    fn cache_control() {
        assert_eq!(
            max_age("public, max-age=600"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            max_age("max-age=\"60\", must-revalidate"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("public"), None);
        assert_eq!(max_age("max-age=abc"), None);
    }

    #[test]
    fn oct_keys_are_dropped_and_junk_refused() {
        let set = parse_remote_set(
            br#"{"keys":[{"kty":"oct","alg":"HS256","kid":"h","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}]}"#,
            &[],
        )
        .unwrap();
        assert!(set.is_empty());
        assert_eq!(
            parse_remote_set(b"<html>", &[]).unwrap_err(),
            FetchError::NotJson
        );
        assert_eq!(
            parse_remote_set(b"{\"k\":1}", &[]).unwrap_err(),
            FetchError::NotJwkSet
        );
        assert_eq!(
            parse_remote_set(b"[1]", &[]).unwrap_err(),
            FetchError::NotJwkSet
        );
    }
}

//! Fetching a remote JWK Set for `jot verify --jwks URL`: once, with a timeout and
//! a size limit, over HTTPS (rustls on ring). Plain HTTP only to this machine.

use std::io::Read as _;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use reqwest::Url;

/// The whole fetch, connection included, must finish within this.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

/// The largest JWK Set accepted.
pub(crate) const MAX_BODY: u64 = 1024 * 1024;

/// Fetches the JWK Set at `url` and returns its text.
pub(crate) fn fetch_jwks(url: &str) -> Result<String> {
    let parsed = Url::parse(url).with_context(|| format!("invalid URL {url:?}"))?;
    let plain = match parsed.scheme() {
        "https" => false,
        "http" if is_loopback(&parsed) => true,
        "http" => bail!(
            "refusing to fetch keys over plain http from {url}: use https (http is allowed only for localhost)"
        ),
        other => bail!("unsupported URL scheme {other:?} in {url}"),
    };
    // Ignore the error: a provider may already be installed, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .https_only(!plain)
        .redirect(if plain {
            reqwest::redirect::Policy::none()
        } else {
            reqwest::redirect::Policy::limited(5)
        })
        .user_agent(concat!("jot/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot set up the HTTP client")?;
    let response = client
        .get(parsed)
        .header(
            reqwest::header::ACCEPT,
            "application/jwk-set+json, application/json",
        )
        .send()
        .with_context(|| format!("cannot fetch {url}"))?;
    let status = response.status();
    if !status.is_success() {
        bail!("{url} answered HTTP {status}");
    }
    if response.content_length().is_some_and(|len| len > MAX_BODY) {
        bail!("the JWK Set at {url} is larger than {MAX_BODY} bytes");
    }
    let mut body = Vec::new();
    response
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .with_context(|| format!("cannot read the JWK Set from {url}"))?;
    if body.len() as u64 > MAX_BODY {
        bail!("the JWK Set at {url} is larger than {MAX_BODY} bytes");
    }
    String::from_utf8(body).with_context(|| format!("the JWK Set at {url} is not UTF-8"))
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback() {
        for ok in [
            "http://localhost:8080/jwks",
            "http://127.0.0.1/x",
            "http://[::1]:9/x",
            "http://LOCALHOST/",
        ] {
            assert!(is_loopback(&Url::parse(ok).unwrap()), "{ok}");
        }
        for bad in [
            "http://example.com/",
            "http://127.0.0.1.example.com/",
            "http://10.0.0.1/",
            "http://localhost.evil/",
        ] {
            assert!(!is_loopback(&Url::parse(bad).unwrap()), "{bad}");
        }
        let err = fetch_jwks("http://example.com/jwks.json").unwrap_err();
        assert!(err.to_string().contains("use https"), "{err}");
        assert!(fetch_jwks("ftp://example.com/jwks.json").is_err());
    }
}

//! OpenID Connect Discovery and RFC 8414: from an issuer URL to its `jwks_uri`.

use serde_json::Value;

use super::FetchError;
use super::fetch::{self, Fetched, PlainHttp};

/// Finds the issuer's `jwks_uri`: `{issuer}/.well-known/openid-configuration` first,
/// then the RFC 8414 `/.well-known/oauth-authorization-server{path}` document. The
/// document's `issuer` must be `issuer` (OIDC Discovery §4.3, RFC 8414 §3.3), and
/// `jwks_uri` HTTPS unless `plain` permits it.
pub(super) async fn jwks_uri(
    client: &reqwest::Client,
    issuer: &str,
    max_body: usize,
    plain: PlainHttp,
) -> Result<reqwest::Url, FetchError> {
    let mut last = FetchError::NoJwksUri;
    for url in discovery_urls(issuer)? {
        match document(client, &url, issuer, max_body, plain).await {
            Ok(jwks_uri) => return Ok(jwks_uri),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn document(
    client: &reqwest::Client,
    url: &reqwest::Url,
    issuer: &str,
    max_body: usize,
    plain: PlainHttp,
) -> Result<reqwest::Url, FetchError> {
    let Fetched { body, .. } = fetch::get(client, url, max_body).await?;
    let doc: Value = serde_json::from_slice(&body).map_err(|_| FetchError::NotJson)?;
    let found = doc.get("issuer").and_then(Value::as_str).unwrap_or("");
    if found.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(FetchError::IssuerMismatch {
            found: found.chars().take(128).collect(),
        });
    }
    let jwks_uri = doc
        .get("jwks_uri")
        .and_then(Value::as_str)
        .and_then(|u| reqwest::Url::parse(u).ok())
        .ok_or(FetchError::NoJwksUri)?;
    match jwks_uri.scheme() {
        _ if plain.permits(&jwks_uri) => Ok(jwks_uri),
        "http" => Err(FetchError::InsecureUrl),
        _ => Err(FetchError::NoJwksUri),
    }
}

/// The OIDC Discovery URL, then the RFC 8414 one (well-known part inserted before
/// the issuer's path).
fn discovery_urls(issuer: &str) -> Result<Vec<reqwest::Url>, FetchError> {
    let base = reqwest::Url::parse(issuer).map_err(|_| FetchError::NoJwksUri)?;
    let trimmed = issuer.trim_end_matches('/');
    let oidc = reqwest::Url::parse(&format!("{trimmed}/.well-known/openid-configuration"))
        .map_err(|_| FetchError::NoJwksUri)?;
    let path = base.path().trim_end_matches('/');
    let mut rfc8414 = base.clone();
    rfc8414.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    rfc8414.set_query(None);
    Ok(vec![oidc, rfc8414])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_urls_follow_both_specs() {
        let urls = discovery_urls("https://a.example/tenant/1").unwrap();
        assert_eq!(
            urls[0].as_str(),
            "https://a.example/tenant/1/.well-known/openid-configuration"
        );
        assert_eq!(
            urls[1].as_str(),
            "https://a.example/.well-known/oauth-authorization-server/tenant/1"
        );
        let urls = discovery_urls("https://a.example/").unwrap();
        assert_eq!(
            urls[0].as_str(),
            "https://a.example/.well-known/openid-configuration"
        );
        assert_eq!(
            urls[1].as_str(),
            "https://a.example/.well-known/oauth-authorization-server"
        );
    }
}

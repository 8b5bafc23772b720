//! Which `client_id` is a metadata document URL, and which such URL may be
//! fetched: `https`, a path, no credentials, fragment or dot segments, written in
//! its canonical form, at most [`MAX_CLIENT_ID_LEN`](crate::MAX_CLIENT_ID_LEN) bytes.

use std::net::IpAddr;

use super::ClientMetadataError;
use super::address;

/// Whether `id` is meant as a metadata document URL (registered client ids
/// cannot contain `:`, so no stored client is shadowed).
pub(crate) fn is_url_client_id(id: &str) -> bool {
    let lower = |prefix: &str| {
        id.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    lower("https://") || lower("http://")
}

/// Checks a document URL before any network access: `https` (plain `http` only
/// to a loopback host when `allow_loopback`), a host that is not an address the
/// issuer may not reach, a path other than `/`, no user information, fragment
/// or dot segments, and the same string as the URL's canonical form.
pub(crate) fn check(id: &str, allow_loopback: bool) -> Result<reqwest::Url, ClientMetadataError> {
    let invalid = |reason| ClientMetadataError::InvalidUrl { reason };
    if id.len() > crate::MAX_CLIENT_ID_LEN {
        return Err(invalid("longer than 256 bytes"));
    }
    if id.contains('#') {
        return Err(invalid("a fragment"));
    }
    let url = reqwest::Url::parse(id).map_err(|_| invalid("not an absolute URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("user information (credentials) in the URL"));
    }
    let path = raw_path(id);
    if path.split('/').any(|segment| {
        let s = segment.to_ascii_lowercase().replace("%2e", ".");
        s == "." || s == ".."
    }) {
        return Err(invalid("a dot segment in the path"));
    }
    if url.path() == "/" || url.path().is_empty() {
        return Err(invalid("no path"));
    }
    if url.as_str() != id {
        return Err(invalid(
            "not in canonical form (lowercase host, no default port, encoded)",
        ));
    }
    let host = url.host_str().unwrap_or("");
    let ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok();
    let loopback_host =
        host.eq_ignore_ascii_case("localhost") || ip.is_some_and(address::is_loopback);
    match url.scheme() {
        "https" => {}
        "http" if allow_loopback && loopback_host => {}
        "http" => return Err(invalid("not https")),
        _ => return Err(invalid("not https")),
    }
    if let Some(ip) = ip {
        if !address::allowed(ip, allow_loopback) {
            return Err(ClientMetadataError::RefusedAddress);
        }
    }
    Ok(url)
}

/// The path of a URL as written: after the authority, before `?`.
fn raw_path(id: &str) -> &str {
    let after_scheme = id.split_once("://").map_or(id, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    path.split('?').next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_client_ids() {
        assert!(is_url_client_id("https://app.example/client.json"));
        assert!(is_url_client_id("HTTP://127.0.0.1/c"));
        assert!(!is_url_client_id("web"));
        assert!(!is_url_client_id("urn:x"));
    }

    #[test]
    fn only_canonical_https_urls_with_a_path_pass() {
        assert!(check("https://app.example/client.json", false).is_ok());
        assert!(check("https://app.example/c?v=1", false).is_ok());
        for (bad, why) in [
            ("http://app.example/client.json", "https"),
            ("https://app.example/", "path"),
            ("https://app.example", "path"),
            ("https://user:pw@app.example/c", "user information"),
            ("https://app.example/c#f", "fragment"),
            ("https://app.example/a/../c", "dot segment"),
            ("https://app.example/a/./c", "dot segment"),
            ("https://app.example/a/%2E%2E/c", "dot segment"),
            ("https://APP.example/c", "canonical"),
            ("https://app.example:443/c", "canonical"),
            ("ftp://app.example/c", "not an absolute"),
        ] {
            let error = check(bad, false).unwrap_err().to_string();
            assert!(
                error.contains(why) || (why == "not an absolute" && error.contains("https")),
                "{bad}: {error}"
            );
        }
        let long = format!("https://app.example/{}", "a".repeat(300));
        assert!(check(&long, false).is_err());
    }

    #[test]
    fn address_literals_are_vetted() {
        for bad in [
            "https://10.0.0.1/c",
            "https://127.0.0.1/c",
            "https://169.254.169.254/latest",
            "https://[::1]/c",
            "https://[fd00::1]/c",
            "https://[::ffff:a00:1]/c",
            "https://100.64.0.1/c",
        ] {
            assert!(
                matches!(check(bad, false), Err(ClientMetadataError::RefusedAddress)),
                "{bad}"
            );
        }
        assert!(check("https://8.8.8.8/c", false).is_ok());
        // Loopback only when allowed, and then plain http too.
        assert!(check("http://127.0.0.1:8000/c", true).is_ok());
        assert!(check("http://localhost:8000/c", true).is_ok());
        assert!(check("http://10.0.0.1/c", true).is_err());
        assert!(check("https://10.0.0.1/c", true).is_err());
    }
}

//! Redirect URIs: which may be registered, how a requested one is matched
//! (exactly; RFC 8252 §7.3 any port on a loopback IP), and how parameters are
//! added to one.

/// The loopback IP literals of RFC 8252 §7.3, with the scheme they allow.
const LOOPBACK_PREFIXES: [&str; 2] = ["http://127.0.0.1", "http://[::1]"];

/// Checks a redirect URI at registration: absolute, no fragment, no user
/// information; `https`, or `http` on a loopback host or the issuer's own host,
/// or a private-use scheme with a dot (`com.example.app:/cb`, RFC 8252 §7.1).
/// Returns what is wrong.
pub(crate) fn check_registered(uri: &str, issuer_host: Option<&str>) -> Result<(), &'static str> {
    if uri.len() > 2048 {
        return Err("a redirect URI is longer than 2048 bytes");
    }
    if uri.chars().any(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '"' | '<' | '>' | '\\' | '\'' | '`' | ';' | ',')
    }) {
        return Err(
            "a redirect URI contains a space, a control character, a quote, <, >, \\, ; or ,",
        );
    }
    let url = reqwest::Url::parse(uri).map_err(|_| "a redirect URI is not an absolute URI")?;
    if url.fragment().is_some() || uri.contains('#') {
        return Err("a redirect URI has a fragment");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a redirect URI has user information");
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = url.host_str().unwrap_or("");
            let loopback = matches!(host, "127.0.0.1" | "[::1]" | "localhost");
            if loopback || issuer_host.is_some_and(|h| h.eq_ignore_ascii_case(host)) {
                Ok(())
            } else {
                Err(
                    "an http redirect URI must be on a loopback host or the issuer's host; use https",
                )
            }
        }
        scheme if scheme.contains('.') => Ok(()),
        _ => Err(
            "a redirect URI must be https, http on loopback, or a private-use scheme like com.example.app:",
        ),
    }
}

/// Whether `requested` is one of `registered`: the same string, or, for a
/// registered `http://127.0.0.1…` or `http://[::1]…` URI, the same string with
/// any port (RFC 8252 §7.3).
pub(crate) fn matches(registered: &[String], requested: &str) -> bool {
    registered.iter().any(|r| {
        r == requested
            || matches!(
                (loopback_rest(r), loopback_rest(requested)),
                (Some(a), Some(b)) if a == b
            )
    })
}

/// For a loopback IP URI: its prefix and what follows its port, e.g.
/// `("http://127.0.0.1", "/callback")` for `http://127.0.0.1:9000/callback`.
fn loopback_rest(uri: &str) -> Option<(&'static str, &str)> {
    LOOPBACK_PREFIXES.iter().find_map(|prefix| {
        let rest = uri.strip_prefix(prefix)?;
        let rest = match rest.strip_prefix(':') {
            Some(port_and_rest) => {
                let digits = port_and_rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(port_and_rest.len());
                port_and_rest[..digits].parse::<u16>().ok()?;
                &port_and_rest[digits..]
            }
            None => rest,
        };
        (rest.is_empty() || rest.starts_with(['/', '?'])).then_some((*prefix, rest))
    })
}

/// `uri` with `params` added to its query (form-encoded), keeping what it had.
pub(crate) fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    let query = query.finish();
    let separator = match uri.find('?') {
        None => '?',
        Some(i) if i + 1 == uri.len() || uri.ends_with('&') => return format!("{uri}{query}"),
        Some(_) => '&',
    };
    format!("{uri}{separator}{query}")
}

/// The CSP source a form may redirect to for `uri`: its origin, or `scheme:`.
pub(crate) fn csp_source(uri: &str) -> Option<String> {
    let url = reqwest::Url::parse(uri).ok()?;
    let source = match url.scheme() {
        "http" | "https" => url.origin().ascii_serialization(),
        scheme => format!("{scheme}:"),
    };
    let safe = source
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '-' | '+' | '[' | ']'));
    safe.then_some(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_match_and_loopback_ports() {
        let registered = vec![
            "https://app.example/cb".to_owned(),
            "http://127.0.0.1:9000/callback".to_owned(),
            "http://[::1]/cb?x=1".to_owned(),
        ];
        assert!(matches(&registered, "https://app.example/cb"));
        assert!(matches(&registered, "http://127.0.0.1:51000/callback"));
        assert!(matches(&registered, "http://127.0.0.1/callback"));
        assert!(matches(&registered, "http://[::1]:8080/cb?x=1"));
        for near_miss in [
            "https://app.example/cb/",
            "https://APP.example/cb",
            "https://app.example/cb?x=1",
            "http://app.example/cb",
            "https://user@app.example/cb",
            "http://127.0.0.1:9000/callback/",
            "http://127.0.0.1.evil.example/callback",
            "http://127.0.0.1:99999/callback",
            "http://localhost:9000/callback",
            "http://[::1]:8080/cb",
        ] {
            assert!(!matches(&registered, near_miss), "{near_miss}");
        }
    }

    #[test]
    fn registrable_uris() {
        assert!(check_registered("https://app.example/cb", None).is_ok());
        assert!(check_registered("http://127.0.0.1:9000/cb", None).is_ok());
        assert!(check_registered("com.example.app:/cb", None).is_ok());
        assert!(check_registered("http://jot.test:8080/demo/callback", Some("jot.test")).is_ok());
        for bad in [
            "http://app.example/cb",
            "https://app.example/cb#x",
            "https://u:p@app.example/cb",
            "javascript:alert(1)",
            "/relative",
            "https://app.example/a b",
        ] {
            assert!(check_registered(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn params_are_appended() {
        assert_eq!(
            with_params("https://a/cb", &[("code", "x y"), ("state", "s&t")]),
            "https://a/cb?code=x+y&state=s%26t"
        );
        assert_eq!(
            with_params("https://a/cb?k=v", &[("a", "1")]),
            "https://a/cb?k=v&a=1"
        );
        assert_eq!(
            csp_source("http://127.0.0.1:9000/cb").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            csp_source("com.example.app:/cb").as_deref(),
            Some("com.example.app:")
        );
    }
}

//! The request URL of RFC 9449 §4.3: `htu` and the URL it must match, both
//! normalised the same way (RFC 3986 §6.2.2 and §6.2.3) without query and fragment.

use reqwest::Url;

/// The origin of `url`: its scheme, host and port, with the path `/`.
pub(super) fn origin_of(url: &Url) -> Url {
    let mut origin = url.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    origin
}

/// The normalised URL of a request for `path` (as the request line has it) on
/// `origin`: what `htu` must equal.
pub(super) fn request_url(origin: &Url, path: &str) -> Option<String> {
    let base = origin.as_str().trim_end_matches('/');
    let slash = if path.starts_with('/') { "" } else { "/" };
    // Appended as text, never `Url::join`: a path such as `//other.example/x`
    // must stay a path on this origin.
    let url = Url::parse(&format!("{base}{slash}{path}")).ok()?;
    Some(comparable(&url))
}

/// The normalised form of a proof's `htu`: an absolute `http` or `https` URL, its
/// query and fragment dropped.
pub(super) fn normalise_htu(htu: &str) -> Option<String> {
    let url = Url::parse(htu).ok()?;
    if !matches!(url.scheme(), "https" | "http") || url.cannot_be_a_base() {
        return None;
    }
    Some(comparable(&url))
}

/// Scheme and host lowercased, default port removed (the URL parser does both),
/// dot segments resolved (so does it), user information dropped, then the path's
/// percent-encoding normalised: unreserved characters decoded, hex digits upper case.
fn comparable(url: &Url) -> String {
    let mut out = url.origin().ascii_serialization();
    let path = url.path();
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| hex_pair(bytes[i + 1], bytes[i + 2]))
            .flatten();
        match escaped {
            Some(byte) if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) => {
                out.push(char::from(byte));
                i += 3;
            }
            Some(byte) => {
                out.push('%');
                out.push_str(&format!("{byte:02X}"));
                i += 3;
            }
            None => {
                // The parser leaves the path ASCII (everything else percent-encoded).
                out.push(char::from(bytes[i]));
                i += 1;
            }
        }
    }
    out
}

fn hex_pair(high: u8, low: u8) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16);
    let value = digit(high)? * 16 + digit(low)?;
    u8::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(s: &str) -> Url {
        origin_of(&Url::parse(s).unwrap())
    }

    #[test]
    fn htu_is_normalised() {
        let expected = request_url(&origin("https://api.example.com/mcp"), "/mcp").unwrap();
        assert_eq!(expected, "https://api.example.com/mcp");
        for same in [
            "https://api.example.com/mcp",
            "HTTPS://API.Example.COM/mcp",
            "https://api.example.com:443/mcp",
            "https://api.example.com/mcp?x=1",
            "https://api.example.com/mcp#frag",
            "https://api.example.com/a/../mcp",
            "https://api.example.com/m%63p",
            "https://user@api.example.com/mcp",
        ] {
            assert_eq!(
                normalise_htu(same).as_deref(),
                Some(expected.as_str()),
                "{same}"
            );
        }
        for other in [
            "https://api.example.com/MCP",
            "http://api.example.com/mcp",
            "https://api.example.com:8443/mcp",
            "https://api.example.org/mcp",
            "https://api.example.com/mcp/",
        ] {
            assert_ne!(
                normalise_htu(other).as_deref(),
                Some(expected.as_str()),
                "{other}"
            );
        }
        assert_eq!(normalise_htu("/mcp"), None);
        assert_eq!(normalise_htu("ftp://api.example.com/mcp"), None);
        assert_eq!(normalise_htu("mailto:a@example.com"), None);
    }

    #[test]
    fn escapes_keep_their_meaning() {
        assert_eq!(
            normalise_htu("https://a.example/x%2fy%2Fz").as_deref(),
            Some("https://a.example/x%2Fy%2Fz")
        );
        assert_eq!(
            request_url(&origin("http://127.0.0.1:8080"), "/x%2Fy%2fz").as_deref(),
            Some("http://127.0.0.1:8080/x%2Fy%2Fz")
        );
    }

    #[test]
    fn a_path_never_changes_the_origin() {
        let o = origin("https://api.example.com");
        assert_eq!(
            request_url(&o, "//evil.example/mcp").as_deref(),
            Some("https://api.example.com//evil.example/mcp")
        );
        assert_eq!(
            request_url(&o, "*").as_deref(),
            Some("https://api.example.com/*")
        );
    }
}

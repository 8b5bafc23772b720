//! Reading an OAuth request: the form body (RFC 6749 Appendix B) and the client
//! credentials it or its `Authorization` header carries (§2.3.1).

use axum::body::Body;
use base64::Engine as _;
use http::{HeaderMap, header};

use crate::OAuthError;

/// The largest form body accepted.
pub(crate) const MAX_FORM_LEN: usize = 16 * 1024;

/// A parsed `application/x-www-form-urlencoded` body with no repeated parameter.
#[derive(Debug)]
pub(crate) struct Form {
    params: Vec<(String, String)>,
}

/// The client credentials a request carries.
#[derive(Debug)]
pub(crate) enum Presented {
    /// None at all.
    Nothing,
    /// A `client_id` without a secret (a public client naming itself).
    PublicId(String),
    /// `client_secret_basic` or `client_secret_post`.
    Secret { id: String, secret: String },
}

impl Form {
    /// Reads and parses the body of a request with these headers.
    pub(crate) async fn read(headers: &HeaderMap, body: Body) -> Result<Form, OAuthError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(OAuthError::invalid_request(
                "the body must be application/x-www-form-urlencoded",
            ));
        }
        let bytes = axum::body::to_bytes(body, MAX_FORM_LEN)
            .await
            .map_err(|_| OAuthError::invalid_request("the body is too large or unreadable"))?;
        Form::parse(&bytes)
    }

    /// Parses a form body: UTF-8, no parameter twice (RFC 6749 §3.2), empty values
    /// treated as absent (§3.1).
    pub(crate) fn parse(bytes: &[u8]) -> Result<Form, OAuthError> {
        if std::str::from_utf8(bytes).is_err() {
            return Err(OAuthError::invalid_request("the body is not UTF-8"));
        }
        let mut params: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(bytes) {
            if params.iter().any(|(n, _)| *n == name) {
                return Err(OAuthError::invalid_request(format!(
                    "parameter {} is repeated",
                    jot_codec::clip_untrusted(&name)
                )));
            }
            if value.contains('\u{FFFD}') || name.contains('\u{FFFD}') {
                return Err(OAuthError::invalid_request("a parameter is not UTF-8"));
            }
            params.push((name.into_owned(), value.into_owned()));
        }
        Ok(Form { params })
    }

    /// The value of a parameter; `None` when absent or empty.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A required parameter.
    pub(crate) fn require(&self, name: &'static str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("parameter {name} is missing")))
    }
}

/// The client credentials of a request: HTTP Basic or the `client_id` /
/// `client_secret` form parameters, never both (RFC 6749 §2.3).
pub(crate) fn presented(headers: &HeaderMap, form: &Form) -> Result<Presented, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(parse_basic(value)?),
    };
    let id = form.get("client_id");
    let secret = form.get("client_secret");
    match (basic, id, secret) {
        (Some(_), _, Some(_)) => Err(OAuthError::invalid_request(
            "the client authenticated with more than one method",
        )),
        (Some((basic_id, basic_secret)), id, None) => {
            if id.is_some_and(|id| id != basic_id) {
                return Err(OAuthError::invalid_request(
                    "client_id differs from the authenticated client",
                ));
            }
            Ok(Presented::Secret {
                id: basic_id,
                secret: basic_secret,
            })
        }
        (None, Some(id), Some(secret)) => Ok(Presented::Secret {
            id: id.to_owned(),
            secret: secret.to_owned(),
        }),
        (None, None, Some(_)) => Err(OAuthError::invalid_request(
            "client_secret without client_id",
        )),
        (None, Some(id), None) => Ok(Presented::PublicId(id.to_owned())),
        (None, None, None) => Ok(Presented::Nothing),
    }
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`.
fn parse_basic(value: &http::HeaderValue) -> Result<(String, String), OAuthError> {
    let malformed = || OAuthError::invalid_request("malformed Basic authorization header");
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, credentials) = value.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        // Another scheme: not a client authentication this issuer knows.
        return Err(OAuthError::invalid_client());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credentials.trim())
        .map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let (id, secret) = (form_decode(id), form_decode(secret));
    if id.is_empty() {
        return Err(malformed());
    }
    Ok((id, secret))
}

/// Undoes `application/x-www-form-urlencoded` encoding of one value with
/// `form_urlencoded` (as [`Form::parse`] does for a body); a value that is not
/// validly encoded (a `%` not followed by two hex digits, bytes that are not UTF-8
/// once decoded) is taken as it is.
fn form_decode(s: &str) -> String {
    if !s.contains(['%', '+']) {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let escapes_valid = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_valid {
        return s.to_owned();
    }
    // One value, not a form: `&` and `=` are data here, so they are escaped before
    // `form_urlencoded` would split on them.
    let escaped = s.replace('&', "%26").replace('=', "%3D");
    let decoded: String = form_urlencoded::parse(escaped.as_bytes())
        .map(|(name, _)| name)
        .collect();
    // `form_urlencoded` decodes lossily: a new U+FFFD means bytes that were not UTF-8.
    if decoded.matches('\u{FFFD}').count() > s.matches('\u{FFFD}').count() {
        return s.to_owned();
    }
    decoded
}

/// Splits and checks a `scope` value (RFC 6749 §3.3): space-separated tokens of
/// `%x21 / %x23-5B / %x5D-7E`, at least one (a value of spaces only is no scope:
/// `invalid_scope`).
pub(crate) fn parse_scope(value: &str) -> Result<Vec<String>, OAuthError> {
    let mut out: Vec<String> = Vec::new();
    for token in value.split(' ').filter(|t| !t.is_empty()) {
        let valid = token
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E));
        if !valid {
            return Err(OAuthError::invalid_scope("malformed scope"));
        }
        if !out.iter().any(|s| s == token) {
            out.push(token.to_owned());
        }
    }
    if out.is_empty() {
        return Err(OAuthError::invalid_scope(
            "the scope is empty (only spaces)",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_refuse_repeats_and_ignore_empty_values() {
        let form = Form::parse(b"a=1&b=&c=x+y%21").unwrap();
        assert_eq!(
            (form.get("a"), form.get("b"), form.get("c")),
            (Some("1"), None, Some("x y!"))
        );
        assert!(Form::parse(b"a=1&a=2").is_err());
        assert!(Form::parse(b"a=%FF").is_err());
        assert!(Form::parse(&[b'a', b'=', 0xFF]).is_err());
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let value = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("my%20id:p%3Aw+d")
        );
        let (id, secret) = parse_basic(&http::HeaderValue::from_str(&value).unwrap()).unwrap();
        assert_eq!((id.as_str(), secret.as_str()), ("my id", "p:w d"));
        assert_eq!(form_decode("100%"), "100%");
        // `&` and `=` are data in one value (base64 secrets end with `=`).
        assert_eq!(form_decode("a%2Bb=&c;d+e"), "a+b=&c;d e");
        assert_eq!(form_decode("%41%"), "%41%");
        assert_eq!(form_decode("%FF+x"), "%FF+x");
        assert_eq!(form_decode("caf%C3%A9"), "caf\u{e9}");
        assert_eq!(form_decode(""), "");
    }

    #[test]
    fn scopes_are_checked() {
        assert_eq!(parse_scope("a  b a").unwrap(), ["a", "b"]);
        assert!(parse_scope("a\"b").is_err());
        assert!(parse_scope("caf\u{e9}").is_err());
        assert!(parse_scope(" ").is_err());
        assert!(parse_scope("   ").is_err());
    }
}

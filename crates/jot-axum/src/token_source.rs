//! Where a request carries its token: the `Authorization` header, a cookie, or a
//! header of the application's choosing.

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE, HeaderName};

/// One place a token is looked for. [`JwtAuth`](crate::JwtAuth) tries its sources
/// in order and takes the first token found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1). Another scheme (e.g. `Basic`)
    /// counts as no token; two `Authorization` headers, `Bearer` with no token or
    /// more than one, or characters outside the `b64token` syntax are an
    /// `invalid_request` (400).
    AuthorizationBearer,
    /// The value of the named cookie (the first, if the request has it twice).
    Cookie(String),
    /// The whole value of the named header (e.g. `X-Access-Token`); two of them are
    /// an `invalid_request`.
    Header(HeaderName),
}

/// A malformed way of sending a token: becomes `invalid_request`.
pub(crate) type Malformed = &'static str;

impl TokenSource {
    /// The token this source finds in `headers`, `Ok(None)` when it finds none.
    pub(crate) fn find<'h>(&self, headers: &'h HeaderMap) -> Result<Option<&'h str>, Malformed> {
        match self {
            TokenSource::AuthorizationBearer => bearer(headers),
            TokenSource::Cookie(name) => Ok(cookie(headers, name)),
            TokenSource::Header(name) => {
                let mut values = headers.get_all(name).iter();
                let Some(value) = values.next() else {
                    return Ok(None);
                };
                if values.next().is_some() {
                    return Err("more than one token header");
                }
                let value = value.to_str().map_err(|_| "malformed token header")?.trim();
                if value.is_empty() {
                    return Ok(None);
                }
                check_token_syntax(value).map(Some)
            }
        }
    }
}

fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Malformed> {
    authorization(headers, "bearer")
}

/// `Authorization: DPoP <token>` (RFC 9449 §7.1): the same rules as for `Bearer`;
/// another scheme counts as no token.
pub(crate) fn dpop(headers: &HeaderMap) -> Result<Option<&str>, Malformed> {
    authorization(headers, "dpop")
}

/// The token of an `Authorization` header of `scheme` (lowercase, compared
/// case-insensitively), with the `b64token` syntax both schemes share.
fn authorization<'h>(headers: &'h HeaderMap, scheme: &str) -> Result<Option<&'h str>, Malformed> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err("more than one Authorization header");
    }
    // Every request with a token comes this way: the common, well-formed case in one
    // pass over the bytes; anything else takes the path below, which says what is wrong.
    if let Some(token) = well_formed(value.as_bytes(), scheme) {
        return Ok(Some(token));
    }
    let Ok(value) = value.to_str() else {
        return Err("malformed Authorization header");
    };
    let value = value.trim_matches(|c| c == ' ' || c == '\t');
    let (found, rest) = match value.find([' ', '\t']) {
        Some(i) => (&value[..i], &value[i..]),
        None => (value, ""),
    };
    if !found.eq_ignore_ascii_case(scheme) {
        // Another authentication scheme: not this one, so no token.
        return Ok(None);
    }
    let token = rest.trim_start_matches([' ', '\t']);
    if token.is_empty() {
        return Err(if scheme == "dpop" {
            "DPoP without a token"
        } else {
            "Bearer without a token"
        });
    }
    if token.contains([' ', '\t', ',']) {
        return Err("more than one token in the Authorization header");
    }
    check_token_syntax(token).map(Some)
}

/// RFC 6750 §2.1 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
/// The token of `<scheme> <token>` (SP or HTAB around and between) when the token
/// is a well-formed RFC 6750 `b64token`: the answer the full path would give, found
/// faster. `None` for everything else, including other schemes.
fn well_formed<'h>(value: &'h [u8], scheme: &str) -> Option<&'h str> {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !blank(b))?;
    let end = value.iter().rposition(|b| !blank(b))? + 1;
    let value = &value[start..end];
    let (found, rest) = value.split_at(value.iter().position(blank)?);
    if !found.eq_ignore_ascii_case(scheme.as_bytes()) {
        return None;
    }
    let token = &rest[rest.iter().position(|b| !blank(b))?..];
    let body = &token[..token.iter().rposition(|b| *b != b'=')? + 1];
    if !b64token(body) {
        return None;
    }
    // ASCII only, as `b64token` just checked.
    std::str::from_utf8(token).ok()
}

/// Whether every byte is a `b64token` character other than `=` (RFC 6750 §2.1):
/// `ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"`. Branch-free per byte, so the
/// compiler checks many bytes at a time.
fn b64token(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        let mark =
            (b == b'-') | (b == b'.') | (b == b'_') | (b == b'~') | (b == b'+') | (b == b'/');
        ok & (letter | digit | mark)
    })
}

fn check_token_syntax(token: &str) -> Result<&str, Malformed> {
    let body = token.trim_end_matches('=');
    if !body.is_empty() && b64token(body.as_bytes()) {
        Ok(token)
    } else {
        Err("malformed access token")
    }
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| n.trim() == name)
        .map(|(_, v)| v.trim().trim_matches('"'))
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with(name: &'static str, values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn b64token_is_exactly_the_rfc_6750_set() {
        for b in 0..=u8::MAX {
            let expected =
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
            assert_eq!(b64token(&[b]), expected, "byte {b:#04x}");
        }
        assert!(b64token(b""));
    }

    #[test]
    fn the_fast_path_agrees_with_the_full_one() {
        let values: &[&[u8]] = &[
            b"Bearer a.b.c",
            b"bearer   a.b.c  ",
            b"\tBEARER\ta.b.c==\t",
            b"Bearer a.b.c=",
            b"Bearer a.b=.c",
            b"Bearer ==",
            b"Bearer",
            b"Bearer ",
            b"Bearer a.b.c d.e.f",
            b"Bearer a.b.c,d",
            b"Bearer a\"b",
            b"Bearer a.b.\xc3\xa9",
            b"Basic dXNlcjpwdw==",
            b"DPoP a.b.c",
            b"Bearerx a.b.c",
            b"",
            b"   ",
        ];
        for value in values {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
            for scheme in ["bearer", "dpop"] {
                let fast = well_formed(value, scheme);
                let full = authorization(&headers, scheme);
                if let Some(token) = fast {
                    assert_eq!(full, Ok(Some(token)), "{value:?}");
                }
                // And the full path accepts nothing the fast path refuses but these
                // (`None` from the fast path only means "ask the full path").
                if let Ok(Some(token)) = full {
                    assert_eq!(fast, Some(token), "{value:?}");
                }
            }
        }
    }

    #[test]
    fn bearer_forms() {
        let s = TokenSource::AuthorizationBearer;
        assert_eq!(
            s.find(&with("authorization", &["Bearer a.b.c"])),
            Ok(Some("a.b.c"))
        );
        assert_eq!(
            s.find(&with("authorization", &["bearer   a.b.c  "])),
            Ok(Some("a.b.c"))
        );
        assert_eq!(
            s.find(&with("authorization", &["Basic dXNlcjpwdw=="])),
            Ok(None)
        );
        assert_eq!(s.find(&HeaderMap::new()), Ok(None));
        assert!(s.find(&with("authorization", &["Bearer"])).is_err());
        assert!(
            s.find(&with("authorization", &["Bearer a.b.c d.e.f"]))
                .is_err()
        );
        assert!(
            s.find(&with("authorization", &["Bearer a.b.c", "Bearer x.y.z"]))
                .is_err()
        );
        assert!(s.find(&with("authorization", &["Bearer a\"b"])).is_err());
    }

    #[test]
    fn dpop_scheme() {
        assert_eq!(
            dpop(&with("authorization", &["DPoP a.b.c"])),
            Ok(Some("a.b.c"))
        );
        assert_eq!(
            dpop(&with("authorization", &["dpop a.b.c"])),
            Ok(Some("a.b.c"))
        );
        assert_eq!(dpop(&with("authorization", &["Bearer a.b.c"])), Ok(None));
        assert_eq!(
            dpop(&with("authorization", &["DPoP"])),
            Err("DPoP without a token")
        );
        assert!(dpop(&with("authorization", &["DPoP a b"])).is_err());
        assert_eq!(
            TokenSource::AuthorizationBearer.find(&with("authorization", &["DPoP a.b.c"])),
            Ok(None)
        );
    }

    #[test]
    fn cookies() {
        let s = TokenSource::Cookie("at".into());
        assert_eq!(
            s.find(&with("cookie", &["a=1; at=x.y.z; b=2"])),
            Ok(Some("x.y.z"))
        );
        assert_eq!(s.find(&with("cookie", &["a=1", "at=t"])), Ok(Some("t")));
        assert_eq!(s.find(&with("cookie", &["att=1; a=t"])), Ok(None));
        assert_eq!(s.find(&with("cookie", &["at="])), Ok(None));
    }
}

//! Tokens the loads need, got from a running `jot serve` over plain HTTP/1.1
//! (std only): an access token (`client_credentials`) to introspect, and refresh
//! tokens through the authorization code flow with PKCE, signed in once.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest as _, Sha256};

/// An answer: status, headers (names lowercase) and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request on a new connection (`Connection: close`) to `addr` (`HOST:PORT`).
pub(crate) fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Answer> {
    let mut stream = TcpStream::connect(addr).with_context(|| format!("connect {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text
        .split_once("\r\n\r\n")
        .with_context(|| format!("{method} {path}: no complete answer"))?;
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("{method} {path}: no status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        body.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    body
}

/// `Authorization: Basic …` for `id:secret`.
pub(crate) fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64(format!("{id}:{secret}").as_bytes(), false)
    )
}

/// An access token of `id` by `client_credentials`.
pub(crate) fn access_token(addr: &str, id: &str, secret: &str) -> Result<String> {
    let answer = http(
        addr,
        "POST",
        "/token",
        &[
            ("Authorization", &basic(id, secret)),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "grant_type=client_credentials",
    )?;
    ensure!(answer.status == 200, "client_credentials: {}", answer.body);
    json_string(&answer.body, "access_token").context("no access_token")
}

/// A web client and a user of it, for the authorization code flow.
pub(crate) struct CodeFlow<'a> {
    pub(crate) client: (&'a str, &'a str),
    pub(crate) redirect_uri: &'a str,
    pub(crate) user: (&'a str, &'a str),
}

impl CodeFlow<'_> {
    /// `count` refresh tokens from `addr`: the user signs in once, then each token
    /// is one `/authorize` (answered at once with a code: a first-party client and
    /// a session) and one code redemption.
    pub(crate) fn refresh_tokens(&self, addr: &str, count: usize) -> Result<Vec<String>> {
        let verifier = "bench-verifier-0123456789abcdefghijklmnopqrstuvwxyz";
        let challenge = base64(&Sha256::digest(verifier.as_bytes()), true);
        let authorize = format!(
            "/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}&state=s&nonce=n\
             &code_challenge={challenge}&code_challenge_method=S256",
            encode(self.client.0),
            encode(self.redirect_uri),
            encode("openid offline_access"),
        );
        let mut cookies = Vec::new();
        let mut tokens = Vec::with_capacity(count);
        while tokens.len() < count {
            let code = self.code(addr, &authorize, &mut cookies)?;
            let body = format!(
                "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={verifier}",
                encode(&code),
                encode(self.redirect_uri)
            );
            let answer = http(
                addr,
                "POST",
                "/token",
                &[
                    ("Authorization", &basic(self.client.0, self.client.1)),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                &body,
            )?;
            ensure!(answer.status == 200, "code redemption: {}", answer.body);
            tokens.push(json_string(&answer.body, "refresh_token").context("no refresh_token")?);
        }
        Ok(tokens)
    }

    /// Follows `/authorize` (signing in when asked) to the code at the redirect URI.
    fn code(&self, addr: &str, authorize: &str, cookies: &mut Vec<String>) -> Result<String> {
        let mut location = authorize.to_owned();
        for _ in 0..6 {
            if let Some(query) = location
                .strip_prefix(self.redirect_uri)
                .and_then(|rest| rest.strip_prefix('?'))
            {
                return query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("code="))
                    .map(decode)
                    .with_context(|| format!("no code in {location}"));
            }
            let cookie = cookies.join("; ");
            let answer = http(addr, "GET", &location, &[("Cookie", &cookie)], "")?;
            absorb(cookies, &answer);
            if (300..400).contains(&answer.status) {
                location = answer.header("location").context("no Location")?.to_owned();
                continue;
            }
            ensure!(answer.status == 200, "{location}: {}", answer.status);
            let field =
                |name| hidden_field(&answer.body, name).with_context(|| format!("no {name} field"));
            let form = format!(
                "username={}&password={}&csrf={}&request={}",
                encode(self.user.0),
                encode(self.user.1),
                encode(&field("csrf")?),
                encode(&field("request")?)
            );
            let cookie = cookies.join("; ");
            let answer = http(
                addr,
                "POST",
                "/login",
                &[
                    ("Cookie", &cookie),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                &form,
            )?;
            absorb(cookies, &answer);
            ensure!(
                (300..400).contains(&answer.status),
                "sign-in refused ({}): {}",
                answer.status,
                answer.body
            );
            location = answer.header("location").context("no Location")?.to_owned();
        }
        bail!("no code after six steps: {location}")
    }
}

/// Keeps each `Set-Cookie`'s `name=value`, replacing an older one of that name.
fn absorb(cookies: &mut Vec<String>, answer: &Answer) {
    for (name, value) in &answer.headers {
        if name != "set-cookie" {
            continue;
        }
        let pair = value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let key = pair.split('=').next().unwrap_or_default().to_owned();
        cookies.retain(|c| c.split('=').next() != Some(key.as_str()));
        cookies.push(pair);
    }
}

/// The `value` of the input named `name` in an HTML form.
fn hidden_field(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let value = html[start..end]
        .split("value=\"")
        .nth(1)?
        .split('"')
        .next()?;
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The string member `name` of a flat JSON object.
pub(crate) fn json_string(json: &str, name: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value.get(name)?.as_str().map(str::to_owned)
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Undoes [`encode`] (and `+` for a space).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Base64 of `bytes`: the URL-safe alphabet without padding (`url`), else the
/// standard one with padding.
pub(crate) fn base64(bytes: &[u8], url: bool) -> String {
    let alphabet: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[(n >> (18 - 6 * i) & 63) as usize]));
        }
        if !url {
            out.push_str(&"=".repeat(3 - chunk.len()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_both_alphabets() {
        assert_eq!(base64(b"svc:secret", false), "c3ZjOnNlY3JldA==");
        assert_eq!(base64(b"ab", false), "YWI=");
        assert_eq!(base64(&[0xfb, 0xff], true), "-_8");
        assert_eq!(base64(b"abc", true), "YWJj");
    }

    #[test]
    fn percent_encoding_round_trips() {
        let text = "http://127.0.0.1:9/callback?a=b c";
        assert_eq!(
            encode(text),
            "http%3A%2F%2F127.0.0.1%3A9%2Fcallback%3Fa%3Db%20c"
        );
        assert_eq!(decode(&encode(text)), text);
        assert_eq!(decode("a+b%2"), "a b%2");
    }

    #[test]
    fn finds_form_fields_and_chunked_bodies() {
        let html = r#"<form><input type="hidden" name="csrf" value="a&amp;b"></form>"#;
        assert_eq!(hidden_field(html, "csrf").as_deref(), Some("a&b"));
        assert_eq!(hidden_field(html, "request"), None);
        assert_eq!(dechunk("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), "abcde");
    }
}

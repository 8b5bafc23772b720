//! `jot dpop`: a DPoP proof (RFC 9449 §4.2) for one request, signed with the
//! client's private key, its public part in the header.

use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use jot_algorithms::{AlgorithmFamily, SigningKey};
use jot_codec::{Header, base64url};
use serde_json::{Map, Value, json};

use crate::cli::DpopArgs;
use crate::cmd::{now, random_id};
use crate::input::read_token;
use crate::keys;

/// The members of a public JWK that a proof's `jwk` header carries: the key, and
/// nothing about it (no `kid`, `alg` or `use`).
const PUBLIC_MEMBERS: [&str; 6] = ["kty", "crv", "x", "y", "n", "e"];

pub(super) fn run(args: &DpopArgs) -> Result<ExitCode> {
    let key = keys::signing_key(
        Some(&args.key),
        None,
        args.alg.map(|a| a.0),
        args.kid.as_deref(),
    )?;
    if key.algorithm().family() == AlgorithmFamily::Hmac {
        bail!(
            "{} holds an HMAC secret: a DPoP proof is signed with the client's private key \
             (EC, Ed25519 or RSA; `jot keygen ES256 --out client.jwk` makes one)",
            args.key.display()
        );
    }
    let access_token = args
        .access_token
        .as_deref()
        .map(|arg| read_token(Some(arg)))
        .transpose()?
        .map(|token| strip_dpop_scheme(&token).to_owned());
    let proof = Proof {
        method: &args.method,
        url: &args.url,
        access_token: access_token.as_deref(),
        nonce: args.nonce.as_deref(),
    };
    let token = proof.sign(&key, now(), &random_id()?)?;
    crate::exit::print(&format!("{token}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// What a proof says about its request.
struct Proof<'a> {
    method: &'a str,
    url: &'a str,
    access_token: Option<&'a str>,
    nonce: Option<&'a str>,
}

impl Proof<'_> {
    /// The signed proof, issued at `iat` with the id `jti`.
    fn sign(&self, key: &SigningKey, iat: u64, jti: &str) -> Result<String> {
        if self.method.is_empty() || !self.method.bytes().all(is_token_char) {
            bail!("--method {:?} is not an HTTP method", self.method);
        }
        let mut header = Header::new().typ("dpop+jwt");
        header.jwk = Some(public_jwk(key)?);
        let mut claims = json!({
            "jti": jti,
            "htm": self.method,
            "htu": htu(self.url)?,
            "iat": iat,
        });
        if let Some(token) = self.access_token {
            claims["ath"] = ath(token).into();
        }
        if let Some(nonce) = self.nonce {
            claims["nonce"] = nonce.into();
        }
        jot_codec::encode(key, &header, &claims).context("cannot sign the proof")
    }
}

/// The public JWK of `key`, bare: the members of its key type only.
fn public_jwk(key: &SigningKey) -> Result<Map<String, Value>> {
    let jwk = key.verifying_key().to_jwk().map_err(keys::explain)?;
    let Value::Object(mut map) = serde_json::to_value(jwk).context("cannot show the key")? else {
        bail!("a JWK is not a JSON object");
    };
    map.retain(|name, _| PUBLIC_MEMBERS.contains(&name.as_str()));
    Ok(map)
}

/// `htu`: the request URL without query and fragment (RFC 9449 §4.2), scheme
/// and host lowercased and a default port left out (as servers compare it).
fn htu(url: &str) -> Result<String> {
    let mut parsed = url::Url::parse(url).map_err(|e| anyhow!("--url {url:?}: {e}"))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.cannot_be_a_base() {
        bail!("--url {url:?}: an http:// or https:// URL is needed");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        bail!("--url {url:?}: leave the user name and password out of the URL");
    }
    parsed.set_query(None);
    parsed.set_fragment(None);
    Ok(parsed.into())
}

/// `ath`: base64url(SHA-256(the access token)).
fn ath(token: &str) -> String {
    base64url::encode(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref())
}

/// A token whose `DPoP ` scheme (as in an `Authorization` header) was pasted with it.
fn strip_dpop_scheme(token: &str) -> &str {
    match token.get(..5) {
        Some(scheme) if scheme.eq_ignore_ascii_case("dpop ") => token[5..].trim_start(),
        _ => token,
    }
}

/// A character of an HTTP method (a `token` of RFC 9110 §5.6.2).
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htu_drops_query_and_fragment_and_normalises() {
        assert_eq!(
            htu("HTTPS://API.Example.com:443/a/./b?x=1#f").unwrap(),
            "https://api.example.com/a/b"
        );
        assert_eq!(
            htu("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/"
        );
        for bad in ["ftp://x/", "mailto:a@b", "/relative", "https://u:p@x/"] {
            assert!(htu(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ath_is_the_rfc_9449_example() {
        // RFC 9449 §7.1: the access token and its ath.
        assert_eq!(
            ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }

    #[test]
    fn dpop_scheme_is_stripped_and_methods_checked() {
        assert_eq!(strip_dpop_scheme("DPoP abc"), "abc");
        assert_eq!(strip_dpop_scheme("abc"), "abc");
        assert!(is_token_char(b'G') && !is_token_char(b' '));
    }
}

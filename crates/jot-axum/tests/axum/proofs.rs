//! DPoP helpers: client keys, proofs (good ones, and ones with one thing wrong),
//! bound access tokens and requests that carry them.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::{Request, header};
use jot_algorithms::{Algorithm, SigningKey};
use jot_codec::Header;
use ring::digest;
use serde_json::{Map, Value, json};

use crate::support::{claims, mint, now};

/// The resource every DPoP test protects.
pub const RESOURCE: &str = "https://api.example.com/mcp";

/// A fresh client key for DPoP proofs.
pub fn client_key(alg: Algorithm) -> SigningKey {
    SigningKey::generate(alg).unwrap()
}

/// The public JWK of `key` as a JSON object (for the proof header).
pub fn public_jwk(key: &SigningKey) -> Map<String, Value> {
    match serde_json::to_value(key.verifying_key().to_jwk().unwrap()).unwrap() {
        Value::Object(map) => map,
        other => panic!("a JWK is an object, got {other}"),
    }
}

/// The RFC 7638 thumbprint of `key`.
pub fn jkt(key: &SigningKey) -> String {
    key.thumbprint().unwrap()
}

/// base64url(SHA-256(token)).
pub fn ath(token: &str) -> String {
    jot_codec::base64url::encode(digest::digest(&digest::SHA256, token.as_bytes()).as_ref())
}

/// A new `jti` per call.
pub fn jti() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("jti-{}-{}", now(), NEXT.fetch_add(1, Ordering::SeqCst))
}

/// A proof's parts, to change one before signing.
pub struct Proof {
    pub header: Header,
    pub claims: Value,
}

impl Proof {
    /// A good proof by `key` for `method` `url`, bound to `token`.
    pub fn new(key: &SigningKey, method: &str, url: &str, token: &str) -> Proof {
        let mut header = Header::new().typ("dpop+jwt");
        header.jwk = Some(public_jwk(key));
        Proof {
            header,
            claims: json!({
                "jti": jti(),
                "htm": method,
                "htu": url,
                "iat": now(),
                "ath": ath(token),
            }),
        }
    }

    /// Sets (or with `null`, removes) one claim.
    pub fn claim(mut self, name: &str, value: Value) -> Proof {
        let map = self.claims.as_object_mut().unwrap();
        if value.is_null() {
            map.remove(name);
        } else {
            map.insert(name.into(), value);
        }
        self
    }

    /// Signs with `key` (whatever the header's `jwk` says).
    pub fn sign(&self, key: &SigningKey) -> String {
        jot_codec::encode(key, &self.header, &self.claims).unwrap()
    }
}

/// A good proof, signed.
pub fn proof(key: &SigningKey, method: &str, url: &str, token: &str) -> String {
    Proof::new(key, method, url, token).sign(key)
}

/// An access token for `RESOURCE` signed by `issuer`, bound to `client` when given,
/// with `extra` claims.
pub fn access_token(issuer: &SigningKey, client: Option<&SigningKey>, extra: Value) -> String {
    let mut c = claims(json!({"aud": RESOURCE, "scope": "mcp:tools"}));
    if let Some(client) = client {
        c["cnf"] = json!({"jkt": jkt(client)});
    }
    if let (Some(c), Value::Object(extra)) = (c.as_object_mut(), extra) {
        c.extend(extra);
    }
    mint(issuer, c)
}

/// `METHOD uri` with `Authorization: DPoP token` and each proof as a `DPoP` header.
pub fn dpop_request(method: &str, uri: &str, token: &str, proofs: &[&str]) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("DPoP {token}"));
    for proof in proofs {
        request = request.header("dpop", *proof);
    }
    request.body(Body::empty()).unwrap()
}

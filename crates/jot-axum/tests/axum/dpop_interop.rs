//! DPoP proofs made by an independent implementation, Python's `joserfc`
//! (installed by the project's installer, `cargo xtask deps`): its keys, its
//! RFC 7638 thumbprints, its JWS. jot-axum accepts them, with and without server
//! nonces, and still refuses a joserfc proof for another URL.

use std::process::Command;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::dpop::{assert_dpop_error, setup};
use crate::proofs::{RESOURCE, access_token, dpop_request};
use crate::support::send;
use jot_axum::{Dpop, HmacNonces};

/// `key ALG` prints `{"jwk": private JWK, "jkt": thumbprint}`; `proof JWK ALG HTM
/// HTU TOKEN [NONCE]` prints a DPoP proof.
const SCRIPT: &str = r#"
import base64, hashlib, json, secrets, sys, time, warnings
warnings.simplefilter("ignore")
from joserfc import jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey, import_key

def generate(alg):
    if alg.startswith("ES"):
        return ECKey.generate_key({"ES256": "P-256", "ES384": "P-384"}[alg])
    if alg == "EdDSA":
        return OKPKey.generate_key("Ed25519")
    return RSAKey.generate_key(2048)

if sys.argv[1] == "key":
    key = generate(sys.argv[2])
    print(json.dumps({"jwk": key.as_dict(private=True), "jkt": key.thumbprint()}))
else:
    _, _, jwk, alg, htm, htu, token, *nonce = sys.argv
    key = import_key(json.loads(jwk))
    ath = base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
    claims = {"jti": secrets.token_urlsafe(16), "htm": htm, "htu": htu, "iat": int(time.time()), "ath": ath}
    if nonce:
        claims["nonce"] = nonce[0]
    header = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    print(jwt.encode(header, claims, key, algorithms=[alg]))
"#;

fn python(args: &[&str]) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "joserfc script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A joserfc key: its private JWK (JSON) and joserfc's thumbprint of it.
fn joserfc_key(alg: &str) -> (String, String) {
    let out: Value = serde_json::from_str(&python(&["key", alg])).unwrap();
    (
        out["jwk"].to_string(),
        out["jkt"].as_str().unwrap().to_owned(),
    )
}

fn ensure_joserfc() {
    if let Err(e) = crate::deps::ensure_python(&[crate::deps::JOSERFC]) {
        panic!("joserfc interop test: {e}");
    }
}

#[tokio::test]
async fn proofs_made_by_joserfc_are_accepted() {
    ensure_joserfc();
    for alg in ["ES256", "ES384", "EdDSA", "PS256", "RS256"] {
        let s = setup(Dpop::new());
        let (jwk, jkt) = joserfc_key(alg);
        // The token is bound to joserfc's thumbprint: jot's of the proof's key must agree.
        let token = access_token(&s.issuer, None, json!({"cnf": {"jkt": jkt}}));
        let proof = python(&["proof", &jwk, alg, "GET", RESOURCE, &token]);
        let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&proof])).await;
        assert_eq!(reply.status, StatusCode::OK, "{alg}: {}", reply.body);
        assert_eq!(reply.body, jkt, "{alg}");

        // A joserfc proof for another URL is refused all the same.
        let proof = python(&[
            "proof",
            &jwk,
            alg,
            "GET",
            "https://api.example.com/other",
            &token,
        ]);
        let reply = send(&s.app, dpop_request("GET", "/mcp", &token, &[&proof])).await;
        assert_dpop_error(
            &reply,
            "invalid_dpop_proof",
            "DPoP proof htu does not match the request",
        );
    }
}

#[tokio::test]
async fn a_joserfc_client_follows_the_nonce_challenge() {
    ensure_joserfc();
    let s = setup(Dpop::new().nonces(HmacNonces::random().unwrap()));
    let (jwk, jkt) = joserfc_key("ES256");
    let token = access_token(&s.issuer, None, json!({"cnf": {"jkt": jkt}}));
    let proof = python(&["proof", &jwk, "ES256", "POST", RESOURCE, &token]);
    let reply = send(&s.app, dpop_request("POST", "/mcp", &token, &[&proof])).await;
    assert_dpop_error(
        &reply,
        "use_dpop_nonce",
        "the DPoP proof must carry the nonce this server gave",
    );
    let nonce = reply.headers["dpop-nonce"].to_str().unwrap().to_owned();
    let proof = python(&["proof", &jwk, "ES256", "POST", RESOURCE, &token, &nonce]);
    let reply = send(&s.app, dpop_request("POST", "/mcp", &token, &[&proof])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, jkt);
}

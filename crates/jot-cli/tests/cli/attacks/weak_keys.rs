//! Weak keys are refused with exit 2: short HMAC secrets (raw and `oct` JWK),
//! RSA-1024, RSA with e = 1. The secret is never echoed.

use jot_algorithms::Algorithm;
use jot_test_support::forge::{b64, sign_raw};
use serde_json::json;

use super::{hs, key_error, payload, rsa};
use crate::harness::{json, keys, ok, path_str, scratch};

#[test]
fn weak_keys_are_refused_with_exit_2() {
    let dir = scratch();
    let t = sign_raw(&hs(Algorithm::HS256), r#"{"alg":"HS256"}"#, &payload());
    for (alg, len, min) in [
        ("HS256", 31, 32),
        ("HS256", 20, 32),
        ("HS384", 47, 48),
        ("HS512", 63, 64),
    ] {
        let file = dir.join(format!("short-{alg}-{len}"));
        std::fs::write(&file, "s".repeat(len)).unwrap();
        let args: Vec<String> = ["verify", "--alg", alg, "--secret-file", path_str(&file)]
            .map(String::from)
            .to_vec();
        let err = key_error(&args, &t);
        assert!(
            err.contains(&format!(
                "{alg} needs a secret of at least {min} bytes, got {len}"
            )),
            "{err}"
        );
        assert!(!err.contains("sss"), "the secret is never echoed: {err}");
    }
    // An oct JWK that is too short.
    let file = dir.join("short.jwk");
    std::fs::write(
        &file,
        json!({"kty": "oct", "alg": "HS256", "k": b64([7u8; 16])}).to_string(),
    )
    .unwrap();
    let args: Vec<String> = ["verify", "--key", path_str(&file)]
        .map(String::from)
        .to_vec();
    assert!(key_error(&args, &t).contains("HS256 needs a secret of at least 32 bytes, got 16"));

    // RSA-1024 (a real key, its public part) and RSA with e = 1.
    let weak = dir.join("rsa1024.pub.pem");
    std::fs::write(&weak, RSA_1024_PUBLIC_PEM).unwrap();
    let rs = sign_raw(&rsa(Algorithm::RS256), r#"{"alg":"RS256"}"#, &payload());
    let args: Vec<String> = ["verify", "--alg", "RS256", "--key", path_str(&weak)]
        .map(String::from)
        .to_vec();
    let err = key_error(&args, &rs);
    assert!(
        err.contains("RSA key of 1024 bits is too small; at least 2048 bits are required"),
        "{err}"
    );
    let mut e1 = json(&ok(&[
        "jwk",
        "public",
        "--alg",
        "RS256",
        &keys().public("RS256"),
    ]));
    e1["e"] = "AQ".into();
    let file = dir.join("e1.jwk");
    std::fs::write(&file, e1.to_string()).unwrap();
    let args: Vec<String> = ["verify", "--key", path_str(&file)]
        .map(String::from)
        .to_vec();
    let err = key_error(&args, &rs);
    assert!(
        err.contains("RSA public exponent is not acceptable"),
        "{err}"
    );
}

/// A 1024-bit RSA public key (made with `openssl genpkey`; the private half was
/// thrown away).
const RSA_1024_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC+ISA7rdLXbze6JxSrGxKQRAOr
/NC8QKvtpvDAgc00lVsZi9i4A02nyu5bTqFsAqLPYMuj7yfekUzgrBhJkQJvw9lj
B5xzvaQ6tm3Ha5O/hg5a3CAqyR2EH5uqUXymzQ8YPoltC3yBNvWnUtxi60vkxApa
zHJdU3oZIAIh55TQVwIDAQAB
-----END PUBLIC KEY-----
";

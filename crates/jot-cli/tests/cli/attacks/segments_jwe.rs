//! Segment counts other than three, five-segment JWEs, and JWE headers in a
//! three-segment token.

use jot_test_support::forge::{b64, sign_raw};

use super::{es256, es256_args, payload, refused_as};
use crate::harness::{ok, path_str, scratch};

#[test]
fn wrong_segment_counts_and_jwes_are_refused() {
    let good = sign_raw(&es256(), r#"{"alg":"ES256"}"#, &payload());
    let parts: Vec<&str> = good.split('.').collect();
    for n in [1, 2, 4, 6, 7] {
        let t: Vec<&str> = (0..n).map(|i| parts[i % 3]).collect();
        refused_as(
            &es256_args(),
            &t.join("."),
            "malformed",
            &format!(
                "the token has {n} segment{}, a JWS has 3",
                if n == 1 { "" } else { "s" }
            ),
        );
    }
    // A real JWE (five segments), made by `jot encrypt`.
    let dir = scratch();
    let key = dir.join("kw.jwk");
    ok(&["keygen", "A256KW", "--out", path_str(&key)]);
    let jwe = ok(&["encrypt", "--key", path_str(&key), &payload()]);
    refused_as(
        &es256_args(),
        jwe.trim(),
        "encrypted",
        "the token is encrypted (a JWE, 5 segments), not a JWS: verify a nested token with \
         --decrypt-with KEYFILE, or read it with `jot decrypt`",
    );
    refused_as(
        &es256_args(),
        "a.b.c.d.e",
        "encrypted",
        "the token is encrypted (a JWE, 5 segments), not a JWS: verify a nested token with \
         --decrypt-with KEYFILE, or read it with `jot decrypt`",
    );
    // A JWE header in a three-segment token: not a JWS algorithm.
    for alg in ["dir", "RSA-OAEP", "A256KW", "ECDH-ES", "PBES2-HS256+A128KW"] {
        let header = format!(r#"{{"alg":"{alg}","enc":"A256GCM"}}"#);
        let t = format!("{}.{}.{}", b64(&header), b64(payload()), parts[2]);
        refused_as(
            &es256_args(),
            &t,
            "header",
            &format!("unsupported algorithm {alg}"),
        );
    }
}

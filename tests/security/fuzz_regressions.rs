//! Inputs found by the fuzz targets of `fuzz/` (`cargo xtask fuzz`), kept as
//! regression tests. Each runs the input through the same code path as its target.

use jot_algorithms::{Jwk, KeySet, SigningKey, UntrustedToken, VerifyingKey, dangerous};
use serde_json::Value;

/// Runs one input through every parser the fuzz targets cover; none may panic.
pub(crate) fn every_parser(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = UntrustedToken::parse(text);
        let _ = dangerous::decode_unverified::<Value>(text);
        let _ = Jwk::from_json(text).map(|jwk| VerifyingKey::from_jwk_infer(&jwk));
        let _ = KeySet::from_jwks_json(text);
    }
    let _ = SigningKey::from_any_bytes_infer(data);
    let _ = VerifyingKey::from_any_bytes_infer(data);
}

#[test]
fn seeds_and_edge_inputs_do_not_panic() {
    for input in [
        &b""[..],
        b".",
        b"..",
        b"{",
        b"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
        b"-----BEGIN PRIVATE KEY-----\nMA==\n-----END PRIVATE KEY-----\n",
        b"\x30\x80",
        b"\x30\x00",
        b"\x30\x84\xff\xff\xff\xff",
        br#"{"keys":[{"kty":"RSA","n":"AQ","e":"AQ"}]}"#,
        br#"{"kty":"EC","crv":"P-256","x":"","y":""}"#,
        br#"{"kty":"oct","k":""}"#,
    ] {
        every_parser(input);
    }
}

/// Found by `key_import` (artifact crash-a637739d…): the RSA-2048 fixture with one
/// bit of its CRT exponent dP changed. jot imported it and every signature then
/// failed inside ring (which checks each CRT signature before releasing it, so no
/// faulty signature leaks the factors). The import must refuse such a key.
#[test]
fn rsa_key_with_inconsistent_crt_is_refused_at_import() {
    use jot_algorithms::{Algorithm, KeyError, Signer, Verifier};
    let pem = include_str!("data/rsa2048-bad-dp.pkcs1.pem");
    match SigningKey::from_pem(Algorithm::RS256, pem) {
        Err(err) => assert_eq!(err, KeyError::InconsistentKey),
        Ok(key) => {
            let mut sig = Vec::new();
            let signed = key.sign(b"input", &mut sig);
            assert!(
                signed.is_ok(),
                "the key imported but cannot sign: it should have been refused as InconsistentKey"
            );
            key.verifying_key()
                .verify(Algorithm::RS256, None, b"input", &sig)
                .unwrap();
        }
    }
    // Also through from_any_bytes (the path the fuzz target took).
    assert!(matches!(
        SigningKey::from_any_bytes(Algorithm::RS256, pem),
        Err(KeyError::InconsistentKey)
    ));
}

//! The floor: per provider, the unavoidable pieces on the same bytes. Verify: the
//! provider's MAC or signature check, base64url decode of signature and payload, a
//! borrowed read of the header's `alg`, `serde_json::from_slice` into the user's
//! plain struct, one clock read and the `exp` compare. Sign: `serde_json::to_vec`,
//! base64url of header, payload and signature, the provider's MAC or signature.
//! Keys are parsed once, before measuring, wherever the primitive allows.

#[cfg(feature = "aws-lc-rs")]
mod on_aws_lc_rs;
#[cfg(feature = "ring")]
mod on_ring;
#[cfg(feature = "rust-crypto")]
mod on_rust_crypto;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;

use crate::fixture::{Fixture, Flat};
use crate::op::Sink;

/// Registers the floor of every provider enabled in this build.
#[allow(unused_variables)] // a build may enable no provider feature
pub(crate) fn register<S: Sink>(sink: &mut S, fx: &Fixture) {
    #[cfg(feature = "ring")]
    on_ring::register(sink, fx);
    #[cfg(feature = "aws-lc-rs")]
    on_aws_lc_rs::register(sink, fx);
    #[cfg(feature = "rust-crypto")]
    on_rust_crypto::register(sink, fx);
}

/// The header every floor signs (the same bytes jot's `Header::jwt()` writes).
pub(crate) fn header_json(alg: &str) -> Vec<u8> {
    format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).into_bytes()
}

#[derive(Deserialize)]
struct AlgOnly<'a> {
    #[serde(borrow)]
    alg: &'a str,
}

/// Splits off and decodes the signature: the signing input and the signature bytes.
#[allow(clippy::expect_used)] // the shared tokens are well formed
pub(crate) fn split(token: &str) -> (&str, [u8; 512], usize) {
    let (input, sig_b64) = token.rsplit_once('.').expect("three segments");
    let mut sig = [0u8; 512];
    let n = B64
        .decode_slice(sig_b64, &mut sig)
        .expect("signature base64");
    (input, sig, n)
}

/// After the signature check: the header's `alg`, the payload into the struct, one
/// clock read and the `exp` compare.
#[allow(clippy::expect_used)] // the shared tokens are well formed and valid
pub(crate) fn decode(input: &str, alg: &str) -> Flat {
    let (h, p) = input.split_once('.').expect("two segments");
    let mut hb = [0u8; 256];
    let hn = B64.decode_slice(h, &mut hb).expect("header base64");
    let header: AlgOnly<'_> = serde_json::from_slice(&hb[..hn]).expect("header json");
    assert_eq!(header.alg, alg, "alg");
    let payload = B64.decode(p).expect("payload base64");
    let claims: Flat = serde_json::from_slice(&payload).expect("claims json");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    assert!(claims.exp > now, "expired");
    claims
}

/// `header.payload.signature` with `sign` over the signing input.
#[allow(clippy::expect_used)] // a plain struct always serialises
pub(crate) fn encode<T: AsRef<[u8]>>(
    header_json: &[u8],
    claims: &Flat,
    sign: impl FnOnce(&[u8]) -> T,
) -> String {
    let mut out = String::with_capacity(512);
    B64.encode_string(header_json, &mut out);
    out.push('.');
    let json = serde_json::to_vec(claims).expect("json");
    B64.encode_string(&json, &mut out);
    let sig = sign(out.as_bytes());
    out.push('.');
    B64.encode_string(sig.as_ref(), &mut out);
    out
}

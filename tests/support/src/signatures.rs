//! Broken signatures: values of the right length that are no signature (psychic
//! ECDSA signatures, RSA edge values), the DER form JWS does not use, and the
//! non-canonical twin of a valid Ed25519 signature.

/// The group order n of P-256, big-endian hex.
pub const P256_ORDER: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

/// The group order n of P-384, big-endian hex.
pub const P384_ORDER: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";

/// The order L of the Ed25519 base point, little-endian.
pub const ED25519_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// `n`, `n - 1` and `n + 1` of a curve order given in hex, as big-endian bytes of
/// its length.
pub fn order_values(n_hex: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let n = hex::decode(n_hex).expect("hex");
    let mut minus = n.clone();
    *minus.last_mut().expect("not empty") -= 1; // the orders do not end in 0x00
    let mut plus = n.clone();
    *plus.last_mut().expect("not empty") += 1; // nor in 0xff
    (n, minus, plus)
}

/// The ASN.1 DER `Ecdsa-Sig-Value` of a fixed-length `r || s` (what many libraries
/// emit and JWS does not accept, RFC 7518 §3.4).
///
/// ```
/// use jot_test_support::signatures::der_ecdsa;
///
/// // r = 1; s = 0x8000 gets a leading zero byte to stay positive.
/// assert_eq!(der_ecdsa(&[0, 1, 0x80, 0]), [0x30, 8, 2, 1, 1, 2, 3, 0, 0x80, 0]);
/// ```
pub fn der_ecdsa(fixed: &[u8]) -> Vec<u8> {
    let (r, s) = fixed.split_at(fixed.len() / 2);
    let body = [der_integer(r), der_integer(s)].concat();
    let mut out = vec![0x30];
    if body.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(body.len() as u8);
    out.extend(body);
    out
}

/// A valid Ed25519 signature with `L` added to its `S`: the same signature in a
/// non-canonical form (malleability).
pub fn ed25519_s_plus_l(sig: &[u8]) -> Vec<u8> {
    assert_eq!(sig.len(), 64, "an Ed25519 signature");
    let mut forged = sig.to_vec();
    let mut carry = 0u16;
    for (byte, l) in forged[32..].iter_mut().zip(ED25519_L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + L fits in 32 bytes for a canonical S");
    forged
}

/// RSA "signatures" that are no signature for the modulus `n` (big-endian): s = 0,
/// 1, n - 1 and n, each as long as `n`.
pub fn rsa_edge_values(n: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut one = vec![0u8; n.len()];
    *one.last_mut().expect("not empty") = 1;
    let mut n_minus_1 = n.to_vec();
    *n_minus_1.last_mut().expect("not empty") -= 1; // an RSA modulus is odd
    vec![
        ("s = 0", vec![0u8; n.len()]),
        ("s = 1", one),
        ("s = n - 1", n_minus_1),
        ("s = n", n.to_vec()),
    ]
}

/// A positive ASN.1 INTEGER of the big-endian `bytes`.
fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
    if v.first().is_none_or(|&b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    let mut out = vec![0x02, v.len() as u8];
    out.extend(v);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_values_are_one_apart() {
        let (n, minus, plus) = order_values(P256_ORDER);
        assert_eq!(n.len(), 32);
        assert_eq!(n[31], 0x51);
        assert_eq!((minus[31], plus[31]), (0x50, 0x52));
        assert_eq!(order_values(P384_ORDER).0.len(), 48);
    }

    #[test]
    fn s_plus_l_carries() {
        let mut sig = [0u8; 64];
        sig[32] = 0x20;
        let forged = ed25519_s_plus_l(&sig);
        assert_eq!(&forged[..32], &[0u8; 32]);
        assert_eq!(forged[32], 0x0d); // 0x20 + 0xed = 0x10d
        assert_eq!(forged[33], 0xd4); // 0xd3 + the carry
    }

    #[test]
    fn long_der_signatures_use_the_long_length_form() {
        let der = der_ecdsa(&[0xff; 132]);
        assert_eq!(&der[..3], &[0x30, 0x81, 2 * (2 + 67)]);
        assert_eq!(rsa_edge_values(&[0xc5, 0x01])[2].1, [0xc5, 0]);
    }
}

//! Strict base64url without padding (RFC 7515 §2, RFC 4648 §5).
//!
//! Refused: `=` padding, whitespace, `+` and `/`, any other byte outside the
//! URL-safe alphabet, a length of 1 modulo 4, and non-canonical trailing bits
//! (so every byte string has exactly one accepted encoding).
//!
//! ```
//! use jot_codec::base64url;
//! assert_eq!(base64url::encode(b"\xfb\xff"), "-_8");
//! assert_eq!(base64url::decode("-_8").unwrap(), b"\xfb\xff");
//! assert!(base64url::decode("-_8=").is_err()); // padding
//! assert!(base64url::decode("+/8").is_err()); // standard alphabet
//! assert!(base64url::decode("-_9").is_err()); // trailing bits set
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// The input is not strict base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("invalid base64url")]
pub struct Base64Error;

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Encodes `bytes` as base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    ENGINE.encode(bytes)
}

/// Appends the base64url encoding of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    ENGINE.encode_string(bytes, out);
}

/// The length of the encoding of `len` bytes.
pub const fn encoded_len(len: usize) -> usize {
    (len / 3) * 4
        + match len % 3 {
            0 => 0,
            1 => 2,
            _ => 3,
        }
}

/// An upper bound of the decoded length of `len` encoded characters.
pub const fn decoded_len_estimate(len: usize) -> usize {
    len.div_ceil(4) * 3
}

/// Checks that `input` is strict base64url without decoding it.
///
/// ```
/// use jot_codec::base64url;
/// assert!(base64url::check("-_8").is_ok());
/// assert!(base64url::check("-_9").is_err());
/// assert!(base64url::check("ab c").is_err());
/// ```
pub fn check(input: &str) -> Result<(), Base64Error> {
    let bytes = input.as_bytes();
    if bytes.len() % 4 == 1
        || !bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
    {
        return Err(Base64Error);
    }
    let value = |b: u8| match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'-' => 62,
        _ => 63,
    };
    let unused_bits_mask = match bytes.len() % 4 {
        2 => 0x0f,
        3 => 0x03,
        _ => 0,
    };
    match bytes.last() {
        Some(&last) if value(last) & unused_bits_mask != 0 => Err(Base64Error),
        _ => Ok(()),
    }
}

/// Decodes strict base64url.
pub fn decode(input: &str) -> Result<Vec<u8>, Base64Error> {
    let mut out = Vec::with_capacity(decoded_len_estimate(input.len()));
    decode_into(input, &mut out)?;
    Ok(out)
}

/// Decodes strict base64url, appending to `out`.
pub fn decode_into(input: &str, out: &mut Vec<u8>) -> Result<(), Base64Error> {
    ENGINE
        .decode_vec(input.as_bytes(), out)
        .map_err(|_| Base64Error)
}

/// Decodes strict base64url into `out`, returning the number of bytes written;
/// fails if `out` is too small.
pub fn decode_slice(input: &str, out: &mut [u8]) -> Result<usize, Base64Error> {
    ENGINE
        .decode_slice(input.as_bytes(), out)
        .map_err(|_| Base64Error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use proptest::prelude::*;

    #[test]
    fn rejects_every_non_canonical_form() {
        for bad in [
            "AA==", "AAA=", "A", "AAAAA", " AAA", "AA A", "AAA\n", "AA\tA", "a+b/", "ab+c", "ab/c",
            "AB", "AAB", "ab.c", "ab*c", "ä",
        ] {
            assert_eq!(decode(bad), Err(Base64Error), "{bad:?}");
        }
        assert_eq!(decode("AA").unwrap(), [0]);
        assert_eq!(decode("AAA").unwrap(), [0, 0]);
        assert!(decode("").unwrap().is_empty());
    }

    #[test]
    fn encoded_len_is_exact() {
        for n in 0..100 {
            let v = alloc::vec![0xa5u8; n];
            assert_eq!(encode(&v).len(), encoded_len(n));
            assert!(decoded_len_estimate(encoded_len(n)) >= n);
        }
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let s = encode(&bytes);
            prop_assert!(!s.contains(['=', '+', '/']));
            prop_assert_eq!(decode(&s).unwrap(), bytes.clone());
            let mut buf = alloc::vec![0u8; bytes.len()];
            prop_assert_eq!(decode_slice(&s, &mut buf).unwrap(), bytes.len());
        }

        #[test]
        fn check_agrees_with_decode(s in "[A-Za-z0-9_+/= -]{0,12}") {
            prop_assert_eq!(check(&s).is_ok(), decode(&s).is_ok(), "{}", s);
        }

        #[test]
        fn only_one_encoding_is_accepted(bytes in proptest::collection::vec(any::<u8>(), 1..64), pos in any::<usize>(), ch in "[A-Za-z0-9_-]") {
            let s = encode(&bytes);
            let i = pos % s.len();
            let mut alt = String::new();
            alt.push_str(&s[..i]);
            alt.push_str(&ch);
            alt.push_str(&s[i + 1..]);
            if alt != s {
                if let Ok(other) = decode(&alt) {
                    prop_assert_ne!(other, bytes, "{}", format!("{alt} decoded to the same bytes as {s}"));
                }
            }
        }
    }
}

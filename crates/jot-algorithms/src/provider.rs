//! The crypto provider: every cryptographic primitive that jot's token crates use,
//! behind one small set of types, with one implementation chosen per build by a cargo
//! feature.
//!
//! | feature | provider | notes |
//! |---|---|---|
//! | `ring` (default) | [`ring`](https://docs.rs/ring) | |
//! | `aws-lc-rs` | [`aws-lc-rs`](https://docs.rs/aws-lc-rs) (AWS-LC) | the fastest RSA and Ed25519 here; a FIPS build exists (docs/PROVIDERS.md) |
//! | `rust-crypto` | the RustCrypto crates | pure Rust, no C compiler, builds for `wasm32-unknown-unknown` |
//!
//! When several are enabled (features add up across a dependency graph), the one
//! that was asked for on purpose wins: `aws-lc-rs` over `rust-crypto` over `ring`.
//! [`NAME`] says which one a build has. With none enabled the crate does not compile.
//!
//! Keys stay typed by algorithm above this layer ([`SigningKey`](crate::SigningKey),
//! [`VerifyingKey`](crate::VerifyingKey)); the types here are the building blocks that
//! jot-algorithms and jot-jwe call, public so that every jot crate uses the same
//! provider as the tokens it checks.
//!
//! ```
//! use jot_algorithms::provider::{self, Hash, HmacKey};
//!
//! let key = HmacKey::new(Hash::Sha256, b"a secret of at least thirty-two bytes");
//! let tag = key.sign(b"input");
//! assert!(key.verify(b"input", tag.as_ref()));
//! assert_eq!(provider::digest(Hash::Sha256, b"").as_ref().len(), 32);
//! assert!(["ring", "aws-lc-rs", "rust-crypto"].contains(&provider::NAME));
//! ```

#[cfg(not(any(
    jot_provider = "ring",
    jot_provider = "aws-lc-rs",
    jot_provider = "rust-crypto"
)))]
compile_error!(
    "jot-algorithms needs a crypto provider: enable one of the features `ring` (the default), `aws-lc-rs` or `rust-crypto`"
);

#[cfg(any(jot_provider = "ring", jot_provider = "aws-lc-rs"))]
#[path = "provider/ring_family.rs"]
mod backend;

#[cfg(jot_provider = "rust-crypto")]
#[path = "provider/rust_crypto.rs"]
mod backend;

pub use backend::{
    EcdsaKeyPair, EcdsaPublicKey, Ed25519KeyPair, Ed25519PublicKey, HmacKey, NAME, RsaKeyPair,
    RsaPublicKey, aes_gcm_open, aes_gcm_seal, digest, digest_parts, ecdh_ephemeral, fill_random,
    pbkdf2,
};

/// A hash function of the SHA family.
///
/// ```
/// use jot_algorithms::provider::Hash;
///
/// assert_eq!(Hash::Sha384.len(), 48);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hash {
    /// SHA-1, for `x5t` certificate thumbprints only (legacy; never for signatures).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// The output length in bytes.
    ///
    /// ```
    /// assert_eq!(jot_algorithms::provider::Hash::Sha1.len(), 20);
    /// ```
    #[allow(clippy::len_without_is_empty)] // a hash output is never empty
    pub const fn len(self) -> usize {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

/// A digest or MAC tag: up to 64 bytes, kept inline (no allocation).
///
/// ```
/// use jot_algorithms::provider::{digest, Hash};
///
/// let d = digest(Hash::Sha512, b"abc");
/// assert_eq!(d.as_ref().len(), 64);
/// ```
#[derive(Clone, Copy)]
pub struct Output {
    bytes: [u8; 64],
    len: usize,
}

impl Output {
    /// Copies `bytes` (at most 64) into an output.
    pub(crate) fn new(bytes: &[u8]) -> Output {
        let mut out = Output {
            bytes: [0; 64],
            len: bytes.len().min(64),
        };
        out.bytes[..out.len].copy_from_slice(&bytes[..out.len]);
        out
    }
}

impl AsRef<[u8]> for Output {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Output(")?;
        for b in self.as_ref() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// An RSA signature scheme: RSASSA-PKCS1-v1_5 or RSASSA-PSS (salt length = hash
/// length, MGF1 with the same hash), with SHA-256, SHA-384 or SHA-512.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RsaScheme {
    /// RS256.
    Pkcs1Sha256,
    /// RS384.
    Pkcs1Sha384,
    /// RS512.
    Pkcs1Sha512,
    /// PS256.
    PssSha256,
    /// PS384.
    PssSha384,
    /// PS512.
    PssSha512,
}

/// The curve of an ECDSA key at this layer: P-256 (ES256, SHA-256) or P-384 (ES384,
/// SHA-384). P-521 and secp256k1 are RustCrypto's with every provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcdsaCurve {
    /// P-256 with SHA-256.
    P256,
    /// P-384 with SHA-384.
    P384,
}

impl EcdsaCurve {
    /// The length of a field element in bytes (a fixed `r || s` signature is twice this).
    ///
    /// ```
    /// assert_eq!(jot_algorithms::provider::EcdsaCurve::P384.field_len(), 48);
    /// ```
    pub const fn field_len(self) -> usize {
        match self {
            EcdsaCurve::P256 => 32,
            EcdsaCurve::P384 => 48,
        }
    }
}

/// The curve of an ephemeral-static key agreement ([`ecdh_ephemeral`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AgreementCurve {
    /// NIST P-256 (uncompressed SEC1 points).
    P256,
    /// NIST P-384 (uncompressed SEC1 points).
    P384,
    /// X25519 (RFC 7748, 32-byte keys).
    X25519,
}

/// AES-GCM with a 128- or 256-bit key (AES-192 is RustCrypto's with every provider).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AesGcm {
    /// AES-128-GCM.
    Aes128,
    /// AES-256-GCM.
    Aes256,
}

impl AesGcm {
    /// The key length in bytes.
    ///
    /// ```
    /// assert_eq!(jot_algorithms::provider::AesGcm::Aes256.key_len(), 32);
    /// ```
    pub const fn key_len(self) -> usize {
        match self {
            AesGcm::Aes128 => 16,
            AesGcm::Aes256 => 32,
        }
    }
}

/// The provider refused an operation: a key it cannot load, a point not on the
/// curve, a failed decryption, a random generator that failed. Deliberately carries no
/// detail, so that no failure tells an attacker more than "no".
///
/// ```
/// use jot_algorithms::provider::{Ed25519PublicKey, Unspecified};
///
/// assert_eq!(Ed25519PublicKey::new(&[0; 31]).err(), Some(Unspecified));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the crypto provider refused the operation")]
pub struct Unspecified;

#[cfg(test)]
mod tests {
    use super::*;

    // Known answers (FIPS 180-2, RFC 4231 test case 2) so that every provider is held to
    // the same bytes.
    #[test]
    fn digests_and_hmac_known_answers() {
        let hex = |o: &[u8]| o.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(digest(Hash::Sha256, b"abc").as_ref()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(digest_parts(Hash::Sha1, &[b"a", b"bc"]).as_ref()),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        let key = HmacKey::new(Hash::Sha256, b"Jefe");
        let tag = key.sign(b"what do ya want for nothing?");
        assert_eq!(
            hex(tag.as_ref()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(key
                .sign_parts(&[b"what do ya ", b"want for nothing?"])
                .as_ref()),
            hex(tag.as_ref())
        );
        assert!(key.verify(b"what do ya want for nothing?", tag.as_ref()));
        assert!(!key.verify(b"what do ya want for nothing!", tag.as_ref()));
        assert!(!key.verify(b"what do ya want for nothing?", &tag.as_ref()[..31]));
    }

    #[test]
    fn random_is_random() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        fill_random(&mut a).unwrap();
        fill_random(&mut b).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn ecdsa_and_eddsa_round_trip() {
        for curve in [EcdsaCurve::P256, EcdsaCurve::P384] {
            let pair = EcdsaKeyPair::generate(curve).unwrap();
            let again =
                EcdsaKeyPair::from_private(curve, pair.private_scalar(), pair.public_point())
                    .unwrap();
            let public = EcdsaPublicKey::new(curve, pair.public_point()).unwrap();
            let sig = again.sign(b"m").unwrap();
            assert_eq!(sig.len(), 2 * curve.field_len());
            assert!(public.verify(b"m", &sig));
            assert!(!public.verify(b"n", &sig));
        }
        let pair = Ed25519KeyPair::generate().unwrap();
        let public = Ed25519PublicKey::new(pair.public_key()).unwrap();
        let sig = pair.sign(b"m");
        assert!(public.verify(b"m", &sig));
        assert!(!public.verify(b"n", &sig));
    }

    #[test]
    fn gcm_and_ecdh_round_trip() {
        let key = [7u8; 32];
        let nonce = [1u8; 12];
        let mut buf = b"plaintext".to_vec();
        let tag = aes_gcm_seal(AesGcm::Aes256, &key, &nonce, b"aad", &mut buf).unwrap();
        assert_ne!(&buf[..], b"plaintext");
        let mut opened = buf.clone();
        aes_gcm_open(AesGcm::Aes256, &key, &nonce, b"aad", &mut opened, &tag).unwrap();
        assert_eq!(&opened[..], b"plaintext");
        let mut tampered = buf.clone();
        assert_eq!(
            aes_gcm_open(AesGcm::Aes256, &key, &nonce, b"aaD", &mut tampered, &tag),
            Err(Unspecified)
        );
        // An ECDH agreement against our own ephemeral public key is exercised by
        // jot-jwe's round trips; here: a point off the curve is refused.
        assert_eq!(
            ecdh_ephemeral(AgreementCurve::P256, &[4; 65]).err(),
            Some(Unspecified)
        );
    }

    #[test]
    fn pbkdf2_known_answer() {
        // RFC 7914 §11 (PBKDF2-HMAC-SHA256, c = 1, dkLen = 64), first 32 bytes.
        let mut out = [0u8; 32];
        pbkdf2(Hash::Sha256, 1, b"salt", b"passwd", &mut out).unwrap();
        assert_eq!(out[..8], [0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f]);
    }

    #[test]
    fn refusals() {
        let mut out = [0u8; 16];
        // PBKDF2: no zero count, no SHA-1.
        assert_eq!(
            pbkdf2(Hash::Sha256, 0, b"s", b"p", &mut out),
            Err(Unspecified)
        );
        assert_eq!(
            pbkdf2(Hash::Sha1, 1, b"s", b"p", &mut out),
            Err(Unspecified)
        );
        // AES-GCM: the key must fit the algorithm, the nonce be 96 bits, the tag 128.
        let mut buf = b"x".to_vec();
        assert_eq!(
            aes_gcm_seal(AesGcm::Aes256, &[0; 16], &[0; 12], b"", &mut buf),
            Err(Unspecified)
        );
        assert_eq!(
            aes_gcm_seal(AesGcm::Aes128, &[0; 16], &[0; 8], b"", &mut buf),
            Err(Unspecified)
        );
        let tag = aes_gcm_seal(AesGcm::Aes128, &[0; 16], &[0; 12], b"", &mut buf).unwrap();
        let mut opened = buf.clone();
        assert_eq!(
            aes_gcm_open(
                AesGcm::Aes128,
                &[0; 16],
                &[0; 12],
                b"",
                &mut opened,
                &tag[..15]
            ),
            Err(Unspecified)
        );
        // A failed open leaves no plaintext behind.
        let mut opened = buf.clone();
        assert_eq!(
            aes_gcm_open(AesGcm::Aes128, &[1; 16], &[0; 12], b"", &mut opened, &tag),
            Err(Unspecified)
        );
        assert!(opened.is_empty());
        // Keys and points of the wrong shape.
        assert!(EcdsaPublicKey::new(EcdsaCurve::P256, &[4; 64]).is_err());
        assert!(Ed25519KeyPair::from_seed(&[1; 31], None).is_err());
        let pair = Ed25519KeyPair::generate().unwrap();
        let other = Ed25519KeyPair::generate().unwrap();
        assert!(Ed25519KeyPair::from_seed(pair.seed(), Some(other.public_key())).is_err());
        assert!(ecdh_ephemeral(AgreementCurve::X25519, &[9; 31]).is_err());
        assert!(RsaKeyPair::from_pkcs1_der(b"not DER").is_err());
    }
}

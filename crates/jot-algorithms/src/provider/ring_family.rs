//! The `ring` and `aws-lc-rs` providers: aws-lc-rs keeps ring's API, so one file
//! serves both, with the few differences marked where they are.

#[cfg(jot_provider = "aws-lc-rs")]
use aws_lc_rs as lib;
#[cfg(jot_provider = "ring")]
use ring as lib;

use lib::rand::{SecureRandom as _, SystemRandom};
use lib::signature::{self, KeyPair as _, UnparsedPublicKey};
use lib::{aead, agreement, digest as dg, hmac};
use zeroize::Zeroizing;

use super::{AesGcm, AgreementCurve, EcdsaCurve, Hash, Output, RsaScheme, Unspecified};

/// The provider in this build: `"ring"` or `"aws-lc-rs"` (`"rust-crypto"` in the
/// RustCrypto build).
#[cfg(jot_provider = "ring")]
pub const NAME: &str = "ring";
/// The provider in this build: `"ring"` or `"aws-lc-rs"` (`"rust-crypto"` in the
/// RustCrypto build).
#[cfg(jot_provider = "aws-lc-rs")]
pub const NAME: &str = "aws-lc-rs";

/// Fills `dest` from the operating system's generator.
///
/// ```
/// let mut buf = [0u8; 16];
/// jot_algorithms::provider::fill_random(&mut buf)?;
/// # Ok::<(), jot_algorithms::provider::Unspecified>(())
/// ```
pub fn fill_random(dest: &mut [u8]) -> Result<(), Unspecified> {
    SystemRandom::new().fill(dest).map_err(|_| Unspecified)
}

fn digest_alg(hash: Hash) -> &'static dg::Algorithm {
    match hash {
        Hash::Sha1 => &dg::SHA1_FOR_LEGACY_USE_ONLY,
        Hash::Sha256 => &dg::SHA256,
        Hash::Sha384 => &dg::SHA384,
        Hash::Sha512 => &dg::SHA512,
    }
}

/// The digest of `data`.
///
/// ```
/// use jot_algorithms::provider::{digest, Hash};
/// assert_eq!(digest(Hash::Sha256, b"abc").as_ref()[0], 0xba);
/// ```
pub fn digest(hash: Hash, data: &[u8]) -> Output {
    Output::new(dg::digest(digest_alg(hash), data).as_ref())
}

/// The digest of the concatenation of `parts`.
///
/// ```
/// use jot_algorithms::provider::{digest, digest_parts, Hash};
/// assert_eq!(digest_parts(Hash::Sha256, &[b"a", b"bc"]).as_ref(), digest(Hash::Sha256, b"abc").as_ref());
/// ```
pub fn digest_parts(hash: Hash, parts: &[&[u8]]) -> Output {
    let mut ctx = dg::Context::new(digest_alg(hash));
    for part in parts {
        ctx.update(part);
    }
    Output::new(ctx.finish().as_ref())
}

/// An HMAC key with its key schedule computed once.
///
/// ```
/// use jot_algorithms::provider::{Hash, HmacKey};
/// let key = HmacKey::new(Hash::Sha512, &[7; 64]);
/// assert_eq!(key.sign(b"m").as_ref().len(), 64);
/// ```
#[derive(Clone)]
pub struct HmacKey(Box<hmac::Key>);

impl HmacKey {
    /// Prepares `key` for HMAC with `hash` (SHA-256, SHA-384 or SHA-512; SHA-1 is
    /// taken as SHA-256, never used for MACs by jot).
    pub fn new(hash: Hash, key: &[u8]) -> HmacKey {
        let alg = match hash {
            Hash::Sha384 => hmac::HMAC_SHA384,
            Hash::Sha512 => hmac::HMAC_SHA512,
            Hash::Sha1 | Hash::Sha256 => hmac::HMAC_SHA256,
        };
        // Boxed: aws-lc-rs's key holds a whole HMAC context (over 1 KiB), and keys
        // sit in enums.
        HmacKey(Box::new(hmac::Key::new(alg, key)))
    }

    /// The tag of `data`.
    pub fn sign(&self, data: &[u8]) -> Output {
        Output::new(hmac::sign(&self.0, data).as_ref())
    }

    /// The tag of the concatenation of `parts`.
    pub fn sign_parts(&self, parts: &[&[u8]]) -> Output {
        let mut ctx = hmac::Context::with_key(&self.0);
        for part in parts {
            ctx.update(part);
        }
        Output::new(ctx.sign().as_ref())
    }

    /// Whether `tag` is the tag of `data`, compared in constant time.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        hmac::verify(&self.0, data, tag).is_ok()
    }
}

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey(..)")
    }
}

fn rsa_padding(scheme: RsaScheme) -> &'static dyn signature::RsaEncoding {
    match scheme {
        RsaScheme::Pkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
        RsaScheme::Pkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
        RsaScheme::Pkcs1Sha512 => &signature::RSA_PKCS1_SHA512,
        RsaScheme::PssSha256 => &signature::RSA_PSS_SHA256,
        RsaScheme::PssSha384 => &signature::RSA_PSS_SHA384,
        RsaScheme::PssSha512 => &signature::RSA_PSS_SHA512,
    }
}

fn rsa_parameters(scheme: RsaScheme) -> &'static signature::RsaParameters {
    match scheme {
        RsaScheme::Pkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        RsaScheme::Pkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        RsaScheme::Pkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        RsaScheme::PssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        RsaScheme::PssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        RsaScheme::PssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
    }
}

/// An RSA private key, loaded from PKCS#1 DER.
pub struct RsaKeyPair(signature::RsaKeyPair);

impl RsaKeyPair {
    /// Loads a PKCS#1 `RSAPrivateKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<RsaKeyPair, Unspecified> {
        signature::RsaKeyPair::from_der(der)
            .map(RsaKeyPair)
            .map_err(|_| Unspecified)
    }

    /// The signature length: the modulus length in bytes.
    pub fn modulus_len(&self) -> usize {
        #[cfg(jot_provider = "ring")]
        let len = self.0.public().modulus_len();
        #[cfg(jot_provider = "aws-lc-rs")]
        let len = self.0.public_modulus_len();
        len
    }

    /// Signs `msg` into `out`, which must be [`modulus_len`](Self::modulus_len) bytes.
    pub fn sign(&self, scheme: RsaScheme, msg: &[u8], out: &mut [u8]) -> Result<(), Unspecified> {
        self.0
            .sign(rsa_padding(scheme), &SystemRandom::new(), msg, out)
            .map_err(|_| Unspecified)
    }
}

/// An RSA public key (2048 to 8192 bits) for one signature scheme. ring offers no
/// parsed RSA public key and takes the components at each verification; aws-lc-rs
/// parses them once.
#[cfg(jot_provider = "ring")]
pub struct RsaPublicKey {
    scheme: RsaScheme,
    n: Vec<u8>,
    e: Vec<u8>,
}

/// An RSA public key (2048 to 8192 bits) for one signature scheme, parsed once.
#[cfg(jot_provider = "aws-lc-rs")]
pub struct RsaPublicKey(signature::ParsedPublicKey);

impl RsaPublicKey {
    /// A public key from its big-endian modulus and exponent (no leading zeros). The
    /// size and exponent rules are checked by the caller; the provider checks again
    /// at each verification.
    pub fn new(scheme: RsaScheme, n: &[u8], e: &[u8]) -> Result<RsaPublicKey, Unspecified> {
        #[cfg(jot_provider = "ring")]
        return Ok(RsaPublicKey {
            scheme,
            n: n.to_vec(),
            e: e.to_vec(),
        });
        #[cfg(jot_provider = "aws-lc-rs")]
        return signature::RsaPublicKeyComponents { n, e }
            .to_parsed_public_key(rsa_parameters(scheme))
            .map(RsaPublicKey)
            .map_err(|_| Unspecified);
    }

    /// Whether `sig` is a valid signature of `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        #[cfg(jot_provider = "ring")]
        return signature::RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(rsa_parameters(self.scheme), msg, sig)
        .is_ok();
        #[cfg(jot_provider = "aws-lc-rs")]
        return self.0.verify_sig(msg, sig).is_ok();
    }
}

/// A public key for one verification algorithm: ring parses it at each
/// verification (`UnparsedPublicKey`), aws-lc-rs once (`ParsedPublicKey`).
struct PublicKey {
    #[cfg(jot_provider = "ring")]
    key: UnparsedPublicKey<Vec<u8>>,
    #[cfg(jot_provider = "aws-lc-rs")]
    key: signature::ParsedPublicKey,
}

impl PublicKey {
    fn new(
        alg: &'static dyn signature::VerificationAlgorithm,
        bytes: &[u8],
    ) -> Result<Self, Unspecified> {
        #[cfg(jot_provider = "ring")]
        let key = UnparsedPublicKey::new(alg, bytes.to_vec());
        #[cfg(jot_provider = "aws-lc-rs")]
        let key = signature::ParsedPublicKey::new(alg, bytes).map_err(|_| Unspecified)?;
        Ok(PublicKey { key })
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        #[cfg(jot_provider = "ring")]
        return self.key.verify(msg, sig).is_ok();
        #[cfg(jot_provider = "aws-lc-rs")]
        return self.key.verify_sig(msg, sig).is_ok();
    }
}

fn ecdsa_signing(curve: EcdsaCurve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        EcdsaCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        EcdsaCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
    }
}

fn ecdh_alg(curve: AgreementCurve) -> &'static agreement::Algorithm {
    match curve {
        AgreementCurve::P256 => &agreement::ECDH_P256,
        AgreementCurve::P384 => &agreement::ECDH_P384,
        AgreementCurve::X25519 => &agreement::X25519,
    }
}

/// An ECDSA private key on P-256 or P-384, signing in the fixed `r || s` form.
pub struct EcdsaKeyPair {
    pair: signature::EcdsaKeyPair,
    d: Zeroizing<Vec<u8>>,
}

impl EcdsaKeyPair {
    /// Loads a private scalar `d` with its uncompressed public point `q`; refuses a
    /// pair that does not belong together.
    pub fn from_private(curve: EcdsaCurve, d: &[u8], q: &[u8]) -> Result<Self, Unspecified> {
        #[cfg(jot_provider = "ring")]
        let pair = signature::EcdsaKeyPair::from_private_key_and_public_key(
            ecdsa_signing(curve),
            d,
            q,
            &SystemRandom::new(),
        );
        #[cfg(jot_provider = "aws-lc-rs")]
        let pair =
            signature::EcdsaKeyPair::from_private_key_and_public_key(ecdsa_signing(curve), d, q);
        Ok(EcdsaKeyPair {
            pair: pair.map_err(|_| Unspecified)?,
            d: Zeroizing::new(d.to_vec()),
        })
    }

    /// Draws a new key.
    pub fn generate(curve: EcdsaCurve) -> Result<Self, Unspecified> {
        let pkcs8 =
            signature::EcdsaKeyPair::generate_pkcs8(ecdsa_signing(curve), &SystemRandom::new())
                .map_err(|_| Unspecified)?;
        match crate::KeyMaterial::from_der(pkcs8.as_ref()) {
            Ok(crate::KeyMaterial::EcPrivate {
                d, point: Some(q), ..
            }) => EcdsaKeyPair::from_private(curve, &d, &q),
            _ => Err(Unspecified),
        }
    }

    /// The private scalar, big-endian, field length.
    pub fn private_scalar(&self) -> &[u8] {
        &self.d
    }

    /// The uncompressed public point (`0x04 || x || y`).
    pub fn public_point(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// Signs `msg`: the fixed-size `r || s`.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Unspecified> {
        self.pair
            .sign(&SystemRandom::new(), msg)
            .map(|sig| sig.as_ref().to_vec())
            .map_err(|_| Unspecified)
    }
}

/// An ECDSA public key on P-256 or P-384; the point is checked to be on the curve.
pub struct EcdsaPublicKey {
    curve: EcdsaCurve,
    key: PublicKey,
    q: Vec<u8>,
}

impl EcdsaPublicKey {
    /// A public key from its uncompressed point; refuses points off the curve.
    pub fn new(curve: EcdsaCurve, q: &[u8]) -> Result<Self, Unspecified> {
        if q.len() != 1 + 2 * curve.field_len() || q.first() != Some(&0x04) {
            return Err(Unspecified);
        }
        // The agreement code validates the peer point fully (on the curve, not the
        // identity); an ephemeral agreement with it is the check.
        let agreement = match curve {
            EcdsaCurve::P256 => AgreementCurve::P256,
            EcdsaCurve::P384 => AgreementCurve::P384,
        };
        ecdh_ephemeral(agreement, q)?;
        let alg = match curve {
            EcdsaCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
            EcdsaCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        };
        Ok(EcdsaPublicKey {
            curve,
            key: PublicKey::new(alg, q)?,
            q: q.to_vec(),
        })
    }

    /// Whether `sig` (fixed `r || s`) is a valid signature of `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        sig.len() == 2 * self.curve.field_len() && self.key.verify(msg, sig)
    }

    /// Whether `sig` (ASN.1 DER, as in X.509 certificates) is a valid signature of
    /// `msg` with `hash`.
    pub fn verify_asn1(&self, hash: Hash, msg: &[u8], sig: &[u8]) -> bool {
        let alg = match (self.curve, hash) {
            (EcdsaCurve::P256, Hash::Sha256) => &signature::ECDSA_P256_SHA256_ASN1,
            (EcdsaCurve::P256, Hash::Sha384) => &signature::ECDSA_P256_SHA384_ASN1,
            (EcdsaCurve::P384, Hash::Sha256) => &signature::ECDSA_P384_SHA256_ASN1,
            (EcdsaCurve::P384, Hash::Sha384) => &signature::ECDSA_P384_SHA384_ASN1,
            _ => return false,
        };
        UnparsedPublicKey::new(alg, &self.q)
            .verify(msg, sig)
            .is_ok()
    }
}

/// An Ed25519 private key.
pub struct Ed25519KeyPair {
    pair: signature::Ed25519KeyPair,
    seed: Zeroizing<Vec<u8>>,
}

impl Ed25519KeyPair {
    /// Loads a 32-byte seed, checking it against `public` when given.
    pub fn from_seed(seed: &[u8], public: Option<&[u8]>) -> Result<Self, Unspecified> {
        let pair = match public {
            Some(public) => signature::Ed25519KeyPair::from_seed_and_public_key(seed, public),
            None => signature::Ed25519KeyPair::from_seed_unchecked(seed),
        }
        .map_err(|_| Unspecified)?;
        Ok(Ed25519KeyPair {
            pair,
            seed: Zeroizing::new(seed.to_vec()),
        })
    }

    /// Draws a new key.
    pub fn generate() -> Result<Self, Unspecified> {
        let mut seed = Zeroizing::new([0u8; 32]);
        fill_random(seed.as_mut())?;
        Ed25519KeyPair::from_seed(seed.as_ref(), None)
    }

    /// The 32-byte seed.
    pub fn seed(&self) -> &[u8] {
        &self.seed
    }

    /// The 32-byte public key.
    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// The 64-byte signature of `msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.pair.sign(msg).as_ref());
        out
    }
}

/// An Ed25519 public key.
pub struct Ed25519PublicKey(PublicKey);

impl Ed25519PublicKey {
    /// A public key from its 32 bytes.
    pub fn new(x: &[u8]) -> Result<Self, Unspecified> {
        if x.len() != 32 {
            return Err(Unspecified);
        }
        PublicKey::new(&signature::ED25519, x).map(Ed25519PublicKey)
    }

    /// Whether `sig` is a valid signature of `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.0.verify(msg, sig)
    }
}

/// An ephemeral-static agreement: draws an ephemeral key on `curve`, agrees with
/// `peer` (refused when not a valid public key), and returns the shared secret `Z`
/// and the ephemeral public key (uncompressed point, or 32 bytes for X25519).
pub fn ecdh_ephemeral(
    curve: AgreementCurve,
    peer: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Unspecified> {
    let alg = ecdh_alg(curve);
    let private = agreement::EphemeralPrivateKey::generate(alg, &SystemRandom::new())
        .map_err(|_| Unspecified)?;
    let public = private
        .compute_public_key()
        .map_err(|_| Unspecified)?
        .as_ref()
        .to_vec();
    let peer = agreement::UnparsedPublicKey::new(alg, peer);
    #[cfg(jot_provider = "ring")]
    let z = agreement::agree_ephemeral(private, &peer, |z| Zeroizing::new(z.to_vec()))
        .map_err(|_| Unspecified)?;
    #[cfg(jot_provider = "aws-lc-rs")]
    let z = agreement::agree_ephemeral(private, peer, Unspecified, |z| {
        Ok(Zeroizing::new(z.to_vec()))
    })?;
    Ok((z, public))
}

fn gcm_key(alg: AesGcm, key: &[u8]) -> Result<aead::LessSafeKey, Unspecified> {
    let alg = match alg {
        AesGcm::Aes128 => &aead::AES_128_GCM,
        AesGcm::Aes256 => &aead::AES_256_GCM,
    };
    aead::UnboundKey::new(alg, key)
        .map(aead::LessSafeKey::new)
        .map_err(|_| Unspecified)
}

/// Encrypts `in_out` in place with AES-GCM (96-bit nonce) and returns the 16-byte tag.
pub fn aes_gcm_seal(
    alg: AesGcm,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
) -> Result<[u8; 16], Unspecified> {
    let key = gcm_key(alg, key)?;
    let nonce = aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| Unspecified)?;
    let tag = key
        .seal_in_place_separate_tag(nonce, aead::Aad::from(aad), in_out)
        .map_err(|_| Unspecified)?;
    let mut out = [0u8; 16];
    out.copy_from_slice(tag.as_ref());
    Ok(out)
}

/// Decrypts `in_out` (the ciphertext) in place with AES-GCM after checking `tag`;
/// on failure `in_out` holds no plaintext.
pub fn aes_gcm_open(
    alg: AesGcm,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut Vec<u8>,
    tag: &[u8],
) -> Result<(), Unspecified> {
    let key = gcm_key(alg, key)?;
    let nonce = aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| Unspecified)?;
    if tag.len() != 16 {
        return Err(Unspecified);
    }
    let len = in_out.len();
    in_out.extend_from_slice(tag);
    match key.open_in_place(nonce, aead::Aad::from(aad), in_out) {
        Ok(_) => {
            in_out.truncate(len);
            Ok(())
        }
        Err(_) => {
            in_out.clear();
            Err(Unspecified)
        }
    }
}

/// PBKDF2 with HMAC-`hash` (RFC 8018), filling `out`. Zero iterations are refused.
pub fn pbkdf2(
    hash: Hash,
    iterations: u32,
    salt: &[u8],
    password: &[u8],
    out: &mut [u8],
) -> Result<(), Unspecified> {
    let iterations = std::num::NonZeroU32::new(iterations).ok_or(Unspecified)?;
    let alg = match hash {
        Hash::Sha384 => lib::pbkdf2::PBKDF2_HMAC_SHA384,
        Hash::Sha512 => lib::pbkdf2::PBKDF2_HMAC_SHA512,
        Hash::Sha256 => lib::pbkdf2::PBKDF2_HMAC_SHA256,
        Hash::Sha1 => return Err(Unspecified),
    };
    lib::pbkdf2::derive(alg, iterations, salt, password, out);
    Ok(())
}

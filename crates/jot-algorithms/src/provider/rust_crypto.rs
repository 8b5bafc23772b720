//! The `rust-crypto` provider: the RustCrypto crates, pure Rust, no C compiler, and a
//! build for `wasm32-unknown-unknown` (randomness from `getrandom`, which uses the
//! browser's or the runtime's `crypto.getRandomValues` there).
//!
//! ECDSA signs deterministically (RFC 6979); RSA signing is blinded with the system
//! generator; Ed25519 verification is strict (canonical `S`, no small-order keys),
//! as ring's is.

use ecdsa_core::signature::{Signer as _, Verifier as _};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use zeroize::Zeroizing;

use super::{AesGcm, AgreementCurve, EcdsaCurve, Hash, Output, RsaScheme, Unspecified};

// The `signature` traits as re-exported by the ECDSA crates.
use p256::ecdsa as ecdsa_core;

/// The provider in this build: `"rust-crypto"` (`"ring"` or `"aws-lc-rs"` in the
/// other builds).
pub const NAME: &str = "rust-crypto";

/// Fills `dest` from the operating system's generator (`getrandom`).
///
/// ```
/// let mut buf = [0u8; 16];
/// jot_algorithms::provider::fill_random(&mut buf)?;
/// # Ok::<(), jot_algorithms::provider::Unspecified>(())
/// ```
pub fn fill_random(dest: &mut [u8]) -> Result<(), Unspecified> {
    getrandom::fill(dest).map_err(|_| Unspecified)
}

/// The system generator as a `rand_core` generator, for the RustCrypto APIs that take
/// one.
struct Rng;

impl rand_core::TryRng for Rng {
    type Error = Unspecified;

    fn try_next_u32(&mut self) -> Result<u32, Unspecified> {
        let mut bytes = [0u8; 4];
        fill_random(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Unspecified> {
        let mut bytes = [0u8; 8];
        fill_random(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Unspecified> {
        fill_random(dest)
    }
}

impl rand_core::TryCryptoRng for Rng {}

/// The digest of `data`.
///
/// ```
/// use jot_algorithms::provider::{digest, Hash};
/// assert_eq!(digest(Hash::Sha256, b"abc").as_ref()[0], 0xba);
/// ```
pub fn digest(hash: Hash, data: &[u8]) -> Output {
    digest_parts(hash, &[data])
}

fn hash_parts<D: sha2::Digest>(parts: &[&[u8]]) -> Output {
    let mut hasher = D::new();
    for part in parts {
        hasher.update(part);
    }
    Output::new(&hasher.finalize())
}

/// The digest of the concatenation of `parts`.
///
/// ```
/// use jot_algorithms::provider::{digest, digest_parts, Hash};
/// assert_eq!(digest_parts(Hash::Sha256, &[b"a", b"bc"]).as_ref(), digest(Hash::Sha256, b"abc").as_ref());
/// ```
pub fn digest_parts(hash: Hash, parts: &[&[u8]]) -> Output {
    match hash {
        Hash::Sha1 => hash_parts::<sha1::Sha1>(parts),
        Hash::Sha256 => hash_parts::<sha2::Sha256>(parts),
        Hash::Sha384 => hash_parts::<sha2::Sha384>(parts),
        Hash::Sha512 => hash_parts::<sha2::Sha512>(parts),
    }
}

#[derive(Clone)]
enum HmacInner {
    Sha256(hmac::Hmac<sha2::Sha256>),
    Sha384(hmac::Hmac<sha2::Sha384>),
    Sha512(hmac::Hmac<sha2::Sha512>),
}

/// An HMAC key with its key schedule (the inner and outer padded states) computed once.
///
/// ```
/// use jot_algorithms::provider::{Hash, HmacKey};
/// let key = HmacKey::new(Hash::Sha512, &[7; 64]);
/// assert_eq!(key.sign(b"m").as_ref().len(), 64);
/// ```
#[derive(Clone)]
pub struct HmacKey(Box<HmacInner>);

// HMAC accepts keys of any length (RFC 2104 hashes long keys), so `new_from_slice`
// cannot fail; the fallback keeps the code free of panics all the same.
fn keyed<M: hmac::KeyInit>(key: &[u8]) -> M {
    M::new_from_slice(key).unwrap_or_else(|_| M::new(&Default::default()))
}

impl HmacKey {
    /// Prepares `key` for HMAC with `hash` (SHA-256, SHA-384 or SHA-512; SHA-1 is
    /// taken as SHA-256, never used for MACs by jot).
    pub fn new(hash: Hash, key: &[u8]) -> HmacKey {
        // Boxed: the three states differ in size (up to 1 KiB), and keys sit in enums.
        HmacKey(Box::new(match hash {
            Hash::Sha384 => HmacInner::Sha384(keyed(key)),
            Hash::Sha512 => HmacInner::Sha512(keyed(key)),
            Hash::Sha1 | Hash::Sha256 => HmacInner::Sha256(keyed(key)),
        }))
    }

    /// The tag of `data`.
    pub fn sign(&self, data: &[u8]) -> Output {
        self.sign_parts(&[data])
    }

    /// The tag of the concatenation of `parts`.
    pub fn sign_parts(&self, parts: &[&[u8]]) -> Output {
        fn run<M: hmac::Mac + Clone>(mac: &M, parts: &[&[u8]]) -> Output {
            let mut mac = mac.clone();
            for part in parts {
                mac.update(part);
            }
            Output::new(&mac.finalize().into_bytes())
        }
        match &*self.0 {
            HmacInner::Sha256(mac) => run(mac, parts),
            HmacInner::Sha384(mac) => run(mac, parts),
            HmacInner::Sha512(mac) => run(mac, parts),
        }
    }

    /// Whether `tag` is the tag of `data`, compared in constant time.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        fn run<M: hmac::Mac + Clone>(mac: &M, data: &[u8], tag: &[u8]) -> bool {
            let mut mac = mac.clone();
            mac.update(data);
            mac.verify_slice(tag).is_ok()
        }
        match &*self.0 {
            HmacInner::Sha256(mac) => run(mac, data, tag),
            HmacInner::Sha384(mac) => run(mac, data, tag),
            HmacInner::Sha512(mac) => run(mac, data, tag),
        }
    }
}

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey(..)")
    }
}

/// An RSA private key, loaded from PKCS#1 DER.
pub struct RsaKeyPair(rsa::PrivateKey);

impl RsaKeyPair {
    /// Loads a PKCS#1 `RSAPrivateKey` and checks its consistency, the stored CRT
    /// values included (the `rsa` crate recomputes them, so a key whose `dP`, `dQ` or
    /// `qInv` is wrong would otherwise load here and fail or differ elsewhere).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<RsaKeyPair, Unspecified> {
        use der::Decode as _;
        use rsa::traits::PrivateKeyParts as _;
        let key = rsa::PrivateKey::from_pkcs1_der(der).map_err(|_| Unspecified)?;
        key.validate().map_err(|_| Unspecified)?;
        let stored = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|_| Unspecified)?;
        let same = |given: &[u8], computed: Option<rsa::BoxedUint>| {
            computed.is_some_and(|c| {
                crate::der::trim_leading_zeros(&c.to_be_bytes())
                    == crate::der::trim_leading_zeros(given)
            })
        };
        if !same(stored.exponent1.as_bytes(), key.dp().cloned())
            || !same(stored.exponent2.as_bytes(), key.dq().cloned())
            || !same(stored.coefficient.as_bytes(), key.crt_coefficient())
        {
            return Err(Unspecified);
        }
        Ok(RsaKeyPair(key))
    }

    /// The signature length: the modulus length in bytes.
    pub fn modulus_len(&self) -> usize {
        self.0.size()
    }

    /// Signs `msg` into `out`, which must be [`modulus_len`](Self::modulus_len) bytes.
    /// The key is used in place (no copy per signature), blinded with the system
    /// generator.
    pub fn sign(&self, scheme: RsaScheme, msg: &[u8], out: &mut [u8]) -> Result<(), Unspecified> {
        use rsa::{Pkcs1v15Sign, Pss};
        use sha2::{Sha256, Sha384, Sha512};
        let hash = match scheme {
            RsaScheme::Pkcs1Sha256 | RsaScheme::PssSha256 => Hash::Sha256,
            RsaScheme::Pkcs1Sha384 | RsaScheme::PssSha384 => Hash::Sha384,
            RsaScheme::Pkcs1Sha512 | RsaScheme::PssSha512 => Hash::Sha512,
        };
        let hashed = digest(hash, msg);
        let hashed = hashed.as_ref();
        let key = &self.0;
        let sig = match scheme {
            RsaScheme::Pkcs1Sha256 => {
                key.sign_with_rng(&mut Rng, Pkcs1v15Sign::new::<Sha256>(), hashed)
            }
            RsaScheme::Pkcs1Sha384 => {
                key.sign_with_rng(&mut Rng, Pkcs1v15Sign::new::<Sha384>(), hashed)
            }
            RsaScheme::Pkcs1Sha512 => {
                key.sign_with_rng(&mut Rng, Pkcs1v15Sign::new::<Sha512>(), hashed)
            }
            RsaScheme::PssSha256 => key.sign_with_rng(&mut Rng, Pss::<Sha256>::new(), hashed),
            RsaScheme::PssSha384 => key.sign_with_rng(&mut Rng, Pss::<Sha384>::new(), hashed),
            RsaScheme::PssSha512 => key.sign_with_rng(&mut Rng, Pss::<Sha512>::new(), hashed),
        }
        .map_err(|_| Unspecified)?;
        if sig.len() != out.len() {
            return Err(Unspecified);
        }
        out.copy_from_slice(&sig);
        Ok(())
    }
}

enum RsaVerifier {
    Pkcs1Sha256(rsa::pkcs1v15::VerifyingKey<sha2::Sha256>),
    Pkcs1Sha384(rsa::pkcs1v15::VerifyingKey<sha2::Sha384>),
    Pkcs1Sha512(rsa::pkcs1v15::VerifyingKey<sha2::Sha512>),
    PssSha256(rsa::pss::VerifyingKey<sha2::Sha256>),
    PssSha384(rsa::pss::VerifyingKey<sha2::Sha384>),
    PssSha512(rsa::pss::VerifyingKey<sha2::Sha512>),
}

/// An RSA public key (2048 to 8192 bits) for one signature scheme, parsed once.
pub struct RsaPublicKey(RsaVerifier);

impl RsaPublicKey {
    /// A public key from its big-endian modulus and exponent.
    pub fn new(scheme: RsaScheme, n: &[u8], e: &[u8]) -> Result<RsaPublicKey, Unspecified> {
        use rsa::{pkcs1v15, pss};
        let n = rsa::BoxedUint::from_be_slice_vartime(n);
        let e = rsa::BoxedUint::from_be_slice_vartime(e);
        let key =
            rsa::PublicKey::new_with_size_limits(n, e, 2048..=8192).map_err(|_| Unspecified)?;
        Ok(RsaPublicKey(match scheme {
            RsaScheme::Pkcs1Sha256 => RsaVerifier::Pkcs1Sha256(pkcs1v15::VerifyingKey::new(key)),
            RsaScheme::Pkcs1Sha384 => RsaVerifier::Pkcs1Sha384(pkcs1v15::VerifyingKey::new(key)),
            RsaScheme::Pkcs1Sha512 => RsaVerifier::Pkcs1Sha512(pkcs1v15::VerifyingKey::new(key)),
            RsaScheme::PssSha256 => RsaVerifier::PssSha256(pss::VerifyingKey::new(key)),
            RsaScheme::PssSha384 => RsaVerifier::PssSha384(pss::VerifyingKey::new(key)),
            RsaScheme::PssSha512 => RsaVerifier::PssSha512(pss::VerifyingKey::new(key)),
        }))
    }

    /// Whether `sig` is a valid signature of `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        fn pkcs1<D>(key: &rsa::pkcs1v15::VerifyingKey<D>, msg: &[u8], sig: &[u8]) -> bool
        where
            D: rsa::sha2::Digest + rsa::pkcs8::AssociatedOid,
            rsa::pkcs1v15::VerifyingKey<D>: rsa::signature::Verifier<rsa::pkcs1v15::Signature>,
        {
            rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|sig| key.verify(msg, &sig).is_ok())
        }
        fn pss<D>(key: &rsa::pss::VerifyingKey<D>, msg: &[u8], sig: &[u8]) -> bool
        where
            D: rsa::sha2::Digest + rsa::sha2::digest::FixedOutputReset,
            rsa::pss::VerifyingKey<D>: rsa::signature::Verifier<rsa::pss::Signature>,
        {
            rsa::pss::Signature::try_from(sig).is_ok_and(|sig| key.verify(msg, &sig).is_ok())
        }
        match &self.0 {
            RsaVerifier::Pkcs1Sha256(key) => pkcs1(key, msg, sig),
            RsaVerifier::Pkcs1Sha384(key) => pkcs1(key, msg, sig),
            RsaVerifier::Pkcs1Sha512(key) => pkcs1(key, msg, sig),
            RsaVerifier::PssSha256(key) => pss(key, msg, sig),
            RsaVerifier::PssSha384(key) => pss(key, msg, sig),
            RsaVerifier::PssSha512(key) => pss(key, msg, sig),
        }
    }
}

enum EcdsaSigner {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

/// An ECDSA private key on P-256 or P-384, signing in the fixed `r || s` form.
pub struct EcdsaKeyPair {
    key: EcdsaSigner,
    d: Zeroizing<Vec<u8>>,
    q: Vec<u8>,
}

impl EcdsaKeyPair {
    /// Loads a private scalar `d` with its uncompressed public point `q`; refuses a
    /// pair that does not belong together.
    pub fn from_private(curve: EcdsaCurve, d: &[u8], q: &[u8]) -> Result<Self, Unspecified> {
        let pair = EcdsaKeyPair::from_scalar(curve, d)?;
        if pair.q != q {
            return Err(Unspecified);
        }
        Ok(pair)
    }

    fn from_scalar(curve: EcdsaCurve, d: &[u8]) -> Result<Self, Unspecified> {
        if d.len() != curve.field_len() {
            return Err(Unspecified);
        }
        let (key, q) = match curve {
            EcdsaCurve::P256 => {
                let key = p256::ecdsa::SigningKey::from_slice(d).map_err(|_| Unspecified)?;
                let q = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
                (EcdsaSigner::P256(key), q)
            }
            EcdsaCurve::P384 => {
                let key = p384::ecdsa::SigningKey::from_slice(d).map_err(|_| Unspecified)?;
                let q = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
                (EcdsaSigner::P384(key), q)
            }
        };
        Ok(EcdsaKeyPair {
            key,
            d: Zeroizing::new(d.to_vec()),
            q,
        })
    }

    /// Draws a new key, again in the (negligibly rare) case the scalar is zero or not
    /// below the group order.
    pub fn generate(curve: EcdsaCurve) -> Result<Self, Unspecified> {
        let mut d = Zeroizing::new(vec![0u8; curve.field_len()]);
        loop {
            fill_random(&mut d)?;
            if let Ok(pair) = EcdsaKeyPair::from_scalar(curve, &d) {
                return Ok(pair);
            }
        }
    }

    /// The private scalar, big-endian, field length.
    pub fn private_scalar(&self) -> &[u8] {
        &self.d
    }

    /// The uncompressed public point (`0x04 || x || y`).
    pub fn public_point(&self) -> &[u8] {
        &self.q
    }

    /// Signs `msg`: the fixed-size `r || s`.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Unspecified> {
        match &self.key {
            EcdsaSigner::P256(key) => key
                .try_sign(msg)
                .map(|sig: p256::ecdsa::Signature| sig.to_bytes().to_vec()),
            EcdsaSigner::P384(key) => key
                .try_sign(msg)
                .map(|sig: p384::ecdsa::Signature| sig.to_bytes().to_vec()),
        }
        .map_err(|_| Unspecified)
    }
}

enum EcdsaVerifier {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

/// An ECDSA public key on P-256 or P-384; the point is checked to be on the curve.
pub struct EcdsaPublicKey(EcdsaVerifier);

impl EcdsaPublicKey {
    /// A public key from its uncompressed point; refuses points off the curve.
    pub fn new(curve: EcdsaCurve, q: &[u8]) -> Result<Self, Unspecified> {
        if q.len() != 1 + 2 * curve.field_len() || q.first() != Some(&0x04) {
            return Err(Unspecified);
        }
        Ok(EcdsaPublicKey(match curve {
            EcdsaCurve::P256 => EcdsaVerifier::P256(
                p256::ecdsa::VerifyingKey::from_sec1_bytes(q).map_err(|_| Unspecified)?,
            ),
            EcdsaCurve::P384 => EcdsaVerifier::P384(
                p384::ecdsa::VerifyingKey::from_sec1_bytes(q).map_err(|_| Unspecified)?,
            ),
        }))
    }

    /// Whether `sig` (fixed `r || s`) is a valid signature of `msg`. High-S
    /// signatures are accepted, as with the other providers (JOSE does not require
    /// low-S).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match &self.0 {
            EcdsaVerifier::P256(key) => p256::ecdsa::Signature::from_slice(sig)
                .is_ok_and(|sig| key.verify(msg, &sig.normalize_s()).is_ok()),
            EcdsaVerifier::P384(key) => p384::ecdsa::Signature::from_slice(sig)
                .is_ok_and(|sig| key.verify(msg, &sig.normalize_s()).is_ok()),
        }
    }

    /// Whether `sig` (ASN.1 DER, as in X.509 certificates) is a valid signature of
    /// `msg` with `hash` (SHA-256 or SHA-384).
    pub fn verify_asn1(&self, hash: Hash, msg: &[u8], sig: &[u8]) -> bool {
        use ecdsa_core::signature::hazmat::PrehashVerifier as _;
        let prehash = match hash {
            Hash::Sha256 | Hash::Sha384 => digest(hash, msg),
            _ => return false,
        };
        match &self.0 {
            EcdsaVerifier::P256(key) => p256::ecdsa::Signature::from_der(sig).is_ok_and(|sig| {
                key.verify_prehash(prehash.as_ref(), &sig.normalize_s())
                    .is_ok()
            }),
            EcdsaVerifier::P384(key) => p384::ecdsa::Signature::from_der(sig).is_ok_and(|sig| {
                key.verify_prehash(prehash.as_ref(), &sig.normalize_s())
                    .is_ok()
            }),
        }
    }
}

/// An Ed25519 private key.
pub struct Ed25519KeyPair {
    key: ed25519_dalek::SigningKey,
    seed: Zeroizing<Vec<u8>>,
    public: [u8; 32],
}

impl Ed25519KeyPair {
    /// Loads a 32-byte seed, checking it against `public` when given.
    pub fn from_seed(seed: &[u8], public: Option<&[u8]>) -> Result<Self, Unspecified> {
        let bytes: &[u8; 32] = seed.try_into().map_err(|_| Unspecified)?;
        let key = ed25519_dalek::SigningKey::from_bytes(bytes);
        let derived = key.verifying_key().to_bytes();
        if public.is_some_and(|public| public != derived) {
            return Err(Unspecified);
        }
        Ok(Ed25519KeyPair {
            key,
            seed: Zeroizing::new(seed.to_vec()),
            public: derived,
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
        &self.public
    }

    /// The 64-byte signature of `msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }
}

/// An Ed25519 public key: a point that decompresses.
pub struct Ed25519PublicKey(ed25519_dalek::VerifyingKey);

impl Ed25519PublicKey {
    /// A public key from its 32 bytes.
    pub fn new(x: &[u8]) -> Result<Self, Unspecified> {
        let bytes: &[u8; 32] = x.try_into().map_err(|_| Unspecified)?;
        ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map(Ed25519PublicKey)
            .map_err(|_| Unspecified)
    }

    /// Whether `sig` is a valid signature of `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        ed25519_dalek::Signature::from_slice(sig)
            .is_ok_and(|sig| self.0.verify_strict(msg, &sig).is_ok())
    }
}

/// An ephemeral-static agreement: draws an ephemeral key on `curve`, agrees with
/// `peer` (refused when not a valid public key), and returns the shared secret `Z`
/// and the ephemeral public key (uncompressed point, or 32 bytes for X25519).
pub fn ecdh_ephemeral(
    curve: AgreementCurve,
    peer: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, Vec<u8>), Unspecified> {
    macro_rules! nist {
        ($krate:ident, $len:expr) => {{
            if peer.len() != 1 + 2 * $len || peer.first() != Some(&0x04) {
                return Err(Unspecified);
            }
            let peer = $krate::PublicKey::from_sec1_bytes(peer).map_err(|_| Unspecified)?;
            let mut d = Zeroizing::new([0u8; $len]);
            let secret = loop {
                fill_random(d.as_mut())?;
                if let Ok(secret) = $krate::SecretKey::from_slice(d.as_ref()) {
                    break secret;
                }
            };
            let z = $krate::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
            use $krate::elliptic_curve::sec1::ToSec1Point as _;
            let public = secret
                .public_key()
                .as_affine()
                .to_sec1_point(false)
                .as_bytes()
                .to_vec();
            Ok((Zeroizing::new(z.raw_secret_bytes().to_vec()), public))
        }};
    }
    match curve {
        AgreementCurve::P256 => nist!(p256, 32),
        AgreementCurve::P384 => nist!(p384, 48),
        AgreementCurve::X25519 => {
            let peer: [u8; 32] = peer.try_into().map_err(|_| Unspecified)?;
            let mut d = Zeroizing::new([0u8; 32]);
            fill_random(d.as_mut())?;
            let secret = x25519_dalek::StaticSecret::from(*d);
            let public = x25519_dalek::PublicKey::from(&secret).to_bytes().to_vec();
            let z = secret.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
            Ok((Zeroizing::new(z.as_bytes().to_vec()), public))
        }
    }
}

/// Encrypts `in_out` in place with AES-GCM (96-bit nonce) and returns the 16-byte tag.
pub fn aes_gcm_seal(
    alg: AesGcm,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
) -> Result<[u8; 16], Unspecified> {
    use aes_gcm::{AeadInOut as _, KeyInit as _, Nonce};
    if key.len() != alg.key_len() {
        return Err(Unspecified);
    }
    let nonce = Nonce::<aes_gcm::aead::consts::U12>::try_from(nonce).map_err(|_| Unspecified)?;
    let tag = match alg {
        AesGcm::Aes128 => aes_gcm::Aes128Gcm::new_from_slice(key)
            .map_err(|_| Unspecified)?
            .encrypt_inout_detached(&nonce, aad, in_out.into()),
        AesGcm::Aes256 => aes_gcm::Aes256Gcm::new_from_slice(key)
            .map_err(|_| Unspecified)?
            .encrypt_inout_detached(&nonce, aad, in_out.into()),
    }
    .map_err(|_| Unspecified)?;
    let mut out = [0u8; 16];
    out.copy_from_slice(&tag);
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
    use aes_gcm::{AeadInOut as _, KeyInit as _, Nonce, Tag};
    if key.len() != alg.key_len() {
        return Err(Unspecified);
    }
    let nonce = Nonce::<aes_gcm::aead::consts::U12>::try_from(nonce).map_err(|_| Unspecified)?;
    let tag = Tag::try_from(tag).map_err(|_| Unspecified)?;
    let result = match alg {
        AesGcm::Aes128 => aes_gcm::Aes128Gcm::new_from_slice(key)
            .map_err(|_| Unspecified)?
            .decrypt_inout_detached(&nonce, aad, in_out.as_mut_slice().into(), &tag),
        AesGcm::Aes256 => aes_gcm::Aes256Gcm::new_from_slice(key)
            .map_err(|_| Unspecified)?
            .decrypt_inout_detached(&nonce, aad, in_out.as_mut_slice().into(), &tag),
    };
    result.map_err(|_| {
        in_out.clear();
        Unspecified
    })
}

/// PBKDF2 with HMAC-`hash` (RFC 8018), filling `out`. Zero iterations are refused.
pub fn pbkdf2(
    hash: Hash,
    iterations: u32,
    salt: &[u8],
    password: &[u8],
    out: &mut [u8],
) -> Result<(), Unspecified> {
    if iterations == 0 {
        return Err(Unspecified);
    }
    match hash {
        Hash::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, out),
        Hash::Sha384 => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password, salt, iterations, out),
        Hash::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, iterations, out),
        Hash::Sha1 => return Err(Unspecified),
    }
    Ok(())
}

//! The certificate signature algorithms `rustls-webpki` checks a path with, on the
//! build's crypto provider (so that `X5cVerifier` works with every provider, wasm32
//! included, and webpki needs no crypto backend of its own).
//!
//! Accepted: ECDSA on P-256 and P-384 with SHA-256 or SHA-384 (ASN.1 DER signatures),
//! RSASSA-PKCS1-v1_5 and RSASSA-PSS with SHA-256, SHA-384 or SHA-512 (keys of 2048 to
//! 8192 bits in `rsaEncryption` certificates), and Ed25519. Never SHA-1.

use der::Decode as _;
use pkcs1::RsaPublicKeyRef;
use rustls_pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};

use crate::provider::{
    EcdsaCurve, EcdsaPublicKey, Ed25519PublicKey, Hash, RsaPublicKey, RsaScheme,
};

/// Every algorithm accepted along a certificate path.
pub(super) static ALL: &[&dyn SignatureVerificationAlgorithm] = &[
    &ECDSA_P256_SHA256,
    &ECDSA_P256_SHA384,
    &ECDSA_P384_SHA256,
    &ECDSA_P384_SHA384,
    &ED25519,
    &RSA_PKCS1_SHA256,
    &RSA_PKCS1_SHA384,
    &RSA_PKCS1_SHA512,
    &RSA_PKCS1_SHA256_ABSENT_PARAMS,
    &RSA_PKCS1_SHA384_ABSENT_PARAMS,
    &RSA_PKCS1_SHA512_ABSENT_PARAMS,
    &RSA_PSS_SHA256,
    &RSA_PSS_SHA384,
    &RSA_PSS_SHA512,
];

/// Smallest RSA modulus accepted in a certificate (as for token keys).
const RSA_MIN_BITS: usize = 2048;
/// Largest RSA modulus accepted in a certificate (bounds the work an attacker's
/// certificate can cause).
const RSA_MAX_BITS: usize = 8192;

/// One certificate signature algorithm: the identifiers webpki matches on the
/// issuer's key and on the certificate's signature, and how to check it.
#[derive(Debug)]
struct CertificateAlgorithm {
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
    check: Check,
}

/// The provider's operation behind a [`CertificateAlgorithm`].
#[derive(Clone, Copy, Debug)]
enum Check {
    /// An uncompressed point on `curve`; an ASN.1 DER `ECDSA-Sig-Value` over `hash`.
    Ecdsa(EcdsaCurve, Hash),
    /// A PKCS#1 `RSAPublicKey`; a signature of the modulus' length.
    Rsa(RsaScheme),
    /// A 32-byte key; a 64-byte signature.
    Ed25519,
}

impl SignatureVerificationAlgorithm for CertificateAlgorithm {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let valid = match self.check {
            Check::Ecdsa(curve, hash) => EcdsaPublicKey::new(curve, public_key)
                .is_ok_and(|key| key.verify_asn1(hash, message, signature)),
            Check::Rsa(scheme) => {
                rsa_key(scheme, public_key).is_some_and(|key| key.verify(message, signature))
            }
            Check::Ed25519 => {
                Ed25519PublicKey::new(public_key).is_ok_and(|key| key.verify(message, signature))
            }
        };
        if valid { Ok(()) } else { Err(InvalidSignature) }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature
    }
}

/// The provider's key for a PKCS#1 `RSAPublicKey`, when it parses and its modulus
/// is within [`RSA_MIN_BITS`]..=[`RSA_MAX_BITS`].
fn rsa_key(scheme: RsaScheme, der: &[u8]) -> Option<RsaPublicKey> {
    let key = RsaPublicKeyRef::from_der(der).ok()?;
    let n = crate::der::trim_leading_zeros(key.modulus.as_bytes());
    let e = crate::der::trim_leading_zeros(key.public_exponent.as_bytes());
    let bits = crate::rsa::bit_len(n);
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return None;
    }
    RsaPublicKey::new(scheme, n, e).ok()
}

const fn ecdsa(
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
    curve: EcdsaCurve,
    hash: Hash,
) -> CertificateAlgorithm {
    CertificateAlgorithm {
        public_key,
        signature,
        check: Check::Ecdsa(curve, hash),
    }
}

const fn rsa(signature: AlgorithmIdentifier, scheme: RsaScheme) -> CertificateAlgorithm {
    CertificateAlgorithm {
        public_key: alg_id::RSA_ENCRYPTION,
        signature,
        check: Check::Rsa(scheme),
    }
}

static ECDSA_P256_SHA256: CertificateAlgorithm = ecdsa(
    alg_id::ECDSA_P256,
    alg_id::ECDSA_SHA256,
    EcdsaCurve::P256,
    Hash::Sha256,
);
static ECDSA_P256_SHA384: CertificateAlgorithm = ecdsa(
    alg_id::ECDSA_P256,
    alg_id::ECDSA_SHA384,
    EcdsaCurve::P256,
    Hash::Sha384,
);
static ECDSA_P384_SHA256: CertificateAlgorithm = ecdsa(
    alg_id::ECDSA_P384,
    alg_id::ECDSA_SHA256,
    EcdsaCurve::P384,
    Hash::Sha256,
);
static ECDSA_P384_SHA384: CertificateAlgorithm = ecdsa(
    alg_id::ECDSA_P384,
    alg_id::ECDSA_SHA384,
    EcdsaCurve::P384,
    Hash::Sha384,
);
static ED25519: CertificateAlgorithm = CertificateAlgorithm {
    public_key: alg_id::ED25519,
    signature: alg_id::ED25519,
    check: Check::Ed25519,
};
static RSA_PKCS1_SHA256: CertificateAlgorithm =
    rsa(alg_id::RSA_PKCS1_SHA256, RsaScheme::Pkcs1Sha256);
static RSA_PKCS1_SHA384: CertificateAlgorithm =
    rsa(alg_id::RSA_PKCS1_SHA384, RsaScheme::Pkcs1Sha384);
static RSA_PKCS1_SHA512: CertificateAlgorithm =
    rsa(alg_id::RSA_PKCS1_SHA512, RsaScheme::Pkcs1Sha512);
static RSA_PSS_SHA256: CertificateAlgorithm = rsa(alg_id::RSA_PSS_SHA256, RsaScheme::PssSha256);
static RSA_PSS_SHA384: CertificateAlgorithm = rsa(alg_id::RSA_PSS_SHA384, RsaScheme::PssSha384);
static RSA_PSS_SHA512: CertificateAlgorithm = rsa(alg_id::RSA_PSS_SHA512, RsaScheme::PssSha512);

// RFC 4055 §5 says the PKCS#1 v1.5 identifiers carry NULL parameters, and
// `alg_id` has those; some issuers omit the parameters, which RFC 4055 tells
// verifiers to accept. The value of these identifiers is the OID alone:
// sha256WithRSAEncryption (1.2.840.113549.1.1.11), sha384… (.12), sha512… (.13).
static RSA_PKCS1_SHA256_ABSENT_PARAMS: CertificateAlgorithm = rsa(
    AlgorithmIdentifier::from_slice(&[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
    ]),
    RsaScheme::Pkcs1Sha256,
);
static RSA_PKCS1_SHA384_ABSENT_PARAMS: CertificateAlgorithm = rsa(
    AlgorithmIdentifier::from_slice(&[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c,
    ]),
    RsaScheme::Pkcs1Sha384,
);
static RSA_PKCS1_SHA512_ABSENT_PARAMS: CertificateAlgorithm = rsa(
    AlgorithmIdentifier::from_slice(&[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d,
    ]),
    RsaScheme::Pkcs1Sha512,
);

#[cfg(test)]
mod tests {
    use der::Encode as _;
    use der::asn1::ObjectIdentifier;

    use super::*;
    use crate::provider::{EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};

    const RSA_PKCS1: &[u8] = include_bytes!("../../tests/data/rsa2048.pkcs1.der");

    /// The `RSAPublicKey` DER of the test key (what a certificate's SPKI holds).
    fn rsa_public_der() -> Vec<u8> {
        let private = pkcs1::RsaPrivateKeyRef::from_der(RSA_PKCS1).unwrap();
        RsaPublicKeyRef {
            modulus: private.modulus,
            public_exponent: private.public_exponent,
        }
        .to_der()
        .unwrap()
    }

    fn check(alg: &CertificateAlgorithm, key: &[u8], msg: &[u8], sig: &[u8]) -> bool {
        alg.verify_signature(key, msg, sig).is_ok()
    }

    #[test]
    fn rsa_pkcs1_and_pss_verify_with_the_provider() {
        let pair = RsaKeyPair::from_pkcs1_der(RSA_PKCS1).unwrap();
        let public = rsa_public_der();
        let cases = [
            (&RSA_PKCS1_SHA256, RsaScheme::Pkcs1Sha256),
            (&RSA_PKCS1_SHA384, RsaScheme::Pkcs1Sha384),
            (&RSA_PKCS1_SHA512, RsaScheme::Pkcs1Sha512),
            (&RSA_PKCS1_SHA256_ABSENT_PARAMS, RsaScheme::Pkcs1Sha256),
            (&RSA_PSS_SHA256, RsaScheme::PssSha256),
            (&RSA_PSS_SHA384, RsaScheme::PssSha384),
            (&RSA_PSS_SHA512, RsaScheme::PssSha512),
        ];
        for (alg, scheme) in cases {
            let mut sig = vec![0; pair.modulus_len()];
            pair.sign(scheme, b"tbs", &mut sig).unwrap();
            assert!(check(alg, &public, b"tbs", &sig), "{scheme:?}");
            assert!(!check(alg, &public, b"tbS", &sig), "{scheme:?}");
            let mut bad = sig.clone();
            bad[10] ^= 1;
            assert!(!check(alg, &public, b"tbs", &bad), "{scheme:?}");
            // Not a PKCS#1 public key.
            assert!(!check(alg, &public[1..], b"tbs", &sig), "{scheme:?}");
        }
        // The wrong padding or hash never verifies.
        let mut sig = vec![0; pair.modulus_len()];
        pair.sign(RsaScheme::PssSha256, b"tbs", &mut sig).unwrap();
        assert!(!check(&RSA_PKCS1_SHA256, &public, b"tbs", &sig));
        assert!(!check(&RSA_PSS_SHA384, &public, b"tbs", &sig));
    }

    #[test]
    fn rsa_keys_under_2048_bits_are_refused() {
        let private = pkcs1::RsaPrivateKeyRef::from_der(RSA_PKCS1).unwrap();
        // The same modulus cut to 1024 bits: refused before any arithmetic.
        let n = &private.modulus.as_bytes()[..128];
        let short = RsaPublicKeyRef {
            modulus: der::asn1::UintRef::new(n).unwrap(),
            public_exponent: private.public_exponent,
        }
        .to_der()
        .unwrap();
        assert!(rsa_key(RsaScheme::Pkcs1Sha256, &short).is_none());
        assert!(rsa_key(RsaScheme::Pkcs1Sha256, &rsa_public_der()).is_some());
    }

    #[test]
    fn ecdsa_verifies_der_signatures_on_both_curves() {
        for (curve, algs) in [
            (EcdsaCurve::P256, [&ECDSA_P256_SHA256, &ECDSA_P256_SHA384]),
            (EcdsaCurve::P384, [&ECDSA_P384_SHA256, &ECDSA_P384_SHA384]),
        ] {
            let pair = EcdsaKeyPair::generate(curve).unwrap();
            let fixed = pair.sign(b"tbs").unwrap();
            let der = fixed_to_der(&fixed);
            let (same_hash, other_hash) = match curve {
                EcdsaCurve::P256 => (algs[0], algs[1]),
                _ => (algs[1], algs[0]),
            };
            assert!(check(same_hash, pair.public_point(), b"tbs", &der));
            assert!(!check(same_hash, pair.public_point(), b"tbS", &der));
            // The fixed form is not what certificates carry.
            assert!(!check(same_hash, pair.public_point(), b"tbs", &fixed));
            // Signed over the curve's own hash: the other hash does not verify.
            assert!(!check(other_hash, pair.public_point(), b"tbs", &der));
            // A point off the curve.
            let mut off = pair.public_point().to_vec();
            off[5] ^= 1;
            assert!(!check(same_hash, &off, b"tbs", &der));
        }
    }

    #[test]
    fn ed25519_verifies() {
        let pair = Ed25519KeyPair::generate().unwrap();
        let sig = pair.sign(b"tbs");
        assert!(check(&ED25519, pair.public_key(), b"tbs", &sig));
        assert!(!check(&ED25519, pair.public_key(), b"tbS", &sig));
        assert!(!check(&ED25519, &pair.public_key()[1..], b"tbs", &sig));
    }

    #[test]
    fn identifiers_are_the_ones_certificates_carry() {
        // The parameter-less identifiers are the OIDs' DER encodings.
        for (alg, oid) in [
            (&RSA_PKCS1_SHA256_ABSENT_PARAMS, "1.2.840.113549.1.1.11"),
            (&RSA_PKCS1_SHA384_ABSENT_PARAMS, "1.2.840.113549.1.1.12"),
            (&RSA_PKCS1_SHA512_ABSENT_PARAMS, "1.2.840.113549.1.1.13"),
        ] {
            let der = ObjectIdentifier::new(oid).unwrap().to_der().unwrap();
            assert_eq!(alg.signature_alg_id().as_ref(), &der[..]);
            assert_eq!(alg.public_key_alg_id(), alg_id::RSA_ENCRYPTION);
        }
        // No algorithm listed twice.
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert!(
                    a.public_key_alg_id() != b.public_key_alg_id()
                        || a.signature_alg_id() != b.signature_alg_id()
                );
            }
        }
    }

    /// `r || s` to an ASN.1 `ECDSA-Sig-Value` (SEQUENCE of two INTEGERs).
    fn fixed_to_der(fixed: &[u8]) -> Vec<u8> {
        let (r, s) = fixed.split_at(fixed.len() / 2);
        let int = |x: &[u8]| der::asn1::UintRef::new(x).unwrap().to_der().unwrap();
        let body = [int(r), int(s)].concat();
        // At most 2 × (2 + 49) bytes for P-384: a short-form length.
        let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
        out.extend_from_slice(&body);
        out
    }
}

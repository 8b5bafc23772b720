//! ML-DSA keys in SPKI and PKCS#8 (RFC 9881): the algorithm identifiers
//! `id-ml-dsa-44`, `id-ml-dsa-65` and `id-ml-dsa-87` without parameters, the public
//! key as the bit string, and the private key in the seed form only (`[0] IMPLICIT
//! OCTET STRING (SIZE (32))`), the one form RFC 9964's `priv` has. The expanded and
//! "both" forms are refused with a typed error.

use der::asn1::ObjectIdentifier;
use jot_codec::Algorithm;
use spki::AlgorithmIdentifierRef;

use crate::jwk::akp_public_len;
use crate::{KeyError, KeyMaterial};

// `new_unwrap` runs at compile time here too.
/// `id-ml-dsa-44` (NIST CSOR, RFC 9881).
const OID_ML_DSA_44: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.17");
/// `id-ml-dsa-65`.
const OID_ML_DSA_65: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.18");
/// `id-ml-dsa-87`.
const OID_ML_DSA_87: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.19");

/// The DER header of the seed form: context tag `[0]`, primitive, 32 bytes.
const SEED_HEADER: [u8; 2] = [0x80, 0x20];

/// The ML-DSA algorithm of an OID, if it is one.
pub(super) fn algorithm_of(oid: &ObjectIdentifier) -> Option<Algorithm> {
    [Algorithm::MlDsa44, Algorithm::MlDsa65, Algorithm::MlDsa87]
        .into_iter()
        .find(|&alg| oid_of(alg) == Some(*oid))
}

/// The algorithm identifier of an ML-DSA key (no parameters, RFC 9881 §2).
pub(super) fn identifier(alg: Algorithm) -> Result<AlgorithmIdentifierRef<'static>, KeyError> {
    Ok(AlgorithmIdentifierRef {
        oid: oid_of(alg).ok_or(KeyError::Encoding)?,
        parameters: None,
    })
}

/// An SPKI public key of `alg`.
pub(super) fn public(
    alg: Algorithm,
    params_present: bool,
    key: &[u8],
) -> Result<KeyMaterial, KeyError> {
    no_parameters(params_present)?;
    if Some(key.len()) != akp_public_len(alg) {
        return Err(KeyError::InvalidDer {
            reason: "an ML-DSA public key has the wrong length for its algorithm",
        });
    }
    Ok(KeyMaterial::AkpPublic {
        alg,
        public: key.to_vec(),
    })
}

/// A PKCS#8 private key of `alg`: `inner` is the content of its `privateKey`
/// octet string; `public` the optional public key of a version 2 structure.
pub(super) fn private(
    alg: Algorithm,
    params_present: bool,
    inner: &[u8],
    public: Option<&[u8]>,
) -> Result<KeyMaterial, KeyError> {
    no_parameters(params_present)?;
    let seed = match inner.split_first_chunk::<2>() {
        Some((header, seed)) if *header == SEED_HEADER && seed.len() == 32 => seed,
        Some(([0x04 | 0x30, ..], _)) => {
            return Err(KeyError::UnsupportedKeyType {
                what: "an ML-DSA private key in the expanded or \"both\" form; only the seed form is read",
            });
        }
        _ => {
            return Err(KeyError::InvalidDer {
                reason: "malformed ML-DSA private key",
            });
        }
    };
    if let Some(public) = public {
        if Some(public.len()) != akp_public_len(alg) {
            return Err(KeyError::InvalidDer {
                reason: "an ML-DSA public key has the wrong length for its algorithm",
            });
        }
    }
    Ok(KeyMaterial::AkpPrivate {
        alg,
        seed: seed.to_vec(),
        public: public.map(<[u8]>::to_vec),
    })
}

/// The content of the `privateKey` octet string for `seed`: the seed form.
pub(super) fn seed_form(seed: &[u8]) -> Vec<u8> {
    let mut out = SEED_HEADER.to_vec();
    out.extend_from_slice(seed);
    out
}

fn oid_of(alg: Algorithm) -> Option<ObjectIdentifier> {
    match alg {
        Algorithm::MlDsa44 => Some(OID_ML_DSA_44),
        Algorithm::MlDsa65 => Some(OID_ML_DSA_65),
        Algorithm::MlDsa87 => Some(OID_ML_DSA_87),
        _ => None,
    }
}

fn no_parameters(present: bool) -> Result<(), KeyError> {
    if present {
        Err(KeyError::InvalidDer {
            reason: "an ML-DSA algorithm identifier must have no parameters",
        })
    } else {
        Ok(())
    }
}

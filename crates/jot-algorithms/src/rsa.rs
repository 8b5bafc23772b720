//! RS256/384/512 (RSASSA-PKCS1-v1_5) and PS256/384/512 (RSASSA-PSS) on the crypto
//! provider.
//!
//! Private keys keep their parts beside the provider's key pair, because a provider
//! need not export a parsed key. A verifying key keeps the checked modulus and
//! exponent for export beside the provider's public key.

use jot_codec::Algorithm;

use crate::der::{encode_pkcs1_private, trim_leading_zeros};
use crate::provider::{self, RsaScheme};
use crate::{KeyError, RsaPrivateParts};

/// Smallest modulus jot accepts (RFC 7518 §3.3, §3.5).
const MIN_BITS: usize = 2048;
/// Largest modulus jot signs with (every provider).
const MAX_PRIVATE_BITS: usize = 4096;
/// Largest modulus jot verifies with (every provider).
const MAX_PUBLIC_BITS: usize = 8192;

/// An RSA private key bound to one algorithm.
pub(crate) struct RsaSigning {
    pair: provider::RsaKeyPair,
    public: RsaVerifying,
    parts: Box<RsaPrivateParts>,
}

/// An RSA public key bound to one algorithm.
#[derive(Clone)]
pub(crate) struct RsaVerifying {
    key: std::sync::Arc<provider::RsaPublicKey>,
    scheme: RsaScheme,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl RsaSigning {
    /// Loads the key's integers (as PKCS#1 `RSAPrivateKey` DER, what every provider
    /// reads); checks size and exponent, then the provider checks the key's consistency.
    pub(crate) fn new(alg: Algorithm, parts: &RsaPrivateParts) -> Result<Self, KeyError> {
        let scheme = scheme(alg)?;
        let n = trim_leading_zeros(&parts.n).to_vec();
        let e = trim_leading_zeros(&parts.e).to_vec();
        check_modulus(&n, MAX_PRIVATE_BITS)?;
        check_exponent(&e, true)?;
        let pkcs1 = encode_pkcs1_private(parts)?;
        let pair =
            provider::RsaKeyPair::from_pkcs1_der(&pkcs1).map_err(|_| KeyError::InconsistentKey)?;
        let key = RsaSigning {
            pair,
            public: RsaVerifying::checked(scheme, &n, &e)?,
            parts: Box::new(parts.clone()),
        };
        // A provider need not check every CRT value at load (ring checks each
        // signature instead), so a key with a bad dP or dQ could load and then never
        // sign. One trial signature at load refuses such keys up front.
        let mut probe = Vec::new();
        key.sign(b"jot: RSA key consistency check", &mut probe)
            .map_err(|()| KeyError::InconsistentKey)?;
        Ok(key)
    }

    /// The matching public key (already checked: a private key's limits are stricter).
    pub(crate) fn verifying(&self) -> RsaVerifying {
        self.public.clone()
    }

    pub(crate) fn parts(&self) -> &RsaPrivateParts {
        &self.parts
    }

    pub(crate) fn signature_len(&self) -> usize {
        self.pair.modulus_len()
    }

    pub(crate) fn sign(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), ()> {
        let start = out.len();
        out.resize(start + self.signature_len(), 0);
        match self.pair.sign(self.public.scheme, input, &mut out[start..]) {
            Ok(()) => Ok(()),
            Err(_) => {
                out.truncate(start);
                Err(())
            }
        }
    }
}

impl RsaVerifying {
    /// Takes the big-endian modulus and exponent; checks size and exponent.
    pub(crate) fn new(alg: Algorithm, n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let scheme = scheme(alg)?;
        let n = trim_leading_zeros(n);
        let e = trim_leading_zeros(e);
        check_modulus(n, MAX_PUBLIC_BITS)?;
        check_exponent(e, false)?;
        RsaVerifying::checked(scheme, n, e)
    }

    /// A verifying key from parts already checked.
    fn checked(scheme: RsaScheme, n: &[u8], e: &[u8]) -> Result<RsaVerifying, KeyError> {
        let key =
            provider::RsaPublicKey::new(scheme, n, e).map_err(|_| KeyError::InconsistentKey)?;
        Ok(RsaVerifying {
            key: std::sync::Arc::new(key),
            scheme,
            n: n.to_vec(),
            e: e.to_vec(),
        })
    }

    pub(crate) fn n(&self) -> &[u8] {
        &self.n
    }

    pub(crate) fn e(&self) -> &[u8] {
        &self.e
    }

    pub(crate) fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        self.key.verify(input, sig)
    }
}

fn scheme(alg: Algorithm) -> Result<RsaScheme, KeyError> {
    Ok(match alg {
        Algorithm::RS256 => RsaScheme::Pkcs1Sha256,
        Algorithm::RS384 => RsaScheme::Pkcs1Sha384,
        Algorithm::RS512 => RsaScheme::Pkcs1Sha512,
        Algorithm::PS256 => RsaScheme::PssSha256,
        Algorithm::PS384 => RsaScheme::PssSha384,
        Algorithm::PS512 => RsaScheme::PssSha512,
        other => return Err(mismatch(other)),
    })
}

fn mismatch(requested: Algorithm) -> KeyError {
    KeyError::AlgorithmMismatch {
        key: "RSA",
        requested,
    }
}

/// The bit length of a big-endian integer without leading zeros.
pub(crate) fn bit_len(n: &[u8]) -> usize {
    match n.first() {
        Some(&top) => (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    }
}

fn check_modulus(n: &[u8], max_bits: usize) -> Result<(), KeyError> {
    let bits = bit_len(n);
    if bits < MIN_BITS {
        return Err(KeyError::RsaTooSmall { bits });
    }
    if bits > max_bits {
        return Err(KeyError::RsaTooLarge { bits, max_bits });
    }
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(KeyError::InconsistentKey);
    }
    if has_roca_fingerprint(n) {
        return Err(KeyError::RsaVulnerable {
            cve: "CVE-2017-15361 (ROCA)",
        });
    }
    Ok(())
}

/// The small primes of the ROCA fingerprint test (Nemec et al., CCS 2017).
const ROCA_PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// True when `n` was generated by the Infineon library flawed by ROCA: moduli it made
/// are, modulo each small prime p, in the subgroup generated by 65537. A random
/// modulus passes this for every prime with negligible probability.
fn has_roca_fingerprint(n: &[u8]) -> bool {
    ROCA_PRIMES.iter().all(|&p| {
        let p = u64::from(p);
        let residue = n
            .iter()
            .fold(0u64, |acc, &b| ((acc << 8) | u64::from(b)) % p);
        let g = 65537 % p;
        let mut power = 1u64;
        // The subgroup generated by g has at most p - 1 elements.
        for _ in 0..p {
            if power == residue {
                return true;
            }
            power = power * g % p;
            if power == 1 {
                break;
            }
        }
        false
    })
}

/// Public keys need an odd exponent of at least 3; private keys need at least
/// 65537. Both are capped at 2^33 - 1 (ring's limits, applied with every provider).
fn check_exponent(e: &[u8], private: bool) -> Result<(), KeyError> {
    let reason = if e.len() > 5 || bit_len(e) > 33 {
        Some("larger than 2^33 - 1")
    } else {
        let value = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if value % 2 == 0 {
            Some("even")
        } else if value < 3 {
            Some("smaller than 3")
        } else if private && value < 65537 {
            Some("smaller than 65537 (required for private keys)")
        } else {
            None
        }
    };
    match reason {
        Some(reason) => Err(KeyError::RsaBadExponent { reason }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roca_fingerprint() {
        // A random odd 2048-bit modulus is not flagged.
        let mut n = vec![0xc3u8; 256];
        n[255] = 0x5b;
        assert!(!has_roca_fingerprint(&n));
        // A value congruent to 65537^k modulo every test prime is flagged: 65537 itself.
        assert!(has_roca_fingerprint(&[0x01, 0x00, 0x01]));
        assert!(has_roca_fingerprint(&[0x01]));
    }

    #[test]
    fn modulus_and_exponent_checks() {
        let mut n = vec![0xff; 256];
        assert!(check_modulus(&n, MAX_PUBLIC_BITS).is_ok());
        n[0] = 0x7f;
        assert_eq!(
            check_modulus(&n, MAX_PUBLIC_BITS),
            Err(KeyError::RsaTooSmall { bits: 2047 })
        );
        assert_eq!(
            check_modulus(&vec![0xff; 513], MAX_PRIVATE_BITS),
            Err(KeyError::RsaTooLarge {
                bits: 4104,
                max_bits: 4096
            })
        );
        assert!(check_exponent(&[1, 0, 1], true).is_ok());
        assert!(check_exponent(&[3], false).is_ok());
        assert!(check_exponent(&[3], true).is_err());
        assert!(check_exponent(&[1], false).is_err());
        assert!(check_exponent(&[4], false).is_err());
        assert!(check_exponent(&[1, 0, 0, 0, 0, 1], false).is_err());
    }

    #[test]
    fn weak_public_key_refused() {
        let n = vec![0xff; 128];
        assert_eq!(
            RsaVerifying::new(Algorithm::RS256, &n, &[1, 0, 1]).err(),
            Some(KeyError::RsaTooSmall { bits: 1024 })
        );
        assert!(RsaVerifying::new(Algorithm::ES256, &[0xff; 256], &[1, 0, 1]).is_err());
    }
}

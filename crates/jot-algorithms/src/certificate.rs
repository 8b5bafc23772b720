//! The one thing jot reads from an X.509 certificate (RFC 5280): its
//! `subjectPublicKeyInfo`, through RustCrypto's `x509-cert` (the family of the
//! `der` and `spki` crates jot's other key formats use).

use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::KeyError;

/// The `subjectPublicKeyInfo` (DER) of an X.509 certificate (RFC 5280 §4.1). The
/// certificate must decode as RFC 5280 says, with nothing after it; its signature,
/// validity and extensions are not checked: jot takes only the public key, as from
/// a PEM file.
pub(crate) fn certificate_spki(der: &[u8]) -> Result<Vec<u8>, KeyError> {
    const BAD: KeyError = KeyError::InvalidDer {
        reason: "malformed X.509 certificate",
    };
    let certificate = Certificate::from_der(der).map_err(|_| BAD)?;
    certificate
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|_| BAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_certificate() {
        assert!(certificate_spki(&[]).is_err());
        assert!(certificate_spki(&[0x30, 0x00]).is_err());
        assert!(certificate_spki(&[0x30, 0x05, 0x00]).is_err());
    }
}

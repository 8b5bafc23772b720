//! One signature of a JWS JSON serialization: its headers, as parsed or signed,
//! and its check.

use alloc::string::String;
use alloc::vec::Vec;

use super::parse;
use super::sign::unprotected_json;
use crate::base64url;
use crate::error::{Error, HeaderError, JwsJsonError, Segment, clip_untrusted};
use crate::header::{AlgName, check_jws_structure};
use crate::{Algorithm, Header, Validation, Verifier, VerifyError};

/// One signature of a [`JwsJson`](crate::JwsJson), with its headers.
#[derive(Clone, Debug)]
pub struct JwsSignature {
    pub(super) protected_b64: Option<String>,
    pub(super) protected: Header,
    pub(super) unprotected: Option<Header>,
    pub(super) alg: AlgName,
    pub(super) alg_protected: bool,
    pub(super) header: Header,
    /// The unprotected header as written out (with `alg` when it is unprotected).
    pub(super) unprotected_json: Option<String>,
    pub(super) signature_b64: String,
}

impl JwsSignature {
    pub(super) fn from_raw(raw: parse::RawSignature) -> Result<JwsSignature, Error> {
        let signature_b64 = raw
            .signature
            .ok_or(JwsJsonError::MissingMember { name: "signature" })?;
        let (alg_p, protected) = match &raw.protected {
            Some(b64) => {
                let json = base64url::decode(b64).map_err(|_| Error::Base64 {
                    segment: Segment::Header,
                })?;
                Header::part_from_json(&json)?
            }
            None => (None, Header::new()),
        };
        let (alg_u, unprotected) = match raw.header {
            Some((alg, header)) => (alg, Some(header)),
            None => (None, None),
        };
        let alg_protected = alg_p.is_some();
        let alg = match (alg_p, alg_u) {
            (Some(_), Some(_)) => {
                return Err(JwsJsonError::DuplicateHeaderParameter {
                    index: 0,
                    name: String::from("alg"),
                }
                .into());
            }
            (Some(alg), None) | (None, Some(alg)) => alg,
            (None, None) => return Err(HeaderError::MissingAlgorithm.into()),
        };
        let header = combine(&protected, unprotected.as_ref())?;
        let unprotected_json =
            unprotected_json(unprotected.as_ref(), (!alg_protected).then(|| alg.as_str()))?;
        Ok(JwsSignature {
            protected_b64: raw.protected,
            protected,
            unprotected,
            alg,
            alg_protected,
            header,
            unprotected_json,
            signature_b64,
        })
    }

    /// The JOSE header: the protected and the unprotected parameters together.
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","header":{"kid":"k"},"signature":"c2ln"}"#)?;
    /// assert_eq!(jws.signatures()[0].header().kid.as_deref(), Some("k"));
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The protected header's parameters (empty when there is none), without `alg`.
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","header":{"kid":"k"},"signature":"c2ln"}"#)?;
    /// assert_eq!(jws.signatures()[0].protected_header().kid, None);
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn protected_header(&self) -> &Header {
        &self.protected
    }

    /// The unprotected header (`header` member), without `alg`.
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","header":{"kid":"k"},"signature":"c2ln"}"#)?;
    /// assert_eq!(jws.signatures()[0].unprotected_header().unwrap().kid.as_deref(), Some("k"));
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn unprotected_header(&self) -> Option<&Header> {
        self.unprotected.as_ref()
    }

    /// The base64url protected header as written (`None` when absent).
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert_eq!(jws.signatures()[0].protected_b64(), Some("eyJhbGciOiJIUzI1NiJ9"));
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn protected_b64(&self) -> Option<&str> {
        self.protected_b64.as_deref()
    }

    /// The base64url signature.
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert_eq!(jws.signatures()[0].signature_b64(), "c2ln");
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn signature_b64(&self) -> &str {
        &self.signature_b64
    }

    /// The `alg` as written (possibly `none` or unknown).
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"","header":{"alg":"none"},"signature":""}"#)?;
    /// assert_eq!(jws.signatures()[0].algorithm_name(), "none");
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn algorithm_name(&self) -> &str {
        self.alg.as_str()
    }

    /// Whether `alg` is in the protected header (RFC 7515 §10.7 recommends it).
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"","header":{"alg":"HS256"},"signature":""}"#)?;
    /// assert!(!jws.signatures()[0].is_algorithm_protected());
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn is_algorithm_protected(&self) -> bool {
        self.alg_protected
    }

    /// Whether this signature's protected header says `b64: false` (RFC 7797).
    ///
    /// ```
    /// let p = "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19";
    /// let jws = jot_codec::JwsJson::parse(&format!(r#"{{"payload":"$.02","protected":"{p}","signature":""}}"#))?;
    /// assert!(jws.signatures()[0].is_unencoded());
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn is_unencoded(&self) -> bool {
        self.protected.b64 == Some(false)
    }

    /// The algorithm, if jot accepts it: `none` gives [`Error::Unsecured`], anything
    /// unknown [`HeaderError::UnsupportedAlgorithm`].
    ///
    /// ```
    /// use jot_codec::{Algorithm, JwsJson};
    /// let jws = JwsJson::parse(r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert_eq!(jws.signatures()[0].algorithm()?, Algorithm::HS256);
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn algorithm(&self) -> Result<Algorithm, Error> {
        match &self.alg {
            AlgName::Known(alg) => Ok(*alg),
            AlgName::None => Err(Error::Unsecured),
            AlgName::Unknown(name) => {
                Err(HeaderError::UnsupportedAlgorithm { name: name.clone() }.into())
            }
        }
    }

    pub(super) fn check<V: Verifier + ?Sized>(
        &self,
        payload: &[u8],
        verifier: &V,
        validation: &Validation,
    ) -> Result<Algorithm, Error> {
        let alg = self.algorithm()?;
        if !validation.allows(alg) {
            return Err(Error::AlgorithmNotAllowed { alg });
        }
        self.header.check_critical(validation)?;
        let signature = base64url::decode(&self.signature_b64).map_err(|_| Error::Base64 {
            segment: Segment::Signature,
        })?;
        let input = signing_input(self.protected_b64.as_deref(), payload);
        let kid = self.header.kid.as_deref();
        verifier
            .verify(alg, kid, &input, &signature)
            .map_err(|e| match e {
                VerifyError::AlgorithmNotAllowed => Error::AlgorithmNotAllowed { alg },
                VerifyError::UnknownKey => Error::UnknownKey {
                    kid: kid.map(clip_untrusted),
                },
                _ => Error::InvalidSignature,
            })?;
        Ok(alg)
    }

    pub(super) fn write_members(&self, out: &mut String) {
        if let Some(p) = &self.protected_b64 {
            out.push_str("\"protected\":\"");
            out.push_str(p);
            out.push_str("\",");
        }
        if let Some(json) = &self.unprotected_json {
            out.push_str("\"header\":");
            out.push_str(json);
            out.push(',');
        }
        out.push_str("\"signature\":\"");
        out.push_str(&self.signature_b64);
        out.push('"');
    }
}

/// `ASCII(protected) || '.' || payload` (RFC 7515 §5.1 step 8), where `payload`
/// is base64url, or the payload itself when it is unencoded (RFC 7797 §3).
pub(super) fn signing_input(protected_b64: Option<&str>, payload: &[u8]) -> Vec<u8> {
    let protected = protected_b64.unwrap_or_default();
    let mut input = Vec::with_capacity(protected.len() + 1 + payload.len());
    input.extend_from_slice(protected.as_bytes());
    input.push(b'.');
    input.extend_from_slice(payload);
    input
}

/// The JOSE header of one signature: the two parts, which must be disjoint, with
/// `crit` only in the protected one; then the `crit`/`b64` rules on the whole.
/// `b64` must be protected too (RFC 7797 §3).
pub(super) fn combine(protected: &Header, unprotected: Option<&Header>) -> Result<Header, Error> {
    let mut header = protected.clone();
    if let Some(u) = unprotected {
        if u.crit.is_some() {
            return Err(JwsJsonError::UnprotectedCritical { index: 0 }.into());
        }
        if u.b64.is_some() {
            return Err(JwsJsonError::UnprotectedB64 { index: 0 }.into());
        }
        if let Some(name) = u
            .member_names()
            .find(|n| protected.member_names().any(|p| p == *n))
        {
            return Err(JwsJsonError::DuplicateHeaderParameter {
                index: 0,
                name: clip_untrusted(name),
            }
            .into());
        }
        header.merge(u);
    }
    check_jws_structure(&header)?;
    Ok(header)
}

//! The JWS JSON serialization (RFC 7515 §7.2), general and flattened: several
//! signatures over one payload, each with a protected and an unprotected header.
//!
//! Parsing is strict: duplicate members are refused at every level, a flattened
//! document must not also have `signatures`, the number of signatures is bounded
//! ([`JwsJson::MAX_SIGNATURES`]), a header parameter must not be both protected and
//! unprotected (RFC 7515 §7.2.1), and `crit` must be protected (§4.1.11). Members
//! jot does not know are ignored, as RFC 7515 §7.2.1 requires; a JWE (`ciphertext`)
//! is refused as [`Error::Encrypted`]. Unencoded payloads (RFC 7797 `b64: false`)
//! are refused, as in the compact form.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::base64url;
use crate::error::{Error, HeaderError, JwsJsonError, Segment, clip_untrusted};
use crate::header::{AlgName, check_structure};
use crate::{Algorithm, Header, Validation, Verifier, VerifyError};

mod parse;
mod sign;
mod verify;

pub use sign::SignatureSpec;
use sign::unprotected_json;
use verify::apply_policy;
pub use verify::{SignatureCheck, SignaturePolicy, VerifiedJws};

/// A JWS in the JSON serialization: a payload (or none, when it is detached) and one
/// or more signatures. Parsed, but **no signature has been checked**: use
/// [`JwsJson::verify`].
///
/// ```
/// use jot_codec::{Algorithm, Header, JwsJson, SignError, SignaturePolicy, SignatureSpec, Signer,
///                 Validation, Verifier, VerifyError};
/// # struct Demo(&'static str);
/// # impl Signer for Demo {
/// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
/// #     fn key_id(&self) -> Option<&str> { Some(self.0) }
/// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(self.0.as_bytes()); Ok(()) }
/// # }
/// # impl Verifier for Demo {
/// #     fn verify(&self, _: Algorithm, kid: Option<&str>, _: &[u8], sig: &[u8]) -> Result<(), VerifyError> {
/// #         if kid == Some(self.0) && sig == self.0.as_bytes() { Ok(()) } else { Err(VerifyError::InvalidSignature) }
/// #     }
/// # }
/// let (a, b) = (Demo("a"), Demo("b"));
/// let jws = JwsJson::sign(b"hello", &[SignatureSpec::new(&a), SignatureSpec::new(&b)])?;
/// let json = jws.to_general_json();
///
/// let parsed = JwsJson::parse(&json)?;
/// let verified = parsed.verify(&b, &Validation::new(), SignaturePolicy::Any)?;
/// assert_eq!(verified.payload(), b"hello");
/// let ok: Vec<usize> = verified.verified().map(|c| c.index).collect();
/// assert_eq!(ok, [1]); // only the second signature is b's
/// assert!(parsed.verify(&b, &Validation::new(), SignaturePolicy::All).is_err());
/// # Ok::<(), jot_codec::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct JwsJson {
    payload_b64: Option<String>,
    signatures: Vec<JwsSignature>,
    flattened: bool,
}

/// One signature of a [`JwsJson`], with its headers.
#[derive(Clone, Debug)]
pub struct JwsSignature {
    protected_b64: Option<String>,
    protected: Header,
    unprotected: Option<Header>,
    alg: AlgName,
    alg_protected: bool,
    header: Header,
    /// The unprotected header as written out (with `alg` when it is unprotected).
    unprotected_json: Option<String>,
    signature_b64: String,
}

impl JwsJson {
    /// The most signatures a parsed JWS may have.
    pub const MAX_SIGNATURES: usize = 16;

    /// Parses a JWS JSON serialization (general or flattened) of at most the default
    /// 64 KiB.
    ///
    /// ```
    /// use jot_codec::{Error, JwsJson, JwsJsonError};
    /// let jws = JwsJson::parse(r#"{"payload":"e30","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert!(jws.is_flattened());
    /// assert_eq!(jws.signatures()[0].algorithm_name(), "HS256");
    ///
    /// let mixed = r#"{"payload":"e30","signature":"c2ln","signatures":[]}"#;
    /// assert!(matches!(JwsJson::parse(mixed), Err(Error::JwsJson(JwsJsonError::MixedSyntax))));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse(json: &str) -> Result<JwsJson, Error> {
        Self::parse_with_limit(json, crate::validation::DEFAULT_MAX_TOKEN_LEN)
    }

    /// Parses a JWS JSON serialization of at most `max_len` bytes.
    pub fn parse_with_limit(json: &str, max_len: usize) -> Result<JwsJson, Error> {
        if json.len() > max_len {
            return Err(Error::TooLarge {
                len: json.len(),
                max: max_len,
            });
        }
        let doc = parse::parse_document(json, Self::MAX_SIGNATURES)?;
        let (raw, flattened) = match doc.signatures {
            Some(list) if list.is_empty() => return Err(JwsJsonError::NoSignatures.into()),
            Some(list) => (list, false),
            None if doc.flat.signature.is_some() => (alloc::vec![doc.flat], true),
            None => return Err(JwsJsonError::MissingMember { name: "signatures" }.into()),
        };
        let signatures = raw
            .into_iter()
            .enumerate()
            .map(|(index, raw)| {
                JwsSignature::from_raw(raw)
                    .map_err(|e| match e {
                        Error::JwsJson(e) => Error::JwsJson(e),
                        other => JwsJsonError::Signature {
                            index,
                            source: Box::new(other),
                        }
                        .into(),
                    })
                    .map_err(|e| with_index(e, index))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // After the headers, so that an unencoded payload (RFC 7797) is reported as such.
        if let Some(payload) = &doc.payload {
            base64url::check(payload).map_err(|_| Error::Base64 {
                segment: Segment::Payload,
            })?;
        }
        Ok(JwsJson {
            payload_b64: doc.payload,
            signatures,
            flattened,
        })
    }

    /// Signs `payload` once per spec, in order: at least one and at most
    /// [`JwsJson::MAX_SIGNATURES`], so that the result parses.
    ///
    /// ```
    /// use jot_codec::{Header, JwsJson, SignatureSpec};
    /// # use jot_codec::{Algorithm, SignError, Signer};
    /// # struct Demo;
    /// # impl Signer for Demo {
    /// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
    /// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
    /// # }
    /// let spec = SignatureSpec::new(&Demo).unprotected(Header::new().kid("k1"));
    /// let jws = JwsJson::sign(b"{}", &[spec])?;
    /// assert_eq!(
    ///     jws.to_flattened_json()?,
    ///     r#"{"payload":"e30","protected":"eyJhbGciOiJIUzI1NiJ9","header":{"kid":"k1"},"signature":"c2ln"}"#
    /// );
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn sign(payload: &[u8], specs: &[SignatureSpec<'_>]) -> Result<JwsJson, Error> {
        if specs.is_empty() {
            return Err(JwsJsonError::NoSignatures.into());
        }
        if specs.len() > Self::MAX_SIGNATURES {
            return Err(JwsJsonError::TooManySignatures {
                max: Self::MAX_SIGNATURES,
            }
            .into());
        }
        let payload_b64 = base64url::encode(payload);
        let signatures = specs
            .iter()
            .enumerate()
            .map(|(index, spec)| {
                JwsSignature::sign(&payload_b64, spec).map_err(|e| with_index(e, index))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JwsJson {
            payload_b64: Some(payload_b64),
            signatures,
            flattened: specs.len() == 1,
        })
    }

    /// The same JWS without its payload (detached content, RFC 7515 Appendix F): the
    /// recipient supplies it to [`JwsJson::verify_detached`].
    pub fn detached(mut self) -> JwsJson {
        self.payload_b64 = None;
        self
    }

    /// The base64url payload, `None` when it is detached.
    pub fn payload_b64(&self) -> Option<&str> {
        self.payload_b64.as_deref()
    }

    /// The signatures, in document order.
    pub fn signatures(&self) -> &[JwsSignature] {
        &self.signatures
    }

    /// Whether the document was in (or, when signed, fits) the flattened syntax.
    pub fn is_flattened(&self) -> bool {
        self.flattened
    }

    /// The general syntax: `{"payload":…,"signatures":[…]}`.
    pub fn to_general_json(&self) -> String {
        let mut out = String::from("{");
        self.write_payload(&mut out);
        out.push_str("\"signatures\":[");
        for (i, sig) in self.signatures.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('{');
            sig.write_members(&mut out);
            out.push('}');
        }
        out.push_str("]}");
        out
    }

    /// The flattened syntax; only for a JWS with exactly one signature.
    pub fn to_flattened_json(&self) -> Result<String, Error> {
        let [sig] = self.signatures.as_slice() else {
            return Err(JwsJsonError::NotFlattenable {
                count: self.signatures.len(),
            }
            .into());
        };
        let mut out = String::from("{");
        self.write_payload(&mut out);
        sig.write_members(&mut out);
        out.push('}');
        Ok(out)
    }

    fn write_payload(&self, out: &mut String) {
        if let Some(payload) = &self.payload_b64 {
            out.push_str("\"payload\":\"");
            out.push_str(payload);
            out.push_str("\",");
        }
    }

    /// Checks every signature with `verifier` and returns each outcome, whatever it
    /// is. The algorithm gate and the understood `crit` names come from `validation`
    /// (its claim rules do not apply: the payload need not be a JWT).
    pub fn check_signatures<V: Verifier + ?Sized>(
        &self,
        verifier: &V,
        validation: &Validation,
    ) -> Result<Vec<SignatureCheck>, Error> {
        let payload = self
            .payload_b64
            .as_deref()
            .ok_or(JwsJsonError::DetachedPayload)?;
        Ok(self.check_all(payload, verifier, validation))
    }

    /// Checks the signatures and applies `policy`; returns the payload and each
    /// outcome. A detached payload gives [`JwsJsonError::DetachedPayload`].
    pub fn verify<V: Verifier + ?Sized>(
        &self,
        verifier: &V,
        validation: &Validation,
        policy: SignaturePolicy,
    ) -> Result<VerifiedJws, Error> {
        let checks = self.check_signatures(verifier, validation)?;
        apply_policy(&checks, policy)?;
        let payload = self.payload_b64.as_deref().unwrap_or_default();
        let payload = base64url::decode(payload).map_err(|_| Error::Base64 {
            segment: Segment::Payload,
        })?;
        Ok(VerifiedJws { payload, checks })
    }

    /// [`JwsJson::verify`] for a JWS whose payload is detached: `payload` is the
    /// content, not yet base64url-encoded.
    ///
    /// ```
    /// use jot_codec::{JwsJson, SignaturePolicy, SignatureSpec, Validation};
    /// # use jot_codec::{Algorithm, SignError, Signer, Verifier, VerifyError};
    /// # struct Demo;
    /// # impl Signer for Demo {
    /// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
    /// #     fn sign(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(input); Ok(()) }
    /// # }
    /// # impl Verifier for Demo {
    /// #     fn verify(&self, _: Algorithm, _: Option<&str>, input: &[u8], sig: &[u8]) -> Result<(), VerifyError> {
    /// #         if input == sig { Ok(()) } else { Err(VerifyError::InvalidSignature) }
    /// #     }
    /// # }
    /// let json = JwsJson::sign(b"content", &[SignatureSpec::new(&Demo)])?.detached().to_general_json();
    /// let jws = JwsJson::parse(&json)?;
    /// assert!(jws.payload_b64().is_none());
    /// let ok = jws.verify_detached(b"content", &Demo, &Validation::new(), SignaturePolicy::All)?;
    /// assert_eq!(ok.payload(), b"content");
    /// assert!(jws.verify_detached(b"other", &Demo, &Validation::new(), SignaturePolicy::All).is_err());
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn verify_detached<V: Verifier + ?Sized>(
        &self,
        payload: &[u8],
        verifier: &V,
        validation: &Validation,
        policy: SignaturePolicy,
    ) -> Result<VerifiedJws, Error> {
        if self.payload_b64.is_some() {
            return Err(JwsJsonError::PayloadPresent.into());
        }
        let checks = self.check_all(&base64url::encode(payload), verifier, validation);
        apply_policy(&checks, policy)?;
        Ok(VerifiedJws {
            payload: payload.to_vec(),
            checks,
        })
    }

    fn check_all<V: Verifier + ?Sized>(
        &self,
        payload_b64: &str,
        verifier: &V,
        validation: &Validation,
    ) -> Vec<SignatureCheck> {
        self.signatures
            .iter()
            .enumerate()
            .map(|(index, sig)| SignatureCheck {
                index,
                kid: sig.header.kid.clone(),
                result: sig.check(payload_b64, verifier, validation),
            })
            .collect()
    }
}

fn with_index(e: Error, index: usize) -> Error {
    match e {
        Error::JwsJson(JwsJsonError::DuplicateHeaderParameter { name, .. }) => {
            JwsJsonError::DuplicateHeaderParameter { index, name }.into()
        }
        Error::JwsJson(JwsJsonError::UnprotectedCritical { .. }) => {
            JwsJsonError::UnprotectedCritical { index }.into()
        }
        other => other,
    }
}

impl JwsSignature {
    fn from_raw(raw: parse::RawSignature) -> Result<JwsSignature, Error> {
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
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The protected header's parameters (empty when there is none), without `alg`.
    pub fn protected_header(&self) -> &Header {
        &self.protected
    }

    /// The unprotected header (`header` member), without `alg`.
    pub fn unprotected_header(&self) -> Option<&Header> {
        self.unprotected.as_ref()
    }

    /// The base64url protected header as written (`None` when absent).
    pub fn protected_b64(&self) -> Option<&str> {
        self.protected_b64.as_deref()
    }

    /// The base64url signature.
    pub fn signature_b64(&self) -> &str {
        &self.signature_b64
    }

    /// The `alg` as written (possibly `none` or unknown).
    pub fn algorithm_name(&self) -> &str {
        self.alg.as_str()
    }

    /// Whether `alg` is in the protected header (RFC 7515 §10.7 recommends it).
    pub fn is_algorithm_protected(&self) -> bool {
        self.alg_protected
    }

    /// The algorithm, if jot accepts it: `none` gives [`Error::Unsecured`], anything
    /// unknown [`HeaderError::UnsupportedAlgorithm`].
    pub fn algorithm(&self) -> Result<Algorithm, Error> {
        match &self.alg {
            AlgName::Known(alg) => Ok(*alg),
            AlgName::None => Err(Error::Unsecured),
            AlgName::Unknown(name) => {
                Err(HeaderError::UnsupportedAlgorithm { name: name.clone() }.into())
            }
        }
    }

    fn check<V: Verifier + ?Sized>(
        &self,
        payload_b64: &str,
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
        let input = signing_input(self.protected_b64.as_deref(), payload_b64);
        let kid = self.header.kid.as_deref();
        verifier
            .verify(alg, kid, input.as_bytes(), &signature)
            .map_err(|e| match e {
                VerifyError::AlgorithmNotAllowed => Error::AlgorithmNotAllowed { alg },
                VerifyError::UnknownKey => Error::UnknownKey {
                    kid: kid.map(clip_untrusted),
                },
                _ => Error::InvalidSignature,
            })?;
        Ok(alg)
    }

    fn write_members(&self, out: &mut String) {
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

/// `ASCII(protected || '.' || payload)` (RFC 7515 §5.1 step 8).
fn signing_input(protected_b64: Option<&str>, payload_b64: &str) -> String {
    let protected = protected_b64.unwrap_or_default();
    let mut input = String::with_capacity(protected.len() + 1 + payload_b64.len());
    input.push_str(protected);
    input.push('.');
    input.push_str(payload_b64);
    input
}

/// The JOSE header of one signature: the two parts, which must be disjoint, with
/// `crit` only in the protected one; then the `crit`/`b64` rules on the whole.
fn combine(protected: &Header, unprotected: Option<&Header>) -> Result<Header, Error> {
    let mut header = protected.clone();
    if let Some(u) = unprotected {
        if u.crit.is_some() {
            return Err(JwsJsonError::UnprotectedCritical { index: 0 }.into());
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
    check_structure(&header)?;
    Ok(header)
}

#[cfg(test)]
mod tests;

//! The JWS JSON serialization (RFC 7515 §7.2), general and flattened: several
//! signatures over one payload, each with a protected and an unprotected header;
//! and unencoded payloads (RFC 7797 `b64: false`) in the JSON and compact forms.
//!
//! Parsing is strict: duplicate members are refused at every level, a flattened
//! document must not also have `signatures`, the number of signatures is bounded
//! ([`JwsJson::MAX_SIGNATURES`]), a header parameter must not be both protected and
//! unprotected (RFC 7515 §7.2.1), and `crit` must be protected (§4.1.11). Members
//! jot does not know are ignored, as RFC 7515 §7.2.1 requires; a JWE (`ciphertext`)
//! is refused as [`Error::Encrypted`].
//!
//! `b64` must be in the protected header and listed in `crit` (RFC 7797 §3, §6),
//! and every signature of one JWS must agree on it. A JWT never has an unencoded
//! payload: [`decode_with_clock`](crate::decode_with_clock) and [`encode`](crate::encode)
//! keep refusing `b64: false`.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::base64url;
use crate::error::{Error, JwsJsonError, Segment};
use crate::{Validation, Verifier};

mod compact;
mod parse;
mod sign;
mod signature;
mod unencoded;
mod verify;

pub use sign::SignatureSpec;
pub use signature::JwsSignature;
use verify::apply_policy;
pub use verify::{SignatureCheck, SignaturePolicy, VerifiedJws};

/// A JWS in the JSON serialization: a payload (or none, when it is detached) and one
/// or more signatures. Parsed, but **no signature has been checked**: use
/// [`JwsJson::verify`].
///
/// A compact JWS whose payload is not a JWT (for instance an unencoded one) is read
/// with [`JwsJson::parse_compact`] and written with [`JwsJson::to_compact`].
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
    /// The `payload` member as written: base64url, or the payload itself when it is
    /// unencoded. `None` when detached.
    payload: Option<String>,
    /// RFC 7797 `b64: false`, the same for every signature.
    unencoded: bool,
    signatures: Vec<JwsSignature>,
    flattened: bool,
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
    ///
    /// ```
    /// use jot_codec::{Error, JwsJson};
    /// let json = r#"{"payload":"e30","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#;
    /// assert!(matches!(JwsJson::parse_with_limit(json, 10), Err(Error::TooLarge { .. })));
    /// ```
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
        let unencoded = agreed_unencoded(&signatures)?;
        JwsJson::assemble(doc.payload, unencoded, signatures, flattened)
    }

    /// Checks the payload member against the encoding and builds the JWS.
    fn assemble(
        payload: Option<String>,
        unencoded: bool,
        signatures: Vec<JwsSignature>,
        flattened: bool,
    ) -> Result<JwsJson, Error> {
        if let (Some(payload), false) = (&payload, unencoded) {
            base64url::check(payload).map_err(|_| Error::Base64 {
                segment: Segment::Payload,
            })?;
        }
        Ok(JwsJson {
            payload,
            unencoded,
            signatures,
            flattened,
        })
    }

    /// Signs `payload` once per spec, in order: at least one and at most
    /// [`JwsJson::MAX_SIGNATURES`], so that the result parses. The payload is
    /// base64url-encoded; a protected header with `b64: false` is refused (use
    /// [`JwsJson::sign_unencoded`]).
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
        let payload_b64 = base64url::encode(payload);
        let signatures = sign_all(payload_b64.as_bytes(), specs, false)?;
        Ok(JwsJson {
            payload: Some(payload_b64),
            unencoded: false,
            signatures,
            flattened: specs.len() == 1,
        })
    }

    /// The same JWS without its payload (detached content, RFC 7515 Appendix F): the
    /// recipient supplies it to [`JwsJson::verify_detached`].
    ///
    /// ```
    /// use jot_codec::{JwsJson, SignatureSpec};
    /// # use jot_codec::{Algorithm, SignError, Signer};
    /// # struct Demo;
    /// # impl Signer for Demo {
    /// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
    /// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
    /// # }
    /// let jws = JwsJson::sign(b"content", &[SignatureSpec::new(&Demo)])?.detached();
    /// assert!(jws.is_detached());
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn detached(mut self) -> JwsJson {
        self.payload = None;
        self
    }

    /// The base64url payload; `None` when it is detached or unencoded.
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"e30","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert_eq!(jws.payload_b64(), Some("e30"));
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn payload_b64(&self) -> Option<&str> {
        self.payload.as_deref().filter(|_| !self.unencoded)
    }

    /// Whether the payload is detached (not carried in the JWS).
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert!(jws.is_detached());
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn is_detached(&self) -> bool {
        self.payload.is_none()
    }

    /// The signatures, in document order.
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert_eq!(jws.signatures().len(), 1);
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn signatures(&self) -> &[JwsSignature] {
        &self.signatures
    }

    /// Whether the document was in (or, when signed, fits) the flattened syntax.
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"","signatures":[{"protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}]}"#)?;
    /// assert!(!jws.is_flattened());
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn is_flattened(&self) -> bool {
        self.flattened
    }

    /// The general syntax: `{"payload":…,"signatures":[…]}`.
    ///
    /// ```
    /// let flat = r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#;
    /// let general = jot_codec::JwsJson::parse(flat)?.to_general_json();
    /// assert_eq!(general, r#"{"payload":"","signatures":[{"protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}]}"#);
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
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
    ///
    /// ```
    /// let general = r#"{"payload":"","signatures":[{"protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}]}"#;
    /// let flat = jot_codec::JwsJson::parse(general)?.to_flattened_json()?;
    /// assert_eq!(flat, r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#);
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
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
        if let Some(payload) = &self.payload {
            out.push_str("\"payload\":");
            if self.unencoded {
                unencoded::push_json_string(out, payload);
            } else {
                out.push('"');
                out.push_str(payload);
                out.push('"');
            }
            out.push(',');
        }
    }

    /// Checks every signature with `verifier` and returns each outcome, whatever it
    /// is. The algorithm gate and the understood `crit` names come from `validation`
    /// (its claim rules do not apply: the payload need not be a JWT).
    ///
    /// ```
    /// use jot_codec::{Error, JwsJson, JwsJsonError, Validation};
    /// # use jot_codec::{Algorithm, Verifier, VerifyError};
    /// # struct No;
    /// # impl Verifier for No {
    /// #     fn verify(&self, _: Algorithm, _: Option<&str>, _: &[u8], _: &[u8]) -> Result<(), VerifyError> { Err(VerifyError::InvalidSignature) }
    /// # }
    /// let jws = JwsJson::parse(r#"{"payload":"","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// let checks = jws.check_signatures(&No, &Validation::new())?;
    /// assert!(matches!(checks[0].result, Err(Error::InvalidSignature)));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn check_signatures<V: Verifier + ?Sized>(
        &self,
        verifier: &V,
        validation: &Validation,
    ) -> Result<Vec<SignatureCheck>, Error> {
        let payload = self
            .payload
            .as_deref()
            .ok_or(JwsJsonError::DetachedPayload)?;
        Ok(self.check_all(payload.as_bytes(), verifier, validation))
    }

    /// [`JwsJson::check_signatures`] for a JWS whose payload is detached: `payload`
    /// is the content itself, as for [`JwsJson::verify_detached`]. A JWS that
    /// carries its payload gives [`JwsJsonError::PayloadPresent`].
    ///
    /// ```
    /// use jot_codec::{Error, JwsJson, JwsJsonError, Validation};
    /// # use jot_codec::{Algorithm, Verifier, VerifyError};
    /// # struct Yes;
    /// # impl Verifier for Yes {
    /// #     fn verify(&self, _: Algorithm, _: Option<&str>, _: &[u8], _: &[u8]) -> Result<(), VerifyError> { Ok(()) }
    /// # }
    /// let jws = JwsJson::parse(r#"{"protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert!(jws.check_signatures_detached(b"content", &Yes, &Validation::new())?[0].is_verified());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn check_signatures_detached<V: Verifier + ?Sized>(
        &self,
        payload: &[u8],
        verifier: &V,
        validation: &Validation,
    ) -> Result<Vec<SignatureCheck>, Error> {
        if self.payload.is_some() {
            return Err(JwsJsonError::PayloadPresent.into());
        }
        Ok(if self.unencoded {
            self.check_all(payload, verifier, validation)
        } else {
            self.check_all(base64url::encode(payload).as_bytes(), verifier, validation)
        })
    }

    /// Checks the signatures and applies `policy`; returns the payload (decoded from
    /// base64url, or as written when unencoded) and each outcome. A detached payload
    /// gives [`JwsJsonError::DetachedPayload`].
    ///
    /// ```
    /// use jot_codec::{Error, JwsJson, JwsJsonError, SignaturePolicy, Validation};
    /// # use jot_codec::{Algorithm, Verifier, VerifyError};
    /// # struct Yes;
    /// # impl Verifier for Yes {
    /// #     fn verify(&self, _: Algorithm, _: Option<&str>, _: &[u8], _: &[u8]) -> Result<(), VerifyError> { Ok(()) }
    /// # }
    /// let jws = JwsJson::parse(r#"{"payload":"e30","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert_eq!(jws.verify(&Yes, &Validation::new(), SignaturePolicy::All)?.payload(), b"{}");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn verify<V: Verifier + ?Sized>(
        &self,
        verifier: &V,
        validation: &Validation,
        policy: SignaturePolicy,
    ) -> Result<VerifiedJws, Error> {
        let checks = self.check_signatures(verifier, validation)?;
        apply_policy(&checks, policy)?;
        let payload = self.payload.as_deref().unwrap_or_default();
        let payload = if self.unencoded {
            payload.as_bytes().to_vec()
        } else {
            base64url::decode(payload).map_err(|_| Error::Base64 {
                segment: Segment::Payload,
            })?
        };
        Ok(VerifiedJws { payload, checks })
    }

    /// [`JwsJson::verify`] for a JWS whose payload is detached: `payload` is the
    /// content itself (jot base64url-encodes it for the signing input unless the
    /// JWS is unencoded).
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
        let checks = self.check_signatures_detached(payload, verifier, validation)?;
        apply_policy(&checks, policy)?;
        Ok(VerifiedJws {
            payload: payload.to_vec(),
            checks,
        })
    }

    /// `payload` is what follows the `.` of the signing input.
    fn check_all<V: Verifier + ?Sized>(
        &self,
        payload: &[u8],
        verifier: &V,
        validation: &Validation,
    ) -> Vec<SignatureCheck> {
        self.signatures
            .iter()
            .enumerate()
            .map(|(index, sig)| SignatureCheck {
                index,
                kid: sig.header.kid.clone(),
                result: sig.check(payload, verifier, validation),
            })
            .collect()
    }
}

/// Signs the signing-input payload once per spec.
fn sign_all(
    payload: &[u8],
    specs: &[SignatureSpec<'_>],
    unencoded: bool,
) -> Result<Vec<JwsSignature>, Error> {
    if specs.is_empty() {
        return Err(JwsJsonError::NoSignatures.into());
    }
    if specs.len() > JwsJson::MAX_SIGNATURES {
        return Err(JwsJsonError::TooManySignatures {
            max: JwsJson::MAX_SIGNATURES,
        }
        .into());
    }
    specs
        .iter()
        .enumerate()
        .map(|(index, spec)| {
            JwsSignature::sign(payload, spec, unencoded).map_err(|e| with_index(e, index))
        })
        .collect()
}

/// Whether the payload is unencoded: every signature must say the same
/// (RFC 7797 §3: `b64` applies to the one payload of the JWS).
fn agreed_unencoded(signatures: &[JwsSignature]) -> Result<bool, Error> {
    let mut values = signatures.iter().map(JwsSignature::is_unencoded);
    let first = values.next().unwrap_or(false);
    if values.any(|v| v != first) {
        return Err(JwsJsonError::InconsistentB64.into());
    }
    Ok(first)
}

fn with_index(e: Error, index: usize) -> Error {
    match e {
        Error::JwsJson(JwsJsonError::DuplicateHeaderParameter { name, .. }) => {
            JwsJsonError::DuplicateHeaderParameter { index, name }.into()
        }
        Error::JwsJson(JwsJsonError::UnprotectedCritical { .. }) => {
            JwsJsonError::UnprotectedCritical { index }.into()
        }
        Error::JwsJson(JwsJsonError::UnprotectedB64 { .. }) => {
            JwsJsonError::UnprotectedB64 { index }.into()
        }
        other => other,
    }
}

#[cfg(test)]
mod tests;

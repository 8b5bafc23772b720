//! The compact serialization (RFC 7515 §7.1) of a [`JwsJson`] with one signature:
//! for payloads that are not JWTs, and for unencoded payloads (RFC 7797 §5.2),
//! attached or detached.

use alloc::string::String;

use super::parse::RawSignature;
use super::{JwsJson, JwsSignature};
use crate::base64url;
use crate::error::{Error, JwsJsonError, Segment};

impl JwsJson {
    /// Parses a compact JWS (`header.payload.signature`) of at most the default
    /// 64 KiB into a one-signature [`JwsJson`], whatever its payload: unlike
    /// [`decode_with_clock`](crate::decode_with_clock), which reads JWTs only, this
    /// accepts an unencoded payload (RFC 7797 `b64: false`).
    ///
    /// An empty payload segment is a detached payload (RFC 7515 Appendix F):
    /// verify it with [`JwsJson::verify_detached`]. With `b64: false`, a token with
    /// more than three segments gives [`JwsJsonError::UnencodedPayloadDot`].
    ///
    /// ```
    /// use jot_codec::{Error, JwsJson, JwsJsonError, SignaturePolicy, Validation};
    /// # use jot_codec::{Algorithm, Verifier, VerifyError};
    /// # struct Input;
    /// # impl Verifier for Input {
    /// #     fn verify(&self, _: Algorithm, _: Option<&str>, input: &[u8], sig: &[u8]) -> Result<(), VerifyError> {
    /// #         if input == sig { Ok(()) } else { Err(VerifyError::InvalidSignature) }
    /// #     }
    /// # }
    /// // The RFC 7797 §4.2 header; this toy verifier's "signature" is the signing input.
    /// let header = "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19";
    /// let sig = jot_codec::base64url::encode(format!("{header}.$.02").as_bytes());
    /// let jws = JwsJson::parse_compact(&format!("{header}..{sig}"))?;
    /// assert!(jws.is_unencoded() && jws.is_detached());
    /// let ok = jws.verify_detached(b"$.02", &Input, &Validation::new(), SignaturePolicy::All)?;
    /// assert_eq!(ok.payload(), b"$.02");
    ///
    /// let attached = format!("{header}.$.02.{sig}");
    /// assert!(matches!(
    ///     JwsJson::parse_compact(&attached),
    ///     Err(Error::JwsJson(JwsJsonError::UnencodedPayloadDot))
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse_compact(token: &str) -> Result<JwsJson, Error> {
        Self::parse_compact_with_limit(token, crate::validation::DEFAULT_MAX_TOKEN_LEN)
    }

    /// [`JwsJson::parse_compact`] for a token of at most `max_len` bytes.
    ///
    /// ```
    /// use jot_codec::{Error, JwsJson};
    /// let token = "eyJhbGciOiJIUzI1NiJ9.e30.c2ln";
    /// assert!(matches!(JwsJson::parse_compact_with_limit(token, 8), Err(Error::TooLarge { .. })));
    /// assert_eq!(JwsJson::parse_compact_with_limit(token, 64)?.payload_b64(), Some("e30"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse_compact_with_limit(token: &str, max_len: usize) -> Result<JwsJson, Error> {
        if token.len() > max_len {
            return Err(Error::TooLarge {
                len: token.len(),
                max: max_len,
            });
        }
        let segments: usize = token.bytes().filter(|b| *b == b'.').count() + 1;
        let (Some(header_end), Some(payload_end)) = (token.find('.'), token.rfind('.')) else {
            return Err(Error::Malformed { segments });
        };
        let signature = |header_end: usize| RawSignature {
            protected: Some(String::from(&token[..header_end])),
            header: None,
            signature: Some(String::from(&token[payload_end + 1..])),
        };
        if segments != 3 {
            // An unencoded payload with a dot says so; anything else is malformed.
            let unencoded = segments > 3
                && JwsSignature::from_raw(signature(header_end)).is_ok_and(|s| s.is_unencoded());
            return Err(match segments {
                _ if unencoded => JwsJsonError::UnencodedPayloadDot.into(),
                5 => Error::Encrypted,
                _ => Error::Malformed { segments },
            });
        }
        let sig = JwsSignature::from_raw(signature(header_end))?;
        let unencoded = sig.is_unencoded();
        let payload = &token[header_end + 1..payload_end];
        let payload = (!payload.is_empty()).then(|| String::from(payload));
        JwsJson::assemble(payload, unencoded, alloc::vec![sig], true)
    }

    /// The compact serialization: `protected.payload.signature`, with an empty
    /// payload segment when the payload is detached. Only for a JWS with one
    /// signature whose header is all protected ([`JwsJsonError::NotCompactable`]);
    /// an attached unencoded payload must not contain `.`
    /// ([`JwsJsonError::UnencodedPayloadDot`], RFC 7797 §5.2): detach it.
    ///
    /// ```
    /// use jot_codec::{Error, JwsJson, JwsJsonError, SignatureSpec};
    /// # use jot_codec::{Algorithm, SignError, Signer};
    /// # struct Demo;
    /// # impl Signer for Demo {
    /// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
    /// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
    /// # }
    /// let spec = [SignatureSpec::new(&Demo)];
    /// let plain = JwsJson::sign_unencoded("hello world", &spec)?.to_compact()?;
    /// assert!(plain.ends_with(".hello world.c2ln"));
    ///
    /// let dotted = JwsJson::sign_unencoded("$.02", &spec)?;
    /// assert!(matches!(dotted.to_compact(), Err(Error::JwsJson(JwsJsonError::UnencodedPayloadDot))));
    /// assert!(dotted.detached().to_compact()?.contains(".."));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn to_compact(&self) -> Result<String, Error> {
        let [sig] = self.signatures.as_slice() else {
            return Err(JwsJsonError::NotCompactable.into());
        };
        let (Some(protected), true, None) = (
            sig.protected_b64.as_deref(),
            sig.alg_protected,
            &sig.unprotected,
        ) else {
            return Err(JwsJsonError::NotCompactable.into());
        };
        let payload = self.payload.as_deref().unwrap_or_default();
        if self.unencoded && payload.contains('.') {
            return Err(JwsJsonError::UnencodedPayloadDot.into());
        }
        if !self.unencoded {
            base64url::check(payload).map_err(|_| Error::Base64 {
                segment: Segment::Payload,
            })?;
        }
        let mut out =
            String::with_capacity(protected.len() + payload.len() + sig.signature_b64.len() + 2);
        out.push_str(protected);
        out.push('.');
        out.push_str(payload);
        out.push('.');
        out.push_str(&sig.signature_b64);
        Ok(out)
    }
}

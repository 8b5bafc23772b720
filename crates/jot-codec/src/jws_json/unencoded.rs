//! Unencoded payloads (RFC 7797 `b64: false`) of a [`JwsJson`]: signing them, and
//! reading the payload member as it is.

use alloc::string::String;

use super::{JwsJson, SignatureSpec, sign_all};
use crate::error::Error;

impl JwsJson {
    /// Signs an unencoded payload (RFC 7797 `b64: false`): each protected header
    /// gets `"b64":false` and `"crit":["b64"]` (besides any other critical names),
    /// the signing input is `BASE64URL(protected) || '.' || payload`, and the JSON
    /// `payload` member is the payload itself. For a payload that is not UTF-8, or
    /// that travels apart from the JWS, use [`JwsJson::sign_unencoded_detached`].
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
    /// let jws = JwsJson::sign_unencoded("$.02", &[SignatureSpec::new(&Demo)])?;
    /// let json = jws.to_flattened_json()?;
    /// assert!(json.starts_with(r#"{"payload":"$.02","protected":"eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19""#));
    ///
    /// let parsed = JwsJson::parse(&json)?;
    /// assert!(parsed.is_unencoded());
    /// let ok = parsed.verify(&Demo, &Validation::new(), SignaturePolicy::All)?;
    /// assert_eq!(ok.payload(), b"$.02");
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn sign_unencoded(payload: &str, specs: &[SignatureSpec<'_>]) -> Result<JwsJson, Error> {
        let signatures = sign_all(payload.as_bytes(), specs, true)?;
        Ok(JwsJson {
            payload: Some(String::from(payload)),
            unencoded: true,
            signatures,
            flattened: specs.len() == 1,
        })
    }

    /// [`JwsJson::sign_unencoded`] for a payload that travels apart from the JWS
    /// (RFC 7797 §5, RFC 7515 Appendix F): any bytes; the result has no payload.
    /// The recipient passes the payload to [`JwsJson::verify_detached`].
    ///
    /// ```
    /// use jot_codec::{JwsJson, SignatureSpec};
    /// # use jot_codec::{Algorithm, SignError, Signer};
    /// # struct Demo;
    /// # impl Signer for Demo {
    /// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
    /// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
    /// # }
    /// let jws = JwsJson::sign_unencoded_detached(&[0xff, 0x00], &[SignatureSpec::new(&Demo)])?;
    /// assert!(jws.is_unencoded() && jws.is_detached());
    /// assert_eq!(jws.to_compact()?, "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..c2ln");
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn sign_unencoded_detached(
        payload: &[u8],
        specs: &[SignatureSpec<'_>],
    ) -> Result<JwsJson, Error> {
        let signatures = sign_all(payload, specs, true)?;
        Ok(JwsJson {
            payload: None,
            unencoded: true,
            signatures,
            flattened: specs.len() == 1,
        })
    }

    /// The unencoded payload (RFC 7797) as carried in the JWS; `None` when it is
    /// detached or base64url-encoded. Not verified: see [`JwsJson::verify`].
    ///
    /// ```
    /// let p = "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19";
    /// let jws = jot_codec::JwsJson::parse(&format!(r#"{{"payload":"$.02","protected":"{p}","signature":"c2ln"}}"#))?;
    /// assert_eq!(jws.unencoded_payload(), Some("$.02"));
    /// assert_eq!(jws.payload_b64(), None);
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn unencoded_payload(&self) -> Option<&str> {
        self.payload.as_deref().filter(|_| self.unencoded)
    }

    /// Whether the payload is unencoded (RFC 7797 `b64: false` in every signature).
    ///
    /// ```
    /// let jws = jot_codec::JwsJson::parse(r#"{"payload":"e30","protected":"eyJhbGciOiJIUzI1NiJ9","signature":"c2ln"}"#)?;
    /// assert!(!jws.is_unencoded());
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn is_unencoded(&self) -> bool {
        self.unencoded
    }
}

/// Appends `text` as a JSON string (RFC 8259 §7): `"` and `\\` and the control
/// characters escaped, everything else as it is.
pub(super) fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&alloc::format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

//! Producing a JWS JSON serialization: one [`SignatureSpec`] per signature.

use alloc::string::String;
use alloc::vec::Vec;

use super::JwsSignature;
use super::signature::{combine, signing_input};
use crate::error::{Error, HeaderError, Segment};
use crate::header::AlgName;
use crate::{Header, Signer, base64url};

/// How to produce one signature of [`JwsJson::sign`](crate::JwsJson::sign): the signer, and what goes in the
/// protected and the unprotected header.
///
/// `alg` is written from the signer into the protected header unless
/// [`SignatureSpec::unprotected_alg`] is set; `kid` comes from the headers, else from
/// the signer (into the protected header).
///
/// ```
/// use jot_codec::{Header, SignatureSpec};
/// # use jot_codec::{Algorithm, SignError, Signer};
/// # struct Demo;
/// # impl Signer for Demo {
/// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
/// #     fn sign(&self, _: &[u8], _: &mut Vec<u8>) -> Result<(), SignError> { Ok(()) }
/// # }
/// let spec = SignatureSpec::new(&Demo).unprotected(Header::new().kid("k1"));
/// # let _ = spec;
/// ```
#[derive(Clone)]
pub struct SignatureSpec<'a> {
    signer: &'a dyn Signer,
    protected: Header,
    unprotected: Option<Header>,
    alg_protected: bool,
}

impl<'a> SignatureSpec<'a> {
    /// A signature by `signer`, with `alg` (and the signer's `kid`) protected.
    ///
    /// ```
    /// # use jot_codec::{Algorithm, SignError, Signer};
    /// # struct Demo;
    /// # impl Signer for Demo {
    /// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
    /// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
    /// # }
    /// let jws = jot_codec::JwsJson::sign(b"", &[jot_codec::SignatureSpec::new(&Demo)])?;
    /// assert_eq!(jws.signatures()[0].protected_b64(), Some("eyJhbGciOiJIUzI1NiJ9"));
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn new(signer: &'a dyn Signer) -> Self {
        SignatureSpec {
            signer,
            protected: Header::new(),
            unprotected: None,
            alg_protected: true,
        }
    }

    /// The protected header's other parameters. For an unencoded payload, `b64`
    /// and `crit` are set by [`JwsJson::sign_unencoded`](crate::JwsJson::sign_unencoded);
    /// [`JwsJson::sign`](crate::JwsJson::sign) refuses `b64: false` here.
    ///
    /// ```
    /// # use jot_codec::{Algorithm, SignError, Signer};
    /// # struct Demo;
    /// # impl Signer for Demo {
    /// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
    /// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
    /// # }
    /// use jot_codec::{Header, JwsJson, SignatureSpec};
    /// let spec = SignatureSpec::new(&Demo).protected(Header::new().typ("x"));
    /// let jws = JwsJson::sign(b"", &[spec])?;
    /// assert_eq!(jws.signatures()[0].protected_header().typ.as_deref(), Some("x"));
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn protected(mut self, header: Header) -> Self {
        self.protected = header;
        self
    }

    /// The unprotected header (no `crit`, no `b64`; no parameter of the protected
    /// header).
    ///
    /// ```
    /// # use jot_codec::{Algorithm, SignError, Signer};
    /// # struct Demo;
    /// # impl Signer for Demo {
    /// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
    /// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
    /// # }
    /// use jot_codec::{Header, JwsJson, SignatureSpec};
    /// let spec = SignatureSpec::new(&Demo).unprotected(Header::new().kid("k"));
    /// let jws = JwsJson::sign(b"", &[spec])?;
    /// assert_eq!(jws.signatures()[0].header().kid.as_deref(), Some("k"));
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn unprotected(mut self, header: Header) -> Self {
        self.unprotected = Some(header);
        self
    }

    /// Writes `alg` into the unprotected header. RFC 7515 §10.7 recommends protecting
    /// it; this exists for interoperability (RFC 7520 §4.7).
    ///
    /// ```
    /// # use jot_codec::{Algorithm, SignError, Signer};
    /// # struct Demo;
    /// # impl Signer for Demo {
    /// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
    /// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
    /// # }
    /// let spec = jot_codec::SignatureSpec::new(&Demo).unprotected_alg();
    /// let jws = jot_codec::JwsJson::sign(b"", &[spec])?;
    /// assert!(!jws.signatures()[0].is_algorithm_protected());
    /// # Ok::<(), jot_codec::Error>(())
    /// ```
    pub fn unprotected_alg(mut self) -> Self {
        self.alg_protected = false;
        self
    }
}

impl JwsSignature {
    /// Signs `payload` (what follows the `.` of the signing input: base64url, or
    /// the payload itself when `unencoded`).
    pub(super) fn sign(
        payload: &[u8],
        spec: &SignatureSpec<'_>,
        unencoded: bool,
    ) -> Result<JwsSignature, Error> {
        let alg = spec.signer.algorithm();
        let mut protected = spec.protected.clone();
        if unencoded {
            protected.b64 = Some(false);
            let crit = protected.crit.get_or_insert_with(Vec::new);
            if !crit.iter().any(|n| n == "b64") {
                crit.push(String::from("b64"));
            }
        } else if protected.b64 == Some(false) {
            return Err(HeaderError::UnencodedPayload.into());
        }
        let mut unprotected = spec.unprotected.clone();
        let has_kid =
            protected.kid.is_some() || unprotected.as_ref().is_some_and(|u| u.kid.is_some());
        if let (false, Some(kid)) = (has_kid, spec.signer.key_id()) {
            match (&mut unprotected, spec.alg_protected) {
                (Some(u), false) => u.kid = Some(String::from(kid)),
                (None, false) => unprotected = Some(Header::new().kid(kid)),
                _ => protected.kid = Some(String::from(kid)),
            }
        }
        if !spec.alg_protected && unprotected.is_none() {
            unprotected = Some(Header::new());
        }
        let header = combine(&protected, unprotected.as_ref())?;
        let unprotected_json = unprotected_json(
            unprotected.as_ref(),
            (!spec.alg_protected).then_some(alg.as_str()),
        )?;
        let mut json = Vec::new();
        let protected_b64 = if spec.alg_protected || protected.member_names().next().is_some() {
            protected.write_jws_json(spec.alg_protected.then_some(alg.as_str()), &mut json)?;
            Some(base64url::encode(&json))
        } else {
            None
        };
        let input = signing_input(protected_b64.as_deref(), payload);
        json.clear();
        spec.signer
            .sign(&input, &mut json)
            .map_err(Error::Signing)?;
        Ok(JwsSignature {
            protected_b64,
            protected,
            unprotected,
            alg: AlgName::Known(alg),
            alg_protected: spec.alg_protected,
            header,
            unprotected_json,
            signature_b64: base64url::encode(&json),
        })
    }
}

/// The unprotected header's JSON, with `alg` first when given. Refuses custom
/// members named like registered ones, as for the protected header.
pub(super) fn unprotected_json(
    header: Option<&Header>,
    alg: Option<&str>,
) -> Result<Option<String>, Error> {
    let Some(header) = header else {
        return Ok(None);
    };
    let mut json = Vec::new();
    header.write_json_opt_alg(alg, &mut json)?;
    // serde_json writes UTF-8.
    String::from_utf8(json)
        .map(Some)
        .map_err(|_| Error::Serialize {
            segment: Segment::Header,
        })
}

//! The JWS compact serialization (RFC 7515 §7.1) of JWTs: [`encode`], [`decode_with_clock`]
//! and the [`UntrustedToken`] they share.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::base64url;
use crate::claims::{Claims, claims_from_json};
use crate::error::{Error, HeaderError, Segment, clip_untrusted};
use crate::header::AlgName;
use crate::{Algorithm, Clock, Header, Signer, Validation, Verifier, VerifyError};

/// Signatures up to this length are decoded on the stack (RSA-4096 is 512 bytes).
const STACK_SIGNATURE: usize = 512;

/// Headers up to this length are decoded on the stack.
const STACK_HEADER: usize = 256;

/// The positions of the two dots of a three-segment token, if it has exactly two.
fn split_points(token: &str) -> Option<(usize, usize)> {
    let first = token.find('.')?;
    let second = first + 1 + token[first + 1..].find('.')?;
    if token[second + 1..].contains('.') {
        return None;
    }
    Some((first, second))
}

/// A verified and validated token.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Token<T> {
    /// The algorithm the token was signed with (one the key accepted).
    pub algorithm: Algorithm,
    /// The protected header.
    pub header: Header,
    /// The claims.
    pub claims: Claims<T>,
}

/// Signs `claims` with `signer` and returns the compact token.
///
/// `alg` is taken from the signer; `kid` from the header, else from the signer.
/// The claims must serialize to a JSON object ([`Claims`] does).
///
/// ```
/// use jot_codec::{encode, Algorithm, Claims, Header, SignError, Signer};
/// # struct Demo;
/// # impl Signer for Demo {
/// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
/// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
/// # }
/// let token = encode(&Demo, &Header::jwt(), &Claims::new(()).subject("42")).unwrap();
/// assert_eq!(token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.c2ln");
/// ```
pub fn encode<S, C>(signer: &S, header: &Header, claims: &C) -> Result<String, Error>
where
    S: Signer + ?Sized,
    C: Serialize + ?Sized,
{
    let mut json = Vec::with_capacity(256);
    write_header(
        header,
        signer.algorithm().as_str(),
        signer.key_id(),
        &mut json,
    )?;
    let mut token = String::with_capacity(base64url::encoded_len(json.len()) + 512);
    base64url::encode_into(&json, &mut token);
    token.push('.');
    json.clear();
    write_claims(claims, &mut json)?;
    base64url::encode_into(&json, &mut token);
    json.clear();
    signer
        .sign(token.as_bytes(), &mut json)
        .map_err(Error::Signing)?;
    token.push('.');
    base64url::encode_into(&json, &mut token);
    Ok(token)
}

pub(crate) fn write_header(
    header: &Header,
    alg: &str,
    kid: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    match (kid, &header.kid) {
        (Some(kid), None) => header.clone().kid(kid).write_json(alg, out),
        _ => header.write_json(alg, out),
    }
}

pub(crate) fn write_claims<C: Serialize + ?Sized>(
    claims: &C,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let json = serde_json::to_vec(claims).map_err(|_| Error::Serialize {
        segment: Segment::Payload,
    })?;
    out.extend_from_slice(&json);
    if out.first() != Some(&b'{') {
        return Err(Error::Serialize {
            segment: Segment::Payload,
        });
    }
    Ok(())
}

/// Verifies, decodes and validates a compact JWS, in that order.
///
/// 1. the length is checked against the limit before anything is decoded;
/// 2. the header is parsed; `alg: none` and unknown algorithms are refused, and so are
///    algorithms the validation excludes and unknown critical parameters;
/// 3. the verifier checks the signature over the raw signing input (it refuses
///    algorithms it was not built for);
/// 4. only then is the payload decoded, once, into `Claims<T>`;
/// 5. the claims are validated at `clock.now()`.
///
/// The clock is an argument (the codec has no system clock); `jot_algorithms::decode`
/// is this function on the system clock.
///
/// ```
/// use jot_codec::{decode_with_clock, encode, Algorithm, Claims, FixedClock, Header, SignError, Signer,
///                 Validation, Verifier, VerifyError};
/// # struct Demo;
/// # impl Signer for Demo {
/// #     fn algorithm(&self) -> Algorithm { Algorithm::HS256 }
/// #     fn sign(&self, _: &[u8], out: &mut Vec<u8>) -> Result<(), SignError> { out.extend_from_slice(b"sig"); Ok(()) }
/// # }
/// # impl Verifier for Demo {
/// #     fn verify(&self, alg: Algorithm, _: Option<&str>, _: &[u8], sig: &[u8]) -> Result<(), VerifyError> {
/// #         if alg != Algorithm::HS256 { return Err(VerifyError::AlgorithmNotAllowed) }
/// #         if sig == b"sig" { Ok(()) } else { Err(VerifyError::InvalidSignature) }
/// #     }
/// # }
/// let clock = FixedClock::at(1_000);
/// let token = encode(&Demo, &Header::jwt(), &Claims::new(()).issued_now(&clock, 60)).unwrap();
/// let verified = decode_with_clock::<(), _, _>(&token, &Demo, &Validation::new(), &clock).unwrap();
/// assert_eq!(verified.claims.exp.unwrap().seconds(), 1_060);
/// ```
#[inline]
pub fn decode_with_clock<T, V, C>(
    token: &str,
    verifier: &V,
    validation: &Validation,
    clock: &C,
) -> Result<Token<T>, Error>
where
    T: DeserializeOwned,
    V: Verifier + ?Sized,
    C: Clock + ?Sized,
{
    UntrustedToken::parse_with_limit(token, validation.token_len_limit())?
        .decode(verifier, validation, clock)
}

/// A compact JWS that has been split and whose header has been parsed, but whose
/// signature has **not** been checked. Its claims are reachable only through
/// [`crate::dangerous`] or after [`UntrustedToken::verify_signature`].
///
/// ```
/// use jot_codec::UntrustedToken;
/// let t = UntrustedToken::parse("eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln").unwrap();
/// assert_eq!(t.algorithm_name(), "HS256");
/// assert_eq!(t.header().kid.as_deref(), Some("k1"));
/// ```
#[derive(Clone, Debug)]
pub struct UntrustedToken<'a> {
    raw: &'a str,
    header_end: usize,
    payload_end: usize,
    alg: AlgName,
    /// Boxed: the header is large and a token moves through several `Result`s.
    header: Box<Header>,
}

impl<'a> UntrustedToken<'a> {
    /// Splits and parses a token of at most the default 64 KiB.
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        Self::parse_with_limit(token, crate::validation::DEFAULT_MAX_TOKEN_LEN)
    }

    /// Splits and parses a token of at most `max_len` bytes.
    #[inline]
    pub fn parse_with_limit(token: &'a str, max_len: usize) -> Result<Self, Error> {
        if token.len() > max_len {
            return Err(Error::TooLarge {
                len: token.len(),
                max: max_len,
            });
        }
        let (header_end, payload_end) = match split_points(token) {
            Some(points) => points,
            None => {
                let segments = token.bytes().filter(|b| *b == b'.').count() + 1;
                return Err(if segments == 5 {
                    Error::Encrypted
                } else {
                    Error::Malformed { segments }
                });
            }
        };
        let header_b64 = &token[..header_end];
        let mut buf = [0u8; STACK_HEADER];
        let (alg, header) = if base64url::decoded_len_estimate(header_b64.len()) <= buf.len() {
            let n = base64url::decode_slice(header_b64, &mut buf).map_err(|_| Error::Base64 {
                segment: Segment::Header,
            })?;
            Header::from_json(&buf[..n])?
        } else {
            let json = base64url::decode(header_b64).map_err(|_| Error::Base64 {
                segment: Segment::Header,
            })?;
            Header::from_json(&json)?
        };
        Ok(UntrustedToken {
            raw: token,
            header_end,
            payload_end,
            alg,
            header: Box::new(header),
        })
    }

    /// Finishes [`decode_with_clock`] on a token already parsed (e.g. to pick a key source by
    /// its unverified `iss` first): algorithm gate, critical parameters, signature,
    /// then claims and validation.
    ///
    /// ```
    /// use jot_codec::{Error, FixedClock, UntrustedToken, Validation, Verifier};
    /// # use jot_codec::{Algorithm, VerifyError};
    /// # struct RefuseAll;
    /// # impl Verifier for RefuseAll {
    /// #     fn verify(&self, _: Algorithm, _: Option<&str>, _: &[u8], _: &[u8]) -> Result<(), VerifyError> {
    /// #         Err(VerifyError::InvalidSignature)
    /// #     }
    /// # }
    /// let token = UntrustedToken::parse("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")?;
    /// let result = token.decode::<(), _, _>(&RefuseAll, &Validation::new(), &FixedClock::at(0));
    /// assert!(matches!(result, Err(Error::InvalidSignature)));
    /// # Ok::<(), Error>(())
    /// ```
    #[inline]
    pub fn decode<T, V, C>(
        self,
        verifier: &V,
        validation: &Validation,
        clock: &C,
    ) -> Result<Token<T>, Error>
    where
        T: DeserializeOwned,
        V: Verifier + ?Sized,
        C: Clock + ?Sized,
    {
        let max = validation.token_len_limit();
        if self.raw.len() > max {
            return Err(Error::TooLarge {
                len: self.raw.len(),
                max,
            });
        }
        let algorithm = self.algorithm()?;
        if !validation.allows(algorithm) {
            return Err(Error::AlgorithmNotAllowed { alg: algorithm });
        }
        self.header.check_critical(validation)?;
        self.verify_signature_only(algorithm, verifier)?;
        let mut names = Vec::new();
        let claims = self.claims_with_names::<T>(validation.wants_names().then_some(&mut names))?;
        validation.check(&self.header, &claims, &names, clock.now())?;
        Ok(Token {
            algorithm,
            header: *self.header,
            claims,
        })
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The `alg` as written in the header (possibly `none` or unknown).
    pub fn algorithm_name(&self) -> &str {
        self.alg.as_str()
    }

    /// The algorithm, if it is one jot accepts: `none` gives [`Error::Unsecured`],
    /// anything unknown [`HeaderError::UnsupportedAlgorithm`].
    pub fn algorithm(&self) -> Result<Algorithm, Error> {
        match &self.alg {
            AlgName::Known(alg) => Ok(*alg),
            AlgName::None => Err(Error::Unsecured),
            AlgName::Unknown(name) => {
                Err(HeaderError::UnsupportedAlgorithm { name: name.clone() }.into())
            }
        }
    }

    /// The signing input: `base64url(header) || '.' || base64url(payload)`.
    pub fn signing_input(&self) -> &'a str {
        &self.raw[..self.payload_end]
    }

    /// The base64url-encoded payload.
    pub fn payload_b64(&self) -> &'a str {
        &self.raw[self.header_end + 1..self.payload_end]
    }

    /// The base64url-encoded signature.
    pub fn signature_b64(&self) -> &'a str {
        &self.raw[self.payload_end + 1..]
    }

    pub(crate) fn alg_name(&self) -> &AlgName {
        &self.alg
    }

    /// Checks the signature with `verifier` for `algorithm` (which must be this token's),
    /// and that the payload segment is strict base64url (RFC 7515 §5.2), so a token
    /// whose payload cannot be decoded is never reported as verified.
    pub fn verify_signature<V: Verifier + ?Sized>(
        &self,
        algorithm: Algorithm,
        verifier: &V,
    ) -> Result<(), Error> {
        self.verify_signature_only(algorithm, verifier)?;
        base64url::check(self.payload_b64()).map_err(|_| Error::Base64 {
            segment: Segment::Payload,
        })
    }

    /// The signature check alone; `decode` decodes (and so checks) the payload next.
    fn verify_signature_only<V: Verifier + ?Sized>(
        &self,
        algorithm: Algorithm,
        verifier: &V,
    ) -> Result<(), Error> {
        if self.alg != AlgName::Known(algorithm) {
            return Err(Error::AlgorithmNotAllowed { alg: algorithm });
        }
        let sig_b64 = self.signature_b64();
        let input = self.signing_input().as_bytes();
        let kid = self.header.kid.as_deref();
        let mut stack = [0u8; STACK_SIGNATURE];
        let result = if base64url::decoded_len_estimate(sig_b64.len()) <= STACK_SIGNATURE {
            let n = base64url::decode_slice(sig_b64, &mut stack).map_err(|_| Error::Base64 {
                segment: Segment::Signature,
            })?;
            verifier.verify(algorithm, kid, input, &stack[..n])
        } else {
            let sig = base64url::decode(sig_b64).map_err(|_| Error::Base64 {
                segment: Segment::Signature,
            })?;
            verifier.verify(algorithm, kid, input, &sig)
        };
        result.map_err(|e| match e {
            VerifyError::AlgorithmNotAllowed => Error::AlgorithmNotAllowed { alg: algorithm },
            VerifyError::UnknownKey => Error::UnknownKey {
                kid: kid.map(clip_untrusted),
            },
            _ => Error::InvalidSignature,
        })
    }

    #[inline]
    pub(crate) fn claims_with_names<T: DeserializeOwned>(
        &self,
        names: Option<&mut Vec<String>>,
    ) -> Result<Claims<T>, Error> {
        let payload = base64url::decode(self.payload_b64()).map_err(|_| Error::Base64 {
            segment: Segment::Payload,
        })?;
        claims_from_json(&payload, names)
    }
}

#[cfg(test)]
mod tests;

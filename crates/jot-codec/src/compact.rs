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

/// Payloads up to this length are decoded on the stack (ordinary claims are a few
/// hundred bytes).
const STACK_PAYLOAD: usize = 1024;

/// The positions of the two dots of a three-segment token, if it has exactly two.
fn split_points(token: &str) -> Option<(usize, usize)> {
    let bytes = token.as_bytes();
    if count_dots(bytes) != 2 {
        return None;
    }
    // Two dots: the first ends the header, the last starts the signature, and both
    // scans are short.
    let first = token.find('.')?;
    let second = token.rfind('.')?;
    Some((first, second))
}

/// The number of dots in `bytes`, counted in blocks whose count fits a byte so
/// that the loop vectorises (the payload is most of a token and has none).
fn count_dots(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|block| {
            let dots = block
                .iter()
                .fold(0u8, |n, b| n.wrapping_add(u8::from(*b == b'.')));
            usize::from(dots)
        })
        .sum()
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
    // Both JSON segments go into one buffer, claims first, so that the token can
    // be allocated once at its final length; the buffer then takes the signature.
    let mut json = Vec::with_capacity(JSON_CAPACITY);
    write_claims(claims, &mut json)?;
    let claims_len = json.len();
    write_header(
        header,
        signer.algorithm().as_str(),
        signer.key_id(),
        &mut json,
    )?;
    let (claims_json, header_json) = json.split_at(claims_len);
    let mut token = String::with_capacity(
        base64url::encoded_len(header_json.len())
            + base64url::encoded_len(claims_json.len())
            + base64url::encoded_len(signer.signature_len_hint())
            + 2,
    );
    base64url::encode_into(header_json, &mut token);
    token.push('.');
    base64url::encode_into(claims_json, &mut token);
    json.clear();
    signer
        .sign(token.as_bytes(), &mut json)
        .map_err(Error::Signing)?;
    token.push('.');
    base64url::encode_into(&json, &mut token);
    Ok(token)
}

/// The first capacity of the JSON buffer of [`encode`]: ordinary claims and header fit.
const JSON_CAPACITY: usize = 512;

/// Appends the header's JSON with `alg` and, when the header has none, the signer's `kid`.
pub(crate) fn write_header(
    header: &Header,
    alg: &str,
    kid: Option<&str>,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    header.write_json_with(Some(alg), header.kid.as_deref().or(kid), out)
}

/// Appends the claims' JSON, which must be an object.
pub(crate) fn write_claims<C: Serialize + ?Sized>(
    claims: &C,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let start = out.len();
    let error = || Error::Serialize {
        segment: Segment::Payload,
    };
    crate::json::write(claims, out).map_err(|()| error())?;
    if out.get(start) != Some(&b'{') {
        return Err(error());
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
    // The header stays on the stack here (no `UntrustedToken` box): it moves once,
    // into the token.
    let (parts, header) = Parts::parse(token, validation.token_len_limit())?;
    let (algorithm, claims) = parts.check(&header, verifier, validation, clock)?;
    Ok(Token {
        algorithm,
        header,
        claims,
    })
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
    parts: Parts<'a>,
    /// Boxed: the header is large and a token moves through several `Result`s.
    header: Box<Header>,
}

/// A split token with the `alg` of its header.
#[derive(Clone, Debug)]
struct Parts<'a> {
    raw: &'a str,
    header_end: usize,
    payload_end: usize,
    alg: AlgName,
}

impl<'a> UntrustedToken<'a> {
    /// Splits and parses a token of at most the default 64 KiB.
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        Self::parse_with_limit(token, crate::validation::DEFAULT_MAX_TOKEN_LEN)
    }

    /// Splits and parses a token of at most `max_len` bytes.
    #[inline]
    pub fn parse_with_limit(token: &'a str, max_len: usize) -> Result<Self, Error> {
        let (parts, header) = Parts::parse(token, max_len)?;
        Ok(UntrustedToken {
            parts,
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
        let (algorithm, claims) = self
            .parts
            .check(&self.header, verifier, validation, clock)?;
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
        self.parts.alg.as_str()
    }

    /// The algorithm, if it is one jot accepts: `none` gives [`Error::Unsecured`],
    /// anything unknown [`HeaderError::UnsupportedAlgorithm`].
    pub fn algorithm(&self) -> Result<Algorithm, Error> {
        self.parts.algorithm()
    }

    /// The signing input: `base64url(header) || '.' || base64url(payload)`.
    pub fn signing_input(&self) -> &'a str {
        self.parts.signing_input()
    }

    /// The base64url-encoded payload.
    pub fn payload_b64(&self) -> &'a str {
        self.parts.payload_b64()
    }

    /// The base64url-encoded signature.
    pub fn signature_b64(&self) -> &'a str {
        self.parts.signature_b64()
    }

    pub(crate) fn alg_name(&self) -> &AlgName {
        &self.parts.alg
    }

    /// Checks the signature with `verifier` for `algorithm` (which must be this token's),
    /// and that the payload segment is strict base64url (RFC 7515 §5.2), so a token
    /// whose payload cannot be decoded is never reported as verified.
    pub fn verify_signature<V: Verifier + ?Sized>(
        &self,
        algorithm: Algorithm,
        verifier: &V,
    ) -> Result<(), Error> {
        self.parts
            .verify_signature_only(algorithm, self.header.kid.as_deref(), verifier)?;
        base64url::check(self.payload_b64()).map_err(|_| Error::Base64 {
            segment: Segment::Payload,
        })
    }

    #[inline]
    pub(crate) fn claims_with_names<T: DeserializeOwned>(
        &self,
        names: Option<&mut Vec<String>>,
    ) -> Result<Claims<T>, Error> {
        self.parts.claims_with_names(names)
    }
}

impl<'a> Parts<'a> {
    /// Checks the length, splits the token and parses its header.
    #[inline]
    fn parse(token: &'a str, max_len: usize) -> Result<(Self, Header), Error> {
        if token.len() > max_len {
            return Err(Error::TooLarge {
                len: token.len(),
                max: max_len,
            });
        }
        let (header_end, payload_end) = match split_points(token) {
            Some(points) => points,
            None => {
                let segments = count_dots(token.as_bytes()) + 1;
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
        let parts = Parts {
            raw: token,
            header_end,
            payload_end,
            alg,
        };
        Ok((parts, header))
    }

    /// The steps of [`decode_with_clock`] after the parse: algorithm gate, critical
    /// parameters, signature, then claims and validation.
    #[inline]
    fn check<T, V, C>(
        &self,
        header: &Header,
        verifier: &V,
        validation: &Validation,
        clock: &C,
    ) -> Result<(Algorithm, Claims<T>), Error>
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
        header.check_critical(validation)?;
        self.verify_signature_only(algorithm, header.kid.as_deref(), verifier)?;
        let mut names = Vec::new();
        let claims = self.claims_with_names::<T>(validation.wants_names().then_some(&mut names))?;
        validation.check(header, &claims, &names, clock.now())?;
        Ok((algorithm, claims))
    }

    fn algorithm(&self) -> Result<Algorithm, Error> {
        match &self.alg {
            AlgName::Known(alg) => Ok(*alg),
            AlgName::None => Err(Error::Unsecured),
            AlgName::Unknown(name) => {
                Err(HeaderError::UnsupportedAlgorithm { name: name.clone() }.into())
            }
        }
    }

    fn signing_input(&self) -> &'a str {
        &self.raw[..self.payload_end]
    }

    fn payload_b64(&self) -> &'a str {
        &self.raw[self.header_end + 1..self.payload_end]
    }

    fn signature_b64(&self) -> &'a str {
        &self.raw[self.payload_end + 1..]
    }

    /// The signature check alone; `decode` decodes (and so checks) the payload next.
    fn verify_signature_only<V: Verifier + ?Sized>(
        &self,
        algorithm: Algorithm,
        kid: Option<&str>,
        verifier: &V,
    ) -> Result<(), Error> {
        if self.alg != AlgName::Known(algorithm) {
            return Err(Error::AlgorithmNotAllowed { alg: algorithm });
        }
        let sig_b64 = self.signature_b64();
        let input = self.signing_input().as_bytes();
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
    fn claims_with_names<T: DeserializeOwned>(
        &self,
        names: Option<&mut Vec<String>>,
    ) -> Result<Claims<T>, Error> {
        let payload_b64 = self.payload_b64();
        let error = |_| Error::Base64 {
            segment: Segment::Payload,
        };
        if base64url::decoded_len_estimate(payload_b64.len()) <= STACK_PAYLOAD {
            let mut buf = [0u8; STACK_PAYLOAD];
            let n = base64url::decode_slice(payload_b64, &mut buf).map_err(error)?;
            claims_from_json(&buf[..n], names)
        } else {
            let payload = base64url::decode(payload_b64).map_err(error)?;
            claims_from_json(&payload, names)
        }
    }
}

#[cfg(test)]
mod tests;

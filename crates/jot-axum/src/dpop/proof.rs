//! The checks of one DPoP proof (RFC 9449 §4.3), in [`DpopVerifier`].

use std::sync::Arc;

use http::{HeaderMap, Method};
use jot_algorithms::{Algorithm, Jwk, VerifyingKey};
use jot_codec::{FixedClock, NumericDate, UntrustedToken, Validation, base64url};
use reqwest::Url;
use ring::digest;
use serde::Deserialize;

use super::{DpopError, NonceSource, ReplayCache, htu};
use crate::AuthErrorKind;

/// The longest proof read: a proof with an RSA-4096 key is under 2 KiB.
const MAX_PROOF_LEN: usize = 8 * 1024;

/// The `DPoP` request header.
const DPOP: &str = "dpop";

/// A built [`Dpop`](super::Dpop): checks the proofs of one
/// [`JwtAuth`](crate::JwtAuth).
pub(crate) struct DpopVerifier {
    algorithms: Vec<Algorithm>,
    algs: Box<str>,
    validation: Validation,
    lifetime: u64,
    replay: Arc<dyn ReplayCache>,
    nonces: Option<Arc<dyn NonceSource>>,
    origin: Option<Url>,
}

/// A proof that passed every check but the replay check.
pub(crate) struct CheckedProof {
    /// The RFC 7638 thumbprint of the proof's key.
    pub(crate) jkt: String,
    jti: [u8; 32],
    until: NumericDate,
}

/// The claims of a proof besides `jti` and `iat` (registered, typed by the codec).
#[derive(Deserialize)]
struct ProofClaims {
    #[serde(default)]
    htm: Option<String>,
    #[serde(default)]
    htu: Option<String>,
    #[serde(default)]
    ath: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
}

impl DpopVerifier {
    pub(super) fn new(
        algorithms: Vec<Algorithm>,
        max_age: u64,
        leeway: u64,
        replay: Arc<dyn ReplayCache>,
        nonces: Option<Arc<dyn NonceSource>>,
        origin: Option<Url>,
    ) -> Self {
        let validation = Validation::new()
            .algorithms(algorithms.iter().copied())
            .typ("dpop+jwt")
            .require_exp(false)
            .max_age(max_age)
            .leeway(leeway)
            .require("jti")
            .require("htm")
            .require("htu")
            .max_token_len(MAX_PROOF_LEN);
        let algs = algorithms
            .iter()
            .map(|alg| alg.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        DpopVerifier {
            algorithms,
            algs: algs.into(),
            validation,
            lifetime: max_age.saturating_add(leeway),
            replay,
            nonces,
            origin,
        }
    }

    /// The accepted algorithms, space-separated (the `algs` of a challenge).
    pub(crate) fn algs(&self) -> &str {
        &self.algs
    }

    /// The accepted algorithms.
    pub(crate) fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// The nonce to hand out now, when nonces are required.
    pub(crate) fn nonce(&self, now: NumericDate) -> Option<String> {
        self.nonces.as_ref().map(|n| n.current(now))
    }

    /// The normalised URL of a request for `path` on the configured origin.
    pub(crate) fn request_url(&self, path: &str) -> Option<String> {
        self.origin
            .as_ref()
            .and_then(|origin| htu::request_url(origin, path))
    }

    /// Every check of RFC 9449 §4.3 on the request's proof, except the binding to
    /// the token (the caller compares [`CheckedProof::jkt`] with `cnf.jkt`) and the
    /// replay check ([`DpopVerifier::record`], once everything else passed).
    /// `line` is the request's method and its normalised URL
    /// ([`DpopVerifier::request_url`]), when known; `access_token` the token the
    /// proof comes with (its hash is then required in `ath`), `None` at a token
    /// endpoint.
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        line: Option<(&Method, &str)>,
        access_token: Option<&str>,
        now: NumericDate,
    ) -> Result<CheckedProof, AuthErrorKind> {
        let invalid = AuthErrorKind::InvalidDpopProof;
        let mut values = headers.get_all(DPOP).iter();
        let value = values.next().ok_or(invalid(DpopError::Missing))?;
        if values.next().is_some() {
            return Err(invalid(DpopError::Multiple));
        }
        let proof = value
            .to_str()
            .map_err(|_| invalid(DpopError::UnreadableHeader))?
            .trim();
        let untrusted = UntrustedToken::parse_with_limit(proof, MAX_PROOF_LEN)
            .map_err(|e| invalid(DpopError::Malformed(e)))?;
        let alg = untrusted
            .algorithm()
            .map_err(|_| invalid(DpopError::Algorithm))?;
        if !self.algorithms.contains(&alg) {
            return Err(invalid(DpopError::Algorithm));
        }
        let jwk = public_jwk(&untrusted).map_err(invalid)?;
        let key = VerifyingKey::from_jwk(alg, &jwk).map_err(|e| invalid(DpopError::Key(e)))?;
        let proof = untrusted
            .decode::<ProofClaims, _, _>(&key, &self.validation, &FixedClock(now))
            .map_err(|e| invalid(from_codec(e)))?;
        let claims = &proof.claims;
        let custom = &claims.custom;
        // The validation requires the four names; `null` values pass it as
        // present, so each is looked at again.
        let missing = |claim| invalid(DpopError::MissingClaim { claim });
        let htm = custom.htm.as_deref().ok_or_else(|| missing("htm"))?;
        let htu_claim = custom.htu.as_deref().ok_or_else(|| missing("htu"))?;
        let jti = claims.jti.as_deref().ok_or_else(|| missing("jti"))?;
        let iat = claims.iat.ok_or_else(|| missing("iat"))?;
        let Some((method, expected)) = line else {
            return Err(invalid(DpopError::UnknownRequestUrl));
        };
        if htm != method.as_str() {
            return Err(invalid(DpopError::Method));
        }
        if htu::normalise_htu(htu_claim).as_deref() != Some(expected) {
            return Err(invalid(DpopError::Url));
        }
        if let Some(nonces) = &self.nonces {
            if !custom
                .nonce
                .as_deref()
                .is_some_and(|n| nonces.accepts(n, now))
            {
                return Err(AuthErrorKind::UseDpopNonce {
                    nonce: nonces.current(now),
                });
            }
        }
        if let Some(access_token) = access_token {
            let ath = custom
                .ath
                .as_deref()
                .ok_or(invalid(DpopError::MissingClaim { claim: "ath" }))?;
            let hash = digest::digest(&digest::SHA256, access_token.as_bytes());
            if ath != base64url::encode(hash.as_ref()) {
                return Err(invalid(DpopError::AccessTokenHash));
            }
        }
        let jkt = jwk.thumbprint().map_err(|e| invalid(DpopError::Key(e)))?;
        let mut jti_digest = [0u8; 32];
        jti_digest.copy_from_slice(digest::digest(&digest::SHA256, jti.as_bytes()).as_ref());
        Ok(CheckedProof {
            jkt,
            jti: jti_digest,
            until: iat.saturating_add(self.lifetime),
        })
    }

    /// Records the proof's `jti`: refuses a replay, and answers 503 when the cache
    /// cannot record it.
    pub(crate) async fn record(
        &self,
        proof: &CheckedProof,
        now: NumericDate,
    ) -> Result<(), AuthErrorKind> {
        match self.replay.first_use(&proof.jti, proof.until, now).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(AuthErrorKind::InvalidDpopProof(DpopError::Replayed)),
            Err(e) => Err(AuthErrorKind::ReplayCacheUnavailable(e)),
        }
    }
}

/// The header's `jwk`, which must be a public key.
fn public_jwk(untrusted: &UntrustedToken<'_>) -> Result<Jwk, DpopError> {
    let members = untrusted.header().jwk.as_ref().ok_or(DpopError::NoKey)?;
    let jwk: Jwk =
        serde_json::from_value(serde_json::Value::Object(members.clone())).map_err(|_| {
            DpopError::Key(jot_algorithms::KeyError::InvalidJwk {
                reason: "not a JSON object with the members of a JWK",
            })
        })?;
    if jwk != jwk.to_public() {
        return Err(DpopError::PrivateKey);
    }
    Ok(jwk)
}

/// The proof error for what the codec refused.
fn from_codec(e: jot_codec::Error) -> DpopError {
    match e {
        jot_codec::Error::WrongType { .. } => DpopError::Type,
        jot_codec::Error::InvalidSignature => DpopError::Signature,
        jot_codec::Error::AlgorithmNotAllowed { .. } => DpopError::Algorithm,
        jot_codec::Error::TooOld { .. } => DpopError::Stale,
        jot_codec::Error::IssuedInFuture { .. } => DpopError::Future,
        jot_codec::Error::MissingClaim { claim } => DpopError::MissingClaim {
            claim: match claim.as_str() {
                "jti" => "jti",
                "htm" => "htm",
                "htu" => "htu",
                _ => "iat",
            },
        },
        other => DpopError::Malformed(other),
    }
}

//! DPoP (RFC 9449) at the issuer's endpoints: the proof of a token request, the
//! key a token is bound to (`cnf.jkt`).

use http::{HeaderMap, HeaderValue, Method};
use jot_axum::ProofRefusal;
use jot_codec::NumericDate;
use serde_json::{Map, Value};

use crate::error::OAuthErrorCode;
use crate::{Issuer, OAuthError};

/// The `DPoP` request header.
pub(crate) const DPOP: &str = "dpop";

/// The `token_type` of a DPoP-bound access token.
pub(crate) const DPOP_TOKEN_TYPE: &str = "DPoP";

impl Issuer {
    /// The thumbprint of the key of a token request's DPoP proof, `None` when the
    /// request has no `DPoP` header; a proof that fails a check refuses the
    /// request (`invalid_dpop_proof`, or `use_dpop_nonce` with a nonce).
    pub(crate) async fn token_proof(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<String>, OAuthError> {
        if !headers.contains_key(DPOP) {
            return Ok(None);
        }
        let url = format!("{}/token", self.inner.url);
        self.check_proof(headers, &Method::POST, &url, None)
            .await
            .map(Some)
    }

    /// Checks a proof for a request `method` to `url`, with `access_token` when the
    /// proof comes with one; returns its key's thumbprint.
    pub(crate) async fn check_proof(
        &self,
        headers: &HeaderMap,
        method: &Method,
        url: &str,
        access_token: Option<&str>,
    ) -> Result<String, OAuthError> {
        let now = NumericDate::EPOCH.saturating_add(self.now());
        match self
            .inner
            .dpop
            .verify(headers, method, url, access_token, now)
            .await
        {
            Ok(proof) => Ok(proof.jkt().to_owned()),
            Err(ProofRefusal::UseNonce { nonce }) => Err(OAuthError::use_dpop_nonce(nonce)),
            Err(ProofRefusal::Invalid(e)) => {
                tracing::info!(target: "jot_issuer", reason = %e, "DPoP proof refused");
                Err(OAuthError::new(
                    OAuthErrorCode::InvalidDpopProof,
                    e.public_description(),
                ))
            }
            Err(refusal) => {
                tracing::warn!(target: "jot_issuer", error = %refusal, "DPoP replay cache unavailable");
                Err(OAuthError::unavailable())
            }
        }
    }

    /// The `DPoP-Nonce` to send with a response to a DPoP request, when nonces are on.
    pub(crate) fn next_dpop_nonce(&self) -> Option<HeaderValue> {
        let now = NumericDate::EPOCH.saturating_add(self.now());
        let nonce = self.inner.dpop.nonce(now)?;
        HeaderValue::from_str(&nonce).ok()
    }

    /// The algorithms DPoP proofs may use (`dpop_signing_alg_values_supported`).
    pub(crate) fn dpop_algorithms(&self) -> Vec<&'static str> {
        self.inner
            .dpop
            .algorithms()
            .iter()
            .map(|alg| alg.as_str())
            .collect()
    }
}

/// The `cnf.jkt` of a token's claims: `Ok(None)` for a bearer token, an error when
/// `cnf` is there but malformed.
pub(crate) fn bound_key(claims: &Map<String, Value>) -> Result<Option<&str>, ()> {
    match claims.get("cnf") {
        None => Ok(None),
        Some(Value::Object(cnf)) => match cnf.get("jkt") {
            None => Ok(None),
            Some(Value::String(jkt)) => Ok(Some(jkt)),
            Some(_) => Err(()),
        },
        Some(_) => Err(()),
    }
}

/// A `dpop_jkt` parameter (RFC 9449 §10): a SHA-256 thumbprint, base64url (43
/// characters).
pub(crate) fn is_thumbprint(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

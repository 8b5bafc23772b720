//! [`DpopProofs`]: the proof checks of RFC 9449 §4.3 on their own, for a server
//! that takes proofs without a [`JwtAuth`](crate::JwtAuth) in front: an
//! authorization server's token endpoint, a userinfo endpoint.

use http::{HeaderMap, Method};
use jot_algorithms::Algorithm;
use jot_codec::NumericDate;

use super::{Dpop, DpopError, ReplayCacheError, htu, proof::DpopVerifier};
use crate::AuthErrorKind;

/// Checks DPoP proofs as a [`Dpop`] configures them, for any request URL: built
/// with [`Dpop::proofs`].
///
/// ```
/// use http::{HeaderMap, Method};
/// use jot_axum::{Dpop, ProofRefusal};
/// use jot_codec::NumericDate;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let proofs = Dpop::new().proofs();
/// let now = NumericDate::EPOCH.saturating_add(1_767_225_600);
/// // A token request without a `DPoP` header has no proof to check.
/// let refused = proofs
///     .verify(&HeaderMap::new(), &Method::POST, "https://auth.example.com/token", None, now)
///     .await;
/// assert!(matches!(refused, Err(ProofRefusal::Invalid(_))));
/// # }
/// ```
pub struct DpopProofs {
    verifier: DpopVerifier,
}

/// A proof that passed every check, its `jti` now recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpopProof {
    jkt: String,
}

impl DpopProof {
    /// The RFC 7638 thumbprint of the proof's key: the `cnf.jkt` of a token bound
    /// to it.
    pub fn jkt(&self) -> &str {
        &self.jkt
    }
}

/// Why [`DpopProofs::verify`] refused a proof.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofRefusal {
    /// The proof is missing or fails a check (`invalid_dpop_proof`).
    #[error(transparent)]
    Invalid(DpopError),
    /// Server nonces are on and the proof has no current one: answer
    /// `use_dpop_nonce` with this nonce in a `DPoP-Nonce` header (RFC 9449 §8).
    #[error("a DPoP nonce is required")]
    UseNonce {
        /// The nonce the client must put in its next proof.
        nonce: String,
    },
    /// The replay cache could not record the proof's `jti` (answer 503).
    #[error(transparent)]
    Unavailable(ReplayCacheError),
}

impl Dpop {
    /// The checks on their own, for requests to any URL: [`Dpop::origin`] is not
    /// used, as each call names its request URL.
    pub fn proofs(self) -> DpopProofs {
        DpopProofs {
            verifier: self.verifier(None),
        }
    }
}

impl DpopProofs {
    /// Checks the request's `DPoP` header: every check of RFC 9449 §4.3 for a
    /// request `method` to `url` (normalised, its query and fragment ignored), the
    /// `ath` of `access_token` when the proof comes with one (`None` at a token
    /// endpoint), the nonce when nonces are on; then records the proof's `jti`, so
    /// a second use is refused.
    pub async fn verify(
        &self,
        headers: &HeaderMap,
        method: &Method,
        url: &str,
        access_token: Option<&str>,
        now: NumericDate,
    ) -> Result<DpopProof, ProofRefusal> {
        let expected = htu::normalise_htu(url);
        let line = expected.as_deref().map(|url| (method, url));
        let checked = self
            .verifier
            .check(headers, line, access_token, now)
            .map_err(refusal)?;
        self.verifier.record(&checked, now).await.map_err(refusal)?;
        Ok(DpopProof { jkt: checked.jkt })
    }

    /// The algorithms proofs may be signed with (`dpop_signing_alg_values_supported`).
    pub fn algorithms(&self) -> &[Algorithm] {
        self.verifier.algorithms()
    }

    /// The accepted algorithms, space-separated (the `algs` of a `DPoP` challenge).
    pub fn algs(&self) -> &str {
        self.verifier.algs()
    }

    /// The nonce to hand out now (`DPoP-Nonce`), when nonces are on.
    pub fn nonce(&self, now: NumericDate) -> Option<String> {
        self.verifier.nonce(now)
    }
}

impl std::fmt::Debug for DpopProofs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopProofs")
            .field("algs", &self.verifier.algs())
            .finish_non_exhaustive()
    }
}

fn refusal(kind: AuthErrorKind) -> ProofRefusal {
    match kind {
        AuthErrorKind::UseDpopNonce { nonce } => ProofRefusal::UseNonce { nonce },
        AuthErrorKind::ReplayCacheUnavailable(e) => ProofRefusal::Unavailable(e),
        AuthErrorKind::InvalidDpopProof(e) => ProofRefusal::Invalid(e),
        // `check` and `record` refuse with the three kinds above only.
        _ => ProofRefusal::Invalid(DpopError::UnknownRequestUrl),
    }
}

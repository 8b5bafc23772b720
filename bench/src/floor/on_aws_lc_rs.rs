//! The floor on aws-lc-rs (ring's API, public keys parsed once).

use aws_lc_rs as p;

// The same source for both crates: the module is compiled once per crate.
#[allow(clippy::duplicate_mod)]
#[path = "ring_api.rs"]
mod api;

pub(crate) use api::register;

const NAME: &str = "aws-lc-rs";

fn rsa_signature_len(rsa: &p::signature::RsaKeyPair) -> usize {
    rsa.public_modulus_len()
}

type EcdsaPair = p::signature::EcdsaKeyPair;

fn ecdsa_pair(pkcs8: &[u8], _: &p::rand::SystemRandom) -> Result<EcdsaPair, p::error::KeyRejected> {
    EcdsaPair::from_pkcs8(&p::signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
}

/// A public key parsed once, before measuring.
struct PublicKey(p::signature::ParsedPublicKey);

impl PublicKey {
    fn new(
        alg: &'static dyn p::signature::VerificationAlgorithm,
        raw: &[u8],
    ) -> Result<Self, p::error::KeyRejected> {
        p::signature::ParsedPublicKey::new(alg, raw).map(Self)
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), p::error::Unspecified> {
        self.0.verify_sig(message, signature)
    }
}

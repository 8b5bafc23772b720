//! The floor on ring.

use ring as p;

// The same source for both crates: the module is compiled once per crate.
#[allow(clippy::duplicate_mod)]
#[path = "ring_api.rs"]
mod api;

pub(crate) use api::register;

const NAME: &str = "ring";

fn rsa_signature_len(rsa: &p::signature::RsaKeyPair) -> usize {
    rsa.public().modulus_len()
}

type EcdsaPair = p::signature::EcdsaKeyPair;

fn ecdsa_pair(
    pkcs8: &[u8],
    rng: &p::rand::SystemRandom,
) -> Result<EcdsaPair, p::error::KeyRejected> {
    EcdsaPair::from_pkcs8(&p::signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, rng)
}

/// ring has no parsed public-key type: each check parses the key bytes.
struct PublicKey(p::signature::UnparsedPublicKey<Vec<u8>>);

impl PublicKey {
    fn new(
        alg: &'static dyn p::signature::VerificationAlgorithm,
        raw: &[u8],
    ) -> Result<Self, p::error::Unspecified> {
        Ok(Self(p::signature::UnparsedPublicKey::new(
            alg,
            raw.to_vec(),
        )))
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), p::error::Unspecified> {
        self.0.verify(message, signature)
    }
}

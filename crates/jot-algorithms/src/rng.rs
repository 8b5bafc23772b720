//! [`SystemRng`]: the provider's system random generator behind the `rand_core`
//! traits, for the RustCrypto crates that take a generator (RSA key generation here,
//! RSA-OAEP in jot-jwe), so that every random byte jot uses comes from the same source.

use crate::provider::{self, Unspecified};

/// The crypto provider's system random generator (the operating system's CSPRNG) as a
/// `rand_core` 0.10 [`TryCryptoRng`](rand_core::TryCryptoRng). Feature `rand-core`.
///
/// ```
/// use rand_core::TryRng as _;
///
/// let mut bytes = [0u8; 32];
/// jot_algorithms::SystemRng.try_fill_bytes(&mut bytes)?;
/// assert_ne!(bytes, [0u8; 32]);
/// # Ok::<(), jot_algorithms::provider::Unspecified>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemRng;

impl rand_core::TryRng for SystemRng {
    type Error = Unspecified;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
        provider::fill_random(dest)
    }
}

impl rand_core::TryCryptoRng for SystemRng {}

//! Randomness: ring's system generator for everything, and an adapter for the
//! `rand_core` interface that RustCrypto `rsa` asks for.

use ring::rand::{SecureRandom as _, SystemRandom};
use zeroize::Zeroizing;

/// Fills `out` from the system random generator.
pub(crate) fn fill(out: &mut [u8]) -> Result<(), ()> {
    SystemRandom::new().fill(out).map_err(|_| ())
}

/// `len` random bytes, wiped when dropped.
pub(crate) fn secret(len: usize) -> Result<Zeroizing<Vec<u8>>, ()> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    fill(&mut out)?;
    Ok(out)
}

/// ring's system random generator as the `rand_core` generator `rsa` wants
/// (for OAEP padding and for blinding the private-key operation).
#[cfg(feature = "rsa")]
pub(crate) struct RingRng;

#[cfg(feature = "rsa")]
impl rsa::rand_core::TryRng for RingRng {
    type Error = ring::error::Unspecified;

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
        SystemRandom::new().fill(dest)
    }
}

#[cfg(feature = "rsa")]
impl rsa::rand_core::TryCryptoRng for RingRng {}

//! Randomness: the crypto provider's system generator for everything (RustCrypto
//! `rsa` gets the same generator as jot-algorithms' `SystemRng`).

use jot_algorithms::provider;
use zeroize::Zeroizing;

/// Fills `out` from the system random generator.
pub(crate) fn fill(out: &mut [u8]) -> Result<(), ()> {
    provider::fill_random(out).map_err(|_| ())
}

/// `len` random bytes, wiped when dropped.
pub(crate) fn secret(len: usize) -> Result<Zeroizing<Vec<u8>>, ()> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    fill(&mut out)?;
    Ok(out)
}

//! [`DecryptionPolicy`]: what [`crate::decrypt`] accepts besides the key's algorithm.

use crate::ContentEncryption;
use crate::key::{DEFAULT_PBES2_ITERATIONS, MIN_PBES2_ITERATIONS};

/// The default maximum length of a compact JWE: 256 KiB.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 256 * 1024;

/// The default maximum size of a decompressed plaintext (`zip: DEF`): 250 KB.
pub const DEFAULT_MAX_DECOMPRESSED_LEN: usize = 250_000;

/// The limits and choices of decryption, built step by step.
///
/// Defaults: every `enc` jot implements; tokens up to 256 KiB; `zip: DEF` accepted
/// with at most 250 KB of decompressed plaintext; PBES2 `p2c` from 1,000 to 10,000;
/// no critical extension understood.
///
/// ```
/// use jot_jwe::{ContentEncryption, DecryptionPolicy};
/// let policy = DecryptionPolicy::new()
///     .encryptions([ContentEncryption::A256GCM])
///     .max_decompressed_len(64 * 1024)
///     .max_pbes2_iterations(100_000);
/// # let _ = policy;
/// ```
#[derive(Clone, Debug)]
pub struct DecryptionPolicy {
    pub(crate) encryptions: Vec<ContentEncryption>,
    pub(crate) max_token_len: usize,
    pub(crate) allow_compression: bool,
    pub(crate) max_decompressed_len: usize,
    pub(crate) max_pbes2_iterations: u32,
    pub(crate) critical: Vec<String>,
}

impl Default for DecryptionPolicy {
    fn default() -> Self {
        DecryptionPolicy::new()
    }
}

impl DecryptionPolicy {
    /// The defaults described above.
    pub fn new() -> DecryptionPolicy {
        DecryptionPolicy {
            encryptions: ContentEncryption::ALL.to_vec(),
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            allow_compression: true,
            max_decompressed_len: DEFAULT_MAX_DECOMPRESSED_LEN,
            max_pbes2_iterations: DEFAULT_PBES2_ITERATIONS,
            critical: Vec::new(),
        }
    }

    /// Accepts only these content encryptions.
    #[must_use]
    pub fn encryptions(mut self, encs: impl IntoIterator<Item = ContentEncryption>) -> Self {
        self.encryptions = encs.into_iter().collect();
        self
    }

    /// The maximum token length in bytes, checked before anything is decoded.
    #[must_use]
    pub fn max_token_len(mut self, len: usize) -> Self {
        self.max_token_len = len;
        self
    }

    /// Refuses compressed tokens (`zip`) altogether.
    #[must_use]
    pub fn refuse_compression(mut self) -> Self {
        self.allow_compression = false;
        self
    }

    /// The maximum size of a decompressed plaintext.
    #[must_use]
    pub fn max_decompressed_len(mut self, len: usize) -> Self {
        self.max_decompressed_len = len;
        self
    }

    /// The largest PBES2 iteration count (`p2c`) accepted; each iteration costs the
    /// receiver time, so an attacker's huge `p2c` is a denial of service. Values
    /// below 1,000 are raised to 1,000 (the minimum accepted).
    #[must_use]
    pub fn max_pbes2_iterations(mut self, max: u32) -> Self {
        self.max_pbes2_iterations = max.max(MIN_PBES2_ITERATIONS);
        self
    }

    /// Declares a `crit` extension parameter as understood.
    #[must_use]
    pub fn understand_critical(mut self, name: impl Into<String>) -> Self {
        self.critical.push(name.into());
        self
    }

    /// Whether `enc` is accepted.
    pub fn allows(&self, enc: ContentEncryption) -> bool {
        self.encryptions.contains(&enc)
    }
}

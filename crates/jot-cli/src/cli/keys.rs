//! The signing keys of `jot serve`: `jot rotate-key`, and the key-encryption key
//! that seals them at rest — where it comes from (`--kek-file`, `JOT_KEK`), and
//! `jot rotate-kek`.

use std::path::PathBuf;

use clap::Args;

use super::Alg;

pub(crate) const ROTATE_KEK_HELP: &str = "\
Seals every private signing key of the data directory or database under the new
key-encryption key (KEK): keys sealed under the old KEK are opened with it, plain
ones are sealed, and keys already sealed under the new KEK are left alone, so an
interrupted run can be repeated. Every key is checked before anything is written.
Make a KEK with `jot keygen kek --out FILE`. Then restart every `jot serve` with the
new KEK: a server still holding the old one cannot load the keys again.

Exit status:
  0  done
  2  usage, KEK, store or I/O error (nothing was changed)";

/// Where the key-encryption key comes from.
#[derive(Debug, Args)]
pub(crate) struct KekArgs {
    /// The key-encryption key that seals the private signing keys at rest, from
    /// FILE (made by `jot keygen kek --out FILE`); or set JOT_KEK. Required with a
    /// PostgreSQL store; with a data directory, it seals its keys from then on.
    #[arg(long, value_name = "FILE")]
    pub(crate) kek_file: Option<PathBuf>,
}

/// `jot rotate-kek`.
#[derive(Debug, Args)]
pub(crate) struct RotateKekArgs {
    /// The data directory of the issuer [default: ./jot-data].
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// The issuer's PostgreSQL database instead (or set JOT_DATABASE_URL).
    #[arg(long, value_name = "URL", conflicts_with = "data_dir")]
    pub(crate) store: Option<String>,
    /// The KEK the keys are sealed with now, from FILE (or set JOT_KEK); none for
    /// a data directory whose keys are not sealed yet.
    #[arg(long, value_name = "FILE")]
    pub(crate) kek_file: Option<PathBuf>,
    /// The new KEK, from FILE (or set JOT_NEW_KEK).
    #[arg(long, value_name = "FILE")]
    pub(crate) new_kek_file: Option<PathBuf>,
}

/// `jot rotate-key`.
#[derive(Debug, Args)]
pub(crate) struct RotateKeyArgs {
    /// The data directory of the issuer (must exist) [default: ./jot-data].
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// The issuer's PostgreSQL database instead (or set JOT_DATABASE_URL).
    #[arg(long, value_name = "URL", conflicts_with = "data_dir")]
    pub(crate) store: Option<String>,
    /// The algorithm of the new key [default: the current key's].
    #[arg(long, value_name = "ALG")]
    pub(crate) alg: Option<Alg>,
    /// Sign with the new key at once (the emergency switch for a compromised key)
    /// instead of publishing it first.
    #[arg(long)]
    pub(crate) now: bool,
    /// Also remove the old key from the JWK Set at once: the tokens it signed stop
    /// verifying once verifiers refetch.
    #[arg(long, requires = "now")]
    pub(crate) drop_old: bool,
    #[command(flatten)]
    pub(crate) kek: KekArgs,
}

pub(crate) const ROTATE_KEY_HELP: &str =
    "Without --now, the new key is published at once as the next key and the running
`jot serve` instances start signing with it once a JWKS max-age plus a maintenance
interval and a second have passed (5 min 31 s with the defaults): every verifier has it by then,
so none meets an unknown key id. The old key stays published until the tokens it
signed expire. A next key already waiting is kept (and shown).

Exit status:
  0  done
  2  usage, KEK, store or I/O error";

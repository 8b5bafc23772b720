//! The command line, as clap parses it. Each subcommand's arguments live here and
//! in `cli/` (one file per family); the work lives in `cmd/`.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use jot_codec::Algorithm;
use jot_jwe::{ContentEncryption, Curve, KeyAlgorithm, KeyFamily};

use crate::paint::ColorChoice;

mod dpop;
mod jws;
mod keys;
mod serve;
mod user;

pub(crate) use dpop::{DPOP_HELP, DpopArgs};
pub(crate) use jws::{DecodeArgs, EncodeArgs, JsonSyntax, RequireSignatures, VerifyArgs};
pub(crate) use keys::{KekArgs, ROTATE_KEK_HELP, ROTATE_KEY_HELP, RotateKekArgs, RotateKeyArgs};
pub(crate) use serve::{SERVE_HELP, ServeArgs};
pub(crate) use user::{DataDirArg, UserCommand, UserPasswordArgs};

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  the token was rejected (bad signature, expired, wrong audience, malformed, ...)
  2  usage, key or I/O error";

/// The exit codes of the commands that judge no token.
const EXIT_CODES_NO_TOKEN: &str = "\
Exit status:
  0  success
  2  usage, key or I/O error";

/// jot: encode, decode and verify JSON Web Tokens, and manage their keys.
#[derive(Debug, Parser)]
#[command(name = "jot", version, about, after_help = EXIT_CODES, propagate_version = true)]
pub(crate) struct Cli {
    /// When to colour the output (auto: on a terminal, unless NO_COLOR is set).
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: ColorChoice,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands. `serve` joins them with the server.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sign claims into a compact JWT and print it.
    #[command(after_help = EXIT_CODES_NO_TOKEN)]
    Encode(EncodeArgs),
    /// Show a token's header and claims WITHOUT verifying it.
    #[command(after_help = EXIT_CODES)]
    Decode(DecodeArgs),
    /// Verify a token's signature and claims; print the claims if it is valid.
    #[command(after_help = EXIT_CODES)]
    Verify(VerifyArgs),
    /// Make a DPoP proof (RFC 9449) for one HTTP request, signed with a client key.
    #[command(after_help = DPOP_HELP)]
    Dpop(DpopArgs),
    /// Encrypt bytes or claims into a compact JWE and print it.
    #[command(after_help = EXIT_CODES_NO_TOKEN)]
    Encrypt(EncryptArgs),
    /// Decrypt a JWE (compact or JSON serialization) and print its plaintext.
    #[command(after_help = EXIT_CODES)]
    Decrypt(DecryptArgs),
    /// Generate a key (JWK by default) and its public part.
    #[command(after_help = EXIT_CODES_NO_TOKEN)]
    Keygen(KeygenArgs),
    /// Public part, thumbprint, format conversion and JWK Sets.
    #[command(subcommand)]
    Jwk(JwkCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Run a local issuer: OpenID Connect sign-in, OAuth 2.0 tokens, JWKS, discovery.
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Rotate the signing key of a `jot serve` data directory or database: a next
    /// key published now, signing once verifiers can have fetched it (or, with
    /// --now, at once). It opens an existing issuer only: it never creates one.
    #[command(after_help = ROTATE_KEY_HELP)]
    RotateKey(RotateKeyArgs),
    /// Seal the private signing keys under a new key-encryption key.
    #[command(after_help = ROTATE_KEK_HELP)]
    RotateKek(RotateKekArgs),
    /// Add, list, disable or remove the people who sign in to `jot serve`.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the man page (roff), for packaging.
    #[command(hide = true)]
    Man,
}

/// Where a PBES2 password comes from; never argv.
#[derive(Debug, Args)]
pub(crate) struct PasswordArgs {
    /// Read the PBES2 password from FILE (`-`: stdin); one trailing newline is ignored.
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// Read the PBES2 password from the environment variable NAME.
    #[arg(long, value_name = "NAME")]
    pub(crate) password_env: Option<String>,
}

/// `jot encrypt`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key-source").required(true).args(["key", "password_file", "password_env"])))]
pub(crate) struct EncryptArgs {
    /// Key management algorithm; optional for a JWK with "alg". RSA1_5 is not offered.
    #[arg(
        short = 'a',
        long,
        value_enum,
        ignore_case = true,
        value_name = "KEYALG"
    )]
    pub(crate) alg: Option<KeyAlg>,
    /// Content encryption [default: A256GCM, or the one a dir key is for].
    #[arg(long, value_enum, ignore_case = true)]
    pub(crate) enc: Option<Enc>,
    /// The recipient's key: public (or private) JWK, JWK Set, PEM or DER; an oct JWK
    /// for dir, A*KW and A*GCMKW.
    #[arg(short = 'k', long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) password: PasswordArgs,
    /// Key id for the header [default: the key's own] (also picks the key from a JWK Set).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// The "typ" header.
    #[arg(long)]
    pub(crate) typ: Option<String>,
    /// The "cty" header (content type of the plaintext; JWT for a nested token).
    #[arg(long)]
    pub(crate) cty: Option<String>,
    /// Compress the plaintext before encrypting ("zip": "DEF"). Do not use it when the
    /// plaintext mixes secrets with data an attacker chooses.
    #[arg(long)]
    pub(crate) zip: bool,
    /// The plaintext, @FILE, or - for stdin (the default).
    #[arg(value_name = "PLAINTEXT")]
    pub(crate) plaintext: Option<String>,
}

/// `jot decrypt`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key-source").required(true).args(["key", "password_file", "password_env"])))]
pub(crate) struct DecryptArgs {
    /// Key management algorithm; optional for a JWK with "alg" (for a JWK Set: the
    /// algorithm of its keys without "alg").
    #[arg(
        short = 'a',
        long,
        value_enum,
        ignore_case = true,
        value_name = "KEYALG"
    )]
    pub(crate) alg: Option<KeyAlg>,
    /// Accepted content encryption; repeatable [default: all].
    #[arg(long, value_enum, ignore_case = true)]
    pub(crate) enc: Vec<Enc>,
    /// The private key (JWK, PEM or DER), an oct JWK for a shared secret, or a JWK
    /// Set (the token's "kid", else its "alg", picks the key).
    #[arg(short = 'k', long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) password: PasswordArgs,
    /// Print {"header":…,"plaintext":…} (or "plaintext_base64url" for bytes that are
    /// not UTF-8; with a JSON-serialized JWE also "recipient" and "aad");
    /// {"error":{"kind":…,"message":…}} on failure.
    #[arg(short = 'j', long)]
    pub(crate) json: bool,
    /// The JWE (compact, or the general or flattened JSON serialization), @FILE, or -
    /// for stdin (the default).
    #[arg(value_name = "TOKEN")]
    pub(crate) token: Option<String>,
}

/// `jot keygen`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// The algorithm the key is for: a JWS algorithm, a JWE key management
    /// algorithm, or `kek` (a key-encryption key for `jot serve`'s private keys).
    #[arg(value_enum, ignore_case = true)]
    pub(crate) alg: KeygenAlg,
    /// Key id [default: the key's RFC 7638 thumbprint].
    #[arg(long, conflicts_with_all = ["kid_thumbprint", "no_kid"])]
    pub(crate) kid: Option<String>,
    /// Use the RFC 7638 thumbprint as key id (the default).
    #[arg(long, conflicts_with = "no_kid")]
    pub(crate) kid_thumbprint: bool,
    /// Give the key no key id.
    #[arg(long)]
    pub(crate) no_kid: bool,
    /// Write the private key to FILE (mode 0600) instead of stdout; the public part
    /// then goes to stdout unless --public-out is given.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Write the public part to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) public_out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = KeyFormat::Jwk)]
    pub(crate) format: KeyFormat,
    /// RSA modulus size in bits, 2048 to 4096 [default: 2048].
    #[arg(long)]
    pub(crate) bits: Option<usize>,
    /// The content encryption a dir key is for (required for dir).
    #[arg(long, value_enum, ignore_case = true)]
    pub(crate) enc: Option<Enc>,
    /// The curve of an ECDH-ES key [default: P-256], or of an EdDSA key (Ed25519 or
    /// Ed448) [default: Ed25519].
    #[arg(long, value_enum, ignore_case = true)]
    pub(crate) curve: Option<CurveArg>,
    /// Overwrite existing files.
    #[arg(long)]
    pub(crate) force: bool,
}

/// `jot jwk ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum JwkCommand {
    /// Print the public part of a key (any format in).
    #[command(after_help = EXIT_CODES_NO_TOKEN)]
    Public {
        /// Output format.
        #[arg(long, value_enum, default_value_t = KeyFormat::Jwk)]
        format: KeyFormat,
        #[command(flatten)]
        key: KeyInArgs,
    },
    /// Print the RFC 7638 JWK thumbprint (SHA-256, base64url) of a key.
    #[command(after_help = EXIT_CODES_NO_TOKEN)]
    Thumbprint {
        /// Read the key as one for this algorithm (checked against the key); the
        /// thumbprint depends on the key alone, never on the algorithm.
        #[arg(long, value_enum, ignore_case = true)]
        alg: Option<Alg>,
        /// The key file (PEM, DER or JWK), or - for stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Convert a key between formats (private stays private unless --public).
    #[command(after_help = EXIT_CODES_NO_TOKEN)]
    Convert {
        /// Output format.
        #[arg(long, value_enum)]
        to: ConvertTo,
        /// Output only the public part.
        #[arg(long)]
        public: bool,
        /// Set the key id.
        #[arg(long)]
        kid: Option<String>,
        #[command(flatten)]
        key: KeyInArgs,
    },
    /// Build a JWK Set from key files (public parts unless --private).
    #[command(after_help = EXIT_CODES_NO_TOKEN)]
    Set {
        /// Include private keys as they are.
        #[arg(long)]
        private: bool,
        /// Algorithm for keys that do not imply one (RSA PEM, HMAC JWK without "alg").
        #[arg(long, value_enum, ignore_case = true)]
        alg: Option<Alg>,
        /// Key files (any format).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

/// A key file argument and the algorithm for keys that do not imply one.
#[derive(Debug, Args)]
pub(crate) struct KeyInArgs {
    /// Algorithm for keys that do not imply one (e.g. an RSA PEM); it is written
    /// into exported JWKs.
    #[arg(long, value_enum, ignore_case = true)]
    pub(crate) alg: Option<Alg>,
    /// The key file (PEM, DER or JWK), or - for stdin.
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
}

/// A key output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum KeyFormat {
    /// JSON Web Key (RFC 7517).
    Jwk,
    /// PEM: PKCS#8 for private keys, SPKI for public keys.
    Pem,
}

/// `jot jwk convert --to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ConvertTo {
    /// JSON Web Key.
    Jwk,
    /// PEM (PKCS#8 or SPKI).
    Pem,
    /// A JWK Set holding the key.
    Set,
}

/// An algorithm as a command-line value (with completion of every name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Alg(pub(crate) Algorithm);

static ALGS: [Alg; Algorithm::ALL.len()] = {
    let all = Algorithm::ALL;
    let mut out = [Alg(Algorithm::HS256); Algorithm::ALL.len()];
    let mut i = 0;
    while i < all.len() {
        out[i] = Alg(all[i]);
        i += 1;
    }
    out
};

impl ValueEnum for Alg {
    fn value_variants<'a>() -> &'a [Self] {
        &ALGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()))
    }
}

/// A JWE key management algorithm as a command-line value. RSA1_5 is not offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KeyAlg(pub(crate) KeyAlgorithm);

static KEY_ALGS: [KeyAlg; KeyAlgorithm::ALL.len()] = {
    let all = KeyAlgorithm::ALL;
    let mut out = [KeyAlg(KeyAlgorithm::Dir); KeyAlgorithm::ALL.len()];
    let mut i = 0;
    while i < all.len() {
        out[i] = KeyAlg(all[i]);
        i += 1;
    }
    out
};

impl ValueEnum for KeyAlg {
    fn value_variants<'a>() -> &'a [Self] {
        &KEY_ALGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()))
    }
}

/// A JWE content encryption algorithm as a command-line value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Enc(pub(crate) ContentEncryption);

static ENCS: [Enc; ContentEncryption::ALL.len()] = {
    let all = ContentEncryption::ALL;
    let mut out = [Enc(ContentEncryption::A256GCM); ContentEncryption::ALL.len()];
    let mut i = 0;
    while i < all.len() {
        out[i] = Enc(all[i]);
        i += 1;
    }
    out
};

impl ValueEnum for Enc {
    fn value_variants<'a>() -> &'a [Self] {
        &ENCS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()))
    }
}

/// The content encryptions of a list of arguments.
pub(crate) fn encs(list: &[Enc]) -> Vec<ContentEncryption> {
    list.iter().map(|e| e.0).collect()
}

/// The curve of an ECDH-ES key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CurveArg {
    /// NIST P-256.
    #[value(name = "P-256")]
    P256,
    /// NIST P-384.
    #[value(name = "P-384")]
    P384,
    /// NIST P-521.
    #[value(name = "P-521")]
    P521,
    /// Curve25519 (RFC 8037).
    #[value(name = "X25519")]
    X25519,
    /// Ed25519 signatures (EdDSA, RFC 8037).
    #[value(name = "Ed25519")]
    Ed25519,
    /// Ed448 signatures (EdDSA, RFC 8037).
    #[value(name = "Ed448")]
    Ed448,
}

impl CurveArg {
    /// The jot-jwe curve of an ECDH-ES key; `None` for the EdDSA curves.
    pub(crate) fn curve(self) -> Option<Curve> {
        match self {
            CurveArg::P256 => Some(Curve::P256),
            CurveArg::P384 => Some(Curve::P384),
            CurveArg::P521 => Some(Curve::P521),
            CurveArg::X25519 => Some(Curve::X25519),
            CurveArg::Ed25519 | CurveArg::Ed448 => None,
        }
    }

    /// The curve of an EdDSA key; `None` for the ECDH-ES curves.
    pub(crate) fn eddsa(self) -> Option<jot_algorithms::OkpCurve> {
        match self {
            CurveArg::Ed25519 => Some(jot_algorithms::OkpCurve::Ed25519),
            CurveArg::Ed448 => Some(jot_algorithms::OkpCurve::Ed448),
            _ => None,
        }
    }
}

/// What `jot keygen` makes a key for: a JWS algorithm or a JWE key management
/// algorithm (PBES2 names parse, to be refused with the reason: a password is not
/// generated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeygenAlg {
    /// A signing algorithm.
    Sign(Algorithm),
    /// A JWE key management algorithm.
    Encrypt(KeyAlgorithm),
    /// A key-encryption key for `jot serve`'s private keys at rest (`kek`).
    Kek,
}

const KEYGEN_LEN: usize = Algorithm::ALL.len() + KeyAlgorithm::ALL.len() + 1;

static KEYGEN_ALGS: [KeygenAlg; KEYGEN_LEN] = {
    let mut out = [KeygenAlg::Kek; KEYGEN_LEN];
    let mut i = 0;
    while i < Algorithm::ALL.len() {
        out[i] = KeygenAlg::Sign(Algorithm::ALL[i]);
        i += 1;
    }
    let mut j = 0;
    while j < KeyAlgorithm::ALL.len() {
        out[i + j] = KeygenAlg::Encrypt(KeyAlgorithm::ALL[j]);
        j += 1;
    }
    out
};

impl ValueEnum for KeygenAlg {
    fn value_variants<'a>() -> &'a [Self] {
        &KEYGEN_ALGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            KeygenAlg::Sign(alg) => PossibleValue::new(alg.as_str()),
            KeygenAlg::Encrypt(alg) => {
                PossibleValue::new(alg.as_str()).hide(alg.family() == KeyFamily::Password)
            }
            KeygenAlg::Kek => PossibleValue::new("kek").help(
                "a key-encryption key for `jot serve --kek-file` (32 random bytes, base64url)",
            ),
        })
    }
}

/// The algorithms of a list of arguments.
pub(crate) fn algs(list: &[Alg]) -> Vec<Algorithm> {
    list.iter().map(|a| a.0).collect()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_durations_take_the_one_grammar() {
        let cli = Cli::try_parse_from(["jot", "serve", "--token-lifetime", "1h30m"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("serve")
        };
        assert_eq!(
            args.token_lifetime,
            Some(std::time::Duration::from_secs(5400))
        );
        for bad in ["1h30", "0", "1y", "-5m"] {
            assert!(
                Cli::try_parse_from(["jot", "serve", "--token-lifetime", bad]).is_err(),
                "{bad}"
            );
        }
        let cli = Cli::try_parse_from(["jot", "verify", "--key", "k"]).unwrap();
        let Command::Verify(args) = cli.command else {
            panic!("verify")
        };
        assert_eq!(args.leeway, jot_codec::DEFAULT_LEEWAY, "the shown default");
    }

    #[test]
    fn every_algorithm_is_a_value() {
        assert_eq!(ALGS.len(), Algorithm::ALL.len());
        let cli = Cli::try_parse_from(["jot", "keygen", "es256k"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Keygen(KeygenArgs {
                alg: KeygenAlg::Sign(Algorithm::ES256K),
                ..
            })
        ));
        assert!(Cli::try_parse_from(["jot", "keygen", "none"]).is_err());
    }

    #[test]
    fn jwe_algorithms_are_values_but_rsa1_5_is_not() {
        for alg in KeyAlgorithm::ALL {
            let cli = Cli::try_parse_from(["jot", "keygen", alg.as_str()]).unwrap();
            assert!(
                matches!(cli.command, Command::Keygen(KeygenArgs { alg: KeygenAlg::Encrypt(a), .. }) if a == alg)
            );
        }
        for args in [
            &["jot", "keygen", "RSA1_5"][..],
            &["jot", "encrypt", "--alg", "RSA1_5", "--key", "k"],
            &["jot", "decrypt", "--alg", "RSA1_5", "--key", "k"],
        ] {
            assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
        }
        let cli = Cli::try_parse_from(["jot", "encrypt", "--key", "k", "--enc", "a128cbc-hs256"])
            .unwrap();
        assert!(matches!(
            cli.command,
            Command::Encrypt(EncryptArgs {
                enc: Some(Enc(ContentEncryption::A128CBC_HS256)),
                ..
            })
        ));
    }
}

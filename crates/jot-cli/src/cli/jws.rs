//! The commands on signed tokens: `jot encode`, `jot decode`, `jot verify`, and
//! where their HMAC secrets come from.

use std::path::PathBuf;

use clap::{ArgGroup, Args, ValueEnum};

use super::{Alg, Enc, KeyAlg};
use crate::dates::DateZone;
use crate::when::{When, parse_when};

/// Where a signing or verifying key comes from.
#[derive(Debug, Args)]
pub(crate) struct SecretArgs {
    /// Read the HMAC secret from FILE (`-`: stdin), byte for byte; only a UTF-8 text
    /// file loses one trailing newline (\n or \r\n).
    #[arg(long, value_name = "FILE", conflicts_with = "secret_env")]
    pub(crate) secret_file: Option<PathBuf>,
    /// Read the HMAC secret from the environment variable NAME.
    #[arg(long, value_name = "NAME")]
    pub(crate) secret_env: Option<String>,
}

/// `jot encode`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key-source").required(true).multiple(true).args(["key", "secret_file", "secret_env"])))]
pub(crate) struct EncodeArgs {
    /// The algorithm; optional when the key implies one (EC, Ed25519, JWK with "alg").
    /// With --json and several signers: once per signer, in their order, or never.
    #[arg(short = 'a', long, value_enum, ignore_case = true)]
    pub(crate) alg: Vec<Alg>,
    /// Private key file: PEM (PKCS#8, PKCS#1, SEC1), DER, JWK or JWK Set. With --json,
    /// repeat it for one signature per key; the signers are the keys in order, then
    /// the secret (--secret-file or --secret-env), if any.
    #[arg(short = 'k', long, value_name = "FILE")]
    pub(crate) key: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
    /// Key id for the header (also picks the key from a JWK Set). With --json and
    /// several signers: once per signer, in their order, or never.
    #[arg(long)]
    pub(crate) kid: Vec<String>,
    /// Write a JWS JSON serialization (RFC 7515 §7.2) instead of a compact token:
    /// general (any number of signatures) or flattened (exactly one).
    #[arg(long, value_enum, value_name = "SYNTAX", conflicts_with = "encrypt_to")]
    pub(crate) json: Option<JsonSyntax>,
    /// Sign the bytes of FILE (`-`: stdin) as they are, instead of a claims set: a
    /// JWS that is not a JWT (no claims, no default "typ").
    #[arg(long, value_name = "FILE", conflicts_with_all = ["claims", "claim", "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "jti_random", "no_exp", "no_iat", "allow_expired", "encrypt_to"])]
    pub(crate) payload_file: Option<PathBuf>,
    /// An unencoded payload (RFC 7797 "b64": false, listed in "crit"): the payload is
    /// signed and carried as it is, not base64url-encoded. A compact token must then
    /// have a payload without '.', or be --detached.
    #[arg(long, conflicts_with = "encrypt_to")]
    pub(crate) unencoded_payload: bool,
    /// Leave the payload out of the JWS (detached content, RFC 7515 Appendix F): the
    /// recipient gets it apart and passes it to `jot verify --payload-file`.
    #[arg(long, conflicts_with = "encrypt_to")]
    pub(crate) detached: bool,
    /// The "typ" header [default: JWT; none with --payload-file].
    #[arg(short = 't', long, conflicts_with = "no_typ")]
    pub(crate) typ: Option<String>,
    /// Leave "typ" out of the header.
    #[arg(long)]
    pub(crate) no_typ: bool,
    /// Issuer ("iss").
    #[arg(short = 'i', long)]
    pub(crate) iss: Option<String>,
    /// Subject ("sub").
    #[arg(short = 's', long)]
    pub(crate) sub: Option<String>,
    /// Audience ("aud"); repeat for several.
    #[arg(long)]
    pub(crate) aud: Vec<String>,
    /// Expiry: a duration from now (15m, +1h30m, 7d), @UNIX_SECONDS or an RFC 3339
    /// date (2026-12-01T12:00:00Z) [default: 1h]. A bare number is refused. An
    /// expiry already past is refused unless --allow-expired.
    #[arg(short = 'e', long, value_name = "WHEN", value_parser = parse_when, allow_hyphen_values = true, conflicts_with = "no_exp")]
    pub(crate) exp: Option<When>,
    /// Do not set "exp".
    #[arg(long)]
    pub(crate) no_exp: bool,
    /// Make the token even when its "exp" is already past (for tests).
    #[arg(long)]
    pub(crate) allow_expired: bool,
    /// Not before: a duration from now (-5m: five minutes ago), @UNIX_SECONDS or an
    /// RFC 3339 date.
    #[arg(short = 'n', long, value_name = "WHEN", value_parser = parse_when, allow_hyphen_values = true)]
    pub(crate) nbf: Option<When>,
    /// Issued at: as --nbf [default: now].
    #[arg(long, value_name = "WHEN", value_parser = parse_when, allow_hyphen_values = true, conflicts_with = "no_iat")]
    pub(crate) iat: Option<When>,
    /// Do not set "iat" (set to now by default).
    #[arg(long)]
    pub(crate) no_iat: bool,
    /// Token id ("jti").
    #[arg(long, conflicts_with = "jti_random")]
    pub(crate) jti: Option<String>,
    /// A random 128-bit token id.
    #[arg(long)]
    pub(crate) jti_random: bool,
    /// A claim; VALUE is JSON when it parses as JSON, else a string. Repeatable.
    #[arg(short = 'P', long, value_name = "NAME=VALUE")]
    pub(crate) claim: Vec<String>,
    /// A header parameter; VALUE as for --claim. Repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    pub(crate) header: Vec<String>,
    /// Then encrypt the signed token to this key: a nested JWT (JWE with cty JWT).
    /// A public JWK, PEM or DER key, or an oct JWK for a shared secret.
    #[arg(long, value_name = "KEYFILE")]
    pub(crate) encrypt_to: Option<PathBuf>,
    /// Content encryption of --encrypt-to [default: A256GCM, or the one a dir key is for].
    #[arg(long, value_enum, ignore_case = true, requires = "encrypt_to")]
    pub(crate) enc: Option<Enc>,
    /// Key management algorithm of --encrypt-to; optional for a JWK with "alg".
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        requires = "encrypt_to",
        value_name = "KEYALG"
    )]
    pub(crate) key_alg: Option<KeyAlg>,
    /// Claims: a JSON object, @FILE, or - for stdin.
    #[arg(value_name = "CLAIMS")]
    pub(crate) claims: Option<String>,
}

/// `jot decode`.
#[derive(Debug, Args)]
pub(crate) struct DecodeArgs {
    /// Print {"header":…,"claims":…} as JSON on one line; for a JWS JSON
    /// serialization {"serialization":…,"signatures":[{"protected":…,"header":…}],"payload":…}
    /// ("payload_text" or "payload_base64url" when the payload is not JSON).
    #[arg(short = 'j', long, conflicts_with = "human")]
    pub(crate) json: bool,
    /// Show the dates of exp, nbf and iat as `// …` comments even when stdout is
    /// not a terminal (a pipe gets plain JSON: {"header":…,"claims":…}, indented).
    #[arg(long)]
    pub(crate) human: bool,
    /// The time zone of the dates shown next to exp, nbf and iat.
    #[arg(long, value_enum, default_value_t = DateZone::Utc, value_name = "ZONE")]
    pub(crate) date: DateZone,

    /// The token (compact, or a JWS JSON serialization), @FILE, or - for stdin (the
    /// default).
    #[arg(value_name = "TOKEN")]
    pub(crate) token: Option<String>,
}

/// `jot verify`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key-source").required(true).args(["key", "jwks", "issuer_url", "secret_file", "secret_env"])))]
pub(crate) struct VerifyArgs {
    /// Key file: PEM (any kind), DER, JWK, or JWK Set (the token's "kid" picks the key).
    #[arg(short = 'k', long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// JWK Set file, or an https:// URL fetched once (10 s timeout, 1 MiB limit); a
    /// discovery document's URL (…/.well-known/openid-configuration) is followed to
    /// its jwks_uri.
    #[arg(long, value_name = "FILE_OR_URL")]
    pub(crate) jwks: Option<String>,
    /// The issuer's URL: its JWK Set is found through its discovery document
    /// (OpenID Connect, else RFC 8414), and it is the accepted issuer unless --iss.
    #[arg(long, value_name = "URL")]
    pub(crate) issuer_url: Option<String>,
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
    /// Accepted algorithm; repeatable. Required unless the key implies exactly one.
    #[arg(short = 'a', long, value_enum, ignore_case = true)]
    pub(crate) alg: Vec<Alg>,
    /// Accepted issuer; repeatable (any of them).
    #[arg(short = 'i', long)]
    pub(crate) iss: Vec<String>,
    /// Accepted audience; repeatable (any of them). A token with "aud" needs one.
    #[arg(long)]
    pub(crate) aud: Vec<String>,
    /// Required subject.
    #[arg(short = 's', long)]
    pub(crate) sub: Option<String>,
    /// Required "typ" header (e.g. at+jwt).
    #[arg(short = 't', long)]
    pub(crate) typ: Option<String>,
    /// Clock skew allowed for exp, nbf and iat: a duration (60, 60s, 2m).
    #[arg(long, value_name = "DURATION", value_parser = parse_seconds, default_value = "60s")]
    pub(crate) leeway: u64,
    /// Refuse tokens issued longer ago than this (a duration: 600, 10m, 1h; "iat"
    /// required).
    #[arg(long, value_name = "DURATION", value_parser = parse_seconds)]
    pub(crate) max_age: Option<u64>,
    /// A claim that must be present; repeatable.
    #[arg(long, value_name = "CLAIM")]
    pub(crate) require: Vec<String>,
    /// Accept tokens without "exp".
    #[arg(long)]
    pub(crate) allow_no_exp: bool,
    /// The token must be bound to this key (any format, private or public): its
    /// "cnf" claim must hold {"jkt": the key's RFC 7638 thumbprint} (RFC 9449 §6).
    #[arg(long, value_name = "KEYFILE", conflicts_with = "cnf_jkt")]
    pub(crate) cnf_key: Option<PathBuf>,
    /// The token must be bound to the key with this RFC 7638 thumbprint ("cnf.jkt";
    /// `jot jwk thumbprint KEYFILE` prints it).
    #[arg(long, value_name = "THUMBPRINT")]
    pub(crate) cnf_jkt: Option<String>,
    /// The token is a nested JWT: decrypt it with this private key, oct JWK or JWK Set
    /// (the token's "kid", else its "alg", picks the key) first, then verify the JWS
    /// inside. A token that is not encrypted is then refused.
    #[arg(long, value_name = "KEYFILE")]
    pub(crate) decrypt_with: Option<PathBuf>,
    /// Key management algorithm of --decrypt-with; optional for a JWK with "alg".
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        requires = "decrypt_with",
        value_name = "KEYALG"
    )]
    pub(crate) key_alg: Option<KeyAlg>,
    /// Accepted content encryption of --decrypt-with; repeatable [default: all].
    #[arg(long, value_enum, ignore_case = true, requires = "decrypt_with")]
    pub(crate) enc: Vec<Enc>,
    /// The detached payload (RFC 7515 Appendix F) of the token, read from FILE
    /// (`-`: stdin) byte for byte; base64url-encoded for the signature unless the
    /// token says "b64": false (RFC 7797).
    #[arg(long, value_name = "FILE", conflicts_with = "decrypt_with")]
    pub(crate) payload_file: Option<PathBuf>,
    /// For a JWS in the JSON serialization: which of its signatures must verify with
    /// the key(s) given, all of them or at least one (RFC 7515 §7.2's minimum).
    #[arg(long, value_enum, default_value_t = RequireSignatures::All, value_name = "WHICH")]
    pub(crate) require_signatures: RequireSignatures,
    /// Print {"header":…,"claims":…} on success, {"error":{"kind":…,"message":…}} on
    /// failure; for a JWS JSON serialization, {"signatures":[…],"claims":…} (or
    /// "payload") and, on failure, "signatures" beside "error".
    #[arg(short = 'j', long, conflicts_with = "human")]
    pub(crate) json: bool,
    /// Show the dates of exp, nbf and iat as `// …` comments even when stdout is
    /// not a terminal (a pipe gets the claims as plain JSON).
    #[arg(long)]
    pub(crate) human: bool,
    /// The time zone of the dates shown next to exp, nbf and iat, and in messages.
    #[arg(long, value_enum, default_value_t = DateZone::Utc, value_name = "ZONE")]
    pub(crate) date: DateZone,

    /// The token (compact, or a JWS JSON serialization), @FILE, or - for stdin (the
    /// default).
    #[arg(value_name = "TOKEN")]
    pub(crate) token: Option<String>,
}

/// `jot encode --json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum JsonSyntax {
    /// {"payload":…,"signatures":[{"protected":…,"signature":…},…]}.
    General,
    /// {"payload":…,"protected":…,"signature":…}: one signature.
    Flattened,
}

/// `jot verify --require-signatures`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RequireSignatures {
    /// Every signature must verify.
    All,
    /// At least one signature must verify.
    Any,
}

fn parse_seconds(text: &str) -> Result<u64, String> {
    crate::duration::parse_seconds(text).map_err(|e| e.to_string())
}

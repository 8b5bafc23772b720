//! The command line, as clap parses it. Each subcommand's arguments live here; the
//! work lives in `cmd/`.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use jot_codec::Algorithm;
use jot_jwe::{ContentEncryption, Curve, KeyAlgorithm, KeyFamily};

use crate::dates::DateZone;
use crate::paint::ColorChoice;
use crate::when::{When, parse_when};

mod dpop;
mod keys;
mod user;

pub(crate) use dpop::{DPOP_HELP, DpopArgs};
pub(crate) use keys::{KekArgs, ROTATE_KEK_HELP, ROTATE_KEY_HELP, RotateKekArgs, RotateKeyArgs};
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
    /// Decrypt a compact JWE and print its plaintext.
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

const SERVE_HELP: &str = "\
On the first start with an empty data directory (or database), jot generates the signing key; when
no user exists it creates the user `dev` and prints its password once, with the URL
of the home page where a person signs in; when no client is configured, it creates one
development client whose secret it prints once, with a curl command that gets a token
and a `jot verify --jwks` command that checks it. Logs go to stderr (RUST_LOG sets the level, default info;
--log-format json for one JSON object a line after the banner). Ctrl-C or SIGTERM stops it.

GET /healthz (alive) and GET /readyz (store reachable, keys loaded; 503 otherwise) are
always served; GET /metrics (Prometheus) with --metrics, or on --admin-addr.

The state lives in a data directory (--data-dir, default ./jot-data) or in a
PostgreSQL database that several instances may share (--store
postgres://USER@HOST/DATABASE). Without either flag, JOT_DATABASE_URL names the
database, else the config file's `data_dir` or `store`. The URL's password is never
printed; docs/ISSUER.md has TLS (sslmode), password files and the time limits.
A database keeps the private signing keys sealed with a key-encryption key: give it
with --kek-file FILE or JOT_KEK (`jot keygen kek --out FILE` makes one).

Slow or idle connections are cut off (--header-timeout, --body-timeout,
--request-timeout, --idle-timeout: 10s, 30s, 60s, 60s) and at most
--max-connections (1024) are open: a new one takes the place of the one waiting
longest for a request, and gets 503 only when all are in a request.

Exit status:
  0  stopped cleanly
  2  usage, configuration or I/O error";

/// `jot serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub(crate) addr: Option<std::net::SocketAddr>,
    /// Where keys, clients, users, sessions and tokens are kept [default: ./jot-data].
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// Keep them in PostgreSQL instead, for several instances:
    /// postgres://USER@HOST/DATABASE (or set JOT_DATABASE_URL). Give the password
    /// with PGPASSWORD or ?password_file=FILE rather than in the URL: argv is
    /// visible to other users.
    #[arg(long, value_name = "URL", conflicts_with = "data_dir")]
    pub(crate) store: Option<String>,
    /// The issuer URL written into tokens and discovery documents [default: http://ADDR,
    /// https://ADDR with --tls-cert].
    #[arg(long, value_name = "URL")]
    pub(crate) issuer: Option<String>,
    /// The signing algorithm of new keys [default: the stored key's, else ES256].
    #[arg(long, value_name = "ALG")]
    pub(crate) alg: Option<Alg>,
    /// A client: ID:SECRET or ID:SECRET:SCOPE1,SCOPE2 (repeat for several). Prefer the
    /// config file with `secret_env` for real secrets: argv is visible to other users.
    #[arg(long, value_name = "ID:SECRET[:SCOPES]")]
    pub(crate) client: Vec<crate::serve::ClientSpec>,
    /// A development user: NAME:PASSWORD (repeat for several). Prefer the config
    /// file with `password_env` for real passwords: argv is visible to other users.
    #[arg(long, value_name = "NAME:PASSWORD")]
    pub(crate) user: Vec<crate::serve::UserSpec>,
    /// The audience of access tokens [default: the issuer URL].
    #[arg(long, value_name = "AUD")]
    pub(crate) audience: Option<String>,
    /// Access-token lifetime (900, 90s, 15m, 12h) [default: 15m].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) token_lifetime: Option<std::time::Duration>,
    /// A TOML config file; flags win over it.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Serve Prometheus metrics on GET /metrics at the main address [default: off].
    #[arg(long)]
    pub(crate) metrics: bool,
    /// A second listener, for GET /metrics, /healthz and /readyz only (e.g. 127.0.0.1:9090).
    #[arg(long, value_name = "ADDR")]
    pub(crate) admin_addr: Option<std::net::SocketAddr>,
    /// A reverse proxy (an address or block, e.g. 10.0.0.0/8) whose X-Forwarded-For and
    /// X-Forwarded-Proto are believed; repeat for several. From other peers they are ignored.
    #[arg(long, value_name = "CIDR")]
    pub(crate) trusted_proxy: Vec<String>,
    /// The format of the logs on stderr [default: text].
    #[arg(long, value_name = "FORMAT", value_enum)]
    pub(crate) log_format: Option<crate::serve::LogFormat>,
    #[command(flatten)]
    pub(crate) kek: KekArgs,
    /// The max-age of the JWK Set's Cache-Control [default: 5m]. A new key is
    /// published this long plus one maintenance interval before it signs: give
    /// every instance the same value.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) jwks_max_age: Option<std::time::Duration>,
    /// How often keys are reloaded, next keys promoted and rotations scheduled
    /// [default: 30s]; how soon an instance follows another's rotation.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) maintenance_interval: Option<std::time::Duration>,
    /// An origin (`https://app.example.com`) whose browser apps may call the token,
    /// revocation, userinfo, JWKS and discovery endpoints (repeat for several)
    /// [default: none].
    #[arg(long, value_name = "ORIGIN")]
    pub(crate) cors_origin: Vec<String>,
    /// When the current signing key has lost its private key, rotate to a new key
    /// instead of refusing to start.
    #[arg(long)]
    pub(crate) replace_missing_key: bool,
    /// Close a connection whose request head is not complete this long after it
    /// opened (or after its first byte, between requests), with 408 [default: 10s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) header_timeout: Option<std::time::Duration>,
    /// Answer 408 to a request whose body is not complete this long after its head
    /// [default: 30s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) body_timeout: Option<std::time::Duration>,
    /// Answer 408 to a request not answered this long after its head [default: 60s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) request_timeout: Option<std::time::Duration>,
    /// Close a kept-alive connection with no new request this long [default: 60s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) idle_timeout: Option<std::time::Duration>,
    /// Connections open at once; past it the one waiting longest for a request is
    /// closed, or the new one gets 503 when all are in a request [default: 1024].
    #[arg(long, value_name = "N", value_parser = parse_max_connections)]
    pub(crate) max_connections: Option<usize>,
    /// Serve HTTPS with this PEM certificate chain (the server's certificate first);
    /// reloaded when it or the key file changes.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    crate::duration::parse_lifetime(text).map_err(|e| e.to_string())
}

fn parse_seconds(text: &str) -> Result<u64, String> {
    crate::duration::parse_seconds(text).map_err(|e| e.to_string())
}

fn parse_max_connections(text: &str) -> Result<usize, String> {
    let max = text
        .parse::<usize>()
        .map_err(|_| format!("{text:?} is not a number"))?;
    crate::serve::check_max_connections(max)
}

/// Where a signing or verifying key comes from.
#[derive(Debug, Args)]
pub(crate) struct SecretArgs {
    /// Read the HMAC secret from FILE (`-`: stdin), byte for byte; only a UTF-8 text
    /// file loses one trailing newline (\n or \r\n).
    #[arg(long, value_name = "FILE")]
    pub(crate) secret_file: Option<PathBuf>,
    /// Read the HMAC secret from the environment variable NAME.
    #[arg(long, value_name = "NAME")]
    pub(crate) secret_env: Option<String>,
}

/// `jot encode`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key-source").required(true).args(["key", "secret_file", "secret_env"])))]
pub(crate) struct EncodeArgs {
    /// The algorithm; optional when the key implies one (EC, Ed25519, JWK with "alg").
    #[arg(short = 'a', long, value_enum, ignore_case = true)]
    pub(crate) alg: Option<Alg>,
    /// Private key file: PEM (PKCS#8, PKCS#1, SEC1), DER, JWK or JWK Set.
    #[arg(short = 'k', long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
    /// Key id for the header (also picks the key from a JWK Set).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// The "typ" header.
    #[arg(short = 't', long, default_value = "JWT", conflicts_with = "no_typ")]
    pub(crate) typ: String,
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
    /// Print {"header":…,"claims":…} as JSON on one line.
    #[arg(short = 'j', long, conflicts_with = "human")]
    pub(crate) json: bool,
    /// Show the dates of exp, nbf and iat as `// …` comments even when stdout is
    /// not a terminal (a pipe gets plain JSON: {"header":…,"claims":…}, indented).
    #[arg(long)]
    pub(crate) human: bool,
    /// The time zone of the dates shown next to exp, nbf and iat.
    #[arg(long, value_enum, default_value_t = DateZone::Utc, value_name = "ZONE")]
    pub(crate) date: DateZone,

    /// The token, @FILE, or - for stdin (the default).
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
    /// The token is a nested JWT: decrypt it with this private key (or oct JWK) first,
    /// then verify the JWS inside. A token that is not encrypted is then refused.
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
    /// Print {"header":…,"claims":…} on success, {"error":{"kind":…,"message":…}} on failure.
    #[arg(short = 'j', long, conflicts_with = "human")]
    pub(crate) json: bool,
    /// Show the dates of exp, nbf and iat as `// …` comments even when stdout is
    /// not a terminal (a pipe gets the claims as plain JSON).
    #[arg(long)]
    pub(crate) human: bool,
    /// The time zone of the dates shown next to exp, nbf and iat, and in messages.
    #[arg(long, value_enum, default_value_t = DateZone::Utc, value_name = "ZONE")]
    pub(crate) date: DateZone,

    /// The token, @FILE, or - for stdin (the default).
    #[arg(value_name = "TOKEN")]
    pub(crate) token: Option<String>,
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
    /// Key management algorithm; optional for a JWK with "alg".
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
    /// The private key (JWK, PEM or DER), or an oct JWK for a shared secret.
    #[arg(short = 'k', long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) password: PasswordArgs,
    /// Print {"header":…,"plaintext":…} (or "plaintext_base64url" for bytes that are
    /// not UTF-8); {"error":{"kind":…,"message":…}} on failure.
    #[arg(short = 'j', long)]
    pub(crate) json: bool,
    /// The token, @FILE, or - for stdin (the default).
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
    /// The curve of an ECDH-ES key [default: P-256].
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
}

impl CurveArg {
    /// The jot-jwe curve.
    pub(crate) fn curve(self) -> Curve {
        match self {
            CurveArg::P256 => Curve::P256,
            CurveArg::P384 => Curve::P384,
            CurveArg::P521 => Curve::P521,
            CurveArg::X25519 => Curve::X25519,
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

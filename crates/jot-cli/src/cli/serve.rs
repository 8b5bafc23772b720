//! `jot serve`: its flags (each overrides the config file) and its help.

use std::path::PathBuf;

use clap::Args;

use super::{Alg, KekArgs};

pub(crate) const SERVE_HELP: &str = "\
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
    /// published this long plus one maintenance interval (and a second) before it signs: give
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
    /// A resource (RFC 8707) clients may ask tokens for with `resource`, e.g. an
    /// MCP server's identifier `https://mcp.example.com/mcp`: its tokens have it
    /// as their only `aud` (repeat for several) [default: none; every `resource`
    /// is refused with invalid_target].
    #[arg(long, value_name = "URI")]
    pub(crate) resource: Vec<String>,
    /// Require a server nonce in every DPoP proof (RFC 9449 §8): a proof without
    /// one is answered `use_dpop_nonce` with a `DPoP-Nonce` header.
    #[arg(long)]
    pub(crate) dpop_nonces: bool,
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
    /// Resolve a client_id that is an https URL by fetching the client's metadata
    /// document there (Client ID Metadata Documents) [default: off].
    #[arg(long)]
    pub(crate) client_id_metadata_documents: bool,
    /// Development only: metadata documents may be served from this machine
    /// (127.0.0.1, localhost), over plain http there.
    #[arg(long)]
    pub(crate) client_id_metadata_allow_loopback: bool,
    /// A scope clients named by a metadata document may ask for, besides the
    /// OpenID Connect ones, e.g. an MCP server's `mcp:tools` (repeat for several)
    /// [default: none].
    #[arg(long, value_name = "SCOPE")]
    pub(crate) client_id_metadata_scope: Vec<String>,
    /// Serve Dynamic Client Registration (RFC 7591) at POST /register: public
    /// clients, and confidential ones with the initial access token [default: off].
    #[arg(long)]
    pub(crate) dynamic_registration: bool,
    /// The environment variable that holds the initial access token of
    /// --dynamic-registration (sent as Authorization: Bearer to register a
    /// confidential client).
    #[arg(long, value_name = "NAME")]
    pub(crate) registration_initial_access_token_env: Option<String>,
    /// A scope registering clients may ask for, besides the OpenID Connect ones
    /// (repeat for several) [default: none].
    #[arg(long, value_name = "SCOPE")]
    pub(crate) registration_scope: Vec<String>,
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    crate::duration::parse_lifetime(text).map_err(|e| e.to_string())
}

fn parse_max_connections(text: &str) -> Result<usize, String> {
    let max = text
        .parse::<usize>()
        .map_err(|_| format!("{text:?} is not a number"))?;
    crate::serve::check_max_connections(max)
}

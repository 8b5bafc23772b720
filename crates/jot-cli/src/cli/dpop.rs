//! `jot dpop`: a DPoP proof (RFC 9449) for one HTTP request.

use std::path::PathBuf;

use clap::Args;

use super::Alg;

pub(crate) const DPOP_HELP: &str = "\
The proof goes in a `DPoP` header, the token in `Authorization: DPoP TOKEN`:

  curl -H \"Authorization: DPoP $TOKEN\" \\
       -H \"DPoP: $(jot dpop -k client.jwk -X GET -u https://api.example.com/mcp --access-token \"$TOKEN\")\" \\
       https://api.example.com/mcp

A proof is good for one request (its jti is remembered by the server) and for a
short time (about a minute): make a new one for every request. The token must be
bound to the same key: its `cnf.jkt` is the key's thumbprint, which
`jot jwk thumbprint client.jwk` prints.

Exit status:
  0  the proof was printed
  2  usage, key or I/O error (an HMAC secret or a public key cannot sign a proof)";

/// `jot dpop`.
#[derive(Debug, Args)]
pub(crate) struct DpopArgs {
    /// The client's private key: PEM, DER, JWK or JWK Set (EC, Ed25519 or RSA;
    /// never an HMAC secret). Its public part goes into the proof's `jwk` header.
    #[arg(short = 'k', long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// The algorithm; optional when the key implies one (EC, Ed25519, JWK with
    /// "alg"). RSA keys need it (RS256, PS256, ...).
    #[arg(short = 'a', long, value_enum, ignore_case = true)]
    pub(crate) alg: Option<Alg>,
    /// Picks the key from a JWK Set.
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// The HTTP method of the request ("htm"), e.g. GET or POST.
    #[arg(short = 'X', long, value_name = "METHOD")]
    pub(crate) method: String,
    /// The URL of the request ("htu"); its query and fragment are left out, as
    /// RFC 9449 §4.2 says.
    #[arg(short = 'u', long, value_name = "URL")]
    pub(crate) url: String,
    /// The access token the request carries: its SHA-256 goes into "ath". The
    /// token, @FILE, or - for stdin; a `DPoP ` or `Bearer ` prefix is ignored.
    #[arg(long, value_name = "TOKEN")]
    pub(crate) access_token: Option<String>,
    /// The server's nonce ("nonce"), from its `DPoP-Nonce` response header.
    #[arg(long, value_name = "NONCE")]
    pub(crate) nonce: Option<String>,
}

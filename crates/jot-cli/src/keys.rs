//! Loading keys: key files of every format jot-algorithms reads (PEM, DER, JWK, JWK
//! Set), remote JWK Sets (fetched by jot-axum) and HMAC secrets, with errors that say
//! what to do.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
pub(crate) use jot_algorithms::KeyFile;
use jot_algorithms::{Jwk, JwkSet, KeyError, KeySet, SigningKey, VerifyingKey};
use jot_axum::{ConfigError, Keys, RemoteJwks};
use jot_codec::{Algorithm, AlgorithmFamily};

use crate::input::{self, SecretSource};

/// The whole fetch of a remote JWK Set, connection included, must finish within this.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest remote JWK Set accepted.
const MAX_JWKS_BODY: usize = 1024 * 1024;

/// Reads a key file (`-` for stdin) and tells what it holds.
pub(crate) fn read_key_file(path: &Path) -> Result<KeyFile> {
    let bytes = input::read_path(path, "key file")?;
    let origin = || format!("cannot load the key {}", path.display());
    let file = KeyFile::sniff(bytes)
        .map_err(explain)
        .with_context(origin)?;
    if let KeyFile::Encoded(bytes) = &file {
        if is_plain_text(bytes) {
            return Err(anyhow!(
                "this is a text file, not a key (PEM, DER or JWK); for an HMAC secret, \
                 use --secret-file {}",
                path.display()
            ))
            .with_context(origin);
        }
    }
    Ok(file)
}

/// Text that no key format is: printable ASCII without a PEM boundary (a JWK,
/// being JSON, is sorted out before).
fn is_plain_text(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| matches!(b, b' '..=b'~' | b'\t' | b'\r' | b'\n'))
        && !bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// The key ids a key file holds, for a message about a token's unknown `kid`:
/// `Some(kids)` for a JWK or a JWK Set, `None` for PEM or DER (which carry none).
pub(crate) fn file_kids(path: &Path) -> Option<Vec<Option<String>>> {
    match read_key_file(path).ok()? {
        KeyFile::Jwk(jwk) => Some(vec![jwk.kid.clone()]),
        KeyFile::Set(set) => Some(set.keys.iter().map(|k| k.kid.clone()).collect()),
        KeyFile::Encoded(_) => None,
    }
}

/// A [`KeyError`] with a hint on what to do about it.
pub(crate) fn explain(e: KeyError) -> anyhow::Error {
    let hint = match &e {
        KeyError::AlgorithmRequired { key_type } => {
            return anyhow!(
                "the algorithm cannot be inferred from {} {key_type} key; give it explicitly \
                 (pass --alg)",
                article(key_type)
            );
        }
        KeyError::LooksLikePublicKey => " (signing needs the private key)",
        _ => "",
    };
    anyhow!("{e}{hint}")
}

/// The indefinite article of a key type's name, as it is read out: an RSA, an EC,
/// an OKP, an oct key.
fn article(key_type: &str) -> &'static str {
    match key_type.chars().next() {
        Some('A' | 'E' | 'F' | 'H' | 'I' | 'L' | 'M' | 'N' | 'O' | 'R' | 'S' | 'X') => "an",
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// The signing key of `jot encode`.
pub(crate) fn signing_key(
    key: Option<&Path>,
    secret: Option<SecretSource<'_>>,
    alg: Option<Algorithm>,
    kid: Option<&str>,
) -> Result<SigningKey> {
    if let Some(source) = secret {
        let alg = alg.context("--alg is required with a secret (HS256, HS384 or HS512)")?;
        let secret = input::read_secret(&source)?;
        return SigningKey::hmac(alg, secret).map_err(explain);
    }
    let path = key.context("no key given")?;
    let origin = || format!("cannot load the key {}", path.display());
    let loaded = match read_key_file(path)? {
        KeyFile::Jwk(jwk) => signing_from_jwk(&jwk, alg),
        KeyFile::Set(set) => {
            let private: Vec<&Jwk> = set.keys.iter().filter(|k| k.is_private()).collect();
            let jwk = match (kid, private.as_slice()) {
                (Some(kid), _) => private
                    .iter()
                    .find(|k| k.kid.as_deref() == Some(kid))
                    .copied()
                    .with_context(|| format!("the JWK Set has no private key with kid {kid:?}"))
                    .with_context(origin)?,
                (None, [one]) => *one,
                (None, []) => {
                    return Err(anyhow!("the JWK Set has no private key")).with_context(origin);
                }
                (None, _) => {
                    return Err(anyhow!(
                        "the JWK Set has {} private keys; pick one with --kid",
                        private.len()
                    ))
                    .with_context(origin);
                }
            };
            signing_from_jwk(jwk, alg)
        }
        KeyFile::Encoded(bytes) => signing_from_bytes(&bytes, alg),
    };
    loaded.map_err(explain).with_context(origin)
}

fn signing_from_jwk(jwk: &Jwk, alg: Option<Algorithm>) -> Result<SigningKey, KeyError> {
    match alg {
        Some(alg) => SigningKey::from_jwk(alg, jwk),
        None => SigningKey::from_jwk_infer(jwk),
    }
}

fn verifying_from_jwk(jwk: &Jwk, alg: Option<Algorithm>) -> Result<VerifyingKey, KeyError> {
    match alg {
        Some(alg) => VerifyingKey::from_jwk(alg, jwk),
        None => VerifyingKey::from_jwk_infer(jwk),
    }
}

fn signing_from_bytes(bytes: &[u8], alg: Option<Algorithm>) -> Result<SigningKey, KeyError> {
    match alg {
        Some(alg) => SigningKey::from_any_bytes(alg, bytes),
        None => SigningKey::from_any_bytes_infer(bytes),
    }
}

fn verifying_from_bytes(bytes: &[u8], alg: Option<Algorithm>) -> Result<VerifyingKey, KeyError> {
    match alg {
        Some(alg) => VerifyingKey::from_any_bytes(alg, bytes),
        None => VerifyingKey::from_any_bytes_infer(bytes),
    }
}

/// Where `jot verify` takes its keys from.
pub(crate) enum VerifySource<'a> {
    /// `--key FILE`.
    KeyFile(&'a Path),
    /// `--jwks FILE_OR_URL`.
    Jwks(&'a str),
    /// `--issuer-url URL`: the JWK Set found through the issuer's discovery document.
    Issuer(&'a str),
    /// `--secret-file` or `--secret-env`.
    Secret(SecretSource<'a>),
}

/// Loads the verifying keys for the accepted algorithms `algs` (empty: whatever the
/// key implies).
pub(crate) fn verifying_keys(source: VerifySource<'_>, algs: &[Algorithm]) -> Result<Keys> {
    match source {
        VerifySource::Secret(source) => {
            if algs.is_empty() {
                bail!("--alg is required with a secret (HS256, HS384 or HS512)");
            }
            let secret = input::read_secret(&source)?;
            let keys = algs
                .iter()
                .map(|&alg| VerifyingKey::hmac(alg, &secret).map_err(explain))
                .collect::<Result<Vec<_>>>()?;
            Ok(Keys::per_algorithm(keys))
        }
        VerifySource::Issuer(issuer) => {
            let keys = fetch_key_set(issuer, true, algs)?;
            usable(keys, issuer).map(Keys::from)
        }
        VerifySource::Jwks(url) if is_url(url) => {
            let keys = match discovery_issuer(url) {
                Some(issuer) => fetch_key_set(&issuer, true, algs)?,
                None => fetch_key_set(url, false, algs)?,
            };
            usable(keys, url).map(Keys::from)
        }
        VerifySource::Jwks(location) => {
            let bytes = input::read_path(Path::new(location), "JWK Set")?;
            let text = String::from_utf8(bytes)
                .with_context(|| format!("{location} is not UTF-8 text"))?;
            let set = JwkSet::from_json(&text)
                .map_err(explain)
                .with_context(|| format!("cannot load the JWK Set {location}"))?;
            usable(KeySet::from_jwk_set_assuming(&set, algs), location).map(Keys::from)
        }
        VerifySource::KeyFile(path) => {
            let origin = path.display().to_string();
            match read_key_file(path)? {
                KeyFile::Set(set) => {
                    usable(KeySet::from_jwk_set_assuming(&set, algs), &origin).map(Keys::from)
                }
                KeyFile::Jwk(jwk) => single(algs, |alg| verifying_from_jwk(&jwk, alg))
                    .with_context(|| format!("cannot load the key {origin}")),
                KeyFile::Encoded(bytes) => single(algs, |alg| verifying_from_bytes(&bytes, alg))
                    .with_context(|| format!("cannot load the key {origin}")),
            }
        }
    }
}

/// One key for each algorithm in `algs` that fits it, or for the one it implies.
fn single(
    algs: &[Algorithm],
    load: impl Fn(Option<Algorithm>) -> Result<VerifyingKey, KeyError>,
) -> Result<Keys> {
    if algs.is_empty() {
        return Ok(Keys::from(load(None).map_err(explain)?));
    }
    let mut keys = Vec::new();
    let mut first_error = None;
    for &alg in algs {
        match load(Some(alg)) {
            Ok(key) => keys.push(key),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if keys.is_empty() => Err(explain(e)),
        _ => Ok(Keys::per_algorithm(keys)),
    }
}

/// The issuer whose discovery document `url` is (`{issuer}/.well-known/openid-configuration`,
/// or RFC 8414's `{origin}/.well-known/oauth-authorization-server{path}`), if it is one.
pub(crate) fn discovery_issuer(url: &str) -> Option<String> {
    const OIDC: &str = "/.well-known/openid-configuration";
    const OAUTH: &str = "/.well-known/oauth-authorization-server";
    if let Some(issuer) = url.strip_suffix(OIDC) {
        return Some(issuer.to_owned());
    }
    let (origin, path) = url.split_once(OAUTH)?;
    Some(format!("{origin}{path}"))
}

/// Fetches the JWK Set at `url` (with `discover`, of the issuer `url`, through its
/// discovery document) once, with jot-axum's remote JWKS client: HTTPS, or plain
/// HTTP to this machine only; a 10 s timeout and a 1 MiB limit; `oct` keys, which
/// have no place in a published set, dropped.
fn fetch_key_set(url: &str, discover: bool, algs: &[Algorithm]) -> Result<KeySet> {
    let builder = if discover {
        RemoteJwks::discover(url)
    } else {
        RemoteJwks::builder(url)
    };
    let jwks = builder
        .allow_http_loopback()
        .timeout(FETCH_TIMEOUT)
        .max_body(MAX_JWKS_BODY)
        .assume_algorithms(algs.iter().copied())
        .build()
        .map_err(|e| match e {
            ConfigError::InsecureUrl => anyhow!(
                "refusing to fetch keys over plain http from {url}: use https (http is allowed only for localhost)"
            ),
            other => anyhow!("cannot fetch the JWK Set {url}: {other}"),
        })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the HTTP client")?;
    runtime
        .block_on(jwks.refresh_now())
        .with_context(|| format!("cannot fetch the JWK Set {url}"))?;
    jwks.cached_keys()
        .with_context(|| format!("cannot fetch the JWK Set {url}"))
}

/// The keys of a set, after a note on stderr for each key set aside; an error when
/// none is left.
fn usable(keys: KeySet, origin: &str) -> Result<KeySet> {
    let skipped = keys.unusable();
    if keys.is_empty() {
        let reasons: Vec<String> = skipped
            .iter()
            .map(|u| {
                format!(
                    "key #{}{}: {}",
                    u.index,
                    kid_note(u.kid.as_deref()),
                    explain(u.error.clone())
                )
            })
            .collect();
        bail!(
            "no usable key in the JWK Set {origin}{}{}",
            if reasons.is_empty() { "" } else { ": " },
            reasons.join("; ")
        );
    }
    for u in skipped {
        eprintln!(
            "jot: note: skipping key #{}{} of {origin}: {}",
            u.index,
            kid_note(u.kid.as_deref()),
            u.error
        );
    }
    Ok(keys)
}

fn kid_note(kid: Option<&str>) -> String {
    kid.map(|k| format!(" (kid {k:?})")).unwrap_or_default()
}

/// Whether `--jwks` names a URL rather than a file.
pub(crate) fn is_url(location: &str) -> bool {
    let lower = location.get(..8).unwrap_or(location).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A key of any kind, as `jot jwk` reads it.
pub(crate) enum AnyKey {
    /// A private key or HMAC secret.
    Private(SigningKey),
    /// A public key.
    Public(VerifyingKey),
}

/// A key read by `jot jwk`, and whether its algorithm was only assumed (an RSA PEM
/// read without `--alg`: the algorithm is then left out of exported JWKs).
pub(crate) struct LoadedKey {
    pub(crate) key: AnyKey,
    pub(crate) alg_assumed: bool,
}

impl LoadedKey {
    /// The public key.
    pub(crate) fn verifying_key(&self) -> VerifyingKey {
        match &self.key {
            AnyKey::Private(k) => k.verifying_key(),
            AnyKey::Public(k) => k.clone(),
        }
    }

    /// Whether this is a symmetric secret.
    pub(crate) fn is_hmac(&self) -> bool {
        self.verifying_key().algorithm().family() == AlgorithmFamily::Hmac
    }
}

/// How `jot jwk` picks the algorithm of a key.
#[derive(Clone, Copy, Debug)]
pub(crate) enum AlgChoice {
    /// This algorithm, which the key must fit.
    Exactly(Algorithm),
    /// The key's own; this one only for keys that imply none (RSA, oct).
    Fallback(Algorithm),
    /// The key's own, if any.
    Implied,
}

/// Reads a key file of any format, private or public, for the `jwk` commands.
pub(crate) fn load_any(path: &Path, alg: AlgChoice) -> Result<LoadedKey> {
    load_any_from(read_key_file(path)?, path, alg)
}

/// The RFC 7638 thumbprint of the key in a file of any format, private or public.
pub(crate) fn thumbprint(path: &Path, alg: AlgChoice) -> Result<String> {
    match read_key_file(path)? {
        // A JWK's thumbprint needs no usable signing key (an encryption key has one too).
        KeyFile::Jwk(jwk) => jwk.thumbprint(),
        file => load_any_from(file, path, alg)?.verifying_key().thumbprint(),
    }
    .map_err(explain)
    .with_context(|| format!("cannot compute the thumbprint of {}", path.display()))
}

/// Builds the key of an already read key file.
pub(crate) fn load_any_from(file: KeyFile, path: &Path, alg: AlgChoice) -> Result<LoadedKey> {
    let origin = || format!("cannot load the key {}", path.display());
    match file {
        KeyFile::Set(_) => Err(anyhow!(
            "this is a JWK Set; this command takes one key (pick one with jq '.keys[N]')"
        ))
        .with_context(origin),
        KeyFile::Jwk(jwk) => {
            let private = jwk.is_private();
            let (key, alg_assumed) = assume_alg(alg, |alg| {
                Ok(if private {
                    AnyKey::Private(signing_from_jwk(&jwk, alg)?)
                } else {
                    AnyKey::Public(verifying_from_jwk(&jwk, alg)?)
                })
            })
            .map_err(explain)
            .with_context(origin)?;
            Ok(LoadedKey { key, alg_assumed })
        }
        KeyFile::Encoded(bytes) => {
            let (key, alg_assumed) = assume_alg(alg, |alg| match signing_from_bytes(&bytes, alg) {
                Ok(k) => Ok(AnyKey::Private(k)),
                Err(KeyError::LooksLikePublicKey) => {
                    verifying_from_bytes(&bytes, alg).map(AnyKey::Public)
                }
                Err(e) => Err(e),
            })
            .map_err(explain)
            .with_context(origin)?;
            Ok(LoadedKey { key, alg_assumed })
        }
    }
}

/// Loads with the chosen algorithm. When the key implies none (RSA, oct) and none
/// was given, loads with a stand-in of the right family and reports that it did.
fn assume_alg<K>(
    alg: AlgChoice,
    load: impl Fn(Option<Algorithm>) -> Result<K, KeyError>,
) -> Result<(K, bool), KeyError> {
    let fallback = match alg {
        AlgChoice::Exactly(alg) => return load(Some(alg)).map(|k| (k, false)),
        AlgChoice::Fallback(alg) => Some(alg),
        AlgChoice::Implied => None,
    };
    match load(None) {
        Err(KeyError::AlgorithmRequired { key_type }) => match fallback {
            Some(alg) => load(Some(alg)).map(|k| (k, false)),
            None => {
                let stand_in = if key_type == "oct" {
                    Algorithm::HS256
                } else {
                    Algorithm::RS256
                };
                load(Some(stand_in)).map(|k| (k, true))
            }
        },
        other => other.map(|k| (k, false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_follow_the_spoken_name() {
        for (key_type, expected) in [("RSA", "an"), ("EC", "an"), ("OKP", "an"), ("oct", "an")] {
            assert_eq!(article(key_type), expected, "{key_type}");
        }
        assert_eq!(article("PGP"), "a");
        let e = explain(KeyError::AlgorithmRequired { key_type: "RSA" });
        assert!(e.to_string().contains("from an RSA key"), "{e}");
    }

    #[test]
    fn discovery_urls_name_their_issuer() {
        assert_eq!(
            discovery_issuer("https://as.example/.well-known/openid-configuration").as_deref(),
            Some("https://as.example")
        );
        assert_eq!(
            discovery_issuer("https://as.example/t1/.well-known/openid-configuration").as_deref(),
            Some("https://as.example/t1")
        );
        assert_eq!(
            discovery_issuer("https://as.example/.well-known/oauth-authorization-server/t1")
                .as_deref(),
            Some("https://as.example/t1")
        );
        assert_eq!(discovery_issuer("https://as.example/jwks.json"), None);
    }

    #[test]
    fn plain_text_is_no_key() {
        assert!(is_plain_text(b"0123456789abcdef\n"));
        assert!(!is_plain_text(b"-----BEGIN PRIVATE KEY-----\nAAAA\n"));
        assert!(!is_plain_text(&[0x30, 0x82, 0x01, 0x22]));
        assert!(!is_plain_text(b""));
    }
}

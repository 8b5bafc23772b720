//! `jot keygen`: a new key, its public part, and files that keep private keys private.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use jot_algorithms::{Algorithm, SigningKey};
use jot_codec::AlgorithmFamily;
use jot_jwe::{DecryptionKey, KeyAlgorithm, KeyFamily};

use crate::cli::{KeyFormat, KeygenAlg, KeygenArgs};
use crate::exit;
use crate::jwe::pem_pair;
use crate::keys::explain;

/// Mode of files holding private keys or secrets.
const PRIVATE_MODE: u32 = 0o600;
/// Mode of files holding public keys.
const PUBLIC_MODE: u32 = 0o644;

pub(super) fn run(args: &KeygenArgs) -> Result<ExitCode> {
    let alg = match args.alg {
        KeygenAlg::Sign(alg) => alg,
        KeygenAlg::Encrypt(alg) => return run_jwe(args, alg),
        KeygenAlg::Kek => return run_kek(args),
    };
    if args.enc.is_some() {
        bail!("--enc applies to JWE keys only (dir)");
    }
    let eddsa = match args.curve {
        None => None,
        Some(curve) => match curve.eddsa() {
            Some(okp) if alg == Algorithm::EdDSA => Some(okp),
            // `Ed25519` and `Ed448` name their curve; `--curve` may only repeat it.
            Some(okp) if okp.jwk_name() == alg.as_str() => None,
            _ => {
                bail!(
                    "--curve applies to EdDSA keys (Ed25519, Ed448) and JWE keys only \
                     (ECDH-ES); the algorithms Ed25519 and Ed448 name their curve"
                )
            }
        },
    };
    let family = alg.family();
    let rsa = matches!(family, AlgorithmFamily::RsaPkcs1 | AlgorithmFamily::RsaPss);
    let hmac = family == AlgorithmFamily::Hmac;
    if args.bits.is_some() && !rsa {
        bail!("--bits applies to RSA keys only");
    }
    if hmac && args.format == KeyFormat::Pem {
        bail!("an HMAC secret has no PEM form; use --format jwk");
    }
    if hmac && args.public_out.is_some() {
        bail!("an HMAC secret has no public part; --public-out does not apply");
    }
    let key = match (args.bits, eddsa) {
        (Some(bits), _) => SigningKey::generate_rsa(alg, bits),
        (None, Some(curve)) => SigningKey::generate_eddsa(curve),
        (None, None) => SigningKey::generate(alg),
    }
    .map_err(explain)
    .context("cannot generate the key")?;
    let key = match (&args.kid, args.no_kid) {
        (Some(kid), _) => key.with_kid(kid.as_str()),
        (None, true) => key,
        (None, false) => key.with_thumbprint_kid().map_err(explain)?,
    };
    let private = match args.format {
        KeyFormat::Jwk => pretty_json(&key.to_jwk().map_err(explain)?)?,
        KeyFormat::Pem => with_newline(key.to_pkcs8_pem().map_err(explain)?),
    };
    let public = if hmac {
        None
    } else {
        let public = key.verifying_key();
        Some(match args.format {
            KeyFormat::Jwk => pretty_json(&public.to_jwk().map_err(explain)?)?,
            KeyFormat::Pem => with_newline(public.to_pem().map_err(explain)?),
        })
    };
    emit(args, &private, public.as_deref())
}

/// Writes the private key (file or stdout) and the public part (file, or stdout when
/// the private key went to a file).
fn emit(args: &KeygenArgs, private: &str, public: Option<&str>) -> Result<ExitCode> {
    if let (Some(path), Some(text)) = (&args.public_out, public) {
        write_new_file(path, text.as_bytes(), PUBLIC_MODE, args.force)?;
    }
    match &args.out {
        None => exit::print(private)?,
        Some(path) => {
            write_new_file(path, private.as_bytes(), PRIVATE_MODE, args.force)?;
            if let (None, Some(text)) = (&args.public_out, public) {
                exit::print(text)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A key-encryption key for `jot serve --kek-file` / `JOT_KEK`: 32 random bytes
/// as base64url, on a line of its own (stdout, or `--out FILE`, mode 0600).
fn run_kek(args: &KeygenArgs) -> Result<ExitCode> {
    let given = [
        (args.kid.is_some(), "--kid"),
        (args.kid_thumbprint, "--kid-thumbprint"),
        (args.no_kid, "--no-kid"),
        (args.public_out.is_some(), "--public-out"),
        (args.format != KeyFormat::Jwk, "--format"),
        (args.bits.is_some(), "--bits"),
        (args.enc.is_some(), "--enc"),
        (args.curve.is_some(), "--curve"),
    ];
    if let Some((_, flag)) = given.iter().find(|(set, _)| *set) {
        bail!("{flag} does not apply to a key-encryption key (only --out and --force do)");
    }
    let kek = jot_issuer::kek::Kek::generate().context("cannot generate the key")?;
    let text = format!("{}\n", kek.to_base64url());
    match &args.out {
        None => exit::print(&text)?,
        Some(path) => {
            write_new_file(path, text.as_bytes(), PRIVATE_MODE, args.force)?;
            eprintln!("KEK {} written to {}", kek.id(), path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A key for a JWE key management algorithm: a shared secret (dir with `--enc`,
/// A*KW, A*GCMKW), an ECDH-ES key (`--curve`) or an RSA-OAEP key (`--bits`).
fn run_jwe(args: &KeygenArgs, alg: KeyAlgorithm) -> Result<ExitCode> {
    let family = alg.family();
    if family == KeyFamily::Password {
        bail!(
            "{alg} encrypts with a password, which jot does not generate: give it to \
             `jot encrypt` and `jot decrypt` with --password-env NAME or --password-file FILE"
        );
    }
    let symmetric = family == KeyFamily::Symmetric;
    if args.bits.is_some() && family != KeyFamily::Rsa {
        bail!("--bits applies to RSA keys only");
    }
    if args.curve.is_some() && family != KeyFamily::Ecdh {
        bail!("--curve applies to ECDH-ES keys only");
    }
    if args.enc.is_some() && alg != KeyAlgorithm::Dir {
        bail!("--enc applies to dir keys only (other keys work with every enc)");
    }
    if symmetric && args.format == KeyFormat::Pem {
        bail!("a symmetric key has no PEM form; use --format jwk");
    }
    if symmetric && args.public_out.is_some() {
        bail!("a symmetric key has no public part; --public-out does not apply");
    }
    let key = match family {
        KeyFamily::Symmetric if alg == KeyAlgorithm::Dir => {
            let enc = args
                .enc
                .context("dir needs --enc: the content encryption the key is for (e.g. A256GCM)")?;
            DecryptionKey::generate_dir(enc.0)
        }
        KeyFamily::Ecdh => {
            let curve = match args.curve {
                None => jot_jwe::Curve::P256,
                Some(c) => c
                    .curve()
                    .context("--curve Ed25519 and Ed448 are for EdDSA keys; ECDH-ES takes P-256, P-384, P-521 or X25519")?,
            };
            DecryptionKey::generate_ec(alg, curve)
        }
        KeyFamily::Rsa => DecryptionKey::generate_rsa(alg, args.bits.unwrap_or(2048)),
        _ => DecryptionKey::generate(alg),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))
    .context("cannot generate the key")?;
    let to_jwk = |k: Result<jot_algorithms::Jwk, jot_jwe::KeyError>| {
        k.map_err(|e| anyhow::anyhow!("cannot export the key: {e}"))
    };
    let key = match (&args.kid, args.no_kid) {
        (Some(kid), _) => key.with_kid(kid.as_str()),
        (None, true) => key,
        (None, false) => {
            let kid = key
                .thumbprint()
                .map_err(|e| anyhow::anyhow!("cannot compute the thumbprint: {e}"))?;
            key.with_kid(kid)
        }
    };
    let (private, public) = match args.format {
        KeyFormat::Jwk => (
            pretty_json(&to_jwk(key.to_jwk())?)?,
            if symmetric {
                None
            } else {
                Some(pretty_json(&to_jwk(key.encryption_key().to_jwk())?)?)
            },
        ),
        KeyFormat::Pem => {
            let (private, public) = pem_pair(&key)?;
            (with_newline(private), Some(with_newline(public)))
        }
    };
    emit(args, &private, public.as_deref())
}

/// Pretty JSON and a newline.
pub(super) fn pretty_json(value: &impl serde::Serialize) -> Result<String> {
    Ok(with_newline(
        serde_json::to_string_pretty(value).context("cannot write JSON")?,
    ))
}

pub(super) fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Writes a new file with `mode`. Without `force` an existing file is an error
/// (`O_EXCL`); with it, the file is written beside the target and renamed over it,
/// so the target never holds a partial key nor has a wider mode.
fn write_new_file(path: &Path, bytes: &[u8], mode: u32, force: bool) -> Result<()> {
    if !force {
        let mut file = create_exclusive(path, mode).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!(
                    "{} already exists (use --force to overwrite it)",
                    path.display()
                )
            } else {
                anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
            }
        })?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
        return Ok(());
    }
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".jot-{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = create_exclusive(&tmp, mode)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow::Error::new(e).context(format!("cannot write {}", path.display())));
    }
    Ok(())
}

fn create_exclusive(path: &Path, mode: u32) -> std::io::Result<std::fs::File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

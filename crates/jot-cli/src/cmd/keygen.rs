//! `jot keygen`: a new key, its public part, and files that keep private keys private.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use jot_algorithms::SigningKey;
use jot_codec::AlgorithmFamily;

use crate::cli::{KeyFormat, KeygenArgs};
use crate::exit;
use crate::keys::explain;

/// Mode of files holding private keys or secrets.
const PRIVATE_MODE: u32 = 0o600;
/// Mode of files holding public keys.
const PUBLIC_MODE: u32 = 0o644;

pub(super) fn run(args: &KeygenArgs) -> Result<ExitCode> {
    let alg = args.alg.0;
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
    let key = match args.bits {
        Some(bits) => SigningKey::generate_rsa(alg, bits),
        None => SigningKey::generate(alg),
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
    if let (Some(path), Some(text)) = (&args.public_out, &public) {
        write_new_file(path, text.as_bytes(), PUBLIC_MODE, args.force)?;
    }
    match &args.out {
        None => exit::print(&private)?,
        Some(path) => {
            write_new_file(path, private.as_bytes(), PRIVATE_MODE, args.force)?;
            if let (None, Some(text)) = (&args.public_out, &public) {
                exit::print(text)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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

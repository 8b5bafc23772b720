//! Reading what the user gives: tokens, claims, keys and secrets, from an argument,
//! a file, `-` for stdin, or an environment variable.

use std::io::{IsTerminal as _, Read as _};
use std::path::Path;

use anyhow::{Context as _, Result, bail};

/// The most read from stdin or a file (a JWK Set or a claims file is far smaller).
const READ_LIMIT: u64 = 16 * 1024 * 1024;

/// Reads stdin to the end (at most [`READ_LIMIT`] bytes).
pub(crate) fn read_stdin(what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(READ_LIMIT + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("cannot read the {what} from stdin"))?;
    if buf.len() as u64 > READ_LIMIT {
        bail!("the {what} on stdin is larger than {READ_LIMIT} bytes");
    }
    Ok(buf)
}

/// Reads a file, or stdin for `-`.
pub(crate) fn read_path(path: &Path, what: &str) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        return read_stdin(what);
    }
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open the {what} {}", path.display()))?;
    let mut buf = Vec::new();
    file.take(READ_LIMIT + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    if buf.len() as u64 > READ_LIMIT {
        bail!("{} is larger than {READ_LIMIT} bytes", path.display());
    }
    Ok(buf)
}

/// An argument that is the value itself, `@file`, or `-` for stdin.
pub(crate) fn read_arg(arg: &str, what: &str) -> Result<Vec<u8>> {
    match arg {
        "-" => read_stdin(what),
        _ => match arg.strip_prefix('@') {
            Some(path) => read_path(Path::new(path), what),
            None => Ok(arg.as_bytes().to_vec()),
        },
    }
}

/// The token: the argument (`@file` allowed), or stdin when it is `-` or absent.
/// Surrounding whitespace and a `Bearer ` prefix are removed.
pub(crate) fn read_token(arg: Option<&str>) -> Result<String> {
    let raw = match arg {
        Some(arg) => read_arg(arg, "token")?,
        None if std::io::stdin().is_terminal() => {
            bail!("no token given: pass it as an argument, or pipe it on stdin")
        }
        None => read_stdin("token")?,
    };
    let text = String::from_utf8(raw).context("the token is not UTF-8 text")?;
    let mut token = text.trim();
    if let Some(prefix) = token.get(..7) {
        if prefix.eq_ignore_ascii_case("bearer ") {
            token = token[7..].trim_start();
        }
    }
    if token.is_empty() {
        bail!("the token is empty");
    }
    Ok(token.to_owned())
}

/// Where an HMAC secret comes from; never from argv.
#[derive(Clone, Debug)]
pub(crate) enum SecretSource<'a> {
    /// A file (or `-` for stdin): used byte for byte, unless it is UTF-8 text.
    File(&'a Path),
    /// An environment variable (always UTF-8 text).
    Env(&'a str),
}

/// Reads the secret bytes. Text (valid UTF-8) loses one trailing `\n` or `\r\n`, the
/// newline an editor or `echo` adds; any other file is the secret byte for byte, so
/// 64 random bytes whose last one happens to be `0x0a` stay 64 bytes.
pub(crate) fn read_secret(source: &SecretSource<'_>) -> Result<Vec<u8>> {
    let secret = match source {
        SecretSource::File(path) => read_path(path, "secret file")?,
        SecretSource::Env(name) => match std::env::var_os(name) {
            Some(value) => value
                .into_string()
                .map_err(|_| anyhow::anyhow!("the environment variable {name} is not UTF-8"))?
                .into_bytes(),
            None => bail!("the environment variable {name} is not set"),
        },
    };
    let secret = without_final_newline(secret);
    if secret.is_empty() {
        bail!("the secret is empty");
    }
    Ok(secret)
}

/// `bytes` without one trailing `\n` or `\r\n` when they are UTF-8 text; as they
/// are otherwise.
fn without_final_newline(mut bytes: Vec<u8>) -> Vec<u8> {
    if std::str::from_utf8(&bytes).is_ok() && bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_loses_one_final_newline_and_binary_nothing() {
        let cases: [(&[u8], &[u8]); 7] = [
            (b"secret\n", b"secret"),
            (b"secret\r\n", b"secret"),
            (b"secret\n\n", b"secret\n"),
            (b"secret", b"secret"),
            (b"secret\r", b"secret\r"),
            // Not UTF-8 (0xff): every byte is the secret's, the final 0x0a too.
            (b"\xff\x00random\n", b"\xff\x00random\n"),
            (b"\xc3\r\n", b"\xc3\r\n"),
        ];
        for (file, secret) in cases {
            assert_eq!(without_final_newline(file.to_vec()), secret, "{file:?}");
        }
    }
}

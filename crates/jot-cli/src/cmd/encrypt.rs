//! `jot encrypt` and `jot decrypt`: JWEs of any bytes (`decrypt` also takes the
//! JSON serialization).

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use jot_codec::base64url;
use jot_jwe::{DecryptionPolicy, HeaderOptions};
use serde_json::{Value, json};

use crate::cli::{DecryptArgs, EncryptArgs, encs};
use crate::cmd::reject;
use crate::input::{self, read_token};
use crate::jwe::{self, JweKeySource};
use crate::paint::ColorChoice;
use crate::pretty::clean;

pub(super) fn encrypt(args: &EncryptArgs) -> Result<ExitCode> {
    let source = JweKeySource::from_args(
        args.key.as_deref(),
        args.password.password_file.as_deref(),
        args.password.password_env.as_deref(),
    )?;
    let plaintext = match args.plaintext.as_deref() {
        Some(arg) => input::read_arg(arg, "plaintext")?,
        None if std::io::stdin().is_terminal() => {
            bail!("no plaintext given: pass it as an argument, @FILE, or pipe it on stdin")
        }
        None => input::read_stdin("plaintext")?,
    };
    let key = jwe::encryption_key(&source, args.alg.map(|a| a.0), args.kid.as_deref(), "--alg")?;
    let enc = jwe::choose_enc(args.enc.map(|e| e.0), &key);
    let mut opts = HeaderOptions::new();
    if let Some(kid) = &args.kid {
        opts = opts.kid(kid.as_str());
    }
    if let Some(typ) = &args.typ {
        opts = opts.typ(typ.as_str());
    }
    if let Some(cty) = &args.cty {
        opts = opts.cty(cty.as_str());
    }
    if args.zip {
        opts = opts.compress();
    }
    let token = jot_jwe::encrypt(&key, enc, &opts, &plaintext).context("cannot encrypt")?;
    crate::exit::print(&format!("{token}\n"))?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn decrypt(args: &DecryptArgs, color: ColorChoice) -> Result<ExitCode> {
    let token = read_token(args.token.as_deref())?;
    let source = JweKeySource::from_args(
        args.key.as_deref(),
        args.password.password_file.as_deref(),
        args.password.password_env.as_deref(),
    )?;
    let key = jwe::decryption_key(&source, args.alg.map(|a| a.0), "--alg")?;
    let accepted = encs(&args.enc);
    let policy = if accepted.is_empty() {
        DecryptionPolicy::new()
    } else {
        DecryptionPolicy::new().encryptions(accepted.iter().copied())
    };
    // The JSON serialization (RFC 7516 §7.2) starts with `{`; a compact JWE never does.
    let result = if token.starts_with('{') {
        key.decrypt_json(&token, &policy).map(|d| {
            let extra = json!({
                "recipient": d.recipient,
                "aad": d.aad.as_deref().map(base64url::encode),
            });
            (d.header, d.plaintext, Some(extra))
        })
    } else {
        key.decrypt(&token, &policy)
            .map(|d| (d.header, d.plaintext, None))
    };
    let (header, plaintext, extra) = match result {
        Ok(decrypted) => decrypted,
        Err(e) => {
            let expected = if accepted.is_empty() {
                key.content_encryption().into_iter().collect()
            } else {
                accepted
            };
            let r = key.refusal(e, &expected)?;
            return reject(args.json, color, r.kind, &r.message);
        }
    };
    if args.json {
        let header = Value::Object(header.members().clone());
        let mut body = match std::str::from_utf8(&plaintext) {
            Ok(text) => json!({ "header": header, "plaintext": text }),
            Err(_) => json!({
                "header": header,
                "plaintext_base64url": base64url::encode(&plaintext),
            }),
        };
        // For the JSON serialization: which recipient was decrypted, and the
        // authenticated `aad` (base64url, null when absent).
        if let (Some(Value::Object(extra)), Some(body)) = (extra, body.as_object_mut()) {
            body.extend(extra);
        }
        crate::exit::print(&format!("{body}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    if out.is_terminal() {
        // Whoever holds the public key can encrypt to it: never let the plaintext
        // drive the terminal. Redirected, the bytes are written exactly.
        let text = String::from_utf8_lossy(&plaintext);
        let mut shown: String = text
            .split_inclusive('\n')
            .map(|line| match line.strip_suffix('\n') {
                Some(body) => format!("{}\n", clean(body)),
                None => clean(line),
            })
            .collect();
        if !shown.ends_with('\n') {
            shown.push('\n');
        }
        out.write_all(shown.as_bytes())?;
    } else {
        out.write_all(&plaintext)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

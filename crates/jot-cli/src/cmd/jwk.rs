//! `jot jwk public | thumbprint | convert | set`.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use jot_algorithms::{Jwk, JwkSet};
use jot_codec::Algorithm;

use crate::cli::{ConvertTo, JwkCommand, KeyFormat, KeyInArgs};
use crate::cmd::keygen::{pretty_json, with_newline};
use crate::exit;
use crate::keys::{self, AlgChoice, AnyKey, LoadedKey, explain};

pub(super) fn run(command: &JwkCommand) -> Result<ExitCode> {
    let text = match command {
        JwkCommand::Public { format, key } => public(key, *format)?,
        JwkCommand::Thumbprint { alg, file } => {
            let alg = alg.map_or(AlgChoice::Implied, |a| AlgChoice::Exactly(a.0));
            format!("{}\n", keys::thumbprint(file, alg)?)
        }
        JwkCommand::Convert {
            to,
            public,
            kid,
            key,
        } => convert(key, *to, *public, kid.as_deref())?,
        JwkCommand::Set {
            private,
            alg,
            files,
        } => set(files, *private, alg.map(|a| a.0))?,
    };
    exit::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn load(key: &KeyInArgs) -> Result<LoadedKey> {
    keys::load_any(&key.file, choice(key))
}

fn choice(key: &KeyInArgs) -> AlgChoice {
    key.alg
        .map_or(AlgChoice::Implied, |a| AlgChoice::Exactly(a.0))
}

fn public(key: &KeyInArgs, format: KeyFormat) -> Result<String> {
    let loaded = load(key)?;
    if loaded.is_hmac() {
        bail!("an HMAC secret has no public part");
    }
    match format {
        KeyFormat::Jwk => pretty_json(&public_jwk(&loaded)?),
        KeyFormat::Pem => Ok(with_newline(
            loaded.verifying_key().to_pem().map_err(explain)?,
        )),
    }
}

fn convert(key: &KeyInArgs, to: ConvertTo, public: bool, kid: Option<&str>) -> Result<String> {
    let mut loaded = load(key)?;
    if let Some(kid) = kid {
        loaded.key = match loaded.key {
            AnyKey::Private(k) => AnyKey::Private(k.with_kid(kid)),
            AnyKey::Public(k) => AnyKey::Public(k.with_kid(kid)),
        };
    }
    match (to, &loaded.key) {
        (ConvertTo::Jwk, AnyKey::Private(k)) if !public => {
            pretty_json(&without_assumed_alg(k.to_jwk().map_err(explain)?, &loaded))
        }
        (ConvertTo::Jwk, _) => pretty_json(&public_jwk(&loaded)?),
        (ConvertTo::Pem, AnyKey::Private(k)) if !public => {
            Ok(with_newline(k.to_pkcs8_pem().map_err(explain)?))
        }
        (ConvertTo::Pem, _) => Ok(with_newline(
            loaded.verifying_key().to_pem().map_err(explain)?,
        )),
        (ConvertTo::Set, _) => {
            let mut set = JwkSet::new();
            set.keys.push(public_jwk(&loaded)?);
            pretty_json(&set)
        }
    }
}

fn set(files: &[std::path::PathBuf], private: bool, alg: Option<Algorithm>) -> Result<String> {
    let mut set = JwkSet::new();
    let mut kids = BTreeSet::new();
    for path in files {
        let choice = alg.map_or(AlgChoice::Implied, AlgChoice::Fallback);
        let loaded = keys::load_any(path, choice)?;
        let jwk = match &loaded.key {
            AnyKey::Private(k) if private => {
                without_assumed_alg(k.to_jwk().map_err(explain)?, &loaded)
            }
            _ if loaded.is_hmac() => {
                bail!(
                    "{}: an HMAC secret has no public part (use --private to include it)",
                    path.display()
                )
            }
            _ => public_jwk(&loaded).with_context(|| format!("{}", path.display()))?,
        };
        if let Some(kid) = &jwk.kid {
            if !kids.insert(kid.clone()) {
                eprintln!("jot: warning: kid {kid:?} appears more than once in the set");
            }
        }
        set.keys.push(jwk);
    }
    pretty_json(&set)
}

/// The public JWK of a key.
fn public_jwk(loaded: &LoadedKey) -> Result<Jwk> {
    let jwk = loaded.verifying_key().to_jwk().map_err(explain)?;
    Ok(without_assumed_alg(jwk, loaded))
}

/// Drops `alg` when it was only a stand-in (an RSA PEM read without --alg).
fn without_assumed_alg(mut jwk: Jwk, loaded: &LoadedKey) -> Jwk {
    if loaded.alg_assumed {
        jwk.alg = None;
    }
    jwk
}

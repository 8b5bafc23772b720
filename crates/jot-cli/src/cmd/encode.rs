//! `jot encode`: claims from a JSON object, flags and defaults, signed with a key
//! (or, with `--json`, with one key per signature of a JWS JSON serialization).
//! `--payload-file` signs any bytes instead of claims, `--unencoded-payload` leaves
//! the payload unencoded (RFC 7797) and `--detached` leaves it out.

use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use std::path::PathBuf;

use jot_codec::{Claims, Header, JwsJson, SignatureSpec};
use jot_jwe::HeaderOptions;
use serde_json::{Map, Value};

use crate::cli::{EncodeArgs, JsonSyntax};
use crate::cmd::{name_value, now, random_id};
use crate::input::{self, SecretSource};
use crate::jwe::{self, JweKeySource};
use crate::keys;

/// The default lifetime of a token: one hour.
const DEFAULT_LIFETIME: u64 = 3600;

/// JWE header parameters, which a JWS must not carry.
const JWE_HEADER_NAMES: [&str; 9] = ["enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c"];

pub(super) fn run(args: &EncodeArgs) -> Result<ExitCode> {
    let secret = match (&args.secret.secret_file, &args.secret.secret_env) {
        (Some(path), _) => Some(SecretSource::File(path)),
        (None, Some(name)) => Some(SecretSource::Env(name)),
        (None, None) => None,
    };
    if args.json.is_some() || args.payload_file.is_some() || args.unencoded_payload || args.detached
    {
        let payload = match &args.payload_file {
            Some(path) => input::read_path(path, "payload file")?,
            None => {
                serde_json::to_vec(&claims(args, now())?).context("cannot serialize the claims")?
            }
        };
        let jws = jws(args, secret, &payload)?;
        crate::exit::print(&format!("{jws}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.key.len() > 1 || args.alg.len() > 1 || args.kid.len() > 1 {
        bail!("--key, --alg and --kid may be repeated only with --json (one signature per key)");
    }
    if !args.key.is_empty() && secret.is_some() {
        bail!(
            "a compact token has one signature: give --key or a secret, not both (or use --json)"
        );
    }
    let kid = args.kid.first().map(String::as_str);
    let header = header(args, kid)?;
    let claims = claims(args, now())?;
    let key = keys::signing_key(
        args.key.first().map(PathBuf::as_path),
        secret,
        args.alg.first().map(|a| a.0),
        kid,
    )?;
    let token = match &args.encrypt_to {
        None => jot_codec::encode(&key, &header, &claims).context("cannot sign the token")?,
        Some(path) => {
            let to = jwe::encryption_key(
                &JweKeySource::File(path),
                args.key_alg.map(|a| a.0),
                None,
                "--key-alg",
            )?;
            let enc = jwe::choose_enc(args.enc.map(|e| e.0), &to);
            jot_jwe::sign_then_encrypt_with(&key, &header, &to, enc, &HeaderOptions::new(), &claims)
                .context("cannot sign and encrypt the token")?
        }
    };
    crate::exit::print(&format!("{token}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// A JWS that is not a plain compact JWT (`--json`, `--payload-file`,
/// `--unencoded-payload`, `--detached`): the payload signed once per signer (each
/// --key in order, then the secret), with the n-th --alg and --kid, if given, for
/// the n-th signer; compact when there is no --json.
fn jws(args: &EncodeArgs, secret: Option<SecretSource<'_>>, payload: &[u8]) -> Result<String> {
    let count = args.key.len() + usize::from(secret.is_some());
    match args.json {
        Some(JsonSyntax::Flattened) if count != 1 => bail!(
            "--json flattened holds exactly one signature, and {count} signers are given \
             (use --json general)"
        ),
        None if count != 1 => bail!(
            "a compact token has one signature, and {count} signers are given: give --key or \
             a secret, not both (or use --json general)"
        ),
        _ => {}
    }
    for (flag, given) in [("--alg", args.alg.len()), ("--kid", args.kid.len())] {
        if given != 0 && given != count {
            bail!(
                "{flag} is given {given} times for {count} signers: with --json, give it once \
                 per signer (each --key in order, then the secret) or not at all"
            );
        }
    }
    let sources = args
        .key
        .iter()
        .map(|path| (Some(path.as_path()), None))
        .chain(secret.map(|s| (None, Some(s))));
    let signers = sources
        .enumerate()
        .map(|(i, (path, secret))| {
            keys::signing_key(
                path,
                secret,
                args.alg.get(i).map(|a| a.0),
                args.kid.get(i).map(String::as_str),
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let base = header(args, None)?;
    let specs: Vec<SignatureSpec<'_>> = signers
        .iter()
        .enumerate()
        .map(|(i, signer)| {
            let protected = match args.kid.get(i) {
                Some(kid) => base.clone().kid(kid.as_str()),
                None => base.clone(),
            };
            SignatureSpec::new(signer).protected(protected)
        })
        .collect();
    let jws = match (args.unencoded_payload, args.detached) {
        (true, true) => JwsJson::sign_unencoded_detached(payload, &specs),
        (true, false) => {
            let text = std::str::from_utf8(payload).map_err(|_| {
                anyhow!(
                    "an unencoded payload carried in the JWS must be UTF-8 text; \
                     this one is not: add --detached"
                )
            })?;
            JwsJson::sign_unencoded(text, &specs)
        }
        (false, detached) => {
            JwsJson::sign(payload, &specs).map(|jws| if detached { jws.detached() } else { jws })
        }
    }
    .context("cannot sign the JWS")?;
    Ok(match args.json {
        Some(JsonSyntax::General) => jws.to_general_json(),
        Some(JsonSyntax::Flattened) => jws
            .to_flattened_json()
            .context("cannot write the flattened syntax")?,
        None => match jws.to_compact() {
            Err(jot_codec::Error::JwsJson(jot_codec::JwsJsonError::UnencodedPayloadDot)) => bail!(
                "the payload contains '.', which an unencoded payload in a compact token \
                 must not (RFC 7797 §5.2): add --detached, or use --json"
            ),
            other => other.context("cannot write the compact token")?,
        },
    })
}

/// The claims: CLAIMS, then each --claim, then the registered-claim flags and defaults.
/// Returned typed, so a wrong `exp` or `aud` is caught here rather than by verifiers.
fn claims(args: &EncodeArgs, now: u64) -> Result<Claims<Map<String, Value>>> {
    let mut claims = match &args.claims {
        Some(arg) => {
            let bytes = input::read_arg(arg, "claims")?;
            match serde_json::from_slice(&bytes).context("the claims are not valid JSON")? {
                Value::Object(map) => map,
                _ => bail!("the claims must be a JSON object"),
            }
        }
        None => Map::new(),
    };
    for arg in &args.claim {
        let (name, value) = name_value(arg, "--claim")?;
        claims.insert(name, value);
    }
    let mut set = |name: &str, value: Value| {
        claims.insert(name.to_owned(), value);
    };
    if let Some(iss) = &args.iss {
        set("iss", iss.as_str().into());
    }
    if let Some(sub) = &args.sub {
        set("sub", sub.as_str().into());
    }
    match args.aud.as_slice() {
        [] => {}
        [one] => set("aud", one.as_str().into()),
        many => set(
            "aud",
            many.iter().map(|a| Value::from(a.as_str())).collect(),
        ),
    }
    if let Some(exp) = args.exp {
        set("exp", exp.resolve(now).context("--exp")?.into());
    }
    if let Some(nbf) = args.nbf {
        set("nbf", nbf.resolve(now).context("--nbf")?.into());
    }
    if let Some(iat) = args.iat {
        set("iat", iat.resolve(now).context("--iat")?.into());
    }
    if let Some(jti) = &args.jti {
        set("jti", jti.as_str().into());
    }
    if args.jti_random {
        set("jti", random_id()?.into());
    }
    if !args.no_exp && !claims.contains_key("exp") {
        claims.insert("exp".into(), (now + DEFAULT_LIFETIME).into());
    }
    if !args.no_iat && !claims.contains_key("iat") {
        claims.insert("iat".into(), now.into());
    }
    let claims: Claims<Map<String, Value>> = serde_json::from_value(Value::Object(claims))
        .map_err(|e| anyhow!("invalid claims: {e}"))?;
    if let Some(exp) = claims.exp {
        if exp.seconds() <= now && !args.allow_expired {
            bail!(
                "exp {} is not in the future ({}): the token would be expired already; \
                 pass --allow-expired to make it anyway",
                exp.seconds(),
                crate::dates::describe_claim(
                    "exp",
                    exp.seconds(),
                    now,
                    crate::dates::DateZone::Utc
                )
            );
        }
    }
    Ok(claims)
}

/// The header of --typ and --header, with `kid`.
fn header(args: &EncodeArgs, kid: Option<&str>) -> Result<Header> {
    let typ = match (&args.typ, &args.payload_file) {
        (Some(typ), _) => Some(typ.as_str()),
        // A payload that is not a claims set is no JWT.
        (None, Some(_)) => None,
        (None, None) => Some("JWT"),
    };
    let mut header = match typ {
        Some(typ) if !args.no_typ => Header::new().typ(typ),
        _ => Header::new(),
    };
    if let Some(kid) = kid {
        header = header.kid(kid);
    }
    for arg in &args.header {
        let (name, value) = name_value(arg, "--header")?;
        header = set_header(header, &name, value)?;
    }
    Ok(header)
}

fn set_header(mut h: Header, name: &str, value: Value) -> Result<Header> {
    let string = |value: Value| match value {
        Value::String(s) => Ok(s),
        _ => Err(anyhow!("--header {name}: must be a string")),
    };
    let strings = |value: Value| -> Result<Vec<String>> {
        serde_json::from_value(value)
            .map_err(|_| anyhow!("--header {name}: must be an array of strings"))
    };
    match name {
        "alg" => bail!("--header alg: the algorithm comes from the key (use --alg)"),
        "typ" => h.typ = Some(string(value)?),
        "kid" => h.kid = Some(string(value)?),
        "cty" => h.cty = Some(string(value)?),
        "jku" => h.jku = Some(string(value)?),
        "x5u" => h.x5u = Some(string(value)?),
        "x5t" => h.x5t = Some(string(value)?),
        "x5t#S256" => h.x5t_s256 = Some(string(value)?),
        "x5c" => h.x5c = Some(strings(value)?),
        "crit" => h.crit = Some(strings(value)?),
        "jwk" => match value {
            Value::Object(jwk) => h.jwk = Some(jwk),
            _ => bail!("--header jwk: must be a JSON object"),
        },
        "b64" => match value {
            Value::Bool(b) => h.b64 = Some(b),
            _ => bail!("--header b64: must be true or false"),
        },
        jwe if JWE_HEADER_NAMES.contains(&jwe) => {
            bail!("--header {jwe}: a JWE header parameter has no place in a JWS")
        }
        _ => h = h.member(name, value),
    }
    Ok(h)
}

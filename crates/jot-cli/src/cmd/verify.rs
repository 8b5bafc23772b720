//! `jot verify`: the signature, then the claims; on failure, one line saying which
//! check failed and by how much.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use jot_codec::{
    Algorithm, Claims, Error, HeaderError, JwsJson, JwsJsonError, SystemClock, Validation,
};
use jot_jwe::DecryptionPolicy;
use serde_json::{Map, Value, json};

use crate::cli::{self, VerifyArgs};
use crate::cmd::{Shape, now, reject};
use crate::dates::{format_date, span};
use crate::exit;
use crate::input::{SecretSource, read_token};
use crate::jwe::{self, JweKeySource, Refusal};
use crate::keys::{self, AlgChoice, VerifySource};
use crate::paint::{ColorChoice, Paint};
use crate::pretty::{self, Times, clean, shown};

mod json;

type Custom = Map<String, Value>;

/// Whether a compact token says `b64: false` (RFC 7797), or has `b64` outside
/// `crit`: no JWT, so it is checked (and its refusal explained) as a JWS.
fn is_unencoded_compact(token: &str) -> bool {
    match JwsJson::parse_compact(token) {
        Ok(jws) => jws.is_unencoded(),
        Err(e) => matches!(
            e,
            Error::JwsJson(JwsJsonError::UnencodedPayloadDot)
                | Error::Header(HeaderError::NonCriticalB64)
        ),
    }
}

pub(super) fn run(args: &VerifyArgs, color: ColorChoice) -> Result<ExitCode> {
    let zone = args.date;
    let token = read_token(args.token.as_deref())?;
    let algs = cli::algs(&args.alg);
    let source = if let Some(path) = &args.key {
        VerifySource::KeyFile(path)
    } else if let Some(jwks) = &args.jwks {
        VerifySource::Jwks(jwks)
    } else if let Some(issuer) = &args.issuer_url {
        VerifySource::Issuer(issuer)
    } else if let Some(path) = &args.secret.secret_file {
        VerifySource::Secret(SecretSource::File(path))
    } else if let Some(name) = &args.secret.secret_env {
        VerifySource::Secret(SecretSource::Env(name))
    } else {
        anyhow::bail!("no key given (--key, --jwks, --issuer-url, --secret-file or --secret-env)")
    };
    let keys = keys::verifying_keys(source, &algs)?;
    // The algorithms accepted: those asked for that some key can verify, else the keys' own.
    // Keys the CLI loads are never a custom verifier: they always know their algorithms.
    let key_algs = keys.algorithms().unwrap_or_default();
    let accepted: Vec<Algorithm> = if algs.is_empty() {
        key_algs
    } else {
        algs.iter()
            .copied()
            .filter(|a| key_algs.contains(a))
            .collect()
    };
    if accepted.is_empty() {
        let asked: Vec<&str> = algs.iter().map(|a| a.as_str()).collect();
        anyhow::bail!("no key for {}", asked.join(" or "));
    }
    let validation = validation(args, &accepted);
    let binding = match (&args.cnf_key, &args.cnf_jkt) {
        (Some(path), _) => Some(keys::thumbprint(path, AlgChoice::Implied)?),
        (None, Some(jkt)) => Some(jkt.trim().to_owned()),
        (None, None) => None,
    };
    // A JWS in the JSON serialization (RFC 7515 §7.2), or a compact one whose payload
    // is detached or unencoded (RFC 7797): every signature, then the policy.
    let limit = validation.token_len_limit();
    let jws = match () {
        _ if args.decrypt_with.is_some() => None,
        _ if token.starts_with('{') => Some(JwsJson::parse_with_limit(&token, limit)),
        _ if args.payload_file.is_some() || is_unencoded_compact(&token) => {
            Some(JwsJson::parse_compact_with_limit(&token, limit))
        }
        _ => None,
    };
    if let Some(jws) = jws {
        return json::run(
            args,
            color,
            jws,
            &keys,
            &validation,
            &accepted,
            binding.as_deref(),
        );
    }
    // A nested token: decrypt first; the JWS inside goes through every usual check.
    let (token, jwe_header) = match &args.decrypt_with {
        None => (token, None),
        Some(path) => match decrypt_nested(args, path, &token)? {
            Ok((inner, header)) => (inner, Some(header)),
            Err(refusal) => return reject(args.json, color, refusal.kind, &refusal.message),
        },
    };
    match jot_codec::decode_with_clock::<Custom, _, _>(&token, &keys, &validation, &SystemClock) {
        Ok(verified) => {
            if let Some(expected) = &binding {
                if let Err((kind, message)) = check_binding(&verified.claims.custom, expected) {
                    return reject(args.json, color, kind, &message);
                }
            }
            let claims =
                serde_json::to_value(&verified.claims).context("cannot show the claims")?;
            let shape = Shape::choose(args.json, args.human);
            let text = if shape == Shape::Line {
                let mut header =
                    serde_json::to_value(&verified.header).context("cannot show the header")?;
                if let Value::Object(h) = &mut header {
                    h.insert("alg".into(), verified.algorithm.as_str().into());
                }
                match &jwe_header {
                    None => pretty::header_and_claims(&header, &claims),
                    Some(jwe) => format!(
                        "{}\n",
                        json!({ "header": header, "claims": claims, "jwe_header": jwe })
                    ),
                }
            } else {
                let times = (shape == Shape::Human).then(|| Times { now: now(), zone });
                pretty::render(&claims, Paint::stdout(color), times)
            };
            if !args.json && std::io::stderr().is_terminal() {
                let paint = Paint::stderr(color);
                let how = match &jwe_header {
                    Some(jwe) => format!(
                        " (decrypted: {} {})",
                        jwe["alg"].as_str().unwrap_or_default(),
                        jwe["enc"].as_str().unwrap_or_default()
                    ),
                    None => String::new(),
                };
                eprintln!(
                    "jot: {} {} token{how}",
                    paint.good("valid"),
                    verified.algorithm
                );
            }
            exit::print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let claims = jot_codec::dangerous::decode_unverified::<Custom>(&token)
                .ok()
                .map(|(_, c)| c);
            let message = describe(&e, claims.as_ref(), args, &accepted);
            reject(args.json, color, e.kind(), &message)
        }
    }
}

/// Decrypts a nested token with `--decrypt-with`: the inner JWS and the JWE header,
/// or why the token is refused. Key problems are errors (exit 2).
fn decrypt_nested(
    args: &VerifyArgs,
    path: &std::path::Path,
    token: &str,
) -> Result<std::result::Result<(String, Value), Refusal>> {
    let key = jwe::decryption_key(
        &JweKeySource::File(path),
        args.key_alg.map(|a| a.0),
        "--key-alg",
    )?;
    let accepted = cli::encs(&args.enc);
    let policy = if accepted.is_empty() {
        DecryptionPolicy::new()
    } else {
        DecryptionPolicy::new().encryptions(accepted.iter().copied())
    };
    let decrypted = match key.decrypt(token, &policy) {
        Ok(d) => d,
        Err(jot_jwe::Error::Signed) => {
            return Ok(Err(Refusal {
                kind: "signed",
                message: "the token is a JWS (3 segments), not a JWE: --decrypt-with expects \
                          an encrypted (nested) token"
                    .to_owned(),
            }));
        }
        Err(e) => {
            let expected = if accepted.is_empty() {
                key.content_encryption().into_iter().collect()
            } else {
                accepted
            };
            return Ok(Err(key.refusal(e, &expected)?));
        }
    };
    if !decrypted.header.is_nested() {
        return Ok(Err(Refusal {
            kind: "nesting",
            message: "the JWE does not say cty: JWT, so it holds no nested JWT \
                      (use `jot decrypt` for its plaintext)"
                .to_owned(),
        }));
    }
    let header = Value::Object(decrypted.header.members().clone());
    match String::from_utf8(decrypted.plaintext) {
        Ok(inner) => Ok(Ok((inner, header))),
        Err(_) => Ok(Err(Refusal {
            kind: "nesting",
            message: "the nested JWT is not UTF-8".to_owned(),
        })),
    }
}

/// Whether the token's `cnf.jkt` is `expected`: the error kind and message if not.
fn check_binding(
    custom: &Custom,
    expected: &str,
) -> std::result::Result<(), (&'static str, String)> {
    let cnf = custom.get("cnf");
    match cnf.and_then(|c| c.get("jkt")) {
        Some(Value::String(jkt)) if jkt == expected => Ok(()),
        Some(Value::String(jkt)) => Err((
            "wrong_binding",
            format!(
                "key binding mismatch: the token is bound to the key with thumbprint {}, not {expected}",
                shown(jkt)
            ),
        )),
        Some(_) => Err((
            "wrong_binding",
            "the token's cnf.jkt is not a string".into(),
        )),
        None if cnf.is_some() => Err((
            "missing_binding",
            "the token's cnf claim has no jkt (it is not bound to a key thumbprint)".into(),
        )),
        None => Err((
            "missing_binding",
            "the token has no cnf claim: it is not bound to a key (a bearer token)".into(),
        )),
    }
}

fn validation(args: &VerifyArgs, accepted: &[Algorithm]) -> Validation {
    let mut v = Validation::new()
        .algorithms(accepted.iter().copied())
        .leeway(args.leeway)
        .require_exp(!args.allow_no_exp)
        .issuers(args.iss.iter().cloned())
        .issuers(
            args.issuer_url
                .iter()
                .filter(|_| args.iss.is_empty())
                .cloned(),
        )
        .audiences(args.aud.iter().cloned());
    if let Some(sub) = &args.sub {
        v = v.subject(sub.as_str());
    }
    if let Some(typ) = &args.typ {
        v = v.typ(typ.as_str());
    }
    if let Some(max_age) = args.max_age {
        v = v.max_age(max_age);
    }
    for claim in &args.require {
        v = v.require(claim.as_str());
    }
    v
}

/// One line saying which check failed. The token's own values (`claims`, read
/// again without trusting them, only to phrase the message) are cleaned of control characters, and
/// quoted when they would otherwise look like another value.
fn describe(
    e: &Error,
    claims: Option<&Claims<Custom>>,
    args: &VerifyArgs,
    accepted: &[Algorithm],
) -> String {
    let token_aud = || {
        claims
            .and_then(|c| c.aud.as_ref())
            .map(|aud| aud.iter().map(shown).collect::<Vec<_>>())
            .filter(|aud| !aud.is_empty())
            .map_or_else(|| "no audience".to_owned(), |aud| aud.join(", "))
    };
    match e {
        Error::InvalidSignature => "signature invalid".into(),
        Error::Expired { exp, now } => format!(
            "expired {} ago (exp {})",
            span(now.seconds().saturating_sub(exp.seconds())),
            format_date(exp.seconds(), args.date)
        ),
        Error::NotYetValid { nbf, now } => format!(
            "not valid yet: valid in {} (nbf {})",
            span(nbf.seconds().saturating_sub(now.seconds())),
            format_date(nbf.seconds(), args.date)
        ),
        Error::IssuedInFuture { iat, now } => format!(
            "issued in the future: iat is in {} ({})",
            span(iat.seconds().saturating_sub(now.seconds())),
            format_date(iat.seconds(), args.date)
        ),
        Error::TooOld { iat, now, max_age } => format!(
            "too old: issued {} ago, more than --max-age {max_age} s",
            span(now.seconds().saturating_sub(iat.seconds()))
        ),
        Error::WrongIssuer { found } => format!(
            "issuer mismatch: expected {}, got {}",
            if args.iss.is_empty() {
                args.issuer_url.clone().unwrap_or_default()
            } else {
                args.iss.join(" or ")
            },
            shown(found)
        ),
        Error::WrongAudience if args.aud.is_empty() => format!(
            "audience mismatch: the token is for {}; pass --aud to accept it",
            token_aud()
        ),
        Error::WrongAudience => format!(
            "audience mismatch: expected {}, got {}",
            args.aud.join(" or "),
            token_aud()
        ),
        Error::WrongSubject { found } => format!(
            "subject mismatch: expected {}, got {}",
            args.sub.as_deref().unwrap_or_default(),
            shown(found)
        ),
        Error::WrongType { found } => format!(
            "type mismatch: expected {}, got {}",
            args.typ.as_deref().unwrap_or_default(),
            found.as_deref().map_or_else(|| "none".into(), shown)
        ),
        Error::MissingClaim { claim } if claim == "exp" && !args.allow_no_exp => {
            "missing required claim exp (pass --allow-no-exp to accept tokens without one)".into()
        }
        Error::MissingClaim { claim } => format!("missing required claim {}", clean(claim)),
        Error::AlgorithmNotAllowed { alg } => {
            let accepted: Vec<&str> = accepted.iter().map(|a| a.as_str()).collect();
            format!(
                "algorithm {alg} not allowed: expected {}",
                accepted.join(" or ")
            )
        }
        Error::Unsecured => "unsecured token (alg none) refused".into(),
        Error::UnknownKey { kid: Some(kid) } => {
            let held = args.key.as_deref().and_then(keys::file_kids);
            let kids: Vec<String> = held
                .iter()
                .flatten()
                .map(|k| k.as_deref().map_or_else(|| "(none)".to_owned(), shown))
                .collect();
            match (args.key.as_deref(), kids.as_slice()) {
                (Some(path), [one]) => format!(
                    "no key with kid {}: the key in {} has kid {one}",
                    shown(kid),
                    path.display()
                ),
                (Some(path), [_, _, ..]) => format!(
                    "no key with kid {}: the keys in {} have kids {}",
                    shown(kid),
                    path.display(),
                    kids.join(", ")
                ),
                _ => format!("no key with kid {}", shown(kid)),
            }
        }
        Error::Malformed { segments } => format!(
            "the token has {segments} segment{}, a JWS has 3",
            if *segments == 1 { "" } else { "s" }
        ),
        Error::UnknownKey { kid: None } => {
            "the token has no kid, and the key set has no single key for its algorithm".into()
        }
        Error::Header(HeaderError::UnsupportedAlgorithm { name }) => {
            format!("unsupported algorithm {}", shown(name))
        }
        Error::Encrypted if args.decrypt_with.is_some() => {
            "the nested token is itself a JWE (5 segments): jot reads one JWS inside one JWE".into()
        }
        Error::Encrypted => "the token is encrypted (a JWE, 5 segments), not a JWS: verify a \
                             nested token with --decrypt-with KEYFILE, or read it with \
                             `jot decrypt`"
            .into(),
        other => clean(&other.to_string()),
    }
}

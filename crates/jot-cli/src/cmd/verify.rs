//! `jot verify`: the signature, then the claims; on failure, one line saying which
//! check failed and by how much.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use jot_codec::{Algorithm, Error, HeaderError, SystemClock, Validation};
use serde_json::{Map, Value, json};

use crate::cli::{self, VerifyArgs};
use crate::cmd::now;
use crate::dates::{format_utc, span};
use crate::exit;
use crate::input::{SecretSource, read_token};
use crate::keys::{self, VerifySource};
use crate::paint::{ColorChoice, Paint};
use crate::pretty;

type Custom = Map<String, Value>;

pub(super) fn run(args: &VerifyArgs, color: ColorChoice) -> Result<ExitCode> {
    let token = read_token(args.token.as_deref())?;
    let algs = cli::algs(&args.alg);
    let source = match (
        &args.key,
        &args.jwks,
        &args.secret.secret_file,
        &args.secret.secret_env,
    ) {
        (Some(path), ..) => VerifySource::KeyFile(path),
        (None, Some(jwks), ..) => VerifySource::Jwks(jwks),
        (None, None, Some(path), _) => VerifySource::Secret(SecretSource::File(path)),
        (None, None, None, Some(name)) => VerifySource::Secret(SecretSource::Env(name)),
        (None, None, None, None) => {
            anyhow::bail!("no key given (--key, --jwks, --secret-file or --secret-env)")
        }
    };
    let keys = keys::verifying_keys(source, &algs)?;
    // The algorithms accepted: those asked for that some key can verify, else the keys' own.
    let key_algs = keys.algorithms();
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
    match jot_codec::decode::<Custom, _, _>(&token, &keys, &validation, &SystemClock) {
        Ok(verified) => {
            let claims =
                serde_json::to_value(&verified.claims).context("cannot show the claims")?;
            let text = if args.json {
                let mut header =
                    serde_json::to_value(&verified.header).context("cannot show the header")?;
                if let Value::Object(h) = &mut header {
                    h.insert("alg".into(), verified.algorithm.as_str().into());
                }
                pretty::header_and_claims(&header, &claims)
            } else {
                pretty::render(&claims, Paint::stdout(color), Some(now()))
            };
            if !args.json && std::io::stderr().is_terminal() {
                let paint = Paint::stderr(color);
                eprintln!("jot: {} {} token", paint.good("valid"), verified.algorithm);
            }
            exit::print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let message = describe(&e, &token, args, &accepted);
            if args.json {
                let body = json!({ "error": { "kind": e.kind(), "message": message } });
                exit::print(&format!("{body}\n"))?;
            } else {
                let paint = Paint::stderr(color);
                eprintln!("jot: {} {message}", paint.bad("token rejected:"));
            }
            Ok(exit::rejected())
        }
    }
}

fn validation(args: &VerifyArgs, accepted: &[Algorithm]) -> Validation {
    let mut v = Validation::new()
        .algorithms(accepted.iter().copied())
        .leeway(args.leeway)
        .require_exp(!args.allow_no_exp)
        .issuers(args.iss.iter().cloned())
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

/// One line saying which check failed. The token's own values (read again, without
/// trusting them, only to phrase the message) are cleaned of control characters.
fn describe(e: &Error, token: &str, args: &VerifyArgs, accepted: &[Algorithm]) -> String {
    let claims = jot_codec::dangerous::decode_unverified::<Custom>(token)
        .ok()
        .map(|(_, c)| c);
    let token_aud = || {
        claims
            .as_ref()
            .and_then(|c| c.aud.as_ref())
            .map(|aud| aud.iter().map(clean).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    match e {
        Error::InvalidSignature => "signature invalid".into(),
        Error::Expired { exp, now } => format!(
            "expired {} ago (exp {})",
            span(now.seconds().saturating_sub(exp.seconds())),
            format_utc(exp.seconds())
        ),
        Error::NotYetValid { nbf, now } => format!(
            "not valid yet: valid in {} (nbf {})",
            span(nbf.seconds().saturating_sub(now.seconds())),
            format_utc(nbf.seconds())
        ),
        Error::IssuedInFuture { iat, now } => format!(
            "issued in the future: iat is in {} ({})",
            span(iat.seconds().saturating_sub(now.seconds())),
            format_utc(iat.seconds())
        ),
        Error::TooOld { iat, now, max_age } => format!(
            "too old: issued {} ago, more than --max-age {max_age} s",
            span(now.seconds().saturating_sub(iat.seconds()))
        ),
        Error::WrongIssuer { found } => format!(
            "issuer mismatch: expected {}, got {}",
            args.iss.join(" or "),
            clean(found)
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
            clean(found)
        ),
        Error::WrongType { found } => format!(
            "type mismatch: expected {}, got {}",
            args.typ.as_deref().unwrap_or_default(),
            found.as_deref().map_or_else(|| "none".into(), clean)
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
        Error::UnknownKey { kid: Some(kid) } => format!("no key with kid {}", clean(kid)),
        Error::UnknownKey { kid: None } => {
            "the token has no kid, and the key set has no single key for its algorithm".into()
        }
        Error::Header(HeaderError::UnsupportedAlgorithm { name }) => {
            format!("unsupported algorithm {}", clean(name))
        }
        other => clean(&other.to_string()),
    }
}

/// Untrusted text with control characters escaped, so a token cannot drive the terminal.
fn clean(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_unicode().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_control_characters() {
        assert_eq!(clean("web"), "web");
        assert_eq!(clean("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\u{a}");
    }
}

//! `jot verify` on a JWS in the JSON serialization (RFC 7515 §7.2), or a compact
//! JWS whose payload is detached (`--payload-file`) or unencoded (RFC 7797): every
//! signature is checked with the keys, `--require-signatures` decides, then the
//! payload.
//!
//! A payload that is a JSON object is a claims set and meets every claim rule of a
//! compact token, with the header of each signature that verified (for `--typ`).
//! Any other payload is shown as it is, and the claim options (`--iss`, `--aud`,
//! `--sub`, `--typ`, `--require`, `--max-age`, `--cnf-key`, `--cnf-jkt`) refuse it.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use jot_axum::Keys;
use jot_codec::{Algorithm, Claims, JwsJson, SignatureCheck, SystemClock, Validation, base64url};
use serde_json::{Value, json};

use super::{Custom, check_binding, describe};
use crate::cli::{RequireSignatures, VerifyArgs};
use crate::cmd::decode::payload_member;
use crate::cmd::{Shape, now, reject};
use crate::exit;
use crate::input;
use crate::paint::{ColorChoice, Paint};
use crate::pretty::{self, Times, clean, shown};

pub(super) fn run(
    args: &VerifyArgs,
    color: ColorChoice,
    jws: Result<JwsJson, jot_codec::Error>,
    keys: &Keys,
    validation: &Validation,
    accepted: &[Algorithm],
    binding: Option<&str>,
) -> Result<ExitCode> {
    let jws = match jws {
        Ok(jws) => jws,
        Err(e) => {
            let message = format!("not a valid JWS: {}", clean(&e.to_string()));
            return reject(args.json, color, e.kind(), &message);
        }
    };
    let detached = match &args.payload_file {
        Some(path) => Some(input::read_path(path, "payload file")?),
        None => None,
    };
    let checks = match &detached {
        Some(payload) => jws.check_signatures_detached(payload, keys, validation),
        None => jws.check_signatures(keys, validation),
    };
    let checks = match checks {
        Ok(checks) => checks,
        Err(e) => {
            let mut message = clean(&e.to_string());
            if jws.is_detached() && detached.is_none() {
                message.push_str(": pass it with --payload-file");
            }
            return reject(args.json, color, e.kind(), &message);
        }
    };
    let payload = match (detached, jws.unencoded_payload(), jws.payload_b64()) {
        (Some(payload), _, _) => payload,
        (None, Some(text), _) => text.as_bytes().to_vec(),
        (None, None, b64) => b64
            .and_then(|p| base64url::decode(p).ok())
            .context("the payload is not base64url")?,
    };
    let is_claims = matches!(
        serde_json::from_slice::<Value>(&payload),
        Ok(Value::Object(_))
    );
    // Only to phrase messages: the claims are checked below.
    let claims: Option<Claims<Custom>> = serde_json::from_slice(&payload).ok();
    let report: Vec<Value> = checks
        .iter()
        .map(|c| signature_report(&jws, c, claims.as_ref(), args, accepted))
        .collect();
    let verbose = Verbose {
        args,
        color,
        report: &report,
    };
    let verified: Vec<&SignatureCheck> = checks.iter().filter(|c| c.is_verified()).collect();
    let refusal = match args.require_signatures {
        RequireSignatures::All if verified.len() < checks.len() => {
            let failed = checks.iter().filter(|c| !c.is_verified()).count();
            Some(format!(
                "{failed} of {} signatures did not verify (--require-signatures all)",
                checks.len()
            ))
        }
        RequireSignatures::Any if verified.is_empty() => {
            Some(format!("none of the {} signatures verified", checks.len()))
        }
        _ => None,
    };
    if let Some(message) = refusal {
        return verbose.reject("signatures", &message);
    }
    let shown_payload = if is_claims {
        let mut checked = None;
        for check in &verified {
            let header = jws.signatures()[check.index].header();
            match validation.validate_claims::<Custom, _>(header, &payload, &SystemClock) {
                Ok(c) => checked = Some(c),
                Err(e) => {
                    let message = describe(&e, claims.as_ref(), args, accepted);
                    return verbose.reject(e.kind(), &message);
                }
            }
        }
        let checked = checked.context("no signature verified")?;
        if let Some(expected) = binding {
            if let Err((kind, message)) = check_binding(&checked.custom, expected) {
                return verbose.reject(kind, &message);
            }
        }
        (
            "claims",
            serde_json::to_value(&checked).context("cannot show the claims")?,
        )
    } else {
        if let Some(flag) = claim_option(args) {
            return verbose.reject(
                "not_claims",
                &format!("the payload is not a JSON claims set, so {flag} cannot apply"),
            );
        }
        payload_member(payload)
    };
    verbose.signatures();
    let shape = Shape::choose(args.json, args.human);
    let text = if shape == Shape::Line {
        let mut body = json!({ "signatures": report });
        body[shown_payload.0] = shown_payload.1;
        format!("{body}\n")
    } else {
        let times = (shape == Shape::Human && shown_payload.0 == "claims").then(|| Times {
            now: now(),
            zone: args.date,
        });
        pretty::render(&shown_payload.1, Paint::stdout(color), times)
    };
    exit::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The first claim option given, which needs a claims set.
fn claim_option(args: &VerifyArgs) -> Option<&'static str> {
    [
        (!args.iss.is_empty(), "--iss"),
        (
            args.issuer_url.is_some() && args.iss.is_empty(),
            "--issuer-url's issuer",
        ),
        (!args.aud.is_empty(), "--aud"),
        (args.sub.is_some(), "--sub"),
        (args.typ.is_some(), "--typ"),
        (!args.require.is_empty(), "--require"),
        (args.max_age.is_some(), "--max-age"),
        (
            args.cnf_key.is_some() || args.cnf_jkt.is_some(),
            "--cnf-key/--cnf-jkt",
        ),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

/// `{"index":…,"kid":…,"alg":…,"verified":…}`, with `"error"` when not verified.
fn signature_report(
    jws: &JwsJson,
    check: &SignatureCheck,
    claims: Option<&Claims<Custom>>,
    args: &VerifyArgs,
    accepted: &[Algorithm],
) -> Value {
    let alg = jws.signatures()[check.index].algorithm_name();
    let mut entry = json!({
        "index": check.index,
        "kid": check.kid,
        "alg": alg,
        "verified": check.is_verified(),
    });
    if let Err(e) = &check.result {
        entry["error"] =
            json!({ "kind": e.kind(), "message": describe(e, claims, args, accepted) });
    }
    entry
}

/// The per-signature report, on stderr for people or beside the error in JSON.
struct Verbose<'a> {
    args: &'a VerifyArgs,
    color: ColorChoice,
    report: &'a [Value],
}

impl Verbose<'_> {
    /// One line per signature on stderr (not with --json: the report is in stdout).
    fn signatures(&self) {
        if self.args.json {
            return;
        }
        let paint = Paint::stderr(self.color);
        for entry in self.report {
            let kid = entry["kid"]
                .as_str()
                .map_or_else(|| "none".to_owned(), shown);
            let alg = shown(entry["alg"].as_str().unwrap_or_default());
            let index = &entry["index"];
            match entry["error"]["message"].as_str() {
                None => eprintln!(
                    "jot: signature {index} (kid {kid}, {alg}): {}",
                    paint.good("verified")
                ),
                Some(why) => eprintln!(
                    "jot: signature {index} (kid {kid}, {alg}): {} {why}",
                    paint.bad("not verified:")
                ),
            }
        }
    }

    fn reject(&self, kind: &str, message: &str) -> Result<ExitCode> {
        if self.args.json {
            let body = json!({
                "error": { "kind": kind, "message": message },
                "signatures": self.report,
            });
            exit::print(&format!("{body}\n"))?;
            return Ok(exit::rejected());
        }
        self.signatures();
        reject(false, self.color, kind, message)
    }
}

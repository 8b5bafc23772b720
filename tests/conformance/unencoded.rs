//! RFC 7797 unencoded payloads (`b64: false`): the RFC's §4.2 example and the
//! cookbook's `rfc7797/` files, in the compact (detached and attached) and the JSON
//! forms. The signatures are reproduced byte for byte (HMAC is deterministic) and
//! verified; the JWT paths (`UntrustedToken`, `decode`) still refuse them.

use jot_algorithms::{
    Algorithm, Error, FixedClock, HeaderError, Jwk, JwsJson, JwsJsonError, Segment,
    SignaturePolicy, SignatureSpec, Signer, SigningKey, UntrustedToken, Validation, VerifyingKey,
    base64url,
};
use serde_json::Value;

use crate::harness::{ensure, err, str_field};

/// The HS256 keys of an example's JWK.
fn keys(jwk: &Value) -> Result<(SigningKey, VerifyingKey), String> {
    let jwk = Jwk::from_json(&jwk.to_string()).map_err(err)?;
    let signing = SigningKey::from_jwk(Algorithm::HS256, &jwk).map_err(err)?;
    let verifying = VerifyingKey::from_jwk(Algorithm::HS256, &jwk).map_err(err)?;
    Ok((signing, verifying))
}

/// `Err` naming `what` unless the two are equal.
fn same<T: PartialEq + std::fmt::Debug + ?Sized>(
    got: &T,
    want: &T,
    what: &str,
) -> Result<(), String> {
    ensure(got == want, &format!("{what}: got {got:?}, want {want:?}"))
}

fn all() -> (Validation, SignaturePolicy) {
    (Validation::new(), SignaturePolicy::All)
}

/// Verifies an attached JWS (JSON or compact, already parsed) and checks its payload.
fn verify_attached(jws: &JwsJson, key: &VerifyingKey, payload: &str) -> Result<(), String> {
    let (validation, policy) = all();
    ensure(jws.is_unencoded(), "not unencoded")?;
    let ok = jws.verify(key, &validation, policy).map_err(err)?;
    same(ok.payload(), payload.as_bytes(), "payload")
}

/// RFC 7797 §4.2: the signature is reproduced, in the detached compact form and the
/// flattened JSON form, and both verify; a different payload does not; the JWT
/// paths refuse the token.
pub(crate) fn rfc_s4_2(v: &Value) -> Result<(), String> {
    let (signing, verifying) = keys(&v["jwk"])?;
    let payload = str_field(v, "payload");
    let (validation, policy) = all();
    // Byte for byte: the signing input, then the whole JWS.
    let mut sig = Vec::new();
    signing
        .sign(str_field(v, "signing_input").as_bytes(), &mut sig)
        .map_err(err)?;
    let signature = str_field(v, "signature_b64u");
    same(base64url::encode(&sig).as_str(), signature, "signature")?;
    let signed = JwsJson::sign_unencoded(payload, &[SignatureSpec::new(&signing)]).map_err(err)?;
    let flat: Value =
        serde_json::from_str(&signed.to_flattened_json().map_err(err)?).map_err(err)?;
    same(&flat, &v["jws_json_flattened"], "flattened JSON")?;
    let compact = signed.clone().detached().to_compact().map_err(err)?;
    let token = str_field(v, "token_compact_detached");
    same(compact.as_str(), token, "detached compact")?;
    ensure(
        matches!(
            signed.to_compact(),
            Err(Error::JwsJson(JwsJsonError::UnencodedPayloadDot))
        ),
        "'$.02' has a dot: the attached compact form must be refused",
    )?;
    // Verify the RFC's own forms.
    let parsed = JwsJson::parse_compact(token).map_err(err)?;
    ensure(
        parsed.is_unencoded() && parsed.is_detached(),
        "compact form",
    )?;
    let ok = parsed
        .verify_detached(payload.as_bytes(), &verifying, &validation, policy)
        .map_err(err)?;
    same(ok.payload(), payload.as_bytes(), "payload")?;
    ensure(
        parsed
            .verify_detached(b"$.03", &verifying, &validation, policy)
            .is_err(),
        "another payload verified",
    )?;
    verify_attached(
        &JwsJson::parse(&v["jws_json_flattened"].to_string()).map_err(err)?,
        &verifying,
        payload,
    )?;
    // A JWT is never unencoded.
    let unencoded =
        |r: &Result<(), Error>| matches!(r, Err(Error::Header(HeaderError::UnencodedPayload)));
    let parsed = UntrustedToken::parse(token).map(|_| ());
    ensure(unencoded(&parsed), &format!("JWT parse: {parsed:?}"))?;
    let validation = Validation::new().understand_critical("b64");
    let decoded = jot_codec::decode_with_clock::<(), _, _>(
        token,
        &verifying,
        &validation,
        &FixedClock::at(0),
    )
    .map(|_| ());
    ensure(unencoded(&decoded), &format!("JWT decode: {decoded:?}"))
}

/// Cookbook `rfc7797/4.2.hmac-sha2_b64_false.json`: its protected header is
/// `{"alg":"HS256","b64":false}`, without the `crit` RFC 7797 §6 requires (vectors
/// README caveat 1). Its signature is right for that header, yet every form is
/// refused with `HeaderError::NonCriticalB64`.
pub(crate) fn cookbook_without_crit(v: &Value) -> Result<(), String> {
    let (signing, _) = keys(&v["input"]["key"])?;
    let mut sig = Vec::new();
    signing
        .sign(str_field(&v["signing"], "sig-input").as_bytes(), &mut sig)
        .map_err(err)?;
    same(
        base64url::encode(&sig).as_str(),
        str_field(&v["signing"], "sig"),
        "signature over the crit-less header",
    )?;
    for form in ["json", "json_flat"] {
        match JwsJson::parse(&v["output"][form].to_string()) {
            Err(Error::JwsJson(JwsJsonError::Signature { index: 0, source }))
                if matches!(*source, Error::Header(HeaderError::NonCriticalB64)) => {}
            other => return Err(format!("{form}: expected NonCriticalB64, got {other:?}")),
        }
    }
    let token = format!(
        "{}..{}",
        str_field(&v["signing"], "protected_b64u"),
        str_field(&v["signing"], "sig")
    );
    match JwsJson::parse_compact(&token) {
        Err(Error::Header(HeaderError::NonCriticalB64)) => Ok(()),
        other => Err(format!("compact: expected NonCriticalB64, got {other:?}")),
    }
}

/// Cookbook `rfc7797/hmac-sha2_b64_false.json`: the `output` forms (attached
/// compact, general and flattened JSON) verify and are reproduced byte for byte;
/// its `signing.protected_b64u` is not JSON (vectors README caveat 2) and is
/// refused as a header JSON error.
pub(crate) fn cookbook_compact(v: &Value) -> Result<(), String> {
    let (signing, verifying) = keys(&v["input"]["key"])?;
    let payload = str_field(&v["input"], "payload");
    let compact = str_field(&v["output"], "compact");
    verify_attached(
        &JwsJson::parse_compact(compact).map_err(err)?,
        &verifying,
        payload,
    )?;
    for form in ["json", "json_flat"] {
        let parsed = JwsJson::parse(&v["output"][form].to_string()).map_err(err)?;
        verify_attached(&parsed, &verifying, payload).map_err(|e| format!("{form}: {e}"))?;
    }
    let signed = JwsJson::sign_unencoded(payload, &[SignatureSpec::new(&signing)]).map_err(err)?;
    same(
        signed.to_compact().map_err(err)?.as_str(),
        compact,
        "compact",
    )?;
    let general: Value = serde_json::from_str(&signed.to_general_json()).map_err(err)?;
    same(&general, &v["output"]["json"], "general JSON")?;
    let flat: Value =
        serde_json::from_str(&signed.to_flattened_json().map_err(err)?).map_err(err)?;
    same(&flat, &v["output"]["json_flat"], "flattened JSON")?;
    // A tampered payload fails.
    let tampered = compact.replace("payload", "paYload");
    let (validation, policy) = all();
    ensure(
        JwsJson::parse_compact(&tampered)
            .map_err(err)?
            .verify(&verifying, &validation, policy)
            .is_err(),
        "tampered payload verified",
    )?;
    let broken = format!(
        "{}..{}",
        str_field(&v["signing"], "protected_b64u"),
        str_field(&v["signing"], "sig")
    );
    match JwsJson::parse_compact(&broken) {
        Err(Error::Json {
            segment: Segment::Header,
            ..
        }) => Ok(()),
        other => Err(format!(
            "invalid protected_b64u: expected a header JSON error, got {other:?}"
        )),
    }
}

/// RFC 7520 4.5: detached content in the compact form, verified with
/// `JwsJson::verify_detached` and reproduced.
pub(crate) fn cookbook_detached(v: &Value) -> Result<(), String> {
    let (signing, verifying) = keys(&v["input"]["key"])?;
    let payload = str_field(&v["input"], "payload");
    let compact = str_field(&v["output"], "compact");
    let (validation, policy) = all();
    let parsed = JwsJson::parse_compact(compact).map_err(err)?;
    ensure(parsed.is_detached() && !parsed.is_unencoded(), "detached")?;
    parsed
        .verify_detached(payload.as_bytes(), &verifying, &validation, policy)
        .map_err(err)?;
    ensure(
        parsed
            .verify_detached(b"other", &verifying, &validation, policy)
            .is_err(),
        "another payload verified",
    )?;
    for form in ["json", "json_flat"] {
        JwsJson::parse(&v["output"][form].to_string())
            .and_then(|j| j.verify_detached(payload.as_bytes(), &verifying, &validation, policy))
            .map_err(|e| format!("{form}: {e}"))?;
    }
    // Re-signing with the example's protected header reproduces the token.
    let protected = &v["signing"]["protected"];
    let kid = protected["kid"].as_str().unwrap_or_default();
    let header = jot_algorithms::Header::new().kid(kid);
    let signed = JwsJson::sign(
        payload.as_bytes(),
        &[SignatureSpec::new(&signing).protected(header)],
    )
    .map_err(err)?
    .detached();
    same(
        signed.to_compact().map_err(err)?.as_str(),
        compact,
        "compact",
    )
}

//! A token as the home page shows it: its header and claims decoded (times also
//! human-readable), and whether it verified against the issuer's published keys
//! with the checks a relying party makes.

use jot_algorithms::{KeySet, Validation, base64url, decode};
use jot_codec::{Clock as _, SystemClock};
use serde_json::{Map, Value};

/// Claims that hold a time (seconds since the epoch).
const TIME_CLAIMS: [&str; 5] = ["exp", "iat", "nbf", "auth_time", "updated_at"];

/// One decoded token.
#[derive(Debug)]
pub(super) struct TokenView {
    /// The header's members.
    pub(super) header: Vec<(String, Value)>,
    /// The claims, each with its time in words when it is one.
    pub(super) claims: Vec<(String, Value, Option<String>)>,
    /// `Ok` with the checks made, or the first one that failed.
    pub(super) verdict: Result<Vec<&'static str>, String>,
}

/// What an ID token is checked against besides the signature, `iss`, `aud` and `exp`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct IdTokenChecks<'a> {
    /// The `nonce` of the authorization request: a `nonce` claim must equal it.
    pub(super) nonce: Option<&'a str>,
    /// Whether the `nonce` claim must be there (not after a refresh).
    pub(super) nonce_required: bool,
    /// The access token issued with it, for `at_hash`.
    pub(super) access_token: Option<&'a str>,
}

/// Decodes an ID token and verifies it as the demo client (OpenID Connect Core
/// §3.1.3.7): signature, `iss`, `aud` = the client, `exp`, then `nonce` and
/// `at_hash` when given.
pub(super) fn id_token(
    token: &str,
    keys: &KeySet,
    issuer: &str,
    client_id: &str,
    checks: IdTokenChecks<'_>,
) -> TokenView {
    let validation = Validation::new()
        .issuer(issuer)
        .audience(client_id)
        .require("sub")
        .require("iat");
    let verdict = verify(token, keys, &validation).and_then(|(custom, alg)| {
        let mut passed = vec!["signature", "iss", "aud", "exp"];
        if let Some(nonce) = checks.nonce {
            match custom.get("nonce") {
                None if !checks.nonce_required => {}
                Some(Value::String(claim)) if claim == nonce => passed.push("nonce"),
                _ => return Err("the nonce is not the one this browser sent".to_owned()),
            }
        }
        if let Some(access_token) = checks.access_token {
            if let Some(at_hash) = custom.get("at_hash").and_then(Value::as_str) {
                if at_hash != half_hash(alg, access_token) {
                    return Err("at_hash does not match the access token".to_owned());
                }
                passed.push("at_hash");
            }
        }
        Ok(passed)
    });
    view(token, verdict)
}

/// Decodes an access token and verifies it as a resource server of this issuer
/// would (`validation`: signature, `iss`, `aud`, `exp`, `typ: at+jwt`).
pub(super) fn access_token(token: &str, keys: &KeySet, validation: &Validation) -> TokenView {
    let verdict =
        verify(token, keys, validation).map(|_| vec!["signature", "iss", "aud", "exp", "typ"]);
    view(token, verdict)
}

/// Verifies the signature and the validation's rules; the custom claims and `alg`.
fn verify(
    token: &str,
    keys: &KeySet,
    validation: &Validation,
) -> Result<(Map<String, Value>, jot_algorithms::Algorithm), String> {
    decode::<Map<String, Value>>(token, keys, validation)
        .map(|verified| (verified.claims.custom, verified.algorithm))
        .map_err(|e| e.to_string())
}

/// The header and claims for display (verified or not: the verdict says which).
fn view(token: &str, verdict: Result<Vec<&'static str>, String>) -> TokenView {
    let mut parts = token.split('.');
    let mut segment = || -> Map<String, Value> {
        parts
            .next()
            .and_then(|part| base64url::decode(part).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    };
    let header = segment().into_iter().collect();
    let now = SystemClock.now().seconds();
    let claims = segment()
        .into_iter()
        .map(|(name, value)| {
            let human = TIME_CLAIMS
                .contains(&name.as_str())
                .then(|| value.as_u64().map(|t| human_time(t, now)))
                .flatten();
            (name, value, human)
        })
        .collect();
    TokenView {
        header,
        claims,
        verdict,
    }
}

/// The left half of the hash of `token`, base64url: `at_hash` (OpenID Connect Core
/// §3.1.3.6), with the hash of the ID token's algorithm (SHA-512 for EdDSA and Ed25519).
fn half_hash(alg: jot_algorithms::Algorithm, token: &str) -> String {
    let digest = match alg.as_str() {
        a if a.ends_with("384") => &ring::digest::SHA384,
        a if a.ends_with("512") || a == "EdDSA" || a == "Ed25519" => &ring::digest::SHA512,
        _ => &ring::digest::SHA256,
    };
    let hash = ring::digest::digest(digest, token.as_bytes());
    let bytes = hash.as_ref();
    base64url::encode(&bytes[..bytes.len() / 2])
}

/// `2025-06-01 12:00:00 UTC (in 15 min)`.
pub(super) fn human_time(secs: u64, now: u64) -> String {
    let days = secs / 86_400;
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let relative = if secs > now {
        format!("in {}", span(secs - now))
    } else if secs == now {
        "now".to_owned()
    } else {
        format!("{} ago", span(now - secs))
    };
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC ({relative})",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// A duration in its largest sensible unit: `42 s`, `15 min`, `3 h`, `30 days`.
fn span(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7_199 => format!("{} min", secs / 60),
        7_200..=172_799 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Howard Hinnant's algorithm, for days >= 0.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use jot_algorithms::{Algorithm, Claims, Header, SigningKey, encode};
    use serde_json::json;

    use super::*;

    const ISS: &str = "https://issuer.example";

    fn id_token(key: &SigningKey, custom: Value, aud: &str) -> String {
        let Value::Object(custom) = custom else {
            unreachable!("an object literal")
        };
        let claims = Claims::new(custom)
            .issuer(ISS)
            .audience(aud)
            .subject("u1")
            .issued_now(&SystemClock, 300);
        encode(key, &Header::jwt(), &claims).unwrap()
    }

    fn check(
        token: &str,
        keys: &KeySet,
        checks: IdTokenChecks<'_>,
    ) -> Result<Vec<&'static str>, String> {
        super::id_token(token, keys, ISS, "jot-demo", checks).verdict
    }

    #[test]
    fn an_id_token_verifies_only_with_its_key_audience_nonce_and_access_token() {
        let key = SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("k");
        let keys = KeySet::from_keys([key.verifying_key()]);
        let at = "the access token";
        let good = id_token(
            &key,
            json!({"nonce": "n1", "at_hash": half_hash(Algorithm::ES256, at)}),
            "jot-demo",
        );
        let all = IdTokenChecks {
            nonce: Some("n1"),
            nonce_required: true,
            access_token: Some(at),
        };
        assert_eq!(
            check(&good, &keys, all),
            Ok(vec!["signature", "iss", "aud", "exp", "nonce", "at_hash"])
        );
        let wrong_nonce = IdTokenChecks {
            nonce: Some("n2"),
            ..all
        };
        assert!(
            check(&good, &keys, wrong_nonce)
                .unwrap_err()
                .contains("nonce")
        );
        let wrong_access = IdTokenChecks {
            access_token: Some("another"),
            ..all
        };
        assert!(
            check(&good, &keys, wrong_access)
                .unwrap_err()
                .contains("at_hash")
        );
        let other = SigningKey::generate(Algorithm::ES256)
            .unwrap()
            .with_kid("k");
        assert!(check(&good, &KeySet::from_keys([other.verifying_key()]), all).is_err());
        let elsewhere = id_token(&key, json!({"nonce": "n1"}), "another-client");
        assert!(check(&elsewhere, &keys, all).is_err());

        // After a refresh the ID token may have no nonce; a wrong one still fails.
        let refreshed = id_token(&key, json!({}), "jot-demo");
        assert!(
            check(&refreshed, &keys, all).is_err(),
            "required at sign-in"
        );
        let later = IdTokenChecks {
            nonce_required: false,
            ..all
        };
        assert_eq!(
            check(&refreshed, &keys, later),
            Ok(vec!["signature", "iss", "aud", "exp"])
        );
        let replayed = id_token(&key, json!({"nonce": "other"}), "jot-demo");
        assert!(check(&replayed, &keys, later).is_err());
    }

    #[test]
    fn the_view_decodes_header_and_claims_with_times_in_words() {
        let key = SigningKey::generate(Algorithm::EdDSA)
            .unwrap()
            .with_kid("k1");
        let token = id_token(&key, json!({"nonce": "n"}), "jot-demo");
        let view = super::id_token(
            &token,
            &KeySet::default(),
            ISS,
            "jot-demo",
            IdTokenChecks::default(),
        );
        assert!(view.verdict.is_err(), "no key: not verified");
        assert!(view.header.contains(&("kid".to_owned(), json!("k1"))));
        let exp = view.claims.iter().find(|(name, ..)| name == "exp").unwrap();
        assert!(
            exp.2
                .as_deref()
                .is_some_and(|h| h.ends_with("UTC (in 5 min)")),
            "{exp:?}"
        );
        let sub = view.claims.iter().find(|(name, ..)| name == "sub").unwrap();
        assert_eq!((&sub.1, &sub.2), (&json!("u1"), &None));
    }

    #[test]
    fn times_read_as_dates_and_spans() {
        assert_eq!(human_time(0, 900), "1970-01-01 00:00:00 UTC (15 min ago)");
        assert_eq!(
            human_time(1_709_210_096, 1_709_210_000),
            "2024-02-29 12:34:56 UTC (in 96 s)"
        );
        assert_eq!(
            human_time(951_782_400, 951_782_400),
            "2000-02-29 00:00:00 UTC (now)"
        );
        assert_eq!(span(3 * 86_400), "3 days");
    }

    #[test]
    fn at_hash_matches_openid_connect_cores_example() {
        // OpenID Connect Core 1.0, appendix A.3: an RS256 ID token's at_hash.
        let at = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
        assert_eq!(
            half_hash(jot_algorithms::Algorithm::RS256, at),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        assert_eq!(half_hash(jot_algorithms::Algorithm::ES384, at).len(), 32);
        assert_eq!(half_hash(jot_algorithms::Algorithm::EdDSA, at).len(), 43);
        assert_eq!(
            half_hash(jot_algorithms::Algorithm::Ed25519, at),
            half_hash(jot_algorithms::Algorithm::EdDSA, at)
        );
    }
}

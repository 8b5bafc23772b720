//! `jot dpop`: proofs the real binary makes are accepted by jot-axum's DPoP
//! verifier (a resource server in the test process, with `require_dpop` and, in
//! one test, server nonces); their fields are those of RFC 9449 §4.2; HMAC
//! secrets and public keys are refused.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use jot_algorithms::{Jwk, VerifyingKey};
use jot_axum::{Dpop, HmacNonces, JwtAuth, Verified};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::harness::{json, keys, now, ok, run};

const RESOURCE: &str = "https://api.example.com/mcp";

/// A resource server at `RESOURCE` that accepts DPoP-bound tokens of the shared
/// ES384 key only; `/mcp` answers the proof key's thumbprint.
fn resource_server(dpop: Dpop) -> Router {
    let jwk = Jwk::from_json(&std::fs::read_to_string(keys().public("ES384")).unwrap()).unwrap();
    let issuer = VerifyingKey::from_jwk_infer(&jwk).unwrap();
    let auth = JwtAuth::<()>::builder(issuer)
        .resource(RESOURCE)
        .unwrap()
        .dpop(dpop)
        .require_dpop()
        .build();
    Router::new()
        .route(
            "/mcp",
            get(
                |t: Verified<()>| async move { t.dpop_thumbprint().unwrap_or("bearer").to_owned() },
            ),
        )
        .layer(auth.layer())
        .with_state(auth)
}

/// `GET /mcp` with `Authorization: DPoP token` and the proof: (status, DPoP-Nonce, body).
async fn call(app: &Router, token: &str, proof: &str) -> (StatusCode, Option<String>, String) {
    let request = Request::get("/mcp")
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", proof)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let nonce = response
        .headers()
        .get("dpop-nonce")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, nonce, String::from_utf8_lossy(&body).into_owned())
}

/// The thumbprint `jot jwk thumbprint` prints for `key`.
fn jkt(key: &str) -> String {
    ok(&["jwk", "thumbprint", key]).trim().to_owned()
}

/// An access token for `RESOURCE`, signed with the shared ES384 key, bound to `jkt`.
fn bound_token(jkt: &str) -> String {
    let key = keys().private("ES384");
    let cnf = format!("cnf={}", json!({ "jkt": jkt }));
    ok(&["encode", "--key", &key, "--aud", RESOURCE, "--claim", &cnf])
        .trim()
        .to_owned()
}

/// The header and claims of a compact JWS, unverified.
fn parts(jws: &str) -> (Value, Value) {
    let segment = |i: usize| {
        let b64 = jws.split('.').nth(i).unwrap();
        serde_json::from_slice(&jot_codec::base64url::decode(b64).unwrap()).unwrap()
    };
    (segment(0), segment(1))
}

#[tokio::test]
async fn proofs_are_accepted_by_the_resource_server_for_every_key_type() {
    let k = keys();
    let app = resource_server(Dpop::new());
    for (key, alg) in [
        (k.private("ES256"), None),
        (k.private("ES512"), None),
        (k.private("EdDSA"), None),
        (k.private("PS256"), Some("PS256")),
    ] {
        let token = bound_token(&jkt(&key));
        let mut args = vec!["dpop", "--key", &key, "--method", "GET"];
        args.extend(["--url", "https://API.example.com:443/mcp?page=2#top"]);
        args.extend(["--access-token", &token]);
        if let Some(alg) = alg {
            args.extend(["--alg", alg]);
        }
        let proof = ok(&args).trim().to_owned();
        let (status, _, body) = call(&app, &token, &proof).await;
        assert_eq!(status, StatusCode::OK, "{key}: {body}");
        assert_eq!(body, jkt(&key), "{key}: the handler sees the proof key");
        // The same proof twice is a replay.
        let (status, _, _) = call(&app, &token, &proof).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key}: replayed");
    }
}

#[tokio::test]
async fn a_proof_for_another_key_than_the_token_is_refused() {
    let k = keys();
    let app = resource_server(Dpop::new());
    let token = bound_token(&jkt(&k.private("ES256")));
    let es384 = k.private("ES384");
    let proof = ok(&[
        "dpop",
        "-k",
        &es384,
        "-X",
        "GET",
        "-u",
        RESOURCE,
        "--access-token",
        &token,
    ]);
    let (status, _, _) = call(&app, &token, proof.trim()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_server_nonce_goes_into_the_next_proof() {
    let k = keys();
    let app = resource_server(Dpop::new().nonces(HmacNonces::new([7; 32])));
    let key = k.private("ES256");
    let token = bound_token(&jkt(&key));
    let first = ok(&[
        "dpop",
        "-k",
        &key,
        "-X",
        "GET",
        "-u",
        RESOURCE,
        "--access-token",
        &token,
    ]);
    let (status, nonce, _) = call(&app, &token, first.trim()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no nonce yet");
    let nonce = nonce.expect("a DPoP-Nonce header");
    let second = ok(&[
        "dpop",
        "-k",
        &key,
        "-X",
        "GET",
        "-u",
        RESOURCE,
        "--access-token",
        &token,
        "--nonce",
        &nonce,
    ]);
    let (status, _, body) = call(&app, &token, second.trim()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[test]
fn the_proof_has_the_fields_of_rfc_9449() {
    let key = keys().private("ES256");
    let token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
    let before = now();
    let proof = ok(&[
        "dpop",
        "--key",
        &key,
        "--method",
        "POST",
        "--url",
        "https://as.example.com/token?x=1#f",
        "--access-token",
        &format!("DPoP {token}"),
        "--nonce",
        "n-1",
    ]);
    let (header, claims) = parts(proof.trim());
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
    let jwk = header["jwk"].as_object().unwrap();
    let members: Vec<&str> = jwk.keys().map(String::as_str).collect();
    assert_eq!(members, ["crv", "kty", "x", "y"], "the public key only");
    let thumbprint = Jwk::from_json(&header["jwk"].to_string())
        .unwrap()
        .thumbprint()
        .unwrap();
    assert_eq!(thumbprint, jkt(&key), "jot jwk thumbprint gives the jkt");
    assert_eq!(claims["htm"], "POST");
    assert_eq!(claims["htu"], "https://as.example.com/token");
    assert_eq!(claims["nonce"], "n-1");
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    assert_eq!(claims["ath"], jot_codec::base64url::encode(digest.as_ref()));
    let iat = claims["iat"].as_u64().unwrap();
    assert!(iat >= before && iat <= now(), "{iat}");
    assert!(
        claims["jti"].as_str().unwrap().len() >= 22,
        "128 random bits"
    );
    let again = ok(&[
        "dpop",
        "-k",
        &key,
        "-X",
        "POST",
        "-u",
        "https://as.example.com/token",
    ]);
    let (_, claims2) = parts(again.trim());
    assert_ne!(claims2["jti"], claims["jti"], "a new jti each time");
    assert!(claims2.get("ath").is_none() && claims2.get("nonce").is_none());
}

#[test]
fn hmac_secrets_public_keys_and_bad_input_are_refused() {
    let k = keys();
    let cases = [
        (
            k.private("HS256"),
            "HS256",
            "https://x.example/",
            "HMAC secret",
        ),
        (
            k.public("ES256"),
            "ES256",
            "https://x.example/",
            "private key",
        ),
        (
            k.public("RS256"),
            "PS256",
            "https://x.example/",
            "private key",
        ),
        (
            k.private("ES256"),
            "ES256",
            "ftp://x.example/",
            "http:// or https://",
        ),
        (k.private("ES256"), "ES256", "not a url", "--url"),
    ];
    for (key, alg, url, message) in cases {
        let (code, out, err) = run(&["dpop", "--key", &key, "-a", alg, "-X", "GET", "-u", url]);
        assert_eq!(code, 2, "{key} {url}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(message), "{key} {url}: {err}");
    }
    let es256 = k.private("ES256");
    let (code, _, err) = run(&["dpop", "-k", &es256, "-X", "GET IT", "-u", RESOURCE]);
    assert_eq!(code, 2);
    assert!(err.contains("not an HTTP method"), "{err}");
}

#[test]
fn verify_checks_the_key_binding() {
    let k = keys();
    let client = k.private("ES256");
    let token = bound_token(&jkt(&client));
    let issuer = k.public("ES384");
    let verify = |extra: &[&str], token: &str| {
        let mut args = vec!["verify", "--key", &issuer, "--aud", RESOURCE];
        args.extend_from_slice(extra);
        args.push(token);
        run(&args)
    };
    // The private key, its public part, or the thumbprint.
    let public = k.public("ES256");
    let thumbprint = jkt(&client);
    for extra in [
        vec!["--cnf-key", client.as_str()],
        vec!["--cnf-key", public.as_str()],
        vec!["--cnf-jkt", thumbprint.as_str()],
    ] {
        let (code, out, err) = verify(&extra, &token);
        assert_eq!(code, 0, "{extra:?}: {err}");
        assert!(out.contains("\"jkt\""), "{out}");
    }
    // Another key.
    let other = k.public("EdDSA");
    let (code, _, err) = verify(&["--cnf-key", &other], &token);
    assert_eq!(code, 1);
    assert!(
        err.contains("key binding mismatch") && err.contains(&thumbprint),
        "{err}"
    );
    let (code, out, _) = verify(&["--cnf-jkt", "abc", "--json"], &token);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["error"]["kind"], "wrong_binding");
    // A bearer token (no cnf) is refused when a binding is asked for.
    let bearer = ok(&["encode", "--key", &k.private("ES384"), "--aud", RESOURCE]);
    let (code, out, _) = verify(&["--cnf-key", &client, "--json"], bearer.trim());
    assert_eq!(code, 1);
    let error = &json(&out)["error"];
    assert_eq!(error["kind"], "missing_binding");
    assert!(
        error["message"].as_str().unwrap().contains("no cnf claim"),
        "{error}"
    );
    // ... and accepted without one.
    assert_eq!(verify(&[], bearer.trim()).0, 0);
    // A key that cannot be read is an error, not a rejection.
    let (code, _, err) = verify(&["--cnf-key", "/nonexistent"], &token);
    assert_eq!(code, 2, "{err}");
}

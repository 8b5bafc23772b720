//! DPoP (RFC 9449) at the issuer: bound tokens from every grant, proofs checked
//! at `/token` (each refusal), codes bound by `dpop_jkt`, refresh tokens of
//! public clients bound to the key, `/userinfo` and `/introspect` honouring the
//! binding, server nonces, discovery.

use jot_algorithms::{Algorithm, SigningKey};
use jot_axum::{Dpop, HmacNonces};
use jot_codec::Header;
use ring::digest;
use serde_json::{Value, json};

use crate::browser::{
    ALICE, ALICE_PASSWORD, Browser, SPA, SPA_CALLBACK, WEB, WEB_CALLBACK, WEB_SECRET,
    authorize_path, pkce, query_of, start_login, start_login_with,
};
use crate::support::{Auth, CLIENT, Reply, Running, SECRET, now, peek, reply, start};

/// A DPoP proof's parts, to change one before signing.
pub struct Proof {
    pub header: Header,
    pub claims: Value,
}

impl Proof {
    /// A good proof by `key` for `method` `url`; with `token`, its `ath`.
    pub fn new(key: &SigningKey, method: &str, url: &str, token: Option<&str>) -> Proof {
        let mut header = Header::new().typ("dpop+jwt");
        let jwk = serde_json::to_value(key.verifying_key().to_jwk().unwrap()).unwrap();
        header.jwk = jwk.as_object().cloned();
        let mut claims = json!({
            "jti": jti(),
            "htm": method,
            "htu": url,
            "iat": now(),
        });
        if let Some(token) = token {
            claims["ath"] = json!(jot_codec::base64url::encode(
                digest::digest(&digest::SHA256, token.as_bytes()).as_ref()
            ));
        }
        Proof { header, claims }
    }

    /// Sets one claim.
    pub fn claim(mut self, name: &str, value: Value) -> Proof {
        self.claims[name] = value;
        self
    }

    pub fn sign(&self, key: &SigningKey) -> String {
        jot_codec::encode(key, &self.header, &self.claims).unwrap()
    }
}

fn jti() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("proof-{}-{}", now(), NEXT.fetch_add(1, Ordering::SeqCst))
}

pub fn key() -> SigningKey {
    SigningKey::generate(Algorithm::ES256).unwrap()
}

pub fn jkt(key: &SigningKey) -> String {
    key.thumbprint().unwrap()
}

impl Running {
    /// A good proof for `POST /token` by `key`.
    pub fn token_proof(&self, key: &SigningKey) -> String {
        Proof::new(key, "POST", &format!("{}/token", self.url), None).sign(key)
    }

    /// `POST /token` with a form, Basic authentication and these `DPoP` headers.
    pub async fn post_token(&self, form: &str, auth: Auth<'_>, proofs: &[&str]) -> Reply {
        let mut request = self
            .http
            .post(format!("{}/token", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned());
        if let Auth::Basic(id, secret) = auth {
            request = request.basic_auth(id, Some(secret));
        }
        for proof in proofs {
            request = request.header("dpop", *proof);
        }
        reply(request.send().await.unwrap()).await
    }
}

const CC: &str = "grant_type=client_credentials";

#[tokio::test]
async fn a_proof_binds_the_access_token_to_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let key = key();
    let reply = issuer
        .post_token(
            CC,
            Auth::Basic(CLIENT, SECRET),
            &[&issuer.token_proof(&key)],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.str("token_type"), "DPoP");
    let token = reply.str("access_token");
    let (_, claims) = peek(&token);
    assert_eq!(claims["cnf"], json!({"jkt": jkt(&key)}));
    let introspection = issuer.introspect(&token).await;
    assert_eq!(introspection["active"], true);
    assert_eq!(introspection["token_type"], "DPoP");
    assert_eq!(introspection["cnf"], json!({"jkt": jkt(&key)}));

    // Without a proof: a bearer token, no cnf.
    let bearer = issuer
        .post_token(CC, Auth::Basic(CLIENT, SECRET), &[])
        .await;
    assert_eq!(bearer.str("token_type"), "Bearer");
    let (_, claims) = peek(&bearer.str("access_token"));
    assert!(claims.get("cnf").is_none(), "{claims}");
    let introspection = issuer.introspect(&bearer.str("access_token")).await;
    assert_eq!(introspection["token_type"], "Bearer");
    assert!(introspection.get("cnf").is_none());
}

#[tokio::test]
async fn every_broken_proof_is_refused_at_the_token_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let key = key();
    let token_url = format!("{}/token", issuer.url);
    let good = || Proof::new(&key, "POST", &token_url, None);
    let mut private_jwk = good();
    private_jwk.header.jwk = serde_json::to_value(key.to_jwk().unwrap())
        .unwrap()
        .as_object()
        .cloned();
    let mut plain_typ = good();
    plain_typ.header.typ = Some("JWT".into());
    let other = self::key();
    let cases: Vec<(&str, String)> = vec![
        ("wrong htm", good().claim("htm", json!("GET")).sign(&key)),
        (
            "wrong htu",
            good()
                .claim("htu", json!(format!("{}/userinfo", issuer.url)))
                .sign(&key),
        ),
        (
            "stale iat",
            good().claim("iat", json!(now() - 600)).sign(&key),
        ),
        (
            "future iat",
            good().claim("iat", json!(now() + 600)).sign(&key),
        ),
        ("private jwk", private_jwk.sign(&key)),
        ("typ JWT", plain_typ.sign(&key)),
        ("signed by another key", good().sign(&other)),
        ("not a JWT", "not-a-proof".into()),
    ];
    for (what, proof) in cases {
        let reply = issuer
            .post_token(CC, Auth::Basic(CLIENT, SECRET), &[&proof])
            .await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.text);
        assert_eq!(reply.str("error"), "invalid_dpop_proof", "{what}");
    }
    let proof = issuer.token_proof(&key);
    let twice = issuer
        .post_token(CC, Auth::Basic(CLIENT, SECRET), &[&proof, &proof])
        .await;
    assert_eq!(twice.str("error"), "invalid_dpop_proof", "two DPoP headers");
    let first = issuer
        .post_token(CC, Auth::Basic(CLIENT, SECRET), &[&proof])
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let replayed = issuer
        .post_token(CC, Auth::Basic(CLIENT, SECRET), &[&proof])
        .await;
    assert_eq!(replayed.status, 400, "{}", replayed.text);
    assert_eq!(replayed.str("error"), "invalid_dpop_proof");
}

/// A code flow of the public client [`SPA`] with `extra` parameters: the code and
/// its verifier.
async fn spa_code(issuer: &Running, extra: &[(&str, &str)]) -> (String, String) {
    let (verifier, challenge) = pkce();
    let browser = Browser::new(issuer);
    let done = browser
        .authorize(
            &authorize_path(SPA, SPA_CALLBACK, &challenge, extra),
            ALICE,
            ALICE_PASSWORD,
        )
        .await;
    let done = if done.header("location").unwrap().starts_with("/consent") {
        browser.allow_consent(&done).await
    } else {
        done
    };
    let location = done.header("location").unwrap();
    assert!(location.starts_with(SPA_CALLBACK), "{location}");
    (query_of(location)["code"].clone(), verifier)
}

fn spa_exchange(code: &str, verifier: &str) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", SPA_CALLBACK)
        .append_pair("code_verifier", verifier)
        .append_pair("client_id", SPA);
    form.finish()
}

fn spa_refresh(token: &str) -> String {
    format!("grant_type=refresh_token&client_id={SPA}&refresh_token={token}")
}

#[tokio::test]
async fn dpop_jkt_binds_the_code_and_a_public_clients_refresh_token_is_bound() {
    let issuer = start_login().await;
    let key = key();
    let other = self::key();
    let (code, verifier) = spa_code(&issuer, &[("dpop_jkt", &jkt(&key))]).await;
    let form = spa_exchange(&code, &verifier);

    // Refused without a proof and with a proof by another key; neither uses the code.
    let none = issuer.post_token(&form, Auth::None, &[]).await;
    none.assert_error(400, "invalid_dpop_proof");
    let wrong = issuer
        .post_token(&form, Auth::None, &[&issuer.token_proof(&other)])
        .await;
    wrong.assert_error(400, "invalid_dpop_proof");
    let tokens = issuer
        .post_token(&form, Auth::None, &[&issuer.token_proof(&key)])
        .await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    assert_eq!(tokens.str("token_type"), "DPoP");
    let (_, claims) = peek(&tokens.str("access_token"));
    assert_eq!(claims["cnf"]["jkt"], json!(jkt(&key)));

    // The refresh token is bound: no proof, another key, or the application's
    // own refresh call are refused and change nothing.
    let refresh = tokens.str("refresh_token");
    let introspection = issuer.introspect(&refresh).await;
    assert_eq!(introspection["cnf"], json!({"jkt": jkt(&key)}));
    issuer
        .post_token(&spa_refresh(&refresh), Auth::None, &[])
        .await
        .assert_error(400, "invalid_dpop_proof");
    issuer
        .post_token(
            &spa_refresh(&refresh),
            Auth::None,
            &[&issuer.token_proof(&other)],
        )
        .await
        .assert_error(400, "invalid_dpop_proof");
    assert!(issuer.issuer.refresh(&refresh).await.is_err());
    let refreshed = issuer
        .post_token(
            &spa_refresh(&refresh),
            Auth::None,
            &[&issuer.token_proof(&key)],
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(refreshed.str("token_type"), "DPoP");
    let (_, claims) = peek(&refreshed.str("access_token"));
    assert_eq!(claims["cnf"]["jkt"], json!(jkt(&key)));
    // Its successor is bound too.
    issuer
        .post_token(
            &spa_refresh(&refreshed.str("refresh_token")),
            Auth::None,
            &[],
        )
        .await
        .assert_error(400, "invalid_dpop_proof");
}

#[tokio::test]
async fn dpop_jkt_must_be_a_thumbprint() {
    let issuer = start_login().await;
    let (_, challenge) = pkce();
    let browser = Browser::new(&issuer);
    let reply = browser
        .get(&authorize_path(
            SPA,
            SPA_CALLBACK,
            &challenge,
            &[("dpop_jkt", "short")],
        ))
        .await;
    let location = reply.header("location").unwrap();
    assert!(location.starts_with(SPA_CALLBACK), "{location}");
    assert_eq!(query_of(location)["error"], "invalid_request");
}

#[tokio::test]
async fn a_confidential_clients_refresh_token_is_not_bound() {
    let issuer = start_login().await;
    let key = key();
    let (code, verifier) = Browser::new(&issuer).code_for_web(&[]).await;
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "authorization_code")
        .append_pair("code", &code)
        .append_pair("redirect_uri", WEB_CALLBACK)
        .append_pair("code_verifier", &verifier);
    let tokens = issuer
        .post_token(
            &form.finish(),
            Auth::Basic(WEB, WEB_SECRET),
            &[&issuer.token_proof(&key)],
        )
        .await;
    assert_eq!(tokens.str("token_type"), "DPoP", "{}", tokens.text);
    let refreshed = issuer
        .post_token(
            &format!(
                "grant_type=refresh_token&refresh_token={}",
                tokens.str("refresh_token")
            ),
            Auth::Basic(WEB, WEB_SECRET),
            &[],
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(refreshed.str("token_type"), "Bearer");
}

#[tokio::test]
async fn userinfo_honours_the_binding() {
    let issuer = start_login().await;
    let key = key();
    let (code, verifier) = spa_code(&issuer, &[]).await;
    let tokens = issuer
        .post_token(
            &spa_exchange(&code, &verifier),
            Auth::None,
            &[&issuer.token_proof(&key)],
        )
        .await;
    let token = tokens.str("access_token");
    let userinfo = format!("{}/userinfo", issuer.url);

    // Sent as a bearer token: refused.
    let as_bearer = issuer.userinfo(&token).await;
    assert_eq!(as_bearer.status, 401, "{}", as_bearer.text);
    assert_eq!(as_bearer.str("error"), "invalid_token");

    let call = |proof: String| {
        let issuer = &issuer;
        let token = token.clone();
        async move {
            reply(
                issuer
                    .http
                    .get(format!("{}/userinfo", issuer.url))
                    .header("authorization", format!("DPoP {token}"))
                    .header("dpop", proof)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let ok = call(Proof::new(&key, "GET", &userinfo, Some(&token)).sign(&key)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(ok.json()["sub"].is_string());

    let wrong_ath = call(
        Proof::new(&key, "GET", &userinfo, Some(&token))
            .claim("ath", json!("x".repeat(43)))
            .sign(&key),
    )
    .await;
    assert_eq!(wrong_ath.status, 401);
    assert_eq!(wrong_ath.str("error"), "invalid_dpop_proof");
    assert!(
        wrong_ath
            .header("www-authenticate")
            .unwrap()
            .starts_with("DPoP "),
        "{:?}",
        wrong_ath.headers
    );
    let other = self::key();
    let other_key = call(Proof::new(&other, "GET", &userinfo, Some(&token)).sign(&other)).await;
    assert_eq!(other_key.status, 401);
    assert_eq!(other_key.str("error"), "invalid_token");
}

#[tokio::test]
async fn server_nonces_are_required_when_on() {
    let issuer = start_login_with(|b| {
        b.login(jot_issuer::Login::new())
            .dpop(Dpop::new().nonces(HmacNonces::random().unwrap()))
    })
    .await;
    let key = key();
    let first = issuer
        .post_token(
            CC,
            Auth::Basic(CLIENT, SECRET),
            &[&issuer.token_proof(&key)],
        )
        .await;
    first.assert_error(400, "use_dpop_nonce");
    let nonce = first
        .header("dpop-nonce")
        .expect("a DPoP-Nonce header")
        .to_owned();
    let proof = Proof::new(&key, "POST", &format!("{}/token", issuer.url), None)
        .claim("nonce", json!(nonce))
        .sign(&key);
    let second = issuer
        .post_token(CC, Auth::Basic(CLIENT, SECRET), &[&proof])
        .await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.str("token_type"), "DPoP");
    assert!(second.header("dpop-nonce").is_some());
    let bad = Proof::new(&key, "POST", &format!("{}/token", issuer.url), None)
        .claim("nonce", json!("not-a-nonce-of-this-server"))
        .sign(&key);
    issuer
        .post_token(CC, Auth::Basic(CLIENT, SECRET), &[&bad])
        .await
        .assert_error(400, "use_dpop_nonce");
}

#[tokio::test]
async fn discovery_lists_the_dpop_algorithms() {
    let issuer = start_login().await;
    let document = issuer.get("/.well-known/openid-configuration").await.json();
    let algs = document["dpop_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(algs.contains(&json!("ES256")) && algs.contains(&json!("EdDSA")));
    assert!(!algs.iter().any(|a| a.as_str().unwrap().starts_with("HS")));
    let grants = document["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&json!("urn:ietf:params:oauth:grant-type:token-exchange")));
}

/// A replay cache whose store is down.
struct DownCache;

impl jot_axum::ReplayCache for DownCache {
    fn first_use(
        &self,
        _jti: &[u8; 32],
        _until: jot_codec::NumericDate,
        _now: jot_codec::NumericDate,
    ) -> jot_axum::ReplayFuture<'_> {
        Box::pin(async {
            Err(jot_axum::ReplayCacheError::Store(
                "replay store down".into(),
            ))
        })
    }
}

#[tokio::test]
async fn a_replay_cache_that_cannot_answer_is_a_503_and_issues_nothing() {
    let issuer = start_login_with(|b| {
        b.login(jot_issuer::Login::new())
            .dpop(Dpop::new().replay_cache(DownCache))
    })
    .await;
    let key = key();
    let reply = issuer
        .post_token(
            CC,
            Auth::Basic(CLIENT, SECRET),
            &[&issuer.token_proof(&key)],
        )
        .await;
    reply.assert_error(503, "temporarily_unavailable");
    assert!(reply.header("retry-after").is_some());
    // Without a proof the cache is not asked: a bearer token as usual.
    let bearer = issuer
        .post_token(CC, Auth::Basic(CLIENT, SECRET), &[])
        .await;
    assert_eq!(bearer.status, 200, "{}", bearer.text);
}

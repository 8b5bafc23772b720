//! Token exchange (RFC 8693): a client allowed to exchange trades an access token
//! for a narrower one aimed at a configured resource, naming itself in `act`.

use jot_issuer::NewClient;
use jot_issuer::store::MemoryStore;
use serde_json::json;

use crate::dpop::{Proof, jkt, key};
use crate::support::{Auth, CLIENT, Running, SECRET, peek, start_with};

const MCP: &str = "https://mcp.example.com/mcp";
const DOWNSTREAM: &str = "https://calendar.example.com";
const EXCHANGER: &str = "mcp-server";
const EXCHANGER_SECRET: &str = "mcp-server-secret-0123456789";
const GATEWAY: &str = "gateway";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

async fn issuer() -> Running {
    let issuer = start_with(MemoryStore::new(), |b| b.resources([MCP, DOWNSTREAM])).await;
    for (id, allowed) in [(EXCHANGER, true), (GATEWAY, true), ("plain", false)] {
        issuer
            .issuer
            .ensure_client(
                NewClient::new(id)
                    .secret(EXCHANGER_SECRET)
                    .scopes(["invoices:read"])
                    .token_exchange(allowed),
            )
            .await
            .unwrap();
    }
    issuer
}

/// A token of [`CLIENT`] for the MCP server.
async fn subject_token(issuer: &Running) -> String {
    let reply = issuer
        .post(
            "/token",
            &format!(
                "grant_type=client_credentials&resource={MCP}&scope=invoices:read%20invoices:write"
            ),
            Auth::Basic(CLIENT, SECRET),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.str("access_token")
}

fn exchange(subject: &str, extra: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair(
        "grant_type",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    )
    .append_pair("subject_token", subject)
    .append_pair("subject_token_type", ACCESS_TOKEN);
    for (k, v) in extra {
        form.append_pair(k, v);
    }
    form.finish()
}

#[tokio::test]
async fn an_exchange_narrows_the_token_and_names_the_actor() {
    let issuer = issuer().await;
    let subject = subject_token(&issuer).await;
    let (_, original) = peek(&subject);
    let reply = issuer
        .post(
            "/token",
            &exchange(
                &subject,
                &[("resource", DOWNSTREAM), ("scope", "invoices:read")],
            ),
            Auth::Basic(EXCHANGER, EXCHANGER_SECRET),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.str("issued_token_type"), ACCESS_TOKEN);
    assert_eq!(reply.str("token_type"), "Bearer");
    assert!(reply.json().get("refresh_token").is_none());
    let token = reply.str("access_token");
    let (header, claims) = peek(&token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["aud"], DOWNSTREAM);
    assert_eq!(claims["scope"], "invoices:read");
    assert_eq!(claims["sub"], original["sub"]);
    assert_eq!(claims["client_id"], EXCHANGER);
    assert_eq!(claims["act"], json!({"sub": EXCHANGER}));
    assert!(claims["exp"].as_u64() <= original["exp"].as_u64());
    let introspection = issuer.introspect(&token).await;
    assert_eq!(introspection["active"], true);
    assert_eq!(introspection["act"], json!({"sub": EXCHANGER}));

    // Exchanged again by another actor: the chain, most recent first.
    let again = issuer
        .post(
            "/token",
            &exchange(&token, &[("audience", MCP)]),
            Auth::Basic(GATEWAY, EXCHANGER_SECRET),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    let (_, claims) = peek(&again.str("access_token"));
    assert_eq!(
        claims["act"],
        json!({"sub": GATEWAY, "act": {"sub": EXCHANGER}})
    );
    assert_eq!(claims["aud"], MCP);
}

#[tokio::test]
async fn an_exchange_with_a_proof_is_dpop_bound() {
    let issuer = issuer().await;
    let subject = subject_token(&issuer).await;
    let key = key();
    let proof = Proof::new(&key, "POST", &format!("{}/token", issuer.url), None).sign(&key);
    let reply = issuer
        .post_token(
            &exchange(&subject, &[("resource", DOWNSTREAM)]),
            Auth::Basic(EXCHANGER, EXCHANGER_SECRET),
            &[&proof],
        )
        .await;
    assert_eq!(reply.str("token_type"), "DPoP", "{}", reply.text);
    let (_, claims) = peek(&reply.str("access_token"));
    assert_eq!(claims["cnf"]["jkt"], json!(jkt(&key)));
}

#[tokio::test]
async fn every_rule_of_the_exchange_refuses() {
    let issuer = issuer().await;
    let subject = subject_token(&issuer).await;
    let as_exchanger = || Auth::Basic(EXCHANGER, EXCHANGER_SECRET);
    let cases = [
        (
            "a scope the subject token lacks",
            exchange(&subject, &[("scope", "invoices:delete")]),
            "invalid_scope",
        ),
        (
            "an unknown resource",
            exchange(&subject, &[("resource", "https://evil.example")]),
            "invalid_target",
        ),
        (
            "an unknown audience",
            exchange(&subject, &[("audience", "evil")]),
            "invalid_target",
        ),
        (
            "a token that is not one of this issuer's",
            exchange("eyJhbGciOiJub25lIn0.e30.", &[]),
            "invalid_grant",
        ),
        (
            "an actor token",
            exchange(
                &subject,
                &[
                    ("actor_token", &subject),
                    ("actor_token_type", ACCESS_TOKEN),
                ],
            ),
            "invalid_request",
        ),
        (
            "another token type",
            exchange(
                &subject,
                &[(
                    "requested_token_type",
                    "urn:ietf:params:oauth:token-type:id_token",
                )],
            ),
            "invalid_request",
        ),
    ];
    for (what, form, error) in cases {
        let reply = issuer.post("/token", &form, as_exchanger()).await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.text);
        assert_eq!(reply.str("error"), error, "{what}");
    }
    let wrong_type =
        exchange(&subject, &[]).replace("token-type%3Aaccess_token", "token-type%3Ajwt");
    issuer
        .post("/token", &wrong_type, as_exchanger())
        .await
        .assert_error(400, "invalid_request");
    // A client not allowed to exchange, and no client at all.
    issuer
        .post(
            "/token",
            &exchange(&subject, &[]),
            Auth::Basic("plain", EXCHANGER_SECRET),
        )
        .await
        .assert_error(400, "unauthorized_client");
    let anonymous = issuer
        .post("/token", &exchange(&subject, &[]), Auth::None)
        .await;
    anonymous.assert_error(401, "invalid_client");
    // A revoked subject token.
    issuer.issuer.revoke(&subject).await.unwrap();
    issuer
        .post("/token", &exchange(&subject, &[]), as_exchanger())
        .await
        .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn a_public_client_cannot_be_allowed_to_exchange() {
    let issuer = issuer().await;
    let refused = issuer
        .issuer
        .register_client(
            NewClient::new("spa-x")
                .public()
                .redirect_uris(["https://spa.example/cb"])
                .token_exchange(true),
        )
        .await;
    assert!(refused.is_err());
}

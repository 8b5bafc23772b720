//! An OpenID Connect provider embedded in an axum app: the login page, one user,
//! one client, in memory.
//!
//! ```sh
//! cargo run -p jot-issuer --example oidc_provider
//! # then point any OIDC client library at http://127.0.0.1:9090 with
//! #   client_id=demo  client_secret=demo-secret-change-me
//! #   redirect_uri=http://127.0.0.1:9091/callback (any port on 127.0.0.1)
//! # and sign in as alice / correct horse battery
//! ```
//!
//! Discovery is at `/.well-known/openid-configuration`. The router is served with
//! the peer address (`into_make_service_with_connect_info`) so failed logins are
//! throttled per client IP as well as per username.

use std::net::SocketAddr;

use jot_issuer::{
    ClaimsRequest, Issuer, Login, NewClient, TokenKind, store::MemoryStore, users::NewUser,
};
use serde_json::{Map, Value, json};

const ADDR: &str = "127.0.0.1:9090";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // An app's own claim in access tokens.
    let roles = |request: &ClaimsRequest<'_>| {
        let mut claims = Map::<String, Value>::new();
        if request.token == TokenKind::AccessToken {
            claims.insert("roles".into(), json!(["reader"]));
        }
        claims
    };
    let issuer = Issuer::builder(format!("http://{ADDR}"))
        .store(MemoryStore::new())
        .login(Login::new())
        .claims(roles)
        .build()
        .await?;
    issuer
        .ensure_client(
            NewClient::new("demo")
                .secret("demo-secret-change-me")
                .name("Demo app")
                .redirect_uris(["http://127.0.0.1:9091/callback"])
                .post_logout_redirect_uris(["http://127.0.0.1:9091/"])
                .scopes(["openid", "profile", "email", "offline_access"])
                .first_party(true),
        )
        .await?;
    issuer
        .ensure_user(
            NewUser::new("alice", "correct horse battery")
                .name("Alice Example")
                .email("alice@example.com")
                .email_verified(true),
        )
        .await?;
    tokio::spawn(issuer.clone().run_maintenance());
    let app = issuer
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind(ADDR).await?;
    eprintln!("OpenID Connect provider on http://{ADDR}");
    axum::serve(listener, app).await?;
    Ok(())
}

//! An API that accepts the access tokens of an OAuth 2.0 / OpenID Connect issuer:
//! its keys come from the issuer's JWKS, found through discovery.
//!
//! ```sh
//! jot serve --audience my-api                      # an issuer on http://127.0.0.1:8080
//! cargo run -p jot-axum --example api_server       # this API on http://127.0.0.1:3000
//! ```
//!
//! `ISSUER` (default `http://127.0.0.1:8080`) names another issuer and `LISTEN`
//! (default `127.0.0.1:3000`) another address. This file is the example of
//! jot-axum's README, word for word (a test holds them to it).

use axum::{Router, routing::get};
use jot_axum::{JwtAuth, RemoteJwks, Validation, Verified};

async fn me(token: Verified<()>) -> String {
    format!("hello {}\n", token.claims().sub.as_deref().unwrap_or("?"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let issuer = std::env::var("ISSUER").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".into());

    // The issuer's keys, from its discovery document (plain http only to this machine).
    let keys = RemoteJwks::discover(&issuer).build()?;
    // Tokens from that issuer, for this API: `jot serve --audience my-api`.
    let auth = JwtAuth::<()>::builder(keys)
        .validation(Validation::new().issuer(&issuer).audience("my-api"))
        .build();
    let app = Router::new()
        .route("/me", get(me))
        .layer(auth.layer())
        .with_state(auth);

    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("listening on http://{listen}");
    axum::serve(listener, app).await?;
    Ok(())
}

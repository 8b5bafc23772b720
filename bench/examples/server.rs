//! The server side of `docs/PERFORMANCE.md`: three copies of one trivial axum route
//! on 127.0.0.1 — without jot, behind the jot layer with the verified-token cache
//! off, and with it on (ES256, static key) — for a load tool such as `wrk`.
//!
//! `cargo run --release -p jot-bench --example server` prints the ports and a token,
//! then serves until killed.
#![allow(clippy::expect_used, missing_docs)]

use axum::Router;
use axum::routing::get;
use jot_algorithms::{Algorithm, Claims, Header, SigningKey, Validation};
use jot_axum::{JwtAuth, TokenCache};

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let key = SigningKey::generate(Algorithm::ES256).expect("key");
    let token = jot_algorithms::encode(
        &key,
        &Header::jwt(),
        &Claims::new(()).subject("bench").valid_for(3600),
    )
    .expect("token");
    let plain = Router::new().route("/", get(|| async { "ok" }));
    let auth = |cache: TokenCache| {
        JwtAuth::<()>::builder(key.verifying_key())
            .validation(Validation::new())
            .token_cache(cache)
            .build()
    };
    let uncached = Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(auth(TokenCache::disabled()).layer());
    let cached = Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(auth(TokenCache::new(10_000)).layer());
    let mut tasks = Vec::new();
    for (name, app) in [("plain", plain), ("jot", uncached), ("jot+cache", cached)] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("{name} http://{}", listener.local_addr().expect("addr"));
        tasks.push(tokio::spawn(
            async move { axum::serve(listener, app).await },
        ));
    }
    println!("token {token}");
    for task in tasks {
        let _ = task.await;
    }
}

//! jot-axum tests: logic through `Router` + `oneshot`, remote JWKS over real
//! sockets on 127.0.0.1. One binary, modules per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

mod cache_keys;
mod dpop;
mod dpop_binding;
mod dpop_interop;
// The one installer of the Python packages the tests drive (`cargo xtask deps`).
#[path = "../../../../xtask/src/deps.rs"]
#[allow(dead_code, unreachable_pub)]
mod deps;
mod extractors;
mod guards;
mod issuers;
mod mcp;
mod metrics;
mod proofs;
mod remote;
mod resource;
mod responses;
mod support;
mod token_cache;

//! jot-axum issuer tests: end to end over real sockets on 127.0.0.1 — tokens,
//! refresh rotation, introspection, revocation, key rotation, restarts and the
//! RFC 6749 errors. One binary, modules per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

mod errors;
mod introspection;
mod refresh;
mod rotation;
mod store_contract;
mod support;
mod tokens;

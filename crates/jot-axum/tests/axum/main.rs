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
mod extractors;
mod guards;
mod issuers;
mod metrics;
mod remote;
mod responses;
mod support;

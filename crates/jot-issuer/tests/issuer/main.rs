//! jot-issuer tests: end to end over real sockets on 127.0.0.1 — tokens,
//! refresh rotation, introspection, revocation, key rotation, restarts, the
//! RFC 6749 errors, the store contract (on PostgreSQL too, with the `postgres`
//! feature), and the OpenID Connect login. One binary, modules per area.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

mod browser;
mod client_metadata;
mod data_dir;
mod dpop;
mod errors;
mod headers;
mod introspection;
mod kek;
mod limits;
mod logs;
mod oidc_authorize;
mod oidc_login;
mod oidc_token;
mod oidc_userinfo_logout;
mod operating;
#[cfg(feature = "postgres")]
mod postgres;
mod refresh;
mod registration;
mod resource;
mod rotation;
mod store_contract;
mod support;
mod throttling;
mod token_exchange;
mod tokens;
mod users;

//! Several `jot serve` processes on one PostgreSQL database, through the real
//! binary, on 127.0.0.1: they behave as one issuer behind a load balancer. Each
//! test makes a database of its own on the test run's throwaway cluster (one
//! test, a cluster of its own, since it stops it), starts two or three
//! instances with the same configuration and key-encryption key, spreads its
//! requests over them, and is bounded in time.
//!
//! - [`refresh`]: 200 concurrent refreshes of one refresh token over two
//!   instances make one success, and the family is revoked;
//! - [`rotation`]: two `jot rotate-key` at once publish one next key, which every
//!   instance publishes a JWKS max-age before any signs with it, and which is
//!   promoted once; scheduled rotation on two instances rotates once;
//! - [`sessions`]: a login on A, its code redeemed at B, logout at C;
//! - [`changes`]: a user disabled or enabled, a client changed, take effect on
//!   every instance at once (no instance caches client or user records);
//! - [`kill`]: an instance killed with SIGKILL mid-load loses nothing it
//!   acknowledged;
//! - [`outage`]: the database stopped and restarted under load: requests fail
//!   fast, never hang, and succeed again without restarting `jot serve`.
#![cfg(unix)]
// Test helpers outside #[test] functions panic on purpose: a failed step fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod changes;
mod fleet;
mod flows;
mod kill;
mod outage;
mod refresh;
mod rotation;
mod sessions;
// Starting `jot serve` and plain HTTP without redirects, shared with the other tests.
#[allow(dead_code)]
#[path = "../login/support.rs"]
mod support;

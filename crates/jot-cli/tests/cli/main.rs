//! The `jot` binary, run for real with a cleaned environment: one test binary,
//! one module per area.

// Test helpers outside #[test] functions panic on purpose: a failed step fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod attacks;
mod client_registration;
mod decode;
mod dpop;
// The one installer of the browser and Python packages the tests drive.
#[allow(dead_code, unreachable_pub)]
#[path = "../../../../xtask/src/deps.rs"]
mod deps;
mod failures;
mod fully_specified_eddsa;
mod hardening;
mod harness;
mod jwe;
mod jwe_json;
mod jwe_set;
mod jwk;
mod jwks_remote;
mod jws_json;
#[cfg(unix)]
mod kek;
mod key_formats;
mod keygen;
mod ml_dsa;
mod operate;
#[cfg(unix)]
mod postgres;
mod pyjwt;
mod readme;
mod round_trip;
mod secrets;
mod serve;
mod unencoded;
// Starting `jot serve` and signing in to it over HTTP, shared with the login tests.
#[allow(dead_code)]
#[path = "../login/support.rs"]
mod support;
mod tls;
mod usage;
mod users;

#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Test support: a step that cannot be done fails the test that asked for it, so
// panicking (unwrap, expect, panic) is how these helpers report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod forge;
pub mod inputs;
#[cfg(unix)]
pub mod postgres;
pub mod python;
pub mod signatures;

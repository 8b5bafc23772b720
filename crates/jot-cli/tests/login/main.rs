//! People logging in through `jot serve`, end to end through the real binary: a real
//! headless Chromium driven over WebDriver (the home page's "Sign in", the login
//! form, the decoded tokens, refresh, sign-out, a wrong password, a form without its
//! CSRF token), and a real OpenID Connect client library written elsewhere (Python's
//! Authlib) completing the code flow with PKCE against it.
//!
//! The browser, its driver and the Python packages are installed when missing by
//! the project's installer (`cargo xtask deps`, whose code these tests share); a
//! missing component fails the test, it never skips it.

// Test helpers outside #[test] functions panic on purpose: a failed step fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod authlib;
mod browser;
// The one installer of the browser and Python packages the tests drive.
#[allow(dead_code, unreachable_pub)]
#[path = "../../../../xtask/src/deps.rs"]
mod deps;
// Shared with the CLI tests, which use more of it.
#[allow(dead_code)]
mod support;

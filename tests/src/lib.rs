//! Workspace-level conformance, security, JWE and interop tests of jot live in
//! `tests/`; this library only runs the root README's examples as doctests.
#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]

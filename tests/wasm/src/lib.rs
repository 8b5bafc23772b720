//! jot on `wasm32-unknown-unknown`, tested in Node.js by `cargo xtask wasm`
//! (`wasm-bindgen-test`): jot-codec and jot-algorithms with the `rust-crypto`
//! provider, the one that builds for wasm32.
//!
//! On that target `std::time::SystemTime::now()` panics, so `SystemClock` (and with
//! it `jot_algorithms::decode` and `Claims::valid_for`) cannot be used: decode with
//! `decode_with_clock` and a clock that asks JavaScript, such as `JsClock`
//! (`decode_with_clock::<T, _, _>(token, &key, &validation, &JsClock)`). On other
//! targets this crate is empty.

#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
mod js_clock;

#[cfg(target_arch = "wasm32")]
pub use js_clock::JsClock;

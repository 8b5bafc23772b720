//! The RustCrypto provider (being written).
compile_error!("the `rust-crypto` provider is not complete yet");

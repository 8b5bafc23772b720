//! Chooses the crypto provider from the enabled features, as `cfg(jot_provider = "…")`.
//!
//! Features add up across a dependency graph, so several may be on at once; the one
//! asked for on purpose wins: `aws-lc-rs`, then `rust-crypto`, then `ring` (the
//! default). With none, `src/provider.rs` stops the build with a clear message.

fn main() {
    println!(
        "cargo::rustc-check-cfg=cfg(jot_provider, values(\"ring\", \"aws-lc-rs\", \"rust-crypto\"))"
    );
    let enabled = |feature: &str| std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some();
    let provider = if enabled("AWS_LC_RS") {
        "aws-lc-rs"
    } else if enabled("RUST_CRYPTO") {
        "rust-crypto"
    } else if enabled("RING") {
        "ring"
    } else {
        return;
    };
    println!("cargo::rustc-cfg=jot_provider=\"{provider}\"");
}

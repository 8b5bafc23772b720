//! `jot serve` and `jot rotate-key`: the local token issuer of `jot_issuer`.

use std::process::ExitCode;

use crate::serve::{self as issuer, LimitSettings, ServeConfig, StoreLocation};
use anyhow::{Context, Result};

use crate::cli::{RotateKeyArgs, ServeArgs};

/// Runs the issuer until Ctrl-C or SIGTERM.
pub(super) fn run(args: ServeArgs) -> Result<ExitCode> {
    init_logging();
    let explicit_dir = args.data_dir.is_some();
    let mut config = ServeConfig::new().clients(args.client).users(args.user);
    if let Some(addr) = args.addr {
        config = config.addr(addr);
    }
    // --store, else --data-dir, else JOT_DATABASE_URL, else the config file's.
    match StoreLocation::from_args(args.store.as_deref(), args.data_dir)? {
        StoreLocation::Postgres(url) => config = config.store_url(url),
        StoreLocation::Dir(dir) if explicit_dir => config = config.data_dir(dir),
        StoreLocation::Dir(_) => {}
    }
    if let Some(url) = args.issuer {
        config = config.issuer_url(url);
    }
    if let Some(alg) = args.alg {
        config = config.algorithm(alg.0);
    }
    if let Some(aud) = args.audience {
        config = config.audience(aud);
    }
    if let Some(lifetime) = args.token_lifetime {
        config = config.access_token_lifetime(lifetime);
    }
    if let Some(file) = args.config {
        config = config.config_file(file);
    }
    for origin in args.cors_origin {
        config = config.cors_origin(origin);
    }
    if args.replace_missing_key {
        config = config.replace_missing_key(true);
    }
    config = config.limits(LimitSettings {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        request_timeout: args.request_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: args.max_connections,
    });
    issuer::serve_blocking(config).context("jot serve")?;
    Ok(ExitCode::SUCCESS)
}

/// Replaces the signing key; a running server picks it up on its next maintenance tick.
pub(super) fn rotate(args: &RotateKeyArgs) -> Result<ExitCode> {
    let location = StoreLocation::from_args(args.store.as_deref(), args.data_dir.clone())?;
    let rotated = issuer::rotate_key_blocking(&location, args.alg.as_ref().map(|a| a.0))
        .with_context(|| format!("rotating the key in {location}"))?;
    match rotated.previous {
        Some(previous) => println!(
            "new {} key {}; {} stays published until its tokens expire",
            rotated.alg, rotated.kid, previous
        ),
        None => println!("new {} key {}", rotated.alg, rotated.kid),
    }
    Ok(ExitCode::SUCCESS)
}

/// Logs to stderr; `RUST_LOG` picks the level (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

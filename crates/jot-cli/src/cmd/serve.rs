//! `jot serve` and `jot rotate-key`: the local token issuer of `jot_issuer`.

use std::process::ExitCode;

use crate::serve::{self as issuer, ServeConfig, StoreLocation};
use anyhow::{Context, Result};

use crate::cli::{RotateKeyArgs, ServeArgs};

/// Runs the issuer until Ctrl-C or SIGTERM.
pub(super) fn run(args: ServeArgs) -> Result<ExitCode> {
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
    config.metrics = args.metrics;
    config.admin_addr = args.admin_addr;
    config.trusted_proxies = args.trusted_proxy;
    config.log_format = args.log_format;
    // The config file may set the log format: read it before the first log line.
    let config = config.resolve().context("jot serve")?;
    issuer::init_logging(config.log_format.unwrap_or_default());
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

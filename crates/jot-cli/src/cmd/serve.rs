//! `jot serve`, `jot rotate-key` and `jot rotate-kek`: the local token issuer of
//! `jot_issuer`.

use std::process::ExitCode;

use crate::serve::kek::{self as kek, KEK_ENV, NEW_KEK_ENV};
use crate::serve::{
    self as issuer, LimitSettings, RegistrationToken, ServeConfig, StoreLocation, TlsFiles,
};
use anyhow::{Context, Result};
use jot_issuer::KeyRotation;

use crate::cli::{RotateKekArgs, RotateKeyArgs, ServeArgs};

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
    for origin in args.cors_origin {
        config = config.cors_origin(origin);
    }
    if args.replace_missing_key {
        config = config.replace_missing_key(true);
    }
    for resource in args.resource {
        config = config.resource(resource);
    }
    if args.dpop_nonces {
        config = config.dpop_nonces(true);
    }
    config = config.limits(LimitSettings {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        request_timeout: args.request_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: args.max_connections,
    });
    if let Some(max_age) = args.jwks_max_age {
        config = config.jwks_max_age(max_age);
    }
    if let Some(every) = args.maintenance_interval {
        config = config.maintenance_interval(every);
    }
    if let Some(kek) = kek::load(args.kek.kek_file.as_deref(), KEK_ENV)? {
        config = config.kek(kek);
    }
    if let (Some(cert), Some(key)) = (args.tls_cert, args.tls_key) {
        config.tls = Some(TlsFiles { cert, key });
    }
    if args.client_id_metadata_documents {
        config.client_id_metadata_documents = Some(true);
    }
    if args.client_id_metadata_allow_loopback {
        config.client_id_metadata_allow_loopback = Some(true);
    }
    if args.dynamic_registration {
        config.dynamic_registration = Some(true);
    }
    config
        .client_id_metadata_scopes
        .extend(args.client_id_metadata_scope);
    config.registration_scopes.extend(args.registration_scope);
    if let Some(var) = args.registration_initial_access_token_env {
        let token = std::env::var(&var)
            .ok()
            .filter(|t| !t.is_empty())
            .with_context(|| {
                format!(
                    "--registration-initial-access-token-env: environment variable {var} is not set"
                )
            })?;
        config.registration_token = Some(RegistrationToken(token));
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

/// Rotates the signing key: a next key the running servers promote once
/// verifiers can have fetched it, or with `--now` a new key at once.
pub(super) fn rotate(args: &RotateKeyArgs) -> Result<ExitCode> {
    let location = StoreLocation::from_args(args.store.as_deref(), args.data_dir.clone())?;
    let kek = kek::load(args.kek.kek_file.as_deref(), KEK_ENV)?;
    let mut rotation = KeyRotation::new().now(args.now).drop_old(args.drop_old);
    if let Some(alg) = &args.alg {
        rotation = rotation.algorithm(alg.0);
    }
    let rotated = issuer::rotate_key_blocking(&location, rotation, kek.as_ref())
        .with_context(|| format!("rotating the key in {location}"))?;
    let (alg, kid) = (rotated.alg, &rotated.kid);
    if rotated.next {
        println!(
            "next {alg} key {kid} published at {}; the running servers sign with it once a JWKS \
             max-age plus a maintenance interval has passed since (5 min 30 s with the defaults)",
            crate::dates::format_utc(rotated.published_at)
        );
    } else {
        println!("new {alg} key {kid} signs now");
    }
    match (&rotated.previous, rotated.dropped) {
        (Some(previous), true) => println!("{previous} removed from the JWK Set"),
        (Some(previous), false) => {
            println!("{previous} stays published until the tokens it signed expire")
        }
        (None, _) => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// Seals every private key under a new key-encryption key.
pub(super) fn rotate_kek(args: &RotateKekArgs) -> Result<ExitCode> {
    let location = StoreLocation::from_args(args.store.as_deref(), args.data_dir.clone())?;
    let old = kek::load(args.kek_file.as_deref(), KEK_ENV)?;
    let new = kek::load(args.new_kek_file.as_deref(), NEW_KEK_ENV)?.with_context(|| {
        format!("no new key-encryption key: give it with --new-kek-file FILE or {NEW_KEK_ENV} (make one with `jot keygen kek --out FILE`)")
    })?;
    let done = issuer::rotate_kek_blocking(&location, old.as_ref(), &new)
        .with_context(|| format!("sealing the keys in {location} under the new KEK"))?;
    println!(
        "{} private key(s) sealed under KEK {} ({} already were); restart every server with the new KEK",
        done.resealed.len(),
        new.id(),
        done.already.len()
    );
    Ok(ExitCode::SUCCESS)
}

//! `jot serve`'s config file: any bytes as the TOML text of `jot serve --config`,
//! through `jot_cli::check_config` — the binary's own parser and merge into its
//! settings (addresses, algorithm, durations, the connection cap, clients, users,
//! secrets by value or by variable) — with a fixed environment instead of the
//! process's.
//!
//! Invariants besides "no panic": a refused file is refused as a config-file error
//! (the `config file PATH: REASON` that `jot serve` prints), never another kind; the
//! verdict does not depend on the call (same text, same answer).

#![no_main]

use libfuzzer_sys::fuzz_target;

/// The variables the seeds' `secret_env` / `password_env` name; every other one is
/// unset.
fn env(var: &str) -> Option<String> {
    matches!(
        var,
        "BILLING_SECRET" | "ORDERS_API_SECRET" | "ALICE_PASSWORD" | "JOT_REGISTRATION_TOKEN"
    )
    .then(|| format!("value of {var}"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let verdict = jot_cli::check_config(text, &env);
    if let Err(err) = &verdict {
        assert!(
            err.is_config_file_error(),
            "not a config-file error: {err:?}"
        );
        assert!(
            err.to_string().starts_with("config file jot.toml: "),
            "{err}"
        );
    }
    assert_eq!(verdict.is_ok(), jot_cli::check_config(text, &env).is_ok());
});

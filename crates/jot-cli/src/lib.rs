//! The code of `jot`, the JWT command-line tool (the binary `src/main.rs` only
//! calls [`main`]). It is a library target for one reason: the fuzz target of
//! `jot serve`'s config file (`fuzz/fuzz_targets/config.rs`) reaches the parser
//! through [`check_config`]. Nothing here is a stable API; use the binary.

#![forbid(unsafe_code)]

mod cli;
mod cmd;
mod dates;
mod duration;
mod exit;
mod input;
mod jwe;
mod keys;
mod paint;
mod pretty;
mod serve;
mod synopsis;
mod when;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::Cli;

/// Runs `jot` with the process's arguments: the whole binary.
#[doc(hidden)]
pub fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => exit::report(&err),
    }
}

/// The synopsis of every command, one usage line (wrapped) each, written from
/// the argument definitions: README.md's "Commands" block, which a test keeps
/// equal to it.
#[doc(hidden)]
#[must_use]
pub fn synopsis() -> String {
    synopsis::synopsis()
}

/// Parses and checks a `jot serve` config file's text as `jot serve --config`
/// does (the same parser and the same merge into the settings), without the
/// filesystem or the process environment: `env` answers the variables that
/// `secret_env` and `password_env` name. The file is taken to be `jot.toml` in the
/// working directory.
///
/// ```
/// let env = |var: &str| (var == "APP_SECRET").then(|| "s3cret".to_string());
/// let text = "[[client]]\nid = \"app\"\nsecret_env = \"APP_SECRET\"\n";
/// assert!(jot_cli::check_config(text, &env).is_ok());
/// assert!(jot_cli::check_config(text, &|_| None).is_err());
/// assert!(jot_cli::check_config("addr = \"nowhere\"", &env).is_err());
/// ```
///
/// # Errors
///
/// [`ConfigError`] when the text is not TOML, has an unknown or mistyped key, or a
/// value `jot serve` refuses (an address, an algorithm, a duration, a connection
/// cap, a secret given twice or not found in `env`).
#[doc(hidden)]
pub fn check_config(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
    serve::ServeConfig::new()
        .merge_file(text, std::path::Path::new("jot.toml"), env)
        .map(drop)
        .map_err(ConfigError)
}

/// Why [`check_config`] refused a config file; the message is the one `jot serve`
/// prints.
#[doc(hidden)]
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ConfigError(serve::ServeError);

impl ConfigError {
    /// Whether it is a config-file error (what `jot serve` reports as `config file
    /// PATH: REASON`), the only kind [`check_config`] should give.
    #[must_use]
    pub fn is_config_file_error(&self) -> bool {
        matches!(self.0, serve::ServeError::Config { .. })
    }
}

/// Parses the arguments, then runs the command. Usage errors exit with 2 (clap's
/// own code for them); `--help` and `--version` with 0.
fn run() -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Printing help into a closed pipe is not worth reporting.
            let _ = e.print();
            return Ok(match e.exit_code() {
                0 => ExitCode::SUCCESS,
                _ => ExitCode::from(exit::ERROR),
            });
        }
    };
    cmd::dispatch(cli)
}

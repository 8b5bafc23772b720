//! `jot`, the JWT command-line tool: encode, decode and verify tokens, generate and
//! convert keys. See README.md for a tour and the exit codes.

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
mod when;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::Cli;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => exit::report(&err),
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
